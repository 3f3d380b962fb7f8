package warehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/cchc/cchc/internal/fileowner"
)

// Holder describes the process holding the writer lock; it is written into
// the lock file so a waiting writer can say who it waits for.
type Holder struct {
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	StartedAt time.Time `json:"started_at"`
	Command   string    `json:"command,omitempty"`
}

func (h Holder) String() string {
	return fmt.Sprintf("tiến trình %d trên máy %s (%s), bắt đầu lúc %s", h.PID, h.Host, h.Command, h.StartedAt.Format("2006-01-02 15:04:05 MST"))
}

// ErrLocked is returned (wrapped, with the holder) when the lock could not be
// taken within the timeout. Its text is the English detail of the message.
var ErrLocked = errors.New("warehouse is locked by another writer")

// lockAdvice is what to do about a lock held past lock_timeout.
const lockAdvice = "hãy đợi lần chạy đó xong rồi thử lại, hoặc tăng lock_timeout"

// Lock is the exclusive writer lock of one warehouse: an flock(2) on
// "<warehouse>.lock". The kernel releases an flock when its process dies, so
// a lock left by a killed run is never stale: the next writer simply gets it
// (and logs that it took over). Release is idempotent.
type Lock struct {
	f    *os.File
	path string
	// TookOver is set when the lock file named a previous holder that no
	// longer held the lock (a killed or crashed run).
	TookOver *Holder
}

// LockPath is the lock file of a warehouse file.
func LockPath(warehouse string) string { return warehouse + ".lock" }

// AcquireLock takes the writer lock of the warehouse, waiting up to timeout
// (polling, so ctx cancellation is honoured). On timeout the error wraps
// ErrLocked and names the holder's process id, host and start time.
func AcquireLock(ctx context.Context, warehouse string, timeout time.Duration, me Holder) (*Lock, error) {
	path := LockPath(warehouse)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) {
		if uid, _, ok := fileowner.Of(path); ok && uid != os.Geteuid() {
			// Left by a root run (of a version that did not yet switch to
			// the folder's owner, or that stayed root). It is not replaced
			// here: a process of that version may still hold the flock of
			// this very file.
			return nil, notAdopted([]string{path}, err)
		}
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			// No lock file, and this user cannot create one: the
			// warehouse's folder is not writable.
			return nil, fmt.Errorf("không tạo được tệp khóa của kho dữ liệu: %w", fileowner.NotWritable(err))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tệp khóa %s: không mở được (%w)", path, err)
	}
	deadline := time.Now().Add(timeout)
	wait := 50 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("tệp khóa %s: không khóa được (%w)", path, err)
		}
		if !time.Now().Before(deadline) {
			h, herr := readHolder(f)
			f.Close()
			if herr != nil {
				return nil, fmt.Errorf("kho dữ liệu đang bị một lần chạy khác (cchc run, cchc publish) giữ quyền ghi, không rõ lần chạy nào (%v); đã đợi %s (lock_timeout); %s (%w; lock file %s)",
					herr, timeout, lockAdvice, ErrLocked, path)
			}
			return nil, fmt.Errorf("kho dữ liệu đang bị một lần chạy khác giữ quyền ghi: %s; đã đợi %s (lock_timeout); %s (%w; lock file %s)",
				h, timeout, lockAdvice, ErrLocked, path)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("tệp khóa %s: đã dừng trong lúc chờ quyền ghi (%w)", path, ctx.Err())
		case <-time.After(min(wait, time.Until(deadline))):
		}
		if wait < time.Second {
			wait *= 2
		}
	}
	l := &Lock{f: f, path: path}
	if prev, err := readHolder(f); err == nil && prev.PID != 0 {
		l.TookOver = &prev
	}
	b, _ := json.Marshal(me)
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(append(b, '\n'), 0)
		if err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		l.Release()
		return nil, fmt.Errorf("tệp khóa %s: không ghi được tên lần chạy đang giữ quyền ghi (%w)", path, CheckDiskFull(err, path))
	}
	return l, nil
}

// Release clears the holder and unlocks.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

func readHolder(f *os.File) (Holder, error) {
	var h Holder
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err != nil {
		return h, err
	}
	if len(b) == 0 {
		return h, errors.New("tệp khóa trống (lock file is empty)")
	}
	err = json.Unmarshal(b, &h)
	return h, err
}
