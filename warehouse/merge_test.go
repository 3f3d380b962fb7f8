package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

// commitDossiers stages one dossier file and commits it as run runID; the
// model callback, when not nil, runs inside the commit. retryOf > 0 makes
// the file a retried version first loaded by that run.
func commitDossiers(t *testing.T, w *Warehouse, runID int64, file, sha string, received time.Time, codes []string,
	model func(ctx context.Context, c *sql.Conn) error, retryOf int64) *FileResult {
	t.Helper()
	ctx := context.Background()
	st, err := w.NewStage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := stageFile(t, 1, file, sha, received, codes, make([]string, len(codes)))
	rdr, _ := array.NewRecordReader(transforms.StageSchema, []arrow.Record{rec})
	if err := st.LoadDataset(ctx, datasets.Dossiers, rdr); err != nil {
		t.Fatal(err)
	}
	rdr.Release()
	rec.Release()
	f := &FileResult{Seq: 1, Source: "s", Path: file, SHA256: sha, Status: "loaded", RowsRead: int64(len(codes)),
		Mapping: transforms.Mapping{Columns: map[string]string{"Mã hồ sơ": "dossier_code"}},
		Retry:   retryOf > 0, FirstRunID: retryOf}
	reg := []units.Unit{{Code: "U1", Name: "Đơn vị 1", Level: "commune"}}
	if _, err := w.DB().Exec(`INSERT INTO runs (run_id, started_at, status, trigger) VALUES (?, ?, 'running', 'manual')`,
		runID, received); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, CommitInput{RunID: runID, LoadedAt: received, Units: reg, Files: []*FileResult{f}, Model: model}); err != nil {
		t.Fatal(err)
	}
	return f
}

