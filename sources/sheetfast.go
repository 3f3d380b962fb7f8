package sources

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"unicode/utf8"
)

// The kinds of xtok.
const (
	tokOther = iota // a comment, a processing instruction, a directive
	tokStart
	tokEnd
	tokText
)

// xtok is one token of a worksheet or shared strings part, as
// encoding/xml's RawToken gives it (element names unchecked against their
// ends, prefixes kept apart from the local name). Its slices are valid
// until the next token.
type xtok struct {
	kind  int
	local []byte // an element's local name
	text  []byte // tokText: the text, entities decoded
	// An element's attributes as encoding/xml read them; or, from
	// fastTokens, only the values of the first attributes named r and t
	// (nil: none), the only ones the machines read (the others are
	// checked and left).
	xattrs []xml.Attr
	r, t   []byte
	// directive: a tokOther that is a directive (a DTD may declare
	// entities encoding/xml does not know).
	directive bool
}

// attr returns the value of the first attribute with the local name, or
// nil; a token of fastTokens knows only r and t (its xattrs are nil, a
// token of encoding/xml's has nil r and t).
func (t *xtok) attr(name string) []byte {
	for _, a := range t.xattrs {
		if a.Name.Local == name {
			return []byte(a.Value)
		}
	}
	switch name {
	case "r":
		return t.r
	case "t":
		return t.t
	}
	return nil
}

// tokenReader gives the tokens of a part; io.EOF at its end.
type tokenReader interface {
	token() (xtok, error)
}

// xmlTokens reads the tokens with encoding/xml. lines is added to the line
// of its syntax errors: a decoder that took over from the fast path
// started there.
type xmlTokens struct {
	d     *xml.Decoder
	lines int
}

func (x *xmlTokens) token() (xtok, error) {
	tok, err := x.d.RawToken()
	if err != nil {
		var se *xml.SyntaxError
		if x.lines > 0 && errors.As(err, &se) {
			err = &xml.SyntaxError{Msg: se.Msg, Line: se.Line + x.lines}
		}
		return xtok{}, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		return xtok{kind: tokStart, local: []byte(t.Name.Local), xattrs: t.Attr}, nil
	case xml.EndElement:
		return xtok{kind: tokEnd, local: []byte(t.Name.Local)}, nil
	case xml.CharData:
		return xtok{kind: tokText, text: t}, nil
	case xml.Directive:
		return xtok{kind: tokOther, directive: true}, nil
	}
	return xtok{kind: tokOther}, nil
}

// countingReader is the bufio.Reader the prolog's decoder reads, byte by
// byte (encoding/xml uses an io.ByteReader as it is): n and the last two
// bytes tell where the decoder stands.
type countingReader struct {
	r    *bufio.Reader
	n    int64
	last [2]byte
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
		c.last[0], c.last[1] = c.last[1], b
	}
	return b, err
}

// Read is what a CharsetReader reads through, which turns the fast path
// off: only the count matters then.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// fastPart reads an XML part with encoding/xml up to the start tag of the
// container of its repeated elements (a worksheet's <sheetData>, the
// shared strings' <sst>), then element by element with fastTokens from a
// window of the part (next), until an element or anything between two
// leaves fastTokens' plain subset or fails: encoding/xml then takes over
// from that element's first byte to the end of the part (d), so what is
// read, and what errs with which message, is encoding/xml's.
type fastPart struct {
	br *bufio.Reader
	cr *countingReader // br as the prolog's decoder reads it
	d  *xmlTokens      // the prolog's decoder, or the one that took over
	// prolog: what the decoder read so far leaves the fast path open
	// (UTF-8, no DTD).
	prolog bool
	fast   bool // the window is being read (next)
	// The part's bytes from win[pos] on are not read yet; lines counts
	// the line ends before win[pos] (for encoding/xml's error messages
	// once it takes over).
	win   []byte
	pos   int
	eof   error // the part's end (or read error) reached by the window
	lines int
	tok   fastTokens
	// handedOver: encoding/xml took over from the fast path; fills:
	// the window's refills (tests).
	handedOver bool
	fills      int
}

