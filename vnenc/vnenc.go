// Package vnenc detects and decodes the character encodings Vietnamese text
// files come in: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
// text"), Windows-1258, and the legacy font encodings TCVN3 (ABC) and VNI
// that older offices still use. It also repairs text that is already
// Unicode but was typed with a legacy font (DetectText, FixText).
package vnenc

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Encoding is a character encoding of Vietnamese text.
type Encoding int

// The encodings vnenc knows.
const (
	UTF8        Encoding = iota // UTF-8, with or without BOM
	UTF16LE                     // UTF-16 little endian (Excel "Unicode text")
	UTF16BE                     // UTF-16 big endian
	Windows1258                 // Windows code page 1258 (Vietnamese)
	TCVN3                       // TCVN 5712:1993, the "ABC" fonts (.VnTime)
	VNI                         // VNI-Windows fonts (VNI-Times)
)

// String returns the encoding's name as reports show it: "utf-8",
// "utf-16le", "utf-16be", "windows-1258", "tcvn3" or "vni".
func (e Encoding) String() string {
	switch e {
	case UTF8:
		return "utf-8"
	case UTF16LE:
		return "utf-16le"
	case UTF16BE:
		return "utf-16be"
	case Windows1258:
		return "windows-1258"
	case TCVN3:
		return "tcvn3"
	case VNI:
		return "vni"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// BOM returns the byte-order mark that starts a file in e (UTF-8 and
// UTF-16), or nil for the single-byte encodings, which have none. Encode
// never writes one: a file writer prepends it.
func (e Encoding) BOM() []byte {
	switch e {
	case UTF8:
		return []byte{0xEF, 0xBB, 0xBF}
	case UTF16LE:
		return []byte{0xFF, 0xFE}
	case UTF16BE:
		return []byte{0xFE, 0xFF}
	}
	return nil
}

// SampleSize is how much of a file NewReader looks at to detect its
// encoding, and the most Detect needs.
const SampleSize = 64 << 10

// Detect guesses the encoding of a file from its first bytes (up to
// SampleSize; more is ignored). A BOM decides; otherwise NUL bytes in
// alternate positions mean UTF-16; otherwise valid UTF-8 (a multi-byte
// sequence cut at the end of the sample does not count against it, and pure
// ASCII is UTF-8) means UTF-8, and so does UTF-8 with a rare stray invalid
// byte (read as U+FFFD). What remains is a single-byte legacy encoding:
// Windows-1258, TCVN3 or VNI, whichever decoding reads as the most
// plausible Vietnamese (whole syllables with one tone each, no stray
// symbols); Windows-1258 when nothing tells them apart. Detect never fails.
func Detect(sample []byte) Encoding { return DetectWith(sample, nil) }

// DetectWith is Detect with extra evidence for telling the single-byte
// encodings apart: extra, when not nil, is called with each candidate
// decoding of the sample (Windows-1258, TCVN3, VNI; NFC) and its result is
// added to that candidate's score. The CSV decoder passes how well the
// decoded lines name known columns (the header dictionary), so a file whose
// header reads as "Mã hồ sơ" in one decoding and as "Maơ hoà sô" in another
// is decided by its header as well as by its syllables.
func DetectWith(sample []byte, extra func(text string) int) Encoding {
	if len(sample) > SampleSize {
		sample = sample[:SampleSize]
	}
	switch {
	case bytes.HasPrefix(sample, UTF8.BOM()):
		return UTF8
	case bytes.HasPrefix(sample, UTF16LE.BOM()):
		return UTF16LE
	case bytes.HasPrefix(sample, UTF16BE.BOM()):
		return UTF16BE
	}
	if e, ok := detectUTF16(sample); ok {
		return e
	}
	if validUTF8Prefix(sample) || mostlyUTF8(sample) {
		return UTF8
	}
	return detectLegacy(sample, extra)
}

// mostlyUTF8 reports a sample with many well-formed multi-byte UTF-8
// sequences and only a few invalid bytes: a UTF-8 file with a stray byte
// (a cell pasted from elsewhere) is better read as UTF-8 with one U+FFFD than
// as a legacy encoding, which would garble every Vietnamese letter in it.
// Legacy Vietnamese text almost never forms valid multi-byte sequences, as
// its high bytes stand next to ASCII letters or to each other in ways UTF-8
// forbids.
func mostlyUTF8(b []byte) bool {
	multi, invalid := 0, 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			multi++
		}
		b = b[n:]
	}
	return multi >= 8 && multi >= 8*invalid
}

