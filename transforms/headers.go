package transforms

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// PersonalData is the canonical name LookupHeader returns for columns that
// hold personal data (applicant name, ID number, phone, address, e-mail).
// Such columns are never loaded: the transform drops them and reports it.
const PersonalData = "personal_data"

// headerSpellings lists, per canonical column, the header spellings seen in
// exports: the docs/contract.md contract table first, then vendor and national
// sync variants. They are matched by Key, so diacritics, case, spaces and
// punctuation do not matter and each spelling needs writing only once.
// Matching is exact on the key, never by substring: "Ngày trả" and "Ngày
// hẹn trả" must not meet.
var headerSpellings = []struct {
	canonical string
	spellings []string
}{
	{"dossier_code", []string{
		"Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ", "MaHoSo", "dossierNo",
		"Mã HS", "MaHS", "Số HS", "dossierCode", "Mã hồ sơ TTHC",
	}},
	{"unit_code", []string{
		"Mã đơn vị", "Đơn vị tiếp nhận", "Đơn vị xử lý", "Cơ quan thực hiện",
		"Cơ quan tiếp nhận", "MaDonVi", "govAgencyCode",
		"Đơn vị", "Tên đơn vị", "Mã cơ quan", "Cơ quan giải quyết",
		"Cơ quan xử lý", "govAgencyName", "MaCoQuan", "TenDonVi",
		"Nơi tiếp nhận", "Đơn vị giải quyết",
	}},
	{"procedure_code", []string{
		"Mã TTHC", "Mã thủ tục", "Mã thủ tục hành chính", "MaTTHC", "serviceCode",
		"MaThuTuc", "procedureCode", "Mã thủ tục HC",
	}},
	{"procedure_name", []string{
		"Tên TTHC", "Tên thủ tục", "Tên thủ tục hành chính", "TenTTHC", "serviceName",
		"Thủ tục hành chính", "Thủ tục", "TenThuTuc", "procedureName", "Tên thủ tục HC",
	}},
	{"field", []string{
		"Lĩnh vực", "Tên lĩnh vực", "LinhVuc", "domainName",
		"TenLinhVuc", "Lĩnh vực TTHC", "Lĩnh vực giải quyết",
	}},
	{"channel", []string{
		"Hình thức nộp", "Kênh nộp", "Kênh thực hiện", "Hình thức tiếp nhận", "KenhThucHien",
		"Hình thức nộp hồ sơ", "Kênh tiếp nhận", "Kênh nộp hồ sơ", "Hình thức tiếp nhận hồ sơ",
	}},
	{"received_at", []string{
		"Ngày tiếp nhận", "Ngày nhận", "Thời gian tiếp nhận", "NgayTiepNhan", "receiveDate",
		"Ngày nhận hồ sơ", "Ngày tiếp nhận hồ sơ", "Thời điểm tiếp nhận", "receivedDate",
	}},
	{"due_at", []string{
		"Ngày hẹn trả", "Hạn xử lý", "Hạn giải quyết", "Ngày hẹn trả kết quả", "NgayHenTra", "dueDate",
		"Hạn trả kết quả", "Ngày hẹn", "Hẹn trả", "Hẹn trả kết quả", "Ngày hẹn trả KQ",
	}},
	{"finished_at", []string{
		"Ngày kết thúc xử lý", "Ngày hoàn thành", "Ngày xử lý xong", "NgayKetThucXuLy", "finishDate",
		"Ngày kết thúc", "Ngày giải quyết xong", "Ngày có kết quả", "Ngày hoàn thành xử lý",
		"Thời gian hoàn thành", "Ngày hoàn thành hồ sơ",
	}},
	{"returned_at", []string{
		"Ngày trả kết quả", "Ngày trả", "NgayTraKetQua", "releaseDate",
		"Ngày trả KQ", "Thời gian trả kết quả", "Ngày trả kết quả thực tế",
	}},
	{"status", []string{
		"Trạng thái", "Trạng thái hồ sơ", "Tình trạng", "TrangThaiHoSo", "dossierStatus",
		"Tình trạng hồ sơ", "Trạng thái xử lý", "Tình trạng xử lý",
	}},
	{"supplement_requests", []string{
		"Số lần yêu cầu bổ sung", "Số lần bổ sung", "SoLanBoSung",
		"Số lần bổ sung hồ sơ", "Số lần YCBS",
	}},
	{"supplement_days", []string{
		"Số ngày bổ sung", "Số ngày tạm dừng", "Thời gian bổ sung (ngày)", "SoNgayBoSung",
		"Số ngày dừng", "Thời gian tạm dừng (ngày)", "Số ngày chờ bổ sung", "Thời gian tạm dừng",
	}},
	{"online_level", []string{
		"Mức độ DVC", "Mức độ", "Mức độ dịch vụ công", "Mức độ DVCTT", "Mức độ DVC trực tuyến",
		"MucDo", "MucDoDVC", "Loại dịch vụ công trực tuyến",
	}},
	{"fee_required", []string{
		"Có phí", "Lệ phí", "Phí, lệ phí", "Có thu phí", "Thu phí", "Có phí, lệ phí",
	}},
	{"paid_online", []string{
		"Thanh toán trực tuyến", "Đã thanh toán trực tuyến", "DuocThanhToanTrucTuyen",
		"Thanh toán TT", "Thanh toán qua DVCQG",
	}},
	{"synced_national", []string{
		"Đồng bộ DVCQG", "Đã đồng bộ", "TrangThaiDongBo",
		"Đồng bộ", "Đã đồng bộ DVCQG", "Đồng bộ lên DVCQG", "Đồng bộ Cổng DVCQG",
		"Đồng bộ cổng dịch vụ công quốc gia",
	}},
	{"digitized_dossier", []string{
		"Số hóa hồ sơ", "Hồ sơ đã số hóa", "HoSoCoThanhPhanSoHoa",
		"Đã số hóa", "Số hóa thành phần hồ sơ", "Hồ sơ có thành phần số hóa", "Có thành phần số hóa",
	}},
	{"digitized_result", []string{
		"Trả kết quả điện tử", "Kết quả điện tử", "Số hóa kết quả", "Kết quả số hóa",
		"Đã số hóa kết quả", "Cấp kết quả điện tử",
	}},
	{"reused_data", []string{
		"Tái sử dụng dữ liệu", "Tái sử dụng", "Tái sử dụng dữ liệu số hóa",
		"Tái sử dụng kết quả số hóa", "Sử dụng lại dữ liệu",
	}},
	{"rating", []string{
		"Đánh giá", "Mức độ hài lòng", "Kết quả đánh giá",
		"Đánh giá hài lòng", "Đánh giá của công dân", "Đánh giá mức độ hài lòng",
	}},
	{PersonalData, []string{
		// Names.
		"Họ tên người nộp", "Người nộp", "Chủ hồ sơ", "ChuHoSo", "Tên tổ chức, cá nhân",
		"applicantName", "Họ và tên", "Họ tên", "Tên người nộp", "Người nộp hồ sơ",
		"Tên chủ hồ sơ", "Họ tên chủ hồ sơ", "Tên tổ chức/cá nhân", "Tổ chức, cá nhân",
		"Người đứng tên", "Người yêu cầu", "Tên công dân", "HoTen", "HoTenNguoiNop",
		"TenNguoiNop", "NguoiNop", "contactName", "Ngày sinh",
		// Identity documents.
		"Số CCCD", "CMND", "Số định danh", "Số giấy tờ", "SoGiayToChuHoSo", "applicantIdNo",
		"CCCD", "Số CMND", "CMND/CCCD", "Số CMND/CCCD", "Số CCCD/CMND", "Căn cước công dân",
		"Số căn cước", "Số căn cước công dân", "Số giấy tờ tùy thân", "Số định danh cá nhân",
		"Số hộ chiếu", "Giấy tờ tùy thân",
		// Phones.
		"Số điện thoại", "Điện thoại", "SoDienThoai", "Điện thoại liên hệ", "SĐT", "SDT",
		"Số di động", "Di động", "SoDienThoaiChuHoSo", "applicantTelNo", "contactTelNo",
		// Addresses.
		"Địa chỉ", "Địa chỉ thường trú", "Địa chỉ liên hệ", "DiaChi", "DiaChiChuHoSo",
		"DiaChiThuongTru", "DiaChiLienHe", "Nơi cư trú", "Nơi thường trú", "applicantAddress",
		// E-mail.
		"Email", "E-mail", "Thư điện tử", "EmailChuHoSo", "contactEmail",
	}},
}

