package publish

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/cchc/cchc/periods"
)

// parHeader is the header of the PAR result table (CSV and XLSX).
func parHeader(t parTable) []string {
	h := []string{"TT", "Tên đơn vị", "Điểm đánh giá", "Vị thứ", "Xếp loại"}
	for _, f := range t.Fields {
		h = append(h, f.header())
	}
	return append(h, "Thay đổi so với kỳ trước", "Ghi chú", "Mã đơn vị")
}

// parCells are one unit's cells under parHeader: strings, numbers
// (float64, rounded to decimals), ints, or nil for an empty cell.
func parCells(i int, r parRow, decimals int) []any {
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return RoundN(*p, decimals)
	}
	var rank any
	if r.Rank != nil {
		rank = *r.Rank
	}
	c := []any{i + 1, r.UnitName, num(r.Score), rank, r.Tier}
	for _, f := range r.Fields {
		c = append(c, num(f))
	}
	return append(c, r.change(decimals), r.parNote(), r.UnitCode)
}

// writePARCSV writes par-<peer_group>.csv: UTF-8 with BOM, CRLF, decimal
// commas; a provisional period's first line is the one-cell note, as in
// the rankings.
func writePARCSV(w io.Writer, period string, t parTable, decimals int) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if t.Provisional {
		if err := cw.Write([]string{provisionalTitle + ": " + PeriodVI(period) + " chưa chốt số liệu; điểm và vị thứ chưa chính thức"}); err != nil {
			return err
		}
	}
	if err := cw.Write(parHeader(t)); err != nil {
		return err
	}
	for i, r := range t.Rows {
		cells := parCells(i, r, decimals)
		rec := make([]string, len(cells))
		for j, v := range cells {
			switch v := v.(type) {
			case string:
				rec[j] = v
			case int:
				rec[j] = strconv.Itoa(v)
			case float64:
				rec[j] = FormatFixed(v, decimals)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// parTitleRows are the rows above the header of the XLSX.
const parTitleRows = 3

// writePARXLSX writes par-<peer_group>.xlsx: a title naming the index, the
// period and the peer group, the table below it, set up to print on A4
// landscape one page wide with the header rows repeated on every page and
// a footer with the methodology version, the SHA-256 of the inputs and the
// page number.
func writePARXLSX(w io.Writer, period string, t parTable, decimals int) error {
	err := writePARWorkbook(w, period, t, decimals, true)
	if errors.Is(err, errSlowCells) {
		err = writePARWorkbook(w, period, t, decimals, false)
	}
	return err
}

// writePARWorkbook is writePARXLSX, its cells set by fastCells (fast) or
// by excelize.
func writePARWorkbook(w io.Writer, period string, t parTable, decimals int, fast bool) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(peerLabel(t.PeerGroup))
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	var cells cellSink = excelizeCells{f}
	if fast {
		cells = newFastCells(f, sheet)
	}
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	numFmt := "0"
	if decimals > 0 {
		numFmt = "0." + strings.Repeat("0", decimals)
	}
	styles := []*excelize.Style{
		{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Font: &excelize.Font{Italic: true}, Alignment: &excelize.Alignment{Horizontal: "center"}},
		{Font: &excelize.Font{Bold: true}, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		{Border: border, CustomNumFmt: &numFmt, Alignment: &excelize.Alignment{Vertical: "center"}},
		{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}},
	}
	ids := make([]int, len(styles))
	for i, s := range styles {
		id, err := f.NewStyle(s)
		if err != nil {
			return err
		}
		ids[i] = id
	}
	title, subtitle, head, text, num, center := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]

	header := parHeader(t)
	last := len(header)
	set := func(col, row int, v any, style int) error {
		if v != nil {
			if err := setCellValue(cells, sheet, col, row, v); err != nil {
				return err
			}
		}
		return cells.Style(sheet, col, row, col, row, style)
	}
	if err := cells.Merge(sheet, 1, 1, last, 1); err != nil {
		return err
	}
	if err := set(1, 1, strings.ToUpper(t.title(period)), title); err != nil {
		return err
	}
	if err := cells.RowHeight(sheet, 1, 40); err != nil {
		return err
	}
	if err := cells.Merge(sheet, 1, 2, last, 2); err != nil {
		return err
	}
	sub := fmt.Sprintf("Phương pháp: %s; %d đơn vị được xếp hạng", methodologyLabel(t.MethodologyTitle, t.Methodology, t.Version), ranked(t))
	if len(t.Rows) > 0 && t.Rows[0].PeerMean != nil {
		sub += "; điểm bình quân " + FormatFixed(RoundN(*t.Rows[0].PeerMean, decimals), decimals)
	}
	if err := set(1, 2, sub, subtitle); err != nil {
		return err
	}
	hr := parTitleRows
	for j, h := range header {
		if err := set(j+1, hr, h, head); err != nil {
			return err
		}
	}
	if err := cells.RowHeight(sheet, hr, 48); err != nil {
		return err
	}
	for i, r := range t.Rows {
		for j, v := range parCells(i, r, decimals) {
			style := text
			switch v.(type) {
			case float64:
				style = num
			case int:
				style = center
			case string:
				if v == "" {
					v = nil
				}
			}
			if err := set(j+1, hr+1+i, v, style); err != nil {
				return err
			}
		}
	}
	widths := []float64{5, 32, 10, 7, 11}
	for range t.Fields {
		widths = append(widths, 12)
	}
	widths = append(widths, 20, 34, 10)
	for i, wd := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, c, c, wd); err != nil {
			return err
		}
	}
	if err := setPrintA4(f, sheet, hr, t.Provisional, fmt.Sprintf("Phương pháp %s %s", t.Methodology, t.Version), "SHA-256 đầu vào: "+t.inputDigest()); err != nil {
		return err
	}
	desc := fmt.Sprintf("Phương pháp: %s; SHA-256 đầu vào %s", methodologyLabel(t.MethodologyTitle, t.Methodology, t.Version), t.inputDigest())
	p := periodInfo{Period: period, Provisional: t.Provisional}
	if pp, err := periods.Parse(period, periods.Calendar); err == nil {
		p.End = pp.End
	}
	if err := f.SetDocProps(docProps(p, t.title(period), desc)); err != nil {
		return err
	}
	return cells.Write(w)
}

