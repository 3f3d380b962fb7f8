package sources

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sheetTranscript reads every row of a workbook's first sheet with the
// fast path on or off: each row's number and cells, then the error that
// ended it (EOF at the end). handedOver tells whether encoding/xml took
// over from the fast path.
func sheetTranscript(t testing.TB, data []byte, fast bool) (transcript string, handedOver bool) {
	t.Helper()
	wb := packageOf(t, data)
	defer func(was bool) { sheetFast = was }(sheetFast)
	sheetFast = fast
	sst, err := readSharedStrings(wb.sst)
	if err != nil {
		return "shared strings: " + err.Error(), false
	}
	var b strings.Builder
	for i := 0; ; i++ {
		v, ok := sst.get(i)
		if !ok {
			break
		}
		fmt.Fprintf(&b, "si %q\n", v)
	}
	rows, err := openSheetRows(wb.sheets[0].part, sst)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.close()
	for {
		cells, num, err := rows.next()
		if err != nil {
			fmt.Fprintf(&b, "error: %v", err)
			return b.String(), rows.p.handedOver
		}
		fmt.Fprintf(&b, "%d %q\n", num, cells)
	}
}

// matchXML fails t when the fast path reads data otherwise than
// encoding/xml alone; it returns encoding/xml's transcript.
func matchXML(t *testing.T, data []byte) string {
	t.Helper()
	want, _ := sheetTranscript(t, data, false)
	if got, _ := sheetTranscript(t, data, true); got != want {
		t.Errorf("fast path:\n%.2000s\nencoding/xml:\n%.2000s", got, want)
	}
	return want
}

// packageOf reads the workbook package of data.
func packageOf(t testing.TB, data []byte) *workbook {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	wb, err := readWorkbook(zr)
	if err != nil || len(wb.sheets) == 0 || wb.sheets[0].part == nil {
		t.Fatalf("workbook: %v", err)
	}
	return wb
}

