package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/warehouse"
)

func runsCmd(g *globals) *cobra.Command {
	var limit int
	var format string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Show recent runs from the ledger",
		Long: `Show recent runs from the ledger, newest first. unpublished lists what a
run failed to publish (periods, "lake"; empty when it wrote everything, or
did not get to publishing); under the table, in Vietnamese, what is still
pending, which the next run writes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat("format", format, "table", "csv", "json"); err != nil {
				return err
			}
			if err := checkPositive("limit", limit); err != nil {
				return err
			}
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			w, err := openRead(cmd, cfg, true, false)
			if err != nil {
				return failedErr(err)
			}
			defer w.Close()
			// A warehouse no run has migrated since the upgrade (migration
			// 0103) has no runs.unpublished yet. unpublished comes after
			// message: DESIGN.md's runs columns keep their places and
			// extensions follow them, so scripts reading by position still
			// find message where they did.
			var has bool
			if err := w.DB().QueryRowContext(cmd.Context(), `SELECT count(*) > 0 FROM duckdb_columns()
				WHERE table_name = 'runs' AND column_name = 'unpublished'`).Scan(&has); err != nil {
				return failedErr(err)
			}
			unpublished := "unpublished"
			if !has {
				unpublished = "NULL::VARCHAR AS unpublished"
			}
			rows, err := w.DB().QueryContext(cmd.Context(), fmt.Sprintf(`SELECT run_id, started_at, finished_at, status, trigger,
				files_new, files_failed, rows_read, rows_loaded, rows_quarantined, rows_superseded, message, %s
				FROM runs ORDER BY run_id DESC LIMIT %d`, unpublished, limit))
			if err != nil {
				return failedErr(err)
			}
			err = writeRows(cmd.OutOrStdout(), rows, format)
			rows.Close()
			if err != nil || format != "table" || !has {
				return err
			}
			pending, err := w.PendingPublications(cmd.Context())
			if err != nil {
				return failedErr(err)
			}
			if m := pendingLine(pending); m != "" {
				fmt.Fprintln(cmd.OutOrStdout(), m)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs (1 or more)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

// pendingLine says, in Vietnamese, what the last run to publish left
// unwritten (runs.unpublished, warehouse.PendingPublications) and that the
// next run writes it; "" when nothing is pending.
func pendingLine(pending []string) string {
	var periods []string
	lake := false
	for _, p := range pending {
		if p == warehouse.PendingLake {
			lake = true
		} else {
			periods = append(periods, p)
		}
	}
	var what []string
	if len(periods) > 0 {
		what = append(what, "bản công bố của kỳ "+strings.Join(periods, ", "))
	}
	if lake {
		what = append(what, "hồ dữ liệu (publish.lake)")
	}
	if len(what) == 0 {
		return ""
	}
	return "Chưa ghi được " + strings.Join(what, " và ") + "; lần chạy sau sẽ tự ghi lại (cột unpublished)."
}
