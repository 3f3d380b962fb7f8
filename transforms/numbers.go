package transforms

import (
	"fmt"
	"math"
	"strconv"
)

// ParseNumber reads a number written the Vietnamese way, as one-stop exports
// and Excel on Vietnamese Windows write them:
//
//	"3.331" → 3331 and "1.234.567" → 1234567 (dots before groups of exactly
//	three digits separate thousands)
//	"38,2" → 38.2 (a single comma is the decimal separator)
//	"1.234,5" and "1,234.5" → 1234.5 (both present: the last one is decimal)
//	"2.5" and "0.125" → decimal (a dot not before exactly three digits, or
//	after a leading 0, is a decimal point)
//	"1 234" → 1234 (spaces, NBSP and thin spaces separate thousands)
//
// A leading + or - is allowed. Empty input gives ok == false and a nil
// error. Anything else — "%", exponents, hex, NaN, Inf, misplaced
// separators ("1.23.4") — is an error naming the value, and so is a number
// of more than 32 digit groups (from 10^96 written with thousands
// separators): no column holds such a value, and the bound keeps the scan
// in a fixed array. It never panics and does not allocate for numbers of
// up to 15 significant digits.
func ParseNumber(s string) (v float64, ok bool, err error) {
	s = trimValue(s)
	if s == "" {
		return 0, false, nil
	}
	if v, ok := parseNumber(s); ok {
		return v, true, nil
	}
	return 0, false, fmt.Errorf("cannot read number %q (expected e.g. 3.331, 38,2 or 1.234,5)", s)
}

// ParseCount is ParseNumber for counts: the value must be a whole number of
// 0 or more ("2" and "2,0" are fine, "2,5" and "-1" are errors).
func ParseCount(s string) (v int64, ok bool, err error) {
	f, ok, err := ParseNumber(s)
	if err != nil || !ok {
		return 0, ok, err
	}
	switch {
	case f < 0:
		return 0, false, fmt.Errorf("negative count %q (expected 0 or more)", trimValue(s))
	case f != math.Trunc(f):
		return 0, false, fmt.Errorf("not a whole number %q (expected a count such as 0, 1, 2)", trimValue(s))
	case f >= 1<<62:
		return 0, false, fmt.Errorf("count %q is too large", trimValue(s))
	}
	return int64(f), true, nil
}

// numberScan is the shape of a number: its runs of digits and the
// separator after each run.
type numberScan struct {
	groups  [32]int  // digit count of each group, in order
	seps    [32]byte // separator after each group: '.', ',' or ' '
	n       int      // number of groups
	dots    int
	commas  int
	spaces  int
	lastSep byte
}

