package xss

import "strings"

// brace judges {{...}}, ${...} and &{...} expressions at s[i] == '{':
// client-side template expressions (AngularJS, Vue) and template literal
// substitutions that reach the Function constructor, and Netscape
// JavaScript entities. Sink calls inside them are judged by call, which
// sees the template as their context.
func (sc *scanner) brace(lo, i, hi int) {
	s := sc.s
	var inner string
	start, stop := i, 0 // the expression with its braces: s[start:stop]
	switch {
	case i+1 < hi && s[i+1] == '{':
		end := sc.ahead(i+2, hi)
		if e := strings.Index(s[i+2:end], "}}"); e >= 0 {
			inner, stop = s[i+2:i+2+e], i+2+e+2
		} else {
			inner, stop = s[i+2:end], end
		}
	case i > lo && (s[i-1] == '$' || s[i-1] == '&'):
		start = i - 1
		end := sc.ahead(i+1, hi)
		if e := strings.IndexByte(s[i+1:end], '}'); e >= 0 {
			inner, stop = s[i+1:i+1+e], i+1+e+1
		} else {
			inner, stop = s[i+1:end], end
		}
		if s[i-1] == '&' && strings.ContainsAny(inner, "(=") && !prose(inner) {
			// &{...}: a Netscape JavaScript entity, code wherever it is.
			sc.hit(ruleTemplate, start, stop-start)
			return
		}
	default:
		return
	}
	sc.budget -= 2 * len(inner)
	if c := indexFold(inner, "constructor"); c >= 0 && strings.IndexByte(inner[c:], '(') >= 0 {
		sc.hit(ruleTemplate, start, stop-start)
	}
}
