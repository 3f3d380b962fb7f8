package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
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

// cchcAs runs cchc as uid (and gid) uid, as the service user would.
func cchcAs(t *testing.T, dir string, uid int, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--config", filepath.Join(dir, "cchc.yaml"))...)
	cmd.Env = append(os.Environ(), append([]string{"HOME=" + dir}, env...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// `sudo cchc validate` run before the service's first run created
// <warehouse>.downloads owned by root, mode 0700: every HTTP file of the
// service user's runs then failed with "permission denied". validate now
// writes nothing beside the warehouse (it downloads into a private folder
// under TMPDIR, removed when it ends), and a run that finds a downloads
// folder it cannot write in (one an earlier version left) fails its HTTP
// sources once each, saying in Vietnamese which folder and what to do.
// The service user is nobody (65534); the test runs as root, as CI does.
func TestDownloadsFolderOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs cchc as root and as another user")
	}
	const service = 65534
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte("Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n" +
			"H41.01-260302-0001,Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/03/2026 08:00,16/03/2026 17:00,10/03/2026 09:00,Đã xử lý xong\n"))
	}))
	defer srv.Close()
	dir, env, downloads := serviceProject(t, srv.URL, service)

	r := cchc(t, dir, env, "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "kiểm tra 1 dòng, 0 dòng sẽ bị cách ly") {
		t.Fatalf("sudo cchc validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(downloads); err == nil {
		t.Errorf("validate created %s", downloads)
	}
	if left, _ := filepath.Glob(filepath.Join(strings.TrimPrefix(env[0], "TMPDIR="), "*")); len(left) > 0 {
		t.Errorf("validate left %v in TMPDIR", left)
	}

	r = cchcAs(t, dir, service, env, "run")
	if r.code != 0 || !strings.Contains(r.stdout, "tệp: 1 mới, 0 lỗi") {
		t.Fatalf("the service user's run after sudo cchc validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A folder root owns, as an earlier version's validate left it.
	if err := os.Chown(downloads, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(downloads, 0o700); err != nil {
		t.Fatal(err)
	}
	r = cchcAs(t, dir, service, env, "run")
	// (The temporary folder's digits are masked as personal data.)
	for _, want := range []string{"nguồn portal LỖI: không ghi được vào thư mục tải về /tmp/",
		"/cchc.duckdb.downloads: thư mục thuộc người dùng root", "còn cchc đang chạy với người dùng nobody",
		"hãy xóa thư mục đó (sudo rm -r /tmp/", "/cchc.duckdb.downloads; lần chạy sau tự tạo lại"} {
		if r.code != 3 || !strings.Contains(r.stdout, want) {
			t.Errorf("run with root's downloads folder: exit %d, want 3 and %q\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "LỖI nguồn portal: tệp") || strings.Contains(r.stdout, "LỖI source portal: file") {
		t.Errorf("each file failed instead of the source:\n%s", r.stdout)
	}
	// The fix the message gives.
	if err := os.RemoveAll(downloads); err != nil {
		t.Fatal(err)
	}
	if r = cchcAs(t, dir, service, env, "run"); r.code != 0 {
		t.Errorf("run after the fix: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// An admin's root cron job (`cchc run` as root) killed while it downloads
// into the service user's downloads folder leaves the partial download,
// raw export and all. It is the service user's (chowned before its first
// byte), so the service user's next run opens it, finds no live process
// holding it, and removes it. Without the fix it was root's, mode 0600:
// the service user's runs could not open it to tell, and it stayed. The
// service user is nobody (65534); the test runs as root, as CI does.
func TestKilledRootDownloadRemovedByServiceUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs cchc as root and as another user")
	}
	const service = 65534
	const body = "Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái,Họ tên người nộp\n" +
		"H41.01-260302-0001,Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/03/2026 08:00,16/03/2026 17:00,10/03/2026 09:00,Đã xử lý xong,Trần Thị Bình\n"
	var stall atomic.Bool
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte(body))
		if !stall.Load() {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case started <- struct{}{}:
		default:
		}
		select { // the body never ends while the root run lives
		case <-r.Context().Done():
		case <-time.After(60 * time.Second):
		}
	}))
	defer srv.Close()
	dir, env, downloads := serviceProject(t, srv.URL, service)

	// The service user's runs made the warehouse and the downloads folder.
	if r := cchcAs(t, dir, service, env, "run"); r.code != 0 {
		t.Fatalf("the service user's first run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The admin's root run, killed in the middle of its download.
	stall.Store(true)
	cmd := exec.Command(binary, "run", "--config", filepath.Join(dir, "cchc.yaml"))
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the root run did not start downloading")
	}
	var left []string
	for i := 0; i < 100; i++ {
		if left, _ = filepath.Glob(filepath.Join(downloads, "cchc-http-*")); len(left) > 0 {
			if st, err := os.Stat(left[0]); err == nil && st.Size() > 0 {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if len(left) != 1 {
		t.Fatalf("the killed root run left %v in %s, want one download", left, downloads)
	}
	st, err := os.Stat(left[0])
	if err != nil {
		t.Fatal(err)
	}
	if sys := st.Sys().(*syscall.Stat_t); sys.Uid != service || sys.Gid != service {
		t.Errorf("the killed root run's download is uid %d gid %d, want the folder owner's %d", sys.Uid, sys.Gid, service)
	}

	// The service user's next run removes it, and succeeds: the root run
	// ran as the folder's owner, so the WAL it left is the service user's
	// too (TestKilledRootRunThenServiceUser).
	stall.Store(false)
	r := cchcAs(t, dir, service, env, "run")
	if r.code != 0 || !strings.Contains(r.stderr, `what=downloads files=1`) {
		t.Errorf("the service user's run does not say it removed the download: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(left[0]); !os.IsNotExist(err) {
		b, _ := os.ReadFile(left[0])
		t.Errorf("the killed root run's download is still there after the service user's run (%v, %d bytes)", err, len(b))
	}
}

// serviceProject makes a project of one HTTP source reading url/x.csv that
// belongs to the service user, who can reach it and run the binary, with
// a TMPDIR every user can write; it returns the project, the environment
// naming that TMPDIR and the project's downloads folder.
func serviceProject(t *testing.T, url string, service int) (dir string, env []string, downloads string) {
	t.Helper()
	dir = project(t, `  - name: portal
    kind: http
    url: `+url+`/x.csv
    retries: 0
    unit: H.BAVI
`, "")
	for _, d := range []string{filepath.Dir(dir), filepath.Dir(binary)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, service, service)
	}); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.Chmod(tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
	return dir, []string{"TMPDIR=" + tmp}, filepath.Join(dir, "cchc.duckdb.downloads")
}
