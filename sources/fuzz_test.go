package sources

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// fuzzOpen decodes data saved at path: it must not panic, must keep every
// record consistent with the header, must give increasing row numbers, and
// must release all memory.
func fuzzOpen(t *testing.T, path string, data []byte, score func([]string) int) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := Open(path, DecodeOptions{BatchRows: 2, HeaderScore: score, Mem: mem})
	if err != nil {
		return
	}
	defer r.Close()
	_, rows, _ := readAll(t, r) // checks every record's shape
	for i := 1; i < len(rows); i++ {
		if rows[i].n <= rows[i-1].n {
			t.Fatalf("row numbers not increasing: %d after %d", rows[i].n, rows[i-1].n)
		}
	}
	for _, rw := range rows {
		if isBlank(rw.cells) {
			t.Fatalf("blank row %d delivered", rw.n)
		}
	}
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "utf8.csv", "utf8_bom.csv", "utf16le.txt", "win1258.csv", "semicolon.csv",
		"titles.csv", "ragged.csv", "sep_line.csv")
	f.Add([]byte("a,\"b\nc\"\"\",d\r\n\"unterminated"))
	path := filepath.Join(f.TempDir(), "f.csv") // one per worker process
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, path, data, testScore)
	})
}

func FuzzJSON(f *testing.F) {
	addSeeds(f, "array.json", "wrapped.json", "items.json", "lines_noext.data", "malformed.json", "empty_list.json")
	f.Add([]byte(`{"a":{"b":{"c":[{"x":1},{"y":[1,{"z":null}]}]}}}`))
	f.Add([]byte("{\"a\":1}\n{\"a\":2,\"b\":\"x\"}\n[1]\n"))
	path := filepath.Join(f.TempDir(), "f.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, path, data, nil)
	})
}

// FuzzGuards: the line limiter and the JSON guard pass every byte through
// unchanged until they fail, and fail only with a *LimitError.
func FuzzGuards(f *testing.F) {
	f.Add([]byte(`[{"a":"b\"c","d":[1,2,{"e":null}]}]`), 3, 8)
	f.Add([]byte("a,b\r\nc,d\n\"x\ny\"\n"), 1, 2)
	f.Fuzz(func(t *testing.T, data []byte, depth, max int) {
		depth, max = depth%64+1, max%256+1
		for _, r := range []io.Reader{
			&lineLimiter{r: bytes.NewReader(data), path: "f", max: max},
			&jsonGuard{r: bytes.NewReader(data), path: "f", maxDepth: depth, maxString: max, maxRun: max},
		} {
			got, err := io.ReadAll(r)
			if err != nil {
				var le *LimitError
				if !errors.As(err, &le) {
					t.Fatalf("%T: error %v is not a *LimitError", r, err)
				}
			}
			if !bytes.HasPrefix(data, got) || (err == nil && len(got) != len(data)) {
				t.Fatalf("%T: passed %q of %q", r, got, data)
			}
		}
	})
}
