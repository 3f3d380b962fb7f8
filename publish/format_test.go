package publish

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
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

// roundCentsRef is roundCents as it was written before it stopped
// allocating (string arithmetic): the reference its bytes must match.
func roundCentsRef(x float64, shift int) (neg bool, units, cents string) {
	s := strconv.FormatFloat(math.Abs(x), 'e', -1, 64)
	mant, expText, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	p := exp - (len(digits) - 1) + shift + 2
	var h []byte
	switch keep := len(digits) + p; {
	case p >= 0:
		h = []byte(digits + strings.Repeat("0", p))
	case keep < 0:
		h = []byte("0")
	default:
		h = []byte("0" + digits[:keep])
		if digits[keep] >= '5' {
			i := len(h) - 1
			for h[i] == '9' {
				h[i] = '0'
				i--
			}
			h[i]++
		}
	}
	t := strings.TrimLeft(string(h), "0")
	if len(t) < 3 {
		t = strings.Repeat("0", 3-len(t)) + t
	}
	units, cents = t[:len(t)-2], t[len(t)-2:]
	return x < 0 && strings.Trim(t, "0") != "", units, cents
}

// roundCents gives the digits and sign the string version gave, for
// values of every size, halves, carries, zeros and random doubles; and
// Round2, FormatScore and FormatPercent what they gave from it.
func TestRoundCentsMatchesReference(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 0.001, -0.001, 0.005, -0.005, 0.004999, 0.995, 9.995, 99.995, 999.995,
		1.005, 2.675, 91.4321, 1234.5, -1234.5, 1e-300, 5e-324, 1e15, 1e21, 1e300, math.MaxFloat64, -math.MaxFloat64,
		0.1, 0.125, 0.135, 100, 17.254, 85.5, 0.91435, 0.91432, 1, 10, 0.01, 0.06, 0.6, 9.9999}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		xs = append(xs, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(12)-4)))
		xs = append(xs, float64(r.IntN(100000))/1000, float64(r.IntN(100000))/200)
	}
	for _, x := range xs {
		for _, shift := range []int{0, 2} {
			neg, units, cents := roundCentsRef(x, shift)
			gotNeg, got := roundCents(nil, x, shift)
			if gotNeg != neg || string(got) != units+cents {
				t.Fatalf("roundCents(%v, %d) = %v %q, want %v %q", x, shift, gotNeg, got, neg, units+cents)
			}
			if shift == 0 {
				if g, w := FormatScore(x), formatCentsRef(neg, units, cents); g != w {
					t.Fatalf("FormatScore(%v) = %q, want %q", x, g, w)
				}
			} else if g, w := FormatPercent(x), formatCentsRef(neg, units, cents)+"%"; g != w {
				t.Fatalf("FormatPercent(%v) = %q, want %q", x, g, w)
			}
			if shift == 0 {
				want, err := strconv.ParseFloat(units+"."+cents, 64)
				if err != nil || want == 0 {
					want = 0
				} else if neg {
					want = -want
				}
				if g := Round2(x); g != want || math.Signbit(g) != math.Signbit(want) {
					t.Fatalf("Round2(%v) = %v, want %v", x, g, want)
				}
			}
		}
	}
}

// formatCentsRef is formatCents as it was written on strings.
func formatCentsRef(neg bool, units, cents string) string {
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	b.WriteByte(',')
	b.WriteString(cents)
	return b.String()
}
