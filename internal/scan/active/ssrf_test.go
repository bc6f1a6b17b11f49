package active

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fetchURL is what a naive "preview a link" feature does: it fetches the
// URL with the server's own client (a User-Agent of its own).
func fetchURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "file" {
		// A fetcher that also reads file: URLs (curl, urllib), from a
		// fake file system.
		if u.Path == "/etc/passwd" {
			return "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n", nil
		}
		return "", fmt.Errorf("no such file %s", u.Path)
	}
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", "preview-bot/1.0")
	cl := &http.Client{Timeout: 2 * time.Second}
	resp, err := cl.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return string(b), err
}

func TestSSRF(t *testing.T) {
	cb, err := Listen("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cb.Close() })

	tests := []struct {
		name     string
		callback bool
		h        func(w http.ResponseWriter, r *http.Request, v string)
		want     bool
	}{
		{"fetches the URL, shows it", true, func(w http.ResponseWriter, _ *http.Request, v string) {
			body, err := fetchURL(v)
			if err != nil {
				fmt.Fprint(w, "could not fetch")
				return
			}
			fmt.Fprintf(w, "<pre>%s</pre>", body)
		}, true},
		{"fetches in the background, shows nothing (blind)", true, func(w http.ResponseWriter, _ *http.Request, v string) {
			go func() {
				time.Sleep(300 * time.Millisecond)
				_, _ = fetchURL(v)
			}()
			fmt.Fprint(w, "queued")
		}, true},
		{"reads file: URLs, no listener", false, func(w http.ResponseWriter, _ *http.Request, v string) {
			body, _ := fetchURL(v)
			fmt.Fprintf(w, "<pre>%s</pre>", body)
		}, true},

		{"allowlist of hosts", true, func(w http.ResponseWriter, _ *http.Request, v string) {
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "https" || u.Hostname() != "images.example" {
				http.Error(w, "not allowed", http.StatusBadRequest)
				return
			}
			fmt.Fprint(w, "ok")
		}, false},
		{"shows the URL, fetches nothing", true, func(w http.ResponseWriter, _ *http.Request, v string) {
			fmt.Fprintf(w, `<img src="%s">`, strings.ReplaceAll(v, `"`, "&quot;"))
		}, false},
		{"redirects the browser to it", true, func(w http.ResponseWriter, r *http.Request, v string) {
			http.Redirect(w, r, v, http.StatusFound)
		}, false},
		{"a page that shows /etc/passwd anyway", false, func(w http.ResponseWriter, _ *http.Request, _ string) {
			fmt.Fprint(w, "root:x:0:0:root:/root:/bin/bash")
		}, false},
		{"file inclusion, not a fetch (traversal's finding)", false, func(w http.ResponseWriter, _ *http.Request, v string) {
			if strings.HasSuffix(v, "/etc/passwd") {
				fmt.Fprint(w, "root:x:0:0:root:/root:/bin/bash")
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.h(w, r, r.URL.Query().Get("url"))
			}))
			defer srv.Close()
			u, _ := url.Parse(srv.URL + "/preview?url=https%3A%2F%2Fimages.example%2Fa.png")
			p := Point{Method: http.MethodGet, URL: u, Kind: Query, Name: "url", Value: "https://images.example/a.png"}
			opt := Options{}
			if tt.callback {
				opt.Callback = cb
			}
			rs, err := SSRF(context.Background(), ClientSender{Client: srv.Client()}, p, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rs) > 0; got != tt.want {
				t.Fatalf("SSRF found = %v, want %v (%+v)", got, tt.want, rs)
			}
			if tt.want && (rs[0].Check != "ssrf" || !rs[0].Confirmed || rs[0].Detail == "") {
				t.Errorf("result %+v: want a confirmed ssrf with a detail", rs[0])
			}
		})
	}
}

// TestSSRFCandidate: only points that take a URL get the payloads.
func TestSSRFCandidate(t *testing.T) {
	u, _ := url.Parse("http://app.test/")
	for _, tt := range []struct {
		kind        Kind
		name, value string
		want        bool
	}{
		{Query, "url", "", true},
		{Query, "imageUrl", "x", true},
		{JSON, "profile.avatar", "a.png", true},
		{Form, "q", "https://example.com/", true},
		{Query, "q", "shoes", false},
		{Header, "Referer", "http://app.test/", false},
		{Path, "2", "https:", false},
	} {
		p := Point{URL: u, Kind: tt.kind, Name: tt.name, Value: tt.value}
		if got := ssrfCandidate(p); got != tt.want {
			t.Errorf("ssrfCandidate(%s %q=%q) = %v, want %v", tt.kind, tt.name, tt.value, got, tt.want)
		}
	}
}

// TestListener: a request under a marker's URL is a hit for that marker,
// whatever its User-Agent (a fetcher may copy the caller's).
func TestListener(t *testing.T) {
	l, err := Listen("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	req, _ := http.NewRequest(http.MethodGet, l.URL("rmpabc")+"/x.png", nil)
	req.Header.Set("User-Agent", "rampart-scan/dev")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if from, ok := l.Hit("rmpabc"); !ok || !strings.HasPrefix(from, "127.0.0.1:") {
		t.Errorf("Hit(rmpabc) = %q, %v; want a hit from 127.0.0.1", from, ok)
	}
	if _, ok := l.Hit("rmpother"); ok {
		t.Error("a marker never requested is a hit")
	}
}
