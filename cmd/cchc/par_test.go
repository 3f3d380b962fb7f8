package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchc/cchc/internal/testfixture"
)

// `cchc validate` shows, for a scoring sheet, the unit found, the period,
// the header mapping and the tree read.
func TestValidateScoringSheet(t *testing.T) {
	dir := project(t, "  - name: sheets\n    path: ./sheets/*.xlsx\n    dataset: par_appraisal\n", "")
	if err := os.MkdirAll(filepath.Join(dir, "sheets"), 0o755); err != nil {
		t.Fatal(err)
	}
	testfixture.WriteXLSX(t, filepath.Join(dir, "sheets"), "stp.xlsx", testfixture.PARSheet("Đơn vị: Sở Tư pháp", 3.0), testfixture.SheetMerges...)
	r := cchc(t, dir, nil, "validate")
	for _, want := range []string{
		"dataset: par_appraisal",
		`đơn vị S.TP (dòng tiêu đề: "Sở Tư pháp"), kỳ 2025`,
		`"Thẩm định" → appraised_points`,
		"cây tiêu chí: 3 lĩnh vực, 5 tiêu chí, 2 tiêu chí thành phần",
		"    I.1.2    Mức độ hoàn thành kế hoạch — tối đa 2",
		"III      Điều tra xã hội học — tối đa 30 [điều tra xã hội học]",
		"bị loại: tiêu chí II.1",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("validate lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if r.code != 0 {
		t.Errorf("exit %d", r.code)
	}
}
