package extract

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"rampart/internal/waf/decode"
	"rampart/internal/waf/detect"
)

// short writes a target as kind|name|loc|value for comparisons.
func short(t Target) string {
	return fmt.Sprintf("%v|%s|%s|%s", t.Kind, t.Name, t.Loc, t.Value)
}

func shorts(ts []Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = short(t)
	}
	return out
}

// newRequest builds a server-side request as net/http hands it over.
func newRequest(tb testing.TB, method, target, ctype, body string) (*http.Request, []byte) {
	tb.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Del("User-Agent")
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r, []byte(body)
}

// only keeps the targets whose location starts with prefix.
func only(ts []Target, prefix string) []string {
	var out []string
	for _, t := range ts {
		if strings.HasPrefix(t.Loc, prefix) {
			out = append(out, short(t))
		}
	}
	return out
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		name, target string
		want         []string
	}{
		{"root", "/", []string{"path||path|/"}},
		{"plain segments skipped", "/api/v1/users/42", []string{"path||path|/api/v1/users/42"}},
		{"encoding kept", "/a/%2e%2e/%2e%2e/etc/passwd", []string{
			"path||path|/a/%2e%2e/%2e%2e/etc/passwd", "path||path|%2e%2e", "path||path|%2e%2e"}},
		{"traversal", "/static/../../etc/passwd", []string{"path||path|/static/../../etc/passwd"}},
		{"long segment may be base64", "/x/PHNjcmlwdD4-", []string{"path||path|/x/PHNjcmlwdD4-", "path||path|PHNjcmlwdD4-"}},
		{"attack segment", "/users/1'%20or%20'1'='1/edit", []string{
			"path||path|/users/1'%20or%20'1'='1/edit", "path||path|1'%20or%20'1'='1"}},
		{"query not in path", "/s?q=1", []string{"path||path|/s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRequest(t, "GET", tt.target, "", "")
			got, _ := Request(r, nil, nil, nil)
			check(t, "targets of "+tt.target, only(got, "path"), tt.want)
		})
	}
}

func TestPathWithoutRequestURI(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://example.com/a%2Fb/c", nil)
	got, _ := Request(r, nil, nil, nil)
	check(t, "client request", only(got, "path"), []string{"path||path|/a%2Fb/c", "path||path|a%2Fb"})
}

func TestQuery(t *testing.T) {
	tests := []struct {
		name, query string
		want        []string
	}{
		{"simple", "q=1&page=2", []string{"argname|q|argname:q|q", "query|q|query:q|1", "argname|page|argname:page|page", "query|page|query:page|2"}},
		{"repeated key", "a=1&a=2", []string{"argname|a|argname:a|a", "query|a|query:a|1", "query|a|query:a|2"}},
		{"key without equals", "debug&x=", []string{"argname|debug|argname:debug|debug", "query|debug|query:debug|debug", "argname|x|argname:x|x"}},
		{"array keys", "a[b]=1&a[]=2", []string{"argname|a[b]|argname:a[b]|a[b]", "query|a[b]|query:a[b]|1", "argname|a[]|argname:a[]|a[]", "query|a[]|query:a[]|2"}},
		{"encoded name", "a%5Bb%5D=%3Cx%3E", []string{"argname|a[b]|argname:a[b]|a%5Bb%5D", "query|a[b]|query:a[b]|%3Cx%3E"}},
		{"bad escapes kept", "q=%zz%2", []string{"argname|q|argname:q|q", "query|q|query:q|%zz%2"}},
		{"plus in value kept raw", "q=a+b", []string{"argname|q|argname:q|q", "query|q|query:q|a+b"}},
		{"empty pairs", "&&q=1&", []string{"argname|q|argname:q|q", "query|q|query:q|1"}},
		{"value with equals", "q=a=b", []string{"argname|q|argname:q|q", "query|q|query:q|a=b"}},
		{"empty name", "=x", []string{"query||query:|x"}},
		{"attack in name", "<script>=1", []string{"argname|<script>|argname:<script>|<script>", "query|<script>|query:<script>|1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRequest(t, "GET", "/?"+tt.query, "", "")
			got, _ := Request(r, nil, nil, nil)
			check(t, "targets of ?"+tt.query, only(got[1:], ""), tt.want)
		})
	}
}

