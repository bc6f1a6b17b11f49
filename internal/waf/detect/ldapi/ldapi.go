// Package ldapi detects LDAP filter injection: values that close the
// filter item they are placed in and open new ones ("*)(uid=*))(|(uid=*",
// "admin)(&)"), or carry whole filters with the &, | and ! operators
// ("(&(uid=admin)(!(userPassword=x)))"), or extensible-match items
// ("userPassword:2.5.13.18:=x"). Fragments are parsed with an RFC 4515
// filter parser (lenient about a missing final ')', which the application's
// template supplies), so parentheses in prose — "(see above)", "smile :-)",
// "f(x)(y)" — do not count: a fragment must parse as filter items.
//
// Rules and scores:
//
//	ldapi.breakout      an unbalanced ")(" followed by a filter     5
//	                    item or operator
//	ldapi.filter        an operator filter (&, |, !) with items     5
//	ldapi.extensible    attr:dn:oid:=value                          5
//	ldapi.items         two adjacent items "(a=b)(c=d)"             3
//	ldapi.absolute      "(&)" or "(|)" on its own                   3
//	ldapi.truncation    filters closed that the value did not open,  5
//	                    then a NUL byte to cut the rest off ("*))\x00")
//
// A Detector is stateless and safe for concurrent use.
package ldapi

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Detector finds LDAP filter injection. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.LDAPi.
func (*Detector) Class() detect.Class { return detect.LDAPi }

// Bounds: how many fragments one value gets parsed from, how much text a
// parse looks at, and how deep filters nest.
const (
	maxAttempts = 64
	maxSpan     = 4 << 10
	maxNest     = 32
)

// Detect parses the filter fragments in in.Value.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if off, n, ok := truncation(v); ok {
		dst = append(dst, match("ldapi.truncation", 5, off, n))
	}
	open := strings.IndexByte(v, '(')
	if open < 0 {
		if off, n, ok := findExtensible(v); ok {
			dst = append(dst, match("ldapi.extensible", 5, off, n))
		}
		return dst
	}
	if strings.IndexByte(v, '=') < 0 && !strings.Contains(v, "(&") && !strings.Contains(v, "(|") && !strings.Contains(v, "(!") {
		return dst
	}
	var best [5]detect.Match // breakout, filter, extensible, items, absolute
	attempts := 0
	depth, counted := 0, 0 // parenthesis depth of v[:counted]
	for i := open; i < len(v) && attempts < maxAttempts; i++ {
		if v[i] != '(' {
			continue
		}
		span := v[i:min(len(v), i+maxSpan)]
		breakout := false
		if i > 0 && v[i-1] == ')' {
			// The ')' must close a '(' that is not in the value: one of
			// the application's filter.
			for ; counted < i-1; counted++ {
				switch v[counted] {
				case '(':
					depth++
				case ')':
					depth--
				}
			}
			breakout = depth <= 0
		}
		operator := len(span) > 1 && (span[1] == '&' || span[1] == '|' || span[1] == '!')
		if !breakout && !operator && !(i+1 < len(v) && isAttrStart(v[i+1])) {
			continue
		}
		attempts++
		p := parser{s: span}
		f, ok := p.filter(0)
		if !ok {
			continue
		}
		n := p.pos
		switch {
		case breakout && (f.items > 0 || f.ops > 0):
			keep(&best[0], match("ldapi.breakout", 5, i-1, n+1))
		case f.ops > 0 && f.items > 0:
			keep(&best[1], match("ldapi.filter", 5, i, n))
		case f.ops > 0:
			keep(&best[4], match("ldapi.absolute", 3, i, n))
		case f.items == 1 && p.pos < len(span) && span[p.pos] == '(':
			q := parser{s: span[p.pos:]}
			if g, ok := q.filter(0); ok && g.items > 0 {
				keep(&best[3], match("ldapi.items", 3, i, n+q.pos))
			}
		}
		if f.ops > 0 || f.items > 0 {
			i += n - 1 // the fragment is judged; go on after it
		}
	}
	if off, n, ok := findExtensible(v); ok {
		keep(&best[2], match("ldapi.extensible", 5, off, n))
	}
	for _, m := range best {
		if m.Score > 0 {
			dst = append(dst, m)
		}
	}
	return dst
}

