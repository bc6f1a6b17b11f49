package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"rampart/internal/chromium"
)

// This file drives headless Chromium for the scan (Config.Browser): it
// starts the browser, routes the browser's requests to the target
// through the scan's rate limit and configured headers, and runs the
// browser crawl, which loads the crawled pages with scripts and keeps
// what their scripts do: the requests they send (JSON APIs a link
// crawler never sees), the links they render and the routes of a
// single-page application (#/search). The DOM check (dom.go) uses the
// same browser afterwards.

const (
	// maxBrowserPages bounds the pages the browser crawl loads.
	maxBrowserPages = 30
	// maxRoutes bounds the fragment routes kept for the DOM check.
	maxRoutes = 20
	// browserLoadTimeout bounds one load of the browser crawl.
	browserLoadTimeout = 10 * time.Second
	// A loaded page is read once the network has been quiet for
	// browserQuiet (its scripts have sent their requests and got the
	// answers), at least browserMinSettle and at most browserMaxSettle
	// after the load.
	browserQuiet     = 500 * time.Millisecond
	browserMinSettle = 300 * time.Millisecond
	browserMaxSettle = 5 * time.Second
	// maxCapturedBody bounds a request body the crawl keeps.
	maxCapturedBody = 64 << 10
	// maxSubmits bounds the forms the browser crawl fills in and
	// submits in a scan; maxPageSubmits those of one page.
	maxSubmits     = 40
	maxPageSubmits = 5
)

// browser is a running headless Chromium. Its requests to the target's
// origin pause in the Fetch domain until the scan's rate limit lets them
// go, and go with the configured headers; requests to other origins are
// not touched and never get those headers.
type browser struct {
	tctx  context.Context
	close func()
	path  string
	hits  *domHits

	mu sync.Mutex
	// capture, when set, is told of every request a page sends.
	capture func(ev *network.EventRequestWillBeSent)
	// lastNet is when a request of the page last started or ended (unix
	// nanoseconds); inflight counts those under way.
	lastNet  atomic.Int64
	inflight atomic.Int64
	// loadCtx is the context of the page load under way (nil between
	// loads), loadRequests the requests it sent to the target.
	loadCtx      context.Context
	loadRequests atomic.Int64
}

// settle waits until the page's network has been quiet for
// browserQuiet, within the bounds of browserMinSettle and
// browserMaxSettle.
func (b *browser) settle(ctx context.Context) error {
	start := time.Now()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		now := time.Now()
		quiet := now.Sub(time.Unix(0, b.lastNet.Load())) >= browserQuiet && b.inflight.Load() <= 0
		if (quiet && now.Sub(start) >= browserMinSettle) || now.Sub(start) >= browserMaxSettle {
			return nil
		}
	}
}

