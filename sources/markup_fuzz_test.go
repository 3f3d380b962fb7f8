package sources

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// fuzzVocab are the texts genTable fills cells with: column names the
// test dictionary knows, titles, values with markup characters and line
// breaks, empty cells.
var fuzzVocab = []string{"", "Mã hồ sơ", "Trạng thái", "Ngày", "tiếp nhận", "Ghi chú", "Đơn vị", "Số ngày",
	"BÁO CÁO", "H1", "a & b", "x<y>z", "Dòng 1\nDòng 2", "45366.5", "Từ chối", "\"q\" 'q'"}

// genTable makes a table of at most 8 rows of at most 6 cells from gen,
// a cell spanning at most 2 more columns and rows.
func genTable(gen []byte) [][]tcell {
	next := func() int {
		if len(gen) == 0 {
			return 0
		}
		b := int(gen[0])
		gen = gen[1:]
		return b
	}
	rows := make([][]tcell, 1+next()%8)
	for r := range rows {
		for range next() % 7 {
			b := next()
			rows[r] = append(rows[r], tcell{v: fuzzVocab[b%len(fuzzVocab)], across: (b >> 4) % 3, down: (b >> 6) % 3})
		}
	}
	return rows
}

// fuzzMaxBytes and fuzzMaxRows bound one exec of the markup fuzz targets:
// the fuzzer grows inputs, and a range merged down to row 1,000,000 with
// a row there (its numbers written as entities a pattern would miss) is a
// million rows, as in XLSX. Slow to read to the end, not wrong: the
// first rows are checked, so each exec stays cheap.
const (
	fuzzMaxBytes = 64 << 10
	fuzzMaxRows  = 5000
)

// fuzzMarkup decodes data saved at path: no panic, the RawReader
// contract kept, increasing row numbers, memory released, and no more
// rows than the file has tags (a row needs one) unless merged ranges
// cover skipped rows (XML Spreadsheet, bounded by Excel's last row).
func fuzzMarkup(t *testing.T, path string, data []byte) {
	if len(data) > fuzzMaxBytes {
		return
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := Open(path, DecodeOptions{BatchRows: 3, HeaderScore: testScore, Mem: mem,
		Limits: Limits{MaxCellBytes: 1 << 10, MaxColumns: 64, MaxMergedFillBytes: 1 << 20}})
	if err != nil {
		if n := len(err.Error()); n > 2000 {
			t.Fatalf("error of %d bytes: %.300q", n, err)
		}
		return
	}
	defer r.Close()
	var rows []row
	for len(rows) < fuzzMaxRows {
		rec, err := r.Next()
		if err != nil {
			break
		}
		checkRecord(t, rec, len(r.Header()))
		rows = append(rows, recordRows(rec)...)
		rec.Release()
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].n <= rows[i-1].n {
			t.Fatalf("row numbers not increasing: %d after %d", rows[i].n, rows[i-1].n)
		}
	}
	// A row of a page needs a tag; text that is no markup ("0\n0\n0")
	// is read as CSV, a row a line, or as JSON, a row an object.
	limit := bytes.Count(data, []byte("<")) + 1
	if bytes.Contains(data, []byte("MergeDown")) {
		limit = excelMaxRows
	}
	if f := r.Format(); f != "html" && f != "xml2003" {
		limit = bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + bytes.Count(data, []byte("{")) + 1
	}
	if len(rows) > limit {
		t.Fatalf("%d rows from %d tags", len(rows), limit)
	}
	for _, rw := range rows {
		if isBlank(rw.cells) {
			t.Fatalf("blank row %d delivered", rw.n)
		}
		if len(rw.cells) > 64 {
			t.Fatalf("row %d has %d cells", rw.n, len(rw.cells))
		}
	}
	_ = r.Encoding()
}

// compared holds the tables sameAsXLSX has compared in this process: the
// fuzzer mostly mutates the page argument, and writing and decoding a
// workbook (excelize) is most of an exec's time. The same table gives
// the same answer, so it is compared once.
var compared = struct {
	sync.Mutex
	seen map[string]bool
}{seen: map[string]bool{}}

