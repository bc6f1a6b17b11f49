package scan

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHTMLOnlyChecks: CSP, framing and Referrer-Policy are about HTML
// pages; a JSON API, an image or a script without them is no finding.
func TestHTMLOnlyChecks(t *testing.T) {
	bare := map[string]string{"X-Content-Type-Options": "nosniff"}
	target := serve(t, site{
		"/":         {header: hardened(), body: htmlPage(`<a href="/api/user">api</a><a href="/logo.svg">logo</a><script src="/app.js"></script>`)},
		"/api/user": {ctype: "application/json", header: bare, body: `{"name": "bob"}`},
		"/logo.svg": {ctype: "image/svg+xml", header: bare, body: `<svg xmlns="http://www.w3.org/2000/svg"></svg>`},
		"/app.js":   {ctype: "application/javascript", header: bare, body: `console.log(1)`},
	})
	rep := runScan(t, fastConfig(target))
	if rep.Stats.Pages < 4 {
		t.Fatalf("crawled %d pages, want 4", rep.Stats.Pages)
	}
	for _, c := range []string{"headers.csp", "headers.framing", "headers.referrer-policy", "headers.content-type-options"} {
		if f := find(rep, c); len(f) > 0 {
			t.Errorf("%s reported on %v", c, f[0].URLs)
		}
	}
}

func TestHSTSOnlyWhereItApplies(t *testing.T) {
	h := one(with("Strict-Transport-Security", ""), htmlPage("hi"))
	t.Run("plain http", func(t *testing.T) {
		if f := find(runScan(t, fastConfig(serve(t, h))), "headers.hsts"); len(f) > 0 {
			t.Errorf("HSTS reported on plain HTTP: %v", f[0].URLs)
		}
	})
	t.Run("https by IP address", func(t *testing.T) {
		srv := httptest.NewTLSServer(h)
		defer srv.Close()
		cfg := fastConfig(srv.URL)
		cfg.Client = srv.Client()
		if f := find(runScan(t, cfg), "headers.hsts"); len(f) > 0 {
			t.Errorf("HSTS reported for an IP address, which browsers ignore it for: %v", f[0].URLs)
		}
	})
}

// TestErrorPagesNotHeaderChecked: a site that hardens its pages is not
// reported for the headers its 404 page lacks.
func TestErrorPagesNotHeaderChecked(t *testing.T) {
	target := serve(t, site{"/": {header: hardened(), body: htmlPage(`<a href="/gone">gone</a>`)}})
	rep := runScan(t, fastConfig(target))
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Check, "headers.") {
			t.Errorf("%s reported for %v", f.Check, f.URLs)
		}
	}
}

func TestBannerSeverity(t *testing.T) {
	tests := []struct {
		server string
		want   Severity
	}{
		{"nginx", SeverityInfo},
		{"cloudflare", SeverityInfo},
		{"nginx/1.18.0 (Ubuntu)", SeverityLow},
		{"Microsoft-IIS/10.0", SeverityLow},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			rep := runScan(t, fastConfig(serve(t, one(with("Server", tt.server), htmlPage("hi")))))
			f := find(rep, "info.banner")
			if len(f) != 1 || f[0].Severity != tt.want {
				t.Errorf("Server: %s gave %+v, want one finding of severity %s", tt.server, f, tt.want)
			}
		})
	}
}

