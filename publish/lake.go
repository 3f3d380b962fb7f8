package publish

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LakeTable is one table of the lake (publish.lake): where it goes, how it
// is partitioned and the SQL that selects it from the warehouse. The list
// of tables is data (LakeTables), so a new model table joins the lake with
// one entry.
type LakeTable struct {
	// Name is the lake folder and the table's name for readers.
	Name string
	// Partitions are the Hive partition columns, outermost first; the
	// Select computes them (they are not columns of the warehouse table,
	// so readers drop them to get the table back). None: one folder.
	Partitions []string
	// Select gives the table's rows and the partition columns.
	Select string
	// Requires is the table that must exist for the entry to be
	// exported (tables other helpers add later: PAR); empty: always.
	Requires string
}

// periodKind is the kind of a period from its name (YYYY, YYYY-Qn,
// YYYY-H1|H2, YYYY-MM), so period tables partition without a join.
const periodKind = `CASE WHEN length(period) = 4 THEN 'year' WHEN period LIKE '%-Q%' THEN 'quarter' WHEN period LIKE '%-H%' THEN 'half' ELSE 'month' END`

// periodYear is the year in a period's name (under decree09, "2024" starts
// on 15 December 2023: the year is the period's, not the calendar's).
const periodYear = `CAST(left(period, 4) AS INTEGER)`

// LakeTables are the tables publish.lake writes. Partitions stay few and
// meaningful: a province's dossiers (100k–1M a year) by month received
// and level of the receiving unit (DESIGN's year=/month=/level=, so that
// a national roll-up of one level reads only its files), a few thousand
// to 100k rows a file; the period tables by year and kind of period, and
// the rankings also by level (the peer group, the unit of ranking). Units
// and periods are the model's other inputs, small, unpartitioned. Nothing
// but warehouse tables: no quarantine, no raw records. The PAR index's
// inputs (par_sheet_rows, par_sheets, par_survey_results,
// par_adjustment_rows) stay out: each unit's self-assessed and appraised
// points per criterion are in par_criterion_scores, its survey, bonus and
// penalty points in par_scores; the PAR model cannot be run again from
// the lake anyway (a unit's "chưa đủ dữ liệu" depends on the quarantine,
// which stays out); what the inputs would add is free text typed into
// the scoring sheets (evidence, notes, reasons), the survey's raw rate,
// bonus and penalty per reason, and load bookkeeping.
var LakeTables = []LakeTable{
	{Name: "units", Select: `SELECT * FROM units`},
	{Name: "periods", Select: `SELECT * FROM periods`},
	// level: the unit's current level in the registry (its latest row);
	// "unknown" for a unit the registry lacks.
	{Name: "dossiers", Partitions: []string{"year", "month", "level"},
		Select: `SELECT d.*, year(d.received_at) AS year, month(d.received_at) AS month, coalesce(u.level, 'unknown') AS level
			FROM dossiers d LEFT JOIN (SELECT unit_code, arg_max(level, coalesce(valid_from, DATE '1900-01-01')) AS level FROM units GROUP BY unit_code) u USING (unit_code)`},
	{Name: "dossier_stats", Partitions: []string{"year", "kind"},
		Select: `SELECT *, ` + periodYear + ` AS year, ` + periodKind + ` AS kind FROM dossier_stats`},
	{Name: "indicator_values", Partitions: []string{"year", "kind"},
		Select: `SELECT *, ` + periodYear + ` AS year, ` + periodKind + ` AS kind FROM indicator_values`},
	{Name: "index_scores", Partitions: []string{"year", "kind", "level"},
		Select: `SELECT *, ` + periodYear + ` AS year, ` + periodKind + ` AS kind, peer_group AS level FROM index_scores`},
	// The PAR index is assessed per year or half-year, like the service
	// index's periods.
	{Name: "par_criteria", Partitions: []string{"year", "kind", "level"}, Requires: "par_criteria",
		Select: `SELECT *, ` + periodYear + ` AS year, ` + periodKind + ` AS kind, peer_group AS level FROM par_criteria`},
	{Name: "par_criterion_scores", Partitions: []string{"year", "kind"}, Requires: "par_criterion_scores",
		Select: `SELECT *, ` + periodYear + ` AS year, ` + periodKind + ` AS kind FROM par_criterion_scores`},
	{Name: "par_scores", Partitions: []string{"year", "kind", "level"}, Requires: "par_scores",
		Select: `SELECT *, ` + periodYear + ` AS year, ` + periodKind + ` AS kind, peer_group AS level FROM par_scores`},
}

