package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cchc/cchc/vnenc"
)

// Open decodes the export file at path into a RawReader.
//
// The format is recognised by content first: a zip archive is read as XLSX
// whatever its extension (an XLSX saved as .csv); an HTML page holding a
// table or an Excel 2003 XML Spreadsheet (the "Excel" export of many
// one-stop systems, saved as .xls) is read (see markup.go); an Excel
// 97-2003 (BIFF, OLE) workbook, another HTML or XML page (a web error page
// saved as .xls) or other binary content is rejected with a message
// saying how to save the file. Among text files, opts.Format "auto" (or "") chooses by
// extension (.csv .txt .tsv: csv; .json .ndjson .jsonl: json) and otherwise
// by the first character ([ or {: json; else csv); "csv" or "json" force
// the decoder. opts.Encoding chooses the text encoding (see
// DecodeOptions). Errors name the file and say, in terms a clerk can act
// on, why it cannot be read; file content quoted in an error is escaped
// and cut (see excerpt). The caller closes the reader, which closes the
// file.
func Open(path string, opts DecodeOptions) (RawReader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("tệp %s: là một thư mục, không phải tệp; kiểm tra đường dẫn (path) của nguồn hoặc bỏ thư mục này khỏi thư mục nguồn (is a folder, not a file)", path)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("tệp %s: tệp rỗng (0 byte), không có dữ liệu; xuất lại tệp từ phần mềm rồi nộp lại (the file is empty)", path)
	}
	choice, err := vnenc.ParseName(opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("tệp %s: %w", path, err)
	}
	format := strings.ToLower(strings.TrimSpace(opts.Format))
	switch format {
	case "", "auto", "csv", "xlsx", "json":
	default:
		return nil, fmt.Errorf("tệp %s: định dạng %q không hợp lệ trong cấu hình của nguồn; ghi format: auto, csv, xlsx hoặc json (unknown format)", path, opts.Format)
	}
	head, err := readHead(path, 512)
	if err != nil {
		return nil, err
	}
	if format, err = detectFormat(path, head, format); err != nil {
		return nil, err
	}
	switch format {
	case "csv":
		return openCSV(path, opts, choice)
	case "xlsx":
		return openXLSX(path, opts, choice)
	case "markup":
		return openMarkup(path, head, opts, choice)
	}
	return openJSON(path, opts, choice)
}

// detectFormat chooses the decoder for path from its first bytes, then the
// configured format, then its extension.
func detectFormat(path string, head []byte, format string) (string, error) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "xlsx", nil
	case bytes.HasPrefix(head, oleMagic):
		return "", legacyExcelError(path)
	case isMarkup(path, head):
		// An HTML table or an XML Spreadsheet is read; any other page
		// is refused by openMarkup (markupError), whatever format says.
		return "markup", nil
	case isBinary(head) && (strings.EqualFold(filepath.Ext(path), ".xlsx") || strings.EqualFold(filepath.Ext(path), ".xlsm")):
		return "", fmt.Errorf("tệp %s: tệp hỏng hoặc không phải bảng tính; "+
			"mở tệp trong Excel và lưu lại dưới dạng .xlsx (not a valid XLSX workbook: zip: not a valid zip file)", path)
	case isBinary(head):
		return "", fmt.Errorf("tệp %s: không phải tệp CSV, XLSX hay JSON (nội dung nhị phân); "+
			"mở tệp trong Excel và lưu lại dưới dạng .xlsx; tệp bắt đầu bằng %s", path, excerpt(string(head)))
	}
	switch format {
	case "csv", "json":
		return format, nil
	case "xlsx":
		return "", fmt.Errorf("tệp %s: là tệp văn bản, không phải bảng tính Excel (.xlsx) như cấu hình của nguồn ghi (format: xlsx); "+
			"nếu tệp đúng là tệp xuất dạng CSV thì đặt format: csv hoặc auto, nếu không thì xuất lại tệp dạng .xlsx; "+
			"tệp bắt đầu bằng %s (not a valid XLSX workbook: it is a text file)", path, excerpt(string(head)))
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv":
		return "csv", nil
	case ".json", ".ndjson", ".jsonl":
		return "json", nil
	}
	switch firstTextByte(head) {
	case '[', '{':
		return "json", nil
	}
	return "csv", nil
}

// sniffFormat recognises a format from the first bytes alone, as Open
// would for a file named path: xlsx, json, csv, html (a page showing a
// table) or xml2003 (an XML Spreadsheet), or the error for an old .xls or
// another HTML or XML page. Binary content is left to Open, which
// explains it.
func sniffFormat(path string, head []byte) (string, error) {
	if isBinary(head) && !bytes.HasPrefix(head, []byte("PK\x03\x04")) && !bytes.HasPrefix(head, oleMagic) && !isMarkup(path, head) {
		return "csv", nil
	}
	format, err := detectFormat(path, head, "auto")
	if format == "markup" {
		if format = sniffMarkup(head); format == "" {
			return "", markupError(path, head)
		}
	}
	return format, err
}

