package scan

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"rampart/internal/scan/active"
)

// This file holds the DOM-based XSS check (Config.Browser): the crawled
// HTML pages are loaded in headless Chromium with payloads in the
// sources a page script reads (the fragment, the query parameters,
// window.name). A payload that runs calls a binding of the browser with
// its own marker, so a finding is an executed payload, never a guess.
// The browser's requests to the target go through releaseRequest
// (browser.go): the scope, the rate limit for all but images, styles,
// scripts and fonts, and the configured headers.

const (
	// maxDOMPages bounds the pages loaded in the browser.
	maxDOMPages = 20
	// maxDOMParams bounds the query parameters tried on one page.
	maxDOMParams = 5
	// domProbeTimeout bounds one load of a page with a payload.
	domProbeTimeout = 5 * time.Second
	// domSettle is how long a loaded page gets to run its scripts before
	// the check fires hashchange (and a third of it after).
	domSettle = 300 * time.Millisecond
	// domBinding is the function a payload calls when it runs.
	domBinding = "rmpHit"
)

// domPayloads are the payloads, with M standing for the probe's marker:
// markup for HTML sinks (innerHTML, document.write), a URL for
// location and href sinks (also a labelled statement for eval), a string
// break-out for eval and setTimeout of a quoted string, and an attribute
// break-out.
var domPayloads = []string{
	`<img src=x onerror=rmpHit('M')>`,
	`javascript:rmpHit('M')`,
	`'-rmpHit('M')-'`,
	`"><svg onload=rmpHit('M')>`,
}

// domWindowNamePayloads are the payloads tried through window.name, a
// source read less often: the markup and the script ones.
var domWindowNamePayloads = domPayloads[:2]

// domProbe is one load of a page with a payload in one source.
type domProbe struct {
	url     string // what the browser loads
	param   string // the Finding's Parameter: fragment, query:NAME, window.name
	source  string // said in the evidence
	payload string // with the marker in place
	marker  string
	name    string // window.name to set before the page's scripts run
	// message, when set, is sent to the loaded page as a message event
	// from another origin (the data as a string, and in the fields of an
	// object), as a page of another site could post it.
	message string
}

// domMessageJS dispatches a message event from a foreign origin, with
// %s the JSON-quoted payload. A handler that checks event.origin
// refuses it, as it would refuse a real one.
const domMessageJS = `(() => { const p = %s; const o = 'https://rmp-sender.example';
for (const data of [p, {message: p, html: p, data: p, text: p, url: p, content: p}, JSON.stringify({message: p, html: p, data: p, url: p})]) {
  window.dispatchEvent(new MessageEvent('message', {data, origin: o}));
} })()`

// domHits records the markers the payloads reported.
type domHits struct {
	mu sync.Mutex
	m  map[string]bool
}

func (h *domHits) add(marker string) {
	h.mu.Lock()
	h.m[marker] = true
	h.mu.Unlock()
}

func (h *domHits) has(marker string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[marker]
}

// domSite is the DOM check's site function: it runs in the browser the
// browser crawl started (browser.go), which Config.Browser asks for.
func domSite(ctx context.Context, s *Scanner) {
	b := s.br
	if b == nil {
		return
	}
	pages := s.scriptPages(maxDOMPages, "DOM checks")
	routes := s.routesFound()
	if len(pages) == 0 && len(routes) == 0 {
		return
	}
	prefix := domMarkerPrefix()
	n := 0
	start := time.Now()
	var loaded int
	var firstErr error
	defer func() {
		if loaded == 0 && firstErr != nil {
			// A certificate Chromium does not trust (a private CA given
			// with the scan's client) is the usual reason.
			s.note(fmt.Sprintf("DOM checks could not load any page in the browser: %v", firstErr))
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "dom checks finished", slog.Int("pages", len(pages)), slog.Int("routes", len(routes)),
			slog.Int("probes", n), slog.Duration("took", time.Since(start)))
	}()
	total := len(pages) + len(routes)
	for i, pg := range pages {
		if ctx.Err() != nil {
			return
		}
		s.progress("dom", i, total)
		l, err := s.domPage(ctx, b, pg, domProbes(pg, prefix, &n))
		loaded += l
		if firstErr == nil {
			firstErr = err
		}
	}
	for i, r := range routes {
		if ctx.Err() != nil {
			return
		}
		s.progress("dom", len(pages)+i, total)
		pg := &Page{URL: r.String(), u: r}
		l, err := s.domPage(ctx, b, pg, routeProbes(r, prefix, &n))
		loaded += l
		if firstErr == nil {
			firstErr = err
		}
	}
	s.progress("dom", total, total)
	s.storedDOM(ctx, b, pages, routes)
}

