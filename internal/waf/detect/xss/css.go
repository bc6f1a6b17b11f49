package xss

import "strings"

// css judges a CSS function call opened by the '(' at s[i]. expression() runs script in old IE; url() in behavior and
// -moz-binding loads script. CSS comments and escapes inside the words are
// dropped as the CSS parser drops them ("expr/**/ession(", "exp\ression(").
func (sc *scanner) css(lo, i int) {
	s := sc.s
	word, k := cssWordBack(s, lo, i)
	switch word {
	case "expression":
		p := cssSkipBack(s, lo, k)
		if p > lo && (s[p-1] == ':' || s[p-1] == '=') {
			sc.hit(ruleCSSExpression, k, i+1-k)
		}
	case "url":
		p := cssSkipBack(s, lo, k)
		if p <= lo || s[p-1] != ':' {
			return
		}
		prop, _ := cssWordBack(s, lo, p-1)
		switch prop {
		case "behavior", "behaviour", "-moz-binding", "binding":
			sc.hit(ruleCSSExpression, p, i+1-p)
		}
	}
}

// cssWordBack reads the CSS identifier that ends before s[k] (after
// blanks), dropping comments, backslashes and NUL bytes, lower-cased. It
// returns the word (at most 16 bytes, "" when longer) and where it starts.
func cssWordBack(s string, lo, k int) (string, int) {
	k = cssSkipBack(s, lo, k)
	var buf [16]byte
	n := 0
	for steps := 0; k > lo && steps < maxBack; steps++ {
		c := s[k-1]
		switch {
		case isAlpha(c) || c == '-':
			if n == len(buf) {
				return "", k
			}
			n++
			buf[len(buf)-n] = lower(c)
			k--
		case c == '\\' || c == 0:
			k--
		case c == '/' && k-2 >= lo && s[k-2] == '*':
			o := strings.LastIndex(s[max(lo, k-maxBack):k-2], "/*")
			if o < 0 {
				return wordOf(buf[len(buf)-n:]), k
			}
			k = max(lo, k-maxBack) + o
		default:
			return wordOf(buf[len(buf)-n:]), k
		}
	}
	return wordOf(buf[len(buf)-n:]), k
}

// wordOf returns b as a string when it is one of the CSS words css
// compares against, without allocating.
func wordOf(b []byte) string {
	switch string(b) {
	case "expression":
		return "expression"
	case "url":
		return "url"
	case "behavior":
		return "behavior"
	case "behaviour":
		return "behaviour"
	case "-moz-binding":
		return "-moz-binding"
	case "binding":
		return "binding"
	}
	return ""
}

// cssSkipBack skips blanks and comments before s[k].
func cssSkipBack(s string, lo, k int) int {
	for n := 0; k > lo && n < 8; n++ {
		switch {
		case isSpace(s[k-1]):
			k--
		case s[k-1] == '/' && k-2 >= lo && s[k-2] == '*':
			o := strings.LastIndex(s[max(lo, k-maxBack):k-2], "/*")
			if o < 0 {
				return k
			}
			k = max(lo, k-maxBack) + o
		default:
			return k
		}
	}
	return k
}

// cssEscaped judges CSS written with escapes ("\\0075\\0072\\006C(" is
// "url("): when v, at s[vs:ve], holds a hex escape, it decodes a copy and
// scans that for what CSS can do.
func (sc *scanner) cssEscaped(v string, vs, ve int) {
	e := strings.IndexByte(v, '\\')
	if e < 0 || e+1 >= len(v) || !isHex(v[e+1]) || sc.escapes >= maxEscaped {
		return
	}
	sc.escapes++
	sub := newScanner(cssUnescape(v), false)
	sub.text(0, len(sub.s), 1)
	for r := ruleID(0); r < numRules; r++ {
		if sub.found&strongRules&(1<<r) != 0 {
			sc.hit(r, vs, ve-vs)
		}
	}
}

// maxEscaped bounds how many CSS-escaped values one value gets decoded.
const maxEscaped = 4

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return isDigit(c) || ('a' <= lower(c) && lower(c) <= 'f')
}

// cssUnescape decodes CSS escapes: a backslash and 1-6 hex digits (and one
// blank after them) is a code point, a backslash and another byte that
// byte.
func cssUnescape(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			b.WriteByte(v[i])
			continue
		}
		j, r := i+1, rune(0)
		for j < len(v) && j < i+7 && isHex(v[j]) {
			c := lower(v[j])
			if c <= '9' {
				r = r*16 + rune(c-'0')
			} else {
				r = r*16 + rune(c-'a'+10)
			}
			j++
		}
		if j == i+1 {
			b.WriteByte(v[j]) // \x is x
			i = j
			continue
		}
		if j < len(v) && isSpace(v[j]) {
			j++
		}
		if r == 0 || r > 0x10FFFF {
			r = 0xFFFD
		}
		b.WriteRune(r)
		i = j - 1
	}
	return b.String()
}
