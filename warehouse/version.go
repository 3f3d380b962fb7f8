package warehouse

import (
	"context"
	"database/sql"
	"fmt"
)

// EngineVersion returns the version of the DuckDB library linked into this
// binary (e.g. "v1.1.2"), read from an in-memory database so that it needs
// no warehouse file and takes no lock.
func EngineVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return "", fmt.Errorf("duckdb: %w", err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, `SELECT version()`).Scan(&v); err != nil {
		return "", fmt.Errorf("duckdb: %w", err)
	}
	return v, nil
}
