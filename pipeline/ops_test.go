package pipeline

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/internal/testfixture"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// A corrected re-export of a file (same source and path, new content)
// replaces the quarantined rows of the version it replaces, as it replaces
// its dossiers.
func TestCorrectedReexportReplacesQuarantine(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, goodSources)
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "exports/a/01-march.csv")
	// 01-march.csv rows 3 (a duplicate of row 8), 5, 6 and 7 are
	// quarantined (unknown unit, 31/02, due before receipt).
	if n := scalar[int](t, w, `SELECT count(*) FROM quarantine WHERE source_file = ?`, p); n != 4 {
		t.Fatalf("%d quarantined rows of the first version, want 4", n)
	}
	// The unit corrects rows 6 and 7; row 5 still names an unknown unit.
	b, _ := os.ReadFile(p)
	s := strings.Replace(string(b), "31/02/2026,", "03/03/2026 11:00,", 1)
	s = strings.Replace(s, "04/03/2026 10:00,03/03/2026 17:00", "04/03/2026 10:00,05/03/2026 17:00", 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	os.Chtimes(p, mt, mt)
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	// Only the new version's rows 3 and 5 remain: 2 rows, not 4 old + 2 new.
	var rows string
	rows = scalar[string](t, w, `SELECT string_agg(source_row::VARCHAR || ' ' || column_name, ', ' ORDER BY source_row) FROM quarantine WHERE source_file = ?`, p)
	if rows != "3 Mã hồ sơ, 5 Đơn vị tiếp nhận" {
		t.Errorf("quarantine of the re-exported file: %q, want only rows 3 and 5 of the new version", rows)
	}
	if n := scalar[int](t, w, `SELECT count(DISTINCT file_sha256) FROM quarantine WHERE source_file = ?`, p); n != 1 {
		t.Errorf("quarantine holds rows of %d versions of the file", n)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers WHERE dossier_code IN ('H41.01-260304-0005', 'H41.01-260304-0006')`); n != 2 {
		t.Errorf("the corrected rows did not load: %d", n)
	}
}

// batchFixture is the e2e fixture with a config, for Batch (which opens the
// warehouse itself).
func batchFixture(t *testing.T) (*config.Config, *units.Registry, string) {
	t.Helper()
	dir := testfixture.Copy(t, "testdata/e2e")
	yaml := "warehouse: ./cchc.duckdb\nunits: ./units.csv\npublish:\n  dir: ./out\nsources:\n" + goodSources
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, reg := loadProject(t, dir)
	return cfg, reg, dir
}

func lastRun(t *testing.T, cfg *config.Config) (status, message string) {
	t.Helper()
	w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.DB().QueryRow(`SELECT status, coalesce(message, '') FROM runs ORDER BY run_id DESC LIMIT 1`).Scan(&status, &message); err != nil {
		t.Fatal(err)
	}
	return status, message
}

// A run whose data committed but whose snapshot could not be refreshed is
// partial in runs, with the reason, and exits 3.
func TestSnapshotFailureMakesRunPartial(t *testing.T) {
	cfg, reg, _ := batchFixture(t)
	// A folder where the snapshot should go: the rename onto it fails.
	snap := warehouse.SnapshotPath(cfg.Warehouse)
	if err := os.MkdirAll(filepath.Join(snap, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, err := Batch(context.Background(), cfg, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run.Status != warehouse.RunPartial || sum.ExitCode() != ExitPartial || sum.SnapshotErr == nil {
		t.Errorf("summary: status %s exit %d snapshot error %v", sum.Run.Status, sum.ExitCode(), sum.SnapshotErr)
	}
	if st, msg := lastRun(t, cfg); st != warehouse.RunPartial || !strings.Contains(msg, "snapshot not refreshed") {
		t.Errorf("runs: %s %q, want partial naming the snapshot", st, msg)
	}
	if warehouse.SnapshotWAL(cfg.Warehouse) {
		t.Error("unexpected WAL")
	}
}

// Temporary files of a dead run (a snapshot copy, half-written
// publications, DuckDB's spill files) are removed when the next run starts; other files stay.
func TestBatchRemovesLeftovers(t *testing.T) {
	cfg, reg, dir := batchFixture(t)
	left := []string{
		filepath.Join(dir, ".cchc.snapshot.duckdb.tmp-2831"),
		filepath.Join(dir, "out", "2026-03", ".ranking-district.csv.tmp-1234"),
		filepath.Join(dir, "out", "2026-03", ".report.html.tmp-99"),
		filepath.Join(dir, "cchc.duckdb.tmp", "duckdb_temp_storage-0.tmp"),
	}
	keep := filepath.Join(dir, "out", "2026-03", "notes.txt")
	for _, f := range append(left, keep) {
		os.MkdirAll(filepath.Dir(f), 0o755)
		if err := os.WriteFile(f, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log syncBuf
	if _, err := Batch(context.Background(), cfg, reg, Options{Logger: slog.New(slog.NewTextHandler(&log, nil))}); err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s left behind", f)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("%s removed", keep)
	}
	if !strings.Contains(log.String(), "đã xóa tệp tạm do một tiến trình đã chết để lại") {
		t.Errorf("log:\n%s", log.String())
	}
}
