package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
)

// ErrChanged is wrapped by the error of a file whose content changed while
// a run read it. It is a passing failure: the next run reads the file again.
var ErrChanged = errors.New("tệp thay đổi trong khi đọc")

// hashReader hashes and counts every byte read through it, so the hash a
// run records is of the bytes the decoder actually decoded.
type hashReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	eof bool
}

func newHashReader(r io.Reader) *hashReader { return &hashReader{r: r, h: sha256.New()} }

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if err == io.EOF {
		h.eof = true
	}
	return n, err
}

// drain reads what the decoder left unread (after a JSON array's closing
// bracket), so the digest covers the whole file.
func (h *hashReader) drain() error {
	if h.eof {
		return nil
	}
	_, err := io.Copy(io.Discard, h)
	h.eof = err == nil
	return err
}

// Digest is the SHA-256 (lower-case hex) and size of the bytes a decoder
// read. Complete is true only when the decoder read the file to its end.
type Digest struct {
	SHA256   string
	Size     int64
	Complete bool
}

func (h *hashReader) digest() Digest {
	if h == nil {
		return Digest{}
	}
	return Digest{SHA256: hex.EncodeToString(h.h.Sum(nil)), Size: h.n, Complete: h.eof}
}
