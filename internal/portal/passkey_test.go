package portal

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"rampart/internal/events"
	"rampart/internal/identity/passkey"
	"rampart/internal/identity/passkey/passkeytest"
	"rampart/internal/store"
)

// pkHost is the host name the passkey tests' browsers send: WebAuthn
// needs a domain, and the test server listens on 127.0.0.1.
const (
	pkHost   = "example.com"
	pkOrigin = "https://" + pkHost
)

// withPasskeys turns passkeys on with cfg.
func withPasskeys(tb testing.TB, cfg passkey.Config) func(*Config, *Deps) {
	return func(c *Config, d *Deps) {
		cfg.AllowHTTP = c.InsecureCookies
		rp, err := passkey.New(cfg, d.Keys, d.Credentials.(passkey.Spender), d.Now)
		if err != nil {
			tb.Fatalf("passkey.New() = %v", err)
		}
		d.Passkeys = rp
	}
}

// hostTransport sends every request with Host host, as a browser at that
// name would.
type hostTransport struct {
	base http.RoundTripper
	host string
}

func (h hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = h.host
	return h.base.RoundTrip(r)
}

// pkBrowser is a browser at https://example.com.
func (e *env) pkBrowser() *browser {
	b := e.browser()
	b.c.Transport = hostTransport{base: b.c.Transport, host: pkHost}
	return b
}

// ceremonyUI is a data-passkey block of a page.
type ceremonyUI struct {
	kind, begin, finish, csrf string
}

var passkeyBlock = regexp.MustCompile(`data-passkey="(create|get)" data-begin="([^"]*)" data-finish="([^"]*)" data-csrf="([^"]*)"`)

func passkeyUIOf(tb testing.TB, body string) ceremonyUI {
	tb.Helper()
	m := passkeyBlock.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no passkey block in:\n%s", body)
	}
	return ceremonyUI{m[1], html.UnescapeString(m[2]), html.UnescapeString(m[3]), m[4]}
}

// begin posts the block's begin form and returns the options.
func (b *browser) begin(ui ceremonyUI, extra url.Values, hdr ...string) result {
	b.e.t.Helper()
	form := url.Values{"csrf": {ui.csrf}}
	for k, v := range extra {
		form[k] = v
	}
	return b.post(ui.begin, form, hdr...)
}

// finish posts a credential to the block's finish URL with query q.
func (b *browser) finish(ui ceremonyUI, q url.Values, cred []byte, hdr ...string) result {
	b.e.t.Helper()
	u := b.e.srv.URL + ui.finish
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(string(cred)))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", ui.csrf)
	req.Header.Set("User-Agent", "portal-test/1.0")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

// ceremony runs begin, the authenticator and finish, and returns finish's
// answer.
func (b *browser) ceremony(ui ceremonyUI, auth *passkeytest.Authenticator, q url.Values) result {
	b.e.t.Helper()
	r := b.begin(ui, nil)
	if r.status != http.StatusOK {
		b.e.t.Fatalf("POST %s = %d; body:\n%s", ui.begin, r.status, r.body)
	}
	var resp []byte
	var err error
	if ui.kind == "create" {
		resp, err = auth.Create([]byte(r.body), pkOrigin)
	} else {
		resp, err = auth.Get([]byte(r.body), pkOrigin)
	}
	if err != nil {
		b.e.t.Fatalf("authenticator: %v", err)
	}
	return b.finish(ui, q, resp)
}

func wantJSONRedirect(tb testing.TB, what string, r result, want string) {
	tb.Helper()
	var v struct{ Redirect string }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &v) != nil || v.Redirect != want {
		tb.Fatalf("%s = %d %s, want 200 with redirect %q", what, r.status, r.body, want)
	}
}

func wantJSONError(tb testing.TB, what string, r result, status int) {
	tb.Helper()
	var v struct{ Error string }
	if r.status != status || json.Unmarshal([]byte(r.body), &v) != nil || v.Error == "" {
		tb.Fatalf("%s = %d %s, want %d with an error message", what, r.status, r.body, status)
	}
}

