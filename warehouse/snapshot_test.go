package warehouse

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// updateCopy leaves dst with src's bytes, writing only the 1 MiB blocks
// that differ: a copy one block of which changed since takes one block's
// write, not the whole file.
func TestUpdateCopy(t *testing.T) {
	const mib = 1 << 20
	base := make([]byte, 3*mib+100) // blocks 0, 1, 2 and a tail of 100 bytes
	for i := range base {
		base[i] = byte(i * 7)
	}
	changed := func(at int) []byte {
		b := bytes.Clone(base)
		b[at] ^= 0xff
		return b
	}
	for _, tc := range []struct {
		name     string
		dst, src []byte
		written  int64
	}{
		{"same", base, base, 0},
		{"one byte of block 1", base, changed(mib + 5), mib},
		{"the tail", base, changed(3*mib + 99), 100},
		{"src longer", base[:2*mib], base, mib + 100}, // block 2 and the tail are new
		{"src shorter", base, base[:mib+10], 0},       // cut, nothing written
		{"dst empty", nil, base, int64(len(base))},    // every byte
		{"src empty", base, nil, 0},
		{"src shorter, last block changed", base, changed(mib + 3)[:mib+10], 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srcPath, dstPath := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			if err := os.WriteFile(srcPath, tc.src, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dstPath, tc.dst, 0o644); err != nil {
				t.Fatal(err)
			}
			src, err := os.Open(srcPath)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst, err := os.OpenFile(dstPath, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			written, err := updateCopy(dst, src)
			if err != nil {
				t.Fatal(err)
			}
			if written != tc.written {
				t.Errorf("wrote %d bytes, want %d", written, tc.written)
			}
			got, err := os.ReadFile(dstPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.src) {
				t.Errorf("dst differs from src (%d bytes, want %d)", len(got), len(tc.src))
			}
		})
	}
}

