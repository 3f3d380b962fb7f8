package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hiddenFirst is an XML Spreadsheet whose first worksheet, a lookup list,
// is hidden (its options come after its rows, as Excel writes them).
const hiddenFirst = `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel">
<Worksheet ss:Name="DanhMuc"><Table><Row><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell></Row><Row><Cell><Data ss:Type="String">LOOKUP</Data></Cell></Row></Table>
<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>%s</Visible></WorksheetOptions></Worksheet>
<Worksheet ss:Name="BaoCao"><Table><Row><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell></Row><Row><Cell><Data ss:Type="String">H1</Data></Cell></Row></Table></Worksheet></Workbook>`

// A hidden first worksheet is not read as the data when no sheet is
// named (XLSX takes the first visible sheet): the file is refused, saying
// which sheet: to set. A named sheet is read, hidden or not.
func TestXMLSpreadsheetHiddenSheet(t *testing.T) {
	for _, tt := range []struct {
		name, visible, sheet string
		want                 string // the first data cell; "" for an error
		err                  []string
	}{
		{name: "hidden first", visible: "SheetHidden", err: []string{`trang tính đầu tiên "DanhMuc" bị ẩn`, "sheet: của nguồn", "(the first worksheet is hidden"}},
		{name: "very hidden first", visible: " SheetVeryHidden ", err: []string{`"DanhMuc" bị ẩn`}},
		{name: "visible first", visible: "SheetVisible", want: "LOOKUP"},
		{name: "named sheet", visible: "SheetHidden", sheet: "BaoCao", want: "H1"},
		{name: "named hidden sheet", visible: "SheetHidden", sheet: "danhmuc", want: "LOOKUP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hid.xls")
			if err := os.WriteFile(path, []byte(strings.Replace(hiddenFirst, "%s", tt.visible, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, merged := range []bool{false, true} {
				opts := DecodeOptions{HeaderScore: testScore, Sheet: tt.sheet}
				var d decoded
				var err error
				if merged {
					d, err = decodeFile(t, path, opts) // a first pass reads the merged ranges
				} else if r, oerr := Open(path, opts); oerr != nil {
					err = oerr
				} else {
					_, d.rows, err = readAll(t, r)
					r.Close()
				}
				if tt.want != "" {
					if err != nil || len(d.rows) != 1 || d.rows[0].cells[0] != tt.want {
						t.Fatalf("merged %v: rows %v, error %v; want %q", merged, d.rows, err, tt.want)
					}
					continue
				}
				if err == nil || !strings.HasPrefix(err.Error(), "tệp "+path+": ") {
					t.Fatalf("merged %v: rows %v, error %v; want the file refused", merged, d.rows, err)
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
			}
		})
	}
}
