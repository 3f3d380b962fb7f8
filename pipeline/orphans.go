package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
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
	var values []string
	for _, u := range reg.Units {
		if u.ValidTo != nil && u.SuccessorCode == "" {
			values = append(values, fmt.Sprintf("('%s', DATE '%s')", strings.ReplaceAll(u.Code, "'", "''"), u.ValidTo.Format("2006-01-02")))
		}
	}
	if len(values) == 0 {
		return nil, nil
	}
	// In a run, only the units the model lists after their dissolution are
	// looked for among the dossiers (the usual run has none: no pass at
	// all). Without modelled, or before the model has counted them, every
	// candidate is.
	var listed, statsRows int
	u := `WITH u(unit_code, valid_to) AS (VALUES ` + strings.Join(values, ", ") + `)`
	if err := db.QueryRowContext(ctx, u+`
		SELECT count(DISTINCT s.unit_code) FILTER (WHERE p.end_at > u.valid_to AND s.received_total > 0), count(*)
		FROM dossier_stats s JOIN periods p USING (period) JOIN u USING (unit_code)`).Scan(&listed, &statsRows); err != nil {
		return nil, fmt.Errorf("dissolved units without successor: %w", err)
	}
	scope := ""
	if modelled && statsRows > 0 {
		if listed == 0 {
			return nil, nil
		}
		scope = ` AND d.unit_code IN (SELECT s.unit_code FROM dossier_stats s JOIN periods p USING (period) JOIN u USING (unit_code)
			WHERE p.end_at > u.valid_to AND s.received_total > 0)`
	}
	type counted struct {
		dossiers, open int64
		sources        string
	}
	found := map[string]counted{}
	// In scope of a period ending after valid_to: not finished before it
	// (docs/contract.md, "Outcomes and periods"), or received later.
	rows, err := db.QueryContext(ctx, u+`
		SELECT d.unit_code, count(*), count(*) FILTER (WHERE d.finished_at IS NULL),
			coalesce(string_agg(DISTINCT d.source, ',' ORDER BY d.source), '')
		FROM dossiers d JOIN u USING (unit_code)
		WHERE (d.finished_at IS NULL OR d.finished_at >= u.valid_to OR d.received_at >= u.valid_to)`+scope+`
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
		if u.ValidTo == nil || u.SuccessorCode != "" || !ok || c.dossiers == 0 {
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
		log.Error("dissolved units without successor not checked", "err", err)
		return
	}
	file := cfg.Units
	if r, err := filepath.Rel(filepath.Dir(cfg.File), cfg.Units); err == nil && !strings.HasPrefix(r, "..") {
		file = r
	}
	sum.Orphans = os
	for _, o := range os {
		sum.Warnings = append(sum.Warnings, o.Warning(file))
		log.Warn("dissolved unit without successor still has dossiers", "unit", o.Unit, "valid_to", o.ValidTo, "dossiers", o.Dossiers, "open", o.Open)
	}
}
