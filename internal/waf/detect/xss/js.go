package xss

import "strings"

// Bounds on look-back and look-ahead, so that work per trigger byte is
// constant and a value costs time linear in its length.
const (
	maxIdent = 32  // longest identifier we read
	maxBack  = 96  // how far a context walk goes back
	maxAhead = 256 // how far an argument list or statement is read ahead
	minAhead = 32  // how far once the value has spent its look-ahead budget
	// aheadPerByte is the look-ahead budget per byte of value. Ordinary
	// text and code close their brackets within a few bytes and never
	// run out; a value built of unclosed calls does, and its look-aheads
	// shrink to minAhead, keeping the cost linear.
	aheadPerByte = 4
)

// ahead returns the end of the look-ahead window that starts at s[i].
func (sc *scanner) ahead(i, hi int) int {
	if sc.budget > 0 {
		return min(hi, i+maxAhead)
	}
	return min(hi, i+minAhead)
}

// Left contexts of a call or assignment, weakest first.
const (
	ctxProse      = iota // a word before it: "please confirm (yes)"
	ctxStart             // the value starts with it
	ctxOp                // an operator or keyword before it: JavaScript
	ctxQuoteAdj          // a quote right before it: "alert(1)" as an attribute value
	ctxQuoteBreak        // a quote, then operators: ';alert(1)  "-alert(1)-"
	ctxTemplate          // inside ${...}, {{...}}, &{...}
	ctxJSURL             // right after javascript:
)

// identStart returns where the identifier ending at s[e] starts (e when
// there is none), looking back at most maxIdent bytes and not before lo.
func identStart(s string, lo, e int) int {
	k := e
	for k > lo && e-k < maxIdent && isIdent(s[k-1]) {
		k--
	}
	return k
}

// receiver returns the object of a member access ending at the identifier
// that starts at ws: "document" for document.write, "" for none.
func receiver(s string, lo, ws int) string {
	j := ws
	if j <= lo || s[j-1] != '.' {
		return ""
	}
	j--
	if j > lo && s[j-1] == '?' { // optional chaining: a?.b
		j--
	}
	return s[identStart(s, lo, j):j]
}

// chainStart returns where the member chain (a.b?.c) ending at k starts.
func chainStart(s string, lo, k int) int {
	for n := 0; k > lo && n < maxBack; n++ {
		c := s[k-1]
		if !isIdent(c) && c != '.' && c != '?' {
			break
		}
		if c == '?' && (k-2 < lo || s[k-2] == '?') {
			break
		}
		k--
	}
	for k < len(s) && (s[k] == '.' || s[k] == '?') {
		k++
	}
	return k
}

// openBack returns the index of the bracket open that matches the close
// at s[k], or -1; it looks back at most a look-ahead window.
func (sc *scanner) openBack(lo, k int, open, close byte) int {
	s := sc.s
	n := maxAhead
	if sc.budget <= 0 {
		n = minAhead
	}
	depth := 0
	for j := k; j >= lo && k-j < n; j-- {
		switch s[j] {
		case close:
			depth++
		case open:
			depth--
			if depth == 0 {
				sc.budget -= k - j
				return j
			}
		}
	}
	sc.budget -= n
	return -1
}

// closeParen returns the index of the ')' that closes the '(' at s[i], or
// -1 when it is not found within the look-ahead window. Brackets nest;
// quoted strings are skipped.
func (sc *scanner) closeParen(i, hi int) int {
	s := sc.s
	end := sc.ahead(i, hi)
	c := closeParen(s, i, end)
	if c < 0 {
		sc.budget -= end - i
	} else {
		sc.budget -= c - i
	}
	return c
}

// closeParen returns the index of the ')' that closes the '(' at s[i]
// before end, or -1.
func closeParen(s string, i, end int) int {
	if c := matchClose(s, i, end); c >= 0 && s[c] == ')' {
		return c
	}
	return -1
}

// closeBracket returns the index of the ']' that closes the '[' at s[i]
// before end, or -1.
func closeBracket(s string, i, end int) int {
	if c := matchClose(s, i, end); c >= 0 && s[c] == ']' {
		return c
	}
	return -1
}

