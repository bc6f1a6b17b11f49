package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"rampart/internal/scan"
	"rampart/internal/scan/report"
)

// exitScanFailed is the exit status of a scan that could not run or whose
// report could not be written: the target did not answer, a file could
// not be written. It differs from exitError, which "rampart scan" uses
// only for findings at or above --fail-on, so CI can tell a finding from
// a broken step.
const exitScanFailed = 3

// scanEngine is what "rampart scan" runs. defaultScanEngine wires the
// scanner and the TLS audit; tests give fixtures.
type scanEngine struct {
	// scan crawls and checks cfg.Target.
	scan func(ctx context.Context, cfg scan.Config, log *slog.Logger) (*scan.Report, error)
	// audit is the TLS audit of addr (host:port); roots, when not nil,
	// replace the system's trusted roots.
	audit func(ctx context.Context, addr string, roots *x509.CertPool, timeout time.Duration) (*scan.TLSResult, []scan.Finding, error)
	// activeImplemented says the scanner runs active checks when
	// Config.Active asks for them; when false, the report says they were
	// not run.
	activeImplemented bool
	// browserImplemented says the scanner runs DOM checks in Chromium
	// when Config.Browser asks for them.
	browserImplemented bool
}

// scanFlags are the flags of "rampart scan".
type scanFlags struct {
	formats                 []string
	output, outputDir       string
	failOn                  string
	baseline, writeBaseline string
	include, exclude        []string
	ignoreRobots            bool
	rate                    float64
	concurrency             int
	maxPages, maxDepth      int
	maxTime, timeout        time.Duration
	headers, cookies        []string
	loginURL, loginCheck    string
	loginUserField          string
	loginPassField          string
	loginUserEnv            string
	loginPassEnv            string
	active                  string
	browser                 bool
	apiSpecs                []string
	noAPIDiscovery          bool
	callback                string
	tlsAddr, compareThrough string
	caFile                  string
	verbose                 bool
	userAgent               string
	stdout, stderr          io.Writer
	engine                  scanEngine
}

