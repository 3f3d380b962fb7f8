package sources

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/xuri/excelize/v2"
)

// fuzzOpen decodes data saved at path: it must not panic, must keep every
// record consistent with the header, must give increasing row numbers, and
// must release all memory.
func fuzzOpen(t *testing.T, path string, data []byte, score func([]string) int) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := Open(path, DecodeOptions{BatchRows: 2, HeaderScore: score, Mem: mem})
	if err != nil {
		return
	}
	defer r.Close()
	_, rows, _ := readAll(t, r) // checks every record's shape
	for i := 1; i < len(rows); i++ {
		if rows[i].n <= rows[i-1].n {
			t.Fatalf("row numbers not increasing: %d after %d", rows[i].n, rows[i-1].n)
		}
	}
	for _, rw := range rows {
		if isBlank(rw.cells) {
			t.Fatalf("blank row %d delivered", rw.n)
		}
	}
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "utf8.csv", "utf8_bom.csv", "utf16le.txt", "win1258.csv", "semicolon.csv",
		"titles.csv", "ragged.csv", "sep_line.csv")
	f.Add([]byte("a,\"b\nc\"\"\",d\r\n\"unterminated"))
	path := filepath.Join(f.TempDir(), "f.csv") // one per worker process
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, path, data, testScore)
	})
}

func FuzzJSON(f *testing.F) {
	addSeeds(f, "array.json", "wrapped.json", "items.json", "lines_noext.data", "malformed.json", "empty_list.json")
	f.Add([]byte(`{"a":{"b":{"c":[{"x":1},{"y":[1,{"z":null}]}]}}}`))
	f.Add([]byte("{\"a\":1}\n{\"a\":2,\"b\":\"x\"}\n[1]\n"))
	path := filepath.Join(f.TempDir(), "f.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, path, data, nil)
	})
}

// FuzzGuards: the line limiter and the JSON guard pass every byte through
// unchanged until they fail, and fail only with a *LimitError.
func FuzzGuards(f *testing.F) {
	f.Add([]byte(`[{"a":"b\"c","d":[1,2,{"e":null}]}]`), 3, 8)
	f.Add([]byte("a,b\r\nc,d\n\"x\ny\"\n"), 1, 2)
	f.Fuzz(func(t *testing.T, data []byte, depth, max int) {
		depth, max = depth%64+1, max%256+1
		for _, r := range []io.Reader{
			&lineLimiter{r: bytes.NewReader(data), path: "f", max: max},
			&jsonGuard{r: bytes.NewReader(data), path: "f", maxDepth: depth, maxString: max, maxRun: max},
		} {
			got, err := io.ReadAll(r)
			if err != nil {
				var le *LimitError
				if !errors.As(err, &le) {
					t.Fatalf("%T: error %v is not a *LimitError", r, err)
				}
			}
			if !bytes.HasPrefix(data, got) || (err == nil && len(got) != len(data)) {
				t.Fatalf("%T: passed %q of %q", r, got, data)
			}
			if _, ok := r.(*lineLimiter); ok {
				if want := lineLimit(data, max); len(got) != want || (err == nil) != (want == len(data)) {
					t.Fatalf("line limiter passed %d bytes (err %v), want %d of %q with max %d", len(got), err, want, data, max)
				}
			}
		}
	})
}

// lineLimit is the line limiter's contract byte by byte: how many bytes
// of data pass before a run between line breaks (CR or LF) exceeds max.
func lineLimit(data []byte, max int) int {
	run := 0
	for i, b := range data {
		if b == '\n' || b == '\r' {
			run = 0
			continue
		}
		if run++; run > max {
			return i
		}
	}
	return len(data)
}

// FuzzXLSX decodes arbitrary bytes saved as a workbook: seeds are real
// workbooks (a plain sheet, the merged report layout, a mixed TCVN3 and
// Unicode sheet) that the fuzzer mutates inside and outside the zip.
func FuzzXLSX(f *testing.F) {
	for _, build := range []func(*excelize.File) error{simpleSheets(), reportSheet, func(x *excelize.File) error {
		return setRows(x, "Sheet1", 1,
			[]any{tcvn3Cell(f, "Ủy ban nhân dân huyện Ba Vì")},
			[]any{tcvn3Cell(f, "Mã hồ sơ"), "Trạng thái", vniCell(f, "Đơn vị")},
			[]any{"H1", tcvn3Cell(f, "Đã trả kết quả"), vniCell(f, "Xã Tản Lĩnh")})
	}} {
		x := excelize.NewFile()
		if err := build(x); err != nil {
			f.Fatal(err)
		}
		buf, err := x.WriteToBuffer()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		x.Close()
	}
	addSeeds(f, "corrupt.xlsx", "legacy.xls", "page.xls")
	path := filepath.Join(f.TempDir(), "f.xlsx")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, path, data, testScore)
	})
}

// FuzzSheetXML decodes arbitrary worksheet and shared strings XML inside a
// valid package, so that the fuzzer works on the streaming sheet parser
// rather than on the zip container.
func FuzzSheetXML(f *testing.F) {
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t>Trạng </t></r><r><t>thái</t></r></is></c></row>`+
		`<row r="3"><c r="A3" t="b"><v>1</v></c><c r="C3"><v>45366.5</v></c><c t="str"><f>1</f><v>x</v></c></row></sheetData>`+
		`<mergeCells><mergeCell ref="A1:A2"/></mergeCells></worksheet>`,
		`<sst><si><t>Mã hồ sơ</t></si><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>`)
	f.Add(`<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row><x:c><x:v>_x000D_</x:v></x:c></x:row></x:sheetData></x:worksheet>`, ``)
	path := filepath.Join(f.TempDir(), "s.xlsx")
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		fuzzOpen(t, path, rawWorkbook(t, sheet, sst), testScore)
	})
}

// FuzzOpenAuto decodes arbitrary bytes from a file without extension, so
// that format detection by content picks the decoder; errors must stay
// short and free of raw bytes.
func FuzzOpenAuto(f *testing.F) {
	addSeeds(f, "utf8.csv", "tcvn3.csv", "vni.csv", "array.json", "page.xls", "legacy.xls", "noext_csv", "utf16le.txt")
	f.Add([]byte("<html>\x00\xff"))
	f.Add([]byte("PK\x03\x04garbage"))
	path := filepath.Join(f.TempDir(), "export")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, DecodeOptions{HeaderScore: testScore})
		if err != nil {
			if n := len(err.Error()); n > 2000 {
				t.Fatalf("error of %d bytes: %.300q", n, err)
			}
			return
		}
		defer r.Close()
		readAll(t, r)
		_ = r.Encoding()
	})
}
