// Package pii finds and masks the shapes of Vietnamese personal data in a
// piece of text: ID numbers (CCCD, 12 digits; old CMND, 9 digits), phone
// numbers (0xxxxxxxxx, 02xxxxxxxxx, +84 …, written whole or in groups such
// as 091.234.5678 or +84 912 345 678), e-mail addresses, JSON objects (a
// form pasted into a cell, {"nguoiNop": …, "cccd": …}) and personal names
// ("Nguyễn Văn A").
//
// Personal-data columns are dropped by header (transforms); this package is
// the second line, for personal data typed into a column the pipeline does
// keep. The rules, which every caller applies the same way:
//
//   - Loaded free-text columns (procedure name, field, procedure code) go
//     through Mask: each detected span is replaced by a marker naming its
//     kind ("[SĐT]", "[CCCD/CMND]", "[dãy số]", "[email]", "[JSON]",
//     "[họ tên]"); the rest of the text stays, so the statistics still
//     group by it.
//   - Unit names go through MaskShapes: numbers, e-mail and JSON only. Unit
//     names legitimately hold names of people (phường Ngô Quyền, đường Lê
//     Lợi), and the clerk needs the name to add it to the unit registry.
//     A unit cell that names no kind of unit (no UBND, xã, Sở, Phòng, ...)
//     goes through Mask: a name there is a person's.
//   - A value of a closed-vocabulary column (date, number, status, channel,
//     rating, online level, yes/no) that failed to parse goes through
//     MaskRejected: Mask, then, when it still looks like free text (two
//     capitalised words in a row, as in a name; more than four words; more
//     than 40 characters), only its shape is kept, cut to 40 characters:
//     letters become x or X, so "Ông Khúc Thừa Dụ" is stored as
//     "Xxx Xxxx Xxxx Xx". A short misspelling ("đang xu ly", "31/02/2026")
//     is kept as it is, so the clerk sees what is wrong; in every case the
//     file, row and column of the quarantine entry are enough to find the
//     cell and correct it. A value that parses is a term, kept as it is.
//   - The dossier code is loaded as it is: it identifies the dossier, and a
//     masked code would merge dossiers. In a quarantined row it is kept
//     as it is when written as codes are (ASCII letters, digits, . - _ /
//     and spaces), and otherwise goes through Mask: a name typed in its
//     place (a report's signature block under its table).
//   - A quarantined row's raw_record holds each recognised cell masked by
//     the rule of its column; the reason quotes the masked value.
//   - Error texts and log lines that carry values go through MaskShapes
//     (or Mask when they hold no unit name, as a header row does).
//
// What counts as a number: a run of 9 or more digits, or digits grouped
// with one kind of separator (space, '.', '-') that add up to a phone
// number (0 or +84 and 9 to 12 digits) or to 9 or more digits grouped by
// spaces. Amounts (1.234.567.890), procedure codes (1.001234,
// 2.000889.000.00.00.H41), dossier codes (H41.12-240315-0001), dates and
// times (15/03/2026 08:30, 2026-03-15T08:30:00+07:00, and the compact
// 20260231080000 of the national sync, even when impossible) and decimals
// (45366.354166666664) are not masked.
//
// Names are found from the family name: one of the common Vietnamese
// surnames followed by one to three capitalised words (a longer run of
// capitalised words is a title, not a name). Ordinary words that
// follow a surname in administrative text (Hồ sơ, Đào tạo, Lý lịch, Lưu
// trú, Hà Nội, …) are not names, and Hồ Chí Minh is left alone. A name
// without one of these surnames, or written in lower case, cannot be told
// apart from ordinary words: in closed-vocabulary columns MaskRejected
// covers it by shape; in free-text columns it is not detected. Names typed
// without diacritics are not detected either: without them a surname reads
// as an ordinary word (Nguyen: nguyên, Phan: phận, Dang: đăng).
//
// Every function is pure, safe for concurrent use, never panics, and is
// idempotent: masking a masked text changes nothing.
package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kind is the kind of a detected span.
type Kind uint8

// The kinds of personal data found.
const (
	IDNumber Kind = iota + 1 // CCCD (12 digits) or CMND (9 digits)
	Digits                   // another run of 9 or more digits (an account, a card)
	Phone                    // a Vietnamese phone number
	Email                    // an e-mail address
	JSON                     // a JSON object
	Name                     // a personal name
)

