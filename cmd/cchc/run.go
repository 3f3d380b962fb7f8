package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/pipeline"
)

func runCmd(g *globals) *cobra.Command {
	var only []string
	var full bool
	var pause time.Duration
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run one batch now: extract new files, transform, load, model, publish",
		Long: `Run one batch now and print a summary.

Exit codes: 0 succeeded, 3 partial (some sources or files failed, the rest
loaded), 1 failed (nothing was written), 2 bad usage or config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, reg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if err := checkSources(cfg, only); err != nil {
				return err
			}
			if full && len(only) > 0 {
				return usageErr(fmt.Errorf("--full-refresh rebuilds the warehouse from every source; it cannot be combined with --source"))
			}
			ctx := cmd.Context()
			stderr := cmd.ErrOrStderr()
			logOut := stderr
			if isTerminal(stderr) {
				// Warnings go above the progress line, not through it.
				logOut = lineClearer{stderr}
			}
			opts := pipeline.Options{Trigger: "manual", Sources: only, FullRefresh: full, Logger: newLogger(logOut)}
			if pause > 0 {
				// Test hook: hold the run inside its commit transaction so a
				// test can kill it, or read, at a point it controls.
				opts.AfterFile = func(i int) error {
					if i == 0 {
						fmt.Fprintln(stderr, "cchc: paused in commit")
						select {
						case <-time.After(pause):
						case <-ctx.Done():
							return ctx.Err()
						}
					}
					return nil
				}
			}
			var prog *progressLine
			if isTerminal(stderr) {
				prog = &progressLine{w: stderr}
				opts.Progress = prog.update
			}
			start := time.Now()
			sum, err := pipeline.Batch(ctx, cfg, reg, opts)
			if prog != nil {
				prog.clear()
			}
			printSummary(cmd.OutOrStdout(), filepath.Dir(cfg.File), sum, time.Since(start))
			if err != nil {
				return failedErr(err)
			}
			if code := sum.ExitCode(); code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&only, "source", nil, "run only these sources (repeatable)")
	cmd.Flags().BoolVar(&full, "full-refresh", false, "rebuild dossiers, quarantine and the file ledger from every source file, in one transaction")
	cmd.Flags().DurationVar(&pause, "debug-pause-in-commit", 0, "test hook: pause inside the commit transaction")
	cmd.Flags().MarkHidden("debug-pause-in-commit")
	return cmd
}

// lineClearer erases the progress line before each log line.
type lineClearer struct{ w io.Writer }

func (c lineClearer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, "\r\033[K"); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// progressLine redraws one status line on a terminal.
type progressLine struct {
	w     io.Writer
	shown bool
}

func (p *progressLine) update(ev pipeline.Progress) {
	switch ev.Phase {
	case "commit":
		fmt.Fprint(p.w, "\r\033[Kcommitting: merge, ledger, statistics and index scores")
		p.shown = true
		return
	case "publish":
		fmt.Fprintf(p.w, "\r\033[Kpublishing %s", ev.File)
		p.shown = true
		return
	}
	state := "reading"
	if ev.Done {
		state = "staged"
	}
	fmt.Fprintf(p.w, "\r\033[K[%d] %s %s: %s rows %s", ev.FileIndex, ev.Source, filepath.Base(ev.File), groupDigits(ev.Rows), state)
	p.shown = true
}

func (p *progressLine) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func printSummary(w io.Writer, base string, s *pipeline.Summary, took time.Duration) {
	if s == nil {
		return
	}
	r := s.Run
	fmt.Fprintf(w, "run %d %s in %s (%s)\n", r.ID, r.Status, took.Round(10*time.Millisecond), r.Trigger)
	tm := s.Timing
	fmt.Fprintf(w, "timing: stage %s, commit and model %s, publish %s\n", tm.Stage.Round(10*time.Millisecond),
		tm.Commit.Round(10*time.Millisecond), tm.Publish.Round(10*time.Millisecond))
	fmt.Fprintf(w, "files: %d new, %d failed, %d unchanged", r.FilesNew, r.FilesFailed, s.Unchanged)
	if s.Retried > 0 {
		fmt.Fprintf(w, ", %d read again", s.Retried)
	}
	fmt.Fprintln(w)
	if s.Retried > 0 && r.Status != "failed" {
		fmt.Fprintf(w, "recovered %s quarantined rows: %d files read again because the unit registry or a source's columns: changed\n",
			groupDigits(s.Recovered), s.Retried)
	}
	if s.StillFailed > 0 {
		fmt.Fprintf(w, "%d unchanged files failed in an earlier run and were not retried (see source_files where status = 'failed'); replace them to load them\n", s.StillFailed)
	}
	for _, e := range s.SourceErrors {
		msg, _ := pii.MaskShapes(e.Err.Error())
		fmt.Fprintf(w, "source %s FAILED: %s\n", e.Source, msg)
	}
	if len(s.Files) > 0 {
		t := &table{header: []string{"source", "file", "status", "read", "loaded", "quarantined", "superseded", "check"},
			right: map[int]bool{3: true, 4: true, 5: true, 6: true}}
		for _, f := range s.Files {
			check := "ok"
			if f.Status == "failed" {
				check = "-"
			} else if f.RowsRead != f.RowsLoaded+f.RowsQuarantined+f.RowsSuperseded {
				check = "MISMATCH"
			}
			if r.Status == "failed" {
				check = "rolled back"
			}
			status := f.Status
			if f.Retry {
				status = "reread"
			}
			t.add(f.Source, rel(base, f.Path), status, groupDigits(f.RowsRead), groupDigits(f.RowsLoaded),
				groupDigits(f.RowsQuarantined), groupDigits(f.RowsSuperseded), check)
		}
		t.add("total", "", "", groupDigits(r.RowsRead), groupDigits(r.RowsLoaded), groupDigits(r.RowsQuarantined), groupDigits(r.RowsSuperseded), "")
		t.write(w)
		if r.Status != "failed" {
			fmt.Fprintf(w, "counts reconcile: read %s = loaded %s + quarantined %s + superseded %s\n",
				groupDigits(r.RowsRead), groupDigits(r.RowsLoaded), groupDigits(r.RowsQuarantined), groupDigits(r.RowsSuperseded))
		}
	}
	dropped := map[string]bool{}
	var names []string
	for _, f := range s.Files {
		for _, d := range f.Mapping.Dropped {
			if !dropped[d] {
				dropped[d] = true
				names = append(names, d)
			}
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "personal data columns dropped (not loaded): %s\n", strings.Join(names, ", "))
	}
	var masked []string
	var nMasked int64
	for _, f := range s.Files {
		if f.ValuesMasked > 0 {
			nMasked += f.ValuesMasked
			masked = append(masked, fmt.Sprintf("%s (%s)", rel(base, f.Path), groupDigits(f.ValuesMasked)))
		}
	}
	if nMasked > 0 {
		fmt.Fprintf(w, "personal data masked in recognised columns: %s values (source_files.values_masked): %s\n",
			groupDigits(nMasked), strings.Join(masked, ", "))
	}
	for _, f := range s.Files {
		if f.Status == "failed" {
			fmt.Fprintf(w, "FAILED %s\n", f.Error)
		}
	}
	for _, e := range s.RetryFailed {
		fmt.Fprintf(w, "NOT READ AGAIN (its loaded version is kept as it was): %s\n", e)
	}
	if s.Duplicates > 0 && r.Status != "failed" {
		fmt.Fprintf(w, "duplicate dossier codes within files: %s earlier rows quarantined as duplicate_in_file, the last row of each kept\n", groupDigits(s.Duplicates))
	}
	if len(s.Rejections) > 0 {
		fmt.Fprintln(w, "quarantined rows (first of each file; all are in the quarantine table; cchc quarantine lists them):")
		for _, q := range s.Rejections {
			fmt.Fprintf(w, "  %s dòng %d, cột %q [%s]: %s\n", rel(base, q.File), q.Row, q.Column, q.Code, q.Reason)
		}
	}
	for _, m := range s.Warnings {
		fmt.Fprintf(w, "WARNING %s\n", m)
	}
	for _, r := range s.Redirected {
		if r.Successor != "" {
			fmt.Fprintf(w, "redirected %d rows naming dissolved unit %s to its successor %s\n", r.Rows, r.Unit, r.Successor)
		} else {
			fmt.Fprintf(w, "WARNING %d rows name unit %s after its valid_to and it has no successor_code: they count for it, unranked; set its successor in the unit registry\n", r.Rows, r.Unit)
		}
	}
	for _, st := range s.StaleSources {
		if st.LastNewFile != nil {
			fmt.Fprintf(w, "STALE source %s: no new file since %s (longer than freshness)\n", st.Source, st.LastNewFile.Format("02/01/2006 15:04"))
		} else {
			fmt.Fprintf(w, "STALE source %s: has never delivered a file\n", st.Source)
		}
	}
	if s.Modelled {
		scope := fmt.Sprintf("%d periods, %d of them with changed dossiers", len(s.RebuiltPeriods), s.TouchedPeriods)
		if s.ModelFull {
			scope = fmt.Sprintf("all %d periods", len(s.RebuiltPeriods))
		}
		switch s.ModelCounts {
		case model.CountsDelta:
			scope += ", counted from the changed dossiers alone"
			if s.NewPeriods > 0 {
				scope += fmt.Sprintf(", but for %d new periods counted from every dossier", s.NewPeriods)
			}
		case model.CountsKept:
			scope += ", from the counts kept: no dossier changed since they were counted"
		default:
			scope += ", every dossier counted"
		}
		if s.RelabelledCounts > 0 {
			scope += fmt.Sprintf(", %d count rows moved to the units now standing for others", s.RelabelledCounts)
		}
		fmt.Fprintf(w, "model rebuilt: periods, dossier_stats, indicator_values, index_scores (%s)\n", scope)
	}
	if len(s.FinalPeriods)+len(s.ProvisionalPeriods) > 0 {
		fmt.Fprintf(w, "periods final: %s\n", listOrNone(s.FinalPeriods))
		fmt.Fprintf(w, "periods provisional (Số liệu tạm tính, not final until publish.grace after their end): %s\n", listOrNone(s.ProvisionalPeriods))
	}
	if len(s.Published) > 0 {
		fmt.Fprintf(w, "published %d files of %d periods under %s\n", len(s.Published), len(s.RepublishedPeriods), rel(base, filepath.Dir(filepath.Dir(s.Published[0]))))
	}
	if s.Lake != nil {
		fmt.Fprintf(w, "lake %s: %d partitions written, %d removed\n", rel(base, s.Lake.Dir), len(s.Lake.Written), len(s.Lake.Removed))
	}
	if s.ModelErr != nil {
		fmt.Fprintf(w, "MODEL NOT REBUILT (the data is loaded; nothing was published; the next run rebuilds the model): %v\n", errors.Unwrap(s.ModelErr))
	}
	if s.PublishErr != nil {
		fmt.Fprintf(w, "PUBLICATION FAILED (the data is loaded; run cchc publish --period P to retry): %v\n", s.PublishErr)
	}
	if s.Snapshot != "" {
		fmt.Fprintf(w, "analysts' snapshot refreshed: %s\n", rel(base, s.Snapshot))
	}
	if s.SnapshotErr != nil {
		fmt.Fprintf(w, "SNAPSHOT NOT REFRESHED (analysts still see the previous run): %v\n", s.SnapshotErr)
	}
	if r.Status == "failed" && r.Message != "" {
		fmt.Fprintf(w, "run failed, nothing was written: %s\n", r.Message)
	}
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func rel(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// groupDigits writes 1234567 as 1,234,567 for the terminal summary.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
