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

// loadPeriod reads the periods row; a period that is not there is an error.
func loadPeriod(ctx context.Context, db *sql.DB, period string) (periodInfo, error) {
	q, err := query("period.sql")
	if err != nil {
		return periodInfo{}, err
	}
	rows, err := db.QueryContext(ctx, q, period)
	if err != nil {
		return periodInfo{}, err
	}
	defer rows.Close()
	var found []periodInfo
	for rows.Next() {
		var p periodInfo
		var prev sql.NullString
		if err := rows.Scan(&p.Period, &p.Kind, &p.Convention, &p.Start, &p.End, &prev, &p.Provisional); err != nil {
			return periodInfo{}, err
		}
		p.Previous = prev.String
		found = append(found, p)
	}
	if err := rows.Err(); err != nil {
		return periodInfo{}, err
	}
	switch len(found) {
	case 0:
		return periodInfo{}, fmt.Errorf("period not in the periods table (has the model step run?)")
	case 1:
		return found[0], nil
	default:
		return periodInfo{}, fmt.Errorf("period has %d rows in the periods table", len(found))
	}
}

// loadRankings reads every ranking of the period, with its groups and
// indicators, and names its files. staleBefore is nil when the freshness
// check is off.
func loadRankings(ctx context.Context, db *sql.DB, p periodInfo, staleBefore *time.Time) ([]ranking, error) {
	base, err := query("ranking.sql")
	if err != nil {
		return nil, err
	}
	q := `SELECT methodology, methodology_version, peer_group, unit_code, unit_name, rank, peer_count,
		group_scores, na_json, total_score, tier, previous_rank, previous_peer_count, rank_change,
		score_change, data_until, stale
		FROM (` + base + `) r ORDER BY methodology, peer_group, rank NULLS LAST, unit_code`
	var cutoff any
	if staleBefore != nil {
		cutoff = *staleBefore
	}
	rows, err := db.QueryContext(ctx, q, p.Period, cutoff)
	if err != nil {
		return nil, fmt.Errorf("ranking query: %w", err)
	}
	defer rows.Close()
	var out []ranking
	for rows.Next() {
		var (
			m, version, pg, scores, na       string
			row                              rankRow
			rank, peers, prevRank, prevPeers sql.NullInt64
			change                           sql.NullInt64
			total, scoreChange               sql.NullFloat64
			tier                             sql.NullString
			until                            sql.NullTime
		)
		if err := rows.Scan(&m, &version, &pg, &row.UnitCode, &row.UnitName, &rank, &peers,
			&scores, &na, &total, &tier, &prevRank, &prevPeers, &change,
			&scoreChange, &until, &row.Stale); err != nil {
			return nil, fmt.Errorf("ranking query: %w", err)
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
			return nil, fmt.Errorf("unit %s: group_scores %q: %w", row.UnitCode, scores, err)
		}
		if err := json.Unmarshal([]byte(na), &row.NA); err != nil {
			return nil, fmt.Errorf("unit %s: na_indicators: %w", row.UnitCode, err)
		}
		if row.NA == nil {
			row.NA = []string{}
		}
		if n := len(out); n == 0 || out[n-1].Methodology != m || out[n-1].PeerGroup != pg {
			out = append(out, ranking{Methodology: m, Version: version, PeerGroup: pg})
		}
		r := &out[len(out)-1]
		if r.Version != version {
			return nil, fmt.Errorf("methodology %s has scores of two versions (%s, %s); rerun the model", m, r.Version, version)
		}
		r.Rows = append(r.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ranking query: %w", err)
	}
	if err := attachGroups(ctx, db, p.Period, out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Title = methodologyTitle(ctx, db, "service", out[i].Methodology, out[i].Version)
	}
	sortRankings(out)
	if err := nameRankings(out); err != nil {
		return nil, err
	}
	return out, nil
}

// attachGroups gives each ranking its groups (index_groups, in position
// order, then any code found only in group_scores, by code) and indicators,
// and lays every row's scores out in that order.
func attachGroups(ctx context.Context, db *sql.DB, period string, rs []ranking) error {
	type key struct{ m, v string }
	groups := map[key][]group{}
	q, err := query("groups.sql")
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, q, period)
	if err != nil {
		return fmt.Errorf("groups query: %w", err)
	}
	for rows.Next() {
		var k key
		var g group
		if err := rows.Scan(&k.m, &k.v, &g.Code, &g.NameVI, &g.NameEN, &g.Max); err != nil {
			rows.Close()
			return fmt.Errorf("groups query: %w", err)
		}
		groups[k] = append(groups[k], g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("groups query: %w", err)
	}

	indicators := map[key][]indicator{}
	if q, err = query("indicators.sql"); err != nil {
		return err
	}
	if rows, err = db.QueryContext(ctx, q, period); err != nil {
		return fmt.Errorf("indicators query: %w", err)
	}
	for rows.Next() {
		var k key
		var in indicator
		if err := rows.Scan(&k.m, &k.v, &in.Group, &in.Code, &in.Threshold, &in.Max); err != nil {
			rows.Close()
			return fmt.Errorf("indicators query: %w", err)
		}
		indicators[k] = append(indicators[k], in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("indicators query: %w", err)
	}

	for i := range rs {
		r := &rs[i]
		k := key{r.Methodology, r.Version}
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
	return nil
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
			return fmt.Errorf("rankings %s and %s would both be written as %s", other, id, r.Stem)
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
