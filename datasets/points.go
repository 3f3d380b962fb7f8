package datasets

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/cchc/cchc/transforms"
)

// Point is a parsed points cell.
type Point struct {
	Value float64
	Set   bool // a number was written
	NA    bool // "Không áp dụng", KAD, N/A
}

// notApplicable are the folded spellings of "not applicable".
var notApplicable = map[string]bool{"khong ap dung": true, "kad": true, "n/a": true, "na": true, "k/a/d": true, "kapd": true, "khong ad": true}

// excelExponent is the shape Excel stores a number with an exponent in:
// digits, optional decimals after a point, "E", an exponent. A lowercase
// "1e3" typed as text is not this shape and stays an error.
var excelExponent = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?E[+-]?[0-9]+$`)

// ParsePoints reads a points cell: a number with a decimal comma or point
// ("0,5", "1.25", "2"), optionally followed by "điểm"; blank is not set;
// "Không áp dụng" (KAD, N/A) is NA. Thousands separators never occur in
// points, so "1.250" is 1.25. Anything else is an error naming the value;
// a value is never guessed.
func ParsePoints(s string) (Point, error) {
	if t := strings.TrimSpace(s); excelExponent.MatchString(t) {
		// An XLSX numeric cell as stored: Excel writes small numbers
		// with an exponent (0,002 as "2E-3", a formula's residue as
		// "5.5511151231257827E-17"); the value is exact, not a guess.
		if v, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(v, 0) {
			return Point{Value: v, Set: true}, nil
		}
	}
	f := transforms.Fold(s)
	if f == "" || f == "-" {
		return Point{}, nil
	}
	if notApplicable[f] || notApplicable[strings.Trim(f, ". ")] {
		return Point{NA: true}, nil
	}
	f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(f, "diem"), "d"))
	f = strings.ReplaceAll(f, " ", "")
	if strings.Count(f, ",")+strings.Count(f, ".") > 1 || f == "" {
		return Point{}, fmt.Errorf("không đọc được số điểm %q", strings.TrimSpace(s))
	}
	f = strings.ReplaceAll(f, ",", ".")
	for _, r := range f {
		if (r < '0' || r > '9') && r != '.' && r != '-' && r != '+' {
			return Point{}, fmt.Errorf("không đọc được số điểm %q", strings.TrimSpace(s))
		}
	}
	v, err := strconv.ParseFloat(f, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return Point{}, fmt.Errorf("không đọc được số điểm %q", strings.TrimSpace(s))
	}
	return Point{Value: v, Set: true}, nil
}

// formatPoints writes points the Vietnamese way: decimal comma, no
// trailing zeros ("3,5", "4").
func formatPoints(v float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(v, 'f', -1, 64), ".", ",")
}
