package sources

import (
	"archive/zip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The dossiers every CSV fixture carries (see testdata/).
var (
	csvHeader = []string{"Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Ghi chú"}
	csvData   = [][]string{
		{"H41.12-240315-0001", "15/03/2024 08:30", "20/03/2024", "Đang xử lý", "Hồ sơ đất đai"},
		{"H41.12-240315-0002", "15/03/2024 09:00", "22/03/2024", "Đã trả kết quả", `có dấu phẩy, chấm phẩy; và "ngoặc kép"`},
		{"000.00.12.H41-240316-0003", "16/03/2024", "", "Từ chối", "dòng 1\ndòng 2"},
	}
	jsonHeader = []string{"MaHoSo", "NgayTiepNhan", "SoNgayBoSung", "DuocThanhToanTrucTuyen", "NgayHenTra", "ThongTin", "TrangThaiHoSo", "SoLan"}
	jsonData   = [][]string{
		{"H41.12-240315-0001", "2024-03-15T08:30:00+07:00", "1.5", "true", "", "", "", ""},
		{"H41.12-240315-0002", "2024-03-15T09:00:00+07:00", "0", "false", "2024-03-22", `{"a":[1,2],"b":"x y"}`, "", ""},
		{"000.00.12.H41-240316-0003", "2024-03-16", "", "", "", "", "Từ chối", "12345678901234567890"},
	}
)

// numbered pairs row numbers with rows.
func numbered(nums []int64, data [][]string) []row {
	out := make([]row, len(nums))
	for i, n := range nums {
		out[i] = row{n: n, cells: data[i]}
	}
	return out
}

type fixture struct {
	file   string
	opts   DecodeOptions
	header []string
	rows   []row
}

func fixtures() []fixture {
	std := numbered([]int64{2, 3, 4}, csvData)
	withDays := make([][]string, len(csvData))
	for i, d := range csvData {
		withDays[i] = append(slices.Clone(d), []string{"1,5", "38,2", "0"}[i])
	}
	return []fixture{
		{file: "utf8.csv", header: csvHeader, rows: std},
		{file: "utf8_bom.csv", header: csvHeader, rows: std},
		{file: "utf16le.txt", header: csvHeader, rows: std},
		{file: "win1258.csv", header: csvHeader, rows: std},
		{file: "tcvn3.csv", header: csvHeader, rows: std},
		{file: "vni.csv", header: csvHeader, rows: std},
		{file: "nfd.csv", header: csvHeader, rows: std},
		{file: "semicolon.csv", header: append(slices.Clone(csvHeader), "Số ngày"), rows: numbered([]int64{2, 3, 4}, withDays)},
		{file: "tab.tsv", header: csvHeader, rows: std},
		{file: "pipe.txt", header: csvHeader, rows: std},
		{file: "sep_line.csv", header: csvHeader, rows: numbered([]int64{3, 4, 5}, csvData)},
		{file: "titles.csv", header: csvHeader, rows: numbered([]int64{5, 8, 9}, csvData)},
		{file: "titles.csv", opts: DecodeOptions{HeaderScore: func([]string) int { return 0 }},
			// The title is the header; the real header row widens it.
			header: []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", "", "", ""},
			rows: []row{
				{2, []string{"DANH SÁCH HỒ SƠ THÁNG 3/2026", "", "", "", ""}},
				{4, csvHeader}, {5, csvData[0]}, {8, csvData[1]}, {9, csvData[2]},
			}},
		{file: "ragged.csv", header: []string{"Mã hồ sơ", "Trạng thái", "Ghi chú", "", "", ""},
			rows: []row{
				{2, []string{"A1", "Đang xử lý", "", "", "", ""}},
				{3, []string{"A2", "Từ chối", "x", "", "", ""}},
				{4, []string{"A3", "Đã trả", "y", "", "extra 1", "extra 2"}},
				{5, []string{"A4", "", "", "", "", ""}},
			}},
		{file: "mac_cr.csv", header: []string{"Mã hồ sơ", "Trạng thái"},
			rows: []row{{2, []string{"A1", "Đang xử lý"}}, {4, []string{"A2", "Từ\nchối"}}}},
		{file: "noext_csv", header: []string{"Mã hồ sơ", "Trạng thái"}, rows: []row{{2, []string{"A1", "Đang xử lý"}}}},
		{file: "array.json", header: jsonHeader, rows: numbered([]int64{1, 2, 3}, jsonData)},
		{file: "lines.ndjson", header: jsonHeader, rows: numbered([]int64{1, 3, 4}, jsonData)},
		{file: "wrapped.json", header: jsonHeader, rows: numbered([]int64{1, 2, 3}, jsonData)},
		{file: "items.json", header: jsonHeader, rows: numbered([]int64{1, 2, 3}, jsonData)},
		{file: "lines_noext.data", header: jsonHeader[:6], rows: numbered([]int64{1, 2}, [][]string{jsonData[0][:6], jsonData[1][:6]})},
		{file: "empty_list.json"},
	}
}

// TestOpenFixtures is the conformance test: every fixture decodes to the
// expected header, values and row numbers, in one batch and in batches of
// one and three rows.
func TestOpenFixtures(t *testing.T) {
	for _, fx := range fixtures() {
		for _, batch := range []int{0, 1, 3} {
			opts := fx.opts
			if opts.HeaderScore == nil {
				opts.HeaderScore = testScore
			}
			opts.BatchRows = batch
			name := fx.file
			if fx.opts.HeaderScore != nil {
				name += "/no-score"
			}
			t.Run(name+"/batch"+string(rune('0'+batch)), func(t *testing.T) {
				r, err := Open(filepath.Join("testdata", fx.file), opts)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				h, rows, err := readAll(t, r)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(h, fx.header) {
					t.Errorf("header\n got %q\nwant %q", h, fx.header)
				}
				if !equalRows(rows, fx.rows) {
					t.Errorf("rows\n got %v\nwant %v", rows, fx.rows)
				}
				if err := r.Close(); err != nil {
					t.Errorf("second close: %v", err)
				}
				if _, err := r.Next(); err == nil {
					t.Error("Next after Close succeeded")
				}
				if f, ok := r.(interface{ Format() string }); !ok || f.Format() == "" {
					t.Error("reader does not report its format")
				}
			})
		}
	}
}

// TestJSONHeaderGrows checks that a key seen late widens only the records
// from then on, and that Header at each record matches its width.
func TestJSONHeaderGrows(t *testing.T) {
	r, err := Open(filepath.Join("testdata", "array.json"), DecodeOptions{BatchRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var widths []int
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		widths = append(widths, int(rec.NumCols())-1)
		if int(rec.NumCols())-1 != len(r.Header()) {
			t.Errorf("record width %d, header %d", rec.NumCols()-1, len(r.Header()))
		}
		rec.Release()
	}
	if want := []int{5, 6, 8}; !slices.Equal(widths, want) {
		t.Errorf("widths %v, want %v", widths, want)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file string
		opts DecodeOptions
		want []string // substrings of the error
	}{
		{file: "corrupt.xlsx", want: []string{"corrupt.xlsx", "tệp hỏng", "not a valid XLSX workbook", "zip"}},
		{file: "legacy.xls", want: []string{"legacy.xls", "Excel 97-2003 (.xls)"}},
		{file: "legacy.xls", opts: DecodeOptions{Format: "xlsx"}, want: []string{"Excel 97-2003 (.xls)"}},
		{file: "page.xls", want: []string{"page.xls", "HTML"}},
		{file: "number.json", want: []string{"number.json", "không phải danh sách bản ghi JSON", "not a JSON list of records", `"4"`}},
		{file: "envelope.json", want: []string{"envelope.json", "không tìm thấy danh sách bản ghi", "no list of records", `"status", "message"`}},
		{file: "empty.csv", want: []string{"empty.csv", "tệp rỗng", "empty"}},
		{file: "empty.csv", opts: DecodeOptions{Format: "json"}, want: []string{"tệp rỗng", "empty"}},
		{file: "blank.csv", want: []string{"blank.csv", "không có dòng dữ liệu nào", "no rows"}},
		{file: "missing.csv", want: []string{"missing.csv", "không tìm thấy", "kiểm tra đường dẫn", "no such file"}},
		{file: "utf8.csv", opts: DecodeOptions{Format: "parquet"}, want: []string{"định dạng", "unknown format", "parquet"}},
		{file: filepath.Join(dir, "book.xlsx"), opts: DecodeOptions{Sheet: "Tháng 3"}, want: []string{`không có trang tính "Tháng 3"`, `các trang tính: "Sheet1", "Dữ liệu"`, "sheet not found"}},
		{file: filepath.Join(dir, "runaway.csv"), want: []string{"runaway.csv: dòng 2: một giá trị mở dấu ngoặc kép", "quá 200 dòng", "thiếu dấu ngoặc kép đóng", "runs over too many lines"}},
		{file: filepath.Join(dir, "notbook.xlsx"), want: []string{"tệp hỏng", "not a valid XLSX workbook: a zip archive without an Excel workbook in it"}},
		{file: filepath.Join(dir, "empty.xlsx"), want: []string{`trang tính "Sheet1" trống`, "sheet is empty"}},
	}
	runaway := "Mã hồ sơ,Ghi chú\nA1,\"không đóng ngoặc\n" + strings.Repeat("A2,x\n", 300)
	if err := os.WriteFile(filepath.Join(dir, "runaway.csv"), []byte(runaway), 0o644); err != nil {
		t.Fatal(err)
	}
	writeZip(t, filepath.Join(dir, "notbook.xlsx"), "exports/a.csv", "x,y\n")
	writeWorkbook(t, filepath.Join(dir, "book.xlsx"), simpleSheets())
	writeWorkbook(t, filepath.Join(dir, "empty.xlsx"), nil)
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			path := tt.file
			if !filepath.IsAbs(path) {
				path = filepath.Join("testdata", path)
			}
			r, err := Open(path, tt.opts)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// writeZip writes a zip archive holding one file.
func writeZip(t *testing.T, path, name, content string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write([]byte(content))
	}
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestMalformedJSONMidFile checks that the records before a syntax error
// are delivered and the error then names the file and the place.
func TestMalformedJSONMidFile(t *testing.T) {
	r, err := Open(filepath.Join("testdata", "malformed.json"), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, rows, err := readAll(t, r)
	if err == nil {
		t.Fatal("no error")
	}
	if len(rows) != 2 {
		t.Errorf("got %d rows before the error, want 2", len(rows))
	}
	for _, w := range []string{"malformed.json", "JSON không hợp lệ gần byte", "invalid JSON"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("error is not sticky: %v", err2)
	}
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		text string
		want rune
	}{
		{"a,b,c\n1,2,3\n", ','},
		{"a;b;c\n1,5;2,5;3\n", ';'},
		{"a\tb\tc\nx, y\tz\tw\n", '\t'},
		{"a|b\n1|2\n", '|'},
		{"single column\nvalue\n", ','},
		{"title only\n\na;b;c\n1;2;3\n4;5;6\n", ';'},
		{`a,b` + "\n" + `"x;y;z;w",1` + "\n", ','},
		{"a;b\n\"multi\nline, with, commas\";2\n", ';'},
	}
	for _, tt := range tests {
		if got := sniffDelimiter([]byte(tt.text), true); got != tt.want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestChooseHeader(t *testing.T) {
	rows := func(lines ...[]string) []bufRow {
		out := make([]bufRow, len(lines))
		for i, l := range lines {
			out[i] = bufRow{cells: l, row: int64(i + 1)}
		}
		return out
	}
	tests := []struct {
		name  string
		rows  []bufRow
		want  []string
		first int
	}{
		{"first row", rows([]string{"Mã hồ sơ", "Trạng thái"}, []string{"A", "B"}), []string{"Mã hồ sơ", "Trạng thái"}, 1},
		{"after titles", rows([]string{"DANH SÁCH"}, []string{" Mã  hồ\nsơ ", "Trạng thái", ""}, []string{"A", "B"}),
			[]string{"Mã hồ sơ", "Trạng thái"}, 2},
		{"two rows", rows(
			[]string{"Mã hồ sơ", "Ngày", "Ngày", "Trạng thái"},
			[]string{"Mã hồ sơ", "tiếp nhận", "hẹn trả", "Trạng thái"},
			[]string{"A", "1", "2", "x"}),
			[]string{"Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái"}, 2},
		{"group title over known sub-headers", rows(
			[]string{"Thông tin hồ sơ", "Thông tin hồ sơ", "Ghi chú"},
			[]string{"Mã hồ sơ", "Trạng thái", ""},
			[]string{"A", "x", "y"}),
			[]string{"Mã hồ sơ", "Trạng thái", "Ghi chú"}, 2},
		{"merged title above header is not a pair", rows(
			[]string{"DANH SÁCH", "DANH SÁCH", "DANH SÁCH"},
			[]string{"Mã hồ sơ", "Trạng thái", "STT"},
			[]string{"A", "x", "1"}),
			[]string{"Mã hồ sơ", "Trạng thái", "STT"}, 2},
		{"tie goes to the earliest", rows([]string{"Mã hồ sơ"}, []string{"Trạng thái"}), []string{"Mã hồ sơ"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, first := chooseHeader(tt.rows, testScore)
			if !slices.Equal(h, tt.want) || first != tt.first {
				t.Errorf("got %q, %d; want %q, %d", h, first, tt.want, tt.first)
			}
		})
	}
}
