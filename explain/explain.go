// Package explain tells, in Vietnamese, why a unit has its score and rank
// in a period (`cchc explain`): for the CCHC index (PAR index) each field's
// points against its maximum, the criteria where it lost most, where the
// appraisal council changed the self-assessed points, the survey and the
// adjustments, and the biggest changes since the previous period; for the
// service index each group and indicator. It only reads the warehouse.
package explain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/cchc/cchc/periods"
	"github.com/cchc/cchc/publish"
)

// ErrNotFound is returned when the unit has no score in the period.
var ErrNotFound = errors.New("không có điểm")

// Options say how much to print.
type Options struct {
	Decimals int // published decimals (2 by default in callers)
	Top      int // how many criteria in each list (default 5)
}

type node struct {
	code, name, source            string
	depth, seq                    int
	max, self, appraised, treeMax sql.NullFloat64
	applicable                    bool
	note                          sql.NullString
}

// PAR writes the explanation of unit's CCHC-index score in period to w.
// unit is a unit code or a unit's exact name (any case).
func PAR(ctx context.Context, db *sql.DB, w io.Writer, unit, period string, opts Options) error {
	if opts.Top <= 0 {
		opts.Top = 5
	}
	num := func(v float64) string { return publish.FormatFixed(v, opts.Decimals) }
	nf := func(v sql.NullFloat64) string {
		if !v.Valid {
			return "—"
		}
		return num(v.Float64)
	}
	var (
		code, name, pg, meth, ver, status string
		note                              sql.NullString
		self, appr, survey, bonus, pen    sql.NullFloat64
		total, max, score, chg, prevScore sql.NullFloat64
		mean                              sql.NullFloat64
		rank, peers, prevRank, rchg       sql.NullInt64
		prov                              sql.NullBool
	)
	err := db.QueryRowContext(ctx, `SELECT s.unit_code, coalesce(u.name, s.unit_code), s.peer_group, s.methodology, s.methodology_version,
		s.status, s.note, s.self_points, s.appraised_points, s.survey_points, s.bonus_points, s.penalty_points, s.total_points,
		s.max_points, s.score, s.score_change, s.previous_score, s.peer_mean, s.rank, s.peer_count, s.previous_rank, s.rank_change, s.provisional
		FROM par_scores s
		LEFT JOIN (SELECT unit_code, arg_max(name, coalesce(valid_from, DATE '1900-01-01')) AS name FROM units GROUP BY unit_code) u USING (unit_code)
		WHERE s.period = $1 AND (s.unit_code = $2 OR lower(u.name) = lower($2))
		ORDER BY s.unit_code = $2 DESC LIMIT 1`, period, unit).Scan(&code, &name, &pg, &meth, &ver, &status, &note, &self, &appr, &survey,
		&bonus, &pen, &total, &max, &score, &chg, &prevScore, &mean, &rank, &peers, &prevRank, &rchg, &prov)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: đơn vị %s không có điểm Chỉ số cải cách hành chính kỳ %s (xem: cchc query \"SELECT DISTINCT period FROM par_scores\")",
			ErrNotFound, unit, publish.PeriodVI(period))
	}
	if err != nil {
		return fmt.Errorf("par_scores: %w", err)
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s (%s) — Chỉ số cải cách hành chính, %s\n", name, code, publish.PeriodVI(period))
	p("Phương pháp %s, phiên bản %s; nhóm so sánh: %s\n", meth, ver, peerVI(pg))
	if prov.Valid && prov.Bool {
		p("Số liệu tạm tính: kỳ chưa chốt, điểm và vị thứ chưa chính thức\n")
	}
	if status == "ranked" {
		p("Điểm đánh giá %s (%s/%s điểm), vị thứ %d/%d, xếp loại %s", num(score.Float64), nf(total), nf(max), rank.Int64, peers.Int64, tierOf(ctx, db, period, code))
		if mean.Valid {
			rel := "trên"
			if score.Float64 < mean.Float64 {
				rel = "dưới"
			} else if score.Float64 == mean.Float64 {
				rel = "bằng"
			}
			p("; %s bình quân nhóm (%s)", rel, num(mean.Float64))
		}
		p(".\n")
	} else {
		p("Chưa đủ dữ liệu, không xếp hạng: %s.\n", note.String)
	}
	p("Tổng điểm = thẩm định %s + điều tra xã hội học %s + thưởng %s − trừ %s; tự đánh giá %s.\n",
		nf(appr), nf(survey), nf(bonus), nf(pen), nf(self))

	nodes, err := loadNodes(ctx, db, period, code, pg)
	if err != nil {
		return err
	}
	p("\nĐiểm từng lĩnh vực:\n")
	for _, n := range nodes {
		if n.depth != 1 {
			continue
		}
		line := fmt.Sprintf("  %s. %s: %s/%s", n.code, n.name, nf(n.appraised), nf(n.max))
		switch {
		case !n.applicable:
			line += " (không áp dụng)"
		case n.treeMax.Valid && n.max.Valid && n.max.Float64 < n.treeMax.Float64:
			line += fmt.Sprintf(" (tối đa %s, bỏ phần không áp dụng)", num(n.treeMax.Float64))
		}
		if n.source == "survey" {
			line += " — điều tra xã hội học"
		}
		p("%s\n", line)
	}

	var leaves []node
	for _, n := range nodes {
		if n.applicable && n.max.Valid && n.appraised.Valid && n.max.Float64-n.appraised.Float64 > 1e-9 && isScored(n, nodes) {
			leaves = append(leaves, n)
		}
	}
	sort.SliceStable(leaves, func(i, j int) bool {
		li, lj := leaves[i].max.Float64-leaves[i].appraised.Float64, leaves[j].max.Float64-leaves[j].appraised.Float64
		if li != lj {
			return li > lj
		}
		return leaves[i].seq < leaves[j].seq
	})
	if len(leaves) > 0 {
		p("\nTiêu chí bị mất nhiều điểm nhất:\n")
		for i, n := range leaves {
			if i == opts.Top {
				break
			}
			p("  %s %s: %s/%s (mất %s)", n.code, n.name, num(n.appraised.Float64), num(n.max.Float64), num(n.max.Float64-n.appraised.Float64))
			if n.note.Valid && n.note.String != "" {
				p(" — %s", n.note.String)
			}
			p("\n")
		}
	}
	var diffs []node
	for _, n := range nodes {
		if n.self.Valid && n.appraised.Valid && math.Abs(n.self.Float64-n.appraised.Float64) > 1e-9 && isScored(n, nodes) && n.source != "survey" {
			diffs = append(diffs, n)
		}
	}
	if len(diffs) > 0 {
		p("\nĐiểm thẩm định khác điểm tự đánh giá:\n")
		for _, n := range diffs {
			p("  %s %s: tự đánh giá %s, thẩm định %s (%s)\n", n.code, n.name, num(n.self.Float64), num(n.appraised.Float64),
				signed(n.appraised.Float64-n.self.Float64, opts.Decimals))
		}
	}
	var na []string
	for _, n := range nodes {
		if !n.applicable && (n.depth == 1 || parentApplicable(n, nodes)) {
			na = append(na, n.code+" "+n.name)
		}
	}
	if len(na) > 0 {
		p("\nKhông áp dụng (không tính vào điểm tối đa): %s\n", strings.Join(na, "; "))
	}

	// Survey and adjustments.
	var sp, sr sql.NullFloat64
	if err := db.QueryRowContext(ctx, `SELECT any_value(points), any_value(rate) FROM par_survey_results WHERE period = ? AND unit_code = ?`, period, code).Scan(&sp, &sr); err != nil {
		return fmt.Errorf("par_survey_results: %w", err)
	}
	p("\nĐiều tra xã hội học: ")
	switch {
	case sp.Valid:
		p("%s điểm\n", num(sp.Float64))
	case sr.Valid:
		p("tỷ lệ hài lòng %s%% → %s điểm\n", publish.FormatFixed(sr.Float64*100, 2), nf(survey))
	default:
		p("chưa có kết quả\n")
	}
	rows, err := db.QueryContext(ctx, `SELECT reason, points FROM par_adjustment_rows WHERE period = ? AND unit_code = ? ORDER BY points DESC, reason`, period, code)
	if err != nil {
		return fmt.Errorf("par_adjustment_rows: %w", err)
	}
	var adj []string
	raw := 0.0
	for rows.Next() {
		var reason string
		var pts float64
		if err := rows.Scan(&reason, &pts); err != nil {
			rows.Close()
			return err
		}
		raw += pts
		adj = append(adj, fmt.Sprintf("  %s điểm: %s", signed(pts, opts.Decimals), reason))
	}
	rows.Close()
	if len(adj) == 0 {
		p("Điểm thưởng, điểm trừ: không có\n")
	} else {
		p("Điểm thưởng, điểm trừ:\n%s\n", strings.Join(adj, "\n"))
		if bonus.Valid && pen.Valid && math.Abs(bonus.Float64-pen.Float64-raw) > 1e-9 {
			p("  (theo mức trần của phương pháp: thưởng %s, trừ %s)\n", num(bonus.Float64), num(pen.Float64))
		}
	}

	// Movement.
	prevName := previousName(period)
	p("\nSo với kỳ trước (%s): ", publish.PeriodVI(prevName))
	switch {
	case !prevRank.Valid:
		p("không có vị thứ kỳ trước để so sánh\n")
	default:
		p("vị thứ %d", prevRank.Int64)
		if rank.Valid {
			p(" → %d (%s)", rank.Int64, publish.FormatRankChange(int(rchg.Int64)))
		}
		if chg.Valid {
			p(", điểm %s → %s (%s điểm)", num(prevScore.Float64), num(score.Float64), signed(chg.Float64, opts.Decimals))
		} else if prevScore.Valid {
			p(", điểm kỳ trước %s (khác phiên bản phương pháp, không so sánh điểm)", num(prevScore.Float64))
		}
		p("\n")
		if err := explainRestated(ctx, db, p, period, prevName, code, name, pg); err != nil {
			return err
		}
	}
	prevNodes, err := loadNodes(ctx, db, prevName, code, pg)
	if err != nil {
		return err
	}
	type delta struct {
		n    node
		from float64
		d    float64
	}
	var ds []delta
	old := map[string]node{}
	for _, n := range prevNodes {
		old[n.code] = n
	}
	for _, n := range nodes {
		o, ok := old[n.code]
		if !ok || !isScored(n, nodes) || !n.appraised.Valid || !o.appraised.Valid {
			continue
		}
		if d := n.appraised.Float64 - o.appraised.Float64; math.Abs(d) > 1e-9 {
			ds = append(ds, delta{n, o.appraised.Float64, d})
		}
	}
	sort.SliceStable(ds, func(i, j int) bool { return math.Abs(ds[i].d) > math.Abs(ds[j].d) })
	if len(ds) > 0 {
		p("Tiêu chí thay đổi nhiều nhất so với kỳ trước:\n")
		for i, d := range ds {
			if i == opts.Top {
				break
			}
			p("  %s %s: %s → %s (%s)\n", d.n.code, d.n.name, num(d.from), num(d.n.appraised.Float64), signed(d.d, opts.Decimals))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// explainRestated says whose scores the previous period's figure is,
// when units merged into this one since (docs/contract.md, "Unit
// history"): the model compares with the mean of the previous scores of
// the ranked units of the peer group that now stand as it.
func explainRestated(ctx context.Context, db *sql.DB, p func(string, ...any), period, prev, code, name, pg string) error {
	rows, err := db.QueryContext(ctx, `SELECT coalesce(u.name, s.unit_code) FROM par_scores s
		JOIN unit_attribution a ON a.period = $1 AND a.unit_code = s.unit_code AND a.standing_unit_code = $3
		LEFT JOIN (SELECT unit_code, arg_max(name, coalesce(valid_from, DATE '1900-01-01')) AS name FROM units GROUP BY unit_code) u ON u.unit_code = s.unit_code
		WHERE s.period = $2 AND s.status = 'ranked' AND s.peer_group = $4
		ORDER BY s.unit_code = $3 DESC, s.unit_code`, period, prev, code, pg)
	if err != nil {
		return fmt.Errorf("unit_attribution query: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return fmt.Errorf("unit_attribution query: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unit_attribution query: %w", err)
	}
	if len(names) > 1 || (len(names) == 1 && names[0] != name) {
		p("  (kỳ trước tính lại trên đơn vị hiện nay: bình quân điểm của %s)\n", strings.Join(names, ", "))
	}
	return nil
}

func tierOf(ctx context.Context, db *sql.DB, period, unit string) string {
	var t sql.NullString
	_ = db.QueryRowContext(ctx, `SELECT tier FROM par_scores WHERE period = ? AND unit_code = ?`, period, unit).Scan(&t)
	return t.String
}

// loadNodes reads the unit's criterion scores of the period with the tree.
func loadNodes(ctx context.Context, db *sql.DB, period, unit, pg string) ([]node, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.code, c.name, c.source, c.depth, c.seq, cs.max_points, cs.self_points, cs.appraised_points,
		c.max_points, cs.applicable, cs.note
		FROM par_criterion_scores cs
		JOIN par_criteria c ON c.period = cs.period AND c.peer_group = ? AND c.code = cs.code
		WHERE cs.period = ? AND cs.unit_code = ? ORDER BY c.seq, c.code`, pg, period, unit)
	if err != nil {
		return nil, fmt.Errorf("par_criterion_scores: %w", err)
	}
	defer rows.Close()
	var out []node
	for rows.Next() {
		var n node
		if err := rows.Scan(&n.code, &n.name, &n.source, &n.depth, &n.seq, &n.max, &n.self, &n.appraised, &n.treeMax, &n.applicable, &n.note); err != nil {
			return nil, fmt.Errorf("par_criterion_scores: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// isScored reports whether n is scored itself: no node below it.
func isScored(n node, all []node) bool {
	if n.source == "survey" && n.depth > 1 {
		return false
	}
	if n.source == "survey" {
		return true
	}
	for _, m := range all {
		if strings.HasPrefix(m.code, n.code+".") && m.source == n.source {
			return false
		}
	}
	return true
}

// parentApplicable reports whether n's parent is applicable (so n is where
// "Không áp dụng" was written).
func parentApplicable(n node, all []node) bool {
	i := strings.LastIndexByte(n.code, '.')
	if i < 0 {
		return true
	}
	for _, m := range all {
		if m.code == n.code[:i] {
			return m.applicable
		}
	}
	return true
}

func signed(x float64, decimals int) string {
	s := publish.FormatFixed(x, decimals)
	if publish.RoundN(x, decimals) > 0 {
		return "+" + s
	}
	return s
}

// previousName is the previous period of the same kind ("" when the
// name does not parse).
func previousName(period string) string {
	p, err := periods.Parse(period, periods.Calendar)
	if err != nil {
		return ""
	}
	return p.Previous
}

func peerVI(code string) string {
	switch code {
	case "department":
		return "cấp sở"
	case "district":
		return "cấp huyện"
	case "commune":
		return "cấp xã"
	}
	return code
}
