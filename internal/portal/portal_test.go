package portal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/identity/lockout"
	"rampart/internal/identity/password"
	"rampart/internal/identity/seal"
	"rampart/internal/identity/session"
	"rampart/internal/identity/totp"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

// wantCSP is the policy the brief asks for, spelled out so that a change to
// the constant fails a test.
const wantCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

const prefix = DefaultPrefix

// clock is a settable clock shared by the portal, the session manager and
// the lockout guard.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t        *testing.T
	db       *sqlite.DB
	p        *Portal
	srv      *httptest.Server
	clk      *clock
	hasher   *password.Hasher
	keys     *seal.Keyring
	sessions *session.Manager
	sub      *events.Subscription
}

// testParams make argon2id fast enough for tests.
var testParams = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const maxFailures = 3

func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), nil))
}

// newEnv starts a portal over a fresh store; opts change its
// configuration and dependencies before it is built.
func newEnv(t *testing.T, opts ...func(*Config, *Deps)) *env {
	t.Helper()
	ctx := t.Context()
	log := testLogger(t)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "rampart.db"), log)
	if err != nil {
		t.Fatalf("sqlite.Open() = %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	// In the middle of a TOTP step, so that a minute later is two steps on.
	clk := &clock{t: time.Date(2030, 1, 2, 12, 0, 5, 0, time.UTC)}
	hasher, err := password.NewHasher(testParams)
	if err != nil {
		t.Fatal(err)
	}
	guard, err := lockout.New(lockout.Config{
		MaxFailures: maxFailures, MaxIPFailures: 1000,
		DelayAfter: 2, DelayBase: time.Millisecond, MaxDelay: 2 * time.Millisecond,
	}, lockout.NewMemory(0), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(session.Config{}, db, clk.Now, log)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring([]seal.Key{{ID: "k1", Secret: bytes.Repeat([]byte{7}, seal.KeySize)}})
	if err != nil {
		t.Fatal(err)
	}
	bus := events.NewBus("test")
	sub := bus.Subscribe("test", 10000)
	t.Cleanup(bus.Close)
	cfg := Config{
		CSRFKey:              bytes.Repeat([]byte{9}, 32),
		AllowedRedirectHosts: []string{"app.example", "App2.Example:8443"},
	}
	deps := Deps{
		Users: db, Credentials: db, Sessions: sessions, Hasher: hasher, Guard: guard,
		Keys: keys, Bus: bus, Log: log, Now: clk.Now,
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	p, err := New(cfg, deps)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	srv := httptest.NewTLSServer(p)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, p: p, srv: srv, clk: clk, hasher: hasher, keys: keys, sessions: sessions, sub: sub}
}

// addUser stores a user with password pw ("" for none).
func (e *env) addUser(name, pw string, change func(*store.User)) store.User {
	e.t.Helper()
	u := store.User{ID: "id-" + name, Username: name, CreatedAt: e.clk.Now()}
	if pw != "" {
		h, err := e.hasher.Hash(pw)
		if err != nil {
			e.t.Fatal(err)
		}
		u.PasswordHash = h
	}
	if change != nil {
		change(&u)
	}
	u, err := e.db.CreateUser(e.t.Context(), u)
	if err != nil {
		e.t.Fatalf("CreateUser(%s) = %v", name, err)
	}
	return u
}

// events returns the events published since the last call.
func (e *env) events() []events.Event {
	var out []events.Event
	for {
		select {
		case ev := <-e.sub.C():
			out = append(out, ev)
		default:
			return out
		}
	}
}

func hasEvent(evs []events.Event, t events.Type, user, reason string) bool {
	for _, ev := range evs {
		if ev.Type == t && ev.User == user && (reason == "" || ev.Details["reason"] == reason) {
			return true
		}
	}
	return false
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	e   *env
	c   *http.Client
	jar *cookiejar.Jar
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := new(http.Client)
	*c = *e.srv.Client() // a copy: Client returns one shared client
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{e: e, c: c, jar: jar}
}

type result struct {
	status int
	header http.Header
	body   string
}

func (r result) location() string { return r.header.Get("Location") }

func (b *browser) do(req *http.Request) result {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) result {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.do(req)
}

// post sends form to path with extra headers given as name, value pairs.
func (b *browser) post(path string, form url.Values, hdr ...string) result {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "portal-test/1.0")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

// token returns the CSRF token of the form posting to action in body.
func token(tb testing.TB, body, action string) string {
	tb.Helper()
	re := regexp.MustCompile(`<form method="post" action="` + regexp.QuoteMeta(action) +
		`"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]*)">`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no form posting to %s in:\n%s", action, body)
	}
	return m[1]
}

// loginForm loads the sign-in page and returns its token.
func (b *browser) loginForm() string {
	b.e.t.Helper()
	r := b.get(prefix + "login")
	if r.status != http.StatusOK {
		b.e.t.Fatalf("GET login = %d", r.status)
	}
	return token(b.e.t, r.body, prefix+"login")
}

// login signs in with name and pw and an optional redirect target.
func (b *browser) login(name, pw, rd string, hdr ...string) result {
	b.e.t.Helper()
	tok := b.loginForm()
	return b.post(prefix+"login", url.Values{"csrf": {tok}, "username": {name}, "password": {pw}, "rd": {rd}}, hdr...)
}

// cookie returns the value of the named cookie in the jar.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *browser) sessionSecret() string { return b.cookie(session.DefaultCookieName) }

// session returns the live session of the browser's cookie.
func (b *browser) session() store.Session {
	b.e.t.Helper()
	s, err := b.e.sessions.Validate(b.e.t.Context(), b.sessionSecret())
	if err != nil {
		b.e.t.Fatalf("Validate(session cookie) = %v", err)
	}
	return s
}

func (b *browser) logout() {
	b.e.t.Helper()
	r := b.get(prefix + "account")
	if r.status != http.StatusOK {
		b.e.t.Fatalf("GET account = %d, %s", r.status, r.location())
	}
	r = b.post(prefix+"logout", url.Values{"csrf": {token(b.e.t, r.body, prefix+"logout")}})
	if r.status != http.StatusSeeOther || r.location() != prefix+"login" {
		b.e.t.Fatalf("POST logout = %d, %q", r.status, r.location())
	}
}

func wantRedirect(tb testing.TB, what string, r result, want string) {
	tb.Helper()
	if r.status != http.StatusSeeOther || r.location() != want {
		tb.Fatalf("%s = %d to %q, want 303 to %q; body:\n%s", what, r.status, r.location(), want, r.body)
	}
}

func wantWrongPassword(tb testing.TB, what string, r result) {
	tb.Helper()
	if r.status != http.StatusOK || !strings.Contains(r.body, msgWrongPassword) {
		tb.Fatalf("%s = %d, want 200 with %q; body:\n%s", what, r.status, msgWrongPassword, r.body)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery", nil)
	b := e.browser()
	r := b.login("ALICE", "correct horse battery", "")
	wantRedirect(t, "sign in", r, "/")
	s := b.session()
	if s.UserID != "id-alice" || s.MFA {
		t.Errorf("session = user %q, MFA %v; want id-alice without MFA", s.UserID, s.MFA)
	}
	if s.ClientIP != "127.0.0.1" || s.UserAgent != "portal-test/1.0" {
		t.Errorf("session client = %q, %q", s.ClientIP, s.UserAgent)
	}
	if !hasEvent(e.events(), events.AuthSuccess, "alice", "") {
		t.Error("no auth.success event for alice")
	}
	r = b.get(prefix + "account")
	if r.status != http.StatusOK || !strings.Contains(r.body, "<strong>alice</strong>") {
		t.Errorf("GET account = %d; body:\n%s", r.status, r.body)
	}
	if r := b.get(prefix); r.status != http.StatusOK || !strings.Contains(r.body, "alice") {
		t.Errorf("GET %s = %d", prefix, r.status)
	}

	// A new sign-in ends the session the browser had.
	old := b.sessionSecret()
	wantRedirect(t, "second sign in", b.login("alice", "correct horse battery", ""), "/")
	if _, err := e.sessions.Validate(t.Context(), old); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Validate(previous session) = %v, want ErrInvalid", err)
	}
}

func TestRedirectAfterSignIn(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery", nil)
	for _, rd := range []string{"/app/page?x=1&y=%2F", "https://app.example/dashboard", "https://app2.example:8443/x"} {
		b := e.browser()
		r := b.get(prefix + "login?rd=" + url.QueryEscape(rd))
		if !strings.Contains(r.body, `name="rd" value="`+html.EscapeString(rd)+`"`) {
			t.Errorf("GET login?rd=%s: form does not carry rd; body:\n%s", rd, r.body)
		}
		wantRedirect(t, "sign in with rd "+rd, b.login("alice", "correct horse battery", rd), rd)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery", nil)
	for _, rd := range []string{
		"//evil.example", "https://evil.example", `/\evil.example`, "javascript:alert(1)",
		"http://app.example/", "https://app.example@evil.example/", "/\t/evil.example",
		"HTTPS://evil.example", "https:evil.example", `\\evil.example`, "///evil.example",
		"https://app.example.evil.example/", "data:text/html,<script>alert(1)</script>",
		"/" + strings.Repeat("a", 2048),
	} {
		b := e.browser()
		r := b.get(prefix + "login?rd=" + url.QueryEscape(rd))
		if !strings.Contains(r.body, `name="rd" value="/"`) {
			t.Errorf("GET login?rd=%q: form carries another rd than /", rd)
		}
		wantRedirect(t, "sign in with rd "+rd, b.login("alice", "correct horse battery", rd), "/")
	}
}

func TestWrongPassword(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery", nil)
	b := e.browser()
	r := b.login("Alice", "wrong horse battery", "")
	wantWrongPassword(t, "wrong password", r)
	if b.sessionSecret() != "" {
		t.Error("a session cookie was set after a wrong password")
	}
	evs := e.events()
	if !hasEvent(evs, events.AuthFailure, "Alice", reasonWrongPassword) {
		t.Fatalf("no auth.failure event for Alice with reason %s: %+v", reasonWrongPassword, evs)
	}
	for _, ev := range evs {
		if ev.Type == events.AuthFailure && (ev.ClientIP != "127.0.0.1" || ev.Details["user_agent"] != "portal-test/1.0" || ev.RequestID == "") {
			t.Errorf("auth.failure = %+v; want client IP, user agent and request ID", ev)
		}
	}
}

// TestNoUserEnumeration checks that every way a sign-in fails gives the
// same status and body, and costs the same password-hashing work.
func TestNoUserEnumeration(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	e.addUser("bob", pw, nil)
	e.addUser("dave", pw, func(u *store.User) { u.Disabled = true })
	e.addUser("erin", "", nil)
	b := e.browser()
	for range maxFailures {
		wantWrongPassword(t, "locking bob", b.login("bob", "wrong", ""))
	}
	if !hasEvent(e.events(), events.AuthLockout, "bob", "") {
		t.Fatal("no auth.lockout event for bob")
	}

	tests := []struct{ name, user, pw, reason string }{
		{"wrong password", "alice", "wrong horse battery", reasonWrongPassword},
		{"unknown user", "mallory", pw, reasonUnknownUser},
		{"locked account, right password", "bob", pw, reasonLocked},
		{"disabled account, right password", "dave", pw, reasonDisabled},
		{"no password", "erin", pw, reasonNoPassword},
	}
	var first result
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := b.loginForm()
			before := e.hasher.Computations()
			r := b.post(prefix+"login", url.Values{"csrf": {tok}, "username": {tt.user}, "password": {tt.pw}})
			if n := e.hasher.Computations() - before; n != 1 {
				t.Errorf("%s: %d hash computations, want 1", tt.name, n)
			}
			wantWrongPassword(t, tt.name, r)
			if i == 0 {
				first = r
			} else if r.status != first.status || r.body != first.body {
				t.Errorf("%s: status %d and body differ from a wrong password's (%d):\n%s\n---\n%s",
					tt.name, r.status, first.status, r.body, first.body)
			}
			if b.sessionSecret() != "" {
				t.Errorf("%s: a session cookie was set", tt.name)
			}
			if !hasEvent(e.events(), events.AuthFailure, tt.user, tt.reason) {
				t.Errorf("%s: no auth.failure event with reason %s", tt.name, tt.reason)
			}
		})
	}
}

