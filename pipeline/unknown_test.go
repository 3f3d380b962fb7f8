package pipeline

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// Two communes send the same four March dossiers; commune B's vendor has no
// synchronisation column. Hand-computed scores (default methodology):
//
//	dossiers: 1 online, early (sync Có, digitised Có); 2 direct, late
//	(Không, Có); 3 direct, pending in time at the end of March (Có, Không);
//	4 online, early (Có, Có). No fee, result-digitisation, reuse or rating
//	column in either export: those are unknown.
//	CKMB sync: A 3/4 = 0.75 of threshold 1 → 18 × 0.75 = 13.5; B N/A (never 0).
//	TDGQ on time: early, late, pending in time, early → 3/4 → 20 × 0.75 = 15.
//	CLGQ online: 2/4 = 0.5 ≥ threshold 0.5 → 12.
//	TTTT paid online: no fee column → N/A for both.
//	MDHL: finished 1, 2, 4; one late → 1 − 1/3 = 0.6667 of 0.9 → 18 × 0.7407 = 13.3333.
//	MDSH: digitised 3/4 = 0.75 of 0.8 → 8 × 0.9375 = 7.5; result and reuse
//	N/A → 7.5 / 8 × 22 = 20.625.
//
// A's and B's scores agree on every group but CKMB.
const unknownCSVHead = "Mã hồ sơ,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái,Hình thức nộp,Số hóa hồ sơ"

var unknownRows = []struct{ row, sync string }{
	{"01,02/03/2026 08:00,10/03/2026 17:00,05/03/2026 10:00,Đã xử lý xong,Trực tuyến,Có", "Có"},
	{"02,03/03/2026 08:00,10/03/2026 17:00,12/03/2026 10:00,Đã xử lý xong,Trực tiếp,Có", "Không"},
	{"03,04/03/2026 08:00,20/04/2026 17:00,,Đang xử lý,Trực tiếp,Không", "Có"},
	{"04,05/03/2026 08:00,10/03/2026 17:00,06/03/2026 10:00,Đã xử lý xong,Trực tuyến,Có", "Có"},
}

