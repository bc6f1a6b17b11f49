package ssti

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Detector finds template injection. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.SSTI.
func (*Detector) Class() detect.Class { return detect.SSTI }

// maxExpr bounds how far a closing delimiter is looked for; content
// beyond it is judged as if closed there.
const maxExpr = 2048

// result keeps the strongest expression and statement matches.
type result struct {
	expr, stmt detect.Match
}

func (r *result) add(stmt bool, score, off, n int) {
	m, rule := &r.expr, "ssti.expression"
	if stmt {
		m, rule = &r.stmt, "ssti.statement"
	}
	if score > m.Score {
		*m = detect.Match{Class: detect.SSTI, Rule: rule, Score: score, Paranoia: 1, Off: off, Len: n}
	}
}

// Detect finds template delimiters in in.Value and judges their content.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if !hasDelimiterByte(v) {
		return dst
	}
	var r result
	for i := 0; i < len(v)-1; i++ {
		c, next := v[i], v[i+1]
		end := i + 1
		switch c {
		case '{':
			switch {
			case next == '{':
				end = r.expression(v, i, 2, "}}", 5, true)
			case next == '%':
				end = r.statement(v, i, 2, "%}")
			case i == 0 || v[i-1] != '$' && v[i-1] != '#' && v[i-1] != '*' && v[i-1] != '%' && v[i-1] != '~' && v[i-1] != '@':
				end = r.smarty(v, i)
			}
		case '$':
			switch {
			case next == '{':
				end = r.expression(v, i, 2, "}", 4, false)
			case isIdentStart(next) && next != '$':
				end = r.reference(v, i)
			}
		case '#', '*', '~', '%':
			if next == '{' {
				end = r.expression(v, i, 2, "}", 5, false)
			} else if c == '#' {
				end = r.velocity(v, i)
			}
		case '@':
			if i > 0 && (isIdentStart(v[i-1]) || isDigit(v[i-1])) {
				break // an e-mail address
			}
			switch {
			case next == '(':
				end = r.expression(v, i, 2, ")", 5, false)
			case next == '{':
				end = r.code(v, i, 2, "}")
			case isIdentStart(next):
				end = r.reference(v, i)
			}
		case '<':
			switch {
			case next == '%' && i+2 < len(v) && (v[i+2] == '=' || v[i+2] == '-'):
				end = r.expression(v, i, 3, "%>", 5, false)
			case next == '%' && (i+2 >= len(v) || v[i+2] != '@'):
				end = r.code(v, i, 2, "%>")
			case next == '#' && i+2 < len(v) && isIdentStart(v[i+2]):
				end = r.directive(v, i, 2, ">")
			}
		case '[':
			switch {
			case next == '%':
				end = r.statement(v, i, 2, "%]")
			case next == '#' && i+2 < len(v) && isIdentStart(v[i+2]):
				end = r.directive(v, i, 2, "]")
			}
		}
		if end > i+1 {
			i = end - 1
		}
	}
	if off, n, ok := probe(v); ok {
		dst = append(dst, detect.Match{Class: detect.SSTI, Rule: "ssti.probe", Score: 5, Paranoia: 1, Off: off, Len: n})
	}
	if r.expr.Score > 0 {
		dst = append(dst, r.expr)
	}
	if r.stmt.Score > 0 {
		dst = append(dst, r.stmt)
	}
	return dst
}

// probeSpan is how close together the openers of a polyglot probe sit.
const probeSpan = 16

// probe finds the template engines' polyglot error probe ("${{<%[%'\"}}%\."):
// the openers of three or more different template syntaxes packed within
// probeSpan bytes, which no text and no template in one language has, and
// which makes whichever engine renders the value fail with an error that
// names it.
func probe(v string) (off, n int, ok bool) {
	type at struct {
		kind byte
		pos  int
	}
	var seen [8]at
	ns := 0
	for i := 0; i+1 < len(v); i++ {
		var k byte
		switch v[i : i+2] {
		case "${":
			k = 1
		case "{{":
			k = 2
		case "<%":
			k = 3
		case "[%":
			k = 4
		case "#{":
			k = 5
		case "{%":
			k = 6
		case "*{":
			k = 7
		case "@(":
			k = 8
		default:
			continue
		}
		// Drop openers too far back, then count the distinct kinds.
		j := 0
		for _, s := range seen[:ns] {
			if i-s.pos < probeSpan && s.kind != k {
				seen[j] = s
				j++
			}
		}
		ns = j
		if ns == len(seen) {
			ns--
			copy(seen[:], seen[1:])
		}
		seen[ns] = at{k, i}
		ns++
		var kinds uint16
		for _, s := range seen[:ns] {
			kinds |= 1 << s.kind
		}
		if bits := popcount(kinds); bits >= 3 {
			start := seen[0].pos
			return start, i + 2 - start, true
		}
	}
	return 0, 0, false
}

