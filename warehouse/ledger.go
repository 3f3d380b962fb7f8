package warehouse

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

// Run statuses, the values of runs.status.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunPartial   = "partial" // some sources or files failed, a publication or the snapshot was not written
	RunFailed    = "failed"  // nothing of the run is in the warehouse
	// RunSkipped is a scheduled tick that could not take the writer lock
	// (or open the warehouse) within lock_timeout: it did nothing.
	RunSkipped = "skipped"
)

// Run is one row of the runs ledger.
type Run struct {
	ID              int64
	StartedAt       time.Time // naive local time
	FinishedAt      time.Time
	Status          string // one of the Run* statuses
	Trigger         string // manual, schedule
	FilesNew        int
	FilesFailed     int
	RowsRead        int64
	RowsLoaded      int64
	RowsQuarantined int64
	RowsSuperseded  int64
	Message         string
	Host            string
	PID             int
	// PublishTried is set once the run got to publishing: Unpublished is
	// then its record of what it left unwritten (runs.unpublished; a run
	// that did not get there leaves NULL, so the pending list of the last
	// run that did stands).
	PublishTried bool
	// Unpublished are the periods whose publications the run failed to
	// write, and PendingLake when publish.lake was not brought up to date:
	// the next run writes them again (PendingPublications).
	Unpublished []string
}

// PendingLake stands for publish.lake in runs.unpublished.
const PendingLake = "lake"

// StartRun assigns r.ID and records the run as running. It commits at
// once, so a run that dies leaves a trace the next run can close.
func (w *Warehouse) StartRun(ctx context.Context, r *Run) error {
	r.Status = RunRunning
	err := w.db.QueryRowContext(ctx, `INSERT INTO runs (run_id, started_at, status, trigger, host, pid)
		SELECT coalesce(max(run_id), 0) + 1, ?, 'running', ?, ?, ? FROM runs RETURNING run_id`,
		r.StartedAt, r.Trigger, r.Host, r.PID).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("runs: start: %w", CheckDiskFull(err, w.path))
	}
	return nil
}

// FinishRun records the outcome of r.
func (w *Warehouse) FinishRun(ctx context.Context, r *Run) error {
	_, err := w.db.ExecContext(ctx, `UPDATE runs SET finished_at = ?, status = ?, files_new = ?, files_failed = ?,
		rows_read = ?, rows_loaded = ?, rows_quarantined = ?, rows_superseded = ?, message = ?, unpublished = ? WHERE run_id = ?`,
		r.FinishedAt, r.Status, r.FilesNew, r.FilesFailed, r.RowsRead, r.RowsLoaded, r.RowsQuarantined, r.RowsSuperseded,
		nullString(r.Message), unpublished(r), r.ID)
	if err != nil {
		return fmt.Errorf("runs: finish %d: %w", r.ID, CheckDiskFull(err, w.path))
	}
	return nil
}

// unpublished is r's runs.unpublished: NULL when it did not publish.
func unpublished(r *Run) any {
	if !r.PublishTried {
		return nil
	}
	return strings.Join(r.Unpublished, ",")
}

// PendingPublications are the publications that the last run to publish
// failed to write (its runs.unpublished): periods, and PendingLake. The
// next run writes them again, even when it loads nothing, as it writes
// every period again after a run that died while publishing
// (CloseAbandonedRuns).
func (w *Warehouse) PendingPublications(ctx context.Context) ([]string, error) {
	var s string
	err := w.db.QueryRowContext(ctx, `SELECT unpublished FROM runs WHERE unpublished IS NOT NULL AND status <> 'running'
		ORDER BY run_id DESC LIMIT 1`).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && s == "") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("runs: pending publications: %w", err)
	}
	return strings.Split(s, ","), nil
}

// Abandoned counts the runs CloseAbandonedRuns closed.
type Abandoned struct {
	RolledBack int64 // died before committing: nothing of theirs is in
	Committed  int64 // died after committing, while publishing
}

// CloseAbandonedRuns closes runs still "running" (their process died: the
// caller holds the writer lock, so no other run is alive). One that died
// before its commit is failed and its changes were rolled back; one that
// died after it is partial: its data is in, its publications may be
// missing, and the caller should write them again.
func (w *Warehouse) CloseAbandonedRuns(ctx context.Context, now time.Time) (Abandoned, error) {
	var a Abandoned
	// "Died" includes a run that could not record its own end: on a full
	// disk the failed commit rolls back, and the write of its failed
	// status can fail too.
	res, err := w.db.ExecContext(ctx, `UPDATE runs SET status = 'failed', finished_at = ?,
		message = 'abandoned: the run did not record its end (its process died, or the warehouse could not be written, e.g. a full disk) before its data committed; its changes were rolled back'
		WHERE status = 'running' AND committed_at IS NULL`, now)
	if err != nil {
		return a, fmt.Errorf("runs: close abandoned: %w", err)
	}
	a.RolledBack, _ = res.RowsAffected()
	res, err = w.db.ExecContext(ctx, `UPDATE runs SET status = 'partial', finished_at = ?,
		message = 'abandoned after its data committed: the process died while publishing; the next run wrote the publications again'
		WHERE status = 'running' AND committed_at IS NOT NULL`, now)
	if err != nil {
		return a, fmt.Errorf("runs: close abandoned: %w", err)
	}
	a.Committed, _ = res.RowsAffected()
	return a, nil
}

