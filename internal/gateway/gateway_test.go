package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/store"
)

// harness is a running gateway on loopback with its event subscription.
type harness struct {
	gw     *Gateway
	srv    *Server
	events *events.Subscription
	reg    *prometheus.Registry
	base   string
}

func mustConfig(tb testing.TB, yaml string) *config.Config {
	tb.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		tb.Fatalf("config.Parse: %v\n%s", err, yaml)
	}
	return cfg
}

func start(tb testing.TB, yaml string) *harness {
	tb.Helper()
	return startWith(tb, yaml, nil)
}

// startWith is start with a store for the gateway.
func startWith(tb testing.TB, yaml string, st store.Store) *harness {
	tb.Helper()
	cfg := mustConfig(tb, yaml)
	var log *slog.Logger
	if t, ok := tb.(*testing.T); ok {
		log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	} else {
		log = slog.New(slog.DiscardHandler)
	}
	bus := events.NewBus("test")
	sub := bus.Subscribe("test", 1000)
	reg := prometheus.NewRegistry()
	gw, err := New(cfg, Deps{Log: log, Bus: bus, Metrics: NewMetrics(reg, bus), Store: st})
	if err != nil {
		tb.Fatalf("gateway.New: %v", err)
	}
	srv, err := gw.Listen(AdminOptions{Gatherer: reg})
	if err != nil {
		tb.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Serve: %v", err)
		}
		gw.Close()
	})
	h := &harness{gw: gw, srv: srv, events: sub, reg: reg}
	if srv.HTTPAddr != nil {
		h.base = "http://" + srv.HTTPAddr.String()
	}
	return h
}

// waitEvent returns the first event of type typ published within 5 s.
func (h *harness) waitEvent(tb testing.TB, typ events.Type) events.Event {
	tb.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-h.events.C():
			if e.Type == typ {
				return e
			}
		case <-deadline:
			tb.Fatalf("no %s event within 5s", typ)
			return events.Event{}
		}
	}
}

// echoUpstream answers with the request headers it received, and counts
// requests.
func echoUpstream(tb testing.TB, hits *atomic.Int64) *httptest.Server {
	tb.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Server", "Apache/2.4.1 (Unix) PHP/5.6")
		w.Header().Set("X-Powered-By", "PHP/5.6")
		w.Header().Set("X-AspNet-Version", "4.0.30319")
		w.Header().Add("Set-Cookie", "sid=abc123; Path=/")
		w.Header().Set("X-Got-XFF", r.Header.Get("X-Forwarded-For"))
		w.Header().Set("X-Got-Real-IP", r.Header.Get("X-Real-Ip"))
		w.Header().Set("X-Got-Request-ID", r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Got-Host", r.Host)
		w.Header().Set("X-Got-User", r.Header.Get("X-Rampart-User"))
		w.Header().Set("X-Got-Token", r.Header.Get("X-Rampart-Identity"))
		w.Header().Set("X-Got-Cookie", r.Header.Get("Cookie"))
		w.Header().Set("X-Got-Path", r.URL.RequestURI())
		w.Header().Set("X-Got-Body-Len", fmt.Sprint(len(body)))
		w.Header().Set("X-Got-CL", fmt.Sprint(r.ContentLength))
		if r.URL.Path == "/boom" {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "Traceback (most recent call last): File \"/srv/app.py\"")
			return
		}
		if r.URL.Path == "/csp" {
			w.Header().Set("Content-Security-Policy", "default-src https://cdn.example")
		}
		_, _ = io.WriteString(w, "hello from upstream")
	}))
	tb.Cleanup(s.Close)
	return s
}

func baseYAML(upstream string, extra string) string {
	return fmt.Sprintf(`
listen:
  http: 127.0.0.1:0
  admin: 127.0.0.1:0
trusted_proxies: ["127.0.0.2/32"]
server:
  read_header_timeout: 300ms
  read_timeout: 2s
log:
  access_log: false
%s
routes:
  - name: app
    upstreams: [%q]
`, extra, upstream)
}

