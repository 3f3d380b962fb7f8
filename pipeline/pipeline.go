// Package pipeline runs one batch end to end: list every source's files,
// skip those the ledger already has, decode and transform the new ones
// into the stage, and commit the run to the warehouse in one transaction.
package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// Exit codes of a run, as the CLI contract names them.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitPartial = 3
)

// Options tune one run. The zero value is a manual run of every source.
type Options struct {
	Trigger  string         // manual (default) or schedule
	Sources  []string       // only these sources; empty means all
	Logger   *slog.Logger   // nil discards
	Progress func(Progress) // called as files and batches go by; may be nil
	Now      func() time.Time
	// AfterFile is called inside the commit transaction after each file's
	// ledger row; an error rolls the run back. Tests inject failures here.
	AfterFile func(i int) error
	// BeforeModel is called in the model's transaction, after the data
	// committed; an error leaves the model pending. Tests inject failures
	// here.
	BeforeModel func() error
	// NoPublish skips writing publications (tests of the load alone).
	NoPublish bool
	// FullRefresh rebuilds every dataset's tables, quarantine and
	// source_files from every file the sources offer, ignoring the ledger.
	FullRefresh bool
	// StageAll stages every row, as runs with retried files and full
	// refreshes do, instead of appending the valid rows of a direct
	// dataset to its table (datasets.Dataset.Direct). Tests compare both.
	StageAll bool
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o.Logger
}

// Progress is one progress event.
type Progress struct {
	Phase        string // "" while files are read; then "commit", "publish"
	Source, File string
	FileIndex    int   // 1-based among the files being loaded
	Files        int   // files being loaded in this run so far
	Rows         int64 // rows read from the file so far
	Done         bool  // the file is finished
}

// SourceError is a source that could not be listed.
type SourceError struct {
	Source string
	Err    error
}

// Summary reports a run.
type Summary struct {
	Run       warehouse.Run
	Files     []*warehouse.FileResult
	Unchanged int // files skipped because the ledger has them
	// StillFailed counts unchanged files whose content failed in an earlier
	// run; they are not retried until they change (the failure would only
	// repeat). A file that failed for a passing reason (unreadable, changed
	// while read) is retried by every run instead.
	StillFailed int
	// Retried counts the files read again because the unit registry or
	// their source's column mapping changed since they were loaded, and
	// Recovered the rows of theirs that left quarantine (set after commit).
	Retried   int
	Recovered int64
	// RetryFailed lists the files whose second reading failed (such as one
	// now above max_reject_rate); their loaded version is kept as it was.
	RetryFailed []string
	// Duplicates counts the earlier rows of keys (dossier codes) repeated
	// within a file (quarantined as duplicate_in_file; the last row is kept).
	Duplicates   int64
	SourceErrors []SourceError
	Rejections   []Rejection // first rejected rows of each file
	Modelled     bool        // the model tables were rebuilt
	// ModelFull is set when the model rebuilt every period; else
	// RebuiltPeriods are the ones the run's changed dossiers reached
	// (model.Built.Periods), TouchedPeriods of them holding a changed
	// dossier (the others' index scores alone were rebuilt: movement,
	// provisional, data_until).
	ModelFull bool
	// ModelCounts says how the model's counts were brought up to date
	// (model.Built.Counts): the run's changes applied, every dossier
	// counted anew, or kept (no dossier changed since they were counted).
	ModelCounts    string
	RebuiltPeriods []string
	TouchedPeriods int
	NewPeriods     int // of TouchedPeriods, new ones counted from every dossier
	// RelabelledCounts are the rows of the counts kept that moved to the
	// unit now standing for their receiving unit (a registry change).
	RelabelledCounts int64
	// RepublishedPeriods are the periods whose publications were written.
	RepublishedPeriods []string
	Published          []string // publication files written
	// Lake is what publish.lake's export wrote (nil: no lake configured
	// or not written).
	Lake       *publish.LakeResult
	PublishErr error // publication failed after the data committed
	// UnpublishedPeriods are the periods whose publications failed, and
	// UnpublishedLake the lake's tables not brought up to date (["?"]
	// when the lake failed before any table): the next run writes them
	// (runs.unpublished).
	UnpublishedPeriods, UnpublishedLake []string
	// ModelErr is a model that failed after the data committed: nothing
	// is published and the next run rebuilds the model whole.
	ModelErr    error
	Timing      Timing // where the run's time went
	Snapshot    string // analysts' snapshot refreshed by Batch
	republish   bool   // a dead run's publications must be written again
	SnapshotErr error  // the snapshot could not be refreshed
	// Warnings are problems that fail nothing but need a person: a folder
	// source matching no file, a file lacking a column an indicator reads.
	Warnings []string
	// StaleSources are the sources that delivered no new file for longer
	// than freshness (source_status.stale), with when they last did.
	StaleSources []warehouse.StaleSource
	// FinalPeriods and ProvisionalPeriods split the model's periods as the
	// model was last built (periods.provisional), each in order.
	FinalPeriods, ProvisionalPeriods []string
	// Redirected counts, per dissolved unit, the rows of this run that name
	// it after its valid_to: they count for its successor.
	Redirected []Redirect
	// Orphans are the units dissolved without a successor that still have
	// dossiers counted after their dissolution (each also in Warnings).
	Orphans  []Orphan
	recorded bool // the outcome is written in runs
}

// Timing splits a run's wall time into its phases.
type Timing struct {
	Stage   time.Duration // list, fetch, decode, transform and stage every file
	Commit  time.Duration // the transaction: merge, ledger and model
	Publish time.Duration // write the publications
}

// Rejection is a sample quarantined row for the summary.
type Rejection struct {
	Source, File string
	transforms.RowError
}

// ExitCode maps the run status to the CLI exit code.
func (s *Summary) ExitCode() int {
	switch s.Run.Status {
	case "succeeded":
		if s.SnapshotErr != nil {
			return ExitPartial
		}
		return ExitOK
	case "partial":
		return ExitPartial
	}
	return ExitFailed
}

