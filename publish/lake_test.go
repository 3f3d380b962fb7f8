package publish

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parSchema is the PAR model's tables as 0012_par_model.sql (PAR branch)
// defines them; IF NOT EXISTS keeps the real ones once they are migrated.
var parSchema = []string{
	`CREATE TABLE IF NOT EXISTS par_criteria (period VARCHAR NOT NULL, peer_group VARCHAR NOT NULL, code VARCHAR NOT NULL,
		parent_code VARCHAR, depth INTEGER NOT NULL, seq INTEGER NOT NULL, name VARCHAR NOT NULL, max_points DOUBLE,
		rule_text VARCHAR, source VARCHAR NOT NULL, is_leaf BOOLEAN NOT NULL, methodology VARCHAR NOT NULL, methodology_version VARCHAR NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS par_criterion_scores (period VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, code VARCHAR NOT NULL,
		max_points DOUBLE, self_points DOUBLE, appraised_points DOUBLE, applicable BOOLEAN NOT NULL, note VARCHAR,
		source_file VARCHAR, source_row BIGINT, methodology VARCHAR NOT NULL, methodology_version VARCHAR NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS par_scores (period VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, peer_group VARCHAR NOT NULL,
		methodology VARCHAR NOT NULL, methodology_version VARCHAR NOT NULL, status VARCHAR NOT NULL, score DOUBLE)`,
}

