package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The mistakes an operator or analyst makes most often get a message in
// Vietnamese saying what to do, the English detail after it, and the exit
// code of the README's table (2: bad usage or config).
func TestUserMessages(t *testing.T) {
	dir := project(t, e2eSources, "")
	// No run yet: no warehouse; DuckDB alone would say "database does not
	// exist" without saying that cchc run creates it.
	for _, args := range [][]string{
		{"query", "SELECT 1"},
		{"runs"},
		{"quarantine"},
		{"explain", "--unit", "H.BAVI", "--period", "2026"},
		{"publish", "--period", "2026-03"},
	} {
		r := cchc(t, dir, nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "không mở được kho dữ liệu") || !strings.Contains(r.stderr, "hãy chạy `cchc run` trước") {
			t.Errorf("%s before any run: exit %d %s", args[0], r.code, r.stderr)
		}
	}
	r := cchc(t, dir, []string{"CCHC_PERIODS=weekly"}, "runs")
	if r.code != 2 || !strings.Contains(r.stderr, "cấu hình có lỗi, chưa làm gì; hãy sửa chỗ được nêu rồi chạy lại: cấu hình: biến môi trường CCHC_PERIODS: periods: phải là calendar hoặc decree09") {
		t.Errorf("bad config: exit %d %s", r.code, r.stderr)
	}
	// A token set as if it were a source's key: a config error, without
	// its value.
	r = cchc(t, dir, []string{"CCHC_SOURCES_A_TOKEN=SECRET42"}, "runs")
	if r.code != 2 || !strings.Contains(r.stderr, "biến môi trường CCHC_SOURCES_A_TOKEN: nguồn a không có khóa token") || strings.Contains(r.stdout+r.stderr, "SECRET42") {
		t.Errorf("credential set as a source key: exit %d %s", r.code, r.stderr)
	}
	if r := cchc(t, dir, nil, "run"); r.code != 0 {
		t.Fatalf("run: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// runs --format xml printed a table and exited 0.
	r = cchc(t, dir, nil, "runs", "--format", "xml")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--format") {
		t.Errorf("runs --format xml: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "runs", "--limit", "1", "--format", "csv")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("runs --limit 1: exit %d %q %s", r.code, r.stdout, r.stderr)
	}

	// A period without data: exit 2, as explain on the same case.
	r = cchc(t, dir, nil, "publish", "--period", "2031")
	if r.code != 2 || !strings.Contains(r.stderr, "chưa có số liệu kỳ 2031") || !strings.Contains(r.stderr, "has no data") {
		t.Errorf("publish --period 2031: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "2031")); err == nil {
		t.Error("publish of a period without data made its folder")
	}
	r = cchc(t, dir, nil, "explain", "--unit", "H.BAVI", "--period", "2031")
	if r.code != 2 || !strings.Contains(r.stderr, "không có điểm") {
		t.Errorf("explain --period 2031: exit %d %s", r.code, r.stderr)
	}

	// A unit code the registry does not know is unknown, not "no score".
	r = cchc(t, dir, nil, "explain", "--unit", "H.BAVII", "--period", "2026")
	if r.code != 2 || !strings.Contains(r.stderr, `không có đơn vị "H.BAVII" trong danh mục đơn vị units.csv`) || strings.Contains(r.stderr, "không có điểm") {
		t.Errorf("explain of an unknown unit: exit %d %s", r.code, r.stderr)
	}
	// A known unit without a score keeps its message.
	r = cchc(t, dir, nil, "explain", "--unit", "H.BAVI", "--period", "2026")
	if r.code != 2 || !strings.Contains(r.stderr, "đơn vị H.BAVI không có điểm") {
		t.Errorf("explain of a known unit without a score: exit %d %s", r.code, r.stderr)
	}

	// Two statements ran both and printed the last; now refused, neither
	// runs.
	r = cchc(t, dir, nil, "query", "SELECT 1 AS a; SELECT 2 AS b")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "một câu lệnh SQL mỗi lần") {
		t.Errorf("two statements: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "query", "SELECT ';' AS s; -- one statement;", "--format", "csv")
	if r.code != 0 || r.stdout != "s\n;\n" {
		t.Errorf("one statement with semicolons in a string and a comment: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = cchc(t, dir, nil, "query", "DELETE FROM dossiers")
	if r.code != 1 || !strings.Contains(r.stderr, "câu lệnh bị từ chối: cchc query chỉ đọc dữ liệu") || !strings.Contains(r.stderr, "read-only") {
		t.Errorf("a write: exit %d %s", r.code, r.stderr)
	}
	r = cchc(t, dir, nil, "quarantine", "--source", "zz")
	if r.code != 2 || !strings.Contains(r.stderr, "--source zz: không có nguồn này") {
		t.Errorf("unknown source: exit %d %s", r.code, r.stderr)
	}
}

// A period whose publication fails names the period once: the pipeline
// wrapped publish's "publish P: …" (now "xuất bản kỳ P: …") in another
// "publish P: ". The folder that cannot be written is named with the
// config key that sets it.
func TestPublicationErrorNamesPeriodOnce(t *testing.T) {
	dir := project(t, e2eSources, "")
	if err := os.WriteFile(filepath.Join(dir, "blocker"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CCHC_PUBLISH_DIR=./blocker/out"}
	r := cchc(t, dir, env, "run")
	if r.code != 3 || !strings.Contains(r.stdout, "XUẤT BẢN LỖI") || !strings.Contains(r.stdout, "không ghi được vào thư mục; kiểm tra thư mục publish.dir trong cấu hình") ||
		!strings.Contains(r.stdout, "not a directory") {
		t.Fatalf("run into a blocked publish dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Count(line, "xuất bản kỳ 20") > 1 || strings.Contains(line, "publish 20") {
			t.Errorf("the period is named twice: %s", line)
		}
	}
	r = cchc(t, dir, env, "publish", "--period", "2026-03")
	if r.code != 1 || strings.Count(r.stderr, "xuất bản kỳ 2026-03") != 1 || !strings.Contains(r.stderr, "không ghi được vào thư mục; kiểm tra thư mục publish.dir") {
		t.Errorf("publish into a blocked dir: exit %d %s", r.code, r.stderr)
	}
}

// The config, the unit registry and the methodology are refused before
// anything is done, exit 2, in Vietnamese, naming the file and the line,
// column or key to fix.
func TestSetupMessages(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		args  []string
		want  []string
	}{
		{"no config", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "cchc.yaml")) }, []string{"runs"},
			[]string{"cấu hình DIR/cchc.yaml: không tìm thấy tệp", "--config", "(file not found"}},
		{"unit registry", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "units.csv"), "unit_code,name,level\nH.BAVI,UBND huyện Ba Vì,tỉnh\n")
		}, []string{"validate"},
			[]string{"danh mục đơn vị có lỗi, chưa làm gì", "danh mục đơn vị DIR/units.csv: dòng 2: cột level: phải là một trong department, district, commune"}},
		{"source unit", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "cchc.yaml"), "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n  - name: a\n    path: ./exports/a/*.csv\n    unit: H.NONE\n")
		}, []string{"run"},
			[]string{"cấu hình DIR/cchc.yaml: sources[0].unit: đơn vị \"H.NONE\" không có trong danh mục đơn vị DIR/units.csv", "(unit is not in the unit registry)"}},
		{"methodology", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "m.yaml"), "name: m\ngroups: []\n")
			appendTo(t, filepath.Join(dir, "cchc.yaml"), "methodology: ./m.yaml\n")
		}, []string{"runs"},
			[]string{"cấu hình DIR/cchc.yaml: methodology: phương pháp DIR/m.yaml: version: bắt buộc", "phương pháp DIR/m.yaml: groups: cần ít nhất một nhóm"}},
		{"no schedule", func(t *testing.T, dir string) {}, []string{"schedule"},
			[]string{"cấu hình DIR/cchc.yaml: schedule: bắt buộc với cchc schedule", "(required for cchc schedule)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, e2eSources, "")
			c.setup(t, dir)
			r := cchc(t, dir, nil, c.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "cchc.duckdb")); err == nil {
				t.Error("the warehouse was written")
			}
		})
	}
}

func write(t *testing.T, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, p, body string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(body); err != nil {
		t.Fatal(err)
	}
}
