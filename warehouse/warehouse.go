// Package warehouse opens the DuckDB file, applies the embedded migrations
// and loads Arrow record streams into it.
//
// One *Warehouse per file per process: DuckDB silently loses the writes of a
// second handle on the same file in one process (see docs/architecture.md), so
// callers open once and pass the handle down. A Warehouse is safe for
// concurrent use by several goroutines for queries; loads pin one connection.
package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/marcboeker/go-duckdb"

	cchcsql "github.com/cchc/cchc/sql"
)

// Warehouse is an open DuckDB file.
type Warehouse struct {
	db          *sql.DB
	path        string
	readOnly    bool
	memoryLimit string // Options.MemoryLimit
}

// Options for Open.
type Options struct {
	ReadOnly bool // open read-only; migrations are not applied
	// Sandboxed forbids SQL from touching other files (COPY ... TO,
	// ATTACH, read_csv): for analysts' ad-hoc queries.
	Sandboxed bool
	// MemoryLimit caps DuckDB's memory (e.g. "1GB"); beyond it DuckDB
	// spills to <warehouse>.tmp. Empty means DuckDB's default (80% of RAM).
	MemoryLimit string
}

// Open opens (creating if needed) the DuckDB file at path and, unless
// read-only, brings its schema up to date. The caller closes it.
func Open(ctx context.Context, path string, opts Options) (*Warehouse, error) {
	q := url.Values{}
	// No extension may be downloaded behind the operator's back: the same SQL
	// must behave the same with and without internet (docs/architecture.md).
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	// Every published query orders its rows, so insertion order is not
	// needed; dropping it saves a quarter of the load time and half the
	// memory (docs/architecture.md).
	q.Set("preserve_insertion_order", "false")
	if opts.ReadOnly {
		q.Set("access_mode", "read_only")
	}
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.Sandboxed {
		q.Set("enable_external_access", "false")
	}
	db, err := sql.Open("duckdb", path+"?"+q.Encode())
	if err == nil {
		if err = db.PingContext(ctx); err != nil {
			db.Close()
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock") {
			err = fmt.Errorf("%w: %w", ErrBusy, err)
		}
		return nil, fmt.Errorf("kho dữ liệu %s: không mở được (%w)", path, CheckDiskFull(err, path))
	}
	w := &Warehouse{db: db, path: path, readOnly: opts.ReadOnly, memoryLimit: opts.MemoryLimit}
	if !opts.ReadOnly {
		if err := w.migrate(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("kho dữ liệu %s: không cập nhật được cấu trúc bảng cho phiên bản cchc này (%w)", path, CheckDiskFull(err, path))
		}
	}
	return w, nil
}

// ErrBusy is returned (wrapped) by Open when another process has the file
// open in a way that excludes this one: DuckDB lets no other process open a
// file that a writer has open, and no writer open a file that any process
// has open.
var ErrBusy = errors.New("the warehouse file is open in another program")

// DB returns the database handle for queries.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Path returns the file path.
func (w *Warehouse) Path() string { return w.path }

