package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/units"
)

func validateCmd(g *globals) *cobra.Command {
	var only []string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check config, units and every source (reachable, headers mapped) without writing",
		Long: `Check the config, the unit registry and every source without writing
anything: each file is opened, its header mapped and its first 1,000 rows
transformed. Exit 0 when everything is usable, 1 when a source or file has a
problem, 2 when the config or the unit registry is invalid.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// A validate killed while it downloaded left its folder, raw
			// exports (personal data) in it, under TMPDIR for good.
			log := newLogger(cmd.ErrOrStderr())
			removed, err := pipeline.RemoveStaleValidateDirs(os.TempDir())
			if len(removed) > 0 {
				log.Warn("đã xóa thư mục tạm do lần kiểm tra đã chết để lại", "dirs", len(removed), "in", os.TempDir())
			}
			if err != nil {
				log.Error("không xóa được thư mục tạm còn sót lại", "err", err)
			}
			cfg, reg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if err := checkSources(cfg, only); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "cấu hình %s: hợp lệ\n", cfg.File)
			fmt.Fprintf(out, "danh mục đơn vị %s: %d đơn vị\n", cfg.Units, len(reg.Units))
			checks, err := pipeline.Check(cmd.Context(), cfg, reg, only)
			var tmp *pipeline.TempDirError
			if errors.As(err, &tmp) {
				return failedErr(err)
			}
			if err != nil {
				return usageErr(err)
			}
			meth, err := model.LoadMethodology(cfg.Methodology)
			if err != nil {
				return usageErr(err)
			}
			base := filepath.Dir(cfg.File)
			problems := 0
			for _, sc := range checks {
				if sc.Err != nil {
					problems++
					fmt.Fprintf(out, "\nnguồn %s: LỖI: %s\n", sc.Source, maskErr(sc.Err))
					continue
				}
				fmt.Fprintf(out, "\nnguồn %s: %d tệp\n", sc.Source, len(sc.Files))
				if len(sc.Files) == 0 {
					fmt.Fprintf(out, "  cảnh báo: không có tệp nào khớp %s (đường dẫn gõ sai, hoặc chưa có tệp xuất)\n", sc.Where)
				}
				// Columns an indicator reads that files of the source lack:
				// unknown for those dossiers (not counted), never false.
				missing := map[string]int{}
				var order []string
				for _, f := range sc.Files {
					if f.Err != nil {
						continue
					}
					for _, c := range f.Mapping.Missing {
						if len(meth.IndicatorsReading(c)) == 0 {
							continue
						}
						if missing[c] == 0 {
							order = append(order, c)
						}
						missing[c]++
					}
				}
				for _, c := range order {
					fmt.Fprintf(out, "  cảnh báo: %s\n", pipeline.MissingColumnWarning(sc.Source, c, meth.IndicatorsReading(c), missing[c]))
				}
				for _, f := range sc.Files {
					if f.Err != nil {
						problems++
						fmt.Fprintf(out, "  %s: LỖI: %s\n", rel(base, f.Path), maskErr(f.Err))
						continue
					}
					enc := ""
					if f.Encoding != "" {
						enc = ", " + f.Encoding
					}
					fmt.Fprintf(out, "  %s (%s%s): kiểm tra %d dòng, %d dòng sẽ bị cách ly\n", rel(base, f.Path), f.Format, enc, f.Sampled, len(f.Rejected))
					if f.Dataset != "" && f.Dataset != "dossiers" {
						fmt.Fprintf(out, "    loại dữ liệu, dataset: %s\n", f.Dataset)
					}
					var pairs []string
					for h, c := range f.Mapping.Columns {
						pairs = append(pairs, fmt.Sprintf("%q → %s", h, c))
					}
					sort.Strings(pairs)
					fmt.Fprintf(out, "    cột nhận diện được: %s\n", strings.Join(pairs, ", "))
					if len(f.Mapping.Dropped) > 0 {
						fmt.Fprintf(out, "    cột dữ liệu cá nhân, bỏ (không nạp): %s\n", strings.Join(f.Mapping.Dropped, ", "))
					}
					if len(f.Mapping.Unmapped) > 0 {
						fmt.Fprintf(out, "    cột không nhận diện được, không nạp: %s\n", strings.Join(f.Mapping.Unmapped, ", "))
					}
					if len(f.Mapping.Ignored) > 0 {
						fmt.Fprintf(out, "    cột trùng tên, bỏ qua: %s\n", strings.Join(f.Mapping.Ignored, ", "))
					}
					if f.Mapping.Legacy != "" {
						fmt.Fprintf(out, "    đã chuyển chữ phông cũ sang Unicode: %s\n", f.Mapping.Legacy)
					}
					var orphans []string
					for u := range f.Orphaned {
						orphans = append(orphans, u)
					}
					sort.Strings(orphans)
					for _, u := range orphans {
						fmt.Fprintf(out, "    cảnh báo: %d dòng ghi đơn vị %s sau ngày valid_to nhưng đơn vị chưa có successor_code: sẽ tính cho đơn vị này, không xếp hạng; hãy ghi đơn vị kế thừa trong %s\n",
							f.Orphaned[u], u, rel(base, cfg.Units))
					}
					if f.Sheet != nil {
						for _, line := range f.Sheet.Describe() {
							fmt.Fprintf(out, "    %s\n", line)
						}
					}
					for i, e := range f.Rejected {
						if i == 3 {
							fmt.Fprintf(out, "    ... và %d dòng nữa\n", len(f.Rejected)-3)
							break
						}
						fmt.Fprintf(out, "    dòng %d, cột %q [%s]: %s\n", e.Row, e.Column, e.Code, e.Reason)
					}
				}
			}
			warnOrphans(cmd, cfg, reg, out)
			if problems > 0 {
				return failedErr(fmt.Errorf("có %d lỗi cần sửa, xem ở trên (%d problems found)", problems, problems))
			}
			fmt.Fprintln(out, "\nmọi nguồn đều dùng được")
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&only, "source", nil, "check only these sources")
	return cmd
}

// warnOrphans prints a warning per unit of the registry dissolved without
// a successor whose dossiers the warehouse still counts after its
// dissolution (pipeline.Orphans): the contract keeps them with the unit,
// unranked, and says validate warns, since form II.06a then lists the
// dissolved unit in every later period. The warehouse is only read, and
// only when a run created it; a busy or unreadable one is said, not failed.
func warnOrphans(cmd *cobra.Command, cfg *config.Config, reg *units.Registry, out io.Writer) {
	if _, err := os.Stat(cfg.Warehouse); err != nil {
		return
	}
	w, err := openRead(cmd, cfg, true, false)
	if err != nil {
		fmt.Fprintf(out, "\nkho dữ liệu %s: không đọc được (%s): chưa kiểm tra các đơn vị đã giải thể chưa có đơn vị kế thừa\n", rel(filepath.Dir(cfg.File), cfg.Warehouse), maskErr(err))
		return
	}
	defer w.Close()
	orphans, err := pipeline.Orphans(cmd.Context(), w.DB(), reg, false)
	if err != nil {
		fmt.Fprintf(out, "\nkho dữ liệu %s: %s\n", rel(filepath.Dir(cfg.File), cfg.Warehouse), maskErr(err))
		return
	}
	if len(orphans) == 0 {
		return
	}
	fmt.Fprintf(out, "\nkho dữ liệu %s: %d đơn vị đã giải thể chưa có đơn vị kế thừa vẫn còn hồ sơ\n", rel(filepath.Dir(cfg.File), cfg.Warehouse), len(orphans))
	for _, o := range orphans {
		fmt.Fprintf(out, "  cảnh báo: %s\n", o.Warning(rel(filepath.Dir(cfg.File), cfg.Units)))
	}
}

// maskErr is an error's text masked for personal data (a decoder may quote
// a cell).
func maskErr(err error) string {
	s, _ := pii.MaskShapes(err.Error())
	return s
}