// LakeManifest is _cchc_manifest.json at the lake's root: for every table
// its schema and, per partition (its path under the table, "" for an
// unpartitioned table), the row count and a content hash computed in SQL.
// A run rewrites a partition only when its hash, or the table's schema,
// changed. The hash reads DOUBLE columns rounded to 9 decimals, so a
// partition whose numbers moved only in their last bits keeps its files
// (and those bits).
type LakeManifest struct {
	Tables map[string]LakeManifestTable `json:"tables"`
}

// LakeManifestTable is one table of the manifest.
type LakeManifestTable struct {
	Schema     string                   `json:"schema"`
	Partitions map[string]LakePartition `json:"partitions"`
}

// LakePartition is one partition of the manifest.
type LakePartition struct {
	Rows int64  `json:"rows"`
	Hash string `json:"hash"`
}

// LakeResult says what Lake did.
type LakeResult struct {
	Dir     string   // the lake
	Written []string // partition folders written (relative to the lake, "table/year=2024/month=3")
	Removed []string // partition folders removed (no rows any more, or of a former layout)
	Tables  []string // tables exported
	// Failed are, when Lake fails, the tables not brought up to date:
	// the one that failed and those after it.
	Failed []string
}

// ManifestName is the manifest's file name at the lake's root.
const ManifestName = "_cchc_manifest.json"

