package pii

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// Positives, one per shape.
		{"CCCD", "001203004567", "[CCCD/CMND]"},
		{"CCCD in text", "Cấp lại CCCD 001203004567 cho công dân", "Cấp lại CCCD [CCCD/CMND] cho công dân"},
		{"CCCD grouped", "số 001 203 004 567", "số [CCCD/CMND]"},
		{"CMND", "CMND 123456789", "CMND [CCCD/CMND]"},
		{"CMND spaced", "123 456 789", "[CCCD/CMND]"},
		{"mobile", "0912345678", "[SĐT]"},
		{"mobile after letters", "Cấp giấy phép xây dựng - SĐT0912345678", "Cấp giấy phép xây dựng - SĐT[SĐT]"},
		{"mobile +84 grouped", "liên hệ +84 912 345 678.", "liên hệ [SĐT]."},
		{"mobile +84", "+84912345678", "[SĐT]"},
		{"mobile 84 spaced", "84 912 345 678", "[SĐT]"},
		{"mobile dots", "091.234.5678", "[SĐT]"},
		{"mobile dashes", "0912-345-678", "[SĐT]"},
		{"mobile 4-6", "0912 345678", "[SĐT]"},
		{"landline", "ĐT: 024 3823 4567", "ĐT: [SĐT]"},
		{"e-mail", "gửi nguyen.van.a@gmail.com nhé", "gửi [email] nhé"},
		{"e-mail upper", "A.B-C@So-TP.HaNoi.GOV.VN", "[email]"},
		{"JSON", `{"nguoiNop":"Nguyễn Văn A","cccd":"001203004567"}`, "[JSON]"},
		{"JSON inside name", `Đăng ký khai sinh {"nguoiNop": "Trần Thị B"} (mức 4)`, "Đăng ký khai sinh [JSON] (mức 4)"},
		{"JSON cut off", `Khai tử {"hoTen":"Lê Văn C", "sdt": "09`, "Khai tử [JSON]"},
		{"JSON nested", `{"a":{"b":"c"},"d":1} x`, "[JSON] x"},
		{"name", "Nguyễn Văn A", "[họ tên]"},
		{"name in field", "Hộ tịch - Bà Trần Thị Thu Hằng nộp", "Hộ tịch - Bà [họ tên] nộp"},
		{"name all caps", "NGUYỄN VĂN AN", "[họ tên]"},
		{"name NFD", "Nguye\u0302\u0303n Va\u0306n An", "[họ tên]"},
		{"long digit run", "TK 1903456789012", "TK [dãy số]"},
		{"several", "Lê Văn Tám 0987654321 tam@x.vn", "[họ tên] [SĐT] [email]"},
		// Digits of other scripts are read as digits (fullwidth U+FF10…,
		// Arabic-Indic U+0660…): without it "０９１２３４５６７８" stayed.
		{"mobile fullwidth", "SĐT ０９１２３４５６７８", "SĐT [SĐT]"},
		{"CCCD Arabic-Indic", "\u0660\u0660\u0661\u0662\u0660\u0663\u0660\u0660\u0664\u0665\u0666\u0667", "[CCCD/CMND]"},
		{"fullwidth short number kept in ASCII", "Quý ３/２０２６", "Quý 3/2026"},
		{"grouped digits in a code", "H41.12-0912345678", "H41.12-[SĐT]"},

		// Negatives: must stay as they are.
		{"procedure code", "1.001234", "1.001234"},
		{"procedure code long", "2.000889.000.00.00.H41", "2.000889.000.00.00.H41"},
		{"dossier code", "H41.12-240315-0001", "H41.12-240315-0001"},
		{"dossier code long", "000.00.20.H41-240315-0001", "000.00.20.H41-240315-0001"},
		{"date", "15/03/2026", "15/03/2026"},
		{"date time", "15/03/2026 08:30:15", "15/03/2026 08:30:15"},
		{"date dots time", "01.03.2026 08:30", "01.03.2026 08:30"},
		{"date dashes time", "01-03-2026 08:30", "01-03-2026 08:30"},
		{"ISO", "2026-03-15T08:30:00+07:00", "2026-03-15T08:30:00+07:00"},
		{"compact date", "20260315", "20260315"},
		{"compact timestamp", "202603150830", "202603150830"},
		{"compact timestamp seconds", "20260315083015", "20260315083015"},
		{"impossible compact timestamp", "20260231080000", "20260231080000"},
		{"12 digits not a time", "202613150830", "[CCCD/CMND]"},
		{"amount", "1.234.567", "1.234.567"},
		{"amount large", "1.234.567.890", "1.234.567.890"},
		{"decimal comma", "38,2", "38,2"},
		{"Excel serial", "45366.354166666664", "45366.354166666664"},
		{"Excel serial comma", "45366,354166666664", "45366,354166666664"},
		{"small decimal", "0.123456789", "0.123456789"},
		{"procedure name", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu"},
		{"field", "Giáo dục và Đào tạo", "Giáo dục và Đào tạo"},
		{"field caps", "GIÁO DỤC VÀ ĐÀO TẠO", "GIÁO DỤC VÀ ĐÀO TẠO"},
		{"records", "Tiếp nhận Hồ Sơ", "Tiếp nhận Hồ Sơ"},
		{"criminal record", "Cấp Phiếu Lý Lịch Tư Pháp", "Cấp Phiếu Lý Lịch Tư Pháp"},
		{"Ho Chi Minh", "Tặng Huy hiệu Đoàn TNCS Hồ Chí Minh", "Tặng Huy hiệu Đoàn TNCS Hồ Chí Minh"},
		{"Ha Noi", "Sở Tư pháp thành phố Hà Nội", "Sở Tư pháp thành phố Hà Nội"},
		{"surname word lower", "trần nhà, lê la", "trần nhà, lê la"},
		{"surname alone", "Chi cục Thuế khu vực Lê", "Chi cục Thuế khu vực Lê"},
		{"at without domain", "a@b", "a@b"},
		{"brace without key", "{1, 2}", "{1, 2}"},
		{"eight digits", "12345678", "12345678"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := Mask(tt.in)
			if got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if changed != (tt.in != tt.want) {
				t.Errorf("Mask(%q) changed = %v", tt.in, changed)
			}
			if again, ch := Mask(got); again != got || ch {
				t.Errorf("Mask is not idempotent: %q → %q", got, again)
			}
		})
	}
}

