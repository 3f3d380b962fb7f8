package warehouse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// SnapshotPath is the read-only copy analysts open while the nightly run
// writes: "<name>.snapshot.duckdb" beside the warehouse.
func SnapshotPath(warehouse string) string {
	return strings.TrimSuffix(warehouse, filepath.Ext(warehouse)) + ".snapshot.duckdb"
}

// walPath is DuckDB's write-ahead log of a database file.
func walPath(db string) string { return db + ".wal" }

// WriteSnapshot copies the warehouse file to its snapshot path atomically
// (copy to a temporary name, fsync, rename), so a reader of the snapshot
// sees either the previous or the new copy, never a half-written one; a
// reader that has the old copy open keeps reading it. The warehouse must be
// closed (checkpointed, no WAL) and the writer lock held by the caller.
//
// The snapshot is made read-only (0444): DuckDB replays a "<snapshot>.wal"
// it finds beside the file into whatever file now has that name, so the
// log an analyst's read-write session left on the previous copy would turn
// up in the new one (rows the warehouse does not have). A read-only file
// cannot be opened read-write, and a log found beside it is removed before
// and after the rename. Analysts who need to write open a copy.
func WriteSnapshot(warehouse string) (string, error) { return writeSnapshot(warehouse, nil) }

// writeSnapshot is WriteSnapshot; given ahead, a file made earlier under
// the snapshot's temporary name and open for writing (SnapshotDraft), it
// brings that file's bytes to the warehouse's instead of copying the whole
// file, and closes it.
func writeSnapshot(warehouse string, ahead *os.File) (string, error) {
	if ahead != nil {
		defer func() {
			ahead.Close()
			os.Remove(ahead.Name()) // gone already once renamed
		}()
	}
	if st, err := os.Stat(walPath(warehouse)); err == nil && st.Size() > 0 {
		return "", fmt.Errorf("bản chụp của kho dữ liệu %s: tệp nhật ký ghi (.wal) chưa trống, phải đóng kho dữ liệu trước (the write-ahead log is not empty; close the warehouse first)", warehouse)
	}
	dst := SnapshotPath(warehouse)
	src, err := os.Open(warehouse)
	if err != nil {
		return "", fmt.Errorf("bản chụp của kho dữ liệu %s: không đọc được kho dữ liệu (%w)", warehouse, err)
	}
	defer src.Close()
	tmp := ahead
	if tmp != nil {
		_, err = updateCopy(tmp, src)
	} else {
		tmp, err = os.CreateTemp(filepath.Dir(dst), snapshotTempPrefix(dst)+"*")
		if err != nil {
			return "", fmt.Errorf("bản chụp của kho dữ liệu %s: không ghi được bản chụp %s (%w)", warehouse, dst, CheckDiskFull(err, dst))
		}
		_, err = io.Copy(tmp, src)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o444)
	}
	if err == nil {
		err = removeWAL(dst)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("bản chụp của kho dữ liệu %s: không ghi được bản chụp %s (%w)", warehouse, dst, CheckDiskFull(err, dst))
	}
	// A session on the old copy may have written its log between the first
	// removal and the rename.
	if err := removeWAL(dst); err != nil {
		return "", fmt.Errorf("bản chụp %s: %w", dst, err)
	}
	return dst, nil
}

// SnapshotDraft is the previous snapshot being copied, in the background,
// to the temporary file the next snapshot is written through: most of a
// warehouse's blocks are the same after a nightly run, so the snapshot
// after the run (Write) only rewrites and syncs the blocks that changed,
// instead of copying and syncing the whole file while the run waits. The
// copy runs beside the run's staging. The methods of a nil draft (no
// previous snapshot) do what WriteSnapshot does.
type SnapshotDraft struct {
	done chan struct{}
	// f is the copy, synced, open for writing; nil if none was made.
	f *os.File
}

// DraftSnapshot starts copying the warehouse's snapshot, if there is one,
// towards the next one. The caller holds the writer lock and has removed
// the temporary copies dead runs left (RemoveSnapshotTemps), and calls
// Write or Drop. The copy takes the room the snapshot takes at the end
// anyway, but for the whole run: it is made only when the disk has twice
// the snapshot's size free, so that a run that would have loaded its data
// (and only failed to refresh the snapshot) does not fail for want of it.
func DraftSnapshot(warehouse string) *SnapshotDraft {
	dst := SnapshotPath(warehouse)
	src, err := os.Open(dst)
	if err != nil {
		return nil
	}
	st, err := src.Stat()
	if free, ok := freeBytes(filepath.Dir(dst)); err != nil || !ok || free < 2*uint64(st.Size()) {
		src.Close()
		return nil
	}
	d := &SnapshotDraft{done: make(chan struct{})}
	go func() {
		defer close(d.done)
		defer src.Close()
		tmp, err := os.CreateTemp(filepath.Dir(dst), snapshotTempPrefix(dst)+"*")
		if err != nil {
			return
		}
		_, err = io.Copy(tmp, src)
		if err == nil {
			err = tmp.Sync()
		}
		if err != nil {
			// A full disk, say: the snapshot copies the whole file.
			tmp.Close()
			os.Remove(tmp.Name())
			return
		}
		d.f = tmp
	}()
	return d
}

