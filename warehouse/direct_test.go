package warehouse

import (
	"context"
	"database/sql"
	"errors"
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

// failingReader yields its records, then fails: a file that turns
// unreadable half-way.
type failingReader struct {
	array.RecordReader
}

var errHalfway = errors.New("unreadable half-way")

func (r *failingReader) Err() error { return errHalfway }

// dump lists a query's rows as strings.
func dump(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// A direct run (BeginDirect) writes each valid dossier row once, into
// dossiers, and stages only the quarantined ones; its merge leaves every
// table, the ledger's counts and dossier_changes exactly as the staged
// merge leaves them for the same files: duplicates within a file (the
// last row wins, the earlier goes to quarantine), across files (the later
// file wins), older warehouse versions replaced, a file discarded after
// reading and a file failing half-way leave nothing. The quarantined rows
// are staged in pieces when they exceed the spill bound. The rows of a.csv
// come in the file's order (a batch's valid rows are then copied) and with
// each batch's valid rows first, as transforms.Mapper.Apply emits them
// (passed on as a slice at offset 0, not copied): both give the same
// tables, fee_required and paid_online included.
func TestDirectLoadEqualsStaged(t *testing.T) {
	for _, validFirst := range []bool{false, true} {
		name := "file order"
		if validFirst {
			name = "valid rows first"
		}
		t.Run(name, func(t *testing.T) { testDirectLoadEqualsStaged(t, validFirst) })
	}
}

// reorder builds a record of rec's rows at the indexes rows, in that order.
func reorder(t *testing.T, rec arrow.Record, rows ...int) arrow.Record {
	t.Helper()
	cols := make([]arrow.Array, rec.NumCols())
	for c := range cols {
		parts := make([]arrow.Array, len(rows))
		for k, i := range rows {
			parts[k] = array.NewSlice(rec.Column(c), int64(i), int64(i+1))
		}
		a, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			p.Release()
		}
		cols[c] = a
	}
	out := array.NewRecord(rec.Schema(), cols, int64(len(rows)))
	for _, c := range cols {
		c.Release()
	}
	return out
}

func testDirectLoadEqualsStaged(t *testing.T, validFirst bool) {
	defer func(n int) { quarantineSpill = n }(quarantineSpill)
	quarantineSpill = 2
	march := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	april := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	type result struct {
		dossiers, quarantine, ledger, changes []string
		stagedDuring                          int64
	}
	runs := map[bool]result{}
	for _, direct := range []bool{false, true} {
		ctx := context.Background()
		w := open(t)
		// Run 1: A, B, C from old.csv (2 March).
		commitDossiers(t, w, 1, "old.csv", "o1", march, []string{"A", "B", "C"}, nil, 0)

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
		load := func(rdr array.RecordReader) error {
			defer rdr.Release()
			return st.LoadDataset(ctx, datasets.Dossiers, rdr)
		}
		reader := func(recs ...arrow.Record) array.RecordReader {
			rdr, err := array.NewRecordReader(transforms.StageSchema, recs)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				r.Release()
			}
			return rdr
		}
		// a.csv (file 1), in two batches: A (row 2), D (3), bad (4), D (5,
		// the last D of the file), bad (6), E (7) | bad (8), bad (9), F (10).
		a := stageFile(t, 1, "a.csv", "sa", april, []string{"A", "D", "", "D", "", "E", "", "", "F"},
			[]string{"", "", "Thiếu mã", "", "Thiếu mã", "", "Thiếu mã", "Thiếu mã", ""})
		a1, a2 := a.NewSlice(0, 6), a.NewSlice(6, 9)
		if validFirst {
			// Batch 1: A, D, D, E, then bad rows 4 and 6; batch 2: F,
			// then bad rows 8 and 9 (Apply's order).
			a1.Release()
			a2.Release()
			a1, a2 = reorder(t, a, 0, 1, 3, 5, 2, 4), reorder(t, a, 8, 6, 7)
		}
		a.Release()
		if err := load(reader(a1, a2)); err != nil {
			t.Fatal(err)
		}
		// b.csv (file 2): E again, G.
		if err := load(reader(stageFile(t, 2, "b.csv", "sb", april, []string{"E", "G"}, []string{"", ""}))); err != nil {
			t.Fatal(err)
		}
		// c.csv (file 3): B, H, discarded after reading (changed while read).
		if err := load(reader(stageFile(t, 3, "c.csv", "sc", april, []string{"B", "H"}, []string{"", "Thiếu mã"}))); err != nil {
			t.Fatal(err)
		}
		if err := st.DiscardDataset(ctx, datasets.Dossiers, 3); err != nil {
			t.Fatal(err)
		}
		// d.csv (file 4): C, I, then the file cannot be read.
		err = load(&failingReader{reader(stageFile(t, 4, "d.csv", "sd", april, []string{"C", "I"}, []string{"", "Thiếu mã"}))})
		if err == nil || !strings.Contains(err.Error(), errHalfway.Error()) {
			t.Fatalf("d.csv: %v, want %v", err, errHalfway)
		}
		var r result
		if err := st.conn.QueryRowContext(ctx, `SELECT count(*) FROM stage_dossiers`).Scan(&r.stagedDuring); err != nil {
			t.Fatal(err)
		}
		if direct {
			// Copied in file order: a.csv's valid rows of its batches
			// holding a bad row before a valid one (A, D, D, E) or not
			// starting at offset 0 (F); b.csv has no bad row, c.csv and
			// d.csv have theirs last. With valid rows first: none.
			want := int64(5)
			if validFirst {
				want = 0
			}
			if st.direct.copied != want {
				t.Errorf("valid rows copied: %d, want %d", st.direct.copied, want)
			}
		}
		files := []*FileResult{
			{Seq: 1, Source: "s", Path: "a.csv", SHA256: "sa", Status: "loaded", RowsRead: 9},
			{Seq: 2, Source: "s", Path: "b.csv", SHA256: "sb", Status: "loaded", RowsRead: 2},
			{Seq: 3, Source: "s", Path: "c.csv", SHA256: "sc", Status: "failed", Error: "changed"},
			{Seq: 4, Source: "s", Path: "d.csv", SHA256: "sd", Status: "failed", Error: "unreadable"},
		}
		for _, f := range files {
			f.Mapping = transforms.Mapping{Columns: map[string]string{"Mã hồ sơ": "dossier_code"}}
		}
		if _, err := w.DB().Exec(`INSERT INTO runs (run_id, started_at, status, trigger) VALUES (2, ?, 'running', 'manual')`, april); err != nil {
			t.Fatal(err)
		}
		model := func(ctx context.Context, c *sql.Conn) error {
			rows, err := c.QueryContext(ctx, `SELECT strftime(received_at, '%Y-%m-%d') FROM dossier_changes ORDER BY ALL`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				rows.Scan(&s)
				r.changes = append(r.changes, s)
			}
			return rows.Err()
		}
		reg := []units.Unit{{Code: "U1", Name: "Đơn vị 1", Level: "commune"}}
		if err := st.Commit(ctx, CommitInput{RunID: 2, LoadedAt: april, Units: reg, Files: files, Model: model}); err != nil {
			t.Fatal(err)
		}
		r.dossiers = dump(t, w.DB(), `SELECT concat_ws(' ', dossier_code, source_file, source_row, file_sha256, run_id, strftime(received_at, '%Y-%m-%d'), loaded_at, fee_required, paid_online) FROM dossiers ORDER BY ALL`)
		r.quarantine = dump(t, w.DB(), `SELECT concat_ws(' ', run_id, source_file, source_row, reason, column_name, raw_value, raw_record, reason_code) FROM quarantine ORDER BY ALL`)
		r.ledger = dump(t, w.DB(), `SELECT concat_ws(' ', path, status, rows_read, rows_loaded, rows_quarantined, rows_superseded) FROM source_files ORDER BY ALL`)
		runs[direct] = r
	}
	staged, direct := runs[false], runs[true]
	// Staged: every row of a.csv (9), b.csv (2) and the failed d.csv's
	// none; c.csv's 2 discarded. Direct: a.csv's 4 bad rows only.
	if staged.stagedDuring != 11 || direct.stagedDuring != 4 {
		t.Errorf("rows staged before the commit: staged run %d (want 11), direct run %d (want 4)", staged.stagedDuring, direct.stagedDuring)
	}
	// By hand: A (a.csv 2) replaces old A; D (a.csv 5) wins over a.csv 3;
	// E (b.csv 2) over a.csv 7; F (a.csv 10), G (b.csv 3) new; B and C stay
	// old.csv's.
	// fee_required and paid_online: stageFile's row i has i%3 == 0 and
	// i%2 == 1 (F is a.csv's row i = 8).
	wantDossiers := []string{
		"A a.csv 2 sa 2 2026-04-06 2026-04-06 09:00:00 true false", "B old.csv 3 o1 1 2026-03-02 2026-03-02 08:30:00 false true",
		"C old.csv 4 o1 1 2026-03-02 2026-03-02 08:30:00 false false", "D a.csv 5 sa 2 2026-04-06 2026-04-06 09:00:00 true true",
		"E b.csv 2 sb 2 2026-04-06 2026-04-06 09:00:00 true false", "F a.csv 10 sa 2 2026-04-06 2026-04-06 09:00:00 false false",
		"G b.csv 3 sb 2 2026-04-06 2026-04-06 09:00:00 false true",
	}
	if !reflect.DeepEqual(staged.dossiers, wantDossiers) {
		t.Errorf("staged dossiers:\n%v\nwant\n%v", staged.dossiers, wantDossiers)
	}
	// a.csv: read 9 = loaded 3 (A, D, F) + quarantined 5 (4 bad, the first
	// D) + superseded 1 (E); b.csv: read 2 = loaded 2.
	wantLedger := []string{"a.csv loaded 9 3 5 1", "b.csv loaded 2 2 0 0", "c.csv failed 0 0 0 0", "d.csv failed 0 0 0 0", "old.csv loaded 3 3 0 0"}
	if !reflect.DeepEqual(staged.ledger, wantLedger) {
		t.Errorf("staged ledger %v, want %v", staged.ledger, wantLedger)
	}
	// Changes: old A (2 March) deleted; A, D, E, F, G (6 April) inserted.
	wantChanges := []string{"2026-03-02", "2026-04-06", "2026-04-06", "2026-04-06", "2026-04-06", "2026-04-06"}
	if !reflect.DeepEqual(staged.changes, wantChanges) {
		t.Errorf("staged dossier_changes %v, want %v", staged.changes, wantChanges)
	}
	if len(staged.quarantine) != 5 {
		t.Errorf("staged quarantine %v, want 5 rows", staged.quarantine)
	}
	for name, pair := range map[string][2][]string{
		"dossiers": {staged.dossiers, direct.dossiers}, "quarantine": {staged.quarantine, direct.quarantine},
		"ledger": {staged.ledger, direct.ledger}, "dossier_changes": {staged.changes, direct.changes},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differ:\nstaged %v\ndirect %v", name, pair[0], pair[1])
		}
	}
}
