package publish

import (
	"io"
	"os"
	"path/filepath"
)

// writeFile writes dir/name atomically: write fills a temporary file in the
// same folder (".name.tmp-*"), which is synced and renamed over name, so a
// reader sees the old file or the new one, never half of one. On error
// the temporary file is removed and name is left as it was.
func writeFile(dir, name string, write func(io.Writer) error) (string, error) {
	return writeVia(dir, name, func(tmp *os.File) error {
		return write(tmp)
	})
}

// writeFileAt is writeFile for writers that need a path (DuckDB's COPY):
// write must replace the (empty) file at tmp.
func writeFileAt(dir, name string, write func(tmp string) error) (string, error) {
	return writeVia(dir, name, func(tmp *os.File) error {
		if err := tmp.Close(); err != nil {
			return err
		}
		return write(tmp.Name())
	})
}

func writeVia(dir, name string, write func(*os.File) error) (path string, err error) {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err = write(tmp); err != nil {
		return "", err
	}
	tmp.Close() // may already be closed by writeFileAt
	// Reopen to sync what another writer (DuckDB) may have produced.
	if err = syncFile(tmpName); err != nil {
		return "", err
	}
	if err = os.Chmod(tmpName, 0o644); err != nil {
		return "", err
	}
	path = filepath.Join(dir, name)
	if err = os.Rename(tmpName, path); err != nil {
		return "", err
	}
	return path, nil
}

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
