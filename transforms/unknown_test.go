package transforms

import (
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// A column an export does not have is unknown (NULL), not false: a file
// with no synchronisation, digitisation or payment column loads those
// fields as NULL, while an empty cell of a column that exists is false
// (the vocabulary's "empty → false"). Mapping.Missing names the absent
// canonical columns for source_files.
func TestMissingColumnsAreNull(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Only the sync column among the flags; its cell is empty in row 2.
	header := []string{"Mã hồ sơ", "Ngày tiếp nhận", "Đồng bộ DVCQG"}
	rows := [][]string{{"A-1", "16/03/2026", "Có"}, {"A-2", "16/03/2026", ""}}
	raw := rawRecord(mem, header, rows)
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Source: "s", File: "f.csv", SHA256: "h", FileSeq: 1, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	defer out.Release()
	if len(errs) != 0 {
		t.Fatalf("rejected: %+v", errs)
	}
	for i, want := range map[int]map[string]string{
		0: {"synced_national": "true", "paid_online": "<nil>", "digitized_dossier": "<nil>", "digitized_result": "<nil>",
			"reused_data": "<nil>", "fee_required": "<nil>", "rating": "<nil>", "online_level": "<nil>", "supplement_requests": "<nil>"},
		1: {"synced_national": "false", "paid_online": "<nil>"},
	} {
		for col, w := range want {
			if got := value(out, col, i); got != w {
				t.Errorf("row %d %s = %s, want %s", i, col, got, w)
			}
		}
	}
	wantMissing := []string{"unit_code", "procedure_code", "procedure_name", "field", "channel", "due_at", "finished_at",
		"returned_at", "status", "supplement_requests", "supplement_days", "online_level", "fee_required", "paid_online",
		"digitized_dossier", "digitized_result", "reused_data", "rating"}
	if got := m.Mapping().Missing; !reflect.DeepEqual(got, wantMissing) {
		t.Errorf("Missing = %v\nwant      %v", got, wantMissing)
	}
}