func TestMaskShapesKeepsNames(t *testing.T) {
	for in, want := range map[string]string{
		"phường Ngô Quyền":             "phường Ngô Quyền",
		"UBND xã Lê Lợi 0912345678":    "UBND xã Lê Lợi [SĐT]",
		`{"donVi":"UBND xã Tản Hồng"}`: "[JSON]",
	} {
		if got, _ := MaskShapes(in); got != want {
			t.Errorf("MaskShapes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskRejected(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// Misspellings a clerk must see stay.
		{"misspelt status", "đang xu ly", "đang xu ly"},
		{"capitalised status", "Đã trả kq", "Đã trả kq"},
		{"bad date", "31/02/2026", "31/02/2026"},
		{"bad number", "ba ngày", "ba ngày"},
		// A name keeps its shape only, whatever the surname.
		{"name", "Nguyễn Văn An", "[họ tên]"},
		{"unknown surname", "Ông Khúc Thừa Dụ", "Xxx Xxxx Xxxx Xx"},
		{"name with phone", "Hài lòng - Lê Thị Hoa 0912345678", "Hài lòng - [họ tên] [SĐT]"},
		{"title-case phrase", "Rất Hài Lòng", "Xxx Xxx Xxxx"},
		// Free text: more than four words.
		{"sentence", "khách nói rất hài lòng với cán bộ", "xxxxx xxx xxx xxx xxxx xxx xxx xx"},
		{"CCCD", "001203004567", "[CCCD/CMND]"},
		{"long", strings.Repeat("a", 60), strings.Repeat("x", MaxRejected) + "…"},
		{"JSON", `{"nguoiNop":"x"}`, "[JSON]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := MaskRejected(tt.in)
			if got != tt.want {
				t.Errorf("MaskRejected(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if changed != (tt.in != tt.want) {
				t.Errorf("MaskRejected(%q) changed = %v", tt.in, changed)
			}
			if again, _ := MaskRejected(got); again != got {
				t.Errorf("MaskRejected is not idempotent: %q → %q", got, again)
			}
		})
	}
}

var (
	leftDigits = regexp.MustCompile(`\p{Nd}{9,}`)
	leftEmail  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]*[A-Za-z0-9]`)
)

// FuzzMask checks the contract on any input: no panic, idempotent, valid
// UTF-8 kept valid, and no run of 9 digits nor e-mail address left.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"001203004567", "+84 912 345 678", "091.234.5678", "a.b@c.vn", `{"cccd":"1"}`,
		"Nguyễn Văn A", "H41.12-240315-0001", "20260231080000", "1.234.567", "45366.354166666664", "Đã trả kết quả", "{", "@", "+8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fn := range []func(string) (string, bool){Mask, MaskShapes, MaskRejected} {
			got, _ := fn(s)
			if again, _ := fn(got); again != got {
				t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
			}
			if utf8.ValidString(s) && !utf8.ValidString(got) {
				t.Fatalf("%q → invalid UTF-8 %q", s, got)
			}
			for _, ix := range leftDigits.FindAllStringIndex(got, -1) {
				// The fraction of a decimal number may be long.
				if ix[0] >= 2 && strings.IndexByte(".,", got[ix[0]-1]) >= 0 && got[ix[0]-2] >= '0' && got[ix[0]-2] <= '9' {
					continue
				}
				// A compact timestamp (20260315083015) is not personal data.
				if compactTime(got[ix[0]:ix[1]]) {
					continue
				}
				t.Fatalf("%q → %q keeps the digit run %s", s, got, got[ix[0]:ix[1]])
			}
			if m := leftEmail.FindString(got); m != "" {
				t.Fatalf("%q → %q keeps the e-mail %s", s, got, m)
			}
		}
	})
}
