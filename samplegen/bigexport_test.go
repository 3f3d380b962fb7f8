package samplegen

import (
	zipfile "archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The benchmark shape: 600 synthetic communes registered in BigUnitsCSV,
// canonical headers without the personal-data columns, unit codes that
// all resolve to the registry, half the dossiers at communes, and a
// SeqBase that makes the codes of a second file disjoint from the first.
func TestBigExportBenchShape(t *testing.T) {
	t.Parallel()
	const rows, communes = 20_000, 600
	reg, err := csv.NewReader(bytes.NewReader(BigUnitsCSV(communes))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	level := map[string]string{}
	n := 0
	for _, r := range reg[1:] {
		level[r[0]] = r[2]
		if r[2] == "commune" {
			n++
		}
	}
	// 600 communes + 5 departments + 4 districts; Thụy An (merged) is not
	// carried over.
	if n != communes || len(level) != communes+9 {
		t.Fatalf("registry: %d communes, %d units; want %d and %d", n, len(level), communes, communes+9)
	}

	read := func(o BigOptions) [][]string {
		var b bytes.Buffer
		if got, err := BigExport(&b, o); err != nil || got != o.Rows {
			t.Fatalf("BigExport: %d rows, %v", got, err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	a := read(BigOptions{Rows: rows, Seed: 1, Communes: communes, CanonicalHeaders: true})
	want := "dossier_code,unit_code,procedure_code,procedure_name,field,channel,received_at,due_at,finished_at,returned_at," +
		"status,supplement_requests,supplement_days,fee_required,paid_online,digitized_dossier,digitized_result," +
		"reused_data,synced_national,rating"
	if got := strings.Join(a[0], ","); got != want {
		t.Fatalf("header %s\nwant   %s", got, want)
	}
	seen, atCommune, unknown := map[string]bool{}, 0, 0
	codes := map[string]bool{}
	for _, r := range a[1:] {
		codes[r[0]] = true
		switch lv, ok := level[r[1]]; {
		case !ok:
			unknown++ // the planted unknown_unit rows
		case lv == "commune":
			atCommune++
			seen[r[1]] = true
		}
	}
	// Planted defects: 3 per 100,000 rows cycle through 6 kinds, so 20,000
	// rows hold none of the unknown unit kind (row 16,666 is "missing").
	if unknown != 0 {
		t.Errorf("%d rows with an unknown unit", unknown)
	}
	// Half the weight is at communes: 10,000 expected, ±5% is generous.
	if atCommune < rows*45/100 || atCommune > rows*55/100 {
		t.Errorf("%d of %d rows at communes, want about half", atCommune, rows)
	}
	// 10,000 dossiers over 600 communes: about 17 each, so nearly all appear.
	if len(seen) < communes*95/100 {
		t.Errorf("%d communes receive dossiers, want nearly %d", len(seen), communes)
	}

	b := read(BigOptions{Rows: 2_000, Seed: 2, Communes: communes, CanonicalHeaders: true, SeqBase: 100_000})
	for _, r := range b[1:] {
		if r[0] != "" && codes[r[0]] {
			t.Fatalf("code %s of the SeqBase file is also in the first", r[0])
		}
	}
}

// BigXLSX and BigXLSXShared hold the same rows as BigExport, header
// included; BigXLSX's strings are inline, BigXLSXShared's in the
// shared-strings table.
func TestBigXLSXMatchesCSV(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		write func(io.Writer, BigOptions) (int, error)
		// cell is how the sheet's second cell of row 1 is written.
		cell string
	}{
		{"inline", BigXLSX, `<c r="B1" t="inlineStr"><is><t>`},
		{"shared", BigXLSXShared, `<c r="B1" t="s"><v>1</v></c>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bigXLSXMatchesCSV(t, tc.write, tc.cell)
		})
	}
}

func bigXLSXMatchesCSV(t *testing.T, write func(io.Writer, BigOptions) (int, error), cell string) {
	o := BigOptions{Rows: 500, Seed: 4, Communes: 30, CanonicalHeaders: true}
	var c, x bytes.Buffer
	if _, err := BigExport(&c, o); err != nil {
		t.Fatal(err)
	}
	if n, err := write(&x, o); err != nil || n != o.Rows {
		t.Fatalf("%d rows, %v", n, err)
	}
	zr, err := zipfile.NewReader(bytes.NewReader(x.Bytes()), int64(x.Len()))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := fs.ReadFile(zr, "xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sheet, []byte(cell)) {
		t.Fatalf("the sheet has no %s", cell)
	}
	want, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows in the sheet, %d in the CSV", len(got), len(want))
	}
	for i := range want {
		// GetRows drops trailing empty cells.
		w := strings.TrimRight(strings.Join(want[i], "\x1f"), "\x1f")
		if g := strings.Join(got[i], "\x1f"); g != w {
			t.Fatalf("row %d: sheet %q, CSV %q", i, got[i], want[i])
		}
	}
}

// Days draws every receipt from the span's last working days: the last
// five of 2026-01-01 … 2026-10-31 are Monday 26 to Friday 30 October
// (the 31st is a Saturday).
func TestBigExportDays(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	o := BigOptions{Rows: 3_000, Seed: 2, Communes: 60, CanonicalHeaders: true, SeqBase: 100_000, Days: 5}
	if _, err := BigExport(&b, o); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "received_at" {
			col = i
		}
	}
	days := map[string]int{}
	for _, r := range recs[1:] {
		v := r[col]
		if len(v) < 10 || v[2] != '/' || v[5] != '/' {
			continue // a planted bad date
		}
		days[v[:10]]++
	}
	for d := range days {
		if !strings.HasSuffix(d, "/10/2026") || d[:2] < "26" || d[:2] > "30" {
			t.Errorf("received on %s, want 26/10/2026 to 30/10/2026 (%v)", d, days)
		}
	}
	if len(days) != 5 {
		t.Errorf("received on %d days, want 5: %v", len(days), days)
	}
}