// KnownFile is what the ledger knows about a file version.
type KnownFile struct {
	SHA256 string
	Status string
	// ErrorKind of a failed version: ErrorTransient or ErrorContent ("" is
	// read as content: rows written before the kind was recorded).
	ErrorKind string
}

// Failure kinds of a failed file (source_files.error_kind).
const (
	// ErrorTransient is a failure that can pass by itself (unreadable,
	// locked, changed while read): every run retries the file.
	ErrorTransient = "transient"
	// ErrorContent is a failure of the file's content: the same bytes
	// would fail again, so the file waits for a new version.
	ErrorContent = "content"
)

// currentRow selects, among a path's ledger rows, those that can be its
// current version: a version whose content is unknown (a fetch that
// failed, a file that could not be read whole: file_sha256
// 'unavailable') is not one, or a single failed download would make the
// version read before it look replaced.
const currentRow = `file_sha256 <> 'unavailable'`

// LookupFile finds the current (latest) ledger entry of (source, path)
// when it has the given size and modification time, so unchanged files
// are skipped without hashing them. An earlier version of the path with
// that size and time does not count: a file reverted to an earlier
// version's bytes is a new reading, and it wins over the newer version.
func (w *Warehouse) LookupFile(ctx context.Context, source, path string, size int64, mod time.Time) (KnownFile, bool, error) {
	var k KnownFile
	var kind sql.NullString
	err := w.db.QueryRowContext(ctx, `SELECT file_sha256, status, error_kind FROM (
		SELECT file_sha256, status, error_kind, size, modified_at FROM source_files
		WHERE source = ? AND path = ? AND `+currentRow+` ORDER BY last_run_id DESC LIMIT 1) WHERE size = ? AND modified_at = ?`,
		source, path, size, mod).Scan(&k.SHA256, &k.Status, &kind)
	k.ErrorKind = kind.String
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("source_files: %w", err)
	}
	return k, true, nil
}

// Current is the current version of (source, path): its latest ledger row
// whose content is known (currentRow); known is false for a path the
// ledger has never read.
func (w *Warehouse) Current(ctx context.Context, source, path string) (k KnownFile, known bool, err error) {
	var kind sql.NullString
	err = w.db.QueryRowContext(ctx, `SELECT file_sha256, status, error_kind FROM source_files
		WHERE source = ? AND path = ? AND `+currentRow+` ORDER BY last_run_id DESC LIMIT 1`,
		source, path).Scan(&k.SHA256, &k.Status, &kind)
	k.ErrorKind = kind.String
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("source_files: %w", err)
	}
	return k, true, nil
}

// LoadedHash reports whether content with this hash was ever loaded for
// the source, under any path. A path the ledger has never read whose
// content is such (a copied, renamed or rotated export, a backup dropped
// beside the exports) is not new: it is skipped, even when the path it
// was loaded from has a newer version since, or a rotated copy would put
// old data back. A path the ledger knows is compared with its own current
// version instead (Current): a file reverted there is read again.
func (w *Warehouse) LoadedHash(ctx context.Context, source, sha string) (bool, error) {
	return w.loaded(ctx, `file_sha256 = ?`, source, sha)
}

// LoadedSize reports whether the source has a loaded file version of
// exactly size bytes. Content with a given hash has one size, so when it
// has none, no content of this size can be a loaded copy nor a path's
// current version (LoadedHash and Current would not match) and the run
// need not hash the file before decoding it.
func (w *Warehouse) LoadedSize(ctx context.Context, source string, size int64) (bool, error) {
	return w.loaded(ctx, `size = ?`, source, size)
}