// matchClose returns the index of the bracket that brings the nesting
// opened at s[i] back to zero before end, or -1. Quoted strings are
// skipped.
func matchClose(s string, i, end int) int {
	depth := 0
	for j := i; j < end; j++ {
		switch c := s[j]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return j
			}
		case '"', '\'', '`':
			e := strings.IndexByte(s[j+1:end], c)
			if e < 0 {
				return -1
			}
			j += e + 1
		}
	}
	return -1
}

// leftCtx classifies what precedes a call or assignment that starts at
// s[k]: operators and keywords make it code, a word makes it prose, a
// quote makes it a breakout.
func (sc *scanner) leftCtx(lo, k int) int {
	s := sc.s
	crossed := false   // crossed an operator
	prosePunct := true // every operator crossed is also prose punctuation
	space := false
	for n := 0; k > lo && n < maxBack; n++ {
		c := s[k-1]
		switch {
		case isSpace(c):
			space = true
			k--
		case isQuote(c):
			if !sc.unmatched(lo, k-1) {
				// 'div');x(...): the quote closes a string opened in
				// the value, so this is code, not a breakout.
				return ctxOp
			}
			if crossed {
				return ctxQuoteBreak
			}
			return ctxQuoteAdj
		case c == '{' && k-2 >= lo && (s[k-2] == '$' || s[k-2] == '{' || s[k-2] == '&'):
			return ctxTemplate
		case c == ':' && scriptWordBefore(s, lo, k-1):
			return ctxJSURL
		case isOp(c):
			crossed = true
			if strings.IndexByte(",;:!?", c) < 0 {
				prosePunct = false
			}
			k--
		case isIdent(c):
			ws := identStart(s, lo, k)
			if keyword(s[ws:k]) {
				return ctxOp
			}
			if crossed && !(prosePunct && space) {
				return ctxOp
			}
			return ctxProse
		default: // '#', '@', '\\', '.' ...: not prose
			return ctxOp
		}
	}
	if crossed {
		return ctxOp
	}
	return ctxStart
}

// unmatched reports whether the quote at s[q] is an odd-numbered one of
// its kind in s[lo:]: one that closes a string opened before the value
// began, which is what a breakout does. Counts are cached per scan start,
// so that a scan's increasing positions cost linear time in all.
func (sc *scanner) unmatched(lo, q int) bool {
	qi := strings.IndexByte(quoteChars, sc.s[q])
	// Two entries: the value itself and the attribute value being
	// scanned inside it. The zero entry is a fresh count from 0.
	c := &sc.qc[0]
	if c.lo != lo || c.pos > q {
		c = &sc.qc[1]
		if c.lo != lo || c.pos > q {
			sc.qc[1] = sc.qc[0]
			sc.qc[0] = quoteCount{lo: lo, pos: lo}
			c = &sc.qc[0]
		}
	}
	for ; c.pos < q; c.pos++ {
		if k := strings.IndexByte(quoteChars, sc.s[c.pos]); k >= 0 {
			c.n[k]++
		}
	}
	return c.n[qi]%2 == 0
}

// quoteChars are the quotes unmatched counts.
const quoteChars = "\"'`"

// quoteCount caches how many of each quote s[lo:pos] holds.
type quoteCount struct {
	lo, pos int
	n       [3]int
}

