// Package browsertest starts headless Chromium for the tests that check
// pages in a real browser (the portal, the scan report, the scanner's
// DOM checks). It is imported by tests only.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Names are the executables tried, in order.
var Names = []string{"chromium", "chromium-browser", "google-chrome"}

// Find returns the path of a Chromium-based browser on PATH. It skips the
// test when there is none, unless RAMPART_TEST_BROWSER=1 (as CI sets),
// where a missing browser is a failure rather than a silent skip.
func Find(tb testing.TB) string {
	tb.Helper()
	for _, name := range Names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("RAMPART_TEST_BROWSER") == "1" {
		tb.Fatalf("RAMPART_TEST_BROWSER=1 but none of %s is on PATH; install Debian's chromium", strings.Join(Names, ", "))
	}
	tb.Skipf("no browser: none of %s is on PATH; install Debian's chromium, or set RAMPART_TEST_BROWSER=1 to make this a failure", strings.Join(Names, ", "))
	return ""
}

// ArtifactDir is where a test keeps files for a person to look at
// (screenshots): RAMPART_TEST_ARTIFACTS when set (CI keeps it), else a
// temporary directory.
func ArtifactDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("RAMPART_TEST_ARTIFACTS")
	if dir == "" {
		return tb.TempDir()
	}
	if err := os.MkdirAll(dir, 0o750); err != nil { // #nosec G703 -- the directory the person running the tests named
		tb.Fatalf("create artifact directory: %v", err)
	}
	return dir
}

// Options are the flags every test browser gets: headless, no sandbox
// (CI runs as root, where Chromium's sandbox cannot start), and none of
// the background traffic a closed network refuses.
func Options(path string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	return append(opts, extra...)
}

// Start starts the browser at path and returns a tab whose context ends
// at timeout or when the test does.
func Start(t *testing.T, path string, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, Options(path, extra...)...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	// The first action starts the browser on ctx itself: starting it on a
	// context derived with a deadline of its own would close it with that.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}
