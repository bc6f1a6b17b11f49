package report

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"rampart/internal/browsertest"
)

// pageProblems collects what a page reports as wrong: console errors and
// warnings, uncaught exceptions, log entries at warning or error (CSP
// violations among them), and requests for anything but the page.
type pageProblems struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (p *pageProblems) add(format string, args ...any) {
	p.mu.Lock()
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

func (p *pageProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		desc := ""
		if d.Exception != nil {
			desc = d.Exception.Description
		}
		p.add("exception at %s:%d: %s %s", d.URL, d.LineNumber, d.Text, desc)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
			p.add("log %s %s: %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text)
		}
	case *network.EventRequestWillBeSent:
		p.mu.Lock()
		p.requests = append(p.requests, ev.Request.URL)
		p.mu.Unlock()
	}
}

func (p *pageProblems) take() (problems, requests []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	problems, requests = p.problems, p.requests
	p.problems, p.requests = nil, nil
	return problems, requests
}

// TestBrowserHTML opens the HTML report in headless Chromium: it must
// render every finding, run no script, load nothing but itself and log no
// console error, exception or CSP violation. A full-page screenshot is
// kept in RAMPART_TEST_ARTIFACTS.
func TestBrowserHTML(t *testing.T) {
	path := browsertest.Find(t)
	dir := browsertest.ArtifactDir(t)
	report := filepath.Join(dir, "scan-report.html")
	f, err := os.Create(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(f, sampleReport(), sampleOptions()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	ctx := browsertest.Start(t, path, 60*time.Second, chromedp.WindowSize(1200, 900))
	var pp pageProblems
	if err := chromedp.Listen(ctx, pp.listen); err != nil {
		t.Fatal(err)
	}
	for _, enable := range []func() error{
		func() error { _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); return err },
	} {
		if err := enable(); err != nil {
			t.Fatalf("enable a DevTools domain: %v", err)
		}
	}

	// The listener has teeth: a page with an error is caught.
	bad := "data:text/html," + url.PathEscape(`<script>console.error("planted error")</script>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(bad), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open the planted page: %v", err)
	}
	waitFor(t, func() bool {
		pp.mu.Lock()
		defer pp.mu.Unlock()
		return len(pp.problems) > 0
	}, "the planted console error to be seen")
	pp.take()

	fileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(report)}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(fileURL), chromedp.WaitVisible(chromedp.CSS("article.finding"))); err != nil {
		t.Fatalf("open %s: %v", fileURL, err)
	}
	check := func(what, js string, want any) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("findings shown", `document.querySelectorAll("article.finding").length`, 5)
	check("scripts in the page", `document.scripts.length`, 0)
	check("critical card", `document.querySelector(".card.sev-critical .n").textContent`, "1")
	check("TLS grade", `document.querySelector(".grade").textContent`, "B")
	check("hostile evidence shown as text", `document.body.textContent.includes('<script>alert("x")</script>')`, true)
	check("no element from evidence", `document.querySelectorAll("img, iframe, svg").length`, 0)
	check("evidence folded", `document.querySelector("article.finding details").open`, false)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("article.finding details summary"))); err != nil {
		t.Fatalf("open the evidence: %v", err)
	}
	check("evidence opens", `document.querySelector("article.finding details").open`, true)
	check("the style sheet applied", `getComputedStyle(document.querySelector(".badge")).textTransform`, "uppercase")

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shotPath := filepath.Join(dir, "scan-report.png")
	if err := os.WriteFile(shotPath, shot, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("report %s, screenshot %s", report, shotPath)

	problems, requests := pp.take()
	for _, p := range problems {
		t.Errorf("the report page logged: %s", p)
	}
	for _, r := range requests {
		if r != fileURL {
			t.Errorf("the report page requested %s", r)
		}
	}
}

// waitFor polls cond, which reads what the browser sent, until it holds
// or five seconds pass. Events come from another goroutine; there is no
// clock in the test to advance.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
