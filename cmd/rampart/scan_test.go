package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rampart/internal/scan"
	"rampart/internal/scan/report"
)

// Secrets given to "rampart scan"; no output may show them.
const (
	scanHeaderSecret = "hdr-7c1e5a9b3d2f"
	scanCookieSecret = "ck-4b8d2f6a1e3c"
	scanPassSecret   = "pw-Zq8#wX2!vL5m"
)

// fakeEngine is a scanner that returns a fixed report, as a careless
// scanner might: with the secrets it was given in its evidence, URLs and
// notes. It records the Config it got.
type fakeEngine struct {
	report func() *scan.Report
	err    error
	got    []scan.Config
}

func (fe *fakeEngine) engine() scanEngine {
	return scanEngine{
		scan: func(ctx context.Context, cfg scan.Config, log *slog.Logger) (*scan.Report, error) {
			fe.got = append(fe.got, cfg)
			log.Warn("scanning with header " + scanHeaderSecret)
			if cfg.Progress != nil {
				for i := range 3 {
					cfg.Progress(scan.Progress{Phase: "crawl", Done: i + 1, Total: 3})
				}
			}
			if fe.err != nil {
				return nil, fe.err
			}
			return fe.report(), nil
		},
		audit: func(ctx context.Context, addr string, roots *x509.CertPool, timeout time.Duration) (*scan.TLSResult, []scan.Finding, error) {
			return &scan.TLSResult{Host: addr, Grade: "A", Protocols: map[string]bool{"TLS 1.3": true}},
				[]scan.Finding{{Check: "tls.hsts", Title: "HSTS short", Severity: scan.SeverityLow, URLs: []string{"https://" + addr + "/"}}}, nil
		},
	}
}

func leakyReport() *scan.Report {
	return &scan.Report{
		Target: "http://app.test/", Started: time.Now().UTC(), Finished: time.Now().UTC(),
		Stats: scan.Stats{Requests: 10, Pages: 3},
		Notes: []string{"signed in with " + scanPassSecret},
		Findings: []scan.Finding{
			{Check: "xss.reflected", Title: "Reflected XSS", Severity: scan.SeverityHigh, Confidence: scan.ConfidenceConfirmed,
				CWE: 79, OWASP: scan.OWASPInjection, Parameter: "query:q", URLs: []string{"http://app.test/search?q=1&t=" + scanHeaderSecret},
				Description: "d", Fix: "f",
				Evidence: scan.Evidence{Request: "GET /search HTTP/1.1\nX-Api: " + scanHeaderSecret + "\nCookie: sid=" + scanCookieSecret,
					Response: "echo " + scanPassSecret + " <script>alert(1)</script>"}},
			{Check: "headers.csp", Title: "No CSP", Severity: scan.SeverityMedium, URLs: []string{"http://app.test/"}},
			{Check: "info.banner", Title: "Banner", Severity: scan.SeverityInfo, URLs: []string{"http://app.test/"}},
		},
	}
}

