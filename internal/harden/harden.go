// Package harden is the response-hardening stage. For each upstream
// response it adds the configured security headers (HSTS on HTTPS, CSP,
// X-Content-Type-Options, X-Frame-Options, Referrer-Policy,
// Permissions-Policy, Cross-Origin-Opener-Policy), keeping values the
// upstream set unless told to override; strips version banners; adds
// Secure, HttpOnly and SameSite to Set-Cookie lines that lack them; and can
// replace 5xx bodies with a plain page carrying the request ID, so stack
// traces do not reach clients.
//
// It works on *http.Response (httputil.ReverseProxy's ModifyResponse) to
// avoid wrapping the ResponseWriter on the hot path. A Policy is immutable
// and safe for concurrent use.
package harden

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"rampart/internal/events"
	"rampart/internal/request"
)

// Config is a route's hardening settings. Empty header values leave that
// header alone.
type Config struct {
	ContentSecurityPolicy   string
	ContentTypeOptions      string
	FrameOptions            string
	ReferrerPolicy          string
	PermissionsPolicy       string
	CrossOriginOpenerPolicy string
	// HSTS is the Strict-Transport-Security value for HTTPS responses; ""
	// sends none.
	HSTS string
	// Override replaces values the upstream set.
	Override bool
	// Remove names response headers to strip.
	Remove []string
	// CookieSecure adds Secure to cookies on HTTPS responses (never on
	// plain HTTP, where the browser would then drop the cookie).
	CookieSecure bool
	// CookieHTTPOnly adds HttpOnly.
	CookieHTTPOnly bool
	// CookieSameSite adds SameSite=<value> ("Lax", "Strict", "None"); ""
	// leaves it.
	CookieSameSite string
	// Mask5xx replaces upstream 5xx bodies.
	Mask5xx bool
}

// header holds a value slice shared by every response: cap == len, so an
// append copies, and nothing in net/http writes into it.
type header struct {
	name   string
	values []string
}

// Policy applies a Config.
type Policy struct {
	set      []header
	hsts     []string
	override bool
	remove   []string
	secure   bool
	httpOnly bool
	sameSite string
	mask5xx  bool
	bus      *events.Bus
}

// New returns the Policy for cfg; bus (may be nil) receives an event for
// every masked response.
func New(cfg Config, bus *events.Bus) *Policy {
	p := &Policy{override: cfg.Override, secure: cfg.CookieSecure, httpOnly: cfg.CookieHTTPOnly,
		mask5xx: cfg.Mask5xx, bus: bus}
	switch strings.ToLower(cfg.CookieSameSite) {
	case "lax":
		p.sameSite = "Lax"
	case "strict":
		p.sameSite = "Strict"
	case "none":
		p.sameSite = "None"
	}
	add := func(name, value string) {
		if value != "" {
			p.set = append(p.set, header{http.CanonicalHeaderKey(name), []string{value}[:1:1]})
		}
	}
	add("Content-Security-Policy", cfg.ContentSecurityPolicy)
	add("X-Content-Type-Options", cfg.ContentTypeOptions)
	add("X-Frame-Options", cfg.FrameOptions)
	add("Referrer-Policy", cfg.ReferrerPolicy)
	add("Permissions-Policy", cfg.PermissionsPolicy)
	add("Cross-Origin-Opener-Policy", cfg.CrossOriginOpenerPolicy)
	if cfg.HSTS != "" {
		p.hsts = []string{cfg.HSTS}[:1:1]
	}
	for _, name := range cfg.Remove {
		p.remove = append(p.remove, http.CanonicalHeaderKey(name))
	}
	return p
}

// ModifyResponse hardens resp in place; it is meant for
// httputil.ReverseProxy.ModifyResponse and never fails.
func (p *Policy) ModifyResponse(resp *http.Response) error {
	var info *request.Info
	if resp.Request != nil {
		info = request.FromContext(resp.Request.Context())
	}
	isTLS := info != nil && info.TLS != nil
	p.Headers(resp.Header, isTLS)
	// Banners are stripped from trailers too: they reach the client the
	// same way (as trailer fields over HTTP/2, announced names over 1.1).
	for _, name := range p.remove {
		delete(resp.Trailer, name)
	}
	if p.mask5xx && resp.StatusCode >= 500 {
		p.mask(resp, info)
	}
	return nil
}

