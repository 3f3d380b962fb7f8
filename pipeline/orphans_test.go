package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cchc/cchc/publish"
)

// A district dissolved on 01/07/2025 without a successor keeps the
// dossiers still open on that day (docs/contract.md, "Unit history"): the
// run warns about them (which unit, how many, since when, what to do) and
// form II.06a labels the unit in the periods after its dissolution. A
// successor_code in the registry ends both.
func TestDissolvedUnitWithoutSuccessor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg := "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
		"H.CU,UBND huyện Cũ,district,,,2025-07-01,,Huyện Cũ\n" +
		"H.CON,UBND huyện Còn,district,,,,,Huyện Còn\n" +
		"X.MOI,UBND xã Mới,commune,,2025-07-01,,,Xã Mới\n"
	// Each dossier, and whether it is counted for H.CU after 01/07/2025
	// (not finished before it, or received from it on) and still open.
	rows := []struct {
		line          string
		counted, open bool
	}{
		// Finished 15/05/2025, before the dissolution: not carried over.
		{"H41.01-250510-0001,H.CU,Cấp giấy phép xây dựng,Xây dựng,Trực tiếp,10/05/2025 08:00,20/05/2025 17:00,15/05/2025 09:00,Đã trả kết quả", false, false},
		// Open since 01/06/2025, due 10/06/2025: counted, open, overdue.
		{"H41.01-250601-0002,H.CU,Cấp giấy phép xây dựng,Xây dựng,Trực tiếp,01/06/2025 08:00,10/06/2025 17:00,,Đang xử lý", true, true},
		// Finished 05/08/2025, after the dissolution: counted in 2025-Q3.
		{"H41.01-250615-0003,H.CU,Đăng ký khai sinh,Hộ tịch,Trực tiếp,15/06/2025 08:00,30/06/2025 17:00,05/08/2025 09:00,Đã trả kết quả", true, false},
		// Received 10/07/2025 by the dissolved unit (an old export), due
		// 20/07/2025, open: counted, open, overdue.
		{"H41.01-250710-0004,H.CU,Đăng ký khai sinh,Hộ tịch,Trực tiếp,10/07/2025 08:00,20/07/2025 17:00,,Đang xử lý", true, true},
		// A living district's open dossier: never the orphan's.
		{"H41.01-250620-0005,H.CON,Đăng ký khai sinh,Hộ tịch,Trực tiếp,20/06/2025 08:00,30/06/2025 17:00,,Đang xử lý", false, false},
	}
	var wantDossiers, wantOpen int64
	csv := "\ufeffMã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n"
	for _, r := range rows {
		csv += r.line + "\n"
		if r.counted {
			wantDossiers++
		}
		if r.open {
			wantOpen++
		}
	}
	// By hand: dossiers 2, 3, 4 counted (3), 2 and 4 open (2), both past
	// their due dates at the end of every period after July 2025 (2).
	if wantDossiers != 3 || wantOpen != 2 {
		t.Fatalf("table: %d counted, %d open", wantDossiers, wantOpen)
	}
	files := map[string]string{
		"units.csv":        reg,
		"exports/x/hs.csv": csv,
		"cchc.yaml":        "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n  - name: x\n    path: ./exports/x/*.csv\npublish:\n  dir: ./out\n  formats: [xlsx]\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, r, w := openProject(t, dir)
	sum, err := Run(ctx, cfg, w, r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Orphans) != 1 {
		t.Fatalf("orphans = %+v, want H.CU alone", sum.Orphans)
	}
	o := sum.Orphans[0]
	if o.Unit != "H.CU" || o.ValidTo != "01/07/2025" || o.Dossiers != wantDossiers || o.Open != wantOpen ||
		o.Pending != 2 || o.Overdue != 2 || o.Period == "" || strings.Join(o.Sources, ",") != "x" {
		t.Errorf("orphan = %+v, want H.CU since 01/07/2025: 3 dossiers, 2 open, 2 pending and 2 overdue in a period, source x", o)
	}
	var warned string
	for _, m := range sum.Warnings {
		if strings.Contains(m, "H.CU") {
			warned = m
		}
	}
	for _, want := range []string{"đơn vị H.CU (UBND huyện Cũ) đã giải thể từ ngày 01/07/2025", "chưa có đơn vị kế thừa", "3 hồ sơ",
		"2 hồ sơ đang giải quyết, 2 quá hạn", "successor_code của H.CU trong units.csv", "nguồn x"} {
		if !strings.Contains(warned, want) {
			t.Errorf("run warning %q does not say %q", warned, want)
		}
	}

	// Form II.06a: H.CU is labelled in the periods ending after its
	// dissolution (2025-Q3 holds dossiers 2, 3 carried over and 4
	// received: 3), not before it (2025-Q2); H.CON never.
	cases := []struct {
		period, unit string
		labelled     bool
	}{
		{"2025-Q2", "UBND huyện Cũ", false},
		{"2025-Q3", "UBND huyện Cũ", true},
		{"2025", "UBND huyện Cũ", true},
		{"2025-Q3", "UBND huyện Còn", false},
	}
	for _, c := range cases {
		names := statsNames(t, filepath.Join(dir, "out", c.period, "dossier-stats.xlsx"))
		want := c.unit
		if c.labelled {
			want += publish.DissolvedOrphanLabel
		}
		if !names[want] {
			t.Errorf("%s: form II.06a has no row %q (rows: %v)", c.period, want, names)
		}
		note := false
		for n := range names {
			note = note || strings.HasPrefix(n, "Ghi chú: \"đã giải thể, chưa có đơn vị kế thừa\"")
		}
		if c.labelled && !note {
			t.Errorf("%s: form II.06a has no note on the dissolved unit", c.period)
		}
		if c.period == "2025-Q2" && note {
			t.Errorf("%s: a note on a dissolved unit, before the dissolution", c.period)
		}
	}
	if n := scalar[int](t, w, `SELECT received_total FROM dossier_stats WHERE unit_code = 'H.CU' AND period = '2025-Q3' AND field = '*'`); n != 3 {
		t.Errorf("H.CU received %d in 2025-Q3, want 3 (dossier_stats unchanged by the label)", n)
	}

	// The registry gives H.CU a successor: no warning, no H.CU row after
	// the dissolution.
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(strings.Replace(reg, "2025-07-01,,Huyện Cũ", "2025-07-01,X.MOI,Huyện Cũ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, r = loadProject(t, dir)
	if sum, err = Run(ctx, cfg, w, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(sum.Orphans) != 0 {
		t.Errorf("orphans after the successor was set: %+v", sum.Orphans)
	}
	if names := statsNames(t, filepath.Join(dir, "out", "2025-Q3", "dossier-stats.xlsx")); names["UBND huyện Cũ"+publish.DissolvedOrphanLabel] {
		t.Errorf("2025-Q3 still lists the dissolved unit: %v", names)
	}
}

// statsNames are the texts of the cells (unit and field names, notes) of
// every sheet of a dossier-stats.xlsx.
func statsNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, c := range r {
				out[c] = true
			}
		}
	}
	return out
}

