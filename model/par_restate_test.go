package model

import (
	"math"
	"testing"

	"github.com/cchc/cchc/warehouse"
)

// PAR movement compares like with like: communes X.A and X.B merge into X.AB
// on 2026-01-01 (valid_to, successor_code); 2025 is restated on the units
// standing at the end of 2026. By hand (one criterion I.1 of max 100, so
// score = points):
//
//	2025: X.A 80, X.B 90, X.C 70.
//	2025 restated: X.AB = mean(80, 90) = 85, X.C = 70 → ranks X.AB 1, X.C 2.
//	2026: X.C 90 (rank 1), X.AB 88 (rank 2).
//	X.C: previous rank 2, rank change 2 − 1 = +1, score change 90 − 70 = 20.
//	X.AB: previous rank 1, previous score 85, rank change 1 − 2 = −1,
//	      score change 88 − 85 = 3.
//
// The dissolved X.B has no 2026 row (no 2026 input); a 2026 sheet of the
// dissolved X.A is listed as incomplete, never ranked (nothing lost).
func TestPARMovementRestatedOnMergedUnits(t *testing.T) {
	w := mergedPARProvince(t)
	db := w.DB()
	buildPAR(t, w, "default")
	got := parScores(t, db, "2026")
	type want struct {
		rank, prevRank, change int
		score, scoreChange     float64
	}
	for unit, wt := range map[string]want{
		"X.C":  {1, 2, 1, 90, 20},
		"X.AB": {2, 1, -1, 88, 3},
	} {
		g := got[unit]
		if g.rank == nil || *g.rank != wt.rank || g.prevRank == nil || *g.prevRank != wt.prevRank || g.change == nil || *g.change != wt.change ||
			g.score == nil || math.Abs(*g.score-wt.score) > 1e-9 || g.scoreChange == nil || math.Abs(*g.scoreChange-wt.scoreChange) > 1e-9 {
			t.Errorf("%s: %+v, want %+v", unit, g, wt)
		}
	}
	var prev float64
	if err := db.QueryRow(`SELECT previous_score FROM par_scores WHERE period = '2026' AND unit_code = 'X.AB'`).Scan(&prev); err != nil || prev != 85 {
		t.Errorf("X.AB previous score %v (%v), want 85", prev, err)
	}
	if g, ok := got["X.A"]; !ok || g.status != "incomplete" || g.rank != nil || g.note != "đơn vị đã giải thể/sáp nhập trước cuối kỳ" {
		t.Errorf("X.A 2026 %+v, want listed incomplete as dissolved", g)
	}
	if _, ok := got["X.B"]; ok || len(got) != 3 {
		t.Errorf("2026 rows %v, want X.AB, X.C and X.A only", got)
	}
}

// mergedPARProvince is a warehouse holding PAR inputs only (no dossiers):
// communes X.A and X.B merge into the new X.AB on 2026-01-01; X.C stands
// throughout. Sheets: 2025 X.A 80, X.B 90, X.C 70; 2026 X.AB 88, X.C 90,
// and a late one of the dissolved X.A (99).
func mergedPARProvince(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	w := openWarehouse(t)
	db := w.DB()
	for _, q := range []string{
		`INSERT INTO units (unit_code, name, level, valid_to, successor_code) VALUES
			('X.A', 'Xã A', 'commune', DATE '2026-01-01', 'X.AB'),
			('X.B', 'Xã B', 'commune', DATE '2026-01-01', 'X.AB')`,
		`INSERT INTO units (unit_code, name, level, valid_from) VALUES ('X.AB', 'Xã AB', 'commune', DATE '2026-01-01')`,
		`INSERT INTO units (unit_code, name, level) VALUES ('X.C', 'Xã C', 'commune')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sheet := func(period, unit string, points float64) {
		t.Helper()
		for _, r := range []struct {
			code   string
			parent any
			depth  int
			leaf   bool
			ap     any
		}{{"I", nil, 1, false, points}, {"I.1", "I", 2, true, points}} {
			if _, err := db.Exec(`INSERT INTO par_sheet_rows VALUES (?, ?, ?, ?, ?, ?, ?, 'Tiêu chí', 100, NULL, ?, false, ?, NULL, NULL, NULL,
				'sheets', ?, ?, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`,
				period, unit, r.code, r.parent, r.depth, r.depth, r.code, r.ap, r.leaf, unit+".xlsx", r.depth); err != nil {
				t.Fatal(err)
			}
		}
	}
	sheet("2025", "X.A", 80)
	sheet("2025", "X.B", 90)
	sheet("2025", "X.C", 70)
	sheet("2026", "X.AB", 88)
	sheet("2026", "X.C", 90)
	sheet("2026", "X.A", 99) // a late sheet of the dissolved X.A: listed, never ranked
	return w
}

// A warehouse of PAR inputs alone has the periods of those inputs (the
// years 2025 and 2026, not their months) and, for each, the unit
// attribution and mergers the publications read: in 2026 X.A and X.B
// stand as X.AB (one hop), and unit_mergers says X.AB was formed from
// them on 2026-01-01. Without the PAR periods in buildPeriods the periods
// table is empty (no dossiers) and so are both.
func TestPAROnlyPeriods(t *testing.T) {
	w := mergedPARProvince(t)
	buildPAR(t, w, "default")
	db := w.DB()
	var got string
	if err := db.QueryRow(`SELECT string_agg(period || '/' || kind, ' ' ORDER BY period) FROM periods`).Scan(&got); err != nil || got != "2025/year 2026/year" {
		t.Errorf("periods %q (%v), want 2025/year 2026/year", got, err)
	}
	if err := db.QueryRow(`SELECT string_agg(unit_code || '>' || standing_unit_code || ':' || hops, ' ' ORDER BY unit_code)
		FROM unit_attribution WHERE period = '2026'`).Scan(&got); err != nil || got != "X.A>X.AB:1 X.AB>X.AB:0 X.B>X.AB:1 X.C>X.C:0" {
		t.Errorf("2026 attribution %q (%v)", got, err)
	}
	if err := db.QueryRow(`SELECT string_agg(unit_code || '<' || array_to_string(predecessor_codes, ',') || ' ' || merged_on || ' ' || new_unit, '; ')
		FROM unit_mergers WHERE period = '2026'`).Scan(&got); err != nil || got != "X.AB<X.A,X.B 2026-01-01 true" {
		t.Errorf("2026 mergers %q (%v)", got, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM unit_mergers WHERE period = '2025'`).Scan(&got); err != nil || got != "0" {
		t.Errorf("2025 mergers %q (%v), want none", got, err)
	}
}
