package model

import (
	"path/filepath"
	"strings"
	"testing"
)

// The built-in PAR methodology loads and scores from the sheets alone.
func TestPARDefault(t *testing.T) {
	m, err := LoadPARMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "par_default" || m.Version == "" || len(m.Data) != 0 || len(m.Tree) != 0 || len(m.Tiers) != 5 || m.Tiers[0].Min != 90 {
		t.Errorf("default = %+v", m)
	}
	if d := *m.PublishedDecimals(-1); d != 2 {
		t.Errorf("decimals %d, want 2", d)
	}
	if d := *m.PublishedDecimals(3); d != 3 {
		t.Errorf("configured decimals %d, want 3", d)
	}
}

// Each bad methodology fails with the key named.
func TestPARMethodologyErrors(t *testing.T) {
	head := "name: p\nversion: \"1\"\ntitle_vi: Chỉ số\ntiers: [{name: A, min: 50}, {name: B, min: 0}]\n"
	cases := []struct {
		name, body string
		want       []string
	}{
		{"no version", "name: p\ntitle_vi: x\ntiers: [{name: A, min: 0}]\n", []string{"version: required"}},
		{"unknown key", head + "bonus: 3\n", []string{"field bonus not found"}},
		{"survey code", head + "survey: khảo sát\n", []string{"survey: must be a field code"}},
		{"negative cap", head + "penalty_cap: -1\n", []string{"penalty_cap: must not be negative"}},
		{"bad from", head + "from: next year\n", []string{"from:", "bad period"}},
		{"decimals", head + "decimals: 9\n", []string{"decimals: must be 0 to 6"}},
		{"both feeds", head + "data: [{code: II, service_index: true, indicator: on_time, brackets: [{min: 0.9, points: 1}]}]\n", []string{"data[0]: either service_index"}},
		{"no feed", head + "data: [{code: II}]\n", []string{"data[0]: needs service_index"}},
		{"rate as percent", head + "data: [{code: II.1, indicator: on_time, brackets: [{min: 98, points: 3}]}]\n", []string{"brackets[0].min: must be a rate in [0, 1]"}},
		{"brackets order", head + "data: [{code: II.1, indicator: on_time, brackets: [{min: 0.9, points: 1}, {min: 0.95, points: 2}]}]\n", []string{"brackets[1].min: brackets must be listed from the highest min down"}},
		{"data under data", head + "data: [{code: II, service_index: true}, {code: II.1, service_index: true}]\n", []string{"II.1 lies under II"}},
		{"tree order", head + "tree: [{code: I.1, name: a, max: 1}, {code: I, name: b, max: 1}]\n", []string{"tree[0].code: parent I must be listed before I.1"}},
		{"tiers order", "name: p\nversion: \"1\"\ntitle_vi: x\ntiers: [{name: A, min: 0}, {name: B, min: 50}]\n", []string{"tiers[1].min"}},
	}
	dir := t.TempDir()
	for _, c := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
		if err := osWriteFile(p, c.body); err != nil {
			t.Fatal(err)
		}
		_, err := LoadPARMethodology(p)
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), p) {
				t.Errorf("%s: %v lacks %q or the file", c.name, err, w)
			}
		}
	}
}
