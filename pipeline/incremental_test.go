package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/warehouse"
)

// incrUnits has a commune dissolved into another on 1 March, so that
// unit_attribution and the restated movement differ between periods.
const incrUnits = `unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases
H.BAVI,UBND huyện Ba Vì,district,,,,,
H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,
X.TANLINH,UBND xã Tản Lĩnh,commune,H.BAVI,,,,
X.BADO,UBND xã Ba Đồ,commune,H.BAVI,,2026-03-01,X.TANLINH,
X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,,,
S.TP,Sở Tư pháp,department,,,,,
`

const incrHeader = "dossier_code,unit_code,procedure_name,field,channel,received_at,due_at,finished_at,status\n"

// incrRow is one export row: received day d of month m (2026) at 08:00, due
// after due days, finished after fin days ("" pending; -1 also pending).
func incrRow(code, unit string, m, d, due, fin int, field string) string {
	rec := time.Date(2026, time.Month(m), d, 8, 0, 0, 0, time.UTC)
	f, status := "", "Đang xử lý"
	if fin >= 0 {
		f, status = rec.AddDate(0, 0, fin).Add(time.Hour).Format("02/01/2006 15:04"), "Đã trả kết quả"
	}
	ch := "Trực tiếp"
	if d%2 == 0 {
		ch = "Trực tuyến"
	}
	return fmt.Sprintf("%s,%s,Thủ tục %s,%s,%s,%s,%s,%s,%s\n", code, unit, field, field, ch,
		rec.Format("02/01/2006 15:04"), rec.AddDate(0, 0, due).Format("02/01/2006")+" 17:00", f, status)
}

