package fastproxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitTimeout bounds every wait in these tests, so that a bug fails a test
// instead of hanging it.
const waitTimeout = 10 * time.Second

func wait(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	select {
	case <-ch:
	case <-time.After(waitTimeout):
		tb.Fatalf("timed out waiting for %s", what)
	}
}

// newRequest builds a server-side-like request with the given URL parts,
// which httptest.NewRequest would reject or normalise.
func newRequest(method, path, rawPath, rawQuery string, body []byte) *http.Request {
	r := httptest.NewRequest(method, "/", nil)
	r.URL = &url.URL{Path: path, RawPath: rawPath, RawQuery: rawQuery}
	r.RequestURI = r.URL.RequestURI()
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return r
}

func TestRequestLine(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	tests := []struct {
		name                 string
		base                 string // appended to the upstream URL
		method               string
		path, rawPath, query string
		body                 string
		wantURI, wantBody    string
		wantLength           string // the Content-Length header the upstream saw
	}{
		{name: "GET root", method: "GET", path: "/", wantURI: "/"},
		{name: "GET path and query", method: "GET", path: "/a/b", query: "x=1&y=2", wantURI: "/a/b?x=1&y=2"},
		{name: "encoded query kept", method: "GET", path: "/s", query: "q=%20a%2Bb%26c&r=%E2%82%AC", wantURI: "/s?q=%20a%2Bb%26c&r=%E2%82%AC"},
		{name: "unparsable query cleaned", method: "GET", path: "/s", query: "a=1;b=2&c=%zz", wantURI: "/s"},
		{name: "semicolon reencoded", method: "GET", path: "/s", query: "a=1&b=2;c", wantURI: "/s?a=1"},
		{name: "path with space escaped", method: "GET", path: "/a b", wantURI: "/a%20b"},
		{name: "encoded slash kept", method: "GET", path: "/a/b/c", rawPath: "/a%2Fb/c", wantURI: "/a%2Fb/c"},
		{name: "invalid raw path ignored", method: "GET", path: "/a b", rawPath: "/x", wantURI: "/a%20b"},
		{name: "empty path", method: "GET", path: "", wantURI: "/"},
		{name: "base path", base: "/api", method: "GET", path: "/users", query: "id=7", wantURI: "/api/users?id=7"},
		{name: "base path with slash", base: "/api/", method: "GET", path: "/users", wantURI: "/api/users"},
		{name: "base path empty request path", base: "/api", method: "GET", path: "", wantURI: "/api/"},
		{name: "base query", base: "/api?k=v", method: "GET", path: "/u", query: "id=7", wantURI: "/api/u?k=v&id=7"},
		{name: "base query alone", base: "/?k=v", method: "GET", path: "/u", wantURI: "/u?k=v"},
		{name: "base encoded", base: "/a%2Fb", method: "GET", path: "/c", wantURI: "/a%2Fb/c"},
		{name: "HEAD", method: "HEAD", path: "/h", wantURI: "/h"},
		{name: "POST body", method: "POST", path: "/p", body: "hello=world", wantURI: "/p", wantBody: "hello=world", wantLength: "11"},
		{name: "POST empty", method: "POST", path: "/p", wantURI: "/p", wantLength: "0"},
		{name: "PUT body", method: "PUT", path: "/p", body: strings.Repeat("z", 5000), wantURI: "/p", wantBody: strings.Repeat("z", 5000), wantLength: "5000"},
		{name: "DELETE", method: "DELETE", path: "/d/1", wantURI: "/d/1"},
		{name: "custom method", method: "PROPFIND", path: "/dav", wantURI: "/dav"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newProxy(t, up.URL+tt.base, Config{})
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			r := newRequest(tt.method, tt.path, tt.rawPath, tt.query, body)
			w := serve(p, r)
			if tt.method == "HEAD" {
				if w.Code != http.StatusOK || w.Body.Len() != 0 {
					t.Fatalf("HEAD: status %d, body %q", w.Code, w.Body.String())
				}
				return
			}
			e := decodeEcho(t, w)
			if e.Method != tt.method || e.URI != tt.wantURI || e.Body != tt.wantBody || e.Proto != "HTTP/1.1" {
				t.Errorf("upstream saw %s %s %s body %q, want %s %s HTTP/1.1 body %q",
					e.Method, e.URI, e.Proto, e.Body, tt.method, tt.wantURI, tt.wantBody)
			}
			if got := e.Header.Get("Content-Length"); got != tt.wantLength {
				t.Errorf("upstream saw Content-Length %q, want %q", got, tt.wantLength)
			}
			if want := strings.TrimPrefix(up.URL, "http://"); e.Host != want {
				t.Errorf("upstream saw Host %q, want %q", e.Host, want)
			}
		})
	}
}