func lakeTableNames(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// Tables guarded by Requires join the lake once they exist (the PAR
// tables, partitioned year=/kind=/level=); a partition whose rows are gone is
// removed; a dead run's staging folders are cleared; a damaged manifest
// costs a full rewrite and nothing else.
func TestLakeGuardsRemovalAndLeftovers(t *testing.T) {
	ctx := context.Background()
	db := newFixture(t)
	lake := filepath.Join(t.TempDir(), "lake")
	exec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	for _, tb := range []string{"par_scores", "par_criterion_scores", "par_criteria"} {
		// Absent until the PAR migration lands on this branch.
		var n int
		db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, tb).Scan(&n)
		if n == 0 {
			res, err := Lake(ctx, db, lake)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range res.Tables {
				if x == tb {
					t.Errorf("%s exported although the warehouse has no such table", tb)
				}
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(lake, ".lake-tmp-dead", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, q := range parSchema {
		exec(q)
	}
	exec(`INSERT INTO par_scores (period, unit_code, peer_group, methodology, methodology_version, status, score) VALUES
		('2025', 'H.BAVI', 'district', 'par', '1', 'final', 81.5),
		('2025', 'S.TC', 'department', 'par', '1', 'final', 90),
		('2024', 'H.BAVI', 'district', 'par', '1', 'final', 70),
		('2025-H1', 'H.BAVI', 'district', 'par', '1', 'final', 75)`)
	exec(`INSERT INTO par_criteria (period, peer_group, code, depth, seq, name, source, is_leaf, methodology, methodology_version) VALUES
		('2025', 'district', '1', 1, 1, 'Công tác chỉ đạo, điều hành', 'self', true, 'par', '1')`)
	exec(`INSERT INTO par_criterion_scores (period, unit_code, code, applicable, methodology, methodology_version) VALUES
		('2025', 'H.BAVI', '1', true, 'par', '1')`)
	res, err := Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	var par []string
	for _, p := range res.Written {
		if strings.HasPrefix(p, "par_") {
			par = append(par, p)
		}
	}
	want := []string{
		"par_criteria/year=2025/kind=year/level=district",
		"par_criterion_scores/year=2025/kind=year",
		"par_scores/year=2024/kind=year/level=district",
		"par_scores/year=2025/kind=half/level=district",
		"par_scores/year=2025/kind=year/level=department",
		"par_scores/year=2025/kind=year/level=district",
	}
	if !reflect.DeepEqual(par, want) {
		t.Errorf("PAR partitions written %v, want %v", par, want)
	}
	if _, err := os.Stat(filepath.Join(lake, ".lake-tmp-dead")); !os.IsNotExist(err) {
		t.Errorf("leftover staging folder not removed: %v", err)
	}
	for _, name := range lakeTableNames(t, lake) {
		if strings.HasPrefix(name, ".") {
			t.Errorf("folder %s left in the lake", name)
		}
	}
	// Read back as one table, partition columns from the folders.
	var n int
	var total float64
	if err := db.QueryRowContext(ctx, `SELECT count(*), sum(score) FROM read_parquet(?, hive_partitioning = true) WHERE year = 2025 AND kind = 'year' AND level = 'district'`,
		filepath.Join(lake, "par_scores", "**", "*.parquet")).Scan(&n, &total); err != nil {
		t.Fatal(err)
	}
	if n != 1 || total != 81.5 {
		t.Errorf("par_scores 2025 district read back: %d rows, sum %v; want 1, 81.5", n, total)
	}

	// The department's rows go: its partition is removed, the others stay.
	exec(`DELETE FROM par_scores WHERE peer_group = 'department'`)
	res, err = Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 0 || !reflect.DeepEqual(res.Removed, []string{"par_scores/year=2025/kind=year/level=department"}) {
		t.Errorf("written %v removed %v; want nothing written, the department partition removed", res.Written, res.Removed)
	}
	if _, err := os.Stat(filepath.Join(lake, "par_scores", "year=2025", "kind=year", "level=department")); !os.IsNotExist(err) {
		t.Errorf("removed partition still on disk: %v", err)
	}
	// The year's other partition stays; a year left empty goes whole.
	if _, err := os.Stat(filepath.Join(lake, "par_scores", "year=2025", "kind=year", "level=district")); err != nil {
		t.Errorf("the district partition of 2025 went with the department's: %v", err)
	}
	exec(`DELETE FROM par_scores WHERE period = '2024'`)
	if _, err := Lake(ctx, db, lake); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(lake, "par_scores", "year=2024")); !os.IsNotExist(err) {
		t.Errorf("empty year folder left: %v", err)
	}

	// A rebuild that sums in another order moves scores in their last
	// bits only: nothing is rewritten. A real change rewrites the
	// partitions holding it, and only those.
	exec(`UPDATE index_scores SET total_score = total_score * (1 + 1e-15) WHERE total_score IS NOT NULL`)
	if res, err = Lake(ctx, db, lake); err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 0 {
		t.Errorf("last-bit differences rewrote %v", res.Written)
	}
	exec(`UPDATE index_scores SET total_score = total_score + 0.01 WHERE period = '2026-Q3' AND peer_group = 'district'`)
	if res, err = Lake(ctx, db, lake); err != nil {
		t.Fatal(err)
	}
	if want := []string{"index_scores/year=2026/kind=quarter/level=district"}; !reflect.DeepEqual(res.Written, want) {
		t.Errorf("a changed district score rewrote %v, want %v", res.Written, want)
	}

	// A damaged manifest: every partition is written again, correctly.
	if err := os.WriteFile(filepath.Join(lake, ManifestName), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadLakeManifest(lake)
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, tb := range m.Tables {
		parts += len(tb.Partitions)
	}
	if len(res.Written) != parts || parts == 0 {
		t.Errorf("after a damaged manifest %d partitions written, want all %d", len(res.Written), parts)
	}
	if !LakeWritten(lake) {
		t.Error("LakeWritten false after a write")
	}
}

// The lake is a publication: it holds warehouse tables only, never the
// quarantine (raw values of rejected rows) nor the ledgers; nor the PAR
// index's inputs (see LakeTables: their numbers are in par_criterion_scores
// and par_scores, the rest is free text and load bookkeeping).
func TestLakeHoldsNoQuarantine(t *testing.T) {
	for _, tb := range LakeTables {
		for _, bad := range []string{"quarantine", "raw_record", "raw_value", "source_files", "runs",
			"par_sheet_rows", "par_sheets", "par_survey_results", "par_adjustment_rows"} {
			if strings.Contains(tb.Select, bad) || tb.Name == bad {
				t.Errorf("lake table %s selects %s", tb.Name, bad)
			}
		}
	}
}

// The folders on disk are the lake's truth: a partition folder that no
// manifest names and that has no rows is removed (anything not named
// like a partition is left alone), and a lake that fails halfway leaves
// a manifest that names the tables written before the failure with
// their new content and says which tables are not written.
func TestLakeDiskIsTruth(t *testing.T) {
	ctx := context.Background()
	db := newFixture(t)
	lake := filepath.Join(t.TempDir(), "lake")
	if _, err := Lake(ctx, db, lake); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(lake, "index_scores", "year=1999", "kind=year", "level=district")
	notOurs := filepath.Join(lake, "index_scores", "ghi-chu")
	for _, d := range []string{stray, notOurs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "data_0.parquet"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"index_scores/year=1999/kind=year/level=district"}; !reflect.DeepEqual(res.Removed, want) || len(res.Written) != 0 {
		t.Errorf("removed %v written %v; want %v removed, nothing written", res.Removed, res.Written, want)
	}
	if _, err := os.Stat(filepath.Join(lake, "index_scores", "year=1999")); !os.IsNotExist(err) {
		t.Errorf("stray partition still on disk: %v", err)
	}
	if _, err := os.Stat(notOurs); err != nil {
		t.Errorf("a folder not named like a partition was removed: %v", err)
	}

	// A changed score and a table that cannot be written: units (first)
	// changes and is written, index_scores fails. The manifest names the
	// units written, so the next run does not take the stale entry for
	// the folder on disk.
	if _, err := db.ExecContext(ctx, `UPDATE units SET name = name || ' (mới)'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE index_scores SET total_score = total_score + 1 WHERE period = '2026-Q3' AND peer_group = 'district'`); err != nil {
		t.Fatal(err)
	}
	block := filepath.Join(lake, "index_scores", "year=2026", "kind=quarter", "level=district")
	if err := os.RemoveAll(block); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(block), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(block, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := ReadLakeManifest(lake)
	if err != nil {
		t.Fatal(err)
	}
	res, err = Lake(ctx, db, lake)
	if err == nil {
		t.Fatal("the lake did not fail")
	}
	if res == nil || len(res.Failed) == 0 || res.Failed[0] != "index_scores" {
		t.Fatalf("failed tables %v, want index_scores first", res)
	}
	after, err := ReadLakeManifest(lake)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(before.Tables["units"], after.Tables["units"]) {
		t.Errorf("the manifest still describes the units replaced on disk: %v", after.Tables["units"])
	}
	if _, ok := after.Tables["index_scores"].Partitions["year=2026/kind=quarter/level=district"]; ok {
		t.Errorf("the manifest still vouches for the partition the failed write was replacing")
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	res, err = Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"index_scores/year=2026/kind=quarter/level=district"}; !reflect.DeepEqual(res.Written, want) {
		t.Errorf("after the fix written %v, want %v", res.Written, want)
	}
}
