package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestKilledDownloadRemoved: a run killed (SIGKILL, power loss) while it
// downloads an HTTP export leaves the partial download, a name and an ID
// number included. It is written beside the warehouse, not in TMPDIR, and
// the next run removes it under the writer lock. Without the fix it stayed
// in TMPDIR for good.
func TestKilledDownloadRemoved(t *testing.T) {
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte("Mã hồ sơ,Họ tên người nộp,Số CCCD\nH41.01-260302-0001,Trần Thị Bình,001190012345\n"))
		w.(http.Flusher).Flush()
		select {
		case started <- struct{}{}:
		default:
		}
		select { // the body never ends while the first run lives
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer srv.Close()
	dir := project(t, `  - name: portal
    kind: http
    url: `+srv.URL+`/x.csv
    retries: 0
    unit: H.BAVI
`, "")
	tmp := t.TempDir()
	downloads := filepath.Join(dir, "cchc.duckdb.downloads")
	cmd := exec.Command(binary, "run", "--config", filepath.Join(dir, "cchc.yaml"))
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-started
	// The first bytes are written once the download file holds them.
	for i := 0; i < 100; i++ {
		if m, _ := filepath.Glob(filepath.Join(downloads, "cchc-http-*")); len(m) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	left, _ := filepath.Glob(filepath.Join(downloads, "cchc-http-*"))
	if len(left) == 0 {
		t.Errorf("the killed run left no download in %s", downloads)
	}
	if st, err := os.Stat(downloads); err == nil && st.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s has mode %v: others can read downloads", downloads, st.Mode().Perm())
	}
	srv.Close()
	cchc(t, dir, []string{"TMPDIR=" + tmp}, "run")
	for _, pattern := range []string{filepath.Join(tmp, "cchc-http-*"), filepath.Join(downloads, "*")} {
		left, _ := filepath.Glob(pattern)
		for _, f := range left {
			b, _ := os.ReadFile(f)
			t.Errorf("left behind after the next run: %s (%d bytes)", f, len(b))
		}
	}
}
