package samplegen

import (
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// excelEpoch is day 0 of Excel's 1900 date system for all dates after
// February 1900.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is the Excel serial of the wall-clock time of t. excelize's
// own conversion uses the instant (UTC), which would shift Vietnamese times
// by seven hours.
func excelSerial(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	return float64(wall.Sub(excelEpoch)) / float64(24*time.Hour)
}

// xlsxRows says where things are in a sheet: Excel row numbers of the
// header rows and of the first data row.
func xlsxRows(lay layout, w window) (header []int, firstData int) {
	r := 1
	if lay.title != nil {
		r += len(lay.title(w)) + 1 // title rows, then one blank row
	}
	header = []int{r}
	if lay.twoRowHead {
		header = append(header, r+1)
	}
	return header, header[len(header)-1] + 1
}

// encodeXLSX writes one workbook. Document properties carry the export time
// instead of the clock, and the data sheet is the only streamed sheet
// (excelize writes streamed sheets in map order), so the same rows give the
// same bytes.
func encodeXLSX(f *fileOut) ([]byte, error) {
	lay, cols := f.src.layout, f.src.columns
	x := excelize.NewFile()
	defer x.Close()
	stamp := f.win.export.UTC().Format(time.RFC3339)
	if err := x.SetDocProps(&excelize.DocProperties{
		Creator: "Hệ thống một cửa điện tử", LastModifiedBy: "Hệ thống một cửa điện tử",
		Created: stamp, Modified: stamp, Title: "Danh sách hồ sơ", Language: "vi-VN",
	}); err != nil {
		return nil, err
	}
	sheet := lay.sheet
	if lay.summary {
		if err := x.SetSheetName("Sheet1", "TongHop"); err != nil {
			return nil, err
		}
		if _, err := x.NewSheet(sheet); err != nil {
			return nil, err
		}
		if err := writeSummary(x, "TongHop", f); err != nil {
			return nil, err
		}
	} else if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}

	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	dateFmt := "dd/mm/yyyy hh:mm"
	dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return nil, err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(1, len(cols), 16); err != nil {
		return nil, err
	}
	cellName := func(c, r int) string {
		n, _ := excelize.CoordinatesToCellName(c, r)
		return n
	}
	setRow := func(r int, vals []interface{}) error { return sw.SetRow(cellName(1, r), vals) }

	headerRows, first := xlsxRows(lay, f.win)
	if lay.title != nil {
		for i, t := range lay.title(f.win) {
			if err := setRow(i+1, []interface{}{excelize.Cell{StyleID: bold, Value: t}}); err != nil {
				return nil, err
			}
			if err := sw.MergeCell(cellName(1, i+1), cellName(len(cols), i+1)); err != nil {
				return nil, err
			}
		}
	}
	h := headerRows[0]
	top := make([]interface{}, len(cols))
	sub := make([]interface{}, len(cols))
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		if !lay.twoRowHead {
			top[i] = excelize.Cell{StyleID: bold, Value: c.header}
			continue
		}
		if c.group == "" {
			// A header cell merged down over both header rows.
			top[i] = excelize.Cell{StyleID: bold, Value: c.header}
			if err := sw.MergeCell(cellName(i+1, h), cellName(i+1, h+1)); err != nil {
				return nil, err
			}
			continue
		}
		j := i
		for j+1 < len(cols) && cols[j+1].group == c.group {
			j++
		}
		top[i] = excelize.Cell{StyleID: bold, Value: c.group}
		if err := sw.MergeCell(cellName(i+1, h), cellName(j+1, h)); err != nil {
			return nil, err
		}
		for k := i; k <= j; k++ {
			sub[k] = excelize.Cell{StyleID: bold, Value: cols[k].header}
		}
		i = j
	}
	if err := setRow(h, top); err != nil {
		return nil, err
	}
	if lay.twoRowHead {
		if err := setRow(h+1, sub); err != nil {
			return nil, err
		}
	}

	vals := make([]interface{}, len(cols))
	for ri, rw := range f.rows {
		for ci, v := range rw.cells {
			switch v.kind {
			case cNull:
				vals[ci] = nil
			case cText, cBool:
				vals[ci] = v.s
			case cNum:
				n, err := strconv.ParseFloat(v.s, 64)
				if err != nil {
					return nil, fmt.Errorf("samplegen: %s: %w", f.path, err)
				}
				vals[ci] = n
			case cTime:
				vals[ci] = excelize.Cell{StyleID: dateStyle, Value: excelSerial(v.t)}
			}
		}
		if err := setRow(first+ri, vals); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeSummary fills the summary sheet a portal puts before its data: rows
// per unit in this file. It has a header the loader must not mistake for
// the data sheet's (the config names the data sheet).
func writeSummary(x *excelize.File, sheet string, f *fileOut) error {
	_ = x.SetCellStr(sheet, "A1", "TỔNG HỢP TÌNH HÌNH TIẾP NHẬN HỒ SƠ")
	_ = x.SetCellStr(sheet, "A2", fmt.Sprintf("Kỳ: %s – %s", f.win.from.Format("02/01/2006"), f.win.to.AddDate(0, 0, -1).Format("02/01/2006")))
	_ = x.SetCellStr(sheet, "A4", "Cơ quan")
	_ = x.SetCellStr(sheet, "B4", "Số hồ sơ tiếp nhận")
	r := 5
	for _, code := range f.src.units {
		n := 0
		var name string
		for _, rw := range f.rows {
			if rw.d.unit.Code == code && !rw.d.received.Before(f.win.from) {
				n++
				name = rw.d.unit.Name
			}
		}
		if name == "" {
			continue
		}
		if err := x.SetCellStr(sheet, fmt.Sprintf("A%d", r), name); err != nil {
			return err
		}
		if err := x.SetCellInt(sheet, fmt.Sprintf("B%d", r), int64(n)); err != nil {
			return err
		}
		r++
	}
	return nil
}
