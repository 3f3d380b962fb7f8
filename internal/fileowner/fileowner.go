// Package fileowner reads who owns a file, so that what cchc run as root (an
// admin's cron job, a `sudo cchc run`) writes into the service user's
// folders stays the service user's. cmd/cchc makes a root run Become the
// warehouse folder's owner when that user Can do the whole run; root never
// changes the owner of a file in a folder another user controls (a link
// planted there could make it give away any file). warehouse (the
// downloads folder) and sources (each download in it) use Of and Follow,
// which still matter where cchc stays root (validate, or a run the owner
// could not do).
package fileowner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
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

// Account is a user as its passwd and group entries describe it: what a
// process of that user (a login, `sudo -u`, a systemd service) has.
type Account struct {
	User   *user.User
	UID    int
	GID    int   // the primary group, from passwd
	Groups []int // the supplementary groups, from group, GID included
}

// Lookup reads uid's passwd and group entries. A uid without a passwd
// entry (a folder of a deleted user, or of a container's uid) is an error:
// a process switched to it would have groups nobody chose.
func Lookup(uid int) (Account, error) {
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return Account{}, fmt.Errorf("người dùng số %d không có trong /etc/passwd: %w", uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return Account{}, fmt.Errorf("nhóm chính %q của người dùng %s: %w", u.Gid, u.Username, err)
	}
	a := Account{User: u, UID: uid, GID: gid, Groups: []int{gid}}
	ids, err := u.GroupIds()
	if err != nil {
		return Account{}, fmt.Errorf("các nhóm của người dùng %s: %w", u.Username, err)
	}
	for _, s := range ids {
		if g, err := strconv.Atoi(s); err == nil && !slices.Contains(a.Groups, g) {
			a.Groups = append(a.Groups, g)
		}
	}
	return a, nil
}

// Need is what a process must be able to do with a path.
type Need int

const (
	Read      Need = iota // a file: read it
	List                  // a folder: list and read what is in it
	WriteIn               // a folder: create, replace and remove entries; when missing, its nearest existing parent
	ReadWrite             // a file: open it for reading and writing
)

// Can reports, from owners and mode bits alone, whether a process of a
// could do need with path (every folder on the way searchable, symlinks
// resolved as root sees them); the error names the path a lacks. ACLs are
// not read: a user they alone let in is reported as not able to, which at
// worst keeps a root run root's. A missing path is nil for Read and List
// (a run fails it the same whoever runs it).
func (a Account) Can(path string, need Need) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if need == WriteIn {
		// A folder a run would create: it creates it in the nearest
		// existing parent.
		for {
			if _, err := os.Stat(abs); err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.Dir(abs) == abs {
				break
			}
			abs = filepath.Dir(abs)
		}
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) && need != WriteIn {
		return nil
	}
	if err != nil {
		return err
	}
	// Every folder from / down must be searchable.
	parts := strings.Split(real, string(filepath.Separator))
	for i := 1; i < len(parts); i++ {
		dir := string(filepath.Separator) + filepath.Join(parts[1:i]...)
		if err := a.mode(dir, 0o1); err != nil {
			return err
		}
	}
	switch need {
	case Read:
		return a.mode(real, 0o4)
	case List:
		return a.mode(real, 0o5)
	case ReadWrite:
		return a.mode(real, 0o6)
	default:
		return a.mode(real, 0o3)
	}
}

// mode checks bits (0o4 read, 0o2 write, 0o1 search) of path for a, as the
// kernel does: the owner's bits when a owns it, else the group's when a is
// in its group, else the others'.
func (a Account) mode(path string, bits uint32) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: không đọc được chủ sở hữu", path)
	}
	perm := uint32(st.Mode().Perm())
	switch {
	case int(sys.Uid) == a.UID:
		perm >>= 6
	case slices.Contains(a.Groups, int(sys.Gid)):
		perm >>= 3
	}
	if perm&bits != bits {
		return &fs.PathError{Op: want(bits), Path: path, Err: fs.ErrPermission}
	}
	return nil
}

