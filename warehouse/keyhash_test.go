package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

// keyFile is one file of a run: its dossier codes ("" a quarantined row),
// read in batches of batch rows; discarded after reading, or failing
// after its rows.
type keyFile struct {
	path    string
	codes   []string
	batch   int
	discard bool
	fail    bool
}

// A direct load's duplicates flag comes from the hashes of the keys Go
// saw when none repeats, and from the SQL otherwise: the flags are those
// the SQL gives, and the tables those of the staged merge, whether the
// repeat is within a file, across files, in a later file or after the
// stream paused to stage quarantined rows; a key of an earlier run is
// "existing", not a duplicate; a discarded or half-read file's keys no
// longer count. Go must settle the flag (no query) exactly when no key
// repeats among the kept files.
func TestDirectDuplicatesFromKeyHashes(t *testing.T) {
	defer func(n int) { quarantineSpill = n }(quarantineSpill)
	quarantineSpill = 1
	type flags struct{ dups, inFile, existing bool }
	tests := []struct {
		name    string
		earlier []string // codes of run 1
		files   []keyFile
		want    flags
		decided bool // Go settled duplicates
	}{
		{name: "no duplicates", files: []keyFile{{path: "a.csv", codes: []string{"A", "B", "", "C"}}, {path: "b.csv", codes: []string{"D", "E"}}},
			decided: true},
		{name: "within a file", files: []keyFile{{path: "a.csv", codes: []string{"A", "B", "A"}}},
			want: flags{dups: true, inFile: true}},
		{name: "across files", files: []keyFile{{path: "a.csv", codes: []string{"A", "B"}}, {path: "b.csv", codes: []string{"C", "A"}}},
			want: flags{dups: true}},
		{name: "earlier run", earlier: []string{"A", "Z"}, files: []keyFile{{path: "a.csv", codes: []string{"A", "B"}}},
			want: flags{existing: true}, decided: true},
		// The second file repeats a code of its own: its hashes count
		// with the first file's.
		{name: "within a later file", files: []keyFile{{path: "a.csv", codes: []string{"A", "B"}}, {path: "b.csv", codes: []string{"C", "D", "C"}}},
			want: flags{dups: true, inFile: true}},
		// Batches of two rows with a bad row in each: the stream pauses
		// after each batch to stage it (quarantineSpill 1); the repeat of
		// A is three passes after its first row.
		{name: "across pauses", files: []keyFile{{path: "a.csv", codes: []string{"A", "", "B", "", "C", "", "A", ""}, batch: 2}},
			want: flags{dups: true, inFile: true}},
		{name: "across pauses and files", files: []keyFile{{path: "a.csv", codes: []string{"A", "", "B", ""}, batch: 2},
			{path: "b.csv", codes: []string{"C", "", "D", "", "B"}, batch: 2}},
			want: flags{dups: true}},
		// c.csv repeats A and is discarded; d.csv repeats B and fails
		// half-way: neither is kept, so nothing repeats.
		{name: "repeat only in dropped files", files: []keyFile{{path: "a.csv", codes: []string{"A", "B"}},
			{path: "c.csv", codes: []string{"A", "H"}, discard: true}, {path: "d.csv", codes: []string{"B", "I"}, fail: true}},
			decided: true},
		{name: "dropped file then a repeat", files: []keyFile{{path: "a.csv", codes: []string{"A", "B"}},
			{path: "c.csv", codes: []string{"X"}, discard: true}, {path: "d.csv", codes: []string{"Y", "B"}}},
			want: flags{dups: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			staged := loadKeyFiles(t, tc.earlier, tc.files, false, nil)
			var got [2]flags
			direct := loadKeyFiles(t, tc.earlier, tc.files, true, func(ctx context.Context, st *Stage, files []*FileResult) {
				for i, keys := range []*runKeys{nil, st.direct.keys[datasets.Dossiers.Name]} {
					f, byHashes, err := mergeFlags(ctx, st.conn, datasets.Dossiers, files, 2, true, keys)
					if err != nil {
						t.Fatal(err)
					}
					got[i] = flags{f["duplicates"], f["duplicates_in_file"], f["existing"]}
					if want := i == 1 && tc.decided; byHashes != want {
						t.Errorf("mergeFlags with keys %v: settled by the hashes %v, want %v", i == 1, byHashes, want)
					}
				}
			})
			if got[0] != tc.want {
				t.Errorf("flags by SQL %+v, want %+v", got[0], tc.want)
			}
			if got[1] != tc.want {
				t.Errorf("flags with the key hashes %+v, want %+v", got[1], tc.want)
			}
			if decided := reflect.DeepEqual(direct.decided, []string{"dossiers"}); decided != tc.decided {
				t.Errorf("duplicates settled by the key hashes: %v (%v), want %v", decided, direct.decided, tc.decided)
			}
			if !reflect.DeepEqual(staged.tables, direct.tables) {
				t.Errorf("tables differ:\nstaged %v\ndirect %v", staged.tables, direct.tables)
			}
		})
	}
}

