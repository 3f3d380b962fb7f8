package pipeline

import (
	"context"
	"errors"
	"fmt"
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

// fixture copies testdata/e2e into a temp dir, sets the files' modification
// times in name order (the export order), writes a config naming the given
// sources and returns the config, registry and an open warehouse.
func fixture(t *testing.T, sourcesYAML string) (*config.Config, *units.Registry, *warehouse.Warehouse, string) {
	t.Helper()
	dir := testfixture.Copy(t, "testdata/e2e")
	yaml := "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n" + sourcesYAML
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, reg, w := openProject(t, dir)
	return cfg, reg, w, dir
}

const goodSources = `  - name: a
    path: ./exports/a/*.csv
    unit: H.BAVI
  - name: b
    path: ./exports/b/*.json
`

const allSources = goodSources + `  - name: bad
    path: ./exports/bad/*
`

// fingerprint summarises the content of the tables a run may change, so
// two states can be compared exactly.
func fingerprint(t *testing.T, w *warehouse.Warehouse) string {
	t.Helper()
	var parts []string
	// Every table but the run ledgers (runs, source_status), which record
	// each attempt by design.
	for _, tb := range []string{"dossiers", "quarantine", "source_files", "units", "periods", "dossier_stats", "indicator_values", "index_scores", "index_groups"} {
		var n int64
		var h string
		q := fmt.Sprintf(`SELECT count(*), coalesce(sum(hash(t::VARCHAR))::VARCHAR, '') FROM %s t`, tb)
		if err := w.DB().QueryRow(q).Scan(&n, &h); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s:%d:%s", tb, n, h))
	}
	return strings.Join(parts, " ")
}

func scalar[T any](t *testing.T, w *warehouse.Warehouse, q string, args ...any) T {
	t.Helper()
	var v T
	if err := w.DB().QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestRunLoadsReconcilesAndQuarantines(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, allSources)
	sum, err := Run(ctx, cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Bad files fail whole, the others load: partial, exit code 3.
	if sum.Run.Status != "partial" || sum.ExitCode() != ExitPartial {
		t.Errorf("status %s exit %d, want partial 3", sum.Run.Status, sum.ExitCode())
	}
	want := map[string][4]int64{ // read, loaded, quarantined, superseded
		// 7 rows: 0002 twice (row 3 is quarantined as duplicate_in_file,
		// row 8 loaded), three bad rows, one more loaded, and 0001
		// superseded by 02-april.csv: 2 + 4 + 1.
		"01-march.csv": {7, 2, 4, 1},
		"02-april.csv": {2, 2, 0, 0},
		"portal.json":  {2, 2, 0, 0},
		"corrupt.xlsx": {0, 0, 0, 0},
		"nocode.csv":   {0, 0, 0, 0},
	}
	rows, err := w.DB().Query(`SELECT path, status, coalesce(error, ''), rows_read, rows_loaded, rows_quarantined, rows_superseded FROM source_files`)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var path, status, msg string
		var c [4]int64
		if err := rows.Scan(&path, &status, &msg, &c[0], &c[1], &c[2], &c[3]); err != nil {
			t.Fatal(err)
		}
		seen++
		name := filepath.Base(path)
		if c != want[name] {
			t.Errorf("%s: counts %v, want %v", name, c, want[name])
		}
		if c[0] != c[1]+c[2]+c[3] {
			t.Errorf("%s: read %d != loaded+quarantined+superseded", name, c[0])
		}
		switch name {
		case "corrupt.xlsx", "nocode.csv":
			if status != "failed" || !strings.Contains(msg, name) {
				t.Errorf("%s: status %s error %q; want failed naming the file", name, status, msg)
			}
			if name == "nocode.csv" && !strings.Contains(msg, "no dossier code column") {
				t.Errorf("nocode.csv: error %q", msg)
			}
		default:
			if status != "loaded" {
				t.Errorf("%s: status %s", name, status)
			}
		}
	}
	rows.Close()
	if seen != len(want) {
		t.Errorf("%d source_files rows, want %d", seen, len(want))
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers`); n != 6 {
		t.Errorf("%d dossiers, want 6", n)
	}
	if n := scalar[int](t, w, `SELECT count(*) - count(DISTINCT dossier_code) FROM dossiers`); n != 0 {
		t.Errorf("%d duplicate dossier codes", n)
	}
	// The later file's version wins, and within a file the later row.
	if f := scalar[string](t, w, `SELECT source_file FROM dossiers WHERE dossier_code = 'H41.01-260302-0001'`); filepath.Base(f) != "02-april.csv" {
		t.Errorf("0001 comes from %s, want the later export", f)
	}
	if st := scalar[string](t, w, `SELECT status || ' row ' || source_row FROM dossiers WHERE dossier_code = 'H41.01-260302-0002'`); st != "resolved row 8" {
		t.Errorf("0002 = %s, want the later row of the file", st)
	}
	// Quarantine rows carry source, file, row, column, raw value and reason.
	q, err := w.DB().Query(`SELECT source, source_row, column_name, raw_value, reason || ' [' || reason_code || ']', raw_record FROM quarantine ORDER BY source_row`)
	if err != nil {
		t.Fatal(err)
	}
	type qrow struct {
		row              int64
		col, raw, reason string
	}
	var got []qrow
	for q.Next() {
		var src, rec string
		var r qrow
		if err := q.Scan(&src, &r.row, &r.col, &r.raw, &r.reason, &rec); err != nil {
			t.Fatal(err)
		}
		if src != "a" || !strings.Contains(rec, "Mã hồ sơ") || strings.Contains(rec, "Số CCCD") {
			t.Errorf("quarantine source %s raw_record %s", src, rec)
		}
		// The raw record is its own row's: a batch's rejected rows are
		// moved after its valid ones (transforms.Mapper.Apply) and keep
		// their row number, raw value and raw record together.
		if !strings.Contains(rec, r.raw) {
			t.Errorf("quarantine row %d: raw_record %s lacks its raw value %q", r.row, rec, r.raw)
		}
		got = append(got, r)
	}
	q.Close()
	wantQ := []qrow{
		{3, "Mã hồ sơ", "H41.01-260302-0002", `Mã hồ sơ "H41.01-260302-0002" có 2 dòng trong tệp; dòng này bị bỏ qua, giữ dòng cuối (dòng 8): xóa dòng trùng trong tệp xuất [duplicate_in_file]`},
		{5, "Đơn vị tiếp nhận", "UBND huyện Thạch Thất", `Đơn vị "UBND huyện Thạch Thất" chưa có trong danh mục đơn vị: thêm vào units.csv (mã, tên hoặc tên gọi khác trong cột aliases) hoặc sửa tên trong tệp xuất [unknown_unit]`},
		{6, "Ngày tiếp nhận", "31/02/2026", `Không đọc được ngày "31/02/2026" (cột "Ngày tiếp nhận"): ghi theo dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:MM rồi xuất lại [unparseable_date]`},
		{7, "Ngày hẹn trả", "03/03/2026 17:00", `Ngày hẹn trả 03/03/2026 17:00 (cột "Ngày hẹn trả") trước ngày tiếp nhận 04/03/2026 10:00: sửa một trong hai ngày trong tệp xuất [due_before_received]`},
	}
	if len(got) != len(wantQ) {
		t.Fatalf("quarantine = %+v", got)
	}
	for i, wq := range wantQ {
		g := got[i]
		if g.row != wq.row || g.col != wq.col || g.raw != wq.raw || !strings.Contains(g.reason, wq.reason) {
			t.Errorf("quarantine[%d] = %+v, want %+v", i, g, wq)
		}
	}
	// runs records the run with its counts.
	var status string
	var filesNew, filesFailed, loaded, quarantined int64
	if err := w.DB().QueryRow(`SELECT status, files_new, files_failed, rows_loaded, rows_quarantined FROM runs WHERE run_id = ?`, sum.Run.ID).
		Scan(&status, &filesNew, &filesFailed, &loaded, &quarantined); err != nil {
		t.Fatal(err)
	}
	if status != "partial" || filesNew != 3 || filesFailed != 2 || loaded != 6 || quarantined != 4 {
		t.Errorf("runs row: %s new %d failed %d loaded %d quarantined %d", status, filesNew, filesFailed, loaded, quarantined)
	}
}

func TestSecondRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, allSources)
	if _, err := Run(ctx, cfg, w, reg, Options{}); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, w)
	sum, err := Run(ctx, cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The two broken files of the fixture are not retried while unchanged,
	// but the run stays partial until they are fixed.
	if sum.Run.FilesNew != 0 || sum.Run.RowsRead != 0 || sum.Unchanged != 5 || sum.Run.Status != "partial" || !strings.Contains(sum.Run.Message, "2 unchanged files still fail") {
		t.Errorf("second run: %+v unchanged %d", sum.Run, sum.Unchanged)
	}
	if after := fingerprint(t, w); after != before {
		t.Errorf("tables changed:\nbefore %s\nafter  %s", before, after)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM runs WHERE status = 'partial'`); n != 2 {
		t.Errorf("%d partial runs", n)
	}
}

func TestChangedFileReplacesDossiers(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, goodSources)
	if _, err := Run(ctx, cfg, w, reg, Options{}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "exports/a/02-april.csv")
	b, _ := os.ReadFile(p)
	b = []byte(strings.Replace(string(b), "01/04/2026 08:00;15/04/2026 17:00;;Đang xử lý", "01/04/2026 08:00;15/04/2026 17:00;10/04/2026 11:00;Đã xử lý xong", 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	os.Chtimes(p, mt, mt)
	sum, err := Run(ctx, cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run.FilesNew != 1 || sum.Run.RowsLoaded != 2 {
		t.Errorf("changed file: %+v", sum.Run)
	}
	if st := scalar[string](t, w, `SELECT status FROM dossiers WHERE dossier_code = 'H41.01-260401-0007'`); st != "resolved" {
		t.Errorf("0007 status %s, want the new version", st)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers`); n != 6 {
		t.Errorf("%d dossiers, want 6", n)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM source_files WHERE path = ?`, p); n != 2 {
		t.Errorf("%d ledger rows for the changed file, want one per version", n)
	}
}

func TestFailedRunRollsBack(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, goodSources)
	// A first good run, then a new file whose run fails half-way.
	if _, err := Run(ctx, cfg, w, reg, Options{Sources: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, w)
	_ = dir
	injected := errors.New("injected failure")
	sum, err := Run(ctx, cfg, w, reg, Options{AfterFile: func(i int) error {
		if i == 0 {
			return injected
		}
		return nil
	}})
	if !errors.Is(err, injected) {
		t.Fatalf("err = %v", err)
	}
	if sum.Run.Status != "failed" || sum.ExitCode() != ExitFailed {
		t.Errorf("status %s", sum.Run.Status)
	}
	if after := fingerprint(t, w); after != before {
		t.Errorf("a failed run changed the tables:\nbefore %s\nafter  %s", before, after)
	}
	if msg := scalar[string](t, w, `SELECT message FROM runs WHERE run_id = ?`, sum.Run.ID); !strings.Contains(msg, "injected failure") {
		t.Errorf("runs message %q", msg)
	}
	// The next run loads the same files.
	sum, err = Run(ctx, cfg, w, reg, Options{})
	if err != nil || sum.Run.FilesNew != 2 {
		t.Errorf("retry: %v %+v", err, sum.Run)
	}
}

// The model runs in its own transaction after the data's: a model that
// fails leaves the run's data committed, nothing published, the model
// tables as they were and the model pending; the next run, though it
// loads nothing, rebuilds the model whole.
func TestModelFailsAfterDataCommits(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, goodSources)
	if _, err := Run(ctx, cfg, w, reg, Options{Sources: []string{"b"}, NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	modelBefore := scalar[string](t, w, `SELECT coalesce(sum(hash(t::VARCHAR))::VARCHAR, '') FROM dossier_stats t`)
	dossiersBefore := scalar[int](t, w, `SELECT count(*) FROM dossiers`)
	injected := errors.New("injected model failure")
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, BeforeModel: func() error { return injected }})
	if err != nil {
		t.Fatalf("a model failure after the data committed is not a failed run: %v", err)
	}
	if sum.Run.Status != "partial" || sum.ExitCode() != ExitPartial || !errors.Is(sum.ModelErr, injected) || sum.Modelled {
		t.Errorf("status %s, exit %d, model error %v, modelled %v", sum.Run.Status, sum.ExitCode(), sum.ModelErr, sum.Modelled)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers`); n <= dossiersBefore {
		t.Errorf("source a's dossiers were not committed: %d dossiers, %d before", n, dossiersBefore)
	}
	if h := scalar[string](t, w, `SELECT coalesce(sum(hash(t::VARCHAR))::VARCHAR, '') FROM dossier_stats t`); h != modelBefore {
		t.Error("the failed model changed dossier_stats")
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM runs WHERE run_id = ? AND committed_at IS NOT NULL AND modelled IS NULL`, sum.Run.ID); n != 1 {
		t.Error("the run is not recorded as committed with its model pending")
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'dossier_changes'`); n != 0 {
		t.Error("dossier_changes left behind")
	}
	if msg := scalar[string](t, w, `SELECT message FROM runs WHERE run_id = ?`, sum.Run.ID); !strings.Contains(msg, "model not rebuilt") {
		t.Errorf("runs message %q", msg)
	}
	// Nothing new: the pending model alone makes the next run rebuild it,
	// whole, equal to a full rebuild of the same dossiers.
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Run.FilesNew != 0 || !sum.Modelled || !sum.ModelFull || sum.Run.Status != "succeeded" {
		t.Fatalf("next run: %v, %d new files, modelled %v, full %v, %s", err, sum.Run.FilesNew, sum.Modelled, sum.ModelFull, sum.Run.Status)
	}
	// Every dossier counts once in its month's II.06a totals: the
	// received total over the units equals the dossiers in scope.
	if got, want := scalar[int](t, w, `SELECT sum(received_total) FROM dossier_stats s JOIN periods p USING (period) WHERE field = '*' AND p.kind = 'year'`),
		scalar[int](t, w, `SELECT count(*) FROM dossier_outcomes WHERE period_kind = 'year'`); got != want || got != scalar[int](t, w, `SELECT count(*) FROM dossiers`) {
		t.Errorf("after the rebuild the yearly totals count %d dossiers, outcomes %d", got, want)
	}
	// And then nothing is pending any more.
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Modelled {
		t.Errorf("a third run with nothing new rebuilt the model again (%v)", err)
	}
}

// openProject loads dir/cchc.yaml and its unit registry and opens its
// warehouse, closed when the test ends.
func openProject(t *testing.T, dir string) (*config.Config, *units.Registry, *warehouse.Warehouse) {
	t.Helper()
	cfg, reg := loadProject(t, dir)
	w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return cfg, reg, w
}

// loadProject loads dir/cchc.yaml and its unit registry.
func loadProject(t *testing.T, dir string) (*config.Config, *units.Registry) {
	t.Helper()
	return reload(t, filepath.Join(dir, "cchc.yaml"))
}