// loaded reports whether a loaded version of the source's files matches
// cond (on one argument).
func (w *Warehouse) loaded(ctx context.Context, cond, source string, arg any) (bool, error) {
	var n int
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM source_files WHERE source = ? AND `+cond+` AND status = 'loaded'`,
		source, arg).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("source_files: %w", err)
	}
	return n > 0, nil
}

// FileResult is one file version processed by a run, as recorded in
// source_files. Commit fills the row counts it computes.
type FileResult struct {
	Seq      int32
	Source   string
	Path     string
	Size     int64
	ModTime  time.Time // UTC
	SHA256   string
	Format   string
	Encoding string
	Status   string // loaded | failed
	Error    string
	// Dataset is the source's dataset (datasets.ByName: "" is the default).
	Dataset string
	// ErrorKind of a failed file: ErrorTransient or ErrorContent.
	ErrorKind string
	Mapping   transforms.Mapping
	// HTTP validators of this version, for the next conditional request.
	ETag, LastModified string

	// Fingerprints of the unit registry and of the source's header mapping
	// the file is loaded under (transforms.Overrides.Fingerprint).
	UnitsSHA256, MappingSHA256 string
	// Retry marks a file version the ledger already holds, read again
	// because rows it had quarantined for a reason a registry or mapping
	// change can cure may load now. Commit then replaces its quarantine
	// rows by those of its new reading, its dataset's merge SQL the rows
	// it loaded (dossiers: a version from a file first loaded later still
	// wins), and updates its ledger row.
	Retry bool
	// FirstRunID is the run that first loaded a retried version (or
	// first read a FailedBefore one): its place among the files when
	// versions of a row compete.
	FirstRunID int64
	// FailedBefore marks a version that failed whole in an earlier run,
	// read again because a registry or mapping change may cure it. Nothing
	// of it was loaded, so it loads like a new file (Retry is false), but
	// it ranks among the files by FirstRunID as a retried version does: a
	// file first loaded after it keeps its rows (sql/merge).
	FailedBefore bool
	// PrevQuarantined is a retried version's quarantined count before.
	PrevQuarantined int64

	RowsRead        int64 // set by the caller: rows the decoder delivered
	RowsLoaded      int64 // set by Commit
	RowsQuarantined int64 // set by Commit
	RowsSuperseded  int64 // set by Commit
	// ValuesMasked counts the file's cells stored with personal data
	// masked (transforms.Mapper.Masked); set by the caller.
	ValuesMasked int64
	// RowsDuplicate counts, among RowsQuarantined, earlier rows whose key
	// a later row of the same file repeats (reason code duplicate_in_file,
	// set by Commit).
	RowsDuplicate int64
	// RowsRecovered counts the rows of a retried version that left
	// quarantine (set by Commit).
	RowsRecovered int64
}

// RetryFile is a loaded file version whose curable quarantined rows may
// load under the current registry or mapping.
type RetryFile struct {
	SHA256      string
	FirstRunID  int64
	Quarantined int64
	// Failed: the version failed as a whole (no dossier code column, above
	// max_reject_rate, ...); it is attempted again like a new file ranked
	// by FirstRunID, the run that first read it (FileResult.FailedBefore).
	Failed bool
}

// RetryCandidates lists, by path, the current file versions of source
// holding rows quarantined as unknown_unit, ambiguous_unit or
// before_unit_valid_from while loaded under another unit
// registry than unitsSHA, or as unknown_header under another header mapping
// than mappingSHA, and those that failed whole under another registry or
// mapping (a header or unit problem may be cured). Versions recorded before
// fingerprints were are not listed.
func (w *Warehouse) RetryCandidates(ctx context.Context, source, unitsSHA, mappingSHA string) (map[string]RetryFile, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT f.path, f.file_sha256, f.first_run_id, f.rows_quarantined, f.status = 'failed' FROM source_files f
		WHERE f.source = $1 AND f.units_sha256 IS NOT NULL
		  AND f.last_run_id = (SELECT max(g.last_run_id) FROM source_files g WHERE g.source = f.source AND g.path = f.path AND g.`+currentRow+`)
		  AND ((f.status = 'loaded' AND EXISTS (SELECT 1 FROM quarantine q WHERE q.source = f.source AND q.source_file = f.path AND q.file_sha256 = f.file_sha256
		    AND ((q.reason_code IN ('unknown_unit', 'ambiguous_unit', 'before_unit_valid_from') AND f.units_sha256 <> $2)
		      OR (q.reason_code = 'unknown_header' AND f.mapping_sha256 <> $3))))
		    OR (f.status = 'failed' AND (f.units_sha256 <> $2 OR f.mapping_sha256 <> $3)))`, source, unitsSHA, mappingSHA)
	if err != nil {
		return nil, fmt.Errorf("source_files: retry candidates of %s: %w", source, err)
	}
	defer rows.Close()
	out := map[string]RetryFile{}
	for rows.Next() {
		var p string
		var r RetryFile
		if err := rows.Scan(&p, &r.SHA256, &r.FirstRunID, &r.Quarantined, &r.Failed); err != nil {
			return nil, err
		}
		out[p] = r
	}
	return out, rows.Err()
}

// Stage collects a run's staged rows, one temporary table per dataset
// (datasets.Dataset.StageTable), on one pinned connection, outside any
// transaction, so that a file failing half-way is simply not staged;
// Commit then merges every dataset at once. Not safe for concurrent use;
// Close drops the stage.
type Stage struct {
	conn *sql.Conn
	path string // the warehouse file, to name its disk when it is full
	// staged are the datasets with a stage table, in the order first
	// staged (see LoadDataset).
	staged map[string]*datasets.Dataset
	order  []string
	// inTx: the run's transaction is open on conn (BeginDirect, or
	// Commit's own); direct is set by BeginDirect.
	inTx   bool
	direct *directRun
	// memoryLimit is the warehouse's configured memory_limit; lowered:
	// a direct load runs under a lower one (memory.go).
	memoryLimit string
	lowered     bool
	goMem       goMemory
}

// NewStage pins a connection for the stage; each dataset's stage table is
// created when its first file is staged.
func (w *Warehouse) NewStage(ctx context.Context) (*Stage, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &Stage{conn: conn, path: w.path, staged: map[string]*datasets.Dataset{}, memoryLimit: w.memoryLimit}, nil
}

