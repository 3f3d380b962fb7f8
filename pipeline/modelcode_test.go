package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchc/cchc/model"
)

// A model built by other code (an upgrade that fixes how a score is
// computed) is rebuilt whole by the next run, even with no new file, and
// every period is published again; the same code leaves it alone.
func TestModelCodeChangeRebuilds(t *testing.T) {
	ctx := context.Background()
	cfg, r, w, _ := fixture(t, goodSources)
	sum, err := Run(ctx, cfg, w, r, Options{})
	if err != nil || !sum.Modelled {
		t.Fatalf("first run: modelled %v, err %v", sum.Modelled, err)
	}
	if got := scalar[string](t, w, `SELECT model_code FROM runs WHERE modelled ORDER BY run_id DESC LIMIT 1`); got != model.CodeStamp() {
		t.Errorf("runs.model_code = %q, want %q", got, model.CodeStamp())
	}
	periods := scalar[int](t, w, `SELECT count(*) FROM periods`)
	if sum, err = Run(ctx, cfg, w, r, Options{}); err != nil || sum.Modelled || len(sum.Published) != 0 {
		t.Fatalf("second run, same code: modelled %v, published %d files, err %v; want nothing", sum.Modelled, len(sum.Published), err)
	}
	// The model as an older version left it: built by other code, and
	// before runs recorded the code at all.
	for _, old := range []string{"'model 0000000000000000'", "NULL"} {
		if _, err := w.DB().ExecContext(ctx, `UPDATE runs SET model_code = `+old+` WHERE modelled`); err != nil {
			t.Fatal(err)
		}
		sum, err = Run(ctx, cfg, w, r, Options{})
		if err != nil || !sum.Modelled || !sum.ModelFull || len(sum.RebuiltPeriods) != periods {
			t.Fatalf("model code %s: modelled %v, full %v, %d of %d periods rebuilt, err %v", old, sum.Modelled, sum.ModelFull, len(sum.RebuiltPeriods), periods, err)
		}
		for _, p := range sum.RebuiltPeriods {
			found := false
			for _, f := range sum.Published {
				found = found || strings.Contains(filepath.ToSlash(f), "/"+p+"/")
			}
			if !found {
				t.Errorf("model code %s: period %s not published again", old, p)
			}
		}
		if got := scalar[string](t, w, `SELECT model_code FROM runs WHERE modelled ORDER BY run_id DESC LIMIT 1`); got != model.CodeStamp() {
			t.Errorf("model code %s: runs.model_code after the rebuild = %q", old, got)
		}
	}
}
