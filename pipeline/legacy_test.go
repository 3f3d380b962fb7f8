package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cchc/cchc/internal/legacyfont"
	"github.com/xuri/excelize/v2"
)

// TestLegacyFontExportsLoad: the two reproduced failures. A workbook whose
// title and header rows were typed in TCVN3 (ABC, .VnTime / .VnTimeH) was
// rejected as having no dossier code column; a CSV in VNI lost its units.
// Both load now, every dossier with its unit, and the ledger says what was
// found.
func TestLegacyFontExportsLoad(t *testing.T) {
	cfg, reg, w, dir := fixture(t, `  - name: legacy
    path: ./exports/legacy/*
    unit: H.BAVI
`)
	legacy := filepath.Join(dir, "exports", "legacy")
	if err := os.MkdirAll(legacy, 0o755); err != nil {
		t.Fatal(err)
	}
	tc := func(s string) string {
		c, err := legacyfont.Latin1("tcvn3", s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	x := excelize.NewFile()
	for i, r := range [][]any{
		{tc(legacyfont.LowerTonedCapitals("ỦY BAN NHÂN DÂN HUYỆN BA VÌ"))},
		{tc(legacyfont.LowerTonedCapitals("SỔ THEO DÕI HỒ SƠ THÁNG 3"))},
		{},
		{tc("Số hồ sơ"), tc("Đơn vị xử lý"), "Tên TTHC", tc("Ngày nhận"), tc("Hạn xử lý"), tc("Tình trạng")},
		{"H41.01-260305-0101", tc("Tản Lĩnh"), "Chứng thực bản sao từ bản chính", "05/03/2026 08:00", "06/03/2026 17:00", tc("Đang xử lý")},
		{"H41.01-260305-0102", tc("Tản Lĩnh"), "Đăng ký khai sinh", "05/03/2026 09:00", "06/03/2026 17:00", tc("Chờ bổ sung")},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(filepath.Join(legacy, "abc.xlsx")); err != nil {
		t.Fatal(err)
	}
	vni, err := legacyfont.Encode("vni", "Số hồ sơ;Đơn vị xử lý;Tên TTHC;Ngày nhận;Hạn xử lý;Tình trạng\r\n"+
		"H41.01-260306-0201;Tản Lĩnh;Cấp giấy phép xây dựng;06/03/2026 08:00;20/03/2026 17:00;Đang xử lý\r\n"+
		"H41.01-260306-0202;Tản Lĩnh;Cấp giấy phép xây dựng;06/03/2026 10:00;20/03/2026 17:00;Đang xử lý\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(legacy, "vni.csv"), vni, 0o644); err != nil {
		t.Fatal(err)
	}

	if _, err := Run(context.Background(), cfg, w, reg, Options{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"abc.xlsx": "tcvn3 (tiêu đề, cột: Đơn vị xử lý, Tình trạng), utf-8",
		"vni.csv":  "vni",
	}
	for name, enc := range want {
		var status, got, msg string
		var loaded int
		if err := w.DB().QueryRow(`SELECT status, coalesce(encoding, ''), coalesce(error, ''), rows_loaded FROM source_files WHERE path LIKE ?`, "%"+name).
			Scan(&status, &got, &msg, &loaded); err != nil {
			t.Fatal(err)
		}
		if status != "loaded" || loaded != 2 || got != enc {
			t.Errorf("%s: %s, %d loaded, encoding %q (want %q) %s", name, status, loaded, got, enc, msg)
		}
	}
	rows, _ := w.DB().Query(`SELECT source_row, coalesce(column_name, ''), reason, coalesce(raw_value, '') FROM quarantine`)
	for rows.Next() {
		var r int
		var c, reason, raw string
		rows.Scan(&r, &c, &reason, &raw)
		t.Errorf("quarantined row %d %s %q: %s", r, c, raw, reason)
	}
	rows.Close()
	// Every dossier is in Tản Lĩnh, with its procedure and status as typed.
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers WHERE unit_code = 'X.TANLINH'`); n != 4 {
		t.Errorf("%d dossiers in X.TANLINH, want 4", n)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers WHERE procedure_name IN ('Chứng thực bản sao từ bản chính', 'Đăng ký khai sinh', 'Cấp giấy phép xây dựng')`); n != 4 {
		t.Errorf("%d dossiers with their procedure names, want 4", n)
	}
}
