package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxBody bounds what the scanner reads of one response body; the rest
// is not read (Stats.Truncated counts such responses).
const maxBody = 2 << 20

// response is one answer the client got.
type response struct {
	// URL is the request URL.
	URL    *url.URL
	Method string
	// ReqHeader is what was sent (for evidence), cookies included.
	ReqHeader http.Header
	Status    int
	Proto     string
	Header    http.Header
	Body      []byte
	// Truncated says the body was longer than maxBody.
	Truncated bool
	Elapsed   time.Duration
}

// client sends the scan's requests: at most Rate a second, at most
// Concurrency at once, each within Timeout, with the configured headers
// and cookies and the cookies the site set. It never follows redirects;
// the crawler decides. It is safe for concurrent use.
type client struct {
	hc      *http.Client
	jar     http.CookieJar
	bucket  *bucket
	sem     chan struct{}
	timeout time.Duration
	header  http.Header
	cookies []*http.Cookie
	ua      string
	log     *slog.Logger

	requests, errors, truncated, blocked atomic.Int64
	// remoteIP is the address of the first server the client reached,
	// to tell whether the target is on a private network.
	remoteIP atomic.Pointer[netip.Addr]
	// firstErr is the first transport error, for the report when
	// nothing could be fetched.
	firstErr atomic.Pointer[error]
	// onCookie is told of every cookie the site sets (the scanner adds
	// session-like values to the redactor).
	onCookie func(*http.Cookie)
}

func newClient(cfg Config, log *slog.Logger) (*client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	var hc http.Client
	if cfg.Client != nil {
		hc = *cfg.Client
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Concurrency + 2
		tr.ResponseHeaderTimeout = cfg.Timeout
		hc.Transport = tr
	}
	// The crawler follows redirects itself, in scope only; the scanner
	// keeps the cookies (the client's own jar would send configured
	// cookies twice).
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc.Jar = nil
	c := &client{
		hc:      &hc,
		jar:     jar,
		bucket:  newBucket(cfg.Rate),
		sem:     make(chan struct{}, cfg.Concurrency),
		timeout: cfg.Timeout,
		header:  cfg.Header.Clone(),
		cookies: cfg.Cookies,
		ua:      cfg.UserAgent,
		log:     log,
	}
	return c, nil
}

// get sends a GET for u with the extra headers hdr.
func (c *client) get(ctx context.Context, u *url.URL, hdr http.Header) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	return c.do(req)
}

// do sends req under the rate limit and the concurrency bound, with the
// configured headers and cookies (req's own headers win), and reads at
// most maxBody of the answer.
func (c *client) do(req *http.Request) (*response, error) {
	ctx := req.Context()
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	if err := c.bucket.wait(ctx); err != nil {
		return nil, err
	}
	for k, v := range c.header {
		if _, ok := req.Header[k]; !ok {
			req.Header[k] = v
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.ua)
	}
	own := ctx.Value(ownCookiesKey{}) != nil
	if req.Header.Get("Cookie") == "" && !own {
		if ck := c.cookieHeader(req.URL); ck != "" {
			req.Header.Set("Cookie", ck)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if c.remoteIP.Load() == nil {
		rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			if ap, err := netip.ParseAddrPort(info.Conn.RemoteAddr().String()); err == nil {
				a := ap.Addr().Unmap()
				c.remoteIP.CompareAndSwap(nil, &a)
			}
		}})
	}
	req = req.WithContext(rctx)

	c.requests.Add(1)
	start := time.Now()
	resp, err := c.hc.Do(req) // #nosec G704 -- a scanner requests the target it was given; the crawler keeps to its scope
	if err != nil {
		err = fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
		if ctx.Err() == nil {
			c.errors.Add(1)
			c.firstErr.CompareAndSwap(nil, &err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		// A body cut short still tells the checks something.
		c.log.LogAttrs(ctx, slog.LevelDebug, "response body cut short", slog.String("url", req.URL.String()), slog.Any("err", err))
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	truncated := len(body) > maxBody
	if truncated {
		body = body[:maxBody]
		c.truncated.Add(1)
	}
	if looksBlocked(resp.StatusCode, body) {
		c.blocked.Add(1)
	}
	if cs := resp.Cookies(); len(cs) > 0 && !own {
		c.jar.SetCookies(req.URL, cs)
		if c.onCookie != nil {
			for _, ck := range cs {
				c.onCookie(ck)
			}
		}
	}
	return &response{
		URL:       req.URL,
		Method:    req.Method,
		ReqHeader: req.Header,
		Status:    resp.StatusCode,
		Proto:     resp.Proto,
		Header:    resp.Header,
		Body:      body,
		Truncated: truncated,
		Elapsed:   time.Since(start),
	}, nil
}

// ownCookiesKey marks, in a request's context, a request whose cookies
// the caller manages (withOwnCookies).
type ownCookiesKey struct{}

// withOwnCookies marks the requests sent with ctx as managing their own
// cookies: the client neither adds the scan's cookies to them nor keeps
// the cookies their answers set, so they cannot change the scan's
// session.
func withOwnCookies(ctx context.Context) context.Context {
	return context.WithValue(ctx, ownCookiesKey{}, true)
}

// cookieHeader is the Cookie header for u: the site's cookies from the
// jar, with the configured cookies in place of any of the same name.
func (c *client) cookieHeader(u *url.URL) string {
	var parts []string
	given := map[string]bool{}
	for _, ck := range c.cookies {
		if ck == nil || ck.Name == "" {
			continue
		}
		given[ck.Name] = true
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	for _, ck := range c.jar.Cookies(u) {
		if !given[ck.Name] {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// bucket is a token bucket of one token: requests are spaced at least
// 1/rate apart. The zero interval means no limit.
type bucket struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

func newBucket(rate float64) *bucket {
	if rate <= 0 {
		return &bucket{}
	}
	return &bucket{every: time.Duration(float64(time.Second) / rate)}
}

// reserve takes the next slot at or after now and returns how long to
// wait for it.
func (b *bucket) reserve(now time.Time) time.Duration {
	if b.every == 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next.Before(now) {
		b.next = now
	}
	wait := b.next.Sub(now)
	b.next = b.next.Add(b.every)
	return wait
}

// wait blocks until the caller's slot or the end of ctx.
func (b *bucket) wait(ctx context.Context) error {
	d := b.reserve(time.Now())
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// blockMarkers are phrases of WAF and gateway block pages (rampart's own,
// ModSecurity's, the big CDNs').
var blockMarkers = []string{
	"blocked by the security policy", "request blocked", "request was blocked", "request rejected",
	"the requested url was rejected", "web application firewall", "mod_security", "modsecurity",
	"not acceptable!", "attention required! | cloudflare", "cloudflare ray id", "incapsula incident",
	"access denied - sucuri", "your request has been blocked",
}

// looksBlocked says a response is a WAF's refusal: 403 or 406 with a
// block page.
func looksBlocked(status int, body []byte) bool {
	if status != http.StatusForbidden && status != http.StatusNotAcceptable {
		return false
	}
	head := body[:min(len(body), 16<<10)]
	lower := strings.ToLower(string(head))
	for _, m := range blockMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}