// sheetFast enables the fast path (tests compare it with encoding/xml
// alone).
var sheetFast = true

func newFastPart(r io.Reader) *fastPart {
	br := bufio.NewReaderSize(r, 64<<10)
	cr := &countingReader{r: br}
	p := &fastPart{br: br, cr: cr, prolog: sheetFast}
	d := newXMLDecoder(cr)
	// Once encoding/xml reads the part through a CharsetReader (a
	// declared character set it does not take for UTF-8 itself, "utf8"
	// included), what it decodes is not the part's bytes: no fast path.
	// (Guessing from the declaration missed how encoding/xml reads it.)
	charset := d.CharsetReader
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		p.prolog = false
		return charset(label, in)
	}
	p.d = &xmlTokens{d: d}
	return p
}

// token is the decoder's next token; a DTD closes the fast path.
func (p *fastPart) token() (xtok, error) {
	t, err := p.d.token()
	if err == nil && t.directive {
		p.prolog = false
	}
	return t, err
}

// begin starts the fast path after the container's start tag the decoder
// just returned, when the prolog allows it, the tag was not self-closing
// and the decoder has read nothing beyond it (the offset check also
// guards any other reader the decoder might wrap).
func (p *fastPart) begin() {
	if !p.prolog || p.d.d.InputOffset() != p.cr.n || p.cr.last == [2]byte{'/', '>'} {
		return
	}
	line, _ := p.d.d.InputPos()
	p.lines = line - 1
	p.win = make([]byte, 0, sheetWindow)
	p.fast = true
}

// sheetWindow is the fast path's first window (tests make it tiny, so
// that tokens and elements straddle its refills).
var sheetWindow = 64 << 10

// maxFastElement bounds the bytes of one element the fast path holds; a
// longer one is read by encoding/xml, which streams it.
const maxFastElement = 4 << 20

// What next found.
const (
	nextRead = iota // an element, read
	nextEnd         // the container's end tag
	nextSlow        // something encoding/xml now reads (fast is false)
)

// next reads the next element named name from the window: read gets its
// start tag and reads the rest of it from p.tok, up to its end. An
// element cut by the window's end is read again once the window holds
// more, so read must keep nothing until next returns nextRead. Spaces
// between elements are skipped (encoding/xml's text tokens there are
// ignored by the readers); the end tag named end ends the fast path.
func (p *fastPart) next(name, end string, read func(start xtok) error) int {
	for {
		for p.pos < len(p.win) && isSpaceXML(p.win[p.pos]) {
			if p.win[p.pos] == '\n' {
				p.lines++
			}
			p.pos++
		}
		if p.pos == len(p.win) {
			if p.eof != nil || !p.fill() {
				return p.handOver()
			}
			continue
		}
		b := p.win[p.pos:]
		p.tok = fastTokens{b: b, window: p.eof == nil, text: p.tok.text[:0]}
		t, err := p.tok.token()
		if err == nil {
			switch {
			case t.kind == tokEnd && string(t.local) == end:
				p.consume(p.tok.i)
				p.fast = false
				return nextEnd
			case t.kind != tokStart || string(t.local) != name:
				return p.handOver()
			}
			err = read(t)
		}
		if errors.Is(err, errShort) && len(b) < maxFastElement && p.fill() {
			continue
		}
		if err != nil || p.tok.i > maxFastElement {
			return p.handOver() // encoding/xml reads the element again, and errs if it must
		}
		p.consume(p.tok.i)
		return nextRead
	}
}

// consume moves past n bytes of the window.
func (p *fastPart) consume(n int) {
	p.lines += bytes.Count(p.win[p.pos:p.pos+n], []byte{'\n'})
	p.pos += n
}

