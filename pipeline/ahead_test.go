package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/warehouse"
)

const aheadHeader = "Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái\n"

// aheadRow is a valid dossier of Ba Vì with code H41.01-260401-<n>.
func aheadRow(n int) string {
	return fmt.Sprintf("H41.01-260401-%06d,Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/04/2026 08:00,16/04/2026 17:00,10/04/2026 09:00,Đã xử lý xong\n", n)
}

// aheadFiles writes the exports of source m into dir/exports/m, their
// modification times in name order, and returns their names in order.
//
//	f00: rows 1-3
//	f01: rows 1000-1099 (100 rows, 15 batches of 7)
//	f02: header only
//	f03: no dossier-code column: rejected whole
//	f04: row 1 again (supersedes f00's), a reception date 31/02 (bad), row 4
//	f05: row 5 twice (the first is a duplicate within the file)
//	f06-f11: one row each, 100-105
//	f12: rows 2000-2059 (60 rows)
func aheadFiles(t *testing.T, dir string) []string {
	t.Helper()
	m := filepath.Join(dir, "exports", "m")
	if err := os.MkdirAll(m, 0o755); err != nil {
		t.Fatal(err)
	}
	rows := func(from, n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(aheadRow(from + i))
		}
		return b.String()
	}
	bodies := []string{
		aheadHeader + rows(1, 3),
		aheadHeader + rows(1000, 100),
		aheadHeader,
		"Họ tên,Ngày tiếp nhận,Trạng thái\nNguyễn Văn Minh,01/04/2026,Đang xử lý\n",
		aheadHeader + aheadRow(1) + "H41.01-260401-000009,Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,31/02/2026 08:00,16/04/2026 17:00,,Đang xử lý\n" + aheadRow(4),
		aheadHeader + aheadRow(5) + aheadRow(5),
	}
	for i := range 6 {
		bodies = append(bodies, aheadHeader+aheadRow(100+i))
	}
	bodies = append(bodies, aheadHeader+rows(2000, 60))
	var names []string
	at := time.Date(2026, 4, 20, 1, 0, 0, 0, time.UTC)
	for i, body := range bodies {
		name := fmt.Sprintf("f%02d.csv", i)
		p := filepath.Join(m, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := at.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// withAhead sets filesAhead and stageBatchRows for one test.
func withAhead(t *testing.T, ahead, batch int) {
	t.Helper()
	a, b := filesAhead, stageBatchRows
	filesAhead, stageBatchRows = ahead, batch
	t.Cleanup(func() { filesAhead, stageBatchRows = a, b })
}

// tablesFingerprint summarises dossiers, quarantine and source_files with
// the fixture's folder taken out of every value (the two runs compared
// read their files from two folders).
func tablesFingerprint(t *testing.T, w *warehouse.Warehouse, dir string) string {
	t.Helper()
	var parts []string
	for _, tb := range []string{"dossiers", "quarantine", "source_files"} {
		var n int64
		var h string
		q := fmt.Sprintf(`SELECT count(*), coalesce(sum(hash(replace(t::VARCHAR, ?, '')))::VARCHAR, '') FROM %s t`, tb)
		if err := w.DB().QueryRow(q, dir).Scan(&n, &h); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s:%d:%s", tb, n, h))
	}
	return strings.Join(parts, "\n")
}

// summaryLines renders what a run's summary says of its files, with the
// fixture's folder taken out (also as the run's masked message shows it).
func summaryLines(sum *Summary, dir string) string {
	var b strings.Builder
	r := sum.Run
	fmt.Fprintf(&b, "run %s %q new %d failed %d read %d loaded %d quarantined %d superseded %d unchanged %d duplicates %d\n",
		r.Status, r.Message, r.FilesNew, r.FilesFailed, r.RowsRead, r.RowsLoaded, r.RowsQuarantined, r.RowsSuperseded, sum.Unchanged, sum.Duplicates)
	for _, f := range sum.Files {
		fmt.Fprintf(&b, "%d %s %s %s %s read %d loaded %d quarantined %d superseded %d dup %d sha %s %s\n", f.Seq, f.Path, f.Status, f.ErrorKind,
			f.Error, f.RowsRead, f.RowsLoaded, f.RowsQuarantined, f.RowsSuperseded, f.RowsDuplicate, f.SHA256, f.Format)
	}
	for _, e := range sum.Rejections {
		fmt.Fprintf(&b, "rejected %s row %d %s %s\n", e.File, e.Row, e.Column, e.Reason)
	}
	masked, _ := pii.MaskShapes(dir) // the run's message is masked
	return strings.ReplaceAll(strings.ReplaceAll(b.String(), dir, ""), masked, "")
}

// TestFilesAheadSameWarehouse loads the same thirteen files (a rejected
// one, an empty one, bad rows, duplicates within and across files, files of
// many batches) once with each file decoded only when its turn comes and
// once with two files decoding ahead: the warehouse tables and the run's
// summary are the same, and the counts are those computed by hand:
//
//	files: 13 new, f03 failed whole (no dossier-code column), 12 loaded
//	read: 3 + 100 + 0 + (f03) 0 + 3 + 2 + 6×1 + 60 = 174
//	quarantined: the 31/02 row of f04, the first row 5 of f05 = 2
//	superseded: row 1 of f00 (f04 delivers it again) = 1
//	loaded: 174 - 2 - 1 = 171 = dossiers, the distinct codes
//	  1-5 (5), 1000-1099 (100), 100-105 (6), 2000-2059 (60)
func TestFilesAheadSameWarehouse(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 4, 21, 2, 0, 0, 0, time.UTC) }
	run := func(ahead int) (string, string, *Summary, *warehouse.Warehouse) {
		withAhead(t, ahead, 7)
		cfg, reg, w, dir := fixture(t, `  - name: m
    path: ./exports/m/*.csv
    unit: H.BAVI
`)
		aheadFiles(t, dir)
		sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return tablesFingerprint(t, w, dir), summaryLines(sum, dir), sum, w
	}
	seqTables, seqSum, _, _ := run(0)
	parTables, parSum, sum, w := run(2)
	if seqTables != parTables {
		t.Errorf("tables differ:\none at a time:\n%s\ntwo ahead:\n%s", seqTables, parTables)
	}
	if seqSum != parSum {
		t.Errorf("summaries differ:\none at a time:\n%s\ntwo ahead:\n%s", seqSum, parSum)
	}
	t.Logf("summary:\n%s", parSum)

	r := sum.Run
	if len(sum.Files) != 13 || r.FilesFailed != 1 || r.Status != "partial" {
		t.Fatalf("%d files, %d failed, status %s; want 13, 1, partial", len(sum.Files), r.FilesFailed, r.Status)
	}
	for i, f := range sum.Files {
		if want := fmt.Sprintf("f%02d.csv", i); filepath.Base(f.Path) != want || f.Seq != int32(i+1) {
			t.Errorf("file %d: %s seq %d; want %s seq %d", i, filepath.Base(f.Path), f.Seq, want, i+1)
		}
		if (f.Status == "failed") != (i == 3) {
			t.Errorf("%s: %s %s", f.Path, f.Status, f.Error)
		}
	}
	if f := sum.Files[3]; !strings.Contains(f.Error, "f03.csv") || f.ErrorKind != warehouse.ErrorContent {
		t.Errorf("f03: %s %q; want a content failure naming the file", f.ErrorKind, f.Error)
	}
	if r.RowsRead != 174 || r.RowsQuarantined != 2 || r.RowsSuperseded != 1 || r.RowsLoaded != 171 {
		t.Errorf("read %d, quarantined %d, superseded %d, loaded %d; want 174, 2, 1, 171",
			r.RowsRead, r.RowsQuarantined, r.RowsSuperseded, r.RowsLoaded)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM dossiers`); n != 171 {
		t.Errorf("%d dossiers, want 171", n)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM quarantine`); n != 2 {
		t.Errorf("%d quarantined rows, want 2", n)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM source_files WHERE status = 'loaded'`); n != 12 {
		t.Errorf("%d files loaded in the ledger, want 12", n)
	}
}

// TestRunCancelledWithFilesAhead cancels a real run while the first file
// is staged and two more are decoding ahead, each of many batches (the
// decoding goroutines wait on full channels): the run ends with the
// interruption, nothing is written, the ledger records the run failed, and
// every goroutine the run started is gone.
func TestRunCancelledWithFilesAhead(t *testing.T) {
	withAhead(t, 2, 2)
	cfg, reg, w, dir := fixture(t, `  - name: m
    path: ./exports/m/*.csv
    unit: H.BAVI
`)
	aheadFiles(t, dir)
	// Larger first and third files, so that the cancel comes while the
	// first is staged and the second and third are decoding ahead, many
	// batches each (f01 has 100 rows).
	for i, name := range []string{"f00.csv", "f02.csv"} {
		var b strings.Builder
		b.WriteString(aheadHeader)
		for j := range 50 {
			b.WriteString(aheadRow(3000 + 100*i + j))
		}
		p := filepath.Join(dir, "exports", "m", name)
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, st.ModTime(), st.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	if g := ourGoroutines(); g != "" {
		t.Fatalf("goroutines of the pipeline before the run:\n%s", g)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	decoders := func() int { return strings.Count(ourGoroutines(), "(*stageReader).start.func1") }
	cancelled, ahead := false, 0
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, Progress: func(p Progress) {
		if p.FileIndex == 1 && p.Rows >= 4 && !cancelled {
			// f01 and f02 decode ahead while f00 is staged: three
			// files' decoding goroutines (they never end by themselves:
			// each file has more batches than its channels hold).
			for i := 0; i < 500 && decoders() < 3; i++ {
				time.Sleep(20 * time.Millisecond)
			}
			ahead = decoders() - 1
			cancelled = true
			cancel()
		}
	}})
	if ahead != 2 {
		t.Errorf("%d files decoding ahead of the one staged, want 2", ahead)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("err %v; want the run interrupted before commit", err)
	}
	if sum.Run.Status != "failed" {
		t.Errorf("run status %s, want failed", sum.Run.Status)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM dossiers`) + scalar[int64](t, w, `SELECT count(*) FROM source_files`); n != 0 {
		t.Errorf("%d dossiers and ledger rows written by a cancelled run", n)
	}
	if st := scalar[string](t, w, `SELECT status FROM runs WHERE run_id = ?`, sum.Run.ID); st != "failed" {
		t.Errorf("runs: %s, want failed", st)
	}
	// Goroutines end asynchronously after their channels close: wait a
	// little, without asserting on time.
	g := ourGoroutines()
	for i := 0; i < 100 && g != ""; i++ {
		time.Sleep(20 * time.Millisecond)
		g = ourGoroutines()
	}
	if g != "" {
		t.Errorf("goroutines of the pipeline left after the run:\n%s", g)
	}
}

// ourGoroutines returns the stacks of the goroutines running this module's
// code, but the test's own. (runtime.NumGoroutine would also count the
// goroutine the runtime keeps for DuckDB's callbacks into Go.)
func ourGoroutines() string {
	buf := make([]byte, 1<<22)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "github.com/cchc/cchc/") && !strings.Contains(g, "testing.tRunner") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
