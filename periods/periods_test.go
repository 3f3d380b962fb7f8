package periods

import (
	"strings"
	"testing"
	"time"
)

func d(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }

func TestParse(t *testing.T) {
	cases := []struct {
		name, conv string
		start, end time.Time
		kind, prev string
	}{
		{"2026-03", Calendar, d(2026, 3, 1), d(2026, 4, 1), "month", "2026-02"},
		{"2026-01", Calendar, d(2026, 1, 1), d(2026, 2, 1), "month", "2025-12"},
		{"2026-12", Calendar, d(2026, 12, 1), d(2027, 1, 1), "month", "2026-11"},
		{"2026-Q1", Calendar, d(2026, 1, 1), d(2026, 4, 1), "quarter", "2025-Q4"},
		{"2026-Q4", Calendar, d(2026, 10, 1), d(2027, 1, 1), "quarter", "2026-Q3"},
		{"2026-H2", Calendar, d(2026, 7, 1), d(2027, 1, 1), "half", "2026-H1"},
		{"2026-H1", Calendar, d(2026, 1, 1), d(2026, 7, 1), "half", "2025-H2"},
		{"2026", Calendar, d(2026, 1, 1), d(2027, 1, 1), "year", "2025"},
		// decree09: a month runs from the 15th of the previous month to the 14th.
		{"2026-03", Decree09, d(2026, 2, 15), d(2026, 3, 15), "month", "2026-02"},
		{"2026-01", Decree09, d(2025, 12, 15), d(2026, 1, 15), "month", "2025-12"},
		{"2026-Q1", Decree09, d(2025, 12, 15), d(2026, 3, 15), "quarter", "2025-Q4"},
		{"2026-H2", Decree09, d(2026, 6, 15), d(2026, 12, 15), "half", "2026-H1"},
		{"2026", Decree09, d(2025, 12, 15), d(2026, 12, 15), "year", "2025"},
	}
	for _, c := range cases {
		p, err := Parse(c.name, c.conv)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !p.Start.Equal(c.start) || !p.End.Equal(c.end) || p.Kind != c.kind || p.Previous != c.prev {
			t.Errorf("%s %s = [%s, %s) %s prev %s", c.name, c.conv, p.Start, p.End, p.Kind, p.Previous)
		}
	}
	for _, bad := range []string{"", "26-03", "2026-13", "2026-Q5", "2026-H3", "2026-3", "abcd", "2026-00", "2026/03"} {
		if _, err := Parse(bad, Calendar); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if _, err := Parse("2026", "fiscal"); err == nil {
		t.Error("unknown convention accepted")
	}
}

func TestContaining(t *testing.T) {
	cases := []struct {
		t    time.Time
		conv string
		want string
	}{
		{time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC), Calendar, "2026-03 2026-Q1 2026-H1 2026"},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Calendar, "2026-04 2026-Q2 2026-H1 2026"},
		{time.Date(2026, 3, 14, 23, 59, 0, 0, time.UTC), Decree09, "2026-03 2026-Q1 2026-H1 2026"},
		{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), Decree09, "2026-04 2026-Q2 2026-H1 2026"},
		{time.Date(2026, 12, 15, 8, 0, 0, 0, time.UTC), Decree09, "2027-01 2027-Q1 2027-H1 2027"},
		{time.Date(2026, 6, 15, 8, 0, 0, 0, time.UTC), Decree09, "2026-07 2026-Q3 2026-H2 2026"},
	}
	for _, c := range cases {
		var names []string
		for _, p := range Containing(c.t, c.conv) {
			names = append(names, p.Name)
			if c.t.Before(p.Start) || !c.t.Before(p.End) {
				t.Errorf("%s not in %s [%s, %s)", c.t, p.Name, p.Start, p.End)
			}
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("Containing(%s, %s) = %s, want %s", c.t, c.conv, got, c.want)
		}
	}
}

func TestCovering(t *testing.T) {
	ps := Covering(d(2026, 1, 5), d(2026, 4, 2), Calendar)
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	want := "2026-01 2026-02 2026-03 2026-04 2026-Q1 2026-Q2 2026-H1 2026"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("Covering = %s, want %s", got, want)
	}
	if len(Covering(d(2026, 3, 1), d(2026, 2, 1), Calendar)) != 0 {
		t.Error("an empty range covers nothing")
	}
}