// Run performs one batch against an open warehouse. The caller holds the
// writer lock. It returns a summary even when the run failed (then with the
// error that failed it); the runs ledger records the outcome either way.
func Run(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse, reg *units.Registry, opts Options) (*Summary, error) {
	log := opts.logger()
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.Trigger == "" {
		opts.Trigger = "manual"
	}
	host, _ := os.Hostname()
	sum := &Summary{Run: warehouse.Run{
		StartedAt: warehouse.LocalNow(now(), cfg.Location),
		Trigger:   opts.Trigger,
		Host:      host,
		PID:       os.Getpid(),
	}}
	ab, err := w.CloseAbandonedRuns(ctx, sum.Run.StartedAt)
	if err != nil {
		return sum, err
	}
	if ab.RolledBack > 0 {
		log.Warn("đã đóng các lần chạy có tiến trình chết trước khi ghi kho; thay đổi của chúng đã được hoàn tác", "runs", ab.RolledBack)
	}
	if ab.Committed > 0 {
		log.Warn("đã đóng các lần chạy có tiến trình chết khi đang xuất bản; xuất bản lại mọi kỳ", "runs", ab.Committed)
		sum.republish = true
	}
	if err := w.StartRun(ctx, &sum.Run); err != nil {
		return sum, err
	}
	log.Info("bắt đầu lần chạy", "run_id", sum.Run.ID, "trigger", opts.Trigger)

	err = run(ctx, cfg, w, reg, opts, log, sum)
	r := &sum.Run
	r.FinishedAt = warehouse.LocalNow(now(), cfg.Location)
	for _, f := range sum.Files {
		if f.Status == "failed" {
			r.FilesFailed++
			continue
		}
		if f.Retry {
			sum.Retried++
			sum.Recovered += f.RowsRecovered
		} else {
			r.FilesNew++
		}
		sum.Duplicates += f.RowsDuplicate
		r.RowsRead += f.RowsRead
		r.RowsLoaded += f.RowsLoaded
		r.RowsQuarantined += f.RowsQuarantined
		r.RowsSuperseded += f.RowsSuperseded
	}
	switch {
	case err != nil:
		r.Status = "failed"
		r.Message, _ = pii.MaskShapes(sources.RedactText(err.Error()))
		r.RowsLoaded, r.RowsQuarantined, r.RowsSuperseded = 0, 0, 0
	case r.FilesFailed > 0 || len(sum.SourceErrors) > 0 || sum.PublishErr != nil || sum.ModelErr != nil || sum.StillFailed > 0:
		r.Status = "partial"
		r.Message, _ = pii.MaskShapes(sources.RedactText(failureMessage(sum)))
	default:
		r.Status = "succeeded"
		r.Message = fmt.Sprintf("%d new files, %d unchanged", r.FilesNew, sum.Unchanged)
		if sum.Retried > 0 {
			r.Message += fmt.Sprintf(", %d read again: %d quarantined rows recovered", sum.Retried, sum.Recovered)
		}
	}
	// The ledger must record the outcome even when ctx was cancelled (a
	// signal during the run): use a fresh context for this last write.
	if ferr := w.FinishRun(context.WithoutCancel(ctx), r); ferr != nil {
		log.Error("không ghi được kết quả lần chạy vào runs", "run_id", r.ID, "status", r.Status, "err", ferr)
		if err == nil {
			err = ferr
		}
	} else {
		sum.recorded = true
	}
	log.Info("kết thúc lần chạy", "run_id", r.ID, "status", r.Status, "files_new", r.FilesNew,
		"files_failed", r.FilesFailed, "rows_read", r.RowsRead, "rows_loaded", r.RowsLoaded,
		"rows_quarantined", r.RowsQuarantined, "rows_superseded", r.RowsSuperseded)
	return sum, err
}

func failureMessage(s *Summary) string {
	var parts []string
	for _, e := range s.SourceErrors {
		msg := e.Err.Error()
		if !strings.HasPrefix(msg, "source "+e.Source+":") && !strings.HasPrefix(msg, "nguồn "+e.Source+":") {
			msg = fmt.Sprintf("nguồn %s: %s", e.Source, msg)
		}
		parts = append(parts, msg)
	}
	for _, f := range s.Files {
		if f.Status == "failed" {
			parts = append(parts, f.Error)
		}
	}
	if s.ModelErr != nil {
		parts = append(parts, s.ModelErr.Error())
	}
	if s.PublishErr != nil {
		parts = append(parts, s.PublishErr.Error())
		if m := unpublishedMessage(s); m != "" {
			parts = append(parts, m)
		}
	}
	if s.StillFailed > 0 {
		parts = append(parts, fmt.Sprintf("%d unchanged files still fail (see source_files where status = 'failed')", s.StillFailed))
	}
	return strings.Join(parts, "; ")
}

// unpublishedMessage says, in Vietnamese, what the run failed to publish
// and that the next run writes it.
func unpublishedMessage(s *Summary) string {
	var what []string
	if len(s.UnpublishedPeriods) > 0 {
		what = append(what, "bản công bố của kỳ "+strings.Join(s.UnpublishedPeriods, ", "))
	}
	if len(s.UnpublishedLake) > 0 {
		if len(s.UnpublishedLake) == 1 && s.UnpublishedLake[0] == "?" {
			what = append(what, "hồ dữ liệu (publish.lake)")
		} else {
			what = append(what, "các bảng "+strings.Join(s.UnpublishedLake, ", ")+" của hồ dữ liệu (publish.lake)")
		}
	}
	if len(what) == 0 {
		return ""
	}
	return "chưa ghi được " + strings.Join(what, " và ") + "; lần chạy sau sẽ tự ghi lại"
}

