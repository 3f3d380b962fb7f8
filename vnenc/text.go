package vnenc

import (
	"strings"
	"unicode"
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
	into.known += s.known
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

// cp1252Bytes maps each rune of s back to the legacy font byte it stands
// for: U+0000–U+00FF to the byte of the same value (the Latin-1 view, which
// is how Excel and many exporters store text typed with a legacy font), and
// the other characters of Windows-1252 (€, ‚, …) to their byte. ok is false
// if some rune is neither.
func cp1252Bytes(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x100 {
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

// CellFixer repairs cell values typed with a legacy font one cell at a time:
// a workbook's title rows may be TCVN3 while its data is Unicode, or one
// column VNI and the others Unicode. Fix converts a cell only on strong
// evidence in that cell itself: the text as it stands has words that are not
// Vietnamese or stray symbols ("M· hå s¬"), and one conversion turns every
// word into a Vietnamese syllable with no stray symbol left ("Mã hồ sơ").
// Genuine Unicode text is left alone: it either has a letter no legacy font
// byte stands for (ư, ộ, đ, ...), or reads as Vietnamese already. A cell
// whose evidence is thin (one odd word) is converted when the conversion
// gives a frequent word of CCHC exports or when earlier cells of the same
// file were repaired. Use one CellFixer per file; it is not safe for
// concurrent use, and its memory is bounded.
type CellFixer struct {
	repaired [VNI + 1]int
	memo     map[string]cellFix
}

type cellFix struct {
	s string
	e Encoding
}

// cellMemoLimit bounds the memo: names and statuses repeat down a column.
const cellMemoLimit = 4096

// Fix returns the repaired cell and the legacy encoding it was in (TCVN3 or
// VNI), or s unchanged and UTF8.
func (f *CellFixer) Fix(s string) (string, Encoding) {
	if isASCII(s) {
		return s, UTF8
	}
	if fx, ok := f.memo[s]; ok {
		if fx.e != UTF8 {
			f.repaired[fx.e]++
		}
		return fx.s, fx.e
	}
	out, e := f.fix(s)
	if f.memo == nil {
		f.memo = make(map[string]cellFix)
	}
	if len(f.memo) < cellMemoLimit {
		f.memo[strings.Clone(s)] = cellFix{out, e}
	}
	if e != UTF8 {
		f.repaired[e]++
	}
	return out, e
}

// enoughEvidence decides whether a clean conversion sc of a cell scored
// orig is worth making. Odd words in the cell are the evidence: two are
// enough, one when the conversion gives a frequent word or the file leans to
// that encoding already. Stray symbols alone ("§·" for "Đã") need two, or
// one with both. VNI text often reads as well-formed syllables as it stands
// ("Maõ hoà sô" for "Mã hồ sơ"): then the conversion must give at least two
// more frequent words than the text has.
func enoughEvidence(orig, sc textScore, evidence int, leaning bool) bool {
	switch {
	case orig.bad == 0 && orig.symbols == 0:
		return sc.known >= 2 && sc.known == sc.good && sc.known >= orig.known+2
	case orig.bad == 0:
		return orig.symbols >= 2 || (leaning && sc.known > 0)
	case evidence >= 2:
		return true
	}
	return sc.known > 0 || leaning
}

// lean is the legacy encoding most cells of the file were repaired from so
// far, or UTF8 if none.
func (f *CellFixer) lean() Encoding {
	switch {
	case f.repaired[TCVN3] == 0 && f.repaired[VNI] == 0:
		return UTF8
	case f.repaired[VNI] > f.repaired[TCVN3]:
		return VNI
	}
	return TCVN3
}

func (f *CellFixer) fix(s string) (string, Encoding) {
	b, ok := cp1252Bytes(s)
	if !ok {
		return s, UTF8
	}
	orig := scoreText(norm.NFC.String(s), true)
	evidence := orig.bad + orig.symbols
	lean := f.lean()
	best, bestText, bestScore := UTF8, s, textScore{}
	for _, e := range []Encoding{TCVN3, VNI} {
		text := decodeBytes(e, b)
		sc := scoreText(text, true)
		if sc.bad > 0 || sc.symbols > 0 || sc.good == 0 || sc.good < orig.good || sc.net() <= orig.net() {
			continue
		}
		if !enoughEvidence(orig, sc, evidence, lean == e) {
			continue
		}
		if evidence == 0 && distinctKnown(text) < 2 {
			continue // "Bà Bà" is not "Bổ Bổ": one word twice is no evidence
		}
		if best == UTF8 || sc.net() > bestScore.net() || (sc.net() == bestScore.net() && e == lean) {
			best, bestText, bestScore = e, text, sc
		}
	}
	return bestText, best
}

// distinctKnown counts the different frequent words (commonWords) in NFC
// text.
func distinctKnown(text string) int {
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if commonWords[w] {
			seen[w] = true
		}
	}
	return len(seen)
}
