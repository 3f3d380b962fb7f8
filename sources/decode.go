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
type RawReader interface {
	Header() []string
	Next() (arrow.Record, error)
	Close() error
}

// DecodeOptions configure Open.
type DecodeOptions struct {
	Format    string // auto (by extension, then content), csv, xlsx or json
	Sheet     string // xlsx: sheet name; empty means the first sheet
	BatchRows int    // rows per record; 0 means 65536
	// HeaderScore rates a candidate header row (how many cells name a known
	// column). Decoders look at the first rows of a file and take the best
	// scoring row (or pair of rows, for a two-row merged header) as the
	// header; rows above it are titles. Nil means the first non-blank row.
	HeaderScore func(cells []string) int
	Mem         memory.Allocator // nil means memory.DefaultAllocator
}