// Marker is the text a span of kind k is replaced with.
func (k Kind) Marker() string {
	switch k {
	case IDNumber:
		return "[CCCD/CMND]"
	case Digits:
		return "[dãy số]"
	case Phone:
		return "[SĐT]"
	case Email:
		return "[email]"
	case JSON:
		return "[JSON]"
	case Name:
		return "[họ tên]"
	}
	return "[ẩn]"
}

// Span is a detected value: the bytes s[Start:End].
type Span struct {
	Start, End int
	Kind       Kind
}

// Find returns the personal-data spans of s in order, without overlaps.
// Digits of other scripts are not read as digits here; Mask reads them.
func Find(s string) []Span { return find(s, true) }

// FindShapes is Find without names.
func FindShapes(s string) []Span { return find(s, false) }

// Mask returns s with every span Find reports replaced by its kind's
// marker, and whether the text changed (a span replaced, or digits of
// another script written in ASCII).
func Mask(s string) (string, bool) { return fixpoint(s, true) }

// asciiDigits writes every decimal digit of another script (fullwidth
// "０９１２", Arabic-Indic, ...) as its ASCII digit, so that a number typed
// with them is detected like any other. The masked text keeps the ASCII
// form: a number that is no personal data reads the same.
func asciiDigits(s string) string {
	// Most text has none (Vietnamese letters are not digits): then s
	// itself, with no copy, since Mask runs on every free-text cell.
	i := -1
	for k, r := range s {
		if r >= utf8.RuneSelf && unicode.Is(unicode.Nd, r) {
			i = k
			break
		}
	}
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if r >= utf8.RuneSelf && unicode.Is(unicode.Nd, r) {
			// Unicode lays out every decimal digit set as ten code points
			// from its zero, the sets of one block back to back.
			start := r
			for unicode.Is(unicode.Nd, start-1) {
				start--
			}
			b.WriteByte(byte('0' + (r-start)%10))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaskShapes is Mask without names: ID and phone numbers, long digit runs,
// e-mail addresses and JSON objects.
func MaskShapes(s string) (string, bool) { return fixpoint(s, false) }

// fixpoint masks s until nothing more is found: a marker can make what was
// beside it a new match (what is left of "0@.0%@0.0" after its first e-mail
// is masked is another one), and masking must give the same text when
// applied again.
func fixpoint(s string, names bool) (string, bool) {
	ascii := asciiDigits(s)
	out, more := replace(ascii, find(ascii, names))
	for i := 0; more && i < maxPasses; i++ {
		var next string
		if next, more = replace(out, find(out, names)); more {
			out = next
		}
	}
	return out, out != s
}

// Contains reports whether Find finds anything in s.
func Contains(s string) bool { return len(find(asciiDigits(s), true)) > 0 }

// MaxRejected is the length, in characters, beyond which MaskRejected
// keeps only the shape of a value; longer shapes are cut to it.
const MaxRejected = 40

// MaskRejected masks a value of a closed-vocabulary column (date, number,
// status, rating, channel, yes/no) that failed to parse, for the quarantine
// table and its reason: Mask, then, when the value still reads like free
// text, its shape only (see the package doc). It reports whether the value
// changed.
func MaskRejected(s string) (string, bool) {
	// One pass can leave something a second pass would change: the shape
	// drops combining marks, which can join digits into a new number, and
	// the cut can shorten a long run that is not personal data (a compact
	// timestamp) to nine digits. Passes repeat until the text is stable, so
	// that the function is idempotent by construction.
	out := s
	for i := 0; i < maxPasses; i++ {
		next := rejectedPass(out)
		if next == out {
			break
		}
		out = next
	}
	return out, out != s
}

func rejectedPass(s string) string {
	m, _ := Mask(s)
	if !freeText(m) {
		return m
	}
	sh, _ := Mask(shape(m))
	return truncate(sh, MaxRejected)
}

// maxPasses bounds the passes of the fixpoints. Each pass that changes the
// text replaces a span with a shorter marker or cuts the text, so real and
// generated inputs settle in two or three; the bound only guards against a
// pathological input.
const maxPasses = 64

// truncate cuts s to at most max characters followed by "…", never inside
// a marker.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := 0; i < len(s); {
		step := markerAt(s[i:])
		width := 0
		if step > 0 {
			width = utf8.RuneCountInString(s[i : i+step])
		} else {
			_, step = utf8.DecodeRuneInString(s[i:])
			width = 1
		}
		if n+width > max {
			return s[:i] + "…"
		}
		n += width
		i += step
	}
	return s
}

