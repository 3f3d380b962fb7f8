package sources

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cchc/cchc/internal/fileowner"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/vnenc"
)

// HTTPOptions configure an HTTP source. Secrets are values, already read
// from the environment by the config; they are sent only in headers and
// never appear in errors or logs.
type HTTPOptions struct {
	URL      string        // one export, or the index document when Index
	Index    bool          // URL lists export URLs (JSON array, {"files": [...]}, text lines or HTML links)
	Timeout  time.Duration // per request, body included; 0 means 60s
	Retries  int           // extra attempts on connection errors, timeouts, 5xx and 429
	Backoff  time.Duration // first retry delay (doubled each time, with jitter); 0 means 1s
	MaxDelay time.Duration // cap of one delay, Retry-After included; 0 means 2m
	MaxBytes int64         // largest body accepted; 0 means 1 GiB
	Bearer   string        // bearer token
	Username string        // basic auth
	Password string
	RootCAs  *x509.CertPool // extra trusted roots (a provincial CA); nil means the system's
	TempDir  string         // where downloads go; "" means os.TempDir()
	// Redirects says what happens when the server redirects to another
	// origin: "" or "strip" follow it without the credentials, "refuse"
	// fails the file. A redirect from https to http is always refused.
	Redirects string
	// Sleep waits between attempts; tests replace it. nil means a timer
	// that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxUnzipBytes bounds what an archive (XLSX) body is decompressed
	// to when it is searched for an echoed credential; 0 means
	// DefaultLimits.MaxWorkbookBytes. The decoder refuses a workbook that
	// decompresses to more (limits.max_workbook_bytes), so the search
	// need not go further: a zip bomb is refused at that bound instead of
	// costing minutes of CPU first.
	MaxUnzipBytes int64
	// MaxIndexBytes is the largest index document accepted; 0 means
	// DefaultMaxIndexBytes. An index is read whole into memory, so it
	// has a bound of its own, far below MaxBytes.
	MaxIndexBytes int64
	// Deadline bounds the source's whole fetch, counted from its List (or
	// its first fetch): the index, every file, retries and the waits
	// between them; 0 means DefaultDeadline. Past it, a fetch fails with a
	// *DeadlineError.
	Deadline time.Duration
}

// DefaultDeadline is the deadline of an HTTP source that sets none. A
// healthy source downloads in minutes: a 1 GiB export (max_bytes' default)
// takes about 15 minutes at 10 Mbit/s, and one file that fails every
// attempt at the defaults (5 attempts of up to 60s, and 4 waits between
// them of some seconds, or up to 2 minutes when the server asks with
// Retry-After) 5 to 13 minutes. One hour leaves room for that and
// for a slow night, while a server that trickles bytes to many index
// links (links × attempts × timeout: hours) holds the writer lock, and
// delays the sources after it, for an hour at most.
const DefaultDeadline = time.Hour

// DeadlineError is the failure of an HTTP source whose fetch ran past its
// deadline (HTTPOptions.Deadline). It fails the source, not one file: the
// files it fetched before are whole and may load; the others wait for the
// next run.
type DeadlineError struct {
	Source   string
	URL      string // the source's url, redacted
	File     string // the file being fetched, redacted; "" for the index
	Deadline time.Duration
}

func (e *DeadlineError) Error() string {
	what := "chỉ mục"
	if e.File != "" && e.File != e.URL {
		what = "tệp " + e.File
	} else if e.File != "" {
		what = "tệp xuất"
	}
	// Each URL is followed by a space or ends the message, so the message
	// reads the same when the text is redacted again (RedactText).
	return fmt.Sprintf("nguồn %s: quá thời hạn %s (deadline) cho toàn bộ việc tải của nguồn gồm chỉ mục, các tệp và các lần thử lại; "+
		"dừng khi đang tải %s rồi để các tệp chưa tải xong cho lần chạy sau. Báo quản trị máy chủ xuất dữ liệu nếu máy chủ trả lời quá chậm, "+
		"hoặc tăng deadline của nguồn nếu nó cần lâu hơn. Địa chỉ của nguồn: %s", e.Source, e.Deadline, what, e.URL)
}

// NewHTTPSource returns a Source that downloads exports over HTTP(S) with
// TLS verified, retries transient failures with exponential backoff and
// jitter (honouring Retry-After), refuses bodies over MaxBytes, and
// implements Conditional so unchanged exports are not downloaded again.
//
// Credentials stay with their origin: they are added to each request,
// redirects included, only when its scheme, host and port are those of
// o.URL, so a redirect or an index link elsewhere goes without them. A
// redirect from https to plain http is refused. A downloaded body is
// refused when it is not an export (an HTML page, or text that is no table)
// or when it contains a credential the source sends (a server that echoes
// the token must not get it stored); the error shows at most the first
// 200 characters of the body, escaped, with the credentials redacted.
func NewHTTPSource(name string, o HTTPOptions) Source {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 2 * time.Minute
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 30
	}
	if o.MaxIndexBytes <= 0 {
		o.MaxIndexBytes = DefaultMaxIndexBytes
	}
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs}
	s := &httpSource{name: name, o: o, origin: originOf(o.URL), secrets: secretForms(o)}
	s.client = &http.Client{Transport: &credTransport{base: tr, s: s}, CheckRedirect: s.checkRedirect}
	return s
}

type httpSource struct {
	name    string
	o       HTTPOptions
	client  *http.Client
	origin  string   // scheme://host:port of o.URL, the only one credentials go to
	secrets []string // credentials in the forms a body or a message may carry them

	mu    sync.Mutex
	until time.Time // when the fetch must end (o.Deadline after its start); zero before it starts
}

// deadline returns when the source's fetch must end, starting the clock
// when restart is set (a listing) or on the first fetch.
func (s *httpSource) deadline(restart bool) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if restart || s.until.IsZero() {
		s.until = time.Now().Add(s.o.Deadline)
	}
	return s.until
}

// errDeadline is the cause of a context ended by the source's deadline,
// told apart from the per-request timeout and from the caller's
// cancellation.
var errDeadline = errors.New("source deadline")

func (s *httpSource) Name() string { return s.name }

// DefaultMaxIndexBytes bounds an index document: 16 MiB lists some
// hundred thousand export URLs.
const DefaultMaxIndexBytes = 16 << 20

// List returns the export URL, or the URLs the index document lists
// (resolved against it, deduplicated, in document order then by URL). An
// index over MaxIndexBytes is refused: it is held whole in memory.
func (s *httpSource) List(ctx context.Context) ([]FileRef, error) {
	s.deadline(true) // a listing starts the source's fetch
	if !s.o.Index {
		return []FileRef{{Source: s.name, Path: s.o.URL, Size: -1}}, nil
	}
	var body []byte
	resp, err := s.get(ctx, s.o.URL, Validators{}, func(r io.Reader) error {
		lr := &limitedReader{r: r, left: s.o.MaxIndexBytes}
		var err error
		body, err = io.ReadAll(lr)
		if lr.over {
			return errPermanent{fmt.Errorf("chỉ mục lớn hơn giới hạn %d MiB; tệp chỉ mục chỉ liệt kê địa chỉ các tệp xuất. "+
				"Kiểm tra url của nguồn: nếu nó trỏ thẳng vào một tệp xuất thì bỏ index: true", s.o.MaxIndexBytes>>20)}
		}
		return err
	})
	var de *DeadlineError
	if errors.As(err, &de) {
		return nil, s.scrub(err) // names the source and the index already
	}
	if err != nil {
		return nil, s.scrub(fmt.Errorf("nguồn %s: chỉ mục %s: %w", s.name, redact(s.o.URL), err))
	}
	base, _ := url.Parse(resp.finalURL)
	links, err := parseIndex(body, resp.contentType)
	if err != nil {
		return nil, s.scrub(fmt.Errorf("nguồn %s: chỉ mục %s: %w", s.name, redact(s.o.URL), err))
	}
	// A link is stored (as the file's path) and logged: one that carries
	// a credential, even in a form Redact does not know, fails the index.
	for _, l := range links {
		if s.redactSecrets(l) != l {
			return nil, fmt.Errorf("nguồn %s: chỉ mục %s: chỉ mục chứa thông tin xác thực của nguồn (token hoặc mật khẩu) trong một liên kết; "+
				"bị từ chối để thông tin này không vào kho. Báo quản trị máy chủ xuất dữ liệu", s.name, redact(s.o.URL))
		}
	}
	seen := map[string]bool{}
	// The redacted URL names the file in the ledger: two links that still
	// read the same once redacted would be one file there, and one would
	// replace the other's rows.
	named := map[string]bool{}
	var out []FileRef
	for _, l := range links {
		u, err := base.Parse(strings.TrimSpace(l))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		if !seen[u.String()] {
			seen[u.String()] = true
			r := Redact(u.String())
			if named[r] {
				return nil, fmt.Errorf("nguồn %s: chỉ mục %s: hai liên kết khác nhau cùng thành %s khi che thông tin xác thực (mật khẩu hoặc tên người dùng trong liên kết), "+
					"nên không phân biệt được hai tệp trong sổ theo dõi; chỉ mục bị từ chối. Báo quản trị máy chủ xuất dữ liệu đặt tên tệp trong đường dẫn hoặc một tham số khác", s.name, redact(s.o.URL), r)
			}
			named[r] = true
			out = append(out, FileRef{Source: s.name, Path: u.String(), Size: -1})
		}
	}
	return out, nil
}

