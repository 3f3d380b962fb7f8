package sources

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/cchc/cchc/vnenc"
	"github.com/xuri/excelize/v2"
)

// maxMergeFillCols bounds how far a merged range is copied across a row
// before the header is known (a title merged over the whole sheet width).
const maxMergeFillCols = 1024

// openXLSX decodes one sheet of an Excel workbook: opts.Sheet (matched
// exactly, else ignoring case), or the first visible sheet.
//
// Cells are read as stored, the way excelize's RawCellValue gives them:
// the number format is not applied, so a date cell gives its Excel serial
// ("45366.5"), a number its stored value ("1.001234", "3331"), a boolean
// "1" or "0"; text cells (shared or inline strings) and formula results as
// stored. The transform parses serial dates. A number format's padding is
// not applied either: a code typed as the number 1.00123 with six decimals
// shown reads "1.00123", digits with a "000" format lose their leading
// zeros. Merged ranges are filled: every covered cell gets the value of
// the range's top-left cell, in header and data rows alike (a unit name
// merged down a group of dossiers applies to each). Row numbers are
// Excel's row numbers.
//
// Memory does not grow with the sheet: the file is hashed in one pass
// (the digest the run records), checked against opts.Limits (declared part
// sizes, which archive/zip enforces while inflating; the longest run of
// text in the sheet and the shared strings; merge entries), and the sheet
// part is then inflated and parsed as a stream from the open file, one row
// at a time (see sheetRows). What is held is one row, the shared strings
// (bounded by the limits) and the merged ranges (MaxMerges).
//
// Text typed with a legacy font (TCVN3, VNI) is converted cell by cell, in
// title, header and data rows alike (see cellRepair); Encoding reports what
// was found.
func openXLSX(path string, opts DecodeOptions, choice vnenc.Choice) (r RawReader, err error) {
	defer recoverXLSX(path, &err)
	lim := opts.Limits.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	if st, err := f.Stat(); err == nil && st.Size() > lim.MaxWorkbookBytes {
		return nil, limitErr(path, fmt.Sprintf("tệp Excel nặng %d byte,", st.Size()), lim.MaxWorkbookBytes, "max_workbook_bytes")
	}
	// The digest is of the whole file read once, before the zip reader
	// reads parts of it at random; a file rewritten meanwhile changes its
	// size or time, which the run checks after decoding (or fails a part's
	// checksum).
	hr := newHashReader(f, opts)
	size, err := io.Copy(io.Discard, io.LimitReader(hr, lim.MaxWorkbookBytes+1))
	if err != nil {
		return nil, fileError(path, err)
	}
	if size > lim.MaxWorkbookBytes {
		return nil, limitErr(path, "tệp Excel", lim.MaxWorkbookBytes, "max_workbook_bytes")
	}
	if err := hr.drain(); err != nil {
		return nil, fileError(path, err)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, fmt.Errorf("tệp %s: tệp hỏng hoặc không phải bảng tính Excel (.xlsx); mở tệp trong Excel và lưu lại dưới dạng .xlsx (not a valid XLSX workbook: %v)", path, cutErr{err})
	}
	if err := checkWorkbook(path, zr, lim); err != nil {
		return nil, err
	}
	wb, err := readWorkbook(zr)
	if err != nil {
		return nil, fmt.Errorf("tệp %s: tệp hỏng hoặc không phải bảng tính Excel (.xlsx); mở tệp trong Excel và lưu lại dưới dạng .xlsx (not a valid XLSX workbook: %v)", path, cutErr{err})
	}
	src, header, err := newXLSXSource(path, wb, opts, choice)
	if err != nil {
		return nil, err
	}
	src.file = f
	keep = true
	rd := newReader(path, "xlsx", src, header, opts)
	rd.hr = hr
	return rd, nil
}

