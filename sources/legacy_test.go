package sources

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cchc/cchc/internal/legacyfont"
	"github.com/cchc/cchc/vnenc"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// legacyExport is a CSV export as an old office PC writes it: a title row,
// a blank line, the header, dossiers with unit names.
const legacyExport = "Ủy ban nhân dân huyện Ba Vì - Sổ theo dõi hồ sơ\r\n\r\n" +
	"Mã hồ sơ,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Đơn vị\r\n" +
	"H41.12-240315-0001,15/03/2024 08:30,20/03/2024,Đang xử lý,Xã Tản Lĩnh\r\n" +
	"H41.12-240315-0002,15/03/2024 09:00,22/03/2024,Đã trả kết quả,Xã Vân Hòa\r\n" +
	"H41.12-240316-0003,16/03/2024,,Từ chối,Xã Cẩm Lĩnh\r\n" +
	"H41.12-240316-0004,16/03/2024,,Đã trả kết quả,Thị trấn Tây Đằng\r\n"

// TestLegacyEncodedCSV reads the same export in every encoding, the legacy
// ones written with the fonts' own tables: the header is found and the
// units and statuses read exactly as in the Unicode file.
func TestLegacyEncodedCSV(t *testing.T) {
	dir := t.TempDir()
	encode := func(e vnenc.Encoding, bom bool) []byte {
		var b []byte
		var err error
		switch e {
		case vnenc.TCVN3, vnenc.VNI:
			b, err = legacyfont.Encode(e.String(), legacyExport)
		default:
			b, err = vnenc.Encode(e, legacyExport)
		}
		if err != nil {
			t.Fatal(err)
		}
		if bom {
			b = append(e.BOM(), b...)
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf8", encode(vnenc.UTF8, false), "utf-8"},
		{"utf8-bom", encode(vnenc.UTF8, true), "utf-8"},
		{"nfd", norm.NFD.Bytes([]byte(legacyExport)), "utf-8"},
		{"utf16le-bom", encode(vnenc.UTF16LE, true), "utf-16le"},
		{"utf16be-bom", encode(vnenc.UTF16BE, true), "utf-16be"},
		{"utf16le", encode(vnenc.UTF16LE, false), "utf-16le"},
		{"win1258", encode(vnenc.Windows1258, false), "windows-1258"},
		{"tcvn3", encode(vnenc.TCVN3, false), "tcvn3"},
		{"vni", encode(vnenc.VNI, false), "vni"},
	}
	wantHeader := []string{"Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Đơn vị"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".csv")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, DecodeOptions{HeaderScore: testScore})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			header, rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(header, wantHeader) {
				t.Errorf("header %q", header)
			}
			if r.Encoding() != tt.enc {
				t.Errorf("encoding %q, want %q", r.Encoding(), tt.enc)
			}
			var units, statuses []string
			for _, rw := range rows {
				statuses = append(statuses, norm.NFC.String(rw.cells[3]))
				units = append(units, norm.NFC.String(rw.cells[4]))
			}
			if got := strings.Join(units, "|"); got != "Xã Tản Lĩnh|Xã Vân Hòa|Xã Cẩm Lĩnh|Thị trấn Tây Đằng" {
				t.Errorf("units %s", got)
			}
			if got := strings.Join(statuses, "|"); got != "Đang xử lý|Đã trả kết quả|Từ chối|Đã trả kết quả" {
				t.Errorf("statuses %s", got)
			}
		})
	}
}

// TestVNIHeaderDecides: a short VNI export whose words read as well-formed
// syllables in Windows-1258 too ("Hoà sô" for "Hồ sơ") is told apart by its
// header naming known columns.
func TestVNIHeaderDecides(t *testing.T) {
	text := "Mã hồ sơ;Trạng thái;Đơn vị\r\nA1;Đã trả;Hồ\r\nA2;Đã trả;Sơn Tây\r\n"
	b, err := legacyfont.Encode("vni", text)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vni.csv")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, DecodeOptions{HeaderScore: testScore})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header, rows, _ := readAll(t, r)
	if r.Encoding() != "vni" || !slices.Equal(header, []string{"Mã hồ sơ", "Trạng thái", "Đơn vị"}) || len(rows) != 2 || rows[1].cells[2] != "Sơn Tây" {
		t.Errorf("read as %s: %q %v", r.Encoding(), header, rows)
	}
}

