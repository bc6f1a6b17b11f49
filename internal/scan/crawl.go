package scan

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Crawl bounds besides the configured ones.
const (
	// maxQueryVariants bounds the URLs with one path and one set of
	// query parameter names that differ only in values (calendars, sort
	// orders and other crawler traps; index.php?page=… sites stay within
	// it, and MaxPages bounds the whole crawl).
	maxQueryVariants = 100
	// maxQueue bounds the URLs waiting to be crawled.
	maxQueue = 100_000
	// maxCORSProbes bounds the URLs the CORS check probes.
	maxCORSProbes = 8
)

// job is a URL to crawl.
type job struct {
	u     *url.URL
	depth int
	from  string
}

// loadRobots fetches the target's robots.txt and, unless
// Config.IgnoreRobots, keeps its rules; its Sitemap lines are kept for
// loadSitemaps either way.
func (s *Scanner) loadRobots(ctx context.Context) {
	ru := &url.URL{Scheme: s.target.Scheme, Host: s.target.Host, Path: "/robots.txt"}
	resp, err := s.client.get(ctx, ru, nil)
	if s.cfg.IgnoreRobots {
		s.note("robots.txt was ignored (--ignore-robots)")
	}
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelDebug, "robots.txt not loaded", slog.Any("err", err))
		return
	}
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		r := parseRobots(resp.Body, s.uaToken())
		if s.cfg.IgnoreRobots {
			s.robots = &robots{sitemaps: r.sitemaps}
		} else {
			s.robots = r
		}
	case resp.Status >= 500:
		// RFC 9309 would have a crawler stay away; a scan the site's
		// owner started is better served by crawling and saying so.
		s.note(fmt.Sprintf("robots.txt answered %d; crawled as if it allowed everything", resp.Status))
	}
}

// uaToken is the product token of the User-Agent ("rampart-scan").
func (s *Scanner) uaToken() string {
	t, _, _ := strings.Cut(s.cfg.UserAgent, "/")
	return strings.TrimSpace(t)
}

// loadSitemaps reads /sitemap.xml and the sitemaps robots.txt names
// (in scope only, following sitemap indexes up to maxSitemapFiles
// files) and returns their page URLs as depth-1 jobs.
func (s *Scanner) loadSitemaps(ctx context.Context) []job {
	queue := []*url.URL{{Scheme: s.target.Scheme, Host: s.target.Host, Path: "/sitemap.xml"}}
	if s.robots != nil {
		for _, sm := range s.robots.sitemaps {
			if u := resolve(s.target, sm); u != nil {
				queue = append(queue, u)
			}
		}
	}
	seen := map[string]bool{}
	var jobs []job
	for files := 0; len(queue) > 0 && files < maxSitemapFiles && ctx.Err() == nil; {
		u := queue[0]
		queue = queue[1:]
		if seen[u.String()] || !s.scope.contains(u) || !s.robots.allowed(u.RequestURI()) {
			continue
		}
		seen[u.String()] = true
		files++
		resp, err := s.client.get(ctx, u, nil)
		if err != nil || resp.Status != http.StatusOK {
			continue
		}
		pages, maps, err := parseSitemap(resp.Body)
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "sitemap not read", slog.String("url", u.String()), slog.Any("err", err))
			continue
		}
		for _, p := range pages {
			if pu := resolve(u, p); pu != nil {
				jobs = append(jobs, job{u: pu, depth: 1})
			}
		}
		for _, m := range maps {
			if mu := resolve(u, m); mu != nil {
				queue = append(queue, mu)
			}
		}
	}
	return jobs
}

// crawler is the state of one crawl, owned by the goroutine running it.
type crawler struct {
	s        *Scanner
	queue    []job
	seen     map[string]bool
	variants map[string]int
	// Why URLs were not crawled, for the Notes.
	signOut, robotsDenied, overflow int
	signOutExample                  string
}

