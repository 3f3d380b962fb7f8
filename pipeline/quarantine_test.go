package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

func appendFile(t *testing.T, p, s string, mt time.Time) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, s...), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, mt, mt)
}

func fileCounts(t *testing.T, w *warehouse.Warehouse, name string) [4]int64 {
	t.Helper()
	var c [4]int64
	if err := w.DB().QueryRow(`SELECT rows_read, rows_loaded, rows_quarantined, rows_superseded FROM source_files
		WHERE path LIKE '%/' || ? ORDER BY last_run_id DESC LIMIT 1`, name).Scan(&c[0], &c[1], &c[2], &c[3]); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func reasonCodes(t *testing.T, w *warehouse.Warehouse, name string) string {
	t.Helper()
	rows, err := w.DB().Query(`SELECT reason_code FROM quarantine WHERE source_file LIKE '%/' || ? ORDER BY source_row`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		out = append(out, c)
	}
	return strings.Join(out, ",")
}

// Rows quarantined for an unknown unit load, without --full-refresh, on the
// first run after the unit registry learns the unit; rows quarantined
// because a header was not recognised load after the source's columns:
// override names it. Every count still reconciles, and a cured row does
// not replace the version of a file loaded after its own.
func TestRegistryAndMappingChangesCureQuarantinedRows(t *testing.T) {
	ctx := context.Background()
	const srcs = goodSources + `  - name: c
    path: ./exports/c/*.csv
    unit: S.TP
`
	cfg, reg, w, dir := fixture(t, srcs)
	march := filepath.Join(dir, "exports/a/01-march.csv")
	april := filepath.Join(dir, "exports/a/02-april.csv")
	// Row 9 of March: a second dossier of the unknown unit.
	appendFile(t, march, "H41.01-260305-0009,UBND huyện Thạch Thất,Đăng ký khai sinh,Hộ tịch,Trực tiếp,05/03/2026 10:00,06/03/2026 17:00,,Đang xử lý,,,\n",
		time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))
	// April (delivered after March's first load) carries 0004 too.
	appendFile(t, april, "H41.01-260303-0004;H.BAVI;Đăng ký khai sinh;Hộ tịch;1;03/03/2026 10:00;04/03/2026 17:00;;Đang xử lý\n",
		time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC))
	hidden := filepath.Join(dir, "02-april.csv.later")
	if err := os.Rename(april, hidden); err != nil {
		t.Fatal(err)
	}
	// Source c spells the receipt date in a way nobody foresaw.
	os.MkdirAll(filepath.Join(dir, "exports/c"), 0o755)
	os.WriteFile(filepath.Join(dir, "exports/c/c.csv"), []byte("Mã hồ sơ,Ngày nộp đơn\nC-1,16/03/2026 08:00\nC-2,17/03/2026 08:00\n"), 0o644)

	// Run 1: March and c. March: 8 rows; row 3 duplicates row 8, rows 5
	// and 9 name the unknown unit, 6 and 7 are bad: loaded 3 (rows 2, 4,
	// 8), quarantined 5. c: both rows unknown_header.
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	if c := fileCounts(t, w, "01-march.csv"); c != [4]int64{8, 3, 5, 0} {
		t.Fatalf("run 1 march %v", c)
	}
	if got := reasonCodes(t, w, "c.csv"); got != "unknown_header,unknown_header" {
		t.Fatalf("c.csv reason codes %s", got)
	}
	// Run 2: April arrives (0001 and 0004 from it win); nothing changed
	// that could cure a row, so nothing is read again.
	os.Rename(hidden, april)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Retried != 0 || sum.Run.FilesNew != 1 {
		t.Fatalf("run 2: %v retried %d %+v", err, sum.Retried, sum.Run)
	}

	// Run 3: the registry learns Thạch Thất and c's config names its column.
	units := filepath.Join(dir, "units.csv")
	appendFile(t, units, "H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,Thạch Thất\n", time.Now())
	os.WriteFile(cfg.File, []byte("warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n"+srcs+
		"    columns: {\"Ngày nộp đơn\": received_at}\n"), 0o644)
	cfg, reg = reload(t, cfg.File)
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	// March read again: rows 5 (0004) and 9 (0009) leave quarantine; 0004
	// stays April's (a later file), 0009 loads. Loaded 3 (rows 4, 8, 9),
	// quarantined 3 (3, 6, 7), superseded 2 (rows 2 and 5, by April):
	// 8 = 3 + 3 + 2. c: 2 = 2 + 0 + 0.
	if sum.Retried != 2 || sum.Recovered != 4 || sum.Run.FilesNew != 0 || sum.Run.Status != "succeeded" {
		t.Errorf("run 3: retried %d recovered %d %+v", sum.Retried, sum.Recovered, sum.Run)
	}
	if r := sum.Run; r.RowsRead != 10 || r.RowsLoaded != 5 || r.RowsQuarantined != 3 || r.RowsSuperseded != 2 {
		t.Errorf("run 3 counts %+v", r)
	}
	if c := fileCounts(t, w, "01-march.csv"); c != [4]int64{8, 3, 3, 2} {
		t.Errorf("run 3 march %v", c)
	}
	if c := fileCounts(t, w, "c.csv"); c != [4]int64{2, 2, 0, 0} {
		t.Errorf("run 3 c %v", c)
	}
	if got := reasonCodes(t, w, "01-march.csv"); got != "duplicate_in_file,unparseable_date,due_before_received" {
		t.Errorf("march quarantine now %s", got)
	}
	if u := scalar[string](t, w, `SELECT unit_code FROM dossiers WHERE dossier_code = 'H41.01-260305-0009'`); u != "H.THACHTHAT" {
		t.Errorf("0009 unit %s", u)
	}
	if f := scalar[string](t, w, `SELECT source_file FROM dossiers WHERE dossier_code = 'H41.01-260303-0004'`); filepath.Base(f) != "02-april.csv" {
		t.Errorf("0004 from %s: a cured row replaced a later file's version", f)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM source_files WHERE rows_read <> rows_loaded + rows_quarantined + rows_superseded`); n != 0 {
		t.Errorf("%d ledger rows do not reconcile", n)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM source_files WHERE path LIKE '%01-march.csv'`); n != 1 {
		t.Errorf("%d ledger rows for march: a retry updates its version's row", n)
	}
	if n := scalar[int](t, w, `SELECT rows_recovered FROM source_files WHERE path LIKE '%01-march.csv'`); n != 2 {
		t.Errorf("rows_recovered %d", n)
	}
	// Run 4: nothing more to cure.
	before := fingerprint(t, w)
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Retried != 0 || sum.Run.RowsRead != 0 {
		t.Errorf("run 4: %v retried %d %+v", err, sum.Retried, sum.Run)
	}
	if after := fingerprint(t, w); after != before {
		t.Errorf("run 4 changed the tables")
	}
}

