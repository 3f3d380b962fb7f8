package sources

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cchc/cchc/vnenc"
	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/")

// TestWriteEncodedFixtures regenerates, with -update, the fixtures holding
// testdata/utf8.csv in other encodings: Windows-1258, the legacy TCVN3 and
// VNI font encodings, and decomposed (NFD) UTF-8. Without -update it checks
// they are current.
func TestWriteEncodedFixtures(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "utf8.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"nfd.csv": norm.NFD.Bytes(src)}
	for file, enc := range map[string]vnenc.Encoding{
		"win1258.csv": vnenc.Windows1258, "tcvn3.csv": vnenc.TCVN3, "vni.csv": vnenc.VNI,
	} {
		b, err := vnenc.Encode(enc, string(src))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		want[file] = b
	}
	for file, b := range want {
		path := filepath.Join("testdata", file)
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestWriteEncodedFixtures -update)", err)
		}
		if string(got) != string(b) {
			t.Errorf("%s is stale (run go test -run TestWriteEncodedFixtures -update)", file)
		}
	}
}
