package samplegen

// procedure is one administrative procedure (thủ tục hành chính) as the
// catalogue lists it. Codes follow the national d.dddddd pattern; names and
// fields are those of the real catalogue (long names in the short form
// one-stop lists use), deadlines and fees plausible.
type procedure struct {
	code   string
	name   string
	field  string
	days   int    // working days to resolve; 0 means no deadline
	fee    bool   // carries a fee or charge
	online string // full (toàn trình), partial (một phần) or none
	weight float64
}

const (
	fHoTich     = "Hộ tịch"
	fChungThuc  = "Chứng thực"
	fDatDai     = "Đất đai"
	fBTXH       = "Bảo trợ xã hội"
	fHKD        = "Thành lập và hoạt động của hộ kinh doanh"
	fXayDung    = "Hoạt động xây dựng"
	fGiaoDuc    = "Giáo dục và Đào tạo"
	fLuuThong   = "Lưu thông hàng hóa trong nước"
	fLLTP       = "Lý lịch tư pháp"
	fCongChung  = "Công chứng"
	fLuatSu     = "Luật sư"
	fDoanhNghep = "Thành lập và hoạt động của doanh nghiệp"
	fDauTu      = "Đầu tư tại Việt Nam"
	fMoiTruong  = "Môi trường"
	fNuoc       = "Tài nguyên nước"
	fDuongBo    = "Đường bộ"
	fChatLuong  = "Quản lý chất lượng công trình xây dựng"
)

var procsCommune = []procedure{
	{"1.001193", "Đăng ký khai sinh", fHoTich, 1, false, "full", 18},
	{"1.000894", "Đăng ký kết hôn", fHoTich, 3, false, "partial", 6},
	{"1.000656", "Đăng ký khai tử", fHoTich, 1, false, "full", 4},
	{"1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", fHoTich, 3, true, "full", 10},
	{"1.004884", "Cấp bản sao Trích lục hộ tịch", fHoTich, 1, true, "full", 6},
	{"1.003416", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", fChungThuc, 0, true, "none", 24},
	{"1.003427", "Chứng thực chữ ký trong các giấy tờ, văn bản", fChungThuc, 0, true, "none", 8},
	{"1.003569", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất và nhà ở", fChungThuc, 2, true, "none", 5},
	{"1.001731", "Trợ giúp xã hội khẩn cấp về hỗ trợ chi phí mai táng", fBTXH, 5, false, "partial", 2},
	{"1.003554", "Hòa giải tranh chấp đất đai", fDatDai, 45, false, "none", 1},
}

var procsDistrict = []procedure{
	{"1.001612", "Đăng ký thành lập hộ kinh doanh", fHKD, 3, true, "full", 12},
	{"1.001266", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", fHKD, 3, true, "full", 6},
	{"1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", fXayDung, 15, true, "partial", 9},
	{"1.004227", "Đăng ký biến động quyền sử dụng đất, tài sản gắn liền với đất", fDatDai, 10, true, "partial", 16},
	{"1.004203", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", fDatDai, 20, true, "partial", 6},
	{"1.004206", "Tách thửa hoặc hợp thửa đất", fDatDai, 15, true, "partial", 4},
	{"1.001695", "Đăng ký khai sinh có yếu tố nước ngoài", fHoTich, 15, false, "partial", 2},
	{"1.004859", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", fHoTich, 3, true, "full", 6},
	{"1.005097", "Chuyển trường đối với học sinh trung học cơ sở", fGiaoDuc, 3, false, "full", 5},
	{"1.001279", "Cấp Giấy phép bán lẻ sản phẩm thuốc lá", fLuuThong, 10, true, "full", 2},
	{"1.001776", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng", fBTXH, 20, false, "partial", 4},
	{"1.003403", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan nước ngoài cấp", fChungThuc, 0, true, "none", 8},
}

var procsSTP = []procedure{
	{"1.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", fLLTP, 10, true, "full", 30},
	{"1.000492", "Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng", fLLTP, 10, false, "partial", 3},
	{"1.001756", "Đăng ký hành nghề và cấp Thẻ công chứng viên", fCongChung, 20, true, "partial", 1},
	{"1.002153", "Đăng ký hoạt động của tổ chức hành nghề luật sư", fLuatSu, 10, true, "partial", 1},
	{"1.001022", "Đăng ký khai sinh có yếu tố nước ngoài tại Sở Tư pháp", fHoTich, 15, false, "partial", 1},
}

var procsSKHDT = []procedure{
	{"1.001610", "Đăng ký thành lập doanh nghiệp tư nhân", fDoanhNghep, 3, true, "full", 6},
	{"1.002032", "Đăng ký thành lập công ty TNHH một thành viên", fDoanhNghep, 3, true, "full", 10},
	{"1.001153", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", fDoanhNghep, 3, true, "full", 12},
	{"1.005001", "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo", fDoanhNghep, 3, false, "full", 5},
	{"1.009645", "Quyết định chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", fDauTu, 35, false, "partial", 1},
	{"1.009648", "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư", fDauTu, 15, false, "partial", 1},
}

var procsSTNMT = []procedure{
	{"1.004228", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất của tổ chức", fDatDai, 10, true, "partial", 10},
	{"1.004249", "Cấp đổi Giấy chứng nhận quyền sử dụng đất cho tổ chức", fDatDai, 7, true, "partial", 4},
	{"1.010727", "Thẩm định báo cáo đánh giá tác động môi trường", fMoiTruong, 30, true, "partial", 2},
	{"1.010733", "Cấp giấy phép môi trường", fMoiTruong, 30, true, "partial", 2},
	{"1.004253", "Cấp giấy phép khai thác, sử dụng nước dưới đất", fNuoc, 30, true, "partial", 1},
	{"1.004122", "Cung cấp dữ liệu đất đai", fDatDai, 0, true, "full", 5},
}

var procsSXD = []procedure{
	{"1.009972", "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II", fXayDung, 20, true, "partial", 3},
	{"1.009985", "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III", fXayDung, 20, true, "full", 8},
	{"1.009976", "Cấp chứng chỉ năng lực hoạt động xây dựng hạng II, hạng III", fXayDung, 20, true, "full", 4},
	{"1.009940", "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng", fChatLuong, 25, true, "partial", 2},
}

var procsSGTVT = []procedure{
	{"1.002809", "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp", fDuongBo, 5, true, "full", 20},
	{"1.002793", "Cấp giấy phép lái xe quốc tế", fDuongBo, 5, true, "full", 4},
	{"1.002856", "Cấp lại giấy phép lái xe", fDuongBo, 10, true, "partial", 5},
	{"1.002861", "Cấp Giấy phép kinh doanh vận tải bằng xe ô tô", fDuongBo, 5, true, "full", 3},
	{"1.002877", "Cấp phù hiệu xe ô tô kinh doanh vận tải", fDuongBo, 2, false, "full", 6},
	{"1.004994", "Đăng ký xe máy chuyên dùng lần đầu", fDuongBo, 3, true, "partial", 2},
}
