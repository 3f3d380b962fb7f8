package publish

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// writeFile writes dir/name atomically: write fills a temporary file in the
// same folder (".name.tmp-*"), which is synced, made world-readable and
// renamed over name, so a reader sees the old file or the new one, never
// half of one. On error the temporary file is removed and name is left as
// it was. It returns the path written. write's output is buffered: the
// template and encoders write many small pieces, each a system call on an
// *os.File.
func writeFile(dir, name string, write func(io.Writer) error) (string, error) {
	return writeFileThen(dir, name, write, nil)
}

// writeFileThen is writeFile calling written, when not nil, once the
// bytes are in the temporary file and before they are synced: the sync
// waits on the disk, and the caller may let other work use the CPU
// meanwhile.
func writeFileThen(dir, name string, write func(io.Writer) error, written func()) (string, error) {
	return writeVia(dir, name, func(tmp *os.File) error {
		b := bufio.NewWriterSize(tmp, 64<<10)
		if err := write(b); err != nil {
			return err
		}
		if err := b.Flush(); err != nil {
			return err
		}
		if written != nil {
			written()
		}
		if err := tmp.Sync(); err != nil {
			return err
		}
		return tmp.Close()
	})
}

// writeFileAt is writeFile for writers that need a path (DuckDB's COPY):
// write must replace the empty file at tmp. written is as writeFileThen's.
func writeFileAt(dir, name string, write func(tmp string) error, written func()) (string, error) {
	return writeVia(dir, name, func(tmp *os.File) error {
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := write(tmp.Name()); err != nil {
			return err
		}
		if written != nil {
			written()
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

// isTemp reports whether a file name is one of writeVia's temporary names.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// RemoveTemps removes the temporary files under dir that writers of dead
// processes left (half-written publications of a killed run). The caller
// holds the warehouse's writer lock, which every writer of publications
// holds, so none of them is being written. It returns the files removed
// and their total size; a dir that does not exist yet has none.
func RemoveTemps(dir string) ([]string, int64, error) {
	var removed []string
	var size int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() || !isTemp(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		removed = append(removed, path)
		size += info.Size()
		return nil
	})
	if err != nil {
		return removed, size, fmt.Errorf("không xóa được các tệp xuất bản tạm còn sót lại trong %s; hãy xóa chúng bằng tay (remove leftover temporary publications: %w)", dir, err)
	}
	return removed, size, nil
}
