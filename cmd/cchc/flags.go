package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cchc/cchc/periods"
)

// The checks of flag values below run before the config is loaded, so a
// mistyped flag fails with exit 2 and a message naming the flag, whatever
// state the config or the warehouse is in. Their messages are in
// Vietnamese, with the English detail in parentheses.

// checkFormat fails unless got is one of allowed.
func checkFormat(flag, got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usageErr(fmt.Errorf("--%s: không có định dạng %q; chọn %s (--%s must be %s)",
		flag, got, orList(allowed, "hoặc"), flag, orList(allowed, "or")))
}

// checkPositive fails unless n is at least 1.
func checkPositive(flag string, n int) error {
	if n >= 1 {
		return nil
	}
	return usageErr(fmt.Errorf("--%s: %d không hợp lệ; cần một số nguyên dương, từ 1 trở lên (--%s must be a positive whole number)", flag, n, flag))
}

// checkPeriodFlag fails unless p is written as a period. Its spelling is
// the same under both conventions (calendar, decree09), so it needs no
// config.
func checkPeriodFlag(p string) error {
	if _, err := periods.Parse(p, periods.Calendar); err != nil {
		return usageErr(fmt.Errorf("--period: kỳ %q không hợp lệ; viết YYYY-MM (tháng), YYYY-Qn (quý), YYYY-H1|H2 (6 tháng) hoặc YYYY (năm), ví dụ 2026-03, 2026-Q1, 2026 (%w)", p, err))
	}
	return nil
}

// checkNotBlank fails when a required flag was given empty.
func checkNotBlank(flag, v string) error {
	if strings.TrimSpace(v) == "" {
		return usageErr(fmt.Errorf("--%s: chưa có giá trị (--%s is empty)", flag, flag))
	}
	return nil
}

// orList writes "a, b or c".
func orList(items []string, or string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + or + " " + items[len(items)-1]
}

// errMultipleStatements refuses a query of more than one statement:
// database/sql runs them all and returns only the last one's rows, so the
// earlier ones would run unseen.
var errMultipleStatements = errors.New("cchc query chạy một câu lệnh SQL mỗi lần; hãy tách các câu lệnh và chạy từng câu (one statement per query)")

// countStatements counts the statements of a SQL text: the parts between
// semicolons that hold more than blanks and comments. Semicolons inside
// quotes ('…', "…", E'…' with backslash escapes, $tag$…$tag$) and comments
// (-- to the end of the line, /* … */, nested) do not separate.
func countStatements(sql string) int {
	n := 0
	content := false // the current statement holds something
	end := func() {
		if content {
			n++
		}
		content = false
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ';':
			end()
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
			} else {
				i += j + 1
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			depth := 0
			for i < len(sql) {
				if strings.HasPrefix(sql[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(sql[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		case c == '\'' || c == '"':
			content = true
			escapes := c == '\'' && i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e')
			i++
			for i < len(sql) {
				if escapes && sql[i] == '\\' {
					i += 2
					continue
				}
				if sql[i] == c {
					if i+1 < len(sql) && sql[i+1] == c { // doubled: the quote itself
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
		case c == '$':
			content = true
			// $tag$ … $tag$ (tag empty or an identifier); $1 is a parameter.
			j := i + 1
			for j < len(sql) && (sql[j] == '_' || sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 'A' && sql[j] <= 'Z' || j > i+1 && sql[j] >= '0' && sql[j] <= '9') {
				j++
			}
			if j < len(sql) && sql[j] == '$' {
				tag := sql[i : j+1]
				if k := strings.Index(sql[j+1:], tag); k >= 0 {
					i = j + 1 + k + len(tag)
				} else {
					i = len(sql)
				}
			} else {
				i++
			}
		default:
			content = true
			i++
		}
	}
	end()
	return n
}
