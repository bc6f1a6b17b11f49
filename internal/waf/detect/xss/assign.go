package xss

import "strings"

// equals judges an assignment at s[i] == '=' in text: an on*= event
// handler outside a tag (an attribute breakout) or a write to a
// dangerous property.
func (sc *scanner) equals(lo, i, hi, depth int) {
	s := sc.s
	if i+1 < hi && (s[i+1] == '=' || s[i+1] == '>') {
		return // ==, =>
	}
	if i > lo && strings.IndexByte("=!<>+-*/%&|^?", s[i-1]) >= 0 {
		return // ==, !=, <=, compound assignment
	}
	e := i
	for e > lo && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	ws := identStart(s, lo, e)
	if ws == e {
		return
	}
	name := s[ws:e]
	if len(name) >= 3 && lower(name[0]) == 'o' && lower(name[1]) == 'n' && isAlpha(name[2]) {
		sc.handler(lo, ws, e, i, hi, depth)
		return
	}
	if sc.noMarkup && depth == 0 {
		sc.attrBreakout(lo, ws, e, i, hi)
	}
	recv := scriptless(receiver(s, lo, ws))
	if recv == "" {
		name = scriptless(name)
	}
	tier := targetTier(name, recv)
	if tier == tierNone {
		if sc.sinkRHS(name, i+1, hi) {
			tier = tierStrong // x=alert; ... x(1): a sink kept for later
		} else {
			return
		}
	}
	start := chainStart(s, lo, ws)
	ctx := sc.leftCtx(lo, start)
	if ctx == ctxProse {
		return
	}
	if ctx < ctxQuoteBreak && depth == 0 {
		if tier == tierWeak {
			return
		}
		r := i + 1
		for r < hi && isSpace(s[r]) {
			r++
		}
		t := statement(s[r:sc.ahead(r, hi)])
		sc.budget -= len(t)
		if t == "" || prose(t) {
			return
		}
	}
	sc.hit(ctxRule(ctx), start, i+1-start)
}

// attrBreakout judges name=value outside a tag in a value where markup
// does not belong: after a quote and a blank, and followed by a '>' that
// closes the tag, it adds an attribute to the element the value was
// reflected into (" href="//evil.example" />).
func (sc *scanner) attrBreakout(lo, ws, e, i, hi int) {
	s := sc.s
	k := ws
	for k > lo && (isSpace(s[k-1]) || s[k-1] == '/') {
		k--
	}
	if k == ws || k == lo || !isQuote(s[k-1]) || !validName(s[ws:e]) {
		return
	}
	end := sc.ahead(i, hi)
	sc.budget -= end - i
	if g := strings.IndexByte(s[i:end], '>'); g > 0 {
		sc.hit(ruleHTMLInjection, k-1, i+g+1-(k-1))
	}
}

// sinkRHS reports whether the right-hand side of the assignment to name
// starting at s[p] is a strong sink on its own, kept to be called later:
// "a=alert;a(1)", or closing a script block: "$=alert</script>".
// "status=alert; level=2" only names a value.
func (sc *scanner) sinkRHS(name string, p, hi int) bool {
	s := sc.s
	e := p
	for e < hi && e-p < maxIdent && isIdent(s[e]) {
		e++
	}
	if e == p || e >= hi || sinkTier(s[p:e], "") != tierStrong {
		return false
	}
	switch s[e] {
	case '<':
		return e+1 < hi && s[e+1] == '/'
	case ';', ',', ')', '}', '\n':
		end := sc.ahead(e, hi)
		sc.budget -= end - e
		return calledLater(s[e:end], name)
	}
	return false
}

// calledLater reports whether t calls the variable name: "name(".
func calledLater(t, name string) bool {
	for {
		k := strings.Index(t, name)
		if k < 0 {
			return false
		}
		if e := k + len(name); e < len(t) && t[e] == '(' && (k == 0 || !isIdent(t[k-1])) {
			return true
		}
		t = t[k+len(name):]
	}
}

// handler judges name=value with name = on* outside a tag, s[ws:e] being
// the name and s[i] the '='. It is an event handler when it stands where
// an attribute would (after a quote, a blank, a slash, or at the start) or
// where JavaScript assigns a handler (window.onerror=, {onerror=), and its
// value is code.
func (sc *scanner) handler(lo, ws, e, i, hi, depth int) {
	s := sc.s
	k, sep := ws, false
	for k > lo && (isSpace(s[k-1]) || s[k-1] == '/') {
		k--
		sep = true
	}
	strongPos := false
	switch {
	case k == lo, sep:
	case s[k-1] == '`':
		// Code quoted in prose or Markdown (`onClick={...}` in JSX):
		// no browser ends an attribute at a backtick, so only a sink
		// value counts.
	case isQuote(s[k-1]):
		strongPos = true
	case strings.IndexByte(".;{,(", s[k-1]) >= 0:
	default:
		return // "?x=1&onpage=2", "donation=5"
	}
	v := i + 1
	for v < hi && isSpace(s[v]) {
		v++
	}
	if v < hi && (s[v] == '"' || s[v] == '\'') {
		v++
	}
	tv := s[v:min(hi, v+maxIdent*2)]
	var buf [32]byte
	ev := attrName(buf[:], s[ws+2:e])
	switch {
	case sinkValue(tv):
	case strongPos && isEvent(string(ev)) && jsValue(tv):
	default:
		return
	}
	sc.hit(ruleEventHandler, ws, v-ws)
}

// sinkValue reports whether an event handler value starts with a sink or
// the global object: alert(1), prompt`1`, onerror=alert, top['x'](1).
func sinkValue(v string) bool {
	v = skipLabel(v)
	e := 0
	for e < len(v) && e < maxIdent && isIdent(v[e]) {
		e++
	}
	if e == 0 || (e < len(v) && isIdent(v[e])) {
		return false
	}
	name := v[:e]
	if globalObject(name) && !equalFold(name, "this") && !equalFold(name, "content") {
		// window[...], top.location, self.alert: in a handler, "this" is
		// the element and "content" a common word.
		return e < len(v) && (v[e] == '.' || v[e] == '[')
	}
	if sinkTier(name, "") == tierNone {
		return false
	}
	return e == len(v) || !isSpace(v[e]) || strings.HasPrefix(strings.TrimLeft(v[e:], " \t"), "(")
}

// skipLabel drops a leading "javascript:" from an event handler value: in
// a handler it is a label, and the code follows.
func skipLabel(v string) string {
	if i := strings.IndexByte(v, ':'); i > 0 && i <= 12 && scriptWordBefore(v, 0, i) {
		return strings.TrimLeft(v[i+1:], " \t\n\r")
	}
	return v
}

// jsValue reports whether an attribute value starts with code: a call, a
// member access, an assignment, or an expression opener.
func jsValue(v string) bool {
	v = skipLabel(v)
	if v == "" {
		return false
	}
	switch c := v[0]; {
	case c == '(' || c == '[' || c == '{' || c == '`' || c == '!' || c == '~':
		return len(v) > 1 && !isSpace(v[1])
	case isIdent(c) && !isDigit(c):
		e := 0
		for e < len(v) && e < maxIdent && isIdent(v[e]) {
			e++
		}
		if e >= len(v) {
			return false
		}
		switch v[e] {
		case '(', '`', '.', '[':
			return true
		case '=':
			return e+1 < len(v) && v[e+1] != '='
		case '?':
			return e+1 < len(v) && v[e+1] == '.'
		}
	}
	return false
}
