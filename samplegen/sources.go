package samplegen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// fileKind is the container format of an export.
type fileKind int

const (
	kindCSV fileKind = iota
	kindXLSX
	kindJSON   // one JSON array of objects
	kindNDJSON // one object per line
)

// layout says how a source's files are laid out on disk.
type layout struct {
	kind fileKind
	// CSV
	comma    rune
	crlf     bool
	bom      bool
	encoding string // utf-8, utf-16le or tcvn3
	// XLSX
	sheet      string                  // data sheet name
	summary    bool                    // a summary sheet comes first (the config names the data sheet)
	title      func(w window) []string // rows above the header; a blank row follows them
	twoRowHead bool                    // group titles merged over sub-headers
}

// window is one export file of a source: the dossiers received in
// [from, to), as the system showed them at export.
type window struct {
	from, to time.Time
	export   time.Time
	name     string                 // file name
	update   bool                   // a redelivery: earlier dossiers whose state changed since their last export
	nfd      bool                   // text written in decomposed Unicode (NFD)
	date     func(time.Time) string // overrides the dialect's date format
}

// badRow plants one deliberately invalid row into window win of a source.
type badRow struct {
	win    int
	kind   string // missing, unparseable_date, unknown_unit, due_before_received, finished_before_received, unknown_status
	column field
	value  string // the bad text written, where the kind needs one
}

// repeatMode says which dossiers of earlier files a source's next file
// repeats (a redelivery, with their state at the new export).
type repeatMode int

const (
	repeatNone    repeatMode = iota // each file holds only its window's dossiers
	repeatOpen                      // also every dossier still open at its last export
	repeatChanged                   // also every earlier dossier whose state changed since its last export
)

// sourceSpec is one configured source of the demo and what its system
// exports.
type sourceSpec struct {
	name        string
	units       []string // unit codes whose dossiers the source carries
	defaultUnit string   // config `unit:`; rows with a blank unit cell belong to it
	ext         string
	layout      layout
	columns     []column
	dl          *dialect
	windows     []window
	repeat      repeatMode // which earlier dossiers a file repeats
	bad         []badRow
	dups        map[int]int // window → exact duplicate rows planted in it
	comment     string      // YAML comment (Vietnamese / English)
}

// exportTime is the moment a monthly or quarterly export is taken: the
// second working day after the window, at a time of day fixed per source.
func exportTime(to time.Time, hh, mm int) time.Time {
	return at(addWorkingDays(to.AddDate(0, 0, -1), 2), hh, mm)
}

// monthStart is the first day of the m-th month of the data: 1 is January
// 2024, 19 July 2025 (the reform), 34 October 2026.
func monthStart(m int) time.Time { return time.Date(2024, time.Month(m), 1, 0, 0, 0, 0, ict) }

const (
	mFirst  = 1  // January 2024
	mReform = 19 // July 2025
	mEnd    = 35 // November 2026: the data ends before it
)

// windowsEvery splits months [fromM, toM) into windows of n months.
func windowsEvery(fromM, toM, n, hh, mm int, name func(from, to, export time.Time) string) []window {
	var ws []window
	for m := fromM; m < toM; m += n {
		from, to := monthStart(m), monthStart(min(m+n, toM))
		exp := exportTime(to, hh, mm)
		ws = append(ws, window{from: from, to: to, export: exp, name: name(from, to, exp)})
	}
	return ws
}

var romans = []string{"", "I", "II", "III", "IV"}

func quarterOf(t time.Time) int { return (int(t.Month())-1)/3 + 1 }

var (
	vocabStd = [nStatus][]string{
		{"Đang xử lý", "Mới tiếp nhận"}, {"Yêu cầu bổ sung hồ sơ"}, {"Đã xử lý xong", "Chờ trả kết quả"},
		{"Đã trả kết quả"}, {"Từ chối"}, {"Rút hồ sơ"}, {"Dừng xử lý"},
	}
	vocabGiaiQuyet = [nStatus][]string{
		{"Đang giải quyết"}, {"Chờ bổ sung"}, {"Đã giải quyết"},
		{"Đã trả"}, {"Từ chối giải quyết"}, {"Công dân yêu cầu rút hồ sơ"}, {"Dừng giải quyết"},
	}
	vocabSonTay = [nStatus][]string{
		{"Đang xử lý", "Mới tiếp nhận", "Chờ xử lý"}, {"Tạm dừng"}, {"Hoàn thành"},
		{"Đã trả kết quả"}, {"Trả lại hồ sơ"}, {"Đã rút"}, {"Dừng xử lý"},
	}
	vocabPortal = [nStatus][]string{
		{"Đang xử lý", "Chờ xử lý"}, {"Yêu cầu bổ sung hồ sơ"}, {"Chờ trả kết quả"},
		{"Đã trả kết quả"}, {"Từ chối"}, {"Rút hồ sơ"}, {"Dừng xử lý"},
	}
	vocabNational = [nStatus][]string{
		{"Đang giải quyết", "Mới tiếp nhận"}, {"Chờ bổ sung"}, {"Đã giải quyết"},
		{"Đã trả kết quả"}, {"Từ chối giải quyết"}, {"Rút hồ sơ"}, {"Dừng giải quyết"},
	}
	// OpenCPS has no "stopped" status; the units it serves never stop a
	// dossier (their quality sets stop to 0).
	vocabOpenCPS = [nStatus][]string{
		{"processing", "receiving", "new"}, {"waiting", "correcting"}, {"done", "releasing"},
		{"released"}, {"denied"}, {"cancelled"}, nil,
	}
	ratingWords = [3]string{"Rất hài lòng", "Hài lòng", "Không hài lòng"}
	ratingCodes = [3]string{"1", "2", "3"}
	levelWords  = [3]string{"Toàn trình", "Một phần", ""}
)

