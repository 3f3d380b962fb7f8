package sources

import (
	"errors"
	"fmt"
)

// Limits bound what one export file may cost to decode, so a hostile or
// broken file fails alone with a message instead of exhausting memory or
// disk. A zero field takes its default (DefaultLimits). Each field has a
// config key under limits: (named in LimitError), so a clerk who meets the
// error knows what to change.
type Limits struct {
	// MaxWorkbookBytes bounds an XLSX file and the uncompressed size of all
	// its parts: a 2 MB zip bomb that inflates to gigabytes is refused
	// before a part is read.
	MaxWorkbookBytes int64
	// MaxXMLPartBytes bounds one uncompressed worksheet part, which is
	// streamed (read twice: merged ranges, then rows). Every other part
	// (the shared strings, whose text is held in memory while the sheet is
	// read; styles, media) may be a quarter of it.
	MaxXMLPartBytes int64
	// MaxMerges bounds the merged ranges of a sheet.
	MaxMerges int
	// MaxCellBytes bounds one cell (Excel itself holds 32,767 characters).
	MaxCellBytes int
	// MaxLineBytes bounds one line of a CSV or NDJSON file.
	MaxLineBytes int
	// MaxColumns bounds the columns of a file (header or any row).
	MaxColumns int
	// MaxJSONDepth bounds the nesting of a JSON value.
	MaxJSONDepth int
	// MaxMergedFillBytes bounds the text a file's merged ranges copy into
	// the cells they cover (XLSX, HTML colspan/rowspan, XML Spreadsheet
	// MergeAcross/MergeDown), all rows together: a 40 KB page whose one
	// cell of 30,000 characters spans 200 columns and 2,000 rows would
	// otherwise become 12 GB of cell text. A unit name merged down
	// 100,000 rows or titles merged across 30 columns copy a few MB.
	// It has no config key yet (a zero takes the default).
	MaxMergedFillBytes int64
}

// DefaultLimits are generous for real exports (a 500,000-row sheet is
// about 300 MB of XML) and far below what breaks the machine.
var DefaultLimits = Limits{
	MaxWorkbookBytes: 1 << 30,
	MaxXMLPartBytes:  768 << 20,
	MaxMerges:        100_000,
	MaxCellBytes:     32 << 10,
	MaxLineBytes:     1 << 20,
	MaxColumns:       1024,
	MaxJSONDepth:     32,
	// 256 MiB: a 500,000-row sheet with three 150-byte values merged
	// down every row stays under it.
	MaxMergedFillBytes: 256 << 20,
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxWorkbookBytes <= 0 {
		l.MaxWorkbookBytes = d.MaxWorkbookBytes
	}
	if l.MaxXMLPartBytes <= 0 {
		l.MaxXMLPartBytes = d.MaxXMLPartBytes
	}
	if l.MaxMerges <= 0 {
		l.MaxMerges = d.MaxMerges
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = d.MaxCellBytes
	}
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = d.MaxLineBytes
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxJSONDepth <= 0 {
		l.MaxJSONDepth = d.MaxJSONDepth
	}
	if l.MaxMergedFillBytes <= 0 {
		l.MaxMergedFillBytes = d.MaxMergedFillBytes
	}
	return l
}

// ErrLimit is wrapped by every LimitError.
var ErrLimit = errors.New("vượt giới hạn")

// LimitError is a file refused because it exceeds a limit. It is a content
// failure: the same file would fail again.
type LimitError struct {
	Path  string
	What  string // what exceeded, in Vietnamese, with the place ("dòng 12")
	Limit int64
	Key   string // config key, e.g. limits.max_cell_bytes
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("tệp %s: %s vượt giới hạn %s (khóa cấu hình %s); tệp bị từ chối, kiểm tra hoặc xuất lại tệp",
		e.Path, e.What, humanBytes(e.Limit, e.Key), e.Key)
}

func (e *LimitError) Unwrap() error { return ErrLimit }

func limitErr(path, what string, limit int64, key string) error {
	return &LimitError{Path: path, What: what, Limit: limit, Key: "limits." + key}
}

// humanBytes renders a limit: byte limits in KiB/MiB/GiB, counts as is.
func humanBytes(n int64, key string) string {
	switch key {
	case "limits.max_merges", "limits.max_columns", "limits.max_json_depth":
		return fmt.Sprintf("%d", n)
	}
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// fillBudget counts the bytes merged ranges copy into covered cells in one
// file, against Limits.MaxMergedFillBytes: the copies cost memory in each
// record (and disk in the warehouse) though the file holds the value once.
type fillBudget struct {
	path  string
	limit int64
	used  int64
}

func newFillBudget(path string, lim Limits) *fillBudget {
	return &fillBudget{path: path, limit: lim.MaxMergedFillBytes}
}

// take counts n bytes copied into a cell of row; past the limit the file
// is refused.
func (b *fillBudget) take(n int, row int64) error {
	if b.used += int64(n); b.used > b.limit {
		return limitErr(b.path, fmt.Sprintf("chữ mà các vùng ô gộp chép vào các ô chúng phủ, tính đến dòng %d,", row),
			b.limit, "max_merged_fill_bytes")
	}
	return nil
}
