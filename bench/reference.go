package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	_ "github.com/marcboeker/go-duckdb"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/model"
	"github.com/cchc/cchc/warehouse"
)

// readCSVColumns types the CSV as cchc's canonical schema does
// (transforms.StageSchema). Vocabulary columns and flags stay VARCHAR here
// and are mapped in SQL below; read_csv never guesses a type
// (docs/architecture.md: it would make 1.001234 a DOUBLE).
const readCSVColumns = `{
	'dossier_code': 'VARCHAR', 'unit_code': 'VARCHAR', 'procedure_code': 'VARCHAR',
	'procedure_name': 'VARCHAR', 'field': 'VARCHAR', 'channel': 'VARCHAR',
	'received_at': 'TIMESTAMP', 'due_at': 'TIMESTAMP', 'finished_at': 'TIMESTAMP', 'returned_at': 'TIMESTAMP',
	'status': 'VARCHAR', 'supplement_requests': 'INTEGER', 'supplement_days': 'DOUBLE',
	'fee_required': 'VARCHAR', 'paid_online': 'VARCHAR', 'digitized_dossier': 'VARCHAR',
	'digitized_result': 'VARCHAR', 'reused_data': 'VARCHAR', 'synced_national': 'VARCHAR', 'rating': 'VARCHAR'}`

// readCSVQuery loads the generated export (canonical headers, the
// generator's dialect) into a typed table in one statement: codes for the
// status, channel and rating words, BOOLEAN flags, and the outcome columns
// of sql/models/10_dossier_outcomes.sql (effective finish, end of the due
// day, outcome) derived per dossier as of the export's time rather than per
// period. Rows read_csv cannot type (the planted 31/02/2026) go to DuckDB's
// reject tables, as cchc quarantines them.
const readCSVQuery = `
CREATE TABLE dossiers AS
WITH raw AS (
	SELECT * FROM read_csv(%s, header = true, delim = ',', quote = '"', columns = %s,
		timestampformat = '%%d/%%m/%%Y %%H:%%M:%%S', decimal_separator = ',',
		store_rejects = true, auto_detect = false)
), typed AS (
	SELECT
		dossier_code, unit_code, procedure_code, procedure_name, field,
		CASE channel WHEN 'Trực tuyến' THEN 'online' WHEN 'Trực tiếp' THEN 'direct'
			WHEN 'Bưu chính công ích' THEN 'postal' END AS channel,
		received_at, due_at, finished_at, returned_at,
		CASE status WHEN 'Đang xử lý' THEN 'processing' WHEN 'Mới tiếp nhận' THEN 'processing'
			WHEN 'Yêu cầu bổ sung hồ sơ' THEN 'supplement_requested'
			WHEN 'Đã xử lý xong' THEN 'resolved' WHEN 'Chờ trả kết quả' THEN 'resolved'
			WHEN 'Đã trả kết quả' THEN 'returned' WHEN 'Từ chối' THEN 'rejected'
			WHEN 'Rút hồ sơ' THEN 'withdrawn' WHEN 'Dừng xử lý' THEN 'stopped' END AS status,
		supplement_requests, supplement_days,
		CASE fee_required WHEN 'Có' THEN true WHEN 'Không' THEN false END AS fee_required,
		CASE paid_online WHEN 'Có' THEN true WHEN 'Không' THEN false END AS paid_online,
		CASE synced_national WHEN 'Có' THEN true WHEN 'Không' THEN false END AS synced_national,
		CASE digitized_dossier WHEN 'Có' THEN true WHEN 'Không' THEN false END AS digitized_dossier,
		CASE digitized_result WHEN 'Có' THEN true WHEN 'Không' THEN false END AS digitized_result,
		CASE reused_data WHEN 'Có' THEN true WHEN 'Không' THEN false END AS reused_data,
		CASE rating WHEN 'Rất hài lòng' THEN 'very_satisfied' WHEN 'Hài lòng' THEN 'satisfied'
			WHEN 'Không hài lòng' THEN 'dissatisfied' END AS rating
	FROM raw
), clocked AS (
	SELECT *,
		finished_at - to_microseconds(CAST(round(coalesce(supplement_days, 0) * 86400000000) AS BIGINT)) AS effective_finish,
		CASE WHEN due_at = date_trunc('day', due_at) THEN due_at + INTERVAL 1 DAY ELSE due_at END AS due_end
	FROM typed
)
SELECT *,
	CASE
		WHEN finished_at IS NOT NULL THEN CASE
			WHEN status IN ('rejected', 'withdrawn', 'stopped') THEN 'on_time'
			WHEN coalesce(supplement_requests, 0) > 1 THEN 'late'
			WHEN due_at IS NULL THEN 'on_time'
			WHEN due_at = date_trunc('day', due_at) AND effective_finish >= due_end THEN 'late'
			WHEN due_at <> date_trunc('day', due_at) AND effective_finish > due_at THEN 'late'
			WHEN CAST(effective_finish AS DATE) < CAST(due_at AS DATE) THEN 'early'
			ELSE 'on_time'
		END
		WHEN status = 'supplement_requested' THEN 'pending_in_time'
		WHEN due_at IS NULL OR due_end >= TIMESTAMP '2026-11-03 08:00:00' THEN 'pending_in_time'
		ELSE 'pending_overdue'
	END AS outcome
FROM clocked`

