package session

import (
	"net/http"
	"time"
)

// Cookie returns the session cookie carrying secret. It follows the rules
// of the __Host- prefix whatever the configured name: Secure (HTTPS only),
// Path=/ and no Domain (this host only, not its subdomains); HttpOnly keeps
// it from scripts, and SameSite=Lax keeps it off cross-site subrequests and
// form posts while top-level links from other sites still arrive signed in.
// CSRF tokens are still needed for same-site attackers.
//
// maxAge > 0 sets Max-Age, in whole seconds rounded down (at least 1); the
// remaining absolute lifetime, s.ExpiresAt.Sub(now), is the natural choice.
// maxAge <= 0 makes a browser-session cookie, dropped when the browser
// closes (browsers that restore sessions may keep it; the server-side
// timeouts apply either way).
func (m *Manager) Cookie(secret string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name:     m.cfg.CookieName,
		Value:    secret,
		Path:     "/",
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		c.MaxAge = max(1, int(maxAge/time.Second))
	}
	return c
}

// ClearCookie returns a cookie that makes the browser drop the session
// cookie (Max-Age=0), with the same attributes, which a __Host- cookie needs
// even to be deleted.
func (m *Manager) ClearCookie() *http.Cookie {
	return &http.Cookie{
		Name:     m.cfg.CookieName,
		Path:     "/",
		MaxAge:   -1,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// FromRequest returns the session secret the request's cookie carries, if
// any. It does not check it; Validate does.
func (m *Manager) FromRequest(r *http.Request) (string, bool) {
	c, err := r.Cookie(m.cfg.CookieName)
	if err != nil || c.Value == "" {
		return "", false
	}
	return c.Value, true
}

// validCookieName reports whether name is a token (RFC 6265 section 4.1.1,
// RFC 2616 section 2.2): visible ASCII but separators.
func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
			return false
		}
	}
	return true
}
