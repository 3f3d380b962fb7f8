package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/transforms"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512MB", 512e6, true}, {"1GB", 1e9, true}, {"1.5 GiB", 3 << 29, true}, {"128MiB", 128 << 20, true},
		{"100 KB", 100e3, true}, {"", 0, false}, {"512", 0, false}, {"lots", 0, false}, {"-1GB", 0, false},
	} {
		got, ok := parseSize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseSize(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// A direct load appends under a memory_limit of 64 MiB a thread (at least
// 128 MiB) and gives the configured one back before the merge (and on
// Close, when nothing is committed); a configured limit already as low
// is left alone.
func TestDirectLoadMemoryLimit(t *testing.T) {
	ctx := context.Background()
	april := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		configured string
		lowered    bool
	}{{"4GB", true}, {"", true}, {"100MB", false}} {
		w, err := Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), Options{MemoryLimit: c.configured})
		if err != nil {
			t.Fatal(err)
		}
		setting := func() string {
			t.Helper()
			var v string
			if err := w.DB().QueryRow(`SELECT current_setting('memory_limit')`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		var threads int64
		if err := w.DB().QueryRow(`SELECT CAST(current_setting('threads') AS BIGINT)`).Scan(&threads); err != nil {
			t.Fatal(err)
		}
		configured := setting()
		for _, commit := range []bool{true, false} {
			st := loadOneRow(t, w, april)
			var during string
			if err := st.conn.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&during); err != nil {
				t.Fatal(err)
			}
			want := configured
			if c.lowered {
				// max(128 MiB, 64 MiB a thread), as DuckDB prints it.
				want = printedLimit(t, fmt.Sprintf("%dMiB", max(int64(128), 64*threads)))
			}
			if during != want {
				t.Errorf("memory_limit %q: %s while appending, want %s (configured %s)", c.configured, during, want, configured)
			}
			if commit {
				commitOneRow(t, st, april)
			}
			st.Close()
			if got := setting(); got != configured {
				t.Errorf("memory_limit %q: %s after the run (commit %v), want %s", c.configured, got, commit, configured)
			}
		}
		w.Close()
	}
}

// The Go heap's soft limit is goStageLimit while a direct load appends,
// raised by the key hashes it keeps, and back to what it was after a
// commit, after a rollback, and when the operator set GOMEMLIMIT, never
// touched.
func TestDirectLoadGoMemoryLimit(t *testing.T) {
	ctx := context.Background()
	april := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	const before = 3 << 30
	prev := debug.SetMemoryLimit(before)
	defer debug.SetMemoryLimit(prev)
	for _, c := range []struct {
		env    string
		commit bool
	}{{"", true}, {"", false}, {"2GiB", true}} {
		t.Setenv("GOMEMLIMIT", c.env)
		w, err := Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		st := loadOneRow(t, w, april)
		during := debug.SetMemoryLimit(-1)
		// One row's hash: the first chunk of keyChunkMin hashes.
		want := int64(goStageLimit + 8*keyChunkMin)
		if c.env != "" {
			want = before
		}
		if during != want {
			t.Errorf("GOMEMLIMIT %q: Go limit %d while appending, want %d", c.env, during, want)
		}
		if c.commit {
			commitOneRow(t, st, april)
		}
		st.Close()
		if got := debug.SetMemoryLimit(-1); got != before {
			t.Errorf("GOMEMLIMIT %q, commit %v: Go limit %d after the run, want %d", c.env, c.commit, got, before)
		}
		w.Close()
	}
}

// loadOneRow begins run 1's direct load on a new stage of w and appends
// one valid dossier row of file a.csv (file_seq 1).
func loadOneRow(t *testing.T, w *Warehouse, at time.Time) *Stage {
	t.Helper()
	ctx := context.Background()
	st, err := w.NewStage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.BeginDirect(ctx, 1, at); err != nil {
		t.Fatal(err)
	}
	rdr, err := array.NewRecordReader(transforms.StageSchema, []arrow.Record{stageFile(t, 1, "a.csv", "sa", at, []string{"A"}, []string{""})})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	if err := st.LoadDataset(ctx, datasets.Dossiers, rdr); err != nil {
		t.Fatal(err)
	}
	return st
}

// commitOneRow commits the run of loadOneRow.
func commitOneRow(t *testing.T, st *Stage, at time.Time) {
	t.Helper()
	if err := st.Commit(context.Background(), CommitInput{RunID: 1, LoadedAt: at, Files: []*FileResult{{Seq: 1, Source: "s", Path: "a.csv", SHA256: "sa", Status: "loaded", RowsRead: 1}}}); err != nil {
		t.Fatal(err)
	}
}

// printedLimit is how DuckDB prints the memory_limit limit.
func printedLimit(t *testing.T, limit string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "?memory_limit="+limit)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