// demoSources is the source list of the demo, in cchc.yaml order.
func demoSources() []*sourceSpec {
	return []*sourceSpec{baViSource(), thachThatSource(), sonTaySource(), phucThoSource(),
		portalSource(), openCPSSource(), nationalSource(), xaBaViSource(), coDongSource(), kimSonSource()}
}

// ba-vi: the district one-stop software's Excel report, a title block above
// the header, dates as text, quarterly, then a redelivery with updates.
func baViSource() *sourceSpec {
	ws := windowsEvery(mFirst, mReform, 3, 8, 12, func(from, to, exp time.Time) string {
		if to.Sub(from) < 80*24*time.Hour {
			return fmt.Sprintf("DSHS_BaVi_%s_Thang%02d.xlsx", exp.Format("20060102"), from.Month())
		}
		return fmt.Sprintf("DSHS_BaVi_%s_Quy%d.xlsx", exp.Format("20060102"), quarterOf(from))
	})
	upd := time.Date(2025, 7, 8, 10, 40, 0, 0, ict)
	ws = append(ws, window{from: firstDay, to: ws[len(ws)-1].to, export: upd, update: true,
		name: fmt.Sprintf("DSHS_BaVi_%s_CapNhatTrangThai.xlsx", upd.Format("20060102"))})
	return &sourceSpec{
		name: "ba-vi", units: []string{"H.BAVI"}, defaultUnit: "H.BAVI", ext: "xlsx",
		comment: "Bộ phận một cửa huyện Ba Vì: Excel có tiêu đề, theo quý, kèm tệp cập nhật, đến 30/6/2025 / district one-stop: Excel with a title block, quarterly, plus a redelivery",
		layout: layout{kind: kindXLSX, sheet: "Sheet1", title: func(w window) []string {
			if w.update {
				return []string{"UBND HUYỆN BA VÌ", "DANH SÁCH HỒ SƠ CẬP NHẬT TRẠNG THÁI ĐẾN NGÀY " + w.export.Format("02/01/2006")}
			}
			if w.to.Sub(w.from) < 80*24*time.Hour {
				return []string{"UBND HUYỆN BA VÌ", "DANH SÁCH HỒ SƠ TIẾP NHẬN THÁNG " + w.from.Format("01/2006")}
			}
			return []string{"UBND HUYỆN BA VÌ", fmt.Sprintf("DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ %s/%d", romans[quarterOf(w.from)], w.from.Year())}
		}},
		columns: []column{
			{"STT", colSTT, ""}, {"Số hồ sơ", colCode, ""}, {"Mã TTHC", colProcCode, ""},
			{"Tên thủ tục hành chính", colProcName, ""}, {"Lĩnh vực", colField, ""}, {"Hình thức nộp", colChannel, ""},
			{"Ngày tiếp nhận", colReceived, ""}, {"Ngày hẹn trả", colDue, ""}, {"Ngày kết thúc xử lý", colFinished, ""},
			{"Ngày trả kết quả", colReturned, ""}, {"Trạng thái", colStatus, ""}, {"Số lần yêu cầu bổ sung", colSuppK, ""},
			{"Số ngày bổ sung", colSuppDays, ""}, {"Thu phí", colFee, ""}, {"Thanh toán trực tuyến", colPaid, ""},
			{"Hồ sơ đã số hóa", colDigDossier, ""}, {"Kết quả điện tử", colDigResult, ""},
			{"Tái sử dụng dữ liệu", colReused, ""}, {"Đồng bộ DVCQG", colSynced, ""}, {"Đánh giá", colRating, ""},
			{"Họ tên người nộp", colName, ""}, {"Số CCCD", colCCCD, ""}, {"Số điện thoại", colPhone, ""},
			{"Địa chỉ", colAddress, ""}, {"Ghi chú", colNote, ""},
		},
		dl: &dialect{status: vocabStd, channel: [3]string{"Trực tiếp", "Trực tuyến", "Bưu chính công ích"},
			yes: "Có", no: "Không", boolKind: cText, date: fmtDMYHM, decimal: ",", numCounts: true,
			rating: ratingWords, level: levelWords},
		windows: ws,
		bad: []badRow{
			{win: 1, kind: "missing", column: colCode},
			{win: 2, kind: "unparseable_date", column: colReceived, value: "31/02/2024"},
		},
	}
}

