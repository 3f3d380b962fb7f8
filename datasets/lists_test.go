package datasets

import (
	"strings"
	"testing"
)

// Survey results as points, as a percentage or as a fraction; an unknown
// unit is quarantined.
func TestSurvey(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, body string
		want       []string // period unit points rate, or "Q:<reason part>"
	}{
		{"points", "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\nTên đơn vị,Điểm ĐTXHH\nSở Tư pháp,\"28,5\"\nSở Tài chính,30\nSở Không Có,20\nTổng cộng,\"78,5\"\n",
			[]string{"2025 S.TP 28.5 <nil>", "2025 S.TC 30 <nil>", "Q:Sở Không Có"}},
		// 0..100: 92,5 is 0.925; 0..1: 0,8 is 0.8; "85%" is 0.85.
		{"rate", "Mã đơn vị,Kỳ đánh giá,Tỷ lệ hài lòng\nS.TP,2025,\"92,5\"\nS.TC,2025,\"0,8\"\nS.NV,2025,85%\nS.NV,2025,120\nS.TP,2025-13,90\n",
			[]string{"2025 S.TP <nil> 0.925", "2025 S.TC <nil> 0.8", "2025 S.NV <nil> 0.85", "Q:từ 0 đến 100", "Q:kỳ đánh giá"}},
		// "-" is no figure: a rate of "-" leaves the points (27,5) to score
		// the row; with "-" in both the row has neither.
		{"dash", "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\nTên đơn vị,Tỷ lệ hài lòng,Điểm ĐTXHH\nSở Tư pháp,-,\"27,5\"\nSở Tài chính,\"91,5\",\"27,45\"\nSở Nội vụ,-,-\nS.NV, - ,\n",
			[]string{"2025 S.TP 27.5 <nil>", "2025 S.TC <nil> 0.915", "Q:không có điểm hay tỷ lệ", "Q:không có điểm hay tỷ lệ"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, c.name+".csv", c.body)
			got, err := ParSurvey.Parse(input(t, p))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != len(c.want) {
				t.Fatalf("%d rows, want %d: %v", len(got.Rows), len(c.want), got.Rows)
			}
			for i, r := range got.Rows {
				if strings.HasPrefix(c.want[i], "Q:") {
					if r[9] == nil || !strings.Contains(r[9].(string), c.want[i][2:]) {
						t.Errorf("row %d: reason %v, want %q", i, r[9], c.want[i][2:])
					}
					continue
				}
				if s := strings.Join([]string{str(r[0]), str(r[1]), str(r[2]), str(r[3])}, " "); s != c.want[i] || r[9] != nil {
					t.Errorf("row %d = %s (q %v), want %s", i, s, r[9], c.want[i])
				}
			}
		})
	}
}

// Bonus and penalty: signed points or separate columns, a reason per row.
func TestAdjustments(t *testing.T) {
	body := "ĐIỂM THƯỞNG, ĐIỂM TRỪ CHỈ SỐ CCHC NĂM 2025\n" +
		"Đơn vị,Điểm thưởng,Điểm trừ,Lý do\n" +
		"Sở Tư pháp,\"1,5\",,Sáng kiến CCHC được công nhận\n" +
		"Sở Tư pháp,,1,Chậm báo cáo\n" + // a penalty written positive
		"Sở Tài chính,,\"-0,5\",Để xảy ra sai phạm\n" +
		"Sở Tài chính,1,,\n" + // no reason
		"Sở Nội vụ,1,1,Hai khoản một dòng\n" +
		"Sở Không Có,1,,Khen thưởng\n"
	p := writeFile(t, t.TempDir(), "adj.csv", body)
	got, err := ParAdjustments.Parse(input(t, p))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2025 S.TP Sáng kiến CCHC được công nhận 1.5", "2025 S.TP Chậm báo cáo -1", "2025 S.TC Để xảy ra sai phạm -0.5",
		"Q:thiếu lý do", "Q:một dòng chỉ ghi một khoản", "Q:không có trong danh mục"}
	if len(got.Rows) != len(want) {
		t.Fatalf("%d rows: %v", len(got.Rows), got.Rows)
	}
	for i, r := range got.Rows {
		if strings.HasPrefix(want[i], "Q:") {
			if r[9] == nil || !strings.Contains(r[9].(string), want[i][2:]) {
				t.Errorf("row %d: reason %v, want %q", i, r[9], want[i][2:])
			}
			continue
		}
		if s := strings.Join([]string{str(r[0]), str(r[1]), str(r[2]), str(r[3])}, " "); s != want[i] {
			t.Errorf("row %d = %s, want %s", i, s, want[i])
		}
	}
}

