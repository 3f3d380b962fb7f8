package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DecodeOptions.Merged hands an XLSX sheet's merged ranges to the caller
// once, before the rows, sorted by top row then left column; a CSV has
// none and the callback is never called. reportSheet merges A1:G1, A2:G2,
// A4:A5, B4:B5, C4:D4, E4:E5, F4:F5, G4:G5 and F6:F7.
func TestDecodeMerged(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report.xlsx")
	writeWorkbook(t, report, reportSheet)
	csv := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(csv, []byte("Mã hồ sơ,Trạng thái\nA,B\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want string // refs; "-" for no call
	}{
		{report, "A1:G1 A2:G2 A4:A5 B4:B5 C4:D4 E4:E5 F4:F5 G4:G5 F6:F7"},
		{csv, "-"},
	} {
		got, calls := "-", 0
		r, err := Open(tt.path, DecodeOptions{HeaderScore: testScore, Merged: func(rs []CellRange) {
			calls++
			refs := make([]string, len(rs))
			for i, m := range rs {
				refs[i] = m.Ref()
			}
			got = strings.Join(refs, " ")
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := readAll(t, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if got != tt.want || calls > 1 {
			t.Errorf("%s: merged %q (%d calls), want %q", filepath.Base(tt.path), got, calls, tt.want)
		}
	}
}