// Fetch downloads f unconditionally.
func (s *httpSource) Fetch(ctx context.Context, f FileRef) (string, func(), error) {
	got, err := s.FetchIfChanged(ctx, f, Validators{})
	if err != nil {
		return "", func() {}, err
	}
	return got.Path, got.Cleanup, nil
}

// FetchIfChanged downloads f to a temporary file unless the server answers
// 304 Not Modified to the validators of the loaded version. A body that is
// not an export, or that carries a credential, is an error and is removed.
func (s *httpSource) FetchIfChanged(ctx context.Context, f FileRef, prev Validators) (Fetched, error) {
	got, err := s.fetchIfChanged(ctx, f, prev)
	if err != nil && !errors.Is(err, ErrNotModified) {
		return got, s.scrub(err)
	}
	return got, err
}

func (s *httpSource) fetchIfChanged(ctx context.Context, f FileRef, prev Validators) (Fetched, error) {
	if s.o.TempDir != "" {
		// Owner only: a download holds the raw export.
		if err := os.MkdirAll(s.o.TempDir, 0o700); err != nil {
			return Fetched{}, fmt.Errorf("nguồn %s: %w", s.name, err)
		}
	}
	tmp, err := os.CreateTemp(s.o.TempDir, "cchc-http-*"+safeExt(f.Path))
	if err != nil {
		return Fetched{}, fmt.Errorf("nguồn %s: %w", s.name, err)
	}
	if s.o.TempDir != "" {
		// Run as root (an admin's cron job) in the service user's
		// downloads folder, the download is the folder owner's before
		// its first byte: root's, mode 0600, it is a file the service
		// user's runs cannot open to see that a dead process left it
		// (warehouse.RemoveDownloads), so a killed run's raw export
		// would stay for good. A chown refused (root squashed on a
		// network mount) leaves the file as it was before.
		_ = fileowner.Follow(tmp, s.o.TempDir)
	}
	// A shared lock on the download while this process uses it: a run
	// clearing what dead processes left in the folder
	// (warehouse.RemoveDownloads) skips it, as `cchc validate` downloads
	// there without the writer lock. The lock goes with the process.
	held, err := holdDownload(tmp.Name())
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return Fetched{}, fmt.Errorf("nguồn %s: %w", s.name, err)
	}
	cleanup := func() {
		os.Remove(tmp.Name())
		held.Close()
	}
	var size int64
	var echo *secretScanner
	resp, err := s.get(ctx, f.Path, prev, func(r io.Reader) error {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := tmp.Truncate(0); err != nil {
			return err
		}
		echo = newSecretScanner(s.secrets)
		n, err := io.Copy(io.MultiWriter(tmp, echo), r)
		size = n
		return err
	})
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		if errors.Is(err, ErrNotModified) {
			return Fetched{}, ErrNotModified
		}
		return Fetched{}, err
	}
	if err := s.checkBody(tmp.Name(), resp.contentType, echo != nil && echo.found); err != nil {
		cleanup()
		return Fetched{}, err
	}
	mod := time.Now().UTC().Truncate(time.Second)
	if t, err := http.ParseTime(resp.validators.LastModified); err == nil {
		mod = t.UTC()
	}
	return Fetched{Path: tmp.Name(), Cleanup: cleanup, Size: size, ModTime: mod, Validators: resp.validators}, nil
}

type response struct {
	validators  Validators
	contentType string
	finalURL    string
}

// errPermanent marks failures that another attempt cannot fix.
type errPermanent struct{ err error }

func (e errPermanent) Error() string { return e.err.Error() }
func (e errPermanent) Unwrap() error { return e.err }

// get performs a GET with retries; read consumes the body of a 200 (it is
// called again, from the start, if a later attempt is needed). It ends by
// the source's deadline, waits included, with a *DeadlineError.
func (s *httpSource) get(ctx context.Context, rawURL string, prev Validators, read func(io.Reader) error) (response, error) {
	ctx, cancel := context.WithDeadlineCause(ctx, s.deadline(false), errDeadline)
	defer cancel()
	late := func() error {
		if context.Cause(ctx) != errDeadline {
			return nil
		}
		e := &DeadlineError{Source: s.name, URL: redact(s.o.URL), Deadline: s.o.Deadline}
		if rawURL != s.o.URL || !s.o.Index {
			e.File = redact(rawURL)
		}
		return e
	}
	if err := late(); err != nil {
		return response{}, err
	}
	var last error
	attempts := 0
	for attempt := 0; ; attempt++ {
		attempts++
		resp, retryAfter, err := s.attempt(ctx, rawURL, prev, read)
		if err == nil || errors.Is(err, ErrNotModified) {
			return resp, err
		}
		if lerr := late(); lerr != nil {
			return response{}, lerr // whatever the attempt says: the source's time ran out
		}
		last = err
		var perm errPermanent
		if errors.As(err, &perm) || ctx.Err() != nil || attempt >= s.o.Retries {
			break
		}
		delay := s.o.Backoff << attempt
		// Full jitter: spread retries of many units over the window.
		delay = time.Duration(rand.Int64N(int64(delay)) + 1)
		if retryAfter > 0 {
			delay = retryAfter
		}
		delay = min(delay, s.o.MaxDelay)
		if err := s.o.Sleep(ctx, delay); err != nil {
			if lerr := late(); lerr != nil {
				return response{}, lerr
			}
			return response{}, err
		}
	}
	if attempts > 1 {
		return response{}, fmt.Errorf("%w (đã thử %d lần, bỏ cuộc)", last, attempts)
	}
	return response{}, last
}

func (s *httpSource) attempt(ctx context.Context, rawURL string, prev Validators, read func(io.Reader) error) (response, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return response{}, 0, errPermanent{fmt.Errorf("địa chỉ không hợp lệ: %v", redactErr(err))}
	}
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	// Credentials are not set here but by credTransport, per request, so
	// that a redirect cannot carry them to another origin.
	req.Header.Set("User-Agent", "cchc")
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		var perm errPermanent
		if errors.As(err, &perm) { // a redirect refused by checkRedirect
			return response{}, 0, perm
		}
		var certErr *tls.CertificateVerificationError
		var unknownAuth x509.UnknownAuthorityError
		var hostErr x509.HostnameError
		if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
			return response{}, 0, errPermanent{fmt.Errorf("chứng chỉ TLS của máy chủ không được tin cậy (%v); nếu máy chủ dùng chứng chỉ của CA tỉnh, thêm CA đó bằng ca_file", err)}
		}
		if ctx.Err() == context.DeadlineExceeded {
			return response{}, 0, fmt.Errorf("máy chủ không trả lời trong %s (timeout)", s.o.Timeout)
		}
		return response{}, 0, fmt.Errorf("không kết nối được máy chủ: %v", err)
	}
	defer resp.Body.Close()
	r := response{
		validators:  Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
		contentType: resp.Header.Get("Content-Type"),
		finalURL:    resp.Request.URL.String(),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return r, 0, ErrNotModified
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return r, retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("máy chủ trả lời %s", resp.Status)
	default:
		return r, 0, errPermanent{fmt.Errorf("máy chủ trả lời %s", resp.Status)}
	}
	if resp.ContentLength > s.o.MaxBytes {
		return r, 0, errPermanent{fmt.Errorf("tệp xuất có %d byte, quá giới hạn %d byte (max_bytes)", resp.ContentLength, s.o.MaxBytes)}
	}
	lr := &limitedReader{r: resp.Body, left: s.o.MaxBytes}
	if err := read(lr); err != nil {
		var perm errPermanent
		if errors.As(err, &perm) {
			return r, 0, err // read's own refusal (an index over its limit)
		}
		if lr.over {
			return r, 0, errPermanent{fmt.Errorf("tệp xuất vượt quá giới hạn %d byte (max_bytes)", s.o.MaxBytes)}
		}
		if ctx.Err() == context.DeadlineExceeded {
			return r, 0, fmt.Errorf("tải chưa xong sau %s (timeout)", s.o.Timeout)
		}
		return r, 0, fmt.Errorf("tải bị ngắt giữa chừng: %v", err)
	}
	return r, 0, nil
}

