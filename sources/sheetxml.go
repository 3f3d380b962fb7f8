package sources

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
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
	sheets   []workbookSheet
	sst      *zip.File // nil when the workbook has none
	date1904 bool      // <workbookPr date1904="1"/>: see DateSystem
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
		Props struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
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
	// xsd:boolean: "1" or "true" (Excel writes "1", other tools "true").
	d1904 := strings.TrimSpace(wb.Props.Date1904)
	out := &workbook{date1904: d1904 == "1" || strings.EqualFold(d1904, "true")}
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
	// Like the rows, the items are read by fastTokens after <sst> while
	// they keep the plain shape (fastPart).
	p := newFastPart(rc)
	var all []byte
	var ends []uint32
	var text richText
	started := false
	add := func(s string) error {
		if len(all)+len(s) > math.MaxUint32 {
			return fmt.Errorf("%s: hơn 4 GiB chữ (more than 4 GiB of text)", f.Name)
		}
		all = append(all, s...)
		ends = append(ends, uint32(len(all)))
		return nil
	}
	for {
		if p.fast {
			var s string
			switch p.next("si", "sst", func(xtok) (err error) {
				s, err = text.read(&p.tok, "si")
				return err
			}) {
			case nextRead:
				if err := add(s); err != nil {
					return nil, err
				}
			case nextEnd:
				p.handOver() // what follows </sst>, as encoding/xml reads it
			}
			continue
		}
		tok, err := p.token()
		if err == io.EOF {
			return &sharedStrings{all: string(all), ends: ends}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		switch {
		case tok.kind == tokStart && string(tok.local) == "sst" && !started:
			started = true
			p.begin()
		case tok.kind == tokStart && string(tok.local) == "si":
			s, err := text.read(p.d, "si")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			if err := add(s); err != nil {
				return nil, err
			}
		}
	}
}

// richText collects the text of a string item (<si>, or a cell's <is>): its
// <t>, or the <t> of each run <r>, leaving out phonetic guides (<rPh>).
type richText struct{ buf []byte }

// read consumes the tokens up to the end of the element named end and
// returns its text, _xHHHH_ escapes decoded.
func (x *richText) read(d tokenReader, end string) (string, error) {
	x.buf = x.buf[:0]
	depth, skip, inT := 0, 0, false
	for {
		t, err := innerToken(d)
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tokStart:
			depth++
			switch local := string(t.local); {
			case skip > 0:
				skip++
			case local == "rPh" || local == "phoneticPr":
				skip = 1
			case local == "t":
				inT = true
			}
		case tokEnd:
			if depth == 0 {
				if string(t.local) != end {
					return "", fmt.Errorf("thẻ XML <%s> bị đóng bằng </%s> (element closed by another)", end, cutName(string(t.local)))
				}
				return unescapeOOXML(string(x.buf)), nil
			}
			depth--
			if skip > 0 {
				skip--
			} else if string(t.local) == "t" {
				inT = false
			}
		case tokText:
			if inT && skip == 0 {
				x.buf = append(x.buf, t.text...)
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

// sheetRows streams the <row> elements of a worksheet part: encoding/xml
// up to <sheetData>, then, while the rows keep the plain shape writers
// give them, fastTokens (about three times faster over a whole sheet:
// encoding/xml allocates every token), the same state machines (row,
// cell, richText) reading the tokens either way (fastPart).
type sheetRows struct {
	rc  io.ReadCloser
	p   *fastPart
	sst *sharedStrings

	started bool  // inside <sheetData>
	done    bool  // </sheetData> or the end of the part seen
	last    int64 // number of the last row element read
	cells   []string
	val     []byte
	text    richText
}

func openSheetRows(part *zip.File, sst *sharedStrings) (*sheetRows, error) {
	rc, err := openInflating(part)
	if err != nil {
		return nil, err
	}
	return &sheetRows{rc: rc, p: newFastPart(rc), sst: sst}, nil
}

// next returns the cells of the next row element and its Excel row number:
// its r attribute, or the one after the previous row when it has none or
// repeats an earlier one (rows are never merged or reordered). Cells are
// placed at the column of their r attribute, or after the previous cell;
// empty cells without a formula are left "". The slice is reused by the
// following call. At the end of the sheet data it returns io.EOF.
func (s *sheetRows) next() ([]string, int64, error) {
	for !s.done {
		if s.p.fast {
			var cells []string
			var num int64
			switch s.p.next("row", "sheetData", func(t xtok) (err error) {
				if num = s.rowNumber(t.attr("r")); num > excelMaxRows {
					return errNotFast // encoding/xml's error
				}
				cells, err = s.row(&s.p.tok)
				return err
			}) {
			case nextRead:
				s.last = num
				return cells, num, nil
			case nextEnd:
				s.done = true
			}
			continue
		}
		tok, err := s.p.token()
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			return nil, 0, err
		}
		switch tok.kind {
		case tokStart:
			switch {
			case string(tok.local) == "sheetData" && !s.started:
				s.started = true
				s.p.begin()
			case s.started && string(tok.local) == "row":
				num := s.rowNumber(tok.attr("r"))
				if num > excelMaxRows {
					return nil, 0, fmt.Errorf("dòng số %d, quá dòng cuối cùng của Excel là dòng %d (row number beyond Excel's last row)", num, excelMaxRows)
				}
				s.last = num
				cells, err := s.row(s.p.d)
				return cells, num, err
			}
		case tokEnd:
			if string(tok.local) == "sheetData" && s.started {
				s.done = true
			}
		}
	}
	// Read to the end of the part: archive/zip checks its checksum there.
	// (The read-ahead reader's WriteTo says io.EOF again once at the end.)
	if _, err := io.Copy(io.Discard, s.rc); err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, err
	}
	return nil, 0, io.EOF
}

// rowNumber is the number of a row element with the r attribute v.
func (s *sheetRows) rowNumber(v []byte) int64 {
	num := s.last + 1
	if len(v) > 0 {
		if n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64); err == nil && n > s.last {
			num = n
		}
	}
	return num
}

