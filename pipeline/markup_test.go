package pipeline

import (
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// exportCell is a cell of the report below: its text and how many more
// columns and rows it spans.
type exportCell struct {
	v            string
	across, down int
}

// markupReport is one report of a one-stop system as a clerk exports it:
// title rows, a two-row header ("Ngày" over "tiếp nhận" and "hẹn trả"; the
// other names merged down both rows), a unit merged down two dossiers, a
// dossier with an impossible date. Each row lists its cells in document
// order with their columns (0-based); columns covered from above are left
// out.
var markupReport = [][]struct {
	exportCell
	col int
}{
	{{exportCell{"BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ", 6, 0}, 0}},
	{{exportCell{"Từ ngày 01/03/2026 đến ngày 31/03/2026", 6, 0}, 0}},
	{},
	{{exportCell{"Mã hồ sơ", 0, 1}, 0}, {exportCell{"Đơn vị tiếp nhận", 0, 1}, 1}, {exportCell{"Tên thủ tục", 0, 1}, 2},
		{exportCell{"Hình thức nộp", 0, 1}, 3}, {exportCell{"Ngày", 1, 0}, 4}, {exportCell{"Trạng thái", 0, 1}, 6}},
	{{exportCell{"tiếp nhận", 0, 0}, 4}, {exportCell{"hẹn trả", 0, 0}, 5}},
	{{exportCell{"H41.01-260302-0101", 0, 0}, 0}, {exportCell{"UBND huyện Ba Vì", 0, 0}, 1}, {exportCell{"Cấp giấy phép xây dựng", 0, 0}, 2},
		{exportCell{"Trực tuyến", 0, 0}, 3}, {exportCell{"02/03/2026 08:00", 0, 0}, 4}, {exportCell{"16/03/2026 17:00", 0, 0}, 5}, {exportCell{"Đang xử lý", 0, 0}, 6}},
	{{exportCell{"H41.01-260303-0102", 0, 0}, 0}, {exportCell{"UBND xã Tản Lĩnh", 0, 1}, 1}, {exportCell{"Đăng ký khai sinh", 0, 0}, 2},
		{exportCell{"Trực tiếp", 0, 0}, 3}, {exportCell{"03/03/2026 10:00", 0, 0}, 4}, {exportCell{"04/03/2026 17:00", 0, 0}, 5}, {exportCell{"Đang xử lý", 0, 0}, 6}},
	{{exportCell{"H41.01-260303-0103", 0, 0}, 0}, {exportCell{"Đăng ký khai sinh", 0, 0}, 2},
		{exportCell{"Trực tiếp", 0, 0}, 3}, {exportCell{"03/03/2026 11:00", 0, 0}, 4}, {exportCell{"04/03/2026 17:00", 0, 0}, 5}, {exportCell{"Đang xử lý", 0, 0}, 6}},
	{{exportCell{"H41.01-260304-0104", 0, 0}, 0}, {exportCell{"UBND huyện Ba Vì", 0, 0}, 1}, {exportCell{"Cấp giấy phép xây dựng", 0, 0}, 2},
		{exportCell{"Trực tiếp", 0, 0}, 3}, {exportCell{"31/02/2026 08:00", 0, 0}, 4}, {exportCell{"16/03/2026 17:00", 0, 0}, 5}, {exportCell{"Đang xử lý", 0, 0}, 6}},
	{{exportCell{"H41.01-260305-0105", 0, 0}, 0}, {exportCell{"UBND huyện Ba Vì", 0, 0}, 1}, {exportCell{"Chứng thực bản sao từ bản chính", 0, 0}, 2},
		{exportCell{"Trực tiếp", 0, 0}, 3}, {exportCell{"05/03/2026 08:00", 0, 0}, 4}, {exportCell{"05/03/2026 17:00", 0, 0}, 5}, {exportCell{"Đang xử lý", 0, 0}, 6}},
}

// writeMarkupReport saves markupReport as format: an XLSX workbook, an
// HTML page (as .xls) or an XML Spreadsheet (as .xls).
func writeMarkupReport(t *testing.T, path, format string) {
	t.Helper()
	var b strings.Builder
	switch format {
	case "xlsx":
		x := excelize.NewFile()
		defer x.Close()
		for r, cells := range markupReport {
			if err := x.SetRowHeight("Sheet1", r+1, 16); err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				a, _ := excelize.CoordinatesToCellName(c.col+1, r+1)
				if err := x.SetCellStr("Sheet1", a, c.v); err != nil {
					t.Fatal(err)
				}
				if c.across > 0 || c.down > 0 {
					z, _ := excelize.CoordinatesToCellName(c.col+1+c.across, r+1+c.down)
					if err := x.MergeCell("Sheet1", a, z); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := x.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return
	case "html":
		b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><table border="1">` + "\n")
		for _, cells := range markupReport {
			b.WriteString("<tr>")
			for _, c := range cells {
				fmt.Fprintf(&b, `<td colspan="%d" rowspan="%d" style="mso-number-format:'\@'">%s</td>`, c.across+1, c.down+1, html.EscapeString(c.v))
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table></body></html>\n")
	case "xml2003":
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><?mso-application progid="Excel.Sheet"?>` + "\n" +
			`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">` +
			`<Worksheet ss:Name="Sheet1"><Table>` + "\n")
		for r, cells := range markupReport {
			if len(cells) == 0 {
				continue
			}
			fmt.Fprintf(&b, `<Row ss:Index="%d">`, r+1)
			for _, c := range cells {
				fmt.Fprintf(&b, `<Cell ss:Index="%d" ss:MergeAcross="%d" ss:MergeDown="%d"><Data ss:Type="String">%s</Data></Cell>`,
					c.col+1, c.across, c.down, html.EscapeString(c.v))
			}
			b.WriteString("</Row>\n")
		}
		b.WriteString("</Table></Worksheet></Workbook>\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMarkupExportsLoadLikeXLSX: the same report exported as an XLSX
// workbook, as an HTML page saved as .xls and as an Excel 2003 XML
// Spreadsheet saved as .xls loads into the same warehouse rows: the same
// dossiers (the unit merged down two rows given to both), the same
// quarantined row at the same row number, and the ledger names the format.
func TestMarkupExportsLoadLikeXLSX(t *testing.T) {
	type outcome struct{ dossiers, quarantine, format string }
	results := map[string]outcome{}
	for _, format := range []string{"xlsx", "html", "xml2003"} {
		cfg, reg, w, dir := fixture(t, `  - name: m
    path: ./exports/m/*
    unit: H.BAVI
`)
		exports := filepath.Join(dir, "exports", "m")
		if err := os.MkdirAll(exports, 0o755); err != nil {
			t.Fatal(err)
		}
		name := "bao-cao.xls"
		if format == "xlsx" {
			name = "bao-cao.xlsx"
		}
		writeMarkupReport(t, filepath.Join(exports, name), format)
		if _, err := Run(context.Background(), cfg, w, reg, Options{}); err != nil {
			t.Fatal(err)
		}
		var o outcome
		var status, msg string
		var loaded int
		if err := w.DB().QueryRow(`SELECT status, coalesce(format, ''), coalesce(error, ''), rows_loaded FROM source_files`).
			Scan(&status, &o.format, &msg, &loaded); err != nil {
			t.Fatal(err)
		}
		if status != "loaded" || loaded != 4 {
			t.Fatalf("%s: %s, %d rows loaded %s", format, status, loaded, msg)
		}
		o.dossiers = scalar[string](t, w, `SELECT string_agg(concat_ws('|', dossier_code, unit_code, procedure_code, procedure_name, field, channel,
			received_at, due_at, finished_at, returned_at, status, source_row), E'\n' ORDER BY dossier_code) FROM dossiers`)
		o.quarantine = scalar[string](t, w, `SELECT coalesce(string_agg(concat_ws('|', source_row, column_name, reason, raw_value), E'\n' ORDER BY source_row, column_name), '') FROM quarantine`)
		results[format] = o
		w.Close()
	}
	want := results["xlsx"]
	if !strings.Contains(want.dossiers, "H41.01-260303-0103|X.TANLINH") || !strings.Contains(want.quarantine, "9|") || want.format != "xlsx" {
		t.Fatalf("xlsx load: dossiers\n%s\nquarantine\n%s", want.dossiers, want.quarantine)
	}
	for _, format := range []string{"html", "xml2003"} {
		got := results[format]
		if got.format != format {
			t.Errorf("%s: ledger format %q", format, got.format)
		}
		if got.dossiers != want.dossiers {
			t.Errorf("%s: dossiers\n%s\nwant (xlsx)\n%s", format, got.dossiers, want.dossiers)
		}
		if got.quarantine != want.quarantine {
			t.Errorf("%s: quarantine\n%s\nwant (xlsx)\n%s", format, got.quarantine, want.quarantine)
		}
	}
}

// TestMarkupPagesLoadWholeOrFail: through a run, with the real header
// dictionary, a login form whose user field is labelled Email (a
// personal-data heading) fails its file naming it, and an export whose
// header and body are two tables loads every row.
func TestMarkupPagesLoadWholeOrFail(t *testing.T) {
	cases := []struct {
		name, file, text string
		status           string
		read             int // rows read; quarantined or loaded
		quarantined      int
		msg              []string // the ledger's error says each
	}{
		{name: "login form labelled Email", file: "login.xls", status: "failed",
			text: `<html><body><h2>Đăng nhập</h2><form><table><tr><td>Email:</td><td><input name="u"></td></tr>` +
				`<tr><td>Mật khẩu:</td><td><input type="password"></td></tr></table></form></body></html>`,
			msg: []string{"login.xls", "không bảng nào có dòng tiêu đề nhận ra được"}},
		{name: "password reset form labelled Email", file: "reset.xls", status: "failed",
			text: `<html><body><h2>Quên mật khẩu</h2><form><table><tr><td>Email:</td><td><input name="u"></td></tr>` +
				`<tr><td colspan=2><input type="submit" value="Gửi"></td></tr></table></form></body></html>`,
			msg: []string{"reset.xls", "không bảng nào có dòng tiêu đề nhận ra được"}},
		{name: "header and body in two tables", file: "split.xls", status: "loaded", read: 2, quarantined: 2, // no date of receipt
			text: `<table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr></table>
<table><tr><td>H41.01-260302-0101</td><td>Đang xử lý</td></tr><tr><td>H41.01-260302-0102</td><td>Đang xử lý</td></tr></table>`},
		// The signature block most reports end with: read as the rows
		// under an XLSX table are, quarantined (no dossier code), the
		// file loaded; the name it holds is masked.
		{name: "signature table after the data table", file: "signed.xls", status: "loaded", read: 3, quarantined: 2,
			text: `<table><tr><th>Mã hồ sơ</th><th>Ngày tiếp nhận</th><th>Trạng thái</th></tr><tr><td>H41.01-260302-0101</td><td>02/03/2026 08:00</td><td>Đang xử lý</td></tr></table>
<p>Hà Nội, ngày 31/3/2026</p><table><tr><td>NGƯỜI LẬP BIỂU</td><td></td><td>THỦ TRƯỞNG ĐƠN VỊ</td></tr><tr><td>Nguyễn Thị Hoa</td><td></td><td>Trần Văn Bình</td></tr></table>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, reg, w, dir := fixture(t, `  - name: m
    path: ./exports/m/*
    unit: H.BAVI
`)
			defer w.Close()
			exports := filepath.Join(dir, "exports", "m")
			if err := os.MkdirAll(exports, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(exports, c.file), []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, runErr := Run(context.Background(), cfg, w, reg, Options{})
			var status, msg string
			var read int
			if err := w.DB().QueryRow(`SELECT status, coalesce(error, ''), rows_read FROM source_files`).Scan(&status, &msg, &read); err != nil {
				t.Fatal(runErr, err)
			}
			if status != c.status || read != c.read {
				t.Fatalf("status %s, %d rows read, want %s, %d (%s; run: %v)", status, read, c.status, c.read, msg, runErr)
			}
			for _, m := range c.msg {
				if !strings.Contains(msg, m) {
					t.Errorf("error %q does not say %q", msg, m)
				}
			}
			var q int
			var held string
			if err := w.DB().QueryRow(`SELECT count(*), coalesce(string_agg(coalesce(raw_value, '') || ' ' || coalesce(CAST(raw_record AS VARCHAR), ''), ' | '), '') FROM quarantine`).Scan(&q, &held); err != nil {
				t.Fatal(err)
			}
			if q != c.quarantined || strings.Contains(held, "Hoa") || strings.Contains(held, "Bình") {
				t.Errorf("%d quarantined, want %d; the quarantine must not hold the names: %s", q, c.quarantined, held)
			}
		})
	}
}

// TestMergedFillLimitFromConfig: limits.max_merged_fill_bytes reaches the
// decoder. A 2,000-character cell spanning 3 columns and 2 rows copies
// 2,000 × 5 = 10,000 bytes into the cells it covers; with the limit at
// 4,096 the file fails alone, naming the key, and nothing of it loads.
func TestMergedFillLimitFromConfig(t *testing.T) {
	cfg, reg, w, dir := fixture(t, `  - name: m
    path: ./exports/m/*
    unit: H.BAVI
limits:
  max_merged_fill_bytes: 4096
`)
	defer w.Close()
	if cfg.Limits.MaxMergedFillBytes != 4096 {
		t.Fatalf("config limit %d", cfg.Limits.MaxMergedFillBytes)
	}
	exports := filepath.Join(dir, "exports", "m")
	if err := os.MkdirAll(exports, 0o755); err != nil {
		t.Fatal(err)
	}
	page := `<table><tr><th>Mã hồ sơ</th><th>Ngày tiếp nhận</th><th>Trạng thái</th></tr>` +
		`<tr><td colspan=3 rowspan=2>` + strings.Repeat("x", 2000) + `</td></tr><tr></tr></table>`
	if err := os.WriteFile(filepath.Join(exports, "wide.xls"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	_, runErr := Run(context.Background(), cfg, w, reg, Options{})
	var status, msg string
	if err := w.DB().QueryRow(`SELECT status, coalesce(error, '') FROM source_files`).Scan(&status, &msg); err != nil {
		t.Fatal(runErr, err)
	}
	if status != "failed" || !strings.Contains(msg, "max_merged_fill_bytes") || !strings.Contains(msg, "wide.xls") {
		t.Errorf("status %s, error %q; want failed naming the file and limits.max_merged_fill_bytes", status, msg)
	}
}
