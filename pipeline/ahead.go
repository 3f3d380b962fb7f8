package pipeline

import (
	"context"
	"fmt"

	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/warehouse"
)

// filesAhead is how many files of a streamed source are prepared (fetched,
// hashed) and start decoding and transforming before their turn, while
// DuckDB inserts an earlier file on the run's one stage connection; 0
// reads each file only once the previous one is staged. Inserts stay one
// at a time and in file order, and everything recorded about a file
// (file_seq, ledger row, quarantine, summary, logs) is still decided in
// order by the run's loop, so the warehouse does not depend on it
// (TestFilesAheadSameWarehouse). Each file ahead holds at most four
// batches (stageReader's bounded channels and goroutines), so memory stays
// bounded whatever the number and size of the files.
//
// It is 0: on the shared 2-core machine, one file ahead staged the 1M
// export split in four files no faster than one at a time (the process
// had no idle core to use) and peaked about 200 MiB higher
// (BENCHMARKS.md, "Several files in parallel"). Measure again on the
// production machine before raising it.
var filesAhead = 0

// stageBatchRows is the rows per decoded batch of a staged file; 0 is the
// decoder's default (65,536). Tests make it small so that small files span
// many batches and fill the bounded channels.
var stageBatchRows = 0

// queued is a listed file prepared before its turn: prepare's outcome
// and, for a streamed file to load, its decoding already under way.
type queued struct {
	ref  sources.FileRef
	f    *fetched
	skip string
	err  error
	dec  *decoding
}

// loading tells whether the file was to be staged (prepare found it new
// and reachable): only then does it hold a fetched copy to clean up.
func (q *queued) loading() bool {
	return q.ref.Skipped == "" && q.err == nil && q.skip == "" && q.f != nil && q.f.res.Status != "failed"
}

// abandon releases a queued file whose turn never came (the run stopped):
// its decoding goroutines end, its decoder closes, its fetched copy goes.
func (q *queued) abandon() {
	if q.dec != nil {
		q.dec.release()
		q.dec = nil
	}
	if q.loading() {
		q.f.cleanup()
	}
}

// enqueue prepares a listed file and, when it is to be staged, gives it
// its file_seq (the next one: files are enqueued in the order the run
// processes them) and its ledger's fingerprints. A streamed file then
// starts decoding at once, in its own goroutines.
func enqueue(ctx context.Context, w *warehouse.Warehouse, sc sourceConf, ref sources.FileRef, full bool, retry map[string]warehouse.RetryFile,
	seq *int32, unitsSHA, mappingSHA string, mo transforms.MapOptions) *queued {
	q := &queued{ref: ref}
	if ref.Skipped != "" {
		return q
	}
	ds := datasetOf(sc)
	q.f, q.skip, q.err = prepare(ctx, w, sc.src, ref, full, retry, ds.Streamed())
	if q.err != nil || q.skip != "" {
		return q
	}
	*seq++
	res := q.f.res
	res.Seq = *seq
	res.UnitsSHA256, res.MappingSHA256 = unitsSHA, mappingSHA
	res.Dataset = ds.Name
	if ds.Streamed() && res.Status != "failed" {
		q.dec = startDecoding(q.f, sc, mo)
	}
	return q
}

// decoding is a streamed file being opened, decoded and transformed in
// its own goroutines; its batches wait in the stage reader's bounded
// channels until DuckDB pulls them.
type decoding struct {
	done chan struct{} // closed once the file is open (or failed to open)
	// Set before done closes.
	raw              sources.RawReader // nil when the decoder did not open
	format, encoding string            // as of the file's opening
	sr               *stageReader      // nil on err
	err              error
}

// startDecoding opens f with the source's decoder and starts its stage
// reader's goroutines; the caller waits on done before using the rest.
func startDecoding(f *fetched, sc sourceConf, mo transforms.MapOptions) *decoding {
	d := &decoding{done: make(chan struct{})}
	res := f.res
	mo.DefaultUnit, mo.Source, mo.File, mo.FileSeq = sc.cfg.Unit, res.Source, res.Path, res.Seq
	var sha func() (string, error)
	if f.hashed == nil {
		mo.SHA256 = res.SHA256
	} else {
		sha = f.sha // the hash is still being taken: the first batch waits for it
	}
	path, file := f.path, res.Path
	go func() {
		defer close(d.done)
		defer func() {
			// A decoder bug fails this file, not the nightly job (as in
			// stageReader.decode).
			if p := recover(); p != nil {
				d.sr, d.err = nil, fmt.Errorf("tệp %s: lỗi nội bộ của cchc khi đọc tệp; báo nhóm phát triển kèm tệp này (internal error while reading: %v)", file, p)
			}
		}()
		raw, first, m, err := openMapped(path, sc, mo, stageBatchRows)
		if raw != nil {
			d.raw, d.format, d.encoding = raw, raw.Format(), raw.Encoding()
		}
		if err != nil {
			d.err = err
			return
		}
		sr := &stageReader{file: file, raw: raw, m: m, pending: first, sha: sha}
		sr.refs.Store(1)
		if first == nil {
			sr.done = true
			sr.finish()
		} else {
			sr.start()
		}
		d.sr = sr
	}()
	return d
}

// release stops a decoding whose file will not be staged and frees what it
// holds; it waits for the opening to end first.
func (d *decoding) release() {
	<-d.done
	if d.sr != nil {
		d.sr.finish()
	}
}
