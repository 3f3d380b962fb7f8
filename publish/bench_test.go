package publish

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// benchCommunes is the size of the bench province (the 1M bench has 600
// communes), with 30 districts and 20 departments.
const benchCommunes = 600

// benchFields are the fields of form II.06a of every unit in the bench
// province.
var benchFields = []string{"Đất đai", "Tư pháp", "Xây dựng", "Giáo dục", "Y tế", "Lao động",
	"Nông nghiệp", "Giao thông", "Công thương", "Tài chính", "Văn hóa", "Hộ tịch"}

// benchWarehouse is a province of benchCommunes communes, 30 districts and
// 20 departments ranked in 2026-Q3 (and 2026-Q2 before it), each with
// form II.06a rows for a total and len(benchFields) fields; scores are
// spread by a hash of the unit code.
func benchWarehouse(b *testing.B) *sql.DB {
	b.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(b.TempDir(), "bench.duckdb"), warehouse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	fields := "['*'"
	for _, f := range benchFields {
		fields += ", " + sqlString(f)
	}
	fields += "]"
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO units (unit_code, name, level)
			SELECT 'X.' || lpad(CAST(i AS VARCHAR), 4, '0'), 'Xã Thử Nghiệm Số ' || i, 'commune' FROM range(1, %d) t(i)
			UNION ALL SELECT 'H.' || lpad(CAST(i AS VARCHAR), 2, '0'), 'Huyện Thử Nghiệm ' || i, 'district' FROM range(1, 31) t(i)
			UNION ALL SELECT 'S.' || lpad(CAST(i AS VARCHAR), 2, '0'), 'Sở Thử Nghiệm ' || i, 'department' FROM range(1, 21) t(i)`, benchCommunes+1),
		`INSERT INTO periods VALUES
			('2026-Q2', 'quarter', 'calendar', TIMESTAMP '2026-04-01', TIMESTAMP '2026-07-01', '2026-Q1', false),
			('2026-Q3', 'quarter', 'calendar', TIMESTAMP '2026-07-01', TIMESTAMP '2026-10-01', '2026-Q2', false)`,
		`INSERT INTO index_groups VALUES
			('default', '1.0', 'CKMB', 1, 'Công khai, minh bạch', 'Transparency', 18),
			('default', '1.0', 'TDGQ', 2, 'Tiến độ giải quyết', 'Progress', 20),
			('default', '1.0', 'CLGQ', 3, 'Dịch vụ công trực tuyến', 'Online service', 12),
			('default', '1.0', 'TTTT', 4, 'Thanh toán trực tuyến', 'Online payment', 10),
			('default', '1.0', 'MDHL', 5, 'Mức độ hài lòng', 'Satisfaction', 18),
			('default', '1.0', 'MDSH', 6, 'Số hóa hồ sơ', 'Digitisation', 22)`,
		`INSERT INTO index_scores (methodology, methodology_version, period, unit_code, peer_group, group_scores,
			na_indicators, total_score, rank, peer_count, tier, previous_rank, rank_change, score_change, data_until, provisional)
		WITH s AS (
			SELECT p.period, u.unit_code, u.level,
				(hash(u.unit_code, p.period) % 1800) / 100.0 AS ckmb, (hash(u.unit_code, p.period, 2) % 2000) / 100.0 AS tdgq,
				(hash(u.unit_code, p.period, 3) % 1200) / 100.0 AS clgq, (hash(u.unit_code, p.period, 4) % 1000) / 100.0 AS tttt,
				(hash(u.unit_code, p.period, 5) % 1800) / 100.0 AS mdhl, (hash(u.unit_code, p.period, 6) % 2200) / 100.0 AS mdsh
			FROM units u CROSS JOIN periods p
		), t AS (
			SELECT *, ckmb + tdgq + clgq + tttt + mdhl + mdsh AS total FROM s
		), r AS (
			SELECT *, CAST(rank() OVER (PARTITION BY period, level ORDER BY total DESC) AS INTEGER) AS rk,
				CAST(count(*) OVER (PARTITION BY period, level) AS INTEGER) AS n FROM t
		)
		SELECT 'default', '1.0', r.period, r.unit_code, r.level,
			json_object('CKMB', r.ckmb, 'TDGQ', r.tdgq, 'CLGQ', r.clgq, 'TTTT', r.tttt, 'MDHL', r.mdhl, 'MDSH', r.mdsh),
			CASE WHEN r.tttt < 1 THEN ['paid_online'] ELSE [] END, r.total, r.rk, r.n,
			CASE WHEN r.total >= 80 THEN 'Xuất sắc' WHEN r.total >= 65 THEN 'Tốt' WHEN r.total >= 50 THEN 'Khá' ELSE 'Trung bình' END,
			q.rk, q.rk - r.rk, r.total - q.total, TIMESTAMP '2026-09-30 10:00:00', false
		FROM r LEFT JOIN r q ON r.period = '2026-Q3' AND q.period = '2026-Q2' AND q.unit_code = r.unit_code`,
		`INSERT INTO dossier_stats
		SELECT p.period, u.unit_code, f.field,
			30 + h % 50, 10 + h % 20, 10 + h % 25, 10 + h % 5,
			20 + h % 40, 5 + h % 10, 10 + h % 20, 5 + h % 10,
			10 + h % 10, 5 + h % 5, 5 + h % 5, h % 3, h % 4, 0, h % 6
		FROM units u CROSS JOIN periods p CROSS JOIN (SELECT unnest(` + fields + `) AS field) f
		CROSS JOIN (SELECT 1) AS one(x), LATERAL (SELECT hash(u.unit_code, p.period, f.field) % 1000 AS h)`,
		`INSERT INTO runs (run_id, started_at, finished_at, status, trigger, committed_at, modelled) VALUES
			(1, TIMESTAMP '2026-10-02 01:30:00', TIMESTAMP '2026-10-02 01:35:10', 'succeeded', 'schedule', TIMESTAMP '2026-10-02 01:35:00', true)`,
	} {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	return w.DB()
}

// BenchmarkPeriod publishes 2026-Q3 of the bench province in every
// format: 13 files (3 rankings in 4 formats, form II.06a, report.html).
func BenchmarkPeriod(b *testing.B) {
	db := benchWarehouse(b)
	ctx := context.Background()
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Period(ctx, db, "2026-Q3", Options{Dir: dir, Freshness: 72 * time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat writes each file of 2026-Q3 of the bench province from
// the loaded publication (BenchmarkFormat/load reads it), to a discarding
// writer (Parquet: a file, DuckDB writes it); ns/row is per unit of the
// file (a ranking's rows, the form's units, every unit for the report).
func BenchmarkFormat(b *testing.B) {
	db := benchWarehouse(b)
	ctx := context.Background()
	opts := Options{Freshness: 72 * time.Hour}
	formats, _ := formatSet(nil)
	load := func() publication {
		pub := publication{}
		var err error
		if pub.Period, err = loadPeriod(ctx, db, "2026-Q3"); err != nil {
			b.Fatal(err)
		}
		if err := loadPublication(ctx, db, &pub, opts, formats); err != nil {
			b.Fatal(err)
		}
		return pub
	}
	pub := load()
	var commune ranking
	units := 0
	for _, r := range pub.Rankings {
		units += len(r.Rows)
		if r.PeerGroup == "commune" {
			commune = r
		}
	}
	run := func(name string, rows int, fn func() error) {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
		})
	}
	run("load", units, func() error { load(); return nil })
	run("csv", len(commune.Rows), func() error { return writeRankingCSV(io.Discard, pub.Period, commune) })
	run("xlsx", len(commune.Rows), func() error { return writeRankingXLSX(io.Discard, pub.Period, commune) })
	run("json", len(commune.Rows), func() error { return writeRankingJSON(io.Discard, pub, commune) })
	target := filepath.Join(b.TempDir(), "x.parquet")
	run("parquet", len(commune.Rows), func() error { return writeRankingParquet(ctx, db, pub.Period, commune, target) })
	run("stats-xlsx", units, func() error { return writeStatsXLSX(io.Discard, pub.Period, pub.Stats) })
	run("html", units, func() error { return writeReportHTML(io.Discard, pub) })
}

// BenchmarkWarehouse publishes every period of the warehouse named by
// CCHC_BENCH_WAREHOUSE (read-only) into CCHC_BENCH_OUT (a temporary folder
// when unset), as a run publishes them after modelling (Periods,
// freshness 72h):
// the publication part of a full run, without loading; or only the
// periods listed in CCHC_BENCH_PERIODS (comma-separated). It is skipped
// when CCHC_BENCH_WAREHOUSE is not set.
//
//	CCHC_BENCH_WAREHOUSE=/tmp/x/cchc.duckdb go test -run '^$' -bench Warehouse -benchtime 1x -cpuprofile cpu.out ./publish/
func BenchmarkWarehouse(b *testing.B) {
	path := os.Getenv("CCHC_BENCH_WAREHOUSE")
	if path == "" {
		b.Skip("CCHC_BENCH_WAREHOUSE not set")
	}
	ctx := context.Background()
	w, err := warehouse.Open(ctx, path, warehouse.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	rows, err := db.QueryContext(ctx, `SELECT period FROM periods UNION SELECT period FROM par_scores ORDER BY period`)
	if err != nil {
		b.Fatal(err)
	}
	var ps []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			b.Fatal(err)
		}
		ps = append(ps, p)
	}
	rows.Close()
	if only := os.Getenv("CCHC_BENCH_PERIODS"); only != "" {
		// A nightly run's publication: the periods it rebuilt.
		ps = strings.Split(only, ",")
	}
	out := os.Getenv("CCHC_BENCH_OUT")
	if out == "" {
		out = b.TempDir()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		paths, _, err := Periods(ctx, db, ps, Options{Dir: out, Freshness: 72 * time.Hour}, nil)
		if err != nil {
			b.Fatal(err)
		}
		files := len(paths)
		b.ReportMetric(float64(files), "files/op")
	}
	b.ReportMetric(float64(len(ps)), "periods")
}
