package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/internal/testfixture"
)

// End to end (real XLSX sheets, survey and adjustment lists, the run and
// its publications): a "Không áp dụng" written in the survey field of a
// sheet does not drop the unit's survey result from its maximum.
// Both sheets are testfixture.PARSheet with II.1 = 2: appraised leaves
// I.1.1 1 + I.1.2 1,5 + I.2 2,5 + II.1 2 = 7; II.2 "Không áp dụng":
// maximum 6 + 4 − 2 + 30 (survey field) = 38. Fields: I 5, II 2.
//
//	Sở Tư pháp    survey 60% × 30 = 18, bonus 0,5 → 7 + 18 + 0,5 = 25,5
//	              of 38 = 67,105263… → "67,11", Trung bình (< 70), rank 1
//	Sở Tài chính  III written "Không áp dụng"; survey 50% × 30 = 15 →
//	              7 + 15 = 22 of 38 = 57,894736… → "57,89", Trung bình,
//	              rank 2 (before: 7 of 8 = 87,5, Tốt, rank 1)
//	Sở Nội vụ     no sheet → listed after them, not ranked
//
// Peer count 2, peer mean (67,105263158 + 57,894736842) / 2 = 62,5.
func TestPARReviewSurveyNotApplicableEndToEnd(t *testing.T) {
	cfg, reg, w, dir := parFixture(t)
	t0 := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	sheet(t, dir, "1-stp.xlsx", "Đơn vị: Sở Tư pháp", 2.0, t0)
	rows := testfixture.PARSheet("Cơ quan: Sở Tài chính", 2.0)
	for i, r := range rows {
		if len(r) > 0 && r[0] == "III" {
			rows[i] = []any{"III", "Điều tra xã hội học", 30.0, "", "Không áp dụng"}
		}
	}
	p := testfixture.WriteXLSX(t, filepath.Join(dir, "sheets"), "2-stc.xlsx", rows, testfixture.SheetMerges...)
	if err := os.Chtimes(p, t0.Add(time.Hour), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Tỷ lệ hài lòng\nSở Tư pháp,60\nSở Tài chính,50\n")
	write(t, filepath.Join(dir, "adj", "thuong.csv"), "QUYẾT ĐỊNH ĐIỂM THƯỞNG NĂM 2025\nĐơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Sáng kiến\n")
	cfg.Publish.Dir = filepath.Join(dir, "out")
	sum, err := Run(context.Background(), cfg, w, reg, Options{})
	if err != nil || sum.Run.Status != "succeeded" || sum.PublishErr != nil {
		t.Fatalf("%v %s %s %v", err, sum.Run.Status, sum.Run.Message, sum.PublishErr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "2025", "par-department.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimPrefix(string(b), "\uFEFF"), "\r\n")
	for i, want := range []string{
		`1,Sở Tư pháp,"67,11",1,Trung bình,"5,00","2,00","18,00",`,
		`2,Sở Tài chính,"57,89",2,Trung bình,"5,00","2,00","15,00",`,
		`3,Sở Nội vụ,,,,,,,,Chưa đủ dữ liệu (không xếp hạng): chưa có phiếu chấm điểm,S.NV`,
	} {
		if len(lines) <= i+1 || !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("par-department.csv line %d: want prefix %s\n%s", i+2, want, b)
		}
	}
	var doc struct {
		Units []struct {
			UnitCode  string   `json:"unit_code"`
			Rank      *int     `json:"rank"`
			PeerCount *int     `json:"peer_count"`
			PeerMean  *float64 `json:"peer_mean"`
		} `json:"units"`
	}
	jb, err := os.ReadFile(filepath.Join(dir, "out", "2025", "par-department.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(jb, &doc); err != nil {
		t.Fatal(err)
	}
	for _, u := range doc.Units[:2] {
		if u.PeerCount == nil || *u.PeerCount != 2 || u.PeerMean == nil || *u.PeerMean != 62.5 {
			t.Errorf("%s: peer count %v mean %v, want 2, 62,5", u.UnitCode, u.PeerCount, u.PeerMean)
		}
	}
}
