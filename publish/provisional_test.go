package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A provisional period says "Số liệu tạm tính" in the title of every
// publication: the CSV's first line (above the header), the XLSX title
// row, sheet tab and document title, the JSON title and flag, the Parquet column and the
// HTML heading and banner. A unit listed without a score says "Không có
// dữ liệu", and a source with no new file for longer than freshness is
// listed as stale.
func TestProvisionalPublications(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE periods SET provisional = true WHERE period = '2026-Q3'`,
		`UPDATE index_scores SET provisional = true WHERE period = '2026-Q3'`,
		// H.NEW exists but had no dossier in scope: listed, unranked.
		`INSERT INTO units (unit_code, name, level) VALUES ('H.NEW', 'Huyện Mới', 'district')`,
		`INSERT INTO index_scores (methodology, methodology_version, period, unit_code, peer_group, group_scores, peer_count, provisional)
		 VALUES ('default', '1.0', '2026-Q3', 'H.NEW', 'district', '{"CKMB":null,"TDGQ":null,"CLGQ":null,"TTTT":null,"MDHL":null,"MDSH":null}', 3, true)`,
		// The last modelled run started 2026-10-02 01:30; freshness 72h:
		// a source whose last new file came 2026-09-20 is stale, one from
		// 2026-10-01 is not.
		`INSERT INTO source_status (source, last_attempt_at, last_run_id, last_new_file_at) VALUES
		 ('ba-vi', TIMESTAMP '2026-10-02 01:30:00', 7, TIMESTAMP '2026-09-20 01:30:00'),
		 ('son-tay', TIMESTAMP '2026-10-02 01:30:00', 7, TIMESTAMP '2026-10-01 01:30:00')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	dir := t.TempDir()
	if _, err := Period(ctx, db, testPeriod, Options{Dir: dir, Freshness: 72 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, testPeriod)

	csv := string(readFile(t, filepath.Join(out, "ranking-district.csv")))
	lines := strings.Split(strings.TrimPrefix(csv, "\uFEFF"), "\r\n")
	if !strings.HasPrefix(lines[0], `"Số liệu tạm tính: Quý III/2026 chưa kết thúc`) || !strings.HasPrefix(lines[1], "Hạng,Mã đơn vị,") {
		t.Errorf("CSV does not start with the provisional line, then the header:\n%s\n%s", lines[0], lines[1])
	}
	// H.NEW: no rank, no scores, listed last with its remark.
	if want := `,H.NEW,Huyện Mới,,,,,,,,,,,,Không có dữ liệu (không xếp hạng)`; !strings.Contains(csv, want) {
		t.Errorf("no-data unit not listed as %q:\n%s", want, csv)
	}

	f, err := excelize.OpenFile(filepath.Join(out, "ranking-district.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Cấp huyện (Số liệu tạm tính)" {
		t.Errorf("sheets = %q", got)
	}
	props, _ := f.GetDocProps()
	if !strings.HasPrefix(props.Title, "Số liệu tạm tính — Xếp hạng cấp huyện") {
		t.Errorf("xlsx title = %q", props.Title)
	}
	if h, _ := f.GetCellValue(f.GetSheetList()[0], "A1"); h != "SỐ LIỆU TẠM TÍNH — XẾP HẠNG CẤP HUYỆN, QUÝ III/2026" {
		t.Errorf("xlsx title row A1 = %q", h)
	}
	if h, _ := f.GetCellValue(f.GetSheetList()[0], "A2"); h != "Hạng" {
		t.Errorf("xlsx header not in row 2: A2 = %q", h)
	}

	var doc struct {
		Title        string
		Provisional  bool
		StaleSources []string `json:"stale_sources"`
		Units        []struct {
			UnitCode string `json:"unit_code"`
			Rank     *int
			Note     string
		}
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(out, "ranking-district.json")), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Provisional || !strings.HasPrefix(doc.Title, "Số liệu tạm tính — ") {
		t.Errorf("json title %q provisional %v", doc.Title, doc.Provisional)
	}
	if len(doc.StaleSources) != 1 || doc.StaleSources[0] != "nguồn ba-vi: không có file mới từ ngày 20/09/2026" {
		t.Errorf("stale sources = %q", doc.StaleSources)
	}
	last := doc.Units[len(doc.Units)-1]
	if last.UnitCode != "H.NEW" || last.Rank != nil || last.Note != "Không có dữ liệu (không xếp hạng)" {
		t.Errorf("last unit = %+v", last)
	}

	html := readFile(t, filepath.Join(out, "report.html"))
	for _, want := range []string{"<h1>Số liệu tạm tính — ", `<p class="note provisional"><strong>Số liệu tạm tính: Quý III/2026`,
		"nguồn ba-vi: không có file mới từ ngày 20/09/2026", "Không có dữ liệu trong kỳ (không xếp hạng)", "Huyện Mới (H.NEW)"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	var prov bool
	if err := db.QueryRow(`SELECT bool_and(provisional) FROM read_parquet(?)`, filepath.Join(out, "ranking-district.parquet")).Scan(&prov); err != nil || !prov {
		t.Errorf("parquet provisional = %v (%v)", prov, err)
	}
}

// The official form of a provisional period says so in its title row and
// document title.
func TestProvisionalStatsForm(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `UPDATE periods SET provisional = true WHERE period = '2026-Q3'`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"xlsx"}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, testPeriod, "dossier-stats.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(f.GetSheetList()[0], "A2"); !strings.HasPrefix(v, "SỐ LIỆU TẠM TÍNH — TÌNH HÌNH") {
		t.Errorf("title row = %q", v)
	}
	if props, _ := f.GetDocProps(); !strings.HasPrefix(props.Title, "Số liệu tạm tính — ") {
		t.Errorf("doc title = %q", props.Title)
	}
}

// A provisional period's workbooks say "Số liệu tạm tính" on every printed
// page, not only in the sheet tab and properties that do not print: the
// page header and footer of every sheet of the ranking, form II.06a and the
// CCHC index, and on screen the ranking's title row (A1, merged across the
// 15 columns A:O), frozen and repeated on paper with the header below it.
func TestProvisionalPrintedMark(t *testing.T) {
	checkMark := func(t *testing.T, path string) {
		t.Helper()
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, sheet := range f.GetSheetList() {
			hf, err := f.GetHeaderFooter(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if hf.OddHeader != "&C&B&12SỐ LIỆU TẠM TÍNH — chưa chính thức, có thể thay đổi" {
				t.Errorf("%s %s: page header %q", filepath.Base(path), sheet, hf.OddHeader)
			}
			if !strings.Contains(hf.OddFooter, "&BSố liệu tạm tính&B — Trang &P/&N") {
				t.Errorf("%s %s: page footer %q", filepath.Base(path), sheet, hf.OddFooter)
			}
		}
	}

	db := newFixture(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `UPDATE periods SET provisional = true WHERE period = '2026-Q3'`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"xlsx"}}); err != nil {
		t.Fatal(err)
	}
	rk := filepath.Join(dir, testPeriod, "ranking-district.xlsx")
	checkMark(t, rk)
	checkMark(t, filepath.Join(dir, testPeriod, "dossier-stats.xlsx"))
	checkPrintA4(t, rk, 2)
	f, err := excelize.OpenFile(rk)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	merged, err := f.GetMergeCells(sheet)
	if err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "O1" ||
		merged[0].GetCellValue() != "SỐ LIỆU TẠM TÍNH — XẾP HẠNG CẤP HUYỆN, QUÝ III/2026" {
		t.Errorf("title row merges %v (%v)", merged, err)
	}
	if panes, err := f.GetPanes(sheet); err != nil || panes.YSplit != 2 {
		t.Errorf("panes %+v (%v): want title and header frozen", panes, err)
	}

	// The CCHC index of 2025, made provisional.
	w := parWarehouse(t)
	if _, err := w.DB().ExecContext(ctx, `UPDATE par_scores SET provisional = true WHERE period = '2025'`); err != nil {
		t.Fatal(err)
	}
	if _, err := Period(ctx, w.DB(), "2025", Options{Dir: dir, Formats: []string{"xlsx"}}); err != nil {
		t.Fatal(err)
	}
	par := filepath.Join(dir, "2025", "par-commune.xlsx")
	checkMark(t, par)
	pf, err := excelize.OpenFile(par)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if v, _ := pf.GetCellValue(pf.GetSheetList()[0], "A1"); !strings.HasPrefix(v, "SỐ LIỆU TẠM TÍNH — KẾT QUẢ") {
		t.Errorf("par title row %q", v)
	}
}

// report.html depends on the warehouse's data only, not on when it was
// loaded: a later run that modelled the same data (run 10, started
// 2026-12-01 07:12, after run 7 of the fixture) leaves it byte-identical.
// 2026-Q3 ends 2026-10-01 00:00, before both runs, so the stale marks are
// taken as of the period's end either way. The as-of a reader needs stays:
// the newest data_until of the fixture's 2026-Q3 rows is S.TC's
// 2026-09-30 09:00 (pilot ranking), "Số liệu hồ sơ đến ngày 30/09/2026".
func TestReportIndependentOfRunTime(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	opts := Options{Formats: []string{"html"}, Freshness: 30 * 24 * time.Hour}
	opts.Dir = t.TempDir()
	if _, err := Period(ctx, db, testPeriod, opts); err != nil {
		t.Fatal(err)
	}
	first := readFile(t, filepath.Join(opts.Dir, testPeriod, "report.html"))
	if _, err := db.ExecContext(ctx, `INSERT INTO runs (run_id, started_at, finished_at, status, trigger, committed_at, modelled) VALUES
		(10, TIMESTAMP '2026-12-01 07:12:00', TIMESTAMP '2026-12-01 07:15:00', 'succeeded', 'manual', TIMESTAMP '2026-12-01 07:14:00', true)`); err != nil {
		t.Fatal(err)
	}
	opts.Dir = t.TempDir()
	if _, err := Period(ctx, db, testPeriod, opts); err != nil {
		t.Fatal(err)
	}
	second := readFile(t, filepath.Join(opts.Dir, testPeriod, "report.html"))
	if !bytes.Equal(first, second) {
		t.Error("report.html changed with the time of the run that loaded the same data")
	}
	for _, s := range []string{"bắt đầu lúc", "lần chạy", "07:12", "02/10/2026"} {
		if bytes.Contains(second, []byte(s)) {
			t.Errorf("report.html prints the run: %q", s)
		}
	}
	if want := `<p class="meta">Số liệu hồ sơ đến ngày 30/09/2026.</p>`; !bytes.Contains(second, []byte(want)) {
		t.Errorf("report.html lacks %q", want)
	}
}
