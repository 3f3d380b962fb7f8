package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"golang.org/x/term"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/units"
)

// loadConfig reads the config and the unit registry, checks that every
// source's default unit exists, and fails with exit code 2 naming the key.
func loadConfig(g *globals) (*config.Config, *units.Registry, error) {
	cfg, err := config.Load(g.configPath, os.Environ())
	if err != nil {
		return nil, nil, usageErr(err)
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	for i, s := range cfg.Sources {
		if s.Unit != "" && !reg.Has(s.Unit) {
			return nil, nil, usageErr(&config.Error{File: cfg.File, Key: fmt.Sprintf("sources[%d].unit", i),
				Msg: fmt.Sprintf("unit %q is not in the unit registry %s", s.Unit, cfg.Units)})
		}
	}
	return cfg, reg, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger logs structured lines; on a terminal only warnings and errors,
// since the progress line and the summary say the rest.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if isTerminal(w) {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
