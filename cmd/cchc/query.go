package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/marcboeker/go-duckdb"
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
More than one statement is refused (exit 2): only the last one's rows would
show. Either is opened read-only and without access to other files, so INSERT,
UPDATE, DELETE, CREATE, COPY ... TO and ATTACH are refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat("format", format, "table", "csv", "json"); err != nil {
				return err
			}
			switch countStatements(args[0]) {
			case 0:
				return usageErr(errors.New("câu lệnh SQL trống (the SQL is empty)"))
			case 1:
			default:
				return usageErr(errMultipleStatements)
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
		return fmt.Errorf("câu lệnh bị từ chối: cchc query chỉ đọc dữ liệu, không cho thêm, sửa, xóa, tạo bảng, COPY … TO hay ATTACH (cchc query is read-only; the statement was refused: %w)", err)
	}
	return err
}

// rowSource is what writeRows reads: *sql.Rows, or a generator in tests.
type rowSource interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// tableSample is how many rows the table format reads before it prints:
// their widths set the columns' widths for the whole output, so the rows
// after them stream too. A later value wider than its column is printed
// whole (never cut: an analyst may copy it), pushing the rest of its line
// to the right.
const tableSample = 1000

// writeRows writes the result as it is scanned, in every format, so the
// memory cchc holds does not grow with the result: csv and json row by row
// (json as an array written element by element), table after its first
// tableSample rows. (go-duckdb v1.8.2 itself materialises a result in
// DuckDB's memory before the first row is read; that part is DuckDB's,
// capped by its memory_limit.)
func writeRows(out io.Writer, rows rowSource, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 64<<10)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var (
		cw    *csv.Writer
		t     = &table{header: cols, right: map[int]bool{}}
		width []int
		n     int64
	)
	if format == "csv" {
		cw = csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return err
		}
	}
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i], _ = json.Marshal(c)
	}
	if format == "json" {
		w.WriteString("[")
	}
	cells := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		n++
		switch format {
		case "json":
			if n > 1 {
				w.WriteString(",")
			}
			w.WriteString("\n  {")
			for j := range cols {
				v, err := json.Marshal(jsonValue(vals[j]))
				if err != nil {
					return err
				}
				if j > 0 {
					w.WriteString(", ")
				}
				w.Write(keys[j])
				w.WriteString(": ")
				w.Write(v)
			}
			w.WriteString("}")
		case "csv":
			for i, v := range vals {
				cells[i] = textValue(v)
			}
			if err := cw.Write(cells); err != nil {
				return err
			}
		default:
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = textValue(v)
				if width == nil && isNumber(v) {
					t.right[i] = true
				}
			}
			if width != nil {
				t.line(w, width, row)
				break
			}
			t.add(row...)
			if len(t.rows) == tableSample {
				width = t.start(w)
			}
		}
		// A closed output (cchc query ... | head) stops the scan: the
		// buffered writer keeps its first write error.
		if _, err := w.Write(nil); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "json":
		if n > 0 {
			w.WriteString("\n")
		}
		w.WriteString("]\n")
	case "csv":
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	default:
		if width == nil {
			t.start(w)
		}
		fmt.Fprintf(w, "(%d dòng)\n", n)
	}
	return w.Flush()
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, duckdb.Decimal, *big.Int:
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
	case duckdb.Decimal:
		return decimalText(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = textValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// decimalText writes a DECIMAL exactly, with its scale's digits (74.20),
// where fmt would print go-duckdb's struct ({38 2 7420}).
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return ""
	}
	s := new(big.Int).Abs(d.Value).String()
	if sc := int(d.Scale); sc > 0 {
		if len(s) <= sc {
			s = strings.Repeat("0", sc-len(s)+1) + s
		}
		s = s[:len(s)-sc] + "." + s[len(s)-sc:]
	}
	if d.Value.Sign() < 0 {
		s = "-" + s
	}
	return s
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case time.Time:
		return textValue(x)
	case []byte:
		return string(x)
	}
	return v
}
