package publish

import (
	"io"
	"os"
	"path/filepath"
)

// writeFile writes dir/name atomically: write fills a temporary file in the
// same folder (".name.tmp-*"), which is synced, made world-readable and
// renamed over name, so a reader sees the old file or the new one, never
// half of one. On error the temporary file is removed and name is left as
// it was. It returns the path written.
func writeFile(dir, name string, write func(io.Writer) error) (string, error) {
	return writeVia(dir, name, func(tmp *os.File) error {
		if err := write(tmp); err != nil {
			return err
		}
		if err := tmp.Sync(); err != nil {
			return err
		}
		return tmp.Close()
	})
}

// writeFileAt is writeFile for writers that need a path (DuckDB's COPY):
// write must replace the empty file at tmp.
func writeFileAt(dir, name string, write func(tmp string) error) (string, error) {
	return writeVia(dir, name, func(tmp *os.File) error {
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := write(tmp.Name()); err != nil {
			return err
		}
		return syncFile(tmp.Name())
	})
}

// writeVia creates the temporary file, has fill write, sync and close it,
// and renames it into place.
func writeVia(dir, name string, fill func(*os.File) error) (path string, err error) {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close() // may be closed already
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return "", err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	path = filepath.Join(dir, name)
	if err = os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// syncFile flushes a file another writer produced to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
