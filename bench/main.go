// Command bench is the end-to-end load benchmark behind `make bench`: it
// generates a large dossier export, loads it with `cchc run` in a child
// process, loads the same file with DuckDB's own read_csv in another child
// process, and prints rows per second, peak memory (max RSS) and the ratio
// of the two, measured in the same run on the same machine.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	_ "github.com/marcboeker/go-duckdb"

	"github.com/cchc/cchc/samplegen"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the generated export")
	cchc := flag.String("cchc", "bin/cchc", "cchc binary to measure")
	units := flag.String("units", "demo/units.csv", "unit registry for the generated export")
	keep := flag.String("dir", "", "work folder (default: a temporary one, removed afterwards)")
	memLimit := flag.String("memory-limit", "1GB", "memory_limit in the config of the measured run")
	readCSV := flag.String("readcsv", "", "internal: load this CSV with DuckDB read_csv into -db")
	db := flag.String("db", "", "internal: DuckDB file for -readcsv")
	flag.Parse()
	if *readCSV != "" {
		if err := duckdbReadCSV(*readCSV, *db); err != nil {
			fmt.Fprintln(os.Stderr, "read_csv:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*rows, *cchc, *units, *keep, *memLimit); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(rows int, cchc, units, dir, memLimit string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "cchc-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		return err
	}
	csvPath := filepath.Join(dir, "exports", "big.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := samplegen.BigCSV(bw, rows, 1)
	if err == nil {
		err = bw.Flush()
	}
	f.Close()
	if err != nil {
		return err
	}
	st, _ := os.Stat(csvPath)
	reg, err := os.ReadFile(units)
	if err != nil {
		return err
	}
	os.WriteFile(filepath.Join(dir, "units.csv"), reg, 0o644)
	cfg := "warehouse: ./cchc.duckdb\nunits: ./units.csv\nmemory_limit: " + memLimit +
		"\nsources:\n  - name: big\n    path: ./exports/*.csv\npublish:\n  dir: ./out\n"
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	fmt.Printf("export: %d rows, %.0f MB (%s); cchc memory_limit %s\n\n", n, float64(st.Size())/1e6, csvPath, memLimit)

	ours, out, err := measure(cchc, "run", "--config", filepath.Join(dir, "cchc.yaml"))
	if err != nil {
		return fmt.Errorf("cchc run: %v\n%s", err, out)
	}
	self, _ := os.Executable()
	theirs, out2, err := measure(self, "-readcsv", csvPath, "-db", filepath.Join(dir, "readcsv.duckdb"))
	if err != nil {
		return fmt.Errorf("read_csv: %v\n%s", err, out2)
	}
	timing := regexp.MustCompile(`timing: .*`).FindString(out)
	fmt.Printf("%-44s %9s %12s %13s\n", "load of the same file", "seconds", "rows/s", "peak RSS MiB")
	fmt.Printf("%-44s %9.2f %12.0f %13.0f\n", "cchc run (parse, validate, load, model, publish)", ours.wall.Seconds(), float64(n)/ours.wall.Seconds(), ours.rssMiB)
	fmt.Printf("%-44s %9.2f %12.0f %13.0f\n", "DuckDB read_csv (all VARCHAR, no checks)", theirs.wall.Seconds(), float64(n)/theirs.wall.Seconds(), theirs.rssMiB)
	fmt.Printf("\nratio cchc / read_csv: %.2f× the time, %.2f× the memory\n", ours.wall.Seconds()/theirs.wall.Seconds(), ours.rssMiB/theirs.rssMiB)
	fmt.Printf("cchc %s\n", timing)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "counts reconcile") {
			fmt.Println("cchc " + l)
		}
	}
	return nil
}

type measurement struct {
	wall   time.Duration
	rssMiB float64
}

// measure runs a child process and reports its wall time and peak RSS.
func measure(name string, args ...string) (measurement, string, error) {
	cmd := exec.Command(name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssMiB = float64(ru.Maxrss) / 1024 // Linux reports KiB
	}
	return m, string(out), err
}

// duckdbReadCSV is the reference: DuckDB's CSV reader into a table, with
// every column VARCHAR (typing the mixed date formats of real exports is
// not something read_csv can do) and insertion order off, as cchc runs.
func duckdbReadCSV(path, dbPath string) error {
	db, err := sql.Open("duckdb", dbPath+"?preserve_insertion_order=false&autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return err
	}
	defer db.Close()
	q := fmt.Sprintf(`CREATE TABLE t AS SELECT * FROM read_csv('%s', header = true, all_varchar = true)`, strings.ReplaceAll(path, "'", "''"))
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		return err
	}
	_, err = db.Exec("CHECKPOINT")
	return err
}
