package sources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// Run as root (an admin's cron job) with downloads going to the service
// user's folder, each download is the folder owner's from before its
// first byte, so that the service user's next run can open, and remove,
// what a killed root run left (warehouse.RemoveDownloads). Without the fix
// it was root's, mode 0600. A folder root owns, and TMPDIR (TempDir ""),
// keep root's downloads root's. nobody (65534) stands for the service user.
func TestDownloadTakesFolderOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it tests what a root process writes")
	}
	const service = 65534
	for _, tc := range []struct {
		name     string
		owner    int  // of the downloads folder
		tempDir  bool // HTTPOptions.TempDir is the folder; else TMPDIR is
		wantUID  uint32
		wantPerm os.FileMode
	}{
		{"the service user's downloads folder", service, true, service, 0o600},
		{"root's downloads folder", 0, true, 0, 0o600},
		{"TMPDIR, the service user's", service, false, 0, 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cchc.duckdb.downloads")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(dir, tc.owner, tc.owner); err != nil {
				t.Fatal(err)
			}
			o := HTTPOptions{Retries: 0}
			if tc.tempDir {
				o.TempDir = dir
			} else {
				t.Setenv("TMPDIR", dir)
			}
			// What the download is when the request arrives: before the
			// body's first byte.
			var (
				mu        sync.Mutex
				atRequest []os.FileInfo
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m, _ := filepath.Glob(filepath.Join(dir, "cchc-http-*"))
				mu.Lock()
				defer mu.Unlock()
				for _, p := range m {
					if st, err := os.Stat(p); err == nil {
						atRequest = append(atRequest, st)
					}
				}
				w.Header().Set("Content-Type", "text/csv")
				_, _ = w.Write([]byte(csvBody))
			}))
			defer srv.Close()
			o.URL = srv.URL + "/x.csv"
			src := NewHTTPSource("portal", o)
			refs, err := src.List(context.Background())
			if err != nil || len(refs) != 1 {
				t.Fatalf("list: %v %v", refs, err)
			}
			path, cleanup, err := src.Fetch(context.Background(), refs[0])
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			mu.Lock()
			defer mu.Unlock()
			if len(atRequest) != 1 {
				t.Fatalf("%d downloads in %s at the request, want 1", len(atRequest), dir)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			for when, fi := range map[string]os.FileInfo{"at the request": atRequest[0], "downloaded": st} {
				sys := fi.Sys().(*syscall.Stat_t)
				if sys.Uid != tc.wantUID || sys.Gid != tc.wantUID || fi.Mode().Perm() != tc.wantPerm {
					t.Errorf("%s: uid %d gid %d mode %v, want uid and gid %d, mode %v", when, sys.Uid, sys.Gid, fi.Mode().Perm(), tc.wantUID, tc.wantPerm)
				}
			}
		})
	}
}
