package transforms

import (
	"strings"
	"testing"
	"time"
)

func date(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"15/03/2024", date(2024, 3, 15, 0, 0, 0)},
		{"5/3/2024", date(2024, 3, 5, 0, 0, 0)},
		{"15-03-2024", date(2024, 3, 15, 0, 0, 0)},
		{"15.03.2024", date(2024, 3, 15, 0, 0, 0)},
		{"15/03/2024 08:30", date(2024, 3, 15, 8, 30, 0)},
		{"15/03/2024 8:30", date(2024, 3, 15, 8, 30, 0)},
		{"15/03/2024 08:30:15", date(2024, 3, 15, 8, 30, 15)},
		{"15/03/2024  08:30:15", date(2024, 3, 15, 8, 30, 15)},
		{"15/03/2024 2:30:00 PM", date(2024, 3, 15, 14, 30, 0)},
		{"15/03/2024 2:30:00 CH", date(2024, 3, 15, 14, 30, 0)},
		{"15/03/2024 12:05:00 SA", date(2024, 3, 15, 0, 5, 0)},
		{"15/03/2024 12:05 pm", date(2024, 3, 15, 12, 5, 0)},
		{"08:30 15/03/2024", date(2024, 3, 15, 8, 30, 0)},
		{"08:30:15 15/03/2024", date(2024, 3, 15, 8, 30, 15)},
		{"8:30, 15/03/2024", date(2024, 3, 15, 8, 30, 0)},
		{"2024-03-15", date(2024, 3, 15, 0, 0, 0)},
		{"2024/03/15", date(2024, 3, 15, 0, 0, 0)},
		{"2024-03-15T08:30", date(2024, 3, 15, 8, 30, 0)},
		{"2024-03-15T08:30:15", date(2024, 3, 15, 8, 30, 15)},
		{"2024-03-15 08:30:15", date(2024, 3, 15, 8, 30, 15)},
		{"2024-03-15T08:30:15.250", time.Date(2024, 3, 15, 8, 30, 15, 250e6, time.UTC)},
		{"2024-03-15T01:30:00Z", date(2024, 3, 15, 8, 30, 0)},
		{"2024-03-15T08:30:00+07:00", date(2024, 3, 15, 8, 30, 0)},
		{"2024-03-15T08:30:00+0700", date(2024, 3, 15, 8, 30, 0)},
		{"2024-03-15T03:30:00+02", date(2024, 3, 15, 8, 30, 0)},
		{"2024-03-14T20:30:00-05:00", date(2024, 3, 15, 8, 30, 0)},
		{"2024-12-31T20:00:00Z", date(2025, 1, 1, 3, 0, 0)},
		{"20240315", date(2024, 3, 15, 0, 0, 0)},
		{"20240315083015", date(2024, 3, 15, 8, 30, 15)},
		{"202403150830", date(2024, 3, 15, 8, 30, 0)},
		{"45366", date(2024, 3, 15, 0, 0, 0)},
		{"45366.5", date(2024, 3, 15, 12, 0, 0)},
		{"45366,5", date(2024, 3, 15, 12, 0, 0)},
		{"45366.354166666664", date(2024, 3, 15, 8, 30, 0)},
		{"45366.99999999", date(2024, 3, 16, 0, 0, 0)},
		{"20000", date(1954, 10, 3, 0, 0, 0)},
		{"80000", date(2119, 1, 11, 0, 0, 0)},
		{"29/02/2024", date(2024, 2, 29, 0, 0, 0)},
		{"  15/03/2024 08:30\r\n", date(2024, 3, 15, 8, 30, 0)},
		{"\u00a015/03/2024\u00a0", date(2024, 3, 15, 0, 0, 0)},
		{"\ufeff15/03/2024", date(2024, 3, 15, 0, 0, 0)},
		{"31/12/2200 23:59:59", date(2200, 12, 31, 23, 59, 59)},
		{"01/01/1900", date(1900, 1, 1, 0, 0, 0)},
	}
	for _, tt := range tests {
		got, ok, err := ParseTimestamp(tt.in)
		if err != nil || !ok || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) = %v, %v, %v; want %v", tt.in, got, ok, err, tt.want)
		}
	}
}

