package datasets

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
)

func mask(s string) string       { m, _ := pii.Mask(s); return m }
func maskShapes(s string) string { m, _ := pii.MaskShapes(s); return m }

// Columns of a scoring sheet (docs/contract.md, "The provincial CCHC index").
var sheetColumns = []column{
	{"stt", []string{"stt", "tt", "sott", "sothutu"}},
	{"name", []string{"linhvuctieuchitieuchithanhphan", "linhvuctieuchi", "tieuchitieuchithanhphan", "noidungdanhgia",
		"tieuchi", "noidung", "noidungtieuchi", "linhvuctieuchitieuchithanhphandanhgia", "tieuchidanhgia"}},
	{"max_points", []string{"diemtoida", "toida", "diemchuan", "thangdiem", "diemtoidadatduoc"}},
	{"self_points", []string{"diemtudanhgia", "tudanhgia", "tucham", "diemtucham", "diemdonvitucham", "diemdonvitudanhgia"}},
	{"appraised_points", []string{"diemthamdinh", "thamdinh", "diemhoidongthamdinh", "hoidongthamdinh", "diemsauthamdinh", "~diemdatduoc"}},
	{"evidence", []string{"tailieukiemchung", "tailieuchungminh"}},
	{"note", []string{"ghichu"}},
}

var sheetRequired = []string{"stt", "name", "max_points", "appraised_points"}

// Node is a field, criterion or component of a scoring sheet.
type Node struct {
	Code, ParentCode string // path codes: I, I.1, I.1.2
	Depth            int    // 1 field, 2 criterion, 3+ component
	Seq              int    // order in the sheet, 1-based
	STT, Name        string
	Max              Point
	Self, Appraised  Point
	Leaf             bool
	Rule             []string // rows without STT under the node
	Evidence, Note   string
	Row              int64 // row in the file
	Survey           bool  // the node is in the survey field
	Quarantine       *transforms.RowError
	raw              map[string]string // the row's cells by header, for quarantine
	children         []*Node
}

// Sheet is a scoring sheet as read.
type Sheet struct {
	Unit, UnitText string // unit code and the title text that named it ("" when the source's unit: was used)
	Period         string
	Header         []string
	Mapping        transforms.Mapping
	Nodes          []*Node // in sheet order
	Warnings       []string
}

// Tree is the sheet's tree signature, for the check that sheets of one
// period and peer group share one tree: every node's code in sheet order,
// with its maximum for a leaf and none for a parent ("I=-"), whose maximum
// is its leaves' sum. A figure written on a parent row is only checked
// against its children (checkSubtotal: a warning), so one sheet writing
// the subtotals the others leave blank shares their tree.
func (s *Sheet) Tree() []string {
	out := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		var mx *float64
		if n.Max.Set && n.Leaf {
			mx = &n.Max.Value
		}
		out[i] = TreeEntry(n.Code, mx)
	}
	return out
}

// TreeEntry is one node of a tree signature: "I.1=2,5" ("I.1=-" without a
// maximum: a parent, or a leaf without one).
func TreeEntry(code string, max *float64) string {
	if max == nil {
		return code + "=-"
	}
	return code + "=" + formatPoints(*max)
}

var unitTitle = regexp.MustCompile(`^(ten don vi|don vi|co quan|ten co quan)\s*[:：]`)