// setPrintA4 sets a sheet up to print on A4 landscape, one page wide and
// as many tall as needed, rows 1..headerRows repeated on every page, and a
// footer: left and right texts and "Trang P/N" in the centre. A sheet of a
// provisional period also says "Số liệu tạm tính" in bold in the header
// and in the footer of every printed page, whatever rows a page shows.
func setPrintA4(f *excelize.File, sheet string, headerRows int, provisional bool, left, right string) error {
	size, orient := 9, "landscape" // 9: A4
	fitW, fitH := 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fitW, FitToHeight: &fitH}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	m := 0.4
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$%d", strings.ReplaceAll(sheet, "'", "''"), headerRows), Scope: sheet,
	}); err != nil {
		return err
	}
	esc := func(s string) string {
		s = strings.ReplaceAll(s, "&", "&&")
		// A text after a font size code ("&8") must not start with a digit:
		// "&86 tháng đầu năm 2025" is 86-point "tháng đầu năm 2025".
		if s != "" && s[0] >= '0' && s[0] <= '9' {
			s = " " + s
		}
		return s
	}
	footer := func(left, right string) string {
		if provisional {
			return "&L&8" + esc(left) + "&C&8&B" + esc(provisionalTitle) + "&B — Trang &P/&N&R&8" + esc(right)
		}
		return "&L&8" + esc(left) + "&C&8Trang &P/&N&R&8" + esc(right)
	}
	hf := &excelize.HeaderFooterOptions{OddFooter: fitFooter(footer, left, right)}
	if provisional {
		hf.OddHeader = "&C&B&12" + esc(provisionalHeader)
	}
	return f.SetHeaderFooter(sheet, hf)
}

// maxHeaderFooter is Excel's limit on a page header or footer, in UTF-16
// code units: excelize refuses a longer one, which would fail the
// publication of the whole period.
const maxHeaderFooter = 255

