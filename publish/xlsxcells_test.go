package publish

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// hostileNames are cell texts that excelize stores or escapes specially:
// XML metacharacters, leading and trailing white space (xml:space),
// control characters, invalid UTF-8, text equal to a header, the empty
// text, "_xHHHH_" escapes and text over the 32,767-character cell limit
// (white space at either end and the last two leave the fast path:
// errSlowCells).
var hostileNames = []struct {
	name      string
	text      string
	slowCells bool
}{
	{"plain", "Xã Tây Đằng", false},
	{"xml metacharacters", `A & B <Thử> "x" 'y'`, false},
	{"leading space", " Xã Cổ Đô", true},
	{"trailing newline", "Xã Vạn Thắng\n", true},
	{"inner tab and CR", "Xã\tPhú\rSơn", false},
	{"control character", "Xã\x01Ba Trại", false},
	{"plus and NUL", "Xã A+B\x00C", false},
	{"invalid UTF-8", "Xã \xff\xfe Minh", false},
	{"a header's text", "Tổng số", false},
	{"empty", "", false},
	{"bstr escape", "Xã _x0041_ Thuần Mỹ", true},
	{"underscore x", "Xã_xyz", true},
	{"over the cell limit", strings.Repeat("Xã Tòng Bạt ", 3000), true},
}

