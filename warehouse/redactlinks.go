package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/cchc/cchc/sources"
)

// goMigrations are the migrations SQL cannot write. They are numbered
// with sql/migrations and applied in the same order, each in one
// transaction with its schema_migrations row, so once.
var goMigrations = []goMigration{
	{104, "0104_redact_stored_links", redactStoredLinks},
	// Redact now also reads credential names glued into one word
	// (accesstoken, JSESSIONID) or Vietnamese (matkhau), parameters after
	// ';' in the path, and links inside parameter values.
	{105, "0105_redact_stored_links", redactStoredLinks},
	// Redact now also reads name=value in a path segment
	// (/dl/token=.../x.csv), relative links (x.csv?sig=..., in a value
	// or a message), names escaped twice (%2574oken), otp, nonce, mã xác
	// thực, and code with state (an OAuth authorization response);
	// also (before its release) values with "//" in them, passwords with
	// a '/', fragments read by their names, Vietnamese names with spaces
	// in a message, more names (assertion, verifier, passkey, pin, ...),
	// and only exact names of a credential's kind exempt.
	{106, "0106_redact_stored_links", redactStoredLinks},
}

type goMigration struct {
	version int
	name    string
	apply   func(context.Context, *sql.Tx) error
}

// redactStoredLinks names the files of a warehouse written before a fix
// to Redact (0104: queries net/url refuses, ';' between parameters or a
// broken '%' escape; 0105, 0106: see goMigrations) as runs name them now: such
// a link was stored with its token, as the file's path in the ledger, in
// the rows loaded from it and in run messages and errors. Redact and
// RedactText leave what they redacted as it is, so only such links
// change. A link whose token was fresh at every listing was stored once
// per token; those rows now share one name, the one the next run gives
// the file. A later fix to Redact redacts what an older one stored by
// registering this again under a new version.
func redactStoredLinks(ctx context.Context, tx *sql.Tx) error {
	// Every table that names a ledger file does so in source_file.
	links, err := columns(ctx, tx, `SELECT table_name, column_name FROM duckdb_columns() c
		WHERE schema_name = 'main' AND NOT internal AND data_type = 'VARCHAR'
		AND (column_name = 'source_file' OR (table_name = 'source_files' AND column_name = 'path'))
		AND EXISTS (SELECT 1 FROM duckdb_tables() t WHERE t.schema_name = 'main' AND t.table_name = c.table_name)
		ORDER BY table_name`)
	if err != nil {
		return err
	}
	for _, c := range links {
		if err := rewrite(ctx, tx, c[0], c[1], sources.Redact); err != nil {
			return err
		}
	}
	for _, c := range [][2]string{{"runs", "message"}, {"source_files", "error"}, {"source_status", "last_error"}} {
		if err := rewrite(ctx, tx, c[0], c[1], sources.RedactText); err != nil {
			return err
		}
	}
	return nil
}

// columns reads (table, column) pairs.
func columns(ctx context.Context, tx *sql.Tx, query string) ([][2]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// rewrite replaces each value v of table.column that may hold a link
// (RedactText finds a mistyped scheme by its "//"; a relative link or a
// credential quoted alone has an '=') by redact(v), where it differs, in
// one pass over the table: a link with a fresh token per run may have
// been stored under many names.
func rewrite(ctx context.Context, tx *sql.Tx, table, column string, redact func(string) string) error {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT %[1]q FROM %[2]q WHERE contains(%[1]q, '//') OR contains(%[1]q, '=')`, column, table))
	if err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	var values []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("%s.%s: %w", table, column, err)
		}
		values = append(values, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	var renamed []any
	for _, v := range values {
		if r := redact(v); r != v {
			renamed = append(renamed, v, r)
		}
	}
	if len(renamed) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE redacted_links (stored VARCHAR, redacted VARCHAR)`); err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	for i := 0; i < len(renamed); i += 2 * 500 {
		part := renamed[i:min(i+2*500, len(renamed))]
		tuples := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(part)/2), ", ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO redacted_links VALUES `+tuples, part...); err != nil {
			return fmt.Errorf("%s.%s: %w", table, column, err)
		}
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %[1]q SET %[2]q = l.redacted FROM redacted_links l WHERE %[1]q.%[2]q = l.stored;
		DROP TABLE redacted_links`, table, column))
	if err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	return nil
}
