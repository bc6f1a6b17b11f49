package active

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// xssInfo describes the XSS checks.
var xssInfo = map[string]Info{
	"xss.reflected": {
		Title:    "Reflected cross-site scripting",
		Severity: "high",
		CWE:      79,
		OWASP:    "A03:2021-Injection",
		Description: "A request parameter is written into the HTML response without the encoding its context needs, " +
			"so a link can make the page run an attacker's script in the victim's session: it can read the page, " +
			"act as the user and steal tokens. The scanner confirmed it by parsing the response: its payload " +
			"became markup or script, not escaped text.",
		Fix: "Encode output for the context it lands in (HTML text, attribute, URL, JavaScript string) with an " +
			"auto-escaping template engine instead of string concatenation; allow only http and https URLs in " +
			"links; add a Content-Security-Policy without 'unsafe-inline' as a second line of defence.",
		References: []string{
			"https://owasp.org/www-community/attacks/xss/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/79.html",
		},
	},
	"xss.stored": {
		Title:    "Stored cross-site scripting",
		Severity: "high",
		CWE:      79,
		OWASP:    "A03:2021-Injection",
		Description: "Input the application stores is later written into a page without the encoding its context " +
			"needs, so every visitor of that page runs the attacker's script. The scanner submitted a payload and " +
			"found it parsed as markup or script on a page fetched afterwards.",
		Fix: "Encode stored data when it is output, for the context it lands in, with an auto-escaping template " +
			"engine; sanitise rich text with an allowlist HTML sanitiser; add a Content-Security-Policy without " +
			"'unsafe-inline'.",
		References: []string{
			"https://owasp.org/www-community/attacks/xss/#stored-xss-attacks",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/79.html",
		},
	},
}

// XSSOptions tunes the XSS checks. The zero value is ready to use.
type XSSOptions struct {
	// MaxContexts bounds the reflection contexts tried per point (6 when
	// zero); each costs one to three requests.
	MaxContexts int
	// MaxPages bounds the pages StoredXSS fetches (20 when zero).
	MaxPages int
}

func (o XSSOptions) maxContexts() int {
	if o.MaxContexts > 0 {
		return o.MaxContexts
	}
	return 6
}

func (o XSSOptions) maxPages() int {
	if o.MaxPages > 0 {
		return o.MaxPages
	}
	return 20
}

// rmpMarkerAlphabet leaves out the letters of "script", "alert", "on" and
// "javascript" so that no marker trips a keyword filter or spells one.
const rmpMarkerAlphabet = "abdefghjkmnquvwxyz23456789"

// rmpMarker returns a fresh marker: "rmp" and eight random characters,
// lowercase letters and digits, so it survives case folding of tag and
// attribute names and any encoding.
func rmpMarker() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = rmpMarkerAlphabet[int(b[i])%len(rmpMarkerAlphabet)]
	}
	return "rmp" + string(b)
}

// xssIsHTML says whether a response is rendered as HTML by a browser:
// its Content-Type is text/html or XHTML, or it has none and its body
// sniffs as HTML.
func xssIsHTML(r *Response) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return strings.HasPrefix(http.DetectContentType(r.Body), "text/html")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// xssProbe is a payload for one context and the test that proves it
// landed as markup or script.
type xssProbe struct {
	payload func(m string) string
	confirm func(doc *html.Node, m string) (string, bool)
}

// xssElementPayload injects an element with an event handler whose value
// is the marker.
func xssElementPayload(prefix string) func(string) string {
	return func(m string) string { return prefix + "<" + m + " onmouseover=" + m + ">" }
}

// xssProbes returns the payloads to try for a context, most specific
// first.
func xssProbes(c xssContext) []xssProbe {
	handler := xssHandlerInjected
	switch c.Kind {
	case xssText:
		return []xssProbe{{xssElementPayload(""), handler}}
	case xssURLAttr:
		// The same attribute also has an xssAttr context for a breakout.
		return []xssProbe{{
			func(m string) string { return "javascript:" + m + "(1)//" },
			xssJSURLInjected,
		}}
	case xssEvent:
		return xssJSProbes(c.JS)
	case xssAttr, xssAttrName:
		if c.Kind == xssAttrName || c.Quote == 0 {
			// An unquoted value or a name ends at a space; the leading x
			// keeps "value= onmouseover" from reading as one value.
			return []xssProbe{
				{func(m string) string { return "x onmouseover=" + m + " x" }, handler},
				{xssElementPayload("x>"), handler},
			}
		}
		q := string(c.Quote)
		return []xssProbe{
			{func(m string) string { return q + " onmouseover=" + m + " x=" + q }, handler},
			{xssElementPayload(q + ">"), handler},
		}
	case xssScript:
		var ps []xssProbe
		if c.JSCode {
			ps = xssJSProbes(c.JS)
		}
		return append(ps, xssProbe{xssElementPayload("</script>"), handler})
	case xssComment:
		return []xssProbe{{xssElementPayload("-->"), handler}}
	case xssRawText:
		return []xssProbe{{xssElementPayload("</" + c.Tag + ">"), handler}}
	}
	return nil
}

