package transforms

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestHeaderIndexHasNoConflicts(t *testing.T) {
	for _, c := range headerConflicts {
		t.Errorf("header spelling maps to two columns: %s", c)
	}
}

// designHeaders is the contract's header table (docs/contract.md), verbatim.
var designHeaders = map[string][]string{
	"dossier_code":        {"Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ", "MaHoSo", "dossierNo"},
	"unit_code":           {"Mã đơn vị", "Đơn vị tiếp nhận", "Đơn vị xử lý", "Cơ quan thực hiện", "Cơ quan tiếp nhận", "MaDonVi", "govAgencyCode"},
	"procedure_code":      {"Mã TTHC", "Mã thủ tục", "Mã thủ tục hành chính", "MaTTHC", "serviceCode"},
	"procedure_name":      {"Tên TTHC", "Tên thủ tục", "Tên thủ tục hành chính", "TenTTHC", "serviceName"},
	"field":               {"Lĩnh vực", "Tên lĩnh vực", "LinhVuc", "domainName"},
	"channel":             {"Hình thức nộp", "Kênh nộp", "Kênh thực hiện", "Hình thức tiếp nhận", "KenhThucHien"},
	"received_at":         {"Ngày tiếp nhận", "Ngày nhận", "Thời gian tiếp nhận", "NgayTiepNhan", "receiveDate"},
	"due_at":              {"Ngày hẹn trả", "Hạn xử lý", "Hạn giải quyết", "Ngày hẹn trả kết quả", "NgayHenTra", "dueDate"},
	"finished_at":         {"Ngày kết thúc xử lý", "Ngày hoàn thành", "Ngày xử lý xong", "NgayKetThucXuLy", "finishDate"},
	"returned_at":         {"Ngày trả kết quả", "Ngày trả", "NgayTraKetQua", "releaseDate"},
	"status":              {"Trạng thái", "Trạng thái hồ sơ", "Tình trạng", "TrangThaiHoSo", "dossierStatus"},
	"supplement_requests": {"Số lần yêu cầu bổ sung", "Số lần bổ sung", "SoLanBoSung"},
	"supplement_days":     {"Số ngày bổ sung", "Số ngày tạm dừng", "Thời gian bổ sung (ngày)", "SoNgayBoSung"},
	"paid_online":         {"Thanh toán trực tuyến", "Đã thanh toán trực tuyến", "DuocThanhToanTrucTuyen"},
	"digitized_dossier":   {"Số hóa hồ sơ", "Hồ sơ đã số hóa", "HoSoCoThanhPhanSoHoa"},
	"rating":              {"Đánh giá", "Mức độ hài lòng", "Kết quả đánh giá"},
	PersonalData: {"Họ tên người nộp", "Người nộp", "Chủ hồ sơ", "ChuHoSo", "Tên tổ chức, cá nhân", "Số CCCD", "CMND",
		"Số định danh", "Số giấy tờ", "SoGiayToChuHoSo", "Số điện thoại", "Điện thoại", "SoDienThoai", "Địa chỉ",
		"Email", "applicantName", "applicantIdNo"},
}

func TestLookupHeaderDesignTable(t *testing.T) {
	for want, spellings := range designHeaders {
		for _, s := range spellings {
			// Each spelling as written, without diacritics, upper case, in NFD
			// and with the junk spreadsheets add around it.
			for _, v := range []string{s, Fold(s), norm.NFD.String(s), " " + s + "\r", "\ufeff" + s, strings.ToUpper(s)} {
				got, ok := LookupHeader(v)
				if !ok || got != want {
					t.Errorf("LookupHeader(%q) = %q, %v; want %q", v, got, ok, want)
				}
			}
		}
	}
}

