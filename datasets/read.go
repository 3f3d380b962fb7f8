package datasets

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/xuri/excelize/v2"

	"github.com/cchc/cchc/periods"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
)

// row is one non-blank row of a file read whole.
type row struct {
	n     int64 // row number in the file (0 for the decoder's header row when it is unknown)
	cells []string
}

// readAll decodes a whole file into rows, the first non-blank row (what the
// decoder took as its header) included: the PAR parsers find their own
// header among the title rows. It fails the file beyond maxRows rows.
func readAll(in Input) (rows []row, format, encoding string, digest sources.Digest, err error) {
	opts := in.Decode
	opts.HeaderScore = nil // every row comes back; the dataset finds its header
	opts.BatchRows = 256   // check the row cap as rows come
	if in.Units != nil {
		opts.IsUnit = func(s string) bool { _, ok := in.Units.Resolve(s); return ok }
	}
	max := in.MaxRows
	if max <= 0 {
		max = DefaultMaxRows
	}
	raw, err := sources.Open(in.Path, opts)
	if err != nil {
		return nil, "", "", digest, err
	}
	defer func() {
		raw.Close()
		format, encoding, digest = raw.Format(), raw.Encoding(), raw.Digest()
	}()
	first := true
	for {
		rec, err := raw.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", "", digest, err
		}
		if first {
			rows = append(rows, row{cells: raw.Header()})
			first = false
		}
		nc := int(rec.NumCols()) - 1
		rowCol := rec.Column(nc).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			cells := make([]string, nc)
			for c := 0; c < nc; c++ {
				cells[c] = rec.Column(c).(*array.String).Value(i)
			}
			rows = append(rows, row{n: rowCol.Value(i), cells: cells})
		}
		rec.Release()
		if len(rows) > max {
			return nil, "", "", digest, fmt.Errorf("tệp %s: hơn %d dòng: không phải bảng điểm/danh sách của một kỳ đánh giá (more than %d rows)", in.File, max, max)
		}
	}
	if first {
		// A file whose only non-blank row is the decoder's header.
		if h := raw.Header(); len(h) > 0 {
			rows = append(rows, row{cells: h})
		}
	}
	// The decoder's header row comes before the first data row.
	if len(rows) > 1 && rows[0].n == 0 {
		rows[0].n = rows[1].n - 1
	}
	return rows, "", "", digest, nil
}

func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(transforms.NFC(cells[i]))
}

// A header column of a PAR file: its canonical name and the keys
// (transforms.Key) of the headers that name it. A key marked "~" is a weak
// spelling: it names the column only when no other spelling does
// ("Điểm đạt được", which some sheets use for the unit's own score beside
// the council's "Điểm thẩm định").
type column struct {
	name string
	keys []string
}

// rank is how well key k names the column: 0 a spelling of its own, 1 a
// weak one; ok is false when k does not name it.
func (c column) rank(k string) (r int, ok bool) {
	for _, key := range c.keys {
		if weak, found := strings.CutPrefix(key, "~"); found && weak == k {
			return 1, true
		} else if key == k {
			return 0, true
		}
	}
	return 0, false
}

// findHeader looks among the first rows for the row, or pair of rows (a
// merged two-row header, named by the lower cell where it has text), that
// names every required column; the most columns named wins, ties to the
// earliest. It returns the column index per name, the header as read, and
// the index of the first row below the header.
func findHeader(rows []row, cols []column, required []string) (idx map[string]int, header []string, next int, ok bool) {
	best := -1
	for i := 0; i < len(rows) && i < 40; i++ {
		cands := [][]string{rows[i].cells}
		if i+1 < len(rows) {
			cands = append(cands, combine(rows[i].cells, rows[i+1].cells))
		}
		for k, h := range cands {
			m := matchHeader(h, cols)
			if !hasAll(m, required) || len(m) <= best {
				continue
			}
			best, idx, header, next, ok = len(m), m, h, i+1+k, true
		}
		if ok {
			break
		}
	}
	return idx, header, next, ok
}