// fromTrustedProxy GETs url from 127.0.0.2, the trusted proxy of baseYAML.
func fromTrustedProxy(tb testing.TB, url string, hdr map[string]string) *http.Response {
	tb.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func get(tb testing.TB, url string, hdr map[string]string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestResponseHardening(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	resp := get(t, h.base+"/", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	for _, name := range []string{"Server", "X-Powered-By", "X-Aspnet-Version"} {
		if v := resp.Header.Get(name); v != "" {
			t.Errorf("banner %s = %q, want stripped", name, v)
		}
	}
	for _, name := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
		"Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy", "X-Request-Id"} {
		if resp.Header.Get(name) == "" {
			t.Errorf("%s missing", name)
		}
	}
	if v := resp.Header.Get("Strict-Transport-Security"); v != "" {
		t.Errorf("HSTS on plain HTTP: %q", v)
	}
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("Set-Cookie = %q, want HttpOnly and SameSite=Lax added", c)
	}
	// Upstream values are kept unless override is set.
	resp = get(t, h.base+"/csp", nil)
	if v := resp.Header.Get("Content-Security-Policy"); v != "default-src https://cdn.example" {
		t.Errorf("upstream CSP replaced: %q", v)
	}
}

func TestPerRouteHeaderOverride(t *testing.T) {
	up := echoUpstream(t, nil)
	yaml := fmt.Sprintf(`
listen: {http: 127.0.0.1:0, admin: ""}
log: {access_log: false}
routes:
  - name: strict
    path_prefix: /strict
    upstreams: [%q]
    headers:
      override: true
      content_security_policy: "default-src 'none'"
      frame_options: SAMEORIGIN
  - name: app
    upstreams: [%q]
`, up.URL, up.URL)
	h := start(t, yaml)
	resp := get(t, h.base+"/strict/csp", nil)
	if v := resp.Header.Get("Content-Security-Policy"); v != "default-src 'none'" {
		t.Errorf("strict route CSP = %q, want override", v)
	}
	if v := resp.Header.Get("X-Frame-Options"); v != "SAMEORIGIN" {
		t.Errorf("strict route XFO = %q", v)
	}
	resp = get(t, h.base+"/csp", nil)
	if v := resp.Header.Get("Content-Security-Policy"); v != "default-src https://cdn.example" {
		t.Errorf("default route CSP = %q, want upstream's", v)
	}
	if v := resp.Header.Get("X-Frame-Options"); v != "DENY" {
		t.Errorf("default route XFO = %q, want DENY", v)
	}
}

func TestMask5xx(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	req, _ := http.NewRequest("GET", h.base+"/boom", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("status = %d, want 500", resp.StatusCode)
	}
	if strings.Contains(string(body), "Traceback") {
		t.Errorf("stack trace leaked: %s", body)
	}
	if id := resp.Header.Get("X-Request-Id"); id == "" || !strings.Contains(string(body), id) {
		t.Errorf("page lacks request ID %q: %s", id, body)
	}
	if n := len(resp.Header.Values("X-Request-Id")); n != 1 {
		t.Errorf("%d X-Request-Id headers, want 1", n)
	}
	h.waitEvent(t, events.ResponseMasked)
}

func TestClientIP(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))

	// From an untrusted peer (127.0.0.1), a spoofed X-Forwarded-For is ignored.
	resp := get(t, h.base+"/", map[string]string{"X-Forwarded-For": "6.6.6.6", "X-Request-Id": "spoofed-id"})
	if got := resp.Header.Get("X-Got-Real-Ip"); got != "127.0.0.1" {
		t.Errorf("untrusted: upstream saw client %q, want 127.0.0.1", got)
	}
	if got := resp.Header.Get("X-Got-Xff"); got != "127.0.0.1" {
		t.Errorf("untrusted: upstream X-Forwarded-For %q, want 127.0.0.1", got)
	}
	if got := resp.Header.Get("X-Request-Id"); got == "spoofed-id" || got == "" {
		t.Errorf("untrusted: request ID %q accepted from untrusted peer", got)
	}
	if got, want := resp.Header.Get("X-Got-Request-Id"), resp.Header.Get("X-Request-Id"); got != want {
		t.Errorf("upstream got request ID %q, client got %q", got, want)
	}

	// From a trusted proxy (127.0.0.2), the header is believed.
	resp = fromTrustedProxy(t, h.base+"/", map[string]string{"X-Forwarded-For": "6.6.6.6, 198.51.100.7", "X-Request-Id": "edge-123"})
	if got := resp.Header.Get("X-Got-Real-Ip"); got != "198.51.100.7" {
		t.Errorf("trusted: upstream saw client %q, want 198.51.100.7", got)
	}
	if got := resp.Header.Get("X-Got-Xff"); got != "6.6.6.6, 198.51.100.7, 127.0.0.2" {
		t.Errorf("trusted: upstream X-Forwarded-For %q", got)
	}
	if got := resp.Header.Get("X-Request-Id"); got != "edge-123" {
		t.Errorf("trusted: request ID %q, want edge-123 kept", got)
	}
}