// truncation finds a ')' that closes a filter the value did not open,
// right before a NUL byte: the value ends the application's filter early
// and the NUL makes a C-based LDAP library ignore the rest of it.
func truncation(v string) (off, n int, ok bool) {
	z := strings.IndexByte(v, 0)
	if z < 1 || v[z-1] != ')' {
		return 0, 0, false
	}
	depth := 0
	for i := 0; i < z; i++ {
		switch v[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	if depth >= 0 {
		return 0, 0, false
	}
	start := z - 1
	for start > 0 && z-start < 64 && v[start-1] != ' ' {
		start--
	}
	return start, z + 1 - start, true
}

func match(rule string, score, off, n int) detect.Match {
	return detect.Match{Class: detect.LDAPi, Rule: rule, Score: score, Paranoia: 1, Off: off, Len: n}
}

func keep(dst *detect.Match, m detect.Match) {
	if m.Score > dst.Score {
		*dst = m
	}
}

// shape is what a parsed filter holds.
type shape struct {
	items int // attribute assertions
	ops   int // &, |, ! filters
}

// parser is an RFC 4515 filter parser over s, lenient in two ways taken
// by injections: the end of s closes every open filter, and assertion
// values may hold any byte but '(' and ')'.
type parser struct {
	s   string
	pos int
}

// filter parses "(" filtercomp ")" at p.pos.
func (p *parser) filter(depth int) (shape, bool) {
	if depth > maxNest || p.pos >= len(p.s) || p.s[p.pos] != '(' {
		return shape{}, false
	}
	p.pos++
	var sh shape
	if p.pos < len(p.s) {
		switch p.s[p.pos] {
		case '&', '|', '!':
			op := p.s[p.pos]
			p.pos++
			sh.ops++
			n := 0
			for p.pos < len(p.s) && p.s[p.pos] == '(' {
				sub, ok := p.filter(depth + 1)
				if !ok {
					return shape{}, false
				}
				sh.items += sub.items
				sh.ops += sub.ops
				n++
			}
			if op == '!' && n != 1 && !(n == 0 && p.pos == len(p.s)) {
				return shape{}, false
			}
			return sh, p.close()
		}
	}
	if !p.item() {
		return shape{}, false
	}
	sh.items = 1
	return sh, p.close()
}

// close consumes the ')' ending a filter, or accepts the end of input.
func (p *parser) close() bool {
	if p.pos == len(p.s) {
		return true
	}
	if p.s[p.pos] == ')' {
		p.pos++
		return true
	}
	return false
}

// item parses an attribute assertion: attr filtertype value, where
// filtertype is =, ~=, >=, <= or an extensible ":dn:oid:=".
func (p *parser) item() bool {
	start := p.pos
	if !p.attr() {
		// An extensible match may omit the attribute: (:dn:2.4.8.10:=x).
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return false
		}
	}
	named := p.pos > start
	// Extensible: [":dn"] [":" oid] ":="
	for p.pos < len(p.s) && p.s[p.pos] == ':' {
		if strings.HasPrefix(p.s[p.pos:], ":=") {
			break
		}
		p.pos++
		if !p.attr() {
			return false
		}
	}
	if p.pos >= len(p.s) {
		return false
	}
	switch p.s[p.pos] {
	case '~', '>', '<', ':':
		p.pos++
		if p.pos >= len(p.s) || p.s[p.pos] != '=' {
			return false
		}
	case '=':
		if !named {
			return false
		}
	default:
		return false
	}
	p.pos++
	for p.pos < len(p.s) && p.s[p.pos] != ')' && p.s[p.pos] != '(' {
		p.pos++
	}
	return true
}

// attr parses an attribute description or an OID: a letter followed by
// letters, digits and '-', or dotted digits, with ";option"s.
func (p *parser) attr() bool {
	s, i := p.s, p.pos
	if i >= len(s) || !isAttrStart(s[i]) {
		return false
	}
	if isDigit(s[i]) {
		for i < len(s) && (isDigit(s[i]) || s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])) {
			i++
		}
	} else {
		for i < len(s) && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == '-' || s[i] == ';') {
			i++
		}
	}
	if i-p.pos > 64 {
		return false
	}
	p.pos = i
	return true
}

// findExtensible finds the first extensible-match assertion in v.
func findExtensible(v string) (int, int, bool) {
	for i, n := 0, 0; i < len(v) && n < maxAttempts; n++ {
		k := strings.Index(v[i:], ":=")
		if k < 0 {
			break
		}
		if k+i > 0 {
			if off, l, ok := extensible(v, i+k); ok {
				return off, l, true
			}
		}
		i += k + 2
	}
	return 0, 0, false
}

// extensible reports an extensible-match assertion ending in the ":=" at
// i: attr, then ":dn" and/or ":" a matching rule — a dotted OID or a name
// ending in "Match" — e.g. "cn:dn:2.5.13.5:=x", "userPassword:2.5.13.18:=x",
// "uid:caseExactMatch:=x". Go's "x := 1" and times have neither part.
func extensible(v string, i int) (int, int, bool) {
	j := i
	oid := false
	for j > 0 {
		k := j - 1
		for k >= 0 && (isDigit(v[k]) || v[k] == '.') {
			k--
		}
		if k >= 0 && v[k] == ':' && k+1 < j && isDigit(v[k+1]) && strings.IndexByte(v[k+1:j], '.') > 0 {
			oid, j = true, k
			continue
		}
		if k2 := j - 3; k2 >= 0 && strings.EqualFold(v[k2:j], ":dn") {
			oid, j = true, k2
			continue
		}
		if k2 := j - 5; k2 > 0 && strings.EqualFold(v[k2:j], "match") {
			k = k2
			for k > 0 && isAlpha(v[k-1]) {
				k--
			}
			if k > 0 && v[k-1] == ':' {
				oid, j = true, k-1
				continue
			}
		}
		break
	}
	if !oid {
		return 0, 0, false
	}
	k := j
	for k > 0 && (isAlpha(v[k-1]) || isDigit(v[k-1]) || v[k-1] == '-') {
		k--
	}
	if k == j && j > 0 && v[j-1] != '(' {
		return 0, 0, false // no attribute: only "(:dn:oid:=x)" or at the start
	}
	end := i + 2
	for end < len(v) && v[end] != ')' && v[end] != ' ' {
		end++
	}
	return k, end - k, true
}

func isAlpha(b byte) bool     { return b|0x20 >= 'a' && b|0x20 <= 'z' }
func isDigit(b byte) bool     { return b >= '0' && b <= '9' }
func isAttrStart(b byte) bool { return isAlpha(b) || isDigit(b) }
