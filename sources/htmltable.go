package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// newHTMLSource reads the data table of an HTML page ("Xuất Excel" of
// many one-stop systems: a page holding a <table>, saved as .xls).
//
// The page is streamed with html.Tokenizer; what is held is one row per
// open table (nested layout tables at most maxTableDepth deep) and the
// first rows of the tables not yet judged. Each <tr> is a row, numbered
// as Excel numbers it when it opens the page: every <tr> of every table
// counts, and so does each line of text outside the tables (a <h3> title,
// a paragraph). Cells are <td> or <th>; colspan and rowspan are merged
// ranges whose value is copied into the cells they cover, as for XLSX.
// A cell's text has its white space collapsed (a space for &nbsp;), a line
// break for <br> (and between paragraphs), the text of nested <b>, <span>,
// <font> and the like; entities are decoded. Unclosed <td> and <tr> are
// closed by the next one, as browsers do.
//
// With a header dictionary (opts.HeaderScore) the data table is the table
// whose header scores best, as the header row of a sheet is chosen: each
// table's header is found among its first 30 non-blank rows as for CSV
// and XLSX, ties go to the earlier table, and a header whose known
// columns are all personal data (opts.PersonalHeader: a login form's
// "Email:") does not count. The tables before it are titles. A table
// after it continues its data when its first non-blank rows repeat the
// header (they are skipped) or when it is as wide as the header row and
// has no header (an export that splits header and body, or one table
// per unit); any other table with a non-blank row after it fails the
// file, its rows are not dropped silently. The later tables are looked
// at for a better header until 30 of their rows are held. A page with
// tables but none such, or with a password field (a login page), is
// refused naming the file. Without one (a dataset finds its own header)
// every table row of the page is a row. A page with no table row at all,
// or a login page, gives errNoTable.
func newHTMLSource(path string, mt *markupText, opts DecodeOptions, merges *[]CellRange) (*htmlSource, []string, error) {
	lim := opts.Limits.withDefaults()
	z := html.NewTokenizer(mt.r)
	z.SetMaxBuf(htmlMaxBuf(lim))
	mt.rep.score = opts.HeaderScore
	s := &htmlSource{path: path, mt: mt, z: z, lim: lim, score: opts.HeaderScore, personal: opts.PersonalHeader, merges: merges, pageMode: opts.HeaderScore == nil,
		budget: newFillBudget(path, lim)}
	var top []bufRow
	for s.chosen == nil {
		ev, err := s.event()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		t := ev.table
		if s.pageMode {
			if !ev.end && !isBlank(ev.cells) {
				top = append(top, bufRow{cells: ev.cells, row: ev.row})
				if len(top) == headerScanRows {
					break
				}
			}
			continue
		}
		if s.bestEnd > 0 && t.id > s.bestEnd && !ev.end && !isBlank(ev.cells) {
			// A row of a table after the best so far, which continues
			// it, is a better one or fails the file: kept until that is
			// known (blank rows and ends of tables are passed over).
			s.later = append(s.later, ev)
		}
		switch {
		case ev.end:
			t.ended = true
			if !t.judged {
				s.judge(t)
			}
			if t == s.best {
				s.bestEnd, s.later = s.nextID, nil
			}
		case isBlank(ev.cells) || t.judged:
			// a table passed over: a nested table's rows too
		default:
			t.cand = append(t.cand, bufRow{cells: ev.cells, row: ev.row})
			if len(t.cand) == headerScanRows {
				s.judge(t)
			}
		}
		if s.chosen == nil && s.best != nil && len(s.later) > headerScanRows {
			// Enough rows after the best table to stop looking for a
			// better one: the tables that follow are read as they come.
			s.choose()
		}
	}
	if s.pageMode {
		if len(top) == 0 || s.password {
			return nil, nil, errNoTable // an error or login page
		}
		header, first := chooseHeader(top, nil)
		s.pending = top[first:]
		s.setHeader(header, top, first)
		return s, header, nil
	}
	if s.chosen == nil && s.best != nil && !s.password {
		s.choose()
	}
	if s.chosen == nil {
		if s.judgedTables == 0 {
			return nil, nil, errNoTable // no table with a non-blank row: an error page
		}
		return nil, nil, fmt.Errorf("tệp %s: là một trang HTML có %d bảng nhưng không bảng nào có dòng tiêu đề nhận ra được "+
			"(không thấy tên cột nào như Mã hồ sơ, Ngày tiếp nhận), thường là trang báo lỗi hoặc trang đăng nhập của phần mềm xuất: "+
			"mở tệp trong Excel để kiểm tra, lưu lại dưới dạng .xlsx, hoặc tải lại tệp từ phần mềm (HTML page: no table with a recognised header)",
			path, s.judgedTables)
	}
	return s, s.header, nil
}

