package pipeline

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
)

// A criterion the PAR methodology feeds from the dossiers is scored by the
// data: an empty appraised cell there is no quarantined row and does not
// make the unit incomplete (without the data-fed codes passed to the sheet
// parser, S.TP's II.1 would be quarantined and S.TP incomplete).
func TestPARDataFedCriterionEmptyCellRanks(t *testing.T) {
	_, reg, w, dir := parFixture(t)
	if err := os.MkdirAll(filepath.Join(dir, "dossiers"), 0o755); err != nil {
		t.Fatal(err)
	}
	// II.1 (max 2) is fed by the on-time rate: ≥ 90% → 1,5 points, else 0.
	write(t, filepath.Join(dir, "par.yaml"), `name: par_data
version: "2025.1"
title_vi: Chỉ số cải cách hành chính
title_en: PAR index
data:
  - code: II.1
    indicator: on_time
    brackets:
      - {min: 0.9, points: 1.5}
    else: 0
tiers:
  - {name: Xuất sắc, min: 90}
  - {name: Yếu, min: 0}
`)
	// Two dossiers of S.TP in 2025, both finished before their due date:
	// on-time rate 2/2 = 100% ≥ 90% → II.1 scores 1,5.
	write(t, filepath.Join(dir, "dossiers", "stp.csv"), "Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n"+
		"STP-250302-0001,Sở Tư pháp,Cấp phiếu lý lịch tư pháp,Hộ tịch,Trực tuyến,02/03/2025 08:00,16/03/2025 17:00,10/03/2025 09:00,Đã xử lý xong\n"+
		"STP-250402-0002,Sở Tư pháp,Cấp phiếu lý lịch tư pháp,Hộ tịch,Trực tiếp,02/04/2025 08:00,16/04/2025 17:00,11/04/2025 09:00,Đã xử lý xong\n")
	write(t, filepath.Join(dir, "cchc.yaml"), "warehouse: ./cchc.duckdb\nunits: ./units.csv\npar:\n  methodology: "+filepath.Join(dir, "par.yaml")+
		"\nsources:\n"+parSources+"  - name: dossiers\n    path: ./dossiers/*.csv\n")
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	sheet(t, dir, "1-stp.xlsx", "Đơn vị: Sở Tư pháp", "", t0) // II.1's appraised cell left empty
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Tỷ lệ hài lòng\nSở Tư pháp,\"92,5\"\n")
	write(t, filepath.Join(dir, "adj", "thuong-tru.csv"), "QUYẾT ĐỊNH ĐIỂM THƯỞNG, ĐIỂM TRỪ NĂM 2025\nĐơn vị,Điểm thưởng,Điểm trừ,Lý do\nSở Tư pháp,\"0,5\",,Sáng kiến\n")
	sum, err := Run(context.Background(), cfg, w, reg, Options{})
	if err != nil || sum.Run.Status != "succeeded" {
		t.Fatalf("%v %s %s", err, sum.Run.Status, sum.Run.Message)
	}
	if c := ledger(t, w)["1-stp.xlsx"]; c.quarantined != 0 {
		t.Errorf("sheet %+v, want no quarantined row", c)
	}
	var quarantined int64
	if err := w.DB().QueryRow(`SELECT rows_quarantined FROM par_sheets WHERE period = '2025' AND unit_code = 'S.TP'`).Scan(&quarantined); err != nil || quarantined != 0 {
		t.Errorf("par_sheets.rows_quarantined %d (%v), want 0", quarantined, err)
	}
	// Appraised: 1.1 = 1 + 1.2 = 1,5 + I.2 = 2,5 + II.1 from data 1,5 = 6,5
	// (II.2 not applicable, max 38 of 40); survey 92,5% × 30 = 27,75;
	// bonus 0,5. Total 6,5 + 27,75 + 0,5 = 34,75; score 34,75 / 38 × 100
	// = 91,447…; rank 1 of 1 ranked department.
	var status string
	var total, score float64
	var rank int64
	if err := w.DB().QueryRow(`SELECT status, total_points, score, rank FROM par_scores WHERE period = '2025' AND unit_code = 'S.TP'`).
		Scan(&status, &total, &score, &rank); err != nil {
		t.Fatal(err)
	}
	if status != "ranked" || math.Abs(total-34.75) > 1e-9 || math.Abs(score-34.75/38*100) > 1e-9 || rank != 1 {
		t.Errorf("S.TP %s total %v score %v rank %d, want ranked 34,75 91,447… 1", status, total, score, rank)
	}
	var pts float64
	if err := w.DB().QueryRow(`SELECT appraised_points FROM par_criterion_scores WHERE period = '2025' AND unit_code = 'S.TP' AND code = 'II.1'`).Scan(&pts); err != nil || pts != 1.5 {
		t.Errorf("II.1 points %v (%v), want 1,5 from the data", pts, err)
	}
}

// The methodology's survey: code reaches the sheet reader: with survey: II
// and the field named "Khảo sát sự hài lòng …" (not "điều tra xã hội
// học"), II.1's empty appraised cell is the survey's, not a quarantined
// row (without the code passed, S.TP would be incomplete, unranked).
func TestPARSurveyByCode(t *testing.T) {
	_, reg, w, dir := parFixture(t)
	write(t, filepath.Join(dir, "par.yaml"), `name: par_survey_code
version: "2025.1"
title_vi: Chỉ số cải cách hành chính
title_en: PAR index
survey: II
tiers:
  - {name: Xuất sắc, min: 90}
  - {name: Yếu, min: 0}
`)
	write(t, filepath.Join(dir, "cchc.yaml"), "warehouse: ./cchc.duckdb\nunits: ./units.csv\npar:\n  methodology: "+filepath.Join(dir, "par.yaml")+
		"\nsources:\n  - name: sheets\n    path: ./sheets/*.csv\n    dataset: par_appraisal\n"+
		"  - name: survey\n    path: ./survey/*.csv\n    dataset: par_survey\n    period: \"2025\"\n")
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sheets", "1-stp.csv"), "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n"+
		"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n"+
		"I,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,10,10,9\n"+
		"II,Khảo sát sự hài lòng của người dân,30,,\n1,Mức độ hài lòng,30,,\n")
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Tỷ lệ hài lòng\nSở Tư pháp,90\n")
	sum, err := Run(context.Background(), cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Run.Status != "succeeded" {
		t.Fatalf("%v %s %s", err, sum.Run.Status, sum.Run.Message)
	}
	if c := ledger(t, w)["1-stp.csv"]; c.quarantined != 0 || c.loaded == 0 {
		t.Errorf("sheet %+v, want loaded without a quarantined row", c)
	}
	// I.1 9 + survey 90% × 30 = 27: 36 of 40 = 90, ranked 1.
	var status string
	var score float64
	if err := w.DB().QueryRow(`SELECT status, score FROM par_scores WHERE period = '2025' AND unit_code = 'S.TP'`).Scan(&status, &score); err != nil {
		t.Fatal(err)
	}
	if status != "ranked" || math.Abs(score-90) > 1e-9 {
		t.Errorf("S.TP %s %v, want ranked 90", status, score)
	}
}