// Lake writes the lake at dir from the warehouse: each table of LakeTables
// whose Requires exists, as Hive-partitioned Parquet (zstd) under
// dir/<table>/<col>=<value>/..., only the partitions whose content changed
// since the manifest. Each partition is written whole into a temporary
// folder in dir (".lake-tmp-*"), its files and folders synced, and put
// in place by replaceDir: one rename for a new partition, an atomic
// exchange with the partition it replaces (removed after), so a reader
// sees the old partition or the new one, never half of one nor none
// (where the file system cannot exchange, the old one is renamed aside
// first: an instant without the folder). The folders whose entries
// changed are synced once each before the manifest names the result. A
// former layout's partitions (a table that gained a partition column)
// are replaced or removed, so that they are not read twice.
//
// The partitions on disk are the lake's truth, the manifest only what
// spares rewriting them: a partition folder on disk that has no rows any
// more is removed whether or not a manifest names it (one written by a
// run whose lake failed later, or a lost manifest's); and the manifest is
// written again after each table, with the entries of the partitions
// about to be replaced dropped first, so that an entry never vouches for
// a folder written after it. A run that fails or dies halfway leaves
// the next run a manifest that is right for every partition it names,
// and the next run writes the others again.
// Lake only reads the warehouse; db must be allowed to write files (not
// Sandboxed).
func Lake(ctx context.Context, db *sql.DB, dir string) (*LakeResult, error) {
	fail := func(err error) error {
		return fmt.Errorf("xuất bản lake %s: %w", dir, folderErr(err, "publish.lake"))
	}
	if dir == "" {
		return nil, fail(errors.New("chưa có thư mục lake: đặt publish.lake trong cấu hình (no lake folder)"))
	}
	created := dirSet{}
	if err := created.mkdirAll(dir); err != nil {
		return nil, fail(err)
	}
	if err := created.sync(); err != nil {
		return nil, fail(err)
	}
	if err := removeLakeLeftovers(dir); err != nil {
		return nil, fail(err)
	}
	old, err := readManifest(dir)
	if err != nil {
		return nil, fail(err)
	}
	// cur is the manifest on disk as the write goes on: the old one, each
	// table's entry replaced once the table is written.
	cur := LakeManifest{Tables: map[string]LakeManifestTable{}}
	for name, mt := range old.Tables {
		cur.Tables[name] = mt
	}
	save := func(m LakeManifest) error {
		_, err := writeFile(dir, ManifestName, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(m)
		})
		if err != nil {
			return err
		}
		return syncDir(dir) // the rename of the manifest survives a crash
	}
	next := LakeManifest{Tables: map[string]LakeManifestTable{}}
	res := &LakeResult{Dir: dir}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fail(err)
	}
	defer conn.Close()
	for _, t := range LakeTables {
		if t.Requires != "" {
			ok, err := tableExists(ctx, conn, t.Requires)
			if err != nil {
				return nil, fail(err)
			}
			if !ok {
				continue
			}
		}
		// Before a partition of the table is replaced, the manifest
		// stops vouching for it.
		dirty := func(parts []string) error {
			was, ok := cur.Tables[t.Name]
			if !ok {
				return nil
			}
			kept := LakeManifestTable{Schema: was.Schema, Partitions: map[string]LakePartition{}}
			for part, p := range was.Partitions {
				kept.Partitions[part] = p
			}
			for _, part := range parts {
				delete(kept.Partitions, part)
			}
			cur.Tables[t.Name] = kept
			return save(cur)
		}
		mt, err := lakeTable(ctx, conn, dir, t, old.Tables[t.Name], dirty, res)
		if err != nil {
			res.Failed = remainingTables(ctx, conn, t.Name)
			return res, fail(fmt.Errorf("%s: %w", t.Name, err))
		}
		next.Tables[t.Name] = mt
		res.Tables = append(res.Tables, t.Name)
		if was, ok := cur.Tables[t.Name]; !ok || was.Schema != mt.Schema || !maps.Equal(was.Partitions, mt.Partitions) {
			cur.Tables[t.Name] = mt
			if err := save(cur); err != nil {
				// The table is written; the manifest does not say so
				// yet: the next run writes it again.
				res.Failed = remainingTables(ctx, conn, t.Name)
				return res, fail(err)
			}
		}
	}
	if err := save(next); err != nil {
		res.Failed = []string{ManifestName}
		return res, fail(err)
	}
	sort.Strings(res.Written)
	sort.Strings(res.Removed)
	return res, nil
}

// remainingTables are the tables of LakeTables from name on that Lake
// exports (their Requires exists, as far as the warehouse can say).
func remainingTables(ctx context.Context, conn *sql.Conn, name string) []string {
	var out []string
	from := false
	for _, t := range LakeTables {
		from = from || t.Name == name
		if !from {
			continue
		}
		if t.Requires != "" && t.Name != name {
			if ok, err := tableExists(ctx, conn, t.Requires); err == nil && !ok {
				continue
			}
		}
		out = append(out, t.Name)
	}
	return out
}

