package warehouse

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
)

// While a direct load appends a run's rows, DuckDB writes each full row
// group to the file and keeps the written blocks in its buffer pool, up
// to memory_limit: the pool, and the run's peak memory, grew with the
// input (a 5M-row first load peaked about 150 MiB above what the same
// load peaks with the pool held down, BENCHMARKS.md). Those blocks are
// already in the file, so a lower limit while appending only evicts them;
// the rows being built need room per thread. The configured limit comes
// back before the merge and the model, which need it.
const (
	stageMemoryPerThread = 64 << 20
	stageMemoryMin       = 128 << 20
)

// goStageLimit is the Go heap's soft limit (debug.SetMemoryLimit) while a
// direct load appends, above the key hashes it keeps for the duplicate
// check (8 bytes a row: the one part of the Go heap that grows with the
// input; goMemory.grow raises the limit with them). The batches in
// flight, the mapper's memo and the quarantined rows held are bounded,
// but the collector let the heap grow to twice what was live before it
// ran, the hashes included: a 5M-row load peaked about 90 MiB above a
// 1M-row one, in the staging. Under the limit it runs earlier instead
// (BENCHMARKS.md, "Go heap limit while appending"). A GOMEMLIMIT the
// operator set is left alone.
const goStageLimit = 256 << 20

// goMemory is the Go side of a direct load's lower limits.
type goMemory struct {
	lowered atomic.Bool
	prev    int64        // the limit before (math.MaxInt64 unless set)
	hashes  atomic.Int64 // bytes of key hash chunks allocated meanwhile
}

// lower sets the Go heap's soft limit for the appending.
func (g *goMemory) lower() {
	if os.Getenv("GOMEMLIMIT") != "" || g.lowered.Load() {
		return
	}
	g.hashes.Store(0)
	g.prev = debug.SetMemoryLimit(goStageLimit)
	g.lowered.Store(true)
}

// grow raises the limit by bytes of key hashes just allocated.
func (g *goMemory) grow(bytes int) {
	n := g.hashes.Add(int64(bytes))
	if g.lowered.Load() {
		debug.SetMemoryLimit(goStageLimit + n)
	}
}

// restore gives the Go heap its limit back: the limit is the process's,
// and a scheduler's later runs and the model need room.
func (g *goMemory) restore() {
	if g.lowered.CompareAndSwap(true, false) {
		debug.SetMemoryLimit(g.prev)
	}
}

var sizePattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// parseSize reads a memory_limit such as "512MB" or "1.5GiB" in bytes (KB,
// MB... powers of 1000, KiB, MiB... of 1024, as DuckDB reads them).
func parseSize(s string) (int64, bool) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[m[2]]
	return int64(v * mult), true
}

// lowerMemory sets DuckDB's memory_limit for the appending, unless the
// configured one is already as low.
func (s *Stage) lowerMemory(ctx context.Context) error {
	var threads int64
	if err := s.conn.QueryRowContext(ctx, `SELECT CAST(current_setting('threads') AS BIGINT)`).Scan(&threads); err != nil {
		return fmt.Errorf("stage: threads: %w", err)
	}
	limit := max(int64(stageMemoryMin), threads*stageMemoryPerThread)
	if configured, ok := parseSize(s.memoryLimit); ok && configured <= limit {
		return nil
	}
	if _, err := s.conn.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dMiB'", limit>>20)); err != nil {
		return fmt.Errorf("stage: memory_limit: %w", err)
	}
	s.lowered = true
	return nil
}

// restoreMemory gives DuckDB its configured memory_limit back (the setting
// is the database's, not the connection's: every later query of the
// process would run under the lower one).
func (s *Stage) restoreMemory(ctx context.Context) error {
	s.goMem.restore()
	if !s.lowered {
		return nil
	}
	q := "RESET memory_limit"
	if s.memoryLimit != "" {
		q = "SET memory_limit = '" + strings.ReplaceAll(s.memoryLimit, "'", "''") + "'"
	}
	if _, err := s.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("stage: memory_limit: %w", err)
	}
	s.lowered = false
	return nil
}