// Headers applies the header rules to h for a response sent over TLS or not.
func (p *Policy) Headers(h http.Header, isTLS bool) {
	for _, name := range p.remove {
		delete(h, name)
	}
	for i := range p.set {
		hd := &p.set[i]
		if !p.override {
			if _, ok := h[hd.name]; ok {
				continue
			}
		}
		h[hd.name] = hd.values
	}
	if isTLS && p.hsts != nil {
		if _, ok := h["Strict-Transport-Security"]; p.override || !ok {
			h["Strict-Transport-Security"] = p.hsts
		}
	}
	if cookies := h["Set-Cookie"]; len(cookies) > 0 && (p.httpOnly || p.sameSite != "" || (p.secure && isTLS)) {
		for i, c := range cookies {
			cookies[i] = p.cookie(c, isTLS)
		}
	}
}

// cookie adds the missing flags to one Set-Cookie value.
func (p *Policy) cookie(c string, isTLS bool) string {
	var hasSecure, hasHTTPOnly, hasSameSite bool
	rest := c
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		rest = rest[i+1:]
	} else {
		rest = ""
	}
	for rest != "" {
		var attr string
		if i := strings.IndexByte(rest, ';'); i >= 0 {
			attr, rest = rest[:i], rest[i+1:]
		} else {
			attr, rest = rest, ""
		}
		attr = strings.TrimSpace(attr)
		name := attr
		if i := strings.IndexByte(attr, '='); i >= 0 {
			name = strings.TrimSpace(attr[:i])
		}
		switch {
		case strings.EqualFold(name, "secure"):
			hasSecure = true
		case strings.EqualFold(name, "httponly"):
			hasHTTPOnly = true
		case strings.EqualFold(name, "samesite"):
			hasSameSite = true
		}
	}
	var b strings.Builder
	b.Grow(len(c) + 32)
	b.WriteString(strings.TrimRight(c, "; "))
	if p.secure && isTLS && !hasSecure {
		b.WriteString("; Secure")
	}
	if p.httpOnly && !hasHTTPOnly {
		b.WriteString("; HttpOnly")
	}
	if p.sameSite != "" && !hasSameSite {
		if p.sameSite == "None" && !(hasSecure || (p.secure && isTLS)) {
			// SameSite=None without Secure is rejected by browsers; leave
			// the cookie as the upstream meant it.
			return b.String()
		}
		b.WriteString("; SameSite=")
		b.WriteString(p.sameSite)
	}
	return b.String()
}

// mask replaces the body of a 5xx response with the gateway's error page.
func (p *Policy) mask(resp *http.Response, info *request.Info) {
	id := ""
	if info != nil {
		id = info.ID
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	// Trailers of the replaced body (a debug stack, say) must not follow.
	resp.Trailer = nil
	rec := newPageRecorder()
	request.WritePage(rec, resp.Request, resp.StatusCode, id)
	for k := range resp.Header {
		switch k {
		case "Set-Cookie", "Retry-After", "Strict-Transport-Security":
			continue
		}
		delete(resp.Header, k)
	}
	for k, v := range rec.h {
		if k == "X-Request-Id" {
			continue // the gateway set it on the response already
		}
		resp.Header[k] = v
	}
	// The mask's own headers are hardened too.
	p.Headers(resp.Header, info != nil && info.TLS != nil)
	resp.Header["Content-Security-Policy"] = rec.h["Content-Security-Policy"]
	resp.Body = io.NopCloser(bytes.NewReader(rec.body.Bytes()))
	resp.ContentLength = int64(rec.body.Len())
	resp.Header.Set("Content-Length", strconv.Itoa(rec.body.Len()))
	resp.TransferEncoding = nil
	resp.Uncompressed = false
	if p.bus != nil && resp.Request != nil {
		p.bus.Publish(events.ForRequest(resp.Request.Context(), events.ResponseMasked, events.SeverityLow,
			"upstream error body replaced", map[string]string{"status": strconv.Itoa(resp.StatusCode)}))
	}
}

type pageRecorder struct {
	h    http.Header
	body bytes.Buffer
}

func newPageRecorder() *pageRecorder                { return &pageRecorder{h: http.Header{}} }
func (r *pageRecorder) Header() http.Header         { return r.h }
func (r *pageRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *pageRecorder) WriteHeader(int)             {}
