package datasets

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/transforms"
)

// The survey and the adjustments are lists: one row per unit (and reason),
// under a header found among title rows like the sheet's.

var unitKeys = []string{"madonvi", "tendonvi", "donvi", "coquan", "tencoquan", "madv"}
var periodColumn = column{"period", []string{"nam", "kydanhgia", "ky", "namdanhgia"}}

var surveyColumns = []column{
	{"unit", unitKeys},
	{"points", []string{"diemdtxhh", "diemdieutraxahoihoc", "diem", "diemkhaosat"}},
	{"rate", []string{"tylehailong", "chisohailong", "tyle", "tylehailongtrungbinh"}},
	periodColumn,
}

var adjustColumns = []column{
	{"unit", unitKeys},
	{"points", []string{"diem", "diemthuongtru", "diemcong", "sodiem"}},
	{"bonus", []string{"diemthuong", "diemcongthuong"}},
	{"penalty", []string{"diemtru", "diembitru"}},
	{"reason", []string{"lydo", "noidung", "lydothuongtru", "canchu", "ghichu"}},
	periodColumn,
}

// listFile is a list's rows under its header, with the period of its title.
type listFile struct {
	idx    map[string]int
	header []string
	rows   []row
	period string // from the source or a title row; a period column overrides per row
}

func readList(in Input, cols []column, required []string, oneOf []string) (*listFile, *Parsed, error) {
	rows, format, enc, digest, err := readAll(in)
	out := &Parsed{Format: format, Encoding: enc, Digest: digest}
	if err != nil {
		return nil, out, err
	}
	var idx map[string]int
	var header []string
	next, ok := 0, false
	for _, o := range oneOf {
		if idx, header, next, ok = findHeader(rows, cols, append(required[:len(required):len(required)], o)); ok {
			break
		}
	}
	if !ok {
		return nil, out, fmt.Errorf("tệp %s: không tìm thấy dòng tiêu đề (cần cột đơn vị và một trong các cột %s)", in.File, strings.Join(oneOf, ", "))
	}
	lf := &listFile{idx: idx, header: header, rows: rows[next:], period: in.Period}
	if lf.period == "" {
		if lf.period, err = titleRowsPeriod(rows[:max(0, next-1)], in.File); err != nil {
			return nil, out, err
		}
	}
	if lf.period != "" {
		if lf.period, err = parsePeriod(lf.period, in.Convention); err != nil {
			return nil, out, fmt.Errorf("tệp %s: %w", in.File, err)
		}
	} else if _, ok := idx["period"]; !ok {
		return nil, out, fmt.Errorf("tệp %s: không biết kỳ đánh giá: cần period: của nguồn, dòng tiêu đề \"… năm 2025\" hoặc cột Năm/Kỳ đánh giá", in.File)
	}
	out.Mapping = mapping(header, idx, cols)
	return lf, out, nil
}

// each walks the list's data rows, giving the row's unit and period or the
// reason the row cannot be loaded. Total and blank rows are skipped.
func (lf *listFile) each(in Input, fn func(r row, get func(string) string, unit, period string, bad *transforms.RowError)) {
	for _, r := range lf.rows {
		get := func(name string) string { return cell(r.cells, col(lf.idx, name)) }
		u := get("unit")
		if u == "" && strings.Join(r.cells, "") == "" {
			continue
		}
		if isTotal(u) || (u == "" && isTotal(strings.Join(r.cells, " "))) {
			continue
		}
		period := lf.period
		var bad *transforms.RowError
		if v := get("period"); v != "" {
			p, err := parsePeriod(v, in.Convention)
			if err != nil {
				// The value is quoted masked: a cell of the period column may
				// hold anything, a name or a phone number included.
				bad = &transforms.RowError{Row: r.n, Column: cell(lf.header, lf.idx["period"]), Raw: rejected(v),
					Reason: fmt.Sprintf("kỳ đánh giá %s không hợp lệ (ví dụ 2025, 2025-H1)", rejected(quoted(strings.TrimSpace(v)))), Code: CodeBadPeriod}
			}
			period = p
		}
		if period == "" && bad == nil {
			bad = &transforms.RowError{Row: r.n, Column: "Kỳ đánh giá", Reason: "dòng không ghi kỳ đánh giá", Code: CodeBadPeriod}
		}
		// A name two units of different times share is the one standing
		// at the period's end (units.ResolveAt), as on a scoring sheet.
		code, ok := in.Units.Resolve(u)
		if period != "" {
			code, ok = in.Units.ResolveAt(u, periodEnd(period, in.Convention))
		}
		if bad == nil && !ok {
			u = maskUnit(u)
			bad = &transforms.RowError{Row: r.n, Column: cell(lf.header, lf.idx["unit"]), Raw: u,
				Reason: fmt.Sprintf("đơn vị %s không có trong danh mục đơn vị (units)", maskShapes(quoted(u))), Code: transforms.CodeUnknownUnit}
		}
		fn(r, get, code, period, bad)
	}
}

