package scan

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxCookiesPerResponse bounds the Set-Cookie lines read from one
// response.
const maxCookiesPerResponse = 50

var (
	kindCookieSecure = kind{
		check: "cookies.secure", title: "Cookie without the Secure flag",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 614, owasp: OWASPSecurityMisconfig,
		desc: "A cookie set over HTTPS lacks the Secure flag, so the browser also sends it over plain HTTP, where anyone on the network can read it; for a session cookie that is the session.",
		fix:  "Set the Secure flag on every cookie of an HTTPS site (and use the __Host- prefix for session cookies).",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#secure-attribute", cweRef(614)},
	}
	kindCookieHttpOnly = kind{
		check: "cookies.httponly", title: "Session cookie without the HttpOnly flag",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 1004, owasp: OWASPSecurityMisconfig,
		desc: "A cookie that looks like a session or authentication token lacks the HttpOnly flag, so any script on the page, an injected one included, can read it and send it away.",
		fix:  "Set the HttpOnly flag on session and authentication cookies.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#httponly-attribute", cweRef(1004)},
	}
	kindCookieSameSite = kind{
		check: "cookies.samesite", title: "Cookie without a SameSite attribute",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 1275, owasp: OWASPSecurityMisconfig,
		desc: "A cookie is set without a SameSite attribute. Browsers that do not default to Lax send it with requests other sites start, which is what cross-site request forgery needs.",
		fix:  "Set SameSite=Lax (or Strict) on the cookie; use SameSite=None; Secure only for cookies that must cross sites.",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#samesitesamesite-value", cweRef(1275)},
	}
)

// checkCookies checks the flags of every cookie a response sets: Secure
// on HTTPS, HttpOnly on session-like cookies, SameSite on all. Cookies
// being deleted are left alone.
func checkCookies(s *Scanner, p *Page) {
	lines := p.Header.Values("Set-Cookie")
	if len(lines) > maxCookiesPerResponse {
		lines = lines[:maxCookiesPerResponse]
	}
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil || deleted(c) {
			continue
		}
		param := "cookie:" + c.Name
		ev := func(detail string) Evidence {
			return Evidence{
				Request:  reqExcerpt(p),
				Response: respExcerpt(p, nil, "") + "\nSet-Cookie: " + clipString(line, 512),
				Detail:   detail,
			}
		}
		session := sessionLike(c.Name)
		if p.isHTTPS() && !c.Secure {
			k := kindCookieSecure
			if session {
				k.sev = SeverityMedium
			}
			s.report(k.at(p, param, ev(fmt.Sprintf("cookie %s is set over HTTPS without Secure", c.Name))), true)
		}
		if session && !c.HttpOnly {
			s.report(kindCookieHttpOnly.at(p, param, ev(fmt.Sprintf("cookie %s looks like a session cookie and is readable by scripts", c.Name))), true)
		}
		if !hasAttr(line, "samesite") {
			s.report(kindCookieSameSite.at(p, param, ev(fmt.Sprintf("cookie %s has no SameSite attribute", c.Name))), true)
		}
	}
}

// deleted says a Set-Cookie removes the cookie rather than sets it.
func deleted(c *http.Cookie) bool {
	if c.Value == "" || c.MaxAge < 0 {
		return true
	}
	return !c.Expires.IsZero() && c.Expires.Before(time.Now().Add(-time.Minute))
}

// hasAttr says a Set-Cookie line has the attribute name (lowercase).
func hasAttr(line, name string) bool {
	parts := strings.Split(line, ";")
	for _, a := range parts[1:] {
		k, _, _ := strings.Cut(a, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return true
		}
	}
	return false
}

// sessionLike says a cookie name is that of a session or authentication
// cookie. Anti-CSRF cookies are not: double-submit schemes need scripts
// to read them.
func sessionLike(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "csrf") || strings.Contains(n, "xsrf") {
		return false
	}
	for _, w := range []string{"sess", "sid", "token", "auth", "jwt", "login", "remember", "identity", "logged"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
