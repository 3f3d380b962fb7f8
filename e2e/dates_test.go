package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// No publication of the demo shows a data date after its period's last
// day. index_scores.data_until is capped at the last moment inside the
// period (end_at is exclusive): every demo unit keeps sending exports
// after 30 September 2026, so in 2026-Q3 (end_at 2026-10-01 00:00) each
// unit with data reaches 2026-09-30 23:59:59.999999, published as
// "2026-09-30" in the JSON and Parquet and "Số liệu hồ sơ đến ngày
// 30/09/2026" in report.html, not 01/10/2026. Checked for every period the
// run published.
func TestDataDatesInsidePeriod(t *testing.T) {
	if n := query[int64](t, `SELECT count(*) FROM index_scores s JOIN periods p USING (period) WHERE s.data_until >= p.end_at`); n != 0 {
		t.Errorf("%d index_scores rows with data_until at or after their period's end", n)
	}
	if got := query[string](t, `SELECT strftime(max(data_until), '%Y-%m-%d %H:%M:%S.%f') FROM index_scores WHERE period = '2026-Q3'`); got != "2026-09-30 23:59:59.999999" {
		t.Errorf("2026-Q3 newest data_until = %s, want 2026-09-30 23:59:59.999999", got)
	}
	jsons, err := filepath.Glob(filepath.Join(demo.cfg.Publish.Dir, "*", "ranking-*.json"))
	if err != nil || len(jsons) < 20 {
		t.Fatalf("%d ranking JSON files (%v)", len(jsons), err)
	}
	dataDate := regexp.MustCompile(`Số liệu hồ sơ đến ngày (\d\d/\d\d/\d{4})`)
	for _, path := range jsons {
		var doc struct {
			PeriodEnd string `json:"period_end"`
			Units     []struct {
				UnitCode  string  `json:"unit_code"`
				DataUntil *string `json:"data_until"`
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rel, _ := filepath.Rel(demo.cfg.Publish.Dir, path)
		for _, u := range doc.Units {
			// ISO dates compare as strings.
			if u.DataUntil != nil && *u.DataUntil > doc.PeriodEnd {
				t.Errorf("%s: %s data_until %s after period_end %s", rel, u.UnitCode, *u.DataUntil, doc.PeriodEnd)
			}
		}
		pq := path[:len(path)-len(".json")] + ".parquet"
		if after := query[int64](t, `SELECT count(*) FROM read_parquet(?) WHERE data_until > CAST(? AS DATE)`, pq, doc.PeriodEnd); after != 0 {
			t.Errorf("%s: %d rows with data_until after %s", filepath.Base(pq), after, doc.PeriodEnd)
		}
		report, err := os.ReadFile(filepath.Join(filepath.Dir(path), "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		if m := dataDate.FindSubmatch(report); m != nil {
			shown, _ := time.Parse("02/01/2006", string(m[1]))
			end, _ := time.Parse("2006-01-02", doc.PeriodEnd)
			if shown.After(end) {
				t.Errorf("%s/report.html: data until %s, after the period's last day %s", filepath.Dir(rel), m[1], doc.PeriodEnd)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(demo.cfg.Publish.Dir, "2026-Q3", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if m := dataDate.FindSubmatch(b); m == nil || string(m[1]) != "30/09/2026" {
		t.Errorf("2026-Q3/report.html data date %q, want 30/09/2026", m)
	}
}
