package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `make profile` relies on the hidden --cpuprofile and --memprofile flags:
// a run with both writes two profiles that go tool pprof reads, the heap
// one with the allocations of the run.
func TestProfileFlags(t *testing.T) {
	dir := project(t, e2eSources, "")
	cpu, heap := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "heap.prof")
	if r := cchc(t, dir, nil, "run", "--cpuprofile", cpu, "--memprofile", heap); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, c := range []struct{ path, index string }{{cpu, "cpu"}, {heap, "alloc_space"}} {
		if st, err := os.Stat(c.path); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", c.path, err)
		}
		out, err := exec.Command("go", "tool", "pprof", "-top", "-sample_index="+c.index, binary, c.path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "flat%") {
			t.Errorf("pprof %s: %v\n%s", c.path, err, out)
		}
	}
	if r := cchc(t, dir, nil, "--help"); strings.Contains(r.stdout, "memprofile") {
		t.Error("--memprofile is listed in the help; it is hidden")
	}
}