// ParseSheet reads a scoring sheet from its rows. A structural problem
// (no header, no unit, no period, a broken tree) fails the file; an
// impossible score fails only its row (Node.Quarantine).
func parseSheet(rows []row, in Input) (*Sheet, error) {
	idx, header, next, ok := findHeader(rows, sheetColumns, sheetRequired)
	if !ok {
		return nil, fmt.Errorf("tệp %s: không tìm thấy dòng tiêu đề của bảng điểm (cần các cột STT, tiêu chí, Điểm tối đa, Điểm thẩm định)", in.File)
	}
	sh := &Sheet{Header: header, Mapping: mapping(header, idx, sheetColumns), Period: in.Period}
	// Two points columns for one field: the council's points must never be
	// taken silently from the unit's column, nor the other way round.
	var err error
	if sh.Warnings, err = headerClashes(header, idx, sheetColumns, []string{"max_points", "self_points", "appraised_points"}, rows[next:]); err != nil {
		return nil, fmt.Errorf("tệp %s: %w", in.File, err)
	}
	// Title rows: the unit and the period.
	for _, r := range rows[:max(0, next-1)] {
		for _, c := range r.cells {
			c = cell([]string{c}, 0)
			if c == "" {
				continue
			}
			f := transforms.Fold(c)
			if sh.UnitText == "" && unitTitle.MatchString(f) {
				if i := strings.IndexAny(c, ":："); i >= 0 {
					_, size := utf8.DecodeRuneInString(c[i:])
					sh.UnitText = strings.TrimSpace(c[i+size:])
				}
			}
		}
	}
	if in.Period == "" {
		if sh.Period, err = titleRowsPeriod(rows[:max(0, next-1)], in.File); err != nil {
			return nil, err
		}
	}
	if sh.Period == "" {
		return nil, fmt.Errorf("tệp %s: không biết kỳ đánh giá: cần period: của nguồn hoặc dòng tiêu đề \"… năm 2025\"", in.File)
	}
	p, err := parsePeriod(sh.Period, in.Convention)
	if err != nil {
		return nil, fmt.Errorf("tệp %s: %w", in.File, err)
	}
	sh.Period = p
	switch {
	case sh.UnitText != "":
		// A name two units of different times share (a commune re-formed
		// under its old name) is the one standing at the period's end.
		code, ok := in.Units.ResolveAt(sh.UnitText, periodEnd(p, in.Convention))
		if !ok {
			return nil, fmt.Errorf("tệp %s: đơn vị %q ghi ở dòng tiêu đề không có trong danh mục đơn vị (units)", in.File, sh.UnitText)
		}
		sh.Unit = code
	case in.DefaultUnit != "":
		sh.Unit = in.DefaultUnit
	default:
		return nil, fmt.Errorf("tệp %s: không biết bảng điểm của đơn vị nào: cần dòng \"Đơn vị: …\" trên tiêu đề hoặc unit: của nguồn", in.File)
	}

	byCode := map[string]*Node{}
	var field, crit, last *Node
	var lastRow int64 // row of the last node or of its continuation rows
	var lastCells []string
	var total *row
	// Rule text below a blank row is held until a node follows it: without
	// a total row, the signature block under the table (names, phones)
	// would otherwise be the last node's rule text.
	var held []string
	var prevN int64
	gap := false
	for i := next; i < len(rows); i++ {
		r := rows[i]
		if last != nil && r.n > prevN+1 {
			gap = true // rows are the non-blank ones: a blank row lies between
		}
		prevN = r.n
		stt := ParseSTT(cell(r.cells, idx["stt"]))
		name := cell(r.cells, idx["name"])
		if stt.Kind == STTRule {
			if name == "" && stt.Text == "" {
				continue
			}
			if isTotal(name) || isTotal(stt.Text) {
				if last != nil {
					last.Rule = append(last.Rule, held...)
				}
				total = &rows[i]
				break // signatures and notes below the total are not the tree
			}
			if last != nil {
				text := strings.TrimSpace(strings.TrimSpace(stt.Text + " " + name))
				if text != "" && text != last.Name && gap {
					held = append(held, mask(text))
				} else if text != "" && text != last.Name {
					last.Rule = append(last.Rule, mask(text)) // a signature block below a sheet without a total row names people
				}
			}
			continue
		}
		if last != nil && stt.Text == last.STT && r.n == lastRow+1 && sameFigures(r.cells, lastCells, idx) {
			// A merged STT cell filled down over the node's rule rows. Its
			// points cells are empty or merged too (the same figures); a
			// row with figures of its own is a row copied without
			// renumbering, a duplicate code like any other.
			if name != "" && name != last.Name {
				last.Rule = append(last.Rule, mask(name))
			}
			lastRow = r.n
			continue
		}
		if last != nil {
			last.Rule = append(last.Rule, held...) // a node follows: the rows were its rule text
		}
		held, gap = nil, false
		// Personal data never enters the warehouse: evidence and notes may
		// name a person or give a phone number.
		n := &Node{STT: stt.Text, Name: maskShapes(name), Row: r.n, Seq: len(sh.Nodes) + 1,
			Evidence: mask(cell(r.cells, col(idx, "evidence"))), Note: mask(cell(r.cells, col(idx, "note"))), raw: map[string]string{}}
		for _, j := range idx {
			if v := cell(r.cells, j); v != "" {
				n.raw[cell(header, j)] = mask(v)
			}
		}
		switch stt.Kind {
		case STTField:
			n.Code, n.Depth = stt.Text, 1
			field, crit = n, nil
		case STTCriterion:
			if field == nil {
				return nil, fmt.Errorf("tệp %s: dòng %d: tiêu chí %s đứng trước mọi lĩnh vực (STT số La Mã I, II, …)", in.File, r.n, stt.Text)
			}
			n.Code, n.ParentCode, n.Depth = field.Code+"."+stt.Text, field.Code, 2
			crit = n
		case STTComponent:
			if field == nil || crit == nil {
				return nil, fmt.Errorf("tệp %s: dòng %d: tiêu chí thành phần %s không nằm dưới tiêu chí nào", in.File, r.n, stt.Text)
			}
			n.Code = field.Code + "." + stt.Text
			n.ParentCode = n.Code[:strings.LastIndex(n.Code, ".")]
			n.Depth = 1 + len(stt.Parts)
			if byCode[n.ParentCode] == nil {
				return nil, fmt.Errorf("tệp %s: dòng %d: tiêu chí thành phần %s không có tiêu chí cha %s", in.File, r.n, stt.Text, n.ParentCode)
			}
		}
		if prev := byCode[n.Code]; prev != nil {
			hint := ""
			if prev == last && r.n == lastRow+1 {
				// Read as a merged STT cell it would have lost its figures.
				hint = ": STT lặp lại dòng ngay trên nhưng có điểm riêng; đánh lại số thứ tự, hoặc nếu là cách chấm thì để trống STT và các ô điểm"
			}
			return nil, fmt.Errorf("tệp %s: dòng %d: mã %s trùng với dòng %d%s", in.File, r.n, n.Code, prev.Row, hint)
		}
		if n.ParentCode != "" {
			byCode[n.ParentCode].children = append(byCode[n.ParentCode].children, n)
		}
		byCode[n.Code] = n
		sh.Nodes = append(sh.Nodes, n)
		last, lastRow, lastCells = n, r.n, r.cells
		var selfWarn string
		n.Max, n.Self, n.Appraised, selfWarn = readPoints(n, r.cells, idx, header)
		if selfWarn != "" {
			sh.Warnings = append(sh.Warnings, selfWarn)
		}
	}
	if len(sh.Nodes) == 0 {
		return nil, fmt.Errorf("tệp %s: bảng điểm không có lĩnh vực hay tiêu chí nào (STT I, 1, 1.1)", in.File)
	}
	for _, n := range sh.Nodes {
		n.Leaf = len(n.children) == 0
		if n.Depth == 1 && IsSurveyField(n.Name) {
			markSurvey(n)
		}
	}
	in.surveyByCode(sh.Nodes)
	for _, n := range sh.Nodes {
		if n.Depth == 1 {
			checkLeaves(n, false, in, sh)
		}
	}
	for _, n := range sh.Nodes {
		if !n.Leaf {
			checkSubtotal(sh, n.Row, n.Code, n.Max, n.Appraised, n.children)
		}
	}
	if total != nil {
		var fields []*Node
		for _, n := range sh.Nodes {
			if n.Depth == 1 {
				fields = append(fields, n)
			}
		}
		mx, _ := ParsePoints(cell(total.cells, idx["max_points"]))
		ap, _ := ParsePoints(cell(total.cells, idx["appraised_points"]))
		checkSubtotal(sh, total.n, "tổng cộng", mx, ap, fields)
	}
	// A parent's maximum is its leaves' sum; the figure written on its row
	// was only checked above (a warning). Stored as the sum it is the same
	// in every sheet sharing the tree, blank or written, right or wrong,
	// whichever sheet the model reads a parent's maximum from (the survey
	// field's, a data-fed criterion's). Without a maximum on some leaf
	// (quarantined) the written figure is kept.
	for _, n := range sh.Nodes {
		if mx, ok := leafMaxSum(n); !n.Leaf && ok {
			n.Max = Point{Value: round(mx), Set: true}
		}
	}
	// The survey field's cells are not checked like the other leaves'
	// (the survey scores it), but its maximum is part of the unit's: left
	// blank (on a field without components, or on a component and the
	// field's row) it is unknown, and the model leaves the unit unranked
	// unless the methodology fixes the tree.
	for _, n := range sh.Nodes {
		if n.Depth == 1 && n.Survey && !n.Max.Set {
			sh.Warnings = append(sh.Warnings, fmt.Sprintf("dòng %d (%s): lĩnh vực điều tra xã hội học không có điểm tối đa: đơn vị chưa được xếp hạng cho đến khi bảng điểm ghi điểm tối đa (trừ khi phương pháp chấm điểm cố định cây tiêu chí)", n.Row, n.Code))
		}
	}
	return sh, nil
}

