package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNothingFromFileInErrors: a headerless export's first row (a
// citizen's details) is not copied into the error beyond five capped
// names; a symlink in the export folder pointing at a file outside it is
// never read (the log says so), so its first line reaches neither the
// warehouse nor the log; a symlink loop fails that entry only, and the good
// file beside them loads.
func TestNothingFromFileInErrors(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, `  - name: l
    path: ./exports/l
    unit: H.BAVI
`)
	l := filepath.Join(dir, "exports", "l")
	if err := os.MkdirAll(l, 0o755); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, "exports", "a", "02-april.csv"))
	if err != nil {
		t.Fatal(err)
	}
	row := "Ba Vì,Cấp giấy phép xây dựng,Xây dựng,Trực tuyến,02/03/2026 08:00,Nguyễn Văn An,001190012345,0912345671,an@example.vn\n"
	secret := filepath.Join(t.TempDir(), "system.csv")
	files := map[string]string{"good.csv": string(good), "headerless.csv": row + row, secret: "root-secret-first-line,x\n1,2\n"}
	for name, body := range files {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(l, name)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"system.csv": secret, "loop.csv": filepath.Join(l, "loop.csv")} {
		if err := os.Symlink(target, filepath.Join(l, name)); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		t.Logf("%s: %s", filepath.Base(f.Path), f.Error)
	}
	status := map[string]string{}
	for _, f := range sum.Files {
		status[filepath.Base(f.Path)] = f.Status
		if strings.Contains(f.Error, "an@example.vn") || strings.Contains(f.Error, "0912345671") {
			t.Errorf("%s: error quotes the row beyond five names: %s", f.Path, f.Error)
		}
	}
	want := map[string]string{"good.csv": "loaded", "headerless.csv": "failed", "loop.csv": "failed"}
	for name, st := range want {
		if status[name] != st {
			t.Errorf("%s: %q, want %q (all %v)", name, status[name], st, status)
		}
	}
	if _, ok := status["system.csv"]; ok {
		t.Error("a symlink out of the source folder was read")
	}
	if !strings.Contains(logs.String(), "không đọc tệp") || !strings.Contains(logs.String(), "system.csv") {
		t.Errorf("the log does not say the symlink was not followed:\n%s", logs.String())
	}
	for _, q := range []string{
		`SELECT count(*) FROM source_files WHERE coalesce(error, '') LIKE '%root-secret%' OR path LIKE '%system.csv'`,
		`SELECT count(*) FROM runs WHERE coalesce(message, '') LIKE '%root-secret%'`,
		`SELECT count(*) FROM quarantine WHERE raw_record LIKE '%root-secret%' OR raw_value LIKE '%root-secret%'`,
	} {
		if n := scalar[int64](t, w, q); n != 0 {
			t.Errorf("%s: %d", q, n)
		}
	}
	if strings.Contains(logs.String(), "root-secret") {
		t.Error("the log carries the outside file's content")
	}
}
