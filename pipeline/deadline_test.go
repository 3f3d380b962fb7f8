package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// A server that lists ten exports and then trickles each of them, a byte
// every 50ms, holds a run without deadline for 10 links × 4 attempts × the
// 30s timeout = 20 minutes, under the writer lock. With deadline: 3s the
// source fails 3s after its start: the run ends in seconds, partial (exit
// 3), source_status names the deadline, the export downloaded before it
// (01-march.csv, 3 dossiers) is loaded, no link cut off is in the ledger,
// the other source loads, the cut-off download is removed, and the writer
// lock is free at once. Without the deadline the run is still downloading
// when the test's 25s are up.
func TestHTTPSourceDeadline(t *testing.T) {
	march, err := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/index.txt":
			fmt.Fprint(w, "01-march.csv\n")
			for i := 1; i <= 10; i++ {
				fmt.Fprintf(w, "slow-%02d.csv\n", i)
			}
		case "/01-march.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write(march)
		default:
			w.Header().Set("Content-Type", "text/csv")
			for i := 0; i < 1200; i++ {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
	}))
	defer srv.Close()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt?token=SECRET42\n    index: true\n"+
		"    timeout: 30s\n    retries: 3\n    deadline: 3s\n    unit: H.BAVI\n  - name: b\n    path: ./exports/b/*.json\n")
	if cfg.Sources[0].Deadline != 3*time.Second {
		t.Fatalf("deadline %v, want 3s", cfg.Sources[0].Deadline)
	}
	w.Close() // Batch opens the warehouse itself, under the lock
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	start := time.Now()
	sum, err := Batch(ctx, cfg, reg, Options{NoPublish: true})
	took := time.Since(start)
	t.Logf("the run took %v", took)
	if err != nil {
		t.Fatalf("run after %v: %v", took, err)
	}
	// 3s of deadline, then the commit; far from the 20 minutes.
	if took > 15*time.Second {
		t.Errorf("the run took %v with deadline 3s", took)
	}
	if sum.Run.Status != "partial" || sum.ExitCode() != ExitPartial {
		t.Errorf("run %s, exit %d, want partial, %d: %s", sum.Run.Status, sum.ExitCode(), ExitPartial, sum.Run.Message)
	}
	if len(sum.SourceErrors) != 1 || sum.SourceErrors[0].Source != "portal" {
		t.Fatalf("source errors %+v, want portal's alone", sum.SourceErrors)
	}
	msg := sum.SourceErrors[0].Err.Error()
	for _, want := range []string{"nguồn portal: quá thời hạn 3s (deadline)", "dừng khi đang tải tệp " + srv.URL + "/slow-01.csv rồi", "Địa chỉ của nguồn: " + srv.URL + "/index.txt?token=REDACTED"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg+sum.Run.Message, "SECRET42") {
		t.Errorf("the token is shown: %q", msg)
	}
	// The download cut off is removed (it may hold personal data).
	if left, _ := filepath.Glob(filepath.Join(warehouse.DownloadDir(cfg.Warehouse), "*")); len(left) > 0 {
		t.Errorf("downloads left: %v", left)
	}
	// The writer lock is free: another writer takes it without waiting.
	lock, err := warehouse.AcquireLock(context.Background(), cfg.Warehouse, 0, warehouse.Holder{PID: os.Getpid(), Command: "test"})
	if err != nil {
		t.Fatalf("the writer lock is still held: %v", err)
	}
	lock.Release()
	w, err = warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var portalErr, okSources string
	var march3, slow int
	var leaks int
	w.DB().QueryRow(`SELECT (SELECT last_error FROM source_status WHERE source = 'portal'),
		(SELECT string_agg(source, ',') FROM source_status WHERE last_error IS NULL),
		(SELECT count(*) FROM dossiers WHERE source_file LIKE '%/01-march.csv'),
		(SELECT count(*) FROM source_files WHERE path LIKE '%/slow-%'),
		(SELECT count(*) FROM source_status WHERE contains(last_error, 'SECRET42'))`).Scan(&portalErr, &okSources, &march3, &slow, &leaks)
	if !strings.Contains(portalErr, "quá thời hạn 3s") || okSources != "b" || leaks != 0 {
		t.Errorf("source_status: portal %q, ok %q, token in %d", portalErr, okSources, leaks)
	}
	// 01-march.csv has 3 dossiers; the links cut off are not recorded (the
	// next run fetches them again).
	if march3 != 3 || slow != 0 {
		t.Errorf("01-march.csv: %d dossiers, want 3; %d slow links in the ledger, want 0", march3, slow)
	}
	// cchc validate stops the source at its deadline too, with the
	// file it was fetching, instead of trying each link after it.
	w.Close()
	start = time.Now()
	checks, err := Check(ctx, cfg, reg, []string{"portal"})
	if err != nil || len(checks) != 1 {
		t.Fatalf("validate: %v, %d sources", err, len(checks))
	}
	files := checks[0].Files
	if took := time.Since(start); took > 15*time.Second || len(files) != 2 || files[0].Err != nil ||
		files[1].Err == nil || !strings.Contains(files[1].Err.Error(), "quá thời hạn 3s") {
		t.Errorf("validate took %v, checked %d files: %+v", took, len(files), files)
	}
}