func popcount(x uint16) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// hasDelimiterByte is the prefilter: every delimiter has one of these.
func hasDelimiterByte(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '{', '$', '#', '@', '<', '[':
			return true
		}
	}
	return false
}

// content returns the text between an opening delimiter of length open at
// v[i:] and close, and the index after the close (or the bound). Braces
// and parentheses nest when close is one of them.
func content(v string, i, open int, close string) (string, int) {
	start := i + open
	limit := min(len(v), start+maxExpr)
	if len(close) == 1 && (close[0] == '}' || close[0] == ')') {
		opener := byte('{')
		if close[0] == ')' {
			opener = '('
		}
		depth := 1
		for j := start; j < limit; j++ {
			switch v[j] {
			case opener:
				depth++
			case close[0]:
				depth--
				if depth == 0 {
					return v[start:j], j + 1
				}
			}
		}
		return v[start:limit], limit
	}
	if k := strings.Index(v[start:limit], close); k >= 0 {
		return v[start : start+k], start + k + len(close)
	}
	return v[start:limit], limit
}

// strong are the features that make any template expression an attack.
const strong = fArith | fDunder | fSink | fBuiltin | fStatic | fBacktick | fLitMember

// expression judges an expression delimiter. chain is the score of a
// method call in it; curly says it is "{{ }}", where calls, engine globals
// and member chains into them ("app.request.server") mean more than in
// "${ }", which also is JavaScript's.
func (r *result) expression(v string, i, open int, close string, chain int, curly bool) int {
	body, end := content(v, i, open, close)
	f := features(body)
	switch {
	case f&strong != 0, f&fGlobalChain != 0 && curly:
		r.add(false, 5, i, end-i)
	case f&fChain != 0:
		r.add(false, chain, i, end-i)
	case f&fCall != 0 && curly:
		r.add(false, 4, i, end-i)
	case f&fCall != 0:
		r.add(false, 3, i, end-i)
	case f&fGlobal != 0 && curly:
		r.add(false, 3, i, end-i)
	}
	return end
}

// statementWords are statements that only templates have and that change
// what a template does — assignments, imports, includes, code blocks — with
// the score each gets with plain content; a loop is weaker, since help
// texts about templates show loops.
var statementWords = [...]struct {
	word  string
	score int
}{
	{"set", 5}, {"import", 5}, {"from", 5}, {"include", 5}, {"extends", 5}, {"macro", 5},
	{"call", 5}, {"debug", 5}, {"do", 5}, {"php", 5}, {"perl", 5}, {"evaluate", 5}, {"parse", 5},
	{"embed", 5}, {"with", 4}, {"filter", 4}, {"assign", 4}, {"capture", 4}, {"render", 4},
	{"global", 4}, {"local", 4}, {"setting", 4}, {"attempt", 4}, {"function", 4}, {"define", 4},
	{"use", 4}, {"sandbox", 4}, {"for", 3}, {"foreach", 3},
}

// statementScore returns the score of a statement word, or 0.
func statementScore(s string) int {
	for _, w := range statementWords {
		if s == w.word {
			return w.score
		}
	}
	return 0
}

// statement judges "{% ... %}" and "[% ... %]".
func (r *result) statement(v string, i, open int, close string) int {
	body, end := content(v, i, open, close)
	body = strings.TrimLeft(body, "-+~ \t\r\n")
	f := features(body)
	switch {
	case f&(strong|fChain) != 0:
		r.add(true, 5, i, end-i)
	default:
		if score := statementScore(strings.ToLower(firstWord(body))); score > 0 {
			r.add(true, score, i, end-i)
		}
	}
	return end
}

// code judges a code block: "<% ... %>" (ERB, JSP, EJS) or Razor "@{ }".
func (r *result) code(v string, i, open int, close string) int {
	body, end := content(v, i, open, close)
	f := features(body)
	switch {
	case f&(strong|fChain) != 0:
		r.add(true, 5, i, end-i)
	case f&fCall != 0:
		r.add(true, 3, i, end-i)
	}
	return end
}

// freemarkerDirectives are the FreeMarker directives that take an
// expression.
func isFreemarkerDirective(s string) bool {
	switch s {
	case "list", "items", "if", "elseif", "switch", "case", "on", "assign", "global", "local",
		"include", "import", "macro", "function", "return", "attempt", "setting", "visit", "recurse", "nested":
		return true
	}
	return false
}

