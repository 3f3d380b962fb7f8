package publish

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// loadMergers lists the mergers that affect the period (the model's view
// unit_mergers: units merged after the previous period's end and by this
// period's end), one sentence each, by unit code: "Xã X được hợp nhất từ
// xã A, xã B từ 01/07/2025" for a new unit, "Xã A được sáp nhập vào xã B
// từ 01/07/2025" for a unit merged into one that already existed. The
// period's statistics and ranks count the merged units' dossiers for the
// unit named, and its movement compares with the previous period restated
// the same way (DESIGN.md, "Unit history").
func loadMergers(ctx context.Context, db *sql.DB, period string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, merged_on, new_unit, array_to_string(predecessor_names, chr(31))
		FROM unit_mergers WHERE period = ? ORDER BY unit_code, merged_on`, period)
	if err != nil {
		return nil, fmt.Errorf("unit_mergers query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, preds string
		var on time.Time
		var isNew bool
		if err := rows.Scan(&name, &on, &isNew, &preds); err != nil {
			return nil, fmt.Errorf("unit_mergers query: %w", err)
		}
		from := strings.Join(strings.Split(preds, "\x1f"), ", ")
		if isNew {
			out = append(out, name+" được hợp nhất từ "+from+" từ "+formatDate(on))
		} else {
			out = append(out, from+" được sáp nhập vào "+name+" từ "+formatDate(on))
		}
	}
	return out, rows.Err()
}
