package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/cchc/cchc/warehouse"
)

// validateDirName is the name os.MkdirTemp gives Check's private download
// folders ("cchc-validate-*": the * becomes digits). Nothing else under
// TMPDIR is ever touched.
var validateDirName = regexp.MustCompile(`^cchc-validate-[0-9]+$`)

// validateLockName is the lock file inside a validate folder. Its flock is
// held for as long as the validate that made the folder lives; the kernel
// drops it when the process dies, however it dies (SIGKILL, OOM killer),
// so an unlocked lock file proves the folder is a dead process's.
const validateLockName = "cchc-validate.lock"

// staleValidateAge is how old a validate folder without a lock file must
// be before it counts as left behind: such a folder was made by a version
// before the lock, or on a file system without flock, or is a new one a
// live validate has not locked yet. No check runs for a day: every source
// has a deadline.
const staleValidateAge = 24 * time.Hour

// makeValidateDir makes Check's private download folder under parent and
// holds the flock of its lock file until release, which removes the
// folder. The lock file is locked under another name and then renamed, so
// a sweeping validate never sees the lock file unlocked while its owner
// lives.
func makeValidateDir(parent string) (dir string, release func(), err error) {
	dir, err = os.MkdirTemp(parent, "cchc-validate-*")
	if err != nil {
		return "", nil, err
	}
	f, err := os.CreateTemp(dir, ".lock-*")
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		// A file system without flock: the folder stays unmarked, and
		// only its age lets a later validate remove it.
		f.Close()
		os.Remove(f.Name())
		return dir, func() { os.RemoveAll(dir) }, nil
	}
	// For whoever looks into the folder: which process holds it.
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	if err := os.Rename(f.Name(), filepath.Join(dir, validateLockName)); err != nil {
		f.Close()
		os.RemoveAll(dir)
		return "", nil, err
	}
	// Removed while still locked: a sweeping validate that finds the lock
	// file finds it held.
	return dir, func() {
		os.RemoveAll(dir)
		f.Close()
	}, nil
}

// RemoveStaleValidateDirs removes, under parent (TMPDIR), the private
// download folders of validates that died without removing them (killed,
// power lost): a folder whose lock file no process holds, or one without a
// lock file older than a day. A running validate's folder is kept, and so
// are other users' folders. It returns the folders removed; a folder it
// could not remove is named in the error and the others are still tried.
func RemoveStaleValidateDirs(parent string) ([]string, error) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, nil // no TMPDIR: nothing was left there
	}
	var removed []string
	var errs []error
	now := time.Now()
	for _, e := range entries {
		if !e.IsDir() || !validateDirName.MatchString(e.Name()) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if !warehouse.Owns(p) {
			continue
		}
		stale, done := staleValidateDir(p, now)
		if !stale {
			continue
		}
		err := os.RemoveAll(p)
		done()
		if err != nil {
			errs = append(errs, fmt.Errorf("thư mục tạm %s do một lần kiểm tra đã chết để lại: %w", p, err))
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// staleValidateDir reports whether the validate folder dir was left by a
// dead process. When it was by its lock file, done releases the lock
// taken to prove it, after the folder is removed: a second sweeper finds
// it held meanwhile.
func staleValidateDir(dir string, now time.Time) (stale bool, done func()) {
	if f, err := os.Open(filepath.Join(dir, validateLockName)); err == nil {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return true, func() { f.Close() }
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return false, nil // a live validate holds it
		}
	}
	// No lock file (or one flock cannot tell about): by age, which the
	// folder's time, set when a download is made in it or removed, tells.
	st, err := os.Lstat(dir)
	if err != nil {
		return false, nil
	}
	return now.Sub(st.ModTime()) > staleValidateAge, func() {}
}
