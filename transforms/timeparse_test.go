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
