package config

import (
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadValid(t *testing.T) {
	cfg, err := Load("testdata/valid.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := filepath.Abs("testdata")
	if cfg.Warehouse != filepath.Join(dir, "cchc.duckdb") {
		t.Errorf("warehouse not resolved against the config folder: %s", cfg.Warehouse)
	}
	if cfg.Units != filepath.Join(dir, "units.csv") {
		t.Errorf("units = %s", cfg.Units)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Path != filepath.Join(dir, "exports/ba-vi/*.xlsx") || cfg.Sources[0].Unit != "H.BAVI" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if cfg.Location.String() != "Asia/Ho_Chi_Minh" || cfg.Periods != "calendar" || cfg.Methodology != "default" {
		t.Errorf("cfg = %+v", cfg)
	}
	if cfg.LockTimeout != 10*time.Minute {
		t.Errorf("default lock_timeout = %s", cfg.LockTimeout)
	}
	if cfg.MemoryLimit != "512MB" {
		t.Errorf("default memory_limit = %s, want 512MB (issue 11.2: a run's peak stays under 1 GiB)", cfg.MemoryLimit)
	}
	if got := strings.Join(cfg.Publish.Formats, ","); got != "csv,xlsx,parquet,json,html" {
		t.Errorf("formats = %s", got)
	}
	if cfg.PAR.Methodology != "default" || cfg.PAR.Decimals != -1 {
		t.Errorf("par defaults = %+v, want default methodology, decimals unset", cfg.PAR)
	}
}

// par: names the CCHC-index methodology (resolved like methodology:) and
// the published decimals; CCHC_PAR_DECIMALS overrides.
func TestPARConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "par.yaml"), []byte("name: x\n"), 0o644)
	cfgPath := filepath.Join(dir, "cchc.yaml")
	os.WriteFile(cfgPath, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\npar:\n  methodology: ./par.yaml\n  decimals: 3\nsources:\n  - name: a\n    path: ./x/*.csv\n"), 0o644)
	cfg, err := Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PAR.Methodology != filepath.Join(dir, "par.yaml") || cfg.PAR.Decimals != 3 {
		t.Errorf("par = %+v", cfg.PAR)
	}
	if cfg, err = Load(cfgPath, []string{"CCHC_PAR_DECIMALS=0"}); err != nil || cfg.PAR.Decimals != 0 {
		t.Errorf("CCHC_PAR_DECIMALS=0: %+v %v", cfg, err)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"CCHC_WAREHOUSE=/tmp/other.duckdb",
		"CCHC_PUBLISH_DIR=/srv/out",
		"CCHC_LOCK_TIMEOUT=30s",
		"CCHC_PERIODS=decree09",
		"CCHC_PUBLISH_FORMATS=csv,json",
		"CCHC_SOURCES_BA_VI_PATH=/mnt/ba-vi/*.csv",
		"CCHC_SOURCES_BA_VI_UNIT=H.OTHER",
		"CCHC_LIMITS_MAX_COLUMNS=10",
		"HOME=/root", // not ours
		// Read by the benchmarks and the staging profile, not by Load.
		"CCHC_BENCH_OUT=/tmp/bench", "CCHC_STAGE_FILES=/data/*.csv",
	}
	cfg, err := Load("testdata/valid.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse != "/tmp/other.duckdb" || cfg.Publish.Dir != "/srv/out" || cfg.LockTimeout != 30*time.Second || cfg.Periods != "decree09" {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if got := strings.Join(cfg.Publish.Formats, ","); got != "csv,json" {
		t.Errorf("formats = %s", got)
	}
	if s := cfg.Sources[0]; s.Path != "/mnt/ba-vi/*.csv" || s.Unit != "H.OTHER" {
		t.Errorf("source overrides not applied: %+v", s)
	}
	// Without the fix the limits had no variables: max_columns kept 0.
	if cfg.Limits.MaxColumns != 10 {
		t.Errorf("CCHC_LIMITS_MAX_COLUMNS=10 not applied: max_columns %d", cfg.Limits.MaxColumns)
	}
	if _, err := Load("testdata/valid.yaml", []string{"CCHC_PERIODS=weekly"}); err == nil || !strings.Contains(err.Error(), "periods") {
		t.Errorf("a bad override must fail naming the key, got %v", err)
	}
}

// A bad value set by an environment variable is blamed on the variable,
// not on the file's line for the key (which holds a value not used):
// valid.yaml line 3 says "periods: calendar", line 10 "format: auto".
func TestEnvOverrideErrors(t *testing.T) {
	cases := []struct {
		env     string
		want    []string
		notWant string // the file line the error must not name
	}{
		{"CCHC_PERIODS=weekly", []string{"biến môi trường CCHC_PERIODS: periods: phải là calendar hoặc decree09", `"weekly"`}, "valid.yaml:3"},
		{"CCHC_SOURCES_BA_VI_FORMAT=xls", []string{"biến môi trường CCHC_SOURCES_BA_VI_FORMAT: sources[0].format: phải là auto", `"xls"`}, "valid.yaml:10"},
		{"CCHC_PUBLISH_FORMATS=csv,pdf", []string{"biến môi trường CCHC_PUBLISH_FORMATS: publish.formats: định dạng", `"pdf"`}, "valid.yaml:14"},
		{"CCHC_LOCK_TIMEOUT=soon", []string{"biến môi trường CCHC_LOCK_TIMEOUT: lock_timeout: phải là khoảng thời gian"}, ""},
		// Without the fix these were ignored silently: the limit kept
		// its value, the typo and the unknown source changed nothing.
		{"CCHC_LIMITS_MAX_CELL_BYTES=abc", []string{"biến môi trường CCHC_LIMITS_MAX_CELL_BYTES: limits.max_cell_bytes: phải là số nguyên dương", `"abc"`}, ""},
		{"CCHC_LOCK_TIMOUT=30s", []string{"biến môi trường CCHC_LOCK_TIMOUT: biến môi trường không ứng với khóa cấu hình nào"}, ""},
		{"CCHC_SOURCES_SON_TAY_PATH=/mnt/x", []string{"biến môi trường CCHC_SOURCES_SON_TAY_PATH: biến môi trường không ứng với khóa cấu hình nào"}, ""},
	}
	for _, c := range cases {
		t.Run(c.env, func(t *testing.T) {
			_, err := Load("testdata/valid.yaml", []string{c.env})
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if c.notWant != "" && strings.Contains(err.Error(), c.notWant) {
				t.Errorf("error %q blames the file line %s", err, c.notWant)
			}
		})
	}
	// The same bad value in the file is still placed on its line.
	dir := t.TempDir()
	raw, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(raw), "periods: calendar", "periods: weekly", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nH.BAVI,UBND huyện Ba Vì,district\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad, nil); err == nil || !strings.Contains(err.Error(), "c.yaml:3: periods:") || strings.Contains(err.Error(), "CCHC_") {
		t.Errorf("a bad value in the file must name its line: %v", err)
	}
}

// The encoding key: a name forces the source's text encoding (any case),
// auto is the default.
func TestSourceEncoding(t *testing.T) {
	cfg, err := Load("testdata/encoding.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources[0].Encoding + "," + cfg.Sources[1].Encoding; got != "tcvn3,auto" {
		t.Errorf("encodings = %s, want tcvn3,auto", got)
	}
	cfg, err = Load("testdata/encoding.yaml", []string{"CCHC_SOURCES_SON_TAY_ENCODING=vni"})
	if err != nil || cfg.Sources[1].Encoding != "vni" {
		t.Errorf("override: %v, %+v", err, cfg)
	}
}

// Each bad config must fail before anything is written, naming the key and
// the line where the file has one.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"bad-periods.yaml", []string{"bad-periods.yaml:3", "periods", "phải là calendar hoặc decree09"}},
		{"bad-source-name.yaml", []string{"sources[1].name", "(a-z, 0-9, -)"}},
		{"bad-schedule.yaml", []string{"bad-schedule.yaml:6", "schedule", "không phải lịch cron"}},
		{"missing-warehouse.yaml", []string{"warehouse", "bắt buộc", "(required)"}},
		{"unknown-key.yaml", []string{"unknown-key.yaml:3", "warehous", "cchc không có khóa này", "(unknown key)"}},
		{"bad-kind.yaml", []string{"sources[0].kind", "phải là file hoặc http"}},
		{"bad-encoding.yaml", []string{"sources[0].encoding", "auto, utf-8, utf-16, windows-1258, tcvn3, vni", "latin-1"}},
		{"malformed.yaml", []string{"malformed.yaml: tệp YAML sai cú pháp", "(malformed YAML: yaml: line"}},
		{"missing-units.yaml", []string{"missing-units.yaml:2", "units", "không tìm thấy tệp danh mục đơn vị"}},
		{"bad-lock-timeout.yaml", []string{"lock_timeout", "phải là khoảng thời gian"}},
		{"bad-format.yaml", []string{"publish.formats", `định dạng "pdf" không được hỗ trợ`}},
		{"bad-par.yaml", []string{"bad-par.yaml:4", "par.decimals", "số nguyên từ 0 đến 6", "par.colour", "cchc không có khóa này"}},
		{"does-not-exist.yaml", []string{"does-not-exist.yaml: không tìm thấy tệp", "--config", "(file not found"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", c.file), nil)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestHTTPSource(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644)
		os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n"+body), 0o644)
		return p
	}
	p := write("  - name: portal\n    kind: http\n    url: https://dvc.example.vn/exports/index.json\n    index: true\n    timeout: 30s\n    retries: 2\n    auth: bearer\n    token_env: CCHC_PORTAL_TOKEN\n")
	cfg, err := Load(p, []string{"CCHC_PORTAL_TOKEN=s3cr3t"})
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Sources[0]
	if !s.Index || s.Timeout != 30*time.Second || s.Retries != 2 || s.Secret.Value() != "s3cr3t" || s.MaxBytes != 1<<30 || s.Redirects != "strip" {
		t.Errorf("source = %+v", s)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", s, s, s), "s3cr3t") {
		t.Error("the token can be printed")
	}
	if _, err := Load(p, nil); err == nil || !strings.Contains(err.Error(), "sources[0].token_env") || !strings.Contains(err.Error(), "biến môi trường CCHC_PORTAL_TOKEN chưa được đặt") {
		t.Errorf("missing token: %v", err)
	}
	p = write("  - name: portal\n    kind: http\n    url: https://dvc.example.vn/x.csv\n    redirects: refuse\n")
	if cfg, err := Load(p, nil); err != nil || cfg.Sources[0].Redirects != "refuse" {
		t.Errorf("redirects: refuse: %v", err)
	}
	p = write("  - name: portal\n    kind: http\n    url: ftp://x\n    auth: magic\n    retries: many\n    redirects: follow\n")
	_, err = Load(p, nil)
	for _, want := range []string{"sources[0].url", "sources[0].auth", "sources[0].retries", "sources[0].redirects"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v lacks %s", err, want)
		}
	}
}

// TestHTTPURLErrors: a bad url fails the config naming the key, and the
// error never quotes what may be a credential (SECRET42), whether the value
// comes from the file or from an environment variable. user:password@ is
// refused, pointing to auth: basic; a URL net/url rejects (b%zz) is
// refused rather than stored and logged as it stands.
func TestHTTPURLErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644)
	p := filepath.Join(dir, "c.yaml")
	cases := []struct {
		url, env string
		want     []string
	}{
		{"htps://dvc.example.gov.vn/export.csv?access_token=SECRET42", "", []string{"sources[0].url", "http:// hoặc https://", "htps://dvc.example.gov.vn/export.csv?REDACTED"}},
		{"https//user:SECRET42@dvc.example.gov.vn/x.csv", "", []string{"sources[0].url", "http:// hoặc https://", "https//dvc.example.gov.vn/x.csv"}},
		{"https://user:SECRET42@dvc.example.gov.vn/x.csv", "", []string{"sources[0].url", "auth: basic", "username_env", "password_env", "https://dvc.example.gov.vn/x.csv"}},
		{"https://user@dvc.example.gov.vn/x.csv?token=SECRET42", "", []string{"auth: basic"}},
		{"http://127.0.0.1:1/b%zz/x.csv?token=SECRET42", "", []string{"sources[0].url", "không hợp lệ", `invalid URL escape "%zz"`, "http://127.0.0.1:1/b%zz/x.csv?REDACTED"}},
		{"https:///x.csv?token=SECRET42", "", []string{"sources[0].url", "http:// hoặc https://"}},
		{"https://x/y.csv", "CCHC_SOURCES_A_URL=htps://x/y.csv?token=SECRET42", []string{"biến môi trường CCHC_SOURCES_A_URL: sources[0].url", "htps://x/y.csv?REDACTED"}},
		{"https://x/y.csv", "CCHC_SOURCES_A_URL=https://u:SECRET42@x/y.csv", []string{"biến môi trường CCHC_SOURCES_A_URL: sources[0].url", "auth: basic"}},
	}
	for _, c := range cases {
		os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n  - name: a\n    kind: http\n    url: "+c.url+"\n"), 0o644)
		var env []string
		if c.env != "" {
			env = []string{c.env}
		}
		_, err := Load(p, env)
		if err == nil {
			t.Errorf("%s %s: accepted", c.url, c.env)
			continue
		}
		if strings.Contains(err.Error(), "SECRET42") {
			t.Errorf("%s %s: the error quotes the credential: %v", c.url, c.env, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s %s: error %q lacks %q", c.url, c.env, err, w)
			}
		}
	}
	for _, ok := range []string{"https://dvc.example.gov.vn/x.csv?token=abc", "HTTPS://dvc.example.gov.vn/x.csv", "http://127.0.0.1:8080/a%20b.csv"} {
		os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n  - name: a\n    kind: http\n    url: "+ok+"\n"), 0o644)
		if _, err := Load(p, nil); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

// TestCAFile: ca_file must hold a PEM certificate; a file without one is
// a bad config (found before any warehouse is opened), not a failed run.
func TestCAFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644)
	p := filepath.Join(dir, "c.yaml")
	load := func(ca string) error {
		os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n  - name: a\n    kind: http\n    url: https://x/y.csv\n    ca_file: "+ca+"\n"), 0o644)
		_, err := Load(p, nil)
		return err
	}
	if err := load("./units.csv"); err == nil || !strings.Contains(err.Error(), "sources[0].ca_file") || !strings.Contains(err.Error(), "không chứa chứng chỉ PEM") {
		t.Errorf("a ca_file with no certificate: %v", err)
	}
	if err := load("./none.pem"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a missing ca_file: %v", err)
	}
	// A real certificate: the one of a loopback TLS server.
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	if err := load("./ca.pem"); err != nil {
		t.Errorf("a good ca_file: %v", err)
	}
}

// publish.grace defaults to 15 days, takes days ("20d") or Go durations,
// and can be overridden by CCHC_PUBLISH_GRACE.
func TestPublishGrace(t *testing.T) {
	cfg, err := Load("testdata/valid.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Publish.Grace != 15*24*time.Hour {
		t.Errorf("default grace = %s, want 360h (15 days)", cfg.Publish.Grace)
	}
	cfg, err = Load("testdata/valid.yaml", []string{"CCHC_PUBLISH_GRACE=20d"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Publish.Grace != 20*24*time.Hour {
		t.Errorf("grace = %s, want 480h", cfg.Publish.Grace)
	}
	if _, err := Load("testdata/valid.yaml", []string{"CCHC_PUBLISH_GRACE=soon"}); err == nil || !strings.Contains(err.Error(), "publish.grace") {
		t.Errorf("bad grace accepted or error does not name the key: %v", err)
	}
}

// columns:, max_reject_rate and future_tolerance: parsed, defaulted and
// validated naming the key.
func TestQuarantineKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(top, src string) string {
		p := filepath.Join(dir, "c.yaml")
		os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644)
		os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\n"+top+"sources:\n  - name: xa-a\n    path: ./x/*.csv\n"+src), 0o644)
		return p
	}
	cfg, err := Load(write("", ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Sources[0]; s.MaxRejectRate != 1 || s.Columns != nil || cfg.FutureTolerance != 24*time.Hour {
		t.Errorf("defaults: %+v, future_tolerance %s", s, cfg.FutureTolerance)
	}
	cfg, err = Load(write("future_tolerance: 72h\n", "    max_reject_rate: 20%\n    columns: {\"Số BN\": dossier_code, \"Người liên hệ\": drop}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Sources[0]
	if s.MaxRejectRate != 0.2 || cfg.FutureTolerance != 72*time.Hour {
		t.Errorf("max_reject_rate %v future_tolerance %s", s.MaxRejectRate, cfg.FutureTolerance)
	}
	if c, _ := s.Columns.Lookup("Số BN"); c != "dossier_code" {
		t.Errorf("columns: Số BN → %q (%v)", c, s.Columns)
	}
	if c, _ := s.Columns.Lookup("Người liên hệ"); c != "personal_data" {
		t.Errorf("columns: Người liên hệ → %q", c)
	}
	cfg, err = Load(write("", ""), []string{`CCHC_SOURCES_XA_A_COLUMNS={"Số BN": "dossier_code"}`, "CCHC_SOURCES_XA_A_MAX_REJECT_RATE=0.5"})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cfg.Sources[0].Columns.Lookup("so bn"); c != "dossier_code" || cfg.Sources[0].MaxRejectRate != 0.5 {
		t.Errorf("env overrides: %+v", cfg.Sources[0])
	}
	for _, c := range []struct{ top, src, want string }{
		{"", "    max_reject_rate: 1.5\n", "sources[0].max_reject_rate"},
		{"", "    columns: {\"Số BN\": dossier}\n", "not a canonical column"},
		{"", "    columns: [a, b]\n", "sources[0].columns"},
		{"future_tolerance: soon\n", "", "future_tolerance"},
	} {
		if _, err := Load(write(c.top, c.src), nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q%q: %v, want %q", c.top, c.src, err, c.want)
		}
	}
}

// The limits: block reaches the typed struct; an unknown or non-positive
// key fails naming it.
func TestLimits(t *testing.T) {
	dir := t.TempDir()
	units := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(units, []byte("unit_code,name,level\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(limits string) string {
		p := filepath.Join(dir, "cchc.yaml")
		body := "warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n  - name: a\n    path: ./in/*.csv\n" + limits
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := Load(write("limits:\n  max_cell_bytes: 1024\n  max_workbook_bytes: 1048576\n  max_json_depth: 8\n  max_merged_fill_bytes: 2048\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{MaxCellBytes: 1024, MaxWorkbookBytes: 1 << 20, MaxJSONDepth: 8, MaxMergedFillBytes: 2048}
	if cfg.Limits != want {
		t.Errorf("limits = %+v, want %+v", cfg.Limits, want)
	}
	for _, c := range []struct{ body, want string }{
		{"limits:\n  max_cells: 3\n", "limits.max_cells"},
		{"limits:\n  max_columns: 0\n", "limits.max_columns"},
		{"limits:\n  max_line_bytes: 1MB\n", "limits.max_line_bytes"},
	} {
		if _, err := Load(write(c.body), nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: want an error naming %s, got %v", c.body, c.want, err)
		}
	}
}

// A source names its dataset (dossiers by default) and, for the PAR
// datasets, may fix the period of its files.
func TestSourceDataset(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		units, _ := filepath.Abs("testdata/units.csv")
		_ = os.WriteFile(filepath.Join(dir, "units.csv"), mustRead(t, units), 0o644)
		return p
	}
	head := "warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n"
	cfg, err := Load(write(head+"  - {name: a, path: ./a/*.csv}\n  - {name: b, path: ./b/*.xlsx, dataset: par_appraisal, period: 2025-H1}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sources[0].Dataset != "dossiers" || cfg.Sources[1].Dataset != "par_appraisal" || cfg.Sources[1].Period != "2025-H1" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	for _, c := range []struct{ body, want string }{
		{"  - {name: a, path: ./a/*.csv, dataset: par}\n", "sources[0].dataset"},
		{"  - {name: a, path: ./a/*.csv, dataset: par_survey, period: 2025-13}\n", "sources[0].period"},
		{"  - {name: a, path: ./a/*.csv, period: 2025}\n", "chỉ dùng cho các bộ dữ liệu PAR"},
		{"  - {name: a, path: ./a/*.csv, dataset: par_survey, max_reject_rate: 0.1}\n", "sources[0].max_reject_rate: chỉ dùng cho dataset dossiers"},
	} {
		if _, err := Load(write(head+c.body), nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.body, err, c.want)
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publish.lake: empty by default (no lake), a path relative to the config
// file, settable by CCHC_PUBLISH_LAKE; it may not be publish.dir, and an
// unknown publish.* key is refused naming it.
func TestPublishLake(t *testing.T) {
	cfg, err := Load("testdata/valid.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Publish.Lake != "" {
		t.Errorf("default lake = %q, want empty (off)", cfg.Publish.Lake)
	}
	cfg, err = Load("testdata/valid.yaml", []string{"CCHC_PUBLISH_LAKE=./lake"})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("testdata/lake")
	if cfg.Publish.Lake != abs {
		t.Errorf("lake = %q, want %q", cfg.Publish.Lake, abs)
	}
	if _, err := Load("testdata/valid.yaml", []string{"CCHC_PUBLISH_LAKE=" + cfg.Publish.Dir}); err == nil || !strings.Contains(err.Error(), "publish.lake") {
		t.Errorf("lake = publish.dir accepted or error does not name the key: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./u.csv\npublish:\n  laek: ./lake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, nil); err == nil || !strings.Contains(err.Error(), "publish.laek") {
		t.Errorf("unknown publish key accepted or not named: %v", err)
	}
}

// A token variable named through an override of token_env
// (CCHC_SOURCES_PORTAL_TOKEN_ENV) is a credential, not an unknown CCHC_
// variable: the names are taken once the overrides are in (review).
func TestEnvCredentialNamedByOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n  - name: portal\n    kind: http\n    url: https://dvc.example.vn/x.csv\n    auth: bearer\n    token_env: CCHC_PORTAL_TOKEN\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, []string{"CCHC_SOURCES_PORTAL_TOKEN_ENV=CCHC_PORTAL_TOKEN2", "CCHC_PORTAL_TOKEN2=x"})
	if err != nil {
		t.Fatalf("token_env overridden by the environment: %v", err)
	}
	if got := cfg.Sources[0].Secret.Value(); got != "x" {
		t.Errorf("token %q, want the overriding variable's", got)
	}
	// An env file that keeps the token of a source commented out of this
	// config: a credential's name, no key's; the config loads.
	if _, err := Load(p, []string{"CCHC_PORTAL_TOKEN=x", "CCHC_DVC_TOKEN=y", "CCHC_OLD_PASSWORD=z"}); err != nil {
		t.Errorf("credential-like variables of other sources: %v", err)
	}
}

// deadline: bounds an HTTP source's whole fetch; 1h when unset; a value
// that is no positive duration is a config error naming the key (or the
// variable that set it), before anything is written.
func TestHTTPDeadlineKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		line string // the deadline: line, "" for none
		env  string
		want time.Duration
		err  string // "" means it loads
	}{
		{"", "", time.Hour, ""},
		{"    deadline: 90m\n", "", 90 * time.Minute, ""},
		{"    deadline: 1h30m\n", "", 90 * time.Minute, ""},
		{"    deadline: 2h\n", "CCHC_SOURCES_PORTAL_DEADLINE=45s", 45 * time.Second, ""},
		{"    deadline: soon\n", "", 0, `c.yaml:7: sources[0].deadline: phải là khoảng thời gian dương như 30m hoặc 2h, nhận được "soon"`},
		{"    deadline: 3600\n", "", 0, `sources[0].deadline: phải là khoảng thời gian dương như 30m hoặc 2h, nhận được "3600"`},
		{"    deadline: 0s\n", "", 0, `sources[0].deadline: phải là khoảng thời gian dương như 30m hoặc 2h, nhận được "0s"`},
		{"    deadline: -1h\n", "", 0, `sources[0].deadline: phải là khoảng thời gian dương như 30m hoặc 2h, nhận được "-1h"`},
		{"", "CCHC_SOURCES_PORTAL_DEADLINE=1d", 0, `biến môi trường CCHC_SOURCES_PORTAL_DEADLINE: sources[0].deadline: phải là khoảng thời gian dương như 30m hoặc 2h, nhận được "1d"`},
	}
	for _, c := range cases {
		t.Run(c.line+c.env, func(t *testing.T) {
			p := filepath.Join(dir, "c.yaml")
			body := "warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n  - name: portal\n    kind: http\n    url: https://dvc.example.vn/x.csv\n" + c.line
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			var env []string
			if c.env != "" {
				env = []string{c.env}
			}
			cfg, err := Load(p, env)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Sources[0].Deadline; got != c.want {
				t.Errorf("deadline %v, want %v", got, c.want)
			}
		})
	}
}

// A credential-like variable in the form of a configured source's key
// (CCHC_SOURCES_PORTAL_TOKEN) that the config does not name as a
// credential is a config error naming the key probably meant, never the
// value (SECRET42); named by token_env (in the file or by an override) it
// is the token, and one of no configured source stays exempt. Without the
// fix every case wanting an error loaded silently.
func TestMistypedCredentialVariable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		portal = "  - name: portal\n    kind: http\n    url: https://dvc.example.vn/x.csv\n"
		bavi   = "  - name: ba\n    path: ./a/*.csv\n  - name: ba-vi\n    kind: http\n    url: https://bavi.example.vn/x.csv\n    auth: basic\n    username_env: BAVI_USER\n    password_env: BAVI_PASS\n"
	)
	cases := []struct {
		name    string
		sources string
		env     []string
		want    []string // fragments of the error; nil means it loads
	}{
		{"token for no token_env", portal, []string{"CCHC_SOURCES_PORTAL_TOKEN=SECRET42"},
			[]string{"biến môi trường CCHC_SOURCES_PORTAL_TOKEN: nguồn portal không có khóa token", "có lẽ ý là token_env",
				"auth: bearer và token_env: CCHC_SOURCES_PORTAL_TOKEN", "CCHC_SOURCES_PORTAL_TOKEN_ENV=CCHC_SOURCES_PORTAL_TOKEN"}},
		{"lower-case source key", portal, []string{"CCHC_SOURCES_Portal_API_TOKEN=SECRET42"},
			[]string{"nguồn portal không có khóa api_token", "có lẽ ý là token_env"}},
		{"secret under bearer", portal + "    auth: bearer\n    token_env: PORTAL_T\n", []string{"PORTAL_T=x", "CCHC_SOURCES_PORTAL_SECRET=SECRET42"},
			[]string{"khóa secret", "có lẽ ý là token_env"}},
		{"password", bavi, []string{"BAVI_USER=u", "BAVI_PASS=p", "CCHC_SOURCES_BA_VI_PASSWORD=SECRET42"},
			[]string{"CCHC_SOURCES_BA_VI_PASSWORD: nguồn ba-vi không có khóa password", "có lẽ ý là password_env", "CCHC_SOURCES_BA_VI_PASSWORD_ENV="}},
		{"pass", bavi, []string{"BAVI_USER=u", "BAVI_PASS=p", "CCHC_SOURCES_BA_VI_PASS=SECRET42"}, []string{"nguồn ba-vi không có khóa pass", "password_env"}},
		{"secret under basic", bavi, []string{"BAVI_USER=u", "BAVI_PASS=p", "CCHC_SOURCES_BA_VI_SECRET=SECRET42"}, []string{"khóa secret", "có lẽ ý là password_env"}},
		{"username", bavi, []string{"BAVI_USER=u", "BAVI_PASS=p", "CCHC_SOURCES_BA_VI_USERNAME=SECRET42"}, []string{"khóa username", "có lẽ ý là username_env"}},
		{"user of the shorter name, a file source", bavi, []string{"BAVI_USER=u", "BAVI_PASS=p", "CCHC_SOURCES_BA_USER=SECRET42"},
			[]string{"nguồn ba không có khóa user", "nguồn kind file không dùng thông tin xác thực"}},
		{"named by token_env", portal + "    auth: bearer\n    token_env: CCHC_SOURCES_PORTAL_TOKEN\n", []string{"CCHC_SOURCES_PORTAL_TOKEN=SECRET42"}, nil},
		{"named by an override of token_env", portal + "    auth: bearer\n    token_env: PORTAL_T\n",
			[]string{"CCHC_SOURCES_PORTAL_TOKEN_ENV=CCHC_SOURCES_PORTAL_TOKEN", "CCHC_SOURCES_PORTAL_TOKEN=SECRET42"}, nil},
		{"named by another source", portal + "  - name: other\n    kind: http\n    url: https://o.example.vn/x.csv\n    auth: bearer\n    token_env: CCHC_SOURCES_PORTAL_TOKEN\n",
			[]string{"CCHC_SOURCES_PORTAL_TOKEN=SECRET42"}, nil},
		{"no such source", portal, []string{"CCHC_SOURCES_DVC_TOKEN=SECRET42", "CCHC_DVC_PASSWORD=SECRET42"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "c.yaml")
			if err := os.WriteFile(p, []byte("warehouse: ./w.duckdb\nunits: ./units.csv\nsources:\n"+c.sources), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, c.env)
			if c.want == nil {
				if err != nil {
					t.Errorf("want it to load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want a config error")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("not a config error: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "SECRET42") {
				t.Errorf("the error shows the value: %v", err)
			}
		})
	}
}

// Each kind of value error is in Vietnamese and placed where a person
// fixes it: the file and line, then the key as written in the file. The
// config under test is base with one line added or replaced (line 4 is the
// first after "sources:", line 5 the key of the source's second line).
func TestValueErrorsVietnamese(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte("unit_code,name,level\nA,B,commune\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.pem"), []byte("no certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const top = "warehouse: ./w.duckdb\nunits: ./units.csv\n"
	const file = "sources:\n  - name: a\n    path: ./a/*.csv\n"
	const http = "sources:\n  - name: p\n    kind: http\n    url: https://dvc.example.vn/x.csv\n"
	cases := []struct {
		name, body string
		env        []string
		line       int    // 0: no line (the key is absent from the file, or set by env)
		key        string // as the person writes it
		want       string // the Vietnamese sentence
	}{
		{"unknown top key", top + file + "colour: red\n", nil, 6, "colour", "cchc không có khóa này"},
		{"unknown publish key", top + file + "publish:\n  folder: ./out\n", nil, 7, "publish.folder", "cchc không có khóa này (tên khóa gõ sai?); sửa tên khóa, các khóa hợp lệ: publish.dir"},
		{"unknown limits key", top + file + "limits:\n  max_rows: 5\n", nil, 7, "limits.max_rows", "cchc không có khóa này"},
		{"no warehouse", "units: ./units.csv\n" + file, nil, 0, "warehouse", "bắt buộc: tệp DuckDB"},
		{"time zone", top + file + "timezone: Asia/Hanoi_X\n", nil, 6, "timezone", `múi giờ "Asia/Hanoi_X" không tồn tại`},
		{"periods", top + file + "periods: fiscal\n", nil, 6, "periods", "phải là calendar hoặc decree09"},
		{"no units", "warehouse: ./w.duckdb\n" + file, nil, 0, "units", "bắt buộc: tệp CSV danh mục đơn vị"},
		{"units missing", "warehouse: ./w.duckdb\nunits: ./none.csv\n" + file, nil, 2, "units", "không tìm thấy tệp danh mục đơn vị"},
		{"methodology", top + file + "methodology: ./m.yaml\n", nil, 6, "methodology", "không phải tên phương pháp có sẵn"},
		{"par methodology", top + file + "par:\n  methodology: ./p.yaml\n", nil, 7, "par.methodology", "không phải tên phương pháp có sẵn"},
		{"par decimals", top + file + "par:\n  decimals: 7\n", nil, 7, "par.decimals", "phải là số nguyên từ 0 đến 6"},
		{"publish format", top + file + "publish:\n  formats: [csv, pdf]\n", nil, 7, "publish.formats", `định dạng "pdf" không được hỗ trợ`},
		{"lake is dir", top + file + "publish:\n  dir: ./out\n  lake: ./out\n", nil, 8, "publish.lake", "phải là thư mục riêng"},
		{"schedule", top + file + "schedule: every night\n", nil, 6, "schedule", "không phải lịch cron"},
		{"memory limit", top + file + "memory_limit: lots\n", nil, 6, "memory_limit", "phải là dung lượng như 512MB"},
		{"limit", top + file + "limits:\n  max_columns: -1\n", nil, 7, "limits.max_columns", "phải là số nguyên dương"},
		{"duration", top + file + "freshness: 3 days\n", nil, 6, "freshness", "phải là khoảng thời gian"},
		{"days", top + file + "publish:\n  grace: 9999d\n", nil, 7, "publish.grace", "phải là khoảng thời gian"},
		{"no sources", top, nil, 0, "sources", "bắt buộc: khai báo ít nhất một nguồn"},
		{"empty sources", top + "sources: []\n", nil, 3, "sources", "bắt buộc: khai báo ít nhất một nguồn"},
		{"sources not a list", top + "sources: ./a/*.csv\n", nil, 3, "sources", "phải là danh sách nguồn"},
		{"source not a mapping", top + "sources:\n  - ./a/*.csv\n", nil, 4, "sources[0]", "mỗi nguồn phải gồm các khóa"},
		{"unknown source key", top + file + "    folder: x\n", nil, 6, "sources[0].folder", "nguồn không có khóa này"},
		{"dataset", top + file + "    dataset: par\n", nil, 6, "sources[0].dataset", "phải là một trong dossiers"},
		{"period", top + file + "    dataset: par_survey\n    period: 2025-13\n", nil, 7, "sources[0].period", "kỳ không hợp lệ"},
		{"encoding", top + file + "    encoding: latin-1\n", nil, 6, "sources[0].encoding", "phải là một trong auto"},
		{"source name", top + "sources:\n  - name: Ba Vi\n    path: ./a/*.csv\n", nil, 4, "sources[0].name", "chỉ gồm chữ thường không dấu"},
		{"duplicate name", top + file + "  - name: a\n    path: ./b/*.csv\n", nil, 6, "sources[1].name", `tên nguồn "a" bị trùng`},
		{"no path", top + "sources:\n  - name: a\n", nil, 0, "sources[0].path", "bắt buộc với kind file"},
		{"bad glob", top + "sources:\n  - name: a\n    path: ./a/[.csv\n", nil, 5, "sources[0].path", "mẫu đường dẫn"},
		{"kind", top + file + "    kind: ftp\n", nil, 6, "sources[0].kind", "phải là file hoặc http"},
		{"format", top + file + "    format: xls\n", nil, 6, "sources[0].format", "phải là auto, csv, xlsx hoặc json"},
		{"reject rate", top + file + "    max_reject_rate: 2\n", nil, 6, "sources[0].max_reject_rate", "phải là tỉ lệ từ 0 đến 1"},
		{"columns only dossiers", top + file + "    dataset: par_survey\n    period: 2025\n    columns: {a: drop}\n", nil, 8, "sources[0].columns", "chỉ dùng cho dataset dossiers"},
		{"columns target", top + file + "    columns: {\"Số BN\": [x]}\n", nil, 6, "sources[0].columns", "phải ghi tên cột chuẩn hoặc drop"},
		{"columns not a mapping", top + file + "    columns: [a]\n", nil, 6, "sources[0].columns", "phải là bảng tiêu đề → cột"},
		{"columns unknown target", top + file + "    columns: {\"Số BN\": dossier}\n", nil, 6, "sources[0].columns", "tiêu đề hoặc cột đích không dùng được"},
		{"columns from env", top + file, []string{"CCHC_SOURCES_A_COLUMNS={bad"}, 0, "sources[0].columns", "phải là bảng tiêu đề → cột"},
		{"index", top + http + "    index: yes\n", nil, 7, "sources[0].index", "phải là true hoặc false"},
		{"timeout", top + http + "    timeout: 0s\n", nil, 7, "sources[0].timeout", "phải là khoảng thời gian dương như 30s hoặc 5m"},
		{"retries", top + http + "    retries: 50\n", nil, 7, "sources[0].retries", "phải là số nguyên từ 0 đến 20"},
		{"max bytes", top + http + "    max_bytes: 0\n", nil, 7, "sources[0].max_bytes", "phải là số byte dương"},
		{"no token_env", top + http + "    auth: bearer\n", nil, 0, "sources[0].token_env", "bắt buộc với auth bearer"},
		{"token unset", top + http + "    auth: bearer\n    token_env: P_TOKEN\n", nil, 8, "sources[0].token_env", "biến môi trường P_TOKEN chưa được đặt"},
		{"auth", top + http + "    auth: digest\n", nil, 7, "sources[0].auth", "phải là bearer hoặc basic"},
		{"redirects", top + http + "    redirects: follow\n", nil, 7, "sources[0].redirects", "phải là strip hoặc refuse"},
		{"ca file missing", top + http + "    ca_file: ./ca.pem\n", nil, 7, "sources[0].ca_file", "không tìm thấy tệp"},
		{"ca file empty", top + http + "    ca_file: ./empty.pem\n", nil, 7, "sources[0].ca_file", "không chứa chứng chỉ PEM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "c.yaml")
			if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, c.env)
			if err == nil {
				t.Fatal("want a config error")
			}
			place := "cấu hình " + p
			if c.env != nil {
				place = "cấu hình: biến môi trường " + strings.SplitN(c.env[0], "=", 2)[0]
			} else if c.line > 0 {
				place += fmt.Sprintf(":%d", c.line)
			}
			for _, w := range []string{place + ": " + c.key + ": ", c.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// The errors about the file as a whole name it first, in Vietnamese, and
// keep the library's error in parentheses.
func TestFileErrorsVietnamese(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "tab.yaml")
	if err := os.WriteFile(bad, []byte("warehouse: ./w.duckdb\n\tunits: ./units.csv\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "none.yaml")
	for _, c := range []struct {
		path string
		want []string
		is   error
	}{
		{bad, []string{"cấu hình " + bad + ": tệp YAML sai cú pháp", "không dùng tab", "(malformed YAML: yaml: line 2"}, nil},
		{missing, []string{"cấu hình " + missing + ": không tìm thấy tệp", "--config", "(file not found: "}, os.ErrNotExist},
		{dir, []string{"cấu hình " + dir + ": không đọc được tệp", "is a directory"}, nil},
	} {
		_, err := Load(c.path, nil)
		if err == nil {
			t.Fatalf("Load(%s): no error", c.path)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Load(%s) = %q; want it to contain %q", c.path, err, w)
			}
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("Load(%s) = %v; want errors.Is %v", c.path, err, c.is)
		}
	}
}
