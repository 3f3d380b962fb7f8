package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHTTPConfigErrorsWriteNothing: an HTTP source whose url is mistyped,
// does not parse, or carries user:password@, or whose ca_file holds no
// certificate, is a bad config: exit 2, no warehouse, and the token in the
// URL is not echoed, by run as by validate.
func TestHTTPConfigErrorsWriteNothing(t *testing.T) {
	for _, c := range []struct{ name, source, want string }{
		{"scheme", "    url: htps://dvc.example/x.csv?token=SECRET42\n", "http:// hoặc https://"},
		{"escape", "    url: http://127.0.0.1:1/b%zz/x.csv?token=SECRET42\n", "không hợp lệ"},
		{"userinfo", "    url: https://clerk:SECRET42@127.0.0.1:1/x.csv\n", "auth: basic"},
		{"ca_file", "    url: https://127.0.0.1:1/x.csv?token=SECRET42\n    ca_file: ./units.csv\n", "không chứa chứng chỉ PEM"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, e2eSources+"  - name: portal\n    kind: http\n"+c.source, "")
			for _, cmd := range []string{"run", "validate"} {
				r := cchc(t, dir, nil, cmd)
				if r.code != 2 || !strings.Contains(r.stderr+r.stdout, c.want) {
					t.Errorf("%s: exit %d, want 2 with %q\n%s%s", cmd, r.code, c.want, r.stdout, r.stderr)
				}
				if strings.Contains(r.stderr+r.stdout, "SECRET42") {
					t.Errorf("%s: the token is echoed:\n%s%s", cmd, r.stdout, r.stderr)
				}
				if _, err := os.Stat(filepath.Join(dir, "cchc.duckdb")); err == nil {
					t.Errorf("%s: a warehouse was created", cmd)
				}
			}
		})
	}
}

// TestValidateEmptyIndexKeepsTokenOut: cchc validate names an index that
// lists nothing by its URL redacted.
func TestValidateEmptyIndexKeepsTokenOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	dir := project(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.json?access_token=SECRET42\n    index: true\n    retries: 0\n    unit: H.BAVI\n", "")
	r := cchc(t, dir, nil, "validate")
	if strings.Contains(r.stdout+r.stderr, "SECRET42") || !strings.Contains(r.stdout, "access_token=REDACTED") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestScheduleBadURLNotJournalled: the config is edited under a running
// cchc schedule to a mistyped URL with a token; the skipped tick's reason
// reaches the scheduler's log and runs.message without the token.
func TestScheduleBadURLNotJournalled(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	dir := project(t, e2eSources, "schedule: \"@every 1s\"\n")
	cfgPath := filepath.Join(dir, "cchc.yaml")
	good, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	sched := exec.Command(binary, "schedule", "--config", cfgPath)
	stderr, _ := sched.StderrPipe()
	if err := sched.Start(); err != nil {
		t.Fatal(err)
	}
	defer sched.Process.Kill()
	var log strings.Builder
	started, skipped := make(chan struct{}, 64), make(chan struct{}, 64)
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "bắt đầu chạy theo lịch") {
				started <- struct{}{}
			}
			if strings.Contains(sc.Text(), "bỏ qua lần chạy theo lịch") {
				skipped <- struct{}{}
			}
		}
		close(done)
	}()
	// The scheduler has read the good config once it says it started.
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		sched.Process.Kill()
		t.Fatalf("the scheduler did not start:\n%s", log.String())
	}
	bad := strings.Replace(string(good), "sources:\n", "sources:\n  - name: portal\n    kind: http\n    url: htps://dvc.example/x.csv?token=SECRET42\n", 1)
	if err := os.WriteFile(cfgPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case <-skipped:
	case <-time.After(60 * time.Second):
		sched.Process.Kill()
		t.Fatalf("no tick skipped:\n%s", log.String())
	}
	sched.Process.Signal(syscall.SIGTERM)
	sched.Wait()
	<-done
	if strings.Contains(log.String(), "SECRET42") {
		t.Errorf("token in the scheduler's log:\n%s", log.String())
	}
	if err := os.WriteFile(cfgPath, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("next run: %d %s", r.code, r.stderr)
	}
	r := cchc(t, dir, nil, "query", "SELECT count(*) FILTER (WHERE contains(message, 'SECRET42')) AS leaked, count(*) FILTER (WHERE contains(message, 'htps://dvc.example/x.csv?REDACTED')) > 0 AS named FROM runs WHERE status = 'skipped'", "--format", "csv")
	if r.stdout != "leaked,named\n0,true\n" {
		t.Errorf("skipped runs: %q %s", r.stdout, r.stderr)
	}
}