func TestParseTimestampEmpty(t *testing.T) {
	for _, in := range []string{"", " ", "\r\n", "\u00a0"} {
		if _, ok, err := ParseTimestamp(in); ok || err != nil {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want not ok, nil", in, ok, err)
		}
	}
}

func TestParseTimestampErrors(t *testing.T) {
	for _, in := range []string{
		"31/02/2026", "29/02/2023", "32/01/2024", "00/01/2024", "15/13/2024", "15/00/2024",
		"15/03/24", "15/03/2024 24:00", "15/03/2024 23:60", "15/03/2024 23:59:60",
		"15/03-2024", "15/03/2024T08:30", "15/03/2024 08", "15/03/2024 08:3", "15/03/2024 13:00 PM",
		"2024-02-30", "2024-03-15T", "2024-03-15T08:30+25:00", "2024-03-15T08:30:00+07:00x", "2024-03-15X",
		"1899-12-31", "2201-01-01", "19000", "80001", "4536", "453666", "45366.", "45366.5x", "-45366",
		"20241315", "20240315250000", "abc", "15/03/2024 08:30 xyz", "1/1/2024/", "Ngày 15/03/2024",
		"2024-03-15 08:30:00 +07:00", "١٥/٠٣/٢٠٢٤", "99999999999999999999999", "08:30", "08:30 ",
	} {
		_, ok, err := ParseTimestamp(in)
		if err == nil || ok {
			t.Errorf("ParseTimestamp(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), "expected dd/mm/yyyy") {
			t.Errorf("ParseTimestamp(%q) error %q", in, err)
		}
	}
	_, _, err := ParseTimestamp("31/02/2026")
	if want := `cannot read date "31/02/2026" (expected dd/mm/yyyy [HH:MM[:SS]], ISO 8601 or an Excel serial)`; err.Error() != want {
		t.Errorf("error = %q", err)
	}
}

func TestParseTimestampAllocs(t *testing.T) {
	for _, in := range []string{"15/03/2024 08:30:15", "2024-03-15T08:30:15+07:00", "45366.5", "20240315083015"} {
		if n := testing.AllocsPerRun(100, func() { _, _, _ = ParseTimestamp(in) }); n != 0 {
			t.Errorf("ParseTimestamp(%q) allocates %v times", in, n)
		}
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"15/03/2024", "5/3/2024 8:30", "15-03-2024 08:30:15", "08:30 15/03/2024", "2024-03-15T08:30:15.5+07:00",
		"2024-03-15T01:30:00Z", "20240315083015", "20240315", "45366.5", "31/02/2026", "15/03/2024 2:30:00 CH",
		"", "\xff", "2024-03-15T08:30:15.999999999999", "45366.99999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok, err := ParseTimestamp(s)
		if err != nil {
			if ok {
				t.Fatalf("ok with error for %q", s)
			}
			return
		}
		if !ok {
			if strings.TrimSpace(strings.Trim(s, "\u00a0\ufeff")) != "" && trimValue(s) != "" {
				t.Fatalf("not ok, no error for %q", s)
			}
			return
		}
		if got.Location() != time.UTC || got.Year() < 1900 || got.Year() > 2200 {
			t.Fatalf("ParseTimestamp(%q) = %v", s, got)
		}
		// Re-formatted the usual Vietnamese way, it reads back the same.
		back := got.Format("02/01/2006 15:04:05")
		again, ok, err := ParseTimestamp(back)
		if err != nil || !ok || !again.Equal(got.Truncate(time.Second)) {
			t.Fatalf("ParseTimestamp(%q) = %v; its form %q reads back as %v, %v", s, got, back, again, err)
		}
	})
}

func BenchmarkParseTimestamp(b *testing.B) {
	in := []string{"15/03/2024 08:30:15", "2024-03-15T08:30:15+07:00", "45366.5", "15/03/2024"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := ParseTimestamp(in[i%len(in)]); err != nil {
			b.Fatal(err)
		}
	}
}