func run(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse, reg *units.Registry, opts Options, log *slog.Logger, sum *Summary) error {
	srcs, err := Sources(cfg, opts.Sources)
	if err != nil {
		return err
	}
	stage, err := w.NewStage(ctx)
	if err != nil {
		return err
	}
	defer stage.Close()

	t0 := time.Now()
	var seq int32
	var sheets []stagedSheet // scoring sheets staged, for the tree check
	var statuses []warehouse.SourceStatus
	unitsSHA := UnitsFingerprint(reg)
	base := transforms.MapOptions{Units: reg, Now: sum.Run.StartedAt, FutureTolerance: cfg.FutureTolerance}
	// The files each source may read again, known before anything is
	// staged: a run that may retry a file, or refreshes everything, stages
	// every row (its merge needs them); any other writes the valid rows of
	// a direct dataset once, into its table, in the run's transaction.
	retries := make([]map[string]warehouse.RetryFile, len(srcs))
	direct := !opts.FullRefresh && !opts.StageAll
	for i, sc := range srcs {
		if opts.FullRefresh {
			break
		}
		if retries[i], err = w.RetryCandidates(ctx, sc.src.Name(), unitsSHA, sc.cfg.Columns.Fingerprint()); err != nil {
			return err
		}
		direct = direct && len(retries[i]) == 0
	}
	if direct {
		if err := stage.BeginDirect(ctx, sum.Run.ID, sum.Run.StartedAt); err != nil {
			return err
		}
	}
	// The downloads folder is checked once, before the first HTTP source
	// lists anything: a folder this run cannot write in fails each HTTP
	// source with what to do, not each of its files.
	var downloads error
	downloadsChecked := false
	var listedNone []string // sources whose listing found no file
	for i, sc := range srcs {
		src := sc.src
		status := warehouse.SourceStatus{Source: src.Name(), OK: true}
		mappingSHA := sc.cfg.Columns.Fingerprint()
		retry := retries[i]
		if sc.cfg.Kind == "http" && !downloadsChecked {
			downloads, downloadsChecked = warehouse.PrepareDownloads(cfg.Warehouse), true
		}
		var files []sources.FileRef
		var err error
		if sc.cfg.Kind == "http" {
			err = downloads
		}
		if err == nil {
			files, err = src.List(ctx)
		}
		if err != nil {
			msg, _ := pii.MaskShapes(err.Error())
			log.Error("nguồn lỗi", "source", src.Name(), "err", msg)
			sum.SourceErrors = append(sum.SourceErrors, SourceError{Source: src.Name(), Err: err})
			statuses = append(statuses, warehouse.SourceStatus{Source: src.Name(), Error: msg})
			continue
		}
		if len(files) == 0 {
			listedNone = append(listedNone, src.Name())
			where := sc.where()
			log.Warn("nguồn không có tệp nào", "source", src.Name(), "path", where)
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("nguồn %s: không có tệp nào khớp %s (hãy kiểm tra đường dẫn, hoặc thư mục chia sẻ đã được gắn (mount) chưa)", src.Name(), where))
		}
		// Files are prepared and (streamed ones) decoded up to depth
		// ahead of the one being staged (filesAhead); what is recorded
		// about each file is still decided here, in order.
		depth := 0
		if datasetOf(sc).Streamed() {
			depth = filesAhead
		}
		var queue []*queued
		// Files still queued when the run stops are released: their
		// goroutines end, their fetched copies go.
		defer func() {
			for _, q := range queue {
				q.abandon()
			}
		}()
		next := 0
		for range files {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("run interrupted before commit, nothing written: %w", err)
			}
			for next < len(files) && len(queue) <= depth {
				queue = append(queue, enqueue(ctx, w, sc, files[next], opts.FullRefresh, retry, &seq, unitsSHA, mappingSHA, base))
				next++
			}
			q := queue[0]
			queue = queue[1:]
			ref := q.ref
			if ref.Skipped != "" {
				log.Warn("không đọc tệp", "source", ref.Source, "file", sources.Redact(ref.Path), "reason", ref.Skipped)
				continue
			}
			f, skip, err := q.f, q.skip, q.err
			var late *sources.DeadlineError
			if errors.As(err, &late) {
				// The source ran past its deadline: it fails as a whole.
				// The files it fetched before are staged and load; the
				// one cut off and the rest are not recorded, so the next
				// run fetches them again.
				for _, q := range queue {
					q.abandon()
				}
				queue = nil
				msg, _ := pii.MaskShapes(err.Error())
				log.Error("nguồn lỗi", "source", src.Name(), "err", msg)
				sum.SourceErrors = append(sum.SourceErrors, SourceError{Source: src.Name(), Err: err})
				status.OK, status.Error = false, msg
				break
			}
			if err != nil {
				return err
			}
			if skip != "" {
				sum.Unchanged++
				if skip == "failed" {
					sum.StillFailed++
					log.Warn("tệp đã lỗi ở lần chạy trước do nội dung và chưa thay đổi; hãy thay bằng tệp đã sửa để nạp", "source", ref.Source, "file", sources.Redact(ref.Path))
				}
				continue
			}
			status.NewFiles++
			// enqueue set the file's Seq, fingerprints and Dataset.
			sum.Files = append(sum.Files, f.res)
			if f.res.Status == "failed" {
				status.OK, status.Error = false, f.res.Error
				log.Error("tệp bị từ chối", "source", f.res.Source, "file", f.res.Path, "err", f.res.Error)
				continue
			}
			if f.res.Retry {
				log.Info("đọc lại tệp: các dòng bị cách ly có thể nạp được theo danh mục đơn vị hoặc khai báo cột đã thay đổi",
					"source", f.res.Source, "file", f.res.Path, "quarantined", f.res.PrevQuarantined)
			}
			var lerr error
			if ds := datasetOf(sc); ds.Streamed() {
				lerr = loadFile(ctx, stage, sc, q.dec, f, opts, len(sum.Files), sum, log)
			} else {
				var p *datasets.Parsed
				p, lerr = loadWhole(ctx, cfg, stage, sc, ds, reg, f, sum, log)
				if p != nil && p.Sheet != nil {
					sheets = append(sheets, stagedSheet{res: f.res, sheet: p.Sheet})
				}
			}
			f.cleanup()
			if lerr != nil {
				return lerr
			}
			if f.res.Retry && f.res.Status == "failed" {
				// Its loaded version stays as it was (ledger, dossiers,
				// quarantine); the next run tries again.
				log.Warn("đọc lại tệp bị lỗi; giữ nguyên bản đã nạp", "source", f.res.Source, "file", f.res.Path, "err", f.res.Error)
				sum.RetryFailed = append(sum.RetryFailed, f.res.Error)
				sum.Files = sum.Files[:len(sum.Files)-1]
				continue
			}
			if f.res.Status == "failed" {
				// The unit's data from this source may be incomplete.
				status.OK, status.Error = false, f.res.Error
			}
		}
		statuses = append(statuses, status)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("run interrupted before commit, nothing written: %w", err)
	}
	meth, err := model.LoadMethodology(cfg.Methodology)
	if err != nil {
		return err
	}
	parMeth, err := model.LoadPARMethodology(cfg.PAR.Methodology)
	if err != nil {
		return err
	}
	// Sheets vote for their group's common tree only when the PAR
	// methodology fixes none: a fixed tree is what each sheet is judged
	// against (50_par_criteria.sql), and a vote would reject a sheet that
	// matches it when a wrong one loaded first ties with it.
	if parMeth == nil || len(parMeth.Tree) == 0 {
		treeWarnings, err := checkTrees(ctx, w, stage, reg, sheets, log)
		if err != nil {
			return err
		}
		sum.Warnings = append(sum.Warnings, treeWarnings...)
	}
	loaded := 0
	for _, f := range sum.Files {
		if f.Status == "loaded" {
			loaded++
		}
	}
	stale, err := model.Stale(ctx, w.DB(), cfg.Periods, meth)
	if err != nil {
		return err
	}
	// A changed CCHC-index methodology rebuilds the model too.
	parStale, err := model.PARStale(ctx, w.DB(), cfg.Periods, parMeth)
	if err != nil {
		return err
	}
	stale = stale || parStale
	// So does other code than the one that built the model (an upgrade
	// that changes how statistics, scores or ranks are computed): every
	// period published before is rebuilt and published again.
	codeStale, err := model.CodeStale(ctx, w.DB())
	if err != nil {
		return err
	}
	if codeStale {
		log.Info("mã tính số liệu đã đổi từ lần tính trước (nâng cấp cchc): tính lại và xuất bản lại mọi kỳ")
	}
	stale = stale || codeStale
	// Time alone can change the model: a period turns final after
	// publish.grace, a unit's data or a source turns stale after freshness.
	// Those publications must be written again.
	asOf := model.AsOf{Now: sum.Run.StartedAt, Grace: cfg.Publish.Grace, Freshness: cfg.Freshness}
	outdatedPeriods, outdatedAll, err := model.OutdatedPeriods(ctx, w.DB(), asOf, cfg.Freshness)
	if err != nil {
		return err
	}
	outdated := outdatedAll || len(outdatedPeriods) > 0
	parOutdated, err := model.PAROutdated(ctx, w.DB(), cfg.Periods, asOf)
	if err != nil {
		return err
	}
	outdated = outdated || parOutdated
	warnMissing(sum, meth, log)
	// A failing source changes no dossier, but its failure should reach
	// the publications' "as of" run at once: rebuild. (Units turn stale by
	// their own data's dates, see model.Outdated.)
	failing := false
	for _, st := range statuses {
		failing = failing || !st.OK
	}
	// A changed unit registry changes who stands for which dossiers.
	regChanged, err := registryChanged(ctx, w.DB(), reg)
	if err != nil {
		return err
	}
	// A model that failed, or was killed, after an earlier run's data
	// committed is rebuilt whole: the changes it would have rebuilt from
	// are gone.
	pending, err := w.ModelPending(ctx)
	if err != nil {
		return err
	}
	var build func(context.Context, *sql.Conn) error
	var built model.Built
	if loaded > 0 || stale || failing || outdated || regChanged || pending {
		// Only the periods the run's changed dossiers reach are rebuilt
		// (model.BuildChanged), unless what every period depends on
		// changed: the methodology, the units, or all the dossiers.
		full := stale || regChanged || opts.FullRefresh || pending
		build = func(ctx context.Context, c *sql.Conn) error {
			sum.Modelled = true
			if opts.BeforeModel != nil {
				if err := opts.BeforeModel(); err != nil {
					return err
				}
			}
			var err error
			built, err = model.BuildChanged(ctx, c, cfg.Periods, meth, parMeth, asOf, full)
			return err
		}
	}
	if opts.FullRefresh && len(srcs) != len(cfg.Sources) {
		return fmt.Errorf("--full-refresh rebuilds the warehouse from every source; it cannot be combined with --source")
	}
	if err := fullRefreshComplete(ctx, w, opts.FullRefresh, sum, listedNone); err != nil {
		return err
	}
	t1 := time.Now()
	sum.Timing.Stage = t1.Sub(t0)
	if opts.Progress != nil {
		opts.Progress(Progress{Phase: "commit"})
	}
	in := warehouse.CommitInput{RunID: sum.Run.ID, LoadedAt: sum.Run.StartedAt, CommittedAt: warehouse.LocalNow(time.Now(), cfg.Location), Units: reg.Units, Files: sum.Files,
		Sources: statuses, Freshness: cfg.Freshness, FullRefresh: opts.FullRefresh, AfterFile: opts.AfterFile, Model: build, ModelCode: model.CodeStamp()}
	if err := stage.Commit(ctx, in); err != nil {
		sum.Modelled = false
		var me *warehouse.ModelError
		if !errors.As(err, &me) {
			return err
		}
		sum.ModelErr = me
		sum.Timing.Commit = time.Since(t1)
		log.Error("chưa tính lại được số liệu; dữ liệu đã ghi vào kho, lần chạy sau sẽ tính lại", "err", me.Err)
		return nil
	}
	// The data is in. From here an error before the publications are
	// written (a signal, a query that fails) leaves the run partial, not
	// failed, and what it would have written pending for the next run
	// (runs.unpublished), as a publication that fails does.
	t2 := time.Now()
	sum.Timing.Commit = t2.Sub(t1)
	defer func() { sum.Timing.Publish = time.Since(t2) }()
	pub := &publication{cfg: cfg, w: w, sum: sum, every: failing || outdatedAll, outdated: outdatedPeriods, built: built}
	if err := afterCommit(ctx, cfg, w, reg, opts, log, sum, parMeth, pub); err != nil {
		if opts.NoPublish {
			sum.PublishErr = err
			return nil
		}
		pub.failed(context.WithoutCancel(ctx), err, log)
	}
	return nil
}

