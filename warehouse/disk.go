package warehouse

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrDiskFull matches (errors.Is) every error of a write that failed because
// the file system holding the warehouse, its snapshot or its log is full.
var ErrDiskFull = errors.New("disk full")

// DiskFullError names the full file system by a folder on it and says how
// much room is left, so the operator knows which disk to clean.
type DiskFullError struct {
	Dir         string // a folder on the full file system
	Free, Total uint64 // bytes available to cchc, size of the file system
	Err         error  // the failed write
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("ổ đĩa chứa %s đã đầy (còn trống %s trên %s): hãy giải phóng chỗ trống trên ổ hoặc chuyển kho dữ liệu sang ổ khác rồi chạy lại (the disk is full): %v",
		e.Dir, byteSize(e.Free), byteSize(e.Total), e.Err)
}

func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }
func (e *DiskFullError) Unwrap() error        { return e.Err }

// CheckDiskFull returns err as a *DiskFullError naming the disk that holds
// path when err is an out-of-space error (ENOSPC, EDQUOT, or DuckDB's
// report of one, which carries only the text), else err unchanged.
func CheckDiskFull(err error, path string) error {
	if err == nil || errors.Is(err, ErrDiskFull) || !isNoSpace(err) {
		return err
	}
	dir := filepath.Dir(path)
	e := &DiskFullError{Dir: dir, Err: err}
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) == nil {
		e.Free, e.Total = st.Bavail*uint64(st.Bsize), st.Blocks*uint64(st.Bsize)
	}
	return e
}

func isNoSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	// DuckDB reports I/O errors as text only ("IO Error: Could not write
	// file ...: No space left on device").
	msg := err.Error()
	return strings.Contains(msg, "No space left on device") || strings.Contains(msg, "Disk quota exceeded")
}

func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// nearlyFull reports whether the disk holding path has less than 1 MiB
// left, when an error came without its reason.
func nearlyFull(path string) bool {
	free, ok := freeBytes(filepath.Dir(path))
	return ok && free < 1<<20
}

// freeBytes is the room left to an unprivileged writer on the disk holding
// dir (a variable: tests fill a disk by hand).
var freeBytes = func(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
