package publish

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// threadPin serialises the changes of DuckDB's (database-wide) thread
// count: a Parquet export outside a publication (Period, Periods) lowers
// it to 1 for its COPY and restores it afterwards, holding the lock; a
// publication lowers it once for all its queries and exports (pinOneThread),
// and its exports then run side by side.
var threadPin struct {
	sync.Mutex
	n     int   // publications in progress with threads pinned to 1
	saved int64 // the thread count before the first of them
}

// pinOneThread sets DuckDB's thread count to 1 until unpin is called, for
// a publication: its Parquet files' bytes must not depend on scheduling
// (copySingleThreaded), and its small queries run faster on the calling
// thread alone than handed to DuckDB's workers (1M warehouse, 18 periods:
// a ranking query 19 ms → 10 ms). Nested or concurrent pins share one
// setting; the last unpin restores the count read by the first, and says
// when it could not: the setting is the database's, so a long-lived
// process (the scheduler) would run every later merge and model on one
// thread without a word.
func pinOneThread(ctx context.Context, db *sql.DB) (unpin func() error, err error) {
	threadPin.Lock()
	defer threadPin.Unlock()
	if threadPin.n == 0 {
		var threads int64
		if err := db.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
			return nil, fmt.Errorf("read threads: %w", err)
		}
		if _, err := db.ExecContext(ctx, "SET threads = 1"); err != nil {
			// A cancelled statement may have been applied all the same.
			if _, rerr := db.ExecContext(context.Background(), fmt.Sprintf("SET threads = %d", threads)); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restore threads = %d: %w", threads, rerr))
			}
			return nil, fmt.Errorf("set threads: %w", err)
		}
		threadPin.saved = threads
	}
	threadPin.n++
	var once sync.Once
	return func() (err error) {
		once.Do(func() {
			threadPin.Lock()
			defer threadPin.Unlock()
			if threadPin.n--; threadPin.n == 0 {
				// Restore even when ctx is cancelled.
				if _, rerr := db.ExecContext(context.Background(), fmt.Sprintf("SET threads = %d", threadPin.saved)); rerr != nil {
					err = fmt.Errorf("DuckDB's thread count not restored to %d after the publication: %w", threadPin.saved, rerr)
				}
			}
		})
		return err
	}, nil
}

// parquetColumn is one column of a Parquet publication: its name, its
// DuckDB type and its value in a row: nil (NULL), a string that DuckDB
// casts to typ (a number as strconv writes it, a date as YYYY-MM-DD, a
// boolean as true/false), or a []string for a VARCHAR[].
type parquetColumn[R any] struct {
	name, typ string
	value     func(R) any
}

// parquetColumns are the columns of ranking-<peer_group>.parquet in file
// order: unit_code, unit_name, rank, peer_count, one DOUBLE per group
// (named by its code, in display order), total_score, tier,
// previous_rank, rank_change, score_change, stale, data_until,
// na_indicators, then the period, peer group, methodology and provisional
// flag of every row (so that files can be read together, and a
// provisional ranking never passes for a final one).
func parquetColumns(p periodInfo, r ranking) ([]parquetColumn[rankRow], error) {
	cols := []parquetColumn[rankRow]{
		{"unit_code", "VARCHAR", func(x rankRow) any { return x.UnitCode }},
		{"unit_name", "VARCHAR", func(x rankRow) any { return x.UnitName }},
		{"rank", "INTEGER", func(x rankRow) any { return jsonInt(x.Rank) }},
		{"peer_count", "INTEGER", func(x rankRow) any { return jsonInt(x.PeerCount) }},
	}
	for j := range r.Groups {
		cols = append(cols, parquetColumn[rankRow]{r.Groups[j].Code, "DOUBLE", func(x rankRow) any { return jsonScore(x.Scores[j]) }})
	}
	cols = append(cols,
		parquetColumn[rankRow]{"total_score", "DOUBLE", func(x rankRow) any { return jsonScore(x.Total) }},
		parquetColumn[rankRow]{"tier", "VARCHAR", func(x rankRow) any {
			if x.Tier == "" {
				return nil
			}
			return x.Tier
		}},
		parquetColumn[rankRow]{"previous_rank", "INTEGER", func(x rankRow) any { return jsonInt(x.PrevRank) }},
		parquetColumn[rankRow]{"rank_change", "INTEGER", func(x rankRow) any { return jsonInt(x.RankChange) }},
		parquetColumn[rankRow]{"score_change", "DOUBLE", func(x rankRow) any { return jsonScore(x.ScoreChange) }},
		parquetColumn[rankRow]{"stale", "BOOLEAN", func(x rankRow) any { return strconv.FormatBool(x.Stale) }},
		parquetColumn[rankRow]{"data_until", "DATE", func(x rankRow) any {
			if x.DataUntil == nil {
				return nil
			}
			return x.DataUntil.Format("2006-01-02")
		}},
		parquetColumn[rankRow]{"na_indicators", "VARCHAR[]", func(x rankRow) any { return append([]string{}, x.NA...) }},
		parquetColumn[rankRow]{"period", "VARCHAR", func(rankRow) any { return p.Period }},
		parquetColumn[rankRow]{"peer_group", "VARCHAR", func(rankRow) any { return r.PeerGroup }},
		parquetColumn[rankRow]{"methodology", "VARCHAR", func(rankRow) any { return r.Methodology }},
		parquetColumn[rankRow]{"methodology_version", "VARCHAR", func(rankRow) any { return r.Version }},
		parquetColumn[rankRow]{"provisional", "BOOLEAN", func(rankRow) any { return strconv.FormatBool(p.Provisional) }},
	)
	seen := map[string]bool{}
	for _, c := range cols {
		k := strings.ToLower(c.name) // DuckDB identifiers ignore case
		if seen[k] {
			return nil, fmt.Errorf("cột %q xuất hiện hai lần: mã một nhóm của phương pháp trùng tên một cột; đổi mã nhóm (column appears twice: a group code clashes with a column)", c.name)
		}
		seen[k] = true
	}
	return cols, nil
}

