package warehouse

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/sources"
)

// Skipped is a scheduled tick that did not run: it could not take the
// writer lock, or open the warehouse, within lock_timeout, or the
// scheduler's previous run was still going.
type Skipped struct {
	At       time.Time `json:"at"`         // the tick, naive local time
	GaveUpAt time.Time `json:"gave_up_at"` // naive local time
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	Reason   string    `json:"reason"`
}

// SkippedPath is the journal of skipped ticks beside the warehouse. The
// skipping process cannot write the warehouse (the lock holder has it
// open), so it appends a line here and the next run records it in runs.
func SkippedPath(warehouse string) string { return warehouse + ".skipped" }

// RecordSkipped appends s to the warehouse's journal of skipped ticks.
// Appends of one short line are atomic, so two skipping processes do not
// mix their lines.
func RecordSkipped(warehouse string, s Skipped) error {
	s.Reason = skippedReason(s.Reason)
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	path := SkippedPath(warehouse)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("không ghi được lần chạy bị bỏ qua vào %s (record skipped run: %w)", path, CheckDiskFull(err, path))
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("không ghi được lần chạy bị bỏ qua vào %s (record skipped run: %w)", path, CheckDiskFull(err, path))
	}
	return nil
}

// ImportSkipped records the journal's skipped ticks in runs (status
// skipped, trigger schedule) and removes the journal. The caller holds the
// writer lock. It is idempotent: a tick already in runs (same time, host
// and process) is not added twice, so a crash between the inserts and the
// removal does no harm. A torn last line (a process killed mid-append) is
// dropped.
func (w *Warehouse) ImportSkipped(ctx context.Context) (int, error) {
	path := SkippedPath(w.path)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("skipped runs: %w", err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var s Skipped
		if json.Unmarshal(sc.Bytes(), &s) != nil || s.At.IsZero() {
			continue
		}
		s.Reason = skippedReason(s.Reason) // a journal written by an earlier version
		res, err := w.db.ExecContext(ctx, `INSERT INTO runs (run_id, started_at, finished_at, status, trigger, message, host, pid)
			SELECT (SELECT coalesce(max(run_id), 0) + 1 FROM runs), ?, ?, 'skipped', 'schedule', ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM runs WHERE status = 'skipped' AND started_at = ? AND host IS NOT DISTINCT FROM ? AND pid IS NOT DISTINCT FROM ?)`,
			s.At, s.GaveUpAt, s.Reason, s.Host, s.PID, s.At, s.Host, s.PID)
		if err != nil {
			return n, fmt.Errorf("skipped runs: %w", CheckDiskFull(err, w.path))
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	if err := os.Remove(path); err != nil {
		return n, fmt.Errorf("skipped runs: %w", err)
	}
	return n, nil
}

// skippedReason makes a skipped tick's reason fit to store: it is often a
// config error, which may quote a URL (with a token) or a value with
// personal data.
func skippedReason(r string) string {
	r, _ = pii.MaskShapes(sources.RedactText(r))
	return r
}
