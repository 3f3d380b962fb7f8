package vnenc

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// words are the cross-check phrases: each must survive encode → decode in
// every encoding.
var words = []string{
	"Việt Nam", "Hồ sơ", "Ủy ban nhân dân", "Uỷ ban nhân dân", "Đã trả kết quả", "Thủ tục hành chính",
	"Nguyễn Thị Ngọc Ánh", "Trường học quốc gia giữa khuya", "ĐẮK LẮK", "Quyết định", "Chứng thực bản sao",
	"Đăng ký khai sinh", "Cấp giấy chứng nhận quyền sử dụng đất", "Bưu chính công ích", "Từ chối", "Rất hài lòng",
	"Mã hồ sơ,Ngày tiếp nhận,Trạng thái\r\nH41.12-240315-0001,15/03/2024 08:30,Đang xử lý\r\n",
	"ỲỶỸÝỴ ỳỷỹýỵ ÚÙỦŨỤ úùủũụ ỨỪỬỮỰ ứừửữự ĂẮẰẲẴẶ ăắằẳẵặ ÂẤẦẨẪẬ âấầẩẫậ ÊẾỀỂỄỆ êếềểễệ ÔỐỒỔỖỘ ôốồổỗộ ƠỚỜỞỠỢ ơớờởỡợ ÍÌỈĨỊ íìỉĩị ÉÈẺẼẸ éèẻẽẹ ÓÒỎÕỌ óòỏõọ ÁÀẢÃẠ áàảãạ Đđ",
}