// writeRankingParquet has DuckDB write ranking-<peer_group>.parquet to
// target (zstd), rows by rank then unit_code. The rows are the ones the
// other formats publish, rounded by Round2, so the Parquet file carries
// exactly the published numbers.
func writeRankingParquet(ctx context.Context, db *sql.DB, p periodInfo, r ranking, target string) error {
	cols, err := parquetColumns(p, r)
	if err != nil {
		return err
	}
	if len(r.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	return copyParquet(ctx, db, cols, r.Rows, "rank NULLS LAST, unit_code", target)
}

// copyParquet has DuckDB write rows as a Parquet file (zstd) at target,
// ordered by orderBy (over the column names). The rows reach DuckDB as one
// JSON string, bound as a parameter (as a literal in the statement's text,
// DuckDB's parser took as long as the rest of the COPY), unnested by
// from_json with every column a VARCHAR (or VARCHAR[]) and cast to its
// type: a VALUES list of one literal per cell would cost DuckDB's parser
// and binder far more than the file itself. A value cast from text is the
// value a typed literal of the same text gives. The COPY runs with
// threads = 1 (copySingleThreaded) so that the bytes do not depend on
// scheduling.
func copyParquet[R any](ctx context.Context, db *sql.DB, cols []parquetColumn[R], rows []R, orderBy, target string) error {
	var q strings.Builder
	q.WriteString("COPY (SELECT ")
	structure := make([]string, len(cols))
	for i, c := range cols {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "CAST(r.c%d AS %s) AS %s", i, c.typ, sqlIdent(c.name))
		structure[i] = fmt.Sprintf(`"c%d":"VARCHAR"`, i)
		if strings.HasSuffix(c.typ, "[]") {
			structure[i] = fmt.Sprintf(`"c%d":["VARCHAR"]`, i)
		}
	}
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetEscapeHTML(false)
	data.WriteByte('[')
	for i, row := range rows {
		if i > 0 {
			data.WriteByte(',')
		}
		data.WriteByte('{')
		for j, c := range cols {
			if j > 0 {
				data.WriteByte(',')
			}
			data.WriteString(`"c` + strconv.Itoa(j) + `":`)
			if err := enc.Encode(c.value(row)); err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
			data.Truncate(data.Len() - 1) // Encode's newline
		}
		data.WriteByte('}')
	}
	data.WriteByte(']')
	fmt.Fprintf(&q, " FROM (SELECT unnest(from_json(CAST(? AS VARCHAR), %s)) AS r) ORDER BY %s) TO %s (FORMAT PARQUET, COMPRESSION ZSTD)",
		sqlString("[{"+strings.Join(structure, ",")+"}]"), orderBy, sqlString(target))
	return copySingleThreaded(ctx, db, q.String(), data.String())
}

// copySingleThreaded runs a COPY … TO statement (with its parameters
// args) with one DuckDB thread, so that the Parquet file's row groups, and
// so its bytes, are the same on every run; publications of the same
// warehouse must be byte-identical. Within a publication (pinOneThread)
// the count is 1 already; otherwise it is lowered for this COPY alone.
func copySingleThreaded(ctx context.Context, db *sql.DB, copy string, args ...any) error {
	threadPin.Lock()
	if threadPin.n > 0 {
		// A publication pinned the count to 1 until all its exports end.
		threadPin.Unlock()
		if _, err := db.ExecContext(ctx, copy, args...); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		return nil
	}
	defer threadPin.Unlock()
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
	if _, err := conn.ExecContext(ctx, copy, args...); err != nil {
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

// jsonInt is a nullable integer as copyParquet's text.
func jsonInt(p *int) any {
	if p == nil {
		return nil
	}
	return strconv.Itoa(*p)
}

// jsonScore is a published score as copyParquet's text: the shortest
// decimal that DuckDB parses back to the same double.
func jsonScore(p *float64) any {
	if p == nil {
		return nil
	}
	return strconv.FormatFloat(Round2(*p), 'g', -1, 64)
}
