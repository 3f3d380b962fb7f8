package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestRejectedFileMessages opens the files a clerk's export goes wrong
// with and checks that each refusal is what the ledger and `cchc run`
// show a clerk: it names the file first ("tệp PATH: "), says in
// Vietnamese what is wrong and what to do, and ends with the English
// detail in parentheses for whoever searches or reports it.
func TestRejectedFileMessages(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	folder := filepath.Join(dir, "folder.csv")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(dir, "book.xlsx")
	writeWorkbook(t, book, simpleSheets())
	tests := []struct {
		name string
		path string
		opts DecodeOptions
		want []string // Vietnamese advice and English detail the message keeps
	}{
		{"folder", folder, DecodeOptions{}, []string{"là một thư mục", "(is a folder, not a file)"}},
		{"missing", filepath.Join(dir, "missing.csv"), DecodeOptions{}, []string{"không tìm thấy", "kiểm tra đường dẫn", "no such file"}},
		{"empty", write("empty.csv", ""), DecodeOptions{}, []string{"tệp rỗng", "xuất lại tệp", "(the file is empty)"}},
		{"whitespace", write("spaces.json", " \n\t\n"), DecodeOptions{}, []string{"tệp rỗng", "(the file is empty)"}},
		{"blank CSV", write("blank.csv", "\n \n,,\n\t,\n"), DecodeOptions{}, []string{"không có dòng dữ liệu nào", "no rows"}},
		{"text as xlsx", write("export.xlsx", "Mã hồ sơ,Ngày tiếp nhận\nH1,01/02/2025\n"), DecodeOptions{Format: "xlsx"},
			[]string{"là tệp văn bản, không phải bảng tính Excel", "format: csv", `tệp bắt đầu bằng "Mã hồ sơ`, "not a valid XLSX workbook"}},
		{"unknown format", write("a.csv", "a,b\n1,2\n"), DecodeOptions{Format: "parquet"}, []string{`định dạng "parquet" không hợp lệ`, "unknown format"}},
		{"missing sheet", book, DecodeOptions{Sheet: "Tháng 3"},
			[]string{`không có trang tính "Tháng 3"`, `"Sheet1", "Dữ liệu"`, "sheet: của nguồn", "(sheet not found)"}},
		{"not a zip", write("corrupt.xlsx", "PK\x03\x04 cut short"), DecodeOptions{}, []string{"tệp hỏng", "lưu lại dưới dạng .xlsx", "not a valid XLSX workbook"}},
		{"broken JSON", write("broken.json", `[{"Mã hồ sơ": "H1"},, {"Mã hồ sơ": "H2"}]`), DecodeOptions{},
			[]string{"JSON không hợp lệ gần byte", "(dòng 1)", "invalid JSON"}},
		{"JSON cut off", write("cut.json", `[{"Mã hồ sơ": "H1"}, {"Mã hồ sơ": "H2"`), DecodeOptions{},
			[]string{"kết thúc giữa chừng gần byte", "the JSON ends too early"}},
		{"JSON not records", write("scalar.json", `[{"Mã hồ sơ": "H1"}, 42]`), DecodeOptions{}, []string{"bản ghi thứ 2 là một số", "not an object"}},
		{"unclosed quote", write("quote.csv", "Mã hồ sơ,Ghi chú\nH1,\"chưa đóng\n"+strings.Repeat("H2,x\n", 300)), DecodeOptions{},
			[]string{"dòng 2: một giá trị mở dấu ngoặc kép", "thiếu dấu ngoặc kép đóng", "runs over too many lines"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.path, tt.opts)
			if err == nil {
				_, _, err = readAll(t, r)
				r.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			rest, ok := strings.CutPrefix(msg, "tệp "+tt.path+": ")
			if !ok {
				t.Fatalf("error %q does not start with the file", msg)
			}
			// The sentence before the English detail is Vietnamese.
			sentence, _, _ := strings.Cut(rest, "(")
			if !strings.ContainsFunc(sentence, func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) }) {
				t.Errorf("error %q: %q is not Vietnamese", msg, sentence)
			}
			for _, en := range []string{"is a folder", "the file is empty", "unknown format", "not a valid", "sheet ", "no rows", "line ", "invalid JSON", "record ", "not a JSON"} {
				if strings.HasPrefix(rest, en) {
					t.Errorf("error %q still starts with English %q", msg, en)
				}
			}
			if !strings.HasSuffix(msg, ")") {
				t.Errorf("error %q does not end with the English detail in parentheses", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

// TestIndexErrorMessages checks that an HTTP source's index refused for
// its content says so in Vietnamese, the English detail kept.
func TestIndexErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		body string
		want []string
	}{
		{`[{"url": "a.csv"},`, []string{"chỉ mục bắt đầu như JSON nhưng không phải JSON hợp lệ", "index is not valid JSON"}},
		{`{"status": "ok", "count": 0}`, []string{"chỉ mục JSON không có danh sách tệp", "index object has no list of files", "keys: count, status"}},
	} {
		_, err := parseIndex([]byte(tt.body), "application/json")
		if err == nil {
			t.Errorf("%s: no error", tt.body)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tt.body, err, w)
			}
		}
	}
}
