package sources

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/cchc/cchc/vnenc"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Many one-stop systems answer "Xuất Excel" with a web page instead of a
// workbook: an HTML page holding a <table>, or an Excel 2003 XML
// Spreadsheet (SpreadsheetML) written by a .NET component, saved as .xls.
// Excel opens both, so the clerk sees a sheet; this file and htmltable.go,
// xml2003.go read them into the rows the XLSX decoder would give for the
// same sheet (header found among title rows, merged cells filled, Excel's
// row numbers). A page that holds no such table (an error or login page)
// is still refused with markupError.

// markupError refuses an HTML or XML file that is not a table export.
func markupError(path string, head []byte) error {
	return fmt.Errorf("tệp %s: là một trang HTML hoặc XML (thường là trang báo lỗi của phần mềm xuất), "+
		"không phải bảng tính: mở tệp trong Excel và lưu lại dưới dạng .xlsx, hoặc tải lại tệp từ phần mềm; "+
		"tệp bắt đầu bằng %s", path, excerpt(string(head)))
}

// errNoTable is returned by a markup decoder when the page holds no table
// row at all: Open then gives markupError.
var errNoTable = errors.New("no table")

// spreadsheetNS is the namespace of the Excel 2003 XML Spreadsheet.
const spreadsheetNS = "urn:schemas-microsoft-com:office:spreadsheet"

// markupKind tells, from a file's first (decoded) text, which markup
// decoder reads it: "xml2003" for an XML Spreadsheet, "html" for a page
// showing a table, "" for anything else (an error page, other XML). It
// looks at what a sample shows; the decoder has the last word.
func markupKind(text []byte) string {
	t := bytes.ToLower(text)
	if i := bytes.Index(t, []byte(spreadsheetNS)); i >= 0 {
		if h := bytes.Index(t, []byte("<html")); h < 0 || h > i {
			return "xml2003"
		}
	}
	if bytes.Contains(t, []byte("<table")) || bytes.Contains(t, []byte("<tr")) {
		return "html"
	}
	return ""
}

// sniffMarkup decodes a file's first bytes enough to classify them: UTF-16
// is turned into UTF-8; every other encoding keeps markup in ASCII.
func sniffMarkup(head []byte) string {
	if e := vnenc.Detect(head); e == vnenc.UTF16LE || e == vnenc.UTF16BE {
		r, _, err := vnenc.NewReaderWith(bytes.NewReader(head), vnenc.Choice{Enc: e}, nil)
		if err == nil {
			head, _ = io.ReadAll(r)
		}
	}
	return markupKind(head)
}

// openMarkup reads an HTML or XML file found by content (detectFormat):
// a table page with htmltable.go, an XML Spreadsheet with xml2003.go, and
// anything else is refused with markupError. head is the file's first
// bytes, quoted by that error.
func openMarkup(path string, head []byte, opts DecodeOptions, choice vnenc.Choice) (RawReader, error) {
	open := func(hashed bool) (*os.File, *hashReader, *markupText, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, nil, fileError(path, err)
		}
		var in io.Reader = f
		var hr *hashReader
		if hashed {
			hr = newHashReader(f, opts)
			in = hr
		}
		mt, err := newMarkupText(in, choice)
		if err != nil {
			f.Close()
			return nil, nil, nil, fmt.Errorf("tệp %s: %w", path, err)
		}
		return f, hr, mt, nil
	}
	build := func(mt *markupText, merges *[]CellRange) (rowSource, []string, string, error) {
		switch mt.kind {
		case "xml2003":
			s, h, err := newXMLSheetSource(path, mt, opts, merges)
			return s, h, "xml2003", err
		case "html":
			s, h, err := newHTMLSource(path, mt, opts, merges)
			return s, h, "html", err
		}
		return nil, nil, "", errNoTable // not reached: newMarkupText says html or xml2003
	}
	if opts.Merged != nil {
		// The merged ranges are handed over before the first row, as for
		// XLSX: a first pass over the file collects them (only the chosen
		// table's), the second reads the rows.
		f, _, mt, err := open(false)
		if err != nil {
			return nil, err
		}
		var merges []CellRange
		src, _, _, err := build(mt, &merges)
		if err == nil {
			for err == nil {
				_, _, err = src.next(new([]string))
			}
			src.close()
			if errors.Is(err, io.EOF) {
				err = nil
			}
		}
		f.Close()
		if errors.Is(err, errNoTable) {
			return nil, markupError(path, head)
		}
		if err != nil {
			return nil, err
		}
		if len(merges) > 0 {
			opts.Merged(merges)
		}
	}
	f, hr, mt, err := open(true)
	if err != nil {
		return nil, err
	}
	src, header, format, err := build(mt, nil)
	if errors.Is(err, errNoTable) {
		f.Close()
		return nil, markupError(path, head)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	mt.file = f
	rd := newReader(path, format, src, header, opts)
	rd.hr = hr
	return rd, nil
}