// isMarkup reports an HTML or XML document: it starts with '<' and, for a
// file named as text (.csv, .txt, .tsv, .json), shows a tag of a web page.
func isMarkup(path string, head []byte) bool {
	if firstTextByte(head) != '<' {
		return false
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv", ".json", ".ndjson", ".jsonl":
		h := bytes.ToLower(head)
		for _, tag := range []string{"<!doctype", "<html", "<?xml", "<head", "<body", "<table", "<div", "<title"} {
			if bytes.Contains(h, []byte(tag)) {
				return true
			}
		}
		return false
	}
	return true
}

// isBinary reports content that is not text in any encoding vnenc reads:
// control bytes other than tab, line breaks, form feed and Ctrl-Z, outside
// UTF-16 (whose every other byte is zero).
func isBinary(head []byte) bool {
	if bytes.HasPrefix(head, []byte("\xFF\xFE")) || bytes.HasPrefix(head, []byte("\xFE\xFF")) {
		return false
	}
	var even, odd, ctl int
	for i, c := range head {
		switch {
		case c == 0 && i%2 == 0:
			even++
		case c == 0:
			odd++
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1A:
			ctl++
		}
	}
	pairs := len(head) / 2
	if (odd*4 >= pairs && even*8 <= odd) || (even*4 >= pairs && odd*8 <= even) {
		return false // UTF-16 without BOM: zeros in every other byte
	}
	return even+odd > 0 || ctl*10 > len(head)
}

// maxExcerpt is the most characters of file content, once escaped, an
// error quotes.
const maxExcerpt = 200

// cutErr is an error whose text is cut to maxExcerpt characters ("…"
// marks a cut), still unwrapping to the error it cuts. The XML decoder
// quotes what it read (an entity, a charset or an element name) whole, and
// a hostile workbook makes that as long as it likes.
type cutErr struct{ err error }

func (e cutErr) Error() string {
	s := e.err.Error()
	if utf8.RuneCountInString(s) <= maxExcerpt {
		return s
	}
	return string([]rune(s)[:maxExcerpt]) + "…"
}

func (e cutErr) Unwrap() error { return e.err }

// excerpt quotes file content for an error message: control characters and
// invalid bytes escaped as Go does (\x00, \n), the escaped text cut at
// maxExcerpt characters (never inside an escape), so a binary file cannot
// flood a log or the ledger.
func excerpt(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		var esc string
		if r == utf8.RuneError && size == 1 {
			esc = fmt.Sprintf("\\x%02x", s[0])
		} else {
			q := strconv.Quote(s[:size])
			esc = q[1 : len(q)-1]
		}
		if k := utf8.RuneCountInString(esc); n+k > maxExcerpt {
			b.WriteString(`"…`)
			return b.String()
		} else {
			n += k
		}
		b.WriteString(esc)
		s = s[size:]
	}
	b.WriteByte('"')
	return b.String()
}

// firstTextByte returns the first non-space character of head, read as
// UTF-8 (after a BOM) or UTF-16 (after its BOM), or 0.
func firstTextByte(head []byte) byte {
	step, off := 1, 0
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		off = 3
	case bytes.HasPrefix(head, []byte("\xFF\xFE")):
		step, off = 2, 2
	case bytes.HasPrefix(head, []byte("\xFE\xFF")):
		step, off = 2, 3
	}
	for i := off; i < len(head); i += step {
		switch head[i] {
		case ' ', '\t', '\r', '\n', 0:
			continue
		}
		return head[i]
	}
	return 0
}

// oleMagic starts an OLE compound file: an Excel 97-2003 .xls workbook, or
// an encrypted (password-protected) .xlsx.
var oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")

// legacyExcelError rejects an Excel 97-2003 (BIFF8) workbook. No Go
// library reading BIFF8 was verified on files written by a real
// spreadsheet program here, and a wrong reading would load wrong numbers,
// so the clerk is asked to save the file again as .xlsx.
func legacyExcelError(path string) error {
	return fmt.Errorf("tệp %s: là bảng tính Excel 97-2003 (.xls) hoặc bảng tính có mật khẩu, không đọc được; "+
		"mở tệp trong Excel và lưu lại dưới dạng .xlsx (không đặt mật khẩu) — Excel 97-2003 (.xls) workbook", path)
}

// readHead returns up to n first bytes of the file.
func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("tệp %s: không đọc được tệp (%w)", path, err)
	}
	return buf[:k], nil
}

// pathProblem says in Vietnamese what a clerk or operator does about an
// operating system error on a path; the error itself follows it in
// parentheses.
func pathProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "không tìm thấy (đã bị xóa, đổi tên hoặc chuyển đi?); kiểm tra đường dẫn"
	case errors.Is(err, fs.ErrPermission):
		return "không có quyền đọc; cho người dùng chạy cchc quyền đọc rồi chạy lại"
	}
	return "không đọc được"
}

// fileError names the file once: an *fs.PathError already carries the path,
// so only its operation and cause are kept.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("tệp %s: %s (%s: %w)", path, pathProblem(pe.Err), pe.Op, pe.Err)
	}
	return fmt.Errorf("tệp %s: không đọc được tệp (%w)", path, err)
}
