package explain

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/warehouse"
)

// serviceProvince is the hand-built province with dossiers of March 2026
// (all received on the 2nd or 3rd, due on the 10th at 17:00) chosen so that
// one group is rescaled, whole groups are N/A and one unit has every group:
//
//	S.A  A1 online, finished 05/03, synced, digitised, data reused
//	     A2 online, finished 05/03, synced, digitised
//	     A3 direct, finished 12/03 (late), not synced, digitised
//	     A4 direct, finished 05/03, synced, not digitised
//	     (fee, paid online, electronic result and rating unknown)
//	S.B  B1 direct, finished 05/03; B2 online, pending at the period's end
//	     (overdue); every other input unknown
//	X.A  X1, X2 online, finished 05/03, everything known and done, X2 not
//	     paid online, both rated satisfied
func serviceProvince(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	w := province(t)
	ctx := context.Background()
	if _, err := w.DB().Exec(`INSERT INTO dossiers (dossier_code, unit_code, channel, received_at, due_at, finished_at, status,
		fee_required, paid_online, synced_national, digitized_dossier, digitized_result, reused_data, rating,
		source, source_file, source_row, file_sha256, run_id, loaded_at)
		SELECT code, unit, channel, CAST(recv AS TIMESTAMP), TIMESTAMP '2026-03-10 17:00:00', CAST(fin AS TIMESTAMP), status,
			fee, paid, synced, dig, res, reused, rating, 's', 'f', row_number() OVER (), 'h', 1, TIMESTAMP '2026-11-30'
		FROM (VALUES
		('A1', 'S.A', 'online', '2026-03-02 08:00', '2026-03-05 10:00', 'resolved', NULL, NULL, true,  true,  NULL, true,  NULL),
		('A2', 'S.A', 'online', '2026-03-02 08:00', '2026-03-05 10:00', 'resolved', NULL, NULL, true,  true,  NULL, false, NULL),
		('A3', 'S.A', 'direct', '2026-03-02 08:00', '2026-03-12 10:00', 'resolved', NULL, NULL, false, true,  NULL, false, NULL),
		('A4', 'S.A', 'direct', '2026-03-02 08:00', '2026-03-05 10:00', 'resolved', NULL, NULL, true,  false, NULL, false, NULL),
		('B1', 'S.B', 'direct', '2026-03-02 08:00', '2026-03-05 10:00', 'resolved', NULL, NULL, NULL,  NULL,  NULL, NULL,  NULL),
		('B2', 'S.B', 'online', '2026-03-03 08:00', NULL,               'processing', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		('X1', 'X.A', 'online', '2026-03-02 08:00', '2026-03-05 10:00', 'resolved', true, true,  true,  true,  true, true,  'satisfied'),
		('X2', 'X.A', 'online', '2026-03-02 08:00', '2026-03-05 10:00', 'resolved', true, false, true,  true,  true, true,  'satisfied')
		) AS v(code, unit, channel, recv, fin, status, fee, paid, synced, dig, res, reused, rating)`); err != nil {
		t.Fatal(err)
	}
	m, _ := model.LoadMethodology("default")
	if err := model.Build(ctx, w.DB(), "calendar", m, model.AsOf{Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// The group lines give the group scores the ranking publishes (rescaled
// when some indicators are N/A), "không có dữ liệu" for a group without a
// score, and how the total follows from them. Figures by hand
// (docs/methodology.md: points = max × min(1, rate/threshold); a group
// over its indicators with data, scaled up to its maximum; the total over
// the groups with a score, scaled up to 100).
func TestServiceGroups(t *testing.T) {
	w := serviceProvince(t)
	cases := []struct {
		unit, period string
		want, not    []string
	}{
		// S.A: sync 3/4 → 18 × 0,75 = 13,50; on_time 3/4 → 20 × 0,75 = 15;
		// online 2/4 = 50% of a 50% threshold → 12; paid_online N/A, so TTTT
		// has no score; satisfaction 1 − 1/4 late − 0 = 0,75 → 18 × 0,75/0,9
		// = 15; MDSH: digitized_dossier 3/4 → 8 × 0,75/0,8 = 7,50,
		// reused_data 1/4 → 7 × 0,25/0,8 = 2,1875, digitized_result N/A:
		// 9,6875 of 8 + 7 = 15 → 22 × 9,6875/15 = 14,2083 (not 9,69/22).
		// Total: 13,5 + 15 + 12 + 15 + 14,2083 = 69,7083 of 18 + 20 + 12 +
		// 18 + 22 = 90 → × 100/90 = 77,4537: Khá, second after S.B.
		{"S.A", "2026-03", []string{
			"Sở A (S.A) — Chỉ số phục vụ người dân, doanh nghiệp, Tháng 3/2026\n",
			"Tổng điểm 77,45/100, hạng 2/2, xếp loại Khá.\n",
			"  CKMB Công khai, minh bạch: 13,50/18,00\n",
			"  TDGQ Tiến độ giải quyết: 15,00/20,00\n",
			"  CLGQ Dịch vụ công trực tuyến: 12,00/12,00\n",
			"  TTTT Thanh toán trực tuyến: không có dữ liệu (paid_online không có dữ liệu; không trừ điểm, không tính vào tổng điểm)\n",
			"  MDHL Mức độ hài lòng: 15,00/18,00\n",
			"  MDSH Mức độ số hóa hồ sơ: 14,21/22,00 (quy đổi từ 9,69/15,00 điểm của các chỉ số có dữ liệu: 9,69 × 22/15; digitized_result không có dữ liệu, không trừ điểm)\n",
			"Tổng điểm quy đổi: các nhóm có dữ liệu đạt 69,71/90 điểm → 69,71 × 100/90 = 77,45/100 (nhóm không có dữ liệu: TTTT)\n",
			"  reused_data (MDSH): tỷ lệ 25,00%, ngưỡng 80,00% → 2,19/7,00 điểm (mất 4,81; nhóm MDSH quy đổi × 22/15)\n",
			"  on_time (TDGQ): tỷ lệ 75,00%, ngưỡng 100,00% → 15,00/20,00 điểm (mất 5,00)\n",
			"Không có dữ liệu (không trừ điểm): digitized_result, paid_online\n",
			"So với kỳ trước (Tháng 2/2026): ",
		}, []string{"0,00/10,00", "9,69/22,00"}},
		// S.B: on_time 1 of 2 (B2 overdue) → 10; online 1/2 → 12;
		// satisfaction 1 − 0 − 0 → 18; CKMB, TTTT and MDSH all N/A.
		// Total: 10 + 12 + 18 = 40 of 20 + 12 + 18 = 50 → 80: Tốt, first.
		{"S.B", "2026-03", []string{
			"Tổng điểm 80,00/100, hạng 1/2, xếp loại Tốt.\n",
			"  CKMB Công khai, minh bạch: không có dữ liệu (sync không có dữ liệu; không trừ điểm, không tính vào tổng điểm)\n",
			"  TDGQ Tiến độ giải quyết: 10,00/20,00\n",
			"  MDSH Mức độ số hóa hồ sơ: không có dữ liệu (digitized_dossier, digitized_result, reused_data không có dữ liệu; không trừ điểm, không tính vào tổng điểm)\n",
			"Tổng điểm quy đổi: các nhóm có dữ liệu đạt 40,00/50 điểm → 40,00 × 100/50 = 80,00/100 (nhóm không có dữ liệu: CKMB, TTTT, MDSH)\n",
		}, []string{"0,00/18,00", "0,00/10,00", "0,00/22,00"}},
		// X.A, the quarter (March is its only month with dossiers): every
		// indicator full but paid_online 1/2 → 10 × 0,5/0,8 = 6,25. Total
		// 18 + 20 + 12 + 6,25 + 18 + 22 = 96,25 of 100, nothing rescaled.
		{"X.A", "2026-Q1", []string{
			"Xã A (X.A) — Chỉ số phục vụ người dân, doanh nghiệp, Quý I/2026\n",
			"Tổng điểm 96,25/100, hạng 1/1, xếp loại Xuất sắc.\n",
			"  TTTT Thanh toán trực tuyến: 6,25/10,00\n",
			"  MDSH Mức độ số hóa hồ sơ: 22,00/22,00\n",
			"Tổng điểm các nhóm: 96,25/100\n",
			"So với kỳ trước (Quý IV/2025): không có hạng kỳ trước để so sánh\n",
		}, []string{"quy đổi", "không có dữ liệu"}},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := Service(context.Background(), w.DB(), &b, c.unit, c.period, Options{Decimals: 2}); err != nil {
			t.Fatalf("%s %s: %v", c.unit, c.period, err)
		}
		for _, s := range c.want {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s %s: lacks %q in:\n%s", c.unit, c.period, s, b.String())
			}
		}
		for _, s := range c.not {
			if strings.Contains(b.String(), s) {
				t.Errorf("%s %s: has %q in:\n%s", c.unit, c.period, s, b.String())
			}
		}
	}
}

// groupLines reads the group lines of a service explanation: group code →
// what follows "<code> <name>: " (up to the first space: "14,21/22,00",
// or "không" of "không có dữ liệu").
func groupLines(t *testing.T, out string) map[string]string {
	t.Helper()
	_, sec, ok := strings.Cut(out, "Điểm từng nhóm chỉ số")
	_, sec, ok2 := strings.Cut(sec, "\n")
	if !ok || !ok2 {
		t.Fatalf("no group lines in:\n%s", out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		code, _, _ := strings.Cut(strings.TrimPrefix(line, "  "), " ")
		_, v, _ := strings.Cut(line, ": ")
		v, _, _ = strings.Cut(v, " ")
		got[code] = v
	}
	return got
}

// Explain agrees with the warehouse and the publications: for every unit
// and period of index_scores, each group line gives index_scores.group_scores
// of the group as the ranking prints it ("không có dữ liệu" for null), and
// for the month and the quarter, the ranking-*.csv the publisher writes has
// the same group scores and total.
func TestServiceMatchesPublished(t *testing.T) {
	w := serviceProvince(t)
	ctx := context.Background()
	rows, err := w.DB().Query(`SELECT period, unit_code, CAST(group_scores AS VARCHAR), total_score FROM index_scores ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ period, unit string }
	explained := map[key]map[string]string{}
	totals := map[key]string{}
	scored := 0
	for rows.Next() {
		var k key
		var js string
		var total *float64
		if err := rows.Scan(&k.period, &k.unit, &js, &total); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := Service(ctx, w.DB(), &b, k.unit, k.period, Options{Decimals: 2}); err != nil {
			t.Fatalf("%s %s: %v", k.unit, k.period, err)
		}
		if total == nil {
			if !strings.Contains(b.String(), "không xếp hạng") {
				t.Errorf("%s %s: unscored, but:\n%s", k.unit, k.period, b.String())
			}
			continue
		}
		scored++
		var gs map[string]*float64
		if err := json.Unmarshal([]byte(js), &gs); err != nil {
			t.Fatal(err)
		}
		got := groupLines(t, b.String())
		for g, v := range gs {
			want := "không"
			if v != nil {
				want = publish.FormatFixed(*v, 2) + "/"
			}
			if !strings.HasPrefix(got[g], want) {
				t.Errorf("%s %s group %s: explain gives %q, group_scores %v", k.unit, k.period, g, got[g], js)
			}
		}
		if len(got) != len(gs) {
			t.Errorf("%s %s: %d group lines, %d groups in group_scores", k.unit, k.period, len(got), len(gs))
		}
		explained[k] = got
		totals[k] = publish.FormatFixed(*total, 2)
		if !strings.Contains(b.String(), "Tổng điểm "+totals[k]+"/100,") {
			t.Errorf("%s %s: total %s not in:\n%s", k.unit, k.period, totals[k], b.String())
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// S.A, S.B and X.A in 2026-03, Q1, H1 and 2026, and S.B after (B2 is
	// still pending).
	if scored < 12 {
		t.Errorf("%d scored units × periods, want at least 12", scored)
	}

	dir := t.TempDir()
	codes := map[string]string{ // CSV column title → group code
		"Công khai, minh bạch (18)": "CKMB", "Tiến độ giải quyết (20)": "TDGQ", "Dịch vụ công trực tuyến (12)": "CLGQ",
		"Thanh toán trực tuyến (10)": "TTTT", "Mức độ hài lòng (18)": "MDHL", "Mức độ số hóa hồ sơ (22)": "MDSH",
	}
	compared := 0
	for _, period := range []string{"2026-03", "2026-Q1"} {
		if _, err := publish.Period(ctx, w.DB(), period, publish.Options{Dir: dir, Formats: []string{"csv"}}); err != nil {
			t.Fatal(err)
		}
		for _, peer := range []string{"department", "commune"} {
			raw, err := os.ReadFile(filepath.Join(dir, period, "ranking-"+peer+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			head := recs[0]
			for _, rec := range recs[1:] {
				col := map[string]string{}
				for i, h := range head {
					col[h] = rec[i]
				}
				k := key{period, col["Mã đơn vị"]}
				got, ok := explained[k]
				if !ok {
					continue // not ranked: no group lines
				}
				compared++
				for title, g := range codes {
					want := "không"
					if col[title] != "" {
						want = col[title] + "/"
					}
					if !strings.HasPrefix(got[g], want) {
						t.Errorf("%s %s group %s: explain gives %q, ranking-%s.csv %q", k.unit, period, g, got[g], peer, col[title])
					}
				}
				if col["Tổng điểm"] != totals[k] {
					t.Errorf("%s %s: explain total %s, ranking-%s.csv %q", k.unit, period, totals[k], peer, col["Tổng điểm"])
				}
			}
		}
	}
	if compared != 6 {
		t.Errorf("compared %d ranking rows with explain, want 6", compared)
	}
}

// Period names read as the publications write them (publish.PeriodVI),
// capitalised, in the heading, the movement and the not-found error.
func TestPeriodNames(t *testing.T) {
	w := serviceProvince(t)
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(*strings.Builder) error
		want []string
	}{
		{"service quarter", func(b *strings.Builder) error { return Service(ctx, w.DB(), b, "S.A", "2026-Q1", Options{Decimals: 2}) },
			[]string{"— Chỉ số phục vụ người dân, doanh nghiệp, Quý I/2026\n", "So với kỳ trước (Quý IV/2025): "}},
		{"service half", func(b *strings.Builder) error { return Service(ctx, w.DB(), b, "S.A", "2026-H1", Options{Decimals: 2}) },
			[]string{"— Chỉ số phục vụ người dân, doanh nghiệp, 6 tháng đầu năm 2026\n", "So với kỳ trước (6 tháng cuối năm 2025): "}},
		{"service year", func(b *strings.Builder) error { return Service(ctx, w.DB(), b, "S.A", "2026", Options{Decimals: 2}) },
			[]string{"— Chỉ số phục vụ người dân, doanh nghiệp, Năm 2026\n", "So với kỳ trước (Năm 2025): "}},
		{"par year", func(b *strings.Builder) error { return PAR(ctx, w.DB(), b, "S.A", "2026", Options{Decimals: 2}) },
			[]string{"Sở A (S.A) — Chỉ số cải cách hành chính, Năm 2026\n", "So với kỳ trước (Năm 2025): "}},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := c.run(&b); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, s := range c.want {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s: lacks %q in:\n%s", c.name, s, b.String())
			}
		}
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{Service(ctx, w.DB(), &strings.Builder{}, "S.A", "2020-Q3", Options{Decimals: 2}),
			"đơn vị S.A không có điểm Chỉ số phục vụ người dân, doanh nghiệp kỳ Quý III/2020"},
		{PAR(ctx, w.DB(), &strings.Builder{}, "S.Z", "2025", Options{Decimals: 2}),
			"đơn vị S.Z không có điểm Chỉ số cải cách hành chính kỳ Năm 2025"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
	}
}
