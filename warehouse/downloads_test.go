package warehouse

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cchc/cchc/internal/fileowner"
)

// owner is path's uid and gid.
func owner(t *testing.T, path string) (uint32, uint32, os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	return sys.Uid, sys.Gid, st.Mode().Perm()
}

// PrepareDownloads run by root (sudo cchc run) creates the downloads folder
// owner-only and gives it to the owner of the warehouse's folder (here
// nobody, 65534, standing for the service user), so the service user's
// runs can still write there; a folder that exists keeps its owner; one
// root's folder holds stays root's. Without the chown the folder was
// root's, mode 0700, and every later run of the service user failed each
// HTTP file.
func TestPrepareDownloads(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it tests what a root process leaves")
	}
	for _, tc := range []struct {
		name      string
		parentUID int  // owner of the warehouse's folder
		exists    bool // the downloads folder exists, owned by 1234
		wantUID   uint32
		wantPerm  os.FileMode
	}{
		{"created by root in the service user's folder", 65534, false, 65534, 0o700},
		{"created by root in root's folder", 0, false, 0, 0o700},
		{"existing folder keeps its owner", 65534, true, 1234, 0o700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := filepath.Join(t.TempDir(), "srv")
			if err := os.Mkdir(parent, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(parent, tc.parentUID, tc.parentUID); err != nil {
				t.Fatal(err)
			}
			wh := filepath.Join(parent, "cchc.duckdb")
			dir := DownloadDir(wh)
			if tc.exists {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Chown(dir, 1234, 1234); err != nil {
					t.Fatal(err)
				}
			}
			if err := PrepareDownloads(wh); err != nil {
				t.Fatal(err)
			}
			uid, gid, perm := owner(t, dir)
			if uid != tc.wantUID || (!tc.exists && gid != tc.wantUID) || perm != tc.wantPerm {
				t.Errorf("%s: uid %d gid %d mode %v; want uid and gid %d, mode %v", dir, uid, gid, perm, tc.wantUID, tc.wantPerm)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
				t.Errorf("left in the folder: %v", left)
			}
		})
	}
}

// The error for a folder this process cannot write in names the folder,
// its owner, this process's user and both fixes, in Vietnamese.
func TestNotWritableMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cchc.duckdb.downloads")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	msg := notWritable(dir, os.ErrPermission).Error()
	me := fileowner.UserName(os.Geteuid())
	for _, want := range []string{"không ghi được vào thư mục tải về " + dir, "thư mục thuộc người dùng " + me,
		"sudo rm -r " + dir, "sudo chown -R " + me + " " + dir, "permission denied"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
}
