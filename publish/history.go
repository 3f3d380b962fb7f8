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
// period's end), one sentence each, by the unit standing for them at the
// period's end, then date. Each sentence names the merged units' own
// successor (one hop, so a chain within the period reads step by step):
// "Xã X được hợp nhất từ xã A, xã B từ 01/07/2025" for a unit created from
// several, "Xã A đổi tên thành xã X từ 01/07/2025" for one created from a
// single unit, "Xã A được sáp nhập vào xã B từ 01/07/2025" for a unit
// merged into one that already existed. The
// period's statistics and ranks count the merged units' dossiers for the
// unit named, and its movement compares with the previous period restated
// the same way (docs/contract.md, "Unit history").
func loadMergers(ctx context.Context, db *sql.DB, period string) ([]merger, error) {
	ms, err := loadMergersOf(ctx, db, []string{period})
	return ms[period], err
}

// loadMergersOf is loadMergers for each of the periods listed.
func loadMergersOf(ctx context.Context, db *sql.DB, periods []string) (map[string][]merger, error) {
	rows, err := db.QueryContext(ctx, `SELECT period, unit_code, level, merged_on, new_unit, renamed, successor_name,
			array_to_string(predecessor_names, chr(31))
		FROM unit_mergers WHERE period IN (SELECT unnest(string_split(?, ','))) ORDER BY period, unit_code, merged_on, successor_code`, periodList(periods))
	if err != nil {
		return nil, fmt.Errorf("unit_mergers query: %w", err)
	}
	defer rows.Close()
	out := map[string][]merger{}
	for rows.Next() {
		var period, code, level, into, preds string
		var on time.Time
		var isNew, renamed bool
		if err := rows.Scan(&period, &code, &level, &on, &isNew, &renamed, &into, &preds); err != nil {
			return nil, fmt.Errorf("unit_mergers query: %w", err)
		}
		from := strings.Join(strings.Split(preds, "\x1f"), ", ")
		m := merger{Unit: code, Level: level}
		switch {
		case renamed:
			m.Text = from + " đổi tên thành " + into + " từ " + formatDate(on)
		case isNew:
			m.Text = into + " được hợp nhất từ " + from + " từ " + formatDate(on)
		default:
			m.Text = from + " được sáp nhập vào " + into + " từ " + formatDate(on)
		}
		out[period] = append(out[period], m)
	}
	return out, rows.Err()
}

// merger is one sentence of loadMergers, the unit it is about and that
// unit's level.
type merger struct{ Unit, Level, Text string }

// texts are the sentences of ms, in order.
func texts(ms []merger) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

// noteMergers gives each ranked unit that took over merged units in the
// period the sentence saying so, as a remark of its row.
func noteMergers(rs []ranking, ms []merger) {
	by := map[string][]string{}
	for _, m := range ms {
		by[m.Unit] = append(by[m.Unit], m.Text)
	}
	for i := range rs {
		for j := range rs[i].Rows {
			rs[i].Rows[j].Merged = by[rs[i].Rows[j].UnitCode]
		}
	}
}

// noDossierData reports whether the period has neither index scores nor
// handling statistics: a period that only the CCHC index (PAR) covers,
// whose publications are the PAR ones alone (no ranking listing every unit
// as without data).
func noDossierData(ctx context.Context, db *sql.DB, period string) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM (SELECT 1 FROM index_scores WHERE period = $1 AND total_score IS NOT NULL LIMIT 1))
		+ (SELECT count(*) FROM (SELECT 1 FROM dossier_stats WHERE period = $1 LIMIT 1))`, period).Scan(&n); err != nil {
		return false, fmt.Errorf("dossier data query: %w", err)
	}
	return n == 0, nil
}

// noteParMergers gives each PAR table the mergers into units of its peer
// group (the unit's level), and each unit that took over merged units in
// the period the sentence saying so, as a remark of its row.
func noteParMergers(ts []parTable, ms []merger) {
	by := map[string][]string{}
	for _, m := range ms {
		by[m.Unit] = append(by[m.Unit], m.Text)
	}
	for i := range ts {
		ts[i].Mergers = nil
		for _, m := range ms {
			if m.Level == ts[i].PeerGroup {
				ts[i].Mergers = append(ts[i].Mergers, m)
			}
		}
		for j := range ts[i].Rows {
			ts[i].Rows[j].Merged = by[ts[i].Rows[j].UnitCode]
		}
	}
}
