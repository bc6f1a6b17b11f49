package main

import (
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"rampart/internal/demo"
	"rampart/internal/scan"
)

// flawedSite is a small site with passive flaws: no security headers, a
// version banner, a session cookie without flags, and a debug page that
// shows a stack trace and echoes the request headers (where the scan's
// credentials would leak into evidence).
func flawedSite() http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Server", "Apache/2.4.41 (Ubuntu)")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>shop</title></head><body>%s</body></html>", body)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s-0123456789abcdef", Path: "/"})
		page(w, `<h1>Shop</h1><a href="/about">About</a> <a href="/debug">Debug</a>`)
	})
	mux.HandleFunc("/about", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<p>About us.</p><a href="/">Home</a>`)
	})
	mux.HandleFunc("/debug", func(w http.ResponseWriter, r *http.Request) {
		var hs []string
		for name, vs := range r.Header {
			for _, v := range vs {
				hs = append(hs, name+": "+v)
			}
		}
		sort.Strings(hs)
		w.WriteHeader(http.StatusInternalServerError)
		page(w, "<pre>Traceback (most recent call last):\n"+
			"  File \"/srv/app/views.py\", line 42, in handler\n    result = compute(x)\n"+
			"  File \"/srv/app/lib.py\", line 7, in compute\n    return 1/0\n"+
			"ZeroDivisionError: division by zero\n\nRequest headers:\n"+strings.Join(hs, "\n")+"</pre>")
	})
	return mux
}

func readReport(t *testing.T, path string) *scan.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r scan.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

func hasCheck(fs []scan.Finding, check string) bool {
	return slices.ContainsFunc(fs, func(f scan.Finding) bool { return f.Check == check })
}

// TestScanEndToEnd runs the real scanner from the command line against a
// flawed site: every format is written and readable, the findings are
// there, --fail-on sets the exit status, and the credentials the scan was
// given (which the site echoes back) are in no output.
func TestScanEndToEnd(t *testing.T) {
	site := httptest.NewServer(flawedSite())
	defer site.Close()
	t.Setenv("SCAN_TEST_USER", "qa")
	t.Setenv("SCAN_TEST_PASS", scanPassSecret)
	dir := t.TempDir()
	code, stdout, stderr := runCLI("scan", site.URL, "--format", "text,json,sarif,html,junit", "--output-dir", dir,
		"--header", "X-Api-Key: "+scanHeaderSecret, "--cookie", "pref="+scanCookieSecret,
		"--rate", "200", "--max-time", "1m", "--fail-on", "low", "--write-baseline", filepath.Join(dir, "baseline.json"))
	if code != exitError {
		t.Fatalf("exit = %d, want %d (findings at or above low); stderr:\n%s", code, exitError, stderr)
	}
	assertNoSecrets(t, dir, stdout, stderr)

	r := readReport(t, filepath.Join(dir, "rampart-scan.json"))
	if r.Stats.Pages < 3 || r.Tool != "rampart" {
		t.Errorf("report: %d pages, tool %q; want at least 3 pages", r.Stats.Pages, r.Tool)
	}
	for _, check := range []string{"info.stack-trace", "info.banner", "headers.csp"} {
		if !hasCheck(r.Findings, check) {
			t.Errorf("no %s finding; findings: %v", check, checks(r.Findings))
		}
	}
	var junit struct {
		Failures int `xml:"failures,attr"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "rampart-scan.junit.xml"))
	if err := xml.Unmarshal(b, &junit); err != nil || junit.Failures == 0 {
		t.Errorf("JUnit report: %v, %d failures", err, junit.Failures)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "rampart-scan.sarif"))
	var sarif struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &sarif); err != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(r.Findings) {
		t.Errorf("SARIF report: %v, %+v", err, sarif)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rampart-scan.html")); !strings.Contains(string(b), "Stack trace") {
		t.Errorf("HTML report does not show the stack trace finding")
	}

	// The baseline written above accepts everything: the same scan with
	// it passes --fail-on.
	code, stdout, stderr = runCLI("scan", site.URL, "--baseline", filepath.Join(dir, "baseline.json"), "--fail-on", "low", "--rate", "200")
	if code != exitOK {
		t.Fatalf("scan with the baseline: exit = %d, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "findings suppressed by the baseline") || !strings.HasSuffix(stdout, "0 findings.\n") {
		t.Errorf("scan with the baseline:\n%s", stdout)
	}
}

func checks(fs []scan.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check)
	}
	return out
}

// TestScanUnreachable: a target that does not answer is exit 3, not a
// clean report.
func TestScanUnreachable(t *testing.T) {
	site := httptest.NewServer(http.NotFoundHandler())
	addr := site.URL
	site.Close()
	code, stdout, stderr := runCLI("scan", addr, "--max-time", "20s", "--timeout", "2s", "--fail-on", "high")
	if code != exitScanFailed || !strings.Contains(stderr, "did not answer") {
		t.Errorf("scan of a closed port: exit = %d, want %d; stderr:\n%s", code, exitScanFailed, stderr)
	}
	if !strings.Contains(stdout, "the target did not answer") {
		t.Errorf("the report does not say the target did not answer:\n%s", stdout)
	}
}