func TestKnownEncodings(t *testing.T) {
	// Well-known renderings of legacy text as a Windows-1252 reader shows it.
	tests := []struct {
		enc  Encoding
		text string
		seen string
	}{
		{TCVN3, "Hồ sơ", "Hå s¬"},
		{TCVN3, "Việt Nam", "ViÖt Nam"},
		{TCVN3, "Uỷ ban nhân dân", "Uû ban nh©n d©n"},
		{TCVN3, "Đã trả kết quả", "§· tr¶ kÕt qu¶"},
		{VNI, "Việt Nam", "Vieät Nam"},
		{VNI, "Hồ sơ", "Hoà sô"},
		{VNI, "Đã trả kết quả", "Ñaõ traû keát quaû"},
		{VNI, "Thủ tục hành chính", "Thuû tuïc haønh chính"},
		{VNI, "Ủy ban nhân dân", "UÛy ban nhaân daân"},
	}
	for _, tt := range tests {
		b, err := Encode(tt.enc, tt.text)
		if err != nil {
			t.Fatal(err)
		}
		seen, _ := charmap.Windows1252.NewDecoder().String(string(b))
		if seen != tt.seen {
			t.Errorf("%s %q encodes as %q, want %q", tt.enc, tt.text, seen, tt.seen)
		}
		if got := FixText(tt.enc, tt.seen); got != tt.text {
			t.Errorf("FixText(%s, %q) = %q, want %q", tt.enc, tt.seen, got, tt.text)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, e := range []Encoding{UTF8, UTF16LE, UTF16BE, Windows1258, TCVN3, VNI} {
		for _, w := range words {
			b, err := Encode(e, w)
			if err != nil {
				t.Fatalf("Encode(%s, %q): %v", e, w, err)
			}
			// Decoding with the encoding known, through the streaming path.
			out, err := io.ReadAll(readerThrough(e, string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != w {
				t.Errorf("%s: %q → % x → %q", e, w, b, out)
			}
		}
	}
}

// readerThrough decodes in as e through the streaming decoder, one input
// byte at a time, so that combining marks and multi-byte sequences straddle
// chunk boundaries.
func readerThrough(e Encoding, in string) io.Reader {
	return decodeReader(e, iotest.OneByteReader(strings.NewReader(in)))
}

func TestEncodeNFD(t *testing.T) {
	for _, e := range []Encoding{Windows1258, TCVN3, VNI} {
		a, err1 := Encode(e, "Việt Nam")
		b, err2 := Encode(e, norm.NFD.String("Việt Nam"))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: NFC and NFD input encode differently: % x, % x", e, a, b)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tt := range []struct {
		e Encoding
		s string
	}{
		{TCVN3, "北京"}, {VNI, "北京"}, {Windows1258, "北京"}, {TCVN3, "\x01"}, {Encoding(42), "x"},
	} {
		if _, err := Encode(tt.e, tt.s); err == nil {
			t.Errorf("Encode(%v, %q) accepted", tt.e, tt.s)
		}
	}
}

func TestString(t *testing.T) {
	want := []string{"utf-8", "utf-16le", "utf-16be", "windows-1258", "tcvn3", "vni"}
	for e, w := range want {
		if got := Encoding(e).String(); got != w {
			t.Errorf("Encoding(%d) = %q, want %q", e, got, w)
		}
	}
}

// csv is a realistic export: header, a few rows, mostly ASCII.
const csv = "STT,Mã hồ sơ,Tên thủ tục,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Hình thức nộp\r\n" +
	"1,H41.12-240315-0001,Chứng thực bản sao từ bản chính,Chứng thực,15/03/2024 08:30,18/03/2024 17:00,Đã trả kết quả,Trực tiếp\r\n" +
	"2,H41.12-240315-0002,Đăng ký khai sinh,Hộ tịch,15/03/2024 09:12,15/03/2024 16:00,Đang xử lý,Trực tuyến\r\n" +
	"3,H41.12-240316-0003,Cấp giấy chứng nhận quyền sử dụng đất,Đất đai,16/03/2024 10:00,16/04/2024 10:00,Từ chối,Bưu chính công ích\r\n"

func TestDetect(t *testing.T) {
	for _, e := range []Encoding{UTF8, UTF16LE, UTF16BE, Windows1258, TCVN3, VNI} {
		b, err := Encode(e, csv)
		if err != nil {
			t.Fatal(err)
		}
		withBOM := append(e.BOM(), b...)
		if got := Detect(withBOM); got != e {
			t.Errorf("Detect(%s with BOM) = %s", e, got)
		}
		if got := Detect(b); got != e {
			t.Errorf("Detect(%s) = %s", e, got)
		}
		// One line is enough for the single-byte encodings.
		line, _ := Encode(e, strings.SplitAfter(csv, "\n")[2])
		if got := Detect(line); got != e {
			t.Errorf("Detect(one %s line) = %s", e, got)
		}
	}
	// A sample that cuts a UTF-8 character in two is still UTF-8.
	b := []byte(csv)
	for cut := len(b) - 1; cut > len(b)-8; cut-- {
		if got := Detect(b[:cut]); got != UTF8 {
			t.Errorf("Detect(UTF-8 cut at %d) = %s", cut, got)
		}
	}
	// A stray byte in a UTF-8 file does not turn it into a legacy file.
	stray := strings.Replace(csv, "Đăng ký", "\xa0Đăng ký", 1)
	if got := Detect([]byte(stray)); got != UTF8 {
		t.Errorf("UTF-8 with a stray byte detected as %s", got)
	}
	if got := Detect([]byte("plain,ascii\n1,2\n")); got != UTF8 {
		t.Errorf("ASCII detected as %s", got)
	}
	if got := Detect(nil); got != UTF8 {
		t.Errorf("empty detected as %s", got)
	}
}

// paragraph is ordinary administrative prose with a wide range of
// syllables, tones and capitals.
const paragraph = `Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Căn cứ Nghị định số 61/2018/NĐ-CP của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính;
Theo đề nghị của Giám đốc Sở Nội vụ, Chủ tịch Ủy ban nhân dân tỉnh quyết định công bố kết quả xếp hạng chỉ số cải cách hành chính năm 2024 của các sở, ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố.
Người dân, doanh nghiệp được hướng dẫn đầy đủ, rõ ràng; hồ sơ được tiếp nhận, xử lý đúng hẹn; kết quả được trả tận nơi qua dịch vụ bưu chính công ích.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị và các cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.
Trường hợp khiếu nại, tố cáo được giải quyết theo quy định; những vướng mắc phát sinh phản ánh kịp thời để xem xét, điều chỉnh.`

func TestDetectParagraph(t *testing.T) {
	for _, e := range []Encoding{UTF8, UTF16LE, UTF16BE, Windows1258, TCVN3, VNI} {
		b, err := Encode(e, paragraph)
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(b); got != e {
			t.Errorf("Detect(paragraph in %s) = %s", e, got)
		}
		for _, line := range strings.Split(paragraph, "\n") {
			b, _ := Encode(e, line)
			if got := Detect(b); got != e {
				t.Errorf("Detect(%s line %q) = %s", e, line, got)
			}
		}
		if e == TCVN3 || e == VNI {
			s, _ := charmap.Windows1252.NewDecoder().String(string(b))
			if got := DetectText(strings.Split(s, ",")); got != e {
				t.Errorf("DetectText(paragraph in %s) = %s", e, got)
			}
		}
	}
	if got := DetectText(strings.Split(paragraph, ",")); got != UTF8 {
		t.Errorf("DetectText(Unicode paragraph) = %s", got)
	}
}

func TestNewReader(t *testing.T) {
	for _, e := range []Encoding{UTF8, UTF16LE, UTF16BE, Windows1258, TCVN3, VNI} {
		b, err := Encode(e, csv)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{b, append(e.BOM(), b...)} {
			r, got, err := NewReader(iotest.OneByteReader(bytes.NewReader(in)))
			if err != nil || got != e {
				t.Fatalf("NewReader(%s) = %s, %v", e, got, err)
			}
			out, err := io.ReadAll(iotest.OneByteReader(r))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != csv {
				t.Errorf("NewReader(%s) read %q", e, out)
			}
		}
	}
}

func TestNewReaderNFDAndInvalid(t *testing.T) {
	// The BOM decides UTF-8 and is dropped; NFD passes through (the
	// transform normalises values) and an invalid byte is replaced.
	in := "\xEF\xBB\xBF" + norm.NFD.String("Ngày tiếp nhận") + ",\xff\n"
	r, e, err := NewReader(strings.NewReader(in))
	if err != nil || e != UTF8 {
		t.Fatalf("NewReader = %s, %v", e, err)
	}
	out, _ := io.ReadAll(r)
	if string(out) != norm.NFD.String("Ngày tiếp nhận")+",\uFFFD\n" {
		t.Errorf("got %q", out)
	}
	// A rune split across reads survives whole.
	r, _, _ = NewReader(iotest.OneByteReader(strings.NewReader("x,Hồ sơ\n")))
	if out, _ := io.ReadAll(r); string(out) != "x,Hồ sơ\n" {
		t.Errorf("one byte at a time: %q", out)
	}
}

func TestNewReaderStreams(t *testing.T) {
	// A large input is not read whole before the first bytes come out.
	big := strings.Repeat("Mã hồ sơ,Đã trả kết quả\n", 100000)
	src := &countingReader{r: strings.NewReader(big)}
	r, _, err := NewReader(src)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatal(err)
	}
	if src.n > 2*SampleSize {
		t.Errorf("read %d bytes to produce 100", src.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestNewReaderError(t *testing.T) {
	if _, _, err := NewReader(errReader{}); err == nil {
		t.Error("read error not returned")
	}
}

func TestDetectTextNeverFlagsGoodText(t *testing.T) {
	good := [][]string{
		{"Chứng thực bản sao từ bản chính", "Đăng ký khai sinh", "Hộ tịch", "Đất đai", "Đang xử lý", "Đã trả kết quả"},
		{"Bình", "Tân Bình", "Thái Bình", "Hà Nam", "Hà Tĩnh", "Bà Rịa", "Cà Mau", "Trà Vinh", "Tây Ninh", "Phú Yên", "Bình Định"},
		{"Hà", "Tân", "Bình", "Thái", "Kiên", "Vân", "Lâm", "Châu", "Hòa", "Hoà", "Quý", "Thành", "Vĩnh", "Sơn"},
		{"H41.12", "ABC", "Ba Vi", "UBND", "2024", "x"},
		{"Société Générale", "Café crème", "naïve", "Zürich", "São Paulo", "Ærø"},
		{"A – B", "“quoted”", "‘x’", "5 €", "10°C", "…", "•"},
		{"Tân", "Tâm", "Tín", "Bình", "Thìn", "Tú", "Hà", "Nhâm"},
		nil,
		{},
		{""},
	}
	for _, s := range good {
		if got := DetectText(s); got != UTF8 {
			t.Errorf("DetectText(%q) = %s", s, got)
		}
	}
}

func TestDetectText(t *testing.T) {
	phrases := []string{"Chứng thực bản sao từ bản chính", "Đăng ký khai sinh", "Hộ tịch", "Đất đai", "Đang xử lý",
		"Đã trả kết quả", "Ủy ban nhân dân xã Tản Lĩnh"}
	for _, e := range []Encoding{TCVN3, VNI} {
		var mojibake []string
		for _, p := range phrases {
			b, err := Encode(e, p)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := charmap.Windows1252.NewDecoder().String(string(b))
			mojibake = append(mojibake, s)
		}
		if got := DetectText(mojibake); got != e {
			t.Errorf("DetectText(%q) = %s, want %s", mojibake, got, e)
		}
		for i, m := range mojibake {
			if got := FixText(e, m); got != phrases[i] {
				t.Errorf("FixText(%s, %q) = %q, want %q", e, m, got, phrases[i])
			}
		}
		// Mixed with more genuine Unicode, leave everything alone.
		mixed := append([]string{}, mojibake[:2]...)
		mixed = append(mixed, phrases...)
		mixed = append(mixed, phrases...)
		if got := DetectText(mixed); got != UTF8 {
			t.Errorf("DetectText(mixed %s) = %s", e, got)
		}
	}
}

func TestFixTextLeavesOtherTextAlone(t *testing.T) {
	for _, s := range []string{"Hồ sơ", "ASCII only", "", "北京"} {
		for _, e := range []Encoding{TCVN3, VNI, UTF8, Windows1258} {
			if got := FixText(e, s); got != s {
				t.Errorf("FixText(%s, %q) = %q", e, s, got)
			}
		}
	}
}

func FuzzNewReader(f *testing.F) {
	for _, e := range []Encoding{UTF8, UTF16LE, UTF16BE, Windows1258, TCVN3, VNI} {
		b, _ := Encode(e, csv)
		f.Add(b)
	}
	f.Add([]byte{0xFF, 0xFE, 0x00})
	f.Add([]byte{0xEF, 0xBB})
	f.Add([]byte("a\xcc\x80\xe2\x82"))
	f.Fuzz(func(t *testing.T, in []byte) {
		e := Detect(in)
		r, e2, err := NewReader(bytes.NewReader(in))
		if err != nil || e2 != e {
			t.Fatalf("NewReader = %s, %v; Detect = %s", e2, err, e)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 output %q", out)
		}
		if e != UTF8 && !norm.NFC.IsNormal(out) {
			t.Fatalf("output not NFC: %q", out)
		}
		// The BOM that decided the encoding is not content.
		if e == UTF8 && bytes.HasPrefix(in, e.BOM()) && !bytes.HasPrefix(in[3:], e.BOM()) && bytes.HasPrefix(out, e.BOM()) {
			t.Fatalf("BOM kept: %q", out)
		}
		s := string(out)
		_ = DetectText([]string{s})
		for _, enc := range []Encoding{TCVN3, VNI} {
			if fx := FixText(enc, s); !utf8.ValidString(fx) {
				t.Fatalf("FixText output invalid")
			}
		}
	})
}

// FuzzDecode decodes arbitrary bytes as each encoding: the text is valid NFC
// UTF-8, and whatever Encode can write of it decodes to the same text.
func FuzzDecode(f *testing.F) {
	for _, w := range words {
		b, _ := Encode(VNI, w)
		f.Add(b)
		b, _ = Encode(TCVN3, w)
		f.Add(b)
	}
	f.Add([]byte{0x61, 0xb0, 0xb3, 0xe2, 0xf9, 0xd6, 0xcf})
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, e := range []Encoding{UTF8, UTF16LE, UTF16BE, Windows1258, TCVN3, VNI} {
			out, err := io.ReadAll(decodeReader(e, bytes.NewReader(in)))
			if err != nil {
				t.Fatalf("%s: %v", e, err)
			}
			if !utf8.Valid(out) || (e != UTF8 && !norm.NFC.IsNormal(out)) {
				t.Fatalf("%s: output %q not valid NFC UTF-8", e, out)
			}
			if e == UTF8 && !norm.NFC.IsNormal(out) {
				continue // UTF-8 passes through as it is (see decodeReader); Encode would normalise
			}
			enc, err := Encode(e, string(out))
			if err != nil {
				continue
			}
			if (e == UTF8 || e == UTF16LE || e == UTF16BE) &&
				(bytes.HasPrefix(out, []byte("\uFEFF")) || bytes.HasPrefix(out, []byte("\uFFFE"))) {
				continue // Encode writes no BOM, so this text would read as one
			}
			again, _ := io.ReadAll(decodeReader(e, bytes.NewReader(enc)))
			if !bytes.Equal(again, out) {
				t.Fatalf("%s: % x → %q → % x → %q", e, in, out, enc, again)
			}
		}
	})
}

// FuzzFixText: repairs never produce invalid text, and text with a rune
// outside Windows-1252 is left alone.
func FuzzFixText(f *testing.F) {
	f.Add("Hå s¬")
	f.Add("Vieät Nam")
	f.Add("Việt Nam")
	f.Add("\u0081\u00ff")
	f.Fuzz(func(t *testing.T, s string) {
		_ = DetectText([]string{s, s})
		for _, e := range []Encoding{TCVN3, VNI} {
			got := FixText(e, s)
			if utf8.ValidString(s) && !utf8.ValidString(got) {
				t.Fatalf("FixText(%s, %q) = %q", e, s, got)
			}
			if _, ok := cp1252Bytes(s); !ok && got != s {
				t.Fatalf("FixText(%s, %q) changed text that cannot be legacy", e, s)
			}
		}
	})
}

// FuzzDetect: detection and cell repair never panic on any input, the
// extra evidence only chooses among the single-byte encodings, and a
// repaired cell is valid NFC UTF-8.
func FuzzDetect(f *testing.F) {
	for _, e := range []Encoding{UTF8, UTF16LE, Windows1258, TCVN3, VNI} {
		b, _ := Encode(e, csv)
		f.Add(b)
	}
	f.Add([]byte("M\xb7 h\xe5 s\xac"))
	f.Add([]byte("Ma\xf5 ho\xe0 s\xf4"))
	f.Fuzz(func(t *testing.T, in []byte) {
		e := Detect(in)
		e2 := DetectWith(in, func(s string) int { return len(s) % 7 })
		single := func(x Encoding) bool { return x == Windows1258 || x == TCVN3 || x == VNI }
		if e != e2 && !(single(e) && single(e2)) {
			t.Fatalf("extra evidence changed %s to %s", e, e2)
		}
		var fx CellFixer
		for _, s := range []string{string(in), string([]rune(string(in)))} {
			out, enc := fx.Fix(s)
			if enc == UTF8 && out != s {
				t.Fatalf("Fix changed %q to %q without an encoding", s, out)
			}
			if enc != UTF8 && (!utf8.ValidString(out) || !norm.NFC.IsNormalString(out)) {
				t.Fatalf("Fix(%q) = %q, not NFC UTF-8", s, out)
			}
		}
	})
}