// thach-that: CSV UTF-8 with BOM, comma, CRLF (Excel "CSV UTF-8"), monthly.
func thachThatSource() *sourceSpec {
	return &sourceSpec{
		name: "thach-that", units: []string{"H.THACHTHAT"}, defaultUnit: "H.THACHTHAT", ext: "csv",
		comment: "Bộ phận một cửa huyện Thạch Thất: CSV UTF-8 có BOM, hằng tháng, đến 30/6/2025 / district one-stop: CSV UTF-8 with BOM, monthly, until June 2025",
		layout:  layout{kind: kindCSV, comma: ',', crlf: true, bom: true, encoding: "utf-8"},
		columns: []column{
			{"Mã hồ sơ", colCode, ""}, {"Tên thủ tục", colProcName, ""}, {"Mã thủ tục", colProcCode, ""},
			{"Tên lĩnh vực", colField, ""}, {"Kênh thực hiện", colChannel, ""}, {"Thời gian tiếp nhận", colReceived, ""},
			{"Hạn xử lý", colDue, ""}, {"Ngày hoàn thành", colFinished, ""}, {"Ngày trả", colReturned, ""},
			{"Tình trạng", colStatus, ""}, {"Số lần bổ sung", colSuppK, ""}, {"Số ngày tạm dừng", colSuppDays, ""},
			{"Có thu phí", colFee, ""}, {"Đã thanh toán trực tuyến", colPaid, ""}, {"Số hóa hồ sơ", colDigDossier, ""},
			{"Trả kết quả điện tử", colDigResult, ""}, {"Tái sử dụng", colReused, ""}, {"Đồng bộ DVCQG", colSynced, ""},
			{"Mức độ hài lòng", colRating, ""}, {"Người nộp", colName, ""}, {"Số giấy tờ", colCCCD, ""},
			{"Điện thoại", colPhone, ""},
		},
		dl: &dialect{status: vocabGiaiQuyet, channel: [3]string{"1", "2", "3"},
			yes: "x", no: "", boolKind: cText, date: fmtDMYHMS, decimal: ",", rating: ratingCodes, level: levelWords},
		windows: windowsEvery(mFirst, mReform, 1, 7, 45, func(from, _, _ time.Time) string {
			return "hoso_thachthat_" + from.Format("2006-01") + ".csv"
		}),
		repeat: repeatChanged,
		bad: []badRow{
			{win: 2, kind: "due_before_received", column: colDue},
			{win: 6, kind: "unknown_status", column: colStatus, value: "Không xác định"},
		},
		dups: map[int]int{3: 2},
	}
}

// son-tay: CSV UTF-8 without BOM, semicolon, LF, upper-case headers, ISO
// dates; every monthly file repeats the dossiers still open at the previous
// export (redelivery with updated status).
func sonTaySource() *sourceSpec {
	return &sourceSpec{
		name: "son-tay", units: []string{"H.SONTAY"}, defaultUnit: "H.SONTAY", ext: "csv",
		comment: "Bộ phận một cửa thị xã Sơn Tây: CSV chấm phẩy, mỗi tháng gửi lại hồ sơ chưa xong, đến 30/6/2025 / semicolon CSV, each month repeats open dossiers, until June 2025",
		layout:  layout{kind: kindCSV, comma: ';', encoding: "utf-8"},
		columns: []column{
			{"MÃ HỒ SƠ", colCode, ""}, {"MÃ THỦ TỤC", colProcCode, ""}, {"TÊN THỦ TỤC HÀNH CHÍNH", colProcName, ""},
			{"LĨNH VỰC", colField, ""}, {"KÊNH NỘP", colChannel, ""}, {"NGÀY NHẬN", colReceived, ""},
			{"NGÀY HẸN TRẢ KẾT QUẢ", colDue, ""}, {"NGÀY XỬ LÝ XONG", colFinished, ""}, {"NGÀY TRẢ KẾT QUẢ", colReturned, ""},
			{"TRẠNG THÁI HỒ SƠ", colStatus, ""}, {"SỐ LẦN BỔ SUNG", colSuppK, ""}, {"SỐ NGÀY BỔ SUNG", colSuppDays, ""},
			{"PHÍ, LỆ PHÍ", colFee, ""}, {"THANH TOÁN TRỰC TUYẾN", colPaid, ""}, {"SỐ HÓA HỒ SƠ", colDigDossier, ""},
			{"KẾT QUẢ ĐIỆN TỬ", colDigResult, ""}, {"ĐỒNG BỘ DVCQG", colSynced, ""}, {"ĐÁNH GIÁ", colRating, ""},
			{"HỌ TÊN NGƯỜI NỘP", colName, ""}, {"SỐ CCCD", colCCCD, ""}, {"SỐ ĐIỆN THOẠI", colPhone, ""},
		},
		dl: &dialect{status: vocabSonTay, channel: [3]string{"Trực tiếp", "Trực tuyến", "Qua bưu điện"},
			boolKind: cNum, date: fmtISO, decimal: ",", zeroCount: true, rating: ratingWords, level: levelWords},
		windows: windowsEvery(mFirst, mReform, 1, 9, 5, func(from, _, _ time.Time) string {
			return "SONTAY_HOSO_" + from.Format("200601") + ".csv"
		}),
		repeat: repeatOpen,
		bad: []badRow{
			{win: 4, kind: "finished_before_received", column: colFinished},
			{win: 8, kind: "unparseable_date", column: colReceived, value: "abc"},
		},
	}
}

