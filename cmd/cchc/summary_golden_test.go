package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/warehouse"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// golden compares got with testdata/name; -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/cchc -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s changed; if that is deliberate, run go test ./cmd/cchc -run %s -update and review the diff\n--- got ---\n%s", name, t.Name(), got)
	}
}

// The run summary is what the clerks, the analysts and the operator of the
// nightly job read: every line of it is Vietnamese (NFC), the tables,
// columns, config keys, reason codes and runs.status values it names stay
// as they are, the counts are grouped with a dot (18.144: a comma is the decimal mark)
// and the times have a decimal comma (28,24 giây). One
// summary sets every field that prints a line, one is a failed run.
func TestSummaryGolden(t *testing.T) {
	since := time.Date(2026, 10, 28, 1, 30, 0, 0, time.UTC)
	files := []*warehouse.FileResult{
		{Source: "ba-vi", Path: "/srv/cchc/exports/ba-vi/q1.xlsx", Status: "loaded", RowsRead: 18144, RowsLoaded: 15968, RowsQuarantined: 26, RowsSuperseded: 2150,
			Mapping: transforms.Mapping{Dropped: []string{"Họ tên người nộp", "Số CCCD"}}, ValuesMasked: 1234},
		{Source: "ba-vi", Path: "/srv/cchc/exports/ba-vi/q2.xlsx", Status: "loaded", Retry: true, RowsRead: 10, RowsLoaded: 9, RowsQuarantined: 0},
		{Source: "son-tay", Path: "/srv/cchc/exports/son-tay/t5.csv", Status: "failed", Error: "nguồn son-tay: tệp exports/son-tay/t5.csv: không đọc được tệp"},
	}
	for _, c := range []struct {
		name string
		took time.Duration
		s    pipeline.Summary
	}{
		{"summary-partial.golden", 28243 * time.Millisecond, pipeline.Summary{
			Run: warehouse.Run{ID: 7, Status: warehouse.RunPartial, Trigger: "schedule", FilesNew: 2, FilesFailed: 1,
				RowsRead: 18154, RowsLoaded: 15977, RowsQuarantined: 26, RowsSuperseded: 2150},
			Timing:      pipeline.Timing{Stage: 8851 * time.Millisecond, Commit: 7412 * time.Millisecond, Publish: 9094 * time.Millisecond},
			Files:       files,
			Unchanged:   170,
			StillFailed: 2,
			Retried:     1, Recovered: 1,
			RetryFailed:  []string{"nguồn ba-vi: tệp exports/ba-vi/q3.xlsx: quá nhiều dòng lỗi"},
			Duplicates:   1500,
			SourceErrors: []pipeline.SourceError{{Source: "dvcqg", Err: errors.New("máy chủ không trả lời")}},
			Rejections: []pipeline.Rejection{{Source: "ba-vi", File: "/srv/cchc/exports/ba-vi/q1.xlsx",
				RowError: transforms.RowError{Row: 109, Column: "Số hồ sơ", Code: "missing_dossier_code", Reason: "Thiếu mã hồ sơ"}}},
			Warnings:     []string{pipeline.MissingColumnWarning("son-tay", "reused_data", []string{"reused_data"}, 18)},
			Redirected:   []pipeline.Redirect{{Unit: "X.KIMSON", Successor: "PH.TUNGTHIEN", Rows: 245}, {Unit: "X.TANLINH", Rows: 3}},
			StaleSources: []warehouse.StaleSource{{Source: "phuc-tho", LastNewFile: &since}, {Source: "xa-moi"}},
			Modelled:     true, ModelCounts: model.CountsDelta, RebuiltPeriods: []string{"2026", "2026-10", "2026-Q4"}, TouchedPeriods: 2, NewPeriods: 1,
			FinalPeriods: []string{"2026-09"}, ProvisionalPeriods: []string{"2026-10", "2026-Q4", "2026"},
			Published:          []string{"/srv/cchc/out/2026-10/ranking-commune.csv", "/srv/cchc/out/2026-10/report.html"},
			RepublishedPeriods: []string{"2026-10"},
			Lake:               &publish.LakeResult{Dir: "/srv/cchc/lake", Written: []string{"dossiers/year=2026/month=10"}},
			PublishErr:         errors.New("xuất bản kỳ 2026-Q4: disk full"),
			Snapshot:           "/srv/cchc/cchc.snapshot.duckdb",
			SnapshotErr:        errors.New("copy: disk full"),
		}},
		{"summary-failed.golden", 1500 * time.Millisecond, pipeline.Summary{
			Run: warehouse.Run{ID: 8, Status: warehouse.RunFailed, Trigger: "manual", FilesNew: 2, RowsRead: 18154,
				Message: "the disk holding /srv/cchc is full"},
			Files:    files[:2],
			ModelErr: &warehouse.ModelError{Err: errors.New("Binder Error")},
		}},
	} {
		var b bytes.Buffer
		printSummary(&b, "/srv/cchc", &c.s, c.took)
		if !norm.NFC.IsNormalString(b.String()) {
			t.Errorf("%s: not NFC", c.name)
		}
		golden(t, c.name, b.Bytes())
	}
}

// Vietnamese groups thousands with a dot and writes decimals with a comma:
// "18,144 dòng" would read as eighteen rows and a bit.
func TestVietnameseNumbers(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.000"}, {18144, "18.144"}, {1234567, "1.234.567"}, {-2150, "-2.150"}} {
		if got := groupDigits(c.n); got != c.want {
			t.Errorf("groupDigits(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 giây"},
		{220 * time.Millisecond, "0,22 giây"},
		{28244 * time.Millisecond, "28,24 giây"}, // rounded to the hundredth
		{1500 * time.Millisecond, "1,5 giây"},
		{2280 * time.Millisecond, "2,28 giây"},      // 2.28 as a float of seconds prints 2.2800000000000002
		{1820 * time.Millisecond, "1,82 giây"},      // and 1.82 prints 1.8199999999999998
		{59995 * time.Millisecond, "1 phút 0 giây"}, // rounded up to the minute
		{50 * time.Millisecond, "0,05 giây"},
		{2*time.Minute + 3500*time.Millisecond, "2 phút 3,5 giây"},
		{time.Hour + 5*time.Second, "1 giờ 0 phút 5 giây"},
	} {
		if got := viDuration(c.d); got != c.want {
			t.Errorf("viDuration(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
