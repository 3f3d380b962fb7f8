package main

import (
	"os/exec"
	"regexp"
	"testing"
)

// `cchc --version` names the release, the commit and the DuckDB library
// linked in: an operator reporting a problem, or opening the warehouse with
// another DuckDB, needs all three. The test binary is a plain `go build`
// (no -ldflags), so the release is "dev".
func TestVersion(t *testing.T) {
	out, err := exec.Command(binary, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("cchc --version: %v\n%s", err, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^cchc dev$`),
		regexp.MustCompile(`(?m)^commit: \S`),
		regexp.MustCompile(`(?m)^DuckDB: v1\.1\.2$`),
	} {
		if !want.Match(out) {
			t.Errorf("cchc --version: no line matching %s in\n%s", want, out)
		}
	}
}
