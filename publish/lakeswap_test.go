package publish

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// exchangeWorks reports whether this file system exchanges two folders
// in one step (tmpfs, ext4, xfs, btrfs do; some overlay or network file
// systems do not).
func exchangeWorks(t *testing.T) bool {
	t.Helper()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Mkdir(a, 0o755)
	os.Mkdir(b, 0o755)
	return exchangePaths(a, b) == nil
}

// forceExchange replaces renameExchange for the test.
func forceExchange(t *testing.T, f func(a, b string) error) {
	t.Helper()
	was := renameExchange
	renameExchange = f
	t.Cleanup(func() { renameExchange = was })
}

// mkPartition makes a folder holding one file of the given content.
func mkPartition(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data_0.parquet"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceDir puts the new folder in place and removes the old one: in one
// exchange where the file system can, with two renames where the kernel
// refuses the exchange (the refusals of an old kernel or a file system
// without it), and not at all on another error (the old folder stays).
func TestReplaceDir(t *testing.T) {
	refused := func(err error) func(a, b string) error { return func(a, b string) error { return err } }
	cases := []struct {
		name      string
		exchange  func(a, b string) error // nil: the real one
		noTarget  bool
		fellBack  bool
		wantErr   bool
		wantFinal string
	}{
		{name: "exchange", wantFinal: "new"},
		{name: "new partition: one rename", noTarget: true, wantFinal: "new"},
		{name: "EINVAL: file system without exchange", exchange: refused(syscall.EINVAL), fellBack: true, wantFinal: "new"},
		{name: "ENOSYS: kernel before 3.15", exchange: refused(syscall.ENOSYS), fellBack: true, wantFinal: "new"},
		{name: "EXDEV", exchange: refused(&os.LinkError{Op: "renameat2", Err: syscall.EXDEV}), fellBack: true, wantFinal: "new"},
		{name: "not Linux", exchange: refused(errExchangeUnsupported), fellBack: true, wantFinal: "new"},
		{name: "another error: nothing moves", exchange: refused(syscall.EIO), wantErr: true, wantFinal: "old"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.exchange == nil && !c.noTarget && !exchangeWorks(t) {
				t.Skip("this file system cannot exchange two folders")
			}
			if c.exchange != nil {
				forceExchange(t, c.exchange)
			}
			dir := t.TempDir()
			src, target := filepath.Join(dir, ".lake-tmp-x", "month=3"), filepath.Join(dir, "t", "month=3")
			mkPartition(t, src, "new")
			os.MkdirAll(filepath.Dir(target), 0o755)
			if !c.noTarget {
				mkPartition(t, target, "old")
				os.WriteFile(filepath.Join(target, "data_1.parquet"), []byte("old"), 0o644)
			}
			fellBack, err := replaceDir(dir, src, target)
			if (err != nil) != c.wantErr || fellBack != c.fellBack {
				t.Fatalf("err %v fell back %v; want error %v, fell back %v", err, fellBack, c.wantErr, c.fellBack)
			}
			b, _ := os.ReadFile(filepath.Join(target, "data_0.parquet"))
			if string(b) != c.wantFinal {
				t.Errorf("target holds %q, want %q", b, c.wantFinal)
			}
			if c.wantErr {
				return
			}
			// The old folder is gone whole: no file of it left in the
			// target, nothing at src, nothing set aside.
			if _, err := os.Stat(filepath.Join(target, "data_1.parquet")); !os.IsNotExist(err) {
				t.Errorf("a file of the old folder is left in the new one: %v", err)
			}
			if _, err := os.Stat(src); !os.IsNotExist(err) {
				t.Errorf("src left: %v", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".lake-old-") {
					t.Errorf("%s left", e.Name())
				}
			}
		})
	}
}

