package portal

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rampart/internal/events"
	"rampart/internal/identity/session"
	"rampart/internal/store"
)

// newSessionsEnv is newEnv with the sessions page on.
func newSessionsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	d := e.p.d
	d.SessionStore = e.db
	p, err := New(e.p.cfg, d)
	if err != nil {
		t.Fatalf("New(with SessionStore) = %v", err)
	}
	e.srv.Close()
	e.p = p
	e.srv = httptest.NewTLSServer(p)
	t.Cleanup(e.srv.Close)
	return e
}

var handleRE = regexp.MustCompile(`<input type="hidden" name="session" value="([^"]*)">`)

// sessionsPage loads {prefix}sessions and returns it with the handles of
// the sessions it offers to sign out.
func (b *browser) sessionsPage() (result, []string) {
	b.e.t.Helper()
	r := b.get(prefix + "sessions")
	if r.status != http.StatusOK {
		b.e.t.Fatalf("GET sessions = %d to %q:\n%s", r.status, r.location(), r.body)
	}
	var handles []string
	for _, m := range handleRE.FindAllStringSubmatch(r.body, -1) {
		handles = append(handles, m[1])
	}
	return r, handles
}

func (e *env) wantSession(what, secret string, live bool) {
	e.t.Helper()
	_, err := e.sessions.Validate(e.t.Context(), secret)
	switch {
	case live && err != nil:
		e.t.Errorf("Validate(%s) = %v, want a live session", what, err)
	case !live && !errors.Is(err, session.ErrInvalid):
		e.t.Errorf("Validate(%s) = %v, want ErrInvalid", what, err)
	}
}