// maxTableDepth bounds the nesting of tables that are followed; a table
// nested deeper is read as text of the cell holding it.
const maxTableDepth = 16

// htmlMaxBuf bounds one token of the page (a tag with its attributes, a
// run of text, a <style> block or a comment): a cell's text, escaped, or
// 4 MiB, the style sheets and conditional comments Excel-like exports
// carry.
func htmlMaxBuf(lim Limits) int { return max(xmlRunLimit(lim), 4<<20) }

// htmlSource yields the rows of the chosen table of a page (or of every
// table, in page mode).
type htmlSource struct {
	path     string
	mt       *markupText
	z        *html.Tokenizer
	lim      Limits
	score    func([]string) int
	personal func(string) bool
	merges   *[]CellRange // collects the data tables' merged ranges; nil when not asked
	budget   *fillBudget  // the merged-range copies of all the page's tables
	pageMode bool
	password bool // the page has a password field: a login page

	row    int64 // number of the last row of the page
	tables []*htmlTable
	nextID int
	queue  []htmlEvent
	eof    bool
	// judgedTables counts the tables with a non-blank row judged not to
	// be the data table (for the error).
	judgedTables int

	raw      string // the raw-text element being skipped (script, style)
	inHead   bool
	outText  bool // text outside the tables since the last line
	deepSkip int  // tables nested beyond maxTableDepth, open

	// best is the table whose header scores best so far; bestEnd the
	// number of tables opened when it ended (0 while open): the ones
	// opened later come after it. later holds their non-blank rows until
	// the data table is chosen.
	best    *htmlTable
	bestEnd int
	later   []htmlEvent

	chosen    *htmlTable
	chosenEnd int          // as bestEnd, for the chosen table
	data      []*htmlTable // the chosen table and those continuing it, when their merged ranges are asked for
	header    []string
	hdrRows   [][]string // the row or two the header was read from, cleaned
	hdrCols   int        // cells of the widest of them
	pending   []bufRow
	replay    []htmlEvent // later, read again once the data table is chosen
	fill      int         // merged values are copied up to this column, once the header is known
}

// htmlTable is an open table of the page.
type htmlTable struct {
	grid   *spanGrid
	merges []CellRange
	inRow  bool
	inCell bool
	cell   []byte
	across int
	down   int
	cand   []bufRow // first non-blank rows, until judged
	judged bool
	ended  bool
	id     int // tables opened before it and it

	score   int      // of its header, once judged
	header  []string // its header and the index in cand of its first data row
	first   int
	hdrRows [][]string

	follow  int // a table after the data table: followUnknown, followHeader or followData
	skipped int // header rows repeated at its top, skipped
	// groupMerges is how many merged ranges the table had when its row
	// group (thead, tbody, tfoot) began.
	groupMerges int
}

// How a table after the data table continues it.
const (
	followUnknown = iota // no non-blank row yet
	followHeader         // its first rows repeat the header
	followData           // it has no header and is as wide
)

// htmlEvent is a row of a table, or a table's end.
type htmlEvent struct {
	table *htmlTable
	cells []string
	row   int64
	end   bool
}

