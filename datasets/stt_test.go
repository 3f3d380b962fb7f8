package datasets

import (
	"slices"
	"testing"
)

func TestParseSTT(t *testing.T) {
	cases := []struct {
		in    string
		kind  int
		parts []int
	}{
		{"I", STTField, []int{1}},
		{"IV", STTField, []int{4}},
		{"IX", STTField, []int{9}},
		{"XII", STTField, []int{12}},
		{" VIII ", STTField, []int{8}},
		{"IIII", STTRule, nil}, // not canonical
		{"VX", STTRule, nil},
		{"iv", STTRule, nil}, // lower case numbering is rule text
		{"1", STTCriterion, []int{1}},
		{"12", STTCriterion, []int{12}},
		{"3.0", STTCriterion, []int{3}}, // an integer Excel stored as a float
		{"1.1", STTComponent, []int{1, 1}},
		{"2.3.1", STTComponent, []int{2, 3, 1}},
		{"1.", STTRule, nil},
		{"a)", STTRule, nil},
		{"-", STTRule, nil},
		{"+", STTRule, nil},
		{"", STTRule, nil},
		{"1..2", STTRule, nil},
		{"-1", STTRule, nil},
		{"1.a", STTRule, nil},
		{"123456", STTRule, nil},
	}
	for _, c := range cases {
		got := ParseSTT(c.in)
		if got.Kind != c.kind || !slices.Equal(got.Parts, c.parts) {
			t.Errorf("ParseSTT(%q) = kind %d parts %v, want kind %d parts %v", c.in, got.Kind, got.Parts, c.kind, c.parts)
		}
	}
}

func TestParsePoints(t *testing.T) {
	cases := []struct {
		in      string
		want    Point
		wantErr bool
	}{
		{"", Point{}, false},
		{"  ", Point{}, false},
		{"2", Point{Value: 2, Set: true}, false},
		{"0,5", Point{Value: 0.5, Set: true}, false},
		{"1.25", Point{Value: 1.25, Set: true}, false},
		{"1.250", Point{Value: 1.25, Set: true}, false}, // never a thousands separator in points
		{"0.75", Point{Value: 0.75, Set: true}, false},  // an XLSX numeric cell
		{"2 điểm", Point{Value: 2, Set: true}, false},
		{"1,5đ", Point{Value: 1.5, Set: true}, false},
		{"-1", Point{Value: -1, Set: true}, false}, // negative: read, rejected by the sheet check
		{"Không áp dụng", Point{NA: true}, false},
		{"KHONG AP DUNG", Point{NA: true}, false},
		{"KAD", Point{NA: true}, false},
		{"N/A", Point{NA: true}, false},
		{"abc", Point{}, true},
		{"1,2,3", Point{}, true},
		{"1.2,3", Point{}, true},
		{"1e3", Point{}, true},
		// XLSX numeric cells as Excel stores them (RawCellValue): small
		// numbers and formula residues carry an exponent.
		{"2E-3", Point{Value: 0.002, Set: true}, false},
		{"5.0000000000000001E-3", Point{Value: 0.005, Set: true}, false},
		{"1E+06", Point{Value: 1e6, Set: true}, false}, // read; the sheet check rejects it above the maximum
		{"-2.7755575615628914E-17", Point{Value: -2.7755575615628914e-17, Set: true}, false},
		{"2E-3,5", Point{}, true},
		{"1E400", Point{}, true},
		{"NaN", Point{}, true},
		{"Inf", Point{}, true},
	}
	for _, c := range cases {
		got, err := ParsePoints(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("ParsePoints(%q) = %+v, %v; want %+v, err %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestTitlePeriod(t *testing.T) {
	cases := map[string]string{
		"BẢNG CHẤM ĐIỂM CHỈ SỐ CCHC NĂM 2025":    "2025",
		"Kết quả 6 tháng đầu năm 2025":           "2025-H1",
		"KẾT QUẢ 6 THÁNG CUỐI NĂM 2024":          "2024-H2",
		"Kỳ đánh giá: 2025-H1":                   "2025-H1",
		"Kỳ đánh giá 2026":                       "2026",
		"Quyết định số 12/QĐ-UBND ngày 3/2/2025": "",
		"Đơn vị: Sở Tư pháp":                     "",
		"Năm 2025":                               "2025",
		"NĂM: 2024":                              "2024",
		"Năm đánh giá: 2025":                     "2025",
		// The signing date above a sheet is not its period.
		"Hà Nội, ngày 20 tháng 01 năm 2026":                    "",
		"BẢNG ĐIỂM NĂM 2025 (Hà Nội, ngày 5 tháng 1 năm 2026)": "2025",
		"Ba Vì, ngày 05 tháng 01 năm 2026 — kỳ đánh giá: 2025": "2025",
		// Day and month left blank, to be filled in by hand at signing.
		"Đắk Lắk, ngày     tháng     năm 2026":     "",
		"Đắk Lắk, ngày … tháng … năm 2026":         "",
		"Đắk Lắk, ngày ... tháng ... năm 2026":     "",
		"Đắk Lắk, ngày ..... tháng ..... năm 2026": "",
		"Đắk Lắk, ngày __ tháng __ năm 2026":       "",
		"Đắk Lắk, ngày…tháng…năm 2026":             "",
		"ngày 20 tháng … năm 2026":                 "",
		"Đắk Lắk, tháng 01 năm 2026":               "",
		"Ban Mê Thuột, tháng 1 năm 2026":           "",
		// A half-year or a span of months is a period, not a date.
		"Báo cáo 6 tháng năm 2025": "2025",
	}
	for in, want := range cases {
		if got := titlePeriod(in); got != want {
			t.Errorf("titlePeriod(%q) = %q, want %q", in, got, want)
		}
	}
}
