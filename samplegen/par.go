package samplegen

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The demo's CCHC index (PAR index, DESIGN.md "The provincial CCHC
// index"): for 2024 and 2025, each unit standing at the year's end fills in
// its scoring sheet (XLSX, two communes CSV), the Department of Home
// Affairs adds the sociological survey and a decision on bonus and penalty
// points. Scores follow the unit's service quality, so the PAR ranking
// roughly agrees with the dossier ranking without copying it. Every sheet
// is as units fill it in: an agency block, a title naming the year, "Đơn
// vị: …", a merged two-row header ("Điểm đánh giá" over "Tự đánh giá" and
// "Thẩm định"), Roman/integer/dotted STT, rule rows, "Không áp dụng",
// decimal commas, a total row and a signature block below it.

// parNode is one row of a tree: STT as written, the criterion, its
// maximum and the rule text written under it ("" for none).
type parNode struct {
	stt, name string
	max       float64
	rule      string
}

// parDeptTree is the departments' tree (100 points, the survey 30).
var parDeptTree = []parNode{
	{"I", "Công tác chỉ đạo, điều hành cải cách hành chính", 9, ""},
	{"1", "Kế hoạch cải cách hành chính năm", 2, ""},
	{"1.1", "Ban hành kế hoạch đúng thời hạn", 1, "Ban hành trước ngày 15/01: 1 điểm; sau ngày 15/01: 0 điểm"},
	{"1.2", "Mức độ hoàn thành kế hoạch", 1, "Hoàn thành 100%: 1 điểm; từ 80% đến dưới 100%: 0,5 điểm; dưới 80%: 0 điểm"},
	{"2", "Báo cáo cải cách hành chính định kỳ", 1, ""},
	{"3", "Kiểm tra công tác cải cách hành chính", 2, ""},
	{"4", "Tuyên truyền cải cách hành chính", 2, ""},
	{"5", "Sáng kiến, giải pháp mới trong cải cách hành chính", 2, ""},
	{"II", "Cải cách thể chế", 7, ""},
	{"1", "Tham mưu xây dựng văn bản quy phạm pháp luật", 3, ""},
	{"2", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật", 2, ""},
	{"3", "Theo dõi thi hành pháp luật", 2, ""},
	{"III", "Cải cách thủ tục hành chính", 14, ""},
	{"1", "Công bố, công khai thủ tục hành chính", 3, ""},
	{"1.1", "Công bố danh mục thủ tục hành chính kịp thời", 1.5, ""},
	{"1.2", "Công khai thủ tục hành chính trên Cổng dịch vụ công", 1.5, ""},
	{"2", "Giải quyết hồ sơ đúng hạn", 5, "Tỷ lệ đúng hạn từ 98%: 5 điểm; từ 95% đến dưới 98%: 3 điểm; dưới 95%: 0 điểm"},
	{"3", "Tiếp nhận, xử lý phản ánh, kiến nghị", 2, ""},
	{"4", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 4, ""},
	{"IV", "Cải cách tổ chức bộ máy", 8, ""},
	{"1", "Sắp xếp tổ chức bộ máy", 4, ""},
	{"2", "Quản lý biên chế", 4, ""},
	{"V", "Cải cách chế độ công vụ", 10, ""},
	{"1", "Vị trí việc làm", 4, ""},
	{"2", "Chấp hành kỷ luật, kỷ cương hành chính", 6, ""},
	{"VI", "Cải cách tài chính công", 6, ""},
	{"1", "Quản lý, sử dụng ngân sách", 3, ""},
	{"2", "Cơ chế tự chủ của đơn vị sự nghiệp công lập", 3, ""},
	{"VII", "Xây dựng, phát triển Chính quyền điện tử, Chính quyền số", 16, ""},
	{"1", "Hệ thống quản lý văn bản và điều hành", 4, ""},
	{"2", "Dịch vụ công trực tuyến toàn trình", 6, ""},
	{"3", "Thanh toán trực tuyến", 3, ""},
	{"4", "Kết nối, chia sẻ dữ liệu", 3, ""},
	{"VIII", "Điều tra xã hội học", 30, ""},
	{"1", "Đánh giá của cán bộ, công chức", 10, ""},
	{"2", "Đánh giá của người dân, tổ chức", 20, ""},
}

// parLocalTree is the tree of the districts and communes (100 points, the
// survey 35). Communes issue no legal documents of their own in most
// years: II.1 is often "Không áp dụng".
var parLocalTree = []parNode{
	{"I", "Công tác chỉ đạo, điều hành cải cách hành chính", 10, ""},
	{"1", "Kế hoạch cải cách hành chính năm", 3, ""},
	{"1.1", "Ban hành kế hoạch đúng thời hạn", 1, "Ban hành trước ngày 31/01: 1 điểm; sau ngày 31/01: 0 điểm"},
	{"1.2", "Mức độ hoàn thành kế hoạch", 2, ""},
	{"2", "Báo cáo cải cách hành chính định kỳ", 2, ""},
	{"3", "Tuyên truyền cải cách hành chính", 2, ""},
	{"4", "Sáng kiến, giải pháp mới", 3, ""},
	{"II", "Cải cách thể chế", 6, ""},
	{"1", "Ban hành văn bản quy phạm pháp luật", 3, ""},
	{"2", "Rà soát văn bản quy phạm pháp luật", 3, ""},
	{"III", "Cải cách thủ tục hành chính", 16, ""},
	{"1", "Công khai thủ tục hành chính tại Bộ phận một cửa", 4, ""},
	{"2", "Giải quyết hồ sơ đúng hạn", 6, "Tỷ lệ đúng hạn từ 98%: 6 điểm; từ 95% đến dưới 98%: 4 điểm; dưới 95%: 0 điểm"},
	{"3", "Tiếp nhận, xử lý phản ánh, kiến nghị", 2, ""},
	{"4", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 4, ""},
	{"IV", "Cải cách tổ chức bộ máy", 6, ""},
	{"V", "Cải cách chế độ công vụ", 8, ""},
	{"1", "Bố trí công chức theo vị trí việc làm", 4, ""},
	{"2", "Chấp hành kỷ luật, kỷ cương hành chính", 4, ""},
	{"VI", "Cải cách tài chính công", 6, ""},
	{"VII", "Xây dựng, phát triển Chính quyền số", 13, ""},
	{"1", "Dịch vụ công trực tuyến toàn trình", 6, ""},
	{"2", "Thanh toán trực tuyến", 4, ""},
	{"3", "Ứng dụng công nghệ thông tin", 3, ""},
	{"VIII", "Điều tra xã hội học", 35, ""},
	{"1", "Mức độ hài lòng của người dân, tổ chức", 35, ""},
}

// parRow is a node of one unit's sheet with its code and points.
type parRow struct {
	parNode
	code      string
	depth     int
	leaf      bool
	survey    bool // in the survey field (left empty in the sheet)
	na        bool // "Không áp dụng"
	self, apr float64
	bad       string // the appraised cell as first (wrongly) typed, "" when right
}

// parSheetFile is one scoring sheet written.
type parSheetFile struct {
	path, source string
	csv          bool
	unit         *unit
	year         int
	rows         []parRow
	modified     time.Time
	label        string // "Đơn vị", "Cơ quan" or "Tên đơn vị"
	textDecimals bool   // XLSX: decimals typed as text with a comma
	withBad      bool   // the first version, with the typing error
}

// parExtra is the survey or adjustment file of a year.
type parExtra struct {
	path, source, dataset string
	csv                   bool
	year                  int
	modified              time.Time
	header                []string
	rows                  [][]string
	title                 []string
}

// parPlan is every PAR file of the demo and what loading them must give.
type parPlan struct {
	sheets []*parSheetFile
	extras []*parExtra
	scores []PARScore
}

// parYears are the assessed years; parUnitsOf the units standing at a
// year's end, in registry order.
var parYears = []int{2024, 2025}

func parUnitsOf(units []*unit, year int) []*unit {
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, ict)
	var out []*unit
	for _, u := range units {
		if u.ValidFrom != "" && !mustDate(u.ValidFrom).Before(end) {
			continue
		}
		if u.ValidTo != "" && mustDate(u.ValidTo).Before(end) {
			continue
		}
		out = append(out, u)
	}
	return out
}

