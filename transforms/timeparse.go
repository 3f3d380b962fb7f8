package transforms

import (
	"fmt"
	"math"
	"time"
)

// vietnamOffset is Asia/Ho_Chi_Minh's offset from UTC. Vietnam has kept
// UTC+7 without daylight saving since 1975, so a constant is exact for every
// date we load and avoids depending on the tzdata of the host.
const vietnamOffset = 7 * 60 * 60

// excelEpoch is day 0 of the Excel 1900 date system for serials after 60:
// Lotus 1-2-3 counted a 29 February 1900 that never was, so serial 61 is
// 1 March 1900 and counting from 30 December 1899 is right for all of them.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// Excel serials outside this range are more likely counts or codes than
// dates: 20000 is 1954-10-03, 80000 is 2119-01-11.
const minSerial, maxSerial = 20000, 80000

// ParseTimestamp reads a date or date-time cell as a naive Vietnamese local
// wall-clock time, returned in time.UTC: "15/03/2024 08:30" gives
// time.Date(2024, 3, 15, 8, 30, 0, 0, time.UTC).
//
// Accepted forms (leading and trailing white space ignored):
//
//	15/03/2024, 5/3/2024, 15-03-2024, 15.03.2024
//	... followed by " 08:30", " 8:30:15" (optionally ".123", " AM"/" PM"/" SA"/" CH")
//	08:30 15/03/2024, 08:30:15 15/03/2024
//	2024-03-15, 2024/03/15, 2024-03-15T08:30[:15[.123]], 2024-03-15 08:30:15
//	... with Z or ±hh:mm: an instant, converted to Vietnam time (UTC+7)
//	20240315, 202403150830, 20240315083015 (national sync compact forms)
//	45366, 45366.5 (Excel serial day numbers, 20000 to 80000, fraction = time
//	of day rounded to the second)
//
// Empty input gives ok == false and a nil error. Anything else, including
// impossible dates (31/02/2026), hours above 23 and years outside 1900–2200,
// gives an error naming the value. It never panics and allocates only when
// it returns an error.
func ParseTimestamp(s string) (t time.Time, ok bool, err error) {
	s = trimValue(s)
	if s == "" {
		return time.Time{}, false, nil
	}
	if t, ok := parseTimestamp(s); ok {
		return t, true, nil
	}
	return time.Time{}, false, fmt.Errorf("cannot read date %q (expected dd/mm/yyyy [HH:MM[:SS]], ISO 8601 or an Excel serial)", s)
}

// date1904Days is how much later Excel's 1904 date system puts the same
// serial than the 1900 system: its day 0 is 1 January 1904, and the 1900
// system's serial of that day is 1462.
const date1904Days = 1462

// ParseTimestampIn is ParseTimestamp for a cell of a file whose Excel
// serial dates count in the 1904 date system when date1904 is set (see
// sources.DateSystem): a serial then gives the day 1462 days later
// (serial 43904 is 15/03/2024, not 14/03/2020). Every other form reads as
// ParseTimestamp reads it.
func ParseTimestampIn(s string, date1904 bool) (time.Time, bool, error) {
	t, ok, err := ParseTimestamp(s)
	if ok && date1904 && isSerial(trimValue(s)) {
		t = t.AddDate(0, 0, date1904Days)
	}
	return t, ok, err
}

// isSerial reports the forms of an Excel serial that ParseTimestamp reads:
// five digits, alone or with a fraction after '.' or ','. (The other forms
// of digits alone are 8, 12 or 14 long.)
func isSerial(s string) bool {
	_, n := digits(s, 0)
	return n == 5 && (len(s) == 5 || s[5] == '.' || s[5] == ',')
}

// clock is a parsed time of day.
type clock struct {
	h, m, s, ns int
}

func parseTimestamp(s string) (time.Time, bool) {
	if t, ok := fastDMY(s); ok {
		return t, true
	}
	return parseGeneral(s)
}