type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte past the limit tells a body of exactly MaxBytes from a
		// larger one.
		var b [1]byte
		if n, _ := l.r.Read(b[:]); n > 0 {
			l.over = true
			return 0, errors.New("body too large")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var hrefRE = regexp.MustCompile(`(?i)href\s*=\s*["']([^"']+)["']`)

// parseIndex extracts export links from an index document: a JSON array
// of URLs or of objects with a url/href/link field, an object holding such
// an array under files/items/data/exports, HTML links, or one URL a line.
func parseIndex(body []byte, contentType string) ([]string, error) {
	// Read in place: the body is not copied into a string, only each
	// link is.
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("[")) || bytes.HasPrefix(trimmed, []byte("{")) {
		var v any
		if err := json.Unmarshal(trimmed, &v); err != nil {
			return nil, fmt.Errorf("chỉ mục bắt đầu như JSON nhưng không phải JSON hợp lệ; báo quản trị máy chủ xuất dữ liệu (index is not valid JSON: %v)", err)
		}
		if m, ok := v.(map[string]any); ok {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			v = nil
			for _, k := range []string{"files", "items", "data", "exports", "urls"} {
				if arr, ok := m[k].([]any); ok {
					v = arr
					break
				}
			}
			if v == nil {
				return nil, fmt.Errorf("chỉ mục JSON không có danh sách tệp (cần một mảng files, items, data, exports hoặc urls); "+
					"kiểm tra url của nguồn hoặc báo quản trị máy chủ xuất dữ liệu (index object has no list of files; keys: %s)", strings.Join(keys, ", "))
			}
		}
		arr, _ := v.([]any)
		var out []string
		for _, e := range arr {
			switch x := e.(type) {
			case string:
				out = append(out, x)
			case map[string]any:
				for _, k := range []string{"url", "href", "link", "URL"} {
					if s, ok := x[k].(string); ok {
						out = append(out, s)
						break
					}
				}
			}
		}
		return out, nil
	}
	if strings.Contains(contentType, "html") || bytes.Contains(bytes.ToLower(trimmed[:min(len(trimmed), 512)]), []byte("<html")) {
		var out []string
		for _, m := range hrefRE.FindAllSubmatch(trimmed, -1) {
			if l := string(m[1]); !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "?") && !strings.HasSuffix(l, "/") {
				out = append(out, l)
			}
		}
		return out, nil
	}
	var out []string
	for line := range bytes.Lines(trimmed) {
		if line = bytes.TrimSpace(line); len(line) > 0 && line[0] != '#' {
			out = append(out, string(line))
		}
	}
	return out, nil
}

// Redact returns a URL fit to store and show: user information is dropped
// and the values of parameters that look like credentials (token, key,
// secret, password, signature, session, otp, ...; see credentialKind) are
// replaced, in the query, also one net/url refuses (';' between
// parameters, a broken '%' escape), which is otherwise kept as written,
// in the fragment, and in the path, where a segment may hold name=value
// pieces (/dl/token=.../x.csv) and parameters after ';'
// (/march.csv;jsessionid=..., which Java portals add to their links). A
// link in another parameter's value (?next=https://..., encoded or not,
// also relative: ?next=x.csv?sig=...) is redacted the same way, to a
// bounded depth. A string with no scheme is a file's path, returned
// unchanged, unless it has a '?': then it is a relative link (an index
// page's exports/x.csv?token=...), redacted as a link is. One that has
// "://" but does not parse as an http(s) URL, or a relative link that
// does not parse and names a credential, is cut by RedactLoose (fail
// closed).
//
// The redacted path is a file's name in the ledger, so it must stay the
// same from run to run (Redact is deterministic and Redact(Redact(x)) is
// Redact(x)), and two exports must keep distinct names. Two kinds of
// parameter are told apart by their name (see credentialKind):
//   - credentials: the value becomes plain REDACTED. They may change at
//     every listing (a session token, a signed link), so a name carrying
//     them must not; links that differ only there collide, and List fails
//     the index rather than merge them.
//   - other names with "key" in them (fileKey, reportKey): often what
//     names the file, so the value becomes REDACTED-<12 hex digits of its
//     SHA-256>, distinct per value and stable. Redact is pure (it runs
//     where no warehouse is at hand), so the digest has no secret key; a
//     random key value gives no way back through 48 bits of its digest,
//     and a guessable one (fileKey=march) names a file, it is no secret.
func Redact(raw string) string {
	return untilSame(raw, func(s string) string {
		return redactURL(s, 0, !strings.Contains(s, "://") && strings.Contains(s, "?"))
	})
}

// untilSame applies a redaction pass until its output reads the same,
// at most maxRedactPasses times. A pass replaces only what may be a
// credential, but what it writes can read differently the next time (an
// escaped '@', a value's bracket, a name now followed by REDACTED): the
// fuzzers found such shapes one after another. Applied until it settles,
// a redaction is idempotent by construction instead of shape by shape,
// and each pass can only take more away. A link or message that has not
// settled after maxRedactPasses (none has been found to need more than
// two) is returned as the last pass left it: redacted, if perhaps not the
// same when redacted again.
func untilSame(s string, pass func(string) string) string {
	for range maxRedactPasses {
		r := pass(s)
		if r == s {
			break
		}
		s = r
	}
	return s
}

const maxRedactPasses = 8

// maxNested is how many links inside links Redact follows: a value nested
// deeper that holds a link becomes REDACTED, so that a crafted link costs
// a bounded effort.
const maxNested = 3

// redactURL is Redact for a link found at depth (0 for the one given);
// ref says that one with no scheme is read as a relative link.
func redactURL(raw string, depth int, ref bool) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && (!ref || u.Scheme != "")) {
		// A link to the same server in a value (/dl?token=..., or
		// //h/dl?token=...) that does not parse is cut, as before
		// relative links were read; another is when it names a
		// credential (a word in a message may be no link at all).
		if strings.Contains(raw, "://") || (ref && depth > 0 && strings.HasPrefix(raw, "/")) || (ref && namesCredential(raw)) {
			return RedactLoose(raw)
		}
		return raw
	}
	if first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); u.User == nil && u.Port() != "" &&
		!strings.ContainsAny(u.Hostname(), ".:") && strings.Contains(first, "@") {
		// https://u:1234/5@h/x: a password with a '/' in it, whose
		// first part parses as a port (and the user's name as a host
		// with no dot in it).
		return RedactLoose(raw)
	}
	if strings.ContainsAny(u.Host, ";&=") {
		// net/url takes https://h;jsessionid=... or https://&token=...
		// for a host: no server has that name, and such parameters go.
		return RedactLoose(raw)
	}
	changed := u.User != nil
	u.User = nil
	// An authorization response may spread its code and state over the
	// path, the query and the fragment (/cb/code=...?state=...): each
	// is read with the names of the whole link.
	oauth := oauthResponse(paramNames(raw))
	// A relative link with no host keeps its path as written: String
	// would escape it (../ả/x.csv becomes ../%E1%BA%A3/x.csv), and in a
	// message letters escaped before "//" would read as a URL's scheme
	// once redacted.
	rel := u.Scheme == "" && u.Host == "" && !changed && !strings.HasPrefix(raw, "//")
	before, fragment, hasFragment := strings.Cut(raw, "#")
	asWritten, _, _ := strings.Cut(before, "?")
	if o, ok := redactPathParams(u.Opaque, depth, oauth); ok {
		u.Opaque, changed = o, true // https:h/x;jsessionid=..., a scheme without "//"
	}
	if p, ok := redactPathParams(asWritten, depth, oauth); rel && ok {
		asWritten, changed = p, true
	} else if p, ok := redactPathParams(u.EscapedPath(), depth, oauth); !rel && ok {
		// p is valid as written (only values changed, for letters or
		// escapes), so String writes it as it is.
		u.Path, _ = url.PathUnescape(p)
		u.RawPath, changed = p, true
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// Go refuses ';' between parameters and a broken '%' escape,
			// and drops what it refused; servers take such links, so the
			// query is redacted as written. Once its credentials are out,
			// what is left may parse: it is then named as a well-formed
			// link is, so that Redact stays idempotent.
			written, redacted := redactQueryAsWritten(u.RawQuery, depth, oauth)
			u.RawQuery, changed = written, changed || redacted
			q, err = url.ParseQuery(written)
		}
		if err == nil {
			oauth := oauth || oauthResponse(slices.Collect(maps.Keys(q)))
			for k, vs := range q {
				kind := queryKind(k, oauth)
				for i, v := range vs {
					if kind != notCredential {
						vs[i], changed = redactedValue(v, kind == credential), true
					} else if r, ok := redactNested(v, depth); ok {
						vs[i], changed = r, true
					}
				}
			}
			if changed {
				u.RawQuery = q.Encode()
			}
		}
	}
	// A fragment is not sent, but it is stored with the path: one that
	// looks like access_token=... (OAuth puts tokens there) goes too.
	if f := u.Fragment; f != "" {
		if kind := fragmentKind(f, oauth); kind != notCredential {
			u.Fragment, u.RawFragment, changed = redactedValue(u.Fragment, kind == credential), "", true
			fragment = u.Fragment
		}
	}
	if !changed {
		return raw
	}
	if rel {
		if u.RawQuery != "" || u.ForceQuery {
			asWritten += "?" + u.RawQuery
		}
		if hasFragment {
			asWritten += "#" + fragment
		}
		return asWritten
	}
	if u.Host == "" && u.Path == "" && strings.HasPrefix(strings.TrimPrefix(raw[len(u.Scheme):], ":"), "//") {
		// String would drop the "//" of a link with no host and no path
		// (https://?a=b, https://user:pw@?a=b), and RedactText would
		// no longer read what Redact returned as a link.
		return RedactLoose(raw)
	}
	return u.String()
}

