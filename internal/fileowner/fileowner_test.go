package fileowner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const service = 65534 // nobody

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it changes owners")
	}
}

func uidOf(t *testing.T, p string) int {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return int(st.Sys().(*syscall.Stat_t).Uid)
}

// HandOver gives the folder owner what root owns among the matching
// entries, all the way down, and nothing else: not other names, not what
// lies in a folder that is not the owner's, not what a link points to.
func TestHandOver(t *testing.T) {
	needRoot(t)
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{"out/2026-03", "foreign"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"cchc.duckdb", "cchc.duckdb.wal", "cchc.yaml", "out/2026-03/report.html", "foreign/x"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "cchc.duckdb.downloads")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, service, service); err != nil {
		t.Fatal(err)
	}
	match := func(name string) bool {
		return strings.HasPrefix(name, "cchc.duckdb") || name == "out" || name == "foreign"
	}
	// foreign belongs to a third user: what root left in it stays.
	if err := os.Chown(filepath.Join(dir, "foreign"), 1234, 1234); err != nil {
		t.Fatal(err)
	}
	changed, err := HandOver(dir, match, service, service)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		uid  int
	}{
		{"cchc.duckdb", service},
		{"cchc.duckdb.wal", service},
		{"out", service},
		{"out/2026-03", service},
		{"out/2026-03/report.html", service},
		{"out/link", service}, // the link itself
		{"cchc.duckdb.downloads", service},
		{"cchc.yaml", 0},
		{"foreign", 1234},
		{"foreign/x", 0},
	} {
		if got := uidOf(t, filepath.Join(dir, tc.path)); got != tc.uid {
			t.Errorf("%s: uid %d, want %d", tc.path, got, tc.uid)
		}
	}
	if got := uidOf(t, outside); got != 0 {
		t.Errorf("HandOver followed a link: %s is uid %d", outside, got)
	}
	if got := uidOf(t, filepath.Dir(outside)); got != 0 {
		t.Errorf("HandOver followed a link: %s is uid %d", filepath.Dir(outside), got)
	}
	if len(changed) != 7 {
		t.Errorf("changed %d paths, want 7: %v", len(changed), changed)
	}

	// A publication folder of the owner's in a folder of root's: what root
	// left in it is handed over, the root folder itself is not.
	parent := t.TempDir()
	pub := filepath.Join(parent, "out")
	if err := os.MkdirAll(filepath.Join(pub, "2026-03"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(pub, service, service); err != nil {
		t.Fatal(err)
	}
	if changed, err = HandOver(parent, func(name string) bool { return name == "out" }, service, service); err != nil || len(changed) != 1 {
		t.Errorf("publication folder in root's folder: changed %v, %v; want out/2026-03", changed, err)
	}
	if got := uidOf(t, filepath.Join(pub, "2026-03")); got != service {
		t.Errorf("out/2026-03: uid %d, want %d", got, service)
	}
	if got := uidOf(t, parent); got != 0 {
		t.Errorf("the root folder holding out/ became uid %d", got)
	}
	if changed, err := HandOver(filepath.Join(parent, "missing"), func(string) bool { return true }, service, service); err != nil || changed != nil {
		t.Errorf("missing folder: %v, %v", changed, err)
	}
}

// Become, in a child process (it cannot be undone): the child takes the
// folder owner's user, group and groups on every thread, and a file it
// then creates is the owner's. Not root, or in root's folder, it stays.
func TestBecome(t *testing.T) {
	if dir := os.Getenv("FILEOWNER_BECOME"); dir != "" {
		u, ok, err := Become(dir)
		if err != nil {
			t.Fatal(err)
		}
		groups, _ := syscall.Getgroups()
		f, err := os.Create(filepath.Join(dir, "made"))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		// Every thread, not just the one that called Become.
		tasks, _ := filepath.Glob("/proc/self/task/*/status")
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			for _, line := range strings.Split(string(b), "\n") {
				f := strings.Fields(line)
				want := map[string]string{"Uid:": strconv.Itoa(os.Geteuid()), "Gid:": strconv.Itoa(os.Getegid())}[f0(f)]
				if want != "" && strings.Join(f[1:], " ") != strings.Repeat(want+" ", 3)+want {
					t.Fatalf("thread %s still has %s", task, line)
				}
			}
		}
		name := "-"
		if u != nil {
			name = u.Username
		}
		os.Stdout.WriteString("BECAME " + strconv.FormatBool(ok) + " " + name + " " + strconv.Itoa(os.Geteuid()) + " " +
			strconv.Itoa(os.Getegid()) + " " + strconv.Itoa(len(groups)) + " " + os.Getenv("HOME") + "\n")
		return
	}
	needRoot(t)
	for _, tc := range []struct {
		name  string
		owner int
		want  string
		uid   int
	}{
		{"service folder", service, "BECAME true nobody 65534 65534 1 /nonexistent", service},
		{"root folder", 0, "BECAME false - 0 0 ", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{dir, filepath.Dir(dir)} {
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chown(dir, tc.owner, tc.owner); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestBecome$")
			cmd.Env = append(os.Environ(), "FILEOWNER_BECOME="+dir)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), tc.want) {
				t.Fatalf("child: %v, want %q in\n%s", err, tc.want, out)
			}
			if got := uidOf(t, filepath.Join(dir, "made")); got != tc.uid {
				t.Errorf("the child's file is uid %d, want %d", got, tc.uid)
			}
		})
	}
}

func f0(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
