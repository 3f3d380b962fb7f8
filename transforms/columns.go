package transforms

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// textCol builds one nullable utf8 column of a stage record: values,
// offsets and validity written straight into buffers from the allocator,
// room made once per batch (reserve). It makes the array
// array.StringBuilder makes for the same appends, without its per-value
// capacity checks and generic offset writes, which were a third of
// Mapper.Apply's cost per row (BenchmarkStepApplyBatch).
type textCol struct {
	mem               memory.Allocator
	valid, offs, data *memory.Buffer
	v                 []byte  // valid's bytes, to capacity
	o                 []int32 // offs' values, to capacity; o[0] = 0
	d                 []byte  // data's bytes, to capacity
	n, dn, nulls      int     // values, bytes and nulls so far
}

// reserve makes room for rows more values and bytes more bytes.
func (c *textCol) reserve(rows, bytes int) {
	if c.data == nil {
		c.valid, c.offs, c.data = memory.NewResizableBuffer(c.mem), memory.NewResizableBuffer(c.mem), memory.NewResizableBuffer(c.mem)
		c.offs.Reserve(arrow.Int32SizeBytes)
		c.o = arrow.Int32Traits.CastFromBytes(c.offs.Buf())
		c.o[0] = 0
		c.data.Reserve(1) // never a nil data buffer, even for empty values
		c.d = c.data.Buf()
	}
	if c.n+rows+1 > len(c.o) {
		c.offs.Reserve(max(c.n+rows+1, 2*len(c.o)) * arrow.Int32SizeBytes)
		c.o = arrow.Int32Traits.CastFromBytes(c.offs.Buf())
	}
	if need := int(bitutil.BytesForBits(int64(c.n + rows))); need > len(c.v) {
		c.valid.Reserve(max(need, 2*len(c.v)))
		c.v = c.valid.Buf()
	}
	if c.dn+bytes > len(c.d) {
		c.data.Reserve(max(c.dn+bytes, 2*len(c.d)))
		c.d = c.data.Buf()
	}
}

// append appends s, a valid value.
func (c *textCol) append(s string) {
	if c.data == nil || c.n+2 > len(c.o) || c.n>>3 >= len(c.v) || c.dn+len(s) > len(c.d) {
		c.reserve(1, len(s))
	}
	c.v[c.n>>3] |= 1 << (c.n & 7)
	c.dn += copy(c.d[c.dn:], s)
	c.n++
	c.o[c.n] = int32(c.dn)
}

// appendNull appends a null.
func (c *textCol) appendNull() {
	if c.data == nil || c.n+2 > len(c.o) || c.n>>3 >= len(c.v) {
		c.reserve(1, 0)
	}
	c.v[c.n>>3] &^= 1 << (c.n & 7)
	c.nulls++
	c.n++
	c.o[c.n] = int32(c.dn)
}

// opt appends s, or a null for "".
func (c *textCol) opt(s string) {
	if s == "" {
		c.appendNull()
	} else {
		c.append(s)
	}
}

// newArray returns the column built so far and starts a new one.
func (c *textCol) newArray() arrow.Array {
	if c.data == nil {
		c.reserve(0, 0)
	}
	c.valid.ResizeNoShrink(int(bitutil.BytesForBits(int64(c.n))))
	c.offs.ResizeNoShrink((c.n + 1) * arrow.Int32SizeBytes)
	c.data.ResizeNoShrink(c.dn)
	d := array.NewData(arrow.BinaryTypes.String, c.n, []*memory.Buffer{c.valid, c.offs, c.data}, nil, c.nulls, 0)
	a := array.NewStringData(d)
	d.Release()
	c.release()
	return a
}

// release drops the column's buffers.
func (c *textCol) release() {
	if c.data != nil {
		c.valid.Release()
		c.offs.Release()
		c.data.Release()
	}
	*c = textCol{mem: c.mem}
}
