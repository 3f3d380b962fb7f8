package publish

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The publications of a period list the mergers that affect it: in the
// fixture's 2026-Q3, huyện Cũ was merged into Thị xã Sơn Tây on 01/09/2026, xã Tây Đằng and xã Chu Minh were merged into the new
// xã Tây Đằng Mới on 15/08/2026, and xã Vật Lại into the existing Thị trấn
// Tây Đằng on 01/07/2026 (the period's first day: it stood at Q2's end).
// A unit merged before Q3 (30/06/2026) does not affect it.
func TestPublicationsListMergers(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO units (unit_code, name, level, valid_from, valid_to, successor_code) VALUES
		 ('X.A', 'Xã Tây Đằng', 'commune', NULL, DATE '2026-08-15', 'X.NEW'),
		 ('X.B', 'Xã Chu Minh', 'commune', NULL, DATE '2026-08-15', 'X.NEW'),
		 ('X.NEW', 'Xã Tây Đằng Mới', 'commune', DATE '2026-08-15', NULL, NULL),
		 ('X.C', 'Xã Vật Lại', 'commune', NULL, DATE '2026-07-01', 'X.TAYDANG'),
		 ('X.D', 'Xã Cũ', 'commune', NULL, DATE '2026-06-30', 'X.TAYDANG'),
		 ('H.OLD', 'Huyện Cũ', 'district', NULL, DATE '2026-09-01', 'H.SONTAY')`,
		`INSERT INTO unit_attribution VALUES
		 ('2026-Q3', 'X.A', 'X.NEW', false, 1), ('2026-Q3', 'X.B', 'X.NEW', false, 1),
		 ('2026-Q3', 'X.NEW', 'X.NEW', true, 0), ('2026-Q3', 'X.C', 'X.TAYDANG', false, 1),
		 ('2026-Q3', 'X.D', 'X.TAYDANG', false, 1), ('2026-Q3', 'H.OLD', 'H.SONTAY', false, 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	dir := t.TempDir()
	if _, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"csv", "json", "html"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Huyện Cũ được sáp nhập vào Thị xã Sơn Tây từ 01/09/2026",
		"Xã Tây Đằng Mới được hợp nhất từ Xã Tây Đằng, Xã Chu Minh từ 15/08/2026",
		"Xã Vật Lại được sáp nhập vào Thị trấn Tây Đằng từ 01/07/2026",
	}
	html := string(readFile(t, filepath.Join(dir, testPeriod, "report.html")))
	for _, w := range want {
		if !strings.Contains(html, "<li>"+w+"</li>") {
			t.Errorf("report.html lacks %q", w)
		}
	}
	if strings.Contains(html, "Xã Cũ") {
		t.Error("report.html lists a merger of the previous period")
	}
	var doc struct {
		Mergers []string `json:"mergers"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, testPeriod, "ranking-district.json")), &doc); err != nil {
		t.Fatal(err)
	}
	if strings.Join(doc.Mergers, "|") != strings.Join(want, "|") {
		t.Errorf("JSON mergers = %q", doc.Mergers)
	}
	// The unit that took the merged ones over says so in its row.
	csv := string(readFile(t, filepath.Join(dir, testPeriod, "ranking-district.csv")))
	for _, line := range strings.Split(csv, "\r\n") {
		if strings.Contains(line, ",H.SONTAY,") && !strings.HasSuffix(line, "; "+want[0]+`"`) {
			t.Errorf("H.SONTAY row lacks the merger note:\n%s", line)
		}
	}
}

// A chain of mergers within one period reads step by step, each sentence
// naming the merged unit's own successor, and a new unit formed from one
// unit is a rename. In the fixture's 2026-Q3: xã Phù Lưu merged into the
// existing xã Đông Lỗ on 20/07/2026, which became the new xã Đông Phù on
// 20/08/2026 (its only predecessor), standing at the period's end for
// both. By hand: "Xã Phù Lưu được sáp nhập vào Xã Đông Lỗ từ 20/07/2026"
// (not "vào Xã Đông Phù": it did not exist then), then "Xã Đông Lỗ đổi
// tên thành Xã Đông Phù từ 20/08/2026" (not "được hợp nhất từ" one unit).
func TestPublicationsMergerChain(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO units (unit_code, name, level, valid_from, valid_to, successor_code) VALUES
		 ('X.PL', 'Xã Phù Lưu', 'commune', NULL, DATE '2026-07-20', 'X.DL'),
		 ('X.DL', 'Xã Đông Lỗ', 'commune', NULL, DATE '2026-08-20', 'X.DP'),
		 ('X.DP', 'Xã Đông Phù', 'commune', DATE '2026-08-20', NULL, NULL)`,
		`INSERT INTO unit_attribution VALUES
		 ('2026-Q3', 'X.PL', 'X.DP', false, 2), ('2026-Q3', 'X.DL', 'X.DP', false, 1), ('2026-Q3', 'X.DP', 'X.DP', true, 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	// The view: both rows under the unit standing at the end (X.DP), each
	// with its own successor; only the second is a new unit, and a rename.
	rows, err := db.QueryContext(ctx, `SELECT unit_code || ' ' || name || ' ' || strftime(merged_on, '%d/%m') || ' ' || successor_code || ' ' ||
			successor_name || ' ' || new_unit || ' ' || renamed || ' ' || array_to_string(predecessor_codes, '+')
		FROM unit_mergers WHERE period = '2026-Q3' ORDER BY merged_on`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	wantRows := "X.DP Xã Đông Phù 20/07 X.DL Xã Đông Lỗ false false X.PL|X.DP Xã Đông Phù 20/08 X.DP Xã Đông Phù true true X.DL"
	if g := strings.Join(got, "|"); g != wantRows {
		t.Errorf("unit_mergers 2026-Q3:\n got %s\nwant %s", g, wantRows)
	}

	dir := t.TempDir()
	if _, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"html"}}); err != nil {
		t.Fatal(err)
	}
	html := string(readFile(t, filepath.Join(dir, testPeriod, "report.html")))
	want := []string{
		"<li>Xã Phù Lưu được sáp nhập vào Xã Đông Lỗ từ 20/07/2026</li>",
		"<li>Xã Đông Lỗ đổi tên thành Xã Đông Phù từ 20/08/2026</li>",
	}
	at := -1
	for _, w := range want {
		i := strings.Index(html, w)
		if i < 0 {
			t.Errorf("report.html lacks %q", w)
			continue
		}
		if i < at {
			t.Errorf("report.html lists %q before the merger it follows", w)
		}
		at = i
	}
	for _, bad := range []string{"vào Xã Đông Phù từ 20/07/2026", "Xã Đông Phù được hợp nhất từ Xã Đông Lỗ"} {
		if strings.Contains(html, bad) {
			t.Errorf("report.html says %q", bad)
		}
	}
}