// detectUTF16 spots BOM-less UTF-16: text that is mostly ASCII (digits,
// dates, codes, base letters) has a zero in every other byte.
func detectUTF16(b []byte) (Encoding, bool) {
	pairs := len(b) / 2
	if pairs < 2 {
		return 0, false
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	switch {
	case odd*4 >= pairs && even*8 <= odd:
		return UTF16LE, true
	case even*4 >= pairs && odd*8 <= even:
		return UTF16BE, true
	}
	return 0, false
}

// validUTF8Prefix reports whether b is valid UTF-8, ignoring an incomplete
// sequence at the very end (the sample may cut a character in two).
func validUTF8Prefix(b []byte) bool {
	for back := 1; back <= 3 && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < 0x80 {
			break
		}
		if c >= 0xC0 { // the lead byte of the last sequence
			need := 2
			if c >= 0xF0 {
				need = 4
			} else if c >= 0xE0 {
				need = 3
			}
			if back < need {
				b = b[:len(b)-back]
			}
			break
		}
	}
	return utf8.Valid(b)
}

// detectLegacy scores the three single-byte candidates on the sample: each
// decoding's syllables (see scoreText) plus extra's opinion of it. Ties go
// to Windows-1258, then TCVN3.
func detectLegacy(sample []byte, extra func(string) int) Encoding {
	best, bestScore := Windows1258, 0
	for _, e := range []Encoding{Windows1258, TCVN3, VNI} {
		text := decodeBytes(e, sample)
		s := scoreText(text, true).net()
		if extra != nil {
			s += extra(text)
		}
		if e == Windows1258 || s > bestScore {
			best, bestScore = e, s
		}
	}
	return best
}

// decodeBytes decodes a whole (small) byte slice with a single-byte table,
// in NFC.
func decodeBytes(e Encoding, b []byte) string {
	t := table(e)
	var buf bytes.Buffer
	buf.Grow(len(b) + len(b)/2)
	for _, c := range b {
		buf.WriteString(t[c])
	}
	return norm.NFC.String(buf.String())
}

func table(e Encoding) *[256]string {
	switch e {
	case TCVN3:
		return &tcvn3Decode
	case VNI:
		return &vniDecode
	}
	return &w1258Decode
}

// NewReader returns a reader that produces the text of r as UTF-8 (in NFC
// unless the input was UTF-8: the transform normalises the values it keeps),
// without a BOM, and the encoding it detected. It peeks at the first
// SampleSize bytes to detect (see Detect) and then streams: the input is
// never read whole. Invalid sequences become U+FFFD, so the output is always
// valid UTF-8. The error is a read error from the first peek, if any.
func NewReader(r io.Reader) (io.Reader, Encoding, error) {
	return NewReaderWith(r, Choice{Auto: true}, nil)
}

// decodeReader returns a reader of r's text, in e, as UTF-8 (NFC for the
// legacy and UTF-16 encodings, as the input was for UTF-8). The two
// stages are separate readers rather than one transform.Chain: the chain
// fails with "short internal buffer" when the normaliser waits for more
// input while its buffer is full (found by FuzzDecode).
func decodeReader(e Encoding, r io.Reader) io.Reader {
	var d transform.Transformer
	switch e {
	case UTF16LE:
		d = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
	case UTF16BE:
		d = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
	case Windows1258:
		d = charmap.Windows1258.NewDecoder()
	case TCVN3, VNI:
		d = tableDecoder{table(e)}
	default:
		// Drops a leading BOM and replaces invalid bytes. No NFC
		// pass: it would cost a third of a large file's decode time, and the
		// transform normalises every text value it keeps (and matches
		// headers and vocabularies without regard to normal form).
		return newUTF8Reader(r)
	}
	return transform.NewReader(transform.NewReader(r, d), norm.NFC)
}

