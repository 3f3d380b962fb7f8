package model

import (
	"database/sql"
	"fmt"
	"testing"
)

// A criterion fed by bracket rules over a rate scores the bracket whose
// threshold the rate reaches, also when floating point puts the rate a
// hair under it, and its note writes the rate with a decimal comma.
//
// S.A: 20 dossiers of 2025 resolved, 1 late; 20 rated, 1 dissatisfied.
// satisfaction = 1 − 1/20 − 1/20 = 0,90 exactly (≥ 90%: 5 points), but
// 1 − 0.05 − 0.05 is 0.8999999999999999 in floating point. I = I.1 5 (5
// of 5) + I.2 5 (fed) = 10 of 10 → 100.
func TestPARBracketAtThreshold(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "S.A,Sở A,department")
	parSheet(t, w, "2025", "S.A", []sheetNode{
		{"I", nil, 1, false, "", 10, nil, false},
		{"I.1", "I", 2, true, "", 5, 5.0, false},
		{"I.2", "I", 2, true, "", 5, 5.0, false},
	})
	var ds []dossier
	for n := 0; n < 20; n++ {
		d := dossier{code: fmt.Sprintf("A-%02d", n), unit: "S.A", status: "resolved",
			received: "2025-03-02 08:00:00", due: "2025-03-10 17:00:00", finished: "2025-03-05 10:00:00", rating: "satisfied"}
		if n == 0 {
			d.finished = "2025-03-12 10:00:00"
		}
		if n == 1 {
			d.rating = "dissatisfied"
		}
		ds = append(ds, d)
	}
	insert(t, w.DB(), ds)
	buildPAR(t, w, writeYAML(t, `name: brackets
version: "1"
title_vi: Chỉ số CCHC
data:
  - code: I.2
    indicator: satisfaction
    brackets: [{min: 0.9, points: 5}, {min: 0.8, points: 3}]
    else: 0
tiers: [{name: Xuất sắc, min: 90}, {name: Tốt, min: 80}, {name: Khá, min: 70}, {name: Trung bình, min: 50}, {name: Yếu, min: 0}]
`))
	var rate float64
	if err := w.DB().QueryRow(`SELECT rate FROM indicator_values WHERE period = '2025' AND unit_code = 'S.A' AND indicator_code = 'satisfaction'`).Scan(&rate); err != nil {
		t.Fatal(err)
	}
	var pts float64
	var note string
	if err := w.DB().QueryRow(`SELECT appraised_points, note FROM par_criterion_scores WHERE period = '2025' AND unit_code = 'S.A' AND code = 'I.2'`).Scan(&pts, &note); err != nil {
		t.Fatal(err)
	}
	g := parScores(t, w.DB(), "2025")["S.A"]
	if pts != 5 || !sameF(g.score, fp(100)) {
		t.Errorf("rate %.17g: I.2 %v points, score %s; want 5 (≥ 90%%), 100", rate, pts, show(g.score))
	}
	if want := "tính từ dữ liệu hồ sơ: tỷ lệ satisfaction 90,00%"; note != want {
		t.Errorf("I.2 note %q, want %q", note, want)
	}
}

