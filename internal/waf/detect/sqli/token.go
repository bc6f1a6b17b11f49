package sqli

import "strings"

// kind is the kind of a SQL token.
type kind uint8

// Token kinds.
const (
	tWord    kind = iota + 1 // identifier, keyword or function name
	tQuoted                  // `quoted` or [bracketed] identifier
	tNumber                  // 12, 1.5e3, 0x1f, 0b101
	tString                  // '...', "...", x'..', n'..'
	tVar                     // @x, @@version, $1
	tOp                      // operator; token.op says which
	tLParen                  // (
	tRParen                  // )
	tComma                   // ,
	tSemi                    // ;
	tDot                     // .
	tStar                    // * (kept apart from multiplication for select lists)
	tComment                 // a comment that runs to the end of the value
	tOther                   // any other byte
)

// op is an operator.
type op uint8

// Operators. opAnd and opOr are also produced by the keywords AND, OR, XOR.
const (
	opNone   op = iota
	opEq        // = ==
	opNe        // <> != ^=
	opLt        // <
	opLe        // <=
	opGt        // >
	opGe        // >=
	opNullEq    // <=>
	opPlus      // +
	opMinus     // -
	opDiv       // /
	opMod       // %
	opBitOr     // |
	opBitAnd    // &
	opXorBit    // ^
	opShift     // << >>
	opTilde     // ~
	opNot       // !
	opAnd       // &&
	opOr        // ||
	opAssign    // :=
	opCast      // ::
	opJSON      // -> ->> #> @> <@
)

// Token flags.
const (
	fUnterminated  uint8 = 1 << iota // string or quoted identifier without its closing quote
	fVersioned                       // inside a MySQL /*! ... */ comment
	fGlued                           // follows a block comment with no space on either side (SEL/**/ECT)
	fCommentBefore                   // a comment came between this token and the previous one
	fSpaceBefore                     // white space or a comment came before this token
	fVersionStart                    // the first token inside a /*! comment
)

// token is one SQL token; off and end locate it in the analysed string.
type token struct {
	off, end int
	kind     kind
	op       op    // for tOp
	kw       kw    // for tWord: the keyword, kwNone for a plain identifier
	flags    uint8 // f* flags
	quote    byte  // for tString and tQuoted: the quote character
}

// maxTokens bounds the tokens analysed per context; a value with more is
// analysed by its first maxTokens tokens, which is where an injection starts.
const maxTokens = 4096

// byte classes for the tokenizer.
const (
	cOther = iota
	cSpace
	cIdent // letters, _, $ and bytes of multi-byte UTF-8 sequences
	cDigit
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			t[c] = cSpace
		case c < 0x20 && c != 0:
			t[c] = cSpace
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '$', c >= 0x80:
			t[c] = cIdent
		case c >= '0' && c <= '9':
			t[c] = cDigit
		}
	}
	return t
}()

func isIdentByte(c byte) bool { return byteClass[c] == cIdent || byteClass[c] == cDigit }

// isSpaceAt says whether s[i] is white space to SQL: ASCII spaces and
// control characters, and a lone 0xA0 (no-break space in Latin-1, which
// MySQL takes as a separator) that is not part of a UTF-8 sequence.
func isSpaceAt(s string, i int) bool {
	c := s[i]
	if byteClass[c] == cSpace {
		return true
	}
	return c == 0xA0 && (i == 0 || s[i-1] < 0x80)
}

// tokenizer splits a string into SQL tokens.
type tokenizer struct {
	s         string
	pos       int
	versioned bool // inside /*! ... */
	glued     bool // a block comment just ended with a word character before it
	comment   bool // a comment was skipped since the last token
	space     bool // white space or a comment was skipped since the last token
	vstart    bool // a /*! comment just opened
}

// tokenize appends the tokens of s to dst, at most maxTokens of them.
func tokenize(s string, dst []token) []token {
	t := tokenizer{s: s}
	for len(dst) < maxTokens {
		tok, ok := t.next()
		if !ok {
			break
		}
		dst = append(dst, tok)
		if tok.kind == tComment {
			break
		}
	}
	return dst
}

// skip skips white space and comments that do not end the value. It
// returns terminal and where that comment starts when it reached a
// comment (or NUL) that runs to the end.
func (t *tokenizer) skip() (terminal bool, at int) {
	s := t.s
	for t.pos < len(s) {
		c := s[t.pos]
		switch {
		case isSpaceAt(s, t.pos):
			t.pos++
			t.glued = false
			t.space = true
		case c == 0:
			// A NUL ends the query for C-string based drivers.
			return true, t.pos
		case c == '#' || (c == '-' && t.pos+1 < len(s) && s[t.pos+1] == '-'):
			start := t.pos
			nl := indexByteFrom(s, t.pos, '\n')
			if nl < 0 {
				return true, start
			}
			t.pos = nl + 1
			t.comment = true
			t.glued = false
		case c == '/' && t.pos+1 < len(s) && s[t.pos+1] == '*':
			start := t.pos
			if t.pos+2 < len(s) && s[t.pos+2] == '!' {
				// MySQL executes the body of /*! ... */, after an
				// optional version number.
				t.pos += 3
				for t.pos < len(s) && byteClass[s[t.pos]] == cDigit {
					t.pos++
				}
				t.versioned = true
				t.vstart = true
				t.comment = true
				continue
			}
			end := indexFrom(s, t.pos+2, "*/")
			if end < 0 {
				return true, start
			}
			before := start > 0 && isIdentByte(s[start-1])
			t.pos = end + 2
			t.comment = true
			t.glued = before && t.pos < len(s) && isIdentByte(s[t.pos])
		case c == '*' && t.versioned && t.pos+1 < len(s) && s[t.pos+1] == '/':
			t.pos += 2
			t.versioned = false
		default:
			return false, t.pos
		}
	}
	return false, t.pos
}

