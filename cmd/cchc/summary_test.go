package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pipeline"
)

// The summary's model line says which periods were rebuilt and how their
// counts were made.
func TestSummaryModelLine(t *testing.T) {
	five := []string{"2026", "2026-10", "2026-11", "2026-H2", "2026-Q4"}
	for _, c := range []struct {
		name string
		s    pipeline.Summary
		want string
	}{
		{"delta", pipeline.Summary{Modelled: true, ModelCounts: model.CountsDelta, RebuiltPeriods: five, TouchedPeriods: 4},
			"(5 kỳ, 4 kỳ có hồ sơ thay đổi, chỉ đếm các hồ sơ thay đổi)"},
		{"delta with new periods", pipeline.Summary{Modelled: true, ModelCounts: model.CountsDelta, RebuiltPeriods: five, TouchedPeriods: 4, NewPeriods: 2},
			"(5 kỳ, 4 kỳ có hồ sơ thay đổi, chỉ đếm các hồ sơ thay đổi, riêng 2 kỳ mới đếm mọi hồ sơ)"},
		{"full, delta", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsDelta, RebuiltPeriods: five, TouchedPeriods: 5},
			"(cả 5 kỳ, chỉ đếm các hồ sơ thay đổi)"},
		{"full, kept", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsKept, RebuiltPeriods: five, TouchedPeriods: 5},
			"(cả 5 kỳ, dùng số đếm đã lưu: không hồ sơ nào thay đổi từ lần đếm trước)"},
		{"full, kept, relabelled", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsKept, RebuiltPeriods: five, TouchedPeriods: 5, RelabelledCounts: 12},
			"(cả 5 kỳ, dùng số đếm đã lưu: không hồ sơ nào thay đổi từ lần đếm trước, chuyển 12 dòng số đếm sang đơn vị nay thay cho đơn vị khác)"},
		{"full, anew", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsAnew, RebuiltPeriods: five, TouchedPeriods: 5},
			"(cả 5 kỳ, đếm lại mọi hồ sơ)"},
	} {
		var b bytes.Buffer
		printSummary(&b, ".", &c.s, 0)
		var line string
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(l, "đã tính lại số liệu:") {
				line = l
			}
		}
		if want := "đã tính lại số liệu: periods, dossier_stats, indicator_values, index_scores " + c.want; line != want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, line, want)
		}
	}
}