// openBrowser starts Chromium (chromium.Find) on ctx.
// Close it with b.close.
func (s *Scanner) openBrowser(ctx context.Context) (*browser, error) {
	path, err := chromium.Find()
	if err != nil {
		return nil, err
	}
	opts := chromium.Options(path)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tctx, cancelTab := chromedp.NewContext(actx)
	b := &browser{tctx: tctx, path: path, hits: &domHits{m: map[string]bool{}}}
	b.close = func() {
		_ = chromedp.Cancel(tctx)
		cancelTab()
		cancelAlloc()
	}
	if err := s.startBrowser(b); err != nil {
		b.close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return b, nil
}

// startBrowser starts Chromium on b.tctx, listens for the binding's
// calls, dialogs, requests and paused requests, adds the binding and
// gives the browser the scan's cookies and User-Agent.
func (s *Scanner) startBrowser(b *browser) error {
	tctx := b.tctx
	// The first action starts the browser on tctx itself: no timeout
	// here, which would end the browser with it.
	if err := chromedp.Do(tctx); err != nil {
		return err
	}
	dialogs := make(chan struct{}, 1)
	err := chromedp.Listen(tctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventBindingCalled:
			if ev.Name == domBinding {
				b.hits.add(ev.Payload)
			}
		case *page.EventJavascriptDialogOpening:
			select {
			case dialogs <- struct{}{}:
			default:
			}
		case *network.EventLoadingFinished, *network.EventLoadingFailed:
			b.inflight.Add(-1)
			b.lastNet.Store(time.Now().UnixNano())
		case *network.EventRequestWillBeSent:
			if ev.RedirectResponse == nil {
				b.inflight.Add(1)
			}
			b.lastNet.Store(time.Now().UnixNano())
			b.mu.Lock()
			f := b.capture
			b.mu.Unlock()
			if f != nil {
				f(ev)
			}
		case *fetch.EventRequestPaused:
			go s.releaseRequest(b, ev)
		}
	})
	if err != nil {
		return err
	}
	// A page that opens alert() or confirm() stops until it is answered.
	go func() {
		for {
			select {
			case <-tctx.Done():
				return
			case <-dialogs:
				dctx, cancel := context.WithTimeout(tctx, time.Second)
				_, _ = chromedp.Call(dctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				cancel()
			}
		}
	}()
	sctx, cancel := context.WithTimeout(tctx, domProbeTimeout)
	defer cancel()
	if _, err := chromedp.Call(sctx, runtime.AddBinding, runtime.AddBindingParams{Name: domBinding}); err != nil {
		return fmt.Errorf("add the binding: %w", err)
	}
	if _, err := chromedp.Call(sctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: s.cfg.UserAgent}); err != nil {
		return fmt.Errorf("set the user agent: %w", err)
	}
	if _, err := chromedp.Call(sctx, network.Enable, network.EnableParams{}); err != nil {
		return fmt.Errorf("enable network events: %w", err)
	}
	origin := s.target.Scheme + "://" + s.target.Host + "/*"
	if _, err := chromedp.Call(sctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: origin, RequestStage: fetch.RequestStageRequest}}}); err != nil {
		return fmt.Errorf("route requests through the scan's limits: %w", err)
	}
	// The scan's session, for the target only: the browser's requests
	// to other hosts must not carry it.
	var cookies []*network.CookieParam
	for _, kv := range strings.Split(s.client.cookieHeader(s.target), "; ") {
		if name, value, ok := strings.Cut(kv, "="); ok && name != "" {
			cookies = append(cookies, &network.CookieParam{Name: name, Value: value, URL: s.target.String()})
		}
	}
	if len(cookies) > 0 {
		if _, err := chromedp.Call(sctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
			return fmt.Errorf("set the scan's cookies: %w", err)
		}
	}
	return nil
}

// maxLoadRequests bounds the requests to the target one page load may
// send; a page that polls or loops is cut off there.
const maxLoadRequests = 200