// fastDMY reads only the fixed dd/mm/yyyy[ HH:MM[:SS]] layouts; on anything
// else, and on fields no calendar has, it declines (ok false) and
// ParseTimestamp takes the general parser, whose answer is in want.
func TestFastDMY(t *testing.T) {
	tests := []struct {
		in   string
		fast bool      // fastDMY reads it
		want time.Time // ParseTimestamp's answer; zero: an error
	}{
		{"15/03/2024", true, date(2024, 3, 15, 0, 0, 0)},
		{"15/03/2024 08:30", true, date(2024, 3, 15, 8, 30, 0)},
		{"15/03/2024 08:30:15", true, date(2024, 3, 15, 8, 30, 15)},
		{"01/01/1900 00:00:00", true, date(1900, 1, 1, 0, 0, 0)},
		{"31/12/2200 23:59:59", true, date(2200, 12, 31, 23, 59, 59)},
		{"29/02/2024 10:00:00", true, date(2024, 2, 29, 10, 0, 0)}, // 2024 is a leap year
		{"29/02/2000", true, date(2000, 2, 29, 0, 0, 0)},           // divisible by 400: leap
		{"28/02/2026 23:59:59", true, date(2026, 2, 28, 23, 59, 59)},
		{"01/03/2026 00:00:00", true, date(2026, 3, 1, 0, 0, 0)},
		{"31/01/2026 00:00:00", true, date(2026, 1, 31, 0, 0, 0)},
		// Refused by build: the general parser refuses them too.
		{"29/02/2026", false, time.Time{}},          // 2026 is not a leap year
		{"29/02/1900", false, time.Time{}},          // divisible by 100, not 400
		{"31/02/2026 08:00:00", false, time.Time{}}, // no 31 February
		{"31/04/2026", false, time.Time{}},
		{"00/03/2026", false, time.Time{}},
		{"15/13/2026", false, time.Time{}},
		{"15/00/2026", false, time.Time{}},
		{"15/03/2026 24:00:00", false, time.Time{}},
		{"15/03/2026 23:60", false, time.Time{}},
		{"15/03/2026 23:59:60", false, time.Time{}},
		{"15/03/1899", false, time.Time{}},
		{"15/03/2201", false, time.Time{}},
		// Other layouts: the general parser's.
		{"5/3/2024", false, date(2024, 3, 5, 0, 0, 0)},
		{"05/3/2024 08:30", false, date(2024, 3, 5, 8, 30, 0)},
		{"15/03/2024 8:30:15", false, date(2024, 3, 15, 8, 30, 15)},
		{"15-03-2024 08:30:15", false, date(2024, 3, 15, 8, 30, 15)},
		{"15.03.2024", false, date(2024, 3, 15, 0, 0, 0)},
		{"15/03/2024  08:30", false, date(2024, 3, 15, 8, 30, 0)},
		{"15/03/2024 08:30:15.5", false, time.Date(2024, 3, 15, 8, 30, 15, 5e8, time.UTC)},
		{"15/03/2024 02:30 PM", false, date(2024, 3, 15, 14, 30, 0)},
		{"15/03/2024T08:30:15", false, time.Time{}},
		{"15/03/2024 08-30-15", false, time.Time{}},
		{"1a/03/2024", false, time.Time{}},
		{"15/03/20x4", false, time.Time{}},
		{"١٥/03/2024", false, time.Time{}}, // non-ASCII digits
		{"15/03/2024 08:3٠", false, time.Time{}},
	}
	for _, tt := range tests {
		got, fast := fastDMY(tt.in)
		if fast != tt.fast || fast && got != tt.want {
			t.Errorf("fastDMY(%q) = %v, %v; want %v, %v", tt.in, got, fast, tt.want, tt.fast)
		}
		// Through ParseTimestamp, with the white space a cell carries.
		for _, in := range []string{tt.in, " " + tt.in + " \r", "\u00a0" + tt.in + "\t"} {
			p, ok, err := ParseTimestamp(in)
			if tt.want.IsZero() != (err != nil) || ok == (err != nil) || p != tt.want {
				t.Errorf("ParseTimestamp(%q) = %v, %v, %v; want %v", in, p, ok, err, tt.want)
			}
		}
	}
}