// call judges the call that s[i] == '(' or '`' (a tagged template) opens.
func (sc *scanner) call(lo, i, hi, depth int) {
	s := sc.s
	// The callee ends before blanks and /* comments */.
	e, gap := i, false
	for n := 0; e > lo && n < 8; n++ {
		if isSpace(s[e-1]) {
			e--
			gap = true
			continue
		}
		if e-2 >= lo && s[e-1] == '/' && s[e-2] == '*' {
			b := max(lo, e-maxBack)
			o := strings.LastIndex(s[b:e-2], "/*")
			if o < 0 {
				break
			}
			e = b + o
			continue
		}
		break
	}
	if e <= lo {
		return
	}
	if s[i] == '`' && (gap || !sc.unmatched(lo, i)) {
		return // the backtick closes `inline code`, it does not open a template
	}
	if s[i] == '(' && e-2 >= lo && s[e-1] == '.' && s[e-2] == '?' {
		e -= 2 // alert?.(1)
		if e <= lo {
			return
		}
	}
	// c is the ')' closing the call, -1 when unclosed or a tagged template.
	c := -1
	if s[i] == '(' {
		c = sc.closeParen(i, hi)
	}
	tier, start := tierNone, e
	switch s[e-1] {
	case ')':
		// (alert)(1), (0,alert)(1), x.constructor('...')()
		o := sc.openBack(lo, e-1, '(', ')')
		if o < 0 {
			return
		}
		start = o
		inner := strings.TrimRight(s[o+1:e-1], " \t\n\r")
		ws := identStart(inner, 0, len(inner))
		if ws < len(inner) && (ws == 0 || inner[ws-1] != '.') && sinkTier(inner[ws:], "") == tierStrong {
			tier = tierStrong
			break
		}
		we := o
		for we > lo && isSpace(s[we-1]) {
			we--
		}
		ws = identStart(s, lo, we)
		if ws < we && equalFold(s[ws:we], "constructor") && ws > lo && s[ws-1] == '.' {
			tier, start = tierStrong, chainStart(s, lo, ws)
		}
	case ']':
		// window['al'+'ert'](1), top[/al/.source+/ert/.source](1)
		o := sc.openBack(lo, e-1, '[', ']')
		if o < 0 {
			return
		}
		ws := identStart(s, lo, o)
		if ws < o && globalObject(s[ws:o]) {
			tier, start = tierStrong, ws
		}
	default:
		if !isIdent(s[e-1]) {
			return
		}
		ws := identStart(s, lo, e)
		name := s[ws:e]
		if isDigit(name[0]) {
			return
		}
		recv := scriptless(receiver(s, lo, ws))
		start = chainStart(s, lo, ws)
		if recv == "" {
			name = scriptless(name)
		}
		if equalFold(name, "constructor") && recv != "" {
			// [].constructor.constructor("...") or x.constructor("...")(),
			// Set.constructor`...```: the Function constructor.
			if equalFold(recv, "constructor") || calledResult(s, c, hi) || calledTemplate(s, i, hi) {
				tier = tierStrong
			}
			break
		}
		if isAlpha(name[0]) && s[i] == '(' {
			sc.css(lo, i)
		}
		tier = sinkTier(name, recv)
		if tier != tierNone && evaluates(name) && !stringArg(s, i, c) && !calledResult(s, c, hi) {
			// setTimeout(() => done(), 100), "Function(x) -> y": a
			// callback or a word, not code in a string.
			tier = tierNone
		}
	}
	if tier == tierNone && c > 0 && !gap && isIdent(s[e-1]) && takesCallback(s[identStart(s, lo, e):e]) && sinkArg(s, i, c) {
		tier = tierStrong // [1].find(alert), x.call(null, eval)
	}
	if tier == tierNone || definition(s, c, hi) {
		return
	}
	ctx := sc.leftCtx(lo, start)
	if ctx == ctxProse {
		return
	}
	// A '>' after the call closes the tag its attribute value was
	// injected into: open()>, write(1) autofocus>.
	strong := ctx >= ctxQuoteBreak || depth > 0 || closesTag(s, c, hi)
	if !strong {
		if gap || tier == tierWeak || !sc.cleanCall(i, c, hi) {
			return
		}
	}
	sc.hit(ctxRule(ctx), start, i+1-start)
}

// stringArg reports whether the first argument of the call opened at s[i]
// and closed at s[c] (-1: unclosed, or a tagged template) is built from a
// string: setTimeout('alert(1)'), Function(atob('...')).
func stringArg(s string, i, c int) bool {
	if s[i] == '`' {
		return true
	}
	if c < 0 {
		return false
	}
	for j := i + 1; j < c; j++ {
		switch ch := s[j]; {
		case isQuote(ch):
			return true
		case ch == '(':
			// Function(atob('...')), setTimeout(unescape('...')); not
			// setTimeout(function(){...}) or setTimeout(f.bind(this)).
			ws := identStart(s, i+1, j)
			return decodes(s[ws:j])
		case ch == ',' || ch == '{' || ch == '>':
			return false // next argument, function body, arrow
		}
	}
	return false
}