type keyRun struct {
	tables  []string
	decided []string
}

// loadKeyFiles commits run 1 of the earlier codes (if any), then run 2 of
// the files, staged or direct; before its commit, check sees the stage.
// It returns the tables after the commit.
func loadKeyFiles(t *testing.T, earlier []string, kf []keyFile, direct bool, check func(context.Context, *Stage, []*FileResult)) keyRun {
	t.Helper()
	ctx := context.Background()
	march := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	april := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	w := open(t)
	if earlier != nil {
		commitDossiers(t, w, 1, "old.csv", "o1", march, earlier, nil, 0)
	}
	st, err := w.NewStage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if direct {
		if err := st.BeginDirect(ctx, 2, april); err != nil {
			t.Fatal(err)
		}
	}
	var files []*FileResult
	for i, f := range kf {
		seq := int32(i + 1)
		reasons := make([]string, len(f.codes))
		for j, c := range f.codes {
			if c == "" {
				reasons[j] = "Thiếu mã"
			}
		}
		rec := stageFile(t, seq, f.path, "sha-"+f.path, april, f.codes, reasons)
		batch := f.batch
		if batch == 0 {
			batch = len(f.codes)
		}
		var recs []arrow.Record
		for j := 0; j < len(f.codes); j += batch {
			recs = append(recs, rec.NewSlice(int64(j), int64(min(j+batch, len(f.codes)))))
		}
		rec.Release()
		var rdr array.RecordReader
		rdr, err := array.NewRecordReader(transforms.StageSchema, recs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			r.Release()
		}
		if f.fail {
			rdr = &failingReader{rdr}
		}
		err = st.LoadDataset(ctx, datasets.Dossiers, rdr)
		rdr.Release()
		if f.fail != (err != nil) {
			t.Fatalf("%s: %v", f.path, err)
		}
		res := &FileResult{Seq: seq, Source: "s", Path: f.path, SHA256: "sha-" + f.path, Status: "loaded", RowsRead: int64(len(f.codes)),
			Mapping: transforms.Mapping{Columns: map[string]string{"Mã hồ sơ": "dossier_code"}}}
		if f.discard {
			if err := st.DiscardDataset(ctx, datasets.Dossiers, seq); err != nil {
				t.Fatal(err)
			}
		}
		if f.discard || f.fail {
			res.Status, res.RowsRead, res.Error = "failed", 0, "dropped"
		}
		files = append(files, res)
	}
	if check != nil {
		check(ctx, st, files)
	}
	if _, err := w.DB().Exec(`INSERT INTO runs (run_id, started_at, status, trigger) VALUES (2, ?, 'running', 'manual')`, april); err != nil {
		t.Fatal(err)
	}
	reg := []units.Unit{{Code: "U1", Name: "Đơn vị 1", Level: "commune"}}
	var changes []string
	model := func(ctx context.Context, c *sql.Conn) error {
		rows, err := c.QueryContext(ctx, `SELECT count(*)::VARCHAR FROM duckdb_tables() WHERE table_name = 'dossier_changes'`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			changes = append(changes, "change tables "+s)
		}
		return rows.Err()
	}
	if err := st.Commit(ctx, CommitInput{RunID: 2, LoadedAt: april, Units: reg, Files: files, Model: model}); err != nil {
		t.Fatal(err)
	}
	var r keyRun
	for _, q := range []string{
		`SELECT concat_ws(' ', dossier_code, source_file, source_row, file_sha256, run_id) FROM dossiers ORDER BY ALL`,
		`SELECT concat_ws(' ', run_id, source_file, source_row, reason, raw_value, reason_code) FROM quarantine ORDER BY ALL`,
		`SELECT concat_ws(' ', path, status, rows_read, rows_loaded, rows_quarantined, rows_superseded) FROM source_files ORDER BY ALL`,
	} {
		r.tables = append(r.tables, strings.Join(dump(t, w.DB(), q), "; "))
	}
	r.tables = append(r.tables, changes...)
	if direct {
		r.decided = st.direct.decided
	}
	return r
}

