package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// These tests run cchc as root in a project folder that belongs to a
// service user (nobody, 65534), then as that user, as an operator's
// `sudo cchc run` between two nightly runs would. They need root, as CI
// has.

const serviceUID = 65534

// localServiceProject is the e2e project (local sources a and b, six
// dossiers) owned by the service user, who can reach it and the binary.
func localServiceProject(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs cchc as root and as another user")
	}
	dir := project(t, e2eSources, "")
	for _, d := range []string{filepath.Dir(dir), filepath.Dir(binary)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	chownTree(t, dir, serviceUID)
	return dir
}

func chownTree(t *testing.T, dir string, uid int) {
	t.Helper()
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	}); err != nil {
		t.Fatal(err)
	}
}

// notOwnedBy lists what under dir does not belong to uid.
func notOwnedBy(t *testing.T, dir string, uid int) []string {
	t.Helper()
	var bad []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && int(fi.Sys().(*syscall.Stat_t).Uid) != uid {
			bad = append(bad, p)
		}
		return nil
	})
	return bad
}

// serviceRunOK runs cchc run as the service user and checks that it
// succeeds and the warehouse holds the six dossiers once each, every file
// accounted for.
func serviceRunOK(t *testing.T, dir string) result {
	t.Helper()
	r := cchcAs(t, dir, serviceUID, nil, "run")
	if r.code != 0 {
		t.Fatalf("the service user's run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	q := cchcAs(t, dir, serviceUID, nil, "query", `SELECT (SELECT count(*) FROM dossiers) AS dossiers,
		(SELECT count(*) - count(DISTINCT dossier_code) FROM dossiers) AS dups,
		(SELECT count(*) FROM source_files WHERE status = 'loaded') AS files`, "--live", "--format", "csv")
	if q.stdout != "dossiers,dups,files\n6,0,3\n" {
		t.Errorf("the warehouse after the service user's run: %q %s", q.stdout, q.stderr)
	}
	return r
}

// startRootPaused starts `cchc run` as root (HOME=/root, as sudo sets it)
// and returns once it has committed its data and paused before the model.
func startRootPaused(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	return startRunPaused(t, dir, "--debug-pause-after-commit", "paused after commit", []string{"HOME=/root"})
}

// An operator's `sudo cchc run` killed (SIGKILL) right after its data
// commit leaves the WAL holding that commit. It is the service user's,
// and so is every other file the root run made, so the nightly opens the
// warehouse, replays the commit and finishes the run's work. Without the
// fix the WAL was root's and the nightly failed: "Cannot open file
// …/cchc.duckdb.wal: Permission denied".
func TestKilledRootRunThenServiceUser(t *testing.T) {
	dir := localServiceProject(t)
	root := startRootPaused(t, dir)
	wal := filepath.Join(dir, "cchc.duckdb.wal")
	st, err := os.Stat(wal)
	if err != nil || st.Size() == 0 {
		_ = root.Process.Kill()
		t.Fatalf("no WAL after the root run's commit: %v", err)
	}
	if err := root.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = root.Wait()
	if bad := notOwnedBy(t, dir, serviceUID); len(bad) > 0 {
		t.Errorf("the killed root run left files the service user does not own: %v", bad)
	}
	r := serviceRunOK(t, dir)
	if !strings.Contains(r.stdout, "tệp: 0 mới") {
		t.Errorf("the service user's run loaded again what the killed root run committed:\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "2026-03", "report.html")); err != nil {
		t.Errorf("the service user's run did not publish what the killed root run left unpublished: %v", err)
	}
}

// A root run that completes leaves nothing the service user cannot open
// or replace: warehouse, lock, snapshot, publications. Root never chowns
// what an older version's root run left (here made by hand: the lock
// file, a period's publication folder): a hard link the folder's owner
// planted there could make it give away any root file. Instead the
// service user's run names the chown of each, and a root run meanwhile
// stays root, naming the folder its owner could not write.
func TestRootRunThenServiceUser(t *testing.T) {
	dir := localServiceProject(t)
	serviceRunOK(t, dir)
	for _, p := range []string{"cchc.duckdb.lock", "out/2026-03", "out/2026-03/report.html"} {
		if err := os.Lchown(filepath.Join(dir, p), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	lock := filepath.Join(dir, "cchc.duckdb.lock")
	r := cchcAs(t, dir, serviceUID, nil, "run")
	if fix := "Hãy chạy: sudo chown nobody:nogroup " + lock + " rồi chạy lại"; r.code != 1 || !strings.Contains(r.stderr, fix) {
		t.Errorf("the service user's run with root's lock file: exit %d, want 1 and %q\n%s%s", r.code, fix, r.stdout, r.stderr)
	}
	if out, err := exec.Command("chown", "nobody:nogroup", lock).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	pubDir := filepath.Join(dir, "out", "2026-03")
	r = cchcAs(t, dir, serviceUID, nil, "run", "--full-refresh")
	for _, want := range []string{"không ghi được vào thư mục " + pubDir + ": thư mục thuộc người dùng root",
		"Hãy chạy: sudo chown -R nobody:nogroup " + pubDir + " rồi chạy lại"} {
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("the service user's run with root's publication folder (exit %d) does not say %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}

	// A root-only file hard-linked into the folder root left root's.
	outside := filepath.Join(filepath.Dir(dir), "root-only")
	if err := os.WriteFile(outside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(outside, filepath.Join(pubDir, "cchc.duckdb.wal")); err != nil {
		t.Fatal(err)
	}
	r = cchc(t, dir, []string{"HOME=/root"}, "run", "--full-refresh")
	if want := "thư mục xuất bản (publish.dir) " + pubDir + ": không ghi vào được " + pubDir; r.code != 0 ||
		!strings.Contains(r.stderr, "ở lại root") || !strings.Contains(r.stderr, want) {
		t.Errorf("the root run (exit %d) did not stay root saying %q:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	if st, err := os.Stat(outside); err != nil || st.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Errorf("root gave away a hard-linked file: %v %v", err, st.Sys())
	}

	// The chown the message gives; the next root run switches, and the
	// service user's run adopts the warehouse the root run left.
	if out, err := exec.Command("chown", "-R", "nobody:nogroup", pubDir).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	os.Remove(filepath.Join(pubDir, "cchc.duckdb.wal"))
	if r = cchc(t, dir, []string{"HOME=/root"}, "run", "--full-refresh"); r.code != 0 ||
		!strings.Contains(r.stderr, "cchc chạy bằng root: chuyển sang người dùng sở hữu thư mục kho dữ liệu") {
		t.Fatalf("root run after the chown: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if bad := notOwnedBy(t, dir, serviceUID); len(bad) > 0 {
		t.Errorf("the root run left files the service user does not own: %v", bad)
	}
	serviceRunOK(t, dir)
}

// A root run switches only when the folder's owner can do the whole run.
// When it cannot (a source folder only root reads), or has no passwd
// entry, the run stays root, does its work as before and says what the
// owner lacks and that its files are root's.
func TestRootRunStaysRoot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"source folder only root reads", func(t *testing.T, dir string) {
			a := filepath.Join(dir, "exports", "a")
			if err := os.Chown(a, 0, 0); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(a, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "người dùng nobody không làm được cả lần chạy: thư mục của nguồn a %s/exports/a: không liệt kê được"},
		{"owner without a passwd entry", func(t *testing.T, dir string) {
			chownTree(t, dir, 43219)
		}, "thuộc người dùng số 43219, không có trong /etc/passwd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := localServiceProject(t)
			tc.setup(t, dir)
			r := cchc(t, dir, []string{"HOME=/root"}, "run")
			want := tc.want
			if strings.Contains(want, "%s") {
				want = strings.Replace(want, "%s", dir, 1)
			}
			if r.code != 0 || !strings.Contains(r.stderr, "ở lại root") || !strings.Contains(r.stderr, want) ||
				!strings.Contains(r.stderr, "sẽ thuộc root") || strings.Contains(r.stderr, "cchc chạy bằng root: chuyển sang") {
				t.Errorf("exit %d, want 0, staying root and %q:\n%s%s", r.code, want, r.stdout, r.stderr)
			}
			if uid, _, _ := fileownerOf(filepath.Join(dir, "cchc.duckdb")); uid != 0 {
				t.Errorf("the warehouse of a run that stayed root is uid %d", uid)
			}
		})
	}
}

// publish and schedule switch as run does: what they write is the
// service user's.
func TestRootPublishAndScheduleSwitch(t *testing.T) {
	dir := localServiceProject(t)
	serviceRunOK(t, dir)
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	r := cchc(t, dir, []string{"HOME=/root"}, "publish", "--period", "2026-03")
	if r.code != 0 || !strings.Contains(r.stderr, "chuyển sang người dùng sở hữu thư mục kho dữ liệu") {
		t.Errorf("root publish: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "2026-03", "report.html")); err != nil {
		t.Error(err)
	}
	if bad := notOwnedBy(t, dir, serviceUID); len(bad) > 0 {
		t.Errorf("root publish left files the service user does not own: %v", bad)
	}

	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), append(mustRead(t, filepath.Join(dir, "cchc.yaml")), "schedule: \"@every 1s\"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "schedule", "--config", filepath.Join(dir, "cchc.yaml"))
	cmd.Env = append(os.Environ(), "HOME=/root")
	var errb syncBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300 && !strings.Contains(errb.String(), "kết thúc lần chạy"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	if log := errb.String(); !strings.Contains(log, "chuyển sang người dùng sở hữu thư mục kho dữ liệu") || !strings.Contains(log, "kết thúc lần chạy") {
		t.Errorf("root schedule did not switch or run:\n%s", log)
	}
	if bad := notOwnedBy(t, dir, serviceUID); len(bad) > 0 {
		t.Errorf("root schedule left files the service user does not own: %v", bad)
	}
}

func fileownerOf(p string) (int, int, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return -1, -1, false
	}
	sys := st.Sys().(*syscall.Stat_t)
	return int(sys.Uid), int(sys.Gid), true
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// syncBuffer is a bytes.Buffer a child process writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A warehouse and WAL that an earlier version's killed root run left
// root's, but readable, are adopted by the service user's run: copied
// beside themselves, synced and renamed over, the committed data
// replayed. Unreadable, the run fails before writing anything, naming
// the files and the chown command.
func TestServiceUserAdoptsRootsWarehouse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		walMode os.FileMode
	}{{"readable", 0o644}, {"unreadable", 0o600}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := localServiceProject(t)
			// The service user's run killed after its commit, its two files
			// then made root's as an earlier version's root run left them.
			cmd := exec.Command(binary, "run", "--config", filepath.Join(dir, "cchc.yaml"), "--debug-pause-after-commit", "1m")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: serviceUID, Gid: serviceUID}}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 600 && !strings.Contains(errb.String(), "paused after commit"); i++ {
				time.Sleep(100 * time.Millisecond)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			db, wal := filepath.Join(dir, "cchc.duckdb"), filepath.Join(dir, "cchc.duckdb.wal")
			for _, p := range []string{db, wal} {
				if err := os.Chown(p, 0, 0); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(wal, tc.walMode); err != nil {
				t.Fatal(err)
			}
			before := map[string][32]byte{}
			for _, p := range []string{db, wal} {
				b, err := os.ReadFile(p)
				if err != nil || len(b) == 0 {
					t.Fatalf("%s: %v (%d bytes)", p, err, len(b))
				}
				before[p] = sha256.Sum256(b)
			}

			unchanged := func(when string) {
				t.Helper()
				for p, sum := range before {
					b, _ := os.ReadFile(p)
					if sha256.Sum256(b) != sum {
						t.Errorf("%s changed %s", when, p)
					}
				}
			}

			if tc.walMode&0o004 != 0 {
				// Not while another program (here this root process) has
				// the warehouse open for writing: it could still write the
				// files being copied.
				w, err := warehouse.Open(context.Background(), db, warehouse.Options{})
				if err != nil {
					t.Fatal(err)
				}
				r := cchcAs(t, dir, serviceUID, nil, "run")
				if r.code != 1 || !strings.Contains(r.stderr, "the warehouse file is open in another program") {
					t.Errorf("adoption while a writer has the warehouse open: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				unchanged("the run that found a writer")
				if bad := notOwnedBy(t, dir, serviceUID); len(bad) != 2 {
					t.Errorf("the run that found a writer replaced files: now not the service user's: %v", bad)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				serviceRunOK(t, dir)
				if bad := notOwnedBy(t, dir, serviceUID); len(bad) > 0 {
					t.Errorf("not adopted: %v", bad)
				}
				if left, _ := filepath.Glob(filepath.Join(dir, ".*adopt-*")); len(left) > 0 {
					t.Errorf("adoption left %v", left)
				}
				return
			}
			r := cchcAs(t, dir, serviceUID, nil, "run")
			want := "không mở được kho dữ liệu: " + db + ", " + wal + " thuộc người dùng root"
			fix := "Hãy chạy: sudo chown nobody:nogroup " + db + " " + wal + " rồi chạy lại"
			if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, fix) || !strings.Contains(r.stderr, "chưa ghi gì") {
				t.Errorf("run with an unreadable root WAL: exit %d, want 1, %q and %q\n%s%s", r.code, want, fix, r.stdout, r.stderr)
			}
			unchanged("the failed run")
			for _, p := range []string{"cchc.snapshot.duckdb", "out"} {
				if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
					t.Errorf("the failed run wrote %s", p)
				}
			}
			// The command the message gives fixes it.
			if out, err := exec.Command("chown", "nobody:nogroup", db, wal).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			serviceRunOK(t, dir)
		})
	}
}
