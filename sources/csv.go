package sources

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cchc/cchc/vnenc"
)

const (
	// sniffBytes is how much decoded text is examined to choose the
	// delimiter.
	sniffBytes = 64 << 10
	// sniffLines is how many non-blank lines are examined.
	sniffLines = 20
	// maxRecordLines bounds the line breaks inside one record: more means an
	// unbalanced quote is swallowing the rows after it, which must not pass
	// silently.
	maxRecordLines = 200
)

// delimiters are the candidate field separators, in order of preference.
var delimiters = []rune{',', ';', '\t', '|'}

// openCSV decodes a delimited text file. The character encoding is
// detected by vnenc (UTF-8 with or without BOM, UTF-16, Windows-1258, TCVN3,
// VNI); the delimiter is sniffed among , ; tab and |, or given by an Excel
// "sep=X" first line. Row numbers are the line on which a record starts.
//
// Detection is helped by opts.HeaderScore: each candidate decoding of the
// first 64 KiB is scored on how well its lines name known columns as well as
// on its syllables, so a header that reads "Mã hồ sơ" in one decoding and
// "Maơ hoà sô" in another decides. choice (the source's `encoding:`)
// overrides detection.
func openCSV(path string, opts DecodeOptions, choice vnenc.Choice) (RawReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	hr := newHashReader(f, opts)
	src, header, err := newCSVSource(path, f, hr, opts, choice)
	if err != nil {
		f.Close()
		return nil, err
	}
	r := newReader(path, "csv", src, header, opts)
	r.enc = src.enc.String()
	r.hr = hr
	return r, nil
}

func newCSVSource(path string, f *os.File, in io.Reader, opts DecodeOptions, choice vnenc.Choice) (*csvSource, []string, error) {
	dec, enc, err := vnenc.NewReaderWith(in, choice, headerEvidence(opts.HeaderScore, opts.IsUnit))
	if err != nil {
		return nil, nil, fmt.Errorf("tệp %s: không nhận ra bảng mã chữ của tệp; xuất lại tệp dạng CSV UTF-8 hoặc ghi encoding: của nguồn (detecting the text encoding: %w)", path, err)
	}
	lim := opts.Limits.withDefaults()
	br := bufio.NewReaderSize(&lineLimiter{r: dec, path: path, max: lim.MaxLineBytes}, sniffBytes)
	peek, err := br.Peek(sniffBytes)
	if le, ok := asLimit(err); ok {
		return nil, nil, le
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, fmt.Errorf("tệp %s: không đọc được tệp theo bảng mã %s; xuất lại tệp dạng CSV UTF-8 (reading %s text: %w)", path, enc, enc, err)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(peek, []byte("\uFEFF")))) == 0 {
		return nil, nil, fmt.Errorf("tệp %s: tệp rỗng, chỉ có khoảng trắng; xuất lại tệp từ phần mềm rồi nộp lại (the file is empty)", path)
	}
	text := br
	if bytes.IndexByte(peek, '\n') < 0 && bytes.IndexByte(peek, '\r') >= 0 {
		// Classic Mac line endings (old Excel "CSV (Macintosh)"); the
		// buffer encoding/csv would put around it.
		text = bufio.NewReader(crToLF{br})
		peek = bytes.ReplaceAll(peek, []byte("\r"), []byte("\n"))
	}
	s := &csvSource{path: path, f: f, enc: enc}
	delim, sepLine := excelSepLine(peek)
	if sepLine > 0 {
		if _, err := br.Discard(sepLine); err != nil {
			return nil, nil, fmt.Errorf("tệp %s: không đọc được tệp (%w)", path, err)
		}
		s.lineOffset = 1
	} else {
		delim = sniffDelimiter(peek, len(peek) < sniffBytes)
	}
	s.r = newCSVLines(text, delim)

	var top []bufRow
	for len(top) < headerScanRows {
		cells, row, err := s.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if len(top) == 0 && len(cells) > 0 {
			cells[0] = strings.TrimPrefix(cells[0], "\uFEFF")
		}
		if isBlank(cells) {
			continue
		}
		// Copied: the cells point into the read buffer (csvLines.read).
		top = append(top, bufRow{cells: cloneCells(cells), row: row})
	}
	if len(top) == 0 {
		return nil, nil, fmt.Errorf("tệp %s: không có dòng dữ liệu nào, mọi dòng đều trống; xuất lại tệp từ phần mềm rồi nộp lại (no rows: the file is blank)", path)
	}
	header, first := chooseHeader(top, opts.HeaderScore)
	s.pending = top[first:]
	return s, header, nil
}

// cloneCells copies cells and their bytes.
func cloneCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.Clone(c)
	}
	return out
}

// headerEvidence scores a candidate decoding of a file's first bytes by
// the words it makes of the file: 3 points per known column named by its
// best header line, 2 per non-ASCII cell naming a known unit. Lines are
// split at the delimiter the text suggests, quotes stripped; 30 non-blank
// lines at most are looked at.
func headerEvidence(score func([]string) int, isUnit func(string) bool) func(string) int {
	if score == nil && isUnit == nil {
		return nil
	}
	return func(text string) int {
		delim := string(sniffDelimiter([]byte(text), false))
		best, units, n := 0, 0, 0
		for line := range strings.Lines(text) {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if n++; n > headerScanRows {
				break
			}
			cells := strings.Split(strings.TrimRight(line, "\r\n"), delim)
			for i, c := range cells {
				cells[i] = cleanHeaderCell(strings.Trim(c, `" `))
				if isUnit != nil && !isASCIIString(cells[i]) && isUnit(cells[i]) {
					units++
				}
			}
			if score != nil {
				best = max(best, score(cells))
			}
		}
		return 3*best + 2*units
	}
}

