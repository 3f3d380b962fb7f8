package datasets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/cchc/cchc/pii"
)

// FuzzLists feeds arbitrary CSV to the survey and adjustment readers: they
// must never panic; the rows they stage fit the schema, their quarantined
// rows are exactly their rejections, and no staged text (reason, raw
// value, each cell of a raw_record) holds a number, e-mail or JSON shape
// of personal data, nor, outside unit names, a name pii finds.
func FuzzLists(f *testing.F) {
	f.Add("KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC NĂM 2025\nTên đơn vị,Tỷ lệ hài lòng,Điểm ĐTXHH\nSở Tư pháp,-,\"27,5\"\nNguyễn Văn Bình 0912345678,90,\nS.TC,abc,\n")
	f.Add("ĐIỂM THƯỞNG, ĐIỂM TRỪ NĂM 2025\nĐơn vị,Điểm thưởng,Điểm trừ,Lý do,Năm\nSở Tư pháp,1,\"0,5\",Ông Nguyễn Văn Bình (SĐT 0912345678),2025\nSở Tư pháp,\"-0,5\",,x,Lê Thị Lan a@b.vn\n")
	f.Add("Đơn vị,Điểm,Lý do\nSở Tư pháp,một,{\"cccd\":\"001088012345\"}\n")
	reg := testUnits(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, d := range []*Dataset{ParSurvey, ParAdjustments} {
			in := Input{Path: p, Units: reg, Source: "par", File: "f.csv", SHA256: "x", FileSeq: 1, Period: "2025"}
			got, err := d.Parse(in)
			if err != nil {
				continue
			}
			quarantined := 0
			for _, r := range got.Rows {
				if len(r) != d.Stage.NumFields() {
					t.Fatalf("%s: row of %d values", d.Name, len(r))
				}
				if r[len(r)-5] != nil {
					quarantined++
				}
				// reason (adjustments), q_reason, q_raw_value: no shapes.
				texts := []any{r[len(r)-5], r[len(r)-3]}
				if d == ParAdjustments {
					texts = append(texts, r[2])
				}
				if rec, ok := r[len(r)-2].(string); ok {
					var m map[string]string
					if err := json.Unmarshal([]byte(rec), &m); err != nil {
						t.Fatalf("%s: raw_record %q: %v", d.Name, rec, err)
					}
					for _, v := range m {
						texts = append(texts, v)
					}
				}
				for _, v := range texts {
					if s, ok := v.(string); ok && len(pii.FindShapes(s)) > 0 {
						t.Fatalf("%s: personal data left in %q", d.Name, s)
					}
				}
				if d == ParAdjustments {
					if s, ok := r[2].(string); ok && pii.Contains(s) {
						t.Fatalf("adjustment reason %q holds personal data", s)
					}
				}
			}
			if quarantined != len(got.Rejections) {
				t.Fatalf("%s: %d quarantined rows, %d rejections", d.Name, quarantined, len(got.Rejections))
			}
			rdr, err := d.Reader(got.Rows)
			if err != nil {
				t.Fatal(err)
			}
			rdr.Release()
		}
	})
}

// FuzzSheet feeds arbitrary CSV to the scoring-sheet reader: it must never
// panic, and a sheet it accepts must be a tree (unique codes, each parent
// before its children) whose stage rows fit the schema and whose
// quarantined rows are exactly its rejections.
func FuzzSheet(f *testing.F) {
	f.Add("Đơn vị: Sở Tư pháp\nnăm 2025\nSTT,Tiêu chí,Điểm tối đa,Điểm thẩm định\nI,A,2,\"1,5\"\n1,B,2,\"1,5\"\n,quy tắc\n1.1,C,1,2\nTổng cộng,,2,3\n")
	f.Add("Cơ quan: Sở Tài chính - năm 2025\nSTT,Nội dung đánh giá,Điểm tối đa,Điểm đánh giá,\n,,,Tự chấm,Thẩm định\nII,X,1,1,KAD\n1,Y,1,,\n2.3.1,Z,1,1,1\n")
	f.Add("STT,Tiêu chí,Điểm tối đa,Điểm thẩm định\nIV,A,N/A,-1\nIX,B,,\nXII,C,1e9,NaN\n")
	reg := testUnits(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		in := Input{Path: p, Units: reg, Source: "par", File: "f.csv", SHA256: "x", FileSeq: 1, DefaultUnit: "S.TP", Period: "2025"}
		got, err := ParAppraisal.Parse(in)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		quarantined := 0
		for _, n := range got.Sheet.Nodes {
			if seen[n.Code] {
				t.Fatalf("code %s twice", n.Code)
			}
			if n.ParentCode != "" && !seen[n.ParentCode] {
				t.Fatalf("%s before its parent %s", n.Code, n.ParentCode)
			}
			seen[n.Code] = true
		}
		for _, r := range got.Rows {
			if len(r) != ParAppraisal.Stage.NumFields() {
				t.Fatalf("row of %d values", len(r))
			}
			if r[len(r)-5] != nil {
				quarantined++
			}
		}
		if quarantined != len(got.Rejections) {
			t.Fatalf("%d quarantined rows, %d rejections", quarantined, len(got.Rejections))
		}
		rdr, err := ParAppraisal.Reader(got.Rows)
		if err != nil {
			t.Fatal(err)
		}
		rdr.Release()
	})
}

// FuzzTitlePeriod: titlePeriod never panics, and a signing-date line put
// before the text, written out or left blank, changes nothing. (A year it
// reads that no calendar has, "0000", is refused later by parsePeriod,
// rejecting the file.)
func FuzzTitlePeriod(f *testing.F) {
	for _, s := range []string{"BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025", "6 tháng đầu năm 2025", "Kỳ đánh giá: 2025-H2",
		"Đắk Lắk, ngày … tháng … năm 2026", "tháng 01 năm 2026", "Năm: 2024", "ngày 5 tháng năm 2025"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := titlePeriod(s)
		for _, date := range []string{"Đắk Lắk, ngày 20 tháng 01 năm 2026", "Đắk Lắk, ngày     tháng     năm 2026", "ngày … tháng … năm 2026", "tháng 01 năm 2026"} {
			if q := titlePeriod(date + "; " + s); q != p {
				t.Fatalf("titlePeriod(%q) = %q, but %q after a signing date", s, p, q)
			}
		}
	})
}
