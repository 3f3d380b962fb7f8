package fileowner

import (
	"errors"
	"io/fs"
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

// Can answers as the kernel would for another user, from owners and mode
// bits: the owner's bits for the owner (even when the group's would let
// it in), the group's for a member, every folder on the way searchable,
// a missing folder to write judged by its nearest existing parent. It
// needs no root: the files are this process's, the accounts made up.
func TestCan(t *testing.T) {
	me, mygid := os.Geteuid(), os.Getegid()
	other := Account{UID: me + 1000, GID: mygid + 1000, Groups: []int{mygid + 1000}}
	member := Account{UID: me + 1000, GID: mygid + 1000, Groups: []int{mygid + 1000, mygid}}
	owner := Account{UID: me, GID: mygid, Groups: []int{mygid}}
	base := t.TempDir()
	for _, d := range []string{base, filepath.Dir(base)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(rel string, mode os.FileMode, dir bool) string {
		p := filepath.Join(base, rel)
		if dir {
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	worldFile := mk("world", 0o644, false)
	groupFile := mk("group", 0o640, false)
	groupRW := mk("grouprw", 0o660, false)
	ownerNone := mk("ownernone", 0o077, false)
	closed := mk("closed", 0o700, true)
	inClosed := filepath.Join(closed, "f")
	if err := os.WriteFile(inClosed, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	shared := mk("shared", 0o775, true)
	open := mk("open", 0o755, true)
	link := filepath.Join(base, "link")
	if err := os.Symlink(closed, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    Account
		path string
		need Need
		ok   bool
	}{
		{"world-readable file", other, worldFile, Read, true},
		{"group file, not a member", other, groupFile, Read, false},
		{"group file, member", member, groupFile, Read, true},
		{"group file, member, write", member, groupFile, ReadWrite, false},
		{"group-writable file, member", member, groupRW, ReadWrite, true},
		{"owner's bits are the owner's", owner, ownerNone, Read, false},
		{"others' bits are not the owner's", other, ownerNone, Read, true},
		{"file in a closed folder", other, inClosed, Read, false},
		{"closed folder through a link", other, filepath.Join(link, "f"), Read, false},
		{"list a closed folder", other, closed, List, false},
		{"list an open folder", other, open, List, true},
		{"write an open folder", other, open, WriteIn, false},
		{"write a group folder, member", member, shared, WriteIn, true},
		{"missing folder in a group folder", member, filepath.Join(shared, "out", "lake"), WriteIn, true},
		{"missing folder in an open folder", other, filepath.Join(open, "out"), WriteIn, false},
		{"missing source folder", other, filepath.Join(base, "nothere"), List, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Can(tc.path, tc.need)
			if tc.ok && err != nil {
				t.Errorf("Can: %v, want nil", err)
			}
			if !tc.ok && !errors.Is(err, fs.ErrPermission) {
				t.Errorf("Can: %v, want a permission error", err)
			}
		})
	}
}

// Lookup takes the groups from passwd and group, not from any folder.
func TestLookup(t *testing.T) {
	a, err := Lookup(service)
	if err != nil {
		t.Skip("no nobody user here:", err)
	}
	if a.GID != service || a.User.Username != "nobody" || len(a.Groups) == 0 || a.Groups[0] != a.GID {
		t.Errorf("Lookup(nobody) = %+v", a)
	}
	for _, g := range a.Groups {
		if g == 0 {
			t.Errorf("nobody in group root: %v", a.Groups)
		}
	}
	if _, err := Lookup(43219); err == nil {
		t.Error("Lookup of a uid without a passwd entry succeeded")
	}
}

// Become, in a child process (it cannot be undone): the child takes the
// user's group and groups from passwd and group, never the folder's group
// (root's here, which the child would otherwise keep), on every thread;
// HOME, USER and LOGNAME are the user's; a file it creates is the user's.
// A root without CAP_SETUID/CAP_SETGID stays root, with root's groups.
func TestBecome(t *testing.T) {
	if dir := os.Getenv("FILEOWNER_BECOME"); dir != "" {
		uid, _, _ := Of(dir)
		a, err := Lookup(uid)
		if err != nil {
			t.Fatal(err)
		}
		err = Become(a)
		groups, _ := syscall.Getgroups()
		if f, cerr := os.Create(filepath.Join(dir, "made")); cerr == nil {
			f.Close()
		}
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
		os.Stdout.WriteString("BECAME " + strconv.FormatBool(err == nil) + " " + strconv.Itoa(os.Geteuid()) + " " +
			strconv.Itoa(os.Getegid()) + " " + strconvInts(groups) + " " +
			os.Getenv("HOME") + " " + os.Getenv("USER") + " " + os.Getenv("LOGNAME") + "\n")
		return
	}
	needRoot(t)
	if _, err := Lookup(service); err != nil {
		t.Skip("no nobody user here:", err)
	}
	for _, tc := range []struct {
		name string
		pre  []string // run the child under this (setpriv to drop capabilities)
		want string
		uid  int
	}{
		{"service folder of group root", nil, "BECAME true 65534 65534 65534 /nonexistent nobody nobody", service},
		{"no CAP_SETUID", []string{"setpriv", "--bounding-set", "-setuid,-setgid", "--"}, "BECAME false 0 0  /root root root", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.pre) > 0 {
				if _, err := exec.LookPath(tc.pre[0]); err != nil {
					t.Skip(err)
				}
			}
			dir := t.TempDir()
			for _, d := range []string{dir, filepath.Dir(dir)} {
				if err := os.Chmod(d, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			// The folder's group is root: a switch that took it would
			// keep group 0.
			if err := os.Chown(dir, service, 0); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{}, tc.pre...), os.Args[0], "-test.run=^TestBecome$")
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Env = append(os.Environ(), "FILEOWNER_BECOME="+dir, "HOME=/root", "USER=root", "LOGNAME=root")
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

func strconvInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func f0(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
