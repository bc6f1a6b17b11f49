package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"rampart/internal/scan/active"
)

// This file runs the active checks of package active over the crawl's
// inventory: every request with parameters (Scanner.Requests) gives its
// insertion points (query and form parameters, value-like path segments,
// and, on the start page, the Referer and User-Agent headers and the
// site's cookies); each point gets every injection check; the site gets
// the sensitive-file probe; each form the CSRF review; at level full,
// form points get the stored-XSS check and upload forms the upload check. Requests go
// through the scan's client (rate limit, concurrency bound, configured
// headers and cookies).

// maxActivePoints bounds the insertion points one scan attacks.
const maxActivePoints = 400

// activeHeaders are the headers attacked on the start page.
var activeHeaders = []string{"Referer", "User-Agent"}

// scanSender adapts the scan's client to active.Sender.
type scanSender struct{ s *Scanner }

func (a scanSender) Send(ctx context.Context, req *http.Request) (*active.Response, error) {
	if !a.s.scope.contains(req.URL) {
		// --include and --exclude bind the checks too (a file probe, a
		// redirect the check would follow).
		return nil, fmt.Errorf("%s: out of the scan's scope", req.URL.Redacted())
	}
	r, err := a.s.sendSignedIn(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	// What a payload makes the site say counts too: a stack trace or a
	// debug page shown for a stray quote is a leak the crawl never saw.
	checkLeaks(a.s, &Page{
		URL: r.URL.String(), Method: r.Method, Status: r.Status, Header: r.Header, Body: r.Body,
		ContentType: mediaType(r.Header, r.Body), u: r.URL, reqHead: r.ReqHeader, proto: r.Proto,
	})
	return &active.Response{Status: r.Status, Header: r.Header, Body: r.Body, Duration: r.Elapsed}, nil
}

// pointCheck is one injection check of package active.
type pointCheck struct {
	name string
	run  func(ctx context.Context, s active.Sender, p active.Point, opt active.Options) ([]active.Result, error)
}

func pointChecks() []pointCheck {
	return []pointCheck{
		{"xss", func(ctx context.Context, s active.Sender, p active.Point, _ active.Options) ([]active.Result, error) {
			return active.XSS(ctx, s, p, active.XSSOptions{})
		}},
		{"sqli", active.SQLi},
		{"cmdi", active.CommandInjection},
		{"ssti", active.SSTI},
		{"code", active.CodeInjection},
		{"traversal", active.Traversal},
		{"nosqli", active.NoSQLi},
		{"xxe", active.XXE},
		{"redirect", func(ctx context.Context, s active.Sender, p active.Point, _ active.Options) ([]active.Result, error) {
			return active.Redirect(ctx, s, p)
		}},
		{"crlf", func(ctx context.Context, s active.Sender, p active.Point, _ active.Options) ([]active.Result, error) {
			return active.CRLF(ctx, s, p)
		}},
		{"ssrf", active.SSRF},
	}
}

// activeSite is the active phase's site function.
func activeSite(ctx context.Context, s *Scanner) {
	send := scanSender{s}
	opt := active.Options{Delay: s.cfg.ActiveDelay}
	if s.cfg.Active == ActiveFull {
		opt.Level = active.LevelFull
	}
	if cb := s.startCallback(ctx); cb != nil {
		defer func() { _ = cb.Close() }()
		opt.Callback = cb
	}

	// Forms: the CSRF review needs no request.
	for _, pg := range s.Pages() {
		for _, f := range pg.Forms {
			hf := active.HTMLForm{Page: f.Page, Action: f.Action, Method: f.Method}
			for _, in := range f.Inputs {
				hf.Fields = append(hf.Fields, active.FormField{Name: in.Name, Type: in.Type, Value: in.Value})
			}
			for _, r := range active.CSRF(hf) {
				s.reportActive(r)
			}
		}
	}

	points := s.activePoints()
	if len(points) > maxActivePoints {
		s.note("active checks attacked the first " + strconv.Itoa(maxActivePoints) + " of " + strconv.Itoa(len(points)) + " insertion points")
		points = points[:maxActivePoints]
	}
	checks := pointChecks()
	total := len(points)
	var done int
	var mu sync.Mutex
	work := make(chan active.Point)
	var wg sync.WaitGroup
	for range max(1, s.cfg.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				for _, c := range checks {
					if ctx.Err() != nil {
						break
					}
					rs, err := c.run(ctx, send, p, opt)
					if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
						s.log.LogAttrs(ctx, slog.LevelDebug, "active check failed", slog.String("check", c.name),
							slog.String("point", p.String()), slog.String("url", s.red.URL(p.URL.String())), slog.Any("err", err))
					}
					for _, r := range rs {
						s.reportActive(r)
					}
				}
				mu.Lock()
				done++
				d := done
				mu.Unlock()
				s.progress("active", d, total)
			}
		}()
	}