// leafMaxSum is the sum of the maxima of the leaves under n; ok is false
// when one of them has none.
func leafMaxSum(n *Node) (sum float64, ok bool) {
	if n.Leaf {
		return n.Max.Value, n.Max.Set
	}
	for _, c := range n.children {
		m, k := leafMaxSum(c)
		if !k {
			return 0, false
		}
		sum += m
	}
	return sum, true
}

// sameFigures reports whether each points cell of a row is empty or holds
// the figure of the node row above it.
func sameFigures(cells, node []string, idx map[string]int) bool {
	for _, name := range []string{"max_points", "self_points", "appraised_points"} {
		j, ok := idx[name]
		if !ok {
			continue
		}
		v, w := cell(cells, j), cell(node, j)
		if v == "" || v == w {
			continue
		}
		pv, e1 := ParsePoints(v)
		pw, e2 := ParsePoints(w)
		if e1 != nil || e2 != nil || pv != pw {
			return false
		}
	}
	return true
}

func col(idx map[string]int, name string) int {
	if i, ok := idx[name]; ok {
		return i
	}
	return -1
}

func isTotal(s string) bool {
	f := transforms.Fold(s)
	return strings.HasPrefix(f, "tong cong") || strings.HasPrefix(f, "tong diem") || strings.HasPrefix(f, "tong so diem") || f == "tong"
}

