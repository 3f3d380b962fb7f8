package sources

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"strings"
	"unsafe"
)

// csvLines reads the records of a CSV text the way an encoding/csv Reader
// with LazyQuotes, FieldsPerRecord -1, no comment character and no leading
// space trimming reads them, and returns exactly what it returns (records,
// errors, and the line each record starts on: FuzzCSVLines), at a fraction
// of its cost on the lines exports are made of.
//
// It splits itself a line that is whole in the buffer shared with the
// csv.Reader, not blank, and whose quoted fields (if any) hold no quote and
// end at a delimiter or at the end of the line: the fields are slices of
// the buffer, nothing is allocated or copied. Anything else (a
// line past the buffered bytes, a blank line, an escaped or bare quote in
// a quoted field, a quoted value running over lines, the end of the file)
// is left to the csv.Reader, which reads on from the same bufio.Reader.
type csvLines struct {
	br    *bufio.Reader // shared with r (csv.NewReader keeps a large enough bufio.Reader)
	r     *csv.Reader
	comma byte
	fast  bool // the delimiter and the shared buffer allow splitting here
	// extra is the lines split here: the csv.Reader does not see them, so
	// they are added to the line numbers it reports.
	extra int64
	// end is the line the last record ended on (0 before the first).
	end int64
	// split says the last record was split here: it holds no line break.
	split bool
	rec   []string
}

// newCSVLines reads text, whose bytes the caller may have peeked at but
// not consumed otherwise, with delimiter comma.
func newCSVLines(text *bufio.Reader, comma rune) *csvLines {
	r := csv.NewReader(text)
	r.Comma = comma
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvLines{br: text, r: r, comma: byte(comma),
		fast: comma > 0 && comma < 0x80 && comma != '"' && comma != '\r' && comma != '\n' && text.Size() >= 4096}
}

// read returns the next record and the line it starts on (1-based), or the
// csv.Reader's error: a *csv.ParseError's lines are the file's. The
// record's strings may point into the read buffer: they are valid until
// the next call, and a caller keeping one copies it.
func (c *csvLines) read() ([]string, int64, error) {
	if c.fast {
		if rec, ok := c.splitLine(); ok {
			c.extra++
			c.end++
			c.split = true
			return rec, c.end, nil
		}
	}
	c.split = false
	rec, err := c.r.Read()
	if err != nil {
		if pe, ok := err.(*csv.ParseError); ok {
			e := *pe
			e.StartLine += int(c.extra)
			e.Line += int(c.extra)
			return nil, 0, &e
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	// A record ends on the line its last field starts on, plus the line
	// breaks inside that field (only a quoted field holds any).
	c.end = int64(last) + c.extra + int64(strings.Count(rec[len(rec)-1], "\n"))
	return rec, int64(line) + c.extra, nil
}

// splitLine reads the next record from the buffered bytes when it can, and
// consumes its line; ok is false, nothing consumed, when it cannot.
func (c *csvLines) splitLine() ([]string, bool) {
	buf, _ := c.br.Peek(c.br.Buffered())
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		return nil, false
	}
	line := buf[:nl]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return nil, false // blank: skipped by encoding/csv, which counts it
	}
	// The fields are sliced from the line in the buffer, not copied: they
	// are valid until the next read (see read).
	str := unsafe.String(&line[0], len(line))
	rec := c.rec[:0]
	for i := 0; ; {
		if i < len(str) && str[i] == '"' {
			j := strings.IndexByte(str[i+1:], '"')
			if j < 0 {
				return nil, false // runs over lines
			}
			end := i + 1 + j
			rec = append(rec, str[i+1:end])
			if end+1 == len(str) {
				break
			}
			if str[end+1] != c.comma {
				return nil, false // "" or a bare quote after the closing one
			}
			i = end + 2
			continue
		}
		j := strings.IndexByte(str[i:], c.comma)
		if j < 0 {
			rec = append(rec, str[i:])
			break
		}
		rec = append(rec, str[i:i+j])
		i += j + 1
	}
	c.rec = rec
	c.br.Discard(nl + 1)
	return rec, true
}
