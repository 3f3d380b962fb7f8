package pipeline

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// 9.4–9.6 end to end: real scoring sheets, survey and adjustments loaded
// by a run are scored, ranked and published.
//
// Sở Tư pháp's sheet (testfixture.PARSheet, II.1 = 2): appraised leaves
// I.1.1 1 + I.1.2 1,5 + I.2 2,5 + II.1 2 = 7; II.2 "Không áp dụng" takes
// its 2 points out of the maximum: 6 + 4 − 2 + 30 (survey field) = 38;
// survey 92,5% × 30 = 27,75; bonus 0,5. Total 7 + 27,75 + 0,5 = 35,25;
// score 35,25 / 38 × 100 = 92,763… → Xuất sắc, rank 1 of 1.
// Sở Tài chính's II.1 (3 > 2) is quarantined: incomplete. Sở Nội vụ sent
// no sheet: incomplete.
func TestPARRunScoresAndPublishes(t *testing.T) {
	cfg, reg, w, dir := parFixture(t)
	t0 := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	sheet(t, dir, "1-stp.xlsx", "Đơn vị: Sở Tư pháp", 2.0, t0)
	sheet(t, dir, "2-stc.xlsx", "Cơ quan: SỞ TÀI CHÍNH", 3.0, t0.Add(time.Hour))
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Tỷ lệ hài lòng\nSở Tư pháp,\"92,5\"\nSở Tài chính,\"0,88\"\n")
	write(t, filepath.Join(dir, "adj", "thuong-tru.csv"), "QUYẾT ĐỊNH ĐIỂM THƯỞNG, ĐIỂM TRỪ NĂM 2025\nĐơn vị,Điểm thưởng,Điểm trừ,Lý do\nSở Tư pháp,\"0,5\",,Sáng kiến\n")
	cfg.Publish.Dir = filepath.Join(dir, "out")
	sum, err := Run(context.Background(), cfg, w, reg, Options{})
	if err != nil || sum.Run.Status != "succeeded" || sum.PublishErr != nil {
		t.Fatalf("%v %s %s %v", err, sum.Run.Status, sum.Run.Message, sum.PublishErr)
	}
	type row struct {
		status, tier string
		score        *float64
		rank         *int64
	}
	rows, err := w.DB().Query(`SELECT unit_code, status, coalesce(tier, ''), score, rank FROM par_scores WHERE period = '2025'`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]row{}
	for rows.Next() {
		var u string
		var r row
		if err := rows.Scan(&u, &r.status, &r.tier, &r.score, &r.rank); err != nil {
			t.Fatal(err)
		}
		got[u] = r
	}
	rows.Close()
	if r := got["S.TP"]; r.status != "ranked" || r.tier != "Xuất sắc" || r.score == nil || math.Abs(*r.score-35.25/38*100) > 1e-9 || r.rank == nil || *r.rank != 1 {
		t.Errorf("S.TP %+v, want ranked 1, Xuất sắc, 92,763…", r)
	}
	if r := got["S.TC"]; r.status != "incomplete" || r.rank != nil {
		t.Errorf("S.TC %+v, want incomplete", r)
	}
	if r := got["S.NV"]; r.status != "incomplete" {
		t.Errorf("S.NV %+v, want incomplete (no sheet)", r)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "2025", "par-department.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `1,Sở Tư pháp,"92,76",1,Xuất sắc,`) {
		t.Errorf("par-department.csv:\n%s", b)
	}
	for _, f := range []string{"par-department.xlsx", "par-department.json", "par-department.parquet", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, "out", "2025", f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
