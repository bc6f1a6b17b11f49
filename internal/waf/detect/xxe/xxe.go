package xxe

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Detector finds XXE. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.XXE.
func (*Detector) Class() detect.Class { return detect.XXE }

// Rule indexes into rules.
const (
	ruleExternalEntity = iota
	ruleParameterEntity
	ruleExternalDTD
	ruleExpansion
	ruleSubset
	ruleXInclude
	ruleSchema
	ruleSchemaLocation
	numRules
)

var rules = [numRules]string{
	"xxe.external-entity", "xxe.parameter-entity", "xxe.external-dtd", "xxe.entity-expansion",
	"xxe.internal-subset", "xxe.xinclude", "xxe.schema", "xxe.schema-location",
}

// result keeps the strongest match per rule.
type result struct {
	ms [numRules]detect.Match
}

func (r *result) add(rule, score, paranoia, off, n int) {
	m := &r.ms[rule]
	if score > m.Score || score == m.Score && paranoia < m.Paranoia {
		*m = detect.Match{Class: detect.XXE, Rule: rules[rule], Score: score, Paranoia: paranoia, Off: off, Len: n}
	}
}

// Detect parses the markup declarations and elements in in.Value.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	var r result
	if in.Kind == detect.KindXML {
		// The engine's XML extractor gives attribute values one by one,
		// named by their local name.
		switch {
		case in.Name == "schemaLocation" || in.Name == "noNamespaceSchemaLocation":
			judgeSchemaLocation(&r, v, in.Name == "noNamespaceSchemaLocation", 0, len(v))
		case strings.TrimSpace(v) == xincludeNS:
			r.add(ruleXInclude, 5, 1, 0, len(v)) // xmlns:xi="http://www.w3.org/2001/XInclude"
		}
	}
	lt := strings.IndexByte(v, '<')
	utf7 := strings.Contains(v, "+ADw")
	if lt < 0 && !utf7 {
		return r.append(dst)
	}
	if lt >= 0 {
		scan(v, lt, &r)
		if strings.IndexByte(v, 0) >= 0 {
			// UTF-16 read as bytes: drop the zero bytes and look again.
			w := strings.ReplaceAll(v, "\x00", "")
			if i := strings.IndexByte(w, '<'); i >= 0 {
				scan(w, i, &r)
			}
		}
	}
	if utf7 {
		if w := decodeUTF7(v); w != v {
			if i := strings.IndexByte(w, '<'); i >= 0 {
				var r7 result
				scan(w, i, &r7)
				for k, m := range r7.ms {
					if m.Score > 0 {
						// Offsets are in the decoded text: point at the whole value.
						r.add(k, m.Score, m.Paranoia, 0, len(v))
					}
				}
			}
		}
	}
	return r.append(dst)
}

// xincludeNS is the XInclude namespace: a request that declares it means
// to include something.
const xincludeNS = "http://www.w3.org/2001/XInclude"

// append appends r's matches to dst.
func (r *result) append(dst []detect.Match) []detect.Match {
	for _, m := range r.ms {
		if m.Score > 0 {
			dst = append(dst, m)
		}
	}
	return dst
}

// namespaces says which namespaces a document mentions.
type namespaces struct {
	xinclude, schema bool
}

// scan judges every '<' of v from the first, at lt.
func scan(v string, lt int, r *result) {
	ns := namespaces{
		xinclude: strings.Contains(v, xincludeNS[len("http://www.w3.org/"):]),
		schema:   strings.Contains(v, "2001/XMLSchema\"") || strings.Contains(v, "2001/XMLSchema'"),
	}
	subset := false // an internal subset or entity declarations were seen
	for i := lt; i >= 0 && i < len(v); {
		rest := v[i:]
		switch {
		case hasPrefixFold(rest, "<!doctype"):
			n, hasSubset := doctype(v, i, r)
			subset = subset || hasSubset
			i += max(n, 1)
		case hasPrefixFold(rest, "<!entity"):
			i += max(entity(v, i, r), 1)
			subset = true
		case len(rest) > 1 && isNameStart(rest[1]):
			i += max(element(v, i, ns, r), 1)
		default:
			i++
		}
		k := strings.IndexByte(v[i:], '<')
		if k < 0 {
			break
		}
		i += k
	}
	if subset {
		if off, n := paramRef(v); n > 0 {
			r.add(ruleParameterEntity, 5, 1, off, n)
		}
	}
	schemaLocations(v, r)
}

