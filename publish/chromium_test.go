package publish

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Chromium is not installed (apt-get install -y chromium): report.html is not checked in a real browser")
	return ""
}

// frame holds the report in an iframe of the width under test (headless
// Chromium's window is at least 500 px wide) and prints what the probe
// inside reports.
const frame = `<!DOCTYPE html><html><body style="margin:0">
<iframe src="probe.html" style="width: WIDTHpx; height: 900px; border: 0"></iframe>
<script>window.addEventListener('message', function (e) {
  var p = document.createElement('pre'); p.textContent = e.data; document.body.appendChild(p);
});</script></body></html>`

// probe is appended to a copy of the report: after layout it writes what a
// reader's browser sees into the page, which --dump-dom prints.
const probe = `<script>
(function () {
  var d = document.documentElement;
  var bars = document.querySelectorAll('.par-bar span');
  var wide = 0, what = [];
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !e.closest('.wrap')) { wide++; if (what.length < 3) { what.push(e.tagName + '.' + e.className + ':' + Math.round(r.right)); } }
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = 'viewport=' + window.innerWidth + ' scrollWidth=' + d.scrollWidth + ' bars=' + bars.length +
    ' firstBar=' + (bars.length ? Math.round(bars[0].getBoundingClientRect().width) : 0) +
    ' track=' + (bars.length ? Math.round(bars[0].parentNode.getBoundingClientRect().width) : 0) + ' wide=' + wide + ' ' + what.join(',');
  document.body.appendChild(out);
  window.parent.postMessage(out.textContent, '*');
})();
</script>`

var probeRe = regexp.MustCompile(`viewport=(\d+) scrollWidth=(\d+) bars=(\d+) firstBar=(\d+) track=(\d+) wide=(\d+)[^<\n]*`)

// report.html opened in headless Chromium at a phone's 390 px and at a
// desktop's 1280 px: the page itself never scrolls sideways (wide tables
// scroll inside their box). The CCHC index of 2025 (PAR only) draws a bar
// per ranked unit, the first (90 of 100) at 90% of its track; the service
// report of the publish fixture (wide component tables) fits too.
func TestReportInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	w := parWarehouse(t)
	if _, err := Period(context.Background(), w.DB(), "2025", Options{Dir: dir, Formats: []string{"html"}}); err != nil {
		t.Fatal(err)
	}
	db := newFixture(t)
	if _, err := Period(context.Background(), db, testPeriod, Options{Dir: dir, Formats: []string{"html"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		period string
		bars   int
	}{{"2025", 6}, {testPeriod, 0}} { // 2025: 4 departments + 2 communes ranked
		report, err := os.ReadFile(filepath.Join(dir, c.period, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{390, 1280} {
			m := probeReport(t, bin, report, width)
			t.Logf("%s at %d px: %s", c.period, width, m[0])
			if m[1] != itoa(width) {
				t.Errorf("%s: viewport %s px, want %d", c.period, m[1], width)
			}
			if m[2] != m[1] || m[6] != "0" {
				t.Errorf("%s at %d px: the page scrolls sideways (scrollWidth %s, %s elements stick out)", c.period, width, m[2], m[6])
			}
			if m[3] != itoa(c.bars) {
				t.Errorf("%s: %s bars, want %d", c.period, m[3], c.bars)
			}
			if c.bars > 0 {
				bar, track := atoi(m[4]), atoi(m[5])
				if track == 0 || bar*100 < track*88 || bar*100 > track*92 {
					t.Errorf("%s at %d px: first bar %d px of %d, want 90%%", c.period, width, bar, track)
				}
			}
		}
	}
}

// probeReport renders report in an iframe width px wide and returns the
// probe's figures.
func probeReport(t *testing.T, bin string, report []byte, width int) []string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "probe.html"), bytes.Replace(report, []byte("</body>"), []byte(probe+"</body>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(dir, "frame.html")
	if err := os.WriteFile(top, []byte(strings.Replace(frame, "WIDTH", itoa(width), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--user-data-dir="+t.TempDir(), "--hide-scrollbars",
		"--window-size=1400,1000", "--virtual-time-budget=3000", "--dump-dom", "file://"+top)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium at %d px: %v\n%s", width, err, lastLines(errb.String(), 10))
	}
	m := probeRe.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("chromium at %d px: no probe output\n%s", width, lastLines(out.String(), 5))
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
