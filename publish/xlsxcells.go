package publish

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// cellSink sets the cells of a workbook's sheets. The workbook writers
// (form II.06a, rankings) set every cell through one, and everything else
// (styles, merges, widths, print setup, properties) on the excelize.File
// itself. Two sinks give the same bytes (TestFastCellsMatchExcelize):
//
//   - excelizeCells calls excelize for each cell, which keeps a tree of
//     every cell and marshals it with encoding/xml when the file is
//     written: per-cell calls and reflection took most of publication's
//     CPU (BENCHMARKS.md, "Publication costs");
//   - fastCells keeps the cells itself and writes the sheets' <sheetData>
//     as excelize would, spliced into the parts excelize writes with an
//     empty one. Strings still go into excelize's shared string table, in
//     the order of the calls, so sharedStrings.xml is excelize's own.
//
// Coordinates are 1-based (column, row), as excelize's.
type cellSink interface {
	Str(sheet string, col, row int, v string) error
	Int(sheet string, col, row int, v int64) error
	Float(sheet string, col, row int, v float64) error
	// Style sets the style of every cell of the range, keeping its value.
	Style(sheet string, c1, r1, c2, r2, style int) error
	// Merge merges the range: excelize empties every cell but the first
	// (keeping its style).
	Merge(sheet string, c1, r1, c2, r2 int) error
	RowHeight(sheet string, row int, height float64) error
	// Write writes the workbook.
	Write(w io.Writer) error
}

// setCellValue sets an int, float64 or string cell as excelize's
// SetCellValue does.
func setCellValue(cells cellSink, sheet string, col, row int, v any) error {
	switch v := v.(type) {
	case int:
		return cells.Int(sheet, col, row, int64(v))
	case int64:
		return cells.Int(sheet, col, row, v)
	case float64:
		return cells.Float(sheet, col, row, v)
	case string:
		return cells.Str(sheet, col, row, v)
	}
	return fmt.Errorf("cell %s: value of type %T", cellName(col, row), v)
}

// cellName is excelize's name of a cell, "C12".
func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// excelizeCells is the sink that has excelize set each cell: the
// reference, and the fallback for strings fastCells does not handle.
type excelizeCells struct{ f *excelize.File }

func (x excelizeCells) Str(sheet string, col, row int, v string) error {
	return x.f.SetCellStr(sheet, cellName(col, row), v)
}

func (x excelizeCells) Int(sheet string, col, row int, v int64) error {
	return x.f.SetCellInt(sheet, cellName(col, row), v)
}

func (x excelizeCells) Float(sheet string, col, row int, v float64) error {
	return x.f.SetCellFloat(sheet, cellName(col, row), v, -1, 64)
}

func (x excelizeCells) Style(sheet string, c1, r1, c2, r2, style int) error {
	return x.f.SetCellStyle(sheet, cellName(c1, r1), cellName(c2, r2), style)
}

func (x excelizeCells) Merge(sheet string, c1, r1, c2, r2 int) error {
	return x.f.MergeCell(sheet, cellName(c1, r1), cellName(c2, r2))
}

func (x excelizeCells) RowHeight(sheet string, row int, height float64) error {
	return x.f.SetRowHeight(sheet, row, height)
}

func (x excelizeCells) Write(w io.Writer) error {
	x.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newZip(w) })
	_, err := x.f.WriteTo(w)
	return err
}

// newZip is the workbooks' zip writer: archive/zip's, its parts deflated
// by klauspost/compress/flate, which took a quarter to a third of the
// CPU compress/flate did for the same workbooks (BENCHMARKS.md, "The
// nightly's merge, commits and publication traced again"). Its output
// is a function of the input alone, as compress/flate's: the same
// workbook gives the same bytes (TestWorkbooksDeterministic). Both cell
// sinks write through it, so they still give the same bytes
// (TestFastCellsMatchExcelize).
func newZip(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, newDeflater)
	return zw
}

// deflaters keeps the compressors between parts and workbooks: each
// holds some hundreds of KiB of tables, and a workbook has a dozen parts
// (archive/zip pools its own compress/flate writers the same way).
var deflaters sync.Pool

