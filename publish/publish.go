// Package publish writes the publications of one reporting period from the
// warehouse's model tables: the rankings of every peer group and
// methodology as CSV, XLSX, JSON and Parquet, the official handling
// statistics (form II.06a) as dossier-stats.xlsx, and report.html.
//
// Contract (docs/contract.md, "Publication"): publishing only reads the warehouse
// (periods, units, runs, dossier_stats, index_groups, indicator_values,
// index_scores); every file is written to a temporary name in its folder and
// renamed, so a reader never sees half a file; and the same warehouse
// content gives byte-identical files, so publishing again is idempotent.
// Files of peer groups that no longer exist are not removed.
package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cchc/cchc/internal/fileowner"
	"github.com/cchc/cchc/periods"
)

// Options say where and what to publish.
type Options struct {
	Dir     string   // publish.dir; files go to Dir/<period>/
	Formats []string // subset of csv, xlsx, parquet, json, html; empty means all
	// Freshness marks a unit stale when its index_scores.data_until is
	// older than Freshness before the period's end_at, or before the
	// latest run's start for a period not yet over: its note says
	// "dữ liệu đến ngày dd/mm/yyyy". Sources whose last new file is older
	// than Freshness before the latest modelled run are listed as stale
	// (JSON stale_sources, the HTML report). 0 disables both.
	Freshness time.Duration
	// PARDecimals are the published decimals of the CCHC index (PAR
	// index) publications, par-<peer_group>.*; nil means 2.
	PARDecimals *int
}

// Formats are the known publication formats. dossier-stats.xlsx comes with
// xlsx.
var Formats = []string{"csv", "xlsx", "parquet", "json", "html"}

var periodRe = regexp.MustCompile(`^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$`)

// Period writes every publication of one period: for each methodology and
// peer group present in index_scores, ranking-<peer_group>.{csv,xlsx,json,
// parquet} (ranking-<methodology>-<peer_group>.* for methodologies other
// than "default" when the period has several), dossier-stats.xlsx (with
// xlsx, when dossier_stats has rows for the period) and report.html. It
// returns the paths written, sorted.
//
// It only reads the warehouse; db may be shared with other goroutines
// (but DuckDB's database-wide thread count is 1 while it runs, for
// Parquet files whose bytes do not depend on scheduling, and DuckDB
// writes the Parquet file itself, so db must be allowed to write files:
// not a Sandboxed warehouse). The files are written up to
// GOMAXPROCS at a time, each from the data read before, so the same
// warehouse content gives byte-identical files. A period missing from the
// periods table is an error; on error, no new file is started, files
// already renamed into place stay (their paths are returned with the
// error), and no temporary file is left behind.
func Period(ctx context.Context, db *sql.DB, period string, opts Options) (paths []string, err error) {
	unpin, err := pinOneThread(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("xuất bản kỳ %s: %w", period, err)
	}
	defer func() {
		if uerr := unpin(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("xuất bản kỳ %s: %w", period, uerr))
		}
	}()
	return publishPeriod(ctx, db, period, opts, newWriters(), nil)
}

// writers are tokens of the file writers allowed to run at once, shared
// by the periods that Periods publishes side by side.
type writers chan struct{}

// newWriters allows GOMAXPROCS writers: writing a file is CPU work.
func newWriters() writers { return make(writers, max(1, runtime.GOMAXPROCS(0))) }

