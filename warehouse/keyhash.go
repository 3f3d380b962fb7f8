package warehouse

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
)

// A direct load hashes the key of every valid row it hands to DuckDB, so
// that the merge learns whether a key repeats among the run's rows
// without DuckDB aggregating them: at 5M dossiers that aggregate of 64-bit
// hashes held about 320 MB at the start of the commit, the load's peak
// (issue 11). The Go side keeps 8 bytes per row (40 MB at 5M), in chunks
// that are never copied, sorted at the commit and merged without a second
// copy.
//
// Only "no hash repeats" is taken from Go, and it is exact: equal keys
// have equal hashes (a NULL hashes as one value, as DuckDB's hash(NULL)
// and GROUP BY treat NULLs as equal), so distinct hashes are distinct
// keys. A repeated hash, a real duplicate or a collision, sends the merge
// to the SQL queries that decide duplicates and duplicates_in_file
// exactly. Hashes of rows that are not in the table (a discarded file's,
// if any were left) could only cause such a fallback; a row in the table
// whose hash is missing would make the claim wrong, so every record the
// split reader passes on is hashed before DuckDB sees it.

// keyChunkMax bounds a chunk of hashes (512 KiB); a file's first chunk is
// keyChunkMin, each next one twice the last, so a small file holds little.
const (
	keyChunkMin = 1 << 10
	keyChunkMax = 1 << 16
)

// keySeed is the process's seed: hashes are compared within one run only.
var keySeed = maphash.MakeSeed()

// keyHasher hashes the key columns of the valid rows of one file's stream.
type keyHasher struct {
	cols   []int
	types  []string // the DuckDB types of the key columns (keyTypes)
	h      maphash.Hash
	buf    [9]byte
	chunks [][]uint64
	grow   func(bytes int) // told of each new chunk (nil: no one)
}

// keyTypes are the key column types a keyHasher reads, with the DuckDB
// type their values keep in the table (another table type could cast
// distinct values to equal ones: the SQL then decides).
var keyTypes = map[arrow.Type]string{arrow.STRING: "VARCHAR", arrow.INT32: "INTEGER", arrow.INT64: "BIGINT"}

// newKeyHasher hashes d's key columns of a stream of schema; nil when a
// key column is missing or of a type it does not read.
func newKeyHasher(d *datasets.Dataset, schema *arrow.Schema) *keyHasher {
	k := &keyHasher{}
	k.h.SetSeed(keySeed)
	for _, name := range d.Key {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil
		}
		if _, ok := keyTypes[schema.Field(idx[0]).Type.ID()]; !ok {
			return nil
		}
		k.cols = append(k.cols, idx[0])
		k.types = append(k.types, keyTypes[schema.Field(idx[0]).Type.ID()])
	}
	if len(k.cols) == 0 {
		return nil
	}
	return k
}

// add hashes the key of each row of rec: per column a NULL marker, or a
// value marker, the value's length and its bytes, so that no two
// different keys are the same byte stream. It allocates only a new chunk.
func (k *keyHasher) add(rec arrow.Record) {
	cols := make([]arrow.Array, len(k.cols))
	for i, c := range k.cols {
		cols[i] = rec.Column(c)
	}
	for row := 0; row < int(rec.NumRows()); row++ {
		k.h.Reset()
		for _, col := range cols {
			if col.IsNull(row) {
				k.h.WriteByte(0)
				continue
			}
			k.buf[0] = 1
			switch a := col.(type) {
			case *array.String:
				v := a.Value(row)
				binary.LittleEndian.PutUint64(k.buf[1:], uint64(len(v)))
				k.h.Write(k.buf[:])
				k.h.WriteString(v)
			case *array.Int32:
				binary.LittleEndian.PutUint64(k.buf[1:], uint64(a.Value(row)))
				k.h.Write(k.buf[:])
			case *array.Int64:
				binary.LittleEndian.PutUint64(k.buf[1:], uint64(a.Value(row)))
				k.h.Write(k.buf[:])
			}
		}
		k.push(k.h.Sum64())
	}
}

