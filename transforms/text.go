// Package transforms holds the pure, I/O-free functions that turn raw export
// cells into canonical dossier values: text normalisation, header and
// vocabulary matching, and parsers for timestamps and numbers written the way
// Vietnamese one-stop software writes them.
package transforms

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode NFC with leading and trailing white space removed.
// White space includes NBSP, the zero-width space and a stray byte-order mark,
// which Excel and CSV exports leave around cells (the BOM typically sticks to
// the first header cell). Pure ASCII input takes a fast path without
// normalisation. Inner white space is kept as is.
func NFC(s string) string {
	if isASCII(s) {
		return strings.TrimSpace(s)
	}
	return strings.TrimFunc(norm.NFC.String(s), isSpace)
}

// Fold returns s reduced for matching: Vietnamese (and other Latin)
// diacritics removed, đ/Đ turned into d, lower case, runs of white space
// collapsed into one space and the ends trimmed. "  Đã  TRẢ kết quả " and
// "da tra ket qua" fold alike. NFC and NFD input fold alike, because
// combining marks are dropped rather than composed.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending, written before the next non-space
	for _, r := range s {
		if isSpace(r) {
			space = b.Len() > 0
			continue
		}
		f, keep := foldRune(r)
		if !keep {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(f)
	}
	return b.String()
}

// Key returns the matching key of s: Fold(s) with everything but [a-z0-9]
// removed. "Ngày tiếp nhận", "NGAY TIEP NHAN", "NgayTiepNhan" and
// "ngay_tiep_nhan" all give "ngaytiepnhan". Letters of other scripts are
// dropped, so a key may be empty.
func Key(s string) string {
	// Fast path: already a key (common for national sync names once
	// lower-cased by a previous call, and for codes) needs no allocation.
	already := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			already = false
			break
		}
	}
	if already {
		return s
	}
	var buf [64]byte
	return string(appendKey(buf[:0], s))
}

// keyBuf is room for the key of a vocabulary cell on the stack.
type keyBuf [64]byte

// appendKey appends the matching key of s (see Key) to out. A lookup
// m[string(appendKey(buf[:0], s))] with a keyBuf allocates nothing for keys
// up to 64 bytes.
func appendKey(out []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				out = append(out, c)
			case c >= 'A' && c <= 'Z':
				out = append(out, c+'a'-'A')
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if f, keep := foldRune(r); keep && f < utf8.RuneSelf && (f >= 'a' && f <= 'z' || f >= '0' && f <= '9') {
			out = append(out, byte(f))
		}
	}
	return out
}

// foldRune maps one rune to its folded form: ASCII lower case, a Latin letter
// with diacritics to its base letter, a combining mark to nothing (keep is
// false). Other runes are lower-cased.
func foldRune(r rune) (f rune, keep bool) {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, true
	}
	if r >= 0x300 && r <= 0x36f { // combining diacritical marks (NFD input)
		return 0, false
	}
	if b, ok := latinBase[r]; ok {
		return b, true
	}
	if unicode.Is(unicode.Mn, r) {
		return 0, false
	}
	// Rare letters outside the table that decompose to an ASCII letter
	// (the Ångström and Kelvin signs): fold like their decomposition, so NFC
	// and NFD input still agree. Allocates, but only for such runes.
	if b, ok := decomposedBase(r, latinBase); ok {
		return b, true
	}
	return unicode.ToLower(r), true
}

// latinBase maps precomposed Latin letters (Latin-1 Supplement, Extended-A
// and -B, and the Latin Extended Additional block that holds most Vietnamese
// letters) to their lower-case ASCII base letter. Built from the Unicode
// decompositions rather than typed in, so no letter is forgotten.
var latinBase = func() map[rune]rune {
	// Letters with a stroke have no decomposition; they go in first so
	// that letters decomposing to them (ǿ → ø + acute) fold too.
	m := map[rune]rune{'đ': 'd', 'Đ': 'd', 'Ɖ': 'd', 'ø': 'o', 'Ø': 'o'}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			if b, ok := decomposedBase(r, m); ok {
				m[r] = b
			}
		}
	}
	add(0x00C0, 0x024F)
	add(0x1E00, 0x1EFF)
	return m
}()

// decomposedBase returns the folded base letter of r when r decomposes
// canonically to an ASCII letter, or to a letter of known (already folded
// in known) plus marks.
func decomposedBase(r rune, known map[rune]rune) (rune, bool) {
	d := norm.NFD.String(string(r))
	b, n := utf8.DecodeRuneInString(d)
	if n == len(d) { // no decomposition
		return 0, false
	}
	if b < utf8.RuneSelf && unicode.IsLetter(b) {
		return unicode.ToLower(b), true
	}
	f, ok := known[b]
	return f, ok
}

// isSpace reports white space as exports produce it: Unicode spaces
// (including NBSP and the line separators of Windows text), plus the
// zero-width space and BOM, which are invisible in Excel.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' || r == '\u2060'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
