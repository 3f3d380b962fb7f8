package pipeline

import (
	"context"
	"fmt"
	"os"
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
	w, err := warehouse.Open(ctx, cfg.Warehouse, warehouse.Options{MemoryLimit: cfg.MemoryLimit})
	if err != nil {
		return nil, err
	}
	sum, err := Run(ctx, cfg, w, reg, opts)
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
