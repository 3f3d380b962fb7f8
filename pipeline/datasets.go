package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// datasetOf returns the dataset a source loads (config validated the
// name; an unknown one falls back to the default dataset).
func datasetOf(sc sourceConf) *datasets.Dataset {
	d, err := datasets.ByName(sc.cfg.Dataset)
	if err != nil {
		d, _ = datasets.ByName("")
	}
	return d
}

// parseInput is what a read-whole dataset's parser gets for one file.
func parseInput(cfg *config.Config, sc sourceConf, reg *units.Registry, path string, res *warehouse.FileResult) datasets.Input {
	conv := ""
	if cfg != nil {
		conv = cfg.Periods
	}
	in := datasets.Input{Path: path, Units: reg, DefaultUnit: sc.cfg.Unit, Period: sc.cfg.Period, Convention: conv,
		Source: res.Source, File: res.Path, SHA256: res.SHA256, FileSeq: res.Seq,
		Decode: sources.DecodeOptions{Format: sc.cfg.Format, Sheet: sc.cfg.Sheet, Encoding: sc.cfg.Encoding, Limits: sc.lim,
			Hashed: true}} // prepare took the SHA-256; checkUnchanged compares the decoder's Sum64
	if cfg != nil && datasetOf(sc) == datasets.ParAppraisal {
		in.DataFed, in.Survey = parDataFed(cfg)
	}
	return in
}

// parDataFed are the criterion codes the configured PAR methodology feeds
// from the warehouse, and its survey: code: the sheet parser loads their
// leaves without quarantining an empty appraised cell. A methodology that
// does not load yields none here; the run reports its error when it
// builds the model.
func parDataFed(cfg *config.Config) (codes []string, survey string) {
	pm, err := model.LoadPARMethodology(cfg.PAR.Methodology)
	if err != nil {
		return nil, ""
	}
	codes = make([]string, 0, len(pm.Data))
	for _, d := range pm.Data {
		codes = append(codes, d.Code)
	}
	return codes, pm.Survey
}

// parseFile runs a dataset's parser; a parser bug fails the file, not the run.
func parseFile(d *datasets.Dataset, in datasets.Input) (p *datasets.Parsed, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tệp %s: lỗi nội bộ của cchc khi đọc tệp; báo nhóm phát triển kèm tệp này (internal error while reading: %v)", in.File, r)
		}
	}()
	p, err = d.Parse(in)
	if p == nil {
		p = &datasets.Parsed{}
	}
	return p, err
}

// failFile marks a file failed with a message naming the source and file,
// masked for personal data (a decoder's error may quote a cell). local is
// the path the decoder read (a download's temporary file for an HTTP
// source), named in its errors instead of the file's ledger path.
func failFile(res *warehouse.FileResult, local string, err error, log *slog.Logger) {
	res.Status = "failed"
	res.ErrorKind = failureKind(err)
	res.Error = fileMessage(res.Source, res.Path, local, err.Error(), true)
	res.RowsRead = 0
	log.Error("tệp bị từ chối", "source", res.Source, "file", res.Path, "err", res.Error)
}

// fileMessage is a failed file's message as the ledger stores it and
// `cchc run` and `cchc runs` show it: "nguồn SOURCE: tệp PATH: …". A
// message that already starts with the source or the file (a source's
// "nguồn SOURCE: ", a decoder's "tệp PATH: ", or the English "source " and
// "file " of older messages) is not named twice, and a decoder's local path
// (a temporary download, meaningless to a clerk) gives way to path. With
// mask, the text after the place is masked for personal data: masked
// before, a temporary path's digits would no longer match local.
func fileMessage(source, path, local, msg string, mask bool) string {
	for _, p := range []string{"nguồn " + source + ": ", "source " + source + ": "} {
		if rest, ok := strings.CutPrefix(msg, p); ok {
			msg = rest
			break
		}
	}
cut:
	for _, p := range []string{path, local} {
		for _, w := range []string{"tệp ", "file "} {
			if rest, ok := strings.CutPrefix(msg, w+p+": "); ok && p != "" {
				msg = rest
				break cut
			}
		}
	}
	if mask {
		msg, _ = pii.MaskShapes(msg)
	}
	return fmt.Sprintf("nguồn %s: tệp %s: %s", source, path, msg)
}