// deflateLevel is the package's default: workbooks 4% larger than
// compress/flate's; level 1 made them 15% larger to save a third of what
// is left (BENCHMARKS.md).
const deflateLevel = flate.DefaultCompression

type pooledDeflater struct{ *flate.Writer }

func newDeflater(w io.Writer) (io.WriteCloser, error) {
	if fw, ok := deflaters.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return pooledDeflater{fw}, nil
	}
	fw, err := flate.NewWriter(w, deflateLevel)
	if err != nil {
		return nil, err
	}
	return pooledDeflater{fw}, nil
}

// Close ends the part's stream and returns the compressor to the pool.
func (d pooledDeflater) Close() error {
	err := d.Writer.Close()
	deflaters.Put(d.Writer)
	return err
}

// errSlowCells is fastCells' answer to a string it cannot place as
// excelize would: the workbook is then written again with excelizeCells.
var errSlowCells = errors.New("string needs excelize's own cell handling")

// fastCell is one cell: its style and value, a shared string's index,
// an integer or a float (kind); a cell with neither is not written.
type fastCell struct {
	style int
	kind  byte // 0 none, 's' shared string (n), 'i' integer (n), 'f' float (x)
	n     int64
	x     float64
}

// has is excelize's hasValue: a cell worth writing.
func (c *fastCell) has() bool { return c.style != 0 || c.kind != 0 }

// fastRow is one row: its cells by column (index col-1).
type fastRow struct {
	ht    float64
	hasHt bool
	cells []fastCell
}

// fastCells is the cellSink that writes the sheet data and the shared
// string table itself. It handles the strings excelize stores unchanged:
// no longer than excelize's cell limit, without an "_xHHHH_" escape
// (excelize rewrites those, and then no longer finds the string it
// stored) and without white space at either end (excelize marks those
// xml:space="preserve"); anything else returns errSlowCells.
type fastCells struct {
	f       *excelize.File
	strs    map[string]int // shared string → index, as excelize numbers them
	list    []string       // the shared strings in index order
	scratch string         // the sheet of the scratch cell
	sheets  map[string][]fastRow
	order   []string // sheets in creation order: sheet<i+1>.xml
}

// newFastCells is a fastCells for f, a new file whose sheets are created
// in the order of sheets (the first one is Sheet1 renamed).
func newFastCells(f *excelize.File, sheets ...string) *fastCells {
	x := &fastCells{f: f, strs: map[string]int{}, sheets: map[string][]fastRow{}, order: sheets}
	for _, s := range sheets {
		x.sheets[s] = nil
	}
	return x
}

// cell is the cell at col, row, created empty; the pointer is good until
// the next call.
func (x *fastCells) cell(sheet string, col, row int) (*fastCell, error) {
	rows, ok := x.sheets[sheet]
	if !ok {
		return nil, fmt.Errorf("sheet %s not declared", sheet)
	}
	if col < 1 || col > excelize.MaxColumns || row < 1 || row > excelize.TotalRows {
		return nil, fmt.Errorf("cell (%d, %d) out of range", col, row)
	}
	if len(rows) < row {
		rows = append(rows, make([]fastRow, row-len(rows))...)
		x.sheets[sheet] = rows
	}
	r := &rows[row-1]
	if len(r.cells) < col {
		r.cells = append(r.cells, make([]fastCell, col-len(r.cells))...)
	}
	return &r.cells[col-1], nil
}

// spaced: excelize writes the string with xml:space="preserve".
func spaced(v string) bool {
	if v == "" {
		return false
	}
	for _, c := range []byte{'\t', '\n', '\r', ' '} {
		if v[0] == c || v[len(v)-1] == c {
			return true
		}
	}
	return false
}

// plainString: excelize stores and finds the string as it is.
func plainString(v string) bool {
	return len(v) <= excelize.TotalCellChars && !strings.Contains(v, "_x")
}

