package samplegen

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/vnenc"
)

// shared is one demo set written with the default options, used by the
// tests that only read it.
var shared struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func sharedDemo(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "samplegen-")
		if shared.err == nil {
			shared.err = Demo(shared.dir, Options{})
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir
}

func readManifest(t *testing.T, dir string) *Manifest {
	t.Helper()
	m, err := ReadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type fileState struct {
	sum   string
	mtime time.Time
}

func walk(t *testing.T, dir string) (map[string]fileState, int64) {
	t.Helper()
	out := map[string]fileState{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = fileState{hex.EncodeToString(sum[:]), st.ModTime()}
		total += int64(len(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, total
}

func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	a := sharedDemo(t)
	b := t.TempDir()
	if err := Demo(b, Options{Dossiers: 15000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	fa, size := walk(t, a)
	fb, _ := walk(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files then %d files", len(fa), len(fb))
	}
	for p, sa := range fa {
		sb, ok := fb[p]
		switch {
		case !ok:
			t.Errorf("%s: missing from the second run", p)
		case sa.sum != sb.sum:
			t.Errorf("%s: content differs between runs", p)
		case !sa.mtime.Equal(sb.mtime):
			t.Errorf("%s: mtime %v then %v", p, sa.mtime, sb.mtime)
		}
	}
	if size > 8_200_000 {
		t.Errorf("demo set is %d bytes, want about 8 MB at most", size)
	}
	t.Logf("%d files, %d bytes", len(fa), size)
}

func TestOtherSeedDiffers(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	if err := Demo(a, Options{Dossiers: 1500, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if err := Demo(b, Options{Dossiers: 1500, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	ma, mb := readManifest(t, a), readManifest(t, b)
	if ma.Totals.DistinctDossiers != 1500 || mb.Totals.DistinctDossiers != 1500 {
		t.Fatalf("distinct dossiers %d and %d, want 1500", ma.Totals.DistinctDossiers, mb.Totals.DistinctDossiers)
	}
	if ma.Files[0].SHA256 == mb.Files[0].SHA256 {
		t.Error("seeds 7 and 8 wrote the same first file")
	}
	if err := Demo(t.TempDir(), Options{Dossiers: 10}); err == nil {
		t.Error("10 dossiers: want an error")
	}
}

// record is one data row as a reader of the file sees it, by header.
type record struct {
	row    int
	values map[string]string
}

// readExport decodes an export independently of the generator's writers.
func readExport(t *testing.T, dir string, fm FileManifest) (header []string, recs []record) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(fm.Path)))
	if err != nil {
		t.Fatal(err)
	}
	switch fm.Format {
	case "csv":
		var text []byte
		switch fm.Encoding {
		case "utf-8":
			text = raw
			if bom := bytes.HasPrefix(raw, []byte("\uFEFF")); bom != fm.BOM {
				t.Errorf("%s: BOM %v, manifest says %v", fm.Path, bom, fm.BOM)
			}
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		case "utf-16le":
			if !bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) {
				t.Errorf("%s: no UTF-16LE byte order mark", fm.Path)
			}
			text, err = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
		case "tcvn3":
			var r io.Reader
			var enc vnenc.Encoding
			if r, enc, err = vnenc.NewReader(bytes.NewReader(raw)); err == nil {
				if enc != vnenc.TCVN3 {
					t.Errorf("%s: detected as %v, want tcvn3", fm.Path, enc)
				}
				text, err = io.ReadAll(r)
			}
		default:
			t.Fatalf("%s: unknown encoding %q", fm.Path, fm.Encoding)
		}
		if err != nil {
			t.Fatalf("%s: %v", fm.Path, err)
		}
		text = norm.NFC.Bytes(text)
		cr := csv.NewReader(bytes.NewReader(text))
		cr.Comma = []rune(fm.Delimiter)[0]
		all, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", fm.Path, err)
		}
		header = all[0]
		for i, rec := range all[1:] {
			recs = append(recs, record{row: i + 2, values: zip(header, rec)})
		}
	case "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", fm.Path, err)
		}
		defer f.Close()
		// Raw values: formatting every date cell is slow, and the test
		// converts the few it compares itself (see excelText).
		rows, err := f.GetRows(fm.Sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("%s: %v", fm.Path, err)
		}
		header = rows[fm.HeaderRows[0]-1]
		if len(fm.HeaderRows) == 2 { // group titles above, sub-headers below
			sub := rows[fm.HeaderRows[1]-1]
			header = append([]string(nil), header...)
			for i := range header {
				if i < len(sub) && sub[i] != "" {
					header[i] = sub[i]
				}
			}
		}
		for i, r := range rows[fm.FirstDataRow-1:] {
			v := zip(header, r)
			for k, x := range v {
				v[k] = excelText(x)
			}
			recs = append(recs, record{row: fm.FirstDataRow + i, values: v})
		}
	case "json", "ndjson":
		var objs []map[string]any
		if fm.Format == "json" {
			if err := json.Unmarshal(raw, &objs); err != nil {
				t.Fatalf("%s: %v", fm.Path, err)
			}
		} else {
			for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
				var o map[string]any
				if err := json.Unmarshal([]byte(line), &o); err != nil {
					t.Fatalf("%s: %v", fm.Path, err)
				}
				objs = append(objs, o)
			}
		}
		for i, o := range objs {
			v := map[string]string{}
			for k, x := range o {
				if x != nil {
					v[k] = fmt.Sprint(x)
				}
			}
			recs = append(recs, record{row: i + 1, values: v})
		}
	default:
		t.Fatalf("%s: unknown format %q", fm.Path, fm.Format)
	}
	return header, recs
}

// excelText shows a raw XLSX value as the manifest does: a serial with a
// fraction (a date cell with a time) as dd/mm/yyyy hh:mm.
func excelText(raw string) string {
	if !strings.Contains(raw, ".") {
		return raw
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 20000 || f > 80000 {
		return raw
	}
	t := excelEpoch.Add(time.Duration(f*24*3600+0.5) * time.Second)
	return t.Format("02/01/2006 15:04")
}

func zip(header, cells []string) map[string]string {
	v := map[string]string{}
	for i, h := range header {
		if i < len(cells) {
			v[h] = cells[i]
		}
	}
	return v
}

// headerOf returns the header a source writes for a field.
func headerOf(src *sourceSpec, f field) string {
	for _, c := range src.columns {
		if c.field == f {
			return c.header
		}
	}
	return ""
}

func fieldOf(canonical string) field {
	for f, name := range canonicalName {
		if name == canonical {
			return f
		}
	}
	return -1
}

// TestManifestMatchesFiles re-reads every export with independent readers
// and checks the manifest against what is there.
func TestManifestMatchesFiles(t *testing.T) {
	t.Parallel()
	dir := sharedDemo(t)
	m := readManifest(t, dir)
	specs := map[string]*sourceSpec{}
	for _, s := range demoSources() {
		specs[s.name] = s
	}
	var tot Totals
	valid := map[string]bool{}
	cccd, phones := map[string]bool{}, map[string]bool{}
	bySource := map[string][]FileManifest{}
	for _, fm := range m.Files {
		src := specs[fm.Source]
		bySource[fm.Source] = append(bySource[fm.Source], fm)
		b, err := os.ReadFile(filepath.Join(dir, fm.Path))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != fm.SHA256 || len(b) != fm.Size {
			t.Errorf("%s: sha256 or size differ from the manifest", fm.Path)
		}
		st, _ := os.Stat(filepath.Join(dir, fm.Path))
		if mt, _ := time.Parse(time.RFC3339, fm.ModifiedAt); !st.ModTime().Equal(mt) {
			t.Errorf("%s: mtime %v, manifest %v", fm.Path, st.ModTime(), fm.ModifiedAt)
		}

		_, recs := readExport(t, dir, fm)
		if len(recs) != fm.Rows {
			t.Errorf("%s: %d data rows, manifest %d", fm.Path, len(recs), fm.Rows)
		}
		bad := map[int]BadRow{}
		for _, br := range fm.BadRows {
			bad[br.Row] = br
		}
		codeCol := headerOf(src, colCode)
		seen := map[string]bool{}
		good := 0
		for _, r := range recs {
			for _, v := range []struct {
				f   field
				set map[string]bool
			}{{colCCCD, cccd}, {colPhone, phones}} {
				if h := headerOf(src, v.f); h != "" && r.values[h] != "" {
					v.set[r.values[h]] = true
				}
			}
			if br, ok := bad[r.row]; ok {
				h := headerOf(src, fieldOf(br.Column))
				if got := r.values[h]; got != br.Value {
					t.Errorf("%s row %d: %s is %q, manifest says %q", fm.Path, r.row, h, got, br.Value)
				}
				delete(bad, r.row)
				continue
			}
			code := r.values[codeCol]
			if code == "" {
				t.Errorf("%s row %d: no dossier code but not listed as bad", fm.Path, r.row)
			}
			good++
			seen[code] = true
			valid[code] = true
		}
		for row := range bad {
			t.Errorf("%s: bad row %d not found", fm.Path, row)
		}
		if dups := good - len(seen); dups != fm.Duplicates {
			t.Errorf("%s: %d duplicate rows, manifest %d", fm.Path, dups, fm.Duplicates)
		}
		if fm.Rows != len(fm.BadRows)+fm.Duplicates+fm.Repeated+fm.New {
			t.Errorf("%s: rows %d != bad + duplicates + repeated + new", fm.Path, fm.Rows)
		}
		tot.Files++
		tot.Rows += fm.Rows
		tot.BadRows += len(fm.BadRows)
		tot.Duplicates += fm.Duplicates
		tot.Repeated += fm.Repeated
		tot.DistinctDossiers += fm.New
	}
	if tot != m.Totals {
		t.Errorf("totals from files %+v, manifest %+v", tot, m.Totals)
	}
	if len(valid) != m.Totals.DistinctDossiers || m.Totals.DistinctDossiers != 15000 {
		t.Errorf("%d distinct valid codes, manifest %d, want 15000", len(valid), m.Totals.DistinctDossiers)
	}
	if m.Totals.BadRows < 10 || m.Totals.BadRows > 30 || m.Totals.Duplicates < 2 || m.Totals.Repeated == 0 {
		t.Errorf("want 10–30 bad rows, some duplicates and redeliveries: %+v", m.Totals)
	}
	sumUnits, sumStatus := 0, 0
	for code, u := range m.Units {
		if u.Dossiers == 0 {
			t.Errorf("unit %s has no dossiers", code)
		}
		sumUnits += u.Dossiers
	}
	for _, n := range m.Status {
		sumStatus += n
	}
	if sumUnits != len(valid) || sumStatus != len(valid) {
		t.Errorf("units sum to %d and statuses to %d, want %d", sumUnits, sumStatus, len(valid))
	}
	if len(m.Status) != int(nStatus) {
		t.Errorf("statuses present: %v, want all seven", m.Status)
	}

	// Every CCCD and phone number in the files is listed, and nothing else.
	for _, c := range []struct {
		name   string
		files  map[string]bool
		listed []string
		re     *regexp.Regexp
	}{{"cccd", cccd, m.PII.CCCD, regexp.MustCompile(`^\d{12}$`)}, {"phones", phones, m.PII.Phones, regexp.MustCompile(`^09\d{8}$`)}} {
		if len(c.files) != len(c.listed) {
			t.Errorf("pii %s: %d in files, %d listed", c.name, len(c.files), len(c.listed))
		}
		for _, v := range c.listed {
			if !c.files[v] || !c.re.MatchString(v) {
				t.Errorf("pii %s: %q not in the files or malformed", c.name, v)
				break
			}
		}
	}
	if len(m.PII.Names) < 200 || len(m.PII.Addresses) < 200 || len(m.PII.Emails) < 200 {
		t.Errorf("pii: %d names, %d addresses, %d e-mails; want at least 200 each", len(m.PII.Names), len(m.PII.Addresses), len(m.PII.Emails))
	}

	// Path order is load order within a source, so a checkout that resets
	// modification times loads the files in the same order.
	for name, fms := range bySource {
		paths := make([]string, len(fms))
		for i, fm := range fms {
			paths[i] = fm.Path
		}
		if !sort.StringsAreSorted(paths) {
			t.Errorf("source %s: path order is not export order: %q", name, paths)
		}
	}
}

// TestFormatsCovered checks that the set exercises every format the loader
// must read.
func TestFormatsCovered(t *testing.T) {
	t.Parallel()
	m := readManifest(t, sharedDemo(t))
	want := map[string]bool{
		"csv utf-8 bom ,": false, "csv utf-8 ;": false, "csv utf-16le bom \t": false, "csv tcvn3 ,": false,
		"xlsx title": false, "xlsx two-row header": false, "json": false, "ndjson": false, "NFD": false,
	}
	for _, fm := range m.Files {
		switch fm.Format {
		case "csv":
			k := "csv " + fm.Encoding
			if fm.BOM {
				k += " bom"
			}
			want[k+" "+fm.Delimiter] = true
		case "xlsx":
			if len(fm.HeaderRows) == 2 {
				want["xlsx two-row header"] = true
			}
			if fm.HeaderRows[0] > 1 {
				want["xlsx title"] = true
			}
		default:
			want[fm.Format] = true
		}
		if fm.Normalized == "NFD" {
			want["NFD"] = true
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no file of kind %q", k)
		}
	}
	sources := map[string]bool{}
	for _, fm := range m.Files {
		sources[fm.Source] = true
	}
	if len(sources) < 8 {
		t.Errorf("%d sources, want at least 8", len(sources))
	}
}

func TestUnitsRegistry(t *testing.T) {
	t.Parallel()
	dir := sharedDemo(t)
	f, err := os.Open(filepath.Join(dir, "units.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases" {
		t.Fatalf("header %q", got)
	}
	codes := map[string]bool{}
	levels := map[string]int{}
	for _, r := range recs[1:] {
		codes[r[0]] = true
		levels[r[2]]++
	}
	if len(codes) < 8 || levels["department"] < 4 || levels["district"] < 3 || levels["commune"] < 6 {
		t.Errorf("units by level %v", levels)
	}
	date := regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})?$`)
	// A name may come back after a reform (xã Hạ Bằng before and after
	// July 2025): two units may share a name or alias only if they are
	// never valid on the same day ([valid_from, valid_to), as units.Parse).
	keys := map[string][]string{}
	span := map[string][2]string{}
	for _, r := range recs[1:] {
		span[r[0]] = [2]string{r[4], r[5]}
	}
	overlap := func(a, b string) bool {
		before := func(x, y string) bool { return x == "" || y == "" || x < y }
		return before(span[a][0], span[b][1]) && before(span[b][0], span[a][1])
	}
	fold := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(stripDiacritics(s)) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	for _, r := range recs[1:] {
		if r[3] != "" && !codes[r[3]] || r[6] != "" && !codes[r[6]] {
			t.Errorf("%s: parent or successor not in the registry", r[0])
		}
		if !date.MatchString(r[4]) || !date.MatchString(r[5]) {
			t.Errorf("%s: bad dates %q %q", r[0], r[4], r[5])
		}
		refs := append([]string{r[0], r[1]}, strings.Split(r[7], "|")...)
		for _, ref := range refs {
			k := fold(ref)
			for _, prev := range keys[k] {
				if prev != r[0] && overlap(prev, r[0]) {
					t.Errorf("%q names both %s and %s", ref, prev, r[0])
				}
			}
			keys[k] = append(keys[k], r[0])
		}
	}
	m := readManifest(t, dir)
	for code := range codes {
		if m.Units[code].Dossiers == 0 {
			t.Errorf("unit %s has no dossiers", code)
		}
	}
}

// TestConfigLoads reads cchc.yaml with the project's config loader: every
// key valid, every source's glob matching files.
func TestConfigLoads(t *testing.T) {
	t.Parallel()
	dir := sharedDemo(t)
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) < 8 {
		t.Errorf("%d sources", len(cfg.Sources))
	}
	for _, s := range cfg.Sources {
		matches, err := filepath.Glob(s.Path)
		if err != nil || len(matches) == 0 {
			t.Errorf("source %s: glob %s matches nothing (%v)", s.Name, s.Path, err)
		}
	}
}

// countingWriter counts bytes and lines and samples the heap as a stream
// is written through it.
type countingWriter struct {
	bytes, lines, writes int
	peakHeap             uint64
	hash                 io.Writer
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes += len(p)
	w.lines += bytes.Count(p, []byte{'\n'})
	if w.writes%64 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.peakHeap = max(w.peakHeap, ms.HeapInuse)
	}
	w.writes++
	if w.hash != nil {
		w.hash.Write(p)
	}
	return len(p), nil
}

// TestBigCSVStreams is not parallel: it measures the heap, which other
// tests would fill (parallel tests wait until the serial ones are done).
func TestBigCSVStreams(t *testing.T) {
	const rows = 200_000
	runtime.GC()
	w := &countingWriter{}
	n, err := BigCSV(w, rows, 1)
	if err != nil || n != rows {
		t.Fatalf("BigCSV: %d rows, %v", n, err)
	}
	if w.lines != rows+1 {
		t.Errorf("%d lines, want %d", w.lines, rows+1)
	}
	// Holding the rows would take hundreds of megabytes.
	if w.peakHeap > 64<<20 {
		t.Errorf("heap reached %d MB while streaming", w.peakHeap>>20)
	}
	t.Logf("%d bytes, peak heap %d MB", w.bytes, w.peakHeap>>20)
}

func TestBigCSVContent(t *testing.T) {
	t.Parallel()
	const rows = 20_000
	var a, b bytes.Buffer
	if _, err := BigCSV(&a, rows, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := BigCSV(&b, rows, 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same rows and seed gave different bytes")
	}
	recs, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != rows+1 || recs[0][0] != "Mã hồ sơ" {
		t.Fatalf("%d records, header %q", len(recs), recs[0])
	}
	codes := map[string]bool{}
	empty := 0
	for _, r := range recs[1:] {
		if r[0] == "" {
			empty++
			continue
		}
		if codes[r[0]] {
			t.Errorf("dossier code %s twice", r[0])
		}
		codes[r[0]] = true
	}
	// Only data row 16,666 of the first 20,000 is planted: a missing code.
	if empty != 1 || recs[16666][0] != "" {
		t.Errorf("planted rows: %d without code, row 16666 %q", empty, recs[16666][0])
	}
}

// TestNoTwinUnits checks that no two units hold the same data: every unit
// draws its dossiers from its own random stream, so no two have the same
// receipts month by month (or the rankings would tie by construction).
func TestNoTwinUnits(t *testing.T) {
	t.Parallel()
	m := readManifest(t, sharedDemo(t))
	seen := map[string]string{}
	for code, u := range m.Units {
		u.Name = ""
		j, _ := json.Marshal(u)
		if prev, ok := seen[string(j)]; ok {
			t.Errorf("units %s and %s hold the same data: %s", prev, code, j)
		}
		seen[string(j)] = code
	}
}
