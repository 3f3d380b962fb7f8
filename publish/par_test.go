package publish

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/cchc/cchc/internal/parfixture"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/warehouse"
)

// parWarehouse is the hand-built province of model/testdata/par-province,
// modelled under its version-1 methodology at 30/11/2026 (2025 final, 2026
// provisional). Expected figures are computed in model/par_test.go.
func parWarehouse(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "p.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := parfixture.Province(ctx, w.DB(), "../model/testdata/par-province"); err != nil {
		t.Fatal(err)
	}
	m, err := model.LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	pm, err := model.LoadPARMethodology("../model/testdata/par-province/methodology-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	asOf := model.AsOf{Now: time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC), Grace: 15 * 24 * time.Hour}
	if err := model.BuildWith(ctx, w.DB(), "calendar", m, pm, asOf); err != nil {
		t.Fatal(err)
	}
	return w
}

// 2025 has no dossiers: only the PAR publications, one set per peer group,
// in the official layout; re-publishing gives the same bytes.
func TestPARPublications(t *testing.T) {
	w := parWarehouse(t)
	dir := t.TempDir()
	paths, err := Period(context.Background(), w.DB(), "2025", Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	want := "par-commune.csv par-commune.json par-commune.parquet par-commune.xlsx par-department.csv par-department.json par-department.parquet par-department.xlsx report.html"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("files %s\nwant %s", got, want)
	}
	csv := string(readFile(t, filepath.Join(dir, "2025", "par-department.csv")))
	// Hand-computed in model/par_test.go: S.A and S.B tie at 90, S.C
	// 69/85 = 81,18 %, S.E 44; S.D incomplete, listed last. S.D's field
	// II is II.1 (quarantined: unknown) + II.2 12: unknown, an empty cell
	// (not the 12 of the known leaf); its I (8 + 6 + 6 = 20) and survey
	// (40) are known.
	wantCSV := "\uFEFF" + `TT,Tên đơn vị,Điểm đánh giá,Vị thứ,Xếp loại,I. Công tác chỉ đạo điều hành cải cách hành chính (20),II. Cải cách thủ tục hành chính (30),III. Điều tra xã hội học (50),Thay đổi so với kỳ trước,Ghi chú,Mã đơn vị` + "\r\n" +
		`1,Sở A,"90,00",1,Xuất sắc,"19,00","26,00","45,00",,,S.A` + "\r\n" +
		`2,Sở B,"90,00",1,Xuất sắc,"19,00","25,00","45,00",,,S.B` + "\r\n" +
		`3,Sở C,"81,18",3,Tốt,"17,00","12,00","40,00",,,S.C` + "\r\n" +
		`4,Sở E,"44,00",4,Yếu,"7,00","10,00","30,00",,,S.E` + "\r\n" +
		`5,Sở D,,,,"20,00",,"40,00",,"Chưa đủ dữ liệu (không xếp hạng): phiếu có 1 dòng bị cách ly, chờ file sửa; thiếu điểm tiêu chí II.1",S.D` + "\r\n"
	if csv != wantCSV {
		t.Errorf("par-department.csv:\n%s\nwant:\n%s", csv, wantCSV)
	}

	f, err := excelize.OpenFile(filepath.Join(dir, "2025", "par-department.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	title, _ := f.GetCellValue(sheet, "A1")
	if title != "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 — CẤP SỞ" {
		t.Errorf("title %q", title)
	}
	if sub, _ := f.GetCellValue(sheet, "A2"); !strings.HasPrefix(sub, "Phương pháp: Chỉ số cải cách hành chính (par_test, phiên bản 2025.1); 4 đơn vị được xếp hạng; điểm bình quân 76,29") {
		t.Errorf("subtitle %q", sub)
	}
	if h, _ := f.GetCellValue(sheet, "C3"); h != "Điểm đánh giá" {
		t.Errorf("header C3 %q", h)
	}
	lay, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if lay.Size == nil || *lay.Size != 9 || lay.Orientation == nil || *lay.Orientation != "landscape" ||
		lay.FitToWidth == nil || *lay.FitToWidth != 1 || lay.FitToHeight == nil || *lay.FitToHeight != 0 {
		t.Errorf("page layout %+v: want A4 landscape, one page wide", lay)
	}
	titles := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && strings.HasSuffix(dn.RefersTo, "!$1:$3") {
			titles = true
		}
	}
	if !titles {
		t.Errorf("no repeated header rows: %+v", f.GetDefinedName())
	}
	hf, err := f.GetHeaderFooter(sheet)
	if err != nil || !strings.Contains(hf.OddFooter, "par_test 2025.1") || !strings.Contains(hf.OddFooter, "SHA-256 đầu vào: ") {
		t.Errorf("footer %+v (%v)", hf, err)
	}

	js := string(readFile(t, filepath.Join(dir, "2025", "par-department.json")))
	for _, s := range []string{`"period_name": "Năm 2025"`, `"methodology_name": "Chỉ số cải cách hành chính"`, `"methodology_version": "2025.1"`, `"provisional": false`, `"score": 81.18`} {
		if !strings.Contains(js, s) {
			t.Errorf("par-department.json lacks %s", s)
		}
	}
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM read_parquet(?) WHERE status = 'ranked'`, filepath.Join(dir, "2025", "par-department.parquet")).Scan(&n); err != nil || n != 4 {
		t.Errorf("parquet ranked rows %d (%v)", n, err)
	}

	before := hashes(t, paths)
	again, err := Period(context.Background(), w.DB(), "2025", Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	after := hashes(t, again)
	for p, h := range before {
		if after[p] != h {
			t.Errorf("%s changed on re-publish", filepath.Base(p))
		}
	}
}

// 2026 has dossiers too: the service-index publications and the PAR ones
// side by side; the period is provisional and the PAR titles say so; the
// movement column gives places and points, 3 decimals when asked.
func TestPARPublicationsBesideRankings(t *testing.T) {
	w := parWarehouse(t)
	ctx := context.Background()
	if _, err := w.DB().Exec(`INSERT INTO periods VALUES ('2026', 'year', 'calendar', TIMESTAMP '2026-01-01', TIMESTAMP '2027-01-01', '2025', true)`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	three := 3
	if _, err := Period(ctx, w.DB(), "2026", Options{Dir: dir, Formats: []string{"csv", "json"}, PARDecimals: &three}); err != nil {
		t.Fatal(err)
	}
	csv := string(readFile(t, filepath.Join(dir, "2026", "par-department.csv")))
	lines := strings.Split(csv, "\r\n")
	if !strings.HasPrefix(lines[0], "\uFEFFSố liệu tạm tính: Năm 2026") {
		t.Errorf("first line %q", lines[0])
	}
	// S.C: 81 − 81,176… = −0,176 (3 decimals), rank 3 → 3.
	if !strings.Contains(csv, `4,Sở A,"80,000",4,Tốt`) || !strings.Contains(csv, `"giữ nguyên; -0,176 điểm"`) || !strings.Contains(csv, `"giảm 3 bậc; -10,000 điểm"`) {
		t.Errorf("par-department.csv 2026:\n%s", csv)
	}
	if _, err := os.Stat(filepath.Join(dir, "2026", "par-commune.csv")); !os.IsNotExist(err) {
		t.Errorf("no commune has a 2026 sheet: no par-commune.csv (%v)", err)
	}
}

func TestPeriodVI(t *testing.T) {
	for in, want := range map[string]string{
		"2021": "Năm 2021", "2026-Q3": "Quý III/2026", "2026-H1": "6 tháng đầu năm 2026",
		"2026-H2": "6 tháng cuối năm 2026", "2026-10": "Tháng 10/2026", "2026-03": "Tháng 3/2026", "x": "x",
	} {
		if got := PeriodVI(in); got != want {
			t.Errorf("PeriodVI(%s) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		x    float64
		n    int
		want string
	}{{97.6845, 3, "97,685"}, {1.005, 2, "1,01"}, {-0.0004, 3, "0,000"}, {1234.5, 0, "1.235"}, {0.5, 0, "1"}, {99.999, 2, "100,00"}} {
		if got := FormatFixed(c.x, c.n); got != c.want {
			t.Errorf("FormatFixed(%v, %d) = %q, want %q", c.x, c.n, got, c.want)
		}
	}
}

// checkPrintA4 asserts the print setup of every sheet of an XLSX: A4
// landscape, fitted one page wide (any number tall), rows 1..rows repeated
// on every page, a footer with the page number.
func checkPrintA4(t *testing.T, path string, rows int) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	titles := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && strings.HasSuffix(dn.RefersTo, "!$1:$"+strconv.Itoa(rows)) {
			titles[dn.Scope] = true
		}
	}
	for _, sheet := range f.GetSheetList() {
		lay, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if lay.Size == nil || *lay.Size != 9 || lay.Orientation == nil || *lay.Orientation != "landscape" ||
			lay.FitToWidth == nil || *lay.FitToWidth != 1 || lay.FitToHeight == nil || *lay.FitToHeight != 0 {
			t.Errorf("%s %s: page layout %+v, want A4 landscape one page wide", filepath.Base(path), sheet, lay)
		}
		props, err := f.GetSheetProps(sheet)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s %s: fit to page not set (%v)", filepath.Base(path), sheet, err)
		}
		if !titles[sheet] {
			t.Errorf("%s %s: rows 1-%d not repeated on every page: %+v", filepath.Base(path), sheet, rows, f.GetDefinedName())
		}
		hf, err := f.GetHeaderFooter(sheet)
		if err != nil || !strings.Contains(hf.OddFooter, "Trang &P/&N") {
			t.Errorf("%s %s: footer %+v (%v)", filepath.Base(path), sheet, hf, err)
		}
	}
}

// The existing workbooks print as the PAR one does: the ranking with its
// title and header rows, form II.06a with its title and two header rows on every page.
func TestPrintSetup(t *testing.T) {
	db := newFixture(t)
	dir := t.TempDir()
	publishTo(t, db, dir)
	checkPrintA4(t, filepath.Join(dir, testPeriod, "ranking-district.xlsx"), rankingTitleRows+1)
	checkPrintA4(t, filepath.Join(dir, testPeriod, "dossier-stats.xlsx"), statsFirstData-1)
	w := parWarehouse(t)
	if _, err := Period(context.Background(), w.DB(), "2025", Options{Dir: dir, Formats: []string{"xlsx"}}); err != nil {
		t.Fatal(err)
	}
	checkPrintA4(t, filepath.Join(dir, "2025", "par-commune.xlsx"), parTitleRows)
}

// PAR publications list the period's mergers like the rankings do, and a
// merged unit's movement is restated. Communes X.A and X.B merge into the
// new X.AB on 2026-01-01 (no dossiers, PAR inputs only). By hand (one
// criterion I.1 of max 100, score = points): 2025 X.A 80, X.B 90, X.C 70;
// restated on 2026's units X.AB = mean(80, 90) = 85 (rank 1), X.C 70
// (rank 2). 2026: X.C 90 rank 1, X.AB 88 rank 2, so X.AB falls 1 place,
// +3 points; X.C rises 1, +20. X.AB's remark names its predecessors.
func TestPARPublicationsListMergers(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if err := parfixture.MergedCommunes(ctx, db); err != nil {
		t.Fatal(err)
	}
	m, err := model.LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	asOf := model.AsOf{Now: time.Date(2027, 3, 1, 1, 30, 0, 0, time.UTC), Grace: 15 * 24 * time.Hour}
	if err := model.BuildWith(ctx, db, "calendar", m, nil, asOf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := Period(ctx, db, "2026", Options{Dir: dir, Formats: []string{"csv", "json", "html"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if got := strings.Join(names, " "); got != "par-commune.csv par-commune.json report.html" {
		t.Errorf("files %s, want the PAR ones and the report only", got)
	}
	const merged = "Xã AB được hợp nhất từ Xã A, Xã B từ 01/01/2026"
	csv := string(readFile(t, filepath.Join(dir, "2026", "par-commune.csv")))
	for _, want := range []string{
		`1,Xã C,"90,00",1,Xuất sắc,"90,00","tăng 1 bậc; +20,00 điểm",,X.C`,
		`2,Xã AB,"88,00",2,Tốt,"88,00","giảm 1 bậc; +3,00 điểm","` + merged + `",X.AB`,
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("par-commune.csv lacks\n%s\ngot:\n%s", want, csv)
		}
	}
	js := string(readFile(t, filepath.Join(dir, "2026", "par-commune.json")))
	if !strings.Contains(js, `"mergers": [
    "`+merged+`"
  ]`) {
		t.Errorf("par-commune.json does not list the merger:\n%s", js)
	}
	if html := string(readFile(t, filepath.Join(dir, "2026", "report.html"))); !strings.Contains(html, merged) {
		t.Error("report.html does not list the merger")
	}
	// 2025 had no merger: no remark, no list.
	if _, err := Period(ctx, db, "2025", Options{Dir: dir, Formats: []string{"json"}}); err != nil {
		t.Fatal(err)
	}
	if js := string(readFile(t, filepath.Join(dir, "2025", "par-commune.json"))); strings.Contains(js, "mergers") || strings.Contains(js, "hợp nhất") {
		t.Errorf("2025 lists a merger:\n%s", js)
	}
}

// A page footer longer than Excel's 255 UTF-16 units is refused by
// excelize, which would fail the period's publication: a methodology with
// a long title, on a provisional period (whose footer says so too), gets
// its title cut short with "…" instead. The footer's fixed parts stay.
func TestFooterFitsExcel(t *testing.T) {
	long := strings.Repeat("Chỉ số cải cách hành chính ", 7) // 189 characters
	for _, provisional := range []bool{false, true} {
		f := excelize.NewFile()
		if err := setPrintA4(f, "Sheet1", 1, provisional, "Phương pháp "+long, "SHA-256 đầu vào: "+strings.Repeat("a", 64)); err != nil {
			t.Fatalf("provisional %v: %v", provisional, err)
		}
		hf, err := f.GetHeaderFooter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range hf.OddFooter {
			n += utf16.RuneLen(r)
		}
		if n > 255 || !strings.Contains(hf.OddFooter, "…") || !strings.Contains(hf.OddFooter, "Trang &P/&N") ||
			!strings.Contains(hf.OddFooter, "&L&8Phương pháp Chỉ số") || !strings.HasSuffix(hf.OddFooter, strings.Repeat("a", 64)) {
			t.Errorf("provisional %v: footer of %d units: %q", provisional, n, hf.OddFooter)
		}
		if provisional && !strings.Contains(hf.OddFooter, "Số liệu tạm tính") {
			t.Errorf("the provisional footer lost its mark: %q", hf.OddFooter)
		}
	}
}

// A footer text starting with a digit ("6 tháng đầu năm 2025", a half
// year's name) is kept apart from the font size code before it: "&86 …"
// would be read as 86-point text without its "6".
func TestFooterDigitAfterFontSize(t *testing.T) {
	f := excelize.NewFile()
	if err := setPrintA4(f, "Sheet1", 1, false, "Phương pháp", PeriodVI("2025-H1")); err != nil {
		t.Fatal(err)
	}
	hf, err := f.GetHeaderFooter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if want := "&R&8 " + PeriodVI("2025-H1"); !strings.HasSuffix(hf.OddFooter, want) || PeriodVI("2025-H1")[0] != '6' {
		t.Errorf("footer %q, want it to end %q", hf.OddFooter, want)
	}
}
