package model

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cchc/cchc/periods"
	cchcsql "github.com/cchc/cchc/sql"
)

// Execer is what Build needs of a connection: the caller's transaction or
// pinned connection, so the model commits together with the load.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// AsOf is the run's clock as the model sees it: which periods are still
// provisional depends on it, and nothing else in the model does.
type AsOf struct {
	// Now is the run's start as naive local wall-clock time (the run's
	// clock, never the machine's, so tests and goldens are deterministic).
	Now time.Time
	// Grace is publish.grace: how long after its end a period stays
	// provisional while late exports may still arrive.
	Grace time.Duration
	// Freshness is the config's freshness: a unit merged into another
	// during a period whose data ends more than Freshness before its
	// valid_to stopped delivering early, and holds its successor's
	// data_until back (30_model_fresh.sql). 0 judges no merged unit so.
	Freshness time.Duration
}

// Provisional reports whether the period ending at end (exclusive, naive
// local time) is provisional at asOf: it has not ended by the run's local
// date, or ended less than Grace before it. Any index (the service index,
// the PAR index) reads it from periods.provisional.
func (a AsOf) Provisional(end time.Time) bool {
	day := time.Date(a.Now.Year(), a.Now.Month(), a.Now.Day(), 0, 0, 0, 0, time.UTC)
	return day.Before(end.Add(a.Grace))
}

// Build recomputes every model table from dossiers: periods (every period
// of every kind overlapping the data, under convention, each marked
// provisional or final at asOf), dossier_stats, and the indicator values
// and index scores of m, which replace those of any other methodology (the
// warehouse holds the configured one only). It is idempotent: the same
// dossiers at the same asOf date give the same tables. Run it inside a
// transaction (a run's model has its own, after the data's commit).
func Build(ctx context.Context, db Execer, convention string, m *Methodology, asOf AsOf) error {
	return BuildWith(ctx, db, convention, m, nil, asOf)
}

// BuildWith is Build with the CCHC index (PAR index) built under par after
// the service index (BuildPAR); nil means the built-in PAR default. The
// PAR tables stay empty while their inputs are.
func BuildWith(ctx context.Context, db Execer, convention string, m *Methodology, par *PARMethodology, asOf AsOf) error {
	_, err := BuildChanged(ctx, db, convention, m, par, asOf, true)
	return err
}

// How BuildChanged brought outcome_counts up to date (Built.Counts).
const (
	CountsAnew  = "anew"  // every dossier counted
	CountsDelta = "delta" // the run's changes added and subtracted
	CountsKept  = "kept"  // the dossiers had not changed since they were counted
)

// Built says what BuildChanged rebuilt.
type Built struct {
	// Full is true when every period was rebuilt.
	Full bool
	// Counts says how outcome_counts was brought up to date: CountsKept,
	// CountsDelta (the run's changes applied, the counts of the versions it
	// added less those of the versions it removed, whether the build is
	// full or not), or CountsAnew (every dossier counted, the build full).
	Counts string
	// Periods are the periods whose index_scores were rebuilt, sorted;
	// their dossier_stats and indicator_values too when a changed dossier
	// falls in them (Touched of them).
	Periods []string
	Touched int
	// New counts the periods that did not exist before (a new month),
	// counted from every dossier while the others took the delta.
	New int
	// Relabelled counts the rows of outcome_counts kept or updated whose
	// standing unit changed with the registry (relabelCounts).
	Relabelled int64
	// Changed are the periods whose publications may differ from the last
	// build's: Periods and the periods whose PAR rows changed, sorted.
	Changed []string
}