// domPage runs the probes of one page and reports the payloads that ran.
// It returns how many loads succeeded and the first error. A load that
// times out ends the page: the next would too.
func (s *Scanner) domPage(ctx context.Context, b *browser, pg *Page, probes []domProbe) (loaded int, firstErr error) {
	found := map[string]bool{} // sources already reported on this page
	for _, p := range probes {
		if ctx.Err() != nil || found[p.param] {
			continue
		}
		err := domLoad(b.tctx, p)
		if err == nil {
			loaded++
		} else if ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "dom probe failed", slog.String("url", s.red.URL(p.url)),
				slog.String("source", p.param), slog.Any("err", err))
			if firstErr == nil {
				firstErr = err
			}
		}
		if b.hits.has(p.marker) {
			if strings.HasPrefix(p.param, "query:") && s.reflected(ctx, p) {
				// The server put it there: the reflected-XSS check's finding.
				s.log.LogAttrs(ctx, slog.LevelDebug, "dom payload ran but the server reflected it",
					slog.String("url", s.red.URL(p.url)), slog.String("source", p.param))
			} else {
				found[p.param] = true
				s.reportDOM(pg, p)
			}
		}
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
	}
	return loaded, firstErr
}

// scriptPages returns the crawled HTML pages worth loading in the
// browser: fetched with GET, not an error, with a script in them (or a
// body the inventory did not keep), one per path and set of parameter
// names, at most limit (a note names what was bounded).
func (s *Scanner) scriptPages(limit int, what string) []*Page {
	seen := map[string]bool{}
	var out []*Page
	for _, pg := range s.Pages() {
		if !strings.HasPrefix(pg.ContentType, "text/html") || pg.Method != http.MethodGet || pg.Status >= 400 || pg.u == nil {
			continue
		}
		if pg.Body != nil && !bytes.Contains(bytes.ToLower(pg.Body), []byte("<script")) {
			continue // no script: nothing reads a source
		}
		if !s.scope.contains(pg.u) || isSignOut(pg.u, "") {
			continue
		}
		k := pg.u.Scheme + "://" + pg.u.Host + pg.u.Path + "?" + paramNames(pg.u.RawQuery)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, pg)
	}
	if len(out) > limit {
		s.note(what + " loaded the first " + strconv.Itoa(limit) + " of " + strconv.Itoa(len(out)) + " HTML pages with scripts in the browser")
		out = out[:limit]
	}
	return out
}

// domMarkerPrefix is a random start of this scan's markers, so that no
// page can call the binding with a marker by chance.
func domMarkerPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "rmp" + hex.EncodeToString(b)
}

// domProbes lists the probes of one page; n numbers the markers.
func domProbes(pg *Page, prefix string, n *int) []domProbe {
	mark := func(payload string) (string, string) {
		*n++
		m := prefix + strconv.Itoa(*n)
		return strings.ReplaceAll(payload, "'M'", "'"+m+"'"), m
	}
	base := *pg.u
	base.Fragment, base.RawFragment = "", ""
	var out []domProbe
	for _, tmpl := range domPayloads {
		p, m := mark(tmpl)
		out = append(out, domProbe{url: base.String() + "#" + p, param: "fragment", source: "location.hash", payload: p, marker: m})
	}
	q := base.Query()
	names := slices.Sorted(maps.Keys(q))
	if len(names) > maxDOMParams {
		names = names[:maxDOMParams]
	}
	for _, name := range names {
		for _, tmpl := range domPayloads {
			p, m := mark(tmpl)
			u := base
			v := base.Query()
			v.Set(name, p)
			u.RawQuery = v.Encode()
			out = append(out, domProbe{url: u.String(), param: "query:" + name, source: "the query parameter " + name + " (location.search)", payload: p, marker: m})
		}
	}
	for _, tmpl := range domWindowNamePayloads {
		p, m := mark(tmpl)
		out = append(out, domProbe{url: base.String(), param: "window.name", source: "window.name", payload: p, marker: m, name: p})
	}
	for _, tmpl := range domWindowNamePayloads {
		p, m := mark(tmpl)
		out = append(out, domProbe{url: base.String(), param: "postMessage", source: "a message event from another origin (postMessage)", payload: p, marker: m, message: p})
	}
	return out
}

// domLoad loads one probe (for a fragment, from a blank page, so that a
// URL that differs only in its fragment is a new document); it waits
// for the scripts, fires hashchange and waits a little again.
func domLoad(tctx context.Context, p domProbe) error {
	ctx, cancel := context.WithTimeout(tctx, domProbeTimeout)
	defer cancel()
	if p.param == "fragment" {
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			return fmt.Errorf("load about:blank: %w", err)
		}
	}
	if p.name != "" {
		js, err := json.Marshal(p.name)
		if err != nil {
			return err
		}
		// Set before the page's scripts run, as a page of another site
		// that opened or framed it could have.
		added, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: "window.name = " + string(js)})
		if err != nil {
			return fmt.Errorf("set window.name: %w", err)
		}
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_, _ = chromedp.Call(rctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams(added))
		}()
	}
	fire := "window.dispatchEvent(new HashChangeEvent('hashchange'))"
	if p.message != "" {
		js, err := json.Marshal(p.message)
		if err != nil {
			return err
		}
		fire = fmt.Sprintf(domMessageJS, js)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(p.url),
		chromedp.Sleep(domSettle),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{Expression: fire})
			return err
		}),
		chromedp.Sleep(domSettle/3),
	)
	var le *chromedp.LoadError
	if errors.As(err, &le) {
		return fmt.Errorf("load %s: %w", p.url, err)
	}
	return err
}

