// Package legacyfont holds the TCVN3 (ABC) and VNI font tables written out
// by hand from the published layouts, for tests: expected bytes come from
// here, not from the tables of package vnenc, so that a mistake in those
// shows up. Encode writes text as a legacy font does.
package legacyfont

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/encoding/charmap"
)

// The legacy font tables written out by hand from the published layouts, not
// from this package's tables, so that a mistake in those shows up here.
//
// TCVN3 is TCVN 5712:1993 VN3, the table of the "ABC" fonts (.VnTime,
// .VnArial): each row is a lower-case vowel with, in the standard's order,
// no tone, huyền, hỏi, ngã, sắc, nặng, and the byte of each. VN3 has codes
// for the toneless capitals Ă Â Ê Ô Ơ Ư Đ only; capitals with a tone are
// typed with the lower-case code in the capitals font (.VnTimeH), so they
// come back in lower case.
var TCVN3Rows = []struct {
	Letters string
	Bytes   []byte
}{
	{"aàảãáạ", []byte{'a', 0xB5, 0xB6, 0xB7, 0xB8, 0xB9}},
	{"ăằẳẵắặ", []byte{0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6}},
	{"âầẩẫấậ", []byte{0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB}},
	{"eèẻẽéẹ", []byte{'e', 0xCC, 0xCE, 0xCF, 0xD0, 0xD1}},
	{"êềểễếệ", []byte{0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6}},
	{"iìỉĩíị", []byte{'i', 0xD7, 0xD8, 0xDC, 0xDD, 0xDE}},
	{"oòỏõóọ", []byte{'o', 0xDF, 0xE1, 0xE2, 0xE3, 0xE4}},
	{"ôồổỗốộ", []byte{0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9}},
	{"ơờởỡớợ", []byte{0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE}},
	{"uùủũúụ", []byte{'u', 0xEF, 0xF1, 0xF2, 0xF3, 0xF4}},
	{"ưừửữứự", []byte{0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9}},
	{"yỳỷỹýỵ", []byte{'y', 0xFA, 0xFB, 0xFC, 0xFD, 0xFE}},
	{"đ", []byte{0xAE}},
	{"ĂÂÊÔƠƯĐ", []byte{0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7}},
}

// VNI-Windows (VNI-Times): a base letter followed by a mark character, as a
// Windows-1252 reader shows the bytes; ơ ư đ, the toned i and ỵ are single
// characters. Rows: no tone, sắc, huyền, hỏi, ngã, nặng.
var VNIRows = []struct {
	Letters string
	Seen    []string
}{
	{"aáàảãạ", []string{"a", "aù", "aø", "aû", "aõ", "aï"}},
	{"ăắằẳẵặ", []string{"aê", "aé", "aè", "aú", "aü", "aë"}},
	{"âấầẩẫậ", []string{"aâ", "aá", "aà", "aå", "aã", "aä"}},
	{"eéèẻẽẹ", []string{"e", "eù", "eø", "eû", "eõ", "eï"}},
	{"êếềểễệ", []string{"eâ", "eá", "eà", "eå", "eã", "eä"}},
	{"iíìỉĩị", []string{"i", "í", "ì", "æ", "ó", "ò"}},
	{"oóòỏõọ", []string{"o", "où", "oø", "oû", "oõ", "oï"}},
	{"ôốồổỗộ", []string{"oâ", "oá", "oà", "oå", "oã", "oä"}},
	{"ơớờởỡợ", []string{"ô", "ôù", "ôø", "ôû", "ôõ", "ôï"}},
	{"uúùủũụ", []string{"u", "uù", "uø", "uû", "uõ", "uï"}},
	{"ưứừửữự", []string{"ö", "öù", "öø", "öû", "öõ", "öï"}},
	{"yýỳỷỹỵ", []string{"y", "yù", "yø", "yû", "yõ", "î"}},
	{"đ", []string{"ñ"}},
	{"AÁÀẢÃẠ", []string{"A", "AÙ", "AØ", "AÛ", "AÕ", "AÏ"}},
	{"ĂẮẰẲẴẶ", []string{"AÊ", "AÉ", "AÈ", "AÚ", "AÜ", "AË"}},
	{"ÂẤẦẨẪẬ", []string{"AÂ", "AÁ", "AÀ", "AÅ", "AÃ", "AÄ"}},
	{"EÉÈẺẼẸ", []string{"E", "EÙ", "EØ", "EÛ", "EÕ", "EÏ"}},
	{"ÊẾỀỂỄỆ", []string{"EÂ", "EÁ", "EÀ", "EÅ", "EÃ", "EÄ"}},
	{"IÍÌỈĨỊ", []string{"I", "Í", "Ì", "Æ", "Ó", "Ò"}},
	{"OÓÒỎÕỌ", []string{"O", "OÙ", "OØ", "OÛ", "OÕ", "OÏ"}},
	{"ÔỐỒỔỖỘ", []string{"OÂ", "OÁ", "OÀ", "OÅ", "OÃ", "OÄ"}},
	{"ƠỚỜỞỠỢ", []string{"Ô", "ÔÙ", "ÔØ", "ÔÛ", "ÔÕ", "ÔÏ"}},
	{"UÚÙỦŨỤ", []string{"U", "UÙ", "UØ", "UÛ", "UÕ", "UÏ"}},
	{"ƯỨỪỬỮỰ", []string{"Ö", "ÖÙ", "ÖØ", "ÖÛ", "ÖÕ", "ÖÏ"}},
	{"YÝỲỶỸỴ", []string{"Y", "YÙ", "YØ", "YÛ", "YÕ", "Î"}},
	{"Đ", []string{"Ñ"}},
}