// loadWhole stages one file of a read-whole dataset (scoring sheet,
// survey, adjustments) through the same stage, ledger, quarantine and
// reconciliation as a streamed one. Like loadFile it returns an error only when
// the run cannot go on.
func loadWhole(ctx context.Context, cfg *config.Config, stage *warehouse.Stage, sc sourceConf, d *datasets.Dataset, reg *units.Registry, f *fetched, sum *Summary, log *slog.Logger) (*datasets.Parsed, error) {
	res := f.res
	p, err := parseFile(d, parseInput(cfg, sc, reg, f.path, res))
	res.Format, res.Encoding = p.Format, p.Encoding
	if err != nil {
		failFile(res, f.path, err, log)
		return nil, nil
	}
	if err := checkUnchanged(f, p.Digest); err != nil {
		failFile(res, f.path, err, log)
		return nil, nil
	}
	rdr, err := d.Reader(p.Rows)
	if err != nil {
		failFile(res, f.path, err, log)
		return nil, nil
	}
	err = stage.LoadDataset(ctx, d, rdr)
	rdr.Release()
	if errors.Is(err, warehouse.ErrRunAborted) && ctx.Err() != nil {
		return nil, fmt.Errorf("run interrupted before commit, nothing written: %w", ctx.Err())
	}
	if errors.Is(err, warehouse.ErrDiskFull) || errors.Is(err, warehouse.ErrRunAborted) {
		return nil, fmt.Errorf("staging %s: %w", res.Path, err)
	}
	if err != nil {
		failFile(res, f.path, err, log)
		return nil, nil
	}
	res.RowsRead = p.RowsRead()
	res.Mapping = p.Mapping
	for i, e := range p.Rejections {
		if i >= 5 {
			break
		}
		sum.Rejections = append(sum.Rejections, Rejection{Source: res.Source, File: res.Path, RowError: e})
	}
	if p.Sheet != nil {
		for _, w := range p.Sheet.Warnings {
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("nguồn %s: tệp %s: %s", res.Source, res.Path, w))
		}
	}
	log.Info("đã đọc tệp", "source", res.Source, "file", res.Path, "dataset", d.Name, "rows", res.RowsRead, "rejected", len(p.Rejections))
	return p, nil
}

// stagedSheet is a scoring sheet staged in this run.
type stagedSheet struct {
	res   *warehouse.FileResult
	sheet *datasets.Sheet
}

