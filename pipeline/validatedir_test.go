package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A validate killed while it downloads leaves its cchc-validate-<digits>
// folder, raw exports in it, under TMPDIR; the next validate removes what
// dead validates left and nothing else: not a running validate's folder
// (its lock file is held), not a young folder without a lock file (one a
// validate is making), not other names or other users' folders.
func TestStaleValidateTmps(t *testing.T) {
	parent := t.TempDir()
	old := time.Now().Add(-2 * staleValidateAge)
	mkdir := func(t *testing.T, name string, lock bool, mtime time.Time) string {
		t.Helper()
		p := filepath.Join(parent, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "cchc-http-1.csv"), []byte("Họ tên người nộp\nTrần Thị Bình\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if lock {
			if err := os.WriteFile(filepath.Join(p, validateLockName), []byte("4242\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	live := func(t *testing.T, mtime time.Time) string {
		t.Helper()
		dir, release, err := makeValidateDir(parent)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(release)
		if err := os.Chtimes(dir, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) string
		kept  bool
	}{
		{"running validate's folder", func(t *testing.T) string { return live(t, time.Now()) }, true},
		{"running validate's folder, a day old", func(t *testing.T) string { return live(t, old) }, true},
		{"dead validate's folder, lock file unheld", func(t *testing.T) string { return mkdir(t, "cchc-validate-1001", true, time.Now()) }, false},
		{"no lock file, young", func(t *testing.T) string { return mkdir(t, "cchc-validate-1002", false, time.Now()) }, true},
		{"no lock file, over a day old", func(t *testing.T) string { return mkdir(t, "cchc-validate-1003", false, old) }, false},
		{"not digits", func(t *testing.T) string { return mkdir(t, "cchc-validate-abc", true, old) }, true},
		{"digits then more", func(t *testing.T) string { return mkdir(t, "cchc-validate-1004x", true, old) }, true},
		{"another prefix", func(t *testing.T) string { return mkdir(t, "cchc-cli-1005", true, old) }, true},
		{"a file, not a folder", func(t *testing.T) string {
			p := filepath.Join(parent, "cchc-validate-1006")
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
			return p
		}, true},
		{"a link to a dead validate's folder", func(t *testing.T) string {
			target := filepath.Join(t.TempDir(), "target")
			if err := os.Mkdir(target, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(target, validateLockName), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(parent, "cchc-validate-1007")
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			return target
		}, true},
	}
	if os.Geteuid() == 0 {
		cases = append(cases, struct {
			name  string
			setup func(t *testing.T) string
			kept  bool
		}{"another user's dead folder", func(t *testing.T) string {
			p := mkdir(t, "cchc-validate-1008", true, old)
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return p
		}, true})
	}
	paths := make([]string, len(cases))
	for i, c := range cases {
		paths[i] = c.setup(t)
	}
	removed, err := RemoveStaleValidateDirs(parent)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, c := range cases {
		_, err := os.Lstat(paths[i])
		if kept := err == nil; kept != c.kept {
			t.Errorf("%s (%s): kept %v, want %v", c.name, filepath.Base(paths[i]), kept, c.kept)
		}
		if !c.kept {
			want = append(want, paths[i])
		}
	}
	slices.Sort(removed)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	// A second sweep finds nothing more.
	if again, err := RemoveStaleValidateDirs(parent); err != nil || len(again) > 0 {
		t.Errorf("second sweep: %v, %v", again, err)
	}
	// No TMPDIR: nothing to do, no error.
	if got, err := RemoveStaleValidateDirs(filepath.Join(parent, "missing")); err != nil || len(got) > 0 {
		t.Errorf("missing TMPDIR: %v, %v", got, err)
	}
}

// The folder makeValidateDir makes is locked as soon as its lock file has
// its name, and gone after release.
func TestMakeValidateDir(t *testing.T) {
	parent := t.TempDir()
	dir, release, err := makeValidateDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if !validateDirName.MatchString(filepath.Base(dir)) {
		t.Errorf("folder %s does not match %v", dir, validateDirName)
	}
	if stale, _ := staleValidateDir(dir, time.Now().Add(2*staleValidateAge)); stale {
		t.Errorf("held folder counted stale")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != validateLockName {
		t.Errorf("folder holds %v, want only %s", entries, validateLockName)
	}
	release()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after release: %v", err)
	}
}
