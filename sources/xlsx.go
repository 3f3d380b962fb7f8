package sources

import (
	"archive/zip"
	"bytes"
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
// Cells are read with excelize's RawCellValue: the number format is not
// applied, so a date cell gives its Excel serial ("45366.5"), a number its
// stored value ("1.001234", "3331"), a boolean "1" or "0"; text cells and
// formula results as stored. The transform parses serial dates. A number
// format's padding is not applied either: a code typed as the number
// 1.00123 with six decimals shown reads "1.00123", digits with a "000"
// format lose their leading zeros. Merged
// ranges are filled: every covered cell gets the value of the range's
// top-left cell, in header and data rows alike (a unit name merged down a
// group of dossiers applies to each). Row numbers are Excel's row numbers.
//
// The workbook is read once into memory through a hash (excelize would
// read it whole anyway), checked against opts.Limits before excelize sees
// it (declared part sizes, which archive/zip enforces while inflating; the
// longest run of text in the sheet and shared strings; merge entries), and
// then opened by excelize from those same bytes: parts over 16 MiB are
// spilled to temporary files, bounded by MaxWorkbookBytes. Rows are
// streamed.
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
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > lim.MaxWorkbookBytes {
		return nil, limitErr(path, fmt.Sprintf("tệp Excel nặng %d byte,", st.Size()), lim.MaxWorkbookBytes, "max_workbook_bytes")
	}
	hr := newHashReader(f)
	data, err := io.ReadAll(io.LimitReader(hr, lim.MaxWorkbookBytes+1))
	if err != nil {
		return nil, fileError(path, err)
	}
	if int64(len(data)) > lim.MaxWorkbookBytes {
		return nil, limitErr(path, "tệp Excel", lim.MaxWorkbookBytes, "max_workbook_bytes")
	}
	if err := hr.drain(); err != nil {
		return nil, fileError(path, err)
	}
	zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if zerr == nil {
		if err := checkWorkbook(path, zr, lim); err != nil {
			return nil, err
		}
	}
	xo := excelize.Options{UnzipSizeLimit: lim.MaxWorkbookBytes, UnzipXMLSizeLimit: min(16<<20, lim.MaxXMLPartBytes, lim.MaxWorkbookBytes)}
	x, err := excelize.OpenReader(bytes.NewReader(data), xo)
	if err != nil {
		if zerr == nil && !hasWorkbookPart(zr) {
			err = errors.New("a zip archive without an Excel workbook in it")
		}
		return nil, fmt.Errorf("file %s: not a valid XLSX workbook (%v)", path, err)
	}
	src, header, err := newXLSXSource(path, x, zr, opts, choice)
	if err != nil {
		x.Close()
		return nil, err
	}
	rd := newReader(path, "xlsx", src, header, opts)
	rd.hr = hr
	return rd, nil
}

func newXLSXSource(path string, f *excelize.File, zr *zip.Reader, opts DecodeOptions, choice vnenc.Choice) (*xlsxSource, []string, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, fmt.Errorf("file %s: the workbook has no sheets", path)
	}
	sheet := firstVisible(f, sheets)
	if opts.Sheet != "" {
		sheet = findSheet(sheets, opts.Sheet)
		if sheet == "" {
			return nil, nil, fmt.Errorf("file %s: sheet %s not found (sheets: %s)", path, QuoteName(opts.Sheet), QuoteNames(sheets))
		}
	}
	merges, err := readMerges(zr, sheet, opts.Limits.withDefaults())
	var le *LimitError
	if errors.As(err, &le) {
		le.Path = path
		return nil, nil, le
	}
	if err != nil {
		return nil, nil, fmt.Errorf("file %s: sheet %q: reading merged cells: %w", path, sheet, err)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, nil, fmt.Errorf("file %s: sheet %q: %w", path, sheet, err)
	}
	s := &xlsxSource{path: path, sheet: sheet, f: f, rows: rows, merges: merges, fillCols: maxMergeFillCols, rep: newCellRepair(choice, opts.HeaderScore)}
	var top []bufRow
	for len(top) < headerScanRows {
		cells, row, err := s.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.rows.Close()
			return nil, nil, err
		}
		if !isBlank(cells) {
			top = append(top, bufRow{cells: cells, row: row})
		}
	}
	if len(top) == 0 {
		s.rows.Close()
		return nil, nil, fmt.Errorf("file %s: sheet %q is empty", path, sheet)
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
	return s, header, nil
}

// hasWorkbookPart reports whether the file is a zip archive holding a
// workbook part (xl/workbook.xml or another path declared in _rels/.rels).
func hasWorkbookPart(zr *zip.Reader) bool {
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if name == "_rels/.rels" || strings.HasSuffix(name, "workbook.xml") {
			return true
		}
	}
	return false
}

// firstVisible returns the first sheet a person sees when opening the
// workbook (hidden helper sheets are skipped), or the first sheet if all
// are hidden.
func firstVisible(f *excelize.File, sheets []string) string {
	for _, s := range sheets {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			return s
		}
	}
	return sheets[0]
}

// findSheet returns the sheet named name, matched exactly, else ignoring
// case; "" when there is none.
func findSheet(sheets []string, name string) string {
	for _, s := range sheets {
		if s == name {
			return s
		}
	}
	for _, s := range sheets {
		if strings.EqualFold(s, name) {
			return s
		}
	}
	return ""
}

// xlsxSource yields the rows of one sheet: first those read ahead while
// looking for the header, then the rest of the sheet.
type xlsxSource struct {
	path, sheet string
	f           *excelize.File
	rows        *excelize.Rows
	row         int64 // Excel number of the last row read
	pending     []bufRow

	merges   []mergeRange // sorted by top row
	nextMrg  int          // first merge not yet active
	active   []*mergeRange
	fillCols int // merged values are copied up to this column

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
		*err = fmt.Errorf("file %s: not a valid XLSX workbook (%s); open it in Excel and lưu lại dưới dạng .xlsx", path, excerpt(fmt.Sprint(p)))
	}
}

// read returns the next row of the sheet, merged ranges filled.
func (s *xlsxSource) read() (cells []string, row int64, err error) {
	defer recoverXLSX(s.path, &err)
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, fmt.Errorf("file %s: sheet %q after row %d: %w", s.path, s.sheet, s.row, err)
		}
		return nil, 0, io.EOF
	}
	s.row++
	cells, err = s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, fmt.Errorf("file %s: sheet %q row %d: %w", s.path, s.sheet, s.row, err)
	}
	for i, c := range cells {
		cells[i] = s.rep.cell(s.row, i, c)
	}
	return s.fillMerged(cells), s.row, nil
}

// fillMerged copies the top-left value of every merged range covering the
// current row into the range's other (empty) cells of the row.
func (s *xlsxSource) fillMerged(cells []string) []string {
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
			}
		}
	}
	return cells
}

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	return errors.Join(err, s.f.Close())
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