// xssJSProbes are the payloads that leave a JavaScript string, template
// or comment so that the marker becomes code.
func xssJSProbes(s jsState) []xssProbe {
	var p func(string) string
	switch s {
	case jsSingle:
		p = func(m string) string { return "'-" + m + "-'" }
	case jsDouble:
		p = func(m string) string { return `"-` + m + `-"` }
	case jsTemplate:
		p = func(m string) string { return "${" + m + "}" }
	case jsCode:
		p = func(m string) string { return "(" + m + ")" }
	case jsLineComment:
		p = func(m string) string { return "\n(" + m + ")//" }
	case jsBlockComment:
		p = func(m string) string { return "*/(" + m + ")/*" }
	default:
		return nil
	}
	return []xssProbe{{p, xssCodeInjected}}
}

// xssFallback breaks out of every context at once; it is tried when no
// context-specific payload was confirmed.
var xssFallback = xssProbe{
	xssElementPayload(`'"--></style></script></title></textarea></noscript></select>`),
	xssHandlerInjected,
}

// xssWalk calls f for every node of doc, stopping when f returns true.
func xssWalk(n *html.Node, f func(*html.Node) bool) bool {
	if f(n) {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if xssWalk(c, f) {
			return true
		}
	}
	return false
}

// xssHandlerInjected finds an element with an event handler attribute
// whose whole value is the marker: markup the payload created.
func xssHandlerInjected(doc *html.Node, m string) (string, bool) {
	var detail string
	found := xssWalk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") && strings.TrimSpace(a.Val) == m {
				detail = fmt.Sprintf("the response has an element <%s> with an injected %s=%s handler", n.Data, a.Key, m)
				return true
			}
		}
		return false
	})
	return detail, found
}

// xssJSURLInjected finds a link-like attribute whose value is a
// javascript: URL carrying the marker.
func xssJSURLInjected(doc *html.Node, m string) (string, bool) {
	var detail string
	found := xssWalk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		for _, a := range n.Attr {
			if !xssJSURLAttr(n.Data, a.Key) {
				continue
			}
			v := strings.Map(func(r rune) rune {
				if r == '\t' || r == '\n' || r == '\r' {
					return -1
				}
				return r
			}, strings.TrimLeft(a.Val, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
			if strings.HasPrefix(strings.ToLower(v), "javascript:") && strings.Contains(v, m) {
				detail = fmt.Sprintf("the response has <%s %s=%q>, a javascript: URL", n.Data, a.Key, clip(a.Val, 80))
				return true
			}
		}
		return false
	})
	return detail, found
}

// xssCodeInjected finds the marker as JavaScript code — outside any
// string, template text, comment or regular expression — in a script
// element or an event handler attribute.
func xssCodeInjected(doc *html.Node, m string) (string, bool) {
	bm := []byte(m)
	inCode := func(src []byte) bool {
		if len(src) > maxXSSScriptScan {
			src = src[:maxXSSScriptScan]
		}
		for _, off := range xssIndexAll(src, bm, maxXSSPerToken) {
			if jsStateAt(src, off) == jsCode {
				return true
			}
		}
		return false
	}
	var detail string
	found := xssWalk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") && inCode([]byte(a.Val)) {
				detail = fmt.Sprintf("the marker %s is JavaScript code in the %s handler of <%s>", m, a.Key, n.Data)
				return true
			}
		}
		if n.Data != "script" || n.Namespace != "" {
			return false
		}
		for _, a := range n.Attr {
			if a.Key == "type" && !xssJSType(a.Val) {
				return false
			}
		}
		var src bytes.Buffer
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				src.WriteString(c.Data)
			}
		}
		if inCode(src.Bytes()) {
			detail = fmt.Sprintf("the marker %s is JavaScript code in a <script> element, outside any string", m)
			return true
		}
		return false
	})
	return detail, found
}

// xssConfirm parses a response as a browser would and runs a probe's
// test on it.
func xssConfirm(r *Response, pr xssProbe, m string) (string, bool) {
	if r == nil || !xssIsHTML(r) || !bytes.Contains(r.Body, []byte(m)) {
		return "", false
	}
	doc, err := html.Parse(bytes.NewReader(r.Body))
	if err != nil {
		return "", false
	}
	return pr.confirm(doc, m)
}

