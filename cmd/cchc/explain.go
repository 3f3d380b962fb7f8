package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/explain"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/periods"
)

func explainCmd(g *globals) *cobra.Command {
	var unit, period, index string
	var live bool
	cmd := &cobra.Command{
		Use:   "explain --unit U --period P [--index par|service]",
		Short: "Say, in Vietnamese, why a unit has its score and rank in a period",
		Long: `Print, in Vietnamese, why a unit has its score and rank in a period:
for the CCHC index (--index par, the default) each field's points against
its maximum, the criteria where it lost most points, self-assessed against
appraised points where they differ, the survey and the bonus and penalty
decisions, and the biggest changes since the previous period; for the
service index (--index service) each group and indicator. --unit takes a
unit code or a unit's name. It reads the analysts' snapshot, like query.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			if _, err := periods.Parse(period, cfg.Periods); err != nil {
				return usageErr(fmt.Errorf("--period: %w", err))
			}
			if index != "par" && index != "service" {
				return usageErr(fmt.Errorf("--index must be par or service, got %q", index))
			}
			pm, err := model.LoadPARMethodology(cfg.PAR.Methodology)
			if err != nil {
				return usageErr(err)
			}
			w, err := openRead(cmd, cfg, live, true)
			if err != nil {
				return failedErr(err)
			}
			defer w.Close()
			opts := explain.Options{Decimals: 2}
			if index == "par" {
				opts.Decimals = *pm.PublishedDecimals(cfg.PAR.Decimals)
				err = explain.PAR(cmd.Context(), w.DB(), cmd.OutOrStdout(), unit, period, opts)
			} else {
				err = explain.Service(cmd.Context(), w.DB(), cmd.OutOrStdout(), unit, period, opts)
			}
			if errors.Is(err, explain.ErrNotFound) {
				return usageErr(err)
			}
			if err != nil {
				return failedErr(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&unit, "unit", "", "unit code or name")
	cmd.Flags().StringVar(&period, "period", "", "period: YYYY, YYYY-H1|H2, YYYY-Qn or YYYY-MM")
	cmd.Flags().StringVar(&index, "index", "par", "index: par (CCHC index) or service (service index)")
	cmd.Flags().BoolVar(&live, "live", false, "read the warehouse itself instead of the snapshot of the last successful run")
	cmd.MarkFlagRequired("unit")
	cmd.MarkFlagRequired("period")
	return cmd
}
