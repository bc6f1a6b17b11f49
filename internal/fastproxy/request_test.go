package fastproxy

import (
	"bufio"
	"bytes"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
)

// head writes the request head for in (after the Rewrite hook, if any)
// and returns it.
func head(tb testing.TB, p *Proxy, in *http.Request) (string, error) {
	tb.Helper()
	x := p.getExchange(nil, in)
	defer p.done(x)
	if err := p.prepare(x); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	writeHead(bw, x)
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	return buf.String(), nil
}

func mustNew(tb testing.TB, rawURL string, cfg Config) *Proxy {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Target = u
	p, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestWriteHead(t *testing.T) {
	p := mustNew(t, "http://app:8080/base?k=v", Config{Rewrite: func(in *http.Request, out *Outgoing) {
		out.Header.Set("X-Real-Ip", "192.0.2.1")
	}})
	tests := []struct {
		name   string
		method string
		target string
		header http.Header
		body   string
		want   string
	}{
		{"GET", "GET", "/a?b=c", nil, "",
			"GET /base/a?k=v&b=c HTTP/1.1\r\nHost: app:8080\r\nX-Real-Ip: 192.0.2.1\r\n\r\n"},
		{"POST", "POST", "/p", nil, "abc",
			"POST /base/p?k=v HTTP/1.1\r\nHost: app:8080\r\nContent-Length: 3\r\nX-Real-Ip: 192.0.2.1\r\n\r\n"},
		{"POST no body", "POST", "/p", nil, "",
			"POST /base/p?k=v HTTP/1.1\r\nHost: app:8080\r\nContent-Length: 0\r\nX-Real-Ip: 192.0.2.1\r\n\r\n"},
		{"client header", "GET", "/", http.Header{"Accept": {"*/*"}}, "",
			"GET /base/?k=v HTTP/1.1\r\nHost: app:8080\r\nAccept: */*\r\nX-Real-Ip: 192.0.2.1\r\n\r\n"},
		{"client header replaced by hook", "GET", "/", http.Header{"X-Real-Ip": {"6.6.6.6"}}, "",
			"GET /base/?k=v HTTP/1.1\r\nHost: app:8080\r\nX-Real-Ip: 192.0.2.1\r\n\r\n"},
		// Keys as a handler might set them, not canonical; Connection is
		// read under its canonical key only, as ReverseProxy does (the
		// server canonicalizes every key it parses).
		{"hop-by-hop in any case", "GET", "/", http.Header{"Connection": {"x-a"}, "X-A": {"1"}, "connection": {"x"}, "keep-alive": {"1"}, "x-forwarded-for": {"1.1.1.1"}}, "",
			"GET /base/?k=v HTTP/1.1\r\nHost: app:8080\r\nX-Real-Ip: 192.0.2.1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			r, _ := http.NewRequest(tt.method, "http://front"+tt.target, nil)
			if tt.body != "" {
				body = strings.NewReader(tt.body)
				r, _ = http.NewRequest(tt.method, "http://front"+tt.target, body)
			}
			if tt.header != nil {
				r.Header = tt.header
			}
			got, err := head(t, p, r)
			if err != nil || got != tt.want {
				t.Errorf("writeHead(%s %s) =\n%q, %v\nwant\n%q", tt.method, tt.target, got, err, tt.want)
			}
		})
	}
}

