package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped flag fails with exit 2 and a message naming it before the
// config is read: here there is no config at all, so a check made after
// loading it would report the missing config instead (or, for runs, print
// a table and exit 0 with a config).
func TestFlagsCheckedBeforeConfig(t *testing.T) {
	dir := t.TempDir() // no cchc.yaml
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"runs", "--format", "xml"}, `--format: không có định dạng "xml"; chọn table, csv hoặc json`},
		{[]string{"runs", "--limit", "-1"}, "--limit: -1 không hợp lệ"},
		{[]string{"runs", "--limit", "0"}, "--limit: 0 không hợp lệ"},
		{[]string{"query", "SELECT 1", "--format", "xml"}, "--format"},
		{[]string{"query", "SELECT 1; SELECT 2"}, "một câu lệnh SQL mỗi lần"},
		{[]string{"query", " -- nothing\n;"}, "câu lệnh SQL trống"},
		{[]string{"quarantine", "--format", "json"}, "chọn table hoặc csv"},
		{[]string{"explain", "--unit", "H.BAVI", "--period", "2025-13"}, `--period: kỳ "2025-13" không hợp lệ`},
		{[]string{"explain", "--unit", "H.BAVI", "--period", "2025", "--index", "dvc"}, "--index: không có định dạng"},
		{[]string{"explain", "--unit", " ", "--period", "2025"}, "--unit: chưa có giá trị"},
		{[]string{"publish", "--period", "March"}, `--period: kỳ "March" không hợp lệ`},
		{[]string{"publish", "--period", "2026", "--lake"}, "chỉ chọn một trong --period và --lake"},
		{[]string{"publish"}, "thiếu --period"},
		{[]string{"gen", "big", "--rows", "0", filepath.Join(dir, "big.csv")}, "--rows: 0 không hợp lệ"},
		{[]string{"gen", "demo", "--dossiers", "-5", filepath.Join(dir, "demo")}, "--dossiers: -5 không hợp lệ"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := cchc(t, dir, nil, c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "cấu hình") || r.stdout != "" {
				t.Errorf("exit %d, want 2 and %q before the config\nstdout %q\nstderr %s", r.code, c.want, r.stdout, r.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "big.csv")); err == nil {
		t.Error("gen big --rows 0 created its file")
	}
}

func TestCountStatements(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want int
	}{
		{"SELECT 1", 1},
		{"SELECT 1;", 1},
		{"  SELECT 1 ;  ;\n", 1},
		{"", 0},
		{" ; -- nothing\n /* none; */", 0},
		{"SELECT 1; SELECT 2", 2},
		{"SELECT 1; DELETE FROM dossiers;", 2},
		{"SELECT ';' AS s", 1},
		{"SELECT 'it''s; fine'", 1},
		{`SELECT 1 AS "a;b"`, 1},
		{"SELECT 1 -- ; SELECT 2", 1},
		{"SELECT 1 -- ;\n; SELECT 2", 2},
		{"SELECT /* ; /* nested ; */ still ; */ 1", 1},
		{"SELECT $$;$$, $t$ ; $$ $t$", 1},
		{"SELECT $1; SELECT 2", 2},
		{`SELECT E'\'; still a string'`, 1},
		{"SELECT 'unterminated; SELECT 2", 1},
	} {
		if got := countStatements(c.sql); got != c.want {
			t.Errorf("countStatements(%q) = %d, want %d", c.sql, got, c.want)
		}
	}
}

// FuzzCountStatements: any text is counted without a panic, and never as
// more statements than its semicolons allow.
func FuzzCountStatements(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "SELECT ';'", "/* /* */", "$a$;$a", "E'\\", "-- ;\n;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if n := countStatements(sql); n < 0 || n > strings.Count(sql, ";")+1 {
			t.Errorf("countStatements(%q) = %d", sql, n)
		}
	})
}
