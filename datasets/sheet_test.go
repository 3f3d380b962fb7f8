package datasets

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cchc/cchc/internal/legacyfont"
)

func TestSheetXLSX(t *testing.T) {
	dir := t.TempDir()
	p := writeXLSX(t, dir, "stp.xlsx", sheetRows("Đơn vị: Sở Tư pháp", 2.0), sheetMerges...)
	got, err := ParAppraisal.Parse(input(t, p))
	if err != nil {
		t.Fatal(err)
	}
	sh := got.Sheet
	if sh.Unit != "S.TP" || sh.Period != "2025" {
		t.Errorf("unit %q period %q", sh.Unit, sh.Period)
	}
	// Parents without their written figures (Sheet.Tree).
	want := "I=- I.1=- I.1.1=1 I.1.2=2 I.2=3 II=- II.1=2 II.2=2 III=- III.1=30"
	if tree := strings.Join(sh.Tree(), " "); tree != want {
		t.Errorf("tree\n got %s\nwant %s", tree, want)
	}
	byCode := map[string]*Node{}
	for _, n := range sh.Nodes {
		byCode[n.Code] = n
	}
	checks := []struct {
		code   string
		depth  int
		parent string
		leaf   bool
		ap     string
	}{
		{"I", 1, "", false, "5"},
		{"I.1", 2, "I", false, "2,5"},
		{"I.1.2", 3, "I.1", true, "1,5"},
		{"I.2", 2, "I", true, "2,5"},
		{"II.2", 2, "II", true, "KAD"},
		{"III.1", 2, "III", true, "-"},
	}
	for _, c := range checks {
		n := byCode[c.code]
		if n == nil {
			t.Errorf("%s missing", c.code)
			continue
		}
		ap := "-"
		switch {
		case n.Appraised.NA:
			ap = "KAD"
		case n.Appraised.Set:
			ap = formatPoints(n.Appraised.Value)
		}
		if n.Depth != c.depth || n.ParentCode != c.parent || n.Leaf != c.leaf || ap != c.ap {
			t.Errorf("%s: depth %d parent %q leaf %v appraised %s; want %d %q %v %s", c.code, n.Depth, n.ParentCode, n.Leaf, ap, c.depth, c.parent, c.leaf, c.ap)
		}
	}
	if r := byCode["I.1.1"].Rule; len(r) != 1 || !strings.HasPrefix(r[0], "Ban hành kịp thời") {
		t.Errorf("rule text of I.1.1 = %q", r)
	}
	if byCode["I.1.1"].Evidence != "QĐ 12/QĐ-STP" || byCode["I"].Self.Value != 5.5 {
		t.Errorf("evidence %q, self of I %v", byCode["I.1.1"].Evidence, byCode["I"].Self)
	}
	if !byCode["III.1"].Survey || byCode["III.1"].Quarantine != nil {
		t.Errorf("survey leaf: %+v", byCode["III.1"])
	}
	// Only II's written 3 is wrong (children 2 + KAD = 2).
	if len(sh.Warnings) != 1 || !strings.Contains(sh.Warnings[0], "dòng 12 (II)") || !strings.Contains(sh.Warnings[0], "3 ≠") {
		t.Errorf("warnings = %q", sh.Warnings)
	}
	if len(got.Rows) != 10 || len(got.Rejections) != 0 {
		t.Errorf("%d rows, %d rejections", len(got.Rows), len(got.Rejections))
	}
	if got.Mapping.Columns["Thẩm định"] != "appraised_points" || got.Mapping.Columns["Tự đánh giá"] != "self_points" {
		t.Errorf("mapping = %v", got.Mapping.Columns)
	}
}

