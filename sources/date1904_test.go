package sources

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestDate1904: Open's readers say which workbooks count their serial
// dates in Excel's 1904 date system (workbookPr date1904); every other
// file, a CSV too, counts in none.
func TestDate1904(t *testing.T) {
	dir := t.TempDir()
	book := func(name string, date1904 *bool) string {
		x := excelize.NewFile()
		if date1904 != nil {
			if err := x.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: date1904}); err != nil {
				t.Fatal(err)
			}
		}
		for i, r := range [][]any{{"Số hồ sơ", "Ngày nhận"}, {"H41.01-260305-0001", 44624}} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name)
		if err := x.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	yes, no := true, false
	csv := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(csv, []byte("Số hồ sơ,Ngày nhận\nH41.01-260305-0001,44624\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want bool
	}{
		{book("mac.xlsx", &yes), true},
		{book("off.xlsx", &no), false},
		{book("plain.xlsx", nil), false},
		{csv, false},
	} {
		r, err := Open(c.path, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d, ok := r.(DateSystem)
		if !ok {
			t.Fatalf("%s: the reader is no DateSystem", filepath.Base(c.path))
		}
		if got := d.Date1904(); got != c.want {
			t.Errorf("%s: Date1904 %v, want %v", filepath.Base(c.path), got, c.want)
		}
		r.Close()
	}
}
