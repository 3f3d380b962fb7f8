package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadValid(t *testing.T) {
	cfg, err := Load("testdata/valid.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := filepath.Abs("testdata")
	if cfg.Warehouse != filepath.Join(dir, "cchc.duckdb") {
		t.Errorf("warehouse not resolved against the config folder: %s", cfg.Warehouse)
	}
	if cfg.Units != filepath.Join(dir, "units.csv") {
		t.Errorf("units = %s", cfg.Units)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Path != filepath.Join(dir, "exports/ba-vi/*.xlsx") || cfg.Sources[0].Unit != "H.BAVI" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if cfg.Location.String() != "Asia/Ho_Chi_Minh" || cfg.Periods != "calendar" || cfg.Methodology != "default" {
		t.Errorf("cfg = %+v", cfg)
	}
	if cfg.LockTimeout != 10*time.Minute {
		t.Errorf("default lock_timeout = %s", cfg.LockTimeout)
	}
	if got := strings.Join(cfg.Publish.Formats, ","); got != "csv,xlsx,parquet,json,html" {
		t.Errorf("formats = %s", got)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"CCHC_WAREHOUSE=/tmp/other.duckdb",
		"CCHC_PUBLISH_DIR=/srv/out",
		"CCHC_LOCK_TIMEOUT=30s",
		"CCHC_PERIODS=decree09",
		"CCHC_PUBLISH_FORMATS=csv,json",
		"HOME=/root", // not ours
	}
	cfg, err := Load("testdata/valid.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse != "/tmp/other.duckdb" || cfg.Publish.Dir != "/srv/out" || cfg.LockTimeout != 30*time.Second || cfg.Periods != "decree09" {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if got := strings.Join(cfg.Publish.Formats, ","); got != "csv,json" {
		t.Errorf("formats = %s", got)
	}
	if _, err := Load("testdata/valid.yaml", []string{"CCHC_PERIODS=weekly"}); err == nil || !strings.Contains(err.Error(), "periods") {
		t.Errorf("a bad override must fail naming the key, got %v", err)
	}
}

// Each bad config must fail before anything is written, naming the key and
// the line where the file has one.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"bad-periods.yaml", []string{"bad-periods.yaml:3", "periods", "calendar or decree09"}},
		{"bad-source-name.yaml", []string{"sources[1].name", "[a-z0-9-]"}},
		{"bad-schedule.yaml", []string{"bad-schedule.yaml:6", "schedule"}},
		{"missing-warehouse.yaml", []string{"warehouse", "required"}},
		{"unknown-key.yaml", []string{"unknown-key.yaml:3", "warehous", "unknown key"}},
		{"bad-kind.yaml", []string{"sources[0].kind", "file or http"}},
		{"malformed.yaml", []string{"malformed YAML", "line"}},
		{"missing-units.yaml", []string{"missing-units.yaml:2", "units", "not found"}},
		{"bad-lock-timeout.yaml", []string{"lock_timeout", "duration"}},
		{"bad-format.yaml", []string{"publish.formats", "pdf"}},
		{"does-not-exist.yaml", []string{"does-not-exist.yaml", "not found"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", c.file), nil)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
