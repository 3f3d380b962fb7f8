package model

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cchc/cchc/internal/parfixture"
	"github.com/cchc/cchc/warehouse"
)

// parRow is the part of a par_scores row the province test checks.
type parRow struct {
	status, tier, version   string
	appraised, total, score *float64
	max                     *float64
	rank, prevRank, change  *int
	scoreChange, mean       *float64
	peers                   int
	provisional             bool
	note                    string
}

func loadPAR(t *testing.T, w *warehouse.Warehouse) {
	t.Helper()
	if err := parfixture.Province(context.Background(), w.DB(), "testdata/par-province"); err != nil {
		t.Fatal(err)
	}
}

func buildPAR(t *testing.T, w *warehouse.Warehouse, methodology string) {
	t.Helper()
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	pm, err := LoadPARMethodology(methodology)
	if err != nil {
		t.Fatal(err)
	}
	if err := BuildWith(context.Background(), w.DB(), "calendar", m, pm, testAsOf); err != nil {
		t.Fatal(err)
	}
}

func parScores(t *testing.T, db *sql.DB, period string) map[string]parRow {
	t.Helper()
	rows, err := db.Query(`SELECT unit_code, status, coalesce(tier, ''), methodology_version, appraised_points, total_points,
		max_points, score, rank, previous_rank, rank_change, score_change, peer_mean, peer_count, provisional, coalesce(note, '')
		FROM par_scores WHERE period = ?`, period)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]parRow{}
	for rows.Next() {
		var u string
		var r parRow
		var a, tot, mx, sc, chg, mean sql.NullFloat64
		var rk, pr, rc sql.NullInt64
		if err := rows.Scan(&u, &r.status, &r.tier, &r.version, &a, &tot, &mx, &sc, &rk, &pr, &rc, &chg, &mean, &r.peers, &r.provisional, &r.note); err != nil {
			t.Fatal(err)
		}
		r.appraised, r.total, r.max, r.score, r.scoreChange, r.mean = f(a), f(tot), f(mx), f(sc), f(chg), f(mean)
		r.rank, r.prevRank, r.change = i(rk), i(pr), i(rc)
		out[u] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func f(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

func i(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

func fp(x float64) *float64 { return &x }
func ip(x int) *int         { return &x }

func show(p any) string {
	switch p := p.(type) {
	case *float64:
		if p == nil {
			return "NULL"
		}
		return fmt.Sprint(*p)
	case *int:
		if p == nil {
			return "NULL"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprint(p)
}

func sameF(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func sameI(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

type parWant struct {
	unit, status, tier string
	appraised, total   *float64
	max, score         *float64
	rank, prev, change *int
	scoreChange        *float64
}

func checkPAR(t *testing.T, got map[string]parRow, period, version string, want []parWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d units scored, want %d: %v", period, len(got), len(want), got)
	}
	for _, w := range want {
		g, ok := got[w.unit]
		if !ok {
			t.Errorf("%s %s: missing", period, w.unit)
			continue
		}
		if g.status != w.status || g.tier != w.tier || g.version != version || !sameF(g.appraised, w.appraised) || !sameF(g.total, w.total) ||
			!sameF(g.max, w.max) || !sameF(g.score, w.score) || !sameI(g.rank, w.rank) || !sameI(g.prevRank, w.prev) ||
			!sameI(g.change, w.change) || !sameF(g.scoreChange, w.scoreChange) {
			t.Errorf("%s %s: got %s %q v%s appraised %s total %s max %s score %s rank %s prev %s change %s score change %s (%s)\nwant %s %q v%s appraised %s total %s max %s score %s rank %s prev %s change %s score change %s",
				period, w.unit, g.status, g.tier, g.version, show(g.appraised), show(g.total), show(g.max), show(g.score), show(g.rank), show(g.prevRank), show(g.change), show(g.scoreChange), g.note,
				w.status, w.tier, version, show(w.appraised), show(w.total), show(w.max), show(w.score), show(w.rank), show(w.prev), show(w.change), show(w.scoreChange))
		}
	}
}

// The hand-built province of testdata/par-province: five departments
// (S.A–S.E) and three communes (X.A–X.C), 2025 and 2026, the tree
// I (20) = I.1 (8) + I.2 (12 = I.2.1 6 + I.2.2 6); II (30) = II.1 (15) +
// II.2 (15); III Điều tra xã hội học (50, the survey field). Maximum 100,
// so a unit's score is its total unless something is "Không áp dụng".
//
// 2025, methodology par_test 2025.1 (sheets alone, penalty capped at 3):
//
//	S.A  8 + 6 + 5 + 14 + 12 = 45 appraised (its III.1 "99" is ignored:
//	     survey field) + survey 45 = 90 of 100 → 90, Xuất sắc, rank 1
//	S.B  resubmitted: the second sheet replaces the first (I.1 4 → 8):
//	     8 + 6 + 5 + 13 + 12 = 44 + survey 45 + bonus 2 − penalty 1 = 90
//	     → 90, tied with S.A: rank 1 (competition ranks: 1, 1, 3, 4)
//	S.C  II.2 "Không áp dụng": 7 + 5 + 5 + 12 = 29 appraised, maximum
//	     100 − 15 = 85; survey rate 80% × 50 = 40; total 69;
//	     69 / 85 × 100 = 81,176470588… → Tốt, rank 3
//	S.D  II.1 has no appraised points: quarantined, incomplete, not ranked,
//	     no total (the 8 + 6 + 6 + 12 = 32 points it has are kept)
//	S.E  3 + 2 + 2 + 5 + 5 = 17 + survey 30 − penalty 5 capped at 3 = 44
//	     → Yếu, rank 4
//	peer count 4; peer mean (90 + 90 + 81,1764… + 44) / 4 = 76,2941…
//	X.A  8 + 6 + 6 + 15 + 15 = 50 + 50 = 100 → Xuất sắc, rank 1
//	X.B  6 + 4 + 4 + 10 + 10 = 34 + 36 = 70 → Khá, rank 2
//	X.C  exists, no sheet → incomplete
//
// 2026 under the same version (first build): no communes have sheets, so
// none is listed.
//
//	S.D  8 + 6 + 6 + 14 + 14 = 48 + 47 = 95 → rank 1 (was incomplete: no movement)
//	S.B  8 + 6 + 6 + 15 + 9 = 44 + 44 = 88 → rank 2 (1 → 2: −1; 88 − 90 = −2)
//	S.C  7 + 5 + 5 + 12 + 12 = 41 + 40 = 81 → rank 3 (3 → 3: 0; 81 − 81,1764… = −0,1764…)
//	S.A  8 + 6 + 6 + 15 + 5 = 40 + 40 = 80 → rank 4 (1 → 4: −3; 80 − 90 = −10)
//	S.E  17 + 30 = 47 → rank 5 (4 → 5: −1; 47 − 44 = +3)
//
// 2026 under version 2026.1 (from 2026; II.2 fed by the on-time rate:
// ≥ 98%: 15, ≥ 95%: 10, else 0), 2025 kept as 2025.1:
//
//	S.A  49 of 50 dossiers on time = 98% → 15: 8 + 6 + 6 + 15 + 15 = 50 + 40 = 90 → rank 2
//	S.B  19 of 20 = 95% → 10: 8 + 6 + 6 + 15 + 10 = 45 + 44 = 89 → rank 3
//	S.C, S.D, S.E have no dossiers: the sheet's points stand (81, 95, 47)
//	ranks S.D 1, S.A 2, S.B 3, S.C 4, S.E 5; rank changes −1, −2, −1, −1
//	against 2025; no score change (the version differs).
func TestPARProvince(t *testing.T) {
	w := openWarehouse(t)
	loadPAR(t, w)
	var ds []dossier
	for n := 0; n < 50; n++ {
		finished := "2026-03-05 10:00:00"
		if n == 0 {
			finished = "2026-03-12 10:00:00" // late
		}
		ds = append(ds, dossier{code: fmt.Sprintf("A-%02d", n), unit: "S.A", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: finished})
	}
	for n := 0; n < 20; n++ {
		finished := "2026-04-05 10:00:00"
		if n == 0 {
			finished = "2026-04-12 10:00:00"
		}
		ds = append(ds, dossier{code: fmt.Sprintf("B-%02d", n), unit: "S.B", status: "resolved", received: "2026-04-02 08:00:00", due: "2026-04-10 17:00:00", finished: finished})
	}
	insert(t, w.DB(), ds)

	buildPAR(t, w, "testdata/par-province/methodology-v1.yaml")
	v1 := "2025.1"
	want2025 := []parWant{
		{"S.A", "ranked", "Xuất sắc", fp(45), fp(90), fp(100), fp(90), ip(1), nil, nil, nil},
		{"S.B", "ranked", "Xuất sắc", fp(44), fp(90), fp(100), fp(90), ip(1), nil, nil, nil},
		{"S.C", "ranked", "Tốt", fp(29), fp(69), fp(85), fp(69.0 / 85 * 100), ip(3), nil, nil, nil},
		// S.D's II.1 is quarantined: its appraised points are unknown,
		// not the 32 of its other criteria.
		{"S.D", "incomplete", "", nil, nil, fp(100), nil, nil, nil, nil, nil},
		{"S.E", "ranked", "Yếu", fp(17), fp(44), fp(100), fp(44), ip(4), nil, nil, nil},
		{"X.A", "ranked", "Xuất sắc", fp(50), fp(100), fp(100), fp(100), ip(1), nil, nil, nil},
		{"X.B", "ranked", "Khá", fp(34), fp(70), fp(100), fp(70), ip(2), nil, nil, nil},
		{"X.C", "incomplete", "", nil, nil, nil, nil, nil, nil, nil, nil},
	}
	got := parScores(t, w.DB(), "2025")
	checkPAR(t, got, "2025", v1, want2025)
	if g := got["S.A"]; g.peers != 4 || !sameF(g.mean, fp((90+90+69.0/85*100+44)/4)) || g.provisional {
		t.Errorf("2025 S.A: peers %d mean %s provisional %v, want 4, 76.29…, final", g.peers, show(g.mean), g.provisional)
	}
	if n := got["S.D"].note; n != "phiếu có 1 dòng bị cách ly, chờ file sửa; thiếu điểm tiêu chí II.1" {
		t.Errorf("S.D note %q", n)
	}
	if n := got["X.C"].note; n != "chưa có phiếu chấm điểm" {
		t.Errorf("X.C note %q", n)
	}
	want2026v1 := []parWant{
		{"S.D", "ranked", "Xuất sắc", fp(48), fp(95), fp(100), fp(95), ip(1), nil, nil, nil},
		{"S.B", "ranked", "Tốt", fp(44), fp(88), fp(100), fp(88), ip(2), ip(1), ip(-1), fp(-2)},
		{"S.C", "ranked", "Tốt", fp(41), fp(81), fp(100), fp(81), ip(3), ip(3), ip(0), fp(81 - 69.0/85*100)},
		{"S.A", "ranked", "Tốt", fp(40), fp(80), fp(100), fp(80), ip(4), ip(1), ip(-3), fp(-10)},
		{"S.E", "ranked", "Yếu", fp(17), fp(47), fp(100), fp(47), ip(5), ip(4), ip(-1), fp(3)},
	}
	got = parScores(t, w.DB(), "2026")
	checkPAR(t, got, "2026", v1, want2026v1)
	if !got["S.A"].provisional {
		t.Error("2026 is not over at the test clock: provisional")
	}

	// Criterion detail: S.C's II.2 is out of the maximum, its field II
	// keeps 15; the survey field carries the survey points, not the sheet's.
	var max, pts float64
	var applicable bool
	if err := w.DB().QueryRow(`SELECT max_points, appraised_points FROM par_criterion_scores WHERE period = '2025' AND unit_code = 'S.C' AND code = 'II'`).Scan(&max, &pts); err != nil || max != 15 || pts != 12 {
		t.Errorf("S.C II: max %v points %v (%v), want 15, 12", max, pts, err)
	}
	if err := w.DB().QueryRow(`SELECT applicable FROM par_criterion_scores WHERE period = '2025' AND unit_code = 'S.C' AND code = 'II.2'`).Scan(&applicable); err != nil || applicable {
		t.Errorf("S.C II.2 applicable %v (%v), want false", applicable, err)
	}
	if err := w.DB().QueryRow(`SELECT max_points, appraised_points FROM par_criterion_scores WHERE period = '2025' AND unit_code = 'S.A' AND code = 'III'`).Scan(&max, &pts); err != nil || max != 50 || pts != 45 {
		t.Errorf("S.A III: max %v points %v (%v), want 50, 45", max, pts, err)
	}
	var src string
	if err := w.DB().QueryRow(`SELECT source FROM par_criteria WHERE period = '2025' AND peer_group = 'department' AND code = 'III.1'`).Scan(&src); err != nil || src != "survey" {
		t.Errorf("III.1 source %q (%v), want survey", src, err)
	}
	// The resubmitted sheet left no row of the first one behind.
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM par_sheet_rows WHERE unit_code = 'S.B' AND period = '2025' AND source_file = 'S.B.csv'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("first S.B sheet rows: %d (%v)", n, err)
	}

	// Version change from 2026: 2025 stays as version 1 computed it.
	buildPAR(t, w, "testdata/par-province/methodology-v2.yaml")
	checkPAR(t, parScores(t, w.DB(), "2025"), "2025", v1, want2025)
	want2026v2 := []parWant{
		{"S.D", "ranked", "Xuất sắc", fp(48), fp(95), fp(100), fp(95), ip(1), nil, nil, nil},
		{"S.A", "ranked", "Xuất sắc", fp(50), fp(90), fp(100), fp(90), ip(2), ip(1), ip(-1), nil},
		{"S.B", "ranked", "Tốt", fp(45), fp(89), fp(100), fp(89), ip(3), ip(1), ip(-2), nil},
		{"S.C", "ranked", "Tốt", fp(41), fp(81), fp(100), fp(81), ip(4), ip(3), ip(-1), nil},
		{"S.E", "ranked", "Yếu", fp(17), fp(47), fp(100), fp(47), ip(5), ip(4), ip(-1), nil},
	}
	checkPAR(t, parScores(t, w.DB(), "2026"), "2026", "2026.1", want2026v2)
	var note string
	if err := w.DB().QueryRow(`SELECT note FROM par_criterion_scores WHERE period = '2026' AND unit_code = 'S.A' AND code = 'II.2'`).Scan(&note); err != nil || note != "tính từ dữ liệu hồ sơ: tỷ lệ on_time 98,00%" {
		t.Errorf("S.A II.2 note %q (%v)", note, err)
	}
	if err := w.DB().QueryRow(`SELECT source FROM par_criteria WHERE period = '2026' AND code = 'II.2'`).Scan(&src); err != nil || src != "data" {
		t.Errorf("2026 II.2 source %q (%v), want data", src, err)
	}
	if err := w.DB().QueryRow(`SELECT count(*) FROM par_criteria WHERE period = '2025' AND methodology_version = '2025.1'`).Scan(&n); err != nil || n == 0 {
		t.Errorf("2025 criteria of version 1: %d (%v)", n, err)
	}
	// Both PAR versions keep their Vietnamese names for publications.
	var names string
	if err := w.DB().QueryRow(`SELECT string_agg(index_kind || ':' || methodology || ' ' || methodology_version || ' ' || title_vi, '; ' ORDER BY index_kind, methodology_version)
		FROM methodologies`).Scan(&names); err != nil || names != "par:par_test 2025.1 Chỉ số cải cách hành chính; par:par_test 2026.1 Chỉ số cải cách hành chính; service:default 2026.2 Chỉ số phục vụ người dân, doanh nghiệp" {
		t.Errorf("methodologies %q (%v)", names, err)
	}
}

// With empty PAR input tables the model still builds, and leaves the PAR
// tables empty.
func TestPAREmpty(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "U1,Xã Một,commune")
	build(t, w, "calendar")
	var n int
	if err := w.DB().QueryRow(`SELECT (SELECT count(*) FROM par_scores) + (SELECT count(*) FROM par_criteria) + (SELECT count(*) FROM par_criterion_scores)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("PAR rows %d (%v)", n, err)
	}
}

// PARStale: a new version (or never built) asks for a rebuild; the version
// that built the tables, or a `from` version with earlier periods kept,
// does not.
func TestPARStale(t *testing.T) {
	w := openWarehouse(t)
	ctx := context.Background()
	v1, _ := LoadPARMethodology("testdata/par-province/methodology-v1.yaml")
	v2, _ := LoadPARMethodology("testdata/par-province/methodology-v2.yaml")
	check := func(what string, pm *PARMethodology, want bool) {
		t.Helper()
		got, err := PARStale(ctx, w.DB(), "calendar", pm)
		if err != nil || got != want {
			t.Errorf("%s: stale %v (%v), want %v", what, got, err, want)
		}
	}
	check("empty", v1, false)
	loadPAR(t, w)
	check("inputs, never built", v1, true)
	buildPAR(t, w, "testdata/par-province/methodology-v1.yaml")
	check("built by v1", v1, false)
	check("v2 configured", v2, true)
	buildPAR(t, w, "testdata/par-province/methodology-v2.yaml")
	check("built by v2 from 2026, 2025 kept by v1", v2, false)
	check("back to v1", v1, true)
}

// A tree fixed by the methodology, and a field fed by the service index.
// S.A's 50 dossiers of 2026 (49 on time, 1 late; all direct, nothing
// synchronised, paid or digitised known) give the default service index:
// TDGQ 20 × 49/50 = 19,6; CLGQ 0 online → 0 of 12; MDHL 1 − 1/50 late =
// 98% ≥ 90% → 18; the other groups N/A; total (19,6 + 0 + 18) / 50 × 100
// = 75,2. Field II = 30 × 75,2 / 100 = 22,56; with I 20 and survey 40,
// S.A scores 82,56. S.C has no dossiers: no service index, and the sheet's
// II points stand (II.1 12 + II.2 12 = 24; total 17 + 24 + 40 = 81).
func TestPARTreeAndServiceIndex(t *testing.T) {
	w := openWarehouse(t)
	loadPAR(t, w)
	var ds []dossier
	for n := 0; n < 50; n++ {
		finished := "2026-03-05 10:00:00"
		if n == 0 {
			finished = "2026-03-12 10:00:00"
		}
		ds = append(ds, dossier{code: fmt.Sprintf("A-%02d", n), unit: "S.A", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: finished})
	}
	insert(t, w.DB(), ds)
	buildPAR(t, w, "testdata/par-province/methodology-tree.yaml")
	got := parScores(t, w.DB(), "2026")
	if g := got["S.A"]; !sameF(g.total, fp(82.56)) || !sameF(g.max, fp(100)) || g.version != "2026.9" {
		t.Errorf("S.A: total %s max %s v%s, want 82,56 of 100 under 2026.9", show(g.total), show(g.max), g.version)
	}
	if g := got["S.C"]; !sameF(g.total, fp(81)) {
		t.Errorf("S.C: total %s, want 81", show(g.total))
	}
	var name, src string
	var leaf bool
	if err := w.DB().QueryRow(`SELECT name, source, is_leaf FROM par_criteria WHERE period = '2026' AND peer_group = 'department' AND code = 'II'`).Scan(&name, &src, &leaf); err != nil ||
		name != "Thủ tục hành chính" || src != "data" || !leaf {
		t.Errorf("II: %q %s scored %v (%v), want the methodology's name, data, scored", name, src, leaf, err)
	}
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM par_criteria WHERE period = '2026' AND peer_group = 'department'`).Scan(&n); err != nil || n != 7 {
		t.Errorf("2026 tree has %d nodes (%v), want the methodology's 7", n, err)
	}
}

// A PAR period turns final with time alone: 2026 is provisional at the
// test clock, final on 16 January 2027 (15 days' grace after its end).
func TestPAROutdated(t *testing.T) {
	w := openWarehouse(t)
	loadPAR(t, w)
	buildPAR(t, w, "testdata/par-province/methodology-v1.yaml")
	ctx := context.Background()
	for _, c := range []struct {
		now  time.Time
		want bool
	}{{testAsOf.Now, false}, {time.Date(2027, 1, 15, 1, 0, 0, 0, time.UTC), false}, {time.Date(2027, 1, 16, 1, 0, 0, 0, time.UTC), true}} {
		got, err := PAROutdated(ctx, w.DB(), "calendar", AsOf{Now: c.now, Grace: testAsOf.Grace})
		if err != nil || got != c.want {
			t.Errorf("at %s: outdated %v (%v), want %v", c.now.Format("2006-01-02"), got, err, c.want)
		}
	}
}

// sheetNode is one par_sheet_rows row of a sheet built by parSheet; max
// and ap (appraised points) are nil for an empty cell.
type sheetNode struct {
	code   string
	parent any
	depth  int
	leaf   bool
	name   string
	max    any
	ap     any
	na     bool
}

// parSheet loads one unit's sheet of a period as the reader would:
// par_sheet_rows and its par_sheets row (no row quarantined).
func parSheet(t *testing.T, w *warehouse.Warehouse, period, unit string, nodes []sheetNode) {
	t.Helper()
	for i, n := range nodes {
		name := n.name
		if name == "" {
			name = "Tiêu chí " + n.code
		}
		if _, err := w.DB().Exec(`INSERT INTO par_sheet_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, NULL, NULL,
			'sheets', ?, ?, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`,
			period, unit, n.code, n.parent, n.depth, i+1, n.code, name, n.max, n.ap, n.na, n.leaf, unit+".xlsx", i+2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.DB().Exec(`INSERT INTO par_sheets VALUES (?, ?, 'sheets', ?, 'sha', ?, 0, NULL, 1, TIMESTAMP '2026-12-01 00:00:00')`,
		period, unit, unit+".xlsx", len(nodes)); err != nil {
		t.Fatal(err)
	}
}

func execAll(t *testing.T, w *warehouse.Warehouse, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	p := t.TempDir() + "/m.yaml"
	if err := osWriteFile(p, body); err != nil {
		t.Fatal(err)
	}
	return p
}

// A score that floating point puts a hair under a tier's threshold is
// tiered as the score it is, the one it is ranked by and published as.
//
// PAR: X.A I.1 75,6 of 84, I.2 (16) "Không áp dụng": 75,6 / 84 × 100 = 90
// exactly (756 / 840 = 9 / 10), 89.99999999999999 in floating point.
// X.B 84 + 6 = 90 of 100. Both 90: rank 1, Xuất sắc; peer mean 90.
//
// Service index (one group G of 100, on-time rate against threshold 0,8):
// A 18 of 25 on time = 0,72 → 100 × 0,72 / 0,8 = 90 exactly,
// 89.99999999999999 in floating point → Xuất sắc, rank 2; B 25 of 25 → 100,
// rank 1.
func TestReview20TierAtThresholdFloat(t *testing.T) {
	type want struct {
		unit, tier string
		score      float64
		rank       int
	}
	t.Run("par", func(t *testing.T) {
		w := openWarehouse(t)
		units(t, w.DB(), "X.A,Xã A,commune", "X.B,Xã B,commune")
		parSheet(t, w, "2025", "X.A", []sheetNode{
			{"I", nil, 1, false, "", 100, nil, false},
			{"I.1", "I", 2, true, "", 84, 75.6, false},
			{"I.2", "I", 2, true, "", 16, nil, true},
		})
		parSheet(t, w, "2025", "X.B", []sheetNode{
			{"I", nil, 1, false, "", 100, nil, false},
			{"I.1", "I", 2, true, "", 84, 84.0, false},
			{"I.2", "I", 2, true, "", 16, 6.0, false},
		})
		buildPAR(t, w, "default")
		got := parScores(t, w.DB(), "2025")
		for _, c := range []want{{"X.A", "Xuất sắc", 90, 1}, {"X.B", "Xuất sắc", 90, 1}} {
			g := got[c.unit]
			if g.tier != c.tier || g.score == nil || *g.score != c.score || !sameI(g.rank, &c.rank) || g.mean == nil || *g.mean != 90 {
				t.Errorf("%s: score %s rank %s tier %q mean %s, want %v rank %d %q mean 90",
					c.unit, show(g.score), show(g.rank), g.tier, show(g.mean), c.score, c.rank, c.tier)
			}
		}
	})
	t.Run("service", func(t *testing.T) {
		w := openWarehouse(t)
		db := w.DB()
		units(t, db, "A,Xã A,commune", "B,Xã B,commune")
		var ds []dossier
		for n := 0; n < 25; n++ {
			for _, u := range []string{"A", "B"} {
				finished := "2026-03-05 10:00:00"
				if u == "A" && n >= 18 {
					finished = "2026-03-12 10:00:00"
				}
				ds = append(ds, dossier{code: fmt.Sprintf("%s-%02d", u, n), unit: u, status: "resolved",
					received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: finished})
			}
		}
		insert(t, db, ds)
		m, err := LoadMethodology(writeYAML(t, `name: tinh
version: "1"
groups:
  - code: G
    name_vi: Nhóm
    max: 100
    indicators:
      - {code: on_time, numerator: "count(*) FILTER (WHERE outcome IN ('early', 'on_time'))", denominator: "count(*)", threshold: 0.8, points: 100}
tiers: [{name: Xuất sắc, min: 90}, {name: Tốt, min: 80}, {name: Yếu, min: 0}]
`))
		if err != nil {
			t.Fatal(err)
		}
		if err := Build(context.Background(), db, "calendar", m, testAsOf); err != nil {
			t.Fatal(err)
		}
		for _, c := range []want{{"A", "Xuất sắc", 90, 2}, {"B", "Xuất sắc", 100, 1}} {
			var score float64
			var rank int
			var tier string
			if err := db.QueryRow(`SELECT total_score, rank, tier FROM index_scores WHERE period = '2026-03' AND unit_code = ?`, c.unit).
				Scan(&score, &rank, &tier); err != nil {
				t.Fatal(err)
			}
			if score != c.score || rank != c.rank || tier != c.tier {
				t.Errorf("%s: total %.17g rank %d tier %q, want %v rank %d %q", c.unit, score, rank, tier, c.score, c.rank, c.tier)
			}
		}
	})
}

// Survey points above the survey field's maximum are no score: the unit is
// incomplete with that reason, never ranked above 100. Departments with
// I.1 70 of 70 and field III "Điều tra xã hội học" of 30:
//
//	S.A  survey 35 > 30 → incomplete, no score
//	S.B  survey 29 → 70 + 29 = 99 of 100 → 99, rank 2
//	S.C  survey 30 (the maximum itself) → 100, rank 1
func TestReview20SurveyAboveMax(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "S.A,Sở A,department", "S.B,Sở B,department", "S.C,Sở C,department")
	execAll(t, w, `INSERT INTO par_survey_results VALUES ('2025', 'S.A', 35, NULL, 'survey', 's.csv', 2, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00'),
		('2025', 'S.B', 29, NULL, 'survey', 's.csv', 3, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00'),
		('2025', 'S.C', 30, NULL, 'survey', 's.csv', 4, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`)
	for _, u := range []string{"S.A", "S.B", "S.C"} {
		parSheet(t, w, "2025", u, []sheetNode{
			{"I", nil, 1, false, "", 70, nil, false},
			{"I.1", "I", 2, true, "", 70, 70.0, false},
			{"II", nil, 1, true, "Điều tra xã hội học", 30, nil, false},
		})
	}
	buildPAR(t, w, "default")
	got := parScores(t, w.DB(), "2025")
	for _, c := range []struct {
		unit, status string
		score        *float64
		rank         *int
		note         string
	}{
		{"S.A", "incomplete", nil, nil, "điểm ĐTXHH lớn hơn điểm tối đa, chờ danh sách sửa"},
		{"S.B", "ranked", fp(99), ip(2), ""},
		{"S.C", "ranked", fp(100), ip(1), ""},
	} {
		g := got[c.unit]
		if g.status != c.status || !sameF(g.score, c.score) || !sameI(g.rank, c.rank) || g.note != c.note {
			t.Errorf("%s: %s score %s rank %s note %q, want %s %s rank %s %q", c.unit, g.status, show(g.score), show(g.rank), g.note,
				c.status, show(c.score), show(c.rank), c.note)
		}
	}
	var note string
	if err := w.DB().QueryRow(`SELECT coalesce(note, '') || ' / ' || coalesce(CAST(appraised_points AS VARCHAR), 'NULL') FROM par_criterion_scores
		WHERE period = '2025' AND unit_code = 'S.A' AND code = 'II'`).Scan(&note); err != nil ||
		note != "điểm ĐTXHH 35 lớn hơn điểm tối đa 30 của lĩnh vực; chờ danh sách sửa / NULL" {
		t.Errorf("S.A II: %q (%v)", note, err)
	}
}

// A data-fed criterion of a unit without dossier data falls back to the
// sheet's leaves under it; a leaf loaded without points (the reader's
// NULL: empty, unreadable, above its maximum) is unknown, not 0. Sheet:
// I.1 (5, appraised 5); I.2 (5) fed by the on-time rate (≥ 98%: 5,
// ≥ 90%: 3, else 0) = I.2.1 (2) + I.2.2 (3).
//
//	S.A  no dossiers, I.2.2 NULL → I.2 unknown → incomplete
//	S.B  no dossiers, I.2.2 3 → I.2 = 2 + 3 = 5 → 10 of 10 = 100, rank 1
//	S.C  I.2.2 NULL, 10 of 10 dossiers of 2025 on time → the data decide:
//	     I.2 = 5 → 100, rank 1
func TestReview20DataFallbackCountsUnknownAsZero(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "S.A,Sở A,department", "S.B,Sở B,department", "S.C,Sở C,department")
	for u, i22 := range map[string]any{"S.A": nil, "S.B": 3.0, "S.C": nil} {
		parSheet(t, w, "2025", u, []sheetNode{
			{"I", nil, 1, false, "", 10, nil, false},
			{"I.1", "I", 2, true, "", 5, 5.0, false},
			{"I.2", "I", 2, false, "", 5, nil, false},
			{"I.2.1", "I.2", 3, true, "", 2, 2.0, false},
			{"I.2.2", "I.2", 3, true, "", 3, i22, false},
		})
	}
	var ds []dossier
	for n := 0; n < 10; n++ {
		ds = append(ds, dossier{code: fmt.Sprintf("C-%02d", n), unit: "S.C", status: "resolved",
			received: "2025-03-02 08:00:00", due: "2025-03-10 17:00:00", finished: "2025-03-05 10:00:00"})
	}
	insert(t, w.DB(), ds)
	buildPAR(t, w, writeYAML(t, `name: r20
version: "1"
title_vi: Chỉ số CCHC
data:
  - code: I.2
    indicator: on_time
    brackets: [{min: 0.98, points: 5}, {min: 0.9, points: 3}]
    else: 0
tiers: [{name: Xuất sắc, min: 90}, {name: Tốt, min: 80}, {name: Khá, min: 70}, {name: Trung bình, min: 50}, {name: Yếu, min: 0}]
`))
	got := parScores(t, w.DB(), "2025")
	for _, c := range []struct {
		unit, status string
		score        *float64
		rank         *int
		note, i2     string
	}{
		{"S.A", "incomplete", nil, nil, "thiếu điểm tiêu chí I.2", "không có dữ liệu hồ sơ và không có điểm thẩm định / NULL"},
		{"S.B", "ranked", fp(100), ip(1), "", "không có dữ liệu hồ sơ; dùng điểm thẩm định / 5.0"},
		{"S.C", "ranked", fp(100), ip(1), "", "tính từ dữ liệu hồ sơ: tỷ lệ on_time 100,00% / 5.0"},
	} {
		g := got[c.unit]
		var i2 string
		if err := w.DB().QueryRow(`SELECT coalesce(note, '') || ' / ' || coalesce(CAST(appraised_points AS VARCHAR), 'NULL') FROM par_criterion_scores
			WHERE period = '2025' AND unit_code = ? AND code = 'I.2'`, c.unit).Scan(&i2); err != nil {
			t.Fatal(err)
		}
		if g.status != c.status || !sameF(g.score, c.score) || !sameI(g.rank, c.rank) || g.note != c.note || i2 != c.i2 {
			t.Errorf("%s: %s score %s rank %s note %q; I.2 %q\nwant %s score %s rank %s note %q; I.2 %q", c.unit, g.status, show(g.score), show(g.rank), g.note, i2,
				c.status, show(c.score), show(c.rank), c.note, c.i2)
		}
	}
}

// A period kept under a later version's `from` keeps its scores, but its
// provisional flag follows the clock like a rebuilt one's. 2025 ends on
// 2026-01-01; with 15 days' grace it is provisional until 2026-01-16.
// Build 1 under version 1 on 2026-01-05 (2025 provisional); build 2 under
// version 2 from 2026 at the clock of each case: 2025 is kept (version 1)
// and provisional only before 2026-01-16; PAROutdated is false right after
// the build either way.
func TestReview20FromKeepsProvisional(t *testing.T) {
	grace := 15 * 24 * time.Hour
	for _, c := range []struct {
		now  time.Time
		want bool // 2025 provisional after build 2
	}{
		{time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), false},
	} {
		t.Run(c.now.Format("2006-01-02"), func(t *testing.T) {
			w := openWarehouse(t)
			ctx := context.Background()
			units(t, w.DB(), "S.A,Sở A,department")
			one := []sheetNode{{"I", nil, 1, false, "", 10, nil, false}, {"I.1", "I", 2, true, "", 10, 9.0, false}}
			parSheet(t, w, "2025", "S.A", one)
			m, err := LoadMethodology("default")
			if err != nil {
				t.Fatal(err)
			}
			tiers := "tiers: [{name: Xuất sắc, min: 90}, {name: Yếu, min: 0}]\n"
			v1, err := LoadPARMethodology(writeYAML(t, "name: r20\nversion: \"1\"\ntitle_vi: CCHC\n"+tiers))
			if err != nil {
				t.Fatal(err)
			}
			v2, err := LoadPARMethodology(writeYAML(t, "name: r20\nversion: \"2\"\ntitle_vi: CCHC\nfrom: \"2026\"\n"+tiers))
			if err != nil {
				t.Fatal(err)
			}
			if err := BuildWith(ctx, w.DB(), "calendar", m, v1, AsOf{Now: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), Grace: grace}); err != nil {
				t.Fatal(err)
			}
			parSheet(t, w, "2026", "S.A", one)
			at := AsOf{Now: c.now, Grace: grace}
			if err := BuildWith(ctx, w.DB(), "calendar", m, v2, at); err != nil {
				t.Fatal(err)
			}
			g := parScores(t, w.DB(), "2025")["S.A"]
			out, err := PAROutdated(ctx, w.DB(), "calendar", at)
			if err != nil {
				t.Fatal(err)
			}
			if g.version != "1" || g.provisional != c.want || out {
				t.Errorf("2025: version %s provisional %v, outdated %v; want version 1 (kept), provisional %v, not outdated", g.version, g.provisional, out, c.want)
			}
		})
	}
}
