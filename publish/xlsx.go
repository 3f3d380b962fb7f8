package publish

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// rankingTitleRows are the rows above the header of ranking-<peer_group>.xlsx:
// the title, so that a provisional ranking says so on screen and on paper.
const rankingTitleRows = 1

// writeRankingXLSX writes ranking-<peer_group>.xlsx: the title in row 1
// (merged across the table), the columns of the CSV with their header in
// row 2, scores stored as numbers with the format "0.00" (Excel shows them
// with the reader's decimal separator), title and header frozen, the
// header filterable and both repeated on every printed page. The title is
// also in the sheet name and the document properties. For a provisional
// period all of them say "Số liệu tạm tính", and so do the header and
// footer of every printed page (setPrintA4): a printed or on-screen
// provisional ranking never looks final (docs/contract.md, "Provisional
// periods and freshness").
func writeRankingXLSX(w io.Writer, p periodInfo, r ranking) error {
	err := writeRankingWorkbook(w, p, r, true)
	if errors.Is(err, errSlowCells) {
		err = writeRankingWorkbook(w, p, r, false)
	}
	return err
}

// writeRankingWorkbook is writeRankingXLSX, its cells set by fastCells
// (fast) or by excelize.
func writeRankingWorkbook(w io.Writer, p periodInfo, r ranking, fast bool) error {
	f := excelize.NewFile()
	defer f.Close()
	label := peerLabel(r.PeerGroup)
	if p.Provisional {
		label += " (" + provisionalTitle + ")"
	}
	sheet := sheetName(label)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	var cells cellSink = excelizeCells{f}
	if fast {
		cells = newFastCells(f, sheet)
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	score, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	signed := "+0.00;-0.00;0.00"
	delta, err := f.NewStyle(&excelize.Style{CustomNumFmt: &signed})
	if err != nil {
		return err
	}

	titleFont := &excelize.Font{Bold: true, Size: 14}
	if p.Provisional {
		titleFont.Color = "C00000"
	}
	titleStyle, err := f.NewStyle(&excelize.Style{
		Font:      titleFont,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	title := p.titled("Xếp hạng " + strings.ToLower(peerLabel(r.PeerGroup)) + ", " + PeriodVI(p.Period))

	header := rankingHeader(r)
	hr := rankingTitleRows + 1 // the header row
	if err := cells.Merge(sheet, 1, 1, len(header), 1); err != nil {
		return err
	}
	if err := cells.Str(sheet, 1, 1, strings.ToUpper(title)); err != nil {
		return err
	}
	if err := cells.Style(sheet, 1, 1, 1, 1, titleStyle); err != nil {
		return err
	}
	if err := cells.RowHeight(sheet, 1, 30); err != nil {
		return err
	}
	for i, h := range header {
		if err := cells.Str(sheet, i+1, hr, h); err != nil {
			return err
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(header))
	if err := cells.Style(sheet, 1, hr, len(header), hr, head); err != nil {
		return err
	}
	if err := cells.RowHeight(sheet, hr, 45); err != nil {
		return err
	}
	for i, row := range r.Rows {
		n := hr + 1 + i
		for j, v := range rankingCells(row) {
			col := j + 1
			switch v := v.(type) {
			case nil:
			case string:
				if v != "" {
					err = cells.Str(sheet, col, n, v)
				}
			case float64:
				if err = cells.Float(sheet, col, n, v); err == nil {
					err = cells.Style(sheet, col, n, col, n, score)
				}
			case scoreDelta:
				if err = cells.Float(sheet, col, n, float64(v)); err == nil {
					err = cells.Style(sheet, col, n, col, n, delta)
				}
			}
			if err != nil {
				return err
			}
		}
	}

	widths := rankingWidths(r)
	for i, wd := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, c, c, wd); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: hr, TopLeftCell: "A" + strconv.Itoa(hr+1), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, "A"+strconv.Itoa(hr)+":"+lastCol+strconv.Itoa(len(r.Rows)+hr), nil); err != nil {
		return err
	}
	// A4 landscape, one page wide, the title and header rows on every page.
	if err := setPrintA4(f, sheet, hr, p.Provisional, "Phương pháp: "+methodologyLabel(r.Title, r.Methodology, r.Version), PeriodVI(p.Period)); err != nil {
		return err
	}
	desc := "Phương pháp: " + methodologyLabel(r.Title, r.Methodology, r.Version) + "; " + p.dates()
	if p.Provisional {
		desc = p.provisionalNote() + ". " + desc
	}
	if err := f.SetDocProps(docProps(p, title, desc)); err != nil {
		return err
	}
	return cells.Write(w)
}

// rankingWidths are the column widths of the ranking sheet.
func rankingWidths(r ranking) []float64 {
	w := []float64{8, 14, 34}
	for range r.Groups {
		w = append(w, 15)
	}
	return append(w, 11, 12, 11, 14, 14, 50)
}

// docProps are fixed document properties: excelize would otherwise keep
// its template's dates, and a changing date would break byte-identical
// output. Created and modified are the period's end.
func docProps(p periodInfo, title, description string) *excelize.DocProperties {
	stamp := p.End.UTC().Format("2006-01-02T15:04:05Z")
	return &excelize.DocProperties{
		Title:          title,
		Subject:        title,
		Description:    description,
		Creator:        "cchc",
		LastModifiedBy: "cchc",
		Language:       "vi-VN",
		Created:        stamp,
		Modified:       stamp,
		Revision:       "1",
	}
}

// sheetName makes a valid sheet name: at most 31 characters, none of
// : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > 31 {
		s = string(rs[:31])
	}
	if strings.TrimSpace(s) == "" {
		return "_"
	}
	return s
}