func TestLockout(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	for i := 1; i <= maxFailures; i++ {
		wantWrongPassword(t, "wrong password", b.login("alice", "wrong", ""))
		locked := hasEvent(e.events(), events.AuthLockout, "alice", "")
		if locked != (i == maxFailures) {
			t.Fatalf("after %d failures: auth.lockout published = %v", i, locked)
		}
	}
	wantWrongPassword(t, "right password while locked", b.login("alice", pw, ""))
	if b.sessionSecret() != "" {
		t.Fatal("a locked account got a session")
	}
	e.clk.Add(lockout.DefaultLockFor + time.Minute)
	wantRedirect(t, "right password after the lock", b.login("alice", pw, ""), "/")
}

// enrolTOTP signs b in as name (without a second factor) and enrols an
// authenticator; it returns the secret and the recovery codes shown.
func enrolTOTP(t *testing.T, e *env, b *browser) (secret string, codes []string) {
	t.Helper()
	r := b.get(prefix + "totp/new")
	if r.status != http.StatusOK {
		t.Fatalf("GET totp/new = %d", r.status)
	}
	m := regexp.MustCompile(`<img class="qr" src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no QR code on the enrolment page:\n%s", r.body)
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatalf("QR data URL: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	m = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", r.body)
	}
	secret = strings.ReplaceAll(m[1], " ", "")
	enrol := regexp.MustCompile(`name="enrol" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	tok := token(t, r.body, prefix+"totp/new")
	form := url.Values{"csrf": {tok}, "enrol": {enrol}, "name": {"phone"}}

	form.Set("code", "000000")
	if r := b.post(prefix+"totp/new", form); r.status != http.StatusOK || !strings.Contains(r.body, "That code is not right") {
		t.Fatalf("POST totp/new with a wrong code = %d:\n%s", r.status, r.body)
	}
	code, err := totp.Code(secret, totp.Step(e.clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	before := b.sessionSecret()
	form.Set("code", code)
	r = b.post(prefix+"totp/new", form)
	if r.status != http.StatusOK {
		t.Fatalf("POST totp/new = %d:\n%s", r.status, r.body)
	}
	for _, m := range regexp.MustCompile(`<li><code>([2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4})</code></li>`).FindAllStringSubmatch(r.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("enrolment showed %d recovery codes, want 10:\n%s", len(codes), r.body)
	}
	if after := b.sessionSecret(); after == before || !b.session().MFA {
		t.Fatal("enrolment did not raise the session to MFA under a new secret")
	}
	return secret, codes
}

func TestTOTPEnrolAndSignIn(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	u := e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	secret, _ := enrolTOTP(t, e, b)

	ctx := t.Context()
	creds, err := e.db.UserCredentials(ctx, u.ID, store.CredentialTOTP)
	if err != nil || len(creds) != 1 {
		t.Fatalf("TOTP credentials = %d, %v; want 1", len(creds), err)
	}
	c := creds[0]
	if c.Name != "phone" || c.LastStep != totp.Step(e.clk.Now()) {
		t.Errorf("credential name %q, last step %d; want phone, %d", c.Name, c.LastStep, totp.Step(e.clk.Now()))
	}
	if bytes.Contains(c.Secret, []byte(secret)) {
		t.Error("the TOTP secret is stored in the clear")
	}
	if got, err := e.keys.Open(c.Secret, []byte(u.ID+"/"+c.ID)); err != nil || string(got) != secret {
		t.Errorf("Open(stored secret, userID/credID) = %q, %v; want the secret", got, err)
	}
	if rc, _ := e.db.UserCredentials(ctx, u.ID, store.CredentialRecovery); len(rc) != 10 {
		t.Errorf("recovery credentials = %d, want 10", len(rc))
	}
	b.logout()

	// The password alone now leads to the second factor, and the account
	// page is not reachable before it.
	rd := "/app/x"
	wantRedirect(t, "sign in", b.login("alice", pw, rd), prefix+"mfa?rd="+url.QueryEscape(rd))
	if s := b.session(); s.MFA {
		t.Fatal("the session has MFA before the second factor")
	}
	wantRedirect(t, "GET account before the second factor", b.get(prefix+"account"), prefix+"mfa?rd="+url.QueryEscape(prefix+"account"))

	// The code proved at enrolment cannot sign in within its step.
	r := b.get(prefix + "mfa?rd=" + url.QueryEscape(rd))
	if r.status != http.StatusOK {
		t.Fatalf("GET mfa = %d", r.status)
	}
	tok := token(t, r.body, prefix+"mfa")
	enrolCode, _ := totp.Code(secret, totp.Step(e.clk.Now()))
	r = b.post(prefix+"mfa", url.Values{"csrf": {tok}, "code": {enrolCode}, "rd": {rd}})
	if r.status != http.StatusOK || !strings.Contains(r.body, msgWrongCode) {
		t.Fatalf("POST mfa with the enrolment code = %d:\n%s", r.status, r.body)
	}
	if !hasEvent(e.events(), events.AuthFailure, "alice", reasonReplay) {
		t.Error("no auth.failure event for the replayed code")
	}

	e.clk.Add(time.Minute)
	code, _ := totp.Code(secret, totp.Step(e.clk.Now()))
	pending := b.sessionSecret()
	r = b.post(prefix+"mfa", url.Values{"csrf": {tok}, "code": {code[:3] + " " + code[3:]}, "rd": {rd}})
	wantRedirect(t, "POST mfa", r, rd)
	if b.sessionSecret() == pending || !b.session().MFA {
		t.Fatal("the second factor did not raise the session to MFA under a new secret")
	}
	if _, err := e.sessions.Validate(ctx, pending); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Validate(pending session) = %v, want ErrInvalid", err)
	}
	if !hasEvent(e.events(), events.AuthSuccess, "alice", "") {
		t.Error("no auth.success event for the second factor")
	}
	if r := b.get(prefix + "account"); r.status != http.StatusOK || !strings.Contains(r.body, "<li>phone</li>") {
		t.Errorf("GET account = %d:\n%s", r.status, r.body)
	}

	// The same code again, in a new sign-in, is a replay.
	b.logout()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), prefix+"mfa")
	r = b.get(prefix + "mfa")
	r = b.post(prefix+"mfa", url.Values{"csrf": {token(t, r.body, prefix+"mfa")}, "code": {code}})
	if r.status != http.StatusOK || !strings.Contains(r.body, msgWrongCode) {
		t.Fatalf("POST mfa with a used code = %d:\n%s", r.status, r.body)
	}
	if b.session().MFA {
		t.Fatal("a replayed code raised the session")
	}
}

