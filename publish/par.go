package publish

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// The CCHC-index (PAR index) publications of a period: P/par-G.csv, .xlsx,
// .json and .parquet per peer group G, laid out like the official result
// table (TT, Tên đơn vị, Điểm đánh giá, Vị thứ, Xếp loại, each field's
// points, the change since the previous period), ranked units first, then
// the incomplete ones ("chưa đủ dữ liệu"). Numbers are published with
// parDecimals decimals (par.decimals); the warehouse keeps full precision.

// parIndexTitle names the index in titles.
const parIndexTitle = "Chỉ số cải cách hành chính"

// parField is a field (depth-1 criterion) of the tree: a column.
type parField struct {
	Code, Name string
	Max        *float64
}

// header is "I. <name> (<max>)".
func (f parField) header() string {
	h := f.Code + ". " + f.Name
	if f.Max != nil {
		h += " (" + formatMax(*f.Max) + ")"
	}
	return h
}

// parRow is one unit of a PAR table; pointers are NULLs.
type parRow struct {
	UnitCode, UnitName, Status, Tier, Note               string
	Score, Total, Max, Self, Appraised, Survey           *float64
	Bonus, Penalty, ScoreChange, PreviousScore, PeerMean *float64
	Rank, PeerCount, PreviousRank, RankChange            *int
	Fields                                               []*float64 // aligned with parTable.Fields
	Merged                                               []string   // the period's mergers into this unit
}

// parTable is the PAR result of one peer group in the period.
type parTable struct {
	PeerGroup, Methodology, Version string
	MethodologyTitle                string // its Vietnamese name (methodologies.title_vi), else the code
	Provisional                     bool
	Fields                          []parField
	Rows                            []parRow
	Inputs                          []parInput
	Mergers                         []merger // the period's mergers (unit_mergers), every unit's
}

// parInput is an input file of the period (sheet, survey, adjustments).
// File is the file's base name: the folder is where this warehouse's
// operator keeps the exports, which differs between machines and would
// make the same inputs publish different bytes.
type parInput struct {
	Source, File, SHA256 string
}

