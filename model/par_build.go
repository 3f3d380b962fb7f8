package model

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/periods"
)

// parTemps are the temporary tables the PAR build creates, dropped at the
// end so that the caller's transaction is left as it was.
var parTemps = []string{"par_params", "par_periods", "par_tiers", "par_rules", "par_brackets", "par_fixed_tree",
	"par_survey_names", "par_members", "par_tree_sig", "par_tree_ref", "par_fixed_diffs", "par_tree_conflicts", "par_tree0", "par_tree", "par_scored", "par_new"}

// BuildPAR recomputes the CCHC index (PAR index) tables par_criteria,
// par_criterion_scores and par_scores from the input tables of migration
// 0011 (the loaded scoring sheets, survey and adjustments) under pm. svc is
// the service methodology whose indicator values and index scores feed the
// criteria pm takes from data; run BuildPAR after the service index.
//
// It deletes only its own rows: every period when pm has no `from`, else
// the periods from `from` on, whose earlier rows (computed by an earlier
// version) stay and serve as the previous period of movement. A period's
// provisional flag, kept periods' included, follows periods.provisional's
// rule at asOf. Empty input
// tables give empty PAR tables. Run it inside the load's transaction.
func BuildPAR(ctx context.Context, db Execer, convention string, pm *PARMethodology, svc *Methodology, asOf AsOf) error {
	q, ok := db.(querier)
	if !ok {
		return fmt.Errorf("model par: the connection cannot run queries")
	}
	exec := func(what, s string, args ...any) error {
		if _, err := db.ExecContext(ctx, s, args...); err != nil {
			return fmt.Errorf("model par %s: %w", what, err)
		}
		return nil
	}
	names, err := parPeriodNames(ctx, q)
	if err != nil {
		return err
	}
	var from *periods.Period
	if pm.From != "" {
		f, err := periods.Parse(pm.From, convention)
		if err != nil {
			return fmt.Errorf("phương pháp PAR %s %s: from: kỳ %q không hợp lệ; viết YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 hoặc YYYY (%w)", pm.Name, pm.Version, pm.From, err)
		}
		from = &f
	}
	if err := exec("periods", `CREATE OR REPLACE TEMP TABLE par_periods (period VARCHAR, kind VARCHAR, start_at TIMESTAMP,
		end_at TIMESTAMP, previous_period VARCHAR, provisional BOOLEAN, rebuild BOOLEAN)`); err != nil {
		return err
	}
	for _, n := range names {
		p, err := periods.Parse(n, convention)
		if err != nil {
			return fmt.Errorf("mô hình PAR: kỳ %q trong các bảng PAR không hợp lệ (period in the PAR tables: %w)", n, err)
		}
		rebuild := from == nil || !p.Start.Before(from.Start)
		if err := exec("periods", `INSERT INTO par_periods VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.Name, p.Kind, p.Start, p.End, p.Previous, asOf.Provisional(p.End), rebuild); err != nil {
			return err
		}
	}
	for _, t := range []string{"par_criteria", "par_criterion_scores", "par_scores"} {
		if err := exec(t, `DELETE FROM `+t+` WHERE period IN (SELECT period FROM par_periods WHERE rebuild)`); err != nil {
			return err
		}
	}
	svcName, svcVersion := "", ""
	if svc != nil {
		svcName, svcVersion = svc.Name, svc.Version
	}
	if err := exec("params", `CREATE OR REPLACE TEMP TABLE par_params AS SELECT CAST(? AS VARCHAR) AS methodology,
		CAST(? AS VARCHAR) AS version, CAST(? AS VARCHAR) AS survey, CAST(? AS VARCHAR) AS svc_methodology,
		CAST(? AS VARCHAR) AS svc_version, CAST(? AS DOUBLE) AS bonus_cap, CAST(? AS DOUBLE) AS penalty_cap`,
		pm.Name, pm.Version, pm.Survey, svcName, svcVersion, nullable(pm.BonusCap), nullable(pm.PenaltyCap)); err != nil {
		return err
	}
	if err := exec("tiers", `CREATE OR REPLACE TEMP TABLE par_tiers (name VARCHAR, min DOUBLE)`); err != nil {
		return err
	}
	for _, t := range pm.Tiers {
		if err := exec("tiers", `INSERT INTO par_tiers VALUES (?, ?)`, t.Name, t.Min); err != nil {
			return err
		}
	}
	if err := exec("rules", `CREATE OR REPLACE TEMP TABLE par_rules (code VARCHAR, indicator VARCHAR, service_index BOOLEAN, else_points DOUBLE);
		CREATE OR REPLACE TEMP TABLE par_brackets (code VARCHAR, min DOUBLE, points DOUBLE);
		CREATE OR REPLACE TEMP TABLE par_fixed_tree (code VARCHAR, parent_code VARCHAR, depth INTEGER, seq INTEGER, name VARCHAR, max_points DOUBLE)`); err != nil {
		return err
	}
	for _, d := range pm.Data {
		if err := exec("rules", `INSERT INTO par_rules VALUES (?, ?, ?, ?)`, d.Code, d.Indicator, d.ServiceIndex, d.Else); err != nil {
			return err
		}
		for _, b := range d.Brackets {
			if err := exec("rules", `INSERT INTO par_brackets VALUES (?, ?, ?)`, d.Code, b.Min, b.Points); err != nil {
				return err
			}
		}
	}
	for i, n := range pm.Tree {
		var parent any
		if p := parentCode(n.Code); p != "" {
			parent = p
		}
		if err := exec("tree", `INSERT INTO par_fixed_tree VALUES (?, ?, ?, ?, ?, ?)`,
			n.Code, parent, strings.Count(n.Code, ".")+1, i+1, n.Name, n.Max); err != nil {
			return err
		}
	}
	if err := parSurveyNames(ctx, db, q, pm); err != nil {
		return err
	}
	// The names publications give the methodologies: the service one as
	// configured, and every PAR version whose rows remain.
	if svc != nil {
		if err := exec("methodologies", `DELETE FROM methodologies WHERE index_kind = 'service'`); err != nil {
			return err
		}
		if err := exec("methodologies", `INSERT INTO methodologies VALUES (?, ?, 'service', ?, ?)`, svc.Name, svc.Version, svc.TitleVI, svc.TitleEN); err != nil {
			return err
		}
	}
	if err := exec("methodologies", `DELETE FROM methodologies WHERE index_kind = 'par' AND methodology = ? AND methodology_version = ?`, pm.Name, pm.Version); err != nil {
		return err
	}
	if err := exec("methodologies", `INSERT INTO methodologies VALUES (?, ?, 'par', ?, ?)`, pm.Name, pm.Version, pm.TitleVI, pm.TitleEN); err != nil {
		return err
	}
	for _, f := range []string{"50_par_criteria.sql", "55_par_scores.sql"} {
		if err := execFile(ctx, db, f); err != nil {
			return err
		}
	}
	// A period kept under `from` keeps its scores, but time alone turns it
	// final: left as computed, it stayed provisional and PAROutdated asked
	// for a rebuild and republication at every run.
	if err := exec("provisional", `UPDATE par_scores s SET provisional = p.provisional FROM par_periods p
		WHERE s.period = p.period AND NOT p.rebuild AND s.provisional IS DISTINCT FROM p.provisional`); err != nil {
		return err
	}
	if err := exec("methodologies", `DELETE FROM methodologies m WHERE index_kind = 'par'
		AND NOT EXISTS (SELECT 1 FROM par_scores s WHERE s.methodology = m.methodology AND s.methodology_version = m.methodology_version)
		AND NOT (methodology = ? AND methodology_version = ?)`, pm.Name, pm.Version); err != nil {
		return err
	}
	drops := make([]string, len(parTemps))
	for i, t := range parTemps {
		drops[i] = "DROP TABLE IF EXISTS " + t
	}
	return exec("cleanup", strings.Join(drops, "; "))
}

// parSurveyNames fills the temporary par_survey_names with the field
// names (of the sheets and of pm's fixed tree) that name the survey field
// by datasets.IsSurveyField, the reader's own test: 50_par_criteria.sql
// picks the survey field by them rather than by a second definition in SQL
// that could disagree with the reader's (line breaks, double spaces).
func parSurveyNames(ctx context.Context, db Execer, q querier, pm *PARMethodology) error {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE par_survey_names (name VARCHAR)`); err != nil {
		return fmt.Errorf("model par survey field: %w", err)
	}
	var names []string
	for _, n := range pm.Tree {
		if parentCode(n.Code) == "" {
			names = append(names, n.Name)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT name FROM par_sheet_rows WHERE depth = 1`)
	if err != nil {
		return fmt.Errorf("model par survey field: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("model par survey field: %w", err)
		}
		names = append(names, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("model par survey field: %w", err)
	}
	rows.Close()
	for _, s := range names {
		if !datasets.IsSurveyField(s) {
			continue
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO par_survey_names VALUES (?)`, s); err != nil {
			return fmt.Errorf("model par survey field: %w", err)
		}
	}
	return nil
}

// querier is the query half of a connection or transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// parPeriodNames lists every period named in the PAR input tables or
// already scored, sorted.
func parPeriodNames(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT period FROM par_sheet_rows UNION SELECT period FROM par_sheets
		UNION SELECT period FROM par_survey_results UNION SELECT period FROM par_adjustment_rows
		UNION SELECT period FROM par_scores`)
	if err != nil {
		return nil, fmt.Errorf("model par periods: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("model par periods: %w", err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out, rows.Err()
}

func nullable(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// PARStale reports whether the PAR tables were built under another PAR
// methodology or version (for the periods pm scores), or not at all while
// PAR inputs exist, so a run with no new files must still rebuild them.
func PARStale(ctx context.Context, db Execer, convention string, pm *PARMethodology) (bool, error) {
	q, ok := db.(querier)
	if !ok {
		return false, fmt.Errorf("model par: the connection cannot run queries")
	}
	var inputs, scores int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM (SELECT 1 FROM par_sheets UNION ALL SELECT 1 FROM par_survey_results
		UNION ALL SELECT 1 FROM par_adjustment_rows LIMIT 1)), (SELECT count(*) FROM par_scores)`).Scan(&inputs, &scores); err != nil {
		return false, fmt.Errorf("model par: %w", err)
	}
	if inputs > 0 && scores == 0 {
		return true, nil
	}
	var from *periods.Period
	if pm.From != "" {
		f, err := periods.Parse(pm.From, convention)
		if err != nil {
			return false, fmt.Errorf("phương pháp PAR %s %s: from: kỳ %q không hợp lệ; viết YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 hoặc YYYY (%w)", pm.Name, pm.Version, pm.From, err)
		}
		from = &f
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT period FROM par_scores WHERE methodology <> ? OR methodology_version <> ?`, pm.Name, pm.Version)
	if err != nil {
		return false, fmt.Errorf("model par: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, fmt.Errorf("model par: %w", err)
		}
		p, err := periods.Parse(name, convention)
		if err != nil || from == nil || !p.Start.Before(from.Start) {
			return true, nil
		}
	}
	return false, rows.Err()
}

// PAROutdated reports whether time alone has turned a PAR period final
// (or provisional) since par_scores was built, so its publications must be
// written again although no file arrived.
func PAROutdated(ctx context.Context, db Execer, convention string, asOf AsOf) (bool, error) {
	q, ok := db.(querier)
	if !ok {
		return false, fmt.Errorf("model par: the connection cannot run queries")
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT period, coalesce(provisional, false) FROM par_scores`)
	if err != nil {
		return false, fmt.Errorf("model par: outdated: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var prov bool
		if err := rows.Scan(&name, &prov); err != nil {
			return false, fmt.Errorf("model par: outdated: %w", err)
		}
		p, err := periods.Parse(name, convention)
		if err == nil && asOf.Provisional(p.End) != prov {
			return true, nil
		}
	}
	return false, rows.Err()
}