// Close drops the stage and returns the connection to the pool; a run's
// transaction still open (BeginDirect, nothing committed) rolls back.
func (s *Stage) Close() error {
	if s.inTx {
		_, _ = s.conn.ExecContext(context.Background(), "ROLLBACK")
		s.inTx = false
	}
	_ = s.restoreMemory(context.Background())
	s.dropDatasets()
	return s.conn.Close()
}

// SourceStatus is one source's outcome in a run, for source_status.
type SourceStatus struct {
	Source string
	OK     bool   // listed and every file fetched
	Error  string // why not, when !OK
	// NewFiles counts the new file versions the source delivered in the
	// run (loaded or failed): source_status.last_new_file_at moves then.
	NewFiles int
}

// CommitInput is everything a run commits.
type CommitInput struct {
	RunID    int64
	LoadedAt time.Time // naive local time of the run start
	Units    []units.Unit
	Files    []*FileResult
	Sources  []SourceStatus
	// CommittedAt is recorded in runs inside the transaction (naive local).
	CommittedAt time.Time
	// Freshness marks a source stale in source_status when its last new
	// file is older than this before LoadedAt; 0 turns the mark off.
	Freshness time.Duration
	// FullRefresh empties every dataset's tables, quarantine and
	// source_files first, so the run's files rebuild them from scratch.
	FullRefresh bool
	// AfterFile, when not nil, is called after each file's ledger row is
	// written; tests inject failures and pauses here.
	AfterFile func(i int) error
	// Model, when not nil, rebuilds derived tables on the same connection,
	// in a transaction of its own after the data's (see Commit).
	Model func(ctx context.Context, c *sql.Conn) error
	// ModelCode is recorded with a model that commits (runs.model_code):
	// the code that built it (model.CodeStamp).
	ModelCode string
}

// Commit applies the staged rows in one transaction: the unit registry is
// replaced, every registered dataset's merge SQL merges its staged rows
// (for dossiers: each dossier code's latest staged version replaces the
// warehouse's), rejected rows go to quarantine, every file gets its
// source_files row with reconciled counts and every source its
// source_status row. Any error there rolls the whole run back, leaving
// every table as it was.
//
// Then, when in.Model is set, the model is rebuilt in a second
// transaction. The data are committed first because DuckDB reads rows
// inserted by a transaction that has not committed yet far slower (the
// model over a fresh 1M-row load took 13.7 s in the load's transaction,
// 8.9 s after its commit). Until the model commits, the run's
// runs.modelled is NULL ("model pending"): a model that fails, or a
// process killed while it runs, leaves the data committed and the model
// as it was, and the next run sees the pending model (ModelPending) and
// rebuilds it whole. Such an error is a *ModelError.
func (s *Stage) Commit(ctx context.Context, in CommitInput) error {
	if err := s.commitData(ctx, in); err != nil {
		return err
	}
	if in.Model == nil {
		return nil
	}
	if err := s.commitModel(ctx, in); err != nil {
		return &ModelError{Err: CheckDiskFull(err, s.path)}
	}
	return nil
}

// ModelError is a model that failed after the run's data committed.
type ModelError struct{ Err error }

func (e *ModelError) Error() string {
	return "model not rebuilt (the run's data is committed; the next run rebuilds the model): " + e.Err.Error()
}

func (e *ModelError) Unwrap() error { return e.Err }

