package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// genRows yields n rows (i, a 100-character text) and checks, as each row
// is scanned, that the output already holds data of earlier rows: a writer
// that collected the whole result before writing fails the check.
type genRows struct {
	t       *testing.T
	n, i    int
	out     *bytes.Buffer
	mustBy  int // from this row on, some data must have been written
	lenHead int // bytes of output before any data (header)
	checked bool
}

func (g *genRows) Columns() ([]string, error) { return []string{"i", "văn_bản"}, nil }
func (g *genRows) Next() bool                 { g.i++; return g.i <= g.n }
func (g *genRows) Err() error                 { return nil }
func (g *genRows) Scan(dest ...any) error {
	if g.i == g.mustBy {
		g.checked = true
		if g.out.Len() <= g.lenHead {
			g.t.Errorf("row %d scanned and only %d bytes written: the output is not streamed", g.i, g.out.Len())
		}
	}
	*dest[0].(*any) = int64(g.i)
	*dest[1].(*any) = fmt.Sprintf("dòng %05d ", g.i) + strings.Repeat("x", 89)
	return nil
}

// cchc query writes rows as they are scanned in every format; table from
// row tableSample on (its widths come from the first tableSample rows).
func TestQueryStreams(t *testing.T) {
	const n = 5000
	for _, format := range []string{"csv", "json", "table"} {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			// Past the 64 KiB output buffer (about 650 rows of 100 bytes)
			// and the table's sample.
			g := &genRows{t: t, n: n, out: &out, mustBy: tableSample + 1000, lenHead: 200}
			if err := writeRows(&out, g, format); err != nil {
				t.Fatal(err)
			}
			if !g.checked {
				t.Fatal("check not reached")
			}
			s := out.String()
			switch format {
			case "csv":
				recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
				if err != nil || len(recs) != n+1 || recs[n][0] != "5000" {
					t.Errorf("csv: %d records, %v", len(recs), err)
				}
			case "json":
				var rows []map[string]any
				if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != n || rows[n-1]["i"] != float64(n) {
					t.Errorf("json: %d rows, %v", len(rows), err)
				}
				if !strings.HasPrefix(s, "[\n  {\"i\": 1, \"văn_bản\": ") || !strings.HasSuffix(s, "}\n]\n") {
					t.Errorf("json layout: %q ... %q", s[:40], s[len(s)-10:])
				}
			case "table":
				lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
				if len(lines) != n+3 || lines[len(lines)-1] != "(5000 dòng)" {
					t.Errorf("table: %d lines, last %q", len(lines), lines[len(lines)-1])
				}
				// Every row has the sample's widths: "   i  văn_bản".
				if got := lines[2+n-1]; !strings.HasPrefix(got, "5000  dòng 05000 ") || len([]rune(got)) != len([]rune(lines[2])) {
					t.Errorf("last row %q not aligned with the first %q", got, lines[2])
				}
			}
		})
	}
}

// Empty results keep their shape.
func TestQueryEmpty(t *testing.T) {
	for format, want := range map[string]string{"json": "[]\n", "csv": "i,văn_bản\n", "table": "i  văn_bản\n-  -------\n(0 dòng)\n"} {
		var out bytes.Buffer
		if err := writeRows(&out, &genRows{t: t, out: &out}, format); err != nil || out.String() != want {
			t.Errorf("%s: %q, %v; want %q", format, out.String(), err, want)
		}
	}
}

// DECIMAL columns (the demo rounds scores on decimals) are written exactly,
// in every format, not as go-duckdb's struct.
func TestQueryDecimals(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const q = `SELECT 74.20::DECIMAL(38, 2) AS a, -0.05::DECIMAL(4, 2) AS b, 12::DECIMAL(10, 0) AS c, 0.001::DECIMAL(18, 3) AS d, NULL::DECIMAL(9, 2) AS e`
	for _, tc := range []struct{ format, want string }{
		{"csv", "a,b,c,d,e\n74.20,-0.05,12,0.001,\n"},
		{"json", `[{"a":74.20,"b":-0.05,"c":12,"d":0.001,"e":null}]`},
		{"table", "74.20  -0.05  12  0.001"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out bytes.Buffer
			if err := writeRows(&out, rows, tc.format); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if tc.format == "json" {
				got = strings.Join(strings.Fields(got), "")
			}
			if tc.format == "table" {
				got = strings.Join(strings.Fields(got), "  ")
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("%s:\n%s\nwant %q", tc.format, out.String(), tc.want)
			}
		})
	}
}