func TestHeaders(t *testing.T) {
	r, _ := newRequest(t, "GET", "/", "", "")
	r.Header.Set("User-Agent", "sqlmap/1.7")
	r.Header.Set("Referer", "http://x/")
	r.Header.Set("X-Forwarded-For", "1.2.3.4")
	r.Header.Set("X-Real-IP", "5.6.7.8")
	r.Header.Set("X-Api-Version", "${jndi:ldap://x}")
	r.Header.Set("Accept-Encoding", "gzip")
	r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	r.Header.Add("X-Custom", "a")
	r.Header.Add("X-Custom", "b")

	got, _ := Request(r, nil, &Config{}, nil)
	check(t, "default", only(got, "header:"), []string{
		"header|referer|header:referer|http://x/", "header|user-agent|header:user-agent|sqlmap/1.7",
		"header|x-forwarded-for|header:x-forwarded-for|1.2.3.4", "header|x-real-ip|header:x-real-ip|5.6.7.8",
	})

	got, _ = Request(r, nil, &Config{TrustedPeer: true, Headers: []string{"x-api-version"}}, nil)
	check(t, "trusted peer, one extra", only(got, "header:"), []string{
		"header|referer|header:referer|http://x/", "header|user-agent|header:user-agent|sqlmap/1.7",
		"header|x-api-version|header:x-api-version|${jndi:ldap://x}",
	})

	got, _ = Request(r, nil, &Config{TrustedPeer: true, AllHeaders: true}, nil)
	check(t, "all headers", only(got, "header:"), []string{
		"header|referer|header:referer|http://x/", "header|user-agent|header:user-agent|sqlmap/1.7",
		"header|x-api-version|header:x-api-version|${jndi:ldap://x}",
		"header|x-custom|header:x-custom|a", "header|x-custom|header:x-custom|b",
		"header|x-forwarded-for|header:x-forwarded-for|1.2.3.4", "header|x-real-ip|header:x-real-ip|5.6.7.8",
		"header|host|header:host|example.com",
	})
}

func TestCookies(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   []string
	}{
		{"two", []string{"sid=abc; theme=dark"}, []string{
			"argname|sid|argname:cookie:sid|sid", "cookie|sid|cookie:sid|abc",
			"argname|theme|argname:cookie:theme|theme", "cookie|theme|cookie:theme|dark"}},
		{"loose", []string{" a = 1 ;;b=\"q\\\"x\"; <script>; =v"}, []string{
			"argname|a|argname:cookie:a|a", "cookie|a|cookie:a|1",
			"argname|b|argname:cookie:b|b", "cookie|b|cookie:b|\"q\\\"x\"",
			"cookie||cookie:|<script>", "cookie||cookie:|v"}},
		{"value with equals and spaces", []string{"q=' or 1=1 --"}, []string{
			"argname|q|argname:cookie:q|q", "cookie|q|cookie:q|' or 1=1 --"}},
		{"several headers", []string{"a=1", "a=2"}, []string{
			"argname|a|argname:cookie:a|a", "cookie|a|cookie:a|1", "cookie|a|cookie:a|2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRequest(t, "GET", "/", "", "")
			r.Header["Cookie"] = tt.header
			got, _ := Request(r, nil, nil, nil)
			check(t, fmt.Sprintf("cookies of %q", tt.header), shorts(got[1:]), tt.want)
		})
	}
}

func TestMaxTargets(t *testing.T) {
	var q strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&q, "k%d=v&", i)
	}
	r, body := newRequest(t, "POST", "/?"+q.String(), "application/json", `{"a":`)
	dst := []Target{{Loc: "before"}}
	got, facts := Request(r, body, &Config{MaxTargets: 100}, dst)
	if !facts.TooManyTargets {
		t.Error("facts.TooManyTargets = false")
	}
	// 100 targets, and the malformed body raw all the same.
	if len(got) != 1+100+1 || got[0].Loc != "before" || got[len(got)-1].Loc != "body" {
		t.Errorf("got %d targets, first %q, last %q", len(got), got[0].Loc, got[len(got)-1].Loc)
	}
	if !facts.Malformed {
		t.Error("facts.Malformed = false")
	}
}

func TestManyDistinctNames(t *testing.T) {
	var q strings.Builder
	for i := range 300 {
		fmt.Fprintf(&q, "k%d=v&k%d=w&", i, i)
	}
	r, _ := newRequest(t, "GET", "/?"+q.String(), "", "")
	got, facts := Request(r, nil, nil, nil)
	names := 0
	for _, tg := range got {
		if tg.Kind == detect.KindArgName {
			names++
		}
	}
	if names != 300 || facts.TooManyTargets {
		t.Errorf("%d names, TooManyTargets %v; want 300, false", names, facts.TooManyTargets)
	}
}