// phuc-tho: Excel "Unicode text": UTF-16LE with BOM, tab-separated, CRLF,
// headers without diacritics, half-yearly.
func phucThoSource() *sourceSpec {
	return &sourceSpec{
		name: "phuc-tho", units: []string{"H.PHUCTHO"}, defaultUnit: "H.PHUCTHO", ext: "txt",
		comment: "Bộ phận một cửa huyện Phúc Thọ: Unicode text (UTF-16, tab) từ Excel, đến 30/6/2025 / Excel \"Unicode text\" (UTF-16LE, tab), until June 2025",
		layout:  layout{kind: kindCSV, comma: '\t', crlf: true, bom: true, encoding: "utf-16le"},
		columns: []column{
			{"STT", colSTT, ""}, {"Ma ho so", colCode, ""}, {"Ma TTHC", colProcCode, ""}, {"Ten TTHC", colProcName, ""},
			{"Linh vuc", colField, ""}, {"Hinh thuc tiep nhan", colChannel, ""}, {"Ngay tiep nhan", colReceived, ""},
			{"Ngay hen tra", colDue, ""}, {"Ngay ket thuc xu ly", colFinished, ""}, {"Ngay tra ket qua", colReturned, ""},
			{"Trang thai", colStatus, ""}, {"So lan bo sung", colSuppK, ""}, {"So ngay bo sung", colSuppDays, ""},
			{"Thu phi", colFee, ""}, {"Thanh toan truc tuyen", colPaid, ""}, {"So hoa ho so", colDigDossier, ""},
			{"Ket qua dien tu", colDigResult, ""}, {"Dong bo DVCQG", colSynced, ""}, {"Danh gia", colRating, ""},
			{"Ho ten nguoi nop", colName, ""}, {"So CCCD", colCCCD, ""}, {"So dien thoai", colPhone, ""},
		},
		dl: &dialect{status: vocabStd, channel: [3]string{"Trực tiếp", "Trực tuyến", "Bưu chính"},
			yes: "Đã", no: "Chưa", boolKind: cText, date: fmtDMYHM, decimal: ",", rating: ratingCodes, level: levelWords},
		windows: []window{
			{from: monthStart(1), to: monthStart(7), export: exportTime(monthStart(7), 14, 20), name: "PhucTho_HoSo_2024_T01-T06.txt"},
			{from: monthStart(7), to: monthStart(13), export: exportTime(monthStart(13), 14, 20), name: "PhucTho_HoSo_2024_T07-T12.txt"},
			{from: monthStart(13), to: monthStart(mReform), export: exportTime(monthStart(mReform), 14, 20), name: "PhucTho_HoSo_2025_T01-T06.txt"},
		},
		repeat: repeatChanged,
		bad: []badRow{
			{win: 0, kind: "missing", column: colCode},
			{win: 1, kind: "unparseable_date", column: colDue, value: "abc"},
		},
	}
}

