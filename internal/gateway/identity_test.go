package gateway

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/identity/password"
	"rampart/internal/identity/token"
	"rampart/internal/mail/mailtest"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

// TestIdentityEndToEnd signs in through the portal on the gateway and
// reaches a protected route, with the identity passed upstream.
func TestIdentityEndToEnd(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h, _ := password.NewHasher(password.DefaultParams)
	pw := "Robert'); DROP TABLE students;-- <script>" // the WAF leaves portal passwords alone
	hash, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, store.User{ID: "u1", Username: "alice", Roles: []string{"staff"}, PasswordHash: hash, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}

	up := echoUpstream(t, nil)
	certFile, keyFile, pool := writeCert(t, t.TempDir(), "one")
	t.Setenv("TEST_RAMPART_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	yaml := tlsYAML(certFile, keyFile, up.URL, false) + `
identity:
  enabled: true
  secrets_key: ${env:TEST_RAMPART_KEY}
  access:
    default: authenticated
    rules:
      - paths: [/public]
        policy: public
      - paths: [/admin]
        policy: roles
        roles: [admin]
`
	hs := startWith(t, yaml, db)
	base := "https://" + hs.srv.HTTPSAddr.String()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept", "text/html")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}

	if resp, _ := get("/public/x"); resp.StatusCode != 200 {
		t.Fatalf("public path: %d", resp.StatusCode)
	}
	resp, _ := get("/app?x=1")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/.rampart/login?rd=%2Fapp%3Fx%3D1" {
		t.Fatalf("anonymous browser: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get("/app", "Accept", "application/json"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API client: %d", resp.StatusCode)
	}
	resp, page := get("/.rampart/login?rd=%2Fapp%3Fx%3D1")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("login page: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", page)
	}
	post := func(form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/.rampart/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post(url.Values{"username": {"alice"}, "password": {"wrong password here"}, "csrf": {m[1]}, "rd": {"/app?x=1"}}); resp.StatusCode != 200 {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	hs.waitEvent(t, events.AuthFailure)
	resp = post(url.Values{"username": {"alice"}, "password": {pw}, "csrf": {m[1]}, "rd": {"/app?x=1"}})
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); loc != "/app?x=1" {
		t.Errorf("after sign-in: Location %q", loc)
	}
	hs.waitEvent(t, events.AuthSuccess)
	resp, _ = get("/app?x=1", "X-Rampart-User", "mallory")
	if resp.StatusCode != 200 {
		t.Fatalf("signed in on /app: %d", resp.StatusCode)
	}
	if got := resp.Header.Get("X-Got-Path"); got != "/app?x=1" {
		t.Errorf("upstream path %q", got)
	}
	if got := resp.Header.Get("X-Got-User"); got != "alice" {
		t.Errorf("upstream saw X-Rampart-User %q, want alice (the client sent mallory)", got)
	}
	// The signed identity verifies with the published keys.
	jr, body := get("/.rampart/jwks.json")
	var set struct{ Keys []token.JWK }
	if err := json.Unmarshal([]byte(body), &set); jr.StatusCode != 200 || err != nil {
		t.Fatalf("jwks: %d %v", jr.StatusCode, err)
	}
	claims, err := token.Verify(resp.Header.Get("X-Got-Token"), set.Keys, time.Now())
	if err != nil || claims.Subject != "alice" || len(claims.Roles) != 1 || claims.Roles[0] != "staff" {
		t.Errorf("X-Rampart-Identity: %+v %v", claims, err)
	}
	if got := resp.Header.Get("X-Got-Cookie"); strings.Contains(got, "rampart") {
		t.Errorf("the session cookie reached the upstream: %q", got)
	}
	if resp, _ := get("/admin"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff on /admin: %d, want 403", resp.StatusCode)
	}
}

// TestIdentityMail wires smtp and identity.email through the config: a
// reset asked for on the gateway's portal reaches a real SMTP server with
// a link on identity.email.link_base, and the link opens on the gateway.
func TestIdentityMail(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, store.User{ID: "u1", Username: "alice", Email: "alice@example.com", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	smtpSrv := mailtest.Start(t, mailtest.Plain)
	up := echoUpstream(t, nil)
	certFile, keyFile, pool := writeCert(t, t.TempDir(), "one")
	t.Setenv("TEST_RAMPART_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	hs := startWith(t, tlsYAML(certFile, keyFile, up.URL, false)+`
identity:
  enabled: true
  secrets_key: ${env:TEST_RAMPART_KEY}
  email:
    link_base: https://portal.example
smtp:
  addr: `+smtpSrv.Addr+`
  security: none
  from: rampart@portal.example
`, db)
	base := "https://" + hs.srv.HTTPSAddr.String()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	status, page := do("GET", "/.rampart/reset", nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if status != 200 || m == nil {
		t.Fatalf("reset page: %d\n%s", status, page)
	}
	if status, _ := do("POST", "/.rampart/reset", url.Values{"csrf": {m[1]}, "name": {"alice"}}); status != 200 {
		t.Fatalf("ask reset: %d", status)
	}
	msg := smtpSrv.Wait(t, "alice@example.com", 0)
	var link string
	for _, l := range msg.Links() {
		if strings.HasPrefix(l, "https://portal.example/.rampart/reset/confirm?t=") {
			link = strings.TrimPrefix(l, "https://portal.example")
		}
	}
	if link == "" {
		t.Fatalf("no reset link in:\n%s", msg.Text)
	}
	if status, page := do("GET", link, nil); status != 200 || !strings.Contains(page, "alice") {
		t.Fatalf("reset link on the gateway: %d\n%s", status, page)
	}
	hs.waitEvent(t, events.AuthResetRequested)
}