// The same sheet as CSV with the unit named in capitals without diacritics
// and a two-row header without merges.
func TestSheetCSV(t *testing.T) {
	var b strings.Builder
	for _, r := range sheetRows("TEN DON VI: SO TAI CHINH", "1,5") {
		cells := make([]string, 6)
		for i, v := range r {
			switch v := v.(type) {
			case float64:
				cells[i] = strings.ReplaceAll(fmt.Sprint(v), ".", ",")
			case string:
				cells[i] = v
			}
		}
		for i, c := range cells {
			if strings.ContainsAny(c, ",\"") {
				cells[i] = `"` + c + `"`
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\r\n")
	}
	p := writeFile(t, t.TempDir(), "stc.csv", "\ufeff"+b.String())
	got, err := ParAppraisal.Parse(input(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if got.Sheet.Unit != "S.TC" || len(got.Rows) != 10 || len(got.Rejections) != 0 {
		t.Errorf("unit %q, %d rows, rejections %v", got.Sheet.Unit, len(got.Rows), got.Rejections)
	}
	// II written 3, children 1,5 + KAD.
	if len(got.Sheet.Warnings) != 1 || !strings.Contains(got.Sheet.Warnings[0], "(II)") {
		t.Errorf("warnings %q", got.Sheet.Warnings)
	}
}

// An impossible score is a quarantined row naming the criterion; a
// structural fault rejects the file with a message a clerk can act on.
func TestSheetFaults(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		ii1     any
		unit    string
		reject  string // file error
		reason  string // quarantine reason of II.1
		noQuar  bool
		mutator func([][]any) [][]any
	}{
		{name: "above max", ii1: 3.0, unit: "Đơn vị: Sở Tư pháp", reason: "tiêu chí II.1 «Xây dựng văn bản QPPL»: điểm thẩm định 3 lớn hơn điểm tối đa 2"},
		{name: "negative", ii1: "-0,5", unit: "Cơ quan: Sở Tư pháp", reason: "điểm thẩm định âm"},
		{name: "missing", ii1: "", unit: "Đơn vị: Sở Tư pháp", reason: "chưa có điểm thẩm định"},
		{name: "text", ii1: "đạt", unit: "Đơn vị: Sở Tư pháp", reason: "không đọc được số điểm"},
		{name: "unknown unit", ii1: 2.0, unit: "Đơn vị: Sở Không Có", reject: "không có trong danh mục"},
		{name: "no unit", ii1: 2.0, unit: "", reject: "Đơn vị: …"},
		{name: "orphan component", ii1: 2.0, unit: "Đơn vị: Sở Tư pháp", reject: "không có tiêu chí cha I.3", mutator: func(r [][]any) [][]any {
			return append(r[:11], append([][]any{{"3.1", "Lạc chỗ", 1.0, 1.0, 1.0}}, r[11:]...)...)
		}},
		{name: "no header", ii1: 2.0, unit: "Đơn vị: Sở Tư pháp", reject: "không tìm thấy dòng tiêu đề", mutator: func(r [][]any) [][]any {
			r[3] = []any{"STT", "Tiêu chí", "", "", "", ""}
			return r
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := sheetRows(c.unit, c.ii1)
			if c.mutator != nil {
				rows = c.mutator(rows)
			}
			p := writeXLSX(t, dir, fmt.Sprintf("s%d.xlsx", i), rows, sheetMerges...)
			got, err := ParAppraisal.Parse(input(t, p))
			if c.reject != "" {
				if err == nil || !strings.Contains(err.Error(), c.reject) || !strings.Contains(err.Error(), "s"+fmt.Sprint(i)) {
					t.Fatalf("err = %v, want one naming the file and %q", err, c.reject)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rejections) != 1 || !strings.Contains(got.Rejections[0].Reason, c.reason) || !strings.Contains(got.Rejections[0].Reason, "II.1") || got.Rejections[0].Row != 13 {
				t.Fatalf("rejections = %+v, want one on row 13 with %q", got.Rejections, c.reason)
			}
			// The quarantined row is still staged (counted), with its reason.
			if len(got.Rows) != 10 {
				t.Errorf("%d rows staged", len(got.Rows))
			}
		})
	}
}

// Text typed with a legacy font (TCVN3, VNI) in a sheet is decoded like in
// dossier exports.
func TestSheetLegacyFonts(t *testing.T) {
	for _, font := range []string{"tcvn3", "vni"} {
		t.Run(font, func(t *testing.T) {
			rows := sheetRows("Đơn vị: Sở Tư pháp", 2.0)
			enc := func(s string) string {
				c, err := legacyfont.Latin1(font, s)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			rows[2][0] = enc("Đơn vị: Sở Tư pháp")
			rows[6][1] = enc("Kế hoạch cải cách hành chính năm")
			rows[9][1] = enc("Mức độ hoàn thành kế hoạch")
			p := writeXLSX(t, t.TempDir(), font+".xlsx", rows, sheetMerges...)
			got, err := ParAppraisal.Parse(input(t, p))
			if err != nil {
				t.Fatal(err)
			}
			if got.Sheet.Unit != "S.TP" || got.Sheet.Nodes[1].Name != "Kế hoạch cải cách hành chính năm" || got.Sheet.Nodes[3].Name != "Mức độ hoàn thành kế hoạch" {
				t.Errorf("unit %q, I.1 %q, I.1.2 %q, encoding %q", got.Sheet.Unit, got.Sheet.Nodes[1].Name, got.Sheet.Nodes[3].Name, got.Encoding)
			}
		})
	}
}

// Evidence and notes may carry personal data: it is masked before the
// sheet is staged, like in dossiers.
func TestSheetMasksPersonalData(t *testing.T) {
	rows := sheetRows("Đơn vị: Sở Tư pháp", 2.0)
	rows[7][5] = "Liên hệ 0912345678, CCCD 001088012345"
	p := writeXLSX(t, t.TempDir(), "pii.xlsx", rows, sheetMerges...)
	got, err := ParAppraisal.Parse(input(t, p))
	if err != nil {
		t.Fatal(err)
	}
	ev := got.Sheet.Nodes[2].Evidence
	if strings.Contains(ev, "0912345678") || strings.Contains(ev, "001088012345") {
		t.Errorf("evidence not masked: %q", ev)
	}
}

// Rule text (rows without STT) is stored in par_sheet_rows and
// par_criteria: it goes through pii.Mask like other free text, ordinary
// rule text kept as written. Without a "Tổng cộng" row, the signature
// block under the table is not the tree when a blank row separates it
// from the last node (the usual layout): rule rows after a blank row
// belong to the node above only when another node or the total follows.
// Right below the last node it still reads as rule text, masked.
func TestSheetRuleTextMasked(t *testing.T) {
	const head = "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n" +
		"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n" +
		"I,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,10,10,9\n"
	const ii = "II,Điều tra xã hội học,30,,\n1,Mức độ hài lòng,30,,\n"
	// Nguyễn Thị Hoa: surname Nguyễn + two capitalised words; the phone in
	// groups 0912 345 678 adds up to ten digits. Khúc is no common
	// surname: only the blank row keeps Khúc Thừa Dụ out.
	const signature = ",NGƯỜI LẬP BIỂU,,,GIÁM ĐỐC\n,Nguyễn Thị Hoa,,,Trần Văn Bình\n,ĐT: 0912 345 678,,,\n"
	cases := []struct {
		name, body string
		code       string   // the node whose rule text is checked
		rule       []string // its rule text, masked
	}{
		{"ordinary rule text", head + ",Ban hành kịp thời: 1 điểm,,,\n,\"Ban hành chậm: 0,5 điểm\",,,\n" + ii,
			"I.1", []string{"Ban hành kịp thời: 1 điểm", "Ban hành chậm: 0,5 điểm"}},
		{"rule text after a blank row, a node follows", head + ",,,,\n,Ban hành kịp thời: 1 điểm,,,\n" + ii,
			"I.1", []string{"Ban hành kịp thời: 1 điểm"}},
		{"note after a blank row, the total follows", head + ii + ",,,,\n,Điểm lĩnh vực II theo kết quả ĐTXHH,,,\n,Tổng cộng,40,,\n" + signature,
			"II.1", []string{"Điểm lĩnh vực II theo kết quả ĐTXHH"}},
		{"signature block below a blank row", head + ii + ",,,,\n" + signature, "II.1", nil},
		{"signature uncommon surname below a blank row", head + ii + ",,,,\n,Người lập biểu,,,\n,Khúc Thừa Dụ,,,\n", "II.1", nil},
		{"signature block right below", head + ii + signature, "II.1", []string{"NGƯỜI LẬP BIỂU", "[họ tên]", "ĐT: [SĐT]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "sheet.csv", c.body)
			got, err := ParAppraisal.Parse(input(t, p))
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range got.Sheet.Nodes {
				if n.Code == c.code && strings.Join(n.Rule, "|") != strings.Join(c.rule, "|") {
					t.Errorf("%s rule text %q, want %q", n.Code, n.Rule, c.rule)
				}
			}
			for _, r := range got.Rows {
				for _, v := range r {
					for _, pd := range []string{"Nguyễn Thị Hoa", "Trần Văn Bình", "0912 345 678", "Khúc Thừa Dụ"} {
						if s, ok := v.(string); ok && strings.Contains(s, pd) {
							t.Errorf("personal data %q stored: %q", pd, s)
						}
					}
				}
			}
		})
	}
}

// The survey field is the methodology's survey: code when it has one,
// else the field named "điều tra xã hội học", as the model finds it
// (50_par_criteria.sql): its empty leaves are never quarantined, since the
// survey scores them. Outside it an empty appraised leaf is.
func TestSheetSurveyField(t *testing.T) {
	sheetOf := func(field string) string {
		return "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n" +
			"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n" +
			"I,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,10,10,9\n" +
			"II," + field + ",30,,\n1,Mức độ hài lòng,30,,\n"
	}
	cases := []struct {
		name, field, survey string
		surveyField         string // the field marked survey, "" none
		quarantined         string // the quarantined leaf, "" none
	}{
		{"by name", "Điều tra xã hội học", "", "II", ""},
		{"by code", "Khảo sát sự hài lòng của người dân (ĐTXHH)", "II", "II", ""},
		{"by code and name", "Điều tra xã hội học", "II", "II", ""},
		// No code and no name: II.1 is an appraisal leaf without points.
		{"neither", "Khảo sát sự hài lòng của người dân", "", "", "II.1"},
		// The code names another field: the model scores II from the
		// sheet, so its empty leaf is quarantined, whatever its name.
		{"code elsewhere", "Điều tra xã hội học", "III", "", "II.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "sheet.csv", sheetOf(c.field))
			in := input(t, p)
			in.Survey = c.survey
			got, err := ParAppraisal.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			var survey, quarantined []string
			for _, n := range got.Sheet.Nodes {
				if n.Survey && n.Depth == 1 {
					survey = append(survey, n.Code)
				}
				if n.Quarantine != nil {
					quarantined = append(quarantined, n.Code)
				}
			}
			if strings.Join(survey, ",") != c.surveyField || strings.Join(quarantined, ",") != c.quarantined {
				t.Errorf("survey field %v, quarantined %v; want %q, %q", survey, quarantined, c.surveyField, c.quarantined)
			}
		})
	}
}

// A survey field whose maximum is blank (its own row without components,
// or a component and the field's row) loads with a warning naming the
// row: its maximum is unknown, so the model leaves the unit unranked
// (model TestPARSurveyFieldWithoutMax). Written on the field's row or on
// every component, the maximum is known and nothing is said.
func TestSheetSurveyFieldWithoutMax(t *testing.T) {
	head := "BẢNG CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025\nĐơn vị: Sở Tư pháp\n" +
		"STT,Lĩnh vực/Tiêu chí/Tiêu chí thành phần,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n" +
		"I,Công tác chỉ đạo,70,70,70\n1,Kế hoạch,70,70,70\n"
	warn := "dòng 6 (II): lĩnh vực điều tra xã hội học không có điểm tối đa: đơn vị chưa được xếp hạng cho đến khi bảng điểm ghi điểm tối đa (trừ khi phương pháp chấm điểm cố định cây tiêu chí)"
	for _, c := range []struct {
		name, body, want string
	}{
		{"field", "II,Điều tra xã hội học,,,\n", warn},
		{"component", "II,Điều tra xã hội học,,,\n1,Người dân,15,,\n2,Tổ chức,,,\n", warn},
		{"field written", "II,Điều tra xã hội học,30,,\n", ""},
		{"components written", "II,Điều tra xã hội học,,,\n1,Người dân,15,,\n2,Tổ chức,15,,\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParAppraisal.Parse(input(t, writeFile(t, t.TempDir(), "stp.csv", head+c.body)))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rejections) > 0 || strings.Join(got.Sheet.Warnings, "\n") != c.want {
				t.Errorf("rejections %v, warnings %q; want none, %q", got.Rejections, got.Sheet.Warnings, c.want)
			}
		})
	}
}

// The unit line in any of its spellings, and the period from the source
// before the title.
func TestSheetTitles(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		line, period, wantUnit, wantPeriod string
	}{
		{"Đơn vị: Sở Tư pháp", "", "S.TP", "2025"},
		{"ĐƠN VỊ: SỞ TƯ PHÁP", "", "S.TP", "2025"},
		{"Don vi: So Tu phap", "", "S.TP", "2025"},
		{"Tên đơn vị: Sở Tài chính", "", "S.TC", "2025"},
		{"TÊN ĐƠN VỊ : sở tài chính", "", "S.TC", "2025"},
		{"Cơ quan: Sở Nội vụ", "2025-H1", "S.NV", "2025-H1"},
		{"Cơ quan：Sở Nội vụ", "", "S.NV", "2025"}, // full-width colon
	}
	for i, c := range cases {
		p := writeXLSX(t, dir, fmt.Sprintf("t%d.xlsx", i), sheetRows(c.line, 2.0), sheetMerges...)
		in := input(t, p)
		in.Period = c.period
		got, err := ParAppraisal.Parse(in)
		if err != nil {
			t.Errorf("%q: %v", c.line, err)
			continue
		}
		if got.Sheet.Unit != c.wantUnit || got.Sheet.Period != c.wantPeriod {
			t.Errorf("%q: unit %s period %s, want %s %s", c.line, got.Sheet.Unit, got.Sheet.Period, c.wantUnit, c.wantPeriod)
		}
	}
}

// An STT cell merged down over the node's rule rows is filled by the
// decoder: the rows are the node's rule text, not a duplicate node.
func TestSheetMergedSTT(t *testing.T) {
	rows := sheetRows("Đơn vị: Sở Tư pháp", 2.0)
	rows[8][0] = "" // the rule row under 1.1
	p := writeXLSX(t, t.TempDir(), "m.xlsx", rows, append(sheetMerges, "A8:A9")...)
	got, err := ParAppraisal.Parse(input(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sheet.Nodes) != 10 || len(got.Sheet.Nodes[2].Rule) != 1 {
		t.Errorf("%d nodes, rule of I.1.1 %q", len(got.Sheet.Nodes), got.Sheet.Nodes[2].Rule)
	}
}

// A file far longer than any scoring sheet is rejected whole, naming it.
func TestSheetRowCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("Đơn vị: Sở Tư pháp\nSTT,Tiêu chí,Điểm tối đa,Điểm thẩm định\nI,A,1,1\n")
	for i := 1; i <= DefaultMaxRows+10; i++ {
		fmt.Fprintf(&b, ",quy tắc %d\n", i)
	}
	p := writeFile(t, t.TempDir(), "long.csv", b.String())
	in := input(t, p)
	in.Period = "2025"
	_, err := ParAppraisal.Parse(in)
	if err == nil || !strings.Contains(err.Error(), "long.csv") || !strings.Contains(err.Error(), "5000") {
		t.Errorf("err = %v", err)
	}
}

// A whole CSV sheet saved in TCVN3 is decoded like a dossier export.
func TestSheetCSVInTCVN3(t *testing.T) {
	body := "Tên đơn vị: Sở Tư pháp\nBẢNG ĐIỂM NĂM 2025\nSTT,Nội dung đánh giá,Điểm tối đa,Điểm thẩm định\n" +
		"I,Công tác chỉ đạo điều hành,2,\"1,5\"\n1,Kế hoạch cải cách hành chính,2,\"1,5\"\n"
	b, err := legacyfont.Encode("tcvn3", body)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "tcvn3.csv", string(b))
	got, err := ParAppraisal.Parse(input(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if got.Sheet.Unit != "S.TP" || got.Sheet.Nodes[1].Name != "Kế hoạch cải cách hành chính" || got.Encoding != "tcvn3" {
		t.Errorf("unit %q, I.1 %q, encoding %q", got.Sheet.Unit, got.Sheet.Nodes[1].Name, got.Encoding)
	}
}

// BenchmarkSheetXLSX reads the PARSheet workbook (18 rows) end to end.
func BenchmarkSheetXLSX(b *testing.B) {
	p := writeXLSX(b, b.TempDir(), "b.xlsx", sheetRows("Đơn vị: Sở Tư pháp", 2.0), sheetMerges...)
	in := input(b, p)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParAppraisal.Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

// A leaf at or under a data-fed criterion (Input.DataFed) is scored by the
// data: an empty, unreadable or impossible appraised cell is loaded as NULL
// with a warning naming the row, never quarantined; a valid one is kept as
// the fallback when the unit has no data.
func TestSheetDataFedLeaf(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name   string
		fed    []string
		ii1    any
		want   any    // II.1's staged appraised_points
		warned string // in sheet_warnings; "" none
	}{
		{"empty on the criterion", []string{"II.1"}, "", nil, ""},
		{"empty under the field", []string{"II"}, "", nil, ""},
		{"above max", []string{"II.1"}, 3.0, nil, "điểm thẩm định 3 lớn hơn điểm tối đa 2"},
		{"negative", []string{"II.1"}, "-0,5", nil, "điểm thẩm định âm"},
		{"text", []string{"II.1"}, "đạt", nil, "không đọc được số điểm"},
		{"valid kept", []string{"II.1"}, "1,5", 1.5, ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeXLSX(t, dir, fmt.Sprintf("d%d.xlsx", i), sheetRows("Đơn vị: Sở Tư pháp", c.ii1), sheetMerges...)
			in := input(t, p)
			in.DataFed = c.fed
			got, err := ParAppraisal.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rejections) != 0 {
				t.Fatalf("rejections = %+v, want none", got.Rejections)
			}
			var row []any
			for _, r := range got.Rows {
				if r[2] == "II.1" {
					row = r
				}
			}
			if row == nil || row[10] != c.want {
				t.Fatalf("II.1 row %v, want appraised %v", row, c.want)
			}
			warn, _ := row[16].(string)
			if c.warned != "" && (!strings.Contains(warn, c.warned) || !strings.Contains(warn, "II.1")) {
				t.Errorf("warnings %q, want %q", warn, c.warned)
			}
		})
	}
}

