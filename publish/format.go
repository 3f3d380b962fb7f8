package publish

import (
	"bytes"
	"math"
	"strconv"
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
	var buf [64]byte
	neg, digits := roundCents(buf[:0], x, 0)
	// units "." cents, as text for ParseFloat: a small buffer on the
	// stack (this runs for every published number).
	n := len(digits)
	digits = append(digits, 0)
	copy(digits[n-1:], digits[n-2:n])
	digits[n-2] = '.'
	r, err := strconv.ParseFloat(string(digits), 64)
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
	var buf [64]byte
	return formatCents(roundCents(buf[:0], x, 0))
}

// FormatPercent formats a rate (0.91432) as a percentage with 2 decimals:
// "91,43%". The rate is scaled in decimal, so 0.91435 gives "91,44%".
func FormatPercent(rate float64) string {
	if math.IsNaN(rate) || math.IsInf(rate, 0) {
		return strconv.FormatFloat(rate, 'f', -1, 64) + "%"
	}
	var buf [64]byte
	return formatCents(roundCents(buf[:0], rate, 2)) + "%"
}

// roundCents rounds |x|·10^shift to 2 decimals, half away from zero, in
// decimal arithmetic on the shortest representation of x. It returns the
// sign (false for a result of zero) and, appended to dst, the digits of
// the result without its decimal point: the integer digits (at least
// "0") then the 2 decimals. It allocates only when dst is too short.
func roundCents(dst []byte, x float64, shift int) (neg bool, digits []byte) {
	var num [32]byte
	s := strconv.AppendFloat(num[:0], math.Abs(x), 'e', -1, 64) // d.ddde±XX
	e := bytes.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(string(s[e+1:]))
	var digitBuf [32]byte
	mant := append(digitBuf[:0], s[0])
	if e > 2 {
		mant = append(mant, s[2:e]...) // the digits after "d."
	}
	// |x|·10^shift·100 = mant · 10^p
	p := exp - (len(mant) - 1) + shift + 2
	start := len(dst)
	switch keep := len(mant) + p; {
	case p >= 0:
		dst = append(dst, mant...)
		for range p {
			dst = append(dst, '0')
		}
	case keep < 0:
		dst = append(dst, '0')
	default:
		dst = append(dst, '0') // a leading 0 absorbs the carry
		dst = append(dst, mant[:keep]...)
		if mant[keep] >= '5' {
			i := len(dst) - 1
			for dst[i] == '9' {
				dst[i] = '0'
				i--
			}
			dst[i]++
		}
	}
	// Leading zeros off, then at least 3 digits ("0" and 2 decimals).
	h := dst[start:]
	z := 0
	for z < len(h) && h[z] == '0' {
		z++
	}
	nonzero := z < len(h)
	switch t := len(h) - z; {
	case t >= 3:
		copy(h, h[z:])
		dst = dst[:len(dst)-z]
	default:
		var tail [2]byte
		copy(tail[:], h[z:])
		dst = append(dst[:start], "000"[:3-t]...)
		dst = append(dst, tail[:t]...)
	}
	return x < 0 && nonzero, dst[start:]
}

// formatCents renders a rounded number (roundCents) with a decimal comma
// and "." between thousands.
func formatCents(neg bool, digits []byte) string {
	units, cents := digits[:len(digits)-2], digits[len(digits)-2:]
	b := make([]byte, 0, 1+len(units)+len(units)/3+3)
	if neg {
		b = append(b, '-')
	}
	for i, c := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b = append(b, '.')
		}
		b = append(b, c)
	}
	b = append(b, ',')
	b = append(b, cents...)
	return string(b)
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