// sheetFastCases are worksheets the fast path reads itself (plain) or
// hands over to encoding/xml at some row (not plain); either way the rows
// and the errors are encoding/xml's.
var sheetFastCases = []struct {
	name  string
	rows  string // the content of <sheetData>
	plain bool
}{
	{"shared and inline strings", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Trạng thái</t></is></c></row>` +
		`<row r="2" spans="1:3" x14ac:dyDescent="0.25"><c r="A2" s="1"><v>45366.5</v></c><c r="C2" t="b"><v>1</v></c></row>`, true},
	{"rich text and phonetic runs", `<row><c t="inlineStr"><is><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">Đang </t></r><r><t>xử lý</t></r><rPh sb="0" eb="1"><t>P</t></rPh></is></c></row>`, true},
	{"entities and character references", `<row r="3"><c r="A3" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#272;&#x1EA1;</t></is></c><c><v> 12 </v></c></row>`, true},
	{"formulas and empty cells", `<row r="4"><c r="A4"/><c r="B4" t="str"><f>A1&amp;"x"</f><v>x</v></c><c r="D4"><f t="shared" si="0"/><v>3</v></c><c r="E4"><v/></c></row>`, true},
	{"self-closing and empty rows", `<row r="5"/><row r="6"></row><row r="7"><c r="A7"><v>1</v></c></row>`, true},
	{"rows and cells without references", `<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>`, true},
	{"prefixed names", `<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c></x:row>`, true},
	{"whitespace and line ends between elements", "\n  <row r=\"1\">\n    <c r=\"A1\">\n      <v>1</v>\n    </c>\n  </row>\r\n  <row r=\"2\">\r\n<c r=\"A2\" t=\"inlineStr\"><is><t>x\r\ny\rz</t></is></c></row>\n", true},
	{"single quotes and spaces around =", `<row r = '1'><c r='A1' t = "inlineStr"><is><t>q</t></is></c></row>`, true},
	{"OOXML escapes", `<row><c t="inlineStr"><is><t>a_x000D_b_x005F_x</t></is></c></row>`, true},
	{"an element other than a cell in a row", `<row r="1"><extLst><c><v>7</v></c></extLst></row>`, true},
	{"text in a row", `<row r="1">text<c><v>1</v></c></row>`, true},
	{"decreasing row numbers", `<row r="5"><c><v>1</v></c></row><row r="3"><c><v>2</v></c></row><row r="x"><c><v>3</v></c></row>`, true},

	{"a comment between rows", `<row r="1"><c><v>1</v></c></row><!-- x --><row r="2"><c><v>2</v></c></row>`, false},
	{"a comment in a row", `<row r="1"><c><v>1</v></c><!-- </row> --><c><v>2</v></c></row><row r="2"><c><v>3</v></c></row>`, false},
	{"CDATA", `<row r="1"><c t="inlineStr"><is><t><![CDATA[<b>&]]></t></is></c></row>`, false},
	{"an unknown entity", `<row r="1"><c><v>1</v></c></row><row r="2"><c t="inlineStr"><is><t>&nbsp;</t></is></c></row>`, false},
	{"an illegal character reference", `<row r="1"><c t="inlineStr"><is><t>&#1;</t></is></c></row>`, false},
	{"a surrogate character reference", `<row r="1"><c t="inlineStr"><is><t>&#xD800;</t></is></c></row>`, false},
	{"an entity in an attribute", `<row r="&#50;"><c r="A&#50;"><v>1</v></c></row>`, false},
	{"a mismatched end", `<row r="1"><c><v>1</v></c></x:row><row r="2"><c><v>2</v></c></row>`, true},
	{"an end tag with a space", `<row r="1"><c><v>1</v></c></row ><row r="2"><c><v>2</v></c></row>`, true},
	{"a cell closed by another element", `<row r="1"><c><v>1</v></x></row>`, false},
	{"a row beyond Excel's last", `<row r="1048577"><c><v>1</v></c></row>`, false},
	{"a column beyond Excel's last", `<row r="1"><c r="XFE1"><v>1</v></c></row>`, false},
	{"a bad cell reference", `<row r="1"><c r="12"><v>1</v></c></row>`, false},
	{"cut short", `<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2`, false},
	{"unquoted attribute", `<row r=1><c><v>1</v></c></row>`, false},
	{"invalid UTF-8", "<row r=\"1\"><c t=\"inlineStr\"><is><t>\xff</t></is></c></row>", false},
	{"a control character", "<row r=\"1\"><c t=\"inlineStr\"><is><t>a\x01b</t></is></c></row>", false},
	{"]]> in text", `<row r="1"><c><v>1]]>2</v></c></row>`, false},
	{"non-ASCII element name", `<row r="1"><cé><v>1</v></cé></row>`, false},
	{"two prefixes", `<a:b:row r="1"></a:b:row>`, false},
	{"two prefixes in a row", `<row r="1"><a:b:c><v>1</v></a:b:c></row>`, false},
	{"invalid UTF-8 in an attribute", "<row r=\"1\"><c r=\"\xff\"><v>1</v></c></row>", false},
	{"a carriage return in an attribute", "<row r=\"1\"><c r=\"A1\r\n\"><v>1</v></c></row>", false},
	{"a character reference of more than 8 digits", `<row r="1"><c t="inlineStr"><is><t>&#x100000041;</t></is></c></row>`, false},
}

// The fast path gives the rows and errors encoding/xml gives, and reads
// the plain shape itself.
func TestSheetFastMatchesXML(t *testing.T) {
	sst := `<sst ` + sheetNS + `><si><t>Mã hồ sơ</t></si></sst>`
	for _, tc := range sheetFastCases {
		t.Run(tc.name, func(t *testing.T) {
			sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<worksheet ` + sheetNS + ` xmlns:x="urn:x"><dimension ref="A1:C3"/><sheetData>` + tc.rows + `</sheetData><mergeCells count="0"/></worksheet>`
			data := rawWorkbook(t, sheet, sst)
			want, _ := sheetTranscript(t, data, false)
			got, handedOver := sheetTranscript(t, data, true)
			if got != want {
				t.Errorf("fast path:\n%s\nencoding/xml:\n%s", got, want)
			}
			if handedOver == tc.plain {
				t.Errorf("handed over to encoding/xml: %v, want %v\n%s", handedOver, !tc.plain, want)
			}
		})
	}
}

// sharedStringCases are shared string tables (the items of <sst>) the
// fast path reads itself or hands over, as sheetFastCases.
var sharedStringCases = []struct {
	name  string
	items string
	plain bool
}{
	{"plain, rich and phonetic", `<si><t>Mã hồ sơ</t></si><si><t xml:space="preserve"> a </t></si>` +
		`<si><r><rPr><b/></rPr><t>Đang </t></r><r><t>xử lý</t></r><rPh sb="0" eb="1"><t>P</t></rPh></si><si/><si><t/></si>`, true},
	{"entities, escapes and line ends", "<si><t>a &amp; b &#x1EA1;_x000D_</t></si>\r\n<si><t>x\r\ny</t></si>", true},
	{"prefixed", `<x:si><x:t>p</x:t></x:si>`, true},
	{"a comment", `<si><t>a</t></si><!-- c --><si><t>b</t></si>`, false},
	{"an unknown entity", `<si><t>a</t></si><si><t>&nbsp;</t></si>`, false},
	{"not an item", `<si><t>a</t></si><extLst/><si><t>b</t></si>`, false},
	{"an item closed by another", `<si><t>a</t></x>`, false},
	{"cut short", `<si><t>a</t></si><si><t>b`, false},
}

// The shared strings' fast path gives encoding/xml's items and errors.
func TestSharedStringsFast(t *testing.T) {
	for _, tc := range sharedStringCases {
		t.Run(tc.name, func(t *testing.T) {
			sst := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<sst ` + sheetNS + ` xmlns:x="urn:x" count="9">` + tc.items + `</sst>`
			data := rawWorkbook(t, `<worksheet><sheetData><row><c t="s"><v>0</v></c><c t="s"><v>2</v></c></row></sheetData></worksheet>`, sst)
			matchXML(t, data)
			rc, err := packageOf(t, data).sst.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			p := newFastPart(rc)
			for !p.fast && !p.handedOver {
				tok, err := p.token()
				if err != nil {
					t.Fatal(err)
				}
				if tok.kind == tokStart && string(tok.local) == "sst" {
					p.begin()
				}
			}
			last := nextRead
			for last == nextRead {
				last = p.next("si", "sst", func(xtok) error { _, err := (&richText{}).read(&p.tok, "si"); return err })
			}
			if (last == nextEnd) != tc.plain {
				t.Errorf("the fast path reached </sst>: %v, want %v", last == nextEnd, tc.plain)
			}
		})
	}
}

// What the prolog declares decides whether the fast path starts at all;
// a syntax error after many lines read by the fast path names the line
// encoding/xml names.
func TestSheetFastProlog(t *testing.T) {
	rows := `<row r="1"><c><v>1</v></c></row>`
	for _, tc := range []struct {
		name, sheet string
		fast        bool
	}{
		{"no declaration", `<worksheet><sheetData>` + rows + `</sheetData></worksheet>`, true},
		{"UTF-8 in any case", `<?xml version="1.0" encoding='utf-8'?><worksheet><sheetData>` + rows + `</sheetData></worksheet>`, true},
		{"another character set", `<?xml version="1.0" encoding="windows-1258"?><worksheet><sheetData>` + rows + "<row><c t=\"inlineStr\"><is><t>\xd0</t></is></c></row></sheetData></worksheet>", false},
		{"a DTD", `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "x">]><worksheet><sheetData>` + rows + `</sheetData></worksheet>`, false},
		{"self-closing sheet data", `<worksheet><sheetData/>` + rows + `</worksheet>`, false},
		{"a comment in the prolog", `<?xml version="1.0"?><!-- made by hand --><worksheet><sheetData>` + rows + `</sheetData></worksheet>`, true},
		{"an error after many lines", `<worksheet><sheetData>` + strings.Repeat(rows+"\n", 50) + `<row r="99"><c><v>&bad;</v></c></row></sheetData></worksheet>`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := rawWorkbook(t, tc.sheet, "")
			matchXML(t, data)
			if fast := fastTaken(t, data); fast != tc.fast {
				t.Errorf("fast path taken: %v, want %v", fast, tc.fast)
			}
		})
	}
}

