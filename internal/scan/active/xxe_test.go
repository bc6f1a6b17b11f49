package active

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// fakeDTDParser reads XML the way a parser with DTD processing on does
// (Java's DocumentBuilderFactory by default): it expands the entities of
// the internal subset, internal ones and, when external is set, SYSTEM
// ones with file: URLs, read from the fake root. It returns the text of
// each element by name.
func fakeDTDParser(doc string, root fs.FS, external bool) (map[string]string, error) {
	doctype := regexp.MustCompile(`<!DOCTYPE\s+[\w:.-]+\s*\[([\s\S]*?)\]\s*>`)
	entity := regexp.MustCompile(`<!ENTITY\s+(\w+)\s+(SYSTEM\s+)?"([^"]*)"\s*>`)
	ents := map[string]string{}
	if m := doctype.FindStringSubmatch(doc); m != nil {
		for _, e := range entity.FindAllStringSubmatch(m[1], -1) {
			val := e[3]
			if e[2] != "" {
				val = ""
				if path, ok := strings.CutPrefix(e[3], "file://"); ok && external {
					path = strings.TrimPrefix(path, "/c:")
					if b, err := travRead(root, path); err == nil {
						val = string(b)
					} else {
						return nil, fmt.Errorf("entity %s: %w", e[1], err)
					}
				}
			}
			for k, v := range ents { // entities may refer to earlier ones
				val = strings.ReplaceAll(val, "&"+k+";", v)
			}
			ents[e[1]] = val
		}
		doc = doctype.ReplaceAllString(doc, "")
	}
	refs := regexp.MustCompile(`&(\w+);`)
	var bad error
	doc = refs.ReplaceAllStringFunc(doc, func(r string) string {
		name := r[1 : len(r)-1]
		switch name {
		case "amp", "lt", "gt", "quot", "apos":
			return r
		}
		v, ok := ents[name]
		if !ok {
			bad = fmt.Errorf("undeclared entity %q", name)
		}
		return xxeEscape(v)
	})
	if bad != nil {
		return nil, bad
	}
	return xmlTexts(doc)
}

// xmlTexts parses a document without a DTD and returns the text of each
// element.
func xmlTexts(doc string) (map[string]string, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	texts := map[string]string{}
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return texts, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && strings.TrimSpace(string(t)) != "" {
				texts[stack[len(stack)-1]] += string(t)
			}
		}
	}
}

func xxeApp(root fs.FS) http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, s string) {
		fmt.Fprintf(w, "<html><body><h1>XML</h1><pre>%s</pre></body></html>", html.EscapeString(s))
	}
	validate := func(w http.ResponseWriter, doc string, parse func(string) (map[string]string, error)) {
		texts, err := parse(doc)
		if err != nil {
			page(w, "Invalid XML: "+err.Error())
			return
		}
		var b strings.Builder
		for k, v := range texts {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
		page(w, "Valid XML.\n"+b.String())
	}
	mux.HandleFunc("/validate", func(w http.ResponseWriter, r *http.Request) {
		validate(w, r.FormValue("xml"), func(d string) (map[string]string, error) { return fakeDTDParser(d, root, true) })
	})
	mux.HandleFunc("/validate-internal", func(w http.ResponseWriter, r *http.Request) {
		validate(w, r.FormValue("xml"), func(d string) (map[string]string, error) { return fakeDTDParser(d, root, false) })
	})
	mux.HandleFunc("/fixed/validate", func(w http.ResponseWriter, r *http.Request) {
		validate(w, r.FormValue("xml"), xmlTexts)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		page(w, "You sent: "+r.FormValue("xml"))
	})
	// /comments takes JSON, and XML too, as a framework with both
	// bindings does.
	comments := func(xmlOK bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var text string
			switch ct := r.Header.Get("Content-Type"); {
			case strings.HasPrefix(ct, "application/json"):
				var c struct{ Text string }
				if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
					http.Error(w, "bad JSON", http.StatusBadRequest)
					return
				}
				text = c.Text
			case xmlOK && strings.HasPrefix(ct, "application/xml"):
				b, _ := io.ReadAll(r.Body)
				texts, err := fakeDTDParser(string(b), root, true)
				if err != nil {
					http.Error(w, "bad XML", http.StatusBadRequest)
					return
				}
				text = texts["text"]
			default:
				http.Error(w, "unsupported media type", http.StatusUnsupportedMediaType)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"added": text})
		}
	}
	mux.HandleFunc("POST /comments", comments(true))
	mux.HandleFunc("POST /fixed/comments", comments(false))
	return mux
}

