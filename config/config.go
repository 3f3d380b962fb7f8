// Package config reads the cchc YAML configuration with viper, applies
// CCHC_* environment overrides, resolves relative paths against the config
// file's folder and validates everything before any other package runs.
//
// Config flows one way: Load returns one typed Config that the CLI passes
// down explicitly; no other package reads viper or the environment.
package config

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/periods"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/vnenc"
	"github.com/robfig/cron/v3"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/cchc/cchc/transforms"
)

// Config is the validated configuration of one cchc installation.
type Config struct {
	File        string         // absolute path of the config file
	Warehouse   string         // absolute path of the DuckDB file
	Timezone    string         // IANA name, e.g. Asia/Ho_Chi_Minh
	Location    *time.Location // loaded Timezone
	Periods     string         // calendar | decree09
	Units       string         // absolute path of the unit registry CSV
	Methodology string         // "default" or an absolute path to a methodology YAML
	Sources     []Source
	Publish     Publish
	Schedule    string        // cron spec (robfig/cron/v3 syntax), may be empty
	LockTimeout time.Duration // how long a second writer waits for the lock
	Freshness   time.Duration // data older than this is marked stale in publications
	MemoryLimit string        // DuckDB memory_limit (default 512MB): it spills to <warehouse>.tmp beyond
	Limits      Limits        // what one export file may cost to decode
	// FutureTolerance is how far after the run's start a date of receipt,
	// finish or return may lie before its row is quarantined (clocks of
	// exporting systems run ahead; due dates are not checked).
	FutureTolerance time.Duration
	PAR             PAR // the provincial CCHC index (par: block)
}

// PAR configures the provincial CCHC index (PAR index).
type PAR struct {
	// Methodology is "default" (built in) or an absolute path to a PAR
	// methodology YAML (see model/par_default.yaml).
	Methodology string
	// Decimals are the published decimals of PAR scores (0–6); -1 when
	// unset: the methodology's, else 2. Ranks use full precision.
	Decimals int
}

// Limits bound the cost of decoding one export file (limits: block). A
// file beyond a limit fails alone with a message naming the key. Zero
// means the decoder's default (see README).
type Limits struct {
	MaxWorkbookBytes int64 // max_workbook_bytes: uncompressed XLSX, all parts
	MaxXMLPartBytes  int64 // max_xml_part_bytes: one uncompressed XLSX part
	MaxMerges        int   // max_merges: merged ranges of a sheet
	MaxCellBytes     int   // max_cell_bytes: one cell
	MaxLineBytes     int   // max_line_bytes: one CSV/NDJSON line
	MaxColumns       int   // max_columns: columns of a file
	MaxJSONDepth     int   // max_json_depth: nesting of a JSON value
	// max_merged_fill_bytes: text a file's merged cells copy into the
	// cells they cover (a colspan/rowspan or MergeDown of a long text)
	MaxMergedFillBytes int64
}

// Source is one configured extractor.
type Source struct {
	Name   string // unique, [a-z0-9-]
	Kind   string // file | http
	Path   string // kind file: absolute glob or folder
	URL    string // kind http
	Format string // auto | csv | xlsx | json
	Unit   string // default unit_code for rows that carry none (may be empty)
	Sheet  string // xlsx sheet name (empty: first sheet)
	// Encoding is the text encoding of the source's files: auto (detect per
	// file and per cell) | utf-8 | utf-16 | windows-1258 | tcvn3 | vni.
	Encoding string
	// Columns maps a header as the vendor spells it to a canonical column,
	// or marks it as personal data to drop (config columns:).
	Columns transforms.Overrides
	// MaxRejectRate rejects a whole file whose share of quarantined rows is
	// above it (0 to 1; 1, the default, never rejects).
	MaxRejectRate float64
	// Dataset is what one file of the source holds (package datasets):
	// dossiers (default), par_appraisal, par_survey or par_adjustments.
	Dataset string
	// Period is the assessment period of the source's files ('2025',
	// '2025-H1'); empty means each file names it (PAR datasets only).
	Period string

	// Kind http only.
	Index   bool          // URL is an index document listing export URLs
	Timeout time.Duration // per request (default 60s)
	Retries int           // extra attempts on transient failures (default 4)
	// Deadline bounds the source's whole fetch: index, every file,
	// retries and the waits between them (default sources.DefaultDeadline,
	// 1h). Past it the source fails; the files it downloaded before load.
	Deadline time.Duration
	MaxBytes int64  // largest export accepted (default 1 GiB)
	Auth     string // "", bearer or basic
	Secret   Secret // bearer token, or basic password, read from the environment
	Username string // basic auth user, read from the environment
	CAFile   string // extra trusted CA certificates (PEM), absolute
	// Redirects says what to do when the server redirects to another
	// origin (scheme, host or port): "strip" (default) follows it without
	// the credentials, "refuse" fails the file. https to http is always
	// refused.
	Redirects string
}

