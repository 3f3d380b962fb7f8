package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/warehouse"
)

// TestStageProfile stages the exports named by CCHC_STAGE_FILES (a glob)
// with the units of CCHC_STAGE_UNITS into a fresh warehouse, the way a run
// stages its files, and logs the time taken: run it with -cpuprofile and
// -memprofile to profile the staging alone (issue 11). It stages the way a
// run without retried files does: in the run's transaction, valid dossier
// rows appended to dossiers at once (Stage.BeginDirect), rolled back at
// the end; CCHC_STAGE_STAGED=1 takes the staged path (TEMP stage) instead.
// Skipped unless set.
func TestStageProfile(t *testing.T) {
	glob, unitsPath := os.Getenv("CCHC_STAGE_FILES"), os.Getenv("CCHC_STAGE_UNITS")
	if glob == "" || unitsPath == "" {
		t.Skip("set CCHC_STAGE_FILES and CCHC_STAGE_UNITS to profile the staging of real exports")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if d := os.Getenv("CCHC_STAGE_DIR"); d != "" {
		dir = d
		os.Remove(filepath.Join(dir, "cchc.duckdb"))
		os.Remove(filepath.Join(dir, "cchc.duckdb.wal"))
	}
	yaml := "warehouse: " + filepath.Join(dir, "cchc.duckdb") + "\nunits: " + unitsPath + "\nsources:\n  - name: bench\n    path: " + glob + "\n"
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, reg := loadProject(t, dir)
	w, err := warehouse.Open(ctx, cfg.Warehouse, warehouse.Options{MemoryLimit: cfg.MemoryLimit})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stage, err := w.NewStage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Close()
	if os.Getenv("CCHC_STAGE_STAGED") == "" {
		if err := stage.BeginDirect(ctx, 1, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	srcs, err := Sources(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	sum := &Summary{}
	var seq int32
	base := transforms.MapOptions{Units: reg, Now: time.Now()}
	for _, sc := range srcs {
		refs, err := sc.src.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range refs {
			f, skip, err := prepare(ctx, w, sc.src, ref, false, nil, true)
			if err != nil || skip != "" {
				t.Fatal(err, skip)
			}
			seq++
			f.res.Seq = seq
			sum.Files = append(sum.Files, f.res)
			if err := loadFile(ctx, stage, sc, startDecoding(f, sc, base), f, Options{}, int(seq), sum, Options{}.logger()); err != nil {
				t.Fatal(err)
			}
			f.cleanup()
			t.Logf("%s: %s, %d rows read", f.res.Path, f.res.Status, f.res.RowsRead)
		}
	}
	t.Logf("stage: %s", time.Since(t0))
}
