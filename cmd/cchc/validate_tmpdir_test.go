package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// validate downloads an HTTP source's files into a private folder under
// TMPDIR when the warehouse's downloads folder is not its user's (here: not
// made yet). A TMPDIR that does not exist is the machine's problem, not the
// config's: exit 1 with a Vietnamese message naming the folder, not exit 2
// ("config invalid") with Go's bare error. (Final review of this session.)
func TestValidateUnusableTmpdir(t *testing.T) {
	dir := project(t, "  - name: portal\n    kind: http\n    url: http://127.0.0.1:1/x.csv\n    retries: 0\n    unit: H.BAVI\n", "")
	r := cchc(t, dir, []string{"TMPDIR=/nonexistent-cchc-tmpdir"}, "validate")
	if r.code != 1 || !strings.Contains(r.stderr, "không tạo được thư mục tạm trong /nonexistent-cchc-tmpdir") || !strings.Contains(r.stderr, "TMPDIR") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming the temporary folder", r.code, strings.TrimSpace(r.stderr))
	}
}

// A validate killed (SIGKILL) while it downloads leaves its private folder
// under TMPDIR, the raw export in it. The next validate removes it, but
// not the folder of a validate still running beside it. Without the fix
// the killed validate's folder stayed for good.
func TestValidateRemovesKilledValidateFolder(t *testing.T) {
	const body = "Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n" +
		"H41.01-260302-0001,Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/03/2026 08:00,16/03/2026 17:00,10/03/2026 09:00,Đã xử lý xong\n"
	var stall atomic.Bool
	stall.Store(true)
	started := make(chan struct{}, 4)
	unstall := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte(body))
		if !stall.Load() {
			return
		}
		w.(http.Flusher).Flush()
		started <- struct{}{}
		select { // the body does not end while the test holds it
		case <-r.Context().Done():
		case <-unstall:
		case <-time.After(60 * time.Second):
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
	env := []string{"TMPDIR=" + tmp}
	folders := func() []string {
		m, _ := filepath.Glob(filepath.Join(tmp, "cchc-validate-*"))
		return m
	}
	// start runs a validate until its download has begun and returns it
	// with its folder.
	start := func(known []string) (*exec.Cmd, string) {
		t.Helper()
		cmd := exec.Command(binary, "validate", "--config", filepath.Join(dir, "cchc.yaml"))
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-started:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("the validate did not start downloading")
		}
		for _, f := range folders() {
			if !slices.Contains(known, f) {
				return cmd, f
			}
		}
		_ = cmd.Process.Kill()
		t.Fatalf("no new validate folder in %s: %v", tmp, folders())
		return nil, ""
	}

	// One validate runs throughout; another, started beside it, is killed.
	running, alive := start(nil)
	defer func() {
		_ = running.Process.Kill()
		_ = running.Wait()
	}()
	killed, dead := start([]string{alive})
	if err := killed.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = killed.Wait()
	if left, _ := filepath.Glob(filepath.Join(dead, "cchc-http-*")); len(left) == 0 {
		t.Fatalf("the killed validate left no download in %s", dead)
	}
	if _, err := os.Stat(alive); err != nil {
		t.Fatalf("the validate started second removed the running one's folder: %v", err)
	}

	stall.Store(false)
	r := cchc(t, dir, env, "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "kiểm tra 1 dòng, 0 dòng sẽ bị cách ly") {
		t.Errorf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the killed validate's folder %s is still there (%v)", dead, err)
	}
	if !strings.Contains(r.stderr, "đã xóa thư mục tạm do lần kiểm tra đã chết để lại") {
		t.Errorf("validate does not say it removed a folder:\n%s", r.stderr)
	}
	if _, err := os.Stat(alive); err != nil {
		t.Errorf("the running validate's folder was removed: %v", err)
	}

	// The running validate ends well, and removes its own folder.
	close(unstall)
	if err := running.Wait(); err != nil {
		t.Errorf("the running validate: %v", err)
	}
	if left := folders(); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}