// reflected says the server's own response to the probe's URL holds the
// payload's call: the script came from the server, which the
// reflected-XSS check covers. It errs on the side of not reporting.
func (s *Scanner) reflected(ctx context.Context, p domProbe) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return true
	}
	r, err := s.client.do(req)
	if err != nil {
		return true
	}
	return bytes.Contains(r.Body, []byte(domBinding+"('"+p.marker+"')"))
}

// reportDOM reports a payload that ran.
func (s *Scanner) reportDOM(pg *Page, p domProbe) {
	u := *pg.u
	u.Fragment, u.RawFragment = "", ""
	s.report(Finding{
		Check:      "xss.dom",
		Title:      "DOM-based cross-site scripting",
		Severity:   SeverityHigh,
		Confidence: ConfidenceConfirmed,
		CWE:        79,
		OWASP:      "A03:2021-Injection",
		Description: "A script of the page reads " + p.source + " and writes it to a sink that runs it (innerHTML, document.write, eval, " +
			"a location or href assignment). A link with a payload in that source runs script in the site's origin in the " +
			"browser of whoever follows it, with their session; the payload may never reach the server, so server-side " +
			"filters and logs do not see it.",
		Fix: "Treat every source the page's scripts read (location, document.referrer, window.name, postMessage data) as " +
			"untrusted: write it with textContent or setAttribute on a safe attribute, never innerHTML, outerHTML, " +
			"document.write, eval, setTimeout with a string, or a location assignment without checking the scheme; use " +
			"Trusted Types (require-trusted-types-for 'script' in the CSP) to make the browser enforce it.",
		Parameter: p.param,
		URLs:      []string{u.String()},
		Evidence: Evidence{
			Request: "GET " + p.url,
			Detail: "Loaded in headless Chromium with the payload " + strconv.Quote(p.payload) + " in " + p.source +
				"; the payload ran and called " + domBinding + "('" + p.marker + "').",
		},
		References: []string{
			"https://owasp.org/www-community/attacks/DOM_Based_XSS",
			"https://cheatsheetseries.owasp.org/cheatsheets/DOM_based_XSS_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/79.html",
		},
	}, false)
}

// Bounds of the stored DOM-XSS pass.
const (
	// maxStoredDOMPoints bounds the points that get a stored payload.
	maxStoredDOMPoints = 40
)

// storedDOM is the browser's stored-XSS pass (--active full): a payload
// that calls the binding with its own marker is sent once into each
// string of the requests that write (POST, PUT and PATCH with a form or
// JSON body: a comment, a review, a profile), then the pages and routes
// are loaded again; a marker that calls back names the point that stored
// it. A single-page application renders what it stored from JSON, which
// no HTML response shows, so only the browser finds it.
func (s *Scanner) storedDOM(ctx context.Context, b *browser, pages []*Page, routes []*url.URL) {
	if s.cfg.Active != ActiveFull {
		return
	}
	prefix := domMarkerPrefix() + "s"
	stored := map[string]active.Point{}
	n := 0
	send := scanSender{s}
	for _, p := range s.activePoints() {
		if len(stored) >= maxStoredDOMPoints || ctx.Err() != nil {
			break
		}
		if p.Method == http.MethodGet || (p.Kind != active.Form && p.Kind != active.JSON) {
			continue
		}
		n++
		marker := prefix + strconv.Itoa(n)
		payload := strings.ReplaceAll(domPayloads[0], "'M'", "'"+marker+"'")
		req, err := p.Request(ctx, payload)
		if err != nil {
			continue
		}
		if _, err := send.Send(ctx, req); err != nil {
			continue
		}
		stored[marker] = p
	}
	if len(stored) == 0 {
		return
	}
	var urls []string
	for _, pg := range pages {
		urls = append(urls, pg.URL)
	}
	for _, r := range routes {
		urls = append(urls, r.String())
	}
	reported := map[string]bool{}
	for _, u := range urls {
		if ctx.Err() != nil {
			return
		}
		if _, err := b.render(u); err != nil {
			continue
		}
		for marker, p := range stored {
			if reported[marker] || !b.hits.has(marker) {
				continue
			}
			reported[marker] = true
			s.reportActive(active.Result{
				Check: "xss.stored", Point: p, Confirmed: true,
				Payload: strings.ReplaceAll(domPayloads[0], "'M'", "'"+marker+"'"),
				Detail: "The payload stored through " + p.String() + " ran when " + s.red.URL(u) +
					" was loaded in headless Chromium: the page's scripts render the stored value as markup. It called " +
					domBinding + "('" + marker + "').",
				Request: p.Method + " " + s.red.URL(p.URL.String()) + " (" + p.String() + ")",
			})
		}
	}
}