var redactedForm = regexp.MustCompile(`^REDACTED-[0-9a-f]{12}$`)

// redactQueryAsWritten redacts a query that url.ParseQuery refuses: its
// parameters, split at '&' and ';', are read by the same names as
// Redact's (decoded where an escape is valid) and a credential's value is
// replaced, a link in another value redacted; the rest, separators and
// broken escapes included, is kept as written. What follows a
// credential's value after ';' without an '=' is read as more of the
// value (a password with a ';' in it), not as a parameter to keep.
func redactQueryAsWritten(raw string, depth int, oauth bool) (string, bool) {
	params, seps := splitKeep(raw, "&;")
	var names []string
	for _, p := range params {
		if name, _, ok := strings.Cut(p, "="); ok {
			names = append(names, lenientUnescape(name))
		}
	}
	oauth = oauth || oauthResponse(names)
	var b strings.Builder
	changed := false
	for i := 0; i < len(params); i++ {
		b.WriteString(seps[i])
		name, value, ok := strings.Cut(params[i], "=")
		kind := notCredential
		if ok {
			kind = queryKind(lenientUnescape(name), oauth)
		}
		if kind == notCredential {
			if r, nested := redactNested(lenientUnescape(value), depth); ok && nested {
				b.WriteString(name + "=" + queryEscapeLike(value, r))
				changed = true
				continue
			}
			b.WriteString(params[i])
			continue
		}
		if i+1 < len(params) && seps[i+1] == ";" && !strings.Contains(params[i+1], "=") {
			var v strings.Builder // not value += …: a crafted query would cost time quadratic in its length
			v.WriteString(value)
			for i+1 < len(params) && seps[i+1] == ";" && !strings.Contains(params[i+1], "=") {
				i++
				v.WriteString(";" + params[i])
			}
			value, changed = v.String(), true
		}
		r := redactedValue(lenientUnescape(value), kind == credential)
		changed = changed || r != value
		b.WriteString(name + "=" + r)
	}
	return b.String(), changed
}

// queryEscapeLike is how v, the new value of a parameter in a query kept
// as written, is written: escaped if the old value was or if v needs it,
// as it is otherwise (?next=https://h/y?token=REDACTED reads as it did).
func queryEscapeLike(written, v string) string {
	if strings.Contains(written, "%") || strings.ContainsFunc(v, func(r rune) bool {
		return r > '~' || r <= ' ' || strings.ContainsRune(`%&;+#"<>\^`+"`{|}", r)
	}) {
		return url.QueryEscape(v)
	}
	return v
}

// redactPathParams redacts, in an escaped path (or an opaque URL's
// part), the name=value pieces of its segments as Redact redacts query
// parameters: those after ';' (/march.csv;jsessionid=...), each a value
// up to the next ';', and those of what comes before the first ';'
// (/dl/token=.../x.csv, /dl/f=a&token=...), split at '&' and ','; there a
// credential's value runs on over the pieces that follow with no '=' in
// them (a token with a ',' in it). The rest is kept as written. It says
// whether anything changed.
func redactPathParams(p string, depth int, oauth bool) (string, bool) {
	if !strings.Contains(p, "=") {
		return p, false
	}
	segs := mergeSlashedValues(strings.Split(p, "/"), oauth)
	changed := false
	for i, seg := range segs {
		pieces := strings.Split(seg, ";")
		if r, ok := redactSegmentHead(pieces[0], depth, oauth); ok {
			pieces[0], changed = r, true
		}
		for j := 1; j < len(pieces); j++ {
			name, value, ok := strings.Cut(pieces[j], "=")
			if !ok {
				continue
			}
			if r, ok := redactPathValue(name, value, depth, oauth); ok {
				pieces[j], changed = name+"="+r, true
			}
		}
		segs[i] = strings.Join(pieces, ";")
	}
	return strings.Join(segs, "/"), changed
}

// mergeSlashedValues joins to a segment that ends with a credential's
// name=value the segments after it up to the first non-empty one past a
// "//": a value with "//" in it (base64, a password quoted in a message:
// dl/token=ab//cd/x.csv) is the value's, no empty folder. A single '/'
// still ends the value (dl/token=.../x.csv names the file x.csv).
func mergeSlashedValues(segs []string, oauth bool) []string {
	out := segs[:0:0]
	for i := 0; i < len(segs); i++ {
		first := i
		cred := endsWithCredential(segs[i], oauth)
		for cred && i+2 < len(segs) && segs[i+1] == "" {
			j := i + 1
			for j < len(segs)-1 && segs[j] == "" {
				j++
			}
			if segs[j] == "" {
				// Slashes that end the path end no value: merged, they
				// would be once the value before them is redacted
				// (token=REDACTED//), and not before.
				break
			}
			if strings.Contains(segs[j], "=") {
				cred = endsWithCredential(segs[j], oauth)
			}
			i = j
		}
		// Joined once: appending at each "//" took time quadratic in
		// their number (45 s for 400 KB at the review).
		out = append(out, strings.Join(segs[first:i+1], "/"))
	}
	return out
}

// endsWithCredential says whether the last name=value piece of a path
// segment (split at ';', '&' and ',') is a credential's.
func endsWithCredential(seg string, oauth bool) bool {
	if !strings.Contains(seg, "=") {
		return false
	}
	for rest := seg; ; {
		j := strings.LastIndexAny(rest, ";&,")
		if name, _, ok := strings.Cut(rest[j+1:], "="); ok {
			return queryKind(pathUnescape(name), oauth) == credential
		}
		if j < 0 {
			return false
		}
		rest = rest[:j]
	}
}

// redactSegmentHead is redactPathParams for the part of a segment before
// its first ';'.
func redactSegmentHead(head string, depth int, oauth bool) (string, bool) {
	if !strings.Contains(head, "=") {
		return head, false
	}
	pieces, seps := splitKeep(head, "&,")
	var b strings.Builder
	changed := false
	for i := 0; i < len(pieces); i++ {
		b.WriteString(seps[i])
		name, value, ok := strings.Cut(pieces[i], "=")
		if !ok {
			b.WriteString(pieces[i])
			continue
		}
		if queryKind(pathUnescape(name), oauth) == credential {
			var v strings.Builder // not value += …: see redactQueryAsWritten
			v.WriteString(value)
			for i+1 < len(pieces) && !strings.Contains(pieces[i+1], "=") {
				i++
				v.WriteString(seps[i] + pieces[i])
			}
			value = v.String()
		}
		if r, ok := redactPathValue(name, value, depth, oauth); ok {
			// The value is read again at the next Redact: it must not
			// split where it did not.
			value, changed = strings.NewReplacer("&", "%26", ",", "%2C").Replace(r), true
		}
		b.WriteString(name + "=" + value)
	}
	return b.String(), changed
}

// splitKeep splits s at each of the bytes in cuts; seps[i] is the byte
// written before pieces[i] ("" before the first).
func splitKeep(s, cuts string) (pieces, seps []string) {
	n := 1
	for i := range len(cuts) {
		n += strings.Count(s, cuts[i:i+1])
	}
	pieces, seps = make([]string, 0, n), make([]string, 0, n)
	sep := ""
	for {
		i := strings.IndexAny(s, cuts)
		if i < 0 {
			return append(pieces, s), append(seps, sep)
		}
		pieces, seps = append(pieces, s[:i]), append(seps, sep)
		sep, s = s[i:i+1], s[i+1:]
	}
}

// redactPathValue is what an escaped value of a path's name=value piece
// becomes, and whether it changed.
func redactPathValue(name, value string, depth int, oauth bool) (string, bool) {
	plain := pathUnescape(value)
	r := value
	if kind := queryKind(pathUnescape(name), oauth); kind != notCredential {
		r = redactedValue(plain, kind == credential)
	} else if v, nested := redactNested(plain, depth); nested {
		r = url.PathEscape(v)
	}
	return r, r != value
}

