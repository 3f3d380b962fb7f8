// Package parfixture fills the CCHC-index (PAR) input tables of migration
// 0011 from the hand-written scoring sheets, survey and adjustment files of
// a test province (model/testdata/par-province), the way the load does:
// for the tests of the model, the publications and `cchc explain`, which
// must not depend on the loader. It reads the simple CSV the sheets are
// written in (title rows, then STT, criterion, maximum, self-assessed and
// appraised points) and is no substitute for the par_appraisal dataset.
package parfixture

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	roman   = regexp.MustCompile(`^[IVXLC]+$`)
	integer = regexp.MustCompile(`^[0-9]+$`)
	dotted  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)+$`)
)

// Loaded is the load time of every fixture row.
var Loaded = time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)

type node struct {
	code, parent, stt, name, rule string
	depth, seq, row               int
	max, self, appraised          *float64
	na, leaf                      bool
}

// Units inserts the registry at path (unit_code,name,level).
func Units(ctx context.Context, db *sql.DB, path string) error {
	recs, err := read(path)
	if err != nil {
		return err
	}
	for _, r := range recs[1:] {
		if _, err := db.ExecContext(ctx, `INSERT INTO units (unit_code, name, level) VALUES (?, ?, ?)`, r[0], r[1], r[2]); err != nil {
			return err
		}
	}
	return nil
}

// Sheet loads the scoring sheet at path as the current sheet of unit in
// period, replacing the unit's earlier sheet of the period. Like the load,
// a leaf outside the survey field (named "Điều tra xã hội học") without
// appraised points is quarantined: left out and counted.
func Sheet(ctx context.Context, db *sql.DB, period, unit, path string) error {
	recs, err := read(path)
	if err != nil {
		return err
	}
	var nodes []*node
	start := -1
	for i, r := range recs {
		if strings.TrimSpace(r[0]) == "STT" {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return fmt.Errorf("%s: no header", path)
	}
	field, crit := "", ""
	num := func(s string) *float64 {
		s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
		if s == "" {
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil
		}
		return &f
	}
	for i := start; i < len(recs); i++ {
		r := recs[i]
		stt := strings.TrimSpace(r[0])
		if strings.HasPrefix(stt, "Tổng") {
			break
		}
		if stt == "" {
			if len(nodes) > 0 {
				n := nodes[len(nodes)-1]
				n.rule = strings.TrimSpace(n.rule + "\n" + r[1])
			}
			continue
		}
		n := &node{stt: stt, name: r[1], row: i + 1, seq: len(nodes) + 1, max: num(r[2]), self: num(r[3]), appraised: num(r[4])}
		n.na = strings.EqualFold(strings.TrimSpace(r[4]), "Không áp dụng")
		switch {
		case roman.MatchString(stt):
			field, crit = stt, ""
			n.code = stt
		case integer.MatchString(stt):
			crit = field + "." + stt
			n.code, n.parent = crit, field
		case dotted.MatchString(stt):
			n.code = field + "." + stt
			n.parent = n.code[:strings.LastIndexByte(n.code, '.')]
		default:
			return fmt.Errorf("%s row %d: STT %q", path, i+1, stt)
		}
		_ = crit
		n.depth = strings.Count(n.code, ".") + 1
		nodes = append(nodes, n)
	}
	parents := map[string]bool{}
	survey := ""
	for _, n := range nodes {
		parents[n.parent] = true
		if n.depth == 1 && strings.Contains(strings.ToLower(n.name), "điều tra xã hội học") {
			survey = n.code
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range []string{"par_sheet_rows", "par_sheets"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE period = ? AND unit_code = ?`, period, unit); err != nil {
			return err
		}
	}
	loaded, quarantined := 0, 0
	for _, n := range nodes {
		n.leaf = !parents[n.code]
		underSurvey := survey != "" && (n.code == survey || strings.HasPrefix(n.code, survey+"."))
		if n.leaf && !underSurvey && !n.na && n.appraised == nil {
			quarantined++
			continue
		}
		var parent any
		if n.parent != "" {
			parent = n.parent
		}
		var rule any
		if n.rule != "" {
			rule = n.rule
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO par_sheet_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'par', ?, ?, ?, 1, ?)`,
			period, unit, n.code, parent, n.depth, n.seq, n.stt, n.name, ptr(n.max), ptr(n.self), ptr(n.appraised), n.na, n.leaf, rule,
			filepath.Base(path), n.row, sha(path), Loaded); err != nil {
			return err
		}
		loaded++
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO par_sheets VALUES (?, ?, 'par', ?, ?, ?, ?, NULL, 1, ?)`,
		period, unit, filepath.Base(path), sha(path), loaded, quarantined, Loaded); err != nil {
		return err
	}
	return tx.Commit()
}

