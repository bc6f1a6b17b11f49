package cmdi

import (
	"strings"
	"unicode/utf8"
)

// wordMax bounds the normalised text kept of one word; a longer word keeps
// its first wordMax bytes and is flagged wTrunc. Command names and the
// paths that matter are far shorter.
const wordMax = 256

// maxDepth bounds the nesting of substitutions whose quoting the lexer
// remembers; deeper nesting is lexed without restoring quote state.
const maxDepth = 16

// tokKind is the kind of a shell token.
type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokWord          // a word after quote removal and expansion folding
	tokSep           // ; ;; & && | || |& newline
	tokOpen          // $( ` <( >( ( {
	tokClose         // ) ` }
	tokRedir         // < > >> << <<< <& >& &> >| with optional fd numbers
)

// Word flags: how a word was written.
const (
	wQuoted   uint16 = 1 << iota // had quote characters
	wEscaped                     // had backslash or caret escapes
	wExpand                      // had a variable or arithmetic expansion
	wGlob                        // had glob characters (* ? [)
	wAssign                      // NAME=value
	wTrunc                       // longer than wordMax
	wBrace                       // one item of a {a,b} brace expansion
	wSubstr                      // had a substring expansion: ${PATH:0:1}, ${x:2}, %x:~1,3%
	wXform                       // had a transforming expansion: ${!x}, ${x//a/b}, ${x^^}, ${x#a}
	wManyRefs                    // had more expansions than maxRefs
)

// maxRefs bounds the parameter expansions of one word the lexer remembers.
const maxRefs = 8

// Parameter expansion operators, as a ref records them.
const (
	xPlain   uint8 = iota // $x, ${x}, %x%
	xDefault              // ${x:-w} ${x-w} ${x:=w} ${x=w}: w when x is unset
	xSubstr               // ${x:off} ${x:off:len}
	xXform                // ${!x} ${x/a/b} ${x^^} ${x,,} ${x#a} ${x%a} ${x@Q}
	xOther                // ${#x}, ${x:+w}, ${a[0]}: a value the lexer does not follow
)

// ref is one parameter expansion of a word: the placeholder byte at pos in
// the word's text ('*' or '?') stands for it. It holds offsets into the
// input, not strings, so that the lexer keeps no pointers.
type ref struct {
	pos    int
	op     uint8
	win    bool // a cmd.exe %variable%: its name is matched without case
	name   span // the variable
	arg    span // xDefault: the word used when the variable is unset
	off, n int  // xSubstr: offset (negative: from the end) and length (-1: to the end; -2: not a number)
}

// span is where a part of an expansion is in the input.
type span struct{ off, end int }

func (sp span) of(s string) string { return s[sp.off:sp.end] }

// token is one shell token. text aliases the lexer's buffer and is valid
// until the next call to next.
type token struct {
	kind     tokKind
	op       byte // tokSep: ';' '&' '|' 'n' (newline) 'f' (``` fence) 'a' (&&) 'o' (||); tokOpen: '$' '`' '<' '(' '{'; tokClose: ')' '`' '}'
	off, end int  // where the token is in the input
	flags    uint16
	text     []byte
	refs     []ref // the parameter expansions in text, in order
}

// frame is a saved quoting state, pushed when a substitution opens.
type frame struct {
	q    byte // quote that was open: 0 or '"'
	open byte // '(' for $( <( >( and (, '`' for backticks
}

// lexer splits a value into shell tokens the way sh, bash and, where they
// differ harmlessly, cmd.exe would: quotes are removed ('c'"a"t is cat),
// backslash and caret escapes are dropped (c\at, c^at), $IFS and ${IFS}
// split words, positional parameters ($@, $1) vanish, other expansions
// ($HOME, ${PATH:0:1}, %COMSPEC%) become glob wildcards, remembered with
// their operator (refs) so that the detector can expand them, brace lists
// ({cat,/etc/passwd}) are split into words, and $'\x63' is decoded.
//
// It never fails: any input is some sequence of tokens, and each call to
// next consumes at least one byte or returns tokEOF.
type lexer struct {
	s        string
	i        int
	q        byte // open quote: 0, '\'' or '"'
	stack    [maxDepth]frame
	depth    int
	braceEnd int // > 0: inside a brace list that ends at this '}'
	n        int
	f        uint16
	buf      [wordMax]byte
	nref     int
	refs     [maxRefs]ref
}

