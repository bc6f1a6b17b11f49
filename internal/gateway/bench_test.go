package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"rampart/internal/config"

	"github.com/prometheus/client_golang/prometheus"

	"rampart/internal/events"
)

// BenchmarkServeHTTP measures the whole stage chain and the proxy to a
// loopback upstream serving 1 KiB, without the client-side listener.
func BenchmarkServeHTTP(b *testing.B) {
	body := strings.Repeat("x", 1024)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Server", "bench")
		_, _ = io.WriteString(w, body)
	}))
	defer up.Close()
	cfg := mustConfig(b, baseYAML(up.URL, ""))
	bus := events.NewBus("bench")
	gw, err := New(cfg, Deps{Log: slog.New(slog.DiscardHandler), AccessLog: io.Discard,
		Bus: bus, Metrics: NewMetrics(prometheus.NewRegistry(), bus)})
	if err != nil {
		b.Fatal(err)
	}
	defer gw.Close()
	req := httptest.NewRequest("GET", "http://shop.test/search?q=select+a+plan", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Accept", "text/html")
	req = req.WithContext(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkMatch measures route matching alone.
func BenchmarkMatch(b *testing.B) {
	t := newTable()
	for _, p := range []string{"/", "/api", "/static", "/admin"} {
		t.add([]string{"shop.test"}, &route{name: p, prefix: p})
	}
	t.add(nil, &route{name: "any", prefix: "/"})
	t.finish()
	b.ReportAllocs()
	for b.Loop() {
		if t.match("shop.test:8080", "/api/items/42") == nil {
			b.Fatal("no match")
		}
	}
}

func TestMatchNoAllocs(t *testing.T) {
	tb := newTable()
	tb.add([]string{"shop.test"}, &route{name: "api", prefix: "/api"})
	tb.add(nil, &route{name: "any", prefix: "/"})
	tb.finish()
	if n := testing.AllocsPerRun(100, func() { tb.match("shop.test", "/api/x") }); n != 0 {
		t.Errorf("match allocates %v times, want 0", n)
	}
}

// BenchmarkPlainProxy is the baseline for BenchmarkServeHTTP: a bare
// httputil.ReverseProxy with the same tuned transport and upstream.
func BenchmarkPlainProxy(b *testing.B) {
	body := strings.Repeat("x", 1024)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Server", "bench")
		_, _ = io.WriteString(w, body)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	tr, _ := newTransport(config.UpstreamPolicy{})
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u); pr.SetXForwarded() },
		Transport: tr, BufferPool: proxyBuffers}
	req := httptest.NewRequest("GET", "http://shop.test/search?q=select+a+plan", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Accept", "text/html")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		rp.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
