// Command bench is the end-to-end load benchmark behind `make bench` and
// `make profile` (issue 11). It generates dossier exports with the
// project's generator (cached under bench/data/, which git ignores), then
// measures, each as a whole child process and as the median of -runs
// alternated runs:
//
//	(a) `cchc run` loading each CSV into an empty warehouse, model and
//	    publication included;
//	(b) DuckDB's own read_csv of the same CSV into a table with the same
//	    typed columns and the outcome columns derived in SQL (this program,
//	    through the same go-duckdb, in -readcsv mode);
//	(c) a nightly `cchc run` adding one -nightly-row file of dossiers
//	    received in the export's last -nightly-days working days to the
//	    warehouse of the largest size; (c1) the same number of rows spread
//	    over every month; (c2) (c) with -updates of the largest export's
//	    pending dossiers redelivered, finished;
//	(d) the model and ranking alone on that warehouse, every period
//	    rebuilt (this program in -model mode: model.BuildChanged in one
//	    transaction, as a run does), from the counts the model keeps, as
//	    after a change of the methodology's points; (d2) the same counting
//	    every dossier again (-recount), as after a change of its counts;
//	(e) `cchc run` loading an -xlsx-row XLSX export into an empty warehouse,
//	    its strings written inline as excelize's stream writer does; (e2)
//	    the same rows in a workbook whose strings are in the shared-strings
//	    table, as Excel saves it.
//
// It prints rows/s, MB/s and peak RSS (the child's rusage) of each, and
// the ratios (a)/(b) and (c)/(a), and writes the same as Markdown to
// bench/out/results.md for BENCHMARKS.md. With -profile it instead runs
// (a) once on the largest size with CPU and heap profiles.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cchc/cchc/samplegen"
)

type options struct {
	sizes       []int
	runs        int
	nightly     int
	nightlyDays int
	updates     int
	xlsx        int
	communes    int
	data        string // cache of generated exports
	out         string // results, profiles, scratch warehouses
	cchc        string
	memLimit    string
	profile     bool
}