// runScan runs "rampart scan ARGS" with engine e, as run does, and
// returns the exit status and what was printed.
func runScan(t *testing.T, e scanEngine, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := newRootCmd()
	for _, c := range root.Commands() {
		if c.Name() == "scan" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newScanCmd(e))
	var out, errb bytes.Buffer
	root.SetArgs(append([]string{"scan"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.Execute()
	code = exitOK
	if err != nil {
		code = exitError
		var ce *codeError
		if errors.As(err, &ce) {
			code = ce.code
		}
		errb.WriteString("rampart: " + err.Error() + "\n")
	}
	return code, out.String(), errb.String()
}

func TestParseOutputs(t *testing.T) {
	type out struct{ format, path string }
	dir := filepath.Join("reports")
	tests := []struct {
		name        string
		formats     []string
		output, dir string
		want        []out
		err         string
	}{
		{name: "default text to stdout", want: []out{{"text", ""}}},
		{name: "one format to --output", formats: []string{"json"}, output: "r.json", want: []out{{"json", "r.json"}}},
		{name: "--output -", formats: []string{"sarif"}, output: "-", want: []out{{"sarif", ""}}},
		{name: "FORMAT=FILE each", formats: []string{"sarif=out.sarif", "html=report.html"}, want: []out{{"sarif", "out.sarif"}, {"html", "report.html"}}},
		{name: "text to stdout and a file", formats: []string{"text", "junit=j.xml"}, want: []out{{"text", ""}, {"junit", "j.xml"}}},
		{name: "--output-dir", formats: []string{"sarif", "html", "junit"}, dir: dir, want: []out{
			{"sarif", filepath.Join(dir, "rampart-scan.sarif")}, {"html", filepath.Join(dir, "rampart-scan.html")}, {"junit", filepath.Join(dir, "rampart-scan.junit.xml")}}},
		{name: "--output-dir and an explicit file", formats: []string{"sarif", "json=-"}, dir: dir, want: []out{{"sarif", filepath.Join(dir, "rampart-scan.sarif")}, {"json", ""}}},
		{name: "case and spaces", formats: []string{" SARIF = a.sarif "}, want: []out{{"sarif", "a.sarif"}}},
		{name: "two to stdout", formats: []string{"sarif", "html"}, err: "sarif and html would both go to standard output"},
		{name: "--output with two", formats: []string{"sarif", "html"}, output: "x", err: "takes one format, and 2 have no file; use --output-dir"},
		{name: "--output with none bare", formats: []string{"sarif=a"}, output: "x", err: "every format already names its file"},
		{name: "unknown format", formats: []string{"pdf"}, err: `format "pdf": want one of text, json, sarif, html, junit`},
		{name: "empty file", formats: []string{"json="}, err: "no file after '='"},
		{name: "both output flags", formats: []string{"json"}, output: "a", dir: "b", err: "--output and --output-dir: give one"},
		{name: "explicit stdout twice", formats: []string{"text", "json=-"}, err: "both go to standard output"},
		{name: "same file", formats: []string{"json=a.out", "sarif=a.out"}, err: "json and sarif would both be written to a.out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := parseOutputs(tt.formats, tt.output, tt.dir)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseOutputs(%q, %q, %q) = %v, want an error with %q", tt.formats, tt.output, tt.dir, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseOutputs(%q, %q, %q) = %v", tt.formats, tt.output, tt.dir, err)
			}
			var got []out
			for _, o := range outs {
				got = append(got, out{string(o.format), o.path})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseOutputs(%q, %q, %q) = %v, want %v", tt.formats, tt.output, tt.dir, got, tt.want)
			}
		})
	}
}

// TestScanFlagErrors: bad flags exit 2, with every problem named at once
// and no secret in the message.
func TestScanFlagErrors(t *testing.T) {
	fe := &fakeEngine{report: leakyReport}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no target", nil, []string{"no target"}},
		{"two targets", []string{"http://a.test/", "http://b.test/"}, []string{"one URL"}},
		{"bad scheme", []string{"ftp://a.test/"}, []string{"want an http:// or https:// URL"}},
		{"url and tls", []string{"http://a.test/", "--tls", "a.test:443"}, []string{"not both"}},
		{"bad tls", []string{"--tls", "a.test"}, []string{"want HOST:PORT"}},
		{"many at once", []string{"http://a.test/", "--fail-on", "severe", "--include", "(", "--rate", "0", "--active", "max", "--format", "pdf"},
			[]string{"--fail-on \"severe\"", "--include \"(\"", "--rate 0", "--active \"max\"", "format \"pdf\""}},
		{"bad header hides value", []string{"http://a.test/", "--header", "X-Token" + scanHeaderSecret}, []string{"want 'Name: value'"}},
		{"host header", []string{"http://a.test/", "--header", "Host: b.test"}, []string{"--compare-through"}},
		{"login without env", []string{"http://a.test/", "--login-url", "http://a.test/login", "--login-user-env", "RAMPART_TEST_NO_SUCH_USER", "--login-pass-env", "RAMPART_TEST_NO_SUCH_PASS"},
			[]string{"RAMPART_TEST_NO_SUCH_USER", "RAMPART_TEST_NO_SUCH_PASS"}},
		{"missing baseline", []string{"http://a.test/", "--baseline", filepath.Join(t.TempDir(), "none.json")}, []string{"--baseline"}},
		{"bad compare url", []string{"http://a.test/", "--compare-through", "gateway:8080"}, []string{"--compare-through"}},
		{"unknown flag", []string{"http://a.test/", "--no-such-flag"}, []string{"unknown flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runScan(t, fe.engine(), tt.args...)
			if code != exitConfig {
				t.Errorf("rampart scan %q exit = %d, want %d; stderr:\n%s", tt.args, code, exitConfig, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("rampart scan %q: stderr lacks %q:\n%s", tt.args, w, stderr)
				}
			}
			if strings.Contains(stderr, scanHeaderSecret) {
				t.Errorf("rampart scan %q printed the header value:\n%s", tt.args, stderr)
			}
		})
	}
	if len(fe.got) != 0 {
		t.Errorf("a scan ran despite bad flags")
	}
}

func TestScanExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  error
		want int
		msg  string
	}{
		{"no --fail-on", nil, nil, exitOK, ""},
		{"fail-on high, a high finding", []string{"--fail-on", "high"}, nil, exitError, "1 finding at or above high (--fail-on high)"},
		{"fail-on medium", []string{"--fail-on", "MEDIUM"}, nil, exitError, "2 findings at or above medium"},
		{"fail-on critical, none", []string{"--fail-on", "critical"}, nil, exitOK, ""},
		{"scan failed", []string{"--fail-on", "high"}, errors.New("connect: refused"), exitScanFailed, "connect: refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := &fakeEngine{report: leakyReport, err: tt.err}
			code, stdout, stderr := runScan(t, fe.engine(), append([]string{"http://app.test/"}, tt.args...)...)
			if code != tt.want {
				t.Errorf("exit = %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr does not say why it failed:\n%s", stderr)
			}
			if tt.err == nil && !strings.Contains(stdout, "3 findings: 1 high, 1 medium, 1 info.") {
				t.Errorf("text report on stdout lacks the summary:\n%s", stdout)
			}
		})
	}
}

// TestScanConfigFromFlags: the flags reach scan.Config, credentials come
// from the environment.
func TestScanConfigFromFlags(t *testing.T) {
	t.Setenv("SCAN_TEST_USER", "qa")
	t.Setenv("SCAN_TEST_PASS", scanPassSecret)
	fe := &fakeEngine{report: leakyReport}
	code, _, stderr := runScan(t, fe.engine(), "http://app.test", "--rate", "5", "--concurrency", "2", "--max-pages", "7",
		"--max-depth", "3", "--max-time", "1m", "--timeout", "2s", "--include", "^http://app\\.test/shop", "--exclude", "logout",
		"--ignore-robots", "--header", "X-Api: "+scanHeaderSecret, "--cookie", "sid="+scanCookieSecret+"; lang=en",
		"--login-url", "http://app.test/login", "--login-user-env", "SCAN_TEST_USER", "--login-pass-env", "SCAN_TEST_PASS",
		"--login-check", "Sign out", "--active", "safe", "--browser")
	if code != exitOK {
		t.Fatalf("exit = %d, stderr:\n%s", code, stderr)
	}
	c := fe.got[0]
	if c.Target != "http://app.test/" || c.Rate != 5 || c.Concurrency != 2 || c.MaxPages != 7 || c.MaxDepth != 3 ||
		c.MaxTime != time.Minute || c.Timeout != 2*time.Second || !c.IgnoreRobots || !c.Browser || c.Active != scan.ActiveSafe {
		t.Errorf("config = %+v", c)
	}
	if len(c.Include) != 1 || len(c.Exclude) != 1 || c.Header.Get("X-Api") != scanHeaderSecret || len(c.Cookies) != 2 {
		t.Errorf("scope, header or cookies: %+v", c)
	}
	if c.Login == nil || c.Login.Username != "qa" || c.Login.Password != scanPassSecret || c.Login.Check != "Sign out" ||
		c.Login.UsernameField != "username" || c.Login.PasswordField != "password" {
		t.Errorf("login = %+v", c.Login)
	}
	if !strings.HasPrefix(c.UserAgent, "rampart-scan/") {
		t.Errorf("user agent = %q", c.UserAgent)
	}
}