// pointErr is a points cell that could not be read; kept to quarantine the
// row if it is a scored leaf.
type pointErr struct {
	column, raw, why string
}

// readPoints reads a node row's points cells. An unreadable maximum or
// appraised figure is kept on the node (checkLeaves quarantines it on a
// scored leaf); an unreadable self-assessed figure only shows the
// difference from the council's, so it is left empty with a warning
// (selfWarn) rather than taking the unit out of the ranking.
func readPoints(n *Node, cells []string, idx map[string]int, header []string) (mx, self, ap Point, selfWarn string) {
	read := func(name string) Point {
		j, ok := idx[name]
		if !ok {
			return Point{}
		}
		raw := cell(cells, j)
		p, err := ParsePoints(raw)
		if err == nil {
			return p
		}
		m, _ := pii.MaskRejected(raw)
		if name == "self_points" {
			selfWarn = fmt.Sprintf("dòng %d (%s): không đọc được điểm tự đánh giá %q ở cột «%s»: để trống (điểm thẩm định vẫn được tính)", n.Row, n.Code, m, cell(header, j))
		} else if n.Quarantine == nil {
			n.Quarantine = &transforms.RowError{Row: n.Row, Column: cell(header, j), Raw: m, Reason: fmt.Sprintf("không đọc được số điểm %q", m), Code: transforms.CodeUnparseableNumber}
		}
		return p
	}
	mx, self, ap = read("max_points"), read("self_points"), read("appraised_points")
	return mx, self, ap, selfWarn
}

func markSurvey(n *Node) {
	n.Survey = true
	for _, c := range n.children {
		markSurvey(c)
	}
}

