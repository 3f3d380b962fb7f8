package vnenc

import (
	"bytes"
	"io"
	"strings"
	"testing"
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
var tcvn3Hand = []struct {
	letters string
	bytes   []byte
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
var vniHand = []struct {
	letters string
	seen    []string
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

// handTables returns, per encoding, each non-ASCII Vietnamese letter and the
// bytes a legacy font writes for it. TCVN3 capitals with a tone are written
// with the lower-case byte (the .VnTimeH font).
func handTables(t testing.TB) (tcvn3, vni map[rune][]byte) {
	tcvn3, vni = map[rune][]byte{}, map[rune][]byte{}
	for _, row := range tcvn3Hand {
		for i, r := range []rune(row.letters) {
			if r >= 0x80 {
				tcvn3[r] = []byte{row.bytes[i]}
			}
		}
	}
	for _, row := range tcvn3Hand[:12] { // capitals via the H font
		for i, r := range []rune(row.letters) {
			if u := unicode.ToUpper(r); i > 0 && tcvn3[u] == nil {
				tcvn3[u] = []byte{row.bytes[i]}
			}
		}
	}
	enc := charmap.Windows1252.NewEncoder()
	for _, row := range vniHand {
		for i, r := range []rune(row.letters) {
			if r < 0x80 {
				continue
			}
			b, err := enc.Bytes([]byte(row.seen[i]))
			if err != nil {
				t.Fatal(err)
			}
			vni[r] = b
		}
	}
	return tcvn3, vni
}

// handEncode writes s as the legacy font does, from the hand tables.
func handEncode(t testing.TB, e Encoding, s string) []byte {
	tcvn3, vni := handTables(t)
	m := tcvn3
	if e == VNI {
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
			t.Fatalf("%s hand table lacks %q", e, r)
		}
		out = append(out, b...)
	}
	return out
}

func TestHandTablesCoverAllLetters(t *testing.T) {
	tcvn3, vni := handTables(t)
	// 12 vowels × 6 tones + đ, in both cases, minus the 12 ASCII vowels: 134.
	if len(tcvn3) != 134 || len(vni) != 134 {
		t.Fatalf("hand tables have %d (TCVN3) and %d (VNI) letters, want 134", len(tcvn3), len(vni))
	}
}

// TestLegacyFontLetters decodes every Vietnamese letter, with every tone and
// in both cases, from the bytes the real fonts write, and encodes it back.
func TestLegacyFontLetters(t *testing.T) {
	tcvn3, vni := handTables(t)
	for r, b := range tcvn3 {
		want := string(r)
		lowerOnly := unicode.IsUpper(r) && len(tcvn3Hand[13].letters) > 0 && !strings.ContainsRune(tcvn3Hand[13].letters, r)
		if lowerOnly {
			want = string(unicode.ToLower(r)) // the H font's lower-case code
		}
		if got := decodeBytes(TCVN3, b); got != want {
			t.Errorf("TCVN3 % x decodes to %q, want %q", b, got, want)
		}
		if !lowerOnly {
			if got, err := Encode(TCVN3, string(r)); err != nil || !bytes.Equal(got, b) {
				t.Errorf("TCVN3 Encode(%q) = % x, %v; want % x", r, got, err, b)
			}
		}
	}
	for r, b := range vni {
		if got := decodeBytes(VNI, b); got != string(r) {
			t.Errorf("VNI % x decodes to %q, want %q", b, got, string(r))
		}
		if got, err := Encode(VNI, string(r)); err != nil || !bytes.Equal(got, b) {
			t.Errorf("VNI Encode(%q) = % x, %v; want % x", r, got, err, b)
		}
	}
}

// allLetters is a line with every letter and tone, as a title row might
// hold it.
func allLetters(t testing.TB) string {
	var lines []string
	for _, row := range vniHand {
		lines = append(lines, row.letters)
	}
	return strings.Join(lines, " ")
}

// TestDetectHandEncodedFiles: whole files written with the fonts' own
// tables are detected and decoded to the Unicode text.
func TestDetectHandEncodedFiles(t *testing.T) {
	texts := map[string]string{"csv": csv, "paragraph": paragraph, "units": unitsCSV}
	for name, text := range texts {
		for _, e := range []Encoding{TCVN3, VNI} {
			b := handEncode(t, e, text)
			if got := Detect(b); got != e {
				t.Errorf("Detect(%s in %s) = %s", name, e, got)
			}
			r, got, err := NewReader(bytes.NewReader(b))
			if err != nil || got != e {
				t.Fatalf("NewReader(%s in %s) = %s, %v", name, e, got, err)
			}
			out, _ := io.ReadAll(r)
			want := text
			if e == TCVN3 {
				// Toned capitals come back in lower case (VN3 has none).
				want = lowerTonedCapitals(text)
			}
			if string(out) != want {
				t.Errorf("%s in %s read back as %q", name, e, out)
			}
		}
	}
}

func lowerTonedCapitals(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) && r >= 0x80 && !strings.ContainsRune("ĂÂÊÔƠƯĐ", r) {
			return unicode.ToLower(r)
		}
		return r
	}, s)
}

// unitsCSV is a list of unit names: what a VNI export of one district's
// communes carries besides codes and dates.
const unitsCSV = "Mã đơn vị;Tên đơn vị;Cấp\r\n" +
	"X01;Xã Ba Trại;xã\r\nX02;Xã Ba Vì;xã\r\nX03;Xã Cẩm Lĩnh;xã\r\nX04;Xã Cam Thượng;xã\r\nX05;Xã Châu Sơn;xã\r\n" +
	"X06;Xã Cổ Đô;xã\r\nX07;Xã Đông Quang;xã\r\nX08;Xã Khánh Thượng;xã\r\nX09;Phường Quang Trung;phường\r\n" +
	"X10;Thị trấn Tây Đằng;thị trấn\r\nX11;Xã Thụy An;xã\r\nX12;Xã Vạn Thắng;xã\r\nX13;Xã Yên Bài;xã\r\n"

// TestAllLettersLatin1View: a cell holding every letter typed in a legacy
// font, stored as the Latin-1 view of the font's bytes (as Excel keeps it),
// is repaired cell by cell.
func TestAllLettersLatin1View(t *testing.T) {
	text := allLetters(t)
	for _, e := range []Encoding{TCVN3, VNI} {
		b := handEncode(t, e, text)
		latin1 := make([]rune, len(b))
		for i, c := range b {
			latin1[i] = rune(c)
		}
		want := text
		if e == TCVN3 {
			want = lowerTonedCapitals(text)
		}
		if got := FixText(e, string(latin1)); got != want {
			t.Errorf("FixText(%s) = %q, want %q", e, got, want)
		}
	}
}
