package demo

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func newTestApp(tb testing.TB) *App {
	tb.Helper()
	a, err := NewApp(slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		tb.Fatalf("NewApp: %v", err)
	}
	return a
}

// serve sends one request to a and returns the recorded answer.
func serve(tb testing.TB, a *App, method, target string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(method, target, body)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	return w
}

func TestPagesAnswer(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		name, target string
		status       int
		contentType  string
		want         string
	}{
		{"home", "/", 200, "text/html", "Keep Backpack"},
		{"search form", "/search", 200, "text/html", `name="q"`},
		{"search", "/search?q=mug", 200, "text/html", "Rampart Mug"},
		{"login form", "/login", 200, "text/html", `name="password"`},
		{"account without session", "/account", 303, "", ""},
		{"health", "/api/health", 200, "application/json", `{"status":"ok"}`},
		{"products", "/api/products", 200, "application/json", `"Rampart Mug"`},
		{"product", "/api/products/1", 200, "application/json", `"Rampart Mug"`},
		{"unknown path", "/admin", 404, "text/plain", ""},
		{"wrong method", "/api/products", 405, "text/plain", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := "GET"
			if tt.status == 405 {
				method = "DELETE"
			}
			w := serve(t, a, method, tt.target, nil, nil)
			if w.Code != tt.status {
				t.Fatalf("%s %s: status %d, want %d; body:\n%s", method, tt.target, w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, tt.contentType) {
				t.Errorf("%s %s: Content-Type %q, want %s", method, tt.target, got, tt.contentType)
			}
			if !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%s %s: body lacks %q:\n%s", method, tt.target, tt.want, w.Body)
			}
			// Banners on every answer, errors included, and no security headers.
			if got := w.Header().Get("Server"); got != "DemoShop/0.1 (Python/3.8)" {
				t.Errorf("%s %s: Server %q, want the banner", method, tt.target, got)
			}
			if got := w.Header().Get("X-Powered-By"); got != "Express" {
				t.Errorf("%s %s: X-Powered-By %q, want Express", method, tt.target, got)
			}
			for _, h := range []string{"Content-Security-Policy", "Strict-Transport-Security",
				"X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
				if v := w.Header().Get(h); v != "" {
					t.Errorf("%s %s: has security header %s: %q", method, tt.target, h, v)
				}
			}
		})
	}
}

func TestSearchReflectsUnescaped(t *testing.T) {
	a := newTestApp(t)
	payload := `<script>alert(1)</script>`
	w := serve(t, a, "GET", "/search?q="+url.QueryEscape(payload), nil, nil)
	if w.Code != 200 {
		t.Fatalf("GET /search?q=%s: status %d, want 200", payload, w.Code)
	}
	body := w.Body.String()
	if !strings.Contains(body, "You searched for: "+payload) {
		t.Errorf("GET /search?q=%s: payload not reflected raw:\n%s", payload, body)
	}
	// Only the deliberate reflection is raw; the form value and the debug
	// line are escaped.
	if n := strings.Count(body, payload); n != 1 {
		t.Errorf("GET /search?q=%s: payload appears raw %d times, want 1", payload, n)
	}
	if !strings.Contains(body, "debug: SELECT * FROM products WHERE name LIKE &#39;%&lt;script&gt;") {
		t.Errorf("GET /search?q=%s: no debug SQL line:\n%s", payload, body)
	}
}

func TestSearchResults(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		name, q string
		want    []string
		notWant []string
	}{
		{"one", "mug", []string{"Rampart Mug"}, []string{"Castle Hoodie"}},
		{"case insensitive", "CASTLE", []string{"Castle Hoodie"}, []string{"Rampart Mug"}},
		{"several", "o", []string{"Castle Hoodie", "Drawbridge Notebook"}, []string{"Rampart Mug"}},
		{"none", "zeppelin", []string{"No products found."}, []string{"Rampart Mug"}},
		{"double quote is fine", `"mug"`, []string{"No products found."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, a, "GET", "/search?q="+url.QueryEscape(tt.q), nil, nil)
			if w.Code != 200 {
				t.Fatalf("GET /search?q=%s: status %d, want 200", tt.q, w.Code)
			}
			body := w.Body.String()
			_, results, _ := strings.Cut(body, "debug:")
			for _, s := range tt.want {
				if !strings.Contains(results, s) {
					t.Errorf("GET /search?q=%s: results lack %q", tt.q, s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(results, s) {
					t.Errorf("GET /search?q=%s: results have %q", tt.q, s)
				}
			}
		})
	}
}

