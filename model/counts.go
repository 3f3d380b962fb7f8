package model

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
)

// mergeRun is the id of the run whose merge left merge_run and
// dossier_removed (the full rows of every version it removed), temporary
// tables of the run's commit (sql/merge/dossiers*.sql).
func mergeRun(ctx context.Context, db Execer) (int64, error) {
	var run int64
	if err := db.QueryRowContext(ctx, `SELECT run_id FROM merge_run`).Scan(&run); err != nil {
		return 0, fmt.Errorf("model: the run's id (merge_run): %w", err)
	}
	return run, nil
}

// addedDossiers are the versions the run's merge added: its own rows. The
// run id is a literal so that DuckDB skips the row groups of earlier runs
// by their statistics (a subquery would read run_id of every dossier).
func addedDossiers(run int64) string {
	return fmt.Sprintf("(SELECT * FROM dossiers WHERE run_id = %d)", run)
}

// relabelCounts gives each row of outcome_counts the unit standing for its
// receiving unit in its period by the current unit_attribution (the
// receiving unit itself outside the registry), as 10_dossier_outcomes.sql
// attributes the dossiers: counts kept across a registry change that moves
// who stands for whom equal a recount. Within a period the receiving unit
// decides the standing one, so no two rows meet under one key. It returns
// the rows relabelled.
func relabelCounts(ctx context.Context, db Execer) (int64, error) {
	res, err := db.ExecContext(ctx, `UPDATE outcome_counts SET unit_code = r.standing
		FROM (SELECT o.period, o.received_unit_code, coalesce(a.standing_unit_code, o.received_unit_code) AS standing
			FROM (SELECT DISTINCT period, received_unit_code FROM outcome_counts) o
			LEFT JOIN unit_attribution a ON a.period = o.period AND a.unit_code = o.received_unit_code) r
		WHERE outcome_counts.period = r.period AND outcome_counts.received_unit_code = r.received_unit_code
			AND outcome_counts.unit_code IS DISTINCT FROM r.standing`)
	if err != nil {
		return 0, fmt.Errorf("model outcome_counts (relabel): %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("model outcome_counts (relabel): %w", err)
	}
	return n, nil
}

// countKeys are the columns outcome_counts is grouped by.
const countKeys = "period, unit_code, received_unit_code, field"

// countsVersion is raised by hand when the Go that makes or updates the
// counts changes what they hold (outcomeViews, updateCounts,
// updateCovered): counts kept from an earlier version are then made
// again, as the SQL files' changes do through the stamp's hash.
const countsVersion = 1

// countPlan is what the model counts per period, unit, receiving unit and
// field (outcome_counts) for a methodology.
type countPlan struct {
	// linear: the indicators are computed from the counts (every
	// expression is counts under scalar functions); otherwise from the
	// outcomes, every period they reach whole.
	linear bool
	// counted holds the count calls and the rewritten expressions, in the
	// order of indicatorExprs.
	counted counted
	// query is 20_outcome_counts.sql for these counts, {outcomes} left.
	query string
	// stamp identifies query, the outcome views it reads and the
	// warehouse's schema version: outcome_counts built under another one
	// (an older cchc, another methodology, a migration since) is rebuilt
	// whole.
	stamp string
}

// indicatorExprs lists the expressions of m in a fixed order: per
// indicator, numerator, denominator and the rate when given.
func indicatorExprs(m *Methodology) []string {
	var out []string
	for _, g := range m.Groups {
		for _, ind := range g.Indicators {
			out = append(out, ind.Numerator, ind.Denominator)
			if strings.TrimSpace(ind.Rate) != "" {
				out = append(out, ind.Rate)
			}
		}
	}
	return out
}

// planCounts plans the counts of m with the model SQL of sqlFS
// (cchcsql.Models; a test gives another).
func planCounts(sqlFS fs.FS, m *Methodology) (countPlan, error) {
	body, err := fs.ReadFile(sqlFS, "models/20_outcome_counts.sql")
	if err != nil {
		return countPlan{}, fmt.Errorf("model 20_outcome_counts.sql: %w", err)
	}
	var p countPlan
	p.counted, p.linear = splitCounts(indicatorExprs(m))
	var counts strings.Builder
	if p.linear {
		for i, c := range p.counted.counts {
			fmt.Fprintf(&counts, ",\n    %s AS %s", countSum(c), countColumn(i))
		}
	}
	p.query = strings.ReplaceAll(sumFilteredCounts(string(body)), "{counts}", counts.String())
	// What the counts count is the outcomes' rules too: counts made by a
	// cchc whose outcome views differ are not added to.
	h := sha256.New()
	h.Write([]byte(p.query))
	h.Write([]byte(coveredExpr)) // unit_covered is kept with the counts
	for _, name := range []string{"models/09_outcome_units.sql", "models/10_dossier_outcomes.sql"} {
		b, err := fs.ReadFile(sqlFS, name)
		if err != nil {
			return countPlan{}, fmt.Errorf("model %s: %w", name, err)
		}
		h.Write(b)
	}
	sum := h.Sum(nil)
	p.stamp = fmt.Sprintf("outcome_counts %s v%d", hex.EncodeToString(sum[:8]), countsVersion)
	return p, nil
}

// sumFilteredCounts writes each count(*) FILTER (WHERE …) of the counts'
// query as countSum does: the file keeps the form that reads as what it
// counts. It reads the query's own spelling (the file is cchc's): a call
// inside a longer name (my_count) or followed by OVER is left as written.
func sumFilteredCounts(q string) string {
	const call = "count(*) FILTER ("
	var b strings.Builder
	for {
		i := strings.Index(q, call)
		if i < 0 {
			break
		}
		end, ok := matchParen(q, i+len(call)-1)
		if !ok {
			break
		}
		b.WriteString(q[:i])
		if i > 0 && (isIdent(q[i-1]) || q[i-1] == '.') || wordAt(q, skipSpace(q, end)) == "over" {
			b.WriteString(q[i:end])
		} else {
			b.WriteString(countSum(q[i:end]))
		}
		q = q[end:]
	}
	b.WriteString(q)
	return b.String()
}

// countsCurrent reports whether outcome_counts exists and was built by p,
// and which state of the dossiers it counts (dossiersSeen when it was last
// brought up to date). Both are in the table's comment: "…; <stamp>;
// dossiers <seen>".
func countsCurrent(ctx context.Context, db Execer, p countPlan) (current bool, seen string, err error) {
	// unit_covered is kept with the counts (updateCovered): both or none.
	var tables int
	var comment string
	if err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(any_value(comment) FILTER (WHERE table_name = 'outcome_counts'), '')
		FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main' AND table_name IN ('outcome_counts', 'unit_covered')`).Scan(&tables, &comment); err != nil {
		return false, "", fmt.Errorf("model outcome_counts: %w", err)
	}
	if tables != 2 {
		return false, "", nil
	}
	_, rest, ok := strings.Cut(comment, "; "+p.stamp+"; dossiers ")
	return ok, rest, nil
}

