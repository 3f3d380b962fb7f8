package warehouse

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

// A file read again after it failed whole (FailedBefore, FirstRunID: the
// run that first read it) ranks by that run, as a retried file does, in
// every dataset merged here: its row of a key does not replace the row
// from a file first loaded later, and a file new in the same run is newer
// even staged before it. Each file holds one valid row of the same key
// (survey: S.TP, 2025; adjustments: S.TP, 2025, "Chậm báo cáo"; dossiers:
// code D1), so read 1 = loaded 1 or superseded 1.
func TestFailedBeforeRanksByFirstRun(t *testing.T) {
	type file struct {
		path        string
		points      float64
		failed      bool  // the file fails whole (nothing staged)
		firstReadIn int64 // > 0: FailedBefore, first read by that run
	}
	cases := []struct {
		name string
		runs [][]file
		want string // the file whose row the key holds
		// superseded: the last run's files whose row was superseded
		superseded map[string]bool
	}{
		{
			// Run 1 a.csv fails, run 2 b.csv loads (first run 2), run 3
			// reads a.csv again: rank 1 < 2, superseded.
			name: "read again after a later file",
			runs: [][]file{
				{{path: "a.csv", points: 1, failed: true}},
				{{path: "b.csv", points: 2}},
				{{path: "a.csv", points: 1, firstReadIn: 1}},
			},
			want:       "b.csv",
			superseded: map[string]bool{"a.csv": true},
		},
		{
			// Run 2 stages c.csv first (seq 1), then a.csv read again
			// (seq 2, rank 1): c.csv, ranked 2, wins.
			name: "read again beside a new file staged before it",
			runs: [][]file{
				{{path: "a.csv", points: 1, failed: true}},
				{{path: "c.csv", points: 2}, {path: "a.csv", points: 1, firstReadIn: 1}},
			},
			want:       "c.csv",
			superseded: map[string]bool{"a.csv": true},
		},
		{
			// Nothing else of the key: the file read again loads.
			name: "read again alone",
			runs: [][]file{
				{{path: "a.csv", points: 1, failed: true}},
				{{path: "a.csv", points: 1, firstReadIn: 1}},
			},
			want: "a.csv",
		},
	}
	// load stages path's one row as file seq.
	type load func(t *testing.T, st *Stage, seq int32, path string, points float64)
	list := func(d *datasets.Dataset, own func(points float64) []any) load {
		return func(t *testing.T, st *Stage, seq int32, path string, points float64) {
			row := append(own(points), "s", path, int64(2), path+"-sha", seq, nil, nil, nil, nil, nil)
			rdr, err := d.Reader([][]any{row})
			if err != nil {
				t.Fatal(err)
			}
			defer rdr.Release()
			if err := st.LoadDataset(context.Background(), d, rdr); err != nil {
				t.Fatal(err)
			}
		}
	}
	sets := []struct {
		d     *datasets.Dataset
		table string
		key   string // the stage column of the key named by the file's header
		load  load
	}{
		{datasets.ParSurvey, "par_survey_results", "unit_code",
			list(datasets.ParSurvey, func(p float64) []any { return []any{"2025", "S.TP", p, nil} })},
		{datasets.ParAdjustments, "par_adjustment_rows", "unit_code",
			list(datasets.ParAdjustments, func(p float64) []any { return []any{"2025", "S.TP", "Chậm báo cáo", -p} })},
		{datasets.Dossiers, "dossiers", "dossier_code", func(t *testing.T, st *Stage, seq int32, path string, _ float64) {
			rec := stageFile(t, seq, path, path+"-sha", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), []string{"D1"}, []string{""})
			defer rec.Release()
			rdr, _ := array.NewRecordReader(transforms.StageSchema, []arrow.Record{rec})
			defer rdr.Release()
			if err := st.LoadDataset(context.Background(), datasets.Dossiers, rdr); err != nil {
				t.Fatal(err)
			}
		}},
	}
	reg := []units.Unit{{Code: "S.TP", Name: "Sở Tư pháp", Level: "department"}, {Code: "U1", Name: "Đơn vị 1", Level: "commune"}}
	for _, l := range sets {
		for _, tc := range cases {
			t.Run(l.d.Name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				w := open(t)
				at := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
				var last []*FileResult
				for i, files := range tc.runs {
					runID := int64(i + 1)
					st, err := w.NewStage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					var results []*FileResult
					for j, f := range files {
						seq := int32(j + 1)
						r := &FileResult{Seq: seq, Source: "s", Path: f.path, SHA256: f.path + "-sha", Dataset: l.d.Name,
							FailedBefore: f.firstReadIn > 0, FirstRunID: f.firstReadIn}
						if f.failed {
							r.Status, r.Error, r.ErrorKind = "failed", "không đọc được tệp", ErrorContent
						} else {
							r.Status, r.RowsRead = "loaded", 1
							r.Mapping = transforms.Mapping{Columns: map[string]string{"Khóa": l.key}}
							l.load(t, st, seq, f.path, f.points)
						}
						results = append(results, r)
					}
					if _, err := w.DB().Exec(`INSERT INTO runs (run_id, started_at, status, trigger) VALUES (?, ?, 'running', 'manual')`, runID, at); err != nil {
						t.Fatal(err)
					}
					if err := st.Commit(ctx, CommitInput{RunID: runID, LoadedAt: at, Units: reg, Files: results}); err != nil {
						t.Fatal(err)
					}
					st.Close()
					at = at.Add(24 * time.Hour)
					last = results
				}
				var got string
				if err := w.DB().QueryRow(`SELECT string_agg(source_file, ' ') FROM ` + l.table).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("the key's row from %s, want %s", got, tc.want)
				}
				// A file read again keeps the run that first read it in the
				// ledger, for its next retry's rank.
				for _, f := range tc.runs[len(tc.runs)-1] {
					var first int64
					if err := w.DB().QueryRow(`SELECT first_run_id FROM source_files WHERE path = ?`, f.path).Scan(&first); err != nil {
						t.Fatal(err)
					}
					want := int64(len(tc.runs)) // a new file: this run
					if f.firstReadIn > 0 {
						want = f.firstReadIn
					}
					if first != want {
						t.Errorf("%s: first_run_id %d, want %d", f.path, first, want)
					}
				}
				for _, r := range last {
					want := [2]int64{1, 0} // loaded, superseded
					if tc.superseded[r.Path] {
						want = [2]int64{0, 1}
					}
					if g := [2]int64{r.RowsLoaded, r.RowsSuperseded}; g != want {
						t.Errorf("%s: loaded, superseded %v, want %v", r.Path, g, want)
					}
				}
			})
		}
	}
}