// fill reads more of the part into the window, keeping win[pos:]; false
// when nothing more came. It fills the window whole (or reads to the
// part's end): an element cut by the window's end is read again from its
// first byte, so a refill of a few bytes at a time (an inflater handing
// out one tiny deflate block per read) would make reading an element
// quadratic in its length; with whole refills, and the window doubled
// when the element fills it, an element is read again at most about
// log2(maxFastElement/sheetWindow) times.
func (p *fastPart) fill() bool {
	if p.eof != nil {
		return false
	}
	p.fills++
	if p.pos > 0 {
		n := copy(p.win, p.win[p.pos:])
		p.win, p.pos = p.win[:n], 0
	}
	if len(p.win) == cap(p.win) {
		p.win = append(p.win, make([]byte, cap(p.win))...)[:len(p.win)]
	}
	n, err := io.ReadFull(p.br, p.win[len(p.win):cap(p.win)])
	p.win = p.win[:len(p.win)+n]
	switch {
	case err == io.ErrUnexpectedEOF:
		p.eof = io.EOF
	case err != nil:
		p.eof = err
	}
	return n > 0
}

// handOver hands the rest of the part, from win[pos], over to
// encoding/xml.
func (p *fastPart) handOver() int {
	p.fast, p.handedOver = false, true
	rest := io.Reader(bytes.NewReader(p.win[p.pos:]))
	if p.eof == nil {
		rest = io.MultiReader(rest, p.br)
	} else if p.eof != io.EOF {
		rest = io.MultiReader(rest, errReader{p.eof})
	}
	p.d = &xmlTokens{d: newXMLDecoder(rest), lines: p.lines}
	return nextSlow
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// errShort: the bytes end inside a token.
var errShort = errors.New("XLSX part: token cut by the end of the bytes")

// errNotFast: the bytes hold something the fast path leaves to
// encoding/xml.
var errNotFast = errors.New("XLSX part: left to encoding/xml")

// fastTokens tokenizes b as RawToken would, for the plain shape of a
// worksheet's rows and of shared string items: elements whose names are ASCII with at most one
// prefix, attributes in quotes whose values hold no entity, no '<' and no
// carriage return, and text whose only entities are XML's own five and
// character references. Anything else, and any syntax error, gives
// errNotFast (errShort when b ends inside a token) for encoding/xml to
// read.
type fastTokens struct {
	b []byte
	i int
	// window: b may go on beyond its end (more of the part is to be
	// read), so a token reaching the end is cut (errShort).
	window  bool
	closing bool   // the last start tag was self-closing: its end comes next
	name    []byte // its local name
	text    []byte // decoded text
}

func (f *fastTokens) token() (xtok, error) {
	if f.closing {
		f.closing = false
		return xtok{kind: tokEnd, local: f.name}, nil
	}
	if f.i >= len(f.b) {
		if f.window {
			return xtok{}, errShort
		}
		return xtok{}, io.EOF
	}
	b := f.b[f.i:]
	if b[0] != '<' {
		n := bytes.IndexByte(b, '<')
		if n < 0 {
			if f.window {
				return xtok{}, errShort
			}
			n = len(b)
		}
		text, ok := f.decode(b[:n])
		if !ok {
			return xtok{}, errNotFast
		}
		f.i += n
		return xtok{kind: tokText, text: text}, nil
	}
	if len(b) < 2 {
		return xtok{}, errShort
	}
	if b[1] == '/' {
		name, j, err := scanName(b, 2)
		if err == nil {
			j, err = skipSpaces(b, j)
		}
		if err != nil {
			return xtok{}, err
		}
		if b[j] != '>' {
			return xtok{}, errNotFast
		}
		f.i += j + 1
		return xtok{kind: tokEnd, local: localName(name)}, nil
	}
	name, j, err := scanName(b, 1)
	if err != nil {
		return xtok{}, err
	}
	attrs := j
	var rv, tv []byte
	for {
		k := j
		if j, err = skipSpaces(b, j); err != nil {
			return xtok{}, err
		}
		switch b[j] {
		case '>':
			f.i += j + 1
			return xtok{kind: tokStart, local: localName(name), r: rv, t: tv}, nil
		case '/':
			if j+1 >= len(b) {
				return xtok{}, errShort
			}
			if b[j+1] != '>' {
				return xtok{}, errNotFast
			}
			f.i += j + 2
			f.closing, f.name = true, localName(name)
			return xtok{kind: tokStart, local: f.name, r: rv, t: tv}, nil
		}
		if k == j && j != attrs {
			// encoding/xml takes an attribute right after a quote; rare
			// enough to leave to it.
			return xtok{}, errNotFast
		}
		var an []byte
		if an, j, err = scanName(b, j); err == nil {
			j, err = skipSpaces(b, j)
		}
		if err != nil {
			return xtok{}, err
		}
		if b[j] != '=' {
			return xtok{}, errNotFast
		}
		if j, err = skipSpaces(b, j+1); err != nil {
			return xtok{}, err
		}
		q := b[j]
		if q != '"' && q != '\'' {
			return xtok{}, errNotFast
		}
		end := bytes.IndexByte(b[j+1:], q)
		if end < 0 {
			return xtok{}, errShort
		}
		v := b[j+1 : j+1+end]
		if bytes.IndexAny(v, "&<\r") >= 0 || !plainText(v) {
			return xtok{}, errNotFast
		}
		switch string(localName(an)) {
		case "r":
			if rv == nil {
				rv = v
			}
		case "t":
			if tv == nil {
				tv = v
			}
		}
		j += end + 2
	}
}

// scanName reads an XML name at b[i] as encoding/xml does for ASCII names
// (a letter, '_' or ':' first, then letters, digits, '_', ':', '.', '-'),
// with at most one ':'. It returns the name and the index after it;
// errShort when b ends in it, errNotFast when it is not such a name.
func scanName(b []byte, i int) ([]byte, int, error) {
	if i >= len(b) {
		return nil, 0, errShort
	}
	if c := b[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':') {
		return nil, 0, errNotFast
	}
	j, colons := i, 0
	for ; j < len(b); j++ {
		c := b[j]
		if c >= utf8.RuneSelf {
			return nil, 0, errNotFast
		}
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-') {
			break
		}
		if c == ':' {
			colons++
		}
	}
	if j == len(b) {
		return nil, 0, errShort
	}
	if colons > 1 {
		return nil, 0, errNotFast
	}
	return b[i:j], j, nil
}

