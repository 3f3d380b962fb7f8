package testfixture

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes rows (strings, or float64 for numeric cells) to a new
// workbook at dir/name, merging the given ranges ("A4:A5").
func WriteXLSX(t testing.TB, dir, name string, rows [][]any, merges ...string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, v := range r {
			if v == nil || v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range merges {
		a, b, _ := strings.Cut(m, ":")
		if err := f.MergeCell("Sheet1", a, b); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// SheetMerges are the merged header cells of PARSheet.
var SheetMerges = []string{"A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:F5"}

// PARSheet is a department's scoring sheet as units fill it in: agency
// block and title rows, the unit line, a merged two-row header (use
// SheetMerges), Roman fields, criteria, components, a rule row, "Không áp
// dụng", the survey field left empty, a total row and a signature below
// it. ii1 is the appraised cell of II.1 (row 13, maximum 2). Cells mix
// numbers (Excel numeric cells) and text with a decimal comma.
//
// The tree it holds (code max/appraised):
//
//	I      6 / 5      written 5 = (1 + 1,5) + 2,5       ok
//	I.1    3 / 2,5    written 2,5 = 1 + 1,5            ok
//	I.1.1  1 / 1      rule "Ban hành kịp thời: 1 điểm; …"
//	I.1.2  2 / 1,5
//	I.2    3 / 2,5
//	II     4 / 3      written 3 ≠ 2 + (KAD) = 2        warning on row 12 (when ii1 is 2)
//	II.1   2 / ii1
//	II.2   2 / KAD
//	III    30 / –     survey field
//	III.1  30 / –     survey leaf: empty, not quarantined
//	total  40         = 6 + 4 + 30                     ok
func PARSheet(unitLine string, ii1 any) [][]any {
	return [][]any{
		{"UBND TỈNH ĐẮK LẮK"},
		{"BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025"},
		{unitLine},
		{"STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Điểm đánh giá", "", "Tài liệu kiểm chứng"},
		{"", "", "", "Tự đánh giá", "Thẩm định", ""},
		{"I", "Công tác chỉ đạo, điều hành CCHC", 6.0, "5,5", 5.0},
		{"1", "Kế hoạch CCHC năm", 3.0, 3.0, "2,5"},
		{"1.1", "Ban hành kế hoạch kịp thời", 1.0, 1.0, 1.0, "QĐ 12/QĐ-STP"},
		{"", "Ban hành kịp thời: 1 điểm; không kịp thời: 0 điểm"},
		{"1.2", "Mức độ hoàn thành kế hoạch", 2.0, 2.0, "1,5"},
		{"2", "Báo cáo CCHC", 3.0, "2,5", 2.5},
		{"II", "Cải cách thể chế", 4.0, "", 3.0},
		{"1", "Xây dựng văn bản QPPL", 2.0, 2.0, ii1},
		{"2", "Kiểm tra, rà soát văn bản QPPL", 2.0, "", "Không áp dụng"},
		{"III", "Điều tra xã hội học", 30.0},
		{"1", "Mức độ hài lòng của tổ chức, cá nhân", 30.0},
		{"", "Tổng cộng", 40.0},
		{"", "Người lập biểu"},
	}
}