// row reads the cells of a row element up to its end.
func (s *sheetRows) row(d tokenReader) ([]string, error) {
	clear(s.cells)
	s.cells = s.cells[:0]
	col := 0
	for {
		t, err := d.token()
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokStart:
			if string(t.local) != "c" {
				continue
			}
			col++
			if ref := t.attr("r"); len(ref) > 0 {
				c, err := refColumn(ref)
				if err != nil {
					return nil, fmt.Errorf("ô %s: %w", QuoteName(string(ref)), err)
				}
				col = c
			}
			if col > excelMaxCols {
				return nil, fmt.Errorf("ô ở cột %d, quá cột cuối cùng của Excel là cột %d (cell beyond Excel's last column)", col, excelMaxCols)
			}
			v, err := s.cell(d, t.attr("t"))
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
		case tokEnd:
			if string(t.local) == "row" {
				return s.cells, nil
			}
		}
	}
}

// cell reads a cell's content up to </c> and returns its stored value, as
// excelize's RawCellValue gave it: the shared string of an "s" cell, the
// text of an inline string, else the <v> as written (a number, a date's
// serial, a boolean's 1 or 0, an error such as #N/A, a formula's cached
// result). typ is the cell's t attribute, valid until the next token.
func (s *sheetRows) cell(d tokenReader, typAttr []byte) (string, error) {
	typ := cellType(typAttr)
	s.val = s.val[:0]
	var inline string
	hasInline, inV, depth := false, false, 0
	for {
		t, err := innerToken(d)
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tokStart:
			switch {
			case depth == 0 && string(t.local) == "is":
				if inline, err = s.text.read(d, "is"); err != nil {
					return "", err
				}
				hasInline = true
				continue
			case depth == 0 && string(t.local) == "v":
				inV = true
			}
			depth++
		case tokEnd:
			if depth == 0 {
				if string(t.local) != "c" {
					return "", fmt.Errorf("thẻ XML <c> bị đóng bằng </%s> (element closed by another)", cutName(string(t.local)))
				}
				return s.value(typ, inline, hasInline), nil
			}
			depth--
			if depth == 0 {
				inV = false
			}
		case tokText:
			if inV {
				s.val = append(s.val, t.text...)
			}
		}
	}
}

// The cell types value tells apart (the t attribute).
const (
	cellOther = iota
	cellShared
	cellInline
)

func cellType(t []byte) int {
	switch string(t) {
	case "s":
		return cellShared
	case "inlineStr":
		return cellInline
	}
	return cellOther
}

func (s *sheetRows) value(typ int, inline string, hasInline bool) string {
	switch typ {
	case cellShared:
		if len(s.val) == 0 {
			return ""
		}
		if i, err := strconv.Atoi(string(bytes.TrimSpace(s.val))); err == nil {
			if v, ok := s.sst.get(i); ok {
				return v
			}
		}
	case cellInline:
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

// refColumn returns the 1-based column of a cell reference such as "AB12"
// ("$AB$12" too).
func refColumn[T string | []byte](ref T) (int, error) {
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
				return 0, errors.New("không phải địa chỉ ô như A1 (not a cell reference)")
			}
			return col, nil
		}
		n++
		if col > excelMaxCols {
			return 0, fmt.Errorf("cột quá cột cuối cùng của Excel là cột %d (column beyond Excel's last column)", excelMaxCols)
		}
	}
	if n == 0 {
		return 0, errors.New("không phải địa chỉ ô như A1 (not a cell reference)")
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

// innerToken is the next token inside an element: the end of the part
// there means the XML is cut short.
func innerToken(d tokenReader) (xtok, error) {
	tok, err := d.token()
	if err == io.EOF {
		return xtok{}, io.ErrUnexpectedEOF
	}
	return tok, err
}
