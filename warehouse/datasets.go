package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
)

// LoadDataset appends a stream of a dataset's stage rows (d.Stage) to its
// stage table, created on first use. On error nothing of the stream is
// kept (the insert is one statement in autocommit mode). In a direct run
// (BeginDirect) the valid rows of a dataset with Direct go to its table
// instead, and only its quarantined rows to the stage table; a statement
// failing there is an ErrRunAborted (or ErrDiskFull): the run cannot go
// on.
func (s *Stage) LoadDataset(ctx context.Context, d *datasets.Dataset, rdr array.RecordReader) error {
	if s.direct != nil && s.direct.err != nil {
		return s.direct.err
	}
	if err := s.ensure(ctx, d); err != nil {
		if s.direct != nil {
			return s.abort(err)
		}
		return err
	}
	if s.direct != nil && d.Direct {
		return s.loadDirect(ctx, d, rdr)
	}
	err := LoadArrow(ctx, s.conn, rdr, d.StageTable()+"_in", "INSERT INTO "+d.StageTable()+" SELECT * FROM "+d.StageTable()+"_in")
	if err != nil && !isNoSpace(err) && nearlyFull(s.path) {
		// On a full disk DuckDB's Arrow scan fails with no reason given
		// ("duckdb_arrow_scan"); the file is not at fault.
		err = fmt.Errorf("%w: %w", syscall.ENOSPC, err)
	}
	if err != nil && s.direct != nil {
		return s.abort(err)
	}
	return CheckDiskFull(err, s.path)
}

// ensure creates the dataset's stage table unless the stage has it.
func (s *Stage) ensure(ctx context.Context, d *datasets.Dataset) error {
	if s.staged[d.Name] != nil {
		return nil
	}
	ddl, err := TableDDL(d.Stage)
	if err != nil {
		return fmt.Errorf("stage %s: %w", d.Name, err)
	}
	if _, err := s.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+d.StageTable()+" ("+ddl+")"); err != nil {
		return CheckDiskFull(fmt.Errorf("stage %s: %w", d.Name, err), s.path)
	}
	s.staged[d.Name] = d
	s.order = append(s.order, d.Name)
	return nil
}

// DiscardDataset removes the staged rows of one file of a dataset (by its
// sequence number in the run): a file found changed after it was read,
// above its source's max_reject_rate or rejected whole must not be
// committed.
func (s *Stage) DiscardDataset(ctx context.Context, d *datasets.Dataset, seq int32) error {
	if s.staged[d.Name] == nil {
		return nil
	}
	if s.direct != nil && d.Direct {
		if err := s.discardDirect(ctx, d, seq); err != nil {
			return err
		}
	}
	if _, err := s.conn.ExecContext(ctx, "DELETE FROM "+d.StageTable()+" WHERE file_seq = ?", seq); err != nil {
		err = fmt.Errorf("stage %s: discard file %d: %w", d.Name, seq, err)
		if s.direct != nil {
			return s.abort(err)
		}
		return err
	}
	return nil
}

func (s *Stage) dropDatasets() {
	bg := context.Background()
	for _, n := range s.order {
		d := s.staged[n]
		_, _ = s.conn.ExecContext(bg, "DROP TABLE IF EXISTS "+d.StageTable())
		// The merge leaves its current rows as a table or a view.
		_, _ = s.conn.ExecContext(bg, "DROP VIEW IF EXISTS "+d.CurrentTable())
		_, _ = s.conn.ExecContext(bg, "DROP TABLE IF EXISTS "+d.CurrentTable())
	}
	for _, q := range mergeCleanup() {
		_, _ = s.conn.ExecContext(bg, q)
	}
}

// mergeCleanup drops what the merges leave until the end of the commit.
func mergeCleanup() []string {
	out := []string{"DROP TABLE IF EXISTS stage_files", "DROP TABLE IF EXISTS merge_run"}
	for _, d := range datasets.All() {
		for _, t := range []string{d.Changes, d.Removed} {
			if t != "" {
				out = append(out, "DROP TABLE IF EXISTS "+t)
			}
		}
	}
	return out
}

