package sources

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// The worksheet is read by a streaming parser of its XML part instead of
// excelize: excelize reads the whole file into memory, inflates every
// worksheet at open (to a temporary file when large), and costs about 550
// allocations a row in its row iterator. This parser holds one row, the
// shared strings and the merged ranges, and nothing else of the sheet.

// Excel's own bounds on a sheet (a cell reference beyond them is not Excel's).
const (
	excelMaxRows = 1_048_576
	excelMaxCols = 16_384
)

// workbookSheet is a sheet declared in the workbook part, in workbook order.
type workbookSheet struct {
	name   string
	hidden bool      // state="hidden" or "veryHidden"
	part   *zip.File // the worksheet part, nil when the relationships do not lead to one
}

// workbook is what the decoder needs of a workbook's package: its sheets
// and its shared strings part.
type workbook struct {
	sheets []workbookSheet
	sst    *zip.File // nil when the workbook has none
}

// readWorkbook follows the package relationships to the workbook part, its
// sheets and its shared strings. A zip archive without a workbook part gives
// errNoWorkbook.
func readWorkbook(zr *zip.Reader) (*workbook, error) {
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))] = f
	}
	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	readRels := func(name string) ([]rel, error) {
		var rels struct {
			Rel []rel `xml:"Relationship"`
		}
		err := decodePart(files, name, &rels)
		return rels.Rel, err
	}
	rels, err := readRels("_rels/.rels")
	if err != nil {
		return nil, err
	}
	wbPath := "xl/workbook.xml"
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPath = strings.TrimPrefix(r.Target, "/")
		}
	}
	if files[strings.ToLower(wbPath)] == nil {
		return nil, errNoWorkbook
	}
	var wb struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			RID   string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(files, wbPath, &wb); err != nil {
		return nil, err
	}
	dir := path.Dir(wbPath)
	wbRels, err := readRels(path.Join(dir, "_rels", path.Base(wbPath)+".rels"))
	if err != nil {
		return nil, err
	}
	target := func(t string) *zip.File {
		p := path.Join(dir, t)
		if strings.HasPrefix(t, "/") {
			p = path.Clean(strings.TrimPrefix(t, "/"))
		}
		return files[strings.ToLower(p)]
	}
	out := &workbook{}
	for _, s := range wb.Sheets {
		ws := workbookSheet{name: s.Name, hidden: s.State == "hidden" || s.State == "veryHidden"}
		for _, r := range wbRels {
			if r.ID == s.RID {
				ws.part = target(r.Target)
			}
		}
		out.sheets = append(out.sheets, ws)
	}
	for _, r := range wbRels {
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			out.sst = target(r.Target)
		}
	}
	if out.sst == nil {
		out.sst = files["xl/sharedstrings.xml"]
	}
	return out, nil
}

var errNoWorkbook = fmt.Errorf("a zip archive without an Excel workbook in it")

// newXMLDecoder reads an XML part, in the character set it declares.
func newXMLDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, err
		}
		return enc.NewDecoder().Reader(in), nil
	}
	return d
}

// sharedStrings holds the text of every shared string item: one string
// and the end of each item in it, four bytes an item beyond the text (a
// []string would take sixteen, and a part of tiny items holds millions).
type sharedStrings struct {
	all  string
	ends []uint32
}

// get returns item i, or false when there is no such item.
func (s *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.all[start:s.ends[i]], true
}

// readSharedStrings reads the shared string items, in order. The part is
// bounded by checkWorkbook (a quarter of MaxXMLPartBytes, runs of text by
// MaxCellBytes), and what it holds is at most its text.
func readSharedStrings(f *zip.File) (*sharedStrings, error) {
	if f == nil {
		return &sharedStrings{}, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := newXMLDecoder(bufio.NewReaderSize(rc, 64<<10))
	var all []byte
	var ends []uint32
	var text richText
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return &sharedStrings{all: string(all), ends: ends}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "si" {
			s, err := text.read(d, "si")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			if len(all)+len(s) > math.MaxUint32 {
				return nil, fmt.Errorf("%s: more than 4 GiB of text", f.Name)
			}
			all = append(all, s...)
			ends = append(ends, uint32(len(all)))
		}
	}
}

// richText collects the text of a string item (<si>, or a cell's <is>): its
// <t>, or the <t> of each run <r>, leaving out phonetic guides (<rPh>).
type richText struct{ buf []byte }

// read consumes the tokens up to the end of the element named end and
// returns its text, _xHHHH_ escapes decoded.
func (x *richText) read(d *xml.Decoder, end string) (string, error) {
	x.buf = x.buf[:0]
	depth, skip, inT := 0, 0, false
	for {
		tok, err := innerToken(d)
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case skip > 0:
				skip++
			case t.Name.Local == "rPh" || t.Name.Local == "phoneticPr":
				skip = 1
			case t.Name.Local == "t":
				inT = true
			}
		case xml.EndElement:
			if depth == 0 {
				if t.Name.Local != end {
					return "", fmt.Errorf("element <%s> closed by </%s>", end, cutName(t.Name.Local))
				}
				return unescapeOOXML(string(x.buf)), nil
			}
			depth--
			if skip > 0 {
				skip--
			} else if t.Name.Local == "t" {
				inT = false
			}
		case xml.CharData:
			if inT && skip == 0 {
				x.buf = append(x.buf, t...)
			}
		}
	}
}