// publishPeriod is Period, its files written with the tokens of w, from
// what b loaded (nil: it loads the period's batch itself).
func publishPeriod(ctx context.Context, db *sql.DB, period string, opts Options, w writers, b *batch) ([]string, error) {
	fail := func(file string, err error) error {
		err = folderErr(err, "publish.dir")
		if file == "" {
			return fmt.Errorf("xuất bản kỳ %s: %w", period, err)
		}
		return fmt.Errorf("xuất bản kỳ %s: %s: %w", period, file, err)
	}
	if !periodRe.MatchString(period) {
		return nil, fail("", fmt.Errorf("kỳ %q không hợp lệ; viết YYYY-MM, YYYY-Qn, YYYY-H1|H2 hoặc YYYY (period is not YYYY-MM, YYYY-Qn, YYYY-H1|H2 or YYYY)", period))
	}
	formats, err := formatSet(opts.Formats)
	if err != nil {
		return nil, fail("", err)
	}
	if opts.Dir == "" {
		return nil, fail("", fmt.Errorf("chưa có thư mục xuất bản: đặt publish.dir trong cấu hình (no publish dir)"))
	}
	if opts.Freshness < 0 {
		return nil, fail("", fmt.Errorf("freshness không được âm, nhận được %s (negative freshness)", opts.Freshness))
	}

	if b == nil {
		if b, err = loadBatch(ctx, db, []string{period}, opts, formats); err != nil {
			return nil, fail("", err)
		}
	}
	var pars []parTable
	if b.par[period] {
		// Most periods have no CCHC index: loadPAR's queries are skipped.
		if pars, err = loadPAR(ctx, db, period); err != nil {
			return nil, fail("", err)
		}
	}
	decimals := 2
	if opts.PARDecimals != nil {
		if *opts.PARDecimals < 0 || *opts.PARDecimals > 6 {
			return nil, fail("", fmt.Errorf("par.decimals phải từ 0 đến 6, nhận được %d (par decimals not in 0..6)", *opts.PARDecimals))
		}
		decimals = *opts.PARDecimals
	}
	pub := publication{PAR: pars, PARDecimals: decimals}
	pub.Period, err = pickPeriod(b.periods, period)
	if err != nil && len(pars) == 0 {
		return nil, fail("", err)
	}
	parOnly := err != nil
	if !parOnly && len(pars) > 0 {
		if parOnly, err = noDossierData(ctx, db, period); err != nil {
			return nil, fail("", err)
		}
	}
	if parOnly {
		// A period of the CCHC index alone (no dossiers in it): only its
		// PAR publications and a report of them.
		if pub.Period.Period == "" {
			pub.Period = periodInfo{Period: period, Provisional: pars[0].Provisional}
			if pp, err := periods.Parse(period, periods.Calendar); err == nil {
				pub.Period.Kind, pub.Period.Start, pub.Period.End, pub.Period.Previous = pp.Kind, pp.Start, pp.End, pp.Previous
			}
		}
		if formats["html"] {
			pub.Mergers = b.mergers[period]
		}
		dir := filepath.Join(opts.Dir, period)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fail("", err)
		}
		jobs := parJobs(ctx, db, period, pars, formats, decimals)
		if formats["html"] {
			jobs = append(jobs, fileJob{name: "report.html", cost: costHTML * pub.units(), write: func(w io.Writer) error { return writeReportHTML(w, pub) }})
		}
		return writeJobs(ctx, dir, jobs, w, fail)
	}
	if err := b.fill(&pub, opts); err != nil {
		return nil, fail("", err)
	}

	dir := filepath.Join(opts.Dir, period)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fail("", err)
	}
	var jobs []fileJob
	for _, r := range pub.Rankings {
		if formats["csv"] {
			jobs = append(jobs, fileJob{name: r.Stem + ".csv", cost: costCSV * len(r.Rows), write: func(w io.Writer) error { return writeRankingCSV(w, pub.Period, r) }})
		}
		if formats["xlsx"] {
			jobs = append(jobs, fileJob{name: r.Stem + ".xlsx", cost: costXLSX * len(r.Rows), write: func(w io.Writer) error { return writeRankingXLSX(w, pub.Period, r) }})
		}
		if formats["json"] {
			jobs = append(jobs, fileJob{name: r.Stem + ".json", cost: costJSON * len(r.Rows), write: func(w io.Writer) error { return writeRankingJSON(w, pub, r) }})
		}
		if formats["parquet"] {
			jobs = append(jobs, fileJob{name: r.Stem + ".parquet", cost: costParquet * len(r.Rows), writeAt: func(tmp string) error {
				return writeRankingParquet(ctx, db, pub.Period, r, tmp)
			}})
		}
	}
	if formats["xlsx"] && len(pub.Stats) > 0 {
		jobs = append(jobs, fileJob{name: "dossier-stats.xlsx", cost: costXLSX * statsRows(pub.Stats), write: func(w io.Writer) error { return writeStatsXLSX(w, pub.Period, pub.Stats) }})
	}
	if formats["html"] {
		jobs = append(jobs, fileJob{name: "report.html", cost: costHTML * pub.units(), write: func(w io.Writer) error { return writeReportHTML(w, pub) }})
	}
	jobs = append(jobs, parJobs(ctx, db, period, pars, formats, decimals)...)
	return writeJobs(ctx, dir, jobs, w, fail)
}

