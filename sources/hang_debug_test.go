package sources

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

func FuzzDbgA(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.csv")
		os.WriteFile(path, data, 0o644)
		r, err := Open(path, DecodeOptions{})
		if err == nil {
			r.Close()
		}
	})
}

func FuzzDbgB(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
	})
}
