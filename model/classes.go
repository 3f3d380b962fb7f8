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
// the citizen (f_waiting), having a due date, and the reporting month in
// which each of their instants (received, finished, due end) falls. The
// views compare those instants only with period boundaries, which are all
// the starts of reporting months (periods.Parse), so any two instants of
// one month compare alike with each; a class carries its members'
// earliest instants. An instant the counts' query names itself is a
// column of the class, not its month.

// classInstants are the instants the outcome views compare with period
// boundaries: the column of the facts and the name under which the views
// expose it (a counts' query naming either keeps the instant whole).
var classInstants = []struct{ column, exposed string }{
	{"received_at", "received_at"},
	{"finished_at", "finished_at"},
	{"f_due_end", "due_end"},
	{"f_effective_finish", "effective_finish"},
	{"due_at", "due_at"},
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

// classesQuery is the statement making the temporary table model_classes
// from facts (08_dossier_facts.sql over the dossiers), for the counts'
// query (weightedCounts' source) over dossiers with the given columns.
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
	var keys, aggs []string
	for _, in := range classInstants {
		if named[in.column] || named[in.exposed] {
			whole[in.column] = true
			continue
		}
		aggs = append(aggs, fmt.Sprintf("min(%[1]s) AS %[1]s", in.column))
		if in.column == "due_at" {
			keys = append(keys, "due_at IS NULL AS f_class_no_due")
		} else {
			keys = append(keys, fmt.Sprintf("%s AS f_class_%s", monthOf(in.column, convention), strings.TrimPrefix(in.column, "f_")))
		}
	}
	var cols []string
	for c := range whole {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	cols = append(cols, "f_resolved", "f_waiting")
	return "CREATE OR REPLACE TEMP TABLE model_classes AS SELECT " + strings.Join(append(append(cols, keys...), aggs...), ", ") +
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
