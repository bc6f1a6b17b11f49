package extract

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

// checkInvariants holds for every extraction.
func checkInvariants(t *testing.T, got []Target, facts Facts, cfg *Config, body string) {
	t.Helper()
	limit := DefaultMaxTargets
	if cfg != nil && cfg.MaxTargets > 0 {
		limit = cfg.MaxTargets
	}
	if len(got) > limit+1 {
		t.Fatalf("%d targets, limit %d", len(got), limit)
	}
	for _, tg := range got {
		if tg.Kind < detect.KindPath || tg.Kind > detect.KindBody {
			t.Fatalf("target %s has kind %d", short(tg), tg.Kind)
		}
		if tg.Loc == "" || len(tg.Loc) > maxLoc+len("argname:cookie:") {
			t.Fatalf("target %s has a location of %d bytes", short(tg), len(tg.Loc))
		}
		if tg.Value == "" {
			t.Fatalf("target %s has no value", short(tg))
		}
	}
	if facts.Malformed {
		if last := got[len(got)-1]; last.Loc != "body" || last.Value != body {
			t.Fatalf("malformed body, but the last target is %s", short(last))
		}
	}
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{"q=1&page=2", "a=1&a=2", "debug&x=", "a[b]=1&a[]=2", "a%5Bb%5D=%3Cx%3E", "q=%zz%2", "&&q=1&", "=x", "query=%7Ba(b%3A%22c%22)%7D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 8192 {
			return
		}
		r := &http.Request{URL: &url.URL{Path: "/", RawQuery: q}, Header: http.Header{}}
		got, facts := Request(r, nil, nil, nil)
		checkInvariants(t, got, facts, nil, "")
		var raw []string
		for _, tg := range got {
			if tg.Kind == detect.KindQuery && tg.Loc != "graphql" && !strings.HasPrefix(tg.Loc, "graphql:") {
				if !strings.Contains(q, tg.Value) {
					t.Fatalf("value %q is not in the query %q", tg.Value, q)
				}
				raw = append(raw, tg.Name+"="+tg.Value)
			}
		}
		// Where net/url accepts the query and every pair has a value,
		// the same arguments come out, once decoded.
		vals, err := url.ParseQuery(q)
		if err != nil || facts.TooManyTargets {
			return
		}
		for pair := range strings.SplitSeq(q, "&") {
			if pair != "" && !strings.Contains(pair, "=") || strings.HasSuffix(pair, "=") {
				return
			}
		}
		var want, have []string
		for k, vs := range vals {
			for _, v := range vs {
				want = append(want, k+"="+v)
			}
		}
		for _, nv := range raw {
			n, v, _ := strings.Cut(nv, "=")
			dv, err := url.QueryUnescape(v)
			if err != nil {
				t.Fatalf("net/url accepted %q but not the value %q", q, v)
			}
			have = append(have, n+"="+dv)
		}
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(want, have) {
			t.Fatalf("query %q: got %q, net/url says %q", q, have, want)
		}
	})
}

