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