// cong-dvc: the provincial public service portal, carrying the departments
// it served (Tư pháp, Tài nguyên và Môi trường, Giao thông vận tải, then Nông
// nghiệp và Môi trường) and, from July 2025, the new wards and communes of
// Sơn Tây and Phúc Thọ; Excel with a two-row merged header, real date cells, a
// summary sheet before the data sheet, quarterly.
func portalSource() *sourceSpec {
	return &sourceSpec{
		name: "cong-dvc", units: []string{"H41.STP", "H41.STNMT", "H41.SNNMT", "H41.SGTVT",
			"PH.SONTAY", "PH.TUNGTHIEN", "XA.PHUCTHO", "XA.HATMON"}, ext: "xlsx",
		comment: "Cổng dịch vụ công tỉnh (các sở; các phường, xã mới của Sơn Tây, Phúc Thọ): Excel tiêu đề hai dòng, ngày kiểu Excel / provincial portal (departments, new wards and communes): two-row merged header, Excel dates",
		layout:  layout{kind: kindXLSX, sheet: "DanhSachHoSo", summary: true, twoRowHead: true},
		columns: []column{
			{"STT", colSTT, ""}, {"Mã số hồ sơ", colCode, ""}, {"Cơ quan thực hiện", colUnit, ""},
			{"Mã thủ tục hành chính", colProcCode, ""}, {"Tên TTHC", colProcName, ""}, {"Lĩnh vực", colField, ""},
			{"Kênh nộp", colChannel, ""},
			{"Tiếp nhận", colReceived, "Ngày"}, {"Hẹn trả", colDue, "Ngày"}, {"Kết thúc xử lý", colFinished, "Ngày"},
			{"Trả kết quả", colReturned, "Ngày"},
			{"Trạng thái", colStatus, ""}, {"Số lần bổ sung", colSuppK, ""}, {"Thời gian bổ sung (ngày)", colSuppDays, ""},
			{"Mức độ DVCTT", colOnlineLevel, ""}, {"Thu phí", colFee, ""}, {"Thanh toán trực tuyến", colPaid, ""},
			{"Hồ sơ", colDigDossier, "Số hóa"}, {"Kết quả", colDigResult, "Số hóa"},
			{"Tái sử dụng dữ liệu", colReused, ""}, {"Đồng bộ DVCQG", colSynced, ""}, {"Kết quả đánh giá", colRating, ""},
			{"Chủ hồ sơ", colName, ""}, {"Số định danh", colCCCD, ""}, {"Email", colEmail, ""},
		},
		dl: &dialect{status: vocabPortal, channel: [3]string{"Trực tiếp", "Trực tuyến", "Bưu chính công ích"},
			yes: "X", no: "", boolKind: cText, realDates: true, decimal: ",", numCounts: true,
			rating: ratingWords, level: levelWords, unitRef: unitByName},
		windows: windowsEvery(mFirst, mEnd, 3, 16, 30, func(from, to, exp time.Time) string {
			return fmt.Sprintf("dvc_baocao_hoso_%s_%s.xlsx", from.Format("200601"), to.AddDate(0, 0, -1).Format("200601"))
		}),
		repeat: repeatChanged,
		bad: []badRow{
			{win: 0, kind: "unknown_unit", column: colUnit, value: "Sở Văn hóa và Thể thao"},
			{win: 1, kind: "unparseable_date", column: colReceived, value: "31/02/2024 08:15"},
			{win: 2, kind: "due_before_received", column: colDue},
		},
	}
}

// opencps: an OpenCPS-based system of three departments (Kế hoạch và Đầu
// tư until its merger into Tài chính in March 2025), JSON arrays with
// English keys, monthly.
func openCPSSource() *sourceSpec {
	return &sourceSpec{
		name: "opencps", units: []string{"H41.SKHDT", "H41.STC", "H41.SXD"}, ext: "json",
		comment: "Hệ thống OpenCPS (Sở KH&ĐT, Sở Tài chính, Sở Xây dựng): JSON, khóa tiếng Anh / OpenCPS JSON arrays with English keys",
		layout:  layout{kind: kindJSON},
		columns: []column{
			{"dossierNo", colCode, ""}, {"govAgencyCode", colUnit, ""}, {"serviceCode", colProcCode, ""},
			{"serviceName", colProcName, ""}, {"domainName", colField, ""}, {"channel", colChannel, ""},
			{"receiveDate", colReceived, ""}, {"dueDate", colDue, ""}, {"finishDate", colFinished, ""},
			{"releaseDate", colReturned, ""}, {"dossierStatus", colStatus, ""}, {"supplementRequests", colSuppK, ""},
			{"supplementDays", colSuppDays, ""}, {"feeRequired", colFee, ""},
			{"paidOnline", colPaid, ""}, {"digitizedDossier", colDigDossier, ""}, {"digitizedResult", colDigResult, ""},
			{"reusedData", colReused, ""}, {"syncedNational", colSynced, ""}, {"rating", colRating, ""},
			{"applicantName", colName, ""}, {"applicantIdNo", colCCCD, ""},
		},
		dl: &dialect{status: vocabOpenCPS, channel: [3]string{"direct", "online", "postal"},
			boolKind: cBool, date: fmtISOZone, decimal: ".", numCounts: true,
			rating: [3]string{"very_satisfied", "satisfied", "dissatisfied"}, level: [3]string{"full", "partial", "none"},
			unitRef: unitByCodeMostly},
		windows: windowsEvery(mFirst, mEnd, 1, 6, 0, func(from, _, _ time.Time) string {
			return "opencps_dossiers_" + from.Format("2006-01") + ".json"
		}),
		repeat: repeatChanged,
		bad: []badRow{
			{win: 1, kind: "missing", column: colCode},
			{win: 3, kind: "unknown_unit", column: colUnit, value: "H41.SYT"},
			{win: 7, kind: "unknown_status", column: colStatus, value: "archived"},
		},
		dups: map[int]int{4: 1},
	}
}