// The snapshot written from a draft (the previous snapshot copied beside
// the run) is the warehouse byte for byte, including what the run wrote
// after the copy; without a previous snapshot, or when the draft is
// dropped, the result is the same and no temporary copy is left.
func TestSnapshotDraft(t *testing.T) {
	ctx := context.Background()
	addRuns := func(t *testing.T, path string, n int) {
		t.Helper()
		w, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := w.StartRun(ctx, &Run{StartedAt: time.Date(2026, 12, 1, 1, 30, i, 0, time.UTC), Trigger: "manual"}); err != nil {
				t.Fatal(err)
			}
		}
		// Enough rows that the file has many blocks, most of them the same
		// across runs.
		if _, err := w.DB().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS filler AS SELECT i, md5(i::VARCHAR) AS s FROM range(300000) t(i)`); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		previous bool // a snapshot exists before the run
		drop     bool // the run ends without a snapshot
		full     bool // the disk has less than twice the snapshot free
		drafted  bool // a draft is made
	}{
		{"from the previous snapshot", true, false, false, true},
		{"no previous snapshot", false, false, false, false},
		{"dropped", true, true, false, true},
		{"disk nearly full", true, false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.full {
				defer func(f func(string) (uint64, bool)) { freeBytes = f }(freeBytes)
				freeBytes = func(dir string) (uint64, bool) {
					st, err := os.Stat(SnapshotPath(filepath.Join(dir, "cchc.duckdb")))
					if err != nil {
						t.Fatal(err)
					}
					return 2*uint64(st.Size()) - 1, true
				}
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "cchc.duckdb")
			addRuns(t, path, 1)
			if tc.previous {
				if _, err := WriteSnapshot(path); err != nil {
					t.Fatal(err)
				}
			}
			draft := DraftSnapshot(path)
			defer draft.Drop()
			if (draft != nil) != tc.drafted {
				t.Fatalf("draft made: %v, want %v", draft != nil, tc.drafted)
			}
			addRuns(t, path, 2) // the run: 3 runs now, 1 in the previous snapshot
			if tc.drop {
				draft.Drop()
				if n := countRuns(t, SnapshotPath(path)); n != 1 {
					t.Errorf("the dropped draft changed the snapshot: %d runs", n)
				}
			} else {
				if draft != nil {
					<-draft.done
					if draft.f == nil {
						t.Fatal("the previous snapshot was not copied")
					}
				}
				snap, err := draft.Write(path)
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(snap)
				if err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("the snapshot (%d bytes) is not the warehouse (%d bytes)", len(got), len(want))
				}
				if n := countRuns(t, snap); n != 3 {
					t.Errorf("snapshot has %d runs, want 3", n)
				}
				if st, _ := os.Stat(snap); st.Mode().Perm() != 0o444 {
					t.Errorf("snapshot mode %v, want read-only 0444", st.Mode().Perm())
				}
			}
			left, err := filepath.Glob(filepath.Join(dir, ".cchc.snapshot.duckdb.tmp-*"))
			if err != nil || len(left) > 0 {
				t.Errorf("temporary copies left: %v %v", left, err)
			}
		})
	}
}

// TestSkippedReasonRedacted: a skipped tick's reason is often a config
// error; a token in a URL it quotes, or a CCCD number, reaches neither the
// journal nor runs.message, including from a journal an earlier version
// wrote without redacting.
func TestSkippedReasonRedacted(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	at := time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC)
	reason := `bỏ qua lần chạy vì cấu hình hoặc danh mục đơn vị không dùng được (config not usable, run skipped): sources[0].url: got "htps://dvc.example/x.csv?token=SECRET42"; owner 001190012345`
	if err := RecordSkipped(w.Path(), Skipped{At: at, GaveUpAt: at, Host: "srv-01", PID: 1, Reason: reason}); err != nil {
		t.Fatal(err)
	}
	// An earlier version's line, as it stood.
	f, _ := os.OpenFile(SkippedPath(w.Path()), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"at":"2026-11-22T02:30:00Z","gave_up_at":"2026-11-22T02:30:00Z","host":"srv-01","pid":2,"reason":"url https://u:SECRET42@dvc.example/x.csv"}` + "\n")
	f.Close()
	if b, _ := os.ReadFile(SkippedPath(w.Path())); bytes.Count(b, []byte("SECRET42")) != 1 || bytes.Contains(b, []byte("001190012345")) {
		t.Errorf("journal: %s", b)
	}
	if n, err := w.ImportSkipped(ctx); err != nil || n != 2 {
		t.Fatalf("imported %d, %v", n, err)
	}
	var got string
	w.DB().QueryRow(`SELECT string_agg(message, ' | ' ORDER BY run_id) FROM runs`).Scan(&got)
	if strings.Contains(got, "SECRET42") || strings.Contains(got, "001190012345") || !strings.Contains(got, "htps://dvc.example/x.csv?REDACTED") {
		t.Errorf("runs.message: %s", got)
	}
}

// A download a live process holds (a shared flock, as the HTTP source
// takes while it uses the file: `cchc validate` downloads into the same
// folder without the writer lock) is left; one nobody holds, as a killed
// process leaves it, is removed.
func TestRemoveDownloadsLeavesHeld(t *testing.T) {
	wh := filepath.Join(t.TempDir(), "w.duckdb")
	dir := DownloadDir(wh)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	held, left := filepath.Join(dir, "cchc-http-1.csv"), filepath.Join(dir, "cchc-http-2.csv")
	for _, p := range []string{held, left} {
		if err := os.WriteFile(p, []byte("a,b\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	removed, _, err := RemoveDownloads(wh)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != left {
		t.Errorf("removed %v, want only %s", removed, left)
	}
	if _, err := os.Stat(held); err != nil {
		t.Errorf("the held download is gone: %v", err)
	}
	f.Close() // the process that held it ends
	if removed, _, err = RemoveDownloads(wh); err != nil || len(removed) != 1 || removed[0] != held {
		t.Errorf("after the holder ended: removed %v, %v; want %s", removed, err, held)
	}
}
