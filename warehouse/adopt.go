package warehouse

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cchc/cchc/internal/fileowner"
)

// Adopt makes the warehouse file and its WAL this process's user's when
// another user (root, by a `sudo cchc run` of a version that did not yet
// switch to the folder's owner, or that stayed root) created them in a
// folder this user owns and this user cannot open them for reading and
// writing. DuckDB opens both read-write, so it cannot open a warehouse
// whose file or WAL it cannot write, even readable: every later run would
// fail. A file of another user that this user can open read-write (a
// warehouse shared through a group, mode 0664) is left as it is. Each
// file adopted is copied beside itself with the same bytes and mode,
// synced, and renamed over the original, then the folder is synced; the
// original is never changed, so a crash at any point leaves either it or
// an identical copy (an interrupted copy, ".cchc.duckdb.adopt-*", is
// removed by RemoveAdoptTemps). The caller holds the writer lock (no cchc
// writes them meanwhile); a shared fcntl lock on the warehouse file, the
// lock DuckDB itself takes, keeps any other program (the DuckDB CLI as
// root) from writing them while they are copied.
//
// When a file cannot be adopted (unreadable, a symlink, which a copy
// would replace by a regular file, or the folder is not this user's),
// Adopt fails, before anything is written, with a message in Vietnamese
// naming the files and the chown command that fixes them. Root adopts
// nothing.
func Adopt(warehouse string) error {
	me := os.Geteuid()
	if me == 0 {
		return nil
	}
	var foreign []string
	for _, p := range []string{warehouse, walPath(warehouse)} {
		st, err := os.Lstat(p)
		if err != nil || canReadWrite(p) {
			continue
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			target, terr := filepath.EvalSymlinks(p)
			if terr != nil {
				target = p
			}
			return fmt.Errorf("không mở được kho dữ liệu: %s là liên kết tượng trưng (symlink) tới %s, mà người dùng %s không mở được để đọc và ghi; "+
				"cchc không thay liên kết bằng một bản sao; chưa ghi gì. Hãy chạy: sudo chown %s:%s %s rồi chạy lại",
				p, target, fileowner.UserName(me), fileowner.UserName(me), fileowner.GroupName(os.Getegid()), target)
		}
		if uid, _, ok := fileowner.Of(p); ok && uid != me {
			foreign = append(foreign, p)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	dir := filepath.Dir(warehouse)
	if !Owns(dir) {
		return notAdopted(foreign, fmt.Errorf("thư mục %s không thuộc người dùng %s", dir, fileowner.UserName(me)))
	}
	// DuckDB's lock: a writer holds it exclusively for as long as it has
	// the file open; holding it shared keeps one from starting.
	db, err := os.Open(warehouse)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return notAdopted(foreign, err)
	}
	if db != nil {
		defer db.Close() // releases the fcntl lock
		lk := syscall.Flock_t{Type: syscall.F_RDLCK, Whence: io.SeekStart}
		if err := syscall.FcntlFlock(db.Fd(), syscall.F_SETLK, &lk); err != nil {
			return fmt.Errorf("kho dữ liệu %s: %w: %w", warehouse, ErrBusy, err)
		}
	}
	// The WAL first: until the file is adopted too, DuckDB still cannot
	// open the warehouse, and the next run adopts what is left.
	for i := len(foreign) - 1; i >= 0; i-- {
		// The warehouse is copied through the locked handle: closing any
		// other handle on it would drop this process's fcntl lock.
		src := db
		if foreign[i] != warehouse {
			src = nil
		}
		if err := adoptFile(foreign[i], src); err != nil {
			return notAdopted(foreign[:i+1], err)
		}
	}
	return syncDir(dir)
}

// canReadWrite reports whether this process can open path for reading
// and writing, as DuckDB does: owner, group and ACLs as the kernel judges
// them. Called before DuckDB opens the warehouse (or the adoption takes
// its fcntl lock), so closing the handle drops no lock of this process.
func canReadWrite(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// adoptTempPattern matches the copies adoptFile makes of path.
func adoptTempPattern(path string) string {
	return filepath.Join(filepath.Dir(path), globEscape("."+filepath.Base(path)+".adopt-")+"*")
}

// RemoveAdoptTemps removes the copies an adoption killed mid-way left
// beside the warehouse and its WAL (each as large as the file copied).
// The caller holds the writer lock: no adoption is running.
func RemoveAdoptTemps(warehouse string) ([]string, int64, error) {
	var all []string
	var total int64
	var errs error
	for _, p := range []string{warehouse, walPath(warehouse)} {
		files, size, err := removeLeftovers(adoptTempPattern(p), "bản sao dở dang của lần nhận lại kho dữ liệu", nil)
		all, total, errs = append(all, files...), total+size, errors.Join(errs, err)
	}
	return all, total, errs
}

// adoptFile replaces path with a copy of it made by this process; src,
// when not nil, is path open for reading.
func adoptFile(path string, src *os.File) error {
	if src == nil {
		var err error
		if src, err = os.Open(path); err != nil {
			return err
		}
		defer src.Close()
	}
	st, err := src.Stat()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".adopt-*") // adoptTempPattern
	if err != nil {
		return CheckDiskFull(err, path)
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Chmod(st.Mode().Perm())
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The copy is complete: a file still being written by someone
		// else would have changed size under the lock Adopt holds.
		if now, serr := os.Stat(path); serr != nil || now.Size() != st.Size() || !now.ModTime().Equal(st.ModTime()) {
			err = fmt.Errorf("%s bị thay đổi trong lúc đang sao chép (một chương trình khác đang ghi vào nó?)", path)
		}
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return CheckDiskFull(err, path)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// notAdopted says whose the files are and the command that gives them to
// this process's user.
func notAdopted(files []string, err error) error {
	owner := "?"
	if uid, _, ok := fileowner.Of(files[0]); ok {
		owner = fileowner.UserName(uid)
	}
	me, group := fileowner.UserName(os.Geteuid()), fileowner.GroupName(os.Getegid())
	if errors.Is(err, ErrDiskFull) {
		// The copy needs as much room as the file it replaces.
		var size int64
		for _, f := range files {
			if st, serr := os.Stat(f); serr == nil {
				size += st.Size()
			}
		}
		err = fmt.Errorf("nhận lại cần chỗ trống cỡ bằng các tệp đó, khoảng %s, trên đĩa chứa kho dữ liệu: %w", byteSize(uint64(size)), err)
	}
	return fmt.Errorf("không mở được kho dữ liệu: %s thuộc người dùng %s (có lẽ do một lần chạy bằng sudo để lại), còn cchc đang chạy với người dùng %s "+
		"và không tự nhận lại được (%w); chưa ghi gì. Hãy chạy: sudo chown %s:%s %s rồi chạy lại",
		strings.Join(files, ", "), owner, me, err, me, group, strings.Join(files, " "))
}
