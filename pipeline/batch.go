package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// ErrSkipped is returned (wrapped, with the reason) by a scheduled Batch
// that could not take the writer lock or open the warehouse within
// lock_timeout. The tick is journalled and the next run records it in runs
// as skipped.
var ErrSkipped = errors.New("scheduled run skipped")

// Batch is one whole run as the CLI and the scheduler perform it: take the
// writer lock (waiting up to cfg.LockTimeout), remove what dead runs left
// behind, open the warehouse, Run, close it (checkpoint) and, when the run
// committed, refresh the analysts' snapshot; then release the lock. The
// lock file names this process while it runs so a second writer can say
// whom it waits for.
//
// Every outcome other than success ends up in runs: a failed run is
// failed with its error (recorded again on a fresh handle if the first
// write failed), a run whose snapshot could not be refreshed is partial,
// and a scheduled run that could not start is journalled as skipped.
func Batch(ctx context.Context, cfg *config.Config, reg *units.Registry, opts Options) (*Summary, error) {
	log := opts.logger()
	host, _ := os.Hostname()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	me := warehouse.Holder{PID: os.Getpid(), Host: host, StartedAt: now(), Command: "cchc " + strings.TrimSpace("run "+opts.Trigger)}
	lock, err := warehouse.AcquireLock(ctx, cfg.Warehouse, cfg.LockTimeout, me)
	if err != nil {
		return nil, skip(cfg, opts, me, now, err, log)
	}
	defer lock.Release()
	if lock.TookOver != nil {
		log.Warn("đã nhận quyền ghi của một tiến trình đã chết mà chưa trả quyền; lần chạy của nó sẽ được ghi là thất bại",
			"pid", lock.TookOver.PID, "host", lock.TookOver.Host, "started_at", lock.TookOver.StartedAt)
	}
	// Leftovers first: they include the copy an interrupted adoption
	// left, as large as the warehouse, which the adoption below needs
	// room for.
	RemoveLeftovers(cfg, log)
	// Before anything is written: a warehouse or WAL that a root run
	// left is made this user's, or the run stops saying how to fix it.
	if err := warehouse.Adopt(cfg.Warehouse); err != nil {
		return nil, skip(cfg, opts, me, now, err, log)
	}
	// The previous snapshot is copied beside the run: the new one then
	// rewrites only what the run changed.
	draft := warehouse.DraftSnapshot(cfg.Warehouse)
	defer draft.Drop()
	w, err := openWaiting(ctx, cfg, me.StartedAt)
	if err != nil {
		return nil, skip(cfg, opts, me, now, err, log)
	}
	if files, size, err := w.RemoveSpillLeftovers(); err != nil {
		log.Error("không xóa được tệp tạm còn sót lại", "what", "DuckDB spill", "err", err)
	} else if len(files) > 0 {
		log.Warn("đã xóa tệp tạm do một tiến trình đã chết để lại", "what", "DuckDB spill", "files", len(files), "bytes", size)
	}
	if n, err := w.ImportSkipped(ctx); err != nil {
		log.Error("chưa ghi được vào runs các lần chạy theo lịch bị bỏ qua", "err", err)
	} else if n > 0 {
		log.Warn("đã ghi vào runs các lần chạy theo lịch bị bỏ qua khi kho dữ liệu bận", "runs", n)
	}
	sum, err := runRecovering(ctx, cfg, w, reg, opts)
	// A failed close is a failed checkpoint: the run's data is safe in the
	// WAL, only the snapshot cannot be taken (it says why below).
	cerr := w.Close()
	if cerr != nil {
		log.Error("chưa checkpoint được kho dữ liệu; các thay đổi vẫn an toàn trong tệp WAL", "err", cerr)
	}
	if sum != nil && sum.Run.ID != 0 && !sum.recorded {
		// The run's last write failed. On a full disk DuckDB refuses every
		// further write on a handle whose commit failed; a fresh handle
		// may still write the few bytes of the outcome.
		recordAgain(cfg, sum, log)
		if sum.recorded && sum.Run.Status != warehouse.RunFailed {
			err = nil // the failed write of the outcome was the only error
		}
	}
	if err != nil || sum.Run.Status == warehouse.RunFailed {
		return sum, err
	}
	if sum.ModelErr != nil {
		// The snapshot would pair the new data with the old model: the
		// analysts keep the previous run's until the model is rebuilt.
		log.Warn("chưa làm mới bản chụp cho người phân tích: số liệu chưa được tính lại")
		return sum, nil
	}
	snap, serr := draft.Write(cfg.Warehouse)
	if serr != nil && cerr != nil {
		serr = fmt.Errorf("%w: %w", cerr, serr)
	}
	if serr != nil {
		// The run committed; only the analysts' copy is stale. The run is
		// partial, and says why, rather than failed: its data is in.
		log.Error("chưa làm mới được bản chụp cho người phân tích", "err", serr)
		sum.SnapshotErr = serr
		r := &sum.Run
		r.Status = warehouse.RunPartial
		r.Message = strings.TrimPrefix(r.Message+"; analysts' snapshot not refreshed (they still see the previous run): "+serr.Error(), "; ")
		recordAgain(cfg, sum, log)
		return sum, nil
	}
	sum.Snapshot = snap
	log.Info("đã làm mới bản chụp cho người phân tích", "path", snap)
	return sum, nil
}