// ModelPending reports whether a run committed data whose model never
// committed (runs.modelled NULL after the last modelled run): the next
// model must then be a full rebuild, the changes it would have rebuilt
// from being gone.
func (w *Warehouse) ModelPending(ctx context.Context) (bool, error) {
	var n int
	if err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE committed_at IS NOT NULL AND modelled IS NULL
		AND run_id > coalesce((SELECT max(run_id) FROM runs WHERE modelled), 0)`).Scan(&n); err != nil {
		return false, fmt.Errorf("runs: %w", err)
	}
	return n > 0, nil
}

// commitModel runs in.Model in its own transaction and marks the run
// modelled; on error the model's tables stay as they were.
func (s *Stage) commitModel(ctx context.Context, in CommitInput) (err error) {
	c := s.conn
	if _, err := c.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			for _, q := range mergeCleanup() {
				_, _ = c.ExecContext(context.WithoutCancel(ctx), q)
			}
		}
	}()
	if err := in.Model(ctx, c); err != nil {
		return err
	}
	// The merges' change tables are the model's input: dropped only now.
	for _, q := range mergeCleanup() {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := c.ExecContext(ctx, `UPDATE runs SET modelled = true, model_code = nullif(?, '') WHERE run_id = ?`, in.ModelCode, in.RunID); err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	_, err = c.ExecContext(ctx, "COMMIT")
	return err
}

func (s *Stage) commitData(ctx context.Context, in CommitInput) (err error) {
	runID, loadedAt, files := in.RunID, in.LoadedAt, in.Files
	c := s.conn
	exec := func(q string, args ...any) error {
		_, err := c.ExecContext(ctx, q, args...)
		return err
	}
	if s.direct != nil && s.direct.err != nil {
		return fmt.Errorf("commit: %w", s.direct.err)
	}
	if !s.inTx {
		if err := exec("BEGIN TRANSACTION"); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		s.inTx = true
	}
	if in.FullRefresh && s.direct != nil {
		return errors.New("commit: a full refresh cannot commit a direct load (BeginDirect)")
	}
	defer func() {
		if err != nil {
			// A cancelled run (signal) must still roll back: not with ctx.
			_, _ = c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			err = CheckDiskFull(err, s.path)
		}
		s.inTx = false
	}()
	// The merge and the model need the configured memory_limit.
	if err := s.restoreMemory(ctx); err != nil {
		return err
	}
	if err := replaceUnits(ctx, c, in.Units); err != nil {
		return err
	}
	if in.FullRefresh {
		for _, t := range append([]string{"quarantine", "source_files"}, datasetTables()...) {
			if err := exec("DELETE FROM " + t); err != nil {
				return fmt.Errorf("commit: full refresh: %w", err)
			}
		}
	}
	if err := replaceQuarantine(ctx, c, files); err != nil {
		return err
	}
	if err := stageFiles(ctx, c, runID, files); err != nil {
		return err
	}
	if err := s.mergeDatasets(ctx, c, runID, loadedAt, files); err != nil {
		return err
	}
	for i, f := range files {
		if err := writeFileRow(ctx, c, runID, f); err != nil {
			return err
		}
		if in.AfterFile != nil {
			if err := in.AfterFile(i); err != nil {
				return fmt.Errorf("commit: after file %s: %w", f.Path, err)
			}
		}
	}
	for _, st := range in.Sources {
		if err := writeSourceStatus(ctx, c, runID, loadedAt, in.Freshness, st); err != nil {
			return err
		}
	}
	if in.Model == nil {
		// No model reads the merges' change tables.
		for _, q := range mergeCleanup() {
			if err := exec(q); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
		}
	}
	// modelled NULL: the model is pending until its own commit.
	if _, err := c.ExecContext(ctx, `UPDATE runs SET committed_at = ?, modelled = CASE WHEN ? THEN NULL ELSE false END WHERE run_id = ?`,
		in.CommittedAt, in.Model != nil, runID); err != nil {
		return fmt.Errorf("commit: runs: %w", err)
	}
	if err := exec("COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// replaceQuarantine deletes the quarantined rows of earlier versions of the
// files this run loaded: a corrected re-export (same source and path, new
// content) replaces its predecessor's rejected rows, as its valid rows replace
// the predecessor's. A file reverted to a version read before (v1, v2, v1
// again) is a new reading: its rows of that earlier reading go too, or
// they would be counted twice. A retried version's own rows are replaced
// by its dataset's merge (mergeDatasets). A file that failed to load keeps
// its predecessor's rejected rows, as it keeps its valid ones.
func replaceQuarantine(ctx context.Context, c *sql.Conn, files []*FileResult) error {
	for _, f := range files {
		if f.Status != "loaded" {
			continue
		}
		keep := "" // a new reading: every earlier row of the path goes
		if f.Retry {
			keep = f.SHA256
		}
		if _, err := c.ExecContext(ctx, `DELETE FROM quarantine WHERE source = ? AND source_file = ? AND file_sha256 IS DISTINCT FROM ?`,
			f.Source, f.Path, keep); err != nil {
			return fmt.Errorf("commit: quarantine of earlier versions of %s: %w", f.Path, err)
		}
	}
	return nil
}

// countFiles fills the counts of a dataset's loaded files, staged in
// table stage of which current holds the valid rows kept, and checks that
// they reconcile: read = loaded + quarantined + superseded, where
// superseded are valid rows whose key a later row took over. In a direct
// load valid holds the valid rows appended per file (the stage holds the
// quarantined rows only, and the duplicates within a file the merge moved
// there from the table).
func countFiles(ctx context.Context, c *sql.Conn, stage, current string, files []*FileResult, valid map[int32]int64) error {
	type counts struct{ staged, valid, bad, current, dup int64 }
	got := map[int32]*counts{}
	at := func(seq int32) *counts {
		if got[seq] == nil {
			got[seq] = &counts{}
		}
		return got[seq]
	}
	rows, err := c.QueryContext(ctx, `SELECT file_seq, count(*), count(*) FILTER (q_reason IS NULL),
		count(*) FILTER (q_reason IS NOT NULL), count(*) FILTER (q_reason_code = 'duplicate_in_file')
		FROM `+stage+` GROUP BY file_seq`)
	if err != nil {
		return fmt.Errorf("commit: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int32
		var k counts
		if err := rows.Scan(&seq, &k.staged, &k.valid, &k.bad, &k.dup); err != nil {
			return err
		}
		*at(seq) = k
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cur, err := c.QueryContext(ctx, `SELECT file_seq, count(*) FROM `+current+` GROUP BY file_seq`)
	if err != nil {
		return fmt.Errorf("commit: counts: %w", err)
	}
	defer cur.Close()
	for cur.Next() {
		var seq int32
		var n int64
		if err := cur.Scan(&seq, &n); err != nil {
			return err
		}
		at(seq).current = n
	}
	if err := cur.Err(); err != nil {
		return err
	}
	for seq, n := range valid {
		// The duplicates moved to the stage were appended as valid.
		k := at(seq)
		k.staged += n - k.dup
		k.valid += n - k.dup
	}
	for _, f := range files {
		if f.Status != "loaded" {
			continue
		}
		k := got[f.Seq]
		if k == nil {
			k = &counts{}
		}
		if k.staged != f.RowsRead {
			return fmt.Errorf("tệp %s: đọc được %d dòng nhưng có %d dòng trong vùng tạm; không nạp tệp mà số dòng không khớp, đây là lỗi của cchc, hãy báo kèm tệp này (commit: %d rows read but %d staged: refusing to load an unreconciled file)",
				f.Path, f.RowsRead, k.staged, f.RowsRead, k.staged)
		}
		// A retried version's current rows are all of its new reading:
		// its earlier rows were unloaded or replaced by the merge.
		f.RowsLoaded, f.RowsQuarantined, f.RowsSuperseded, f.RowsDuplicate = k.current, k.bad, k.valid-k.current, k.dup
	}
	return nil
}

// recovered sets RowsRecovered of each retried file of a dataset staged
// in table stage: its rows in quarantine that its new reading finds valid.
func recovered(ctx context.Context, c *sql.Conn, stage string, files []*FileResult) error {
	rows, err := c.QueryContext(ctx, `SELECT f.file_seq, count(*) FROM quarantine q
		JOIN stage_files f ON f.retry AND q.source = f.source AND q.source_file = f.path AND q.file_sha256 = f.sha
		JOIN `+stage+` s ON s.file_seq = f.file_seq AND s.source_row = q.source_row
		WHERE s.q_reason IS NULL GROUP BY f.file_seq`)
	if err != nil {
		return fmt.Errorf("commit: recovered rows: %w", err)
	}
	defer rows.Close()
	n := map[int32]int64{}
	for rows.Next() {
		var seq int32
		var k int64
		if err := rows.Scan(&seq, &k); err != nil {
			return err
		}
		n[seq] = k
	}
	for _, f := range files {
		if f.Retry {
			f.RowsRecovered = n[f.Seq]
		}
	}
	return rows.Err()
}

// stageFiles records the run's loaded files for the merge SQL
// (datasets.Dataset.Merge): their dataset, the header of the column mapped
// to the dataset's first key column (for quarantine reasons naming it),
// whether they are retried versions and the run each ranks by among the
// files (rank_run_id): this run for a new file, FirstRunID for one read
// again after a registry or mapping change (retried, or FailedBefore).
func stageFiles(ctx context.Context, c *sql.Conn, runID int64, files []*FileResult) error {
	if _, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE stage_files (file_seq INTEGER, key_header VARCHAR,
		retry BOOLEAN, first_run_id BIGINT, source VARCHAR, path VARCHAR, sha VARCHAR, dataset VARCHAR, rank_run_id BIGINT)`); err != nil {
		return fmt.Errorf("commit: stage_files: %w", err)
	}
	for _, f := range files {
		if f.Status != "loaded" {
			continue
		}
		d, err := datasets.ByName(f.Dataset)
		if err != nil {
			return fmt.Errorf("commit: file %s: %w", f.Path, err)
		}
		var header any
		for h, canon := range f.Mapping.Columns {
			if canon == d.Key[0] {
				header = h
			}
		}
		rank := runID
		if (f.Retry || f.FailedBefore) && f.FirstRunID > 0 {
			rank = f.FirstRunID
		}
		if _, err := c.ExecContext(ctx, `INSERT INTO stage_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.Seq, header, f.Retry, f.FirstRunID, f.Source, f.Path, f.SHA256, d.Name, rank); err != nil {
			return fmt.Errorf("commit: stage_files: %w", err)
		}
	}
	return nil
}

func writeFileRow(ctx context.Context, c *sql.Conn, runID int64, f *FileResult) error {
	mapped, _ := json.Marshal(f.Mapping.Columns)
	if f.Mapping.Columns == nil {
		mapped = nil
	}
	// A version read again as a new file (reverted to) ranks among the
	// files by this run, as any new file does: a later retry of it must
	// not rank by its first reading (sql/merge). A retried version, or
	// one that failed whole before, keeps its place: the run that first
	// read it.
	again := f.Status == "loaded" && !f.Retry && !f.FailedBefore
	res, err := c.ExecContext(ctx, `UPDATE source_files SET first_run_id = CASE WHEN ? THEN ? ELSE first_run_id END,
		last_run_id = ?, status = ?, error = ?, rows_read = ?,
		rows_loaded = ?, rows_quarantined = ?, rows_superseded = ?, format = ?, encoding = ?,
		columns_mapped = ?, columns_dropped = CAST(CAST(? AS JSON) AS VARCHAR[]), columns_unmapped = CAST(CAST(? AS JSON) AS VARCHAR[]),
		etag = ?, last_modified = ?, missing_columns = CAST(CAST(? AS JSON) AS VARCHAR[]), values_masked = ?, error_kind = ?, size = ?, modified_at = ?,
		units_sha256 = ?, mapping_sha256 = ?, rows_recovered = ?
		WHERE source = ? AND path = ? AND file_sha256 = ?`,
		again, runID, runID, f.Status, nullString(f.Error), f.RowsRead, f.RowsLoaded, f.RowsQuarantined, f.RowsSuperseded,
		nullString(f.Format), nullString(f.Encoding), nullBytes(mapped), stringList(f.Mapping.Dropped), stringList(f.Mapping.Unmapped),
		nullString(f.ETag), nullString(f.LastModified), missingList(f), f.ValuesMasked, nullString(f.ErrorKind), f.Size, f.ModTime,
		nullString(f.UnitsSHA256), nullString(f.MappingSHA256), f.RowsRecovered, f.Source, f.Path, f.SHA256)
	if err != nil {
		return fmt.Errorf("commit: source_files %s: %w", f.Path, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = c.ExecContext(ctx, `INSERT INTO source_files (source, path, size, modified_at, file_sha256, first_run_id,
		last_run_id, format, encoding, rows_read, rows_loaded, rows_quarantined, rows_superseded, status, error,
		columns_mapped, columns_dropped, columns_unmapped, etag, last_modified, missing_columns, values_masked, error_kind,
		units_sha256, mapping_sha256, rows_recovered)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(CAST(? AS JSON) AS VARCHAR[]), CAST(CAST(? AS JSON) AS VARCHAR[]), ?, ?,
		CAST(CAST(? AS JSON) AS VARCHAR[]), ?, ?, ?, ?, ?)`,
		f.Source, f.Path, f.Size, f.ModTime, f.SHA256, runID, runID, nullString(f.Format), nullString(f.Encoding),
		f.RowsRead, f.RowsLoaded, f.RowsQuarantined, f.RowsSuperseded, f.Status, nullString(f.Error),
		nullBytes(mapped), stringList(f.Mapping.Dropped), stringList(f.Mapping.Unmapped), nullString(f.ETag), nullString(f.LastModified),
		missingList(f), f.ValuesMasked, nullString(f.ErrorKind), nullString(f.UnitsSHA256), nullString(f.MappingSHA256), f.RowsRecovered)
	if err != nil {
		return fmt.Errorf("commit: source_files %s: %w", f.Path, err)
	}
	return nil
}

// missingList is the file's missing canonical columns as a JSON list, NULL
// for a file that was not read (failed before its header was mapped).
func missingList(f *FileResult) any {
	if f.Mapping.Columns == nil {
		return nil
	}
	return stringList(f.Mapping.Missing)
}

func writeSourceStatus(ctx context.Context, c *sql.Conn, runID int64, at time.Time, freshness time.Duration, st SourceStatus) error {
	var success, delivered any
	if st.OK {
		success = at
	}
	if st.NewFiles > 0 {
		delivered = at
	}
	res, err := c.ExecContext(ctx, `UPDATE source_status SET last_attempt_at = ?, last_success_at = coalesce(?, last_success_at),
		last_error = ?, last_run_id = ?, last_new_file_at = coalesce(?, last_new_file_at) WHERE source = ?`,
		at, success, nullString(st.Error), runID, delivered, st.Source)
	if err != nil {
		return fmt.Errorf("commit: source_status %s: %w", st.Source, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := c.ExecContext(ctx, `INSERT INTO source_status (source, last_attempt_at, last_success_at, last_error, last_run_id, last_new_file_at)
			VALUES (?, ?, ?, ?, ?, ?)`, st.Source, at, success, nullString(st.Error), runID, delivered); err != nil {
			return fmt.Errorf("commit: source_status %s: %w", st.Source, err)
		}
	}
	// Stale: no new file for longer than freshness (never one counts as
	// stale); freshness 0 turns the check off.
	if _, err := c.ExecContext(ctx, `UPDATE source_status SET stale = CAST(? AS BIGINT) > 0
		AND coalesce(last_new_file_at < CAST(? AS TIMESTAMP) - to_microseconds(CAST(? AS BIGINT)), true) WHERE source = ?`,
		freshness.Microseconds(), at, freshness.Microseconds(), st.Source); err != nil {
		return fmt.Errorf("commit: source_status %s: %w", st.Source, err)
	}
	return nil
}

// LastValidators returns the HTTP validators of the latest loaded version
// of (source, path), for a conditional request.
func (w *Warehouse) LastValidators(ctx context.Context, source, path string) (etag, lastModified string, err error) {
	var e, l sql.NullString
	err = w.db.QueryRowContext(ctx, `SELECT etag, last_modified FROM source_files WHERE source = ? AND path = ? AND status = 'loaded'
		ORDER BY last_run_id DESC LIMIT 1`, source, path).Scan(&e, &l)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("source_files: %w", err)
	}
	return e.String, l.String, nil
}

// unitRow is a unit as replaceUnits inserts it: an empty field null.
type unitRow struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Level     string   `json:"level"`
	Parent    *string  `json:"parent"`
	From      *string  `json:"from"`
	To        *string  `json:"to"`
	Successor *string  `json:"successor"`
	Aliases   []string `json:"aliases"`
}

// replaceUnits makes the units table the registry. A nightly run's
// registry is almost always the one the table already holds: then the
// table is left alone, since a delete and reinsert costs the commit's
// write-ahead log and rewrites the table at the next checkpoint.
func replaceUnits(ctx context.Context, c *sql.Conn, reg []units.Unit) error {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	rows := make([]unitRow, len(reg))
	for i, u := range reg {
		rows[i] = unitRow{u.Code, u.Name, u.Level, opt(u.ParentCode), unitDay(u.ValidFrom), unitDay(u.ValidTo), opt(u.SuccessorCode), u.Aliases}
		if len(u.Aliases) == 0 {
			rows[i].Aliases = nil
		}
	}
	same, err := unitsHold(ctx, c, rows)
	if err != nil {
		return fmt.Errorf("commit: units: %w", err)
	}
	if same {
		return nil
	}
	if _, err := c.ExecContext(ctx, "DELETE FROM units"); err != nil {
		return fmt.Errorf("commit: units: %w", err)
	}
	if len(reg) == 0 {
		return nil
	}
	// The registry as one JSON parameter: binding eight parameters per unit
	// took a quarter of a second of every run at 600 communes (one
	// statement per unit, half a second).
	body, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("commit: units: %w", err)
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO units
		SELECT j->>'code', j->>'name', j->>'level', j->>'parent', CAST(j->>'from' AS DATE), CAST(j->>'to' AS DATE),
			j->>'successor', CAST(j->'aliases' AS VARCHAR[])
		FROM (SELECT unnest(CAST(CAST(? AS JSON) AS JSON[])) AS j)`, string(body)); err != nil {
		return fmt.Errorf("commit: units: %w", err)
	}
	return nil
}

