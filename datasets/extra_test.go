package datasets_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/warehouse"
)

// readingsMerge is the merge SQL of the test's dataset, as a real one's
// sql/merge/<name>.sql would be: the latest staged reading of a unit and
// day replaces the warehouse's.
const readingsMerge = `
-- when: not duplicates
CREATE OR REPLACE TEMP TABLE current_test_readings AS
SELECT * FROM stage_test_readings WHERE q_reason IS NULL;

-- when: duplicates
CREATE OR REPLACE TEMP TABLE current_test_readings AS
SELECT * FROM stage_test_readings WHERE q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY unit_code, day ORDER BY file_seq DESC, source_row DESC) = 1;

DELETE FROM test_readings t WHERE EXISTS
  (SELECT 1 FROM current_test_readings c WHERE c.unit_code = t.unit_code AND c.day = t.day);

INSERT INTO test_readings SELECT unit_code, day, reading, source_file, (SELECT run_id FROM merge_run)
FROM current_test_readings;
`

// readingsMigration creates the dataset's table, as a real one's migration
// would.
const readingsMigration = `CREATE TABLE test_readings (unit_code VARCHAR, day VARCHAR, reading DOUBLE, source_file VARCHAR, run_id BIGINT)`

// A dataset defined by test code only (its value, its merge SQL, its
// table) goes through the same stage and Commit as the built-in ones: its
// rows merge by its key, its bad rows reach the quarantine, its files get
// reconciled ledger rows. Nothing in warehouse/ or pipeline/ names it.
func TestExtraDatasetCommits(t *testing.T) {
	d := registerReadings(t, &datasets.Dataset{Name: "test_readings", Merge: readingsMerge, Tables: []string{"test_readings"}})
	if _, err := datasets.Register(&datasets.Dataset{Name: "test_readings"}); err == nil {
		t.Error("a second dataset of the same name was registered")
	}
	commitReadings(t, d, readingsMigration, false)
}

// readingsDirectMerge is the DirectMerge of the test's direct dataset:
// the run's rows are in its table already.
const readingsDirectMerge = `
-- when: duplicates
CREATE OR REPLACE TEMP TABLE superseded_test_direct AS
SELECT d.source, d.source_file, d.source_row FROM test_direct d JOIN stage_files f ON f.source = d.source AND f.path = d.source_file
WHERE d.run_id = {run_id}
QUALIFY row_number() OVER (PARTITION BY d.unit_code, d.day ORDER BY f.file_seq DESC, d.source_row DESC) > 1;

-- when: duplicates
DELETE FROM test_direct WHERE run_id = {run_id} AND EXISTS (SELECT 1 FROM superseded_test_direct x
  WHERE x.source = test_direct.source AND x.source_file = test_direct.source_file AND x.source_row = test_direct.source_row);

-- when: duplicates
DROP TABLE superseded_test_direct;

DELETE FROM test_direct t WHERE run_id <> {run_id} AND EXISTS
  (SELECT 1 FROM test_direct c WHERE c.run_id = {run_id} AND c.unit_code = t.unit_code AND c.day = t.day);

CREATE OR REPLACE TEMP VIEW current_test_direct AS
SELECT d.*, f.file_seq FROM test_direct d JOIN stage_files f ON f.source = d.source AND f.path = d.source_file
WHERE d.run_id = {run_id};
`

// The same dataset with Direct: its valid rows go straight to its table
// in a direct run (Stage.BeginDirect), with the same outcome.
func TestExtraDatasetDirect(t *testing.T) {
	d := registerReadings(t, &datasets.Dataset{Name: "test_direct", Merge: strings.ReplaceAll(readingsMerge, "test_readings", "test_direct"),
		DirectMerge: readingsDirectMerge, Direct: true, Tables: []string{"test_direct"}})
	commitReadings(t, d, `CREATE TABLE test_direct (unit_code VARCHAR, day VARCHAR, reading DOUBLE, source VARCHAR, source_file VARCHAR,
		source_row BIGINT, file_sha256 VARCHAR, run_id BIGINT, loaded_at TIMESTAMP)`, true)
}