// inputDigest is the SHA-256 of the sorted input files' SHA-256 lines: one
// value that changes when any input file does.
func (t parTable) inputDigest() string {
	h := sha256.New()
	for _, in := range t.Inputs {
		fmt.Fprintln(h, in.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stem is the file name without extension: par-<peer_group>.
func (t parTable) stem() string { return "par-" + fileSafe(t.PeerGroup) }

// title is "Kết quả Chỉ số cải cách hành chính năm 2025 — Cấp sở".
func (t parTable) title(period string) string {
	s := "Kết quả " + parIndexTitle + " " + lowerFirst(PeriodVI(period)) + " — " + peerLabel(t.PeerGroup)
	if t.Provisional {
		s = provisionalTitle + " — " + s
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// hasPAR reports whether par_scores has rows for the period.
func hasPAR(ctx context.Context, db *sql.DB, period string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM par_scores WHERE period = ?`, period).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("par_scores query: %w", err)
	}
	return n > 0, nil
}

// loadPAR reads the PAR tables of the period, one per peer group (known
// levels first).
func loadPAR(ctx context.Context, db *sql.DB, period string) ([]parTable, error) {
	rows, err := db.QueryContext(ctx, `SELECT s.peer_group, s.methodology, s.methodology_version, coalesce(s.provisional, false),
		s.unit_code, coalesce(u.name, s.unit_code), s.status, coalesce(s.tier, ''), coalesce(s.note, ''),
		s.score, s.total_points, s.max_points, s.self_points, s.appraised_points, s.survey_points, s.bonus_points,
		s.penalty_points, s.score_change, s.previous_score, s.peer_mean, s.rank, s.peer_count, s.previous_rank, s.rank_change
		FROM par_scores s
		LEFT JOIN (SELECT unit_code, arg_max(name, coalesce(valid_from, DATE '1900-01-01')) AS name FROM units GROUP BY unit_code) u USING (unit_code)
		WHERE s.period = ?
		ORDER BY s.peer_group, s.status = 'ranked' DESC, s.rank, s.unit_code`, period)
	if err != nil {
		return nil, fmt.Errorf("par_scores query: %w", err)
	}
	defer rows.Close()
	var out []parTable
	for rows.Next() {
		var pg, m, v string
		var prov bool
		var r parRow
		var score, total, max, self, appr, survey, bonus, pen, chg, prevScore, mean sql.NullFloat64
		var rank, peers, prev, rchg sql.NullInt64
		if err := rows.Scan(&pg, &m, &v, &prov, &r.UnitCode, &r.UnitName, &r.Status, &r.Tier, &r.Note,
			&score, &total, &max, &self, &appr, &survey, &bonus, &pen, &chg, &prevScore, &mean, &rank, &peers, &prev, &rchg); err != nil {
			return nil, fmt.Errorf("par_scores query: %w", err)
		}
		r.Score, r.Total, r.Max, r.Self, r.Appraised, r.Survey = floatPtr(score), floatPtr(total), floatPtr(max), floatPtr(self), floatPtr(appr), floatPtr(survey)
		r.Bonus, r.Penalty, r.ScoreChange, r.PreviousScore, r.PeerMean = floatPtr(bonus), floatPtr(pen), floatPtr(chg), floatPtr(prevScore), floatPtr(mean)
		r.Rank, r.PeerCount, r.PreviousRank, r.RankChange = intPtr(rank), intPtr(peers), intPtr(prev), intPtr(rchg)
		if n := len(out); n == 0 || out[n-1].PeerGroup != pg {
			out = append(out, parTable{PeerGroup: pg, Methodology: m, Version: v, Provisional: prov})
		}
		t := &out[len(out)-1]
		if t.Methodology != m || t.Version != v {
			// Kept rows of another version cannot share a period with new ones.
			return nil, fmt.Errorf("điểm PAR (par_scores) của %s lẫn hai phương pháp (%s %s, %s %s); hãy tính lại số liệu bằng cchc run --full-refresh (par_scores mix methodologies; rerun the model)", pg, t.Methodology, t.Version, m, v)
		}
		t.Rows = append(t.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("par_scores query: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		// Most periods have no CCHC index: its inputs and mergers, three
		// more queries per period, would go unused.
		return nil, nil
	}
	for i := range out {
		out[i].MethodologyTitle = methodologyTitle(ctx, db, "par", out[i].Methodology, out[i].Version)
	}
	inputs, err := loadPARInputs(ctx, db, period)
	if err != nil {
		return nil, err
	}
	for i := range out {
		t := &out[i]
		t.Inputs = inputs
		if err := attachPARFields(ctx, db, period, t); err != nil {
			return nil, err
		}
	}
	// The mergers of the period, as the rankings list them: the scores of
	// a unit formed or grown by a merger compare with its predecessors'.
	ms, err := loadMergers(ctx, db, period)
	if err != nil {
		return nil, err
	}
	noteParMergers(out, ms)
	// Known levels first (departments, districts, communes).
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && lessPeer(out[j].PeerGroup, out[j-1].PeerGroup); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// attachPARFields reads the fields of the peer group's tree and each
// unit's points per field.
func attachPARFields(ctx context.Context, db *sql.DB, period string, t *parTable) error {
	rows, err := db.QueryContext(ctx, `SELECT code, name, max_points FROM par_criteria
		WHERE period = ? AND peer_group = ? AND depth = 1 ORDER BY seq, code`, period, t.PeerGroup)
	if err != nil {
		return fmt.Errorf("par_criteria query: %w", err)
	}
	pos := map[string]int{}
	for rows.Next() {
		var f parField
		var max sql.NullFloat64
		if err := rows.Scan(&f.Code, &f.Name, &max); err != nil {
			rows.Close()
			return fmt.Errorf("par_criteria query: %w", err)
		}
		f.Max = floatPtr(max)
		pos[f.Code] = len(t.Fields)
		t.Fields = append(t.Fields, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("par_criteria query: %w", err)
	}
	idx := map[string]int{}
	for i := range t.Rows {
		t.Rows[i].Fields = make([]*float64, len(t.Fields))
		idx[t.Rows[i].UnitCode] = i
	}
	rows, err = db.QueryContext(ctx, `SELECT cs.unit_code, cs.code, cs.appraised_points FROM par_criterion_scores cs
		JOIN par_scores s ON s.period = cs.period AND s.unit_code = cs.unit_code
		JOIN par_criteria c ON c.period = cs.period AND c.peer_group = s.peer_group AND c.code = cs.code
		WHERE cs.period = ? AND s.peer_group = ? AND c.depth = 1 AND cs.applicable`, period, t.PeerGroup)
	if err != nil {
		return fmt.Errorf("par_criterion_scores query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var unit, code string
		var pts sql.NullFloat64
		if err := rows.Scan(&unit, &code, &pts); err != nil {
			return fmt.Errorf("par_criterion_scores query: %w", err)
		}
		i, ok := idx[unit]
		j, ok2 := pos[code]
		if ok && ok2 {
			t.Rows[i].Fields[j] = floatPtr(pts)
		}
	}
	return rows.Err()
}

// loadPARInputs lists the period's input files with their SHA-256, sorted.
func loadPARInputs(ctx context.Context, db *sql.DB, period string) ([]parInput, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT source, source_file, file_sha256 FROM (
		SELECT source, source_file, file_sha256 FROM par_sheets WHERE period = $1
		UNION ALL SELECT source, source_file, file_sha256 FROM par_survey_results WHERE period = $1
		UNION ALL SELECT source, source_file, file_sha256 FROM par_adjustment_rows WHERE period = $1)
		ORDER BY file_sha256, source, source_file`, period)
	if err != nil {
		return nil, fmt.Errorf("par inputs query: %w", err)
	}
	defer rows.Close()
	var out []parInput
	for rows.Next() {
		var in parInput
		if err := rows.Scan(&in.Source, &in.File, &in.SHA256); err != nil {
			return nil, fmt.Errorf("par inputs query: %w", err)
		}
		in.File = path.Base(filepath.ToSlash(in.File))
		out = append(out, in)
	}
	return out, rows.Err()
}

// parNote is a row's remark: why it is not ranked, then the mergers into
// the unit in the period.
func (r parRow) parNote() string {
	var n []string
	switch {
	case r.Status == "ranked":
	case r.Note == "":
		n = append(n, "Chưa đủ dữ liệu (không xếp hạng)")
	default:
		n = append(n, "Chưa đủ dữ liệu (không xếp hạng): "+r.Note)
	}
	return strings.Join(append(n, r.Merged...), "; ")
}

// change is the movement in words: "tăng 2 bậc; +2,76 điểm".
func (r parRow) change(decimals int) string {
	var parts []string
	if r.RankChange != nil {
		parts = append(parts, FormatRankChange(*r.RankChange))
	}
	if r.ScoreChange != nil {
		d := RoundN(*r.ScoreChange, decimals)
		s := FormatFixed(d, decimals) + " điểm"
		if d > 0 {
			s = "+" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// RoundN rounds x to n decimals, half away from zero, on its shortest
// decimal form (as Round2 does for 2), and turns -0 into 0.
func RoundN(x float64, n int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(FormatFixed(x, n), ".", ""), ",", "."), 64)
	if err != nil || r == 0 {
		return 0
	}
	return r
}

// FormatFixed formats x with n decimals, a decimal comma and "." between
// thousands, rounding half away from zero on the shortest decimal form:
// FormatFixed(97.6845, 3) = "97,685" (Huế publishes 3 decimals).
func FormatFixed(x float64, n int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	ip, fp, _ := strings.Cut(s, ".")
	digits := []byte("0" + ip + fp + strings.Repeat("0", n))
	keep := 1 + len(ip) + n // digits kept: the leading 0 absorbs a carry
	if len(fp) > n && fp[n] >= '5' {
		i := keep - 1
		for digits[i] == '9' {
			digits[i] = '0'
			i--
		}
		digits[i]++
	}
	digits = digits[:keep]
	units := strings.TrimLeft(string(digits[:len(digits)-n]), "0")
	if units == "" {
		units = "0"
	}
	frac := string(digits[len(digits)-n:])
	var b strings.Builder
	if x < 0 && strings.Trim(units+frac, "0") != "" {
		b.WriteByte('-')
	}
	for i, c := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if n > 0 {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// PeriodVI names a period as Vietnamese readers do: "Năm 2025", "6 tháng
// đầu năm 2026", "6 tháng cuối năm 2026", "Quý III/2026", "Tháng 10/2026".
// A name it does not know is returned as it is.
func PeriodVI(p string) string {
	if len(p) < 4 {
		return p
	}
	y, rest := p[:4], p[4:]
	switch {
	case rest == "":
		return "Năm " + y
	case rest == "-H1":
		return "6 tháng đầu năm " + y
	case rest == "-H2":
		return "6 tháng cuối năm " + y
	case len(rest) == 3 && rest[:2] == "-Q" && rest[2] >= '1' && rest[2] <= '4':
		return "Quý " + []string{"I", "II", "III", "IV"}[rest[2]-'1'] + "/" + y
	case len(rest) == 3 && rest[0] == '-':
		if m, err := strconv.Atoi(rest[1:]); err == nil && m >= 1 && m <= 12 {
			return "Tháng " + strconv.Itoa(m) + "/" + y
		}
	}
	return p
}

// methodologyTitle is the Vietnamese name of a methodology version from
// the methodologies table, else its code.
func methodologyTitle(ctx context.Context, db *sql.DB, kind, name, version string) string {
	var t sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT any_value(title_vi) FROM methodologies
		WHERE index_kind = ? AND methodology = ? AND methodology_version = ?`, kind, name, version).Scan(&t); err != nil || !t.Valid || t.String == "" {
		return name
	}
	return t.String
}

// methodologyLabel names a methodology for readers: "<Vietnamese name>
// (<code>, phiên bản <version>)", or "<code>, phiên bản <version>".
func methodologyLabel(title, name, version string) string {
	if title == "" || title == name {
		return name + ", phiên bản " + version
	}
	return title + " (" + name + ", phiên bản " + version + ")"
}