// dossiersSeen identifies the state of the dossiers table for the counts:
// its rows and the newest run among them. Only runs write dossiers, each
// under an id above every earlier one, so a run that adds a version raises
// the newest run and one that only removes versions lowers the rows; and a
// full refresh reloads every row under its own id.
func dossiersSeen(ctx context.Context, db Execer) (string, error) {
	var n, run int64
	if err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(run_id), 0) FROM dossiers`).Scan(&n, &run); err != nil {
		return "", fmt.Errorf("model: %w", err)
	}
	return dossiersState(n, run), nil
}

// dossiersState is how the counts' comment records a state of dossiers:
// its rows and its newest run (dossiersSeen and dossiersBefore must
// write it alike, or no delta would ever apply).
func dossiersState(rows, newestRun int64) string {
	return fmt.Sprintf("%d rows, run %d", rows, newestRun)
}

// changesLeft reports whether the run's commit left the tables a delta
// reads: dossier_changes, dossier_removed and merge_run.
func changesLeft(ctx context.Context, db Execer) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE temporary AND table_name IN ('dossier_changes', 'dossier_removed', 'merge_run')`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("model: %w", err)
	}
	return n == 3, nil
}

// dossiersBefore is dossiersSeen as it was before the run whose changes
// merge_run and dossier_removed describe: without the versions the run
// added, with those it removed. A delta applies only to counts that
// recorded exactly that state.
func dossiersBefore(ctx context.Context, db Execer, run int64) (string, error) {
	var n, newest int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE run_id <> $1) + (SELECT count(*) FROM dossier_removed),
		coalesce(greatest(max(run_id) FILTER (WHERE run_id <> $1), (SELECT max(run_id) FROM dossier_removed)), 0)
		FROM dossiers`, run).Scan(&n, &newest); err != nil {
		return "", fmt.Errorf("model: %w", err)
	}
	return dossiersState(n, newest), nil
}

// updateCounts brings outcome_counts up to date as counts says: counts
// every period of model_periods anew (CountsAnew), adds the counts of the
// run's added versions and subtracts those of its removed ones
// (CountsDelta; with grown, the new periods of model_new_periods are
// counted from every dossier), or leaves them (CountsKept). The comment records the
// plan's stamp and seen, the dossiers' state now counted.
func updateCounts(ctx context.Context, db Execer, p countPlan, counts string, grown bool, seen string) error {
	exec := func(q string) error {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("model outcome_counts (20_outcome_counts.sql): %w", err)
		}
		return nil
	}
	over := func(outcomes string) string { return strings.ReplaceAll(p.query, "{outcomes}", outcomes) }
	comment := func() error {
		return exec("COMMENT ON TABLE outcome_counts IS " + quote("Số hồ sơ theo kỳ, đơn vị, đơn vị tiếp nhận, lĩnh vực (mô hình dùng nội bộ) / "+
			"Outcome counts per period, unit, receiving unit and field (the model's own; not a contract table); "+p.stamp+"; dossiers "+seen))
	}
	switch counts {
	case CountsKept:
		return nil
	case CountsAnew:
		if err := exec("CREATE OR REPLACE TABLE outcome_counts AS " + over("model_outcomes")); err != nil {
			return err
		}
		return comment()
	}
	// A key's new counts are its old ones plus the added versions' minus
	// the removed ones'; a key left with no dossier (received_total, the
	// count(*), is 0) goes, as a full build would not make it.
	const rest = "COLUMNS(* EXCLUDE (" + countKeys + "))"
	// New periods (model_new_periods) hold no counts yet: theirs are every
	// dossier's.
	newPeriods := ""
	if grown {
		newPeriods = "\n\t\tUNION ALL\n\t\tSELECT * FROM (" + over("model_new_outcomes") + ")"
	}
	if err := exec(`CREATE OR REPLACE TEMP TABLE model_delta AS
		SELECT * FROM (` + over("model_added_outcomes") + `)
		UNION ALL
		SELECT ` + countKeys + `, -` + rest + ` FROM (` + over("model_removed_outcomes") + `)` + newPeriods + `;
		CREATE OR REPLACE TEMP TABLE model_delta_keys AS SELECT DISTINCT ` + countKeys + ` FROM model_delta;
		CREATE OR REPLACE TEMP TABLE model_counts_new AS
		SELECT ` + countKeys + `, CAST(sum(` + rest + `) AS BIGINT)
		FROM (SELECT o.* FROM outcome_counts o JOIN model_delta_keys k USING (` + countKeys + `)
			UNION ALL SELECT * FROM model_delta)
		GROUP BY ` + countKeys); err != nil {
		return err
	}
	// Subtracting what a removed version counted can only leave a count
	// below zero if the counts no longer match the dossiers. Then fail:
	// the run is partial and the next run rebuilds the model whole.
	// (least over the unpacked columns: an UNPIVOT of every count took
	// ten times as long.)
	var negative int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM model_counts_new WHERE least(*`+rest+`) < 0`).Scan(&negative); err != nil {
		return fmt.Errorf("model outcome_counts: %w", err)
	}
	if negative > 0 {
		return fmt.Errorf("model outcome_counts: the counts of %d keys (period, unit, receiving unit, field) would fall below zero: the counts kept no longer match the dossiers (the next run rebuilds the model whole)", negative)
	}
	if err := exec(`DELETE FROM model_counts_new WHERE received_total = 0;
		DELETE FROM outcome_counts WHERE EXISTS (SELECT 1 FROM model_delta_keys k
			WHERE k.period = outcome_counts.period AND k.unit_code = outcome_counts.unit_code
			AND k.received_unit_code = outcome_counts.received_unit_code AND k.field = outcome_counts.field);
		INSERT INTO outcome_counts SELECT * FROM model_counts_new;
		DROP TABLE model_delta; DROP TABLE model_delta_keys; DROP TABLE model_counts_new`); err != nil {
		return err
	}
	return comment()
}