// unescapeOOXML decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot carry (_x000D_ is a carriage return); _x005F_ is a literal '_'.
// It matches what excelize did when it read the workbook.
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil && isHex4(s[i+2:i+6]) {
				r := rune(v)
				if !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
				b.WriteRune(r)
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// sheetRows streams the <row> elements of a worksheet part.
type sheetRows struct {
	rc   io.ReadCloser
	d    *xml.Decoder
	sst  *sharedStrings
	part string

	started bool  // inside <sheetData>
	done    bool  // </sheetData> or the end of the part seen
	last    int64 // number of the last row element read
	cells   []string
	val     []byte
	text    richText
}

func openSheetRows(part *zip.File, sst *sharedStrings) (*sheetRows, error) {
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	return &sheetRows{rc: rc, d: newXMLDecoder(bufio.NewReaderSize(rc, 64<<10)), sst: sst, part: part.Name}, nil
}

// next returns the cells of the next row element and its Excel row number:
// its r attribute, or the one after the previous row when it has none or
// repeats an earlier one (rows are never merged or reordered). Cells are
// placed at the column of their r attribute, or after the previous cell;
// empty cells without a formula are left "". The slice is reused by the
// following call. At the end of the sheet data it returns io.EOF.
func (s *sheetRows) next() ([]string, int64, error) {
	for !s.done {
		tok, err := s.d.RawToken()
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			return nil, 0, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sheetData":
				s.started = true
			case s.started && t.Name.Local == "row":
				num := s.last + 1
				if v := attr(t.Attr, "r"); v != "" {
					if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > s.last {
						num = n
					}
				}
				if num > excelMaxRows {
					return nil, 0, fmt.Errorf("row number %d is beyond Excel's last row %d", num, excelMaxRows)
				}
				s.last = num
				cells, err := s.row()
				return cells, num, err
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" && s.started {
				s.done = true
			}
		}
	}
	// Read to the end of the part: archive/zip checks its checksum there.
	_, err := io.Copy(io.Discard, s.rc)
	if err != nil {
		return nil, 0, err
	}
	return nil, 0, io.EOF
}

// row reads the cells of a row element up to its end.
func (s *sheetRows) row() ([]string, error) {
	clear(s.cells)
	s.cells = s.cells[:0]
	col := 0
	for {
		tok, err := s.d.RawToken()
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			col++
			if ref := attr(t.Attr, "r"); ref != "" {
				c, err := refColumn(ref)
				if err != nil {
					return nil, fmt.Errorf("cell %s: %w", QuoteName(ref), err)
				}
				col = c
			}
			if col > excelMaxCols {
				return nil, fmt.Errorf("cell in column %d, beyond Excel's last column %d", col, excelMaxCols)
			}
			v, err := s.cell(attr(t.Attr, "t"))
			if err != nil {
				return nil, err
			}
			if v == "" {
				continue
			}
			for len(s.cells) < col {
				s.cells = append(s.cells, "")
			}
			s.cells[col-1] = v
		case xml.EndElement:
			if t.Name.Local == "row" {
				return s.cells, nil
			}
		}
	}
}

// cell reads a cell's content up to </c> and returns its stored value, as
// excelize's RawCellValue gave it: the shared string of an "s" cell, the
// text of an inline string, else the <v> as written (a number, a date's
// serial, a boolean's 1 or 0, an error such as #N/A, a formula's cached
// result).
func (s *sheetRows) cell(typ string) (string, error) {
	s.val = s.val[:0]
	var inline string
	hasInline, inV, depth := false, false, 0
	for {
		tok, err := innerToken(s.d)
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case depth == 0 && t.Name.Local == "is":
				if inline, err = s.text.read(s.d, "is"); err != nil {
					return "", err
				}
				hasInline = true
				continue
			case depth == 0 && t.Name.Local == "v":
				inV = true
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				if t.Name.Local != "c" {
					return "", fmt.Errorf("element <c> closed by </%s>", cutName(t.Name.Local))
				}
				return s.value(typ, inline, hasInline), nil
			}
			depth--
			if depth == 0 {
				inV = false
			}
		case xml.CharData:
			if inV {
				s.val = append(s.val, t...)
			}
		}
	}
}

func (s *sheetRows) value(typ, inline string, hasInline bool) string {
	switch typ {
	case "s":
		if len(s.val) == 0 {
			return ""
		}
		if i, err := strconv.Atoi(string(bytes.TrimSpace(s.val))); err == nil {
			if v, ok := s.sst.get(i); ok {
				return v
			}
		}
	case "inlineStr":
		if hasInline {
			return inline
		}
	}
	if len(s.val) == 0 {
		return ""
	}
	return string(s.val)
}

func (s *sheetRows) close() error { return s.rc.Close() }

// attr returns the value of the attribute with the local name, or "".
func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// refColumn returns the 1-based column of a cell reference such as "AB12"
// ("$AB$12" too).
func refColumn(ref string) (int, error) {
	col, n := 0, 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c == '$' && n == 0:
			continue
		case 'A' <= c && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case 'a' <= c && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			if n == 0 {
				return 0, fmt.Errorf("not a cell reference")
			}
			return col, nil
		}
		n++
		if col > excelMaxCols {
			return 0, fmt.Errorf("column beyond Excel's last column %d", excelMaxCols)
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("not a cell reference")
	}
	return col, nil
}

// cutName cuts an element name read from the file to quoteNameRunes
// characters for an error message: the name is the file's bytes, of any
// length (an XML name is already printable text).
func cutName(n string) string {
	if utf8.RuneCountInString(n) <= quoteNameRunes {
		return n
	}
	return string([]rune(n)[:quoteNameRunes]) + "…"
}

// innerToken is the next raw token inside an element: the end of the
// part there means the XML is cut short.
func innerToken(d *xml.Decoder) (xml.Token, error) {
	tok, err := d.RawToken()
	if err == io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return tok, err
}
