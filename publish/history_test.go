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