// mergeDatasets runs, inside the commit transaction, every registered
// dataset's merge SQL (on an empty stage when the run staged none of its
// files), quarantines its rejected rows and fills its files' counts,
// checking that they reconcile (see countFiles). stage_files must hold the
// run's loaded files (stageFiles).
func (s *Stage) mergeDatasets(ctx context.Context, c *sql.Conn, runID int64, loadedAt time.Time, files []*FileResult) error {
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE merge_run AS SELECT CAST(? AS BIGINT) AS run_id, CAST(? AS TIMESTAMP) AS loaded_at`,
		runID, loadedAt); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, d := range datasets.All() {
		if err := s.merge(ctx, c, d, runID, files); err != nil {
			return err
		}
	}
	return nil
}

// merge merges one dataset's staged rows.
func (s *Stage) merge(ctx context.Context, c *sql.Conn, d *datasets.Dataset, runID int64, files []*FileResult) error {
	if err := s.ensure(ctx, d); err != nil {
		return err
	}
	var mine []*FileResult
	for _, f := range files {
		if g, err := datasets.ByName(f.Dataset); err == nil && g == d {
			mine = append(mine, f)
		}
	}
	// A direct dataset's valid rows of a direct run are in its table
	// already (BeginDirect): its DirectMerge reads them there.
	direct := s.direct != nil && d.Direct
	script := d.Merge
	var valid map[int32]int64
	if direct {
		// A literal, not a subquery on merge_run: DuckDB then filters the
		// scan itself, three times faster over a transaction's own rows.
		script, valid = strings.ReplaceAll(d.DirectMerge, "{run_id}", strconv.FormatInt(runID, 10)), s.direct.valid
	}
	var keys *runKeys
	if direct {
		keys = s.direct.keys[d.Name]
	}
	flags, byHashes, err := mergeFlags(ctx, c, d, mine, runID, direct, keys)
	if err != nil {
		return err
	}
	if direct {
		if byHashes {
			s.direct.decided = append(s.direct.decided, d.Name)
		}
		// The hashes (8 bytes a row) are not needed any more. They and
		// the staging's batches go back to the OS before DuckDB merges
		// and commits: the commit allocates too little in Go to start a
		// collection, so the heap the staging left (about 370 MB at 5M
		// rows, mostly freed batches) stayed resident to the end.
		if keys != nil {
			delete(s.direct.keys, d.Name)
			debug.FreeOSMemory()
		}
	}
	if direct && flags["retries"] {
		return fmt.Errorf("commit: %s: a retried file in a direct run", d.Name)
	}
	stmts, err := statements(script)
	if err != nil {
		return fmt.Errorf("commit: merge SQL of %s: %w", d.Name, err)
	}
	for _, st := range stmts {
		run, err := st.holds(flags)
		if err != nil {
			return fmt.Errorf("commit: merge SQL of %s: %w", d.Name, err)
		}
		if !run {
			continue
		}
		if _, err := c.ExecContext(ctx, st.sql); err != nil {
			return fmt.Errorf("commit: merge %s: %w", d.Name, err)
		}
	}
	if flags["retries"] {
		// A retried version is loaded again as a whole: its quarantine
		// rows are replaced by those of its new reading.
		if err := recovered(ctx, c, d.StageTable(), mine); err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, `DELETE FROM quarantine WHERE EXISTS (SELECT 1 FROM stage_files f WHERE f.retry AND f.dataset = ?
				AND quarantine.source = f.source AND quarantine.source_file = f.path AND quarantine.file_sha256 = f.sha)`, d.Name); err != nil {
			return fmt.Errorf("commit: retried files of %s: %w", d.Name, err)
		}
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO quarantine (run_id, source, source_file, source_row, reason, column_name, raw_value, raw_record, file_sha256, reason_code)
		SELECT $1, source, source_file, source_row, q_reason, q_column, q_raw_value, q_raw_record, file_sha256, q_reason_code
		FROM `+d.StageTable()+` WHERE q_reason IS NOT NULL`, runID); err != nil {
		return fmt.Errorf("commit: quarantine %s: %w", d.Name, err)
	}
	if err := countFiles(ctx, c, d.StageTable(), d.CurrentTable(), mine, valid); err != nil {
		return err
	}
	var views int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = ?`, d.CurrentTable()).Scan(&views); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	drop := "DROP TABLE "
	if views > 0 {
		drop = "DROP VIEW "
	}
	if _, err := c.ExecContext(ctx, drop+d.CurrentTable()); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// mergeFlags computes the flags a dataset's merge SQL may test (see
// datasets.Dataset.Merge) from its stage and its files: duplicates (a key
// repeats among the staged valid rows), duplicates_in_file (within one
// file; searched only when duplicates), retries, and existing (the
// dataset's first table holds rows of earlier runs). For a direct load the
// valid rows are the run's rows of the dataset's table, and a file is
// named by (source, source_file); keys, when not nil, are the hashes of
// those rows' keys the load computed: all distinct, they settle
// duplicates false without a query (see keyhash.go), and byHashes says so.
func mergeFlags(ctx context.Context, c *sql.Conn, d *datasets.Dataset, files []*FileResult, runID int64, direct bool, keys *runKeys) (flags map[string]bool, byHashes bool, err error) {
	flags = map[string]bool{"duplicates": false, "duplicates_in_file": false, "retries": false, "existing": false}
	for _, f := range files {
		if f.Status == "loaded" && (f.Retry || f.FailedBefore) {
			flags["retries"] = true
		}
	}
	key := strings.Join(d.Key, ", ")
	if len(d.Key) > 1 {
		key = "(" + key + ")"
	}
	from, file := d.StageTable()+` WHERE q_reason IS NULL`, "file_seq"
	earlier := d.Tables[0]
	if direct {
		from, file = directTable(d)+` WHERE run_id = `+strconv.FormatInt(runID, 10), "source, source_file"
		earlier = directTable(d) + ` WHERE run_id <> ` + strconv.FormatInt(runID, 10)
	}
	// Without rows from earlier runs there is nothing to replace: the
	// search for the warehouse's versions of the run's keys would hash
	// every key of the run (hundreds of MB for a first load of millions).
	var existing int64
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+earlier+` LIMIT 1)`).Scan(&existing); err != nil {
		return nil, false, fmt.Errorf("commit: %s: %w", d.Name, err)
	}
	flags["existing"] = existing > 0
	// Distinct hashes are distinct keys; two keys sharing a hash (about
	// one run in a million at 5M keys) only make the merge search for
	// duplicates it then does not find. The set of 64-bit hashes is a
	// third smaller than the set of the keys' texts (5M dossier codes:
	// 320 against 480 MB).
	if direct && keys != nil {
		distinct, usable, err := keys.distinct(ctx, c, d)
		if err != nil {
			return nil, false, err
		}
		if usable && distinct {
			return flags, true, nil
		}
	}
	var dups int64
	if err := c.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT hash(`+strings.Join(d.Key, ", ")+`)) FROM `+from).Scan(&dups); err != nil {
		return nil, false, fmt.Errorf("commit: %s: %w", d.Name, err)
	}
	if dups == 0 {
		return flags, false, nil
	}
	flags["duplicates"] = true
	var inFile int64
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+`
		GROUP BY `+file+`, `+strings.Join(d.Key, ", ")+` HAVING count(*) > 1)`).Scan(&inFile); err != nil {
		return nil, false, fmt.Errorf("commit: %s: duplicates: %w", d.Name, err)
	}
	flags["duplicates_in_file"] = inFile > 0
	return flags, false, nil
}

