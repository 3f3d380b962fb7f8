package transforms

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// variants returns s as exports may write it: as is, without diacritics, in
// upper case, decomposed, padded.
func variants(s string) []string {
	return []string{s, Fold(s), strings.ToUpper(s), norm.NFD.String(s), "  " + s + " \r\n", "\u00a0" + strings.ToLower(s)}
}

func TestParseStatusDesignTable(t *testing.T) {
	design := map[string][]string{
		"processing":           {"Đang xử lý", "Đang giải quyết", "Chờ xử lý", "Mới tiếp nhận", "processing", "receiving", "new"},
		"supplement_requested": {"Yêu cầu bổ sung hồ sơ", "Chờ bổ sung", "Tạm dừng", "waiting", "correcting"},
		"resolved":             {"Đã xử lý xong", "Đã giải quyết", "Hoàn thành", "Chờ trả kết quả", "done", "releasing"},
		"returned":             {"Đã trả kết quả", "Đã trả", "released"},
		"rejected":             {"Từ chối", "Từ chối giải quyết", "Trả lại hồ sơ", "denied", "unresolved"},
		"withdrawn":            {"Rút hồ sơ", "Công dân yêu cầu rút hồ sơ", "Đã rút", "cancelled"},
		"stopped":              {"Dừng xử lý", "Dừng giải quyết"},
	}
	for want, values := range design {
		for _, v := range values {
			for _, in := range variants(v) {
				got, err := ParseStatus(in)
				if err != nil || got != want {
					t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, want)
				}
			}
		}
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"Đã tiếp nhận", "processing"},
		{"Chờ phê duyệt", "processing"},
		{"Đang bổ sung", "supplement_requested"},
		{"Đã hoàn thành", "resolved"},
		{"Đã trả", "returned"},
		{"Hủy", "withdrawn"},
		{"Huỷ", "withdrawn"},
		{"Đã hủy", "withdrawn"},
		{"CANCELLED", "withdrawn"},
		{"stopped", "stopped"},
		{"supplement_requested", "supplement_requested"},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := ParseStatus("Đang chờ duyệt x")
	if err == nil || err.Error() != `unknown status "Đang chờ duyệt x" (expected e.g. Đang xử lý, Đã trả kết quả, Từ chối)` {
		t.Errorf("error = %v", err)
	}
	for _, bad := range []string{"7", "Đúng hạn", "?"} {
		if _, err := ParseStatus(bad); err == nil {
			t.Errorf("ParseStatus(%q) accepted", bad)
		}
	}
}

func TestParseChannel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "direct"},
		{" ", "direct"},
		{"1", "direct"},
		{"2", "online"},
		{"3", "postal"},
		{"2.0", "online"},
		{" 3 ", "postal"},
		{"Trực tuyến", "online"},
		{"TRUC TUYEN", "online"},
		{"online", "online"},
		{"Trực tiếp", "direct"},
		{"direct", "direct"},
		{"Bưu chính", "postal"},
		{"Bưu chính công ích", "postal"},
		{"Qua bưu điện", "postal"},
		{"postal", "postal"},
		{norm.NFD.String("Trực tuyến"), "online"},
	}
	for _, tt := range tests {
		got, err := ParseChannel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseChannel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"4", "Fax", "0"} {
		if _, err := ParseChannel(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseChannel(%q) error = %v", bad, err)
		}
	}
}

func TestParseRating(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"1", "very_satisfied"},
		{"2", "satisfied"},
		{"3", "dissatisfied"},
		{"Rất hài lòng", "very_satisfied"},
		{"RAT HAI LONG", "very_satisfied"},
		{"Hài lòng", "satisfied"},
		{"Không hài lòng", "dissatisfied"},
		{norm.NFD.String("Không hài lòng"), "dissatisfied"},
	}
	for _, tt := range tests {
		got, err := ParseRating(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRating(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"4", "Tốt"} {
		if _, err := ParseRating(bad); err == nil {
			t.Errorf("ParseRating(%q) accepted", bad)
		}
	}
}

func TestParseOnlineLevel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Toàn trình", "full"},
		{"TOÀN TRÌNH", "full"},
		{"Một phần", "partial"},
		{"Mức độ 4", "full"},
		{"Mức độ 3", "partial"},
		{"Mức độ 2", "none"},
		{"DVC cung cấp thông tin", "none"},
		{"4", "full"},
		{"3", "partial"},
		{"2", "none"},
		{"4.0", "full"},
	}
	for _, tt := range tests {
		got, err := ParseOnlineLevel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseOnlineLevel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"5", "Mức độ 5", "abc"} {
		if _, err := ParseOnlineLevel(bad); err == nil {
			t.Errorf("ParseOnlineLevel(%q) accepted", bad)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, in := range []string{"Có", "Đã", "x", "X", "1", "true", "TRUE", "yes", "Yes", "đúng", "✓", "✔", "CO", "Đã đồng bộ", "Có phí", " x ", "1.0"} {
		if v, err := ParseBool(in); err != nil || !v {
			t.Errorf("ParseBool(%q) = %v, %v; want true", in, v, err)
		}
	}
	for _, in := range []string{"", " ", "Không", "Chưa", "0", "false", "no", "KHONG", "Chưa thanh toán", "Không có", "-", "\r\n"} {
		if v, err := ParseBool(in); err != nil || v {
			t.Errorf("ParseBool(%q) = %v, %v; want false", in, v, err)
		}
	}
	for _, in := range []string{"2", "maybe", "?", "50.000"} {
		if _, err := ParseBool(in); err == nil || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseBool(%q) error = %v", in, err)
		}
	}
}
