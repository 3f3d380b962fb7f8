package sources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHTTPIndexOverLimit: an index document is held whole in memory, so it
// has a limit of its own (DefaultMaxIndexBytes, 16 MiB), not max_bytes
// (1 GiB). A bigger one is refused at once, not retried, with a message
// naming the index URL redacted; reading it allocates about the limit,
// not the document. Without the limit a 24 MiB index was accepted.
func TestHTTPIndexOverLimit(t *testing.T) {
	const token = "SECRETTOKEN123"
	line := []byte(strings.Repeat("x", 1023) + "\n")
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		for i := 0; i < 24<<10; i++ { // 24 MiB of 1 KiB lines
			if _, err := w.Write(line); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	s := NewHTTPSource("p", HTTPOptions{URL: srv.URL + "/index.txt?access_token=" + token, Index: true, Retries: 2})
	refs, err := s.List(context.Background())
	runtime.ReadMemStats(&m1)
	if err == nil {
		t.Fatalf("a 24 MiB index was accepted (%d links)", len(refs))
	}
	msg := err.Error()
	if !strings.Contains(msg, "chỉ mục lớn hơn giới hạn 16 MiB") || !strings.Contains(msg, srv.URL+"/index.txt") || strings.Contains(msg, token) {
		t.Errorf("message %q: want the limit and the index URL, without its token", msg)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests: an index over its limit is not retried", n)
	}
	// ReadAll grows its buffer up to the limit: all its buffers together
	// make about 2 × 16 MiB.
	if got := (m1.TotalAlloc - m0.TotalAlloc) >> 20; got > 40 {
		t.Errorf("reading the index allocated %d MiB", got)
	}
}
