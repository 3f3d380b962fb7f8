package sources

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cchc/cchc/vnenc"
)

// maxWrapDepth is how deep in a wrapping object the array of records is
// looked for: {"data":[...]} is depth 1, {"result":{"data":[...]}} depth 2.
const maxWrapDepth = 3

// jsonMode is the layout of a JSON export.
type jsonMode int

const (
	jsonArray   jsonMode = iota // [ {...}, {...} ]
	jsonLines                   // {...}\n{...}\n (NDJSON, or objects one after another)
	jsonWrapped                 // {"data": [ {...}, ... ], ...}
)

// openJSON decodes a JSON export: an array of objects, one object per line
// (NDJSON), or an object holding the array of objects under some key, at
// most maxWrapDepth levels down (the first such array is taken, the rest of
// the file is not read). The file is streamed, never unmarshalled whole.
//
// Columns are the object keys in first-seen order (named with white space
// collapsed, like CSV and XLSX headers); a key first seen in a later object
// adds a column from then on. Values: strings as they are,
// numbers as their literal text, true/false as "true"/"false", null as "",
// nested objects and arrays as compact JSON text. Row numbers are the
// 1-based position of the object in the array, or for NDJSON the line on
// which the object starts.
//
// The file's encoding is detected as for CSV (or forced by choice); text
// typed with a legacy font inside a Unicode file is repaired in keys and
// string values, value by value (see cellRepair).
func openJSON(path string, opts DecodeOptions, choice vnenc.Choice) (RawReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	hr := newHashReader(f, opts)
	src, err := newJSONSource(path, f, hr, opts.Limits.withDefaults(), choice)
	if err != nil {
		f.Close()
		return nil, err
	}
	r := newReader(path, "json", src, nil, opts)
	r.enc = src.enc.String()
	r.hr = hr
	return r, nil
}