// ctxRule names the finding of a dangerous call or assignment by where it
// stands.
func ctxRule(ctx int) ruleID {
	switch ctx {
	case ctxQuoteBreak:
		return ruleJSBreakout
	case ctxTemplate:
		return ruleTemplate
	case ctxJSURL:
		return ruleJSURL
	}
	return ruleJSSink
}

// sinkArg reports whether the call opened at s[i] and closed at s[c]
// passes a strong sink as one of its arguments: find(alert), then(eval).
func sinkArg(s string, i, c int) bool {
	depth := 0
	for j := i + 1; j < c; j++ {
		switch s[j] {
		case '(', '[', '{':
			depth++
			continue
		case ')', ']', '}':
			depth--
			continue
		}
		if depth != 0 || !isIdent(s[j]) || isIdent(s[j-1]) {
			continue
		}
		e := j
		for e < c && isIdent(s[e]) {
			e++
		}
		p, n := j-1, e
		for p > i && isSpace(s[p]) {
			p--
		}
		for n < c && isSpace(s[n]) {
			n++
		}
		if (s[p] == '(' || s[p] == ',') && (n == c || s[n] == ',') && sinkTier(s[j:e], "") == tierStrong {
			return true
		}
		j = e
	}
	return false
}

// definition reports whether the parentheses closed at s[c] hold the
// parameters of a function or method being defined, open(){...}, not the
// arguments of a call.
func definition(s string, c, hi int) bool {
	if c < 0 {
		return false
	}
	j := c + 1
	for j < hi && isSpace(s[j]) {
		j++
	}
	return j < hi && s[j] == '{'
}

// calledResult reports whether the result of the call closed at s[c] is
// itself called: f(...)(...) or f(...)`...`.
func calledResult(s string, c, hi int) bool {
	if c < 0 {
		return false
	}
	j := c + 1
	for j < hi && isSpace(s[j]) {
		j++
	}
	return j < hi && (s[j] == '(' || s[j] == '`')
}

// calledTemplate reports whether the tagged template opened at s[i] is
// followed by a call of its result: f`...```, f`...`().
func calledTemplate(s string, i, hi int) bool {
	if s[i] != '`' {
		return false
	}
	e := strings.IndexByte(s[i+1:min(hi, i+maxAhead)], '`')
	if e < 0 {
		return false
	}
	j := i + 1 + e + 1
	return j < hi && (s[j] == '`' || s[j] == '(')
}

// closesTag reports whether the call closed at s[c] is followed by '>',
// right away or after bare attribute names, closing the tag an attribute
// value was injected into: open()>, write(1) autofocus>.
func closesTag(s string, c, hi int) bool {
	if c < 0 {
		return false
	}
	j, end := c+1, min(hi, c+1+maxIdent)
	if j < end && s[j] != '>' && !isSpace(s[j]) {
		return false
	}
	for ; j < end; j++ {
		if ch := s[j]; ch == '>' {
			return true
		} else if !isSpace(ch) && !isAlpha(ch) && ch != '-' {
			return false
		}
	}
	return false
}

// cleanCall reports whether the call opened at s[i] and closed at s[c]
// (-1 when unclosed) reads as code: its arguments are not prose, and no
// word follows it.
func (sc *scanner) cleanCall(i, c, hi int) bool {
	s := sc.s
	end := sc.ahead(i, hi)
	if s[i] == '`' {
		return strings.IndexByte(s[i+1:end], '`') >= 0
	}
	if c < 0 {
		// Unclosed: alert(document.cookie at the end of the value.
		return end == hi && !prose(s[i+1:end])
	}
	if args := s[i+1 : c]; prose(args) || args == "s" || args == "es" {
		return false // "prompt(s)": a plural, not a call
	}
	j := c + 1
	for j < hi && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j < hi && isIdent(s[j]) {
		k := j
		for k < hi && k-j < maxIdent && isIdent(s[k]) {
			k++
		}
		w := s[j:k]
		return w == "in" || w == "instanceof"
	}
	return true
}