// parCSV parses a CSV scoring sheet written out in full.
func parCSV(t *testing.T, body string) (*Parsed, error) {
	t.Helper()
	p := writeFile(t, t.TempDir(), "sheet.csv", body)
	return ParAppraisal.Parse(input(t, p))
}

// parTable is a small table under the title rows: I (10) = I.1 (10,
// appraised 9); II the survey (30).
const parTable = "STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n" +
	"I,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,10,10,9\nII,Điều tra xã hội học,30,,\n"

// The period comes from the title, never from the signing date of the
// national-motto block above it, whether the date is written out or left
// blank to be filled in at signing; title rows naming two periods fail the
// file, naming both.
func TestSheetTitlePeriodRows(t *testing.T) {
	motto := func(date string) string {
		return "UBND TỈNH ĐẮK LẮK,,,,CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" +
			"SỞ TƯ PHÁP,,,,Độc lập - Tự do - Hạnh phúc\n" +
			",,,," + date + "\n"
	}
	cases := []struct {
		name, head, period, reject string
	}{
		// By hand: the title says NĂM 2025; the date line's "năm 2026" is
		// the signing year.
		{"blank date", motto("Đắk Lắk, ngày     tháng     năm 2026") + "BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2025\n", "2025", ""},
		{"ellipsis date", motto("Đắk Lắk, ngày … tháng … năm 2026") + "BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2025\n", "2025", ""},
		{"dotted date", motto("Đắk Lắk, ngày ... tháng ... năm 2026") + "BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2025\n", "2025", ""},
		{"underscored date", motto("Đắk Lắk, ngày __ tháng __ năm 2026") + "BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2025\n", "2025", ""},
		{"month-only date", motto("Đắk Lắk, tháng 01 năm 2026") + "BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2025\n", "2025", ""},
		{"written date", motto("Đắk Lắk, ngày 20 tháng 01 năm 2026") + "BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2025\n", "2025", ""},
		{"same year twice", "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nNăm đánh giá: 2025\n", "2025", ""},
		// Two years besides the signing date: which one the sheet is
		// for is the clerk's call, not the first row's.
		{"two years", motto("Đắk Lắk, ngày     tháng     năm 2026") + "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nNăm đánh giá: 2024\n", "", "2025 (dòng 4"},
		// The cells quoted are masked: a signer's name never enters an error.
		{"two years, a name", "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nNgười lập: Nguyễn Văn Bình, năm 2024\n", "", "2025 (dòng 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parCSV(t, c.head+"Đơn vị: Sở Tư pháp\n"+parTable)
			if c.reject != "" {
				if err == nil || !strings.Contains(err.Error(), c.reject) || !strings.Contains(err.Error(), "2024 (dòng") || !strings.Contains(err.Error(), "sheet.csv") || strings.Contains(err.Error(), "Bình") {
					t.Fatalf("err = %v, want the file rejected naming 2025 (%s) and 2024 on the next row, no name", err, c.reject)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Sheet.Period != c.period {
				t.Errorf("period %s, want %s (the title's year)", got.Sheet.Period, c.period)
			}
		})
	}
}

// The council's points count: with the unit's "Điểm đạt được" beside the
// council's "Điểm thẩm định", the latter is read, whatever the column
// order, and a warning says the former is not; two columns spelled alike
// for one field fail the file naming both.
func TestSheetPointsColumns(t *testing.T) {
	cases := []struct {
		name, header, row string
		ap                float64 // I.1's appraised points, by hand
		warn, reject      string
	}{
		// I.1: max 10, the unit's 9, the council's 7 → 7.
		{"đạt được then thẩm định", "Điểm tối đa,Điểm đạt được,Điểm thẩm định", "10,9,7", 7, "«Điểm đạt được» (cột D) không được đọc", ""},
		{"thẩm định then đạt được", "Điểm tối đa,Điểm thẩm định,Điểm đạt được", "10,7,9", 7, "«Điểm đạt được» (cột E) không được đọc", ""},
		// Alone, "Điểm đạt được" is the appraised column (the contract's
		// spelling).
		{"đạt được alone", "Điểm tối đa,Điểm tự đánh giá,Điểm đạt được", "10,9,7", 7, "", ""},
		// An empty second column (a header cell merged across) is no clash.
		{"empty second column", "Điểm tối đa,Điểm thẩm định,Điểm Hội đồng thẩm định", "10,7,", 7, "", ""},
		{"two council columns", "Điểm tối đa,Điểm thẩm định,Điểm Hội đồng thẩm định", "10,7,8", 0, "", "hai cột cùng là điểm thẩm định: «Điểm thẩm định» (cột D) và «Điểm Hội đồng thẩm định» (cột E)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parCSV(t, "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n"+
				"STT,Tiêu chí,"+c.header+"\nI,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,"+c.row+"\nII,Điều tra xã hội học,30,,\n")
			if c.reject != "" {
				if err == nil || !strings.Contains(err.Error(), c.reject) || !strings.Contains(err.Error(), "sheet.csv") {
					t.Fatalf("err = %v, want %q", err, c.reject)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := got.Sheet.Nodes[1]; n.Code != "I.1" || n.Appraised.Value != c.ap || len(got.Rejections) != 0 {
				t.Errorf("%s appraised %v, rejections %v; want I.1 appraised %v", n.Code, n.Appraised.Value, got.Rejections, c.ap)
			}
			w := strings.Join(got.Sheet.Warnings, "\n")
			if (c.warn == "") != (w == "") || !strings.Contains(w, c.warn) {
				t.Errorf("warnings %q, want %q", w, c.warn)
			}
		})
	}
}

// A row repeating the STT of the row above is a merged STT cell filled
// down (the node's rule text) only when its points cells are empty or the
// same figures; a row with figures of its own (a criterion copied without
// renumbering) is a duplicate code that fails the file, never points
// dropped silently.
func TestSheetRepeatedSTT(t *testing.T) {
	head := "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n" +
		"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n" +
		"I,Công tác chỉ đạo điều hành,,,\n" +
		"1,Kế hoạch CCHC năm,4,4,4\n"
	tail := "II,Điều tra xã hội học,30,,\n"
	cases := []struct {
		name, row, rule, reject string
	}{
		// Row 6 repeats "1" with max 6, appraised 5: by hand field I
		// would hold 4 + 5 of 4 + 6; reading it as I.1's rule text would
		// score 4 of 4.
		{"copied row", "1,Báo cáo CCHC định kỳ,6,6,5\n", "", "dòng 6: mã I.1 trùng với dòng 5: STT lặp lại dòng ngay trên nhưng có điểm riêng"},
		{"copied row, appraised only", "1,Báo cáo CCHC định kỳ,,,3\n", "", "dòng 6: mã I.1 trùng với dòng 5"},
		{"filled down, no figures", "1,đúng hạn: 4 điểm,,,\n", "đúng hạn: 4 điểm", ""},
		{"filled down, merged figures", "1,đúng hạn: 4 điểm,\"4,0\",4,4\n", "đúng hạn: 4 điểm", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parCSV(t, head+c.row+tail)
			if c.reject != "" {
				if err == nil || !strings.Contains(err.Error(), c.reject) {
					t.Fatalf("err = %v, want %q", err, c.reject)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := got.Sheet.Nodes[1]
			if len(got.Sheet.Nodes) != 3 || n.Code != "I.1" || len(n.Rule) != 1 || n.Rule[0] != c.rule || n.Appraised.Value != 4 {
				t.Errorf("%d nodes, %s rule %q appraised %v; want 3 nodes, I.1 with rule %q and 4", len(got.Sheet.Nodes), n.Code, n.Rule, n.Appraised.Value, c.rule)
			}
		})
	}
}

// Only the appraised points quarantine a leaf: an unreadable self-assessed
// cell is left empty with a warning naming the row, and the leaf keeps its
// appraised points (the unit stays complete).
func TestSheetUnreadableSelfPoints(t *testing.T) {
	cases := []struct {
		name, row string
		self      Point
		warn      string
		reason    string // quarantine reason of I.1, "" none
	}{
		// I.1: max 4, self "Đạt", appraised 4 → 4 counts, self empty.
		{"self text", "1,Kế hoạch CCHC năm,4,Đạt,4\n", Point{}, `dòng 5 (I.1): không đọc được điểm tự đánh giá "Đạt"`, ""},
		{"self readable", "1,Kế hoạch CCHC năm,4,\"3,5\",4\n", Point{Value: 3.5, Set: true}, "", ""},
		// The appraised cell's fault is still the quarantine's, named as
		// such, even after an unreadable self cell.
		{"both unreadable", "1,Kế hoạch CCHC năm,4,Đạt,đạt\n", Point{}, "Đạt", `không đọc được số điểm "đạt"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parCSV(t, "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n"+
				"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n"+
				"I,Công tác chỉ đạo điều hành,10,,\n"+c.row+
				"2,Báo cáo CCHC định kỳ,6,6,5\nII,Điều tra xã hội học,30,,\n")
			if err != nil {
				t.Fatal(err)
			}
			n := got.Sheet.Nodes[1]
			if n.Self != c.self {
				t.Errorf("I.1 self %+v, want %+v", n.Self, c.self)
			}
			w := strings.Join(got.Sheet.Warnings, "\n")
			if (c.warn == "") != (w == "") || !strings.Contains(w, c.warn) {
				t.Errorf("warnings %q, want %q", w, c.warn)
			}
			if c.reason == "" {
				if len(got.Rejections) != 0 || n.Appraised.Value != 4 {
					t.Errorf("rejections %+v, I.1 appraised %v; want none and 4", got.Rejections, n.Appraised.Value)
				}
				return
			}
			if len(got.Rejections) != 1 || !strings.Contains(got.Rejections[0].Reason, c.reason) || got.Rejections[0].Column != "Điểm thẩm định" {
				t.Errorf("rejections %+v, want one on «Điểm thẩm định» with %q", got.Rejections, c.reason)
			}
		})
	}
}

// A parent's maximum is its leaves' sum, whatever its row says (the
// figure written there is only checked: a warning); without a maximum on
// some leaf the written figure is kept.
func TestSheetParentMaximum(t *testing.T) {
	cases := []struct {
		name, fieldI, i2max string
		want                Point // field I's maximum
		warn                string
	}{
		// I = I.1 (4) + I.2 (6) = 10 by hand.
		{"blank", ",,", "6", Point{Value: 10, Set: true}, ""},
		{"written right", "10,,", "6", Point{Value: 10, Set: true}, ""},
		{"written wrong", "12,,", "6", Point{Value: 10, Set: true}, "(I): điểm tối đa ghi 12 ≠ tổng các tiêu chí con 10"},
		{"leaf without maximum", "10,,", "", Point{Value: 10, Set: true}, "điểm tối đa ghi 10 ≠ tổng các tiêu chí con 4"},
		{"leaf without maximum, blank", ",,", "", Point{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parCSV(t, "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n"+
				"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n"+
				"I,Công tác chỉ đạo điều hành,"+c.fieldI+"\n1,Kế hoạch CCHC năm,4,4,4\n2,Báo cáo CCHC định kỳ,"+c.i2max+",6,6\n"+
				"II,Điều tra xã hội học,,,\n1,Mức độ hài lòng,30,,\n")
			if err != nil {
				t.Fatal(err)
			}
			if n := got.Sheet.Nodes[0]; n.Code != "I" || n.Max != c.want {
				t.Errorf("%s max %+v, want %+v", n.Code, n.Max, c.want)
			}
			// The survey field II = II.1 (30).
			if n := got.Sheet.Nodes[3]; n.Code != "II" || n.Max != (Point{Value: 30, Set: true}) {
				t.Errorf("%s max %+v, want 30", n.Code, n.Max)
			}
			w := strings.Join(got.Sheet.Warnings, "\n")
			if (c.warn == "") != (w == "") || !strings.Contains(w, c.warn) {
				t.Errorf("warnings %q, want %q", w, c.warn)
			}
		})
	}
}
