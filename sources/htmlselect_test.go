package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// emailScore is testScore knowing the personal-data heading Email too, as
// the header dictionary of package transforms does; emailPersonal says it
// is one.
func emailScore(cells []string) int {
	n := testScore(cells)
	for _, c := range cells {
		if emailPersonal(c) {
			n++
		}
	}
	return n
}

func emailPersonal(cell string) bool {
	return strings.Trim(strings.ToLower(strings.TrimSpace(cell)), ": ") == "email"
}

// The data table of a page is the one whose header scores best, as the
// header row of a sheet is; the tables after it continue it or fail the
// file, and a rowspan stops at the end of its row group.
func TestHTMLTableSelection(t *testing.T) {
	var perUnit strings.Builder
	var perUnitRows []row
	for i := range 40 {
		// A heading, a repeated header, a row: three rows per unit.
		fmt.Fprintf(&perUnit, "<h3>Xã %d</h3><table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr><tr><td>H%d</td><td>Mới</td></tr></table>\n", i, i)
		perUnitRows = append(perUnitRows, row{int64(3*i + 3), []string{fmt.Sprintf("H%d", i), "Mới"}})
	}
	var long strings.Builder
	var longRows []row
	long.WriteString("<table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr>")
	for i := range 35 {
		fmt.Fprintf(&long, "<tr><td>H%d</td><td>Mới</td></tr>", i)
		longRows = append(longRows, row{int64(i + 2), []string{fmt.Sprintf("H%d", i), "Mới"}})
	}
	long.WriteString("</table><table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr><tr><td>K1</td><td>Xong</td></tr></table>")
	longRows = append(longRows, row{38, []string{"K1", "Xong"}})
	runMarkupCases(t, []markupCase{
		{name: "a data table longer than the look-ahead, then one repeating its header", file: "long.xls", format: "html",
			text: long.String(), header: []string{"Mã hồ sơ", "Trạng thái"}, rows: longRows},
		{name: "info tables of other widths before the data table", file: "info.xls", format: "html",
			text: `<table><tr><td>Đơn vị</td><td>UBND huyện Ba Vì</td></tr></table>
<table><tr><td>Từ ngày</td><td>01/03/2026</td><td>đến 31/03/2026</td></tr></table>
<table><tr><th>Mã hồ sơ</th><th>Ngày tiếp nhận</th></tr><tr><td>H1</td><td>01/03/2026</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Ngày tiếp nhận"}, rows: []row{{4, []string{"H1", "01/03/2026"}}}},
		{name: "filter rows before the data table", file: "filter.xls", format: "html",
			text: `<table><tr><td colspan=3><b>BÁO CÁO HỒ SƠ</b></td></tr>
<tr><td>Đơn vị</td><td>UBND huyện Ba Vì</td></tr><tr><td>Trạng thái</td><td>Tất cả</td></tr></table>
<table><tr><th>STT</th><th>Mã hồ sơ</th><th>Ngày tiếp nhận</th><th>Trạng thái</th></tr>
<tr><td>1</td><td>H1</td><td>01/03/2026</td><td>Mới</td></tr></table>`,
			header: []string{"STT", "Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái"},
			rows:   []row{{5, []string{"1", "H1", "01/03/2026", "Mới"}}}},
		{name: "filter tables of two columns before the data table", file: "filters.xls", format: "html",
			text: `<table><tr><td>Đơn vị</td><td>UBND huyện Ba Vì</td></tr></table>
<table><tr><td>Trạng thái</td><td>Tất cả</td></tr></table>
<table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr><tr><td>H1</td><td>Mới</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{4, []string{"H1", "Mới"}}}},
		{name: "header in one table, body in the next", file: "split.xls", format: "html",
			text: `<table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr></table>
<table><tr><td>H1</td><td>Mới</td></tr><tr><td>H2</td><td>Xong</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{2, []string{"H1", "Mới"}}, {3, []string{"H2", "Xong"}}}},
		{name: "one table per unit, header repeated", file: "units.xls", format: "html",
			text: `<h3>Xã A</h3><table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr><tr><td>H1</td><td>Mới</td></tr></table>
<h3>Xã B</h3><table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr><tr><td>H2</td><td>Xong</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{3, []string{"H1", "Mới"}}, {6, []string{"H2", "Xong"}}}},
		{name: "forty units: more tables than are looked at before choosing", file: "units40.xls", format: "html",
			text: perUnit.String(), header: []string{"Mã hồ sơ", "Trạng thái"}, rows: perUnitRows},
		{name: "a later table of the same width without a header", file: "more.xls", format: "html",
			text: `<table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr><tr><td>H1</td><td>Mới</td></tr></table>
<table><tr><td>H2</td><td>Xong</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{2, []string{"H1", "Mới"}}, {3, []string{"H2", "Xong"}}}},
		{name: "two-row header repeated in the next table", file: "pair.xls", format: "html",
			text: `<table><tr><td>Mã hồ sơ</td><td>Ngày</td></tr><tr><td></td><td>tiếp nhận</td></tr><tr><td>H1</td><td>01/03/2026</td></tr></table>
<table><tr><td>Mã hồ sơ</td><td>Ngày</td></tr><tr><td></td><td>tiếp nhận</td></tr><tr><td>H2</td><td>02/03/2026</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Ngày tiếp nhận"},
			rows:   []row{{3, []string{"H1", "01/03/2026"}}, {6, []string{"H2", "02/03/2026"}}}},
		{name: "another table after the data table", file: "other.xls", format: "html",
			text: `<table><tr><td>Mã hồ sơ</td><td>Trạng thái</td><td>Ghi chú</td></tr><tr><td>H1</td><td>Mới</td><td></td></tr></table>
<p>Hà Nội, ngày 31/3/2026</p><table><tr><td>Người lập biểu</td><td>Nguyễn Văn A</td></tr></table>`,
			// Read as the rows below an XLSX sheet's table are: the
			// transform quarantines what is no dossier.
			header: []string{"Mã hồ sơ", "Trạng thái", "Ghi chú"},
			rows:   []row{{2, []string{"H1", "Mới", ""}}, {4, []string{"Người lập biểu", "Nguyễn Văn A", ""}}}},
		// Its own header, the same columns in another order: read under
		// the first header its dates would swap and load (review).
		{name: "a second report with its own header", file: "two.xls",
			text: `<table><tr><td>Mã hồ sơ</td><td>Ngày tiếp nhận</td><td>Trạng thái</td></tr><tr><td>H1</td><td>01/03/2026</td><td>Mới</td></tr></table>
<p>Hồ sơ khác</p><table><tr><td>Mã hồ sơ</td><td>Trạng thái</td><td>Ngày tiếp nhận</td></tr><tr><td>H2</td><td>Mới</td><td>02/03/2026</td></tr></table>`,
			err: []string{"tệp ", "two.xls", "trang có thêm bảng khác, với dòng tiêu đề khác, sau bảng dữ liệu ở dòng 4"}},
		{name: "login form labelled Email", file: "login.xls", opts: DecodeOptions{HeaderScore: emailScore, PersonalHeader: emailPersonal},
			text: `<html><body><h2>Đăng nhập hệ thống</h2><form><table><tr><td>Email:</td><td><input name="u"></td></tr>` +
				`<tr><td>Mật khẩu:</td><td><input type="password"></td></tr><tr><td colspan=2><input type=submit value="Đăng nhập"></td></tr></table></form></body></html>`,
			err: []string{"login.xls", "không bảng nào có dòng tiêu đề nhận ra được"}},
		{name: "password reset form labelled Email", file: "reset.xls", opts: DecodeOptions{HeaderScore: emailScore, PersonalHeader: emailPersonal},
			text: `<html><body><h2>Quên mật khẩu</h2><form><table><tr><td>Email:</td><td><input name="u"></td></tr></table></form></body></html>`,
			err:  []string{"reset.xls", "không bảng nào có dòng tiêu đề nhận ra được"}},
		{name: "login form labelled Email, without a header dictionary", file: "login-page.xls", header: []string{"*"},
			text: `<html><body><form><table><tr><td>Email:</td><td><input name="u"></td></tr>` +
				`<tr><td>Mật khẩu:</td><td><input type="password"></td></tr></table></form></body></html>`,
			err: []string{"login-page.xls", "là một trang HTML hoặc XML"}},
		{name: "a personal-data column among known ones", file: "pii.xls", format: "html",
			opts:   DecodeOptions{HeaderScore: emailScore, PersonalHeader: emailPersonal},
			text:   `<table><tr><td>Mã hồ sơ</td><td>Email</td></tr><tr><td>H1</td><td>a@b.vn</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Email"}, rows: []row{{2, []string{"H1", "a@b.vn"}}}},
	})
}

// The refusal of a page without a data table and of a page with a table
// after it quote no cell: a cell may hold personal data.
func TestHTMLTableErrorsQuoteNoCell(t *testing.T) {
	cases := []struct{ name, text string }{
		{"no data table", `<table><tr><td>Họ tên</td><td>Nguyễn Văn Bình</td></tr></table>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "page.xls")
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := decodeFile(t, p, DecodeOptions{HeaderScore: testScore})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "Bình") {
				t.Errorf("the error quotes a cell: %v", err)
			}
		})
	}
}
