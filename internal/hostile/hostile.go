// Package hostile writes export files built to exhaust a decoder: zip
// bombs of each kind, a 200 MB line, NUL bytes, deep JSON. Tests generate
// them in a temporary folder (they are never committed) and check that
// each fails alone, with its message, under a memory bound.
//
// The bombs are cheap to write: a deflate stream of non-final blocks can be
// concatenated, so one compressed chunk repeated N times inflates to N
// times the chunk, and a 2 GiB part costs a 2 MB file and one pass of
// CRC-32.
package hostile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
)

// File is one hostile file and a fragment its error must contain.
type File struct {
	Name string // file name in the folder
	Want string // fragment of the expected error (a config key, or the reason)
}

// Files lists what Write writes.
var Files = []File{
	{"bomb-sheet.xlsx", "limits.max_xml_part_bytes"},     // one sheet part inflating to 2 GiB
	{"bomb-parts.xlsx", "limits.max_workbook_bytes"},     // five sheet parts of 300 MiB each
	{"bomb-media.xlsx", "limits.max_xml_part_bytes"},     // a 300 MiB part excelize would hold in memory
	{"bomb-sharedstrings.xlsx", "limits.max_cell_bytes"}, // 100 MB of padding in one shared string
	{"bomb-merges.xlsx", "limits.max_merges"},            // 20 million merge entries
	{"bomb-cell.xlsx", "limits.max_cell_bytes"},          // one 200 MB inline cell
	{"long-line.csv", "limits.max_line_bytes"},           // a 200 MB line
	{"nul-bytes.csv", "nội dung nhị phân"},               // 8 MiB of NUL bytes: refused as binary before any line is read
	{"wide.csv", "limits.max_columns"},                   // 5,000 columns
	{"deep.json", "limits.max_json_depth"},               // [[[[... 100,000 deep
	{"long-string.json", "limits.max_cell_bytes"},        // one 50 MB string value
}

