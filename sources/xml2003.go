package sources

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// newXMLSheetSource reads one worksheet of an Excel 2003 XML Spreadsheet
// (SpreadsheetML: <Workbook><Worksheet ss:Name><Table><Row><Cell><Data>),
// written by .NET export components and saved as .xls or .xml: the sheet
// named opts.Sheet (matched exactly, else ignoring case), or the first,
// refused at its end when hidden (its options follow its rows: the file
// is not read twice to find the first visible one).
//
// It gives what the XLSX decoder gives for the same sheet: the header is
// chosen among the first rows the same way, a cell's ss:MergeAcross and
// ss:MergeDown are merged ranges whose value is copied into the cells
// they cover, ss:Index places a row or a cell (the row and column numbers
// Excel shows; a cell without one skips the columns a range from a row
// above covers), and values are as stored: a Number as written, a
// Boolean 1 or 0, a DateTime as its Excel serial ("45366.5"), a String as
// is (line breaks kept). Comments are not cell text.
//
// The file is streamed with encoding/xml's Decoder: what is held is one
// row and the ranges still open below it. Runs of text longer than a cell
// fail the file before the decoder holds them.
func newXMLSheetSource(path string, mt *markupText, opts DecodeOptions, merges *[]CellRange) (*xmlSheetSource, []string, error) {
	lim := opts.Limits.withDefaults()
	g := &runGuard{r: mt.r, max: xmlRunLimit(lim), cellLimit: lim.MaxCellBytes}
	dec := xml.NewDecoder(g)
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	// The text is already UTF-8 (newMarkupText decoded it, whatever the
	// declaration says).
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	mt.rep.score = opts.HeaderScore
	s := &xmlSheetSource{path: path, mt: mt, dec: dec, guard: g, lim: lim, grid: newSpanGrid(path, lim, merges, newFillBudget(path, lim))}
	var names []string
	found := false
	for !found {
		tok, err := s.token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, s.wrap(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Worksheet" {
			name := attr(se, "Name")
			if len(names) < 100 {
				names = append(names, name)
			}
			if opts.Sheet == "" || name == opts.Sheet || strings.EqualFold(name, opts.Sheet) {
				s.sheet, found, s.firstTaken = name, true, opts.Sheet == ""
			}
		}
	}
	switch {
	case !found && len(names) == 0:
		return nil, nil, errNoTable
	case !found:
		return nil, nil, fmt.Errorf("tệp %s: không có trang tính %s mà cấu hình của nguồn ghi (sheet:); bảng tính có các trang tính: %s; sửa sheet: của nguồn (sheet not found)", path, QuoteName(opts.Sheet), QuoteNames(names))
	}
	top, err := readTop(s.read)
	if err != nil {
		return nil, nil, err
	}
	if len(top) == 0 {
		return nil, nil, fmt.Errorf("tệp %s: trang tính %s trống, không có dòng nào; kiểm tra đúng trang tính (sheet: của nguồn) hoặc xuất lại tệp (sheet is empty)", path, QuoteName(s.sheet))
	}
	header, first := chooseHeader(top, opts.HeaderScore)
	s.pending = top[first:]
	s.grid.fillCols = max(len(header), 1)
	s.header = header
	if first < len(top) {
		mt.rep.setDataFrom(top[first].row)
	} else {
		mt.rep.setDataFrom(s.row + 1)
	}
	return s, header, nil
}

// maxXMLDepth bounds the nesting of elements (a cell's rich text holds a
// few): the decoder keeps a stack of them.
const maxXMLDepth = 256

// xmlSheetSource yields the rows of one worksheet of an XML Spreadsheet.
type xmlSheetSource struct {
	path, sheet string
	mt          *markupText
	dec         *xml.Decoder
	guard       *runGuard
	lim         Limits
	depth       int
	grid        *spanGrid
	row         int64 // number of the last row given
	nextRow     int64 // number of the <Row> started but not read; 0 when none
	done        bool
	header      []string
	pending     []bufRow
	text        []byte
	// A sheet taken as the first (no sheet: named) that its options,
	// written after its rows, say is hidden is refused at its end: XLSX
	// takes the first visible sheet, and a hidden first sheet is mostly
	// a lookup list.
	firstTaken bool
	inVisible  bool
	visible    []byte
	hidden     bool
}