// checkTrees rejects the run's scoring sheets whose tree (codes and maxima)
// differs from the common tree of their period and peer group: the tree
// more sheets share than any other, counting the warehouse's current
// sheets of the other units and of those whose stored sheet a sheet read
// again does not replace (a sheet with quarantined rows, stored or new,
// does not vote, as in the model's par_tree_sig). On a tie there is no common
// tree and every sheet of the run in that group is rejected: preferring
// the stored one would let a typo loaded first decide the maxima of every
// unit. A stored sheet outside a new majority is not rejected (its file
// was loaded in an earlier run); the model lists its unit incomplete
// (50_par_criteria.sql par_tree_conflicts), and the run warns here.
// A rejected sheet's staged rows are discarded and the file fails with the
// differences listed.
func checkTrees(ctx context.Context, w *warehouse.Warehouse, stage *warehouse.Stage, reg *units.Registry, sheets []stagedSheet, log *slog.Logger) ([]string, error) {
	level, name := map[string]string{}, map[string]string{}
	for _, u := range reg.Units {
		level[u.Code], name[u.Code] = u.Level, u.Name
	}
	who := func(code string) string {
		if n := name[code]; n != "" {
			return code + " (" + n + ")"
		}
		return code
	}
	type group struct{ period, level string }
	byGroup := map[group][]stagedSheet{}
	var order []group
	for _, s := range sheets {
		g := group{s.sheet.Period, level[s.sheet.Unit]}
		if byGroup[g] == nil {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], s)
	}
	var warnings []string
	for _, g := range order {
		run := byGroup[g]
		// A unit's sheet that counts is the one the merge keeps
		// (sql/merge/par_appraisal.sql): the last staged by the run each
		// ranks by (a sheet read again after a registry change: the run
		// that first read it), unless the unit's stored sheet, from a file
		// first loaded after it, stays; that one votes then.
		last := map[string]stagedSheet{}
		for _, s := range run {
			if l, ok := last[s.sheet.Unit]; !ok || sheetRank(s.res) >= sheetRank(l.res) {
				last[s.sheet.Unit] = s
			}
		}
		inRun := map[string]bool{}
		for u, s := range last {
			stays, err := storedSheetStays(ctx, w, g.period, u, s.res)
			if err != nil {
				return nil, err
			}
			inRun[u] = !stays
		}
		stored, err := storedTrees(ctx, w, g.period, g.level, inRun)
		if err != nil {
			return nil, err
		}
		type cand struct {
			tree  []string
			units []string // who votes for it, stored ones first
		}
		byKey := map[string]*cand{}
		var cands []*cand
		add := func(unit string, t []string) {
			k := strings.Join(t, "\n")
			c := byKey[k]
			if c == nil {
				c = &cand{tree: t}
				byKey[k] = c
				cands = append(cands, c)
			}
			c.units = append(c.units, unit)
		}
		for _, t := range stored {
			add(t.unit, t.tree)
		}
		for _, s := range run {
			// A sheet with quarantined rows does not vote, here as in the
			// model (50_par_criteria.sql par_tree_sig): its unit is
			// incomplete anyway, and a vote the model does not count
			// could make a majority here that is a tie there. It is still
			// checked against the common tree below.
			if last[s.sheet.Unit].res == s.res && inRun[s.sheet.Unit] && !quarantinedRows(s.sheet) {
				add(s.sheet.Unit, s.sheet.Tree())
			}
		}
		if len(cands) == 0 {
			continue // no voting sheet (each has quarantined rows)
		}
		// One tree voted: it is the common tree, and a sheet that did not
		// vote (quarantined rows) is still checked against it below.
		var ref *cand
		tie := false
		for _, c := range cands {
			switch {
			case ref == nil || len(c.units) > len(ref.units):
				ref, tie = c, false
			case len(c.units) == len(ref.units):
				tie = true
			}
		}
		if tie {
			// Name, for each sheet, the differences from one sheet of each
			// other tree so the clerk sees which figures to check against
			// the decision that fixes the maxima.
			for _, s := range run {
				t := s.sheet.Tree()
				k := strings.Join(t, "\n")
				var parts []string
				for _, c := range cands {
					if strings.Join(c.tree, "\n") == k {
						continue
					}
					parts = append(parts, fmt.Sprintf("so với bảng điểm của %s: %s", who(c.units[0]), treeDiffWith(t, c.tree, ", ở bảng đó là")))
				}
				if err := rejectSheet(ctx, stage, s, log, fmt.Sprintf("cây tiêu chí khác với bảng điểm khác của kỳ %s, nhóm %s, và không có cây chung của số đông để đối chiếu (%s); kiểm tra điểm tối đa theo quyết định ban hành bộ chỉ số rồi nộp lại bảng điểm đúng",
					g.period, g.level, strings.Join(parts, "; "))); err != nil {
					return nil, err
				}
			}
			continue
		}
		refKey := strings.Join(ref.tree, "\n")
		for _, s := range run {
			t := s.sheet.Tree()
			if strings.Join(t, "\n") == refKey {
				continue
			}
			if err := rejectSheet(ctx, stage, s, log, fmt.Sprintf("cây tiêu chí khác với các bảng điểm khác của kỳ %s, nhóm %s: %s",
				g.period, g.level, treeDiff(t, ref.tree))); err != nil {
				return nil, err
			}
		}
		for _, t := range stored {
			if strings.Join(t.tree, "\n") == refKey {
				continue
			}
			msg := fmt.Sprintf("bảng điểm đã nạp của đơn vị %s (kỳ %s) có cây tiêu chí khác với cây chung của nhóm %s (%s): đơn vị chưa đủ dữ liệu cho đến khi có bảng điểm đúng",
				who(t.unit), g.period, g.level, treeDiff(t.tree, ref.tree))
			warnings = append(warnings, msg)
			log.Warn("bảng điểm đã nạp khác cây tiêu chí chung", "period", g.period, "unit", t.unit, "msg", msg)
		}
	}
	return warnings, nil
}

// sheetRank is the run a staged sheet ranks by among a unit's sheets
// (stage_files.rank_run_id): a sheet new in this run ranks above any
// read again, which ranks by the run that first read it.
func sheetRank(r *warehouse.FileResult) int64 {
	if (r.Retry || r.FailedBefore) && r.FirstRunID > 0 {
		return r.FirstRunID
	}
	return math.MaxInt64
}