// judge scores t's header, found among its first rows, and makes t the
// best table when it scores higher than the best so far; a table judged
// before its end (its first rows fill the look-ahead) is then chosen. A
// table after the best one judged before its end makes the best one
// chosen: its rows cannot all be held.
func (s *htmlSource) judge(t *htmlTable) {
	t.judged = true
	cand := t.cand
	if len(cand) == 0 {
		return
	}
	s.judgedTables++
	header, first, score := scoreHeader(cand, s.score)
	if score > 0 && s.personal != nil {
		known := make([]string, 0, len(header))
		for _, c := range header {
			if !s.personal(c) {
				known = append(known, c)
			}
		}
		if s.score(known) <= 0 {
			score = 0 // personal-data headings alone: a form, not an export
		}
	}
	if s.password {
		score = 0 // a login page's tables
	}
	t.score, t.header, t.first = score, header, first
	// The header row, or the two rows combined into it (the lower alone
	// is never the combination: a pair must score higher).
	lower := trimHeader(headerCells(cand[first-1].cells))
	t.hdrRows = [][]string{lower}
	if first >= 2 && !slices.Equal(lower, header) {
		t.hdrRows = [][]string{trimHeader(headerCells(cand[first-2].cells)), lower}
	}
	if score > 0 && (s.best == nil || score > s.best.score) {
		if s.best != nil {
			s.best.cand = nil
		}
		s.best, s.bestEnd, s.later = t, 0, nil
		if !t.ended {
			s.choose()
		}
		return
	}
	t.cand = nil
	if s.best != nil && s.bestEnd > 0 && t.id > s.bestEnd && !t.ended {
		s.choose()
	}
}

// choose makes the best table the data table, its rows from the header
// on pending and the events of the tables after it to be read again.
func (s *htmlSource) choose() {
	b := s.best
	s.chosen, s.chosenEnd, s.data = b, s.bestEnd, []*htmlTable{b}
	s.hdrRows, s.hdrCols = b.hdrRows, 0
	for i := max(b.first-len(b.hdrRows), 0); i < b.first; i++ {
		s.hdrCols = max(s.hdrCols, len(b.cand[i].cells))
	}
	s.pending = b.cand[b.first:]
	s.replay, s.later = s.later, nil
	top := b.cand
	if b.first == len(top) {
		// The data begin in a later table, if any.
		if len(s.replay) > 0 {
			top = append(slices.Clip(top), bufRow{cells: s.replay[0].cells, row: s.replay[0].row})
		}
	}
	s.setHeader(b.header, top, b.first)
	b.cand = nil
}

// setHeader records the header and where the data begins.
func (s *htmlSource) setHeader(header []string, top []bufRow, first int) {
	s.header = header
	s.fill = max(len(header), 1)
	for _, t := range s.tables {
		t.grid.fillCols = s.fill
	}
	if first < len(top) {
		s.mt.rep.setDataFrom(top[first].row)
	} else {
		s.mt.rep.setDataFrom(s.row + 1)
	}
}

func (s *htmlSource) next(*[]string) ([]string, int64, error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return r.cells, r.row, nil
	}
	for {
		var ev htmlEvent
		if len(s.replay) > 0 {
			ev, s.replay = s.replay[0], s.replay[1:]
		} else {
			var err error
			if ev, err = s.event(); err != nil {
				if errors.Is(err, io.EOF) && s.merges != nil {
					for _, t := range s.data {
						*s.merges = append(*s.merges, t.merges...)
					}
					s.merges = nil
				}
				return nil, 0, err
			}
		}
		t := ev.table
		switch {
		case s.pageMode:
			if !ev.end {
				return ev.cells, ev.row, nil
			}
		case t == s.chosen:
			if ev.end {
				s.chosenEnd = s.nextID
				continue
			}
			return ev.cells, ev.row, nil
		case ev.end || s.chosenEnd == 0 || t.id <= s.chosenEnd || isBlank(ev.cells):
			// A table around the data table or inside it, or a blank row.
		default:
			if cells, ok, err := s.follow(t, ev); err != nil || ok {
				return cells, ev.row, err
			}
		}
	}
}

