package samplegen

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
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
	return BigExport(w, BigOptions{Rows: rows, Seed: seed})
}

// BigOptions shapes a benchmark export beyond the demo-like default that
// BigCSV writes. The zero value of every field but Rows keeps the default.
type BigOptions struct {
	Rows int
	Seed uint64 // 0 means 1
	// Communes, when positive, replaces the demo's communes with this many
	// synthetic ones (codes X.B001, X.B002, ..., spread over the demo's four
	// districts, each drawing its dossiers like one of the demo's communes),
	// which together receive half the dossiers. BigUnitsCSV writes the
	// matching registry.
	Communes int
	// CanonicalHeaders writes the canonical column names of docs/contract.md as
	// the header (dossier_code, unit_code, ...), unit codes in unit_code,
	// and leaves the personal-data columns out. Values keep the export's
	// dialect (Vietnamese words, dd/mm/yyyy hh:mm:ss, decimal comma).
	CanonicalHeaders bool
	// SeqBase is added to the sequence number in every dossier code, so
	// that exports with different bases share no code: a nightly file that
	// adds dossiers rather than updating them. Use a base above the rows a
	// unit receives in one day (100000 is safe).
	SeqBase int
	// Days, when positive, draws every receipt from the export span's last
	// Days working days instead of all of them: a nightly file, whose
	// dossiers were received in the last days.
	Days int
}

// BigExport writes one large export as BigCSV does, shaped by o. BigCSV(w,
// rows, seed) writes the same bytes as BigExport(w, BigOptions{Rows: rows,
// Seed: seed}).
func BigExport(w io.Writer, o BigOptions) (int, error) {
	cw := csv.NewWriter(w)
	n, err := bigRows(o, func(rec []string) error { return cw.Write(rec) })
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return o.Rows, err
	}
	return max(o.Rows, 0), nil
}

// BigXLSX writes the rows of BigExport(o) as a workbook with one sheet
// (header on row 1, every cell a string, as a CSV saved as XLSX). It
// streams the sheet, though excelize keeps the shared parts in memory and
// spills the sheet to a temporary file when it grows past 16 MB.
func BigXLSX(w io.Writer, o BigOptions) (int, error) {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	n, err := bigSheetRows(o, func(cell string, values []any) error { return sw.SetRow(cell, values) })
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if _, err := x.WriteTo(w); err != nil {
		return n, err
	}
	return n, nil
}

// bigSheetRows calls set with each row of BigExport(o), header first, as
// the name of its first cell and its values; it returns the data rows.
func bigSheetRows(o BigOptions, set func(cell string, values []any) error) (int, error) {
	line := 0
	cells := make([]any, 0, len(bigColumns))
	return bigRows(o, func(rec []string) error {
		line++
		cells = cells[:0]
		for _, s := range rec {
			cells = append(cells, s)
		}
		cell, err := excelize.CoordinatesToCellName(1, line)
		if err != nil {
			return err
		}
		return set(cell, cells)
	})
}

// BigXLSXShared writes the rows of BigExport(o) as BigXLSX does, but with
// every string in the workbook's shared-strings table, cells referring to
// it by index: how Excel saves a workbook (and many exporting libraries),
// where BigXLSX's stream writes each string inline. excelize builds the
// whole sheet in memory for this (about 37 s and a few GiB at 200,000 rows),
// so it is meant to be run once and the file kept.
func BigXLSXShared(w io.Writer, o BigOptions) (int, error) {
	x := excelize.NewFile()
	defer x.Close()
	n, err := bigSheetRows(o, func(cell string, values []any) error { return x.SetSheetRow("Sheet1", cell, &values) })
	if err != nil {
		return n, err
	}
	if _, err := x.WriteTo(w); err != nil {
		return n, err
	}
	return n, nil
}

// BigUnitsCSV is the units.csv registry of an export written with
// BigOptions.Communes set to communes (the demo's registry for 0).
func BigUnitsCSV(communes int) []byte {
	return unitsCSV(bigRegistry(communes))
}

// The benchmark export covers dossiers received from bigFirstDay to
// bigLastDay inclusive (January–October 2026, as when the benchmarks were
// first measured), whatever span the demo covers.
var (
	bigFirstDay = time.Date(2026, 1, 1, 0, 0, 0, 0, ict)
	bigLastDay  = time.Date(2026, 10, 31, 0, 0, 0, 0, ict)
)

