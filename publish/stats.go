package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// counts are the 14 figures of one row of form II.06a, in column order.
type counts [14]int64

func (c *counts) add(o counts) {
	for i := range c {
		c[i] += o[i]
	}
}

// max raises each figure of c to o's where o's is larger.
func (c *counts) max(o counts) {
	for i := range c {
		c[i] = max(c[i], o[i])
	}
}

// statsUnit is one unit of the form: its total row and its fields.
type statsUnit struct {
	Code, Name string
	// Dissolved: dissolved before the period's end without a successor
	// (Name carries DissolvedOrphanLabel).
	Dissolved bool
	Total     counts
	HasTotal  bool
	Fields    []statsField
}

type statsField struct {
	Name string
	counts
}

// statsLevel is one sheet of dossier-stats.xlsx: the units of one level.
type statsLevel struct {
	Level string
	Units []statsUnit
}

// DissolvedOrphanLabel follows the name of a unit dissolved before the
// period's end without a successor on form II.06a: the contract keeps its
// dossiers with it (docs/contract.md, "Unit history"), so it has a row in
// periods it no longer exists in, which must not read as a living unit.
const DissolvedOrphanLabel = " (đã giải thể, chưa có đơn vị kế thừa)"

// dissolvedOrphanNote explains DissolvedOrphanLabel under a sheet that has
// such a unit.
const dissolvedOrphanNote = "Ghi chú: \"đã giải thể, chưa có đơn vị kế thừa\": đơn vị không còn ở cuối kỳ; hồ sơ chưa kết thúc của đơn vị " +
	"vẫn thống kê cho đơn vị, không xếp hạng, đến khi có đơn vị kế thừa hoặc hồ sơ được cập nhật kết quả."

