package scan

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// Bounds on what is taken from one document: the input is untrusted and
// a page of a million links must not become a million requests.
const (
	maxExtractBytes = 4 << 20
	maxLinks        = 2000
	maxForms        = 100
	maxInputs       = 200
	maxOptions      = 50
	maxJSBytes      = 1 << 20
	maxJSLinks      = 500
	maxLinkText     = 200
	maxValueLen     = 1024
)

// Form is an HTML form as the crawler found it. The crawler never submits
// forms; active checks use them as insertion points.
type Form struct {
	// Page is the URL of the page that holds the form.
	Page string `json:"page"`
	// Action is the absolute URL the form submits to.
	Action string `json:"action"`
	// Method is "GET" or "POST" (a dialog form is "DIALOG").
	Method string `json:"method"`
	// Enctype is the form's encoding, application/x-www-form-urlencoded
	// by default.
	Enctype string  `json:"enctype"`
	Inputs  []Input `json:"inputs"`
}

// Input is one named field of a Form.
type Input struct {
	Name string `json:"name"`
	// Type is the input type in lowercase ("text", "hidden", "password",
	// "checkbox", "file", "submit", …), or "textarea", "select".
	Type string `json:"type"`
	// Value is the default value (a select's selected or first option).
	Value   string `json:"value,omitempty"`
	Checked bool   `json:"checked,omitempty"`
	// Options are a select's option values.
	Options []string `json:"options,omitempty"`
}

// Values returns what a browser would submit for the form unchanged:
// every named field with its default value, checked boxes only, the
// first radio button of a group unless another is checked, and the first
// named submit button.
func (f *Form) Values() url.Values {
	v := url.Values{}
	radios := map[string]bool{}
	submitted := false
	for _, in := range f.Inputs {
		switch in.Type {
		case "submit", "image", "button", "reset":
			if in.Type == "submit" && !submitted {
				v.Set(in.Name, in.Value)
				submitted = true
			}
		case "checkbox":
			if in.Checked {
				v.Add(in.Name, orOn(in.Value))
			}
		case "radio":
			if in.Checked {
				v.Set(in.Name, orOn(in.Value))
				radios[in.Name] = true
			} else if !radios[in.Name] && !v.Has(in.Name) {
				v.Set(in.Name, orOn(in.Value))
			}
		case "file":
			v.Set(in.Name, "")
		default:
			v.Add(in.Name, in.Value)
		}
	}
	return v
}

func orOn(s string) string {
	if s == "" {
		return "on"
	}
	return s
}

// link is a URL found in a document, with the text of the link (for
// sign-out detection).
type link struct {
	url  *url.URL
	text string
}

// resource is a URL a document loads (script, stylesheet, frame, image,
// form action…), for the mixed content and JavaScript library checks.
type resource struct {
	tag string
	url *url.URL
}

// document is what extractHTML takes from an HTML page.
type document struct {
	links     []link
	forms     []Form
	resources []resource
	// metaCSP are <meta http-equiv="Content-Security-Policy"> policies,
	// metaReferrer the <meta name="referrer"> policy, generator the
	// <meta name="generator"> banner.
	metaCSP      []string
	metaReferrer string
	generator    string
	// ngVersion is an Angular root's ng-version attribute.
	ngVersion string
}

