package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestMemoryDoesNotGrowWithFiles loads many small files in one real run
// and checks the live Go heap after file 40 and after file 120: the
// per-file state (decoder buffers, mapper) must be released after each
// file. Before, go-duckdb kept every file's reader reachable: about 210 KB
// a file, 17 MB over these 80 files; the bound allows 4 MB.
func TestMemoryDoesNotGrowWithFiles(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: m
    path: ./exports/m
    unit: H.BAVI
`)
	m := filepath.Join(dir, "exports", "m")
	if err := os.MkdirAll(m, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 120
	for i := range n {
		body := fmt.Sprintf("Mã hồ sơ,Đơn vị tiếp nhận,Tên thủ tục,Ngày tiếp nhận,Trạng thái\n"+
			"H41.01-260302-%06d,Ba Vì,Cấp giấy phép xây dựng,02/03/2026 08:00,Đã xử lý xong\n", i)
		if err := os.WriteFile(filepath.Join(m, fmt.Sprintf("f%04d.csv", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	heap := map[int]uint64{}
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, Progress: func(p Progress) {
		if p.Done && (p.FileIndex == 40 || p.FileIndex == n) {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap[p.FileIndex] = ms.HeapAlloc
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != n || sum.Run.Status != "succeeded" {
		t.Fatalf("%d files, status %s", len(sum.Files), sum.Run.Status)
	}
	growth := int64(heap[n]) - int64(heap[40])
	t.Logf("live heap after file 40: %d KB, after file %d: %d KB", heap[40]>>10, n, heap[n]>>10)
	if growth > 4<<20 {
		t.Errorf("live heap grew by %d KB over %d files: per-file state is kept", growth>>10, n-40)
	}
}
