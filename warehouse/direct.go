package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/cchc/cchc/datasets"
)

// ErrRunAborted marks a statement that failed inside a run's open
// transaction (see BeginDirect): DuckDB then refuses every further
// statement of the transaction, so the run cannot go on and nothing of it
// is committed.
var ErrRunAborted = errors.New("the run's transaction failed; nothing of the run is committed")

// quarantineSpill bounds the quarantined rows a direct load holds in
// memory: past it the insert of valid rows pauses while they are staged.
var quarantineSpill = 64 * 1024

// BeginDirect opens the run's transaction on the stage's connection before
// anything is staged: the valid rows of a dataset with datasets.Dataset.Direct
// are then appended to its table at once, with the run's run_id and
// loaded_at, and only its quarantined rows are staged (see LoadDataset).
// Commit merges them in the same transaction, with the dataset's
// DirectMerge. The caller uses it only for runs without retried files and
// without a full refresh (their merges need every staged row).
func (s *Stage) BeginDirect(ctx context.Context, runID int64, loadedAt time.Time) error {
	if s.inTx {
		return errors.New("stage: transaction already open")
	}
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return CheckDiskFull(fmt.Errorf("stage: begin: %w", err), s.path)
	}
	s.inTx, s.direct = true, &directRun{runID: runID, loadedAt: loadedAt, valid: map[int32]int64{}, files: map[int32]directFile{}}
	s.goMem.lower()
	return s.lowerMemory(ctx)
}

// Direct reports whether the run appends a direct dataset's valid rows to
// its table during staging (BeginDirect).
func (s *Stage) Direct() bool { return s.direct != nil }

// directRun is what a direct load records for the merge.
type directRun struct {
	runID    int64
	loadedAt time.Time
	// valid counts the valid rows appended per file (file_seq).
	valid map[int32]int64
	// files names each file's rows in the table (source, source_file).
	files map[int32]directFile
	// err is the failure that aborted the transaction, if any.
	err error
	// copied counts the valid rows that had to be copied before DuckDB
	// could read them (see splitReader); 0 for the Mapper's batches.
	copied int64
	// keys are the key hashes of each dataset's valid rows (keyhash.go);
	// decided names the datasets whose duplicates flag they settled.
	keys    map[string]*runKeys
	decided []string
}

type directFile struct{ source, path string }

// directTable is the table a direct dataset's valid rows are appended to.
func directTable(d *datasets.Dataset) string { return d.Tables[0] }

// loadDirect appends the valid rows of rdr to the dataset's table and
// stages its quarantined rows. A reader error does not reach DuckDB (it
// would abort the run's transaction): the file's rows are removed again
// and the error returned, as a failed staging keeps nothing of the file.
func (s *Stage) loadDirect(ctx context.Context, d *datasets.Dataset, rdr array.RecordReader) error {
	if s.direct.err != nil {
		return s.direct.err
	}
	sp, err := newSplitReader(rdr, d.Stage)
	if err != nil {
		return err
	}
	sp.keys = newKeyHasher(d, d.Stage)
	if sp.keys != nil {
		sp.keys.grow = s.goMem.grow
	}
	defer func() {
		s.direct.copied += sp.copied
		sp.free()
	}()
	insert := fmt.Sprintf("INSERT INTO %s BY NAME SELECT * EXCLUDE (%s), CAST(%d AS BIGINT) AS run_id, TIMESTAMP '%s' AS loaded_at FROM %s_in",
		directTable(d), strings.Join(datasets.DirectExcluded, ", "), s.direct.runID, s.direct.loadedAt.Format("2006-01-02 15:04:05.999999"), d.StageTable())
	for {
		sp.pause = false
		if err := LoadArrow(ctx, s.conn, sp, d.StageTable()+"_in", insert); err != nil {
			return s.abort(err)
		}
		if sp.seen {
			s.direct.files[sp.seq] = directFile{source: sp.source, path: sp.path}
			s.direct.valid[sp.seq] = sp.valid
			s.direct.keysOf(d).add(sp.seq, sp.keys)
			if sp.keys != nil {
				sp.keys.chunks = nil // recorded: not to be added twice
			}
		}
		if len(sp.held) > 0 {
			q, err := array.NewRecordReader(d.Stage, sp.held)
			if err != nil {
				return s.abort(err)
			}
			err = LoadArrow(ctx, s.conn, q, d.StageTable()+"_q", "INSERT INTO "+d.StageTable()+" SELECT * FROM "+d.StageTable()+"_q")
			q.Release()
			sp.dropHeld()
			if err != nil {
				return s.abort(err)
			}
		}
		if sp.done {
			break
		}
	}
	if sp.err != nil {
		if sp.seen {
			if err := s.DiscardDataset(ctx, d, sp.seq); err != nil {
				return errors.Join(sp.err, err)
			}
		}
		return sp.err
	}
	return nil
}