// TestIncrementalEqualsFullRebuild is issue 11.3: after each run of a
// sequence (a first load, redeliveries changing dates and status, a late
// row for an old period, a new month, a methodology change) every model
// table equals a full rebuild of the same dossiers at the same clock; the
// runs that can be incremental are, and they write again only the
// publications of the periods they rebuilt.
func TestIncrementalEqualsFullRebuild(t *testing.T) {
	dir := t.TempDir()
	exports := filepath.Join(dir, "exports")
	if err := os.MkdirAll(exports, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("units.csv", incrUnits)
	// freshness 0: a source turning stale as the clock jumps would
	// republish every period (tested elsewhere).
	write("cchc.yaml", "warehouse: ./cchc.duckdb\nunits: ./units.csv\nfreshness: 0s\nsources:\n  - name: a\n    path: ./exports/*.csv\npublish:\n  dir: ./out\n  formats: [csv, json]\n")
	cfg, reg, w := openProject(t, dir)

	// January to March: every unit, finished early, on time, late, and
	// pending dossiers carried over.
	var first strings.Builder
	first.WriteString(incrHeader)
	unitsList := []string{"H.BAVI", "H.THACHTHAT", "X.TANLINH", "X.BADO", "X.CAMLINH", "S.TP"}
	n := 0
	for m := 1; m <= 3; m++ {
		for d := 2; d <= 26; d += 3 {
			for i, u := range unitsList {
				if u == "X.BADO" && m == 3 {
					continue // dissolved on 1 March
				}
				n++
				fin := []int{2, 9, 12, -1}[(n+i)%4]
				if m == 3 && fin > 3 {
					fin = -1
				}
				first.WriteString(incrRow(fmt.Sprintf("HS-%04d", n), u, m, d, 7, fin, []string{"Hộ tịch", "Đất đai"}[n%2]))
			}
		}
	}
	// Redeliveries: a pending January dossier finishes in February, a
	// February one's finish moves into March and turns late, a March one
	// changes unit. (HS-0004: January, pending; HS-0061: February.)
	redeliver := incrHeader +
		incrRow("HS-0004", "X.BADO", 1, 2, 7, 30, "Hộ tịch") +
		incrRow("HS-0062", "H.THACHTHAT", 2, 2, 7, 30, "Đất đai") +
		incrRow("HS-0120", "H.BAVI", 3, 2, 7, 1, "Hộ tịch")
	// A late row for January, finished in January: it reaches January,
	// Q1, H1 and the year, and February's movement, never March.
	late := incrHeader + incrRow("HS-LATE-1", "X.CAMLINH", 1, 10, 7, 3, "Đất đai")
	// A new month.
	april := incrHeader + incrRow("HS-APR-1", "S.TP", 4, 3, 7, 2, "Hộ tịch") + incrRow("HS-APR-2", "X.TANLINH", 4, 6, 7, -1, "Đất đai")

	methodology := filepath.Join(dir, "methodology.yaml")
	def, err := os.ReadFile("../model/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(def), `version: "2026.2"`, `version: "2026.2-test"`, 1)
	if changed == string(def) {
		t.Fatal("default.yaml has no version line to change")
	}
	// The changed methodology writes one numerator as a sum: not counts,
	// so its indicators are aggregated from the outcomes of the periods a
	// run reaches, while II.06a still takes the delta (the last step).
	const count = `numerator: count(*) FILTER (WHERE outcome IN ('early', 'on_time', 'pending_in_time'))`
	if !strings.Contains(changed, count) {
		t.Fatal("default.yaml has no on_time numerator to rewrite")
	}
	changed = strings.Replace(changed, count, `numerator: sum(CASE WHEN outcome IN ('early', 'on_time', 'pending_in_time') THEN 1 ELSE 0 END)`, 1)
	// A second late January row, for the run after the methodology change.
	late2 := incrHeader + incrRow("HS-LATE-2", "X.TANLINH", 1, 12, 7, 2, "Hộ tịch")
	write("methodology.yaml", changed)
	// Other points only (a threshold, a new version): the same counts,
	// which the full build keeps.
	reweighted := strings.Replace(string(def), `version: "2026.2"`, `version: "2026.2-points"`, 1)
	if reweighted = strings.Replace(reweighted, "threshold: 1.0", "threshold: 0.9", 1); !strings.Contains(reweighted, "threshold: 0.9") {
		t.Fatal("default.yaml has no threshold 1.0 to change")
	}
	write("points.yaml", reweighted)
	// Points again, in a run that also loads a late row: every period is
	// rebuilt, from the counts updated by the run's changes.
	write("points2.yaml", strings.Replace(reweighted, `version: "2026.2-points"`, `version: "2026.2-points2"`, 1))
	late3 := incrHeader + incrRow("HS-LATE-3", "X.CAMLINH", 1, 14, 7, 2, "Đất đai")

	nl2 := strings.Replace(changed, `version: "2026.2-test"`, `version: "2026.2-test2"`, 1)
	nl2 = strings.Replace(nl2, "threshold: 1.0", "threshold: 0.8", 1)
	write("nl2.yaml", nl2)
	write("points3.yaml", strings.Replace(reweighted, `version: "2026.2-points"`, `version: "2026.2-points3"`, 1))
	renamed := strings.Replace(incrUnits, "UBND huyện Ba Vì", "UBND huyện Ba Vì mới", 1)
	dissolved := strings.Replace(renamed, "X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,,,", "X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,2026-02-01,X.TANLINH,", 1)
	added := dissolved + "X.MOI,UBND xã Mới,commune,H.BAVI,,,,\n"
	write("points4.yaml", strings.Replace(reweighted, `version: "2026.2-points"`, `version: "2026.2-points4"`, 1))
	undone := strings.Replace(added, "X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,2026-02-01,X.TANLINH,", "X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,,,", 1)
	aliased := strings.Replace(added, "X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,2026-02-01,X.TANLINH,", "X.CAMLINH,UBND xã Cẩm Lĩnh,commune,H.BAVI,,2026-02-01,X.TANLINH,Cẩm Lĩnh cũ", 1)
	aliased = strings.Replace(aliased, "S.TP,Sở Tư pháp,", "S.TP,Sở Tư pháp mới,", 1)
	now := time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC)
	mtime := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		name, file, body string
		methodology      string
		at               time.Time // the run's clock jumps here
		full             bool
		counts           string   // how the counts were brought up to date, when given
		rebuilt          []string // when not full
		touched          int      // of rebuilt, periods with a changed dossier
		fresh            int      // new periods counted from every dossier in a delta
		units            string   // the registry from this run on
		fullRefresh      bool
		relabelled       bool // counts moved to the units now standing
		failModel        bool // the model fails after the data commits
		anyScope         bool // the periods rebuilt are not checked
	}{
		{name: "first load", file: "01.csv", body: first.String(), full: true, counts: model.CountsAnew},
		// HS-0004 (January, was pending) now finishes early February: every
		// period from January on. HS-0062 and HS-0120 are in February and
		// March: the same periods.
		{name: "redeliveries", file: "02.csv", body: redeliver,
			rebuilt: []string{"2026", "2026-01", "2026-02", "2026-03", "2026-H1", "2026-Q1"}, touched: 6, counts: model.CountsDelta},
		// Scope: 2026-01, Q1, H1, 2026; their next periods in the data:
		// 2026-02 (Q2, H2 and 2027 do not exist), whose index_scores alone
		// are rebuilt.
		{name: "late row", file: "03.csv", body: late,
			rebuilt: []string{"2026", "2026-01", "2026-02", "2026-H1", "2026-Q1"}, touched: 4},
		// New periods 2026-04 and Q2 are counted from every dossier, the
		// others take the delta: April's dossiers reach 04, Q2, H1 and the
		// year; S.TP and X.TANLINH now reach past March, so their
		// data_until moves in March and Q1 (index_scores alone).
		{name: "new month", file: "04.csv", body: april, counts: model.CountsDelta,
			rebuilt: []string{"2026", "2026-03", "2026-04", "2026-H1", "2026-Q1", "2026-Q2"}, touched: 4, fresh: 2},
		// No file; on 20 May (grace 15 days) April has turned final: its
		// index_scores alone are rebuilt, and only it is republished.
		{name: "april turns final", at: time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC), rebuilt: []string{"2026-04"}},
		{name: "points change", methodology: filepath.Join(dir, "points.yaml"), full: true, counts: model.CountsKept},
		{name: "points change with a late row", methodology: filepath.Join(dir, "points2.yaml"), file: "04b.csv", body: late3,
			full: true, counts: model.CountsDelta},
		{name: "methodology change", methodology: methodology, full: true, counts: model.CountsAnew},
		// As "late row", and Q1's next period Q2 now exists (April).
		{name: "late row, indicators not counts", file: "05.csv", body: late2,
			rebuilt: []string{"2026", "2026-01", "2026-02", "2026-H1", "2026-Q1", "2026-Q2"}, touched: 4},
		// Every way the counts are brought up to date, each compared with
		// a recount (from a review).
		// Points of a methodology that is not counts, with a file: every
		// period rebuilt, the II.06a counts take the delta.
		{name: "non-linear points + file", methodology: filepath.Join(dir, "nl2.yaml"), file: "x1.csv", body: incrHeader + incrRow("HS-X1", "X.CAMLINH", 2, 14, 7, 2, "Đất đai"),
			full: true, counts: model.CountsDelta},
		// A unit renamed, no one standing for another: the delta.
		{name: "registry rename + file", units: renamed, file: "x2.csv", body: incrHeader + incrRow("HS-X2", "H.BAVI", 3, 14, 7, -1, "Đất đai"),
			full: true, counts: model.CountsDelta},
		// X.CAMLINH dissolved into X.TANLINH: who stands for whom moves;
		// the counts are relabelled and take the delta.
		{name: "registry dissolves + file", units: dissolved, file: "x3.csv", body: incrHeader + incrRow("HS-X3", "X.CAMLINH", 1, 15, 7, 40, "Đất đai"),
			full: true, counts: model.CountsDelta, relabelled: true},
		// Back to counts (another stamp), with a new month.
		{name: "linear points + new month", methodology: filepath.Join(dir, "points3.yaml"), file: "x4.csv", body: incrHeader + incrRow("HS-X4", "S.TP", 5, 3, 7, 2, "Hộ tịch"),
			full: true, counts: model.CountsAnew},
		// Points again, June new, HS-0004 redelivered: the delta, one new
		// period counted from every dossier.
		{name: "points + June + redelivery", at: time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC), methodology: filepath.Join(dir, "points4.yaml"), file: "x4b.csv",
			body: incrHeader + incrRow("HS-X4b", "S.TP", 6, 3, 7, 2, "Hộ tịch") + incrRow("HS-0004", "X.BADO", 1, 2, 7, 50, "Hộ tịch"),
			full: true, counts: model.CountsDelta, fresh: 1},
		{name: "model fails", file: "x5.csv", body: incrHeader + incrRow("HS-X5", "S.TP", 2, 3, 7, 2, "Hộ tịch"), failModel: true},
		// The counts recorded the dossiers before the failed run: anew.
		{name: "after a failed model + file", file: "x6.csv", body: incrHeader + incrRow("HS-X6", "S.TP", 2, 4, 7, 2, "Hộ tịch"),
			full: true, counts: model.CountsAnew},
		{name: "plain delta", file: "x7.csv", body: incrHeader + incrRow("HS-0004", "X.BADO", 1, 2, 7, 3, "Hộ tịch"), counts: model.CountsDelta, anyScope: true},
		{name: "full refresh", fullRefresh: true, full: true, counts: model.CountsAnew},
		{name: "delta after the refresh", file: "x8.csv", body: incrHeader + incrRow("HS-X8", "X.TANLINH", 3, 5, 7, 2, "Hộ tịch"), counts: model.CountsDelta, anyScope: true},
		// A unit added: unit_attribution gains rows in existing periods.
		// X.MOI's dossier is its own (it stood for itself outside the
		// registry too): nothing to relabel.
		{name: "registry adds a unit + file", units: added, file: "x9.csv", body: incrHeader + incrRow("HS-X9", "X.MOI", 3, 6, 7, 2, "Hộ tịch"),
			full: true, counts: model.CountsDelta},
		// The dissolution undone, then done again (aliased below), with
		// no file: the counts kept, relabelled.
		{name: "registry: dissolution undone, nothing loaded", units: undone, full: true, counts: model.CountsKept, relabelled: true},
		{name: "a row for an unknown unit", file: "xq.csv",
			body:   incrHeader + incrRow("HS-Q1", "Cẩm Lĩnh cũ", 1, 6, 7, 2, "Hộ tịch") + incrRow("HS-Q2", "S.TP", 1, 7, 7, -1, "Hộ tịch") + incrRow("HS-0010", "S.TP", 1, 7, 7, 2, "Hộ tịch"),
			counts: model.CountsDelta, anyScope: true},
		// The alias makes the quarantined row loadable: the file is read
		// again on the staged path (a retry).
		{name: "alias and rename: a retry", units: aliased, file: "xr.csv", body: incrHeader + incrRow("HS-R1", "S.TP", 2, 8, 7, 2, "Hộ tịch"),
			full: true, counts: model.CountsDelta, relabelled: true},
		{name: "points, nothing loaded", methodology: filepath.Join(dir, "points2.yaml"), full: true, counts: model.CountsKept},
		{name: "nothing new"},
	}
	for i, st := range steps {
		if st.file != "" {
			p := filepath.Join(exports, st.file)
			if err := os.WriteFile(p, []byte(st.body), 0o644); err != nil {
				t.Fatal(err)
			}
			mtime = mtime.Add(time.Hour)
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		if st.methodology != "" {
			cfg.Methodology = st.methodology
		}
		// Every publication file gets an old time, so the run's writes show.
		pubs, _ := filepath.Glob(filepath.Join(cfg.Publish.Dir, "*", "*"))
		for _, p := range pubs {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Hour)
		if !st.at.IsZero() {
			now = st.at
		}
		runNow := now
		if st.units != "" {
			write("units.csv", st.units)
			_, reg = loadProject(t, dir)
		}
		opts := Options{Now: func() time.Time { return runNow }, FullRefresh: st.fullRefresh}
		if st.failModel {
			opts.BeforeModel = func() error { return fmt.Errorf("injected") }
		}
		sum, err := Run(context.Background(), cfg, w, reg, opts)
		if st.failModel {
			continue
		}
		if err != nil || sum.ExitCode() != ExitOK {
			t.Fatalf("%s: run: %v (exit %d, %s)", st.name, err, sum.ExitCode(), failureMessage(sum))
		}
		if i == len(steps)-1 {
			if sum.Modelled || len(sum.Published) > 0 {
				t.Errorf("%s: modelled %v, published %d files; want nothing", st.name, sum.Modelled, len(sum.Published))
			}
			continue
		}
		if !sum.Modelled || (!st.anyScope && sum.ModelFull != st.full) {
			t.Errorf("%s: modelled %v, full %v; want a full build %v", st.name, sum.Modelled, sum.ModelFull, st.full)
		}
		if st.counts != "" && sum.ModelCounts != st.counts {
			t.Errorf("%s: counts %s, want %s", st.name, sum.ModelCounts, st.counts)
		}
		if (sum.RelabelledCounts > 0) != st.relabelled {
			t.Errorf("%s: %d count rows relabelled, want some %v", st.name, sum.RelabelledCounts, st.relabelled)
		}
		if sum.NewPeriods != st.fresh {
			t.Errorf("%s: %d new periods, want %d", st.name, sum.NewPeriods, st.fresh)
		}
		if !st.full && !st.anyScope && (!slices.Equal(sum.RebuiltPeriods, st.rebuilt) || sum.TouchedPeriods != st.touched) {
			t.Errorf("%s: rebuilt %v (%d with changed dossiers), want %v (%d)", st.name, sum.RebuiltPeriods, sum.TouchedPeriods, st.rebuilt, st.touched)
		}
		if !slices.Equal(sum.RepublishedPeriods, sum.RebuiltPeriods) {
			t.Errorf("%s: republished %v, rebuilt %v", st.name, sum.RepublishedPeriods, sum.RebuiltPeriods)
		}
		// A period's files were written again exactly when it was rebuilt.
		pubs, _ = filepath.Glob(filepath.Join(cfg.Publish.Dir, "*", "*"))
		if len(pubs) == 0 {
			t.Fatalf("%s: no publications", st.name)
		}
		for _, p := range pubs {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			period := filepath.Base(filepath.Dir(p))
			if written, want := !fi.ModTime().Equal(old), slices.Contains(sum.RebuiltPeriods, period); written != want {
				t.Errorf("%s: %s written %v, want %v", st.name, p, written, want)
			}
		}
		asOf := model.AsOf{Now: warehouse.LocalNow(runNow, cfg.Location), Grace: cfg.Publish.Grace}
		compareWithFullBuild(t, st.name, w, cfg, asOf)
	}
}

