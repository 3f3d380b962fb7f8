package publish

import (
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

//go:embed report.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

// tierColours are the chart colours of the default tiers; other tiers are
// grey.
var tierColours = []struct{ tier, colour string }{
	{"Xuất sắc", "#1a7f37"},
	{"Tốt", "#4caf50"},
	{"Khá", "#f2b705"},
	{"Trung bình", "#f08c2e"},
	{"Yếu", "#d62d20"},
}

func tierColour(t string) string {
	for _, c := range tierColours {
		if c.tier == t {
			return c.colour
		}
	}
	return "#8c8c8c"
}

// Views of report.html: every number is formatted here, the template only
// places strings.
type (
	reportView struct {
		Title                    string
		Period, Dates, DataUntil string
		Provisional              string // the banner of a provisional period, "" when final
		StaleSources             []string
		Mergers                  []string
		Sections                 []sectionView
		Methods                  []methodView
		PAR                      []parSectionView // the CCHC index, when the period has it
	}
	sectionView struct {
		ID, Heading, Methodology, PeerCount string
		Chart                               chartView
		Legend                              []legendView
		Groups                              []string
		Rows                                []rowView
		Up, Down, Same, New                 int
		// Unranked: units without a rank this period (no data), with a
		// previous rank or not; New counts only ranked units without one.
		Unranked          int
		Stale, NA, NoData []string
		// BarsHTML, RowsHTML and MovesHTML are the chart's bars, the
		// component table's rows and the movement table's rows as the
		// template's loops over Chart.Bars and Rows write them
		// (prerender); empty, the template runs its loops.
		BarsHTML, RowsHTML, MovesHTML template.HTML
	}
	legendView struct{ Tier, Colour string }
	chartView  struct {
		Width, Height, Left, Plot int
		AxisY                     int // bottom of the plot area
		Ticks                     []tickView
		Bars                      []barView
	}
	tickView struct {
		X     string
		Label string
	}
	barView struct {
		Y, TextY, W, ValueX, Label, Title, Value, Colour string
	}
	rowView struct {
		Rank, Code, Name, Total, Tier, Colour string
		Cells                                 []cellView
		PrevRank, Arrow, Change, ScoreChange  string
		Dir                                   string // up, down, same, new
	}
	cellView   struct{ Text, W string }
	methodView struct {
		Heading string
		Groups  []methodGroup
	}
	methodGroup struct {
		Code, Name, NameEN, Max string
		Indicators              []string
	}
)

// Chart geometry, in SVG user units (pixels).
const (
	chartLeft  = 260 // labels
	chartPlot  = 420 // bars
	chartRight = 70  // values
	chartRow   = 22
	chartTop   = 8
	chartAxis  = 22
	cellBar    = 60 // width of a full inline bar in the component table
)

// writeReportHTML writes report.html: one self-contained page (inline CSS
// and SVG, nothing fetched) with, per ranking, a bar chart of total scores,
// the component breakdown, the movement since the previous period and the
// N/A and stale-data notes, then the methodology. It prints no clock
// time, not even the start of the run that built the data: the same
// inputs give the same page (docs/contract.md, "Publication"), whenever
// and however often they were loaded. The as-of a reader needs is the
// data's own, "Số liệu hồ sơ đến ngày …", the newest data_until.
func writeReportHTML(w io.Writer, pub publication) error {
	v := reportOf(pub)
	for i := range v.Sections {
		v.Sections[i].prerender()
	}
	return reportTmpl.Execute(w, v)
}

// reportOf is the view of report.html, its loops not prerendered.
func reportOf(pub publication) reportView {
	v := reportView{Title: "Chỉ số phục vụ người dân, doanh nghiệp — " + PeriodVI(pub.Period.Period),
		Period: pub.Period.Period, Dates: pub.Period.dates(), StaleSources: pub.StaleSources, Mergers: texts(pub.Mergers)}
	if len(pub.Rankings) == 0 && len(pub.PAR) > 0 {
		v.Title = parIndexTitle + " — " + strings.ToLower(PeriodVI(pub.Period.Period))
	}
	for _, t := range pub.PAR {
		v.PAR = append(v.PAR, parSectionOf(pub.Period.Period, t, pub.PARDecimals))
	}
	if pub.Period.Provisional {
		v.Provisional = pub.Period.provisionalNote()
	}
	var latest time.Time
	methods := map[string]bool{}
	for _, r := range pub.Rankings {
		methods[r.Methodology] = true
	}
	seenMethod := map[string]bool{}
	for _, r := range pub.Rankings {
		for _, row := range r.Rows {
			if row.DataUntil != nil && row.DataUntil.After(latest) {
				latest = *row.DataUntil
			}
		}
		v.Sections = append(v.Sections, sectionOf(r, len(methods) > 1))
		if id := r.Methodology + " " + r.Version; !seenMethod[id] {
			seenMethod[id] = true
			v.Methods = append(v.Methods, methodOf(r))
		}
	}
	if !latest.IsZero() {
		v.DataUntil = formatDate(latest)
	}
	return v
}

// prerender writes the loops of the template that repeat per unit (the
// chart's bars and the rows of the two tables) in Go, byte for byte as
// the template writes them (TestPrerenderMatchesTemplate): html/template
// calls its escapers by reflection, some 30 calls per unit, which made
// report.html the dearest file after the workbooks.
func (s *sectionView) prerender() {
	var b strings.Builder
	c := s.Chart
	left := strconv.Itoa(c.Left)
	for _, bar := range c.Bars {
		b.WriteString("\n<g>\n<title>")
		htmlText(&b, bar.Title)
		b.WriteString("</title>\n<text x=\"")
		b.WriteString(left)
		b.WriteString(`" y="`)
		htmlText(&b, bar.TextY)
		b.WriteString(`" text-anchor="end" dx="-6">`)
		htmlText(&b, bar.Label)
		b.WriteString("</text>\n<rect x=\"")
		b.WriteString(left)
		b.WriteString(`" y="`)
		htmlText(&b, bar.Y)
		b.WriteString(`" width="`)
		htmlText(&b, bar.W)
		b.WriteString(`" height="16" fill="`)
		htmlText(&b, bar.Colour)
		b.WriteString("\"></rect>\n<text x=\"")
		htmlText(&b, bar.ValueX)
		b.WriteString(`" y="`)
		htmlText(&b, bar.TextY)
		b.WriteString(`">`)
		htmlText(&b, bar.Value)
		b.WriteString("</text>\n</g>")
	}
	s.BarsHTML = template.HTML(b.String())
	b.Reset()
	for _, r := range s.Rows {
		b.WriteString("\n<tr><td class=\"num\">")
		htmlText(&b, r.Rank)
		b.WriteString("</td><td>")
		htmlText(&b, r.Name)
		b.WriteString("</td>")
		for _, cell := range r.Cells {
			b.WriteString(`<td class="num">`)
			htmlText(&b, cell.Text)
			b.WriteString(`<svg width="60" height="8" aria-hidden="true"><rect width="60" height="8" fill="#eef3f9"></rect><rect width="`)
			htmlText(&b, cell.W)
			b.WriteString(`" height="8" fill="#1f4e79"></rect></svg></td>`)
		}
		b.WriteString(`<td class="num">`)
		htmlText(&b, r.Total)
		b.WriteString(`</td><td><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="`)
		htmlText(&b, r.Colour)
		b.WriteString(`"></rect></svg> `)
		htmlText(&b, r.Tier)
		b.WriteString("</td></tr>")
	}
	s.RowsHTML = template.HTML(b.String())
	b.Reset()
	for _, r := range s.Rows {
		b.WriteString("\n<tr><td>")
		htmlText(&b, r.Name)
		b.WriteString(`</td><td class="num">`)
		htmlText(&b, r.PrevRank)
		b.WriteString(`</td><td class="num">`)
		htmlText(&b, r.Rank)
		b.WriteString(`</td><td class="`)
		htmlText(&b, r.Dir)
		b.WriteString(`">`)
		htmlText(&b, r.Arrow)
		b.WriteString(" ")
		htmlText(&b, r.Change)
		b.WriteString(`</td><td class="num">`)
		htmlText(&b, r.ScoreChange)
		b.WriteString("</td></tr>")
	}
	s.MovesHTML = template.HTML(b.String())
}

// htmlText writes s escaped as html/template escapes a string in text,
// in RCDATA (<title>) and in a quoted attribute that is neither a URL,
// nor script, nor style: NUL, '"', '&', '\”, '+', '<' and '>' replaced
// (its htmlReplacementTable), every other byte kept, invalid UTF-8
// included. All seven are ASCII, so bytes can be scanned one by one.
func htmlText(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		last = i + 1
	}
	b.WriteString(s[last:])
}