// dateUTC gives time.Date's value (==, not only Equal) on every day build
// accepts, at times spread over the day.
func TestDateUTC(t *testing.T) {
	clocks := []clock{{}, {h: 23, m: 59, s: 59}, {h: 8, m: 30, s: 15, ns: 250e6}, {h: 12, ns: 999999999}}
	n := 0
	for d := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() <= 2200; d = d.AddDate(0, 0, 1) {
		c := clocks[n%len(clocks)]
		n++
		want := time.Date(d.Year(), d.Month(), d.Day(), c.h, c.m, c.s, c.ns, time.UTC)
		if got := dateUTC(d.Year(), int(d.Month()), d.Day(), c); got != want {
			t.Fatalf("dateUTC(%v, %+v) = %v; want %v", d.Format("2006-01-02"), c, got, want)
		}
	}
	if n != 109938 { // 1900 to 2200: 301 years, 73 of them leap (1904 to 2196 every 4 years, less 2100): 301×365 + 73
		t.Errorf("%d days checked", n)
	}
}

// FuzzFastDMY: whatever fastDMY reads, the general parser reads the same
// (==), so the fast path changes no loaded value.
func FuzzFastDMY(f *testing.F) {
	for _, s := range []string{"15/03/2024", "15/03/2024 08:30", "15/03/2024 08:30:15", "29/02/2024 23:59:59",
		"31/02/2026 00:00:00", "15/03/2026 24:00:00", "5/3/2024 8:30", "15/03/2024 08:30:15.5", "00/00/0000 00:00:00", "99/99/9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := fastDMY(s)
		gen, gok := parseGeneral(s)
		if ok && (!gok || fast != gen) {
			t.Fatalf("%q: fastDMY %v, general %v, %v", s, fast, gen, gok)
		}
		if !ok && gok && (len(s) == 10 || len(s) == 16 || len(s) == 19) && strings.Count(s, "/") == 2 && s[2] == '/' && s[5] == '/' &&
			!strings.ContainsAny(s, "-.T,APMSCHapmsch") && !strings.Contains(s, "  ") && s[0] != ' ' {
			// A layout it should have read: catch a fast path that declines
			// too much (slower, not wrong), only for plain zero-padded forms.
			if _, err := time.Parse("02/01/2006 15:04:05", s); err == nil {
				t.Fatalf("%q: fastDMY declined a plain form the general parser reads as %v", s, gen)
			}
		}
	})
}

// TestParseTimestampIn: in a workbook of the 1904 date system only the
// serial forms move, by 1462 days (see TestDate1904WorkbookDates in
// pipeline for the arithmetic); a date written as text is the same in
// both systems.
func TestParseTimestampIn(t *testing.T) {
	for _, c := range []struct {
		in       string
		date1904 bool
		want     time.Time
	}{
		{"45366", false, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"43904", true, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},  // 45366 - 1462
		{"43904", false, time.Date(2020, 3, 14, 0, 0, 0, 0, time.UTC)}, // 4×365+1 days before
		{" 43904.5 ", true, time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)},
		{"43904,25", true, time.Date(2024, 3, 15, 6, 0, 0, 0, time.UTC)},
		{"15/03/2024", true, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"20240315", true, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"2024-03-15T08:30", true, time.Date(2024, 3, 15, 8, 30, 0, 0, time.UTC)},
	} {
		got, ok, err := ParseTimestampIn(c.in, c.date1904)
		if err != nil || !ok || !got.Equal(c.want) {
			t.Errorf("ParseTimestampIn(%q, %v) = %s, %v, %v; want %s", c.in, c.date1904, got, ok, err, c.want)
		}
	}
	if _, ok, err := ParseTimestampIn("", true); ok || err != nil {
		t.Errorf("empty: ok %v err %v", ok, err)
	}
	if _, _, err := ParseTimestampIn("99999", true); err == nil {
		t.Error("99999: a serial out of range read as a date")
	}
}
