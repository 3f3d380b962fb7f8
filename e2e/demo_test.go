package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/samplegen"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

var update = flag.Bool("update", false, "rewrite golden files")

// demo is the demo set loaded once for every test of the package.
var demo struct {
	dir      string
	cfg      *config.Config
	sum      *pipeline.Summary
	manifest *samplegen.Manifest
	db       *sql.DB // read-only, on the closed warehouse
}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "cchc-demo-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		if err := loadDemo(dir); err != nil {
			fmt.Fprintln(os.Stderr, "loading the demo:", err)
			return 1
		}
		defer demo.db.Close()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demoNow is the clock of the demo run: the nightly run after the last
// export (5 November 2026). Periods ended before 23 October (2026-09,
// 2026-Q3 and earlier) are final; 2026-10 (grace until 16 November),
// 2026-11, 2026-Q4, 2026-H2 and 2026 are provisional. A fixed clock keeps
// the goldens deterministic.
var demoNow = time.Date(2026, 11, 7, 1, 30, 0, 0, time.FixedZone("ICT", 7*3600))

func loadDemo(dir string) error {
	if err := samplegen.Demo(dir, samplegen.Options{Dossiers: 15000, Seed: 1}); err != nil {
		return err
	}
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		return err
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		return err
	}
	sum, err := pipeline.Batch(context.Background(), cfg, reg, pipeline.Options{Now: func() time.Time { return demoNow }})
	if err != nil {
		return err
	}
	m, err := samplegen.ReadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return err
	}
	w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	demo.dir, demo.cfg, demo.sum, demo.manifest, demo.db = dir, cfg, sum, m, w.DB()
	return nil
}

