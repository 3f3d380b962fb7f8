package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table prints aligned text columns (widths in runes, so Vietnamese text
// lines up).
type table struct {
	header []string
	rows   [][]string
	right  map[int]bool
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the header, a rule and every row, with the columns as wide
// as their widest cell.
func (t *table) write(w io.Writer) { t.start(w) }

// start prints the header, the rule and the rows added so far, drops those
// rows and returns the widths it used, so that further rows can be printed
// with line as they come.
func (t *table) start(w io.Writer) []int {
	width := make([]int, len(t.header))
	for i, h := range t.header {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			if i < len(width) && utf8.RuneCountInString(c) > width[i] {
				width[i] = utf8.RuneCountInString(c)
			}
		}
	}
	t.line(w, width, t.header)
	sep := make([]string, len(width))
	for i, n := range width {
		sep[i] = strings.Repeat("-", n)
	}
	t.line(w, width, sep)
	for _, r := range t.rows {
		t.line(w, width, r)
	}
	t.rows = nil
	return width
}

// line prints one row in columns of the given widths; a wider cell is
// printed whole.
func (t *table) line(w io.Writer, width []int, cells []string) {
	var b strings.Builder
	for i := range width {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		pad := strings.Repeat(" ", max(0, width[i]-utf8.RuneCountInString(c)))
		if i > 0 {
			b.WriteString("  ")
		}
		if t.right[i] {
			b.WriteString(pad + c)
		} else {
			b.WriteString(c + pad)
		}
	}
	fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
}