func TestLimits(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, `
limits:
  max_url_bytes: 300
  max_header_bytes: 2048
  max_header_count: 20
  max_body_bytes: 1000
`))
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"url too long", func() *http.Request {
			r, _ := http.NewRequest("GET", h.base+"/?q="+strings.Repeat("a", 400), nil)
			return r
		}, 414},
		{"header too large", func() *http.Request {
			r, _ := http.NewRequest("GET", h.base+"/", nil)
			r.Header.Set("X-Big", strings.Repeat("b", 3000))
			return r
		}, 431},
		{"too many headers", func() *http.Request {
			r, _ := http.NewRequest("GET", h.base+"/", nil)
			for i := 0; i < 30; i++ {
				r.Header.Set(fmt.Sprintf("X-H%d", i), "v")
			}
			return r
		}, 431},
		{"body too large", func() *http.Request {
			r, _ := http.NewRequest("POST", h.base+"/", strings.NewReader(strings.Repeat("c", 2000)))
			return r
		}, 413},
		{"chunked body too large", func() *http.Request {
			r, _ := http.NewRequest("POST", h.base+"/", io.MultiReader(strings.NewReader(strings.Repeat("c", 2000))))
			r.ContentLength = -1
			return r
		}, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if hits.Load() != before {
				t.Error("upstream was contacted")
			}
		})
	}
	// A chunked body within the limit reaches the upstream length-framed.
	r, _ := http.NewRequest("POST", h.base+"/", io.MultiReader(strings.NewReader(strings.Repeat("c", 500))))
	r.ContentLength = -1
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Got-Body-Len") != "500" || resp.Header.Get("X-Got-Cl") != "500" {
		t.Errorf("chunked within limit: status %d, upstream body %s, CL %s", resp.StatusCode,
			resp.Header.Get("X-Got-Body-Len"), resp.Header.Get("X-Got-Cl"))
	}
}