// checkLeaves quarantines the impossible scores of the leaves under n that
// count: outside the survey field and not under a "Không áp dụng" node.
func checkLeaves(n *Node, na bool, in Input, sh *Sheet) {
	na = na || n.Appraised.NA
	if n.Survey {
		n.Quarantine = nil // the survey field is scored by the survey
		for _, c := range n.children {
			checkLeaves(c, na, in, sh)
		}
		return
	}
	if !n.Leaf {
		if n.Quarantine != nil && n.Quarantine.Column != "" {
			// An unreadable figure on a parent row is checked like a
			// subtotal: a warning, never a score.
			sh.Warnings = append(sh.Warnings, fmt.Sprintf("dòng %d (%s): %s", n.Row, n.Code, n.Quarantine.Reason))
			n.Quarantine = nil
		}
		for _, c := range n.children {
			checkLeaves(c, na, in, sh)
		}
		return
	}
	if na {
		n.Quarantine = nil
		return
	}
	name := fmt.Sprintf("tiêu chí %s «%s»", n.Code, shorten(n.Name))
	if in.dataFed(n.Code) && n.Max.Set && n.Max.Value >= 0 {
		// The data scores this criterion; the sheet's appraised cell is
		// only a fallback when the unit has no data. An unreadable or
		// impossible figure there is dropped (NULL) with a warning rather
		// than quarantined: the data decides, the unit stays complete.
		warn := func(why string) {
			sh.Warnings = append(sh.Warnings, fmt.Sprintf("dòng %d (%s): %s (tiêu chí tính từ dữ liệu, bỏ qua điểm ghi trong phiếu)", n.Row, n.Code, why))
		}
		switch {
		case n.Quarantine != nil:
			// An unreadable cell parsed as empty: nothing else to clear.
			warn(name + ": " + n.Quarantine.Reason)
			n.Quarantine = nil
		case n.Appraised.Set && n.Appraised.Value < 0:
			warn(name + ": điểm thẩm định âm")
			n.Appraised = Point{}
		case n.Appraised.Set && n.Appraised.Value > n.Max.Value+1e-9:
			warn(fmt.Sprintf("%s: điểm thẩm định %s lớn hơn điểm tối đa %s", name, formatPoints(n.Appraised.Value), formatPoints(n.Max.Value)))
			n.Appraised = Point{}
		}
		return
	}
	q := func(column, raw, why string) {
		n.Quarantine = &transforms.RowError{Row: n.Row, Column: column, Raw: raw, Reason: name + ": " + why, Code: CodeImpossibleScore}
	}
	switch {
	case n.Quarantine != nil:
		code := n.Quarantine.Code
		q(n.Quarantine.Column, n.Quarantine.Raw, n.Quarantine.Reason)
		n.Quarantine.Code = code
	case !n.Max.Set:
		q("Điểm tối đa", "", "thiếu điểm tối đa")
	case n.Max.Value < 0:
		q("Điểm tối đa", formatPoints(n.Max.Value), "điểm tối đa âm")
	case !n.Appraised.Set:
		q("Điểm thẩm định", "", "chưa có điểm thẩm định")
	case n.Appraised.Value < 0:
		q("Điểm thẩm định", formatPoints(n.Appraised.Value), "điểm thẩm định âm")
	case n.Appraised.Value > n.Max.Value+1e-9:
		q("Điểm thẩm định", formatPoints(n.Appraised.Value), fmt.Sprintf("điểm thẩm định %s lớn hơn điểm tối đa %s", formatPoints(n.Appraised.Value), formatPoints(n.Max.Value)))
	}
}

func shorten(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}

// checkSubtotal compares the figures written on a parent row with the sums
// of its children; a mismatch is a warning naming the row.
func checkSubtotal(sh *Sheet, rowN int64, code string, mx, ap Point, children []*Node) {
	var sumMax, sumAp float64
	apKnown := true
	for _, c := range children {
		m, a, ok := sums(c)
		sumMax += m
		sumAp += a
		apKnown = apKnown && ok
	}
	if mx.Set && math.Abs(mx.Value-sumMax) > 0.005 {
		sh.Warnings = append(sh.Warnings, fmt.Sprintf("dòng %d (%s): điểm tối đa ghi %s ≠ tổng các tiêu chí con %s", rowN, code, formatPoints(mx.Value), formatPoints(round(sumMax))))
	}
	if ap.Set && apKnown && math.Abs(ap.Value-sumAp) > 0.005 {
		sh.Warnings = append(sh.Warnings, fmt.Sprintf("dòng %d (%s): điểm thẩm định ghi %s ≠ tổng các tiêu chí con %s", rowN, code, formatPoints(ap.Value), formatPoints(round(sumAp))))
	}
}

// sums are a node's maximum (the tree's, "Không áp dụng" included) and
// appraised points (its applicable leaves'); ok is false when a leaf's
// points are unknown (quarantined, or the survey's).
func sums(n *Node) (mx, ap float64, ok bool) {
	if n.Leaf {
		if n.Max.Set {
			mx = n.Max.Value
		}
		if n.Appraised.NA {
			return mx, 0, true
		}
		if n.Quarantine != nil || !n.Appraised.Set {
			return mx, 0, false
		}
		return mx, n.Appraised.Value, true
	}
	ok = true
	for _, c := range n.children {
		m, a, k := sums(c)
		mx += m
		ap += a
		ok = ok && k
	}
	if n.Appraised.NA {
		ap, ok = 0, true
	}
	return mx, ap, ok
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }

// sheetSchema is the stage schema of par_appraisal: the columns of
// par_sheet_rows before the provenance, then sheet_warnings (JSON list,
// the same on every row of a file) for par_sheets.
var sheetSchema = schema(
	arrow.Field{Name: "period", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "unit_code", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "code", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "parent_code", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "depth", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "seq", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "stt", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "name", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "max_points", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	arrow.Field{Name: "self_points", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	arrow.Field{Name: "appraised_points", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	arrow.Field{Name: "not_applicable", Type: arrow.FixedWidthTypes.Boolean},
	arrow.Field{Name: "is_leaf", Type: arrow.FixedWidthTypes.Boolean},
	arrow.Field{Name: "rule_text", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "evidence", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "sheet_warnings", Type: arrow.BinaryTypes.String, Nullable: true},
)

func pointValue(p Point) any {
	if !p.Set {
		return nil
	}
	return p.Value
}

// ParAppraisal is the scoring sheet of one unit for one period.
var ParAppraisal = register(&Dataset{
	Name:   "par_appraisal",
	Stage:  sheetSchema,
	Key:    []string{"period", "unit_code"}, // a unit's newer sheet replaces its whole sheet
	Tables: []string{"par_sheet_rows", "par_sheets"},
	Parse:  parseAppraisal,
})

func parseAppraisal(in Input) (*Parsed, error) {
	var merged []sources.CellRange
	in.Decode.Merged = func(m []sources.CellRange) { merged = m }
	rows, format, enc, digest, err := readAll(in)
	out := &Parsed{Format: format, Encoding: enc, Digest: digest}
	if err != nil {
		return out, err
	}
	sh, err := parseSheet(rows, in)
	if err != nil {
		return out, err
	}
	if err := checkMergedPoints(sh, rows, merged, in.File); err != nil {
		return out, err
	}
	out.Sheet, out.Mapping = sh, sh.Mapping
	var warn any
	if len(sh.Warnings) > 0 {
		b, _ := json.Marshal(sh.Warnings)
		warn = string(b)
	}
	for _, n := range sh.Nodes {
		var parent, rule any
		if n.ParentCode != "" {
			parent = n.ParentCode
		}
		if len(n.Rule) > 0 {
			rule = strings.Join(n.Rule, "\n")
		}
		ap := pointValue(n.Appraised)
		r := []any{sh.Period, sh.Unit, n.Code, parent, int32(n.Depth), int32(n.Seq), n.STT, n.Name,
			pointValue(n.Max), pointValue(n.Self), ap, n.Appraised.NA, n.Leaf, rule, nilIfEmpty(n.Evidence), nilIfEmpty(n.Note), warn}
		var rec string
		if n.Quarantine != nil {
			rec = rawRecord(n.raw)
			out.Rejections = append(out.Rejections, *n.Quarantine)
		}
		out.Rows = append(out.Rows, append(r, in.tail(n.Row, n.Quarantine, rec)...))
	}
	return out, nil
}

func rawRecord(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b, _ := json.Marshal(m) // encoding/json sorts map keys
	return string(b)
}

// Describe is what `cchc validate` shows of a sheet: the unit, the period
// and the tree it read (fields, criteria, components with their maxima),
// then the subtotal warnings.
func (s *Sheet) Describe() []string {
	unit := s.Unit
	if s.UnitText != "" {
		unit += fmt.Sprintf(" (dòng tiêu đề: %q)", s.UnitText)
	} else {
		unit += " (unit: của nguồn)"
	}
	out := []string{"đơn vị " + unit + ", kỳ " + s.Period}
	var fields, crits, comps int
	for _, n := range s.Nodes {
		switch {
		case n.Depth == 1:
			fields++
		case n.Depth == 2:
			crits++
		default:
			comps++
		}
	}
	out = append(out, fmt.Sprintf("cây tiêu chí: %d lĩnh vực, %d tiêu chí, %d tiêu chí thành phần", fields, crits, comps))
	for _, n := range s.Nodes {
		mx := "-"
		if n.Max.Set {
			mx = formatPoints(n.Max.Value)
		}
		var tags []string
		if n.Survey && n.Depth == 1 {
			tags = append(tags, "điều tra xã hội học")
		}
		if n.Appraised.NA {
			tags = append(tags, "không áp dụng")
		}
		if len(n.Rule) > 0 {
			tags = append(tags, "có cách chấm")
		}
		if n.Quarantine != nil {
			tags = append(tags, "bị loại: "+n.Quarantine.Reason)
		}
		tag := ""
		if len(tags) > 0 {
			tag = " [" + strings.Join(tags, "; ") + "]"
		}
		out = append(out, fmt.Sprintf("%s%-8s %s — tối đa %s%s", strings.Repeat("  ", n.Depth-1), n.Code, shorten(n.Name), mx, tag))
	}
	for _, w := range s.Warnings {
		out = append(out, "cảnh báo: "+w)
	}
	return out
}
