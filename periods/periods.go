// Package periods names reporting periods (YYYY-MM, YYYY-Qn, YYYY-H1|H2,
// YYYY) and computes their boundaries under the two conventions of
// docs/contract.md: calendar, and decree09, the government reporting convention in
// which a month runs from the 15th of the previous month to the 14th and a
// year from 15 December of the previous year to 14 December.
//
// Boundaries are naive wall-clock times (time.UTC carrying Vietnamese local
// fields), [Start, End).
package periods

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Conventions.
const (
	Calendar = "calendar"
	Decree09 = "decree09"
)

// Kinds, in the order publications list them.
var Kinds = []string{"month", "quarter", "half", "year"}

// Period is one reporting period.
type Period struct {
	Name       string // 2026-03, 2026-Q1, 2026-H1, 2026
	Kind       string // month, quarter, half, year
	Convention string
	Start, End time.Time
	Previous   string // the period of the same kind just before
}

// Parse reads a period name under a convention.
func Parse(name, convention string) (Period, error) {
	if convention != Calendar && convention != Decree09 {
		return Period{}, fmt.Errorf("unknown period convention %q (calendar or decree09)", convention)
	}
	bad := func() (Period, error) {
		return Period{}, fmt.Errorf("bad period %q: expected YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY", name)
	}
	if len(name) < 4 {
		return bad()
	}
	year, err := strconv.Atoi(name[:4])
	if err != nil || year < 1900 || year > 2200 {
		return bad()
	}
	rest := name[4:]
	var kind string
	var first, months int // first month (1-based) and length in months
	switch {
	case rest == "":
		kind, first, months = "year", 1, 12
	case len(rest) == 3 && rest[0] == '-' && rest[1] == 'Q' && rest[2] >= '1' && rest[2] <= '4':
		kind, first, months = "quarter", 3*int(rest[2]-'1')+1, 3
	case len(rest) == 3 && rest[0] == '-' && rest[1] == 'H' && (rest[2] == '1' || rest[2] == '2'):
		kind, first, months = "half", 6*int(rest[2]-'1')+1, 6
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 {
			return bad()
		}
		kind, first, months = "month", m, 1
	default:
		return bad()
	}
	p := Period{Name: name, Kind: kind, Convention: convention}
	p.Start = monthStart(year, first, convention)
	p.End = monthStart(year, first+months, convention)
	p.Previous = previous(kind, year, first)
	return p, nil
}

// monthStart is where month m of year y starts (m may be 13: the next year).
func monthStart(y, m int, convention string) time.Time {
	t := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	if convention == Decree09 {
		// The reporting month m starts on the 15th of the month before.
		t = time.Date(y, time.Month(m)-1, 15, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func previous(kind string, y, first int) string {
	switch kind {
	case "year":
		return strconv.Itoa(y - 1)
	case "half":
		if first == 1 {
			return fmt.Sprintf("%d-H2", y-1)
		}
		return fmt.Sprintf("%d-H1", y)
	case "quarter":
		q := (first-1)/3 + 1
		if q == 1 {
			return fmt.Sprintf("%d-Q4", y-1)
		}
		return fmt.Sprintf("%d-Q%d", y, q-1)
	}
	if first == 1 {
		return fmt.Sprintf("%d-12", y-1)
	}
	return fmt.Sprintf("%d-%02d", y, first-1)
}

// Containing returns the periods of every kind that contain t.
func Containing(t time.Time, convention string) []Period {
	t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	y, m := t.Year(), int(t.Month())
	if convention == Decree09 && t.Day() >= 15 {
		// From the 15th on, the date belongs to the next reporting month.
		m++
		if m == 13 {
			y, m = y+1, 1
		}
	}
	names := []string{
		fmt.Sprintf("%d-%02d", y, m),
		fmt.Sprintf("%d-Q%d", y, (m-1)/3+1),
		fmt.Sprintf("%d-H%d", y, (m-1)/6+1),
		strconv.Itoa(y),
	}
	out := make([]Period, 0, 4)
	for _, n := range names {
		p, _ := Parse(n, convention)
		out = append(out, p)
	}
	return out
}

// Covering returns every period of every kind that overlaps [from, to],
// sorted by kind (month, quarter, half, year) then start.
func Covering(from, to time.Time, convention string) []Period {
	if to.Before(from) {
		return nil
	}
	seen := map[string]bool{}
	var out []Period
	// Walk month by month through reporting months; each month's
	// containing periods cover all kinds.
	for t := from; ; {
		for _, p := range Containing(t, convention) {
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
		month := Containing(t, convention)[0]
		if month.End.After(to) {
			break
		}
		t = month.End
	}
	rank := map[string]int{}
	for i, k := range Kinds {
		rank[k] = i
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		return out[i].Start.Before(out[j].Start)
	})
	return out
}