// rawRequest sends raw bytes and returns the status line of the first
// response ("" if the connection closed without one).
func rawRequest(tb testing.TB, addr, raw string) string {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		tb.Fatal(err)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

func TestSmuggling(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, ""))
	addr := h.srv.HTTPAddr.String()
	tests := []struct{ name, raw string }{
		{"CL.TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"},
		{"TE.CL", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n"},
		{"duplicate CL same", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"},
		{"duplicate CL different", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"},
		{"TE obfuscated", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"},
		{"TE list", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
		{"invalid chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"},
		{"chunk missing CRLF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX0\r\n\r\n"},
		{"NUL in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"},
		{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"},
		{"CL with sign", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			got := rawRequest(t, addr, tt.raw)
			if !strings.HasPrefix(got, "HTTP/1.1 400") && !strings.HasPrefix(got, "HTTP/1.1 501") {
				t.Errorf("status line = %q, want 400", got)
			}
			time.Sleep(20 * time.Millisecond) // let a wrongly forwarded request land
			if n := hits.Load() - before; n != 0 {
				t.Errorf("upstream contacted %d times", n)
			}
		})
	}
	// And a clean pipelined pair still works.
	got := rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Errorf("clean request: %q", got)
	}
}

func TestSlowClientCut(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, "")) // read_header_timeout: 300ms
	c, err := net.Dial("tcp", h.srv.HTTPAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A slowloris client: headers that never end.
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-A: "); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(c)
	if err != nil {
		t.Fatalf("connection not closed by the gateway: %v", err)
	}
	if d := time.Since(started); d > 3*time.Second {
		t.Errorf("cut after %v, want about the 300ms header timeout", d)
	}
}

func TestUpstreamDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	h := start(t, baseYAML(dead, ""))
	req, _ := http.NewRequest("GET", h.base+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Errorf("status = %d, want 502", resp.StatusCode)
	}
	id := resp.Header.Get("X-Request-Id")
	if id == "" || !strings.Contains(string(body), id) {
		t.Errorf("502 page lacks request ID: %s", body)
	}
	if strings.Contains(string(body), "127.0.0.1") || strings.Contains(string(body), "refused") {
		t.Errorf("502 page leaks internal detail: %s", body)
	}
	e := h.waitEvent(t, events.UpstreamError)
	if e.RequestID != id || e.Route != "app" {
		t.Errorf("event = %+v, want request ID %s and route app", e, id)
	}
}

func TestHealthChecksEjectAndReadmit(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	var hitsA, hitsB atomic.Int64
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			if !healthy.Load() {
				w.WriteHeader(503)
			}
			return
		}
		hitsA.Add(1)
	}))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			hitsB.Add(1)
		}
	}))
	defer b.Close()
	yaml := fmt.Sprintf(`
listen: {http: 127.0.0.1:0, admin: ""}
log: {access_log: false}
routes:
  - name: app
    upstreams: [%q, %q]
    upstream:
      health_check: {path: /health, interval: 1h, unhealthy_after: 2, healthy_after: 2}
`, a.URL, b.URL)
	h := start(t, yaml)
	p := h.gw.state.Load().pools[0]
	ctx := context.Background()
	hitBoth := func() {
		hitsA.Store(0)
		hitsB.Store(0)
		for i := 0; i < 10; i++ {
			get(t, h.base+"/", nil)
		}
	}
	hitBoth()
	if hitsA.Load() == 0 || hitsB.Load() == 0 {
		t.Fatalf("round robin: a=%d b=%d", hitsA.Load(), hitsB.Load())
	}
	healthy.Store(false)
	p.checkOnce(ctx)
	p.checkOnce(ctx)
	h.waitEvent(t, events.UpstreamUnhealthy)
	hitBoth()
	if hitsA.Load() != 0 || hitsB.Load() != 10 {
		t.Errorf("after ejection: a=%d b=%d, want 0 and 10", hitsA.Load(), hitsB.Load())
	}
	healthy.Store(true)
	p.checkOnce(ctx)
	p.checkOnce(ctx)
	h.waitEvent(t, events.UpstreamHealthy)
	hitBoth()
	if hitsA.Load() == 0 {
		t.Error("upstream a not readmitted")
	}
}

func TestPassiveEjection(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	var hits atomic.Int64
	good := echoUpstream(t, &hits)
	yaml := fmt.Sprintf(`
listen: {http: 127.0.0.1:0, admin: ""}
log: {access_log: false}
routes:
  - name: app
    upstreams: [%q, %q]
    upstream:
      passive: {max_fails: 2, eject_for: 1h}
`, dead, good.URL)
	h := start(t, yaml)
	fails := 0
	for i := 0; i < 6; i++ {
		if get(t, h.base+"/", nil).StatusCode == 502 {
			fails++
		}
	}
	if fails != 2 {
		t.Errorf("%d requests failed, want 2 before the dead upstream was ejected", fails)
	}
	h.waitEvent(t, events.UpstreamUnhealthy)
}

func TestRouting(t *testing.T) {
	mk := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Backend", name)
			w.Header().Set("X-Path", r.URL.Path)
		}))
		t.Cleanup(s.Close)
		return s
	}
	api, www, wild, def := mk("api"), mk("www"), mk("wild"), mk("default")
	yaml := fmt.Sprintf(`
listen: {http: 127.0.0.1:0, admin: ""}
log: {access_log: false}
waf: {mode: off} # routing of ../ paths is tested here; the WAF refuses them (waf_test.go)
routes:
  - {name: api, hosts: [shop.test], path_prefix: /api, strip_prefix: true, upstreams: [%q]}
  - {name: www, hosts: [shop.test], upstreams: [%q]}
  - {name: wild, hosts: ["*.example.test"], upstreams: [%q]}
  - {name: default, upstreams: [%q]}
`, api.URL, www.URL, wild.URL, def.URL)
	h := start(t, yaml)
	tests := []struct{ host, path, backend, upstreamPath string }{
		{"shop.test", "/api/items", "api", "/items"},
		{"SHOP.test:8080", "/api", "api", "/"},
		{"shop.test", "/apix", "www", "/apix"},
		{"shop.test", "/", "www", "/"},
		{"shop.test", "/public/../api/x", "api", ""},
		{"a.example.test", "/", "wild", "/"},
		{"example.test", "/", "default", "/"},
		{"other.test", "/api/items", "default", "/api/items"},
	}
	for _, tt := range tests {
		t.Run(tt.host+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", h.base+"/", nil)
			req.Host = tt.host
			req.URL.Opaque = tt.path
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("X-Backend"); got != tt.backend {
				t.Errorf("backend = %q, want %q", got, tt.backend)
			}
			if tt.upstreamPath != "" && resp.Header.Get("X-Path") != tt.upstreamPath {
				t.Errorf("upstream path = %q, want %q", resp.Header.Get("X-Path"), tt.upstreamPath)
			}
		})
	}
}

