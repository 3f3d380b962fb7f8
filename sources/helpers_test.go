package sources

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"golang.org/x/text/unicode/norm"
)

// knownHeaders stands in for the header dictionary of package transforms:
// a cell scores when it names a known column (case and spacing ignored).
var knownHeaders = map[string]bool{
	"mã hồ sơ": true, "ngày tiếp nhận": true, "ngày hẹn trả": true,
	"trạng thái": true, "ghi chú": true, "đơn vị": true, "mã tthc": true,
	"số ngày": true,
}

func testScore(cells []string) int {
	n := 0
	for _, c := range cells {
		if knownHeaders[strings.ToLower(strings.Join(strings.Fields(c), " "))] {
			n++
		}
	}
	return n
}

// row is one decoded row: its number and cells.
type row struct {
	n     int64
	cells []string
}

func (r row) String() string { return fmt.Sprintf("%d:%q", r.n, r.cells) }

// readAll drains a reader, checking every record against the RawReader
// contract, and returns the final header and the rows padded to its width.
func readAll(t testing.TB, r RawReader) ([]string, []row, error) {
	t.Helper()
	var rows []row
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r.Header(), rows, err
		}
		checkRecord(t, rec, len(r.Header()))
		rows = append(rows, recordRows(rec)...)
		rec.Release()
	}
	h := r.Header()
	for i := range rows {
		for len(rows[i].cells) < len(h) {
			rows[i].cells = append(rows[i].cells, "")
		}
	}
	return h, rows, nil
}

// checkRecord verifies the shape of a raw record: width string columns
// named c0.., non-null, then the int64 row column.
func checkRecord(t testing.TB, rec arrow.Record, width int) {
	t.Helper()
	if int(rec.NumCols()) != width+1 {
		t.Fatalf("record has %d columns, header has %d entries", rec.NumCols(), width)
	}
	for i := 0; i < width; i++ {
		f := rec.Schema().Field(i)
		if f.Name != fmt.Sprintf("c%d", i) || f.Type.ID() != arrow.STRING {
			t.Fatalf("column %d is %s %s", i, f.Name, f.Type)
		}
		if rec.Column(i).NullN() != 0 {
			t.Fatalf("column %d has nulls", i)
		}
	}
	last := rec.Schema().Field(width)
	if last.Name != RowColumn || last.Type.ID() != arrow.INT64 {
		t.Fatalf("last column is %s %s", last.Name, last.Type)
	}
	if rec.NumRows() == 0 {
		t.Fatalf("empty record")
	}
}

func recordRows(rec arrow.Record) []row {
	width := int(rec.NumCols()) - 1
	nums := rec.Column(width).(*array.Int64)
	out := make([]row, rec.NumRows())
	for i := range out {
		out[i].n = nums.Value(i)
		out[i].cells = make([]string, width)
		for c := 0; c < width; c++ {
			out[i].cells[c] = rec.Column(c).(*array.String).Value(i)
		}
	}
	return out
}

func equalRows(a, b []row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		// Data cells are delivered raw (an NFD file stays NFD; the
		// transform normalises), so compare them in NFC.
		if a[i].n != b[i].n || !slices.EqualFunc(a[i].cells, b[i].cells, func(x, y string) bool { return norm.NFC.String(x) == norm.NFC.String(y) }) {
			return false
		}
	}
	return true
}
