package warehouse

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cchc/cchc/internal/fileowner"
)

// PrepareDownloads makes DownloadDir(warehouse) ready for this process's
// downloads before a run fetches anything over HTTP. A missing folder is
// created owner-only; created by root (a `sudo cchc run`), it is given to
// the owner of the warehouse's folder, so that the service user's runs can
// still use it. A folder this process cannot write in (one that an earlier
// version's `sudo cchc validate` created, owned by root, mode 0700) fails
// with an error in Vietnamese naming it and how to fix it, instead of
// every HTTP file failing with "permission denied".
func PrepareDownloads(warehouse string) error {
	dir := DownloadDir(warehouse)
	err := os.Mkdir(dir, 0o700)
	switch {
	case err == nil:
		if os.Geteuid() == 0 {
			if err := giveToParentOwner(dir); err != nil {
				return fmt.Errorf("thư mục tải về %s: %w", dir, err)
			}
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("không tạo được thư mục tải về %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, "cchc-probe-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return notWritable(dir, err)
		}
		return fmt.Errorf("không ghi được vào thư mục tải về %s: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// giveToParentOwner gives dir the owner and group of its parent folder.
func giveToParentOwner(dir string) error {
	uid, gid, ok := fileowner.Of(filepath.Dir(dir))
	if !ok || uid == 0 {
		return nil
	}
	return os.Chown(dir, uid, gid)
}

// notWritable says whose dir is and what to do about it.
func notWritable(dir string, err error) error {
	owner := "?"
	if uid, _, ok := fileowner.Of(dir); ok {
		owner = fileowner.UserName(uid)
	}
	me := fileowner.UserName(os.Geteuid())
	return fmt.Errorf("không ghi được vào thư mục tải về %s: thư mục thuộc người dùng %s (có lẽ do một lệnh chạy bằng sudo tạo ra), "+
		"còn cchc đang chạy với người dùng %s; hãy xóa thư mục đó (sudo rm -r %s; lần chạy sau tự tạo lại) "+
		"hoặc giao nó cho %s (sudo chown -R %s %s) rồi chạy lại (%w)", dir, owner, me, dir, me, me, dir, err)
}

// Owns reports whether path exists and belongs to this process's user.
func Owns(path string) bool {
	uid, _, ok := fileowner.Of(path)
	return ok && uid == os.Geteuid()
}
