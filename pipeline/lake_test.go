package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/publish"
	cchcsql "github.com/cchc/cchc/sql"
)

// lakeFiles maps every Parquet file of the lake (relative path) to its
// FileInfo, to tell rewritten files (a new inode) from untouched ones
// without comparing times.
func lakeFiles(t *testing.T, dir string) map[string]os.FileInfo {
	t.Helper()
	out := map[string]os.FileInfo{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".parquet") {
			info, err := os.Stat(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = info
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// partitionOf is the partition folder of a lake file ("dossiers/year=2026/month=2").
func partitionOf(file string) string { return filepath.ToSlash(filepath.Dir(file)) }

// Acceptance 11.6: publish.lake writes the warehouse's tables as
// Hive-partitioned Parquet; the model SQL run in a fresh in-memory DuckDB
// over views of the lake gives the warehouse's tables (EXCEPT ALL both
// ways, zero rows); a run with no change rewrites no partition, and a run
// with one new file rewrites only the partitions whose content changed.
func TestLakeModelOverLakeAndChangedPartitionsOnly(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, goodSources)
	cfg.Publish.Lake = filepath.Join(dir, "lake")
	// A February dossier the later April export does not touch: its
	// partition must survive the April run untouched.
	feb := "\ufeffMã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n" +
		"H41.01-260202-0009,H.BAVI,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/02/2026 08:00,16/02/2026 17:00,10/02/2026 09:00,Đã xử lý xong\n"
	febPath := filepath.Join(dir, "exports", "a", "00-feb.csv")
	if err := os.WriteFile(febPath, []byte(feb), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(febPath, mt, mt)
	// The April export arrives later (run 3).
	april := filepath.Join(dir, "exports", "a", "02-april.csv")
	held := filepath.Join(dir, "02-april.held")
	if err := os.Rename(april, held); err != nil {
		t.Fatal(err)
	}

	// Run 1: the lake is written whole.
	sum, err := Run(ctx, cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.PublishErr != nil || sum.Lake == nil {
		t.Fatalf("lake not written: %v", sum.PublishErr)
	}
	// Dossiers: 0001, 0002 (H.BAVI, district), 0003 (X.TANLINH, commune)
	// of 01-march.csv, the two portal dossiers (S.TP, department; March)
	// and the February one (H.BAVI): partitions year=/month=/level= of
	// February (district) and March (commune, department, district).
	var dossierParts []string
	for _, p := range sum.Lake.Written {
		if strings.HasPrefix(p, "dossiers/") {
			dossierParts = append(dossierParts, p)
		}
	}
	if want := []string{"dossiers/year=2026/month=2/level=district", "dossiers/year=2026/month=3/level=commune",
		"dossiers/year=2026/month=3/level=department", "dossiers/year=2026/month=3/level=district"}; !reflect.DeepEqual(dossierParts, want) {
		t.Errorf("dossier partitions written %v, want %v", dossierParts, want)
	}
	for _, tb := range []string{"units", "periods", "dossier_stats", "indicator_values", "index_scores"} {
		found := false
		for _, x := range sum.Lake.Tables {
			found = found || x == tb
		}
		if !found {
			t.Errorf("table %s not in the lake (tables %v)", tb, sum.Lake.Tables)
		}
	}
	before := lakeFiles(t, cfg.Publish.Lake)
	man1, err := publish.ReadLakeManifest(cfg.Publish.Lake)
	if err != nil {
		t.Fatal(err)
	}

	// Run 2, nothing new: the model is not rebuilt and the lake is not
	// touched; writing the lake again explicitly rewrites nothing either.
	sum, err = Run(ctx, cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Lake != nil && (len(sum.Lake.Written) > 0 || len(sum.Lake.Removed) > 0) {
		t.Errorf("run without change wrote %v removed %v", sum.Lake.Written, sum.Lake.Removed)
	}
	res, err := publish.Lake(ctx, w.DB(), cfg.Publish.Lake)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) > 0 || len(res.Removed) > 0 {
		t.Errorf("lake again without change wrote %v removed %v", res.Written, res.Removed)
	}
	for f, info := range lakeFiles(t, cfg.Publish.Lake) {
		if !os.SameFile(info, before[f]) {
			t.Errorf("%s rewritten without change", f)
		}
	}

	// Run 3: 02-april.csv arrives (0001 of H.BAVI replaced, in March;
	// 0007 of H.BAVI new, in April). March's and April's district
	// partitions are written; February and March's commune and
	// department partitions are untouched.
	if err := os.Rename(held, april); err != nil {
		t.Fatal(err)
	}
	mt = time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	os.Chtimes(april, mt, mt)
	sum, err = Run(ctx, cfg, w, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.PublishErr != nil || sum.Lake == nil {
		t.Fatalf("lake not written: %v", sum.PublishErr)
	}
	written := map[string]bool{}
	for _, p := range sum.Lake.Written {
		written[p] = true
	}
	var dossierParts3 []string
	for _, p := range sum.Lake.Written {
		if strings.HasPrefix(p, "dossiers/") {
			dossierParts3 = append(dossierParts3, p)
		}
	}
	if want := []string{"dossiers/year=2026/month=3/level=district", "dossiers/year=2026/month=4/level=district"}; !reflect.DeepEqual(dossierParts3, want) {
		t.Errorf("dossier partitions written %v, want %v", dossierParts3, want)
	}
	if written["units"] {
		t.Errorf("units rewritten, the registry did not change")
	}
	man3, err := publish.ReadLakeManifest(cfg.Publish.Lake)
	if err != nil {
		t.Fatal(err)
	}
	after := lakeFiles(t, cfg.Publish.Lake)
	for f, info := range after {
		part := partitionOf(f)
		tb, key, _ := strings.Cut(part, "/")
		if part == tb {
			key = ""
		}
		if written[part] {
			// Rewritten only because its content changed.
			if was, ok := man1.Tables[tb].Partitions[key]; ok && was == man3.Tables[tb].Partitions[key] {
				t.Errorf("%s rewritten with unchanged content", part)
			}
			continue
		}
		if b, ok := before[f]; !ok || !os.SameFile(info, b) {
			t.Errorf("%s changed although its partition was not written", f)
		}
	}
	if len(sum.Lake.Written) == 0 || len(after) <= len(sum.Lake.Written) {
		t.Errorf("written %d of %d files: every partition rewritten?", len(sum.Lake.Written), len(after))
	}
	t.Logf("run 3 wrote %v", sum.Lake.Written)
	startedAt := sum.Run.StartedAt
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	lakeMatchesWarehouse(t, cfg.Publish.Lake, cfg.Warehouse, cfg.Periods, cfg.Methodology, model.AsOf{Now: startedAt, Grace: cfg.Publish.Grace})
}

// lakeMatchesWarehouse runs the model SQL in a fresh in-memory DuckDB whose
// inputs (dossiers, units) are views over the lake, and checks that every
// model table, and every table of the lake, equals the warehouse's.
func lakeMatchesWarehouse(t *testing.T, lake, warehousePath, convention, methodology string, asOf model.AsOf) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("duckdb", "?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.200s: %v", q, err)
		}
	}
	// The warehouse's schema, then its inputs replaced by the lake.
	names, err := fs.Glob(cchcsql.Migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(cchcsql.Migrations, n)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(b))
	}
	lakeSelect := func(tb publish.LakeTable) string {
		sel := "*"
		if len(tb.Partitions) > 0 {
			sel = "* EXCLUDE (" + strings.Join(tb.Partitions, ", ") + ")"
		}
		return fmt.Sprintf("SELECT %s FROM read_parquet('%s/%s/**/*.parquet', hive_partitioning = true)", sel, lake, tb.Name)
	}
	tables := map[string]publish.LakeTable{}
	for _, tb := range publish.LakeTables {
		tables[tb.Name] = tb
	}
	for _, in := range []string{"dossiers", "units"} {
		exec("DROP TABLE " + in)
		exec("CREATE VIEW " + in + " AS " + lakeSelect(tables[in]))
	}
	meth, err := model.LoadMethodology(methodology)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Build(ctx, conn, convention, meth, asOf); err != nil {
		t.Fatalf("model over the lake: %v", err)
	}
	exec(fmt.Sprintf("ATTACH '%s' AS wh (READ_ONLY)", warehousePath))

	same := func(what, ours, theirs string) {
		t.Helper()
		var n1, n2, rows int64
		q := fmt.Sprintf("SELECT (SELECT count(*) FROM (%[1]s EXCEPT ALL %[2]s)), (SELECT count(*) FROM (%[2]s EXCEPT ALL %[1]s)), (SELECT count(*) FROM (%[2]s))", ours, theirs)
		if err := conn.QueryRowContext(ctx, q).Scan(&n1, &n2, &rows); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n1 != 0 || n2 != 0 {
			t.Errorf("%s: %d rows only over the lake, %d only in the warehouse", what, n1, n2)
		}
		if rows == 0 {
			t.Errorf("%s: the warehouse table is empty, the comparison proves nothing", what)
		}
	}
	// A roll-up of one level reads that level's folders only, and finds
	// the warehouse's dossiers of the units of that level (their latest
	// row in the registry).
	dossiersLake := fmt.Sprintf("read_parquet('%s/dossiers/**/*.parquet', hive_partitioning = true, filename = true)", lake)
	for _, level := range []string{"commune", "department", "district"} {
		var fromLake, inWarehouse, otherFiles int64
		if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE filename NOT LIKE '%%/level=' || ? || '/%%') FROM %s WHERE level = ?`, dossiersLake), level, level).Scan(&fromLake, &otherFiles); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM wh.dossiers d JOIN (SELECT unit_code, arg_max(level, coalesce(valid_from, DATE '1900-01-01')) AS level FROM wh.units GROUP BY unit_code) u USING (unit_code) WHERE u.level = ?`, level).Scan(&inWarehouse); err != nil {
			t.Fatal(err)
		}
		if fromLake != inWarehouse || fromLake == 0 || otherFiles != 0 {
			t.Errorf("level=%s: %d dossiers in the lake (%d from other folders), %d in the warehouse", level, fromLake, otherFiles, inWarehouse)
		}
	}
	// The model's tables rebuilt over the lake.
	for _, tb := range []string{"periods", "unit_attribution", "dossier_stats", "index_groups", "indicator_values", "index_scores"} {
		same("model over the lake: "+tb, "SELECT * FROM "+tb, "SELECT * FROM wh."+tb)
	}
	// Every table of the lake as read back (the PAR tables when the
	// warehouse has them and they hold rows: this fixture has no PAR data).
	for _, tb := range publish.LakeTables {
		if tb.Requires != "" {
			var n int
			conn.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'wh' AND table_name = ?", tb.Requires).Scan(&n)
			if n == 0 {
				continue
			}
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM wh."+tb.Requires).Scan(&n); err != nil || n == 0 {
				continue
			}
		}
		same("lake: "+tb.Name, lakeSelect(tb), "SELECT * FROM wh."+tb.Name)
	}
}

