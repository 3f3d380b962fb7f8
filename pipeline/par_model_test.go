package pipeline

import (
	"context"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
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

// parListsFixture is parFixture with CSV scoring sheets and the adjustments
// of 2025.
func parListsFixture(t *testing.T) (*config.Config, *units.Registry, *warehouse.Warehouse, string) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"sheets", "survey", "adj"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "units.csv"), parUnits)
	write(t, filepath.Join(dir, "cchc.yaml"), "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n"+
		"  - name: sheets\n    path: ./sheets/*.csv\n    dataset: par_appraisal\n"+
		"  - name: survey\n    path: ./survey/*.csv\n    dataset: par_survey\n    period: \"2025\"\n"+
		"  - name: adj\n    path: ./adj/*.csv\n    dataset: par_adjustments\n    period: \"2025\"\n")
	cfg, reg, w := openProject(t, dir)
	return cfg, reg, w, dir
}

// surveyNamedSheet writes unit's CSV sheet of 2025: I (10) = I.1 (4, appraised 4)
// + I.2 (6, appraised 6); field II named survey (30) = II.1 (30), empty.
func surveyNamedSheet(t *testing.T, dir, name, unit, survey string) {
	t.Helper()
	write(t, filepath.Join(dir, "sheets", name), "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: "+unit+"\n"+
		"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n"+
		"I,Công tác chỉ đạo điều hành,,,\n"+
		"1,Kế hoạch CCHC năm,4,4,4\n"+
		"2,Báo cáo CCHC định kỳ,6,6,6\n"+
		"II,\""+survey+"\",30,,\n"+
		"1,Mức độ hài lòng,30,,\n")
}

// The survey field is the same field for the reader and the model however
// its name cell is wrapped or spaced (one definition,
// datasets.IsSurveyField): II.1 is a survey leaf, scored from the survey,
// not an appraisal leaf without points. By hand S.TP: 4 + 6 + 27 = 37 of
// 10 + 30 = 40 → 92,5, ranked 1.
func TestReview20SurveyNameLineBreak(t *testing.T) {
	for _, name := range []string{"Điều tra\nxã hội học", "Điều tra\r\nxã  hội học", "Điều tra\u00a0xã hội học", "ĐIỀU TRA XÃ HỘI HỌC"} {
		t.Run(strings.ReplaceAll(name, "\n", `\n`), func(t *testing.T) {
			cfg, reg, w, dir := parListsFixture(t)
			write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,27\n")
			surveyNamedSheet(t, dir, "1-stp.csv", "Sở Tư pháp", name)
			if _, err := Run(context.Background(), cfg, w, reg, Options{NoPublish: true}); err != nil {
				t.Fatal(err)
			}
			got := scalar[string](t, w, `SELECT status || ' ' || coalesce(CAST(score AS VARCHAR), '-') || ' ' || coalesce(CAST(rank AS VARCHAR), '-') || ' ' || coalesce(note, '')
				FROM par_scores WHERE unit_code = 'S.TP'`)
			if want := "ranked 92.5 1 "; got != want {
				t.Errorf("S.TP %q, want %q", got, want)
			}
			if src := scalar[string](t, w, `SELECT source FROM par_criteria WHERE code = 'II.1'`); src != "survey" {
				t.Errorf("II.1 source %s, want survey", src)
			}
		})
	}
}

// A quarantined survey or adjustment row is unknown, not 0: its unit is
// incomplete until a corrected file replaces the row (reader's resolved
// unit and period, tied in par_list_quarantine). S.TP's sheet: 4 + 6 of
// 10, the survey field 30, survey 27 → 37 / 40 = 92,5 without adjustments;
// with a penalty of 1 → 36 / 40 = 90; with survey 25 → 35 / 40 = 87,5.
func TestReview20QuarantinedPenaltyIgnored(t *testing.T) {
	const (
		survey27 = "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,27\n"
		penBad   = "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,một điểm,Chậm gửi báo cáo CCHC\n"
		penOne   = "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,1,Chậm gửi báo cáo CCHC\n"
		adjWait  = "điểm thưởng/trừ bị cách ly, chờ file sửa"
		surWait  = "kết quả điều tra xã hội học bị cách ly, chờ file sửa"
	)
	type run struct {
		files map[string]string // path under the project → content
		want  string            // S.TP: status score penalty note
	}
	for _, c := range []struct {
		name string
		runs []run
	}{
		{"penalty unreadable, then the same file corrected", []run{
			{map[string]string{"survey/dtxhh.csv": survey27, "adj/tru.csv": penBad}, "incomplete - 0 " + adjWait},
			{map[string]string{"adj/tru.csv": penOne}, "ranked 90.0 1 "},
		}},
		{"penalty unreadable, then a corrected list under another name", []run{
			{map[string]string{"survey/dtxhh.csv": survey27, "adj/tru.csv": penBad}, "incomplete - 0 " + adjWait},
			{map[string]string{"adj/tru-sua.csv": penOne}, "ranked 90.0 1 "},
		}},
		{"a later run's list with only an unreadable penalty", []run{
			{map[string]string{"survey/dtxhh.csv": survey27}, "ranked 92.5 0 "},
			{map[string]string{"adj/tru.csv": penBad}, "incomplete - 0 " + adjWait},
		}},
		{"penalty unreadable and corrected by a later list in the same run", []run{
			{map[string]string{"survey/dtxhh.csv": survey27, "adj/1-tru.csv": penBad, "adj/2-tru-sua.csv": penOne}, "ranked 90.0 1 "},
		}},
		{"survey unreadable, then the same file corrected", []run{
			{map[string]string{"survey/dtxhh.csv": "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,hai bảy\n"}, "incomplete - 0 " + surWait},
			{map[string]string{"survey/dtxhh.csv": survey27}, "ranked 92.5 0 "},
		}},
		{"a newer survey list unreadable: the earlier result does not stand in", []run{
			{map[string]string{"survey/dtxhh.csv": survey27}, "ranked 92.5 0 "},
			{map[string]string{"survey/dtxhh-2.csv": "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,hai lăm\n"}, "incomplete - 0 " + surWait},
			{map[string]string{"survey/dtxhh-2.csv": "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,25\n"}, "ranked 87.5 0 "},
		}},
		{"another unit's quarantined row does not count", []run{
			{map[string]string{"survey/dtxhh.csv": survey27, "adj/tru.csv": "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,1,Chậm gửi báo cáo CCHC\nSở Tài chính,một điểm,Chậm\n"}, "ranked 90.0 1 "},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, reg, w, dir := parListsFixture(t)
			surveyNamedSheet(t, dir, "1-stp.csv", "Sở Tư pháp", "Điều tra xã hội học")
			at := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
			for i, r := range c.runs {
				for _, p := range slices.Sorted(maps.Keys(r.files)) {
					write(t, filepath.Join(dir, p), r.files[p])
					at = at.Add(time.Minute)
					if err := os.Chtimes(filepath.Join(dir, p), at, at); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := Run(context.Background(), cfg, w, reg, Options{NoPublish: true}); err != nil {
					t.Fatal(err)
				}
				got := scalar[string](t, w, `SELECT status || ' ' || coalesce(CAST(score AS VARCHAR), '-') || ' ' || CAST(penalty_points AS INTEGER) || ' ' || coalesce(note, '')
					FROM par_scores WHERE unit_code = 'S.TP'`)
				if got != r.want {
					t.Errorf("run %d: S.TP %q, want %q", i+1, got, r.want)
				}
			}
		})
	}
}