// TestDeduplication: a header missing on every page and a cookie set on
// every page are one finding each, listing at most maxFindingURLs URLs.
func TestDeduplication(t *testing.T) {
	const n = 70
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range with("Content-Security-Policy", "") {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Add("Set-Cookie", "theme=dark; Path=/")
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `<a href="/p%d">%d</a>`, i, i)
		}
		fmt.Fprint(w, htmlPage(b.String()))
	}))
	cfg := fastConfig(target)
	cfg.MaxPages = n + 1
	rep := runScan(t, cfg)
	csp := find(rep, "headers.csp")
	if len(csp) != 1 {
		t.Fatalf("%d headers.csp findings, want 1", len(csp))
	}
	if got := len(csp[0].URLs); got != maxFindingURLs {
		t.Errorf("the finding lists %d URLs, want %d", got, maxFindingURLs)
	}
	if !strings.Contains(csp[0].Evidence.Detail, fmt.Sprintf("Seen at %d URLs", n+1)) {
		t.Errorf("Detail %q does not give the URL count", csp[0].Evidence.Detail)
	}
	if ss := find(rep, "cookies.samesite"); len(ss) != 1 || len(ss[0].URLs) != maxFindingURLs {
		t.Errorf("cookies.samesite: %d findings, want one listing %d URLs", len(ss), maxFindingURLs)
	}
}

// TestFindingFields: every finding says what, why, how to fix, where and
// shows evidence.
func TestFindingFields(t *testing.T) {
	target := serve(t, site{
		"/": {header: map[string]string{"Server": "Apache/2.4.49", "Content-Security-Policy": "default-src *"}, cookie: []string{"sid=abcdef123456"},
			body: htmlPage(`<script src="/js/jquery-1.8.3.min.js"></script><!-- 192.168.0.10 --><a href="/err">e</a>`)},
		"/js/jquery-1.8.3.min.js": {ctype: "application/javascript", body: "/*! jQuery v1.8.3 jquery.com | jquery.org/license */"},
		"/err":                    {status: 500, body: "<b>Warning</b>: include(x.php): failed to open stream in <b>/var/www/index.php</b> on line <b>3</b>"},
	})
	rep := runScan(t, fastConfig(target))
	if len(rep.Findings) < 10 {
		t.Fatalf("%d findings: %q", len(rep.Findings), checks(rep))
	}
	for _, f := range rep.Findings {
		if f.Title == "" || f.Description == "" || f.Fix == "" || f.CWE == 0 || f.OWASP == "" || len(f.References) == 0 ||
			len(f.URLs) == 0 || f.Evidence.Request == "" || f.Evidence.Response == "" || f.Evidence.Detail == "" {
			t.Errorf("incomplete finding: %+v", f)
		}
	}
}

// TestHardenedSiteClean: a site that does everything right gets no
// finding at all.
func TestHardenedSiteClean(t *testing.T) {
	cookie := "__Host-sid=abcdef0123456789; Path=/; Secure; HttpOnly; SameSite=Lax"
	h := site{
		"/": {header: hardened(), cookie: []string{cookie}, body: htmlPage(`<a href="/about">About</a><a href="/api/items">API</a>
			<script src="/js/app.js"></script><script src="https://code.jquery.com/jquery-3.7.1.min.js"></script><img src="/logo.png">
			<form method="post" action="/search"><input name="q"></form><p>Call us at 10.30 or visit 172.217.16.142.</p>`)},
		"/about":     {header: hardened(), body: htmlPage("About us: version 10.0.12.7.1 of the product.")},
		"/api/items": {ctype: "application/json", header: map[string]string{"X-Content-Type-Options": "nosniff", "Strict-Transport-Security": "max-age=31536000"}, body: `{"items": [{"href": "/about"}]}`},
		"/js/app.js": {ctype: "text/javascript", header: map[string]string{"X-Content-Type-Options": "nosniff", "Strict-Transport-Security": "max-age=31536000"}, body: `fetch("/api/items").then(r => r.json()); // see https://example.com/docs`},
	}
	target, client := serveTLS(t, h)
	cfg := fastConfig(target)
	cfg.Client = client
	rep := runScan(t, cfg)
	if rep.Stats.Pages < 4 {
		t.Fatalf("crawled %d pages", rep.Stats.Pages)
	}
	for _, f := range rep.Findings {
		t.Errorf("finding on a hardened site: %s %s at %v: %s", f.Check, f.Parameter, f.URLs, f.Evidence.Detail)
	}
}