// headerIndex maps Key(spelling) to the canonical column. The English
// canonical names themselves (dossier_code → "dossiercode") are included, so
// a file written by our own exports maps back.
var headerIndex, headerConflicts = buildHeaderIndex()

func buildHeaderIndex() (map[string]string, []string) {
	idx := make(map[string]string, 400)
	var conflicts []string
	add := func(spelling, canonical string) {
		k := Key(spelling)
		if prev, ok := idx[k]; ok && prev != canonical {
			conflicts = append(conflicts, fmt.Sprintf("%q: %s and %s", spelling, prev, canonical))
			return
		}
		idx[k] = canonical
	}
	for _, h := range headerSpellings {
		if h.canonical != PersonalData {
			add(h.canonical, h.canonical)
		}
		for _, s := range h.spellings {
			add(s, h.canonical)
		}
	}
	return idx, conflicts
}

// LookupHeader maps an export header cell to its canonical column name (see
// docs/contract.md, "The canonical dossier"), or to PersonalData for a column that
// must be dropped. The header is matched by Key, exactly: unknown headers,
// row counters such as "STT" and empty cells give ok == false.
func LookupHeader(h string) (canonical string, ok bool) {
	k := Key(h)
	if k == "" {
		return "", false
	}
	canonical, ok = headerIndex[k]
	return canonical, ok
}

