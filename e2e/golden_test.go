package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchc/cchc/publish"
)

func publishPeriod(period, dir string) ([]string, error) {
	return publish.Period(context.Background(), demo.db, period, publish.Options{Dir: dir, Formats: demo.cfg.Publish.Formats, Freshness: demo.cfg.Freshness})
}

// golden compares got with testdata/golden/name; -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./e2e -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s changed; if that is deliberate, run go test ./e2e -update and review the diff\n--- got ---\n%s", name, firstLines(string(got), 30))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// The ranking CSVs of the current quarter (the new communes and wards, the
// departments after their merger) and of the last quarter before the July
// 2025 reform (the districts) are golden: a change to the methodology, the
// outcome rules or the formatting must be deliberate.
func TestGoldenRankings(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ period, group string }{
		{"2026-Q3", "commune"}, {"2026-Q3", "department"}, {"2025-Q2", "district"},
	} {
		if _, err := os.Stat(filepath.Join(dir, c.period)); err != nil {
			if _, err := publishPeriod(c.period, dir); err != nil {
				t.Fatal(err)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, c.period, "ranking-"+c.group+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, c.period+"-ranking-"+c.group+".csv", b)
	}
	// The districts were dissolved on 1 July 2025: no district ranking
	// after it.
	if _, err := os.Stat(filepath.Join(dir, "2026-Q3", "ranking-district.csv")); err == nil {
		t.Error("2026-Q3 has a district ranking, after the districts were dissolved")
	}
}

// The official statistics of one unit, every period, are golden.
func TestGoldenUnitStats(t *testing.T) {
	rows, err := demo.db.Query(`SELECT period, field, received_total, received_online, received_direct_postal, carried_over,
		resolved_total, resolved_early, resolved_on_time, resolved_late, pending_total, pending_in_time, pending_overdue,
		withdrawn, rejected, stopped, supplement_requested
		FROM dossier_stats WHERE unit_code = 'H.BAVI' ORDER BY period, field`)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "H.BAVI-dossier-stats.csv", []byte(csvOf(t, rows)))
}

func csvOf(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	cols, _ := rows.Columns()
	var sb strings.Builder
	sb.WriteString(strings.Join(cols, ",") + "\n")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				cells[i] = ""
			case time.Time:
				cells[i] = x.Format("2006-01-02 15:04:05")
			case string:
				if strings.ContainsAny(x, ",\"\n") {
					x = `"` + strings.ReplaceAll(x, `"`, `""`) + `"`
				}
				cells[i] = x
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		sb.WriteString(strings.Join(cells, ",") + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// The normalized output of each sample format: the first dossiers of one
// file per format, as the warehouse holds them, are golden.
func TestGoldenNormalized(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range demo.manifest.Files {
		kind := f.Format
		if f.Encoding != "" {
			kind += "-" + f.Encoding
		}
		if f.Delimiter != "" {
			kind += "-" + map[string]string{",": "comma", ";": "semicolon", "\t": "tab"}[f.Delimiter]
		}
		if f.BOM {
			kind += "-bom"
		}
		if len(f.HeaderRows) > 1 {
			kind += "-two-row-header"
		}
		if f.Normalized != "" {
			kind += "-" + strings.ToLower(f.Normalized)
		}
		kind = strings.TrimSuffix(kind, "-")
		if seen[kind] {
			continue
		}
		seen[kind] = true
		path := filepath.Join(demo.dir, filepath.FromSlash(f.Path))
		rows, err := demo.db.Query(`SELECT source_row, dossier_code, unit_code, procedure_code, procedure_name, field, channel,
			received_at, due_at, finished_at, returned_at, status, supplement_requests, supplement_days, online_level,
			fee_required, paid_online, synced_national, digitized_dossier, digitized_result, reused_data, rating
			FROM dossiers WHERE source_file = ? ORDER BY source_row LIMIT 12`, path)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "normalized/"+kind+".csv", []byte("# "+f.Path+"\n"+csvOf(t, rows)))
	}
	if len(seen) < 6 {
		t.Errorf("only %d sample formats: %v", len(seen), seen)
	}
}

// At the demo's clock (7 Nov 2026, grace 15 days) 2026-10 is provisional
// (final on 16 Nov) and 2026-Q3 final: the CSV of the first starts with
// the "Số liệu tạm tính" line, the second with its header.
func TestDemoProvisionalPeriods(t *testing.T) {
	dir := t.TempDir()
	for period, want := range map[string]string{"2026-10": `"Số liệu tạm tính: Tháng 10/2026`, "2026-Q3": "Hạng,"} {
		if _, err := publishPeriod(period, dir); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, period, "ranking-commune.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if first := strings.SplitN(strings.TrimPrefix(string(b), "\uFEFF"), "\r\n", 2)[0]; !strings.HasPrefix(first, want) {
			t.Errorf("%s: first line %q, want it to start with %q", period, first, want)
		}
	}
	var final, provisional string
	if err := demo.db.QueryRow(`SELECT string_agg(period, ',' ORDER BY period) FILTER (WHERE NOT provisional),
		string_agg(period, ',' ORDER BY period) FILTER (WHERE provisional) FROM periods`).Scan(&final, &provisional); err != nil {
		t.Fatal(err)
	}
	if provisional != "2026,2026-10,2026-11,2026-H2,2026-Q4" {
		t.Errorf("provisional periods %s (final %s)", provisional, final)
	}
}
