package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"
)

// quarantineHeader is the header of `cchc quarantine`: in Vietnamese, for
// the clerk who fixes the export; the last column is the stable code
// analysts filter on.
var quarantineHeader = []string{"Nguồn", "Tệp", "Dòng", "Cột", "Giá trị", "Lý do và cách sửa", "Mã lý do"}

// quarantineSQL lists the quarantined rows of the current version of each
// file (the latest loaded version of its path): rows of a version the unit
// has since replaced need no fixing any more, while a replacement that
// failed to load leaves the loaded version's rows listed.
const quarantineSQL = `SELECT q.source, q.source_file, q.source_row, coalesce(q.column_name, ''), coalesce(q.raw_value, ''),
	q.reason, coalesce(q.reason_code, '')
FROM quarantine q
JOIN (SELECT source, path, arg_max(file_sha256, last_run_id) AS sha FROM source_files WHERE status = 'loaded' GROUP BY source, path) f
  ON f.source = q.source AND f.path = q.source_file AND f.sha = q.file_sha256
WHERE $1 = '' OR q.source = $1
ORDER BY q.source, q.source_file, q.source_row`

func quarantineCmd(g *globals) *cobra.Command {
	var format, source string
	var live bool
	cmd := &cobra.Command{
		Use:   "quarantine [--source NAME] [--format table|csv]",
		Short: "List the quarantined rows a unit must fix (--format csv: for Excel)",
		Long: `List the rows held back in quarantine, file by file: the source, the file,
the row as Excel shows it, the column, the value, what is wrong and what to do
(in Vietnamese), and a stable reason code.

Only the current version of each file is listed: once a unit delivers a
corrected export, the rows of the old one disappear from the list. Rows
quarantined for an unknown unit or an unknown header spelling load by
themselves on the next run after units.csv or the source's columns: learns
them.

--format csv writes UTF-8 with a byte-order mark, which Excel opens with
the Vietnamese text intact. Like cchc query, it reads the analysts'
snapshot unless --live is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat("format", format, "table", "csv"); err != nil {
				return err
			}
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			if source != "" {
				if err := checkSources(cfg, []string{source}); err != nil {
					return err
				}
			}
			w, err := openRead(cmd, cfg, live, true)
			if err != nil {
				return failedErr(err)
			}
			defer w.Close()
			rows, err := w.DB().QueryContext(cmd.Context(), quarantineSQL, source)
			if err != nil {
				return failedErr(fmt.Errorf("quarantine: không đọc được các dòng bị cách ly; kho dữ liệu do bản cchc cũ hơn ghi sẽ có mã lý do sau lần chạy tới (%w)", err))
			}
			defer rows.Close()
			base := filepath.Dir(cfg.File)
			out := cmd.OutOrStdout()
			var cw *csv.Writer
			t := &table{header: quarantineHeader, right: map[int]bool{2: true}}
			if format == "csv" {
				io.WriteString(out, "\uFEFF")
				cw = csv.NewWriter(out)
				cw.UseCRLF = true // Excel on Windows
				cw.Write(quarantineHeader)
			}
			n := 0
			for rows.Next() {
				var src, file, col, raw, reason, code string
				var row int64
				if err := rows.Scan(&src, &file, &row, &col, &raw, &reason, &code); err != nil {
					return failedErr(err)
				}
				n++
				cells := []string{src, rel(base, file), fmt.Sprint(row), col, raw, reason, code}
				if cw != nil {
					if err := cw.Write(cells); err != nil {
						return failedErr(err)
					}
				} else {
					t.add(cells...)
				}
			}
			if err := rows.Err(); err != nil {
				return failedErr(err)
			}
			if cw != nil {
				cw.Flush()
				if err := cw.Error(); err != nil {
					return failedErr(err)
				}
				return nil
			}
			t.write(out)
			fmt.Fprintf(out, "(%d dòng cần sửa)\n", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or csv (UTF-8 with BOM, for Excel)")
	cmd.Flags().StringVar(&source, "source", "", "only this source's rows")
	cmd.Flags().BoolVar(&live, "live", false, "read the warehouse itself instead of the snapshot of the last successful run")
	return cmd
}