func query[T any](t *testing.T, q string, args ...any) T {
	t.Helper()
	var v T
	if err := demo.db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// The committed demo/ folder is exactly what the generator writes, so
// `make demo` (which regenerates it) never changes a tracked file.
func TestCommittedDemoIsGenerated(t *testing.T) {
	type file struct{ path, sha string }
	var files []file
	for _, f := range demo.manifest.Files {
		files = append(files, file{f.Path, f.SHA256})
	}
	for _, f := range demo.manifest.PAR.Files {
		files = append(files, file{f.Path, f.SHA256})
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "demo", f.path))
		if err != nil {
			t.Fatalf("demo/%s: %v (run make sample)", f.path, err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.sha {
			t.Errorf("demo/%s differs from the generator's output (run make sample)", f.path)
		}
	}
	for _, name := range []string{"cchc.yaml", "units.csv", "manifest.json"} {
		a, _ := os.ReadFile(filepath.Join("..", "demo", name))
		b, _ := os.ReadFile(filepath.Join(demo.dir, name))
		if !bytes.Equal(a, b) {
			t.Errorf("demo/%s differs from the generator's output (run make sample)", name)
		}
	}
}

// Every file reconciles, the totals match the manifest, and every planted
// bad row is in quarantine at its row, with its column.
func TestDemoLoad(t *testing.T) {
	s := demo.sum
	if s.Run.Status != "succeeded" || s.ExitCode() != 0 {
		t.Fatalf("run %s: %s", s.Run.Status, s.Run.Message)
	}
	// The dossier exports, then the CCHC-index (PAR) inputs (TestDemoPAR).
	tot := demo.manifest.Totals
	parFiles, parRows := len(demo.manifest.PAR.Files), 0
	for _, f := range demo.manifest.PAR.Files {
		parRows += f.Rows
	}
	if len(s.Files) != tot.Files+parFiles || int(s.Run.RowsRead) != tot.Rows+parRows {
		t.Errorf("files %d rows %d, manifest %d+%d %d+%d", len(s.Files), s.Run.RowsRead, tot.Files, parFiles, tot.Rows, parRows)
	}
	if n := query[int](t, `SELECT count(*) FROM dossiers`); n != tot.DistinctDossiers {
		t.Errorf("%d dossiers, manifest %d", n, tot.DistinctDossiers)
	}
	if n := query[int](t, `SELECT count(*) - count(DISTINCT dossier_code) FROM dossiers`); n != 0 {
		t.Errorf("%d duplicate dossier codes", n)
	}
	if n := query[int](t, `SELECT count(*) FROM source_files WHERE rows_read <> rows_loaded + rows_quarantined + rows_superseded`); n != 0 {
		t.Errorf("%d files do not reconcile", n)
	}
	for _, f := range demo.manifest.Files {
		path := filepath.Join(demo.dir, filepath.FromSlash(f.Path))
		var read, quarantined int
		var format, enc string
		if err := demo.db.QueryRow(`SELECT rows_read, rows_quarantined, format, coalesce(encoding, '') FROM source_files WHERE path = ?`, path).
			Scan(&read, &quarantined, &format, &enc); err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		// The ledger says how each file was read: ndjson is read by the
		// json decoder; an XLSX's cells are Unicode (no legacy font text in
		// the demo workbooks).
		wantFormat := map[string]string{"ndjson": "json"}[f.Format]
		if wantFormat == "" {
			wantFormat = f.Format
		}
		wantEnc := f.Encoding
		if f.Format == "xlsx" && wantEnc == "" {
			wantEnc = "utf-8"
		}
		if format != wantFormat || enc != wantEnc {
			t.Errorf("%s: ledger says %s/%q, manifest %s/%q", f.Path, format, enc, f.Format, f.Encoding)
		}
		// A dossier code repeated within a file: its earlier rows are
		// quarantined as duplicate_in_file, the last one kept.
		if read != f.Rows || quarantined != len(f.BadRows)+f.Duplicates {
			t.Errorf("%s: read %d quarantined %d; manifest %d, %d bad + %d duplicates", f.Path, read, quarantined, f.Rows, len(f.BadRows), f.Duplicates)
		}
		if n := query[int](t, `SELECT count(*) FROM quarantine WHERE source_file = ? AND reason_code = 'duplicate_in_file'`, path); n != f.Duplicates {
			t.Errorf("%s: %d duplicate_in_file rows, manifest %d duplicates", f.Path, n, f.Duplicates)
		}
		for _, b := range f.BadRows {
			var reason, raw, code string
			err := demo.db.QueryRow(`SELECT reason, coalesce(raw_value, ''), reason_code FROM quarantine WHERE source_file = ? AND source_row = ?`, path, b.Row).Scan(&reason, &raw, &code)
			if err != nil {
				t.Errorf("%s row %d (%s): not in quarantine: %v", f.Path, b.Row, b.Kind, err)
				continue
			}
			// An Excel date cell's raw value is its serial number; the
			// reason then shows it as a date.
			if raw != b.Value && !strings.Contains(reason, b.Value) {
				t.Errorf("%s row %d: raw value %q, manifest %q (%s)", f.Path, b.Row, raw, b.Value, reason)
			}
			// The manifest's kinds are the reason codes, but for a missing
			// column value, which names the column.
			wantCode := b.Kind
			if b.Kind == "missing" {
				wantCode = "missing_" + b.Column
			}
			if code != wantCode {
				t.Errorf("%s row %d: reason_code %s, manifest kind %s (%s)", f.Path, b.Row, code, b.Kind, reason)
			}
		}
	}
	for code, u := range demo.manifest.Units {
		if n := query[int](t, `SELECT count(*) FROM dossiers WHERE unit_code = ?`, code); n != u.Dossiers {
			t.Errorf("unit %s: %d dossiers, manifest %d", code, n, u.Dossiers)
		}
		for st, want := range u.Status {
			if n := query[int](t, `SELECT count(*) FROM dossiers WHERE unit_code = ? AND status = ?`, code, st); n != want {
				t.Errorf("unit %s status %s: %d, manifest %d", code, st, n, want)
			}
		}
	}
}

// No personal-data value of the samples appears anywhere in the warehouse:
// not in any column of any table (checked in SQL) and not in the bytes of
// the DuckDB file or its snapshot.
func TestNoPersonalData(t *testing.T) {
	p := demo.manifest.PII
	if len(p.CCCD) < 1000 || len(p.Names) == 0 {
		t.Fatalf("manifest lists too little personal data: %d CCCD, %d names", len(p.CCCD), len(p.Names))
	}
	files := []string{demo.cfg.Warehouse, warehouse.SnapshotPath(demo.cfg.Warehouse)}
	filepath.WalkDir(demo.cfg.Publish.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	var texts []string
	for _, l := range [][]string{p.Emails, p.Names, p.Addresses} {
		texts = append(texts, l...)
	}
	assertNoPII(t, demo.db, files, append(append([]string{}, p.CCCD...), p.Phones...), texts)
	// The demo types personal data only into personal-data columns: a
	// masked cell would be masking gone wrong (a procedure name, a field, a
	// unit or a bad row's value taken for personal data).
	if n := query[int](t, `SELECT coalesce(sum(values_masked), 0) FROM source_files`); n != 0 {
		t.Errorf("%d cells of the demo masked, want none", n)
	}
}

// assertNoPII checks that none of the planted personal-data values appears
// in any column of any table of db (in SQL), and that none of the numbers
// appears in the bytes of files (the DuckDB file, its snapshot, the
// publications). numbers are matched as whole digit runs, texts as
// substrings.
func assertNoPII(t *testing.T, db *sql.DB, files, numbers, texts []string) {
	t.Helper()
	query := func(q string) int {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	// SQL: every table, every row as text. Numbers (CCCD, phones) are
	// matched as digit runs through a hash join; the text values (names,
	// addresses, e-mails) with contains().
	tables, err := db.Query(`SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	nums := "['" + strings.Join(escapeAll(numbers), "','") + "']"
	quoted := make([]string, len(texts))
	for i, v := range texts {
		quoted[i] = regexp.QuoteMeta(v)
	}
	textRE := strings.ReplaceAll(strings.Join(quoted, "|"), "'", "''")
	for _, tb := range names {
		q := fmt.Sprintf(`WITH r AS (SELECT t::VARCHAR AS s FROM %s t),
			nums AS (SELECT unnest(%s::VARCHAR[]) AS v)
			SELECT (SELECT count(*) FROM (SELECT unnest(regexp_extract_all(s, '[0-9]+')) AS tok FROM r) JOIN nums ON tok = v)
			     + (SELECT count(*) FROM r WHERE regexp_matches(s, '%s'))`, tb, nums, textRE)
		if n := query(q); n > 0 {
			t.Errorf("table %s holds %d personal-data values", tb, n)
		}
	}
	// Bytes: distinctive numbers only (names could appear by coincidence
	// in compressed data), in the warehouse, its snapshot and publications.
	planted := map[string]bool{}
	for _, v := range numbers {
		planted[v] = true
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// One pass: every run of digits in the file against the set.
		for _, run := range digitRuns.FindAll(b, -1) {
			if planted[string(run)] {
				t.Errorf("%s contains %s", f, run)
				break
			}
		}
	}
}

var digitRuns = regexp.MustCompile(`[0-9]{9,12}`)

func escapeAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ReplaceAll(v, "'", "''")
	}
	return out
}

// The official form's identities hold in every row of dossier_stats.
func TestDossierStatsIdentities(t *testing.T) {
	if n := query[int](t, `SELECT count(*) FROM dossier_stats`); n < 100 {
		t.Fatalf("only %d dossier_stats rows", n)
	}
	bad := query[int](t, `SELECT count(*) FROM dossier_stats WHERE
		received_total <> received_online + received_direct_postal + carried_over
		OR received_total <> resolved_total + pending_total
		OR resolved_total <> resolved_early + resolved_on_time + resolved_late
		OR pending_total <> pending_in_time + pending_overdue`)
	if bad > 0 {
		t.Errorf("%d rows break the form's identities", bad)
	}
	// The unit total row sums its fields.
	off := query[int](t, `SELECT count(*) FROM (
		SELECT period, unit_code, sum(received_total) FILTER (WHERE field <> '*') AS f, max(received_total) FILTER (WHERE field = '*') AS t
		FROM dossier_stats GROUP BY ALL) WHERE f <> t`)
	if off > 0 {
		t.Errorf("%d unit totals differ from the sum of their fields", off)
	}
	// Received in a month = the manifest's receipts of that month by the
	// units standing for them at the month's end (the manifest counts the
	// receiving unit; xã Thụy An's count for xã Ba Trại from June 2026).
	want := map[[2]string]int{}
	for code, u := range demo.manifest.Units {
		for month, n := range u.ReceivedByMonth {
			standing := query[string](t, `SELECT coalesce(max(standing_unit_code), ?) FROM unit_attribution WHERE unit_code = ? AND period = ?`, code, code, month)
			want[[2]string{standing, month}] += n
		}
	}
	for k, n := range want {
		got := query[int](t, `SELECT coalesce(max(received_online + received_direct_postal), 0) FROM dossier_stats WHERE unit_code = ? AND period = ? AND field = '*'`, k[0], k[1])
		if got != n {
			t.Errorf("%s %s: received %d, manifest %d", k[0], k[1], got, n)
		}
	}
}

// Publications are byte-identical when written again from the same
// warehouse, by the run or by cchc publish.
func TestPublicationsReproducible(t *testing.T) {
	if len(demo.sum.Published) < 20 {
		t.Fatalf("the run published %d files", len(demo.sum.Published))
	}
	period := "2026-Q3"
	dir := t.TempDir()
	files, err := publishPeriod(period, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(demo.cfg.Publish.Dir, rel))
		if err != nil {
			t.Errorf("%s: not published by the run: %v", rel, err)
			continue
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the run and a republication", rel)
		}
	}
	want := []string{"dossier-stats.xlsx", "ranking-commune.csv", "ranking-commune.json", "ranking-commune.parquet", "ranking-commune.xlsx",
		"ranking-department.csv", "report.html"}
	var got []string
	for _, f := range files {
		got = append(got, filepath.Base(f))
	}
	sort.Strings(got)
	for _, w := range want {
		if !containsStr(got, w) {
			t.Errorf("%s missing from %v", w, got)
		}
	}
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// The demo is a province through the July 2025 reform (issue 10, point 4):
// districts and old communes until 30 June 2025, the new communes and wards
// from 1 July 2025, no two units with the same statistics in any period,
// and xã Kim Sơn's old register still naming the dissolved commune after
// the reform, its rows counting for phường Tùng Thiện.
func TestDemoAcrossTheReform(t *testing.T) {
	// Every month from January 2024 to October 2026 has dossiers.
	if n := query[int](t, `SELECT count(DISTINCT strftime(received_at, '%Y-%m')) FROM dossiers`); n != 34 {
		t.Errorf("dossiers received in %d months, want 34 (2024-01 to 2026-10)", n)
	}
	// Who is ranked, before and after.
	for _, c := range []struct {
		period, group string
		want          int
	}{
		{"2025-06", "district", 4}, {"2025-07", "district", 0},
		{"2025-06", "commune", 8}, {"2025-07", "commune", 10}, {"2026-10", "commune", 10},
		{"2025-02", "department", 6}, {"2025-03", "department", 4}, {"2026-10", "department", 4},
	} {
		if n := query[int](t, `SELECT count(*) FROM index_scores WHERE period = ? AND peer_group = ?`, c.period, c.group); n != c.want {
			t.Errorf("%s: %d %s units ranked, want %d", c.period, n, c.group, c.want)
		}
	}
	// No dossier of a dissolved unit, received after its valid_to, but for
	// those of xã Kim Sơn's register.
	rows, err := demo.db.Query(`SELECT d.unit_code, count(*) FROM dossiers d JOIN units u USING (unit_code)
		WHERE u.valid_to IS NOT NULL AND d.received_at >= u.valid_to GROUP BY ALL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var late []string
	for rows.Next() {
		var code string
		var n int
		rows.Scan(&code, &n)
		late = append(late, code)
	}
	rows.Close()
	if strings.Join(late, ",") != "X.KIMSON" {
		t.Errorf("units receiving after their valid_to: %v, want only X.KIMSON", late)
	}
	if s := query[string](t, `SELECT standing_unit_code FROM unit_attribution WHERE unit_code = 'X.KIMSON' AND period = '2026-Q3'`); s != "PH.TUNGTHIEN" {
		t.Errorf("X.KIMSON stands as %s in 2026-Q3, want PH.TUNGTHIEN", s)
	}
	// Restated on today's units, phường Tùng Thiện's June 2025 is its
	// predecessors' (the README's query).
	if n := query[int](t, `SELECT count(*) FROM unit_attribution WHERE period = '2026-10' AND standing_unit_code = 'PH.TUNGTHIEN'`); n != 3 {
		t.Errorf("%d units stand as PH.TUNGTHIEN in 2026-10, want 3 (itself, X.CODONG, X.KIMSON)", n)
	}
	if n := query[int](t, `SELECT coalesce(sum(received_total), 0) FROM dossier_stats WHERE period = '2025-06' AND field = '*' AND unit_code IN ('X.CODONG', 'X.KIMSON')`); n == 0 {
		t.Error("xã Cổ Đông and xã Kim Sơn received nothing in June 2025")
	}
	// No two units with the same statistics in a period.
	if n := query[int](t, `WITH sig AS (
			SELECT period, unit_code, string_agg(concat_ws('|', field, received_total, received_online, carried_over,
				resolved_early, resolved_on_time, resolved_late, pending_in_time, pending_overdue), ';' ORDER BY field) AS s
			FROM dossier_stats GROUP BY ALL)
		SELECT count(*) FROM (SELECT period, s FROM sig GROUP BY ALL HAVING count(*) > 1)`); n != 0 {
		t.Errorf("%d periods have two units with identical dossier_stats rows", n)
	}
}