func TestRecoveryCode(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	u := e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	_, codes := enrolTOTP(t, e, b)
	b.logout()

	mfa := func(code string) result {
		t.Helper()
		wantRedirect(t, "sign in", b.login("alice", pw, ""), prefix+"mfa")
		r := b.get(prefix + "mfa")
		return b.post(prefix+"mfa", url.Values{"csrf": {token(t, r.body, prefix+"mfa")}, "code": {code}})
	}
	// Typed in capitals with spaces for dashes.
	wantRedirect(t, "POST mfa with a recovery code", mfa(strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))), "/")
	if !b.session().MFA {
		t.Fatal("a recovery code did not raise the session")
	}
	b.logout()
	if r := mfa(codes[0]); r.status != http.StatusOK || !strings.Contains(r.body, msgWrongCode) {
		t.Fatalf("POST mfa with a used recovery code = %d:\n%s", r.status, r.body)
	}
	if r := mfa(codes[1]); r.status != http.StatusSeeOther {
		t.Fatalf("POST mfa with another recovery code = %d:\n%s", r.status, r.body)
	}
	if rc, _ := e.db.UserCredentials(t.Context(), u.ID, store.CredentialRecovery); len(rc) != 8 {
		t.Errorf("recovery codes left = %d, want 8", len(rc))
	}
}