// XSS tests one point for reflected cross-site scripting. It sends a
// harmless marker, finds where the marker is reflected in an HTML
// response (text, attribute, URL attribute, event handler, script string
// or code, comment, raw text element), sends a payload made for each
// context with a fresh marker, and reports "xss.reflected" only when the
// parsed response shows the payload as markup or script: an injected
// element or event handler, a javascript: URL, or the marker as
// JavaScript code. Input that comes back encoded for its context is not
// reported.
func XSS(ctx context.Context, s Sender, p Point, opt XSSOptions) ([]Result, error) {
	m := rmpMarker()
	_, resp, err := send(ctx, s, p, m)
	if err != nil {
		return nil, err
	}
	if !xssIsHTML(resp) {
		return nil, nil
	}
	cs := xssContexts(resp.Body, m)
	if len(cs) == 0 {
		return nil, nil
	}
	if len(cs) > opt.maxContexts() {
		cs = cs[:opt.maxContexts()]
	}
	try := func(c string, pr xssProbe) (*Result, error) {
		nm := rmpMarker()
		payload := pr.payload(nm)
		_, r, err := send(ctx, s, p, payload)
		if err != nil {
			return nil, err
		}
		detail, ok := xssConfirm(r, pr, nm)
		if !ok {
			return nil, nil
		}
		return &Result{
			Check: "xss.reflected", Point: p, Payload: payload, Confirmed: true,
			Detail:   fmt.Sprintf("Input reflected in %s is not encoded for it: %s.", c, detail),
			Request:  requestExcerpt(p, payload),
			Response: responseExcerpt(r, nm),
		}, nil
	}
	for _, c := range cs {
		for _, pr := range xssProbes(c) {
			res, err := try(c.String(), pr)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				continue // a payload that failed to send is not a finding
			}
			if res != nil {
				return []Result{*res}, nil
			}
		}
	}
	res, err := try("the page", xssFallback)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if res != nil {
		return []Result{*res}, nil
	}
	return nil, nil
}

// StoredXSS tests one point for stored cross-site scripting: it submits a
// marker at the point, fetches each page (GET, with the point's headers,
// at most opt.MaxPages) to find where the marker is shown, then for each
// context submits a payload with a fresh marker and re-fetches that page.
// It reports "xss.stored" when the payload is markup or script there.
// Each submission stores data in the application, so the scanner runs it
// only at level full.
func StoredXSS(ctx context.Context, s Sender, p Point, pages []*url.URL, opt XSSOptions) ([]Result, error) {
	if len(pages) > opt.maxPages() {
		pages = pages[:opt.maxPages()]
	}
	m := rmpMarker()
	if _, _, err := send(ctx, s, p, m); err != nil {
		return nil, err
	}
	type shown struct {
		page *url.URL
		ctxs []xssContext
	}
	var found []shown
	for _, u := range pages {
		r, err := rmpFetch(ctx, s, u, p.Header)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if !xssIsHTML(r) {
			continue
		}
		if cs := xssContexts(r.Body, m); len(cs) > 0 {
			if len(cs) > opt.maxContexts() {
				cs = cs[:opt.maxContexts()]
			}
			found = append(found, shown{u, cs})
		}
	}
	for _, f := range found {
		probes := []xssProbe{}
		names := []string{}
		for _, c := range f.ctxs {
			for _, pr := range xssProbes(c) {
				probes = append(probes, pr)
				names = append(names, c.String())
			}
		}
		probes = append(probes, xssFallback)
		names = append(names, "the page")
		for i, pr := range probes {
			nm := rmpMarker()
			payload := pr.payload(nm)
			if _, _, err := send(ctx, s, p, payload); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				continue
			}
			r, err := rmpFetch(ctx, s, f.page, p.Header)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				continue
			}
			detail, ok := xssConfirm(r, pr, nm)
			if !ok {
				continue
			}
			return []Result{{
				Check: "xss.stored", Point: p, Payload: payload, Confirmed: true,
				Detail: fmt.Sprintf("Input stored through %s is shown on %s in %s without encoding: %s.",
					p, f.page.Redacted(), names[i], detail),
				Request:  requestExcerpt(p, payload),
				Response: "GET " + f.page.Redacted() + "\n" + responseExcerpt(r, nm),
			}}, nil
		}
	}
	return nil, nil
}

// rmpFetch GETs u with the given headers (a session's cookies).
func rmpFetch(ctx context.Context, s Sender, u *url.URL, hdr http.Header) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range hdr {
		if http.CanonicalHeaderKey(k) == "Content-Type" {
			continue
		}
		req.Header[k] = v
	}
	r, err := s.Send(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	return r, nil
}
