package sources

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/xuri/excelize/v2"
)

// writeLargeCSV writes a CSV of n dossiers (about 200 bytes a row) with a
// title row and returns its path and size.
func writeLargeCSV(tb testing.TB, n int) (string, int64) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "large.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "DANH SÁCH HỒ SƠ,,,,")
	fmt.Fprintln(w, "Mã hồ sơ,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Ghi chú")
	for i := range n {
		fmt.Fprintf(w, "H41.12-240315-%07d,15/03/2024 08:%02d,20/03/2024,Đang xử lý,"+
			"\"Hồ sơ cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở số %d\"\n", i, i%60, i)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, st.Size()
}

// TestLargeCSVBoundedMemory streams a 300k-row file: every record is
// released (checked allocator), rows and numbers are complete, and the live
// heap stays far below the file size.
func TestLargeCSVBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large file")
	}
	const n = 300_000
	path, size := writeLargeCSV(t, n)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64

	r, err := Open(path, DecodeOptions{HeaderScore: testScore, BatchRows: 8192, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	rows, batches := 0, 0
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if batches%8 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		head := rec.NewSlice(0, 1)
		first := recordRows(head)[0]
		head.Release()
		if want := int64(rows + 3); first.n != want {
			t.Fatalf("batch %d starts at line %d, want %d", batches, first.n, want)
		}
		rows += int(rec.NumRows())
		batches++
		rec.Release()
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if rows != n {
		t.Errorf("read %d rows, want %d", rows, n)
	}
	growth := int64(peak) - int64(base)
	t.Logf("file %d MB, %d batches, heap growth %d MB", size>>20, batches, growth>>20)
	if limit := size / 4; growth > limit {
		t.Errorf("heap grew by %d bytes while streaming a %d-byte file (limit %d)", growth, size, limit)
	}
}

// TestBatchesMatchOneBatch checks that small batches deliver exactly the
// rows of one large batch.
func TestBatchesMatchOneBatch(t *testing.T) {
	path, _ := writeLargeCSV(t, 1000)
	read := func(batch int) []row {
		r, err := Open(path, DecodeOptions{HeaderScore: testScore, BatchRows: batch})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		_, rows, err := readAll(t, r)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	one, small := read(0), read(3)
	if len(one) != 1000 || !equalRows(one, small) {
		t.Errorf("batches of 3 differ from one batch (%d vs %d rows)", len(small), len(one))
	}
}

func BenchmarkCSVDecode(b *testing.B) {
	const n = 100_000
	path, size := writeLargeCSV(b, n)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		r, err := Open(path, DecodeOptions{HeaderScore: testScore})
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if err != nil {
				break
			}
			rec.Release()
		}
		r.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestLargeXLSX streams a sheet of about 20 MB of XML, with a merged
// two-row header that readMerges must find after the cell data (issue
// 11.2): the sheet is neither held in memory (the live heap stays a small
// fraction of it) nor inflated to a temporary file (excelize spilled a
// sheet over 16 MB to one).
func TestLargeXLSX(t *testing.T) {
	if testing.Short() {
		t.Skip("large file")
	}
	const n = 60_000 // about 20 MB of sheet XML, over excelize's 16 MB in-memory limit
	path := filepath.Join(t.TempDir(), "large.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sw.SetRow("A1", []any{"DANH SÁCH HỒ SƠ"}))
	must(sw.SetRow("A2", []any{"Mã hồ sơ", "Ngày", nil, "Trạng thái", "Ghi chú"}))
	must(sw.SetRow("A3", []any{nil, "tiếp nhận", "hẹn trả"}))
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		must(sw.SetRow(cell, []any{fmt.Sprintf("H41.12-240315-%07d", i), 45366.5, 45371, "Đang xử lý",
			fmt.Sprintf("Hồ sơ cấp giấy chứng nhận quyền sử dụng đất số %d", i)}))
	}
	for _, m := range [][2]string{{"A1", "E1"}, {"A2", "A3"}, {"B2", "C2"}, {"D2", "D3"}, {"E2", "E3"}} {
		must(sw.MergeCell(m[0], m[1]))
	}
	must(sw.Flush())
	must(f.SaveAs(path))
	must(f.Close())
	sheetBytes := sheetPartSize(t, path)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	start := time.Now()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := Open(path, DecodeOptions{HeaderScore: testScore, BatchRows: 8192, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows := 0
	var last row
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rows%(4*8192) == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the decoder wrote %s to the temporary directory", left[0].Name())
			}
		}
		tail := rec.NewSlice(rec.NumRows()-1, rec.NumRows())
		last = recordRows(tail)[0]
		tail.Release()
		rows += int(rec.NumRows())
		rec.Release()
	}
	want := []string{"Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Ghi chú"}
	if h := r.Header(); !slices.Equal(h, want) {
		t.Errorf("header %q, want %q", h, want)
	}
	t.Logf("%d rows in %v; live heap grew by at most %d KiB for %d KiB of sheet XML", rows, time.Since(start), (peak-base)>>10, sheetBytes>>10)
	if peak > base && peak-base > uint64(sheetBytes)/4 {
		t.Errorf("live heap grew by %d KiB while reading %d KiB of sheet XML", (peak-base)>>10, sheetBytes>>10)
	}
	if rows != n || last.n != n+3 || last.cells[0] != fmt.Sprintf("H41.12-240315-%07d", n-1) || last.cells[1] != "45366.5" {
		t.Errorf("read %d rows, last %v", rows, last)
	}
}

// sheetPartSize returns the uncompressed size of the first worksheet part.
func sheetPartSize(t testing.TB, path string) int64 {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			return int64(f.UncompressedSize64)
		}
	}
	t.Fatal("no xl/worksheets/sheet1.xml")
	return 0
}
