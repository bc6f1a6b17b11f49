package lab

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// newLab returns a lab that is closed when the test ends.
func newLab(tb testing.TB) *Lab {
	tb.Helper()
	l, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := l.Close(); err != nil {
			tb.Error(err)
		}
	})
	return l
}

// do sends one request to h and returns the response and its body.
func do(tb testing.TB, h http.Handler, method, target string, form url.Values) (*http.Response, string) {
	tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestFlawsAndTwins exploits each flaw by hand: the flawed page gives
// way, its fixed twin under /safe does not. This is what makes Truth
// true, whatever a scanner says.
func TestFlawsAndTwins(t *testing.T) {
	l := newLab(t)
	type exchange struct {
		method, target string
		form           url.Values
	}
	tests := []struct {
		class string
		send  []exchange // the last response is judged
		shows func(res *http.Response, body string) bool
	}{
		{"sqli", []exchange{{"GET", "/product?id=" + url.QueryEscape("0 OR 1=1"), nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "Rope Doormat") && strings.Contains(b, "Tide Clock")
		}},
		{"sqli", []exchange{{"GET", "/search?q=" + url.QueryEscape("x' UNION SELECT 1,email,password_hash,4,5 FROM customers--"), nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "ada@harbour-goods.test")
		}},
		{"sqli", []exchange{{"GET", "/api/products?category=" + url.QueryEscape("' OR '1'='1"), nil}}, func(_ *http.Response, b string) bool {
			return strings.Count(b, `"id"`) == 6
		}},
		{"xss", []exchange{{"GET", "/search?q=" + url.QueryEscape("<script>alert(1)</script>"), nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "<script>alert(1)</script>")
		}},
		{"xss", []exchange{{"GET", "/products?filter=" + url.QueryEscape(`"><svg onload=alert(1)>`), nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, `value=""><svg onload=alert(1)>`)
		}},
		{"xss-stored", []exchange{
			{"POST", "/guestbook", url.Values{"name": {"Eve"}, "message": {"<img src=x onerror=alert(1)>"}}},
			{"GET", "/guestbook", nil},
		}, func(_ *http.Response, b string) bool { return strings.Contains(b, "<img src=x onerror=alert(1)>") }},
		{"cmdi", []exchange{{"POST", "/tools/ping", url.Values{"host": {"127.0.0.1;id"}}}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "uid=33(www-data)")
		}},
		{"traversal", []exchange{{"GET", "/docs?file=../../../../etc/passwd", nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "root:x:0:0:")
		}},
		{"redirect", []exchange{{"GET", "/cart/add?id=1&next=" + url.QueryEscape("//evil.example/"), nil}}, func(r *http.Response, _ string) bool {
			return r.Header.Get("Location") == "//evil.example/"
		}},
		{"ssti", []exchange{{"GET", "/greeting?text=" + url.QueryEscape("{{ 1234*5678 }}"), nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "7006652")
		}},
		{"crlf", []exchange{{"GET", "/currency?code=" + url.QueryEscape("EUR\r\nX-Injected: 1"), nil}}, func(r *http.Response, _ string) bool {
			return strings.HasPrefix(r.Header.Get("X-Injected"), "1") // "1; Path=/": the rest of the line follows
		}},
		{"exposed-file", []exchange{{"GET", "/.git/HEAD", nil}}, func(_ *http.Response, b string) bool {
			return b == "ref: refs/heads/main\n"
		}},
		{"exposed-file", []exchange{{"GET", "/.env", nil}}, func(_ *http.Response, b string) bool {
			return strings.Contains(b, "SESSION_SECRET=")
		}},
	}
	for _, tt := range tests {
		for _, prefix := range []string{"", SafePrefix} {
			t.Run(tt.class+prefix+tt.send[0].target, func(t *testing.T) {
				var res *http.Response
				var body string
				for _, e := range tt.send {
					res, body = do(t, l, e.method, prefix+e.target, e.form)
				}
				if got, want := tt.shows(res, body), prefix == ""; got != want {
					t.Errorf("%s %s%s: flaw shows = %v, want %v; status %d, headers %v, body:\n%s",
						tt.send[0].method, prefix, tt.send[0].target, got, want, res.StatusCode, res.Header, body)
				}
			})
		}
	}
}

// TestTruthRouted: every flaw and twin of Truth is a page of its own,
// not the soft 404 (but for the twins of exposed files, which do not
// exist), and unknown paths get the soft 404 with status 200.
func TestTruthRouted(t *testing.T) {
	l := newLab(t)
	const soft404 = "Sorry, we could not find that page"
	for _, v := range Truth() {
		for _, prefix := range []string{"", SafePrefix} {
			form := url.Values(nil)
			if v.Method == http.MethodPost {
				form = url.Values{v.Param: {"1"}}
			}
			res, body := do(t, l, v.Method, prefix+v.Path, form)
			missing := strings.Contains(body, soft404)
			if want := v.Class == "exposed-file" && prefix != ""; missing != want {
				t.Errorf("%s %s%s: soft 404 = %v, want %v (status %d)", v.Method, prefix, v.Path, missing, want, res.StatusCode)
			}
		}
	}
	res, body := do(t, l, "GET", "/backup.zip", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, soft404) {
		t.Errorf("GET /backup.zip: status %d, want the soft 404 with 200", res.StatusCode)
	}
	paths := map[string]bool{}
	for _, v := range Truth() {
		paths[SafePrefix+v.Path] = true
	}
	for _, p := range Fixed() {
		if !paths[p] {
			t.Errorf("Fixed() has %s, the twin of no flaw", p)
		}
		delete(paths, p)
	}
	if len(paths) > 0 {
		t.Errorf("Fixed() lacks %v", paths)
	}
}
