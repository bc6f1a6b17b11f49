package active

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// redirectInfo describes the open redirect check.
var redirectInfo = map[string]Info{
	"redirect.open": {
		Title:    "Open redirect",
		Severity: "medium",
		CWE:      601,
		OWASP:    "A01:2021-Broken Access Control",
		Description: "A parameter decides where the application sends the browser, and it accepts another site. " +
			"A link on the trusted domain then lands the victim on a phishing page, and a redirect URI or " +
			"return URL of a login flow can leak tokens to the attacker. The scanner confirmed it: the " +
			"redirect (Location header, Refresh, meta refresh or a script assigning location) resolved, as a " +
			"browser resolves it, to a host of the scanner's choosing.",
		Fix: "Redirect only to relative paths on the same site or to an allowlist of hosts: parse the target " +
			"with a URL parser, reject anything with a scheme, a host, a leading // or a backslash, or map " +
			"targets to identifiers instead of accepting URLs.",
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/601.html",
		},
	},
}

// redirectNames are parameter names that usually carry a redirect
// target, lowercase without separators.
var redirectNames = map[string]bool{
	"url": true, "uri": true, "next": true, "redirect": true, "redir": true, "return": true,
	"continue": true, "dest": true, "destination": true, "goto": true, "target": true, "rurl": true,
	"r": true, "u": true, "to": true, "out": true, "link": true, "forward": true, "location": true,
	"back": true, "callback": true, "success": true, "fail": true, "go": true,
}

// redirectNameParts are parts of a name that mark a redirect target.
var redirectNameParts = []string{"redirect", "redir", "return", "url", "uri", "next", "goto", "continue", "dest", "forward", "callback", "target"}

// redirectCandidate says whether a point may take a redirect target: its
// name is one, or its value looks like a URL or a path.
func redirectCandidate(p Point) bool {
	switch p.Kind {
	case Query, Form, JSON:
	default:
		return false
	}
	name := p.Name
	if i := strings.LastIndexByte(name, '.'); i >= 0 && p.Kind == JSON {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '[' || r == ']' {
			return -1
		}
		return r
	}, strings.ToLower(name))
	if redirectNames[name] {
		return true
	}
	for _, part := range redirectNameParts {
		if strings.Contains(name, part) {
			return true
		}
	}
	v := strings.ToLower(strings.TrimSpace(p.Value))
	return strings.HasPrefix(v, "/") || strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") ||
		strings.Contains(v, "://") || strings.HasPrefix(v, "%2f") || strings.HasPrefix(v, "http%3a") || strings.HasPrefix(v, "https%3a")
}

