package sources

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// csvRecord is one record, its line, or the error that ended the reading.
type csvRecord struct {
	cells []string
	line  int64
	err   string
}

// readCSVRef reads data with encoding/csv set as csvLines sets it, the
// reference: its records, the line FieldPos gives for each, its error.
func readCSVRef(data []byte, comma rune) []csvRecord {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var out []csvRecord
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return append(out, csvRecord{err: err.Error()})
		}
		line, _ := r.FieldPos(0)
		out = append(out, csvRecord{cells: slices.Clone(rec), line: int64(line)})
	}
}

// readCSVLines reads data with csvLines over a bufio.Reader of size bytes
// fed by in (which may hand the bytes over a few at a time), first filled
// by a Peek when peek is set (as openCSV peeks to sniff). split counts the
// records split by the fast path.
func readCSVLines(in io.Reader, size int, comma rune, peek bool) (out []csvRecord, split int) {
	br := bufio.NewReaderSize(in, size)
	if peek {
		br.Peek(size)
	}
	c := newCSVLines(br, comma)
	for {
		rec, line, err := c.read()
		if errors.Is(err, io.EOF) {
			return out, split
		}
		if err != nil {
			return append(out, csvRecord{err: err.Error()}), split
		}
		if c.split {
			split++
		}
		// Strings copied: they point into the buffer (csvLines.read).
		out = append(out, csvRecord{cells: cloneCells(rec), line: line})
	}
}

// readers are the ways the bytes reach the buffer: all at once, one byte
// per Read, half of what is asked (lines cut at every place).
var readers = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"whole", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"onebyte", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"half", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
}

// checkCSVLines fails unless csvLines reads data as encoding/csv does,
// for every delimiter, buffer size and way of reading.
func checkCSVLines(t *testing.T, data []byte) (split int) {
	for _, comma := range []rune{',', ';', '\t', '|'} {
		want := readCSVRef(data, comma)
		for _, size := range []int{4096, 5000, 16} { // 16: too small to share, all encoding/csv's
			for k, rd := range readers {
				peek := (k+size)%2 == 0
				got, n := readCSVLines(rd.wrap(data), size, comma, peek)
				for i := range max(len(got), len(want)) {
					var g, w csvRecord
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					if !slices.Equal(g.cells, w.cells) || g.line != w.line || g.err != w.err {
						t.Fatalf("%.300q (delimiter %q, buffer %d, %s, peek %v): record %d of %d:\ncsvLines     %+v\nencoding/csv %+v (of %d)",
							data, comma, size, rd.name, peek, i, len(got), g, w, len(want))
					}
				}
				split += n
			}
		}
	}
	return split
}

// Each kind of line the fast path splits, and each it leaves to
// encoding/csv, read as encoding/csv reads them (records, lines).
func TestCSVLines(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		split bool // some record is split by the fast path (delimiter ,)
	}{
		{"plain", "a,b,c\n1,2,3\n", true},
		{"crlf", "a,b,c\r\n1,2,3\r\n", true},
		{"no final newline", "a,b\n1,2", true},
		{"final cr", "a,b\n1,2\r", true},
		{"blank lines", "a,b\n\n\r\n1,2\n\n3,4\n", true},
		{"empty fields", ",,\n,a,\n", true},
		{"trailing delimiter", "a,b,\n", true},
		{"quoted with delimiter", "x,\"Chứng thực, sao y\",y\n", true},
		{"quoted last", "x,\"a, b\"\r\n", true},
		{"quoted empty", "\"\",x,\"\"\n", true},
		{"quoted then quoted", "\"a\",\"b\"\n", true},
		{"quote inside unquoted", "a\"b,c\"\n", true},
		{"lone cr inside", "a\rb,c\n", true},
		{"cr cr lf", "a,b\r\r\n", true},
		{"escaped quote", "\"a\"\"b\",c\n", false},
		{"bare quote after closing", "\"a\"b\",c\n", false},
		{"multi-line", "\"a\nb\",c\nd,e\n", true},
		{"multi-line crlf", "\"a\r\nb\",c\r\nd,e\r\n", true},
		{"multi-line last field", "x,\"a\n\nb\"\ny,z\n", true},
		{"unterminated", "a,b\n\"c,d\ne,f\n", true},
		{"quote then cr", "\"a\"\r\"\r\n", false},
		{"bom", "\uFEFFa,b\n1,2\n", true},
		{"empty", "", false},
		{"only blank", "\n\r\n\n", false},
		{"invalid utf-8", "\xff,\xfe\n\xc3,x\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Lines before and after move the line numbers and the
			// buffer's edges.
			data := []byte(tt.data + "p,q\n" + tt.data + strings.Repeat("0123456789,abcdef\n", 300) + tt.data)
			if n := checkCSVLines(t, data); n == 0 {
				t.Error("no record split by the fast path")
			}
			_, n := readCSVLines(bytes.NewReader([]byte(tt.data)), 4096, ',', true)
			if (n > 0) != tt.split {
				t.Errorf("%q: %d records split by the fast path", tt.data, n)
			}
		})
	}
}

// FuzzCSVLines: csvLines reads any bytes exactly as encoding/csv reads
// them (records, their lines, errors), whatever the delimiter and however
// the bytes arrive; repeated, the input crosses the buffer's edges.
func FuzzCSVLines(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "x,\"a, b\"\r\n\"c\"\"d\",e\n", "\"a\nb\",c\n\n,\n", "a\"b,\"c\"d\r\r\n\"", "\t;|\"\"\n\r"} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, times uint8) {
		if len(data) > 4096 {
			return
		}
		k := 1 + int(times)%8
		if len(data)*k < 4096 && times >= 128 {
			k = 4096/max(len(data), 1) + 2 // past one buffer
		}
		checkCSVLines(t, bytes.Repeat(data, min(k, 64)))
	})
}
