package samplegen

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// stripDiacritics writes Vietnamese without marks, as many exports and
// hand-typed names do: "Thạch Thất" → "Thach That", "Đông" → "Dong".
func stripDiacritics(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