func FuzzCookies(f *testing.F) {
	for _, s := range []string{"sid=abc; theme=dark", ` a = 1 ;;b="q\"x"; <script>; =v`, "q=' or 1=1 --", "a=1;a=2", "=", ";"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if len(h) > 8192 {
			return
		}
		r := &http.Request{URL: &url.URL{Path: "/"}, Header: http.Header{"Cookie": {h}}}
		got, facts := Request(r, nil, nil, nil)
		checkInvariants(t, got, facts, nil, "")
		have := map[string]bool{}
		for _, tg := range got {
			if tg.Kind == detect.KindCookie {
				if !strings.Contains(h, tg.Value) {
					t.Fatalf("cookie value %q is not in the header %q", tg.Value, h)
				}
				have[tg.Name+"="+tg.Value] = true
			}
		}
		// Every cookie net/http finds is found, unless net/http took
		// quotes off its value. Extract trims spaces around values.
		for _, c := range r.Cookies() {
			v := strings.Trim(c.Value, cookieSpace)
			if v != "" && !c.Quoted && !facts.TooManyTargets && !have[c.Name+"="+v] {
				t.Fatalf("header %q: net/http finds %s=%s, extract does not (%v)", h, c.Name, c.Value, have)
			}
		}
	})
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"user":{"name":"x","roles":["a",{"id":7}]},"weird key":"v","":"e"}`, `{"q":"\u003c \ud83d\ude00 \ud800"}`,
		` [1, "a", [true, null], -2.5e3] `, `"x"`, `{"a":"<script>",}`, `{"query":"{a(b:\"c\")}"}`, `[[[[[[]]]]]]`, `01`, `1e`, "\"\x01\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 16384 || body == "" {
			return
		}
		r := &http.Request{URL: &url.URL{Path: "/"}, Header: http.Header{"Content-Type": {"application/json"}}}
		cfg := &Config{MaxTargets: 1 << 20}
		got, facts := Request(r, []byte(body), cfg, nil)
		checkInvariants(t, got, facts, cfg, body)
		if valid := json.Valid([]byte(body)); valid == facts.Malformed {
			t.Fatalf("body %q: json.Valid says %v, Malformed says %v", body, valid, facts.Malformed)
		}
		if facts.Malformed || !utf8.ValidString(body) {
			return
		}
		// The values are encoding/json's strings and numbers.
		var want, have []string
		d := json.NewDecoder(strings.NewReader(body))
		d.UseNumber()
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("body %q: encoding/json: %v", body, err)
			}
			switch v := tok.(type) {
			case string:
				want = append(want, v)
			case json.Number:
				want = append(want, string(v))
			}
		}
		for _, tg := range got {
			switch tg.Kind {
			case detect.KindJSON:
				if !strings.HasPrefix(tg.Loc, "graphql") {
					have = append(have, tg.Value)
				}
			case detect.KindArgName:
				have = append(have, tg.Value)
			}
		}
		// encoding/json gives keys as strings too; extract gives each
		// key name once and no empty strings.
		want = slices.DeleteFunc(want, func(s string) bool { return s == "" })
		slices.Sort(want)
		slices.Sort(have)
		want = slices.Compact(want)
		have = slices.Compact(have)
		if !slices.Equal(want, have) {
			t.Fatalf("body %q:\n got  %q\n want %q", body, have, want)
		}
	})
}

func FuzzXML(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><order id="7"><item sku="A&amp;B">2 &lt; 3</item><note><![CDATA[<x>]]></note></order>`,
		`<!DOCTYPE foo [ <!ELEMENT foo ANY ><!ENTITY xxe SYSTEM "file:///etc/passwd" >]><foo>&xxe;</foo>`,
		`<a><b>x</b>`, `<?xml-stylesheet href="x"?><a/>`, `<soap:Envelope xmlns:soap="u"><soap:Body/></soap:Envelope>`, `</a>`, `x<a/>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 16384 {
			return
		}
		r := &http.Request{URL: &url.URL{Path: "/"}, Header: http.Header{"Content-Type": {"application/xml"}}}
		got, facts := Request(r, []byte(body), nil, nil)
		checkInvariants(t, got, facts, nil, body)
		for _, tg := range got[1:] {
			if tg.Kind != detect.KindXML && tg.Loc != "body" {
				t.Fatalf("body %q gave %s", body, short(tg))
			}
		}
		if facts.XMLDoctype && !strings.Contains(body, "<!") {
			t.Fatalf("body %q: DOCTYPE without <!", body)
		}
	})
}

func FuzzMultipart(f *testing.F) {
	f.Add(multipartBody(
		"Content-Disposition: form-data; name=\"comment\"\n\n<script>",
		"Content-Disposition: form-data; name=\"f\"; filename=\"../x.php\"\nContent-Type: text/plain\n\nx",
	))
	f.Add("--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx")
	f.Add("' or 1=1")
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 16384 {
			return
		}
		r := &http.Request{URL: &url.URL{Path: "/"}, Header: http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}}}
		cfg := &Config{FileTypes: []string{"*/*"}}
		got, facts := Request(r, []byte(body), cfg, nil)
		checkInvariants(t, got, facts, cfg, body)
		if facts.Malformed {
			return
		}
		for _, tg := range got[1:] {
			switch tg.Kind {
			case detect.KindForm, detect.KindBody:
				if !strings.Contains(body, tg.Value) && !strings.Contains(strings.ToLower(body), "quoted-printable") {
					t.Fatalf("value %q is not in the body %q", tg.Value, body)
				}
			case detect.KindArgName, detect.KindFilename:
			default:
				t.Fatalf("body %q gave %s", body, short(tg))
			}
		}
	})
}

func FuzzRequest(f *testing.F) {
	f.Add("/a/%2e%2e/b", "q=1&a[]=2", "sid=x; y", "application/json", `{"a":[1,{"b":"c"}]}`)
	f.Add("/", "", "", "application/graphql", `{ a(b: "c") }`)
	f.Add("/x", "query={a}", "", "text/plain", `{"a":1}`)
	f.Add("/x", "", "", "application/xml", `<!DOCTYPE a><a b="c">d</a>`)
	f.Fuzz(func(t *testing.T, path, query, cookie, ctype, body string) {
		if len(path)+len(query)+len(cookie)+len(body) > 16384 {
			return
		}
		r := &http.Request{
			URL:        &url.URL{Path: path, RawQuery: query},
			RequestURI: path,
			Header:     http.Header{"Cookie": {cookie}, "Content-Type": {ctype}, "User-Agent": {cookie}},
		}
		cfg := &Config{MaxTargets: 50, MaxDepth: 4, AllHeaders: true, FileTypes: []string{"text/*"}}
		got, facts := Request(r, []byte(body), cfg, nil)
		checkInvariants(t, got, facts, cfg, body)
		// Extraction is a function of the request.
		again, facts2 := Request(r, []byte(body), cfg, nil)
		if !slices.Equal(got, again) || facts != facts2 {
			t.Fatalf("a second extraction differs")
		}
	})
}
