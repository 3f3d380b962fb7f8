package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineLimiter fails a text stream as soon as one line grows beyond max
// bytes, before a decoder buffers it whole (a 200 MB line would otherwise
// cost gigabytes in encoding/csv). Both CR and LF end a line.
type lineLimiter struct {
	r    io.Reader
	path string
	max  int
	run  int   // bytes since the last line break
	line int64 // line breaks seen
	err  error
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	// Jump from line break to line break (IndexByte is vectorised): the
	// bytes between two breaks are one run.
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		end := n
		if j >= 0 {
			end = i + j
		}
		for i < end {
			k := bytes.IndexByte(p[i:end], '\r')
			stop := end
			if k >= 0 {
				stop = i + k
			}
			if stop > i && l.run+stop-i > l.max {
				l.err = limitErr(l.path, fmt.Sprintf("dòng %d", l.line+1), int64(l.max), "max_line_bytes")
				return i + max(l.max-l.run, 0), l.err
			}
			l.run += stop - i
			i = stop
			if k >= 0 {
				l.run = 0
				i++
			}
		}
		if j >= 0 {
			l.line++
			l.run = 0
			i = end + 1
		} else {
			i = n
		}
	}
	return n, err
}

// jsonGuard fails a JSON text nested deeper than maxDepth, holding a string
// longer than maxString bytes, or a run of other bytes (a number, white
// space) longer than maxRun, before encoding/json buffers such a value.
type jsonGuard struct {
	r                io.Reader
	path             string
	maxDepth         int
	maxString        int
	maxRun           int
	off              int64
	depth, run       int
	inString, escape bool
	err              error
}

func (g *jsonGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, b := range p[:n] {
		if g.inString {
			switch {
			case g.escape:
				g.escape = false
			case b == '\\':
				g.escape = true
			case b == '"':
				g.inString, g.run = false, 0
				continue
			}
			g.run++
			if g.run > g.maxString {
				g.err = limitErr(g.path, fmt.Sprintf("một giá trị chữ gần byte %d", g.off+int64(i)), int64(g.maxString), "max_cell_bytes")
				return i, g.err
			}
			continue
		}
		switch b {
		case '"':
			g.inString, g.run = true, 0
		case '{', '[':
			g.depth++
			g.run = 0
			if g.depth > g.maxDepth {
				g.err = limitErr(g.path, fmt.Sprintf("JSON lồng nhau quá sâu (gần byte %d),", g.off+int64(i)), int64(g.maxDepth), "max_json_depth")
				return i, g.err
			}
		case '}', ']':
			g.depth--
			g.run = 0
		case ',', ':':
			g.run = 0
		default:
			g.run++
			if g.run > g.maxRun {
				g.err = limitErr(g.path, fmt.Sprintf("một đoạn không ngắt gần byte %d", g.off+int64(i)), int64(g.maxRun), "max_line_bytes")
				return i, g.err
			}
		}
	}
	g.off += int64(n)
	return n, err
}

// asLimit returns err's *LimitError when it has one, so wrappers do not
// name the file twice.
func asLimit(err error) (error, bool) {
	var le *LimitError
	if errors.As(err, &le) {
		return le, true
	}
	return err, false
}