// next returns the next token, false at the end.
func (t *tokenizer) next() (token, bool) {
	terminal, at := t.skip()
	if terminal {
		t.pos = len(t.s)
		return token{off: at, end: len(t.s), kind: tComment}, true
	}
	if t.pos >= len(t.s) {
		return token{}, false
	}
	var flags uint8
	if t.versioned {
		flags |= fVersioned
	}
	if t.glued {
		flags |= fGlued
		t.glued = false
	}
	if t.comment {
		flags |= fCommentBefore | fSpaceBefore
		t.comment = false
	}
	if t.space {
		flags |= fSpaceBefore
		t.space = false
	}
	if t.vstart {
		flags |= fVersionStart
		t.vstart = false
	}
	s := t.s
	start := t.pos
	c := s[start]
	tok := token{off: start, flags: flags}
	switch byteClass[c] {
	case cIdent:
		// Prefixed strings: x'41', b'01', n'text', e'text'.
		if start+1 < len(s) && s[start+1] == '\'' {
			switch c | 0x20 {
			case 'x', 'b', 'n', 'e':
				t.pos = start + 1
				t.str(&tok, '\'')
				tok.off, tok.end = start, t.pos
				return tok, true
			}
		}
		t.pos = t.identEnd(start)
		tok.kind = tWord
		tok.kw = lookupKeyword(s[start:t.pos])
	case cDigit:
		t.number(&tok)
	default:
		switch c {
		case '\'', '"':
			t.str(&tok, c)
		case '`':
			t.str(&tok, c)
			tok.kind = tQuoted
		case '\\':
			if start+1 < len(s) && s[start+1] == 'N' && (start+2 == len(s) || !isIdentByte(s[start+2])) {
				// \N is MySQL's NULL.
				t.pos += 2
				tok.kind, tok.kw = tWord, kwNull
			} else {
				t.pos++
				tok.kind = tOther
			}
		case '[':
			// MSSQL [identifier]; only when it closes on a short name.
			if end := indexByteFrom(s, start+1, ']'); end > start+1 && end-start < 130 && !containsSpaceOrQuote(s[start+1:end]) {
				t.pos = end + 1
				tok.kind = tQuoted
				tok.quote = '['
			} else {
				t.pos++
				tok.kind = tOther
			}
		case '@':
			t.pos++
			if t.pos < len(s) && s[t.pos] == '@' {
				t.pos++
			}
			if t.pos < len(s) && (s[t.pos] == '\'' || s[t.pos] == '"' || s[t.pos] == '`') {
				t.str(&tok, s[t.pos])
				tok.off, tok.end = start, t.pos
				tok.kind = tVar
				return tok, true
			}
			if t.pos < len(s) && s[t.pos] == '>' {
				t.pos++
				tok.kind, tok.op = tOp, opJSON
				break
			}
			e := t.pos
			for e < len(s) && (isIdentByte(s[e]) || (s[e] == '.' && e+1 < len(s) && isIdentByte(s[e+1]))) {
				e++
			}
			if e == t.pos {
				tok.kind = tOther
				break
			}
			t.pos = e
			tok.kind = tVar
		case '.':
			if start+1 < len(s) && byteClass[s[start+1]] == cDigit {
				t.number(&tok)
				break
			}
			t.pos++
			tok.kind = tDot
		case '(':
			t.pos++
			tok.kind = tLParen
		case ')':
			t.pos++
			tok.kind = tRParen
		case ',':
			t.pos++
			tok.kind = tComma
		case ';':
			t.pos++
			tok.kind = tSemi
		case '*':
			t.pos++
			tok.kind = tStar
		default:
			t.operator(&tok)
		}
	}
	tok.end = t.pos
	return tok, true
}

// identEnd returns the end of the identifier starting at i.
func (t *tokenizer) identEnd(i int) int {
	s := t.s
	for i < len(s) && isIdentByte(s[i]) {
		if s[i] == 0xA0 && s[i-1] < 0x80 {
			break
		}
		i++
	}
	return i
}