func unitDay(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := t.Format("2006-01-02")
	return &d
}

// unitsHold reports whether the units table holds exactly rows, in any
// order: every column, aliases included, and as many times. Each side is
// compared as the JSON the insert would be given, so a table equal to
// what the insert would make is equal here (DuckDB holds valid UTF-8
// only, which that JSON keeps byte for byte). Read and compared in Go:
// DuckDB's EXCEPT ALL both ways over 600 units took four to six times as
// long, more than the delete and insert it would spare (BENCHMARKS.md,
// "The nightly's merge, commits and publication traced again").
func unitsHold(ctx context.Context, c *sql.Conn, rows []unitRow) (bool, error) {
	want := make(map[string]int, len(rows))
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return false, err
		}
		want[string(b)]++
	}
	q, err := c.QueryContext(ctx, `SELECT unit_code, name, level, parent_code, valid_from, valid_to, successor_code,
		CAST(to_json(aliases) AS VARCHAR) FROM units`)
	if err != nil {
		return false, err
	}
	defer q.Close()
	n := 0
	for q.Next() {
		var r unitRow
		var parent, successor, aliases sql.NullString
		var from, to sql.NullTime
		if err := q.Scan(&r.Code, &r.Name, &r.Level, &parent, &from, &to, &successor, &aliases); err != nil {
			return false, err
		}
		if parent.Valid {
			r.Parent = &parent.String
		}
		if successor.Valid {
			r.Successor = &successor.String
		}
		if from.Valid {
			r.From = unitDay(&from.Time)
		}
		if to.Valid {
			r.To = unitDay(&to.Time)
		}
		if aliases.Valid {
			// A null alias is none the registry can give.
			var list []*string
			if err := json.Unmarshal([]byte(aliases.String), &list); err != nil {
				return false, err
			}
			r.Aliases = []string{}
			for _, a := range list {
				if a == nil {
					return false, nil
				}
				r.Aliases = append(r.Aliases, *a)
			}
		}
		b, err := json.Marshal(r)
		if err != nil {
			return false, err
		}
		if want[string(b)] == 0 {
			return false, nil
		}
		want[string(b)]--
		n++
	}
	return n == len(rows), q.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// stringList renders a []string as JSON for a `CAST(CAST(? AS JSON) AS
// VARCHAR[])` parameter: go-duckdb v1.8 cannot bind Go slices. Nil stays
// NULL.
func stringList(s []string) any {
	if len(s) == 0 {
		return nil
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// StaleSource is a source that delivered no new file for longer than
// freshness, as source_status recorded it in the latest run.
type StaleSource struct {
	Source      string
	LastNewFile *time.Time // naive local; nil when it never delivered one
}

// StaleSources lists the sources marked stale in source_status, by name.
func (w *Warehouse) StaleSources(ctx context.Context) ([]StaleSource, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT source, last_new_file_at FROM source_status WHERE stale ORDER BY source`)
	if err != nil {
		return nil, fmt.Errorf("source_status: %w", err)
	}
	defer rows.Close()
	var out []StaleSource
	for rows.Next() {
		var s StaleSource
		var t sql.NullTime
		if err := rows.Scan(&s.Source, &t); err != nil {
			return nil, fmt.Errorf("source_status: %w", err)
		}
		if t.Valid {
			s.LastNewFile = &t.Time
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