// Periods publishes each of periods (Period), up to GOMAXPROCS periods at
// a time, so that one period's queries run while another's files are
// written. started, when not nil, is called with each period as it
// starts, from one goroutine. It returns the paths written, period by
// period in the order given and sorted within one, and the periods that
// failed, in the order given, with their errors joined. A failed period
// stops no other: every period is tried, and the files written stay, so
// that the caller knows exactly which periods remain to be written. A
// failure that is no period's (the database left on one thread) comes
// with no failed period.
func Periods(ctx context.Context, db *sql.DB, periods []string, opts Options, started func(period string)) (written []string, failed []string, err error) {
	if len(periods) == 0 {
		return nil, nil, nil
	}
	unpin, err := pinOneThread(ctx, db)
	if err != nil {
		return nil, append([]string(nil), periods...), fmt.Errorf("xuất bản kỳ %s: %w", strings.Join(periods, ", "), err)
	}
	// Every file may be written and the run still has to say that the
	// database was left on one thread (no failed period then).
	defer func() {
		if uerr := unpin(); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}()
	paths := make([][]string, len(periods))
	errs := make([]error, len(periods))
	// GOMAXPROCS periods in flight, their files written with GOMAXPROCS
	// tokens in all: a period waiting for its queries holds none.
	inFlight := max(1, runtime.GOMAXPROCS(0))
	// The batches are read whatever becomes of one period (a period whose
	// batch failed reads its own and reports its own error): nothing
	// stops the loads but ctx.
	var never atomic.Bool
	loads, loaded := loadBatches(ctx, db, periods, opts, inFlight, &never)
	var wg sync.WaitGroup
	sem := make(chan struct{}, inFlight)
	w := newWriters()
	for i, p := range periods {
		sem <- struct{}{}
		if started != nil {
			started(p)
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			paths[i], errs[i] = publishPeriod(ctx, db, p, opts, w, loads[i].wait())
		}()
	}
	wg.Wait()
	loaded.Wait()
	var all []string
	for _, ps := range paths {
		all = append(all, ps...)
	}
	var perr []error
	for i, e := range errs {
		if e != nil {
			failed = append(failed, periods[i])
			perr = append(perr, e)
		}
	}
	return all, failed, errors.Join(perr...)
}

// pendingBatch is a batch being loaded for some of the periods.
type pendingBatch struct {
	done chan struct{}
	b    *batch // nil: not loaded (each period loads its own)
}

// wait returns the batch once loaded.
func (p *pendingBatch) wait() *batch {
	<-p.done
	return p.b
}

// loadBatches loads, in one goroutine, the batches of periods (loadBatch)
// in runs of first, 2×first, 4×first... periods, so that the first
// periods' files are written while the later ones' data is read: the
// batch of each period (loads[i]) becomes ready in turn. Once failed is
// set, no batch is read any more. Options or periods that are not valid
// are left to publishPeriod, which fails them as it would alone; should a
// batch fail, its periods read their own and report their own error.
// loaded is done when the goroutine has ended.
func loadBatches(ctx context.Context, db *sql.DB, periods []string, opts Options, first int, failed *atomic.Bool) (loads []*pendingBatch, loaded *sync.WaitGroup) {
	loads = make([]*pendingBatch, len(periods))
	var runs [][]int // indexes into periods
	for i, n := 0, first; i < len(periods); i, n = i+n, 2*n {
		run := []int{}
		for j := i; j < min(i+n, len(periods)); j++ {
			run = append(run, j)
		}
		p := &pendingBatch{done: make(chan struct{})}
		for _, j := range run {
			loads[j] = p
		}
		runs = append(runs, run)
	}
	formats, err := formatSet(opts.Formats)
	ok := err == nil && opts.Dir != "" && opts.Freshness >= 0
	loaded = &sync.WaitGroup{}
	loaded.Add(1)
	go func() {
		defer loaded.Done()
		for _, run := range runs {
			p := loads[run[0]]
			var valid []string
			for _, j := range run {
				if periodRe.MatchString(periods[j]) {
					valid = append(valid, periods[j])
				}
			}
			if ok && len(valid) > 0 && !failed.Load() && ctx.Err() == nil {
				p.b, _ = loadBatch(ctx, db, valid, opts, formats)
			}
			close(p.done)
		}
	}()
	return loads, loaded
}

// parJobs are the files par-<peer_group>.{csv,xlsx,json,parquet} of every
// PAR table of the period, in the requested formats.
func parJobs(ctx context.Context, db *sql.DB, period string, pars []parTable, formats map[string]bool, decimals int) []fileJob {
	var jobs []fileJob
	for _, t := range pars {
		if formats["csv"] {
			jobs = append(jobs, fileJob{name: t.stem() + ".csv", cost: costCSV * len(t.Rows), write: func(w io.Writer) error { return writePARCSV(w, period, t, decimals) }})
		}
		if formats["xlsx"] {
			jobs = append(jobs, fileJob{name: t.stem() + ".xlsx", cost: costXLSX * len(t.Rows), write: func(w io.Writer) error { return writePARXLSX(w, period, t, decimals) }})
		}
		if formats["json"] {
			jobs = append(jobs, fileJob{name: t.stem() + ".json", cost: costJSON * len(t.Rows), write: func(w io.Writer) error { return writePARJSON(w, period, t, decimals) }})
		}
		if formats["parquet"] {
			jobs = append(jobs, fileJob{name: t.stem() + ".parquet", cost: costParquet * len(t.Rows), writeAt: func(tmp string) error { return writePARParquet(ctx, db, period, t, decimals, tmp) }})
		}
	}
	return jobs
}