// countSums is the methodology's counts of each unit in the periods
// model_periods, as the columns c1 … cN the rewritten expressions read.
func countSums(p countPlan) string {
	var b strings.Builder
	b.WriteString("SELECT period, unit_code")
	for i := range p.counted.counts {
		fmt.Fprintf(&b, ", CAST(sum(%[1]s) AS BIGINT) AS %[1]s", countColumn(i))
	}
	b.WriteString(" FROM outcome_counts WHERE period IN (SELECT period FROM model_periods) GROUP BY period, unit_code")
	return b.String()
}

// countSumsRestated is countSums for the periods of model_restate over the
// counts of their previous periods, restated on their units: each
// receiving unit's counts go to the unit standing for it at the period's
// end (as dossier_outcomes_restated does, 10_dossier_outcomes.sql).
func countSumsRestated(p countPlan) string {
	var b strings.Builder
	b.WriteString(`WITH ca AS (
    SELECT cur.period, cur.previous_period, a.unit_code, a.standing_unit_code
    FROM model_restate cur JOIN unit_attribution a ON a.period = cur.period
    UNION ALL
    SELECT cur.period, cur.previous_period, u.unit_code, NULL
    FROM model_restate cur, (SELECT DISTINCT received_unit_code AS unit_code FROM outcome_counts
        WHERE received_unit_code NOT IN (SELECT unit_code FROM unit_attribution)) u
)
SELECT ca.period AS period, coalesce(ca.standing_unit_code, o.received_unit_code) AS unit_code`)
	for i := range p.counted.counts {
		fmt.Fprintf(&b, ", CAST(sum(o.%[1]s) AS BIGINT) AS %[1]s", countColumn(i))
	}
	b.WriteString(` FROM outcome_counts o JOIN ca ON ca.previous_period = o.period AND ca.unit_code = o.received_unit_code
GROUP BY ca.period, coalesce(ca.standing_unit_code, o.received_unit_code)`)
	return b.String()
}

