package publish

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"
)

// batchPeriods are the fixture's periods and three more (batchSQL):
// 2025-Q4, when H.BAVI bore its old name; 2026-Q4, provisional, with
// rows for H.BAVI and S.TC only (no row at all for H.SONTAY, H.AB, S.YT);
// and 2026-10, a period in the periods table with no rows anywhere.
var batchPeriods = []string{"2025-Q4", "2026-Q2", "2026-Q3", "2026-Q4", "2026-10"}

var batchSQL = []string{
	`INSERT INTO periods VALUES
		('2025-Q4', 'quarter', 'calendar', TIMESTAMP '2025-10-01', TIMESTAMP '2026-01-01', '2025-Q3', false),
		('2026-Q4', 'quarter', 'calendar', TIMESTAMP '2026-10-01', TIMESTAMP '2027-01-01', '2026-Q3', true),
		('2026-10', 'month', 'calendar', TIMESTAMP '2026-10-01', TIMESTAMP '2026-11-01', '2026-09', true)`,
	// With freshness 72h, the cutoff of 2026-Q4 is the last modelled run's
	// start (run 7, 2026-10-02 01:30, before the period's end) minus 72h:
	// 2026-09-29 01:30. H.BAVI's data ends exactly there (not stale),
	// S.TC's a microsecond before (stale). 2025-Q4's H.BAVI has no
	// data_until (stale). The previous peer count of 2026-Q4's district
	// ranking is 1 (H.BAVI's previous rank), not Q3's.
	`INSERT INTO index_scores (methodology, methodology_version, period, unit_code, peer_group, group_scores,
		na_indicators, total_score, rank, peer_count, tier, previous_rank, rank_change, score_change, data_until, provisional) VALUES
		('default', '0.9', '2025-Q4', 'H.BAVI', 'district', '{"OLD":70}', [], 70, 1, 1, 'Khá', NULL, NULL, NULL, NULL, false),
		('default', '1.0', '2026-Q4', 'H.BAVI', 'district', '{"CKMB":10,"TDGQ":11}', ['paid_online'], 21, 1, 1, 'Yếu', 1, 0, -70.4321, TIMESTAMP '2026-09-29 01:30:00', true),
		('default', '1.0', '2026-Q4', 'S.TC', 'department', '{"CKMB":12}', [], 12, 1, 1, 'Yếu', NULL, NULL, NULL, TIMESTAMP '2026-09-29 01:29:59.999999', true)`,
	`INSERT INTO indicator_values VALUES
		('default', '1.0', '2026-Q4', 'H.BAVI', 'CKMB', 'sync', 10, 100, 0.1, 1.0, 1.8, 18)`,
	`INSERT INTO dossier_stats (period, unit_code, field, received_total, received_online, received_direct_postal, carried_over,
		resolved_total, resolved_early, resolved_on_time, resolved_late, pending_total, pending_in_time, pending_overdue,
		withdrawn, rejected, stopped, supplement_requested) VALUES
		('2025-Q4', 'H.BAVI', '*', 5, 5, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0),
		('2026-Q4', 'S.TC', 'Đất đai', 2, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0)`,
	// A merger in 2026-Q3 only (history_test.go).
	`INSERT INTO units (unit_code, name, level, valid_from, valid_to, successor_code) VALUES
		('H.OLD', 'Huyện Cũ', 'district', NULL, DATE '2026-09-01', 'H.SONTAY')`,
	`INSERT INTO unit_attribution VALUES ('2026-Q3', 'H.OLD', 'H.SONTAY', false, 1)`,
}

