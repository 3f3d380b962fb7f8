package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/explain"
	"github.com/cchc/cchc/model"
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
			if err := checkNotBlank("unit", unit); err != nil {
				return err
			}
			if err := checkPeriodFlag(period); err != nil {
				return err
			}
			if err := checkFormat("index", index, "par", "service"); err != nil {
				return err
			}
			cfg, reg, err := loadConfig(g)
			if err != nil {
				return err
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
				// A code or name the registry does not know is a typo, not
				// a unit without a score.
				if _, ok := reg.Resolve(unit); !ok {
					return usageErr(fmt.Errorf("--unit: không có đơn vị %q trong danh mục đơn vị %s (mã hoặc tên); xem danh sách: cchc query \"SELECT unit_code, name FROM units ORDER BY 1\" (unknown unit)",
						unit, rel(filepath.Dir(cfg.File), cfg.Units)))
				}
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