// registerReadings registers d with the readings' stage schema and key.
func registerReadings(t *testing.T, d *datasets.Dataset) *datasets.Dataset {
	t.Helper()
	d.Stage = arrow.NewSchema(append([]arrow.Field{
		{Name: "unit_code", Type: arrow.BinaryTypes.String},
		{Name: "day", Type: arrow.BinaryTypes.String},
		{Name: "reading", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, datasets.Tail...), nil)
	d.Key = []string{"unit_code", "day"}
	d.Parse = func(datasets.Input) (*datasets.Parsed, error) { return &datasets.Parsed{}, nil }
	d, err := datasets.Register(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { datasets.Unregister(d.Name) })
	return d
}

// commitReadings stages two files of the readings dataset d (direct: in a
// direct run) and checks the outcome.
func commitReadings(t *testing.T, d *datasets.Dataset, migration string, direct bool) {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec(migration); err != nil {
		t.Fatal(err)
	}
	st, err := w.NewStage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if direct {
		if err := st.BeginDirect(ctx, 1, now); err != nil {
			t.Fatal(err)
		}
	}
	row := func(unit, day string, reading any, file string, n int64, seq int32, reason string) []any {
		r := []any{unit, day, reading, "s", file, n, "sha-" + file, seq, nil, nil, nil, nil, nil}
		if reason != "" {
			r[8], r[9], r[10], r[12] = reason, "Số đo", "x", "unparseable_number"
		}
		return r
	}
	// a.csv (file 1): U1 on d1 and d2, a bad reading for U2; b.csv (file 2)
	// reads U1 on d1 again.
	files := []*warehouse.FileResult{
		{Seq: 1, Source: "s", Path: "a.csv", SHA256: "sha-a.csv", Status: "loaded", RowsRead: 3, Dataset: d.Name},
		{Seq: 2, Source: "s", Path: "b.csv", SHA256: "sha-b.csv", Status: "loaded", RowsRead: 1, Dataset: d.Name},
	}
	for _, rows := range [][][]any{
		{row("U1", "d1", 1.0, "a.csv", 2, 1, ""), row("U1", "d2", 2.0, "a.csv", 3, 1, ""), row("U2", "d1", nil, "a.csv", 4, 1, "Số đo không đọc được")},
		{row("U1", "d1", 5.0, "b.csv", 2, 2, "")},
	} {
		rdr, err := d.Reader(rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.LoadDataset(ctx, d, rdr); err != nil {
			t.Fatal(err)
		}
		rdr.Release()
	}
	if err := st.Commit(ctx, warehouse.CommitInput{RunID: 1, LoadedAt: now, CommittedAt: now, Files: files}); err != nil {
		t.Fatal(err)
	}
	// a.csv: read 3 = loaded 1 (U1 d2) + quarantined 1 (U2) + superseded 1
	// (U1 d1, read again by b.csv); b.csv: read 1 = loaded 1.
	type counts struct{ read, loaded, quarantined, superseded int64 }
	for _, tc := range []struct {
		path string
		want counts
	}{{"a.csv", counts{3, 1, 1, 1}}, {"b.csv", counts{1, 1, 0, 0}}} {
		var got counts
		if err := w.DB().QueryRow(`SELECT rows_read, rows_loaded, rows_quarantined, rows_superseded FROM source_files WHERE path = ?`, tc.path).
			Scan(&got.read, &got.loaded, &got.quarantined, &got.superseded); err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if got != tc.want {
			t.Errorf("%s: ledger %+v, want %+v", tc.path, got, tc.want)
		}
	}
	var readings []string
	rows, err := w.DB().Query(`SELECT unit_code || ' ' || day || ' ' || reading || ' ' || source_file || ' ' || run_id FROM ` + d.Tables[0] + ` ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		readings = append(readings, s)
	}
	rows.Close()
	if want := []string{"U1 d1 5.0 b.csv 1", "U1 d2 2.0 a.csv 1"}; !reflect.DeepEqual(readings, want) {
		t.Errorf("%s = %v, want %v", d.Tables[0], readings, want)
	}
	var q string
	if err := w.DB().QueryRow(`SELECT source_file || ':' || source_row || ' ' || reason_code FROM quarantine`).Scan(&q); err != nil || q != "a.csv:4 unparseable_number" {
		t.Errorf("quarantine %q, %v", q, err)
	}
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM dossiers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("dossiers %d, %v", n, err)
	}
}