// TestRequestLineMatchesReverseProxy sends the same requests through
// httputil.ReverseProxy with SetURL and through a Proxy, and compares the
// request-target the upstream saw.
func TestRequestLineMatchesReverseProxy(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	bases := []string{"", "/", "/base", "/base/", "/b%20c/", "/q?k=v"}
	reqs := []struct{ path, rawPath, query string }{
		{"/", "", ""},
		{"", "", ""},
		{"/x", "", "a=1"},
		{"x", "", ""},
		{"/a/b/", "", "a=%41&b"},
		{"/a b/ü", "", "q=%C3%A9"},
		{"/", "", "q=é"},
		{"/", "", "q=a b"},
		{"/a/b", "/a%2Fb", ""},
		{"/a/b", "/a%2fb", "x=1;y=2"},
		{"/%", "", "a=%"},
		{"//double", "", ""},
		{"/x", "", "a=1&a=2&b="},
	}
	for _, base := range bases {
		target, _ := url.Parse(up.URL + base)
		rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
		p, _ := newProxy(t, up.URL+base, Config{})
		for _, rq := range reqs {
			name := fmt.Sprintf("base %q path %q raw %q query %q", base, rq.path, rq.rawPath, rq.query)
			ww := serve(rp, newRequest("GET", rq.path, rq.rawPath, rq.query, nil))
			gw := serve(p, newRequest("GET", rq.path, rq.rawPath, rq.query, nil))
			if (gw.Code == http.StatusOK) != (ww.Code == http.StatusOK) {
				t.Errorf("%s: status %d, httputil.ReverseProxy gets %d", name, gw.Code, ww.Code)
				continue
			}
			if ww.Code != http.StatusOK {
				continue // refused by both (ReverseProxy sends it, the upstream refuses)
			}
			want, got := decodeEcho(t, ww), decodeEcho(t, gw)
			if got.URI != want.URI || got.Host != want.Host {
				t.Errorf("%s: upstream saw %q Host %q, httputil.ReverseProxy sends %q Host %q",
					name, got.URI, got.Host, want.URI, want.Host)
			}
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	hook := func(in *http.Request, out *Outgoing) {
		out.Header["X-Forwarded-For"] = []string{"203.0.113.9"}
		out.Header.Set("X-Forwarded-Proto", "https")
		out.Header.Set("X-Real-Ip", "203.0.113.9")
		out.Header["x-request-id"] = []string{"req-1"} // non-canonical on purpose
		out.Header["X-Drop"] = nil                     // drops the client's X-Drop
	}
	p, _ := newProxy(t, up.URL, Config{Rewrite: hook})

	r := newRequest("GET", "/h", "", "", nil)
	h := r.Header
	h["Connection"] = []string{"keep-alive, X-Secret", "x-other"}
	h.Set("X-Secret", "s")
	h.Set("X-Other", "o")
	h.Set("Keep-Alive", "timeout=5")
	h.Set("Proxy-Connection", "keep-alive")
	h.Set("Proxy-Authorization", "Basic Zm9vOmJhcg==")
	h.Set("Proxy-Authenticate", "Basic")
	h.Set("Te", "gzip, trailers")
	h.Set("Trailer", "X-T")
	h.Set("Transfer-Encoding", "chunked")
	h.Set("Upgrade", "websocket")
	h.Set("Forwarded", "for=1.2.3.4")
	h.Set("X-Forwarded-For", "1.2.3.4")
	h.Set("X-Forwarded-Host", "evil.example")
	h.Set("X-Forwarded-Proto", "http")
	h.Set("X-Real-Ip", "1.2.3.4")
	h.Set("X-Request-Id", "spoofed")
	h.Set("X-Drop", "d")
	h.Set("Content-Length", "999")
	h["Cookie"] = []string{"a=1", "b=2"}
	h.Set("Accept", "text/html")
	h.Set("User-Agent", "curl/8.5")

	e := decodeEcho(t, serve(p, r))
	want := map[string][]string{
		"X-Forwarded-For":   {"203.0.113.9"},
		"X-Forwarded-Proto": {"https"},
		"X-Real-Ip":         {"203.0.113.9"},
		"X-Request-Id":      {"req-1"},
		"Te":                {"trailers"},
		"Cookie":            {"a=1", "b=2"},
		"Accept":            {"text/html"},
		"User-Agent":        {"curl/8.5"},
	}
	for k, v := range want {
		if got := e.Header[k]; fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("upstream saw %s: %q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"Connection", "X-Secret", "X-Other", "Keep-Alive", "Proxy-Connection",
		"Proxy-Authorization", "Proxy-Authenticate", "Trailer", "Transfer-Encoding", "Upgrade",
		"Forwarded", "X-Forwarded-Host", "X-Drop", "Content-Length"} {
		if v, ok := e.Header[k]; ok {
			t.Errorf("upstream saw %s: %q, want it stripped", k, v)
		}
	}
}

func TestUserAgentAndHost(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	tests := []struct {
		name     string
		ua       []string // nil: none sent
		preserve bool
		hookUA   []string
		wantUA   []string
	}{
		{name: "none sent, none forwarded"},
		{name: "empty sent, none forwarded", ua: []string{""}},
		{name: "forwarded", ua: []string{"agent/1"}, wantUA: []string{"agent/1"}},
		{name: "first only", ua: []string{"a/1", "b/2"}, wantUA: []string{"a/1"}},
		{name: "hook replaces", ua: []string{"a/1"}, hookUA: []string{"rampart"}, wantUA: []string{"rampart"}},
		{name: "hook suppresses", ua: []string{"a/1"}, hookUA: []string{""}},
		{name: "preserve host", preserve: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newProxy(t, up.URL, Config{Rewrite: func(in *http.Request, out *Outgoing) {
				if tt.preserve {
					out.Host = in.Host
				}
				if tt.hookUA != nil {
					out.Header["User-Agent"] = tt.hookUA
				}
			}})
			r := newRequest("GET", "/", "", "", nil)
			r.Host = "app.example.com:8443"
			if tt.ua != nil {
				r.Header["User-Agent"] = tt.ua
			}
			e := decodeEcho(t, serve(p, r))
			if got := e.Header["User-Agent"]; fmt.Sprint(got) != fmt.Sprint(tt.wantUA) {
				t.Errorf("upstream saw User-Agent %q, want %q", got, tt.wantUA)
			}
			wantHost := strings.TrimPrefix(up.URL, "http://")
			if tt.preserve {
				wantHost = r.Host
			}
			if e.Host != wantHost {
				t.Errorf("upstream saw Host %q, want %q", e.Host, wantHost)
			}
		})
	}
}

// TestInvalidHeadersNeverWritten captures the raw request bytes: header
// names and values that could split the request are dropped.
func TestInvalidHeadersNeverWritten(t *testing.T) {
	got := make(chan string, 1)
	up := newRawUpstream(t, func(c net.Conn) {
		head, _ := readHead(bufio.NewReader(c))
		got <- head
		io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n")
	})
	p, errs := newProxy(t, up.URL(), Config{Rewrite: func(in *http.Request, out *Outgoing) {
		out.Header["X-Hook-Evil"] = []string{"a\r\nInjected-Hook: 1", "good"}
		out.Header["X-Hook-Lf"] = []string{"a\nInjected-Hook-Lf: 1"}
		out.Header["X-Hook Bad"] = []string{"x"}
		out.Header["X-Hook-Nul"] = []string{"a\x00b"}
		out.Header["X-Hook:Colon"] = []string{"x"}
		out.Header["X-Hook-Ok"] = []string{"ok\tvalue ü"}
	}})
	r := newRequest("GET", "/", "", "", nil)
	r.Header["X-Evil"] = []string{"v\r\nInjected: 1"}
	r.Header["X-Cr"] = []string{"v\rInjected-Cr: 1"}
	r.Header["Bad\r\nInjected-Name: 1"] = []string{"v"}
	r.Header["X-Del"] = []string{"a\x7fb"}
	r.Header["X-Fine"] = []string{"fine"}
	w := serve(p, r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("status %d, errors %v", w.Code, errs.all())
	}
	var head string
	select {
	case head = <-got:
	case <-time.After(waitTimeout):
		t.Fatal("upstream got no request")
	}
	for _, bad := range []string{"Injected", "X-Evil", "X-Cr", "X-Del", "X-Hook Bad", "X-Hook-Nul", "X-Hook:Colon", "X-Hook-Lf", "\x00", "\x7f"} {
		if strings.Contains(head, bad) {
			t.Errorf("request head contains %q:\n%s", bad, head)
		}
	}
	for _, good := range []string{"X-Fine: fine\r\n", "X-Hook-Evil: good\r\n", "X-Hook-Ok: ok\tvalue ü\r\n"} {
		if !strings.Contains(head, good) {
			t.Errorf("request head lacks %q:\n%s", good, head)
		}
	}
	// Every line is a well-formed header line.
	lines := strings.Split(strings.TrimSuffix(head, "\r\n\r\n"), "\r\n")
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ": ")
		if !ok || !validToken(k) || !validHeaderValue(v) || strings.ContainsAny(l, "\r\n") {
			t.Errorf("malformed header line %q", l)
		}
	}
	if _, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head))); err != nil {
		t.Errorf("request head does not parse: %v\n%s", err, head)
	}
}

