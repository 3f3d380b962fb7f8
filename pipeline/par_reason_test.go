package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parListRuns writes S.TP's sheet (4 + 6 of field I, field II the survey),
// then for each run its files (mtimes a minute apart, so a rewritten file
// is a new version) and runs the pipeline, after applying the run's SQL
// to the warehouse first if any. S.TP with a survey of 27: 4 + 6 + 27 = 37
// of 40 before adjustments.
type parListRun struct {
	files  [][2]string // path under the project, body
	before string      // SQL applied before the run
	// check, when set, looks at the warehouse after the run.
	check func(q func(string) string)
}

func parListRuns(t *testing.T, runs []parListRun) (w func(string) string, ledgerOf func(string) parCounts) {
	t.Helper()
	cfg, reg, wh, dir := parListsFixture(t)
	surveyNamedSheet(t, dir, "1-stp.csv", "Sở Tư pháp", "Điều tra xã hội học")
	at := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, r := range runs {
		if r.before != "" {
			if _, err := wh.DB().Exec(r.before); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range r.files {
			p := filepath.Join(dir, f[0])
			write(t, p, f[1])
			at = at.Add(time.Minute)
			if err := os.Chtimes(p, at, at); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Run(ctx, cfg, wh, reg, Options{NoPublish: true}); err != nil {
			t.Fatal(err)
		}
		if r.check != nil {
			r.check(func(q string) string { return scalar[string](t, wh, q) })
		}
	}
	return func(q string) string { return scalar[string](t, wh, q) },
		func(base string) parCounts { return ledger(t, wh)[base] }
}

const stpScore = `SELECT status || ' ' || coalesce(CAST(score AS VARCHAR), '-') || ' +' || CAST(bonus_points AS VARCHAR) ||
	' -' || CAST(penalty_points AS VARCHAR) FROM par_scores WHERE unit_code = 'S.TP'`

const survey27 = "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,27\n"

// Masking turns the names a reason gives into "[họ tên]": two decisions
// of one file naming different people are still two decisions, told apart
// in the key by an ordinal; only equal raw reasons are one decision twice.
func TestPARMaskedReasonsInFile(t *testing.T) {
	tests := []struct {
		name  string
		adj   string
		want  parCounts // of adj/khen.csv
		score string
		keys  string // the stored reasons, by row
	}{
		// Bình 0,5 and Cường 0,5: bonus 1,0, 38 / 40 = 95,0. Without the
		// ordinal the first was quarantined duplicate_in_file: 93,75.
		{"two people", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Trần Thị Bình\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Lê Văn Cường\n",
			parCounts{"loaded", 2, 2, 0, 0}, "ranked 95.0 +1.0 -0.0",
			"2 Khen thưởng đồng chí [họ tên]|3 Khen thưởng đồng chí [họ tên] (2)"},
		// Bình, Cường, Bình again: row 2 is row 4 written twice
		// (duplicate_in_file, row 4 kept under the first key), Cường
		// counts: bonus 1,0, 95,0; read 3 = loaded 2 + quarantined 1 (a
		// duplicate_in_file row waits for no correction: still ranked).
		{"one person twice", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Trần Thị Bình\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Lê Văn Cường\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Trần Thị Bình\n",
			parCounts{"loaded", 3, 2, 1, 0}, "ranked 95.0 +1.0 -0.0",
			"3 Khen thưởng đồng chí [họ tên] (2)|4 Khen thưởng đồng chí [họ tên]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, led := parListRuns(t, []parListRun{{files: [][2]string{{"survey/dtxhh.csv", survey27}, {"adj/khen.csv", tc.adj}}}})
			if got := led("khen.csv"); got != tc.want {
				t.Errorf("ledger %+v, want %+v", got, tc.want)
			}
			if got := q(stpScore); got != tc.score {
				t.Errorf("S.TP %s, want %s", got, tc.score)
			}
			if got := q(`SELECT string_agg(source_row || ' ' || reason, '|' ORDER BY source_row) FROM par_adjustment_rows`); got != tc.keys {
				t.Errorf("keys %q, want %q", got, tc.keys)
			}
			if got := q(`SELECT count(*)::VARCHAR FROM par_adjustment_rows WHERE reason LIKE '%Bình%' OR reason LIKE '%Cường%'`); got != "0" {
				t.Errorf("%s rows keep a name", got)
			}
		})
	}
}

// A corrected decision list whose new reading loses a unit's decision to a
// row quarantined without a unit (the unit's name mistyped) holds the unit
// back as incomplete until the file is corrected again, instead of ranking
// it without its penalty. Sheet 4 + 6 of 10, survey 27 of 30: 37/40.
// Run 1: penalty 1 → 36/40 = 90,0. Run 2: "Sở Tư phápp" (unknown unit) →
// S.TP incomplete, "chờ file sửa" (not ranked 92,5 with no penalty).
// Run 3: the name corrected → 90,0 again.
func TestPARReadAgainUnknownUnit(t *testing.T) {
	const head = "Đơn vị,Điểm trừ,Lý do\n"
	q, led := parListRuns(t, []parListRun{
		{files: [][2]string{{"survey/dtxhh.csv", survey27}, {"adj/tru.csv", head + "Sở Tư pháp,1,Chậm báo cáo quý I\n"}}},
		{files: [][2]string{{"adj/tru.csv", head + "Sở Tư phápp,1,Chậm báo cáo quý I\nSở Tài chính,\"0,5\",Chậm gửi báo cáo\n"}},
			check: func(q func(string) string) {
				if got := q(`SELECT status || ' ' || coalesce(note, '') FROM par_scores WHERE unit_code = 'S.TP'`); !strings.HasPrefix(got, "incomplete ") || !strings.Contains(got, "chờ file sửa") {
					t.Errorf("after the mistyped unit: S.TP %q, want incomplete waiting for the corrected file", got)
				}
			}},
		{files: [][2]string{{"adj/tru.csv", head + "Sở Tư pháp,1,Chậm báo cáo quý I\nSở Tài chính,\"0,5\",Chậm gửi báo cáo\n"}}},
	})
	if got := q(stpScore); got != "ranked 90.0 +0.0 -1.0" {
		t.Errorf("after the correction: S.TP %q, want ranked 90.0 +0.0 -1.0", got)
	}
	if got := led("tru.csv"); got != (parCounts{"loaded", 2, 2, 0, 0}) {
		t.Errorf("ledger %+v", got)
	}
}

// A written reason that itself ends as an ordinal does ("… (2)") does not
// take the key of another written reason masked alike: three different
// written reasons are three decisions, all loaded (read 3 = loaded 3).
func TestPARMaskedReasonOrdinalWritten(t *testing.T) {
	_, led := parListRuns(t, []parListRun{{files: [][2]string{{"survey/dtxhh.csv", survey27},
		{"adj/khen.csv", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Trần Thị Bình\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Lê Văn Cường\nSở Tư pháp,\"0,5\",Khen thưởng đồng chí Phạm Văn Dũng (2)\n"}}}})
	if got := led("khen.csv"); got != (parCounts{"loaded", 3, 3, 0, 0}) {
		t.Errorf("ledger %+v, want 3 read, 3 loaded (three different written reasons)", got)
	}
}

// A list file read again as a retry (a registry change cures its row of an
// unknown unit) ranks by the run that first loaded it: it does not take a
// key back from a file loaded later. Sheet 4 + 6 of 10, survey 27 of 30:
// 37/40. Run 1: a.csv, S.TP penalty 0,5 and a row of the unknown Sở Xây
// dựng. Run 2: b.csv, S.TP penalty 1 with the same reason, replacing
// a.csv's: 36/40 = 90,0. Run 3: Sở Xây dựng registered, a.csv retried:
// still 90,0 with penalty 1 (before, a.csv's 0,5 came back: 91,25).
func TestPARRetriedListFileOlder(t *testing.T) {
	cfg, reg, wh, dir := parListsFixture(t)
	surveyNamedSheet(t, dir, "1-stp.csv", "Sở Tư pháp", "Điều tra xã hội học")
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), survey27)
	at := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	put := func(name, body string) {
		p := filepath.Join(dir, name)
		write(t, p, body)
		at = at.Add(time.Minute)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	run := func() {
		if _, err := Run(context.Background(), cfg, wh, reg, Options{NoPublish: true}); err != nil {
			t.Fatal(err)
		}
	}
	put("adj/a.csv", "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,\"0,5\",Chậm báo cáo quý I\nSở Xây dựng,1,Chậm báo cáo\n")
	run()
	put("adj/b.csv", "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,1,Chậm báo cáo quý I\n")
	run()
	write(t, filepath.Join(dir, "units.csv"), parUnits+"S.XD,Sở Xây dựng,department,,,,,\n")
	cfg, reg = loadProject(t, dir)
	run()
	if n := scalar[int64](t, wh, `SELECT count(*) FROM par_adjustment_rows WHERE unit_code = 'S.XD'`); n != 1 {
		t.Fatalf("a.csv was not retried (S.XD has %d rows); the test proves nothing", n)
	}
	if got := scalar[string](t, wh, stpScore); got != "ranked 90.0 +0.0 -1.0" {
		t.Errorf("S.TP %q, want ranked 90.0 +0.0 -1.0 (b.csv, the later file, keeps its row)", got)
	}
	if got := ledger(t, wh)["a.csv"]; got.read != got.loaded+got.quarantined+got.superseded {
		t.Errorf("a.csv %+v does not reconcile", got)
	}
}
