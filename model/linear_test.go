package model

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	cchcsql "github.com/cchc/cchc/sql"
)

func TestSplitCounts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     []string
		counts []string
		exprs  []string
		ok     bool
	}{
		{name: "default numerator and denominator",
			in:     []string{"count(*) FILTER (WHERE received_in_period AND synced_national)", "count(*)"},
			counts: []string{"count(*) FILTER (WHERE received_in_period AND synced_national)", "count(*)"},
			exprs:  []string{"c1", "c2"}, ok: true},
		// The satisfaction rate of model/default.yaml: four counts, one
		// of them twice (the same call is one column).
		{name: "rate over counts",
			in: []string{`greatest(0, 1 - count(*) FILTER (WHERE outcome = 'late') / nullif(count(*) FILTER (WHERE finished_in_period), 0)
 - coalesce(count(*) FILTER (WHERE finished_in_period AND rating = 'dissatisfied') / nullif(count(*) FILTER (WHERE finished_in_period), 0), 0))`},
			counts: []string{"count(*) FILTER (WHERE outcome = 'late')", "count(*) FILTER (WHERE finished_in_period)",
				"count(*) FILTER (WHERE finished_in_period AND rating = 'dissatisfied')"},
			exprs: []string{`greatest(0, 1 - c1 / nullif(c2, 0)
 - coalesce(c3 / nullif(c2, 0), 0))`}, ok: true},
		{name: "case, spacing, comments and a string holding count(",
			in:     []string{"COUNT ( rating ) /* count(x) */ filter -- count(\n (where rating <> 'count(*)') * 1.0"},
			counts: []string{"COUNT ( rating ) /* count(x) */ filter -- count(\n (where rating <> 'count(*)')"},
			exprs:  []string{"c1 * 1.0"}, ok: true},
		{name: "a column named count is not a call",
			in: []string{"count(*) FILTER (WHERE \"count\" > 0)"}, counts: []string{"count(*) FILTER (WHERE \"count\" > 0)"},
			exprs: []string{"c1"}, ok: true},
		{name: "a constant", in: []string{"0.5"}, exprs: []string{"0.5"}, ok: true},
		{name: "CAST and IN", in: []string{"CAST(count(*) FILTER (WHERE status IN ('a', 'b')) AS DECIMAL(18, 2))"},
			counts: []string{"count(*) FILTER (WHERE status IN ('a', 'b'))"}, exprs: []string{"CAST(c1 AS DECIMAL(18, 2))"}, ok: true},
		// Not the sum of their parts: the outcomes are aggregated instead.
		{name: "sum", in: []string{"sum(CASE WHEN finished_in_period THEN 1 ELSE 0 END)"}},
		{name: "avg beside a count", in: []string{"count(*) + avg(supplement_days)"}},
		{name: "distinct", in: []string{"count(DISTINCT procedure_code)"}},
		{name: "distinct after a comment", in: []string{"count(/* x */ distinct procedure_code)"}},
		{name: "window", in: []string{"count(*) OVER ()"}},
		{name: "window after filter", in: []string{"count(*) FILTER (WHERE x) over (partition by y)"}},
		{name: "subquery", in: []string{"count(*) FILTER (WHERE unit_code IN (SELECT unit_code FROM units))"}},
		{name: "subquery outside", in: []string{"(select count(*) from units)"}},
		{name: "qualified count", in: []string{"main.count(*)"}},
		{name: "dollar string", in: []string{"count(*) FILTER (WHERE rating = $$x$$)"}},
		{name: "E string", in: []string{"count(*) FILTER (WHERE rating = E'x\\'')"}},
		{name: "unclosed", in: []string{"count(*"}},
		{name: "unclosed filter", in: []string{"count(*) FILTER (WHERE x"}},
		{name: "unclosed string", in: []string{"count(*) FILTER (WHERE x = 'a)"}},
		{name: "filter without parenthesis", in: []string{"count(*) FILTER WHERE x"}},
		{name: "one bad expression spoils all", in: []string{"count(*)", "max(received_at)"}},
		// Restated on another period's units, these would read that
		// period and those units, not the ones they were counted with.
		{name: "filter on the unit", in: []string{"count(*) FILTER (WHERE unit_code = received_unit_code)"}},
		{name: "filter on the period", in: []string{"count(*) FILTER (WHERE period LIKE '%-Q3')"}},
		{name: "quoted period in any case", in: []string{`count(*) FILTER (WHERE "Period" <> '')`}},
		{name: "counting the unit", in: []string{"count(UNIT_CODE)"}},
		{name: "the words in a string are fine", in: []string{"count(*) FILTER (WHERE rating <> 'period unit_code')"},
			counts: []string{"count(*) FILTER (WHERE rating <> 'period unit_code')"}, exprs: []string{"c1"}, ok: true},
		{name: "other period columns are fine", in: []string{"count(*) FILTER (WHERE received_at >= period_start AND received_unit_code <> '')"},
			counts: []string{"count(*) FILTER (WHERE received_at >= period_start AND received_unit_code <> '')"}, exprs: []string{"c1"}, ok: true},
		{name: "quoted function name", in: []string{`"sum"(x)`}},
		{name: "quoted count", in: []string{`"count" (*)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := splitCounts(tc.in)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v (%+v)", ok, tc.ok, c)
			}
			if !slices.Equal(c.counts, tc.counts) || !slices.Equal(c.exprs, tc.exprs) {
				t.Errorf("got counts %q exprs %q\nwant counts %q exprs %q", c.counts, c.exprs, tc.counts, tc.exprs)
			}
		})
	}
}

// colLike: the original already holds a text like a count column, which
// the round trip below would replace too.
var colLike = regexp.MustCompile(`[cC][0-9]`)

// FuzzSplitCounts: never panics; what it accepts puts every count call
// back when its columns are replaced by the calls, and the calls are
// themselves single counts.
func FuzzSplitCounts(f *testing.F) {
	for _, s := range []string{"count(*)", "count(*) FILTER (WHERE a = 'x')", "greatest(0, 1 - count(x) / nullif(count(*), 0))",
		"count(/* c */ *) filter -- x\n(where 'count(' <> \"count\")", "sum(x)", "count(DISTINCT x)", "E'x'", "$$", "count(*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, e string) {
		c, ok := splitCounts([]string{e})
		if !ok {
			return
		}
		if len(c.exprs) != 1 {
			t.Fatalf("%d expressions for 1", len(c.exprs))
		}
		back := c.exprs[0]
		for i := len(c.counts) - 1; i >= 0; i-- {
			back = strings.ReplaceAll(back, countColumn(i), c.counts[i])
		}
		if back != e && !colLike.MatchString(e) {
			t.Fatalf("rewritten %q does not give back %q (got %q)", c.exprs[0], e, back)
		}
		for _, call := range c.counts {
			if !strings.HasPrefix(strings.ToLower(call), "count") {
				t.Fatalf("call %q is not a count", call)
			}
			if inner, ok := splitCounts([]string{call}); !ok || len(inner.counts) != 1 || inner.exprs[0] != "c1" {
				t.Fatalf("call %q is not one count: %+v %v", call, inner, ok)
			}
			// Summed or left as written, the call stays one count the
			// counts' query can hold: one balanced expression.
			sum := countSum(call)
			if sum != call && !strings.HasPrefix(sum, "CAST(sum(CASE WHEN (") {
				t.Fatalf("countSum(%q) = %q", call, sum)
			}
			if end, ok := matchParen(sum, strings.IndexByte(sum, '(')); sum != call && (!ok || end != len(sum)) {
				t.Fatalf("countSum(%q) = %q: not one balanced call", call, sum)
			}
		}
	})
}

func TestCountSum(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Nothing to gain without FILTER: left as written.
		{"count(*)", "count(*)"},
		{"count(rating)", "count(rating)"},
		{"count(*) FILTER (WHERE finished_in_period)",
			"CAST(sum(CASE WHEN (finished_in_period) THEN 1 ELSE 0 END) AS BIGINT)"},
		{"COUNT(*)  filter ( where  a = 'x)' )",
			"CAST(sum(CASE WHEN (a = 'x)' ) THEN 1 ELSE 0 END) AS BIGINT)"},
		// count(x) counts the rows where x is not null.
		{"count(rating) FILTER (WHERE finished_in_period)",
			"CAST(sum(CASE WHEN (finished_in_period) AND (rating) IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)"},
		// A line comment keeps its line break, so the parenthesis after it stays code.
		{"count(*) FILTER (WHERE a -- the late ones\n)",
			"CAST(sum(CASE WHEN (a -- the late ones\n) THEN 1 ELSE 0 END) AS BIGINT)"},
		{"count(DISTINCT x) FILTER (WHERE a)", "count(DISTINCT x) FILTER (WHERE a)"},
		{"count(ALL x) FILTER (WHERE a)", "count(ALL x) FILTER (WHERE a)"},
		{"count(*) FILTER (a)", "count(*) FILTER (a)"},
		{"count(*) FILTER (WHERE a) OVER ()", "count(*) FILTER (WHERE a) OVER ()"},
		// count() is count(*); a comment beside the star is no argument.
		{"count() FILTER (WHERE a)", "CAST(sum(CASE WHEN (a) THEN 1 ELSE 0 END) AS BIGINT)"},
		{"count(/*all*/ * ) FILTER (WHERE a)", "CAST(sum(CASE WHEN (a) THEN 1 ELSE 0 END) AS BIGINT)"},
		// An ORDER BY inside the call is no expression to test for NULL.
		{"count(x ORDER BY s) FILTER (WHERE a)", "count(x ORDER BY s) FILTER (WHERE a)"},
		// The condition stays whole under AND.
		{"count(x) FILTER (WHERE a OR b)",
			"CAST(sum(CASE WHEN (a OR b) AND (x) IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)"},
	} {
		if got := countSum(tc.in); got != tc.want {
			t.Errorf("countSum(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestCountSumCountsAlike runs each form of the count and its countSum
// over rows where the condition and the counted column are true, false
// and NULL, in groups where nothing counts. Expected, by hand, per group
// g (rows: a, x):
//
//	g=1: (t,1) (t,NULL) (f,2) (NULL,3)  count(*) FILTER (a) = 2, count(x) FILTER (a) = 1
//	g=2: (f,1) (NULL,NULL)              both 0 (no row counts: 0, not NULL)
func TestCountSumCountsAlike(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	rows := `(VALUES (1, true, 1), (1, true, NULL), (1, false, 2), (1, NULL, 3), (2, false, 1), (2, NULL, NULL)) t(g, a, x)`
	for _, c := range []struct {
		call string
		want [2]int64
	}{
		{"count(*) FILTER (WHERE a)", [2]int64{2, 0}},
		{"count(x) FILTER (WHERE a)", [2]int64{1, 0}},
		{"count(x) FILTER (WHERE NOT a)", [2]int64{1, 1}},
		// count() is count(*): g=1 as the first case.
		{"count() FILTER (WHERE a)", [2]int64{2, 0}},
		// g=1: (t,1) counts; (t,NULL) has no x; (f,2) fails both; (NULL,3):
		// NULL OR true is true and x is 3, so 2. g=2: false OR false,
		// NULL OR NULL: 0.
		{"count(x) FILTER (WHERE a OR x = 3)", [2]int64{2, 0}},
		// Left as written (ORDER BY), and still runs.
		{"count(x ORDER BY x) FILTER (WHERE a)", [2]int64{1, 0}},
	} {
		for _, q := range []string{c.call, countSum(c.call)} {
			var got [2]int64
			var typ string
			if err := db.QueryRow(`SELECT list(n ORDER BY g)[1], list(n ORDER BY g)[2], any_value(typeof(n)) FROM (SELECT g, `+q+` AS n FROM `+rows+` GROUP BY g)`).Scan(&got[0], &got[1], &typ); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if got != c.want || typ != "BIGINT" {
				t.Errorf("%s: got %v (%s), want %v (BIGINT)", q, got, typ, c.want)
			}
		}
	}
	// The counts' query of the default methodology holds no FILTER clause
	// left: every count(*) FILTER of 20_outcome_counts.sql and of the
	// indicators became a sum.
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	p, err := planCounts(cchcsql.Models, m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(p.query), "FILTER") {
		t.Errorf("the counts' query still filters:\n%s", p.query)
	}
}

func TestSumFilteredCounts(t *testing.T) {
	sum := func(c string) string { return "CAST(sum(CASE WHEN (" + c + ") THEN 1 ELSE 0 END) AS BIGINT)" }
	for _, tc := range []struct{ in, want string }{
		{"SELECT count(*) FILTER (WHERE a) AS n, count(*) FILTER (WHERE b) AS m",
			"SELECT " + sum("a") + " AS n, " + sum("b") + " AS m"},
		{"count(*) AS n", "count(*) AS n"},
		// Inside a longer or qualified name: another function.
		{"my_count(*) FILTER (WHERE a)", "my_count(*) FILTER (WHERE a)"},
		{"s.count(*) FILTER (WHERE a)", "s.count(*) FILTER (WHERE a)"},
		// A window keeps its FILTER; the next call is still summed.
		{"count(*) FILTER (WHERE a) OVER (), count(*) FILTER (WHERE b)",
			"count(*) FILTER (WHERE a) OVER (), " + sum("b")},
		// Unclosed: left as written.
		{"count(*) FILTER (WHERE a", "count(*) FILTER (WHERE a"},
	} {
		if got := sumFilteredCounts(tc.in); got != tc.want {
			t.Errorf("sumFilteredCounts(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
