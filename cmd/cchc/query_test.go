package main

import (
	"bytes"
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
				if len(lines) != n+3 || lines[len(lines)-1] != "(5000 rows)" {
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
	for format, want := range map[string]string{"json": "[]\n", "csv": "i,văn_bản\n", "table": "i  văn_bản\n-  -------\n(0 rows)\n"} {
		var out bytes.Buffer
		if err := writeRows(&out, &genRows{t: t, out: &out}, format); err != nil || out.String() != want {
			t.Errorf("%s: %q, %v; want %q", format, out.String(), err, want)
		}
	}
}
