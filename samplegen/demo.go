// Package samplegen writes deterministic, realistic sample exports of
// Vietnamese one-stop (một cửa) dossier systems: the demo set of a
// province through the July 2025 reform (real place names of western Hà
// Nội, invented codes and people; units registry, config, exports in every format the
// loader reads, and a manifest of exactly what was planted) and one large
// CSV for benchmarks.
//
// Determinism: the same Options give byte-identical files with identical
// modification times. Randomness comes only from math/rand/v2 PCG streams
// seeded from Options.Seed; no map is iterated to decide output and the
// clock is never read. The data are invented: names, ID and phone numbers
// belong to nobody.
package samplegen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Options configure Demo.
type Options struct {
	Dossiers int    // distinct valid dossiers in the set; 0 means 15000, at least 1000
	Seed     uint64 // random seed; 0 means 1
}

func (o Options) withDefaults() (Options, error) {
	if o.Dossiers == 0 {
		o.Dossiers = 15000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Dossiers < 1000 {
		return o, fmt.Errorf("samplegen: %d dossiers is too few for every unit to get some (want at least 1000)", o.Dossiers)
	}
	return o, nil
}

// metaTime is the modification time of units.csv, cchc.yaml and
// manifest.json: after the last export.
var metaTime = time.Date(2026, 11, 6, 8, 0, 0, 0, ict)

// Demo writes the demo set into dir (created if needed):
//
//	units.csv        the unit registry (docs/contract.md format)
//	cchc.yaml        a config naming every source, relative paths
//	exports/<source>/<files>  the exports, each with its export time as mtime,
//	                 and the CCHC-index (PAR) inputs of 2024 and 2025
//	                 (scoring sheets, survey, bonus and penalty points)
//	manifest.json    what was written and what loading it must give (Manifest)
//
// Files of the set are overwritten; other files in dir are left alone, so
// dir should be empty or hold an earlier demo of the same options. Every
// source's file names sort in export order, so the loader's order (mtime,
// then path) holds even where a checkout resets modification times.
// The manifest's Totals.DistinctDossiers equals opts.Dossiers.
func Demo(dir string, opts Options) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	set, err := build(opts)
	if err != nil {
		return err
	}
	if err := writeFile(dir, "units.csv", unitsCSV(set.units), metaTime); err != nil {
		return err
	}
	if err := writeFile(dir, "cchc.yaml", configYAML(set.sources), metaTime); err != nil {
		return err
	}
	facts := make([]fileFacts, len(set.files))
	for i, f := range set.files {
		b, err := f.encode()
		if err != nil {
			return fmt.Errorf("samplegen: %s: %w", f.path, err)
		}
		sum := sha256.Sum256(b)
		facts[i] = fileFacts{sha256: hex.EncodeToString(sum[:]), size: len(b)}
		if err := writeFile(dir, f.path, b, f.win.export); err != nil {
			return err
		}
	}
	m := set.manifest(facts)
	if m.Totals.DistinctDossiers != opts.Dossiers {
		return fmt.Errorf("samplegen: internal error: %d distinct dossiers planned, %d written", opts.Dossiers, m.Totals.DistinctDossiers)
	}
	if m.PAR, err = planPAR(opts.Seed, set.units).write(dir); err != nil {
		return err
	}
	b, err := m.encode()
	if err != nil {
		return err
	}
	return writeFile(dir, "manifest.json", b, metaTime)
}

// encode renders a file's bytes.
func (f *fileOut) encode() ([]byte, error) {
	switch f.src.layout.kind {
	case kindCSV:
		return encodeCSV(f.src.layout, f.win.nfd, f.src.columns, f.rows)
	case kindXLSX:
		return encodeXLSX(f)
	case kindJSON, kindNDJSON:
		b, err := encodeJSON(f.src.columns, f.rows, f.src.layout.kind == kindNDJSON)
		if err == nil && f.win.nfd {
			b = norm.NFD.Bytes(b)
		}
		return b, err
	}
	return nil, fmt.Errorf("unknown layout")
}

// writeFile writes b to dir/rel and sets its modification time.
func writeFile(dir, rel string, b []byte, mtime time.Time) error {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	return os.Chtimes(p, mtime, mtime)
}

// configYAML renders cchc.yaml for the demo (docs/contract.md, "Config").
func configYAML(sources []*sourceSpec) []byte {
	var b strings.Builder
	b.WriteString(`# Cấu hình mẫu của cchc: phía tây Hà Nội 2024–2026 (mã H41 giả định) — dữ liệu do "cchc gen demo" tạo, không phải dữ liệu thật.
# Sample cchc configuration: western Hà Nội 2024–2026 (invented code H41) — generated data, not real people.
warehouse: ./cchc.duckdb          # kho dữ liệu DuckDB / DuckDB warehouse file
timezone: Asia/Ho_Chi_Minh        # múi giờ / time zone
periods: calendar                 # kỳ báo cáo: calendar | decree09 / reporting periods
units: ./units.csv                # danh mục đơn vị / unit registry
methodology: default              # bộ chỉ số mặc định / built-in methodology
sources:                          # nguồn dữ liệu / sources
`)
	for _, s := range sources {
		fmt.Fprintf(&b, "  # %s\n", s.comment)
		fmt.Fprintf(&b, "  - name: %s\n    kind: file\n    path: ./exports/%s/*.%s\n    format: auto\n", s.name, s.name, s.ext)
		if s.defaultUnit != "" {
			fmt.Fprintf(&b, "    unit: %s\n", s.defaultUnit)
		}
		if s.layout.kind == kindXLSX && s.layout.summary {
			fmt.Fprintf(&b, "    sheet: %s\n", s.layout.sheet)
		}
	}
	b.WriteString(parSourcesYAML)
	b.WriteString(`publish:                          # công bố kết quả / publications
  dir: ./out
  formats: [csv, xlsx, parquet, json, html]
schedule: "30 1 * * *"            # chạy lúc 01:30 hằng đêm / nightly at 01:30
`)
	return []byte(b.String())
}