// directive judges FreeMarker "<#name ...>" and "[#name ...]": a FreeMarker
// directive over a range of literals ("<#list 1..3 as x>") computes from
// nothing, as literal arithmetic does; one over names
// ("<#list items as item>", "<#if user??>") is a template's own.
func (r *result) directive(v string, i, open int, close string) int {
	body, end := content(v, i, open, close)
	f := features(body)
	switch {
	case f&(strong|fChain) != 0:
		r.add(true, 5, i, end-i)
	case f&fRange != 0 && isFreemarkerDirective(firstWord(body)):
		r.add(true, 5, i, end-i)
	case statementScore(firstWord(body)) > 0:
		r.add(true, 4, i, end-i) // FreeMarker's <#assign>, <#include>, ...
	}
	return end
}

// firstWord returns the name s starts with.
func firstWord(s string) string {
	i := 0
	for i < len(s) && (isIdentStart(s[i]) || isDigit(s[i])) {
		i++
	}
	return s[:i]
}

// velocity judges Velocity directives: "#set(...)", "#evaluate(...)".
func (r *result) velocity(v string, i int) int {
	j := i + 1
	k := j
	for k < len(v) && k-j < 16 && (v[k]|0x20 >= 'a' && v[k]|0x20 <= 'z') {
		k++
	}
	word := v[j:k]
	for k < len(v) && v[k] == ' ' {
		k++
	}
	if word == "" || k >= len(v) || v[k] != '(' {
		return i + 1
	}
	body, end := content(v, k, 1, ")")
	f := features(body)
	switch {
	case f&(strong|fChain) != 0 && (word == "if" || word == "elseif" || statementScore(word) > 0):
		r.add(true, 5, i, end-i)
	case statementScore(word) > 0 && strings.IndexByte(body, '$') >= 0:
		r.add(true, 4, i, end-i) // #set($x = ...), #evaluate($y)
	}
	return end
}

// reference judges a Velocity "$a.b(...)" or Razor "@a.b(...)" reference:
// only code execution counts, since "$el.find(x)" is jQuery.
func (r *result) reference(v string, i int) int {
	j := i + 1
	for j < len(v) && (isIdentStart(v[j]) || isDigit(v[j]) || v[j] == '.') {
		j++
	}
	if j >= len(v) || v[j] != '(' || strings.IndexByte(v[i:j], '.') < 0 {
		return j
	}
	_, end := content(v, j, 1, ")")
	f := features(v[i+1 : end])
	if f&(strong&^fLitMember) != 0 {
		r.add(false, 5, i, end-i)
	}
	return end
}

// smarty judges single-brace Smarty tags: "{php}", "{$smarty.version}",
// "{system('id')}", "{Class::method(...)}", "{if system('id')}", "{7*7}".
// JSON and prose braces do not start with a call, these names or a
// product.
func (r *result) smarty(v string, i int) int {
	rest := v[i+1:]
	switch {
	case strings.HasPrefix(rest, "php}"), strings.HasPrefix(rest, "/php}"):
		r.add(true, 5, i, 5)
		return i + 5
	case strings.HasPrefix(rest, "$smarty."):
		// The reserved $smarty variable is the engine's own:
		// {$smarty.version}, {$smarty.template_object},
		// {$smarty.server.X}, {$smarty.const.X}.
		k := len("$smarty.")
		if k < len(rest) && (rest[k]|0x20 >= 'a' && rest[k]|0x20 <= 'z' || rest[k] == '_') {
			for k < len(rest) && k < 64 && (isIdentStart(rest[k]) && rest[k] != '$' || isDigit(rest[k]) || rest[k] == '.') {
				k++
			}
			if k < len(rest) && rest[k] == '}' {
				k++
			}
			r.add(true, 5, i, 1+k)
		} else {
			r.add(true, 4, i, len("{$smarty."))
		}
		return i + 1
	}
	j := 0
	for j < len(rest) && j < 64 && (isIdentStart(rest[j]) && rest[j] != '$' || isDigit(rest[j]) || rest[j] == ':') {
		j++
	}
	switch {
	case j > 0 && j < len(rest) && rest[j] == '(':
		// {system('id')}, {Class::method(...)}
	case j > 0 && j < len(rest) && rest[j] == ' ' && (rest[:j] == "if" || rest[:j] == "elseif" || rest[:j] == "while"):
		// {if system('id')}{/if}
	case j > 0 && isDigit(rest[0]) && j < len(rest) && rest[j] == '*':
		// {7*7}: only a product of literals, "{1-2}" is a range in prose
		body, end := content(v, i, 1, "}")
		if end-i <= 64 && features(body)&fArith != 0 {
			r.add(true, 5, i, end-i)
		}
		return end
	default:
		return i + 1
	}
	body, end := content(v, i, 1, "}")
	f := features(body)
	if f&(strong|fStatic) != 0 || strings.Contains(rest[:j], "::") && f&(fCall|fChain) != 0 {
		r.add(true, 5, i, end-i)
	}
	return end
}