// follow reads a row of table t, which comes after the data table: a
// repeated header row is skipped, a table under a header of its own
// fails the file, and any other row is returned (ok) as a data row.
func (s *htmlSource) follow(t *htmlTable, ev htmlEvent) ([]string, bool, error) {
	if t.follow == followUnknown {
		switch {
		case slices.Equal(trimHeader(headerCells(ev.cells)), s.hdrRows[0]):
			t.follow = followHeader
		case s.score(trimHeader(headerCells(ev.cells))) > 0:
			// A second report under a header of its own (its columns
			// in another order, or others): read under the data
			// table's header its values would land in the wrong
			// columns and load.
			return nil, false, fmt.Errorf("tệp %s: trang có thêm bảng khác, với dòng tiêu đề khác, sau bảng dữ liệu ở dòng %d: "+
				"không đọc được như phần tiếp của dữ liệu (các cột khác nhau) và cũng không bỏ qua được: mở tệp trong Excel, "+
				"xoá bảng thừa hoặc tách thành từng tệp rồi lưu lại dưới dạng .xlsx, hoặc xuất lại tệp từ phần mềm "+
				"(HTML page: another table with its own header after the data table)", s.path, ev.row)
		case len(ev.cells) == s.hdrCols:
			t.follow = followData
		default:
			// Another table (a signature block "Người lập biểu | Thủ
			// trưởng đơn vị", a second report): its rows are read as
			// data, as the rows below an XLSX sheet's table are, and
			// the transform quarantines what is no dossier. Failing the
			// file would refuse most real reports for their signatures;
			// skipping it would drop rows silently.
			t.follow = followData
		}
		if s.merges != nil {
			s.data = append(s.data, t)
		}
	}
	if t.follow == followHeader && t.skipped < len(s.hdrRows) {
		if slices.Equal(trimHeader(headerCells(ev.cells)), s.hdrRows[t.skipped]) {
			t.skipped++
			return nil, false, nil
		}
		t.skipped = len(s.hdrRows)
	}
	return ev.cells, true, nil
}

func (s *htmlSource) close() error {
	if s.mt.file != nil {
		return s.mt.file.Close()
	}
	return nil
}

// encoding reports the page's encoding and the legacy-font cells repaired.
func (s *htmlSource) encoding() string {
	return s.mt.rep.report(s.mt.base, func(col int) string { return columnName(s.header, col) })
}

// columnName names column col (0-based) by its header, else by its letter.
func columnName(header []string, col int) string {
	if col < len(header) && header[col] != "" {
		return header[col]
	}
	return "cột " + strconv.Itoa(col+1)
}

// event returns the next row or table end, or io.EOF.
func (s *htmlSource) event() (htmlEvent, error) {
	for len(s.queue) == 0 {
		if s.eof {
			return htmlEvent{}, io.EOF
		}
		if err := s.step(); err != nil {
			return htmlEvent{}, err
		}
	}
	ev := s.queue[0]
	s.queue = s.queue[1:]
	return ev, nil
}

// step reads one token.
func (s *htmlSource) step() error {
	tt := s.z.Next()
	switch tt {
	case html.ErrorToken:
		err := s.z.Err()
		if errors.Is(err, html.ErrBufferExceeded) {
			return limitErr(s.path, fmt.Sprintf("một thẻ hoặc đoạn văn bản của trang HTML sau dòng %d dài hơn %d byte,", s.row, htmlMaxBuf(s.lim)),
				int64(s.lim.MaxCellBytes), "max_cell_bytes")
		}
		if err != io.EOF {
			return fmt.Errorf("tệp %s: sau dòng %d: không đọc được phần còn lại của trang; xuất lại tệp (%w)", s.path, s.row, err)
		}
		for len(s.tables) > 0 {
			if err := s.endTable(); err != nil {
				return err
			}
		}
		s.eof = true
		return nil
	case html.TextToken:
		return s.text(s.z.Text())
	case html.StartTagToken, html.SelfClosingTagToken:
		name, hasAttr := s.z.TagName()
		return s.startTag(string(name), hasAttr, tt == html.SelfClosingTagToken)
	case html.EndTagToken:
		name, _ := s.z.TagName()
		return s.endTag(string(name))
	}
	return nil
}

// skipped are elements whose text is not shown.
var skipped = map[string]bool{"script": true, "style": true, "title": true, "noscript": true, "iframe": true,
	"noembed": true, "noframes": true, "xmp": true, "template": true}

// headTags are the elements a <head> holds.
var headTags = map[string]bool{"meta": true, "link": true, "base": true, "style": true, "script": true, "title": true,
	"noscript": true, "template": true, "xml": true, "object": true}

// blockTags end a line of text: outside a table it is a row of the sheet,
// inside a cell a line break.
var blockTags = map[string]bool{"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "li": true, "ul": true, "ol": true, "hr": true, "center": true, "pre": true, "blockquote": true,
	"form": true, "dl": true, "dt": true, "dd": true, "address": true}

func (s *htmlSource) cur() *htmlTable {
	if len(s.tables) == 0 {
		return nil
	}
	return s.tables[len(s.tables)-1]
}

