package xss

import "strings"

// colon judges a URL scheme ending at s[i] == ':' in text.
func (sc *scanner) colon(lo, i, hi, depth int) {
	s := sc.s
	if i-4 < lo {
		return
	}
	switch lower(s[i-1]) {
	case 't', 'a', 'p', 'h', 'l': // javascript, vbscript, livescript, jscript, data, mocha, mhtml
	default:
		if s[i-1] != '\t' && s[i-1] != '\n' && s[i-1] != '\r' {
			return
		}
	}
	if scriptWordBefore(s, lo, i) {
		if sc.codeAfter(i+1, hi) {
			sc.hit(ruleJSURL, i, 1)
		}
		return
	}
	if i-5 >= lo && equalFold(s[i-5:i], "mhtml") && (i-6 < lo || !isIdent(s[i-6])) && i+1 < hi && isAlpha(s[i+1]) {
		// mhtml:http://host/page.mht!x.html: a cross-origin document in IE.
		sc.hit(ruleDataURL, i-5, 6)
		return
	}
	if depth == 0 && equalFold(s[i-4:i], "data") && (i-5 < lo || !isIdent(s[i-5])) {
		// In attributes the tag judges data: URLs, knowing the element.
		if m := dataMIME(s[i-4 : min(hi, i+80)]); m != mimeInert {
			sc.hit(ruleDataURL, i-4, 5)
		}
	}
}

// codeAfter reports whether s[p:] starts with code: a statement that calls,
// assigns or indexes and does not read as prose. A leading // comment
// ends at a line break ("javascript://%0aalert(1)").
func (sc *scanner) codeAfter(p, hi int) bool {
	s := sc.s
	for p < hi && s[p] <= ' ' {
		p++
	}
	if p+1 < hi && s[p] == '/' && s[p+1] == '/' {
		end := sc.ahead(p, hi)
		sc.budget -= end - p
		nl := strings.IndexAny(s[p:end], "\n\r")
		if nl < 0 {
			return false
		}
		p += nl
		for p < hi && s[p] <= ' ' {
			p++
		}
	}
	if p >= hi {
		return false
	}
	t := statement(s[p:sc.ahead(p, hi)])
	sc.budget -= len(t)
	return acts(t) && !prose(t)
}

// scriptWordBefore reports whether a script URL scheme ends at s[k]
// (exclusive), "javascript" in "javascript:alert(1)".
func scriptWordBefore(s string, lo, k int) bool {
	var buf [10]byte
	n := 0
	for k > lo {
		c := s[k-1]
		if c == '\t' || c == '\n' || c == '\r' {
			k--
			continue
		}
		if !isAlpha(c) {
			break
		}
		if n == len(buf) {
			return false
		}
		n++
		buf[len(buf)-n] = lower(c)
		k--
	}
	if k > lo && isIdent(s[k-1]) {
		return false
	}
	switch string(buf[len(buf)-n:]) {
	case "javascript", "vbscript", "livescript", "mocha", "jscript":
		return true
	}
	return false
}

// absoluteURL reports whether u leaves the page's origin: it has a
// scheme, or starts with two slashes of either direction.
func absoluteURL(u string) bool {
	if len(u) >= 2 && (u[0] == '/' || u[0] == '\\') && (u[1] == '/' || u[1] == '\\') {
		return true
	}
	for i := 0; i < len(u) && i < 32; i++ {
		c := u[i]
		if c == ':' {
			return i > 0
		}
		if !isAlpha(c) && !(i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return false
}

// URL schemes that matter.
const (
	schemeOther = iota
	schemeScript
	schemeData
)

// scheme classifies the URL scheme s starts with, dropping the bytes
// browsers (old ones included) drop inside a scheme: "java\tscript:",
// "jav ascript:" and "JaVaScRiPt:" all run.
func scheme(s string) int {
	var buf [12]byte
	n := 0
	for i := 0; i < len(s) && i < 64; i++ {
		c := s[i]
		switch {
		case c == ':':
			switch string(buf[:n]) {
			case "javascript", "vbscript", "livescript", "mocha", "jscript":
				return schemeScript
			case "data":
				return schemeData
			}
			return schemeOther
		case isURLJunk(c):
		case isAlpha(c) && n < len(buf):
			buf[n] = lower(c)
			n++
		default:
			return schemeOther
		}
	}
	return schemeOther
}

// data: MIME classes.
const (
	mimeInert  = iota
	mimeActive // HTML, XML, script: runs when loaded as a document
	mimeSVG    // runs as a document, not as an image
)

// dataMIME classifies the media type of the data: URL s.
func dataMIME(s string) int {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return mimeInert
	}
	m := strings.TrimLeft(s[i+1:], " \t\n\r")
	e := strings.IndexAny(m, ",;")
	if e < 0 || e > 64 {
		return mimeInert
	}
	m = strings.TrimSpace(m[:e])
	switch {
	case equalFold(m, "text/html"), equalFold(m, "application/xhtml+xml"), equalFold(m, "text/xml"),
		equalFold(m, "application/xml"), indexFold(m, "javascript") >= 0, indexFold(m, "ecmascript") >= 0,
		indexFold(m, "vbscript") >= 0, equalFold(m, "application/x-shockwave-flash"):
		return mimeActive
	case equalFold(m, "image/svg+xml"):
		return mimeSVG
	}
	return mimeInert
}
