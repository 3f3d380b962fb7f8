package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The README and docs/ must be readable by someone who has only the
// repository: every relative link resolves to a file inside it, and every
// #anchor into a Markdown file names one of its headings.
func TestDocsLinks(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("docs/ holds %d Markdown files, want at least contract.md, methodology.md and architecture.md", len(files))
	}
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	for _, f := range files {
		for _, p := range checkMarkdownLinks(root, f) {
			t.Error(p)
		}
	}
}

// The README points to the contract, the methodology and the architecture
// in the repository, and neither it nor docs/ names the design files that
// live outside it (in code spans, not only in links).
func TestDocsREADMEPointsIntoRepository(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"](docs/contract.md)", "](docs/methodology.md)", "](docs/architecture.md)"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README.md has no link %q", want)
		}
	}
	files, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]string{"../README.md"}, files...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, outside := range []string{"../shared", "DESIGN.md", "METHODOLOGY.md", "DUCKDB-NOTES.md"} {
			if strings.Contains(string(b), outside) {
				t.Errorf("%s mentions %s, which is not in the repository", f, outside)
			}
		}
	}
}

// The checker itself, on hand-made files: each bad link is reported, the
// good ones are not.
func TestDocsLinkChecker(t *testing.T) {
	root := t.TempDir()
	must := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(filepath.Join(root, "docs", "a.md"), "# Title\n\n## Unknown is not false\n\n## Ranks (1, 2, 2, 4)\n")
	must(filepath.Join(root, "deploy", "x.service"), "")
	cases := []struct {
		link string
		ok   bool
	}{
		{"docs/a.md", true},
		{"docs/a.md#unknown-is-not-false", true},
		{"docs/a.md#ranks-1-2-2-4", true},
		{"deploy/x.service", true},
		{"deploy/", true},
		{"https://example.gov.vn/a", true},
		{"mailto:a@example.org", true},
		{"#top", true},
		{"<docs/a.md>", true},
		{`docs/a.md "title"`, true},
		{"../shared/DESIGN.md", false},
		{"docs/../../x.md", false},
		{"/etc/passwd", false},
		{"docs/missing.md", false},
		{"docs/a.md#no-such-heading", false},
		{"#no-such-heading", false},
	}
	for _, c := range cases {
		readme := filepath.Join(root, "README.md")
		must(readme, "# Top\n\nSee [it]("+c.link+").\n\n```\n[not a link](../in/code/block)\n```\n")
		problems := checkMarkdownLinks(root, readme)
		if c.ok && len(problems) > 0 {
			t.Errorf("%s: unexpected %v", c.link, problems)
		}
		if !c.ok && len(problems) != 1 {
			t.Errorf("%s: got %d problems %v, want 1", c.link, len(problems), problems)
		}
	}
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^()\s]*(?:\s+"[^"]*")?)\)`)
	urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// checkMarkdownLinks returns one message per inline link `](target)` of
// the Markdown file path (outside fenced code blocks) whose target is not
// a URL and does not resolve to an existing file or folder inside root, or
// whose #anchor names no heading of the Markdown file it points to.
func checkMarkdownLinks(root, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	rel, _ := filepath.Rel(root, path)
	var problems []string
	fenced := false
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			target := strings.Fields(m[1] + " ")[0]
			target = strings.TrimSuffix(strings.TrimPrefix(target, "<"), ">")
			if msg := checkLinkTarget(root, path, target); msg != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: link %q: %s", rel, i+1, target, msg))
			}
		}
	}
	return problems
}

func checkLinkTarget(root, from, target string) string {
	if target == "" || urlScheme.MatchString(target) {
		return ""
	}
	file, anchor, _ := strings.Cut(target, "#")
	if strings.HasPrefix(file, "/") {
		return "absolute path; link relative to this file"
	}
	dest := from
	if file != "" {
		dest = filepath.Join(filepath.Dir(from), filepath.FromSlash(file))
		if r, err := filepath.Rel(root, dest); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "points outside the repository"
		}
		if _, err := os.Stat(dest); err != nil {
			return "no such file in the repository"
		}
	}
	if anchor == "" || !strings.HasSuffix(dest, ".md") {
		return ""
	}
	b, err := os.ReadFile(dest)
	if err != nil {
		return err.Error()
	}
	if !markdownAnchors(string(b))[anchor] {
		return "no heading with this anchor"
	}
	return ""
}

// markdownAnchors returns the anchors GitHub gives the headings of a
// Markdown document: lower case, punctuation dropped, spaces as "-", a
// repeated anchor suffixed -1, -2, ...
func markdownAnchors(doc string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var sb strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '_':
				sb.WriteRune(r)
			case r == ' ':
				sb.WriteRune('-')
			}
		}
		a := sb.String()
		if n := seen[a]; n > 0 {
			seen[a] = n + 1
			a = fmt.Sprintf("%s-%d", a, n)
		} else {
			seen[a] = 1
		}
		anchors[a] = true
	}
	return anchors
}