// registerPasskey adds a passkey named name from auth on the passkeys page
// of a signed-in browser.
func (b *browser) registerPasskey(auth *passkeytest.Authenticator, name string) {
	b.e.t.Helper()
	page := b.get(prefix + "passkeys")
	if page.status != http.StatusOK {
		b.e.t.Fatalf("GET passkeys = %d to %s", page.status, page.location())
	}
	r := b.ceremony(passkeyUIOf(b.e.t, page.body), auth, url.Values{"name": {name}})
	wantJSONRedirect(b.e.t, "register passkey "+name, r, prefix+"passkeys")
}

// ceremonyCookie returns the ceremony cookie in the jar, which lives
// under the prefix.
func (b *browser) ceremonyCookie() string {
	u, _ := url.Parse(b.e.srv.URL + prefix)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == passkeyCookieName {
			return c.Value
		}
	}
	return ""
}

func (e *env) passkeys(userID string) []store.Credential {
	e.t.Helper()
	cs, err := e.db.UserCredentials(e.t.Context(), userID, store.CredentialWebAuthn)
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// findEvent returns the first event of type t about user with the reason
// (any reason for "") and, for auth.success, factor passkey.
func findEvent(evs []events.Event, t events.Type, user, reason string) (events.Event, bool) {
	for _, ev := range evs {
		if ev.Type == events.AuthSuccess && ev.Details["factor"] != "passkey" {
			continue
		}
		if ev.Type == t && ev.User == user && (reason == "" || ev.Details["reason"] == reason) {
			return ev, true
		}
	}
	return events.Event{}, false
}

func TestPasskeyRegisterRenameRemove(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	e.addUser("alice", "correct horse battery", nil)
	b := e.pkBrowser()
	wantRedirect(t, "sign in", b.login("alice", "correct horse battery", ""), "/")
	before := b.sessionSecret()

	page := b.get(prefix + "passkeys")
	if page.status != http.StatusOK {
		t.Fatalf("GET passkeys = %d", page.status)
	}
	if csp := page.header.Get("Content-Security-Policy"); csp != PasskeyCSP {
		t.Errorf("passkeys page CSP = %q, want %q", csp, PasskeyCSP)
	}
	if !strings.Contains(page.body, `<script src="`+prefix+`static/passkey.js" defer></script>`) || strings.Contains(page.body, "<script>") {
		t.Errorf("passkeys page does not load passkey.js, or has inline script:\n%s", page.body)
	}
	ui := passkeyUIOf(t, page.body)
	if ui.kind != "create" {
		t.Fatalf("passkeys page block = %+v", ui)
	}

	// Begin sets the ceremony cookie: under the prefix, short-lived,
	// Secure, HttpOnly, SameSite=Strict.
	r := b.begin(ui, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("POST register/begin = %d %q", r.status, r.header.Get("Content-Type"))
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == passkeyCookieName {
			cookie = c
		}
	}
	if cookie == nil || cookie.Path != prefix || cookie.MaxAge != 300 || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("ceremony cookie = %+v", cookie)
	}
	var opts struct {
		PublicKey struct {
			RP                     struct{ ID, Name string }
			User                   struct{ Name string }
			AuthenticatorSelection struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
			Attestation string
		}
	}
	if err := json.Unmarshal([]byte(r.body), &opts); err != nil {
		t.Fatal(err)
	}
	pk := opts.PublicKey
	if pk.RP.ID != pkHost || pk.RP.Name != "rampart" || pk.User.Name != "alice" ||
		pk.AuthenticatorSelection.ResidentKey != "preferred" || pk.AuthenticatorSelection.UserVerification != "preferred" {
		t.Errorf("creation options = %s", r.body)
	}

	laptop := &passkeytest.Authenticator{}
	resp, err := laptop.Create([]byte(r.body), pkOrigin)
	if err != nil {
		t.Fatal(err)
	}
	wantJSONRedirect(t, "register/finish", b.finish(ui, url.Values{"name": {"Laptop"}}, resp), prefix+"passkeys")
	if b.ceremonyCookie() != "" {
		t.Error("the ceremony cookie is still there after finish")
	}
	// The first second factor raises the session, under a new ID.
	if s := b.session(); !s.MFA || b.sessionSecret() == before {
		t.Errorf("session after the first passkey: MFA %v, rotated %v", s.MFA, b.sessionSecret() != before)
	}

	e.clk.Add(time.Minute)
	phone := &passkeytest.Authenticator{BackupEligible: true, NoCounter: true}
	b.registerPasskey(phone, "")
	// The laptop cannot register twice: its passkey is excluded. (The
	// page's token was bound to the session before it rotated.)
	ui = passkeyUIOf(t, b.get(prefix+"passkeys").body)
	r = b.begin(ui, nil)
	if _, err := laptop.Create([]byte(r.body), pkOrigin); !errors.Is(err, passkeytest.ErrExcluded) {
		t.Errorf("registering the laptop again: %v, want ErrExcluded", err)
	}

	ks := e.passkeys("id-alice")
	if len(ks) != 2 || ks[0].Name != "Laptop" || ks[1].Name != defaultPasskeyName {
		t.Fatalf("stored passkeys = %+v", ks)
	}
	var wc struct{ ID []byte }
	if err := json.Unmarshal(ks[0].Data, &wc); err != nil || passkey.CredentialID(wc.ID) != ks[0].ID {
		t.Errorf("stored data of %s does not hold its credential: %v", ks[0].ID, err)
	}

	page = b.get(prefix + "passkeys")
	for _, want := range []string{"Laptop", defaultPasskeyName, "never"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("passkeys page does not show %q:\n%s", want, page.body)
		}
	}
	acct := b.get(prefix + "account")
	if !strings.Contains(acct.body, "<li>Laptop</li>") || !strings.Contains(acct.body, `href="`+prefix+`passkeys"`) {
		t.Errorf("account page does not list the passkeys:\n%s", acct.body)
	}
	if acct.header.Get("Content-Security-Policy") != CSP {
		t.Errorf("account page CSP = %q, want the script-less one", acct.header.Get("Content-Security-Policy"))
	}

	tok := token(t, page.body, prefix+"passkeys/rename")
	r = b.post(prefix+"passkeys/rename", url.Values{"csrf": {tok}, "id": {ks[0].ID}, "name": {"Work laptop"}})
	wantRedirect(t, "rename", r, prefix+"passkeys")
	r = b.post(prefix+"passkeys/rename", url.Values{"csrf": {tok}, "id": {ks[0].ID}, "name": {"a\u202eb"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("rename to a name with a formatting character = %d, want 400", r.status)
	}
	r = b.post(prefix+"passkeys/rename", url.Values{"csrf": {"x"}, "id": {ks[0].ID}, "name": {"Stolen"}})
	if r.status != http.StatusForbidden {
		t.Errorf("rename without the token = %d, want 403", r.status)
	}

	tok = token(t, page.body, prefix+"passkeys/remove")
	wantRedirect(t, "remove", b.post(prefix+"passkeys/remove", url.Values{"csrf": {tok}, "id": {ks[1].ID}}), prefix+"passkeys")
	ks = e.passkeys("id-alice")
	if len(ks) != 1 || ks[0].Name != "Work laptop" {
		t.Fatalf("passkeys after rename and remove = %+v", ks)
	}

	// Another user's passkey cannot be renamed or removed.
	e.addUser("bob", "correct horse battery", nil)
	bob := e.pkBrowser()
	wantRedirect(t, "bob signs in", bob.login("bob", "correct horse battery", ""), "/")
	tok = e.p.csrfToken(bob.session().ID, prefix+"passkeys/remove")
	r = bob.post(prefix+"passkeys/remove", url.Values{"csrf": {tok}, "id": {ks[0].ID}})
	if r.status != http.StatusNotFound || len(e.passkeys("id-alice")) != 1 {
		t.Errorf("bob removing alice's passkey = %d", r.status)
	}
}

// signedInWithPasskey makes alice, with a password and a passkey on each
// authenticator.
func signedInWithPasskey(t *testing.T, e *env, auths ...*passkeytest.Authenticator) {
	t.Helper()
	e.addUser("alice", "correct horse battery", nil)
	b := e.pkBrowser()
	wantRedirect(t, "sign in", b.login("alice", "correct horse battery", ""), "/")
	for _, a := range auths {
		b.registerPasskey(a, "Laptop")
	}
	e.events()
}

func TestPasskeyPasswordless(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	auth := &passkeytest.Authenticator{}
	signedInWithPasskey(t, e, auth)

	b := e.pkBrowser()
	page := b.get(prefix + "login?rd=" + url.QueryEscape("/app"))
	if csp := page.header.Get("Content-Security-Policy"); csp != PasskeyCSP {
		t.Errorf("login page CSP = %q, want %q", csp, PasskeyCSP)
	}
	if !strings.Contains(page.body, "Sign in with a passkey") || !strings.Contains(page.body, `data-rd="/app"`) {
		t.Fatalf("login page has no passkey button for /app:\n%s", page.body)
	}
	ui := passkeyUIOf(t, page.body)
	r := b.begin(ui, nil)
	if !strings.Contains(r.body, `"userVerification":"required"`) || strings.Contains(r.body, "allowCredentials") {
		t.Errorf("passwordless options = %s", r.body)
	}
	e.clk.Add(30_000_000_000)
	resp, err := auth.Get([]byte(r.body), pkOrigin)
	if err != nil {
		t.Fatal(err)
	}
	wantJSONRedirect(t, "login/passkey/finish", b.finish(ui, url.Values{"rd": {"/app"}}, resp), "/app")
	s := b.session()
	if s.UserID != "id-alice" || !s.MFA {
		t.Errorf("session = %q MFA %v; want alice with MFA", s.UserID, s.MFA)
	}
	ev, ok := findEvent(e.events(), events.AuthSuccess, "alice", "")
	if !ok || ev.Details["factor"] != "passkey" || ev.Details["method"] != "passwordless" {
		t.Errorf("auth.success = %+v, %v; want factor passkey, method passwordless", ev, ok)
	}
	k := e.passkeys("id-alice")[0]
	if k.Counter != 1 || !k.LastUsedAt.Equal(e.clk.Now()) {
		t.Errorf("stored passkey after sign-in: counter %d, last used %v", k.Counter, k.LastUsedAt)
	}
	// Account pages need no second step.
	if r := b.get(prefix + "account"); r.status != http.StatusOK {
		t.Errorf("GET account after a passkey sign-in = %d to %s", r.status, r.location())
	}

	// An unsafe target becomes /.
	b = e.pkBrowser()
	ui = passkeyUIOf(t, b.get(prefix+"login").body)
	wantJSONRedirect(t, "finish with an outside rd", b.ceremony(ui, auth, url.Values{"rd": {"https://evil.example/"}}), "/")
}

func TestPasskeySecondFactor(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	auth := &passkeytest.Authenticator{}
	signedInWithPasskey(t, e, auth)

	b := e.pkBrowser()
	wantRedirect(t, "password", b.login("alice", "correct horse battery", "/app"), prefix+"mfa?rd=%2Fapp")
	if s := b.session(); s.MFA {
		t.Fatal("session has MFA before the passkey")
	}
	// The account pages want the second factor first.
	wantRedirect(t, "GET passkeys", b.get(prefix+"passkeys"), prefix+"mfa?rd="+url.QueryEscape(prefix+"passkeys"))
	page := b.get(prefix + "mfa?rd=%2Fapp")
	if !strings.Contains(page.body, "use your passkey") || strings.Contains(page.body, `name="code"`) {
		t.Errorf("second-factor page of a passkey-only user:\n%s", page.body)
	}
	before := b.sessionSecret()
	ui := passkeyUIOf(t, page.body)
	wantJSONRedirect(t, "mfa/passkey/finish", b.ceremony(ui, auth, url.Values{"rd": {"/app"}}), "/app")
	if s := b.session(); !s.MFA || b.sessionSecret() == before {
		t.Errorf("session after the passkey: MFA %v, rotated %v", s.MFA, b.sessionSecret() != before)
	}
	ev, ok := findEvent(e.events(), events.AuthSuccess, "alice", "")
	if !ok || ev.Details["factor"] != "passkey" || ev.Details["method"] != "second_factor" {
		t.Errorf("auth.success = %+v, %v", ev, ok)
	}
	if r := b.get(prefix + "passkeys"); r.status != http.StatusOK {
		t.Errorf("GET passkeys after the second factor = %d", r.status)
	}
}

func TestPasskeyRefused(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	auth := &passkeytest.Authenticator{}
	// A passkey that syncs keeps its counter at zero: only the spent
	// challenge stops a replay of its answer.
	synced := &passkeytest.Authenticator{NoCounter: true, BackupEligible: true}
	signedInWithPasskey(t, e, auth, synced)
	// fresh is a new browser on the sign-in page, an hour later than the
	// last: the failures of one case do not lock the next out.
	fresh := func(t *testing.T) (*browser, ceremonyUI) {
		t.Helper()
		e.clk.Add(time.Hour)
		e.events()
		b := e.pkBrowser()
		return b, passkeyUIOf(t, b.get(prefix+"login").body)
	}
	wantFailure := func(t *testing.T, what string, b *browser, r result, user, reason string) {
		t.Helper()
		wantJSONError(t, what, r, http.StatusForbidden)
		if b.sessionSecret() != "" {
			t.Errorf("%s: a session cookie was set", what)
		}
		if _, ok := findEvent(e.events(), events.AuthFailure, user, reason); !ok {
			t.Errorf("%s: no auth.failure for %q with reason %s", what, user, reason)
		}
	}

	t.Run("wrong origin", func(t *testing.T) {
		b, ui := fresh(t)
		resp, _ := auth.Get([]byte(b.begin(ui, nil).body), "https://evil.example")
		wantFailure(t, "finish from another origin", b, b.finish(ui, nil, resp), "alice", reasonPasskeyInvalid)
	})
	t.Run("wrong challenge", func(t *testing.T) {
		b, ui := fresh(t)
		first := b.begin(ui, nil)
		b.begin(ui, nil) // the cookie now holds this ceremony
		resp, _ := auth.Get([]byte(first.body), pkOrigin)
		wantFailure(t, "finish with the first challenge", b, b.finish(ui, nil, resp), "alice", reasonPasskeyInvalid)
	})
	t.Run("replayed with copied cookies", func(t *testing.T) {
		b, ui := fresh(t)
		r := b.begin(ui, nil)
		cookies := b.e.p.csrfName + "=" + b.cookie(b.e.p.csrfName) + "; " + passkeyCookieName + "=" + b.ceremonyCookie()
		resp, _ := synced.Get([]byte(r.body), pkOrigin)
		wantJSONRedirect(t, "first finish", b.finish(ui, nil, resp), "/")
		e.events()
		// Someone who copied the browser's cookies and the response, and
		// sends them again.
		thief := e.pkBrowser()
		wantFailure(t, "replayed finish", thief, thief.finish(ui, nil, resp, "Cookie", cookies), "alice", reasonPasskeyReplay)
		// The browser itself: its cookie is gone.
		wantJSONError(t, "finish again", b.finish(ui, nil, resp), http.StatusBadRequest)
	})
	t.Run("begin without CSRF token", func(t *testing.T) {
		b, ui := fresh(t)
		r := b.post(ui.begin, url.Values{})
		if r.status != http.StatusForbidden || b.ceremonyCookie() != "" {
			t.Errorf("begin without a token = %d, ceremony cookie %q", r.status, b.ceremonyCookie())
		}
		r = b.begin(ui, nil, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if r.status != http.StatusForbidden || b.ceremonyCookie() != "" {
			t.Errorf("cross-site begin = %d, want 403", r.status)
		}
		// A token of another pre-session does not do either.
		_, otherUI := fresh(t)
		if r := b.begin(ceremonyUI{begin: ui.begin, csrf: otherUI.csrf}, nil); r.status != http.StatusForbidden {
			t.Errorf("begin with another browser's token = %d, want 403", r.status)
		}
	})
	t.Run("finish without CSRF token", func(t *testing.T) {
		b, ui := fresh(t)
		resp, _ := auth.Get([]byte(b.begin(ui, nil).body), pkOrigin)
		if r := b.finish(ui, nil, resp, "X-CSRF-Token", ""); r.status != http.StatusForbidden {
			t.Errorf("finish without a token = %d, want 403", r.status)
		}
		if r := b.finish(ui, nil, resp, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("cross-site finish = %d, want 403", r.status)
		}
		if r := b.finish(ui, nil, resp, "Content-Type", "text/plain"); r.status != http.StatusUnsupportedMediaType {
			t.Errorf("finish as text/plain = %d, want 415", r.status)
		}
		if b.sessionSecret() != "" {
			t.Error("a session cookie was set")
		}
	})
	t.Run("too large", func(t *testing.T) {
		b, ui := fresh(t)
		b.begin(ui, nil)
		r := b.finish(ui, nil, []byte(`{"id":"`+strings.Repeat("A", passkey.MaxResponse)+`"}`))
		if r.status != http.StatusBadRequest && r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("finish of %d bytes = %d", passkey.MaxResponse, r.status)
		}
	})
	t.Run("unknown passkey", func(t *testing.T) {
		b, ui := fresh(t)
		stranger := &passkeytest.Authenticator{}
		opts, _, _ := e.p.d.Passkeys.BeginRegistration(passkey.Site{Origin: pkOrigin, RPID: pkHost}, passkey.User{ID: "x", Name: "x"}, "x")
		if _, err := stranger.Create(opts, pkOrigin); err != nil {
			t.Fatal(err)
		}
		resp, _ := stranger.Get([]byte(b.begin(ui, nil).body), pkOrigin)
		wantFailure(t, "finish with an unknown passkey", b, b.finish(ui, nil, resp), "", reasonPasskeyUnknown)
	})
	t.Run("cloned", func(t *testing.T) {
		clone := auth.Clone()
		b, ui := fresh(t)
		wantJSONRedirect(t, "sign in with the original", b.ceremony(ui, auth, nil), "/")
		b, ui = fresh(t)
		r := b.ceremony(ui, clone, nil)
		ev, ok := findEvent(e.events(), events.AuthFailure, "alice", reasonPasskeyCloned)
		wantJSONError(t, "sign in with the clone", r, http.StatusForbidden)
		if !ok || ev.Severity != events.SeverityHigh {
			t.Errorf("clone event = %+v, %v; want auth.failure of high severity", ev, ok)
		}
	})
	t.Run("disabled user", func(t *testing.T) {
		u, err := e.db.User(t.Context(), "id-alice")
		if err != nil {
			t.Fatal(err)
		}
		u.Disabled = true
		if _, err := e.db.UpdateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		b, ui := fresh(t)
		wantFailure(t, "disabled user's passkey", b, b.ceremony(ui, auth, nil), "alice", reasonDisabled)
	})
}

// TestPasskeyLockout checks that passkey failures count towards the
// account's lockout, and that a locked account refuses even a good
// passkey.
func TestPasskeyLockout(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	auth := &passkeytest.Authenticator{}
	signedInWithPasskey(t, e, auth)
	b := e.pkBrowser()
	ui := passkeyUIOf(t, b.get(prefix+"login").body)
	for i := range maxFailures {
		resp, _ := auth.Get([]byte(b.begin(ui, nil).body), "https://evil.example")
		wantJSONError(t, "failure "+string(rune('1'+i)), b.finish(ui, nil, resp), http.StatusForbidden)
	}
	if _, ok := findEvent(e.events(), events.AuthLockout, "alice", ""); !ok {
		t.Fatal("no auth.lockout after passkey failures")
	}
	wantJSONError(t, "good passkey while locked", b.ceremony(ui, auth, nil), http.StatusForbidden)
	if _, ok := findEvent(e.events(), events.AuthFailure, "alice", reasonLocked); !ok {
		t.Error("no auth.failure with reason locked")
	}
}

func TestPasskeysOff(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery", nil)
	b := e.pkBrowser()
	page := b.get(prefix + "login")
	if page.header.Get("Content-Security-Policy") != CSP || strings.Contains(page.body, "<script") || strings.Contains(page.body, "data-passkey") {
		t.Errorf("login page with passkeys off:\n%s", page.body)
	}
	for _, path := range []string{"passkeys", "static/passkey.js", "login/passkey/begin"} {
		if r := b.get(prefix + path); r.status != http.StatusNotFound {
			t.Errorf("GET %s with passkeys off = %d, want 404", path, r.status)
		}
	}
	// A passkey stored while passkeys were on is no second factor now.
	if err := e.db.AddCredential(t.Context(), store.Credential{ID: "AAAA", UserID: "id-alice", Kind: store.CredentialWebAuthn, CreatedAt: e.clk.Now()}); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, "sign in", b.login("alice", "correct horse battery", ""), "/")
}

