package sources

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// noSleep records the delays a source would wait between attempts.
type noSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.delays = append(n.delays, d)
	n.mu.Unlock()
	return ctx.Err()
}

func fetchAll(t *testing.T, s Source) (string, error) {
	t.Helper()
	refs, err := s.List(context.Background())
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, r := range refs {
		p, cleanup, err := s.Fetch(context.Background(), r)
		if err != nil {
			return sb.String(), err
		}
		b, _ := os.ReadFile(p)
		cleanup()
		if _, err := os.Stat(p); err == nil {
			t.Errorf("cleanup left %s", p)
		}
		sb.Write(b)
	}
	return sb.String(), nil
}

const csvBody = "Mã hồ sơ,Ngày tiếp nhận\nX-1,01/03/2026\n"

func TestHTTPRetries(t *testing.T) {
	cases := []struct {
		name      string
		handler   func(n int32, w http.ResponseWriter, r *http.Request)
		retries   int
		wantErr   string // "" means success
		wantCalls int32
		wantDelay time.Duration // first delay, when exact (Retry-After)
	}{
		{"200", func(n int32, w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, csvBody) }, 3, "", 1, 0},
		{"500 then 200", func(n int32, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				http.Error(w, "boom", 500)
				return
			}
			fmt.Fprint(w, csvBody)
		}, 3, "", 2, 0},
		{"503 always", func(n int32, w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) }, 2, "503 Service Unavailable (gave up after 3 attempts)", 3, 0},
		{"429 with Retry-After", func(n int32, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				w.Header().Set("Retry-After", "7")
				http.Error(w, "slow down", 429)
				return
			}
			fmt.Fprint(w, csvBody)
		}, 3, "", 2, 7 * time.Second},
		{"404 is not retried", func(n int32, w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, 3, "404 Not Found", 1, 0},
		{"403 is not retried", func(n int32, w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 403) }, 3, "403 Forbidden", 1, 0},
		{"redirect", func(n int32, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/export.csv" {
				http.Redirect(w, r, "/moved/export.csv", http.StatusFound)
				return
			}
			fmt.Fprint(w, csvBody)
		}, 0, "", 2, 0},
		{"streamed body over the limit", func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.Repeat("x", 600)))
			w.(http.Flusher).Flush() // chunked: no Content-Length to refuse early
			w.Write([]byte(strings.Repeat("x", 600)))
		}, 3, "over the limit of 1000", 1, 0},
		{"declared length over the limit", func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write([]byte(strings.Repeat("x", 5000)))
		}, 3, "over the limit of 1000", 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.handler(calls.Add(1), w, r)
			}))
			defer srv.Close()
			ns := &noSleep{}
			s := NewHTTPSource("h", HTTPOptions{URL: srv.URL + "/export.csv", Retries: c.retries, MaxBytes: 1000, Sleep: ns.sleep})
			got, err := fetchAll(t, s)
			if c.wantErr == "" {
				if err != nil || got != csvBody {
					t.Errorf("got %q, %v", got, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want %q", err, c.wantErr)
			}
			if calls.Load() != c.wantCalls {
				t.Errorf("%d requests, want %d", calls.Load(), c.wantCalls)
			}
			if c.wantDelay > 0 && (len(ns.delays) == 0 || ns.delays[0] != c.wantDelay) {
				t.Errorf("delays %v, want first %v", ns.delays, c.wantDelay)
			}
			for i, d := range ns.delays {
				if c.wantDelay == 0 && (d <= 0 || d > time.Second<<i) {
					t.Errorf("delay %d = %v outside the backoff window", i, d)
				}
			}
		})
	}
}

func TestHTTPStallTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ns := &noSleep{}
	s := NewHTTPSource("h", HTTPOptions{URL: srv.URL, Timeout: 200 * time.Millisecond, Retries: 1, Sleep: ns.sleep})
	_, err := fetchAll(t, s)
	if err == nil || !strings.Contains(err.Error(), "timed out") || len(ns.delays) != 1 {
		t.Errorf("err = %v, delays %v", err, ns.delays)
	}
}

func TestHTTPConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	ns := &noSleep{}
	_, err := fetchAll(t, NewHTTPSource("h", HTTPOptions{URL: url, Retries: 2, Sleep: ns.sleep}))
	if err == nil || !strings.Contains(err.Error(), "connection failed") || len(ns.delays) != 2 {
		t.Errorf("err = %v, delays %v", err, ns.delays)
	}
}

func TestHTTPConditional(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Mar 2026 01:00:00 GMT")
		fmt.Fprint(w, csvBody)
	}))
	defer srv.Close()
	s := NewHTTPSource("h", HTTPOptions{URL: srv.URL + "/x.csv"}).(Conditional)
	ref := FileRef{Source: "h", Path: srv.URL + "/x.csv"}
	got, err := s.FetchIfChanged(context.Background(), ref, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Cleanup()
	if got.Validators.ETag != `"v1"` || !got.ModTime.Equal(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) || got.Size != int64(len(csvBody)) {
		t.Errorf("fetched %+v", got)
	}
	if _, err := s.FetchIfChanged(context.Background(), ref, got.Validators); !errors.Is(err, ErrNotModified) {
		t.Errorf("second fetch: %v, want ErrNotModified", err)
	}
}

func TestHTTPAuthAndTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cr3t" {
			http.Error(w, "who are you", 401)
			return
		}
		fmt.Fprint(w, csvBody)
	}))
	defer srv.Close()
	// The test server's certificate is not trusted by default: refused, and
	// not retried.
	ns := &noSleep{}
	_, err := fetchAll(t, NewHTTPSource("h", HTTPOptions{URL: srv.URL, Bearer: "s3cr3t", Retries: 3, Sleep: ns.sleep}))
	if err == nil || !strings.Contains(err.Error(), "certificate") || len(ns.delays) != 0 {
		t.Errorf("untrusted TLS: %v, %d retries", err, len(ns.delays))
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	got, err := fetchAll(t, NewHTTPSource("h", HTTPOptions{URL: srv.URL, Bearer: "s3cr3t", RootCAs: pool}))
	if err != nil || got != csvBody {
		t.Errorf("trusted TLS with token: %q %v", got, err)
	}
	_, err = fetchAll(t, NewHTTPSource("h", HTTPOptions{URL: srv.URL, Bearer: "wrong-token", RootCAs: pool}))
	if err == nil || strings.Contains(err.Error(), "wrong-token") || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: %v (must not show the token)", err)
	}
}

func TestHTTPIndex(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a.csv", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "a,1\n") })
	mux.HandleFunc("/sub/b.csv", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "b,2\n") })
	mux.HandleFunc("/index.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"files": [{"url": "a.csv"}, "sub/b.csv", "a.csv"]}`)
	})
	mux.HandleFunc("/index.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "# exports\n/a.csv\n\n/sub/b.csv\n") })
	mux.HandleFunc("/index.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><a href="../">up</a><a href="a.csv">a</a> <a href='sub/b.csv'>b</a></html>`)
	})
	mux.HandleFunc("/bad.json", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"error": "maintenance"}`) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, idx := range []string{"/index.json", "/index.txt", "/index.html"} {
		got, err := fetchAll(t, NewHTTPSource("h", HTTPOptions{URL: srv.URL + idx, Index: true}))
		if err != nil || got != "a,1\nb,2\n" {
			t.Errorf("%s: %q %v", idx, got, err)
		}
	}
	_, err := NewHTTPSource("h", HTTPOptions{URL: srv.URL + "/bad.json", Index: true}).List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "keys: error") {
		t.Errorf("bad index: %v", err)
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"https://user:pass@host/x.csv":                  "https://host/x.csv",
		"https://host/x.csv?token=SECRET123&month=03":   "https://host/x.csv?month=03&token=REDACTED",
		"https://host/api?api_key=abc&access_token=def": "https://host/api?access_token=REDACTED&api_key=REDACTED",
		"https://host/x.csv?month=03":                   "https://host/x.csv?month=03",
		"/srv/exports/ba-vi/token=1.csv":                "/srv/exports/ba-vi/token=1.csv",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%s) = %s, want %s", in, got, want)
		}
	}
}
