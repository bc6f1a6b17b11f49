package active

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// xssKind is where in a page a reflection landed.
type xssKind uint8

// Reflection contexts.
const (
	xssText     xssKind = iota // text between tags
	xssAttr                    // an attribute value
	xssAttrName                // inside a tag, outside any value (tag or attribute name)
	xssURLAttr                 // the start of a URL attribute that runs javascript: URLs
	xssEvent                   // inside an on* handler attribute (JavaScript)
	xssScript                  // inside <script> raw text
	xssComment                 // inside <!-- … -->
	xssRawText                 // inside a raw text or RCDATA element (style, textarea, title, …)
)

func (k xssKind) String() string {
	switch k {
	case xssText:
		return "HTML text"
	case xssAttr:
		return "attribute value"
	case xssAttrName:
		return "tag"
	case xssURLAttr:
		return "URL attribute"
	case xssEvent:
		return "event handler attribute"
	case xssScript:
		return "script"
	case xssComment:
		return "HTML comment"
	case xssRawText:
		return "raw text element"
	}
	return "unknown"
}

// xssContext is one reflection's context.
type xssContext struct {
	Kind xssKind
	// Tag is the element: the one whose attribute or raw text holds the
	// reflection.
	Tag string
	// Attr is the attribute name for attribute contexts.
	Attr string
	// Quote is the attribute's quote: '"', '\'', or 0 when unquoted.
	Quote byte
	// JS is the JavaScript state at the reflection (xssScript, xssEvent).
	JS jsState
	// JSCode says the script is JavaScript (not a JSON or template block
	// that only a </script> breakout can escape).
	JSCode bool
}

func (c xssContext) String() string {
	s := c.Kind.String()
	if c.Tag != "" {
		s += " of <" + c.Tag + ">"
	}
	if c.Attr != "" {
		s += " " + c.Attr
		switch c.Quote {
		case '"':
			s += ` (double-quoted)`
		case '\'':
			s += ` (single-quoted)`
		default:
			if c.Kind == xssAttr {
				s += ` (unquoted)`
			}
		}
	}
	switch {
	case c.Kind == xssScript && !c.JSCode:
		s += ", not JavaScript"
	case c.Kind == xssScript || c.Kind == xssEvent:
		s += ", " + c.JS.String()
	}
	return s
}

// Bounds on the context finder (its input is an untrusted response).
const (
	maxXSSContexts   = 16
	maxXSSScriptScan = 256 << 10
	maxXSSPerToken   = 4
)

// xssRawTextTags are the elements whose content the tokenizer reads as raw
// text or RCDATA: markup inside them is text until their end tag.
var xssRawTextTags = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

// xssJSURLAttr says whether a javascript: URL in attribute attr of element
// tag runs script when the user follows or loads it.
func xssJSURLAttr(tag, attr string) bool {
	switch attr {
	case "href":
		return tag == "a" || tag == "area"
	case "src":
		return tag == "iframe" || tag == "frame"
	case "action":
		return tag == "form"
	case "formaction":
		return true
	case "data":
		return tag == "object"
	case "xlink:href":
		return true
	}
	return false
}

// xssJSType says whether a <script type=…> holds JavaScript.
func xssJSType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "", "module", "text/javascript", "application/javascript", "text/ecmascript",
		"application/ecmascript", "application/x-javascript", "text/jscript", "text/x-javascript":
		return true
	}
	return false
}

