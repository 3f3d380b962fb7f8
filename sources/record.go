package sources

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cchc/cchc/internal/arrowtext"
)

// defaultBatchRows is the number of rows per record when
// DecodeOptions.BatchRows is 0.
const defaultBatchRows = 65536

// firstBatchRows is the first record's rows under the default batch size;
// each next record has twice as many, up to defaultBatchRows. The stages
// after the decoder (transform, DuckDB's append) start on a small first
// batch while the decoder reads on, instead of waiting for 65,536 rows: a
// nightly file of 50,000 rows was otherwise one batch, decoded, mapped and
// appended one step after the other (issue 11).
const firstBatchRows = 4096

// maxBatchBytes ends a record early once its cell text reaches it: rows
// are bounded (MaxColumns cells of MaxCellBytes) but a batch of 65,536
// wide rows of long text would not be, and merged ranges make such rows
// from a small file. A record's text stays under this plus one row.
const maxBatchBytes = 64 << 20

// rowSource is what each format decoder provides: one row at a time.
type rowSource interface {
	// next returns the cells of the next row and its row number, or io.EOF.
	// The reader copies the cells before the next call, so a source may
	// reuse the slice and the bytes of its strings (the CSV source's point
	// into its read buffer). A source that learns new column names (JSON keys)
	// appends them to *header and returns cells aligned with it; cells beyond
	// len(*header) become unnamed columns.
	next(header *[]string) (cells []string, row int64, err error)
	close() error
}

// reader turns a rowSource into a RawReader: it skips blank rows, widens the
// header for rows that carry more cells than it names, and batches rows into
// Arrow records.
type reader struct {
	path   string
	format string // csv, xlsx, json, html or xml2003
	enc    string // detected text encoding (csv); see Encoding
	src    rowSource
	header []string
	batch  int // rows per record at most
	size   int // rows of the record being built (ramps up to batch)
	b      batchBuilder
	err    error // sticky: once the source failed or ended it keeps saying so
	closed bool
	lim    Limits
	hr     *hashReader // the file bytes under the decoder
}

func newReader(path, format string, src rowSource, header []string, opts DecodeOptions) *reader {
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	batch := opts.BatchRows
	if batch <= 0 {
		batch = defaultBatchRows
	}
	size := batch
	if opts.BatchRows <= 0 {
		size = min(firstBatchRows, batch)
	}
	return &reader{path: path, format: format, src: src, header: header, batch: batch, size: size, b: batchBuilder{mem: mem},
		lim: opts.Limits.withDefaults()}
}

// Digest returns the hash and size of the file bytes read so far.
func (r *reader) Digest() Digest { return r.hr.digest() }

// Format returns the decoder used: "csv", "xlsx", "json", "html" or
// "xml2003".
func (r *reader) Format() string { return r.format }

// Encoding returns the detected text encoding; decoders that repair legacy
// text cell by cell report what they found so far.
func (r *reader) Encoding() string {
	if e, ok := r.src.(interface{ encoding() string }); ok {
		return e.encoding()
	}
	return r.enc
}

// Date1904 reports a workbook saved with Excel's 1904 date system (see
// DateSystem); false for every other file.
func (r *reader) Date1904() bool {
	d, ok := r.src.(interface{ usesDate1904() bool })
	return ok && d.usesDate1904()
}

// Header returns the column names seen so far (a copy).
func (r *reader) Header() []string { return slices.Clone(r.header) }

// Next returns the next record of at most BatchRows rows (under the
// default, 4,096 rows first, twice as many each time up to 65,536), or
// io.EOF. When the source fails part way, the rows read before the
// failure are returned first and the error on the following call.
func (r *reader) Next() (arrow.Record, error) {
	if r.closed {
		return nil, fmt.Errorf("tệp %s: bộ đọc đã đóng (reader is closed)", r.path)
	}
	r.b.next = r.size
	for r.err == nil && r.b.n < r.size && r.b.bytes < maxBatchBytes {
		cells, row, err := r.src.next(&r.header)
		if errors.Is(err, io.EOF) && r.hr != nil {
			if derr := r.hr.drain(); derr != nil {
				err = fileError(r.path, derr)
			}
		}
		if err != nil {
			r.err = err // io.EOF included: sticky
			break
		}
		if isBlank(cells) {
			continue
		}
		if err := r.checkRow(cells, row); err != nil {
			r.err = err
			break
		}
		cells = trimTrailingBlank(cells, len(r.header))
		for len(r.header) < len(cells) {
			r.header = append(r.header, "")
		}
		r.b.add(cells, len(r.header), row)
	}
	if r.b.n == 0 {
		return nil, r.err
	}
	r.size = min(2*r.size, r.batch)
	return r.b.build(len(r.header)), nil
}

// Close releases the builders and the file. It is safe to call more than
// once.
func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.b.release()
	if e, ok := r.src.(interface{ encoding() string }); ok {
		r.enc = e.encoding() // the report outlives the decoder's state
	}
	err := r.src.close()
	// A caller may keep the reader (for Digest, or by accident): let the
	// decoder's buffers go now.
	r.src = nil
	return err
}