// BuildChanged brings the model tables up to date with dossiers, like
// BuildWith, rebuilding only what the run's changed dossiers can reach
// unless full is set. The changed dossiers are the temporary tables the
// merge of dossiers leaves (sql/merge/dossiers*.sql): dossier_changes
// (received_at, finished_at of every version it removed or added),
// dossier_removed (the whole rows it removed) and merge_run (the run,
// whose rows are the versions added); without them the build is full.
//
// A dossier version is in scope of a period when received_at < end and
// (finished_at IS NULL or finished_at >= start), so one never finished is
// in scope of every period from its receipt on: its changes reach them
// all, and must (each counts it as carried over or pending). Rebuilt
// whole are the periods a changed version is in scope of; their
// index_scores only, the next period of the same kind of each (its
// movement compares with the previous period), the periods whose
// provisional flag changes at asOf and those where a unit's data_until
// moved. New periods (a new month) are rebuilt too, their counts taken
// from every dossier. The build is full when full is set (the caller's:
// methodology changed, full refresh), when a period changes or goes, and
// when the units standing for others (unit_attribution) in a period that
// existed change. The PAR tables are always rebuilt whole (they are small);
// Changed lists the periods whose PAR rows differ afterwards.
//
// The counts (outcome_counts, Built.Counts) made under the same
// definition and periods are kept when no dossier changed since
// (dossiersSeen), and take the run's changes when they recorded the
// dossiers as they were before it (dossiersBefore), whether the build
// rebuilds every period or not: a change of the methodology's points,
// tiers or thresholds, or of the registry, does not read every dossier
// again. A registry change that moves who stands for whom relabels the
// counts kept with the units now standing (relabelCounts). Otherwise
// every dossier is counted, every period rebuilt.
//
// The result equals a full build of the same dossiers at the same asOf.
func BuildChanged(ctx context.Context, db Execer, convention string, m *Methodology, par *PARMethodology, asOf AsOf, full bool) (Built, error) {
	var b Built
	q, ok := db.(querier)
	if !ok {
		return b, fmt.Errorf("model: the connection cannot run queries")
	}
	exec := func(what, s string, args ...any) error {
		if _, err := db.ExecContext(ctx, s, args...); err != nil {
			return fmt.Errorf("model %s: %w", what, err)
		}
		return nil
	}
	// Without the tables a run's merge leaves, the periods its changes
	// reach are unknown: every period is rebuilt.
	ready, err := changesLeft(ctx, db)
	if err != nil {
		return b, err
	}
	full = full || !ready
	plan, err := planCounts(cchcsql.Models, m)
	if err != nil {
		return b, err
	}
	// A migration may change what the dossiers hold: counts made before it
	// are not added to.
	// (The model SQL over a lake of Parquet views has no migrations.)
	var schema sql.NullInt64
	var migrations int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'`).Scan(&migrations); err != nil {
		return b, fmt.Errorf("model: %w", err)
	}
	if migrations > 0 {
		if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&schema); err != nil {
			return b, fmt.Errorf("model: %w", err)
		}
	}
	plan.stamp += fmt.Sprintf(" schema %d", schema.Int64)
	// Counts of another definition cannot be added to, nor kept.
	current, kept, err := countsCurrent(ctx, db, plan)
	if err != nil {
		return b, err
	}
	seen, err := dossiersSeen(ctx, db)
	if err != nil {
		return b, err
	}
	// The run's changes can be added to counts of this definition that
	// recorded the dossiers as they were before the run; not to counts of
	// a model that failed, or that drifted: those are made again. This
	// holds whether the build rebuilds every period or not.
	var added string
	delta := ready && current
	if delta {
		run, err := mergeRun(ctx, db)
		if err != nil {
			return b, err
		}
		added = addedDossiers(run)
		before, err := dossiersBefore(ctx, db, run)
		if err != nil {
			return b, err
		}
		delta = before == kept
	}
	if err := exec("periods", `CREATE OR REPLACE TEMP TABLE model_before AS SELECT * FROM periods;
		CREATE OR REPLACE TEMP TABLE model_attribution_before AS SELECT * FROM unit_attribution`); err != nil {
		return b, err
	}
	if err := buildPeriods(ctx, db, convention, asOf); err != nil {
		return b, err
	}
	if err := execFile(ctx, db, "05_unit_attribution.sql"); err != nil {
		return b, err
	}
	// Periods changed or gone (moved): every period may have changed, and
	// the counts with them. Other units standing for others in a period
	// that existed (attributed): every period is rebuilt, and the counts,
	// kept per period and standing unit, are relabelled. New periods
	// alone (a new month, grown) are counted from every dossier, the
	// others take the run's delta.
	if err := exec("periods", `CREATE OR REPLACE TEMP TABLE model_new_periods AS
		SELECT * FROM periods WHERE period NOT IN (SELECT period FROM model_before)`); err != nil {
		return b, err
	}
	var moved, attributed, grown int
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT * EXCLUDE (provisional) FROM model_before EXCEPT ALL SELECT * EXCLUDE (provisional) FROM periods)),
		(SELECT count(*) FROM (SELECT * FROM unit_attribution WHERE period IN (SELECT period FROM model_before)
			EXCEPT ALL SELECT * FROM model_attribution_before))
		+ (SELECT count(*) FROM (SELECT * FROM model_attribution_before EXCEPT ALL SELECT * FROM unit_attribution)),
		(SELECT count(*) FROM model_new_periods)`).Scan(&moved, &attributed, &grown); err != nil {
		return b, fmt.Errorf("model: %w", err)
	}
	// What to do with outcome_counts: keep them (dossiers the counts
	// already counted: nothing loaded, or nothing changed), add the run's
	// changes (the build rebuilds the periods they reach, or every period
	// when the caller says so: the methodology's points or the registry
	// changed in a run that loaded files), or count every dossier again,
	// every period rebuilt. Periods changed or gone are counted again;
	// other units standing for others are not (relabelCounts).
	b.Counts = CountsAnew
	switch {
	case current && moved == 0 && grown == 0 && kept == seen:
		b.Counts = CountsKept
	case delta && moved == 0:
		b.Counts = CountsDelta
	default:
		full = true
	}
	if attributed > 0 {
		// Every period the new attribution reaches is rebuilt, and its
		// previous period restated on its units.
		full = true
		if b.Counts != CountsAnew {
			if b.Relabelled, err = relabelCounts(ctx, db); err != nil {
				return b, err
			}
		}
	}
	b.Full = full
	if b.Counts == CountsDelta {
		b.New = grown
	}
	if err := updateCovered(ctx, db, b.Counts, added); err != nil {
		return b, err
	}
	fresh, err := fs.ReadFile(cchcsql.Models, "models/30_model_fresh.sql")
	if err != nil {
		return b, fmt.Errorf("model 30_model_fresh.sql: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE model_fresh AS "+string(fresh), asOf.Freshness.Microseconds()); err != nil {
		return b, fmt.Errorf("model 30_model_fresh.sql: %w", err)
	}
	// model_periods: the periods whose dossiers changed, rebuilt whole
	// (dossier_stats, indicator_values, index_scores). model_scores: those
	// and the periods whose index_scores alone change: the next period of
	// the same kind of each (movement), and those whose provisional flag
	// or units' data_until moved.
	touched, scores := `SELECT period FROM periods`, `SELECT period FROM periods`
	if !full {
		touched = `SELECT p.period FROM periods p
			WHERE EXISTS (SELECT 1 FROM dossier_changes c
				WHERE c.received_at < p.end_at AND (c.finished_at IS NULL OR c.finished_at >= p.start_at))
			UNION SELECT period FROM model_new_periods`
		scores = `SELECT period FROM model_periods
			UNION SELECT period FROM periods WHERE previous_period IN (SELECT period FROM model_periods)
			UNION SELECT p.period FROM periods p JOIN model_before o USING (period) WHERE p.provisional IS DISTINCT FROM o.provisional
			UNION SELECT s.period FROM index_scores s LEFT JOIN model_fresh f USING (period, unit_code)
				WHERE s.data_until IS DISTINCT FROM f.data_until`
	}
	// Movement compares a period with its previous one restated on its
	// units: where the same units stand for the same units at both ends,
	// that is the previous period's own indicator values (buildIndicators
	// copies them); model_restate are the other periods of model_scores,
	// whose previous periods (model_previous) are restated from their
	// dossiers' outcomes.
	if err := exec("periods", `CREATE OR REPLACE TEMP TABLE model_periods AS SELECT * FROM periods WHERE period IN (`+touched+`);
		CREATE OR REPLACE TEMP TABLE model_scores AS SELECT * FROM periods WHERE period IN (`+scores+`);
		CREATE OR REPLACE TEMP TABLE model_restate AS SELECT * FROM model_scores p
			WHERE EXISTS (SELECT 1 FROM unit_attribution a JOIN unit_attribution q ON q.unit_code = a.unit_code AND q.period = p.previous_period
				WHERE a.period = p.period AND a.standing_unit_code IS DISTINCT FROM q.standing_unit_code);
		CREATE OR REPLACE TEMP TABLE model_previous AS SELECT * FROM periods WHERE period IN (SELECT previous_period FROM model_restate)`); err != nil {
		return b, err
	}
	// The views the counts are made or updated from.
	if err := outcomeViews(ctx, db, plan, b.Counts, added, grown > 0); err != nil {
		return b, err
	}
	del := func(t, set string) error {
		if full {
			return exec(t, `DELETE FROM `+t)
		}
		return exec(t, `DELETE FROM `+t+` WHERE period IN (SELECT period FROM `+set+`)`)
	}
	if err := buildIndicators(ctx, db, m, plan, b.Counts, grown > 0, seen, del); err != nil {
		return b, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM model_periods`).Scan(&b.Touched); err != nil {
		return b, fmt.Errorf("model: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT period FROM model_scores ORDER BY period`)
	if err != nil {
		return b, fmt.Errorf("model: %w", err)
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return b, fmt.Errorf("model: %w", err)
		}
		b.Periods = append(b.Periods, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, fmt.Errorf("model: %w", err)
	}
	drop := "DROP TABLE model_periods; DROP TABLE model_new_periods; DROP TABLE model_scores; DROP TABLE model_restate; DROP TABLE model_previous; DROP TABLE model_fresh;"
	if b.Counts == CountsAnew || !plan.linear {
		drop += "DROP VIEW model_outcomes; DROP VIEW model_unused_restated; DROP TABLE model_units;"
	}
	if !plan.linear {
		drop += "DROP VIEW model_outcomes_restated; DROP VIEW model_previous_outcomes; DROP TABLE model_previous_units;"
	}
	if b.Counts == CountsDelta {
		drop += `DROP VIEW model_added_outcomes; DROP VIEW model_unused_added_restated; DROP TABLE model_added_units;
			DROP VIEW model_removed_outcomes; DROP VIEW model_unused_removed_restated; DROP TABLE model_removed_units;
			DROP TABLE model_delta_periods;`
		if grown > 0 {
			drop += `DROP VIEW model_new_outcomes; DROP VIEW model_unused_new_restated; DROP TABLE model_new_units;`
		}
	}
	if err := exec("cleanup", drop+`
		DROP TABLE model_before; DROP TABLE model_attribution_before`); err != nil {
		return b, err
	}
	if par == nil {
		var err error
		if par, err = LoadPARMethodology("default"); err != nil {
			return b, err
		}
	}
	parChanged, err := buildPARChanged(ctx, db, q, convention, par, m, asOf)
	if err != nil {
		return b, err
	}
	b.Changed = union(b.Periods, parChanged)
	return b, nil
}

// outcomeViews creates the public outcome views over every period and
// those of the model's temporary ones that the build reads (the periods'
// units of each are a temporary table, from 09_outcome_units.sql, made by
// reading every dossier's unit code):
//   - model_outcomes: the outcomes in the periods it rebuilds, unless it
//     takes a delta or keeps the counts, with linear indicators;
//   - model_previous_outcomes, model_outcomes_restated: the previous periods
//     restated, when the indicators are not linear;
//   - model_added_outcomes, model_removed_outcomes: the outcomes of the
//     versions the run added (added, addedDossiers) and removed, for a
//     delta, in the periods counted before; model_new_outcomes, with
//     grown, every dossier's in the new ones.
//
// The public views inline their periods' units; the model's read them from
// temporary tables, so that the join with the dossiers is planned on their
// exact size.
func outcomeViews(ctx context.Context, db Execer, plan countPlan, counts, added string, grown bool) error {
	body, err := fs.ReadFile(cchcsql.Models, "models/10_dossier_outcomes.sql")
	if err != nil {
		return fmt.Errorf("model 10_dossier_outcomes.sql: %w", err)
	}
	units, err := fs.ReadFile(cchcsql.Models, "models/09_outcome_units.sql")
	if err != nil {
		return fmt.Errorf("model 09_outcome_units.sql: %w", err)
	}
	unitsOf := func(periods, dossiers string) string {
		return strings.NewReplacer("{periods}", periods, "{dossiers}", dossiers).Replace(string(units))
	}
	// view creates a view of 10_dossier_outcomes.sql over periods (current
	// ones for its restated view) and dossiers; units names the temporary
	// table of its periods' units, or is empty for the public views.
	view := func(periods, current, outcomes, restated, units, dossiers string) error {
		kind, pa := "TEMP VIEW", units
		if units == "" {
			kind, pa = "VIEW", "("+unitsOf(periods, dossiers)+")"
		} else if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+units+" AS "+unitsOf(periods, dossiers)); err != nil {
			return fmt.Errorf("model 09_outcome_units.sql: %w", err)
		}
		if _, err := db.ExecContext(ctx, strings.NewReplacer("{view}", kind, "{periods}", periods, "{current}", current,
			"{outcomes}", outcomes, "{restated}", restated, "{pa}", pa, "{dossiers}", dossiers).Replace(string(body))); err != nil {
			return fmt.Errorf("model 10_dossier_outcomes.sql: %w", err)
		}
		return nil
	}
	if err := view("periods", "periods", "dossier_outcomes", "dossier_outcomes_restated", "", "dossiers"); err != nil {
		return err
	}
	if counts == CountsAnew || !plan.linear {
		if err := view("model_periods", "model_periods", "model_outcomes", "model_unused_restated", "model_units", "dossiers"); err != nil {
			return err
		}
	}
	if !plan.linear {
		if err := view("model_previous", "model_restate", "model_previous_outcomes", "model_outcomes_restated", "model_previous_units", "dossiers"); err != nil {
			return err
		}
	}
	if counts == CountsDelta {
		// The run's changes reach the periods that were counted before;
		// new ones are counted from every dossier.
		if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE model_delta_periods AS
			SELECT * FROM model_periods WHERE period NOT IN (SELECT period FROM model_new_periods)`); err != nil {
			return fmt.Errorf("model: %w", err)
		}
		views := []struct{ name, periods, dossiers string }{{"added", "model_delta_periods", added}, {"removed", "model_delta_periods", "dossier_removed"}}
		if grown {
			views = append(views, struct{ name, periods, dossiers string }{"new", "model_new_periods", "dossiers"})
		}
		for _, d := range views {
			if err := view(d.periods, d.periods, "model_"+d.name+"_outcomes", "model_unused_"+d.name+"_restated",
				"model_"+d.name+"_units", d.dossiers); err != nil {
				return err
			}
		}
	}
	return execFile(ctx, db, "11_dossier_outcomes_comments.sql")
}

// union merges two sorted lists of names into one sorted list without
// duplicates.
func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{a, b} {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

func execFile(ctx context.Context, db Execer, name string, args ...any) error {
	body, err := fs.ReadFile(cchcsql.Models, "models/"+name)
	if err != nil {
		return fmt.Errorf("model %s: %w", name, err)
	}
	if _, err := db.ExecContext(ctx, string(body), args...); err != nil {
		return fmt.Errorf("model %s: %w", name, err)
	}
	return nil
}

func buildPeriods(ctx context.Context, db Execer, convention string, asOf AsOf) error {
	var from, to sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT min(received_at), max(greatest(received_at, coalesce(finished_at, received_at))) FROM dossiers`).
		Scan(&from, &to); err != nil {
		return fmt.Errorf("model periods: %w", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM periods`); err != nil {
		return fmt.Errorf("model periods: %w", err)
	}
	var ps []periods.Period
	if from.Valid {
		ps = periods.Covering(from.Time.UTC(), to.Time.UTC(), convention)
	}
	// A period only the CCHC index (PAR) covers needs its row too: unit
	// attribution and unit_mergers, which its publications read, hang on it.
	ps, err := withPARPeriods(ctx, db, ps, convention)
	if err != nil || len(ps) == 0 {
		return err
	}
	var sb strings.Builder
	args := make([]any, 0, len(ps)*7)
	sb.WriteString("INSERT INTO periods (period, kind, convention, start_at, end_at, previous_period, provisional) VALUES ")
	for i, p := range ps {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, p.Name, p.Kind, p.Convention, p.Start, p.End, p.Previous, asOf.Provisional(p.End))
	}
	if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("model periods: %w", err)
	}
	return nil
}

// withPARPeriods adds to ps the periods the PAR tables name
// (parPeriodNames) that ps lacks: only those periods, since a year of
// scoring sheets does not make its months periods of the warehouse.
func withPARPeriods(ctx context.Context, db Execer, ps []periods.Period, convention string) ([]periods.Period, error) {
	q, ok := db.(querier)
	if !ok {
		return nil, fmt.Errorf("model periods: the connection cannot run queries")
	}
	names, err := parPeriodNames(ctx, q)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(ps))
	for _, p := range ps {
		have[p.Name] = true
	}
	for _, name := range names {
		p, err := periods.Parse(name, convention)
		if err != nil {
			return nil, fmt.Errorf("model periods: period %q in the PAR tables: %w", name, err)
		}
		if !have[p.Name] {
			have[p.Name] = true
			ps = append(ps, p)
		}
	}
	return ps, nil
}

// buildIndicators brings outcome_counts up to date as counts says
// (updateCounts), derives dossier_stats from it, and evaluates every indicator of m:
// from the counts when the plan is linear, else in one pass over the
// outcomes (one aggregate column per numerator, denominator and rate);
// then scores and ranks.
func buildIndicators(ctx context.Context, db Execer, m *Methodology, plan countPlan, counts string, grown bool, seen string, del func(table, set string) error) error {
	exec := func(what, q string, args ...any) error {
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("model %s: %w", what, err)
		}
		return nil
	}
	if err := exec("index_groups", `DELETE FROM index_groups`); err != nil {
		return err
	}
	for i, g := range m.Groups {
		if err := exec("index_groups", `INSERT INTO index_groups VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.Name, m.Version, g.Code, i+1, g.NameVI, g.NameEN, g.Max); err != nil {
			return err
		}
	}
	if err := exec("tiers", `CREATE OR REPLACE TEMP TABLE tiers (name VARCHAR, min DOUBLE)`); err != nil {
		return err
	}
	for _, t := range m.Tiers {
		if err := exec("tiers", `INSERT INTO tiers VALUES (?, ?)`, t.Name, t.Min); err != nil {
			return err
		}
	}
	// The expressions in indicatorExprs' order: as written, or over the
	// counts c1 … cN when the plan is linear.
	exprs := indicatorExprs(m)
	if plan.linear {
		exprs = plan.counted.exprs
	}
	next := func() string { e := exprs[0]; exprs = exprs[1:]; return e }
	var cols []string
	var rows []string
	n := 0
	for _, g := range m.Groups {
		for _, ind := range g.Indicators {
			n++
			num, den := next(), next()
			rate := fmt.Sprintf("CAST(n%d AS DOUBLE) / nullif(d%d, 0)", n, n)
			cols = append(cols,
				fmt.Sprintf("CAST((%s) AS DOUBLE) AS n%d", num, n),
				fmt.Sprintf("CAST((%s) AS DOUBLE) AS d%d", den, n))
			if strings.TrimSpace(ind.Rate) != "" {
				cols = append(cols, fmt.Sprintf("CAST((%s) AS DOUBLE) AS r%d", next(), n))
				rate = fmt.Sprintf("r%d", n)
			}
			// points = max × min(1, rate / threshold); denominator 0 is N/A.
			rows = append(rows, fmt.Sprintf(`SELECT period, unit_code, %s, %s, n%[3]d, d%[3]d,
				CASE WHEN d%[3]d > 0 THEN greatest(0, %[4]s) END, %[5]v,
				CASE WHEN d%[3]d > 0 THEN %[6]v * least(1, greatest(0, %[4]s) / %[5]v) END, %[6]v FROM {agg}`,
				quote(g.Code), quote(ind.Code), n, rate, ind.Threshold, ind.Points))
		}
	}
	// The same indicators over the previous period restated on each
	// period's units (dossier_outcomes_restated) give the movement's
	// like-with-like comparison, in the temporary indicator_values_restated.
	if err := del("indicator_values", "model_periods"); err != nil {
		return err
	}
	if err := exec("indicator_values", `CREATE OR REPLACE TEMP TABLE indicator_values_restated AS SELECT * FROM indicator_values LIMIT 0`); err != nil {
		return err
	}
	if err := del("dossier_stats", "model_periods"); err != nil {
		return err
	}
	if err := updateCounts(ctx, db, plan, counts, grown, seen); err != nil {
		return err
	}
	if err := execFile(ctx, db, "21_dossier_stats.sql"); err != nil {
		return err
	}
	const hint = "indicators (check the numerator, denominator and rate expressions of the methodology)"
	current := "SELECT period, unit_code, " + strings.Join(cols, ", ") + " FROM model_outcomes GROUP BY period, unit_code"
	restated := "SELECT period, unit_code, " + strings.Join(cols, ", ") + " FROM model_outcomes_restated GROUP BY period, unit_code"
	if plan.linear {
		current = "SELECT period, unit_code, " + strings.Join(cols, ", ") + " FROM (" + countSums(plan) + ")"
		restated = "SELECT period, unit_code, " + strings.Join(cols, ", ") + " FROM (" + countSumsRestated(plan) + ")"
	}
	for _, v := range []struct{ agg, into, q string }{
		{"indicator_agg", "indicator_values", current},
		{"indicator_agg_restated", "indicator_values_restated", restated},
	} {
		if err := exec(hint, "CREATE OR REPLACE TEMP TABLE "+v.agg+" AS "+v.q); err != nil {
			return err
		}
		ins := fmt.Sprintf("INSERT INTO %s SELECT %s, %s, * FROM (%s)", v.into, quote(m.Name), quote(m.Version),
			strings.ReplaceAll(strings.Join(rows, "\nUNION ALL\n"), "{agg}", v.agg))
		if err := exec(v.into, ins); err != nil {
			return err
		}
	}
	// The previous period of a period not in model_restate, restated on
	// its units, is the previous period as computed: the same units stand
	// for the same units, so the same dossiers fall in the same groups.
	if err := exec("indicator_values_restated", `INSERT INTO indicator_values_restated
		SELECT iv.* REPLACE (p.period AS period) FROM model_scores p
		JOIN indicator_values iv ON iv.period = p.previous_period AND iv.methodology = ? AND iv.methodology_version = ?
		WHERE p.period NOT IN (SELECT period FROM model_restate)`, m.Name, m.Version); err != nil {
		return err
	}
	if err := del("index_scores", "model_scores"); err != nil {
		return err
	}
	if err := execFile(ctx, db, "40_index_scores.sql", m.Name, m.Version, m.MaxTotal()); err != nil {
		return err
	}
	return exec("cleanup", "DROP TABLE indicator_agg; DROP TABLE indicator_agg_restated; DROP TABLE indicator_values_restated; DROP TABLE tiers")
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Stale reports whether the model tables were built under another period
// convention or another version of m (or never), so a run with no new files
// must still rebuild them.
func Stale(ctx context.Context, db Execer, convention string, m *Methodology) (bool, error) {
	var groups, otherGroups, otherConv, dossiers int
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM index_groups WHERE methodology = ? AND methodology_version = ?),
		(SELECT count(*) FROM index_groups WHERE methodology <> ? OR methodology_version <> ?),
		(SELECT count(*) FROM periods WHERE convention <> ?),
		(SELECT count(*) FROM (SELECT 1 FROM dossiers LIMIT 1))`, m.Name, m.Version, m.Name, m.Version, convention).
		Scan(&groups, &otherGroups, &otherConv, &dossiers)
	if err != nil {
		return false, fmt.Errorf("model: %w", err)
	}
	return dossiers > 0 && (groups == 0 || otherGroups > 0 || otherConv > 0), nil
}

// Outdated reports whether time alone has changed what the model says
// since it was last built: a period turned final (or provisional) at asOf,
// or a unit's data or a source crossed the freshness line between the
// start of the run that last rebuilt the model (runs.modelled) and
// asOf.Now. Publications of such a model must be written again even when
// no new file arrived, so the caller rebuilds. freshness 0 leaves
// staleness out.
func Outdated(ctx context.Context, db Execer, asOf AsOf, freshness time.Duration) (bool, error) {
	ps, all, err := OutdatedPeriods(ctx, db, asOf, freshness)
	return all || len(ps) > 0, err
}

// OutdatedPeriods is Outdated period by period: the periods whose
// provisional flag or whose units' staleness time alone changed, sorted;
// all is true when a source crossed the freshness line, which every
// period's publication reports.
func OutdatedPeriods(ctx context.Context, db Execer, asOf AsOf, freshness time.Duration) (ps []string, all bool, err error) {
	q, ok := db.(querier)
	if !ok {
		return nil, false, fmt.Errorf("model: outdated: the connection cannot run queries")
	}
	var lastBuilt sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT max(started_at) FROM runs WHERE modelled AND committed_at IS NOT NULL`).Scan(&lastBuilt); err != nil {
		return nil, false, fmt.Errorf("model: outdated: %w", err)
	}
	if !lastBuilt.Valid {
		lastBuilt.Time = asOf.Now
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM source_status
		WHERE CAST(? AS BIGINT) > 0 AND
		  coalesce(last_new_file_at < CAST(? AS TIMESTAMP) - to_microseconds(CAST(? AS BIGINT)), true)
		  <> coalesce(last_new_file_at < CAST(? AS TIMESTAMP) - to_microseconds(CAST(? AS BIGINT)), true)`,
		freshness.Microseconds(), lastBuilt.Time, freshness.Microseconds(), asOf.Now, freshness.Microseconds()).Scan(&n)
	if err != nil {
		return nil, false, fmt.Errorf("model: outdated: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT period FROM periods
		WHERE provisional IS DISTINCT FROM (CAST(? AS DATE) < end_at + to_microseconds(CAST(? AS BIGINT)))
		UNION SELECT s.period FROM index_scores s JOIN periods p USING (period)
		WHERE CAST(? AS BIGINT) > 0 AND
		  coalesce(s.data_until < least(p.end_at, CAST(? AS TIMESTAMP)) - to_microseconds(CAST(? AS BIGINT)), true)
		  <> coalesce(s.data_until < least(p.end_at, CAST(? AS TIMESTAMP)) - to_microseconds(CAST(? AS BIGINT)), true)
		ORDER BY period`,
		asOf.Now, asOf.Grace.Microseconds(),
		freshness.Microseconds(), lastBuilt.Time, freshness.Microseconds(), asOf.Now, freshness.Microseconds())
	if err != nil {
		return nil, false, fmt.Errorf("model: outdated: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, false, fmt.Errorf("model: outdated: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("model: outdated: %w", err)
	}
	// data_until depends on freshness too (a merged unit that stopped
	// delivering before its valid_to, 30_model_fresh.sql): a changed
	// freshness moves it without any new file.
	moved, err := movedDataUntil(ctx, db, q, freshness)
	if err != nil {
		return nil, false, err
	}
	for _, p := range moved {
		if i, found := slices.BinarySearch(ps, p); !found {
			ps = slices.Insert(ps, i, p)
		}
	}
	return ps, n > 0, nil
}

