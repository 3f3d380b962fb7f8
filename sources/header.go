package sources

import (
	"errors"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// headerScanRows is how many non-blank rows at the top of a CSV file or
// sheet are considered as header candidates.
const headerScanRows = 30

// bufRow is a row read ahead while looking for the header.
type bufRow struct {
	cells []string
	row   int64
}

// readTop reads, with read, the first headerScanRows rows that are not
// blank: the rows chooseHeader looks for the header among. A sheet's
// decoders share it; CSV reads its own (a BOM, a "sep=" line).
func readTop(read func() ([]string, int64, error)) ([]bufRow, error) {
	var top []bufRow
	for len(top) < headerScanRows {
		cells, row, err := read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !isBlank(cells) {
			top = append(top, bufRow{cells: slices.Clone(cells), row: row})
		}
	}
	return top, nil
}

// chooseHeader picks the header among the first non-blank rows of a file:
// the row, or pair of adjacent rows (a two-row header: group titles above
// sub-headers), that score highest with score. Ties go to the earliest
// candidate; a pair is taken only when it scores strictly higher than each
// of its two rows alone. With a nil score, or when nothing scores, the first
// row is the header. It returns the header cells and the index in rows of
// the first data row. rows must not be empty.
func chooseHeader(rows []bufRow, score func([]string) int) ([]string, int) {
	h, first, _ := scoreHeader(rows, score)
	return h, first
}

// scoreHeader is chooseHeader that also returns the chosen header's score:
// 0 when no row names a known column (the HTML decoder passes over such a
// table).
func scoreHeader(rows []bufRow, score func([]string) int) ([]string, int, int) {
	best, bestScore, bestPair := 0, 0, false
	if score != nil {
		single := make([]int, len(rows))
		for i := range rows {
			single[i] = score(headerCells(rows[i].cells))
		}
		for i := range rows {
			if single[i] > bestScore {
				best, bestScore, bestPair = i, single[i], false
			}
			if i+1 < len(rows) {
				p := score(combineHeader(rows[i].cells, rows[i+1].cells, score))
				if p > single[i] && p > single[i+1] && p > bestScore {
					best, bestScore, bestPair = i, p, true
				}
			}
		}
	}
	if bestPair {
		return trimHeader(combineHeader(rows[best].cells, rows[best+1].cells, score)), best + 2, bestScore
	}
	return trimHeader(headerCells(rows[best].cells)), best + 1, bestScore
}

// combineHeader merges a row of group titles with the row of sub-headers
// below it, column by column: where the lower cell is non-empty and differs
// from the upper, the header is "upper lower" (or the lower alone when it
// already names a known column, or when the upper is empty); otherwise the
// upper.
func combineHeader(upper, lower []string, score func([]string) int) []string {
	n := max(len(upper), len(lower))
	out := make([]string, n)
	for i := range n {
		var u, l string
		if i < len(upper) {
			u = cleanHeaderCell(upper[i])
		}
		if i < len(lower) {
			l = cleanHeaderCell(lower[i])
		}
		switch {
		case l == "" || l == u:
			out[i] = u
		case u == "" || (score != nil && score([]string{l}) > 0):
			out[i] = l
		default:
			out[i] = u + " " + l
		}
	}
	return out
}

// headerCells returns cleaned copies of a row's cells for use as names.
func headerCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = cleanHeaderCell(c)
	}
	return out
}

// cleanHeaderCell drops byte order marks, collapses runs of white space
// (including line breaks inside an Excel cell) to single spaces and puts the
// name in NFC: header names are shown to people and stored in the ledger,
// while data cells stay raw for speed (the transform normalises values).
func cleanHeaderCell(s string) string {
	s = strings.ReplaceAll(s, "\uFEFF", "")
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// trimHeader drops empty names at the end of a header: a data row that
// carries values there gets unnamed columns back (see reader.Next).
func trimHeader(h []string) []string {
	n := len(h)
	for n > 0 && h[n-1] == "" {
		n--
	}
	return h[:n]
}
