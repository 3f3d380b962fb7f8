package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/warehouse"
)

// cancelOn is a log handler that cancels the run's context when the run
// logs msg: a signal (systemctl stop, Ctrl-C) arriving at that point.
type cancelOn struct {
	msg    string
	cancel context.CancelFunc
	seen   *bool
}

func (h cancelOn) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOn) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h cancelOn) WithGroup(string) slog.Handler            { return h }
func (h cancelOn) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		*h.seen = true
		h.cancel()
	}
	return nil
}

// tree reads every file under dir, by path relative to it.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A run stopped after its data and model committed but before it
// published (here a signal arriving right after the model: the next query,
// reading what is pending, fails with the cancelled context) is partial,
// not failed, and leaves pending what it would have written, with what
// was pending already. The next run, with no new file, writes it: the
// publication directory is then byte for byte what a full publication of
// every period writes, and the lake equals the warehouse. Before, the run
// was "failed, nothing was written" with runs.unpublished NULL, and the
// next run published nothing: April's files stayed the first run's.
func TestFailureAfterCommitLeavesPending(t *testing.T) {
	// The first run loads a March and an April dossier of S.TP: periods
	// 2026, 2026-03, 2026-04, 2026-H1, 2026-Q1, 2026-Q2 (allPeriods,
	// sorted). The stopped run loads a second April dossier, pending past
	// its due date (it lowers S.TP's April score, so the files change): it
	// reaches 04, Q2, H1 and the year; S.TP's data already reached past
	// March, so March and Q1 do not move (TestIncrementalEqualsFullRebuild's
	// "new month" step is the opposite case). An uninterrupted run writes
	// exactly those four.
	for _, tc := range []struct {
		name        string
		blockMarch  bool   // the first run fails to write 2026-03
		firstLeft   string // runs.unpublished after the first run
		pending     string // runs.unpublished after the stopped run
		republished string // periods the next run writes
	}{
		{"nothing pending before", false, "",
			"2026,2026-04,2026-H1,2026-Q2,lake", "2026 2026-04 2026-H1 2026-Q2"},
		// 2026-03, pending from the first run, is kept with the
		// stopped run's own periods.
		{"earlier pending kept", true, "2026-03",
			"2026,2026-03,2026-04,2026-H1,2026-Q2,lake", "2026 2026-03 2026-04 2026-H1 2026-Q2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			exports := filepath.Join(dir, "exports")
			if err := os.MkdirAll(exports, 0o755); err != nil {
				t.Fatal(err)
			}
			yaml := "warehouse: ./cchc.duckdb\nunits: ./units.csv\nfreshness: 0s\nsources:\n  - name: a\n    path: ./exports/*.csv\n" +
				"publish:\n  dir: ./out\n  formats: [csv]\n  lake: ./lake\n"
			for name, body := range map[string]string{"units.csv": incrUnits, "cchc.yaml": yaml} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, reg, w := openProject(t, dir)
			out := filepath.Join(dir, "out")
			at := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
			export := func(file, body string) {
				if err := os.WriteFile(filepath.Join(exports, file), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			block := filepath.Join(out, "2026-03")
			if tc.blockMarch {
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(block, []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			export("01.csv", incrHeader+incrRow("HS-1", "S.TP", 3, 2, 7, 2, "Hộ tịch")+incrRow("HS-A", "S.TP", 4, 2, 7, 2, "Hộ tịch"))
			if _, err := Run(context.Background(), cfg, w, reg, Options{Now: func() time.Time { return at }}); err != nil {
				t.Fatal(err)
			}
			if got := lastUnpublished(t, w); got != tc.firstLeft {
				t.Fatalf("first run left %q pending, want %q", got, tc.firstLeft)
			}
			os.Remove(block)

			export("02.csv", incrHeader+incrRow("HS-2", "S.TP", 4, 4, 2, -1, "Hộ tịch"))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stopped bool
			s, err := Run(ctx, cfg, w, reg, Options{Now: func() time.Time { return at.Add(time.Hour) },
				Logger: slog.New(cancelOn{msg: "đã tính lại số liệu", cancel: cancel, seen: &stopped})})
			if !stopped {
				t.Fatal("the run logged no \"đã tính lại số liệu\" (model rebuilt): the test stops nothing")
			}
			if err != nil || s.Run.Status != warehouse.RunPartial || s.ExitCode() != ExitPartial || s.Run.RowsLoaded != 1 {
				t.Errorf("stopped run: %v, status %s, exit %d, rows loaded %d; want partial, its 1 row loaded",
					err, s.Run.Status, s.ExitCode(), s.Run.RowsLoaded)
			}
			if len(s.Published) > 0 {
				t.Fatalf("the stopped run published %v: the test stops it too late", s.Published)
			}
			if got := lastUnpublished(t, w); got != tc.pending {
				t.Errorf("runs.unpublished %q, want %q", got, tc.pending)
			}
			if !strings.Contains(s.Run.Message, "lần chạy sau sẽ tự ghi lại") {
				t.Errorf("message %q does not say the next run writes the publications", s.Run.Message)
			}

			s, err = Run(context.Background(), cfg, w, reg, Options{Now: func() time.Time { return at.Add(2 * time.Hour) }})
			if err != nil || s.ExitCode() != ExitOK || len(s.Files) != 0 {
				t.Fatalf("next run: %v, exit %d, %d new files, %v", err, s.ExitCode(), len(s.Files), s.PublishErr)
			}
			if got := strings.Join(s.RepublishedPeriods, " "); got != tc.republished || s.Lake == nil {
				t.Errorf("next run wrote periods %q, lake %v; want %q and the lake", got, s.Lake != nil, tc.republished)
			}
			if got := lastUnpublished(t, w); got != "" {
				t.Errorf("runs.unpublished %q after the next run, want empty", got)
			}
			lakeEqualsWarehouse(t, "next run", w, cfg.Publish.Lake)

			// A full publication of every period, from the same warehouse.
			full := filepath.Join(dir, "full")
			all, err := allPeriods(context.Background(), w.DB())
			if err != nil {
				t.Fatal(err)
			}
			parMeth, err := model.LoadPARMethodology(cfg.PAR.Methodology)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := publish.Periods(context.Background(), w.DB(), all, publish.Options{Dir: full, Formats: cfg.Publish.Formats,
				Freshness: cfg.Freshness, PARDecimals: parMeth.PublishedDecimals(cfg.PAR.Decimals)}, nil); err != nil {
				t.Fatal(err)
			}
			got, want := tree(t, out), tree(t, full)
			april, _ := filepath.Glob(filepath.Join(full, "2026-04", "*.csv"))
			if len(april) == 0 {
				t.Fatal("a full publication writes no 2026-04 file: the test compares nothing")
			}
			for p, b := range want {
				if g, ok := got[p]; !ok {
					t.Errorf("%s missing after the next run", p)
				} else if !bytes.Equal(g, b) {
					t.Errorf("%s differs from a full publication", p)
				}
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					t.Errorf("%s published, not in a full publication", p)
				}
			}
		})
	}
}
