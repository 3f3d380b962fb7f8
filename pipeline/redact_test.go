package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmt"
	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/internal/testfixture"
	"github.com/cchc/cchc/units"
	"sync/atomic"
	"time"
)

// indexServer serves testdata/e2e/exports/a as dl?fileKey=march and
// dl?fileKey=april, listed by /index.txt: two exports whose URLs differ
// only in a value Redact hides.
func indexServer(t *testing.T, listing string) *httptest.Server {
	t.Helper()
	march, err := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	if err != nil {
		t.Fatal(err)
	}
	april, err := os.ReadFile("testdata/e2e/exports/a/02-april.csv")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		switch {
		case r.URL.Path == "/index.txt":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(listing))
		case r.URL.Query().Get("fileKey") == "march":
			w.Write(march)
		case r.URL.Query().Get("fileKey") == "april":
			w.Write(april)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRedactedPathsStayDistinct: dl?fileKey=march and dl?fileKey=april are
// two files in the ledger, both loaded, and unchanged on the next run.
// Counts by hand: 01-march.csv has 7 rows: 4 are quarantined (0002's
// first row, a second row of one code; 0004, an unknown unit; 0005, 31/02;
// 0006, a deadline before receipt), 0001 is superseded by april's 0001,
// 0003 and 0002 load: 7 = 2 + 4 + 1; 02-april.csv has 2 rows, 0001 and
// 0007, both load: 2 = 2 + 0 + 0. The dossiers are 0001 (april's), 0002,
// 0003 and 0007. Before the fix both were dl?fileKey=REDACTED and nothing
// loaded.
func TestRedactedPathsStayDistinct(t *testing.T) {
	srv := indexServer(t, "dl?fileKey=march\ndl?fileKey=april\n")
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n")
	for run := 1; run <= 2; run++ {
		sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
		if err != nil || sum.Run.Status != "succeeded" {
			t.Fatalf("run %d: %v %+v", run, err, sum.Run)
		}
		if run == 1 && (sum.Run.FilesNew != 2 || sum.Run.RowsRead != 9 || sum.Run.RowsLoaded != 4 || sum.Run.RowsQuarantined != 4 || sum.Run.RowsSuperseded != 1) {
			t.Errorf("run 1: %+v", sum.Run)
		}
		if run == 2 && (sum.Run.FilesNew != 0 || sum.Unchanged != 2) {
			t.Errorf("run 2 read again: %+v unchanged %d", sum.Run, sum.Unchanged)
		}
		if n := scalar[int64](t, w, `SELECT count(DISTINCT path) FROM source_files WHERE status = 'loaded' AND contains(path, 'fileKey=REDACTED-')`); n != 2 {
			t.Errorf("run %d: %d distinct loaded paths, want 2", run, n)
		}
		if n := scalar[string](t, w, `SELECT string_agg(dossier_code, ' ' ORDER BY dossier_code) FROM dossiers`); n != "H41.01-260302-0001 H41.01-260302-0002 H41.01-260303-0003 H41.01-260401-0007" {
			t.Errorf("run %d: dossiers %s", run, n)
		}
		if n := scalar[int64](t, w, `SELECT count(*) FROM source_files WHERE contains(path, 'march') OR contains(path, 'april')`); n != 0 {
			t.Errorf("run %d: a redacted value is stored", run)
		}
	}
}

// TestRedactedPathUpgrade: a warehouse written before redacted values got
// their digest holds dl?fileKey=REDACTED; after the upgrade the same
// export is named dl?fileKey=REDACTED-<digest>, a path the ledger does not
// know. Its content is loaded already, so it is skipped by its hash, not
// loaded twice.
func TestRedactedPathUpgrade(t *testing.T) {
	srv := indexServer(t, "dl?fileKey=march\n")
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n")
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	// What the earlier version stored.
	for _, q := range []string{
		`UPDATE source_files SET path = regexp_replace(path, 'REDACTED-[0-9a-f]+', 'REDACTED')`,
		`UPDATE dossiers SET source_file = regexp_replace(source_file, 'REDACTED-[0-9a-f]+', 'REDACTED')`,
		`UPDATE quarantine SET source_file = regexp_replace(source_file, 'REDACTED-[0-9a-f]+', 'REDACTED')`,
	} {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	dossiers := scalar[int64](t, w, `SELECT count(*) FROM dossiers`)
	quarantined := scalar[int64](t, w, `SELECT count(*) FROM quarantine`)
	for run := 1; run <= 2; run++ {
		sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
		if err != nil || sum.Run.Status != "succeeded" || sum.Run.FilesNew != 0 || sum.Run.RowsRead != 0 || sum.Unchanged != 1 {
			t.Errorf("run %d after the upgrade: %v %+v unchanged %d", run, err, sum.Run, sum.Unchanged)
		}
		if n := scalar[int64](t, w, `SELECT count(*) FROM dossiers`); n != dossiers {
			t.Errorf("run %d after the upgrade: %d dossier rows, %d before", run, n, dossiers)
		}
		if n := scalar[int64](t, w, `SELECT count(*) FROM quarantine`); n != quarantined {
			t.Errorf("run %d after the upgrade: %d quarantined rows, %d before", run, n, quarantined)
		}
	}
}

// TestEmptyIndexKeepsTokenOut: an index that lists no file is reported
// (log, warning, cchc validate) by its URL, redacted: the token in its
// query reaches neither the log nor the warehouse nor the check.
func TestEmptyIndexKeepsTokenOut(t *testing.T) {
	const token = "SECRETTOKEN123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	dir := testfixture.Copy(t, "testdata/e2e")
	yaml := "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n  - name: portal\n    kind: http\n    url: " + srv.URL +
		"/index.json?access_token=" + token + "\n    index: true\n    retries: 0\n    unit: H.BAVI\n"
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	sum, err := Batch(context.Background(), cfg, reg, Options{NoPublish: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil || len(sum.Warnings) == 0 {
		t.Fatalf("%v, warnings %v", err, sum.Warnings)
	}
	if !strings.Contains(logs.String(), "access_token=REDACTED") {
		t.Errorf("the log does not name the index:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) || strings.Contains(strings.Join(sum.Warnings, "\n"), token) {
		t.Errorf("token in the log or warnings:\n%s\n%v", logs.String(), sum.Warnings)
	}
	if b, _ := os.ReadFile(cfg.Warehouse); bytes.Contains(b, []byte(token)) {
		t.Errorf("token in the warehouse")
	}
	checks, err := Check(context.Background(), cfg, reg, nil)
	if err != nil || len(checks) != 1 || len(checks[0].Files) != 0 {
		t.Fatalf("check: %v %+v", err, checks)
	}
	if strings.Contains(checks[0].Where, token) || !strings.Contains(checks[0].Where, "access_token=REDACTED") {
		t.Errorf("check names the source by %s", checks[0].Where)
	}
}

// An index whose links carry a session token fresh at every listing
// (dl?file=march&token=<fresh>) keeps one ledger name per file
// (token=REDACTED): a registry change retries the file and cures its
// unknown_unit rows (review: with a digest of the token, the name changed
// every run and the rows were never cured).
func TestSessionTokenLinksKeepTheirName(t *testing.T) {
	march, _ := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/index.txt" {
			fmt.Fprintf(w, "dl?file=march&token=sess%d\n", n.Add(1))
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write(march)
	}))
	defer srv.Close()
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n")
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	unknown := scalar[int64](t, w, `SELECT count(*) FROM quarantine WHERE reason_code = 'unknown_unit'`)
	appendFile(t, filepath.Join(dir, "units.csv"), "H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,\n", time.Now())
	cfg, reg = reload(t, cfg.File)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	after := scalar[int64](t, w, `SELECT count(*) FROM quarantine WHERE reason_code = 'unknown_unit'`)
	if unknown == 0 || after != 0 || sum.Retried != 1 {
		t.Errorf("unknown_unit rows %d -> %d, retried %d (want cured by the registry change)", unknown, after, sum.Retried)
	}
}

// An index whose links carry a fresh session token in a query net/url
// refuses (';' between parameters, a broken '%' escape) keeps the token out
// of the warehouse and one ledger name per file: the second run finds both
// files unchanged. Before the fix the links were stored whole, token and
// all, and each listing's fresh token made them new files.
func TestRefusedQueryLinksRedacted(t *testing.T) {
	march, _ := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	april, _ := os.ReadFile("testdata/e2e/exports/a/02-april.csv")
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/index.txt" {
			k := n.Add(1)
			fmt.Fprintf(w, "dl?file=march;token=SECRETSESS%d\ndl?file=april&token=SECRETSESS%d%%zz\n", k, k)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		if strings.Contains(r.URL.RawQuery, "file=april") {
			w.Write(april)
			return
		}
		w.Write(march)
	}))
	defer srv.Close()
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n")
	for run := 1; run <= 2; run++ {
		sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
		if err != nil || sum.Run.Status != "succeeded" {
			t.Fatalf("run %d: %v %+v", run, err, sum.Run)
		}
		if run == 2 && (sum.Run.FilesNew != 0 || sum.Unchanged != 2) {
			t.Errorf("run 2 read again: %+v unchanged %d", sum.Run, sum.Unchanged)
		}
		if got := scalar[string](t, w, `SELECT string_agg(DISTINCT path, ' ' ORDER BY path) FROM source_files`); got != srv.URL+"/dl?file=april&token=REDACTED "+srv.URL+"/dl?file=march;token=REDACTED" {
			t.Errorf("run %d: paths %s", run, got)
		}
		if n := scalar[int64](t, w, `SELECT (SELECT count(*) FROM source_files WHERE contains(path || coalesce(error, ''), 'SECRETSESS'))
			+ (SELECT count(*) FROM dossiers WHERE contains(source_file, 'SECRETSESS'))
			+ (SELECT count(*) FROM quarantine WHERE contains(source_file, 'SECRETSESS'))
			+ (SELECT count(*) FROM runs WHERE contains(message, 'SECRETSESS'))`); n != 0 {
			t.Errorf("run %d: %d rows hold the session token", run, n)
		}
	}
}
