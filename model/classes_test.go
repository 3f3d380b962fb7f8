package model

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/cchc/cchc/periods"
	cchcsql "github.com/cchc/cchc/sql"
)

// monthOf puts an instant in the reporting month that holds it: for every
// period boundary B, t < B exactly when monthOf(t) < B. Checked in DuckDB
// for instants at and around every boundary of 2025 and 2026 (a
// microsecond, a second, a day and 13 and 14 days either side: decree09's
// months start on the 15th), under both conventions.
func TestMonthOfBoundaries(t *testing.T) {
	db := openWarehouse(t).DB()
	for _, conv := range []string{periods.Calendar, periods.Decree09} {
		var bounds []string
		for y := 2025; y <= 2026; y++ {
			for m := 1; m <= 12; m++ {
				p, err := periods.Parse(fmt.Sprintf("%d-%02d", y, m), conv)
				if err != nil {
					t.Fatal(err)
				}
				bounds = append(bounds, "TIMESTAMP '"+p.Start.Format("2006-01-02 15:04:05")+"'", "TIMESTAMP '"+p.End.Format("2006-01-02 15:04:05")+"'")
			}
		}
		list := strings.Join(bounds, ", ")
		q := `WITH b AS (SELECT unnest([` + list + `]) AS b),
			d AS (SELECT unnest([INTERVAL 0 DAY, INTERVAL 1 MICROSECOND, -INTERVAL 1 MICROSECOND, INTERVAL 1 SECOND, -INTERVAL 1 SECOND,
				INTERVAL 1 DAY, -INTERVAL 1 DAY, INTERVAL 13 DAY, -INTERVAL 13 DAY, INTERVAL 14 DAY, -INTERVAL 14 DAY]) AS d),
			i AS (SELECT b + d AS t FROM b, d),
			m AS (SELECT t, ` + monthOf("t", conv) + ` AS mt FROM i)
			SELECT count(*) FILTER (WHERE (m.t < b.b) <> (m.mt < b.b)), count(*) FROM m, b`
		var wrong, all int
		if err := db.QueryRow(q).Scan(&wrong, &all); err != nil {
			t.Fatal(err)
		}
		if wrong != 0 || all < 10000 {
			t.Errorf("%s: %d of %d comparisons differ", conv, wrong, all)
		}
	}
}

// Classes group by what the counts' query names: the default methodology
// names no instant, so the instants go by their reporting month; a
// methodology counting by received_at keeps it whole. A count(x) cannot
// be weighed.
func TestClassesQuery(t *testing.T) {
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	p, err := planCounts(cchcsql.Models, m)
	if err != nil {
		t.Fatal(err)
	}
	if p.weighted == "" {
		t.Fatal("the default methodology's counts cannot be weighed")
	}
	cols := []string{"dossier_code", "unit_code", "field", "channel", "received_at", "due_at", "finished_at", "status", "rating",
		"synced_national", "source", "procedure_code"}
	q := classesQuery("F", p.query, cols, periods.Calendar)
	for _, want := range []string{"date_trunc('month', received_at) AS received_at", "date_trunc('month', f_due_end) AS f_due_end",
		"CAST(NULL AS TIMESTAMP) AS f_effective_finish", "channel", "status", "rating", "synced_national"} {
		if !strings.Contains(q, want) {
			t.Errorf("classes query lacks %q:\n%s", want, q)
		}
	}
	for _, not := range []string{"dossier_code", "procedure_code", "source,"} {
		if strings.Contains(q, not) {
			t.Errorf("classes query groups by %q:\n%s", not, q)
		}
	}
	p.query = strings.Replace(p.query, "count(*) AS received_total", "count(*) FILTER (WHERE received_at > period_start + INTERVAL 5 DAY) AS late_received, count(*) AS received_total", 1)
	q = classesQuery("F", p.query, cols, periods.Decree09)
	if strings.Contains(q, "AS received_at") || !strings.Contains(q, "date_trunc('month', finished_at - INTERVAL 14 DAY) + INTERVAL 14 DAY AS finished_at") {
		t.Errorf("received_at named by the counts is not kept whole:\n%s", q)
	}
	p.query = strings.Replace(p.query, "count(*) AS received_total", "count(rating) AS rated, count(*) AS received_total", 1)
	if weightedCounts(p) != "" {
		t.Error("a count(x) is weighed")
	}
}