// With a tree fixed by the methodology (I = I.1 4 + I.2 6), the sheets
// are compared with it: a sheet that disagrees leaves its unit incomplete
// (never ranked, never above 100) with the difference named; the sheets
// of a group all alike, so they agree with each other. The points of a
// criterion scored from a sheet that disagrees are no score: unknown, and
// so is their field.
//
//	maxima  I.1 4/4, I.2 written with maximum 8 and appraised 8 (valid in
//	        the sheet): scored against the tree it would be 4 + 8 = 12 of
//	        10 = 120 → incomplete, "I.2 điểm tối đa 8 thay vì 6"; I.2
//	        and field I unknown.
//	split   I.1 4/4, I.2 a parent in the sheet (maximum 6 = 3 + 3) with
//	        the subtotal 6 written on its row while its leaves I.2.1 +
//	        I.2.2 are 1 + 2 = 3: the tree scores I.2 itself, which would be
//	        the written subtotal (10 of 10 = 100) → incomplete, naming the
//	        split and both maxima (6 in the sheet, 6 in the tree); I.2
//	        and field I unknown.
//	extra   I.1 4/4, I.2 6/6 and a criterion I.3 3/3 the tree lacks →
//	        incomplete, "thừa I.3"; field I 4 + 6 = 10 (I.3 is not in it).
//	same    I.1 4/3, I.2 6/6 → 9 of 10 = 90, ranked 1; field I 9.
func TestPARSheetAgainstFixedTree(t *testing.T) {
	yaml := `name: fixed
version: "1"
title_vi: Chỉ số CCHC
tree:
  - {code: I, name: Chỉ đạo, max: 10}
  - {code: I.1, name: Kế hoạch, max: 4}
  - {code: I.2, name: Thực hiện, max: 6}
tiers: [{name: Xuất sắc, min: 90}, {name: Tốt, min: 80}, {name: Khá, min: 70}, {name: Trung bình, min: 50}, {name: Yếu, min: 0}]
`
	for _, c := range []struct {
		name   string
		nodes  []sheetNode
		status string
		score  *float64
		note   string
		field  *float64 // field I's points
	}{
		{"maxima", []sheetNode{
			{"I", nil, 1, false, "", 12, nil, false},
			{"I.1", "I", 2, true, "", 4, 4.0, false},
			{"I.2", "I", 2, true, "", 8, 8.0, false},
		}, "incomplete", nil, "bảng điểm khác cây tiêu chí cố định của phương pháp chấm điểm (I.2 điểm tối đa 8 thay vì 6), chờ bảng điểm đúng", nil},
		{"split", []sheetNode{
			{"I", nil, 1, false, "", 10, nil, false},
			{"I.1", "I", 2, true, "", 4, 4.0, false},
			{"I.2", "I", 2, false, "", 6, 6.0, false},
			{"I.2.1", "I.2", 3, true, "", 3, 1.0, false},
			{"I.2.2", "I.2", 3, true, "", 3, 2.0, false},
		}, "incomplete", nil, "bảng điểm khác cây tiêu chí cố định của phương pháp chấm điểm (I.2 chia thành I.2.1, I.2.2 với điểm tối đa 6 thay vì một tiêu chí điểm tối đa 6), chờ bảng điểm đúng", nil},
		{"extra", []sheetNode{
			{"I", nil, 1, false, "", 13, nil, false},
			{"I.1", "I", 2, true, "", 4, 4.0, false},
			{"I.2", "I", 2, true, "", 6, 6.0, false},
			{"I.3", "I", 2, true, "", 3, 3.0, false},
		}, "incomplete", nil, "bảng điểm khác cây tiêu chí cố định của phương pháp chấm điểm (thừa I.3), chờ bảng điểm đúng", fp(10)},
		{"same", []sheetNode{
			{"I", nil, 1, false, "", 10, nil, false},
			{"I.1", "I", 2, true, "", 4, 3.0, false},
			{"I.2", "I", 2, true, "", 6, 6.0, false},
		}, "ranked", fp(90), "", fp(9)},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := openWarehouse(t)
			units(t, w.DB(), "S.A,Sở A,department", "S.B,Sở B,department")
			parSheet(t, w, "2025", "S.A", c.nodes)
			parSheet(t, w, "2025", "S.B", c.nodes)
			buildPAR(t, w, writeYAML(t, yaml))
			for u, g := range parScores(t, w.DB(), "2025") {
				var field sql.NullFloat64
				if err := w.DB().QueryRow(`SELECT appraised_points FROM par_criterion_scores WHERE period = '2025' AND unit_code = ? AND code = 'I'`, u).Scan(&field); err != nil {
					t.Fatal(err)
				}
				if g.status != c.status || !sameF(g.score, c.score) || g.note != c.note || !sameF(f(field), c.field) {
					t.Errorf("%s: %s score %s note %q field I %s\nwant %s score %s note %q field I %s", u, g.status, show(g.score), g.note, show(f(field)),
						c.status, show(c.score), c.note, show(c.field))
				}
			}
		})
	}
}