func TestXXE(t *testing.T) {
	srv := injServer(t, xxeApp(travRoot(t)))
	doc := url.Values{"xml": {`<?xml version="1.0"?><message><text>Hello</text></message>`}}.Encode()
	body := map[string]any{"text": "Nice post"}
	tests := []struct {
		name, target string
		body         any
		kind         Kind
		param, want  string
	}{
		{"XML parameter", "/validate?" + doc, nil, Query, "xml", "xxe"},
		{"external entities off", "/validate-internal?" + doc, nil, Query, "xml", "xml.entities"},
		{"JSON body sent as XML", "/comments", body, JSON, "text", "xxe"},
		{"fixed parser", "/fixed/validate?" + doc, nil, Query, "xml", ""},
		{"echo", "/echo?" + doc, nil, Query, "xml", ""},
		{"JSON only", "/fixed/comments", body, JSON, "text", ""},
		{"not XML", "/validate?xml=hello", nil, Query, "xml", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := injSender(srv)
			p := injPoint(t, srv, tt.target, nil, tt.body, tt.kind, tt.param)
			rs, err := XXE(context.Background(), s, p, injOptions(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			if got := injChecks(rs); got != tt.want {
				t.Errorf("XXE(%s) = %q, want %q (%+v)", tt.target, got, tt.want, rs)
			}
			injVerify(t, rs)
			for _, r := range rs {
				if !r.Confirmed {
					t.Errorf("XXE(%s) not confirmed: %s", tt.target, r.Detail)
				}
				t.Logf("%s: %s\n%s", r.Check, r.Detail, r.Request)
			}
			if n := s.count(); n > 10 {
				t.Errorf("XXE(%s) sent %d requests", tt.target, n)
			}
		})
	}
}

func TestXXEDocument(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"text replaced", `<?xml version="1.0"?><a><b>hi</b></a>`, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE a [D]>\n<a><b>&x;</b></a>"},
		{"old DTD dropped", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY y "z">]><a>t</a>`, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE a [D]>\n<a>&x;</a>"},
		{"no text", `<a><b/></a>`, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE a [D]>\n<a>&x;<b/></a>"},
		{"empty root", `<a/>`, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE a [D]>\n<a>&x;</a>"},
		{"not XML", `<`, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE root [D]>\n<root>&x;</root>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xxeDocument(tt.in, "D", "&x;"); got != tt.want {
				t.Errorf("xxeDocument(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestXXEBody(t *testing.T) {
	p := Point{Kind: JSON, Name: "comment.text", Body: map[string]any{"comment": map[string]any{"text": "hi", "n": 2.0, "tags": []any{"a<b"}}}}
	root, body := xxeBody(p, "&x;")
	want := "<comment><n>2</n><tags><item>a&lt;b</item></tags><text>&x;</text></comment>"
	if root != "comment" || body != want {
		t.Errorf("xxeBody(JSON) = %q, %q; want comment, %q", root, body, want)
	}
	p = Point{Kind: Form, Name: "b", Form: url.Values{"a": {"1&2"}, "b": {"x"}, "9z": {"y"}}}
	root, body = xxeBody(p, "&x;")
	want = "<root><_z>y</_z><a>1&amp;2</a><b>&x;</b></root>"
	if root != "root" || body != want {
		t.Errorf("xxeBody(form) = %q, %q; want root, %q", root, body, want)
	}
}

func FuzzXXEDocument(f *testing.F) {
	f.Add(`<?xml version="1.0"?><a><b>hi</b></a>`)
	f.Add(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY y "z">]><a>t</a>`)
	f.Add(`<a/>`)
	f.Add(`<<>>`)
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 1<<14 {
			return
		}
		out := xxeDocument(doc, `<!ENTITY x "y">`, "&x;")
		if !strings.Contains(out, "&x;") || !strings.Contains(out, `[<!ENTITY x "y">]`) {
			t.Fatalf("xxeDocument(%q) = %q: the entity or its declaration is missing", doc, out)
		}
	})
}