// TestEncodingOverride: the source's encoding key wins over detection.
func TestEncodingOverride(t *testing.T) {
	dir := t.TempDir()
	b, _ := legacyfont.Encode("tcvn3", legacyExport)
	path := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for enc, want := range map[string]string{"windows-1258": "windows-1258", "tcvn3": "tcvn3", "auto": "tcvn3", "": "tcvn3"} {
		r, err := Open(path, DecodeOptions{Encoding: enc, HeaderScore: testScore})
		if err != nil {
			t.Fatal(err)
		}
		if r.Encoding() != want {
			t.Errorf("encoding %q: read as %s", enc, r.Encoding())
		}
		r.Close()
	}
	if _, err := Open(path, DecodeOptions{Encoding: "latin-1"}); err == nil || !strings.Contains(err.Error(), "unknown encoding") {
		t.Errorf("bad encoding accepted: %v", err)
	}
	// utf-16 reads the byte order from the file.
	b, _ = vnenc.Encode(vnenc.UTF16BE, legacyExport)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, DecodeOptions{Encoding: "utf-16", HeaderScore: testScore})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); r.Encoding() != "utf-16be" || len(h) != 5 || h[0] != "Mã hồ sơ" {
		t.Errorf("utf-16: %s %q", r.Encoding(), h)
	}
}

