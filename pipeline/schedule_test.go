package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A real cron scheduler on a one-second schedule: a slow run makes the next
// ticks skip, a panicking run does not kill the scheduler, and cancelling
// waits for the run in progress.
func TestScheduleNeverOverlapsAndSurvivesPanics(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds of real time")
	}
	var buf syncBuf
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var calls, concurrent, maxConcurrent, skips atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	finished := make(chan struct{})
	var cancelledSeen atomic.Bool
	job := func(ctx context.Context) error {
		n := calls.Add(1)
		c := concurrent.Add(1)
		defer concurrent.Add(-1)
		for {
			m := maxConcurrent.Load()
			if c <= m || maxConcurrent.CompareAndSwap(m, c) {
				break
			}
		}
		switch n {
		case 1:
			time.Sleep(2500 * time.Millisecond) // spans two ticks
		case 2:
			panic("boom")
		case 4:
			// Cancel while this run is in progress: Schedule must wait.
			cancel()
			<-ctx.Done()
			time.Sleep(200 * time.Millisecond)
			cancelledSeen.Store(true)
		}
		return nil
	}
	go func() {
		Schedule(ctx, "@every 1s", time.UTC, log, job, func(time.Time, string) { skips.Add(1) })
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		t.Fatal("scheduler did not stop")
	}
	out := buf.String()
	if maxConcurrent.Load() != 1 {
		t.Errorf("runs overlapped: %d at once", maxConcurrent.Load())
	}
	for _, want := range []string{"bắt đầu chạy theo lịch", "next_run=", "bỏ qua lần chạy theo lịch", "lần chạy gặp lỗi nghiêm trọng (panic)", "đã dừng chạy theo lịch"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if skips.Load() == 0 {
		t.Error("the skipped ticks were not reported for the run history")
	}
	if !cancelledSeen.Load() {
		t.Error("Schedule returned before the run in progress finished")
	}
}

func TestScheduleRejectsBadSpec(t *testing.T) {
	if err := Schedule(context.Background(), "every night", time.UTC, nil, nil, nil); err == nil {
		t.Error("bad spec accepted")
	}
}
