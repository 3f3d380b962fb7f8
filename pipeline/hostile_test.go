package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cchc/cchc/internal/hostile"
)

// hostileRSSBound is the peak resident memory allowed to a whole run over
// every hostile file plus a good one, DuckDB included. Measured: 79-91 MB on
// the 2-core development machine; before the limits, one of these files
// alone took 2-6 GB.
const hostileRSSBound = 400 << 20

// TestHostileFilesFailAlone runs a real pipeline.Run on a real DuckDB file
// over a folder holding a good export beside every hostile file of
// internal/hostile: each hostile file fails alone with a message naming
// itself and the config key of the limit it broke, the good file loads,
// and the run stays under hostileRSSBound. The run happens in a child
// process so its peak memory (getrusage) is its own.
func TestHostileFilesFailAlone(t *testing.T) {
	if os.Getenv("CCHC_HOSTILE_CHILD") == "1" {
		hostileRun(t)
		return
	}
	if testing.Short() {
		t.Skip("writes about 500 MB of hostile files")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileFilesFailAlone$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "CCHC_HOSTILE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child run failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestHostileFilesFailAlone") {
		t.Fatalf("child did not pass:\n%s", out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	peak := int64(ru.Maxrss) << 10 // kilobytes on Linux
	t.Logf("peak RSS of the run over %d hostile files: %d MB", len(hostile.Files), peak>>20)
	if peak > hostileRSSBound {
		t.Errorf("peak RSS %d MB, want at most %d MB", peak>>20, hostileRSSBound>>20)
	}
}

func hostileRun(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: h
    path: ./exports/h
    unit: H.BAVI
`)
	h := filepath.Join(dir, "exports", "h")
	if err := os.MkdirAll(h, 0o755); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, "exports", "a", "02-april.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h, "good.csv"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := hostile.Write(h); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run.Status != "partial" {
		t.Errorf("status %s, want partial", sum.Run.Status)
	}
	want := map[string]string{"good.csv": ""}
	for _, f := range hostile.Files {
		want[f.Name] = f.Want
	}
	for _, f := range sum.Files {
		name := filepath.Base(f.Path)
		frag, ok := want[name]
		if !ok {
			t.Errorf("unexpected file %s", name)
			continue
		}
		delete(want, name)
		if frag == "" {
			if f.Status != "loaded" || f.RowsRead != 2 {
				t.Errorf("good.csv: status %s, %d rows read; want loaded, 2", f.Status, f.RowsRead)
			}
			continue
		}
		if f.Status != "failed" || !strings.Contains(f.Error, frag) || !strings.Contains(f.Error, name) {
			t.Errorf("%s: status %s, error %q; want failed naming the file and %s", name, f.Status, f.Error, frag)
		}
		if f.ErrorKind != "content" {
			t.Errorf("%s: error kind %q, want content (waits for a new version)", name, f.ErrorKind)
		}
		// Nothing of the file's content beyond a few capped names.
		if len(f.Error) > 600 || strings.Contains(f.Error, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") {
			t.Errorf("%s: error carries file content (%d bytes): %.300q", name, len(f.Error), f.Error)
		}
		t.Logf("%s: %s", name, f.Error)
	}
	for name := range want {
		t.Errorf("%s was not processed", name)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM dossiers WHERE source_file LIKE '%good.csv'`); n != 2 {
		t.Errorf("good.csv: %d dossiers in the warehouse, want 2", n)
	}
	if n := scalar[int64](t, w, `SELECT max(length(message)) FROM runs`); n > 8000 {
		t.Errorf("runs.message is %d bytes", n)
	}
}
