package sources

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cchc/cchc/vnenc"
	"github.com/xuri/excelize/v2"
)

// tcell is a cell of a generated table: its text and how many more
// columns and rows it spans.
type tcell struct {
	v            string
	across, down int
}

// placed is a cell laid out at its column (0-based).
type placed struct {
	tcell
	col int
}

// ttable is a generated table as Excel lays it out: for each row its cells
// in document order, the columns that ranges from above cover left out.
type ttable [][]placed

// layout places rows of cells as a browser does: a cell goes to the next
// column that no range from a row above covers, and its span across is
// cut where such a range begins (so that no two ranges overlap).
func layout(rows [][]tcell) ttable {
	var covered []int // per column, the last row a range from above covers
	out := make(ttable, len(rows))
	for r, cells := range rows {
		col := 0
		free := func(c int) bool { return c >= len(covered) || covered[c] < r }
		for _, c := range cells {
			for !free(col) {
				col++
			}
			n := 0
			for n < c.across && free(col+n+1) {
				n++
			}
			c.across = n
			c.down = min(c.down, len(rows)-1-r)
			out[r] = append(out[r], placed{c, col})
			if c.down > 0 {
				for len(covered) <= col+c.across {
					covered = append(covered, -1)
				}
				for k := col; k <= col+c.across; k++ {
					covered[k] = r + c.down
				}
			}
			col += c.across + 1
		}
	}
	return out
}

