package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero fields of a Config.
const (
	defaultRate        = 20
	defaultConcurrency = 4
	defaultMaxPages    = 500
	defaultMaxDepth    = 10
	defaultMaxTime     = 10 * time.Minute
	defaultTimeout     = 10 * time.Second
)

// maxFindingURLs bounds the URLs a Finding lists in a Report; the
// evidence says how many there were.
const maxFindingURLs = 50

// maxStoredBody bounds the response bodies kept in the page inventory
// for the checks that run after the crawl; pages beyond it keep their
// headers and forms but no body.
const maxStoredBody = 64 << 20

// Scanner runs one scan: it crawls the target within its scope, runs the
// passive checks on every response and, when Config.Active asks, the
// active checks on what the crawl found. Make one with New and call Run
// once. Its methods are safe for concurrent use.
type Scanner struct {
	cfg      Config
	log      *slog.Logger
	red      *Redactor
	target   *url.URL
	scope    *scope
	client   *client
	robots   *robots
	checks   []check
	jslibs   *jsLibTable
	findings *Set
	started  atomic.Bool
	pageN    atomic.Int64

	mu        sync.Mutex
	pages     []*Page
	bodyBytes int64
	anchors   map[string]string
	keys      map[string]Confidence // the confidence of each finding's key in findings
	notes     []string
	cors      []*url.URL
	corsSeen  map[string]bool
	// apiReqs are requests found outside the crawled pages: API
	// descriptions, and the requests a page's scripts sent in the browser.
	apiReqs []Request
	// routes are the fragment routes (#/search) the browser crawl saw.
	routes []*url.URL
	// br is the browser of the browser crawl and the DOM check, nil
	// without Config.Browser.
	br *browser
	// sess is the sign-in, when Config.Login asks for one.
	sess session
	// jwts are the JSON Web Tokens the scan has checked.
	jwts map[string]bool
}

// Page is one crawled response, kept in the Scanner's inventory for the
// checks that run after the crawl.
type Page struct {
	// URL is the normalised URL requested; it may hold secrets, so
	// redact it before it leaves the scanner.
	URL    string
	Method string
	Status int
	Header http.Header
	// Body is the response body (at most 2 MiB); nil when the inventory's
	// body budget was spent.
	Body []byte
	// ContentType is the media type, lowercase, sniffed when the header
	// is missing.
	ContentType string
	// Depth is the number of links from the target; Referrer the page
	// that linked here ("" for the target and sitemap URLs).
	Depth    int
	Referrer string
	Forms    []Form
	// Truncated says the body was longer than what was read.
	Truncated bool

	u        *url.URL
	reqHead  http.Header
	proto    string
	doc      *document // HTML pages only
	jsLinks  []*url.URL
	elapsed  time.Duration
	redirect *url.URL
}

// phase says when a check runs.
type phase int

const (
	// phasePassive checks look at what the crawl fetched (and may send a
	// few harmless probes, as the CORS check does).
	phasePassive phase = iota
	// phaseActive checks send payloads; they run only when Config.Active
	// is not ActiveOff.
	phaseActive
)

// check is one of the scanner's checks. page runs on every crawled
// response, on the crawler's goroutines; site runs once after the crawl,
// with the page inventory complete.
type check struct {
	name  string
	phase phase
	page  func(s *Scanner, p *Page)
	site  func(ctx context.Context, s *Scanner)
}

