package samplegen

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/encoding/charmap"
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

// toneMarks are the combining marks Windows-1258 keeps separate from the
// letter; the other Vietnamese marks (circumflex, breve, horn) exist
// precomposed in the code page (â, ê, ô, ă, ơ, ư).
var toneMarks = map[rune]bool{0x0300: true, 0x0301: true, 0x0303: true, 0x0309: true, 0x0323: true}

// encodeWindows1258 encodes NFC text the way Windows-1258 writes Vietnamese:
// base letter (precomposed with its circumflex, breve or horn when the code
// page has it) followed by a combining tone mark.
func encodeWindows1258(s string) ([]byte, error) {
	var out strings.Builder
	var base []rune
	var tone rune
	flush := func() {
		if len(base) == 0 {
			return
		}
		out.WriteString(norm.NFC.String(string(base)))
		if tone != 0 {
			out.WriteRune(tone)
		}
		base, tone = base[:0], 0
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case toneMarks[r]:
			tone = r
		case unicode.Is(unicode.Mn, r):
			base = append(base, r)
		default:
			flush()
			base = append(base, r)
		}
	}
	flush()
	enc := charmap.Windows1258.NewEncoder()
	b, err := enc.Bytes([]byte(out.String()))
	if err != nil {
		return nil, fmt.Errorf("windows-1258: %w", err)
	}
	return b, nil
}
