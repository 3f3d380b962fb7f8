package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/samplegen"
)

func genCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Generate deterministic sample exports (demo set, benchmark files)",
	}
	var dossiers int
	var seed uint64
	demo := &cobra.Command{
		Use:   "demo DIR",
		Short: "Write the demo set: units.csv, cchc.yaml, exports/ in many formats, manifest.json",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPositive("dossiers", dossiers); err != nil {
				return err
			}
			if err := samplegen.Demo(args[0], samplegen.Options{Dossiers: dossiers, Seed: seed}); err != nil {
				return failedErr(fmt.Errorf("%s: không ghi được bộ tệp xuất mẫu (%w)", args[0], err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "đã ghi bộ tệp xuất mẫu vào %s\n", args[0])
			return nil
		},
	}
	demo.Flags().IntVar(&dossiers, "dossiers", 15000, "dossiers in the demo set")
	demo.Flags().Uint64Var(&seed, "seed", 1, "random seed")

	var rows int
	big := &cobra.Command{
		Use:   "big FILE",
		Short: "Write one large CSV export for benchmarks",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPositive("rows", rows); err != nil {
				return err
			}
			f, err := os.Create(args[0])
			if err != nil {
				return failedErr(fmt.Errorf("%s: không tạo được tệp; kiểm tra thư mục và quyền ghi (%w)", args[0], err))
			}
			bw := bufio.NewWriterSize(f, 1<<20)
			n, err := samplegen.BigCSV(bw, rows, seed)
			if err == nil {
				err = bw.Flush()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return failedErr(fmt.Errorf("%s: không ghi được tệp (%w)", args[0], err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "đã ghi %d dòng vào %s\n", n, args[0])
			return nil
		},
	}
	big.Flags().IntVar(&rows, "rows", 1_000_000, "rows to write")
	big.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	cmd.AddCommand(demo, big)
	return cmd
}
