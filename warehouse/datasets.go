package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
)

// LoadDataset appends a read-whole dataset's rows (datasets.Dataset.Reader)
// to its stage table, created on first use. On error nothing of the stream
// is kept.
func (s *Stage) LoadDataset(ctx context.Context, d *datasets.Dataset, rdr array.RecordReader) error {
	if s.staged == nil {
		s.staged = map[string]*datasets.Dataset{}
	}
	if s.staged[d.Name] == nil {
		ddl, err := TableDDL(d.Stage)
		if err != nil {
			return fmt.Errorf("stage %s: %w", d.Name, err)
		}
		if _, err := s.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+d.StageTable()+" ("+ddl+")"); err != nil {
			return CheckDiskFull(fmt.Errorf("stage %s: %w", d.Name, err), s.path)
		}
		s.staged[d.Name] = d
		s.order = append(s.order, d.Name)
	}
	err := LoadArrow(ctx, s.conn, rdr, d.StageTable()+"_in", "INSERT INTO "+d.StageTable()+" SELECT * FROM "+d.StageTable()+"_in")
	return CheckDiskFull(err, s.path)
}

// DiscardDataset removes the staged rows of one file of a read-whole
// dataset (a file found changed after it was read, or rejected whole).
func (s *Stage) DiscardDataset(ctx context.Context, d *datasets.Dataset, seq int32) error {
	if s.staged[d.Name] == nil {
		return nil
	}
	if _, err := s.conn.ExecContext(ctx, "DELETE FROM "+d.StageTable()+" WHERE file_seq = ?", seq); err != nil {
		return fmt.Errorf("stage %s: discard file %d: %w", d.Name, seq, err)
	}
	return nil
}

func (s *Stage) dropDatasets() {
	for _, n := range s.order {
		d := s.staged[n]
		_, _ = s.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+d.StageTable())
		_, _ = s.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+d.CurrentTable())
	}
	_, _ = s.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS merge_run")
}

// mergeDatasets runs, inside the commit transaction, each staged dataset's
// merge SQL, quarantines its rejected rows and fills its files' counts,
// checking that they reconcile like the dossiers' (see fileCounts).
func (s *Stage) mergeDatasets(ctx context.Context, c *sql.Conn, runID int64, loadedAt time.Time, files []*FileResult) error {
	if len(s.order) == 0 {
		return nil
	}
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE merge_run AS SELECT CAST(? AS BIGINT) AS run_id, CAST(? AS TIMESTAMP) AS loaded_at`,
		runID, loadedAt); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, n := range s.order {
		d := s.staged[n]
		for _, q := range statements(d.Merge) {
			if _, err := c.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("commit: merge %s: %w", d.Name, err)
			}
		}
		if _, err := c.ExecContext(ctx, `INSERT INTO quarantine (run_id, source, source_file, source_row, reason, column_name, raw_value, raw_record, file_sha256, reason_code)
			SELECT $1, source, source_file, source_row, q_reason, q_column, q_raw_value, q_raw_record, file_sha256, q_reason_code
			FROM `+d.StageTable()+` WHERE q_reason IS NOT NULL`, runID); err != nil {
			return fmt.Errorf("commit: quarantine %s: %w", d.Name, err)
		}
		var mine []*FileResult
		for _, f := range files {
			if f.Dataset == d.Name {
				mine = append(mine, f)
			}
		}
		if err := countFiles(ctx, c, d.StageTable(), d.CurrentTable(), mine); err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, "DROP TABLE "+d.CurrentTable()); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	return nil
}

// statements splits a merge SQL file into its statements: they end with a
// semicolon at the end of a line; comment lines are dropped.
func statements(script string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(script, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// datasetTables are the warehouse tables the read-whole datasets write,
// emptied by a full refresh.
func datasetTables() []string {
	var out []string
	for _, d := range datasets.All() {
		out = append(out, d.Tables...)
	}
	return out
}
