package extract

import (
	"net/http"
	"strings"

	"rampart/internal/waf/detect"
)

// path adds the raw path and its segments that could hold an attack.
func (x *extractor) path(r *http.Request) {
	p := rawPath(r)
	if p == "" {
		return
	}
	x.add(detect.KindPath, "", "path", p)
	for rest := p; rest != "" && !x.full(); {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		if seg != "" && seg != p && !plainSegment(seg) {
			x.add(detect.KindPath, "", "path", seg)
		}
	}
}

// rawPath is the path as the client sent it, escapes and all: from the
// request line when the server kept it, else as net/url re-escapes it.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL == nil {
		return ""
	}
	return r.URL.EscapedPath()
}

// plainSegment reports whether seg is short and made only of unreserved
// characters, so that no attack fits in it beyond what the whole path
// shows (long ones may be base64).
func plainSegment(seg string) bool {
	if len(seg) >= 12 {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' && c != '~' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// query adds the arguments of a raw query string.
func (x *extractor) query(raw string) {
	x.pairs(raw, detect.KindQuery, "query")
}

// pairs adds the name=value pairs of a URL-encoded string (a query or a
// form body) as values of kind k located at prefix:name, and each
// name not seen before in the query or form as a KindArgName target
// located at argname:name. It is
// lenient as applications are: repeated keys are all kept, a pair without
// '=' is both a name and a value, "a[b]" and "a[]" are names like others,
// and bad escapes stay as they are. Values are kept raw; names are
// percent-decoded once for Name and Loc.
func (x *extractor) pairs(raw string, k detect.Kind, prefix string) {
	for raw != "" && !x.full() {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		name, value, eq := strings.Cut(pair, "=")
		if !eq {
			value = name
		}
		dname := x.unescape(name)
		if name != "" && x.names.add(name) {
			x.add(detect.KindArgName, dname, x.loc("argname", dname), name)
		}
		if value != "" {
			x.add(k, dname, x.loc(prefix, dname), value) // the location is cut at maxLoc, the name is not
		}
		if k == detect.KindQuery && dname == "query" {
			x.graphQLArg(value)
		}
	}
}

// unescape percent-decodes s once, '+' as a space, keeping bad escapes.
// It returns s itself when there is nothing to decode.
func (x *extractor) unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	start := x.sb.Len()
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			x.sb.WriteByte(' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			x.sb.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			x.sb.WriteByte(c)
		}
	}
	return x.sb.String()[start:]
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// cookieSpace is what is trimmed around cookie names and values.
const cookieSpace = " \t\r\n"

// cookies adds every cookie of every Cookie header, parsed leniently:
// pairs split at ';', spaces trimmed, a pair without '=' kept as a value
// without a name, quotes and escapes left in the value. Cookie names are
// added as KindArgName targets located at argname:cookie:name.
func (x *extractor) cookies(r *http.Request) {
	var names nameSet
	for _, h := range r.Header["Cookie"] {
		for h != "" && !x.full() {
			var pair string
			pair, h, _ = strings.Cut(h, ";")
			pair = strings.Trim(pair, cookieSpace)
			if pair == "" {
				continue
			}
			name, value, eq := strings.Cut(pair, "=")
			if !eq {
				name, value = "", pair
			}
			name = strings.TrimRight(name, cookieSpace)
			value = strings.TrimLeft(value, cookieSpace)
			loc := x.loc("cookie", name) // cut at maxLoc; the name is not
			if name != "" && names.add(name) {
				x.add(detect.KindArgName, name, x.loc("argname", loc), name)
			}
			if value != "" {
				x.add(detect.KindCookie, name, loc, value)
			}
		}
	}
}