// compareWithFullBuild rebuilds the whole model of w's dossiers, every
// dossier counted, in a transaction it rolls back, and reports every row of a model table that
// differs from what the runs left.
func compareWithFullBuild(t *testing.T, step string, w *warehouse.Warehouse, cfg *config.Config, asOf model.AsOf) {
	t.Helper()
	ctx := context.Background()
	tables := []string{"periods", "unit_attribution", "outcome_counts", "unit_covered", "dossier_stats", "indicator_values", "index_scores", "index_groups",
		"par_criteria", "par_criterion_scores", "par_scores", "methodologies"}
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		t.Fatal(err)
	}
	defer c.ExecContext(ctx, "ROLLBACK")
	for _, tb := range tables {
		if _, err := c.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE inc_%s AS SELECT * FROM %s`, tb, tb)); err != nil {
			t.Fatal(err)
		}
	}
	// Counted anew: a full build keeps counts that match the dossiers.
	if _, err := c.ExecContext(ctx, `DROP TABLE outcome_counts`); err != nil {
		t.Fatal(err)
	}
	meth, err := model.LoadMethodology(cfg.Methodology)
	if err != nil {
		t.Fatal(err)
	}
	par, err := model.LoadPARMethodology(cfg.PAR.Methodology)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.BuildWith(ctx, c, cfg.Periods, meth, par, asOf); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		var rows, extra, missing int
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM %[1]s),
			(SELECT count(*) FROM (SELECT * FROM inc_%[1]s EXCEPT ALL SELECT * FROM %[1]s)),
			(SELECT count(*) FROM (SELECT * FROM %[1]s EXCEPT ALL SELECT * FROM inc_%[1]s))`, tb)
		if err := c.QueryRowContext(ctx, q).Scan(&rows, &extra, &missing); err != nil {
			t.Fatal(err)
		}
		if extra+missing > 0 {
			t.Errorf("%s: %s differs from a full rebuild: %d rows only after the runs, %d only in the rebuild", step, tb, extra, missing)
			for _, d := range []string{"inc_" + tb + " EXCEPT ALL SELECT * FROM " + tb, tb + " EXCEPT ALL SELECT * FROM inc_" + tb} {
				rows, err := c.QueryContext(ctx, `SELECT CAST(t AS VARCHAR) FROM (SELECT * FROM `+d+`) t LIMIT 5`)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					t.Logf("  %s: %s", d, s)
				}
				rows.Close()
			}
		}
		if rows == 0 && !strings.HasPrefix(tb, "par_") {
			t.Errorf("%s: %s is empty", step, tb)
		}
	}
}
