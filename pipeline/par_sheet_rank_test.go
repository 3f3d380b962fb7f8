package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/internal/testfixture"
	"github.com/cchc/cchc/units"
)

// A scoring sheet read again after a registry change (it failed whole: the
// unit it names was unknown) ranks by the run that first read it, as the
// survey's and adjustments' retried files do: it does not replace the
// unit's sheet from a file first loaded after it, nor, from the same run,
// the sheet already loaded; a sheet new in the run of the retry still
// replaces it, and two new sheets of a unit in one run still go by file
// order. testfixture.PARSheet has 10 nodes; a superseded sheet counts its
// 10 rows superseded, so read 10 = loaded + quarantined + superseded.
//
// Found by review 61: "Sở TP mới" failed in run 1 (II.1 = 1), the corrected
// sheet of Sở Tư pháp loaded in run 2 (II.1 = 2), the alias added in run 3
// brought the old sheet back (II.1 = 1) and left b-v2.xlsx's ledger row
// saying 10 rows loaded that were gone.
func TestPARSheetReadAgainRanksByFirstRun(t *testing.T) {
	t0 := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	type file struct {
		name, unitLine string
		ii1            float64
		at             time.Time
	}
	type run struct {
		files []file
		alias string // S.TP's aliases from this run on ("Sở TP mới")
	}
	unknown := "Đơn vị: Sở TP mới"
	mới := "Sở TP mới"
	stp := "Đơn vị: Sở Tư pháp"
	cases := []struct {
		name   string
		runs   []run
		want   string // II.1 of S.TP as loaded: points@file
		ledger map[string]parCounts
	}{
		{
			// Run 1 a-v1 fails; run 2 b-v2 loads (first run 2); run 3
			// a-v1 read again ranks by run 1 < 2: superseded.
			name: "failed sheet read again after a later sheet",
			runs: []run{
				{files: []file{{"a-v1.xlsx", unknown, 1, t0}}},
				{files: []file{{"b-v2.xlsx", stp, 2, t0.Add(48 * time.Hour)}}},
				{alias: mới},
			},
			want: "S.TP=2.0@b-v2.xlsx",
			ledger: map[string]parCounts{
				"a-v1.xlsx": {"loaded", 10, 0, 0, 10},
				"b-v2.xlsx": {"loaded", 10, 10, 0, 0},
			},
		},
		{
			// No other sheet of the unit: the cured sheet loads.
			name: "failed sheet read again alone",
			runs: []run{
				{files: []file{{"a-v1.xlsx", unknown, 1, t0}}},
				{alias: mới},
			},
			want:   "S.TP=1.0@a-v1.xlsx",
			ledger: map[string]parCounts{"a-v1.xlsx": {"loaded", 10, 10, 0, 0}},
		},
		{
			// Run 2 reads a-v1 again (rank 1) and c-new (rank 2): c-new
			// wins although its earlier date stages it first (file order
			// alone, as before, took a-v1).
			name: "failed sheet read again beside a new sheet dated earlier",
			runs: []run{
				{files: []file{{"a-v1.xlsx", unknown, 1, t0}}},
				{files: []file{{"c-new.xlsx", stp, 2, t0.Add(-time.Hour)}}, alias: mới},
			},
			want: "S.TP=2.0@c-new.xlsx",
			ledger: map[string]parCounts{
				"a-v1.xlsx":  {"loaded", 10, 0, 0, 10},
				"c-new.xlsx": {"loaded", 10, 10, 0, 0},
			},
		},
		{
			// Both first read in run 1 (a-v1 dated later, but it failed):
			// their order is no longer known and b-v2, loaded, stays.
			name: "failed sheet read again against a sheet of its own first run",
			runs: []run{
				{files: []file{{"b-v2.xlsx", stp, 2, t0}, {"a-v1.xlsx", unknown, 1, t0.Add(time.Hour)}}},
				{alias: mới},
			},
			want: "S.TP=2.0@b-v2.xlsx",
			ledger: map[string]parCounts{
				"a-v1.xlsx": {"loaded", 10, 0, 0, 10},
				"b-v2.xlsx": {"loaded", 10, 10, 0, 0},
			},
		},
		{
			// Two sheets failed, cured one after the other: a-v1 (first
			// read in run 1) loads in run 2 and keeps run 1 in the ledger;
			// d-v3 (first read in run 2) read again in run 3 ranks 2 > 1
			// and replaces it (had a-v1's load moved its first run to 2,
			// the tie would have kept a-v1). a-v1's ledger row records its
			// load in run 2, as any sheet's replaced by a later run's.
			name: "two failed sheets cured in turn",
			runs: []run{
				{files: []file{{"a-v1.xlsx", unknown, 1, t0}}},
				{files: []file{{"d-v3.xlsx", "Đơn vị: Sở TP cũ", 2, t0.Add(48 * time.Hour)}}, alias: mới},
				{alias: "Sở TP mới|Sở TP cũ"},
			},
			want: "S.TP=2.0@d-v3.xlsx",
			ledger: map[string]parCounts{
				"a-v1.xlsx": {"loaded", 10, 10, 0, 0},
				"d-v3.xlsx": {"loaded", 10, 10, 0, 0},
			},
		},
		{
			// Two new sheets of S.TP in one run: the later file wins, the
			// earlier one's 10 rows are superseded (as before the fix).
			name: "two new sheets of a unit in one run",
			runs: []run{
				{files: []file{{"b-v2.xlsx", stp, 2, t0.Add(time.Hour)}, {"a-v1.xlsx", stp, 1, t0}}},
			},
			want: "S.TP=2.0@b-v2.xlsx",
			ledger: map[string]parCounts{
				"a-v1.xlsx": {"loaded", 10, 0, 0, 10},
				"b-v2.xlsx": {"loaded", 10, 10, 0, 0},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg, reg, w, dir := parFixture(t)
			for i, r := range tc.runs {
				if r.alias != "" {
					write(t, filepath.Join(dir, "units.csv"), strings.Replace(parUnits, "S.TP,Sở Tư pháp,department,,,,,", "S.TP,Sở Tư pháp,department,,,,,"+r.alias, 1))
					var err error
					if reg, err = units.Load(cfg.Units); err != nil {
						t.Fatal(err)
					}
				}
				for _, f := range r.files {
					sheet(t, dir, f.name, f.unitLine, f.ii1, f.at)
				}
				if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
					t.Fatalf("run %d: %v", i+1, err)
				}
			}
			if s := scalar[string](t, w, `SELECT string_agg(unit_code || '=' || appraised_points || '@' || regexp_extract(source_file, '[^/]+$'), ' ')
				FROM par_sheet_rows WHERE code = 'II.1'`); s != tc.want {
				t.Errorf("II.1: %s, want %s", s, tc.want)
			}
			// par_sheets names the same sheet as its rows.
			unit, _, _ := strings.Cut(tc.want, "=")
			_, file, _ := strings.Cut(tc.want, "@")
			if s := scalar[string](t, w, `SELECT string_agg(unit_code || '@' || regexp_extract(source_file, '[^/]+$'), ' ') FROM par_sheets`); s != unit+"@"+file {
				t.Errorf("par_sheets: %s, want %s@%s", s, unit, file)
			}
			got := ledger(t, w)
			for name, want := range tc.ledger {
				if got[name] != want {
					t.Errorf("%s: %+v, want %+v", name, got[name], want)
				}
			}
		})
	}
}