// movedDataUntil lists the periods whose stored index_scores.data_until
// differs from what 30_model_fresh.sql gives under freshness now; none
// before the model was first built (no unit_covered).
func movedDataUntil(ctx context.Context, db Execer, q querier, freshness time.Duration) ([]string, error) {
	fresh, err := fs.ReadFile(cchcsql.Models, "models/30_model_fresh.sql")
	if err != nil {
		return nil, fmt.Errorf("model: outdated: %w", err)
	}
	var built int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'unit_covered' AND NOT temporary`).Scan(&built); err != nil {
		return nil, fmt.Errorf("model: outdated: %w", err)
	}
	if built == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT s.period FROM index_scores s LEFT JOIN (`+string(fresh)+`) f USING (period, unit_code)
		WHERE s.data_until IS DISTINCT FROM f.data_until ORDER BY 1`, freshness.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("model: outdated: %w", err)
	}
	defer rows.Close()
	var ps []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("model: outdated: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// parTables are the PAR model's output tables.
var parTables = []string{"par_criteria", "par_criterion_scores", "par_scores"}

// buildPARChanged runs BuildPAR and lists the periods whose PAR rows it
// changed, so that only their publications are written again.
func buildPARChanged(ctx context.Context, db Execer, q querier, convention string, par *PARMethodology, m *Methodology, asOf AsOf) ([]string, error) {
	for _, t := range parTables {
		if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE model_before_`+t+` AS SELECT * FROM `+t); err != nil {
			return nil, fmt.Errorf("model par: %w", err)
		}
	}
	if err := BuildPAR(ctx, db, convention, par, m, asOf); err != nil {
		return nil, err
	}
	var diff []string
	for _, t := range parTables {
		diff = append(diff, `(SELECT * FROM `+t+` EXCEPT ALL SELECT * FROM model_before_`+t+`)
			UNION ALL (SELECT * FROM model_before_`+t+` EXCEPT ALL SELECT * FROM `+t+`)`)
	}
	var sel []string
	for _, d := range diff {
		sel = append(sel, `SELECT DISTINCT period FROM (`+d+`)`)
	}
	rows, err := q.QueryContext(ctx, strings.Join(sel, " UNION ")+` ORDER BY period`)
	if err != nil {
		return nil, fmt.Errorf("model par: %w", err)
	}
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("model par: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("model par: %w", err)
	}
	for _, t := range parTables {
		if _, err := db.ExecContext(ctx, `DROP TABLE model_before_`+t); err != nil {
			return nil, fmt.Errorf("model par: %w", err)
		}
	}
	return out, nil
}
