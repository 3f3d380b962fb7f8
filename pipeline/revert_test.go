package pipeline

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestRevertedFileWins: the latest file wins, even when its bytes are
// those of a version read before. Content is skipped by its hash only
// when it is the current version of its own path or of another one (a
// copy, a renamed export); a version replaced since is a new reading:
// its rows replace the newer version's, its ledger row is the current
// one of its path (ranked by the run that read it again) and its
// quarantined rows are not counted twice.
func TestRevertedFileWins(t *testing.T) {
	const (
		v1Name = "Cấp giấy phép xây dựng"
		v2Name = "Cấp phép SAI"
		march  = "exports/a/01-march.csv"
		copied = "exports/a/05-copy.csv"
	)
	t1 := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	t2, t3, t4 := t1.Add(24*time.Hour), t1.Add(48*time.Hour), t1.Add(72*time.Hour)
	// A step writes version v (1, 2, or 3: broken) of the march export at path, at
	// modification time at; or moves path to to.
	type step struct {
		path string
		v    int
		at   time.Time
		to   string
	}
	tests := []struct {
		name     string
		runs     [][]step
		want     string // procedure_name of H41.01-260302-0001
		wantNew  int    // files read by the last run
		wantPath string // the file version holding the dossier
		files    int64  // current files holding quarantined rows
		readBy   int64  // the run that read the dossier's version, when not the last (or the first, when the last read nothing)
	}{
		// v1, v2, v1 again with a new time: without the fix v1 was
		// skipped as loaded and "Cấp phép SAI" stayed.
		{"reverted", [][]step{{{path: march, v: 1, at: t1}}, {{path: march, v: 2, at: t2}}, {{path: march, v: 1, at: t3}}},
			v1Name, 1, march, 1, 0},
		// Reverted with its old time too (cp -p, a restore from backup):
		// the size-and-time shortcut must not match the replaced version.
		{"reverted with its old time", [][]step{{{path: march, v: 1, at: t1}}, {{path: march, v: 2, at: t2}}, {{path: march, v: 1, at: t1}}},
			v1Name, 1, march, 1, 0},
		// v2 fails whole (no dossier-code column): v1, read again, must
		// not leave its quarantined rows twice.
		{"reverted after a failed version", [][]step{{{path: march, v: 1, at: t1}}, {{path: march, v: 3, at: t2}}, {{path: march, v: 1, at: t3}}},
			v1Name, 1, march, 1, 0},
		// A copy of v1 under a new name after the export moved on to v2
		// (a backup, a rotated export) is not new: v1 was loaded once.
		{"old version copied to a new name", [][]step{{{path: march, v: 1, at: t1}}, {{path: march, v: 2, at: t2}}, {{path: copied, v: 1, at: t3}}},
			v2Name, 0, march, 1, 2},
		// A copy of the current version, skipped, stays skipped when its
		// original moves on: the idle run after reads nothing (review: it
		// came back to life and put v1 back).
		{"copy left behind", [][]step{{{path: march, v: 1, at: t1}}, {{path: copied, v: 1, at: t2}}, {{path: march, v: 2, at: t3}}, {}},
			v2Name, 0, march, 1, 3},
		// A path reverted to bytes another path holds: its own current
		// version (v2) is what it is compared with, so v1 is read again.
		{"reverted to another path's bytes", [][]step{{{path: march, v: 1, at: t1}}, {{path: copied, v: 1, at: t2}}, {{path: copied, v: 2, at: t3}}, {{path: copied, v: 1, at: t4}}},
			v1Name, 1, copied, 2, 0},
		// Still skipped: a copy of the current version under a second
		// name, and an export moved to another name.
		{"current version copied", [][]step{{{path: march, v: 2, at: t1}}, {{path: copied, v: 2, at: t2}}},
			v2Name, 0, march, 1, 0},
		{"moved", [][]step{{{path: march, v: 2, at: t1}}, {{path: march, to: copied}}},
			v2Name, 0, march, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg, reg, w, dir := fixture(t, "  - name: a\n    path: ./exports/a/*.csv\n    unit: H.BAVI\n")
			if err := os.Remove(filepath.Join(dir, "exports/a/02-april.csv")); err != nil {
				t.Fatal(err)
			}
			v1, err := os.ReadFile(filepath.Join(dir, march))
			if err != nil {
				t.Fatal(err)
			}
			body := map[int][]byte{1: v1, 2: bytes.Replace(v1, []byte(v1Name), []byte(v2Name), 1), 3: bytes.Replace(v1, []byte("Mã hồ sơ"), []byte("Ghi chú"), 1)}
			var first int64 // quarantined rows after the first run
			var sum *Summary
			for i, r := range tc.runs {
				for _, s := range r {
					p := filepath.Join(dir, s.path)
					if s.to != "" {
						if err := os.Rename(p, filepath.Join(dir, s.to)); err != nil {
							t.Fatal(err)
						}
						continue
					}
					if err := os.WriteFile(p, body[s.v], 0o644); err != nil {
						t.Fatal(err)
					}
					if err := os.Chtimes(p, s.at, s.at); err != nil {
						t.Fatal(err)
					}
				}
				if sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = scalar[int64](t, w, `SELECT count(*) FROM quarantine`)
				}
			}
			if got := scalar[string](t, w, `SELECT procedure_name FROM dossiers WHERE dossier_code = 'H41.01-260302-0001'`); got != tc.want {
				t.Errorf("procedure_name %q, want %q", got, tc.want)
			}
			if len(sum.Files) != tc.wantNew {
				t.Errorf("last run read %d files, want %d", len(sum.Files), tc.wantNew)
			}
			// The dossier's version is its path's current ledger row, and
			// that row is the last run's reading when the run read it.
			last := int64(len(tc.runs))
			if tc.wantNew == 0 {
				last = 1
			}
			if tc.readBy != 0 {
				last = tc.readBy
			}
			q := `SELECT count(*) FROM dossiers d JOIN source_files f ON f.source = d.source AND f.path = d.source_file AND f.file_sha256 = d.file_sha256
				WHERE d.dossier_code = 'H41.01-260302-0001' AND f.path LIKE '%' || ? AND f.status = 'loaded' AND f.first_run_id = ? AND f.last_run_id = ?
				AND f.last_run_id = (SELECT max(g.last_run_id) FROM source_files g WHERE g.path = f.path)`
			if n := scalar[int64](t, w, q, filepath.Base(tc.wantPath), last, last); n != 1 {
				t.Errorf("the dossier's version is not the current ledger row of %s read by run %d", tc.wantPath, last)
			}
			// Every ledger row reconciles; each current file's quarantined
			// rows are those of one reading (v1 and v2 quarantine the same
			// rows).
			if n := scalar[int64](t, w, `SELECT count(*) FROM source_files WHERE status = 'loaded'
				AND rows_read <> rows_loaded + rows_quarantined + rows_superseded`); n != 0 {
				t.Errorf("%d ledger rows do not reconcile", n)
			}
			if got := scalar[int64](t, w, `SELECT count(*) FROM quarantine`); got != tc.files*first || first == 0 {
				t.Errorf("%d quarantined rows, want %d × %d of the first run (not 0)", got, tc.files, first)
			}
		})
	}
}