func tcvn3Cell(t testing.TB, s string) string {
	c, err := legacyfont.Latin1("tcvn3", s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func vniCell(t testing.TB, s string) string {
	c, err := legacyfont.Latin1("vni", s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestXLSXMixedLegacy: a workbook whose title rows and part of the header
// were typed with the TCVN3 fonts (.VnTime, .VnTimeH), one data column in
// TCVN3 and one in VNI, the rest Unicode: every cell reads as Unicode, the
// header is found, and the encoding report names the columns.
func TestXLSXMixedLegacy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mixed.xlsx")
	writeWorkbook(t, path, func(f *excelize.File) error {
		return setRows(f, "Sheet1", 1,
			[]any{tcvn3Cell(t, "Ủy ban nhân dân huyện Ba Vì")},
			[]any{tcvn3Cell(t, "DANH SÁCH HỒ SƠ THÁNG 3 NĂM 2026")},
			[]any{},
			[]any{"STT", tcvn3Cell(t, "Mã hồ sơ"), "Trạng thái", tcvn3Cell(t, "Ghi chú"), "Đơn vị"},
			[]any{1, "H1", "Đang xử lý", tcvn3Cell(t, "Hồ sơ đất đai"), vniCell(t, "Xã Tản Lĩnh")},
			[]any{2, "H2", "Đã trả kết quả", tcvn3Cell(t, "Bổ sung giấy tờ"), vniCell(t, "Xã Vân Hòa")},
			[]any{3, "H3", "Từ chối", "", vniCell(t, "Thị trấn Tây Đằng")},
		)
	})
	r, err := Open(path, DecodeOptions{HeaderScore: testScore})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header, rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(header, []string{"STT", "Mã hồ sơ", "Trạng thái", "Ghi chú", "Đơn vị"}) {
		t.Fatalf("header %q", header)
	}
	want := []row{
		{5, []string{"1", "H1", "Đang xử lý", "Hồ sơ đất đai", "Xã Tản Lĩnh"}},
		{6, []string{"2", "H2", "Đã trả kết quả", "Bổ sung giấy tờ", "Xã Vân Hòa"}},
		{7, []string{"3", "H3", "Từ chối", "", "Thị trấn Tây Đằng"}},
	}
	if !equalRows(rows, want) {
		t.Errorf("rows %v", rows)
	}
	if got, w := r.Encoding(), "tcvn3 (tiêu đề, cột: Ghi chú), vni (cột: Đơn vị), utf-8"; got != w {
		t.Errorf("encoding %q, want %q", got, w)
	}
}

// TestXLSXAllTCVN3: a workbook typed wholly in TCVN3 reports just tcvn3; its
// title in the capitals font reads back in lower case letters with tones.
func TestXLSXAllTCVN3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "abc.xlsx")
	writeWorkbook(t, path, func(f *excelize.File) error {
		return setRows(f, "Sheet1", 1,
			[]any{tcvn3Cell(t, legacyfont.LowerTonedCapitals("DANH SÁCH HỒ SƠ"))},
			[]any{tcvn3Cell(t, "Mã hồ sơ"), tcvn3Cell(t, "Trạng thái")},
			[]any{"H1", tcvn3Cell(t, "Đã trả kết quả")},
		)
	})
	r, err := Open(path, DecodeOptions{HeaderScore: testScore})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header, rows, _ := readAll(t, r)
	if !slices.Equal(header, []string{"Mã hồ sơ", "Trạng thái"}) || len(rows) != 1 || rows[0].cells[1] != "Đã trả kết quả" || r.Encoding() != "tcvn3" {
		t.Errorf("%s: %q %v", r.Encoding(), header, rows)
	}
}

// TestJSONLegacyCells: a UTF-8 JSON export whose keys and values were typed
// in TCVN3 (their Latin-1 view) reads as Unicode.
func TestJSONLegacyCells(t *testing.T) {
	recs := []map[string]string{
		{"MaHoSo": "H1", tcvn3Cell(t, "Trạng thái"): tcvn3Cell(t, "Đã trả kết quả"), "DonVi": "Xã Tản Lĩnh"},
		{"MaHoSo": "H2", tcvn3Cell(t, "Trạng thái"): tcvn3Cell(t, "Đang xử lý"), "DonVi": "Xã Vân Hòa"},
	}
	b, _ := json.Marshal(recs)
	path := filepath.Join(t.TempDir(), "x.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header, rows, _ := readAll(t, r)
	if !slices.Equal(header, []string{"DonVi", "MaHoSo", "Trạng thái"}) || rows[0].cells[2] != "Đã trả kết quả" || rows[1].cells[0] != "Xã Vân Hòa" {
		t.Errorf("%q %v", header, rows)
	}
	if got := r.Encoding(); got != "tcvn3 (cột: Trạng thái), utf-8" {
		t.Errorf("encoding %q", got)
	}
}

// TestFormatByContent: files that are not what their extension says.
func TestFormatByContent(t *testing.T) {
	dir := t.TempDir()
	// An XLSX saved as .csv is read as a workbook.
	writeWorkbook(t, filepath.Join(dir, "book.xlsx"), simpleSheets())
	if err := os.Rename(filepath.Join(dir, "book.xlsx"), filepath.Join(dir, "book.csv")); err != nil {
		t.Fatal(err)
	}
	r, err := Open(filepath.Join(dir, "book.csv"), DecodeOptions{HeaderScore: testScore})
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != "xlsx" || !slices.Equal(r.Header(), []string{"Mã hồ sơ", "Trạng thái"}) {
		t.Errorf("book.csv read as %s: %q", r.Format(), r.Header())
	}
	r.Close()

	// A CSV whose first cell happens to start with '<' is still a CSV.
	if err := os.WriteFile(filepath.Join(dir, "angle.csv"), []byte("<ghi chú>,Mã hồ sơ\nx,H1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := Open(filepath.Join(dir, "angle.csv"), DecodeOptions{}); err != nil {
		t.Errorf("angle.csv: %v", err)
	} else {
		r.Close()
	}

	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	html := "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body>" +
		strings.Repeat("<p>Lỗi máy chủ</p>", 2000) + "</body></html>"
	files := map[string][]byte{
		"error.xls":  []byte(html),
		"error.csv":  []byte("\r\n  " + html),
		"junk.csv":   junk,
		"report.pdf": append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00"), junk[:4096]...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file string
		opts DecodeOptions
		want []string
	}{
		{"error.xls", DecodeOptions{}, []string{"error.xls", "HTML", "lưu lại dưới dạng .xlsx"}},
		{"error.csv", DecodeOptions{Format: "csv"}, []string{"HTML", `<!DOCTYPE html>`}},
		{"junk.csv", DecodeOptions{}, []string{"junk.csv", "nhị phân", "lưu lại dưới dạng .xlsx"}},
		{"report.pdf", DecodeOptions{}, []string{"nhị phân", `%PDF-1.7`}},
		{filepath.Join("..", "..", "..", "testdata", "legacy.xls"), DecodeOptions{}, []string{"Excel 97-2003", "lưu lại dưới dạng .xlsx"}},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		if strings.HasPrefix(tt.file, "..") {
			path = filepath.Join("testdata", "legacy.xls")
		}
		r, err := Open(path, tt.opts)
		if err == nil {
			r.Close()
			t.Errorf("%s: no error", tt.file)
			continue
		}
		msg := err.Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q lacks %q", tt.file, msg, w)
			}
		}
		// Never kilobytes of content: the quoted part is cut at 200
		// characters, escaped.
		if n := len([]rune(msg)) - len([]rune(path)); n > 600 {
			t.Errorf("%s: error is %d characters: %q", tt.file, n, msg)
		}
		if strings.ContainsAny(msg, "\x00\x01\ufffd") {
			t.Errorf("%s: raw bytes in error %q", tt.file, msg)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `"abc"`},
		{"a\x00\xff\nb", `"a\x00\xff\nb"`},
		{"Mã hồ sơ", `"Mã hồ sơ"`},
		{strings.Repeat("x", 300), `"` + strings.Repeat("x", 200) + `"…`},
		{strings.Repeat("\x00", 300), `"` + strings.Repeat(`\x00`, 50) + `"…`},
	}
	for _, tt := range tests {
		if got := excerpt(tt.in); got != tt.want {
			t.Errorf("excerpt(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestUnitNamesDecide: a VNI export whose only Vietnamese is the commune
// "Hồ" reads as well-formed Windows-1258 too ("Hoà"); the unit registry
// tells which decoding names a unit.
func TestUnitNamesDecide(t *testing.T) {
	b, err := legacyfont.Encode("vni", "STT;Don vi\r\n1;Hồ\r\n2;Hồ\r\n")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	isUnit := func(s string) bool { return s == "Hồ" }
	for _, tt := range []struct {
		isUnit func(string) bool
		want   string
	}{{nil, "windows-1258"}, {isUnit, "vni"}} {
		r, err := Open(path, DecodeOptions{IsUnit: tt.isUnit})
		if err != nil {
			t.Fatal(err)
		}
		if r.Encoding() != tt.want {
			t.Errorf("with unit names %v: %s, want %s", tt.isUnit != nil, r.Encoding(), tt.want)
		}
		r.Close()
	}
}