// xlsx saves the table as a workbook, spans as merged ranges.
func (tb ttable) xlsx(t testing.TB, path string) {
	t.Helper()
	writeWorkbook(t, path, func(f *excelize.File) error {
		for r, cells := range tb {
			// Every row of the table is a row element, as Excel writes
			// them (a merged range's covered cells have theirs).
			if err := f.SetRowHeight("Sheet1", r+1, 16); err != nil {
				return err
			}
			for _, c := range cells {
				a, _ := excelize.CoordinatesToCellName(c.col+1, r+1)
				if c.v != "" {
					if err := f.SetCellStr("Sheet1", a, c.v); err != nil {
						return err
					}
				}
				if c.across > 0 || c.down > 0 {
					b, _ := excelize.CoordinatesToCellName(c.col+1+c.across, r+1+c.down)
					if err := f.MergeCell("Sheet1", a, b); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// html renders the table as a one-stop system's "Excel" page.
func (tb ttable) html() string {
	var b strings.Builder
	b.WriteString("<html><head><meta charset=\"utf-8\"></head><body><table border=\"1\">\n")
	for _, cells := range tb {
		b.WriteString("<tr>")
		for _, c := range cells {
			b.WriteString("<td")
			if c.across > 0 {
				fmt.Fprintf(&b, " colspan=\"%d\"", c.across+1)
			}
			if c.down > 0 {
				fmt.Fprintf(&b, " rowspan=\"%d\"", c.down+1)
			}
			b.WriteString(">" + strings.ReplaceAll(html.EscapeString(c.v), "\n", "<br>") + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></body></html>\n")
	return b.String()
}

// xml2003 renders the table as an XML Spreadsheet: empty rows left out
// (the next row says its ss:Index) but for those at the end, which are
// <Row/>; a cell after a gap says its ss:Index.
func (tb ttable) xml2003() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<?mso-application progid="Excel.Sheet"?>` + "\n" +
		`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office" ` +
		`xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" ` +
		`xmlns:html="http://www.w3.org/TR/REC-html40">` + "\n" +
		`<Styles><Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/></Style></Styles>` + "\n" +
		`<Worksheet ss:Name="Báo cáo"><Table>` + "\n")
	gap, last := false, len(tb)
	for last > 0 && len(tb[last-1]) == 0 {
		last--
	}
	for r, cells := range tb {
		if r >= last {
			b.WriteString("<Row/>\n")
			continue
		}
		if len(cells) == 0 {
			gap = true
			continue
		}
		b.WriteString("<Row")
		if gap {
			fmt.Fprintf(&b, ` ss:Index="%d"`, r+1)
			gap = false
		}
		b.WriteString(">")
		next := 0
		for _, c := range cells {
			b.WriteString("<Cell")
			if c.col != next {
				fmt.Fprintf(&b, ` ss:Index="%d"`, c.col+1)
			}
			if c.across > 0 {
				fmt.Fprintf(&b, ` ss:MergeAcross="%d"`, c.across)
			}
			if c.down > 0 {
				fmt.Fprintf(&b, ` ss:MergeDown="%d"`, c.down)
			}
			b.WriteString(">")
			if c.v != "" {
				v := strings.ReplaceAll(html.EscapeString(c.v), "\n", "&#10;")
				b.WriteString(`<Data ss:Type="String">` + v + `</Data>`)
			}
			b.WriteString("</Cell>")
			next = c.col + c.across + 1
		}
		b.WriteString("</Row>\n")
	}
	b.WriteString("</Table></Worksheet></Workbook>\n")
	return b.String()
}

// reportTable is reportSheet (xlsx_test.go) with every value as text.
var reportTable = [][]tcell{
	{{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 6, 0}},
	{{"DANH SÁCH HỒ SƠ THÁNG 3/2026", 6, 0}},
	{},
	{{"STT", 0, 1}, {"Mã hồ sơ", 0, 1}, {"Ngày", 1, 0}, {"Trạng thái", 0, 1}, {"Đơn vị", 0, 1}, {"Mã TTHC", 0, 1}},
	{{"tiếp nhận", 0, 0}, {"hẹn trả", 0, 0}},
	{{"1", 0, 0}, {"H41.12-240315-0001", 0, 0}, {"45366.5", 0, 0}, {"45371", 0, 0}, {"Đang xử lý", 0, 0}, {"UBND xã Tản Lĩnh", 0, 1}, {"1.001234", 0, 0}},
	{{"2", 0, 0}, {"H41.12-240315-0002", 0, 0}, {"45366.75", 0, 0}, {"", 0, 0}, {"Đã trả kết quả", 0, 0}, {"2.000001", 0, 0}},
	{},
	{{"3", 0, 0}, {"H41.12-240316-0003", 0, 0}, {"45367", 0, 0}, {"45372", 0, 0}, {"Từ chối", 0, 0}, {"UBND xã Ba Trại", 0, 0}, {"", 0, 0}},
}

// decoded is what a reader gave for a file.
type decoded struct {
	header   []string
	rows     []row
	format   string
	encoding string
	merged   []string
}

func decodeFile(t testing.TB, path string, opts DecodeOptions) (decoded, error) {
	t.Helper()
	var d decoded
	opts.Merged = func(rs []CellRange) {
		for _, m := range rs {
			d.merged = append(d.merged, m.Ref())
		}
	}
	r, err := Open(path, opts)
	if err != nil {
		return d, err
	}
	defer r.Close()
	d.header, d.rows, err = readAll(t, r)
	d.format, d.encoding = r.Format(), r.Encoding()
	return d, err
}

// An HTML table and an XML Spreadsheet give what the XLSX decoder gives
// for the same sheet: the header found below the title rows, the two-row
// merged header combined, merged cells filled, the same row numbers and
// the same merged ranges; with and without a header dictionary.
func TestMarkupLikeXLSX(t *testing.T) {
	dir := t.TempDir()
	tb := layout(reportTable)
	tb.xlsx(t, filepath.Join(dir, "report.xlsx"))
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := map[string]string{"html": write("report.xls", tb.html()), "xml2003": write("report2003.xls", tb.xml2003())}
	for _, score := range []func([]string) int{testScore, nil} {
		want, err := decodeFile(t, filepath.Join(dir, "report.xlsx"), DecodeOptions{HeaderScore: score})
		if err != nil {
			t.Fatal(err)
		}
		if score != nil && !slices.Equal(want.header, []string{"STT", "Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Đơn vị", "Mã TTHC"}) {
			t.Fatalf("xlsx header %q", want.header)
		}
		for format, path := range files {
			t.Run(fmt.Sprintf("%s/score=%v", format, score != nil), func(t *testing.T) {
				got, err := decodeFile(t, path, DecodeOptions{HeaderScore: score, BatchRows: 2})
				if err != nil {
					t.Fatal(err)
				}
				if got.format != format || got.encoding != "utf-8" {
					t.Errorf("format %q encoding %q, want %q utf-8", got.format, got.encoding, format)
				}
				if !slices.Equal(got.header, want.header) {
					t.Errorf("header\n got %q\nwant %q", got.header, want.header)
				}
				if !equalRows(got.rows, want.rows) {
					t.Errorf("rows\n got %v\nwant %v", got.rows, want.rows)
				}
				if !slices.Equal(got.merged, want.merged) {
					t.Errorf("merged %q, want %q", got.merged, want.merged)
				}
			})
		}
	}
}

// htmlCase is a page, how it is saved and what it decodes to.
type markupCase struct {
	name   string
	file   string // name on disk
	text   string
	enc    vnenc.Encoding // saved in; UTF16LE gets a BOM
	opts   DecodeOptions
	header []string // "*" first: read without a header dictionary
	rows   []row
	format string
	encRep string // Encoding(); "" means utf-8
	err    []string
}

func runMarkupCases(t *testing.T, cases []markupCase) {
	dir := t.TempDir()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.text)
			switch tt.enc {
			case vnenc.UTF8:
			case vnenc.UTF16LE:
				b, err := vnenc.Encode(tt.enc, tt.text)
				if err != nil {
					t.Fatal(err)
				}
				data = append([]byte{0xFF, 0xFE}, b...)
			default:
				b, err := vnenc.Encode(tt.enc, tt.text)
				if err != nil {
					t.Fatal(err)
				}
				data = b
			}
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.opts.HeaderScore == nil && (tt.header == nil || tt.header[0] != "*") {
				tt.opts.HeaderScore = testScore
			}
			got, err := decodeFile(t, path, tt.opts)
			if tt.err != nil {
				if err == nil {
					t.Fatalf("no error; header %q rows %v", got.header, got.rows)
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			header := tt.header
			if header[0] == "*" {
				header = header[1:]
			}
			if !slices.Equal(got.header, header) {
				t.Errorf("header\n got %q\nwant %q", got.header, header)
			}
			if !equalRows(got.rows, tt.rows) {
				t.Errorf("rows\n got %v\nwant %v", got.rows, tt.rows)
			}
			wantEnc := tt.encRep
			if wantEnc == "" {
				wantEnc = "utf-8"
			}
			if got.format != tt.format || got.encoding != wantEnc {
				t.Errorf("format %q encoding %q, want %q %q", got.format, got.encoding, tt.format, wantEnc)
			}
		})
	}
}

const exportPage = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset=%s">
<style>td { mso-number-format:"\@"; } .d { mso-number-format:"dd\/mm\/yyyy"; }</style>
<title>Mã hồ sơ</title><!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet><x:Name>Mã hồ sơ</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->
</head><body>
<table border="1">
<tr><td colspan="3" align="center"><b><font size="4">BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ</font></b></td></tr>
<tr><td colspan="3"><i>Từ ngày 01/03/2026 đến ngày 31/03/2026</i></td></tr>
<tr><th>Mã hồ sơ</th><th>Trạng&nbsp;thái</th><th>Ghi chú</th></tr>
<tr><td style="mso-number-format:'\@'">H41.01-0001</td><td><span><font color="red">Đang</font> xử l&#253;</span></td><td>Dòng 1<br>Dòng 2 &amp; 3</td></tr>
<tr><td class="d">H41.01-0002</td><td>  Đã   trả
   kết quả </td><td>&nbsp;</td></tr>
</table></body></html>
`

var exportRows = []row{
	{4, []string{"H41.01-0001", "Đang xử lý", "Dòng 1\nDòng 2 & 3"}},
	{5, []string{"H41.01-0002", "Đã trả kết quả", ""}},
}

var exportHeader = []string{"Mã hồ sơ", "Trạng thái", "Ghi chú"}

func TestHTMLTable(t *testing.T) {
	runMarkupCases(t, []markupCase{
		{name: "export page", file: "bc.xls", text: fmt.Sprintf(exportPage, "utf-8"), header: exportHeader, rows: exportRows, format: "html"},
		{name: "saved as xlsx", file: "bc.xlsx", text: fmt.Sprintf(exportPage, "utf-8"), header: exportHeader, rows: exportRows, format: "html"},
		{name: "windows-1258", file: "bc1258.xls", text: fmt.Sprintf(exportPage, "windows-1258"), enc: vnenc.Windows1258,
			header: exportHeader, rows: exportRows, format: "html", encRep: "windows-1258"},
		{name: "utf-16 from .NET", file: "bc16.xls", text: fmt.Sprintf(exportPage, "utf-16"), enc: vnenc.UTF16LE,
			header: exportHeader, rows: exportRows, format: "html", encRep: "utf-16le"},
		{name: "table after a long style sheet", file: "style.xls", format: "html",
			text: "<html><head><style>" + strings.Repeat("td { mso-number-format:\"\\@\"; }\n", 5000) + "</style></head><body>" +
				"<table><tr><td>Mã hồ sơ</td></tr><tr><td>H1</td></tr></table></body></html>",
			header: []string{"Mã hồ sơ"}, rows: []row{{2, []string{"H1"}}}},
		{name: "paragraphs and line breaks in a cell, unclosed head", file: "para.xls", format: "html",
			text: "<html><head><meta charset=utf-8><table><tr><td>Mã hồ sơ</td><td>Ghi chú</td></tr>" +
				"<tr><td><p>H1</p></td><td><p>Dòng 1</p><p>Dòng 2</p>Dòng 3<br><br>Dòng 5<br></td></tr></table>",
			header: []string{"Mã hồ sơ", "Ghi chú"}, rows: []row{{2, []string{"H1", "Dòng 1\nDòng 2\nDòng 3\n\nDòng 5"}}}},
		{name: "error page with an empty layout table", file: "empty-table.xls",
			text: "<html><body><table><tr><td>&nbsp;</td></tr></table><p>Không có dữ liệu</p></body></html>",
			err:  []string{"empty-table.xls", "là một trang HTML hoặc XML (thường là trang báo lỗi"}},
		{name: "utf-8 page that says iso-8859-1", file: "latin1.xls", text: fmt.Sprintf(exportPage, "iso-8859-1"),
			header: exportHeader, rows: exportRows, format: "html"},
		{name: "no html or body, unclosed cells and rows", file: "bare.htm", format: "html",
			text:   "<table><tr><td>Mã hồ sơ<td>Trạng thái\n<tr><td>H1<td>Mới\n<tr><td>H2<td rowspan=2>Xong\n<tr><td>H3\n",
			header: []string{"Mã hồ sơ", "Trạng thái"},
			rows:   []row{{2, []string{"H1", "Mới"}}, {3, []string{"H2", "Xong"}}, {4, []string{"H3", "Xong"}}}},
		{name: "named .csv, forced csv", file: "bare.csv", opts: DecodeOptions{Format: "csv"}, format: "html",
			text:   "<table><tr><td>Mã hồ sơ</td><td>Trạng thái</td></tr><tr><td>H1</td><td>Mới</td></tr></table>",
			header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{2, []string{"H1", "Mới"}}}},
		{name: "title table, heading, data table", file: "several.html", format: "html",
			text: `<table><tr><td>UBND HUYỆN BA VÌ</td><td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</td></tr>
<tr><td>Số: 12/BC</td><td>Độc lập - Tự do - Hạnh phúc</td></tr></table>
<h3>BÁO CÁO</h3><p>Kỳ: tháng 3</p>
<table><tr><td>STT</td><td>Mã hồ sơ</td><td>Trạng thái</td></tr><tr><td>1</td><td>H1</td><td>Mới</td></tr>
<tr><td>2</td><td>H2</td><td>Xong</td></tr></table>`,
			header: []string{"STT", "Mã hồ sơ", "Trạng thái"},
			rows:   []row{{6, []string{"1", "H1", "Mới"}}, {7, []string{"2", "H2", "Xong"}}}},
		// Its rows are neither dropped silently nor fatal: read as data,
		// as the rows under an XLSX table are, they are quarantined.
		{name: "signature table after the data table", file: "signed.html", format: "html",
			text: `<table><tr><td>STT</td><td>Mã hồ sơ</td><td>Trạng thái</td></tr><tr><td>1</td><td>H1</td><td>Mới</td></tr></table>
<table><tr><td>Người lập biểu</td><td>Thủ trưởng đơn vị</td></tr></table>`,
			header: []string{"STT", "Mã hồ sơ", "Trạng thái"},
			rows:   []row{{2, []string{"1", "H1", "Mới"}}, {3, []string{"Người lập biểu", "Thủ trưởng đơn vị", ""}}}},
		{name: "data table nested in a layout table", file: "nested.xls", format: "html",
			text: `<table width="100%"><tr><td><b>BÁO CÁO</b></td></tr><tr><td>
<table><tr><td>Mã hồ sơ</td><td>Ghi chú</td></tr><tr><td>H1</td><td>a</td></tr></table>
</td></tr><tr><td>Người lập biểu</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Ghi chú"}, rows: []row{{4, []string{"H1", "a"}}}},
		{name: "without a header dictionary every table row is a row", file: "page.xls", format: "html",
			opts:   DecodeOptions{},
			text:   `<p>BÁO CÁO</p><table><tr><td>Tiêu chí</td><td>Điểm</td></tr></table><table><tr><td>1.1</td><td>2</td></tr></table>`,
			header: []string{"*", "Tiêu chí", "Điểm"}, rows: []row{{3, []string{"1.1", "2"}}}},
		{name: "windows-1252 page typed with a TCVN3 font", file: "abc.xls", format: "html",
			text: "<meta charset=\"windows-1252\"><table><tr><td>" + tcvn3(t, "Mã hồ sơ") + "</td><td>" + tcvn3(t, "Trạng thái") + "</td></tr>" +
				"<tr><td>H1</td><td>" + tcvn3(t, "Đã trả") + "</td></tr></table>",
			header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{2, []string{"H1", "Đã trả"}}},
			encRep: "tcvn3"},
		{name: "error page", file: "error.xls",
			text: "<!DOCTYPE html><html><head><title>Lỗi</title></head><body><h1>500 - Lỗi máy chủ</h1><p>Vui lòng thử lại</p></body></html>",
			err:  []string{"error.xls", "là một trang HTML hoặc XML (thường là trang báo lỗi của phần mềm xuất)", "lưu lại dưới dạng .xlsx", "<!DOCTYPE html>"}},
		{name: "login page with a layout table", file: "login.xls",
			text: `<html><body><form><table><tr><td>Tên đăng nhập</td><td><input name="u"></td></tr>` +
				`<tr><td>Mật khẩu</td><td><input type="password"></td></tr></table></form></body></html>`,
			err: []string{"login.xls", "trang HTML có 1 bảng nhưng không bảng nào có dòng tiêu đề nhận ra được", "no table with a recognised header"}},
	})
}

// tcvn3 is s typed with a TCVN3 (.VnTime) font: its bytes.
func tcvn3(t testing.TB, s string) string {
	b, err := vnenc.Encode(vnenc.TCVN3, s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const spreadsheet2003 = `<?xml version="1.0" encoding="%s"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <DocumentProperties xmlns="urn:schemas-microsoft-com:office:office"><Author>Mã hồ sơ</Author></DocumentProperties>
 <Worksheet ss:Name="Hướng dẫn"><Table><Row><Cell><Data ss:Type="String">Đọc kỹ</Data></Cell></Row></Table></Worksheet>
 <Worksheet ss:Name="Dữ liệu">
  <Table ss:ExpandedColumnCount="4" x:FullColumns="1">
   <Column ss:Width="80"/>
   <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">Mã hồ sơ</Data></Cell><Cell><Data ss:Type="String">Ngày tiếp nhận</Data></Cell>
    <Cell><Data ss:Type="String">Số ngày</Data></Cell><Cell><Data ss:Type="String">Ghi chú</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">H1</Data><Comment ss:Author="A"><ss:Data><B>không</B> phải ô</ss:Data></Comment></Cell>
    <Cell ss:StyleID="d"><Data ss:Type="DateTime">2024-03-15T12:00:00.000</Data></Cell>
    <Cell><Data ss:Type="Number">3.5</Data></Cell>
    <Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><Font html:Color="#FF0000">Dòng 1</Font>&#10;Dòng <B>2</B> &amp; 3</ss:Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">H2</Data></Cell><Cell ss:Index="4"><Data ss:Type="Boolean">1</Data></Cell></Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/></WorksheetOptions>
 </Worksheet>
</Workbook>
`

func TestXMLSpreadsheet(t *testing.T) {
	header := []string{"Mã hồ sơ", "Ngày tiếp nhận", "Số ngày", "Ghi chú"}
	rows := []row{
		{4, []string{"H1", "45366.5", "3.5", "Dòng 1\nDòng 2 & 3"}},
		{5, []string{"H2", "", "", "1"}},
	}
	sheet := DecodeOptions{Sheet: "dữ liệu"}
	runMarkupCases(t, []markupCase{
		{name: "named sheet", file: "dl.xls", text: fmt.Sprintf(spreadsheet2003, "utf-8"), opts: sheet, header: header, rows: rows, format: "xml2003"},
		{name: "saved as .xml", file: "dl.xml", text: fmt.Sprintf(spreadsheet2003, "utf-8"), opts: sheet, header: header, rows: rows, format: "xml2003"},
		{name: "first sheet", file: "first.xls", text: fmt.Sprintf(spreadsheet2003, "utf-8"),
			header: []string{"Đọc kỹ"}, rows: nil, format: "xml2003"},
		{name: "utf-16 from .NET", file: "dl16.xls", text: fmt.Sprintf(spreadsheet2003, "utf-16"), enc: vnenc.UTF16LE, opts: sheet,
			header: header, rows: rows, format: "xml2003", encRep: "utf-16le"},
		{name: "windows-1258", file: "dl1258.xls", text: fmt.Sprintf(spreadsheet2003, "windows-1258"), enc: vnenc.Windows1258, opts: sheet,
			header: header, rows: rows, format: "xml2003", encRep: "windows-1258"},
		{name: "sheet not found", file: "nf.xls", text: fmt.Sprintf(spreadsheet2003, "utf-8"), opts: DecodeOptions{Sheet: "Tháng 3"},
			err: []string{"nf.xls", `không có trang tính "Tháng 3"`, `các trang tính: "Hướng dẫn", "Dữ liệu"`}},
		{name: "other XML", file: "err.xml", text: `<?xml version="1.0"?><error><message>Phiên hết hạn</message></error>`,
			err: []string{"err.xml", "là một trang HTML hoặc XML"}},
		{name: "empty sheet", file: "empty.xls", text: `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table/></Worksheet></Workbook>`,
			err: []string{"empty.xls", `trang tính "S" trống`}},
	})
}

// A hostile page fails with a *LimitError naming the place, whatever the
// part of it that is too big.
func TestMarkupLimits(t *testing.T) {
	dir := t.TempDir()
	lim := Limits{MaxCellBytes: 64, MaxColumns: 8}
	for _, tt := range []struct {
		name, text, key string
	}{
		{"long cell", "<table><tr><td>Mã hồ sơ</td></tr><tr><td>" + strings.Repeat("x ", 100) + "</td></tr></table>", "limits.max_cell_bytes"},
		{"wide row", "<table><tr><td>Mã hồ sơ</td></tr><tr>" + strings.Repeat("<td>x</td>", 20) + "</tr></table>", "limits.max_columns"},
		{"colspan", "<table><tr><td>Mã hồ sơ</td><td colspan=1000>x</td></tr></table>", "limits.max_columns"},
		{"huge tag", "<table><tr><td title=\"" + strings.Repeat("x", 5<<20) + "\">Mã hồ sơ</td></tr></table>", "limits.max_cell_bytes"},
		{"xml long cell", `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell><Data>` +
			strings.Repeat("x", 2000) + `</Data></Cell></Row></Table></Worksheet></Workbook>`, "limits.max_cell_bytes"},
		{"xml wide", `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell ss:MergeAcross="50"><Data>x</Data></Cell></Row></Table></Worksheet></Workbook>`,
			"limits.max_columns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "f.xls")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := decodeFile(t, path, DecodeOptions{HeaderScore: testScore, Limits: lim})
			le, ok := err.(*LimitError)
			if !ok || le.Key != tt.key || le.Path != path {
				t.Fatalf("error %v, want a *LimitError on %s naming the file", err, tt.key)
			}
		})
	}
}