// dvcqg: the national sync log of the communes of Thạch Thất, old until
// June 2025 and new from July, NDJSON with the national field names;
// compact dates until May 2026, ISO 8601 from June 2026.
func nationalSource() *sourceSpec {
	ws := windowsEvery(mFirst, mEnd, 1, 2, 30, func(from, _, _ time.Time) string {
		return "dvcqg_sync_" + from.Format("200601") + ".ndjson"
	})
	for i := range ws {
		if !ws[i].from.Before(time.Date(2026, 6, 1, 0, 0, 0, 0, ict)) {
			ws[i].date = fmtISO
		}
	}
	return &sourceSpec{
		name: "dvcqg", units: []string{"X.BINHYEN", "X.HABANG", "XA.THACHTHAT", "XA.HABANG", "XA.HOALAC"}, ext: "ndjson",
		comment: "Nhật ký đồng bộ DVCQG (các xã Thạch Thất): NDJSON, tên trường quốc gia / national sync log: NDJSON with national field names",
		layout:  layout{kind: kindNDJSON},
		columns: []column{
			{"MaHoSo", colCode, ""}, {"MaDonVi", colUnit, ""}, {"MaTTHC", colProcCode, ""}, {"TenTTHC", colProcName, ""},
			{"LinhVuc", colField, ""}, {"KenhThucHien", colChannel, ""}, {"NgayTiepNhan", colReceived, ""},
			{"NgayHenTra", colDue, ""}, {"NgayKetThucXuLy", colFinished, ""}, {"NgayTraKetQua", colReturned, ""},
			{"TrangThaiHoSo", colStatus, ""}, {"SoLanBoSung", colSuppK, ""}, {"SoNgayBoSung", colSuppDays, ""},
			{"ThuPhi", colFee, ""}, {"DuocThanhToanTrucTuyen", colPaid, ""}, {"HoSoCoThanhPhanSoHoa", colDigDossier, ""},
			{"KetQuaDienTu", colDigResult, ""}, {"TaiSuDungDuLieu", colReused, ""}, {"DongBoDVCQG", colSynced, ""},
			{"MucDoHaiLong", colRating, ""}, {"ChuHoSo", colName, ""}, {"SoGiayToChuHoSo", colCCCD, ""},
			{"SoDienThoai", colPhone, ""},
		},
		dl: &dialect{status: vocabNational, chanNum: true, boolKind: cNum, date: fmtCompact, decimal: ".",
			numCounts: true, zeroCount: true, rating: ratingCodes, ratingNum: true, paidCode: true,
			level: levelWords, unitRef: unitCode},
		windows: ws,
		repeat:  repeatChanged,
		bad: []badRow{
			{win: 2, kind: "unparseable_date", column: colReceived, value: "20240231080000"},
			{win: 5, kind: "finished_before_received", column: colFinished},
			{win: 8, kind: "unknown_unit", column: colUnit, value: "X.TAYDANG"},
		},
		dups: map[int]int{6: 1},
	}
}

