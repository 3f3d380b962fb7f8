// Package datasets makes each kind of input a value (docs/contract.md, "Datasets"):
// a Dataset carries its stage schema, the parser that turns one decoded
// file into stage rows and row errors, its merge key and its merge SQL
// (sql/merge/<name>.sql). The pipeline and the warehouse iterate datasets
// without knowing any of them: a new dataset is a value here, its merge
// SQL under sql/merge and a migration for its tables, not edits across
// packages (docs/architecture.md, "Adding a dataset").
//
// Dossiers are streamed (millions of rows) through transforms.Mapper; the
// PAR datasets (scoring sheets, survey, adjustments) are small and read
// whole, because a scoring sheet is not row-independent (title rows, the
// tree, rule rows).
package datasets

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/sql"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

// Dataset is one kind of input.
type Dataset struct {
	Name string // the source's `dataset:`
	// Stage is the schema of the dataset's stage rows: its own columns,
	// then the provenance and quarantine columns every dataset shares
	// (see Tail).
	Stage *arrow.Schema
	// Key are the stage columns naming a row's identity: a later file's
	// row replaces an earlier one with the same key. The warehouse derives
	// the merge's flags from it (see Merge).
	Key []string
	// Merge is the dataset's merge SQL (sql/merge/<name>.sql), run in the
	// commit transaction on every commit (on an empty stage when the run
	// staged none of the dataset's files: it must then change nothing).
	// It reads the dataset's stage table, stage_files (the run's loaded
	// files: file_seq, key_header, retry, first_run_id, source, path, sha,
	// dataset, rank_run_id: the run a file ranks by, the run that first
	// read it for one read again after a registry or mapping change) and
	// merge_run (run_id, loaded_at), and leaves
	// CurrentTable(), a table or view of the staged valid rows it kept.
	// A statement after a comment line "-- when: <condition>" runs only
	// when the condition holds; a condition joins the flags duplicates (a
	// key repeats among the staged valid rows), duplicates_in_file (within
	// one file), retries (a file of the dataset is read again: a retried
	// version, or one that failed whole before) and existing (its first
	// table holds rows of earlier runs) with "and", "or" and "not" ("and"
	// binds tighter).
	Merge string
	// Tables are the warehouse tables the merge SQL writes (emptied by a
	// full refresh).
	Tables []string
	// Changes, when set, is a temporary table the merge SQL creates for
	// the model (what the run changed); the warehouse drops it after the
	// commit's model step.
	Changes string
	// Removed, when set, is a temporary table the merge SQL fills with the
	// whole rows it deleted from the dataset's tables (the model subtracts
	// what they counted); dropped with Changes.
	Removed string
	// Direct: in a run without retried files or full refresh, the
	// dataset's valid stage rows are appended to its first table at once,
	// inside the run's transaction, rather than staged and copied by the
	// merge (warehouse.Stage.BeginDirect): each row is written once. The
	// table then has the stage's own columns, the provenance columns
	// source, source_file, source_row and file_sha256, and run_id and
	// loaded_at; only the quarantined rows are staged.
	Direct bool
	// DirectMerge is the merge SQL of a direct load
	// (sql/merge/<name>_direct.sql): it gives the tables what Merge would
	// for the same rows, reading the run's valid rows from the first table
	// (run_id = {run_id}, a placeholder the warehouse replaces by the run's
	// id: DuckDB prunes a scan by a literal, not by a subquery on
	// merge_run; their file by source and source_file in
	// stage_files) and the quarantined ones from the stage table, and
	// leaves CurrentTable() with a file_seq column. Merge's flags apply
	// (never retries); a duplicate within a file it removes from the table
	// must be added to the stage table as a quarantined row.
	DirectMerge string
	// Parse reads one whole file into stage rows; nil for a streamed
	// dataset.
	Parse func(in Input) (*Parsed, error)
}

