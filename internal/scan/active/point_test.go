package active

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
)

func TestPointsAndRequests(t *testing.T) {
	u, _ := url.Parse("https://app.example/items/42/view?q=shoes&page=2")
	hdr := http.Header{"Cookie": {"sid=abc; theme=dark"}, "Referer": {"https://app.example/"}}
	body := map[string]any{"user": map[string]any{"name": "alice", "age": 30.0}, "tags": []any{"a"}}
	ps := Points(http.MethodPost, u, nil, body, hdr, []string{"Referer"})
	got := map[string]string{}
	for _, p := range ps {
		got[p.String()] = p.Value
	}
	want := map[string]string{
		"query:q": "shoes", "query:page": "2", "json:user.name": "alice", "json:user.age": "30",
		"json:tags.0": "a", "path:1": "42", "header:Referer": "https://app.example/",
		"cookie:sid": "abc", "cookie:theme": "dark",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("point %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, ok := got["path:0"]; ok {
		t.Error("the resource name items became a point")
	}

	find := func(name string) Point {
		for _, p := range ps {
			if p.String() == name {
				return p
			}
		}
		t.Fatalf("no point %s", name)
		return Point{}
	}
	ctx := context.Background()
	req, err := find("query:q").Request(ctx, "x' OR 1=1")
	if err != nil || req.URL.Query().Get("q") != "x' OR 1=1" || req.URL.Query().Get("page") != "2" {
		t.Errorf("query request: %v %v", req.URL, err)
	}
	req, _ = find("json:user.name").Request(ctx, "<b>")
	var b map[string]any
	raw, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(raw, &b); err != nil || b["user"].(map[string]any)["name"] != "<b>" || b["user"].(map[string]any)["age"] != 30.0 {
		t.Errorf("JSON request body %s (%v)", raw, err)
	}
	if body["user"].(map[string]any)["name"] != "alice" {
		t.Error("building a request changed the point's body")
	}
	req, _ = find("path:1").Request(ctx, "../etc")
	if req.URL.Path != "/items/../etc/view" {
		t.Errorf("path request %q", req.URL.Path)
	}
	req, _ = find("cookie:sid").Request(ctx, "zzz")
	if c, err := req.Cookie("sid"); err != nil || c.Value != "zzz" {
		t.Errorf("cookie request: %v %v", req.Header.Get("Cookie"), err)
	}
	if c, _ := req.Cookie("theme"); c == nil || c.Value != "dark" {
		t.Error("other cookie lost")
	}
	req, _ = find("header:Referer").Request(ctx, "evil")
	if req.Header.Get("Referer") != "evil" {
		t.Errorf("header request %q", req.Header.Get("Referer"))
	}

	form := url.Values{"name": {"bob"}, "csrf": {"t0k"}}
	fu, _ := url.Parse("https://app.example/profile")
	fps := Points(http.MethodPost, fu, form, nil, nil, nil)
	if len(fps) != 2 {
		t.Fatalf("form points %v", fps)
	}
	req, _ = fps[1].Request(ctx, "x&y=1")
	raw, _ = io.ReadAll(req.Body)
	v, _ := url.ParseQuery(string(raw))
	if v.Get("name") != "x&y=1" || v.Get("csrf") != "t0k" || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("form request %q %q", raw, req.Header.Get("Content-Type"))
	}
	if _, err := (Point{Kind: Path, Name: "9", URL: fu}).Request(ctx, "x"); err == nil {
		t.Error("a missing path segment gave a request")
	}
}