// A reader polling a partition while it is replaced again and again never
// finds it missing (the exchange). With the two-rename fallback it does
// (logged, not asserted: it depends on the scheduler).
func TestReplaceDirNeverMissing(t *testing.T) {
	if !exchangeWorks(t) {
		t.Skip("this file system cannot exchange two folders")
	}
	for _, fallback := range []bool{false, true} {
		name := "exchange"
		if fallback {
			name = "two renames"
			forceExchange(t, func(a, b string) error { return syscall.EINVAL })
		}
		dir := t.TempDir()
		target := filepath.Join(dir, "t", "month=3")
		mkPartition(t, target, "0")
		var stop, misses, polls atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			for stop.Load() == 0 {
				polls.Add(1)
				// The folder, not a file in it: a reader that found the
				// old folder just before the exchange may look in it after
				// its files are removed (as one listing it may, whatever
				// the swap).
				if _, err := os.Stat(target); err != nil {
					misses.Add(1)
				}
			}
		}()
		const swaps = 300
		for range swaps {
			src := filepath.Join(dir, ".lake-tmp-x")
			mkPartition(t, src, "x")
			if _, err := replaceDir(dir, src, target); err != nil {
				t.Fatal(err)
			}
		}
		stop.Store(1)
		<-done
		t.Logf("%s: %d swaps, %d polls, partition missing in %d", name, swaps, polls.Load(), misses.Load())
		if !fallback && misses.Load() != 0 {
			t.Errorf("%s: the reader found the partition missing %d times in %d polls", name, misses.Load(), polls.Load())
		}
	}
}

