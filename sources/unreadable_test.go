package sources

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A source folder this user may not read fails the source, naming the
// folder, whatever the path's form (folder, glob, ** glob): filepath.Glob
// dropped it, and the run said "nguồn không có tệp nào" and succeeded,
// its data silently missing. A folder below the root that cannot be read
// fails alone, as a file would, and the rest loads. Root reads
// everything, so as root the checks run in a child process as nobody.
func TestUnreadableSourceFolder(t *testing.T) {
	if os.Getenv("SOURCES_UNREADABLE") == "" {
		if os.Geteuid() != 0 {
			checkUnreadable(t, t.TempDir())
			return
		}
		// The test binary, where nobody can run it, and a folder of its.
		bin := filepath.Join(t.TempDir(), "sources.test")
		for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin))} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		copyFile(t, os.Args[0], bin, 0o755)
		work := filepath.Join(filepath.Dir(bin), "work")
		if err := os.Mkdir(work, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(work, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-test.run=^TestUnreadableSourceFolder$", "-test.v")
		cmd.Env = append(os.Environ(), "SOURCES_UNREADABLE="+work)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestUnreadableSourceFolder") {
			t.Fatalf("as nobody: %v\n%s", err, out)
		}
		return
	}
	checkUnreadable(t, os.Getenv("SOURCES_UNREADABLE"))
}

func checkUnreadable(t *testing.T, dir string) {
	closed := filepath.Join(dir, "closed")
	if err := os.MkdirAll(filepath.Join(dir, "open", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"open/sub/a.csv", "open/b.csv"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x\n1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(closed, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(closed, "c.csv"), []byte("x\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lockedSub := filepath.Join(dir, "open", "locked")
	if err := os.Mkdir(lockedSub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{closed, lockedSub} {
		if err := os.Chmod(d, 0o000); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(d, 0o755) })
	}
	for _, pattern := range []string{closed, filepath.Join(closed, "*.csv"), filepath.Join(closed, "**", "*.csv")} {
		refs, err := NewFileSource("s", pattern).List(context.Background())
		if err == nil || !strings.Contains(err.Error(), "không đọc được thư mục nguồn "+closed) {
			t.Errorf("List(%s) = %v, %v; want the folder named as unreadable", pattern, refs, err)
		}
	}
	// Below the root: the unreadable folder fails alone.
	refs, err := NewFileSource("s", filepath.Join(dir, "open", "*", "*.csv")).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ok, failed int
	for _, r := range refs {
		switch {
		case r.Err != nil && r.Path == lockedSub:
			failed++
		case r.Err == nil && strings.HasSuffix(r.Path, "a.csv"):
			ok++
		default:
			t.Errorf("unexpected %+v", r)
		}
	}
	if ok != 1 || failed != 1 {
		t.Errorf("open/*/*.csv listed %+v; want sub/a.csv and the locked folder failing", refs)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