// Write writes every file of Files into dir.
func Write(dir string) error {
	header := "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Trạng thái\n"
	steps := []struct {
		name string
		fn   func(string) error
	}{
		{"bomb-sheet.xlsx", func(p string) error {
			return workbook(p, nil, part{name: "xl/worksheets/sheet1.xml", prefix: sheetHead,
				chunk: []byte(strings.Repeat(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`, 1<<14)), repeat: 2700, suffix: sheetTail})
		}},
		{"bomb-parts.xlsx", func(p string) error {
			var extra []part
			for i := range 5 {
				extra = append(extra, part{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2), chunk: bytes.Repeat([]byte{' '}, 1<<20), repeat: 300})
			}
			return workbook(p, extra, smallSheet())
		}},
		{"bomb-media.xlsx", func(p string) error {
			return workbook(p, []part{{name: "xl/media/image1.png", chunk: bytes.Repeat([]byte{' '}, 1<<20), repeat: 300}}, smallSheet())
		}},
		{"bomb-sharedstrings.xlsx", func(p string) error {
			sst := part{name: "xl/sharedStrings.xml",
				prefix: []byte(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t xml:space="preserve">`),
				chunk:  bytes.Repeat([]byte{' '}, 1<<20), repeat: 100, suffix: []byte(`</t></si></sst>`)}
			sheet := part{name: "xl/worksheets/sheet1.xml", prefix: append(append([]byte{}, sheetHead...),
				`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`...), suffix: sheetTail}
			return workbook(p, []part{sst}, sheet)
		}},
		{"bomb-merges.xlsx", func(p string) error {
			head := append(append([]byte{}, sheetHead...), []byte(`<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c></row></sheetData><mergeCells count="20000000">`)...)
			return workbook(p, nil, part{name: "xl/worksheets/sheet1.xml", prefix: head,
				chunk: []byte(strings.Repeat(`<mergeCell ref="C3:D4"/>`, 1<<15)), repeat: 610, suffix: []byte(`</mergeCells></worksheet>`)})
		}},
		{"bomb-cell.xlsx", func(p string) error {
			head := append(append([]byte{}, sheetHead...), []byte(`<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`)...)
			return workbook(p, nil, part{name: "xl/worksheets/sheet1.xml", prefix: head,
				chunk: bytes.Repeat([]byte{'x'}, 1<<20), repeat: 200, suffix: append([]byte(`</t></is></c></row>`), sheetTail...)})
		}},
		{"long-line.csv", func(p string) error {
			return repeatFile(p, []byte(header+"H41.01-260302-0001,Ba Vì,02/03/2026,"), bytes.Repeat([]byte{'x'}, 1<<20), 200, []byte("\n"))
		}},
		{"nul-bytes.csv", func(p string) error {
			return repeatFile(p, []byte(header), make([]byte, 1<<20), 8, nil)
		}},
		{"wide.csv", func(p string) error {
			return repeatFile(p, []byte("Mã hồ sơ"), []byte(",c"), 5000, []byte("\nH41.01-260302-0001\n"))
		}},
		{"deep.json", func(p string) error {
			return repeatFile(p, nil, []byte("["), 100_000, nil)
		}},
		{"long-string.json", func(p string) error {
			return repeatFile(p, []byte(`[{"Mã hồ sơ": "`), bytes.Repeat([]byte{'x'}, 1<<20), 50, []byte(`"}]`))
		}},
	}
	for _, s := range steps {
		if err := s.fn(filepath.Join(dir, s.name)); err != nil {
			return fmt.Errorf("hostile %s: %w", s.name, err)
		}
	}
	return nil
}

var (
	sheetHead = []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	sheetTail = []byte(`</sheetData></worksheet>`)
)

func smallSheet() part {
	return part{name: "xl/worksheets/sheet1.xml", prefix: append(append([]byte{}, sheetHead...),
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c></row>`...), suffix: sheetTail}
}

// part is a zip entry: prefix, then chunk repeated, then suffix.
type part struct {
	name                  string
	prefix, chunk, suffix []byte
	repeat                int
}

// workbook writes a minimal XLSX package with the given sheet part and
// extra parts.
func workbook(path string, extra []part, sheet part) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	small := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(small[name])); err != nil {
			return err
		}
	}
	for _, p := range append([]part{sheet}, extra...) {
		if err := writeRaw(zw, p); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeRaw writes a part as a hand-made deflate stream: prefix, chunk and
// suffix are compressed separately (each with an empty window, so the
// compressed chunk can be repeated), joined by sync flushes.
func writeRaw(zw *zip.Writer, p part) error {
	var pre, mid, suf bytes.Buffer
	for _, x := range []struct {
		dst   *bytes.Buffer
		src   []byte
		final bool
	}{{&pre, p.prefix, false}, {&mid, p.chunk, false}, {&suf, p.suffix, true}} {
		fw, err := flate.NewWriter(x.dst, flate.BestCompression)
		if err != nil {
			return err
		}
		if _, err := fw.Write(x.src); err != nil {
			return err
		}
		if x.final {
			err = fw.Close()
		} else {
			err = fw.Flush()
		}
		if err != nil {
			return err
		}
	}
	key := fmt.Sprintf("%x/%d", crc32.ChecksumIEEE(p.prefix)^crc32.ChecksumIEEE(p.chunk)<<1^crc32.ChecksumIEEE(p.suffix)<<2, p.repeat)
	crc, ok := crcCache[key]
	if !ok {
		crc = crc32.Update(0, crc32.IEEETable, p.prefix)
		for range p.repeat {
			crc = crc32.Update(crc, crc32.IEEETable, p.chunk)
		}
		crc = crc32.Update(crc, crc32.IEEETable, p.suffix)
		crcCache[key] = crc
	}
	size := uint64(len(p.prefix)) + uint64(len(p.chunk))*uint64(p.repeat) + uint64(len(p.suffix))
	csize := uint64(pre.Len()) + uint64(mid.Len())*uint64(p.repeat) + uint64(suf.Len())
	w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: csize, UncompressedSize64: size})
	if err != nil {
		return err
	}
	if _, err := w.Write(pre.Bytes()); err != nil {
		return err
	}
	for range p.repeat {
		if _, err := w.Write(mid.Bytes()); err != nil {
			return err
		}
	}
	_, err = w.Write(suf.Bytes())
	return err
}

// crcCache saves the CRC pass over identical bomb parts (the padding parts
// of bomb-parts.xlsx).
var crcCache = map[string]uint32{}

// repeatFile writes prefix, chunk repeated n times, then suffix.
func repeatFile(path string, prefix, chunk []byte, n int, suffix []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.Write(prefix)
	for range n {
		bw.Write(chunk)
	}
	bw.Write(suffix)
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
