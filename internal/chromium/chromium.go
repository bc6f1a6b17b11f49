// Package chromium finds a headless Chromium and the flags it runs with,
// for the scanner's browser and for the tests that check pages in a real
// browser.
package chromium

import (
	"errors"
	"os/exec"
	"strings"

	"github.com/chromedp/chromedp"
)

// Names are the executables tried, in order.
var Names = []string{"chromium", "chromium-browser", "google-chrome"}

// Find returns the path of the first of Names on PATH.
func Find() (string, error) {
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (none of " + strings.Join(Names, ", ") + " is on PATH)")
}

// Options are the flags Chromium at path runs with: headless, without
// its sandbox (scans and CI run in containers, often as root, where the
// sandbox cannot start), and without the background traffic a closed
// network refuses; extra come last.
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
