package publish

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testPeriod = "2026-Q3"

var testOptions = Options{Formats: Formats, Freshness: 30 * 24 * time.Hour}

// publishTo publishes the fixture period into dir.
func publishTo(t *testing.T, db *sql.DB, dir string) []string {
	t.Helper()
	opts := testOptions
	opts.Dir = dir
	paths, err := Period(context.Background(), db, testPeriod, opts)
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestPeriod(t *testing.T) {
	db := newFixture(t)
	dir := t.TempDir()
	paths := publishTo(t, db, dir)
	out := filepath.Join(dir, testPeriod)

	t.Run("files", func(t *testing.T) {
		var want []string
		for _, stem := range []string{"ranking-department", "ranking-district", "ranking-pilot-department"} {
			for _, ext := range []string{"csv", "json", "parquet", "xlsx"} {
				want = append(want, filepath.Join(out, stem+"."+ext))
			}
		}
		want = append(want, filepath.Join(out, "dossier-stats.xlsx"), filepath.Join(out, "report.html"))
		sort.Strings(want)
		if strings.Join(paths, "\n") != strings.Join(want, "\n") {
			t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") || strings.Contains(e.Name(), ".tmp") {
				t.Errorf("temporary file left behind: %s", e.Name())
			}
		}
		if len(entries) != len(want) {
			t.Errorf("%d files in %s, want %d", len(entries), out, len(want))
		}
	})

	t.Run("golden", func(t *testing.T) {
		for _, name := range []string{
			"ranking-district.csv", "ranking-department.csv", "ranking-pilot-department.csv",
			"ranking-district.json", "ranking-department.json", "ranking-pilot-department.json",
		} {
			got := readFile(t, filepath.Join(out, name))
			golden := filepath.Join("testdata", testPeriod, name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./publish/ -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", name, golden, got)
			}
		}
	})

	t.Run("csv", func(t *testing.T) {
		b := readFile(t, filepath.Join(out, "ranking-district.csv"))
		if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
			t.Fatal("no UTF-8 byte-order mark")
		}
		text := string(b[3:])
		lines := strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n")
		if strings.Count(text, "\n") != strings.Count(text, "\r\n") {
			t.Error("line ends are not all CRLF")
		}
		wantHeader := `Hạng,Mã đơn vị,Tên đơn vị,"Công khai, minh bạch (18)",Tiến độ giải quyết (20),` +
			`Dịch vụ công trực tuyến (12),Thanh toán trực tuyến (10),Mức độ hài lòng (18),Số hóa hồ sơ (22),` +
			`Tổng điểm,Xếp loại,Hạng kỳ trước,Thay đổi hạng,Thay đổi điểm,Ghi chú`
		if lines[0] != wantHeader {
			t.Errorf("header\n%s\nwant\n%s", lines[0], wantHeader)
		}
		if len(lines) != 4 {
			t.Fatalf("%d lines, want header + 3", len(lines))
		}
		for i, want := range []string{
			`1/3,H.BAVI,Huyện Ba Vì,"17,25","19,50","12,00","10,00","15,68","17,00","91,43",Xuất sắc,2/2,tăng 1 bậc,"+2,76 điểm",`,
			// A tie: both units second, then by unit_code.
			`2/3,H.AB,Huyện A & B <Thử>,"16,00","18,00","11,50","9,00","15,00","16,00","85,50",Tốt,,,,`,
			`2/3,H.SONTAY,Thị xã Sơn Tây,"18,00","20,00","10,00","10,00","12,50","15,00","85,50",Tốt,1/2,giảm 1 bậc,"-0,50 điểm","Không có dữ liệu: paid_online (không trừ điểm, nhóm được quy đổi); dữ liệu đến ngày 15/08/2026"`,
		} {
			if lines[i+1] != want {
				t.Errorf("row %d\n%s\nwant\n%s", i+1, lines[i+1], want)
			}
		}
		dept := string(readFile(t, filepath.Join(out, "ranking-department.csv")))
		if !strings.Contains(dept, `1/2,S.TC,Sở Tài chính,`) || !strings.Contains(dept, `Khá,1/2,giữ nguyên,"0,00 điểm",`) {
			t.Errorf("department ranking:\n%s", dept)
		}
	})

	t.Run("json", func(t *testing.T) {
		b := readFile(t, filepath.Join(out, "ranking-district.json"))
		if !bytes.HasSuffix(b, []byte("}\n")) || !bytes.HasPrefix(b, []byte("{\n  \"title\": \"Xếp hạng cấp huyện, Quý III/2026\",\n  \"period\": \"2026-Q3\",\n  \"provisional\": false,\n")) {
			t.Errorf("not 2-space indented with a trailing newline:\n%s", b)
		}
		var doc struct {
			Period, PeerGroup, Methodology, MethodologyVersion string
			Units                                              []struct {
				Rank         int
				PeerCount    int    `json:"peer_count"`
				UnitCode     string `json:"unit_code"`
				UnitName     string `json:"unit_name"`
				Groups       json.RawMessage
				TotalScore   float64  `json:"total_score"`
				PreviousRank *int     `json:"previous_rank"`
				ScoreChange  *float64 `json:"score_change"`
				Stale        bool
				DataUntil    *string  `json:"data_until"`
				NAIndicators []string `json:"na_indicators"`
			}
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Units) != 3 || doc.Units[0].UnitCode != "H.BAVI" || doc.Units[0].TotalScore != 91.43 {
			t.Fatalf("units: %+v", doc.Units)
		}
		if u := doc.Units[0]; *u.ScoreChange != 2.76 || *u.PreviousRank != 2 || *u.DataUntil != "2026-09-30" || u.Stale {
			t.Errorf("first unit: %+v", u)
		}
		if u := doc.Units[2]; !u.Stale || len(u.NAIndicators) != 1 || u.NAIndicators[0] != "paid_online" || u.Rank != 2 || u.PeerCount != 3 {
			t.Errorf("stale unit: %+v", u)
		}
		if u := doc.Units[1]; u.UnitName != "Huyện A & B <Thử>" || u.PreviousRank != nil || u.NAIndicators == nil {
			t.Errorf("new unit: %+v", u)
		}
		keys := objectKeys(t, doc.Units[2].Groups)
		if strings.Join(keys, ",") != "CKMB,TDGQ,CLGQ,TTTT,MDHL,MDSH" {
			t.Errorf("groups in order %v, want position order", keys)
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		f, err := excelize.OpenFile(filepath.Join(out, "ranking-district.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 1 || got[0] != "Cấp huyện" {
			t.Fatalf("sheets %v", got)
		}
		rows, err := f.GetRows("Cấp huyện")
		if err != nil {
			t.Fatal(err)
		}
		// Row 1 the title (a final period: no provisional mark), row 2
		// the header, then the 3 units.
		if rows[0][0] != "XẾP HẠNG CẤP HUYỆN, QUÝ III/2026" || rows[1][0] != "Hạng" || rows[1][3] != "Công khai, minh bạch (18)" || len(rows) != 5 {
			t.Errorf("rows %q", rows)
		}
		if typ, _ := f.GetCellType("Cấp huyện", "J3"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("total score cell type %v, want a number", typ)
		}
		if v, _ := f.GetCellValue("Cấp huyện", "J3", excelize.Options{RawCellValue: true}); v != "91.43" {
			t.Errorf("J3 = %q, want 91.43", v)
		}
		if v, _ := f.GetCellValue("Cấp huyện", "J3"); v != "91.43" {
			t.Errorf("J3 shown as %q, want 91.43 (format 0.00)", v)
		}
		panes, err := f.GetPanes("Cấp huyện")
		if err != nil || !panes.Freeze || panes.YSplit != 2 || panes.TopLeftCell != "A3" {
			t.Errorf("panes %+v, %v: want the title and header frozen", panes, err)
		}
		// The filter on the header and the 3 units: A2:O5 (15 columns:
		// rank, code, name, 6 groups, total, tier, previous rank, rank
		// change, score change, remarks).
		filter := ""
		for _, dn := range f.GetDefinedName() {
			if dn.Name == "_xlnm._FilterDatabase" {
				filter = dn.RefersTo
			}
		}
		if filter != "'Cấp huyện'!$A$2:$O$5" {
			t.Errorf("autofilter %q, want A2:O5", filter)
		}
		if hf, err := f.GetHeaderFooter("Cấp huyện"); err != nil || hf.OddHeader != "" || strings.Contains(hf.OddFooter, "tạm tính") {
			t.Errorf("final ranking printed with %+v (%v)", hf, err)
		}
		props, err := f.GetDocProps()
		if err != nil || props.Created != "2026-10-01T00:00:00Z" || props.Language != "vi-VN" {
			t.Errorf("doc props %+v, %v", props, err)
		}
	})

	t.Run("dossier-stats", func(t *testing.T) {
		f, err := excelize.OpenFile(filepath.Join(out, "dossier-stats.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := strings.Join(f.GetSheetList(), ","); got != "Cấp sở,Cấp huyện,Cấp xã" {
			t.Fatalf("sheets %s", got)
		}
		merged, err := f.GetMergeCells("Cấp sở")
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]string{}
		for _, m := range merged {
			have[m.GetStartAxis()+":"+m.GetEndAxis()] = m.GetCellValue()
		}
		for ref, want := range map[string]string{
			"A6:A7": "STT", "B6:B7": "Đơn vị / Lĩnh vực",
			"C6:F6": "Số hồ sơ nhận giải quyết", "G6:J6": "Số hồ sơ đã giải quyết", "K6:M6": "Số hồ sơ đang giải quyết",
			"N6:N7": "Rút hồ sơ", "O6:O7": "Từ chối", "P6:P7": "Chờ bổ sung",
		} {
			if have[ref] != want {
				t.Errorf("merged %s = %q, want %q (all: %v)", ref, have[ref], want, have)
			}
		}
		rows, err := f.GetRows("Cấp sở")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rows[2][0], "Từ ngày 01/07/2026 đến ngày 30/09/2026") {
			t.Errorf("period line %q", rows[2][0])
		}
		if got := strings.Join(rows[6][2:6], "|"); got != "Tổng số|Trong kỳ: Trực tuyến|Trong kỳ: Trực tiếp, dịch vụ bưu chính|Từ kỳ trước chuyển qua" {
			t.Errorf("sub-header %s", got)
		}
		var names []string
		for _, r := range rows[7:] {
			names = append(names, r[1])
		}
		// Units by code, fields in Vietnamese order (Đ after D, before G).
		want := "Sở Tài chính,Đất đai,Giáo dục,Xây dựng,Sở Y tế,Tổng cộng"
		if got := strings.Join(names, ","); got != want {
			t.Errorf("rows %s, want %s", got, want)
		}
		last := rows[len(rows)-1]
		if last[2] != "1,910" && last[2] != "1910" { // shown with #,##0
			t.Errorf("grand total received %q, want 1910", last[2])
		}
		if v, _ := f.GetCellValue("Cấp sở", "C13", excelize.Options{RawCellValue: true}); v != "1910" {
			t.Errorf("C13 = %q, want 1910", v)
		}
		panes, err := f.GetPanes("Cấp sở")
		if err != nil || !panes.Freeze || panes.YSplit != 7 {
			t.Errorf("panes %+v, %v", panes, err)
		}
		// A unit without a total row gets the sum of its fields.
		rows, _ = f.GetRows("Cấp huyện")
		var sontay []string
		for _, r := range rows {
			if len(r) > 2 && r[1] == "Thị xã Sơn Tây" {
				sontay = r
			}
		}
		if sontay == nil || sontay[2] != "40" {
			t.Errorf("Sơn Tây total %q, want received 40", sontay)
		}
	})

	t.Run("parquet", func(t *testing.T) {
		p := filepath.Join(out, "ranking-district.parquet")
		rows, err := db.Query(`SELECT unit_code, rank, "CKMB", total_score, stale, typeof(rank), typeof(total_score), typeof(stale)
			FROM read_parquet(?)`, p)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var code, trank, ttotal, tstale string
			var rank int
			var ckmb, total float64
			var stale bool
			if err := rows.Scan(&code, &rank, &ckmb, &total, &stale, &trank, &ttotal, &tstale); err != nil {
				t.Fatal(err)
			}
			got = append(got, code)
			if trank != "INTEGER" || ttotal != "DOUBLE" || tstale != "BOOLEAN" {
				t.Errorf("types %s %s %s", trank, ttotal, tstale)
			}
			if code == "H.BAVI" && (ckmb != 17.25 || total != 91.43 || rank != 1 || stale) {
				t.Errorf("H.BAVI: %v %v %v %v", ckmb, total, rank, stale)
			}
			if code == "H.SONTAY" && !stale {
				t.Error("H.SONTAY not stale")
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != "H.BAVI,H.AB,H.SONTAY" {
			t.Errorf("rows %v, want by rank then unit_code", got)
		}
		var cols string
		if err := db.QueryRow(`SELECT string_agg(column_name, ',' ORDER BY column_index) FROM (SELECT column_name, row_number() OVER () AS column_index FROM (DESCRIBE SELECT * FROM read_parquet(?)))`, p).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(cols, "unit_code,unit_name,rank,peer_count,CKMB,TDGQ,CLGQ,TTTT,MDHL,MDSH,total_score,tier,previous_rank,rank_change,score_change,stale") {
			t.Errorf("columns %s", cols)
		}
	})

	t.Run("html", func(t *testing.T) {
		b := readFile(t, filepath.Join(out, "report.html"))
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var svgs, tables int
		var texts []string
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "svg":
					svgs++
				case "table":
					tables++
				case "script", "link", "img", "iframe":
					t.Errorf("external or script element <%s>", n.Data)
				}
				if n.Data == "html" {
					for _, a := range n.Attr {
						if a.Key == "lang" && a.Val != "vi" {
							t.Errorf("lang=%q", a.Val)
						}
					}
				}
			}
			if n.Type == html.TextNode {
				texts = append(texts, n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		s := string(b)
		if svgs < 3 || tables < 6 {
			t.Errorf("%d svg, %d tables", svgs, tables)
		}
		if strings.Contains(strings.ToLower(s), "http") || strings.Contains(s, "url(") || strings.Contains(s, "@import") {
			t.Error("report refers to something outside the page")
		}
		if !strings.Contains(s, "Huyện A &amp; B &lt;Thử&gt;") || strings.Contains(s, "<Thử>") {
			t.Error("unit name not escaped")
		}
		all := strings.Join(texts, " ")
		for _, want := range []string{
			"Quý III/2026", "Từ ngày 01/07/2026 đến ngày 30/09/2026", "Huyện A & B <Thử>",
			"tăng 1 bậc", "giảm 1 bậc", "▲", "▼", "Tăng hạng: 1", "Giảm hạng: 1", "Giữ nguyên: 2",
			"dữ liệu đến ngày 15/08/2026", "paid_online", "Công khai, minh bạch", "Xuất sắc",
			"Số liệu hồ sơ đến ngày 30/09/2026", "ngưỡng", "≥ 80%", "phương pháp pilot",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("report lacks %q", want)
			}
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		before := hashes(t, paths)
		again := publishTo(t, db, dir)
		if strings.Join(again, "\n") != strings.Join(paths, "\n") {
			t.Fatalf("second run wrote %v", again)
		}
		after := hashes(t, again)
		for p, h := range before {
			if after[p] != h {
				t.Errorf("%s changed between two runs", filepath.Base(p))
			}
		}
		// Elsewhere, the same bytes: nothing depends on the folder.
		other := publishTo(t, db, t.TempDir())
		for i, p := range other {
			if hashes(t, []string{p})[p] != before[paths[i]] {
				t.Errorf("%s differs when written to another folder", filepath.Base(p))
			}
		}
		// No clock in the spreadsheets: zip entries carry no time and the
		// document dates are the period's end.
		for _, p := range paths {
			if filepath.Ext(p) != ".xlsx" {
				continue
			}
			zr, err := zip.OpenReader(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				if f.ModifiedDate != 0 || f.ModifiedTime != 0 {
					t.Errorf("%s: %s carries a modification time %v", filepath.Base(p), f.Name, f.Modified)
				}
				if f.Name == "docProps/core.xml" {
					rc, _ := f.Open()
					var buf bytes.Buffer
					buf.ReadFrom(rc)
					rc.Close()
					if strings.Count(buf.String(), "2026-10-01T00:00:00Z") != 2 {
						t.Errorf("%s: core.xml %s", filepath.Base(p), buf.String())
					}
				}
			}
			zr.Close()
		}
	})
}

func TestPeriodOptions(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()

	t.Run("subset", func(t *testing.T) {
		dir := t.TempDir()
		paths, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"csv"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 3 {
			t.Fatalf("paths %v, want the 3 CSV files", paths)
		}
		for _, p := range paths {
			if filepath.Ext(p) != ".csv" {
				t.Errorf("wrote %s", p)
			}
		}
		// Freshness 0: nobody is stale.
		b := readFile(t, filepath.Join(dir, testPeriod, "ranking-district.csv"))
		if bytes.Contains(b, []byte("dữ liệu đến ngày")) {
			t.Error("stale note without a freshness limit")
		}
	})

	t.Run("stale cutoff", func(t *testing.T) {
		// 45 days before 1/10 is 17/08: Sơn Tây (15/08) is stale, nobody else.
		dir := t.TempDir()
		if _, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"json"}, Freshness: 45 * 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		b := readFile(t, filepath.Join(dir, testPeriod, "ranking-district.json"))
		if n := bytes.Count(b, []byte(`"stale": true`)); n != 1 {
			t.Errorf("%d stale units, want 1", n)
		}
	})

	t.Run("errors", func(t *testing.T) {
		dir := t.TempDir()
		for _, tc := range []struct {
			period string
			opts   Options
			want   string
		}{
			{"2026-Q1", Options{Dir: dir}, "kỳ này chưa có trong bảng periods: chưa tính số liệu cho kỳ này, hãy chạy cchc run (period not in the periods table"},
			{"../x", Options{Dir: dir}, `kỳ "../x" không hợp lệ; viết YYYY-MM`},
			{testPeriod, Options{Dir: dir, Formats: []string{"pdf"}}, `định dạng "pdf" không được hỗ trợ`},
			{testPeriod, Options{}, "chưa có thư mục xuất bản: đặt publish.dir trong cấu hình (no publish dir)"},
		} {
			_, err := Period(ctx, db, tc.period, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "xuất bản kỳ "+tc.period+": ") {
				t.Errorf("Period(%q) error %v, want %q", tc.period, err, tc.want)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("failed calls wrote %d entries", len(entries))
		}
	})

	// A folder that cannot be made (a file stands where publish.dir or
	// publish.lake should be) is named, in Vietnamese, with its config key;
	// the file system's error follows in parentheses.
	t.Run("folder errors", func(t *testing.T) {
		blocker := filepath.Join(t.TempDir(), "blocker")
		if err := os.WriteFile(blocker, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Period(ctx, db, testPeriod, Options{Dir: filepath.Join(blocker, "out"), Formats: []string{"csv"}})
		for _, w := range []string{"xuất bản kỳ " + testPeriod + ": ", "không ghi được vào thư mục; kiểm tra thư mục publish.dir trong cấu hình, quyền ghi và chỗ trống trên đĩa (", "not a directory)"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("publish.dir under a file: %v; want %q", err, w)
			}
		}
		lake := filepath.Join(blocker, "lake")
		_, err = Lake(ctx, db, lake)
		for _, w := range []string{"xuất bản lake " + lake + ": ", "kiểm tra thư mục publish.lake trong cấu hình", "not a directory)"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("publish.lake under a file: %v; want %q", err, w)
			}
		}
		if _, err := Lake(ctx, db, ""); err == nil || !strings.Contains(err.Error(), "chưa có thư mục lake: đặt publish.lake trong cấu hình (no lake folder)") {
			t.Errorf("no lake folder: %v", err)
		}
	})

	t.Run("single methodology", func(t *testing.T) {
		if _, err := db.Exec(`DELETE FROM index_scores WHERE methodology = 'default'`); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		paths, err := Period(ctx, db, testPeriod, Options{Dir: dir, Formats: []string{"csv"}})
		if err != nil {
			t.Fatal(err)
		}
		// The only methodology keeps the plain names, whatever it is called.
		if len(paths) != 1 || filepath.Base(paths[0]) != "ranking-department.csv" {
			t.Errorf("paths %v", paths)
		}
	})
}

