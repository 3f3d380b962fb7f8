package model

import (
	"database/sql"
	"testing"
	"time"
)

// Provisional periods, units with no dossiers, and data_until from the
// data. Clock testAsOf: 2026-12-01 01:30 local, grace 15 days.
func TestProvisionalAndListedUnits(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	// C has no dossier at all: it exists, so it is listed in every period,
	// unranked. D was dissolved (valid_to) before November: not listed then.
	units(t, db, "A,Xã A,commune", "B,Xã B,commune", "C,Xã C,commune")
	if _, err := db.Exec(`INSERT INTO units (unit_code, name, level, valid_to) VALUES ('D', 'Xã D', 'commune', DATE '2026-11-01')`); err != nil {
		t.Fatal(err)
	}
	insert(t, db, []dossier{
		// A's newest moment: finished 2026-11-20 09:00.
		{code: "a1", unit: "A", status: "resolved", received: "2026-10-02 08:00:00", due: "2026-10-10 17:00:00", finished: "2026-10-05 10:00:00"},
		{code: "a2", unit: "A", status: "resolved", received: "2026-11-02 08:00:00", due: "2026-11-25 17:00:00", finished: "2026-11-20 09:00:00"},
		// B's exports stopped: its newest moment is received 2026-10-06 08:00.
		{code: "b1", unit: "B", status: "processing", received: "2026-10-06 08:00:00", due: "2026-12-30 17:00:00"},
	})
	build(t, w, "calendar")

	// 2026-10 ended 2026-11-01; + 15 days = 2026-11-16 ≤ 2026-12-01: final.
	// 2026-11 ends 2026-12-01; + 15 days = 2026-12-16 > 2026-12-01: provisional.
	// 2026-Q4 and 2026 have not ended: provisional. 2026-Q3 is absent (no data).
	got := map[string]bool{}
	rows, err := db.Query(`SELECT period, provisional FROM periods`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		var prov bool
		rows.Scan(&p, &prov)
		got[p] = prov
	}
	rows.Close()
	for p, want := range map[string]bool{"2026-10": false, "2026-11": true, "2026-Q4": true, "2026-H2": true, "2026": true} {
		if g, ok := got[p]; !ok || g != want {
			t.Errorf("periods %s provisional = %v (present %v), want %v", p, g, ok, want)
		}
	}

	type row struct {
		rank        sql.NullInt64
		total       sql.NullFloat64
		until       sql.NullTime
		provisional bool
	}
	list := func(period string) map[string]row {
		out := map[string]row{}
		rows, err := db.Query(`SELECT unit_code, rank, total_score, data_until, provisional FROM index_scores WHERE period = ?`, period)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var u string
			var r row
			if err := rows.Scan(&u, &r.rank, &r.total, &r.until, &r.provisional); err != nil {
				t.Fatal(err)
			}
			out[u] = r
		}
		return out
	}
	nov := list("2026-11")
	var units []string
	for u := range nov {
		units = append(units, u)
	}
	// D (gone on 2026-11-01) is not listed in November; C is, unranked.
	if len(nov) != 3 || nov["D"] != (row{}) {
		t.Errorf("2026-11 lists %v, want A, B, C", units)
	}
	if c := nov["C"]; c.rank.Valid || c.total.Valid || c.until.Valid || !c.provisional {
		t.Errorf("C in 2026-11 = %+v, want unranked, no score, no data_until, provisional", c)
	}
	// B has a pending dossier in scope in November (received in October):
	// it is ranked, but its data reaches only 2026-10-06 08:00.
	if b := nov["B"]; !b.until.Valid || !b.until.Time.Equal(time.Date(2026, 10, 6, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("B data_until = %v, want 2026-10-06 08:00 (its newest dossier, not the run)", b.until)
	}
	// A: data_until is its newest moment, 2026-11-20 09:00, in November;
	// in October capped at the last moment inside the period,
	// 2026-10-31 23:59:59.999999 (end_at 2026-11-01 00:00 is exclusive: it
	// belongs to November, and a publication of October must not say its
	// data reaches 01/11).
	if a := nov["A"]; !a.until.Time.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("A data_until in 2026-11 = %v", a.until)
	}
	oct := list("2026-10")
	if a := oct["A"]; !a.until.Time.Equal(time.Date(2026, 10, 31, 23, 59, 59, 999999000, time.UTC)) || a.provisional {
		t.Errorf("A in 2026-10 = %+v, want data_until 2026-10-31 23:59:59.999999 and final", a)
	}
	// D existed until 2026-11-01 (valid_to = the 2026-10 end): in October
	// it is listed, unranked, as is C.
	if _, ok := oct["D"]; !ok {
		t.Errorf("D missing from 2026-10 (it exists at its end)")
	}
	if c, ok := oct["C"]; !ok || c.rank.Valid {
		t.Errorf("C in 2026-10 = %+v (listed %v), want listed unranked", c, ok)
	}
}

// Outdated: with no new data, time alone turns 2026-11 final once the
// grace has passed (2026-12-16), and the model must then be rebuilt.
func TestOutdatedWhenPeriodTurnsFinal(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	units(t, db, "A,Xã A,commune")
	insert(t, db, []dossier{{code: "a1", unit: "A", status: "resolved", received: "2026-11-02 08:00:00", due: "2026-11-25 17:00:00", finished: "2026-11-20 09:00:00"}})
	build(t, w, "calendar")
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 12, 15, 23, 0, 0, 0, time.UTC), false}, // 2026-11 still provisional
		{time.Date(2026, 12, 16, 0, 30, 0, 0, time.UTC), true},  // 2026-11 final now
	} {
		got, err := Outdated(t.Context(), db, AsOf{Now: c.now, Grace: testAsOf.Grace}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("Outdated at %s = %v, want %v", c.now, got, c.want)
		}
	}
}