// statement is one statement of a merge SQL file and the condition under
// which it runs ("" always).
type statement struct {
	when, sql string
}

// statements splits a merge SQL file into its statements: they end with a
// semicolon at the end of a line; a comment line "-- when: <condition>"
// sets the condition of the statement that starts next; other comment
// lines are dropped.
func statements(script string) ([]statement, error) {
	var out []statement
	var cur strings.Builder
	when, pending := "", ""
	for i, line := range strings.Split(script, "\n") {
		t := strings.TrimSpace(line)
		if c, ok := strings.CutPrefix(t, "-- when:"); ok {
			if cur.Len() > 0 {
				return nil, fmt.Errorf("line %d: a condition inside a statement", i+1)
			}
			pending = strings.TrimSpace(c)
			continue
		}
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		if cur.Len() == 0 {
			when, pending = pending, ""
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, statement{when: when, sql: cur.String()})
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, statement{when: when, sql: cur.String()})
	}
	if pending != "" {
		return nil, fmt.Errorf("condition %q precedes no statement", pending)
	}
	return out, nil
}

// holds evaluates the statement's condition: flags joined by "or" and
// "and" ("and" binding tighter), each optionally preceded by "not". An
// unknown flag is an error, not false.
func (st statement) holds(flags map[string]bool) (bool, error) {
	if st.when == "" {
		return true, nil
	}
	any := false
	for _, alt := range strings.Split(st.when, " or ") {
		all := true
		for _, atom := range strings.Split(alt, " and ") {
			atom = strings.TrimSpace(atom)
			name, neg := strings.CutPrefix(atom, "not ")
			v, ok := flags[strings.TrimSpace(name)]
			if !ok {
				return false, fmt.Errorf("condition %q: unknown flag %q", st.when, name)
			}
			all = all && v != neg
		}
		any = any || all
	}
	return any, nil
}

// datasetTables are the warehouse tables the datasets write, emptied by a
// full refresh.
func datasetTables() []string {
	var out []string
	for _, d := range datasets.All() {
		out = append(out, d.Tables...)
	}
	return out
}