// extractHTML reads links, forms and resources from an HTML document at
// base. It reads at most maxExtractBytes and keeps at most maxLinks links
// and maxForms forms.
func extractHTML(base *url.URL, body []byte) *document {
	if len(body) > maxExtractBytes {
		body = body[:maxExtractBytes]
	}
	d := &document{}
	pageURL := base.String()
	seen := map[string]bool{}
	addLink := func(u *url.URL, text string) {
		if u == nil || len(d.links) >= maxLinks {
			return
		}
		k := u.String()
		if seen[k] {
			return
		}
		seen[k] = true
		d.links = append(d.links, link{url: u, text: text})
	}
	addRes := func(tag string, u *url.URL) {
		if u != nil && len(d.resources) < maxLinks {
			d.resources = append(d.resources, resource{tag: tag, url: u})
		}
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	var (
		attrs     []attr
		form      *Form
		anchor    *link // open <a>, its text being read
		anchorTxt strings.Builder
		textarea  *Input
		sel       *Input
		inOption  bool
		optValue  string
		optHasVal bool
		inScript  bool
		script    bytes.Buffer // inline script text, at most maxJSBytes
		baseSet   bool
	)
	closeAnchor := func() {
		if anchor != nil {
			text := strings.TrimSpace(anchor.text + " " + anchorTxt.String())
			addLink(anchor.url, text)
			anchor = nil
		}
	}
	closeForm := func() {
		if form != nil {
			d.forms = append(d.forms, *form)
			form = nil
		}
	}
	addInput := func(in Input) *Input {
		if form == nil || len(form.Inputs) >= maxInputs {
			return nil
		}
		form.Inputs = append(form.Inputs, in)
		return &form.Inputs[len(form.Inputs)-1]
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			closeAnchor()
			closeForm()
			for _, u := range extractJS(base, script.Bytes(), maxJSLinks) {
				addLink(u, "")
			}
			return d
		case html.TextToken:
			switch {
			case inScript:
				if script.Len() < maxJSBytes {
					t := z.Text()
					script.Write(t[:min(len(t), maxJSBytes-script.Len())])
					script.WriteByte('\n')
				}
			case textarea != nil:
				if len(textarea.Value) < maxValueLen {
					textarea.Value = clipString(textarea.Value+string(z.Text()), maxValueLen)
				}
			case inOption:
				if !optHasVal && len(optValue) < maxValueLen {
					optValue = clipString(optValue+string(z.Text()), maxValueLen)
				}
			case anchor != nil:
				if anchorTxt.Len() < maxLinkText {
					t := z.Text()
					anchorTxt.Write(t[:min(len(t), maxLinkText-anchorTxt.Len())])
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "a":
				closeAnchor()
			case "form":
				closeForm()
			case "textarea":
				textarea = nil
			case "option":
				if inOption && sel != nil {
					sel.Options = appendOption(sel.Options, strings.TrimSpace(optValue))
				}
				inOption = false
			case "select":
				if sel != nil && sel.Value == "" && len(sel.Options) > 0 {
					sel.Value = sel.Options[0]
				}
				sel = nil
			case "script":
				inScript = false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if inScript {
				inScript = false
			}
			if !hasAttr && tag != "form" && tag != "option" && tag != "select" && tag != "textarea" && tag != "script" {
				continue
			}
			attrs = readAttrs(z, attrs[:0], hasAttr)
			switch tag {
			case "base":
				if h := get(attrs, "href"); h != "" && !baseSet {
					if b := resolve(base, h); b != nil {
						base, baseSet = b, true
					}
				}
			case "a", "area":
				closeAnchor()
				u := resolve(base, get(attrs, "href"))
				if u == nil {
					continue
				}
				text := strings.TrimSpace(get(attrs, "title") + " " + get(attrs, "aria-label"))
				if tag == "area" || tt == html.SelfClosingTagToken {
					addLink(u, strings.TrimSpace(text+" "+get(attrs, "alt")))
					continue
				}
				anchor = &link{url: u, text: text}
				anchorTxt.Reset()
			case "link":
				u := resolve(base, get(attrs, "href"))
				rel := strings.ToLower(get(attrs, "rel"))
				switch {
				case u == nil:
				case strings.Contains(rel, "stylesheet"):
					addRes("stylesheet", u)
					addLink(u, "")
				case strings.Contains(rel, "preconnect") || strings.Contains(rel, "dns-prefetch"):
				case strings.Contains(rel, "icon"):
					addRes("img", u)
				default:
					addLink(u, "")
				}
			case "iframe", "frame":
				if u := resolve(base, get(attrs, "src")); u != nil {
					addRes(tag, u)
					addLink(u, "")
				}
			case "script":
				if u := resolve(base, get(attrs, "src")); u != nil {
					addRes("script", u)
					addLink(u, "")
				} else if tt == html.StartTagToken {
					inScript = true
				}
			case "img", "audio", "video", "source", "track", "embed", "object", "input":
				src := get(attrs, "src")
				if tag == "object" {
					src = get(attrs, "data")
				}
				if u := resolve(base, src); u != nil {
					kind := tag
					if tag == "source" || tag == "track" || tag == "input" {
						kind = "img"
					}
					addRes(kind, u)
				}
				if tag == "input" {
					typ := strings.ToLower(get(attrs, "type"))
					if typ == "" {
						typ = "text"
					}
					if n := get(attrs, "name"); n != "" {
						addInput(Input{Name: clipString(n, maxValueLen), Type: typ, Value: clipString(get(attrs, "value"), maxValueLen), Checked: has(attrs, "checked")})
					}
				}
			case "meta":
				httpEquiv := strings.ToLower(get(attrs, "http-equiv"))
				content := get(attrs, "content")
				switch {
				case httpEquiv == "content-security-policy":
					if len(d.metaCSP) < 8 {
						d.metaCSP = append(d.metaCSP, clipString(content, 8192))
					}
				case httpEquiv == "refresh":
					if u := refreshURL(base, content); u != nil {
						addLink(u, "")
					}
				}
				switch strings.ToLower(get(attrs, "name")) {
				case "referrer":
					d.metaReferrer = clipString(content, 200)
				case "generator":
					d.generator = clipString(content, 200)
				}
			case "form":
				closeForm()
				if len(d.forms) >= maxForms {
					continue
				}
				method := strings.ToUpper(strings.TrimSpace(get(attrs, "method")))
				if method != "POST" && method != "DIALOG" {
					method = "GET"
				}
				action := base
				if a := get(attrs, "action"); a != "" {
					action = resolve(base, a)
				}
				if action == nil {
					continue
				}
				enc := strings.ToLower(strings.TrimSpace(get(attrs, "enctype")))
				if enc != "multipart/form-data" && enc != "text/plain" {
					enc = "application/x-www-form-urlencoded"
				}
				form = &Form{Page: pageURL, Action: action.String(), Method: method, Enctype: enc}
				addRes("form", action)
				if a := get(attrs, "action"); a != "" {
					addLink(action, "")
				}
			case "button":
				if n := get(attrs, "name"); n != "" {
					typ := strings.ToLower(get(attrs, "type"))
					if typ == "" {
						typ = "submit"
					}
					addInput(Input{Name: clipString(n, maxValueLen), Type: typ, Value: clipString(get(attrs, "value"), maxValueLen)})
				}
			case "textarea":
				textarea = nil
				if n := get(attrs, "name"); n != "" {
					textarea = addInput(Input{Name: clipString(n, maxValueLen), Type: "textarea"})
				}
			case "select":
				sel = nil
				if n := get(attrs, "name"); n != "" {
					sel = addInput(Input{Name: clipString(n, maxValueLen), Type: "select"})
				}
			case "option":
				if sel == nil {
					continue
				}
				inOption = true
				optValue, optHasVal = "", false
				if v, ok := lookup(attrs, "value"); ok {
					optValue, optHasVal = clipString(v, maxValueLen), true
				}
				if has(attrs, "selected") {
					sel.Value = optValue
				}
				if tt == html.SelfClosingTagToken {
					sel.Options = appendOption(sel.Options, optValue)
					inOption = false
				}
			default:
				if d.ngVersion == "" && strings.Contains(tag, "-") {
					d.ngVersion = get(attrs, "ng-version")
				}
			}
		}
	}
}

func appendOption(opts []string, v string) []string {
	if len(opts) >= maxOptions {
		return opts
	}
	return append(opts, v)
}

type attr struct{ key, val string }

// readAttrs reads the current tag's attributes into buf.
func readAttrs(z *html.Tokenizer, buf []attr, more bool) []attr {
	for more && len(buf) < 64 {
		var k, v []byte
		k, v, more = z.TagAttr()
		buf = append(buf, attr{string(k), string(v)})
	}
	return buf
}

func lookup(as []attr, key string) (string, bool) {
	for _, a := range as {
		if a.key == key {
			return a.val, true
		}
	}
	return "", false
}

func get(as []attr, key string) string { v, _ := lookup(as, key); return v }

func has(as []attr, key string) bool { _, ok := lookup(as, key); return ok }

// refreshURL reads the URL of a meta refresh ("5; url=/next").
func refreshURL(base *url.URL, content string) *url.URL {
	_, rest, ok := strings.Cut(content, ";")
	if !ok {
		_, rest, ok = strings.Cut(content, ",")
		if !ok {
			return nil
		}
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:3], "url") {
		rest = strings.TrimSpace(rest[3:])
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "="))
	}
	rest = strings.Trim(rest, `'"`)
	return resolve(base, rest)
}