// recordAgain writes sum.Run's outcome through a fresh handle on the
// warehouse (the caller holds the writer lock and has closed its own). If
// that fails too the run stays running, and the next run closes it as
// abandoned.
func recordAgain(cfg *config.Config, sum *Summary, log *slog.Logger) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, cfg.Warehouse, warehouse.Options{MemoryLimit: cfg.MemoryLimit})
	if err == nil {
		err = w.FinishRun(ctx, &sum.Run)
		// A failed checkpoint leaves the outcome in the WAL: recorded.
		if cerr := w.Close(); cerr != nil {
			log.Error("chưa checkpoint được kho dữ liệu; các thay đổi vẫn an toàn trong tệp WAL", "err", cerr)
		}
	}
	if err != nil {
		log.Error("không ghi được kết quả lần chạy vào runs; lần chạy sau sẽ ghi nó là thất bại", "run_id", sum.Run.ID,
			"status", sum.Run.Status, "err", err)
		return
	}
	sum.recorded = true
}

// skip turns a scheduled batch that could not take the lock or open the
// warehouse into ErrSkipped and journals it; other errors pass unchanged.
func skip(cfg *config.Config, opts Options, me warehouse.Holder, now func() time.Time, err error, log *slog.Logger) error {
	if opts.Trigger != "schedule" || !(errors.Is(err, warehouse.ErrLocked) || errors.Is(err, warehouse.ErrBusy)) {
		return err
	}
	s := warehouse.Skipped{At: warehouse.LocalNow(me.StartedAt, cfg.Location), GaveUpAt: warehouse.LocalNow(now(), cfg.Location),
		Host: me.Host, PID: me.PID, Reason: err.Error()}
	if jerr := warehouse.RecordSkipped(cfg.Warehouse, s); jerr != nil {
		log.Error("không ghi được nhật ký lần chạy bị bỏ qua", "err", jerr)
	}
	return fmt.Errorf("%w: %w", ErrSkipped, err)
}

// RemoveLeftovers removes the temporary files of dead processes: the
// snapshot copy of a run killed while copying, half-written publications,
// the downloads of a run killed while reading an HTTP export.
// The caller holds the writer lock, so no live process is writing them.
// Failures are logged, not fatal: leftovers waste space but harm no data.
func RemoveLeftovers(cfg *config.Config, log *slog.Logger) {
	report := func(what string, files []string, size int64, err error) {
		if err != nil {
			log.Error("không xóa được tệp tạm còn sót lại", "what", what, "err", err)
		}
		if len(files) > 0 {
			log.Warn("đã xóa tệp tạm do một tiến trình đã chết để lại", "what", what, "files", len(files), "bytes", size)
		}
	}
	files, size, err := warehouse.RemoveSnapshotTemps(cfg.Warehouse)
	report("snapshot copy", files, size, err)
	files, size, err = warehouse.RemoveDownloads(cfg.Warehouse)
	report("downloads", files, size, err)
	files, size, err = warehouse.RemoveAdoptTemps(cfg.Warehouse)
	report("adoption copy", files, size, err)
	if cfg.Publish.Dir != "" {
		files, size, err = publish.RemoveTemps(cfg.Publish.Dir)
		report("publications", files, size, err)
	}
}

// runRecovering is Run with a panic turned into an error, so the warehouse
// handle is always closed (a leaked handle would make the next scheduled
// run open the file a second time in this process, which DuckDB punishes by
// losing writes) and the open transaction rolls back.
func runRecovering(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse, reg *units.Registry, opts Options) (sum *Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("run panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return Run(ctx, cfg, w, reg, opts)
}

// openWaiting opens the warehouse for writing. Another program reading the
// file itself (the DuckDB CLI, DBeaver, cchc query --live) keeps DuckDB from
// opening it; wait for it like for the writer lock, up to lock_timeout
// counted from the start of the batch, then say what to do.
func openWaiting(ctx context.Context, cfg *config.Config, start time.Time) (*warehouse.Warehouse, error) {
	deadline := start.Add(cfg.LockTimeout)
	for {
		w, err := warehouse.Open(ctx, cfg.Warehouse, warehouse.Options{MemoryLimit: cfg.MemoryLimit})
		if err == nil {
			return w, nil
		}
		if !errors.Is(err, warehouse.ErrBusy) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w\nanother program has the warehouse file open (a reader such as the DuckDB CLI, DBeaver or cchc query --live); "+
				"readers should open the snapshot %s instead; waited %s (lock_timeout)", err, warehouse.SnapshotPath(cfg.Warehouse), cfg.LockTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