func combine(upper, lower []string) []string {
	n := max(len(upper), len(lower))
	out := make([]string, n)
	for i := range n {
		u, l := cell(upper, i), cell(lower, i)
		if l != "" {
			out[i] = l
		} else {
			out[i] = u
		}
	}
	return out
}

// matchHeader maps each column name to the header cell that names it: the
// best-ranked spelling, the first in header order among equals
// (headerClashes reports the others).
func matchHeader(h []string, cols []column) map[string]int {
	m := map[string]int{}
	best := map[string]int{}
	for i, c := range h {
		k := transforms.Key(c)
		if k == "" {
			continue
		}
		for _, col := range cols {
			r, ok := col.rank(k)
			if !ok {
				continue
			}
			if b, taken := best[col.name]; taken && b <= r {
				continue
			}
			m[col.name], best[col.name] = i, r
		}
	}
	return m
}

// headerClashes looks, for each of the named columns, for header cells
// that name it besides the one matchHeader chose and have figures in the
// data rows below: one spelled as well as the chosen one is an error
// (which of the two columns counts is the clerk's call); a weaker one a
// warning that the column is not read. A column without figures (a header
// cell merged across two columns) misleads nobody.
func headerClashes(h []string, idx map[string]int, cols []column, names []string, data []row) (warnings []string, err error) {
	filled := func(i int) bool {
		for _, r := range data {
			if cell(r.cells, i) != "" {
				return true
			}
		}
		return false
	}
	label := func(i int) string {
		l, _ := excelize.ColumnNumberToName(i + 1)
		return fmt.Sprintf("«%s» (cột %s)", cell(h, i), l)
	}
	for _, col := range cols {
		chosen, ok := idx[col.name]
		if !ok || !slices.Contains(names, col.name) {
			continue
		}
		r0, _ := col.rank(transforms.Key(cell(h, chosen)))
		for i := range h {
			r, ok := col.rank(transforms.Key(cell(h, i)))
			if !ok || i == chosen || !filled(i) {
				continue
			}
			if r == r0 {
				return nil, fmt.Errorf("hai cột cùng là %s: %s và %s: giữ một cột hoặc đổi tên cột kia", columnLabel[col.name], label(chosen), label(i))
			}
			warnings = append(warnings, fmt.Sprintf("cột %s không được đọc: %s lấy ở cột %s", label(i), columnLabel[col.name], label(chosen)))
		}
	}
	return warnings, nil
}

// columnLabel names a PAR column for a clerk.
var columnLabel = map[string]string{
	"max_points": "điểm tối đa", "self_points": "điểm tự đánh giá", "appraised_points": "điểm thẩm định",
}

func hasAll(m map[string]int, names []string) bool {
	for _, n := range names {
		if _, ok := m[n]; !ok {
			return false
		}
	}
	return true
}

// mapping reports a header's mapping for the ledger and validate.
func mapping(header []string, idx map[string]int, cols []column) transforms.Mapping {
	mp := transforms.Mapping{Columns: map[string]string{}}
	used := map[int]bool{}
	for name, i := range idx {
		mp.Columns[cell(header, i)] = name
		used[i] = true
	}
	for i, h := range header {
		if !used[i] && strings.TrimSpace(h) != "" {
			mp.Unmapped = append(mp.Unmapped, cell(header, i))
		}
	}
	for _, c := range cols {
		if _, ok := idx[c.name]; !ok {
			mp.Missing = append(mp.Missing, c.name)
		}
	}
	return mp
}

// dateBlank is what stands for a day or month left to be filled in, and
// the spaces around it: spaces, dots, an ellipsis, underscores, dashes.
const dateBlank = `[\s._…\-]*`