// freeText reports whether a rejected closed-vocabulary value reads like
// free text rather than a misspelt term: two capitalised words in a row,
// more than four words, or more than MaxRejected characters.
func freeText(s string) bool {
	if utf8.RuneCountInString(s) > MaxRejected {
		return true
	}
	for _, m := range markers {
		s = strings.ReplaceAll(s, m, " | ")
	}
	words, caps := 0, 0
	for _, w := range strings.Fields(s) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if w == "" {
			caps = 0 // a marker or punctuation alone breaks a run
			continue
		}
		words++
		if capitalised(w) {
			caps++
			if caps >= 2 {
				return true
			}
		} else {
			caps = 0
		}
	}
	return words > 4
}

// shape turns letters into x (lower case) or X (upper case), leaving
// markers, digits, spaces and punctuation.
func shape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '[' {
			if n := markerAt(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsUpper(r):
			b.WriteByte('X')
		case unicode.IsLetter(r):
			b.WriteByte('x')
		case unicode.Is(unicode.Mn, r):
			// a combining mark of NFD text: part of the letter before
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var markers = []string{IDNumber.Marker(), Digits.Marker(), Phone.Marker(), Email.Marker(), JSON.Marker(), Name.Marker()}

// markerAt returns the length of the marker s starts with, or 0.
func markerAt(s string) int {
	for _, m := range markers {
		if strings.HasPrefix(s, m) {
			return len(m)
		}
	}
	return 0
}

func replace(s string, spans []Span) (string, bool) {
	if len(spans) == 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.Start])
		b.WriteString(sp.Kind.Marker())
		last = sp.End
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// find runs the detectors in order of precedence: a JSON object hides
// everything inside it, an e-mail address its digits; then numbers and
// names in the text left.
func find(s string, names bool) []Span {
	if !candidate(s, names) {
		return nil
	}
	out := findJSON(s)
	for _, sp := range findEmails(s) {
		if !overlaps(out, sp) {
			out = append(out, sp)
		}
	}
	for _, sp := range findNumbers(s) {
		if !overlaps(out, sp) {
			out = append(out, sp)
		}
	}
	if names {
		for _, sp := range findNames(s) {
			if !overlaps(out, sp) {
				out = append(out, sp)
			}
		}
	}
	sortSpans(out)
	return out
}

// candidate is a fast check that s may hold anything: most cells (codes,
// short words, dates) have no '@', no '{', fewer than 9 digits and, for
// names, no upper-case letter outside the first.
func candidate(s string, names bool) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '@' || c == '{':
			return true
		case c >= utf8.RuneSelf, c >= 'A' && c <= 'Z':
			if names {
				return true
			}
		}
	}
	return digits >= 9
}

func overlaps(spans []Span, sp Span) bool {
	for _, o := range spans {
		if sp.Start < o.End && o.Start < sp.End {
			return true
		}
	}
	return false
}

func sortSpans(s []Span) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Start < s[j-1].Start; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// findJSON finds JSON objects: a '{' with a quoted key and a colon inside,
// up to its matching '}' (or the end of the text, for a cut-off object).
func findJSON(s string) []Span {
	var out []Span
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		depth, end, inStr := 0, len(s), false
	scan:
		for j := i; j < len(s); j++ {
			c := s[j]
			switch {
			case inStr && c == '\\':
				j++
			case c == '"':
				inStr = !inStr
			case inStr:
			case c == '{':
				depth++
			case c == '}':
				depth--
				if depth == 0 {
					end = j + 1
					break scan
				}
			}
		}
		body := s[i:end]
		if k := strings.IndexByte(body, '"'); k >= 0 && strings.Contains(body[k+1:], ":") && strings.Count(body, `"`) >= 2 {
			out = append(out, Span{i, end, JSON})
			i = end - 1
		}
	}
	return out
}

