package transforms

import "testing"

// TestMaskCellDossierCode: in a quarantined row, the dossier code's cell
// keeps every dossier code as written, and masks a name or a phone number
// typed in its place (a report's signature block read under its table).
func TestMaskCellDossierCode(t *testing.T) {
	m, err := NewMapper([]string{"Mã hồ sơ", "Ngày tiếp nhận"}, MapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"H41.12-240315-0001":         "H41.12-240315-0001",
		"000.00.12.H41-240315-0001":  "000.00.12.H41-240315-0001",
		"G12.345.67-260315-AB1234":   "G12.345.67-260315-AB1234",
		"NGƯỜI LẬP BIỂU":             "NGƯỜI LẬP BIỂU",
		"Nguyễn Thị Hoa":             "[họ tên]",
		"ĐT: 0912 345 678":           "ĐT: [SĐT]",
		"Trần Văn Bình (ký, ghi rõ)": "[họ tên] (ký, ghi rõ)",
	} {
		if got, _ := m.maskCell(FDossierCode, in); got != want {
			t.Errorf("maskCell(dossier code, %q) = %q, want %q", in, got, want)
		}
	}
}
