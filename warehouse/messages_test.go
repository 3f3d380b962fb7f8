package warehouse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The errors a person reads about the warehouse (a lock held by another
// run, a file that is no warehouse, a snapshot that cannot be written) are
// in Vietnamese, name the file, say what to do, and keep the sentinel and
// the library's detail for errors.Is and for a bug report.
func TestMessagesVietnamese(t *testing.T) {
	started := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		do   func(t *testing.T, dir string) error
		want []string // DIR stands for the test's folder
		is   error
	}{
		{"lock held", func(t *testing.T, dir string) error {
			l, err := AcquireLock(context.Background(), filepath.Join(dir, "cchc.duckdb"), time.Second,
				Holder{PID: 4242, Host: "srv-01", Command: "cchc run schedule", StartedAt: started})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Release() })
			_, err = AcquireLock(context.Background(), filepath.Join(dir, "cchc.duckdb"), 50*time.Millisecond, Holder{})
			return err
		}, []string{"kho dữ liệu đang bị một lần chạy khác giữ quyền ghi: tiến trình 4242 trên máy srv-01 (cchc run schedule), bắt đầu lúc 2026-03-02 01:30:00 UTC",
			"đã đợi 50ms (lock_timeout)", "hãy đợi lần chạy đó xong rồi thử lại, hoặc tăng lock_timeout",
			"(warehouse is locked by another writer; lock file DIR/cchc.duckdb.lock)"}, ErrLocked},
		{"lock held, holder unknown", func(t *testing.T, dir string) error {
			l, err := AcquireLock(context.Background(), filepath.Join(dir, "cchc.duckdb"), time.Second, Holder{PID: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Release() })
			if err := l.f.Truncate(0); err != nil {
				t.Fatal(err)
			}
			_, err = AcquireLock(context.Background(), filepath.Join(dir, "cchc.duckdb"), 50*time.Millisecond, Holder{})
			return err
		}, []string{"kho dữ liệu đang bị một lần chạy khác (cchc run, cchc publish) giữ quyền ghi, không rõ lần chạy nào (tệp khóa trống (lock file is empty))",
			"hãy đợi lần chạy đó xong", "(warehouse is locked by another writer; lock file DIR/cchc.duckdb.lock)"}, ErrLocked},
		{"not a warehouse", func(t *testing.T, dir string) error {
			p := filepath.Join(dir, "cchc.duckdb")
			if err := os.WriteFile(p, []byte("not a database, some text long enough to be read as a header of a file........"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(context.Background(), p, Options{})
			return err
		}, []string{"kho dữ liệu DIR/cchc.duckdb: không mở được ("}, nil},
		{"snapshot with a log", func(t *testing.T, dir string) error {
			p := filepath.Join(dir, "cchc.duckdb")
			if err := os.WriteFile(p+".wal", []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := WriteSnapshot(p)
			return err
		}, []string{"bản chụp của kho dữ liệu DIR/cchc.duckdb: tệp nhật ký ghi (.wal) chưa trống", "(the write-ahead log is not empty; close the warehouse first)"}, nil},
		{"snapshot of nothing", func(t *testing.T, dir string) error {
			_, err := WriteSnapshot(filepath.Join(dir, "cchc.duckdb"))
			return err
		}, []string{"bản chụp của kho dữ liệu DIR/cchc.duckdb: không đọc được kho dữ liệu (open DIR/cchc.duckdb: no such file or directory)"}, os.ErrNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			err := c.do(t, dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
		})
	}
}