// prose reports whether t reads as words rather than code: two words (or
// a word and a number) side by side with only blanks between them, which
// JavaScript does not allow unless the first is a keyword.
func prose(t string) bool {
	prevWord := false // the last token was a word, number, string or closing bracket
	prevKw := false
	for i := 0; i < len(t); {
		c := t[i]
		switch {
		case isSpace(c):
			i++
			continue
		case isIdent(c):
			j := i
			for j < len(t) && isIdent(t[j]) {
				j++
			}
			w := t[i:j]
			if prevWord && !prevKw && !(w == "in" || w == "of" || w == "instanceof") {
				return true
			}
			prevWord, prevKw = true, keyword(w)
			i = j
			continue
		case c == '"' || c == '\'' || c == '`':
			e := strings.IndexByte(t[i+1:], c)
			if e < 0 {
				return false
			}
			i += e + 2
			prevWord, prevKw = true, false
			continue
		case c == ')' || c == ']':
			prevWord, prevKw = true, false
		default:
			prevWord, prevKw = false, false
		}
		i++
	}
	return false
}

// acts reports whether the code t does something: calls (f(, f`,
// )(, ](), assigns (x=, ]=) or, as a javascript: URL may, evaluates to
// a string of markup ('<svg onload=...>').
func acts(t string) bool {
	for i := 1; i < len(t); i++ {
		switch c := t[i]; c {
		case '(', '`':
			j := i
			for j > 0 && isSpace(t[j-1]) {
				j--
			}
			if j > 0 && (isIdent(t[j-1]) || t[j-1] == ')' || t[j-1] == ']') {
				return true
			}
		case '=':
			if t[i-1] != '=' && t[i-1] != '!' && t[i-1] != '<' && t[i-1] != '>' && (i+1 == len(t) || (t[i+1] != '=' && t[i+1] != '>')) {
				return true
			}
		case '<':
			if isQuote(t[0]) && i+1 < len(t) && isAlpha(t[i+1]) {
				return true
			}
		}
	}
	return false
}

// statement returns the first statement of t: up to a ';' or line break
// outside brackets and strings.
func statement(t string) string {
	depth := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ';', '\n', '\r':
			if depth <= 0 {
				return t[:i]
			}
		case '"', '\'', '`':
			e := strings.IndexByte(t[i+1:], c)
			if e < 0 {
				return t
			}
			i += e + 1
		}
	}
	return t
}

// index judges a computed member access at s[i] == '[' on the document or
// the global object with a string key: document["cookie"],
// window['al'+'ert'], top[/al/.source+/ert/.source]. Code, not prose, and
// the usual way to spell a sink without writing its name.
func (sc *scanner) index(lo, i, hi, depth int) {
	s := sc.s
	if i+1 >= hi || (!isQuote(s[i+1]) && s[i+1] != '/') {
		return
	}
	ws := identStart(s, lo, i)
	if ws == i {
		return
	}
	obj := scriptless(s[ws:i])
	if (!globalObject(obj) && !equalFold(obj, "document")) || equalFold(obj, "this") || equalFold(obj, "content") {
		return // this['x'] is ordinary code
	}
	if ws > lo && s[ws-1] == '.' && !globalObject(receiver(s, lo, ws)) {
		return // x.top['a']
	}
	end := sc.ahead(i, hi)
	c := closeBracket(s, i, end)
	if c < 0 {
		sc.budget -= end - i
		return
	}
	sc.budget -= c - i
	j := c + 1
	for j < hi && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	switch {
	case j < hi && (s[j] == '(' || s[j] == '`'):
	case j < hi && s[j] == '=' && (j+1 == hi || s[j+1] != '='):
	case equalFold(obj, "document") && sensitiveKey(s[i+1:c]):
	default:
		return // if (window["WebSocket"]): feature detection
	}
	ctx := sc.leftCtx(lo, ws)
	if ctx == ctxProse {
		return
	}
	if ctx < ctxQuoteBreak && depth == 0 && j < hi && isIdent(s[j]) {
		return
	}
	sc.hit(ctxRule(ctx), ws, j-ws)
}