// parCSVUnits send their 2025 sheet as CSV (no period: in the config:
// read from the "Năm 2025" title row); parRetry types a decimal without
// its comma in its first 2025 sheet and sends a corrected one.
var (
	parCSVUnits = []string{"XA.PHUCTHO", "XA.HATMON"}
	parRetry    = "XA.SUOIHAI"
	parRetryAt  = "III.2"
)

// quarter rounds to the 0,25 points councils score in.
func quarter(x float64) float64 { return math.Round(x*4) / 4 }

// planPAR decides every PAR file and the scores they must give.
func planPAR(seed uint64, units []*unit) *parPlan {
	p := &parPlan{}
	for _, year := range parYears {
		standing := parUnitsOf(units, year)
		// Sheets arrive from the 8th of January of the next year, one a
		// working day or so apart, in registry order.
		at := time.Date(year+1, 1, 8, 8, 30, 0, 0, ict)
		survey := map[string]float64{}
		sr := rng(seed, fmt.Sprintf("par:survey:%d", year))
		for i, u := range standing {
			r := rng(seed, fmt.Sprintf("par:%d:%s", year, u.Code))
			tree := parLocalTree
			if u.Level == "department" {
				tree = parDeptTree
			}
			rows := parRows(tree, u, r, year)
			// The survey's satisfaction rate follows the unit's ratings.
			survey[u.Code] = math.Round((0.72+0.3*u.q.verySat-0.6*u.q.dissat+0.06*sr.Float64())*1000) / 10
			slug := strings.ToLower(strings.ReplaceAll(u.Code, ".", "-"))
			sf := &parSheetFile{source: fmt.Sprintf("par-%d", year), unit: u, year: year, rows: rows,
				modified: at.Add(time.Duration(i) * 26 * time.Hour), label: []string{"Đơn vị", "Cơ quan", "Tên đơn vị"}[i%3],
				textDecimals: i%2 == 1}
			// The office numbers the sheets as they arrive, so names sort
			// in arrival order.
			sf.path = fmt.Sprintf("exports/%s/%02d_%s_tu-danh-gia-%d.xlsx", sf.source, i+1, slug, year)
			if year == 2025 && slices.Contains(parCSVUnits, u.Code) {
				sf.csv, sf.source = true, "par-2025-csv"
				sf.path = fmt.Sprintf("exports/%s/%02d_%s_tu-danh-gia-%d.csv", sf.source, i+1, slug, year)
			}
			if year == 2025 && u.Code == parRetry {
				bad := *sf
				bad.withBad = true
				bad.rows = append([]parRow(nil), rows...)
				for k := range bad.rows {
					if bad.rows[k].code == parRetryAt {
						// "4,5" typed as "45": above the maximum.
						bad.rows[k].bad = strings.ReplaceAll(fmtComma(bad.rows[k].apr), ",", "")
					}
				}
				p.sheets = append(p.sheets, &bad)
				sf.path = fmt.Sprintf("exports/%s/%02d_%s_tu-danh-gia-%d_bo-sung.xlsx", sf.source, len(standing)+1, slug, year)
				sf.modified = time.Date(year+1, 2, 2, 14, 10, 0, 0, ict)
			}
			p.sheets = append(p.sheets, sf)
		}
		// The survey: one XLSX per year, its period in the title.
		sv := &parExtra{path: fmt.Sprintf("exports/dtxhh/ket-qua-dtxhh-%d.xlsx", year), source: "dtxhh", dataset: "par_survey",
			year: year, modified: time.Date(year+1, 2, 5, 9, 0, 0, 0, ict),
			title:  []string{"UBND THÀNH PHỐ HÀ NỘI", "SỞ NỘI VỤ", fmt.Sprintf("KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC PHỤC VỤ XÁC ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %d", year)},
			header: []string{"STT", "Tên đơn vị", "Số phiếu hợp lệ", "Tỷ lệ hài lòng"}}
		for i, u := range standing {
			sv.rows = append(sv.rows, []string{strconv.Itoa(i + 1), u.Name, strconv.Itoa(120 + sr.IntN(200)), fmtComma(survey[u.Code])})
		}
		p.extras = append(p.extras, sv)
		// Bonus and penalty points: a decision for 2025 only.
		adj := map[string]float64{}
		if year == 2025 {
			ad := &parExtra{path: "exports/thuong-tru/qd-diem-thuong-tru-2025.csv", source: "thuong-tru", dataset: "par_adjustments",
				csv: true, year: year, modified: time.Date(2026, 2, 10, 15, 0, 0, 0, ict),
				title:  []string{"QUYẾT ĐỊNH VỀ ĐIỂM THƯỞNG, ĐIỂM TRỪ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025"},
				header: []string{"STT", "Đơn vị", "Điểm thưởng", "Điểm trừ", "Lý do"}}
			for i, a := range []struct {
				code         string
				bonus, minus float64
				reason       string
			}{
				{"H41.STP", 1, 0, "Sáng kiến số hóa hồ sơ hộ tịch được Thành phố công nhận"},
				{"XA.HOALAC", 0.5, 0, "Mô hình \"Bộ phận một cửa không giấy\""},
				{"PH.SONTAY", 0, 1, "Chậm gửi báo cáo cải cách hành chính quý III"},
				{"XA.PHUCTHO", 0, 0.5, "Để xảy ra hồ sơ trễ hạn không có văn bản xin lỗi"},
			} {
				u := unitByCode(units, a.code)
				b, m := "", ""
				if a.bonus > 0 {
					b = fmtComma(a.bonus)
				}
				if a.minus > 0 {
					m = fmtComma(a.minus)
				}
				ad.rows = append(ad.rows, []string{strconv.Itoa(i + 1), u.Name, b, m, a.reason})
				adj[a.code] += a.bonus - a.minus
			}
			p.extras = append(p.extras, ad)
		}
		for _, u := range standing {
			p.scores = append(p.scores, parScore(year, u, p.current(year, u.Code), survey[u.Code], adj[u.Code]))
		}
	}
	return p
}