// reJSURL finds string literals in JavaScript (or JSON) that look like
// URLs or paths: absolute URLs, root-relative paths, and relative paths
// ending in a server-side or document file name.
var reJSURL = regexp.MustCompile(`["'` + "`" + `]((?:https?:)?//[A-Za-z0-9.\-]+(?::\d{1,5})?(?:/[A-Za-z0-9_\-~.%!$&()*+,;=:@/?]*)?|/[A-Za-z0-9_\-~.%!$&()*+,;=:@]+(?:/[A-Za-z0-9_\-~.%!$&()*+,;=:@]*)*(?:\?[A-Za-z0-9_\-~.%!$&()*+,;=:@/?]*)?|[A-Za-z0-9_\-~.]+(?:/[A-Za-z0-9_\-~.]+)*\.(?:php\d?|aspx?|ashx|jsp|jspx|do|action|cgi|pl|html?|json|xml|js)(?:\?[A-Za-z0-9_\-~.%!$&()*+,;=:@/?]*)?)["'` + "`" + `]`)

// extractJS returns the URLs in the string literals of a script (or JSON
// document) at base: "/api/users", fetch('/x'), 'search.php?q=', at most
// limit of them. It reads at most maxJSBytes.
func extractJS(base *url.URL, js []byte, limit int) []*url.URL {
	if len(js) > maxJSBytes {
		js = js[:maxJSBytes]
	}
	if len(js) == 0 {
		return nil
	}
	var out []*url.URL
	seen := map[string]bool{}
	for _, m := range reJSURL.FindAllSubmatchIndex(js, -1) {
		if len(out) >= limit {
			break
		}
		s := string(js[m[2]:m[3]])
		if !plausiblePath(s) {
			continue
		}
		u := resolve(base, s)
		if u == nil {
			continue
		}
		k := u.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, u)
		}
	}
	return out
}

// plausiblePath drops literals that match the URL pattern but are not
// links: "/", "//", regular expressions and comment markers, MIME-like
// pairs, closing tags.
func plausiblePath(s string) bool {
	if len(s) < 2 || s == "//" {
		return false
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		if strings.Contains(s, "//") || strings.HasPrefix(s, "/*") {
			return false
		}
	}
	return !strings.ContainsAny(s, "<>{}\\ ")
}

func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
