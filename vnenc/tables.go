package vnenc

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// TCVN3 is TCVN 5712:1993, the encoding of the "ABC" fonts (.VnTime,
// .VnArial, ...). The table is the full VN1 variant as glibc's TCVN5712-1
// converter defines it: lower-case letters in 0xA8–0xFF, the toneless
// capitals Ă Â Ê Ô Ơ Ư Đ in 0xA1–0xA7, capitals with tones in 0x80–0x9F,
// a few C0 control positions and some slots the lower case leaves free,
// and five combining tone marks in 0xB0–0xB4. Files typed with the ABC
// fonts use the VN3 subset, where capitals with tones are written with the
// lower-case codes in an "H" font (.VnTimeH); those decode to lower case,
// which is the best that can be recovered. Cross-checked with the tcvn.h
// table of xvnkb (Dao Hai Lam, 2002).
var tcvn3Low = [0x18]rune{
	0x0000, 0x00da, 0x1ee4, 0x0003, 0x1eea, 0x1eec, 0x1eee, 0x0007,
	0x0008, 0x0009, 0x000a, 0x000b, 0x000c, 0x000d, 0x000e, 0x000f,
	0x0010, 0x1ee8, 0x1ef0, 0x1ef2, 0x1ef6, 0x1ef8, 0x00dd, 0x1ef4,
}

var tcvn3High = [0x80]rune{
	0x00c0, 0x1ea2, 0x00c3, 0x00c1, 0x1ea0, 0x1eb6, 0x1eac, 0x00c8, // 0x80
	0x1eba, 0x1ebc, 0x00c9, 0x1eb8, 0x1ec6, 0x00cc, 0x1ec8, 0x0128,
	0x00cd, 0x1eca, 0x00d2, 0x1ece, 0x00d5, 0x00d3, 0x1ecc, 0x1ed8, // 0x90
	0x1edc, 0x1ede, 0x1ee0, 0x1eda, 0x1ee2, 0x00d9, 0x1ee6, 0x0168,
	0x00a0, 0x0102, 0x00c2, 0x00ca, 0x00d4, 0x01a0, 0x01af, 0x0110, // 0xA0
	0x0103, 0x00e2, 0x00ea, 0x00f4, 0x01a1, 0x01b0, 0x0111, 0x1eb0,
	0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00e0, 0x1ea3, 0x00e3, // 0xB0
	0x00e1, 0x1ea1, 0x1eb2, 0x1eb1, 0x1eb3, 0x1eb5, 0x1eaf, 0x1eb4,
	0x1eae, 0x1ea6, 0x1ea8, 0x1eaa, 0x1ea4, 0x1ec0, 0x1eb7, 0x1ea7, // 0xC0
	0x1ea9, 0x1eab, 0x1ea5, 0x1ead, 0x00e8, 0x1ec2, 0x1ebb, 0x1ebd,
	0x00e9, 0x1eb9, 0x1ec1, 0x1ec3, 0x1ec5, 0x1ebf, 0x1ec7, 0x00ec, // 0xD0
	0x1ec9, 0x1ec4, 0x1ebe, 0x1ed2, 0x0129, 0x00ed, 0x1ecb, 0x00f2,
	0x1ed4, 0x1ecf, 0x00f5, 0x00f3, 0x1ecd, 0x1ed3, 0x1ed5, 0x1ed7, // 0xE0
	0x1ed1, 0x1ed9, 0x1edd, 0x1edf, 0x1ee1, 0x1edb, 0x1ee3, 0x00f9,
	0x1ed6, 0x1ee7, 0x0169, 0x00fa, 0x1ee5, 0x1eeb, 0x1eed, 0x1eef, // 0xF0
	0x1ee9, 0x1ef1, 0x1ef3, 0x1ef7, 0x1ef9, 0x00fd, 0x1ef5, 0x1ed0,
}

// Combining marks as VNI and Windows-1258 write tones and vowel modifiers.
const (
	acute  = "\u0301"
	grave  = "\u0300"
	hook   = "\u0309"
	tilde  = "\u0303"
	dot    = "\u0323"
	circ   = "\u0302"
	breve  = "\u0306"
	noTone = ""
)

// tones in the order the VNI key layout numbers them (1 sắc, 2 huyền,
// 3 hỏi, 4 ngã, 5 nặng); index 0 is no tone.
var tones = [6]string{noTone, acute, grave, hook, tilde, dot}

// VNI-Windows writes most letters as an ASCII base letter followed by one
// "mark" byte that draws the vowel modifier and tone; ơ, ư, đ and the i/ỵ
// forms are single bytes. Upper-case text uses a second set of mark bytes.
// Layout from the vni.h table of xvnkb (Dao Hai Lam, 2002), in tone order.
var (
	vniToneLower  = [6]byte{0, 0xF9, 0xF8, 0xFB, 0xF5, 0xEF} // ù ø û õ ï
	vniToneUpper  = [6]byte{0, 0xD9, 0xD8, 0xDB, 0xD5, 0xCF} // Ù Ø Û Õ Ï
	vniCircLower  = [6]byte{0xE2, 0xE1, 0xE0, 0xE5, 0xE3, 0xE4}
	vniCircUpper  = [6]byte{0xC2, 0xC1, 0xC0, 0xC5, 0xC3, 0xC4}
	vniBreveLower = [6]byte{0xEA, 0xE9, 0xE8, 0xFA, 0xFC, 0xEB}
	vniBreveUpper = [6]byte{0xCA, 0xC9, 0xC8, 0xDA, 0xDC, 0xCB}
	vniILower     = [6]byte{'i', 0xED, 0xEC, 0xE6, 0xF3, 0xF2} // í ì æ ó ò
	vniIUpper     = [6]byte{'I', 0xCD, 0xCC, 0xC6, 0xD3, 0xD2}
)