// Survey loads a survey file (Mã đơn vị, Điểm ĐTXHH, Tỷ lệ hài lòng as
// "80%") for period.
func Survey(ctx context.Context, db *sql.DB, period, path string) error {
	recs, err := read(path)
	if err != nil {
		return err
	}
	for i, r := range recs[1:] {
		var points, rate any
		if s := strings.TrimSpace(r[1]); s != "" {
			f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			if err != nil {
				return err
			}
			points = f
		}
		if s := strings.TrimSuffix(strings.TrimSpace(r[2]), "%"); s != "" {
			f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			if err != nil {
				return err
			}
			rate = f / 100
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO par_survey_results VALUES (?, ?, ?, ?, 'survey', ?, ?, ?, 1, ?)`,
			period, r[0], points, rate, filepath.Base(path), i+2, sha(path), Loaded); err != nil {
			return err
		}
	}
	return nil
}

// Adjustments loads a file of bonus and penalty decisions (Mã đơn vị,
// Điểm signed, Lý do) for period.
func Adjustments(ctx context.Context, db *sql.DB, period, path string) error {
	recs, err := read(path)
	if err != nil {
		return err
	}
	for i, r := range recs[1:] {
		f, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO par_adjustment_rows VALUES (?, ?, ?, ?, 'adj', ?, ?, ?, 1, ?)`,
			period, r[0], r[2], f, filepath.Base(path), i+2, sha(path), Loaded); err != nil {
			return err
		}
	}
	return nil
}

// Province loads the whole hand-built province under dir: the registry,
// both years' sheets (S.B's 2025 sheet twice, the second replacing the
// first), surveys and adjustments.
func Province(ctx context.Context, db *sql.DB, dir string) error {
	if err := Units(ctx, db, filepath.Join(dir, "units.csv")); err != nil {
		return err
	}
	for _, period := range []string{"2025", "2026"} {
		files, err := filepath.Glob(filepath.Join(dir, period, "*.csv"))
		if err != nil {
			return err
		}
		for _, f := range files { // sorted: S.B.csv before S.B.v2.csv
			unit := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".csv"), ".v2")
			if err := Sheet(ctx, db, period, unit, f); err != nil {
				return err
			}
		}
		if err := Survey(ctx, db, period, filepath.Join(dir, "survey-"+period+".csv")); err != nil {
			return err
		}
		adj := filepath.Join(dir, "adjustments-"+period+".csv")
		if _, err := os.Stat(adj); err == nil {
			if err := Adjustments(ctx, db, period, adj); err != nil {
				return err
			}
		}
	}
	return nil
}

func read(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range recs {
		for len(recs[i]) < 5 {
			recs[i] = append(recs[i], "")
		}
	}
	return recs, nil
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// sha is the file's SHA-256 in hex ("" when unreadable; read already
// succeeded).
func sha(path string) string {
	b, _ := os.ReadFile(path)
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// MergedCommunes fills a small province whose communes X.A and X.B merge
// into the new X.AB on 2026-01-01, beside the unmerged X.C, with one
// criterion I.1 (maximum 100) scored 2025: X.A 80, X.B 90, X.C 70;
// 2026: X.AB 88, X.C 90. No dossiers: the merger tests of the PAR
// publications and of `cchc explain` share it.
func MergedCommunes(ctx context.Context, db *sql.DB) error {
	for _, q := range []string{
		`INSERT INTO units (unit_code, name, level, valid_to, successor_code) VALUES
			('X.A', 'Xã A', 'commune', DATE '2026-01-01', 'X.AB'), ('X.B', 'Xã B', 'commune', DATE '2026-01-01', 'X.AB')`,
		`INSERT INTO units (unit_code, name, level, valid_from) VALUES ('X.AB', 'Xã AB', 'commune', DATE '2026-01-01')`,
		`INSERT INTO units (unit_code, name, level) VALUES ('X.C', 'Xã C', 'commune')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	for _, s := range []struct {
		period, unit string
		points       float64
	}{{"2025", "X.A", 80}, {"2025", "X.B", 90}, {"2025", "X.C", 70}, {"2026", "X.AB", 88}, {"2026", "X.C", 90}} {
		for _, r := range []struct {
			code   string
			parent any
			depth  int
			leaf   bool
		}{{"I", nil, 1, false}, {"I.1", "I", 2, true}} {
			if _, err := db.ExecContext(ctx, `INSERT INTO par_sheet_rows VALUES (?, ?, ?, ?, ?, ?, ?, 'Tiêu chí', 100, NULL, ?, false, ?, NULL, NULL, NULL,
				'sheets', ?, ?, 'sha', 1, TIMESTAMP '2026-12-01 00:00:00')`,
				s.period, s.unit, r.code, r.parent, r.depth, r.depth, r.code, s.points, r.leaf, s.unit+".xlsx", r.depth); err != nil {
				return err
			}
		}
	}
	return nil
}
