package sources

import (
	"slices"
	"strings"

	"github.com/cchc/cchc/vnenc"
)

// maxTopRepairs bounds the repairs remembered from the rows read before the
// header is chosen (their place, title or data, is known only then).
const maxTopRepairs = 4096

// cellRepair converts cell values typed with a legacy font (TCVN3, VNI) to
// Unicode, cell by cell, in decoders whose text is already Unicode (XLSX,
// and JSON read as UTF-8 or UTF-16), and remembers where it did so for the
// file's encoding report. With a forced encoding (the source's `encoding:`)
// every cell that can be legacy text is converted from it; with utf-8 or
// utf-16 forced, nothing is converted.
type cellRepair struct {
	auto  bool
	force vnenc.Encoding // TCVN3 or VNI: convert every cell; else none
	fixer vnenc.CellFixer
	score func([]string) int // the header dictionary (DecodeOptions.HeaderScore), or nil

	dataFrom int64                       // first data row; 0 while the header is not chosen
	top      []cellRepaired              // repairs in rows read before that
	titles   [vnenc.VNI + 1]bool         // legacy encodings found in title and header rows
	cols     map[int]*[vnenc.VNI + 1]int // data cells per column: repaired per encoding, left alone (UTF8)
}

type cellRepaired struct {
	row int64
	col int
	enc vnenc.Encoding
}

func newCellRepair(choice vnenc.Choice, score func([]string) int) *cellRepair {
	c := &cellRepair{auto: choice.Auto, score: score, cols: map[int]*[vnenc.VNI + 1]int{}}
	if !choice.Auto && (choice.Enc == vnenc.TCVN3 || choice.Enc == vnenc.VNI) {
		c.force = choice.Enc
	}
	return c
}

// cell returns the Unicode text of the cell at (row, col), 0-based col.
func (c *cellRepair) cell(row int64, col int, s string) string {
	if isASCIIString(s) {
		return s
	}
	out, enc := s, vnenc.UTF8
	switch {
	case c.auto:
		out, enc = c.fixer.Fix(s)
		if enc == vnenc.UTF8 && c.dataFrom == 0 {
			out, enc = c.headerCell(s)
		}
	case c.force != vnenc.UTF8:
		if out = vnenc.FixText(c.force, s); out != s {
			enc = c.force
		}
	}
	c.note(row, col, enc)
	return out
}

// headerCell converts a cell of the rows above the data that reads as
// Vietnamese as it stands but names a known column only once converted:
// "Ghi chó" is TCVN3 for "Ghi chú" (ú is the byte of ó), and only the
// header dictionary tells.
func (c *cellRepair) headerCell(s string) (string, vnenc.Encoding) {
	if c.score == nil || c.score([]string{cleanHeaderCell(s)}) > 0 {
		return s, vnenc.UTF8
	}
	for _, e := range []vnenc.Encoding{vnenc.TCVN3, vnenc.VNI} {
		if fx := vnenc.FixText(e, s); fx != s && c.score([]string{cleanHeaderCell(fx)}) > 0 {
			return fx, e
		}
	}
	return s, vnenc.UTF8
}

func (c *cellRepair) note(row int64, col int, enc vnenc.Encoding) {
	if c.dataFrom == 0 {
		if len(c.top) < maxTopRepairs {
			c.top = append(c.top, cellRepaired{row, col, enc})
		}
		return
	}
	if row < c.dataFrom {
		c.titles[enc] = true
		return
	}
	t := c.cols[col]
	if t == nil {
		if len(c.cols) >= 1024 {
			return
		}
		t = new([vnenc.VNI + 1]int)
		c.cols[col] = t
	}
	t[enc]++
}

// setDataFrom tells from which row on the rows are data; the repairs of the
// rows read ahead are filed accordingly.
func (c *cellRepair) setDataFrom(row int64) {
	c.dataFrom = max(row, 1)
	for _, r := range c.top {
		c.note(r.row, r.col, r.enc)
	}
	c.top = nil
}

// report describes the text encoding of the file: base when nothing was
// converted; the legacy encoding alone when every non-ASCII cell was in it;
// otherwise each legacy encoding with where it was found (title rows,
// columns named by name) and base for the rest, e.g.
// "tcvn3 (tiêu đề, cột: Tên thủ tục), utf-8".
func (c *cellRepair) report(base string, name func(col int) string) string {
	if c.dataFrom == 0 {
		c.setDataFrom(1 << 62) // everything read was above the data
	}
	var found []vnenc.Encoding
	unicode := false
	for _, t := range c.cols {
		unicode = unicode || t[vnenc.UTF8] > 0
	}
	unicode = unicode || c.titles[vnenc.UTF8]
	for _, e := range []vnenc.Encoding{vnenc.TCVN3, vnenc.VNI} {
		any := c.titles[e]
		for _, t := range c.cols {
			any = any || t[e] > 0
		}
		if any {
			found = append(found, e)
		}
	}
	switch {
	case len(found) == 0:
		return base
	case len(found) == 1 && !unicode:
		return found[0].String()
	}
	var parts []string
	for _, e := range found {
		var where []string
		if c.titles[e] {
			where = append(where, "tiêu đề")
		}
		var cols []int
		for col, t := range c.cols {
			if t[e] > 0 {
				cols = append(cols, col)
			}
		}
		slices.Sort(cols)
		var names []string
		for i, col := range cols {
			if i == 10 {
				names = append(names, "…")
				break
			}
			names = append(names, name(col))
		}
		if len(names) > 0 {
			where = append(where, "cột: "+strings.Join(names, ", "))
		}
		parts = append(parts, e.String()+" ("+strings.Join(where, ", ")+")")
	}
	if unicode {
		parts = append(parts, base)
	}
	return strings.Join(parts, ", ")
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