// TestWriteHeadEveryByte puts every byte value into a client header name,
// a client header value, a hook header name and a hook header value: the
// head always parses as one request, and a byte that is not allowed is
// never written.
func TestWriteHeadEveryByte(t *testing.T) {
	for c := range 256 {
		b := string([]byte{byte(c)})
		p := mustNew(t, "http://app", Config{Rewrite: func(in *http.Request, out *Outgoing) {
			out.Header["X-Hook-"+b+"-Name"] = []string{"v"}
			out.Header["X-Hook-Value"] = []string{"a" + b + "z"}
		}})
		r, _ := http.NewRequest("GET", "http://front/", nil)
		r.Header["X-Client-"+b+"-Name"] = []string{"v"}
		r.Header["X-Client-Value"] = []string{"a" + b + "z"}
		got, err := head(t, p, r)
		if err != nil {
			t.Fatalf("byte %#x: %v", c, err)
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(got)))
		if err != nil {
			t.Fatalf("byte %#x: head does not parse: %v\n%q", c, err, got)
		}
		lines := strings.Split(strings.TrimSuffix(got, "\r\n\r\n"), "\r\n")
		if n := len(lines) - 1; n != len(req.Header)+1 { // +1: Host is not in req.Header
			t.Errorf("byte %#x: %d header lines, %d parsed headers:\n%q", c, n, len(req.Header), got)
		}
		valueOK := c >= ' ' && c != 0x7f || c == '\t'
		nameOK := isTokenByte[c]
		for _, tc := range []struct {
			key  string
			want bool
		}{
			{"X-Client-Value", valueOK},
			{"X-Hook-Value", valueOK},
			{"X-Client-" + b + "-Name", nameOK},
			{textproto.CanonicalMIMEHeaderKey("X-Hook-" + b + "-Name"), nameOK}, // hook keys are canonicalized
		} {
			if written := strings.Contains(got, "\r\n"+tc.key+": "); written != tc.want {
				t.Errorf("byte %#x: %s written = %v, want %v\n%q", c, tc.key, written, tc.want, got)
			}
		}
	}
}

func TestSkipRequestHeader(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Connection", true}, {"connection", true}, {"CONNECTION", true},
		{"Proxy-Connection", true}, {"Keep-Alive", true}, {"Proxy-Authenticate", true},
		{"Proxy-Authorization", true}, {"Te", true}, {"te", true}, {"Trailer", true},
		{"Transfer-Encoding", true}, {"Upgrade", true}, {"Forwarded", true},
		{"X-Forwarded-For", true}, {"x-forwarded-for", true}, {"X-Forwarded-Host", true},
		{"X-Forwarded-Proto", true}, {"Host", true}, {"Content-Length", true}, {"User-Agent", true},
		{"Accept", false}, {"Cookie", false}, {"Authorization", false}, {"X-Forwarded-Port", false},
		{"Trailers", false}, {"Tee", false}, {"", false},
	}
	for _, tt := range tests {
		if got := skipRequestHeader(tt.name); got != tt.want {
			t.Errorf("skipRequestHeader(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNamedIn(t *testing.T) {
	tests := []struct {
		conn []string
		name string
		want bool
	}{
		{[]string{"keep-alive, X-Secret"}, "X-Secret", true},
		{[]string{"keep-alive,x-secret"}, "X-Secret", true},
		{[]string{"keep-alive", " X-Secret "}, "X-Secret", true},
		{[]string{"X-Secret-2"}, "X-Secret", false},
		{[]string{"close"}, "X-Secret", false},
		{[]string{",,"}, "X-Secret", false},
		{nil, "X-Secret", false},
	}
	for _, tt := range tests {
		if got := namedIn(tt.conn, tt.name); got != tt.want {
			t.Errorf("namedIn(%q, %q) = %v, want %v", tt.conn, tt.name, got, tt.want)
		}
	}
}

func TestRemoveHopByHop(t *testing.T) {
	h := http.Header{
		"Connection":        {"close, X-A", "keep-alive, x-b"},
		"Close":             {"1"},
		"X-A":               {"1"},
		"X-B":               {"1"},
		"Keep-Alive":        {"1"},
		"Transfer-Encoding": {"chunked"},
		"Trailer":           {"X-T"},
		"X-Keep":            {"1"},
	}
	removeHopByHop(h)
	if len(h) != 1 || h.Get("X-Keep") != "1" {
		t.Errorf("removeHopByHop left %v, want only X-Keep", h)
	}
}

func TestCleanQueryParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a=1&b=2", "a=1&b=2"},
		{"q=%20x%2B", "q=%20x%2B"},
		{"a=1;b=2", ""},
		{"a=1&b=2;c=3", "a=1"},
		{"a=%zz&b=2", "b=2"},
		{"a=%", ""},
		{"b=2&a=%4", "b=2"},
	}
	for _, tt := range tests {
		if got := cleanQueryParams(tt.in); got != tt.want {
			t.Errorf("cleanQueryParams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
