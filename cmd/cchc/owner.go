package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/internal/fileowner"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/warehouse"
)

// asFolderOwner makes a command that writes the warehouse (run, schedule,
// publish), started as root in a project whose warehouse folder belongs
// to another user (`sudo cchc run` in the service user's folder), run as
// that user from here on: every file it and DuckDB create, the WAL of a
// run killed mid-way included, is then the service user's, and the
// nightly that follows can open it (fileowner.Become says why this beats
// chowning each file).
//
// It switches only when that user, with its own groups, can do the whole
// run (read the config, the units, the CA files, each local source
// folder, and the warehouse and WAL it would adopt; open the lock file;
// write the warehouse folder and every folder of the publications), so
// that a root setup that worked goes on working. Otherwise, and when the
// user has no passwd entry or the switch itself fails, it stays root and
// warns: what this run creates is root's, and the service user's next run
// adopts the warehouse and its WAL (warehouse.Adopt) or names the chown.
// Root never chowns anything in a folder another user controls. Called
// once at the start: a `cchc schedule` that stays root stays root for
// every run. Outside that case it does nothing.
func asFolderOwner(cfg *config.Config, log *slog.Logger) {
	dir := filepath.Dir(cfg.Warehouse)
	uid, _, ok := fileowner.Of(dir)
	if !ok || uid == 0 || os.Geteuid() != 0 {
		return
	}
	stay := func(why ...string) {
		log.Warn("cchc chạy bằng root và ở lại root, không chuyển sang người dùng sở hữu thư mục kho dữ liệu: "+strings.Join(why, "; ")+
			". Các tệp lần chạy này tạo ra (kho dữ liệu, WAL, ảnh chụp, tệp xuất bản) sẽ thuộc root; lần chạy sau của người dùng đó tự nhận lại "+
			"kho dữ liệu và WAL, hoặc báo lệnh chown cần chạy", "dir", dir)
	}
	a, err := fileowner.Lookup(uid)
	if err != nil {
		stay(fmt.Sprintf("thư mục %s thuộc người dùng số %d, không có trong /etc/passwd", dir, uid))
		return
	}
	if missing := ownerCannot(cfg, a); len(missing) > 0 {
		stay(fmt.Sprintf("người dùng %s không làm được cả lần chạy: %s", a.User.Username, strings.Join(missing, "; ")))
		return
	}
	if err := fileowner.Become(a); err != nil {
		stay(fmt.Sprintf("không chuyển được sang người dùng %s (%v)", a.User.Username, err))
		return
	}
	// A warning, so that it shows on the operator's terminal too.
	log.Warn("cchc chạy bằng root: chuyển sang người dùng sở hữu thư mục kho dữ liệu, để mọi tệp nó tạo ra thuộc về người dùng đó",
		"user", a.User.Username, "dir", dir)
}

// ownerCannot lists, in Vietnamese, what of the run a cannot read or
// write.
func ownerCannot(cfg *config.Config, a fileowner.Account) []string {
	type check struct {
		what, path string
		need       fileowner.Need
	}
	checks := []check{
		{"tệp cấu hình", cfg.File, fileowner.Read},
		{"tệp danh mục đơn vị", cfg.Units, fileowner.Read},
		{"thư mục kho dữ liệu", filepath.Dir(cfg.Warehouse), fileowner.WriteIn},
		// What a root run left: the warehouse and its WAL the user's run
		// adopts when it can read them; the lock it must open as it is.
		{"kho dữ liệu", cfg.Warehouse, fileowner.Read},
		{"WAL của kho dữ liệu", cfg.Warehouse + ".wal", fileowner.Read},
		{"tệp khóa", warehouse.LockPath(cfg.Warehouse), fileowner.ReadWrite},
	}
	for _, s := range cfg.Sources {
		switch {
		case s.Kind == "file":
			checks = append(checks, check{"thư mục của nguồn " + s.Name, sources.Folder(s.Path), fileowner.List})
		case s.CAFile != "":
			checks = append(checks, check{"ca_file của nguồn " + s.Name, s.CAFile, fileowner.Read})
		}
	}
	// Publication folders are written in (files replaced by rename), the
	// lake's moved: every folder in them must be writable, not only the
	// top (a period's folder an older root run left root's).
	for _, out := range []struct{ what, dir string }{{"thư mục xuất bản (publish.dir)", cfg.Publish.Dir}, {"thư mục publish.lake", cfg.Publish.Lake}} {
		if out.dir == "" {
			continue
		}
		checks = append(checks, check{out.what, out.dir, fileowner.WriteIn})
		filepath.WalkDir(out.dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && p != out.dir {
				checks = append(checks, check{out.what, p, fileowner.WriteIn})
			}
			return nil
		})
	}
	var out []string
	for _, c := range checks {
		if c.path == "" {
			continue
		}
		err := a.Can(c.path, c.need)
		if err == nil {
			continue
		}
		if len(out) == 5 {
			out = append(out, "…")
			break
		}
		var pe *fs.PathError
		if errors.As(err, &pe) && errors.Is(err, fs.ErrPermission) {
			out = append(out, fmt.Sprintf("%s %s: không %s được %s", c.what, c.path, pe.Op, pe.Path))
		} else {
			out = append(out, fmt.Sprintf("%s %s: %v", c.what, c.path, err))
		}
	}
	return out
}
