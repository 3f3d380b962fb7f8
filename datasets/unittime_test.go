package datasets

import (
	"strings"
	"testing"

	"github.com/cchc/cchc/units"
)

// A sheet or a list naming a commune by a name two units of different
// times bear (the old xã Hạ Bằng's name, dissolved on 2025-07-01, and the
// alias of the new commune formed that day) belongs to the unit standing
// at the period's end: 2025 → X.HBM, 2024 → X.HB.
func TestUnitNameAcrossTime(t *testing.T) {
	reg, err := units.Parse(strings.NewReader(`unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases
X.HB,Xã Hạ Bằng,commune,,,2025-07-01,X.HBM,
X.PD,Xã Phú Đông,commune,,,2025-07-01,X.HBM,
X.HBM,UBND xã Hạ Bằng (mới),commune,,2025-07-01,,,Xã Hạ Bằng
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, year, want string
	}{
		{"sheet 2025", "2025", "X.HBM"},
		{"sheet 2024", "2024", "X.HB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "hb.csv", "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM "+c.year+"\nĐơn vị: Xã Hạ Bằng\n"+
				"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n"+
				"I,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,10,10,9\nII,Điều tra xã hội học,30,,\n")
			in := input(t, p)
			in.Units = reg
			got, err := ParAppraisal.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Sheet.Unit != c.want {
				t.Errorf("sheet of «Xã Hạ Bằng» for %s went to %s, want %s", c.year, got.Sheet.Unit, c.want)
			}
		})
	}
	for _, c := range []struct {
		name, year, want string
	}{
		{"survey 2025", "2025", "X.HBM"},
		{"survey 2024", "2024", "X.HB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "s.csv", "Tên đơn vị,Điểm ĐTXHH\nXã Hạ Bằng,27\n")
			in := input(t, p)
			in.Units, in.Period = reg, c.year
			got, err := ParSurvey.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != 1 || got.Rows[0][1] != c.want {
				t.Errorf("survey row of «Xã Hạ Bằng» for %s: %v, want unit %s", c.year, got.Rows, c.want)
			}
		})
	}
}
