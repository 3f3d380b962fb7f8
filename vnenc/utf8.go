package vnenc

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// utf8Reader passes UTF-8 through, dropping a leading BOM and replacing
// invalid bytes with U+FFFD. It does what x/text's UTF8BOM decoder does at
// several times the speed on valid input, which is nearly all input: a
// chunk is checked with utf8.Valid and copied as is.
type utf8Reader struct {
	r       io.Reader
	buf     []byte // undelivered output
	pending []byte // incomplete rune carried to the next read
	store   []byte // the chunk buffer, reused: buf is empty when fill runs
	started bool
	err     error
}

func newUTF8Reader(r io.Reader) io.Reader {
	return &utf8Reader{r: r}
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	for len(u.buf) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		u.fill()
	}
	n := copy(p, u.buf)
	u.buf = u.buf[n:]
	return n, nil
}

func (u *utf8Reader) fill() {
	if u.store == nil {
		u.store = make([]byte, 64<<10)
	}
	// pending is a copy, or the start of store itself (copy handles both).
	chunk := u.store[:len(u.pending)]
	copy(chunk, u.pending)
	u.pending = nil
	n, err := u.r.Read(chunk[len(chunk):cap(chunk)])
	chunk = chunk[:len(chunk)+n]
	if err != nil {
		u.err = err
	}
	if !u.started && (len(chunk) >= 3 || err != nil) {
		u.started = true
		chunk = bytes.TrimPrefix(chunk, []byte{0xEF, 0xBB, 0xBF})
	} else if !u.started {
		u.pending = chunk
		return
	}
	if err == nil {
		// Hold back a rune cut at the end of the chunk.
		for i := 1; i <= utf8.UTFMax && i <= len(chunk); i++ {
			c := chunk[len(chunk)-i]
			if c < utf8.RuneSelf {
				break
			}
			if utf8.RuneStart(c) {
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					u.pending = append([]byte(nil), chunk[len(chunk)-i:]...)
					chunk = chunk[:len(chunk)-i]
				}
				break
			}
		}
	}
	if utf8.Valid(chunk) {
		u.buf = chunk
		return
	}
	u.buf = bytes.ToValidUTF8(chunk, []byte("\uFFFD"))
}