// Single-byte VNI letters.
const (
	vniOHornLower, vniOHornUpper = 0xF4, 0xD4 // ơ Ơ
	vniUHornLower, vniUHornUpper = 0xF6, 0xD6 // ư Ư
	vniDStrokeLower, vniDStroke  = 0xF1, 0xD1 // đ Đ
	vniYDotLower, vniYDotUpper   = 0xEE, 0xCE // ỵ Ỵ
)

// Decoding tables: each byte to the UTF-8 text it stands for, before NFC.
var (
	tcvn3Decode [256]string
	vniDecode   [256]string
	w1258Decode [256]string
	// cp1252Byte maps a rune of the Windows-1252 reading of a byte back to
	// the byte. The five bytes Windows-1252 leaves undefined come back as
	// the C1 controls of the same value, as Windows' own conversion does.
	cp1252Byte = map[rune]byte{}
	// Encoders: NFC rune to legacy bytes.
	tcvn3Encode = map[rune]byte{}
	vniEncode   = map[rune]string{}
)

func init() {
	for b := 0; b < 256; b++ {
		r := rune(b)
		switch {
		case b < len(tcvn3Low):
			r = tcvn3Low[b]
		case b >= 0x80:
			r = tcvn3High[b-0x80]
		}
		tcvn3Decode[b] = string(r)
		// The control codes whose bytes hold capitals (0x01, 0x02, ...)
		// cannot be written, since their byte now means the capital.
		if _, dup := tcvn3Encode[r]; !dup {
			tcvn3Encode[r] = byte(b)
		}

		c := charmap.Windows1252.DecodeByte(byte(b))
		if c == utf8.RuneError {
			c = rune(b)
		}
		cp1252Byte[c] = byte(b)
		vniDecode[b] = string(c)
		w1258Decode[b] = string(charmap.Windows1258.DecodeByte(byte(b)))
	}

	// VNI: mark bytes decode to combining marks that NFC composes with the
	// base letter before them.
	for t := 1; t < 6; t++ {
		vniDecode[vniToneLower[t]] = tones[t]
		vniDecode[vniToneUpper[t]] = tones[t]
	}
	for t := 0; t < 6; t++ {
		vniDecode[vniCircLower[t]] = circ + tones[t]
		vniDecode[vniCircUpper[t]] = circ + tones[t]
		vniDecode[vniBreveLower[t]] = breve + tones[t]
		vniDecode[vniBreveUpper[t]] = breve + tones[t]
		vniDecode[vniILower[t]] = norm.NFC.String("i" + tones[t])
		vniDecode[vniIUpper[t]] = norm.NFC.String("I" + tones[t])
	}
	vniDecode[vniOHornLower], vniDecode[vniOHornUpper] = "ơ", "Ơ"
	vniDecode[vniUHornLower], vniDecode[vniUHornUpper] = "ư", "Ư"
	vniDecode[vniDStrokeLower], vniDecode[vniDStroke] = "đ", "Đ"
	vniDecode[vniYDotLower], vniDecode[vniYDotUpper] = "ỵ", "Ỵ"

	// VNI encoder: every Vietnamese letter, built from the same layout so
	// that encoding and decoding cannot disagree.
	addVNI := func(s string, enc ...byte) { vniEncode[[]rune(norm.NFC.String(s))[0]] = string(enc) }
	for t := 0; t < 6; t++ {
		for _, v := range "aeouyAEOUY" {
			upper := v < 'a'
			marks := vniToneLower
			if upper {
				marks = vniToneUpper
			}
			if t > 0 && !(t == 5 && (v == 'y' || v == 'Y')) {
				addVNI(string(v)+tones[t], byte(v), marks[t])
			}
		}
		for _, v := range "aeoAEO" {
			c, br := vniCircLower, vniBreveLower
			if v < 'a' {
				c, br = vniCircUpper, vniBreveUpper
			}
			addVNI(string(v)+circ+tones[t], byte(v), c[t])
			if v == 'a' || v == 'A' {
				addVNI(string(v)+breve+tones[t], byte(v), br[t])
			}
		}
		horn := func(base string, b byte, marks [6]byte) {
			if t == 0 {
				addVNI(base, b)
			} else {
				addVNI(base+tones[t], b, marks[t])
			}
		}
		horn("ơ", vniOHornLower, vniToneLower)
		horn("Ơ", vniOHornUpper, vniToneUpper)
		horn("ư", vniUHornLower, vniToneLower)
		horn("Ư", vniUHornUpper, vniToneUpper)
		if t > 0 {
			addVNI("i"+tones[t], vniILower[t])
			addVNI("I"+tones[t], vniIUpper[t])
		}
	}
	addVNI("ỵ", vniYDotLower)
	addVNI("Ỵ", vniYDotUpper)
	addVNI("đ", vniDStrokeLower)
	addVNI("Đ", vniDStroke)
}