// Personal data never enters the warehouse (package pii): a list's reason
// is free text, masked with names; a quarantined row's raw_record holds
// each recognised cell masked by its column's rule, like a dossier's: the
// unit as a unit name (shapes only when it names a kind of unit, names
// too when it does not), the reason with names, a figure as it is when it
// reads and by its shape when it does not. Columns not recognised
// (here "Người ký") are left out.
func TestListsMaskPersonalData(t *testing.T) {
	const adjHead = "ĐIỂM THƯỞNG, ĐIỂM TRỪ NĂM 2025\nĐơn vị,Điểm thưởng,Điểm trừ,Lý do,Người ký\n"
	cases := []struct {
		name   string
		d      *Dataset
		body   string
		reason string // the loaded reason (column 2), or "" for a survey
		record string // the quarantined row's raw_record, or "" when loaded
	}{
		// Loaded: "Ông Nguyễn Văn Bình" is a name (surname Nguyễn + two
		// capitalised words), 0912345678 a phone.
		{"loaded reason", ParAdjustments, adjHead + "Sở Tư pháp,1,,Ông Nguyễn Văn Bình (SĐT 0912345678) có sáng kiến,Trần Thị Mai\n",
			"Ông [họ tên] (SĐT [SĐT]) có sáng kiến", ""},
		// Quarantined (bonus and penalty on one row): both figures read, so
		// they are kept; the reason masked as when loaded.
		{"quarantined adjustment", ParAdjustments, adjHead + "Sở Tư pháp,1,\"0,5\",Ông Nguyễn Văn Bình (SĐT 0912345678) bị kỷ luật,Trần Thị Mai\n",
			"", `{"Lý do":"Ông [họ tên] (SĐT [SĐT]) bị kỷ luật","Điểm thưởng":"1","Điểm trừ":"0,5","Đơn vị":"Sở Tư pháp"}`},
		// An unreadable figure holding a name is masked (Lê Văn Tám: surname
		// Lê) or kept by its shape (Khúc is no common surname: two
		// capitalised words in a row read as free text).
		{"unreadable figure", ParAdjustments, adjHead + "Sở Tư pháp,Ông Lê Văn Tám,,Khen thưởng,\n",
			"", `{"Lý do":"Khen thưởng","Điểm thưởng":"Ông [họ tên]","Đơn vị":"Sở Tư pháp"}`},
		{"unreadable figure shape", ParAdjustments, adjHead + "Sở Tư pháp,,Ông Khúc Thừa Dụ,Kỷ luật,\n",
			"", `{"Lý do":"Kỷ luật","Điểm trừ":"Xxx Xxxx Xxxx Xx","Đơn vị":"Sở Tư pháp"}`},
		// A period cell holding a name and a phone: the reason and the raw
		// value quote it masked (Khúc is no common surname: kept by shape).
		{"period cell", ParSurvey, "Tên đơn vị,Năm,Điểm ĐTXHH\nSở Tư pháp,Ông Khúc Thừa Dụ 0912345678,27\n",
			"", `{"Năm":"Xxx Xxxx Xxxx Xx [SĐT]","Tên đơn vị":"Sở Tư pháp","Điểm ĐTXHH":"27"}`},
		// A unit cell naming no kind of unit is a person: masked with names.
		{"person as unit", ParSurvey, "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\nTên đơn vị,Điểm ĐTXHH\nNguyễn Văn Bình 0912345678,27\n",
			"", `{"Tên đơn vị":"[họ tên] [SĐT]","Điểm ĐTXHH":"27"}`},
		// A unit name holding a street's name keeps it (the clerk adds the
		// alias), its phone masked.
		{"unit name kept", ParSurvey, "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\nTên đơn vị,Điểm ĐTXHH\nUBND phường Lê Lợi 0912345678,27\n",
			"", `{"Tên đơn vị":"UBND phường Lê Lợi [SĐT]","Điểm ĐTXHH":"27"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "list.csv", c.body)
			got, err := c.d.Parse(input(t, p))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != 1 {
				t.Fatalf("%d rows, want 1", len(got.Rows))
			}
			r := got.Rows[0]
			if c.reason != "" && str(r[2]) != c.reason {
				t.Errorf("reason %q, want %q", str(r[2]), c.reason)
			}
			if rec := str(r[12]); rec != c.record && !(c.record == "" && r[12] == nil) {
				t.Errorf("raw_record %s, want %s", rec, c.record)
			}
			for _, v := range r {
				for _, pd := range []string{"0912345678", "Nguyễn Văn Bình", "Lê Văn Tám", "Khúc Thừa Dụ", "Trần Thị Mai"} {
					if s, ok := v.(string); ok && strings.Contains(s, pd) {
						t.Errorf("personal data %q in %q", pd, s)
					}
				}
			}
		})
	}
}

// The sign of an adjustment: a penalty may be written with or without its
// minus, a signed "Điểm" column keeps its sign, and a negative figure
// under "Điểm thưởng" (a penalty in the wrong column, or a typo) is
// quarantined: taken by its size it would give the unit +0,5 instead of
// −0,5, a swing of 1 point.
func TestAdjustmentSigns(t *testing.T) {
	cases := []struct {
		name, header, row string
		want              string // points, or "Q:<reason part>"
	}{
		{"bonus", "Điểm thưởng,Điểm trừ", "\"0,5\",", "0.5"},
		{"bonus with plus", "Điểm thưởng,Điểm trừ", "+1,", "1"},
		{"negative bonus", "Điểm thưởng,Điểm trừ", "\"-0,5\",", "Q:điểm thưởng âm: ghi vào cột Điểm trừ"},
		{"penalty positive", "Điểm thưởng,Điểm trừ", ",\"0,5\"", "-0.5"},
		{"penalty signed", "Điểm thưởng,Điểm trừ", ",\"-0,5\"", "-0.5"},
		{"signed column", "Điểm", "\"-1,5\"", "-1.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "adj.csv", "ĐIỂM THƯỞNG, ĐIỂM TRỪ NĂM 2025\nĐơn vị,"+c.header+",Lý do\nSở Tư pháp,"+c.row+",Chậm báo cáo quý\n")
			got, err := ParAdjustments.Parse(input(t, p))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != 1 {
				t.Fatalf("%d rows, want 1", len(got.Rows))
			}
			r := got.Rows[0]
			if strings.HasPrefix(c.want, "Q:") {
				if r[9] == nil || !strings.Contains(r[9].(string), c.want[2:]) || r[3] != nil || str(r[13]) != CodeImpossibleScore {
					t.Errorf("points %v, reason %v (%v), want quarantined: %q", r[3], r[9], r[13], c.want[2:])
				}
				return
			}
			if str(r[3]) != c.want || r[9] != nil {
				t.Errorf("points %s (reason %v), want %s", str(r[3]), r[9], c.want)
			}
		})
	}
}

func str(v any) string {
	if v == nil {
		return "<nil>"
	}
	return strings.TrimSpace(strings.Trim(fmtAny(v), " "))
}

func fmtAny(v any) string {
	switch v := v.(type) {
	case float64:
		return strings.ReplaceAll(formatPoints(v), ",", ".")
	case string:
		return v
	}
	return "?"
}

// A list's period comes from its title like a sheet's: never from a
// signing date left blank, and title rows naming two periods fail the
// file naming both.
func TestListTitlePeriod(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, title, period, reject string
	}{
		{"blank date", ",CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n,\"Đắk Lắk, ngày … tháng … năm 2026\"\nKẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\n", "2025", ""},
		{"two years", "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\nNăm đánh giá: 2024\n", "", "2025 (dòng 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, c.name+".csv", c.title+"Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,\"28,5\"\n")
			got, err := ParSurvey.Parse(input(t, p))
			if c.reject != "" {
				if err == nil || !strings.Contains(err.Error(), c.reject) || !strings.Contains(err.Error(), "2024 (dòng 2") {
					t.Fatalf("err = %v, want the file rejected naming 2025 (row 1) and 2024 (row 2)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != 1 || str(got.Rows[0][0]) != c.period {
				t.Errorf("rows %v, want one of period %s", got.Rows, c.period)
			}
		})
	}
}
