package sources

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// makeTree writes files (relative path → modification time offset in
// minutes) under a new temporary folder.
func makeTree(t *testing.T, files map[string]int) string {
	t.Helper()
	root := t.TempDir()
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for name, min := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(min) * time.Minute)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFileSourceList(t *testing.T) {
	root := makeTree(t, map[string]int{
		"a.xlsx":              3,
		"b.csv":               1,
		"c.CSV":               1,
		"notes.md":            0,
		".hidden.csv":         0,
		"~$a.xlsx":            5,
		"2026/03/d.xlsx":      2,
		"2026/03/e.json":      4,
		"2026/.git/f.xlsx":    0,
		"2026/04/deep/g.xlsx": 6,
	})
	tests := []struct {
		pattern string
		want    []string // relative to root, in listing order
	}{
		{"", []string{"b.csv", "c.CSV", "a.xlsx"}}, // the folder itself
		{"*.xlsx", []string{"a.xlsx"}},
		{"*.csv", []string{"b.csv"}},
		{"*/*/*.xlsx", []string{"2026/03/d.xlsx"}},
		{"**/*.xlsx", []string{"2026/03/d.xlsx", "a.xlsx", "2026/04/deep/g.xlsx"}},
		{"2026/**", []string{"2026/03/d.xlsx", "2026/03/e.json", "2026/04/deep/g.xlsx"}},
		{"2026/**/deep/*.xlsx", []string{"2026/04/deep/g.xlsx"}},
		{"nothing-*.csv", nil},
		{"b.csv", []string{"b.csv"}},
		{"missing.csv", nil},
	}
	// A folder that does not exist fails the source (an unmounted share
	// must not pass for "no exports tonight"); a missing file in an existing
	// folder is just no file.
	for _, missing := range []string{"missing-folder/**/*.csv", "missing-folder/*.csv", "missing-folder/a.csv"} {
		_, err := NewFileSource("ba-vi", filepath.Join(root, filepath.FromSlash(missing))).List(context.Background())
		if err == nil || !strings.HasPrefix(err.Error(), "nguồn ba-vi: thư mục "+filepath.Join(root, "missing-folder")+" không tồn tại") ||
			!strings.Contains(err.Error(), "kiểm tra đường dẫn") || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s: err = %v", missing, err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			src := NewFileSource("ba-vi", filepath.Join(root, filepath.FromSlash(tt.pattern)))
			refs, err := src.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				rel, _ := filepath.Rel(root, r.Path)
				got = append(got, filepath.ToSlash(rel))
				if r.Source != "ba-vi" || r.Size != int64(len(filepath.ToSlash(rel))) || r.ModTime.Location() != time.UTC {
					t.Errorf("bad ref %+v", r)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFileSourceBadPattern(t *testing.T) {
	_, err := NewFileSource("x", filepath.Join(t.TempDir(), "[a-*.csv")).List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad path pattern") || !strings.HasPrefix(err.Error(), "nguồn x: mẫu đường dẫn") {
		t.Errorf("err = %v", err)
	}
}

func TestFileSourceFetch(t *testing.T) {
	root := makeTree(t, map[string]int{"a.csv": 0})
	src := NewFileSource("x", root)
	refs, err := src.List(context.Background())
	if err != nil || len(refs) != 1 {
		t.Fatal(refs, err)
	}
	p, cleanup, err := src.Fetch(context.Background(), refs[0])
	if err != nil || p != refs[0].Path {
		t.Fatal(p, err)
	}
	cleanup()
	if _, err := os.Stat(p); err != nil {
		t.Errorf("cleanup removed the source file: %v", err)
	}
	os.Remove(p)
	if _, _, err := src.Fetch(context.Background(), refs[0]); err == nil {
		t.Error("fetching a removed file succeeded")
	}
}

func TestHashFileSums(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, err := HashFileSums(p)
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; err != nil || got != want {
		t.Errorf("HashFileSums = %q, %v; want %q", got, err, want)
	}
	if _, _, err := HashFileSums(p + ".missing"); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestMatchSegments(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"**", "a/b/c", true},
		{"**/*.csv", "x.csv", true},
		{"**/*.csv", "a/b/x.csv", true},
		{"**/*.csv", "a/b/x.xlsx", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"*/x", "a/b/x", false},
	}
	for _, tt := range tests {
		if got := matchSegments(strings.Split(tt.pat, "/"), strings.Split(tt.name, "/")); got != tt.want {
			t.Errorf("matchSegments(%q, %q) = %v", tt.pat, tt.name, got)
		}
	}
}

// A symlink in the export folder is followed only inside the source
// folder; one leading out (to a system file) is listed as Skipped and never
// read, and a symlink loop or dangling link fails that entry alone.
func TestFileSourceSymlinks(t *testing.T) {
	outside := makeTree(t, map[string]int{"secret.csv": 0})
	for _, pattern := range []string{"", "*.csv", "**/*.csv"} {
		t.Run(pattern, func(t *testing.T) {
			root := makeTree(t, map[string]int{"good.csv": 1, "sub/inner.csv": 2})
			links := map[string]string{
				"out.csv":      filepath.Join(outside, "secret.csv"),
				"passwd.csv":   "/etc/passwd",
				"in.csv":       filepath.Join(root, "good.csv"),
				"loop.csv":     filepath.Join(root, "loop2.csv"),
				"loop2.csv":    filepath.Join(root, "loop.csv"),
				"dangling.csv": filepath.Join(root, "missing.csv"),
			}
			for name, target := range links {
				if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
					t.Fatal(err)
				}
			}
			refs, err := NewFileSource("s", filepath.Join(root, pattern)).List(context.Background())
			if err != nil {
				t.Fatalf("one bad entry must not fail the source: %v", err)
			}
			got := map[string]string{}
			for _, r := range refs {
				kind := "ok"
				switch {
				case r.Err != nil:
					kind = "err"
				case r.Skipped != "":
					kind = "skipped"
				}
				got[filepath.Base(r.Path)] = kind
			}
			want := map[string]string{"good.csv": "ok", "in.csv": "ok", "out.csv": "skipped", "passwd.csv": "skipped",
				"loop.csv": "err", "loop2.csv": "err", "dangling.csv": "err"}
			if pattern == "**/*.csv" {
				want["inner.csv"] = "ok"
			}
			for name, kind := range want {
				if got[name] != kind {
					t.Errorf("%s: %q, want %q (all: %v)", name, got[name], kind, got)
				}
			}
		})
	}
}

func TestQuoteNames(t *testing.T) {
	long := strings.Repeat("ạ", 50)
	cases := []struct {
		in   []string
		want string
	}{
		{[]string{"Mã hồ sơ", "Ngày"}, `"Mã hồ sơ", "Ngày"`},
		{[]string{"a\x00b", "c\nd"}, `"a\x00b", "c\nd"`},
		{[]string{long}, `"` + strings.Repeat("ạ", 40) + `"…`},
		{[]string{"1", "2", "3", "4", "5", "6", "7"}, `"1", "2", "3", "4", "5" … (và 2 tên khác)`},
	}
	for _, c := range cases {
		if got := QuoteNames(c.in); got != c.want {
			t.Errorf("QuoteNames(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