// Counting every dossier anew from classes gives the same outcome_counts
// as counting them one by one, under both conventions, on dossiers whose
// instants fall at and around the period boundaries, with every outcome,
// missing values, a unit code outside the registry and a merger.
func TestClassesCountAlike(t *testing.T) {
	for _, conv := range []string{periods.Calendar, periods.Decree09} {
		t.Run(conv, func(t *testing.T) {
			db := loadMerger(t)
			// 4,000 dossiers of the merger's units and of one code outside
			// the registry; instants around the 1st and the 15th of each
			// month of 2025-06 … 2026-03, to the microsecond. Dossiers i,
			// i + 1,500 and i + 3,000 differ only by their code and a
			// microsecond or two, which can move an instant across a
			// boundary: some fall in one class, some not.
			if _, err := db.Exec(`INSERT INTO dossiers (dossier_code, unit_code, field, channel, received_at, due_at, finished_at, status,
				supplement_requests, supplement_days, rating, fee_required, paid_online, synced_national, digitized_dossier, digitized_result, reused_data,
				source, source_file, source_row, file_sha256, run_id, loaded_at)
				WITH g AS (SELECT i, hash(i % 1500) AS h FROM range(4000) r(i)),
				b AS (SELECT i, h, TIMESTAMP '2025-06-01' + to_months(CAST(h % 10 AS INTEGER)) + to_days(CAST([0, 14][1 + CAST(h >> 4 AS BIGINT) % 2] AS INTEGER))
					+ [INTERVAL 0 DAY, -INTERVAL 1 MICROSECOND, INTERVAL 1 MICROSECOND, INTERVAL 9 HOUR, -INTERVAL 1 DAY, INTERVAL 3 DAY][1 + CAST(h >> 8 AS BIGINT) % 6]
					+ to_microseconds(i // 1500) AS r FROM g)
				SELECT 'X-' || i, ['X.A', 'X.B', 'X.AB', 'X.C', 'H.D', 'ZZ'][1 + CAST(h >> 12 AS BIGINT) % 6],
					CASE WHEN (h >> 14) % 5 = 0 THEN NULL ELSE ['Hộ tịch', 'Đất đai'][1 + CAST(h >> 16 AS BIGINT) % 2] END,
					['online', 'direct', 'postal'][1 + CAST(h >> 18 AS BIGINT) % 3],
					r,
					CASE WHEN (h >> 20) % 7 = 0 THEN NULL WHEN (h >> 20) % 2 = 0 THEN date_trunc('day', r) + to_days(CAST((h >> 22) % 40 AS INTEGER))
						ELSE r + to_days(CAST((h >> 22) % 40 AS INTEGER)) + INTERVAL 3 HOUR END,
					CASE WHEN (h >> 28) % 4 = 0 THEN NULL ELSE r + to_days(CAST((h >> 30) % 50 AS INTEGER)) + [INTERVAL 0 DAY, -INTERVAL 1 MICROSECOND, INTERVAL 5 HOUR][1 + CAST(h >> 36 AS BIGINT) % 3] END,
					['resolved', 'rejected', 'withdrawn', 'stopped', 'supplement_requested', 'processing'][1 + CAST(h >> 38 AS BIGINT) % 6],
					CAST((h >> 41) % 3 AS INTEGER), [0, 0.5, 2, NULL][1 + CAST(h >> 43 AS BIGINT) % 4],
					[NULL, 'satisfied', 'dissatisfied'][1 + CAST(h >> 45 AS BIGINT) % 3],
					[NULL, true, false][1 + CAST(h >> 47 AS BIGINT) % 3], [NULL, true, false][1 + CAST(h >> 49 AS BIGINT) % 3],
					[NULL, true, false][1 + CAST(h >> 51 AS BIGINT) % 3], [NULL, true, false][1 + CAST(h >> 53 AS BIGINT) % 3],
					[NULL, true, false][1 + CAST(h >> 55 AS BIGINT) % 3], [NULL, true, false][1 + CAST(h >> 57 AS BIGINT) % 3],
					's', 'f', i, 'h', 1, TIMESTAMP '2026-12-01'
				FROM b`); err != nil {
				t.Fatal(err)
			}
			m, err := LoadMethodology("default")
			if err != nil {
				t.Fatal(err)
			}
			counts := func(classes bool) string {
				t.Helper()
				unclassed = !classes
				defer func() { unclassed = false }()
				if _, err := db.Exec(`DROP TABLE IF EXISTS outcome_counts`); err != nil {
					t.Fatal(err)
				}
				b, err := BuildChanged(context.Background(), db, conv, m, nil, testAsOf, true)
				if err != nil {
					t.Fatal(err)
				}
				if b.Counts != CountsAnew || b.Classed != classes {
					t.Fatalf("counts %s classed %v, want %s classed %v", b.Counts, b.Classed, CountsAnew, classes)
				}
				checkIdentities(t, db)
				return rowsOf(t, db, `SELECT * FROM outcome_counts ORDER BY ALL`)
			}
			one, classed := counts(false), counts(true)
			if one != classed {
				t.Errorf("counts differ:\none by one:\n%s\nclasses:\n%s", one, classed)
			}
			// Some dossiers fall in one class: 1,652 classes of 4,022
			// dossiers under the calendar (1,656 under decree09).
			p, err := planCounts(cchcsql.Models, m)
			if err != nil {
				t.Fatal(err)
			}
			facts, err := fs.ReadFile(cchcsql.Models, "models/08_dossier_facts.sql")
			if err != nil {
				t.Fatal(err)
			}
			cols := strings.Split(rowsOf(t, db, `SELECT string_agg(column_name, ',') FROM duckdb_columns() WHERE table_name = 'dossiers'`), ",")
			n := rowsOf(t, db, `SELECT count(*) || ' of ' || (SELECT count(*) FROM dossiers) FROM (`+
				classesQuery(strings.ReplaceAll(string(facts), "{dossiers}", "dossiers"), p.query, cols, conv)+`)`)
			var classes, all int
			if _, err := fmt.Sscanf(n, "%d of %d", &classes, &all); err != nil || classes == 0 || classes >= all*3/4 {
				t.Errorf("classes: %s", n)
			}
			t.Logf("%s classes of dossiers", n)
			if rows := rowsOf(t, db, `SELECT count(*) FROM outcome_counts`); len(rows) < 3 {
				t.Errorf("too few count rows to compare: %s", rows)
			}
		})
	}
}