// Lake replaces a changed partition by the exchange, or by the fallback
// where the exchange is refused: either way the new content is read back,
// the old content is gone and nothing is left aside.
func TestLakeReplacesPartition(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		name := map[bool]string{false: "exchange", true: "fallback"}[fallback]
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int64
			if fallback {
				forceExchange(t, func(a, b string) error { calls.Add(1); return syscall.ENOSYS })
			} else if !exchangeWorks(t) {
				t.Skip("this file system cannot exchange two folders")
			} else {
				forceExchange(t, func(a, b string) error { calls.Add(1); return exchangePaths(a, b) })
			}
			ctx := context.Background()
			db := newFixture(t)
			lake := filepath.Join(t.TempDir(), "lake")
			if _, err := Lake(ctx, db, lake); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 0 {
				t.Errorf("a first write exchanged %d times: a new partition is one rename", calls.Load())
			}
			part := filepath.Join(lake, "index_scores", "year=2026", "kind=quarter", "level=district")
			before, err := os.ReadDir(part)
			if err != nil || len(before) == 0 {
				t.Fatalf("partition not written: %v", err)
			}
			oldFile, _ := os.Stat(filepath.Join(part, before[0].Name()))
			if _, err := db.ExecContext(ctx, `UPDATE index_scores SET total_score = 42 WHERE period = '2026-Q3' AND peer_group = 'district'`); err != nil {
				t.Fatal(err)
			}
			res, err := Lake(ctx, db, lake)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"index_scores/year=2026/kind=quarter/level=district"}; !reflect.DeepEqual(res.Written, want) || calls.Load() != 1 {
				t.Errorf("written %v with %d exchanges; want %v with 1", res.Written, calls.Load(), want)
			}
			newFile, err := os.Stat(filepath.Join(part, before[0].Name()))
			if err != nil || os.SameFile(oldFile, newFile) {
				t.Errorf("the partition's file was not replaced: %v", err)
			}
			var n, other int
			if err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE total_score <> 42) FROM read_parquet(?, hive_partitioning = true) WHERE period = '2026-Q3'`,
				filepath.Join(part, "*.parquet")).Scan(&n, &other); err != nil {
				t.Fatal(err)
			}
			if n == 0 || other != 0 {
				t.Errorf("read back %d rows, %d of them with the old score", n, other)
			}
			entries, _ := os.ReadDir(lake)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("%s left in the lake", e.Name())
				}
			}
		})
	}
}

// lakeDossiers are dossiers of three levels and a unit the registry lacks.
// Expected partitions (year=/month=/level= of received_at and the unit):
// March: department (S.TC), district (H.BAVI, 2 dossiers), commune
// (X.TAYDANG); April: district (H.SONTAY), unknown (X.KHONGCO).
const lakeDossiers = `INSERT INTO dossiers (dossier_code, unit_code, channel, received_at, status, source, source_file, source_row, file_sha256, run_id, loaded_at) VALUES
	('D1', 'S.TC', 'online', TIMESTAMP '2026-03-05 08:00', 'done', 's', 'f.csv', 1, 'h', 1, TIMESTAMP '2026-04-10 00:00'),
	('D2', 'H.BAVI', 'online', TIMESTAMP '2026-03-06 08:00', 'done', 's', 'f.csv', 2, 'h', 1, TIMESTAMP '2026-04-10 00:00'),
	('D3', 'H.BAVI', 'direct', TIMESTAMP '2026-03-09 08:00', 'done', 's', 'f.csv', 3, 'h', 1, TIMESTAMP '2026-04-10 00:00'),
	('D4', 'X.TAYDANG', 'direct', TIMESTAMP '2026-03-07 08:00', 'done', 's', 'f.csv', 4, 'h', 1, TIMESTAMP '2026-04-10 00:00'),
	('D5', 'H.SONTAY', 'online', TIMESTAMP '2026-04-01 08:00', 'pending', 's', 'f.csv', 5, 'h', 1, TIMESTAMP '2026-04-10 00:00'),
	('D6', 'X.KHONGCO', 'online', TIMESTAMP '2026-04-02 08:00', 'pending', 's', 'f.csv', 6, 'h', 1, TIMESTAMP '2026-04-10 00:00')`

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// parquetDirs lists the folders under a table holding Parquet files.
func parquetDirs(t *testing.T, tableDir string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	filepath.WalkDir(tableDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			rel, _ := filepath.Rel(tableDir, filepath.Dir(p))
			if !seen[rel] {
				seen[rel] = true
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// Dossiers are partitioned year=/month=/level= (the receiving unit's
// level). A lake written before, year=/month= only, is brought to the new
// layout by the next run: each old month folder is replaced whole by its
// level folders (no file of the old layout left to be read twice), an old
// month without rows any more is removed, and an old file left inside a
// month that already holds level folders (a run that died during the
// change) is removed; read back with hive_partitioning, the lake has the
// warehouse's dossiers once each.
func TestLakeDossiersByLevelAndFormerLayout(t *testing.T) {
	ctx := context.Background()
	db := newFixture(t)
	if _, err := db.ExecContext(ctx, lakeDossiers); err != nil {
		t.Fatal(err)
	}
	lake := filepath.Join(t.TempDir(), "lake")
	tableDir := filepath.Join(lake, "dossiers")

	// The lake as the former release wrote it.
	i := -1
	for j, tb := range LakeTables {
		if tb.Name == "dossiers" {
			i = j
		}
	}
	current := LakeTables[i]
	LakeTables[i] = LakeTable{Name: "dossiers", Partitions: []string{"year", "month"},
		Select: `SELECT *, year(received_at) AS year, month(received_at) AS month FROM dossiers`}
	_, err := Lake(ctx, db, lake)
	LakeTables[i] = current
	if err != nil {
		t.Fatal(err)
	}
	if got, want := parquetDirs(t, tableDir), []string{"year=2026/month=3", "year=2026/month=4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("former layout %v, want %v", got, want)
	}
	// A month of the former layout whose dossiers are gone (a copy of
	// April's file: read, it would count D5 and D6 again).
	copyFile(t, filepath.Join(tableDir, "year=2026", "month=4", "data_0.parquet"), filepath.Join(tableDir, "year=2025", "month=12", "data_0.parquet"))

	res, err := Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	wantParts := []string{
		"year=2026/month=3/level=commune", "year=2026/month=3/level=department", "year=2026/month=3/level=district",
		"year=2026/month=4/level=district", "year=2026/month=4/level=unknown",
	}
	if got := parquetDirs(t, tableDir); !reflect.DeepEqual(got, wantParts) {
		t.Errorf("folders with Parquet files %v, want %v", got, wantParts)
	}
	var removed []string
	for _, r := range res.Removed {
		if strings.HasPrefix(r, "dossiers/") {
			removed = append(removed, r)
		}
	}
	if want := []string{"dossiers/year=2025/month=12", "dossiers/year=2026/month=3", "dossiers/year=2026/month=4"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if _, err := os.Stat(filepath.Join(tableDir, "year=2025")); !os.IsNotExist(err) {
		t.Errorf("the empty former year is left: %v", err)
	}
	readBack := func() {
		t.Helper()
		// 6 dossiers once each; the district ones of March are D2, D3.
		var n, march int
		var codes string
		q := `SELECT count(*), count(*) FILTER (WHERE month = 3 AND level = 'district'),
			string_agg(dossier_code, ',' ORDER BY dossier_code) FROM read_parquet(?, hive_partitioning = true)`
		if err := db.QueryRowContext(ctx, q, filepath.Join(tableDir, "**", "*.parquet")).Scan(&n, &march, &codes); err != nil {
			t.Fatal(err)
		}
		if n != 6 || march != 2 || codes != "D1,D2,D3,D4,D5,D6" {
			t.Errorf("read back %d dossiers (%s), %d district in March; want 6 (D1..D6), 2", n, codes, march)
		}
	}
	readBack()

	// A run that died during the change left a former-layout file in a
	// month that holds level folders: it goes, the level folders stay.
	copyFile(t, filepath.Join(tableDir, "year=2026", "month=4", "level=district", "data_0.parquet"), filepath.Join(tableDir, "year=2026", "month=4", "data_0.parquet"))
	res, err = Lake(ctx, db, lake)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Removed, []string{"dossiers/year=2026/month=4"}) || len(res.Written) != 0 {
		t.Errorf("removed %v written %v; want the stray file's month, nothing written", res.Removed, res.Written)
	}
	if got := parquetDirs(t, tableDir); !reflect.DeepEqual(got, wantParts) {
		t.Errorf("folders with Parquet files %v, want %v", got, wantParts)
	}
	readBack()
	// And nothing more to do.
	if res, err = Lake(ctx, db, lake); err != nil || len(res.Written)+len(res.Removed) != 0 {
		t.Errorf("a run without change wrote %v removed %v (%v)", res.Written, res.Removed, err)
	}
}

// A replaced partition survives a crash: its files and its new folder are
// synced before the swap, the folder holding it after, once; the lake's
// root after the manifest is renamed into it. No other folder of the lake
// is synced (the others did not change).
func TestLakeSyncsFolders(t *testing.T) {
	ctx := context.Background()
	db := newFixture(t)
	lake := filepath.Join(t.TempDir(), "lake")
	if _, err := Lake(ctx, db, lake); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE index_scores SET total_score = 42 WHERE period = '2026-Q3' AND peer_group = 'district'`); err != nil {
		t.Fatal(err)
	}
	synced := map[string]int{}
	was := syncDir
	syncDir = func(dir string) error {
		rel, _ := filepath.Rel(lake, dir)
		if strings.HasPrefix(rel, ".lake-tmp-") {
			_, rest, _ := strings.Cut(filepath.ToSlash(rel), "/")
			rel = "(stage)/" + rest
		}
		synced[filepath.ToSlash(rel)]++
		return was(dir)
	}
	t.Cleanup(func() { syncDir = was })
	if _, err := Lake(ctx, db, lake); err != nil {
		t.Fatal(err)
	}
	// The new partition folder in the stage (the folders above it in
	// the stage are not moved), the partition's parent once, the root
	// once per manifest write (the partition's entry dropped, the
	// table's new entry, the whole manifest).
	want := map[string]int{
		"(stage)/year=2026/kind=quarter/level=district": 1,
		"index_scores/year=2026/kind=quarter":           1,
		".":                                             3,
	}
	if !reflect.DeepEqual(synced, want) {
		t.Errorf("folders synced %v, want %v", synced, want)
	}
}