// Secret is a credential read from the environment. It prints as
// [redacted] so it cannot leak through logs or error messages.
type Secret string

func (Secret) String() string   { return "[redacted]" }
func (Secret) GoString() string { return "[redacted]" }

// Value returns the secret itself, for the request header only.
func (s Secret) Value() string { return string(s) }

// Publish says where and in which formats publications are written.
type Publish struct {
	Dir     string   // absolute folder
	Formats []string // subset of csv, xlsx, parquet, json, html
	// Grace is how long after its end a period stays provisional ("Số liệu
	// tạm tính"): the time units take to send late exports. Default 15 days.
	Grace time.Duration
	// Lake is publish.lake: the absolute folder of the Hive-partitioned
	// Parquet lake written after every modelled run; empty: no lake.
	Lake string
}

// Error is a configuration problem tied to a key (and a line of the file
// when it can be found, or the environment variable that set its value).
// Several may be joined with errors.Join.
type Error struct {
	File string
	Line int
	// Env is the CCHC_* variable the key's value came from: the file's
	// line for the key holds a value that was not used, so naming it
	// would send the reader to the wrong place.
	Env string
	Key string
	Msg string
}

func (e *Error) Error() string {
	if e.Env != "" && e.Key == "" {
		return fmt.Sprintf("cấu hình: biến môi trường %s: %s", e.Env, e.Msg) // names no key
	}
	if e.Env != "" {
		return fmt.Sprintf("cấu hình: biến môi trường %s: %s: %s", e.Env, e.Key, e.Msg)
	}
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("cấu hình %s: %s: %s", loc, e.Key, e.Msg)
}

var (
	sourceName   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	knownFormats = []string{"csv", "xlsx", "parquet", "json", "html"}
	topKeys      = []string{"warehouse", "timezone", "periods", "units", "methodology", "sources", "publish", "schedule", "lock_timeout", "freshness", "memory_limit", "limits", "future_tolerance", "par"}
	parKeys      = []string{"methodology", "decimals"}
	memoryLimit  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)
	publishKeys  = []string{"dir", "formats", "grace", "lake"}
	limitKeys    = []string{"max_workbook_bytes", "max_xml_part_bytes", "max_merges", "max_cell_bytes", "max_line_bytes", "max_columns", "max_json_depth", "max_merged_fill_bytes"}
	sourceKeys   = []string{"name", "kind", "path", "url", "format", "unit", "sheet", "encoding", "dataset", "period",
		"index", "timeout", "deadline", "retries", "max_bytes", "auth", "token_env", "username_env", "password_env", "ca_file", "redirects",
		"columns", "max_reject_rate"}
)

