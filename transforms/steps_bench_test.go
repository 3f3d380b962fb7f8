package transforms

import (
	"bytes"
	"encoding/csv"
	"runtime"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/cchc/cchc/samplegen"
)

// The benchmarks of each transform step (issue 11.5) run on one batch of
// the benchmark export: samplegen.BigExport with 600 communes and the
// Vietnamese headers and values of a provincial system, 65,536 rows (the
// decoders' batch). Each reports ns/row and allocs/row (and B/row): per
// row of the batch for Apply, per cell of the column for a parser. Run
// them with `make bench` or
//
//	go test -run '^$' -bench 'Step' -benchmem ./transforms
//
// BENCHMARKS.md records which allocate per row.

const stepRows = 65_536

type stepData struct {
	header []string
	rows   [][]string
	units  fakeUnits
}

var (
	stepOnce sync.Once
	step     stepData
)

// stepBatch generates the batch once per test binary.
func stepBatch(b *testing.B) *stepData {
	stepOnce.Do(func() {
		var buf bytes.Buffer
		if _, err := samplegen.BigExport(&buf, samplegen.BigOptions{Rows: stepRows, Seed: 1, Communes: 600}); err != nil {
			panic(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			panic(err)
		}
		step.header, step.rows = recs[0], recs[1:]
		// The registry resolves codes, names and aliases by Key, as
		// units.Registry does.
		reg, err := csv.NewReader(bytes.NewReader(samplegen.BigUnitsCSV(600))).ReadAll()
		if err != nil {
			panic(err)
		}
		step.units = fakeUnits{}
		for _, r := range reg[1:] {
			step.units[Key(r[0])] = r[0]
			step.units[Key(r[1])] = r[0]
			step.units[Key(Fold(r[1]))] = r[0]
			for _, a := range bytes.Split([]byte(r[7]), []byte("|")) {
				if len(a) > 0 {
					step.units[Key(string(a))] = r[0]
				}
			}
		}
	})
	if step.rows == nil {
		b.Fatal("no benchmark batch")
	}
	return &step
}

// column returns the non-empty cells of the column the header names.
func (d *stepData) column(b *testing.B, canonical string) []string {
	for i, h := range d.header {
		if c, _ := LookupHeader(h); c == canonical {
			var out []string
			for _, r := range d.rows {
				if r[i] != "" {
					out = append(out, r[i])
				}
			}
			return out
		}
	}
	b.Fatalf("no column %s", canonical)
	return nil
}

// perRow runs op b.N times, each over rows rows (or cells), and reports
// the time, allocations and bytes per row.
func perRow(b *testing.B, rows int, op func()) {
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op()
	}
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	n := float64(b.N) * float64(rows)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/row")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/n, "allocs/row")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/n, "B/row")
}

// Header mapping happens once per file (and per header change); "row"
// here is one header cell.
func BenchmarkStepHeaderMapping(b *testing.B) {
	d := stepBatch(b)
	b.Run("LookupHeader", func(b *testing.B) {
		perRow(b, len(d.header), func() {
			for _, h := range d.header {
				LookupHeader(h)
			}
		})
	})
	b.Run("NewMapper", func(b *testing.B) {
		perRow(b, len(d.header), func() {
			m, err := NewMapper(d.header, MapOptions{Units: d.units})
			if err != nil {
				b.Fatal(err)
			}
			m.Release()
		})
	})
}

func BenchmarkStepParseTimestamp(b *testing.B) {
	d := stepBatch(b)
	for _, col := range []string{"received_at", "due_at", "finished_at"} {
		cells := d.column(b, col)
		b.Run(col, func(b *testing.B) {
			perRow(b, len(cells), func() {
				for _, s := range cells {
					ParseTimestamp(s)
				}
			})
		})
	}
}

func BenchmarkStepParseNumber(b *testing.B) {
	d := stepBatch(b)
	days := d.column(b, "supplement_days")
	counts := d.column(b, "supplement_requests")
	b.Run("supplement_days", func(b *testing.B) {
		perRow(b, len(days), func() {
			for _, s := range days {
				ParseNumber(s)
			}
		})
	})
	b.Run("supplement_requests", func(b *testing.B) {
		perRow(b, len(counts), func() {
			for _, s := range counts {
				ParseCount(s)
			}
		})
	})
}

// The vocabulary parsers unmemoised: Apply caches their results per
// distinct cell (Mapper.cached), so in a load they run once per distinct
// value; these show the cost the cache saves.
func BenchmarkStepStatusChannel(b *testing.B) {
	d := stepBatch(b)
	for _, c := range []struct {
		col   string
		parse func(string) (string, error)
	}{{"status", ParseStatus}, {"channel", ParseChannel}, {"rating", ParseRating}} {
		cells := d.column(b, c.col)
		b.Run(c.col, func(b *testing.B) {
			perRow(b, len(cells), func() {
				for _, s := range cells {
					c.parse(s)
				}
			})
		})
	}
	flags := d.column(b, "paid_online")
	b.Run("bool", func(b *testing.B) {
		perRow(b, len(flags), func() {
			for _, s := range flags {
				ParseBool(s)
			}
		})
	})
}

// The whole step: one decoder batch through Mapper.Apply into a stage
// record, as the pipeline runs it (the mapper and its caches live for the
// file, so they are built once outside the loop).
func BenchmarkStepApplyBatch(b *testing.B) {
	d := stepBatch(b)
	raw := rawRecord(memory.DefaultAllocator, d.header, d.rows)
	defer raw.Release()
	m, err := NewMapper(d.header, MapOptions{Units: d.units, Source: "bench", File: "bench.csv", SHA256: "h", FileSeq: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(d.header, raw) // warm the caches, as a file's first batch does
	out.Release()
	if len(errs) > 2 {
		b.Fatalf("%d rejected rows in the batch: %v", len(errs), errs[0])
	}
	perRow(b, len(d.rows), func() {
		out, _ := m.Apply(d.header, raw)
		out.Release()
	})
}