// bigRegistry is the unit list of a benchmark export: the demo's, or with
// communes > 0 its departments and districts plus that many synthetic
// communes. Their weights are set so that the communes receive as many
// dossiers as the departments and districts together.
func bigRegistry(communes int) []*unit {
	base := benchRegistry()
	if communes <= 0 {
		return base
	}
	var out, tmpl, districts []*unit
	other, tmplSum := 0.0, 0.0
	for _, u := range base {
		switch {
		case u.Level != "commune":
			out = append(out, u)
			other += u.weight
			if u.Level == "district" {
				districts = append(districts, u)
			}
		case u.ValidTo == "":
			tmpl = append(tmpl, u)
			tmplSum += u.weight
		}
	}
	for i := 0; i < communes; i++ {
		t, d := tmpl[i%len(tmpl)], districts[i%len(districts)]
		c := *t
		n := i + 1
		c.Code = fmt.Sprintf("X.B%03d", n)
		c.Name = fmt.Sprintf("UBND xã Thử Nghiệm %d", n)
		c.Parent = d.Code
		c.ValidFrom, c.ValidTo, c.Successor = "", "", ""
		c.Aliases = []string{fmt.Sprintf("Xã Thử Nghiệm %d", n)}
		c.agency = fmt.Sprintf("000.%d.%s.H41", 100+n, d.short)
		c.m2026 = fmt.Sprintf("M41.0%s.%d", d.short, 100+n)
		c.lifeKey = ""
		// The templates' mix, scaled so the communes total other.
		c.weight = t.weight / tmplSum * float64(len(tmpl)) / float64(communes) * other
		out = append(out, &c)
	}
	return out
}

// bigCanonical is the canonical name of each benchmark column; the
// personal-data columns have none and are left out under CanonicalHeaders.
var bigCanonical = map[field]string{
	colCode: "dossier_code", colUnit: "unit_code", colProcCode: "procedure_code", colProcName: "procedure_name",
	colField: "field", colChannel: "channel", colReceived: "received_at", colDue: "due_at",
	colFinished: "finished_at", colReturned: "returned_at", colStatus: "status", colSuppK: "supplement_requests",
	colSuppDays: "supplement_days", colFee: "fee_required", colPaid: "paid_online", colDigDossier: "digitized_dossier",
	colDigResult: "digitized_result", colReused: "reused_data", colSynced: "synced_national", colRating: "rating",
}

// bigRows generates the header and data rows of a benchmark export and
// hands each to emit (which must not keep the slice). It returns the data
// rows emitted and the first error of emit.
func bigRows(o BigOptions, emit func([]string) error) (int, error) {
	rows, seed := o.Rows, o.Seed
	if seed == 0 {
		seed = 1
	}
	cols, dl := bigColumns, bigDialect
	if o.CanonicalHeaders {
		cols = nil
		for _, c := range bigColumns {
			if name, ok := bigCanonical[c.field]; ok {
				cols = append(cols, column{header: name, field: c.field})
			}
		}
		dl.unitRef = unitCode
	}
	var us []*unit
	var cum []float64
	sum := 0.0
	for _, u := range bigRegistry(o.Communes) {
		if u.ValidTo != "" {
			continue
		}
		us = append(us, u)
		sum += u.weight
		cum = append(cum, sum)
	}
	gens := make([]*lifeGen, len(us))
	for i, u := range us {
		gens[i] = newLifeGenIn(u, rng(seed, "big-life:"+u.Code), bigFirstDay, bigLastDay)
	}
	var workdays []time.Time
	for d := bigFirstDay; !d.After(bigLastDay); d = d.AddDate(0, 0, 1) {
		if isWorkingDay(d) {
			workdays = append(workdays, d)
		}
	}
	if o.Days > 0 && o.Days < len(workdays) {
		workdays = workdays[len(workdays)-o.Days:]
	}
	r := rng(seed, "big")
	people := &peopleGen{r: rng(seed, "big-people")}
	exportAt := time.Date(2026, 11, 3, 8, 0, 0, 0, ict)

	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.header
	}
	if err := emit(rec); err != nil {
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
		d.code = dossierCode(us[ui], d.received, o.SeqBase+seq[ui], d.channel)
		// Applicants come back: half the rows reuse one of the last few
		// thousand (a fixed ring, so memory stays constant). Drawn under
		// CanonicalHeaders too, so that the dossiers stay the same.
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
		cells := renderRow(r, &dl, cols, d, d.at(exportAt))
		for i, c := range cells {
			rec[i] = c.text()
		}
		if err := emit(rec); err != nil {
			return n, fmt.Errorf("samplegen: writing row %d: %w", n+1, err)
		}
	}
	return max(rows, 0), nil
}
