package model

import (
	"strings"
	"testing"

	"github.com/cchc/cchc/warehouse"
)

// treeSheet stores a department's scoring sheet as the load leaves it:
// I = I.1 (maximum i1max, appraised 4) + I.2 (6 of 6).
func treeSheet(t *testing.T, w *warehouse.Warehouse, unit string, i1max float64) {
	t.Helper()
	type node struct {
		code   string
		parent any
		depth  int
		leaf   bool
		max    any
		ap     any
	}
	nodes := []node{{"I", nil, 1, false, nil, nil}, {"I.1", "I", 2, true, i1max, 4.0}, {"I.2", "I", 2, true, 6.0, 6.0}}
	for i, n := range nodes {
		if _, err := w.DB().Exec(`INSERT INTO par_sheet_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, false, ?, NULL, NULL, NULL,
			'sheets', ?, ?, 'sha', 1, TIMESTAMP '2026-01-10 00:00:00')`,
			"2025", unit, n.code, n.parent, n.depth, i+1, n.code, "Tiêu chí "+n.code, n.max, n.ap, n.leaf, unit+".xlsx", i+4); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.DB().Exec(`INSERT INTO par_sheets VALUES ('2025', ?, 'sheets', ?, 'sha', 3, 0, NULL, 1, TIMESTAMP '2026-01-10 00:00:00')`, unit, unit+".xlsx"); err != nil {
		t.Fatal(err)
	}
}

// The model scores a peer group against the tree most of its sheets
// share, never against one unit's maxima when the sheets disagree (as
// stored sheets can once a later majority forms). The decision fixes I.1
// at 4: 4 + 6 = 10 of 10 = 100. With one typo (I.1 = 5) among three
// sheets the other two score 100 (against the typo: 10 / 11 = 90,9) and
// the typo's unit is incomplete naming I.1; with one sheet against one
// there is no common tree and neither is ranked.
func TestPARTreeMajority(t *testing.T) {
	tests := []struct {
		name   string
		sheets map[string]float64 // unit -> its I.1 maximum
		want   map[string]string  // unit -> "status score"
		note   map[string]string  // unit -> part of its note
	}{
		{"majority", map[string]float64{"S.A": 5, "S.B": 4, "S.C": 4},
			map[string]string{"S.A": "incomplete -", "S.B": "ranked 100", "S.C": "ranked 100"},
			map[string]string{"S.A": "I.1 điểm tối đa 5 thay vì 4"}},
		{"tie", map[string]float64{"S.A": 5, "S.B": 4},
			map[string]string{"S.A": "incomplete -", "S.B": "incomplete -"},
			map[string]string{"S.A": "không có cây chung", "S.B": "không có cây chung"}},
		{"one tree", map[string]float64{"S.A": 4, "S.B": 4},
			map[string]string{"S.A": "ranked 100", "S.B": "ranked 100"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			for u, mx := range tc.sheets {
				if _, err := w.DB().Exec(`INSERT INTO units (unit_code, name, level) VALUES (?, ?, 'department')`, u, "Sở "+u); err != nil {
					t.Fatal(err)
				}
				treeSheet(t, w, u, mx)
			}
			buildPAR(t, w, "default")
			got := parScores(t, w.DB(), "2025")
			for u, want := range tc.want {
				g := got[u]
				s := g.status + " -"
				if g.score != nil {
					s = g.status + " " + strings.TrimSuffix(show(g.score), ".0")
				}
				if s != want {
					t.Errorf("%s: %s (note %q), want %s", u, s, g.note, want)
				}
			}
			for u, want := range tc.note {
				if !strings.Contains(got[u].note, want) {
					t.Errorf("%s: note %q lacks %q", u, got[u].note, want)
				}
			}
		})
	}
}
