package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
			err = fmt.Errorf("file %s: internal error while reading: %v", in.File, r)
		}
	}()
	p, err = d.Parse(in)
	if p == nil {
		p = &datasets.Parsed{}
	}
	return p, err
}

// failFile marks a file failed with a message naming the source and file,
// masked for personal data (a decoder's error may quote a cell).
func failFile(res *warehouse.FileResult, err error, log *slog.Logger) {
	res.Status = "failed"
	res.ErrorKind = failureKind(err)
	msg, _ := pii.MaskShapes(err.Error())
	if !strings.HasPrefix(msg, "file ") {
		msg = fmt.Sprintf("file %s: %s", res.Path, msg)
	}
	res.Error = fmt.Sprintf("source %s: %s", res.Source, msg)
	res.RowsRead = 0
	log.Error("file rejected", "source", res.Source, "file", res.Path, "err", msg)
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
		failFile(res, err, log)
		return nil, nil
	}
	if err := checkUnchanged(f, p.Digest); err != nil {
		failFile(res, err, log)
		return nil, nil
	}
	rdr, err := d.Reader(p.Rows)
	if err != nil {
		failFile(res, err, log)
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
		failFile(res, err, log)
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
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("source %s: file %s: %s", res.Source, res.Path, w))
		}
	}
	log.Info("file staged", "source", res.Source, "file", res.Path, "dataset", d.Name, "rows", res.RowsRead, "rejected", len(p.Rejections))
	return p, nil
}

// stagedSheet is a scoring sheet staged in this run.
type stagedSheet struct {
	res   *warehouse.FileResult
	sheet *datasets.Sheet
}

// checkTrees rejects the run's scoring sheets whose tree (codes and maxima)
// differs from the common tree of their period and peer group: the tree
// most sheets share, counting the warehouse's current sheets of the other
// units. A rejected sheet's staged rows are discarded and the file fails
// with the differences listed.
func checkTrees(ctx context.Context, w *warehouse.Warehouse, stage *warehouse.Stage, reg *units.Registry, sheets []stagedSheet, log *slog.Logger) error {
	level := map[string]string{}
	for _, u := range reg.Units {
		level[u.Code] = u.Level
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
	for _, g := range order {
		run := byGroup[g]
		inRun := map[string]bool{}
		for _, s := range run {
			inRun[s.sheet.Unit] = true
		}
		stored, err := storedTrees(ctx, w, g.period, g.level, inRun)
		if err != nil {
			return err
		}
		// The last staged sheet of a unit is the one that counts.
		last := map[string]stagedSheet{}
		for _, s := range run {
			last[s.sheet.Unit] = s
		}
		count := map[string]int{}
		var cands []string
		add := func(t []string) {
			k := strings.Join(t, "\n")
			if count[k] == 0 {
				cands = append(cands, k)
			}
			count[k]++
		}
		for _, t := range stored {
			add(t)
		}
		for _, s := range run {
			if last[s.sheet.Unit].res == s.res {
				add(s.sheet.Tree())
			}
		}
		if len(stored)+len(last) < 2 {
			continue
		}
		ref := cands[0]
		for _, k := range cands {
			if count[k] > count[ref] {
				ref = k
			}
		}
		refTree := strings.Split(ref, "\n")
		for _, s := range run {
			t := s.sheet.Tree()
			if strings.Join(t, "\n") == ref {
				continue
			}
			if err := stage.DiscardDataset(ctx, datasets.ParAppraisal, s.res.Seq); err != nil {
				return err
			}
			s.res.Status, s.res.ErrorKind, s.res.RowsRead = "failed", warehouse.ErrorContent, 0
			s.res.Error = fmt.Sprintf("source %s: file %s: cây tiêu chí khác với các bảng điểm khác của kỳ %s, nhóm %s: %s",
				s.res.Source, s.res.Path, g.period, g.level, treeDiff(t, refTree))
			log.Error("file rejected", "source", s.res.Source, "file", s.res.Path, "err", s.res.Error)
		}
	}
	return nil
}

// storedTrees are the trees of the warehouse's current sheets of a period
// and peer group, except the units the run replaces.
func storedTrees(ctx context.Context, w *warehouse.Warehouse, period, level string, skip map[string]bool) ([][]string, error) {
	rows, err := w.DB().QueryContext(ctx, `SELECT r.unit_code, r.code, r.max_points, r.is_leaf FROM par_sheet_rows r
		JOIN units u ON u.unit_code = r.unit_code
		JOIN par_sheets s ON s.period = r.period AND s.unit_code = r.unit_code AND s.rows_quarantined = 0
		WHERE r.period = ? AND u.level = ? ORDER BY r.unit_code, r.seq`, period, level)
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
	out := make([][]string, len(units))
	for i, u := range units {
		out[i] = trees[u]
	}
	return out, rows.Err()
}

// treeDiff lists how tree t differs from ref, at most ten differences.
func treeDiff(t, ref []string) string {
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
			diffs = append(diffs, fmt.Sprintf("%s điểm tối đa %s thay vì %s", c, mt[c], mr[c]))
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
