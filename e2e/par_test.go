package e2e

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// 9.8: the demo loads a PAR set for the demo province (2024 and 2025:
// scoring sheets in XLSX and CSV, one sent again corrected, the survey and
// a bonus/penalty decision) through the same ledger and quarantine, the
// model scores every unit standing at each year's end as the manifest
// computes from the sheets, and the PAR publications appear beside the
// rankings of the same period, listing the period's mergers.
func TestDemoPAR(t *testing.T) {
	par := demo.manifest.PAR
	if par == nil || len(par.Files) < 30 || len(par.Scores) != 32 {
		t.Fatalf("manifest PAR part: %+v", par)
	}
	formats := map[string]int{}
	for _, f := range par.Files {
		path := filepath.Join(demo.dir, filepath.FromSlash(f.Path))
		var read, loaded, quarantined, superseded int
		var format string
		if err := demo.db.QueryRow(`SELECT rows_read, rows_loaded, rows_quarantined, rows_superseded, format FROM source_files WHERE path = ?`, path).
			Scan(&read, &loaded, &quarantined, &superseded, &format); err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		formats[f.Dataset+"/"+format]++
		if read != f.Rows || quarantined != f.Quarantined || superseded != f.Superseded || read != loaded+quarantined+superseded {
			t.Errorf("%s: read %d loaded %d quarantined %d superseded %d; manifest %d rows, %d quarantined, %d superseded",
				f.Path, read, loaded, quarantined, superseded, f.Rows, f.Quarantined, f.Superseded)
		}
		if f.Unit != "" && f.Superseded == 0 {
			// The sheet the load keeps is the unit's sheet of the year.
			if got := query[string](t, `SELECT coalesce(max(source_file), '') FROM par_sheets WHERE period = ? AND unit_code = ?`, f.Period, f.Unit); got != path {
				t.Errorf("%s %s: current sheet %q, want %s", f.Period, f.Unit, got, f.Path)
			}
		}
	}
	if formats["par_appraisal/xlsx"] < 30 || formats["par_appraisal/csv"] != 2 || formats["par_survey/xlsx"] != 2 || formats["par_adjustments/csv"] != 1 {
		t.Errorf("PAR files by dataset and format: %v", formats)
	}
	// The first sheet of xã Suối Hai: its typing error quarantined naming
	// the criterion; the corrected sheet replaced it, so the unit is ranked.
	reason := query[string](t, `SELECT reason FROM quarantine WHERE source = 'par-2025'`)
	if !strings.Contains(reason, "III.2") || !strings.Contains(reason, "lớn hơn điểm tối đa 6") {
		t.Errorf("par-2025 quarantine reason %q", reason)
	}
	// Scores: the model against the manifest's own computation.
	for _, want := range par.Scores {
		var status, pg string
		var score, total, max float64
		if err := demo.db.QueryRow(`SELECT status, peer_group, score, total_points, max_points FROM par_scores WHERE period = ? AND unit_code = ?`,
			want.Period, want.Unit).Scan(&status, &pg, &score, &total, &max); err != nil {
			t.Errorf("%s %s: %v", want.Period, want.Unit, err)
			continue
		}
		if status != want.Status || pg != want.PeerGroup || math.Abs(score-want.Score) > 1e-9 || math.Abs(total-want.Total) > 1e-9 || max != want.Max {
			t.Errorf("%s %s: %s %s score %v (%v/%v); manifest %+v", want.Period, want.Unit, status, pg, score, total, max, want)
		}
	}
	if n := query[int](t, `SELECT count(*) FROM par_scores`); n != len(par.Scores) {
		t.Errorf("%d par_scores rows, manifest %d", n, len(par.Scores))
	}
	// Movement restated on 2025's units: Sở Xây dựng's previous score is
	// the mean of its own and Sở Giao thông vận tải's 2024 scores (merged
	// on 1 March 2025); xã Quảng Oai, new and without predecessors, has none.
	prev := map[string]float64{}
	for _, s := range par.Scores {
		prev[s.Period+" "+s.Unit] = s.Score
	}
	sxd := query[float64](t, `SELECT previous_score FROM par_scores WHERE period = '2025' AND unit_code = 'H41.SXD'`)
	if want := (prev["2024 H41.SXD"] + prev["2024 H41.SGTVT"]) / 2; math.Abs(sxd-want) > 1e-9 {
		t.Errorf("H41.SXD previous score %v, want %v", sxd, want)
	}
	if n := query[int](t, `SELECT count(previous_score) FROM par_scores WHERE period = '2025' AND unit_code = 'XA.QUANGOAI'`); n != 0 {
		t.Error("XA.QUANGOAI has a previous score")
	}
	// The publications of 2025: the PAR files beside the rankings, the
	// merged departments named on their successors' rows.
	dir := filepath.Join(demo.cfg.Publish.Dir, "2025")
	for _, name := range []string{"par-department.csv", "par-department.xlsx", "par-department.json", "par-department.parquet",
		"par-commune.csv", "ranking-department.csv", "ranking-commune.csv", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("2025/%s not published: %v", name, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "par-department.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Sở Giao thông vận tải được sáp nhập vào Sở Xây dựng từ 01/03/2025,H41.SXD") {
		t.Errorf("par-department.csv does not name the merger on Sở Xây dựng's row:\n%s", b)
	}
	// Written again from the same warehouse, the PAR files are the same
	// bytes.
	again, err := publishPeriod("2025", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range again {
		name := filepath.Base(f)
		if !strings.HasPrefix(name, "par-") {
			continue
		}
		n++
		a, _ := os.ReadFile(f)
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(a) != string(b) {
			t.Errorf("2025/%s differs between the run and a republication (%v)", name, err)
		}
	}
	if n != 8 {
		t.Errorf("%d PAR files republished for 2025, want 8 (2 peer groups × 4 formats)", n)
	}
	if _, err := os.Stat(filepath.Join(demo.cfg.Publish.Dir, "2024", "par-district.csv")); err != nil {
		t.Errorf("2024 district PAR ranking: %v", err)
	}
	// The same inputs publish the same bytes wherever the exports sit: no
	// publication names the folder they were read from (the JSON lists
	// each input by source, file name and SHA-256).
	_ = filepath.WalkDir(demo.cfg.Publish.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".parquet") || strings.HasSuffix(p, ".xlsx") {
			return err
		}
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), demo.dir) {
			t.Errorf("%s names the folder of the exports (%s)", p, demo.dir)
		}
		return nil
	})
}