// The PAR tables join the lake from a real PAR run (scoring sheets, survey,
// adjustments): partitioned year=/kind=/level=, equal to the warehouse's.
func TestLakePARTables(t *testing.T) {
	cfg, reg, w, dir := parFixture(t)
	t0 := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	sheet(t, dir, "1-stp.xlsx", "Đơn vị: Sở Tư pháp", 2.0, t0)
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Tỷ lệ hài lòng\nSở Tư pháp,\"92,5\"\n")
	cfg.Publish.Dir = filepath.Join(dir, "out")
	cfg.Publish.Lake = filepath.Join(dir, "lake")
	sum, err := Run(context.Background(), cfg, w, reg, Options{})
	if err != nil || sum.PublishErr != nil || sum.Lake == nil {
		t.Fatalf("%v %v", err, sum.PublishErr)
	}
	written := strings.Join(sum.Lake.Written, " ")
	for _, want := range []string{"par_scores/year=2025/kind=year/level=department", "par_criteria/year=2025/kind=year/level=department", "par_criterion_scores/year=2025/kind=year"} {
		if !strings.Contains(written, want) {
			t.Errorf("lake lacks %s (written: %s)", want, written)
		}
	}
	for _, tb := range publish.LakeTables {
		if !strings.HasPrefix(tb.Name, "par_") {
			continue
		}
		lake := fmt.Sprintf("SELECT * EXCLUDE (%s) FROM read_parquet('%s/%s/**/*.parquet', hive_partitioning = true)",
			strings.Join(tb.Partitions, ", "), cfg.Publish.Lake, tb.Name)
		var n1, n2, rows int64
		q := fmt.Sprintf("SELECT (SELECT count(*) FROM (%[1]s EXCEPT ALL %[2]s)), (SELECT count(*) FROM (%[2]s EXCEPT ALL %[1]s)), (SELECT count(*) FROM %[3]s)", lake, "SELECT * FROM "+tb.Name, tb.Name)
		if err := w.DB().QueryRow(q).Scan(&n1, &n2, &rows); err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		if n1 != 0 || n2 != 0 || rows == 0 {
			t.Errorf("%s: %d rows only in the lake, %d only in the warehouse (of %d)", tb.Name, n1, n2, rows)
		}
	}
}
