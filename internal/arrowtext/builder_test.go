package arrowtext

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// dirtyAllocator hands out memory full of ones, as a C allocator may hand
// out memory that held anything: Builder must not count on zeroed bytes.
type dirtyAllocator struct{ memory.Allocator }

func (d dirtyAllocator) Allocate(n int) []byte {
	b := d.Allocator.Allocate(n)
	for i := range b {
		b[i] = 0xff
	}
	return b
}

func (d dirtyAllocator) Reallocate(n int, old []byte) []byte {
	k := len(old)
	b := d.Allocator.Reallocate(n, old)
	for i := k; i < len(b); i++ {
		b[i] = 0xff
	}
	return b
}

// A Builder makes the array array.StringBuilder makes for the same values
// and nulls, on memory not zeroed, with room reserved or not, growing past
// what was reserved, with its first null at any position (the bitmap is
// made then), batch after batch, and frees all it allocated.
func TestBuilder(t *testing.T) {
	long := strings.Repeat("Chứng thực bản sao ", 20)
	tests := []struct {
		name    string
		reserve [2]int // rows and bytes reserved before appending; 0: none
		vals    []string
		nulls   []bool
	}{
		{"empty", [2]int{}, nil, nil},
		{"no reserve", [2]int{}, []string{"a", "", "Đã trả kết quả", "b"}, []bool{false, false, false, true}},
		{"all null", [2]int{4, 0}, []string{"", "", "", ""}, []bool{true, true, true, true}},
		{"reserved", [2]int{9, 64}, []string{"X.B259", "H41.STP", "", "", "1.003416", "a", "b", "c", "d"}, []bool{false, false, true, false, false, false, true, false, false}},
		{"past the reserve", [2]int{2, 4}, []string{long, "x", long, long, "", long, "y", "z", long, "w", "v"}, make([]bool, 11)},
	}
	// The first null after 0, 7, 8, 9, 63, 64 and 200 valid values, then
	// valid values again: the bits before it are set when the bitmap is
	// made, a partial byte included.
	for _, k := range []int{0, 7, 8, 9, 63, 64, 200} {
		vals, nulls := make([]string, k+20), make([]bool, k+20)
		for i := range vals {
			vals[i] = strings.Repeat("x", i%5)
		}
		nulls[k], nulls[k+3] = true, true
		tests = append(tests, struct {
			name    string
			reserve [2]int
			vals    []string
			nulls   []bool
		}{"first null late", [2]int{k % 13, 8}, vals, nulls})
	}
	mem := memory.NewCheckedAllocator(dirtyAllocator{memory.NewGoAllocator()})
	defer mem.AssertSize(t, 0)
	c := New(mem)
	for round := range 2 { // the builder is reused after NewArray
		for _, tt := range tests {
			want := array.NewStringBuilder(mem)
			if tt.reserve[0] > 0 {
				c.Reserve(tt.reserve[0], tt.reserve[1])
			}
			for i, v := range tt.vals {
				if tt.nulls[i] {
					c.AppendNull()
					want.AppendNull()
				} else {
					c.Append(v)
					want.Append(v)
				}
			}
			got, w := c.NewArray(), want.NewArray()
			if !array.Equal(got, w) || got.NullN() != w.NullN() || got.Len() != len(tt.vals) {
				t.Errorf("round %d, %s: %v (%d nulls); StringBuilder: %v (%d nulls)", round, tt.name, got, got.NullN(), w, w.NullN())
			}
			for i := range tt.vals {
				if got.IsNull(i) != tt.nulls[i] {
					t.Errorf("round %d, %s: value %d null %v", round, tt.name, i, got.IsNull(i))
				}
			}
			got.Release()
			w.Release()
			want.Release()
		}
	}
	// Empty strings appended k at a time, as a decoder back-fills a
	// column that appears in a later row.
	c.Append("a")
	c.AppendEmpty(3)
	c.Opt("b")
	c.Opt("")
	got := c.NewArray().(*array.String)
	if got.Len() != 6 || got.Value(0) != "a" || got.Value(3) != "" || got.IsNull(3) || got.Value(4) != "b" || !got.IsNull(5) {
		t.Errorf("AppendEmpty, Opt: %v", got)
	}
	got.Release()
	c.Release()
}