func (x *fastCells) Str(sheet string, col, row int, v string) error {
	if !plainString(v) {
		return errSlowCells
	}
	c, err := x.cell(sheet, col, row)
	if err != nil {
		return err
	}
	i, ok := x.strs[v]
	if !ok {
		if spaced(v) {
			return errSlowCells
		}
		if len(x.list) == 0 {
			// excelize creates its shared string table with the first
			// string, set in a scratch cell that is emptied before
			// writing (an empty cell is not written); Write checks that
			// table against sharedStrings for that string alone.
			if err := x.f.SetCellStr(sheet, "A1", v); err != nil {
				return err
			}
			x.scratch = sheet
		}
		i = len(x.list)
		x.strs[v] = i
		x.list = append(x.list, v)
	}
	c.kind, c.n = 's', int64(i)
	return nil
}

func (x *fastCells) Int(sheet string, col, row int, v int64) error {
	c, err := x.cell(sheet, col, row)
	if err != nil {
		return err
	}
	c.kind, c.n = 'i', v
	return nil
}

func (x *fastCells) Float(sheet string, col, row int, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return x.Str(sheet, col, row, fmt.Sprint(v)) // as excelize's SetCellFloat
	}
	c, err := x.cell(sheet, col, row)
	if err != nil {
		return err
	}
	c.kind, c.x = 'f', v
	return nil
}

func (x *fastCells) Style(sheet string, c1, r1, c2, r2, style int) error {
	c1, c2 = min(c1, c2), max(c1, c2)
	r1, r2 = min(r1, r2), max(r1, r2)
	for r := r1; r <= r2; r++ {
		for col := c1; col <= c2; col++ {
			c, err := x.cell(sheet, col, r)
			if err != nil {
				return err
			}
			c.style = style
		}
	}
	return nil
}

func (x *fastCells) Merge(sheet string, c1, r1, c2, r2 int) error {
	c1, c2 = min(c1, c2), max(c1, c2)
	r1, r2 = min(r1, r2), max(r1, r2)
	for r := r1; r <= r2; r++ {
		for col := c1; col <= c2; col++ {
			if col == c1 && r == r1 {
				continue
			}
			c, err := x.cell(sheet, col, r)
			if err != nil {
				return err
			}
			c.kind = 0
		}
	}
	// excelize records the merge (its cells, all empty, are not written).
	return x.f.MergeCell(sheet, cellName(c1, r1), cellName(c2, r2))
}

func (x *fastCells) RowHeight(sheet string, row int, height float64) error {
	if height > excelize.MaxRowHeight || height < 0 {
		return fmt.Errorf("row %d: height %g", row, height)
	}
	if _, err := x.cell(sheet, 1, row); err != nil {
		return err
	}
	r := &x.sheets[sheet][row-1]
	r.ht, r.hasHt = height, true
	return nil
}

// sheetData is the content of a sheet's <sheetData> as excelize's
// encoding/xml writes it: rows in order, cells in column order; a cell
// with neither style nor value and a row with neither cells nor height
// are left out (excelize's trimRow and trimCell). Values are numbers and
// string indices: nothing to escape.
func (x *fastCells) sheetData(sheet string) []byte {
	var b []byte
	for i := range x.sheets[sheet] {
		r := &x.sheets[sheet][i]
		any := r.hasHt
		for j := range r.cells {
			any = any || r.cells[j].has()
		}
		if !any {
			continue
		}
		n := int64(i + 1)
		b = append(b, `<row r="`...)
		b = strconv.AppendInt(b, n, 10)
		b = append(b, '"')
		if r.hasHt {
			b = append(b, ` ht="`...)
			b = strconv.AppendFloat(b, r.ht, 'g', -1, 64)
			b = append(b, `" customHeight="true"`...)
		}
		b = append(b, '>')
		for j := range r.cells {
			c := &r.cells[j]
			if !c.has() {
				continue
			}
			b = append(b, `<c r="`...)
			b = append(b, columnName(j+1)...)
			b = strconv.AppendInt(b, n, 10)
			b = append(b, '"')
			if c.style != 0 {
				b = append(b, ` s="`...)
				b = strconv.AppendInt(b, int64(c.style), 10)
				b = append(b, '"')
			}
			switch c.kind {
			case 's':
				b = append(b, ` t="s"><v>`...)
				b = strconv.AppendInt(b, c.n, 10)
				b = append(b, "</v>"...)
			case 'i':
				b = append(b, "><v>"...)
				b = strconv.AppendInt(b, c.n, 10)
				b = append(b, "</v>"...)
			case 'f':
				b = append(b, "><v>"...)
				b = strconv.AppendFloat(b, c.x, 'f', -1, 64)
				b = append(b, "</v>"...)
			default:
				b = append(b, '>')
			}
			b = append(b, "</c>"...)
		}
		b = append(b, "</row>"...)
	}
	return b
}

