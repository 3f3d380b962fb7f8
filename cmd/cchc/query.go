package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func queryCmd(g *globals) *cobra.Command {
	var format string
	var live bool
	cmd := &cobra.Command{
		Use:   `query "SQL"`,
		Short: "Run read-only SQL against the warehouse (--format table|csv|json)",
		Long: `Run one read-only SQL statement against the warehouse and print the result.

The query reads the analysts' snapshot (<warehouse>.snapshot.duckdb, as of
the last successful run) when it exists, so it works while the nightly run
writes; --live reads the warehouse itself (refused while a run holds it).
Either is opened read-only and without access to other files, so INSERT,
UPDATE, DELETE, CREATE, COPY ... TO and ATTACH are refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json":
			default:
				return usageErr(fmt.Errorf("--format must be table, csv or json, got %q", format))
			}
			cfg, _, err := loadConfig(g)
			if err != nil {
				return err
			}
			w, err := openRead(cmd, cfg, live, true)
			if err != nil {
				return failedErr(err)
			}
			defer w.Close()
			rows, err := w.DB().QueryContext(cmd.Context(), args[0])
			if err != nil {
				return failedErr(explainQueryError(err))
			}
			defer rows.Close()
			if err := writeRows(cmd.OutOrStdout(), rows, format); err != nil {
				return failedErr(explainQueryError(err))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().BoolVar(&live, "live", false, "read the warehouse itself instead of the snapshot of the last successful run")
	return cmd
}

func explainQueryError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "read-only") || strings.Contains(msg, "read only") || strings.Contains(msg, "Permission Error") || strings.Contains(msg, "disabled") {
		return fmt.Errorf("cchc query is read-only; the statement was refused: %w", err)
	}
	return err
}

func writeRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var (
		t    = &table{header: cols, right: map[int]bool{}}
		cw   *csv.Writer
		objs []map[string]any
		n    int
	)
	if format == "csv" {
		cw = csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return err
		}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		n++
		switch format {
		case "json":
			o := make(map[string]any, len(cols))
			for i, c := range cols {
				o[c] = jsonValue(vals[i])
			}
			objs = append(objs, o)
		default:
			cells := make([]string, len(cols))
			for i, v := range vals {
				cells[i] = textValue(v)
				if isNumber(v) {
					t.right[i] = true
				}
			}
			if cw != nil {
				if err := cw.Write(cells); err != nil {
					return err
				}
			} else {
				t.add(cells...)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "json":
		// Keep column order: encode objects by hand around ordered keys.
		fmt.Fprint(w, "[")
		for i, o := range objs {
			if i > 0 {
				fmt.Fprint(w, ",")
			}
			fmt.Fprint(w, "\n  {")
			for j, c := range cols {
				k, _ := json.Marshal(c)
				v, err := json.Marshal(o[c])
				if err != nil {
					return err
				}
				if j > 0 {
					fmt.Fprint(w, ", ")
				}
				fmt.Fprintf(w, "%s: %s", k, v)
			}
			fmt.Fprint(w, "}")
		}
		if len(objs) > 0 {
			fmt.Fprint(w, "\n")
		}
		fmt.Fprintln(w, "]")
	case "csv":
		cw.Flush()
		return cw.Error()
	default:
		t.write(w)
		fmt.Fprintf(w, "(%d rows)\n", n)
	}
	return nil
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

func textValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = textValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return textValue(x)
	case []byte:
		return string(x)
	}
	return v
}
