package model

import (
	"testing"
)

// The tiers of the adversarial review of the CCHC index (brief
// "parreview"): each case holds the expected values computed by hand.
const reviewTiers = "tiers: [{name: Xuất sắc, min: 90}, {name: Tốt, min: 80}, {name: Khá, min: 70}, {name: Trung bình, min: 50}, {name: Yếu, min: 0}]\n"

// A criterion fed from data that the sheet splits into components scores,
// for a unit without data, the sum of its components: the figure written
// on its own row is a subtotal, checked (a warning) but never a score,
// and never above the criterion's maximum. I (10) = I.1 5 + I.2 5, I.2
// fed by the on-time rate, = I.2.1 (2) + I.2.2 (3); no dossiers.
//
//	S.A  I.1 5, I.2 row written 50 (a typo), I.2.1 2, I.2.2 1
//	     → I.2 = 2 + 1 = 3, total 5 + 3 = 8 of 10 → 80, Tốt
//	     (before: 5 + 50 = 55 of 10 → 550, rank 1, Xuất sắc)
//	S.B  I.1 5, I.2 row written 4 (≠ 2 + 1), I.2.1 2, I.2.2 1
//	     → I.2 = 3, 8 of 10 → 80, Tốt
//	Both 80: rank 1, 1; peer count 2, peer mean 80.
func TestPARReviewDataFedParentSubtotalIsNoScore(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "S.A,Sở A,department", "S.B,Sở B,department")
	for u, written := range map[string]float64{"S.A": 50, "S.B": 4} {
		parSheet(t, w, "2025", u, []sheetNode{
			{"I", nil, 1, false, "", 10, nil, false},
			{"I.1", "I", 2, true, "", 5, 5.0, false},
			{"I.2", "I", 2, false, "", 5, written, false},
			{"I.2.1", "I.2", 3, true, "", 2, 2.0, false},
			{"I.2.2", "I.2", 3, true, "", 3, 1.0, false},
		})
	}
	buildPAR(t, w, writeYAML(t, `name: r
version: "1"
title_vi: Chỉ số CCHC
data:
  - code: I.2
    indicator: on_time
    brackets: [{min: 0.98, points: 5}, {min: 0.9, points: 3}]
    else: 0
`+reviewTiers))
	got := parScores(t, w.DB(), "2025")
	for _, u := range []string{"S.A", "S.B"} {
		g := got[u]
		if g.status != "ranked" || !sameF(g.total, fp(8)) || !sameF(g.score, fp(80)) || !sameI(g.rank, ip(1)) || g.tier != "Tốt" ||
			g.peers != 2 || !sameF(g.mean, fp(80)) {
			t.Errorf("%s: %s total %s score %s rank %s %q peers %d mean %s; want ranked 8, 80, rank 1, Tốt, 2 peers, mean 80",
				u, g.status, show(g.total), show(g.score), show(g.rank), g.tier, g.peers, show(g.mean))
		}
		var pts float64
		if err := w.DB().QueryRow(`SELECT appraised_points FROM par_criterion_scores WHERE period = '2025' AND unit_code = ? AND code = 'I.2'`, u).Scan(&pts); err != nil || pts != 3 {
			t.Errorf("%s I.2: %v (%v), want 3 (2 + 1)", u, pts, err)
		}
	}
}
