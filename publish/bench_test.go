package publish

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// BenchmarkWarehouse publishes every period of the warehouse named by
// CCHC_BENCH_WAREHOUSE (read-only) into CCHC_BENCH_OUT (a temporary folder
// when unset): the publication part of a full run, without loading. It is
// skipped when the variable is not set.
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
	out := os.Getenv("CCHC_BENCH_OUT")
	if out == "" {
		out = b.TempDir()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		files := 0
		for _, p := range ps {
			paths, err := Period(ctx, db, p, Options{Dir: out, Freshness: 72 * time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			files += len(paths)
		}
		b.ReportMetric(float64(files), "files/op")
	}
	b.ReportMetric(float64(len(ps)), "periods")
}