// TestRevertedFileRetriedKeepsItsPlace: a version read again (reverted)
// ranks among the files by the run that read it again, also when it is
// retried later. March v1 (run 1), then March v2 and April (run 2, both
// carrying 0001), then March back to v1 (run 3): 0001 comes from March.
// Run 4 learns Thạch Thất, so both files are retried: March's reading of
// run 3 is newer than April's of run 2 and keeps 0001. Without the fix
// March ranked by run 1 and April's 0001 took over.
func TestRevertedFileRetriedKeepsItsPlace(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, "  - name: a\n    path: ./exports/a/*.csv\n    unit: H.BAVI\n")
	march := filepath.Join(dir, "exports/a/01-march.csv")
	april := filepath.Join(dir, "exports/a/02-april.csv")
	hidden := filepath.Join(dir, "02-april.csv.later")
	t1 := time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)
	// April gets a row of the unknown unit too, so that run 4 retries it.
	appendFile(t, april, "H41.01-260401-0008;UBND huyện Thạch Thất;Đăng ký khai sinh;Hộ tịch;1;01/04/2026 08:00;02/04/2026 17:00;;Đang xử lý\n", t1)
	if err := os.Rename(april, hidden); err != nil {
		t.Fatal(err)
	}
	v1, err := os.ReadFile(march)
	if err != nil {
		t.Fatal(err)
	}
	v2 := bytes.Replace(v1, []byte("Cấp giấy phép xây dựng"), []byte("Cấp phép SAI"), 1)
	put := func(b []byte, at time.Time) {
		if err := os.WriteFile(march, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(march, at, at); err != nil {
			t.Fatal(err)
		}
	}
	run := func() {
		t.Helper()
		if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
			t.Fatal(err)
		}
	}
	from := func() string {
		return filepath.Base(scalar[string](t, w, `SELECT source_file FROM dossiers WHERE dossier_code = 'H41.01-260302-0001'`))
	}
	put(v1, t1)
	run()
	put(v2, t1.Add(time.Hour))
	if err := os.Rename(hidden, april); err != nil {
		t.Fatal(err)
	}
	run()
	put(v1, t1.Add(2*time.Hour))
	run()
	if got := from(); got != "01-march.csv" {
		t.Fatalf("after March reverted 0001 comes from %s", got)
	}
	appendFile(t, filepath.Join(dir, "units.csv"), "H.THACHTHAT,UBND huyện Thạch Thất,district,,,,,\n", time.Now())
	cfg, reg = reload(t, cfg.File)
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Retried != 2 {
		t.Errorf("%d files retried, want 2 (March and April)", sum.Retried)
	}
	if got := from(); got != "01-march.csv" {
		t.Errorf("after the retry 0001 comes from %s, want 01-march.csv (read again in run 3, after April's run 2)", got)
	}
}