// A row longer than the window's bound, and rows spread over many reads
// of the part or straddling the refills of a tiny window, are read as
// encoding/xml reads them.
func TestSheetFastWindow(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData>`)
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d"><v>%d</v></c></row>`, i, i, strings.Repeat("ư", i%97), i, i)
	}
	big := strings.Repeat("x", maxFastElement)
	fmt.Fprintf(&b, `<row r="4000"><c t="inlineStr"><is><t>%s</t></is></c></row><row r="4001"><c><v>1</v></c></row>`, big)
	b.WriteString(`</sheetData></worksheet>`)
	data := rawWorkbook(t, b.String(), "")
	want, _ := sheetTranscript(t, data, false)
	got, handedOver := sheetTranscript(t, data, true)
	if got != want {
		t.Errorf("fast path and encoding/xml differ (%d and %d bytes)", len(got), len(want))
	}
	if !handedOver {
		t.Error("a row beyond maxFastElement was read by the fast path")
	}
	defer func(was int) { sheetWindow = was }(sheetWindow)
	sheetWindow = 5
	if got, _ := sheetTranscript(t, data, true); got != want {
		t.Errorf("fast path from a window of 5 bytes and encoding/xml differ (%d and %d bytes)", len(got), len(want))
	}
}

// FuzzSheetFast compares the fast path with encoding/xml alone on
// arbitrary sheet data and shared string items.
func FuzzSheetFast(f *testing.F) {
	for _, tc := range sheetFastCases {
		f.Add(tc.rows, `<si><t>s0</t></si><si><t>s1</t></si>`)
	}
	for _, tc := range sharedStringCases {
		f.Add(`<row><c t="s"><v>1</v></c></row>`, tc.items)
	}
	f.Fuzz(func(t *testing.T, rows, items string) {
		sheet := `<worksheet xmlns:x="urn:x"><sheetData>` + rows + `</sheetData></worksheet>`
		data := rawWorkbook(t, sheet, `<sst xmlns:x="urn:x">`+items+`</sst>`)
		want, _ := sheetTranscript(t, data, false)
		got, _ := sheetTranscript(t, data, true)
		if got != want {
			t.Fatalf("fast path:\n%s\nencoding/xml:\n%s", got, want)
		}
		defer func(was int) { sheetWindow = was }(sheetWindow)
		sheetWindow = 7
		if got, _ := sheetTranscript(t, data, true); got != want {
			t.Fatalf("fast path, window of 7 bytes:\n%s\nencoding/xml:\n%s", got, want)
		}
	})
}

