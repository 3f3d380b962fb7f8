package warehouse

import (
	"path/filepath"
	"testing"
)

// IsOwnFile names what a root run of an earlier version may have left
// root's beside the warehouse, and nothing an admin put there.
func TestIsOwnFile(t *testing.T) {
	wh := filepath.Join(t.TempDir(), "cchc.duckdb")
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"cchc.duckdb", true},
		{"cchc.duckdb.wal", true},
		{"cchc.duckdb.lock", true},
		{"cchc.duckdb.skipped", true},
		{"cchc.duckdb.downloads", true},
		{"cchc.duckdb.tmp", true},
		{"cchc.snapshot.duckdb", true},
		{"cchc.snapshot.duckdb.wal", true},
		{".cchc.snapshot.duckdb.tmp-123456", true},
		{"cchc.duckdb.bak", false},
		{"cchc.yaml", false},
		{"units.csv", false},
		{"out", false},
	} {
		if got := IsOwnFile(wh, tc.name); got != tc.want {
			t.Errorf("IsOwnFile(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