func parseNumber(s string) (float64, bool) {
	neg := false
	body := s
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if body == "" {
		return 0, false
	}
	// First pass: split into digit groups and separators, rejecting any
	// other character. Spaces are normalised to ' '.
	var sc numberScan
	cur := 0
	for i := 0; i < len(body); {
		c := body[i]
		var sep byte
		w := 1
		switch {
		case isDigit(c):
			cur++
			i++
			continue
		case c == '.' || c == ',' || c == ' ':
			sep = c
		case c == 0xC2 && i+1 < len(body) && body[i+1] == 0xA0: // NBSP
			sep, w = ' ', 2
		case c == 0xE2 && i+2 < len(body) && body[i+1] == 0x80 && (body[i+2] == 0xAF || body[i+2] == 0x89): // narrow NBSP, thin space
			sep, w = ' ', 3
		default:
			return 0, false
		}
		if sc.n >= len(sc.groups)-1 {
			return 0, false
		}
		sc.groups[sc.n], sc.seps[sc.n] = cur, sep
		sc.n++
		cur = 0
		i += w
		switch sep {
		case '.':
			sc.dots++
		case ',':
			sc.commas++
		default:
			sc.spaces++
		}
		sc.lastSep = sep
	}
	sc.groups[sc.n] = cur
	sc.n++

	// Decide which separator, if any, is the decimal one.
	var dec byte
	switch {
	case sc.dots > 0 && sc.commas > 0:
		dec = sc.lastSep
		if dec == ' ' {
			return 0, false
		}
	case sc.commas == 1:
		dec = ','
	case sc.commas > 1:
		// "1,234,567": English thousands, no decimals.
	case sc.dots == 1:
		dec = '.'
		if sc.spaces == 0 && sc.n == 2 && sc.groups[1] == 3 && sc.groups[0] >= 1 && sc.groups[0] <= 3 && body[0] != '0' {
			dec = 0 // "3.331": thousands
		}
	}
	// Validate: the decimal separator at most once and last; thousands
	// groups of exactly three digits after a first group of one to three.
	decAt := -1 // index of the group after which the decimal separator comes
	for g := 0; g < sc.n-1; g++ {
		if sc.seps[g] == dec && dec != 0 {
			if decAt >= 0 {
				return 0, false
			}
			decAt = g
		}
	}
	intGroups := sc.n
	if decAt >= 0 {
		intGroups = decAt + 1
		if decAt != sc.n-2 || sc.groups[sc.n-1] == 0 {
			return 0, false // a thousands separator after the decimal one, or no decimals
		}
	}
	if intGroups > 1 {
		if sc.groups[0] < 1 || sc.groups[0] > 3 {
			return 0, false
		}
		for g := 1; g < intGroups; g++ {
			if sc.groups[g] != 3 {
				return 0, false
			}
		}
	} else if sc.groups[0] == 0 && decAt < 0 {
		return 0, false
	}

	// Second pass: collect the digits. Up to 15 significant digits a float64
	// division by an exact power of ten is correctly rounded; beyond that
	// strconv does the work.
	var mant uint64
	nd, frac := 0, 0
	inFrac := false
	g := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		if isDigit(c) {
			if mant == 0 && c == '0' && !inFrac {
				continue // leading zeros carry nothing
			}
			if nd < 19 {
				mant = mant*10 + uint64(c-'0')
			}
			nd++
			if inFrac {
				frac++
			}
			continue
		}
		if c == '.' || c == ',' || c == ' ' || c == 0xC2 || c == 0xE2 {
			if g == decAt {
				inFrac = true
			}
			g++
		}
	}
	var v float64
	if nd <= 15 && frac <= 22 {
		v = float64(mant) / pow10[frac]
	} else {
		var ok bool
		if v, ok = slowParse(body, decAt); !ok {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// slowParse rebuilds the already validated body as plain digits with a '.'
// decimal point and lets strconv round it correctly.
func slowParse(body string, decAt int) (float64, bool) {
	buf := make([]byte, 0, len(body)+1)
	g := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case isDigit(c):
			buf = append(buf, c)
		case c == '.' || c == ',' || c == ' ' || c == 0xC2 || c == 0xE2:
			if g == decAt {
				buf = append(buf, '.')
			}
			g++
		}
	}
	v, err := strconv.ParseFloat(string(buf), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// NumberRange is what a column's values can plausibly be: from 0 to Max,
// whole numbers only when Whole. It decides how a number that reads two
// ways is taken.
type NumberRange struct {
	Max   float64
	Whole bool
}

// Plausible bounds of the numeric dossier columns: nobody asks for
// documents more than 1,000 times, and a clock stopped for more than ten
// years (3,650 days) is a typing error.
var (
	SupplementRequestsRange = NumberRange{Max: 1000, Whole: true}
	SupplementDaysRange     = NumberRange{Max: 3650}
)

func (r NumberRange) plausible(v float64) bool {
	return v >= 0 && v <= r.Max && (!r.Whole || v == math.Trunc(v))
}

// NumberError says why ParseNumberIn refused a value that ParseNumber can
// read: it reads two plausible ways (Ambiguous, with both readings) or no
// plausible way (the readings are outside the column's range).
type NumberError struct {
	Value     string
	Ambiguous bool
	Readings  []float64 // the thousands reading first when there are two
}

func (e *NumberError) Error() string {
	if e.Ambiguous {
		return fmt.Sprintf("number %q reads two ways: %v or %v", e.Value, e.Readings[0], e.Readings[1])
	}
	return fmt.Sprintf("number %q is out of range", e.Value)
}

// ParseNumberIn reads s like ParseNumber, then checks it against the
// column's range r. A value of the shape "1.234" or "1,234" (one to three
// digits, one separator, exactly three digits) reads two ways: thousands
// (1234) or decimals (1,234). When exactly one reading is plausible for the
// column it is taken; when both are, the value is refused with a
// *NumberError (Ambiguous) rather than guessed; when neither is, or any
// other value falls outside r, the error is a *NumberError too. Syntax
// errors are ParseNumber's.
func ParseNumberIn(s string, r NumberRange) (v float64, ok bool, err error) {
	v, ok, err = ParseNumber(s)
	if err != nil || !ok {
		return v, ok, err
	}
	t := trimValue(s)
	if th, dec, two := twoReadings(t); two {
		pt, pd := r.plausible(th), r.plausible(dec)
		switch {
		case pt && pd:
			return 0, false, &NumberError{Value: t, Ambiguous: true, Readings: []float64{th, dec}}
		case pt:
			return th, true, nil
		case pd:
			return dec, true, nil
		}
		return 0, false, &NumberError{Value: t, Readings: []float64{th, dec}}
	}
	if !r.plausible(v) {
		return 0, false, &NumberError{Value: t, Readings: []float64{v}}
	}
	return v, true, nil
}

// twoReadings returns the thousands and the decimal reading of a value of
// the shape d{1,3}[.,]ddd without sign or other separators; a first group
// starting with 0 ("0.125") reads one way only.
func twoReadings(s string) (thousands, decimal float64, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < 1 || i > 3 || s[0] == '0' || i+4 != len(s) || (s[i] != '.' && s[i] != ',') {
		return 0, 0, false
	}
	for j := i + 1; j < len(s); j++ {
		if !isDigit(s[j]) {
			return 0, 0, false
		}
	}
	hi, _ := strconv.Atoi(s[:i])
	lo, _ := strconv.Atoi(s[i+1:])
	return float64(hi*1000 + lo), float64(hi) + float64(lo)/1000, true
}