// Write writes the snapshot of the closed warehouse as WriteSnapshot does,
// from the draft when it was made.
func (d *SnapshotDraft) Write(warehouse string) (string, error) {
	if d == nil {
		return WriteSnapshot(warehouse)
	}
	<-d.done
	f := d.f
	d.f = nil
	if f == nil {
		return WriteSnapshot(warehouse)
	}
	return writeSnapshot(warehouse, f)
}

// Drop removes the draft when no snapshot took it.
func (d *SnapshotDraft) Drop() {
	if d == nil {
		return
	}
	<-d.done
	if d.f != nil {
		d.f.Close()
		os.Remove(d.f.Name())
		d.f = nil
	}
}

// updateCopy makes dst's bytes src's (read from its start), writing only
// the blocks of dst that differ and cutting or extending dst to src's size.
// It returns the bytes it wrote.
func updateCopy(dst, src *os.File) (written int64, err error) {
	const block = 1 << 20
	want, have := make([]byte, block), make([]byte, block)
	var off int64
	for {
		n, rerr := io.ReadFull(src, want)
		if n > 0 {
			m, err := dst.ReadAt(have[:n], off)
			if err != nil && err != io.EOF {
				return written, err
			}
			if m < n || !bytes.Equal(want[:n], have[:n]) {
				if _, err := dst.WriteAt(want[:n], off); err != nil {
					return written, err
				}
				written += int64(n)
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return written, dst.Truncate(off)
		}
		if rerr != nil {
			return written, rerr
		}
	}
}

func removeWAL(db string) error {
	if err := os.Remove(walPath(db)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("không xóa được tệp nhật ký ghi %s để lại cạnh bản chụp; hãy xóa nó bằng tay (remove the write-ahead log left beside the snapshot: %w)", walPath(db), err)
	}
	return nil
}

func snapshotTempPrefix(dst string) string { return "." + filepath.Base(dst) + ".tmp-" }

// SnapshotWAL reports whether a write-ahead log lies beside the snapshot:
// someone opened the snapshot read-write and wrote to it, so what a reader
// sees may differ from the warehouse until the next run replaces it.
func SnapshotWAL(warehouse string) bool {
	st, err := os.Stat(walPath(SnapshotPath(warehouse)))
	return err == nil && st.Size() > 0
}

// RemoveSnapshotTemps removes the temporary copies that snapshot writes of
// dead processes left (a killed run leaves a copy as large as the
// warehouse). The caller holds the writer lock, so no live process is
// writing one. It returns the files removed and their total size.
func RemoveSnapshotTemps(warehouse string) ([]string, int64, error) {
	dst := SnapshotPath(warehouse)
	return removeLeftovers(filepath.Join(filepath.Dir(dst), globEscape(snapshotTempPrefix(dst))+"*"), "bản sao dở dang của bản chụp", nil)
}

// removeLeftovers removes the regular files matching pattern (links and
// folders are left alone) and returns them and their total size; what
// names the kind of file in an error. inUse, when given, tells a file a
// live process still uses (left alone) and, for one it does not, returns
// what to call once it is removed.
func removeLeftovers(pattern, what string, inUse func(path string) (done func(), busy bool)) ([]string, int64, error) {
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, 0, err
	}
	var removed []string
	var size int64
	for _, m := range matches {
		st, err := os.Lstat(m)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		done := func() {}
		if inUse != nil {
			var busy bool
			if done, busy = inUse(m); busy {
				continue
			}
		}
		err = os.Remove(m)
		done()
		if err != nil {
			return removed, size, fmt.Errorf("không xóa được %s còn sót lại %s; hãy xóa nó bằng tay (remove leftover: %w)", what, m, err)
		}
		removed = append(removed, m)
		size += st.Size()
	}
	return removed, size, nil
}

// globEscape quotes the glob metacharacters of a literal file name.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// RemoveSpillLeftovers removes the files DuckDB spilled to
// "<warehouse>.tmp" in processes that died (DuckDB does not clean them up
// when it next opens the file; a killed run can leave gigabytes there). It
// must be called right after a read-write Open: DuckDB's own lock on the
// file then proves that no other process has the warehouse open, and this
// one has not spilled yet.
func (w *Warehouse) RemoveSpillLeftovers() ([]string, int64, error) {
	if w.readOnly {
		return nil, 0, nil
	}
	dir := w.path + ".tmp"
	return removeLeftovers(filepath.Join(globEscape(dir), "duckdb_temp_*"), "tệp tạm của DuckDB", nil)
}

// DownloadDir is the folder beside the warehouse where sources download
// exports for the run that reads them (sources.HTTPOptions.TempDir): a
// download holds the raw export, personal data included, so it stays
// where RemoveDownloads finds what a killed run left, not in TMPDIR.
func DownloadDir(warehouse string) string {
	return warehouse + ".downloads"
}

// RemoveDownloads removes the downloads dead processes left in
// DownloadDir. The caller holds the writer lock, so no other run is
// downloading; `cchc validate` may be, without the lock, and a live
// process holds a shared flock on each download it uses
// (sources.holdDownload): those are left. It returns the files removed
// and their total size.
func RemoveDownloads(warehouse string) ([]string, int64, error) {
	return removeLeftovers(filepath.Join(globEscape(DownloadDir(warehouse)), "*"), "tệp tải về", func(p string) (func(), bool) {
		f, err := os.Open(p)
		if err != nil {
			return nil, true // gone meanwhile, or not ours to read
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			f.Close() // a live process holds it
			return nil, true
		}
		return func() { f.Close() }, false
	})
}