// fitFooter returns build(left, right), left (then right) cut short with
// "…" until it fits in maxHeaderFooter: a methodology's long title must
// not keep its ranking from being published.
func fitFooter(build func(left, right string) string, left, right string) string {
	fits := func() bool {
		n := 0
		for _, r := range build(left, right) {
			n += utf16.RuneLen(r)
		}
		return n <= maxHeaderFooter
	}
	shorten := func(s string) string {
		rs := []rune(strings.TrimSuffix(s, "…"))
		if len(rs) == 0 {
			return ""
		}
		return string(rs[:len(rs)-1]) + "…"
	}
	for !fits() && left != "" {
		left = shorten(left)
	}
	for !fits() && right != "" {
		right = shorten(right)
	}
	return build(left, right)
}

func ranked(t parTable) int {
	n := 0
	for _, r := range t.Rows {
		if r.Status == "ranked" {
			n++
		}
	}
	return n
}

// parDoc is par-<peer_group>.json.
type parDoc struct {
	Title              string        `json:"title"`
	Period             string        `json:"period"`
	PeriodName         string        `json:"period_name"`
	Provisional        bool          `json:"provisional"`
	PeerGroup          string        `json:"peer_group"`
	Methodology        string        `json:"methodology"`
	MethodologyName    string        `json:"methodology_name"`
	MethodologyVersion string        `json:"methodology_version"`
	Decimals           int           `json:"decimals"`
	InputSHA256        string        `json:"input_sha256"`
	Inputs             []parInputDoc `json:"inputs"`
	Fields             []parFieldDoc `json:"fields"`
	Units              []parUnitDoc  `json:"units"`
	// Mergers are the period's mergers into units of the peer group, one
	// sentence each (as in the rankings' JSON).
	Mergers []string `json:"mergers,omitempty"`
}

