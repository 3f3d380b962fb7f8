package sources

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// scanMergeRefsTagByTag is the skim scanMergeRefs replaced: every '<' read
// by itself, the run before it counted, and the 48 bytes after it
// checked. FuzzScanMergeRefs holds the new skim to it.
func scanMergeRefsTagByTag(r io.Reader, part string, lim Limits) ([]string, error) {
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
		peek, _ := br.Peek(48)
		if !isMergeCellsTag(peek) {
			continue
		}
		return mergeRefs(xml.NewDecoder(io.MultiReader(strings.NewReader("<"), br)), part, lim)
	}
}

// runsWithinByteByByte is runsWithin one byte at a time.
func runsWithinByteByByte(b []byte, run *int, maxRun int) bool {
	for _, c := range b {
		if c == '<' {
			if *run+1 > maxRun {
				return false
			}
			*run = 0
			continue
		}
		*run++
		if *run > maxRun {
			return false
		}
	}
	return true
}

// FuzzScanMergeRefs compares the buffer-at-a-time skim with the tag-by-tag
// one: the refs and the error, on the data repeated and padded so that runs
// reach the bound (4,102 bytes with MaxCellBytes 1), with buffers of 80
// bytes and 256 KiB. The runs themselves are compared with a byte-by-byte
// count for bounds down to 1.
func FuzzScanMergeRefs(f *testing.F) {
	f.Add(`<row><c><v>1</v></c></row></sheetData><mergeCells count="2"><mergeCell ref="A1:B1"/><mergeCell ref="C4:C5"/></mergeCells>`, uint8(0), uint16(0))
	f.Add(`<x:mergeCells><x:mergeCell ref="A1:G1"/></x:mergeCells>`, uint8(3), uint16(4090))
	f.Add(`<a<b:mergeCells ref="x"/><mergeCellsX/>`, uint8(1), uint16(4101))
	f.Add(`<t>mergeCells</t>`, uint8(200), uint16(10))
	f.Fuzz(func(t *testing.T, data string, rep uint8, pad uint16) {
		in := strings.Repeat(data, 1+int(rep)%8) + strings.Repeat(" ", int(pad)%9000) + data
		lim := Limits{MaxCellBytes: 1, MaxMerges: 3}
		want, werr := scanMergeRefsTagByTag(strings.NewReader(in), "s.xml", lim)
		for _, size := range []int{80, 256 << 10} {
			func() {
				defer func(was int) { mergeScanBuffer = was }(mergeScanBuffer)
				mergeScanBuffer = size
				got, gerr := scanMergeRefs(strings.NewReader(in), "s.xml", lim)
				if fmt.Sprint(got, gerr) != fmt.Sprint(want, werr) {
					t.Fatalf("buffer %d: %q, %v; tag by tag: %q, %v", size, got, gerr, want, werr)
				}
			}()
		}
		for maxRun := 1; maxRun <= 12; maxRun++ {
			b := []byte(data)
			for _, split := range []int{0, len(b) / 2, len(b)} {
				r1, r2 := 0, 0
				ok1 := runsWithin(b[:split], &r1, maxRun) && runsWithin(b[split:], &r1, maxRun)
				ok2 := runsWithinByteByByte(b, &r2, maxRun)
				if ok1 != ok2 || ok1 && r1 != r2 {
					t.Fatalf("maxRun %d, split %d: %v (run %d); byte by byte %v (run %d)", maxRun, split, ok1, r1, ok2, r2)
				}
			}
		}
	})
}
