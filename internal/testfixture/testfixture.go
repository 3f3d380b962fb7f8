// Package testfixture copies the shared end-to-end fixture
// (pipeline/testdata/e2e: a unit registry and exports of three sources) for
// tests of several packages.
package testfixture

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Copy copies the tree at src into a new temporary folder and returns it.
// Files get modification times one hour apart in walk (name) order from
// 1 April 2026, the order in which their exports were made, so the loader
// sees the later export as the later file.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		i++
		mt := base.Add(time.Duration(i) * time.Hour)
		return os.Chtimes(dst, mt, mt)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
