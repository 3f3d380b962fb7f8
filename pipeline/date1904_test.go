package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestDate1904WorkbookDates: a workbook saved with Excel's 1904 date
// system (Excel for Mac) stores its date cells as serials counted from
// 1 January 1904. Read as 1900 serials, as every workbook was read before,
// each dossier landed four years and a day early, in a period nobody was
// looking at. Both workbooks below hold the same days; the expected dates
// are worked out by hand:
//
//	1900 system: day 0 is 30/12/1899; 1904 system: day 0 is 01/01/1904,
//	which is 1900-serial 2 (to 01/01/1900) + 4×365 (1900 to 1903, 1900 not
//	leap) = 1462.
//	05/03/2026 is 1900-serial 46086 (45366 is 15/03/2024, the transform's
//	documented example; +17 to 01/04/2024, +365 to 01/04/2025 (no 29/02
//	in between), +338 to 05/03/2026 (30+31+30+31+31+30+31+30+31+31+28+4)
//	= 45366+17+365+338 = 46086), so 1904-serial 46086-1462 = 44624.
//	05/03/2026 08:00 is 44624 + 8/24 = 44624.3333333333.
//	The due date 20/03/2026 is 15 days later: 44639 in the 1904 system.
func TestDate1904WorkbookDates(t *testing.T) {
	cfg, reg, w, dir := fixture(t, `  - name: mac
    path: ./exports/mac/*.xlsx
    unit: H.BAVI
`)
	mac := filepath.Join(dir, "exports", "mac")
	if err := os.MkdirAll(mac, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, date1904 bool, received, due float64) {
		x := excelize.NewFile()
		if date1904 {
			if err := x.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
				t.Fatal(err)
			}
		}
		for i, r := range [][]any{
			{"Số hồ sơ", "Đơn vị xử lý", "Tên TTHC", "Ngày nhận", "Hạn xử lý", "Tình trạng"},
			{"H41.01-260305-" + name, "Tản Lĩnh", "Đăng ký khai sinh", received, due, "Đang xử lý"},
		} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.SaveAs(filepath.Join(mac, name+".xlsx")); err != nil {
			t.Fatal(err)
		}
	}
	write("1904", true, 44624.3333333333, 44639)
	write("1900", false, 46086.3333333333, 46101)

	if _, err := Run(context.Background(), cfg, w, reg, Options{}); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]time.Time{
		"H41.01-260305-1904": {time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)},
		"H41.01-260305-1900": {time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)},
	}
	rows, err := w.DB().Query(`SELECT dossier_code, received_at, due_at FROM dossiers ORDER BY dossier_code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var code string
		var rec, due time.Time
		if err := rows.Scan(&code, &rec, &due); err != nil {
			t.Fatal(err)
		}
		seen++
		if wt, ok := want[code]; !ok || !rec.Equal(wt[0]) || !due.Equal(wt[1]) {
			t.Errorf("%s: received %s, due %s; want %v", code, rec, due, wt)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != 2 {
		t.Errorf("%d dossiers loaded, want 2", seen)
	}
}
