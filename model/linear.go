package model

import (
	"strconv"
	"strings"
)

// counted is a methodology's indicator expressions split into counts: the
// distinct count(...) calls they make (each with its FILTER clause), and
// the expressions with each call replaced by a column c1, c2, ... naming
// it. A count is additive: the count of a (period, unit) is the sum of the
// counts of its parts, and a changed dossier's old version is taken out by
// subtracting its count. That lets the model keep the counts per period,
// unit and field (outcome_counts) and apply a run's changes to them
// instead of aggregating every dossier of every period it reaches again.
type counted struct {
	counts []string // the count calls, verbatim, in order of first use
	exprs  []string // the input expressions over c1 … cN
}

// countColumn names the column of the i-th count (0-based).
func countColumn(i int) string { return "c" + strconv.Itoa(i+1) }

// splitCounts finds the count calls of exprs. ok is false when an
// expression may aggregate in a way a sum of parts does not give: a call
// other than count and the scalar functions above (sum, avg, …), a
// count(DISTINCT …), a window (OVER), a subquery (SELECT), a count reading
// the period or the unit (see mentions), a dollar- or E-quoted string it
// cannot read safely, or an unclosed parenthesis, string or comment. The
// model then aggregates the outcomes themselves.
func splitCounts(exprs []string) (counted, bool) {
	var c counted
	index := map[string]int{}
	for _, e := range exprs {
		out, ok := rewriteCounts(e, func(call string) string {
			i, seen := index[call]
			if !seen {
				i = len(c.counts)
				index[call] = i
				c.counts = append(c.counts, call)
			}
			return countColumn(i)
		})
		if !ok {
			return counted{}, false
		}
		c.exprs = append(c.exprs, out)
	}
	return c, true
}

// rewriteCounts returns e with every count(...) call, with its FILTER
// clause, replaced by name(call).
func rewriteCounts(e string, name func(call string) string) (string, bool) {
	var b strings.Builder
	last := 0
	for i := 0; i < len(e); {
		t, ok := next(e, i)
		if !ok {
			return "", false
		}
		open := skipSpace(e, t.end)
		call := open < len(e) && e[open] == '('
		switch {
		case t.kind == tokQuoted && call:
			return "", false // a quoted function name: maybe an aggregate
		case t.kind != tokWord || t.word != "count" || !call:
			if t.kind == tokWord && call && (i > 0 && e[i-1] == '.' || !scalar[t.word]) {
				return "", false // maybe an aggregate other than count
			}
			i = t.end
			continue
		case i > 0 && e[i-1] == '.':
			return "", false
		}
		end, ok := matchParen(e, open)
		if !ok || firstWord(e[open+1:end-1]) == "distinct" {
			return "", false
		}
		k := skipSpace(e, end)
		if w := wordAt(e, k); w == "filter" {
			p := skipSpace(e, k+len(w))
			if p >= len(e) || e[p] != '(' {
				return "", false
			}
			if end, ok = matchParen(e, p); !ok {
				return "", false
			}
			k = skipSpace(e, end)
		}
		if wordAt(e, k) == "over" || mentions(e[i:end], "period", "unit_code") {
			return "", false
		}
		b.WriteString(e[last:i])
		b.WriteString(name(e[i:end]))
		i, last = end, end
	}
	b.WriteString(e[last:])
	return b.String(), true
}

// scalar are the functions and keywords an expression may apply to its
// counts: any other call may be an aggregate (sum, avg, …), whose value
// is not the sum of its parts.
var scalar = map[string]bool{
	"cast": true, "try_cast": true, "coalesce": true, "nullif": true, "ifnull": true,
	"greatest": true, "least": true, "round": true, "abs": true, "floor": true,
	"ceil": true, "ceiling": true, "sqrt": true, "power": true, "pow": true, "ln": true,
	"log": true, "log10": true, "log2": true, "exp": true, "sign": true, "trunc": true,
	"if": true, "decimal": true, "numeric": true,
	"in": true, "and": true, "or": true, "not": true, "when": true, "then": true,
	"else": true, "case": true, "is": true,
}

// The kinds of token next returns.
const (
	tokOther  = iota // one byte: an operator, a parenthesis, a space
	tokString        // '…'
	tokQuoted        // "…", a quoted identifier
	tokComment
	tokWord // an identifier or keyword
)

type token struct {
	kind int
	end  int    // index after the token
	word string // tokWord: lower-cased; tokQuoted: the name it quotes, lower-cased
}

// next returns the token of e at i. ok is false where the scanners give
// up: an unclosed string, quoted identifier or comment, a dollar-quoted
// string, an E'…' string (backslash escapes), and the words select and
// over (a subquery, a window), which no count can hold.
func next(e string, i int) (token, bool) {
	c := e[i]
	switch {
	case c == '\'' || c == '"':
		q := c
		for j := i + 1; j < len(e); j++ {
			if e[j] != q {
				continue
			}
			if j+1 < len(e) && e[j+1] == q {
				j++
				continue
			}
			if q == '\'' {
				return token{kind: tokString, end: j + 1}, true
			}
			return token{kind: tokQuoted, end: j + 1, word: strings.ToLower(strings.ReplaceAll(e[i+1:j], `""`, `"`))}, true
		}
		return token{}, false
	case c == '$':
		return token{}, false
	case strings.HasPrefix(e[i:], "--"):
		if n := strings.IndexByte(e[i:], '\n'); n >= 0 {
			return token{kind: tokComment, end: i + n + 1}, true
		}
		return token{kind: tokComment, end: len(e)}, true
	case strings.HasPrefix(e[i:], "/*"):
		if n := strings.Index(e[i+2:], "*/"); n >= 0 {
			return token{kind: tokComment, end: i + 2 + n + 2}, true
		}
		return token{}, false
	case isIdentStart(c):
		j := identEnd(e, i)
		w := strings.ToLower(e[i:j])
		if w == "select" || w == "over" || w == "e" && j < len(e) && e[j] == '\'' {
			return token{}, false
		}
		return token{kind: tokWord, end: j, word: w}, true
	}
	return token{kind: tokOther, end: i + 1}, true
}