// Loading the publications of several periods at once (loadBatch, as
// Periods does) gives each period exactly what loading it alone gives
// (Period): no row, name, previous peer count, indicator, merger, stale
// flag or form II.06a figure leaks from one period into another, and a
// period missing rows gets none. The single-period load is the one the
// golden files of TestPeriod check byte for byte.
func TestBatchMatchesPeriodAlone(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	for _, q := range batchSQL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	opts := Options{Freshness: 72 * time.Hour}
	formats, _ := formatSet(nil)
	b, err := loadBatch(ctx, db, batchPeriods, opts, formats)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]publication{}
	for _, p := range batchPeriods {
		var all, alone publication
		if all.Period, err = pickPeriod(b.periods, p); err != nil {
			t.Fatal(err)
		}
		if err := b.fill(&all, opts); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if alone.Period, err = loadPeriod(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		if err := loadPublication(ctx, db, &alone, opts, formats); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !reflect.DeepEqual(all, alone) {
			t.Errorf("%s loaded with %v differs from %s loaded alone:\n%+v\n%+v", p, batchPeriods, p, all, alone)
		}
		got[p] = all
	}

	// The cases above are there (so the comparison is not vacuous).
	rank := func(p, peer string) ranking {
		for _, r := range got[p].Rankings {
			if r.PeerGroup == peer && r.Methodology == "default" {
				return r
			}
		}
		t.Fatalf("%s: no default %s ranking", p, peer)
		return ranking{}
	}
	if r := rank("2025-Q4", "district"); len(r.Rows) != 1 || r.Rows[0].UnitName != "Huyện Ba Vì (cũ)" || !r.Rows[0].Stale {
		t.Errorf("2025-Q4 district rows %+v, want H.BAVI alone, named Huyện Ba Vì (cũ), stale", r.Rows)
	}
	if r := rank("2026-Q3", "district"); len(r.Rows) != 3 || r.Rows[0].UnitName != "Huyện Ba Vì" || *r.Rows[0].PrevPeer != 2 {
		t.Errorf("2026-Q3 district rows %+v, want 3, H.BAVI first named Huyện Ba Vì, 2 previous peers", r.Rows)
	}
	q4 := rank("2026-Q4", "district")
	if len(q4.Rows) != 1 || q4.Rows[0].Stale || *q4.Rows[0].PrevPeer != 1 || len(q4.Indicators) != 1 || q4.Rows[0].Merged != nil {
		t.Errorf("2026-Q4 district %+v, want H.BAVI alone, not stale, 1 previous peer, one indicator, no merger", q4)
	}
	if r := rank("2026-Q4", "department"); len(r.Rows) != 1 || !r.Rows[0].Stale {
		t.Errorf("2026-Q4 department rows %+v, want S.TC alone, stale", r.Rows)
	}
	if !got["2026-Q4"].Period.Provisional || got["2026-Q3"].Period.Provisional {
		t.Errorf("provisional: 2026-Q4 %v, 2026-Q3 %v", got["2026-Q4"].Period.Provisional, got["2026-Q3"].Period.Provisional)
	}
	if n := len(got["2026-Q3"].Mergers); n != 1 {
		t.Errorf("2026-Q3 has %d mergers, want 1", n)
	}
	if e := got["2026-10"]; len(e.Rankings) != 0 || len(e.Stats) != 0 || len(e.Mergers) != 0 {
		t.Errorf("2026-10 has rankings %v, stats %v, mergers %v; want none", e.Rankings, e.Stats, e.Mergers)
	}
	if s := got["2025-Q4"].Stats; len(s) != 1 || len(s[0].Units) != 1 || s[0].Units[0].Name != "Huyện Ba Vì (cũ)" {
		t.Errorf("2025-Q4 form II.06a %+v, want H.BAVI alone, named Huyện Ba Vì (cũ)", s)
	}
}