func (s *htmlSource) text(b []byte) error {
	if s.raw != "" || s.inHead {
		return nil
	}
	t := s.cur()
	if t == nil {
		if len(bytes.TrimSpace(bytes.ReplaceAll(b, []byte("\u00a0"), nil))) > 0 {
			s.outText = true
		}
		return nil
	}
	if !t.inCell {
		return nil // white space between tags of a table
	}
	return s.appendCell(t, b)
}

// appendCell adds text to the open cell, white space collapsed.
func (s *htmlSource) appendCell(t *htmlTable, b []byte) error {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0':
			if n := len(t.cell); n > 0 && t.cell[n-1] != ' ' && t.cell[n-1] != '\n' {
				t.cell = append(t.cell, ' ')
			}
			continue
		}
		t.cell = utf8.AppendRune(t.cell, r)
	}
	if len(t.cell) > s.lim.MaxCellBytes {
		return limitErr(s.path, fmt.Sprintf("ô ở dòng %d, cột %d dài hơn %d byte,", t.grid.row, t.grid.col+1, s.lim.MaxCellBytes),
			int64(s.lim.MaxCellBytes), "max_cell_bytes")
	}
	return nil
}

// lineBreak ends a line in the open cell: a <br> (two make an empty
// line), or with soft the start or end of a paragraph (which ends a line
// that has text only). A run of <br> is bounded as text is.
func (s *htmlSource) lineBreak(t *htmlTable, soft bool) error {
	t.cell = bytes.TrimRight(t.cell, " ")
	if n := len(t.cell); n > 0 && !(soft && t.cell[n-1] == '\n') {
		if n >= s.lim.MaxCellBytes {
			return limitErr(s.path, fmt.Sprintf("ô ở dòng %d, cột %d dài hơn %d byte,", t.grid.row, t.grid.col+1, s.lim.MaxCellBytes),
				int64(s.lim.MaxCellBytes), "max_cell_bytes")
		}
		t.cell = append(t.cell, '\n')
	}
	return nil
}

// line ends a line of text outside the tables: a row of the sheet.
func (s *htmlSource) line() {
	if s.outText {
		s.row++
		s.outText = false
	}
}

func (s *htmlSource) startTag(name string, hasAttr, selfClosing bool) error {
	if s.raw != "" {
		return nil
	}
	switch name {
	case "head":
		s.inHead = !selfClosing
		return nil
	case "body":
		s.inHead = false
		return nil
	}
	if s.inHead && !headTags[name] {
		s.inHead = false // an unclosed <head>: the content has begun
	}
	if skipped[name] {
		if !selfClosing {
			s.raw = name
		}
		return nil
	}
	if name == "input" && hasAttr && s.chosen == nil {
		for more := true; more; {
			var k, v []byte
			k, v, more = s.z.TagAttr()
			if string(k) == "type" && strings.EqualFold(strings.TrimSpace(string(v)), "password") {
				s.password = true // no export asks for a password
			}
		}
		return nil
	}
	t := s.cur()
	if t != nil && s.deepSkip > 0 && name != "table" {
		if t.inCell && (name == "br" || name == "td" || name == "th" || name == "tr") {
			return s.lineBreak(t, name != "br")
		}
		return nil
	}
	switch name {
	case "table":
		if len(s.tables) >= maxTableDepth {
			s.deepSkip++
			return nil
		}
		s.line()
		s.nextID++
		s.tables = append(s.tables, &htmlTable{id: s.nextID, grid: newSpanGrid(s.path, s.lim, nil, s.budget)})
		nt := s.cur()
		if s.fill > 0 {
			nt.grid.fillCols = s.fill
		}
		switch {
		case s.merges != nil && s.pageMode:
			nt.grid.merges = s.merges // every table is read
			// Its row groups cut only its own ranges, not those of the
			// tables before it in the shared list.
			nt.groupMerges = len(*s.merges)
		case s.merges != nil:
			nt.grid.merges = &nt.merges
		}
		return nil
	case "tr":
		if t == nil {
			return nil
		}
		if err := s.endRow(t); err != nil {
			return err
		}
		s.startRow(t)
		return nil
	case "thead", "tbody", "tfoot":
		if t == nil {
			return nil
		}
		if err := s.endRow(t); err != nil {
			return err
		}
		s.endGroup(t)
		return nil
	case "td", "th":
		if t == nil {
			return nil
		}
		if err := s.endCell(t); err != nil {
			return err
		}
		if !t.inRow {
			s.startRow(t)
		}
		t.inCell, t.cell, t.across, t.down = true, t.cell[:0], 0, 0
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = s.z.TagAttr()
			switch string(k) {
			case "colspan":
				t.across = spanAttr(v, 1000) - 1
			case "rowspan":
				t.down = spanAttr(v, 65534) - 1
			}
		}
		return nil
	case "br":
		if t == nil {
			s.outText = true // a <br> alone makes an empty line too
			s.line()
		} else if t.inCell {
			return s.lineBreak(t, false)
		}
		return nil
	}
	if blockTags[name] {
		if t == nil {
			s.line()
		} else if t.inCell {
			return s.lineBreak(t, true)
		}
	}
	return nil
}

