package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cchc/cchc/internal/hostile"
)

// Each limit, set small, fails a file just beyond it with a *LimitError
// naming the file, the place and the config key, and lets a file at the
// limit through.
func TestLimits(t *testing.T) {
	dir := t.TempDir()
	merged := filepath.Join(dir, "merged.xlsx")
	writeWorkbook(t, merged, func(f *excelize.File) error {
		if err := setRows(f, "Sheet1", 1, []any{"Mã hồ sơ", "Đơn vị"}, []any{"A", "B"}, []any{"C", "D"}); err != nil {
			return err
		}
		for _, r := range []string{"A2:A3", "B2:B3", "C5:D6"} {
			from, to, _ := strings.Cut(r, ":")
			if err := f.MergeCell("Sheet1", from, to); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		name, body string // body "" means the file is written by the case
		path       string
		lim        Limits
		want       string // "" means the file loads
	}{
		{name: "cell-ok.csv", body: "Mã hồ sơ\n" + strings.Repeat("x", 100) + "\n", lim: Limits{MaxCellBytes: 100}},
		{name: "cell.csv", body: "Mã hồ sơ\n" + strings.Repeat("x", 101) + "\n", lim: Limits{MaxCellBytes: 100}, want: "ô ở dòng 2, cột 1 dài 101 byte, vượt giới hạn 100 byte (khóa cấu hình limits.max_cell_bytes)"},
		{name: "line.csv", body: "Mã hồ sơ\na\n" + strings.Repeat("x", 300) + "\n", lim: Limits{MaxLineBytes: 200}, want: "dòng 3 vượt giới hạn 200 byte (khóa cấu hình limits.max_line_bytes)"},
		{name: "cols-ok.csv", body: "a,b,c\n1,2,3\n", lim: Limits{MaxColumns: 3}},
		{name: "cols.csv", body: "a,b,c\n1,2,3,4\n", lim: Limits{MaxColumns: 3}, want: "dòng 2 có 4 cột, vượt giới hạn 3 (khóa cấu hình limits.max_columns)"},
		{name: "keys.json", body: `[{"a":1,"b":2},{"c":3,"d":4}]`, lim: Limits{MaxColumns: 3}, want: "limits.max_columns"},
		{name: "depth-ok.json", body: `[{"a":[[1]]}]`, lim: Limits{MaxJSONDepth: 4}},
		{name: "depth.json", body: `[{"a":[[[1]]]}]`, lim: Limits{MaxJSONDepth: 4}, want: "JSON lồng nhau quá sâu (gần byte 8), vượt giới hạn 4 (khóa cấu hình limits.max_json_depth)"},
		{name: "string.json", body: `[{"a":"` + strings.Repeat("y", 700) + `"}]`, lim: Limits{MaxCellBytes: 100}, want: "limits.max_cell_bytes"},
		{name: "merged.xlsx", path: merged, lim: Limits{MaxMerges: 3}},
		{name: "merged.xlsx", path: merged, lim: Limits{MaxMerges: 2}, want: "limits.max_merges"},
		{name: "merged.xlsx", path: merged, lim: Limits{MaxXMLPartBytes: 200}, want: "limits.max_xml_part_bytes"},
		{name: "merged.xlsx", path: merged, lim: Limits{MaxWorkbookBytes: 4000}, want: "limits.max_workbook_bytes"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%+v", c.name, c.lim), func(t *testing.T) {
			path := c.path
			if path == "" {
				path = filepath.Join(dir, c.name)
				if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Open(path, DecodeOptions{HeaderScore: testScore, Limits: c.lim})
			if err == nil {
				_, _, err = readAll(t, r)
				r.Close()
			}
			if c.want == "" {
				if err != nil {
					t.Fatalf("want the file to load, got %v", err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || !errors.Is(err, ErrLimit) {
				t.Fatalf("want a *LimitError, got %v", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file and %q", err, c.want)
			}
		})
	}
}

// digestFiles writes a workbook and files (name → body) into a new
// folder and returns their paths.
func digestFiles(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "a.xlsx")
	writeWorkbook(t, xlsx, simpleSheets())
	paths := []string{xlsx}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// digestOf decodes the file at p to its end and returns the digest.
func digestOf(t *testing.T, p string, opts DecodeOptions) Digest {
	t.Helper()
	r, err := Open(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	r.Close()
	return r.Digest()
}

// The digest is of the bytes the decoder read, complete only at the end,
// for every format (JSON drains what follows the array).
func TestDigest(t *testing.T) {
	paths := digestFiles(t, map[string]string{
		"a.csv":  "Mã hồ sơ\n1\n2\n",
		"a.json": `[{"Mã hồ sơ":"1"}]` + "\n\n   \n",
	})
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		sum := sha256.Sum256(b)
		d := digestOf(t, p, DecodeOptions{BatchRows: 1, HeaderScore: testScore})
		if !d.Complete || d.Size != int64(len(b)) || d.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: digest %+v, want complete, %d bytes, %x", p, d, len(b), sum)
		}
	}
}

// A decoder opened with Hashed takes no SHA-256 of its own: its Sum64 is
// the one HashFileSums gives for the same bytes, in every format, and
// other bytes of the same size give another.
func TestDigestHashed(t *testing.T) {
	paths := digestFiles(t, map[string]string{
		"a.csv":  "Mã hồ sơ\n1\n2\n",
		"b.csv":  "Mã hồ sơ\n1\n3\n", // a.csv's size, one byte changed
		"a.json": `[{"Mã hồ sơ":"1"}]` + "\n",
	})
	sums := map[string]uint64{}
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		sha, sum64, err := HashFileSums(p)
		if err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256(b); sha != hex.EncodeToString(want[:]) {
			t.Errorf("%s: HashFileSums' SHA-256 %s, want %x", p, sha, want)
		}
		d := digestOf(t, p, DecodeOptions{BatchRows: 1, HeaderScore: testScore, Hashed: true})
		if !d.Complete || d.Size != int64(len(b)) || d.Sum64 != sum64 || d.SHA256 != "" {
			t.Errorf("%s: digest %+v, want complete, %d bytes, Sum64 %d, no SHA-256", p, d, len(b), sum64)
		}
		sums[filepath.Base(p)] = sum64
	}
	if sums["a.csv"] == sums["b.csv"] {
		t.Error("two files of the same size, one byte apart, have the same Sum64")
	}
}

// Each hostile file fails alone through Open with its limit's key, with
// the default limits.
func TestHostileFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 500 MB")
	}
	dir := t.TempDir()
	if err := hostile.Write(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range hostile.Files {
		t.Run(f.Name, func(t *testing.T) {
			path := filepath.Join(dir, f.Name)
			r, err := Open(path, DecodeOptions{HeaderScore: testScore})
			if err == nil {
				_, _, err = readAll(t, r)
				r.Close()
			}
			if err == nil || !strings.Contains(err.Error(), f.Want) {
				t.Errorf("want an error naming %s, got %v", f.Want, err)
			}
		})
	}
}