// Load reads path, applies environment overrides from env (entries
// "KEY=VALUE", as os.Environ returns them; only CCHC_* are used: CCHC_KEY
// for a top-level key, CCHC_PUBLISH_DIR for a nested one,
// CCHC_SOURCES_<NAME>_<KEY> for a key of the source NAME) and validates.
// It touches nothing but the config file itself.
func Load(path string, env []string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("cấu hình %s: không xác định được đường dẫn tuyệt đối của tệp (%w)", path, err)
	}
	raw, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("cấu hình %s: không tìm thấy tệp; tạo tệp cấu hình (xem README) hoặc chỉ đường dẫn tệp bằng --config (file not found: %w)", abs, err)
		}
		return nil, fmt.Errorf("cấu hình %s: không đọc được tệp; kiểm tra quyền đọc (%w)", abs, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("cấu hình %s: tệp YAML sai cú pháp ở dòng được nêu; thụt lề bằng dấu cách (không dùng tab), mỗi khóa có dấu hai chấm (malformed YAML: %w)", abs, err)
	}
	lines := keyLines(&doc)

	v := viper.New()
	v.SetConfigType("yaml")
	v.SetDefault("timezone", "Asia/Ho_Chi_Minh")
	v.SetDefault("periods", "calendar")
	v.SetDefault("methodology", "default")
	v.SetDefault("publish.dir", "./out")
	v.SetDefault("publish.formats", knownFormats)
	v.SetDefault("publish.grace", "15d")
	v.SetDefault("lock_timeout", "10m")
	v.SetDefault("freshness", "72h")
	// DuckDB's buffer pool grows to memory_limit while a big file is staged
	// (the stage is a temporary table), and the Go side, the Arrow batches
	// in flight and DuckDB's own allocations come on top: 512MB keeps a
	// run's peak near 0.8 GiB from 1M to 2M rows, where 1GB grew to 1.2 GiB
	// (issue 11.2). A direct load appends under a lower limit still
	// (warehouse/memory.go).
	v.SetDefault("memory_limit", "512MB")
	v.SetDefault("future_tolerance", "24h")
	if err := v.ReadConfig(strings.NewReader(string(raw))); err != nil {
		return nil, fmt.Errorf("cấu hình %s: không đọc được nội dung tệp (%w)", abs, err)
	}
	// fromEnv maps the keys an environment variable set to its name, for
	// the errors about their values.
	fromEnv := map[string]string{}
	// A CCHC_ variable that names no key is a mistake (a typo would
	// otherwise be ignored silently), unless the config names it as a
	// source's credential or the code base reads it for another purpose.
	// The credentials' names are known once the overrides are in (one may
	// set a token_env): the variables that name no key wait till then.
	secretVars := credentialVars(v)
	var unknownVars []string
	var envErrs []error
	// Environment overrides are applied explicitly from the env slice rather
	// than viper.AutomaticEnv so tests can pass their own environment and no
	// package reads the process environment behind the caller's back.
	for _, kv := range env {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "CCHC_") || secretVars[k] || otherUse(k) {
			continue
		}
		rest := strings.TrimPrefix(k, "CCHC_")
		if key := setSourceKey(v, rest, val); key != "" {
			fromEnv[key] = k
			continue
		}
		key := envKey(rest)
		if key == "" {
			unknownVars = append(unknownVars, k)
			continue
		}
		fromEnv[key] = k
		if key == "publish.formats" {
			v.Set(key, splitList(val))
		} else {
			v.Set(key, val)
		}
	}

	secretVars = credentialVars(v)
	for _, k := range unknownVars {
		if secretVars[k] {
			continue
		}
		if credentialLike(k) {
			if msg := mistypedCredential(v, k); msg != "" {
				envErrs = append(envErrs, &Error{File: abs, Env: k, Msg: msg})
			}
			continue
		}
		envErrs = append(envErrs, &Error{File: abs, Env: k,
			Msg: "biến môi trường không ứng với khóa cấu hình nào: viết CCHC_ rồi đường dẫn khóa bằng chữ hoa, nối bằng _ " +
				"(CCHC_LOCK_TIMEOUT, CCHC_PUBLISH_DIR, CCHC_LIMITS_MAX_COLUMNS, CCHC_SOURCES_<TÊN NGUỒN>_PATH); " +
				"sửa tên biến hoặc bỏ nó khỏi môi trường"})
	}
	b := builder{file: abs, dir: filepath.Dir(abs), lines: lines, fromEnv: fromEnv, env: map[string]string{}, errs: envErrs}
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok {
			b.env[k] = val
		}
	}
	cfg := b.build(v)
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	return cfg, nil
}

// envKey maps the part after CCHC_ to a config key: nested keys are joined
// by "_" (PUBLISH_DIR → publish.dir); keys that themselves contain "_"
// (LOCK_TIMEOUT) are matched first.
func envKey(s string) string {
	s = strings.ToLower(s)
	for _, k := range topKeys {
		if s == k {
			return k
		}
	}
	for top, subs := range map[string][]string{"publish": publishKeys, "par": parKeys, "limits": limitKeys} {
		for _, sub := range subs {
			if s == top+"_"+sub {
				return top + "." + sub
			}
		}
	}
	return ""
}

// otherUses are the prefixes of CCHC_ variables the code base reads for
// other purposes than the config: the benchmarks (CCHC_BENCH_*,
// publish/bench_test.go), the staging profile (CCHC_STAGE_*,
// pipeline/stageprofile_test.go) and test children (CCHC_TEST_*,
// CCHC_HOSTILE_*). A process started under them must still load its
// config.
var otherUses = []string{"CCHC_BENCH_", "CCHC_STAGE_", "CCHC_TEST_", "CCHC_HOSTILE_"}

