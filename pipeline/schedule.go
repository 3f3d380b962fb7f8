package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/sources"
)

// Parser is the cron syntax of the schedule key: five fields plus the
// descriptors (@daily, @every 1h, ...).
var Parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Job is one scheduled batch; ctx is cancelled when the scheduler stops.
// A job that did not run returns an error wrapping ErrSkipped.
type Job func(ctx context.Context) error

// SkipFunc is told of a tick skipped because the previous run was still in
// progress (at is the tick), so it can be recorded; may be nil.
type SkipFunc func(at time.Time, reason string)

// Schedule runs job on spec in loc until ctx is cancelled. Runs never
// overlap: a tick that finds a run in progress is skipped, logged and
// passed to skipped. A
// panic in a run is logged with its stack and the scheduler goes on. When
// ctx is cancelled no new run starts and Schedule returns once the run in
// progress has returned (it sees its context cancelled and rolls back).
func Schedule(ctx context.Context, spec string, loc *time.Location, log *slog.Logger, job Job, skipped SkipFunc) error {
	sched, err := Parser.Parse(spec)
	if err != nil {
		return fmt.Errorf("schedule %q: %w", spec, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var (
		running atomic.Bool
		wg      sync.WaitGroup
	)
	c := cron.New(cron.WithLocation(loc), cron.WithParser(Parser))
	var id cron.EntryID
	next := func() time.Time { return c.Entry(id).Next }
	id = c.Schedule(sched, cron.FuncJob(func() {
		if ctx.Err() != nil {
			return
		}
		if !running.CompareAndSwap(false, true) {
			log.Warn("scheduled run skipped: the previous run is still in progress", "next_run", next())
			if skipped != nil {
				skipped(time.Now(), "the previous scheduled run was still in progress")
			}
			return
		}
		wg.Add(1)
		defer func() {
			if p := recover(); p != nil {
				log.Error("run panicked; the scheduler goes on", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			running.Store(false)
			wg.Done()
			log.Info("next run", "at", next())
		}()
		if err := job(ctx); errors.Is(err, ErrSkipped) {
			reason, _ := pii.MaskShapes(sources.RedactText(err.Error()))
			log.Warn("scheduled run skipped; recorded in runs by the next run", "reason", reason)
		} else if err != nil {
			msg, _ := pii.MaskShapes(sources.RedactText(err.Error()))
			log.Error("scheduled run failed", "err", msg)
		}
	}))
	c.Start()
	log.Info("scheduler started", "schedule", spec, "timezone", loc.String(), "next_run", next())
	<-ctx.Done()
	log.Info("stopping: no new runs; waiting for the run in progress to finish or roll back")
	<-c.Stop().Done()
	wg.Wait()
	log.Info("scheduler stopped")
	return nil
}