// firstComparison reports whether the table rendered as page has not
// been compared yet, and records it.
func firstComparison(page string) bool {
	compared.Lock()
	defer compared.Unlock()
	if compared.seen[page] {
		return false
	}
	if len(compared.seen) >= 1<<14 {
		clear(compared.seen)
	}
	compared.seen[page] = true
	return true
}

// sameAsXLSX decodes the table generated from gen rendered by render and
// saved as an XLSX workbook: the decoders must agree (but for a page
// whose table the header dictionary does not recognise, which the HTML
// decoder refuses).
func sameAsXLSX(t *testing.T, dir string, gen []byte, render func(ttable) string) {
	tb := layout(genTable(gen))
	text := render(tb)
	if !firstComparison(text) {
		return
	}
	xlsx, page := filepath.Join(dir, "g.xlsx"), filepath.Join(dir, "g.xls")
	tb.xlsx(t, xlsx)
	if err := os.WriteFile(page, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	want, werr := decodeFile(t, xlsx, DecodeOptions{HeaderScore: testScore})
	got, err := decodeFile(t, page, DecodeOptions{HeaderScore: testScore, BatchRows: 2})
	if err != nil && strings.Contains(err.Error(), "no table with a recognised header") {
		return
	}
	if (err == nil) != (werr == nil) {
		t.Fatalf("page: %v; xlsx: %v", err, werr)
	}
	if err != nil {
		return
	}
	if !slices.Equal(got.header, want.header) || !equalRows(got.rows, want.rows) || !slices.Equal(got.merged, want.merged) {
		t.Fatalf("table %v\npage:\n%s\n got %q %v %q\nwant %q %v %q", tb, render(tb),
			got.header, got.rows, got.merged, want.header, want.rows, want.merged)
	}
}

// FuzzHTMLTable decodes arbitrary bytes saved as an .xls (an HTML page is
// detected by content), and a table generated from gen both as an HTML
// page and as an XLSX workbook, which must decode alike.
func FuzzHTMLTable(f *testing.F) {
	f.Add([]byte(fmt.Sprintf(exportPage, "utf-8")), []byte{5, 3, 0x41, 0x52, 0x13, 2, 1, 0x80, 2, 0x16, 0x01})
	f.Add([]byte("<table><tr><td>Mã hồ sơ<td rowspan=3>a<tr><td colspan=2>b<table><tr><td>x</table>"), []byte{7, 6, 1, 2, 3, 4, 5, 6, 6, 0x41, 0x82, 0xC3, 9, 10, 11})
	f.Add([]byte(layout(reportTable).html()), []byte{})
	f.Add([]byte("\xFF\xFE<\x00t\x00a\x00b\x00l\x00e\x00>\x00"), []byte{1})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data, gen []byte) {
		fuzzMarkup(t, filepath.Join(dir, "f.xls"), data)
		sameAsXLSX(t, dir, gen, ttable.html)
	})
}

// FuzzXMLSpreadsheet is FuzzHTMLTable for the Excel 2003 XML Spreadsheet.
func FuzzXMLSpreadsheet(f *testing.F) {
	f.Add([]byte(fmt.Sprintf(spreadsheet2003, "utf-8")), []byte{5, 3, 0x41, 0x52, 0x13, 2, 1, 0x80, 2, 0x16, 0x01})
	f.Add([]byte(layout(reportTable).xml2003()), []byte{7, 6, 1, 2, 3, 4, 5, 6, 6, 0x41, 0x82, 0xC3, 9, 10, 11})
	f.Add([]byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table>`+
		`<Row ss:Index="2"><Cell ss:MergeDown="3"><Data>Mã hồ sơ</Data></Cell></Row><Row ss:Index="9"><Cell ss:Index="3"><Data ss:Type="DateTime">2026-01-01</Data></Cell></Row>`), []byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data, gen []byte) {
		fuzzMarkup(t, filepath.Join(dir, "f.xls"), data)
		sameAsXLSX(t, dir, gen, ttable.xml2003)
	})
}
