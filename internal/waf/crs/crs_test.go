package crs

import (
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/corazawaf/coraza/v3/types"

	"rampart/internal/waf"
	"rampart/internal/waf/detect"
)

// engines caches one Engine per paranoia level: compiling the CRS is not
// free.
var engines sync.Map // int → *Engine

func testEngine(tb testing.TB, paranoia int) *Engine {
	tb.Helper()
	if e, ok := engines.Load(paranoia); ok {
		return e.(*Engine)
	}
	e, err := New(Config{Paranoia: paranoia}, slog.New(slog.NewTextHandler(tb.Output(), nil)))
	if err != nil {
		tb.Fatalf("New(paranoia %d): %v", paranoia, err)
	}
	engines.Store(paranoia, e)
	return e
}

// browser adds the headers a browser sends, so that protocol rules judge
// the payload and not a bare request.
func browser(r *http.Request) *http.Request {
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en-GB,en;q=0.7")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	return r
}

func getQuery(v string) *waf.Request {
	r := httptest.NewRequest(http.MethodGet, "/search?q="+url.QueryEscape(v)+"&page=2", nil)
	return &waf.Request{HTTP: browser(r)}
}

func postForm(v string) *waf.Request {
	body := url.Values{"name": {"Zoë O'Brien"}, "comment": {v}}.Encode()
	r := httptest.NewRequest(http.MethodPost, "/comments", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return &waf.Request{HTTP: browser(r), Body: []byte(body)}
}

func postJSON(v string) *waf.Request {
	body := `{"user":{"name":"Zoë","note":` + jsonString(v) + `},"items":[1,2]}`
	r := httptest.NewRequest(http.MethodPost, "/api/orders", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return &waf.Request{HTTP: browser(r), Body: []byte(body)}
}

func postMultipart(tb testing.TB, v string) *waf.Request {
	tb.Helper()
	var b strings.Builder
	w := multipart.NewWriter(&b)
	if err := w.WriteField("title", v); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader(b.String()))
	r.Header.Set("Content-Type", w.FormDataContentType())
	return &waf.Request{HTTP: browser(r), Body: []byte(b.String())}
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hasClass(v waf.Verdict, c detect.Class) bool {
	for _, f := range v.Findings {
		if f.Class == c {
			return true
		}
	}
	return false
}

func TestInspectAttacks(t *testing.T) {
	e := testEngine(t, 1)
	attacks := []struct {
		class   detect.Class
		payload string
	}{
		{detect.SQLi, "1' OR '1'='1' -- "},
		{detect.SQLi, "1 UNION SELECT username, password FROM users--"},
		{detect.XSS, `<script>alert(document.cookie)</script>`},
		{detect.XSS, `<img src=x onerror=alert(1)>`},
		{detect.Traversal, "../../../../etc/passwd"},
	}
	places := []struct {
		name  string
		build func(string) *waf.Request
		loc   string
	}{
		{"query", getQuery, "query:q"},
		{"form", postForm, "form:comment"},
		{"json", postJSON, "json:$.user.note"},
		{"multipart", func(s string) *waf.Request { return postMultipart(t, s) }, "form:title"},
	}
	for _, a := range attacks {
		for _, p := range places {
			t.Run(string(a.class)+"/"+p.name+"/"+a.payload, func(t *testing.T) {
				v := e.Inspect(context.Background(), p.build(a.payload))
				if !v.Attack {
					t.Fatalf("Inspect(%s %q).Attack = false, score %d, findings %+v", p.name, a.payload, v.Score, v.Findings)
				}
				if v.Score < v.Threshold || v.Threshold != DefaultThreshold {
					t.Errorf("score %d, threshold %d", v.Score, v.Threshold)
				}
				if !hasClass(v, a.class) {
					t.Errorf("no %s finding in %+v", a.class, v.Findings)
				}
				found := false
				for _, f := range v.Findings {
					if !strings.HasPrefix(f.Rule, "crs.") || len(f.Excerpt) > maxExcerpt {
						t.Errorf("finding %+v: want rule crs.ID and excerpt <= %d bytes", f, maxExcerpt)
					}
					found = found || f.Location == p.loc
				}
				if !found {
					t.Errorf("no finding located at %s in %+v", p.loc, v.Findings)
				}
			})
		}
	}
}

func TestInspectBenign(t *testing.T) {
	e := testEngine(t, 1)
	reqs := map[string]*waf.Request{
		"query":     getQuery("select a plan for two"),
		"form":      postForm("Zoë O'Brien, 12 Select Street, Union City"),
		"json":      postJSON("Please deliver after 6pm; ring twice."),
		"multipart": postMultipart(t, "Holiday photos (2024)"),
		"markup":    postForm("I <b>really</b> liked the <i>second</i> chapter."),
	}
	for name, r := range reqs {
		t.Run(name, func(t *testing.T) {
			if v := e.Inspect(context.Background(), r); v.Attack {
				t.Errorf("Inspect(%s).Attack = true, score %d, findings %+v", name, v.Score, v.Findings)
			}
		})
	}
}

func TestInspectScannerAndHeaders(t *testing.T) {
	e := testEngine(t, 1)
	r := browser(httptest.NewRequest(http.MethodGet, "/", nil))
	r.Header.Set("User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)")
	v := e.Inspect(context.Background(), &waf.Request{HTTP: r})
	if !v.Attack || !hasClass(v, detect.Scanner) {
		t.Errorf("Inspect(sqlmap user agent) = %+v, want a scanner attack", v)
	}
	for _, f := range v.Findings {
		if f.Class == detect.Scanner && f.Location != "header:user-agent" {
			t.Errorf("scanner finding at %q, want header:user-agent", f.Location)
		}
	}
}

func TestInspectUntaggedRule(t *testing.T) {
	// 921200 (LDAP injection) scores without an attack tag; the stage
	// passes verdicts without findings, so it must still be one.
	v := testEngine(t, 1).Inspect(context.Background(), getQuery("admin)(&(password=*))"))
	if !v.Attack || !hasClass(v, detect.LDAPi) {
		t.Errorf("Inspect(LDAP filter) = %+v, want an ldapi attack", v)
	}
}

func TestClassOf(t *testing.T) {
	tests := []struct {
		id   int
		want detect.Class
	}{
		{200002, detect.Protocol}, {913100, detect.Scanner}, {930100, detect.Traversal}, {931100, detect.RFI},
		{932160, detect.Cmdi}, {941100, detect.XSS}, {942100, detect.SQLi}, {944150, detect.JNDI},
		{921200, detect.LDAPi}, {921130, detect.CRLF}, {10001, detect.Custom},
	}
	for _, tt := range tests {
		if got := classOf(rule{id: tt.id}); got != tt.want {
			t.Errorf("classOf(%d) = %s, want %s", tt.id, got, tt.want)
		}
	}
	if got := classOf(rule{id: 10002, tags: []string{"attack-xss"}}); got != detect.XSS {
		t.Errorf("classOf(user rule tagged attack-xss) = %s", got)
	}
}

// rule is a types.RuleMetadata with an ID and tags.
type rule struct {
	types.RuleMetadata
	id   int
	tags []string
}

func (r rule) ID() int        { return r.id }
func (r rule) Tags() []string { return r.tags }

func TestParanoia(t *testing.T) {
	// A quoted comparison without SQL keywords passes at paranoia 1 and
	// is blocked at 2 by 942 rules tagged paranoia-level/2.
	r := func() *waf.Request { return getQuery("x'=x") }
	v1 := testEngine(t, 1).Inspect(context.Background(), r())
	v2 := testEngine(t, 2).Inspect(context.Background(), r())
	if v1.Attack || !v2.Attack {
		t.Fatalf("paranoia 1: attack %v score %d %+v; paranoia 2: attack %v score %d %+v; want only 2 to block",
			v1.Attack, v1.Score, v1.Findings, v2.Attack, v2.Score, v2.Findings)
	}
	pl2 := false
	for _, f := range v2.Findings {
		pl2 = pl2 || f.Paranoia == 2
	}
	if !pl2 {
		t.Errorf("paranoia 2 findings %+v: none from a paranoia-level/2 rule", v2.Findings)
	}
}

func TestRules(t *testing.T) {
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	e, err := New(Config{Rules: `
# A virtual patch before the CRS.
SecRule REQUEST_HEADERS:X-Debug "@streq on" \
    "id:10001,phase:1,deny,status:403,msg:'debug header',tag:'attack-custom'"
# An exclusion after it.
SecRuleRemoveById 913100
`}, log)
	if err != nil {
		t.Fatalf("New with rules: %v", err)
	}
	r := browser(httptest.NewRequest(http.MethodGet, "/", nil))
	r.Header.Set("X-Debug", "on")
	v := e.Inspect(context.Background(), &waf.Request{HTTP: r})
	if !v.Attack || len(v.Findings) == 0 || v.Findings[0].Rule != "crs.10001" || v.Findings[0].Class != detect.Custom {
		t.Errorf("Inspect(X-Debug: on) = %+v, want blocked by crs.10001 (custom)", v)
	}
	r = browser(httptest.NewRequest(http.MethodGet, "/", nil))
	r.Header.Set("User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)")
	if v := e.Inspect(context.Background(), &waf.Request{HTTP: r}); hasClass(v, detect.Scanner) {
		t.Errorf("Inspect(sqlmap) after SecRuleRemoveById 913100 = %+v, want no scanner finding", v)
	}

	if _, err := New(Config{Rules: "SecRule ARGS \"@rx (\" \"id:10002,phase:2,deny\""}, log); err == nil {
		t.Error("New with a broken rule: no error")
	}
	for _, c := range []Config{{Paranoia: 5}, {Threshold: -1}, {BodyLimit: -1}} {
		if _, err := New(c, log); err == nil {
			t.Errorf("New(%+v): no error", c)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	e, err := New(Config{BodyLimit: 1024}, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	// The attack sits beyond the limit: the engine inspects the first
	// KiB only, and does not reject the body for its size.
	body := "pad=" + strings.Repeat("a", 4096) + "&q=" + url.QueryEscape("<script>alert(1)</script>")
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v := e.Inspect(context.Background(), &waf.Request{HTTP: browser(r), Body: []byte(body), Truncated: true}); v.Attack {
		t.Errorf("Inspect(attack beyond body limit) = %+v, want not inspected", v)
	}
}

func TestSplitRules(t *testing.T) {
	in := "SecRule ARGS \"@rx a\" \\\n    \"id:1,deny\"\nSecRuleRemoveById 942100\nSecRuleUpdateTargetById 942100 \\\n  \"!ARGS:q\"\n# comment\nSecAction \"id:2,pass\""
	before, after := splitRules(in)
	wantBefore := "SecRule ARGS \"@rx a\" \\\n    \"id:1,deny\"\n# comment\nSecAction \"id:2,pass\""
	wantAfter := "SecRuleRemoveById 942100\nSecRuleUpdateTargetById 942100 \\\n  \"!ARGS:q\""
	if before != wantBefore || after != wantAfter {
		t.Errorf("splitRules:\nbefore %q\nwant   %q\nafter  %q\nwant   %q", before, wantBefore, after, wantAfter)
	}
}

func TestLocation(t *testing.T) {
	q := url.Values{"q": {"x"}}
	tests := []struct{ variable, key, ct, want string }{
		{"ARGS", "q", "", "query:q"},
		{"ARGS", "comment", "application/x-www-form-urlencoded", "form:comment"},
		{"ARGS", "json.user.note", "application/json", "json:$.user.note"},
		{"ARGS_GET", "q", "", "query:q"},
		{"ARGS_NAMES", "q", "", "argname:q"},
		{"REQUEST_HEADERS", "User-Agent", "", "header:user-agent"},
		{"REQUEST_COOKIES", "sid", "", "cookie:sid"},
		{"REQUEST_FILENAME", "", "", "path"},
		{"XML", "/*", "text/xml", "xml:/*"},
		{"FILES", "upload", "", "filename:upload"},
		{"REQUEST_BODY", "", "", "body"},
		{"MATCHED_VARS", "x", "", "matched_vars:x"},
		{"ARGS_NAMES", "line one\nline two", "text/plain", "argname:line one line two"},
		{"ARGS", strings.Repeat("k", 100), "", "form:" + strings.Repeat("k", maxExcerpt)},
	}
	for _, tt := range tests {
		if got := location(tt.variable, tt.key, q, tt.ct); got != tt.want {
			t.Errorf("location(%q, %q, %q) = %q, want %q", tt.variable, tt.key, tt.ct, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"short", "a\nb", "a b"},
		{"long", strings.Repeat("x", 100), strings.Repeat("x", maxExcerpt)},
		{"rune boundary", strings.Repeat("x", 63) + "ë", strings.Repeat("x", 63)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := excerpt(tt.in); got != tt.want {
				t.Errorf("excerpt(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// benchRequests are a typical browser GET, a small JSON API call and an
// attack, each about 1 KiB with headers (and body).
func benchRequests() map[string]func() *waf.Request {
	cookie := "sid=4f3c2a9b8e7d6c5b4a39281706f5e4d3; theme=dark; consent=analytics%3D0%26ads%3D0; _ga=GA1.1.1234567890.1700000000; _gid=GA1.2.987654321.1717000000; cart=3"
	chrome := func(r *http.Request) {
		r.Header.Set("Sec-Ch-Ua", `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`)
		r.Header.Set("Sec-Ch-Ua-Mobile", "?0")
		r.Header.Set("Sec-Ch-Ua-Platform", `"Windows"`)
		r.Header.Set("Priority", "u=0, i")
	}
	get := func(q string) func() *waf.Request {
		return func() *waf.Request {
			r := browser(httptest.NewRequest(http.MethodGet, "/shop/search?q="+url.QueryEscape(q)+"&category=garden&sort=price_asc&page=3", nil))
			chrome(r)
			r.Header.Set("Cookie", cookie)
			r.Header.Set("Referer", "https://shop.example.com/shop/search?q=hose")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Sec-Fetch-Mode", "navigate")
			r.Header.Set("Sec-Fetch-Dest", "document")
			r.Header.Set("Upgrade-Insecure-Requests", "1")
			return &waf.Request{HTTP: r}
		}
	}
	body := []byte(`{"customer":{"name":"Zoë O'Brien","email":"zoe.obrien@example.org","phone":"+1 201 555 0142"},` +
		`"items":[{"sku":"GH-2231","name":"Garden hose 25 m","qty":2,"price":29.95},{"sku":"PL-0042","name":"Plant labels (50)","qty":1,"price":4.5}],` +
		`"shipping":{"street":"12 Elm Street","city":"Union City","zip":"07087","country":"US"},"coupon":"SPRING24","note":"Leave at the back door, please."}`)
	post := func() *waf.Request {
		r := browser(httptest.NewRequest(http.MethodPost, "/api/v1/orders", nil))
		chrome(r)
		r.Header.Set("X-Requested-With", "XMLHttpRequest")
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Cookie", cookie)
		r.Header.Set("Origin", "https://shop.example.com")
		r.ContentLength = int64(len(body))
		return &waf.Request{HTTP: r, Body: body}
	}
	return map[string]func() *waf.Request{
		"benign-get":  get("garden hose 25m"),
		"benign-json": post,
		"attack-sqli": get("1' UNION SELECT password FROM users WHERE '1'='1"),
	}
}

func BenchmarkInspect(b *testing.B) {
	e := testEngine(b, 1)
	ctx := context.Background()
	for name, mk := range benchRequests() {
		b.Run(name, func(b *testing.B) {
			req := mk()
			want := strings.HasPrefix(name, "attack")
			if v := e.Inspect(ctx, req); v.Attack != want {
				b.Fatalf("Inspect(%s).Attack = %v, want %v: %+v", name, v.Attack, want, v.Findings)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Inspect(ctx, req)
			}
		})
	}
}

func TestConcurrentInspect(t *testing.T) {
	e := testEngine(t, 1)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				attack := (g+i)%2 == 0
				r := getQuery("garden hose")
				if attack {
					r = getQuery("<script>alert(1)</script>")
				}
				if v := e.Inspect(context.Background(), r); v.Attack != attack {
					t.Errorf("goroutine %d request %d: Attack = %v, want %v", g, i, v.Attack, attack)
				}
			}
		})
	}
	wg.Wait()
}