func main() {
	var o options
	sizes := flag.String("sizes", "1000000,5000000", "comma-separated dossier counts of the CSV exports")
	flag.IntVar(&o.runs, "runs", 3, "runs of each measurement (the median is reported)")
	flag.IntVar(&o.nightly, "nightly", 50_000, "rows of the nightly file added to the largest warehouse (0: skip (c), (c1) and (c2))")
	flag.IntVar(&o.nightlyDays, "nightly-days", 5, "the nightly file's dossiers are received in the export's last this many working days")
	flag.IntVar(&o.updates, "updates", 10_000, "pending dossiers of the largest export redelivered finished, in a second nightly case (c2) (0: skip (c2))")
	flag.IntVar(&o.xlsx, "xlsx", 200_000, "rows of the XLSX exports (0: skip (e) and (e2))")
	flag.IntVar(&o.communes, "communes", 600, "synthetic communes in the unit registry")
	flag.StringVar(&o.data, "data", "bench/data", "cache folder of the generated exports (git ignores it)")
	flag.StringVar(&o.out, "out", "bench/out", "folder for results.md, profiles and scratch warehouses")
	flag.StringVar(&o.cchc, "cchc", "bin/cchc", "cchc binary to measure")
	flag.StringVar(&o.memLimit, "memory-limit", "", "memory_limit in the measured config (empty: cchc's default)")
	flag.BoolVar(&o.profile, "profile", false, "write CPU and heap profiles of (a) on the largest size instead of measuring")
	readCSV := flag.String("readcsv", "", "internal: load this CSV with DuckDB read_csv into -db")
	db := flag.String("db", "", "internal: DuckDB file for -readcsv")
	modelCfg := flag.String("model", "", "internal: rebuild the model of the warehouse of this cchc config")
	recount := flag.Bool("recount", false, "with -model: count every dossier again (drop the counts the model keeps first)")
	statements := flag.Bool("statements", false, "with -model: print the slowest statements of the rebuild (env BENCH_EXPLAIN=text: also EXPLAIN ANALYZE the query of each statement whose first line holds text)")
	flag.Parse()

	var err error
	switch {
	case *readCSV != "":
		err = duckdbReadCSV(*readCSV, *db)
	case *modelCfg != "":
		err = buildModel(*modelCfg, *recount, *statements)
	default:
		o.sizes, err = parseSizes(*sizes)
		if err == nil && o.runs < 1 {
			err = fmt.Errorf("-runs must be at least 1")
		}
		if err == nil {
			if o.profile {
				err = profile(o)
			} else {
				err = run(o)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive row count", f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// generated is set when prepare wrote an export in this process.
var generated bool

// export is one generated file of the cache.
type export struct {
	path  string
	rows  int
	bytes int64
}

func (e export) mb() float64 { return float64(e.bytes) / 1e6 }

// files generates (once) the exports the measurements need.
type files struct {
	units   string
	csv     []export // one per size, in o.sizes order
	nightly export   // received in the export's last days
	spread  export   // the same number spread over every month
	updates export   // redeliveries of the largest export's pending dossiers
	xlsx    export
	shared  export // xlsx's rows with shared strings
}

func prepare(o options) (*files, error) {
	if err := os.MkdirAll(o.data, 0o755); err != nil {
		return nil, err
	}
	f := &files{units: filepath.Join(o.data, fmt.Sprintf("units-c%d.csv", o.communes))}
	if err := cached(f.units, func(w io.Writer) (int, error) {
		_, err := w.Write(samplegen.BigUnitsCSV(o.communes))
		return 0, err
	}); err != nil {
		return nil, err
	}
	base := samplegen.BigOptions{Seed: 1, Communes: o.communes, CanonicalHeaders: true}
	gen := func(name string, opt samplegen.BigOptions, write func(io.Writer, samplegen.BigOptions) (int, error)) (export, error) {
		p := filepath.Join(o.data, name)
		err := cached(p, func(w io.Writer) (int, error) {
			fmt.Fprintf(os.Stderr, "generating %s (once; cached)\n", p)
			generated = true
			return write(w, opt)
		})
		if err != nil {
			return export{}, err
		}
		st, err := os.Stat(p)
		if err != nil {
			return export{}, err
		}
		return export{path: p, rows: opt.Rows, bytes: st.Size()}, nil
	}
	for _, n := range o.sizes {
		opt := base
		opt.Rows = n
		e, err := gen(fmt.Sprintf("dossiers-%d-c%d.csv", n, o.communes), opt, samplegen.BigExport)
		if err != nil {
			return nil, err
		}
		f.csv = append(f.csv, e)
	}
	if o.nightly > 0 && !o.profile {
		// Another seed and codes disjoint from the big file's: the nightly
		// file adds dossiers rather than updating them.
		// (c)'s file holds dossiers received in the export's last
		// -nightly-days working days, as a night's export does; (c1)'s
		// spreads the same number over the export's ten months, so that
		// every period is touched.
		opt := base
		opt.Rows, opt.Seed, opt.SeqBase, opt.Days = o.nightly, 2, 100_000, o.nightlyDays
		e, err := gen(fmt.Sprintf("nightly-%d-last%d-c%d.csv", o.nightly, o.nightlyDays, o.communes), opt, samplegen.BigExport)
		if err != nil {
			return nil, err
		}
		f.nightly = e
		opt.Days = 0
		if f.spread, err = gen(fmt.Sprintf("nightly-%d-c%d.csv", o.nightly, o.communes), opt, samplegen.BigExport); err != nil {
			return nil, err
		}
		if o.updates > 0 {
			last := f.csv[len(f.csv)-1]
			p := filepath.Join(o.data, fmt.Sprintf("updates-%d-of-%d-c%d.csv", o.updates, last.rows, o.communes))
			if err := cached(p, func(w io.Writer) (int, error) {
				fmt.Fprintf(os.Stderr, "generating %s (once; cached)\n", p)
				return redeliveries(w, last.path, o.updates)
			}); err != nil {
				return nil, err
			}
			st, err := os.Stat(p)
			if err != nil {
				return nil, err
			}
			f.updates = export{path: p, rows: o.updates, bytes: st.Size()}
		}
	}
	if o.xlsx > 0 && !o.profile {
		opt := base
		opt.Rows = o.xlsx
		e, err := gen(fmt.Sprintf("dossiers-%d-c%d.xlsx", o.xlsx, o.communes), opt, samplegen.BigXLSX)
		if err != nil {
			return nil, err
		}
		f.xlsx = e
		if f.shared, err = gen(fmt.Sprintf("dossiers-%d-c%d-shared.xlsx", o.xlsx, o.communes), opt, samplegen.BigXLSXShared); err != nil {
			return nil, err
		}
	}
	if generated {
		// The generator grew this process to gigabytes, and a child's
		// peak RSS (wait4's ru_maxrss) starts at its parent's high-water
		// mark: os/exec starts children sharing this process's memory
		// until they exec. The first bench with no cache printed 2,581
		// MiB for every case. So measure from a fresh process: the same
		// command again, which now finds every export cached.
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, "exports generated; measuring in a fresh process (its children's peak RSS must not start at the generator's)")
		return nil, syscall.Exec(exe, os.Args, os.Environ())
	}
	return f, nil
}

// cached writes path with write unless it exists, through a temporary file
// so that an interrupted generation is not taken for a finished one.
func cached(path string, write func(io.Writer) (int, error)) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	_, err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("generating %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// workdir makes an empty cchc folder under o.out/work: a config with one
// source reading exports/*, the unit registry, and the given exports linked
// into exports/. It returns the config's path.
func workdir(o options, f *files, name string, ex ...export) (string, error) {
	dir, err := filepath.Abs(filepath.Join(o.out, "work", name))
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		return "", err
	}
	for _, e := range ex {
		if err := link(e.path, filepath.Join(dir, "exports", filepath.Base(e.path))); err != nil {
			return "", err
		}
	}
	units, err := filepath.Abs(f.units)
	if err != nil {
		return "", err
	}
	cfg := "warehouse: ./cchc.duckdb\nunits: " + units + "\n"
	if o.memLimit != "" {
		cfg += "memory_limit: " + o.memLimit + "\n"
	}
	cfg += "sources:\n  - name: bench\n    path: ./exports/*\npublish:\n  dir: ./out\n"
	p := filepath.Join(dir, "cchc.yaml")
	return p, os.WriteFile(p, []byte(cfg), 0o644)
}

// link hard-links src to dst (same file system, no copy of gigabytes),
// copying when that fails.
func link(src, dst string) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	if os.Link(abs, dst) == nil {
		return nil
	}
	return copyFile(abs, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// sample is one child process: wall time and peak RSS (ru_maxrss).
type sample struct {
	wall time.Duration
	rss  float64 // MiB
}

// measure runs a child process and reports its wall time and peak RSS.
func measure(name string, args ...string) (sample, string, error) {
	cmd := exec.Command(name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	s := sample{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.rss = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
	}
	if err != nil {
		return s, string(out), fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return s, string(out), nil
}

// result is one measured case: the median wall time of its runs and the
// highest peak RSS among them.
type result struct {
	label   string
	rows    int
	mb      float64
	samples []sample
	note    string // the child's own account of its time, from the last run
}

// add records a run of r and keeps the child's "thời gian:" (cchc run's
// timing line) or "read_csv:" line as its note.
func (r *result) add(s sample, out string) {
	r.samples = append(r.samples, s)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "thời gian:") || strings.HasPrefix(l, "read_csv:") || strings.HasPrefix(l, "model:") {
			r.note = strings.TrimSpace(l)
		}
	}
}

func (r *result) median() time.Duration {
	w := make([]time.Duration, len(r.samples))
	for i, s := range r.samples {
		w[i] = s.wall
	}
	slices.Sort(w)
	if n := len(w); n%2 == 0 {
		return (w[n/2-1] + w[n/2]) / 2
	}
	return w[len(w)/2]
}

func (r *result) peak() float64 {
	m := 0.0
	for _, s := range r.samples {
		m = max(m, s.rss)
	}
	return m
}

func (r *result) secs() float64 { return r.median().Seconds() }

func run(o options) error {
	f, err := prepare(o)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// The nightly and model cases start from a copy of the largest full
	// load's warehouse, kept here.
	baseDir, err := filepath.Abs(filepath.Join(o.out, "work", "base"))
	if err != nil {
		return err
	}
	if err := os.RemoveAll(baseDir); err != nil {
		return err
	}
	var full, ref []*result
	for _, e := range f.csv {
		full = append(full, &result{label: fmt.Sprintf("(a) cchc run, %s rows CSV, empty warehouse", thousands(e.rows)), rows: e.rows, mb: e.mb()})
		ref = append(ref, &result{label: fmt.Sprintf("(b) DuckDB read_csv, typed + outcome, %s rows", thousands(e.rows)), rows: e.rows, mb: e.mb()})
	}
	var nightly, spread, updates, model, recount, xlsx, shared *result
	last := f.csv[len(f.csv)-1]
	if f.nightly.path != "" {
		nightly = &result{label: fmt.Sprintf("(c) nightly cchc run, +%s rows received in the last %d working days, into %s",
			thousands(f.nightly.rows), o.nightlyDays, thousands(last.rows)), rows: f.nightly.rows, mb: f.nightly.mb()}
		spread = &result{label: fmt.Sprintf("(c1) nightly cchc run, +%s rows received over all ten months, into %s",
			thousands(f.spread.rows), thousands(last.rows)), rows: f.spread.rows, mb: f.spread.mb()}
	}
	if f.updates.path != "" {
		updates = &result{label: fmt.Sprintf("(c2) nightly cchc run, +%s rows and %s pending dossiers redelivered finished, into %s",
			thousands(f.nightly.rows), thousands(f.updates.rows), thousands(last.rows)),
			rows: f.nightly.rows + f.updates.rows, mb: f.nightly.mb() + f.updates.mb()}
	}
	model = &result{label: fmt.Sprintf("(d) model and rank alone, every period, from the counts kept, %s rows", thousands(last.rows)), rows: last.rows}
	recount = &result{label: fmt.Sprintf("(d2) model and rank alone, every period, every dossier counted, %s rows", thousands(last.rows)), rows: last.rows}
	if f.xlsx.path != "" {
		xlsx = &result{label: fmt.Sprintf("(e) cchc run, %s rows XLSX, empty warehouse", thousands(f.xlsx.rows)), rows: f.xlsx.rows, mb: f.xlsx.mb()}
		shared = &result{label: fmt.Sprintf("(e2) cchc run, %s rows XLSX with shared strings (as Excel saves it), empty warehouse", thousands(f.shared.rows)),
			rows: f.shared.rows, mb: f.shared.mb()}
	}

	// Alternated: each round measures every case once, so that a slow
	// spell of the machine spreads over the cases instead of hitting one.
	for round := 1; round <= o.runs; round++ {
		for i, e := range f.csv {
			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", round, o.runs, full[i].label)
			cfg, err := workdir(o, f, fmt.Sprintf("full-%d", e.rows), e)
			if err != nil {
				return err
			}
			s, out, err := measure(o.cchc, "run", "--config", cfg)
			if err != nil {
				return err
			}
			full[i].add(s, out)
			if i == len(f.csv)-1 && round == 1 {
				// Keep the first full load of the largest size as the base.
				if err := os.Rename(filepath.Dir(cfg), baseDir); err != nil {
					return err
				}
			} else {
				os.RemoveAll(filepath.Dir(cfg)) // a warehouse of up to a few GB
			}

			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", round, o.runs, ref[i].label)
			dbPath, err := filepath.Abs(filepath.Join(o.out, "work", "readcsv.duckdb"))
			if err != nil {
				return err
			}
			os.Remove(dbPath)
			os.Remove(dbPath + ".wal")
			s, out, err = measure(self, "-readcsv", e.path, "-db", dbPath)
			if err != nil {
				return err
			}
			ref[i].add(s, out)
			os.Remove(dbPath)
		}
		// (c) and (c2) run in the folder the base was loaded from (the
		// workdir of (a) at the largest size, recreated here): the ledger
		// records files by absolute path, so the big export is then known
		// by path, size and time, as in a real nightly run. From another
		// folder it was a same-sized file at a new path, hashed whole
		// (1.35 GB at 5M, about 1 s of (c)'s "stage") to find it a copy.
		for _, c := range []struct {
			r     *result
			extra []export
		}{{nightly, []export{f.nightly}}, {spread, []export{f.spread}}, {updates, []export{f.nightly, f.updates}}} {
			if c.r == nil {
				continue
			}
			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", round, o.runs, c.r.label)
			cfg, err := fromBase(o, f, baseDir, fmt.Sprintf("full-%d", last.rows), last, c.extra...)
			if err != nil {
				return err
			}
			s, out, err := measure(o.cchc, "run", "--config", cfg)
			if err != nil {
				return err
			}
			c.r.add(s, out)
		}
		for _, c := range []struct {
			r    *result
			args []string
		}{{model, nil}, {recount, []string{"-recount"}}} {
			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", round, o.runs, c.r.label)
			cfg, err := fromBase(o, f, baseDir, "model", last)
			if err != nil {
				return err
			}
			s, out, err := measure(self, append(c.args, "-model", cfg)...)
			if err != nil {
				return err
			}
			c.r.add(s, out)
		}
		for _, c := range []struct {
			r *result
			e export
		}{{xlsx, f.xlsx}, {shared, f.shared}} {
			if c.r == nil {
				continue
			}
			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", round, o.runs, c.r.label)
			cfg, err := workdir(o, f, "xlsx", c.e)
			if err != nil {
				return err
			}
			s, out, err := measure(o.cchc, "run", "--config", cfg)
			if err != nil {
				return err
			}
			c.r.add(s, out)
		}
	}
	os.RemoveAll(filepath.Join(o.out, "work"))

	var all []*result
	for i := range full {
		all = append(all, full[i], ref[i])
	}
	for _, r := range []*result{nightly, spread, updates, model, recount, xlsx, shared} {
		if r != nil {
			all = append(all, r)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", machine())
	fmt.Fprintf(&b, "Command: `go run ./bench -sizes %s -runs %d -nightly %d -nightly-days %d -updates %d -xlsx %d -communes %d -cchc %s%s`\n\n",
		joinInts(o.sizes), o.runs, o.nightly, o.nightlyDays, o.updates, o.xlsx, o.communes, o.cchc, flagIf("-memory-limit", o.memLimit))
	fmt.Fprintf(&b, "Median of %d alternated runs; peak RSS is the highest of the runs.\n\n", o.runs)
	fmt.Fprintln(&b, "| case | rows | MB | median s | rows/s | MB/s | peak RSS MiB |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range all {
		mb, mbs := "", ""
		if r.mb > 0 {
			mb = fmt.Sprintf("%.0f", r.mb)
			mbs = fmt.Sprintf("%.1f", r.mb/r.secs())
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %s | %s | %.0f |\n", r.label, thousands(r.rows), mb, r.secs(),
			thousands(int(float64(r.rows)/r.secs())), mbs, r.peak())
	}
	fmt.Fprintln(&b)
	for _, r := range all {
		if r.note != "" {
			fmt.Fprintf(&b, "- %s: %s\n", r.label, r.note)
		}
	}
	for i := range full {
		fmt.Fprintf(&b, "- (a)/(b) at %s rows: %.2f× the time, %.2f× the peak memory\n", thousands(full[i].rows),
			full[i].secs()/ref[i].secs(), full[i].peak()/ref[i].peak())
	}
	if nightly != nil {
		a := full[len(full)-1]
		fmt.Fprintf(&b, "- (c)/(a) at %s rows: the nightly run takes %.0f%% of the full load's time\n", thousands(a.rows), 100*nightly.secs()/a.secs())
		fmt.Fprintf(&b, "- (c1)/(a) at %s rows: the nightly run whose dossiers touch every period takes %.0f%% of the full load's time\n", thousands(a.rows), 100*spread.secs()/a.secs())
		if updates != nil {
			fmt.Fprintf(&b, "- (c2)/(a) at %s rows: the nightly run with redeliveries takes %.0f%% of the full load's time\n", thousands(a.rows), 100*updates.secs()/a.secs())
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	fmt.Print(b.String())
	return os.WriteFile(filepath.Join(o.out, "results.md"), []byte(b.String()), 0o644)
}

// fromBase makes a work folder whose warehouse is a copy of the base one
// (the full load of base) and whose exports are base plus extra.
func fromBase(o options, f *files, baseDir, name string, base export, extra ...export) (string, error) {
	cfg, err := workdir(o, f, name, append([]export{base}, extra...)...)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(cfg)
	// The analysts' snapshot too: a nightly run finds the previous one
	// beside the warehouse and writes the new one from it.
	for _, name := range []string{"cchc.duckdb", "cchc.duckdb.wal", "cchc.snapshot.duckdb"} {
		src := filepath.Join(baseDir, name)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if err := copyFile(src, filepath.Join(dir, name)); err != nil {
			return "", err
		}
	}
	return cfg, nil
}

// profile runs (a) once on the largest size with cchc's hidden
// --cpuprofile and --memprofile flags, and prints the top of each.
func profile(o options) error {
	o.nightly, o.updates, o.xlsx = 0, 0, 0
	o.sizes = o.sizes[len(o.sizes)-1:]
	f, err := prepare(o)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	cpu, heap := filepath.Join(out, "cpu.prof"), filepath.Join(out, "heap.prof")
	cfg, err := workdir(o, f, "profile", f.csv[0])
	if err != nil {
		return err
	}
	s, _, err := measure(o.cchc, "run", "--config", cfg, "--cpuprofile", cpu, "--memprofile", heap)
	if err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(o.out, "work"))
	fmt.Printf("profiled `cchc run` of %s rows: %.2f s, peak RSS %.0f MiB\n%s\n%s\n\n", thousands(f.csv[0].rows), s.wall.Seconds(), s.rss, cpu, heap)
	for _, p := range [][]string{
		{"-top", "-nodecount=25", o.cchc, cpu},
		{"-top", "-cum", "-nodecount=25", o.cchc, cpu},
		{"-top", "-sample_index=alloc_space", "-nodecount=20", o.cchc, heap},
	} {
		fmt.Printf("$ go tool pprof %s\n", strings.Join(p, " "))
		cmd := exec.Command("go", append([]string{"tool", "pprof"}, p...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return err
		}
		fmt.Println()
	}
	return nil
}

// machine describes where the figures come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			load = ", load average " + f[0] + " at the end"
		}
	}
	commit, _ := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	return fmt.Sprintf("Machine: %s, %d CPUs%s, %s/%s, %s%s; commit %s; %s",
		cpu, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, runtime.Version(), load,
		strings.TrimSpace(string(commit)), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func flagIf(name, v string) string {
	if v == "" {
		return ""
	}
	return " " + name + " " + v
}
