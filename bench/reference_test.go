package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/samplegen"
	"github.com/cchc/cchc/units"
)

// The reference load (b) types the export like cchc: on the same file,
// every dossier cchc loads is in read_csv's table with the same values in
// every canonical column, and the row cchc quarantines for a bad date is
// the one read_csv rejects. Then (d), the model alone, rebuilds the
// rankings of the loaded warehouse. Without the typed columns and the
// vocabulary mapping of readCSVQuery, the comparison fails.
func TestReferenceMatchesCchc(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a warehouse twice")
	}
	dir := t.TempDir()
	const rows = 3_000
	var buf bytes.Buffer
	o := samplegen.BigOptions{Rows: rows, Seed: 5, Communes: 30, CanonicalHeaders: true}
	if _, err := samplegen.BigExport(&buf, o); err != nil {
		t.Fatal(err)
	}
	// Plant an impossible receipt date on data row 100 (CSV line 101).
	lines := strings.SplitAfter(buf.String(), "\n")
	cells := strings.Split(lines[100], ",")
	if !strings.Contains(cells[6], "/2026 ") {
		t.Fatalf("line 101 has no receipt date in column 7: %q", lines[100])
	}
	badCode := cells[0]
	cells[6] = "31/02/2026"
	lines[100] = strings.Join(cells, ",")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "exports"), 0o755))
	csvPath := filepath.Join(dir, "exports", "bench.csv")
	must(os.WriteFile(csvPath, []byte(strings.Join(lines, "")), 0o644))
	must(os.WriteFile(filepath.Join(dir, "units.csv"), samplegen.BigUnitsCSV(o.Communes), 0o644))
	cfgPath := filepath.Join(dir, "cchc.yaml")
	must(os.WriteFile(cfgPath, []byte("warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n  - name: bench\n    path: ./exports/*\n"+
		"publish:\n  dir: ./out\n  formats: [csv]\n"), 0o644))

	cfg, err := config.Load(cfgPath, nil)
	must(err)
	reg, err := units.Load(cfg.Units)
	must(err)
	sum, err := pipeline.Batch(context.Background(), cfg, reg, pipeline.Options{Trigger: "manual"})
	must(err)
	if sum.Run.RowsRead != rows || sum.Run.RowsQuarantined != 1 {
		t.Fatalf("cchc read %d rows, quarantined %d; want %d and 1", sum.Run.RowsRead, sum.Run.RowsQuarantined, rows)
	}

	refPath := filepath.Join(dir, "readcsv.duckdb")
	must(duckdbReadCSV(csvPath, refPath))
	db, err := sql.Open("duckdb", refPath)
	must(err)
	defer db.Close()
	_, err = db.Exec("ATTACH " + sqlString(cfg.Warehouse) + " AS w (READ_ONLY)")
	must(err)

	var ref, loaded, missing, differ int
	must(db.QueryRow(`SELECT count(*) FROM dossiers`).Scan(&ref))
	must(db.QueryRow(`SELECT count(*) FROM w.dossiers`).Scan(&loaded))
	if ref != rows-1 || loaded != rows-1 {
		t.Errorf("read_csv loaded %d rows, cchc %d; want %d each", ref, loaded, rows-1)
	}
	var inRef int
	must(db.QueryRow(`SELECT count(*) FROM dossiers WHERE dossier_code = ?`, badCode).Scan(&inRef))
	if inRef != 0 {
		t.Errorf("read_csv kept the row with the bad date (%s)", badCode)
	}
	cols := []string{"unit_code", "procedure_code", "procedure_name", "field", "channel", "received_at", "due_at",
		"finished_at", "returned_at", "status", "supplement_requests", "supplement_days", "fee_required", "paid_online",
		"synced_national", "digitized_dossier", "digitized_result", "reused_data", "rating"}
	var diff []string
	for _, c := range cols {
		diff = append(diff, "r."+c+" IS DISTINCT FROM d."+c)
	}
	must(db.QueryRow(`SELECT count(*) FILTER (WHERE r.dossier_code IS NULL),
		count(*) FILTER (WHERE `+strings.Join(diff, " OR ")+`)
		FROM w.dossiers d LEFT JOIN dossiers r USING (dossier_code)`).Scan(&missing, &differ))
	if missing != 0 || differ != 0 {
		t.Errorf("of cchc's %d dossiers, %d are not in read_csv's table and %d differ", loaded, missing, differ)
		for _, c := range cols {
			var n int
			db.QueryRow(`SELECT count(*) FROM w.dossiers d JOIN dossiers r USING (dossier_code) WHERE r.` + c + ` IS DISTINCT FROM d.` + c).Scan(&n)
			if n > 0 {
				t.Errorf("column %s differs in %d rows", c, n)
			}
		}
	}
	var outcomes int
	must(db.QueryRow(`SELECT count(*) FROM dossiers WHERE outcome IS NULL OR effective_finish IS DISTINCT FROM
		(CASE WHEN finished_at IS NULL THEN NULL ELSE finished_at - to_microseconds(CAST(round(coalesce(supplement_days, 0) * 86400000000) AS BIGINT)) END)`).Scan(&outcomes))
	if outcomes != 0 {
		t.Errorf("%d rows without an outcome or with a wrong effective finish", outcomes)
	}
	db.Close()

	// (d) and (d2): the model alone on the loaded warehouse, from the
	// counts kept and counting anew.
	for _, recount := range []bool{false, true} {
		start := time.Now()
		must(buildModel(cfgPath, recount, false))
		t.Logf("model alone, recount %v: %v", recount, time.Since(start))
	}
}

