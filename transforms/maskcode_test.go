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
		// Written as codes are: kept as written, as loaded (review:
		// pii.Mask read the digits as a number).
		"H41.12 240315 0001":      "H41.12 240315 0001",
		"H26.99-241231-123456789": "H26.99-241231-123456789",
		"h41.12-240315-0001":      "h41.12-240315-0001",
	} {
		if got, _ := m.maskCell(FDossierCode, in); got != want {
			t.Errorf("maskCell(dossier code, %q) = %q, want %q", in, got, want)
		}
	}
}

// TestMaskCellUnitSigner: a signature block read as a row puts the signer
// under the office in the unit's column; the office stays (a unit name
// holds names of people: phường Ngô Quyền), the lines below are masked.
func TestMaskCellUnitSigner(t *testing.T) {
	m, err := NewMapper([]string{"Mã hồ sơ", "Đơn vị"}, MapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n[họ tên]",
		"UBND phường Ngô Quyền":                        "UBND phường Ngô Quyền",
	} {
		if got, _ := m.maskCell(FUnitCode, in); got != want {
			t.Errorf("maskCell(unit, %q) = %q, want %q", in, got, want)
		}
	}
}