// statsFor is a form II.06a of two levels whose units and fields are named
// text.
func statsFor(text string) []statsLevel {
	return []statsLevel{
		{Level: "district", Units: []statsUnit{
			{Code: "H.A", Name: text, Total: counts{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, HasTotal: true,
				Fields: []statsField{{Name: text, counts: counts{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}, {Name: "Đất đai", counts: counts{math.MaxInt64, -1}}}},
			{Code: "H.B", Name: "Huyện B", Fields: []statsField{{Name: "Tư pháp"}}},
		}},
		{Level: "commune", Units: []statsUnit{{Code: "X.A", Name: text + "|2"}}},
	}
}

// rankingFor is a ranking whose unit name, tier and remarks are text, with
// scores of every kind (none, zero, negative, NaN, infinite, long
// fractions).
func rankingFor(text string) ranking {
	i := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	until := time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC)
	return ranking{
		Methodology: "default", Version: "1.0", PeerGroup: "district", Stem: "ranking-district", Title: "Bộ chỉ số",
		Groups: []group{{Code: "A", NameVI: "Nhóm A", Max: 60}, {Code: "B", NameVI: "Nhóm B", Max: 40}, {Code: "C", NameVI: text}},
		Rows: []rankRow{
			{UnitCode: "H.A", UnitName: text, Rank: i(1), PeerCount: i(3), Scores: []*float64{f(59.995), f(0), f(-1.234)},
				Total: f(91.4321), Tier: text, PrevRank: i(2), PrevPeer: i(3), RankChange: i(1), ScoreChange: f(2.755),
				NA: []string{text}, Merged: []string{"Sáp nhập " + text + "."}},
			{UnitCode: "H.B", UnitName: "Huyện B", Rank: i(2), PeerCount: i(3), Scores: []*float64{f(math.NaN()), nil, f(math.Inf(1))},
				Total: f(1e-7), Tier: "Khá", ScoreChange: f(-0.005), Stale: true, DataUntil: &until},
			{UnitCode: "H.C", UnitName: "Huyện C", Scores: []*float64{nil, nil, f(math.Inf(-1))}, Stale: true},
		},
	}
}

// parFor is a PAR table whose unit name, tier and field name are text,
// with scores of every kind.
func parFor(text string) parTable {
	i := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	return parTable{PeerGroup: "district", Methodology: "par", Version: "2024", MethodologyTitle: "Chỉ số CCHC",
		Fields: []parField{{Code: "I", Name: "Công tác chỉ đạo", Max: f(10)}, {Code: "II", Name: text + " (mới)"}},
		Rows: []parRow{
			{UnitCode: "H.A", UnitName: text, Status: "ranked", Tier: text, Score: f(91.255), Rank: i(1), PeerCount: i(2),
				Fields: []*float64{f(9.5), f(math.NaN())}, ScoreChange: f(1.5), PreviousRank: i(2), RankChange: i(1), PeerMean: f(85.125)},
			{UnitCode: "H.B", UnitName: "Huyện B", Status: "incomplete", Fields: []*float64{nil, f(-0.001)}, Note: "Thiếu " + text + "."},
		},
		Inputs: []parInput{{Source: "par", File: "a.xlsx", SHA256: "00"}},
	}
}

// TestFastCellsMatchExcelize: the workbooks written through fastCells are
// byte for byte those excelize writes when it sets every cell itself,
// for final and provisional periods and for every hostile text; texts
// fastCells cannot place take excelize's path (errSlowCells) and give the
// same bytes too.
func TestFastCellsMatchExcelize(t *testing.T) {
	for _, provisional := range []bool{false, true} {
		p := periodInfo{Period: "2026-Q3", Kind: "quarter", Convention: "calendar",
			Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			Previous: "2026-Q2", Provisional: provisional}
		for _, h := range hostileNames {
			t.Run(h.name, func(t *testing.T) {
				check := func(what string, slow bool, fast func(*bytes.Buffer, bool) error, public func(*bytes.Buffer) error) {
					t.Helper()
					var want, gotFast, got bytes.Buffer
					if err := fast(&want, false); err != nil {
						t.Fatalf("%s through excelize: %v", what, err)
					}
					err := fast(&gotFast, true)
					switch {
					case slow && !errors.Is(err, errSlowCells):
						t.Errorf("%s through fastCells: error %v, want errSlowCells", what, err)
					case !slow && err != nil:
						t.Fatalf("%s through fastCells: %v", what, err)
					case !slow && !bytes.Equal(gotFast.Bytes(), want.Bytes()):
						t.Errorf("%s through fastCells differs from excelize's (%d and %d bytes)", what, gotFast.Len(), want.Len())
					}
					if err := public(&got); err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						t.Errorf("%s differs from excelize's (%d and %d bytes)", what, got.Len(), want.Len())
					}
				}
				levels := statsFor(h.text)
				check("dossier-stats.xlsx", h.slowCells,
					func(b *bytes.Buffer, fast bool) error { return writeStatsWorkbook(b, p, levels, fast) },
					func(b *bytes.Buffer) error { return writeStatsXLSX(b, p, levels) })
				par := parFor(h.text)
				check("par.xlsx", h.slowCells,
					func(b *bytes.Buffer, fast bool) error { return writePARWorkbook(b, p.Period, par, 2, fast) },
					func(b *bytes.Buffer) error { return writePARXLSX(b, p.Period, par, 2) })
				// Two levels whose sheet names collide (a long level code
				// cut at 31 characters, and the same in capitals).
				long := "cấp thử nghiệm rất dài để tên trang bị cắt " + h.text
				clash := append(statsFor(h.text), statsLevel{Level: long + " 1", Units: levels[0].Units},
					statsLevel{Level: strings.ToUpper(long) + " 2", Units: levels[1].Units})
				check("dossier-stats.xlsx, sheet names clashing", true,
					func(b *bytes.Buffer, fast bool) error { return writeStatsWorkbook(b, p, clash, fast) },
					func(b *bytes.Buffer) error { return writeStatsXLSX(b, p, clash) })
				r := rankingFor(h.text)
				check("ranking.xlsx", h.slowCells,
					func(b *bytes.Buffer, fast bool) error { return writeRankingWorkbook(b, p, r, fast) },
					func(b *bytes.Buffer) error { return writeRankingXLSX(b, p, r) })
			})
		}
	}
}