func TestBadRequestsFail(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	tests := []struct {
		name string
		hook func(in *http.Request, out *Outgoing)
		req  func() *http.Request
	}{
		{"invalid method", nil, func() *http.Request {
			r := newRequest("GET", "/", "", "", nil)
			r.Method = "GET /x HTTP/1.1\r\n"
			return r
		}},
		{"hook host with CRLF", func(_ *http.Request, out *Outgoing) { out.Host = "a\r\nX: y" }, nil},
		{"hook host with space", func(_ *http.Request, out *Outgoing) { out.Host = "a b" }, nil},
		{"hook query with space", func(_ *http.Request, out *Outgoing) { out.RawQuery = "a=1 HTTP/1.1\r\nX: y" }, nil},
		{"unknown length body", nil, func() *http.Request {
			r := newRequest("POST", "/", "", "", []byte("x"))
			r.ContentLength = -1
			return r
		}},
		{"short body", nil, func() *http.Request {
			r := newRequest("POST", "/", "", "", []byte("abc"))
			r.ContentLength = 10
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, errs := newProxy(t, up.URL, Config{Rewrite: tt.hook})
			r := newRequest("GET", "/", "", "", nil)
			if tt.req != nil {
				r = tt.req()
			}
			if w := serve(p, r); w.Code != http.StatusBadGateway {
				t.Fatalf("status %d, want 502 from the ErrorHandler", w.Code)
			}
			t.Logf("error: %v", errs.last(t))
		})
	}
	p, errs := newProxy(t, up.URL, Config{})
	r := newRequest("PUT", "/", "", "", []byte("x"))
	r.ContentLength = -1
	serve(p, r)
	if err := errs.last(t); !errors.Is(err, ErrUnknownLength) {
		t.Errorf("unknown length body: error %v, want ErrUnknownLength", err)
	}
}