func otherUse(name string) bool {
	for _, p := range otherUses {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// credentialLike says whether an environment variable's name reads as a
// credential (…_TOKEN, …_PASSWORD, …_USERNAME, …_SECRET): an env file
// shared by several configs, or keeping the token of a source commented
// out, must not stop a scheduler that restarts on failure; such a name is
// no key's override anyway. One in the form of a configured source's key
// (CCHC_SOURCES_PORTAL_TOKEN) is an error all the same unless the config
// names it: see mistypedCredential.
func credentialLike(name string) bool {
	for _, s := range []string{"_TOKEN", "_PASSWORD", "_PASS", "_USERNAME", "_USER", "_SECRET"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// mistypedCredential returns the error for a credential-like variable
// named as an override of a configured source's key
// (CCHC_SOURCES_PORTAL_TOKEN, CCHC_SOURCES_BA_VI_PASSWORD) that the config
// does not name as a credential: no source key is called token or
// password, so it reads as an attempt to set the source's credential,
// which would otherwise be ignored silently and the source fail with 401
// at night. The message names the key probably meant (token_env,
// username_env, password_env), never the variable's value. "" when name
// is no configured source's (an env file shared with another config).
func mistypedCredential(v *viper.Viper, name string) string {
	rest, ok := strings.CutPrefix(strings.ToLower(name), "cchc_sources_")
	if !ok {
		return ""
	}
	// The longest source name that fits: CCHC_SOURCES_BA_VI_TOKEN is
	// ba-vi's, not ba's, when both exist.
	var src, norm, key, auth, kind string
	list, _ := v.Get("sources").([]any)
	for _, item := range list {
		m, _ := item.(map[string]any)
		n, _ := m["name"].(string)
		p := strings.ReplaceAll(strings.ToLower(n), "-", "_")
		if n != "" && strings.HasPrefix(rest, p+"_") && len(p) > len(norm) && len(rest) > len(p)+1 {
			src, norm, key = n, p, strings.TrimPrefix(rest, p+"_")
			auth, _ = m["auth"].(string)
			kind, _ = m["kind"].(string)
		}
	}
	if src == "" {
		return ""
	}
	if k := strings.TrimSpace(kind); k != "http" {
		if k == "" {
			k = "file"
		}
		return fmt.Sprintf("nguồn %s không có khóa %s, nên biến này không được dùng; nguồn kind %s không dùng thông tin xác thực. "+
			"Sửa tên biến nếu nó dành cho nguồn khác, hoặc bỏ nó khỏi môi trường", src, key, k)
	}
	upper := strings.ToUpper(name)
	meant, what, mode := "token_env", "token", "bearer"
	switch {
	case strings.HasSuffix(upper, "_USERNAME"), strings.HasSuffix(upper, "_USER"):
		meant, what, mode = "username_env", "tên người dùng", "basic"
	case strings.HasSuffix(upper, "_PASSWORD"), strings.HasSuffix(upper, "_PASS"),
		strings.HasSuffix(upper, "_SECRET") && strings.TrimSpace(auth) == "basic":
		meant, what, mode = "password_env", "mật khẩu", "basic"
	}
	override := "CCHC_SOURCES_" + strings.ToUpper(norm) + "_" + strings.ToUpper(meant)
	return fmt.Sprintf("nguồn %s không có khóa %s, nên biến này không được dùng: cchc đọc %s từ biến môi trường mà khóa %s của nguồn nêu tên "+
		"(có lẽ ý là %s). Thêm vào nguồn %s auth: %s và %s: %s (hoặc đặt %s=%s), hoặc bỏ biến này khỏi môi trường",
		src, key, what, meant, meant, src, mode, meant, name, override, name)
}

// credentialVars are the environment variables the file names as sources'
// credentials (token_env, username_env, password_env): they may start with
// CCHC_ without naming a key.
func credentialVars(v *viper.Viper) map[string]bool {
	out := map[string]bool{}
	list, _ := v.Get("sources").([]any)
	for _, item := range list {
		m, _ := item.(map[string]any)
		for _, k := range []string{"token_env", "username_env", "password_env"} {
			if name, ok := m[k].(string); ok && name != "" {
				out[name] = true
			}
		}
	}
	return out
}

// setSourceKey applies CCHC_SOURCES_<NAME>_<KEY> to the source named NAME
// (its "-" written "_", any case), e.g. CCHC_SOURCES_BA_VI_PATH. It
// returns the key set ("sources[0].path"), or "" when the variable named
// no source key.
func setSourceKey(v *viper.Viper, rest, val string) string {
	lower := strings.ToLower(rest)
	if !strings.HasPrefix(lower, "sources_") {
		return ""
	}
	lower = strings.TrimPrefix(lower, "sources_")
	list, ok := v.Get("sources").([]any)
	if !ok {
		return ""
	}
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["name"].(string)
		prefix := strings.ReplaceAll(strings.ToLower(name), "-", "_") + "_"
		if name == "" || !strings.HasPrefix(lower, prefix) {
			continue
		}
		key := strings.TrimPrefix(lower, prefix)
		if contains(sourceKeys, key) && key != "name" {
			m[key] = val
			v.Set("sources", list)
			return fmt.Sprintf("sources[%d].%s", i, key)
		}
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, p)
	}
	return out
}

type builder struct {
	file    string
	dir     string
	lines   map[string]int
	fromEnv map[string]string // key → the CCHC_* variable that set it
	env     map[string]string
	errs    []error
}

// fail records a problem with key, placed on the environment variable that
// set the key's value if one did, else on the key's line of the file.
func (b *builder) fail(key, format string, args ...any) {
	e := &Error{File: b.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if name, ok := b.fromEnv[key]; ok {
		e.Env = name
	} else {
		e.Line = b.lines[key]
	}
	b.errs = append(b.errs, e)
}

func (b *builder) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(b.dir, p)
}

func (b *builder) build(v *viper.Viper) *Config {
	for _, k := range v.AllKeys() {
		top, sub, _ := strings.Cut(k, ".")
		if !contains(topKeys, top) {
			b.fail(k, "cchc không có khóa này (tên khóa gõ sai?); sửa tên khóa, các khóa hợp lệ: %s (unknown key)", strings.Join(topKeys, ", "))
		}
		if top == "publish" && sub != "" && !contains(publishKeys, sub) {
			b.fail(k, "cchc không có khóa này (tên khóa gõ sai?); sửa tên khóa, các khóa hợp lệ: publish.%s (unknown key)", strings.Join(publishKeys, ", publish."))
		}
		if top == "limits" && !contains(limitKeys, sub) {
			b.fail(k, "cchc không có khóa này (tên khóa gõ sai?); sửa tên khóa, các khóa hợp lệ: %s (unknown key)", strings.Join(limitKeys, ", "))
		}
		if top == "par" && !contains(parKeys, sub) {
			b.fail(k, "cchc không có khóa này (tên khóa gõ sai?); sửa tên khóa, các khóa hợp lệ: %s (unknown key)", strings.Join(parKeys, ", "))
		}
	}
	cfg := &Config{File: b.file}

	cfg.Warehouse = b.path(strings.TrimSpace(v.GetString("warehouse")))
	if cfg.Warehouse == "" {
		b.fail("warehouse", "bắt buộc: tệp DuckDB của kho dữ liệu, ví dụ ./cchc.duckdb (required)")
	}

	cfg.Timezone = v.GetString("timezone")
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		b.fail("timezone", "múi giờ %q không tồn tại; dùng tên IANA như Asia/Ho_Chi_Minh (unknown time zone)", cfg.Timezone)
	}
	cfg.Location = loc

	cfg.Periods = v.GetString("periods")
	if cfg.Periods != "calendar" && cfg.Periods != "decree09" {
		b.fail("periods", "phải là calendar hoặc decree09, nhận được %q", cfg.Periods)
	}

	cfg.Units = b.path(v.GetString("units"))
	if cfg.Units == "" {
		b.fail("units", "bắt buộc: tệp CSV danh mục đơn vị, ví dụ ./units.csv (required)")
	} else if st, err := os.Stat(cfg.Units); err != nil || st.IsDir() {
		b.fail("units", "không tìm thấy tệp danh mục đơn vị %s; sửa đường dẫn hoặc tạo tệp (unit registry not found)", cfg.Units)
	}

	cfg.Methodology = v.GetString("methodology")
	if cfg.Methodology != "default" {
		cfg.Methodology = b.path(cfg.Methodology)
		if _, err := os.Stat(cfg.Methodology); err != nil {
			b.fail("methodology", "%s không phải tên phương pháp có sẵn (default) cũng không phải tệp có thật; sửa đường dẫn hoặc dùng default (neither a built-in name nor an existing file)", cfg.Methodology)
		}
	}

	cfg.PAR.Methodology = strings.TrimSpace(v.GetString("par.methodology"))
	if cfg.PAR.Methodology == "" {
		cfg.PAR.Methodology = "default"
	}
	if cfg.PAR.Methodology != "default" {
		cfg.PAR.Methodology = b.path(cfg.PAR.Methodology)
		if _, err := os.Stat(cfg.PAR.Methodology); err != nil {
			b.fail("par.methodology", "%s không phải tên phương pháp có sẵn (default) cũng không phải tệp có thật; sửa đường dẫn hoặc dùng default (neither a built-in name nor an existing file)", cfg.PAR.Methodology)
		}
	}
	cfg.PAR.Decimals = -1
	if v.IsSet("par.decimals") {
		d, err := strconv.Atoi(strings.TrimSpace(v.GetString("par.decimals")))
		if err != nil || d < 0 || d > 6 {
			b.fail("par.decimals", "phải là số nguyên từ 0 đến 6, nhận được %q", v.GetString("par.decimals"))
		}
		cfg.PAR.Decimals = d
	}

	cfg.Sources = b.sources(v)

	cfg.Publish.Dir = b.path(v.GetString("publish.dir"))
	cfg.Publish.Formats = v.GetStringSlice("publish.formats")
	for _, f := range cfg.Publish.Formats {
		if !contains(knownFormats, f) {
			b.fail("publish.formats", "định dạng %q không được hỗ trợ; chọn trong %s (unknown format)", f, strings.Join(knownFormats, ", "))
		}
	}

	cfg.Publish.Grace = b.duration(v, "publish.grace")
	if lake := strings.TrimSpace(v.GetString("publish.lake")); lake != "" {
		cfg.Publish.Lake = b.path(lake)
		if cfg.Publish.Lake == cfg.Publish.Dir {
			b.fail("publish.lake", "phải là thư mục riêng, khác publish.dir (%s); chọn thư mục khác (must be a folder of its own)", cfg.Publish.Dir)
		}
	}

	cfg.Schedule = strings.TrimSpace(v.GetString("schedule"))
	if cfg.Schedule != "" {
		p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
		if _, err := p.Parse(cfg.Schedule); err != nil {
			b.fail("schedule", "không phải lịch cron; viết năm trường phút giờ ngày tháng thứ, ví dụ \"0 2 * * *\" (chạy lúc 2 giờ sáng hằng ngày) (not a cron schedule: %v)", err)
		}
	}

	cfg.MemoryLimit = strings.TrimSpace(v.GetString("memory_limit"))
	if !memoryLimit.MatchString(cfg.MemoryLimit) {
		b.fail("memory_limit", "phải là dung lượng như 512MB hoặc 2GB, nhận được %q", cfg.MemoryLimit)
	}
	cfg.Limits = b.limits(v)
	cfg.LockTimeout = b.duration(v, "lock_timeout")
	cfg.Freshness = b.duration(v, "freshness")
	cfg.FutureTolerance = b.duration(v, "future_tolerance")
	return cfg
}

// limits reads the limits: block; every key is optional and a positive
// whole number (bytes, or a count).
func (b *builder) limits(v *viper.Viper) Limits {
	get := func(k string) int64 {
		key := "limits." + k
		if !v.IsSet(key) {
			return 0
		}
		n, err := strconv.ParseInt(strings.TrimSpace(fmt.Sprint(v.Get(key))), 10, 64)
		if err != nil || n <= 0 {
			b.fail(key, "phải là số nguyên dương, nhận được %q", fmt.Sprint(v.Get(key)))
			return 0
		}
		return n
	}
	return Limits{
		MaxWorkbookBytes: get("max_workbook_bytes"),
		MaxXMLPartBytes:  get("max_xml_part_bytes"),
		MaxMerges:        int(get("max_merges")),
		MaxCellBytes:     int(get("max_cell_bytes")),
		MaxLineBytes:     int(get("max_line_bytes")),
		MaxColumns:       int(get("max_columns")),
		MaxJSONDepth:     int(get("max_json_depth")),

		MaxMergedFillBytes: get("max_merged_fill_bytes"),
	}
}

func (b *builder) duration(v *viper.Viper, key string) time.Duration {
	s := v.GetString(key)
	d, err := parseDuration(s)
	if err != nil || d < 0 {
		b.fail(key, "phải là khoảng thời gian như 30s, 10m, 72h hoặc 15d (giây, phút, giờ, ngày), nhận được %q", s)
	}
	return d
}

// parseDuration is time.ParseDuration plus whole days ("15d"), the unit
// operators think in for grace periods and freshness.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 3650 {
			return 0, fmt.Errorf("số ngày %q không hợp lệ, cần từ 0 đến 3650 (bad number of days)", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func (b *builder) sources(v *viper.Viper) []Source {
	raw := v.Get("sources")
	if raw == nil {
		b.fail("sources", "bắt buộc: khai báo ít nhất một nguồn dữ liệu (required)")
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		b.fail("sources", "phải là danh sách nguồn, mỗi nguồn một dòng bắt đầu bằng \"- \" (must be a list of sources)")
		return nil
	}
	var out []Source
	seen := map[string]bool{}
	for i, item := range list {
		key := fmt.Sprintf("sources[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			b.fail(key, "mỗi nguồn phải gồm các khóa như name, kind, path hoặc url (must be a mapping)")
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !contains(sourceKeys, k) {
				b.fail(key+"."+k, "nguồn không có khóa này (tên khóa gõ sai?); sửa tên khóa, các khóa hợp lệ: %s (unknown key)", strings.Join(sourceKeys, ", "))
			}
		}
		str := func(k string) string {
			s, _ := m[k].(string)
			if m[k] != nil && s == "" {
				s = fmt.Sprint(m[k])
			}
			return strings.TrimSpace(s)
		}
		s := Source{Name: str("name"), Kind: str("kind"), Format: str("format"), Unit: str("unit"), Sheet: str("sheet"),
			Encoding: strings.ToLower(str("encoding")), Dataset: str("dataset"), Period: str("period")}
		if s.Dataset == "" {
			s.Dataset = "dossiers"
		}
		// The values of `dataset:` are the registered datasets (package
		// datasets, DESIGN.md "Datasets").
		if _, err := datasets.ByName(s.Dataset); err != nil {
			var names []string
			for _, d := range datasets.All() {
				names = append(names, d.Name)
			}
			b.fail(key+".dataset", "phải là một trong %s, nhận được %q", strings.Join(names, ", "), s.Dataset)
		}
		if s.Period != "" {
			if s.Dataset == "dossiers" {
				b.fail(key+".period", "chỉ dùng cho các bộ dữ liệu PAR; kỳ của hồ sơ lấy từ ngày của hồ sơ, bỏ khóa này (only for the PAR datasets)")
			} else if _, err := periods.Parse(s.Period, periods.Calendar); err != nil {
				b.fail(key+".period", "kỳ không hợp lệ; viết YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 hoặc YYYY (%v)", err)
			}
		}
		if s.Encoding == "" {
			s.Encoding = "auto"
		}
		if !contains(vnenc.Names, s.Encoding) {
			b.fail(key+".encoding", "phải là một trong %s, nhận được %q", strings.Join(vnenc.Names, ", "), s.Encoding)
		}
		if s.Kind == "" {
			s.Kind = "file"
		}
		if s.Format == "" {
			s.Format = "auto"
		}
		if !sourceName.MatchString(s.Name) {
			b.fail(key+".name", "chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (a-z, 0-9, -), nhận được %q", s.Name)
		} else if seen[s.Name] {
			b.fail(key+".name", "tên nguồn %q bị trùng; mỗi nguồn một tên riêng (duplicate source name)", s.Name)
		}
		seen[s.Name] = true
		switch s.Kind {
		case "file":
			s.Path = b.path(str("path"))
			if s.Path == "" {
				b.fail(key+".path", "bắt buộc với kind file: mẫu đường dẫn tệp như ./exports/ba-vi/*.xlsx (required)")
			} else if _, err := filepath.Match(filepath.Base(s.Path), ""); err != nil {
				b.fail(key+".path", "mẫu đường dẫn %q sai cú pháp; kiểm tra dấu [ ] và \\ (bad glob: %v)", s.Path, err)
			}
		case "http":
			s.URL = str("url")
			b.httpURL(key+".url", s.URL)
			b.httpSource(key, &s, str)
		default:
			b.fail(key+".kind", "phải là file hoặc http, nhận được %q", s.Kind)
		}
		switch s.Format {
		case "auto", "csv", "xlsx", "json":
		default:
			b.fail(key+".format", "phải là auto, csv, xlsx hoặc json, nhận được %q", s.Format)
		}
		s.Columns = b.columns(key+".columns", m["columns"])
		s.MaxRejectRate = 1
		if v := str("max_reject_rate"); v != "" {
			r, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
			if strings.HasSuffix(v, "%") {
				r /= 100
			}
			if err != nil || r < 0 || r > 1 {
				b.fail(key+".max_reject_rate", "phải là tỉ lệ từ 0 đến 1 (hoặc 0%% đến 100%%), nhận được %q", v)
			}
			s.MaxRejectRate = r
		}
		if s.Dataset != "dossiers" {
			// The PAR datasets have their own header dictionaries and no
			// reject rate: the keys would be silently ignored.
			for _, k := range []string{"columns", "max_reject_rate"} {
				if m[k] != nil {
					b.fail(key+"."+k, "chỉ dùng cho dataset dossiers, không dùng cho %s; bỏ khóa này (only for dataset dossiers)", s.Dataset)
				}
			}
		}
		out = append(out, s)
	}
	if len(list) == 0 {
		b.fail("sources", "bắt buộc: khai báo ít nhất một nguồn dữ liệu (required)")
	}
	return out
}

// columns reads a source's header overrides: a mapping of header to
// canonical column name or drop (from YAML), or the same as a JSON object
// (from an environment variable).
func (b *builder) columns(key string, raw any) transforms.Overrides {
	if raw == nil {
		return nil
	}
	cols := map[string]string{}
	switch m := raw.(type) {
	case map[string]any:
		for h, t := range m {
			s, ok := t.(string)
			if !ok {
				b.fail(key, "%q: phải ghi tên cột chuẩn hoặc drop, nhận được %v", h, t)
				continue
			}
			cols[h] = s
		}
	case string:
		if err := json.Unmarshal([]byte(m), &cols); err != nil {
			b.fail(key, "phải là bảng tiêu đề → cột như {\"Số BN\": dossier_code, \"Người liên hệ\": drop} (%v)", err)
			return nil
		}
	default:
		b.fail(key, "phải là bảng tiêu đề → cột như {\"Số BN\": dossier_code, \"Người liên hệ\": drop} (must be a mapping)")
		return nil
	}
	o, err := transforms.ParseOverrides(cols)
	if err != nil {
		b.fail(key, "tiêu đề hoặc cột đích không dùng được; cột đích phải là tên cột chuẩn hoặc drop (%v)", err)
	}
	return o
}

// httpURL checks an HTTP source's URL. The URL may carry a token, so an
// error quotes it cut by sources.RedactLoose (no query, no user
// information), and one net/url rejects is refused here rather than stored
// and logged as it stands. User information is refused too: cchc sends
// credentials only from auth, and would drop a user:password@ silently.
func (b *builder) httpURL(key, raw string) {
	if raw == "" {
		b.fail(key, "bắt buộc với kind http: địa chỉ http:// hoặc https:// của tệp xuất hoặc của chỉ mục")
		return
	}
	shown := sources.RedactLoose(raw)
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // without the URL it quotes whole
		}
		b.fail(key, "địa chỉ %s không hợp lệ (%v); sửa địa chỉ, mã hoá ký tự đặc biệt theo dạng %%XX", shown, err)
		return
	}
	if (u.Scheme != "http" && u.Scheme != "https") || !strings.HasPrefix(strings.ToLower(raw), u.Scheme+"://") || u.Host == "" {
		b.fail(key, "phải là địa chỉ bắt đầu bằng http:// hoặc https://, nhận được %s", shown)
		return
	}
	if u.User != nil {
		b.fail(key, "địa chỉ %s chứa tên người dùng hoặc mật khẩu (dạng người-dùng:mật-khẩu@máy-chủ), cchc không gửi phần này, và mật khẩu không được để trong tệp cấu hình; "+
			"bỏ phần đó khỏi url và dùng auth: basic với username_env và password_env (tên các biến môi trường chứa tên người dùng và mật khẩu)", shown)
	}
}

