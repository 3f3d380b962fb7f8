// Package fileowner reads who owns a file, so that what cchc run as root (an
// admin's cron job, a `sudo cchc run`) writes into the service user's
// folders stays the service user's. cmd/cchc makes a root run Become the
// folder's owner (after HandOver of what older versions left root's);
// warehouse (the downloads folder) and sources (each download in it) use
// Of and Follow, which still matter where cchc stays root (validate).
package fileowner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Of returns the user and group owning path; ok is false when it cannot
// be read or the system has no such notion.
func Of(path string) (uid, gid int, ok bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(sys.Uid), int(sys.Gid), true
}

// Follow gives f, just created in the folder dir, dir's owner and group
// when this process runs as root and dir belongs to another user; else it
// does nothing. Called before anything is written to f, so that whatever
// becomes of the process, f is dir's owner's to open and remove.
func Follow(f *os.File, dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid, ok := Of(dir)
	if !ok || uid == 0 {
		return nil
	}
	return f.Chown(uid, gid)
}

// Become makes this process, when it runs as root and dir belongs to
// another user, that user for good: the user's groups, group and user id,
// on every thread (DuckDB's included), with HOME set to the user's home.
// It returns the user switched to, or ok false when nothing changed (not
// root, or dir is root's, or its owner cannot be read).
//
// Why switch rather than chown what a root run creates: DuckDB creates
// files cchc never sees (the WAL at the first write after a checkpoint,
// spill files under <warehouse>.tmp), and a chown after the fact leaves a
// window in which a SIGKILL leaves the file root's. Created by the folder
// owner, every file is the owner's from its first byte, whatever kills
// the process and whatever file a later version adds. A root run then
// does what `sudo -u <owner> cchc run` does, which is what the service
// user's nightly can do anyway: it reads nothing the nightly could not.
func Become(dir string) (u *user.User, ok bool, err error) {
	if os.Geteuid() != 0 {
		return nil, false, nil
	}
	uid, gid, ok := Of(dir)
	if !ok || uid == 0 {
		return nil, false, nil
	}
	groups := []int{gid}
	u, lerr := user.LookupId(strconv.Itoa(uid))
	if lerr == nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, s := range ids {
				if g, err := strconv.Atoi(s); err == nil && g != gid {
					groups = append(groups, g)
				}
			}
		}
	} else {
		u = &user.User{Uid: strconv.Itoa(uid), Gid: strconv.Itoa(gid), Username: strconv.Itoa(uid)}
	}
	// Groups first, then the group, then the user: once the user id is
	// not 0 the process can no longer change the other two.
	if err := syscall.Setgroups(groups); err != nil {
		return nil, false, fmt.Errorf("setgroups %v: %w", groups, err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return nil, false, fmt.Errorf("setgid %d: %w", gid, err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return nil, false, fmt.Errorf("setuid %d: %w", uid, err)
	}
	if os.Geteuid() != uid || os.Getegid() != gid {
		return nil, false, fmt.Errorf("still uid %d gid %d after switching to %d:%d", os.Geteuid(), os.Getegid(), uid, gid)
	}
	if u.HomeDir != "" {
		os.Setenv("HOME", u.HomeDir)
	}
	return u, true, nil
}

// HandOver gives uid and gid to what root owns among the entries of dir
// whose names match (and everything under those that are folders), when
// the entry's folder belongs to uid: the files that a root run of an
// earlier version, which did not yet Become the folder owner, left in the
// service user's folders (warehouse, WAL, lock, snapshot, publications).
// It descends only into folders uid owns, walks through an os.Root opened
// on dir and changes owners without following symlinks, so a link the
// folder's owner planted cannot make root give away a file outside dir.
// A missing dir or a file removed meanwhile is not an error. It returns
// the paths changed.
func HandOver(dir string, match func(name string) bool, uid, gid int) ([]string, error) {
	r, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	owner := func(name string) (int, bool) {
		st, err := r.Lstat(name)
		if err != nil {
			return 0, false
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if !ok {
			return 0, false
		}
		return int(sys.Uid), true
	}
	var changed []string
	err = fs.WalkDir(r.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || name == "." {
			return err
		}
		if !strings.Contains(name, "/") && !match(name) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		o, ok := owner(name)
		if !ok {
			return nil
		}
		if parent, ok := owner(path.Dir(name)); o == 0 && ok && parent == uid {
			if err := r.Lchown(name, uid, gid); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			o = uid
			changed = append(changed, filepath.Join(dir, filepath.FromSlash(name)))
		}
		if d.IsDir() && o != uid {
			return fs.SkipDir
		}
		return nil
	})
	return changed, err
}