func TestResponseHeaders(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Connection", "X-Hop, keep-alive")
		h.Set("X-Hop", "1")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Proxy-Authenticate", "Basic")
		h.Set("Upgrade", "h2c")
		h.Set("X-Keep", "yes")
		h["Set-Cookie"] = []string{"a=1", "b=2"}
		w.Write([]byte("ok"))
	}))
	p, _ := newProxy(t, up.URL, Config{})
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-Id", "gw-1") // set by the gateway before proxying
	p.ServeHTTP(w, newRequest("GET", "/", "", "", nil))
	h := w.Result().Header
	for _, k := range []string{"Connection", "X-Hop", "Keep-Alive", "Proxy-Authenticate", "Upgrade"} {
		if v, ok := h[k]; ok {
			t.Errorf("client got %s: %q, want it stripped", k, v)
		}
	}
	if h.Get("X-Keep") != "yes" || len(h["Set-Cookie"]) != 2 || h.Get("X-Request-Id") != "gw-1" || w.Body.String() != "ok" {
		t.Errorf("client got %v %q", h, w.Body.String())
	}
}

func TestResponseBodies(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16) // 10 MiB
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			for i := range 100 {
				fmt.Fprintf(w, "chunk %03d;", i)
				w.(http.Flusher).Flush()
			}
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		case "/304":
			w.Header().Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		case "/big":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write(big)
		case "/bigchunked":
			for off := 0; off < len(big); off += 100 << 10 {
				w.Write(big[off:min(off+100<<10, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/404":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Length", "5")
			w.Write([]byte("hello"))
		}
	}))
	p, _ := newProxy(t, up.URL, Config{})
	var chunked strings.Builder
	for i := range 100 {
		fmt.Fprintf(&chunked, "chunk %03d;", i)
	}
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           []byte
	}{
		{"chunked unknown length", "GET", "/chunked", 200, []byte(chunked.String())},
		{"204", "GET", "/204", 204, nil},
		{"304", "GET", "/304", 304, nil},
		{"HEAD", "HEAD", "/hello", 200, nil},
		{"GET", "GET", "/hello", 200, []byte("hello")},
		{"404", "GET", "/404", 404, []byte("404 page not found\n")},
		{"10 MiB", "GET", "/big", 200, big},
		{"10 MiB chunked", "GET", "/bigchunked", 200, big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(p, newRequest(tt.method, tt.path, "", "", nil))
			if w.Code != tt.wantStatus || !bytes.Equal(w.Body.Bytes(), tt.wantBody) {
				t.Errorf("%s %s: status %d, body %d bytes %x, want %d, %d bytes %x", tt.method, tt.path,
					w.Code, w.Body.Len(), sha256.Sum256(w.Body.Bytes()), tt.wantStatus, len(tt.wantBody), sha256.Sum256(tt.wantBody))
			}
		})
	}
	if n := up.conns.Load(); n != 1 {
		t.Errorf("upstream accepted %d connections for sequential requests, want 1", n)
	}
}

func TestInformationalSkipped(t *testing.T) {
	up := newRawUpstream(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			if _, err := readHead(br); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"+
				"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"+
				"HTTP/1.1 102 Processing\r\n\r\n"+
				"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: 1\r\n\r\nok")
		}
	})
	p, errs := newProxy(t, up.URL(), Config{})
	for range 3 {
		w := serve(p, newRequest("GET", "/", "", "", nil))
		if w.Code != 200 || w.Body.String() != "ok" || w.Header().Get("X-Final") != "1" || w.Header().Get("Link") != "" {
			t.Fatalf("got %d %v %q, errors %v", w.Code, w.Header(), w.Body.String(), errs.all())
		}
	}
	if n := up.conns.Load(); n != 1 {
		t.Errorf("upstream accepted %d connections, want 1", n)
	}
}

func TestTrailers(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		w.Write([]byte("body"))
		w.Header().Set("X-Sum", "abc")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	}))
	p, _ := newProxy(t, up.URL, Config{})
	front := httptest.NewServer(p)
	defer front.Close()
	resp, err := front.Client().Get(front.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "body" || resp.Trailer.Get("X-Sum") != "abc" || resp.Trailer.Get("X-Late") != "late" {
		t.Errorf("got body %q trailers %v, want body and X-Sum: abc, X-Late: late", b, resp.Trailer)
	}
}

// TestEventStreamFlushed reads the first event before the upstream has
// finished the response.
func TestEventStreamFlushed(t *testing.T) {
	for _, ct := range []string{"text/event-stream", "text/plain"} {
		t.Run(ct, func(t *testing.T) {
			release := make(chan struct{})
			up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ct)
				w.Header().Set("Content-Length", "40") // a known length: flushed only for the event stream
				if ct == "text/plain" {
					w.Header().Del("Content-Length") // unknown length: flushed too
				}
				io.WriteString(w, "data: one\n\n")
				w.(http.Flusher).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
				io.WriteString(w, "data: two\n\n")
			}))
			p, _ := newProxy(t, up.URL, Config{})
			front := httptest.NewServer(p)
			defer front.Close()
			defer close(release)
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", front.URL, nil)
			resp, err := front.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			first := make([]byte, len("data: one\n\n"))
			if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "data: one\n\n" {
				t.Fatalf("first event %q, %v", first, err)
			}
		})
	}
}

