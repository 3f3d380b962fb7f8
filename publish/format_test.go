package publish

import (
	"math"
	"testing"
)

func TestFormatScore(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{91.4321, "91,43"},
		{17.25, "17,25"},
		{0, "0,00"},
		{math.Copysign(0, -1), "0,00"},
		{-0.004, "0,00"},      // rounds to negative zero
		{-0.005, "-0,01"},     // half away from zero
		{0.005, "0,01"},       // half away from zero
		{2.675, "2,68"},       // as DuckDB's round(x, 2)
		{1.005, "1,01"},       //
		{-2.5, "-2,50"},       //
		{100, "100,00"},       //
		{999.995, "1.000,00"}, // the carry reaches the thousands
		{1234.5, "1.234,50"},  //
		{-1234567.891, "-1.234.567,89"},
		{12345678, "12.345.678,00"},
		{99.995, "100,00"},
		{0.125, "0,13"},
		{0.0049, "0,00"},
		{0.00999, "0,01"},
		{1e-300, "0,00"},
		{1e21, "1.000.000.000.000.000.000.000,00"},
	} {
		if got := FormatScore(tc.in); got != tc.want {
			t.Errorf("FormatScore(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRound2(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{1.005, 1.01}, {91.4321, 91.43}, {-2.675, -2.68}, {17, 17}, {0.125, 0.13}, {-0.004, 0},
	} {
		got := Round2(tc.in)
		if got != tc.want || math.Signbit(got) != math.Signbit(tc.want) {
			t.Errorf("Round2(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0.91432, "91,43%"},
		{1, "100,00%"},
		{0, "0,00%"},
		{0.5, "50,00%"},
		{0.123456, "12,35%"},
		{-0.00001, "0,00%"},
		{12.3456, "1.234,56%"},
		{0.91435, "91,44%"}, // scaled in decimal: 0.91435*100 is 91.43499999999999
	} {
		if got := FormatPercent(tc.in); got != tc.want {
			t.Errorf("FormatPercent(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatRankChange(t *testing.T) {
	for _, tc := range []struct {
		in   int
		want string
	}{
		{2, "tăng 2 bậc"},
		{1, "tăng 1 bậc"},
		{0, "giữ nguyên"},
		{-1, "giảm 1 bậc"},
		{-12, "giảm 12 bậc"},
	} {
		if got := FormatRankChange(tc.in); got != tc.want {
			t.Errorf("FormatRankChange(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatScoreChange(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{2.76, "+2,76 điểm"},
		{2.755, "+2,76 điểm"},
		{-0.5, "-0,50 điểm"},
		{0, "0,00 điểm"},
		{0.004, "0,00 điểm"},
		{-0.004, "0,00 điểm"},
		{1500, "+1.500,00 điểm"},
	} {
		if got := FormatScoreChange(tc.in); got != tc.want {
			t.Errorf("FormatScoreChange(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatRank(t *testing.T) {
	i := func(v int) *int { return &v }
	for _, tc := range []struct {
		rank, count *int
		want        string
	}{
		{i(3), i(30), "3/30"},
		{i(3), nil, "3"},
		{nil, i(30), ""},
	} {
		if got := formatRank(tc.rank, tc.count); got != tc.want {
			t.Errorf("formatRank = %q, want %q", got, tc.want)
		}
	}
}

func TestFileSafeAndSheetName(t *testing.T) {
	if got := fileSafe("../x y/ä"); got != "_x_y__" {
		t.Errorf("fileSafe = %q", got)
	}
	if got := sheetName("a/b:c[d]*?\\" + "0123456789012345678901234567890"); len([]rune(got)) != 31 {
		t.Errorf("sheetName = %q", got)
	}
}