// pathUnescape decodes a piece of an escaped path (valid: url.Parse
// checked it).
func pathUnescape(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// redactNested redacts a link in the (decoded) value of a parameter that
// is no credential: ?next=https://h/y?token=..., ?next=/dl?token=...,
// ?next=x.csv?sig=..., ?filter=token=... (read as a relative link whose
// path holds name=value), or the first escaped once more
// (https%3A%2F%2F...). It says whether the value changed. Past maxNested
// links in links, such a value becomes REDACTED.
func redactNested(v string, depth int) (string, bool) {
	l := strings.ToLower(v)
	// A link redacted keeps what made it one here (an http: link with no
	// "//" keeps its scheme, a relative one its '?', '#', ';' or '=', and
	// RedactLoose leaves "?REDACTED"), so that redacted again it is read
	// at the same depth.
	link := strings.Contains(v, "://") || strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:") ||
		strings.HasPrefix(v, "//") || strings.ContainsAny(v, "?#;=")
	escaped := !link && (strings.Contains(l, "%3a%2f%2f") || strings.Contains(l, ":%2f%2f"))
	if !link && !escaped {
		return v, false
	}
	if depth >= maxNested {
		return "REDACTED", true
	}
	if escaped {
		d := lenientUnescape(v)
		r, ok := redactNested(d, depth+1)
		if !ok {
			return v, false
		}
		return url.QueryEscape(r), true
	}
	r := redactURL(v, depth+1, true)
	return r, r != v
}

// lenientUnescape decodes a query component as url.QueryUnescape does, but
// keeps a broken escape as written instead of failing.
func lenientUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s):
			var d [1]byte
			if _, err := hex.Decode(d[:], []byte(s[i+1:i+3])); err != nil {
				b.WriteByte(c) // a broken escape, kept as written
				continue
			}
			b.WriteByte(d[0])
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// A parameter's name marks a credential in three ways, read in the
// name as it is and decoded up to maxNested times more (?%2574oken= is
// token= escaped twice). credentialMarkers are found anywhere in it, once
// folded to lower-case ASCII letters and digits (transforms.Key): servers
// glue words (accesstoken, clientsecret, JSESSIONID, PHPSESSID,
// userpassword, wstoken, client_assertion, SAMLResponse) and Vietnamese
// ones write "mật khẩu" as matkhau or mat_khau, "mã xác thực" as
// maxacthuc, "mã xác nhận" as maxacnhan, "bí mật" as bimat; they are long
// enough that few words hold them (a CAS ticket is one).
// credentialWords are short: they count only as a whole word of the
// name (split at anything but letters and digits, and where a lower-case
// letter meets an upper-case one: X-Amz-Signature, apiKey), so that
// author, design, bypass, spinner or monkey are not taken for auth, sig,
// pass, pin or key; edgeWords also at either end of a word (maotp,
// otpcode, userpwd), not inside one (hotpot, footprint); pass also at a
// word's end (userpass, dbpass), except in English words that end so
// (bypass, compass), or followed by digits (pass1). keyOwners are the
// words before "key" that make it a credential (an API or access key,
// not a file's key).
//
// What is no credential although it holds a marker's letters: an
// innocentWords word (possession holds session, secretary secret,
// tokenizer token), taken out of the folded name before markers are
// looked for (possessiontoken still holds token); and a describingNames
// name, which names what kind of credential is used, not the credential
// (token_type=Bearer, ticket_type, SignatureVersion,
// oauth_signature_method). Only those exact names: any other that holds
// a marker is a credential (password_alg, apiKeyType), though it may name
// something else (ticket_id): a value hidden that was no secret costs a
// readable name, one shown that was costs the secret. A code is a unit's
// code (?code=H56) unless state comes with it: see oauthResponse.
var (
	credentialMarkers = []string{"token", "secret", "passw", "passphrase", "passkey", "passcode", "session", "sessid", "signature",
		"credential", "authorization", "authkey", "authcode", "accesscode", "apikey", "accesskey", "privatekey", "subscriptionkey",
		"sharedkey", "clientkey", "accountkey", "signingkey", "matkhau", "ticket", "nonce", "xacthuc", "xacnhan", "bimat",
		"verifier", "verificationcode", "verifycode", "assertion", "samlresponse"}
	credentialWords = []string{"pass", "pwd", "pw", "mk", "pin", "sig", "auth", "sid", "jwt", "key", "sas", "otp", "pgt", "creds", "cookie"}
	edgeWords       = []string{"otp", "pwd", "jwt"}
	notPassWords    = []string{"bypass", "compass", "encompass", "surpass", "overpass", "underpass", "trespass"}
	keyOwners       = map[string]bool{"api": true, "access": true, "private": true, "secret": true, "subscription": true, "shared": true,
		"client": true, "account": true, "signing": true, "auth": true, "master": true}
	innocentWords   = []string{"possession", "obsession", "secretar", "tokeniz"}
	describingNames = []string{"tokentype", "tickettype", "keytype", "signatureversion", "signaturemethod", "oauthsignaturemethod",
		"sessiontimeout", "tokenexpiry", "tokenexpires", "sessionexpiry", "sessionexpires"}
)

// Kinds of query parameter for Redact.
const (
	notCredential = iota
	credential    // plain REDACTED
	keyLike       // REDACTED-<digest>
)

// nameWords splits a parameter's name into lower-case words.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	var prev rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return words
}

// credentialKind says what Redact does with the value of a parameter (or
// a fragment) of this name: the most it does with any of the name's
// decoded forms.
func credentialKind(name string) int {
	kind := notCredential
	for range maxNested + 2 {
		switch nameKind(name) {
		case credential:
			return credential
		case keyLike:
			kind = keyLike
		}
		d := lenientUnescape(name)
		if d == name {
			break
		}
		name = d
	}
	return kind
}

// nameKind is credentialKind for the name as it is.
func nameKind(name string) int {
	folded := transforms.Key(name)
	if slices.Contains(describingNames, folded) {
		return notCredential
	}
	for _, w := range innocentWords {
		folded = strings.ReplaceAll(folded, w, "|")
	}
	for _, m := range credentialMarkers {
		if strings.Contains(folded, m) {
			return credential
		}
	}
	words := nameWords(name)
	kind := notCredential
	for i, w := range words {
		if w == "key" && i > 0 && !keyOwners[words[i-1]] {
			kind = keyLike // fileKey, reportKey: names a file
			continue
		}
		if slices.Contains(credentialWords, w) {
			return credential
		}
		f := transforms.Key(w)
		for _, e := range edgeWords {
			if strings.HasPrefix(f, e) || strings.HasSuffix(f, e) {
				return credential
			}
		}
		if strings.HasSuffix(f, "pass") && !slices.Contains(notPassWords, f) {
			return credential // userpass, dbpass
		}
		if d, ok := strings.CutPrefix(f, "pass"); ok && d != "" && strings.Trim(d, "0123456789") == "" {
			return credential // pass1
		}
		if strings.HasSuffix(w, "key") && kind == notCredential {
			kind = keyLike // filekey
		}
	}
	return kind
}

// oauthResponse says whether parameters of these (decoded) names, one
// link's (path, query and fragment), are an OAuth authorization response: code
// and state together. Its code is a credential (a client turns it into a
// token) and its state may be one too; code alone is a unit's or a
// report's code (?code=H56) and stays.
func oauthResponse(names []string) bool {
	var code, state bool
	for _, n := range names {
		switch plainName(n) {
		case "code":
			code = true
		case "state":
			state = true
		}
	}
	return code && state
}

// plainName is a parameter's name folded (transforms.Key), decoded until
// it no longer changes (bounded).
func plainName(n string) string {
	for range maxNested + 1 {
		d := lenientUnescape(n)
		if d == n {
			break
		}
		n = d
	}
	return transforms.Key(n)
}

// queryKind is credentialKind for a parameter of a link that oauth says
// is an authorization response or not.
func queryKind(name string, oauth bool) int {
	if p := plainName(name); oauth && (p == "code" || p == "state") {
		return credential
	}
	return credentialKind(name)
}

// namesCredential says whether s, a link that does not parse or a word
// of a message, has a name=value piece whose name Redact reads as a
// credential's or a key's (the name runs back to the last of "/?&;#:,"
// before its '='), or is an OAuth authorization response.
func namesCredential(s string) bool {
	names := paramNames(s)
	for _, n := range names {
		if credentialKind(n) != notCredential {
			return true
		}
	}
	return oauthResponse(names)
}

// paramNames are the names before each '=' in s, each running back to
// the last of "/?&;#:,".
func paramNames(s string) []string {
	var names []string
	for rest := s; ; {
		i := strings.IndexByte(rest, '=')
		if i < 0 {
			return names
		}
		name := rest[:i]
		if j := strings.LastIndexAny(name, "/?&;#:,"); j >= 0 {
			name = name[j+1:]
		}
		names = append(names, name)
		rest = rest[i+1:]
	}
}

// fragmentKind is credentialKind for a fragment, read by the names of
// its name=value pieces (paramNames), as it is and decoded: it may be a
// route with its own query, or a link, escaped once more
// (#/cb%3Fmatkhau%3D...), or an authorization response (#code=&state=,
// or code or state when oauth says the link is one).
// The fragment is not read whole as a name: its value would count
// (#access_token=...ttl was read as a name ending in ttl, review).
func fragmentKind(f string, oauth bool) int {
	kind := notCredential
	for range maxNested + 1 {
		names := paramNames(f)
		for _, n := range names {
			switch credentialKind(n) {
			case credential:
				return credential
			case keyLike:
				kind = keyLike
			}
		}
		if oauthResponse(names) || (oauth && slices.ContainsFunc(names, func(n string) bool { return queryKind(n, true) == credential })) {
			return credential
		}
		d := lenientUnescape(f)
		if d == f {
			break
		}
		f = d
	}
	return kind
}