func unknownFixture(t *testing.T) (*config.Config, *units.Registry, *warehouse.Warehouse, string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("units.csv", "unit_code,name,level\nX.A,Xã A,commune\nX.B,Xã B,commune\nX.C,Xã C,commune\n")
	a := unknownCSVHead + ",Đồng bộ DVCQG\n"
	b := unknownCSVHead + "\n"
	for _, r := range unknownRows {
		a += "A-" + r.row + "," + r.sync + "\n"
		b += "B-" + r.row + "\n"
	}
	write("exports/a/a-2026-03.csv", a)
	write("exports/b/b-2026-03.csv", b)
	// c's folder exists (the share is mounted) but holds no export yet.
	if err := os.MkdirAll(filepath.Join(dir, "exports", "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("cchc.yaml", `warehouse: ./cchc.duckdb
units: ./units.csv
sources:
  - name: a
    path: ./exports/a/*.csv
    unit: X.A
  - name: b
    path: ./exports/b/*.csv
    unit: X.B
  - name: c
    path: ./exports/c/*.csv
    unit: X.C
`)
	cfg, reg, w := openProject(t, dir)
	return cfg, reg, w, dir
}

var ict = time.FixedZone("ICT", 7*3600)

func TestUnknownIsNotFalse(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, _ := unknownFixture(t)
	now := time.Date(2026, 4, 2, 1, 30, 0, 0, ict)
	sum, err := Run(ctx, cfg, w, reg, Options{Now: func() time.Time { return now }, NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	group := func(unit, g string) sql.NullFloat64 {
		var v sql.NullFloat64
		if err := w.DB().QueryRow(`SELECT CAST(json_extract(group_scores, '$.' || ?) AS DOUBLE) FROM index_scores
			WHERE period = '2026-03' AND unit_code = ?`, g, unit).Scan(&v); err != nil {
			t.Fatalf("%s %s: %v", unit, g, err)
		}
		return v
	}
	for g, want := range map[string]float64{"TDGQ": 15, "CLGQ": 12, "MDHL": 18 * (2.0 / 3) / 0.9, "MDSH": 20.625} {
		a, b := group("X.A", g), group("X.B", g)
		if !a.Valid || !b.Valid || abs(a.Float64-want) > 1e-9 || abs(b.Float64-want) > 1e-9 {
			t.Errorf("%s: A %v, B %v, want both %v", g, a, b, want)
		}
	}
	if a, b := group("X.A", "CKMB"), group("X.B", "CKMB"); !a.Valid || a.Float64 != 13.5 || b.Valid {
		t.Errorf("CKMB: A %v (want 13.5), B %v (want N/A, not 0)", a, b)
	}
	if na := scalar[string](t, w, `SELECT array_to_string(na_indicators, ',') FROM index_scores WHERE period = '2026-03' AND unit_code = 'X.B'`); !strings.Contains(na, "sync") {
		t.Errorf("B na_indicators = %q, want sync among them", na)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM dossiers WHERE unit_code = 'X.B' AND synced_national IS NULL`); n != 4 {
		t.Errorf("B dossiers with synced_national NULL = %d, want 4", n)
	}
	// The ledger names the missing columns of each file.
	if got := scalar[string](t, w, `SELECT array_to_string(missing_columns, ',') FROM source_files WHERE source = 'b'`); !strings.Contains(got, "synced_national") || !strings.Contains(got, "paid_online") {
		t.Errorf("b missing_columns = %q", got)
	}
	if got := scalar[string](t, w, `SELECT array_to_string(missing_columns, ',') FROM source_files WHERE source = 'a'`); strings.Contains(got, "synced_national") {
		t.Errorf("a missing_columns = %q lists a column it has", got)
	}
	// The summary warns per source about the columns that feed an
	// indicator, and about the folder source that matches nothing.
	all := strings.Join(sum.Warnings, "\n")
	for _, want := range []string{"nguồn b: 1 tệp không có cột synced_national", "nguồn a: 1 tệp không có cột paid_online", "nguồn c: không có tệp nào khớp"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "nguồn a: 1 tệp không có cột synced_national") {
		t.Errorf("warning about a column source a has:\n%s", all)
	}
	// C has no dossier: listed unranked in March, not dropped.
	if n := scalar[int64](t, w, `SELECT count(*) FROM index_scores WHERE period = '2026-03' AND unit_code = 'X.C' AND rank IS NULL AND total_score IS NULL`); n != 1 {
		t.Errorf("X.C listed %d times unranked in 2026-03, want 1", n)
	}
}

// A period is provisional until publish.grace after its end; with no new
// file at all, the day it turns final the model is rebuilt and published
// again, and sources that sent nothing for longer than freshness are stale.
func TestProvisionalTurnsFinalAndSourcesGoStale(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := unknownFixture(t)
	run := func(now time.Time) *Summary {
		t.Helper()
		sum, err := Run(ctx, cfg, w, reg, Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	csvHead := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "out", "2026-03", "ranking-commune.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.SplitN(strings.TrimPrefix(string(b), "\uFEFF"), "\r\n", 2)[0]
	}
	// 2 April: March ended yesterday; grace 15 days → provisional until 16 April.
	s1 := run(time.Date(2026, 4, 2, 1, 30, 0, 0, ict))
	if !strings.HasPrefix(csvHead(), `"Số liệu tạm tính`) || strings.Join(s1.ProvisionalPeriods, ",") != "2026-03,2026-Q1,2026-H1,2026" {
		t.Errorf("2 April: first line %q, provisional %v", csvHead(), s1.ProvisionalPeriods)
	}
	if len(s1.StaleSources) != 1 || s1.StaleSources[0].Source != "c" {
		t.Errorf("2 April: stale sources %+v, want only c (never delivered)", s1.StaleSources)
	}
	// 3 April: nothing new, nothing crosses a line → no rebuild, no publish.
	if s := run(time.Date(2026, 4, 3, 1, 30, 0, 0, ict)); s.Modelled || len(s.Published) > 0 {
		t.Errorf("3 April: modelled %v, published %d, want neither", s.Modelled, len(s.Published))
	}
	// 6 April: a and b sent nothing for more than 72h → stale; rebuilt and
	// republished so publications say so.
	s3 := run(time.Date(2026, 4, 6, 1, 30, 0, 0, ict))
	if len(s3.StaleSources) != 3 || !s3.Modelled {
		t.Errorf("6 April: stale %+v, modelled %v", s3.StaleSources, s3.Modelled)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM source_status WHERE stale`); n != 3 {
		t.Errorf("source_status stale = %d, want 3", n)
	}
	// 16 April: March and Q1 (both ended 1 April) + 15 days: final. Rebuilt and republished with no
	// new file; the CSV now starts with its header.
	s4 := run(time.Date(2026, 4, 16, 1, 30, 0, 0, ict))
	if !s4.Modelled || strings.Join(s4.FinalPeriods, ",") != "2026-03,2026-Q1" || !strings.HasPrefix(csvHead(), "Hạng,") {
		t.Errorf("16 April: modelled %v, final %v, first line %q", s4.Modelled, s4.FinalPeriods, csvHead())
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM index_scores WHERE period = '2026-03' AND provisional`); n != 0 {
		t.Errorf("%d 2026-03 scores still provisional", n)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