// publication decides what a run that committed writes: the periods and
// publish.lake.
type publication struct {
	cfg *config.Config
	w   *warehouse.Warehouse
	sum *Summary
	// every is set when every period is written: a failing source, a
	// source or a unit's data turning stale; outdated are the periods time
	// alone changed (provisional, stale units).
	every    bool
	outdated []string
	built    model.Built
	// pendingPeriods and pendingLake are what the last run to publish
	// failed to write, known once read; pendingUnknown when they could
	// not be (every period and the lake stand for them).
	pendingPeriods []string
	pendingLake    bool
	pendingKnown   bool
	pendingUnknown bool
}

// readPending reads what the last run to publish failed to write.
func (p *publication) readPending(ctx context.Context) error {
	unwritten, err := p.w.PendingPublications(ctx)
	if err != nil {
		return err
	}
	for _, u := range unwritten {
		if u == warehouse.PendingLake {
			p.pendingLake = true
		} else {
			p.pendingPeriods = append(p.pendingPeriods, u)
		}
	}
	p.pendingKnown = true
	return nil
}

// anyPeriod reports whether the run writes periods (some may still be
// left out by periods).
func (p *publication) anyPeriod() bool {
	return p.sum.Modelled || p.sum.republish || len(p.pendingPeriods) > 0 || p.pendingUnknown
}

// periods are the periods the run writes. Only the periods whose model
// rows changed (model.Built.Changed), those time alone changed
// (provisional, stale units) and those the last run failed to publish are
// written again; the others' files stay as they are, byte for byte. A dead
// run's publications, a failing source, a source turning stale and a full
// build reach every period.
func (p *publication) periods(ctx context.Context) ([]string, error) {
	if !p.anyPeriod() {
		return nil, nil
	}
	ps, err := allPeriods(ctx, p.w.DB())
	if err != nil {
		return nil, err
	}
	if !(p.sum.republish || p.every || p.built.Full || p.pendingUnknown) {
		ps = publishSet(ps, p.built.Changed, p.outdated, p.pendingPeriods)
	}
	return ps, nil
}

// lake reports whether publish.lake is written: with the periods, or on
// its own when the last run failed to write it or it was configured since
// the last modelled run.
func (p *publication) lake() bool {
	return p.cfg.Publish.Lake != "" && (p.anyPeriod() || p.pendingLake || !publish.LakeWritten(p.cfg.Publish.Lake))
}

// failed records err, which stopped the run after its data committed and
// before it published anything, and leaves pending what the run would
// have written, with what was pending already: the next run writes it,
// even when it loads nothing. ctx must outlive a cancelled run.
func (p *publication) failed(ctx context.Context, err error, log *slog.Logger) {
	sum := p.sum
	sum.PublishErr = fmt.Errorf("chưa xuất bản gì: lần chạy dừng sau khi dữ liệu đã ghi vào kho; lần chạy sau sẽ tự ghi các bản công bố: %w", err)
	if !p.pendingKnown {
		if perr := p.readPending(ctx); perr != nil {
			// Whatever was pending is written again, with the rest,
			// rather than missed.
			p.pendingUnknown = true
			log.Error("không đọc được các bản công bố còn chờ từ lần chạy trước; ghi mọi kỳ là còn chờ", "err", perr)
		}
	}
	ps, perr := p.periods(ctx)
	if perr != nil {
		// The model's periods cannot be listed: those known are kept.
		log.Error("không liệt kê được các kỳ cần xuất bản; ghi các kỳ lần chạy đã tính lại và các kỳ còn chờ", "err", perr)
		ps = sortedUnion(p.built.Changed, p.outdated, p.pendingPeriods)
	}
	sum.Run.PublishTried = true
	sum.Run.Unpublished = append(sum.Run.Unpublished, ps...)
	sum.UnpublishedPeriods = ps
	if p.lake() {
		sum.Run.Unpublished = append(sum.Run.Unpublished, warehouse.PendingLake)
		sum.UnpublishedLake = []string{"?"}
	}
	log.Error("chưa xuất bản gì: lần chạy dừng sau khi dữ liệu đã ghi vào kho; lần chạy sau sẽ tự ghi các bản công bố",
		"periods", ps, "lake", len(sum.UnpublishedLake) > 0, "err", err)
}