// raw renders a quarantined row's recognised cells for the clerk, each
// masked by the rule of its column as a dossier's raw_record is (package
// pii): the unit as a unit name (maskUnit), the reason as free text
// (pii.Mask), a figure or period as it is when it reads and with
// pii.MaskRejected when it does not or has a personal-data shape.
// Unrecognised columns are left out: an unknown header may hold personal
// data.
func (lf *listFile) raw(r row, in Input) string {
	m := map[string]string{}
	for name, j := range lf.idx {
		if v := cell(r.cells, j); v != "" {
			m[cell(lf.header, j)] = maskListCell(name, v, in)
		}
	}
	return rawRecord(m)
}

// maskListCell masks the cell v of the list column name (see raw).
func maskListCell(name, v string, in Input) string {
	switch name {
	case "unit":
		return maskUnit(v)
	case "reason":
		return mask(v)
	case "period":
		if _, err := parsePeriod(v, in.Convention); err == nil && len(pii.FindShapes(v)) == 0 {
			return v
		}
	case "points", "rate", "bonus", "penalty":
		// A figure with a personal-data shape (nine or twelve digits: an
		// ID number pasted into the column) is masked though it reads.
		if _, err := ParsePoints(strings.TrimSuffix(strings.TrimSpace(v), "%")); err == nil && len(pii.FindShapes(v)) == 0 {
			return v
		}
	default:
		return mask(v)
	}
	return rejected(v)
}

// maskUnit masks a unit cell: numbers, e-mail and JSON only when it reads
// as a unit name (which may hold a person's name: phường Ngô Quyền, and
// the clerk needs it to add an alias), names too when it does not (then a
// name in it is a person's), as in dossiers.
func maskUnit(u string) string {
	if transforms.UnitLike(u) {
		return maskShapes(u)
	}
	return mask(u)
}

func nilIfNoUnit(s string) any { return nilIfEmpty(s) }

