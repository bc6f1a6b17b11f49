package scan

import (
	"net/http"
	"strings"
	"testing"
)

// one serves a single HTML page at / with headers h.
func one(h map[string]string, body string, cookies ...string) site {
	return site{"/": {header: h, body: body, cookie: cookies}}
}

// withLinked serves an HTML page at / that links to path, served as p.
func withLinked(path string, p fixturePage) site {
	return site{
		"/":  {header: hardened(), body: htmlPage(`<a href="` + path + `">x</a>`)},
		path: p,
	}
}

// corsHandler answers with CORS headers chosen by allow.
func corsHandler(allow func(origin string) (acao string, creds bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range hardened() {
			w.Header().Set(k, v)
		}
		if o := r.Header.Get("Origin"); o != "" {
			if acao, creds := allow(o); acao != "" {
				w.Header().Set("Access-Control-Allow-Origin", acao)
				if creds {
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
				w.Header().Add("Vary", "Origin")
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"user":"alice"}`))
	})
}

const pemBody = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naNDHKN9HQcSqJ6ZlyOC3RnWq1VqHbbwLBQjF7xSp3QaDRxZDn6aPCT1dStLmAmB9\n-----END RSA PRIVATE KEY-----\n"

const jqueryBanner = "/*! jQuery v%s | (c) JS Foundation and other contributors | jquery.org/license */\n!function(e,t){\"use strict\"}(window);"

// TestPassiveChecks runs every passive check against a fixture with the
// flaw, which it must report, and the fixture's fixed twin, which it
// must not.
func TestPassiveChecks(t *testing.T) {
	tests := []struct {
		name, check string
		tls         bool
		vuln, fixed http.Handler
	}{
		// HSTS
		{"hsts missing", "headers.hsts", true,
			one(with("Strict-Transport-Security", ""), htmlPage("hi")), one(hardened(), htmlPage("hi"))},
		{"hsts short", "headers.hsts.weak", true,
			one(with("Strict-Transport-Security", "max-age=3600"), htmlPage("hi")), one(hardened(), htmlPage("hi"))},
		{"hsts without max-age", "headers.hsts.weak", true,
			one(with("Strict-Transport-Security", "includeSubDomains"), htmlPage("hi")), one(with("Strict-Transport-Security", "max-age=15552000"), htmlPage("hi"))},
		// CSP
		{"csp missing", "headers.csp", false,
			one(with("Content-Security-Policy", ""), htmlPage("hi")), one(hardened(), htmlPage("hi"))},
		{"csp report-only is not protection", "headers.csp", false,
			one(with("Content-Security-Policy", "", "Content-Security-Policy-Report-Only", "default-src 'self'"), htmlPage("hi")),
			one(with("Content-Security-Policy", ""), `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; base-uri 'none'"></head><body>hi</body></html>`)},
		{"csp unsafe-inline", "headers.csp.unsafe-inline", false,
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-r4nd0m' 'unsafe-inline'; object-src 'none'; base-uri 'none'"), htmlPage("hi"))},
		{"csp unsafe-inline in default-src", "headers.csp.unsafe-inline", false,
			one(with("Content-Security-Policy", "default-src 'self' 'unsafe-inline'; base-uri 'self'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self' 'unsafe-inline'; script-src 'self'; base-uri 'self'"), htmlPage("hi"))},
		{"csp unsafe-eval", "headers.csp.unsafe-eval", false,
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-eval'; base-uri 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; base-uri 'none'"), htmlPage("hi"))},
		{"csp wildcard scheme", "headers.csp.wildcard", false,
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'self' https:; base-uri 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0m' 'strict-dynamic' https:; base-uri 'none'"), htmlPage("hi"))},
		{"csp star", "headers.csp.wildcard", false,
			one(with("Content-Security-Policy", "default-src *; base-uri 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self' https://cdn.example.com; base-uri 'none'"), htmlPage("hi"))},
		{"csp data: scripts", "headers.csp.wildcard", false,
			one(with("Content-Security-Policy", "default-src 'self'; script-src 'self' data:"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self'; img-src data:"), htmlPage("hi"))},
		{"csp without script-src or default-src", "headers.csp.wildcard", false,
			one(with("Content-Security-Policy", "frame-ancestors 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "frame-ancestors 'none'; script-src 'self'"), htmlPage("hi"))},
		{"csp object-src", "headers.csp.object-src", false,
			one(with("Content-Security-Policy", "script-src 'self'; base-uri 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self'; base-uri 'none'"), htmlPage("hi"))},
		{"csp base-uri", "headers.csp.base-uri", false,
			one(with("Content-Security-Policy", "default-src 'self'; object-src 'none'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'self'"), htmlPage("hi"))},
		{"csp two policies: the strict one wins", "headers.csp.unsafe-inline", false,
			one(with("Content-Security-Policy", "script-src 'unsafe-inline', default-src * 'unsafe-inline'"), htmlPage("hi")),
			one(with("Content-Security-Policy", "script-src 'unsafe-inline', default-src 'self'"), htmlPage("hi"))},
		// Framing, nosniff, Referrer-Policy
		{"no framing protection", "headers.framing", false,
			one(with("X-Frame-Options", "", "Content-Security-Policy", "default-src 'self'"), htmlPage("hi")),
			one(with("X-Frame-Options", "", "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"), htmlPage("hi"))},
		{"x-frame-options allow-from only", "headers.framing", false,
			one(with("X-Frame-Options", "ALLOW-FROM https://a.example", "Content-Security-Policy", "default-src 'self'"), htmlPage("hi")),
			one(with("X-Frame-Options", "SAMEORIGIN", "Content-Security-Policy", "default-src 'self'"), htmlPage("hi"))},
		{"nosniff missing", "headers.content-type-options", false,
			one(with("X-Content-Type-Options", ""), htmlPage("hi")), one(hardened(), htmlPage("hi"))},
		{"nosniff missing on a script", "headers.content-type-options", false,
			withLinked("/app.js", fixturePage{ctype: "text/javascript", body: "var a=1;"}),
			withLinked("/app.js", fixturePage{ctype: "text/javascript", header: hardened(), body: "var a=1;"})},
		{"referrer-policy missing", "headers.referrer-policy", false,
			one(with("Referrer-Policy", ""), htmlPage("hi")),
			one(with("Referrer-Policy", ""), `<html><head><meta name="referrer" content="no-referrer"></head><body>hi</body></html>`)},
		{"referrer-policy unsafe-url", "headers.referrer-policy.unsafe", false,
			one(with("Referrer-Policy", "unsafe-url"), htmlPage("hi")),
			one(with("Referrer-Policy", "unsafe-url, strict-origin"), htmlPage("hi"))},
		// Cookies
		{"cookie without Secure", "cookies.secure", true,
			one(hardened(), htmlPage("hi"), "sid=s3cr3tsession; Path=/; HttpOnly; SameSite=Lax"),
			one(hardened(), htmlPage("hi"), "sid=s3cr3tsession; Path=/; HttpOnly; Secure; SameSite=Lax")},
		{"session cookie without HttpOnly", "cookies.httponly", false,
			one(hardened(), htmlPage("hi"), "PHPSESSID=abcdef0123456789; Path=/; SameSite=Lax"),
			one(hardened(), htmlPage("hi"), "PHPSESSID=abcdef0123456789; Path=/; HttpOnly; SameSite=Lax", "theme=dark; Path=/; SameSite=Lax", "csrftoken=abc123xyz; Path=/; SameSite=Lax")},
		{"cookie without SameSite", "cookies.samesite", false,
			one(hardened(), htmlPage("hi"), "theme=dark; Path=/"),
			one(hardened(), htmlPage("hi"), "theme=dark; Path=/; SameSite=Strict", "old=; Path=/; Max-Age=0")},
		// CORS
		{"cors reflects any origin with credentials", "cors.reflect-credentials", false,
			corsHandler(func(o string) (string, bool) { return o, true }),
			corsHandler(func(o string) (string, bool) {
				if o == "https://app.example" {
					return o, true
				}
				return "", false
			})},
		{"cors trusts null with credentials", "cors.null-origin-credentials", false,
			corsHandler(func(o string) (string, bool) { return o, o == "null" }),
			corsHandler(func(o string) (string, bool) { return "*", false })},
		{"cors trusts null", "cors.null-origin", false,
			corsHandler(func(o string) (string, bool) {
				if o == "null" {
					return "null", false
				}
				return "", false
			}),
			corsHandler(func(o string) (string, bool) { return "https://app.example", true })},
		{"cors reflects any origin", "cors.reflect", false,
			corsHandler(func(o string) (string, bool) { return o, false }),
			corsHandler(func(o string) (string, bool) { return "*", false })},
		// Banners
		{"server version banner", "info.banner", false,
			one(with("Server", "Apache/2.4.49 (Unix)"), htmlPage("hi")), one(hardened(), htmlPage("hi"))},
		{"x-powered-by banner", "info.banner", false,
			one(with("X-Powered-By", "PHP/7.1.33"), htmlPage("hi")), one(hardened(), htmlPage("hi"))},
		{"generator banner", "info.banner", false,
			one(hardened(), `<html><head><meta name="generator" content="WordPress 5.8.1"></head><body>hi</body></html>`), one(hardened(), htmlPage("hi"))},
		// Stack traces and debug pages
		{"python traceback", "info.stack-trace", false,
			one(hardened(), htmlPage("<pre>Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 42, in index\n    x = 1/0\nZeroDivisionError: division by zero</pre>")),
			one(hardened(), htmlPage("<p>A Python traceback (most recent call last) shows where an error happened.</p>"))},
		{"java stack trace", "info.stack-trace", false,
			one(hardened(), htmlPage("java.lang.NullPointerException\n\tat com.acme.shop.CartController.add(CartController.java:88)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)")),
			one(hardened(), htmlPage("Download Main.java: 3 lines. We are at com.acme headquarters."))},
		{"php fatal error", "info.stack-trace", false,
			one(hardened(), htmlPage("<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function mysql_connect() in /var/www/html/db.php:4 in <b>/var/www/html/db.php</b> on line <b>4</b><br />")),
			one(hardened(), htmlPage("<p>Errors are logged on line with our policy.</p>"))},
		{"asp.net error page", "info.stack-trace", false,
			one(hardened(), htmlPage("<h1>Server Error in '/' Application.</h1><h2><i>Object reference not set to an instance of an object.</i></h2>")),
			one(hardened(), htmlPage("<h1>Server Error</h1><p>Please try again.</p>"))},
		{"go panic", "info.stack-trace", false,
			one(hardened(), htmlPage("panic: runtime error: index out of range [3] with length 3\n\ngoroutine 17 [running]:\nmain.handler(...)\n\t/src/app/main.go:31 +0x1d")),
			one(hardened(), htmlPage("Our gophers are running."))},
		{"node stack trace", "info.stack-trace", false,
			one(hardened(), htmlPage("<pre>TypeError: Cannot read properties of undefined (reading 'id')<br> &nbsp; &nbsp;at Object.&lt;anonymous&gt; (/app/server.js:12:20)\n    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)\n    at next (/app/node_modules/express/lib/router/route.js:137:13)</pre>")),
			one(hardened(), htmlPage("Meet us at Object Park (/map) at 10:30."))},
		{"ruby backtrace", "info.stack-trace", false,
			one(hardened(), htmlPage("/app/models/user.rb:12:in `find'\n/app/controllers/users_controller.rb:5:in `show'")),
			one(hardened(), htmlPage("See config.rb for details."))},
		{"django debug page", "info.debug-page", false,
			one(hardened(), htmlPage("<p>You&#x27;re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>")),
			one(hardened(), htmlPage("<p>Set DEBUG = False before you deploy.</p>"))},
		{"laravel whoops page", "info.debug-page", false,
			one(hardened(), "<html><head><title>Whoops! There was an error.</title></head><body>x</body></html>"),
			one(hardened(), htmlPage("Whoops, that page is gone."))},
		{"laravel ignition page", "info.debug-page", false,
			one(hardened(), htmlPage("<script>window.ignite({report: {}})</script>")),
			one(hardened(), htmlPage("Ignition timing for your car."))},
		{"rails exception page", "info.debug-page", false,
			one(hardened(), "<html><head><title>Action Controller: Exception caught</title></head><body>x</body></html>"),
			one(hardened(), htmlPage("We're sorry, but something went wrong."))},
		{"phpinfo page", "info.debug-page", false,
			withLinked("/info.php", fixturePage{header: hardened(), body: "<html><head><title>PHP 8.1.2 - phpinfo()</title></head><body>x</body></html>"}),
			withLinked("/info.php", fixturePage{header: hardened(), body: htmlPage("Call phpinfo() to see settings.")})},
		{"werkzeug debugger", "info.debug-console", false,
			one(hardened(), htmlPage("<p>The debugger caught an exception in your WSGI application.</p>")),
			one(hardened(), htmlPage("<p>Use a debugger in development.</p>"))},
		// Private addresses, keys
		{"private ip in body", "info.internal-ip", false,
			one(hardened(), htmlPage("<!-- backend 10.0.12.7:8080 -->")),
			one(hardened(), htmlPage("version 10.0.12.7.1, build 192.168.300.1, public 8.8.8.8"))},
		{"private ip in header", "info.internal-ip", false,
			one(with("X-Backend-Server", "192.168.1.20"), htmlPage("hi")), one(with("X-Backend-Server", "app-3"), htmlPage("hi"))},
		{"private key", "info.private-key", false,
			withLinked("/key.pem", fixturePage{ctype: "text/plain", header: hardened(), body: pemBody}),
			withLinked("/key.pem", fixturePage{ctype: "text/plain", header: hardened(), body: "Paste your -----BEGIN PRIVATE KEY----- block here."})},
		{"aws key", "info.cloud-key", false,
			withLinked("/config.js", fixturePage{ctype: "application/javascript", header: hardened(), body: `var cfg = {accessKeyId: "AKIA2E0A8F3B244C9986", region: "eu-west-1"};`}),
			withLinked("/config.js", fixturePage{ctype: "application/javascript", header: hardened(), body: `var cfg = {accessKeyId: "AKIAIOSFODNN7EXAMPLE"};`})},
		{"github token", "info.cloud-key", false,
			one(hardened(), htmlPage("token: ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")),
			one(hardened(), htmlPage("token: ghp_ (your token here)"))},
		{"stripe secret key", "info.cloud-key", false,
			one(hardened(), htmlPage("Stripe.setKey('sk_live_4eC39HqLyjWDarjtT1zdp7dc')")),
			one(hardened(), htmlPage("Stripe('pk_live_4eC39HqLyjWDarjtT1zdp7dc')"))},
		{"slack token", "info.cloud-key", false,
			one(hardened(), htmlPage("xoxb-2401234567-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")),
			one(hardened(), htmlPage("xox is not a token"))},
		// Content
		{"apache directory listing", "content.directory-listing", false,
			withLinked("/files/", fixturePage{header: hardened(), body: "<html><head><title>Index of /files</title></head><body><h1>Index of /files</h1><a href=\"a.txt\">a.txt</a></body></html>"}),
			withLinked("/files/", fixturePage{header: hardened(), body: "<html><head><title>Index of products</title></head><body>x</body></html>"})},
		{"python http.server listing", "content.directory-listing", false,
			one(hardened(), "<html><head><title>Directory listing for /</title></head><body><h1>Directory listing for /</h1></body></html>"),
			one(hardened(), htmlPage("Directory listing for our shops"))},
		{"serve-index listing", "content.directory-listing", false,
			withLinked("/ftp", fixturePage{header: hardened(), body: "<html><head><title>listing directory /ftp</title></head><body>x</body></html>"}),
			withLinked("/ftp", fixturePage{header: hardened(), body: htmlPage("FTP listing coming soon")})},
		{"mixed active content", "content.mixed-active", true,
			one(hardened(), htmlPage(`<script src="http://cdn.example.net/app.js"></script>`)),
			one(hardened(), htmlPage(`<script src="https://cdn.example.net/app.js"></script><a href="http://other.example/">plain link</a>`))},
		{"form posts over http", "content.mixed-active", true,
			one(hardened(), htmlPage(`<form method="post" action="http://example.com/login"><input name="u"></form>`)),
			one(hardened(), htmlPage(`<form method="post" action="/login"><input name="u"></form>`))},
		{"mixed content upgraded by the policy", "content.mixed-active", true,
			one(hardened(), htmlPage(`<iframe src="http://example.com/frame"></iframe>`)),
			one(with("Content-Security-Policy", "default-src 'self'; upgrade-insecure-requests"), htmlPage(`<iframe src="http://example.com/frame"></iframe>`))},
		{"mixed passive content", "content.mixed-passive", true,
			one(hardened(), htmlPage(`<img src="http://img.example.net/a.png">`)),
			one(hardened(), htmlPage(`<img src="//img.example.net/a.png">`))},
		// JavaScript libraries
		{"vulnerable jquery from a CDN", "components.js-library", false,
			one(hardened(), htmlPage(`<script src="https://code.jquery.com/jquery-1.12.4.min.js"></script>`)),
			one(hardened(), htmlPage(`<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>`))},
		{"vulnerable jquery by banner", "components.js-library", false,
			withLinked("/js/vendor.js", fixturePage{ctype: "application/javascript", header: hardened(), body: strings.Replace(jqueryBanner, "%s", "3.4.1", 1)}),
			withLinked("/js/vendor.js", fixturePage{ctype: "application/javascript", header: hardened(), body: strings.Replace(jqueryBanner, "%s", "3.7.1", 1)})},
		{"vulnerable bootstrap by cdn path", "components.js-library", false,
			one(hardened(), htmlPage(`<script src="https://maxcdn.bootstrapcdn.com/bootstrap/3.3.7/js/bootstrap.min.js"></script>`)),
			one(hardened(), htmlPage(`<script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js"></script>`))},
		{"vulnerable lodash by banner", "components.js-library", false,
			withLinked("/lodash.js", fixturePage{ctype: "application/javascript", header: hardened(), body: "/**\n * @license\n * lodash 4.17.4 (Custom Build) <https://lodash.com/>\n */\n;(function(){})();"}),
			withLinked("/lodash.js", fixturePage{ctype: "application/javascript", header: hardened(), body: "/**\n * @license\n * lodash 4.18.1 (Custom Build) <https://lodash.com/>\n */\n;(function(){})();"})},
		{"angularjs is end of life", "components.js-library", false,
			one(hardened(), htmlPage(`<script src="https://ajax.googleapis.com/ajax/libs/angularjs/1.8.3/angular.min.js"></script>`)),
			one(hardened(), htmlPage(`<script src="/js/angular-router.js"></script>`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				h    http.Handler
				want bool
			}{{tt.vuln, true}, {tt.fixed, false}} {
				cfg := fastConfig("")
				if tt.tls {
					cfg.Target, cfg.Client = serveTLS(t, c.h)
				} else {
					cfg.Target = serve(t, c.h)
				}
				rep := runScan(t, cfg)
				got := find(rep, tt.check)
				if c.want && len(got) == 0 {
					t.Errorf("vulnerable fixture: no %s finding; got %q", tt.check, checks(rep))
				}
				if !c.want && len(got) > 0 {
					t.Errorf("fixed twin: reported %s: %+v", tt.check, got[0])
				}
			}
		})
	}
}