func newScanCmd(engine scanEngine) *cobra.Command {
	sf := &scanFlags{engine: engine}
	cmd := &cobra.Command{
		Use:   "scan URL | --tls HOST:PORT",
		Short: "Scan a web site for vulnerabilities (DAST) and audit its TLS, for people and CI",
		Long: `Crawl URL within its host (robots.txt honoured, rate-limited), run passive
checks on every response (security headers, cookies, CORS, information
leaks, directory listings, mixed content, vulnerable JavaScript libraries)
and report deduplicated findings with severity, confidence, CWE, OWASP Top
10 category, redacted evidence and how to fix each. An https URL also gets
a TLS audit (protocols, cipher suites, certificate, grade A+ to F);
--tls HOST:PORT audits TLS alone.

Reports: --format text (default, to standard output), json, sarif (GitHub
code scanning), html (one self-contained file), junit (GitLab, Jenkins).
Several at once: --format sarif=scan.sarif,html=scan.html, or --format
sarif,html,junit --output-dir reports/ (rampart-scan.sarif, ...).
FORMAT=- is standard output; --output FILE takes a single format.

Exit status: 0 done (no finding at or above --fail-on), 1 findings at or
above --fail-on, 2 bad flags, 3 the scan could not run or a report could
not be written.

JSON APIs are scanned through their API descriptions (OpenAPI 3, Swagger
2.0): those at well-known paths such as /openapi.json and /v3/api-docs
are found (--no-api-discovery turns that off), and --api-spec names
others. Their GET operations are crawled; with --active, their operations
are attacked as the level allows (never DELETE; at safe, no PUT or PATCH
and only POSTs that search or sign in).

Single-page applications need --browser: the crawled pages are loaded in
headless Chromium, and the requests their scripts send (JSON bodies
included), the links and forms they render and their #/routes are
scanned too; forms are filled in with harmless values and submitted
(at safe, none that look destructive). The browser's requests to the
target keep to --rate and carry --header and --cookie.

Credentials for an authenticated scan come from --header, --cookie, or a
login form with the user name and password in environment variables
(--login-user-env, --login-pass-env), never on the command line. Header,
cookie and password values are redacted from every report and log line.

Only scan sites you are allowed to test.`,
		Example: `  rampart scan https://staging.example.com/
  rampart scan https://staging.example.com/ --fail-on high --format sarif=rampart.sarif,html=rampart.html
  rampart scan http://127.0.0.1:3000/ --format sarif,junit,html --output-dir reports --baseline .rampart-baseline.json
  rampart scan https://app.example.com/ --header "Authorization: Bearer $TOKEN" --exclude '/logout'
  SCAN_USER=qa SCAN_PASS=... rampart scan https://app.example.com/ --login-url https://app.example.com/login \
      --login-user-env SCAN_USER --login-pass-env SCAN_PASS
  rampart scan http://127.0.0.1:8000/ --active safe --api-spec openapi.yaml
  rampart scan --tls example.com:443
  rampart scan http://127.0.0.1:3000/ --compare-through http://127.0.0.1:8080
  rampart scan http://127.0.0.1:3000/ --write-baseline .rampart-baseline.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return configError(fmt.Errorf("scan takes one URL, got %d: %q", len(args), args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			sf.stdout, sf.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			target := ""
			if len(args) == 1 {
				target = args[0]
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return sf.run(ctx, target)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&sf.formats, "format", nil, "report formats: text, json, sarif, html, junit; FORMAT=FILE writes to FILE (comma-separated or repeated; default text)")
	f.StringVarP(&sf.output, "output", "o", "", "file for the report when one format is given (default standard output)")
	f.StringVar(&sf.outputDir, "output-dir", "", "folder for the reports of formats without FILE, as rampart-scan.EXT")
	f.StringVar(&sf.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity: info, low, medium, high, critical")
	f.StringVar(&sf.baseline, "baseline", "", "JSON file of accepted findings ({key, check, url, reason}) to leave out of the report")
	f.StringVar(&sf.writeBaseline, "write-baseline", "", "write the keys of this scan's findings to FILE, keeping the reasons of --baseline")
	f.StringArrayVar(&sf.include, "include", nil, "scan only URLs matching this regexp (repeatable)")
	f.StringArrayVar(&sf.exclude, "exclude", nil, "never request URLs matching this regexp (repeatable), e.g. '/logout|/delete'")
	f.BoolVar(&sf.ignoreRobots, "ignore-robots", false, "crawl what robots.txt disallows (the report says so)")
	f.Float64Var(&sf.rate, "rate", 20, "most requests per second")
	f.IntVar(&sf.concurrency, "concurrency", 4, "most requests in flight")
	f.IntVar(&sf.maxPages, "max-pages", 500, "most pages to crawl")
	f.IntVar(&sf.maxDepth, "max-depth", 10, "most links to follow from the start URL")
	f.DurationVar(&sf.maxTime, "max-time", 10*time.Minute, "most time for the whole scan; the report says when it stopped early")
	f.DurationVar(&sf.timeout, "timeout", 10*time.Second, "most time for one request")
	f.StringArrayVarP(&sf.headers, "header", "H", nil, "'Name: value' header sent with every request (repeatable); the value is redacted from reports")
	f.StringArrayVar(&sf.cookies, "cookie", nil, "'name=value' cookie sent with every request (repeatable; 'a=1; b=2' too); values are redacted")
	f.StringVar(&sf.loginURL, "login-url", "", "URL of a login form to sign in through before the crawl")
	f.StringVar(&sf.loginUserField, "login-user-field", "username", "name of the login form's user name field")
	f.StringVar(&sf.loginPassField, "login-pass-field", "password", "name of the login form's password field")
	f.StringVar(&sf.loginUserEnv, "login-user-env", "RAMPART_SCAN_USER", "environment variable holding the user name for --login-url")
	f.StringVar(&sf.loginPassEnv, "login-pass-env", "RAMPART_SCAN_PASSWORD", "environment variable holding the password for --login-url")
	f.StringVar(&sf.loginCheck, "login-check", "", "text a signed-in page shows (e.g. 'Sign out'), to tell that the login worked")
	f.StringVar(&sf.active, "active", "off", "active checks: off, safe (payloads that change nothing on a correct server) or full (also stored XSS; test systems only)")
	f.StringArrayVar(&sf.apiSpecs, "api-spec", nil, "OpenAPI 3 or Swagger 2.0 description (JSON or YAML) of the target's API, a FILE or an http(s) URL, whose operations are scanned (repeatable)")
	f.BoolVar(&sf.noAPIDiscovery, "no-api-discovery", false, "do not look for API descriptions at well-known paths (/openapi.json, /swagger.json, /v3/api-docs...) or in the crawl")
	f.BoolVar(&sf.browser, "browser", false, "load pages in headless Chromium: crawl what their scripts request, render and route to, and (with --active) check for DOM-based XSS; needs chromium on PATH")
	f.StringVar(&sf.callback, "callback", "", "listener for the SSRF check, http://HOST:PORT on this machine that the target can reach (port 0 picks one); 'off' checks in band only (default: one on loopback or the private network the target is on)")
	f.StringVar(&sf.tlsAddr, "tls", "", "audit TLS only, of HOST:PORT (no crawl)")
	f.StringVar(&sf.compareThrough, "compare-through", "", "also scan through the rampart gateway at this URL and report which findings it blocks")
	f.StringVar(&sf.caFile, "ca-file", "", "PEM file of CA certificates to trust instead of the system's (a staging site with a private CA)")
	f.StringVar(&sf.userAgent, "user-agent", "", "User-Agent header (default rampart-scan/VERSION)")
	f.BoolVarP(&sf.verbose, "verbose", "v", false, "log what the scanner does (debug level) on standard error")
	return cmd
}

// scanPlan is what the flags ask for, checked.
type scanPlan struct {
	cfg      scan.Config
	tlsOnly  string // host:port for --tls
	tlsAddr  string // host:port to audit after the crawl ("" for http)
	outs     []scanOutput
	failOn   scan.Severity
	failSet  bool
	baseline report.Baseline
	gateway  *url.URL
	roots    *x509.CertPool
}

// plan checks every flag and returns all problems at once.
func (sf *scanFlags) plan(target string) (*scanPlan, error) {
	p := &scanPlan{}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch {
	case target != "" && sf.tlsAddr != "":
		bad("give a URL to scan or --tls HOST:PORT to audit TLS alone, not both (an https URL gets a TLS audit anyway)")
	case target == "" && sf.tlsAddr == "":
		bad("no target: rampart scan URL, or rampart scan --tls HOST:PORT (see rampart scan --help)")
	case sf.tlsAddr != "":
		host, port, err := net.SplitHostPort(sf.tlsAddr)
		if err != nil || host == "" || port == "" {
			bad("--tls %q: want HOST:PORT, such as example.com:443", sf.tlsAddr)
		}
		p.tlsOnly = sf.tlsAddr
		if sf.compareThrough != "" {
			bad("--compare-through compares web scans; it does not go with --tls")
		}
	default:
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("%q: want an http:// or https:// URL, such as https://staging.example.com/", target)
		} else {
			if u.Path == "" {
				u.Path = "/"
			}
			p.cfg.Target = u.String()
			if u.Scheme == "https" {
				port := u.Port()
				if port == "" {
					port = "443"
				}
				p.tlsAddr = net.JoinHostPort(u.Hostname(), port)
			}
		}
	}

	outs, err := parseOutputs(sf.formats, sf.output, sf.outputDir)
	if err != nil {
		errs = append(errs, err)
	}
	p.outs = outs

	if sf.failOn != "" {
		s, err := scan.ParseSeverity(sf.failOn)
		if err != nil {
			bad("--fail-on %q: want info, low, medium, high or critical", sf.failOn)
		}
		p.failOn, p.failSet = s, true
	}

	for _, pat := range sf.include {
		re, err := regexp.Compile(pat)
		if err != nil {
			bad("--include %q: %v", pat, err)
			continue
		}
		p.cfg.Include = append(p.cfg.Include, re)
	}
	for _, pat := range sf.exclude {
		re, err := regexp.Compile(pat)
		if err != nil {
			bad("--exclude %q: %v", pat, err)
			continue
		}
		p.cfg.Exclude = append(p.cfg.Exclude, re)
	}

	switch {
	case sf.rate <= 0:
		bad("--rate %v: want more than 0 requests per second", sf.rate)
	case sf.concurrency < 1:
		bad("--concurrency %d: want at least 1", sf.concurrency)
	case sf.maxPages < 1:
		bad("--max-pages %d: want at least 1", sf.maxPages)
	case sf.maxDepth < 0:
		bad("--max-depth %d: want 0 (the start page only) or more", sf.maxDepth)
	case sf.maxTime <= 0:
		bad("--max-time %s: want a positive duration such as 10m", sf.maxTime)
	case sf.timeout <= 0:
		bad("--timeout %s: want a positive duration such as 10s", sf.timeout)
	}
	p.cfg.IgnoreRobots = sf.ignoreRobots
	p.cfg.Rate, p.cfg.Concurrency = sf.rate, sf.concurrency
	p.cfg.MaxPages, p.cfg.MaxDepth = sf.maxPages, sf.maxDepth
	p.cfg.MaxTime, p.cfg.Timeout = sf.maxTime, sf.timeout
	p.cfg.Browser = sf.browser
	p.cfg.UserAgent = sf.userAgent
	if p.cfg.UserAgent == "" {
		p.cfg.UserAgent = "rampart-scan/" + versionString()
	}

	for _, h := range sf.headers {
		name, value, ok := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			bad("--header %q: want 'Name: value'", redactFlag(h))
			continue
		}
		if strings.EqualFold(name, "Host") {
			bad("--header Host: the scanner sends the target's host; to scan through a proxy, use --compare-through")
			continue
		}
		if p.cfg.Header == nil {
			p.cfg.Header = http.Header{}
		}
		p.cfg.Header.Add(name, value)
	}
	for _, c := range sf.cookies {
		cs, err := http.ParseCookie(c)
		if err != nil {
			bad("--cookie %q: want 'name=value' (%v)", redactFlag(c), err)
			continue
		}
		p.cfg.Cookies = append(p.cfg.Cookies, cs...)
	}

	if sf.loginURL != "" {
		u, err := url.Parse(sf.loginURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("--login-url %q: want an http:// or https:// URL", sf.loginURL)
		}
		user, pass := os.Getenv(sf.loginUserEnv), os.Getenv(sf.loginPassEnv)
		if user == "" {
			bad("--login-url: the user name comes from the environment variable %s (--login-user-env), which is empty or unset", sf.loginUserEnv)
		}
		if pass == "" {
			bad("--login-url: the password comes from the environment variable %s (--login-pass-env), which is empty or unset", sf.loginPassEnv)
		}
		if sf.loginUserField == "" || sf.loginPassField == "" {
			bad("--login-user-field and --login-pass-field: want the names of the form's fields")
		}
		p.cfg.Login = &scan.Login{
			URL: sf.loginURL, UsernameField: sf.loginUserField, PasswordField: sf.loginPassField,
			Username: user, Password: pass, Check: sf.loginCheck,
		}
	}

	for _, spec := range sf.apiSpecs {
		if spec == "" {
			bad("--api-spec: empty; want a file or an http:// or https:// URL")
			continue
		}
		if strings.Contains(spec, "://") {
			u, err := url.Parse(spec)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad("--api-spec %q: want a file or an http:// or https:// URL", spec)
			}
			continue
		}
		if fi, err := os.Stat(spec); err != nil {
			bad("--api-spec: %v", err)
		} else if fi.IsDir() {
			bad("--api-spec %s: a folder; want the description's file", spec)
		}
	}
	p.cfg.APISpecs = sf.apiSpecs
	p.cfg.NoAPIDiscovery = sf.noAPIDiscovery
	if cb := strings.TrimSpace(sf.callback); cb != "" && !strings.EqualFold(cb, "off") {
		if u, err := url.Parse(cb); err != nil || u.Scheme != "http" || u.Hostname() == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
			bad("--callback %q: want http://HOST:PORT (an address of this machine the target can reach) or off", sf.callback)
		} else if ip, err := netip.ParseAddr(u.Hostname()); err == nil && ip.IsUnspecified() {
			bad("--callback %q: %s is no address the target can reach; give this machine's address on the target's network", sf.callback, u.Hostname())
		}
	}
	p.cfg.Callback = sf.callback

	switch strings.ToLower(sf.active) {
	case "", "off":
		p.cfg.Active = scan.ActiveOff
	case "safe":
		p.cfg.Active = scan.ActiveSafe
	case "full":
		p.cfg.Active = scan.ActiveFull
	default:
		bad("--active %q: want off, safe or full", sf.active)
	}

	if sf.caFile != "" {
		pem, err := os.ReadFile(sf.caFile)
		if err != nil {
			bad("--ca-file: %v", err)
		} else {
			p.roots = x509.NewCertPool()
			if !p.roots.AppendCertsFromPEM(pem) {
				bad("--ca-file %s: no PEM certificate in it", sf.caFile)
			}
		}
	}

	if sf.compareThrough != "" {
		u, err := url.Parse(sf.compareThrough)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("--compare-through %q: want the gateway's base URL, such as http://127.0.0.1:8080", sf.compareThrough)
		} else {
			p.gateway = u
		}
	}

	if sf.baseline != "" {
		b, err := readBaselineFile(sf.baseline)
		if err != nil {
			errs = append(errs, err)
		}
		p.baseline = b
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// redactFlag hides the value part of a malformed --header or --cookie in
// an error message: it may still be a secret.
func redactFlag(s string) string {
	if i := strings.IndexAny(s, ":="); i >= 0 {
		return s[:i+1] + " [redacted]"
	}
	if len(s) > 3 {
		return "[redacted]"
	}
	return s
}

func readBaselineFile(path string) (report.Baseline, error) {
	f, err := os.Open(path) // #nosec G304 -- a file the user names on the command line
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	defer f.Close()
	b, err := report.ReadBaseline(f)
	if err != nil {
		return nil, fmt.Errorf("--baseline %s: %w", path, err)
	}
	return b, nil
}

// run is "rampart scan": plan, scan (and audit TLS), compare, apply the
// baseline, write the reports, and decide the exit status.
func (sf *scanFlags) run(ctx context.Context, target string) error {
	p, err := sf.plan(target)
	if err != nil {
		return configError(err)
	}
	redactor := scan.NewRedactor(p.cfg)
	opts := report.Options{Redact: redactor.String, FailOn: scan.SeverityLow}
	if p.failSet {
		opts.FailOn = p.failOn
	}
	level := slog.LevelWarn
	if sf.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(redactor.Handler(slog.NewTextHandler(sf.stderr, &slog.HandlerOptions{Level: level}))).With("component", "scan")
	prog := newProgress(sf.stderr)
	p.cfg.Progress = prog.update

	var r *scan.Report
	switch {
	case p.tlsOnly != "":
		r, err = sf.tlsOnly(ctx, p, prog)
	case p.gateway != nil:
		r, err = sf.compare(ctx, p, log, prog)
	default:
		r, err = sf.scanOnce(ctx, p, p.cfg, log, prog)
	}
	prog.done()
	if err != nil && r == nil {
		return &codeError{code: exitScanFailed, err: err}
	}
	if err != nil {
		// A scan cut short (interrupted, or the target went away) still
		// reports what it found, and says so.
		r.Notes = append(r.Notes, "the scan did not finish: "+redactor.String(err.Error()))
	}
	if p.tlsOnly == "" && r.Stats.Pages == 0 && r.Stats.Errors > 0 {
		r.Notes = append(r.Notes, "the target did not answer: no page was scanned")
	}
	if r.Tool == "" {
		r.Tool = "rampart"
	}
	if r.Version == "" {
		r.Version = versionString()
	}
	if p.cfg.Active != scan.ActiveOff && !sf.engine.activeImplemented {
		r.Notes = append(r.Notes, fmt.Sprintf("--active %s was asked for, but active checks are not implemented yet: this scan ran passive checks only", strings.ToLower(sf.active)))
	}
	if p.cfg.Browser && !sf.engine.browserImplemented {
		r.Notes = append(r.Notes, "--browser was asked for, but DOM checks in Chromium are not implemented yet: pages were not loaded in a browser")
	}
	if p.cfg.Browser && sf.engine.browserImplemented && p.cfg.Active == scan.ActiveOff {
		r.Notes = append(r.Notes, "--browser was asked for without --active: the browser crawl ran, but DOM checks send payloads, so they run only with --active safe or full")
	}

	all := r.Findings
	if sf.writeBaseline != "" {
		b := report.NewBaseline(all, p.baseline)
		if werr := writeFileAtomic(sf.writeBaseline, func(w io.Writer) error { return report.WriteBaseline(w, b, opts) }); werr != nil {
			return &codeError{code: exitScanFailed, err: fmt.Errorf("--write-baseline: %w", werr)}
		}
		fmt.Fprintf(sf.stderr, "rampart scan: wrote %d findings to the baseline %s\n", len(b), sf.writeBaseline)
	}
	if p.baseline != nil {
		kept, suppressed := p.baseline.Apply(all)
		r.Findings = kept
		r.Notes = append(r.Notes, fmt.Sprintf("%d findings suppressed by the baseline %s (%d entries)", len(suppressed), sf.baseline, len(p.baseline)))
	}

	written, werr := writeOutputs(p.outs, r, opts, sf.stdout)
	for _, path := range written {
		fmt.Fprintf(sf.stderr, "rampart scan: wrote %s\n", path)
	}
	if werr != nil {
		return &codeError{code: exitScanFailed, err: werr}
	}
	if err != nil && ctx.Err() != nil {
		return &codeError{code: exitScanFailed, err: fmt.Errorf("scan interrupted: %w", err)}
	}
	if p.tlsOnly == "" && r.Stats.Pages == 0 && r.Stats.Errors > 0 {
		// Nothing answered: "0 findings" would be a false all-clear.
		return &codeError{code: exitScanFailed, err: fmt.Errorf("%s did not answer: %d requests, %d errors, no page scanned", r.Target, r.Stats.Requests, r.Stats.Errors)}
	}
	if !p.failSet {
		return nil
	}
	if n := countAtLeast(r.Findings, p.failOn); n > 0 {
		word := "findings"
		if n == 1 {
			word = "finding"
		}
		return &codeError{code: exitError, err: fmt.Errorf("%d %s at or above %s (--fail-on %s)", n, word, p.failOn, p.failOn)}
	}
	return nil
}

// countAtLeast counts the findings at or above sev.
func countAtLeast(fs []scan.Finding, sev scan.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= sev {
			n++
		}
	}
	return n
}

// scanOnce crawls and checks cfg.Target, then audits TLS for an https
// target and merges the audit into the report.
func (sf *scanFlags) scanOnce(ctx context.Context, p *scanPlan, cfg scan.Config, log *slog.Logger, prog *progress) (*scan.Report, error) {
	if p.roots != nil && cfg.Client == nil {
		cfg.Client = &http.Client{Transport: scanTransport(p.roots, cfg)}
	}
	r, err := sf.engine.scan(ctx, cfg, log)
	if err != nil || r == nil || p.tlsAddr == "" {
		return r, err
	}
	prog.note("auditing TLS of %s", p.tlsAddr)
	res, fs, aerr := sf.engine.audit(ctx, p.tlsAddr, p.roots, cfg.Timeout)
	if aerr != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("the TLS audit of %s did not complete: %v", p.tlsAddr, aerr))
	}
	if res != nil {
		mergeTLS(r, res, fs)
	}
	return r, nil
}

// tlsOnly is --tls HOST:PORT: the audit alone, as a report.
func (sf *scanFlags) tlsOnly(ctx context.Context, p *scanPlan, prog *progress) (*scan.Report, error) {
	prog.note("auditing TLS of %s", p.tlsOnly)
	r := &scan.Report{Target: p.tlsOnly, Started: time.Now().UTC()}
	res, fs, err := sf.engine.audit(ctx, p.tlsOnly, p.roots, p.cfg.Timeout)
	if res == nil {
		if err == nil {
			err = errors.New("no result")
		}
		return nil, fmt.Errorf("TLS audit of %s: %w", p.tlsOnly, err)
	}
	if err != nil {
		// The host answered, but not with a protocol the audit knows: the
		// result says which were refused.
		r.Notes = append(r.Notes, fmt.Sprintf("the TLS audit of %s: %v", p.tlsOnly, err))
	}
	mergeTLS(r, res, fs)
	r.Finished = time.Now().UTC()
	return r, nil
}

// mergeTLS adds a TLS audit to a report: its result, and its findings
// deduplicated with the scan's and sorted again.
func mergeTLS(r *scan.Report, res *scan.TLSResult, fs []scan.Finding) {
	r.TLS = res
	set := scan.NewSet()
	for _, f := range r.Findings {
		set.Add(f)
	}
	for _, f := range fs {
		set.Add(f)
	}
	r.Findings = set.Findings()
}

// scanTransport is the transport of a scan that trusts roots instead of
// the system's CAs, tuned as the scanner tunes its own.
func scanTransport(roots *x509.CertPool, cfg scan.Config) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = cfg.Concurrency + 2
	tr.ResponseHeaderTimeout = cfg.Timeout
	if roots != nil {
		tr.TLSClientConfig = newTLSConfig(roots)
	}
	return tr
}
