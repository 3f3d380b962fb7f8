package sources

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ampHTML is a 40 KB page whose one cell of 30,000 characters spans the
// 200 columns of the header and 2,000 rows: 12 GB of cell text if filled.
func ampHTML() string {
	var b strings.Builder
	b.WriteString("<table><tr><td>Mã hồ sơ</td>")
	for i := 1; i < 200; i++ {
		fmt.Fprintf(&b, "<td>c%d</td>", i)
	}
	b.WriteString("</tr><tr><td colspan=200 rowspan=2000>" + strings.Repeat("x", 30000) + "</td></tr>")
	b.WriteString(strings.Repeat("<tr>", 1999))
	return b.String()
}

// ampXML is an XML Spreadsheet whose one cell of 1,000 characters is
// merged over 100 columns to the last row, and a row numbered 20,000: 2
// GB of cell text if filled.
const ampXML = `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>` +
	`<Row><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell><Cell ss:Index="100"><Data ss:Type="String">Trạng thái</Data></Cell></Row>` +
	`<Row><Cell ss:MergeAcross="99" ss:MergeDown="1048570"><Data ss:Type="String">%s</Data></Cell></Row>` +
	`<Row ss:Index="20000"/></Table></Worksheet></Workbook>`

// drainText reads every record of path and returns the rows, the most
// cell text one record held and the total; it stops with an error once
// the total passes stop, so a decoder without bounds fails the test
// instead of the machine.
func drainText(t *testing.T, path string, opts DecodeOptions, stop int64) (rows, most, total int64, err error) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		return 0, 0, 0, err
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, most, total, nil
		}
		if err != nil {
			return rows, most, total, err
		}
		var n int64
		for i := 0; i < int(rec.NumCols())-1; i++ {
			n += int64(len(rec.Column(i).(*array.String).ValueBytes()))
		}
		rows += rec.NumRows()
		most, total = max(most, n), total+n
		rec.Release()
		if total > stop {
			return rows, most, total, fmt.Errorf("%d rows gave more than %d bytes of text", rows, stop)
		}
	}
}

// Merged ranges copy their value into the cells they cover, in every
// format; what the copies of one file may cost is bounded
// (Limits.MaxMergedFillBytes), so a small file cannot become gigabytes
// of text. Real exports stay far under the default.
func TestMergedFillBudget(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A unit name merged down 10,000 rows and a title merged across 30
	// columns, as real exports have.
	var unit strings.Builder
	unit.WriteString(`<table><tr><td colspan=30>BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH</td></tr><tr><td>Đơn vị</td><td>Mã hồ sơ</td>`)
	for i := 2; i < 30; i++ {
		fmt.Fprintf(&unit, "<td>c%d</td>", i)
	}
	unit.WriteString(`</tr><tr><td rowspan=10000>Ủy ban nhân dân xã Tản Lĩnh, huyện Ba Vì, thành phố Hà Nội</td><td>H0</td></tr>`)
	for i := 1; i < 10000; i++ {
		fmt.Fprintf(&unit, "<tr><td>H%d</td></tr>", i)
	}
	unit.WriteString("</table>")

	for _, tt := range []struct {
		name string
		path string
		lim  Limits
		key  string // "" when the file is read whole
		rows int64
	}{
		{name: "html colspan rowspan", path: write("amp.xls", ampHTML()), key: "limits.max_merged_fill_bytes"},
		{name: "xml MergeAcross MergeDown", path: write("amp.xml", fmt.Sprintf(ampXML, strings.Repeat("y", 1000))), key: "limits.max_merged_fill_bytes"},
		{name: "xlsx merged range", path: ampXLSX(t, dir), key: "limits.max_merged_fill_bytes"},
		{name: "lower limit", path: write("small.xml", fmt.Sprintf(ampXML, "y")), lim: Limits{MaxMergedFillBytes: 1000}, key: "limits.max_merged_fill_bytes"},
		{name: "real unit and title", path: write("unit.xls", unit.String()), rows: 10000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, _, total, err := drainText(t, tt.path, DecodeOptions{HeaderScore: testScore, BatchRows: 16, Limits: tt.lim}, 1<<30)
			if tt.key == "" {
				if err != nil || rows != tt.rows {
					t.Fatalf("%d rows, error %v; want %d rows", rows, err, tt.rows)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || le.Key != tt.key || le.Path != tt.path {
				t.Fatalf("after %d rows (%d bytes): error %v, want a *LimitError on %s naming the file", rows, total, err, tt.key)
			}
			if msg := err.Error(); !strings.Contains(msg, "vùng ô gộp") || !strings.Contains(msg, "tính đến dòng ") {
				t.Errorf("error %q does not say what and where", msg)
			}
			limit := tt.lim.withDefaults().MaxMergedFillBytes
			if total > limit+int64(DefaultLimits.MaxColumns*DefaultLimits.MaxCellBytes)+1<<20 {
				t.Errorf("%d bytes of text delivered before the refusal, limit %d", total, limit)
			}
		})
	}
}

// A record ends early once its cell text reaches maxBatchBytes: 15 rows of
// 6 MB each (a cell of 30,000 characters filled over 200 columns) are not
// one record of 90 MB.
func TestBatchTextBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("<table><tr><td>Mã hồ sơ</td>")
	for i := 1; i < 200; i++ {
		fmt.Fprintf(&b, "<td>c%d</td>", i)
	}
	b.WriteString("</tr><tr><td colspan=200 rowspan=15>" + strings.Repeat("x", 30000) + "</td></tr>")
	b.WriteString(strings.Repeat("<tr>", 14) + "</table>")
	path := filepath.Join(t.TempDir(), "wide.xls")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// The builders of a record after one cut short by its text are sized
	// from that record's rows, not from the rows a record may hold
	// (8,192 rows of 6 MB would be reserved).
	mem := &boundedAlloc{Allocator: memory.NewGoAllocator(), max: 4 * maxBatchBytes}
	defer func() {
		if p := recover(); p != nil {
			t.Fatal(p)
		}
	}()
	rows, most, total, err := drainText(t, path, DecodeOptions{HeaderScore: testScore, Mem: mem}, 1<<30)
	if err != nil || rows != 15 {
		t.Fatalf("%d rows, error %v; want 15 rows", rows, err)
	}
	row := int64(200 * 30000)
	if most > maxBatchBytes+row {
		t.Errorf("a record holds %d bytes of text (of %d), want at most %d", most, total, maxBatchBytes+row)
	}
}

