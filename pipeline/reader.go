package pipeline

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
)

// stageReader adapts one file's decoder and mapper into the
// array.RecordReader DuckDB pulls from: each raw batch becomes one stage
// batch. The decoding and the transform run ahead of DuckDB in their own
// goroutines, at most one finished batch ahead at each step (bounded
// channels), so memory stays bounded by a few batches per file while both
// cores work. Two goroutines (decode → transform → DuckDB) staged the 1M
// export faster on the idle 2-core machine than one doing both or none
// doing either (BENCHMARKS.md, "Staging modes"). The goroutines may start
// before the file's turn, while DuckDB stages an earlier file (filesAhead).
// DuckDB's release of the view does not release the reader
// (docs/architecture.md), so the reader stops its goroutines, frees its
// buffers and closes the file itself when the stream ends.
type stageReader struct {
	refs    atomic.Int64
	file    string
	raw     sources.RawReader
	m       *transforms.Mapper
	pending arrow.Record // first raw batch, read to learn the header
	cur     arrow.Record
	err     error
	done    bool

	started  bool
	raws     chan rawBatch   // decoded batches, in file order
	out      chan stageBatch // transformed batches, in file order
	stop     chan struct{}   // closed by finish: the goroutines give up
	wg       sync.WaitGroup
	finished bool

	// Written by the transform goroutine; read only after finish.
	rowsRead int64
	rejected int64
	samples  []transforms.RowError // first few rejections, for the summary

	// sha, when set, gives the file's hash, taken while the file is
	// decoded; the first batch waits for it (provenance column).
	sha func() (string, error)

	masked  int64              // cells stored masked for personal data
	mapping transforms.Mapping // as of the end of the file (JSON keys can appear late)
	onBatch func(rows int64)
}

// rawBatch is a decoded batch with the header as of it (JSON keys can
// appear late), or the decoder's error.
type rawBatch struct {
	rec    arrow.Record
	header []string
	err    error
}

// stageBatch is a transformed batch, or the error that ends the file.
type stageBatch struct {
	rec arrow.Record
	err error
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

func (r *stageReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	if !r.started {
		r.start()
	}
	b, ok := <-r.out
	if !ok {
		r.finish()
		return false
	}
	if b.err != nil {
		r.err = b.err
		r.finish()
		return false
	}
	r.cur = b.rec
	if r.onBatch != nil {
		r.onBatch(b.rec.NumRows())
	}
	return true
}

// start launches the goroutines that decode and transform the file.
func (r *stageReader) start() {
	r.started = true
	r.stop = make(chan struct{})
	r.out = make(chan stageBatch, 1)
	raws := make(chan rawBatch, 1)
	r.raws = raws
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		defer close(raws)
		for {
			b := r.decode()
			if b.rec == nil && errors.Is(b.err, io.EOF) {
				return
			}
			select {
			case raws <- b:
			case <-r.stop:
				if b.rec != nil {
					b.rec.Release()
				}
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	go func() {
		defer r.wg.Done()
		defer close(r.out)
		for {
			var b rawBatch
			var ok bool
			select {
			case b, ok = <-r.raws:
				if !ok {
					return
				}
			case <-r.stop:
				return
			}
			out := stageBatch{err: b.err}
			if b.rec != nil {
				out = r.transform(b)
			}
			select {
			case r.out <- out:
			case <-r.stop:
				if out.rec != nil {
					out.rec.Release()
				}
				return
			}
			if out.err != nil {
				return
			}
		}
	}()
}

// decode reads the next raw batch; a decoder bug fails this file, not the
// nightly job.
func (r *stageReader) decode() (b rawBatch) {
	defer func() {
		if p := recover(); p != nil {
			b = rawBatch{err: fmt.Errorf("tệp %s: lỗi nội bộ của cchc khi đọc tệp; báo nhóm phát triển kèm tệp này (internal error while reading: %v)", r.file, p)}
		}
	}()
	if rec := r.pending; rec != nil {
		r.pending = nil
		return rawBatch{rec: rec, header: r.raw.Header()}
	}
	rec, err := r.raw.Next()
	if err != nil {
		return rawBatch{err: err}
	}
	return rawBatch{rec: rec, header: r.raw.Header()}
}

// transform maps one raw batch (and releases it); a transform bug fails
// this file, not the nightly job.
func (r *stageReader) transform(b rawBatch) (s stageBatch) {
	defer func() {
		if p := recover(); p != nil {
			s = stageBatch{err: fmt.Errorf("tệp %s: lỗi nội bộ của cchc khi đọc tệp; báo nhóm phát triển kèm tệp này (internal error while reading: %v)", r.file, p)}
		}
	}()
	defer b.rec.Release()
	if r.sha != nil {
		sha, err := r.sha()
		if err != nil {
			return stageBatch{err: err}
		}
		r.m.SetSHA256(sha)
		r.sha = nil
	}
	out, errs := r.m.Apply(b.header, b.rec)
	r.rowsRead += out.NumRows()
	r.rejected += int64(len(errs))
	for _, e := range errs {
		if len(r.samples) >= 5 {
			break
		}
		r.samples = append(r.samples, e)
	}
	return stageBatch{rec: out}
}

// finish stops the goroutines and releases everything the reader holds;
// safe to call twice. The counts are final once it returned.
func (r *stageReader) finish() {
	r.done = true
	if r.finished {
		return
	}
	r.finished = true
	if r.started {
		close(r.stop)
		r.wg.Wait()
		for b := range r.out {
			if b.rec != nil {
				b.rec.Release()
			}
		}
		for b := range r.raws {
			if b.rec != nil {
				b.rec.Release()
			}
		}
	}
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
