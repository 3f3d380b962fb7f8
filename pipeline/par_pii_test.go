package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchc/cchc/config"
)

// Personal data typed into the PAR inputs reaches no table of the
// warehouse and no log line: a signer's name and phone below a scoring
// sheet without a total row (rule text), an adjustment reason naming a
// person with a phone (loaded, and on a quarantined row with both a bonus
// and a penalty: its raw_record), a survey row whose unit cell is a person
// (quarantined, unknown unit).
func TestPARInputsNoPersonalData(t *testing.T) {
	_, reg, w, dir := parFixture(t)
	write(t, filepath.Join(dir, "cchc.yaml"), "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n"+
		"  - name: sheets\n    path: ./sheets/*.csv\n    dataset: par_appraisal\n"+
		"  - name: survey\n    path: ./survey/*.csv\n    dataset: par_survey\n    period: \"2025\"\n"+
		"  - name: adj\n    path: ./adj/*.csv\n    dataset: par_adjustments\n")
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sheets", "1-stp.csv"), "BẢNG ĐIỂM CHỈ SỐ CCHC NĂM 2025\nĐơn vị: Sở Tư pháp\n"+
		"STT,Tiêu chí,Điểm tối đa,Điểm tự đánh giá,Điểm thẩm định\n"+
		"I,Công tác chỉ đạo điều hành,10,,\n1,Kế hoạch CCHC năm,10,10,9\n"+
		"II,Điều tra xã hội học,30,,\n1,Mức độ hài lòng,30,,\n"+
		",,,,\n,NGƯỜI LẬP BIỂU,,,GIÁM ĐỐC\n,Nguyễn Thị Hoa,,,Trần Văn Bình\n,ĐT: 0912 345 678,,,\n")
	write(t, filepath.Join(dir, "survey", "dtxhh.csv"), "Tên đơn vị,Tỷ lệ hài lòng\nSở Tư pháp,90\nPhạm Văn Đức 0987654321,80\n")
	write(t, filepath.Join(dir, "adj", "thuong-tru.csv"), "ĐIỂM THƯỞNG, ĐIỂM TRỪ NĂM 2025\nĐơn vị,Điểm thưởng,Điểm trừ,Lý do\n"+
		"Sở Tư pháp,\"0,5\",,Sáng kiến của ông Lê Văn Tâm (SĐT 0911222333)\n"+
		"Sở Tư pháp,1,\"0,5\",Ông Nguyễn Văn Bình (SĐT 0912345678) bị kỷ luật\n")
	var logs bytes.Buffer
	sum, err := Run(context.Background(), cfg, w, reg, Options{NoPublish: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil || sum.Run.Status != "succeeded" {
		t.Fatalf("%v %s %s", err, sum.Run.Status, sum.Run.Message)
	}
	// Two rows quarantined: the person as a survey unit, the adjustment
	// with both amounts.
	if n := scalar[int64](t, w, `SELECT count(*) FROM quarantine`); n != 2 {
		t.Errorf("%d quarantined rows, want 2", n)
	}
	personal := []string{"Nguyễn Thị Hoa", "0912 345 678", "Phạm Văn Đức", "0987654321", "Lê Văn Tâm", "0911222333", "Nguyễn Văn Bình", "0912345678"}
	// Every table, each row as text (a struct of its columns cast to
	// VARCHAR), searched for every value.
	rows, err := w.DB().Query(`SELECT DISTINCT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var tb string
		if err := rows.Scan(&tb); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("tables %v", tables)
	}
	for _, tb := range tables {
		all := scalar[string](t, w, `SELECT coalesce(string_agg(CAST(x AS VARCHAR), chr(10)), '') FROM "`+tb+`" x`)
		for _, pd := range personal {
			if strings.Contains(all, pd) {
				t.Errorf("%s holds %q", tb, pd)
			}
		}
	}
	for _, pd := range personal {
		if strings.Contains(logs.String(), pd) {
			t.Errorf("the log holds %q", pd)
		}
	}
	// The masked texts stay readable for the clerk: the quarantined
	// adjustment's record keeps its figures and the masked reason.
	if got := scalar[string](t, w, `SELECT raw_record FROM quarantine WHERE reason_code = 'two_amounts'`); !strings.Contains(got, `"Ông [họ tên] (SĐT [SĐT]) bị kỷ luật"`) {
		t.Errorf("raw_record %s", got)
	}

	if got := scalar[string](t, w, `SELECT string_agg(reason, ' | ' ORDER BY reason) FROM par_adjustment_rows`); got != "Sáng kiến của ông [họ tên] (SĐT [SĐT])" {
		t.Errorf("par_adjustment_rows.reason %q", got)
	}
}
