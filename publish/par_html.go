package publish

import (
	"strconv"
	"strings"
)

// The CCHC-index (PAR index) part of report.html: per peer group a bar per
// unit coloured by tier, under it each field's contribution, the tier
// counts, the units up and down, and the incomplete units. Built of plain
// HTML boxes with widths in percent, so that it reflows to a phone's 390 px
// as well as a desktop.

type (
	parSectionView struct {
		ID, Heading, Meta   string
		Provisional         string
		TierCounts          []legendView // Tier holds "Xuất sắc: 2"
		Fields              []parFieldView
		Rows                []parRowView
		Up, Down, Same, New int
		Incomplete          []string
	}
	parFieldView struct{ Label, Colour string }
	parRowView   struct {
		Label, Score, Width, Colour, Tier, Title string
		Segments                                 []parSegView
		Dir, Arrow, Change                       string
	}
	parSegView struct{ Width, Colour, Title string }
)

// fieldColours colour the fields of the contribution bars, in order.
var fieldColours = []string{"#1f4e79", "#2e86c1", "#48c9b0", "#7dcea0", "#f4d03f", "#eb984e", "#af7ac5", "#5d6d7e", "#a93226", "#117864"}

// pct renders a share (0..1) as a CSS percentage with one decimal.
func pct(x float64) string { return px(clamp(x)*100) + "%" }

func parSectionOf(period string, t parTable, decimals int) parSectionView {
	s := parSectionView{
		ID:      "cchc-" + t.stem(),
		Heading: parIndexTitle + " — " + peerLabel(t.PeerGroup),
	}
	if t.Provisional {
		s.Provisional = provisionalTitle + ": " + PeriodVI(period) + " chưa chốt số liệu; điểm và vị thứ chưa chính thức."
	}
	n := ranked(t)
	s.Meta = strconv.Itoa(n) + " đơn vị được xếp hạng; phương pháp: " + methodologyLabel(t.MethodologyTitle, t.Methodology, t.Version)
	if len(t.Rows) > 0 && t.Rows[0].PeerMean != nil {
		s.Meta += "; điểm bình quân " + FormatFixed(RoundN(*t.Rows[0].PeerMean, decimals), decimals)
	}
	for i, f := range t.Fields {
		label := f.Code + ". " + f.Name
		if f.Max != nil {
			label += " (" + formatMax(*f.Max) + ")"
		}
		s.Fields = append(s.Fields, parFieldView{label, fieldColours[i%len(fieldColours)]})
	}
	counts := map[string]int{}
	for _, r := range t.Rows {
		if r.Status != "ranked" {
			name := r.UnitName + " (" + r.UnitCode + ")"
			if r.Note != "" {
				name += ": " + r.Note
			}
			s.Incomplete = append(s.Incomplete, name)
			continue
		}
		counts[r.Tier]++
		v := parRowView{
			Label:  strconv.Itoa(derefInt(r.Rank)) + ". " + r.UnitName,
			Colour: tierColour(r.Tier), Tier: r.Tier, Width: "0%",
			Dir: "new", Arrow: "–", Change: "chưa có kỳ trước",
		}
		if r.Score != nil {
			v.Score = FormatFixed(RoundN(*r.Score, decimals), decimals)
			v.Width = pct(*r.Score / 100)
		}
		v.Title = r.UnitName + ": " + v.Score + " điểm, " + r.Tier
		if r.Max != nil && *r.Max > 0 {
			for j, fp := range r.Fields {
				if fp == nil || *fp <= 0 {
					continue
				}
				v.Segments = append(v.Segments, parSegView{
					Width:  pct(*fp / *r.Max),
					Colour: fieldColours[j%len(fieldColours)],
					Title:  t.Fields[j].Code + ": " + FormatFixed(RoundN(*fp, decimals), decimals) + " điểm",
				})
			}
		}
		if r.RankChange != nil {
			v.Change = FormatRankChange(*r.RankChange)
			switch {
			case *r.RankChange > 0:
				v.Dir, v.Arrow = "up", "▲"
				s.Up++
			case *r.RankChange < 0:
				v.Dir, v.Arrow = "down", "▼"
				s.Down++
			default:
				v.Dir, v.Arrow = "same", "●"
				s.Same++
			}
			if r.ScoreChange != nil {
				d := RoundN(*r.ScoreChange, decimals)
				sign := ""
				if d > 0 {
					sign = "+"
				}
				v.Change += ", " + sign + FormatFixed(d, decimals) + " điểm"
			}
		} else if r.PreviousRank == nil {
			// Only ranked units get here (unranked ones are listed under
			// Incomplete): "Chưa có kỳ trước" is a ranked unit without a
			// previous rank, never one without a rank now.
			s.New++
		}
		s.Rows = append(s.Rows, v)
	}
	for _, c := range tierColours {
		if counts[c.tier] > 0 {
			s.TierCounts = append(s.TierCounts, legendView{c.tier + ": " + strconv.Itoa(counts[c.tier]), c.colour})
			delete(counts, c.tier)
		}
	}
	var other []string
	for tier := range counts {
		other = append(other, tier)
	}
	sortStrings(other)
	for _, tier := range other {
		s.TierCounts = append(s.TierCounts, legendView{tier + ": " + strconv.Itoa(counts[tier]), tierColour(tier)})
	}
	return s
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && strings.Compare(s[j], s[j-1]) < 0; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
