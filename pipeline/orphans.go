package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/units"
)

// Orphan is a unit dissolved without a successor that still has dossiers
// counted after its dissolution. The contract keeps such dossiers with
// the unit (docs/contract.md, "Unit history": nothing is lost, the unit is
// not ranked), so form II.06a lists it in every later period until a
// person acts: gives it a successor_code, or closes the dossiers in the
// export. A unit dissolved without a successor whose dossiers were all
// finished before its valid_to is no orphan: nothing of it is counted
// later.
type Orphan struct {
	Unit, Name string
	ValidTo    string // the first day it no longer exists, dd/mm/yyyy
	// Dossiers are its dossiers not finished before ValidTo or received
	// from it on: those counted for it in periods after its dissolution.
	Dossiers int64
	// Open are the ones of Dossiers still without an end (finished_at).
	Open int64
	// Sources are the sources that delivered Dossiers, in name order.
	Sources []string
	// Period is the latest period (final before provisional) whose form
	// II.06a has the unit's row after its dissolution, Pending and
	// Overdue its pending dossiers at that period's end (dossier_stats);
	// Periods counts the periods listing it. Period is "" when the model
	// has not counted it yet.
	Period           string
	Pending, Overdue int64
	Periods          int
}

// Orphans lists, in registry order, the units of reg dissolved without a
// successor that have dossiers in db counted after their dissolution. It
// reads the registry given (the one a person edits), not the warehouse's
// copy, so a successor_code added since the last run silences it at once.
// With modelled (the model was just built under reg, as in a run), only the
// units the model lists after their dissolution are looked for among the
// dossiers; otherwise (validate, whose registry may have been edited since)
// every candidate is.
func Orphans(ctx context.Context, db *sql.DB, reg *units.Registry, modelled bool) ([]Orphan, error) {
	// units.Parse refuses a code twice: a unit's row is its whole history.
	// The dissolved units without successor are counted in one pass over
	// the dossiers (one per unit took 17 ms each at 5M dossiers).
	dissolved := map[string]string{} // code → valid_to, yyyy-mm-dd
	for _, u := range reg.Units {
		if u.ValidTo != nil && u.SuccessorCode == "" {
			dissolved[u.Code] = u.ValidTo.Format("2006-01-02")
		}
	}
	values := func() string {
		var v []string
		for code, day := range dissolved {
			v = append(v, fmt.Sprintf("('%s', DATE '%s')", strings.ReplaceAll(code, "'", "''"), day))
		}
		sort.Strings(v)
		return `WITH u(unit_code, valid_to) AS (VALUES ` + strings.Join(v, ", ") + `)`
	}
	if len(dissolved) == 0 {
		return nil, nil
	}
	if modelled {
		// In a run, only the units the model lists after their dissolution
		// are looked for among the dossiers (the usual run has none: no
		// pass at all), once the model has counted any of them.
		listed, err := listedAfter(ctx, db, values())
		if err != nil {
			return nil, err
		}
		if listed != nil {
			for code := range dissolved {
				if !listed[code] {
					delete(dissolved, code)
				}
			}
			if len(dissolved) == 0 {
				return nil, nil
			}
		}
	}
	type counted struct {
		dossiers, open int64
		sources        string
	}
	found := map[string]counted{}
	// In scope of a period ending after valid_to: not finished before it
	// (docs/contract.md, "Outcomes and periods"), or received later.
	rows, err := db.QueryContext(ctx, values()+`
		SELECT d.unit_code, count(*), count(*) FILTER (WHERE d.finished_at IS NULL),
			coalesce(string_agg(DISTINCT d.source, ',' ORDER BY d.source), '')
		FROM dossiers d JOIN u USING (unit_code)
		WHERE d.finished_at IS NULL OR d.finished_at >= u.valid_to OR d.received_at >= u.valid_to
		GROUP BY d.unit_code`)
	if err != nil {
		return nil, fmt.Errorf("dissolved units without successor: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var c counted
		if err := rows.Scan(&code, &c.dossiers, &c.open, &c.sources); err != nil {
			return nil, fmt.Errorf("dissolved units without successor: %w", err)
		}
		found[code] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dissolved units without successor: %w", err)
	}
	var out []Orphan
	for _, u := range reg.Units {
		c, ok := found[u.Code]
		if !ok || c.dossiers == 0 {
			continue
		}
		day := u.ValidTo.Format("2006-01-02")
		o := Orphan{Unit: u.Code, Name: u.Name, ValidTo: u.ValidTo.Format("02/01/2006"), Dossiers: c.dossiers, Open: c.open}
		sources := c.sources
		if sources != "" {
			o.Sources = strings.Split(sources, ",")
		}
		err = db.QueryRowContext(ctx, `SELECT s.period, s.pending_total, s.pending_overdue, count(*) OVER ()
			FROM dossier_stats s JOIN periods p USING (period)
			WHERE s.unit_code = ? AND s.field = '*' AND p.end_at > CAST(? AS DATE)
			ORDER BY coalesce(p.provisional, false), p.end_at DESC, p.start_at DESC, s.period
			LIMIT 1`, u.Code, day).Scan(&o.Period, &o.Pending, &o.Overdue, &o.Periods)
		if err != nil && err != sql.ErrNoRows {
			return nil, fmt.Errorf("dissolved unit %s: %w", u.Code, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// listedAfter returns the units of u (the WITH clause of Orphans) that
// dossier_stats lists with dossiers in a period ending after their
// dissolution; nil when it lists none of u's units at all (the model has
// not counted them yet).
func listedAfter(ctx context.Context, db *sql.DB, u string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, u+`
		SELECT s.unit_code, bool_or(p.end_at > u.valid_to AND s.received_total > 0)
		FROM dossier_stats s JOIN periods p USING (period) JOIN u USING (unit_code)
		GROUP BY s.unit_code`)
	if err != nil {
		return nil, fmt.Errorf("dissolved units without successor: %w", err)
	}
	defer rows.Close()
	var listed map[string]bool
	for rows.Next() {
		var code string
		var after bool
		if err := rows.Scan(&code, &after); err != nil {
			return nil, fmt.Errorf("dissolved units without successor: %w", err)
		}
		if listed == nil {
			listed = map[string]bool{}
		}
		listed[code] = after
	}
	return listed, rows.Err()
}

// Warning is the orphan's warning for a clerk or an analyst, in
// Vietnamese: which unit, how many dossiers, since when, and what to do;
// unitsFile is the unit registry as the reader knows it.
func (o Orphan) Warning(unitsFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "đơn vị %s (%s) đã giải thể từ ngày %s nhưng chưa có đơn vị kế thừa: %d hồ sơ của đơn vị chưa kết thúc trước ngày đó hoặc tiếp nhận sau ngày đó vẫn được tính cho đơn vị (không xếp hạng) trong biểu II.06a các kỳ sau ngày giải thể",
		o.Unit, o.Name, o.ValidTo, o.Dossiers)
	if o.Period != "" {
		fmt.Fprintf(&b, " (%d kỳ; kỳ %s: %d hồ sơ đang giải quyết, %d quá hạn)", o.Periods, o.Period, o.Pending, o.Overdue)
	}
	fmt.Fprintf(&b, "; %d hồ sơ vẫn chưa có ngày kết thúc xử lý", o.Open)
	where := "tệp xuất dữ liệu"
	if len(o.Sources) > 0 {
		where += " của nguồn " + strings.Join(o.Sources, ", ")
	}
	fmt.Fprintf(&b, ". Cách xử lý: ghi mã đơn vị kế thừa vào cột successor_code của %s trong %s, hoặc cập nhật kết quả (ngày kết thúc, trạng thái) của các hồ sơ này trong %s rồi chạy lại", o.Unit, unitsFile, where)
	return b.String()
}

// warnOrphans adds a warning per orphan of reg (Orphans) to the summary; a
// failed look-up is logged, not the run's failure: the data is committed.
func warnOrphans(ctx context.Context, db *sql.DB, cfg *config.Config, reg *units.Registry, sum *Summary, log *slog.Logger) {
	os, err := Orphans(ctx, db, reg, true)
	if err != nil {
		log.Error("chưa kiểm tra được các đơn vị đã giải thể chưa có đơn vị kế thừa", "err", err)
		return
	}
	file := cfg.Units
	if r, err := filepath.Rel(filepath.Dir(cfg.File), cfg.Units); err == nil && !strings.HasPrefix(r, "..") {
		file = r
	}
	sum.Orphans = os
	for _, o := range os {
		sum.Warnings = append(sum.Warnings, o.Warning(file))
		log.Warn("đơn vị đã giải thể chưa có đơn vị kế thừa vẫn còn hồ sơ", "unit", o.Unit, "valid_to", o.ValidTo, "dossiers", o.Dossiers, "open", o.Open)
	}
}
