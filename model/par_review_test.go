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

// The survey field is scored by the survey: a "Không áp dụng" written in
// the sheet's survey field does not take a unit's survey result out of
// its maximum (the sheet's cells there are ignored, docs/contract.md).
// Without a survey result the council's "Không áp dụng" still stands.
// Tree: I (70) = I.1 70; II "Điều tra xã hội học" 30.
//
//	S.A  I.1 70, II written KAD, survey 5 → 70 + 5 = 75 of 100 → 75, Khá,
//	     rank 3 after the two 90s (before: 70 of 70 → 100, rank 1, Xuất sắc)
//	S.B  I.1 60, survey 30 → 90 of 100 → 90, Xuất sắc, rank 1
//	S.C  I.1 63, II written KAD, no survey result → 63 of 70 → 90,
//	     Xuất sắc, rank 1 (as before)
//	peers 3, mean (75 + 90 + 90) / 3 = 85
func TestPARReviewSurveyFieldNotApplicableIgnoredWhenSurveyed(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "S.A,Sở A,department", "S.B,Sở B,department", "S.C,Sở C,department")
	for _, c := range []struct {
		unit string
		i1   float64
		na   bool
	}{{"S.A", 70, true}, {"S.B", 60, false}, {"S.C", 63, true}} {
		parSheet(t, w, "2025", c.unit, []sheetNode{
			{"I", nil, 1, false, "", 70, nil, false},
			{"I.1", "I", 2, true, "", 70, c.i1, false},
			{"II", nil, 1, true, "Điều tra xã hội học", 30, nil, c.na},
		})
	}
	execAll(t, w, `INSERT INTO par_survey_results VALUES
		('2025', 'S.A', 5, NULL, 'sv', 's.csv', 2, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00'),
		('2025', 'S.B', 30, NULL, 'sv', 's.csv', 3, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`)
	buildPAR(t, w, "default")
	got := parScores(t, w.DB(), "2025")
	for _, c := range []struct {
		unit, tier        string
		total, max, score float64
		rank              int
	}{
		{"S.A", "Khá", 75, 100, 75, 3},
		{"S.B", "Xuất sắc", 90, 100, 90, 1},
		{"S.C", "Xuất sắc", 63, 70, 90, 1},
	} {
		g := got[c.unit]
		if g.status != "ranked" || !sameF(g.total, &c.total) || !sameF(g.max, &c.max) || !sameF(g.score, &c.score) || !sameI(g.rank, &c.rank) ||
			g.tier != c.tier || g.peers != 3 || !sameF(g.mean, fp(85)) {
			t.Errorf("%s: %s %s of %s → %s rank %s %q peers %d mean %s; want ranked %v of %v → %v rank %d %q, 3 peers, mean 85",
				c.unit, g.status, show(g.total), show(g.max), show(g.score), show(g.rank), g.tier, g.peers, show(g.mean),
				c.total, c.max, c.score, c.rank, c.tier)
		}
	}
}

// The score change is kept like the score (9 decimals), so that the
// published change rounds the change it is, half away from zero:
// 84,005 − 81,25 = 2,755 → "+2,76 điểm", where 84.005 − 81.25 is
// 2.7549999999999955 in floating point and would publish "+2,75".
// One criterion I.1 of 100: X.A 81,25 in 2025, 84,005 in 2026.
func TestPARReviewScoreChangeRounded(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "X.A,Xã A,commune")
	for p, pts := range map[string]float64{"2025": 81.25, "2026": 84.005} {
		parSheet(t, w, p, "X.A", []sheetNode{
			{"I", nil, 1, false, "", 100, nil, false},
			{"I.1", "I", 2, true, "", 100, pts, false},
		})
	}
	buildPAR(t, w, "default")
	g := parScores(t, w.DB(), "2026")["X.A"]
	if g.scoreChange == nil || *g.scoreChange != 2.755 || !sameI(g.prevRank, ip(1)) || !sameI(g.change, ip(0)) {
		t.Errorf("X.A 2026: score change %s (%.17g), previous rank %s, change %s; want exactly 2.755, 1, 0",
			show(g.scoreChange), deref(g.scoreChange), show(g.prevRank), show(g.change))
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// A ranked unit always has a tier: the lowest tier ("Yếu < 50") takes
// every score below the next one, a negative one too (penalty points
// above the points, no penalty cap). I.1 of 100: X.A 1 point, penalty 5
// → 1 − 5 = −4 of 100 → −4, rank 2, Yếu; X.B 50 → 50, rank 1, Trung bình.
func TestPARReviewNegativeScoreHasLowestTier(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "X.A,Xã A,commune", "X.B,Xã B,commune")
	for u, pts := range map[string]float64{"X.A": 1, "X.B": 50} {
		parSheet(t, w, "2025", u, []sheetNode{
			{"I", nil, 1, false, "", 100, nil, false},
			{"I.1", "I", 2, true, "", 100, pts, false},
		})
	}
	execAll(t, w, `INSERT INTO par_adjustment_rows VALUES ('2025', 'X.A', 'vi phạm', -5, 'adj', 'a.csv', 2, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`)
	buildPAR(t, w, "default")
	got := parScores(t, w.DB(), "2025")
	for _, c := range []struct {
		unit, tier string
		score      float64
		rank       int
	}{{"X.A", "Yếu", -4, 2}, {"X.B", "Trung bình", 50, 1}} {
		g := got[c.unit]
		if !sameF(g.score, &c.score) || !sameI(g.rank, &c.rank) || g.tier != c.tier {
			t.Errorf("%s: score %s rank %s tier %q; want %v rank %d %q", c.unit, show(g.score), show(g.rank), g.tier, c.score, c.rank, c.tier)
		}
	}
}

// An incomplete unit's appraised points are unknown when a criterion it
// must be scored on has no points: the sum of the others would publish a
// missing criterion as 0. I (10) = I.1 4 + I.2 6.
//
//	X.A  I.1 4, I.2 no appraised points (NULL) → incomplete, appraised
//	     NULL, total NULL (before: appraised 4)
//	X.B  I.1 3, I.2 6 → 9 of 10 → 90, rank 1, appraised 9
func TestPARReviewIncompleteAppraisedUnknown(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "X.A,Xã A,commune", "X.B,Xã B,commune")
	for u, pts := range map[string][2]any{"X.A": {4.0, nil}, "X.B": {3.0, 6.0}} {
		parSheet(t, w, "2025", u, []sheetNode{
			{"I", nil, 1, false, "", 10, nil, false},
			{"I.1", "I", 2, true, "", 4, pts[0], false},
			{"I.2", "I", 2, true, "", 6, pts[1], false},
		})
	}
	buildPAR(t, w, "default")
	got := parScores(t, w.DB(), "2025")
	if g := got["X.A"]; g.status != "incomplete" || g.appraised != nil || g.total != nil || g.rank != nil || g.note != "thiếu điểm tiêu chí I.2" {
		t.Errorf("X.A: %s appraised %s total %s rank %s note %q; want incomplete, NULL, NULL, NULL, thiếu điểm tiêu chí I.2",
			g.status, show(g.appraised), show(g.total), show(g.rank), g.note)
	}
	if g := got["X.B"]; g.status != "ranked" || !sameF(g.appraised, fp(9)) || !sameF(g.score, fp(90)) || g.peers != 1 {
		t.Errorf("X.B: %s appraised %s score %s peers %d; want ranked 9, 90, 1 peer", g.status, show(g.appraised), show(g.score), g.peers)
	}
}
