package scan

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func linkStrings(d *document) []string {
	var out []string
	for _, l := range d.links {
		out = append(out, l.url.String())
	}
	return out
}

func TestExtractLinks(t *testing.T) {
	base := mustURL(t, "https://example.com/dir/page.html")
	tests := []struct {
		name, html string
		want       []string
	}{
		{"relative and absolute", `<a href="a.html">a</a><a href="/b">b</a><a href="https://other.example/c#frag">c</a>`,
			[]string{"https://example.com/dir/a.html", "https://example.com/b", "https://other.example/c"}},
		{"dot segments and default port", `<a href="../x/./y">x</a><a href="https://example.com:443/z">z</a>`,
			[]string{"https://example.com/x/y", "https://example.com/z"}},
		{"not http", `<a href="mailto:a@b.c">m</a><a href="javascript:void(0)">j</a><a href="#top">t</a><a href="data:text/html,x">d</a>`, nil},
		{"frames, areas, link, meta refresh", `<iframe src="/f"></iframe><frame src="/g"><map><area href="/h"></map><link rel="alternate" href="/i"><meta http-equiv="refresh" content="5; url=/j">`,
			[]string{"https://example.com/f", "https://example.com/g", "https://example.com/h", "https://example.com/i", "https://example.com/j"}},
		{"script src and inline strings", `<script src="/app.js"></script><script>fetch("/api/users?x=1"); var t = 'text/html'; $.get('search.php?q=')</script>`,
			[]string{"https://example.com/app.js", "https://example.com/api/users?x=1", "https://example.com/dir/search.php?q="}},
		{"base href", `<base href="https://example.com/root/"><a href="k">k</a>`, []string{"https://example.com/root/k"}},
		{"entities", `<a href="/q?a=1&amp;b=2">q</a>`, []string{"https://example.com/q?a=1&b=2"}},
		{"duplicates once", `<a href="/d">1</a><a href="/d#x">2</a>`, []string{"https://example.com/d"}},
		{"form action", `<form action="/submit" method="post"></form>`, []string{"https://example.com/submit"}},
		{"images are not links", `<img src="/i.png"><video src="/v.mp4"></video>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linkStrings(extractHTML(base, []byte(tt.html)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("extractHTML(%q) links = %q, want %q", tt.html, got, tt.want)
			}
		})
	}
}

func TestExtractLinkText(t *testing.T) {
	d := extractHTML(mustURL(t, "http://e.com/"), []byte(`<a href="/x"><span>Log</span> out</a><a href="/y" title="Sign off"><img src=i.png></a>`))
	if len(d.links) != 2 || d.links[0].text != "Log out" || !strings.Contains(d.links[1].text, "Sign off") {
		t.Errorf("link texts: %+v", d.links)
	}
}

func TestExtractForms(t *testing.T) {
	base := mustURL(t, "http://example.com/shop/")
	html := `<form action="cart" method="post" enctype="multipart/form-data">
		<input type="hidden" name="csrf" value="t0k">
		<input name="qty" value="1"><input type="checkbox" name="gift" checked><input type="radio" name="size" value="s"><input type="radio" name="size" value="m" checked>
		<select name="color"><option>red</option><option value="b" selected>blue</option></select>
		<textarea name="note">hello</textarea><input type="file" name="pic"><button name="go" value="buy">Buy</button><input type="submit" value="no name">
	</form>
	<form><input name="q"></form>
	<input name="orphan">`
	d := extractHTML(base, []byte(html))
	if len(d.forms) != 2 {
		t.Fatalf("%d forms, want 2", len(d.forms))
	}
	f := d.forms[0]
	if f.Action != "http://example.com/shop/cart" || f.Method != "POST" || f.Enctype != "multipart/form-data" || f.Page != "http://example.com/shop/" {
		t.Errorf("form 0 = %+v", f)
	}
	wantInputs := []Input{
		{Name: "csrf", Type: "hidden", Value: "t0k"},
		{Name: "qty", Type: "text", Value: "1"},
		{Name: "gift", Type: "checkbox", Checked: true},
		{Name: "size", Type: "radio", Value: "s"},
		{Name: "size", Type: "radio", Value: "m", Checked: true},
		{Name: "color", Type: "select", Value: "b", Options: []string{"red", "b"}},
		{Name: "note", Type: "textarea", Value: "hello"},
		{Name: "pic", Type: "file"},
		{Name: "go", Type: "submit", Value: "buy"},
	}
	if !reflect.DeepEqual(f.Inputs, wantInputs) {
		t.Errorf("inputs = %+v\nwant %+v", f.Inputs, wantInputs)
	}
	if got, want := f.Values().Encode(), "color=b&csrf=t0k&gift=on&go=buy&note=hello&pic=&qty=1&size=m"; got != want {
		t.Errorf("Values() = %q, want %q", got, want)
	}
	g := d.forms[1]
	if g.Action != "http://example.com/shop/" || g.Method != "GET" || g.Enctype != "application/x-www-form-urlencoded" || len(g.Inputs) != 1 {
		t.Errorf("form 1 = %+v", g)
	}
}

func TestExtractMeta(t *testing.T) {
	d := extractHTML(mustURL(t, "http://e.com/"), []byte(`<meta http-equiv="Content-Security-Policy" content="default-src 'self'"><meta name="referrer" content="no-referrer"><meta name="generator" content="Hugo 0.92"><app-root ng-version="12.2.16"></app-root>`))
	if len(d.metaCSP) != 1 || d.metaReferrer != "no-referrer" || d.generator != "Hugo 0.92" || d.ngVersion != "12.2.16" {
		t.Errorf("document = %+v", d)
	}
}

func TestExtractJS(t *testing.T) {
	base := mustURL(t, "http://e.com/js/app.js")
	js := `fetch('/api/v1/users'); axios.post("/api/login", d); var re = /ab+c/; var m = "text/html"; var c = "//"; var x = '/';
		location.href = "https://e.com/next"; var tpl = ` + "`/items/${id}`" + `; url: 'report.php?id=1', img: "logo.png"; var d = "10/12/2020"; "</div>"`
	var got []string
	for _, u := range extractJS(base, []byte(js), 100) {
		got = append(got, u.String())
	}
	want := []string{"http://e.com/api/v1/users", "http://e.com/api/login", "https://e.com/next", "http://e.com/js/report.php?id=1"}
	if !slices.Equal(got, want) {
		t.Errorf("extractJS = %q, want %q", got, want)
	}
	if n := len(extractJS(base, []byte(strings.Repeat(`"/a/b" "/c/d" `, 1000)), 1)); n != 1 {
		t.Errorf("extractJS with limit 1 returned %d URLs", n)
	}
}

func TestRefreshURL(t *testing.T) {
	base := mustURL(t, "http://e.com/a/")
	for in, want := range map[string]string{
		"0; url=/next":       "http://e.com/next",
		"5;URL='other.html'": "http://e.com/a/other.html",
		"3, url = x":         "http://e.com/a/x",
		"10":                 "",
	} {
		u := refreshURL(base, in)
		got := ""
		if u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("refreshURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// maxFuzzInput bounds fuzz inputs: the parsers clip their input, the
// fuzzer need not explore beyond.
const maxFuzzInput = 64 << 10

func FuzzExtractHTML(f *testing.F) {
	f.Add(`<a href="/a">x</a><form action="/f" method="post"><input name="n" value="v"><select name="s"><option>1</select></form>`)
	f.Add(`<script>fetch("/api/x")</script><base href="//e.com/"><meta http-equiv=refresh content="0;url=/r">`)
	f.Add(`<a href="` + strings.Repeat("a/", 2000) + `">`)
	f.Add("<form><form><textarea name=t>" + strings.Repeat("x", 3000))
	base, _ := url.Parse("https://example.com/p/q")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		d := extractHTML(base, []byte(in))
		if len(d.links) > maxLinks || len(d.forms) > maxForms || len(d.resources) > maxLinks {
			t.Fatalf("bounds exceeded: %d links, %d forms", len(d.links), len(d.forms))
		}
		for _, l := range d.links {
			if l.url.Scheme != "http" && l.url.Scheme != "https" || l.url.Fragment != "" || len(l.url.String()) > maxURLLen {
				t.Fatalf("bad link %q", l.url)
			}
			if _, err := url.Parse(l.url.String()); err != nil {
				t.Fatalf("link %q does not reparse: %v", l.url, err)
			}
		}
		for _, fm := range d.forms {
			if len(fm.Inputs) > maxInputs {
				t.Fatalf("%d inputs", len(fm.Inputs))
			}
			if fm.Method != "GET" && fm.Method != "POST" && fm.Method != "DIALOG" {
				t.Fatalf("method %q", fm.Method)
			}
			if _, err := url.Parse(fm.Action); err != nil {
				t.Fatalf("action %q: %v", fm.Action, err)
			}
			_ = fm.Values()
		}
	})
}

func FuzzExtractForms(f *testing.F) {
	f.Add(`<form method=POST enctype=multipart/form-data action=x><input type=checkbox name=a checked><input type=radio name=r value=1><button name=b>`)
	f.Add(`<select name=s><option value=a selected>A<option>B</select><textarea name=t>x</textarea>`)
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		d := extractHTML(&url.URL{Scheme: "http", Host: "e.com", Path: "/"}, []byte("<form>"+in))
		for _, fm := range d.forms {
			v := fm.Values()
			for _, in := range fm.Inputs {
				if in.Name == "" || len(in.Name) > maxValueLen || len(in.Value) > maxValueLen || len(in.Options) > maxOptions {
					t.Fatalf("input %+v out of bounds", in)
				}
			}
			if _, err := url.ParseQuery(v.Encode()); err != nil {
				t.Fatalf("Values() does not encode: %v", err)
			}
		}
	})
}

func FuzzExtractJS(f *testing.F) {
	f.Add(`fetch("/api/x?y=1"); $.post('login.php'); var s = "//cdn.example.com/a.js"`)
	f.Add("`/a/${b}` '/' \"//\" '/*' \"text/plain\"")
	base, _ := url.Parse("http://e.com/js/")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		us := extractJS(base, []byte(in), maxJSLinks)
		if len(us) > maxJSLinks {
			t.Fatalf("%d URLs", len(us))
		}
		for _, u := range us {
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
				t.Fatalf("bad URL %q", u)
			}
		}
	})
}