func TestSearchQuoteFakeTraceback(t *testing.T) {
	a := newTestApp(t)
	for _, q := range []string{"O'Brien", "' OR 1=1--", "'"} {
		t.Run(q, func(t *testing.T) {
			w := serve(t, a, "GET", "/search?q="+url.QueryEscape(q), nil, nil)
			if w.Code != 500 {
				t.Fatalf("GET /search?q=%s: status %d, want 500", q, w.Code)
			}
			body := w.Body.String()
			for _, want := range []string{
				"Traceback (most recent call last):",
				`sqlite3.OperationalError: near "'": syntax error`,
				`File "/srv/demoshop/app/views/search.py", line 27, in search`,
				"SELECT * FROM products WHERE name LIKE '%" + q + "%'",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("GET /search?q=%s: body lacks %q:\n%s", q, want, body)
				}
			}
			if got := w.Header().Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("GET /search?q=%s: Content-Type %q, want text/plain", q, got)
			}
			if got := w.Header().Get("Server"); got == "" {
				t.Errorf("GET /search?q=%s: no Server banner on the 500", q)
			}
		})
	}
}

func login(tb testing.TB, a *App, user, pass string) *httptest.ResponseRecorder {
	tb.Helper()
	form := url.Values{"username": {user}, "password": {pass}}
	return serve(tb, a, "POST", "/login", strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

func TestLoginSuccess(t *testing.T) {
	a := newTestApp(t)
	w := login(t, a, Username, Password)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account" {
		t.Fatalf("POST /login: status %d, Location %q; want 303 to /account", w.Code, w.Header().Get("Location"))
	}
	setCookie := w.Header().Get("Set-Cookie")
	if !strings.HasPrefix(setCookie, "demo_session=") {
		t.Fatalf("POST /login: Set-Cookie %q, want demo_session", setCookie)
	}
	for _, flag := range []string{"Secure", "HttpOnly", "SameSite"} {
		if strings.Contains(strings.ToLower(setCookie), strings.ToLower(flag)) {
			t.Errorf("POST /login: Set-Cookie %q has %s; the demo wants it plain", setCookie, flag)
		}
	}
	cookie := w.Result().Cookies()[0]
	if len(cookie.Value) < 20 {
		t.Errorf("POST /login: session token %q is too short to be random", cookie.Value)
	}

	session := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	w = serve(t, a, "GET", "/account", nil, session)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Signed in as <strong>alice</strong>") {
		t.Fatalf("GET /account with session: status %d, body:\n%s", w.Code, w.Body)
	}

	w = serve(t, a, "POST", "/logout", nil, session)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
		t.Fatalf("POST /logout: status %d, Location %q; want 303 to /", w.Code, w.Header().Get("Location"))
	}
	w = serve(t, a, "GET", "/account", nil, session)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("GET /account after logout: status %d, Location %q; want 303 to /login", w.Code, w.Header().Get("Location"))
	}
}

func TestLoginWrongPassword(t *testing.T) {
	a := newTestApp(t)
	tests := []struct{ name, user, pass, want string }{
		{"wrong password", "alice", "hunter2", "Wrong password for user alice."},
		{"unknown user", "mallory", Password, "Wrong password for user mallory."},
		{"username escaped", "<b>eve</b>", "x", "Wrong password for user &lt;b&gt;eve&lt;/b&gt;."},
		{"empty", "", "", "Wrong password for user ."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := login(t, a, tt.user, tt.pass)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("POST /login %s: status %d, want 401", tt.user, w.Code)
			}
			if !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("POST /login %s: body lacks %q:\n%s", tt.user, tt.want, w.Body)
			}
			if c := w.Header().Get("Set-Cookie"); c != "" {
				t.Errorf("POST /login %s: Set-Cookie %q, want none", tt.user, c)
			}
		})
	}
}

func TestAccountBadSession(t *testing.T) {
	a := newTestApp(t)
	w := serve(t, a, "GET", "/account", nil, http.Header{"Cookie": {"demo_session=forged"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("GET /account with forged session: status %d, Location %q; want 303 to /login", w.Code, w.Header().Get("Location"))
	}
}

func TestSessionsBounded(t *testing.T) {
	a := newTestApp(t)
	for range maxSessions + 5 {
		if w := login(t, a, Username, Password); w.Code != http.StatusSeeOther {
			t.Fatalf("POST /login: status %d, want 303", w.Code)
		}
	}
	if n := len(a.sessions); n != maxSessions {
		t.Errorf("after %d logins: %d sessions, want %d", maxSessions+5, n, maxSessions)
	}
}
