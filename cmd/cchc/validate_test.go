package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// H.BAVI dissolved on 11/03/2026 without a successor: of its dossiers in
// the fixture, H41.01-260302-0001 finished on 10/03 (before: not counted),
// H41.01-260302-0002 on 12/03 (counted, finished) and H41.01-260401-0007,
// received on 01/04 naming it, is still open (counted, open): 2 dossiers,
// 1 open. The run summary and cchc validate say so, and what to do; a
// successor_code silences validate at once (it reads units.csv).
func TestDissolvedWithoutSuccessorWarned(t *testing.T) {
	dir := project(t, e2eSources, "")
	units := filepath.Join(dir, "units.csv")
	reg, err := os.ReadFile(units)
	if err != nil {
		t.Fatal(err)
	}
	living := "H.BAVI,UBND huyện Ba Vì,district,,,,,Ba Vì"
	if !strings.Contains(string(reg), living) {
		t.Fatalf("fixture registry changed:\n%s", reg)
	}
	setUnit := func(line string) {
		t.Helper()
		if err := os.WriteFile(units, []byte(strings.Replace(string(reg), living, line, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setUnit("H.BAVI,UBND huyện Ba Vì,district,,,2026-03-11,,Ba Vì")
	warning := "đơn vị H.BAVI (UBND huyện Ba Vì) đã giải thể từ ngày 11/03/2026 nhưng chưa có đơn vị kế thừa: 2 hồ sơ"
	steps := []struct {
		name   string
		args   []string
		before func()
		want   []string // in stdout
		quiet  bool     // no warning about H.BAVI
	}{
		// No warehouse yet: nothing to read, nothing written.
		{name: "validate before any run", args: []string{"validate"}, quiet: true},
		{name: "run", args: []string{"run"}, want: []string{"CẢNH BÁO " + warning, "1 hồ sơ vẫn chưa có ngày kết thúc xử lý",
			"successor_code của H.BAVI trong units.csv", "nguồn a"}},
		{name: "validate", args: []string{"validate"}, want: []string{"cảnh báo: " + warning, "1 hồ sơ vẫn chưa có ngày kết thúc xử lý",
			"successor_code của H.BAVI trong units.csv"}},
		{name: "validate with a successor", args: []string{"validate"}, quiet: true,
			before: func() { setUnit("H.BAVI,UBND huyện Ba Vì,district,,,2026-03-11,X.TANLINH,Ba Vì") }},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		r := cchc(t, dir, nil, s.args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", s.name, r.code, r.stdout, r.stderr)
		}
		for _, w := range s.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: output does not say %q:\n%s", s.name, w, r.stdout)
			}
		}
		if s.quiet && strings.Contains(r.stdout, "H.BAVI (UBND huyện Ba Vì) đã giải thể") {
			t.Errorf("%s: warns about H.BAVI:\n%s", s.name, r.stdout)
		}
		if s.name == "validate before any run" {
			if _, err := os.Stat(filepath.Join(dir, "cchc.duckdb")); err == nil {
				t.Error("validate wrote the warehouse")
			}
		}
	}
}

// A bad value from an environment variable is blamed on the variable, not
// on cchc.yaml (which has neither periods nor a format for source a: the
// message used to name the file all the same).
func TestEnvErrorNamesVariable(t *testing.T) {
	dir := project(t, e2eSources, "")
	cases := []struct{ env, want string }{
		{"CCHC_PERIODS=weekly", `cấu hình: biến môi trường CCHC_PERIODS: periods: phải là calendar hoặc decree09, nhận được "weekly"`},
		{"CCHC_SOURCES_A_FORMAT=xls", `cấu hình: biến môi trường CCHC_SOURCES_A_FORMAT: sources[0].format: phải là auto, csv, xlsx hoặc json, nhận được "xls"`},
	}
	for _, c := range cases {
		r := cchc(t, dir, []string{c.env}, "validate")
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "cchc.yaml:") {
			t.Errorf("%s: exit %d, stderr %q, want %q", c.env, r.code, r.stderr, c.want)
		}
	}
}