// sortedUnion is the periods of the lists, each once, sorted.
func sortedUnion(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// afterCommit is what a run does once its data (and model) committed:
// report, then publish. An error it returns stopped it before publishing;
// one of publishing is in sum.PublishErr.
func afterCommit(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse, reg *units.Registry, opts Options, log *slog.Logger,
	sum *Summary, parMeth *model.PARMethodology, pub *publication) error {
	built := pub.built
	var err error
	if sum.StaleSources, err = w.StaleSources(ctx); err != nil {
		return err
	}
	if sum.FinalPeriods, sum.ProvisionalPeriods, err = periodStates(ctx, w.DB()); err != nil {
		return err
	}
	if sum.Redirected, err = redirects(ctx, w.DB(), sum.Run.ID, reg); err != nil {
		return err
	}
	warnOrphans(ctx, w.DB(), cfg, reg, sum, log)
	if sum.Modelled && parMeth != nil && len(parMeth.Tree) > 0 {
		if err := warnFixedTree(ctx, w.DB(), sum, log); err != nil {
			return err
		}
	}
	if sum.Modelled {
		sum.ModelFull, sum.ModelCounts, sum.RebuiltPeriods, sum.TouchedPeriods, sum.NewPeriods = built.Full, built.Counts, built.Periods, built.Touched, built.New
		sum.RelabelledCounts = built.Relabelled
		log.Info("đã tính lại số liệu", "periods", len(built.Periods), "with_changed_dossiers", built.Touched, "full", built.Full, "counts", built.Counts)
	}
	if opts.NoPublish {
		return nil
	}
	// What the last run to publish failed to write is written now, even
	// when this run loads nothing (runs.unpublished).
	if err := pub.readPending(ctx); err != nil {
		return err
	}
	if !pub.anyPeriod() {
		// A lake configured since the last modelled run is written now,
		// not at the next run that loads something.
		if pub.lake() {
			sum.Run.PublishTried = true
			writeLake(ctx, cfg, w, sum, opts, log)
		}
		return nil
	}
	ps, err := pub.periods(ctx)
	if err != nil {
		return err
	}
	sum.Run.PublishTried = true
	sum.RepublishedPeriods = ps
	files, failed, err := publish.Periods(ctx, w.DB(), ps, publish.Options{Dir: cfg.Publish.Dir, Formats: cfg.Publish.Formats, Freshness: cfg.Freshness,
		PARDecimals: parMeth.PublishedDecimals(cfg.PAR.Decimals)}, func(p string) {
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: "publish", File: p})
		}
	})
	sum.Published = append(sum.Published, files...)
	if err != nil {
		// A failed period's error names it already ("xuất bản kỳ P: …");
		// with none, the files are written and the publication's
		// clean-up failed.
		sum.PublishErr = err
		if len(failed) == 0 {
			sum.PublishErr = fmt.Errorf("publish: %w", err)
		}
		sum.Run.Unpublished = append(sum.Run.Unpublished, failed...)
		sum.UnpublishedPeriods = failed
		log.Error("xuất bản lỗi", "periods", failed, "err", err)
	}
	if sum.PublishErr == nil {
		log.Info("đã xuất bản", "periods", len(ps), "files", len(sum.Published), "dir", cfg.Publish.Dir)
	}
	// The lake is written from the committed warehouse, whatever became
	// of the period files: it is an independent publication.
	if cfg.Publish.Lake != "" {
		writeLake(ctx, cfg, w, sum, opts, log)
	}
	return nil
}

// writeLake brings publish.lake up to date; a failure is a publication
// failure (the data committed), and the lake is pending for the next run.
func writeLake(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse, sum *Summary, opts Options, log *slog.Logger) {
	if opts.Progress != nil {
		opts.Progress(Progress{Phase: "publish", File: "lake"})
	}
	res, err := publish.Lake(ctx, w.DB(), cfg.Publish.Lake)
	if err != nil {
		sum.PublishErr = errors.Join(sum.PublishErr, err)
		sum.Run.Unpublished = append(sum.Run.Unpublished, warehouse.PendingLake)
		sum.UnpublishedLake = []string{"?"}
		if res != nil && len(res.Failed) > 0 {
			sum.UnpublishedLake = res.Failed
		}
		log.Error("chưa ghi được lake", "dir", cfg.Publish.Lake, "tables", sum.UnpublishedLake, "err", err)
		return
	}
	sum.Lake = res
	log.Info("đã ghi lake", "dir", cfg.Publish.Lake, "tables", len(res.Tables), "partitions_written", len(res.Written), "partitions_removed", len(res.Removed))
}

// warnMissing adds a warning per source and canonical column that some of
// the run's files lack although an indicator of meth reads it: those
// dossiers are unknown for the indicator (not counted), not false.
func warnMissing(sum *Summary, meth *model.Methodology, log *slog.Logger) {
	type key struct{ source, column string }
	files := map[key][]string{}
	var order []key
	for _, f := range sum.Files {
		if f.Status != "loaded" {
			continue
		}
		for _, c := range f.Mapping.Missing {
			k := key{f.Source, c}
			if len(meth.IndicatorsReading(c)) == 0 {
				continue
			}
			if files[k] == nil {
				order = append(order, k)
			}
			files[k] = append(files[k], f.Path)
		}
	}
	for _, k := range order {
		msg := MissingColumnWarning(k.source, k.column, meth.IndicatorsReading(k.column), len(files[k]))
		sum.Warnings = append(sum.Warnings, msg)
		log.Warn("tệp xuất thiếu cột", "source", k.source, "column", k.column, "files", len(files[k]))
	}
}

// MissingColumnWarning is the warning about a canonical column that files
// of a source lack although indicators read it.
func MissingColumnWarning(source, column string, indicators []string, files int) string {
	return fmt.Sprintf("nguồn %s: %d tệp không có cột %s: các hồ sơ đó không có dữ liệu cho chỉ số %s, không bị tính là không đạt",
		source, files, column, strings.Join(indicators, ", "))
}