// loadStats reads the form II.06a rows of the periods listed, by period,
// each grouped by unit level (department, district, commune first), units
// by unit_code, fields by name in Vietnamese alphabetical order. A unit
// without a total row (field '*') gets the sum of its fields; one with
// several gets their column-wise maximum, in any scan order; a unit
// dissolved without a successor is named with DissolvedOrphanLabel.
func loadStats(ctx context.Context, db *sql.DB, periods []string) (map[string][]statsLevel, error) {
	q, err := query("dossier_stats.sql")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, periodList(periods))
	if err != nil {
		return nil, fmt.Errorf("dossier_stats query: %w", err)
	}
	defer rows.Close()
	type key struct{ level, unit string }
	units := map[string]map[key]*statsUnit{}
	for rows.Next() {
		var period string
		var k key
		var name, field string
		var orphan bool
		var c counts
		dest := []any{&period, &k.level, &k.unit, &name, &orphan, &field}
		for i := range c {
			dest = append(dest, &c[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("dossier_stats query: %w", err)
		}
		us := units[period]
		if us == nil {
			us = map[key]*statsUnit{}
			units[period] = us
		}
		u := us[k]
		if u == nil {
			if orphan {
				name += DissolvedOrphanLabel
			}
			u = &statsUnit{Code: k.unit, Name: name, Dissolved: orphan}
			us[k] = u
		}
		if field == "*" {
			// Several total rows: a warehouse modelled before a field
			// named '*' was read as none (20_outcome_counts.sql) holds
			// that field's row beside the total. The total is at least
			// any field's row in every column (counts of a superset of
			// its dossiers), so the column-wise maximum is the total,
			// whichever order the rows come in.
			if u.HasTotal {
				c.max(u.Total)
			}
			u.Total, u.HasTotal = c, true
		} else {
			u.Fields = append(u.Fields, statsField{Name: field, counts: c})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dossier_stats query: %w", err)
	}

	col := collate.New(language.Vietnamese)
	out := map[string][]statsLevel{}
	for period, us := range units {
		byLevel := map[string][]statsUnit{}
		for k, u := range us {
			sort.Slice(u.Fields, func(i, j int) bool {
				a, b := u.Fields[i].Name, u.Fields[j].Name
				if c := col.CompareString(a, b); c != 0 {
					return c < 0
				}
				return a < b
			})
			if !u.HasTotal {
				for _, f := range u.Fields {
					u.Total.add(f.counts)
				}
			}
			byLevel[k.level] = append(byLevel[k.level], *u)
		}
		var levels []statsLevel
		for level, us := range byLevel {
			sort.Slice(us, func(i, j int) bool { return us[i].Code < us[j].Code })
			levels = append(levels, statsLevel{Level: level, Units: us})
		}
		sort.Slice(levels, func(i, j int) bool { return lessPeer(levels[i].Level, levels[j].Level) })
		out[period] = levels
	}
	return out, nil
}

// Layout of form II.06a.
const (
	statsTitleRows  = 4 // form number, title, period, level
	statsHeadTop    = statsTitleRows + 2
	statsFirstData  = statsHeadTop + 2
	statsLastCol    = "P"
	statsLastColNum = 16
)

// statsGroups are the spanning header cells of row statsHeadTop and the
// sub-headers under them; a nil sub-header list means the cell spans both
// header rows.
var statsGroups = []struct {
	title string
	subs  []string
}{
	{"STT", nil},
	{"Đơn vị / Lĩnh vực", nil},
	{"Số hồ sơ nhận giải quyết", []string{"Tổng số", "Trong kỳ: Trực tuyến", "Trong kỳ: Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước chuyển qua"}},
	{"Số hồ sơ đã giải quyết", []string{"Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"}},
	{"Số hồ sơ đang giải quyết", []string{"Tổng số", "Trong hạn", "Quá hạn"}},
	{"Rút hồ sơ", nil},
	{"Từ chối", nil},
	{"Chờ bổ sung", nil},
}

// writeStatsXLSX writes dossier-stats.xlsx: form II.06a ("Tình hình, kết
// quả giải quyết TTHC"), one sheet per unit level. Its cells go through
// fastCells, or through excelize when a string needs it (same bytes).
func writeStatsXLSX(w io.Writer, p periodInfo, levels []statsLevel) error {
	err := writeStatsWorkbook(w, p, levels, true)
	if errors.Is(err, errSlowCells) {
		err = writeStatsWorkbook(w, p, levels, false)
	}
	return err
}

// writeStatsWorkbook is writeStatsXLSX, its cells set by fastCells (fast)
// or by excelize.
func writeStatsWorkbook(w io.Writer, p periodInfo, levels []statsLevel, fast bool) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStatsStyles(f)
	if err != nil {
		return err
	}
	sheets := make([]string, len(levels))
	for i, lv := range levels {
		sheets[i] = sheetName(peerLabel(lv.Level))
	}
	var cells cellSink = excelizeCells{f}
	if fast {
		// Two levels of one sheet name (excelize compares them ignoring
		// case) share a sheet: excelize's path keeps what it did.
		seen := map[string]bool{}
		for _, s := range sheets {
			if seen[strings.ToLower(s)] {
				return errSlowCells
			}
			seen[strings.ToLower(s)] = true
		}
		cells = newFastCells(f, sheets...)
	}
	for i, lv := range levels {
		sheet := sheets[i]
		if i == 0 {
			err = f.SetSheetName("Sheet1", sheet)
		} else {
			_, err = f.NewSheet(sheet)
		}
		if err != nil {
			return err
		}
		if err := writeStatsSheet(f, cells, sheet, st, p, lv); err != nil {
			return fmt.Errorf("sheet %s: %w", sheet, err)
		}
	}
	f.SetActiveSheet(0)
	title := p.titled("Tình hình, kết quả giải quyết TTHC, " + PeriodVI(p.Period))
	if err := f.SetDocProps(docProps(p, title, "Biểu số II.06a: "+p.dates())); err != nil {
		return err
	}
	return cells.Write(w)
}

type statsStyles struct {
	formNo, title, subtitle, head, unit, unitNum, field, fieldNum, total, totalNum int
}

func newStatsStyles(f *excelize.File) (statsStyles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	defs := []*excelize.Style{
		{Font: &excelize.Font{Italic: true}},
		{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center"}},
		{Font: &excelize.Font{Italic: true}, Alignment: &excelize.Alignment{Horizontal: "center"}},
		{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Font: &excelize.Font{Bold: true}, Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		{Font: &excelize.Font{Bold: true}, Border: border, NumFmt: 3},
		{Border: border, Alignment: &excelize.Alignment{Indent: 1, Vertical: "center", WrapText: true}},
		{Border: border, NumFmt: 3},
		{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
			Alignment: &excelize.Alignment{Horizontal: "center"}},
		{Font: &excelize.Font{Bold: true}, Border: border, NumFmt: 3,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}},
	}
	ids := make([]int, len(defs))
	for i, d := range defs {
		id, err := f.NewStyle(d)
		if err != nil {
			return statsStyles{}, err
		}
		ids[i] = id
	}
	return statsStyles{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[8], ids[9]}, nil
}

func writeStatsSheet(f *excelize.File, cells cellSink, sheet string, st statsStyles, p periodInfo, lv statsLevel) error {
	set := func(col, row int, v string, style int) error {
		if err := cells.Str(sheet, col, row, v); err != nil {
			return err
		}
		return cells.Style(sheet, col, row, col, row, style)
	}
	line := func(row int, text string, style int) error {
		if err := set(1, row, text, style); err != nil {
			return err
		}
		return cells.Merge(sheet, 1, row, statsLastColNum, row)
	}
	if err := set(1, 1, "Biểu số II.06a/VPCP/KSTT", st.formNo); err != nil {
		return err
	}
	heading := "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
	if p.Provisional {
		heading = strings.ToUpper(provisionalTitle) + " — " + heading
	}
	if err := line(2, heading, st.title); err != nil {
		return err
	}
	if err := line(3, "Kỳ báo cáo: "+PeriodVI(p.Period)+" ("+p.dates()+")", st.subtitle); err != nil {
		return err
	}
	if err := line(4, peerLabel(lv.Level)+". Đơn vị tính: số hồ sơ", st.subtitle); err != nil {
		return err
	}

	// Two-row header: spanning groups above, their columns below; single
	// columns merged vertically.
	top, sub := statsHeadTop, statsHeadTop+1
	col := 1
	for _, g := range statsGroups {
		width := max(len(g.subs), 1)
		lastCol, lastRow := col+width-1, top
		if g.subs == nil {
			lastCol, lastRow = col, sub
		}
		if err := set(col, top, g.title, st.head); err != nil {
			return err
		}
		if err := cells.Merge(sheet, col, top, lastCol, lastRow); err != nil {
			return err
		}
		for i, s := range g.subs {
			if err := set(col+i, sub, s, st.head); err != nil {
				return err
			}
		}
		col += width
	}
	if err := cells.Style(sheet, 1, top, statsLastColNum, sub, st.head); err != nil {
		return err
	}
	if err := cells.RowHeight(sheet, top, 30); err != nil {
		return err
	}
	if err := cells.RowHeight(sheet, sub, 45); err != nil {
		return err
	}

	row := statsFirstData
	put := func(sttNum int, stt string, name string, c counts, nameStyle, numStyle int) error {
		// The number of a unit, the text "1.2" of a field (or "" for the
		// total) in column A.
		var err error
		if sttNum > 0 {
			err = cells.Int(sheet, 1, row, int64(sttNum))
		} else {
			err = cells.Str(sheet, 1, row, stt)
		}
		if err != nil {
			return err
		}
		if err := cells.Str(sheet, 2, row, name); err != nil {
			return err
		}
		for i, v := range c {
			if err := cells.Int(sheet, 3+i, row, v); err != nil {
				return err
			}
		}
		if err := cells.Style(sheet, 1, row, 2, row, nameStyle); err != nil {
			return err
		}
		if err := cells.Style(sheet, 3, row, statsLastColNum, row, numStyle); err != nil {
			return err
		}
		row++
		return nil
	}
	var grand counts
	for i, u := range lv.Units {
		grand.add(u.Total)
		if err := put(i+1, "", u.Name, u.Total, st.unit, st.unitNum); err != nil {
			return err
		}
		for j, fl := range u.Fields {
			stt := strconv.Itoa(i+1) + "." + strconv.Itoa(j+1)
			if err := put(0, stt, fl.Name, fl.counts, st.field, st.fieldNum); err != nil {
				return err
			}
		}
	}
	if err := put(0, "", "Tổng cộng", grand, st.total, st.totalNum); err != nil {
		return err
	}
	for _, u := range lv.Units {
		if u.Dissolved {
			// Said once under the table, for the reader who wonders why a
			// unit that no longer exists has a row.
			if err := line(row+1, dissolvedOrphanNote, st.formNo); err != nil {
				return err
			}
			break
		}
	}

	if err := f.SetColWidth(sheet, "A", "A", 7); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "B", "B", 42); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "C", statsLastCol, 13); err != nil {
		return err
	}
	// Printed as a user prints it: A4 landscape, one page wide (the title
	// no longer split across pages), the title and header rows on every
	// page.
	if err := setPrintA4(f, sheet, statsFirstData-1, p.Provisional, "Biểu số II.06a/VPCP/KSTT", "Kỳ báo cáo: "+PeriodVI(p.Period)); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, XSplit: 2, YSplit: statsFirstData - 1,
		TopLeftCell: "C" + strconv.Itoa(statsFirstData), ActivePane: "bottomRight",
	})
}