// fastDMY reads the three fixed layouts the one-stop systems export,
// zero-padded with '/': dd/mm/yyyy, dd/mm/yyyy HH:MM and
// dd/mm/yyyy HH:MM:SS (10, 16 and 19 bytes, trimmed). It reads nothing
// else: on any other input, or fields build refuses (31/02/2026, 24:00),
// ok is false and the caller takes the general parser, which gives the
// same result for every string fastDMY accepts (FuzzFastDMY). It is about
// a tenth of the general path's cost, and four dates a row are most of the
// transform's parsing.
func fastDMY(s string) (time.Time, bool) {
	n := len(s)
	if n != 10 && n != 16 && n != 19 || s[2] != '/' || s[5] != '/' {
		return time.Time{}, false
	}
	d, ok1 := two(s[0], s[1])
	mo, ok2 := two(s[3], s[4])
	y1, ok3 := two(s[6], s[7])
	y2, ok4 := two(s[8], s[9])
	if !(ok1 && ok2 && ok3 && ok4) {
		return time.Time{}, false
	}
	var c clock
	if n > 10 {
		var okh, okm bool
		if s[10] != ' ' || s[13] != ':' {
			return time.Time{}, false
		}
		c.h, okh = two(s[11], s[12])
		c.m, okm = two(s[14], s[15])
		if !(okh && okm) {
			return time.Time{}, false
		}
		if n == 19 {
			var oks bool
			if s[16] != ':' {
				return time.Time{}, false
			}
			if c.s, oks = two(s[17], s[18]); !oks {
				return time.Time{}, false
			}
		}
	}
	return build(y1*100+y2, mo, d, c, false, 0)
}