func TestLookupHeaderCanonicalNames(t *testing.T) {
	for _, c := range []string{"dossier_code", "unit_code", "procedure_code", "procedure_name", "field", "channel",
		"received_at", "due_at", "finished_at", "returned_at", "status", "supplement_requests", "supplement_days",
		"online_level", "fee_required", "paid_online", "synced_national", "digitized_dossier", "digitized_result",
		"reused_data", "rating"} {
		if got, ok := LookupHeader(c); !ok || got != c {
			t.Errorf("LookupHeader(%q) = %q, %v", c, got, ok)
		}
	}
}

func TestLookupHeaderExtra(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means not mapped
	}{
		{"STT", ""},
		{"", ""},
		{"  ", ""},
		{"Ghi chú", ""},
		{"Ngày trả", "returned_at"},
		{"Ngày hẹn trả", "due_at"},
		{"NGAY HEN TRA", "due_at"},
		{"Mức độ DVC", "online_level"},
		{"Mức độ", "online_level"},
		{"Mức độ hài lòng", "rating"},
		{"Đồng bộ DVCQG", "synced_national"},
		{"Đã đồng bộ", "synced_national"},
		{"TrangThaiDongBo", "synced_national"},
		{"Trạng thái", "status"},
		{"Có phí", "fee_required"},
		{"Lệ phí", "fee_required"},
		{"Trả kết quả điện tử", "digitized_result"},
		{"Kết quả điện tử", "digitized_result"},
		{"Tái sử dụng dữ liệu", "reused_data"},
		{"Số hoá hồ sơ", "digitized_dossier"}, // old-style tone placement
		{"ngay_tiep_nhan", "received_at"},
		{"Địa chỉ thường trú", PersonalData},
		{"Địa chỉ liên hệ", PersonalData},
		{"Họ và tên", PersonalData},
		{"DiaChi", PersonalData},
		{"E-mail", PersonalData},
		{"Số CMND/CCCD", PersonalData},
	}
	for _, tt := range tests {
		got, ok := LookupHeader(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("LookupHeader(%q) = %q, want not mapped", tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("LookupHeader(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestHeaderScore(t *testing.T) {
	title := []string{"ỦY BAN NHÂN DÂN HUYỆN BA VÌ", "", ""}
	header := []string{"STT", "Mã hồ sơ", "Tên thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Họ tên người nộp", "Ghi chú"}
	if got := HeaderScore(title); got != 0 {
		t.Errorf("title row scored %d", got)
	}
	if got := HeaderScore(header); got != 5 {
		t.Errorf("header row scored %d, want 5", got)
	}
	if HeaderScore(nil) != 0 {
		t.Error("nil row scored")
	}
}

func TestIsPersonal(t *testing.T) {
	o, err := ParseOverrides(map[string]string{"Điện thoại liên hệ": "drop", "Email": "status"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		o    Overrides
		h    string
		want bool
	}{
		{nil, "Email:", true},
		{nil, "Họ tên người nộp", true},
		{nil, "Mã hồ sơ", false},
		{nil, "Mật khẩu:", false},
		{nil, "", false},
		{o, "Điện thoại liên hệ", true},
		{o, "Email", false},
	} {
		if got := tt.o.IsPersonal(tt.h); got != tt.want {
			t.Errorf("Overrides(%v).IsPersonal(%q) = %v, want %v", tt.o, tt.h, got, tt.want)
		}
	}
}

func FuzzLookupHeader(f *testing.F) {
	for _, s := range []string{"Mã hồ sơ", "STT", "NgayTiepNhan", "Ngày trả", "\x00", "Ngày hẹn trả"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := LookupHeader(s)
		if ok != (c != "") {
			t.Fatalf("LookupHeader(%q) = %q, %v", s, c, ok)
		}
		if c2, ok2 := LookupHeader(Key(s)); c2 != c || ok2 != ok {
			t.Fatalf("LookupHeader not stable under Key for %q", s)
		}
		if n := HeaderScore([]string{s, s}); n != 0 && n != 2 {
			t.Fatalf("HeaderScore = %d", n)
		}
	})
}