// markupText is the text of an HTML or XML file as UTF-8, with what is
// known of its encoding.
type markupText struct {
	r    *bufio.Reader // the text, UTF-8
	kind string        // xml2003, or html for any other markup
	base string        // the file's encoding, as Encoding reports it
	// rep repairs cells typed with a legacy font (TCVN3, VNI) in a page
	// whose text is otherwise Unicode or Windows-1252, as for XLSX.
	rep  *cellRepair
	file *os.File // closed with the source
}

var (
	metaCharset = regexp.MustCompile(`<meta[^>]*charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)`)
	xmlCharset  = regexp.MustCompile(`^\s*<\?xml[^>]*encoding\s*=\s*["']([a-z0-9_.:\-]+)`)
)

// declaredCharset returns the character set an HTML page (<meta charset>,
// <meta http-equiv content="text/html; charset=...">) or an XML
// declaration names in sample, lower-cased, or "".
func declaredCharset(sample []byte) string {
	s := bytes.ToLower(bytes.TrimPrefix(sample, []byte("\xEF\xBB\xBF")))
	if m := xmlCharset.FindSubmatch(s); m != nil {
		return string(m[1])
	}
	if m := metaCharset.FindSubmatch(s); m != nil {
		return string(m[1])
	}
	return ""
}

