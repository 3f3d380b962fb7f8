package samplegen

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"time"
)

// bigColumns is the layout of the benchmark export: a provincial one-stop
// system's CSV with a unit column and Vietnamese headers with diacritics.
var bigColumns = []column{
	{"Mã hồ sơ", colCode, ""}, {"Đơn vị tiếp nhận", colUnit, ""}, {"Mã TTHC", colProcCode, ""},
	{"Tên thủ tục hành chính", colProcName, ""}, {"Lĩnh vực", colField, ""}, {"Hình thức nộp", colChannel, ""},
	{"Ngày tiếp nhận", colReceived, ""}, {"Ngày hẹn trả", colDue, ""}, {"Ngày kết thúc xử lý", colFinished, ""},
	{"Ngày trả kết quả", colReturned, ""}, {"Trạng thái", colStatus, ""}, {"Số lần bổ sung", colSuppK, ""},
	{"Số ngày bổ sung", colSuppDays, ""}, {"Thu phí", colFee, ""}, {"Thanh toán trực tuyến", colPaid, ""},
	{"Số hóa hồ sơ", colDigDossier, ""}, {"Kết quả điện tử", colDigResult, ""}, {"Tái sử dụng dữ liệu", colReused, ""},
	{"Đồng bộ DVCQG", colSynced, ""}, {"Đánh giá", colRating, ""}, {"Họ tên người nộp", colName, ""},
	{"Số CCCD", colCCCD, ""}, {"Số điện thoại", colPhone, ""}, {"Địa chỉ", colAddress, ""},
}

var bigDialect = dialect{status: vocabStd, channel: [3]string{"Trực tiếp", "Trực tuyến", "Bưu chính công ích"},
	yes: "Có", no: "Không", boolKind: cText, date: fmtDMYHMS, decimal: ",", rating: ratingWords, level: levelWords,
	unitRef: unitByName}

// bigBadEvery spaces the planted bad rows: three per 100,000 rows.
const bigBadEvery = 33_333

// bigBad are the defects planted in turn.
var bigBad = []badRow{
	{kind: "missing", column: colCode},
	{kind: "unparseable_date", column: colReceived, value: "31/02/2026"},
	{kind: "unknown_unit", column: colUnit, value: "UBND xã Tây Đằng"},
	{kind: "due_before_received", column: colDue},
	{kind: "finished_before_received", column: colFinished},
	{kind: "unknown_status", column: colStatus, value: "Không xác định"},
}

// BigCSV writes one large export for benchmarks to w: UTF-8 without BOM,
// comma-separated, LF line ends, a header line then rows data rows, with the
// demo's value distributions (all units of the registry that stay open all
// year, receipt days advancing through January–October 2026, states as of
// an export on 3 November 2026). Three rows per 100,000 carry one planted
// defect each, cycling through the kinds of the demo's bad rows: data rows
// 16,666, 49,999, 83,332, ... (1-based; the CSV line is one more). It streams: memory stays constant whatever rows is, and w gets
// writes of a few kilobytes. It writes nothing else. It returns the data
// rows written (bad rows included) and the first write error. The same rows
// and seed (0 means 1) give the same bytes.
func BigCSV(w io.Writer, rows int, seed uint64) (int, error) {
	if seed == 0 {
		seed = 1
	}
	var us []*unit
	var cum []float64
	sum := 0.0
	for _, u := range registry() {
		if u.ValidTo != "" {
			continue
		}
		us = append(us, u)
		sum += u.weight
		cum = append(cum, sum)
	}
	gens := make([]*lifeGen, len(us))
	for i, u := range us {
		gens[i] = newLifeGen(u, rng(seed, "big-life:"+u.Code))
	}
	var workdays []time.Time
	for d := firstDay; !d.After(lastDay); d = d.AddDate(0, 0, 1) {
		if isWorkingDay(d) {
			workdays = append(workdays, d)
		}
	}
	r := rng(seed, "big")
	people := &peopleGen{r: rng(seed, "big-people")}
	exportAt := time.Date(2026, 11, 3, 8, 0, 0, 0, ict)

	cw := csv.NewWriter(w)
	rec := make([]string, len(bigColumns))
	for i, c := range bigColumns {
		rec[i] = c.header
	}
	if err := cw.Write(rec); err != nil {
		return 0, err
	}
	ring, next, filled := make([]*person, 4096), 0, 0
	seq := make([]int, len(us))
	curDay := -1
	for n := 0; n < rows; n++ {
		di := int(int64(n) * int64(len(workdays)) / int64(rows))
		if di != curDay {
			curDay = di
			clear(seq)
		}
		ui := sort.SearchFloat64s(cum, r.Float64()*cum[len(cum)-1])
		d := gens[ui].next(workdays[di])
		seq[ui]++
		d.code = dossierCode(us[ui], d.received, seq[ui], d.channel)
		// Applicants come back: half the rows reuse one of the last few
		// thousand (a fixed ring, so memory stays constant).
		if filled > 0 && r.IntN(2) == 0 {
			d.person = ring[r.IntN(filled)]
		} else {
			d.person = people.newPerson(us[ui])
			ring[next%len(ring)] = d.person
			next++
			filled = min(next, len(ring))
		}
		if (n+1)%bigBadEvery == bigBadEvery/2 {
			d.bad = &bigBad[((n+1)/bigBadEvery)%len(bigBad)]
		}
		cells := renderRow(r, &bigDialect, bigColumns, d, d.at(exportAt))
		for i, c := range cells {
			rec[i] = c.text()
		}
		if err := cw.Write(rec); err != nil {
			return n, fmt.Errorf("samplegen: writing row %d: %w", n+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, err
	}
	return max(rows, 0), nil
}
