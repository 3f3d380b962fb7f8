package model

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/warehouse"
)

func openWarehouse(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	w, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "m.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

type dossier struct {
	code, unit, field, channel, status string
	received, due, finished            string // "2006-01-02 15:04:05" or ""
	suppReq                            int
	suppDays                           float64
	rating                             string
}

func ts(s string) any {
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func insert(t *testing.T, db *sql.DB, ds []dossier) {
	t.Helper()
	for _, d := range ds {
		unit := d.unit
		if unit == "" {
			unit = "U1"
		}
		ch := d.channel
		if ch == "" {
			ch = "direct"
		}
		var rating any
		if d.rating != "" {
			rating = d.rating
		}
		_, err := db.Exec(`INSERT INTO dossiers (dossier_code, unit_code, field, channel, received_at, due_at, finished_at, status,
			supplement_requests, supplement_days, rating, source, source_file, source_row, file_sha256, run_id, loaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 's', 'f', 1, 'h', 1, TIMESTAMP '2026-12-01')`,
			d.code, unit, d.field, ch, ts(d.received), ts(d.due), ts(d.finished), d.status, d.suppReq, d.suppDays, rating)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func units(t *testing.T, db *sql.DB, rows ...string) {
	for _, r := range rows {
		f := strings.Split(r, ",")
		if _, err := db.Exec(`INSERT INTO units (unit_code, name, level) VALUES (?, ?, ?)`, f[0], f[1], f[2]); err != nil {
			t.Fatal(err)
		}
	}
}

// testAsOf is the clock of the model tests: 1 December 2026, 01:30 local.
// 2026-11 ends on 2026-12-01 and stays provisional until 2026-12-16;
// 2026-10 and earlier months are final.
var testAsOf = AsOf{Now: time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC), Grace: 15 * 24 * time.Hour}

func build(t *testing.T, w *warehouse.Warehouse, convention string) {
	t.Helper()
	m, err := LoadMethodology("default")
	if err != nil {
		t.Fatal(err)
	}
	if err := Build(context.Background(), w.DB(), convention, m, testAsOf); err != nil {
		t.Fatal(err)
	}
}

// Each outcome rule at its edges, for the period 2026-03 (calendar).
func TestOutcomes(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "U1,Xã Một,commune")
	cases := []struct {
		d    dossier
		want string // outcome in 2026-03
	}{
		{dossier{code: "finish-at-due", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-10 17:00:00"}, "on_time"},
		{dossier{code: "one-second-late", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-10 17:00:01"}, "late"},
		{dossier{code: "day-before-due", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-09 23:59:59"}, "early"},
		{dossier{code: "due-day-midnight-same-day", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 00:00:00", finished: "2026-03-10 16:00:00"}, "on_time"},
		{dossier{code: "due-day-midnight-next-day", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 00:00:00", finished: "2026-03-11 00:00:00"}, "late"},
		{dossier{code: "supplement-days-save-it", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-12 17:00:00", suppReq: 1, suppDays: 2}, "on_time"},
		{dossier{code: "two-supplements-late", status: "returned", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00", suppReq: 2, suppDays: 1}, "late"},
		{dossier{code: "no-due-date", status: "resolved", received: "2026-03-02 08:00:00", finished: "2026-03-25 10:00:00"}, "on_time"},
		{dossier{code: "rejected-late-still-on-time", status: "rejected", received: "2026-03-02 08:00:00", due: "2026-03-05 17:00:00", finished: "2026-03-20 10:00:00"}, "on_time"},
		{dossier{code: "withdrawn", status: "withdrawn", received: "2026-03-02 08:00:00", due: "2026-03-05 17:00:00", finished: "2026-03-06 10:00:00"}, "on_time"},
		{dossier{code: "stopped", status: "stopped", received: "2026-03-02 08:00:00", due: "2026-03-05 17:00:00", finished: "2026-03-06 10:00:00"}, "on_time"},
		{dossier{code: "pending-due-after-end", status: "processing", received: "2026-03-31 16:00:00", due: "2026-04-02 17:00:00"}, "pending_in_time"},
		{dossier{code: "pending-due-at-end", status: "processing", received: "2026-03-20 16:00:00", due: "2026-04-01 00:00:00"}, "pending_in_time"},
		{dossier{code: "pending-due-last-day", status: "processing", received: "2026-03-20 16:00:00", due: "2026-03-31 00:00:00"}, "pending_in_time"},
		{dossier{code: "pending-overdue", status: "processing", received: "2026-03-02 08:00:00", due: "2026-03-31 16:59:59"}, "pending_overdue"},
		{dossier{code: "waiting-citizen-overdue", status: "supplement_requested", received: "2026-03-02 08:00:00", due: "2026-03-05 17:00:00"}, "pending_in_time"},
		{dossier{code: "finished-next-period", status: "resolved", received: "2026-03-30 08:00:00", due: "2026-03-31 12:00:00", finished: "2026-04-01 09:00:00"}, "pending_overdue"},
		{dossier{code: "received-last-second", status: "processing", received: "2026-03-31 23:59:59", due: "2026-04-10 17:00:00"}, "pending_in_time"},
		{dossier{code: "no-due-pending", status: "processing", received: "2026-03-10 08:00:00"}, "pending_in_time"},
	}
	var ds []dossier
	for _, c := range cases {
		ds = append(ds, c.d)
	}
	insert(t, w.DB(), ds)
	build(t, w, "calendar")
	for _, c := range cases {
		var got string
		err := w.DB().QueryRow(`SELECT outcome FROM dossier_outcomes WHERE period = '2026-03' AND dossier_code = ?`, c.d.code).Scan(&got)
		if err != nil {
			t.Errorf("%s: %v", c.d.code, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: outcome %s, want %s", c.d.code, got, c.want)
		}
	}
	// Out of scope: finished before the period, received after it.
	insert(t, w.DB(), []dossier{
		{code: "finished-in-feb", status: "resolved", received: "2026-02-02 08:00:00", finished: "2026-02-28 23:59:59"},
		{code: "received-april", status: "processing", received: "2026-04-01 00:00:00"},
	})
	build(t, w, "calendar")
	var n int
	w.DB().QueryRow(`SELECT count(*) FROM dossier_outcomes WHERE period = '2026-03' AND dossier_code IN ('finished-in-feb', 'received-april')`).Scan(&n)
	if n != 0 {
		t.Errorf("%d out-of-scope dossiers counted in 2026-03", n)
	}
	// Carried over into April: the pending March dossiers.
	var carried int
	w.DB().QueryRow(`SELECT carried_over FROM dossier_stats WHERE period = '2026-04' AND unit_code = 'U1' AND field = '*'`).Scan(&carried)
	if carried != 8 {
		t.Errorf("carried over into April = %d, want 8", carried)
	}
}

// Under decree09 a dossier received on 15 March falls in the April report.
func TestDecree09Periods(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "U1,Xã Một,commune")
	insert(t, w.DB(), []dossier{
		{code: "a", status: "processing", received: "2026-03-14 23:59:59"},
		{code: "b", status: "processing", received: "2026-03-15 00:00:00"},
	})
	build(t, w, "decree09")
	got := map[string]string{}
	rows, _ := w.DB().Query(`SELECT dossier_code, period FROM dossier_outcomes WHERE period_kind = 'month' AND received_in_period`)
	for rows.Next() {
		var c, p string
		rows.Scan(&c, &p)
		got[c] = p
	}
	rows.Close()
	if got["a"] != "2026-03" || got["b"] != "2026-04" {
		t.Errorf("decree09 months: %v", got)
	}
}

func checkIdentities(t *testing.T, db *sql.DB) {
	t.Helper()
	var bad int
	if err := db.QueryRow(`SELECT count(*) FROM dossier_stats WHERE
		received_total <> received_online + received_direct_postal + carried_over
		OR received_total <> resolved_total + pending_total
		OR resolved_total <> resolved_early + resolved_on_time + resolved_late
		OR pending_total <> pending_in_time + pending_overdue`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Errorf("%d dossier_stats rows break the form's identities", bad)
	}
}

// Ranks are competition ranks within the peer group, ties included.
func TestRanks(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	units(t, db, "A,Xã A,commune", "B,Xã B,commune", "C,Xã C,commune", "D,Xã D,commune", "H,Huyện H,district")
	// Per unit: n dossiers received online in March, all resolved early
	// and synced; `late` of them late instead. Scores differ by lateness.
	add := func(unit string, n, late int, online bool) {
		var ds []dossier
		for i := 0; i < n; i++ {
			d := dossier{code: fmt.Sprintf("%s-%d", unit, i), unit: unit, status: "resolved", received: "2026-03-02 08:00:00",
				due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00", channel: "direct"}
			if online {
				d.channel = "online"
			}
			if i < late {
				d.finished = "2026-03-12 10:00:00"
			}
			ds = append(ds, d)
		}
		insert(t, db, ds)
	}
	add("A", 10, 0, true)
	add("B", 10, 2, true)
	add("C", 10, 2, true) // ties with B
	add("D", 10, 5, true)
	add("H", 4, 0, false)
	build(t, w, "calendar")
	checkIdentities(t, db)
	rows, err := db.Query(`SELECT unit_code, rank, peer_count, peer_group FROM index_scores WHERE period = '2026-03' ORDER BY unit_code`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var u, g string
		var r, n int
		rows.Scan(&u, &r, &n, &g)
		got = append(got, fmt.Sprintf("%s:%d/%d:%s", u, r, n, g))
	}
	rows.Close()
	want := "A:1/4:commune B:2/4:commune C:2/4:commune D:4/4:commune H:1/1:district"
	if strings.Join(got, " ") != want {
		t.Errorf("ranks = %s\nwant    %s", strings.Join(got, " "), want)
	}
	// N/A: no fee-bearing dossiers, so paid_online is N/A and its group is
	// left out, the total scaled up to 100. The test dossiers carry no
	// sync, digitisation or reuse flags (NULL, unknown): those indicators
	// are N/A too, not 0 (unknown is not false).
	var na string
	var total float64
	db.QueryRow(`SELECT array_to_string(na_indicators, ','), total_score FROM index_scores WHERE period = '2026-03' AND unit_code = 'A'`).Scan(&na, &total)
	if na != "sync,paid_online,digitized_dossier,digitized_result,reused_data" {
		t.Errorf("na_indicators = %q", na)
	}
	var pts sql.NullFloat64
	db.QueryRow(`SELECT points FROM indicator_values WHERE period = '2026-03' AND unit_code = 'A' AND indicator_code = 'paid_online'`).Scan(&pts)
	if pts.Valid {
		t.Errorf("paid_online points = %v, want N/A (NULL)", pts.Float64)
	}
	// A: progress 20, online 12, satisfaction 18 of the 50 available
	// (CKMB, TTTT and MDSH all N/A) → 50/50×100 = 100.
	if want := 100.0; total < want-1e-9 || total > want+1e-9 {
		t.Errorf("A total = %v, want %v", total, want)
	}
}

// Movement: previous period's rank and score.
func TestMovement(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	units(t, db, "A,Xã A,commune", "B,Xã B,commune")
	insert(t, db, []dossier{
		{code: "a1", unit: "A", status: "resolved", received: "2026-02-02 08:00:00", due: "2026-02-10 17:00:00", finished: "2026-02-05 10:00:00", channel: "online"},
		{code: "b1", unit: "B", status: "resolved", received: "2026-02-02 08:00:00", due: "2026-02-10 17:00:00", finished: "2026-02-12 10:00:00"},
		{code: "a2", unit: "A", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-12 10:00:00"},
		{code: "b2", unit: "B", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00", channel: "online"},
	})
	build(t, w, "calendar")
	var prev, change int
	var sc float64
	if err := db.QueryRow(`SELECT previous_rank, rank_change, score_change FROM index_scores WHERE period = '2026-03' AND unit_code = 'B'`).Scan(&prev, &change, &sc); err != nil {
		t.Fatal(err)
	}
	if prev != 2 || change != 1 || sc <= 0 {
		t.Errorf("B: previous %d change %d score change %v", prev, change, sc)
	}
}

// Each bad methodology fails in Vietnamese, naming the file and the key
// on every line (several problems are listed one a line).
func TestMethodologyErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := osWriteFile(p, body); err != nil {
			t.Fatal(err)
		}
		return p
	}
	group := func(ind string) string {
		return "name: x\nversion: '1'\ngroups:\n  - code: G\n    name_vi: Nhóm\n    max: 10\n    indicators:\n      - " + ind + "\n"
	}
	const ok = "{code: a, numerator: count(*), denominator: count(*), threshold: 1, points: 10}"
	cases := []struct {
		name, body string
		want       []string // each after "phương pháp FILE: "
	}{
		{"points", group("{code: a, numerator: count(*), denominator: count(*), threshold: 1, points: 8}"), []string{"groups[0]: tổng points của các chỉ tiêu là 8 nhưng max của nhóm là 10", "(indicator points add up to 8 but the group max is 10)"}},
		{"no version, no groups", "name: x\ngroups: []\n", []string{"version: bắt buộc", "groups: cần ít nhất một nhóm"}},
		{"name", "name: 1x\nversion: '1'\ngroups: []\n", []string{`name: bắt buộc, gồm chữ cái không dấu, chữ số và _, bắt đầu bằng chữ cái, nhận được "1x"`}},
		{"unknown key", "name: x\nversion: '1'\nbogus: 1\n", []string{"YAML sai cú pháp, hoặc có khóa không có trong phương pháp", "field bogus not found"}},
		{"threshold", group("{code: a, numerator: count(*), denominator: count(*), threshold: 80, points: 10}"), []string{"groups[0].indicators[0].threshold: phải là tỉ lệ lớn hơn 0 và không quá 1 (ví dụ 0.8 cho 80%), nhận được 80"}},
		{"no denominator", group("{code: a, numerator: count(*), threshold: 1, points: 10}"), []string{"groups[0].indicators[0]: cần cả numerator (tử số) và denominator (mẫu số)"}},
		{"semicolon", group("{code: a, numerator: count(*); DROP TABLE x, denominator: count(*), threshold: 1, points: 10}"), []string{"groups[0].indicators[0]: biểu thức không được chứa dấu ';'"}},
		{"indicator code", group("{code: 'a b', numerator: count(*), denominator: count(*), threshold: 1, points: 10}"), []string{`groups[0].indicators[0].code: phải là mã không trùng`, `"a b"`}},
		{"points not positive", group("{code: a, numerator: count(*), denominator: count(*), threshold: 1, points: 0}"), []string{"groups[0].indicators[0].points: phải là số dương"}},
		{"group", "name: x\nversion: '1'\ngroups:\n  - {code: G, max: 0}\n  - {code: G, name_vi: B, max: 1}\n", []string{"groups[0].max: phải là số dương", "groups[0].name_vi: bắt buộc", "groups[0].indicators: cần ít nhất một chỉ tiêu", `groups[1].code: phải là mã không trùng`}},
		{"tiers", group(ok) + "tiers:\n  - {name: A, min: 50}\n  - {min: 80}\n", []string{"tiers[1].name: bắt buộc", "tiers[1].min: các mức xếp loại phải liệt kê theo min từ cao xuống thấp"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(fmt.Sprintf("m%d.yaml", i), c.body)
			_, err := LoadMethodology(p)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err %v, want %q", err, w)
				}
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				// yaml's own list of errors is indented under its first line.
				if !strings.HasPrefix(line, "phương pháp "+p+": ") && !strings.HasPrefix(line, " ") {
					t.Errorf("line %q does not name the file first", line)
				}
			}
		})
	}
	if _, err := LoadMethodology(filepath.Join(dir, "none.yaml")); err == nil || !strings.Contains(err.Error(), "phương pháp "+filepath.Join(dir, "none.yaml")+": không đọc được tệp") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// A methodology file (not the built-in one): an indicator with a zero
// denominator is N/A and its group is scored over the others and scaled up
// to its maximum; the scores record the methodology's name and version.
func TestCustomMethodologyRescalesNA(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	units(t, db, "A,Xã A,commune")
	insert(t, db, []dossier{
		{code: "a1", unit: "A", status: "resolved", received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00", channel: "online"},
		{code: "a2", unit: "A", status: "resolved", received: "2026-03-03 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00", channel: "direct"},
	})
	path := filepath.Join(t.TempDir(), "tinh.yaml")
	body := `name: tinh
version: "2026.2"
groups:
  - code: G1
    name_vi: Nhóm một
    max: 40
    indicators:
      - {code: online, numerator: "count(*) FILTER (WHERE received_in_period AND channel = 'online')", denominator: "count(*) FILTER (WHERE received_in_period)", threshold: 1, points: 30}
      - {code: paid, numerator: "count(*) FILTER (WHERE paid_online)", denominator: "count(*) FILTER (WHERE fee_required)", threshold: 1, points: 10}
  - code: G2
    name_vi: Nhóm hai
    max: 60
    indicators:
      - {code: on_time, numerator: "count(*) FILTER (WHERE outcome IN ('early', 'on_time'))", denominator: "count(*)", threshold: 0.5, points: 60}
tiers:
  - {name: Tốt, min: 50}
  - {name: Yếu, min: 0}
`
	if err := osWriteFile(path, body); err != nil {
		t.Fatal(err)
	}
	m, err := LoadMethodology(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Build(context.Background(), db, "calendar", m, testAsOf); err != nil {
		t.Fatal(err)
	}
	var meth, version, groups, tier string
	var total float64
	if err := db.QueryRow(`SELECT methodology, methodology_version, group_scores::VARCHAR, total_score, tier FROM index_scores WHERE period = '2026-03' AND unit_code = 'A'`).
		Scan(&meth, &version, &groups, &total, &tier); err != nil {
		t.Fatal(err)
	}
	// G1: online 1/2 of threshold 1 → 15 of 30; paid N/A → 15/30 × 40 = 20.
	// G2: on time 2/2 ≥ 0.5 → 60. Total 80.
	if meth != "tinh" || version != "2026.2" || groups != `{"G1":20.0,"G2":60.0}` || total != 80 || tier != "Tốt" {
		t.Errorf("scores: %s %s %s %v %s", meth, version, groups, total, tier)
	}
}

// A field stored as '*' (loaded before the transform read it as none) is
// counted under '(chưa phân loại)': '*' is the unit's total row, and a
// field of that name would make a second one. U1 in 2026-02, by hand:
// one dossier with field '*', two of Hộ tịch → fields (chưa phân loại) 1
// and Hộ tịch 2, one total row of 3.
func TestFieldStarCountedAsNone(t *testing.T) {
	w := openWarehouse(t)
	units(t, w.DB(), "U1,Xã Một,commune")
	insert(t, w.DB(), []dossier{
		{code: "star", field: "*", status: "resolved", received: "2026-02-03 08:00:00", finished: "2026-02-05 08:00:00"},
		{code: "ht-1", field: "Hộ tịch", status: "resolved", received: "2026-02-04 08:00:00", finished: "2026-02-05 08:00:00"},
		{code: "ht-2", field: "Hộ tịch", status: "processing", received: "2026-02-05 08:00:00"},
	})
	build(t, w, "calendar")
	rs, err := w.DB().Query(`SELECT field || ' ' || received_total FROM dossier_stats
		WHERE period = '2026-02' AND unit_code = 'U1' ORDER BY field`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var got []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	want := "(chưa phân loại) 1|* 3|Hộ tịch 2"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("dossier_stats 2026-02 U1 = %s, want %s", g, want)
	}
	checkIdentities(t, w.DB())
}

// The score change is rounded to 9 decimals like the totals it compares:
// the difference of two such doubles is not one itself, and a change
// published with 2 decimals can then fall on the wrong side of a half.
func TestScoreChangeRounded(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	units(t, db, "A,Xã A,commune")
	// One indicator worth the whole 100: the on-time rate of the dossiers
	// resolved in the period. February: 6 of 7 on time, 600/7 =
	// 85,714285714 (9 decimals). March: 1 of 1, 100. The change is 100/7
	// = 14,285714286; 100 − 85.714285714 in doubles is 14.285714286000001.
	var ds []dossier
	for i := 0; i < 7; i++ {
		finished := "2026-02-05 10:00:00"
		if i == 6 {
			finished = "2026-02-12 10:00:00"
		}
		ds = append(ds, dossier{code: fmt.Sprintf("f%d", i), unit: "A", status: "resolved",
			received: "2026-02-02 08:00:00", due: "2026-02-10 17:00:00", finished: finished})
	}
	ds = append(ds, dossier{code: "m0", unit: "A", status: "resolved",
		received: "2026-03-02 08:00:00", due: "2026-03-10 17:00:00", finished: "2026-03-05 10:00:00"})
	insert(t, db, ds)
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := osWriteFile(path, "name: x\nversion: '1'\ngroups:\n  - code: G\n    name_vi: Nhóm\n    max: 100\n    indicators:\n"+
		"      - {code: ontime, numerator: \"count(*) FILTER (WHERE finished_in_period AND outcome <> 'late')\", denominator: \"count(*) FILTER (WHERE finished_in_period)\", threshold: 1, points: 100}\n"); err != nil {
		t.Fatal(err)
	}
	m, err := LoadMethodology(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Build(context.Background(), db, "calendar", m, testAsOf); err != nil {
		t.Fatal(err)
	}
	var total, prev, change float64
	if err := db.QueryRow(`SELECT total_score, previous_score, score_change FROM index_scores WHERE period = '2026-03' AND unit_code = 'A'`).Scan(&total, &prev, &change); err != nil {
		t.Fatal(err)
	}
	if total != 100 || prev != 85.714285714 || change != 14.285714286 {
		t.Errorf("total %v, previous %v, change %v; want 100, 85.714285714, 14.285714286", total, prev, change)
	}
}
