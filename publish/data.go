package publish

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	cchcsql "github.com/cchc/cchc/sql"
)

// periodInfo is one row of periods.
type periodInfo struct {
	Period, Kind, Convention string
	Start, End               time.Time // naive local time; End is exclusive
	Previous                 string
	// Provisional: the period has not ended, or ended less than
	// publish.grace ago; every publication of it says so in its title.
	Provisional bool
}

// provisionalTitle is what every publication of a provisional period says
// in its title (docs/contract.md, "Provisional periods and freshness").
const provisionalTitle = "Số liệu tạm tính"

// provisionalHeader is the page header of every printed sheet of a
// provisional period (setPrintA4).
const provisionalHeader = "SỐ LIỆU TẠM TÍNH — chưa chính thức, có thể thay đổi"

// provisionalNote explains provisionalTitle in one line.
func (p periodInfo) provisionalNote() string {
	return provisionalTitle + ": " + PeriodVI(p.Period) + " chưa kết thúc hoặc chưa hết thời hạn gửi bổ sung; điểm và thứ hạng chưa chính thức, có thể thay đổi"
}

// titled prefixes a publication title with provisionalTitle when the
// period is provisional.
func (p periodInfo) titled(title string) string {
	if p.Provisional {
		return provisionalTitle + " — " + title
	}
	return title
}

// lastDay is the last day inside the period (end_at is exclusive).
func (p periodInfo) lastDay() time.Time { return p.End.AddDate(0, 0, -1) }

// dates renders the period as the official forms do.
func (p periodInfo) dates() string {
	return "Từ ngày " + formatDate(p.Start) + " đến ngày " + formatDate(p.lastDay())
}

// group is an indicator group of a methodology (index_groups), or a group
// found only in index_scores.group_scores (name = code, no maximum).
type group struct {
	Code, NameVI, NameEN string
	Max                  float64
}

// header is the column title "<name_vi> (<max>)".
func (g group) header() string {
	if g.Max == 0 {
		return g.NameVI
	}
	return g.NameVI + " (" + formatMax(g.Max) + ")"
}

// indicator is one indicator of a methodology (indicator_values).
type indicator struct {
	Group, Code    string
	Threshold, Max float64
}

// ranking is the ranking of one methodology and peer group in the period.
type ranking struct {
	Methodology, Version, PeerGroup string
	Stem                            string // file name without extension
	Title                           string // the methodology's Vietnamese name (methodologies), else its code
	Groups                          []group
	Indicators                      []indicator
	Rows                            []rankRow
}

// rankRow is one unit of a ranking; pointers are NULLs.
type rankRow struct {
	UnitCode, UnitName string
	Rank, PeerCount    *int
	Scores             []*float64 // aligned with ranking.Groups
	Total              *float64
	Tier               string
	PrevRank, PrevPeer *int
	RankChange         *int
	ScoreChange        *float64
	DataUntil          *time.Time
	Stale              bool
	NA                 []string
	Merged             []string // the period's mergers into this unit
	rawScores          map[string]*float64
}

// noData is the remark of a unit listed without a score, and of an
// indicator whose inputs were all unknown (docs/contract.md, "Unknown is not
// false").
const noData = "không có dữ liệu"

// notes are the row's remarks: no data (unranked) or N/A indicators, then
// stale data.
func (r rankRow) notes() []string {
	var n []string
	switch {
	case r.Total == nil:
		n = append(n, "Không có dữ liệu (không xếp hạng)")
	case len(r.NA) > 0:
		n = append(n, "Không có dữ liệu: "+strings.Join(r.NA, ", ")+" (không trừ điểm, nhóm được quy đổi)")
	}
	if r.Stale {
		if r.DataUntil != nil {
			n = append(n, "dữ liệu đến ngày "+formatDate(*r.DataUntil))
		} else if r.Total != nil {
			n = append(n, "chưa có dữ liệu")
		}
	}
	return append(n, r.Merged...)
}