// A redelivered dossier whose received_at moved from March to April: the
// model sees both versions in dossier_changes (March must be recomputed as
// it loses the dossier, April as it gains it), and the dossier it did not
// touch is not there. The table is gone after the commit. A retried
// version's unloaded and reloaded rows are there too.
func TestDossierChanges(t *testing.T) {
	w := open(t)
	march := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	april := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	// A first load leaves no change table, so the model rebuilds every
	// period (its periods are all new; an empty table would let it
	// rebuild none).
	tables := func(ctx context.Context, c *sql.Conn) error {
		var n int
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name IN ('dossier_changes', 'dossier_removed')`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("a first load left %d change tables for the model", n)
		}
		return nil
	}
	commitDossiers(t, w, 1, "march.csv", "m1", march, []string{"A", "B"}, tables, 0)

	var changes []string
	var removed string
	model := func(ctx context.Context, c *sql.Conn) error {
		changes = nil
		if err := c.QueryRowContext(ctx, `SELECT coalesce(string_agg(dossier_code || ' ' || strftime(received_at, '%Y-%m-%d'), ', ' ORDER BY dossier_code), '') FROM dossier_removed`).Scan(&removed); err != nil {
			return err
		}
		rows, err := c.QueryContext(ctx, `SELECT strftime(received_at, '%Y-%m-%d') FROM dossier_changes ORDER BY received_at`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			changes = append(changes, s)
		}
		return rows.Err()
	}
	f := commitDossiers(t, w, 2, "april.csv", "a1", april, []string{"A"}, model, 0)
	// Old version of A (2 March, deleted) and new one (6 April, inserted);
	// B is untouched.
	if want := []string{"2026-03-02", "2026-04-06"}; !reflect.DeepEqual(changes, want) {
		t.Errorf("dossier_changes = %v, want %v", changes, want)
	}
	// The whole row of the version removed, for the model to subtract.
	if removed != "A 2026-03-02" {
		t.Errorf("dossier_removed = %q, want A's March version", removed)
	}
	if f.RowsLoaded != 1 || f.RowsSuperseded != 0 {
		t.Errorf("counts: loaded %d superseded %d", f.RowsLoaded, f.RowsSuperseded)
	}
	var received time.Time
	if err := w.DB().QueryRow(`SELECT received_at FROM dossiers WHERE dossier_code = 'A'`).Scan(&received); err != nil || !received.Equal(april) {
		t.Errorf("A received %v, %v", received, err)
	}
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dossier_changes'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("dossier_changes left behind: %d, %v", n, err)
	}

	// march.csv read again (run 1's version): its B is unloaded and loaded
	// again (old and new B, both 2 March); its A does not replace april.csv's
	// newer A, so A is not in the changes.
	f = commitDossiers(t, w, 3, "march.csv", "m1", march, []string{"A", "B"}, model, 1)
	if want := []string{"2026-03-02", "2026-03-02"}; !reflect.DeepEqual(changes, want) {
		t.Errorf("after the retry, dossier_changes = %v, want %v", changes, want)
	}
	if removed != "B 2026-03-02" {
		t.Errorf("after the retry, dossier_removed = %q, want B's version from run 1", removed)
	}
	if f.RowsLoaded != 1 || f.RowsSuperseded != 1 {
		t.Errorf("retry counts: loaded %d superseded %d", f.RowsLoaded, f.RowsSuperseded)
	}
	if err := w.DB().QueryRow(`SELECT received_at FROM dossiers WHERE dossier_code = 'A'`).Scan(&received); err != nil || !received.Equal(april) {
		t.Errorf("after the retry, A received %v, %v", received, err)
	}
}

// A merge SQL statement runs under its "-- when:" condition.
func TestMergeConditions(t *testing.T) {
	script := `-- a comment
CREATE TABLE a (x INTEGER);
-- when: duplicates
UPDATE a
SET x = 1;
-- when: not duplicates and not retries
SELECT 2;
-- when: duplicates and not retries or retries
SELECT 3;
`
	stmts, err := statements(script)
	if err != nil || len(stmts) != 4 {
		t.Fatalf("%d statements, %v", len(stmts), err)
	}
	tests := []struct {
		dups, retries bool
		want          string // which statements run, by index
	}{
		{false, false, "02"},
		{true, false, "013"},
		{false, true, "03"},
		{true, true, "013"},
	}
	for _, tc := range tests {
		flags := map[string]bool{"duplicates": tc.dups, "duplicates_in_file": false, "retries": tc.retries, "existing": true}
		got := ""
		for i, st := range stmts {
			ok, err := st.holds(flags)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				got += fmt.Sprint(i)
			}
		}
		if got != tc.want {
			t.Errorf("duplicates %v retries %v: ran %s, want %s", tc.dups, tc.retries, got, tc.want)
		}
	}
	if !strings.Contains(stmts[1].sql, "SET x = 1;") {
		t.Errorf("statement 1 = %q", stmts[1].sql)
	}
	if _, err := (statement{when: "dupes", sql: "SELECT 1"}).holds(map[string]bool{}); err == nil {
		t.Error("an unknown flag must be an error")
	}
	if _, err := statements("-- when: retries\n"); err == nil {
		t.Error("a condition before no statement must be an error")
	}
}

// Every registered dataset's merge SQL splits into statements whose
// conditions name known flags.
func TestMergeSQLParses(t *testing.T) {
	flags := map[string]bool{"duplicates": false, "duplicates_in_file": false, "retries": false, "existing": false}
	for _, d := range datasets.All() {
		stmts, err := statements(d.Merge)
		if err != nil || len(stmts) == 0 {
			t.Errorf("%s: %d statements, %v", d.Name, len(stmts), err)
		}
		for _, st := range stmts {
			if _, err := st.holds(flags); err != nil {
				t.Errorf("%s: %v", d.Name, err)
			}
		}
	}
}

// existing says whether the dossiers table holds rows of earlier runs: a
// first load skips the search for the versions its codes replace (a hash
// of every code it loads).
func TestMergeFlagExisting(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	flag := func(run int64, direct bool) bool {
		t.Helper()
		if !direct {
			if _, err := c.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+datasets.Dossiers.StageTable()+" AS SELECT 1 AS dossier_code, NULL AS q_reason"); err != nil {
				t.Fatal(err)
			}
		}
		flags, _, err := mergeFlags(ctx, c, datasets.Dossiers, nil, run, direct, nil)
		if err != nil {
			t.Fatal(err)
		}
		return flags["existing"]
	}
	if flag(1, true) || flag(1, false) {
		t.Error("an empty warehouse has earlier rows")
	}
	march := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	commitDossiers(t, w, 1, "a.csv", "sha-a", march, []string{"HS-1"}, nil, 0)
	// Direct: run 1's own rows are not earlier; run 2 finds them.
	if flag(1, true) || !flag(2, true) || !flag(2, false) {
		t.Errorf("after run 1: direct run 1 %v, direct run 2 %v, staged %v; want false, true, true", flag(1, true), flag(2, true), flag(2, false))
	}
}
