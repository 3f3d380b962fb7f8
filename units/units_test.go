package units

import (
	"strings"
	"testing"
)

const registry = "\ufeffunit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
	"H.BAVI,UBND huyện Ba Vì,district,,,,,Ba Vì|Bộ phận một cửa huyện Ba Vì\n" +
	"X.TANLINH,UBND xã Tản Lĩnh,commune,H.BAVI,2020-01-01,,,Tản Lĩnh\n" +
	"S.TP,Sở Tư pháp,department,,,,,STP\n"

func TestResolve(t *testing.T) {
	reg, err := Parse(strings.NewReader(registry))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"H.BAVI", "H.BAVI", true},
		{"h.bavi", "H.BAVI", true},
		{"UBND huyện Ba Vì", "H.BAVI", true},
		{"UBND HUYEN BA VI", "H.BAVI", true},
		{"ubnd  huyện  ba vì", "H.BAVI", true},
		{"Ba Vi", "H.BAVI", true},
		{"Bộ phận một cửa huyện Ba Vì", "H.BAVI", true},
		{"UBND xã Tản Lĩnh", "X.TANLINH", true},
		{"Tan Linh", "X.TANLINH", true},
		{"Sở Tư Pháp", "S.TP", true},
		{"so tu phap", "S.TP", true},
		{"stp", "S.TP", true},
		{"UBND huyện Thạch Thất", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := reg.Resolve(c.raw)
		if got != c.want || ok != c.ok {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", c.raw, got, ok, c.want, c.ok)
		}
	}
	if reg.Units[1].ValidFrom == nil || reg.Units[1].ValidFrom.Format("2006-01-02") != "2020-01-01" {
		t.Errorf("valid_from not parsed: %+v", reg.Units[1])
	}
	if got := strings.Join(reg.Units[0].Aliases, "|"); got != "Ba Vì|Bộ phận một cửa huyện Ba Vì" {
		t.Errorf("aliases = %q", got)
	}
}

// An alias shared by two units must not silently pick one of them.
func TestAmbiguousAlias(t *testing.T) {
	reg, err := Parse(strings.NewReader("unit_code,name,level,aliases\nA,Xã An Bình,commune,An Bình\nB,Phường An Bình,commune,An Bình\n"))
	if err != nil {
		t.Fatal(err)
	}
	if code, ok := reg.Resolve("An Bình"); ok {
		t.Errorf("ambiguous alias resolved to %s", code)
	}
	if code, _ := reg.Resolve("Xã An Bình"); code != "A" {
		t.Errorf("name should still resolve, got %q", code)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, csv, want string }{
		{"missing column", "unit_code,name\nA,B\n", `missing column "level"`},
		{"bad level", "unit_code,name,level\nA,B,province\n", "line 2: column level"},
		{"bad date", "unit_code,name,level,valid_from\nA,B,commune,01/01/2020\n", "line 2: column valid_from"},
		{"duplicate", "unit_code,name,level\nA,B,commune\nA,C,commune\n", "line 3: column unit_code: duplicate"},
		{"unknown parent", "unit_code,name,level,parent_code\nA,B,commune,Z\n", `parent_code "Z"`},
		{"empty", "unit_code,name,level\n", "no units"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.csv))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}
