package e2e

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/publish"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// Personal data cannot ride in recognised columns: a run of exports with
// phone, ID numbers, e-mail, JSON objects and names typed into the
// procedure name, field, unit, status, rating and date columns, and a file
// without a header row, leaves none of them in any table, in the warehouse
// and snapshot bytes, in the publications (the dossier-stats workbook
// included) or in the run's messages; the masked cells are counted per
// file.
func TestNoPersonalDataInRecognisedColumns(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("units.csv", "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n"+
		"H.BAVI,UBND huyện Ba Vì,district,,,,,Ba Vì\nH.PHUCTHO,UBND huyện Phúc Thọ,district,,,,,Phúc Thọ\n")
	write("cchc.yaml", "warehouse: ./cchc.duckdb\nunits: ./units.csv\npublish:\n  dir: ./out\n  formats: [csv, xlsx, json, html]\n  lake: ./lake\n"+
		"sources:\n  - name: hostile\n    kind: file\n    path: ./exports/*.csv\n    unit: H.BAVI\n")
	header := "Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Lĩnh vực,Hình thức nộp,Ngày tiếp nhận,Ngày kết thúc xử lý,Trạng thái,Đánh giá,Họ tên người nộp,Số CCCD\n"
	write("exports/hostile.csv", header+
		// Loaded, masked: a phone in the procedure name, a name as the field.
		`H41-0001,,Cấp giấy phép xây dựng (gọi 0903111222),Nguyễn Văn Khải,Trực tiếp,02/03/2026 08:00,05/03/2026 08:00,Đã trả kết quả,Hài lòng,Nguyễn Văn Khải,001190099901`+"\n"+
		// Loaded, masked: a JSON form pasted into the procedure name.
		`H41-0002,,"{""nguoiNop"":""Trần Thị Mơ"",""cccd"":""001203004567""}",Hộ tịch,Trực tiếp,03/03/2026 08:00,,Đang xử lý,,,`+"\n"+
		// Loaded, masked: an e-mail in the field, a CMND in the name.
		`H41-0003,Phúc Thọ,Chứng thực bản sao CMND 123456789,Hộ tịch - mai.anh@gmail.com,Trực tuyến,03/03/2026 09:00,,Đang xử lý,,,`+"\n"+
		// Quarantined: a name in the rating.
		`H41-0004,,Khai sinh,Hộ tịch,Trực tiếp,04/03/2026 08:00,05/03/2026 08:00,Đã trả kết quả,Lê Thị Hoa Mai,,`+"\n"+
		// Quarantined: a name (unlisted surname) and a phone in the status.
		`H41-0005,,Khai sinh,Hộ tịch,Trực tiếp,04/03/2026 08:00,,"Bà Khúc Thị Lan, ĐT +84 912 000 111",,,`+"\n"+
		// Quarantined: a name and a phone in the receipt date.
		`H41-0006,,Khai sinh,Hộ tịch,Trực tiếp,Phạm Văn Đồng 091.222.3333,,Đang xử lý,,,`+"\n"+
		// Quarantined: a person in the unit column.
		`H41-0007,Đinh Thị Xuân,Khai sinh,Hộ tịch,Trực tiếp,04/03/2026 08:00,,Đang xử lý,,,`+"\n")
	// No header row: the first row of data is taken for the header, and
	// the error saying no dossier code column was found quotes it.
	write("exports/noheader.csv", "H41-0008,UBND huyện Ba Vì,Khai sinh,Vũ Thị Hằng,0977123456,quynh.tran@yahoo.com\n"+
		"H41-0009,UBND huyện Ba Vì,Khai sinh,Vũ Thị Hằng,0977123456,quynh.tran@yahoo.com\n")

	numbers := []string{"0903111222", "001190099901", "001203004567", "123456789", "912000111", "84912000111", "0912223333", "0977123456"}
	texts := []string{"Nguyễn Văn Khải", "Trần Thị Mơ", "nguoiNop", "mai.anh@gmail.com", "Lê Thị Hoa Mai", "Khúc Thị Lan",
		"+84 912 000 111", "Phạm Văn Đồng", "091.222.3333", "Đinh Thị Xuân", "Vũ Thị Hằng", "quynh.tran@yahoo.com"}

	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Batch(context.Background(), cfg, reg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run.Status != "partial" {
		t.Errorf("run %s, want partial (the file without a header fails)", sum.Run.Status)
	}
	// The run's own texts: messages, file errors, the quarantine samples.
	var said strings.Builder
	said.WriteString(sum.Run.Message + "\n")
	for _, f := range sum.Files {
		said.WriteString(f.Error + "\n" + strings.Join(f.Mapping.Unmapped, ",") + "\n")
	}
	for _, r := range sum.Rejections {
		said.WriteString(r.Column + " " + r.Raw + " " + r.Reason + "\n")
	}
	for _, v := range append(append([]string{}, numbers...), texts...) {
		if strings.Contains(said.String(), v) {
			t.Errorf("the run summary holds %q", v)
		}
	}
	if !strings.Contains(said.String(), "headers found") {
		t.Errorf("the file without a header is not reported: %s", said.String())
	}

	w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	var files []string
	files = append(files, cfg.Warehouse, warehouse.SnapshotPath(cfg.Warehouse))
	filepath.WalkDir(cfg.Publish.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	assertNoPII(t, db, files, numbers, texts)

	// Publications as a reader sees them: every cell of every workbook,
	// every text file.
	var pub strings.Builder
	for _, f := range files[2:] {
		if filepath.Ext(f) == ".xlsx" {
			pub.WriteString(workbookText(t, f))
			continue
		}
		if ext := filepath.Ext(f); ext == ".csv" || ext == ".json" || ext == ".html" {
			b, _ := os.ReadFile(f)
			pub.Write(b)
		}
	}
	for _, v := range texts {
		if strings.Contains(pub.String(), v) {
			t.Errorf("a publication holds %q", v)
		}
	}

	// The lake (publish.lake), every row of every table as text: the
	// warehouse's masked values, never the personal data.
	lakeTables := 0
	for _, tb := range publish.LakeTables {
		folder := filepath.Join(cfg.Publish.Lake, tb.Name)
		if _, err := os.Stat(folder); err != nil {
			continue
		}
		lakeTables++
		var text sql.NullString
		if err := db.QueryRow(`SELECT string_agg(t::VARCHAR, chr(10)) FROM read_parquet(?, hive_partitioning = true) t`,
			filepath.Join(folder, "**", "*.parquet")).Scan(&text); err != nil {
			t.Fatalf("lake %s: %v", tb.Name, err)
		}
		for _, v := range append(append([]string{}, numbers...), texts...) {
			if strings.Contains(text.String, v) {
				t.Errorf("lake table %s holds %q", tb.Name, v)
			}
		}
		if tb.Name == "dossiers" && !strings.Contains(text.String, "[SĐT]") {
			t.Errorf("lake dossiers lack the masked procedure name")
		}
	}
	if lakeTables < 6 {
		t.Errorf("the lake holds %d tables, want units, periods, dossiers, dossier_stats, indicator_values, index_scores", lakeTables)
	}

	// What was loaded, and counted. By hand: loaded rows 1 (procedure
	// name, field), 2 (procedure name) and 3 (procedure name, field) = 5;
	// quarantined rows' raw_record: 4 (rating), 5 (status), 6 (date), 7
	// (unit) = 4; 9 in all.
	one := func(q string, args ...any) string {
		t.Helper()
		var v sql.NullString
		if err := db.QueryRow(q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v.String
	}
	for q, want := range map[string]string{
		`SELECT values_masked FROM source_files WHERE path LIKE '%hostile.csv'`:                          "9",
		`SELECT rows_quarantined FROM source_files WHERE path LIKE '%hostile.csv'`:                       "4",
		`SELECT procedure_name FROM dossiers WHERE dossier_code = 'H41-0001'`:                            "Cấp giấy phép xây dựng (gọi [SĐT])",
		`SELECT field FROM dossiers WHERE dossier_code = 'H41-0001'`:                                     "[họ tên]",
		`SELECT procedure_name FROM dossiers WHERE dossier_code = 'H41-0002'`:                            "[JSON]",
		`SELECT field FROM dossiers WHERE dossier_code = 'H41-0003'`:                                     "Hộ tịch - [email]",
		`SELECT count(*) FROM dossier_stats WHERE field = '[họ tên]'`:                                    "4", // 2026-03, 2026-Q1, 2026-H1, 2026
		`SELECT raw_value FROM quarantine WHERE column_name = 'Đánh giá'`:                                "[họ tên]",
		`SELECT raw_value FROM quarantine WHERE column_name = 'Trạng thái'`:                              "Xx Xxxx Xxx Xxx, XX [SĐT]",
		`SELECT raw_value FROM quarantine WHERE column_name = 'Ngày tiếp nhận'`:                          "[họ tên] [SĐT]",
		`SELECT count(*) FROM quarantine WHERE raw_record::VARCHAR LIKE '%Họ tên người nộp%'`:            "0",
		`SELECT count(*) FROM quarantine WHERE raw_record::VARCHAR LIKE '%Số CCCD%'`:                     "0",
		`SELECT CAST(error LIKE '%headers found%' AS VARCHAR) FROM source_files WHERE status = 'failed'`: "true",
	} {
		if got := one(q); got != want {
			t.Errorf("%s\n = %q, want %q", q, got, want)
		}
	}
	if !strings.Contains(pub.String(), "[họ tên]") {
		t.Error("the masked field does not reach the publications: the test does not test them")
	}
}

// workbookText returns every cell of every sheet of an xlsx file.
func workbookText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}
