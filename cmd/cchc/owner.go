package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/internal/fileowner"
	"github.com/cchc/cchc/warehouse"
)

// asFolderOwner makes a command that writes the warehouse (run, schedule,
// publish), started as root in a project folder that belongs to another
// user (`sudo cchc run` in the service user's folder), run as that user
// from here on: every file it and DuckDB create, the WAL of a run killed
// mid-way included, is then the service user's, and the nightly that
// follows can open it (fileowner.Become says why this beats chowning each
// file). First, while still root, it gives that user back what root owns
// of the warehouse's files and the publication folders, which root runs
// of earlier versions left. Outside that case it does nothing.
func asFolderOwner(cfg *config.Config, log *slog.Logger) error {
	dir := filepath.Dir(cfg.Warehouse)
	uid, gid, ok := fileowner.Of(dir)
	if !ok || uid == 0 || os.Geteuid() != 0 {
		return nil
	}
	handed, err := fileowner.HandOver(dir, func(name string) bool { return warehouse.IsOwnFile(cfg.Warehouse, name) }, uid, gid)
	for _, out := range []string{cfg.Publish.Dir, cfg.Publish.Lake} {
		if out != "" {
			more, oerr := fileowner.HandOver(filepath.Dir(out), func(name string) bool { return name == filepath.Base(out) }, uid, gid)
			handed, err = append(handed, more...), errors.Join(err, oerr)
		}
	}
	if err != nil {
		// Only files of older versions' root runs are at stake: the run
		// goes on, and the service user's run names any it cannot open.
		log.Error("không giao lại được cho chủ thư mục các tệp do root tạo", "dir", dir, "err", err)
	}
	if len(handed) > 0 {
		log.Warn("đã giao lại cho chủ thư mục các tệp mà một lần chạy bằng root trước đây để lại", "dir", dir, "files", len(handed))
	}
	u, switched, err := fileowner.Become(dir)
	if err != nil {
		return failedErr(fmt.Errorf("cchc chạy bằng root nhưng không chuyển được sang người dùng sở hữu thư mục %s; chưa làm gì; "+
			"hãy chạy bằng người dùng đó (sudo -u <người dùng> cchc ...): %w", dir, err))
	}
	if switched {
		// A warning, so that it shows on the operator's terminal too: a
		// source only root can read fails from here on, as it would in
		// the nightly.
		log.Warn("cchc chạy bằng root: chuyển sang người dùng sở hữu thư mục kho dữ liệu, để mọi tệp nó tạo ra thuộc về người dùng đó",
			"user", u.Username, "dir", dir)
	}
	return nil
}