// TestScanAPISpecFlags: --api-spec and --no-api-discovery reach
// scan.Config; a missing file, a folder or a URL of another scheme exits 2.
func TestScanAPISpecFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(file, []byte("openapi: 3.0.0\npaths: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fe := &fakeEngine{report: leakyReport}
	code, _, stderr := runScan(t, fe.engine(), "http://app.test/", "--api-spec", file, "--api-spec", "http://app.test/v3/api-docs", "--no-api-discovery")
	if code != exitOK {
		t.Fatalf("exit = %d, stderr:\n%s", code, stderr)
	}
	if c := fe.got[0]; !slices.Equal(c.APISpecs, []string{file, "http://app.test/v3/api-docs"}) || !c.NoAPIDiscovery {
		t.Errorf("config APISpecs = %q, NoAPIDiscovery = %v", c.APISpecs, c.NoAPIDiscovery)
	}
	runScan(t, fe.engine(), "http://app.test/")
	if fe.got[1].APISpecs != nil || fe.got[1].NoAPIDiscovery {
		t.Errorf("default config APISpecs = %q, NoAPIDiscovery = %v", fe.got[1].APISpecs, fe.got[1].NoAPIDiscovery)
	}
	missing := filepath.Join(dir, "none.json")
	code, _, stderr = runScan(t, fe.engine(), "http://app.test/", "--api-spec", missing, "--api-spec", dir, "--api-spec", "ftp://app.test/openapi.json")
	if code != exitConfig {
		t.Errorf("exit = %d, want %d; stderr:\n%s", code, exitConfig, stderr)
	}
	for _, w := range []string{"--api-spec: stat " + missing, "--api-spec " + dir + ": a folder", `--api-spec "ftp://app.test/openapi.json"`} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

func TestScanCallbackFlag(t *testing.T) {
	fe := &fakeEngine{report: leakyReport}
	for i, v := range []string{"http://10.0.0.5:8899", "off", ""} {
		args := []string{"http://app.test/"}
		if v != "" {
			args = append(args, "--callback", v)
		}
		if code, _, stderr := runScan(t, fe.engine(), args...); code != exitOK {
			t.Fatalf("--callback %q: exit = %d, stderr:\n%s", v, code, stderr)
		}
		if got := fe.got[i].Callback; got != v {
			t.Errorf("--callback %q: config Callback = %q", v, got)
		}
	}
	for _, v := range []string{"10.0.0.5:8899", "https://10.0.0.5:8899", "http://10.0.0.5", "http://10.0.0.5:8899/x", "http://0.0.0.0:8899"} {
		code, _, stderr := runScan(t, fe.engine(), "http://app.test/", "--callback", v)
		if code != exitConfig || !strings.Contains(stderr, "--callback") {
			t.Errorf("--callback %q: exit = %d, want %d with a message; stderr:\n%s", v, code, exitConfig, stderr)
		}
	}
}

// TestScanRedactsEveryOutput: header, cookie and password values are in
// no report format, log line or message, even when the scanner let them
// into its report.
func TestScanRedactsEveryOutput(t *testing.T) {
	t.Setenv("SCAN_TEST_USER", "qa")
	t.Setenv("SCAN_TEST_PASS", scanPassSecret)
	dir := t.TempDir()
	fe := &fakeEngine{report: leakyReport}
	code, stdout, stderr := runScan(t, fe.engine(), "http://app.test/", "--format", "text,json,sarif,html,junit", "--output-dir", dir,
		"--header", "X-Api: "+scanHeaderSecret, "--cookie", "sid="+scanCookieSecret,
		"--login-url", "http://app.test/login", "--login-user-env", "SCAN_TEST_USER", "--login-pass-env", "SCAN_TEST_PASS",
		"--write-baseline", filepath.Join(dir, "baseline.json"), "--fail-on", "high", "--verbose")
	if code != exitError {
		t.Fatalf("exit = %d, want %d; stderr:\n%s", code, exitError, stderr)
	}
	assertNoSecrets(t, dir, stdout, stderr)
}

// assertNoSecrets checks every file in dir, stdout and stderr for the
// scan's secrets, and that the reports are all there.
func assertNoSecrets(t *testing.T, dir, stdout, stderr string) {
	t.Helper()
	outputs := map[string]string{"stdout": stdout, "stderr": stderr}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		outputs[e.Name()] = string(b)
	}
	for _, name := range []string{"rampart-scan.txt", "rampart-scan.json", "rampart-scan.sarif", "rampart-scan.html", "rampart-scan.junit.xml", "baseline.json"} {
		if _, ok := outputs[name]; !ok {
			t.Errorf("no %s written; files: %v", name, entries)
		}
	}
	for name, text := range outputs {
		for _, s := range []string{scanHeaderSecret, scanCookieSecret, scanPassSecret} {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q", name, s)
			}
		}
	}
}

func TestScanBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	fe := &fakeEngine{report: leakyReport}
	code, _, stderr := runScan(t, fe.engine(), "http://app.test/", "--write-baseline", base, "--fail-on", "high", "--format", "json=-")
	if code != exitError {
		t.Fatalf("first scan exit = %d, want %d (the baseline is written, findings still count); stderr:\n%s", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "wrote 3 findings to the baseline") {
		t.Errorf("stderr does not report the baseline:\n%s", stderr)
	}
	b, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var entries []report.BaselineEntry
	if err := json.Unmarshal(b, &entries); err != nil || len(entries) != 3 {
		t.Fatalf("baseline = %v, %s", err, b)
	}
	// Accept only the high finding, with a reason.
	var keep []report.BaselineEntry
	for _, e := range entries {
		if e.Check == "xss.reflected" {
			e.Reason = "test page, not deployed"
			keep = append(keep, e)
		}
	}
	b, _ = json.Marshal(keep)
	writeFile(t, base, string(b))

	code, stdout, stderr := runScan(t, fe.engine(), "http://app.test/", "--baseline", base, "--fail-on", "high", "--format", "json")
	if code != exitOK {
		t.Fatalf("scan with baseline exit = %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	var r scan.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 2 || !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.HasPrefix(n, "1 findings suppressed by the baseline") }) {
		t.Errorf("report with baseline: %d findings, notes %q", len(r.Findings), r.Notes)
	}

	// --write-baseline with --baseline keeps the reasons.
	base2 := filepath.Join(dir, "baseline2.json")
	if code, _, stderr := runScan(t, fe.engine(), "http://app.test/", "--baseline", base, "--write-baseline", base2, "--format", "json=-"); code != exitOK {
		t.Fatalf("exit = %d; stderr:\n%s", code, stderr)
	}
	b, _ = os.ReadFile(base2)
	if !strings.Contains(string(b), "test page, not deployed") || strings.Count(string(b), `"key"`) != 3 {
		t.Errorf("rewritten baseline lost a reason or an entry:\n%s", b)
	}
}

func TestScanActiveNote(t *testing.T) {
	fe := &fakeEngine{report: leakyReport}
	_, stdout, _ := runScan(t, fe.engine(), "http://app.test/", "--active", "full")
	if !strings.Contains(stdout, "active checks are not implemented yet") {
		t.Errorf("report does not say active checks did not run:\n%s", stdout)
	}
	_, stdout, _ = runScan(t, fe.engine(), "http://app.test/", "--browser")
	if !strings.Contains(stdout, "DOM checks in Chromium are not implemented yet") {
		t.Errorf("report does not say DOM checks did not run:\n%s", stdout)
	}
	e := fe.engine()
	e.activeImplemented, e.browserImplemented = true, true
	_, stdout, _ = runScan(t, e, "http://app.test/", "--active", "full", "--browser")
	if strings.Contains(stdout, "not implemented") {
		t.Errorf("report says checks did not run when they did")
	}
}

// TestScanTLSMerge: an https target gets a TLS audit whose result and
// findings join the report; --tls audits alone.
func TestScanTLSMerge(t *testing.T) {
	fe := &fakeEngine{report: func() *scan.Report { r := leakyReport(); r.Target = "https://app.test/"; return r }}
	_, stdout, stderr := runScan(t, fe.engine(), "https://app.test/", "--format", "json")
	var r scan.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, stderr)
	}
	if r.TLS == nil || r.TLS.Host != "app.test:443" || len(r.Findings) != 4 || !slices.ContainsFunc(r.Findings, func(f scan.Finding) bool { return f.Check == "tls.hsts" }) {
		t.Errorf("https scan: TLS %+v, findings %d", r.TLS, len(r.Findings))
	}
	_, stdout, stderr = runScan(t, fe.engine(), "--tls", "app.test:8443", "--format", "junit")
	if err := xml.Unmarshal([]byte(stdout), new(struct{})); err != nil || !strings.Contains(stdout, "tls_grade") {
		t.Errorf("--tls junit report: %v\n%s\n%s", err, stdout, stderr)
	}
	if len(fe.got) != 1 {
		t.Errorf("--tls ran a crawl")
	}
}