// xssContexts returns the distinct contexts in which mark appears in an
// HTML body, in document order, at most maxXSSContexts of them.
func xssContexts(body []byte, mark string) []xssContext {
	if mark == "" || !bytes.Contains(body, []byte(mark)) {
		return nil
	}
	var out []xssContext
	seen := map[xssContext]bool{}
	add := func(c xssContext) bool {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
		return len(out) < maxXSSContexts
	}
	bmark := []byte(mark)
	z := html.NewTokenizer(bytes.NewReader(body))
	var rawTag string // the raw text element just opened
	var rawJS bool
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		raw := z.Raw()
		opened := rawTag
		rawTag = ""
		switch tt {
		case html.TextToken:
			if !bytes.Contains(raw, bmark) {
				continue
			}
			switch opened {
			case "":
				if !add(xssContext{Kind: xssText}) {
					return out
				}
			case "script":
				src := raw
				if len(src) > maxXSSScriptScan {
					src = src[:maxXSSScriptScan]
				}
				for _, off := range xssIndexAll(src, bmark, maxXSSPerToken) {
					c := xssContext{Kind: xssScript, Tag: "script", JSCode: rawJS}
					if rawJS {
						c.JS = jsStateAt(src, off)
					}
					if !add(c) {
						return out
					}
				}
			default:
				if !add(xssContext{Kind: xssRawText, Tag: opened}) {
					return out
				}
			}
		case html.CommentToken:
			if bytes.Contains(raw, bmark) && !add(xssContext{Kind: xssComment}) {
				return out
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, attrs := xssScanTag(raw)
			if tt == html.StartTagToken && xssRawTextTags[name] {
				rawTag = name
				rawJS = true
			}
			if !bytes.Contains(raw, bmark) {
				if name == "script" {
					for _, a := range attrs {
						if a.name == "type" && !xssJSType(html.UnescapeString(a.val)) {
							rawJS = false
						}
					}
				}
				continue
			}
			if strings.Contains(name, mark) && !add(xssContext{Kind: xssAttrName, Tag: name}) {
				return out
			}
			for _, a := range attrs {
				if name == "script" && a.name == "type" && !xssJSType(html.UnescapeString(a.val)) {
					rawJS = false
				}
				if strings.Contains(a.name, mark) {
					if !add(xssContext{Kind: xssAttrName, Tag: name}) {
						return out
					}
					continue
				}
				if !strings.Contains(a.val, mark) {
					continue
				}
				val := html.UnescapeString(a.val)
				if xssJSURLAttr(name, a.name) && strings.HasPrefix(strings.TrimLeft(val, "\x00\t\n\f\r "), mark) {
					if !add(xssContext{Kind: xssURLAttr, Tag: name, Attr: a.name, Quote: a.quote}) {
						return out
					}
				}
				if strings.HasPrefix(a.name, "on") && len(val) <= maxXSSScriptScan {
					for _, off := range xssIndexAll([]byte(val), bmark, maxXSSPerToken) {
						c := xssContext{Kind: xssEvent, Tag: name, Attr: a.name, Quote: a.quote, JS: jsStateAt([]byte(val), off), JSCode: true}
						if !add(c) {
							return out
						}
					}
				}
				if !add(xssContext{Kind: xssAttr, Tag: name, Attr: a.name, Quote: a.quote}) {
					return out
				}
			}
		}
	}
}

// xssIndexAll returns the offsets of up to n occurrences of sep in b.
func xssIndexAll(b, sep []byte, n int) []int {
	var offs []int
	for i := 0; len(offs) < n; {
		j := bytes.Index(b[i:], sep)
		if j < 0 {
			break
		}
		offs = append(offs, i+j)
		i += j + len(sep)
	}
	return offs
}

// xssTagAttr is one attribute of a raw start tag, its value undecoded.
type xssTagAttr struct {
	name  string // lowercase
	val   string // as written, without quotes
	quote byte   // '"', '\'' or 0
}

func xssSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// xssScanTag splits a raw start tag ("<a href='x' b=y c>") into its
// lowercase name and attributes the way the HTML tokenizer does, keeping
// each value's quote, which the tokenizer's own API does not report.
func xssScanTag(raw []byte) (string, []xssTagAttr) {
	if len(raw) < 2 || raw[0] != '<' {
		return "", nil
	}
	i := 1
	for i < len(raw) && !xssSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	name := strings.ToLower(string(raw[1:i]))
	var attrs []xssTagAttr
	for i < len(raw) {
		for i < len(raw) && (xssSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			break
		}
		ns := i
		i++ // the first character of a name may be '='
		for i < len(raw) && !xssSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' && raw[i] != '=' {
			i++
		}
		a := xssTagAttr{name: strings.ToLower(string(raw[ns:i]))}
		j := i
		for j < len(raw) && xssSpace(raw[j]) {
			j++
		}
		if j < len(raw) && raw[j] == '=' {
			j++
			for j < len(raw) && xssSpace(raw[j]) {
				j++
			}
			if j < len(raw) && (raw[j] == '"' || raw[j] == '\'') {
				a.quote = raw[j]
				k := bytes.IndexByte(raw[j+1:], a.quote)
				if k < 0 {
					a.val = string(raw[j+1:])
					i = len(raw)
				} else {
					a.val = string(raw[j+1 : j+1+k])
					i = j + 2 + k
				}
			} else {
				k := j
				for k < len(raw) && !xssSpace(raw[k]) && raw[k] != '>' {
					k++
				}
				a.val = string(raw[j:k])
				i = k
			}
		}
		attrs = append(attrs, a)
	}
	return name, attrs
}