func TestSecondFactorLockout(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	secret, _ := enrolTOTP(t, e, b)
	b.logout()
	e.clk.Add(time.Minute)
	wantRedirect(t, "sign in", b.login("alice", pw, ""), prefix+"mfa")
	r := b.get(prefix + "mfa")
	tok := token(t, r.body, prefix+"mfa")
	for range maxFailures {
		if r := b.post(prefix+"mfa", url.Values{"csrf": {tok}, "code": {"123456"}}); !strings.Contains(r.body, msgWrongCode) {
			t.Fatalf("POST mfa with a wrong code = %d:\n%s", r.status, r.body)
		}
	}
	if !hasEvent(e.events(), events.AuthLockout, "alice", "") {
		t.Fatal("no auth.lockout event after wrong codes")
	}
	code, _ := totp.Code(secret, totp.Step(e.clk.Now()))
	if r := b.post(prefix+"mfa", url.Values{"csrf": {tok}, "code": {code}}); r.status != http.StatusOK || !strings.Contains(r.body, msgWrongCode) {
		t.Fatalf("POST mfa with the right code while locked = %d:\n%s", r.status, r.body)
	}
}

// TestPasswordKeepsCodeFailures checks that signing in with the password
// again does not forget wrong codes, or the password would buy unlimited
// guesses at the second factor.
func TestPasswordKeepsCodeFailures(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	enrolTOTP(t, e, b)
	b.logout()
	for range maxFailures {
		wantRedirect(t, "sign in", b.login("alice", pw, ""), prefix+"mfa")
		r := b.get(prefix + "mfa")
		if r := b.post(prefix+"mfa", url.Values{"csrf": {token(t, r.body, prefix+"mfa")}, "code": {"123456"}}); !strings.Contains(r.body, msgWrongCode) {
			t.Fatalf("POST mfa with a wrong code = %d:\n%s", r.status, r.body)
		}
	}
	if !hasEvent(e.events(), events.AuthLockout, "alice", "") {
		t.Fatal("wrong codes spread over sign-ins did not lock the account")
	}
	wantWrongPassword(t, "sign in while locked", b.login("alice", pw, ""))
}