// number scans a numeric literal. Digits that run into letters make an
// identifier (MySQL allows names like 1st), except after an exponent or a
// trailing dot, where MySQL ends the number (1e0UNION, 1.UNION).
func (t *tokenizer) number(tok *token) {
	s := t.s
	i := t.pos
	tok.kind = tNumber
	if s[i] == '0' && i+2 < len(s) && (s[i+1]|0x20 == 'x' || s[i+1]|0x20 == 'b') {
		j := i + 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j > i+2 && (j == len(s) || !isIdentByte(s[j])) {
			t.pos = j
			return
		}
	}
	for i < len(s) && byteClass[s[i]] == cDigit {
		i++
	}
	split := false
	if i < len(s) && s[i] == '.' {
		i++
		split = true
		for i < len(s) && byteClass[s[i]] == cDigit {
			i++
		}
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && byteClass[s[j]] == cDigit {
			for j < len(s) && byteClass[s[j]] == cDigit {
				j++
			}
			i = j
			split = true
		}
	}
	if i < len(s) && byteClass[s[i]] == cIdent && !split {
		tok.kind = tWord
		t.pos = t.identEnd(i)
		tok.kw = kwNone
		return
	}
	t.pos = i
}

func isHex(c byte) bool {
	return byteClass[c] == cDigit || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

// str scans a quoted string or identifier starting at t.pos, where the
// quote q is. A doubled quote and a backslash escape stay inside.
func (t *tokenizer) str(tok *token, q byte) {
	s := t.s
	tok.kind = tString
	tok.quote = q
	i := t.pos + 1
	for {
		j := indexQuoteOrBackslash(s, i, q)
		if j < 0 {
			t.pos = len(s)
			tok.flags |= fUnterminated
			return
		}
		if s[j] == '\\' && q != '`' {
			i = j + 2
			if i > len(s) {
				t.pos = len(s)
				tok.flags |= fUnterminated
				return
			}
			continue
		}
		if s[j] == '\\' {
			i = j + 1
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			i = j + 2
			continue
		}
		t.pos = j + 1
		return
	}
}

// operator scans an operator or any other byte.
func (t *tokenizer) operator(tok *token) {
	s := t.s
	i := t.pos
	c := s[i]
	var c1, c2 byte
	if i+1 < len(s) {
		c1 = s[i+1]
	}
	if i+2 < len(s) {
		c2 = s[i+2]
	}
	tok.kind = tOp
	n := 1
	switch c {
	case '=':
		tok.op = opEq
		if c1 == '=' {
			n = 2
		}
	case '<':
		switch {
		case c1 == '=' && c2 == '>':
			tok.op, n = opNullEq, 3
		case c1 == '=':
			tok.op, n = opLe, 2
		case c1 == '>':
			tok.op, n = opNe, 2
		case c1 == '<':
			tok.op, n = opShift, 2
		case c1 == '@':
			tok.op, n = opJSON, 2
		default:
			tok.op = opLt
		}
	case '>':
		switch c1 {
		case '=':
			tok.op, n = opGe, 2
		case '>':
			tok.op, n = opShift, 2
		default:
			tok.op = opGt
		}
	case '!':
		switch c1 {
		case '=':
			tok.op, n = opNe, 2
		case '<':
			tok.op, n = opGe, 2
		case '>':
			tok.op, n = opLe, 2
		default:
			tok.op = opNot
		}
	case '+':
		tok.op = opPlus
	case '-':
		if c1 == '>' {
			tok.op, n = opJSON, 2
			if c2 == '>' {
				n = 3
			}
		} else {
			tok.op = opMinus
		}
	case '/':
		tok.op = opDiv
	case '%':
		tok.op = opMod
	case '|':
		if c1 == '|' {
			tok.op, n = opOr, 2
		} else {
			tok.op = opBitOr
		}
	case '&':
		if c1 == '&' {
			tok.op, n = opAnd, 2
		} else {
			tok.op = opBitAnd
		}
	case '^':
		if c1 == '=' {
			tok.op, n = opNe, 2
		} else {
			tok.op = opXorBit
		}
	case '~':
		tok.op = opTilde
	case ':':
		switch c1 {
		case '=':
			tok.op, n = opAssign, 2
		case ':':
			tok.op, n = opCast, 2
		default:
			tok.kind = tOther
		}
	default:
		tok.kind = tOther
	}
	t.pos = i + n
}

// indexByteFrom returns the index of c in s at or after from, or -1.
func indexByteFrom(s string, from int, c byte) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// indexFrom returns the index of sub in s at or after from, or -1.
func indexFrom(s string, from int, sub string) int {
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}

// indexQuoteOrBackslash returns the index of q or a backslash in s at or
// after from, or -1.
func indexQuoteOrBackslash(s string, from int, q byte) int {
	for i := from; i < len(s); i++ {
		if s[i] == q || s[i] == '\\' {
			return i
		}
	}
	return -1
}

// containsSpaceOrQuote says whether s has white space, quotes or [.
func containsSpaceOrQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\'', '"', '[', '\t', '\n':
			return true
		}
	}
	return false
}
