package transforms

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNFC(t *testing.T) {
	nfd := norm.NFD.String("Ngày tiếp nhận")
	tests := []struct{ in, want string }{
		{"", ""},
		{"  abc \r\n", "abc"},
		{nfd, "Ngày tiếp nhận"},
		{"\u00a0Hồ sơ\u00a0", "Hồ sơ"},
		{"\ufeffMã hồ sơ", "Mã hồ sơ"},
		{"Hồ  sơ", "Hồ  sơ"}, // inner spaces kept
		{"\u200bĐã trả\t", "Đã trả"},
	}
	for _, tt := range tests {
		if got := NFC(tt.in); got != tt.want {
			t.Errorf("NFC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Đã  TRẢ kết quả ", "da tra ket qua"},
		{norm.NFD.String("Ngày Tiếp Nhận"), "ngay tiep nhan"},
		{"Ủy ban nhân dân", "uy ban nhan dan"},
		{"Uỷ ban\u00a0nhân\r\ndân", "uy ban nhan dan"},
		{"ĐẮK LẮK", "dak lak"},
		{"Mức độ hài lòng", "muc do hai long"},
		{"ă â ê ô ơ ư đ", "a a e o o u d"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	for _, in := range []string{
		"Ngày tiếp nhận", "NGAY TIEP NHAN", "NgayTiepNhan", "ngay_tiep_nhan",
		norm.NFD.String("Ngày tiếp nhận"), " Ngày  tiếp\u00a0nhận\r", "NGÀY TIẾP NHẬN", "ngay-tiep-nhan",
		"\ufeffNgày tiếp nhận",
	} {
		if got := Key(in); got != "ngaytiepnhan" {
			t.Errorf("Key(%q) = %q, want ngaytiepnhan", in, got)
		}
	}
	tests := []struct{ in, want string }{
		{"", ""},
		{"dossier_code", "dossiercode"},
		{"Thời gian bổ sung (ngày)", "thoigianbosungngay"},
		{"Tên tổ chức, cá nhân", "tentochuccanhan"},
		{"Số CMND/CCCD", "socmndcccd"},
		{"北京", ""},
		{"abc123", "abc123"},
		{"\u212B\u212A", "ak"}, // Ångström and Kelvin signs

	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"Ngày tiếp nhận", "NGAY TIEP NHAN", "NgayTiepNhan", "\xff\xfe", "Đ\u0301", "  ", "ǅ", "İ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		for i := 0; i < len(k); i++ {
			if c := k[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				t.Fatalf("Key(%q) = %q has %q", s, k, c)
			}
		}
		if Key(k) != k {
			t.Fatalf("Key not idempotent on %q", s)
		}
		if utf8.ValidString(s) {
			if k2 := Key(norm.NFD.String(s)); k2 != k {
				t.Fatalf("Key(NFD(%q)) = %q, Key = %q", s, k2, k)
			}
		}
		fo := Fold(s)
		if strings.Contains(fo, "  ") || strings.TrimSpace(fo) != fo {
			t.Fatalf("Fold(%q) = %q: spaces not collapsed", s, fo)
		}
		_ = NFC(s)
	})
}

func BenchmarkKey(b *testing.B) {
	in := []string{"Ngày tiếp nhận", "NgayTiepNhan", "Trạng thái hồ sơ", "mahoso"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Key(in[i%len(in)])
	}
}