type crawled struct {
	job   job
	page  *Page
	links []link
}

// crawl fetches the target and what it links to, breadth first, at most
// MaxPages pages and MaxDepth links deep, Concurrency at once. Passive
// checks run on each page as it arrives.
func (s *Scanner) crawl(ctx context.Context, seeds []job) {
	c := &crawler{s: s, seen: map[string]bool{}, variants: map[string]int{}}
	c.enqueue(job{u: s.target}, "")
	if len(c.queue) == 0 {
		if c.robotsDenied > 0 {
			s.note("the target is disallowed by robots.txt; nothing was crawled (--ignore-robots crawls anyway)")
		} else {
			s.note("the target is outside the scan's scope (include/exclude patterns, or a sign-out URL); nothing was crawled")
		}
		return
	}
	for _, j := range seeds {
		c.enqueue(j, "")
	}
	c.run(ctx, s.cfg.MaxPages)
}

// crawlMore crawls from URLs found after the crawl (by the browser),
// skipping the pages already crawled, within what is left of MaxPages.
func (s *Scanner) crawlMore(ctx context.Context, seeds []job) {
	c := &crawler{s: s, seen: map[string]bool{}, variants: map[string]int{}}
	for _, p := range s.Pages() {
		c.seen[p.URL] = true
	}
	for _, j := range seeds {
		c.enqueue(j, "")
	}
	if len(c.queue) > 0 {
		c.run(ctx, s.cfg.MaxPages-int(s.pageN.Load()))
	}
}

// run fetches the queue and what it links to, at most budget pages.
func (c *crawler) run(ctx context.Context, budget int) {
	s := c.s
	results := make(chan crawled)
	inflight, dispatched := 0, 0
	for {
		for inflight < s.cfg.Concurrency && len(c.queue) > 0 && dispatched < budget && ctx.Err() == nil {
			j := c.queue[0]
			c.queue[0] = job{}
			c.queue = c.queue[1:]
			inflight++
			dispatched++
			go func() { results <- s.fetchPage(ctx, j) }()
		}
		if inflight == 0 {
			break
		}
		r := <-results
		inflight--
		if r.page == nil {
			continue
		}
		for _, l := range r.links {
			depth := r.job.depth + 1
			if l.url == r.page.redirect {
				depth = r.job.depth
			}
			c.enqueue(job{u: l.url, depth: depth, from: r.page.URL}, l.text)
		}
		s.progress("crawl", int(s.pageN.Load()), min(s.cfg.MaxPages, len(c.seen)))
	}
	if dispatched >= budget && len(c.queue) > 0 {
		s.note(fmt.Sprintf("stopped at max-pages (%d); %d more URLs were found", s.cfg.MaxPages, len(c.queue)))
	}
	if c.signOut > 0 {
		s.note(fmt.Sprintf("did not follow %d sign-out links (such as %s)", c.signOut, s.red.URL(c.signOutExample)))
	}
	if c.robotsDenied > 0 {
		s.note(fmt.Sprintf("did not crawl %d URLs that robots.txt disallows", c.robotsDenied))
	}
	if c.overflow > 0 {
		s.note(fmt.Sprintf("did not queue %d URLs (too many query variants of one path, or the queue was full)", c.overflow))
	}
}

// enqueue queues j when it is in scope, not a sign-out link, allowed by
// robots.txt, within MaxDepth and new.
func (c *crawler) enqueue(j job, text string) {
	s := c.s
	u := j.u
	if u == nil || j.depth > s.cfg.MaxDepth || !s.scope.contains(u) || skipFetch(u) {
		return
	}
	k := u.String()
	if c.seen[k] {
		return
	}
	if isSignOut(u, text) {
		c.seen[k] = true
		c.signOut++
		if c.signOutExample == "" {
			c.signOutExample = k
		}
		return
	}
	if !s.robots.allowed(u.RequestURI()) {
		c.seen[k] = true
		c.robotsDenied++
		return
	}
	if u.RawQuery != "" {
		pk := u.Host + u.Path + "?" + paramNames(u.RawQuery)
		if c.variants[pk] >= maxQueryVariants {
			c.overflow++
			return
		}
		c.variants[pk]++
	}
	if len(c.queue) >= maxQueue {
		c.overflow++
		return
	}
	c.seen[k] = true
	c.queue = append(c.queue, j)
}