// fileJob is one file of a period: write fills it through an io.Writer,
// or writeAt has another writer (DuckDB's COPY) fill the temporary path.
type fileJob struct {
	name    string
	cost    int // estimated, in costCSV units: writeJobs starts the dearest first
	write   func(io.Writer) error
	writeAt func(tmp string) error
}

// Relative costs per row of each kind of file (BenchmarkFormat): a
// spreadsheet row costs some 40 CSV rows. Starting the dearest files first
// keeps the last worker from finishing alone on a big spreadsheet.
const (
	costCSV     = 1
	costJSON    = 4
	costParquet = 10
	costHTML    = 15
	costXLSX    = 40
)

// units is the number of rows of the period's rankings and PAR tables.
func (p publication) units() int {
	n := 0
	for _, r := range p.Rankings {
		n += len(r.Rows)
	}
	for _, t := range p.PAR {
		n += len(t.Rows)
	}
	return n
}

// statsRows is the number of rows of dossier-stats.xlsx.
func statsRows(levels []statsLevel) int {
	n := 0
	for _, lv := range levels {
		for _, u := range lv.Units {
			n += 1 + len(u.Fields)
		}
	}
	return n
}

// writeJobs writes the files of jobs into dir, each atomically (writeFile),
// as many at a time as sem has tokens (a file's sync, after its bytes,
// holds none), the dearest first: the writers only read what was loaded
// before (and DuckDB, for Parquet), and each file's bytes depend on its
// own data alone, so the order does not change them. After a failure no
// new file is started; the files already renamed into place stay. It
// returns the paths written, sorted, and the error of the first failed
// job in job order, so that the same failure gives the same message.
func writeJobs(ctx context.Context, dir string, jobs []fileJob, sem writers, fail func(string, error) error) ([]string, error) {
	errs := make([]error, len(jobs))
	done := make([]string, len(jobs))
	var failed atomic.Bool
	var wg sync.WaitGroup
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return jobs[order[a]].cost > jobs[order[b]].cost })
	for _, i := range order {
		j := jobs[i]
		if failed.Load() {
			break
		}
		sem <- struct{}{}
		if failed.Load() {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			// The token is given back once the bytes are written: the
			// sync that follows waits on the disk (some 250 syncs a run).
			var once sync.Once
			release := func() { once.Do(func() { <-sem }) }
			defer func() { release(); wg.Done() }()
			var err error
			if err = ctx.Err(); err == nil {
				if j.writeAt != nil {
					done[i], err = writeFileAt(dir, j.name, j.writeAt, release)
				} else {
					done[i], err = writeFileThen(dir, j.name, j.write, release)
				}
			}
			if err != nil {
				errs[i] = fail(j.name, err)
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	var paths []string
	for _, p := range done {
		if p != "" {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, err := range errs {
		if err != nil {
			return paths, err
		}
	}
	return paths, nil
}

// formatSet validates the requested formats; none means all.
func formatSet(list []string) (map[string]bool, error) {
	if len(list) == 0 {
		list = Formats
	}
	set := map[string]bool{}
	for _, f := range list {
		known := false
		for _, k := range Formats {
			known = known || f == k
		}
		if !known {
			return nil, fmt.Errorf("định dạng %q không được hỗ trợ; chọn csv, xlsx, parquet, json hoặc html (unknown format)", f)
		}
		set[f] = true
	}
	return set, nil
}

// folderErr is err as the person who fixes it reads it: a folder this user
// cannot write (left root's by an older version's root run) is named with
// the chown that fixes it; another failure of the file system (a full
// disk, a file where the folder should be) says which config key names
// the folder; any other error comes back as it is.
func folderErr(err error, key string) error {
	if nw := fileowner.NotWritable(err); nw.Error() != err.Error() {
		return nw
	}
	var pe *fs.PathError
	var le *os.LinkError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return fmt.Errorf("không ghi được vào thư mục; kiểm tra thư mục %s trong cấu hình, quyền ghi và chỗ trống trên đĩa (%w)", key, err)
	}
	return err
}
