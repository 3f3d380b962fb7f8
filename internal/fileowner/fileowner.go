// Package fileowner reads who owns a file, so that what cchc run as root (an
// admin's cron job, a `sudo cchc run`) writes into the service user's
// folders stays the service user's. It is shared by warehouse (the
// downloads folder) and sources (each download in it).
package fileowner

import (
	"os"
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
