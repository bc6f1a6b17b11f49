package portal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"rampart/internal/events"
	"rampart/internal/request"
	"rampart/internal/store"
)

// maxShownUserAgent bounds the User-Agent shown for a session, in bytes;
// the session package stores up to 512.
const maxShownUserAgent = 120

// handleLen is the length of a session handle: 16 bytes in base64url
// without padding.
const handleLen = 22

// timeLayout is how the sessions page writes times.
const timeLayout = "2006-01-02 15:04 UTC"

// sessionRow is one session as the sessions page shows it.
type sessionRow struct {
	// Handle names the session in the revoke form: an HMAC of its ID, so
	// that the page shows neither the secret nor the ID the store keeps.
	Handle    string
	Created   string
	LastSeen  string
	ClientIP  string
	UserAgent string
	MFA       bool
	Current   bool
}

// sessionHandle is the public name of the session with store ID id:
// HMAC-SHA256 under the CSRF key, with a label of its own, cut to 16
// bytes. It means something only next to the user's own list of sessions,
// which is where postRevokeSession looks it up.
func (p *Portal) sessionHandle(id string) string {
	m := hmac.New(sha256.New, p.cfg.CSRFKey)
	m.Write([]byte("rampart portal session handle v1\x00"))
	writeField(m, id)
	sum := m.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// liveSessions returns the user's sessions that have not ended at now,
// newest first.
func (p *Portal) liveSessions(r *http.Request, userID string, now time.Time) ([]store.Session, error) {
	all, err := p.d.SessionStore.ListUserSessions(r.Context(), userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions of user %s: %w", userID, err)
	}
	live := all[:0]
	for _, s := range all {
		if !s.Expired(now) {
			live = append(live, s)
		}
	}
	return live, nil
}

func (p *Portal) getSessions(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"sessions")
	if !ok {
		return
	}
	list, err := p.liveSessions(r, si.u.ID, p.now())
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	rows := make([]sessionRow, 0, len(list))
	others := 0
	for _, s := range list {
		cur := s.ID == si.s.ID
		if !cur {
			others++
		}
		ua := shownUserAgent(s.UserAgent)
		ip := s.ClientIP
		if ip == "" {
			ip = "unknown"
		}
		rows = append(rows, sessionRow{
			Handle:    p.sessionHandle(s.ID),
			Created:   s.CreatedAt.UTC().Format(timeLayout),
			LastSeen:  s.LastSeenAt.UTC().Format(timeLayout),
			ClientIP:  ip,
			UserAgent: ua,
			MFA:       s.MFA,
			Current:   cur,
		})
	}
	p.render(w, r, http.StatusOK, "sessions", page{
		Title:      "Your sessions",
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		RevokeCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"sessions/revoke"),
		OthersCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"sessions/revoke-others"),
		Username:   si.u.Username,
		Sessions:   rows,
		Others:     others,
	})
}

// shownUserAgent is a stored User-Agent as the sessions page shows it: cut
// to maxShownUserAgent bytes, with control and formatting characters (such
// as bidirectional overrides, which could reorder what is shown) replaced.
// The template escapes it.
func shownUserAgent(ua string) string {
	if ua == "" {
		return "unknown"
	}
	cut := truncate(ua, maxShownUserAgent)
	cut = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '\uFFFD'
		}
		return r
	}, cut)
	if len(ua) > maxShownUserAgent {
		cut += "…"
	}
	return cut
}

// postRevokeSession signs out one of the user's own sessions, named by its
// handle. A handle that names none of them (another user's session, one
// that has ended, junk) gets 404 and changes nothing. Naming this very
// session is a sign-out.
//
// The session is deleted from the store and from this node's session
// cache at once; the session managers of other nodes may still accept it
// from their caches for up to their CacheTTL (5 s by default), the same
// window as a sign-out on another node.
func (p *Portal) postRevokeSession(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"sessions")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"sessions/revoke", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	handle := r.PostForm.Get("session")
	var target store.Session
	found := false
	if len(handle) == handleLen {
		list, err := p.liveSessions(r, si.u.ID, p.now())
		if err != nil {
			p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("revoke session: %w", err))
			return
		}
		for _, s := range list {
			if s.UserID == si.u.ID && hmac.Equal([]byte(p.sessionHandle(s.ID)), []byte(handle)) {
				target, found = s, true
				break
			}
		}
	}
	if !found {
		p.failMessage(w, r, http.StatusNotFound,
			"That session is not one of yours, or it has ended already. Go back to your sessions and reload the page.", nil)
		return
	}
	if target.ID == si.s.ID {
		if err := p.d.Sessions.Revoke(ctx, si.secret); err != nil {
			p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("revoke session: %w", err))
			return
		}
		p.publishRevoked(r, si.u.Username, "this", 1)
		http.SetCookie(w, p.d.Sessions.ClearCookie())
		redirect(w, r, p.cfg.Prefix+"login")
		return
	}
	if err := p.d.Sessions.RevokeID(ctx, target.ID); err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("revoke session: %w", err))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "session revoked",
		append(request.LogAttrs(ctx), slog.String("user", si.u.Username))...)
	p.publishRevoked(r, si.u.Username, "one", 1)
	redirect(w, r, p.cfg.Prefix+"sessions")
}

// postRevokeOthers signs out every session of the user but this one.
func (p *Portal) postRevokeOthers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"sessions")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"sessions/revoke-others", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	n, err := p.d.Sessions.RevokeAll(ctx, si.u.ID, si.secret)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("revoke other sessions: %w", err))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "other sessions revoked",
		append(request.LogAttrs(ctx), slog.String("user", si.u.Username), slog.Int64("count", n))...)
	p.publishRevoked(r, si.u.Username, "others", n)
	redirect(w, r, p.cfg.Prefix+"sessions")
}

// publishRevoked publishes auth.session_revoked; scope is "one", "this"
// or "others".
func (p *Portal) publishRevoked(r *http.Request, user, scope string, n int64) {
	p.publish(r, events.AuthSessionRevoked, events.SeverityInfo, "sessions signed out by their user", user,
		map[string]string{"scope": scope, "count": strconv.FormatInt(n, 10)})
}
