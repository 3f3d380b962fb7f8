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
		{"no version", "name: p\ntitle_vi: x\ntiers: [{name: A, min: 0}]\n", []string{"version: bắt buộc"}},
		{"unknown key", head + "bonus: 3\n", []string{"YAML sai cú pháp, hoặc có khóa không có trong phương pháp", "field bonus not found"}},
		{"survey code", head + "survey: khảo sát\n", []string{"survey: phải là mã lĩnh vực"}},
		{"negative cap", head + "penalty_cap: -1\n", []string{"penalty_cap: không được âm"}},
		{"bad from", head + "from: next year\n", []string{"from: kỳ không hợp lệ", "bad period"}},
		{"decimals", head + "decimals: 9\n", []string{"decimals: phải là số nguyên từ 0 đến 6"}},
		{"both feeds", head + "data: [{code: II, service_index: true, indicator: on_time, brackets: [{min: 0.9, points: 1}]}]\n", []string{"data[0]: chỉ chọn một: service_index"}},
		{"no feed", head + "data: [{code: II}]\n", []string{"data[0]: cần service_index: true"}},
		{"rate as percent", head + "data: [{code: II.1, indicator: on_time, brackets: [{min: 98, points: 3}]}]\n", []string{"brackets[0].min: phải là tỉ lệ từ 0 đến 1"}},
		{"brackets order", head + "data: [{code: II.1, indicator: on_time, brackets: [{min: 0.9, points: 1}, {min: 0.95, points: 2}]}]\n", []string{"brackets[1].min: các khoảng (brackets) phải liệt kê theo min từ cao xuống thấp"}},
		{"data under data", head + "data: [{code: II, service_index: true}, {code: II.1, service_index: true}]\n", []string{"II.1 nằm dưới II"}},
		{"tree order", head + "tree: [{code: I.1, name: a, max: 1}, {code: I, name: b, max: 1}]\n", []string{"tree[0].code: tiêu chí cha I phải được liệt kê trước I.1"}},
		{"tiers order", "name: p\nversion: \"1\"\ntitle_vi: x\ntiers: [{name: A, min: 0}, {name: B, min: 50}]\n", []string{"tiers[1].min: các mức xếp loại phải liệt kê theo min từ cao xuống thấp"}},
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
			if !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), "phương pháp PAR "+p+": ") {
				t.Errorf("%s: %v lacks %q or the file", c.name, err, w)
			}
		}
	}
}
