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
			log.Warn("bỏ qua lần chạy theo lịch: lần chạy trước vẫn chưa xong", "next_run", next())
			if skipped != nil {
				skipped(time.Now(), "the previous scheduled run was still in progress")
			}
			return
		}
		wg.Add(1)
		defer func() {
			if p := recover(); p != nil {
				log.Error("lần chạy gặp lỗi nghiêm trọng (panic); lịch chạy vẫn tiếp tục", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			running.Store(false)
			wg.Done()
			log.Info("lần chạy tiếp theo", "at", next())
		}()
		if err := job(ctx); errors.Is(err, ErrSkipped) {
			reason, _ := pii.MaskShapes(sources.RedactText(err.Error()))
			log.Warn("bỏ qua lần chạy theo lịch; lần chạy sau sẽ ghi vào runs", "reason", reason)
		} else if err != nil {
			msg, _ := pii.MaskShapes(sources.RedactText(err.Error()))
			log.Error("lần chạy theo lịch thất bại", "err", msg)
		}
	}))
	c.Start()
	log.Info("bắt đầu chạy theo lịch", "schedule", spec, "timezone", loc.String(), "next_run", next())
	<-ctx.Done()
	log.Info("đang dừng: không bắt đầu lần chạy mới; đợi lần chạy hiện tại xong hoặc hoàn tác")
	<-c.Stop().Done()
	wg.Wait()
	log.Info("đã dừng chạy theo lịch")
	return nil
}