// columnNames caches the names of the first columns.
var columnNames = func() []string {
	names := make([]string, 64)
	for i := range names {
		names[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	return names
}()

func columnName(col int) string {
	if col <= len(columnNames) {
		return columnNames[col-1]
	}
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// Write empties the scratch cell and writes the workbook through
// excelize, each sheet's empty <sheetData> filled with the cells and the
// shared string table replaced by the whole one.
func (x *fastCells) Write(w io.Writer) error {
	parts := map[string]func([]byte) ([]byte, error){}
	for i, s := range x.order {
		name := "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
		data := x.sheetData(s)
		parts[name] = func(b []byte) ([]byte, error) {
			i := bytes.Index(b, []byte(emptySheetData))
			if i < 0 || bytes.Contains(b[i+len(emptySheetData):], []byte("<sheetData")) {
				return nil, fmt.Errorf("workbook part %s: no single empty sheetData to fill", name)
			}
			at := i + len("<sheetData>")
			return append(append(append(make([]byte, 0, len(b)+len(data)), b[:at]...), data...), b[at:]...), nil
		}
	}
	if len(x.list) > 0 {
		if err := x.f.SetCellDefault(x.scratch, "A1", ""); err != nil {
			return err
		}
		parts["xl/sharedStrings.xml"] = func(b []byte) ([]byte, error) {
			// excelize's table holds the first string alone: if it is not
			// what sharedStrings writes for it, excelize sets the cells.
			if !bytes.Equal(b, sharedStrings(x.list[:1])) {
				return nil, errSlowCells
			}
			return sharedStrings(x.list), nil
		}
	}
	sz := &splicingZip{parts: parts}
	x.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		sz.zw = newZip(w)
		return sz
	})
	if _, err := x.f.WriteTo(w); err != nil {
		return err
	}
	if len(sz.parts) > 0 {
		return fmt.Errorf("workbook: %d parts not written", len(sz.parts))
	}
	return nil
}

// sharedStrings is xl/sharedStrings.xml as excelize writes it
// (encoding/xml) for strings none of which needs xml:space.
func sharedStrings(list []string) []byte {
	var b bytes.Buffer
	n := strconv.Itoa(len(list))
	b.WriteString(xml.Header)
	b.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="` + n + `" uniqueCount="` + n + `">`)
	for _, s := range list {
		b.WriteString("<si><t>")
		xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a bytes.Buffer
		b.WriteString("</t></si>")
	}
	b.WriteString("</sst>")
	return b.Bytes()
}

// splicingZip is the zip writer excelize writes through (newZip, as for
// excelizeCells), except that a part named in parts is held until
// complete and rewritten by its function.
type splicingZip struct {
	zw    *zip.Writer
	parts map[string]func([]byte) ([]byte, error)
	name  string    // part being held
	dst   io.Writer // its entry in the zip
	held  bytes.Buffer
}

const emptySheetData = "<sheetData></sheetData>"

func (z *splicingZip) flush() error {
	if z.dst == nil {
		return nil
	}
	rewrite := z.parts[z.name]
	delete(z.parts, z.name)
	dst := z.dst
	z.dst = nil
	b, err := rewrite(z.held.Bytes())
	z.held.Reset()
	if err != nil {
		return err
	}
	_, err = dst.Write(b)
	return err
}

func (z *splicingZip) Create(name string) (io.Writer, error) {
	if err := z.flush(); err != nil {
		return nil, err
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	if _, ok := z.parts[name]; ok {
		z.name, z.dst = name, w
		return &z.held, nil
	}
	return w, nil
}

func (z *splicingZip) AddFS(fsys fs.FS) error {
	if err := z.flush(); err != nil {
		return err
	}
	return z.zw.AddFS(fsys)
}

func (z *splicingZip) Close() error {
	if err := z.flush(); err != nil {
		return err
	}
	return z.zw.Close()
}
