package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// publish.lake from the command line: a run writes the lake, cchc publish
// --lake brings it up to date (nothing when nothing changed, a lost
// partition written again), and --lake without publish.lake is a usage
// error.
func TestPublishLake(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "publish", "--lake"); r.code != 2 || !strings.Contains(r.stderr, "publish.lake") {
		t.Errorf("--lake without publish.lake: exit %d %s", r.code, r.stderr)
	}
	env := []string{"CCHC_PUBLISH_LAKE=./lake"}
	r := cchc(t, dir, env, "run")
	if r.code != 0 || !strings.Contains(r.stdout, "lake lake: ") {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	march := filepath.Join(dir, "lake", "dossiers", "year=2026", "month=3", "level=district")
	if _, err := os.Stat(filepath.Join(dir, "lake", "_cchc_manifest.json")); err != nil {
		t.Fatal(err)
	}
	r = cchc(t, dir, env, "publish", "--lake")
	if r.code != 0 || !strings.Contains(r.stdout, "lake: ghi 0 phân vùng, xóa 0") {
		t.Errorf("publish --lake, nothing changed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := os.RemoveAll(march); err != nil {
		t.Fatal(err)
	}
	r = cchc(t, dir, env, "publish", "--lake")
	if r.code != 0 || !strings.Contains(r.stdout, "lake: ghi 1 phân vùng, xóa 0") {
		t.Errorf("publish --lake, a partition lost: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(march); err != nil {
		t.Errorf("lost partition not written again: %v", err)
	}
	if r := cchc(t, dir, env, "publish", "--lake", "--period", "2026-03"); r.code != 2 {
		t.Errorf("--lake with --period: exit %d %s", r.code, r.stderr)
	}
}
