package main

import (
	"strings"
	"testing"
)

// validate downloads an HTTP source's files into a private folder under
// TMPDIR when the warehouse's downloads folder is not its user's (here: not
// made yet). A TMPDIR that does not exist is the machine's problem, not the
// config's: exit 1 with a Vietnamese message naming the folder, not exit 2
// ("config invalid") with Go's bare error. (Final review of this session.)
func TestValidateUnusableTmpdir(t *testing.T) {
	dir := project(t, "  - name: portal\n    kind: http\n    url: http://127.0.0.1:1/x.csv\n    retries: 0\n    unit: H.BAVI\n", "")
	r := cchc(t, dir, []string{"TMPDIR=/nonexistent-cchc-tmpdir"}, "validate")
	if r.code != 1 || !strings.Contains(r.stderr, "không tạo được thư mục tạm trong /nonexistent-cchc-tmpdir") || !strings.Contains(r.stderr, "TMPDIR") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming the temporary folder", r.code, strings.TrimSpace(r.stderr))
	}
}
