package publish

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

// errExchangeUnsupported is renameExchange's answer where the system has
// no atomic exchange of two paths (not Linux).
var errExchangeUnsupported = errors.New("no atomic exchange of two paths on this system")

// renameExchange swaps two existing paths in one step (Linux:
// renameat2 with RENAME_EXCHANGE). A variable so that a test can force
// the fallback of replaceDir.
var renameExchange = exchangePaths

// exchangeRefused reports whether renameExchange failed because the
// kernel or the file system cannot exchange (an old kernel, a file
// system without RENAME_EXCHANGE, a seccomp filter), not because of the
// paths: replaceDir then falls back to two renames.
func exchangeRefused(err error) bool {
	return errors.Is(err, errExchangeUnsupported) || errors.Is(err, syscall.EINVAL) ||
		errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EXDEV) ||
		errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.EPERM)
}

// replaceDir puts the folder src at target and removes the folder it
// replaces, if any. A target that does not exist is one rename. An
// existing one is exchanged with src in one step, so a reader sees the
// old folder or the new one and never no folder; where the system
// refuses the exchange, the old folder is first renamed aside (a
// temporary name in dir), leaving an instant without the folder. It
// returns whether it fell back to two renames (for tests). The caller
// syncs target's parent. (A reader that listed the old folder's files
// just before may still find them removed when it opens them: the old
// content does not outlive the swap.)
func replaceDir(dir, src, target string) (fellBack bool, err error) {
	if !isDir(target) {
		return false, os.Rename(src, target)
	}
	err = renameExchange(src, target)
	if err == nil {
		// src now holds the old folder.
		return false, os.RemoveAll(src)
	}
	if !exchangeRefused(err) {
		return false, err
	}
	aside, err := tempDirName(dir, ".lake-old-")
	if err != nil {
		return true, err
	}
	if err := os.Rename(target, aside); err != nil {
		return true, err
	}
	if err := os.Rename(src, target); err != nil {
		os.Rename(aside, target) // put the old folder back
		return true, err
	}
	return true, os.RemoveAll(aside)
}

// syncDir flushes a folder's entries (files and folders renamed into or
// out of it) to disk. A folder that is gone has nothing to flush. A
// variable so that a test can count the folders synced.
var syncDir = syncDirOS

func syncDirOS(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dirSet is the folders whose entries a table's write changed, each
// synced once at the end.
type dirSet map[string]struct{}

func (s dirSet) add(dir string) { s[dir] = struct{}{} }

// mkdirAll is os.MkdirAll recording the parent of every folder it creates.
func (s dirSet) mkdirAll(dir string) error {
	var created []string
	for p := dir; !isDir(p); p = filepath.Dir(p) {
		created = append(created, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range created {
		s.add(filepath.Dir(p))
	}
	return nil
}

// sync syncs the folders, deepest first.
func (s dirSet) sync() error {
	dirs := make([]string, 0, len(s))
	for d := range s {
		dirs = append(dirs, d)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}