func TestKeepAlive(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	p, _ := newProxy(t, up.URL, Config{})
	front := httptest.NewServer(p)
	defer front.Close()
	for i := range 100 {
		var resp *http.Response
		var err error
		if i%2 == 0 {
			resp, err = front.Client().Get(front.URL + "/k?i=" + strconv.Itoa(i))
		} else {
			resp, err = front.Client().Post(front.URL+"/k", "text/plain", strings.NewReader("body "+strconv.Itoa(i)))
		}
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	if n := up.conns.Load(); n != 1 {
		t.Errorf("100 sequential requests used %d upstream connections, want 1", n)
	}
}

func TestConnectionReuseRules(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		w.Write([]byte("ok"))
	}))
	tests := []struct {
		name      string
		cfg       Config
		path      string
		requests  int
		wantConns int32
	}{
		{"keep-alive", Config{}, "/", 5, 1},
		{"upstream says close", Config{}, "/close", 3, 3},
		{"hook says close", Config{Rewrite: func(_ *http.Request, out *Outgoing) {
			out.Header.Set("Connection", "close")
		}}, "/", 3, 3},
		{"idle timeout", Config{IdleConnTimeout: time.Nanosecond}, "/", 3, 3},
		{"keep-alive off", Config{MaxIdleConns: -1}, "/", 3, 3},
		{"ModifyResponse error", Config{ModifyResponse: func(*http.Request, *http.Response) error {
			return errors.New("rejected")
		}}, "/", 3, 3},
		{"ModifyResponse reads part of body", Config{ModifyResponse: func(_ *http.Request, resp *http.Response) error {
			var b [1]byte
			resp.Body.Read(b[:])
			resp.Body.Close()
			resp.Body = io.NopCloser(strings.NewReader("replaced"))
			return nil
		}}, "/", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := up.conns.Load()
			p, _ := newProxy(t, up.URL, tt.cfg)
			for range tt.requests {
				serve(p, newRequest("GET", tt.path, "", "", nil))
			}
			if n := up.conns.Load() - before; n != tt.wantConns {
				t.Errorf("%d requests used %d connections, want %d", tt.requests, n, tt.wantConns)
			}
		})
	}

	t.Run("CloseIdleConnections", func(t *testing.T) {
		before := up.conns.Load()
		p, _ := newProxy(t, up.URL, Config{})
		serve(p, newRequest("GET", "/", "", "", nil))
		p.CloseIdleConnections()
		serve(p, newRequest("GET", "/", "", "", nil))
		serve(p, newRequest("GET", "/", "", "", nil))
		if n := up.conns.Load() - before; n != 2 {
			t.Errorf("used %d connections, want 2", n)
		}
	})
}

func TestModifyResponse(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "leaky/1.0")
		w.Header().Set("X-Request-Id", "upstream")
		w.Write([]byte("ok"))
	}))
	var gotReq *http.Request
	p, _ := newProxy(t, up.URL, Config{ModifyResponse: func(in *http.Request, resp *http.Response) error {
		gotReq = resp.Request
		if in != resp.Request {
			return errors.New("resp.Request is not in")
		}
		resp.Header.Del("Server")
		resp.Header.Del("X-Request-Id")
		resp.Header.Set("X-Frame-Options", "DENY")
		return nil
	}})
	r := newRequest("GET", "/", "", "", nil)
	w := serve(p, r)
	if gotReq != r || w.Code != 200 || w.Header().Get("Server") != "" || w.Header().Get("X-Request-Id") != "" || w.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("got %d %v", w.Code, w.Header())
	}

	errRejected := errors.New("rejected by policy")
	p, errs := newProxy(t, up.URL, Config{ModifyResponse: func(*http.Request, *http.Response) error { return errRejected }})
	w = serve(p, newRequest("GET", "/", "", "", nil))
	if w.Code != http.StatusBadGateway || w.Body.Len() != 0 {
		t.Errorf("ModifyResponse error: got %d %q, want 502 and no body", w.Code, w.Body.String())
	}
	if err := errs.last(t); !errors.Is(err, errRejected) {
		t.Errorf("ErrorHandler got %v, want %v", err, errRejected)
	}
}

func TestDefaultErrorHandler(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	u, _ := url.Parse("http://" + addr)
	p, err := New(Config{Target: u})
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(p, newRequest("GET", "/", "", "", nil)); w.Code != http.StatusBadGateway {
		t.Errorf("status %d, want 502", w.Code)
	}
}

func TestUpstreamDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	p, errs := newProxy(t, "http://"+addr, Config{})
	w := serve(p, newRequest("GET", "/", "", "", nil))
	err := errs.last(t)
	if w.Code != http.StatusBadGateway || !isNetOp(err, "dial") || errors.Is(err, context.Canceled) {
		t.Errorf("got %d, error %v; want 502 and a dial *net.OpError", w.Code, err)
	}
}

func TestDialTimeout(t *testing.T) {
	// Loopback has no blackhole address; a 1ns timeout expires before the
	// dial completes.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	p, errs := newProxy(t, "http://"+ln.Addr().String(), Config{DialTimeout: time.Nanosecond})
	serve(p, newRequest("GET", "/", "", "", nil))
	if err := errs.last(t); !isTimeout(err) {
		t.Errorf("error %v, want a timeout net.Error", err)
	}
}

func TestResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.Write([]byte("ok"))
	}))
	defer close(release)
	p, errs := newProxy(t, up.URL, Config{ResponseHeaderTimeout: 250 * time.Millisecond})

	// A fast request first: its cleared deadline must not linger on the
	// reused connection.
	if w := serve(p, newRequest("GET", "/fast", "", "", nil)); w.Code != 200 {
		t.Fatalf("fast: status %d", w.Code)
	}
	start := time.Now()
	w := serve(p, newRequest("GET", "/slow", "", "", nil))
	err := errs.last(t)
	var ne net.Error
	if w.Code != http.StatusBadGateway || !errors.As(err, &ne) || !ne.Timeout() || errors.Is(err, context.Canceled) {
		t.Errorf("got %d, error %v; want 502 and a timeout net.Error", w.Code, err)
	}
	if d := time.Since(start); d > waitTimeout/2 {
		t.Errorf("timeout took %v", d)
	}
	// The slow body after a fast head does not time out.
	if w := serve(p, newRequest("GET", "/fast", "", "", nil)); w.Code != 200 {
		t.Errorf("after timeout: status %d", w.Code)
	}
}

func TestClientCancel(t *testing.T) {
	for _, stage := range []string{"head", "body"} {
		t.Run(stage, func(t *testing.T) {
			started, aborted := make(chan struct{}), make(chan struct{})
			var once sync.Once
			up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/hang" {
					w.Write([]byte("ok"))
					return
				}
				if stage == "body" {
					w.Header().Set("Content-Length", "100")
					w.Write([]byte("part"))
					w.(http.Flusher).Flush()
				}
				once.Do(func() { close(started) })
				<-r.Context().Done() // the proxy closed the connection
				close(aborted)
			}))
			p, errs := newProxy(t, up.URL, Config{})
			serve(p, newRequest("GET", "/", "", "", nil)) // warm the pool

			ctx, cancel := context.WithCancel(context.Background())
			r := newRequest("GET", "/hang", "", "", nil).WithContext(ctx)
			w := &firstWrite{ResponseRecorder: httptest.NewRecorder(), wrote: make(chan struct{})}
			returned := make(chan struct{})
			go func() {
				defer close(returned)
				p.ServeHTTP(w, r)
			}()
			wait(t, started, "the upstream to get the request")
			if stage == "body" {
				wait(t, w.wrote, "the proxy to copy the first body bytes")
			}
			cancel()
			wait(t, returned, "ServeHTTP to return after the client canceled")
			wait(t, aborted, "the upstream request to be aborted")
			if stage == "head" {
				if err := errs.last(t); !errors.Is(err, context.Canceled) {
					t.Errorf("error %v, want context.Canceled", err)
				}
			} else if w.Body.String() != "part" {
				t.Errorf("client got %q, want the part sent before the cancel", w.Body.String())
			}
			before := up.conns.Load()
			if w := serve(p, newRequest("GET", "/", "", "", nil)); w.Code != 200 {
				t.Fatalf("after cancel: status %d", w.Code)
			}
			if up.conns.Load() != before+1 {
				t.Errorf("the canceled request's connection was reused")
			}
		})
	}
}

// firstWrite closes wrote on the first body write.
type firstWrite struct {
	*httptest.ResponseRecorder
	once  sync.Once
	wrote chan struct{}
}

func (w *firstWrite) Write(b []byte) (int, error) {
	n, err := w.ResponseRecorder.Write(b)
	w.once.Do(func() { close(w.wrote) })
	return n, err
}

// TestRetryOnIdleClose: the upstream closes each connection after one
// response, as a server closing idle keep-alive connections does.
func TestRetryOnIdleClose(t *testing.T) {
	closed := make(chan struct{}, 10)
	up := newRawUpstream(t, func(c net.Conn) {
		defer func() { closed <- struct{}{} }()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		body, _ := io.ReadAll(req.Body)
		if req.Method == "HEAD" {
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(req.Method)+1+len(body))
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s %s", len(req.Method)+1+len(body), req.Method, body)
	})
	p, errs := newProxy(t, up.URL(), Config{})
	tests := []struct {
		name       string
		method     string
		body       string
		header     string
		wantStatus int
		wantConns  int32 // new connections for this request
	}{
		{"GET retried", "GET", "", "", 200, 1},
		{"HEAD retried", "HEAD", "", "", 200, 1},
		{"DELETE not retried", "DELETE", "", "", 502, 0},
		{"POST with Idempotency-Key retried", "POST", "", "Idempotency-Key", 200, 1},
		{"POST with body not retried", "POST", "data", "", 502, 0},
	}
	// Prime the pool with one connection the upstream has closed.
	if w := serve(p, newRequest("GET", "/", "", "", nil)); w.Code != 200 {
		t.Fatalf("first request: %d", w.Code)
	}
	wait(t, closed, "the upstream to close the connection")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := up.conns.Load()
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			r := newRequest(tt.method, "/", "", "", body)
			if tt.header != "" {
				r.Header.Set(tt.header, "k1")
			}
			w := serve(p, r)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d; errors %v", w.Code, tt.wantStatus, errs.all())
			}
			if n := up.conns.Load() - before; n != tt.wantConns {
				t.Errorf("dialed %d connections, want %d", n, tt.wantConns)
			}
			if tt.wantStatus == 200 {
				if tt.method != "HEAD" && w.Body.String() != tt.method+" "+tt.body {
					t.Errorf("body %q", w.Body.String())
				}
				// Leave a closed connection in the pool for the next case.
				wait(t, closed, "the upstream to close the connection")
			} else {
				// The failed attempt used the pooled connection; put a
				// fresh closed one back for the next case.
				if w := serve(p, newRequest("GET", "/", "", "", nil)); w.Code != 200 {
					t.Fatalf("refill: %d", w.Code)
				}
				wait(t, closed, "the upstream to close the connection")
			}
		})
	}
}

