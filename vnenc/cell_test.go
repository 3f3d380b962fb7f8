package vnenc

import (
	"testing"

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