func newXLSXSource(path string, wb *workbook, opts DecodeOptions, choice vnenc.Choice) (*xlsxSource, []string, error) {
	if len(wb.sheets) == 0 {
		return nil, nil, fmt.Errorf("tệp %s: bảng tính không có trang tính nào; mở tệp trong Excel và lưu lại dưới dạng .xlsx hoặc xuất lại tệp (the workbook has no sheets)", path)
	}
	sheet := firstVisible(wb.sheets)
	if opts.Sheet != "" {
		var ok bool
		if sheet, ok = findSheet(wb.sheets, opts.Sheet); !ok {
			names := make([]string, len(wb.sheets))
			for i, s := range wb.sheets {
				names[i] = s.name
			}
			return nil, nil, fmt.Errorf("tệp %s: không có trang tính %s mà cấu hình của nguồn ghi (sheet:); bảng tính có các trang tính: %s; "+
				"sửa sheet: của nguồn hoặc đổi tên trang tính trong tệp (sheet not found)", path, QuoteName(opts.Sheet), QuoteNames(names))
		}
	}
	if sheet.part == nil {
		return nil, nil, fmt.Errorf("tệp %s: trang tính %s không có nội dung trong tệp (tệp hỏng, hoặc là trang biểu đồ); mở tệp trong Excel và lưu lại dưới dạng .xlsx "+
			"(not a valid XLSX workbook: sheet has no worksheet part)", path, QuoteName(sheet.name))
	}
	merges, err := readMerges(sheet.part, opts.Limits.withDefaults())
	var le *LimitError
	if errors.As(err, &le) {
		le.Path = path
		return nil, nil, le
	}
	if err != nil {
		return nil, nil, fmt.Errorf("tệp %s: trang tính %s: không đọc được danh sách ô gộp, tệp hỏng; mở tệp trong Excel và lưu lại dưới dạng .xlsx (reading merged cells: %w)", path, QuoteName(sheet.name), cutErr{err})
	}
	if opts.Merged != nil && len(merges) > 0 {
		out := make([]CellRange, len(merges))
		for i, m := range merges {
			out[i] = CellRange{Top: m.top, Bottom: m.bottom, Left: m.left, Right: m.right}
		}
		opts.Merged(out)
	}
	sst, err := readSharedStrings(wb.sst)
	if err != nil {
		return nil, nil, fmt.Errorf("tệp %s: không đọc được phần chữ dùng chung của bảng tính, tệp hỏng; mở tệp trong Excel và lưu lại dưới dạng .xlsx (not a valid XLSX workbook: shared strings: %v)", path, cutErr{err})
	}
	rows, err := openSheetRows(sheet.part, sst)
	if err != nil {
		return nil, nil, fmt.Errorf("tệp %s: trang tính %s: không đọc được trang tính, tệp hỏng; mở tệp trong Excel và lưu lại dưới dạng .xlsx (%w)", path, QuoteName(sheet.name), cutErr{err})
	}
	// The rows hold a read-ahead goroutine: closed on every way out but
	// success, a panic too (recoverXLSX turns it into an error above).
	opened := false
	defer func() {
		if !opened {
			rows.close()
		}
	}()
	s := &xlsxSource{path: path, sheet: sheet.name, date1904: wb.date1904, rows: rows, merges: merges, fillCols: maxMergeFillCols, rep: newCellRepair(choice, opts.HeaderScore),
		budget: newFillBudget(path, opts.Limits.withDefaults())}
	top, err := readTop(s.read)
	if err != nil {
		return nil, nil, err
	}
	if len(top) == 0 {
		return nil, nil, fmt.Errorf("tệp %s: trang tính %s trống, không có dòng nào; kiểm tra đúng trang tính (sheet: của nguồn) hoặc xuất lại tệp (sheet is empty)", path, QuoteName(sheet.name))
	}
	header, first := chooseHeader(top, opts.HeaderScore)
	s.pending = top[first:]
	s.fillCols = max(len(header), 1)
	s.header = header
	if first < len(top) {
		s.rep.setDataFrom(top[first].row)
	} else {
		s.rep.setDataFrom(s.row + 1)
	}
	opened = true
	return s, header, nil
}

// firstVisible returns the first sheet a person sees when opening the
// workbook (hidden helper sheets are skipped), or the first sheet if all
// are hidden.
func firstVisible(sheets []workbookSheet) workbookSheet {
	for _, s := range sheets {
		if !s.hidden {
			return s
		}
	}
	return sheets[0]
}

// findSheet returns the sheet named name, matched exactly, else ignoring
// case.
func findSheet(sheets []workbookSheet, name string) (workbookSheet, bool) {
	for _, s := range sheets {
		if s.name == name {
			return s, true
		}
	}
	for _, s := range sheets {
		if strings.EqualFold(s.name, name) {
			return s, true
		}
	}
	return workbookSheet{}, false
}

// xlsxSource yields the rows of one sheet: first those read ahead while
// looking for the header, then the rest of the sheet.
type xlsxSource struct {
	path, sheet string
	date1904    bool
	file        *os.File
	rows        *sheetRows
	row         int64 // Excel number of the last row read
	pending     []bufRow
	ahead       []string // cells of the row element numbered ahead, beyond row
	aheadRow    int64    // its number; 0 when none is read ahead

	merges   []mergeRange // sorted by top row
	nextMrg  int          // first merge not yet active
	active   []*mergeRange
	fillCols int         // merged values are copied up to this column
	budget   *fillBudget // what the copies may cost (MaxMergedFillBytes)

	rep    *cellRepair
	header []string
}