func TestPasskeyUnavailableHost(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	b := e.browser() // at 127.0.0.1: no domain, no passkeys
	page := b.get(prefix + "login")
	if strings.Contains(page.body, "data-passkey") || page.header.Get("Content-Security-Policy") != CSP {
		t.Errorf("login page on an IP address offers passkeys:\n%s", page.body)
	}
	r := b.post(prefix+"login/passkey/begin", url.Values{"csrf": {token(t, page.body, prefix+"login")}})
	if r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Errorf("begin on an IP address = %d", r.status)
	}
	if r := b.get(prefix + "static/passkey.js"); r.status != http.StatusOK || r.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("GET passkey.js = %d %q", r.status, r.header.Get("Content-Type"))
	}

	// With an RP ID, hosts outside it get no passkeys either.
	e = newEnv(t, withPasskeys(t, passkey.Config{RPID: "example.org"}))
	if page := e.pkBrowser().get(prefix + "login"); strings.Contains(page.body, "data-passkey") {
		t.Errorf("login page at %s offers passkeys of RP ID example.org", pkHost)
	}
}

func TestPasskeyName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", defaultPasskeyName, true},
		{"  Laptop ", "Laptop", true},
		{"Ключ", "Ключ", true},
		{strings.Repeat("é", 64), strings.Repeat("é", 64), true},
		{strings.Repeat("é", 65), "", false},
		{"a\nb", "", false},
		{"a\u202eb", "", false},
		{"\xff", "", false},
	}
	for _, tt := range tests {
		got, ok := passkeyName(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("passkeyName(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzPasskeyName checks the invariant of the names a passkey may get:
// trimmed, valid UTF-8, at most maxCredName characters, no control or
// formatting characters.
func FuzzPasskeyName(f *testing.F) {
	for _, s := range []string{"", "Laptop", " a ", "a\nb", "a\u202eb", "\xff", strings.Repeat("x", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		got, ok := passkeyName(s)
		if !ok {
			return
		}
		if got != strings.TrimSpace(got) || !utf8.ValidString(got) || utf8.RuneCountInString(got) > maxCredName ||
			strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
			t.Fatalf("passkeyName(%q) = %q", s, got)
		}
	})
}