func reload(t *testing.T, path string) (*config.Config, *units.Registry) {
	t.Helper()
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, reg
}

// A file whose share of bad rows is above its source's max_reject_rate is
// rejected whole, naming the share; a file below it loads.
func TestMaxRejectRate(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: d
    path: ./exports/d/*.csv
    unit: S.TP
    max_reject_rate: 0.4
`)
	os.MkdirAll(filepath.Join(dir, "exports/d"), 0o755)
	head := "Mã hồ sơ,Ngày tiếp nhận\n"
	// bad.csv: 2 of 4 rows bad = 50% > 40%. ok.csv: 1 of 4 = 25%.
	os.WriteFile(filepath.Join(dir, "exports/d/bad.csv"), []byte(head+"D-1,16/03/2026\nD-2,abc\n,16/03/2026\nD-4,16/03/2026\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "exports/d/ok.csv"), []byte(head+"E-1,16/03/2026\nE-2,abc\nE-3,16/03/2026\nE-4,16/03/2026\n"), 0o644)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run.Status != "partial" || sum.Run.FilesFailed != 1 || sum.Run.RowsLoaded != 3 || sum.Run.RowsQuarantined != 1 {
		t.Errorf("run %+v", sum.Run)
	}
	var msg string
	var read int
	if err := w.DB().QueryRow(`SELECT error, rows_read FROM source_files WHERE status = 'failed'`).Scan(&msg, &read); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nguồn ", ": tệp ", "bad.csv: 2 trên 4 dòng (50%) có lỗi", "max_reject_rate 40%", "không nạp dòng nào của tệp này", "(rows are bad"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	var files []string
	rows, _ := w.DB().Query(`SELECT DISTINCT source_file FROM dossiers UNION ALL SELECT DISTINCT source_file FROM quarantine`)
	for rows.Next() {
		var f string
		rows.Scan(&f)
		files = append(files, filepath.Base(f))
	}
	rows.Close()
	sort.Strings(files)
	if strings.Join(files, ",") != "ok.csv,ok.csv" {
		t.Errorf("rows in the warehouse from %v; want only ok.csv's", files)
	}
}

// A retried file is loaded again as a whole: a row the changed registry no
// longer resolves leaves the warehouse for quarantine, and the counts still
// reconcile.
func TestRetryUnloadsRowsThatNoLongerPass(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, goodSources)
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	// Thạch Thất is added; Ba Vì loses its alias "Ba Vì".
	os.WriteFile(filepath.Join(dir, "units.csv"), []byte(`unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases
H.BAVI,UBND huyện Ba Vì,district,,,,,
X.TANLINH,UBND xã Tản Lĩnh,commune,H.BAVI,,,,Tản Lĩnh
S.TP,Sở Tư pháp,department,,,,,
H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,
`), 0o644)
	cfg, reg = reload(t, cfg.File)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	// March again: rows 3, 6, 7 and 8 say "Ba Vì": unknown_unit now. Row 2
	// (0001) stays superseded by April, rows 4 (0003) and 5 (0004, cured)
	// load: 7 = 2 + 4 + 1; one row recovered (5).
	if c := fileCounts(t, w, "01-march.csv"); c != [4]int64{7, 2, 4, 1} {
		t.Errorf("march %v", c)
	}
	if sum.Retried != 1 || sum.Recovered != 1 {
		t.Errorf("retried %d recovered %d", sum.Retried, sum.Recovered)
	}
	if got := reasonCodes(t, w, "01-march.csv"); got != "unknown_unit,unknown_unit,unknown_unit,unknown_unit" {
		t.Errorf("march quarantine %s", got)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers WHERE dossier_code = 'H41.01-260302-0002'`); n != 0 {
		t.Errorf("0002, now quarantined, is still loaded")
	}
	if f := scalar[string](t, w, `SELECT source_file FROM dossiers WHERE dossier_code = 'H41.01-260302-0001'`); filepath.Base(f) != "02-april.csv" {
		t.Errorf("0001 from %s", f)
	}
}

// A retried file whose new reading fails (here: above max_reject_rate once
// the registry lost an alias) keeps its loaded version as it was.
func TestFailedRetryKeepsTheLoadedVersion(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: a
    path: ./exports/a/*.csv
    unit: H.BAVI
    max_reject_rate: 0.5
`)
	// March: 3 of 7 rows bad (43%), under 50%: loads.
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "units.csv"), []byte(`unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases
H.BAVI,UBND huyện Ba Vì,district,,,,,
X.TANLINH,UBND xã Tản Lĩnh,commune,H.BAVI,,,,Tản Lĩnh
S.TP,Sở Tư pháp,department,,,,,
H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,
`), 0o644)
	cfg, reg = reload(t, cfg.File)
	// Read again: rows 3, 6, 7, 8 name "Ba Vì", now unknown: 4 of 7 (57%).
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || len(sum.RetryFailed) != 1 || !strings.Contains(sum.RetryFailed[0], "4 trên 7 dòng (57,1%)") || len(sum.Files) != 0 {
		t.Fatalf("run 2: %v %+v files %d", err, sum.RetryFailed, len(sum.Files))
	}
	if c := fileCounts(t, w, "01-march.csv"); c != [4]int64{7, 2, 4, 1} {
		t.Errorf("march ledger changed: %v", c)
	}
	if got := reasonCodes(t, w, "01-march.csv"); got != "duplicate_in_file,unknown_unit,unparseable_date,due_before_received" {
		t.Errorf("march quarantine changed: %s", got)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers WHERE dossier_code = 'H41.01-260302-0002'`); n != 1 {
		t.Errorf("0002 left the warehouse")
	}
}

// A file rejected whole for want of a dossier code column loads, unchanged,
// on the run after its source's columns: names the vendor's spelling.
func TestMappingChangeRetriesFailedFile(t *testing.T) {
	ctx := context.Background()
	const src = "  - name: e\n    path: ./exports/e/*.csv\n    unit: S.TP\n"
	cfg, reg, w, dir := fixture(t, src)
	os.MkdirAll(filepath.Join(dir, "exports/e"), 0o755)
	os.WriteFile(filepath.Join(dir, "exports/e/e.csv"), []byte("Số BN,Ngày tiếp nhận,Người liên hệ\nBN-1,16/03/2026,Nguyễn Văn Bình\nBN-2,17/03/2026,Trần Thị C\n"), 0o644)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Run.FilesFailed != 1 {
		t.Fatalf("run 1: %v %+v", err, sum.Run)
	}
	sum, _ = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if sum.StillFailed != 1 {
		t.Fatalf("run 2: an unchanged failed file is not read again: still failed %d", sum.StillFailed)
	}
	os.WriteFile(cfg.File, []byte("warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n"+src+
		"    columns: {\"Số BN\": dossier_code, \"Người liên hệ\": drop}\n"), 0o644)
	cfg, reg = reload(t, cfg.File)
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Run.Status != "succeeded" || sum.Run.RowsLoaded != 2 || sum.StillFailed != 0 {
		t.Fatalf("run 3: %v %+v", err, sum.Run)
	}
	if c := fileCounts(t, w, "e.csv"); c != [4]int64{2, 2, 0, 0} {
		t.Errorf("e.csv %v", c)
	}
	if d := scalar[string](t, w, `SELECT columns_dropped[1] FROM source_files WHERE path LIKE '%e.csv'`); d != "Người liên hệ" {
		t.Errorf("columns_dropped %q", d)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM source_files WHERE path LIKE '%e.csv'`); n != 1 {
		t.Errorf("%d ledger rows for e.csv", n)
	}
}

// Dates are checked against the run's start plus future_tolerance (24h by
// default) and against 2000-01-01, each with its own reason code.
func TestDateChecksUseTheRunDate(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, "  - name: f\n    path: ./exports/f/*.csv\n    unit: S.TP\n")
	os.MkdirAll(filepath.Join(dir, "exports/f"), 0o755)
	// The run starts 16/03/2026 12:00 in Hanoi: the limit is 17/03/2026 12:00.
	os.WriteFile(filepath.Join(dir, "exports/f/f.csv"), []byte("Mã hồ sơ,Ngày tiếp nhận,Ngày hẹn trả\n"+
		"F-1,17/03/2026 11:59,20/03/2027\n"+ // within the tolerance; a due date may lie ahead
		"F-2,17/03/2026 12:01,\n"+ // after it
		"F-3,31/12/1999 08:00,\n"), 0o644) // before 2000
	now := func() time.Time { return time.Date(2026, 3, 16, 5, 0, 0, 0, time.UTC) } // 12:00 at UTC+7
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, Now: now}); err != nil {
		t.Fatal(err)
	}
	if got := reasonCodes(t, w, "f.csv"); got != "date_in_future,date_before_2000" {
		t.Errorf("reason codes %s", got)
	}
	if r := scalar[string](t, w, `SELECT reason FROM quarantine WHERE source_row = 3`); r != `Ngày 17/03/2026 12:01 (cột "Ngày tiếp nhận") sau ngày chạy 16/03/2026 12:00: ngày trong tương lai, kiểm tra và sửa trong tệp xuất` {
		t.Errorf("reason %q", r)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers`); n != 1 {
		t.Errorf("%d dossiers, want F-1", n)
	}
}
