package harden

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"rampart/internal/events"
	"rampart/internal/request"
)

func defaultConfig() Config {
	return Config{
		ContentSecurityPolicy:   "default-src 'self'",
		ContentTypeOptions:      "nosniff",
		FrameOptions:            "DENY",
		ReferrerPolicy:          "strict-origin-when-cross-origin",
		PermissionsPolicy:       "camera=()",
		CrossOriginOpenerPolicy: "same-origin",
		HSTS:                    "max-age=31536000",
		Remove:                  []string{"Server", "X-Powered-By", "x-aspnet-version"},
		CookieSecure:            true,
		CookieHTTPOnly:          true,
		CookieSameSite:          "lax",
		Mask5xx:                 true,
	}
}

func response(tb testing.TB, status int, isTLS bool, h http.Header, body string) *http.Response {
	tb.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	info := &request.Info{ID: "req-123"}
	if isTLS {
		info.TLS = &tls.ConnectionState{}
	}
	req = req.WithContext(request.NewContext(req.Context(), info))
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req, ContentLength: int64(len(body))}
}

func TestHeaders(t *testing.T) {
	p := New(defaultConfig(), nil)
	tests := []struct {
		name   string
		isTLS  bool
		in     http.Header
		header string
		want   string
	}{
		{"adds csp", false, nil, "Content-Security-Policy", "default-src 'self'"},
		{"keeps upstream csp", false, http.Header{"Content-Security-Policy": {"default-src *"}}, "Content-Security-Policy", "default-src *"},
		{"adds nosniff", false, nil, "X-Content-Type-Options", "nosniff"},
		{"adds frame options", false, nil, "X-Frame-Options", "DENY"},
		{"adds referrer policy", false, nil, "Referrer-Policy", "strict-origin-when-cross-origin"},
		{"adds permissions policy", false, nil, "Permissions-Policy", "camera=()"},
		{"adds coop", false, nil, "Cross-Origin-Opener-Policy", "same-origin"},
		{"no hsts on http", false, nil, "Strict-Transport-Security", ""},
		{"hsts on https", true, nil, "Strict-Transport-Security", "max-age=31536000"},
		{"strips server", false, http.Header{"Server": {"Apache/2.4.1"}}, "Server", ""},
		{"strips powered by", false, http.Header{"X-Powered-By": {"PHP/5.6"}}, "X-Powered-By", ""},
		{"strips aspnet", false, http.Header{"X-Aspnet-Version": {"4.0"}}, "X-Aspnet-Version", ""},
		{"cookie flags on http", false, http.Header{"Set-Cookie": {"sid=abc; Path=/"}}, "Set-Cookie", "sid=abc; Path=/; HttpOnly; SameSite=Lax"},
		{"cookie flags on https", true, http.Header{"Set-Cookie": {"sid=abc"}}, "Set-Cookie", "sid=abc; Secure; HttpOnly; SameSite=Lax"},
		{"cookie keeps own flags", true, http.Header{"Set-Cookie": {"sid=abc; secure; HTTPONLY; samesite=Strict"}}, "Set-Cookie", "sid=abc; secure; HTTPONLY; samesite=Strict"},
		{"cookie value with secure word", true, http.Header{"Set-Cookie": {"secure=1"}}, "Set-Cookie", "secure=1; Secure; HttpOnly; SameSite=Lax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := response(t, 200, tt.isTLS, tt.in, "ok")
			if err := p.ModifyResponse(resp); err != nil {
				t.Fatal(err)
			}
			if got := resp.Header.Get(tt.header); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestOverride(t *testing.T) {
	cfg := defaultConfig()
	cfg.Override = true
	p := New(cfg, nil)
	resp := response(t, 200, true, http.Header{"Content-Security-Policy": {"default-src *"}, "Strict-Transport-Security": {"max-age=0"}}, "")
	_ = p.ModifyResponse(resp)
	if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'self'" {
		t.Errorf("CSP = %q, want override", got)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("HSTS = %q, want override", got)
	}
}

func TestEmptyValueLeavesHeader(t *testing.T) {
	cfg := defaultConfig()
	cfg.FrameOptions = ""
	p := New(cfg, nil)
	resp := response(t, 200, false, nil, "")
	_ = p.ModifyResponse(resp)
	if _, ok := resp.Header["X-Frame-Options"]; ok {
		t.Error("X-Frame-Options set although configured empty")
	}
}

func TestMask5xx(t *testing.T) {
	bus := events.NewBus("test")
	sub := bus.Subscribe("t", 10)
	p := New(defaultConfig(), bus)
	trace := "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 12\npsycopg2.errors.SyntaxError"
	resp := response(t, 500, false, http.Header{"Content-Type": {"text/plain"}, "X-Debug-Token": {"abc"}}, trace)
	_ = p.ModifyResponse(resp)
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), "Traceback") || strings.Contains(string(body), "views.py") {
		t.Errorf("masked body still leaks: %s", body)
	}
	if !strings.Contains(string(body), "req-123") {
		t.Errorf("masked body lacks request ID: %s", body)
	}
	if resp.StatusCode != 500 {
		t.Errorf("status = %d, want 500 kept", resp.StatusCode)
	}
	if resp.Header.Get("X-Debug-Token") != "" {
		t.Error("upstream debug header kept on masked response")
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("ContentLength = %d, body %d", resp.ContentLength, len(body))
	}
	select {
	case e := <-sub.C():
		if e.Type != events.ResponseMasked || e.RequestID != "req-123" {
			t.Errorf("event = %+v", e)
		}
	default:
		t.Error("no event for masked response")
	}

	cfg := defaultConfig()
	cfg.Mask5xx = false
	resp = response(t, 500, false, nil, trace)
	_ = New(cfg, nil).ModifyResponse(resp)
	body, _ = io.ReadAll(resp.Body)
	if string(body) != trace {
		t.Errorf("unmasked body = %q", body)
	}
}

func TestNon5xxBodyUntouched(t *testing.T) {
	p := New(defaultConfig(), nil)
	resp := response(t, 404, false, nil, "not here")
	_ = p.ModifyResponse(resp)
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "not here" {
		t.Errorf("404 body = %q", body)
	}
}

func BenchmarkModifyResponse(b *testing.B) {
	p := New(defaultConfig(), nil)
	resp := response(b, 200, true, http.Header{}, "")
	b.ReportAllocs()
	for b.Loop() {
		resp.Header = http.Header{"Content-Type": {"text/html"}, "Server": {"x"}}
		_ = p.ModifyResponse(resp)
	}
}

func TestTrailers(t *testing.T) {
	p := New(defaultConfig(), nil)
	resp := response(t, 500, false, nil, "boom")
	resp.Trailer = http.Header{"X-Debug-Stack": {"password=hunter2"}}
	_ = p.ModifyResponse(resp)
	if resp.Trailer != nil {
		t.Errorf("masked response keeps trailers %v", resp.Trailer)
	}
	resp = response(t, 200, false, nil, "ok")
	resp.Trailer = http.Header{"Server": {"Apache/2.2.3"}, "X-Checksum": {"abc"}}
	_ = p.ModifyResponse(resp)
	if _, ok := resp.Trailer["Server"]; ok || resp.Trailer.Get("X-Checksum") != "abc" {
		t.Errorf("trailers = %v, want Server stripped and X-Checksum kept", resp.Trailer)
	}
}
