package publish

import (
	"context"
	"testing"
)

// A warehouse modelled before a field named '*' was read as none holds
// that field's row beside the unit's total row, both with field '*'. The
// form's total is the real one whichever row the query returns last.
func TestStatsTotalRowsInAnyOrder(t *testing.T) {
	// S.TC's total in 2026-Q3 (fixtureStats), by hand: received 120 + 30
	// + 10 = 160; resolved 60 + 50 + 5 = 115; pending 40 + 5 = 45.
	want := counts{160, 120, 30, 10, 115, 60, 50, 5, 45, 40, 5, 2, 3, 4}
	// The stray row: 2 dossiers, online, resolved early.
	stray := `(period, unit_code, field, received_total, received_online, received_direct_postal, carried_over,
		resolved_total, resolved_early, resolved_on_time, resolved_late, pending_total, pending_in_time, pending_overdue,
		withdrawn, rejected, stopped, supplement_requested)
		VALUES ('2026-Q3', 'S.TC', '*', 2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0)`
	for _, tc := range []struct {
		name string
		sql  []string
	}{
		{"stray row after the total", []string{`INSERT INTO dossier_stats ` + stray}},
		// The total deleted and inserted again, after the stray row.
		{"stray row before the total", []string{
			`CREATE TEMP TABLE total AS SELECT * FROM dossier_stats WHERE period = '2026-Q3' AND unit_code = 'S.TC' AND field = '*'`,
			`DELETE FROM dossier_stats WHERE period = '2026-Q3' AND unit_code = 'S.TC' AND field = '*'`,
			`INSERT INTO dossier_stats ` + stray,
			`INSERT INTO dossier_stats SELECT * FROM total`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := newFixture(t)
			ctx := context.Background()
			for _, q := range tc.sql {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%v\n%s", err, q)
				}
			}
			got, err := loadStats(ctx, db, []string{"2026-Q3"})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, l := range got["2026-Q3"] {
				for _, u := range l.Units {
					if u.Code != "S.TC" {
						continue
					}
					found = true
					if u.Total != want {
						t.Errorf("S.TC total = %v, want %v", u.Total, want)
					}
				}
			}
			if !found {
				t.Fatal("S.TC not on the form")
			}
		})
	}
}