// releaseRequest decides on a paused request to the target: one to a
// sign-out URL fails, as do those of a page load beyond maxLoadRequests,
// and, but for images, styles, scripts and fonts, one out of the scan's
// scope (--include, --exclude) or that robots.txt disallows; the others
// go, with the configured headers (the
// page's own win), counted in the scan's statistics. Requests of the
// page's scripts and documents wait for the scan's rate limit, within
// the page load (a load that ends fails those still waiting); images,
// styles, scripts and fonts do not wait.
func (s *Scanner) releaseRequest(b *browser, ev *fetch.EventRequestPaused) {
	tctx := b.tctx
	fail := func() {
		_, _ = chromedp.Call(tctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	if ev.Request == nil {
		fail()
		return
	}
	u, err := url.Parse(ev.Request.URL)
	if err != nil || isSignOut(u, "") || b.loadRequests.Add(1) > maxLoadRequests {
		fail()
		return
	}
	switch ev.ResourceType {
	case network.ResourceTypeImage, network.ResourceTypeStylesheet, network.ResourceTypeScript, network.ResourceTypeFont, network.ResourceTypeMedia:
		// What the page needs to show itself, wherever it is.
	default:
		if !s.scope.contains(u) || !s.robots.allowed(u.RequestURI()) {
			fail()
			return
		}
		b.mu.Lock()
		lctx := b.loadCtx
		b.mu.Unlock()
		if lctx == nil {
			lctx = tctx
		}
		if err := s.client.bucket.wait(lctx); err != nil {
			if tctx.Err() == nil {
				fail()
			}
			return
		}
	}
	s.client.requests.Add(1)
	cont := fetch.ContinueRequestParams{RequestID: ev.RequestID}
	if len(s.client.header) > 0 {
		var hdrs []*fetch.HeaderEntry
		have := map[string]bool{}
		for k, v := range ev.Request.Headers {
			have[textproto.CanonicalMIMEHeaderKey(k)] = true
			hdrs = append(hdrs, &fetch.HeaderEntry{Name: k, Value: fmt.Sprint(v)})
		}
		for k, vs := range s.client.header {
			if !have[textproto.CanonicalMIMEHeaderKey(k)] {
				hdrs = append(hdrs, &fetch.HeaderEntry{Name: k, Value: strings.Join(vs, ", ")})
			}
		}
		cont.Headers = hdrs
	}
	if _, err := chromedp.Call(tctx, fetch.ContinueRequest, cont); err != nil && tctx.Err() == nil {
		s.log.LogAttrs(tctx, slog.LevelDebug, "browser request not released", slog.Any("err", err))
	}
}

// load starts a page load: it returns the context the load's requests
// wait in, which ends with the returned function.
func (b *browser) load(ctx context.Context) (context.Context, func()) {
	lctx, cancel := context.WithCancel(ctx)
	b.mu.Lock()
	b.loadCtx = lctx
	b.mu.Unlock()
	b.loadRequests.Store(0)
	b.inflight.Store(0) // what the last page left under way does not count
	b.lastNet.Store(time.Now().UnixNano())
	return lctx, func() {
		cancel()
		b.mu.Lock()
		if b.loadCtx == lctx {
			b.loadCtx = nil
		}
		b.mu.Unlock()
	}
}

// browserPhase starts the browser and runs the browser crawl; it leaves
// the browser in s.br for the DOM check, and Run closes it. It does
// nothing unless Config.Browser asks for it.
func (s *Scanner) browserPhase(ctx context.Context) {
	if !s.cfg.Browser || ctx.Err() != nil {
		return
	}
	b, err := s.openBrowser(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.note("the browser crawl and DOM checks did not run: " + err.Error())
		}
		return
	}
	s.br = b
	s.browserCrawl(ctx, b)
}

// browserCrawl loads the crawled pages with scripts in the browser and
// keeps what their scripts do: requests to the target become Requests
// (with their JSON or form bodies) and new URLs are crawled, so the
// passive and active checks see them; routes in the fragment are kept
// for the DOM check.
func (s *Scanner) browserCrawl(ctx context.Context, b *browser) {
	pages := s.scriptPages(maxBrowserPages, "browser crawl")
	if len(pages) == 0 {
		return
	}
	var mu sync.Mutex
	var current string
	seen := map[string]bool{}
	var seeds []job
	requests := 0
	b.mu.Lock()
	b.capture = func(ev *network.EventRequestWillBeSent) {
		if ev.Type != network.ResourceTypeXHR && ev.Type != network.ResourceTypeFetch {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		r, ok := s.capturedRequest(ev.Request, current)
		if !ok {
			return
		}
		k := r.Method + " " + r.URL.String() + " " + jsonShape(r.JSON) + " " + strings.Join(slices.Sorted(maps.Keys(r.Form)), "&")
		if seen[k] {
			return
		}
		seen[k] = true
		requests++
		if r.Method == http.MethodGet {
			seeds = append(seeds, job{u: r.URL, depth: 1, from: current})
			return // the crawl fetches it; a query makes it a Request then
		}
		s.addRequest(r)
	}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.capture = nil
		b.mu.Unlock()
	}()

	start := time.Now()
	loaded, submits := 0, 0
	var firstErr error
	visit := func(pageURL string, base *url.URL, depth int) {
		mu.Lock()
		current = pageURL
		mu.Unlock()
		v, err := b.render(pageURL)
		if err != nil {
			if firstErr == nil && ctx.Err() == nil {
				firstErr = err
			}
			return
		}
		loaded++
		for _, l := range v.Links {
			u, err := url.Parse(l)
			if err != nil {
				continue
			}
			if route(u) {
				s.addRoute(u)
				continue
			}
			if nu := resolve(base, l); nu != nil && s.scope.contains(nu) {
				mu.Lock()
				seeds = append(seeds, job{u: nu, depth: depth + 1, from: pageURL})
				mu.Unlock()
			}
		}
		if len(v.Forms) > 0 {
			s.addRenderedForms(base, pageURL, v.Forms)
		}
		n := 0
		for _, g := range v.Groups {
			if s.cfg.Active == ActiveOff || n >= maxPageSubmits || submits >= maxSubmits || ctx.Err() != nil {
				break // a passive scan submits nothing
			}
			if !s.submittable(g) {
				continue
			}
			n++
			submits++
			if err := b.submit(pageURL, g); err != nil && ctx.Err() == nil {
				s.log.LogAttrs(ctx, slog.LevelDebug, "browser form not submitted", slog.String("url", s.red.URL(pageURL)), slog.Any("err", err))
			}
		}
	}
	for i, pg := range pages {
		if ctx.Err() != nil {
			return
		}
		s.progress("browser", i, len(pages))
		visit(pg.URL, pg.u, pg.Depth)
	}
	// The routes of a single-page application are pages of their own.
	for _, r := range s.routesFound() {
		if ctx.Err() != nil {
			return
		}
		visit(r.String(), r, 1)
	}
	s.progress("browser", len(pages), len(pages))
	// A page that polls must not go on spending the rate limit.
	bctx, cancel := context.WithTimeout(b.tctx, browserLoadTimeout)
	_ = chromedp.Do(bctx, chromedp.Navigate("about:blank"))
	cancel()
	if loaded == 0 && firstErr != nil {
		s.note(fmt.Sprintf("the browser crawl could not load any page: %v", firstErr))
	}
	mu.Lock()
	more := slices.Clone(seeds)
	sent := requests
	mu.Unlock()
	before := s.pageN.Load()
	s.crawlMore(ctx, more)
	s.log.LogAttrs(ctx, slog.LevelInfo, "browser crawl finished", slog.Int("pages", loaded), slog.Int("submits", submits), slog.Int("requests", sent),
		slog.Int64("new_pages", s.pageN.Load()-before), slog.Int("routes", len(s.routesFound())), slog.Duration("took", time.Since(start)))
}

// view is what the browser crawl reads of a rendered page.
type view struct {
	// Links are the page's links, absolute, with their fragments.
	Links []string `json:"links"`
	// Forms are the outer HTML of the forms with an action attribute
	// (forms the server did not send, rendered by scripts).
	Forms []string `json:"forms"`
	// Groups are the things a user could fill in and submit: each form,
	// and each button outside a form with the inputs outside forms.
	Groups []group `json:"groups"`
}

// group is one thing to fill in and submit in the rendered page.
type group struct {
	Kind   string   `json:"kind"` // "form" or "button"
	Index  int      `json:"index"`
	Fields []string `json:"fields"` // names, ids or placeholders of its inputs
	Label  string   `json:"label"`  // the submit button's text
	Action string   `json:"action"` // a form's action URL
}

// viewJS reads a view of the rendered page.
const viewJS = `(() => {
  const label = el => ((el.name || '') + ' ' + (el.id || '') + ' ' + (el.getAttribute('placeholder') || '') + ' ' + (el.getAttribute('aria-label') || '')).trim();
  const fillable = el => !el.disabled && !el.readOnly && (el.tagName === 'TEXTAREA' ||
    ['', 'text', 'search', 'email', 'password', 'number', 'tel', 'url'].includes((el.getAttribute('type') || '').toLowerCase()));
  const text = el => (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60);
  const links = Array.from(document.querySelectorAll('a[href], area[href]'), a => a.href).slice(0, 2000);
  const forms = Array.from(document.forms).filter(f => (f.getAttribute('action') || '') !== '').map(f => f.outerHTML.slice(0, 65536)).slice(0, 50);
  const groups = [];
  Array.from(document.forms).slice(0, 20).forEach((f, i) => {
    const fields = Array.from(f.querySelectorAll('input, textarea')).filter(fillable).map(label);
    const btn = f.querySelector('button:not([type=button]):not([type=reset]), input[type=submit]');
    if (fields.length) groups.push({kind: 'form', index: i, fields, label: btn ? text(btn) : '', action: f.action || ''});
  });
  const loose = Array.from(document.querySelectorAll('input, textarea')).filter(el => !el.form && fillable(el)).map(label);
  if (loose.length) {
    Array.from(document.querySelectorAll('button')).filter(b => !b.form && !b.disabled).slice(0, 10).forEach((b, i) => {
      groups.push({kind: 'button', index: i, fields: loose, label: text(b)});
    });
  }
  return {links, forms, groups};
})()`

// submitJS fills in a group (%s: its kind, %d: its index) with harmless
// values, as a user would type them (input and change events, for the
// frameworks that listen), and submits it.
const submitJS = `((kind, index) => {
  const value = el => {
    const t = (el.getAttribute('type') || '').toLowerCase();
    const n = ((el.name || '') + ' ' + (el.id || '') + ' ' + (el.getAttribute('placeholder') || '')).toLowerCase();
    if (t === 'email' || n.includes('mail')) return 'scan@example.com';
    if (t === 'password') return 'Passw0rd!scan';
    if (t === 'number') return '1';
    if (t === 'tel') return '5550100';
    if (t === 'url') return 'http://example.com/';
    return n.includes('name') || n.includes('user') ? 'scan' : 'test';
  };
  const fillable = el => !el.disabled && !el.readOnly && (el.tagName === 'TEXTAREA' ||
    ['', 'text', 'search', 'email', 'password', 'number', 'tel', 'url'].includes((el.getAttribute('type') || '').toLowerCase()));
  const fill = el => {
    const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value(el));
    el.dispatchEvent(new Event('input', {bubbles: true}));
    el.dispatchEvent(new Event('change', {bubbles: true}));
  };
  if (kind === 'form') {
    const f = document.forms[index];
    if (!f) return false;
    Array.from(f.querySelectorAll('input, textarea')).filter(fillable).forEach(fill);
    const btn = f.querySelector('button:not([type=button]):not([type=reset]), input[type=submit]');
    if (btn) { btn.removeAttribute('disabled'); btn.click(); } else if (f.requestSubmit) { f.requestSubmit(); } else { f.submit(); }
    return true;
  }
  Array.from(document.querySelectorAll('input, textarea')).filter(el => !el.form && fillable(el)).forEach(fill);
  const b = Array.from(document.querySelectorAll('button')).filter(b => !b.form && !b.disabled)[index];
  if (!b) return false;
  b.click();
  return true;
})`

// render loads u, lets its scripts run and reads the rendered page.
func (b *browser) render(u string) (*view, error) {
	ctx, cancel := context.WithTimeout(b.tctx, browserLoadTimeout)
	defer cancel()
	_, done := b.load(ctx)
	defer done()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return nil, fmt.Errorf("load %s: %w", u, err)
	}
	if err := b.settle(ctx); err != nil {
		return nil, fmt.Errorf("load %s: %w", u, err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[view](viewJS))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return &v, nil
}

// submit loads u again, fills in the group and submits it, and waits for
// the requests it sends.
func (b *browser) submit(u string, g group) error {
	ctx, cancel := context.WithTimeout(b.tctx, browserLoadTimeout)
	defer cancel()
	kind, err := json.Marshal(g.Kind)
	if err != nil {
		return err
	}
	_, done := b.load(ctx)
	defer done()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return fmt.Errorf("load %s: %w", u, err)
	}
	if err := b.settle(ctx); err != nil {
		return fmt.Errorf("load %s: %w", u, err)
	}
	expr := submitJS + "(" + string(kind) + ", " + strconv.Itoa(g.Index) + ")"
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err != nil {
		return fmt.Errorf("submit a form of %s: %w", u, err)
	}
	return b.settle(ctx)
}