// localName is the part of a name after its prefix, as encoding/xml splits
// it: only a ':' with something on both sides makes a prefix.
func localName(n []byte) []byte {
	if i := bytes.IndexByte(n, ':'); i > 0 && i < len(n)-1 {
		return n[i+1:]
	}
	return n
}

func isSpaceXML(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpaces returns the index of the first byte from b[j] on that is not
// an XML space; errShort when b ends first.
func skipSpaces(b []byte, j int) (int, error) {
	for j < len(b) && isSpaceXML(b[j]) {
		j++
	}
	if j >= len(b) {
		return j, errShort
	}
	return j, nil
}

// plainText reports whether b is UTF-8 of characters XML allows.
func plainText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !isXMLChar(r) {
			return false
		}
		i += n
	}
	return true
}

// isXMLChar is encoding/xml's isInCharacterRange.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// decode returns the text of the raw bytes between two tags as
// encoding/xml does: as they are when they hold no entity and no carriage
// return, else decoded into f.text (entities replaced, "\r\n" and a lone
// "\r" written "\n"). ok is false for what encoding/xml would reject.
func (f *fastTokens) decode(raw []byte) ([]byte, bool) {
	if !plainText(raw) || bytes.Contains(raw, []byte("]]>")) {
		return nil, false
	}
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return raw, true
	}
	f.text = f.text[:0]
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case '&':
			semi := bytes.IndexByte(raw[i:], ';')
			if semi < 0 {
				return nil, false
			}
			r, ok := entityRune(raw[i+1 : i+semi])
			if !ok {
				return nil, false
			}
			f.text = utf8.AppendRune(f.text, r)
			i += semi + 1
		case '\r':
			f.text = append(f.text, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		default:
			f.text = append(f.text, c)
			i++
		}
	}
	return f.text, true
}

// entityRune is the character of the entity &name; XML predefines, or of a
// character reference whose character XML allows.
func entityRune(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	digits, base := name[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	var r rune
	for _, c := range digits {
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*base + d
	}
	if !isXMLChar(r) || 0xD800 <= r && r <= 0xDFFF {
		return 0, false
	}
	return r, true
}