// httpSource reads the HTTP settings of a source; credentials come from
// environment variables the config names, never from the file itself.
func (b *builder) httpSource(key string, s *Source, str func(string) string) {
	s.Index = str("index") == "true"
	if v := str("index"); v != "" && v != "true" && v != "false" {
		b.fail(key+".index", "phải là true hoặc false, nhận được %q", v)
	}
	s.Retries, s.MaxBytes = 4, 1<<30
	// positive reads a duration key, def when it is not set.
	positive := func(name, example string, def time.Duration) time.Duration {
		v := str(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			b.fail(key+"."+name, "phải là khoảng thời gian dương như "+example+", nhận được %q", v)
		}
		return d
	}
	s.Timeout = positive("timeout", "30s hoặc 5m", 60*time.Second)
	// No value turns the deadline off: an operator who needs longer (a
	// first load of years of exports) sets a longer one.
	s.Deadline = positive("deadline", "30m hoặc 2h", sources.DefaultDeadline)
	if v := str("retries"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 20 {
			b.fail(key+".retries", "phải là số nguyên từ 0 đến 20, nhận được %q", v)
		}
		s.Retries = n
	}
	if v := str("max_bytes"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			b.fail(key+".max_bytes", "phải là số byte dương, nhận được %q", v)
		}
		s.MaxBytes = n
	}
	envValue := func(k string) string {
		name := str(k)
		if name == "" {
			b.fail(key+"."+k, "bắt buộc với auth %s: tên biến môi trường chứa thông tin xác thực (required)", s.Auth)
			return ""
		}
		v, ok := b.env[name]
		if !ok || v == "" {
			b.fail(key+"."+k, "biến môi trường %s chưa được đặt hoặc để trống; đặt nó trước khi chạy cchc (environment variable is not set)", name)
		}
		return v
	}
	switch s.Auth = str("auth"); s.Auth {
	case "":
	case "bearer":
		s.Secret = Secret(envValue("token_env"))
	case "basic":
		s.Username = envValue("username_env")
		s.Secret = Secret(envValue("password_env"))
	default:
		b.fail(key+".auth", "phải là bearer hoặc basic, nhận được %q", s.Auth)
	}
	switch s.Redirects = str("redirects"); s.Redirects {
	case "":
		s.Redirects = "strip"
	case "strip", "refuse":
	default:
		b.fail(key+".redirects", "phải là strip hoặc refuse, nhận được %q", s.Redirects)
	}
	if v := str("ca_file"); v != "" {
		s.CAFile = b.path(v)
		// Parsed here, not when the source is built: a file with no
		// certificate is a bad config, found before the warehouse is
		// opened or a run recorded.
		if pem, err := os.ReadFile(s.CAFile); errors.Is(err, fs.ErrNotExist) {
			b.fail(key+".ca_file", "không tìm thấy tệp %s; sửa đường dẫn (file not found)", s.CAFile)
		} else if err != nil {
			b.fail(key+".ca_file", "không đọc được tệp %s: %v", s.CAFile, err)
		} else if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			b.fail(key+".ca_file", "tệp %s không chứa chứng chỉ PEM nào (khối -----BEGIN CERTIFICATE-----); đặt vào đây chứng chỉ CA của tỉnh ở dạng PEM", s.CAFile)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyLines maps dotted keys ("publish.dir", "sources[2].path") to the line
// they stand on, so errors can point into the file.
func keyLines(doc *yaml.Node) map[string]int {
	out := map[string]int{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				key := k.Value
				if prefix != "" {
					key = prefix + "." + k.Value
				}
				out[key] = k.Line
				walk(n.Content[i+1], key)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				key := fmt.Sprintf("%s[%d]", prefix, i)
				out[key] = c.Line
				walk(c, key)
			}
		}
	}
	walk(doc, "")
	return out
}
