package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/warehouse"
)

func scheduleCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "schedule",
		Short: "Run the batch on the configured cron schedule until SIGINT/SIGTERM; runs never overlap",
		Long: `Run the batch on the cron schedule of the config (schedule:, in timezone:),
for example "30 1 * * *", "@daily" or "@every 1h". A tick that finds a run in
progress, or the warehouse locked past lock_timeout, is skipped, logged and
recorded in runs (status skipped) by the next run; a panic in a run is
logged and the scheduler goes on. The config and the unit registry are read again before every run,
so edits take effect at the next run. On SIGINT or SIGTERM no new run starts
and a run in progress is rolled back (nothing half-written), then the
command exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			if cfg.Schedule == "" {
				return usageErr(&config.Error{File: cfg.File, Key: "schedule", Msg: `bắt buộc với cchc schedule: lịch cron như "30 1 * * *" (1 giờ 30 sáng hằng ngày) hoặc "@daily" (required for cchc schedule)`})
			}
			log := newLogger(cmd.ErrOrStderr())
			asFolderOwner(cfg, log)
			// A tick that does not run is journalled beside the warehouse
			// (the run in progress holds the warehouse itself); the next run
			// records it in runs as skipped.
			journal := func(at time.Time, reason string) {
				host, _ := os.Hostname()
				s := warehouse.Skipped{At: warehouse.LocalNow(at, cfg.Location), GaveUpAt: warehouse.LocalNow(time.Now(), cfg.Location),
					Host: host, PID: os.Getpid(), Reason: reason}
				if err := warehouse.RecordSkipped(cfg.Warehouse, s); err != nil {
					log.Error("không ghi được nhật ký lần chạy bị bỏ qua", "err", err)
				}
			}
			job := func(ctx context.Context) error {
				at := time.Now()
				cfg, reg, err := loadConfig(g)
				if err != nil {
					err = fmt.Errorf("bỏ qua lần chạy vì cấu hình hoặc danh mục đơn vị không dùng được (config not usable, run skipped): %w", err)
					journal(at, err.Error())
					return fmt.Errorf("%w: %w", pipeline.ErrSkipped, err)
				}
				sum, err := pipeline.Batch(ctx, cfg, reg, pipeline.Options{Trigger: "schedule", Logger: log})
				if err != nil {
					return err
				}
				if sum.Run.Status != warehouse.RunSucceeded {
					return fmt.Errorf("lần chạy %d %s (%s): %s", sum.Run.ID, summaryStatus(sum.Run.Status), sum.Run.Status, sum.Run.Message)
				}
				return nil
			}
			if err := pipeline.Schedule(cmd.Context(), cfg.Schedule, cfg.Location, log, job, journal); err != nil {
				return usageErr(err)
			}
			return nil
		},
	}
}
