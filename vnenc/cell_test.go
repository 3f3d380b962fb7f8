package vnenc

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/charmap"
)

// latin1 returns the text Excel stores for s typed with a legacy font: each
// font byte as the character of the same value.
func latin1(t testing.TB, e Encoding, s string) string {
	b := handEncode(t, e, s)
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func TestCellFixer(t *testing.T) {
	legacy := []string{"Mã hồ sơ", "Tên thủ tục", "Ngày tiếp nhận", "Trạng thái", "Đơn vị", "Ngày hẹn trả",
		"Bộ phận tiếp nhận và trả kết quả", "Đã trả kết quả", "Đang xử lý", "Cấp giấy phép xây dựng", "Xã Tản Lĩnh"}
	for _, e := range []Encoding{TCVN3, VNI} {
		var f CellFixer
		for _, s := range legacy {
			in := latin1(t, e, s)
			if got, enc := f.Fix(in); got != s || enc != e {
				t.Errorf("%s: Fix(%q) = %q, %s; want %q", e, in, got, enc, s)
			}
		}
		// The Windows-1252 view (€ for 0x80, …) works the same.
		b := handEncode(t, e, "Thủ tục hành chính")
		w, _ := charmap.Windows1252.NewDecoder().Bytes(b)
		if got, _ := f.Fix(string(w)); got != "Thủ tục hành chính" {
			t.Errorf("%s: Windows-1252 view %q fixed to %q", e, w, got)
		}
	}
	// Genuine text is never touched, whatever came before.
	genuine := []string{"Hòa Bình", "Tâm", "Café crème", "Zürich", "Cà Mau", "Hà", "½", "10°C", "Tên thủ tục",
		"H41.12-240315-0001", "Nguyễn Thị Ánh", "São Paulo", "“x”", "Ô", "Á", "Tân Hòa", "Bà", "Vân", "Bình"}
	for _, lean := range []Encoding{UTF8, TCVN3, VNI} {
		var f CellFixer
		if lean != UTF8 {
			f.Fix(latin1(t, lean, "Mã hồ sơ"))
		}
		for _, s := range genuine {
			if got, enc := f.Fix(s); got != s || enc != UTF8 {
				t.Errorf("after %s: Fix(%q) = %q, %s", lean, s, got, enc)
			}
		}
	}
}

// TestCellFixerLeavesLatin1Vietnamese: genuine Vietnamese that happens to
// use only letters of Latin-1 (à, â, é, ...), and so could be legacy bytes,
// is never converted: every pair of such words from administrative prose
// and place names, whatever the file leaned to before.
func TestCellFixerLeavesLatin1Vietnamese(t *testing.T) {
	places := "Hòa Bình Tâm Tân Thành Phú Yên Bà Rịa Cà Mau Trà Vinh Tây Ninh Vân Lâm Châu Hà Tĩnh Sóc Trăng Bến Tre " +
		"Hàm Tân Thái Hòa An Nhơn Tuy Hòa Phan Thiết Mê Linh Ba Vì Mỹ Tho Cái Bè Giá Rai Côn Sơn Tháp Mười"
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.FieldsFunc(paragraph+" "+csv+" "+places, func(r rune) bool {
		return !unicode.IsLetter(r)
	}) {
		if _, ok := cp1252Bytes(w); ok && !isASCII(w) && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	if len(words) < 50 {
		t.Fatalf("only %d words", len(words))
	}
	for _, a := range words {
		for _, b := range append([]string{"", "Xã", "Thị"}, words...) {
			s := strings.TrimSpace(a + " " + b)
			for _, lean := range []Encoding{UTF8, TCVN3, VNI} {
				var f CellFixer
				if lean != UTF8 {
					f.repaired[lean] = 5
				}
				if out, e := f.Fix(s); e != UTF8 || out != s {
					t.Errorf("lean %s: Fix(%q) = %q, %s", lean, s, out, e)
				}
			}
		}
	}
}
