package warehouse

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
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

func open(t *testing.T) *Warehouse {
	t.Helper()
	w, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestMigrateIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	for i := 0; i < 2; i++ {
		w, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := w.DB().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
			t.Fatalf("migrations: n=%d err=%v", n, err)
		}
		w.Close()
	}
	r, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.DB().Exec(`DELETE FROM dossiers`); err == nil {
		t.Error("a read-only warehouse accepted a write")
	}
}

// Every table and column of the contract carries a comment.
func TestComments(t *testing.T) {
	w := open(t)
	rows, err := w.DB().Query(`SELECT table_name, column_name FROM duckdb_columns()
		WHERE NOT internal AND table_name <> 'schema_migrations' AND (comment IS NULL OR comment = '')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tb, col string
		rows.Scan(&tb, &col)
		t.Errorf("%s.%s has no comment", tb, col)
	}
	var n int
	w.DB().QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE NOT internal AND table_name <> 'schema_migrations' AND (comment IS NULL OR comment = '')`).Scan(&n)
	if n > 0 {
		t.Errorf("%d tables without a comment", n)
	}
}

// stageRecord builds a stage batch of file f.csv (sha abc), every dossier
// received on 2 March 2026: codes[i] valid unless reasons[i] != "".
func stageRecord(t *testing.T, seq int32, codes []string, reasons []string) arrow.Record {
	return stageFile(t, seq, "f.csv", "abc", time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), codes, reasons)
}

// stageFile builds a stage batch of one file, every dossier received at
// received (naive local time).
func stageFile(t *testing.T, seq int32, file, sha string, received time.Time, codes []string, reasons []string) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, transforms.StageSchema)
	defer b.Release()
	ts := arrow.Timestamp(received.UnixMicro())
	for i, c := range codes {
		for f := 0; f < len(transforms.StageSchema.Fields()); f++ {
			name := transforms.StageSchema.Field(f).Name
			fb := b.Field(f)
			switch name {
			case "dossier_code":
				fb.(*array.StringBuilder).Append(c)
			case "unit_code":
				fb.(*array.StringBuilder).Append("U1")
			case "channel":
				fb.(*array.StringBuilder).Append("online")
			case "status":
				fb.(*array.StringBuilder).Append("processing")
			case "received_at":
				fb.(*array.TimestampBuilder).Append(ts)
			case "fee_required":
				fb.(*array.BooleanBuilder).Append(i%3 == 0)
			case "paid_online":
				fb.(*array.BooleanBuilder).Append(i%2 == 1)
			case "source":
				fb.(*array.StringBuilder).Append("s")
			case "source_file":
				fb.(*array.StringBuilder).Append(file)
			case "file_sha256":
				fb.(*array.StringBuilder).Append(sha)
			case "source_row":
				fb.(*array.Int64Builder).Append(int64(i + 2))
			case "file_seq":
				fb.(*array.Int32Builder).Append(seq)
			case "q_reason":
				if reasons[i] != "" {
					fb.(*array.StringBuilder).Append(reasons[i])
				} else {
					fb.AppendNull()
				}
			default:
				fb.AppendNull()
			}
		}
	}
	return b.NewRecord()
}

func TestStageCommit(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	st, err := w.NewStage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r1 := stageRecord(t, 1, []string{"A", "B", "A", "C"}, []string{"", "", "", "bad date"})
	rdr, _ := array.NewRecordReader(transforms.StageSchema, []arrow.Record{r1})
	if err := st.LoadDataset(ctx, datasets.Dossiers, rdr); err != nil {
		t.Fatal(err)
	}
	rdr.Release()
	r1.Release()
	f := &FileResult{Seq: 1, Source: "s", Path: "f.csv", SHA256: "abc", Status: "loaded", RowsRead: 4,
		Mapping: transforms.Mapping{Columns: map[string]string{"Mã hồ sơ": "dossier_code"}, Dropped: []string{"Số CCCD"}}}
	reg := []units.Unit{{Code: "U1", Name: "Đơn vị 1", Level: "commune", Aliases: []string{"DV1"}}}
	if err := st.Commit(ctx, CommitInput{RunID: 1, LoadedAt: time.Date(2026, 3, 3, 1, 30, 0, 0, time.UTC), Units: reg, Files: []*FileResult{f}}); err != nil {
		t.Fatal(err)
	}
	// A twice in the file: row 2 is quarantined as duplicate_in_file, row 4
	// loaded; B loaded; C bad: loaded 2, quarantined 2, superseded 0.
	if f.RowsLoaded != 2 || f.RowsQuarantined != 2 || f.RowsSuperseded != 0 || f.RowsDuplicate != 1 {
		t.Errorf("counts = loaded %d quarantined %d superseded %d", f.RowsLoaded, f.RowsQuarantined, f.RowsSuperseded)
	}
	var row int64
	if err := w.DB().QueryRow(`SELECT source_row FROM dossiers WHERE dossier_code = 'A'`).Scan(&row); err != nil || row != 4 {
		t.Errorf("the later row of A must win: row %d, err %v", row, err)
	}
	var dropped string
	if err := w.DB().QueryRow(`SELECT columns_dropped[1] FROM source_files`).Scan(&dropped); err != nil || dropped != "Số CCCD" {
		t.Errorf("columns_dropped = %q, %v", dropped, err)
	}
	var alias string
	if err := w.DB().QueryRow(`SELECT aliases[1] FROM units`).Scan(&alias); err != nil || alias != "DV1" {
		t.Errorf("aliases = %q, %v", alias, err)
	}
}