func TestSessionsPage(t *testing.T) {
	e := newSessionsEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	e.addUser("bob", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	const evilUA = `<script>alert(1)</script> "Other"/2.0`
	other := e.browser()
	wantRedirect(t, "sign in elsewhere", other.login("alice", pw, "", "User-Agent", evilUA+strings.Repeat("x", 300)), "/")
	bob := e.browser()
	wantRedirect(t, "bob signs in", bob.login("bob", pw, ""), "/")
	e.events()

	if r := b.get(prefix + "account"); !strings.Contains(r.body, `href="`+prefix+`sessions"`) {
		t.Errorf("the account page has no link to %ssessions:\n%s", prefix, r.body)
	}
	r, handles := b.sessionsPage()
	if got := r.header.Get("Content-Security-Policy"); got != wantCSP {
		t.Errorf("GET sessions: CSP = %q", got)
	}
	if n := strings.Count(r.body, "<dt>Signed in</dt>"); n != 2 {
		t.Errorf("GET sessions lists %d sessions, want 2:\n%s", n, r.body)
	}
	if n := strings.Count(r.body, "(this session)"); n != 1 || len(handles) != 1 {
		t.Errorf("GET sessions: %d marked as this session, %d to sign out; want 1 and 1:\n%s", n, len(handles), r.body)
	}
	for _, want := range []string{"portal-test/1.0", "127.0.0.1", "2030-01-02 12:00 UTC", "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Other&#34;/2.0xxx", "x…"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("GET sessions does not show %q:\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, strings.Repeat("x", 200)) {
		t.Errorf("GET sessions shows the user agent unescaped or uncut:\n%s", r.body)
	}
	for _, s := range []*browser{b, other, bob} {
		if strings.Contains(r.body, s.session().ID) || strings.Contains(r.body, s.sessionSecret()) {
			t.Errorf("GET sessions shows a session ID or secret:\n%s", r.body)
		}
	}
	if bobR, bobHandles := bob.sessionsPage(); len(bobHandles) != 0 || strings.Count(bobR.body, "<dt>Signed in</dt>") != 1 {
		t.Errorf("bob's sessions page offers %d sessions to sign out, want his one session only:\n%s", len(bobHandles), bobR.body)
	}

	tok := token(t, r.body, prefix+"sessions/revoke")
	revoke := func(handle string, hdr ...string) result {
		t.Helper()
		return b.post(prefix+"sessions/revoke", url.Values{"csrf": {tok}, "session": {handle}}, hdr...)
	}

	// Another user's session, by its handle or by its stored ID, is not
	// this user's to end.
	bobID := bob.session().ID
	for what, h := range map[string]string{"bob's handle": e.p.sessionHandle(bobID), "bob's session ID": bobID, "junk": "x", "nothing": ""} {
		if r := revoke(h); r.status != http.StatusNotFound {
			t.Errorf("POST sessions/revoke with %s = %d, want 404:\n%s", what, r.status, r.body)
		}
	}
	e.wantSession("bob's session", bob.sessionSecret(), true)
	wantCSRFRefused(t, "POST sessions/revoke without a token", b.post(prefix+"sessions/revoke", url.Values{"session": {handles[0]}}))
	wantCSRFRefused(t, "POST sessions/revoke with the sign-out token",
		b.post(prefix+"sessions/revoke", url.Values{"csrf": {token(t, r.body, prefix+"logout")}, "session": {handles[0]}}))
	wantCSRFRefused(t, "POST sessions/revoke from another site", revoke(handles[0], "Sec-Fetch-Site", "cross-site"))
	e.wantSession("the other session", other.sessionSecret(), true)
	if hasEvent(e.events(), events.AuthSessionRevoked, "alice", "") {
		t.Fatal("auth.session_revoked published before any revocation")
	}

	otherID := other.session().ID
	wantRedirect(t, "POST sessions/revoke", revoke(handles[0]), prefix+"sessions")
	if _, err := e.db.Session(t.Context(), otherID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("store.Session(revoked) = %v, want ErrNotFound", err)
	}
	// The session manager's cache may answer for CacheTTL, as it does for a
	// session revoked on another node.
	e.clk.Add(session.DefaultCacheTTL)
	wantRedirect(t, "GET account in the signed-out browser", other.get(prefix+"account"), prefix+"login?rd="+url.QueryEscape(prefix+"account"))
	e.wantSession("this session", b.sessionSecret(), true)
	e.wantSession("bob's session", bob.sessionSecret(), true)
	if r, handles := b.sessionsPage(); len(handles) != 0 || !strings.Contains(r.body, "No other sessions.") {
		t.Errorf("GET sessions after revoking the other one offers %d:\n%s", len(handles), r.body)
	}
	if !hasEvent(e.events(), events.AuthSessionRevoked, "alice", "") {
		t.Error("no auth.session_revoked event")
	}
	if r := revoke(handles[0]); r.status != http.StatusNotFound {
		t.Errorf("POST sessions/revoke of an ended session = %d, want 404", r.status)
	}

	// Sign out everywhere else.
	second, third := e.browser(), e.browser()
	wantRedirect(t, "sign in again", second.login("alice", pw, ""), "/")
	wantRedirect(t, "sign in a third time", third.login("alice", pw, ""), "/")
	r, handles = b.sessionsPage()
	if len(handles) != 2 {
		t.Fatalf("GET sessions offers %d sessions to sign out, want 2:\n%s", len(handles), r.body)
	}
	wantCSRFRefused(t, "POST sessions/revoke-others without a token", b.post(prefix+"sessions/revoke-others", nil))
	e.wantSession("the second session", second.sessionSecret(), true)
	r = b.post(prefix+"sessions/revoke-others", url.Values{"csrf": {token(t, r.body, prefix+"sessions/revoke-others")}})
	wantRedirect(t, "POST sessions/revoke-others", r, prefix+"sessions")
	e.wantSession("the second session", second.sessionSecret(), false)
	e.wantSession("the third session", third.sessionSecret(), false)
	e.wantSession("this session", b.sessionSecret(), true)
	e.wantSession("bob's session", bob.sessionSecret(), true)
	if list, _ := e.db.ListUserSessions(t.Context(), "id-alice"); len(list) != 1 {
		t.Errorf("alice has %d sessions in the store, want 1", len(list))
	}
}

func TestRevokeThisSession(t *testing.T) {
	e := newSessionsEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	b.sessionsPage()
	secret := b.sessionSecret()
	id := b.session().ID
	r := b.post(prefix+"sessions/revoke", url.Values{
		"csrf": {e.p.csrfToken(id, prefix+"sessions/revoke")}, "session": {e.p.sessionHandle(id)},
	})
	wantRedirect(t, "POST sessions/revoke of this session", r, prefix+"login")
	e.wantSession("this session", secret, false)
}

func TestSessionsNeedSignIn(t *testing.T) {
	e := newSessionsEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "GET sessions signed out", b.get(prefix+"sessions"), prefix+"login?rd="+url.QueryEscape(prefix+"sessions"))
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	enrolTOTP(t, e, b)
	b.logout()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), prefix+"mfa")
	wantRedirect(t, "GET sessions before the second factor", b.get(prefix+"sessions"), prefix+"mfa?rd="+url.QueryEscape(prefix+"sessions"))
	tok := e.p.csrfToken(b.session().ID, prefix+"sessions/revoke-others")
	wantRedirect(t, "POST sessions/revoke-others before the second factor",
		b.post(prefix+"sessions/revoke-others", url.Values{"csrf": {tok}}), prefix+"mfa?rd="+url.QueryEscape(prefix+"sessions"))
}

func TestSessionsPageOff(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	if r := b.get(prefix + "sessions"); r.status != http.StatusNotFound {
		t.Errorf("GET sessions without a SessionStore = %d, want 404", r.status)
	}
	if r := b.get(prefix + "account"); strings.Contains(r.body, prefix+"sessions") {
		t.Errorf("the account page links to the sessions page without a SessionStore:\n%s", r.body)
	}
}

func TestShownUserAgent(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "unknown"},
		{"plain", "Mozilla/5.0", "Mozilla/5.0"},
		{"control characters", "a\x00b\nc", "a\uFFFDb\uFFFDc"},
		{"bidi override", "a\u202Eb", "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"long", strings.Repeat("é", 100), strings.Repeat("é", maxShownUserAgent/2) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shownUserAgent(tt.in); got != tt.want {
				t.Errorf("shownUserAgent(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