// staleNote is the stale-data remark of a row, "" when it has none.
func (r rankRow) staleNote() string {
	if !r.Stale {
		return ""
	}
	if r.DataUntil != nil {
		return "dữ liệu đến ngày " + formatDate(*r.DataUntil)
	}
	return "chưa có dữ liệu"
}

// lastRun is the latest finished run.
type lastRun struct {
	ID      int64
	Started time.Time
}

// publication is everything one period publishes, read in one go.
type publication struct {
	Period   periodInfo
	Rankings []ranking
	Stats    []statsLevel
	LastRun  *lastRun
	// StaleSources are the sources that delivered no new file for longer
	// than freshness before the last modelled run: "nguồn ... không gửi
	// file mới từ ngày ...".
	StaleSources []string
	// Mergers are the unit mergers that affect the period (loadMergers).
	Mergers []merger
	// PAR are the CCHC-index tables of the period (one per peer group),
	// published with PARDecimals decimals.
	PAR         []parTable
	PARDecimals int
}

// loadStaleSources lists, by name, the sources whose last new file
// (source_status.last_new_file_at) is older than cutoff, as a remark each.
func loadStaleSources(ctx context.Context, db *sql.DB, cutoff time.Time) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT source, last_new_file_at FROM source_status
		WHERE coalesce(last_new_file_at < ?, true) ORDER BY source`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("source_status query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var at sql.NullTime
		if err := rows.Scan(&name, &at); err != nil {
			return nil, fmt.Errorf("source_status query: %w", err)
		}
		if at.Valid {
			out = append(out, "nguồn "+name+": không có file mới từ ngày "+formatDate(at.Time))
		} else {
			out = append(out, "nguồn "+name+": chưa gửi file nào")
		}
	}
	return out, rows.Err()
}

// query returns the embedded publication query name, without a trailing
// semicolon so that it can be wrapped.
func query(name string) (string, error) {
	b, err := fs.ReadFile(cchcsql.Publish, "publish/"+name)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(strings.TrimSpace(string(b)), ";"), nil
}

// loadPeriods reads the periods rows of the periods listed, by period.
func loadPeriods(ctx context.Context, db *sql.DB, periods []string) (map[string][]periodInfo, error) {
	q, err := query("period.sql")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, periodList(periods))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string][]periodInfo{}
	for rows.Next() {
		var p periodInfo
		var prev sql.NullString
		if err := rows.Scan(&p.Period, &p.Kind, &p.Convention, &p.Start, &p.End, &prev, &p.Provisional); err != nil {
			return nil, err
		}
		p.Previous = prev.String
		found[p.Period] = append(found[p.Period], p)
	}
	return found, rows.Err()
}

// pickPeriod is the one periods row of period among those loadPeriods
// read; none or several is an error.
func pickPeriod(found map[string][]periodInfo, period string) (periodInfo, error) {
	switch rows := found[period]; len(rows) {
	case 0:
		return periodInfo{}, fmt.Errorf("kỳ này chưa có trong bảng periods: chưa tính số liệu cho kỳ này, hãy chạy cchc run (period not in the periods table; has the model step run?)")
	case 1:
		return rows[0], nil
	default:
		return periodInfo{}, fmt.Errorf("period has %d rows in the periods table", len(rows))
	}
}

// periodList is the $1 of the publication queries over several periods:
// the periods separated by commas (a period name has none: periodRe).
func periodList(periods []string) string { return strings.Join(periods, ",") }

// methodologyKey is a methodology version.
type methodologyKey struct{ m, v string }

// loadRankingRows reads the ranking rows of the periods listed, by
// period, grouped by methodology and peer group and in rank order, without
// their groups (finishRankings). A period whose rows cannot be published
// (two versions of one methodology, unreadable group scores) has its error
// in failed, so that only that period fails.
func loadRankingRows(ctx context.Context, db *sql.DB, periods []string) (out map[string][]ranking, failed map[string]error, err error) {
	base, err := query("ranking.sql")
	if err != nil {
		return nil, nil, err
	}
	q := `SELECT period, methodology, methodology_version, peer_group, unit_code, unit_name, rank, peer_count,
		group_scores, na_json, total_score, tier, previous_rank, previous_peer_count, rank_change,
		score_change, data_until
		FROM (` + base + `) r ORDER BY period, methodology, peer_group, rank NULLS LAST, unit_code`
	rows, err := db.QueryContext(ctx, q, periodList(periods))
	if err != nil {
		return nil, nil, fmt.Errorf("ranking query: %w", err)
	}
	defer rows.Close()
	out, failed = map[string][]ranking{}, map[string]error{}
	for rows.Next() {
		var (
			period, m, version, pg, scores, na string
			row                                rankRow
			rank, peers, prevRank, prevPeers   sql.NullInt64
			change                             sql.NullInt64
			total, scoreChange                 sql.NullFloat64
			tier                               sql.NullString
			until                              sql.NullTime
		)
		if err := rows.Scan(&period, &m, &version, &pg, &row.UnitCode, &row.UnitName, &rank, &peers,
			&scores, &na, &total, &tier, &prevRank, &prevPeers, &change,
			&scoreChange, &until); err != nil {
			return nil, nil, fmt.Errorf("ranking query: %w", err)
		}
		if failed[period] != nil {
			continue
		}
		row.Rank, row.PeerCount = intPtr(rank), intPtr(peers)
		row.PrevRank, row.PrevPeer, row.RankChange = intPtr(prevRank), intPtr(prevPeers), intPtr(change)
		row.Total, row.ScoreChange = floatPtr(total), floatPtr(scoreChange)
		row.Tier = tier.String
		if until.Valid {
			t := until.Time
			row.DataUntil = &t
		}
		if err := json.Unmarshal([]byte(scores), &row.rawScores); err != nil {
			failed[period] = fmt.Errorf("unit %s: group_scores %q: %w", row.UnitCode, scores, err)
			continue
		}
		if err := json.Unmarshal([]byte(na), &row.NA); err != nil {
			failed[period] = fmt.Errorf("unit %s: na_indicators: %w", row.UnitCode, err)
			continue
		}
		if row.NA == nil {
			row.NA = []string{}
		}
		rs := out[period]
		if n := len(rs); n == 0 || rs[n-1].Methodology != m || rs[n-1].PeerGroup != pg {
			rs = append(rs, ranking{Methodology: m, Version: version, PeerGroup: pg})
		}
		r := &rs[len(rs)-1]
		if r.Version != version {
			failed[period] = fmt.Errorf("phương pháp %s có điểm của hai phiên bản (%s, %s); hãy tính lại số liệu bằng cchc run --full-refresh (methodology has scores of two versions; rerun the model)", m, r.Version, version)
			continue
		}
		r.Rows = append(r.Rows, row)
		out[period] = rs
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("ranking query: %w", err)
	}
	return out, failed, nil
}

// finishRankings makes the rankings of one period from its rows
// (loadRankingRows, left as they are): each row's stale flag (data_until
// before staleBefore, or none; staleBefore is nil when the freshness check
// is off), the groups and indicators of its methodology version, its
// title, the order of the rankings and their file names.
func finishRankings(loaded []ranking, staleBefore *time.Time, groups map[methodologyKey][]group, indicators map[methodologyKey][]indicator, titles map[methodologyKey]string) ([]ranking, error) {
	var cutoff time.Time
	if staleBefore != nil {
		// The cutoff as DuckDB compared it, a TIMESTAMP of microseconds.
		cutoff = time.UnixMicro(staleBefore.UnixMicro())
	}
	out := make([]ranking, len(loaded))
	for i, r := range loaded {
		r.Rows = append([]rankRow(nil), r.Rows...)
		for j := range r.Rows {
			row := &r.Rows[j]
			row.Stale = staleBefore != nil && (row.DataUntil == nil || row.DataUntil.Before(cutoff))
		}
		r.Title = r.Methodology
		if t := titles[methodologyKey{r.Methodology, r.Version}]; t != "" {
			r.Title = t
		}
		out[i] = r
	}
	attachGroups(out, groups, indicators)
	sortRankings(out)
	if err := nameRankings(out); err != nil {
		return nil, err
	}
	return out, nil
}

// loadGroups reads the indicator groups of every methodology version
// (index_groups), in display order.
func loadGroups(ctx context.Context, db *sql.DB) (map[methodologyKey][]group, error) {
	q, err := query("groups.sql")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("groups query: %w", err)
	}
	defer rows.Close()
	groups := map[methodologyKey][]group{}
	for rows.Next() {
		var k methodologyKey
		var g group
		if err := rows.Scan(&k.m, &k.v, &g.Code, &g.NameVI, &g.NameEN, &g.Max); err != nil {
			return nil, fmt.Errorf("groups query: %w", err)
		}
		groups[k] = append(groups[k], g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups query: %w", err)
	}
	return groups, nil
}

// loadIndicators reads the indicators of each methodology version in the
// periods listed (indicator_values), by period.
func loadIndicators(ctx context.Context, db *sql.DB, periods []string) (map[string]map[methodologyKey][]indicator, error) {
	q, err := query("indicators.sql")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, periodList(periods))
	if err != nil {
		return nil, fmt.Errorf("indicators query: %w", err)
	}
	defer rows.Close()
	out := map[string]map[methodologyKey][]indicator{}
	for rows.Next() {
		var period string
		var k methodologyKey
		var in indicator
		if err := rows.Scan(&period, &k.m, &k.v, &in.Group, &in.Code, &in.Threshold, &in.Max); err != nil {
			return nil, fmt.Errorf("indicators query: %w", err)
		}
		if out[period] == nil {
			out[period] = map[methodologyKey][]indicator{}
		}
		out[period][k] = append(out[period][k], in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("indicators query: %w", err)
	}
	return out, nil
}

// loadTitles reads the Vietnamese names of the methodology versions of an
// index kind (methodologies), as methodologyTitle gives them one by one.
func loadTitles(ctx context.Context, db *sql.DB, kind string) (map[methodologyKey]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT methodology, methodology_version, any_value(title_vi) FROM methodologies
		WHERE index_kind = ? GROUP BY methodology, methodology_version`, kind)
	if err != nil {
		return nil, fmt.Errorf("methodologies query: %w", err)
	}
	defer rows.Close()
	out := map[methodologyKey]string{}
	for rows.Next() {
		var k methodologyKey
		var t sql.NullString
		if err := rows.Scan(&k.m, &k.v, &t); err != nil {
			return nil, fmt.Errorf("methodologies query: %w", err)
		}
		out[k] = t.String
	}
	return out, rows.Err()
}