// Tables returns, per font, each non-ASCII Vietnamese letter and the bytes
// the font writes for it: 134 letters each (12 vowels × 6 tones + đ, both
// cases, less the 12 ASCII vowels). TCVN3 capitals with a tone are written
// with the lower-case byte (the .VnTimeH font), as VN3 has no code for them.
func Tables() (tcvn3, vni map[rune][]byte) {
	tcvn3, vni = map[rune][]byte{}, map[rune][]byte{}
	for _, row := range TCVN3Rows {
		for i, r := range []rune(row.Letters) {
			if r >= 0x80 {
				tcvn3[r] = []byte{row.Bytes[i]}
			}
		}
	}
	for _, row := range TCVN3Rows[:12] {
		for i, r := range []rune(row.Letters) {
			if u := unicode.ToUpper(r); i > 0 && tcvn3[u] == nil {
				tcvn3[u] = []byte{row.Bytes[i]}
			}
		}
	}
	enc := charmap.Windows1252.NewEncoder()
	for _, row := range VNIRows {
		for i, r := range []rune(row.Letters) {
			if r < 0x80 {
				continue
			}
			b, err := enc.Bytes([]byte(row.Seen[i]))
			if err != nil {
				panic(err)
			}
			vni[r] = b
		}
	}
	return tcvn3, vni
}

// Encode writes NFC text s in font "tcvn3" or "vni" from the hand tables.
func Encode(font, s string) ([]byte, error) {
	tcvn3, vni := Tables()
	m := tcvn3
	if font == "vni" {
		m = vni
	}
	var out []byte
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		b, ok := m[r]
		if !ok {
			return nil, fmt.Errorf("legacyfont: %s has no %q", font, r)
		}
		out = append(out, b...)
	}
	return out, nil
}

// Latin1 is s typed in font as Excel stores it: each font byte as the
// character of the same value.
func Latin1(font, s string) (string, error) {
	b, err := Encode(font, s)
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r), err
}

// LowerTonedCapitals is s as it reads back from TCVN3 (VN3): capitals with a
// tone in lower case.
func LowerTonedCapitals(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) && r >= 0x80 && !strings.ContainsRune("ĂÂÊÔƠƯĐ", r) {
			return unicode.ToLower(r)
		}
		return r
	}, s)
}
