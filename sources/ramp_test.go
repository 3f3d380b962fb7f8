package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Under the default batch size the records start small and double: the
// transform and DuckDB start on 4,096 rows while the decoder reads on,
// instead of waiting for a whole 65,536-row batch (a 50,000-row nightly
// file was one batch, staged step after step). An explicit BatchRows is
// kept as given. Every row arrives once, in order, with its row number.
func TestBatchesRampUp(t *testing.T) {
	const rows = 200_000
	var sb strings.Builder
	sb.WriteString("Mã hồ sơ,Ngày tiếp nhận\n")
	for i := range rows {
		fmt.Fprintf(&sb, "HS-%d,16/03/2026\n", i)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		batch int
		// By hand: 4,096 + 8,192 + 16,384 + 32,768 = 61,440 rows, then
		// the other 138,560 in batches of at most 65,536: 65,536, 65,536
		// and 7,488.
		want string
	}{
		{0, "[4096 8192 16384 32768 65536 65536 7488]"},
		{50_000, "[50000 50000 50000 50000]"},
	} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r, err := Open(path, DecodeOptions{BatchRows: c.batch, HeaderScore: testScore, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int64
		next := int64(2) // the header is row 1
		for {
			rec, err := r.Next()
			if err != nil {
				break
			}
			sizes = append(sizes, rec.NumRows())
			nums := rec.Column(int(rec.NumCols()) - 1).(*array.Int64)
			codes := rec.Column(0).(*array.String)
			for i := 0; i < nums.Len(); i++ {
				if nums.Value(i) != next || codes.Value(i) != fmt.Sprintf("HS-%d", next-2) {
					t.Fatalf("batch %d row %d: row %d %q, want row %d", len(sizes), i, nums.Value(i), codes.Value(i), next)
				}
				next++
			}
			rec.Release()
		}
		r.Close()
		if got := fmt.Sprint(sizes); got != c.want {
			t.Errorf("BatchRows %d: records of %s rows, want %s", c.batch, got, c.want)
		}
		if next-2 != rows {
			t.Errorf("BatchRows %d: %d rows read, want %d", c.batch, next-2, rows)
		}
		mem.AssertSize(t, 0)
	}
}