// route says u is a route of a single-page application: a fragment that
// is a path ("#/search", "#!/search?q=").
func route(u *url.URL) bool {
	f := u.Fragment
	return strings.HasPrefix(f, "/") || strings.HasPrefix(f, "!/")
}

// addRoute keeps a fragment route of the target for the DOM check, one
// per route path.
func (s *Scanner) addRoute(u *url.URL) {
	if !s.scope.contains(u) {
		return
	}
	rp, _, _ := strings.Cut(u.Fragment, "?")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.routes {
		if p, _, _ := strings.Cut(r.Fragment, "?"); p == rp && r.Path == u.Path {
			return
		}
	}
	if len(s.routes) < maxRoutes {
		s.routes = append(s.routes, u)
	}
}

func (s *Scanner) routesFound() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.routes)
}

// capturedRequest turns a request a page sent into a Request: to the
// target's scope, with a JSON or form body read when there is one. At
// --active safe, requests that look destructive are left out.
func (s *Scanner) capturedRequest(req *network.Request, page string) (Request, bool) {
	if req == nil {
		return Request{}, false
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return Request{}, false
	}
	u = normalize(u)
	if u == nil || !s.scope.contains(u) {
		return Request{}, false
	}
	r := Request{Method: strings.ToUpper(req.Method), URL: u, Page: page}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		r.Method = http.MethodGet
		return r, true
	}
	if req.HasPostData && len(req.PostDataEntries) == 0 {
		return Request{}, false // a body too large for the browser to report
	}
	var body []byte
	for _, e := range req.PostDataEntries {
		body = append(body, e.Bytes...)
		if len(body) > maxCapturedBody {
			return Request{}, false
		}
	}
	ct := ""
	for k, v := range req.Headers {
		if strings.EqualFold(k, "Content-Type") {
			ct = fmt.Sprint(v)
		}
	}
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "text/plain" && json.Valid(body) && len(body) > 0 && (body[0] == '{' || body[0] == '[')):
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return Request{}, false
		}
		r.JSON, r.Enctype = v, "application/json"
	case mt == "application/x-www-form-urlencoded":
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return Request{}, false
		}
		r.Form = f
	case len(body) == 0:
		r.Form = url.Values{}
	default:
		return Request{}, false // multipart, XML and others: not taken
	}
	if m, ok := r.JSON.(map[string]any); ok && graphqlBody(m) {
		// The variables are the insertion points, not the query; a
		// mutation changes data, which only --active full allows.
		r.Fixed = []string{"query", "operationName"}
		if graphqlMutation(m) && s.cfg.Active != ActiveFull {
			return Request{}, false
		}
	}
	if s.cfg.Active != ActiveFull && !safeToAttack(r.Method, u, fieldNames(r)) {
		return Request{}, false
	}
	return r, true
}