var (
	kyRe   = regexp.MustCompile(`\bky danh gia\s*[:：]?\s*(\d{4}(-(h[12]|q[1-4]))?)\b`)
	yearRe = regexp.MustCompile(`\bnam(?: danh gia)?\s*[:：]?\s*(\d{4})\b`)
	// dateRe is a written date ("Hà Nội, ngày 20 tháng 01 năm 2026"): the
	// day a sheet was signed, never its period. The national-motto block
	// usually leaves day and month to be filled in by hand at signing
	// ("ngày     tháng     năm 2026", "ngày … tháng … năm 2026", "ngày ..
	// tháng .. năm 2026", "ngày __ tháng __ năm 2026"), and a date may give
	// the month alone ("tháng 01 năm 2026"); "6 tháng đầu năm 2025" and
	// "6 tháng năm 2025" are periods, not dates (no month number).
	dateRe = regexp.MustCompile(`\bngay` + dateBlank + `(?:\d{1,2}` + dateBlank + `)?thang` + dateBlank + `(?:\d{1,2}` + dateBlank + `)?nam` + dateBlank + `\d{4}\b` +
		`|\bthang` + dateBlank + `\d{1,2}` + dateBlank + `nam` + dateBlank + `\d{4}\b`)
	halfRe = regexp.MustCompile(`\b6 thang (dau|cuoi)\b`)
)

// titlePeriod reads the assessment period from a title row: "… năm 2025",
// "Năm 2025", "Năm: 2025" and "Năm đánh giá: 2025" are '2025', "6 tháng đầu
// năm 2025" '2025-H1', "Kỳ đánh giá: 2025-H2" '2025-H2'. A written date
// ("ngày 20 tháng 01 năm 2026", the signing day) names no period.
func titlePeriod(text string) string {
	f := dateRe.ReplaceAllString(transforms.Fold(text), " ")
	if m := kyRe.FindStringSubmatch(f); m != nil {
		return strings.ToUpper(m[1])
	}
	m := yearRe.FindStringSubmatch(f)
	if m == nil {
		return ""
	}
	if h := halfRe.FindStringSubmatch(f); h != nil {
		if h[1] == "dau" {
			return m[1] + "-H1"
		}
		return m[1] + "-H2"
	}
	return m[1]
}

// titleRowsPeriod is the period the title rows (above the header) name,
// "" when none does. Rows naming two different periods fail the file, the
// clerk choosing between them (a document cited in the title, a year typed
// wrong): taking the first would load a sheet under the wrong period. The
// cells quoted in the error are masked (a title row may name a signer).
func titleRowsPeriod(rows []row, file string) (string, error) {
	var period, cellText string
	var at int64
	for _, r := range rows {
		for _, c := range r.cells {
			c = cell([]string{c}, 0)
			p := titlePeriod(c)
			switch {
			case p == "" || p == period:
			case period == "":
				period, cellText, at = p, c, r.n
			default:
				return "", fmt.Errorf("tệp %s: dòng tiêu đề ghi hai kỳ đánh giá khác nhau: %s (dòng %d: %q) và %s (dòng %d: %q): sửa dòng tiêu đề hoặc ghi period: của nguồn",
					file, period, at, shorten(mask(cellText)), p, r.n, shorten(mask(c)))
			}
		}
	}
	return period, nil
}

// periodEnd is the end (exclusive) of a period parsePeriod accepted; the
// zero time, which no unit stands at, when it does not parse.
func periodEnd(name, convention string) time.Time {
	if convention == "" {
		convention = periods.Calendar
	}
	p, err := periods.Parse(name, convention)
	if err != nil {
		return time.Time{}
	}
	return p.End
}

// parsePeriod checks a period written in a cell ('2025', '2025-H1',
// "Năm 2025").
func parsePeriod(s, convention string) (string, error) {
	s = strings.TrimSpace(s)
	if p := titlePeriod(s); p != "" && !strings.Contains(s, "-") {
		s = p
	}
	if strings.HasSuffix(s, ".0") { // a year Excel stored as a number
		s = strings.TrimSuffix(s, ".0")
	}
	if convention == "" {
		convention = periods.Calendar
	}
	p, err := periods.Parse(s, convention)
	if err != nil {
		return "", fmt.Errorf("kỳ đánh giá %q không hợp lệ (ví dụ 2025, 2025-H1)", s)
	}
	return p.Name, nil
}