func isIdentStart(c byte) bool { return c == '_' || c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z') }
func isIdent(c byte) bool      { return isIdentStart(c) || ('0' <= c && c <= '9') }

// skipSpace returns the index of the next token after spaces and
// comments from i (len(e) at an unclosed comment).
func skipSpace(e string, i int) int {
	for i < len(e) {
		switch e[i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			i++
			continue
		}
		t, ok := next(e, i)
		if !ok && strings.HasPrefix(e[i:], "/*") {
			return len(e)
		}
		if !ok || t.kind != tokComment {
			return i
		}
		i = t.end
	}
	return i
}

// matchParen returns the index after the parenthesis closing the one at
// open, skipping strings, quoted identifiers and comments.
func matchParen(e string, open int) (int, bool) {
	depth := 0
	for i := open; i < len(e); {
		t, ok := next(e, i)
		if !ok {
			return 0, false
		}
		if t.kind == tokOther {
			switch e[i] {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					return t.end, true
				}
			}
		}
		i = t.end
	}
	return 0, false
}

// mentions reports whether the call reads one of the columns names, bare
// or double-quoted, in any case. A count that reads the period or the
// standing unit is not restated like the others: the previous period
// restated on a period's units (dossier_outcomes_restated) gives its rows
// that period's name and units, while outcome_counts holds the counts
// made with their own.
func mentions(call string, names ...string) bool {
	for i := 0; i < len(call); {
		t, ok := next(call, i)
		if !ok {
			return true
		}
		if t.kind == tokWord || t.kind == tokQuoted {
			for _, n := range names {
				if t.word == n {
					return true
				}
			}
		}
		i = t.end
	}
	return false
}

// wordAt returns the identifier starting at i, lower-cased, or "".
func wordAt(e string, i int) string {
	if i >= len(e) || !isIdentStart(e[i]) {
		return ""
	}
	return strings.ToLower(e[i:identEnd(e, i)])
}

// identEnd returns the index after the identifier characters from i.
func identEnd(e string, i int) int {
	for i < len(e) && isIdent(e[i]) {
		i++
	}
	return i
}

// firstWord returns the first identifier of s after spaces and comments.
func firstWord(s string) string { return wordAt(s, skipSpace(s, 0)) }

// countSum returns a count call of splitCounts written as the sum DuckDB
// computes fastest: count(x) FILTER (WHERE c) becomes
// CAST(sum(CASE WHEN (c) AND (x) IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)
// (no x test for count(*)). Both count the rows where c is true and x is
// not null, and both give 0, not NULL, for a group none of whose rows
// counts. DuckDB 1.1 copies the rows of each FILTER clause before
// counting them, while the sum of a 0-or-1 INTEGER runs on a 64-bit
// accumulator its statistics prove cannot overflow: over the 22M
// (dossier, period) rows of a 5M-dossier first load the count took about
// a fifth less CPU (BENCHMARKS.md, "The count as sums"). A call without
// FILTER, or one it cannot read, is returned as it is. One difference
// shows only on a methodology's error: the sum evaluates x on the rows
// where c holds, so a cast in x that fails on the other rows no longer
// fails the count.
func countSum(call string) string {
	open := skipSpace(call, len("count"))
	if wordAt(call, 0) != "count" || open >= len(call) || call[open] != '(' {
		return call
	}
	end, ok := matchParen(call, open)
	if !ok {
		return call
	}
	arg := call[open+1 : end-1]
	// count() is DuckDB's count(*); a comment beside the star would leave
	// a star inside (…) IS NOT NULL, which DuckDB refuses.
	star := skipSpace(arg, 0) == len(arg)
	if k := skipSpace(arg, 0); k < len(arg) && arg[k] == '*' && skipSpace(arg, k+1) == len(arg) {
		star = true
	}
	// An ORDER BY inside the call is no expression to test for NULL.
	if w := firstWord(arg); w == "all" || w == "distinct" || mentions(arg, "order") {
		return call
	}
	k := skipSpace(call, end)
	if wordAt(call, k) != "filter" {
		return call
	}
	p := skipSpace(call, k+len("filter"))
	if p >= len(call) || call[p] != '(' {
		return call
	}
	close, ok := matchParen(call, p)
	if !ok || skipSpace(call, close) != len(call) {
		return call
	}
	w := skipSpace(call, p+1)
	if wordAt(call, w) != "where" {
		return call
	}
	cond := "(" + strings.TrimLeft(call[w+len("where"):close-1], " \t\r\n") + ")"
	if !star {
		cond += " AND (" + strings.TrimSpace(arg) + ") IS NOT NULL"
	}
	return "CAST(sum(CASE WHEN " + cond + " THEN 1 ELSE 0 END) AS BIGINT)"
}