// xa-ba-vi: the communes of Ba Vì on one shared system, CSV UTF-8 with BOM
// and a unit column (names, names without diacritics, aliases, codes, or
// blank for the default commune); the second file is written in NFD.
func xaBaViSource() *sourceSpec {
	return &sourceSpec{
		name: "xa-ba-vi", units: []string{"X.TANLINH", "X.VANHOA", "X.BATRAI", "X.THUYAN", "XA.BAVI", "XA.QUANGOAI", "XA.SUOIHAI"}, defaultUnit: "X.TANLINH", ext: "csv",
		comment: "Các xã vùng Ba Vì (cũ và mới): CSV có cột đơn vị; ô trống là xã Tản Lĩnh / Ba Vì communes, old and new: CSV with a unit column; blank means Tản Lĩnh",
		layout:  layout{kind: kindCSV, comma: ',', crlf: true, bom: true, encoding: "utf-8"},
		columns: []column{
			{"Mã hồ sơ", colCode, ""}, {"Đơn vị tiếp nhận", colUnit, ""}, {"Mã thủ tục", colProcCode, ""},
			{"Tên thủ tục", colProcName, ""}, {"Lĩnh vực", colField, ""}, {"Hình thức nộp", colChannel, ""},
			{"Ngày tiếp nhận", colReceived, ""}, {"Ngày hẹn trả", colDue, ""}, {"Ngày kết thúc xử lý", colFinished, ""},
			{"Ngày trả kết quả", colReturned, ""}, {"Trạng thái", colStatus, ""}, {"Số lần bổ sung", colSuppK, ""},
			{"Số ngày bổ sung", colSuppDays, ""}, {"Thu phí", colFee, ""}, {"Thanh toán trực tuyến", colPaid, ""},
			{"Số hóa hồ sơ", colDigDossier, ""}, {"Kết quả điện tử", colDigResult, ""}, {"Đồng bộ DVCQG", colSynced, ""},
			{"Đánh giá", colRating, ""}, {"Người nộp", colName, ""}, {"Số CCCD", colCCCD, ""},
			{"Số điện thoại", colPhone, ""}, {"Địa chỉ", colAddress, ""},
		},
		dl: &dialect{status: vocabStd, channel: [3]string{"", "Trực tuyến", "Bưu chính công ích"},
			yes: "Có", no: "Không", boolKind: cText, date: fmtDMYHM, decimal: ",", rating: ratingWords, level: levelWords,
			unitRef: func(r *rand.Rand, u *unit) string {
				if u.Code == "X.TANLINH" && r.IntN(3) == 0 {
					return ""
				}
				return unitByName(r, u)
			}},
		windows: []window{
			{from: monthStart(1), to: monthStart(7), export: exportTime(monthStart(7), 10, 5), name: "xa_bavi_hoso_2024_T01-T06.csv"},
			{from: monthStart(7), to: monthStart(13), export: exportTime(monthStart(13), 10, 5), name: "xa_bavi_hoso_2024_T07-T12.csv"},
			{from: monthStart(13), to: monthStart(19), export: exportTime(monthStart(19), 10, 5), name: "xa_bavi_hoso_2025_T01-T06.csv"},
			{from: monthStart(19), to: monthStart(25), export: exportTime(monthStart(25), 10, 5), name: "xa_bavi_hoso_2025_T07-T12.csv"},
			{from: monthStart(25), to: monthStart(31), export: exportTime(monthStart(31), 10, 5), name: "xa_bavi_hoso_2026_T01-T06.csv"},
			{from: monthStart(31), to: monthStart(mEnd), export: exportTime(monthStart(mEnd), 10, 5), name: "xa_bavi_hoso_2026_T07-T10.csv", nfd: true},
		},
		repeat: repeatChanged,
		bad: []badRow{
			{win: 0, kind: "unknown_unit", column: colUnit, value: "UBND xã Tây Đằng"},
			{win: 1, kind: "due_before_received", column: colDue},
		},
	}
}

// xa-co-dong: a small legacy export in TCVN3, the pre-Unicode "ABC" font
// encoding still found on old commune PCs.
func coDongSource() *sourceSpec {
	return &sourceSpec{
		name: "xa-co-dong", units: []string{"X.CODONG"}, defaultUnit: "X.CODONG", ext: "csv",
		comment: "Xã Cổ Đông: CSV bảng mã TCVN3 (ABC), đến 30/6/2025 / legacy TCVN3-encoded CSV, until June 2025",
		layout:  layout{kind: kindCSV, comma: ',', crlf: true, encoding: "tcvn3"},
		columns: []column{
			{"Mã hồ sơ", colCode, ""}, {"Tên TTHC", colProcName, ""}, {"Mã TTHC", colProcCode, ""}, {"Lĩnh vực", colField, ""},
			{"Hình thức nộp", colChannel, ""}, {"Ngày nhận", colReceived, ""}, {"Ngày hẹn trả", colDue, ""},
			{"Ngày kết thúc xử lý", colFinished, ""}, {"Ngày trả kết quả", colReturned, ""}, {"Trạng thái", colStatus, ""},
			{"Số lần bổ sung", colSuppK, ""}, {"Số ngày bổ sung", colSuppDays, ""}, {"Thu phí", colFee, ""},
			{"Thanh toán trực tuyến", colPaid, ""}, {"Số hóa hồ sơ", colDigDossier, ""}, {"Đồng bộ DVCQG", colSynced, ""},
			{"Đánh giá", colRating, ""}, {"Họ tên người nộp", colName, ""}, {"Số CCCD", colCCCD, ""}, {"Số điện thoại", colPhone, ""},
		},
		dl: &dialect{status: vocabStd, channel: [3]string{"Trực tiếp", "Trực tuyến", "Bưu chính"},
			yes: "Có", no: "Không", boolKind: cText, date: fmtDMYHM, decimal: ",", rating: ratingWords, level: levelWords},
		windows: []window{
			{from: monthStart(1), to: monthStart(13), export: exportTime(monthStart(13), 15, 10), name: "CoDong_SoTheoDoiHoSo_2024.csv"},
			{from: monthStart(13), to: monthStart(mReform), export: exportTime(monthStart(mReform), 15, 10), name: "CoDong_SoTheoDoiHoSo_2025_T01-T06.csv"},
		},
		bad: []badRow{
			{win: 0, kind: "missing", column: colCode},
		},
	}
}

