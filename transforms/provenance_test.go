package transforms

import (
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// TestProvenanceAcrossBatches: the provenance columns are built once per
// file and shared by its batches (issue 11). Batches of 3, 1 and 4 rows
// (the third longer than the columns built so far) and a hash set after
// the first batch must still give every row its own source row and the
// file's source, path, hash and sequence number, and free every buffer.
func TestProvenanceAcrossBatches(t *testing.T) {
	header := []string{"Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái"}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Source: "src", File: "dir/f.csv", FileSeq: 7, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	for b, n := range []int{3, 1, 4} {
		if b == 1 {
			m.SetSHA256("abc") // as stageReader does when the hash was taken meanwhile
		}
		rows := make([][]string, n)
		for i := range rows {
			rows[i] = []string{fmt.Sprintf("HS-%d-%d", b, i), "02/03/2026 08:00", "Đang xử lý"}
			if b == 2 && i == 1 {
				rows[i][1] = "not a date" // a rejected row carries its provenance too
			}
		}
		raw := rawRecord(mem, header, rows)
		out, _ := m.Apply(header, raw)
		raw.Release()
		wantSHA := "abc"
		if b == 0 {
			wantSHA = "" // no hash yet: the empty string, as a string column
		}
		// Valid rows first (Apply): batch 2's rows come out as raw rows
		// 0, 2, 3, then the rejected 1.
		at := []int{0, 1, 2, 3}
		if b == 2 {
			at = []int{0, 3, 1, 2}
		}
		for i := range n {
			// rawRecord numbers each record's rows from 2.
			want := map[string]string{"source": "src", "source_file": "dir/f.csv", "file_sha256": wantSHA,
				"file_seq": "7", "source_row": fmt.Sprint(i + 2), "dossier_code": fmt.Sprintf("HS-%d-%d", b, i)}
			if b == 2 && i == 1 {
				want["dossier_code"] = "<nil>"
			}
			for col, w := range want {
				if got := value(out, col, at[i]); got != w {
					t.Errorf("batch %d row %d: %s = %q, want %q", b, i, col, got, w)
				}
			}
		}
		out.Release()
	}
}