// two reads two ASCII digits.
func two(a, b byte) (int, bool) {
	a, b = a-'0', b-'0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// parseGeneral reads every accepted form (see ParseTimestamp).
func parseGeneral(s string) (time.Time, bool) {
	v, n := digits(s, 0)
	if n == 0 {
		return time.Time{}, false
	}
	if n == len(s) { // only digits
		switch n {
		case 5:
			return excelSerial(v, 0, 0)
		case 8:
			return build(v/10000, v/100%100, v%100, clock{}, false, 0)
		case 12:
			d := v / 10000
			return build(d/10000, d/100%100, d%100, clock{h: v / 100 % 100, m: v % 100}, false, 0)
		case 14:
			d := v / 1000000
			return build(d/10000, d/100%100, d%100, clock{h: v / 10000 % 100, m: v / 100 % 100, s: v % 100}, false, 0)
		}
		return time.Time{}, false
	}
	sep := s[n]
	switch {
	case n == 5 && (sep == '.' || sep == ','):
		return serialWithFraction(s, v, n+1)
	case n == 4 && (sep == '-' || sep == '/'):
		return parseISO(s, v, n)
	case n <= 2 && (sep == '/' || sep == '-' || sep == '.'):
		d, m, y, i, ok := dmy(s, 0)
		if !ok {
			return time.Time{}, false
		}
		if i == len(s) {
			return build(y, m, d, clock{}, false, 0)
		}
		j := skipSpaces(s, i)
		if j == i {
			return time.Time{}, false
		}
		c, k, ok := parseClock(s, j, true)
		if !ok || k != len(s) {
			return time.Time{}, false
		}
		return build(y, m, d, c, false, 0)
	case n <= 2 && sep == ':':
		c, i, ok := parseClock(s, 0, true)
		if !ok {
			return time.Time{}, false
		}
		if i < len(s) && s[i] == ',' {
			i++
		}
		j := skipSpaces(s, i)
		if j == i {
			return time.Time{}, false
		}
		d, m, y, k, ok := dmy(s, j)
		if !ok || k != len(s) {
			return time.Time{}, false
		}
		return build(y, m, d, c, false, 0)
	}
	return time.Time{}, false
}

// dmy reads d{1,2} SEP m{1,2} SEP yyyy at i, SEP one of / - . used twice.
func dmy(s string, i int) (d, m, y, end int, ok bool) {
	d, n := digits(s, i)
	if n < 1 || n > 2 || i+n >= len(s) {
		return 0, 0, 0, 0, false
	}
	i += n
	sep := s[i]
	if sep != '/' && sep != '-' && sep != '.' {
		return 0, 0, 0, 0, false
	}
	m, n = digits(s, i+1)
	if n < 1 || n > 2 {
		return 0, 0, 0, 0, false
	}
	i += 1 + n
	if i >= len(s) || s[i] != sep {
		return 0, 0, 0, 0, false
	}
	y, n = digits(s, i+1)
	if n != 4 {
		return 0, 0, 0, 0, false
	}
	return d, m, y, i + 1 + n, true
}

// parseISO reads the rest of yyyy-mm-dd[(T| )HH:MM[:SS[.f]][Z|±hh[:mm]]]
// after the four-digit year y; s[i] is the date separator.
func parseISO(s string, y, i int) (time.Time, bool) {
	sep := s[i]
	m, n := digits(s, i+1)
	if n < 1 || n > 2 {
		return time.Time{}, false
	}
	i += 1 + n
	if i >= len(s) || s[i] != sep {
		return time.Time{}, false
	}
	d, n := digits(s, i+1)
	if n < 1 || n > 2 {
		return time.Time{}, false
	}
	i += 1 + n
	if i == len(s) {
		return build(y, m, d, clock{}, false, 0)
	}
	switch s[i] {
	case 'T', 't':
		i++
	case ' ':
		i = skipSpaces(s, i)
	default:
		return time.Time{}, false
	}
	c, i, ok := parseClock(s, i, false)
	if !ok {
		return time.Time{}, false
	}
	if i == len(s) {
		return build(y, m, d, c, false, 0)
	}
	off, ok := parseOffset(s[i:])
	if !ok {
		return time.Time{}, false
	}
	return build(y, m, d, c, true, off)
}

// parseOffset reads Z, z, ±hh, ±hhmm or ±hh:mm making up all of s, in seconds.
func parseOffset(s string) (int, bool) {
	if s == "Z" || s == "z" {
		return 0, true
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	if !isDigit(s[1]) || !isDigit(s[2]) {
		return 0, false
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	rest := s[3:]
	if len(rest) > 0 && rest[0] == ':' {
		rest = rest[1:]
	}
	m := 0
	if rest != "" {
		var n int
		if m, n = digits(rest, 0); n != 2 || len(rest) != 2 {
			return 0, false
		}
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// parseClock reads H{1,2}:MM[:SS[.f{1,9}]] at i, and when meridiem is set an
// optional " AM"/" PM" or their Vietnamese forms " SA"/" CH" (as .NET writes
// times on Vietnamese Windows).
func parseClock(s string, i int, meridiem bool) (clock, int, bool) {
	var c clock
	var n int
	if c.h, n = digits(s, i); n < 1 || n > 2 {
		return c, 0, false
	}
	i += n
	if i >= len(s) || s[i] != ':' {
		return c, 0, false
	}
	if c.m, n = digits(s, i+1); n != 2 {
		return c, 0, false
	}
	i += 1 + n
	if i < len(s) && s[i] == ':' {
		if c.s, n = digits(s, i+1); n != 2 {
			return c, 0, false
		}
		i += 1 + n
		if i < len(s) && (s[i] == '.' || s[i] == ',') && i+1 < len(s) && isDigit(s[i+1]) {
			i++
			scale := 100000000
			for ; i < len(s) && isDigit(s[i]); i++ {
				c.ns += int(s[i]-'0') * scale
				scale /= 10
			}
		}
	}
	if meridiem {
		j := skipSpaces(s, i)
		if j > i && j+2 <= len(s) {
			pm := false
			switch upper2(s[j:]) {
			case "AM", "SA":
			case "PM", "CH":
				pm = true
			default:
				return c, i, true
			}
			if c.h < 1 || c.h > 12 {
				return c, 0, false
			}
			c.h %= 12
			if pm {
				c.h += 12
			}
			i = j + 2
		}
	}
	return c, i, true
}

func upper2(s string) string {
	a, b := s[0], s[1]
	if a >= 'a' && a <= 'z' {
		a -= 'a' - 'A'
	}
	if b >= 'a' && b <= 'z' {
		b -= 'a' - 'A'
	}
	switch {
	case a == 'A' && b == 'M':
		return "AM"
	case a == 'P' && b == 'M':
		return "PM"
	case a == 'S' && b == 'A':
		return "SA"
	case a == 'C' && b == 'H':
		return "CH"
	}
	return ""
}

// build validates the fields and makes the naive timestamp. With zoned set,
// the fields are a local time at offset off (seconds east of UTC) and are
// converted to Vietnam wall-clock time.
func build(y, mo, d int, c clock, zoned bool, off int) (time.Time, bool) {
	if y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) ||
		c.h > 23 || c.m > 59 || c.s > 59 {
		return time.Time{}, false
	}
	t := dateUTC(y, mo, d, c)
	if zoned {
		t = t.Add(time.Duration(vietnamOffset-off) * time.Second)
		if t.Year() < 1900 || t.Year() > 2200 {
			return time.Time{}, false
		}
	}
	return t, true
}

// dateUTC is time.Date(y, mo, d, c.h, c.m, c.s, c.ns, time.UTC), the same
// value (==), for fields build has validated: the day count from the civil
// date (H. Hinnant's days_from_civil) instead of time.Date's general
// normalisation, which was a third of a date's parse.
func dateUTC(y, mo, d int, c clock) time.Time {
	if mo <= 2 {
		y--
	}
	era := y / 400 // y >= 1899 here: no negative division
	yoe := y - era*400
	mp := (mo + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468 // since 1970-01-01
	return time.Unix(days*86400+int64(c.h*3600+c.m*60+c.s), int64(c.ns)).UTC()
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// serialWithFraction reads the fraction digits of an Excel serial from s[i:]
// (all of the rest must be digits) and builds the time.
func serialWithFraction(s string, days, i int) (time.Time, bool) {
	if i >= len(s) {
		return time.Time{}, false
	}
	var num, den float64 = 0, 1
	for ; i < len(s); i++ {
		if !isDigit(s[i]) {
			return time.Time{}, false
		}
		if den < 1e15 { // digits past double precision change nothing
			num = num*10 + float64(s[i]-'0')
			den *= 10
		}
	}
	return excelSerial(days, num, den)
}

// excelSerial converts serial day number days + num/den (den 0 means no
// fraction) to a naive timestamp, the fraction rounded to the second.
func excelSerial(days int, num, den float64) (time.Time, bool) {
	if days < minSerial || days > maxSerial {
		return time.Time{}, false
	}
	secs := 0
	if den > 0 {
		secs = int(math.Round(num / den * 86400))
	}
	return excelEpoch.AddDate(0, 0, days).Add(time.Duration(secs) * time.Second), true
}

// digits reads up to 18 decimal digits at s[i:] and returns their value and
// count; a longer run returns a count above 18 and a meaningless value, which
// every caller rejects.
func digits(s string, i int) (v, n int) {
	for j := i; j < len(s) && isDigit(s[j]); j++ {
		if n < 18 {
			v = v*10 + int(s[j]-'0')
		}
		n++
	}
	return v, n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// trimValue trims ASCII white space, NBSP and BOM from both ends of a cell
// without allocating: cells from Excel and Windows CSV carry "\r", NBSP and,
// on the first cell, a BOM.
func trimValue(s string) string {
	for {
		switch {
		case s == "":
			return s
		case isASCIISpace(s[0]):
			s = s[1:]
		case len(s) >= 2 && s[0] == 0xC2 && s[1] == 0xA0:
			s = s[2:]
		case len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF:
			s = s[3:]
		default:
			return trimValueRight(s)
		}
	}
}

func trimValueRight(s string) string {
	for {
		n := len(s)
		switch {
		case n == 0:
			return s
		case isASCIISpace(s[n-1]):
			s = s[:n-1]
		case n >= 2 && s[n-2] == 0xC2 && s[n-1] == 0xA0:
			s = s[:n-2]
		default:
			return s
		}
	}
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}
