package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"hash/maphash"
	"io"
)

// ErrChanged is wrapped by the error of a file whose content changed while
// a run read it. It is a passing failure: the next run reads the file again.
var ErrChanged = errors.New("tệp thay đổi trong khi đọc")

// hashReader hashes and counts every byte read through it, so the hash a
// run records is of the bytes the decoder actually decoded.
type hashReader struct {
	r   io.Reader
	h   hash.Hash // nil: the caller hashed the file (DecodeOptions.Hashed)
	fp  maphash.Hash
	n   int64
	eof bool
}

// sumSeed keys Sum64 for the whole process: the caller's pass
// (HashFileSums) and the decoder's give the same sum for the same bytes.
// A random key makes a collision between different bytes as unlikely as
// 2⁻⁶⁴, and impossible to aim for.
var sumSeed = maphash.MakeSeed()

func newHashReader(r io.Reader, opts DecodeOptions) *hashReader {
	h := &hashReader{r: r}
	if !opts.Hashed {
		h.h = sha256.New()
	}
	h.fp.SetSeed(sumSeed)
	return h
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.h != nil {
		h.h.Write(p[:n])
	}
	h.fp.Write(p[:n])
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

// Digest is the SHA-256 (lower-case hex; empty when DecodeOptions.Hashed),
// the Sum64 and the size of the bytes a decoder read. Complete is true
// only when the decoder read the file to its end.
type Digest struct {
	SHA256   string
	Sum64    uint64
	Size     int64
	Complete bool
}

func (h *hashReader) digest() Digest {
	if h == nil {
		return Digest{}
	}
	d := Digest{Sum64: h.fp.Sum64(), Size: h.n, Complete: h.eof}
	if h.h != nil {
		d.SHA256 = hex.EncodeToString(h.h.Sum(nil))
	}
	return d
}
