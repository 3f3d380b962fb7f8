package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cchc/cchc/sources"
)

// bigExport writes a valid CSV export of n dossiers (one batch is 65,536
// rows, so n above that is read in several batches).
func bigExport(t *testing.T, path string, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n")
	for i := range n {
		fmt.Fprintf(&b, "H41.01-260302-%06d,Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/03/2026 08:00,16/03/2026 17:00,10/03/2026 09:00,Đã xử lý xong\n", i)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFileRewrittenDuringRun reproduces a sync job copying an export again
// while a real run reads it: after the first batch the file is cut to half
// (the copy has just started), so the decoder meets its end early. Without
// the check the run loaded the rows read so far, recorded the full file's
// hash and size and skipped the file as unchanged ever after. Now the file
// fails for this run ("tệp thay đổi trong khi đọc", a transient failure,
// nothing of it staged), and once the copy is back whole, with the very size
// and modification time the failed run saw, the next run loads all of it.
func TestFileRewrittenDuringRun(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: big
    path: ./exports/big/*.csv
    unit: H.BAVI
`)
	const n = 80_000
	big := filepath.Join(dir, "exports", "big")
	if err := os.MkdirAll(big, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(big, "export.csv")
	full := bigExport(t, path, n)
	mtime := time.Date(2026, 4, 2, 1, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}

	cut := false
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, Progress: func(p Progress) {
		if !cut && p.Rows > 0 && p.File != "" {
			cut = true
			if err := os.Truncate(path, int64(len(full)/2)); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !cut {
		t.Fatal("the file was not rewritten during the run")
	}
	if len(sum.Files) != 1 {
		t.Fatalf("files: %+v", sum.Files)
	}
	f := sum.Files[0]
	if f.Status != "failed" || !strings.Contains(f.Error, "tệp thay đổi trong khi đọc") || f.ErrorKind != "transient" {
		t.Errorf("status %s kind %s error %q; want failed, transient, tệp thay đổi trong khi đọc", f.Status, f.ErrorKind, f.Error)
	}
	if sum.Run.Status != "partial" {
		t.Errorf("run status %s, want partial", sum.Run.Status)
	}
	if got := scalar[int64](t, w, `SELECT count(*) FROM dossiers`); got != 0 {
		t.Errorf("%d dossiers loaded from a file that changed while read, want 0", got)
	}

	// The copy completes: same bytes, and the sync job keeps the original
	// modification time, so (size, mtime) equal what the failed run saw.
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 1 || sum.Files[0].Status != "loaded" || sum.Files[0].RowsRead != n {
		t.Fatalf("second run: files %+v unchanged %d; want the file loaded whole (%d rows)", sum.Files, sum.Unchanged, n)
	}
	if got := scalar[int64](t, w, `SELECT count(*) FROM dossiers`); got != n {
		t.Errorf("%d dossiers, want %d", got, n)
	}
	if got := scalar[int64](t, w, `SELECT size FROM source_files WHERE status = 'loaded'`); got != int64(len(full)) {
		t.Errorf("recorded size %d, want %d", got, len(full))
	}
	// A third run skips it: loaded versions are not read again.
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 0 || sum.Unchanged != 1 || sum.Run.Status != "succeeded" {
		t.Errorf("third run: files %d unchanged %d status %s; want 0, 1, succeeded", len(sum.Files), sum.Unchanged, sum.Run.Status)
	}
}

// A file whose content fails waits for a new version; only passing
// failures are retried by every run.
func TestContentFailureWaitsForNewVersion(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: w
    path: ./exports/w/*.csv
    unit: H.BAVI
`)
	wd := filepath.Join(dir, "exports", "w")
	if err := os.MkdirAll(wd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wd, "wide.csv"), []byte("Mã hồ sơ"+strings.Repeat(",c", 2000)+"\nH41.01-260302-0001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Files) != want {
			t.Errorf("run %d: %d files processed, want %d", i+1, len(sum.Files), want)
		}
		if i == 0 && (sum.Files[0].ErrorKind != "content" || !strings.Contains(sum.Files[0].Error, "limits.max_columns")) {
			t.Errorf("kind %q error %q", sum.Files[0].ErrorKind, sum.Files[0].Error)
		}
		if i == 1 && sum.StillFailed != 1 {
			t.Errorf("run 2: still failed %d, want 1", sum.StillFailed)
		}
	}
}

func TestFailureKind(t *testing.T) {
	_, statErr := os.Stat(filepath.Join(t.TempDir(), "missing.csv"))
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"changed", fmt.Errorf("tệp x: %w (đã đọc 3 byte)", sources.ErrChanged), "transient"},
		{"permission", fmt.Errorf("tệp x: không có quyền đọc (open: %w)", fs.ErrPermission), "transient"},
		{"io", fmt.Errorf("tệp x: không đọc được (read: %w)", syscall.EIO), "transient"},
		{"missing", statErr, "transient"},
		{"limit", &sources.LimitError{Path: "x", What: "dòng 2", Limit: 10, Key: "limits.max_line_bytes"}, "content"},
		{"content", errors.New("tệp x: tệp hỏng hoặc không phải bảng tính; mở tệp trong Excel và lưu lại dưới dạng .xlsx (not a valid XLSX workbook: zip: not a valid zip file)"), "content"},
	}
	for _, c := range cases {
		if got := failureKind(c.err); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
