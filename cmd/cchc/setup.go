package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// loadConfig reads the config and the unit registry, checks that every
// source's default unit exists, and fails with exit code 2 naming the key.
func loadConfig(g *globals) (*config.Config, *units.Registry, error) {
	cfg, err := config.Load(g.configPath, os.Environ())
	if err != nil {
		return nil, nil, usageErr(configErr(err))
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		return nil, nil, usageErr(fmt.Errorf("danh mục đơn vị có lỗi, chưa làm gì; hãy sửa chỗ được nêu rồi chạy lại: %w", err))
	}
	// A methodology that does not load would fail every run late.
	if _, err := model.LoadMethodology(cfg.Methodology); err != nil {
		return nil, nil, usageErr(configErr(&config.Error{File: cfg.File, Key: "methodology", Msg: err.Error()}))
	}
	if _, err := model.LoadPARMethodology(cfg.PAR.Methodology); err != nil {
		return nil, nil, usageErr(configErr(&config.Error{File: cfg.File, Key: "par.methodology", Msg: err.Error()}))
	}
	for i, s := range cfg.Sources {
		if s.Unit != "" && !reg.Has(s.Unit) {
			return nil, nil, usageErr(configErr(&config.Error{File: cfg.File, Key: fmt.Sprintf("sources[%d].unit", i),
				Msg: fmt.Sprintf("đơn vị %q không có trong danh mục đơn vị %s; thêm đơn vị vào danh mục hoặc sửa khóa unit của nguồn (unit is not in the unit registry)", s.Unit, cfg.Units)}))
		}
	}
	return cfg, reg, nil
}

// configErr leads a config error with what to do, in Vietnamese.
func configErr(err error) error {
	return fmt.Errorf("cấu hình có lỗi, chưa làm gì; hãy sửa chỗ được nêu rồi chạy lại: %w", err)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger logs structured lines; on a terminal only warnings and errors,
// since the progress line and the summary say the rest.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	tty := w
	if c, ok := w.(lineClearer); ok {
		tty = c.w
	}
	if isTerminal(tty) {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// openRead opens the warehouse for reading. preferLive tries the warehouse
// itself first and falls back to the analysts' snapshot while a run holds
// it (DuckDB lets no other process open a file a writer has open); without
// preferLive the snapshot is read when it exists.
func openRead(cmd *cobra.Command, cfg *config.Config, preferLive, sandboxed bool) (*warehouse.Warehouse, error) {
	opts := warehouse.Options{ReadOnly: true, Sandboxed: sandboxed, MemoryLimit: cfg.MemoryLimit}
	snap := warehouse.SnapshotPath(cfg.Warehouse)
	_, serr := os.Stat(snap)
	if serr == nil && warehouse.SnapshotWAL(cfg.Warehouse) {
		fmt.Fprintf(cmd.ErrOrStderr(), "cchc: cảnh báo: có tệp %s.wal: ai đó đã mở bản chụp để ghi và đã sửa nó; "+
			"số liệu đọc ra có thể khác kho dữ liệu cho đến khi lần chạy sau thay bản chụp; muốn ghi thì hãy mở một bản sao "+
			"(the snapshot was opened read-write and changed)\n", snap)
	}
	if !preferLive && serr == nil {
		return warehouse.Open(cmd.Context(), snap, opts)
	}
	if serr != nil {
		if err := checkWarehouseExists(cfg.Warehouse); err != nil {
			return nil, err
		}
	}
	w, err := warehouse.Open(cmd.Context(), cfg.Warehouse, opts)
	if err != nil && serr == nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "cchc: kho dữ liệu đang bận; đọc bản chụp (snapshot) của lần chạy thành công gần nhất, %s (the warehouse is busy: %v)\n", snap, err)
		return warehouse.Open(cmd.Context(), snap, opts)
	}
	return w, err
}

// checkWarehouseExists fails, saying what to do, when the warehouse file
// is not there: DuckDB's own message ("database does not exist") does not
// say that a first cchc run creates it.
func checkWarehouseExists(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("không mở được kho dữ liệu %s: chưa có; hãy chạy `cchc run` trước, hoặc kiểm tra khóa warehouse trong cấu hình (database does not exist)", path)
	}
	return nil
}

// checkSources fails with a usage error when names are not all configured
// sources.
func checkSources(cfg *config.Config, names []string) error {
	known := map[string]bool{}
	for _, s := range cfg.Sources {
		known[s.Name] = true
	}
	for _, n := range names {
		if !known[n] {
			return usageErr(fmt.Errorf("--source %s: không có nguồn này trong %s (no such source)", n, cfg.File))
		}
	}
	return nil
}