// TestScanCompareThrough scans a site directly and through a small
// reverse proxy that blocks /debug: the stack trace there is reported as
// blocked, the missing headers as getting through, and the proxy saw
// the site's Host header.
func TestScanCompareThrough(t *testing.T) {
	site := httptest.NewServer(flawedSite())
	defer site.Close()
	siteURL, _ := url.Parse(site.URL)
	var mu sync.Mutex
	hosts := map[string]bool{}
	proxy := httputil.NewSingleHostReverseProxy(siteURL)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts[r.Host] = true
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/debug") {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer gw.Close()

	dir := t.TempDir()
	out := filepath.Join(dir, "scan.json")
	code, _, stderr := runCLI("scan", site.URL, "--compare-through", gw.URL, "--format", "json", "--output", out, "--rate", "200")
	if code != exitOK {
		t.Fatalf("exit = %d; stderr:\n%s", code, stderr)
	}
	r := readReport(t, out)
	if hasCheck(r.Findings, "info.stack-trace") {
		t.Errorf("the report (through the gateway) has the stack trace the gateway blocks")
	}
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{"blocked by the gateway: [low] Stack trace", "(info.stack-trace)", "gets through the gateway: ", "(headers.csp)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if !strings.Contains(stderr, "the gateway blocks or fixes") {
		t.Errorf("stderr has no comparison summary:\n%s", stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if !hosts[siteURL.Host] || len(hosts) != 1 {
		t.Errorf("the gateway saw Host headers %v, want only %s", hosts, siteURL.Host)
	}
}

// TestScanHTTPS scans an https site with a private CA (--ca-file): the
// TLS audit joins the report. --tls audits alone.
func TestScanHTTPS(t *testing.T) {
	if testing.Short() {
		t.Skip("the TLS audit makes many handshakes")
	}
	site := httptest.NewTLSServer(flawedSite())
	defer site.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: site.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "scan.json")
	code, _, stderr := runCLI("scan", site.URL, "--ca-file", ca, "--format", "json", "--output", out, "--rate", "200")
	if code != exitOK {
		t.Fatalf("exit = %d; stderr:\n%s", code, stderr)
	}
	r := readReport(t, out)
	if r.Stats.Pages < 3 {
		t.Errorf("https scan crawled %d pages; stderr:\n%s", r.Stats.Pages, stderr)
	}
	if r.TLS == nil || !r.TLS.Protocols["TLS 1.3"] || r.TLS.Grade == "" {
		t.Fatalf("https scan has no TLS audit: %+v; notes %q", r.TLS, r.Notes)
	}

	host := strings.TrimPrefix(site.URL, "https://")
	code, stdout, stderr := runCLI("scan", "--tls", host, "--ca-file", ca, "--format", "json")
	if code != exitOK {
		t.Fatalf("--tls: exit = %d; stderr:\n%s", code, stderr)
	}
	var tr scan.Report
	if err := json.Unmarshal([]byte(stdout), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Target != host || tr.TLS == nil || tr.TLS.Certificate == nil || !tr.TLS.Certificate.Trusted || tr.Stats.Pages != 0 {
		t.Errorf("--tls report: target %q, TLS %+v", tr.Target, tr.TLS)
	}
}

// TestScanDemoActive: an active scan of the demo shop (the app alone,
// no gateway) finds its deliberate SQL injection and reflected XSS,
// confirmed, and the debug traceback a quote makes it show.
func TestScanDemoActive(t *testing.T) {
	app, err := demo.NewApp(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(app)
	defer site.Close()
	dir := t.TempDir()
	code, _, stderr := runCLI("scan", site.URL, "--active", "safe", "--format", "json="+filepath.Join(dir, "r.json"),
		"--rate", "500", "--max-time", "2m", "--fail-on", "high")
	if code != exitError {
		t.Fatalf("exit = %d, want %d (high findings); stderr:\n%s", code, exitError, stderr)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	for _, check := range []string{"sqli.error", "xss.reflected", "info.stack-trace"} {
		i := slices.IndexFunc(r.Findings, func(f scan.Finding) bool { return f.Check == check })
		if i < 0 {
			t.Errorf("no %s finding; findings: %v", check, checks(r.Findings))
			continue
		}
		if f := r.Findings[i]; check != "info.stack-trace" && (f.Confidence != scan.ConfidenceConfirmed || f.Parameter != "query:q") {
			t.Errorf("%s: confidence %s, parameter %q; want confirmed at query:q", check, f.Confidence, f.Parameter)
		}
	}
}