// The stale flag, now decided in Go (finishRankings), is the one DuckDB's
// comparison of data_until with the cutoff gave (coalesce(data_until <
// cutoff, true)), at the microsecond: the cutoff bound as a parameter is
// truncated to microseconds as a TIMESTAMP.
func TestStaleMatchesDuckDB(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	until := time.Date(2026, 9, 29, 1, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		dataUntil *time.Time
		cutoff    time.Time
	}{
		{"equal", &until, until},
		{"a microsecond before", &until, until.Add(time.Microsecond)},
		{"a microsecond after", &until, until.Add(-time.Microsecond)},
		{"cutoff with nanoseconds", &until, until.Add(500 * time.Nanosecond)},
		{"no data_until", nil, until},
	} {
		var want bool
		if err := db.QueryRowContext(ctx, `SELECT coalesce(CAST(? AS TIMESTAMP) < CAST(? AS TIMESTAMP), true)`, tc.dataUntil, tc.cutoff).Scan(&want); err != nil {
			t.Fatal(err)
		}
		rs, err := finishRankings([]ranking{{Methodology: "default", Version: "1.0", PeerGroup: "district", Rows: []rankRow{{UnitCode: "H.X", DataUntil: tc.dataUntil}}}}, &tc.cutoff, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := rs[0].Rows[0].Stale; got != want {
			t.Errorf("%s: stale %v, DuckDB says %v", tc.name, got, want)
		}
	}
}

// A publication runs with DuckDB's thread count at 1 and restores it
// after, also when publications overlap (the last one restores it).
func TestPinOneThread(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	threads := func() int {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := db.ExecContext(ctx, "SET threads = 3"); err != nil {
		t.Fatal(err)
	}
	unpin1, err := pinOneThread(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	unpin2, err := pinOneThread(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if n := threads(); n != 1 {
		t.Errorf("pinned: threads %d, want 1", n)
	}
	unpin1()
	unpin1() // twice is once
	if n := threads(); n != 1 {
		t.Errorf("one of two pins left: threads %d, want 1", n)
	}
	unpin2()
	if n := threads(); n != 3 {
		t.Errorf("unpinned: threads %d, want 3", n)
	}
	if _, _, err := Periods(ctx, db, []string{testPeriod}, Options{Dir: t.TempDir()}, nil); err != nil {
		t.Fatal(err)
	}
	if n := threads(); n != 3 {
		t.Errorf("after Periods: threads %d, want 3", n)
	}
	// A restore that fails is reported (from a review): the database
	// would otherwise stay on one thread for the rest of the process.
	unpin3, err := pinOneThread(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := unpin3(); err == nil {
		t.Error("unpin on a closed database reported no error")
	}
}

// Periods reads the batches in runs of 2, 4, 8... periods (loadBatches),
// each period's batch holding it; a name that is not a period is left for
// publishPeriod to fail, and once a period failed no batch is read.
func TestLoadBatches(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	for _, q := range batchSQL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	ps := []string{"2026-Q3", "2026-Q2", "nope", "2026-Q4", "2026-10", "2025-Q4", "2026-Q3"}
	var failed atomic.Bool
	loads, loaded := loadBatches(ctx, db, ps, Options{Dir: t.TempDir()}, 2, &failed)
	loaded.Wait()
	// Runs: [0 1] [2 3 4 5] [6].
	for i, want := range []int{0, 0, 1, 1, 1, 1, 2} {
		if loads[i] != loads[[]int{0, 2, 6}[want]] {
			t.Errorf("period %d (%s) is not in run %d", i, ps[i], want)
		}
		b := loads[i].wait()
		if b == nil {
			t.Fatalf("period %d (%s): no batch", i, ps[i])
		}
		if _, ok := b.periods[ps[i]]; !ok && ps[i] != "nope" {
			t.Errorf("period %d (%s): not in its batch (%v)", i, ps[i], b.periods)
		}
	}
	if r := loads[2].wait().rankings; len(r["2026-Q4"]) == 0 || len(r["2026-Q3"]) != 0 {
		t.Errorf("second run's rankings are of %v, want 2026-Q4, 2026-10, 2025-Q4 only", r)
	}

	failed.Store(true)
	loads, loaded = loadBatches(ctx, db, ps, Options{Dir: t.TempDir()}, 2, &failed)
	loaded.Wait()
	for i := range ps {
		if loads[i].wait() != nil {
			t.Errorf("period %d (%s) has a batch read after a failure", i, ps[i])
		}
	}
}