// attachGroups gives each ranking its groups (those of its methodology
// version, in position order, then any code found only in group_scores,
// by code) and indicators, and lays every row's scores out in that order.
func attachGroups(rs []ranking, groups map[methodologyKey][]group, indicators map[methodologyKey][]indicator) {
	for i := range rs {
		r := &rs[i]
		k := methodologyKey{r.Methodology, r.Version}
		r.Groups = append([]group(nil), groups[k]...)
		known := map[string]int{} // group code → column
		for j, g := range r.Groups {
			known[g.Code] = j
		}
		extra := map[string]bool{}
		for _, row := range r.Rows {
			for code := range row.rawScores {
				if _, ok := known[code]; !ok {
					extra[code] = true
				}
			}
		}
		codes := make([]string, 0, len(extra))
		for code := range extra {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			known[code] = len(r.Groups)
			r.Groups = append(r.Groups, group{Code: code, NameVI: code, NameEN: code})
		}
		for j := range r.Rows {
			row := &r.Rows[j]
			row.Scores = make([]*float64, len(r.Groups))
			for code, v := range row.rawScores {
				row.Scores[known[code]] = v
			}
			row.rawScores = nil
		}
		// Indicators in group display order (unknown groups last), then by code.
		pos := func(g string) int {
			if j, ok := known[g]; ok {
				return j
			}
			return len(r.Groups)
		}
		ins := append([]indicator(nil), indicators[k]...)
		sort.SliceStable(ins, func(a, b int) bool {
			if pa, pb := pos(ins[a].Group), pos(ins[b].Group); pa != pb {
				return pa < pb
			}
			if ins[a].Group != ins[b].Group {
				return ins[a].Group < ins[b].Group
			}
			return ins[a].Code < ins[b].Code
		})
		r.Indicators = ins
	}
}