// A survey field whose maximum the sheet leaves blank (and no tree fixes)
// has no known maximum: the unit is incomplete, never scored out of the
// other fields' maximum alone. Survey 29 points; I 70 of 70. Counted
// without the field's maximum it would be (70 + 29) / 70 = 141,43.
// A survey field split into components of which one has no maximum is
// unknown the same way (not the 25 of the other component).
func TestPARSurveyFieldWithoutMax(t *testing.T) {
	for _, c := range []struct {
		name  string
		nodes []sheetNode
	}{
		{"field", []sheetNode{
			{"I", nil, 1, false, "", 70, nil, false},
			{"I.1", "I", 2, true, "", 70, 70.0, false},
			{"II", nil, 1, true, "Điều tra xã hội học", nil, nil, false},
		}},
		{"component", []sheetNode{
			{"I", nil, 1, false, "", 70, nil, false},
			{"I.1", "I", 2, true, "", 70, 70.0, false},
			{"II", nil, 1, false, "Điều tra xã hội học", nil, nil, false},
			{"II.1", "II", 2, true, "", 25, nil, false},
			{"II.2", "II", 2, true, "", nil, nil, false},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := openWarehouse(t)
			units(t, w.DB(), "S.A,Sở A,department")
			execAll(t, w, `INSERT INTO par_survey_results VALUES ('2025', 'S.A', 29, NULL, 'survey', 's.csv', 2, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`)
			parSheet(t, w, "2025", "S.A", c.nodes)
			buildPAR(t, w, "default")
			g := parScores(t, w.DB(), "2025")["S.A"]
			if want := "không biết điểm tối đa của tiêu chí II, chờ bảng điểm ghi điểm tối đa"; g.status != "incomplete" || g.score != nil || g.note != want {
				t.Errorf("S.A: %s score %s max %s note %q, want incomplete, no score, note %q", g.status, show(g.score), show(g.max), g.note, want)
			}
		})
	}
}

// A field of an incomplete unit whose applicable scored leaves are not all
// known has unknown points (NULL), not the sum of the known ones; its
// maximum likewise when a leaf's maximum is unknown. S.A: I = I.1 4 of 4 +
// I.2 unknown (no appraised points) → I unknown, maximum 10; II = II.1
// 5 of 5 → 5 (a field with every leaf known keeps its sum).
func TestPARFieldPointsUnknownLeaf(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "S.A,Sở A,department")
	parSheet(t, w, "2025", "S.A", []sheetNode{
		{"I", nil, 1, false, "", 10, nil, false},
		{"I.1", "I", 2, true, "", 4, 4.0, false},
		{"I.2", "I", 2, true, "", 6, nil, false},
		{"II", nil, 1, false, "", 5, nil, false},
		{"II.1", "II", 2, true, "", 5, 5.0, false},
	})
	buildPAR(t, w, "default")
	got := map[string]string{}
	rows, err := w.DB().Query(`SELECT code, max_points, appraised_points FROM par_criterion_scores WHERE period = '2025' AND unit_code = 'S.A' AND code IN ('I', 'II')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var mx, pts sql.NullFloat64
		if err := rows.Scan(&code, &mx, &pts); err != nil {
			t.Fatal(err)
		}
		got[code] = show(f(pts)) + " of " + show(f(mx))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"I": "NULL of 10", "II": "5 of 5"}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("%s: %s, want %s", code, got[code], w)
		}
	}
	if g := parScores(t, w.DB(), "2025")["S.A"]; g.status != "incomplete" {
		t.Errorf("S.A %s, want incomplete", g.status)
	}
}
