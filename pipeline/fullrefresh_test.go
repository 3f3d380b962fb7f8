package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// A full refresh empties the dossiers, the quarantine and the ledger and
// loads every file again. When a source cannot be read whole (here an HTTP
// source passing its deadline on its second file), committing would leave
// that file's dossiers out until a later run; the refresh fails instead and
// the warehouse stays as it was. (Found by the final review of this
// session: the refresh committed "partial" with 3 of 6 dossiers.)
func TestFullRefreshRefusesAnIncompleteRead(t *testing.T) {
	march, err := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	if err != nil {
		t.Fatal(err)
	}
	var slow atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/index.txt":
			fmt.Fprint(w, "first.csv\nsecond.csv\ndead.csv\n")
		case "/dead.csv":
			// A dead link in the server's index: it never loaded, so a
			// refresh loses nothing by it and must not wait for it.
			http.NotFound(w, r)
		case "/first.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write(march)
		default:
			w.Header().Set("Content-Type", "text/csv")
			if slow.Load() {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(10 * time.Second):
				}
			}
			// The same rows under other dossier codes (H4… → Z4…).
			w.Write([]byte(strings.ReplaceAll(string(march), "H4", "Z4")))
		}
	}))
	defer srv.Close()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n"+
		"    timeout: 30s\n    retries: 0\n    deadline: 1s\n    unit: H.BAVI\n")
	w.Close()
	state := func() (dossiers, files int, status string) {
		w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := w.DB().QueryRow(`SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM source_files),
			(SELECT status FROM runs ORDER BY run_id DESC LIMIT 1)`).Scan(&dossiers, &files, &status); err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, err := Batch(context.Background(), cfg, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	// 01-march.csv holds 3 valid dossiers; second.csv the same 3 under
	// other codes: 6 dossiers from 2 files loaded, dead.csv failed (3
	// ledger rows).
	d1, f1, _ := state()
	if d1 != 6 || f1 != 3 {
		t.Fatalf("first run: %d dossiers, %d ledger rows; want 6 and 3", d1, f1)
	}
	slow.Store(true)
	_, err = Batch(context.Background(), cfg, reg, Options{NoPublish: true, FullRefresh: true})
	if err == nil || !strings.Contains(err.Error(), "--full-refresh dừng, không ghi gì") || !strings.Contains(err.Error(), "nguồn portal") {
		t.Errorf("full refresh past the deadline: err %v, want the refresh refused naming source portal", err)
	}
	if d, f, status := state(); d != 6 || f != 3 || status != "failed" {
		t.Errorf("after the refused refresh: %d dossiers, %d ledger rows, run %s; want 6, 3, failed (nothing written)", d, f, status)
	}
	slow.Store(false)
	if _, err := Batch(context.Background(), cfg, reg, Options{NoPublish: true, FullRefresh: true}); err != nil {
		t.Fatalf("full refresh with every file readable: %v", err)
	}
	// The dead link still fails (partial), and does not stop the refresh.
	if d, f, status := state(); d != 6 || f != 3 || status != "partial" {
		t.Errorf("after the refresh: %d dossiers, %d ledger rows, run %s; want 6, 3, partial", d, f, status)
	}
}

// A share not mounted often leaves its mount point as an empty folder: the
// source lists no file although it loaded files before. A full refresh
// would delete its dossiers; it is refused (found by a review of this
// session's fixes: the refresh succeeded with 0 dossiers of the source).
func TestFullRefreshRefusesAnEmptyMount(t *testing.T) {
	cfg, reg, w, dir := fixture(t, goodSources)
	w.Close()
	count := func() (d int, s string) {
		w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		w.DB().QueryRow(`SELECT (SELECT count(*) FROM dossiers WHERE unit_code='H.BAVI'), (SELECT status||' '||coalesce(message,'') FROM runs ORDER BY run_id DESC LIMIT 1)`).Scan(&d, &s)
		return
	}
	if _, err := Batch(context.Background(), cfg, reg, Options{NoPublish: true}); err != nil {
		t.Log(err)
	}
	d1, _ := count()
	// the share is unmounted: its mount point is an empty folder
	ms, _ := filepath.Glob(filepath.Join(dir, "exports/a/*"))
	for _, m := range ms {
		os.Remove(m)
	}
	_, err := Batch(context.Background(), cfg, reg, Options{NoPublish: true, FullRefresh: true})
	d2, s := count()
	if d1 == 0 || d2 != d1 || !strings.HasPrefix(s, "failed --full-refresh dừng") || !strings.Contains(s, "nguồn a (không có tệp nào") {
		t.Errorf("full refresh with source a's folder empty: %d -> %d dossiers of a, err %v, run %q; want them kept and the run failed naming source a", d1, d2, err, s)
	}
}