func (k *keyHasher) push(v uint64) {
	n := len(k.chunks)
	if n == 0 || len(k.chunks[n-1]) == cap(k.chunks[n-1]) {
		size := keyChunkMin
		if n > 0 {
			size = min(2*cap(k.chunks[n-1]), keyChunkMax)
		}
		k.chunks = append(k.chunks, make([]uint64, 0, size))
		n++
		if k.grow != nil {
			k.grow(8 * size)
		}
	}
	k.chunks[n-1] = append(k.chunks[n-1], v)
}

// runKeys are the key hashes of a direct dataset's valid rows in the run,
// per file (file_seq), or unusable.
type runKeys struct {
	files map[int32][][]uint64
	// unusable: a stream's key could not be hashed (newKeyHasher nil);
	// the SQL decides.
	unusable bool
	// types are the DuckDB types the key columns must have in the table.
	types []string
}

// keysOf returns the run's key hashes of d, created on first use.
func (r *directRun) keysOf(d *datasets.Dataset) *runKeys {
	if r.keys == nil {
		r.keys = map[string]*runKeys{}
	}
	k := r.keys[d.Name]
	if k == nil {
		k = &runKeys{files: map[int32][][]uint64{}}
		r.keys[d.Name] = k
	}
	return k
}

// add records the hashes of a file's stream (h nil: its key could not be
// hashed).
func (k *runKeys) add(seq int32, h *keyHasher) {
	if h == nil {
		k.unusable = true
		return
	}
	k.types = h.types
	chunks := h.chunks
	if n := len(chunks); n > 0 && cap(chunks[n-1])-len(chunks[n-1]) > len(chunks[n-1]) {
		// Kept to the commit: a small file's 8 KiB first chunk would hold
		// 1,024 times its one row's hash (a backfill of 200,000 daily
		// files, 1.6 GB).
		if len(chunks[n-1]) == 0 {
			chunks = chunks[:n-1]
		} else {
			chunks[n-1] = append([]uint64(nil), chunks[n-1]...)
		}
	}
	k.files[seq] = append(k.files[seq], chunks...)
}

// distinct reports whether the run's key hashes are all distinct, when it
// can tell: usable is false when the SQL must decide (no stream recorded,
// a stream whose key could not be hashed, or key columns the table keeps
// in another type than the stage's). It sorts the chunks in place.
func (k *runKeys) distinct(ctx context.Context, c *sql.Conn, d *datasets.Dataset) (distinct, usable bool, err error) {
	if k == nil || k.unusable {
		return false, false, nil
	}
	for i, col := range k.types {
		var n int
		var typ sql.NullString
		if err := c.QueryRowContext(ctx, `SELECT count(*), any_value(data_type) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?`,
			directTable(d), d.Key[i]).Scan(&n, &typ); err != nil {
			return false, false, fmt.Errorf("commit: %s: key column %s: %w", d.Name, d.Key[i], err)
		}
		if n != 1 || typ.String != col {
			return false, false, nil
		}
	}
	var chunks [][]uint64
	for _, f := range k.files {
		chunks = append(chunks, f...)
	}
	return !repeats(chunks), true, nil
}

// repeats reports whether a value occurs twice in the chunks, which it
// sorts, then merges through a heap of the chunks' heads (no copy).
func repeats(chunks [][]uint64) bool {
	h := make(chunkHeap, 0, len(chunks))
	for _, c := range chunks {
		slices.Sort(c)
		if len(c) > 0 {
			h = append(h, c)
		}
	}
	h.init()
	first, last := true, uint64(0)
	for len(h) > 0 {
		v := h[0][0]
		if !first && v == last {
			return true
		}
		first, last = false, v
		h.pop()
	}
	return false
}

// chunkHeap is a min-heap of sorted non-empty chunks by their first value.
type chunkHeap [][]uint64

func (h chunkHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// pop drops the least value: the top chunk advances, or leaves when empty.
func (h *chunkHeap) pop() {
	s := *h
	s[0] = s[0][1:]
	if len(s[0]) == 0 {
		n := len(s) - 1
		s[0] = s[n]
		s[n] = nil
		s = s[:n]
		*h = s
	}
	s.down(0)
}

func (h chunkHeap) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r][0] < h[l][0] {
			m = r
		}
		if h[i][0] <= h[m][0] {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