// fieldNames are the names of a Request's form fields and top-level JSON
// fields.
func fieldNames(r Request) []string {
	names := slices.Collect(maps.Keys(r.Form))
	if m, ok := r.JSON.(map[string]any); ok {
		names = slices.AppendSeq(names, maps.Keys(m))
	}
	return names
}

// maxRouteParams bounds the parameters tried in one route's fragment.
const maxRouteParams = 5

// routeParamGuesses are tried on a route whose fragment has no query: a
// search route of a single-page application reads them.
var routeParamGuesses = []string{"q", "query", "search"}

// routeProbes lists the DOM probes of a fragment route: each parameter
// of the fragment's query, or the guesses when there is none.
func routeProbes(r *url.URL, prefix string, n *int) []domProbe {
	rp, rq, _ := strings.Cut(r.Fragment, "?")
	q, _ := url.ParseQuery(rq)
	names := slices.Sorted(maps.Keys(q))
	if len(names) == 0 {
		names = routeParamGuesses
	}
	if len(names) > maxRouteParams {
		names = names[:maxRouteParams]
	}
	base := *r
	base.Fragment, base.RawFragment = "", ""
	var out []domProbe
	for _, name := range names {
		for _, tmpl := range domPayloads {
			*n++
			m := prefix + strconv.Itoa(*n)
			p := strings.ReplaceAll(tmpl, "'M'", "'"+m+"'")
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set(name, p)
			out = append(out, domProbe{
				url: base.String() + "#" + rp + "?" + v.Encode(), param: "fragment:" + name,
				source: "the parameter " + name + " of the route #" + rp + " (location.hash)", payload: p, marker: m,
			})
		}
	}
	return out
}

