// Package sources lists and fetches the export files of each configured source
// and decodes them (CSV, XLSX, JSON, and the HTML table or Excel 2003 XML
// Spreadsheet of a one-stop system's "Excel" export) into Arrow records of
// raw strings.
package sources

import (
	"context"
	"errors"
	"time"
)

// FileRef names one export file of a source as listing found it.
type FileRef struct {
	Source  string    // source name from the config
	Path    string    // file path (kind file) or URL (kind http)
	Size    int64     // bytes
	ModTime time.Time // modification time (file) or Last-Modified (http), UTC
	// Err, when set, is an entry the listing found but cannot use (a
	// symlink loop, an unreadable entry): the caller fails this entry alone
	// and goes on with the others.
	Err error
	// Skipped, when set, says why the entry is deliberately not loaded (a
	// symlink leading out of the source folder); the caller logs it.
	Skipped string
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

// Validators identify the version of a remote file already loaded, for a
// conditional request (ETag / Last-Modified).
type Validators struct {
	ETag         string
	LastModified string
}

// Fetched is a file made local by a Conditional source.
type Fetched struct {
	Path       string
	Cleanup    func() // removes the local copy; never nil
	Size       int64
	ModTime    time.Time // Last-Modified when the server sent one, else the fetch time (UTC)
	Validators Validators
}

// ErrNotModified is returned by FetchIfChanged when the server says the file
// has not changed since prev: the caller skips it. It is a control-flow
// sentinel, not a failure.
var ErrNotModified = errors.New("not modified")

// Conditional is implemented by sources that can skip unchanged files
// without downloading them. FetchIfChanged is Fetch with the validators of
// the version already loaded (zero when none); it returns ErrNotModified or
// the fetched file with its new validators.
type Conditional interface {
	FetchIfChanged(ctx context.Context, f FileRef, prev Validators) (Fetched, error)
}