// redactedValue is what Redact puts in place of a credential-like query
// value (see Redact for why a digest for some, plain REDACTED for others).
func redactedValue(v string, plain bool) string {
	if plain || v == "" {
		// Also in place of a digest: older versions digested some
		// credentials (a session token, AWSAccessKeyId, whose name now
		// reads as an access key), so that links they stored are named
		// again as links are now.
		return "REDACTED"
	}
	if v == "REDACTED" || redactedForm.MatchString(v) {
		return v // redacted already: Redact is idempotent, so a stored path shown again keeps its name
	}
	sum := sha256.Sum256([]byte("cchc redacted url value\x00" + v))
	return "REDACTED-" + hex.EncodeToString(sum[:6])
}

// RedactLoose cuts from a string that may be a URL, but one url.Parse
// rejects or one with a mistyped scheme (htps://, https//), everything that
// could be a credential: what follows the first '?', '#', ';', '&' or '='
// (a parameter), and the user information, up to the last '@' between
// the "//" and the next '?' or '#' (a password may hold a '/':
// https://u:p/ss@h/x; a path's '@' goes with it, which is more than
// needed), or the whole host part, when a '?' or '#' in a password cut
// it. It is for showing such a value in an error; it removes more than
// needed rather than too little, and what it returns it returns
// unchanged.
func RedactLoose(raw string) string {
	start, auth := 0, raw
	if i := strings.Index(raw, "//"); i >= 0 && (strings.IndexAny(raw[:i], "?#;&=") < 0) {
		start, auth = i+2, raw[i+2:]
		if i := strings.IndexAny(auth, "?#"); i >= 0 {
			auth = auth[:i]
		}
	} else {
		// No "//": user information only before the first '/'
		// (user:pw@h/x) and the first parameter.
		if i := strings.IndexAny(auth, "/?#;&="); i >= 0 {
			auth = auth[:i]
		}
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		raw = raw[:start] + raw[start+at+1:]
	}
	s, rest := raw, ""
	if i := strings.IndexAny(s, "?#;&="); i >= 0 {
		s, rest = s[:i], s[i:]
	}
	if at := strings.IndexByte(rest, '@'); at >= 0 && !strings.Contains(s[start:], "/") && !strings.Contains(rest[:at], "/") {
		s = s[:start] // user information with one of "?#;&=" in it
	}
	if rest != "" {
		s += "?REDACTED"
	}
	return s
}

func redact(raw string) string { return Redact(raw) }

func redactErr(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Sprintf("%s %s: %v", uerr.Op, redact(uerr.URL), uerr.Err)
	}
	return err.Error()
}

// safeExt keeps a recognisable extension on the temporary file so format
// auto-detection by extension still works.
func safeExt(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	ext := strings.ToLower(path.Ext(u.Path))
	if exportExts[ext] {
		return ext
	}
	return ""
}

// originOf returns "scheme://host:port" of an http(s) URL, with the host in
// lower case and the default port made explicit, or "" for anything else.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return originURL(u)
}

func originURL(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch {
	case scheme != "http" && scheme != "https", u.Hostname() == "":
		return ""
	case port == "" && scheme == "http":
		port = "80"
	case port == "":
		port = "443"
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// credTransport adds the source's credentials to a request for the
// configured origin and removes any Authorization from a request for
// another one. It sits below http.Client so that it sees every request of
// a redirect chain: net/http itself keeps headers on a redirect to another
// port or scheme of the same host.
type credTransport struct {
	base http.RoundTripper
	s    *httpSource
}

func (t *credTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := t.s.o
	own := t.s.origin != "" && originURL(req.URL) == t.s.origin
	hasCreds := o.Bearer != "" || o.Username != "" || o.Password != ""
	if (own && hasCreds) || req.Header.Get("Authorization") != "" {
		req = req.Clone(req.Context()) // a RoundTripper must not change its argument
		req.Header.Del("Authorization")
		switch {
		case !own:
		case o.Bearer != "":
			req.Header.Set("Authorization", "Bearer "+o.Bearer)
		case o.Username != "" || o.Password != "":
			req.SetBasicAuth(o.Username, o.Password)
		}
	}
	return t.base.RoundTrip(req)
}

const maxRedirects = 10

// checkRedirect refuses a downgrade from https to http anywhere in the
// chain, and, with redirects: refuse, a redirect to another origin than
// the chain started at.
func (s *httpSource) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errPermanent{fmt.Errorf("máy chủ chuyển hướng quá %d lần", maxRedirects)}
	}
	for _, v := range via {
		if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return errPermanent{fmt.Errorf("máy chủ chuyển hướng từ https sang http (%s): bị từ chối vì dữ liệu và "+
				"thông tin xác thực sẽ đi qua mạng không mã hoá; báo quản trị máy chủ sửa chuyển hướng", redact(req.URL.String()))}
		}
	}
	if s.o.Redirects == "refuse" && originURL(req.URL) != originURL(via[0].URL) {
		return errPermanent{fmt.Errorf("máy chủ chuyển hướng sang địa chỉ khác (%s): bị từ chối theo cấu hình redirects: refuse; "+
			"sửa url của nguồn thành địa chỉ mới nếu tin cậy nó", redact(req.URL.String()))}
	}
	return nil
}

