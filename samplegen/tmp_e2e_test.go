package samplegen

import (
	"errors"
	"io"
	"path/filepath"
	"sort"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

func TestTmpE2E(t *testing.T) {
	dir := t.TempDir()
	if err := Demo(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := units.Load(filepath.Join(dir, "units.csv"))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]*sourceSpec{}
	for _, s := range demoSources() {
		specs[s.name] = s
	}
	type ver struct{ unit, status, channel string }
	latest := map[string]ver{}
	unmapped := map[string]bool{}
	for _, fm := range m.Files {
		src := specs[fm.Source]
		opts := sources.DecodeOptions{Format: "auto", HeaderScore: transforms.HeaderScore}
		if src.layout.summary {
			opts.Sheet = src.layout.sheet
		}
		rr, err := sources.Open(filepath.Join(dir, fm.Path), opts)
		if err != nil {
			t.Fatalf("%s: %v", fm.Path, err)
		}
		var mp *transforms.Mapper
		rows := 0
		var bad []int
		var reasons []string
		for {
			rec, err := rr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", fm.Path, err)
			}
			rows += int(rec.NumRows())
			if mp == nil {
				mp, err = transforms.NewMapper(rr.Header(), transforms.MapOptions{Units: reg, DefaultUnit: src.defaultUnit, Source: src.name, File: fm.Path})
				if err != nil {
					t.Fatalf("%s: %v header %q", fm.Path, err, rr.Header())
				}
			}
			out, errs := mp.Apply(rr.Header(), rec)
			for _, e := range errs {
				bad = append(bad, int(e.Row))
				reasons = append(reasons, e.Reason)
			}
			code := out.Column(transforms.FDossierCode).(*array.String)
			unit := out.Column(transforms.FUnitCode).(*array.String)
			st := out.Column(transforms.FStatus).(*array.String)
			ch := out.Column(transforms.FChannel).(*array.String)
			q := out.Column(transforms.FQReason).(*array.String)
			for i := 0; i < int(out.NumRows()); i++ {
				if q.IsValid(i) {
					continue
				}
				latest[code.Value(i)] = ver{unit.Value(i), st.Value(i), ch.Value(i)}
			}
			out.Release()
			rec.Release()
		}
		rr.Close()
		for _, h := range mp.Mapping().Unmapped {
			unmapped[fm.Source+": "+h] = true
		}
		if rows != fm.Rows {
			t.Errorf("%s: read %d rows, manifest %d", fm.Path, rows, fm.Rows)
		}
		var want []int
		for _, b := range fm.BadRows {
			want = append(want, b.Row)
		}
		sort.Ints(bad)
		sort.Ints(want)
		if len(bad) != len(want) {
			t.Errorf("%s: bad rows %v (%q), manifest %v", fm.Path, bad, reasons, want)
			continue
		}
		for i := range bad {
			if bad[i] != want[i] {
				t.Errorf("%s: bad rows %v (%q), manifest %v", fm.Path, bad, reasons, want)
				break
			}
		}
		t.Logf("%s: %v %q", fm.Path, bad, reasons)
	}
	if len(latest) != m.Totals.DistinctDossiers {
		t.Errorf("distinct %d, manifest %d", len(latest), m.Totals.DistinctDossiers)
	}
	gotUnits := map[string]int{}
	gotStatus := map[string]int{}
	gotChan := map[string]map[string]int{}
	for _, v := range latest {
		gotUnits[v.unit]++
		gotStatus[v.status]++
		if gotChan[v.unit] == nil {
			gotChan[v.unit] = map[string]int{}
		}
		gotChan[v.unit][v.channel]++
	}
	for code, ue := range m.Units {
		if gotUnits[code] != ue.Dossiers {
			t.Errorf("unit %s: %d, manifest %d", code, gotUnits[code], ue.Dossiers)
		}
		for c, n := range ue.Channel {
			if gotChan[code][c] != n {
				t.Errorf("unit %s channel %s: %d, manifest %d", code, c, gotChan[code][c], n)
			}
		}
	}
	for s, n := range m.Status {
		if gotStatus[s] != n {
			t.Errorf("status %s: %d, manifest %d", s, gotStatus[s], n)
		}
	}
	var um []string
	for k := range unmapped {
		um = append(um, k)
	}
	sort.Strings(um)
	t.Logf("unmapped: %q", um)
}