// tableDecoder decodes a single-byte encoding through a byte → UTF-8 table.
// It is stateless: combining marks are composed by the NFC stage after it.
type tableDecoder struct{ t *[256]string }

func (d tableDecoder) Reset() {}

func (d tableDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		s := d.t[src[nSrc]]
		if nDst+len(s) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], s)
		nSrc++
	}
	return nDst, nSrc, nil
}

// Encode writes s in encoding e, without a BOM (see Encoding.BOM). It exists
// to produce legacy-encoded test and sample files. s is normalised to NFC
// first (to Windows-1258's own mix of precomposed letters and combining tone
// marks for Windows1258). A character e cannot represent is an error naming
// it and its byte offset in s.
func Encode(e Encoding, s string) ([]byte, error) {
	s = norm.NFC.String(s)
	switch e {
	case UTF8:
		return []byte(s), nil
	case UTF16LE, UTF16BE:
		order := unicode.LittleEndian
		if e == UTF16BE {
			order = unicode.BigEndian
		}
		return unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
	case Windows1258:
		return encode1258(s)
	case TCVN3:
		out := make([]byte, 0, len(s))
		for i, r := range s {
			b, ok := tcvn3Encode[r]
			if !ok {
				return nil, unencodable(e, r, i)
			}
			out = append(out, b)
		}
		return out, nil
	case VNI:
		out := make([]byte, 0, len(s)+len(s)/4)
		for i, r := range s {
			if r < utf8.RuneSelf {
				out = append(out, byte(r))
				continue
			}
			if v, ok := vniEncode[r]; ok {
				out = append(out, v...)
				continue
			}
			// Other Windows-1252 characters (€, –, “) keep their byte
			// unless VNI has taken it for a letter or mark.
			if b, ok := cp1252Byte[r]; ok && vniDecode[b] == string(r) {
				out = append(out, b)
				continue
			}
			return nil, unencodable(e, r, i)
		}
		return out, nil
	}
	return nil, fmt.Errorf("vnenc: unknown encoding %v", e)
}

func unencodable(e Encoding, r rune, at int) error {
	return fmt.Errorf("vnenc: %s cannot encode %q (%U) at byte %d", e, r, r, at)
}

// encode1258 writes each letter precomposed when code page 1258 has it and
// otherwise as its toneless letter plus a combining tone mark, as Windows
// does (1258 has â, ơ, ư, ... but no precomposed letters with dot below).
func encode1258(s string) ([]byte, error) {
	enc := charmap.Windows1258
	out := make([]byte, 0, len(s))
	for i, r := range s {
		if b, ok := enc.EncodeRune(r); ok {
			out = append(out, b)
			continue
		}
		base, tone := splitTone(r)
		if tone == 0 {
			return nil, unencodable(Windows1258, r, i)
		}
		b1, ok1 := enc.EncodeRune(base)
		b2, ok2 := enc.EncodeRune(tone)
		if !ok1 || !ok2 {
			return nil, unencodable(Windows1258, r, i)
		}
		out = append(out, b1, b2)
	}
	return out, nil
}

// splitTone splits a precomposed Vietnamese letter into its toneless letter
// (still carrying ˆ, ˘ or the horn) and its combining tone mark; tone is 0
// when r has no tone.
func splitTone(r rune) (base, tone rune) {
	d := []rune(norm.NFD.String(string(r)))
	var marks []rune
	for _, c := range d[1:] {
		switch c {
		case 0x300, 0x301, 0x303, 0x309, 0x323:
			tone = c
		default:
			marks = append(marks, c)
		}
	}
	if tone == 0 {
		return r, 0
	}
	b := []rune(norm.NFC.String(string(append([]rune{d[0]}, marks...))))
	if len(b) != 1 {
		return r, 0
	}
	return b[0], tone
}
