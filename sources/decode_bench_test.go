package sources

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cchc/cchc/samplegen"
	"github.com/cchc/cchc/transforms"
)

// The decode step of a load (issue 11.5): the benchmark export
// (samplegen.BigExport, 600 communes, Vietnamese headers) decoded into raw
// Arrow batches, reporting ns/row, allocs/row and B/row. Run with
// `make bench` or
//
//	go test -run '^$' -bench 'Step' -benchmem ./sources

func writeBenchExport(b *testing.B, name string, rows int, xlsx bool) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	o := samplegen.BigOptions{Rows: rows, Seed: 1, Communes: 600}
	if xlsx {
		_, err = samplegen.BigXLSX(w, o)
	} else {
		_, err = samplegen.BigExport(w, o)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// decodeAll opens path and reads every batch, returning the rows read.
func decodeAll(b *testing.B, path string) int {
	r, err := Open(path, DecodeOptions{HeaderScore: transforms.HeaderScore})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n += int(rec.NumRows())
		rec.Release()
	}
}

func benchDecode(b *testing.B, path string, rows int) {
	if got := decodeAll(b, path); got != rows {
		b.Fatalf("decoded %d rows, want %d", got, rows)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decodeAll(b, path)
	}
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	n := float64(b.N) * float64(rows)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/row")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/n, "allocs/row")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/n, "B/row")
}

func BenchmarkStepDecodeCSV(b *testing.B) {
	const rows = 65_536 * 2
	benchDecode(b, writeBenchExport(b, "bench.csv", rows, false), rows)
}

func BenchmarkStepDecodeXLSX(b *testing.B) {
	const rows = 5_000 // excelize is slow; more rows only take longer
	benchDecode(b, writeBenchExport(b, "bench.xlsx", rows, true), rows)
}