// TestPrerenderMatchesTemplate: report.html with the per-unit loops
// written by prerender is byte for byte the one the template's own loops
// write, for the fixture's period and for rankings named with every
// hostile text (and one without rows).
func TestPrerenderMatchesTemplate(t *testing.T) {
	db := newFixture(t)
	ctx := context.Background()
	pub := publication{}
	var err error
	if pub.Period, err = loadPeriod(ctx, db, testPeriod); err != nil {
		t.Fatal(err)
	}
	formats, _ := formatSet(nil)
	if err := loadPublication(ctx, db, &pub, Options{Freshness: 72 * time.Hour}, formats); err != nil {
		t.Fatal(err)
	}
	for i, h := range hostileNames {
		r := rankingFor(h.text)
		r.Stem, r.PeerGroup = fmt.Sprintf("ranking-h%d", i), h.text
		pub.Rankings = append(pub.Rankings, r)
	}
	pub.Rankings = append(pub.Rankings, ranking{Methodology: "default", Version: "1.0", PeerGroup: "empty", Stem: "ranking-empty"})
	var want, got bytes.Buffer
	if err := reportTmpl.Execute(&want, reportOf(pub)); err != nil {
		t.Fatal(err)
	}
	if err := writeReportHTML(&got, pub); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := got.String(), want.String()
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Errorf("prerendered report differs from the template's at byte %d:\n got %q\nwant %q", i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
	}
	if !strings.Contains(want.String(), "&lt;Thử&gt;") || strings.Count(want.String(), "<tr>") < 20 {
		t.Errorf("the report does not hold the fixture's rows")
	}
}

// TestWorkbooksDeterministic: a workbook's bytes depend on its content
// alone. The compressors newZip takes from its pool have deflated other
// workbooks before, yet each part is deflated as by a new compressor, so
// writing the same workbooks again, in another order and side by side,
// gives the same bytes; and each opens in excelize with its cells.
func TestWorkbooksDeterministic(t *testing.T) {
	p := periodInfo{Period: "2026-Q3", Kind: "quarter", Convention: "calendar",
		Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Previous: "2026-Q2"}
	type book struct {
		name  string
		text  string // a cell reads it back; empty: a text excelize escapes or cuts
		write func(*bytes.Buffer) error
	}
	var books []book
	for _, h := range hostileNames {
		levels, par, r := statsFor(h.text), parFor(h.text), rankingFor(h.text)
		text := ""
		if h.name == "plain" || h.name == "xml metacharacters" {
			text = h.text
		}
		books = append(books,
			book{"dossier-stats.xlsx, " + h.name, text, func(b *bytes.Buffer) error { return writeStatsXLSX(b, p, levels) }},
			book{"par.xlsx, " + h.name, text, func(b *bytes.Buffer) error { return writePARXLSX(b, p.Period, par, 2) }},
			book{"ranking.xlsx, " + h.name, text, func(b *bytes.Buffer) error { return writeRankingXLSX(b, p, r) }})
	}
	write := func(i int) []byte {
		var b bytes.Buffer
		if err := books[i].write(&b); err != nil {
			t.Fatalf("%s: %v", books[i].name, err)
		}
		return b.Bytes()
	}
	first := make([][]byte, len(books))
	for i := range books {
		first[i] = write(i)
	}
	// Again, last first, two at a time: the pool hands each writer the
	// compressors the others left.
	again := make([][]byte, len(books))
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := len(books) - 1 - g; i >= 0; i -= 2 {
				var b bytes.Buffer
				if err := books[i].write(&b); err != nil {
					t.Errorf("%s: %v", books[i].name, err)
					return
				}
				again[i] = b.Bytes()
			}
		}()
	}
	wg.Wait()
	for i, bk := range books {
		if !bytes.Equal(first[i], again[i]) {
			t.Errorf("%s: written again, %d bytes differ from the first %d", bk.name, len(again[i]), len(first[i]))
		}
		if fresh := rezip(t, first[i]); !bytes.Equal(fresh, first[i]) {
			t.Errorf("%s: its parts deflated by new compressors give other bytes (%d against %d)", bk.name, len(fresh), len(first[i]))
		}
		f, err := excelize.OpenReader(bytes.NewReader(first[i]))
		if err != nil {
			t.Fatalf("%s: excelize cannot open it: %v", bk.name, err)
		}
		found, cells := false, 0
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Errorf("%s, sheet %s: %v", bk.name, sheet, err)
			}
			for _, row := range rows {
				cells += len(row)
				found = found || slices.Contains(row, bk.text)
			}
		}
		f.Close()
		if cells < 20 || (bk.text != "" && !found) {
			t.Errorf("%s: excelize reads %d cells, the unit's name found: %v", bk.name, cells, found)
		}
	}
}

// rezip is the zip b with every part deflated again by a new
// compressor, the headers as archive/zip's Create writes them.
func rezip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, deflateLevel) })
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