func (s *xmlSheetSource) token() (xml.Token, error) {
	tok, err := s.dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		if s.depth++; s.depth > maxXMLDepth {
			return nil, fmt.Errorf("elements nested more than %d deep", maxXMLDepth)
		}
	case xml.EndElement:
		s.depth--
	}
	return tok, nil
}

// wrap names the file and the place of a decoding error.
func (s *xmlSheetSource) wrap(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		le.Path = s.path
		return le
	}
	if s.sheet == "" {
		return fmt.Errorf("tệp %s: tệp hỏng, không đọc được bảng tính XML (Excel 2003); mở tệp trong Excel và lưu lại dưới dạng .xlsx, hoặc xuất lại tệp (not a valid XML Spreadsheet: %v)", s.path, cutErr{err})
	}
	return fmt.Errorf("tệp %s: trang tính %s, sau dòng %d: tệp hỏng, không đọc được phần còn lại; mở tệp trong Excel và lưu lại dưới dạng .xlsx (%w)", s.path, QuoteName(s.sheet), s.row, cutErr{err})
}

func (s *xmlSheetSource) next(*[]string) ([]string, int64, error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return r.cells, r.row, nil
	}
	return s.read()
}

func (s *xmlSheetSource) close() error {
	if s.mt.file != nil {
		return s.mt.file.Close()
	}
	return nil
}

func (s *xmlSheetSource) encoding() string {
	return s.mt.rep.report(s.mt.base, func(col int) string { return columnName(s.header, col) })
}

// read returns the next row of the sheet: the row numbered one after the
// last, empty (but for ranges from above) when the sheet skips that
// number and a merged range covers it; rows no range covers are jumped
// over. The slice is reused by the next call.
func (s *xmlSheetSource) read() ([]string, int64, error) {
	if s.nextRow == 0 && !s.done {
		n, err := s.findRow()
		switch {
		case errors.Is(err, io.EOF):
			s.done = true
		case err != nil:
			return nil, 0, err
		default:
			s.nextRow = n
		}
	}
	if s.done {
		// A range reaching below the last <Row> gives no rows there, as
		// in XLSX (where a million-row range would be a million rows from
		// a few bytes).
		return nil, 0, io.EOF
	}
	if s.nextRow > s.row+1 && s.grid.active(s.row) {
		s.row++
		s.grid.startRow(s.row)
		return s.endRow()
	}
	s.row, s.nextRow = s.nextRow, 0
	s.grid.startRow(s.row)
	if err := s.readCells(); err != nil {
		return nil, 0, err
	}
	return s.endRow()
}

func (s *xmlSheetSource) endRow() ([]string, int64, error) {
	cells, err := s.grid.endRow()
	if err != nil {
		return nil, 0, err
	}
	return cells, s.row, nil
}

