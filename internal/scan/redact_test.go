package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor(Config{
		Header:  http.Header{"X-Custom-Auth": {"hdr-secret-value"}, "Accept": {"text/html"}},
		Cookies: []*http.Cookie{{Name: "sid", Value: "cookie-secret-value"}},
		Login:   &Login{Password: "login pass/word"},
		Secrets: []string{"extra-secret", "ab"},
	})
	tests := []struct{ name, in, want string }{
		{"configured header value", "got hdr-secret-value back", "got [redacted] back"},
		{"harmless header value kept", "Accept: text/html", "Accept: text/html"},
		{"cookie value", "echo cookie-secret-value", "echo [redacted]"},
		{"password", "pw=login pass/word", "pw=[redacted]"},
		{"password url-encoded", "p=login+pass%2Fword&x=1", "p=[redacted]&x=1"},
		{"short secrets ignored", "ab cd", "ab cd"},
		{"authorization header", "Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"},
		{"basic auth", "authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", "authorization: Basic [redacted]"},
		{"api key header", "X-Api-Key: 12345", "X-Api-Key: [redacted]"},
		{"cookie header", "Cookie: a=1; theme=dark", "Cookie: a=[redacted]; theme=[redacted]"},
		{"set-cookie keeps attributes", "Set-Cookie: sid=xyz; Path=/; HttpOnly", "Set-Cookie: sid=[redacted]; Path=/; HttpOnly"},
		{"query token", "GET /a?token=abc123&page=2", "GET /a?token=[redacted]&page=2"},
		{"query names", "?user_password=x&PHPSESSID=y&api_key=z&authToken=w&author=bob", "?user_password=[redacted]&PHPSESSID=[redacted]&api_key=[redacted]&authToken=[redacted]&author=bob"},
		{"path parameter", "/cart;jsessionid=0AB12CD", "/cart;jsessionid=[redacted]"},
		{"json field", `{"password": "hunter2", "name": "bob"}`, `{"password": "[redacted]", "name": "bob"}`},
		{"js field", `secretAccessKey: 'wJalrXUtnFEMI/K7MDENG'`, `secretAccessKey: '[redacted]'`},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x", "token [redacted]"},
		{"bearer in text", "use bearer abcdefghijklmnop123", "use bearer [redacted]"},
		{"userinfo", "https://bob:hunter2@example.com/", "https://bob:[redacted]@example.com/"},
		{"aws key masked", "AKIA2E0A8F3B244C9986", "AKIA************9986"},
		{"private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----\n[redacted]\n-----END RSA PRIVATE KEY-----"},
		{"plain text kept", "max-age=31536000; includeSubDomains", "max-age=31536000; includeSubDomains"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactorZeroAndAdd(t *testing.T) {
	var nilR *Redactor
	if got := nilR.String("token=abc"); got != "token=[redacted]" {
		t.Errorf("nil Redactor: %q", got)
	}
	var r Redactor
	r.Add("runtime-secret")
	if got := r.String("x runtime-secret y"); got != "x [redacted] y" {
		t.Errorf("after Add: %q", got)
	}
}

func TestSensitiveName(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "passwd": true, "pwd": true, "token": true, "csrf_token": true, "X-Auth-Token": true,
		"sessionid": true, "PHPSESSID": true, "JSESSIONID": true, "sid": true, "connect.sid": true, "apiKey": true,
		"api_key": true, "access_token": true, "auth": true, "client_secret": true,
		"q": false, "page": false, "author": false, "bypass": false, "inside": false, "consider": false, "id": false,
	} {
		if got := sensitiveName(name); got != want {
			t.Errorf("sensitiveName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedactHandler(t *testing.T) {
	var buf bytes.Buffer
	r := NewRedactor(Config{Secrets: []string{"s3cr3t-value"}})
	log := slog.New(r.Handler(slog.NewTextHandler(&buf, nil))).With("pre", "s3cr3t-value")
	log.Info("got s3cr3t-value", "url", "/x?token=abc", "err", errors.New("auth failed for s3cr3t-value"),
		slog.Group("g", "v", "s3cr3t-value"), "n", 3, "any", []string{"s3cr3t-value"})
	out := buf.String()
	if strings.Contains(out, "s3cr3t-value") || strings.Contains(out, "token=abc") {
		t.Errorf("log output has a secret: %s", out)
	}
	if !strings.Contains(out, "n=3") {
		t.Errorf("log output lost an attribute: %s", out)
	}
}

// TestRedactionEverywhere scans a site that echoes every secret it was
// given or hands out (configured header and cookie, the login password,
// a session cookie, tokens in URLs, a JWT, an AWS key) next to flaws the
// checks report with evidence; no secret may appear in the Report's JSON
// or in the log.
func TestRedactionEverywhere(t *testing.T) {
	const (
		hdrToken   = "hdr-T0ken-9f8e7d6c5b4a"
		cookieVal  = "c00kieV4lue-1234567890"
		password   = "L0gin-P4ssw0rd-xyz"
		sessionVal = "srv-session-aabbccddeeff0011"
		urlToken   = "url-t0ken-5544332211"
		jwt        = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl"
		extra      = "extra-s3cret-from-config"
	)
	var mu sync.Mutex
	mux := http.NewServeMux()
	echo := func(w http.ResponseWriter, r *http.Request) string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("<pre>Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in h\nAuthorization: %s\nCookie: %s\nsession %s jwt %s extra %s pw %s</pre>",
			r.Header.Get("Authorization"), r.Header.Get("Cookie"), sessionVal, jwt, extra, password)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Add("Set-Cookie", "SESSIONID="+sessionVal+"; Path=/")
		w.Header().Set("X-Debug-Token", hdrToken)
		fmt.Fprint(w, htmlPage(`<a href="/account?token=`+urlToken+`">acct</a><a href="/cb?access_token=`+urlToken+`#x">cb</a>`+echo(w, r)+
			` AKIA2E0A8F3B244C9986 <!-- 10.1.2.3 -->`))
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
			if r.PostForm.Get("password") != password {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "auth", Value: "auth-" + sessionVal, Path: "/"})
			fmt.Fprint(w, htmlPage("Welcome back. "+echo(w, r)))
			return
		}
		fmt.Fprint(w, htmlPage(`<form method="post"><input name="username"><input type="password" name="password"></form>`))
	})
	mux.HandleFunc("/account", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<b>Fatal error</b>: query failed for token="+r.URL.Query().Get("token")+" in <b>/var/www/a.php</b> on line <b>9</b> "+echo(w, r))
	})
	target := serve(t, mux)
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	cfg := fastConfig(target)
	cfg.Header = http.Header{"Authorization": {"Bearer " + hdrToken}}
	cfg.Cookies = []*http.Cookie{{Name: "pref", Value: cookieVal}}
	cfg.Login = &Login{URL: "/login", Username: "alice", Password: password, Check: "Welcome"}
	cfg.Secrets = []string{extra}
	s, err := New(cfg, slog.New(slog.NewJSONHandler(lockedWriter{&logMu, &logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	js := reportJSON(t, rep)
	if len(rep.Findings) < 5 {
		t.Fatalf("only %d findings: %s", len(rep.Findings), js)
	}
	if !strings.Contains(js, "info.stack-trace") || !strings.Contains(js, "[redacted]") {
		t.Fatalf("the fixture did not produce evidence with secrets in it: %s", js)
	}
	logMu.Lock()
	logs := logBuf.String()
	logMu.Unlock()
	for _, secret := range []string{hdrToken, cookieVal, password, sessionVal, urlToken, jwt, extra, "AKIA2E0A8F3B244C9986"} {
		if strings.Contains(js, secret) {
			t.Errorf("the report contains %q", secret)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
		if strings.Contains(s.Redactor().String(js), secret) {
			t.Errorf("Redactor().String leaves %q", secret)
		}
	}
	if t.Failed() {
		t.Logf("report: %s", js)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
