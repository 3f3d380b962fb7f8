package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runOnce writes a project (units.csv, one export, cchc.yaml publishing
// csv, json and html), runs it once with the clock at 20/05/2026 and
// returns its folder and a query of one text column.
func runOnce(t *testing.T, unitsCSV, export string) (string, func(q string) []string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"units.csv":      unitsCSV,
		"exports/01.csv": export,
		"cchc.yaml": "warehouse: ./cchc.duckdb\nunits: ./units.csv\nfreshness: 0s\nsources:\n  - name: a\n    path: ./exports/*.csv\n" +
			"publish:\n  dir: ./out\n  formats: [csv, json, html]\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, reg, w := openProject(t, dir)
	now := time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)
	if _, err := Run(context.Background(), cfg, w, reg, Options{Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	return dir, func(q string) []string {
		t.Helper()
		return queryList(t, w, q)
	}
}

const pubUnitsHeader = "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n"

// A dossier whose field is only "*" is counted as one without a field:
// X.C in 2026-02 has three dossiers, fields "*", Hộ tịch, Hộ tịch. By
// hand: (chưa phân loại) 1, Hộ tịch 2, and one total row '*' of 3.
func TestFieldStarOneTotalRow(t *testing.T) {
	_, rows := runOnce(t, pubUnitsHeader+"X.C,UBND xã C,commune,,,,,\n", incrHeader+
		incrRow("HS-1", "X.C", 2, 3, 7, 2, " * ")+
		incrRow("HS-2", "X.C", 2, 4, 7, 2, "Hộ tịch")+
		incrRow("HS-3", "X.C", 2, 5, 7, 2, "Hộ tịch"))
	got := strings.Join(rows(`SELECT field || ' ' || received_total FROM dossier_stats WHERE period = '2026-02' AND unit_code = 'X.C' ORDER BY field`), "|")
	if want := "(chưa phân loại) 1|* 3|Hộ tịch 2"; got != want {
		t.Errorf("dossier_stats 2026-02 X.C = %s, want %s", got, want)
	}
	if got := rows(`SELECT count(*)::VARCHAR FROM dossiers WHERE field = '*'`); got[0] != "0" {
		t.Errorf("%s dossiers with field '*' in the warehouse", got[0])
	}
}

// X.C and X.D both have February dossiers, only X.C March ones: in
// 2026-03 X.D has no rank and a previous rank. February, by hand: both
// resolved early, but X.D's was received online (day 4, incrRow), so
// X.D 1st, X.C 2nd. report.html for 2026-03: X.C 2 → 1 (up), X.D no data:
// "Tăng hạng: 1", "Không có dữ liệu trong kỳ: 1", and no "Chưa có kỳ
// trước".
func TestReportUnrankedNotNew(t *testing.T) {
	dir, rows := runOnce(t, pubUnitsHeader+"X.C,UBND xã C,commune,,,,,\nX.D,UBND xã D,commune,,,,,\n", incrHeader+
		incrRow("HS-1", "X.C", 2, 3, 7, 2, "Hộ tịch")+
		incrRow("HS-2", "X.D", 2, 4, 7, 2, "Hộ tịch")+
		incrRow("HS-3", "X.C", 3, 5, 7, 2, "Hộ tịch"))
	got := strings.Join(rows(`SELECT unit_code || ' ' || coalesce(rank::VARCHAR, '-') || ' ' || coalesce(previous_rank::VARCHAR, '-')
		FROM index_scores WHERE period = '2026-03' ORDER BY unit_code`), "|")
	if want := "X.C 1 2|X.D - 1"; got != want {
		t.Fatalf("index_scores 2026-03 = %s, want %s", got, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "2026-03", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"▲ Tăng hạng: 1</span>", "Không có dữ liệu trong kỳ: 1</span>"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(page, "Chưa có kỳ trước") || strings.Contains(page, "chưa có kỳ trước") {
		t.Error("report.html counts a unit as without a previous period")
	}
}

// A→B on 10/02/2026, B→C (new) on 01/03/2026: 2026-Q1's publications say
// each step with the merged unit's own successor, and the second is a
// rename (C has one predecessor). By hand: "Xã A được sáp nhập vào Xã B
// từ 10/02/2026", "Xã B đổi tên thành Xã C từ 01/03/2026"; 2026-02 (B
// stands at its end): the first only; 2026-03: the second only.
func TestMergerChainSentences(t *testing.T) {
	dir, rows := runOnce(t, pubUnitsHeader+
		"X.A,Xã A,commune,,,2026-02-10,X.B,\n"+
		"X.B,Xã B,commune,,,2026-03-01,X.C,\n"+
		"X.C,Xã C,commune,,2026-03-01,,,\n"+
		"X.D,Xã D,commune,,,,,\n", incrHeader+
		incrRow("HS-1", "X.A", 1, 5, 7, 2, "Hộ tịch")+
		incrRow("HS-2", "X.B", 1, 6, 7, 2, "Hộ tịch")+
		incrRow("HS-3", "X.D", 3, 5, 7, 2, "Hộ tịch"))
	got := strings.Join(rows(`SELECT period || ' ' || unit_code || '<' || successor_code || ' ' || strftime(merged_on, '%d/%m') || ' ' ||
			new_unit || ' ' || renamed || ' ' || array_to_string(predecessor_codes, '+')
		FROM unit_mergers WHERE period IN ('2026-Q1', '2026-02', '2026-03') ORDER BY period, merged_on`), "|")
	want := "2026-02 X.B<X.B 10/02 false false X.A|2026-03 X.C<X.C 01/03 true true X.B|" +
		"2026-Q1 X.C<X.B 10/02 false false X.A|2026-Q1 X.C<X.C 01/03 true true X.B"
	if got != want {
		t.Errorf("unit_mergers:\n got %s\nwant %s", got, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "2026-Q1", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"<li>Xã A được sáp nhập vào Xã B từ 10/02/2026</li>", "<li>Xã B đổi tên thành Xã C từ 01/03/2026</li>"} {
		if !strings.Contains(page, want) {
			t.Errorf("2026-Q1 report.html lacks %q", want)
		}
	}
	for _, bad := range []string{"vào Xã C", "Xã C được hợp nhất"} {
		if strings.Contains(page, bad) {
			t.Errorf("2026-Q1 report.html says %q", bad)
		}
	}
}