// abort records a statement failed inside the run's transaction.
func (s *Stage) abort(err error) error {
	if err != nil && !isNoSpace(err) && nearlyFull(s.path) {
		err = fmt.Errorf("%w: %w", syscall.ENOSPC, err)
	}
	err = CheckDiskFull(err, s.path)
	if !errors.Is(err, ErrDiskFull) {
		err = fmt.Errorf("giao dịch của lần chạy bị lỗi, không có gì của lần chạy được ghi vào kho dữ liệu (%w: %w)", ErrRunAborted, err)
	}
	s.direct.err = err
	return err
}

// discardDirect removes a file's rows from a direct dataset's table.
func (s *Stage) discardDirect(ctx context.Context, d *datasets.Dataset, seq int32) error {
	f, ok := s.direct.files[seq]
	if !ok {
		return nil
	}
	if _, err := s.conn.ExecContext(ctx, "DELETE FROM "+directTable(d)+" WHERE run_id = ? AND source = ? AND source_file = ?",
		s.direct.runID, f.source, f.path); err != nil {
		return s.abort(fmt.Errorf("stage %s: discard file %d: %w", d.Name, seq, err))
	}
	delete(s.direct.files, seq)
	delete(s.direct.valid, seq)
	// The file's rows are gone, so are their hashes (another file of the
	// same source and path lost its rows too: its hashes, left, are safe).
	if k := s.direct.keys[d.Name]; k != nil {
		delete(k.files, seq)
	}
	return nil
}

// splitReader passes on the valid rows (q_reason NULL) of a stage stream
// and holds copies of its quarantined rows; it pauses (ends the current
// stream) when quarantineSpill rows are held, so the caller can stage
// them and resume. It hides the stream's error from DuckDB (see
// loadDirect) and records the provenance of the file.
//
// A batch whose valid rows come first (transforms.Mapper.Apply's order)
// and whose columns start at offset 0 is passed on without a copy: the
// valid rows are the slice [0, valid), which DuckDB reads correctly
// (TestDirectSliceAtZero). Any other batch with a bad row has its valid
// rows copied into one new record (compact): DuckDB misreads the booleans
// of a slice that does not start at offset 0.
type splitReader struct {
	refs   atomic.Int64
	in     array.RecordReader
	schema *arrow.Schema
	qcol   int
	cur    arrow.Record
	held   []arrow.Record
	heldN  int
	pause  bool
	done   bool
	err    error
	// copied counts the valid rows copied (compact) rather than sliced.
	copied int64
	// keys hashes the key of each valid row passed on; nil: the key cannot
	// be hashed.
	keys *keyHasher

	seen                       bool
	seq                        int32
	source, path               string
	valid                      int64
	seqCol, sourceCol, pathCol int
}

func newSplitReader(in array.RecordReader, schema *arrow.Schema) (*splitReader, error) {
	idx := func(name string) int {
		if i := schema.FieldIndices(name); len(i) == 1 {
			return i[0]
		}
		return -1
	}
	sp := &splitReader{in: in, schema: schema, qcol: idx("q_reason"), seqCol: idx("file_seq"), sourceCol: idx("source"), pathCol: idx("source_file")}
	if sp.qcol < 0 || sp.seqCol < 0 || sp.sourceCol < 0 || sp.pathCol < 0 {
		return nil, errors.New("stage schema without its provenance and quarantine columns")
	}
	sp.refs.Store(1)
	return sp, nil
}

func (r *splitReader) Schema() *arrow.Schema { return r.schema }
func (r *splitReader) Record() arrow.Record  { return r.cur }
func (r *splitReader) Err() error            { return nil }
func (r *splitReader) Retain()               { r.refs.Add(1) }

// Release does nothing: loadDirect frees the reader (free) when done.
func (r *splitReader) Release() { r.refs.Add(-1) }

