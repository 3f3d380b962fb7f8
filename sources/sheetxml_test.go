package sources

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rawWorkbook returns the bytes of a minimal XLSX package whose only sheet
// ("Sheet1") is sheetXML, with sstXML as its shared strings part when not
// empty: the parts Excel and other writers produce, written by hand so a
// test can hold what excelize never writes (rich text, phonetic guides,
// namespace prefixes, rows and cells without references).
func rawWorkbook(t testing.TB, sheetXML, sstXML string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(body))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	const ns = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="`+ns+`/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="`+ns+`">`+
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	rels := `<Relationship Id="rId1" Type="` + ns + `/worksheet" Target="worksheets/sheet1.xml"/>`
	if sstXML != "" {
		rels += `<Relationship Id="rId2" Type="` + ns + `/sharedStrings" Target="sharedStrings.xml"/>`
		add("xl/sharedStrings.xml", sstXML)
	}
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels+`</Relationships>`)
	add("xl/worksheets/sheet1.xml", sheetXML)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const sheetNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`

// TestSheetXML reads cells the way excelize's RawCellValue did: stored
// values, shared and inline strings with their runs joined, rows and
// columns placed by their references (or in order without them).
func TestSheetXML(t *testing.T) {
	sst := `<sst ` + sheetNS + ` count="5" uniqueCount="5">` +
		`<si><t>Mã hồ sơ</t></si>` +
		`<si><t xml:space="preserve">Trạng thái</t></si>` +
		// Rich text: the runs joined; the phonetic guide left out.
		`<si><r><rPr><b/></rPr><t>Đang </t></r><r><t>xử lý</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>` +
		// _x000D_ is Excel's escape of a carriage return; _x005F_ of '_'.
		`<si><t>dòng 1_x000D_