func TestHugeValue(t *testing.T) {
	big := strings.Repeat("A", 1<<20)
	r, _ := newRequest(t, "GET", "/?"+big+"="+big, "", "")
	got, _ := Request(r, nil, nil, nil)
	for _, tg := range got {
		if len(tg.Loc) > maxLoc+len("argname:") {
			t.Errorf("location of %d bytes", len(tg.Loc))
		}
	}
	if got[2].Value != big {
		t.Errorf("value cut to %d bytes", len(got[2].Value))
	}
}

// typical is a request as an API client sends it.
func typical(tb testing.TB) (*http.Request, []byte) {
	tb.Helper()
	r, body := newRequest(tb, "POST", "/api/v1/orders?page=2&sort=desc&q=red+shoes", "application/json",
		`{"customer":{"name":"Jane O'Brien","email":"jane@example.com"},"items":[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}],"note":"leave at the door","coupon":null}`)
	r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36")
	r.Header.Set("Referer", "https://shop.example.com/cart")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Accept-Language", "en-US,en;q=0.8")
	r.Header.Set("Cookie", "sid=5f4dcc3b5aa765d61d8327deb882cf99; theme=dark")
	return r, body
}

func TestTypical(t *testing.T) {
	r, body := typical(t)
	got, facts := Request(r, body, nil, nil)
	if facts != (Facts{}) {
		t.Errorf("facts = %+v", facts)
	}
	want := []string{
		"path||path|/api/v1/orders",
		"argname|page|argname:page|page", "query|page|query:page|2",
		"argname|sort|argname:sort|sort", "query|sort|query:sort|desc",
		"argname|q|argname:q|q", "query|q|query:q|red+shoes",
		"header|referer|header:referer|https://shop.example.com/cart",
		"header|user-agent|header:user-agent|Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
		"argname|sid|argname:cookie:sid|sid", "cookie|sid|cookie:sid|5f4dcc3b5aa765d61d8327deb882cf99",
		"argname|theme|argname:cookie:theme|theme", "cookie|theme|cookie:theme|dark",
		"argname|customer|argname:$.customer|customer",
		"argname|name|argname:$.customer.name|name", "json|name|json:$.customer.name|Jane O'Brien",
		"argname|email|argname:$.customer.email|email", "json|email|json:$.customer.email|jane@example.com",
		"argname|items|argname:$.items|items",
		"argname|sku|argname:$.items[0].sku|sku", "json|sku|json:$.items[0].sku|A-100",
		"argname|qty|argname:$.items[0].qty|qty", "json|qty|json:$.items[0].qty|2",
		"json|sku|json:$.items[1].sku|B-7", "json|qty|json:$.items[1].qty|1",
		"argname|note|argname:$.note|note", "json|note|json:$.note|leave at the door",
		"argname|coupon|argname:$.coupon|coupon",
	}
	check(t, "typical request", shorts(got), want)
}

func TestTargetsOutliveBody(t *testing.T) {
	r, body := newRequest(t, "POST", "/", "application/x-www-form-urlencoded", "a=1&b=%3Cx%3E")
	got, _ := Request(r, body, nil, nil)
	for i := range body {
		body[i] = 'X'
	}
	check(t, "after the body changed", shorts(got[1:]), []string{
		"argname|a|argname:a|a", "form|a|form:a|1", "argname|b|argname:b|b", "form|b|form:b|%3Cx%3E"})
}

func TestTypicalAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r, body := typical(t)
	dst := make([]Target, 0, 64)
	n := testing.AllocsPerRun(100, func() { dst, _ = Request(r, body, nil, dst[:0]) })
	if n > 1 {
		t.Errorf("a typical request allocates %v times, want at most 1", n)
	}
}

func BenchmarkRequest(b *testing.B) {
	r, body := typical(b)
	dst := make([]Target, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = Request(r, body, nil, dst[:0])
	}
}

// BenchmarkRequestVariants is extraction plus decoding of every target,
// the engine's work before the detectors.
func BenchmarkRequestVariants(b *testing.B) {
	r, body := typical(b)
	dst := make([]Target, 0, 64)
	variants := make([]string, 0, decode.MaxVariants)
	var d decode.Decoder
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = Request(r, body, nil, dst[:0])
		for i := range dst {
			variants = d.Variants(dst[i].Value, dst[i].Kind, variants[:0])
		}
	}
}