// redirectPayloads are the targets tried for host h, each a different
// way past a filter; orig is the point's value.
func redirectPayloads(h, orig string, base *url.URL) []string {
	ps := []string{
		"https://" + h + "/",
		"//" + h + "/",
		`/\` + h + "/",
		"/\t/" + h + "/",
	}
	// A special scheme other than the page's own makes the rest an
	// authority even without slashes.
	if base != nil && strings.EqualFold(base.Scheme, "https") {
		ps = append(ps, "http:"+h+"/")
	} else {
		ps = append(ps, "https:"+h+"/")
	}
	if u, err := url.Parse(orig); err == nil && u.Host != "" {
		// Filters that check for the trusted host as a prefix.
		ps = append(ps, "https://"+u.Host+"@"+h+"/", "https://"+u.Host+"."+h+"/")
	}
	// Targets the application prefixes with a scheme.
	return append(ps, h+"/")
}

// redirectHostOK says whether host is h or one of its subdomains.
func redirectHostOK(host, h string) bool {
	return host == h || strings.HasSuffix(host, "."+h)
}

// redirectSpecialScheme says whether s is one of the URL standard's special
// schemes, for which a backslash is a slash and slashes before the host
// are optional.
func redirectSpecialScheme(s string) bool {
	switch s {
	case "http", "https", "ws", "wss", "ftp", "file":
		return true
	}
	return false
}

var redirectSchemeRE = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.\-]*):`)

// redirectHost returns the host a browser on page base goes to when told
// to go to loc (a Location header, a refresh URL, a string assigned to
// location), following the WHATWG URL standard where it differs from
// RFC 3986: leading and trailing spaces and control characters are
// dropped, tabs and newlines removed, a backslash is a slash, any number
// of slashes may precede the host, and "https:host" is a host when the
// page is not https. It returns "" for a URL without a host (javascript:,
// data:, mailto:) and base's host for a relative one.
func redirectHost(base *url.URL, loc string) string {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
	bscheme := strings.ToLower(base.Scheme)
	if m := redirectSchemeRE.FindStringSubmatch(loc); m != nil {
		scheme := strings.ToLower(m[1])
		if !redirectSpecialScheme(scheme) {
			return ""
		}
		rest := strings.ReplaceAll(loc[len(m[0]):], `\`, "/")
		if scheme == bscheme && !strings.HasPrefix(rest, "//") {
			return strings.ToLower(base.Hostname())
		}
		return redirectAuthorityHost(strings.TrimLeft(rest, "/"))
	}
	if redirectSpecialScheme(bscheme) {
		loc = strings.ReplaceAll(loc, `\`, "/")
	}
	if strings.HasPrefix(loc, "//") {
		return redirectAuthorityHost(strings.TrimLeft(loc, "/"))
	}
	return strings.ToLower(base.Hostname())
}

// redirectAuthorityHost returns the host of s, the part of a URL after "//":
// up to the first /, ? or #, after the last @, without the port,
// percent-decoded, lowercase, without a trailing dot.
func redirectAuthorityHost(s string) string {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i >= 0 {
			s = s[:i+1]
		}
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// redirectRefreshURL returns the URL of a Refresh header or meta refresh content
// ("0; url=https://x/"), and false when it has none.
func redirectRefreshURL(content string) (string, bool) {
	s := strings.TrimLeft(content, " \t\n\r\f")
	s = strings.TrimLeft(s, "0123456789.")
	s = strings.TrimLeft(s, " \t\n\r\f")
	if s == "" || (s[0] != ';' && s[0] != ',') {
		return "", false
	}
	s = strings.TrimLeft(s[1:], " \t\n\r\f")
	if len(s) >= 3 && strings.EqualFold(s[:3], "url") {
		t := strings.TrimLeft(s[3:], " \t\n\r\f")
		if strings.HasPrefix(t, "=") {
			s = strings.TrimLeft(t[1:], " \t\n\r\f")
		}
	}
	if s != "" && (s[0] == '\'' || s[0] == '"') {
		if i := strings.IndexByte(s[1:], s[0]); i >= 0 {
			s = s[1 : i+1]
		} else {
			s = s[1:]
		}
	}
	return s, s != ""
}

// redirectJSLocationRE finds a string literal assigned to location (window's,
// document's, top's…, not another object's property) or passed to
// location.replace or location.assign.
var redirectJSLocationRE = regexp.MustCompile(`(?:(?:^|[^.\w$]|\b(?:window|document|top|self|parent)\.)location(?:\.href)?\s*=|(?:^|[^.\w$]|\b(?:window|document|top|self|parent)\.)location\.(?:replace|assign)\s*\()\s*(?:'((?:[^'\\\n]|\\.){0,1000})'|"((?:[^"\\\n]|\\.){0,1000})"|` + "`" + `((?:[^` + "`" + `\\$]|\\.){0,1000})` + "`" + `)`)

// redirectJSUnquote decodes the escapes of a JavaScript string literal's body.
func redirectJSUnquote(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'x':
			if i+2 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			b.WriteByte('x')
		case 'u':
			if i+4 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+5], 16, 16); err == nil {
					b.WriteRune(rune(v))
					i += 4
					continue
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// redirectTargets returns where a response sends the browser: the
// Location of a 3xx, a Refresh header, and in HTML a meta refresh or a
// string literal assigned to location by an inline script.
func redirectTargets(r *Response) []string {
	var ts []string
	if r.Status >= 300 && r.Status < 400 {
		if l := r.Header.Get("Location"); l != "" {
			ts = append(ts, l)
		}
	}
	if u, ok := redirectRefreshURL(r.Header.Get("Refresh")); ok {
		ts = append(ts, u)
	}
	if !xssIsHTML(r) {
		return ts
	}
	doc, err := html.Parse(bytes.NewReader(r.Body))
	if err != nil {
		return ts
	}
	xssWalk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		switch n.Data {
		case "meta":
			var equiv, content string
			for _, a := range n.Attr {
				switch a.Key {
				case "http-equiv":
					equiv = a.Val
				case "content":
					content = a.Val
				}
			}
			if strings.EqualFold(strings.TrimSpace(equiv), "refresh") {
				if u, ok := redirectRefreshURL(content); ok {
					ts = append(ts, u)
				}
			}
		case "script":
			var src strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					src.WriteString(c.Data)
				}
			}
			s := src.String()
			if len(s) > maxXSSScriptScan {
				s = s[:maxXSSScriptScan]
			}
			for _, m := range redirectJSLocationRE.FindAllStringSubmatch(s, 16) {
				ts = append(ts, redirectJSUnquote(m[1]+m[2]+m[3]))
			}
		}
		return len(ts) >= 32
	})
	return ts
}

// Redirect tests one point for an open redirect. Points named like a
// redirect target (url, next, redirect, return, continue, dest, goto,
// target, …) or whose value looks like a URL or path get payloads that
// name a host of the scanner's own (https://h/, //h/, /\h/, https:h, …);
// "redirect.open" is reported when the response's Location (3xx),
// Refresh header, meta refresh or a script's location assignment
// resolves, as a browser resolves it against the request URL, to that
// host. A redirect to the site itself or an allowlisted host is not
// reported.
func Redirect(ctx context.Context, s Sender, p Point) ([]Result, error) {
	if !redirectCandidate(p) {
		return nil, nil
	}
	h := rmpMarker() + ".example"
	for _, payload := range redirectPayloads(h, p.Value, p.URL) {
		req, r, err := send(ctx, s, p, payload)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if req == nil {
				return nil, err
			}
			continue
		}
		for _, t := range redirectTargets(r) {
			if !redirectHostOK(redirectHost(req.URL, t), h) {
				continue
			}
			return []Result{{
				Check: "redirect.open", Point: p, Payload: payload, Confirmed: true,
				Detail: fmt.Sprintf("The response (HTTP %d) sends the browser to %q, on the scanner's host %s.",
					r.Status, clip(t, 200), h),
				Request:  requestExcerpt(p, payload),
				Response: redirectExcerpt(r, t),
			}}, nil
		}
	}
	return nil, nil
}

// redirectExcerpt is a response excerpt that shows the redirect.
func redirectExcerpt(r *Response, target string) string {
	ex := responseExcerpt(r, target)
	if l := r.Header.Get("Location"); l != "" {
		ex = strings.Replace(ex, "\n", "\nLocation: "+clip(l, 300)+"\n", 1)
	}
	return ex
}