// reset prepares l to lex s starting inside the quote q (0, '\” or '"'),
// as if the application had put the value between such quotes.
func (l *lexer) reset(s string, q byte) {
	l.s, l.i, l.q, l.depth, l.braceEnd, l.n, l.f, l.nref = s, 0, q, 0, 0, 0, 0, 0
}

// begin starts a new word with flags f.
func (l *lexer) begin(f uint16) { l.n, l.f, l.nref = 0, f, 0 }

// word returns the token of the word just scanned.
func (l *lexer) word(start int) token {
	return token{kind: tokWord, off: start, end: l.i, flags: l.f, text: l.buf[:l.n], refs: l.refs[:l.nref]}
}

// addRef records the expansion r at the current position of the word and
// appends its placeholder byte.
func (l *lexer) addRef(r ref, placeholder byte) {
	switch {
	case l.n >= wordMax:
	case l.nref < maxRefs:
		r.pos = l.n
		l.refs[l.nref] = r
		l.nref++
	default:
		l.f |= wManyRefs
	}
	l.add(placeholder)
}

func (l *lexer) peek(k int) byte {
	if l.i+k < len(l.s) {
		return l.s[l.i+k]
	}
	return 0
}

func (l *lexer) add(c byte) {
	if l.n < wordMax {
		l.buf[l.n] = c
		l.n++
		return
	}
	l.f |= wTrunc
}

func (l *lexer) addString(s string) {
	n := copy(l.buf[l.n:], s)
	l.n += n
	if n < len(s) {
		l.f |= wTrunc
	}
}

// plain marks the bytes a word copies as they are, in or out of double
// quotes: not blanks, operators, quotes, escapes, expansions, globs, '='
// or ':'.
var plain = func() (t [256]bool) {
	for c := range 256 {
		t[c] = true
	}
	for _, c := range []byte(" \t\r\n\v\f;&|()<>`'\"\\^$%*?[=:{},") {
		t[c] = false
	}
	return t
}()

func (l *lexer) push(open byte) {
	if l.depth < maxDepth {
		l.stack[l.depth] = frame{q: l.q, open: open}
		l.depth++
	}
	l.q = 0
}