func want(bits uint32) string {
	switch bits {
	case 0o1:
		return "vào"
	case 0o4:
		return "đọc"
	case 0o5:
		return "liệt kê"
	case 0o6:
		return "đọc và ghi"
	default:
		return "ghi vào"
	}
}

// Become makes this process, running as root, the user a for good: its
// groups, primary group and user id from passwd and group, on every
// thread (DuckDB's included), with HOME, USER and LOGNAME set as a login
// sets them. When a step fails (a root without CAP_SETUID, in some
// containers) it puts back root's groups and group and returns the
// error: the process is then root still, as before the call.
//
// Why switch rather than chown what a root run creates: DuckDB creates
// files cchc never sees (the WAL at the first write after a checkpoint,
// spill files under <warehouse>.tmp), and a chown after the fact leaves a
// window in which a SIGKILL leaves the file root's. Created by the folder
// owner, every file is the owner's from its first byte, whatever kills
// the process and whatever file a later version adds. A root run then
// does what `sudo -u <owner> cchc run` does, which is what the service
// user's nightly can do anyway: it reads nothing the nightly could not.
func Become(a Account) error {
	if os.Geteuid() != 0 {
		return errors.New("không chạy bằng root")
	}
	oldGroups, err := syscall.Getgroups()
	if err != nil {
		return fmt.Errorf("getgroups: %w", err)
	}
	oldGID := os.Getegid()
	undo := func(err error) error {
		// Both succeed wherever the switch got this far (it needed the
		// same capability).
		_ = syscall.Setgroups(oldGroups)
		_ = syscall.Setgid(oldGID)
		return err
	}
	// Groups first, then the group, then the user: once the user id is
	// not 0 the process can no longer change the other two.
	if err := syscall.Setgroups(a.Groups); err != nil {
		return fmt.Errorf("setgroups %v: %w", a.Groups, err)
	}
	if err := syscall.Setgid(a.GID); err != nil {
		return undo(fmt.Errorf("setgid %d: %w", a.GID, err))
	}
	if err := syscall.Setuid(a.UID); err != nil {
		return undo(fmt.Errorf("setuid %d: %w", a.UID, err))
	}
	if os.Geteuid() != a.UID || os.Getegid() != a.GID {
		// Not reachable on Linux; if it were, the process is neither
		// root nor the user: stop rather than go on half switched.
		panic(fmt.Sprintf("fileowner: uid %d gid %d after switching to %d:%d", os.Geteuid(), os.Getegid(), a.UID, a.GID))
	}
	os.Setenv("HOME", a.User.HomeDir)
	os.Setenv("USER", a.User.Username)
	os.Setenv("LOGNAME", a.User.Username)
	return nil
}

// NotWritable rewrites a permission error from creating, replacing or
// removing an entry of a folder (a publication folder an older version's
// root run left root's) as a message naming the folder, its owner, this
// process's user and the chown that fixes it; other errors come back as
// they are.
func NotWritable(err error) error {
	if !errors.Is(err, fs.ErrPermission) {
		return err
	}
	var dir string
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &le):
		dir = filepath.Dir(le.New)
	case errors.As(err, &pe) && (pe.Op == "mkdir" || pe.Op == "open" || pe.Op == "remove" || pe.Op == "unlinkat"):
		dir = filepath.Dir(pe.Path)
	default:
		return err
	}
	owner := "?"
	if uid, _, ok := Of(dir); ok {
		owner = UserName(uid)
	}
	me := UserName(os.Geteuid())
	return fmt.Errorf("không ghi được vào thư mục %s: thư mục thuộc người dùng %s (có lẽ do một lần chạy bằng sudo để lại), còn cchc đang chạy "+
		"với người dùng %s. Hãy chạy: sudo chown -R %s:%s %s rồi chạy lại (%w)", dir, owner, me, me, GroupName(os.Getegid()), dir, err)
}

// UserName is uid's login name, or the number when it has none.
func UserName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return strconv.Itoa(uid)
}

// GroupName is gid's group name, or the number when it has none.
func GroupName(gid int) string {
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil && g.Name != "" {
		return g.Name
	}
	return strconv.Itoa(gid)
}
