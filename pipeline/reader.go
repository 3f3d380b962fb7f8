package pipeline

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
)

// stageReader adapts one file's decoder and mapper into the
// array.RecordReader DuckDB pulls from: each raw batch becomes one stage
// batch. DuckDB's release of the view does not release the reader
// (docs/architecture.md), so the reader frees its buffers and closes the file
// itself when the stream ends.
type stageReader struct {
	refs    atomic.Int64
	file    string
	raw     sources.RawReader
	m       *transforms.Mapper
	pending arrow.Record // first raw batch, read to learn the header
	cur     arrow.Record
	err     error
	done    bool

	rowsRead int64
	rejected int64
	masked   int64                 // cells stored masked for personal data
	mapping  transforms.Mapping    // as of the end of the file (JSON keys can appear late)
	samples  []transforms.RowError // first few rejections, for the summary
	onBatch  func(rows int64)
}

func (r *stageReader) Schema() *arrow.Schema { return transforms.StageSchema }
func (r *stageReader) Record() arrow.Record  { return r.cur }
func (r *stageReader) Err() error            { return r.err }
func (r *stageReader) Retain()               { r.refs.Add(1) }
func (r *stageReader) Release() {
	if r.refs.Add(-1) <= 0 {
		r.finish()
	}
}

func (r *stageReader) Next() (ok bool) {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	defer func() {
		// A decoder bug must fail this file, not the nightly job.
		if p := recover(); p != nil {
			r.err = fmt.Errorf("file %s: internal error while reading: %v", r.file, p)
			r.finish()
			ok = false
		}
	}()
	rec := r.pending
	r.pending = nil
	if rec == nil {
		var err error
		rec, err = r.raw.Next()
		if errors.Is(err, io.EOF) {
			r.finish()
			return false
		}
		if err != nil {
			r.err = err
			r.finish()
			return false
		}
	}
	out, errs := r.m.Apply(r.raw.Header(), rec)
	rec.Release()
	n := out.NumRows()
	r.rowsRead += n
	r.rejected += int64(len(errs))
	for _, e := range errs {
		if len(r.samples) >= 5 {
			break
		}
		r.samples = append(r.samples, e)
	}
	r.cur = out
	if r.onBatch != nil {
		r.onBatch(n)
	}
	return true
}

// finish releases everything the reader holds; safe to call twice.
func (r *stageReader) finish() {
	r.done = true
	if r.pending != nil {
		r.pending.Release()
		r.pending = nil
	}
	if r.raw != nil {
		r.raw.Close()
		// go-duckdb v1.8 keeps the registered reader reachable after the
		// view is dropped: drop what the file needed, or every file of a
		// run stays in memory (about 200 KB each, mostly read buffers).
		r.raw = nil
	}
	if r.m != nil {
		r.mapping = r.m.Mapping()
		r.masked = r.m.Masked()
		r.m.Release()
		r.m = nil
	}
}