// findEmails finds local@domain.tld.
func findEmails(s string) []Span {
	var out []Span
	from := 0
	for {
		k := strings.IndexByte(s[from:], '@')
		if k < 0 {
			return out
		}
		at := from + k
		from = at + 1
		start := at
		for start > 0 && emailLocal(s[start-1]) {
			start--
		}
		end := at + 1
		dot := false
		for end < len(s) && emailDomain(s[end]) {
			if s[end] == '.' && end+1 < len(s) && emailDomain(s[end+1]) {
				dot = true
			}
			end++
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		if start == at || end == at+1 || !dot {
			continue
		}
		out = append(out, Span{start, end, Email})
		from = end
	}
}

func emailLocal(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+-", c) >= 0
}

func emailDomain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// findNumbers finds ID numbers, phone numbers and long digit runs. A chunk
// is a run of digit groups joined by one kind of separator (a space, '.' or
// '-'), with an optional leading '+'. The whole chunk is masked when its
// digits make a phone or ID number; otherwise each group of 9 or more digits
// is masked on its own, unless it is the fraction of a decimal number.
func findNumbers(s string) []Span {
	var out []Span
	for i := 0; i < len(s); {
		plus := s[i] == '+' && i+1 < len(s) && isDigit(s[i+1])
		if !isDigit(s[i]) && !plus {
			i++
			continue
		}
		start := i
		if plus {
			i++
		}
		var groups [][2]int // byte ranges of the digit groups
		var sep byte
		for {
			g := i
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			groups = append(groups, [2]int{g, i})
			if i+1 < len(s) && (s[i] == ' ' || s[i] == '.' || s[i] == '-') && isDigit(s[i+1]) && (sep == 0 || sep == s[i]) {
				sep = s[i]
				i++
				continue
			}
			break
		}
		end := i
		// A fraction after a decimal comma: "45366,354166666664". Not when
		// the integer part is itself long enough to be masked: masking must
		// give the same result applied twice, and once the integer part is
		// masked its fraction no longer follows a digit.
		intPart := 0
		for j := start - 2; j >= 0 && isDigit(s[j]); j-- {
			intPart++
		}
		// A signed chunk ("0,+000000000") is no fraction.
		fraction := !plus && start >= 2 && (s[start-1] == ',' || s[start-1] == '.') && intPart > 0 && intPart < 9
		if k, ok := chunkKind(s[start:end], plus, sep, groups); ok && !fraction {
			out = append(out, Span{start, end, k})
			continue
		}
		for gi, g := range groups {
			if g[1]-g[0] < 9 || compactTime(s[g[0]:g[1]]) {
				continue
			}
			// "45366.354166666664": the fraction of a decimal (an Excel
			// serial date).
			if (fraction && gi == 0) || (gi == 1 && len(groups) == 2 && sep == '.' && groups[0][1]-groups[0][0] < 9 &&
				(s[groups[0][0]] != '0' || groups[0][1]-groups[0][0] == 1)) {
				continue
			}
			out = append(out, Span{g[0], g[1], digitsKind(g[1] - g[0])})
		}
	}
	return out
}

// chunkKind decides whether a whole chunk of digit groups is a phone or ID
// number.
func chunkKind(chunk string, plus bool, sep byte, groups [][2]int) (Kind, bool) {
	n := 0
	for _, g := range groups {
		n += g[1] - g[0]
	}
	d := chunk
	if plus {
		d = chunk[1:]
	}
	first := d[0]
	switch {
	case plus && strings.HasPrefix(d, "84") && n >= 10 && n <= 12:
		return Phone, true
	case plus:
		return 0, false
	case len(groups) == 1 && n >= 9:
		if compactTime(d) {
			return 0, false
		}
		if first == '0' && (n == 10 || n == 11) {
			return Phone, true
		}
		if strings.HasPrefix(d, "84") && n == 11 {
			return Phone, true
		}
		return digitsKind(n), true
	case first == '0' && n >= 9 && n <= 12 && !(sep == '.' && groups[0][1]-groups[0][0] == 1):
		// (not 0.123456789, a decimal)
		if n == 10 || n == 11 {
			return Phone, true
		}
		return digitsKind(n), true
	case sep == ' ' && strings.HasPrefix(d, "84") && (n == 11 || n == 12):
		return Phone, true
	case sep == ' ' && n >= 9:
		return digitsKind(n), true
	}
	return 0, false
}

// compactTime reports a timestamp in the compact form of the national sync
// (yyyyMMddHHmm, yyyyMMddHHmmss), possibly impossible (31 February), which a
// clerk must see to correct. No CCCD (it starts with the province code 0xx)
// nor phone number has this shape.
func compactTime(d string) bool {
	if len(d) != 12 && len(d) != 14 {
		return false
	}
	num := func(i int) int { return int(d[i]-'0')*10 + int(d[i+1]-'0') }
	century := num(0)
	return century >= 19 && century <= 21 && num(4) >= 1 && num(4) <= 12 && num(6) >= 1 && num(6) <= 31 &&
		num(8) <= 23 && num(10) <= 59 && (len(d) == 12 || num(12) <= 59)
}

func digitsKind(n int) Kind {
	if n == 9 || n == 12 {
		return IDNumber
	}
	return Digits
}

// Surnames that start a name. The list holds the common Vietnamese family
// names (over nine in ten people carry one of them), in lower case NFC.
var surnames = setOf("nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ",
	"hồ", "ngô", "dương", "lý", "đinh", "trịnh", "đoàn", "khuất", "kiều", "phùng", "chu", "nghiêm", "đào", "tạ",
	"lưu", "quách", "mai", "trương", "lương", "tô", "vương", "thái", "cao", "lâm", "hà", "la", "triệu", "lại",
	"tăng", "đàm", "mạc", "khổng", "doãn", "giang", "kim", "lục", "mạch", "ninh", "quan", "tống", "văn", "vi")

// notNames are words that, after a surname, make an ordinary phrase of
// administrative text rather than a name ("Hồ sơ", "Đào tạo", "Hà Nội").
// Keyed by surname and next word, lower case NFC.
var notNames = setOf("hồ sơ", "hồ chí", "hồ chứa", "hồ nước", "đào tạo", "lý lịch", "lý do", "lý luận", "lý thuyết",
	"lưu trú", "lưu hành", "lưu thông", "lưu trữ", "lưu động", "lưu vực", "lưu ý", "lâm nghiệp", "lâm sản", "lâm sinh",
	"hà nội", "hà giang", "hà nam", "hà tĩnh", "hà đông", "dương tính", "chu kỳ", "chu trình", "cao đẳng", "cao cấp", "cao tốc",
	"cao su", "cao bằng", "cao học", "cao tuổi", "nghiêm trọng", "kiều hối", "mai táng", "lương hưu", "lương thực",
	"thái bình", "thái nguyên", "phan thiết", "tăng cường", "tăng ca", "tăng giảm", "giang sơn", "kim loại", "kim cương",
	"kim ngạch", "quan hệ", "quan trắc", "quan tâm", "văn bản", "văn hóa", "văn hoá", "văn phòng", "văn thư", "văn học",
	"văn nghệ", "văn minh", "ninh bình", "ninh thuận", "tống đạt", "đàm phán", "đoàn thể", "đoàn viên", "đoàn thanh",
	"vi phạm", "vi bằng", "võ thuật", "hoàng gia", "trương mục", "la bàn", "mạch điện", "lại quả", "lục địa",
	"triệu tập", "tô giới", "quan lộ", "tạ ơn", "trần nhà")

func setOf(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

type word struct {
	start, end int
	lower      string // lower case NFC
	caps       bool   // capitalised: Xxx or XXX
}

// findNames finds personal names: a surname followed by one to three
// capitalised words, separated by white space only.
func findNames(s string) []Span {
	ws := words(s)
	var out []Span
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if !w.caps || !surnames[w.lower] {
			continue
		}
		j := i + 1
		for j < len(ws) && ws[j].caps && onlySpace(s[ws[j-1].end:ws[j].start]) {
			j++
		}
		// A run of more than four capitalised words is a title ("Đoàn
		// TNCS Hồ Chí Minh"), not a name: names have two to four.
		if j-i > 4 {
			i = j - 1
			continue
		}
		if j == i+1 || notNames[w.lower+" "+ws[i+1].lower] {
			continue
		}
		out = append(out, Span{w.start, ws[j-1].end, Name})
		i = j - 1
	}
	return out
}

func onlySpace(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// words splits s into runs of letters (with their combining marks), in
// byte ranges of s.
func words(s string) []word {
	var out []word
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			i += n
			continue
		}
		start := i
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
				break
			}
			i += n
		}
		w := s[start:i]
		out = append(out, word{start: start, end: i, lower: strings.ToLower(norm.NFC.String(w)), caps: capitalised(w)})
	}
	return out
}

// capitalised reports a word written Xxx or XXX (a single capital counts:
// "Nguyễn Văn A").
func capitalised(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	rest := w[n:]
	if rest == "" {
		return true
	}
	lower, upper := false, false
	for _, r := range rest {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLetter(r), unicode.Is(unicode.Mn, r):
		default:
			return false
		}
	}
	return lower != upper
}