// fetchPage fetches one URL, reads its links and forms, runs the passive
// checks on it and keeps it in the inventory.
func (s *Scanner) fetchPage(ctx context.Context, j job) crawled {
	out := crawled{job: j}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.u.String(), nil)
	if err != nil {
		return out
	}
	resp, err := s.sendSignedIn(req)
	if err != nil {
		if ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "fetch failed", slog.String("url", j.u.String()), slog.Any("err", err))
		}
		return out
	}
	s.pageN.Add(1)
	p := &Page{
		URL:         j.u.String(),
		Method:      http.MethodGet,
		Status:      resp.Status,
		Header:      resp.Header,
		Body:        resp.Body,
		ContentType: mediaType(resp.Header, resp.Body),
		Depth:       j.depth,
		Referrer:    j.from,
		Truncated:   resp.Truncated,
		u:           j.u,
		reqHead:     resp.ReqHeader,
		proto:       resp.Proto,
		elapsed:     resp.Elapsed,
	}
	if s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.LogAttrs(ctx, slog.LevelDebug, "fetched", slog.String("url", p.URL), slog.Int("status", p.Status),
			slog.String("type", p.ContentType), slog.Int("bytes", len(p.Body)))
	}
	if resp.Status >= 300 && resp.Status < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			if u := resolve(j.u, loc); u != nil {
				p.redirect = u
				out.links = append(out.links, link{url: u})
			}
		}
	}
	switch {
	case p.isHTML():
		p.doc = extractHTML(j.u, p.Body)
		p.Forms = p.doc.forms
		out.links = append(out.links, p.doc.links...)
	case p.isJS() || strings.Contains(p.ContentType, "json"):
		p.jsLinks = extractJS(j.u, p.Body, maxJSLinks)
		for _, u := range p.jsLinks {
			out.links = append(out.links, link{url: u})
		}
	}
	for _, c := range s.checks {
		if c.page != nil && (c.phase == phasePassive || s.cfg.Active != ActiveOff) {
			c.page(s, p)
		}
	}
	s.keep(p)
	out.page = p
	return out
}

// keep adds p to the inventory, with its body while the budget lasts.
func (s *Scanner) keep(p *Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bodyBytes+int64(len(p.Body)) > maxStoredBody {
		p.Body = nil
	} else {
		s.bodyBytes += int64(len(p.Body))
	}
	p.jsLinks = nil
	s.pages = append(s.pages, p)
}

// mediaType is the response's media type in lowercase, sniffed from the
// body when the header has none.
func mediaType(h http.Header, body []byte) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		if len(body) == 0 {
			return ""
		}
		ct = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

func (p *Page) isHTML() bool {
	return p.ContentType == "text/html" || p.ContentType == "application/xhtml+xml"
}

func (p *Page) isJS() bool {
	switch {
	case strings.Contains(p.ContentType, "javascript"), strings.Contains(p.ContentType, "ecmascript"):
		return true
	case p.ContentType == "text/plain", p.ContentType == "application/octet-stream", p.ContentType == "":
		ext := strings.ToLower(path.Ext(p.u.Path))
		return ext == ".js" || ext == ".mjs"
	}
	return false
}

// isHTTPS says the page was fetched over TLS.
func (p *Page) isHTTPS() bool { return p.u.Scheme == "https" }

// paramNames are the sorted, distinct names of a query's parameters.
func paramNames(rawQuery string) string {
	var names []string
	for _, kv := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), "&")
}