// doctype parses the DOCTYPE declaration at v[i:] and returns its length
// and whether it has an internal subset.
func doctype(v string, i int, r *result) (int, bool) {
	p := i + len("<!doctype")
	p = skipSpace(v, p)
	_, p = name(v, p)
	p = skipSpace(v, p)
	kw, q := name(v, p)
	switch {
	case strings.EqualFold(kw, "SYSTEM"):
		q = skipSpace(v, q)
		sys, e := literal(v, q)
		judgeDTD(r, "", sys, i, e-i)
		p = e
	case strings.EqualFold(kw, "PUBLIC"):
		q = skipSpace(v, q)
		pub, e := literal(v, q)
		e2 := skipSpace(v, e)
		sys, e3 := literal(v, e2)
		if e3 == e2 {
			sys = ""
		}
		judgeDTD(r, pub, sys, i, e3-i)
		p = e3
	}
	p = skipSpace(v, p)
	if p < len(v) && v[p] == '[' {
		r.add(ruleSubset, 3, 1, i, p+1-i)
		return p + 1 - i, true // the declarations inside are scanned on their own
	}
	return p - i, false
}

// standardDTDHosts publish the DTDs that ordinary documents reference.
var standardDTDHosts = [...]string{
	"www.w3.org", "w3.org", "www.oasis-open.org", "docs.oasis-open.org", "www.docbook.org",
	"docbook.org", "www.apple.com", "java.sun.com", "xmlns.jcp.org", "www.springframework.org",
	"mybatis.org", "hibernate.org", "www.hibernate.org", "struts.apache.org", "www.wapforum.org",
}

// judgeDTD scores an external DTD reference.
func judgeDTD(r *result, pub, sys string, off, n int) {
	if sys == "" && pub == "" {
		return
	}
	if strings.EqualFold(sys, "about:legacy-compat") {
		return
	}
	switch {
	case sys == "" || standardURL(sys):
		r.add(ruleExternalDTD, 2, 2, off, n)
	case strings.IndexByte(sys, ':') < 0 && sys[0] != '/' && sys[0] != '\\':
		r.add(ruleExternalDTD, 3, 1, off, n) // "note.dtd" beside the document
	default:
		r.add(ruleExternalDTD, 5, 1, off, n)
	}
}

// standardURL reports an http(s) URL on a standards body's host.
func standardURL(u string) bool {
	rest, ok := cutPrefixFold(u, "http://")
	if !ok {
		if rest, ok = cutPrefixFold(u, "https://"); !ok {
			return false
		}
	}
	host := rest
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		host = rest[:k]
	}
	for _, h := range standardDTDHosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

// entity parses the ENTITY declaration at v[i:] and returns its length.
func entity(v string, i int, r *result) int {
	p := skipSpace(v, i+len("<!entity"))
	param := false
	if p < len(v) && v[p] == '%' {
		param = true
		p = skipSpace(v, p+1)
	}
	_, p = name(v, p)
	p = skipSpace(v, p)
	kw, q := name(v, p)
	external := strings.EqualFold(kw, "SYSTEM") || strings.EqualFold(kw, "PUBLIC")
	var val string
	if external {
		q = skipSpace(v, q)
		_, q = literal(v, q)
		q2 := skipSpace(v, q)
		if _, e := literal(v, q2); e > q2 {
			q = e
		}
		p = q
	} else {
		val, p = literal(v, p)
	}
	end := strings.IndexByte(v[p:], '>')
	if end < 0 {
		end = len(v)
	} else {
		end += p + 1
	}
	n := end - i
	switch {
	case param:
		r.add(ruleParameterEntity, 5, 1, i, n)
	case external:
		r.add(ruleExternalEntity, 5, 1, i, n)
	}
	if refs := countRefs(val); refs >= 2 {
		r.add(ruleExpansion, 5, 1, i, n)
	} else if refs == 1 {
		r.add(ruleExpansion, 3, 1, i, n)
	}
	return n
}

// countRefs counts general entity references ("&name;") in an entity value;
// character references ("&#65;") do not count.
func countRefs(val string) int {
	n := 0
	for i := 0; i < len(val); i++ {
		if val[i] != '&' && val[i] != '%' {
			continue
		}
		j := i + 1
		if j < len(val) && isNameStart(val[j]) {
			_, e := name(val, j)
			if e < len(val) && val[e] == ';' {
				n++
				i = e
			}
		}
	}
	return n
}

// paramRef finds a parameter entity reference "%name;" — outside URLs,
// where "%20" is an escape, a name must start with a letter.
func paramRef(v string) (int, int) {
	for i := 0; i < len(v); i++ {
		if v[i] != '%' || i+1 >= len(v) || !isNameStart(v[i+1]) {
			continue
		}
		_, e := name(v, i+1)
		if e < len(v) && v[e] == ';' {
			return i, e + 1 - i
		}
	}
	return 0, 0
}