func (s *htmlSource) endTag(name string) error {
	if s.raw != "" {
		if name == s.raw {
			s.raw = ""
		}
		return nil
	}
	if name == "head" {
		s.inHead = false
		return nil
	}
	t := s.cur()
	if t == nil {
		if blockTags[name] {
			s.line()
		}
		return nil
	}
	switch name {
	case "table":
		if s.deepSkip > 0 {
			s.deepSkip--
			return nil
		}
		return s.endTable()
	case "tr":
		if s.deepSkip == 0 {
			return s.endRow(t)
		}
	case "tbody", "thead", "tfoot":
		if s.deepSkip == 0 {
			if err := s.endRow(t); err != nil {
				return err
			}
			s.endGroup(t)
		}
	case "td", "th":
		if s.deepSkip == 0 {
			return s.endCell(t)
		}
	default:
		if blockTags[name] && t.inCell {
			return s.lineBreak(t, true)
		}
	}
	return nil
}

// spanAttr reads a colspan or rowspan: 1 when missing, invalid or 0, at
// most limit (the bounds browsers apply).
func spanAttr(v []byte, limit int) int {
	n, err := strconv.Atoi(strings.TrimSpace(string(v)))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, limit)
}

func (s *htmlSource) startRow(t *htmlTable) {
	s.line()
	s.row++
	t.inRow = true
	t.grid.startRow(s.row)
}

// endGroup ends a row group (thead, tbody, tfoot) of t: browsers cut a
// rowspan at the end of its group, so the rows of the next group are not
// shifted by a header cell spanning into them, and the merged ranges
// recorded are cut alike. What Excel does with such a page is not known
// here; a browser's layout is what the clerk saw when exporting.
func (s *htmlSource) endGroup(t *htmlTable) {
	t.grid.endGroup()
	if m := t.grid.merges; m != nil {
		// A range cut to its own cell is no longer a merge.
		kept := min(t.groupMerges, len(*m))
		for _, r := range (*m)[kept:] {
			if r.Top <= t.grid.row && r.Bottom > t.grid.row {
				r.Bottom = t.grid.row
			}
			if r.Top < r.Bottom || r.Left < r.Right {
				(*m)[kept] = r
				kept++
			}
		}
		*m = (*m)[:kept]
		t.groupMerges = kept
	}
}

func (s *htmlSource) endCell(t *htmlTable) error {
	if !t.inCell {
		return nil
	}
	t.inCell = false
	v := strings.Trim(string(t.cell), " \n")
	v = cellText(s.mt.rep, t.grid.row, t.grid.col, v)
	return t.grid.add(-1, v, t.across, t.down)
}

func (s *htmlSource) endRow(t *htmlTable) error {
	if err := s.endCell(t); err != nil {
		return err
	}
	if !t.inRow {
		return nil
	}
	t.inRow = false
	cells, err := t.grid.endRow()
	if err != nil {
		return err
	}
	cells = slices.Clone(cells)
	s.queue = append(s.queue, htmlEvent{table: t, cells: cells, row: t.grid.row})
	return nil
}

func (s *htmlSource) endTable() error {
	t := s.cur()
	if err := s.endRow(t); err != nil {
		return err
	}
	s.tables = s.tables[:len(s.tables)-1]
	s.queue = append(s.queue, htmlEvent{table: t, end: true})
	// An ended table is still referred to (its rows, s.data) but its
	// buffers are not: a page of thousands of tables holds none of them.
	t.grid, t.cell = nil, nil
	return nil
}