func TestNoRoute404(t *testing.T) {
	up := echoUpstream(t, nil)
	yaml := fmt.Sprintf(`
listen: {http: 127.0.0.1:0, admin: ""}
log: {access_log: false}
routes:
  - {name: only, hosts: [a.test], upstreams: [%q]}
`, up.URL)
	h := start(t, yaml)
	resp := get(t, h.base+"/", nil)
	if resp.StatusCode != 404 || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("status = %d, request ID %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
}

func TestReloadSwapsWithoutFailures(t *testing.T) {
	mk := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(2 * time.Millisecond) // keep requests in flight during swaps
			w.Header().Set("X-Backend", name)
		}))
		t.Cleanup(s.Close)
		return s
	}
	a, b := mk("a"), mk("b")
	yamlFor := func(u string) string {
		return fmt.Sprintf("listen: {http: 127.0.0.1:0, admin: \"\"}\nlog: {access_log: false}\nroutes:\n  - {name: app, upstreams: [%q]}\n", u)
	}
	h := start(t, yamlFor(a.URL))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var ok, failed atomic.Int64
	seen := map[string]*atomic.Int64{"a": {}, "b": {}}
	done := make(chan struct{})
	for w := 0; w < 8; w++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				resp, err := http.Get(h.base + "/")
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				seen[resp.Header.Get("X-Backend")].Add(1)
			}
		}()
	}
	cfgs := []*config.Config{mustConfig(t, yamlFor(b.URL)), mustConfig(t, yamlFor(a.URL))}
	swaps := 0
	for ctx.Err() == nil {
		if err := h.gw.Apply(cfgs[swaps%2]); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		swaps++
		time.Sleep(50 * time.Millisecond)
	}
	for w := 0; w < 8; w++ {
		<-done
	}
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during %d reloads", failed.Load(), ok.Load()+failed.Load(), swaps)
	}
	if seen["a"].Load() == 0 || seen["b"].Load() == 0 {
		t.Errorf("both configs should have served: a=%d b=%d", seen["a"].Load(), seen["b"].Load())
	}
	t.Logf("%d requests, %d reloads, 0 failures", ok.Load(), swaps)
}

func TestApplyBadConfigKeepsOld(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	bad := mustConfig(t, baseYAML(up.URL, ""))
	bad.Routes[0].Upstream.CAFile = "/nonexistent/ca.pem"
	if err := h.gw.Apply(bad); err == nil {
		t.Fatal("Apply with unreadable CA file succeeded")
	}
	if resp := get(t, h.base+"/", nil); resp.StatusCode != 200 {
		t.Errorf("after failed Apply: status %d", resp.StatusCode)
	}
}

func TestAdminEndpoints(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	get(t, h.base+"/", nil)
	admin := "http://" + h.srv.AdminAddr.String()
	for _, p := range []string{"/healthz", "/readyz"} {
		if resp := get(t, admin+p, nil); resp.StatusCode != 200 {
			t.Errorf("%s = %d", p, resp.StatusCode)
		}
	}
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`rampart_requests_total{code="200",route="app"} 1`, "rampart_request_duration_seconds_bucket", "rampart_upstream_healthy"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The proxy listener does not serve admin paths.
	if resp := get(t, h.base+"/metrics", nil); resp.Header.Get("X-Got-Path") != "/metrics" {
		t.Error("/metrics on the proxy listener was not proxied to the app")
	}
}

func TestPanicRecovered(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	st := h.gw.state.Load()
	st.table.routes[0].handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	resp := get(t, h.base+"/", nil)
	if resp.StatusCode != 500 {
		t.Errorf("status = %d, want 500", resp.StatusCode)
	}
	_ = tls.VersionTLS12
}