// encoding reports the text encoding found in the cells: utf-8, or the
// legacy encodings repaired and where (see cellRepair.report).
func (s *xlsxSource) encoding() string {
	return s.rep.report("utf-8", func(col int) string {
		if col < len(s.header) && s.header[col] != "" {
			return s.header[col]
		}
		name, _ := excelize.ColumnNumberToName(col + 1)
		return name
	})
}

func (s *xlsxSource) usesDate1904() bool { return s.date1904 }

func (s *xlsxSource) next(*[]string) ([]string, int64, error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return r.cells, r.row, nil
	}
	return s.read()
}

// recoverXLSX turns a panic of the workbook library on a malformed file
// into an error naming the file: hostile input must not stop the run.
func recoverXLSX(path string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("tệp %s: tệp hỏng, không đọc được bảng tính; mở tệp trong Excel và lưu lại dưới dạng .xlsx (not a valid XLSX workbook: %s)", path, excerpt(fmt.Sprint(p)))
	}
}

// read returns the next row of the sheet, merged ranges filled: the row
// numbered one after the last, empty when the sheet skips that number
// (merged ranges still cover it). The slice is reused by the next call.
func (s *xlsxSource) read() (cells []string, row int64, err error) {
	defer recoverXLSX(s.path, &err)
	if s.aheadRow == 0 {
		cells, num, err := s.rows.next()
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, fmt.Errorf("tệp %s: trang tính %s, sau dòng %d: tệp hỏng, không đọc được phần còn lại; mở tệp trong Excel và lưu lại dưới dạng .xlsx (%w)", s.path, QuoteName(s.sheet), s.row, cutErr{err})
		}
		s.ahead, s.aheadRow = cells, num
	}
	// Skipped row numbers are blank unless a merged range covers them:
	// jump over them (a row numbered 1,000,000 costs no million calls).
	if s.aheadRow > s.row+1 && len(s.active) == 0 && (s.nextMrg >= len(s.merges) || s.merges[s.nextMrg].top >= s.aheadRow) {
		s.row = s.aheadRow - 1
	}
	s.row++
	cells = nil
	if s.aheadRow == s.row {
		cells, s.ahead, s.aheadRow = s.ahead, nil, 0
	}
	for i, c := range cells {
		cells[i] = s.rep.cell(s.row, i, c)
	}
	cells, err = s.fillMerged(cells)
	if err != nil {
		return nil, 0, err
	}
	return cells, s.row, nil
}

// fillMerged copies the top-left value of every merged range covering the
// current row into the range's other (empty) cells of the row.
func (s *xlsxSource) fillMerged(cells []string) ([]string, error) {
	live := s.active[:0]
	for _, m := range s.active {
		if m.bottom >= s.row {
			live = append(live, m)
		}
	}
	s.active = live
	for s.nextMrg < len(s.merges) && s.merges[s.nextMrg].top <= s.row {
		m := &s.merges[s.nextMrg]
		s.nextMrg++
		if m.bottom < s.row {
			continue
		}
		if m.top == s.row && m.left <= len(cells) {
			m.value = cells[m.left-1]
		}
		if m.value != "" {
			s.active = append(s.active, m)
		}
	}
	for _, m := range s.active {
		right := min(m.right, max(s.fillCols, len(cells)))
		for c := m.left; c <= right; c++ {
			for len(cells) < c {
				cells = append(cells, "")
			}
			if cells[c-1] == "" {
				cells[c-1] = m.value
				if err := s.budget.take(len(m.value), s.row); err != nil {
					return nil, err
				}
			}
		}
	}
	return cells, nil
}

func (s *xlsxSource) close() error {
	err := s.rows.close()
	if s.file != nil {
		err = errors.Join(err, s.file.Close())
	}
	return err
}

// CellRange is a merged cell range of a sheet, 1-based and inclusive: rows
// Top..Bottom (the row numbers the decoder reports) and columns
// Left..Right (1 is column A, the decoder's first cell).
type CellRange struct {
	Top, Bottom int64
	Left, Right int
}

// Ref is the range as Excel writes it: "C6:C7".
func (r CellRange) Ref() string {
	a, err1 := excelize.CoordinatesToCellName(r.Left, int(r.Top))
	b, err2 := excelize.CoordinatesToCellName(r.Right, int(r.Bottom))
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("R%dC%d:R%dC%d", r.Top, r.Left, r.Bottom, r.Right)
	}
	return a + ":" + b
}

// mergeRange is a merged cell range, 1-based and inclusive, with the value
// of its top-left cell once that row has been read.
type mergeRange struct {
	top, bottom int64 // rows
	left, right int   // columns
	value       string
}

func sortMerges(m []mergeRange) {
	sort.Slice(m, func(i, j int) bool {
		if m[i].top != m[j].top {
			return m[i].top < m[j].top
		}
		return m[i].left < m[j].left
	})
}
