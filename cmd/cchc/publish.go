package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/periods"
	"github.com/cchc/cchc/publish"
)

func publishCmd(g *globals) *cobra.Command {
	var period string
	cmd := &cobra.Command{
		Use:   "publish --period P",
		Short: "Write the publications of one period again (rankings, form II.06a, report)",
		Long: `Write the publications of one period (YYYY-MM, YYYY-Qn, YYYY-H1|H2 or
YYYY) under publish.dir/P/, from the analysts' snapshot of the last
committed run (or the warehouse when there is no snapshot yet), so it never
holds the warehouse file a nightly run needs. The same warehouse gives
byte-identical files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			if _, err := periods.Parse(period, cfg.Periods); err != nil {
				return usageErr(fmt.Errorf("--period: %w", err))
			}
			w, err := openRead(cmd, cfg, false, false)
			if err != nil {
				return failedErr(err)
			}
			defer w.Close()
			var n int
			if err := w.DB().QueryRowContext(cmd.Context(), `SELECT count(*) FROM periods WHERE period = ?`, period).Scan(&n); err != nil {
				return failedErr(err)
			}
			if n == 0 {
				return failedErr(fmt.Errorf("period %s has no data in %s (see: cchc query \"SELECT period FROM periods\")", period, cfg.Warehouse))
			}
			files, err := publish.Period(cmd.Context(), w.DB(), period, publish.Options{Dir: cfg.Publish.Dir, Formats: cfg.Publish.Formats, Freshness: cfg.Freshness})
			if err != nil {
				return failedErr(err)
			}
			for _, f := range files {
				fmt.Fprintln(cmd.OutOrStdout(), rel(filepath.Dir(cfg.File), f))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "period to publish: YYYY-MM, YYYY-Qn, YYYY-H1|H2 or YYYY")
	cmd.MarkFlagRequired("period")
	return cmd
}
