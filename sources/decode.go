package sources

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// RowColumn is the name of the last column of every raw record: the row
// number a person sees in the file (CSV line of the record, Excel row, or
// 1-based position of the object in a JSON file).
const RowColumn = "__row"

// RawReader streams a decoded export as Arrow records of raw strings.
//
// Each record has one non-null utf8 column per entry of Header() at the time
// the record was returned (named c0, c1, ...; a missing cell is ""), then an
// int64 column RowColumn. Header may grow between records (a JSON file can
// reveal new keys later) but never changes existing entries. Next returns
// io.EOF after the last record; the caller releases each record. Entirely
// blank rows are skipped and not counted. Close releases the file; it is safe
// to call more than once. Not safe for concurrent use.
//
// Further guarantees of the decoders in this package:
//   - Header names are trimmed, with inner white space collapsed; an entry
//     is "" for a column that has data but no name (a CSV or XLSX row wider
//     than the header row): such data is kept, never dropped.
//   - Cell values are raw: not trimmed, text in NFC UTF-8; XLSX cells
//     unformatted (a date is its Excel serial, e.g. "45366.5").
//   - Row numbers keep counting skipped blank and title rows, so they point
//     at the place in the file a person can open.
//   - When reading fails part way (a malformed JSON object, a broken CSV
//     quote), the rows before the failure are returned first and the error,
//     naming the file and the place, on the next call to Next, and again on
//     every later call.
//   - Header returns a copy.
//   - A row with more than Limits.MaxColumns cells, or a cell longer than
//     Limits.MaxCellBytes, fails the file with a *LimitError naming the row;
//     no error quotes a data value.
type RawReader interface {
	Header() []string
	Next() (arrow.Record, error)
	Close() error
	// Format is the decoder used: csv, xlsx, json, html (an HTML page's
	// table) or xml2003 (an Excel 2003 XML Spreadsheet).
	Format() string
	// Encoding is the text encoding detected (utf-8, utf-16le, tcvn3, ...).
	// For XLSX and JSON, whose cells may mix Unicode and text typed with a
	// legacy font, it names each legacy encoding repaired and where, e.g.
	// "tcvn3 (tiêu đề, cột: Tên thủ tục), utf-8", as far as the file has been
	// read.
	Encoding() string
	// Digest is the hash and size of the file bytes the decoder has read
	// so far; Complete when it has read the file to its end, at the latest
	// once Next has returned io.EOF. A caller compares it with what it
	// recorded before decoding to catch a file rewritten during the read.
	// It may be called after Close.
	Digest() Digest
}

// DateSystem is implemented by the RawReaders Open returns. Date1904
// reports a workbook saved with Excel's 1904 date system (Excel for Mac
// before 2011 chose it; the option "Use 1904 date system" keeps it): its
// date cells, read unformatted, are serials counted from 1 January 1904,
// so the same serial is a day 1462 days later than in the 1900 system
// every other file uses. The transform needs it to read those serials
// (transforms.MapOptions.Date1904); read as 1900 serials they would
// silently put every dossier four years and a day early.
type DateSystem interface {
	Date1904() bool
}

// DecodeOptions configure Open.
type DecodeOptions struct {
	// Format is auto (by extension, then content), csv, xlsx or json. An
	// HTML page or XML file is recognised by content whatever it says.
	Format string
	Sheet  string // xlsx: sheet name; empty means the first sheet
	// Encoding is the source's `encoding:` (see vnenc.Names): auto or ""
	// detects per file (CSV) and per cell (XLSX, JSON); a name forces it.
	Encoding  string
	BatchRows int // rows per record; 0 means 65536
	// HeaderScore rates a candidate header row (how many cells name a known
	// column). Decoders look at the first rows of a file and take the best
	// scoring row (or pair of rows, for a two-row merged header) as the
	// header; rows above it are titles. Nil means the first non-blank row.
	//
	// CSV and XLSX decoders call it on each of the first 30 non-blank rows,
	// on each pair of consecutive rows combined column by column ("Ngày" over
	// "tiếp nhận" gives "Ngày tiếp nhận"), and on single sub-header cells
	// (a one-element slice) to decide whether a cell names a column by
	// itself. Cells are passed with white space collapsed and trimmed. Ties
	// go to the earliest row; a pair must score strictly higher than each of
	// its rows alone. It must be a pure function; it is not used for JSON.
	HeaderScore func(cells []string) int
	// PersonalHeader reports a header cell naming personal data (a column
	// that is dropped, such as Email); nil means none. HeaderScore counts
	// such headings too, but a page's table whose known columns are all
	// personal data is not taken for its data table: a login form's
	// "Email:" is no export's header.
	PersonalHeader func(cell string) bool
	// IsUnit reports a cell naming a known unit (the unit registry); nil
	// means none. Like HeaderScore, it helps tell legacy encodings apart:
	// the right decoding of a file names its units.
	IsUnit func(cell string) bool
	Mem    memory.Allocator // nil means memory.DefaultAllocator; records are allocated from it
	// Limits bound the cost of one file; zero fields take DefaultLimits.
	// A file beyond a limit fails with a *LimitError.
	Limits Limits
	// Hashed says the caller took the file's SHA-256 itself (HashFileSums)
	// and checks the decoded bytes by the digest's Sum64 and Size: the
	// decoder then skips SHA-256 (Digest.SHA256 is empty), a second pass
	// of it over every byte on the decoding's critical path.
	Hashed bool
	// Merged, when not nil, is called once with the sheet's merged cell
	// ranges (XLSX, and the colspan/rowspan of an HTML table or the merges
	// of an XML Spreadsheet, which cost a first pass over the file; never
	// for CSV or JSON), before the first row is
	// read. The decoder copies a range's top-left value into its covered
	// cells (xlsx.go): a caller that must not count one figure twice (a
	// points cell merged over two criteria) tells the copies apart with
	// it. It costs nothing per row.
	Merged func([]CellRange)
}
