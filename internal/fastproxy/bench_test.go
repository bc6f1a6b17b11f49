package fastproxy

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"
)

// discardWriter is a ResponseWriter that keeps nothing, reusing its header
// map, so that benchmarks measure the proxy rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	w.status = code
}
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}
func (w *discardWriter) Flush() {}

func (w *discardWriter) reset() {
	clear(w.h)
	w.status, w.n = 0, 0
}

// gatewayHeaders sets what the gateway's Rewrite hook sets, as it does:
// one backing array for the four values.
func gatewayHeaders(h http.Header, in *http.Request) {
	vals := make([]string, 4)
	vals[0], vals[1], vals[2], vals[3] = "192.0.2.1", "http", in.Host, "192.0.2.1"
	h["X-Forwarded-For"] = vals[0:1:1]
	h["X-Forwarded-Proto"] = vals[1:2:2]
	h["X-Forwarded-Host"] = vals[2:3:3]
	h["X-Real-Ip"] = vals[3:4:4]
}

// benchRequest is a typical browser-ish GET, with the cancelable context a
// server request carries.
func benchRequest(tb testing.TB) *http.Request {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	r, err := http.NewRequestWithContext(ctx, "GET", "http://app.example.com/api/items?page=2&sort=desc", nil)
	if err != nil {
		tb.Fatal(err)
	}
	r.RemoteAddr = "192.0.2.1:5555"
	r.RequestURI = r.URL.RequestURI()
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Accept-Language", "en-US,en;q=0.5")
	r.Header.Set("Cookie", "session=0123456789abcdef")
	r.Header.Set("X-Forwarded-For", "198.51.100.7") // stripped
	return r
}

func newBenchFastProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	u, _ := url.Parse(target)
	// No BufferPool: the proxy's pooled per-request state has its own copy
	// buffer, while the gateway's pool allocates on each Put.
	p, err := New(Config{
		Target:  u,
		Rewrite: func(in *http.Request, out *Outgoing) { gatewayHeaders(out.Header, in) },
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			tb.Errorf("proxy error: %v", err)
			w.WriteHeader(http.StatusBadGateway)
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.CloseIdleConnections)
	return p
}

// newBenchReverseProxy is httputil.ReverseProxy with the gateway's tuned
// transport (internal/gateway/upstream.go), for comparison.
func newBenchReverseProxy(tb testing.TB, target string) *httputil.ReverseProxy {
	tb.Helper()
	u, _ := url.Parse(target)
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       16 << 10,
		ReadBufferSize:        16 << 10,
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			gatewayHeaders(pr.Out.Header, pr.In)
		},
		Transport:  tr,
		BufferPool: benchBuffers,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			tb.Errorf("proxy error: %v", err)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
}

// bufferPool is the gateway's buffer pool.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

var benchBuffers = &bufferPool{}

// benchProxy runs h against the canned upstream, serially and from
// parallel goroutines. The upstream answers from a raw socket loop that
// allocates nothing, so allocs/op are the proxy's.
func benchProxy(b *testing.B, newHandler func(testing.TB, string) http.Handler) {
	up := cannedUpstream(b, cannedResponse(1024))
	h := newHandler(b, up.URL())
	b.Run("serial", func(b *testing.B) {
		r := benchRequest(b)
		w := &discardWriter{h: make(http.Header)}
		b.ReportAllocs()
		b.SetBytes(1024)
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, r)
			if w.status != http.StatusOK || w.n != 1024 {
				b.Fatalf("status %d, %d bytes", w.status, w.n)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(1024)
		b.RunParallel(func(pb *testing.PB) {
			r := benchRequest(b)
			w := &discardWriter{h: make(http.Header)}
			for pb.Next() {
				w.reset()
				h.ServeHTTP(w, r)
				if w.status != http.StatusOK || w.n != 1024 {
					b.Errorf("status %d, %d bytes", w.status, w.n)
					return
				}
			}
		})
	})
}

func BenchmarkFastProxy(b *testing.B) {
	benchProxy(b, func(tb testing.TB, u string) http.Handler { return newBenchFastProxy(tb, u) })
}

func BenchmarkReverseProxy(b *testing.B) {
	benchProxy(b, func(tb testing.TB, u string) http.Handler { return newBenchReverseProxy(tb, u) })
}

// maxAllocs is the allocation budget of one proxied GET on a kept-alive
// connection, as profiled: 9 in http.ReadResponse (the Response, the status
// line, the header map and values, the body reader), 2 in
// context.AfterFunc, 1 for the response header values copied to the
// client, 1 in the test's Rewrite hook; plus 1 of slack.
const maxAllocs = 14

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	up := cannedUpstream(t, cannedResponse(1024))
	p := newBenchFastProxy(t, up.URL())
	r := benchRequest(t)
	w := &discardWriter{h: make(http.Header)}
	p.ServeHTTP(w, r) // dial and warm the pools
	allocs := testing.AllocsPerRun(1000, func() {
		w.reset()
		p.ServeHTTP(w, r)
	})
	t.Logf("%.1f allocations per request", allocs)
	if allocs > maxAllocs {
		t.Errorf("%.1f allocations per request, want at most %d", allocs, maxAllocs)
	}
}
