package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeWorkbook saves a workbook built by build (nil: one empty sheet).
func writeWorkbook(t testing.TB, path string, build func(f *excelize.File) error) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if build != nil {
		if err := build(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// setRows writes rows of values from cell A<first>.
func setRows(f *excelize.File, sheet string, first int, rows ...[]any) error {
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, first+i)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	return nil
}

// simpleSheets builds Sheet1 with a plain header and a second sheet.
func simpleSheets() func(f *excelize.File) error {
	return func(f *excelize.File) error {
		if err := setRows(f, "Sheet1", 1,
			[]any{"Mã hồ sơ", "Trạng thái"},
			[]any{"S1-A", "Đang xử lý"}); err != nil {
			return err
		}
		if _, err := f.NewSheet("Dữ liệu"); err != nil {
			return err
		}
		return setRows(f, "Dữ liệu", 1,
			[]any{"Mã hồ sơ", "Trạng thái"},
			[]any{"S2-A", "Từ chối"})
	}
}

// reportSheet builds the layout of a typical one-stop report: national
// motto and title rows merged across the sheet, a blank row, a two-row
// header (STT, Mã hồ sơ, Trạng thái, Đơn vị merged down both rows; "Ngày"
// merged across "tiếp nhận" and "hẹn trả"), then data with a date-formatted
// serial, a numeric procedure code, a blank row and a unit merged down two
// rows.
func reportSheet(f *excelize.File) error {
	const s = "Sheet1"
	if err := setRows(f, s, 1,
		[]any{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		[]any{"DANH SÁCH HỒ SƠ THÁNG 3/2026"},
		[]any{},
		[]any{"STT", "Mã hồ sơ", "Ngày", nil, "Trạng thái", "Đơn vị", "Mã TTHC"},
		[]any{nil, nil, "tiếp nhận", "hẹn trả"},
		[]any{1, "H41.12-240315-0001", 45366.5, 45371, "Đang xử lý", "UBND xã Tản Lĩnh", 1.001234},
		[]any{2, "H41.12-240315-0002", 45366.75, nil, "Đã trả kết quả", nil, "2.000001"},
		[]any{},
		[]any{3, "H41.12-240316-0003", 45367, 45372, "Từ chối", "UBND xã Ba Trại", nil},
	); err != nil {
		return err
	}
	for _, m := range [][2]string{{"A1", "G1"}, {"A2", "G2"}, {"A4", "A5"}, {"B4", "B5"}, {"C4", "D4"},
		{"E4", "E5"}, {"F4", "F5"}, {"G4", "G5"}, {"F6", "F7"}} {
		if err := f.MergeCell(s, m[0], m[1]); err != nil {
			return err
		}
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	if err != nil {
		return err
	}
	return f.SetCellStyle(s, "C6", "D9", date)
}

func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report.xlsx")
	writeWorkbook(t, report, reportSheet)
	book := filepath.Join(dir, "book.xlsx")
	writeWorkbook(t, book, simpleSheets())
	noExt := filepath.Join(dir, "export")
	writeWorkbook(t, noExt+".xlsx", simpleSheets())
	if err := os.Rename(noExt+".xlsx", noExt); err != nil {
		t.Fatal(err)
	}

	hidden := filepath.Join(dir, "hidden.xlsx")
	writeWorkbook(t, hidden, func(f *excelize.File) error {
		if err := simpleSheets()(f); err != nil {
			return err
		}
		f.SetActiveSheet(1)
		return f.SetSheetVisible("Sheet1", false)
	})

	reportHeader := []string{"STT", "Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Đơn vị", "Mã TTHC"}
	tests := []struct {
		name   string
		path   string
		opts   DecodeOptions
		header []string
		rows   []row
	}{
		{name: "report", path: report, opts: DecodeOptions{HeaderScore: testScore}, header: reportHeader,
			rows: []row{
				{6, []string{"1", "H41.12-240315-0001", "45366.5", "45371", "Đang xử lý", "UBND xã Tản Lĩnh", "1.001234"}},
				{7, []string{"2", "H41.12-240315-0002", "45366.75", "", "Đã trả kết quả", "UBND xã Tản Lĩnh", "2.000001"}},
				{9, []string{"3", "H41.12-240316-0003", "45367", "45372", "Từ chối", "UBND xã Ba Trại", ""}},
			}},
		{name: "first sheet", path: book, header: []string{"Mã hồ sơ", "Trạng thái"},
			rows: []row{{2, []string{"S1-A", "Đang xử lý"}}}},
		{name: "named sheet, any case", path: book, opts: DecodeOptions{Sheet: "dữ liệu"}, header: []string{"Mã hồ sơ", "Trạng thái"},
			rows: []row{{2, []string{"S2-A", "Từ chối"}}}},
		{name: "hidden first sheet", path: hidden, header: []string{"Mã hồ sơ", "Trạng thái"},
			rows: []row{{2, []string{"S2-A", "Từ chối"}}}},
		{name: "sniffed zip", path: noExt, header: []string{"Mã hồ sơ", "Trạng thái"},
			rows: []row{{2, []string{"S1-A", "Đang xử lý"}}}},
	}
	for _, tt := range tests {
		for _, batch := range []int{0, 1, 2} {
			tt.opts.BatchRows = batch
			t.Run(fmt.Sprintf("%s/batch%d", tt.name, batch), func(t *testing.T) {
				r, err := Open(tt.path, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				h, rows, err := readAll(t, r)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(h, tt.header) {
					t.Errorf("header\n got %q\nwant %q", h, tt.header)
				}
				if !equalRows(rows, tt.rows) {
					t.Errorf("rows\n got %v\nwant %v", rows, tt.rows)
				}
			})
		}
	}
}

func TestScanMergeRefs(t *testing.T) {
	tests := []struct {
		xml  string
		want []string
	}{
		{`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCells</t></is></c></row></sheetData>` +
			`<mergeCells count="2"><mergeCell ref="A1:B1"/><mergeCell ref="C4:C5"/></mergeCells></worksheet>`,
			[]string{"A1:B1", "C4:C5"}},
		{`<x:worksheet xmlns:x="urn:x"><x:sheetData/><x:mergeCells><x:mergeCell ref="A1:G1"/></x:mergeCells></x:worksheet>`,
			[]string{"A1:G1"}},
		{`<worksheet><sheetData/><mergeCellsX/></worksheet>`, nil},
	}
	for _, tt := range tests {
		got, err := scanMergeRefs(strings.NewReader(tt.xml), "sheet1.xml", Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("scanMergeRefs(%s) = %q, want %q", tt.xml, got, tt.want)
		}
	}
}