dòng 2 _x005F_x000D_</t></si>` +
		`<si><t>A&amp;B &lt;1&gt;</t></si>` +
		`</sst>`
	tests := []struct {
		name  string
		sheet string
		sst   string
		want  []row
		err   string
	}{
		{name: "shared strings, numbers, booleans, errors, formulas", sst: sst, sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>4</v></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="3"><v>45366.5</v></c><c r="C2" t="b"><v>1</v></c>` +
			`<c r="D2" t="e"><v>#N/A</v></c><c r="E2" t="str"><f>A2&amp;"x"</f><v>Đang xử lýx</v></c><c r="F2" t="s"><v>3</v></c></row>` +
			`</sheetData><mergeCells count="0"/></worksheet>`,
			want: []row{
				{1, []string{"Mã hồ sơ", "Trạng thái", "A&B <1>"}},
				{2, []string{"Đang xử lý", "45366.5", "1", "#N/A", "Đang xử lýx", "dòng 1\r\ndòng 2 _x000D_"}},
			}},
		{name: "inline strings with runs", sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row><c t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c t="inlineStr"><is><r><t>Trạng </t></r><r><t>thái</t></r></is></c></row>` +
			`<row><c t="inlineStr"><is><t>H1</t></is></c><c t="inlineStr"><is><t></t></is></c></row>` +
			`</sheetData></worksheet>`,
			want: []row{{1, []string{"Mã hồ sơ", "Trạng thái"}}, {2, []string{"H1", ""}}}},
		{name: "gaps: cells and rows placed by reference", sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c r="C2" t="inlineStr"><is><t>Ghi chú</t></is></c></row>` +
			`<row r="7"><c r="$A$7"><v>1</v></c><c r="AA7"><v>2</v></c></row>` +
			// Without r, the row follows the previous one and a cell the previous cell.
			`<row><c r="B8"><v>3</v></c><c><v>4</v></c></row>` +
			`</sheetData></worksheet>`,
			want: []row{
				{2, []string{"Mã hồ sơ", "", "Ghi chú"}},
				{7, append(append([]string{"1"}, make([]string, 25)...), "2")},
				{8, []string{"", "3", "4"}},
			}},
		{name: "a row number repeated or going back follows the previous row", sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="3"><c><v>1</v></c></row><row r="3"><c><v>2</v></c></row><row r="1"><c><v>3</v></c></row>` +
			`</sheetData></worksheet>`,
			want: []row{{3, []string{"1"}}, {4, []string{"2"}}, {5, []string{"3"}}}},
		{name: "namespace prefixes", sheet: `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
			`<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Mã hồ sơ</x:t></x:is></x:c></x:row>` +
			`<x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row>` +
			`</x:sheetData></x:worksheet>`,
			want: []row{{1, []string{"Mã hồ sơ"}}, {2, []string{"7"}}}},
		{name: "a shared string index out of range is the index", sst: sst, sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="1"><c t="s"><v>0</v></c></row><row r="2"><c t="s"><v>99</v></c></row></sheetData></worksheet>`,
			want: []row{{1, []string{"Mã hồ sơ"}}, {2, []string{"99"}}}},
		{name: "row beyond Excel's last", sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="1"><c><v>1</v></c></row><row r="1048577"><c><v>2</v></c></row></sheetData></worksheet>`,
			err: "beyond Excel's last row"},
		{name: "column beyond Excel's last", sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="1"><c><v>1</v></c></row><row r="2"><c r="XFE2"><v>2</v></c></row></sheetData></worksheet>`,
			err: "beyond Excel's last column"},
		{name: "malformed XML names the file and row", sheet: `<worksheet ` + sheetNS + `><sheetData>` +
			`<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v></row></sheetData></worksheet>`,
			err: `trang tính "Sheet1", sau dòng 1: tệp hỏng`},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i))+".xlsx")
			if err := os.WriteFile(path, rawWorkbook(t, tt.sheet, tt.sst), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, DecodeOptions{})
			var rows []row
			var h []string
			if err == nil {
				h, rows, err = readAll(t, r)
				r.Close()
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming %s and saying %q", err, path, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The first row is the header (no header dictionary).
			got := append([]row{{tt.want[0].n, h[:len(tt.want[0].cells)]}}, rows...)
			for i := range got {
				got[i].cells = trimTrailingBlank(slices.Clone(got[i].cells), 0)
			}
			want := slices.Clone(tt.want)
			for i := range want {
				want[i].cells = trimTrailingBlank(slices.Clone(want[i].cells), 0)
			}
			if !equalRows(got, want) {
				t.Errorf("rows\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestUnescapeOOXML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a_x000D_b", "a\rb"},
		{"_x005F_x000D_", "_x000D_"}, // an escaped escape stays literal text
		{"_x1EA1_", "ạ"},
		{"_xD800_", "\uFFFD"}, // a lone surrogate is not a character
		{"_x12G4_ _x12", "_x12G4_ _x12"},
	}
	for _, tt := range tests {
		if got := unescapeOOXML(tt.in); got != tt.want {
			t.Errorf("unescapeOOXML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A workbook quoting its own bytes at length in its XML (an element, an
// entity, a charset name, a cell reference thousands of characters long)
// is refused with an error of a few lines that carries at most a cut of
// them: the error goes to the log and the ledger.
func TestSheetXMLErrorsShort(t *testing.T) {
	long := strings.Repeat("x", 3000)
	row := `<row><c><v>1</v></c></row>`
	for _, tt := range []struct{ name, sheet string }{
		{"cell reference", `<worksheet><sheetData><row><c r="` + long + `1"><v>1</v></c></row></sheetData></worksheet>`},
		{"inline string closed by another element", `<worksheet><sheetData><row><c t="inlineStr"><is><t>a</t></` + long + `></c></row></sheetData></worksheet>`},
		{"cell closed by another element", `<worksheet><sheetData><row><c><v>1</v></` + long + `></row></sheetData></worksheet>`},
		{"entity", `<worksheet><sheetData><row><c><v>&` + long + `;</v></c></row></sheetData></worksheet>`},
		{"charset", `<?xml version="1.0" encoding="` + long + `"?><worksheet><sheetData>` + row + `</sheetData></worksheet>`},
		{"merged cells", `<worksheet><mergeCells><mergeCell ref="&` + long + `;"/></mergeCells><sheetData>` + row + `</sheetData></worksheet>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "export")
			if err := os.WriteFile(p, rawWorkbook(t, tt.sheet, ""), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(p, DecodeOptions{HeaderScore: testScore})
			if err == nil {
				_, _, err = readAll(t, r)
				r.Close()
			}
			if err == nil {
				t.Fatal("opened")
			}
			// The path, the sheet, the advice to the clerk (some 200
			// bytes of Vietnamese) and at most maxExcerpt characters of
			// the decoder's message.
			if n := len(err.Error()); n > len(p)+maxExcerpt+300 || strings.Contains(err.Error(), long[:maxExcerpt+1]) {
				t.Errorf("error of %d bytes: %.300s", n, err)
			}
		})
	}
}