func tableExists(ctx context.Context, conn *sql.Conn, name string) (bool, error) {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary`, name).Scan(&n)
	return n > 0, err
}

// lakeTable writes the changed partitions of one table and returns its
// manifest entry. Before it replaces any partition it calls dirty with
// the partitions it is about to replace.
func lakeTable(ctx context.Context, conn *sql.Conn, dir string, t LakeTable, old LakeManifestTable, dirty func([]string) error, res *LakeResult) (LakeManifestTable, error) {
	mt := LakeManifestTable{Partitions: map[string]LakePartition{}}
	cols, err := selectSchema(ctx, conn, t.Select)
	if err != nil {
		return mt, err
	}
	schema := make([]string, len(cols))
	hashArgs := make([]string, len(cols))
	for i, c := range cols {
		schema[i] = c.name + " " + c.typ
		hashArgs[i] = "t." + sqlIdent(c.name)
		if c.typ == "DOUBLE" || c.typ == "FLOAT" {
			// A rebuild of the same data sums doubles in another order
			// (DuckDB's parallel aggregates) and may differ in the last
			// bits, a score change of 0 may come out as 1e-14: compared
			// at 9 decimals (as the model's ranks compare totals), an
			// unchanged score is unchanged and its partition is not
			// rewritten. Rates, points and counts all fit 9 decimals.
			hashArgs[i] = "round(" + hashArgs[i] + ", 9)"
		}
	}
	mt.Schema = strings.Join(schema, ", ")
	// One pass gives every partition's key, rows and hash: the sum of the
	// rows' hashes (as HUGEINT, so that no two equal rows cancel out, as
	// they would under XOR) is independent of row order.
	keys := make([]string, len(t.Partitions))
	for i, c := range t.Partitions {
		keys[i] = fmt.Sprintf("CAST(%s AS VARCHAR)", sqlIdent(c))
	}
	keyList := "''"
	if len(keys) > 0 {
		parts := make([]string, len(keys))
		for i, c := range t.Partitions {
			parts[i] = sqlString(c+"=") + " || " + keys[i]
		}
		keyList = strings.Join(parts, " || '/' || ")
	}
	q := fmt.Sprintf(`SELECT %s AS part, count(*), CAST(sum(CAST(hash(%s) AS HUGEINT)) AS VARCHAR) FROM (%s) t GROUP BY ALL HAVING count(*) > 0 ORDER BY part`, keyList, strings.Join(hashArgs, ", "), t.Select)
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return mt, fmt.Errorf("partitions: %w", err)
	}
	for rows.Next() {
		var part sql.NullString
		var p LakePartition
		if err := rows.Scan(&part, &p.Rows, &p.Hash); err != nil {
			rows.Close()
			return mt, err
		}
		if !part.Valid || strings.ContainsAny(part.String, `\:`) || strings.Contains(part.String, "..") {
			rows.Close()
			return mt, fmt.Errorf("a partition value is empty or not a plain name: %q", part.String)
		}
		mt.Partitions[part.String] = p
	}
	if err := rows.Close(); err != nil {
		return mt, err
	}
	if err := rows.Err(); err != nil {
		return mt, err
	}

	tableDir := filepath.Join(dir, t.Name)
	var changed []string
	for part, p := range mt.Partitions {
		was, ok := old.Partitions[part]
		if ok && was == p && old.Schema == mt.Schema && isDir(filepath.Join(tableDir, part)) {
			continue
		}
		changed = append(changed, part)
	}
	sort.Strings(changed)
	// Gone: every partition folder on disk without rows, named by the
	// old manifest or not.
	onDisk, err := diskPartitions(tableDir, t.Partitions)
	if err != nil {
		return mt, err
	}
	var gone []string
	for _, part := range onDisk {
		if _, ok := mt.Partitions[part]; !ok {
			gone = append(gone, part)
		}
	}
	sort.Strings(gone)
	// A former layout's partitions (dossiers/year=2026/month=3 holding
	// Parquet files, now that dossiers is partitioned year=/month=/level=)
	// would count their rows twice next to the new ones below them. One
	// whose partitions are all about to be written is replaced whole by
	// them (swapped as a partition is); one without rows is removed;
	// one that also holds current partitions (a run died halfway through
	// the change) loses its files before the new ones are written.
	stale, err := staleLayout(tableDir, t.Partitions)
	if err != nil {
		return mt, err
	}
	isChanged := map[string]bool{}
	for _, part := range changed {
		isChanged[part] = true
	}
	var whole, emptied, dropped []string
	for _, pre := range stale {
		allNew, some := pre != "", false
		for part := range mt.Partitions {
			if pre == "" || strings.HasPrefix(part, pre+"/") {
				some = true
				allNew = allNew && isChanged[part]
			}
		}
		switch {
		case pre != "" && !some:
			dropped = append(dropped, pre)
		case allNew:
			whole = append(whole, pre)
		default:
			emptied = append(emptied, pre)
		}
	}
	if len(changed)+len(gone)+len(stale) > 0 {
		if err := dirty(append(append(append([]string(nil), changed...), gone...), stale...)); err != nil {
			return mt, err
		}
	}
	dirs := dirSet{}
	for _, pre := range emptied {
		if err := removeParquetFiles(filepath.Join(tableDir, pre)); err != nil {
			return mt, err
		}
		dirs.add(filepath.Join(tableDir, pre))
		res.Removed = append(res.Removed, filepath.ToSlash(filepath.Join(t.Name, pre)))
	}
	if len(changed) > 0 {
		if err := writePartitions(ctx, conn, dir, t, changed, whole, dirs, res); err != nil {
			return mt, err
		}
	}
	for _, part := range append(gone, dropped...) {
		target := filepath.Join(tableDir, part)
		if !isDir(target) {
			continue
		}
		aside, err := tempDirName(dir, ".lake-old-")
		if err != nil {
			return mt, err
		}
		if err := os.Rename(target, aside); err != nil {
			return mt, err
		}
		if err := os.RemoveAll(aside); err != nil {
			return mt, err
		}
		dirs.add(filepath.Dir(target))
		// Parents left empty (year=2025 without months) go too; one
		// that still holds a partition is not empty and stays.
		for p := filepath.Dir(target); p != tableDir && strings.HasPrefix(p, tableDir); p = filepath.Dir(p) {
			if os.Remove(p) != nil {
				break
			}
			dirs.add(filepath.Dir(p))
		}
		res.Removed = append(res.Removed, filepath.ToSlash(filepath.Join(t.Name, part)))
	}
	// The renames survive a crash before the manifest names them.
	return mt, dirs.sync()
}

// writePartitions has DuckDB write the changed partitions into a staging
// folder in dir in one COPY (PARTITION_BY), syncs their files and
// folders, then moves each into place (replaceDir); a partition under
// one of whole (a former layout's partition, see lakeTable) moves with
// that folder. The folders whose entries changed join dirs.
func writePartitions(ctx context.Context, conn *sql.Conn, dir string, t LakeTable, changed, whole []string, dirs dirSet, res *LakeResult) error {
	stage, err := tempDirName(dir, ".lake-tmp-")
	if err != nil {
		return err
	}
	if err := os.Mkdir(stage, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(stage)

	var q string
	if len(t.Partitions) == 0 {
		q = fmt.Sprintf(`COPY (%s) TO %s (FORMAT PARQUET, COMPRESSION ZSTD)`, t.Select, sqlString(filepath.Join(stage, "data_0.parquet")))
	} else {
		idents := make([]string, len(t.Partitions))
		parts := make([]string, len(t.Partitions))
		for i, c := range t.Partitions {
			idents[i] = sqlIdent(c)
			parts[i] = sqlString(c+"=") + " || CAST(" + sqlIdent(c) + " AS VARCHAR)"
		}
		in := make([]string, len(changed))
		for i, p := range changed {
			in[i] = sqlString(p)
		}
		q = fmt.Sprintf(`COPY (SELECT * FROM (%s) WHERE %s IN (%s)) TO %s (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (%s))`,
			t.Select, strings.Join(parts, " || '/' || "), strings.Join(in, ", "), sqlString(stage), strings.Join(idents, ", "))
	}
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tableDir := filepath.Join(dir, t.Name)
	moved := map[string]bool{}
	for _, part := range changed {
		unit := part
		for _, pre := range whole { // sorted: the outermost first
			if strings.HasPrefix(part, pre+"/") {
				unit = pre
				break
			}
		}
		if !moved[unit] {
			moved[unit] = true
			src := filepath.Join(stage, unit)
			if unit == "" {
				src, err = tempDirName(dir, ".lake-tmp-")
				if err != nil {
					return err
				}
				// The stage itself is the table's folder; move it to a name
				// of its own so that the deferred removal misses it.
				if err := os.Rename(stage, src); err != nil {
					return err
				}
			}
			if !isDir(src) {
				return fmt.Errorf("DuckDB wrote no folder %s for the partition", unit)
			}
			if err := syncTree(src); err != nil {
				return err
			}
			target := filepath.Join(tableDir, unit)
			if err := dirs.mkdirAll(filepath.Dir(target)); err != nil {
				return err
			}
			if _, err := replaceDir(dir, src, target); err != nil {
				return err
			}
			dirs.add(filepath.Dir(target))
			if unit != part {
				res.Removed = append(res.Removed, filepath.ToSlash(filepath.Join(t.Name, unit)))
			}
		}
		res.Written = append(res.Written, filepath.ToSlash(filepath.Join(t.Name, part)))
	}
	return nil
}

// staleLayout lists the folders of a table that are named like a
// partition of its layout but stop short of it (year=2026/month=3 when
// the table is partitioned year=/month=/level=; "" for the table's
// folder itself) and hold Parquet files: a former layout's partitions.
func staleLayout(tableDir string, cols []string) ([]string, error) {
	if !isDir(tableDir) {
		return nil, nil
	}
	var stale []string
	level := []string{""}
	for _, c := range cols {
		var deeper []string
		for _, rel := range level {
			entries, err := os.ReadDir(filepath.Join(tableDir, rel))
			if err != nil {
				return nil, err
			}
			held := false
			for _, e := range entries {
				switch {
				case e.IsDir() && strings.HasPrefix(e.Name(), c+"="):
					deeper = append(deeper, pathJoin(rel, e.Name()))
				case e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".parquet"):
					held = true
				}
			}
			if held {
				stale = append(stale, rel)
			}
		}
		level = deeper
	}
	sort.Strings(stale)
	return stale, nil
}

// removeParquetFiles removes the Parquet files directly in dir.
func removeParquetFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".parquet") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// diskPartitions lists the partition folders of a table on disk (paths
// under tableDir, "col=value/col=value"): folders named after the
// partition columns, one level per column; "" for an unpartitioned table
// whose folder exists. Anything else in the table's folder is not the
// lake's and is left alone.
func diskPartitions(tableDir string, cols []string) ([]string, error) {
	if !isDir(tableDir) {
		return nil, nil
	}
	if len(cols) == 0 {
		return []string{""}, nil
	}
	level := []string{""}
	for _, c := range cols {
		var deeper []string
		for _, rel := range level {
			entries, err := os.ReadDir(filepath.Join(tableDir, rel))
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				if e.IsDir() && strings.HasPrefix(e.Name(), c+"=") {
					deeper = append(deeper, pathJoin(rel, e.Name()))
				}
			}
		}
		level = deeper
	}
	return level, nil
}

// pathJoin joins partition path parts with "/", as the manifest names
// them.
func pathJoin(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

// column is a column of a query's result.
type column struct{ name, typ string }

// selectSchema is the columns of a query (their names and types are part
// of the manifest, so a changed table definition rewrites the whole
// table).
func selectSchema(ctx context.Context, conn *sql.Conn, q string) ([]column, error) {
	rows, err := conn.QueryContext(ctx, "DESCRIBE "+q)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var cols []column
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cols = append(cols, column{fmt.Sprint(vals[0]), fmt.Sprint(vals[1])})
	}
	return cols, rows.Err()
}

func readManifest(dir string) (LakeManifest, error) {
	m := LakeManifest{}
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		// A damaged manifest costs one full rewrite, nothing else.
		return LakeManifest{}, nil
	}
	return m, nil
}

// LakeWritten reports whether dir holds a lake's manifest (a lake was
// written there completely at least once).
func LakeWritten(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ManifestName))
	return err == nil && st.Mode().IsRegular()
}

// ReadLakeManifest reads dir's manifest (empty when there is none).
func ReadLakeManifest(dir string) (LakeManifest, error) { return readManifest(dir) }

func tempDirName(dir, prefix string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(dir, prefix+hex.EncodeToString(b[:])), nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// syncTree flushes the files DuckDB wrote under dir, and the folders
// holding them (dir included), before they are renamed into place: each
// file and folder once.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type().IsRegular():
			return syncFile(p)
		case d.IsDir():
			return syncDir(p)
		}
		return nil
	})
}

// removeLakeLeftovers removes the staging and set-aside folders of a run
// that died while writing the lake (the caller holds the writer lock).
func removeLakeLeftovers(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() && (strings.HasPrefix(e.Name(), ".lake-tmp-") || strings.HasPrefix(e.Name(), ".lake-old-")) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