// validate reads the registry as edited since the last run: a successor
// removed from units.csv makes the dissolved unit an orphan at once,
// though the model (built under the old registry) counted its dossiers for
// the successor. H.CU, dissolved on 2025-07-01, has 3 dossiers: one
// finished in May (before), one received in June and still open, one
// received in July (after) and open: 2 counted after its dissolution,
// both open.
func TestOrphansAfterSuccessorRemoved(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	head := "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n"
	csv := "\ufeffMã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n" +
		"H41.01-250510-0001,H.CU,Cấp giấy phép xây dựng,Xây dựng,Trực tiếp,10/05/2025 08:00,20/05/2025 17:00,15/05/2025 09:00,Đã trả kết quả\n" +
		"H41.01-250601-0002,H.CU,Cấp giấy phép xây dựng,Xây dựng,Trực tiếp,01/06/2025 08:00,10/06/2025 17:00,,Đang xử lý\n" +
		"H41.01-250710-0004,H.CU,Đăng ký khai sinh,Hộ tịch,Trực tiếp,10/07/2025 08:00,20/07/2025 17:00,,Đang xử lý\n"
	for name, body := range map[string]string{
		"units.csv":        head + "H.CU,UBND huyện Cũ,district,,,2025-07-01,H.CON,Huyện Cũ\nH.CON,UBND huyện Còn,district,,,,,Huyện Còn\n",
		"exports/x/hs.csv": csv,
		"cchc.yaml":        "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n  - name: x\n    path: ./exports/x/*.csv\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, name), body)
	}
	cfg, reg, w := openProject(t, dir)
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "units.csv"), head+"H.CU,UBND huyện Cũ,district,,,2025-07-01,,Huyện Cũ\nH.CON,UBND huyện Còn,district,,,,,Huyện Còn\n")
	_, edited := loadProject(t, dir)
	got, err := Orphans(ctx, w.DB(), edited, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Unit != "H.CU" || got[0].Dossiers != 2 || got[0].Open != 2 {
		t.Errorf("orphans %+v, want H.CU with 2 dossiers, 2 open", got)
	}
}
