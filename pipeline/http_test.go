package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// An HTTP source end to end: an index document lists the exports; the
// second run asks with the stored validators and downloads nothing; when
// the server fails, the run is partial and the ledger says why.
func TestHTTPSourceRun(t *testing.T) {
	var failing atomic.Bool
	var downloads atomic.Int32
	files := http.FileServer(http.Dir("testdata/e2e/exports/a"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/index.txt" {
			w.Write([]byte("01-march.csv?key=SECRET1\n02-april.csv\n"))
			return
		}
		if r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") == "" {
			downloads.Add(1)
		}
		w.Header().Set("ETag", `"`+filepath.Base(r.URL.Path)+`"`)
		if r.Header.Get("If-None-Match") == `"`+filepath.Base(r.URL.Path)+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n"+
		"  - name: b\n    path: ./exports/b/*.json\n")
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Run.Status != "succeeded" || sum.Run.RowsLoaded != 6 {
		t.Fatalf("first run: %v %+v", err, sum.Run)
	}
	if downloads.Load() != 2 {
		t.Errorf("%d downloads", downloads.Load())
	}
	// A credential in an export URL is not stored.
	var leaks int
	w.DB().QueryRow(`SELECT (SELECT count(*) FROM source_files WHERE contains(path, 'SECRET1'))
		+ (SELECT count(*) FROM dossiers WHERE contains(source_file, 'SECRET1'))
		+ (SELECT count(*) FROM source_files WHERE contains(path, 'key=REDACTED'))`).Scan(&leaks)
	if leaks != 1 {
		t.Errorf("want exactly the one redacted path, got %d matches", leaks)
	}
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Run.FilesNew != 0 || sum.Unchanged != 3 || downloads.Load() != 2 {
		t.Errorf("second run downloaded again: %v %+v downloads %d", err, sum.Run, downloads.Load())
	}
	failing.Store(true)
	cfg.Freshness = time.Millisecond
	time.Sleep(5 * time.Millisecond)
	sum, err = Run(ctx, cfg, w, reg, Options{})
	if err != nil || sum.Run.Status != "partial" || sum.ExitCode() != ExitPartial || !strings.Contains(sum.Run.Message, "503") {
		t.Errorf("failing server: %v %+v", err, sum.Run)
	}
	var okSource, badErr string
	w.DB().QueryRow(`SELECT (SELECT string_agg(source, ',') FROM source_status WHERE last_error IS NULL),
		(SELECT last_error FROM source_status WHERE source = 'portal')`).Scan(&okSource, &badErr)
	if okSource != "b" || !strings.Contains(badErr, "503") {
		t.Errorf("source_status: ok %q, portal error %q", okSource, badErr)
	}
	// The last success of the failing source stays at its last good run.
	var success, attempt string
	w.DB().QueryRow(`SELECT last_success_at::VARCHAR, last_attempt_at::VARCHAR FROM source_status WHERE source = 'portal'`).Scan(&success, &attempt)
	if success == "" || success == attempt {
		t.Errorf("portal last success %q, last attempt %q", success, attempt)
	}
	// The current rankings were republished. Staleness comes from the data
	// each unit delivered, not from whether its source answered: with
	// freshness 1ms both units' data (March and April 2026) is older than
	// the running year's "as of", the failing source's unit and the
	// healthy one's alike, each with the date its own data reaches.
	if !sum.Modelled || len(sum.Published) == 0 {
		t.Fatalf("the failing run did not republish: modelled %v, %d files", sum.Modelled, len(sum.Published))
	}
	var district, department string
	for _, f := range sum.Published {
		b, _ := os.ReadFile(f)
		if filepath.Base(filepath.Dir(f)) != "2026" {
			continue
		}
		switch filepath.Base(f) {
		case "ranking-district.csv":
			district = string(b)
		case "ranking-department.csv":
			department = string(b)
		}
	}
	if !strings.Contains(district, "dữ liệu đến ngày") {
		t.Errorf("the failing source's unit is not marked stale:\n%s", district)
	}
	if !strings.Contains(department, "dữ liệu đến ngày 10/03/2026") {
		t.Errorf("the unit whose data ends 10/03/2026 is not marked stale with that date:\n%s", department)
	}
}

// --full-refresh rebuilds from all files: same dossiers, the ledger redone.
func TestFullRefresh(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, goodSources)
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, w)
	w.DB().Exec(`UPDATE dossiers SET status = 'tampered'`)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, FullRefresh: true})
	if err != nil || sum.Run.FilesNew != 3 {
		t.Fatalf("full refresh: %v %+v", err, sum.Run)
	}
	var tampered int
	w.DB().QueryRow(`SELECT count(*) FROM dossiers WHERE status = 'tampered'`).Scan(&tampered)
	if tampered != 0 {
		t.Errorf("%d dossiers not rebuilt", tampered)
	}
	after := fingerprint(t, w)
	// Same content apart from provenance (run_id, loaded_at, first_run_id).
	if strings.Split(before, " ")[0][:len("dossiers:6")] != strings.Split(after, " ")[0][:len("dossiers:6")] {
		t.Errorf("dossier count changed: %s vs %s", before, after)
	}
	if s, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, FullRefresh: true, Sources: []string{"a"}}); err == nil {
		t.Errorf("--full-refresh with --source accepted: %+v", s.Run)
	}
}

// An HTTP export with rows of an unknown unit is downloaded again, without
// its validators, on the run after the registry learns the unit; the other
// export is not.
func TestHTTPRetryAfterRegistryChange(t *testing.T) {
	var downloads atomic.Int32
	files := http.FileServer(http.Dir("testdata/e2e/exports/a"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/index.txt" {
			w.Write([]byte("01-march.csv?key=SECRET1\n02-april.csv\n"))
			return
		}
		w.Header().Set("ETag", `"`+filepath.Base(r.URL.Path)+`"`)
		if r.Header.Get("If-None-Match") == `"`+filepath.Base(r.URL.Path)+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		downloads.Add(1)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n")
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, "units.csv"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,\n")
	f.Close()
	cfg, reg = reload(t, cfg.File)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil || sum.Retried != 1 || sum.Recovered != 1 || downloads.Load() != 3 {
		t.Errorf("run after the registry change: %v retried %d recovered %d downloads %d %+v", err, sum.Retried, sum.Recovered, downloads.Load(), sum.Run)
	}
	if n := scalar[int](t, w, `SELECT count(*) FROM dossiers WHERE unit_code = 'H.THACHTHAT'`); n != 1 {
		t.Errorf("%d Thạch Thất dossiers", n)
	}
}