// ParSurvey is the sociological survey: one result per unit and period.
var ParSurvey = register(&Dataset{
	Name: "par_survey",
	Stage: schema(
		arrow.Field{Name: "period", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "unit_code", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "points", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "rate", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	),
	Key:    []string{"period", "unit_code"},
	Tables: []string{"par_survey_results"},
	Parse:  parseSurvey,
})

func parseSurvey(in Input) (*Parsed, error) {
	lf, out, err := readList(in, surveyColumns, []string{"unit"}, []string{"rate", "points"})
	if err != nil {
		return out, err
	}
	lf.each(in, func(r row, get func(string) string, unit, period string, bad *transforms.RowError) {
		var points, rate any
		if bad == nil {
			bad = func() *transforms.RowError {
				if _, ok := lf.idx["rate"]; ok && written(get("rate")) {
					raw := strings.TrimSuffix(strings.TrimSpace(get("rate")), "%")
					p, err := ParsePoints(raw)
					if err != nil || !p.Set || p.Value < 0 || p.Value > 100 {
						return &transforms.RowError{Row: r.n, Column: cell(lf.header, lf.idx["rate"]), Raw: rejected(get("rate")),
							Reason: "tỷ lệ hài lòng phải là số từ 0 đến 100 (hoặc từ 0 đến 1)", Code: CodeImpossibleScore}
					}
					v := p.Value
					// 0..1 is a fraction, above 1 a percentage; 1 itself is 100%.
					if v > 1 || strings.HasSuffix(strings.TrimSpace(get("rate")), "%") {
						v /= 100
					}
					rate = v
					return nil
				}
				if _, ok := lf.idx["points"]; ok && written(get("points")) {
					p, err := ParsePoints(get("points"))
					if err != nil || !p.Set || p.Value < 0 {
						return &transforms.RowError{Row: r.n, Column: cell(lf.header, lf.idx["points"]), Raw: rejected(get("points")),
							Reason: "điểm điều tra xã hội học phải là số không âm", Code: CodeImpossibleScore}
					}
					points = p.Value
					return nil
				}
				return &transforms.RowError{Row: r.n, Column: "Điểm ĐTXHH", Reason: "dòng không có điểm hay tỷ lệ hài lòng", Code: CodeMissingPoints}
			}()
		}
		if bad != nil {
			out.Rejections = append(out.Rejections, *bad)
			points, rate = nil, nil
		}
		out.Rows = append(out.Rows, append([]any{nilIfEmpty(period), nilIfNoUnit(unit), points, rate}, in.tail(r.n, bad, rawIf(bad, lf, r, in))...))
	})
	return out, nil
}

// written reports whether a survey cell holds something: a blank cell or
// "-" (the usual "no figure" of a list with both columns) does not, so a
// row with a rate of "-" and its points next to it is read by its points.
func written(v string) bool {
	p, err := ParsePoints(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	return err != nil || p.Set || p.NA
}

func rawIf(bad *transforms.RowError, lf *listFile, r row, in Input) string {
	if bad == nil {
		return ""
	}
	return lf.raw(r, in)
}

// ParAdjustments are bonus and penalty decisions: signed points and a reason
// per unit and period. Caps are the methodology's, not the load's.
var ParAdjustments = register(&Dataset{
	Name: "par_adjustments",
	Stage: schema(
		arrow.Field{Name: "period", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "unit_code", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "reason", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "points", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	),
	Key:    []string{"period", "unit_code", "reason"},
	Tables: []string{"par_adjustment_rows"},
	Parse:  parseAdjustments,
})

func parseAdjustments(in Input) (*Parsed, error) {
	lf, out, err := readList(in, adjustColumns, []string{"unit", "reason"}, []string{"points", "bonus", "penalty"})
	if err != nil {
		return out, err
	}
	// Masking makes reasons that differ only by the person they name equal
	// ("Khen thưởng đồng chí [họ tên]"): within a file each other raw
	// reason of one unit, period and masked reason is another decision and
	// takes the first ordinal key no other raw reason holds ("… [họ tên]
	// (2)"), in the order the file lists them; a written reason may itself
	// end as an ordinal does. Only rows whose raw reasons are equal are one
	// decision written twice (duplicate_in_file in the merge). The raw
	// reasons stay in memory for the file only (bounded by MaxRows).
	type decision struct{ period, unit, reason string }
	used := map[decision]string{} // each key given, and the raw reason holding it
	lf.each(in, func(r row, get func(string) string, unit, period string, bad *transforms.RowError) {
		var pts any
		// The reason is free text: it may name the person a decision was
		// about, with a phone number (package pii: free text through Mask).
		reason := mask(get("reason"))
		if reason != "" {
			raw, key := get("reason"), reason
			for n := 1; ; n++ {
				if n > 1 {
					key = fmt.Sprintf("%s (%d)", reason, n)
				}
				if holder, ok := used[decision{period, unit, key}]; !ok || holder == raw {
					break
				}
			}
			used[decision{period, unit, key}] = raw
			reason = key
		}
		if bad == nil {
			bad = func() *transforms.RowError {
				read := func(name string) (float64, bool, *transforms.RowError) {
					if _, ok := lf.idx[name]; !ok || get(name) == "" {
						return 0, false, nil
					}
					p, err := ParsePoints(get(name))
					if err != nil || !p.Set {
						return 0, false, &transforms.RowError{Row: r.n, Column: cell(lf.header, lf.idx[name]), Raw: rejected(get(name)), Reason: "điểm thưởng/trừ không phải là số", Code: transforms.CodeUnparseableNumber}
					}
					return p.Value, true, nil
				}
				v, okV, e1 := read("points")
				b, okB, e2 := read("bonus")
				p, okP, e3 := read("penalty")
				for _, e := range []*transforms.RowError{e1, e2, e3} {
					if e != nil {
						return e
					}
				}
				if okB && b < 0 {
					// A negative bonus is a penalty in the wrong column or a
					// typo; taking its size as a bonus would swing the unit
					// by twice the amount.
					return &transforms.RowError{Row: r.n, Column: cell(lf.header, lf.idx["bonus"]), Raw: rejected(get("bonus")),
						Reason: "điểm thưởng âm: ghi vào cột Điểm trừ", Code: CodeImpossibleScore}
				}
				n := 0
				for _, ok := range []bool{okV, okB && b != 0, okP && p != 0} {
					if ok {
						n++
					}
				}
				switch {
				case n == 0 && (okB || okP):
					v = 0
				case n == 0:
					return &transforms.RowError{Row: r.n, Column: "Điểm", Reason: "dòng không có điểm thưởng hay điểm trừ", Code: CodeMissingPoints}
				case n > 1:
					return &transforms.RowError{Row: r.n, Column: "Điểm", Reason: "một dòng chỉ ghi một khoản: điểm thưởng hoặc điểm trừ", Code: CodeTwoAmounts}
				case okB && b != 0:
					v = b
				case okP && p != 0:
					v = -math.Abs(p) // a penalty written as a positive number
				}
				if reason == "" {
					return &transforms.RowError{Row: r.n, Column: "Lý do", Reason: "thiếu lý do thưởng/trừ", Code: CodeMissingReason}
				}
				pts = v
				return nil
			}()
		}
		if bad != nil {
			out.Rejections = append(out.Rejections, *bad)
			pts = nil
		}
		out.Rows = append(out.Rows, append([]any{nilIfEmpty(period), nilIfNoUnit(unit), nilIfEmpty(reason), pts}, in.tail(r.n, bad, rawIf(bad, lf, r, in))...))
	})
	return out, nil
}

// quoted puts s between double quotes for a message, control characters
// as spaces. It is masked after quoting: Go's %q escapes ("\v@0.0") can
// themselves read as a personal-data shape.
func quoted(s string) string {
	return `"` + strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s) + `"`
}

func rejected(s string) string { m, _ := pii.MaskRejected(s); return m }