// A run whose process died is closed by the next one: failed when it died
// before its commit (nothing of it is in), partial when it died after it,
// while publishing.
func TestCloseAbandonedRuns(t *testing.T) {
	w := open(t)
	now := time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC)
	for _, r := range []*Run{{Trigger: "schedule", StartedAt: now}, {Trigger: "schedule", StartedAt: now}} {
		if err := w.StartRun(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.DB().Exec(`UPDATE runs SET committed_at = ? WHERE run_id = 2`, now); err != nil {
		t.Fatal(err)
	}
	a, err := w.CloseAbandonedRuns(context.Background(), now)
	if err != nil || a.RolledBack != 1 || a.Committed != 1 {
		t.Fatalf("closed %+v, %v", a, err)
	}
	var s1, s2 string
	w.DB().QueryRow(`SELECT (SELECT status FROM runs WHERE run_id = 1), (SELECT status FROM runs WHERE run_id = 2)`).Scan(&s1, &s2)
	if s1 != "failed" || s2 != "partial" {
		t.Errorf("statuses %s %s", s1, s2)
	}
}

// The registry goes in as one JSON parameter: every unit, each field in
// place (quotes and backslashes in names, dates, aliases; an empty field
// NULL), and a smaller registry replaces a larger one.
func TestReplaceUnitsMany(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	from := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	var reg []units.Unit
	for i := range 600 {
		u := units.Unit{Code: fmt.Sprintf("X.B%03d", i), Name: fmt.Sprintf("Xã %d", i), Level: "commune", ParentCode: "H.A"}
		if i == 599 {
			u.Name, u.ValidFrom, u.Aliases = `Xã "Cuối" 'Đông' \ 599`, &from, []string{"B599", "Xã cuối"}
		}
		reg = append(reg, u)
	}
	for _, n := range []int{600, 3} {
		if err := replaceUnits(ctx, c, reg[len(reg)-n:]); err != nil {
			t.Fatal(err)
		}
		var count, nulls int
		var name, alias string
		var valid time.Time
		if err := c.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM units),
			(SELECT count(*) FROM units WHERE aliases IS NULL AND valid_from IS NULL AND valid_to IS NULL AND successor_code IS NULL AND parent_code = 'H.A'),
			name, valid_from, aliases[2] FROM units WHERE unit_code = 'X.B599'`).
			Scan(&count, &nulls, &name, &valid, &alias); err != nil {
			t.Fatal(err)
		}
		if count != n || nulls != n-1 || name != `Xã "Cuối" 'Đông' \ 599` || !valid.Equal(from) || alias != "Xã cuối" {
			t.Errorf("%d units written: %d (%d with empty fields NULL), %q, %v, %q", n, count, nulls, name, valid, alias)
		}
	}
}

// A registry equal to the units table leaves the table alone (its rows
// keep their rowids: DuckDB gives reinserted rows new ones, kept across
// a checkpoint), whatever order the registry lists the units in; any
// difference in any column, or a unit more or less, rewrites it to the
// registry. The table is reopened between the writes, as between runs.
func TestReplaceUnitsChangedField(t *testing.T) {
	ctx := context.Background()
	from := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := func() []units.Unit {
		return []units.Unit{
			{Code: "H.A", Name: "Huyện A", Level: "district", Aliases: []string{"A", "Huyện A cũ"}},
			{Code: "X.A1", Name: "Xã A1", Level: "commune", ParentCode: "H.A", ValidFrom: &from},
			{Code: "X.A2", Name: "Xã A2", Level: "commune", ParentCode: "H.A", ValidTo: &to, SuccessorCode: "X.A1"},
		}
	}
	other := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	same := func(r []units.Unit) []units.Unit { return r }
	emptyAlias := func(r []units.Unit) []units.Unit { r[0].Aliases = []string{"A", ""}; return r }
	for _, c := range []struct {
		name    string
		change  func([]units.Unit) []units.Unit
		rewrite bool
		edit    string // SQL run on the table between the writes
	}{
		{"same registry", same, false, ""},
		{"same units in another order", func(r []units.Unit) []units.Unit { return []units.Unit{r[2], r[0], r[1]} }, false, ""},
		{"a unit added", func(r []units.Unit) []units.Unit {
			return append(r, units.Unit{Code: "X.A3", Name: "Xã A3", Level: "commune", ParentCode: "H.A"})
		}, true, ""},
		{"a unit removed", func(r []units.Unit) []units.Unit { return r[:2] }, true, ""},
		{"a unit listed twice", func(r []units.Unit) []units.Unit { return append(r, r[1]) }, true, ""},
		{"name", func(r []units.Unit) []units.Unit { r[1].Name = "Xã A1 "; return r }, true, ""},
		{"level", func(r []units.Unit) []units.Unit { r[1].Level = "ward"; return r }, true, ""},
		{"code", func(r []units.Unit) []units.Unit { r[1].Code = "X.a1"; return r }, true, ""},
		{"parent set", func(r []units.Unit) []units.Unit { r[0].ParentCode = "T.X"; return r }, true, ""},
		{"parent cleared", func(r []units.Unit) []units.Unit { r[1].ParentCode = ""; return r }, true, ""},
		{"valid_from moved", func(r []units.Unit) []units.Unit { r[1].ValidFrom = &other; return r }, true, ""},
		{"valid_from cleared", func(r []units.Unit) []units.Unit { r[1].ValidFrom = nil; return r }, true, ""},
		{"valid_to set", func(r []units.Unit) []units.Unit { r[1].ValidTo = &to; return r }, true, ""},
		{"successor changed", func(r []units.Unit) []units.Unit { r[2].SuccessorCode = "H.A"; return r }, true, ""},
		{"alias added", func(r []units.Unit) []units.Unit { r[1].Aliases = []string{"A1"}; return r }, true, ""},
		{"aliases reordered", func(r []units.Unit) []units.Unit { r[0].Aliases = []string{"Huyện A cũ", "A"}; return r }, true, ""},
		{"aliases removed", func(r []units.Unit) []units.Unit { r[0].Aliases = nil; return r }, true, ""},
		{"the table's aliases emptied", same, true, `UPDATE units SET aliases = [] WHERE unit_code = 'X.A1'`},
		{"a null alias in the table, an empty one in the registry", emptyAlias, true, `UPDATE units SET aliases = ['A', NULL] WHERE unit_code = 'H.A'`},
		{"the table edited to the registry", emptyAlias, false, `UPDATE units SET aliases = ['A', ''] WHERE unit_code = 'H.A'`},
		{"a unit more in the table", same, true, `INSERT INTO units (unit_code, name, level) VALUES ('X.A1', 'Xã A1', 'commune')`},
		{"the table's date a day off", same, true, `UPDATE units SET valid_from = valid_from + 1 WHERE unit_code = 'X.A1'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.duckdb")
			// write replaces the units by reg (none: runs edit instead)
			// and returns the table's rowids after.
			write := func(reg []units.Unit, edit string) (rowids string) {
				t.Helper()
				w, err := Open(ctx, path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				conn, err := w.DB().Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if reg != nil {
					err = replaceUnits(ctx, conn, reg)
				} else if edit != "" {
					_, err = conn.ExecContext(ctx, edit)
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := conn.QueryRowContext(ctx, `SELECT CAST(list(rowid ORDER BY rowid) AS VARCHAR) FROM units`).Scan(&rowids); err != nil {
					t.Fatal(err)
				}
				return rowids
			}
			first := write(base(), "")
			// DuckDB updates a list by deleting and inserting the row.
			first = write(nil, c.edit)
			reg := c.change(base())
			second := write(reg, "")
			if rewritten := second != first; rewritten != c.rewrite {
				t.Errorf("rowids %s, then %s: rewritten %v, want %v", first, second, rewritten, c.rewrite)
			}
			// The table holds the registry either way.
			w, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			got, err := w.DB().Query(`SELECT unit_code, name, level, coalesce(parent_code, '-'), coalesce(strftime(valid_from, '%Y-%m-%d'), '-'),
				coalesce(strftime(valid_to, '%Y-%m-%d'), '-'), coalesce(successor_code, '-'), coalesce(CAST(aliases AS VARCHAR), '-')
				FROM units ORDER BY ALL`)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			var rows []string
			for got.Next() {
				var f [8]string
				if err := got.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]); err != nil {
					t.Fatal(err)
				}
				rows = append(rows, fmt.Sprint(f))
			}
			var want []string
			day := func(d *time.Time) string {
				if d == nil {
					return "-"
				}
				return d.Format("2006-01-02")
			}
			dash := func(s string) string {
				if s == "" {
					return "-"
				}
				return s
			}
			for _, u := range reg {
				aliases := "-"
				if len(u.Aliases) > 0 {
					aliases = "[" + strings.Join(u.Aliases, ", ") + "]"
				}
				want = append(want, fmt.Sprint([8]string{u.Code, u.Name, u.Level, dash(u.ParentCode), day(u.ValidFrom), day(u.ValidTo), dash(u.SuccessorCode), aliases}))
			}
			sort.Strings(rows)
			sort.Strings(want)
			if strings.Join(rows, "\n") != strings.Join(want, "\n") {
				t.Errorf("units:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
