package sources

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/readahead"
	"github.com/xuri/excelize/v2"
)

// readMerges returns the merged ranges of a worksheet part, sorted by top
// row.
//
// The <mergeCells> list sits after the cell data, so this streams the
// worksheet part once and decodes only that list, before the rows are
// read.
func readMerges(part *zip.File, lim Limits) ([]mergeRange, error) {
	rc, err := openInflating(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	refs, err := scanMergeRefs(rc, part.Name, lim)
	if err != nil {
		return nil, err
	}
	merges := make([]mergeRange, 0, len(refs))
	for _, ref := range refs {
		from, to, ok := strings.Cut(ref, ":")
		if !ok {
			continue // a single cell
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(from)
		c2, r2, err2 := excelize.CellNameToCoordinates(to)
		if err1 != nil || err2 != nil {
			continue // not a range a person can act on; ignore it
		}
		merges = append(merges, mergeRange{
			top: int64(min(r1, r2)), bottom: int64(max(r1, r2)),
			left: min(c1, c2), right: max(c1, c2),
		})
	}
	sortMerges(merges)
	return merges, nil
}

// openInflating opens a part read whole at once (the worksheet, for its
// merged cells and for its rows): the part is inflated a few buffers ahead
// in another goroutine while this one scans what was inflated. It holds
// readAheadBuffers of readAheadSize bytes; Close stops it.
func openInflating(part *zip.File) (io.ReadCloser, error) {
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	ra, err := readahead.NewReadCloserSize(rc, readAheadBuffers, readAheadSize)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return ra, nil
}

const (
	readAheadBuffers = 4
	readAheadSize    = 256 << 10
)

// decodePart unmarshals a small XML part; a missing part leaves v as is.
func decodePart(files map[string]*zip.File, name string, v any) error {
	f := files[strings.ToLower(name)]
	if f == nil {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// scanMergeRefs skims a worksheet part for the <mergeCells> element (with or
// without a namespace prefix) and returns the ref of each <mergeCell>.
// On the way it fails the part when a run of bytes without markup (a cell's
// text, padding) is longer than a cell may be, or when it lists more than
// lim.MaxMerges merges: the row parser would hold such a value, or one
// range per merge, in memory. part names the part in the error.
func scanMergeRefs(r io.Reader, part string, lim Limits) ([]string, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(r, 256<<10)
	maxRun := xmlRunLimit(lim)
	run := 0
	for {
		b, err := br.ReadSlice('<')
		run += len(b)
		if run > maxRun {
			return nil, xmlRunError(part, maxRun, lim)
		}
		if err != nil {
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				return nil, nil
			}
			return nil, err
		}
		run = 0
		if b, err := br.Peek(1); err == nil && b[0] == '/' {
			continue // an end tag, half of them
		}
		peek, _ := br.Peek(48)
		if !isMergeCellsTag(peek) {
			continue
		}
		dec := xml.NewDecoder(io.MultiReader(strings.NewReader("<"), br))
		var refs []string
		for {
			tok, err := dec.Token()
			if err != nil {
				return refs, fmt.Errorf("merged cell list: %w", err)
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local == "mergeCell" {
					if len(refs) >= lim.MaxMerges {
						return nil, &LimitError{What: fmt.Sprintf("số vùng ô gộp trong phần %s", QuoteName(part)),
							Limit: int64(lim.MaxMerges), Key: "limits.max_merges"}
					}
					for _, a := range t.Attr {
						if a.Name.Local == "ref" {
							refs = append(refs, a.Value)
						}
					}
				}
			case xml.EndElement:
				if t.Name.Local == "mergeCells" {
					return refs, nil
				}
			}
		}
	}
}

// xmlRunLimit is the longest run of bytes between two '<' accepted in a
// sheet or shared strings part: a cell of MaxCellBytes, escaped (&#x1EA1;
// is 8 bytes for 3), plus its tag's attributes.
func xmlRunLimit(lim Limits) int { return 6*lim.MaxCellBytes + 4096 }

func xmlRunError(part string, maxRun int, lim Limits) error {
	return &LimitError{What: fmt.Sprintf("một ô (hoặc đoạn đệm) trong phần %s dài hơn %d byte,", QuoteName(part), maxRun),
		Limit: int64(lim.MaxCellBytes), Key: "limits.max_cell_bytes"}
}

// checkWorkbook refuses a workbook whose declared uncompressed parts are
// over lim (archive/zip fails a part that inflates beyond its declared
// size, so the declared sizes bound what the decoder will inflate), and scans
// the shared strings part for overlong runs of text.
func checkWorkbook(path string, zr *zip.Reader, lim Limits) error {
	var total uint64
	var sst *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		// Worksheets are streamed; the shared strings' text is held in
		// memory while the sheet is read (twice its size while it is
		// built), and the small parts are decoded whole: those get a
		// quarter.
		max, what := lim.MaxXMLPartBytes, ""
		if !strings.HasPrefix(strings.ToLower(strings.TrimPrefix(f.Name, "/")), "xl/worksheets/sheet") {
			max, what = lim.MaxXMLPartBytes/4, " (phần này nằm trong bộ nhớ khi đọc nên chỉ được một phần tư giới hạn)"
		}
		if f.UncompressedSize64 > uint64(max) {
			return limitErr(path, fmt.Sprintf("phần %s của tệp Excel giải nén ra %d byte%s,", QuoteName(f.Name), f.UncompressedSize64, what),
				max, "max_xml_part_bytes")
		}
		if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), "xl/sharedStrings.xml") {
			sst = f
		}
	}
	if total > uint64(lim.MaxWorkbookBytes) {
		return limitErr(path, fmt.Sprintf("tệp Excel giải nén ra %d byte,", total), lim.MaxWorkbookBytes, "max_workbook_bytes")
	}
	if sst == nil {
		return nil
	}
	rc, err := sst.Open()
	if err != nil {
		return nil // readSharedStrings reports a broken part in its own words
	}
	defer rc.Close()
	if _, err := scanMergeRefs(rc, sst.Name, lim); err != nil {
		var le *LimitError
		if errors.As(err, &le) {
			le.Path = path
			return le
		}
	}
	return nil
}

// isMergeCellsTag reports whether b, the bytes after a '<', open a
// mergeCells element, possibly namespace-prefixed ("x:mergeCells").
func isMergeCellsTag(b []byte) bool {
	if i := bytes.IndexByte(b, ':'); i > 0 && bytes.IndexAny(b[:i], " \t\r\n/>") < 0 {
		b = b[i+1:]
	}
	const tag = "mergeCells"
	if !bytes.HasPrefix(b, []byte(tag)) || len(b) == len(tag) {
		return false
	}
	switch b[len(tag)] {
	case ' ', '\t', '\r', '\n', '>', '/':
		return true
	}
	return false
}
