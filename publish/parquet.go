package publish

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// parquetMu serialises Parquet exports: each lowers DuckDB's (database-wide)
// thread count to 1 for its COPY and restores it afterwards.
var parquetMu sync.Mutex

// parquetColumn is one column of ranking-<peer_group>.parquet.
type parquetColumn struct {
	name, typ string
	value     func(rankRow) string // a SQL literal
}

// parquetColumns are the columns in file order: unit_code, unit_name,
// rank, peer_count, one DOUBLE per group (named by its code, in display
// order), total_score, tier, previous_rank, rank_change, score_change,
// stale, data_until, na_indicators, then the period, peer group,
// methodology and provisional flag of every row (so that files can be read
// together, and a provisional ranking never passes for a final one).
func parquetColumns(p periodInfo, r ranking) ([]parquetColumn, error) {
	cols := []parquetColumn{
		{"unit_code", "VARCHAR", func(x rankRow) string { return sqlString(x.UnitCode) }},
		{"unit_name", "VARCHAR", func(x rankRow) string { return sqlString(x.UnitName) }},
		{"rank", "INTEGER", func(x rankRow) string { return sqlInt(x.Rank) }},
		{"peer_count", "INTEGER", func(x rankRow) string { return sqlInt(x.PeerCount) }},
	}
	for j := range r.Groups {
		cols = append(cols, parquetColumn{r.Groups[j].Code, "DOUBLE", func(x rankRow) string { return sqlScore(x.Scores[j]) }})
	}
	cols = append(cols,
		parquetColumn{"total_score", "DOUBLE", func(x rankRow) string { return sqlScore(x.Total) }},
		parquetColumn{"tier", "VARCHAR", func(x rankRow) string {
			if x.Tier == "" {
				return "NULL"
			}
			return sqlString(x.Tier)
		}},
		parquetColumn{"previous_rank", "INTEGER", func(x rankRow) string { return sqlInt(x.PrevRank) }},
		parquetColumn{"rank_change", "INTEGER", func(x rankRow) string { return sqlInt(x.RankChange) }},
		parquetColumn{"score_change", "DOUBLE", func(x rankRow) string { return sqlScore(x.ScoreChange) }},
		parquetColumn{"stale", "BOOLEAN", func(x rankRow) string { return strconv.FormatBool(x.Stale) }},
		parquetColumn{"data_until", "DATE", func(x rankRow) string {
			if x.DataUntil == nil {
				return "NULL"
			}
			return sqlString(x.DataUntil.Format("2006-01-02"))
		}},
		parquetColumn{"na_indicators", "VARCHAR[]", func(x rankRow) string {
			items := make([]string, len(x.NA))
			for i, s := range x.NA {
				items[i] = sqlString(s)
			}
			return "[" + strings.Join(items, ", ") + "]"
		}},
		parquetColumn{"period", "VARCHAR", func(rankRow) string { return sqlString(p.Period) }},
		parquetColumn{"peer_group", "VARCHAR", func(rankRow) string { return sqlString(r.PeerGroup) }},
		parquetColumn{"methodology", "VARCHAR", func(rankRow) string { return sqlString(r.Methodology) }},
		parquetColumn{"methodology_version", "VARCHAR", func(rankRow) string { return sqlString(r.Version) }},
		parquetColumn{"provisional", "BOOLEAN", func(rankRow) string { return strconv.FormatBool(p.Provisional) }},
	)
	seen := map[string]bool{}
	for _, c := range cols {
		k := strings.ToLower(c.name) // DuckDB identifiers ignore case
		if seen[k] {
			return nil, fmt.Errorf("column %q appears twice (a group code clashes with a column)", c.name)
		}
		seen[k] = true
	}
	return cols, nil
}

// writeRankingParquet has DuckDB write ranking-<peer_group>.parquet to
// target (zstd), rows by rank then unit_code. The rows are the ones the
// other formats publish, rounded by Round2, given to COPY as typed
// literals, so the Parquet file carries exactly the published numbers.
// The COPY runs on one pinned connection with threads = 1 so that the
// bytes do not depend on scheduling.
func writeRankingParquet(ctx context.Context, db *sql.DB, p periodInfo, r ranking, target string) error {
	cols, err := parquetColumns(p, r)
	if err != nil {
		return err
	}
	if len(r.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	var q strings.Builder
	q.WriteString("COPY (SELECT ")
	for i, c := range cols {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "CAST(c%d AS %s) AS %s", i, c.typ, sqlIdent(c.name))
	}
	q.WriteString(" FROM (VALUES ")
	for i, row := range r.Rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j, c := range cols {
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString(c.value(row))
		}
		q.WriteByte(')')
	}
	q.WriteString(") AS v(")
	for i := range cols {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "c%d", i)
	}
	q.WriteString(") ORDER BY rank NULLS LAST, unit_code) TO ")
	q.WriteString(sqlString(target))
	q.WriteString(" (FORMAT PARQUET, COMPRESSION ZSTD)")

	return copySingleThreaded(ctx, db, q.String())
}

// copySingleThreaded runs a COPY … TO statement with one DuckDB thread, so
// that the Parquet file's row groups, and so its bytes, are the same on
// every run; publications of the same warehouse must be byte-identical.
func copySingleThreaded(ctx context.Context, db *sql.DB, copy string) error {
	parquetMu.Lock()
	defer parquetMu.Unlock()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var threads int64
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		return fmt.Errorf("read threads: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SET threads = 1"); err != nil {
		return err
	}
	// Restore even when ctx is cancelled.
	defer conn.ExecContext(context.Background(), fmt.Sprintf("SET threads = %d", threads)) //nolint:errcheck
	if _, err := conn.ExecContext(ctx, copy); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}

// sqlString quotes s as a SQL string literal (DuckDB's strings have no
// backslash escapes; a quote is doubled).
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func sqlInt(p *int) string {
	if p == nil {
		return "NULL"
	}
	return strconv.Itoa(*p)
}

// sqlScore is a published score as a literal that DuckDB parses back to the
// same double.
func sqlScore(p *float64) string {
	if p == nil {
		return "NULL"
	}
	return sqlString(strconv.FormatFloat(Round2(*p), 'g', -1, 64))
}