// HeaderScore counts the cells that LookupHeader knows, personal-data
// columns included. Decoders use it to find the header row below the title
// rows of a spreadsheet: the row with the highest score is the header.
func HeaderScore(cells []string) int {
	n := 0
	for _, c := range cells {
		if _, ok := LookupHeader(c); ok {
			n++
		}
	}
	return n
}

// Drop is the target of a column override that marks a column as personal
// data: the column is dropped like the built-in personal-data headers.
const Drop = "drop"

// Overrides are a source's own header spellings (config `columns:`), keyed
// by Key(header), each naming a canonical column or PersonalData. They are
// consulted before the built-in dictionary, so a vendor spelling nobody
// foresaw needs no new release.
type Overrides map[string]string

// ParseOverrides validates a source's `columns:` mapping (header → canonical
// column name or "drop").
func ParseOverrides(cols map[string]string) (Overrides, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	o := make(Overrides, len(cols))
	var bad []string
	for h, target := range cols {
		k := Key(h)
		target = strings.TrimSpace(strings.ToLower(target))
		switch {
		case k == "":
			bad = append(bad, fmt.Sprintf("%q: empty header", h))
		case target == Drop:
			o[k] = PersonalData
		case isCanonicalName(target):
			o[k] = target
		default:
			bad = append(bad, fmt.Sprintf("%q: %q is not a canonical column (known: %s, or drop)", h, target, strings.Join(CanonicalNames, ", ")))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, errors.New(strings.Join(bad, "; "))
	}
	return o, nil
}

func isCanonicalName(s string) bool {
	for _, n := range CanonicalNames {
		if n == s {
			return true
		}
	}
	return false
}

// Lookup is LookupHeader with the overrides first.
func (o Overrides) Lookup(h string) (canonical string, ok bool) {
	if c, ok := o[Key(h)]; ok {
		return c, true
	}
	return LookupHeader(h)
}

// HeaderScore is HeaderScore counting the overrides too.
func (o Overrides) HeaderScore(cells []string) int {
	n := 0
	for _, c := range cells {
		if _, ok := o.Lookup(c); ok {
			n++
		}
	}
	return n
}

// IsPersonal reports a header naming personal data (a column dropped),
// the overrides first. Decoders use it not to take a table whose only
// known headings are personal data (a login form's "Email:") for an
// export's header.
func (o Overrides) IsPersonal(h string) bool {
	c, ok := o.Lookup(h)
	return ok && c == PersonalData
}

// Fingerprint identifies how headers are mapped: the built-in dictionary
// and these overrides. When it changes, rows quarantined because a header
// was not recognised may now load.
func (o Overrides) Fingerprint() string {
	h := sha256.New()
	for _, s := range headerSpellings {
		fmt.Fprintf(h, "%s=%s\n", s.canonical, strings.Join(s.spellings, "|"))
	}
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "override %s=%s\n", k, o[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