func TestMFARequiredWithoutFactor(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, func(u *store.User) { u.MFARequired = true })
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, "/app"), prefix+"totp/new?rd=%2Fapp")
	r := b.get(prefix + "totp/new?rd=%2Fapp")
	if r.status != http.StatusOK || !strings.Contains(r.body, "requires a second factor") {
		t.Fatalf("GET totp/new = %d:\n%s", r.status, r.body)
	}
}

func TestMFARoles(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.MFARoles = []string{"admin"} })
	const pw = "correct horse battery"
	e.addUser("alice", pw, func(u *store.User) { u.Roles = []string{"staff", "admin"} })
	e.addUser("bob", pw, func(u *store.User) { u.Roles = []string{"staff"} })
	wantRedirect(t, "admin signs in", e.browser().login("alice", pw, "/app"), prefix+"totp/new?rd=%2Fapp")
	wantRedirect(t, "staff signs in", e.browser().login("bob", pw, "/app"), "/app")
}

func TestRehashOnSignIn(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	old, err := password.NewHasher(password.Params{Memory: 32, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	h, err := old.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	u := e.addUser("alice", "", func(u *store.User) { u.PasswordHash = h })
	wantRedirect(t, "sign in", e.browser().login("alice", pw, ""), "/")
	got, err := e.db.User(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != u.Version+1 || got.PasswordHash == h {
		t.Fatalf("after sign-in: version %d, hash changed %v; want %d, true", got.Version, got.PasswordHash != h, u.Version+1)
	}
	if ok, rehash, err := e.hasher.Verify(pw, got.PasswordHash); !ok || rehash || err != nil {
		t.Errorf("Verify(pw, new hash) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	secret := b.sessionSecret()
	b.logout()
	if b.sessionSecret() != "" {
		t.Error("the session cookie is still in the jar after sign-out")
	}
	if _, err := e.sessions.Validate(t.Context(), secret); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Validate(session after sign-out) = %v, want ErrInvalid", err)
	}
	wantRedirect(t, "GET account after sign-out", b.get(prefix+"account"), prefix+"login?rd="+url.QueryEscape(prefix+"account"))
	// Signing out again without a session just clears the cookie.
	wantRedirect(t, "POST logout without a session", b.post(prefix+"logout", nil), prefix+"login")
}

func wantCSRFRefused(tb testing.TB, what string, r result) {
	tb.Helper()
	if r.status != http.StatusForbidden {
		tb.Fatalf("%s = %d, want 403; body:\n%s", what, r.status, r.body)
	}
	id := r.header.Get("X-Request-Id")
	if id == "" || !strings.Contains(r.body, "Request ID: <code>"+id+"</code>") {
		tb.Errorf("%s: the 403 page does not show the request ID %q:\n%s", what, id, r.body)
	}
	if got := r.header.Get("Content-Security-Policy"); got != wantCSP {
		tb.Errorf("%s: CSP = %q", what, got)
	}
}

func TestCSRFRefused(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	form := func(tok string) url.Values {
		return url.Values{"csrf": {tok}, "username": {"alice"}, "password": {pw}}
	}

	fresh := e.browser()
	wantCSRFRefused(t, "POST login without a form", fresh.post(prefix+"login", form("")))

	b := e.browser()
	tok := b.loginForm()
	wantCSRFRefused(t, "POST login without a token", b.post(prefix+"login", form("")))
	wantCSRFRefused(t, "POST login with a garbled token", b.post(prefix+"login", form(tok[:len(tok)-2]+"AA")))
	wantCSRFRefused(t, "POST login with a token for another form", b.post(prefix+"login", form(e.p.csrfToken(b.cookie(csrfCookieName), prefix+"mfa"))))
	other := e.browser()
	wantCSRFRefused(t, "POST login with another browser's token", b.post(prefix+"login", form(other.loginForm())))
	if b.sessionSecret() != "" {
		t.Fatal("a refused form signed in")
	}
	wantRedirect(t, "POST login with the token", b.post(prefix+"login", form(tok)), "/")

	// Signed in, forms are bound to the session.
	secret := b.sessionSecret()
	wantCSRFRefused(t, "POST logout without a token", b.post(prefix+"logout", nil))
	wantCSRFRefused(t, "POST logout with the sign-in token", b.post(prefix+"logout", url.Values{"csrf": {tok}}))
	wantCSRFRefused(t, "POST totp/new without a token", b.post(prefix+"totp/new", url.Values{"code": {"123456"}}))
	if _, err := e.sessions.Validate(t.Context(), secret); err != nil {
		t.Errorf("Validate(session) after refused sign-out = %v", err)
	}
	if len(e.events()) == 0 {
		t.Error("refused forms published no events")
	}
}

func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	tests := []struct {
		name string
		hdr  []string
		ok   bool
	}{
		{"cross-site Origin", []string{"Origin", "https://evil.example"}, false},
		{"null Origin", []string{"Origin", "null"}, false},
		{"Origin with another scheme", []string{"Origin", strings.Replace(e.srv.URL, "https://", "http://", 1)}, false},
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}, false},
		{"Sec-Fetch-Site same-site", []string{"Sec-Fetch-Site", "same-site", "Origin", e.srv.URL}, false},
		{"same Origin", []string{"Origin", e.srv.URL}, true},
		{"Sec-Fetch-Site same-origin", []string{"Sec-Fetch-Site", "same-origin", "Origin", e.srv.URL}, true},
		{"Sec-Fetch-Site none", []string{"Sec-Fetch-Site", "none"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.browser().login("alice", pw, "", tt.hdr...)
			if tt.ok {
				wantRedirect(t, tt.name, r, "/")
			} else {
				wantCSRFRefused(t, tt.name, r)
			}
		})
	}
}

// TestCSPEveryPage visits every kind of portal response.
func TestCSPEveryPage(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	check := func(what string, r result) {
		t.Helper()
		if got := r.header.Get("Content-Security-Policy"); got != wantCSP {
			t.Errorf("%s (%d): Content-Security-Policy = %q, want %q", what, r.status, got, wantCSP)
		}
		if strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") || strings.Contains(r.body, "<style") {
			t.Errorf("%s: inline script or style in the page", what)
		}
	}
	check("GET login", b.get(prefix+"login"))
	check("GET account signed out", b.get(prefix+"account"))
	check("GET mfa signed out", b.get(prefix+"mfa"))
	check("GET unknown page", b.get(prefix+"nope"))
	check("GET outside the prefix", b.get("/elsewhere"))
	r := b.get(strings.TrimSuffix(prefix, "/"))
	check("GET the prefix without its slash", r)
	wantRedirect(t, "GET the prefix without its slash", r, prefix)
	check("POST without a token", b.post(prefix+"login", nil))
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+prefix+"login", nil)
	check("DELETE login", b.do(req))
	css := b.get(prefix + "static/portal.css")
	check("GET portal.css", css)
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET portal.css = %d, %s", css.status, css.header.Get("Content-Type"))
	}
	check("wrong password", b.login("alice", "wrong", ""))
	check("sign in", b.login("alice", pw, ""))
	check("GET account", b.get(prefix+"account"))
	check("GET totp/new", b.get(prefix+"totp/new"))
	check("GET password", b.get(prefix+"password"))
	check("POST password with a wrong current password", b.changePassword("wrong", "velvet quokka 7 lighthouse", "velvet quokka 7 lighthouse"))
	enrolTOTP(t, e, b)
	b.logout()
	check("sign in with a second factor", b.login("alice", pw, ""))
	check("GET mfa", b.get(prefix+"mfa"))
}