// Streamed reports whether the dataset's files are streamed in record
// batches by a Mapper (the pipeline's streaming path) rather than read
// whole by Parse.
func (d *Dataset) Streamed() bool { return d.Parse == nil }

// StageTable is the name of the dataset's temporary stage table.
func (d *Dataset) StageTable() string { return "stage_" + d.Name }

// CurrentTable is the temporary table the merge SQL leaves behind: the
// staged valid rows it kept (the others of the run are superseded).
func (d *Dataset) CurrentTable() string { return "current_" + d.Name }

// Input is one file to parse.
type Input struct {
	Path        string
	Decode      sources.DecodeOptions
	Units       *units.Registry
	DefaultUnit string // the source's unit:
	Period      string // the source's period:, may be empty
	Convention  string // periods convention (calendar, decree09)
	Source      string
	File        string // as recorded (redacted)
	SHA256      string
	FileSeq     int32
	// MaxRows bounds the rows read; 0 means DefaultMaxRows.
	MaxRows int
	// DataFed are the criterion codes the PAR methodology feeds from the
	// warehouse (model.PARData): a scoring-sheet leaf at or under one of
	// them is scored by the data, so an empty or impossible appraised cell
	// there is loaded as NULL with a warning instead of quarantining the
	// row (and making the unit incomplete).
	DataFed []string
	// Survey is the methodology's survey: code (model.PARMethodology):
	// the field with that code is the survey field, scored by the survey,
	// its empty leaves never quarantined. Empty: the field whose name
	// contains "điều tra xã hội học", as the model (50_par_criteria.sql)
	// finds it.
	Survey string
}

// dataFed reports whether the criterion code is at or under a data-fed code.
func (in Input) dataFed(code string) bool {
	for _, c := range in.DataFed {
		if code == c || strings.HasPrefix(code, c+".") {
			return true
		}
	}
	return false
}

// surveyByCode applies the methodology's survey: code to a sheet's
// nodes: with a code, the field bearing it is the survey field whatever
// its name, and no other field is, as the model (50_par_criteria.sql)
// takes the code alone; without one, the fields keep the marking by name.
func (in Input) surveyByCode(nodes []*Node) {
	if in.Survey == "" {
		return
	}
	var set func(n *Node, survey bool)
	set = func(n *Node, survey bool) {
		n.Survey = survey
		for _, c := range n.children {
			set(c, survey)
		}
	}
	for _, n := range nodes {
		if n.Depth == 1 {
			set(n, n.Code == in.Survey)
		}
	}
}

// DefaultMaxRows caps a PAR file: scoring sheets have a few hundred rows,
// survey and adjustment lists one per unit.
const DefaultMaxRows = 5000

// Parsed is what Parse found in one file.
type Parsed struct {
	Rows       [][]any // stage rows, aligned with the dataset's Stage schema
	Rejections []transforms.RowError
	Mapping    transforms.Mapping
	Format     string
	Encoding   string
	Digest     sources.Digest
	// Sheet is the scoring sheet read (par_appraisal), for validate and
	// the tree check across sheets.
	Sheet *Sheet
}

// RowsRead counts the file's records (stage rows, valid or quarantined).
func (p *Parsed) RowsRead() int64 { return int64(len(p.Rows)) }

// Tail are the provenance and quarantine columns every stage schema ends
// with (transforms.StageTail).
var Tail = transforms.StageTail

// DirectExcluded are the Tail columns a direct dataset's table has not
// (see Dataset.Direct). They must be the stage schema's last columns
// (Register checks): the direct insert reads the stream's other columns
// through go-duckdb's Arrow view, which misreads any projection but the
// schema's first columns (leaving out source and source_file gave each
// row's source_row from another column).
var DirectExcluded = []string{"file_seq", "q_reason", "q_column", "q_raw_value", "q_raw_record", "q_reason_code"}

