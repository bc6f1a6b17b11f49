// Package browsertest starts headless Chromium for the tests that check
// pages in a real browser (the portal, the scan report, the scanner's
// DOM checks). It is imported by tests only.
package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rampart/internal/chromium"
)

// Find returns the path of a Chromium-based browser on PATH. It skips the
// test when there is none, unless RAMPART_TEST_BROWSER=1 (as CI sets),
// where a missing browser is a failure rather than a silent skip.
func Find(tb testing.TB) string {
	tb.Helper()
	path, err := chromium.Find()
	if err == nil {
		return path
	}
	if os.Getenv("RAMPART_TEST_BROWSER") == "1" {
		tb.Fatalf("RAMPART_TEST_BROWSER=1 but %v; install Debian's chromium", err)
	}
	tb.Skipf("no browser: %v; install Debian's chromium, or set RAMPART_TEST_BROWSER=1 to make this a failure", err)
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

// Start starts the browser at path and returns a tab whose context ends
// at timeout or when the test does.
func Start(t *testing.T, path string, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromium.Options(path, extra...)...)
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