func TestInvalidResponses(t *testing.T) {
	tests := []struct {
		name, resp string
		maxHead    int64
	}{
		{name: "garbage", resp: "HELLO WORLD\r\n\r\n"},
		{name: "bad status code", resp: "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"},
		{name: "bare CR injection in value", resp: "HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: evil=1\r\nContent-Length: 0\r\n\r\n"},
		{name: "NUL in value", resp: "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n"},
		{name: "space in name", resp: "HTTP/1.1 200 OK\r\nSet Cookie: evil=1\r\nContent-Length: 0\r\n\r\n"},
		{name: "space before colon", resp: "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"},
		{name: "conflicting lengths", resp: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
		{name: "bad length", resp: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"},
		{name: "truncated head", resp: "HTTP/1.1 200 OK\r\nX-A: b"},
		{name: "empty", resp: ""},
		{name: "unsolicited 101", resp: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{name: "head too large", resp: "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 4096) + "\r\n\r\n", maxHead: 1024},
		{name: "endless 1xx", resp: strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 100)},
		{name: "HTTP/2 status line", resp: "HTTP/2.0 200 OK\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newRawUpstream(t, func(c net.Conn) {
				if _, err := readHead(bufio.NewReader(c)); err != nil {
					return
				}
				io.WriteString(c, tt.resp)
			})
			p, errs := newProxy(t, up.URL(), Config{MaxResponseHeaderBytes: tt.maxHead})
			w := serve(p, newRequest("GET", "/", "", "", nil))
			if w.Code != http.StatusBadGateway || w.Header().Get("Set-Cookie") != "" {
				t.Fatalf("got %d %v, want 502 from the ErrorHandler", w.Code, w.Header())
			}
			t.Logf("error: %v", errs.last(t))
		})
	}
}

// TestTruncatedBody: the upstream breaks off the body after the head was
// sent. Under a server the response is aborted, not ended cleanly.
func TestTruncatedBody(t *testing.T) {
	up := newRawUpstream(t, func(c net.Conn) {
		if _, err := readHead(bufio.NewReader(c)); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
	})
	p, _ := newProxy(t, up.URL(), Config{})
	front := httptest.NewServer(p)
	front.Config.ErrorLog = nil
	defer front.Close()
	resp, err := front.Client().Get(front.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Errorf("client read %q and a clean end, want an error", b)
	}
}

func TestRequestBodies(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	p, _ := newProxy(t, up.URL, Config{})
	for _, n := range []int{1, 4000, 8 << 10, 64 << 10, 3 << 20} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			body := bytes.Repeat([]byte("b"), n)
			body[n-1] = 'E'
			e := decodeEcho(t, serve(p, newRequest("POST", "/up", "", "", body)))
			if e.Body != string(body) {
				t.Errorf("upstream got %d bytes, want %d", len(e.Body), n)
			}
		})
	}
	if n := up.conns.Load(); n != 1 {
		t.Errorf("used %d connections, want 1", n)
	}
}

// TestEarlyResponse: the upstream answers without reading a large body.
// The proxy must not deadlock.
func TestEarlyResponse(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		w.Write([]byte("too large"))
	}))
	p, errs := newProxy(t, up.URL, Config{})
	body := bytes.Repeat([]byte("x"), 16<<20)
	done := make(chan struct{})
	var w *httptest.ResponseRecorder
	go func() {
		defer close(done)
		w = serve(p, newRequest("POST", "/", "", "", body))
	}()
	wait(t, done, "the proxy to answer")
	if w.Code != http.StatusRequestEntityTooLarge && w.Code != http.StatusBadGateway {
		t.Errorf("status %d, errors %v", w.Code, errs.all())
	}
	t.Logf("status %d %q, errors %v", w.Code, w.Body.String(), errs.all())
}