// One night march's download fails (HTTP 500). The ledger's row of that
// failure ("unavailable": its content unknown) is no version of march, so
// the next night the unchanged march export is march's current version
// and is skipped; 0001 keeps coming from april (review: the failure made
// march look replaced, it was read again as new and its older 0001
// replaced april's).
func TestTransientFailureKeepsCurrentVersion(t *testing.T) {
	march, _ := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	april, _ := os.ReadFile("testdata/e2e/exports/a/02-april.csv")
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/index.txt":
			w.Write([]byte("march.csv\napril.csv\n"))
		case r.URL.Path == "/march.csv":
			if down.Load() {
				http.Error(w, "busy", 500)
				return
			}
			w.Header().Set("Content-Type", "text/csv")
			w.Write(march)
		case r.URL.Path == "/april.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write(april)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n")
	from := func() string {
		return scalar[string](t, w, `SELECT source_file FROM dossiers WHERE dossier_code = 'H41.01-260302-0001'`)
	}
	run := func() *Summary {
		s, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	run()
	before := from()
	t.Logf("0001 from %s", before)
	down.Store(true)
	run()
	down.Store(false)
	s := run()
	var read []string
	for _, f := range s.Files {
		read = append(read, f.Path+":"+f.Status)
	}
	if got := from(); got != before {
		t.Errorf("after a transient failure of march, 0001 comes from %s (was %s); files read: %v", got, before, read)
	}
}

// An HTTP export that failed for its content (no dossier-code column) and
// has not changed is skipped as still failed by the next run, as a local
// file is by its size and time: it was downloaded and failed again every
// run (review).
func TestHTTPContentFailureWaits(t *testing.T) {
	march, _ := os.ReadFile("testdata/e2e/exports/a/01-march.csv")
	bad := bytes.Replace(march, []byte("Mã hồ sơ"), []byte("Ghi chú"), 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("ETag", `"bad1"`)
		if r.Header.Get("If-None-Match") == `"bad1"` {
			w.WriteHeader(304)
			return
		}
		w.Write(bad)
	}))
	defer srv.Close()
	cfg, reg, w, _ := fixture(t, "  - name: portal\n    kind: http\n    url: "+srv.URL+"/march.csv\n    retries: 0\n    unit: H.BAVI\n")
	for i := 0; i < 2; i++ {
		sum, err := Run(context.Background(), cfg, w, reg, Options{NoPublish: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: files %d unchanged %d stillFailed %d", i+1, len(sum.Files), sum.Unchanged, sum.StillFailed)
		if i == 1 && sum.StillFailed != 1 {
			t.Errorf("run 2: unchanged failed export read again (files %d), want skipped as still failed", len(sum.Files))
		}
	}
}