// Close closes the database; a checkpoint writes the WAL into the file.
// A failed checkpoint (a full disk) loses nothing, since the committed
// changes stay in the WAL and are replayed at the next open, but it is
// returned: the file alone is not the warehouse then, and must not be
// copied as the snapshot.
func (w *Warehouse) Close() error {
	var err error
	if !w.readOnly {
		if _, cerr := w.db.Exec("CHECKPOINT"); cerr != nil {
			err = fmt.Errorf("kho dữ liệu %s: không chép được nhật ký ghi vào tệp, dữ liệu vẫn an toàn trong tệp .wal: giải phóng chỗ trống hoặc sửa lỗi rồi chạy lại, không xóa tệp .wal (checkpoint: %w)", w.path, CheckDiskFull(cerr, w.path))
		}
	}
	if cerr := w.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// migrate applies the migrations not yet recorded in schema_migrations:
// the embedded SQL ones and those in Go (goMigrations), in the order of
// their versions. DuckDB DDL is transactional, so each migration and its
// version row commit together and a half-applied migration cannot exist.
func (w *Warehouse) migrate(ctx context.Context) error {
	if _, err := w.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := w.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	names, err := fs.Glob(cchcsql.Migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	steps := map[int]goMigration{}
	for _, name := range names {
		base := filepath.Base(name)
		var version int
		if _, err := fmt.Sscanf(base, "%04d_", &version); err != nil {
			return fmt.Errorf("migration %s: name must start with a 4-digit version", base)
		}
		if _, twice := steps[version]; twice {
			return fmt.Errorf("migration %s: version %04d is taken", base, version)
		}
		steps[version] = goMigration{version, base, func(ctx context.Context, tx *sql.Tx) error {
			body, err := fs.ReadFile(cchcsql.Migrations, name)
			if err == nil {
				_, err = tx.ExecContext(ctx, string(body))
			}
			return err
		}}
	}
	for _, m := range goMigrations {
		if s, twice := steps[m.version]; twice {
			return fmt.Errorf("migration %s: version %04d is taken by %s", m.name, m.version, s.name)
		}
		steps[m.version] = m
	}
	versions := make([]int, 0, len(steps))
	for v := range steps {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for _, version := range versions {
		if applied[version] {
			continue
		}
		m := steps[version]
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := m.apply(ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)`, version, m.name); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// execDriver runs a statement on a driver connection (inside conn.Raw, where
// the Arrow view lives).
func execDriver(ctx context.Context, dc driver.Conn, query string) error {
	ex, ok := dc.(driver.ExecerContext)
	if !ok {
		return errors.New("driver connection cannot exec")
	}
	_, err := ex.ExecContext(ctx, query, nil)
	return err
}

// LoadArrow runs insert, an INSERT ... SELECT reading from the temporary
// view named view, over the stream rdr, on conn. The view is single-pass
// and lives on this one connection only, so register, insert and drop all
// happen here, in the order docs/architecture.md requires (insert, drop view,
// release). The reader is consumed; the caller still releases it.
func LoadArrow(ctx context.Context, conn *sql.Conn, rdr array.RecordReader, view, insert string) error {
	return conn.Raw(func(dc any) error {
		d, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		ar, err := duckdb.NewArrowFromConn(d)
		if err != nil {
			return err
		}
		release, err := ar.RegisterView(rdr, view)
		if err != nil {
			return fmt.Errorf("register arrow view: %w", err)
		}
		defer release()
		ierr := execDriver(ctx, d, insert)
		derr := execDriver(ctx, d, "DROP VIEW IF EXISTS "+view)
		if ierr != nil {
			return ierr
		}
		return derr
	})
}

// TableDDL renders the columns of an Arrow schema as DuckDB column
// definitions, for staging tables that mirror a record stream.
func TableDDL(s *arrow.Schema) (string, error) {
	cols := make([]string, 0, s.NumFields())
	for _, f := range s.Fields() {
		var t string
		switch f.Type.ID() {
		case arrow.STRING:
			t = "VARCHAR"
		case arrow.INT32:
			t = "INTEGER"
		case arrow.INT64:
			t = "BIGINT"
		case arrow.FLOAT64:
			t = "DOUBLE"
		case arrow.BOOL:
			t = "BOOLEAN"
		case arrow.TIMESTAMP:
			t = "TIMESTAMP"
		default:
			return "", fmt.Errorf("column %s: no DuckDB type for %s", f.Name, f.Type)
		}
		cols = append(cols, f.Name+" "+t)
	}
	return strings.Join(cols, ", "), nil
}

// LocalNow returns the current wall-clock time in loc as a naive timestamp
// (a time.Time in UTC carrying the local fields), the only kind of time the
// warehouse stores (docs/architecture.md: no ICU, no TIMESTAMPTZ).
func LocalNow(now time.Time, loc *time.Location) time.Time {
	return Naive(now.In(loc))
}

// Naive keeps t's wall-clock fields and drops its zone.
func Naive(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000*1000, time.UTC)
}