func TestScanProgressPlain(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b)
	if p.tty {
		t.Fatal("a buffer is not a terminal")
	}
	for i := 1; i <= 100; i++ {
		p.update(scan.Progress{Phase: "crawl", Done: i, Total: 100, Findings: i / 10})
	}
	p.update(scan.Progress{Phase: "cors", Done: 0})
	p.note("auditing TLS of %s", "a.test:443")
	p.done()
	got := b.String()
	if strings.Contains(got, "\r") || strings.Contains(got, "\x1b") {
		t.Errorf("plain progress has control characters: %q", got)
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	// The phase start, every tenth, the next phase and the note.
	if len(lines) != 13 || lines[0] != "rampart scan: crawl 1/100, 0 findings" || lines[10] != "rampart scan: crawl 100/100, 10 findings" {
		t.Errorf("plain progress lines (%d):\n%s", len(lines), got)
	}
}

func TestScanProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, tty: true}
	p.update(scan.Progress{Phase: "crawl", Done: 5, Total: 10, Findings: 2})
	p.done()
	if got := b.String(); !strings.Contains(got, "\rcrawl    [===============               ] 5/10  2 findings\x1b[K\n") {
		t.Errorf("bar = %q", got)
	}
}

func TestGatewayTransport(t *testing.T) {
	var gotHost, gotPath string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost, gotPath = r.Host, r.URL.RequestURI()
	}))
	defer gw.Close()
	u, _ := http.NewRequest(http.MethodGet, "http://shop.test:8000/a?b=c", nil)
	gwURL, _ := (&http.Request{}).URL.Parse(gw.URL)
	tr := &gatewayTransport{gateway: gwURL, next: http.DefaultTransport}
	resp, err := tr.RoundTrip(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if gotHost != "shop.test:8000" || gotPath != "/a?b=c" {
		t.Errorf("gateway got Host %q, path %q; want shop.test:8000, /a?b=c", gotHost, gotPath)
	}
	if u.URL.Host != "shop.test:8000" {
		t.Errorf("RoundTrip changed the caller's request")
	}
}

func TestCompareFindings(t *testing.T) {
	f := func(check, u string) scan.Finding { return scan.Finding{Check: check, URLs: []string{u}} }
	direct := []scan.Finding{f("a", "http://x/"), f("b", "http://x/"), f("c", "http://x/")}
	via := []scan.Finding{f("b", "http://x/"), f("d", "http://x/")}
	c := compareFindings(direct, via)
	if len(c.blocked) != 2 || len(c.through) != 1 || c.through[0].Check != "b" || len(c.gatewayOnly) != 1 || c.gatewayOnly[0].Check != "d" {
		t.Errorf("compareFindings = %+v", c)
	}
}
