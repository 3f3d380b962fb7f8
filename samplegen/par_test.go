package samplegen

import (
	"strconv"
	"strings"
	"testing"
)

// The demo's PAR plan: one sheet per unit standing at each year's end (6
// departments, 4 districts and 8 old communes in 2024; 4 departments and
// 10 new communes in 2025, two of them CSV), plus xã Suối Hai's first 2025 sheet, whose
// III.2 lost its decimal comma ("4,5" → "45", above the maximum 6) and
// which the corrected one replaces; every tree sums to 100 with the survey
// field (30 for departments, 35 for the others) left empty; parents carry
// their leaves' sums.
func TestPARPlan(t *testing.T) {
	p := planPAR(1, registry())
	count := map[string]int{}
	for _, s := range p.sheets {
		key := strconv.Itoa(s.year)
		if s.csv {
			key += "/csv"
		}
		if s.withBad {
			key += "/bad"
		}
		count[key]++
		var max, survey float64
		for i, r := range s.rows {
			if r.leaf {
				max += r.max
				if r.survey {
					survey += r.max
				}
				continue
			}
			var self, apr float64
			for _, c := range s.rows[i+1:] {
				if c.depth <= r.depth {
					break
				}
				if c.leaf && !c.na {
					self, apr = self+c.self, apr+c.apr
				}
			}
			if self != r.self || apr != r.apr {
				t.Errorf("%s %s: written %v/%v, leaves %v/%v", s.path, r.code, r.self, r.apr, self, apr)
			}
		}
		want := 35.0
		if s.unit.Level == "department" {
			want = 30
		}
		if max != 100 || survey != want {
			t.Errorf("%s: maximum %v, survey %v; want 100, %v", s.path, max, survey, want)
		}
		for _, r := range s.rows {
			if r.bad == "" {
				continue
			}
			if !s.withBad || r.code != parRetryAt {
				t.Errorf("%s: bad cell %q on %s", s.path, r.bad, r.code)
			}
			if v, err := strconv.ParseFloat(r.bad, 64); err != nil || v <= r.max || strings.ReplaceAll(fmtComma(r.apr), ",", "") != r.bad {
				t.Errorf("%s %s: bad cell %q for %v (max %v)", s.path, r.code, r.bad, r.apr, r.max)
			}
		}
	}
	if count["2024"] != 18 || count["2025"] != 12 || count["2025/csv"] != 2 || count["2025/bad"] != 1 {
		t.Errorf("sheets %v, want 18 in 2024; 12 XLSX, 2 CSV and 1 bad in 2025", count)
	}
	if len(p.scores) != 32 {
		t.Fatalf("%d scores, want 18 + 14", len(p.scores))
	}
	for _, s := range p.scores {
		if s.Score <= 0 || s.Score > 100 || s.Status != "ranked" {
			t.Errorf("%+v", s)
		}
	}
	// By hand: H41.STP's 2025 bonus is +1 (the adjustment file), so its
	// total is 1 above its sheet's appraised points plus its survey share.
	var stp PARScore
	for _, s := range p.scores {
		if s.Period == "2025" && s.Unit == "H41.STP" {
			stp = s
		}
	}
	sheet := p.current(2025, "H41.STP")
	var apr float64
	for _, r := range sheet.rows {
		if r.leaf && !r.survey && !r.na {
			apr += r.apr
		}
	}
	var rate float64
	for _, r := range p.extras[len(p.extras)-2].rows { // the 2025 survey
		if r[1] == "Sở Tư pháp" {
			rate, _ = strconv.ParseFloat(strings.ReplaceAll(r[3], ",", "."), 64)
		}
	}
	if want := apr + 30*rate/100 + 1; stp.Total != want {
		t.Errorf("H41.STP 2025 total %v, want %v", stp.Total, want)
	}
}
