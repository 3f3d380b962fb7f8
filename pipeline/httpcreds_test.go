package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/internal/testfixture"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// A server that echoes the source's token in a 200 export, or answers with
// an HTML page quoting it, gets those files refused: the token is in
// neither the warehouse file, its snapshot nor the logs, and the ledger
// says why in terms a clerk can act on. A clean export of the same run is
// loaded.
func TestHTTPEchoedTokenNotStored(t *testing.T) {
	const token = "tok-ECHO-5b7c1d"
	dir := testfixture.Copy(t, "testdata/e2e")
	march, err := os.ReadFile(filepath.Join(dir, "exports/a/01-march.csv"))
	if err != nil {
		t.Fatal(err)
	}
	april, _ := os.ReadFile(filepath.Join(dir, "exports/a/02-april.csv"))
	echoed := bytes.Replace(march, []byte("Cấp giấy phép xây dựng"), []byte(token), 1)
	if bytes.Equal(echoed, march) {
		t.Fatal("fixture changed: no cell to replace")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/index.txt":
			w.Write([]byte("echo.csv\npage.csv\nok.csv\n"))
		case "/echo.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write(echoed)
		case "/page.csv":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<!doctype html><p>Phiên hết hạn cho token " + token + "</p>"))
		default:
			w.Header().Set("Content-Type", "text/csv")
			w.Write(april)
		}
	}))
	defer srv.Close()
	yaml := "warehouse: ./cchc.duckdb\nunits: ./units.csv\nsources:\n  - name: portal\n    kind: http\n    url: " + srv.URL +
		"/index.txt\n    index: true\n    retries: 0\n    unit: H.BAVI\n    auth: bearer\n    token_env: CCHC_PORTAL_TOKEN\n"
	if err := os.WriteFile(filepath.Join(dir, "cchc.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "cchc.yaml"), []string{"CCHC_PORTAL_TOKEN=" + token})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := units.Load(cfg.Units)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	sum, err := Batch(context.Background(), cfg, reg, Options{NoPublish: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil || sum.Snapshot == "" || sum.Run.RowsLoaded == 0 {
		t.Fatalf("run: %v %+v", err, sum)
	}
	for name, path := range map[string]string{"warehouse": cfg.Warehouse, "snapshot": sum.Snapshot} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("the token is in the %s file", name)
		}
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the logs:\n%s", logs.String())
	}
	w, err := warehouse.Open(context.Background(), cfg.Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var echoErr, pageErr string
	var okStatus string
	w.DB().QueryRow(`SELECT max(error) FILTER (WHERE path LIKE '%/echo.csv'), max(error) FILTER (WHERE path LIKE '%/page.csv'),
		max(status) FILTER (WHERE path LIKE '%/ok.csv') FROM source_files`).Scan(&echoErr, &pageErr, &okStatus)
	if !strings.Contains(echoErr, "phản hồi chứa thông tin xác thực") || !strings.Contains(pageErr, "một trang HTML") ||
		!strings.Contains(pageErr, "[redacted]") || okStatus != "loaded" {
		t.Errorf("ledger: echo.csv %q, page.csv %q, ok.csv %q", echoErr, pageErr, okStatus)
	}
	var stored int
	w.DB().QueryRow(`SELECT (SELECT count(*) FROM dossiers d WHERE contains(CAST(d AS VARCHAR), ?))
		+ (SELECT count(*) FROM quarantine q WHERE contains(CAST(q AS VARCHAR), ?))
		+ (SELECT count(*) FROM source_files f WHERE contains(CAST(f AS VARCHAR), ?))`, token, token, token).Scan(&stored)
	if stored != 0 {
		t.Errorf("the token is stored in %d rows", stored)
	}
}