// checkRow fails a row wider than MaxColumns or with a cell longer than
// MaxCellBytes. The message names the row and column, never the value.
func (r *reader) checkRow(cells []string, row int64) error {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	if n > r.lim.MaxColumns || len(r.header) > r.lim.MaxColumns {
		return limitErr(r.path, fmt.Sprintf("dòng %d có %d cột,", row, max(n, len(r.header))), int64(r.lim.MaxColumns), "max_columns")
	}
	for i, c := range cells {
		if len(c) > r.lim.MaxCellBytes {
			return limitErr(r.path, fmt.Sprintf("ô ở dòng %d, cột %d dài %d byte,", row, i+1, len(c)), int64(r.lim.MaxCellBytes), "max_cell_bytes")
		}
	}
	return nil
}

// isBlank reports whether every cell is empty or white space.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// trimTrailingBlank drops blank cells beyond the first width cells, so a row
// is only wider than the header when it carries data there.
func trimTrailingBlank(cells []string, width int) []string {
	n := len(cells)
	for n > width && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	return cells[:n]
}

// batchBuilder accumulates rows into Arrow buffers, reused between batches.
type batchBuilder struct {
	mem    memory.Allocator
	cols   []*arrowtext.Builder
	rows   *array.Int64Builder
	n      int // rows in the current batch
	bytes  int // cell text of the current batch
	next   int // rows the current batch is to hold (reserve)
	schema *arrow.Schema
	// Sizes of the last batch built: the next batch's buffers are reserved
	// at once from them, instead of growing by doubling (copying each
	// buffer about log2(rows) times per batch).
	lastRows int
	lastData []int
}

// add appends one row of width columns; cells beyond len(cells) are "".
// Columns added since the last row are back-filled with "" for the rows
// already in the batch.
func (b *batchBuilder) add(cells []string, width int, row int64) {
	b.widen(width)
	if b.rows == nil {
		b.rows = array.NewInt64Builder(b.mem)
	}
	if b.n == 0 && b.lastRows > 0 {
		b.reserve()
	}
	for i, c := range b.cols {
		if i < len(cells) {
			c.Append(cells[i])
			b.bytes += len(cells[i])
		} else {
			c.AppendEmpty(1)
		}
	}
	b.rows.Append(row)
	b.n++
}

// reserve sizes the builders for a batch of next rows (as many as the
// last one when next is 0) with the text bytes per row of the last one,
// plus an eighth more room for the text. The rows reserved are no more
// than the last batch's text per row lets fit in maxBatchBytes: after a
// batch of a few very long rows, the next batch's row count times their
// size would be gigabytes.
func (b *batchBuilder) reserve() {
	rows := b.lastRows
	if b.next > 0 {
		rows = b.next
	}
	total := int64(0)
	for _, d := range b.lastData {
		total += int64(d)
	}
	if total > 0 {
		rows = int(min(int64(rows), int64(b.lastRows)*maxBatchBytes/total+1))
	}
	b.rows.Reserve(rows)
	for i, c := range b.cols {
		d := 0
		if i < len(b.lastData) {
			d = int(int64(b.lastData[i]) * int64(rows) / int64(b.lastRows))
			d += d / 8
		}
		c.Reserve(rows, d)
	}
}

// widen adds columns up to width, back-filled with "" for the rows already
// in the batch.
func (b *batchBuilder) widen(width int) {
	for len(b.cols) < width {
		c := arrowtext.New(b.mem)
		c.AppendEmpty(b.n)
		b.cols = append(b.cols, c)
	}
}

// build returns the current batch, widened to width columns, as a record and
// starts a new batch.
func (b *batchBuilder) build(width int) arrow.Record {
	b.widen(width)
	if b.schema == nil || len(b.schema.Fields()) != len(b.cols)+1 {
		fields := make([]arrow.Field, 0, len(b.cols)+1)
		for i := range b.cols {
			fields = append(fields, arrow.Field{Name: "c" + strconv.Itoa(i), Type: arrow.BinaryTypes.String})
		}
		fields = append(fields, arrow.Field{Name: RowColumn, Type: arrow.PrimitiveTypes.Int64})
		b.schema = arrow.NewSchema(fields, nil)
	}
	arrs := make([]arrow.Array, 0, len(b.cols)+1)
	b.lastRows = b.n
	b.lastData = b.lastData[:0]
	for _, c := range b.cols {
		b.lastData = append(b.lastData, c.DataLen())
		arrs = append(arrs, c.NewArray())
	}
	arrs = append(arrs, b.rows.NewArray())
	rec := array.NewRecord(b.schema, arrs, int64(b.n))
	for _, a := range arrs {
		a.Release()
	}
	b.n, b.bytes = 0, 0
	return rec
}

// reset drops the rows of the current batch.
func (b *batchBuilder) reset() {
	if b.n == 0 {
		return
	}
	for _, c := range b.cols {
		c.Release()
	}
	b.rows.NewArray().Release()
	b.n, b.bytes = 0, 0
}

// release frees the builders.
func (b *batchBuilder) release() {
	b.reset()
	for _, c := range b.cols {
		c.Release()
	}
	b.cols = nil
	if b.rows != nil {
		b.rows.Release()
		b.rows = nil
	}
}
