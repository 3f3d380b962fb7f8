package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cchc/cchc/internal/testfixture"
	"github.com/cchc/cchc/warehouse"
)

// These tests run the real binary as a child process: exit codes, signals,
// the writer lock and crash recovery are properties of a process.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cchc-cli-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "cchc")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const e2eSources = `  - name: a
    path: ./exports/a/*.csv
    unit: H.BAVI
  - name: b
    path: ./exports/b/*.json
`

// project copies the pipeline's e2e fixture into a temp dir with a config
// naming sources; extra is appended to the config.
func project(t *testing.T, sources, extra string) string {
	t.Helper()
	dir := testfixture.Copy(t, "../../pipeline/testdata/e2e")
	cfg := "warehouse: ./cchc.duckdb\nunits: ./units.csv\npublish:\n  dir: ./out\nsources:\n" + sources + extra
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type result struct {
	code           int
	stdout, stderr string
}

func cchc(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--config", filepath.Join(dir, "cchc.yaml"))...)
	cmd.Env = append(os.Environ(), env...)
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

func TestExitCodes(t *testing.T) {
	dir := project(t, e2eSources+"  - name: bad\n    path: ./exports/bad/*\n", "")
	r := cchc(t, dir, nil, "run")
	if r.code != 3 || !strings.Contains(r.stdout, "partial") || !strings.Contains(r.stdout, "corrupt.xlsx") {
		t.Errorf("partial run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "đối chiếu số dòng: đọc 11 = nạp 6 + cách ly 4 + bị thay thế 1") {
		t.Errorf("summary lacks the reconciliation:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "cột dữ liệu cá nhân đã bỏ (không nạp): ") {
		t.Errorf("summary does not say which personal data it dropped:\n%s", r.stdout)
	}
	// Nothing new, but the broken files still fail: partial again.
	r = cchc(t, dir, nil, "run")
	if r.code != 3 || !strings.Contains(r.stdout, "0 mới") || !strings.Contains(r.stdout, "2 tệp không đổi đã lỗi ở lần chạy trước") {
		t.Errorf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, []string{"CCHC_PERIODS=weekly"}, "run")
	if r.code != 2 || !strings.Contains(r.stderr, "periods") {
		t.Errorf("bad config: exit %d\n%s", r.code, r.stderr)
	}
	r = cchc(t, dir, nil, "run", "--bogus")
	if r.code != 2 {
		t.Errorf("bad usage: exit %d", r.code)
	}
	r = cchc(t, dir, nil, "runs", "--format", "csv")
	if r.code != 0 || strings.Count(r.stdout, "partial") != 2 {
		t.Errorf("runs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestQuery(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("run: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r := cchc(t, dir, nil, "query", "SELECT unit_code, count(*) AS n FROM dossiers GROUP BY 1 ORDER BY 1", "--format", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 3 {
		t.Errorf("json: %v %q", err, r.stdout)
	}
	r = cchc(t, dir, nil, "query", "SELECT unit_code FROM units ORDER BY 1", "--format", "csv")
	if r.stdout != "unit_code\nH.BAVI\nS.TP\nX.TANLINH\n" {
		t.Errorf("csv: %q", r.stdout)
	}
	for _, q := range []string{"DELETE FROM dossiers", "CREATE TABLE x (a INT)", "COPY dossiers TO '/tmp/x.csv'", "ATTACH '/tmp/other.duckdb' AS o"} {
		r = cchc(t, dir, nil, "query", q)
		if r.code == 0 || !strings.Contains(r.stderr, "read-only") {
			t.Errorf("%s: exit %d %s", q, r.code, r.stderr)
		}
	}
	r = cchc(t, dir, nil, "query", "SELECT count(*) FROM dossiers", "--live")
	if r.code != 0 || !strings.Contains(r.stdout, "6") {
		t.Errorf("--live: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestValidate(t *testing.T) {
	dir := project(t, e2eSources+"  - name: bad\n    path: ./exports/bad/*\n", "")
	r := cchc(t, dir, nil, "validate")
	if r.code != 1 || !strings.Contains(r.stdout, `"Ngày tiếp nhận" → received_at`) || !strings.Contains(r.stdout, "cột dữ liệu cá nhân, bỏ (không nạp): Họ tên người nộp, Số CCCD, Số điện thoại") ||
		!strings.Contains(r.stdout, "nocode.csv: LỖI") {
		t.Errorf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "cchc.duckdb")); err == nil {
		t.Error("validate wrote the warehouse")
	}
	r = cchc(t, project(t, e2eSources, ""), nil, "validate")
	if r.code != 0 {
		t.Errorf("validate good config: exit %d\n%s", r.code, r.stdout)
	}
	// Source a's two CSVs have no synchronisation column, which the sync
	// indicator reads: a warning (unknown, not false), not a failure.
	if want := "cảnh báo: nguồn a: 2 tệp không có cột synced_national: các hồ sơ đó không có dữ liệu cho chỉ số sync"; !strings.Contains(r.stdout, want) {
		t.Errorf("validate does not warn %q:\n%s", want, r.stdout)
	}
}

// startPaused starts `cchc run` paused inside its commit transaction and
// returns once it says so.
func startPaused(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	return startRunPaused(t, dir, "--debug-pause-in-commit", "paused in commit", nil)
}

// startRunPaused starts `cchc run` with the pause flag (a test hook) and
// env added, and returns once its standard error says paused.
func startRunPaused(t *testing.T, dir, flag, paused string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, "run", "--config", filepath.Join(dir, "cchc.yaml"), flag, "1m")
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	said := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), paused) {
				once = true
				close(said)
			}
		}
	}()
	select {
	case <-said:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the run never said %q", paused)
	}
	return cmd
}

// A second writer waits lock_timeout and names the holder; an analyst can
// read the snapshot meanwhile.
func TestLockAndReadsDuringRun(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "run", "--source", "b"); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	child := startPaused(t, dir)
	defer child.Process.Kill()

	start := time.Now()
	r := cchc(t, dir, []string{"CCHC_LOCK_TIMEOUT=1s"}, "run")
	host, _ := os.Hostname()
	if r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("tiến trình %d trên máy %s", child.Process.Pid, host)) || !strings.Contains(r.stderr, "bắt đầu lúc") {
		t.Errorf("second writer: exit %d %s", r.code, r.stderr)
	}
	if time.Since(start) < time.Second {
		t.Errorf("second writer did not wait lock_timeout")
	}
	// Reads go to the snapshot of the last successful run.
	r = cchc(t, dir, nil, "query", "SELECT count(*) AS n FROM dossiers", "--format", "csv")
	if r.code != 0 || r.stdout != "n\n2\n" {
		t.Errorf("query during a run: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "runs", "--format", "csv")
	if r.code != 0 || !strings.Contains(r.stderr, "snapshot") {
		t.Errorf("runs during a run: exit %d %s", r.code, r.stderr)
	}
	// SIGTERM in the middle of the commit rolls the run back.
	child.Process.Signal(syscall.SIGTERM)
	err := child.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("interrupted run: %v, want exit 1", err)
	}
	r = cchc(t, dir, nil, "query", `SELECT (SELECT count(*) FROM dossiers) AS dossiers,
		(SELECT status || ': ' || message FROM runs ORDER BY run_id DESC LIMIT 1) AS last`, "--live", "--format", "csv")
	if !strings.HasPrefix(r.stdout, "dossiers,last\n2,failed: ") || !strings.Contains(r.stdout, "canceled") {
		t.Errorf("after SIGTERM: %q %s", r.stdout, r.stderr)
	}
	// publish --period rewrites one period's files from the warehouse.
	r = cchc(t, dir, nil, "publish", "--period", "2026-03")
	if r.code != 0 || !strings.Contains(r.stdout, "out/2026-03/ranking-department.csv") {
		t.Errorf("publish: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "publish", "--period", "2031-03")
	if r.code != 2 || !strings.Contains(r.stderr, "no data") {
		t.Errorf("publish of an empty period: exit %d %s", r.code, r.stderr)
	}
	r = cchc(t, dir, nil, "publish", "--period", "March")
	if r.code != 2 {
		t.Errorf("publish of a bad period: exit %d %s", r.code, r.stderr)
	}
}

// A run killed with SIGKILL inside its commit leaves the warehouse as it
// was; the next run takes over the lock, marks the dead run failed and loads
// the same files with no duplicates.
func TestCrashRecovery(t *testing.T) {
	dir := project(t, e2eSources, "")
	child := startPaused(t, dir)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	w, err := warehouse.Open(context.Background(), filepath.Join(dir, "cchc.duckdb"), warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	w.DB().QueryRow(`SELECT (SELECT count(*) FROM dossiers) + (SELECT count(*) FROM source_files) + (SELECT count(*) FROM quarantine)`).Scan(&n)
	w.Close()
	if n != 0 {
		t.Errorf("a killed run left %d rows behind", n)
	}
	r := cchc(t, dir, nil, "run")
	if r.code != 0 || !strings.Contains(r.stderr, "đã nhận quyền ghi của một tiến trình đã chết") {
		t.Errorf("recovery run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "query", `SELECT (SELECT string_agg(status, ',' ORDER BY run_id) FROM runs) AS runs,
		(SELECT count(*) - count(DISTINCT dossier_code) FROM dossiers) AS dups,
		(SELECT count(*) FROM dossiers) AS dossiers,
		(SELECT count(*) FROM source_files WHERE rows_read <> rows_loaded + rows_quarantined + rows_superseded) AS unreconciled`, "--live", "--format", "csv")
	if r.stdout != "runs,dups,dossiers,unreconciled\n\"failed,succeeded\",0,6,0\n" {
		t.Errorf("after recovery: %q %s", r.stdout, r.stderr)
	}
}

// cchc schedule runs on its schedule with trigger=schedule and stops
// cleanly on SIGTERM.
func TestScheduleSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	dir := project(t, e2eSources, "schedule: \"@every 1s\"\n")
	cmd := exec.Command(binary, "schedule", "--config", filepath.Join(dir, "cchc.yaml"))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var log strings.Builder
	finished := make(chan struct{}, 16)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "kết thúc lần chạy") {
				finished <- struct{}{}
			}
		}
		close(done)
	}()
	for i := 0; i < 2; i++ {
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("no run finished:\n%s", log.String())
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	<-done
	if err != nil {
		t.Errorf("schedule exit: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "đã dừng chạy theo lịch") || !strings.Contains(log.String(), "next_run=") {
		t.Errorf("log:\n%s", log.String())
	}
	r := cchc(t, dir, nil, "query", "SELECT count(*) FILTER (WHERE trigger <> 'schedule' OR status NOT IN ('succeeded', 'failed', 'skipped')) AS odd, count(*) >= 2 AS enough FROM runs", "--live", "--format", "csv")
	if r.stdout != "odd,enough\n0,true\n" {
		t.Errorf("runs after schedule: %q %s", r.stdout, r.stderr)
	}
}

// A reader holding the warehouse file itself (here cchc query --live; the
// DuckDB CLI or DBeaver do the same) makes the nightly run wait up to
// lock_timeout instead of failing at once, and say what to do past it.
func TestRunWaitsForLiveReader(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	// The reader's query runs until the test kills it, and the runs start
	// only once it holds the warehouse open: a query of fixed length (the
	// test once summed a range for a second or two) could end before the
	// run gave up on a fast machine, or not have opened the file yet on a
	// loaded one.
	reader := func() *exec.Cmd {
		cmd := exec.Command(binary, "query", "--live", "--config", filepath.Join(dir, "cchc.yaml"), "SELECT sum(i) FROM range(1000000000000000) t(i)")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitOpen(t, cmd.Process.Pid, ".duckdb")
		return cmd
	}
	q := reader()
	r := cchc(t, dir, []string{"CCHC_LOCK_TIMEOUT=1s"}, "run")
	q.Process.Kill()
	q.Wait()
	if r.code != 1 || !strings.Contains(r.stderr, "another program has the warehouse file open") || !strings.Contains(r.stderr, "snapshot") ||
		!strings.Contains(r.stderr, "cchc: kho dữ liệu đang được một chương trình khác mở") {
		t.Errorf("short timeout: exit %d %s", r.code, r.stderr)
	}
	// With a long timeout the run waits for the reader to go (here: until
	// it is killed two seconds later) and then runs.
	q = reader()
	done := make(chan result, 1)
	go func() { done <- cchc(t, dir, []string{"CCHC_LOCK_TIMEOUT=60s"}, "run") }()
	select {
	case r := <-done:
		t.Fatalf("the run did not wait for the reader: exit %d %s", r.code, r.stderr)
	case <-time.After(2 * time.Second):
	}
	q.Process.Kill()
	q.Wait()
	if r := <-done; r.code != 0 {
		t.Errorf("the run did not run once the reader went: exit %d %s", r.code, r.stderr)
	}
}

// waitOpen waits until process pid holds open a file whose name ends in
// suffix (Linux: its /proc/PID/fd links).
func waitOpen(t *testing.T, pid int, suffix string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && strings.HasSuffix(l, suffix) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d did not open a %s file within 60s", pid, suffix)
}

// On a terminal, run draws a progress line (through a pseudo-terminal made
// by script(1)); in a pipe it writes structured log lines instead.
func TestProgressOnTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed")
	}
	dir := project(t, e2eSources, "")
	out, err := exec.Command(script, "-qec", binary+" run --config "+filepath.Join(dir, "cchc.yaml"), "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "\r\033[K[1] a 01-march.csv") || !strings.Contains(s, "đang ghi kho") || strings.Contains(s, "level=INFO") {
		t.Errorf("terminal output:\n%q", s)
	}
	r := cchc(t, project(t, e2eSources, ""), nil, "run")
	if !strings.Contains(r.stderr, `level=INFO msg="đã đọc tệp"`) || strings.Contains(r.stderr, "\033[K") {
		t.Errorf("log output:\n%s", r.stderr)
	}
}

// Personal data typed into recognised columns is masked in what the run
// prints and logs, and the summary counts the masked cells per file.
func TestRunSummaryMasksPersonalData(t *testing.T) {
	dir := project(t, e2eSources, "")
	csv := "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Ngày tiếp nhận,Đánh giá\n" +
		"P-1,Cấp giấy phép xây dựng 0903111222,Xây dựng,02/03/2026 08:00,\n" +
		"P-2,Khai sinh,Hộ tịch,02/03/2026 09:00,Lê Thị Hoa Mai\n"
	if err := os.WriteFile(filepath.Join(dir, "exports", "a", "03-pii.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cchc(t, dir, nil, "run")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// Counted by hand: P-1's procedure name (loaded), P-2's rating
	// (quarantined) = 2.
	if !strings.Contains(r.stdout, "dữ liệu cá nhân đã che trong các cột nhận diện được: 2 giá trị (source_files.values_masked): exports/a/03-pii.csv (2)") {
		t.Errorf("summary lacks the masked count:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `dòng 3, cột "Đánh giá" [unknown_rating]: Đánh giá "[họ tên]" (cột "Đánh giá") không nhận diện được`) {
		t.Errorf("summary lacks the masked rejection:\n%s", r.stdout)
	}
	for _, v := range []string{"0903111222", "Lê Thị Hoa Mai", "Hoa Mai"} {
		if strings.Contains(r.stdout+r.stderr, v) {
			t.Errorf("the run printed or logged %q:\n%s\n%s", v, r.stdout, r.stderr)
		}
	}
}

// cchc quarantine --format csv: a CSV Excel opens (UTF-8 BOM, CRLF) with
// one line per quarantined row of the source, in Vietnamese, with the row
// as Excel shows it and the reason code.
func TestQuarantineCSV(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("run: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r := cchc(t, dir, nil, "quarantine", "--source", "a", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("quarantine: %d %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "\uFEFFNguồn,Tệp,Dòng,Cột,Giá trị,Lý do và cách sửa,Mã lý do\r\n") {
		t.Fatalf("no BOM or header: %q", r.stdout[:min(len(r.stdout), 120)])
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\r\n"), "\r\n")
	// 01-march.csv: row 3 (duplicate of row 8), 5 (unknown unit), 6 (bad
	// date), 7 (due before receipt).
	want := []string{
		`a,exports/a/01-march.csv,3,Mã hồ sơ,H41.01-260302-0002,"Mã hồ sơ ""H41.01-260302-0002"" có 2 dòng trong tệp; dòng này bị bỏ qua, giữ dòng cuối (dòng 8): xóa dòng trùng trong tệp xuất",duplicate_in_file`,
		`a,exports/a/01-march.csv,5,Đơn vị tiếp nhận,UBND huyện Thạch Thất,"Đơn vị ""UBND huyện Thạch Thất"" chưa có trong danh mục đơn vị: thêm vào units.csv (mã, tên hoặc tên gọi khác trong cột aliases) hoặc sửa tên trong tệp xuất",unknown_unit`,
		`a,exports/a/01-march.csv,6,Ngày tiếp nhận,31/02/2026,"Không đọc được ngày ""31/02/2026"" (cột ""Ngày tiếp nhận""): ghi theo dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:MM rồi xuất lại",unparseable_date`,
		`a,exports/a/01-march.csv,7,Ngày hẹn trả,03/03/2026 17:00,"Ngày hẹn trả 03/03/2026 17:00 (cột ""Ngày hẹn trả"") trước ngày tiếp nhận 04/03/2026 10:00: sửa một trong hai ngày trong tệp xuất",due_before_received`,
	}
	if len(lines) != len(want)+1 {
		t.Fatalf("%d lines:\n%s", len(lines), r.stdout)
	}
	for i, w := range want {
		if lines[i+1] != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+2, lines[i+1], w)
		}
	}
	if r := cchc(t, dir, nil, "quarantine", "--source", "b", "--format", "csv"); r.code != 0 || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("source b has no quarantined rows: %d %q", r.code, r.stdout)
	}
	if r := cchc(t, dir, nil, "quarantine", "--source", "nope"); r.code != 2 {
		t.Errorf("unknown source: exit %d", r.code)
	}
	if r := cchc(t, dir, nil, "quarantine"); r.code != 0 || !strings.Contains(r.stdout, "(4 dòng cần sửa)") {
		t.Errorf("table: %d %s", r.code, r.stdout)
	}
	// The registry learns Thạch Thất: the next run (no --full-refresh)
	// reads 01-march.csv again, says it recovered row 5, and the list
	// shrinks to three rows.
	f, _ := os.OpenFile(filepath.Join(dir, "units.csv"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,\n")
	f.Close()
	if r := cchc(t, dir, nil, "run"); r.code != 0 || !strings.Contains(r.stdout, "gỡ cách ly 1 dòng: đọc lại 1 tệp") ||
		!strings.Contains(r.stdout, "đọc lại") {
		t.Errorf("run after the registry change: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := cchc(t, dir, nil, "quarantine"); r.code != 0 || !strings.Contains(r.stdout, "(3 dòng cần sửa)") || strings.Contains(r.stdout, "unknown_unit") {
		t.Errorf("after the cure: %d %s", r.code, r.stdout)
	}
}

// cchc explain: the service index of a unit with dossiers, in Vietnamese;
// a unit without a CCHC-index score is a usage error naming it.
func TestExplain(t *testing.T) {
	dir := project(t, e2eSources, "")
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("run: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r := cchc(t, dir, nil, "query", "SELECT period FROM index_scores WHERE unit_code = 'H.BAVI' AND total_score IS NOT NULL AND period LIKE '%-Q%' ORDER BY period LIMIT 1", "--format", "csv")
	period := strings.TrimSpace(strings.TrimPrefix(r.stdout, "period\n"))
	if r.code != 0 || period == "" {
		t.Fatalf("no scored quarter: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "explain", "--unit", "H.BAVI", "--period", period, "--index", "service")
	if r.code != 0 || !strings.Contains(r.stdout, "Chỉ số phục vụ người dân, doanh nghiệp, Quý ") || !strings.Contains(r.stdout, "Điểm từng nhóm chỉ số") {
		t.Errorf("explain service: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "explain", "--unit", "H.BAVI", "--period", "2025")
	if r.code != 2 || !strings.Contains(r.stderr, "không có điểm Chỉ số cải cách hành chính kỳ Năm 2025") {
		t.Errorf("explain par without scores: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// cchc runs shows runs.unpublished, and under the table, in Vietnamese,
// what is still pending: the operator sees what the last runs left
// unpublished and that the next run writes it. A warehouse no run has
// migrated since the upgrade (no runs.unpublished) still lists its runs.
func TestRunsShowsUnpublished(t *testing.T) {
	dir := project(t, e2eSources, "")
	// A file where 2026-03's folder goes: that period's publication fails.
	block := filepath.Join(dir, "out", "2026-03")
	if err := os.MkdirAll(filepath.Dir(block), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(block, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cchc(t, dir, nil, "run"); r.code != 3 {
		t.Fatalf("run: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	const line = "Chưa ghi được bản công bố của kỳ 2026-03; lần chạy sau sẽ tự ghi lại (cột unpublished)."
	steps := []struct {
		name        string
		args        []string
		contains    []string
		notContains []string
	}{
		{"table", []string{"runs"}, []string{"  2026-03\n", line}, nil},
		{"csv", []string{"runs", "--format", "csv"}, nil, []string{"Chưa ghi được"}},
		{"json", []string{"runs", "--format", "json"}, []string{`"unpublished": "2026-03"`}, []string{"Chưa ghi được"}},
	}
	check := func(step string, args, contains, notContains []string) {
		t.Helper()
		r := cchc(t, dir, nil, args...)
		if r.code != 0 {
			t.Errorf("%s: exit %d\n%s%s", step, r.code, r.stdout, r.stderr)
			return
		}
		for _, s := range contains {
			if !strings.Contains(r.stdout, s) {
				t.Errorf("%s: output lacks %q:\n%s", step, s, r.stdout)
			}
		}
		for _, s := range notContains {
			if strings.Contains(r.stdout, s) {
				t.Errorf("%s: output has %q:\n%s", step, s, r.stdout)
			}
		}
	}
	for _, st := range steps {
		check(st.name, st.args, st.contains, st.notContains)
	}
	// DESIGN.md's runs columns in their order, extensions after message.
	header := []string{"run_id", "started_at", "finished_at", "status", "trigger",
		"files_new", "files_failed", "rows_read", "rows_loaded", "rows_quarantined", "rows_superseded", "message", "unpublished"}
	checkCSV := func(step, unpublished string) {
		t.Helper()
		r := cchc(t, dir, nil, "runs", "--format", "csv")
		recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if r.code != 0 || err != nil || len(recs) < 2 {
			t.Fatalf("%s: exit %d, %v, %d records\n%s%s", step, r.code, err, len(recs), r.stdout, r.stderr)
		}
		if strings.Join(recs[0], ",") != strings.Join(header, ",") {
			t.Errorf("%s: header\n%v\nwant\n%v", step, recs[0], header)
		}
		// The first run, the one that failed to publish 2026-03.
		first := recs[len(recs)-1]
		if len(first) != len(header) {
			t.Fatalf("%s: %d fields, want %d: %q", step, len(first), len(header), first)
		}
		last := len(first) - 1
		if first[last] != unpublished || !strings.HasPrefix(first[last-1], "xuất bản kỳ 2026-03:") {
			t.Errorf("%s: unpublished %q, message %q; want %q, xuất bản kỳ 2026-03: ...", step, first[last], first[last-1], unpublished)
		}
	}
	checkCSV("csv", "2026-03")
	// The table's header in the same order.
	if r := cchc(t, dir, nil, "runs"); !regexp.MustCompile(`(?m)^run_id .* message +unpublished\n`).MatchString(r.stdout) {
		t.Errorf("table: unpublished is not the last column after message:\n%s", r.stdout)
	}
	// Cause fixed: the next run writes 2026-03; nothing is pending.
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	check("after the fix", []string{"runs", "--format", "json", "--limit", "1"}, []string{`"unpublished": ""`}, nil)
	check("after the fix, table", []string{"runs"}, []string{"  2026-03\n"}, []string{"Chưa ghi được"})

	// As before migration 0103.
	w, err := warehouse.Open(context.Background(), filepath.Join(dir, "cchc.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`ALTER TABLE runs DROP COLUMN unpublished`); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkCSV("before 0103", "")
}
