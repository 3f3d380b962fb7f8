package pipeline

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// Batch is one whole run as the CLI and the scheduler perform it: take the
// writer lock (waiting up to cfg.LockTimeout), open the warehouse, Run,
// close it (checkpoint) and, when the run committed, refresh the analysts'
// snapshot; then release the lock. The lock file names this process while
// it runs so a second writer can say whom it waits for.
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
		return nil, err
	}
	defer lock.Release()
	if lock.TookOver != nil {
		log.Warn("took over the writer lock of a process that died without releasing it; its run will be marked failed",
			"pid", lock.TookOver.PID, "host", lock.TookOver.Host, "started_at", lock.TookOver.StartedAt)
	}
	w, err := openWaiting(ctx, cfg, me.StartedAt)
	if err != nil {
		return nil, err
	}
	sum, err := runRecovering(ctx, cfg, w, reg, opts)
	if cerr := w.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close warehouse: %w", cerr)
	}
	if err != nil || sum.Run.Status == "failed" {
		return sum, err
	}
	snap, serr := warehouse.WriteSnapshot(cfg.Warehouse)
	if serr != nil {
		// The run committed; only the analysts' copy is stale. Say so and
		// exit partial rather than failing a run whose data is in.
		log.Error("analysts' snapshot not refreshed", "err", serr)
		sum.SnapshotErr = serr
		return sum, nil
	}
	sum.Snapshot = snap
	log.Info("snapshot refreshed", "path", snap)
	return sum, nil
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
		if !strings.Contains(err.Error(), "Could not set lock") {
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
