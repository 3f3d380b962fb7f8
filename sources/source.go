// Package sources lists and fetches the export files of each configured source
// and decodes them (CSV, XLSX, JSON) into Arrow records of raw strings.
package sources

import (
	"context"
	"time"
)

// FileRef names one export file of a source as listing found it.
type FileRef struct {
	Source  string    // source name from the config
	Path    string    // file path (kind file) or URL (kind http)
	Size    int64     // bytes
	ModTime time.Time // modification time (file) or Last-Modified (http), UTC
}

// Source lists the export files of one configured source.
//
// List returns the files currently offered, sorted by ModTime then Path so
// that a later export is loaded after an earlier one. Fetch makes one file
// available as a local path; the caller calls cleanup when done with it (for
// a folder source the path is the file itself and cleanup does nothing).
// Implementations are safe for use by one goroutine at a time. List errors
// mean the source could not be listed (unreadable folder, bad pattern); a
// pattern or folder with no files is an empty list, not an error.
type Source interface {
	Name() string
	List(ctx context.Context) ([]FileRef, error)
	Fetch(ctx context.Context, f FileRef) (path string, cleanup func(), err error)
}
