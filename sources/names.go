package sources

import (
	"github.com/cchc/cchc/pii"

	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// quoteNamesMax is how many names an error quotes.
	quoteNamesMax = 5
	// quoteNameRunes caps each quoted name.
	quoteNameRunes = 40
)

// QuoteNames renders header names for an error message or log line: at most
// five, each escaped (control characters and invalid UTF-8 shown as Go
// escapes) and cut to 40 characters, then how many more there are. A
// headerless file's "header" is its first data row, so an error must never
// carry more of it than a person needs to recognise the columns.
func QuoteNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == quoteNamesMax {
			fmt.Fprintf(&b, " … (và %d tên khác)", len(names)-quoteNamesMax)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteName(n))
	}
	return b.String()
}

// QuoteName escapes one name and caps it at 40 characters ("…" marks a cut),
// after masking what looks like personal data: the "header" of a file
// without one is its first data row.
func QuoteName(n string) string {
	n, _ = pii.Mask(n)
	if !utf8.ValidString(n) {
		n = strings.ToValidUTF8(n, "\uFFFD")
	}
	if utf8.RuneCountInString(n) > quoteNameRunes {
		r := []rune(n)
		return strconv.QuoteToGraphic(string(r[:quoteNameRunes])) + "…"
	}
	return strconv.QuoteToGraphic(n)
}
