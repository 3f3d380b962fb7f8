package publish

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Vietnamese number conventions of the publications (docs/methodology.md,
// "Publication conventions"): a decimal comma, "." between thousands, two
// decimals rounded half away from zero. The warehouse keeps full precision;
// rounding happens here and nowhere else: every format, Parquet included,
// publishes the numbers rounded by Round2.

// Round2 rounds x to 2 decimals, half away from zero, and turns a negative
// zero into zero. It rounds the shortest decimal form of x (the digits the
// warehouse shows), so 1.005 becomes 1.01 although the double nearest to
// 1.005 is slightly below it. It is the rounding of every published number.
func Round2(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	neg, units, cents := roundCents(x, 0)
	r, err := strconv.ParseFloat(units+"."+cents, 64)
	if err != nil || r == 0 {
		return 0
	}
	if neg {
		return -r
	}
	return r
}

// FormatScore formats a score with 2 decimals, a decimal comma and "." as
// the thousands separator: 91.4321 → "91,43", 1234.5 → "1.234,50",
// -0.001 → "0,00".
func FormatScore(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return formatCents(roundCents(x, 0))
}

// FormatPercent formats a rate (0.91432) as a percentage with 2 decimals:
// "91,43%". The rate is scaled in decimal, so 0.91435 gives "91,44%".
func FormatPercent(rate float64) string {
	if math.IsNaN(rate) || math.IsInf(rate, 0) {
		return strconv.FormatFloat(rate, 'f', -1, 64) + "%"
	}
	return formatCents(roundCents(rate, 2)) + "%"
}

// roundCents rounds |x|·10^shift to 2 decimals, half away from zero, in
// decimal arithmetic on the shortest representation of x. It returns the
// sign (false for a result of zero), the integer digits and the 2 decimals.
func roundCents(x float64, shift int) (neg bool, units, cents string) {
	s := strconv.FormatFloat(math.Abs(x), 'e', -1, 64) // d.ddde±XX
	mant, expText, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	// |x|·10^shift·100 = digits · 10^p
	p := exp - (len(digits) - 1) + shift + 2
	var h []byte
	switch keep := len(digits) + p; {
	case p >= 0:
		h = []byte(digits + strings.Repeat("0", p))
	case keep < 0:
		h = []byte("0")
	default:
		h = []byte("0" + digits[:keep]) // a leading 0 absorbs the carry
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

// formatCents renders a rounded number with a decimal comma and "."
// between thousands.
func formatCents(neg bool, units, cents string) string {
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

// FormatRankChange describes places gained (positive) or lost (negative)
// since the previous period: "tăng 2 bậc", "giảm 1 bậc", "giữ nguyên".
func FormatRankChange(places int) string {
	switch {
	case places > 0:
		return "tăng " + strconv.Itoa(places) + " bậc"
	case places < 0:
		return "giảm " + strconv.Itoa(-places) + " bậc"
	default:
		return "giữ nguyên"
	}
}

// FormatScoreChange formats a score change with its sign: "+2,76 điểm",
// "-0,50 điểm"; a change that rounds to zero is "0,00 điểm".
func FormatScoreChange(delta float64) string {
	r := Round2(delta)
	if r > 0 {
		return "+" + FormatScore(r) + " điểm"
	}
	return FormatScore(r) + " điểm"
}

// formatRank renders a rank among its peers, "3/30"; "3" without a peer
// count and "" without a rank.
func formatRank(rank, count *int) string {
	if rank == nil {
		return ""
	}
	s := strconv.Itoa(*rank)
	if count != nil && *count > 0 {
		s += "/" + strconv.Itoa(*count)
	}
	return s
}

// formatDate renders a naive warehouse timestamp as dd/mm/yyyy.
func formatDate(t time.Time) string {
	return t.Format("02/01/2006")
}

// formatMax renders a group's maximum points for a header: "18", "12,50".
func formatMax(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatInt(int64(x), 10)
	}
	return FormatScore(x)
}
