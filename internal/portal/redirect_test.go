package portal

import (
	"net/url"
	"strings"
	"testing"
)

var testAllowed = map[string]bool{"app.example": true, "app2.example:8443": true}

var redirectTests = []struct{ name, in, want string }{
	{"empty", "", "/"},
	{"root", "/", "/"},
	{"path", "/app/page", "/app/page"},
	{"path and query", "/app?x=1&next=%2F%2Fevil", "/app?x=1&next=%2F%2Fevil"},
	{"fragment", "/app#top", "/app#top"},
	{"encoded slashes stay a path", "/%2F%2Fevil.example", "/%2F%2Fevil.example"},
	{"allowed host", "https://app.example/x?y=1", "https://app.example/x?y=1"},
	{"allowed host with port", "https://app2.example:8443/", "https://app2.example:8443/"},
	{"allowed host in capitals", "https://APP.example/", "https://APP.example/"},
	{"protocol-relative", "//evil.example", "/"},
	{"protocol-relative, three slashes", "///evil.example", "/"},
	{"backslash", `/\evil.example`, "/"},
	{"backslashes", `\\evil.example`, "/"},
	{"backslash later", `/a\b`, "/"},
	{"other host", "https://evil.example", "/"},
	{"subdomain of nothing allowed", "https://app.example.evil.example/", "/"},
	{"allowed host without its port", "https://app2.example/", "/"},
	{"allowed host, other port", "https://app.example:444/", "/"},
	{"plain http", "http://app.example/", "/"},
	{"scheme in capitals", "HTTPS://app.example/", "/"},
	{"user information", "https://app.example@evil.example/", "/"},
	{"user information on the allowed host", "https://evil@app.example/", "/"},
	{"opaque", "https:app.example", "/"},
	{"javascript", "javascript:alert(1)", "/"},
	{"data", "data:text/html,x", "/"},
	{"relative path", "app/page", "/"},
	{"tab", "/\t/evil.example", "/"},
	{"newline", "/a\nb", "/"},
	{"CR LF", "/a\r\nSet-Cookie: x=y", "/"},
	{"NUL", "/a\x00", "/"},
	{"space", "/ /evil.example", "/"},
	{"DEL", "/a\x7f", "/"},
	{"non-ASCII", "/caf\u00e9", "/"},
	{"too long", "/" + strings.Repeat("a", maxRedirect), "/"},
	{"longest", "/" + strings.Repeat("a", maxRedirect-1), "/" + strings.Repeat("a", maxRedirect-1)},
	{"bad escape", "/%zz", "/"},
}

func TestSafeRedirect(t *testing.T) {
	for _, tt := range redirectTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeRedirect(tt.in, testAllowed); got != tt.want {
				t.Errorf("safeRedirect(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzSafeRedirect checks, against net/url's resolution of the target as a
// browser would, that what safeRedirect lets through stays on the portal's
// host or goes to an allowed host over https.
func FuzzSafeRedirect(f *testing.F) {
	for _, tt := range redirectTests {
		f.Add(tt.in)
	}
	base, _ := url.Parse("https://portal.example/.rampart/login")
	f.Fuzz(func(t *testing.T, in string) {
		got := safeRedirect(in, testAllowed)
		if got == defaultRedirect {
			return
		}
		if got != in {
			t.Fatalf("safeRedirect(%q) = %q: neither the input nor the default", in, got)
		}
		if len(got) > maxRedirect || strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("safeRedirect(%q) let through a long target or one with blanks or backslashes", in)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("safeRedirect(%q) let through what url.Parse refuses: %v", in, err)
		}
		abs := base.ResolveReference(u)
		switch {
		case abs.User != nil:
			t.Fatalf("safeRedirect(%q) let through user information", in)
		case abs.Host == "portal.example":
			if abs.Scheme != "https" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
				t.Fatalf("safeRedirect(%q): same host but not a plain path", in)
			}
		case testAllowed[strings.ToLower(abs.Host)]:
			if abs.Scheme != "https" {
				t.Fatalf("safeRedirect(%q) allowed scheme %q", in, abs.Scheme)
			}
		default:
			t.Fatalf("safeRedirect(%q) leads to host %q", in, abs.Host)
		}
	})
}
