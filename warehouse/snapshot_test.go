package warehouse

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestHelperAnalystWrites is not a test: TestSnapshotIgnoresStaleWAL runs
// it in a child process as an analyst's DuckDB session that opens the
// snapshot read-write (the DuckDB CLI and DBeaver default), writes, and
// ends without a checkpoint, leaving "<snapshot>.wal" behind.
func TestHelperAnalystWrites(t *testing.T) {
	path := os.Getenv("CCHC_TEST_ANALYST_DB")
	if path == "" {
		t.Skip("helper process")
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		os.Exit(2)
	}
	if _, err := db.Exec(`INSERT INTO runs (run_id, started_at, status, trigger) SELECT 100 + i, now()::TIMESTAMP, 'succeeded', 'manual' FROM range(5) t(i)`); err != nil {
		os.Stderr.WriteString(err.Error())
		os.Exit(3)
	}
	os.Exit(0) // no Close: the WAL stays, as when the session is killed
}

func countRuns(t *testing.T, path string) int {
	t.Helper()
	w, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM runs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An analyst's write-ahead log beside the snapshot is never replayed into
// the next snapshot, and the snapshot is written read-only.
func TestSnapshotIgnoresStaleWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cchc.duckdb")
	addRun := func() {
		w, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.StartRun(ctx, &Run{StartedAt: time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC), Trigger: "manual"}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	addRun()
	snap, err := WriteSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(snap); st.Mode().Perm() != 0o444 {
		t.Errorf("snapshot mode %v, want read-only 0444", st.Mode().Perm())
	}
	// The analyst's session (root may open a 0444 file read-write; others
	// cannot).
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAnalystWrites$")
	cmd.Env = append(os.Environ(), "CCHC_TEST_ANALYST_DB="+snap)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("analyst session: %v %s", err, out)
	}
	if !SnapshotWAL(path) {
		t.Fatal("the analyst session left no WAL; the test proves nothing")
	}
	addRun() // the next run: the warehouse now has 2 runs
	if _, err := WriteSnapshot(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snap + ".wal"); !os.IsNotExist(err) {
		t.Errorf("the stale WAL is still beside the new snapshot: %v", err)
	}
	// 2 runs in the warehouse; replaying the analyst's log would add 5.
	if got, want := countRuns(t, snap), countRuns(t, path); got != want || want != 2 {
		t.Errorf("snapshot has %d runs, warehouse %d (want 2 each)", got, want)
	}
}

// Temporary copies of a snapshot write that died are removed; other files
// beside the warehouse are kept.
func TestRemoveSnapshotTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cchc.duckdb")
	left := filepath.Join(dir, ".cchc.snapshot.duckdb.tmp-123456")
	keep := []string{path, filepath.Join(dir, "cchc.snapshot.duckdb"), filepath.Join(dir, ".other.tmp-1")}
	for _, f := range append([]string{left}, keep...) {
		if err := os.WriteFile(f, make([]byte, 1000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removed, size, err := RemoveSnapshotTemps(path)
	if err != nil || len(removed) != 1 || removed[0] != left || size != 1000 {
		t.Errorf("removed %v (%d bytes), %v", removed, size, err)
	}
	for _, f := range keep {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed", f)
		}
	}
}

// Ticks journalled as skipped become runs rows once, in order, and the
// journal is removed; a torn line is dropped.
func TestImportSkipped(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	at := time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		if err := RecordSkipped(w.Path(), Skipped{At: at.Add(time.Duration(i) * time.Hour), GaveUpAt: at.Add(10 * time.Minute),
			Host: "srv-01", PID: 4242, Reason: "warehouse is locked by another writer"}); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := os.OpenFile(SkippedPath(w.Path()), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"at":"2026-11-`)
	f.Close()
	// A crash after the inserts and before the removal: the same journal
	// is read twice.
	b, _ := os.ReadFile(SkippedPath(w.Path()))
	n, err := w.ImportSkipped(ctx)
	if err != nil || n != 2 {
		t.Fatalf("imported %d, %v", n, err)
	}
	os.WriteFile(SkippedPath(w.Path()), b, 0o644)
	if n, err := w.ImportSkipped(ctx); err != nil || n != 0 {
		t.Errorf("second import added %d, %v", n, err)
	}
	if _, err := os.Stat(SkippedPath(w.Path())); !os.IsNotExist(err) {
		t.Error("journal not removed")
	}
	var got string
	w.DB().QueryRow(`SELECT string_agg(status || ' ' || trigger || ' ' || strftime(started_at, '%H:%M'), ', ' ORDER BY run_id) FROM runs`).Scan(&got)
	if got != "skipped schedule 01:30, skipped schedule 02:30" {
		t.Errorf("runs: %q", got)
	}
}