func TestAtomicWriteFailure(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.csv"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := writeFile(dir, "x.csv", func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("boom")
	})
	if err == nil {
		t.Fatal("no error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || string(readFile(t, filepath.Join(dir, "x.csv"))) != "old" {
		t.Errorf("a failed write changed the folder: %v", entries)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hashes(t *testing.T, paths []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, p := range paths {
		h := sha256.Sum256(readFile(t, p))
		m[p] = hex.EncodeToString(h[:])
	}
	return m
}

// objectKeys lists the keys of a JSON object in document order.
func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// writeJobs writes files in parallel; a failure names the first failed
// file in job order whatever finished first, keeps the files already
// written and leaves no temporary file.
func TestWriteJobs(t *testing.T) {
	dir := t.TempDir()
	ok := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	boom := func(msg string) func(io.Writer) error {
		return func(w io.Writer) error { io.WriteString(w, "half"); return errors.New(msg) }
	}
	fail := func(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }
	paths, err := writeJobs(context.Background(), dir, []fileJob{
		{name: "a.csv", cost: 1, write: ok("a")},
		{name: "b.csv", cost: 5, write: ok("b")},
		{name: "c.csv", cost: 9, write: ok("c")},
	}, newWriters(), fail)
	if err != nil || len(paths) != 3 || filepath.Base(paths[0]) != "a.csv" || filepath.Base(paths[2]) != "c.csv" {
		t.Fatalf("paths %v, err %v", paths, err)
	}
	if got := string(readFile(t, filepath.Join(dir, "b.csv"))); got != "b" {
		t.Errorf("b.csv = %q", got)
	}

	// y.csv is the dearer, so it starts first and fails first: with two
	// writers x.csv has started too, and its error, first in job order, is
	// the one returned; with one writer x.csv never starts.
	xStarted := make(chan struct{})
	want := "x.csv: x broke"
	if runtime.GOMAXPROCS(0) == 1 {
		want = "y.csv: y broke"
		close(xStarted)
	}
	paths, err = writeJobs(context.Background(), dir, []fileJob{
		{name: "x.csv", cost: 1, write: func(w io.Writer) error { close(xStarted); return boom("x broke")(w) }},
		{name: "y.csv", cost: 2, write: func(w io.Writer) error { <-xStarted; return boom("y broke")(w) }},
	}, newWriters(), fail)
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if len(paths) != 0 {
		t.Errorf("paths %v after failures", paths)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "a.csv b.csv c.csv" {
		t.Errorf("folder holds %v, want the three files written before", names)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := writeJobs(ctx, dir, []fileJob{{name: "z.csv", write: ok("z")}}, newWriters(), fail); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}

// Periods publishes periods side by side: paths come period by period in
// the order given, and a failed period is named with its error.
func TestPeriods(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	var started []string
	paths, failed, err := Periods(ctx, db, []string{"2026-Q3", "2026-Q2"}, Options{Dir: dir, Formats: []string{"csv"}},
		func(p string) { started = append(started, p) })
	if err != nil || len(failed) > 0 {
		t.Fatalf("failed %q: %v", failed, err)
	}
	if strings.Join(started, " ") != "2026-Q3 2026-Q2" {
		t.Errorf("started %v", started)
	}
	var got []string
	for _, p := range paths {
		got = append(got, filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p))
	}
	want := "2026-Q3/ranking-department.csv 2026-Q3/ranking-district.csv 2026-Q3/ranking-pilot-department.csv " +
		"2026-Q2/ranking-department.csv 2026-Q2/ranking-district.csv"
	if strings.Join(got, " ") != want {
		t.Errorf("paths\n%s\nwant\n%s", strings.Join(got, " "), want)
	}

	// A failed period stops no other: 2026-Q1 (not in the model) fails
	// first, 2026-Q3 and 2026-Q2 after it are written all the same.
	paths, failed, err = Periods(ctx, db, []string{"2026-Q1", "2026-Q3", "2026-Q2"}, Options{Dir: t.TempDir(), Formats: []string{"csv"}}, nil)
	if strings.Join(failed, " ") != "2026-Q1" || err == nil || !strings.Contains(err.Error(), "periods table") {
		t.Errorf("failed %q, error %v", failed, err)
	}
	if len(paths) != 5 {
		t.Errorf("paths %v, want 2026-Q3's three and 2026-Q2's two", paths)
	}
}