// peerOrder lists the usual peer groups first, in the order of the
// administration (departments, districts, communes).
var peerOrder = map[string]int{"department": 0, "district": 1, "commune": 2}

// peerLabel is a peer group's (or unit level's) Vietnamese name.
func peerLabel(code string) string {
	switch code {
	case "department":
		return "Cấp sở"
	case "district":
		return "Cấp huyện"
	case "commune":
		return "Cấp xã"
	case "":
		return "Chưa phân cấp"
	}
	return code
}

// lessPeer orders peer groups or levels: known ones first, then by code.
func lessPeer(a, b string) bool {
	oa, ka := peerOrder[a]
	ob, kb := peerOrder[b]
	switch {
	case ka && kb:
		return oa < ob
	case ka != kb:
		return ka
	}
	return a < b
}

// sortRankings orders the default methodology first, then by name, and
// within one the peer groups by level.
func sortRankings(rs []ranking) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Methodology != b.Methodology {
			if (a.Methodology == "default") != (b.Methodology == "default") {
				return a.Methodology == "default"
			}
			return a.Methodology < b.Methodology
		}
		return lessPeer(a.PeerGroup, b.PeerGroup)
	})
}

// nameRankings sets each ranking's file stem: ranking-<peer_group>, or
// ranking-<methodology>-<peer_group> for methodologies other than
// "default" when the period has several.
func nameRankings(rs []ranking) error {
	methods := map[string]bool{}
	for _, r := range rs {
		methods[r.Methodology] = true
	}
	seen := map[string]string{}
	for i := range rs {
		r := &rs[i]
		r.Stem = "ranking-" + fileSafe(r.PeerGroup)
		if len(methods) > 1 && r.Methodology != "default" {
			r.Stem = "ranking-" + fileSafe(r.Methodology) + "-" + fileSafe(r.PeerGroup)
		}
		id := r.Methodology + "/" + r.PeerGroup
		if other, dup := seen[r.Stem]; dup {
			return fmt.Errorf("bảng xếp hạng %s và %s sẽ cùng ghi vào tệp %s; đổi tên phương pháp hoặc nhóm so sánh cho khác nhau (rankings would both be written as one file)", other, id, r.Stem)
		}
		seen[r.Stem] = id
	}
	return nil
}

// fileSafe keeps a name usable in a file name on every system: letters,
// digits, "-", "_" and "."; anything else becomes "_".
func fileSafe(s string) string {
	s = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			return c
		}
		return '_'
	}, s)
	if s = strings.Trim(s, "."); s == "" {
		return "_"
	}
	return s
}

// loadLastRun reads the latest finished run, nil when there is none.
func loadLastRun(ctx context.Context, db *sql.DB) (*lastRun, error) {
	q, err := query("latest_run.sql")
	if err != nil {
		return nil, err
	}
	var r lastRun
	switch err := db.QueryRowContext(ctx, q).Scan(&r.ID, &r.Started); {
	case err == sql.ErrNoRows:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("runs query: %w", err)
	}
	return &r, nil
}

func intPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	i := int(v.Int64)
	return &i
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}