func sectionOf(r ranking, manyMethods bool) sectionView {
	s := sectionView{
		ID:          "xh-" + r.Stem,
		Heading:     "Xếp hạng " + strings.ToLower(peerLabel(r.PeerGroup)),
		Methodology: methodologyLabel(r.Title, r.Methodology, r.Version),
		PeerCount:   strconv.Itoa(len(r.Rows)),
	}
	if manyMethods {
		s.Heading += " (phương pháp " + r.Methodology + ")"
	}
	for _, g := range r.Groups {
		s.Groups = append(s.Groups, g.header())
	}
	scale := 0.0
	for _, g := range r.Groups {
		scale += g.Max
	}
	for _, row := range r.Rows {
		if row.Total != nil && *row.Total > scale {
			scale = *row.Total
		}
	}
	if scale <= 0 {
		scale = 100
	}
	s.Chart = chartOf(r, scale)
	tiers := map[string]bool{}
	for _, row := range r.Rows {
		tiers[row.Tier] = true
		s.Rows = append(s.Rows, rowOf(r, row))
		switch {
		case row.Rank == nil:
			s.Unranked++
		case row.RankChange == nil || row.PrevRank == nil:
			s.New++
		case *row.RankChange > 0:
			s.Up++
		case *row.RankChange < 0:
			s.Down++
		default:
			s.Same++
		}
		name := row.UnitName + " (" + row.UnitCode + ")"
		if row.Total == nil {
			s.NoData = append(s.NoData, name)
		} else if len(row.NA) > 0 {
			s.NA = append(s.NA, name+": "+strings.Join(row.NA, ", "))
		}
		if row.Stale && row.Total != nil {
			s.Stale = append(s.Stale, name+": "+row.staleNote())
		}
	}
	for _, c := range tierColours {
		if tiers[c.tier] {
			s.Legend = append(s.Legend, legendView{c.tier, c.colour})
		}
	}
	return s
}

