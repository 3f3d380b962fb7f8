package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/warehouse"
)

func publishCmd(g *globals) *cobra.Command {
	var period string
	var lakeOnly bool
	cmd := &cobra.Command{
		Use:   "publish --period P | --lake",
		Short: "Write the publications of one period again (rankings, form II.06a, report)",
		Long: `Write the publications of one period (YYYY-MM, YYYY-Qn, YYYY-H1|H2 or
YYYY) under publish.dir/P/, from the last committed run. The same warehouse
gives byte-identical files.

publish takes the writer lock, like a run, waiting up to lock_timeout: a run
in progress writes the same files, and publishing beside it from the
previous state would overwrite its fresh publications with stale ones.
Under the lock it reads the warehouse itself; when another program has the
warehouse file open it reads the analysts' snapshot instead, provided the
snapshot is as new as the warehouse.

With publish.lake set, publish also brings the lake up to date (the
partitions whose content changed); --lake writes the lake alone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case lakeOnly && period != "":
				return usageErr(fmt.Errorf("chỉ chọn một trong --period và --lake (give --period or --lake, not both)"))
			case !lakeOnly && period == "":
				return usageErr(fmt.Errorf("thiếu --period (hoặc --lake) (--period is required, or --lake)"))
			case !lakeOnly:
				if err := checkPeriodFlag(period); err != nil {
					return err
				}
			}
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			if lakeOnly && cfg.Publish.Lake == "" {
				return usageErr(fmt.Errorf("--lake: chưa khai báo publish.lake trong %s (publish.lake is not set)", cfg.File))
			}
			asFolderOwner(cfg, newLogger(cmd.ErrOrStderr()))
			ctx := cmd.Context()
			host, _ := os.Hostname()
			what := "cchc publish --period " + period
			if lakeOnly {
				what = "cchc publish --lake"
			}
			lock, err := warehouse.AcquireLock(ctx, cfg.Warehouse, cfg.LockTimeout,
				warehouse.Holder{PID: os.Getpid(), Host: host, StartedAt: time.Now(), Command: what})
			if err != nil {
				return failedErr(err)
			}
			defer lock.Release()
			pipeline.RemoveLeftovers(cfg, newLogger(cmd.ErrOrStderr()))
			w, err := openPublished(ctx, cmd, cfg)
			if err != nil {
				return failedErr(err)
			}
			defer w.Close()
			if !lakeOnly {
				if err := publishPeriod(cmd, cfg, w, period); err != nil {
					return err
				}
			}
			if cfg.Publish.Lake != "" {
				res, err := publish.Lake(ctx, w.DB(), cfg.Publish.Lake)
				if err != nil {
					return failedErr(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ghi %d phân vùng, xóa %d\n",
					rel(filepath.Dir(cfg.File), cfg.Publish.Lake), len(res.Written), len(res.Removed))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "period to publish: YYYY-MM, YYYY-Qn, YYYY-H1|H2 or YYYY")
	cmd.Flags().BoolVar(&lakeOnly, "lake", false, "write only the lake (publish.lake), no period files")
	return cmd
}

// publishPeriod writes the files of one period and prints their paths.
func publishPeriod(cmd *cobra.Command, cfg *config.Config, w *warehouse.Warehouse, period string) error {
	ctx := cmd.Context()
	var n int
	if err := w.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM periods WHERE period = $1) + (SELECT count(*) FROM par_scores WHERE period = $1)`, period).Scan(&n); err != nil {
		return failedErr(err)
	}
	if n == 0 {
		// As explain: a period the warehouse holds nothing of is a wrong
		// --period (exit 2), not a failure of the warehouse.
		return usageErr(fmt.Errorf("--period: kho dữ liệu %s chưa có số liệu kỳ %s; xem các kỳ đã có: cchc query \"SELECT DISTINCT period FROM periods ORDER BY 1\" (period %s has no data)",
			cfg.Warehouse, period, period))
	}
	parMeth, err := model.LoadPARMethodology(cfg.PAR.Methodology)
	if err != nil {
		return usageErr(err)
	}
	files, err := publish.Period(ctx, w.DB(), period, publish.Options{Dir: cfg.Publish.Dir, Formats: cfg.Publish.Formats, Freshness: cfg.Freshness,
		PARDecimals: parMeth.PublishedDecimals(cfg.PAR.Decimals)})
	if err != nil {
		return failedErr(err)
	}
	for _, f := range files {
		fmt.Fprintln(cmd.OutOrStdout(), rel(filepath.Dir(cfg.File), f))
	}
	return nil
}

// openPublished opens, read-only, the state of the last committed run: the
// warehouse itself (the caller holds the writer lock, so nothing changes
// it), or, when another program has the file open, the snapshot if it is
// not older than the warehouse. A snapshot whose refresh failed is older,
// and publishing from it would put stale figures over fresh ones.
func openPublished(ctx context.Context, cmd *cobra.Command, cfg *config.Config) (*warehouse.Warehouse, error) {
	opts := warehouse.Options{ReadOnly: true}
	if err := checkWarehouseExists(cfg.Warehouse); err != nil {
		return nil, err
	}
	w, err := warehouse.Open(ctx, cfg.Warehouse, opts)
	if err == nil || !errors.Is(err, warehouse.ErrBusy) {
		return w, err
	}
	snap := warehouse.SnapshotPath(cfg.Warehouse)
	ws, werr := os.Stat(cfg.Warehouse)
	ss, serr := os.Stat(snap)
	if werr != nil || serr != nil || ss.ModTime().Before(ws.ModTime()) {
		return nil, fmt.Errorf("%w; bản chụp %s cũ hơn kho dữ liệu (hoặc không có) nên không dùng thay được: hãy đóng chương trình kia rồi xuất bản lại (the snapshot is older than the warehouse, or missing)", err, snap)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "cchc: kho dữ liệu đang được chương trình khác mở; xuất bản từ bản chụp %s, mới bằng kho dữ liệu (the warehouse file is open in another program; publishing from the snapshot)\n", snap)
	return warehouse.Open(ctx, snap, opts)
}
