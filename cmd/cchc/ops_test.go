package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigExport writes a dossier CSV of n valid rows of unit H.BAVI with codes
// H41.01-260501-<i>, dated in May 2026.
func bigExport(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái")
	for i := 0; i < n; i++ {
		day := 1 + i%28
		fmt.Fprintf(w, "H41.01-2605%02d-%06d,H.BAVI,Cấp giấy phép xây dựng số %d,Xây dựng,Trực tuyến,%02d/05/2026 08:00,%02d/06/2026 17:00,%02d/05/2026 16:00,Đã xử lý xong\n",
			day, i, i%97, day, day, day)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// smallDisk mounts a tmpfs of the given size (the test runs as root, as CI
// does) and unmounts it at the end; it skips the test where that is not
// possible.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a %s tmpfs (needs root and mount permission): %v %s", size, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the disk is full, then frees keep bytes of it.
func fill(t *testing.T, dir string, keep int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := f.Write(buf)
		n += int64(k)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(0, n-keep)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// On a full disk the run fails with a message naming the disk, leaves the
// warehouse as it was and records itself failed; with room again the next
// run loads the same files.
func TestDiskFull(t *testing.T) {
	disk := smallDisk(t, "48m")
	dir := project(t, e2eSources, "")
	wh := filepath.Join(disk, "cchc.duckdb")
	cfg := fmt.Sprintf("warehouse: %s\nunits: ./units.csv\npublish:\n  dir: ./out\nsources:\n%s", wh, e2eSources)
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("first run: %d %s %s", r.code, r.stdout, r.stderr)
	}
	state := func() string {
		t.Helper()
		r := cchc(t, dir, nil, "query", `SELECT (SELECT count(*) FROM dossiers) AS dossiers, (SELECT count(*) FROM source_files) AS files,
			(SELECT count(*) FROM quarantine) AS quarantined, (SELECT sum(hash(d::VARCHAR)) FROM dossiers d) AS h`, "--live", "--format", "csv")
		if r.code != 0 {
			t.Fatalf("state: %d %s", r.code, r.stderr)
		}
		return r.stdout
	}
	before := state()
	bigExport(t, filepath.Join(dir, "exports", "a", "03-may.csv"), 30000)
	filler := fill(t, disk, 1<<20)

	r := cchc(t, dir, nil, "run")
	t.Logf("run on a full disk: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	if r.code != 1 || !strings.Contains(r.stderr+r.stdout, "ổ đĩa chứa "+disk+" đã đầy") {
		t.Errorf("run on a full disk: exit %d, want 1 and a message naming %s", r.code, disk)
	}
	if got := state(); got != before {
		t.Errorf("the failed run changed the warehouse:\nbefore %s\nafter  %s", before, got)
	}
	r = cchc(t, dir, nil, "query", "SELECT status, message FROM runs ORDER BY run_id", "--live", "--format", "csv")
	t.Logf("runs after the failed run:\n%s", r.stdout)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "failed,") || !strings.Contains(lines[2], "is full") {
		t.Errorf("the failed run is not recorded as failed with its message:\n%s", r.stdout)
	}

	// With no byte free the run fails, naming the disk (not blaming the
	// file), and writes nothing. Whether even its record fits depends on
	// whether the write-ahead log's last file-system block has room left
	// (its size after the previous failed run, a matter of bytes): when it
	// does, the run is recorded failed, or stays running until the next
	// run closes it as failed ("abandoned ... e.g. a full disk"); when it
	// does not, the run cannot start ("runs: start: ổ đĩa chứa … đã đầy")
	// and leaves no record. Either way nothing else is written.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	filler = fill(t, disk, 0)
	r = cchc(t, dir, nil, "run")
	t.Logf("run on a disk with no byte free: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	if r.code != 1 || !strings.Contains(r.stderr+r.stdout, "ổ đĩa chứa "+disk+" đã đầy") || strings.Contains(r.stdout, "LỖI source") {
		t.Errorf("run on a disk with no byte free: exit %d, want 1 and a message naming %s, no file blamed", r.code, disk)
	}
	if got := state(); got != before {
		t.Errorf("the failed run changed the warehouse:\nbefore %s\nafter  %s", before, got)
	}
	r = cchc(t, dir, nil, "query", "SELECT status, message FROM runs ORDER BY run_id", "--live", "--format", "csv")
	t.Logf("runs after the second failed run:\n%s", r.stdout)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	r = cchc(t, dir, nil, "run")
	if r.code != 0 {
		t.Fatalf("run with room again: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "query", `SELECT (SELECT string_agg(status, ',' ORDER BY run_id) FROM runs) AS runs, count(*) AS dossiers,
		count(*) - count(DISTINCT dossier_code) AS dups, (SELECT message LIKE '%full%' FROM runs WHERE run_id = 3) AS closed
		FROM dossiers`, "--live", "--format", "csv")
	if r.stdout != "runs,dossiers,dups,closed\n\"succeeded,failed,failed,succeeded\",30006,0,true\n" &&
		r.stdout != "runs,dossiers,dups,closed\n\"succeeded,failed,succeeded\",30006,0,false\n" {
		t.Errorf("after freeing space: %q", r.stdout)
	}
}

// readTree maps every file under dir to its content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			m[p] = string(b)
		}
		return err
	})
	return m
}

// cchc publish takes the writer lock: it waits for a run in progress (here
// past its lock_timeout, so it gives up naming the run) instead of writing
// beside it; and it publishes the last committed run even when the
// analysts' snapshot is older (a failed refresh), so it never puts stale
// figures over fresh ones.
func TestPublishTakesTheLock(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "run", "--source", "b"); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	snap := filepath.Join(dir, "cchc.snapshot.duckdb")
	old, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}

	child := startPaused(t, dir)
	defer child.Process.Kill()
	r := cchc(t, dir, []string{"CCHC_LOCK_TIMEOUT=1s"}, "publish", "--period", "2026-03")
	if r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("cchc: kho dữ liệu đang bị một lần chạy khác giữ quyền ghi: tiến trình %d", child.Process.Pid)) ||
		!strings.Contains(r.stderr, "hãy đợi lần chạy đó xong rồi thử lại, hoặc tăng lock_timeout (warehouse is locked by another writer; lock file ") {
		t.Errorf("publish during a run: exit %d %s", r.code, r.stderr)
	}
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()

	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("second run: %d %s", r.code, r.stderr)
	}
	fresh := readTree(t, filepath.Join(dir, "out", "2026-03"))
	// The snapshot of the first run stands where the second run's should
	// be, as after a failed refresh.
	os.Chmod(snap, 0o644)
	if err := os.WriteFile(snap, old, 0o444); err != nil {
		t.Fatal(err)
	}
	r = cchc(t, dir, nil, "publish", "--period", "2026-03")
	if r.code != 0 {
		t.Fatalf("publish: %d %s", r.code, r.stderr)
	}
	got := readTree(t, filepath.Join(dir, "out", "2026-03"))
	if len(got) != len(fresh) {
		t.Errorf("publish wrote %d files, the run %d", len(got), len(fresh))
	}
	for p, b := range fresh {
		if got[p] != b {
			t.Errorf("%s: publish wrote other figures than the last run (from the stale snapshot?)", p)
		}
	}
}

// A scheduled tick that cannot take the lock within lock_timeout leaves a
// row skipped in runs (written by the next run, since the holder has the
// warehouse).
func TestScheduledTickSkippedOnLock(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	dir := project(t, e2eSources, "schedule: \"@every 1s\"\nlock_timeout: 1s\n")
	if r := cchc(t, dir, nil, "run", "--source", "b"); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	child := startPaused(t, dir)
	defer child.Process.Kill()
	sched := exec.Command(binary, "schedule", "--config", filepath.Join(dir, "cchc.yaml"))
	stderr, _ := sched.StderrPipe()
	if err := sched.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	skipped := make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "bỏ qua lần chạy theo lịch; lần chạy sau sẽ ghi") {
				skipped <- struct{}{}
			}
		}
		close(done)
	}()
	select {
	case <-skipped:
	case <-time.After(60 * time.Second):
		sched.Process.Kill()
		t.Fatalf("no tick skipped:\n%s", log.String())
	}
	sched.Process.Signal(syscall.SIGTERM)
	sched.Wait()
	<-done
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("next run: %d %s", r.code, r.stderr)
	}
	// Ticks that came while the scheduler's own tick waited for the lock
	// are skipped too ("the previous scheduled run was still in progress").
	r := cchc(t, dir, nil, "query", `SELECT bool_and(trigger = 'schedule') AS schedule,
		count(*) FILTER (WHERE message LIKE 'kho dữ liệu đang bị một lần chạy khác giữ quyền ghi: tiến trình %') > 0 AS locked
		FROM runs WHERE status = 'skipped'`, "--format", "csv")
	if r.stdout != "schedule,locked\ntrue,true\n" {
		t.Errorf("skipped tick in runs: %q %s\nschedule log:\n%s", r.stdout, r.stderr, log.String())
	}
}