func (r *splitReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for !r.pause && !r.done {
		if !r.in.Next() {
			r.done, r.err, r.pause = true, r.in.Err(), true
			return false
		}
		rec := r.in.Record()
		r.note(rec)
		n := int(rec.NumRows())
		q := rec.Column(r.qcol)
		atZero := startsAtZero(rec)
		if q.NullN() == n && atZero {
			rec.Retain()
			r.cur = rec
			r.valid += int64(n)
			r.hash()
			return true
		}
		lead := 0 // valid rows before the first bad one
		for lead < n && q.IsNull(lead) {
			lead++
		}
		if atZero && q.NullN() == lead {
			// Valid rows first: pass them on as a slice at offset 0.
			if lead < n {
				r.hold(rec.NewSlice(int64(lead), int64(n)))
			}
			if r.heldN >= quarantineSpill {
				r.pause = true
			}
			if lead > 0 {
				r.cur = rec.NewSlice(0, int64(lead))
				r.valid += int64(lead)
				r.hash()
				return true
			}
			continue
		}
		// The valid rows are copied into one record: DuckDB's Arrow scan
		// misreads a boolean column that does not start at bit 0 (a slice
		// of a batch), so such slices cannot be passed on.
		var valid []arrow.Record
		for i := 0; i < n; {
			j := i
			bad := q.IsValid(i)
			for j < n && q.IsValid(j) == bad {
				j++
			}
			if bad {
				r.hold(rec.NewSlice(int64(i), int64(j)))
			} else {
				valid = append(valid, rec.NewSlice(int64(i), int64(j)))
			}
			i = j
		}
		if r.heldN >= quarantineSpill {
			r.pause = true
		}
		if len(valid) > 0 {
			r.cur = r.compact(valid)
			for _, v := range valid {
				v.Release()
			}
			if r.cur != nil {
				r.valid += r.cur.NumRows()
				r.copied += r.cur.NumRows()
				r.hash()
				return true
			}
		}
	}
	return false
}

// hash hashes the keys of the rows about to be passed on (r.cur): every
// row DuckDB can append is hashed first.
func (r *splitReader) hash() {
	if r.keys != nil {
		r.keys.add(r.cur)
	}
}

// startsAtZero reports whether every column of rec starts at offset 0 of
// its buffers (a record built whole, or a slice from its first row).
func startsAtZero(rec arrow.Record) bool {
	for _, c := range rec.Columns() {
		if c.Data().Offset() != 0 {
			return false
		}
	}
	return true
}

// compact copies slices of a record into one record whose columns start
// at offset 0; nil (and r.err set) on failure.
func (r *splitReader) compact(parts []arrow.Record) arrow.Record {
	cols := make([]arrow.Array, r.schema.NumFields())
	var rows int64
	for _, p := range parts {
		rows += p.NumRows()
	}
	for c := range cols {
		in := make([]arrow.Array, len(parts))
		for i, p := range parts {
			in[i] = p.Column(c)
		}
		a, err := array.Concatenate(in, memory.DefaultAllocator)
		if err != nil {
			for _, p := range cols[:c] {
				p.Release()
			}
			r.err, r.done, r.pause = err, true, true
			return nil
		}
		cols[c] = a
	}
	out := array.NewRecord(r.schema, cols, rows)
	for _, c := range cols {
		c.Release()
	}
	return out
}

// note records the file a stream's rows come from (one file per stream).
func (r *splitReader) note(rec arrow.Record) {
	if r.seen || rec.NumRows() == 0 {
		return
	}
	r.seen = true
	if c, ok := rec.Column(r.seqCol).(*array.Int32); ok {
		r.seq = c.Value(0)
	}
	// Copied: Value points into the batch's buffer, which the run's
	// record of the file (directRun.files) would otherwise keep alive.
	if c, ok := rec.Column(r.sourceCol).(*array.String); ok {
		r.source = strings.Clone(c.Value(0))
	}
	if c, ok := rec.Column(r.pathCol).(*array.String); ok {
		r.path = strings.Clone(c.Value(0))
	}
}

// hold keeps a compact copy of quarantined rows (a slice would keep the
// whole batch's buffers alive).
func (r *splitReader) hold(rec arrow.Record) {
	defer rec.Release()
	if out := r.compact([]arrow.Record{rec}); out != nil {
		r.held = append(r.held, out)
		r.heldN += int(out.NumRows())
	}
}

func (r *splitReader) dropHeld() {
	for _, h := range r.held {
		h.Release()
	}
	r.held, r.heldN = nil, 0
}

func (r *splitReader) free() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.dropHeld()
}
