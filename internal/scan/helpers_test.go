package scan

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testLog logs through the test's output.
func testLog(tb testing.TB) *slog.Logger {
	tb.Helper()
	return slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fastConfig is a Config for a local fixture: no rate limit to speak of,
// small bounds.
func fastConfig(target string) Config {
	return Config{Target: target, Rate: 10000, Concurrency: 4, MaxPages: 100, MaxTime: 30 * time.Second, Timeout: 5 * time.Second}
}

// runScan scans cfg and fails the test on an error.
func runScan(tb testing.TB, cfg Config) *Report {
	tb.Helper()
	s, err := New(cfg, testLog(tb))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	rep, err := s.Run(context.Background())
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return rep
}

// serve starts h on a loopback server and returns its URL.
func serve(tb testing.TB, h http.Handler) string {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// serveTLS starts h on a loopback TLS server reachable as
// https://example.com:PORT (the test certificate's name) and returns that
// URL and a client that trusts the server and dials it for example.com.
func serveTLS(tb testing.TB, h http.Handler) (string, *http.Client) {
	tb.Helper()
	srv := httptest.NewTLSServer(h)
	tb.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return "https://example.com:" + port + "/", &http.Client{Transport: tr}
}

// find returns the findings of check.
func find(rep *Report, check string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

func checks(rep *Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Check+" "+f.Parameter)
	}
	return out
}

// hits counts the requests a handler saw, by path.
type hits struct {
	mu sync.Mutex
	m  map[string]int
	n  int
}

func (h *hits) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		if h.m == nil {
			h.m = map[string]int{}
		}
		h.m[r.URL.Path]++
		h.n++
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (h *hits) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[path]
}

func (h *hits) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// site serves a map of path to page; other paths are 404.
type site map[string]fixturePage

type fixturePage struct {
	status int
	header map[string]string
	cookie []string // Set-Cookie lines
	body   string
	ctype  string
}

func (s site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := s[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := p.ctype
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	for k, v := range p.header {
		w.Header().Set(k, v)
	}
	for _, c := range p.cookie {
		w.Header().Add("Set-Cookie", c)
	}
	st := p.status
	if st == 0 {
		st = http.StatusOK
	}
	w.WriteHeader(st)
	_, _ = w.Write([]byte(p.body))
}

// hardened are headers that pass every header check.
func hardened() map[string]string {
	return map[string]string{
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
		"Content-Security-Policy":   "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
		"X-Frame-Options":           "DENY",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
	}
}

// with returns hardened headers changed by kv pairs ("" deletes).
func with(kv ...string) map[string]string {
	h := hardened()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(h, kv[i])
		} else {
			h[kv[i]] = kv[i+1]
		}
	}
	return h
}

func reportJSON(tb testing.TB, rep *Report) string {
	tb.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func htmlPage(body string) string {
	return "<!doctype html><html><head><title>t</title></head><body>" + body + "</body></html>"
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// testDB opens an in-memory SQLite database of its own for the test (the
// flawed fixtures query it for real) and runs setup in it.
func testDB(tb testing.TB, setup string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+strings.ReplaceAll(tb.Name(), "/", "_")+"?mode=memory&cache=shared")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(setup); err != nil {
		tb.Fatal(err)
	}
	return db
}
