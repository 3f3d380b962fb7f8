package explain

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cchc/cchc/publish"
)

// Service writes the explanation of unit's service-index score in period:
// each group's published score (index_scores.group_scores, the figure the
// ranking gives; "không có dữ liệu" for a group without one, never 0)
// against its maximum, how a group with N/A indicators is rescaled and how
// the total follows from the group scores (docs/methodology.md), the
// indicators that lost most points (rate against threshold), those without
// data, and the movement. Period names read as publish.PeriodVI writes them.
func Service(ctx context.Context, db *sql.DB, w io.Writer, unit, period string, opts Options) error {
	if opts.Top <= 0 {
		opts.Top = 5
	}
	num := func(v float64) string { return publish.FormatFixed(v, opts.Decimals) }
	var (
		code, name, pg, meth, ver string
		scoresJSON                string
		tier                      sql.NullString
		total, chg, prevScore     sql.NullFloat64
		rank, peers, prevRank, rc sql.NullInt64
		prov                      sql.NullBool
	)
	err := db.QueryRowContext(ctx, `SELECT s.unit_code, coalesce(u.name, s.unit_code), s.peer_group, s.methodology, s.methodology_version,
		s.tier, CAST(s.group_scores AS VARCHAR), s.total_score, s.score_change, s.previous_score, s.rank, s.peer_count, s.previous_rank, s.rank_change, s.provisional
		FROM index_scores s
		LEFT JOIN (SELECT unit_code, arg_max(name, coalesce(valid_from, DATE '1900-01-01')) AS name FROM units GROUP BY unit_code) u USING (unit_code)
		WHERE s.period = $1 AND (s.unit_code = $2 OR lower(u.name) = lower($2))
		ORDER BY s.unit_code = $2 DESC LIMIT 1`, period, unit).Scan(&code, &name, &pg, &meth, &ver, &tier, &scoresJSON, &total, &chg, &prevScore,
		&rank, &peers, &prevRank, &rc, &prov)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: đơn vị %s không có điểm Chỉ số phục vụ người dân, doanh nghiệp kỳ %s", ErrNotFound, unit, publish.PeriodVI(period))
	}
	if err != nil {
		return fmt.Errorf("index_scores: %w", err)
	}
	var published map[string]*float64 // index_scores.group_scores: group code → score, null when N/A
	if err := json.Unmarshal([]byte(scoresJSON), &published); err != nil {
		return fmt.Errorf("index_scores.group_scores of %s %s: %q: %w", code, period, scoresJSON, err)
	}
	groups, err := loadGroups(ctx, db, meth, ver, published)
	if err != nil {
		return err
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s (%s) — Chỉ số phục vụ người dân, doanh nghiệp, %s\n", name, code, publish.PeriodVI(period))
	p("Phương pháp %s, phiên bản %s; nhóm so sánh: %s\n", meth, ver, peerVI(pg))
	if prov.Valid && prov.Bool {
		p("Số liệu tạm tính: kỳ chưa chốt, điểm và thứ hạng chưa chính thức\n")
	}
	if !total.Valid {
		p("Không có dữ liệu hồ sơ trong kỳ: không xếp hạng.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	p("Tổng điểm %s/%s, hạng %d/%d, xếp loại %s.\n", num(total.Float64), formatMax(maxTotal(groups)), rank.Int64, peers.Int64, tier.String)

	byCode := map[string]*group{}
	for _, g := range groups {
		byCode[g.code] = g
	}
	rows, err := db.QueryContext(ctx, `SELECT iv.group_code, iv.indicator_code, iv.rate, iv.threshold, iv.points, iv.max_points
		FROM indicator_values iv
		LEFT JOIN index_groups g USING (methodology, methodology_version, group_code)
		WHERE iv.methodology = ? AND iv.methodology_version = ? AND iv.period = ? AND iv.unit_code = ?
		ORDER BY g.position NULLS LAST, iv.group_code, iv.indicator_code`, meth, ver, period, code)
	if err != nil {
		return fmt.Errorf("indicator_values: %w", err)
	}
	type ind struct {
		group, code          string
		rate, threshold, pts sql.NullFloat64
		max                  float64
	}
	var inds []ind
	for rows.Next() {
		var in ind
		if err := rows.Scan(&in.group, &in.code, &in.rate, &in.threshold, &in.pts, &in.max); err != nil {
			rows.Close()
			return fmt.Errorf("indicator_values: %w", err)
		}
		if g := byCode[in.group]; g != nil {
			if in.pts.Valid {
				g.pts += in.pts.Float64
				g.avail += in.max
			} else {
				g.na = append(g.na, in.code)
			}
		}
		inds = append(inds, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("indicator_values: %w", err)
	}
	writeGroups(p, groups, total.Float64, num)
	sort.SliceStable(inds, func(i, j int) bool {
		li := inds[i].max - inds[i].pts.Float64
		lj := inds[j].max - inds[j].pts.Float64
		if !inds[i].pts.Valid {
			li = -1
		}
		if !inds[j].pts.Valid {
			lj = -1
		}
		return li > lj
	})
	p("\nChỉ số bị mất nhiều điểm nhất:\n")
	shown := 0
	for _, in := range inds {
		if !in.pts.Valid || in.max-in.pts.Float64 <= 1e-9 || shown == opts.Top {
			continue
		}
		shown++
		p("  %s (%s): tỷ lệ %s%%, ngưỡng %s%% → %s/%s điểm (mất %s%s)\n", in.code, in.group,
			publish.FormatFixed(in.rate.Float64*100, 2), publish.FormatFixed(in.threshold.Float64*100, 2),
			num(in.pts.Float64), num(in.max), num(in.max-in.pts.Float64), byCode[in.group].scaleNote())
	}
	if shown == 0 {
		p("  không có\n")
	}
	var na []string
	for _, in := range inds {
		if !in.pts.Valid {
			na = append(na, in.code)
		}
	}
	if len(na) > 0 {
		sort.Strings(na)
		p("Không có dữ liệu (không trừ điểm): %s\n", strings.Join(na, ", "))
	}
	p("\nSo với kỳ trước (%s): ", publish.PeriodVI(previousName(period)))
	if !prevRank.Valid {
		p("không có hạng kỳ trước để so sánh\n")
	} else {
		p("hạng %d → %d (%s)", prevRank.Int64, rank.Int64, publish.FormatRankChange(int(rc.Int64)))
		if chg.Valid {
			p(", điểm %s → %s (%s điểm)", num(prevScore.Float64), num(total.Float64), signed(chg.Float64, opts.Decimals))
		}
		p("\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// group is an indicator group of the unit's methodology version: its
// published score (index_scores.group_scores, nil when N/A: all its
// indicators are) and, from indicator_values, the points of its indicators
// with data, the sum of their maxima (avail) and the codes of those without.
type group struct {
	code, name string
	max        float64 // 0 for a code found only in group_scores
	score      *float64
	pts, avail float64
	na         []string
}

// rescaled reports whether the group's score is its indicators' points
// scaled up to its maximum (docs/methodology.md: some indicators N/A).
func (g *group) rescaled() bool {
	return g != nil && g.score != nil && len(g.na) > 0 && g.avail > 0 && g.max > 0
}

// scaleNote is appended to the points an indicator lost: in a rescaled
// group they count for max/avail times as much in the group's score.
func (g *group) scaleNote() string {
	if !g.rescaled() {
		return ""
	}
	return fmt.Sprintf("; nhóm %s quy đổi × %s/%s", g.code, formatMax(g.max), formatMax(g.avail))
}

// loadGroups lists the groups of methodology meth version ver in position
// order, then any code found only in published (as the publications do),
// each with its published score.
func loadGroups(ctx context.Context, db *sql.DB, meth, ver string, published map[string]*float64) ([]*group, error) {
	rows, err := db.QueryContext(ctx, `SELECT group_code, name_vi, max_points FROM index_groups
		WHERE methodology = ? AND methodology_version = ? ORDER BY position, group_code`, meth, ver)
	if err != nil {
		return nil, fmt.Errorf("index_groups: %w", err)
	}
	defer rows.Close()
	var out []*group
	known := map[string]bool{}
	for rows.Next() {
		g := &group{}
		if err := rows.Scan(&g.code, &g.name, &g.max); err != nil {
			return nil, fmt.Errorf("index_groups: %w", err)
		}
		g.score = published[g.code]
		known[g.code] = true
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index_groups: %w", err)
	}
	var extra []string
	for c := range published {
		if !known[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(extra)
	for _, c := range extra {
		out = append(out, &group{code: c, name: c, score: published[c]})
	}
	return out, nil
}

// maxTotal is the sum of the group maxima: the methodology's maximum
// total (100 for the default).
func maxTotal(groups []*group) float64 {
	t := 0.0
	for _, g := range groups {
		t += g.max
	}
	return t
}

// writeGroups writes each group's published score against its maximum,
// how a rescaled group's score follows from its indicators' points, "không
// có dữ liệu" for a group without a score (unknown is never zero), and how
// the total follows from the group scores: their sum, scaled up to the
// maximum total over the groups with a score (docs/methodology.md).
func writeGroups(p func(string, ...any), groups []*group, total float64, num func(float64) string) {
	p("\nĐiểm từng nhóm chỉ số (như bảng xếp hạng):\n")
	var sum, scoredMax float64
	var naGroups []string
	for _, g := range groups {
		line := "  " + g.code + " " + g.name + ": "
		switch {
		case g.score == nil:
			naGroups = append(naGroups, g.code)
			line += "không có dữ liệu ("
			if len(g.na) > 0 {
				line += strings.Join(g.na, ", ") + " không có dữ liệu; "
			}
			line += "không trừ điểm, không tính vào tổng điểm)"
		case g.max == 0:
			sum += *g.score
			line += num(*g.score)
		default:
			sum += *g.score
			scoredMax += g.max
			line += num(*g.score) + "/" + num(g.max)
			if g.rescaled() {
				// group_score = points of the indicators with data / their maxima × group max
				line += fmt.Sprintf(" (quy đổi từ %s/%s điểm của các chỉ số có dữ liệu: %s × %s/%s; %s không có dữ liệu, không trừ điểm)",
					num(g.pts), num(g.avail), num(g.pts), formatMax(g.max), formatMax(g.avail), strings.Join(g.na, ", "))
			}
		}
		p("%s\n", line)
	}
	all := maxTotal(groups)
	if len(naGroups) > 0 && scoredMax > 0 {
		// total_score = sum of group scores × max total / sum of the maxima of the scored groups
		p("Tổng điểm quy đổi: các nhóm có dữ liệu đạt %s/%s điểm → %s × %s/%s = %s/%s (nhóm không có dữ liệu: %s)\n",
			num(sum), formatMax(scoredMax), num(sum), formatMax(all), formatMax(scoredMax), num(total), formatMax(all),
			strings.Join(naGroups, ", "))
	} else {
		p("Tổng điểm các nhóm: %s/%s\n", num(total), formatMax(all))
	}
}

// formatMax writes a maximum as the publications' column titles do: an
// integer without decimals ("22"), else with a decimal comma.
func formatMax(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatInt(int64(x), 10)
	}
	return publish.FormatScore(x)
}