feed:
	for _, p := range points {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()

	if ctx.Err() != nil {
		return
	}
	var discovered []string
	for _, pg := range s.Pages() {
		discovered = append(discovered, pg.u.Path)
	}
	rs, err := active.Files(ctx, send, s.target, discovered, active.FilesOptions{})
	if err != nil && ctx.Err() == nil {
		s.log.LogAttrs(ctx, slog.LevelDebug, "sensitive-file probe failed", slog.Any("err", err))
	}
	for _, r := range rs {
		s.reportActive(r)
	}

	if s.cfg.Active == ActiveFull {
		s.storedXSS(ctx, send, points)
		s.uploads(ctx, send, opt)
	}
}

// uploads posts files through the crawl's upload forms (level full: it
// writes to the server).
func (s *Scanner) uploads(ctx context.Context, send active.Sender, opt active.Options) {
	seen := map[string]bool{}
	for _, pg := range s.Pages() {
		for _, f := range pg.Forms {
			if f.Method != http.MethodPost || seen[f.Action] || ctx.Err() != nil {
				continue
			}
			uf := active.UploadForm{Page: f.Page, Action: f.Action}
			for _, in := range f.Inputs {
				if in.Type == "file" && uf.FileField == "" {
					uf.FileField = in.Name
				}
				uf.Fields = append(uf.Fields, active.FormField{Name: in.Name, Type: in.Type, Value: in.Value})
			}
			if uf.FileField == "" {
				continue
			}
			if u, err := url.Parse(f.Action); err != nil || !s.scope.contains(u) {
				continue
			}
			seen[f.Action] = true
			rs, err := active.Upload(ctx, send, uf, opt)
			if err != nil && ctx.Err() == nil {
				s.log.LogAttrs(ctx, slog.LevelDebug, "upload check failed", slog.String("url", s.red.URL(f.Action)), slog.Any("err", err))
			}
			for _, r := range rs {
				s.reportActive(r)
			}
		}
	}
}

// storedXSS looks for payloads that come back on other pages, for the
// form points (stored input is posted).
func (s *Scanner) storedXSS(ctx context.Context, send active.Sender, points []active.Point) {
	var pages []*url.URL
	for _, pg := range s.Pages() {
		if strings.HasPrefix(pg.ContentType, "text/html") && pg.Method == http.MethodGet {
			pages = append(pages, pg.u)
		}
	}
	for _, p := range points {
		if p.Kind != active.Form || ctx.Err() != nil {
			continue
		}
		rs, err := active.StoredXSS(ctx, send, p, pages, active.XSSOptions{})
		if err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "stored XSS check failed", slog.String("point", p.String()), slog.Any("err", err))
		}
		for _, r := range rs {
			s.reportActive(r)
		}
	}
}

// activePoints lists the insertion points of the crawl's requests.
func (s *Scanner) activePoints() []active.Point {
	var out []active.Point
	skipped := 0
	defer func() {
		if skipped > 0 {
			s.note(fmt.Sprintf("--active safe left out %d requests that look destructive (delete, transfer, pay, password change...); --active full attacks them", skipped))
		}
	}()
	for _, r := range s.Requests() {
		var form url.Values
		var body any
		if s.cfg.Active != ActiveFull {
			names := append(slices.Collect(maps.Keys(r.URL.Query())), fieldNames(r)...)
			if !safeToAttack(r.Method, r.URL, names) {
				skipped++
				continue
			}
		}
		switch {
		case r.JSON != nil:
			body = r.JSON
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			if r.Enctype != "" && !strings.HasPrefix(r.Enctype, "application/x-www-form-urlencoded") {
				continue // multipart forms: uploads are a check of their own
			}
			form = r.Form
			if form == nil {
				form = url.Values{}
			}
		}
		hdr := http.Header{}
		if r.Page != "" {
			hdr.Set("Referer", r.Page)
		}
		for _, p := range active.Points(r.Method, r.URL, form, body, hdr, nil) {
			if p.Kind == active.JSON && slices.Contains(r.Fixed, p.Name) {
				continue
			}
			out = append(out, p)
		}
	}
	// The start page: headers and the site's cookies.
	hdr := http.Header{"Referer": {s.target.String()}, "User-Agent": {s.client.ua}}
	if ck := s.client.cookieHeader(s.target); ck != "" {
		hdr.Set("Cookie", ck)
	}
	for _, p := range active.Points(http.MethodGet, s.target, nil, nil, hdr, activeHeaders) {
		if p.Kind == active.Header || p.Kind == active.Cookie {
			if p.Kind == active.Cookie && s.configuredCookie(p.Name) {
				continue // the scan's own session: attacking it would sign the scan out
			}
			out = append(out, p)
		}
	}
	return out
}

// configuredCookie reports whether name is a cookie the scan was given
// (its session), which active checks leave alone.
func (s *Scanner) configuredCookie(name string) bool {
	for _, c := range s.cfg.Cookies {
		if c.Name == name {
			return true
		}
	}
	return s.signInCookie(name)
}

