// Package arrowtext builds utf8 Arrow columns for the hot paths of
// staging: the decoders' raw cells (sources) and the stage record's text
// columns (transforms).
package arrowtext

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Builder builds one utf8 column: values, offsets and, from the first
// null on, a validity bitmap written straight into buffers from the
// allocator, room made once per batch (Reserve). It makes the array
// array.StringBuilder makes for the same appends, without its per-value
// capacity checks, generic offset writes and, for a column without
// nulls, its bitmap: those were the larger part of the decoders' cost per
// cell and a third of the mapper's per row. It never counts on zeroed
// memory: every bit and offset it hands out was written.
type Builder struct {
	mem               memory.Allocator
	valid, offs, data *memory.Buffer // valid: nil until the first null
	v                 []byte         // valid's bytes, to capacity
	o                 []int32        // offs' values, to capacity; o[0] = 0
	d                 []byte         // data's bytes, to capacity
	n, dn, nulls      int            // values, bytes and nulls so far
}

// New returns a Builder allocating from mem.
func New(mem memory.Allocator) *Builder { return &Builder{mem: mem} }

// Len is the number of values so far; DataLen their bytes.
func (c *Builder) Len() int     { return c.n }
func (c *Builder) DataLen() int { return c.dn }

// Reserve makes room for rows more values and bytes more bytes.
func (c *Builder) Reserve(rows, bytes int) {
	if c.data == nil {
		c.offs, c.data = memory.NewResizableBuffer(c.mem), memory.NewResizableBuffer(c.mem)
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
	if c.valid != nil {
		if need := int(bitutil.BytesForBits(int64(c.n + rows))); need > len(c.v) {
			c.valid.Reserve(max(need, 2*len(c.v)))
			c.v = c.valid.Buf()
		}
	}
	if c.dn+bytes > len(c.d) {
		c.data.Reserve(max(c.dn+bytes, 2*len(c.d)))
		c.d = c.data.Buf()
	}
}

// Append appends s, a valid value.
func (c *Builder) Append(s string) {
	if c.data == nil || c.n+2 > len(c.o) || c.dn+len(s) > len(c.d) || (c.valid != nil && c.n>>3 >= len(c.v)) {
		c.Reserve(1, len(s))
	}
	if c.valid != nil {
		c.v[c.n>>3] |= 1 << (c.n & 7)
	}
	c.dn += copy(c.d[c.dn:], s)
	c.n++
	c.o[c.n] = int32(c.dn)
}

// AppendEmpty appends k empty strings, valid values.
func (c *Builder) AppendEmpty(k int) {
	for range k {
		c.Append("")
	}
}

// AppendNull appends a null.
func (c *Builder) AppendNull() {
	if c.valid == nil {
		c.startValidity()
	}
	if c.data == nil || c.n+2 > len(c.o) || c.n>>3 >= len(c.v) {
		c.Reserve(1, 0)
	}
	c.v[c.n>>3] &^= 1 << (c.n & 7)
	c.nulls++
	c.n++
	c.o[c.n] = int32(c.dn)
}

// Opt appends s, or a null for "".
func (c *Builder) Opt(s string) {
	if s == "" {
		c.AppendNull()
	} else {
		c.Append(s)
	}
}

// startValidity makes the bitmap at the first null, the values so far
// valid, with room for as many values as the offsets have.
func (c *Builder) startValidity() {
	c.valid = memory.NewResizableBuffer(c.mem)
	c.valid.Reserve(max(int(bitutil.BytesForBits(int64(max(len(c.o)-1, c.n+1)))), 1))
	c.v = c.valid.Buf()
	full := c.n >> 3
	for i := range full {
		c.v[i] = 0xff
	}
	if r := c.n & 7; r != 0 {
		c.v[full] = byte(1)<<r - 1
	}
}

// NewArray returns the column built so far and starts a new one.
func (c *Builder) NewArray() arrow.Array {
	if c.data == nil {
		c.Reserve(0, 0)
	}
	c.data.ResizeNoShrink(c.dn)
	c.offs.ResizeNoShrink((c.n + 1) * arrow.Int32SizeBytes)
	if c.valid != nil {
		c.valid.ResizeNoShrink(int(bitutil.BytesForBits(int64(c.n))))
	}
	d := array.NewData(arrow.BinaryTypes.String, c.n, []*memory.Buffer{c.valid, c.offs, c.data}, nil, c.nulls, 0)
	a := array.NewStringData(d)
	d.Release()
	c.Release()
	return a
}

// Release drops the column's buffers and starts a new one.
func (c *Builder) Release() {
	if c.data != nil {
		c.offs.Release()
		c.data.Release()
	}
	if c.valid != nil {
		c.valid.Release()
	}
	*c = Builder{mem: c.mem}
}