// coveredExpr is how far a dossier version reaches: its newest moment
// (received, finished or returned).
const coveredExpr = "greatest(received_at, coalesce(finished_at, received_at), coalesce(returned_at, received_at))"

// updateCovered brings unit_covered, how far each unit code's dossiers
// reach (30_model_fresh.sql reads it for data_until), up to date as counts
// says, in step with outcome_counts: anew from every dossier; by a delta
// (added: the run's versions, addedDossiers),
// the newest of the old reach and the added versions', except for the
// units a removed version may have given their reach and no added one
// reaches, read again from their dossiers; kept as it is.
func updateCovered(ctx context.Context, db Execer, counts, added string) error {
	exec := func(q string) error {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("model unit_covered: %w", err)
		}
		return nil
	}
	switch counts {
	case CountsKept:
		return nil
	case CountsAnew:
		if err := exec(`CREATE OR REPLACE TABLE unit_covered AS
			SELECT unit_code, max(` + coveredExpr + `) AS covered FROM dossiers GROUP BY unit_code`); err != nil {
			return err
		}
		return exec("COMMENT ON TABLE unit_covered IS " + quote("Thời điểm mới nhất trong hồ sơ của mỗi mã đơn vị (mô hình dùng nội bộ) / "+
			"The newest moment in each unit code's dossiers (the model's own, kept with outcome_counts; not a contract table)"))
	}
	// A unit is read again only when a removed version may have held its
	// newest moment and no added version reaches it: a redelivered
	// dossier replaces its version even unchanged, so the removed one
	// often held it.
	return exec(`CREATE OR REPLACE TEMP TABLE model_covered_added AS
		SELECT unit_code, max(` + coveredExpr + `) AS covered FROM ` + added + ` GROUP BY unit_code;
		CREATE OR REPLACE TEMP TABLE model_covered_lost AS
		SELECT DISTINCT r.unit_code FROM dossier_removed r JOIN unit_covered u ON u.unit_code = r.unit_code
		WHERE ` + coveredExpr + ` >= u.covered
			AND NOT EXISTS (SELECT 1 FROM model_covered_added a WHERE a.unit_code = r.unit_code AND a.covered >= u.covered);
		CREATE OR REPLACE TEMP TABLE model_covered AS
		SELECT unit_code, max(covered) AS covered FROM (
			SELECT * FROM unit_covered u WHERE NOT EXISTS (SELECT 1 FROM model_covered_lost l WHERE l.unit_code = u.unit_code)
			UNION ALL
			SELECT * FROM model_covered_added
			UNION ALL
			SELECT unit_code, max(` + coveredExpr + `) FROM dossiers d
			WHERE EXISTS (SELECT 1 FROM model_covered_lost l WHERE l.unit_code = d.unit_code) GROUP BY unit_code)
		GROUP BY unit_code;
		DELETE FROM unit_covered WHERE NOT EXISTS (SELECT 1 FROM model_covered m
			WHERE m.unit_code = unit_covered.unit_code AND m.covered = unit_covered.covered);
		INSERT INTO unit_covered SELECT * FROM model_covered m WHERE NOT EXISTS (SELECT 1 FROM unit_covered u
			WHERE u.unit_code = m.unit_code);
		DROP TABLE model_covered_added; DROP TABLE model_covered_lost; DROP TABLE model_covered`)
}