// csvSource yields the records of a CSV file: first those read ahead while
// looking for the header, then the rest of the file.
type csvSource struct {
	path       string
	enc        vnenc.Encoding
	f          *os.File
	r          *csvLines
	lineOffset int64 // lines consumed before the csv.Reader (a "sep=" line)
	pending    []bufRow
}

func (s *csvSource) next(*[]string) ([]string, int64, error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return r.cells, r.row, nil
	}
	return s.read()
}

// read returns the next record from the file and its starting line.
func (s *csvSource) read() ([]string, int64, error) {
	rec, line, err := s.r.read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, fmt.Errorf("tệp %s: dòng %d: %s; sửa dòng này hoặc xuất lại tệp (encoding/csv: %w)", s.path, int64(pe.StartLine)+s.lineOffset, csvProblem(pe.Err), pe.Err)
		}
		if le, ok := asLimit(err); ok {
			return nil, 0, le
		}
		return nil, 0, fmt.Errorf("tệp %s: không đọc được tệp (%w)", s.path, err)
	}
	row := line + s.lineOffset
	if s.r.split {
		return rec, row, nil // one line: no break inside
	}
	breaks := 0
	for _, c := range rec {
		breaks += strings.Count(c, "\n")
	}
	if breaks > maxRecordLines {
		return nil, 0, fmt.Errorf("tệp %s: dòng %d: một giá trị mở dấu ngoặc kép (\") kéo dài quá %d dòng, thường do thiếu dấu ngoặc kép đóng; "+
			"tìm dấu \" chưa đóng từ dòng này, sửa rồi xuất lại tệp (a quoted value runs over too many lines)", s.path, row, maxRecordLines)
	}
	return rec, row, nil
}

// csvProblem says in Vietnamese what is wrong with a line encoding/csv
// refused.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "dấu ngoặc kép (\") nằm giữa một giá trị không mở bằng ngoặc kép; bỏ dấu đó hoặc đặt cả giá trị trong ngoặc kép"
	case errors.Is(err, csv.ErrQuote):
		return "dấu ngoặc kép (\") không khớp: thiếu dấu đóng, hoặc có chữ ngay sau dấu đóng"
	case errors.Is(err, csv.ErrFieldCount):
		return "số cột khác với dòng tiêu đề"
	}
	return "dòng CSV không hợp lệ"
}

func (s *csvSource) close() error { return s.f.Close() }

// crToLF turns lone CR line endings into LF, byte for byte.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// excelSepLine recognises the "sep=;" first line Excel writes and reads,
// returning the delimiter and the length of that line, or 0.
func excelSepLine(b []byte) (rune, int) {
	b2 := bytes.TrimPrefix(b, []byte("\uFEFF"))
	skip := len(b) - len(b2)
	if len(b2) < 5 || !bytes.EqualFold(b2[:4], []byte("sep=")) {
		return 0, 0
	}
	d := rune(b2[4])
	if d == '"' || d == '\r' || d == '\n' || d >= 0x80 {
		return 0, 0
	}
	rest := b2[5:]
	switch {
	case len(rest) == 0:
		return d, skip + 5
	case rest[0] == '\n':
		return d, skip + 6
	case len(rest) > 1 && rest[0] == '\r' && rest[1] == '\n':
		return d, skip + 7
	}
	return 0, 0
}

// sniffDelimiter picks the delimiter whose per-line count (outside quoted
// fields) is the most consistent over the first non-blank lines of b: the
// one with the most lines sharing the same non-zero count, then the larger
// count, then the earlier candidate. complete says b holds the whole file
// (otherwise its last, possibly cut, line is ignored). It defaults to ','.
func sniffDelimiter(b []byte, complete bool) rune {
	best, bestFreq, bestCount := ',', 0, 0
	for _, d := range delimiters {
		counts := delimiterCounts(b, byte(d), complete)
		freq := map[int]int{}
		for _, c := range counts {
			if c > 0 {
				freq[c]++
			}
		}
		mode, modeFreq := 0, 0
		for c, n := range freq {
			if n > modeFreq || (n == modeFreq && c > mode) {
				mode, modeFreq = c, n
			}
		}
		if modeFreq > bestFreq || (modeFreq == bestFreq && modeFreq > 0 && mode > bestCount) {
			best, bestFreq, bestCount = d, modeFreq, mode
		}
	}
	return best
}

// delimiterCounts counts d in each of the first sniffLines non-blank records
// of b, the way encoding/csv splits them: a quote opens a quoted field only
// at the start of a field, and line breaks inside quotes do not end a record.
func delimiterCounts(b []byte, d byte, complete bool) []int {
	var counts []int
	count, fieldStart, inQuote, blank := 0, true, false, true
	for i := 0; i < len(b) && len(counts) < sniffLines; i++ {
		c := b[i]
		if inQuote {
			if c == '"' {
				if i+1 < len(b) && b[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch {
		case c == '"' && fieldStart:
			inQuote, fieldStart, blank = true, false, false
		case c == d:
			count, fieldStart, blank = count+1, true, false
		case c == '\n':
			if !blank {
				counts = append(counts, count)
			}
			count, fieldStart, blank = 0, true, true
		case c == '\r' || c == ' ':
		default:
			fieldStart, blank = false, false
		}
	}
	if complete && !blank && len(counts) < sniffLines {
		counts = append(counts, count)
	}
	return counts
}