// findRow reads up to the next <Row> of the sheet and returns its number,
// or io.EOF at the end of the sheet.
func (s *xmlSheetSource) findRow() (int64, error) {
	for {
		tok, err := s.token()
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if err != nil {
			return 0, s.wrap(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Row" {
				n := s.row + 1
				if v, err := strconv.ParseInt(strings.TrimSpace(attr(t, "Index")), 10, 64); err == nil && v > s.row {
					n = v
				}
				if n > excelMaxRows {
					return 0, fmt.Errorf("tệp %s: trang tính %s: dòng %d vượt quá dòng cuối cùng Excel có (%d), tệp hỏng; xuất lại tệp (row beyond Excel's last row)", s.path, QuoteName(s.sheet), n, excelMaxRows)
				}
				return n, nil
			}
			if t.Name.Local == "Visible" {
				s.inVisible, s.visible = true, s.visible[:0]
			}
		case xml.CharData:
			if s.inVisible && len(s.visible) < 64 {
				s.visible = append(s.visible, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "Visible":
				v := strings.TrimSpace(string(s.visible))
				s.inVisible, s.hidden = false, s.hidden || strings.EqualFold(v, "SheetHidden") || strings.EqualFold(v, "SheetVeryHidden")
			case "Worksheet":
				if s.hidden && s.firstTaken {
					return 0, fmt.Errorf("tệp %s: trang tính đầu tiên %s bị ẩn (thường là trang danh mục phụ), Excel mở trang tính hiện đầu tiên; "+
						"ghi tên trang tính cần đọc vào sheet: của nguồn (the first worksheet is hidden; name the sheet to read)", s.path, QuoteName(s.sheet))
				}
				return 0, io.EOF
			}
		}
	}
}

// readCells reads the cells of the <Row> just started, to its end.
func (s *xmlSheetSource) readCells() error {
	depth := s.depth // the row's
	var (
		inCell       bool
		dataDepth    int // depth of the <Data> being read; 0 outside
		skipDepth    int // depth of a <Comment> being skipped; 0 outside
		index        int
		across, down int
		dataType     string
	)
	for {
		tok, err := s.token()
		if errors.Is(err, io.EOF) {
			return nil // the file ends inside the row: keep what was read
		}
		if err != nil {
			return s.wrap(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case skipDepth > 0 || dataDepth > 0:
			case t.Name.Local == "Cell" && !inCell:
				inCell, index, across, down, s.text = true, -1, 0, 0, s.text[:0]
				dataType = ""
				if v, err := strconv.Atoi(strings.TrimSpace(attr(t, "Index"))); err == nil && v > s.grid.col && v <= excelMaxCols {
					index = v - 1
				}
				if v, err := strconv.Atoi(strings.TrimSpace(attr(t, "MergeAcross"))); err == nil && v > 0 {
					across = min(v, excelMaxCols)
				}
				if v, err := strconv.Atoi(strings.TrimSpace(attr(t, "MergeDown"))); err == nil && v > 0 {
					down = int(min(int64(v), excelMaxRows-s.row))
				}
			case inCell && t.Name.Local == "Comment":
				skipDepth = s.depth
			case inCell && t.Name.Local == "Data":
				dataDepth = s.depth
				dataType = attr(t, "Type")
			}
		case xml.CharData:
			if dataDepth > 0 && skipDepth == 0 {
				s.text = append(s.text, t...)
				if len(s.text) > s.lim.MaxCellBytes {
					return limitErr(s.path, fmt.Sprintf("ô ở dòng %d, cột %d dài hơn %d byte,", s.row, s.grid.col+1, s.lim.MaxCellBytes),
						int64(s.lim.MaxCellBytes), "max_cell_bytes")
				}
			}
		case xml.EndElement:
			switch {
			case skipDepth > 0:
				if s.depth < skipDepth {
					skipDepth = 0
				}
			case dataDepth > 0:
				if s.depth < dataDepth {
					dataDepth = 0
				}
			case t.Name.Local == "Cell" && inCell:
				inCell = false
				v := string(s.text)
				if dataType == "DateTime" {
					v = excelSerial(v)
				}
				v = cellText(s.mt.rep, s.row, max(index, s.grid.col), v)
				if err := s.grid.add(index, v, across, down); err != nil {
					return err
				}
			}
			if s.depth < depth {
				return nil // </Row>, or an element holding it closed
			}
		}
	}
}

// excelSerial turns an XML Spreadsheet DateTime ("2024-03-15T12:00:00.000")
// into the serial the XLSX decoder gives for a date cell ("45366.5");
// anything else is kept as written, and so is a date before 1900, which
// Excel has no serial for (it keeps such a date as text). The serial is
// counted from Unix seconds: a time.Duration saturates 292 years from the
// epoch (2204-03-15 gave the serial of 2192). Before 1 March 1900 Excel's
// serials are one less (its 29 February 1900 never was).
func excelSerial(v string) string {
	s := strings.TrimSpace(v)
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil || t.Year() < 1900 {
		return v
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	secs := t.Unix() - epoch.Unix()
	days, rest := secs/86400, secs%86400 // both >= 0: t is after the epoch
	if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		days--
	}
	serial := float64(days) + (float64(rest)+float64(t.Nanosecond())/1e9)/86400
	return strconv.FormatFloat(serial, 'f', -1, 64)
}

// attr returns the value of the attribute named local, in any namespace
// (ss:Index, or Index under a default namespace).
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// runGuard fails a stream at the first run of more than max bytes without
// a '<' (a cell's text, an attribute, padding), before the XML decoder
// holds it.
type runGuard struct {
	r         io.Reader
	max       int
	run       int
	cellLimit int
}

func (g *runGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '<' {
			g.run = 0
		} else if g.run++; g.run > g.max {
			return i, &LimitError{What: fmt.Sprintf("một ô (hoặc đoạn văn bản) của bảng tính XML dài hơn %d byte,", g.max),
				Limit: int64(g.cellLimit), Key: "limits.max_cell_bytes"}
		}
	}
	return n, err
}
