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
// cannot read safely, or an unclosed parenthesis, string or comment. The model then aggregates the outcomes themselves.
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
	i, last := 0, 0
	for i < len(e) {
		ch := e[i]
		switch {
		case ch == '\'' || ch == '"':
			if i > 0 && (e[i-1] == 'e' || e[i-1] == 'E') && ch == '\'' && (i < 2 || !isIdent(e[i-2])) {
				return "", false // E'…' has backslash escapes
			}
			end, ok := skipQuoted(e, i)
			if !ok {
				return "", false
			}
			if ch == '"' && skipSpace(e, end) < len(e) && e[skipSpace(e, end)] == '(' {
				return "", false // a quoted function name: maybe an aggregate
			}
			i = end
		case ch == '$':
			return "", false
		case strings.HasPrefix(e[i:], "--") || strings.HasPrefix(e[i:], "/*"):
			end, ok := skipComment(e, i)
			if !ok {
				return "", false
			}
			i = end
		case isIdentStart(ch):
			j := i
			for j < len(e) && isIdent(e[j]) {
				j++
			}
			word := strings.ToLower(e[i:j])
			if word == "select" || word == "over" {
				return "", false
			}
			open := skipSpace(e, j)
			call := open < len(e) && e[open] == '('
			if call && (i > 0 && e[i-1] == '.' || word != "count" && !scalar[word]) {
				return "", false // maybe an aggregate other than count
			}
			if word != "count" || !call {
				i = j
				continue
			}
			end, ok := matchParen(e, open)
			if !ok {
				return "", false
			}
			if first := firstWord(e[open+1 : end-1]); first == "distinct" {
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
		default:
			i++
		}
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

func isIdentStart(c byte) bool { return c == '_' || c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z') }
func isIdent(c byte) bool      { return isIdentStart(c) || ('0' <= c && c <= '9') }

// skipQuoted returns the index after the string or quoted identifier at
// i (a doubled quote is one quote character).
func skipQuoted(e string, i int) (int, bool) {
	q := e[i]
	for j := i + 1; j < len(e); j++ {
		if e[j] == q {
			if j+1 < len(e) && e[j+1] == q {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return 0, false
}

// skipComment returns the index after the comment at i.
func skipComment(e string, i int) (int, bool) {
	if e[i+1] == '-' {
		if n := strings.IndexByte(e[i:], '\n'); n >= 0 {
			return i + n + 1, true
		}
		return len(e), true
	}
	if n := strings.Index(e[i+2:], "*/"); n >= 0 {
		return i + 2 + n + 2, true
	}
	return 0, false
}

// skipSpace returns the index of the next character after spaces and
// comments from i.
func skipSpace(e string, i int) int {
	for i < len(e) {
		switch {
		case e[i] == ' ' || e[i] == '\t' || e[i] == '\n' || e[i] == '\r' || e[i] == '\f' || e[i] == '\v':
			i++
		case strings.HasPrefix(e[i:], "--") || strings.HasPrefix(e[i:], "/*"):
			end, ok := skipComment(e, i)
			if !ok {
				return len(e)
			}
			i = end
		default:
			return i
		}
	}
	return i
}

// matchParen returns the index after the parenthesis closing the one at
// open, skipping strings, quoted identifiers and comments.
func matchParen(e string, open int) (int, bool) {
	depth := 0
	for i := open; i < len(e); {
		switch c := e[i]; {
		case c == '\'' || c == '"':
			end, ok := skipQuoted(e, i)
			if !ok {
				return 0, false
			}
			i = end
			continue
		case c == '$':
			return 0, false
		case strings.HasPrefix(e[i:], "--") || strings.HasPrefix(e[i:], "/*"):
			end, ok := skipComment(e, i)
			if !ok {
				return 0, false
			}
			i = end
			continue
		case isIdentStart(c):
			j := i
			for j < len(e) && isIdent(e[j]) {
				j++
			}
			if w := strings.ToLower(e[i:j]); w == "select" || w == "over" {
				return 0, false
			}
			i = j
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
		i++
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
		c := call[i]
		switch {
		case c == '\'':
			end, ok := skipQuoted(call, i)
			if !ok {
				return true
			}
			i = end
		case c == '"':
			end, ok := skipQuoted(call, i)
			if !ok {
				return true
			}
			id := strings.ToLower(strings.ReplaceAll(call[i+1:end-1], `""`, `"`))
			for _, n := range names {
				if id == n {
					return true
				}
			}
			i = end
		case strings.HasPrefix(call[i:], "--") || strings.HasPrefix(call[i:], "/*"):
			end, ok := skipComment(call, i)
			if !ok {
				return true
			}
			i = end
		case isIdentStart(c):
			j := i
			for j < len(call) && isIdent(call[j]) {
				j++
			}
			w := strings.ToLower(call[i:j])
			for _, n := range names {
				if w == n {
					return true
				}
			}
			i = j
		default:
			i++
		}
	}
	return false
}

// wordAt returns the identifier starting at i, lower-cased, or "".
func wordAt(e string, i int) string {
	j := i
	for j < len(e) && isIdent(e[j]) {
		j++
	}
	if j == i || !isIdentStart(e[i]) {
		return ""
	}
	return strings.ToLower(e[i:j])
}

// firstWord returns the first identifier of s after spaces and comments.
func firstWord(s string) string { return wordAt(s, skipSpace(s, 0)) }
