package model

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cchc/cchc/periods"
)

// Counting every dossier anew (a first load, a recount) groups the
// dossiers into classes before the join with the periods: dossiers of one
// unit code whose outcome in every period is the same and that every
// count counts alike are one row with their number as weight. The join
// and the counts then read about a third of the rows (1.7M classes of 5M
// dossiers in the bench's export; BENCHMARKS.md).
//
// Two dossiers count alike when they agree on every column of theirs the
// counts' query names, and on the facts of 08_dossier_facts.sql that the
// outcome views read: the outcome once finished (f_resolved), waiting for
// the citizen (f_waiting), and the reporting month in which each of their
// instants (received, finished, due end) falls. The views compare those
// instants only with period boundaries, which are all starts of reporting
// months (periods.Parse), and t < B exactly when the start of t's month
// is before B: so a class carries the months' starts as its instants. Of
// due_at the views ask only whether it is missing, as the due end is.
// An instant the counts' query names itself stays whole, and the
// effective finish, which the views only show, is left empty unless it
// is named.

// classInstants are the instants the outcome views compare with period
// boundaries, with the name under which the views show each (a counts'
// query naming either keeps the instant whole).
var classInstants = []struct{ column, shown string }{
	{"received_at", "received_at"},
	{"finished_at", "finished_at"},
	{"f_due_end", "due_end"},
}

// weightedCounts is the counts' query over classes: each count(*) a sum
// of the classes' weights, as BIGINT and 0 where no class counts (as
// count(*) gives). It is "" when the query counts otherwise (count(x),
// count(DISTINCT …)): then the dossiers are counted one by one.
func weightedCounts(p countPlan) string {
	for _, c := range p.counted.counts {
		if !countStar.MatchString(c) {
			return ""
		}
	}
	q := countStar.ReplaceAllString(p.query, "sum(weight)")
	if countAny.MatchString(q) {
		return ""
	}
	return "SELECT " + countKeys + ", CAST(coalesce(COLUMNS(* EXCLUDE (" + countKeys + ")), 0) AS BIGINT) FROM (" + q + ")"
}

var (
	// countStar is the head of a count call the classes can weigh.
	countStar = regexp.MustCompile(`(?i)\bcount\s*\(\s*\*\s*\)`)
	// countAny is any count call.
	countAny = regexp.MustCompile(`(?i)\bcount\s*\(`)
	words    = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
)

// monthOf is the SQL for the start of the reporting month holding the
// instant x under convention: every period boundary is such a start.
func monthOf(x, convention string) string {
	if convention == periods.Decree09 {
		// A month runs from the 15th of the one before (periods.monthStart).
		return "date_trunc('month', " + x + " - INTERVAL 14 DAY) + INTERVAL 14 DAY"
	}
	return "date_trunc('month', " + x + ")"
}

// classesQuery is the query of the classes of dossiers that count alike,
// from facts (08_dossier_facts.sql over the dossiers), for the counts'
// query (weightedCounts' source) over dossiers with the given columns. It
// is not stored: the join reads the classes straight from the grouping (a
// temporary table of them held the 5M-row bench's 1.7M classes twice).
func classesQuery(facts, countsQuery string, columns []string, convention string) string {
	named := map[string]bool{}
	for _, w := range words.FindAllString(countsQuery, -1) {
		named[strings.ToLower(w)] = true
	}
	whole := map[string]bool{"unit_code": true, "field": true}
	for _, c := range columns {
		if named[strings.ToLower(c)] {
			whole[c] = true
		}
	}
	var instants []string
	for _, in := range classInstants {
		if named[in.column] || named[in.shown] {
			whole[in.column] = true
			continue
		}
		instants = append(instants, fmt.Sprintf("%s AS %s", monthOf(in.column, convention), in.column))
	}
	if !whole["due_at"] {
		// Missing exactly when the due end is.
		instants = append(instants, "CASE WHEN due_at IS NULL THEN NULL ELSE "+monthOf("f_due_end", convention)+" END AS due_at")
	}
	if !named["effective_finish"] && !named["f_effective_finish"] {
		instants = append(instants, "CAST(NULL AS TIMESTAMP) AS f_effective_finish")
	} else {
		whole["f_effective_finish"] = true
	}
	var cols []string
	for c := range whole {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	cols = append(cols, "f_resolved", "f_waiting")
	return "SELECT " + strings.Join(append(cols, instants...), ", ") +
		", CAST(count(*) AS DOUBLE) AS weight FROM (" + facts + ") GROUP BY ALL"
}

// relationColumns lists the columns of a table or view.
func relationColumns(ctx context.Context, q querier, name string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+name+" LIMIT 0")
	if err != nil {
		return nil, fmt.Errorf("model: columns of %s: %w", name, err)
	}
	defer rows.Close()
	return rows.Columns()
}