// reportActive turns a Result into a Finding.
func (s *Scanner) reportActive(r active.Result) {
	info, ok := active.CheckInfo(r.Check)
	if !ok {
		info = active.Info{Title: r.Check, Severity: "medium"}
	}
	sev, err := ParseSeverity(info.Severity)
	if err != nil {
		sev = SeverityMedium
	}
	conf := ConfidenceFirm
	if r.Confirmed {
		conf = ConfidenceConfirmed
	}
	u := r.Point.URL
	if u == nil {
		u = s.target
	}
	param := ""
	if r.Point.Name != "" && !strings.HasPrefix(r.Check, "files.") {
		param = r.Point.String()
	}
	s.report(Finding{
		Check: r.Check, Title: info.Title, Severity: sev, Confidence: conf,
		CWE: info.CWE, OWASP: info.OWASP, Description: info.Description, Fix: info.Fix,
		Parameter: param, URLs: []string{u.String()}, References: info.References,
		Evidence: Evidence{Request: r.Request, Response: r.Response, Detail: r.Detail},
	}, false)
}

// destructiveWords are the words of a request that changes or spends
// something a scan must not touch at --active safe.
var destructiveWords = map[string]bool{
	"delete": true, "remove": true, "destroy": true, "drop": true, "purge": true, "erase": true, "wipe": true,
	"transfer": true, "withdraw": true, "pay": true, "payment": true, "purchase": true, "checkout": true,
	"buy": true, "refund": true, "unsubscribe": true, "deactivate": true, "cancel": true,
}

// passwordWords name a password field; with a second one, or with
// "new", "change" or "reset", a form changes or sets a password.
var passwordWords = map[string]bool{"password": true, "passwd": true, "pass": true, "pwd": true}

// safeToAttack says a request may get payloads at --active safe: PUT,
// PATCH and DELETE never do; a GET or a POST does unless its path or
// parameter names say it deletes, pays, transfers or cancels something,
// or sets a password (a new password, a confirmation, a change, a reset)
// or an e-mail address. A search, a sign-in, a comment or a ping form is
// attacked.
func safeToAttack(method string, u *url.URL, fields []string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		return false
	}
	passwords := 0
	for i, name := range append([]string{u.Path}, fields...) {
		ws := words(name)
		pw, email, change, confirm := false, false, false, false
		for _, w := range ws {
			switch {
			case destructiveWords[w]:
				return false
			case passwordWords[w]:
				pw = true
			case w == "email" || w == "mail":
				email = true
			case w == "new" || w == "change" || w == "reset" || w == "update":
				change = true
			case w == "confirm" || w == "conf" || w == "again" || w == "repeat":
				confirm = true
			}
		}
		if (pw && (change || confirm)) || (email && change) {
			return false
		}
		if pw && i > 0 {
			passwords++
		}
	}
	return passwords < 2
}

// words splits a path or a field name into lowercase words: at
// non-letters and where camelCase turns upper.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			cur = append(cur, r)
			prevLower = true
		case r >= 'A' && r <= 'Z':
			if prevLower {
				flush()
			}
			cur = append(cur, r)
			prevLower = false
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return out
}

// startCallback starts the SSRF check's out-of-band listener, as
// Config.Callback says; nil when there is none (the check runs in band).
func (s *Scanner) startCallback(ctx context.Context) *active.Listener {
	spec := strings.TrimSpace(s.cfg.Callback)
	if strings.EqualFold(spec, "off") {
		return nil
	}
	addr := ""
	if spec != "" {
		u, err := url.Parse(spec)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			s.note(fmt.Sprintf("callback %q: want http://HOST:PORT; SSRF was checked in band only", spec))
			return nil
		}
		addr = u.Host
	} else {
		addr = s.callbackAddr(ctx)
		if addr == "" {
			s.note("SSRF was checked in band only (file: URLs): the target is not on loopback or a private network; --callback http://HOST:PORT gives it a listener of the scan's to reach")
			return nil
		}
	}
	l, err := active.Listen(addr, "")
	if err != nil {
		s.note(fmt.Sprintf("SSRF was checked in band only: %v", err))
		return nil
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "callback listener started", slog.String("url", l.URL("")))
	return l
}

// callbackAddr is the address of this machine on the route to a target
// on loopback or a private network, with port 0; "" for another target.
func (s *Scanner) callbackAddr(ctx context.Context) string {
	host := s.target.Hostname()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return ""
	}
	ip := ips[0].Unmap()
	switch {
	case ip.IsLoopback():
		return net.JoinHostPort(ip.String(), "0")
	case ip.IsPrivate():
		// The local address a connection to the target would use: UDP
		// "dials" send nothing.
		c, err := net.Dial("udp", net.JoinHostPort(ip.String(), "9"))
		if err != nil {
			return ""
		}
		defer c.Close()
		if a, ok := c.LocalAddr().(*net.UDPAddr); ok {
			return net.JoinHostPort(a.IP.String(), "0")
		}
	}
	return ""
}