// fastTaken reports whether the fast path started on the workbook's sheet.
func fastTaken(t *testing.T, data []byte) bool {
	t.Helper()
	r, err := openSheetRows(packageOf(t, data).sheets[0].part, &sharedStrings{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	r.next()
	return r.p.fast || r.p.handedOver
}

// A declaration that makes encoding/xml read the part through a
// CharsetReader keeps the fast path off, however it is written: padded so
// that the charset reader's read of the part ends exactly at <sheetData>'s
// '>' (the decoder's offset then matches), a declaration guessed as UTF-8
// gave "é" where encoding/xml gives "Ã©" (review of c30d1ee).
func TestSheetFastCharset(t *testing.T) {
	for _, tc := range []struct{ name, decl, body string }{
		{"utf-8 read past, then latin1", `<?xml version="1.0" encoding ="utf-8" encoding="latin1"?>`, "é"},
		{"the utf8 label", `<?xml version="1.0" encoding="utf8"?>`, "\xff"},
		{"utf-8 after a space, then latin1", `<?xml version="1.0" encoding= "utf-8" encoding="latin1"?>`, "é"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for pad := 4060; pad < 4110; pad++ {
				sheet := tc.decl + `<worksheet` + strings.Repeat(" ", pad) + `><sheetData>` +
					`<row r="1"><c t="inlineStr"><is><t>` + tc.body + `</t></is></c></row></sheetData></worksheet>`
				data := rawWorkbook(t, sheet, "")
				if fastTaken(t, data) {
					t.Fatalf("pad %d: the fast path started on a part read through a CharsetReader", pad)
				}
				matchXML(t, data)
			}
		})
	}
}

// corruptCRC flips the CRC-32 of the sheet part in the zip's central
// directory.
func corruptCRC(data []byte) []byte {
	out := bytes.Clone(data)
	name := []byte("xl/worksheets/sheet1.xml")
	for i := 0; i+46 < len(out); i++ {
		if bytes.Equal(out[i:i+4], []byte("PK\x01\x02")) && bytes.HasPrefix(out[i+46:], name) {
			out[i+16] ^= 0xff
		}
	}
	return out
}

// A part whose checksum fails at its end gives the rows and the error
// encoding/xml gives, whatever the window (review of c30d1ee).
func TestSheetFastChecksum(t *testing.T) {
	rows := `<row r="1"><c><v>1</v></c></row>`
	for _, tc := range []struct{ name, sheet string }{
		{"end", `<worksheet><sheetData>` + rows + `</sheetData></worksheet>`},
		{"no end", `<worksheet><sheetData>` + rows},
		{"cut row", `<worksheet><sheetData>` + rows + `<row r="2"><c>`},
		{"nothing after sheetData", `<worksheet><sheetData>` + rows + `</sheetData>`},
		{"many rows", `<worksheet><sheetData>` + strings.Repeat(rows+"\n", 5000) + `</sheetData></worksheet>`},
		{"many rows, a comment", `<worksheet><sheetData>` + strings.Repeat(rows+"\n", 5000) + "<!-- -->" + rows},
	} {
		for _, w := range []int{5, 7, 64 << 10} {
			t.Run(fmt.Sprint(tc.name, "/", w), func(t *testing.T) {
				defer func(was int) { sheetWindow = was }(sheetWindow)
				sheetWindow = w
				data := corruptCRC(rawWorkbook(t, tc.sheet, ""))
				want, _ := sheetTranscript(t, data, false)
				if !strings.Contains(want, "checksum") {
					t.Fatalf("no checksum error: %s", want[max(0, len(want)-100):])
				}
				if got, _ := sheetTranscript(t, data, true); got != want {
					t.Errorf("fast path:\n%.300s\nencoding/xml:\n%.300s", got[max(0, len(got)-300):], want[max(0, len(want)-300):])
				}
			})
		}
	}
}

// Syntax errors after line ends in the prolog, in tags and between rows
// name encoding/xml's line, whatever the window (review of c30d1ee).
func TestSheetFastLines(t *testing.T) {
	rows := "<row r=\"1\"\n><c\r\n r=\"A1\"\n><v>1</v></c></row>\n"
	for i, sheet := range []string{
		"<?xml version=\"1.0\"?>\n<!-- a\nb -->\r\n<worksheet\nx=\"1\n2\">\n<sheetData\n>\n" + strings.Repeat(rows, 3) + "<row><c><v>&bad;</v></c></row></sheetData></worksheet>",
		"<worksheet><sheetData>\n\n" + strings.Repeat(rows, 3) + "\n\n<row>\n<c t=\"inlineStr\"><is><t>a\nb\xff</t></is></c></row></sheetData></worksheet>",
		"<worksheet><sheetData>\n\n" + strings.Repeat(rows, 3) + "\n\n<row>\n<c t=\"inlineStr\"><is><t>a\nb</t></is></c></row>\n<!-- \n -->\n<row><c>\n<v>&bad;</v></c></row></sheetData></worksheet>",
		"<worksheet><sheetData>\n\n" + strings.Repeat(rows, 3) + "\n\n<row/>\n\n<row><c>\n<v>1</v></c></row>\n</sheetData ></worksheet>\n<bad",
		"<worksheet><sheetData>\n\n" + strings.Repeat(rows, 3) + "\n\n<row/>\n\n<row><c>\n<v>1</v></c></row>\n<",
	} {
		for _, w := range []int{1, 3, 7, 64 << 10} {
			t.Run(fmt.Sprint(i, "/", w), func(t *testing.T) {
				defer func(was int) { sheetWindow = was }(sheetWindow)
				sheetWindow = w
				data := rawWorkbook(t, sheet, "")
				matchXML(t, data)
			})
		}
	}
}

// The window holds at most about twice maxFastElement, whatever the rows
// (review of c30d1ee).
func TestSheetFastWindowBound(t *testing.T) {
	for _, w := range []int{5, 64 << 10} {
		for i, row := range []string{
			`<row><c t="inlineStr"><is><t>` + strings.Repeat("x", maxFastElement-40) + `</t></is></c></row>`,
			`<row r="1" a="` + strings.Repeat("x", maxFastElement*2) + `"></row>`,
			`<row><c t="inlineStr"><is><t>` + strings.Repeat("x", maxFastElement*2) + `</t></is></c></row >`,
			strings.Repeat(" ", maxFastElement*3) + `<row/>`,
		} {
			data := rawWorkbook(t, `<worksheet><sheetData><row/>`+row+`<row/></sheetData></worksheet>`, "")
			wb := packageOf(t, data)
			func() {
				defer func(was int) { sheetWindow = was }(sheetWindow)
				sheetWindow = w
				r, err := openSheetRows(wb.sheets[0].part, &sharedStrings{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.close()
				most := 0
				for {
					_, _, err := r.next()
					most = max(most, cap(r.p.win))
					if err != nil {
						break
					}
				}
				if most > 2*maxFastElement {
					t.Errorf("window %d, row %d: the window grew to %d bytes, over twice maxFastElement", w, i, most)
				}
			}()
		}
	}
}

// FuzzSheetProlog varies the prolog, the <sheetData> tag and the first
// window as well (review of c30d1ee).
func FuzzSheetProlog(f *testing.F) {
	f.Add(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet xmlns:x="u"><dimension ref="A1"/><sheetData>`, `<row r="1"><c><v>1</v></c></row></sheetData></worksheet>`, uint8(0))
	f.Add(`<?xml version="1.0"?><!-- c --><worksheet><x:sheetData a='1'>`, "<row>\r\n<c t=\"inlineStr\"><is><t>a\r\nb</t></is></c></row>\n</x:sheetData>", uint8(3))
	f.Add(`<worksheet><sheetData/><sheetData>`, `<row/><row r="2"/>`, uint8(1))
	f.Add(`<?xml version="1.0" encoding="latin1"?><worksheet><sheetData>`, "<row><c><v>\xe9</v></c></row>", uint8(7))
	f.Add(`<!DOCTYPE x [<!ENTITY e "1">]><worksheet><sheetData>`, `<row><c><v>&e;</v></c></row>`, uint8(2))
	f.Fuzz(func(t *testing.T, head, rows string, w uint8) {
		data := rawWorkbook(t, head+rows, `<sst><si><t>s0</t></si></sst>`)
		want, _ := sheetTranscript(t, data, false)
		defer func(was int) { sheetWindow = was }(sheetWindow)
		if w > 0 {
			sheetWindow = int(w)
		}
		if got, _ := sheetTranscript(t, data, true); got != want {
			t.Fatalf("fast path (window %d):\n%s\nencoding/xml:\n%s", sheetWindow, got, want)
		}
	})
}

// byteBlocks writes a deflate stream of one block per byte, so that the
// inflater hands out one byte per read.
type byteBlocks struct{ fw *flate.Writer }

func (b byteBlocks) Write(p []byte) (int, error) {
	for i := range p {
		if _, err := b.fw.Write(p[i : i+1]); err != nil {
			return i, err
		}
		if err := b.fw.Flush(); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

func (b byteBlocks) Close() error { return b.fw.Close() }

// tinyBlockPart is a zip part holding body, deflated one byte per block.
func tinyBlockPart(t *testing.T, body string) *zip.File {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		fw, err := flate.NewWriter(w, flate.BestSpeed)
		return byteBlocks{fw}, err
	})
	w, err := zw.Create("part.xml")
	if err == nil {
		_, err = io.WriteString(w, body)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0]
}

// An element longer than the window, inflated one byte per read, is read
// again only a few times: each refill fills the window whole. Refilled a
// read at a time, a 64 KiB shared string item was read again after every
// byte, about 90 s of CPU where encoding/xml took 15 ms (review of
// ddcd95b).
func TestSheetFastTinyBlocks(t *testing.T) {
	item := "<si>" + strings.Repeat("<r><t>x</t></r>", (64<<10)/15) + "</si>"
	sst := tinyBlockPart(t, `<sst>`+item+item+`</sst>`)
	rc, err := sst.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	p := newFastPart(rc)
	for !p.fast {
		if tok, err := p.token(); err != nil {
			t.Fatal(err)
		} else if tok.kind == tokStart && string(tok.local) == "sst" {
			p.begin()
		}
	}
	items := 0
	for p.fast {
		if p.next("si", "sst", func(xtok) error { _, err := (&richText{}).read(&p.tok, "si"); return err }) == nextRead {
			items++
		}
	}
	if items != 2 || p.handedOver {
		t.Errorf("%d items read on the fast path, handed over %v", items, p.handedOver)
	}
	if p.fills > 16 {
		t.Errorf("%d refills of the window for %d bytes", p.fills, sst.UncompressedSize64)
	}

	row := `<row r="1">` + strings.Repeat("<c><v>1</v></c>", (64<<10)/15) + `</row>`
	sheet := tinyBlockPart(t, `<worksheet><sheetData>`+row+row+`</sheetData></worksheet>`)
	r, err := openSheetRows(sheet, &sharedStrings{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	for {
		if _, _, err := r.next(); err != nil {
			break
		}
	}
	if r.p.handedOver || r.p.fills > 16 {
		t.Errorf("rows: handed over %v, %d refills", r.p.handedOver, r.p.fills)
	}
}

// A panic while the header is chosen (here the caller's HeaderScore) fails
// the file and leaves no read-ahead goroutine behind (review of b0f788d).
func TestXLSXPanicClosesRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.xlsx")
	// Rows enough that the read-ahead goroutine is still waiting to hand
	// out more of the part (4 buffers of 256 KiB) when the header is chosen.
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData><row><c t="inlineStr"><is><t>Mã hồ sơ</t></is></c></row>`)
	for i := range 60000 {
		fmt.Fprintf(&b, `<row><c t="inlineStr"><is><t>HS-%d</t></is></c></row>`, i)
	}
	b.WriteString(`</sheetData></worksheet>`)
	if err := os.WriteFile(path, rawWorkbook(t, b.String(), ""), 0o644); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for range 5 {
		// The pause lets the read-ahead fill its buffers and wait: a
		// goroutine left then waits for good.
		score := func([]string) int { time.Sleep(20 * time.Millisecond); panic("score") }
		if r, err := Open(path, DecodeOptions{HeaderScore: score}); err == nil {
			r.Close()
			t.Fatal("a panicking HeaderScore gave no error")
		}
	}
	// The read-ahead goroutine ends once closed; give the scheduler a
	// moment, then count.
	for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left after 5 failed opens (were %d)", n, before)
	}
}
