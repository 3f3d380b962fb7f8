package explain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cchc/cchc/publish"
)

// Service writes the explanation of unit's service-index score in period:
// each group against its maximum, the indicators that lost most points
// (rate against threshold), those without data, and the movement.
func Service(ctx context.Context, db *sql.DB, w io.Writer, unit, period string, opts Options) error {
	if opts.Top <= 0 {
		opts.Top = 5
	}
	num := func(v float64) string { return publish.FormatFixed(v, opts.Decimals) }
	var (
		code, name, pg, meth, ver string
		tier                      sql.NullString
		total, chg, prevScore     sql.NullFloat64
		rank, peers, prevRank, rc sql.NullInt64
		prov                      sql.NullBool
	)
	err := db.QueryRowContext(ctx, `SELECT s.unit_code, coalesce(u.name, s.unit_code), s.peer_group, s.methodology, s.methodology_version,
		s.tier, s.total_score, s.score_change, s.previous_score, s.rank, s.peer_count, s.previous_rank, s.rank_change, s.provisional
		FROM index_scores s
		LEFT JOIN (SELECT unit_code, arg_max(name, coalesce(valid_from, DATE '1900-01-01')) AS name FROM units GROUP BY unit_code) u USING (unit_code)
		WHERE s.period = $1 AND (s.unit_code = $2 OR lower(u.name) = lower($2))
		ORDER BY s.unit_code = $2 DESC LIMIT 1`, period, unit).Scan(&code, &name, &pg, &meth, &ver, &tier, &total, &chg, &prevScore,
		&rank, &peers, &prevRank, &rc, &prov)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: đơn vị %s không có điểm chỉ số phục vụ %s", ErrNotFound, unit, strings.ToLower(publish.PeriodVI(period)))
	}
	if err != nil {
		return fmt.Errorf("index_scores: %w", err)
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s (%s) — Chỉ số phục vụ người dân, doanh nghiệp %s\n", name, code, strings.ToLower(publish.PeriodVI(period)))
	p("Phương pháp %s, phiên bản %s; nhóm so sánh: %s\n", meth, ver, peerVI(pg))
	if prov.Valid && prov.Bool {
		p("Số liệu tạm tính: kỳ chưa chốt, điểm và thứ hạng chưa chính thức\n")
	}
	if !total.Valid {
		p("Không có dữ liệu hồ sơ trong kỳ: không xếp hạng.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	p("Tổng điểm %s/100, hạng %d/%d, xếp loại %s.\n", num(total.Float64), rank.Int64, peers.Int64, tier.String)

	rows, err := db.QueryContext(ctx, `SELECT g.group_code, g.name_vi, g.max_points, iv.indicator_code, iv.rate, iv.threshold, iv.points, iv.max_points
		FROM indicator_values iv
		JOIN index_groups g USING (methodology, methodology_version, group_code)
		WHERE iv.methodology = ? AND iv.methodology_version = ? AND iv.period = ? AND iv.unit_code = ?
		ORDER BY g.position, iv.indicator_code`, meth, ver, period, code)
	if err != nil {
		return fmt.Errorf("indicator_values: %w", err)
	}
	type ind struct {
		group, code          string
		rate, threshold, pts sql.NullFloat64
		max                  float64
	}
	var inds []ind
	type grp struct {
		code, name string
		max, pts   float64
		na         bool
	}
	var groups []*grp
	for rows.Next() {
		var g grp
		var in ind
		if err := rows.Scan(&g.code, &g.name, &g.max, &in.code, &in.rate, &in.threshold, &in.pts, &in.max); err != nil {
			rows.Close()
			return fmt.Errorf("indicator_values: %w", err)
		}
		in.group = g.code
		if len(groups) == 0 || groups[len(groups)-1].code != g.code {
			groups = append(groups, &g)
		}
		cur := groups[len(groups)-1]
		if in.pts.Valid {
			cur.pts += in.pts.Float64
		} else {
			cur.na = true
		}
		inds = append(inds, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("indicator_values: %w", err)
	}
	p("\nĐiểm từng nhóm chỉ số (theo dữ liệu hồ sơ):\n")
	for _, g := range groups {
		line := fmt.Sprintf("  %s %s: %s/%s", g.code, g.name, num(g.pts), num(g.max))
		if g.na {
			line += " (có chỉ số không có dữ liệu; nhóm được quy đổi)"
		}
		p("%s\n", line)
	}
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
		p("  %s (%s): tỷ lệ %s%%, ngưỡng %s%% → %s/%s điểm (mất %s)\n", in.code, in.group,
			publish.FormatFixed(in.rate.Float64*100, 2), publish.FormatFixed(in.threshold.Float64*100, 2),
			num(in.pts.Float64), num(in.max), num(in.max-in.pts.Float64))
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
	p("\nSo với kỳ trước (%s): ", strings.ToLower(publish.PeriodVI(previousName(period))))
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
