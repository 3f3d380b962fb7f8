package sources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// trickle writes a byte of a body every 20ms until the client goes away
// (or 30s pass): a server that answers, but never finishes.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	for i := 0; i < 1500; i++ {
		if _, err := w.Write([]byte("x")); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// An HTTP source's whole fetch ends by its deadline, whatever the
// per-request timeout (10s here) and retries (20, with real waits of 1s
// doubled) would allow: a trickling index, a trickling link after one that
// downloads, a server that answers 503 to every attempt. Each ends within
// a second of the deadline (300ms) with a *DeadlineError naming the source,
// its URL redacted and the deadline; a link fetched after the deadline
// fails at once. Without the deadline each of these runs for minutes (the
// test's own bound, 5s, fails it).
func TestHTTPDeadline(t *testing.T) {
	const deadline = 300 * time.Millisecond
	cases := []struct {
		name    string
		index   bool
		handler http.HandlerFunc
		// fetchOK is how many listed files download before the deadline.
		fetchOK  int
		wantWhat string // what the message says was being fetched
	}{
		{"trickling index", true, trickle, 0, "dừng khi đang tải chỉ mục rồi"},
		{"trickling link after a good one", true, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/index.txt":
				fmt.Fprint(w, "a.csv\nb.csv\nc.csv\n")
			case "/a.csv":
				fmt.Fprint(w, csvBody)
			default:
				trickle(w, r)
			}
		}, 1, "/b.csv rồi để các tệp chưa tải xong"},
		{"503 to every attempt", false, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) }, 0, "dừng khi đang tải tệp xuất rồi"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			u := srv.URL + "/export.csv?token=SECRET42"
			if c.index {
				u = srv.URL + "/index.txt?token=SECRET42"
			}
			s := NewHTTPSource("portal", HTTPOptions{URL: u, Index: c.index, Timeout: 10 * time.Second, Retries: 20, Deadline: deadline})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			var err error
			refs, err := s.List(ctx)
			ok := 0
			for i := 0; err == nil && i < len(refs); i++ {
				var cleanup func()
				_, cleanup, err = s.Fetch(ctx, refs[i])
				cleanup()
				if err == nil {
					ok++
				}
			}
			took := time.Since(start)
			var de *DeadlineError
			if !errors.As(err, &de) {
				t.Fatalf("after %v: err = %v, want a *DeadlineError", took, err)
			}
			if took > deadline+time.Second {
				t.Errorf("ended %v after the start, deadline %v", took, deadline)
			}
			if ok != c.fetchOK {
				t.Errorf("%d files fetched before the deadline, want %d", ok, c.fetchOK)
			}
			msg := err.Error()
			for _, want := range []string{"nguồn portal: quá thời hạn 300ms (deadline)", c.wantWhat, "Địa chỉ của nguồn: " + u[:strings.Index(u, "?")] + "?token=REDACTED"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "SECRET42") {
				t.Errorf("message shows the token: %q", msg)
			}
			// Once past the deadline, what is left fails at once.
			if c.index && len(refs) > 0 {
				t0 := time.Now()
				_, cleanup, err := s.Fetch(ctx, refs[len(refs)-1])
				cleanup()
				if !errors.As(err, &de) || time.Since(t0) > 100*time.Millisecond {
					t.Errorf("a fetch after the deadline: %v after %v", err, time.Since(t0))
				}
			}
		})
	}
}