// element judges the start tag at v[i:] and returns its length: up to
// its '>', or up to a '<' (which cannot be in a tag) or the end of v.
func element(v string, i int, ns namespaces, r *result) int {
	qn, p := name(v, i+1)
	end := p
	for end < len(v) && v[end] != '>' && v[end] != '<' {
		end++
	}
	if end < len(v) && v[end] == '>' {
		end++
	}
	colon := strings.IndexByte(qn, ':')
	if colon < 0 {
		return end - i
	}
	prefix, local := qn[:colon], qn[colon+1:]
	tag := v[i:end]
	switch local {
	case "include":
		if prefix == "xi" || ns.xinclude {
			r.add(ruleXInclude, 5, 1, i, end-i)
			return end - i
		}
		fallthrough
	case "import", "redefine", "override":
		if prefix == "xs" || prefix == "xsd" || ns.schema {
			for _, a := range [...]string{"schemaLocation", "namespace", "href", "location"} {
				val, ok := attr(tag, a)
				if !ok {
					continue
				}
				if strings.Contains(val, "://") || strings.HasPrefix(val, "/") || hasPrefixFold(val, "file:") {
					r.add(ruleSchema, 5, 1, i, end-i)
				} else if val != "" {
					r.add(ruleSchema, 3, 1, i, end-i)
				}
			}
		}
	}
	return end - i
}

// attr returns the value of the attribute named name (any prefix) in the
// start tag tag.
func attr(tag, name string) (string, bool) {
	for i := 0; i < len(tag); {
		k := strings.Index(tag[i:], name)
		if k < 0 {
			return "", false
		}
		k += i
		i = k + len(name)
		if k > 0 && tag[k-1] != ' ' && tag[k-1] != ':' && tag[k-1] != '\t' && tag[k-1] != '\n' {
			continue
		}
		p := skipSpace(tag, i)
		if p >= len(tag) || tag[p] != '=' {
			continue
		}
		p = skipSpace(tag, p+1)
		val, e := literal(tag, p)
		if e == p {
			continue
		}
		return val, true
	}
	return "", false
}

// schemaLocations judges xsi:schemaLocation and noNamespaceSchemaLocation
// attributes: a schemaLocation is pairs of namespace and .xsd location; a
// location elsewhere than an http(s) .xsd file asks the parser to fetch
// something else.
func schemaLocations(v string, r *result) {
	for i := 0; i < len(v); {
		k := strings.Index(v[i:], "chemaLocation")
		if k < 0 {
			return
		}
		k += i
		i = k + len("chemaLocation")
		if k == 0 || v[k-1] != 's' && v[k-1] != 'S' {
			continue
		}
		p := skipSpace(v, i)
		if p >= len(v) || v[p] != '=' {
			continue
		}
		p = skipSpace(v, p+1)
		val, e := literal(v, p)
		if e == p {
			continue
		}
		if e == len(v) {
			i = e // an unclosed literal runs to the end: nothing follows it
		}
		judgeSchemaLocation(r, val, hasSuffixFold(v[:k], "noNamespaceS"), k-1, e-k+1)
	}
}

// judgeSchemaLocation scores the value of a schemaLocation attribute
// (noNS: of a noNamespaceSchemaLocation one).
func judgeSchemaLocation(r *result, val string, noNS bool, off, n int) {
	fields := strings.Fields(val)
	bad := len(fields) == 0 || !noNS && len(fields)%2 != 0
	for j, f := range fields {
		if (noNS || j%2 == 1) && !xsdURL(f) {
			bad = true
		}
	}
	if bad {
		r.add(ruleSchemaLocation, 5, 1, off, n)
	} else {
		r.add(ruleSchemaLocation, 2, 2, off, n)
	}
}

// xsdURL reports a schema location of the ordinary kind: an http(s) URL
// or a relative path naming a .xsd file.
func xsdURL(u string) bool {
	if k := strings.IndexAny(u, "?#"); k >= 0 {
		u = u[:k]
	}
	if !hasSuffixFold(u, ".xsd") {
		return false
	}
	if strings.Contains(u, "://") {
		return hasPrefixFold(u, "http://") || hasPrefixFold(u, "https://")
	}
	return !strings.HasPrefix(u, "/") && !strings.Contains(u, ":")
}

// literal reads a quoted literal at v[p:] and returns its content and the
// index after it; unquoted, it reads up to a blank or '>'.
func literal(v string, p int) (string, int) {
	if p >= len(v) {
		return "", p
	}
	if q := v[p]; q == '"' || q == '\'' {
		k := strings.IndexByte(v[p+1:], q)
		if k < 0 {
			return v[p+1:], len(v)
		}
		return v[p+1 : p+1+k], p + k + 2
	}
	e := p
	for e < len(v) && !isSpace(v[e]) && v[e] != '>' && v[e] != '[' {
		e++
	}
	return v[p:e], e
}

// name reads an XML name at v[p:].
func name(v string, p int) (string, int) {
	e := p
	for e < len(v) && isNameChar(v[e]) {
		e++
	}
	return v[p:e], e
}

func skipSpace(v string, p int) int {
	for p < len(v) && isSpace(v[p]) {
		p++
	}
	return p
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
func isNameStart(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' || c >= 0x80
}
func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':'
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if hasPrefixFold(s, prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
