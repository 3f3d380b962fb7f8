package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func runsCmd(g *globals) *cobra.Command {
	var limit int
	var format string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Show recent runs from the ledger",
		Args:  cobra.NoArgs,
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
			rows, err := w.DB().QueryContext(cmd.Context(), fmt.Sprintf(`SELECT run_id, started_at, finished_at, status, trigger,
				files_new, files_failed, rows_read, rows_loaded, rows_quarantined, rows_superseded, message
				FROM runs ORDER BY run_id DESC LIMIT %d`, limit))
			if err != nil {
				return failedErr(err)
			}
			defer rows.Close()
			return writeRows(cmd.OutOrStdout(), rows, format)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs (1 or more)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}