// xa-kim-son: a commune's Excel register with a title block and real date
// cells, half-yearly. The register goes on after the July 2025 reform with
// the dissolved commune's name (title and default unit): its rows count for
// its successor, phường Tùng Thiện.
func kimSonSource() *sourceSpec {
	title := func(w window) []string {
		return []string{"UBND XÃ KIM SƠN", "SỔ THEO DÕI HỒ SƠ TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
			fmt.Sprintf("(Từ ngày %s đến ngày %s)", w.from.Format("02/01/2006"), w.to.AddDate(0, 0, -1).Format("02/01/2006"))}
	}
	return &sourceSpec{
		name: "xa-kim-son", units: []string{"X.KIMSON"}, defaultUnit: "X.KIMSON", ext: "xlsx",
		comment: "Xã Kim Sơn: sổ theo dõi Excel, ngày kiểu Excel; phần mềm cũ vẫn ghi tên xã sau 1/7/2025 / commune register: Excel with date cells, still naming the dissolved commune after July 2025",
		layout:  layout{kind: kindXLSX, sheet: "So theo doi", title: title},
		columns: []column{
			{"STT", colSTT, ""}, {"Mã hồ sơ", colCode, ""}, {"Tên thủ tục", colProcName, ""}, {"Mã thủ tục", colProcCode, ""},
			{"Lĩnh vực", colField, ""}, {"Kênh nộp", colChannel, ""}, {"Ngày tiếp nhận", colReceived, ""},
			{"Ngày hẹn trả", colDue, ""}, {"Ngày hoàn thành", colFinished, ""}, {"Ngày trả", colReturned, ""},
			{"Tình trạng", colStatus, ""}, {"Số lần bổ sung", colSuppK, ""}, {"Số ngày bổ sung", colSuppDays, ""},
			{"Thu phí", colFee, ""}, {"Thanh toán trực tuyến", colPaid, ""}, {"Số hóa hồ sơ", colDigDossier, ""},
			{"Kết quả điện tử", colDigResult, ""}, {"Đồng bộ DVCQG", colSynced, ""}, {"Đánh giá", colRating, ""},
			{"Chủ hồ sơ", colName, ""}, {"Số giấy tờ", colCCCD, ""}, {"Điện thoại", colPhone, ""},
		},
		dl: &dialect{status: [nStatus][]string{{"Đang giải quyết"}, {"Chờ bổ sung"}, {"Đã giải quyết"},
			{"Đã trả kết quả"}, {"Trả lại hồ sơ"}, {"Đã rút"}, {"Dừng giải quyết"}},
			channel: [3]string{"Trực tiếp", "Trực tuyến", "Bưu chính công ích"},
			yes:     "x", no: "", boolKind: cText, realDates: true, decimal: ",", numCounts: true,
			rating: ratingWords, level: levelWords},
		windows: []window{
			{from: monthStart(1), to: monthStart(7), export: exportTime(monthStart(7), 11, 20), name: "KimSon_SoTheoDoi_2024_T01-T06.xlsx"},
			{from: monthStart(7), to: monthStart(13), export: exportTime(monthStart(13), 11, 20), name: "KimSon_SoTheoDoi_2024_T07-T12.xlsx"},
			{from: monthStart(13), to: monthStart(19), export: exportTime(monthStart(19), 11, 20), name: "KimSon_SoTheoDoi_2025_T01-T06.xlsx"},
			{from: monthStart(19), to: monthStart(25), export: exportTime(monthStart(25), 11, 20), name: "KimSon_SoTheoDoi_2025_T07-T12.xlsx"},
			{from: monthStart(25), to: monthStart(31), export: exportTime(monthStart(31), 11, 20), name: "KimSon_SoTheoDoi_2026_T01-T06.xlsx"},
			{from: monthStart(31), to: monthStart(mEnd), export: exportTime(monthStart(mEnd), 11, 20), name: "KimSon_SoTheoDoi_2026_T07-T10.xlsx"},
		},
		repeat: repeatChanged,
		bad: []badRow{
			{win: 5, kind: "finished_before_received", column: colFinished},
		},
	}
}
