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
			"(5 periods, 4 of them with changed dossiers, counted from the changed dossiers alone)"},
		{"delta with new periods", pipeline.Summary{Modelled: true, ModelCounts: model.CountsDelta, RebuiltPeriods: five, TouchedPeriods: 4, NewPeriods: 2},
			"(5 periods, 4 of them with changed dossiers, counted from the changed dossiers alone, but for 2 new periods counted from every dossier)"},
		{"full, delta", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsDelta, RebuiltPeriods: five, TouchedPeriods: 5},
			"(all 5 periods, counted from the changed dossiers alone)"},
		{"full, kept", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsKept, RebuiltPeriods: five, TouchedPeriods: 5},
			"(all 5 periods, from the counts kept: no dossier changed since they were counted)"},
		{"full, kept, relabelled", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsKept, RebuiltPeriods: five, TouchedPeriods: 5, RelabelledCounts: 12},
			"(all 5 periods, from the counts kept: no dossier changed since they were counted, 12 count rows moved to the units now standing for others)"},
		{"full, anew", pipeline.Summary{Modelled: true, ModelFull: true, ModelCounts: model.CountsAnew, RebuiltPeriods: five, TouchedPeriods: 5},
			"(all 5 periods, every dossier counted)"},
	} {
		var b bytes.Buffer
		printSummary(&b, ".", &c.s, 0)
		var line string
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(l, "model rebuilt:") {
				line = l
			}
		}
		if want := "model rebuilt: periods, dossier_stats, indicator_values, index_scores " + c.want; line != want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, line, want)
		}
	}
}