func TestInsecureCookies(t *testing.T) {
	e := newEnv(t)
	cfg := e.p.cfg
	cfg.InsecureCookies = true
	p, err := New(cfg, e.p.d)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://localhost:8080"+prefix+"login", nil))
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "rampart-csrf" || cookies[0].Secure || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("pre-session cookie with InsecureCookies = %+v", cookies)
	}
	r := httptest.NewRequest(http.MethodPost, "http://localhost:8080"+prefix+"login", nil)
	r.Header.Set("Origin", "http://localhost:8080")
	if !p.sameOrigin(r) {
		t.Error("sameOrigin(plain-HTTP Origin) = false with InsecureCookies")
	}
	if e.p.sameOrigin(r) {
		t.Error("sameOrigin(plain-HTTP Origin) = true without InsecureCookies")
	}
}

func TestNewErrors(t *testing.T) {
	e := newEnv(t)
	good := e.p.cfg
	tests := []struct {
		name   string
		change func(*Config, *Deps)
		want   string
	}{
		{"short CSRF key", func(c *Config, _ *Deps) { c.CSRFKey = []byte("short") }, "CSRF key is 5 bytes"},
		{"prefix without a trailing slash", func(c *Config, _ *Deps) { c.Prefix = "/auth" }, `prefix "/auth"`},
		{"prefix with a query", func(c *Config, _ *Deps) { c.Prefix = "/a?b/" }, "prefix"},
		{"protocol-relative prefix", func(c *Config, _ *Deps) { c.Prefix = "//x/" }, "prefix"},
		{"issuer with a colon", func(c *Config, _ *Deps) { c.Issuer = "a:b" }, "issuer"},
		{"redirect host with a path", func(c *Config, _ *Deps) { c.AllowedRedirectHosts = []string{"a.example/x"} }, "allowed redirect host"},
		{"no users", func(_ *Config, d *Deps) { d.Users = nil }, "no Users"},
		{"no keys", func(_ *Config, d *Deps) { d.Keys = nil }, "no Keys"},
		{"no sessions", func(_ *Config, d *Deps) { d.Sessions = nil }, "no Sessions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, d := good, e.p.d
			tt.change(&cfg, &d)
			if _, err := New(cfg, d); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	cfg := good
	cfg.Prefix = "/auth/"
	p, err := New(cfg, e.p.d)
	if err != nil || p.Prefix() != "/auth/" {
		t.Errorf("New(prefix /auth/) = %v, %v", p, err)
	}
}