func chartOf(r ranking, scale float64) chartView {
	c := chartView{
		Width: chartLeft + chartPlot + chartRight,
		Left:  chartLeft, Plot: chartPlot,
	}
	c.AxisY = chartTop + len(r.Rows)*chartRow
	c.Height = c.AxisY + chartAxis
	for i := 0; i <= 5; i++ {
		val := scale * float64(i) / 5
		c.Ticks = append(c.Ticks, tickView{
			X:     px(chartLeft + chartPlot*float64(i)/5),
			Label: formatMax(Round2(val)),
		})
	}
	for i, row := range r.Rows {
		y := float64(chartTop + i*chartRow)
		b := barView{
			Y:      px(y + 3),
			TextY:  px(y + chartRow/2 + 4),
			W:      "0",
			Colour: tierColour(row.Tier),
			Title:  row.UnitName + ": " + row.Tier,
		}
		b.Label = truncate(formatRank(row.Rank, nil)+". "+row.UnitName, 38)
		if row.Rank == nil {
			b.Label = truncate(row.UnitName, 38)
		}
		b.ValueX = px(chartLeft + 4)
		if row.Total != nil {
			w := chartPlot * clamp(*row.Total/scale)
			b.W = px(w)
			b.ValueX = px(chartLeft + w + 4)
			b.Value = FormatScore(*row.Total)
			b.Title += ", " + b.Value + " điểm"
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// unrankedChange is the movement of a unit without a rank this period,
// whether it had one before or not: as the notes list it ("Không có dữ
// liệu trong kỳ"), not as a unit new to the ranking.
const unrankedChange = "không có dữ liệu trong kỳ"

func rowOf(r ranking, row rankRow) rowView {
	v := rowView{
		Rank: formatRank(row.Rank, row.PeerCount), Code: row.UnitCode, Name: row.UnitName,
		Tier: row.Tier, Colour: tierColour(row.Tier),
		PrevRank: formatRank(row.PrevRank, row.PrevPeer),
		Dir:      "new", Arrow: "–", Change: "chưa có kỳ trước",
	}
	if row.Total != nil {
		v.Total = FormatScore(*row.Total)
	}
	for j, s := range row.Scores {
		cell := cellView{W: "0"}
		if s != nil {
			cell.Text = FormatScore(*s)
			if m := r.Groups[j].Max; m > 0 {
				cell.W = px(cellBar * clamp(*s/m))
			}
		} else {
			cell.Text = "–"
		}
		v.Cells = append(v.Cells, cell)
	}
	if row.Rank == nil {
		v.Change = unrankedChange
	} else if row.RankChange != nil && row.PrevRank != nil {
		v.Change = FormatRankChange(*row.RankChange)
		switch {
		case *row.RankChange > 0:
			v.Dir, v.Arrow = "up", "▲"
		case *row.RankChange < 0:
			v.Dir, v.Arrow = "down", "▼"
		default:
			v.Dir, v.Arrow = "same", "●"
		}
	}
	if row.ScoreChange != nil {
		v.ScoreChange = FormatScoreChange(*row.ScoreChange)
	}
	return v
}

func methodOf(r ranking) methodView {
	m := methodView{Heading: "Phương pháp: " + methodologyLabel(r.Title, r.Methodology, r.Version)}
	for _, g := range r.Groups {
		mg := methodGroup{Code: g.Code, Name: g.NameVI, NameEN: g.NameEN, Max: formatMax(g.Max)}
		for _, in := range r.Indicators {
			if in.Group == g.Code {
				mg.Indicators = append(mg.Indicators, in.Code+": tối đa "+formatMax(in.Max)+
					" điểm, đạt điểm tối đa khi tỷ lệ ≥ "+strings.Replace(FormatPercent(in.Threshold), ",00%", "%", 1))
			}
		}
		m.Groups = append(m.Groups, mg)
	}
	return m
}

func clamp(x float64) float64 {
	switch {
	case x < 0 || x != x:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// px renders a coordinate with at most one decimal.
func px(x float64) string {
	return strconv.FormatFloat(float64(int64(x*10+0.5))/10, 'f', -1, 64)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