type parInputDoc struct {
	Source string `json:"source"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

type parFieldDoc struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	MaxPoints *float64 `json:"max_points"`
}

type parUnitDoc struct {
	TT              int         `json:"tt"`
	UnitCode        string      `json:"unit_code"`
	UnitName        string      `json:"unit_name"`
	Status          string      `json:"status"`
	Score           *float64    `json:"score"`
	Rank            *int        `json:"rank"`
	PeerCount       *int        `json:"peer_count"`
	Tier            *string     `json:"tier"`
	Fields          groupScores `json:"fields"`
	SelfPoints      *float64    `json:"self_points"`
	AppraisedPoints *float64    `json:"appraised_points"`
	SurveyPoints    *float64    `json:"survey_points"`
	BonusPoints     *float64    `json:"bonus_points"`
	PenaltyPoints   *float64    `json:"penalty_points"`
	TotalPoints     *float64    `json:"total_points"`
	MaxPoints       *float64    `json:"max_points"`
	PeerMean        *float64    `json:"peer_mean"`
	PreviousRank    *int        `json:"previous_rank"`
	RankChange      *int        `json:"rank_change"`
	ScoreChange     *float64    `json:"score_change"`
	Note            string      `json:"note,omitempty"`
}

func writePARJSON(w io.Writer, period string, t parTable, decimals int) error {
	rn := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		v := RoundN(*p, decimals)
		return &v
	}
	doc := parDoc{
		Title: t.title(period), Period: period, PeriodName: PeriodVI(period), Provisional: t.Provisional,
		PeerGroup: t.PeerGroup, Methodology: t.Methodology, MethodologyName: t.MethodologyTitle, MethodologyVersion: t.Version, Decimals: decimals,
		InputSHA256: t.inputDigest(), Inputs: []parInputDoc{}, Fields: []parFieldDoc{}, Units: []parUnitDoc{},
		Mergers: texts(t.Mergers),
	}
	for _, in := range t.Inputs {
		doc.Inputs = append(doc.Inputs, parInputDoc{Source: in.Source, File: in.File, SHA256: in.SHA256})
	}
	for _, fd := range t.Fields {
		doc.Fields = append(doc.Fields, parFieldDoc{Code: fd.Code, Name: fd.Name, MaxPoints: fd.Max})
	}
	for i, r := range t.Rows {
		u := parUnitDoc{TT: i + 1, UnitCode: r.UnitCode, UnitName: r.UnitName, Status: r.Status,
			Score: rn(r.Score), Rank: r.Rank, PeerCount: r.PeerCount, Fields: make(groupScores, len(t.Fields)),
			SelfPoints: rn(r.Self), AppraisedPoints: rn(r.Appraised), SurveyPoints: rn(r.Survey),
			BonusPoints: rn(r.Bonus), PenaltyPoints: rn(r.Penalty), TotalPoints: rn(r.Total), MaxPoints: rn(r.Max),
			PeerMean: rn(r.PeerMean), PreviousRank: r.PreviousRank, RankChange: r.RankChange, ScoreChange: rn(r.ScoreChange),
			Note: r.parNote()}
		if r.Tier != "" {
			tier := r.Tier
			u.Tier = &tier
		}
		for j, fd := range t.Fields {
			u.Fields[j] = groupScore{Code: fd.Code, Score: rn(r.Fields[j])}
		}
		doc.Units = append(doc.Units, u)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// writePARParquet has DuckDB write par-<peer_group>.parquet (zstd) from the
// published (rounded) values, one row per unit in table order.
func writePARParquet(ctx context.Context, db *sql.DB, period string, t parTable, decimals int, target string) error {
	if len(t.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return strconv.FormatFloat(RoundN(*p, decimals), 'g', -1, 64)
	}
	type row struct {
		i int
		parRow
	}
	type col = parquetColumn[row]
	cols := []col{
		{"tt", "INTEGER", func(r row) any { return strconv.Itoa(r.i + 1) }},
		{"unit_code", "VARCHAR", func(r row) any { return r.UnitCode }},
		{"unit_name", "VARCHAR", func(r row) any { return r.UnitName }},
		{"status", "VARCHAR", func(r row) any { return r.Status }},
		{"score", "DOUBLE", func(r row) any { return num(r.Score) }},
		{"rank", "INTEGER", func(r row) any { return jsonInt(r.Rank) }},
		{"peer_count", "INTEGER", func(r row) any { return jsonInt(r.PeerCount) }},
		{"tier", "VARCHAR", func(r row) any {
			if r.Tier == "" {
				return nil
			}
			return r.Tier
		}},
	}
	for j := range t.Fields {
		cols = append(cols, col{"field_" + strings.ReplaceAll(t.Fields[j].Code, ".", "_"), "DOUBLE",
			func(r row) any { return num(r.Fields[j]) }})
	}
	cols = append(cols,
		col{"self_points", "DOUBLE", func(r row) any { return num(r.Self) }},
		col{"appraised_points", "DOUBLE", func(r row) any { return num(r.Appraised) }},
		col{"survey_points", "DOUBLE", func(r row) any { return num(r.Survey) }},
		col{"bonus_points", "DOUBLE", func(r row) any { return num(r.Bonus) }},
		col{"penalty_points", "DOUBLE", func(r row) any { return num(r.Penalty) }},
		col{"total_points", "DOUBLE", func(r row) any { return num(r.Total) }},
		col{"max_points", "DOUBLE", func(r row) any { return num(r.Max) }},
		col{"peer_mean", "DOUBLE", func(r row) any { return num(r.PeerMean) }},
		col{"previous_rank", "INTEGER", func(r row) any { return jsonInt(r.PreviousRank) }},
		col{"rank_change", "INTEGER", func(r row) any { return jsonInt(r.RankChange) }},
		col{"score_change", "DOUBLE", func(r row) any { return num(r.ScoreChange) }},
		col{"note", "VARCHAR", func(r row) any { return r.parNote() }},
		col{"period", "VARCHAR", func(row) any { return period }},
		col{"peer_group", "VARCHAR", func(row) any { return t.PeerGroup }},
		col{"methodology", "VARCHAR", func(row) any { return t.Methodology }},
		col{"methodology_version", "VARCHAR", func(row) any { return t.Version }},
		col{"provisional", "BOOLEAN", func(row) any { return strconv.FormatBool(t.Provisional) }},
	)
	rows := make([]row, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = row{i, r}
	}
	return copyParquet(ctx, db, cols, rows, "tt", target)
}