// TestSmugglingAfterOptionsStar checks that "OPTIONS *" (which net/http
// could answer without the handler) does not put the wire facts out of step
// for the request that follows it on the connection.
func TestSmugglingAfterOptionsStar(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, ""))
	c, err := net.Dial("tcp", h.srv.HTTPAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"+
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG")
	all, _ := io.ReadAll(c)
	if !strings.Contains(string(all), "HTTP/1.1 400") {
		t.Errorf("CL.TE after OPTIONS * not refused; responses:\n%s", all)
	}
	time.Sleep(20 * time.Millisecond)
	// At most the OPTIONS request itself may have been proxied.
	if n := hits.Load(); n > 1 {
		t.Errorf("smuggled request reached the upstream: %d hits", n)
	}
}

// TestChunkedBareLF: net/http tolerates a bare LF after a chunk size; the
// wire checker does not, and the body is refused after buffering.
func TestChunkedBareLF(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, ""))
	got := rawRequest(t, h.srv.HTTPAddr.String(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 400") {
		t.Errorf("status line = %q, want 400", got)
	}
	time.Sleep(20 * time.Millisecond)
	if hits.Load() != 0 {
		t.Error("upstream contacted")
	}
}

// TestUpgradePassthrough: a protocol upgrade (as WebSocket uses) goes
// through the gateway and both directions flow afterwards.
func TestUpgradePassthrough(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			http.Error(w, "want upgrade", 400)
			return
		}
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		_ = brw.Flush()
		line, _ := brw.ReadString('\n')
		_, _ = brw.WriteString("echo: " + line)
		_ = brw.Flush()
	}))
	defer up.Close()
	h := start(t, baseYAML(up.URL, ""))
	c, err := net.Dial("tcp", h.srv.HTTPAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 {
		t.Fatalf("status = %d, want 101", resp.StatusCode)
	}
	_, _ = io.WriteString(c, "hello\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "echo: hello\n" {
		t.Errorf("after upgrade read %q, %v", line, err)
	}
}

// Regression tests from the security review.

func TestForwardedIgnoredByDefault(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	resp := fromTrustedProxy(t, h.base+"/", map[string]string{"Forwarded": "for=6.6.6.6", "X-Forwarded-For": "198.51.100.7"})
	if got := resp.Header.Get("X-Got-Real-Ip"); got != "198.51.100.7" {
		t.Errorf("client IP = %q, want 198.51.100.7 from X-Forwarded-For", got)
	}
}

func TestUnderscoreHeadersDropped(t *testing.T) {
	var got http.Header
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer up.Close()
	h := start(t, baseYAML(up.URL, "request_id: {header: X-Correlation-Id}\n"))
	c, err := net.Dial("tcp", h.srv.HTTPAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX_Real_IP: 1.1.1.1\r\nX_Forwarded_For: 1.1.1.1\r\nX-Request-Id: attacker\r\nX-Ok: yes\r\nConnection: close\r\n\r\n")
	_, _ = io.ReadAll(c)
	if got == nil {
		t.Fatal("upstream not reached")
	}
	for k := range got {
		if strings.Contains(k, "_") {
			t.Errorf("underscore header %s reached the upstream", k)
		}
	}
	if got.Get("X-Ok") != "yes" {
		t.Error("ordinary header dropped")
	}
	if v := got.Get("X-Request-Id"); v == "attacker" {
		t.Error("client-chosen X-Request-Id reached the upstream under a custom ID header")
	}
	if got.Get("X-Correlation-Id") == "" {
		t.Error("no request ID in the custom header")
	}
}

func TestHeaderLimitAfterRaisingReload(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, "limits: {max_header_count: 20}\n"))
	raised := mustConfig(t, baseYAML(up.URL, "limits: {max_header_count: 200}\n"))
	if err := h.gw.Apply(raised); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", h.base+"/", nil)
	for i := 0; i < 60; i++ {
		req.Header.Set(fmt.Sprintf("X-H%d", i), "v")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 431 || hits.Load() != 0 {
		t.Errorf("status %d, upstream hits %d; want 431 and none (the listener counts only to its start limit)", resp.StatusCode, hits.Load())
	}
}
