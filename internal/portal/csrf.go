package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"rampart/internal/events"
	"rampart/internal/request"
)

// The pre-session cookie binds the sign-in form's CSRF token before there is
// a session to bind it to.
const (
	csrfCookieName         = "__Host-rampart-csrf"
	insecureCSRFCookieName = "rampart-csrf"
)

// csrfField is the name of the forms' hidden token field.
const csrfField = "csrf"

// tokenLen is the length of a CSRF token, and of a pre-session cookie: 32
// bytes in base64url without padding.
const tokenLen = 43

// csrfToken returns the synchronizer token of the form posting to action,
// bound to binding: the session ID once signed in, the pre-session cookie
// before. An empty binding gives no token.
func (p *Portal) csrfToken(binding, action string) string {
	if binding == "" {
		return ""
	}
	mac := p.csrfMAC(binding, action)
	return base64.RawURLEncoding.EncodeToString(mac[:])
}

// csrfMAC is HMAC-SHA256 under the CSRF key over a domain label, the
// binding and the action, each after its length so that no two pairs
// (binding, action) give the same message.
func (p *Portal) csrfMAC(binding, action string) [sha256.Size]byte {
	m := hmac.New(sha256.New, p.cfg.CSRFKey)
	m.Write([]byte("rampart portal csrf v1\x00"))
	writeField(m, binding)
	writeField(m, action)
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

func writeField(m io.Writer, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s))) // #nosec G115 -- a length is never negative
	_, _ = m.Write(n[:])
	_, _ = m.Write([]byte(s))
}

// parseToken decodes a token as a form carries it: exactly the canonical
// base64url encoding, without padding, of 32 bytes. It reads nothing of a
// longer input.
func parseToken(s string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	if len(s) != tokenLen {
		return out, false
	}
	n, err := base64.RawURLEncoding.Strict().Decode(out[:], []byte(s))
	if err != nil || n != len(out) {
		return [sha256.Size]byte{}, false
	}
	return out, true
}

// validToken reports whether got is the token of action for binding.
func (p *Portal) validToken(binding, action, got string) bool {
	if binding == "" {
		return false
	}
	mac, ok := parseToken(got)
	if !ok {
		return false
	}
	want := p.csrfMAC(binding, action)
	return hmac.Equal(mac[:], want[:])
}

// preSession returns the value of r's pre-session cookie if it is well
// formed, or "".
func (p *Portal) preSession(r *http.Request) string {
	c, err := r.Cookie(p.csrfName)
	if err != nil {
		return ""
	}
	if _, ok := parseToken(c.Value); !ok {
		return ""
	}
	return c.Value
}

// ensurePreSession returns r's pre-session cookie, setting a new one on w
// when r has none.
func (p *Portal) ensurePreSession(w http.ResponseWriter, r *http.Request) string {
	if v := p.preSession(r); v != "" {
		return v
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	v := base64.RawURLEncoding.EncodeToString(b[:])
	// #nosec G124 -- Secure unless the operator asked for plain-HTTP development
	http.SetCookie(w, &http.Cookie{
		Name:     p.csrfName,
		Value:    v,
		Path:     "/",
		Secure:   !p.cfg.InsecureCookies,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
	return v
}

// sameOrigin is the origin check of a POST. A browser that sends
// Sec-Fetch-Site is believed: only same-origin (or none, a navigation the
// user started) passes. Otherwise an Origin header, if there is one, must
// be the portal's own scheme and host. A request with neither header (an
// old browser, a script) passes this check and depends on its token.
//
// The scheme is https unless InsecureCookies is set and the request came
// over plain HTTP: with Secure cookies a browser can only be signed in over
// HTTPS, even when a proxy in front terminated TLS.
func (p *Portal) sameOrigin(r *http.Request) bool {
	if site := r.Header.Values("Sec-Fetch-Site"); len(site) > 0 {
		return len(site) == 1 && (site[0] == "same-origin" || site[0] == "none")
	}
	origin := r.Header.Values("Origin")
	if len(origin) == 0 {
		return true
	}
	if len(origin) > 1 {
		return false
	}
	scheme := "https"
	if p.cfg.InsecureCookies && r.TLS == nil {
		if info := request.FromContext(r.Context()); info == nil || info.TLS == nil {
			scheme = "http"
		}
	}
	return r.Host != "" && strings.EqualFold(origin[0], scheme+"://"+r.Host)
}

// refuseCSRF answers a POST that failed the origin or token check.
func (p *Portal) refuseCSRF(w http.ResponseWriter, r *http.Request, reason string) {
	ctx := r.Context()
	p.log.LogAttrs(ctx, slog.LevelWarn, "form refused", append(request.LogAttrs(ctx),
		slog.String("reason", reason), slog.String("path", truncate(r.URL.Path, 256)))...)
	if p.d.Bus != nil {
		p.d.Bus.Publish(events.ForRequest(ctx, events.RequestRejected, events.SeverityLow,
			"portal form refused: CSRF check failed", map[string]string{"reason": reason}))
	}
	p.failMessage(w, r, http.StatusForbidden,
		"The form was refused: it came from another site or has expired. Go back, reload the page and try again.", nil)
}
