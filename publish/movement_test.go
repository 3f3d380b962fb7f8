package publish

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The report's movement summary counts a unit without a rank this period
// apart from a unit new to the ranking: "Chưa có kỳ trước" is a ranked
// unit without a previous rank only.
func TestReportMovementUnranked(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO units (unit_code, name, level) VALUES ('H.GONE', 'Huyện Vắng', 'district'), ('H.NEW', 'Huyện Mới', 'district')`,
		// H.GONE: ranked 3rd in 2026-Q2 (restated), no data in 2026-Q3.
		`INSERT INTO index_scores (methodology, methodology_version, period, unit_code, peer_group, group_scores, peer_count,
			previous_rank, previous_score, provisional)
		 VALUES ('default', '1.0', '2026-Q3', 'H.GONE', 'district', '{"CKMB":null,"TDGQ":null,"CLGQ":null,"TTTT":null,"MDHL":null,"MDSH":null}', 3,
			3, 86.5, false)`,
		// H.NEW: no data in either period.
		`INSERT INTO index_scores (methodology, methodology_version, period, unit_code, peer_group, group_scores, peer_count, provisional)
		 VALUES ('default', '1.0', '2026-Q3', 'H.NEW', 'district', '{"CKMB":null,"TDGQ":null,"CLGQ":null,"TTTT":null,"MDHL":null,"MDSH":null}', 3, false)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	dir := t.TempDir()
	publishTo(t, db, dir)
	b, err := os.ReadFile(filepath.Join(dir, testPeriod, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	start := strings.Index(page, `<section id="xh-ranking-district">`)
	if start < 0 {
		t.Fatal("no district section")
	}
	sec := page[start:]
	sec = sec[:strings.Index(sec, "</section>")]
	tags := regexp.MustCompile(`<[^>]*>`)
	summary := regexp.MustCompile(`(?s)<p class="summary">.*?</p>`).FindString(sec)
	// By hand, districts of 2026-Q3: H.BAVI 2nd → 1st (up), H.SONTAY 1st →
	// 2nd (down), H.AB ranked without a previous rank (new), H.GONE and
	// H.NEW without a rank (no data), whatever their previous rank.
	want := "▲ Tăng hạng: 1 · ▼ Giảm hạng: 1 · ● Giữ nguyên: 0 · Chưa có kỳ trước: 1 · Không có dữ liệu trong kỳ: 2"
	if got := tags.ReplaceAllString(summary, ""); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	// In the movement table, H.GONE: previous rank 3/3, no rank, no data.
	row := regexp.MustCompile(`<tr><td>Huyện Vắng</td>.*?</tr>`).FindString(sec)
	if got, want := tags.ReplaceAllString(strings.ReplaceAll(row, "</td><td", "</td>|<td"), ""), "Huyện Vắng|3/3||– không có dữ liệu trong kỳ|"; got != want {
		t.Errorf("H.GONE movement row = %q, want %q", got, want)
	}
}
