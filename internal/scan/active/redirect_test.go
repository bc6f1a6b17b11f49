package active

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestRedirect(t *testing.T) {
	safe := func(w http.ResponseWriter, r *http.Request, next string) {
		// The fixed twin: a path on this site, or the allowlisted host.
		u, err := url.Parse(next)
		switch {
		case err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(next, "/") &&
			!strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\t\r\n"):
		case err == nil && u.Scheme == "https" && u.Host == "partner.example" && u.User == nil:
		default:
			next = "/"
		}
		http.Redirect(w, r, next, http.StatusFound)
	}
	tests := []struct {
		name string
		h    func(w http.ResponseWriter, r *http.Request, next string)
		want bool
	}{
		{"any URL", func(w http.ResponseWriter, r *http.Request, next string) {
			http.Redirect(w, r, next, http.StatusFound)
		}, true},
		{"prefix check for a path", func(w http.ResponseWriter, r *http.Request, next string) {
			if !strings.HasPrefix(next, "/") {
				next = "/"
			}
			w.Header().Set("Location", next)
			w.WriteHeader(http.StatusSeeOther)
		}, true},
		{"no slash slash but backslash", func(w http.ResponseWriter, r *http.Request, next string) {
			if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
				next = "/"
			}
			w.Header().Set("Location", next)
			w.WriteHeader(http.StatusFound)
		}, true},
		{"contains the trusted host", func(w http.ResponseWriter, r *http.Request, next string) {
			if !strings.HasPrefix(next, "https://partner.example") {
				next = "/"
			}
			http.Redirect(w, r, next, http.StatusFound)
		}, true},
		{"meta refresh", func(w http.ResponseWriter, r *http.Request, next string) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head><meta http-equiv="Refresh" content="0; URL='%s'"></head><body>Redirecting</body></html>`, next)
		}, true},
		{"script location", func(w http.ResponseWriter, r *http.Request, next string) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><script>window.location.href = "%s";</script></body></html>`, strings.ReplaceAll(next, "/", `\/`))
		}, true},
		{"refresh header", func(w http.ResponseWriter, r *http.Request, next string) {
			w.Header().Set("Refresh", "1;url="+next)
			fmt.Fprint(w, "bye")
		}, true},

		{"allowlist", safe, false},
		{"next kept in query", func(w http.ResponseWriter, r *http.Request, next string) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusFound)
		}, false},
		{"link, not a redirect", func(w http.ResponseWriter, r *http.Request, next string) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><a href="%s">continue</a><script>var next = "%s";</script></body></html>`, next, next)
		}, false},
		{"location on a 200", func(w http.ResponseWriter, r *http.Request, next string) {
			w.Header().Set("Location", next)
			fmt.Fprint(w, "ok")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.h(w, r, r.URL.Query().Get("next"))
			}))
			defer srv.Close()
			p := queryPoint(t, srv, "/login", "next", "https://partner.example/home")
			res, err := Redirect(context.Background(), ClientSender{srv.Client()}, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res) > 0; got != tt.want {
				t.Fatalf("Redirect found %v, want %v: %+v", got, tt.want, res)
			}
			if tt.want {
				if r := res[0]; r.Check != "redirect.open" || r.Detail == "" || r.Request == "" {
					t.Errorf("result %+v", r)
				}
			}
		})
	}
}

func TestRedirectCandidate(t *testing.T) {
	u, _ := url.Parse("https://app.example/a")
	tests := []struct {
		kind        Kind
		name, value string
		want        bool
	}{
		{Query, "next", "", true},
		{Query, "returnUrl", "x", true},
		{Query, "redirect_uri", "", true},
		{JSON, "auth.callback", "", true},
		{Form, "dest", "", true},
		{Query, "q", "/docs/intro", true},
		{Query, "site", "https://x.example/", true},
		{Query, "q", "shoes", false},
		{Query, "page", "2", false},
		{Header, "Referer", "https://x.example/", false},
	}
	for _, tt := range tests {
		p := Point{Kind: tt.kind, Name: tt.name, Value: tt.value, URL: u}
		if got := redirectCandidate(p); got != tt.want {
			t.Errorf("redirectCandidate(%s=%q) = %v, want %v", p, tt.value, got, tt.want)
		}
	}
}

func TestRedirectHost(t *testing.T) {
	https, _ := url.Parse("https://app.example/login")
	http, _ := url.Parse("http://app.example/login")
	tests := []struct {
		base *url.URL
		loc  string
		want string
	}{
		{https, "https://evil.example/", "evil.example"},
		{https, "HTTPS://EVIL.example:8443/x", "evil.example"},
		{https, "//evil.example/", "evil.example"},
		{https, `/\evil.example/`, "evil.example"},
		{https, `\\evil.example`, "evil.example"},
		{https, "/\t/evil.example", "evil.example"},
		{https, " \x01//evil.example", "evil.example"},
		{https, "///evil.example", "evil.example"},
		{https, "https:evil.example", "app.example"},
		{http, "https:evil.example", "evil.example"},
		{https, "http:/\\evil.example", "evil.example"},
		{https, "https://app.example@evil.example/", "evil.example"},
		{https, "https://evil.example.", "evil.example"},
		{https, "https://%65vil.example/", "evil.example"},
		{https, "/evil.example", "app.example"},
		{https, "evil.example/", "app.example"},
		{https, "?next=//evil.example", "app.example"},
		{https, "javascript:alert(1)", ""},
		{https, "mailto:a@evil.example", ""},
	}
	for _, tt := range tests {
		if got := redirectHost(tt.base, tt.loc); got != tt.want {
			t.Errorf("redirectHost(%s, %q) = %q, want %q", tt.base, tt.loc, got, tt.want)
		}
	}
}

func TestRefreshURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0; url=https://x.example/", "https://x.example/"},
		{"5;URL='/a b'", "/a b"},
		{`0, "//x"`, "//x"},
		{"10", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got, _ := redirectRefreshURL(tt.in); got != tt.want {
			t.Errorf("redirectRefreshURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzRedirectHost(f *testing.F) {
	for _, s := range []string{"https://a.example/", "//a", `/\a`, "https:a", "a@b:1", "javascript:x", "%zz//"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/")
	f.Fuzz(func(t *testing.T, loc string) {
		if len(loc) > 4096 {
			return
		}
		h := redirectHost(base, loc)
		if h != strings.ToLower(h) && !strings.ContainsRune(h, '%') {
			// A percent-decoded host may hold any bytes, but never
			// upper case from the input.
			t.Fatalf("redirectHost(%q) = %q, not lowercase", loc, h)
		}
		// A URL with no slashes, backslashes, controls or scheme is
		// relative: it stays on the page's host.
		if !strings.ContainsAny(loc, "/\\:\t\n\r") && strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' }) == loc && h != "app.example" {
			t.Fatalf("redirectHost(%q) = %q, want the page's host", loc, h)
		}
		_, _ = redirectRefreshURL(loc)
		_ = redirectJSUnquote(loc)
	})
}
