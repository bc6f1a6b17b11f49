package active

import (
	"context"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"text/template"

	"golang.org/x/net/html"
)

// pageServer serves one HTML page built by page from the q parameter.
func pageServer(tb testing.TB, contentType string, page func(q string) string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		fmt.Fprint(w, page(r.URL.Query().Get("q")))
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// queryPoint is the point of query parameter name on srv's path.
func queryPoint(tb testing.TB, srv *httptest.Server, path, name, value string) Point {
	tb.Helper()
	u, err := url.Parse(srv.URL + path + "?" + url.Values{name: {value}}.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range Points(http.MethodGet, u, nil, nil, nil, nil) {
		if p.Kind == Query && p.Name == name {
			return p
		}
	}
	tb.Fatalf("no point %s in %s", name, u)
	return Point{}
}

func doc(s string) string {
	return "<!doctype html><html><head><title>t</title></head><body><h1>Search</h1>" + s + "</body></html>"
}

func jsEscape(s string) string { return template.JSEscapeString(s) }

func TestXSSReflected(t *testing.T) {
	esc := html.EscapeString
	tests := []struct {
		name string
		ct   string
		page func(q string) string
		want bool
	}{
		// Vulnerable: the reflection is not encoded for its context.
		{"text raw", "text/html; charset=utf-8", func(q string) string { return doc("<p>You searched for " + q + "</p>") }, true},
		{"text raw, no content type", "", func(q string) string { return doc("<p>" + q + "</p>") }, true},
		{"double-quoted attribute raw", "text/html", func(q string) string { return doc(`<input name="q" value="` + q + `">`) }, true},
		{"single-quoted attribute raw", "text/html", func(q string) string { return doc(`<input name='q' value='` + q + `'>`) }, true},
		{"unquoted attribute HTML-escaped", "text/html", func(q string) string { return doc(`<input name=q value=` + esc(q) + `>`) }, true},
		{"href escaped but any scheme", "text/html", func(q string) string { return doc(`<a href="` + esc(q) + `">your site</a>`) }, true},
		{"script single-quoted string raw", "text/html", func(q string) string { return doc(`<script>var s = '` + q + `'; go(s);</script>`) }, true},
		{"script string quote-escaped only", "text/html", func(q string) string {
			return doc(`<script>var s = "` + strings.ReplaceAll(q, `"`, `\"`) + `";</script>`)
		}, true},
		{"script template literal", "text/html", func(q string) string {
			return doc("<script>let s = `Hello " + strings.ReplaceAll(q, "`", "\\`") + "`;</script>")
		}, true},
		{"script code", "text/html", func(q string) string { return doc("<script>var page = " + q + ";</script>") }, true},
		{"JSON script block raw", "text/html", func(q string) string { return doc(`<script type="application/json">{"q":"` + q + `"}</script>`) }, true},
		{"event handler HTML-escaped", "text/html", func(q string) string { return doc(`<button onclick="search('` + esc(q) + `')">go</button>`) }, true},
		{"comment raw", "text/html", func(q string) string { return doc("<!-- query: " + q + " --><p>ok</p>") }, true},
		{"textarea raw", "text/html", func(q string) string { return doc("<textarea>" + q + "</textarea>") }, true},
		{"title raw", "text/html", func(q string) string { return "<html><head><title>" + q + "</title></head><body></body></html>" }, true},
		{"style raw", "text/html", func(q string) string { return doc("<style>.x{color:" + q + "}</style>") }, true},
		{"option raw", "text/html", func(q string) string { return doc("<select><option>" + q + "</option></select>") }, true},
		{"tag name", "text/html", func(q string) string { return doc("<h" + q + ">Title</h1>") }, true},
		{"filter strips script tags", "text/html", func(q string) string {
			return doc("<p>" + strings.NewReplacer("<script>", "", "</script>", "").Replace(q) + "</p>")
		}, true},

		// Fixed twins: encoded for the context, or not HTML.
		{"text escaped", "text/html", func(q string) string { return doc("<p>You searched for " + esc(q) + "</p>") }, false},
		{"double-quoted attribute escaped", "text/html", func(q string) string { return doc(`<input name="q" value="` + esc(q) + `">`) }, false},
		{"single-quoted attribute escaped", "text/html", func(q string) string { return doc(`<input name='q' value='` + esc(q) + `'>`) }, false},
		{"href with scheme check", "text/html", func(q string) string {
			if !strings.HasPrefix(q, "https://") {
				q = "/"
			}
			return doc(`<a href="` + esc(q) + `">your site</a>`)
		}, false},
		{"script string JS-escaped", "text/html", func(q string) string { return doc(`<script>var s = '` + jsEscape(q) + `';</script>`) }, false},
		{"script JSON-encoded", "text/html", func(q string) string {
			b, _ := json.Marshal(q)
			return doc(`<script>var s = ` + string(b) + `;</script>`)
		}, false},
		{"script string HTML-escaped", "text/html", func(q string) string { return doc(`<script>var s = '` + esc(q) + `';</script>`) }, false},
		{"event handler JS- and HTML-escaped", "text/html", func(q string) string {
			return doc(`<button onclick="search('` + esc(jsEscape(q)) + `')">go</button>`)
		}, false},
		{"comment escaped", "text/html", func(q string) string { return doc("<!-- query: " + esc(q) + " --><p>ok</p>") }, false},
		{"textarea escaped", "text/html", func(q string) string { return doc("<textarea>" + esc(q) + "</textarea>") }, false},
		{"JSON response raw", "application/json", func(q string) string { return `{"q":"` + q + `"}` }, false},
		{"plain text raw", "text/plain; charset=utf-8", func(q string) string { return "you searched for " + q }, false},
		{"not reflected", "text/html", func(string) string { return doc("<p>no results</p>") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := pageServer(t, tt.ct, tt.page)
			p := queryPoint(t, srv, "/search", "q", "shoes")
			res, err := XSS(context.Background(), ClientSender{srv.Client()}, p, XSSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res) > 0; got != tt.want {
				t.Fatalf("XSS(%s) found %v, want %v: %+v", tt.name, got, tt.want, res)
			}
			if tt.want {
				r := res[0]
				t.Logf("payload %q: %s", r.Payload, r.Detail)
				if r.Check != "xss.reflected" || !r.Confirmed || r.Detail == "" || r.Request == "" || r.Response == "" {
					t.Errorf("result %+v", r)
				}
				if _, ok := CheckInfo(r.Check); !ok {
					t.Errorf("no info for %s", r.Check)
				}
			}
		})
	}
}

// TestXSSHTMLTemplate is the fixed twin of every context at once: Go's
// html/template encodes each for its context.
func TestXSSHTMLTemplate(t *testing.T) {
	tpl := htmltemplate.Must(htmltemplate.New("").Parse(`<!doctype html><html><head><title>{{.}}</title></head><body>
<p>{{.}}</p><input value="{{.}}"><input value='{{.}}'><input value={{.}}><a href="{{.}}">x</a>
<button onclick="go('{{.}}')">b</button><script>var a = '{{.}}', b = "{{.}}", c = {{.}};</script>
<textarea>{{.}}</textarea><style>p{}</style></body></html>`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = tpl.Execute(w, r.URL.Query().Get("q"))
	}))
	defer srv.Close()
	res, err := XSS(context.Background(), ClientSender{srv.Client()}, queryPoint(t, srv, "/", "q", "x"), XSSOptions{MaxContexts: 20})
	if err != nil || len(res) != 0 {
		t.Fatalf("XSS on html/template page = %+v, %v; want nothing", res, err)
	}
}

func TestXSSContexts(t *testing.T) {
	const m = "rmpzz"
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"text", "<p>a rmpzz b</p>", []string{"HTML text"}},
		{"double-quoted attribute", `<input value="rmpzz">`, []string{`attribute value of <input> value (double-quoted)`}},
		{"single-quoted attribute", `<input value='x rmpzz'>`, []string{`attribute value of <input> value (single-quoted)`}},
		{"unquoted attribute", `<input value=rmpzz>`, []string{`attribute value of <input> value (unquoted)`}},
		{"href", `<a href="rmpzz">`, []string{`URL attribute of <a> href (double-quoted)`, `attribute value of <a> href (double-quoted)`}},
		{"href not at start", `<a href="/x?rmpzz">`, []string{`attribute value of <a> href (double-quoted)`}},
		{"img src is not a script URL", `<img src="rmpzz">`, []string{`attribute value of <img> src (double-quoted)`}},
		{"handler", `<a onclick="f('rmpzz')">`, []string{`event handler attribute of <a> onclick (double-quoted), single-quoted string`, `attribute value of <a> onclick (double-quoted)`}},
		{"script strings", `<script>a='rmpzz';b="rmpzz";c=` + "`${x}rmpzz`" + `;d=rmpzz;// rmpzz
/* rmpzz */</script>`, []string{
			"script of <script>, single-quoted string", "script of <script>, double-quoted string",
			"script of <script>, template literal", "script of <script>, code",
		}},
		{"script comments", "<script>x(); // rmpzz\n/* rmpzz */ y = 1 / 2; z = /'rmpzz/</script>", []string{
			"script of <script>, line comment", "script of <script>, block comment", "script of <script>, regular expression",
		}},
		{"template expression", "<script>s=`a ${f({b: 1})} rmpzz ${ rmpzz }`</script>", []string{
			"script of <script>, template literal", "script of <script>, code",
		}},
		{"JSON script", `<script type="application/ld+json">{"a":"rmpzz"}</script>`, []string{"script of <script>, not JavaScript"}},
		{"comment", "<!-- rmpzz -->", []string{"HTML comment"}},
		{"textarea", "<textarea>rmpzz</textarea>", []string{"raw text element of <textarea>"}},
		{"title", "<title>rmpzz</title>", []string{"raw text element of <title>"}},
		{"style", "<style>rmpzz</style>", []string{"raw text element of <style>"}},
		{"tag name", "<hrmpzz>x</h1>", []string{"tag of <hrmpzz>"}},
		{"attribute name", "<div rmpzz>x</div>", []string{"tag of <div>"}},
		{"absent", "<p>nothing</p>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range xssContexts([]byte(tt.body), m) {
				got = append(got, c.String())
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("xssContexts(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestJSStateAt(t *testing.T) {
	tests := []struct {
		src  string
		want jsState
	}{
		{`a = 'x|`, jsSingle},
		{`a = 'it\'s |`, jsSingle},
		{`a = 'x' + |`, jsCode},
		{`a = "x\"|`, jsDouble},
		{"a = `x ${ {a:1}.a } |", jsTemplate},
		{"a = `x ${ f(`y ${|", jsCode},
		{"a = b / c; d = '|", jsSingle},
		{"a = /'/; b = |", jsCode},
		{"return /[/]'/.test(x) |", jsCode},
		{"x = 1 // it's |", jsLineComment},
		{"x = 1 // it's\n|", jsCode},
		{"/* it's */ |", jsCode},
		{"'unterminated\n|", jsCode},
	}
	for _, tt := range tests {
		i := strings.IndexByte(tt.src, '|')
		if got := jsStateAt([]byte(tt.src), i); got != tt.want {
			t.Errorf("jsStateAt(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestStoredXSS(t *testing.T) {
	for _, tt := range []struct {
		name   string
		render func(string) string
		want   bool
	}{
		{"raw", func(s string) string { return s }, true},
		{"escaped", html.EscapeString, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var comments []string
			mux := http.NewServeMux()
			mux.HandleFunc("POST /comment", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				comments = append(comments, r.FormValue("body"))
				mu.Unlock()
				http.Redirect(w, r, "/comments", http.StatusSeeOther)
			})
			mux.HandleFunc("GET /comments", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				mu.Lock()
				defer mu.Unlock()
				var b strings.Builder
				for _, c := range comments {
					fmt.Fprintf(&b, `<li title="%s">%s</li>`, tt.render(c), tt.render(c))
				}
				fmt.Fprint(w, doc("<ul>"+b.String()+"</ul>"))
			})
			mux.HandleFunc("GET /about", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, doc("about")) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			u, _ := url.Parse(srv.URL + "/comment")
			p := Points(http.MethodPost, u, url.Values{"body": {"hello"}}, nil, nil, nil)[0]
			about, _ := url.Parse(srv.URL + "/about")
			list, _ := url.Parse(srv.URL + "/comments")
			res, err := StoredXSS(context.Background(), ClientSender{srv.Client()}, p, []*url.URL{about, list}, XSSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res) > 0; got != tt.want {
				t.Fatalf("StoredXSS found %v, want %v: %+v", got, tt.want, res)
			}
			if tt.want && (res[0].Check != "xss.stored" || !strings.Contains(res[0].Detail, "/comments")) {
				t.Errorf("result %+v", res[0])
			}
		})
	}
}

func FuzzXSSContexts(f *testing.F) {
	for _, s := range []string{
		"<p>rmpzz</p>", `<a href="rmpzz" onclick='f("rmpzz")'>`, "<script>a='rmpzz'</script>",
		"<!--rmpzz-->", "<textarea>rmpzz", "<div rmpzz=1>", "<script>`${`rmpzz`}`</script>", "<x y=rmpzz",
	} {
		f.Add([]byte(s), "rmpzz")
	}
	f.Fuzz(func(t *testing.T, body []byte, mark string) {
		if len(body) > 64<<10 || len(mark) > 64 {
			return
		}
		cs := xssContexts(body, mark)
		if len(cs) > maxXSSContexts {
			t.Fatalf("%d contexts", len(cs))
		}
		for i := 0; i <= len(body) && i < 512; i++ {
			if s := jsStateAt(body, i); s > jsRegexp {
				t.Fatalf("jsStateAt = %d", s)
			}
		}
		// Escaped text can only ever be text.
		m := "rmpqq"
		for _, c := range xssContexts([]byte("<p>"+html.EscapeString(string(body))+m+"</p>"), m) {
			if c.Kind != xssText {
				t.Fatalf("escaped input gave context %v", c)
			}
		}
	})
}
