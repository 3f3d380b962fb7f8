package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchc/cchc/units"
)

// An export that still names a dissolved unit loads, counts for its
// successor, and the run summary says how many rows were redirected: in
// the fixture, xã Tản Lĩnh receives H41.01-260303-0003 on 03/03/2026; here
// it was merged into the new xã Tản Lĩnh Mới on 01/03/2026.
func TestDissolvedUnitRedirected(t *testing.T) {
	ctx := context.Background()
	cfg, _, w, dir := fixture(t, goodSources)
	reg := "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
		"H.BAVI,UBND huyện Ba Vì,district,,,,,Ba Vì\n" +
		"X.TANLINH,UBND xã Tản Lĩnh,commune,H.BAVI,,2026-03-01,X.MOI,Tản Lĩnh\n" +
		"X.MOI,UBND xã Tản Lĩnh Mới,commune,,2026-03-01,,,\n" +
		"S.TP,Sở Tư pháp,department,,,,,\n"
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(reg), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := units.Load(cfg.Units)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, cfg, w, r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Redirected) != 1 || sum.Redirected[0] != (Redirect{Unit: "X.TANLINH", Successor: "X.MOI", Rows: 1}) {
		t.Errorf("redirected = %+v, want 1 row of X.TANLINH to X.MOI", sum.Redirected)
	}
	// The dossier keeps its receiving unit; its statistics go to X.MOI.
	if u := scalar[string](t, w, `SELECT unit_code FROM dossiers WHERE dossier_code = 'H41.01-260303-0003'`); u != "X.TANLINH" {
		t.Errorf("dossiers.unit_code = %s", u)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossier_stats WHERE unit_code = 'X.TANLINH'`); n != 0 {
		t.Errorf("%d dossier_stats rows for the dissolved unit", n)
	}
	if n := scalar[int](t, w, `SELECT received_total FROM dossier_stats WHERE unit_code = 'X.MOI' AND period = '2026-03' AND field = '*'`); n != 1 {
		t.Errorf("X.MOI received %d in 2026-03, want 1", n)
	}
	// A second run loads nothing new, redirects nothing and leaves the
	// model alone.
	if sum, err = Run(ctx, cfg, w, r, Options{}); err != nil || len(sum.Redirected) != 0 || sum.Modelled {
		t.Errorf("second run: redirected %+v, modelled %v, err %v", sum.Redirected, sum.Modelled, err)
	}
	// A registry fix alone rebuilds the model: with the merger undone, the
	// dossier counts for xã Tản Lĩnh again.
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(strings.Replace(reg, "2026-03-01,X.MOI", ",", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err = units.Load(cfg.Units); err != nil {
		t.Fatal(err)
	}
	if sum, err = Run(ctx, cfg, w, r, Options{}); err != nil || !sum.Modelled {
		t.Fatalf("run after the registry changed: modelled %v, err %v", sum.Modelled, err)
	}
	if n := scalar[int](t, w, `SELECT received_total FROM dossier_stats WHERE unit_code = 'X.TANLINH' AND period = '2026-03' AND field = '*'`); n != 1 {
		t.Errorf("X.TANLINH received %d in 2026-03 after the registry fix, want 1", n)
	}
}
