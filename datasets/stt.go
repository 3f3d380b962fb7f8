package datasets

import (
	"strconv"
	"strings"
)

// STT kinds: what the STT cell of a scoring-sheet row makes of the row.
const (
	STTRule      = iota // no STT, or one that is not a tree number ("1.", "a)", "-"): rule text
	STTField            // a Roman numeral: a field (lĩnh vực)
	STTCriterion        // an integer: a criterion (tiêu chí) of the field above
	STTComponent        // a dotted number: a component (tiêu chí thành phần)
)

// STT is a parsed STT cell.
type STT struct {
	Kind int
	Text string // as written, trimmed ("II", "1", "1.2")
	// Parts are the numbers of a criterion or component ("2.3.1" gives
	// 2, 3, 1); the value of a field's numeral.
	Parts []int
}

// ParseSTT classifies an STT cell. Roman numerals are upper case and
// canonical (I … MMM; "IIII" is not one); an integer is a criterion; a
// dotted number without a trailing dot is a component. "1." and "a)" are
// the numbering of rule text, not of the tree. A number an Excel cell
// stored as "3.0" is read as the integer 3.
func ParseSTT(s string) STT {
	s = strings.TrimSpace(strings.Trim(s, "\u00a0\u200b\ufeff"))
	out := STT{Text: s}
	if s == "" {
		return out
	}
	if v, ok := parseRoman(s); ok {
		out.Kind, out.Parts = STTField, []int{v}
		return out
	}
	if strings.HasSuffix(s, ".0") && !strings.Contains(strings.TrimSuffix(s, ".0"), ".") {
		s = strings.TrimSuffix(s, ".0") // an integer Excel stored as a float
		out.Text = s
	}
	parts := strings.Split(s, ".")
	nums := make([]int, 0, len(parts))
	for _, p := range parts {
		if p == "" || len(p) > 4 {
			return STT{Text: out.Text}
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' || p[0] == '-' {
			return STT{Text: out.Text}
		}
		nums = append(nums, n)
	}
	out.Parts = nums
	if len(nums) == 1 {
		out.Kind = STTCriterion
	} else {
		out.Kind = STTComponent
	}
	return out
}

var romanValues = []struct {
	sym string
	v   int
}{{"M", 1000}, {"CM", 900}, {"D", 500}, {"CD", 400}, {"C", 100}, {"XC", 90}, {"L", 50}, {"XL", 40}, {"X", 10}, {"IX", 9}, {"V", 5}, {"IV", 4}, {"I", 1}}

// parseRoman reads a canonical upper-case Roman numeral.
func parseRoman(s string) (int, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	v, rest := 0, s
	for _, r := range romanValues {
		n := 0
		for strings.HasPrefix(rest, r.sym) {
			rest = rest[len(r.sym):]
			v += r.v
			n++
			// I, X, C, M repeat up to three times; the others once.
			if n > 3 || (n > 1 && len(r.sym) == 2) || (n > 1 && (r.sym == "V" || r.sym == "L" || r.sym == "D")) {
				return 0, false
			}
		}
	}
	if rest != "" || v == 0 {
		return 0, false
	}
	return v, toRoman(v) == s
}

func toRoman(v int) string {
	var b strings.Builder
	for _, r := range romanValues {
		for v >= r.v {
			b.WriteString(r.sym)
			v -= r.v
		}
	}
	return b.String()
}
