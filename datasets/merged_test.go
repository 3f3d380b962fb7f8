package datasets

import (
	"strings"
	"testing"
)

// A points cell merged down over two leaves is written once and would be
// copied into both (the decoder fills merged ranges): the sheet fails,
// naming the cells. Rows (Excel numbers): 6 I.1.1 (max 1, appraised 1),
// 7 I.1.2 (alternative, scored once). By hand I.1 holds 1 of 1; read as
// filled it would hold 2 of 2.
func TestSheetMergedPointsCell(t *testing.T) {
	rows := [][]any{
		{"BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025"},
		{"Đơn vị: Sở Tư pháp"},
		{"STT", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Điểm thẩm định"},
		{"I", "Công tác chỉ đạo điều hành"},
		{"1", "Ban hành kế hoạch CCHC"},
		{"1.1", "Ban hành đúng hạn", 1.0, 1.0, 1.0},
		{"1.2", "Ban hành chậm (trừ điểm còn lại)"},
		{"", "Ban hành đúng hạn: 1 điểm"},
		{"II", "Điều tra xã hội học", 30.0},
	}
	tests := []struct {
		name    string
		merges  []string
		wantErr []string // parts of the file's error; none: loads
	}{
		{"max and points merged over two leaves", []string{"C6:C7", "D6:D7", "E6:E7"},
			[]string{"ô C6:C7 (cột «Điểm tối đa») gộp qua các tiêu chí I.1.1, I.1.2", "ô E6:E7 (cột «Điểm thẩm định»)", "bỏ gộp ô"}},
		{"appraised alone", []string{"E6:E7"}, []string{"ô E6:E7 (cột «Điểm thẩm định») gộp qua các tiêu chí I.1.1, I.1.2"}},
		// A leaf and the rule text below it: one leaf, nothing counts twice
		// (I.1.2 then lacks points: quarantined as usual, not failed here).
		{"leaf and its rule row", []string{"E7:E8"}, nil},
		// The name merged down: not a points cell.
		{"name merged", []string{"B6:B7"}, nil},
	}
	// The same table one column to the right (column A empty): the cells
	// keep their sheet columns, D6:D7 is the maximum.
	shifted := make([][]any, len(rows))
	for i, r := range rows {
		shifted[i] = append([]any{nil}, r...)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeXLSX(t, t.TempDir(), "m.xlsx", rows, tc.merges...)
			_, err := ParAppraisal.Parse(input(t, p))
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("failed: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("loaded, want the file failed (%q)", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	p := writeXLSX(t, t.TempDir(), "b.xlsx", shifted, "D6:D7")
	if _, err := ParAppraisal.Parse(input(t, p)); err == nil || !strings.Contains(err.Error(), "ô D6:D7 (cột «Điểm tối đa»)") {
		t.Errorf("table from column B, maximum merged D6:D7: %v", err)
	}
}