func TestHelpers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		err  bool
	}{
		{"5000000,1000000", []int{1000000, 5000000}, false},
		{"20000", []int{20000}, false},
		{"0", nil, true},
		{"1e6", nil, true},
	} {
		got, err := parseSizes(c.in)
		if (err != nil) != c.err || len(got) != len(c.want) {
			t.Errorf("parseSizes(%q) = %v, %v", c.in, got, err)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("parseSizes(%q) = %v, want %v", c.in, got, c.want)
			}
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 5000000: "5,000,000", 123456: "123,456"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	// Median of 3 and of 4 (mean of the middle two); peak is the highest.
	r := &result{samples: []sample{{wall: 3 * time.Second, rss: 10}, {wall: time.Second, rss: 30}, {wall: 2 * time.Second, rss: 20}}}
	if r.median() != 2*time.Second || r.peak() != 30 {
		t.Errorf("median %v peak %v", r.median(), r.peak())
	}
	r.samples = append(r.samples, sample{wall: 4 * time.Second})
	if r.median() != 2500*time.Millisecond {
		t.Errorf("median of 4 = %v", r.median())
	}
}

// redeliveries finishes pending dossiers received before 20 October 2026,
// five days after receipt, and keeps every other cell.
func TestRedeliveries(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "big.csv")
	body := "dossier_code,received_at,finished_at,returned_at,status,rating\n" +
		"A,02/01/2026 08:00:00,05/01/2026 09:00:00,05/01/2026 10:00:00,Đã trả kết quả,\n" + // finished: skipped
		"B,03/01/2026 08:00:00,,,Đang giải quyết,\"x, y\"\n" + // pending: redelivered
		"C,25/10/2026 08:00:00,,,Đang giải quyết,\n" + // too late: skipped
		"D,28/02/2026 16:30:00,,,Chờ bổ sung,\n" // pending: 28/02 + 5 days = 05/03
	if err := os.WriteFile(src, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	n, err := redeliveries(&out, src, 2)
	if err != nil || n != 2 {
		t.Fatalf("redeliveries: %d, %v", n, err)
	}
	want := "dossier_code,received_at,finished_at,returned_at,status,rating\n" +
		"B,03/01/2026 08:00:00,08/01/2026 08:00:00,08/01/2026 08:00:00,Đã trả kết quả,\"x, y\"\n" +
		"D,28/02/2026 16:30:00,05/03/2026 16:30:00,05/03/2026 16:30:00,Đã trả kết quả,\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if _, err := redeliveries(io.Discard, src, 3); err == nil {
		t.Error("3 wanted of 2 pending: no error")
	}
}
