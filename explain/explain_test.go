package explain

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/internal/parfixture"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/warehouse"
)

func province(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "e.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := parfixture.Province(ctx, w.DB(), "../model/testdata/par-province"); err != nil {
		t.Fatal(err)
	}
	m, _ := model.LoadMethodology("default")
	pm, err := model.LoadPARMethodology("../model/testdata/par-province/methodology-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := model.BuildWith(ctx, w.DB(), "calendar", m, pm, model.AsOf{Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// The explanations of the hand-built province (figures of
// model/par_test.go): each line a reader needs is there.
func TestPAR(t *testing.T) {
	w := province(t)
	cases := []struct {
		unit, period string
		want         []string
	}{
		{"S.C", "2025", []string{
			"Sở C (S.C) — Chỉ số cải cách hành chính, Năm 2025",
			"Điểm đánh giá 81,18 (69,00/85,00 điểm), vị thứ 3/4, xếp loại Tốt; trên bình quân nhóm (76,29).",
			"  II. Cải cách thủ tục hành chính: 12,00/15,00 (tối đa 30,00, bỏ phần không áp dụng)",
			"  III. Điều tra xã hội học: 40,00/50,00 — điều tra xã hội học",
			"Không áp dụng (không tính vào điểm tối đa): II.2 Tỷ lệ hồ sơ giải quyết đúng hạn",
			"  II.1 Công khai thủ tục hành chính: 12,00/15,00 (mất 3,00)",
			"  I.1 Ban hành kế hoạch CCHC năm: tự đánh giá 8,00, thẩm định 7,00 (-1,00)",
			"Điều tra xã hội học: tỷ lệ hài lòng 80,00% → 40,00 điểm",
			"So với kỳ trước (Năm 2024): không có vị thứ kỳ trước để so sánh",
		}},
		{"Sở E", "2025", []string{
			"vị thứ 4/4, xếp loại Yếu; dưới bình quân nhóm",
			"  -5,00 điểm: Điểm trừ: để xảy ra sai phạm trong giải quyết TTHC",
			"(theo mức trần của phương pháp: thưởng 0,00, trừ 3,00)",
		}},
		{"S.D", "2025", []string{"Chưa đủ dữ liệu, không xếp hạng: phiếu có 1 dòng bị cách ly, chờ file sửa; thiếu điểm tiêu chí II.1."}},
		{"S.A", "2026", []string{
			"Số liệu tạm tính",
			"So với kỳ trước (Năm 2025): vị thứ 1 → 4 (giảm 3 bậc), điểm 90,00 → 80,00 (-10,00 điểm)",
			"  II.2 Tỷ lệ hồ sơ giải quyết đúng hạn: 12,00 → 5,00 (-7,00)",
		}},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := PAR(context.Background(), w.DB(), &b, c.unit, c.period, Options{Decimals: 2}); err != nil {
			t.Fatalf("%s %s: %v", c.unit, c.period, err)
		}
		for _, s := range c.want {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s %s: lacks %q in:\n%s", c.unit, c.period, s, b.String())
			}
		}
	}
	var b strings.Builder
	if err := PAR(context.Background(), w.DB(), &b, "S.Z", "2025", Options{Decimals: 2}); err == nil || !strings.Contains(err.Error(), "không có điểm") {
		t.Errorf("unknown unit: %v", err)
	}
}

// The service index of a unit with dossiers: groups against their
// maxima, indicators that lost points, movement.
func TestService(t *testing.T) {
	w := province(t)
	ctx := context.Background()
	// S.A: two dossiers in 2026-03, one on time, one late.
	if _, err := w.DB().Exec(`INSERT INTO dossiers (dossier_code, unit_code, channel, received_at, due_at, finished_at, status,
		source, source_file, source_row, file_sha256, run_id, loaded_at) VALUES
		('D1', 'S.A', 'online', TIMESTAMP '2026-03-02 08:00:00', TIMESTAMP '2026-03-10 17:00:00', TIMESTAMP '2026-03-05 10:00:00', 'resolved', 's', 'f', 1, 'h', 1, TIMESTAMP '2026-11-30'),
		('D2', 'S.A', 'direct', TIMESTAMP '2026-03-02 08:00:00', TIMESTAMP '2026-03-10 17:00:00', TIMESTAMP '2026-03-12 10:00:00', 'resolved', 's', 'f', 2, 'h', 1, TIMESTAMP '2026-11-30')`); err != nil {
		t.Fatal(err)
	}
	m, _ := model.LoadMethodology("default")
	if err := model.Build(ctx, w.DB(), "calendar", m, model.AsOf{Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Service(ctx, w.DB(), &b, "S.A", "2026-03", Options{Decimals: 2}); err != nil {
		t.Fatal(err)
	}
	// on_time: 1 of 2 = 50% of a 100% threshold → 10 of 20 points.
	for _, s := range []string{"Sở A (S.A) — Chỉ số phục vụ người dân, doanh nghiệp, Tháng 3/2026", "  TDGQ Tiến độ giải quyết: 10,00/20,00",
		"on_time (TDGQ): tỷ lệ 50,00%, ngưỡng 100,00% → 10,00/20,00 điểm (mất 10,00)", "So với kỳ trước (Tháng 2/2026)"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("lacks %q in:\n%s", s, b.String())
		}
	}
}

// A unit formed by a merger: its previous score is its predecessors' mean
// (2025: Xã A 80, Xã B 90 → 85), and the explanation says whose. Xã C,
// unmerged, gets no such line.
func TestPARRestatedPrevious(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if err := parfixture.MergedCommunes(ctx, db); err != nil {
		t.Fatal(err)
	}
	m, _ := model.LoadMethodology("default")
	if err := model.BuildWith(ctx, db, "calendar", m, nil, model.AsOf{Now: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := PAR(ctx, db, &b, "X.AB", "2026", Options{Decimals: 2}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"So với kỳ trước (Năm 2025): vị thứ 1 → 2 (giảm 1 bậc), điểm 85,00 → 88,00 (+3,00 điểm)",
		"(kỳ trước tính lại trên đơn vị hiện nay: bình quân điểm của Xã A, Xã B)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("X.AB lacks %q in:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := PAR(ctx, db, &b, "X.C", "2026", Options{Decimals: 2}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "tính lại") {
		t.Errorf("X.C, unmerged, is said to be restated:\n%s", b.String())
	}
}
