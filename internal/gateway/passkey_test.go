package gateway

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rampart/internal/identity/passkey/passkeytest"
	"rampart/internal/identity/password"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

// TestIdentityPasskeys registers a passkey through the gateway's portal and
// signs in with it alone: identity.passkeys wired from the config, and the
// portal's WAF leaving the passkeys' JSON alone.
func TestIdentityPasskeys(t *testing.T) {
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
	const pw = "correct horse battery staple"
	hash, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, store.User{ID: "u1", Username: "alice", PasswordHash: hash, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	up := echoUpstream(t, nil)
	certFile, keyFile, pool := writeCert(t, t.TempDir(), "one")
	t.Setenv("TEST_RAMPART_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	hs := startWith(t, tlsYAML(certFile, keyFile, up.URL, false)+`
identity:
  enabled: true
  secrets_key: ${env:TEST_RAMPART_KEY}
  passkeys:
    rp_id: localhost
    rp_display_name: Example
`, db)
	_, port, _ := net.SplitHostPort(hs.srv.HTTPSAddr.String())
	origin := "https://localhost:" + port // the certificate's name; WebAuthn needs a domain
	newClient := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	do := func(c *http.Client, method, path, ctype, body string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, origin+path, strings.NewReader(body))
		req.Header.Set("Accept", "text/html")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	block := regexp.MustCompile(`data-begin="([^"]*)" data-finish="([^"]*)" data-csrf="([^"]*)"`)
	const form = "application/x-www-form-urlencoded"
	// ceremony runs the passkey block of the page at path with auth.
	ceremony := func(c *http.Client, path string, create bool, auth *passkeytest.Authenticator) (*http.Response, string) {
		t.Helper()
		resp, page := do(c, "GET", path, "", "")
		m := block.FindStringSubmatch(page)
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("GET %s = %d, no passkey block:\n%s", path, resp.StatusCode, page)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q does not allow passkey.js", path, csp)
		}
		resp, opts := do(c, "POST", m[1], form, url.Values{"csrf": {m[3]}}.Encode())
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s = %d %s", m[1], resp.StatusCode, opts)
		}
		var cred []byte
		if create {
			cred, err = auth.Create([]byte(opts), origin)
		} else {
			cred, err = auth.Get([]byte(opts), origin)
		}
		if err != nil {
			t.Fatalf("authenticator: %v; options %s", err, opts)
		}
		return do(c, "POST", m[2], "application/json", string(cred), "X-CSRF-Token", m[3])
	}

	c := newClient()
	_, page := do(c, "GET", "/.rampart/login", "", "")
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if tok == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", page)
	}
	if resp, _ := do(c, "POST", "/.rampart/login", form, url.Values{"username": {"alice"}, "password": {pw}, "csrf": {tok[1]}}.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the password: %d", resp.StatusCode)
	}
	auth := &passkeytest.Authenticator{}
	if resp, body := ceremony(c, "/.rampart/passkeys", true, auth); resp.StatusCode != 200 || !strings.Contains(body, `"redirect"`) {
		t.Fatalf("register a passkey: %d %s", resp.StatusCode, body)
	}
	if ks, _ := db.UserCredentials(ctx, "u1", store.CredentialWebAuthn); len(ks) != 1 {
		t.Fatalf("stored passkeys: %+v", ks)
	}

	c = newClient()
	resp, body := ceremony(c, "/.rampart/login", false, auth)
	if resp.StatusCode != 200 || !strings.Contains(body, `"redirect":"/"`) {
		t.Fatalf("sign in with the passkey: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(c, "GET", "/app", "", ""); resp.StatusCode != 200 || resp.Header.Get("X-Got-User") != "alice" {
		t.Errorf("after the passkey, /app = %d as %q", resp.StatusCode, resp.Header.Get("X-Got-User"))
	}
}