// pop closes the innermost substitution if it was opened by open.
func (l *lexer) pop(open byte) bool {
	if l.depth > 0 && l.stack[l.depth-1].open == open {
		l.depth--
		l.q = l.stack[l.depth].q
		return true
	}
	return false
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isNameChar(c byte) bool { return isNameStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// next returns the next token.
func (l *lexer) next() token {
	s := l.s
	for {
		if l.braceEnd > 0 {
			if t, ok := l.braceItem(); ok {
				return t
			}
			continue
		}
		if l.q == 0 {
			for l.i < len(s) && isBlank(s[l.i]) {
				l.i++
			}
		}
		if l.i >= len(s) {
			return token{kind: tokEOF, off: len(s), end: len(s)}
		}
		start := l.i
		c := s[l.i]
		if l.q != '\'' {
			if c == '$' && l.peek(1) == '(' && l.peek(2) != '(' {
				l.i += 2
				l.push('(')
				return token{kind: tokOpen, op: '$', off: start, end: l.i}
			}
			if c == '`' && l.peek(1) == '`' {
				// `` or a Markdown fence (```bash): an empty
				// substitution at most; taken as a line break.
				for l.i < len(s) && s[l.i] == '`' {
					l.i++
				}
				return token{kind: tokSep, op: 'f', off: start, end: l.i}
			}
			if c == '`' {
				l.i++
				if l.pop('`') {
					return token{kind: tokClose, op: '`', off: start, end: l.i}
				}
				l.push('`')
				return token{kind: tokOpen, op: '`', off: start, end: l.i}
			}
		}
		if l.q == 0 {
			if t, ok := l.operator(c, start); ok {
				return t
			}
			if l.braceEnd > 0 {
				continue
			}
		}
		l.begin(0)
		l.scanWord(len(s))
		if l.i == start {
			l.i++ // a byte no rule consumed: skip it
			continue
		}
		if l.n == 0 {
			continue // vanished: '', $IFS, $@, $1
		}
		return l.word(start)
	}
}

// operator lexes an unquoted operator at l.i, if there is one. A brace
// list sets l.braceEnd and returns false.
func (l *lexer) operator(c byte, start int) (token, bool) {
	s := l.s
	switch c {
	case '\n':
		l.i++
		return token{kind: tokSep, op: 'n', off: start, end: l.i}, true
	case ';':
		l.i++
		if l.peek(0) == ';' {
			l.i++
		}
		return token{kind: tokSep, op: ';', off: start, end: l.i}, true
	case '&':
		switch l.peek(1) {
		case '&':
			l.i += 2
			return token{kind: tokSep, op: 'a', off: start, end: l.i}, true
		case '>':
			l.i += 2
			if l.peek(0) == '>' {
				l.i++
			}
			return token{kind: tokRedir, op: '>', off: start, end: l.i}, true
		}
		l.i++
		return token{kind: tokSep, op: '&', off: start, end: l.i}, true
	case '|':
		switch l.peek(1) {
		case '|':
			l.i += 2
			return token{kind: tokSep, op: 'o', off: start, end: l.i}, true
		case '&':
			l.i += 2
			return token{kind: tokSep, op: '|', off: start, end: l.i}, true
		}
		l.i++
		return token{kind: tokSep, op: '|', off: start, end: l.i}, true
	case '(':
		l.i++
		l.push('(')
		return token{kind: tokOpen, op: '(', off: start, end: l.i}, true
	case ')':
		l.i++
		l.pop('(')
		return token{kind: tokClose, op: ')', off: start, end: l.i}, true
	case '<', '>':
		if l.peek(1) == '(' {
			l.i += 2
			l.push('(')
			return token{kind: tokOpen, op: '<', off: start, end: l.i}, true
		}
		return l.redirect(start), true
	case '{':
		nx := l.peek(1)
		if nx == 0 || isBlank(nx) || nx == '\n' {
			l.i++
			return token{kind: tokOpen, op: '{', off: start, end: l.i}, true
		}
		lim := min(len(s), l.i+wordMax)
		comma := false
		for e := l.i + 1; e < lim; e++ {
			b := s[e]
			if b == '}' {
				if comma {
					l.braceEnd = e
					l.i++
				}
				break
			}
			if isBlank(b) || b == '\n' || b == '{' {
				break
			}
			if b == ',' {
				comma = true
			}
		}
		return token{}, false
	case '}':
		nx := l.peek(1)
		if nx == 0 || isBlank(nx) || nx == '\n' || nx == ';' || nx == '&' || nx == '|' || nx == ')' {
			l.i++
			return token{kind: tokClose, op: '}', off: start, end: l.i}, true
		}
	}
	if isDigit(c) {
		k := l.i
		for k < len(s) && k-l.i < 4 && isDigit(s[k]) {
			k++
		}
		if k < len(s) && (s[k] == '<' || s[k] == '>') && (k+1 >= len(s) || s[k+1] != '(') {
			l.i = k
			return l.redirect(start), true
		}
	}
	return token{}, false
}

// redirect lexes a redirection operator at l.i: a run of < > & | and,
// after a '&', the file descriptor it duplicates (2>&1, >&-).
func (l *lexer) redirect(start int) token {
	s := l.s
	k := 0
	for l.i < len(s) && k < 3 && strings.IndexByte("<>&|", s[l.i]) >= 0 {
		l.i++
		k++
	}
	if s[l.i-1] == '&' {
		for l.i < len(s) && (isDigit(s[l.i]) || s[l.i] == '-') {
			l.i++
		}
	}
	return token{kind: tokRedir, op: '>', off: start, end: l.i}
}

// braceItem returns the next item of the brace list being lexed, or false
// when the list is done (l.i is then past its '}').
func (l *lexer) braceItem() (token, bool) {
	if l.i >= l.braceEnd {
		l.i = l.braceEnd + 1
		l.braceEnd = 0
		l.q = 0
		return token{}, false
	}
	start := l.i
	lim := l.braceEnd
	if k := strings.IndexByte(l.s[l.i:lim], ','); k >= 0 {
		lim = l.i + k
	}
	l.begin(wBrace)
	l.scanWord(lim)
	if l.i < lim {
		l.i = lim // the item holds an operator: drop its rest
	}
	l.q = 0
	t := l.word(start)
	if l.i < l.braceEnd {
		l.i++ // the comma
	}
	return t, l.n > 0
}

// scanWord appends the word at l.i, up to lim, to the buffer. It stops
// before an unquoted operator or blank, before a substitution, and after a
// $IFS expansion that splits the word.
func (l *lexer) scanWord(lim int) {
	s := l.s
	name := true     // the word so far is a shell NAME (for NAME=value)
	winPath := false // the word is a Windows path (C:\...): backslashes are separators
	for l.i < lim {
		c := s[l.i]
		switch l.q {
		case '\'':
			// Everything up to the closing quote is literal.
			k := strings.IndexByte(s[l.i:lim], '\'')
			if k < 0 {
				k = lim - l.i
			}
			l.addString(s[l.i : l.i+k])
			l.i += k
			if l.i < lim {
				l.q = 0
				l.i++
			}
			continue
		case '"':
			if plain[c] {
				j := l.i + 1
				for j < lim && plain[s[j]] {
					j++
				}
				l.addString(s[l.i:j])
				l.i = j
				continue
			}
			switch c {
			case '"':
				l.q = 0
				l.i++
				continue
			case '`':
				return
			case '\\':
				if l.i+1 < lim && strings.IndexByte("$`\"\\\n", s[l.i+1]) >= 0 {
					if s[l.i+1] != '\n' {
						l.add(s[l.i+1])
					}
					l.f |= wEscaped
					l.i += 2
					continue
				}
			case '$':
				if l.peek(1) == '(' && l.peek(2) != '(' {
					return
				}
				l.dollar(true)
				continue
			}
			l.add(c)
			l.i++
			continue
		}
		if plain[c] {
			// A run of ordinary bytes, copied at once.
			j := l.i + 1
			for j < lim && plain[s[j]] {
				j++
			}
			if name {
				for k := l.i; k < j; k++ {
					if !isNameChar(s[k]) {
						name = false
						break
					}
				}
			}
			l.addString(s[l.i:j])
			l.i = j
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f', ';', '&', '|', '(', ')', '<', '>', '`':
			return
		case '\'':
			l.q = '\''
			l.f |= wQuoted
			l.i++
			name = false
			continue
		case '"':
			l.q = '"'
			l.f |= wQuoted
			l.i++
			name = false
			continue
		case '\\':
			if winPath || l.i+1 >= lim {
				l.add(c)
				l.i++
				continue
			}
			if s[l.i+1] != '\n' {
				l.add(s[l.i+1])
			}
			l.f |= wEscaped
			l.i += 2
			name = false
			continue
		case '^':
			if l.i+1 < lim && !isBlank(s[l.i+1]) && s[l.i+1] != '\n' {
				l.add(s[l.i+1])
				l.f |= wEscaped
				l.i += 2
				continue
			}
		case '$':
			if l.peek(1) == '(' && l.peek(2) != '(' {
				return
			}
			if l.dollar(false) {
				return
			}
			name = false
			continue
		case '%':
			if l.percent() {
				name = false
				continue
			}
		case '*', '?', '[':
			l.f |= wGlob
		case '=':
			if name && l.n > 0 && l.f&wAssign == 0 {
				l.f |= wAssign
			}
			name = false
		}
		if name && !isNameChar(c) {
			name = false
		}
		l.add(c)
		l.i++
		if c == ':' && l.n == 2 && isAlpha(l.buf[0]) {
			winPath = true
		}
	}
}

// dollar folds the expansion at l.i ('$') into the word. It returns true
// when the expansion is an unquoted $IFS, which ends the word.
func (l *lexer) dollar(dq bool) bool {
	s := l.s
	j := l.i + 1
	if j >= len(s) {
		l.add('$')
		l.i++
		return false
	}
	c := s[j]
	switch {
	case c == '(': // $(( arithmetic ))
		if k := strings.Index(s[j:min(len(s), j+64)], "))"); k >= 0 {
			l.i = j + k + 2
			l.add('0')
			l.f |= wExpand
			return false
		}
	case c == '{':
		k := strings.IndexByte(s[j:min(len(s), j+64)], '}')
		if k < 0 {
			break
		}
		body := s[j+1 : j+k]
		l.i = j + k + 1
		e := 0
		for e < len(body) && isNameChar(body[e]) {
			e++
		}
		if body[:e] == "IFS" {
			if dq {
				l.add(' ')
				return false
			}
			return true
		}
		l.f |= wExpand
		ph := byte('*')
		if strings.HasSuffix(body[e:], ":1") {
			ph = '?' // ${PATH:0:1}: one character
		}
		l.addRef(l.braceRef(body, e, j+1), ph)
		return false
	case c == '\'' && !dq:
		l.i = j + 1
		l.f |= wQuoted | wEscaped
		l.ansiC()
		return false
	case c == '"' && !dq:
		l.i = j + 1
		l.q = '"'
		l.f |= wQuoted
		return false
	case isDigit(c) || strings.IndexByte("@*#?$!-", c) >= 0:
		l.i = j + 1
		l.f |= wExpand
		return false
	case isNameStart(c):
		k := j
		for k < len(s) && isNameChar(s[k]) {
			k++
		}
		l.i = k
		if s[j:k] == "IFS" {
			if dq {
				l.add(' ')
			}
			return !dq
		}
		l.addRef(ref{op: xPlain, name: span{j, k}}, '*')
		l.f |= wExpand
		return false
	}
	l.add('$')
	l.i++
	return false
}

// braceRef describes the expansion ${body}, whose body starts at offset at
// of the input and whose variable name is body[:e], and flags the word
// when the expansion obfuscates: a substring (${PATH:0:1}) or a
// transformation (${!x}, ${x//a/b}, ${x,,}), which no ordinary text
// holds. ${x:-word} is a default, not an obfuscation.
func (l *lexer) braceRef(body string, e, at int) ref {
	name, rest := span{at, at + e}, body[e:]
	switch {
	case e == 0 && len(body) > 1 && body[0] == '!':
		l.f |= wXform
		k := 1
		for k < len(body) && isNameChar(body[k]) {
			k++
		}
		return ref{op: xXform, name: span{at + 1, at + k}}
	case e == 0:
		return ref{op: xOther} // ${#x}, ${@}
	case rest == "":
		return ref{op: xPlain, name: name}
	}
	switch rest[0] {
	case ':':
		if len(rest) > 1 {
			switch rest[1] {
			case '-', '=':
				return ref{op: xDefault, name: name, arg: span{at + e + 2, at + len(body)}}
			case '+', '?':
				return ref{op: xOther, name: name}
			}
		}
		l.f |= wSubstr
		r := ref{op: xSubstr, name: name, n: -2}
		if off, n, ok := substrNums(rest[1:]); ok {
			r.off, r.n = off, n
		}
		return r
	case '-', '=':
		return ref{op: xDefault, name: name, arg: span{at + e + 1, at + len(body)}}
	case '/', '#', '%', '^', ',', '@':
		l.f |= wXform
		return ref{op: xXform, name: name}
	}
	return ref{op: xOther, name: name}
}

// substrNums parses the "off" or "off:len" of ${x:off:len}: small numbers,
// an offset negative after a blank or in parentheses (${x: -1},
// ${x:(-1)}). n is -1 when there is no length.
func substrNums(t string) (off, n int, ok bool) {
	off, t, ok = substrNum(t)
	switch {
	case !ok:
		return 0, 0, false
	case t == "":
		return off, -1, true
	case t[0] != ':':
		return 0, 0, false
	}
	n, t, ok = substrNum(t[1:])
	if !ok || t != "" || n < 0 {
		return 0, 0, false
	}
	return off, n, true
}

func substrNum(t string) (v int, rest string, ok bool) {
	t = strings.TrimLeft(t, " ")
	paren := strings.HasPrefix(t, "(")
	if paren {
		t = t[1:]
	}
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	i := 0
	for i < len(t) && i < 4 && isDigit(t[i]) {
		v = v*10 + int(t[i]-'0')
		i++
	}
	if i == 0 {
		return 0, t, false
	}
	t = t[i:]
	if paren {
		if !strings.HasPrefix(t, ")") {
			return 0, t, false
		}
		t = t[1:]
	}
	if neg {
		v = -v
	}
	return v, t, true
}

// ansiC decodes the body of a $'...' string at l.i up to its closing
// quote, as bash does: \xHH, \uHHHH, \UHHHHHHHH, \NNN (octal), \cX and the
// letter escapes; an unknown escape stays as it is.
func (l *lexer) ansiC() {
	s := l.s
	for l.i < len(s) {
		c := s[l.i]
		if c == '\'' {
			l.i++
			return
		}
		if c != '\\' || l.i+1 >= len(s) {
			l.add(c)
			l.i++
			continue
		}
		e := s[l.i+1]
		l.i += 2
		switch e {
		case 'x', 'u', 'U':
			digits := 2
			switch e {
			case 'u':
				digits = 4
			case 'U':
				digits = 8
			}
			v, k := 0, 0
			for k < digits && l.i < len(s) && hexVal(s[l.i]) >= 0 {
				v = v*16 + hexVal(s[l.i])
				l.i++
				k++
			}
			switch {
			case k == 0:
				l.add('\\')
				l.add(e)
			case e == 'x':
				l.add(byte(v)) // #nosec G115 -- two hex digits: one byte
			default:
				if v > utf8.MaxRune {
					v = utf8.RuneError
				}
				var rb [utf8.UTFMax]byte
				for _, b := range rb[:utf8.EncodeRune(rb[:], rune(v))] { // #nosec G115 -- v <= utf8.MaxRune
					l.add(b)
				}
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, k := int(e-'0'), 1
			for k < 3 && l.i < len(s) && s[l.i] >= '0' && s[l.i] <= '7' {
				v = v*8 + int(s[l.i]-'0')
				l.i++
				k++
			}
			l.add(byte(v)) // #nosec G115 -- three octal digits, kept to one byte by design
		case 'c':
			if l.i < len(s) {
				l.add(s[l.i] & 0x1f)
				l.i++
			}
		case '\\', '\'', '"', '?':
			l.add(e)
		default:
			if k := strings.IndexByte(ansiLetters, e); k >= 0 && k%2 == 0 {
				l.add(ansiLetters[k+1])
				continue
			}
			l.add('\\')
			l.add(e)
		}
	}
}

// ansiLetters pairs the letter escapes of $'...' with the bytes they stand
// for.
const ansiLetters = "a\ab\be\x1bE\x1bf\fn\nr\rt\tv\v"

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// percent folds a cmd.exe variable (%NAME% or %NAME:~1,3%) at l.i into the
// word: %COMSPEC% is cmd, others a wildcard. It returns false, consuming
// nothing, when the '%' starts no variable ("50% off").
func (l *lexer) percent() bool {
	s := l.s
	j := l.i + 1
	if j >= len(s) || !isNameStart(s[j]) {
		return false
	}
	k := j
	for k < len(s) && k-j < 40 && isNameChar(s[k]) {
		k++
	}
	if k >= len(s) {
		return false
	}
	end := k
	switch s[k] {
	case '%':
	case ':':
		e := strings.IndexByte(s[k:min(len(s), k+32)], '%')
		if e < 0 {
			return false
		}
		end = k + e
	default:
		return false
	}
	if end > k {
		// %x:~1,3% takes a substring, %x:a=b% replaces: obfuscations.
		if k+1 < len(s) && s[k+1] == '~' {
			l.f |= wSubstr
		} else {
			l.f |= wXform
		}
	}
	switch {
	case strings.EqualFold(s[j:k], "comspec"):
		l.addString("cmd")
	case end > k:
		l.addRef(ref{op: xOther, win: true, name: span{j, k}}, '*')
		l.f |= wExpand
	default:
		l.addRef(ref{op: xPlain, win: true, name: span{j, k}}, '*')
		l.f |= wExpand
	}
	l.i = end + 1
	return true
}