func newJSONSource(path string, f *os.File, in io.Reader, lim Limits, choice vnenc.Choice) (*jsonSource, error) {
	dec, enc, err := vnenc.NewReaderWith(in, choice, nil)
	if err != nil {
		return nil, fmt.Errorf("tệp %s: không nhận ra bảng mã chữ của tệp; xuất lại tệp JSON dạng UTF-8 hoặc ghi encoding: của nguồn (detecting the text encoding: %w)", path, err)
	}
	// A string may be escaped (\u1EA1 is 6 bytes for 3), hence the factor.
	guard := &jsonGuard{r: dec, path: path, maxDepth: lim.MaxJSONDepth, maxString: 6 * lim.MaxCellBytes, maxRun: lim.MaxLineBytes}
	br := bufio.NewReaderSize(guard, sniffBytes)
	peek, err := br.Peek(sniffBytes)
	if le, ok := asLimit(err); ok {
		return nil, le
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("tệp %s: không đọc được tệp (%w)", path, err)
	}
	peek = bytes.TrimLeft(bytes.TrimPrefix(peek, []byte("\uFEFF")), " \t\r\n")
	if len(peek) == 0 {
		return nil, fmt.Errorf("tệp %s: tệp rỗng, chỉ có khoảng trắng; xuất lại tệp từ phần mềm rồi nộp lại (the file is empty)", path)
	}
	s := &jsonSource{path: path, f: f, enc: enc, keys: map[string]int{}, maxCols: lim.MaxColumns}
	switch enc {
	case vnenc.UTF8, vnenc.UTF16LE, vnenc.UTF16BE:
		// Unicode text may still hold values typed with a legacy font.
		s.rep = newCellRepair(choice, nil)
		s.rep.setDataFrom(1)
	}
	s.lines = &lineCounter{r: br}
	s.dec = json.NewDecoder(s.lines)
	s.dec.UseNumber()
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case ext == ".ndjson" || ext == ".jsonl":
		s.mode = jsonLines
	case peek[0] == '[':
		s.mode = jsonArray
	case peek[0] == '{' && looksLikeLines(peek):
		s.mode = jsonLines
	case peek[0] == '{':
		s.mode = jsonWrapped
	default:
		return nil, fmt.Errorf("tệp %s: không phải danh sách bản ghi JSON: tệp bắt đầu bằng %q, cần [ hoặc {; xuất lại tệp hoặc đặt format: của nguồn cho đúng (not a JSON list of records)", path, firstRune(peek))
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// looksLikeLines reports whether b starts with a complete JSON object on
// its first line followed by more content: NDJSON rather than one object.
func looksLikeLines(b []byte) bool {
	line, rest, ok := bytes.Cut(b, []byte("\n"))
	return ok && json.Valid(line) && len(bytes.TrimSpace(rest)) > 0
}

func firstRune(b []byte) string {
	r := []rune(string(b[:min(len(b), 4)]))
	if len(r) == 0 {
		return ""
	}
	return string(r[0])
}

// jsonSource yields the objects of a JSON export as rows.
type jsonSource struct {
	path  string
	enc   vnenc.Encoding
	f     *os.File
	dec   *json.Decoder
	lines *lineCounter
	mode  jsonMode
	keys  map[string]int // column of each key
	index int64          // objects read (array modes)
	first bool           // the '{' of the first object was consumed by start
	done  bool
	cells []string
	raw   json.RawMessage // reused value buffer
	// maxCols bounds the distinct keys (columns) of the file.
	maxCols int
	rep     *cellRepair // nil when the file was legacy bytes, decoded whole
	names   []string    // key of each column, repaired, for the report
}

// encoding reports the file's encoding and, for a Unicode file, the legacy
// text repaired in it and under which keys.
func (s *jsonSource) encoding() string {
	if s.rep == nil {
		return s.enc.String()
	}
	return s.rep.report(s.enc.String(), func(col int) string {
		if col < len(s.names) {
			return s.names[col]
		}
		return strconv.Itoa(col + 1)
	})
}

// start positions the decoder before the first record.
func (s *jsonSource) start() error {
	switch s.mode {
	case jsonArray:
		tok, err := s.dec.Token()
		if err != nil {
			return s.syntaxErr(err)
		}
		if tok != json.Delim('[') {
			return fmt.Errorf("tệp %s: không phải mảng JSON; xuất lại tệp (not a JSON array)", s.path)
		}
	case jsonWrapped:
		if _, err := s.dec.Token(); err != nil { // the '{'
			return s.syntaxErr(err)
		}
		var keys []string
		found, err := s.findArray(1, &keys)
		if err != nil {
			return err
		}
		switch found {
		case arrayNone:
			return fmt.Errorf("tệp %s: không tìm thấy danh sách bản ghi: đối tượng JSON không chứa mảng đối tượng nào (các khóa: %s); "+
				"kiểm tra tệp có đúng là tệp xuất dữ liệu không (no list of records found)",
				s.path, QuoteNames(keys))
		case arrayEmpty:
			s.done = true
		case arrayFound:
			s.mode, s.first = jsonArray, true
		}
	}
	return nil
}

// arraySearch is the outcome of findArray.
type arraySearch int

const (
	arrayNone  arraySearch = iota // no array of objects
	arrayEmpty                    // only empty arrays: a list with no records
	arrayFound                    // positioned at the first record
)

// findArray reads the members of an object (its '{' already consumed)
// until one holds an array of objects, descending into member objects up to
// maxWrapDepth. When found, the decoder is inside the array, past the '{' of
// its first object. keys collects the member names at depth 1 for the error
// message when nothing is found.
func (s *jsonSource) findArray(depth int, keys *[]string) (arraySearch, error) {
	result := arrayNone
	for s.dec.More() {
		key, err := s.dec.Token()
		if err != nil {
			return result, s.syntaxErr(err)
		}
		if k, ok := key.(string); ok && depth == 1 && len(*keys) < 20 {
			*keys = append(*keys, k)
		}
		tok, err := s.dec.Token()
		if err != nil {
			return result, s.syntaxErr(err)
		}
		switch tok {
		case json.Delim('['):
			if !s.dec.More() {
				if _, err := s.dec.Token(); err != nil { // ']'
					return result, s.syntaxErr(err)
				}
				result = arrayEmpty
				continue
			}
			el, err := s.dec.Token()
			if err != nil {
				return result, s.syntaxErr(err)
			}
			if el == json.Delim('{') {
				return arrayFound, nil
			}
			if err := s.skipRest(el); err != nil {
				return result, err
			}
			if err := s.skipRest(tok); err != nil {
				return result, err
			}
		case json.Delim('{'):
			if depth >= maxWrapDepth {
				if err := s.skipRest(tok); err != nil {
					return result, err
				}
				continue
			}
			inner, err := s.findArray(depth+1, keys)
			if err != nil || inner == arrayFound {
				return inner, err
			}
			result = max(result, inner)
		}
	}
	if _, err := s.dec.Token(); err != nil { // '}'
		return result, s.syntaxErr(err)
	}
	return result, nil
}

// skipRest skips the rest of a value whose first token was tok.
func (s *jsonSource) skipRest(tok json.Token) error {
	if tok != json.Delim('[') && tok != json.Delim('{') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := s.dec.Token()
		if err != nil {
			return s.syntaxErr(err)
		}
		switch t {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

func (s *jsonSource) next(header *[]string) ([]string, int64, error) {
	if s.done {
		return nil, 0, io.EOF
	}
	var row int64
	switch {
	case s.first:
		s.first = false
		s.index++
		row = s.index
	case s.mode == jsonArray:
		if !s.dec.More() {
			s.done = true
			if _, err := s.dec.Token(); err != nil { // ']'
				return nil, 0, s.syntaxErr(err)
			}
			return nil, 0, io.EOF
		}
		tok, err := s.dec.Token()
		if err != nil {
			return nil, 0, s.syntaxErr(err)
		}
		s.index++
		if tok != json.Delim('{') {
			return nil, 0, fmt.Errorf("tệp %s: bản ghi thứ %d là %s, không phải đối tượng {…}; xuất lại tệp (record is not an object)", s.path, s.index, describeToken(tok))
		}
		row = s.index
	default: // jsonLines
		tok, err := s.dec.Token()
		if errors.Is(err, io.EOF) {
			s.done = true
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, s.syntaxErr(err)
		}
		row = s.lines.lineAt(s.dec.InputOffset() - 1)
		if tok != json.Delim('{') {
			return nil, 0, fmt.Errorf("tệp %s: dòng %d: gặp %s ở chỗ cần một bản ghi {…}; xuất lại tệp (a record object was expected)", s.path, row, describeToken(tok))
		}
	}
	if err := s.readObject(header); err != nil {
		return nil, 0, err
	}
	if s.mode == jsonArray {
		s.lines.lineAt(s.dec.InputOffset()) // keep the line index small
	}
	return s.cells, row, nil
}

// readObject reads the members of an object whose '{' was consumed into
// s.cells, adding unseen keys to the header.
func (s *jsonSource) readObject(header *[]string) error {
	s.cells = s.cells[:0]
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.syntaxErr(err)
		}
		key, _ := tok.(string)
		if err := s.dec.Decode(&s.raw); err != nil {
			return s.syntaxErr(err)
		}
		col, ok := s.keys[key]
		if !ok {
			if len(*header) >= s.maxCols {
				return limitErr(s.path, fmt.Sprintf("số khóa (cột) khác nhau của các bản ghi (%d),", len(*header)+1), int64(s.maxCols), "max_columns")
			}
			col = len(*header)
			s.keys[key] = col
			name := key
			if s.rep != nil {
				name = s.rep.cell(1, col, key)
			}
			name = cleanHeaderCell(name)
			s.names = append(s.names, name)
			*header = append(*header, name)
		}
		for len(s.cells) <= col {
			s.cells = append(s.cells, "")
		}
		if s.cells[col], err = rawValue(s.raw); err != nil {
			return s.syntaxErr(err)
		}
		if s.rep != nil && s.raw[0] == '"' {
			s.cells[col] = s.rep.cell(1, col, s.cells[col])
		}
	}
	if _, err := s.dec.Token(); err != nil { // '}'
		return s.syntaxErr(err)
	}
	return nil
}

// rawValue renders one JSON value as a raw cell.
func rawValue(raw json.RawMessage) (string, error) {
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case '{', '[':
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		return b.String(), err
	}
	return string(raw), nil // number, true, false
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "một mảng [ ]"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return "một chuỗi chữ"
	case json.Number, float64:
		return "một số"
	case bool:
		return "true/false"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// syntaxErr names the file and the approximate place of a decoding error.
func (s *jsonSource) syntaxErr(err error) error {
	if le, ok := asLimit(err); ok {
		return le
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("tệp %s: tệp JSON kết thúc giữa chừng gần byte %d, có lẽ tải hoặc chép chưa hết; tải lại hoặc xuất lại tệp (the JSON ends too early)", s.path, s.dec.InputOffset())
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("tệp %s: JSON không hợp lệ gần byte %d (dòng %d); xuất lại tệp (invalid JSON: %v)", s.path, se.Offset, s.lines.lineAt(se.Offset-1), err)
	}
	return fmt.Errorf("tệp %s: gần byte %d: không đọc được JSON; xuất lại tệp (%w)", s.path, s.dec.InputOffset(), err)
}

func (s *jsonSource) close() error { return s.f.Close() }

// lineCounter passes bytes through and remembers where lines start, so a
// byte offset can be turned into a line number. Queries must not go
// backwards; only the line starts not yet queried past are kept.
type lineCounter struct {
	r      io.Reader
	off    int64   // bytes read so far
	starts []int64 // offsets just after '\n', not yet passed by a query
	line   int64   // line number of the last query, minus one
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.starts = append(c.starts, c.off+int64(i)+1)
		}
	}
	c.off += int64(n)
	return n, err
}

// lineAt returns the 1-based line holding byte offset off.
func (c *lineCounter) lineAt(off int64) int64 {
	i := 0
	for i < len(c.starts) && c.starts[i] <= off {
		i++
	}
	c.line += int64(i)
	c.starts = c.starts[:copy(c.starts, c.starts[i:])]
	return c.line + 1
}
