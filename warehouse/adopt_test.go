package warehouse

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const nobody = 65534

// asNobody runs this test binary's test named run as nobody (group
// nogroup) with env, and returns what it printed. The binary is copied
// where nobody can run it.
func asNobody(t *testing.T, run string, env ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "warehouse.test")
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin))} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err == nil {
		_, err = io.Copy(out, in)
	}
	in.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+run+"$")
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as nobody: %v\n%s", run, err, b)
	}
	return string(b)
}

// serviceFolder is a folder nobody owns, reachable by nobody.
func serviceFolder(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it makes files of other users")
	}
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeOwned(t *testing.T, p string, uid, gid int, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte("warehouse bytes "+filepath.Base(p)), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(p, uid, gid); err != nil {
		t.Fatal(err)
	}
}

// Adopt, as the service user: it copies over only what it cannot open
// read-write. A warehouse another user shares through the group (0664)
// stays that user's, untouched; one root left 0644 becomes the service
// user's with the same bytes; a symlinked warehouse is refused (a copy
// would replace the link with a regular file) naming the target's chown.
func TestAdopt(t *testing.T) {
	if dir := os.Getenv("ADOPT_DIR"); dir != "" {
		err := Adopt(filepath.Join(dir, "cchc.duckdb"))
		os.Stdout.WriteString("ADOPT: " + errString(err) + "\n")
		return
	}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr string // in the error; empty: nil
		uid     int    // of cchc.duckdb afterwards (Lstat)
	}{
		{"shared through the group", func(t *testing.T, dir string) {
			writeOwned(t, filepath.Join(dir, "cchc.duckdb"), 1234, nobody, 0o664)
			writeOwned(t, filepath.Join(dir, "cchc.duckdb.wal"), 1234, nobody, 0o664)
		}, "", 1234},
		{"root's, readable", func(t *testing.T, dir string) {
			writeOwned(t, filepath.Join(dir, "cchc.duckdb"), 0, 0, 0o644)
		}, "", nobody},
		{"symlink to root's", func(t *testing.T, dir string) {
			target := filepath.Join(dir, "real.duckdb")
			writeOwned(t, target, 0, 0, 0o644)
			if err := os.Symlink(target, filepath.Join(dir, "cchc.duckdb")); err != nil {
				t.Fatal(err)
			}
		}, "là liên kết tượng trưng (symlink) tới DIR/real.duckdb", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := serviceFolder(t)
			tc.setup(t, dir)
			db := filepath.Join(dir, "cchc.duckdb")
			before, _ := os.ReadFile(db)
			out := asNobody(t, "TestAdopt", "ADOPT_DIR="+dir)
			want := "ADOPT: <nil>"
			if tc.wantErr != "" {
				want = strings.ReplaceAll(tc.wantErr, "DIR", dir)
			}
			if !strings.Contains(out, want) {
				t.Errorf("got %s, want %q", out, want)
			}
			if tc.wantErr != "" && !strings.Contains(out, "Hãy chạy: sudo chown nobody:nogroup "+filepath.Join(dir, "real.duckdb")) {
				t.Errorf("no chown of the target in %s", out)
			}
			st, err := os.Lstat(db)
			if err != nil {
				t.Fatal(err)
			}
			if got := int(st.Sys().(*syscall.Stat_t).Uid); got != tc.uid {
				t.Errorf("cchc.duckdb is uid %d, want %d", got, tc.uid)
			}
			if after, _ := os.ReadFile(db); string(after) != string(before) {
				t.Errorf("bytes changed: %q, was %q", after, before)
			}
		})
	}
}

// AcquireLock, as the service user: a lock file root left names that
// file's chown; a folder the user cannot write, with no lock file, says
// so and names the folder, not a lock file that does not exist.
func TestLockNotWritable(t *testing.T) {
	if dir := os.Getenv("LOCK_DIR"); dir != "" {
		l, err := AcquireLock(context.Background(), filepath.Join(dir, "cchc.duckdb"), time.Second, Holder{})
		l.Release()
		os.Stdout.WriteString("LOCK: " + errString(err) + "\n")
		return
	}
	for _, tc := range []struct {
		name      string
		rootsLock bool // a lock file root left, in the user's folder; else a folder of root's with none
		want      []string
	}{
		{"root's lock file", true, []string{"không mở được kho dữ liệu: DIR/cchc.duckdb.lock thuộc người dùng root",
			"Hãy chạy: sudo chown nobody:nogroup DIR/cchc.duckdb.lock rồi chạy lại"}},
		{"folder not writable", false, []string{"không tạo được tệp khóa của kho dữ liệu: không ghi được vào thư mục DIR: thư mục thuộc người dùng root",
			"sudo chown -R nobody:nogroup DIR rồi chạy lại"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := serviceFolder(t)
			if tc.rootsLock {
				writeOwned(t, filepath.Join(dir, "cchc.duckdb.lock"), 0, 0, 0o644)
			} else if err := os.Chown(dir, 0, 0); err != nil {
				t.Fatal(err)
			}
			out := asNobody(t, "TestLockNotWritable", "LOCK_DIR="+dir)
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(out, w) {
					t.Errorf("got %s, want %q", out, w)
				}
			}
			if !tc.rootsLock && strings.Contains(out, "cchc.duckdb.lock thuộc") {
				t.Errorf("blames a lock file that does not exist: %s", out)
			}
		})
	}
}

// An adoption killed mid-copy leaves a copy as large as the warehouse;
// the next run (holding the writer lock) removes it, and nothing else.
func TestRemoveAdoptTemps(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "cchc.duckdb")
	for _, f := range []string{".cchc.duckdb.adopt-123", ".cchc.duckdb.wal.adopt-456", "cchc.duckdb", "cchc.duckdb.wal", ".cchc.duckdb.bak.adopt-1", "cchc.duckdb.adopt-9"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("1234"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, size, err := RemoveAdoptTemps(wh)
	if err != nil || len(files) != 2 || size != 8 {
		t.Errorf("RemoveAdoptTemps = %v, %d, %v; want the two copies, 8 bytes", files, size, err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != ".cchc.duckdb.bak.adopt-1 cchc.duckdb cchc.duckdb.adopt-9 cchc.duckdb.wal" {
		t.Errorf("left %v", left)
	}
}

// A file that changes while it is copied is not renamed over, and the
// message says so in Vietnamese.
func TestAdoptFileChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cchc.duckdb")
	if err := os.WriteFile(p, []byte("before"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// Another program appends between the copy's stat and its check:
	// stand in by a source handle whose file is not the one at p.
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("before and after"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := os.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	err = adoptFile(p, o)
	if err == nil || !strings.Contains(err.Error(), p+" bị thay đổi trong lúc đang sao chép") {
		t.Errorf("adoptFile = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "before" {
		t.Errorf("replaced: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*adopt-*")); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