// periodStates splits the model's periods into final and provisional.
func periodStates(ctx context.Context, db *sql.DB) (final, provisional []string, err error) {
	rows, err := db.QueryContext(ctx, `SELECT period, coalesce(provisional, false) FROM periods ORDER BY CASE kind WHEN 'month' THEN 1 WHEN 'quarter' THEN 2 WHEN 'half' THEN 3 ELSE 4 END, period`)
	if err != nil {
		return nil, nil, fmt.Errorf("periods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var prov bool
		if err := rows.Scan(&p, &prov); err != nil {
			return nil, nil, fmt.Errorf("periods: %w", err)
		}
		if prov {
			provisional = append(provisional, p)
		} else {
			final = append(final, p)
		}
	}
	return final, provisional, rows.Err()
}

// publishSet keeps the periods of all that are in one of the lists, in
// order.
func publishSet(all []string, lists ...[]string) []string {
	want := map[string]bool{}
	for _, l := range lists {
		for _, p := range l {
			want[p] = true
		}
	}
	var out []string
	for _, p := range all {
		if want[p] {
			out = append(out, p)
		}
	}
	return out
}

// allPeriods lists the periods of the model, in order.
func allPeriods(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT period FROM periods UNION SELECT period FROM par_scores ORDER BY period`)
	if err != nil {
		return nil, fmt.Errorf("periods to publish: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// fetched is a file the run will load, made local, with its ledger row.
type fetched struct {
	res     *warehouse.FileResult
	path    string
	cleanup func()
	// size and mod are the local file's stat taken before it was hashed;
	// sum64 is the hash's sources.Digest.Sum64, which the decoded bytes
	// must match (the decoder takes no second SHA-256).
	size  int64
	mod   time.Time
	sum64 uint64
	// hashed is closed once res.SHA256 (or hashErr) is set, when the hash
	// is taken while the file is decoded rather than before (see prepare).
	hashed  chan struct{}
	hashErr error
}

// sha waits for the file's hash (see prepare).
func (f *fetched) sha() (string, error) {
	if f.hashed != nil {
		<-f.hashed
	}
	return f.res.SHA256, f.hashErr
}

// checkUnchanged makes sure the rows staged from a file come from the
// version the ledger will record: the bytes the decoder read must be the
// whole file with the hash taken before decoding (the same size and
// Sum64), and the file's size and modification time must not have moved
// since. A sync job rewriting an
// export in place while it is read fails here, for this run only.
func checkUnchanged(f *fetched, d sources.Digest) error {
	changed := func(why string) error {
		return fmt.Errorf("tệp %s: %w (%s); tệp không được nạp lần này, lần chạy sau sẽ đọc lại", f.res.Path, sources.ErrChanged, why)
	}
	if !d.Complete {
		return changed("bộ đọc chưa đọc hết tệp")
	}
	if d.Size != f.size || d.Sum64 != f.sum64 {
		return changed(fmt.Sprintf("đã đọc %d byte, khác với %d byte lúc bắt đầu", d.Size, f.size))
	}
	st, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("tệp %s: không xem lại được tệp sau khi đọc; lần chạy sau sẽ đọc lại (%w)", f.res.Path, err)
	}
	if st.Size() != f.size || !st.ModTime().Equal(f.mod) {
		return changed("kích thước hoặc thời điểm sửa đổi đã đổi")
	}
	return nil
}

// failureKind tells a failure that may pass by itself (the file could not
// be read, or changed while read) from one of the file's content.
func failureKind(err error) string {
	var pe *fs.PathError
	var errno syscall.Errno
	if errors.Is(err, sources.ErrChanged) || errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) ||
		errors.As(err, &pe) || errors.As(err, &errno) {
		return warehouse.ErrorTransient
	}
	return warehouse.ErrorContent
}

// prepare decides whether a listed file is new and makes it local. A file
// whose (size, mtime) the ledger knows is skipped without reading it; an
// HTTP export is asked for with the validators of the loaded version and
// skipped on 304; otherwise the content hash decides. skip is "loaded" or
// "failed" (the ledger's status) for a file not to process. A file that
// cannot be fetched comes back with status failed, unless its source ran
// past its deadline: that *sources.DeadlineError is returned, to fail the
// source.
//
// A file in retry (RetryCandidates, by ledger path) is read again although
// the ledger has it, and comes back with Retry set when its content is
// still the version the ledger holds.
//
// A streamed file that no loaded version matches in size comes back with
// its hash still being taken (fetched.sha), so that hashing overlaps
// decoding; its status is then loaded.
func prepare(ctx context.Context, w *warehouse.Warehouse, src sources.Source, ref sources.FileRef, full bool, retry map[string]warehouse.RetryFile, streamed bool) (*fetched, string, error) {
	// The path is stored and shown redacted: an export URL may carry a token.
	f := &fetched{res: &warehouse.FileResult{Source: ref.Source, Path: sources.Redact(ref.Path), Size: ref.Size, ModTime: ref.ModTime.UTC()}, cleanup: func() {}}
	cand, again := retry[f.res.Path]
	// Every failure here is of reaching or reading the file, not of its
	// content: it may pass by the next run, which retries it.
	failed := func(err error) (*fetched, string, error) {
		if late := (*sources.DeadlineError)(nil); errors.As(err, &late) {
			return nil, "", err // the source's, not the file's: the run's loop fails the source
		}
		f.res.Status, f.res.Error, f.res.SHA256 = "failed", fileMessage(ref.Source, f.res.Path, ref.Path, err.Error(), true), "unavailable"
		f.res.ErrorKind = warehouse.ErrorTransient
		if f.res.ModTime.IsZero() {
			f.res.ModTime = time.Unix(0, 0).UTC()
		}
		f.res.Size = max(f.res.Size, 0)
		return f, "", nil
	}
	if ref.Err != nil {
		return failed(ref.Err)
	}
	if cond, ok := src.(sources.Conditional); ok {
		var prev sources.Validators
		if !full && !again {
			etag, lm, err := w.LastValidators(ctx, ref.Source, f.res.Path)
			if err != nil {
				return nil, "", err
			}
			prev = sources.Validators{ETag: etag, LastModified: lm}
		}
		got, err := cond.FetchIfChanged(ctx, ref, prev)
		if errors.Is(err, sources.ErrNotModified) {
			return nil, "loaded", nil
		}
		if err != nil {
			return failed(err)
		}
		f.path, f.cleanup = got.Path, got.Cleanup
		f.res.Size, f.res.ModTime = got.Size, got.ModTime
		f.res.ETag, f.res.LastModified = got.Validators.ETag, got.Validators.LastModified
	} else {
		if !full {
			known, ok, err := w.LookupFile(ctx, ref.Source, f.res.Path, ref.Size, ref.ModTime.UTC())
			if err != nil {
				return nil, "", err
			}
			if ok && !(known.Status == "failed" && known.ErrorKind == warehouse.ErrorTransient) && !(again && known.SHA256 == cand.SHA256) {
				return nil, known.Status, nil
			}
		}
		path, cleanup, err := src.Fetch(ctx, ref)
		if err != nil {
			return failed(err)
		}
		f.path, f.cleanup = path, cleanup
	}
	// The stat before hashing is what the decoded bytes are checked
	// against afterwards (checkUnchanged); for a local file it is also
	// what the ledger records, the listing's stat being older.
	st, err := os.Stat(f.path)
	if err != nil {
		f.cleanup()
		return failed(err)
	}
	f.size, f.mod = st.Size(), st.ModTime()
	if _, isCond := src.(sources.Conditional); !isCond {
		f.res.Size, f.res.ModTime = st.Size(), st.ModTime().UTC()
	}
	// The path's current version in the ledger: what its content is
	// compared with (a path never read is compared with every version
	// ever loaded, below).
	var cur warehouse.KnownFile
	var known bool
	if !full {
		if cur, known, err = w.Current(ctx, ref.Source, f.res.Path); err != nil {
			f.cleanup()
			return nil, "", err
		}
	}
	// The current version failed for its content: these may be its bytes
	// still, which would fail again.
	failedContent := known && cur.Status == "failed" && cur.ErrorKind == warehouse.ErrorContent
	if streamed && !full && !again && !failedContent {
		// Content that is this path's current version, or for a path
		// never read content loaded under another (a copy, a renamed
		// export), is skipped by its hash; content of a size no loaded
		// version has can be neither. Then the hash is taken while the
		// file is decoded, on the other core, instead of before it.
		same, err := w.LoadedSize(ctx, ref.Source, st.Size())
		if err != nil {
			f.cleanup()
			return nil, "", err
		}
		if !same {
			f.hashed = make(chan struct{})
			go func() {
				defer close(f.hashed)
				f.res.SHA256, f.sum64, f.hashErr = sources.HashFileSums(f.path)
			}()
			cleanup := f.cleanup
			f.cleanup = func() { f.sha(); cleanup() }
			f.res.Status = "loaded"
			return f, "", nil
		}
	}
	sha, sum64, err := sources.HashFileSums(f.path)
	if err != nil {
		f.cleanup()
		return failed(err)
	}
	f.res.SHA256, f.sum64 = sha, sum64
	if again && sha == cand.SHA256 && !full {
		// A version that failed whole loaded nothing: it is loaded like a
		// new file, but ranks by the run that first read it.
		if !cand.Failed {
			f.res.Retry, f.res.FirstRunID, f.res.PrevQuarantined = true, cand.FirstRunID, cand.Quarantined
		} else {
			f.res.FailedBefore, f.res.FirstRunID = true, cand.FirstRunID
		}
	} else if !full {
		// A path the ledger knows is new when its content is not its own
		// current version (a reverted file is read again and wins); one
		// it has never read, when its content was never loaded under any
		// path (a copy, a moved or rotated export is not new).
		loaded := known && cur.Status == "loaded" && cur.SHA256 == sha
		if !known {
			if loaded, err = w.LoadedHash(ctx, ref.Source, sha); err != nil {
				f.cleanup()
				return nil, "", err
			}
		}
		if loaded {
			f.cleanup()
			return nil, "loaded", nil
		}
		if failedContent && cur.SHA256 == sha {
			// The same bytes would fail again: the file waits for a new
			// version (an HTTP export, which has no size-and-time
			// shortcut, was downloaded and failed again every run).
			f.cleanup()
			return nil, "failed", nil
		}
	}
	f.res.Status = "loaded"
	return f, "", nil
}

// loadFile stages one file. A file that cannot be read is marked failed
// and the run goes on; an error is returned only when the run cannot go on
// (the disk is full: the file is not at fault and must not be marked
// failed, or it would not be retried until it changes).
func loadFile(ctx context.Context, stage *warehouse.Stage, sc sourceConf, d *decoding, f *fetched, opts Options, idx int, sum *Summary, log *slog.Logger) error {
	res := f.res
	fail := func(err error) {
		if _, herr := f.sha(); herr != nil {
			err = herr // the file could not be read whole
			res.SHA256 = "unavailable"
		}
		failFile(res, f.path, err, log)
	}
	<-d.done // the decoding started in enqueue, maybe while earlier files were staged
	raw, sr := d.raw, d.sr
	if raw != nil {
		res.Format, res.Encoding = d.format, d.encoding
	}
	if d.err != nil {
		fail(d.err)
		return nil
	}
	if opts.Progress != nil {
		p := Progress{Source: res.Source, File: res.Path, FileIndex: idx, Files: idx}
		sr.onBatch = func(n int64) {
			p.Rows += n
			opts.Progress(p)
		}
	}
	lerr := stage.LoadDataset(ctx, datasetOf(sc), sr)
	sr.finish()
	mapping := sr.mapping
	if sr.err != nil {
		lerr = sr.err
	}
	sr.Release()
	if _, herr := f.sha(); herr != nil && lerr == nil {
		lerr = herr
	}
	if errors.Is(lerr, warehouse.ErrRunAborted) && ctx.Err() != nil {
		// A direct load's insert was interrupted (signal).
		return fmt.Errorf("run interrupted before commit, nothing written: %w", ctx.Err())
	}
	if errors.Is(lerr, warehouse.ErrDiskFull) || errors.Is(lerr, warehouse.ErrRunAborted) {
		return fmt.Errorf("staging %s: %w", res.Path, lerr)
	}
	if lerr != nil {
		fail(lerr)
		return nil
	}
	if err := checkUnchanged(f, raw.Digest()); err != nil {
		if derr := stage.DiscardDataset(ctx, datasetOf(sc), res.Seq); derr != nil {
			err = errors.Join(err, derr)
		}
		fail(err)
		return nil
	}
	res.RowsRead = sr.rowsRead
	res.ValuesMasked = sr.masked
	res.Mapping = mapping
	res.Encoding = raw.Encoding() // XLSX, JSON: legacy text found in the whole file
	// Duplicates within the file are not counted here: they are not bad
	// values, and the commit finds them.
	if rate := sc.cfg.MaxRejectRate; sr.rowsRead > 0 && float64(sr.rejected) > rate*float64(sr.rowsRead) {
		if err := stage.DiscardDataset(ctx, datasetOf(sc), res.Seq); err != nil {
			fail(err)
			return nil
		}
		fail(fmt.Errorf("tệp %s: %d trên %d dòng (%s) có lỗi, quá tỉ lệ cho phép max_reject_rate %s của nguồn: không nạp dòng nào của tệp này; "+
			"sửa tệp xuất (xem các dòng lỗi đầu tiên trong tóm tắt lần chạy) rồi nộp lại (rows are bad, above the source's max_reject_rate)",
			res.Path, sr.rejected, sr.rowsRead, percent(float64(sr.rejected)/float64(sr.rowsRead)), percent(rate)))
		for _, e := range sr.samples {
			sum.Rejections = append(sum.Rejections, Rejection{Source: res.Source, File: res.Path, RowError: e})
		}
		return nil
	}
	if len(mapping.Dropped) > 0 {
		log.Info("đã bỏ cột dữ liệu cá nhân", "source", res.Source, "file", res.Path, "columns", strings.Join(mapping.Dropped, ", "))
	}
	if len(mapping.Unmapped) > 0 {
		log.Info("cột không nhận diện được, không nạp", "source", res.Source, "file", res.Path, "columns", sources.QuoteNames(mapping.Unmapped))
	}
	for _, e := range sr.samples {
		sum.Rejections = append(sum.Rejections, Rejection{Source: res.Source, File: res.Path, RowError: e})
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Source: res.Source, File: res.Path, FileIndex: idx, Files: idx, Rows: sr.rowsRead, Done: true})
	}
	if sr.masked > 0 {
		log.Warn("đã che dữ liệu cá nhân trong các cột nhận diện được", "source", res.Source, "file", res.Path, "values", sr.masked)
	}
	log.Info("đã đọc tệp", "source", res.Source, "file", res.Path, "rows", sr.rowsRead, "rejected", sr.rejected, "masked", sr.masked)
	return nil
}

// openMapped opens a file with the source's decoder, reads its first batch
// (the header is known only then: JSON keys) and plans the header's
// mapping. On success the caller owns raw, first (nil for a file with no
// rows) and m; on error everything is released, but raw is still returned,
// closed, when the decoder opened, so its format and encoding can be
// reported.
func openMapped(path string, sc sourceConf, mo transforms.MapOptions, batchRows int) (sources.RawReader, arrow.Record, *transforms.Mapper, error) {
	mo.Columns = sc.cfg.Columns
	// The run hashed the file itself (prepare) and checks the decoded bytes
	// by their Sum64 (checkUnchanged): a caller that checks the digest
	// must have taken HashFileSums first (cchc validate does not check it).
	opts := sources.DecodeOptions{Format: sc.cfg.Format, Sheet: sc.cfg.Sheet, Encoding: sc.cfg.Encoding, HeaderScore: sc.cfg.Columns.HeaderScore, PersonalHeader: sc.cfg.Columns.IsPersonal, BatchRows: batchRows, Limits: sc.lim, Hashed: true}
	if mo.Units != nil {
		opts.IsUnit = func(s string) bool { _, ok := mo.Units.Resolve(s); return ok }
	}
	raw, err := sources.Open(path, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	first, err := raw.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		raw.Close()
		return raw, nil, nil, err
	}
	if d, ok := raw.(sources.DateSystem); ok {
		mo.Date1904 = d.Date1904()
	}
	m, err := transforms.NewMapper(raw.Header(), mo)
	if err != nil {
		if first != nil {
			first.Release()
		}
		raw.Close()
		// A headerless export's "header" is its first data row: show only
		// a few capped names, enough to recognise the columns.
		return raw, nil, nil, fmt.Errorf("%w; các cột tìm thấy (headers found): %s", err, sources.QuoteNames(raw.Header()))
	}
	return raw, first, m, nil
}

// percent renders a share as a clerk reads it: 45,5%.
func percent(r float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(r*1000)/10, 'f', -1, 64), ".", ",", 1) + "%"
}

// unitRules names how names are resolved to units; raised when that
// changes, so that rows quarantined under the old rules are tried again
// once. 2: a name several units bore over time resolves by the day of
// receipt (units.ResolveDated).
const unitRules = 2

// UnitsFingerprint identifies the content of the unit registry, and the
// rules names resolve by (unitRules): when either changes, rows
// quarantined for an unknown unit may load.
func UnitsFingerprint(reg *units.Registry) string {
	h := sha256.New()
	fmt.Fprintf(h, "rules %d\n", unitRules)
	writeUnits(h, reg)
	return hex.EncodeToString(h.Sum(nil))
}

// writeUnits writes every field of every unit of reg, a line each: the
// fingerprint of the registry's content alone (as it was before the rules
// were part of it).
func writeUnits(h io.Writer, reg *units.Registry) {
	for _, u := range reg.Units {
		day := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.Format("2006-01-02")
		}
		fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n", u.Code, u.Name, u.Level, u.ParentCode,
			day(u.ValidFrom), day(u.ValidTo), u.SuccessorCode, strings.Join(u.Aliases, "|"))
	}
}

// fullRefreshComplete refuses to commit a full refresh that could not read
// everything it held: the refresh empties the dossiers, the quarantine and
// the ledger and loads every file again, so a source that failed (a server
// down, its deadline passed, a share not mounted), a source listing no
// file (a mount point left empty) or a file unreadable for a passing
// reason would leave their data out of the warehouse, the model and the
// publications until a later run fetched them. The run fails with nothing
// written instead. Only what held loaded data counts: a source that never
// loaded a file, or a link that never loaded (dead in the server's index),
// loses nothing and must not block every refresh. A file refused for its
// content is not a reason either: the refresh reads every file under the
// current rules, and that one fails under them.
func fullRefreshComplete(ctx context.Context, w *warehouse.Warehouse, full bool, sum *Summary, listedNone []string) error {
	if !full {
		return nil
	}
	var what []string
	// held reports whether the ledger has a loaded version of the source's
	// files (of path, when given), and if so adds why to what.
	held := func(source, path, why string) error {
		q, args := `SELECT count(*) FROM source_files WHERE source = ? AND status = 'loaded'`, []any{source}
		if path != "" {
			q, args = q+` AND path = ?`, append(args, path)
		}
		var n int
		if err := w.DB().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			what = append(what, why)
		}
		return nil
	}
	for _, e := range sum.SourceErrors {
		msg, _ := pii.MaskShapes(e.Err.Error())
		if err := held(e.Source, "", fmt.Sprintf("nguồn %s (%s)", e.Source, msg)); err != nil {
			return err
		}
	}
	for _, name := range listedNone {
		if err := held(name, "", fmt.Sprintf("nguồn %s (không có tệp nào, dù đã từng nạp tệp của nguồn này: thư mục chia sẻ chưa được gắn (mount)?)", name)); err != nil {
			return err
		}
	}
	for _, f := range sum.Files {
		if f.Status != "failed" || f.ErrorKind != warehouse.ErrorTransient {
			continue
		}
		// f.Path and f.Error are stored redacted (prepare).
		msg, _ := pii.MaskShapes(f.Error)
		if err := held(f.Source, f.Path, fmt.Sprintf("tệp %s (%s)", f.Path, msg)); err != nil {
			return err
		}
	}
	if len(what) == 0 {
		return nil
	}
	return fmt.Errorf("--full-refresh dừng, không ghi gì, kho giữ nguyên như trước: làm mới toàn bộ xóa rồi nạp lại mọi tệp, nên cần đọc được mọi tệp đã nạp, mà không đọc được %s; hãy chạy lại khi các nguồn đọc được", strings.Join(what, "; "))
}

// warnFixedTree warns about the scoring sheets this run loaded that the
// model found differing from the PAR methodology's fixed tree: such a
// sheet loads (no vote between sheets rejects it) and leaves its unit
// incomplete, which the clerk must hear about from the run, not only from
// par_scores.note. The note's wording is 50_par_criteria.sql's.
func warnFixedTree(ctx context.Context, db *sql.DB, sum *Summary, log *slog.Logger) error {
	rows, err := db.QueryContext(ctx, `SELECT s.source_file, s.unit_code, s.period, sc.note
		FROM par_sheets s JOIN par_scores sc USING (period, unit_code)
		WHERE s.run_id = ? AND sc.note LIKE '%bảng điểm khác cây tiêu chí cố định%'
		ORDER BY s.source_file, s.unit_code, s.period`, sum.Run.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var file, unit, period, note string
		if err := rows.Scan(&file, &unit, &period, &note); err != nil {
			return err
		}
		// source_file is stored redacted, as every ledger path.
		msg := fmt.Sprintf("bảng điểm %s của %s kỳ %s đã nạp nhưng đơn vị chưa đủ dữ liệu: %s", file, unit, period, note)
		log.Warn("bảng điểm khác cây tiêu chí cố định", "file", file, "unit", unit, "period", period)
		sum.Warnings = append(sum.Warnings, msg)
	}
	return rows.Err()
}