// New checks cfg, fills in its defaults and returns a Scanner. The
// Target must be an absolute http or https URL.
func New(cfg Config, log *slog.Logger) (*Scanner, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	target, err := url.Parse(strings.TrimSpace(cfg.Target))
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("target %q: %w", cfg.Target, err))
	case target.Scheme != "http" && target.Scheme != "https":
		errs = append(errs, fmt.Errorf("target %q: want an http:// or https:// URL", cfg.Target))
	case target.Host == "" || target.Hostname() == "":
		errs = append(errs, fmt.Errorf("target %q: no host", cfg.Target))
	}
	if cfg.Rate < 0 {
		errs = append(errs, fmt.Errorf("rate %v: want a positive number of requests per second", cfg.Rate))
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"concurrency", int64(cfg.Concurrency)}, {"max pages", int64(cfg.MaxPages)}, {"max depth", int64(cfg.MaxDepth)}, {"max time", int64(cfg.MaxTime)}, {"timeout", int64(cfg.Timeout)}} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("%s %d: must not be negative", f.name, f.v))
		}
	}
	if l := cfg.Login; l != nil {
		if l.URL == "" {
			errs = append(errs, errors.New("login: no URL of the sign-in form"))
		}
		if l.Username == "" || l.Password == "" {
			errs = append(errs, errors.New("login: username and password are both needed"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	target = normalize(target)
	if target == nil {
		return nil, fmt.Errorf("target %q: not a URL the scanner can crawl", cfg.Target)
	}
	cfg.Target = target.String()
	if cfg.Rate == 0 {
		cfg.Rate = defaultRate
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = defaultConcurrency
	}
	if cfg.MaxPages == 0 {
		cfg.MaxPages = defaultMaxPages
	}
	if cfg.MaxDepth == 0 {
		cfg.MaxDepth = defaultMaxDepth
	}
	if cfg.MaxTime == 0 {
		cfg.MaxTime = defaultMaxTime
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "rampart-scan/" + buildVersion()
	}
	red := NewRedactor(cfg)
	log = slog.New(red.Handler(log.Handler())).With("component", "scan")
	cl, err := newClient(cfg, log)
	if err != nil {
		return nil, err
	}
	libs, err := loadJSLibTable()
	if err != nil {
		return nil, err
	}
	s := &Scanner{
		cfg:      cfg,
		log:      log,
		red:      red,
		target:   target,
		scope:    newScope(target, cfg.Include, cfg.Exclude),
		client:   cl,
		jslibs:   libs,
		findings: NewSet(),
		anchors:  map[string]string{},
		keys:     map[string]Confidence{},
		corsSeen: map[string]bool{},
	}
	cl.onCookie = s.sawCookie
	s.checks = append(passiveChecks(), activeChecks()...)
	return s, nil
}

// buildVersion is the module version the binary was built from, "dev"
// for a development build.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Redactor returns the redactor of the scan's secrets, for report writers
// to check their output once more.
func (s *Scanner) Redactor() *Redactor { return s.red }

// Pages returns the crawled pages in the order they were fetched.
func (s *Scanner) Pages() []*Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pages)
}

// Request is a request the crawl found that carries parameters: a URL
// with a query, or a form. Active checks derive their insertion points
// from it.
type Request struct {
	Method string
	URL    *url.URL
	// Form holds a form's fields with their default values (nil for a
	// plain URL); Enctype its encoding.
	Form    url.Values
	Enctype string
	// JSON is a JSON body (decoded: maps, slices, strings, float64s,
	// bools and nils), sent with Enctype "application/json"; nil for
	// none. API descriptions and the browser's requests give them.
	JSON any
	// Fixed are the JSON fields (by point name: "query") the active
	// checks leave alone, such as a GraphQL query whose variables they
	// attack instead.
	Fixed []string
	// Page is the URL of the page where it was found.
	Page string
}

// Requests returns the distinct requests with parameters the crawl
// found: each crawled URL with a query, and each form (a GET form as its
// action URL with the fields as query). Requests that differ only in
// parameter values are one: the first found.
func (s *Scanner) Requests() []Request {
	seen := map[string]bool{}
	var out []Request
	add := func(r Request) {
		u := *r.URL
		u.RawQuery = ""
		k := r.Method + " " + u.String() + "?" + paramNames(r.URL.RawQuery)
		if r.Form != nil {
			k += " " + strings.Join(slices.Sorted(maps.Keys(r.Form)), "&")
		}
		if r.JSON != nil {
			k += " json:" + jsonShape(r.JSON)
			if m, ok := r.JSON.(map[string]any); ok {
				for _, f := range r.Fixed {
					k += " " + f + "=" + fmt.Sprint(m[f])
				}
			}
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	for _, p := range s.Pages() {
		if p.u.RawQuery != "" {
			add(Request{Method: http.MethodGet, URL: p.u, Page: p.Referrer})
		}
		for i := range p.Forms {
			f := &p.Forms[i]
			u, err := url.Parse(f.Action)
			if err != nil || !s.scope.contains(u) || isSignOut(u, "") {
				continue
			}
			switch f.Method {
			case http.MethodPost:
				add(Request{Method: http.MethodPost, URL: u, Form: f.Values(), Enctype: f.Enctype, Page: f.Page})
			case http.MethodGet:
				q := u.Query()
				for k, vs := range f.Values() {
					q[k] = vs
				}
				u.RawQuery = q.Encode()
				add(Request{Method: http.MethodGet, URL: u, Page: f.Page})
			}
		}
	}
	s.mu.Lock()
	extra := slices.Clone(s.apiReqs)
	s.mu.Unlock()
	for _, r := range extra {
		add(r)
	}
	return out
}

// maxAPIRequests bounds the requests addRequest keeps.
const maxAPIRequests = 2000

// addRequest adds a request found outside the crawled pages (an API
// description, a script's request in the browser) to those Requests
// returns, when it is in scope.
func (s *Scanner) addRequest(r Request) {
	if r.URL == nil || !s.scope.contains(r.URL) || isSignOut(r.URL, "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.apiReqs) < maxAPIRequests {
		s.apiReqs = append(s.apiReqs, r)
	}
}

// jsonShape names the fields of a JSON value, sorted, so that two bodies
// that differ only in values are one request.
func jsonShape(v any) string {
	switch t := v.(type) {
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(t)) {
			parts = append(parts, k+":"+jsonShape(t[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		if len(t) == 0 {
			return "[]"
		}
		return "[" + jsonShape(t[0]) + "]"
	default:
		return "."
	}
}

// Run scans: it loads robots.txt and the sitemaps, signs in when
// Config.Login says so, crawls, runs the checks and returns the Report.
// A scan that reaches MaxTime stops cleanly and says so in the Report's
// Notes. When ctx ends first, Run returns what it has with ctx's error.
func (s *Scanner) Run(ctx context.Context) (*Report, error) {
	if !s.started.CompareAndSwap(false, true) {
		return nil, errors.New("scan: Run called twice")
	}
	rep := &Report{
		Target:  s.red.URL(s.target.String()),
		Started: time.Now().UTC(),
		Tool:    "rampart",
		Version: buildVersion(),
	}
	runCtx, cancel := context.WithTimeout(ctx, s.cfg.MaxTime)
	defer cancel()
	s.log.LogAttrs(ctx, slog.LevelInfo, "scan started", slog.String("target", s.target.String()),
		slog.Float64("rate", s.cfg.Rate), slog.Int("concurrency", s.cfg.Concurrency), slog.Int("max_pages", s.cfg.MaxPages))

	s.loadRobots(runCtx)
	if s.cfg.Login != nil {
		if err := s.login(runCtx); err != nil {
			return nil, fmt.Errorf("sign in: %w", err)
		}
	}
	seeds := s.loadSitemaps(runCtx)
	seeds = append(seeds, s.loadAPISpecs(runCtx)...)
	s.crawl(runCtx, seeds)
	s.browserPhase(runCtx)
	s.spaHint()
	s.loadGraphQL(runCtx)
	defer func() {
		if s.br != nil {
			s.br.close()
		}
	}()
	for _, c := range s.checks {
		if c.site == nil || runCtx.Err() != nil || (c.phase == phaseActive && s.cfg.Active == ActiveOff) {
			continue
		}
		ph := "passive"
		if c.phase == phaseActive {
			ph = "active"
		}
		s.progress(ph, 0, 0)
		c.site(runCtx, s)
	}

	pages := int(s.pageN.Load())
	if ctx.Err() == nil && errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		s.note(fmt.Sprintf("stopped at max-time after %d pages (--max-time %s)", pages, s.cfg.MaxTime))
	}
	if ctx.Err() != nil {
		s.note(fmt.Sprintf("interrupted after %d pages", pages))
	}
	s.sess.mu.Lock()
	relogins, failed := s.sess.relogins, s.sess.failed
	s.sess.mu.Unlock()
	if n := relogins; n > 0 {
		if failed {
			n--
		}
		if n > 0 {
			s.note(fmt.Sprintf("signed in again %d times after the site ended the scan's session", n))
		}
	}
	if e := s.client.firstErr.Load(); pages == 0 && e != nil {
		s.note(fmt.Sprintf("nothing could be fetched: %v", *e))
	}
	if n := s.client.truncated.Load(); n > 0 {
		s.note(fmt.Sprintf("%d responses were larger than %d MiB; only their first %d MiB were checked", n, maxBody>>20, maxBody>>20))
	}
	rep.Findings = s.findingsForReport()
	rep.Stats = Stats{
		Requests: int(s.client.requests.Load()),
		Pages:    pages,
		Errors:   int(s.client.errors.Load()),
		Blocked:  int(s.client.blocked.Load()),
	}
	s.mu.Lock()
	for _, n := range s.notes {
		rep.Notes = append(rep.Notes, s.red.String(n))
	}
	s.mu.Unlock()
	rep.Finished = time.Now().UTC()
	s.log.LogAttrs(ctx, slog.LevelInfo, "scan finished", slog.Int("pages", pages), slog.Int("requests", rep.Stats.Requests),
		slog.Int("findings", len(rep.Findings)), slog.Duration("took", rep.Finished.Sub(rep.Started)))
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("scan interrupted: %w", err)
	}
	return rep, nil
}

// findingsForReport returns the findings, each listing at most
// maxFindingURLs URLs.
func (s *Scanner) findingsForReport() []Finding {
	fs := s.findings.Findings()
	for i := range fs {
		f := &fs[i]
		if n := len(f.URLs); n > maxFindingURLs {
			f.URLs = f.URLs[:maxFindingURLs]
			f.Evidence.Detail = strings.TrimSpace(f.Evidence.Detail + fmt.Sprintf(" Seen at %d URLs; the first %d are listed.", n, maxFindingURLs))
		}
	}
	return fs
}

// note adds a line to the Report's Notes, once.
func (s *Scanner) note(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.notes, n) {
		s.notes = append(s.notes, n)
	}
}

func (s *Scanner) progress(phase string, done, total int) {
	if s.cfg.Progress == nil {
		return
	}
	s.mu.Lock()
	n := len(s.keys)
	s.mu.Unlock()
	s.cfg.Progress(Progress{Phase: phase, Done: done, Total: total, Findings: n})
}

// sawCookie adds the values of session-like cookies the site sets to
// the redactor.
func (s *Scanner) sawCookie(c *http.Cookie) {
	if sessionLike(c.Name) || sensitiveName(c.Name) {
		s.red.Add(c.Value)
	}
}

// targetPrivate says the target is itself on a private network
// (RFC 1918 or unique local), where private addresses in responses are
// no leak.
func (s *Scanner) targetPrivate() bool {
	if a, err := netip.ParseAddr(s.target.Hostname()); err == nil && a.Unmap().IsPrivate() {
		return true
	}
	if a := s.client.remoteIP.Load(); a != nil && a.IsPrivate() {
		return true
	}
	return false
}

// report records a finding seen at the single URL f.URLs[0], redacted.
// perHost makes a finding with a Parameter one finding per host (a
// cookie's flags, a banner header, a JavaScript library) rather than one
// per path.
func (s *Scanner) report(f Finding, perHost bool) {
	if len(f.URLs) == 0 {
		return
	}
	u := s.red.URL(f.URLs[0])
	f.URLs = []string{u}
	f.Parameter = s.red.String(f.Parameter)
	if perHost && f.Parameter != "" {
		ak := f.Check + "\x00" + f.Parameter + "\x00" + originOf(u)
		s.mu.Lock()
		anchor, ok := s.anchors[ak]
		if !ok {
			s.anchors[ak] = u
			anchor = u
		}
		s.mu.Unlock()
		if anchor != u {
			f.URLs = []string{anchor, u}
		}
	}
	key := f.Key()
	s.mu.Lock()
	conf, seen := s.keys[key]
	s.mu.Unlock()
	// Only a finding that is new, or more certain than the one in the
	// Set, brings its evidence (Set.Add keeps just the URLs of the others).
	if !seen || f.Confidence > conf {
		s.redactFinding(&f)
	}
	s.mu.Lock()
	if c, ok := s.keys[key]; !ok || f.Confidence > c {
		s.keys[key] = f.Confidence
	}
	s.mu.Unlock()
	s.findings.Add(f)
}

func (s *Scanner) redactFinding(f *Finding) {
	r := s.red
	f.Title = r.String(f.Title)
	f.Description = r.String(f.Description)
	f.Fix = r.String(f.Fix)
	f.Evidence.Request = r.String(f.Evidence.Request)
	f.Evidence.Response = r.String(f.Evidence.Response)
	f.Evidence.Detail = r.String(f.Evidence.Detail)
}

// originOf is the scheme://host:port of a URL string.
func originOf(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	return scheme + "://" + host
}
