package identity_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rampart/internal/identity"
	"rampart/internal/identity/access"
	"rampart/internal/identity/session"
	"rampart/internal/request"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

type fixture struct {
	st       store.Store
	sessions *session.Manager
	stage    *identity.Stage
	upstream *httptest.Server
	front    *httptest.Server
	seen     chan http.Header
}

func newFixture(t *testing.T, rules access.Config, userTTL time.Duration, opts ...func(*identity.StageConfig)) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sm, err := session.New(session.Config{}, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := access.Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: db, sessions: sm, seen: make(chan http.Header, 16)}
	sc := identity.StageConfig{Access: set, Sessions: sm, Users: db, SessionCookie: "__Host-rampart", UserCacheTTL: userTTL}
	for _, o := range opts {
		o(&sc)
	}
	f.stage, err = identity.NewStage(sc)
	if err != nil {
		t.Fatal(err)
	}
	f.upstream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.seen <- r.Header.Clone()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(f.upstream.Close)
	f.front = httptest.NewServer(f.stage.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.seen <- r.Header.Clone()
		_, _ = io.WriteString(w, "ok")
	})))
	t.Cleanup(f.front.Close)
	return f
}

func (f *fixture) user(t *testing.T, name string, roles ...string) store.User {
	t.Helper()
	u, err := f.st.CreateUser(context.Background(), store.User{ID: "id-" + name, Username: name, Roles: roles, CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) login(t *testing.T, u store.User, mfa bool) string {
	t.Helper()
	secret, _, err := f.sessions.Create(context.Background(), u.ID, mfa, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (f *fixture) get(t *testing.T, path, secret string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", f.front.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if secret != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-rampart", Value: secret})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestStageAccess(t *testing.T) {
	f := newFixture(t, access.Config{
		Rules: []access.Rule{
			{Paths: []string{"/public"}, Policy: access.PolicyPublic},
			{Paths: []string{"/admin"}, Policy: access.PolicyRoles, Roles: []string{"admin"}, MFA: true},
			{Paths: []string{"/app"}, Policy: access.PolicyAuthenticated},
		},
		Default: access.PolicyDeny,
	}, 0)
	alice := f.user(t, "alice", "admin")
	bob := f.user(t, "bob")
	html := map[string]string{"Accept": "text/html,application/xhtml+xml"}

	// Public: passes, and a forged identity header never reaches the upstream.
	resp := f.get(t, "/public/x", "", map[string]string{"X-Rampart-User": "root", "X-Rampart-Roles": "admin"})
	if resp.StatusCode != 200 {
		t.Fatalf("public: %d", resp.StatusCode)
	}
	if h := <-f.seen; h.Get("X-Rampart-User") != "" || h.Get("X-Rampart-Roles") != "" {
		t.Errorf("forged identity headers reached the upstream: %v", h)
	}
	// Anonymous browser → portal with the way back; API client → 401 JSON.
	resp = f.get(t, "/app/page?x=1", "", html)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/.rampart/login?rd=%2Fapp%2Fpage%3Fx%3D1" {
		t.Errorf("anonymous browser: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = f.get(t, "/app/api", "", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("anonymous API client: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Signed in: identity headers, the session cookie stripped.
	bs := f.login(t, bob, false)
	resp = f.get(t, "/app/page", bs, map[string]string{"Cookie": "theme=dark"})
	if resp.StatusCode != 200 {
		t.Fatalf("bob on /app: %d", resp.StatusCode)
	}
	h := <-f.seen
	if h.Get("X-Rampart-User") != "bob" || strings.Contains(h.Get("Cookie"), "__Host-rampart") {
		t.Errorf("upstream saw user %q, cookie %q", h.Get("X-Rampart-User"), h.Get("Cookie"))
	}
	// Roles and MFA.
	if resp := f.get(t, "/admin/", bs, html); resp.StatusCode != http.StatusFound {
		t.Errorf("bob (no MFA, no role) on /admin: %d, want the portal (MFA is asked before roles)", resp.StatusCode)
	}
	as := f.login(t, alice, false)
	if resp := f.get(t, "/admin/", as, html); resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/.rampart/mfa?") {
		t.Errorf("alice without MFA on /admin: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	as2 := f.login(t, alice, true)
	if resp := f.get(t, "/admin/", as2, nil); resp.StatusCode != 200 {
		t.Errorf("alice with MFA on /admin: %d", resp.StatusCode)
	} else if h := <-f.seen; h.Get("X-Rampart-Roles") != "admin" {
		t.Errorf("roles header %q", h.Get("X-Rampart-Roles"))
	}
	bs2 := f.login(t, bob, true)
	if resp := f.get(t, "/admin/", bs2, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob with MFA, no role, on /admin: %d", resp.StatusCode)
	}
	// Default deny, even signed in.
	if resp := f.get(t, "/other", as2, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("default deny: %d", resp.StatusCode)
	}
	// A forged or revoked session is anonymous.
	if resp := f.get(t, "/app/page", strings.Repeat("A", 43), html); resp.StatusCode != http.StatusFound {
		t.Errorf("forged session: %d", resp.StatusCode)
	}
	if err := f.sessions.Revoke(context.Background(), bs); err != nil {
		t.Fatal(err)
	}
	if resp := f.get(t, "/app/page", bs, html); resp.StatusCode != http.StatusFound {
		t.Errorf("revoked session: %d", resp.StatusCode)
	}
}

func TestStageMFARoles(t *testing.T) {
	f := newFixture(t, access.Config{
		Rules:   []access.Rule{{Paths: []string{"/public"}, Policy: access.PolicyPublic}},
		Default: access.PolicyAuthenticated,
	}, 0, func(c *identity.StageConfig) { c.MFARoles = []string{"admin", "ops"} })
	html := map[string]string{"Accept": "text/html"}
	alice := f.user(t, "alice", "staff", "ops")
	bob := f.user(t, "bob", "staff")
	as := f.login(t, alice, false)
	if resp := f.get(t, "/app", as, html); resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/.rampart/mfa?") {
		t.Errorf("ops user without MFA: %d %q, want the second-factor page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := f.get(t, "/public/x", as, nil); resp.StatusCode != 200 {
		t.Errorf("ops user without MFA on a public path: %d", resp.StatusCode)
	} else {
		<-f.seen
	}
	if resp := f.get(t, "/app", f.login(t, alice, true), nil); resp.StatusCode != 200 {
		t.Errorf("ops user with MFA: %d", resp.StatusCode)
	} else {
		<-f.seen
	}
	if resp := f.get(t, "/app", f.login(t, bob, false), nil); resp.StatusCode != 200 {
		t.Errorf("user without an MFA role: %d", resp.StatusCode)
	} else {
		<-f.seen
	}
}

func TestStageDisabledUser(t *testing.T) {
	f := newFixture(t, access.Config{Default: access.PolicyAuthenticated}, 100*time.Millisecond)
	carol := f.user(t, "carol")
	cs := f.login(t, carol, false)
	if resp := f.get(t, "/x", cs, nil); resp.StatusCode != 200 {
		t.Fatalf("carol: %d", resp.StatusCode)
	}
	<-f.seen
	u, _ := f.st.User(context.Background(), carol.ID)
	u.Disabled = true
	u.UpdatedAt = time.Now().UTC()
	if _, err := f.st.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	// Within the cache's TTL the old view may hold; after it, refused.
	time.Sleep(150 * time.Millisecond)
	if resp := f.get(t, "/x", cs, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user after the cache TTL: %d, want 401", resp.StatusCode)
	}
}

func TestVerifyEndpoint(t *testing.T) {
	f := newFixture(t, access.Config{
		Rules:   []access.Rule{{Hosts: []string{"app.example.com"}, Paths: []string{"/admin"}, Policy: access.PolicyRoles, Roles: []string{"admin"}}},
		Default: access.PolicyAuthenticated,
	}, 0)
	bob := f.user(t, "bob")
	bs := f.login(t, bob, true)
	// Behind a trusted proxy: the request info says so.
	h := f.stage.Verify()
	call := func(secret, host, uri, query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/.rampart/verify"+query, nil)
		req.Header.Set("X-Forwarded-Host", host)
		req.Header.Set("X-Forwarded-Uri", uri)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Method", "GET")
		if secret != "" {
			req.AddCookie(&http.Cookie{Name: "__Host-rampart", Value: secret})
		}
		req = req.WithContext(request.NewContext(req.Context(), &request.Info{TrustedPeer: true}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := call("", "app.example.com", "/page?x=1", "")
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("Location") != "https://app.example.com/.rampart/login?rd=https%3A%2F%2Fapp.example.com%2Fpage%3Fx%3D1" {
		t.Errorf("anonymous: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := call("", "app.example.com", "/page", "?redirect=1"); rec.Code != http.StatusFound {
		t.Errorf("anonymous, redirect mode: %d", rec.Code)
	}
	rec = call(bs, "app.example.com", "/page", "")
	if rec.Code != 200 || rec.Header().Get("X-Rampart-User") != "bob" {
		t.Errorf("bob: %d %q", rec.Code, rec.Header().Get("X-Rampart-User"))
	}
	if rec := call(bs, "app.example.com", "/admin/x", ""); rec.Code != http.StatusForbidden {
		t.Errorf("bob on /admin: %d", rec.Code)
	}
	if rec := call(bs, "other.example.com", "/admin/x", ""); rec.Code != 200 {
		t.Errorf("bob on another host's /admin: %d (the rule names app.example.com)", rec.Code)
	}
	if rec := call(bs, "app.example.com", "no-slash", ""); rec.Code != http.StatusBadRequest {
		t.Errorf("bad URI: %d", rec.Code)
	}
}

func TestFetchMetadataCSRF(t *testing.T) {
	f := newFixture(t, access.Config{Default: access.PolicyAuthenticated}, 0)
	dave := f.user(t, "dave")
	ds := f.login(t, dave, false)
	stage, err := identity.NewStage(identity.StageConfig{Sessions: f.sessions, Users: f.st, FetchMetadataCSRF: true})
	if err != nil {
		t.Fatal(err)
	}
	h := stage.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	call := func(method string, hdr map[string]string, withSession bool) int {
		req := httptest.NewRequest(method, "https://app.example.com/transfer", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if withSession {
			req.AddCookie(&http.Cookie{Name: "__Host-rampart", Value: ds})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	tests := []struct {
		name    string
		method  string
		hdr     map[string]string
		session bool
		want    int
	}{
		{"cross-site POST with the session", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, 403},
		{"same-site POST with the session", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, true, 403},
		{"same-origin POST", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, true, 200},
		{"typed URL", "POST", map[string]string{"Sec-Fetch-Site": "none"}, true, 200},
		{"cross-site GET", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, 200},
		{"old browser, foreign Origin", "DELETE", map[string]string{"Origin": "https://evil.example"}, true, 403},
		{"old browser, own Origin", "DELETE", map[string]string{"Origin": "https://app.example.com"}, true, 200},
		{"no browser headers", "POST", nil, true, 200},
		{"cross-site without a session", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, 200},
	}
	for _, tt := range tests {
		if got := call(tt.method, tt.hdr, tt.session); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
