package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's example queries run against the demo warehouse and return
// rows, so the README stays true as the schema evolves.
func TestREADMEQueries(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "<!-- example-queries:start -->")
	end := strings.Index(s, "<!-- example-queries:end -->")
	if start < 0 || end < start {
		t.Fatal("README lacks the example-queries markers")
	}
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(s[start:end], -1)
	if len(blocks) < 5 {
		t.Fatalf("README shows %d example queries, want at least 5", len(blocks))
	}
	for _, m := range blocks {
		q := strings.TrimSpace(m[1])
		rows, err := demo.db.Query(q)
		if err != nil {
			t.Errorf("%s\n: %v", q, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("no rows from:\n%s", q)
		}
	}
}
