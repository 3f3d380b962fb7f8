package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cchc/cchc/units"
)

// Redirect counts the rows a run loaded that name a unit already dissolved
// on the day the dossier was received (valid_to on or before it): an
// export still using the old unit. They load as they are (dossiers keep
// the receiving unit) and count for the end of the unit's successor chain
// (docs/contract.md, "Unit history"); with no successor they stay with the
// dissolved unit, which is then not ranked (cchc validate warns).
type Redirect struct {
	Unit      string // the dissolved unit named by the rows
	Successor string // the end of its successor chain; "" when it has none
	Rows      int
}

// redirects lists, per dissolved unit in code order, the rows of run that
// name it after its valid_to.
func redirects(ctx context.Context, db *sql.DB, run int64, reg *units.Registry) ([]Redirect, error) {
	rows, err := db.QueryContext(ctx, `SELECT d.unit_code, count(*) FROM dossiers d JOIN units u USING (unit_code)
		WHERE d.run_id = ? AND u.valid_to IS NOT NULL AND d.received_at >= u.valid_to
		GROUP BY d.unit_code ORDER BY d.unit_code`, run)
	if err != nil {
		return nil, fmt.Errorf("dissolved units: %w", err)
	}
	defer rows.Close()
	next := map[string]string{}
	for _, u := range reg.Units {
		next[u.Code] = u.SuccessorCode
	}
	var out []Redirect
	for rows.Next() {
		var r Redirect
		if err := rows.Scan(&r.Unit, &r.Rows); err != nil {
			return nil, fmt.Errorf("dissolved units: %w", err)
		}
		// units.Parse refuses looping chains; the bound only guards.
		for c, i := r.Unit, 0; next[c] != "" && i < len(reg.Units); i++ {
			c = next[c]
			r.Successor = c
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// registryChanged reports whether the registry differs from the units the
// warehouse holds in what the model reads (code, name, level, parent,
// validity, successor), so that a registry fix alone (a successor added
// after cchc validate warned) rebuilds the model and its publications.
func registryChanged(ctx context.Context, db *sql.DB, reg *units.Registry) (bool, error) {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2006-01-02")
	}
	want := map[string]bool{}
	for _, u := range reg.Units {
		want[strings.Join([]string{u.Code, u.Name, u.Level, u.ParentCode, day(u.ValidFrom), day(u.ValidTo), u.SuccessorCode}, "\x1f")] = true
	}
	rows, err := db.QueryContext(ctx, `SELECT concat_ws(chr(31), unit_code, name, level, coalesce(parent_code, ''),
		coalesce(strftime(valid_from, '%Y-%m-%d'), ''), coalesce(strftime(valid_to, '%Y-%m-%d'), ''), coalesce(successor_code, ''))
		FROM units`)
	if err != nil {
		return false, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return false, fmt.Errorf("units: %w", err)
		}
		if !want[k] {
			return true, nil
		}
		n++
	}
	return n != len(want), rows.Err()
}
