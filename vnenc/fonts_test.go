package vnenc

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode"

	"github.com/cchc/cchc/internal/legacyfont"
)

// handTables are the fonts' tables written out by hand (package
// legacyfont), independent of this package's tables.
func handTables(t testing.TB) (tcvn3, vni map[rune][]byte) { return legacyfont.Tables() }

// handEncode writes s as the legacy font does, from the hand tables.
func handEncode(t testing.TB, e Encoding, s string) []byte {
	b, err := legacyfont.Encode(e.String(), s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var lowerTonedCapitals = legacyfont.LowerTonedCapitals

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
		lowerOnly := unicode.IsUpper(r) && !strings.ContainsRune(legacyfont.TCVN3Rows[13].Letters, r)
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
	for _, row := range legacyfont.VNIRows {
		lines = append(lines, row.Letters)
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
