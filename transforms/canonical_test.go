package transforms

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

type fakeUnits map[string]string

func (f fakeUnits) Resolve(raw string) (string, bool) {
	c, ok := f[Key(raw)]
	return c, ok
}

var testUnits = fakeUnits{"hbavi": "H.BAVI", "ubndhuyenbavi": "H.BAVI", "bavi": "H.BAVI", "stp": "S.TP", "sotuphap": "S.TP"}

// rawRecord builds a record shaped like a sources.RawReader batch.
func rawRecord(mem memory.Allocator, header []string, rows [][]string) arrow.Record {
	fields := make([]arrow.Field, 0, len(header)+1)
	for i := range header {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d", i), Type: arrow.BinaryTypes.String})
	}
	fields = append(fields, arrow.Field{Name: "__row", Type: arrow.PrimitiveTypes.Int64})
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for r, row := range rows {
		for i := range header {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			b.Field(i).(*array.StringBuilder).Append(v)
		}
		b.Field(len(header)).(*array.Int64Builder).Append(int64(r + 2))
	}
	return b.NewRecord()
}

// value reads column name of row i of a stage record as a string ("<nil>"
// for null), for compact expectations.
func value(rec arrow.Record, name string, i int) string {
	idx := rec.Schema().FieldIndices(name)[0]
	col := rec.Column(idx)
	if col.IsNull(i) {
		return "<nil>"
	}
	switch c := col.(type) {
	case *array.Timestamp:
		return time.UnixMicro(int64(c.Value(i))).UTC().Format("2006-01-02 15:04:05")
	default:
		return col.ValueStr(i)
	}
}

// bySourceRow maps each source_row of a stage record to its index, and
// checks the order Apply promises: every valid row (q_reason NULL) before
// every rejected one, each group in ascending source_row (the file's
// order), every source_row once.
func bySourceRow(t *testing.T, out arrow.Record) map[int64]int {
	t.Helper()
	rows := out.Column(FSourceRow).(*array.Int64)
	q := out.Column(FQReason)
	idx := map[int64]int{}
	for i := 0; i < int(out.NumRows()); i++ {
		r := rows.Value(i)
		if _, dup := idx[r]; dup {
			t.Errorf("source_row %d twice", r)
		}
		idx[r] = i
		if i == 0 {
			continue
		}
		switch prevBad, bad := q.IsValid(i-1), q.IsValid(i); {
		case prevBad && !bad:
			t.Errorf("valid row %d (source_row %d) after a rejected one", i, r)
		case prevBad == bad && rows.Value(i-1) >= r:
			t.Errorf("row %d: source_row %d after %d", i, r, rows.Value(i-1))
		}
	}
	return idx
}