// duckdbReadCSV is case (b): DuckDB's own CSV reader into the typed table,
// with insertion order off and no extension autoloading, as cchc opens its
// warehouse, then a checkpoint so that the table is on disk as cchc's is.
func duckdbReadCSV(path, dbPath string) error {
	ctx := context.Background()
	db, err := sql.Open("duckdb", dbPath+"?preserve_insertion_order=false&autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection: the reject tables are temporary, per connection.
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	q := fmt.Sprintf(readCSVQuery, sqlString(path), readCSVColumns)
	if _, err := c.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("read_csv %s: %w", path, err)
	}
	if _, err := c.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return err
	}
	// What was loaded, for a reader to check the reference did the work.
	var rows, rejected int64
	var outcomes string
	if err := c.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM reject_errors),
		(SELECT string_agg(outcome || ' ' || n, ', ' ORDER BY outcome) FROM (SELECT outcome, count(*) AS n FROM dossiers GROUP BY ALL))`).
		Scan(&rows, &rejected, &outcomes); err != nil {
		return err
	}
	fmt.Printf("read_csv: %d rows loaded, %d rejected; outcomes: %s\n", rows, rejected, outcomes)
	return nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// buildModel is case (d): the model and ranking of a loaded warehouse,
// alone. It runs model.BuildChanged as a run does (the same code, one
// transaction on one pinned connection, the run's clock), without the
// extract, load or publication.
func buildModel(cfgPath string, recount, statements bool) error {
	ctx := context.Background()
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		return err
	}
	meth, err := model.LoadMethodology(cfg.Methodology)
	if err != nil {
		return err
	}
	parMeth, err := model.LoadPARMethodology(cfg.PAR.Methodology)
	if err != nil {
		return err
	}
	w, err := warehouse.Open(ctx, cfg.Warehouse, warehouse.Options{MemoryLimit: cfg.MemoryLimit})
	if err != nil {
		return err
	}
	c, err := w.DB().Conn(ctx)
	if err != nil {
		w.Close()
		return err
	}
	err = func() error {
		if _, err := c.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		asOf := model.AsOf{Now: warehouse.LocalNow(time.Now(), cfg.Location), Grace: cfg.Publish.Grace, Freshness: cfg.Freshness}
		// A full build, as a run that loads everything does (BuildChanged
		// with full set), under the configured PAR methodology too.
		if recount {
			if _, err := c.ExecContext(ctx, "DROP TABLE IF EXISTS outcome_counts"); err != nil {
				return err
			}
		}
		t := time.Now()
		var db model.Execer = c
		var timed *timedConn
		if statements {
			timed = &timedConn{Conn: c}
			db = timed
		}
		b, err := model.BuildChanged(ctx, db, cfg.Periods, meth, parMeth, asOf, true)
		if err != nil {
			c.ExecContext(ctx, "ROLLBACK")
			return err
		}
		fmt.Printf("model: %d periods rebuilt in %s, counts %s\n", len(b.Periods), time.Since(t).Round(time.Millisecond), b.Counts)
		if timed != nil {
			timed.print(os.Stdout, 12)
		}
		_, err = c.ExecContext(ctx, "COMMIT")
		return err
	}()
	c.Close()
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// timedConn times each statement the model runs (bench -model CFG
// -statements), for the top costs of BENCHMARKS.md.
type timedConn struct {
	*sql.Conn
	took []timedStatement
}

type timedStatement struct {
	sql string
	d   time.Duration
}

func (t *timedConn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if p := os.Getenv("BENCH_EXPLAIN"); p != "" && strings.Contains(firstLine(q), p) {
		t.explain(ctx, q, args)
	}
	start := time.Now()
	r, err := t.Conn.ExecContext(ctx, q, args...)
	t.took = append(t.took, timedStatement{q, time.Since(start)})
	return r, err
}

func (t *timedConn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	start := time.Now()
	r := t.Conn.QueryRowContext(ctx, q, args...)
	t.took = append(t.took, timedStatement{q, time.Since(start)})
	return r
}

// print writes the n slowest statements, each as its first meaningful
// line (comments skipped) and its time.
func (t *timedConn) print(w io.Writer, n int) {
	s := append([]timedStatement(nil), t.took...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].d > s[j].d })
	var total time.Duration
	for _, x := range t.took {
		total += x.d
	}
	fmt.Fprintf(w, "model statements: %d, %s in all; the slowest:\n", len(t.took), total.Round(time.Millisecond))
	for i, x := range s {
		if i == n {
			break
		}
		fmt.Fprintf(w, "  %8s  %s\n", x.d.Round(time.Millisecond), firstLine(x.sql))
	}
}

func firstLine(q string) string {
	for _, l := range strings.Split(q, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--") {
			continue
		}
		if len(l) > 110 {
			l = l[:110] + "…"
		}
		return l
	}
	return ""
}

// explain prints DuckDB's EXPLAIN ANALYZE of q's query (the statement then
// runs again, as the model runs it).
func (t *timedConn) explain(ctx context.Context, q string, args []any) {
	// EXPLAIN ANALYZE of a CREATE TABLE AS does not create the table:
	// explain its query only.
	// Anything else would run twice (an INSERT) or break the rebuild (a
	// DROP), so only queries and CREATE ... AS are explained.
	switch first := firstLine(q); {
	case strings.HasPrefix(first, "CREATE") && strings.Contains(q, " AS"):
		q = q[strings.Index(q, " AS")+len(" AS"):]
	case strings.HasPrefix(first, "SELECT") || strings.HasPrefix(first, "WITH"):
	default:
		return
	}
	// A whole-line comment of the statement may hold a semicolon (the
	// model's files put them only there): the first statement is cut after
	// those lines.
	var body []string
	for _, l := range strings.Split(q, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			body = append(body, l)
		}
	}
	q = strings.Join(body, "\n")
	if j := strings.Index(q, ";"); j >= 0 {
		q = q[:j]
	}
	rows, err := t.Conn.QueryContext(ctx, "EXPLAIN ANALYZE "+q, args...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "explain:", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if rows.Scan(&k, &v) == nil {
			fmt.Println(v)
		}
	}
}
