package transforms

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// dirtyAllocator hands out memory full of ones, as a C allocator may hand
// out memory that held anything: textCol must not count on zeroed bytes.
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

// textCol makes the array array.StringBuilder makes for the same values
// and nulls, on memory not zeroed, with room reserved or not, growing past what was reserved,
// batch after batch, and frees all it allocated.
func TestTextCol(t *testing.T) {
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
	mem := memory.NewCheckedAllocator(dirtyAllocator{memory.NewGoAllocator()})
	defer mem.AssertSize(t, 0)
	c := &textCol{mem: mem}
	for round := range 2 { // the column is reused after newArray
		for _, tt := range tests {
			want := array.NewStringBuilder(mem)
			if tt.reserve[0] > 0 {
				c.reserve(tt.reserve[0], tt.reserve[1])
			}
			for i, v := range tt.vals {
				if tt.nulls[i] {
					c.appendNull()
					want.AppendNull()
				} else {
					c.append(v)
					want.Append(v)
				}
			}
			got, w := c.newArray(), want.NewArray()
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
	c.release()
}