// repeats finds a value that occurs twice anywhere in the chunks, in one
// chunk or across chunks, whatever their order.
func TestRepeats(t *testing.T) {
	tests := []struct {
		chunks [][]uint64
		want   bool
	}{
		{nil, false},
		{[][]uint64{{}}, false},
		{[][]uint64{{7}}, false},
		{[][]uint64{{3, 1, 2}, {6, 4, 5}, {}, {9, 0}}, false},
		{[][]uint64{{3, 1, 3}}, true},
		{[][]uint64{{3, 1, 2}, {6, 4, 5}, {9, 2}}, true},
		{[][]uint64{{1 << 63}, {0}, {1<<64 - 1}, {1 << 63}}, true},
		{[][]uint64{{1<<64 - 1, 0}, {1<<64 - 2, 1}}, false},
	}
	for i, tc := range tests {
		if got := repeats(tc.chunks); got != tc.want {
			t.Errorf("%d: repeats = %v, want %v", i, got, tc.want)
		}
	}
}

// The hash of a key of several columns separates them (("ab", "c") is not
// ("a", "bc")) and tells NULL from "": equal keys alone must hash equal,
// but other keys hashing equal would only send the check to the SQL. Two
// NULL keys hash equal: DuckDB's hash(NULL) and GROUP BY treat them as
// one value, so the SQL would see a duplicate.
func TestKeyHasher(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	d := &datasets.Dataset{Name: "k", Key: []string{"a", "b", "n"}}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	rows := []struct {
		a, b any
		n    any
	}{
		{"ab", "c", 1}, {"a", "bc", 1}, {"", "abc", 1}, {nil, "abc", 1}, {nil, "abc", 1}, {"ab", "c", 1}, {"ab", "c", nil}, {"ab", "c", 2},
	}
	for _, r := range rows {
		for i, v := range []any{r.a, r.b} {
			if v == nil {
				b.Field(i).AppendNull()
			} else {
				b.Field(i).(*array.StringBuilder).Append(v.(string))
			}
		}
		if r.n == nil {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int32Builder).Append(int32(r.n.(int)))
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	k := newKeyHasher(d, schema)
	if k == nil {
		t.Fatal("no hasher for string and int32 keys")
	}
	k.add(rec)
	h := k.chunks[0]
	// Rows 3 and 4 (NULL, "abc", 1) and rows 0 and 5 ("ab", "c", 1) are
	// equal keys; all others differ.
	for i := range h {
		for j := i + 1; j < len(h); j++ {
			equal := i == 3 && j == 4 || i == 0 && j == 5
			if (h[i] == h[j]) != equal {
				t.Errorf("rows %d and %d: hashes equal %v, want %v", i, j, h[i] == h[j], equal)
			}
		}
	}
	if newKeyHasher(&datasets.Dataset{Key: []string{"a", "missing"}}, schema) != nil {
		t.Error("a hasher for a missing key column")
	}
	f := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	if newKeyHasher(&datasets.Dataset{Key: []string{"x"}}, f) != nil {
		t.Error("a hasher for a DOUBLE key (not read: the SQL decides)")
	}
	// A file's chunks grow from keyChunkMin to keyChunkMax.
	k = newKeyHasher(d, schema)
	for i := 0; i < 3*keyChunkMax; i++ {
		k.push(uint64(i))
	}
	var sizes []string
	for _, c := range k.chunks {
		sizes = append(sizes, fmt.Sprint(cap(c)))
	}
	if want := "1024 2048 4096 8192 16384 32768 65536 65536 65536"; strings.Join(sizes, " ") != want {
		t.Errorf("chunk sizes %s, want %s", strings.Join(sizes, " "), want)
	}
	// Recorded for the commit, a one-row file keeps one hash's room, not
	// its 1,024-hash first chunk; a stream of no row keeps no chunk; a
	// full chunk is kept as it is.
	run := &runKeys{files: map[int32][][]uint64{}}
	for seq, n := range []int{1, 0, keyChunkMin} {
		k := newKeyHasher(d, schema)
		for i := range n {
			k.push(uint64(i))
		}
		run.add(int32(seq), k)
	}
	var kept []string
	for seq := range 3 {
		var c []string
		for _, ch := range run.files[int32(seq)] {
			c = append(c, fmt.Sprintf("%d/%d", len(ch), cap(ch)))
		}
		kept = append(kept, "["+strings.Join(c, " ")+"]")
	}
	if want := "[1/1] [] [1024/1024]"; strings.Join(kept, " ") != want {
		t.Errorf("chunks kept (len/cap) %s, want %s", strings.Join(kept, " "), want)
	}
}

// Go settles the flag only when the table keeps the key in the type the
// stage gives it: a VARCHAR key stored as INTEGER makes "01" and "1" one
// key, which the hashes of the texts cannot see; the SQL then decides.
// An empty run of keys is distinct; a stream whose key was not hashed
// leaves it to the SQL.
func TestKeyHashesNeedTheStageType(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	schema := arrow.NewSchema([]arrow.Field{{Name: "code", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"01", "1"}, nil)
	rec := b.NewRecord()
	defer rec.Release()
	for _, tc := range []struct {
		table            string
		distinct, usable bool
	}{
		{"CREATE TABLE t_text (code VARCHAR)", true, true},
		{"CREATE TABLE t_int (code INTEGER)", false, false},
	} {
		if _, err := c.ExecContext(ctx, tc.table); err != nil {
			t.Fatal(err)
		}
		name := strings.Fields(tc.table)[2]
		d := &datasets.Dataset{Name: name, Key: []string{"code"}, Tables: []string{name}}
		h := newKeyHasher(d, schema)
		h.add(rec)
		k := &runKeys{files: map[int32][][]uint64{}}
		k.add(1, h)
		distinct, usable, err := k.distinct(ctx, c, d)
		if err != nil || distinct != tc.distinct || usable != tc.usable {
			t.Errorf("%s: distinct %v, usable %v (%v); want %v, %v", tc.table, distinct, usable, err, tc.distinct, tc.usable)
		}
		k = &runKeys{files: map[int32][][]uint64{}}
		if distinct, usable, err := k.distinct(ctx, c, d); !distinct || !usable || err != nil {
			t.Errorf("%s, no rows: distinct %v, usable %v (%v); want true, true", tc.table, distinct, usable, err)
		}
		k.add(2, nil)
		if _, usable, _ := k.distinct(ctx, c, d); usable {
			t.Errorf("%s: a stream without hashes, yet the hashes decide", tc.table)
		}
	}
	// Two NULL keys are one key to the SQL's check: the hashes repeat too.
	var dups int64
	if err := c.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT hash(k)) FROM (VALUES (NULL::VARCHAR), (NULL::VARCHAR), ('a')) v(k)`).Scan(&dups); err != nil || dups != 1 {
		t.Errorf("DuckDB's duplicates among NULL, NULL, 'a': %d (%v), want 1", dups, err)
	}
}
