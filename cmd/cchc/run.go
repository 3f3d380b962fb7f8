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
	"github.com/cchc/cchc/warehouse"
)

func runCmd(g *globals) *cobra.Command {
	var only []string
	var full bool
	var pause, pauseAfter time.Duration
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
				return usageErr(fmt.Errorf("--full-refresh dựng lại kho dữ liệu từ mọi nguồn, không dùng cùng --source được (--full-refresh cannot be combined with --source)"))
			}
			ctx := cmd.Context()
			stderr := cmd.ErrOrStderr()
			logOut := stderr
			if isTerminal(stderr) {
				// Warnings go above the progress line, not through it.
				logOut = lineClearer{stderr}
			}
			opts := pipeline.Options{Trigger: "manual", Sources: only, FullRefresh: full, Logger: newLogger(logOut)}
			asFolderOwner(cfg, opts.Logger)
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
			if pauseAfter > 0 {
				// Test hook: hold the run just after its data committed,
				// before the model's transaction, so a test can kill it
				// there with the WAL on disk.
				opts.BeforeModel = func() error {
					fmt.Fprintln(stderr, "cchc: paused after commit")
					select {
					case <-time.After(pauseAfter):
					case <-ctx.Done():
						return ctx.Err()
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
	cmd.Flags().DurationVar(&pauseAfter, "debug-pause-after-commit", 0, "test hook: pause after the data commit, before the model")
	cmd.Flags().MarkHidden("debug-pause-after-commit")
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
		fmt.Fprint(p.w, "\r\033[Kđang ghi kho: gộp hồ sơ, sổ tệp, thống kê và điểm chỉ số")
		p.shown = true
		return
	case "publish":
		fmt.Fprintf(p.w, "\r\033[Kđang xuất bản %s", ev.File)
		p.shown = true
		return
	}
	state := "đang đọc"
	if ev.Done {
		state = "đã đọc xong"
	}
	fmt.Fprintf(p.w, "\r\033[K[%d] %s %s: %s dòng, %s", ev.FileIndex, ev.Source, filepath.Base(ev.File), groupDigits(ev.Rows), state)
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
	fmt.Fprintf(w, "lần chạy %d %s (%s) trong %s, %s (%s)\n", r.ID, summaryStatus(r.Status), r.Status, viDuration(took),
		summaryTrigger(r.Trigger), r.Trigger)
	tm := s.Timing
	fmt.Fprintf(w, "thời gian: đọc tệp (stage) %s, ghi kho và tính số liệu (commit, model) %s, xuất bản (publish) %s\n", viDuration(tm.Stage),
		viDuration(tm.Commit), viDuration(tm.Publish))
	fmt.Fprintf(w, "tệp: %d mới, %d lỗi, %d không đổi", r.FilesNew, r.FilesFailed, s.Unchanged)
	if s.Retried > 0 {
		fmt.Fprintf(w, ", %d đọc lại", s.Retried)
	}
	fmt.Fprintln(w)
	if s.Retried > 0 && r.Status != "failed" {
		fmt.Fprintf(w, "gỡ cách ly %s dòng: đọc lại %d tệp vì danh mục đơn vị hoặc khai báo columns: của nguồn đã thay đổi\n",
			groupDigits(s.Recovered), s.Retried)
	}
	if s.StillFailed > 0 {
		fmt.Fprintf(w, "%d tệp không đổi đã lỗi ở lần chạy trước nên không đọc lại (xem source_files where status = 'failed'); hãy thay bằng tệp đã sửa để nạp\n", s.StillFailed)
	}
	for _, e := range s.SourceErrors {
		msg, _ := pii.MaskShapes(e.Err.Error())
		fmt.Fprintf(w, "nguồn %s LỖI: %s\n", e.Source, msg)
	}
	if len(s.Files) > 0 {
		t := &table{header: []string{"nguồn", "tệp", "trạng thái", "đọc", "nạp", "cách ly", "bị thay thế", "kiểm tra"},
			right: map[int]bool{3: true, 4: true, 5: true, 6: true}}
		for _, f := range s.Files {
			check := "khớp"
			if f.Status == "failed" {
				check = "-"
			} else if f.RowsRead != f.RowsLoaded+f.RowsQuarantined+f.RowsSuperseded {
				check = "LỆCH"
			}
			if r.Status == "failed" {
				check = "đã hoàn tác"
			}
			status := summaryFileStatus(f.Status)
			if f.Retry {
				status = "đọc lại"
			}
			t.add(f.Source, rel(base, f.Path), status, groupDigits(f.RowsRead), groupDigits(f.RowsLoaded),
				groupDigits(f.RowsQuarantined), groupDigits(f.RowsSuperseded), check)
		}
		t.add("tổng", "", "", groupDigits(r.RowsRead), groupDigits(r.RowsLoaded), groupDigits(r.RowsQuarantined), groupDigits(r.RowsSuperseded), "")
		t.write(w)
		if r.Status != "failed" {
			fmt.Fprintf(w, "đối chiếu số dòng: đọc %s = nạp %s + cách ly %s + bị thay thế %s\n",
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
		fmt.Fprintf(w, "cột dữ liệu cá nhân đã bỏ (không nạp): %s\n", strings.Join(names, ", "))
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
		fmt.Fprintf(w, "dữ liệu cá nhân đã che trong các cột nhận diện được: %s giá trị (source_files.values_masked): %s\n",
			groupDigits(nMasked), strings.Join(masked, ", "))
	}
	for _, f := range s.Files {
		if f.Status == "failed" {
			fmt.Fprintf(w, "LỖI %s\n", f.Error)
		}
	}
	for _, e := range s.RetryFailed {
		fmt.Fprintf(w, "ĐỌC LẠI KHÔNG ĐƯỢC (giữ nguyên bản đã nạp): %s\n", e)
	}
	if s.Duplicates > 0 && r.Status != "failed" {
		fmt.Fprintf(w, "mã hồ sơ trùng trong cùng tệp: %s dòng trước bị cách ly (duplicate_in_file), giữ dòng cuối của mỗi mã\n", groupDigits(s.Duplicates))
	}
	if len(s.Rejections) > 0 {
		fmt.Fprintln(w, "dòng bị cách ly (dòng đầu của mỗi tệp; đủ danh sách trong bảng quarantine, xem bằng cchc quarantine):")
		for _, q := range s.Rejections {
			fmt.Fprintf(w, "  %s dòng %d, cột %q [%s]: %s\n", rel(base, q.File), q.Row, q.Column, q.Code, q.Reason)
		}
	}
	for _, m := range s.Warnings {
		fmt.Fprintf(w, "CẢNH BÁO %s\n", m)
	}
	for _, r := range s.Redirected {
		if r.Successor != "" {
			fmt.Fprintf(w, "chuyển %d dòng ghi đơn vị đã giải thể %s sang đơn vị kế thừa %s\n", r.Rows, r.Unit, r.Successor)
		} else {
			fmt.Fprintf(w, "CẢNH BÁO %d dòng ghi đơn vị %s sau ngày valid_to nhưng đơn vị chưa có successor_code: vẫn tính cho đơn vị này, không xếp hạng; hãy ghi đơn vị kế thừa trong danh mục đơn vị\n", r.Rows, r.Unit)
		}
	}
	for _, st := range s.StaleSources {
		if st.LastNewFile != nil {
			fmt.Fprintf(w, "nguồn %s CHẬM CẬP NHẬT: không có tệp mới từ %s (lâu hơn freshness)\n", st.Source, st.LastNewFile.Format("02/01/2006 15:04"))
		} else {
			fmt.Fprintf(w, "nguồn %s CHẬM CẬP NHẬT: chưa từng có tệp nào\n", st.Source)
		}
	}
	if s.Modelled {
		scope := fmt.Sprintf("%d kỳ, %d kỳ có hồ sơ thay đổi", len(s.RebuiltPeriods), s.TouchedPeriods)
		if s.ModelFull {
			scope = fmt.Sprintf("cả %d kỳ", len(s.RebuiltPeriods))
		}
		switch s.ModelCounts {
		case model.CountsDelta:
			scope += ", chỉ đếm các hồ sơ thay đổi"
			if s.NewPeriods > 0 {
				scope += fmt.Sprintf(", riêng %d kỳ mới đếm mọi hồ sơ", s.NewPeriods)
			}
		case model.CountsKept:
			scope += ", dùng số đếm đã lưu: không hồ sơ nào thay đổi từ lần đếm trước"
		default:
			scope += ", đếm lại mọi hồ sơ"
		}
		if s.RelabelledCounts > 0 {
			scope += fmt.Sprintf(", chuyển %d dòng số đếm sang đơn vị nay thay cho đơn vị khác", s.RelabelledCounts)
		}
		fmt.Fprintf(w, "đã tính lại số liệu: periods, dossier_stats, indicator_values, index_scores (%s)\n", scope)
	}
	if len(s.FinalPeriods)+len(s.ProvisionalPeriods) > 0 {
		fmt.Fprintf(w, "kỳ chính thức: %s\n", listOrNone(s.FinalPeriods))
		fmt.Fprintf(w, "kỳ tạm tính (Số liệu tạm tính, chưa chính thức cho đến hết publish.grace sau ngày cuối kỳ): %s\n", listOrNone(s.ProvisionalPeriods))
	}
	if len(s.Published) > 0 {
		fmt.Fprintf(w, "đã xuất bản %d tệp của %d kỳ vào %s\n", len(s.Published), len(s.RepublishedPeriods), rel(base, filepath.Dir(filepath.Dir(s.Published[0]))))
	}
	if s.Lake != nil {
		fmt.Fprintf(w, "lake %s: ghi %d phân vùng, xóa %d\n", rel(base, s.Lake.Dir), len(s.Lake.Written), len(s.Lake.Removed))
	}
	if s.ModelErr != nil {
		fmt.Fprintf(w, "CHƯA TÍNH LẠI ĐƯỢC SỐ LIỆU (dữ liệu đã nạp; chưa xuất bản gì; lần chạy sau sẽ tính lại): %v\n", errors.Unwrap(s.ModelErr))
	}
	if s.PublishErr != nil {
		fmt.Fprintf(w, "XUẤT BẢN LỖI (dữ liệu đã nạp; lần chạy sau tự ghi lại, hoặc chạy cchc publish --period P): %v\n", s.PublishErr)
	}
	if s.Snapshot != "" {
		fmt.Fprintf(w, "đã làm mới bản chụp cho người phân tích: %s\n", rel(base, s.Snapshot))
	}
	if s.SnapshotErr != nil {
		fmt.Fprintf(w, "CHƯA LÀM MỚI ĐƯỢC BẢN CHỤP (người phân tích vẫn thấy số liệu của lần chạy trước): %v\n", s.SnapshotErr)
	}
	if r.Status == "failed" && r.Message != "" {
		fmt.Fprintf(w, "lần chạy thất bại, chưa ghi gì: %s\n", r.Message)
	}
}

// summaryStatus is a run's status (runs.status) as the summary says it.
func summaryStatus(status string) string {
	switch status {
	case warehouse.RunSucceeded:
		return "thành công"
	case warehouse.RunPartial:
		return "thành công một phần"
	case warehouse.RunFailed:
		return "thất bại"
	}
	return status
}

// summaryTrigger is what started a run (runs.trigger) as the summary says
// it.
func summaryTrigger(trigger string) string {
	switch trigger {
	case "manual":
		return "chạy tay"
	case "schedule":
		return "chạy theo lịch"
	}
	return trigger
}

// summaryFileStatus is a file's outcome (source_files.status) in the
// summary's table.
func summaryFileStatus(status string) string {
	switch status {
	case "loaded":
		return "đã nạp"
	case "failed":
		return "lỗi"
	}
	return status
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "không có"
	}
	return strings.Join(l, ", ")
}

func rel(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// groupDigits writes 1234567 as 1.234.567 for the terminal summary: in
// Vietnamese the dot groups thousands and the comma is the decimal mark,
// so "18,144" would read as eighteen and a bit.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// viDuration writes a duration as a Vietnamese reader reads it, to the
// hundredth of a second with a decimal comma: "28,24 giây", "0,22 giây",
// "2 phút 3,5 giây", "1 giờ 0 phút 5 giây".
func viDuration(d time.Duration) string {
	d = d.Round(10 * time.Millisecond)
	neg := d < 0
	if neg {
		d = -d
	}
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	// Whole hundredths, not a float: 2.28 s as a float prints
	// 2.2800000000000002.
	cs := int64((d % time.Minute) / (10 * time.Millisecond))
	sec := fmt.Sprint(cs / 100)
	if frac := cs % 100; frac != 0 {
		sec += strings.TrimRight(fmt.Sprintf(",%02d", frac), "0")
	}
	sec += " giây"
	out := sec
	switch {
	case h > 0:
		out = fmt.Sprintf("%d giờ %d phút %s", h, m, sec)
	case m > 0:
		out = fmt.Sprintf("%d phút %s", m, sec)
	}
	if neg {
		return "-" + out
	}
	return out
}
