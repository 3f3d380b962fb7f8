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
//
// The part is skimmed a buffer at a time: the tag is looked for where
// "mergeCells" occurs, and the runs are checked by hopping to the last '<'
// within a run's bound, so that the bytes between are not looked at one
// tag at a time (which took about as long as inflating the part).
// FuzzScanMergeRefs compares it with the tag-by-tag skim it replaced.
func scanMergeRefs(r io.Reader, part string, lim Limits) ([]string, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(r, mergeScanBuffer)
	maxRun := xmlRunLimit(lim)
	run := 0 // bytes since the last '<'
	for {
		buf, rerr := br.Peek(br.Size())
		// Each '<' before end is settled here; the bytes after it wait for
		// the next buffer unless the part ends, so that a tag and the 48
		// bytes isMergeCellsTag reads after its '<' are whole.
		end := len(buf)
		if rerr == nil {
			end -= 64
		}
		tag := mergeCellsTag(buf, end)
		through := end
		if tag >= 0 {
			through = tag + 1
		}
		if !runsWithin(buf[:through], &run, maxRun) {
			return nil, xmlRunError(part, maxRun, lim)
		}
		if tag >= 0 {
			br.Discard(tag + 1)
			return mergeRefs(xml.NewDecoder(io.MultiReader(strings.NewReader("<"), br)), part, lim)
		}
		if rerr != nil {
			if run > maxRun {
				return nil, xmlRunError(part, maxRun, lim)
			}
			if rerr == io.EOF {
				return nil, nil
			}
			return nil, rerr
		}
		br.Discard(end)
	}
}

// mergeScanBuffer is scanMergeRefs' buffer (tests make it small, so that
// tags and runs straddle its refills; at least 80 bytes).
var mergeScanBuffer = 256 << 10

// mergeCellsTag returns the index of the first '<' before end in buf that
// starts a <mergeCells> tag (isMergeCellsTag on the 48 bytes after it), or
// -1. Only a '<' at most 48 bytes before an occurrence of "mergeCells" can.
func mergeCellsTag(buf []byte, end int) int {
	checked := 0 // the '<' before this index were looked at
	for from := 0; ; {
		k := bytes.Index(buf[from:], []byte("mergeCells"))
		if k < 0 {
			return -1
		}
		k += from
		lo := max(k-48, checked)
		if lo >= end {
			return -1
		}
		for j := lo; j < min(k, end); j++ {
			if buf[j] == '<' && isMergeCellsTag(buf[j+1:min(j+49, len(buf))]) {
				return j
			}
		}
		checked = max(checked, min(k, end))
		from = k + 1
	}
}

// runsWithin checks the runs of bytes between two '<' in b, run being the
// bytes since the last '<' before b (updated): a run and the '<' that ends
// it may be at most maxRun bytes. It reports false at the first longer one.
// Runs are checked by hopping to the last '<' within the bound.
func runsWithin(b []byte, run *int, maxRun int) bool {
	for p := 0; p < len(b); {
		allow := maxRun - 1 - *run // bytes before the next '<' may still come
		if allow < 0 {
			return false // b goes on past the run's bound
		}
		w := b[p:min(len(b), p+allow+1)]
		if q := bytes.LastIndexByte(w, '<'); q >= 0 {
			p += q + 1
			*run = 0
			continue
		}
		if p+allow+1 < len(b) {
			return false
		}
		*run += len(w)
		p += len(w)
	}
	return true
}

// mergeRefs reads the <mergeCells> element dec starts at.
func mergeRefs(dec *xml.Decoder, part string, lim Limits) ([]string, error) {
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