// A run of line breaks in a cell counts toward Limits.MaxCellBytes while
// the cell is read, in a cell and in a table nested too deep alike: the
// decoder refuses the cell before holding it.
func TestHTMLLineBreaksBounded(t *testing.T) {
	deep := strings.Repeat("<table><tr><td>", maxTableDepth+2)
	for _, tt := range []struct{ name, text string }{
		{"br in a cell", "<table><tr><td>Mã hồ sơ</td></tr><tr><td>x" + strings.Repeat("<br>", 200) + "</td></tr></table>"},
		{"br in a table nested too deep", "<table><tr><td>Mã hồ sơ</td></tr><tr><td>x" + deep + "y" + strings.Repeat("<br>", 200) + "</table>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "br.xls")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := decodeFile(t, path, DecodeOptions{HeaderScore: testScore, Limits: Limits{MaxCellBytes: 64}})
			var le *LimitError
			if !errors.As(err, &le) || le.Key != "limits.max_cell_bytes" || le.Path != path {
				t.Fatalf("error %v, want a *LimitError on limits.max_cell_bytes", err)
			}
			// "dài hơn": refused while the cell was read, not once held.
			if !strings.Contains(err.Error(), "dài hơn 64 byte") {
				t.Errorf("error %q: the cell was held whole before it was refused", err)
			}
		})
	}
}

// ampXLSX writes a workbook whose cell of 1,000 characters is merged over
// 100 columns down to the last row, with a row numbered 20,000: 2 GB of
// cell text if filled.
func ampXLSX(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "amp.xlsx")
	sheet := `<worksheet ` + sheetNS + `><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c r="CV1" t="inlineStr"><is><t>Trạng thái</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>` + strings.Repeat("z", 1000) + `</t></is></c></row>` +
		`<row r="20000"><c r="CW20000"><v>1</v></c></row></sheetData>` +
		`<mergeCells count="1"><mergeCell ref="A2:CV1048570"/></mergeCells></worksheet>`
	if err := os.WriteFile(path, rawWorkbook(t, sheet, ""), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// boundedAlloc panics when what it has allocated would pass max, instead
// of letting the test run out of the machine's memory.
type boundedAlloc struct {
	memory.Allocator
	cur, max int
}

func (a *boundedAlloc) Allocate(size int) []byte {
	a.grow(size)
	return a.Allocator.Allocate(size)
}

func (a *boundedAlloc) Reallocate(size int, b []byte) []byte {
	a.grow(size - len(b))
	return a.Allocator.Reallocate(size, b)
}

func (a *boundedAlloc) Free(b []byte) {
	a.cur -= len(b)
	a.Allocator.Free(b)
}

func (a *boundedAlloc) grow(n int) {
	if a.cur += n; a.cur > a.max {
		panic(fmt.Sprintf("%d bytes allocated at once, more than %d", a.cur, a.max))
	}
}