// jsState is a JavaScript lexer state.
type jsState uint8

// JavaScript lexer states.
const (
	jsCode jsState = iota
	jsSingle
	jsDouble
	jsTemplate
	jsLineComment
	jsBlockComment
	jsRegexp
)

func (s jsState) String() string {
	switch s {
	case jsCode:
		return "code"
	case jsSingle:
		return "single-quoted string"
	case jsDouble:
		return "double-quoted string"
	case jsTemplate:
		return "template literal"
	case jsLineComment:
		return "line comment"
	case jsBlockComment:
		return "block comment"
	case jsRegexp:
		return "regular expression"
	}
	return "unknown"
}

// jsRegexpAfter says whether a '/' after the character c (the last one
// that is not a space; 0 at the start) begins a regular expression
// rather than a division.
func jsRegexpAfter(c byte, word string) bool {
	switch word {
	case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
		return true
	}
	if word != "" {
		return false
	}
	return c == 0 || strings.IndexByte("(,=:[!&|?{};+-*%<>~^", c) >= 0
}

func isJSWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// jsStateAt returns the lexer state of src at byte offset off: inside a
// string (of which quote), a template literal, a comment, a regular
// expression, or code (which includes a template's ${…}).
func jsStateAt(src []byte, off int) jsState {
	off = min(off, len(src))
	st := jsCode
	var tmpl []int // brace depth at each ${ of the template literals we are in
	depth := 0
	var prev byte // last significant byte in code
	wordStart := -1
	var word string // the identifier that ended just before, in code
	inClass := false
	for i := 0; i < off; i++ {
		c := src[i]
		switch st {
		case jsCode:
			if isJSWordByte(c) {
				if wordStart < 0 {
					wordStart = i
				}
				continue
			}
			if wordStart >= 0 {
				word = string(src[wordStart:i])
				prev = src[i-1]
				wordStart = -1
			}
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				continue
			case c == '\'':
				st = jsSingle
			case c == '"':
				st = jsDouble
			case c == '`':
				st = jsTemplate
			case c == '/' && i+1 < len(src) && src[i+1] == '/':
				st = jsLineComment
				i++
			case c == '/' && i+1 < len(src) && src[i+1] == '*':
				st = jsBlockComment
				i++
			case c == '/' && jsRegexpAfter(prev, word):
				st = jsRegexp
				inClass = false
			case c == '{':
				depth++
			case c == '}':
				if len(tmpl) > 0 && depth == tmpl[len(tmpl)-1] {
					tmpl = tmpl[:len(tmpl)-1]
					st = jsTemplate
				} else if depth > 0 {
					depth--
				}
			}
			word = ""
			prev = c
		case jsSingle, jsDouble:
			switch {
			case c == '\\':
				i++
			case c == '\n':
				st = jsCode
				prev, word = ')', ""
			case (c == '\'' && st == jsSingle) || (c == '"' && st == jsDouble):
				st = jsCode
				prev, word = ')', ""
			}
		case jsTemplate:
			switch {
			case c == '\\':
				i++
			case c == '`':
				st = jsCode
				prev, word = ')', ""
			case c == '$' && i+1 < len(src) && src[i+1] == '{':
				i++
				if len(tmpl) < 64 {
					tmpl = append(tmpl, depth)
				}
				st = jsCode
				prev, word = '{', ""
			}
		case jsLineComment:
			if c == '\n' {
				st = jsCode
			}
		case jsBlockComment:
			if c == '*' && i+1 < len(src) && src[i+1] == '/' {
				i++
				st = jsCode
			}
		case jsRegexp:
			switch {
			case c == '\\':
				i++
			case c == '\n':
				st = jsCode
				prev, word = ')', ""
			case c == '[':
				inClass = true
			case c == ']':
				inClass = false
			case c == '/' && !inClass:
				st = jsCode
				prev, word = ')', ""
			}
		}
	}
	return st
}