// current is the sheet of the unit for the year that the load keeps (the
// last one sent).
func (p *parPlan) current(year int, code string) *parSheetFile {
	var out *parSheetFile
	for _, s := range p.sheets {
		if s.year == year && s.unit.Code == code {
			out = s
		}
	}
	return out
}

// parRows scores the tree for one unit: each non-survey leaf's appraised
// points are its maximum times a share drawn around the unit's on-time
// rate, in quarter points; units score themselves a little higher. Some
// communes have nothing to do under II.1 ("Không áp dụng").
func parRows(tree []parNode, u *unit, r *rand.Rand, year int) []parRow {
	rows := make([]parRow, len(tree))
	var field string
	for i, n := range tree {
		row := parRow{parNode: n}
		switch {
		case isRoman(n.stt):
			field = n.stt
			row.code = n.stt
		case !strings.Contains(n.stt, "."):
			row.code = field + "." + n.stt
		default:
			row.code = field + "." + n.stt
		}
		row.depth = strings.Count(row.code, ".") + 1
		row.survey = strings.HasPrefix(row.code, "VIII")
		rows[i] = row
	}
	base := 0.45 + 0.55*u.q.onTime
	if year == 2025 {
		base += 0.02 // the year of the reform's push
	}
	for i := range rows {
		rows[i].leaf = i+1 == len(rows) || rows[i+1].depth <= rows[i].depth
		if !rows[i].leaf || rows[i].survey {
			continue
		}
		if rows[i].code == "II.1" && u.Level == "commune" && r.IntN(3) > 0 {
			rows[i].na = true
			continue
		}
		share := math.Min(1, math.Max(0, base+0.22*(r.Float64()-0.5)))
		rows[i].apr = quarter(rows[i].max * share)
		rows[i].self = math.Min(rows[i].max, rows[i].apr+quarter(rows[i].max*0.15*r.Float64()))
	}
	if u.Code == parRetry && year == 2025 {
		for i := range rows {
			if rows[i].code == parRetryAt && rows[i].apr == math.Trunc(rows[i].apr) {
				rows[i].apr -= 0.5 // a decimal the typing error can lose
			}
		}
	}
	// Parents carry the sums of their leaves.
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].leaf {
			continue
		}
		rows[i].self, rows[i].apr = 0, 0
		for j := i + 1; j < len(rows) && rows[j].depth > rows[i].depth; j++ {
			if rows[j].leaf && !rows[j].na {
				rows[i].self += rows[j].self
				rows[i].apr += rows[j].apr
			}
		}
	}
	return rows
}