// storedSheetStays reports whether the unit's stored sheet of period
// stays against r, the run's sheet that ranks last: r is read again and
// the stored sheet's file was first loaded after r's first reading, or
// in the same run from another file (sql/merge/par_appraisal.sql).
func storedSheetStays(ctx context.Context, w *warehouse.Warehouse, period, unit string, r *warehouse.FileResult) (bool, error) {
	rank := sheetRank(r)
	if rank == math.MaxInt64 {
		return false, nil
	}
	var n int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM par_sheets p
		JOIN source_files sf ON sf.source = p.source AND sf.path = p.source_file AND sf.file_sha256 = p.file_sha256
		WHERE p.period = ? AND p.unit_code = ? AND (sf.first_run_id > ? OR (sf.first_run_id = ?
		  AND (p.source <> ? OR p.source_file <> ? OR p.file_sha256 <> ?)))`,
		period, unit, rank, rank, r.Source, r.Path, r.SHA256).Scan(&n); err != nil {
		return false, fmt.Errorf("par_sheets: %w", err)
	}
	return n > 0, nil
}

// quarantinedRows reports whether any node of sh is a quarantined row.
func quarantinedRows(sh *datasets.Sheet) bool {
	for _, n := range sh.Nodes {
		if n.Quarantine != nil {
			return true
		}
	}
	return false
}

// rejectSheet discards a staged sheet's rows and fails its file with msg.
func rejectSheet(ctx context.Context, stage *warehouse.Stage, s stagedSheet, log *slog.Logger, msg string) error {
	if err := stage.DiscardDataset(ctx, datasets.ParAppraisal, s.res.Seq); err != nil {
		return err
	}
	s.res.Status, s.res.ErrorKind, s.res.RowsRead = "failed", warehouse.ErrorContent, 0
	s.res.Error = fileMessage(s.res.Source, s.res.Path, "", msg, false)
	log.Error("tệp bị từ chối", "source", s.res.Source, "file", s.res.Path, "err", s.res.Error)
	return nil
}

// unitTree is a stored sheet's tree signature.
type unitTree struct {
	unit string
	tree []string
}

// storedTrees are the trees of the warehouse's current sheets of a period
// and peer group without quarantined rows, except the units the run
// replaces.
func storedTrees(ctx context.Context, w *warehouse.Warehouse, period, level string, skip map[string]bool) ([]unitTree, error) {
	rows, err := w.DB().QueryContext(ctx, `SELECT r.unit_code, r.code, r.max_points, r.is_leaf FROM par_sheet_rows r
		JOIN par_sheets s ON s.period = r.period AND s.unit_code = r.unit_code AND s.rows_quarantined = 0
		WHERE r.period = ? AND r.unit_code IN (SELECT unit_code FROM units WHERE level = ?) ORDER BY r.unit_code, r.seq`, period, level)
	if err != nil {
		return nil, fmt.Errorf("par_sheet_rows: %w", err)
	}
	defer rows.Close()
	trees := map[string][]string{}
	var units []string
	for rows.Next() {
		var unit, code string
		var mx *float64
		var leaf bool
		if err := rows.Scan(&unit, &code, &mx, &leaf); err != nil {
			return nil, err
		}
		if !leaf {
			mx = nil // a parent's written figure is no part of the tree (Sheet.Tree)
		}
		if skip[unit] {
			continue
		}
		if trees[unit] == nil {
			units = append(units, unit)
		}
		trees[unit] = append(trees[unit], datasets.TreeEntry(code, mx))
	}
	out := make([]unitTree, len(units))
	for i, u := range units {
		out[i] = unitTree{u, trees[u]}
	}
	return out, rows.Err()
}

// treeDiff lists how tree t differs from ref, at most ten differences.
func treeDiff(t, ref []string) string { return treeDiffWith(t, ref, " thay vì") }

// treeDiffWith is treeDiff with the words between a maximum and ref's:
// "thay vì" (instead of) against a common tree, neutral words against
// another sheet when there is none.
func treeDiffWith(t, ref []string, instead string) string {
	split := func(tree []string) (map[string]string, []string) {
		m := map[string]string{}
		var codes []string
		for _, e := range tree {
			c, mx, _ := strings.Cut(e, "=")
			m[c] = mx
			codes = append(codes, c)
		}
		return m, codes
	}
	mt, ct := split(t)
	mr, cr := split(ref)
	var diffs []string
	for _, c := range cr {
		if _, ok := mt[c]; !ok {
			diffs = append(diffs, "thiếu "+c)
		} else if mt[c] != mr[c] {
			diffs = append(diffs, fmt.Sprintf("%s điểm tối đa %s%s %s", c, mt[c], instead, mr[c]))
		}
	}
	for _, c := range ct {
		if _, ok := mr[c]; !ok {
			diffs = append(diffs, "thừa "+c)
		}
	}
	if len(diffs) == 0 {
		diffs = append(diffs, "thứ tự tiêu chí khác")
	}
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("và %d khác biệt khác", len(diffs)-10))
	}
	return strings.Join(diffs, "; ")
}
