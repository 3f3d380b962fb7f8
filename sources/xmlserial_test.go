package sources

import "testing"

// An XML Spreadsheet DateTime gives the serial Excel stores for the date
// (what the XLSX decoder reads), whatever the year; a date Excel has no
// serial for, or text that is no DateTime, is kept as written so the
// transform refuses it rather than reading another date.
func TestExcelSerial(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"noon", "2024-03-15T12:00:00.000", "45366.5"},
		{"no fraction", "2024-03-15T00:00:00", "45366"},
		{"date only", "2024-03-15", "45366"},
		{"spaces", " 2024-03-15T06:00:00.000 ", "45366.25"},
		{"beyond 292 years", "2204-03-15T00:00:00.000", "111109"},
		{"last year Excel has", "9999-12-31T00:00:00.000", "2958465"},
		{"first day", "1900-01-01T00:00:00.000", "1"},
		{"before Excel's 29 February 1900", "1900-02-28T00:00:00.000", "59"},
		{"after it", "1900-03-01T00:00:00.000", "61"},
		{"before 1900", "1899-12-31T00:00:00.000", "1899-12-31T00:00:00.000"},
		{"year 1", "0001-01-01T00:00:00.000", "0001-01-01T00:00:00.000"},
		{"not a date", "15/03/2024", "15/03/2024"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := excelSerial(tt.in); got != tt.want {
				t.Errorf("excelSerial(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