// excludedLast reports whether s ends with the columns DirectExcluded, in
// that order.
func excludedLast(s *arrow.Schema) bool {
	n, k := s.NumFields(), len(DirectExcluded)
	if n < k {
		return false
	}
	for i, name := range DirectExcluded {
		if s.Field(n-k+i).Name != name {
			return false
		}
	}
	return true
}

// Reason codes of the PAR datasets' quarantined rows, next to the
// transforms.Code* ones they share (unknown_unit, unparseable_number).
const (
	CodeImpossibleScore = "impossible_score" // appraised points missing, negative or above the maximum; a rate outside 0–100; a negative bonus
	CodeBadPeriod       = "bad_period"
	CodeMissingPoints   = "missing_points"
	CodeMissingReason   = "missing_reason"
	CodeTwoAmounts      = "two_amounts" // bonus and penalty on one row
)

func schema(own ...arrow.Field) *arrow.Schema {
	return arrow.NewSchema(append(own, Tail...), nil)
}

// tail returns the tail values of a stage row.
func (in Input) tail(row int64, q *transforms.RowError, rawRecord string) []any {
	out := []any{in.Source, in.File, row, in.SHA256, in.FileSeq, nil, nil, nil, nil, nil}
	if q != nil {
		out[5], out[6], out[7] = q.Reason, nilIfEmpty(q.Column), nilIfEmpty(q.Raw)
		out[8], out[9] = nilIfEmpty(rawRecord), nilIfEmpty(q.Code)
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var registry = map[string]*Dataset{}

// Register adds a dataset; its merge SQL, when not given, is
// sql/merge/<name>.sql. The datasets of this package register themselves;
// a test may register one of its own (and unregister it when done).
func Register(d *Dataset) (*Dataset, error) {
	if _, dup := registry[d.Name]; dup || d.Name == "" {
		return nil, fmt.Errorf("dataset %q: name empty or already registered", d.Name)
	}
	if d.Stage == nil || len(d.Key) == 0 {
		return nil, fmt.Errorf("dataset %s: no stage schema or no key", d.Name)
	}
	if d.Merge == "" {
		m, err := sql.Merge(d.Name)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w", d.Name, err)
		}
		d.Merge = m
	}
	if d.Direct && d.DirectMerge == "" {
		m, err := sql.Merge(d.Name + "_direct")
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w", d.Name, err)
		}
		d.DirectMerge = m
	}
	if d.Direct && len(d.Tables) == 0 {
		return nil, fmt.Errorf("dataset %s: direct without a table", d.Name)
	}
	if d.Direct && !excludedLast(d.Stage) {
		return nil, fmt.Errorf("dataset %s: direct, but its stage schema does not end with %s", d.Name, strings.Join(DirectExcluded, ", "))
	}
	registry[d.Name] = d
	return d, nil
}

func register(d *Dataset) *Dataset {
	d, err := Register(d)
	if err != nil {
		panic(err)
	}
	return d
}

// Dossiers is the canonical dossier, streamed by transforms.Mapper; its
// merge keeps the latest version of each dossier code
// (sql/merge/dossiers.sql) and leaves dossier_changes and dossier_removed
// for the model.
var Dossiers = register(&Dataset{Name: "dossiers", Stage: transforms.StageSchema, Key: []string{"dossier_code"},
	Tables: []string{"dossiers"}, Changes: "dossier_changes", Removed: "dossier_removed", Direct: true})

// ByName returns the dataset of a source's `dataset:`.
func ByName(name string) (*Dataset, error) {
	if name == "" {
		name = "dossiers"
	}
	d, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown dataset %q (known: %s)", name, strings.Join(slices.Sorted(maps.Keys(registry)), ", "))
	}
	return d, nil
}

// All lists the datasets by name.
func All() []*Dataset {
	names := slices.Sorted(maps.Keys(registry))
	out := make([]*Dataset, len(names))
	for i, n := range names {
		out[i] = registry[n]
	}
	return out
}
