package warehouse

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// SnapshotPath is the read-only copy analysts open while the nightly run
// writes: "<name>.snapshot.duckdb" beside the warehouse.
func SnapshotPath(warehouse string) string {
	return strings.TrimSuffix(warehouse, filepath.Ext(warehouse)) + ".snapshot.duckdb"
}

// WriteSnapshot copies the warehouse file to its snapshot path atomically
// (copy to a temporary name, fsync, rename), so a reader of the snapshot
// sees either the previous or the new copy, never a half-written one; a
// reader that has the old copy open keeps reading it. The warehouse must be
// closed (checkpointed, no WAL) and the writer lock held by the caller.
func WriteSnapshot(warehouse string) (string, error) {
	if st, err := os.Stat(warehouse + ".wal"); err == nil && st.Size() > 0 {
		return "", fmt.Errorf("snapshot of %s: the write-ahead log is not empty; close the warehouse first", warehouse)
	}
	dst := SnapshotPath(warehouse)
	src, err := os.Open(warehouse)
	if err != nil {
		return "", fmt.Errorf("snapshot of %s: %w", warehouse, err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("snapshot of %s: %w", warehouse, err)
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("snapshot of %s: %w", warehouse, err)
	}
	return dst, nil
}
