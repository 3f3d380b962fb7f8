package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// retryProject is a project whose exports are dir/exports/*.csv, published
// as CSV into dir/out and, with lake, into dir/lake. run writes file (if
// any) into the exports and runs a batch at the given clock.
func retryProject(t *testing.T, lake bool) (dir string, w *warehouse.Warehouse, run func(name, file, body string, at time.Time) *Summary) {
	t.Helper()
	dir = t.TempDir()
	exports := filepath.Join(dir, "exports")
	if err := os.MkdirAll(exports, 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "warehouse: ./cchc.duckdb\nunits: ./units.csv\nfreshness: 0s\nsources:\n  - name: a\n    path: ./exports/*.csv\npublish:\n  dir: ./out\n  formats: [csv]\n"
	if lake {
		yaml += "  lake: ./lake\n"
	}
	for name, body := range map[string]string{"units.csv": incrUnits, "cchc.yaml": yaml} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, reg, w := openProject(t, dir)
	run = func(name, file, body string, at time.Time) *Summary {
		t.Helper()
		if file != "" {
			if err := os.WriteFile(filepath.Join(exports, file), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := Run(context.Background(), cfg, w, reg, Options{Now: func() time.Time { return at }})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return sum
	}
	return dir, w, run
}

// lakeEqualsWarehouse reads every lake table back with DuckDB and compares
// it with the warehouse's, both ways (EXCEPT ALL).
func lakeEqualsWarehouse(t *testing.T, step string, w *warehouse.Warehouse, lake string) {
	t.Helper()
	for _, tb := range []string{"dossiers", "dossier_stats", "indicator_values", "index_scores", "periods", "units"} {
		glob := filepath.Join(lake, tb, "**", "*.parquet")
		var extra, missing int
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet('%[1]s', hive_partitioning=false) EXCEPT ALL SELECT * FROM %[2]s)),
			(SELECT count(*) FROM (SELECT * FROM %[2]s EXCEPT ALL SELECT * FROM read_parquet('%[1]s', hive_partitioning=false)))`, glob, tb)
		if err := w.DB().QueryRowContext(context.Background(), q).Scan(&extra, &missing); err != nil {
			t.Errorf("%s: lake %s: %v", step, tb, err)
			continue
		}
		if extra+missing > 0 {
			t.Errorf("%s: lake %s differs from the warehouse: %d rows only in the lake, %d only in the warehouse", step, tb, extra, missing)
		}
	}
}

// lastUnpublished is runs.unpublished of the last run ("NULL" for NULL).
func lastUnpublished(t *testing.T, w *warehouse.Warehouse) string {
	t.Helper()
	var s *string
	if err := w.DB().QueryRow(`SELECT unpublished FROM runs ORDER BY run_id DESC LIMIT 1`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	if s == nil {
		return "NULL"
	}
	return *s
}

// A lake write that fails is written again by the next run, although that
// run loads nothing: runs.unpublished carries "lake" over, and the partial
// run's message says in Vietnamese what was not written.
func TestLakeFailureRetried(t *testing.T) {
	dir, w, run := retryProject(t, true)
	lake := filepath.Join(dir, "lake")
	at := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
	run("first", "01.csv", incrHeader+incrRow("HS-1", "S.TP", 3, 2, 7, 2, "Hộ tịch"), at)
	lakeEqualsWarehouse(t, "first", w, lake)
	// A regular file where April's partition goes: the lake fails at
	// dossiers, the first partitioned table.
	block := filepath.Join(lake, "dossiers", "year=2026", "month=4")
	if err := os.WriteFile(block, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := run("april", "02.csv", incrHeader+incrRow("HS-2", "S.TP", 4, 2, 7, 2, "Hộ tịch"), at.Add(time.Hour))
	if s.PublishErr == nil || s.ExitCode() != ExitPartial {
		t.Fatalf("the lake did not fail: exit %d, %v", s.ExitCode(), s.PublishErr)
	}
	for _, want := range []string{"các bảng dossiers, dossier_stats", "hồ dữ liệu (publish.lake)", "lần chạy sau sẽ tự ghi lại"} {
		if !strings.Contains(s.Run.Message, want) {
			t.Errorf("message %q lacks %q", s.Run.Message, want)
		}
	}
	if got := lastUnpublished(t, w); got != "lake" {
		t.Errorf("runs.unpublished %q, want lake", got)
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	s = run("nothing new, cause fixed", "", "", at.Add(2*time.Hour))
	if s.ExitCode() != ExitOK || s.Lake == nil {
		t.Fatalf("exit %d, lake %v, %v", s.ExitCode(), s.Lake, s.PublishErr)
	}
	lakeEqualsWarehouse(t, "after the fix", w, lake)
	if got := lastUnpublished(t, w); got != "" {
		t.Errorf("runs.unpublished %q after a clean run, want empty", got)
	}
	// Written: the next run has nothing left to write.
	s = run("nothing new again", "", "", at.Add(3*time.Hour))
	if s.Lake != nil || len(s.RepublishedPeriods) > 0 {
		t.Errorf("a run with nothing pending wrote lake %v, periods %v", s.Lake, s.RepublishedPeriods)
	}
}

// A period whose publication fails stops no other period, and is written
// by the next run although that run loads nothing.
func TestPeriodFailureRetried(t *testing.T) {
	dir, w, run := retryProject(t, false)
	out := filepath.Join(dir, "out")
	at := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
	run("first", "01.csv", incrHeader+incrRow("HS-1", "S.TP", 3, 2, 7, 2, "Hộ tịch"), at)
	block := filepath.Join(out, "2026-04")
	if err := os.WriteFile(block, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An April dossier changes 2026, 2026-04, 2026-H1 and 2026-Q2 (in
	// publishing order): 2026-04 fails, the two after it are written.
	s := run("april", "02.csv", incrHeader+incrRow("HS-2", "S.TP", 4, 2, 7, 2, "Hộ tịch"), at.Add(time.Hour))
	if s.ExitCode() != ExitPartial || strings.Join(s.UnpublishedPeriods, " ") != "2026-04" {
		t.Fatalf("exit %d, unpublished %v, %v", s.ExitCode(), s.UnpublishedPeriods, s.PublishErr)
	}
	for _, p := range []string{"2026-H1", "2026-Q2"} {
		if fs, _ := filepath.Glob(filepath.Join(out, p, "*.csv")); len(fs) == 0 {
			t.Errorf("%s not published after 2026-04 failed", p)
		}
	}
	if !strings.Contains(s.Run.Message, "chưa ghi được bản công bố của kỳ 2026-04; lần chạy sau sẽ tự ghi lại") {
		t.Errorf("message %q", s.Run.Message)
	}
	if got := lastUnpublished(t, w); got != "2026-04" {
		t.Errorf("runs.unpublished %q", got)
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	s = run("nothing new, cause fixed", "", "", at.Add(2*time.Hour))
	if s.ExitCode() != ExitOK || strings.Join(s.RepublishedPeriods, " ") != "2026-04" {
		t.Errorf("exit %d, republished %v, %v", s.ExitCode(), s.RepublishedPeriods, s.PublishErr)
	}
	if fs, _ := filepath.Glob(filepath.Join(out, "2026-04", "*.csv")); len(fs) == 0 {
		t.Errorf("2026-04 has no publications after a clean run")
	}
}

// A run whose lake fails halfway leaves partitions that the old manifest
// does not name (here dossiers/year=2026/month=5) and, in periods, a copy
// whose content the old manifest does not describe. When their rows go,
// the next run removes the partition and rewrites periods.
func TestLakeOrphanPartition(t *testing.T) {
	dir, w, run := retryProject(t, true)
	lake := filepath.Join(dir, "lake")
	at := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	run("first", "01.csv", incrHeader+incrRow("HS-1", "S.TP", 3, 2, 7, 2, "Hộ tịch")+incrRow("HS-2", "S.TP", 4, 2, 7, 2, "Hộ tịch"), at)
	// The lake fails at dossier_stats, after dossiers/year=2026/month=5
	// (and periods, with May's periods) were written.
	block := filepath.Join(lake, "dossier_stats", "year=2026", "kind=month")
	if err := os.RemoveAll(block); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(block, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := run("may", "02.csv", incrHeader+incrRow("HS-3", "S.TP", 5, 2, 7, 2, "Hộ tịch"), at.Add(time.Hour))
	if s.PublishErr == nil {
		t.Fatal("the lake did not fail")
	}
	if !isDir(filepath.Join(lake, "dossiers", "year=2026", "month=5")) {
		t.Fatal("the failed run wrote no May partition: the test tests nothing")
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	// HS-3 is corrected to April: May has no dossier any more.
	s = run("may dossier corrected to april", "03.csv", incrHeader+incrRow("HS-3", "S.TP", 4, 5, 7, 2, "Hộ tịch"), at.Add(2*time.Hour))
	if s.ExitCode() != ExitOK {
		t.Fatalf("exit %d: %v", s.ExitCode(), s.PublishErr)
	}
	if isDir(filepath.Join(lake, "dossiers", "year=2026", "month=5")) {
		t.Errorf("lake/dossiers/year=2026/month=5 still exists though no dossier is received in May")
	}
	lakeEqualsWarehouse(t, "after the correction", w, lake)
}

// A lost manifest costs a full rewrite, and the partitions on disk that
// have no rows any more still go.
func TestLakeManifestLost(t *testing.T) {
	dir, w, run := retryProject(t, true)
	lake := filepath.Join(dir, "lake")
	at := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	run("first", "01.csv", incrHeader+incrRow("HS-1", "S.TP", 3, 2, 7, 2, "Hộ tịch")+incrRow("HS-2", "S.TP", 4, 2, 7, 2, "Hộ tịch"), at)
	if err := os.Remove(filepath.Join(lake, "_cchc_manifest.json")); err != nil {
		t.Fatal(err)
	}
	// HS-2 moves to March: April has no dossier any more.
	s := run("april dossier corrected to march", "02.csv", incrHeader+incrRow("HS-2", "S.TP", 3, 5, 7, 2, "Hộ tịch"), at.Add(time.Hour))
	if s.ExitCode() != ExitOK {
		t.Fatalf("exit %d: %v", s.ExitCode(), s.PublishErr)
	}
	if isDir(filepath.Join(lake, "dossiers", "year=2026", "month=4")) {
		t.Errorf("lake/dossiers/year=2026/month=4 still exists though no dossier is received in April")
	}
	lakeEqualsWarehouse(t, "manifest lost", w, lake)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// A publication interrupted by a signal (the run's context cancelled
// while the second period is written: systemctl stop, a restart) leaves
// the periods it did not write pending; the next run, with nothing new to
// load, writes them (review: it published nothing and said succeeded).
func TestInterruptedPublicationRedone(t *testing.T) {
	cfg, reg, w, dir := fixture(t, goodSources)
	cfg.Publish.Dir = filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	first, _ := Run(ctx, cfg, w, reg, Options{Progress: func(p Progress) {
		if p.Phase == "publish" {
			if n++; n == 2 {
				cancel()
			}
		}
	}})
	if first.PublishErr == nil {
		t.Fatalf("the interrupted run reports no publication failure (status %s)", first.Run.Status)
	}
	sum, err := Run(context.Background(), cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.PublishErr != nil || len(sum.Published) == 0 || len(sum.RepublishedPeriods) < len(first.UnpublishedPeriods) {
		t.Errorf("the next run wrote %d files for %v (publication error %v); %v were left unwritten",
			len(sum.Published), sum.RepublishedPeriods, sum.PublishErr, first.UnpublishedPeriods)
	}
	// What it wrote is every period's publication, as a clean run writes.
	var files int
	filepath.Walk(cfg.Publish.Dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files++
		}
		return nil
	})
	cfg2 := *cfg
	cfg2.Publish.Dir = filepath.Join(dir, "out2")
	clean, err := Run(context.Background(), &cfg2, w, reg, Options{FullRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if files < len(clean.Published) {
		t.Errorf("%d files on disk after the interrupted run and the next, a clean run writes %d", files, len(clean.Published))
	}
}
