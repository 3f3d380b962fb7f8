package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
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
