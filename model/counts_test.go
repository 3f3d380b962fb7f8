package model

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	cchcsql "github.com/cchc/cchc/sql"
)

// The indicators computed from outcome_counts (every expression of the
// default methodology is counts) equal those aggregated from the outcomes
// (the same methodology with one numerator written as a sum, which is not
// taken from counts), restated movement across the merger of xã A and xã
// B included.
func TestCountsEqualOutcomes(t *testing.T) {
	db := loadMerger(t)
	def, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const count = `numerator: count(*) FILTER (WHERE outcome IN ('early', 'on_time', 'pending_in_time'))`
	const sum = `numerator: sum(CASE WHEN outcome IN ('early', 'on_time', 'pending_in_time') THEN 1 ELSE 0 END)`
	if !strings.Contains(string(def), count) {
		t.Fatal("default.yaml has no on_time numerator to rewrite")
	}
	path := filepath.Join(t.TempDir(), "sum.yaml")
	if err := osWriteFile(path, strings.Replace(string(def), count, sum, 1)); err != nil {
		t.Fatal(err)
	}
	linear, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	summed, err := LoadMethodology(path)
	if err != nil {
		t.Fatal(err)
	}
	results := map[bool]string{}
	for _, m := range []*Methodology{linear, summed} {
		p, err := planCounts(cchcsql.Models, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := Build(context.Background(), db, "calendar", m, testAsOf); err != nil {
			t.Fatal(err)
		}
		checkIdentities(t, db)
		cols := rowsOf(t, db, `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'outcome_counts' AND regexp_matches(column_name, '^c[0-9]+$')`)
		results[p.linear] = rowsOf(t, db, `SELECT period, unit_code, group_code, indicator_code, numerator, denominator, rate, points
			FROM indicator_values ORDER BY ALL`) + "\n" +
			rowsOf(t, db, `SELECT period, unit_code, total_score, rank, previous_score, score_change FROM index_scores ORDER BY ALL`)
		// The default's distinct count calls: sync 2, on_time 2, online 2,
		// paid_online 2, satisfaction 2 and 3 more in its rate (the
		// finished count again is the same call), the three digitisation
		// indicators 6: 19. None when not linear.
		if want := map[bool]string{true: "19", false: "0"}[p.linear]; cols != want {
			t.Errorf("linear %v: outcome_counts has %s count columns, want %s", p.linear, cols, want)
		}
	}
	if len(results) != 2 {
		t.Fatalf("the two methodologies were not planned differently: %v", len(results))
	}
	if results[true] != results[false] {
		t.Errorf("from counts:\n%s\nfrom outcomes:\n%s", results[true], results[false])
	}
	if !strings.Contains(results[true], "2025-Q3") {
		t.Errorf("no 2025-Q3 scores: %s", results[true])
	}
}

// oneDossierBuilt is a warehouse with one dossier of xã A (March 2026) and
// its model built under the default methodology, and a connection of its
// own (the temporary tables a run's commit leaves are per connection).
func oneDossierBuilt(t *testing.T) (*sql.Conn, *Methodology) {
	t.Helper()
	w := openWarehouse(t)
	units(t, w.DB(), "A,Xã A,commune")
	insert(t, w.DB(), []dossier{{code: "A-1", unit: "A", status: "resolved", received: "2026-03-02 08:00:00",
		due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00", channel: "online"}})
	build(t, w, "calendar")
	c, err := w.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	return c, m
}

// A run that is not full takes a delta only onto counts made by the same
// definition (the same counts, the same schema): counts stamped by
// anything else are rebuilt whole.
func TestCountsStampForcesFull(t *testing.T) {
	ctx := context.Background()
	c, m := oneDossierBuilt(t)
	// What a run's commit leaves when it changed nothing.
	run := func() Built {
		t.Helper()
		if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE dossier_changes (received_at TIMESTAMP, finished_at TIMESTAMP);
			CREATE OR REPLACE TEMP TABLE dossier_removed AS SELECT * FROM dossiers LIMIT 0;
			CREATE OR REPLACE TEMP TABLE merge_run AS SELECT 99::BIGINT AS run_id, now()::TIMESTAMP AS loaded_at`); err != nil {
			t.Fatal(err)
		}
		b, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, false)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := run(); b.Full {
		t.Error("same stamp: a full build; want a delta")
	}
	if _, err := c.ExecContext(ctx, `COMMENT ON TABLE outcome_counts IS 'outcome_counts 0000 schema 1'`); err != nil {
		t.Fatal(err)
	}
	if b := run(); !b.Full {
		t.Error("another stamp: a delta; want a full build")
	}
	if b := run(); b.Full {
		t.Error("after the full build: a full build; want a delta")
	}
}

// A count that reads the unit (or the period) is not taken from
// outcome_counts: restated on the period's units, the previous period's
// rows read those units (dossier_outcomes_restated), not the ones they
// were counted with. The on-time share of the merger fixture restricted
// to dossiers of units that still stand for themselves, written as a
// count and as a sum, gives the same scores and movement (it did not when
// the count was taken from outcome_counts: X.AB's previous score for
// 2025-Q3 was 53.333 against 26.667).
func TestCountsReadingTheUnit(t *testing.T) {
	db := loadMerger(t)
	body, err := os.ReadFile("testdata/merger/methodology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const num = `numerator: "count(*) FILTER (WHERE finished_in_period AND outcome IN ('early', 'on_time'))"`
	if !strings.Contains(string(body), num) {
		t.Fatal("the merger methodology has no numerator to rewrite")
	}
	var got []string
	for _, n := range []string{
		`numerator: "count(*) FILTER (WHERE finished_in_period AND outcome IN ('early', 'on_time') AND unit_code = received_unit_code)"`,
		`numerator: "sum(CASE WHEN finished_in_period AND outcome IN ('early', 'on_time') AND unit_code = received_unit_code THEN 1 ELSE 0 END)"`,
	} {
		path := filepath.Join(t.TempDir(), "m.yaml")
		if err := osWriteFile(path, strings.Replace(string(body), num, n, 1)); err != nil {
			t.Fatal(err)
		}
		m, err := LoadMethodology(path)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := planCounts(cchcsql.Models, m); err != nil || p.linear {
			t.Fatalf("%s: linear %v, %v; want the outcomes route", n, p.linear, err)
		}
		if err := Build(context.Background(), db, "calendar", m, testAsOf); err != nil {
			t.Fatal(err)
		}
		got = append(got, rowsOf(t, db, `SELECT period, unit_code, total_score, previous_score, score_change FROM index_scores ORDER BY ALL`))
	}
	if got[0] != got[1] {
		t.Errorf("count:\n%s\nsum:\n%s", got[0], got[1])
	}
	if !strings.Contains(got[0], "2025-Q3") {
		t.Errorf("no 2025-Q3 scores: %s", got[0])
	}
}

// Counts that a delta would drive below zero no longer match the
// dossiers: the build fails (the run is partial and the next one rebuilds
// the model whole) instead of dropping the key.
func TestCountsBelowZeroFail(t *testing.T) {
	ctx := context.Background()
	c, m := oneDossierBuilt(t)
	// Run 99 replaces A-1 by A-2 (same dates, another field), while the
	// counts (corrupted here, their recorded state intact) no longer hold
	// 0 − 1 in March, Q1, H1 and 2026 for A-1's field.
	if _, err := c.ExecContext(ctx, `UPDATE outcome_counts SET received_total = 0;
		CREATE OR REPLACE TEMP TABLE dossier_removed AS SELECT * FROM dossiers;
		DELETE FROM dossiers;
		INSERT INTO dossiers SELECT * REPLACE ('A-2' AS dossier_code, 'Khác' AS field, 99 AS run_id) FROM dossier_removed;
		CREATE OR REPLACE TEMP TABLE dossier_changes AS SELECT received_at, finished_at FROM dossier_removed;
		CREATE OR REPLACE TEMP TABLE merge_run AS SELECT 99::BIGINT AS run_id, now()::TIMESTAMP AS loaded_at`); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, false); err == nil || !strings.Contains(err.Error(), "the counts of 4 keys (period, unit, receiving unit, field) would fall below zero") {
		t.Errorf("err = %v, want the counts of 4 keys below zero", err)
	}
}

// A delta applies only to counts that recorded the dossiers as they were
// before the run: a version no run recorded (here A-9, written under run
// 1 behind the counts' back) makes the counts anew.
func TestDeltaNeedsRecordedState(t *testing.T) {
	ctx := context.Background()
	c, m := oneDossierBuilt(t)
	if _, err := c.ExecContext(ctx, `INSERT INTO dossiers SELECT * REPLACE ('A-9' AS dossier_code) FROM dossiers;
		CREATE OR REPLACE TEMP TABLE dossier_changes (received_at TIMESTAMP, finished_at TIMESTAMP);
		CREATE OR REPLACE TEMP TABLE dossier_removed AS SELECT * FROM dossiers LIMIT 0;
		CREATE OR REPLACE TEMP TABLE merge_run AS SELECT 99::BIGINT AS run_id, now()::TIMESTAMP AS loaded_at`); err != nil {
		t.Fatal(err)
	}
	b, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, false)
	if err != nil || !b.Full || b.Counts != CountsAnew {
		t.Errorf("build: %v, full %v, counts %s; want every dossier counted", err, b.Full, b.Counts)
	}
}

// The stamp changes with the counts' query and with the outcome views it
// counts (09, 10): counts made by a cchc whose outcome rules differ are
// rebuilt whole, not added to.
func TestCountsStampCoversOutcomeViews(t *testing.T) {
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	for _, name := range []string{"models/09_outcome_units.sql", "models/10_dossier_outcomes.sql", "models/20_outcome_counts.sql", "models/30_model_fresh.sql"} {
		b, err := fs.ReadFile(cchcsql.Models, name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: b}
	}
	stamp := func() string {
		t.Helper()
		p, err := planCounts(files, m)
		if err != nil {
			t.Fatal(err)
		}
		return p.stamp
	}
	base := stamp()
	for _, name := range []string{"models/09_outcome_units.sql", "models/10_dossier_outcomes.sql", "models/20_outcome_counts.sql"} {
		old := files[name].Data
		files[name] = &fstest.MapFile{Data: append(append([]byte{}, old...), "\n-- changed"...)}
		if stamp() == base {
			t.Errorf("a change of %s keeps the stamp", name)
		}
		files[name] = &fstest.MapFile{Data: old}
	}
	// What the counts do not read does not matter.
	files["models/30_model_fresh.sql"] = &fstest.MapFile{Data: []byte("-- changed")}
	if stamp() != base {
		t.Error("a change of 30_model_fresh.sql changes the stamp")
	}
}

// A full build of dossiers the counts already counted keeps them: a new
// methodology version with other points and thresholds but the same
// counts, a rebuild with nothing loaded, or a registry change that moves
// who stands for whom (the counts relabelled), reads outcome_counts as it
// is, and gives what counting every dossier again gives. Any change to
// the dossiers since (a version added by a later run, one removed) counts
// anew.
func TestCountsKept(t *testing.T) {
	ctx := context.Background()
	db := loadMerger(t)
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body, err := os.ReadFile("testdata/merger/methodology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Other points, another threshold: the same count calls.
	reweighted := strings.NewReplacer("threshold: 1,", "threshold: 0.8,", `version: "1"`, `version: "9"`).Replace(string(body))
	path := filepath.Join(t.TempDir(), "reweighted.yaml")
	if err := osWriteFile(path, reweighted); err != nil {
		t.Fatal(err)
	}
	tables := func() string {
		return rowsOf(t, db, `SELECT * FROM outcome_counts ORDER BY ALL`) + "\n" +
			rowsOf(t, db, `SELECT * FROM dossier_stats ORDER BY ALL`) + "\n" +
			rowsOf(t, db, `SELECT * FROM indicator_values ORDER BY ALL`) + "\n" +
			rowsOf(t, db, `SELECT * FROM index_scores ORDER BY ALL`)
	}
	build := func(methodology string, want string) Built {
		t.Helper()
		m, err := LoadMethodology(methodology)
		if err != nil {
			t.Fatal(err)
		}
		b, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, true)
		if err != nil {
			t.Fatal(err)
		}
		if !b.Full || b.Counts != want {
			t.Errorf("%s: full %v, counts %s; want a full build, counts %s", methodology, b.Full, b.Counts, want)
		}
		checkIdentities(t, db)
		if want != CountsKept {
			return b
		}
		// What counting every dossier again gives.
		kept := tables()
		if _, err := c.ExecContext(ctx, `DROP TABLE outcome_counts`); err != nil {
			t.Fatal(err)
		}
		if b, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, true); err != nil || b.Counts != CountsAnew {
			t.Fatalf("recount: %v, counts %s", err, b.Counts)
		}
		if anew := tables(); kept != anew {
			t.Errorf("%s: the counts kept give\n%s\nwant, counting anew,\n%s", methodology, kept, anew)
		}
		return b
	}
	const merger = "testdata/merger/methodology.yaml"
	build(merger, CountsKept)
	build(path, CountsKept)
	if !strings.Contains(rowsOf(t, db, `SELECT DISTINCT methodology_version FROM indicator_values`), "9") {
		t.Fatal("the reweighted methodology was not built")
	}
	// A version added by a later run.
	if _, err := c.ExecContext(ctx, `INSERT INTO dossiers SELECT * REPLACE ('NEW-1' AS dossier_code, 2 AS run_id) FROM dossiers LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	build(path, CountsAnew)
	build(path, CountsKept)
	// A version removed.
	if _, err := c.ExecContext(ctx, `DELETE FROM dossiers WHERE dossier_code = 'NEW-1'`); err != nil {
		t.Fatal(err)
	}
	build(merger, CountsAnew)
	// Another unit standing for another: a successor removed. The
	// dissolved units keep their own dossiers again; the counts are
	// relabelled, not made again, and equal a recount (build compares).
	if _, err := c.ExecContext(ctx, `UPDATE units SET valid_to = NULL, successor_code = NULL WHERE successor_code IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if b := build(merger, CountsKept); b.Relabelled == 0 {
		t.Error("a successor removed relabelled no counts")
	}
	if b := build(merger, CountsKept); b.Relabelled != 0 {
		t.Errorf("a rebuild with the same registry relabelled %d rows", b.Relabelled)
	}
}

// unit_covered, each unit code's newest moment (data_until), follows a
// run's changes: a removed version that held the unit's newest moment
// sends the unit back to its dossiers; any other unit takes the newest of
// its old moment and the added versions'.
func TestCoveredDelta(t *testing.T) {
	ctx := context.Background()
	w := openWarehouse(t)
	units(t, w.DB(), "A,Xã A,commune", "B,Xã B,commune")
	// A: A-1 reaches 5 March (finished), A-2 20 March. B: B-1 10 March.
	insert(t, w.DB(), []dossier{
		{code: "A-1", unit: "A", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00"},
		{code: "A-2", unit: "A", status: "resolved", received: "2026-03-03 08:00:00", due: "2026-03-30 17:00:00", finished: "2026-03-20 10:00:00"},
		{code: "B-1", unit: "B", status: "resolved", received: "2026-03-04 08:00:00", due: "2026-03-30 17:00:00", finished: "2026-03-10 10:00:00"},
	})
	build(t, w, "calendar")
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	// Run 2 redelivers A-2 finished on 12 March (A's newest moment goes
	// back to 12 March, not 20) and B-1 finished on 25 March (B moves on).
	if _, err := c.ExecContext(ctx, `
		CREATE OR REPLACE TEMP TABLE dossier_removed AS SELECT * FROM dossiers WHERE dossier_code IN ('A-2', 'B-1');
		CREATE OR REPLACE TEMP TABLE dossier_changes AS SELECT received_at, finished_at FROM dossier_removed;
		DELETE FROM dossiers WHERE dossier_code IN ('A-2', 'B-1');
		INSERT INTO dossiers SELECT * REPLACE (finished_at + INTERVAL 8 DAY * (CASE WHEN dossier_code = 'A-2' THEN -1 ELSE 1 END) + INTERVAL 7 DAY * (CASE WHEN dossier_code = 'B-1' THEN 1 ELSE 0 END) AS finished_at, 2 AS run_id)
			FROM dossier_removed;
		INSERT INTO dossier_changes SELECT received_at, finished_at FROM dossiers WHERE run_id = 2;
		CREATE OR REPLACE TEMP TABLE merge_run AS SELECT 2::BIGINT AS run_id, now()::TIMESTAMP AS loaded_at`); err != nil {
		t.Fatal(err)
	}
	b, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, false)
	if err != nil || b.Counts != CountsDelta {
		t.Fatalf("build: %v, counts %s; want a delta", err, b.Counts)
	}
	got := rowsOf(t, w.DB(), `SELECT unit_code, strftime(covered, '%d/%m %H:%M') FROM unit_covered ORDER BY ALL`)
	// A: A-1 5 March, A-2 now 20 − 8 = 12 March. B: 10 + 15 = 25 March.
	if want := "A:12/03 10:00 B:25/03 10:00"; got != want {
		t.Errorf("unit_covered after the delta:\n%s\nwant\n%s", got, want)
	}
}

// A merger registered after the counts were made: B dissolves into A on
// 1 March 2026. The counts are kept and relabelled, not made again, and
// each period counts B's dossiers where B no longer stood at its end under
// A, the receiving unit kept.
func TestCountsRelabelled(t *testing.T) {
	ctx := context.Background()
	w := openWarehouse(t)
	units(t, w.DB(), "A,Xã A,commune", "B,Xã B,commune")
	// Each finished in the month it was received, so it is in scope of
	// that month and of the quarter, half and year.
	insert(t, w.DB(), []dossier{
		{code: "A-1", unit: "A", status: "resolved", received: "2026-02-02 08:00:00", due: "2026-02-10 17:00:00", finished: "2026-02-05 10:00:00"},
		{code: "B-1", unit: "B", status: "resolved", received: "2026-02-03 08:00:00", due: "2026-02-10 17:00:00", finished: "2026-02-06 10:00:00"},
		{code: "B-2", unit: "B", status: "resolved", received: "2026-03-03 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-06 10:00:00"},
	})
	build(t, w, "calendar")
	counts := func() string {
		return rowsOf(t, w.DB(), `SELECT period, unit_code, received_unit_code, received_total FROM outcome_counts ORDER BY ALL`)
	}
	// Before: every unit stands for itself.
	before := counts()
	if want := "2026:A:A:1 2026:B:B:2 2026-02:A:A:1 2026-02:B:B:1 2026-03:B:B:1 2026-H1:A:A:1 2026-H1:B:B:2 2026-Q1:A:A:1 2026-Q1:B:B:2"; before != want {
		t.Fatalf("counts before the merger:\n%s\nwant\n%s", before, want)
	}
	// valid_to is B's first day gone: B stands at the end of February
	// (1 March), not at the end of March, Q1, H1 or the year.
	if _, err := w.DB().Exec(`UPDATE units SET valid_to = TIMESTAMP '2026-03-01', successor_code = 'A' WHERE unit_code = 'B'`); err != nil {
		t.Fatal(err)
	}
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	// rebuild builds every period and checks that the counts were kept,
	// relabelled rows of them.
	rebuild := func(what string, rows int64) {
		t.Helper()
		b, err := BuildChanged(ctx, c, "calendar", m, nil, testAsOf, true)
		if err != nil {
			t.Fatal(err)
		}
		if b.Counts != CountsKept || b.Relabelled != rows {
			t.Errorf("%s: counts %s, %d rows relabelled; want kept, %d", what, b.Counts, b.Relabelled, rows)
		}
	}
	// The rows of B in 2026-03, Q1, H1 and 2026 move to A: 4 rows.
	rebuild("the merger", 4)
	want := "2026:A:A:1 2026:A:B:2 2026-02:A:A:1 2026-02:B:B:1 2026-03:A:B:1 2026-H1:A:A:1 2026-H1:A:B:2 2026-Q1:A:A:1 2026-Q1:A:B:2"
	if got := counts(); got != want {
		t.Errorf("counts after the merger:\n%s\nwant\n%s", got, want)
	}
	// A's row of the whole year: its own dossier and B's two.
	if got := rowsOf(t, w.DB(), `SELECT unit_code, received_total FROM dossier_stats WHERE period = '2026' AND field = '*' ORDER BY ALL`); got != "A:3" {
		t.Errorf("dossier_stats of 2026 after the merger: %s, want A:3", got)
	}
	// B taken out of the registry: a code outside it keeps its own
	// dossiers, so the 4 rows go back to B (from a review: an inner join
	// on unit_attribution would leave them with A).
	if _, err := w.DB().Exec(`DELETE FROM units WHERE unit_code = 'B'`); err != nil {
		t.Fatal(err)
	}
	rebuild("B removed", 4)
	if got := counts(); got != before {
		t.Errorf("counts with B outside the registry:\n%s\nwant\n%s", got, before)
	}
}