func TestApply(t *testing.T) {
	header := []string{"STT", "Mã hồ sơ", "Đơn vị tiếp nhận", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Hình thức nộp",
		"Ngày tiếp nhận", "Hạn xử lý", "Ngày kết thúc xử lý", "Ngày trả kết quả", "Trạng thái", "Số lần bổ sung",
		"Số ngày bổ sung", "Thanh toán trực tuyến", "Số hóa hồ sơ", "Đánh giá", "Họ tên người nộp", "Số CCCD", "Ghi chú"}
	cases := []struct {
		name string
		row  []string
		want map[string]string // column → value; "q_reason" substring when rejected
	}{
		{"full row",
			[]string{"1", "H41.12-260315-0001", "UBND huyện Ba Vì", "1.00123", "Đăng ky\u0301 khai sinh", "Hộ tịch", "Trực tuyến",
				"15/03/2026 08:30", "20/03/2026 17:00", "19/03/2026 10:00", "20/03/2026", "Đã trả kết quả", "1", "2,5", "Có", "x", "Rất hài lòng", "Nguyễn Văn An", "001203004005", "ghi chú"},
			map[string]string{"dossier_code": "H41.12-260315-0001", "unit_code": "H.BAVI", "procedure_code": "1.001230",
				"procedure_name": "Đăng ký khai sinh", "channel": "online", "received_at": "2026-03-15 08:30:00",
				"due_at": "2026-03-20 17:00:00", "finished_at": "2026-03-19 10:00:00", "returned_at": "2026-03-20 00:00:00",
				"status": "returned", "supplement_requests": "1", "supplement_days": "2.5", "paid_online": "true",
				"digitized_dossier": "true", "rating": "very_satisfied", "synced_national": "<nil>", "q_reason": "<nil>"}},
		{"defaults: unit, channel, inferred status",
			[]string{"2", "H41.12-260316-0002", "", "", "", "", "", "16/03/2026", "", "", "", "", "", "", "", "", "", "", "", ""},
			map[string]string{"unit_code": "S.TP", "channel": "direct", "status": "processing", "due_at": "<nil>",
				"paid_online": "false", "digitized_dossier": "false", "rating": "<nil>", "q_reason": "<nil>"}},
		{"finish taken from return date",
			[]string{"3", "X-3", "stp", "", "", "", "2", "2026-03-16T09:00:00", "", "", "18/03/2026 15:00", "Đã trả", "", "", "", "", "", "", "", ""},
			map[string]string{"finished_at": "2026-03-18 15:00:00", "status": "returned", "channel": "online"}},
		{"missing code", []string{"4", " ", "", "", "", "", "", "16/03/2026"}, map[string]string{"q_reason": "Thiếu mã hồ sơ", "q_reason_code": "missing_dossier_code", "q_column": "Mã hồ sơ"}},
		{"unknown unit", []string{"5", "X-5", "UBND huyện Thạch Thất", "", "", "", "", "16/03/2026"},
			map[string]string{"q_reason": `Đơn vị "UBND huyện Thạch Thất" chưa có trong danh mục đơn vị: thêm vào units.csv`, "q_reason_code": "unknown_unit", "q_column": "Đơn vị tiếp nhận", "q_raw_value": "UBND huyện Thạch Thất"}},
		{"bad date", []string{"6", "X-6", "", "", "", "", "", "31/02/2026"}, map[string]string{"q_reason": `Không đọc được ngày "31/02/2026" (cột "Ngày tiếp nhận")`, "q_reason_code": "unparseable_date", "q_raw_value": "31/02/2026"}},
		{"missing receipt", []string{"7", "X-7", "", "", "", "", "", ""}, map[string]string{"q_reason": "Thiếu ngày tiếp nhận", "q_reason_code": "missing_received_at"}},
		{"due before receipt", []string{"8", "X-8", "", "", "", "", "", "16/03/2026 10:00", "15/03/2026"},
			map[string]string{"q_reason": "trước ngày tiếp nhận 16/03/2026 10:00", "q_reason_code": "due_before_received", "q_column": "Hạn xử lý"}},
		{"finish before receipt", []string{"9", "X-9", "", "", "", "", "", "16/03/2026 10:00", "", "16/03/2026 09:59"},
			map[string]string{"q_reason": "trước ngày tiếp nhận", "q_reason_code": "finished_before_received", "q_column": "Ngày kết thúc xử lý"}},
		{"unknown status", []string{"10", "X-10", "", "", "", "", "", "16/03/2026", "", "", "", "Đang chờ duyệt xyz"},
			map[string]string{"q_reason": `Trạng thái "Đang chờ duyệt xyz" (cột "Trạng thái") không nhận diện được`, "q_reason_code": "unknown_status", "q_column": "Trạng thái"}},
		{"resolved without finish", []string{"11", "X-11", "", "", "", "", "", "16/03/2026", "", "", "", "Đã xử lý xong"},
			map[string]string{"q_reason": "không có ngày kết thúc xử lý", "q_reason_code": "missing_finish_date"}},
		{"rejected without any end date", []string{"14", "X-14", "", "", "", "", "", "16/03/2026", "", "", "", "Từ chối"},
			map[string]string{"q_reason": `Trạng thái "Từ chối" đã kết thúc`, "q_reason_code": "missing_finish_date"}},
		{"date-only due and finish on the day of receipt", []string{"15", "X-15", "", "", "", "", "", "16/03/2026 14:00", "16/03/2026", "16/03/2026", "", "Đã xử lý xong"},
			map[string]string{"q_reason": "<nil>", "due_at": "2026-03-16 00:00:00", "finished_at": "2026-03-16 00:00:00", "status": "resolved"}},
		{"bad channel", []string{"12", "X-12", "", "", "", "", "fax", "16/03/2026"}, map[string]string{"q_column": "Hình thức nộp", "q_raw_value": "fax", "q_reason_code": "unknown_channel"}},
		{"bad number", []string{"13", "X-13", "", "", "", "", "", "16/03/2026", "", "", "", "", "hai"}, map[string]string{"q_column": "Số lần bổ sung", "q_reason_code": "unparseable_number"}},
		// The run date is 30/11/2026 00:00 with a tolerance of one day
		// (MapOptions below): dates after 01/12/2026 00:00 are in the future.
		{"received before 2000", []string{"16", "X-16", "", "", "", "", "", "15/03/1926"},
			map[string]string{"q_reason": "Ngày 15/03/1926 (cột \"Ngày tiếp nhận\") trước năm 2000", "q_reason_code": "date_before_2000"}},
		{"finish after the run date plus tolerance", []string{"17", "X-17", "", "", "", "", "", "16/03/2026", "", "01/12/2026 00:01"},
			map[string]string{"q_reason": "sau ngày chạy 30/11/2026", "q_reason_code": "date_in_future", "q_column": "Ngày kết thúc xử lý"}},
		{"finish within the tolerance", []string{"18", "X-18", "", "", "", "", "", "16/03/2026", "", "30/11/2026 23:59"},
			map[string]string{"q_reason": "<nil>", "status": "resolved"}},
		{"due dates may lie in the future", []string{"19", "X-19", "", "", "", "", "", "16/03/2026", "31/12/2027"},
			map[string]string{"q_reason": "<nil>", "due_at": "2027-12-31 00:00:00"}},
		// "1.234" days: 1234 ≤ 3650 and 1,234 are both plausible → refused.
		{"ambiguous days", []string{"20", "X-20", "", "", "", "", "", "16/03/2026", "", "", "", "", "", "1.234"},
			map[string]string{"q_reason": "đọc được hai cách: 1234 hoặc 1,234", "q_reason_code": "ambiguous_number", "q_column": "Số ngày bổ sung"}},
		// "12.500" days: 12500 > 3650 is implausible, so 12,5.
		{"days: only the decimal reading is plausible", []string{"21", "X-21", "", "", "", "", "", "16/03/2026", "", "", "", "", "", "12.500"},
			map[string]string{"q_reason": "<nil>", "supplement_days": "12.5"}},
		// "2.000" requests: 2000 > 1000 is implausible; 2,000 is the whole number 2.
		{"count: only the decimal reading is plausible", []string{"22", "X-22", "", "", "", "", "", "16/03/2026", "", "", "", "", "2.000"},
			map[string]string{"q_reason": "<nil>", "supplement_requests": "2"}},
		// "1.234" requests: 1234 > 1000 and 1,234 is not whole → neither.
		{"count: neither reading is plausible", []string{"23", "X-23", "", "", "", "", "", "16/03/2026", "", "", "", "", "1.234"},
			map[string]string{"q_reason": "không hợp lý", "q_reason_code": "implausible_number"}},
		// "1.000" requests: 1000 ≤ 1000 and 1 are both plausible → refused.
		{"count: both readings plausible", []string{"24", "X-24", "", "", "", "", "", "16/03/2026", "", "", "", "", "1.000"},
			map[string]string{"q_reason_code": "ambiguous_number"}},
		{"negative days", []string{"25", "X-25", "", "", "", "", "", "16/03/2026", "", "", "", "", "", "-2"},
			map[string]string{"q_reason_code": "implausible_number"}},
		// '*' names dossier_stats' total row, never a field: a field of
		// only "*" is no field (NULL, counted under "(chưa phân loại)").
		{"field of only a star is no field", []string{"26", "X-26", "", "", "", " * ", "", "16/03/2026"},
			map[string]string{"q_reason": "<nil>", "field": "<nil>"}},
		{"a star within a field's name is kept", []string{"27", "X-27", "", "", "", "Hộ tịch *", "", "16/03/2026"},
			map[string]string{"q_reason": "<nil>", "field": "Hộ tịch *"}},
	}
	rows := make([][]string, len(cases))
	for i, c := range cases {
		rows[i] = c.row
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	raw := rawRecord(mem, header, rows)
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Source: "s", File: "f.csv", SHA256: "h", FileSeq: 1, Mem: mem,
		Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), FutureTolerance: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	defer out.Release()
	if out.NumRows() != int64(len(cases)) {
		t.Fatalf("rows in %d out %d", len(cases), out.NumRows())
	}
	// Case i is the raw record's row i, source_row i+2 (rawRecord).
	at := bySourceRow(t, out)
	rejected := 0
	for ci, c := range cases {
		i, ok := at[int64(ci+2)]
		if !ok {
			t.Fatalf("%s: no row with source_row %d", c.name, ci+2)
		}
		t.Run(c.name, func(t *testing.T) {
			for col, want := range c.want {
				got := value(out, col, i)
				if strings.HasPrefix(col, "q_") && want != "<nil>" {
					if !strings.Contains(got, want) {
						t.Errorf("%s = %q, want it to contain %q", col, got, want)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
		})
		if value(out, "q_reason", i) != "<nil>" {
			rejected++
			if raw := value(out, "q_raw_record", i); strings.Contains(raw, "Nguyễn") || strings.Contains(raw, "Số CCCD") || strings.Contains(raw, "ghi chú") {
				t.Errorf("raw_record carries unmapped or personal data: %s", raw)
			}
		}
	}
	if rejected != len(errs) {
		t.Errorf("%d rows flagged, %d RowErrors", rejected, len(errs))
	}
	mp := m.Mapping()
	if strings.Join(mp.Dropped, ",") != "Họ tên người nộp,Số CCCD" {
		t.Errorf("dropped = %v", mp.Dropped)
	}
	if strings.Join(mp.Unmapped, ",") != "STT,Ghi chú" {
		t.Errorf("unmapped = %v", mp.Unmapped)
	}
	// Personal data must not appear anywhere in the stage record.
	for c := 0; c < int(out.NumCols()); c++ {
		for i := 0; i < int(out.NumRows()); i++ {
			if v := out.Column(c).ValueStr(i); strings.Contains(v, "Nguyễn Văn An") || strings.Contains(v, "001203004005") {
				t.Errorf("personal data in column %s: %q", out.Schema().Field(c).Name, v)
			}
		}
	}
}

func TestNoDossierCode(t *testing.T) {
	if _, err := NewMapper([]string{"Họ tên", "Ngày tiếp nhận"}, MapOptions{Units: testUnits}); err != ErrNoDossierCode {
		t.Errorf("err = %v", err)
	}
}

// Header variants of every format map to the same columns.
func TestHeaderVariants(t *testing.T) {
	for _, h := range [][]string{
		{"Mã hồ sơ", "Ngày tiếp nhận", "Kênh thực hiện"},
		{"MÃ HỒ SƠ", "NGAY TIEP NHAN", "Kenh thuc hien"},
		{"MaHoSo", "NgayTiepNhan", "KenhThucHien"},
		{"dossier_code", "received_at", "channel"},
		{"Ma\u0303 hô\u0300 sơ", "Nga\u0300y tiê\u0301p nhâ\u0323n", "Kênh thực hiện"}, // NFD
	} {
		m, err := NewMapper(h, MapOptions{Units: testUnits})
		if err != nil {
			t.Errorf("%v: %v", h, err)
			continue
		}
		if len(m.Mapping().Columns) != 3 {
			t.Errorf("%v mapped %v", h, m.Mapping().Columns)
		}
		m.Release()
	}
}

func BenchmarkApply(b *testing.B) {
	header := []string{"Mã hồ sơ", "Đơn vị tiếp nhận", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Hình thức nộp",
		"Ngày tiếp nhận", "Hạn xử lý", "Ngày kết thúc xử lý", "Trạng thái", "Số hóa hồ sơ", "Đánh giá"}
	row := []string{"H41.12-260315-0001", "UBND huyện Ba Vì", "1.001234", "Đăng ký khai sinh", "Hộ tịch", "Trực tuyến",
		"15/03/2026 08:30", "20/03/2026 17:00", "19/03/2026 10:00", "Đã trả kết quả", "x", "Hài lòng"}
	rows := make([][]string, 10000)
	for i := range rows {
		rows[i] = row
	}
	raw := rawRecord(memory.DefaultAllocator, header, rows)
	defer raw.Release()
	m, _ := NewMapper(header, MapOptions{Units: testUnits})
	defer m.Release()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, _ := m.Apply(header, raw)
		out.Release()
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}

// Personal data typed into recognised columns is masked: in loaded
// free-text cells, in the quarantined raw value, in its reason and in the
// raw record; and every masked cell is counted.
func TestApplyMasksPersonalData(t *testing.T) {
	header := []string{"Mã hồ sơ", "Đơn vị tiếp nhận", "Tên thủ tục", "Lĩnh vực", "Ngày tiếp nhận", "Trạng thái", "Đánh giá",
		"Họ tên người nộp", "Ghi chú"}
	planted := []string{"0912345678", "Nguyễn Văn An", "001203004567", "Trần Thị B", "Lê Thị Hoa", "Khúc", "0987654321",
		"Phạm Văn Bình", "an@gmail.com", "Đỗ Minh Châu", "345 678"}
	cases := []struct {
		name string
		row  []string
		want map[string]string // column → value; q_reason: a substring
	}{
		{"phone in procedure name, name in field",
			[]string{"X-1", "", "Cấp giấy phép xây dựng - liên hệ 0912345678", "Nguyễn Văn An", "16/03/2026", "", "", "Đỗ Minh Châu", "Đỗ Minh Châu"},
			map[string]string{"procedure_name": "Cấp giấy phép xây dựng - liên hệ [SĐT]", "field": "[họ tên]", "q_reason": "<nil>"}},
		{"JSON object in procedure name",
			[]string{"X-2", "", `{"nguoiNop":"Trần Thị B","cccd":"001203004567"}`, "Hộ tịch", "16/03/2026"},
			map[string]string{"procedure_name": "[JSON]", "field": "Hộ tịch", "q_reason": "<nil>"}},
		{"name in rating",
			[]string{"X-3", "", "Khai sinh", "Hộ tịch", "16/03/2026", "", "Lê Thị Hoa"},
			map[string]string{"q_column": "Đánh giá", "q_raw_value": "[họ tên]", "q_reason": `Đánh giá "[họ tên]" (cột "Đánh giá") không nhận diện được`}},
		{"name with an unknown surname in status",
			[]string{"X-4", "", "", "", "16/03/2026", "Bà Khúc Thị Lan đã nhận"},
			map[string]string{"q_column": "Trạng thái", "q_raw_value": "Xx Xxxx Xxx Xxx xx xxxx", "q_reason": `"Xx Xxxx Xxx Xxx xx xxxx"`}},
		{"phone in a date",
			[]string{"X-5", "", "", "", "gọi 0912 345 678"},
			map[string]string{"q_column": "Ngày tiếp nhận", "q_raw_value": "gọi [SĐT]", "q_reason": `Không đọc được ngày "gọi [SĐT]"`}},
		{"unit name with a phone keeps its name",
			[]string{"X-6", "UBND xã Lê Lợi 0987654321", "", "", "16/03/2026"},
			map[string]string{"q_column": "Đơn vị tiếp nhận", "q_raw_value": "UBND xã Lê Lợi [SĐT]", "q_reason": `Đơn vị "UBND xã Lê Lợi [SĐT]" chưa có trong danh mục đơn vị`}},
		{"person in the unit column",
			[]string{"X-7", "Phạm Văn Bình", "", "", "16/03/2026"},
			map[string]string{"q_raw_value": "[họ tên]", "q_reason": `Đơn vị "[họ tên]" chưa có trong danh mục đơn vị`}},
		{"misspelt status kept for the clerk",
			[]string{"X-8", "", "", "", "16/03/2026", "dang xu lyy"},
			map[string]string{"q_raw_value": "dang xu lyy"}},
		{"other cells of a rejected row masked in raw_record",
			[]string{"X-9", "", "Khai tử an@gmail.com", "Hộ tịch", "31/02/2026"},
			map[string]string{"q_raw_value": "31/02/2026",
				"q_raw_record": `{"Mã hồ sơ":"X-9","Đơn vị tiếp nhận":"","Tên thủ tục":"Khai tử [email]","Lĩnh vực":"Hộ tịch","Ngày tiếp nhận":"31/02/2026","Trạng thái":"","Đánh giá":""}`}},
	}
	rows := make([][]string, len(cases))
	for i, c := range cases {
		rows[i] = c.row
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	raw := rawRecord(mem, header, rows)
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Source: "s", File: "f.csv", SHA256: "h", FileSeq: 1, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	defer out.Release()
	at := bySourceRow(t, out)
	for ci, c := range cases {
		i := at[int64(ci+2)]
		for col, want := range c.want {
			got := value(out, col, i)
			if col == "q_reason" && want != "<nil>" {
				if !strings.Contains(got, want) {
					t.Errorf("%s: q_reason %q lacks %q", c.name, got, want)
				}
				continue
			}
			if got != want {
				t.Errorf("%s: %s = %q, want %q", c.name, col, got, want)
			}
		}
	}
	// Nothing planted survives anywhere in the stage record or the errors.
	var all strings.Builder
	for i := 0; i < int(out.NumRows()); i++ {
		for _, f := range out.Schema().Fields() {
			all.WriteString(value(out, f.Name, i) + "\n")
		}
	}
	for _, e := range errs {
		fmt.Fprintf(&all, "%s %s %s\n", e.Column, e.Raw, e.Reason)
	}
	for _, p := range planted {
		if strings.Contains(all.String(), p) {
			t.Errorf("%q survives masking", p)
		}
	}
	// Masked cells, counted by hand: loaded rows 1 (procedure name, field)
	// and 2 (procedure name) = 3; rejected rows' raw_record: 3 rating, 4
	// status, 5 date, 6 unit, 7 unit, 9 procedure name = 6; row 8 none.
	if got := m.Masked(); got != 9 {
		t.Errorf("Masked() = %d, want 9", got)
	}
}

// Every closed-vocabulary column's reason quotes the value it could not
// read: the quoted value is the masked one, whichever parser wrote it.
func TestRejectedReasonsMasked(t *testing.T) {
	for _, col := range []string{"Ngày tiếp nhận", "Hạn xử lý", "Ngày kết thúc xử lý", "Ngày trả kết quả", "Hình thức nộp",
		"Trạng thái", "Số lần bổ sung", "Số ngày bổ sung", "Mức độ DVC", "Có phí", "Thanh toán trực tuyến", "Đồng bộ DVCQG",
		"Số hóa hồ sơ", "Trả kết quả điện tử", "Tái sử dụng dữ liệu", "Đánh giá"} {
		for _, v := range []string{" Ông Khúc Thừa Dụ ", "0912345678", "Nguye\u0302\u0303n Thi\u0323 Lan", "x an@mail.vn"} {
			if v == "0912345678" && strings.HasPrefix(col, "Số ") {
				continue // a number in a number column: loaded as one
			}
			header := []string{"Mã hồ sơ", "Ngày tiếp nhận", col}
			row := []string{"X-1", "16/03/2026", v}
			if col == "Ngày tiếp nhận" {
				header, row = header[:2], row[:1]
				row = append(row, v)
			}
			mem := memory.NewGoAllocator()
			raw := rawRecord(mem, header, [][]string{row})
			m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			out, errs := m.Apply(header, raw)
			if len(errs) != 1 {
				t.Fatalf("%s %q: %d errors", col, v, len(errs))
			}
			e := errs[0]
			for _, leak := range []string{"Khúc", "Thừa", "Dụ", "0912345678", "Lan", "Thi\u0323", "an@mail.vn"} {
				if strings.Contains(e.Raw+e.Reason+value(out, "q_raw_record", 0), leak) {
					t.Errorf("%s %q: %q leaks in raw %q, reason %q", col, v, leak, e.Raw, e.Reason)
				}
			}
			out.Release()
			raw.Release()
			m.Release()
		}
	}
}

// Apply puts a batch's valid rows first and its rejected rows after them,
// each row with its own source_row, raw_record and RowError, so that a
// direct load passes the valid rows on as the slice [0, valid) without
// copying them (issue 11). Rows 2 to 7 of the file: valid, bad, valid,
// bad, bad, valid.
func TestApplyValidRowsFirst(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	header := []string{"Mã hồ sơ", "Ngày tiếp nhận"}
	rows := [][]string{{"X-2", "16/03/2026"}, {"X-3", "31/02/2026"}, {"X-4", "17/03/2026"},
		{"X-5", ""}, {"X-6", "hôm qua"}, {"X-7", "18/03/2026"}}
	raw := rawRecord(mem, header, rows)
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Source: "s", File: "f.csv", Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	defer out.Release()
	bySourceRow(t, out)
	// By hand: valid, X-7 (rows 2, 4, 7), then bad.
	var got []string
	for i := 0; i < int(out.NumRows()); i++ {
		got = append(got, value(out, "source_row", i)+" "+value(out, "dossier_code", i)+" "+value(out, "q_reason_code", i)+" "+value(out, "q_raw_record", i))
	}
	want := []string{"2 X-2 <nil> <nil>", "4 X-4 <nil> <nil>", "7 X-7 <nil> <nil>",
		`3 <nil> unparseable_date {"Mã hồ sơ":"X-3","Ngày tiếp nhận":"31/02/2026"}`,
		`5 <nil> missing_received_at {"Mã hồ sơ":"X-5","Ngày tiếp nhận":""}`,
		`6 <nil> unparseable_date {"Mã hồ sơ":"X-6","Ngày tiếp nhận":"hôm qua"}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var errRows []int64
	for _, e := range errs {
		errRows = append(errRows, e.Row)
	}
	if fmt.Sprint(errRows) != "[3 5 6]" {
		t.Errorf("RowError rows %v, want [3 5 6]", errRows)
	}
	// A batch without a rejected row keeps the raw record's row column.
	ok := rawRecord(mem, header, [][]string{{"Y-2", "16/03/2026"}, {"Y-3", "16/03/2026"}})
	defer ok.Release()
	out2, _ := m.Apply(header, ok)
	defer out2.Release()
	if out2.Column(FSourceRow) != ok.Column(len(header)) {
		t.Error("a batch with no rejected row copied its source rows")
	}
}

// The memo of parsed cells owns its strings: a kept entry pointing into a
// batch's Arrow buffer would keep that buffer (megabytes per column) alive
// for the rest of the file, one per batch that added an entry.
func TestMemoOwnsItsStrings(t *testing.T) {
	header := []string{"Mã hồ sơ", "Ngày tiếp nhận", "Tên thủ tục", "Lĩnh vực", "Trạng thái"}
	raw := rawRecord(memory.NewGoAllocator(), header, [][]string{
		{"X-1", "16/03/2026", "Đăng ký khai sinh", "Hộ tịch", "Đang xử lý"},
		{"X-2", "16/03/2026", "Cấp phép xây dựng", "Xây dựng", "Đang xử lý"}})
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, _ := m.Apply(header, raw)
	out.Release()
	inBatch := func(s string) bool {
		if s == "" {
			return false
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		for c := 0; c < int(raw.NumCols())-1; c++ {
			for _, b := range raw.Column(c).Data().Buffers() {
				if b == nil || b.Len() == 0 {
					continue
				}
				lo := uintptr(unsafe.Pointer(&b.Bytes()[0]))
				if p >= lo && p < lo+uintptr(b.Len()) {
					return true
				}
			}
		}
		return false
	}
	n := 0
	for f, c := range m.memo {
		for k, v := range c {
			n++
			if inBatch(k) || inBatch(v.s) {
				t.Errorf("memo of %s: %q → %q points into the batch", CanonicalNames[f], k, v.s)
			}
		}
	}
	if n == 0 {
		t.Fatal("nothing memoised")
	}
}

// The memo's front (a few values compared one by one, then a table of the
// last values seen) answers what parse answers, for every value, through
// each of its states: a column with few values, one past frontSize, values
// sharing a slot of the table, the empty cell, and values past memoLimit,
// which are parsed every time. Each value under the limit is parsed once.
func TestMemoFront(t *testing.T) {
	m := &Mapper{}
	calls := map[string]int{}
	parse := func(v string) memoVal {
		calls[v]++
		return memoVal{s: "p:" + v, b: int8(len(v) % 3), err: map[bool]error{true: errors.New("bad " + v)}[strings.HasPrefix(v, "x")]}
	}
	// Two values with the same slot: same length and the same four bytes.
	a, b := "AB-1-CD-9", "AB-2-CD-9"
	if slot(a) != slot(b) {
		t.Fatalf("slot(%q) = %d, slot(%q) = %d: pick two that collide", a, slot(a), b, slot(b))
	}
	var seq []string
	for i := range 3 * frontSize {
		seq = append(seq, "", "v", "x-bad", fmt.Sprintf("u%d", i%(frontSize/2)))
	}
	for i := range memoLimit + 200 {
		seq = append(seq, fmt.Sprintf("unit %d", i%300), a, b, a, "", "x-bad", fmt.Sprintf("once %d", i))
	}
	for i, v := range seq {
		got, want := m.cached(FUnitCode, v, parse), parse(v)
		calls[v]--
		if got.s != want.s || got.b != want.b || fmt.Sprint(got.err) != fmt.Sprint(want.err) {
			t.Fatalf("lookup %d of %q: %+v; parse gives %+v", i, v, got, want)
		}
	}
	if m.front[FUnitCode].n != -1 {
		t.Errorf("front still compares one by one after %d values", len(m.memo[FUnitCode]))
	}
	for v, n := range calls {
		if n != 1 && !strings.HasPrefix(v, "once ") {
			t.Errorf("%q parsed %d times", v, n)
		}
	}
	if len(m.memo[FUnitCode]) != memoLimit {
		t.Errorf("memo holds %d values, want the limit %d", len(m.memo[FUnitCode]), memoLimit)
	}
	// A field with few values never leaves the front.
	for _, v := range []string{"Có", "Không", "", "Có", "Có", "Không"} {
		m.cached(FFeeRequired, v, parse)
	}
	if fr := m.front[FFeeRequired]; fr.n != 3 || fr.slots != nil {
		t.Errorf("front of a three-value column: n %d, table %v", fr.n, fr.slots != nil)
	}
}