func isRoman(s string) bool {
	return s != "" && strings.Trim(s, "IVXLC") == ""
}

// parScore computes what the model must give a unit (DESIGN.md, "Scores"):
// appraised points of the applicable leaves outside the survey field, plus
// the survey's rate × the survey field's maximum, plus bonus − penalty,
// over the applicable maximum.
func parScore(year int, u *unit, s *parSheetFile, rate, adj float64) PARScore {
	var pts, max, surveyMax float64
	for _, r := range s.rows {
		if !r.leaf || r.na {
			continue
		}
		max += r.max
		if r.survey {
			surveyMax += r.max
		} else {
			pts += r.apr
		}
	}
	total := pts + surveyMax*rate/100 + adj
	return PARScore{Period: strconv.Itoa(year), Unit: u.Code, PeerGroup: u.Level, Status: "ranked",
		Total: total, Max: max, Score: total / max * 100}
}

// fmtComma writes x with a decimal comma and no trailing zeros: 4,5.
func fmtComma(x float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(x, 'f', -1, 64), ".", ",")
}

// sheetGrid is the sheet as rows of cells (string, float64 or nil), with
// the Excel row numbers of the header.
func (s *parSheetFile) grid() (cells [][]any, headerRow int) {
	u := s.unit
	agency := "UBND THÀNH PHỐ HÀ NỘI"
	if u.Parent != "" {
		agency = strings.ToUpper(unitByCode(registry(), u.Parent).Name)
	}
	cells = [][]any{
		{agency, nil, nil, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		{strings.ToUpper(strings.TrimPrefix(u.Name, "UBND ")), nil, nil, "Độc lập - Tự do - Hạnh phúc"},
		{},
		{fmt.Sprintf("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %d", s.year)},
		{s.label + ": " + u.Name},
		{"STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Điểm đánh giá", nil, "Tài liệu kiểm chứng", "Ghi chú"},
		{nil, nil, nil, "Tự đánh giá", "Thẩm định", nil, nil},
	}
	if s.csv {
		// The commune's software writes no agency block, the year alone.
		cells = [][]any{{"BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"}, {fmt.Sprintf("Năm %d", s.year)}, cells[4], cells[5], cells[6]}
	}
	headerRow = len(cells) - 1
	num := func(x float64) any {
		if s.csv || (s.textDecimals && x != math.Trunc(x)) {
			return fmtComma(x)
		}
		return x
	}
	var selfTotal, aprTotal float64
	for _, r := range s.rows {
		row := []any{r.stt, r.name, num(r.max), nil, nil, nil, nil}
		switch {
		case r.survey:
			// Left to the survey.
		case r.na:
			row[3], row[4], row[6] = "Không áp dụng", "Không áp dụng", "Không ban hành văn bản QPPL trong năm"
		default:
			row[3], row[4] = num(r.self), num(r.apr)
			if r.bad != "" {
				row[4] = r.bad
			}
		}
		if r.leaf && !r.survey && !r.na && r.depth == 2 {
			row[5] = fmt.Sprintf("Báo cáo số %d/BC-%s", 10+len(cells), strings.ReplaceAll(u.Code, ".", ""))
		}
		if r.depth == 1 && !r.survey {
			selfTotal += r.self
			aprTotal += r.apr
		}
		cells = append(cells, row)
		if r.rule != "" {
			cells = append(cells, []any{nil, r.rule})
		}
	}
	cells = append(cells,
		[]any{nil, "Tổng cộng", num(100), num(selfTotal), num(aprTotal)},
		[]any{},
		[]any{nil, nil, nil, fmt.Sprintf("Hà Nội, ngày %d tháng %02d năm %d", s.modified.Day(), int(s.modified.Month()), s.modified.Year())},
		[]any{nil, "NGƯỜI LẬP BIỂU", nil, "THỦ TRƯỞNG ĐƠN VỊ"},
		[]any{nil, nil, nil, "(Ký, ghi rõ họ tên, đóng dấu)"},
	)
	return cells, headerRow
}

// encode renders the sheet: XLSX with merged title and header cells, or
// CSV (UTF-8 with BOM, CRLF) as the commune's software saves it.
func (s *parSheetFile) encode() ([]byte, error) {
	cells, h := s.grid()
	if s.csv {
		return csvBytes(cells, 7)
	}
	merges := []string{"A1:C1", "D1:G1", "A2:C2", "D2:G2", "A4:G4", "A5:G5",
		fmt.Sprintf("A%d:A%d", h, h+1), fmt.Sprintf("B%d:B%d", h, h+1), fmt.Sprintf("C%d:C%d", h, h+1),
		fmt.Sprintf("D%d:E%d", h, h), fmt.Sprintf("F%d:F%d", h, h+1), fmt.Sprintf("G%d:G%d", h, h+1)}
	return xlsxBytes(cells, merges, "Tự đánh giá", s.modified, []float64{7, 60, 10, 12, 12, 28, 24})
}

// encode renders a survey (XLSX) or adjustment (CSV) file.
func (e *parExtra) encode() ([]byte, error) {
	var cells [][]any
	for _, t := range e.title {
		cells = append(cells, []any{t})
	}
	cells = append(cells, []any{})
	hdr := make([]any, len(e.header))
	for i, c := range e.header {
		hdr[i] = c
	}
	cells = append(cells, hdr)
	for _, r := range e.rows {
		row := make([]any, len(r))
		for i, c := range r {
			row[i] = c
			if !e.csv && i != 1 {
				if f, err := strconv.ParseFloat(strings.ReplaceAll(c, ",", "."), 64); err == nil {
					row[i] = f
				}
			}
		}
		cells = append(cells, row)
	}
	if e.csv {
		return csvBytes(cells, len(e.header))
	}
	var merges []string
	for i := range e.title {
		merges = append(merges, fmt.Sprintf("A%d:D%d", i+1, i+1))
	}
	return xlsxBytes(cells, merges, "DTXHH", e.modified, []float64{6, 36, 14, 16})
}

// csvBytes writes rows padded to width as CSV with BOM and CRLF.
func csvBytes(cells [][]any, width int) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for _, r := range cells {
		rec := make([]string, width)
		for i, c := range r {
			if i >= width {
				break
			}
			switch v := c.(type) {
			case string:
				rec[i] = v
			case float64:
				rec[i] = fmtComma(v)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// xlsxBytes writes one sheet (not streamed, so deterministic) with the
// given merges, column widths and document times.
func xlsxBytes(cells [][]any, merges []string, sheet string, at time.Time, widths []float64) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	stamp := at.UTC().Format(time.RFC3339)
	if err := x.SetDocProps(&excelize.DocProperties{Creator: "Văn phòng", LastModifiedBy: "Văn phòng",
		Created: stamp, Modified: stamp, Title: "Chỉ số cải cách hành chính", Language: "vi-VN"}); err != nil {
		return nil, err
	}
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.SetColWidth(sheet, col, col, w); err != nil {
			return nil, err
		}
	}
	for r, row := range cells {
		for c, v := range row {
			if v == nil {
				continue
			}
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := x.SetCellValue(sheet, name, v); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range merges {
		a, b, _ := strings.Cut(m, ":")
		if err := x.MergeCell(sheet, a, b); err != nil {
			return nil, err
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PARManifest is what loading the demo's PAR files must give.
type PARManifest struct {
	Files  []PARFile  `json:"files"`  // in load order within each source
	Scores []PARScore `json:"scores"` // every unit standing at each year's end
}

// PARFile is one PAR input file: the rows the loader reads (criteria of a
// sheet, units of a survey, decisions of an adjustment file), how many it
// quarantines, and how many of the loaded ones a later file supersedes.
type PARFile struct {
	Path        string `json:"path"`
	Source      string `json:"source"`
	Dataset     string `json:"dataset"`
	Format      string `json:"format"`
	Period      string `json:"period"`
	Unit        string `json:"unit,omitempty"` // sheets
	ModifiedAt  string `json:"modified_at"`
	SHA256      string `json:"sha256"`
	Size        int    `json:"size"`
	Rows        int    `json:"rows"`
	Quarantined int    `json:"quarantined"`
	Superseded  int    `json:"superseded"`
}

// PARScore is a unit's expected result for a year, computed from the
// sheets (DESIGN.md, "Scores").
type PARScore struct {
	Period    string  `json:"period"`
	Unit      string  `json:"unit"`
	PeerGroup string  `json:"peer_group"`
	Status    string  `json:"status"`
	Total     float64 `json:"total_points"`
	Max       float64 `json:"max_points"`
	Score     float64 `json:"score"`
}

// write writes every PAR file under dir and returns the manifest part.
func (p *parPlan) write(dir string) (*PARManifest, error) {
	m := &PARManifest{Scores: p.scores}
	add := func(path, source, dataset string, csv bool, period, unit string, mod time.Time, b []byte, rows, q, sup int) error {
		if err := writeFile(dir, path, b, mod); err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f := PARFile{Path: path, Source: source, Dataset: dataset, Format: "xlsx", Period: period, Unit: unit,
			ModifiedAt: mod.Format(time.RFC3339), SHA256: hex.EncodeToString(sum[:]), Size: len(b), Rows: rows, Quarantined: q, Superseded: sup}
		if csv {
			f.Format = "csv"
		}
		m.Files = append(m.Files, f)
		return nil
	}
	for _, s := range p.sheets {
		b, err := s.encode()
		if err != nil {
			return nil, fmt.Errorf("samplegen: %s: %w", s.path, err)
		}
		q, sup := 0, 0
		if s.withBad {
			q, sup = 1, len(s.rows)-1
		}
		if err := add(s.path, s.source, "par_appraisal", s.csv, strconv.Itoa(s.year), s.unit.Code, s.modified, b, len(s.rows), q, sup); err != nil {
			return nil, err
		}
	}
	for _, e := range p.extras {
		b, err := e.encode()
		if err != nil {
			return nil, fmt.Errorf("samplegen: %s: %w", e.path, err)
		}
		if err := add(e.path, e.source, e.dataset, e.csv, strconv.Itoa(e.year), "", e.modified, b, len(e.rows), 0, 0); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// parSourcesYAML are the PAR sources of cchc.yaml.
const parSourcesYAML = `  # Chỉ số CCHC năm 2024: bảng tự chấm điểm của từng đơn vị (Excel), Sở Nội vụ tập hợp / PAR index 2024: each unit's scoring sheet (Excel)
  - name: par-2024
    kind: file
    path: ./exports/par-2024/*.xlsx
    format: auto
    dataset: par_appraisal
    period: "2024"
  # Chỉ số CCHC năm 2025: bảng điểm Excel; xã Suối Hai gửi lại bảng đã sửa / PAR index 2025: Excel sheets, one sent again corrected
  - name: par-2025
    kind: file
    path: ./exports/par-2025/*.xlsx
    format: auto
    dataset: par_appraisal
    period: "2025"
  # Bảng điểm CSV của xã Phúc Thọ, xã Hát Môn; kỳ đọc từ dòng "Năm 2025" / two communes' sheets as CSV, the year read from the title
  - name: par-2025-csv
    kind: file
    path: ./exports/par-2025-csv/*.csv
    format: auto
    dataset: par_appraisal
  # Kết quả điều tra xã hội học (tỷ lệ hài lòng), năm ghi ở tiêu đề / sociological survey results, the year in the title
  - name: dtxhh
    kind: file
    path: ./exports/dtxhh/*.xlsx
    format: auto
    dataset: par_survey
  # Quyết định điểm thưởng, điểm trừ năm 2025 / bonus and penalty points 2025
  - name: thuong-tru
    kind: file
    path: ./exports/thuong-tru/*.csv
    format: auto
    dataset: par_adjustments
    period: "2025"
`
