package warehouse

import (
	"context"
	"fmt"
)

// LoadedSize reports whether the source has a loaded file version of
// exactly size bytes. Content with a given hash has one size, so when it
// has none, no content of this size can be a loaded copy (LoadedHash would
// say false) and the run need not hash the file before decoding it.
func (w *Warehouse) LoadedSize(ctx context.Context, source string, size int64) (bool, error) {
	var n int
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM source_files WHERE source = ? AND size = ? AND status = 'loaded'`,
		source, size).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("source_files: %w", err)
	}
	return n > 0, nil
}