func TestRequestBodyLimit(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	for _, n := range []int{2000, 100 << 10} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			p, errs := newProxy(t, up.URL, Config{})
			r := newRequest("POST", "/", "", "", bytes.Repeat([]byte("x"), n))
			w := httptest.NewRecorder()
			r.Body = http.MaxBytesReader(w, r.Body, int64(n/2))
			done := make(chan struct{})
			go func() {
				defer close(done)
				p.ServeHTTP(w, r)
			}()
			wait(t, done, "the proxy to answer")
			var mbe *http.MaxBytesError
			if err := errs.last(t); !errors.As(err, &mbe) {
				t.Errorf("error %v, want an *http.MaxBytesError", err)
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	up := newUpstream(t, http.HandlerFunc(echoHandler))
	p, errs := newProxy(t, up.URL+"/base", Config{
		MaxIdleConns: 8, // fewer than the goroutines: exercise eviction
		Rewrite: func(in *http.Request, out *Outgoing) {
			out.Header.Set("X-Seq", in.Header.Get("X-Seq"))
		},
	})
	front := httptest.NewServer(p)
	defer front.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()

	const workers, each = 16, 125
	var wg sync.WaitGroup
	failures := make(chan string, workers*each)
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				seq := fmt.Sprintf("%d-%d", g, i)
				var body io.Reader
				method, size := "GET", 0
				if i%3 == 1 {
					method, size = "POST", (g*each+i)%(20<<10)
					body = bytes.NewReader(bytes.Repeat([]byte(seq[:1]), size))
				}
				req, _ := http.NewRequest(method, front.URL+"/p/"+seq+"?q="+seq, body)
				req.Header.Set("X-Seq", seq)
				resp, err := client.Do(req)
				if err != nil {
					failures <- fmt.Sprintf("%s: %v", seq, err)
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				var e echoed
				if err != nil || resp.StatusCode != 200 || json.Unmarshal(b, &e) != nil {
					failures <- fmt.Sprintf("%s: %d %v %q", seq, resp.StatusCode, err, b)
					continue
				}
				if e.URI != "/base/p/"+seq+"?q="+seq || e.Header.Get("X-Seq") != seq || len(e.Body) != size || e.Method != method {
					failures <- fmt.Sprintf("%s: upstream saw %s %s X-Seq %q body %d bytes", seq, e.Method, e.URI, e.Header.Get("X-Seq"), len(e.Body))
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	n := 0
	for f := range failures {
		if n++; n <= 10 {
			t.Error(f)
		}
	}
	if n > 0 || len(errs.all()) > 0 {
		t.Errorf("%d of %d requests failed; proxy errors %v", n, workers*each, errs.all())
	}
	t.Logf("%d requests over %d upstream connections", workers*each, up.conns.Load())
}

func TestTLS(t *testing.T) {
	up := httptest.NewUnstartedServer(http.HandlerFunc(echoHandler))
	up.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake the test fails on purpose
	up.EnableHTTP2 = true                           // the proxy must still speak HTTP/1.1
	up.StartTLS()
	defer up.Close()
	roots := x509.NewCertPool()
	roots.AddCert(up.Certificate())

	cfg := &tls.Config{RootCAs: roots, NextProtos: []string{"h2"}}
	p, _ := newProxy(t, up.URL+"/tls", Config{TLSClientConfig: cfg})
	for range 3 {
		e := decodeEcho(t, serve(p, newRequest("POST", "/x", "", "", []byte("secret"))))
		if !e.TLS || e.Proto != "HTTP/1.1" || e.URI != "/tls/x" || e.Body != "secret" {
			t.Errorf("upstream saw TLS %v %s %s %q", e.TLS, e.Proto, e.URI, e.Body)
		}
	}
	if len(cfg.NextProtos) != 1 || cfg.NextProtos[0] != "h2" {
		t.Errorf("the caller's tls.Config was modified: NextProtos %q", cfg.NextProtos)
	}

	p, errs := newProxy(t, up.URL, Config{}) // system roots: the test CA is unknown
	serve(p, newRequest("GET", "/", "", "", nil))
	var uae x509.UnknownAuthorityError
	if err := errs.last(t); !errors.As(err, &uae) {
		t.Errorf("error %v, want x509.UnknownAuthorityError", err)
	}
}

func TestHandles(t *testing.T) {
	tests := []struct {
		name string
		req  func() *http.Request
		want bool
	}{
		{"GET", func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, true},
		{"POST with length", func() *http.Request { return httptest.NewRequest("POST", "/", strings.NewReader("x")) }, true},
		{"CONNECT", func() *http.Request { return httptest.NewRequest("CONNECT", "example.com:443", nil) }, false},
		{"WebSocket", func() *http.Request {
			r := httptest.NewRequest("GET", "/ws", nil)
			r.Header.Set("Connection", "keep-alive, Upgrade")
			r.Header.Set("Upgrade", "websocket")
			return r
		}, false},
		{"Connection upgrade only", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Connection", "upgrade")
			return r
		}, false},
		{"Upgrade only", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Upgrade", "h2c")
			return r
		}, false},
		{"Connection keep-alive", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Connection", "keep-alive")
			return r
		}, true},
		{"chunked body", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("x"))
			r.ContentLength = -1
			return r
		}, false},
		{"unknown length, no body", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.ContentLength = -1
			return r
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Handles(tt.req()); got != tt.want {
				t.Errorf("Handles() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, url string
		wantErr   bool
		wantAddr  string
		wantHost  string
	}{
		{"http", "http://app:8000", false, "app:8000", "app:8000"},
		{"http default port", "http://app", false, "app:80", "app"},
		{"https default port", "https://app/base", false, "app:443", "app"},
		{"IPv6", "http://[::1]:9000", false, "[::1]:9000", "[::1]:9000"},
		{"IPv6 zone", "http://[fe80::1%25eth0]:80", false, "[fe80::1%eth0]:80", "[fe80::1]:80"},
		{"scheme", "ftp://app", true, "", ""},
		{"no scheme", "app:8000", true, "", ""},
		{"no host", "http:///path", true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			p, err := New(Config{Target: u})
			if (err != nil) != tt.wantErr {
				t.Fatalf("New(%q) error = %v, want error %v", tt.url, err, tt.wantErr)
			}
			if err != nil {
				t.Logf("New(%q) = %v", tt.url, err)
				return
			}
			if p.addr != tt.wantAddr || p.host != tt.wantHost {
				t.Errorf("New(%q): dials %q with Host %q, want %q and %q", tt.url, p.addr, p.host, tt.wantAddr, tt.wantHost)
			}
		})
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a target: no error")
	}
}
