package vnenc

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DetectText looks at cell values that are already Unicode (from XLSX or a
// UTF-8 file) and tells whether they were typed with a legacy font: the
// characters are then the Windows-1252 reading of TCVN3 bytes ("Hå s¬" for
// "Hồ sơ") or VNI bytes ("Vieät Nam" for "Việt Nam"). It returns TCVN3 or
// VNI when converting fixes the text, and UTF8 (leave the text alone)
// otherwise.
//
// Converting good text would corrupt it, so the evidence must be strong:
// across the samples, the text as it stands must have several words that are
// not Vietnamese, the conversion must turn them into Vietnamese syllables
// with hardly any failures, and the samples must not contain more genuine
// Vietnamese Unicode (letters outside Windows-1252, like ư, ộ) than
// convertible text. Plain ASCII and normal Vietnamese text give UTF8.
func DetectText(samples []string) Encoding {
	var orig, tc, vn textScore
	unicodeViet := 0 // samples that can only be genuine Unicode Vietnamese
	for _, s := range samples {
		if isASCII(s) {
			continue
		}
		s = norm.NFC.String(s)
		b, ok := cp1252Bytes(s)
		if !ok {
			if hasVietnameseOutside1252(s) {
				unicodeViet++
			}
			continue
		}
		add(&orig, scoreText(s, false))
		add(&tc, scoreText(decodeBytes(TCVN3, b), true))
		add(&vn, scoreText(decodeBytes(VNI, b), true))
	}
	if orig.bad < 2 {
		return UTF8
	}
	best, sc := TCVN3, tc
	if vn.net() > tc.net() {
		best, sc = VNI, vn
	}
	switch {
	case sc.good < 2,
		sc.net() < orig.net()+4,
		(sc.bad+sc.symbols)*4 > sc.good,
		unicodeViet > sc.good:
		return UTF8
	}
	return best
}

func add(into *textScore, s textScore) {
	into.good += s.good
	into.bad += s.bad
	into.symbols += s.symbols
}

// FixText converts text typed with a legacy font back to NFC Vietnamese:
// each rune is taken back to its Windows-1252 byte and the byte decoded as
// enc (TCVN3 or VNI). Strings with a rune outside Windows-1252 cannot be
// such text and are returned unchanged, as is everything when enc is not
// TCVN3 or VNI, and pure ASCII.
func FixText(enc Encoding, s string) string {
	if enc != TCVN3 && enc != VNI || isASCII(s) {
		return s
	}
	b, ok := cp1252Bytes(s)
	if !ok {
		return s
	}
	return decodeBytes(enc, b)
}

// cp1252Bytes maps each rune of s to its Windows-1252 byte; ok is false if
// some rune has none.
func cp1252Bytes(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		c, ok := cp1252Byte[r]
		if !ok {
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// hasVietnameseOutside1252 reports a Vietnamese letter that Windows-1252
// lacks (ă, ơ, ư, đ, ạ, ...): proof the text was typed in Unicode.
func hasVietnameseOutside1252(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		if _, in1252 := cp1252Byte[r]; in1252 {
			return false
		}
		_, viet := vietLetters[r]
		return viet
	}) >= 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