// The tree vote counts, for a unit, the sheet the merge keeps: a sheet read
// again that its unit's stored sheet, first loaded later, supersedes does
// not vote, and the stored sheet does. T is the fixture's tree, T' the
// same with I.2's maximum 4 (I 7).
//
//	run 1: stc.xlsx S.TC T' (alone: loads); a-v1.xlsx "Sở TP mới" T' fails
//	run 2: b-v2.xlsx S.TP T, nv1.xlsx S.NV T: T 2 against T' 1, both load
//	run 3: alias; a-v1.xlsx read again (rank 1 < b-v2's 2), nv2.xlsx S.NV T
//
// Run 3 votes S.TC T' and S.TP's b-v2 T (stored), nv2 T: T 2 against 1,
// nv2 loads and a-v1, outside T, is rejected. Had a-v1 voted in b-v2's
// place, T' would have won 2 to 1 and nv2 been rejected.
func TestPARTreeVoteReadAgainSheet(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := parFixture(t)
	t0 := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	other := func(name, unitLine string, at time.Time) {
		rows := testfixture.PARSheet(unitLine, 2.0)
		rows[5][2], rows[10][2] = 7.0, 4.0
		p := testfixture.WriteXLSX(t, filepath.Join(dir, "sheets"), name, rows, testfixture.SheetMerges...)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	run := func() {
		t.Helper()
		if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
			t.Fatal(err)
		}
	}
	other("stc.xlsx", "Đơn vị: Sở Tài chính", t0)
	other("a-v1.xlsx", "Đơn vị: Sở TP mới", t0.Add(time.Hour))
	run()
	sheet(t, dir, "b-v2.xlsx", "Đơn vị: Sở Tư pháp", 2.0, t0.Add(48*time.Hour))
	sheet(t, dir, "nv1.xlsx", "Đơn vị: Sở Nội vụ", 2.0, t0.Add(49*time.Hour))
	run()
	write(t, filepath.Join(dir, "units.csv"), strings.Replace(parUnits, "S.TP,Sở Tư pháp,department,,,,,", "S.TP,Sở Tư pháp,department,,,,,Sở TP mới", 1))
	var err error
	if reg, err = units.Load(cfg.Units); err != nil {
		t.Fatal(err)
	}
	sheet(t, dir, "nv2.xlsx", "Đơn vị: Sở Nội vụ", 1.5, t0.Add(96*time.Hour))
	run()
	got := ledger(t, w)
	if got["nv2.xlsx"] != (parCounts{"loaded", 10, 10, 0, 0}) {
		t.Errorf("nv2.xlsx: %+v, want loaded (T wins 2 to 1)", got["nv2.xlsx"])
	}
	if got["a-v1.xlsx"].status != "failed" {
		t.Errorf("a-v1.xlsx: %+v, want failed (its tree is not the common one)", got["a-v1.xlsx"])
	}
	if s := scalar[string](t, w, `SELECT string_agg(unit_code || '@' || regexp_extract(source_file, '[^/]+$'), ' ' ORDER BY unit_code) FROM par_sheets`); s != "S.NV@nv2.xlsx S.TC@stc.xlsx S.TP@b-v2.xlsx" {
		t.Errorf("par_sheets: %s", s)
	}
}
