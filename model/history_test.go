package model

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	registry "github.com/cchc/cchc/units"
)

// loadMerger fills a warehouse with testdata/merger: the registry (two
// districts dissolved on 2025-07-01, their communes re-parented to the
// province; xã A and xã B merged into the new xã An Bình on 2025-08-15,
// mid-quarter) and its dossiers, and builds the model with a one-indicator
// methodology whose score is 100 × the on-time share of resolved dossiers.
func loadMerger(t *testing.T) *sql.DB {
	t.Helper()
	w := openWarehouse(t)
	db := w.DB()
	reg, err := registry.Load("testdata/merger/units.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range reg.Units {
		if _, err := db.Exec(`INSERT INTO units (unit_code, name, level, parent_code, valid_from, valid_to, successor_code)
			VALUES (?, ?, ?, nullif(?, ''), ?, ?, nullif(?, ''))`,
			u.Code, u.Name, u.Level, u.ParentCode, u.ValidFrom, u.ValidTo, u.SuccessorCode); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open("testdata/merger/dossiers.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ds []dossier
	for _, r := range recs[1:] {
		ds = append(ds, dossier{code: r[0], unit: r[1], status: r[2], received: r[3], due: r[4], finished: r[5]})
	}
	insert(t, db, ds)
	m, err := LoadMethodology("testdata/merger/methodology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := Build(context.Background(), db, "calendar", m, testAsOf); err != nil {
		t.Fatal(err)
	}
	checkIdentities(t, db)
	return db
}

func rowsOf(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var f []string
		for _, v := range vals {
			switch x := v.(type) {
			case nil:
				f = append(f, "-")
			case float64:
				f = append(f, fmt.Sprintf("%.3f", math.Round(x*1000)/1000))
			default:
				f = append(f, fmt.Sprint(x))
			}
		}
		out = append(out, strings.Join(f, ":"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

// Statistics after attribution, by hand (received, carried over, resolved,
// early, on time, late, pending):
//
// 2025-Q2 (ends 2025-07-01, every unit stands: the districts' valid_to is
// the period's end, so they existed on its last day):
//
//	X.A a1 on time, a2 late; X.B b1–b3 on time, b4 late; X.C c1 on time,
//	c2–c3 late; X.E e1 on time; H.D h1 on time, h2 pending (due 20/07);
//	H.T t1 late.
//
// 2025-Q3 (ends 2025-10-01): X.A and X.B were merged on 2025-08-15, so
// their Q3 dossiers (a3, a4 — received after the merger by an export that
// still names xã A — and b5) count for X.AB with ab1 and ab2: received 5,
// resolved 4 (a3, a4, ab1 on time, b5 late), pending 1 (ab2, in time).
// The districts were dissolved on Q3's first day: H.D, which has no
// successor, keeps h2 (carried over, resolved early) in dossier_stats
// but has no score row; H.T has nothing.
//
// 2025 (ends 2026-01-01): X.AB, created mid-year, has the whole year of
// xã A and xã B: received 11, resolved 10 (a1, b1, b2, b3, a3, a4, ab1
// on time; a2, b4, b5 late), pending 1 (ab2).
func TestMergerStatistics(t *testing.T) {
	db := loadMerger(t)
	got := rowsOf(t, db, `SELECT period, unit_code, received_total, carried_over, resolved_total, resolved_early, resolved_on_time, resolved_late, pending_total
		FROM dossier_stats WHERE field = '*' AND period IN ('2025-Q2', '2025-Q3', '2025') ORDER BY period, unit_code`)
	want := strings.Join([]string{
		"2025:H.D:2:0:2:1:1:0:0", "2025:H.T:1:0:1:0:0:1:0",
		"2025:X.AB:11:0:10:0:7:3:1", "2025:X.C:5:0:5:0:3:2:0", "2025:X.E:3:0:3:0:2:1:0",
		"2025-Q2:H.D:2:0:1:0:1:0:1", "2025-Q2:H.T:1:0:1:0:0:1:0",
		"2025-Q2:X.A:2:0:2:0:1:1:0", "2025-Q2:X.B:4:0:4:0:3:1:0", "2025-Q2:X.C:3:0:3:0:1:2:0", "2025-Q2:X.E:1:0:1:0:1:0:0",
		"2025-Q3:H.D:1:1:1:1:0:0:0",
		"2025-Q3:X.AB:5:0:4:0:3:1:1", "2025-Q3:X.C:2:0:2:0:2:0:0", "2025-Q3:X.E:2:0:2:0:1:1:0",
	}, " ")
	if got != want {
		t.Errorf("dossier_stats\n got %s\nwant %s", got, want)
	}
	// No dissolved unit with a successor has statistics after its valid_to.
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM dossier_stats s JOIN periods p USING (period) JOIN units u USING (unit_code)
		WHERE u.successor_code IS NOT NULL AND u.valid_to < p.end_at`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d statistics rows of merged units after their merger (%v)", n, err)
	}
	// indicator_values are attributed the same way.
	got = rowsOf(t, db, `SELECT unit_code, numerator, denominator FROM indicator_values WHERE period = '2025-Q3' ORDER BY unit_code`)
	if want := "H.D:1.000:1.000 X.AB:3.000:4.000 X.C:2.000:2.000 X.E:1.000:2.000"; got != want {
		t.Errorf("indicator_values 2025-Q3 = %s, want %s", got, want)
	}
}

// Ranks and restated movement, by hand (score = 100 × on-time share):
//
// 2025-Q2 communes: X.E 100 (1), X.B 75 (2), X.A 50 (3), X.C 33.333 (4);
// districts (they stand at Q2's end): H.D 100 (1; h2 still pending), H.T 0 (2).
//
// 2025-Q3 communes: X.C 2/2 = 100 (1), X.AB 3/4 = 75 (2), X.E 1/2 = 50
// (3). No district stands at Q3's end, so none is ranked, not even H.D
// with its carried-over h2 (Q3 starts on its valid_to).
//
// Q2 restated on Q3's units: X.AB has a1–a2 and b1–b4, 4/6 = 66.667 (2);
// X.E 100 (1); X.C 33.333 (3). So X.C: previous rank 3 → 1, +2, score
// +66.667; X.AB: 2 → 2, 0, +8.333; X.E: 1 → 3, −2, −50. (Not restated,
// X.C would have been 4th of 4 and X.AB would have no previous rank.)
//
// 2025: X.AB 7/10 = 70 (1), X.E 2/3 = 66.667 (2), X.C 3/5 = 60 (3).
func TestMergerRanksAndMovement(t *testing.T) {
	db := loadMerger(t)
	got := rowsOf(t, db, `SELECT period, unit_code, total_score, rank, peer_count, previous_rank, previous_score, rank_change, score_change
		FROM index_scores WHERE period IN ('2025-Q2', '2025-Q3', '2025') ORDER BY period, peer_group, rank, unit_code`)
	want := strings.Join([]string{
		"2025:X.AB:70.000:1:3:-:-:-:-", "2025:X.E:66.667:2:3:-:-:-:-", "2025:X.C:60.000:3:3:-:-:-:-",
		"2025-Q2:X.E:100.000:1:4:-:-:-:-", "2025-Q2:X.B:75.000:2:4:-:-:-:-", "2025-Q2:X.A:50.000:3:4:-:-:-:-", "2025-Q2:X.C:33.333:4:4:-:-:-:-",
		"2025-Q2:H.D:100.000:1:2:-:-:-:-", "2025-Q2:H.T:0.000:2:2:-:-:-:-",
		"2025-Q3:X.C:100.000:1:3:3:33.333:2:66.667", "2025-Q3:X.AB:75.000:2:3:2:66.667:0:8.333", "2025-Q3:X.E:50.000:3:3:1:100.000:-2:-50.000",
	}, " ")
	if got != want {
		t.Errorf("index_scores\n got %s\nwant %s", got, want)
	}
	// The mergers that affect each period, for the publications.
	got = rowsOf(t, db, `SELECT period, unit_code, merged_on, new_unit, array_to_string(predecessor_codes, '+') FROM unit_mergers
		WHERE period IN ('2025-Q2', '2025-Q3', '2025-08', '2025-09', '2025') ORDER BY period, unit_code`)
	if want := "2025:X.AB:2025-08-15 00:00:00 +0000 UTC:true:X.A+X.B 2025-08:X.AB:2025-08-15 00:00:00 +0000 UTC:true:X.A+X.B 2025-Q3:X.AB:2025-08-15 00:00:00 +0000 UTC:true:X.A+X.B"; got != want {
		t.Errorf("unit_mergers = %s\nwant %s", got, want)
	}
}