// newMarkupText decodes in to UTF-8. A forced encoding (the source's
// `encoding:`) is used as it is; otherwise a BOM or UTF-16's zero bytes
// decide, then text in valid UTF-8, then the declared character set (a
// page that says utf-8 but is not is detected as vnenc does a CSV file),
// then vnenc's detection.
func newMarkupText(in io.Reader, choice vnenc.Choice) (*markupText, error) {
	br := bufio.NewReaderSize(in, vnenc.SampleSize)
	sample, err := br.Peek(vnenc.SampleSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	mt := &markupText{rep: newCellRepair(vnenc.Choice{Enc: vnenc.UTF8}, nil)}
	var text io.Reader
	if !choice.Auto {
		r, e, err := vnenc.NewReaderWith(br, choice, nil)
		if err != nil {
			return nil, err
		}
		text, mt.base = r, e.String()
	} else {
		e := vnenc.Detect(sample)
		label := declaredCharset(sample)
		unicodeText := e == vnenc.UTF8 || e == vnenc.UTF16LE || e == vnenc.UTF16BE
		switch {
		case e == vnenc.UTF16LE || e == vnenc.UTF16BE || bytes.HasPrefix(sample, vnenc.UTF8.BOM()):
		case label == "" || label == "utf-8" || label == "utf8":
		case e == vnenc.UTF8 && !isASCIIString(string(sample)):
			// Vietnamese in valid UTF-8 under a page template that still
			// says iso-8859-1: legacy text almost never forms UTF-8.
		case label == "windows-1258" || label == "cp1258":
			e, unicodeText = vnenc.Windows1258, false
		default:
			if enc, err := htmlindex.Get(label); err == nil && !strings.HasPrefix(label, "utf-16") {
				name, _ := htmlindex.Name(enc)
				if name != "utf-8" {
					// Windows-1252 and its kin: a page typed with a
					// .VnTime font is repaired cell by cell, as in XLSX.
					text = transform.NewReader(br, enc.NewDecoder())
					mt.base, unicodeText = name, true
				}
			}
		}
		if text == nil {
			r, _, err := vnenc.NewReaderWith(br, vnenc.Choice{Enc: e}, nil)
			if err != nil {
				return nil, err
			}
			text, mt.base = r, e.String()
		}
		if unicodeText {
			mt.rep = newCellRepair(choice, nil)
		}
	}
	mt.r = bufio.NewReaderSize(text, vnenc.SampleSize)
	peek, err := mt.r.Peek(vnenc.SampleSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	// A page whose table comes after a long style sheet shows none in
	// its first 64 KiB: every page but an XML Spreadsheet is scanned for
	// one, and one without gives errNoTable.
	if mt.kind = markupKind(peek); mt.kind == "" {
		mt.kind = "html"
	}
	return mt, nil
}

// spanGrid lays out the cells of a table's rows as Excel does for an HTML
// table or an XML Spreadsheet: a cell spanning columns or rows (colspan
// and rowspan, ss:MergeAcross and ss:MergeDown) is a merged range, and its
// value is copied into every cell it covers, in header and data rows alike
// (see xlsxSource.fillMerged). Cells of a row skip the columns that a
// range from a row above covers.
type spanGrid struct {
	path     string
	lim      Limits
	fillCols int // merged values are copied up to this column (see xlsxSource.fillCols)
	down     []downSpan
	row      int64
	cells    []string
	origin   []bool // the cell was written by the file, not copied
	lastOrig int    // columns up to the last one the file wrote a value in
	col      int    // where the next cell without an index goes (0-based)
	across   []acrossSpan
	merges   *[]CellRange
	nMerges  int
	budget   *fillBudget // shared by the tables of a page: the bound is the file's
}

// acrossSpan is the part of a range right of the cell that wrote it, in
// that cell's row (0-based columns).
type acrossSpan struct {
	left, right int
	value       string
}

// downSpan is a range covering a column in the rows below the one that
// wrote it.
type downSpan struct {
	bottom int64 // last row covered; 0 for none
	value  string
}

func newSpanGrid(path string, lim Limits, merges *[]CellRange, budget *fillBudget) *spanGrid {
	return &spanGrid{path: path, lim: lim, fillCols: maxMergeFillCols, merges: merges, budget: budget}
}

// startRow begins row number row.
func (g *spanGrid) startRow(row int64) {
	g.row, g.cells, g.origin, g.lastOrig, g.col, g.across = row, g.cells[:0], g.origin[:0], 0, 0, g.across[:0]
}

// add places a cell in the current row: at column index (0-based) when
// index >= 0, else at the next column no range from above covers. It
// spans across more columns to its right and down more rows below.
func (g *spanGrid) add(index int, value string, across, down int) error {
	col := index
	if col < 0 {
		col = g.col
		for col < len(g.down) && g.down[col].bottom >= g.row {
			col++
		}
	}
	right := col + across
	if right >= g.lim.MaxColumns {
		return limitErr(g.path, fmt.Sprintf("dòng %d có hơn %d cột,", g.row, g.lim.MaxColumns), int64(g.lim.MaxColumns), "max_columns")
	}
	g.set(col, value, true)
	if value != "" {
		g.lastOrig = max(g.lastOrig, col+1)
	}
	if (across > 0 || down > 0) && g.merges != nil {
		if g.nMerges++; g.nMerges > g.lim.MaxMerges {
			return limitErr(g.path, "số vùng ô gộp của bảng", int64(g.lim.MaxMerges), "max_merges")
		}
		*g.merges = append(*g.merges, CellRange{Top: g.row, Bottom: g.row + int64(down), Left: col + 1, Right: right + 1})
	}
	if across > 0 && value != "" {
		g.across = append(g.across, acrossSpan{left: col + 1, right: right, value: value})
	}
	if down > 0 {
		// Kept even when empty: the cells below skip the columns it covers.
		for len(g.down) <= right {
			g.down = append(g.down, downSpan{})
		}
		for c := col; c <= right; c++ {
			g.down[c] = downSpan{bottom: g.row + int64(down), value: value}
		}
	}
	g.col = right + 1
	return nil
}

// set writes cell col and reports whether it did: a copied value does not
// replace one the file wrote.
func (g *spanGrid) set(col int, value string, orig bool) bool {
	for len(g.cells) <= col {
		g.cells = append(g.cells, "")
		g.origin = append(g.origin, false)
	}
	if !orig && (g.origin[col] || g.cells[col] != "") {
		return false
	}
	g.cells[col], g.origin[col] = value, orig
	return true
}

// fill copies a range's value into cell col, counted against the file's
// fill budget.
func (g *spanGrid) fill(col int, value string) error {
	if g.set(col, value, false) {
		return g.budget.take(len(value), g.row)
	}
	return nil
}

// endRow fills the cells ranges from above cover and returns the row; the
// slice is reused by the next row. It fails once the file's ranges have
// copied more than Limits.MaxMergedFillBytes.
func (g *spanGrid) endRow() ([]string, error) {
	limit := max(g.fillCols, g.lastOrig)
	for _, a := range g.across {
		for c := a.left; c <= min(a.right, limit-1); c++ {
			if err := g.fill(c, a.value); err != nil {
				return nil, err
			}
		}
	}
	for c := range g.down {
		d := &g.down[c]
		if d.bottom == 0 {
			continue
		}
		if d.bottom < g.row {
			*d = downSpan{}
			continue
		}
		if d.value != "" && c < limit && (c >= len(g.cells) || !g.origin[c]) {
			if err := g.fill(c, d.value); err != nil {
				return nil, err
			}
		}
	}
	return g.cells, nil
}

// endGroup ends a group of rows (an HTML table's thead, tbody, tfoot):
// the ranges from above cover no row after it.
func (g *spanGrid) endGroup() { clear(g.down) }

// active reports whether a range with a value covers a row after row.
func (g *spanGrid) active(row int64) bool {
	for _, d := range g.down {
		if d.bottom > row && d.value != "" {
			return true
		}
	}
	return false
}

// cellText finishes a cell's text: NFC (the text of an HTML page or an
// XML file is Unicode whatever the file's encoding), then repaired when
// typed with a legacy font.
func cellText(rep *cellRepair, row int64, col int, s string) string {
	if isASCIIString(s) {
		return s
	}
	return rep.cell(row, col, norm.NFC.String(s))
}