// secretForms returns the credentials of o as a body or a message may carry
// them: as sent, base64 for basic auth, escaped as JSON, HTML/XML or a URL
// would escape them, and in UTF-16. Longest first, so redaction replaces whole forms.
func secretForms(o HTTPOptions) []string {
	var raw []string
	if o.Bearer != "" {
		raw = append(raw, o.Bearer)
	}
	if o.Password != "" {
		raw = append(raw, o.Password, base64.StdEncoding.EncodeToString([]byte(o.Username+":"+o.Password)))
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range raw {
		j, _ := json.Marshal(r)
		js := strings.Trim(string(j), `"`)
		// UTF-16 too: Excel's "Unicode text" export is a CSV in UTF-16.
		var le, be []byte
		for _, u := range utf16.Encode([]rune(r)) {
			le = append(le, byte(u), byte(u>>8))
			be = append(be, byte(u>>8), byte(u))
		}
		for _, f := range []string{r, js, strings.ReplaceAll(js, "/", `\/`), html.EscapeString(r), url.QueryEscape(r), url.PathEscape(r), string(le), string(be)} {
			if f != "" && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

const redacted = "[redacted]"

func (s *httpSource) redactSecrets(t string) string {
	for _, f := range s.secrets {
		t = strings.ReplaceAll(t, f, redacted)
	}
	return t
}

// scrub returns err with any credential in its message redacted; errors.Is
// and errors.As still see err.
func (s *httpSource) scrub(err error) error {
	if err == nil {
		return nil
	}
	// Any URL in the message is redacted too: a URL reaches an error
	// through many layers (net/http, a redirect), and one missed there
	// would be stored in the ledger and runs.
	if msg := RedactText(s.redactSecrets(err.Error())); msg != err.Error() {
		return scrubbed{msg: msg, err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e scrubbed) Error() string { return e.msg }
func (e scrubbed) Unwrap() error { return e.err }

// secretScanner is a writer that records whether any of forms went through
// it, also across writes; it keeps only the last bytes a form could start in.
type secretScanner struct {
	forms     [][]byte
	keep      int
	tail, buf []byte
	found     bool
}

func newSecretScanner(forms []string) *secretScanner {
	w := &secretScanner{}
	for _, f := range forms {
		w.forms = append(w.forms, []byte(f))
		w.keep = max(w.keep, len(f)-1)
	}
	return w
}

func (w *secretScanner) Write(p []byte) (int, error) {
	if w.found || len(w.forms) == 0 {
		return len(p), nil
	}
	w.buf = append(append(w.buf[:0], w.tail...), p...)
	for _, f := range w.forms {
		if bytes.Contains(w.buf, f) {
			w.found = true
			return len(p), nil
		}
	}
	w.tail = append(w.tail[:0], w.buf[max(0, len(w.buf)-w.keep):]...)
	return len(p), nil
}

// checkBody refuses a downloaded body that is not an export or that holds
// a credential. echoed says whether the raw bytes held one.
func (s *httpSource) checkBody(path, contentType string, echoed bool) error {
	longest := 0
	for _, f := range s.secrets {
		longest = max(longest, len(f))
	}
	// Enough for 200 characters of up to 4 bytes, and a credential that
	// starts among them, so that redaction sees it whole.
	head, err := readHead(path, 1024+longest)
	if err != nil {
		return err
	}
	sample := head
	if isMarkup("", head) {
		// A page's table may come after kilobytes of mso styles and
		// <xml> workbook properties in its <head>: it is judged on as
		// much as Open looks at (newMarkupText's sample), not on the
		// first kilobyte.
		if sample, err = readHead(path, vnenc.SampleSize); err != nil {
			return err
		}
	}
	if what := notExport(contentType, sample); what != "" {
		return fmt.Errorf("máy chủ trả về %s thay vì tệp xuất dữ liệu (Content-Type %q), thường là trang lỗi hoặc trang đăng nhập; "+
			"kiểm tra url và thông tin xác thực của nguồn. Đầu phản hồi: %s", what, contentType, s.snippet(head))
	}
	if !echoed && len(s.secrets) > 0 && bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		budget := s.o.MaxUnzipBytes
		if budget <= 0 {
			budget = DefaultLimits.MaxWorkbookBytes
		}
		if echoed, err = zipHolds(path, s.secrets, budget); err != nil {
			return err
		}
	}
	if echoed {
		return errors.New("phản hồi chứa thông tin xác thực của nguồn (token hoặc mật khẩu); tệp bị từ chối để thông tin này " +
			"không vào kho. Báo quản trị máy chủ xuất dữ liệu, và đổi token hoặc mật khẩu")
	}
	return nil
}

// notExport says what a body is when it is not an export ("" when it may
// be one), from its first bytes as Open would sniff them and its
// Content-Type. An old .xls is left to Open, which explains it.
func notExport(contentType string, head []byte) string {
	if len(head) == 0 {
		return "" // Open says the file is empty
	}
	format, err := sniffFormat("", head)
	if err != nil {
		if bytes.HasPrefix(head, oleMagic) {
			return ""
		}
		return "một trang HTML hoặc XML"
	}
	if format != "csv" {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if (strings.Contains(mt, "html") || strings.HasSuffix(mt, "xml")) && bytes.Contains(head, []byte("<")) {
		return "một trang HTML"
	}
	// A table has a delimiter in its first kilobyte; "Unauthorized" or
	// "Phiên đăng nhập đã hết hạn" has none. Any of the delimiters the
	// CSV decoder sniffs, in UTF-8, a legacy 8-bit code or UTF-16.
	if !bytes.ContainsAny(head, ",;\t|") {
		return "một đoạn văn bản không có dạng bảng"
	}
	return ""
}

// snippet shows the first 200 characters of head, credentials redacted,
// quoted with Go escapes so that control bytes and broken text stay inert.
func (s *httpSource) snippet(head []byte) string {
	t := s.redactSecrets(string(head))
	n := 0
	for i := range t {
		if n == 200 {
			return strconv.Quote(t[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(t)
}

// zipHolds reports whether any entry of the zip archive at path holds one
// of forms once decompressed, decompressing at most limit bytes in all
// (an error beyond). An archive that cannot be read is left to the
// decoder to report.
func zipHolds(path string, forms []string, limit int64) (bool, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false, nil
	}
	defer zr.Close()
	w := newSecretScanner(forms)
	budget := limit
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			continue
		}
		w.tail = w.tail[:0] // a form does not span entries
		// A corrupt entry is the decoder's to report; what was read of it
		// is scanned all the same.
		n, _ := io.Copy(w, io.LimitReader(rc, budget+1))
		rc.Close()
		budget -= n
		if w.found {
			return true, nil
		}
		if budget < 0 {
			return false, fmt.Errorf("tệp nén (Excel) giải ra quá %s, không kiểm tra được; nếu đúng là tệp xuất dữ liệu, tăng limits.max_workbook_bytes",
				humanBytes(limit, "limits.max_workbook_bytes"))
		}
	}
	return false, nil
}

// urlInText is what starts a URL in free text: a scheme (maybe
// mistyped) followed by //, at the start of a word. Inside a word it may
// be part of a value (token=ab//cd, a password with "//" in it), which
// the word's name=value reading redacts whole.
var urlInText = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:?//`)

// nextURLInText is where a URL joined to the one before by a comma starts
// (a list of links: https://h/x?a=1,https://h/y?token=...); its scheme
// has its ':', so that a value with ",ab//" in it is not cut there.
var nextURLInText = regexp.MustCompile(`,[A-Za-z][A-Za-z0-9+.-]*://`)

// wordInText is a word of a message: up to a space or a quote.
var wordInText = regexp.MustCompile(`[^\s"'<>]+`)

// RedactText redacts every URL in a message (an error, a skipped run's
// reason) as Redact does, and cuts one that does not parse as an http(s)
// URL by RedactLoose, for text that is stored or shown whole. A URL
// starts a word (after a space, a quote or an opening bracket): "//"
// inside a word is read with the word. URLs joined by commas are
// redacted one by one: the second is no part of the first one's last
// value. Punctuation that ends the URL is read as the sentence's ("…
// ?token=abc." keeps its '.' after REDACTED): it stays in the text, and a
// message redacted again reads the same. Any other word with '=' or "//"
// in it may be a relative link (exports/x.csv?token=...,
// dl/token=.../x.csv) or a parameter quoted alone (matkhau=...): each of
// its parts between commas is redacted as Redact redacts a relative
// link, and cut by RedactLoose when it does not parse and names a
// credential or holds "://"; one that names none is kept as written
// (năm=2024, code=H56). A name may have spaces (mật khẩu=..., see
// redactSpacedName), and a value written after spaces, quotes or ':'
// (token = ..., JSON, a header) goes too (see redactNamedValues).
func RedactText(s string) string {
	return untilSame(s, redactTextOnce)
}

func redactTextOnce(s string) string {
	if !strings.Contains(s, "=") && !strings.Contains(s, "//") {
		return redactNamedValues(s)
	}
	var b strings.Builder
	last := 0
	var prev [2]string // the two words before, when only letters and digits
	valueNext := false // the word before ended in a credential's name and '='
	for _, m := range wordInText.FindAllStringIndex(s, -1) {
		w := s[m[0]:m[1]]
		gap := s[last:m[0]]
		b.WriteString(gap)
		if valueNext && strings.Trim(gap, " \t\"'") == "" && w != "REDACTED" {
			// x.csv?token= SECRET, dl/token='SECRET': the value written
			// apart from its name.
			b.WriteString("REDACTED")
			last, valueNext, prev = m[1], false, [2]string{}
			continue
		}
		valueNext = false
		if body, ok := strings.CutSuffix(w, "="); ok {
			name := strings.TrimLeft(body[strings.LastIndexAny(body, "?&;#/,")+1:], "([{")
			valueNext = name != "" && credentialNamed(strings.TrimSpace(prev[0]+" "+prev[1]+" "+lenientUnescape(name)))
		}
		if body, ok := strings.CutSuffix(w, "="); ok && !strings.ContainsAny(body, "=/?&;#") {
			// A value after a space or a quote (token= …, token='…') is
			// redactNamedValues': this word holds none. A link ending in
			// an empty parameter (x?otp=) is a link, read whole: its
			// '=' kept apart would be read as the value's once redacted
			// (otp=REDACTED=).
			b.WriteString(redactSpacedName(body, prev) + "=")
		} else {
			b.WriteString(redactSpacedName(w, prev))
		}
		last = m[1]
		if strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			prev = [2]string{}
		} else {
			prev = [2]string{prev[1], w}
		}
	}
	b.WriteString(s[last:])
	return redactNamedValues(b.String())
}

// nameInText is a name in a message, with the one or two words before
// it (a Vietnamese name has spaces: mật khẩu), and what separates it
// from a value the words of RedactText do not read: spaces or quotes
// around '=' or ':' (token = …, token='…', JSON "access_token":"…",
// matkhau:…, Authorization: Bearer …).
var nameInText = regexp.MustCompile(`((?:[\p{L}\p{N}_.-]+[ \t]){0,2}[\p{L}\p{N}_.-]+)(["']?[ \t]*[:=][ \t]*["']?)`)

// schemeInText is an HTTP authorization scheme, alone or before its
// credential.
var schemeInText = regexp.MustCompile(`(?i)^(?:bearer|basic|digest|negotiate)\b[ \t]*`)

// bearerInText is a bearer token in a message, with no name before it:
// one that looks like a token (a word such as "và" after "bearer", as in
// a config hint "auth: bearer và token_env: …", is none).
var bearerInText = regexp.MustCompile(`(?i)\bbearer[ \t]+[A-Za-z0-9._~+/=-]{8,}`)

// valueEndsInText are what ends a value redactNamedValues reads.
const valueEndsInText = " \t\r\n\"'<>,;&)}]"

// redactNamedValues redacts, in a message RedactText's words have been
// redacted in, a credential's value written after a name as in code or
// a header (see nameInText; the name read as credentialKind reads it,
// also by its last one or two words), and a bearer token.
func redactNamedValues(s string) string {
	if !strings.ContainsAny(s, ":=") && !strings.Contains(strings.ToLower(s), "bearer") {
		return s
	}
	var b strings.Builder
	last := 0
	value := func(start int) {
		end := len(s)
		if i := strings.IndexAny(s[start:], valueEndsInText); i >= 0 {
			end = start + i
		}
		if v := s[start:end]; v != "" && v != "REDACTED" && !redactedForm.MatchString(v) {
			b.WriteString(s[last:start] + "REDACTED")
			last = end
		}
	}
	for _, m := range nameInText.FindAllStringSubmatchIndex(s, -1) {
		if m[0] < last || s[m[4]:m[5]] == "=" || !credentialNamed(s[m[2]:m[3]]) {
			continue // a word's name=value: RedactText's words read it
		}
		start := m[1]
		if s[m[4]:m[5]] == ":" && strings.HasPrefix(s[start:], "//") {
			// A credential's name as a URL's scheme (otp://…,
			// api_key://…): what follows the "//" is the value, and
			// otp://REDACTED reads the same when redacted again.
			start += 2
		}
		if sm := schemeInText.FindStringIndex(s[start:min(len(s), start+64)]); sm != nil {
			// auth: basic names a scheme; Authorization: Basic … is
			// followed by the credential.
			if !strings.Contains(transforms.Key(s[m[2]:m[3]]), "authorization") {
				continue
			}
			start += sm[1]
		}
		value(start)
	}
	b.WriteString(s[last:])
	s, b, last = b.String(), strings.Builder{}, 0
	for _, m := range bearerInText.FindAllStringIndex(s, -1) {
		if start := strings.LastIndexAny(s[:m[1]], " \t") + 1; m[0] >= last {
			value(start)
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// credentialNamed says whether a name found in a message, which may hold
// words before it, is a credential's: whole, or by its last one or two
// words.
func credentialNamed(name string) bool {
	if words := nameWords(name); len(words) > 0 && words[len(words)-1] == "env" {
		return false // token_env: names the variable that holds it
	}
	if credentialKind(name) == credential {
		return true
	}
	words := strings.Fields(name)
	for i := max(0, len(words)-2); i < len(words); i++ {
		if credentialKind(strings.Join(words[i:], " ")) == credential {
			return true
		}
	}
	return false
}

// redactSpacedName redacts a word of a message that may end a
// credential's name written with spaces, as Vietnamese ones are (mã xác
// thực=..., mật khẩu=...): when its name, the letters before its first
// '=', is none alone but is one with the one or two words before
// (prev), its value is redacted as a credential's.
func redactSpacedName(w string, prev [2]string) string {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" || prev[1] == "" || strings.ContainsAny(name, "/?&;#:,%") || credentialKind(name) != notCredential {
		return redactWordInText(w)
	}
	for _, n := range []string{prev[1] + " " + name, prev[0] + " " + prev[1] + " " + name} {
		if prev[0] == "" && strings.Count(n, " ") == 2 {
			break
		}
		if credentialKind(n) == credential {
			// Read as a name Redact knows, then written back.
			const stand = "token"
			return name + strings.TrimPrefix(redactWordInText(stand+w[len(name):]), stand)
		}
	}
	return redactWordInText(w)
}

// redactURLsInText redacts what urlInText found: one URL, or several
// joined by commas.
func redactURLsInText(m string) string {
	var b strings.Builder
	for {
		next := nextURLInText.FindStringIndex(m)
		if next == nil {
			break
		}
		b.WriteString(redactInText(m[:next[0]]) + ",")
		m = m[next[0]+1:]
	}
	b.WriteString(redactInText(m))
	return b.String()
}

// redactWordInText redacts one word of a message (see RedactText).
func redactWordInText(w string) string {
	if !strings.Contains(w, "=") && !strings.Contains(w, "//") {
		return w
	}
	// A bracket before the word is the sentence's: (x.csv?token=...)
	// ends with its pair, no part of the value.
	body := strings.TrimLeft(w, "([{")
	lead := w[:len(w)-len(body)]
	if urlInText.MatchString(body) {
		return lead + redactURLsInText(body)
	}
	body, tail := trailingPunct(body)
	// A part with none of "=?#;&" or "//" is read with the one before:
	// it may be more of a value (matkhau=ab,cd), which Redact reads
	// whole. A part with one of them keeps one once redacted (?REDACTED,
	// #REDACTED), so that a message redacted again splits the same.
	var parts []string
	start, at := 0, 0
	for i, p := range strings.Split(body, ",") {
		if i > 0 && (strings.ContainsAny(p, "=?#;&") || strings.Contains(p, "//")) {
			parts = append(parts, body[start:at-1])
			start = at
		}
		at += len(p) + 1
	}
	// The punctuation after the word goes back with its last part:
	// redactRefInText takes it off again at each pass, as a closing
	// bracket the part's value held may have balanced one before
	// ("./(x.csv?t=S)):" is redacted to "./(x.csv?t=REDACTED" and ")";
	// read again, that ')' is the value's). Split off for good here, it
	// would be lost only at the next redaction, which would then change
	// the message.
	parts = append(parts, body[start:]+tail)
	for i, p := range parts {
		parts[i] = redactRefInText(p)
	}
	return lead + strings.Join(parts, ",")
}

// redactRefInText redacts a relative link found in text until it reads
// the same, as redactInText does a URL.
func redactRefInText(m string) string {
	for range maxTextPasses {
		r, tail := trailingPunct(m)
		r = settled(redactURL(r, 0, true), tail)
		if r == m {
			break
		}
		m = r
	}
	return m
}

// redactInText redacts one URL found in text, with the punctuation after
// it. A credential's value may hold the bracket that kept the one after
// it in the URL (https://h/(a?token=b)): the first ')' closes the '(' of
// the path). Once the value is redacted, the brackets after it are the
// sentence's (see trailingPunct), and a second pass finds nothing more to
// do; it is redacted until it reads the same all the same, up to
// maxTextPasses (a crafted message costs a bounded effort).
func redactInText(m string) string {
	for range maxTextPasses {
		r := redactInTextOnce(m)
		if r == m {
			break
		}
		m = r
	}
	return m
}

const maxTextPasses = 16

func redactInTextOnce(m string) string {
	m, tail := trailingPunct(m)
	if u, err := url.Parse(m); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return settled(Redact(m), tail)
	}
	return settled(RedactLoose(m), tail)
}

// settled joins a redacted link and the punctuation found after it so
// that, read again, that punctuation is still after the link. An opening
// bracket left without its pair in the link (the value that held the ')'
// is redacted, or Redact moved a parameter to the end) would otherwise
// take the closing brackets after it into the link, one more at each
// redaction: such brackets are escaped (%28, %5B, %7B), as a link may
// write them.
func settled(link, tail string) string {
	if tail == "" {
		return link
	}
	if l, _ := trailingPunct(link + tail); len(l) <= len(link) {
		return link + tail
	}
	var open [3][]int // positions of the opening brackets without a pair, by kind
	for i := 0; i < len(link); i++ {
		if k := strings.IndexByte("([{", link[i]); k >= 0 {
			open[k] = append(open[k], i)
		} else if k := strings.IndexByte(")]}", link[i]); k >= 0 && len(open[k]) > 0 {
			open[k] = open[k][:len(open[k])-1]
		}
	}
	esc := map[int]string{}
	for k, at := range open {
		for _, i := range at {
			esc[i] = [3]string{"%28", "%5B", "%7B"}[k]
		}
	}
	var b strings.Builder
	for i := 0; i < len(link); i++ {
		if e, ok := esc[i]; ok {
			b.WriteString(e)
		} else {
			b.WriteByte(link[i])
		}
	}
	return b.String() + tail
}

// trailingPunct splits from a URL found in text the punctuation after it:
// . , ; : ! ? … and a closing bracket that has no opening one in the URL
// (a URL in parentheses; Wikipedia-style links keep theirs).
func trailingPunct(m string) (string, string) {
	// Brackets are counted once: taking closing ones off leaves the
	// opening ones as they were (counting again at each would cost time
	// quadratic in their number).
	var opens, closes [3]int
	for i, c := range [3]string{")", "]", "}"} {
		if strings.Contains(m, c) {
			opens[i], closes[i] = strings.Count(m, "([{"[i:i+1]), strings.Count(m, c)
		}
	}
	end := len(m)
	for end > 0 {
		r, n := utf8.DecodeLastRuneInString(m[:end])
		if i := strings.IndexRune(")]}", r); i >= 0 {
			if opens[i] >= closes[i] {
				break
			}
			closes[i]--
		} else if !strings.ContainsRune(".,;:!?…", r) {
			break
		}
		end -= n
	}
	// Closing brackets right after a redacted value are the sentence's:
	// the value they might have ended is gone, and the '(' before it
	// would take them into the link one at each redaction, changing the
	// message every time ("https://h/(a?token=REDACTED)." stays so).
	k := end
	for k > 0 && strings.IndexByte(")]}", m[k-1]) >= 0 {
		k--
	}
	if k < end && endsRedacted(m[:k]) {
		end = k
	}
	return m[:end], m[end:]
}

// endsRedacted says whether s ends with what redactedValue writes.
func endsRedacted(s string) bool {
	if strings.HasSuffix(s, "REDACTED") {
		return true
	}
	const digest = len("REDACTED-") + 12
	return len(s) >= digest && redactedForm.MatchString(s[len(s)-digest:])
}

// holdDownload opens the file name and takes a shared flock on it, held
// until the returned file is closed.
func holdDownload(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EINVAL) {
			// A file system without flock (some network mounts): the
			// download goes on unheld, as before the lock.
			return f, nil
		}
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path.Base(name), err)
	}
	return f, nil
}