// addRenderedForms adds the forms a page's scripts rendered (with an
// action attribute) to the Requests, as the crawl does with the forms a
// server sends.
func (s *Scanner) addRenderedForms(base *url.URL, page string, forms []string) {
	doc := extractHTML(base, []byte("<html><body>"+strings.Join(forms, "\n")+"</body></html>"))
	for i := range doc.forms {
		f := &doc.forms[i]
		u, err := url.Parse(f.Action)
		if err != nil {
			continue
		}
		switch f.Method {
		case http.MethodPost:
			s.addRequest(Request{Method: http.MethodPost, URL: u, Form: f.Values(), Enctype: f.Enctype, Page: page})
		case http.MethodGet:
			q := u.Query()
			for k, vs := range f.Values() {
				q[k] = vs
			}
			u.RawQuery = q.Encode()
			s.addRequest(Request{Method: http.MethodGet, URL: u, Page: page})
		}
	}
}

// submittable says the browser crawl may fill in and submit g: not a
// sign-out, not to a URL out of scope, and at --active safe nothing that
// looks destructive (its action, fields and button text).
func (s *Scanner) submittable(g group) bool {
	if reSignOut.MatchString(g.Label) {
		return false
	}
	action := &url.URL{Path: "/"}
	if g.Action != "" {
		u, err := url.Parse(g.Action)
		if err != nil || !s.scope.contains(u) || isSignOut(u, "") {
			return false
		}
		action = u
	}
	if s.cfg.Active == ActiveFull {
		return true
	}
	return safeToAttack(http.MethodPost, action, append([]string{g.Label}, g.Fields...))
}

// spaHint says, in the notes, that the target looks like a single-page
// application the crawler saw little of, when the scan runs without a
// browser: a start page whose body is little more than scripts, and few
// HTML pages crawled.
func (s *Scanner) spaHint() {
	if s.cfg.Browser {
		return
	}
	htmlPages := 0
	var start *Page
	for _, pg := range s.Pages() {
		if pg.isHTML() && pg.Status < 400 {
			htmlPages++
			if start == nil {
				start = pg
			}
		}
	}
	if start == nil || htmlPages > 5 || start.doc == nil || len(start.doc.links) > 3 {
		return
	}
	lower := bytes.ToLower(start.Body)
	if bytes.Count(lower, []byte("<script")) == 0 || len(bytes.TrimSpace(spaTagsRE.ReplaceAll(lower, nil))) > 2048 {
		return
	}
	s.note("the start page looks like a single-page application (little but scripts) and the crawl found few pages: --browser crawls what its scripts request and render")
}

// spaTagsRE matches scripts, styles and tags, to measure a page's text.
var spaTagsRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
