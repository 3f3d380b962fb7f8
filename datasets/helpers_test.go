package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchc/cchc/internal/testfixture"
	"github.com/cchc/cchc/units"
)

// testUnits is a small registry: three departments and a commune.
func testUnits(t testing.TB) *units.Registry {
	t.Helper()
	reg, err := units.Parse(strings.NewReader(`unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases
S.TP,Sở Tư pháp,department,,,,,
S.TC,Sở Tài chính,department,,,,,
S.NV,Sở Nội vụ,department,,,,,
X.TANLINH,UBND xã Tản Lĩnh,commune,,,,,Tản Lĩnh
`))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func writeXLSX(t testing.TB, dir, name string, rows [][]any, merges ...string) string {
	return testfixture.WriteXLSX(t, dir, name, rows, merges...)
}

func writeFile(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func input(t testing.TB, path string) Input {
	return Input{Path: path, Units: testUnits(t), Source: "par", File: filepath.Base(path), SHA256: "x", FileSeq: 1}
}

// sheetRows is testfixture.PARSheet (its comment draws the tree).
func sheetRows(unitLine string, ii1 any) [][]any { return testfixture.PARSheet(unitLine, ii1) }

var sheetMerges = testfixture.SheetMerges
