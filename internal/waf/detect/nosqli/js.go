package nosqli

import "strings"

// Token kinds.
const (
	tIdent = iota + 1
	tNumber
	tString
	tPunct
)

// token is one JavaScript token: kind, text and offset in the value.
type token struct {
	kind uint8
	off  int
	text string
}

// maxTokens bounds how much of a value the JavaScript check reads: an
// injection breaks out at the start, and the statements follow at once.
const maxTokens = 64

// tokenize appends the tokens of s (at offset base in the value) to toks,
// up to its capacity. Strings run to their closing quote or the end;
// comments are skipped.
func tokenize(s string, base int, toks []token) []token {
	for i := 0; i < len(s) && len(toks) < cap(toks); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			k := strings.IndexByte(s[i:], '\n')
			if k < 0 {
				return toks
			}
			i += k
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return toks
			}
			i += k + 4
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			toks = append(toks, token{tString, base + i, s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (isIdent(s[j]) || s[j] == '.') {
				j++
			}
			toks = append(toks, token{tNumber, base + i, s[i:j]})
			i = j
		case isIdent(c) || c >= 0x80:
			j := i + 1
			for j < len(s) && (isIdent(s[j]) || s[j] >= 0x80) {
				j++
			}
			toks = append(toks, token{tIdent, base + i, s[i:j]})
			i = j
		default:
			n := 1
			for _, op := range [...]string{"===", "!==", "==", "!=", "||", "&&", "<=", ">=", "=>"} {
				if strings.HasPrefix(s[i:], op) {
					n = len(op)
					break
				}
			}
			toks = append(toks, token{tPunct, base + i, s[i : i+n]})
			i += n
		}
	}
	return toks
}

// Statement features.
const (
	fReturn = 1 << iota
	fVar
	fNew
	fLoop
	fFunc
	fSleep
	fThis
	fTautology
	fShell
	fNode
	fMatch   // this.field.match(...) or .test(...)
	fCompare // this.field compared
)

// javaScript judges v as server-side JavaScript and returns a score and
// where the code starts.
func javaScript(v string) (int, int, int) {
	var buf [maxTokens]token
	start, broke := 0, false
	if q := strings.IndexAny(v, `'"`); q >= 0 && plainPrefix(v[:q]) {
		start, broke = q+1, true
	}
	toks := tokenize(v[start:], start, buf[:0])
	if len(toks) == 0 {
		return 0, 0, 0
	}
	first := 0
	if !broke {
		switch {
		case isPunct(toks[0], ";", "||", "&&"):
			broke = true
		case len(toks) > 1 && literalLike(toks[0]) && isPunct(toks[1], ";", "||", "&&", ","):
			broke, first = true, 1
		case len(toks) > 1 && toks[0].kind == tIdent && isPunct(toks[1], ";", "||", "&&"):
			broke, first = true, 1
		}
	}
	feats, lead := features(toks, first)
	off := toks[first].off
	n := len(v) - off
	switch {
	case broke && feats != 0:
		return 5, off, n
	case lead&(fShell|fSleep) != 0 || feats&(fMatch|fNode) != 0:
		return 5, off, n
	case feats&fThis != 0 && feats&fCompare != 0:
		return 4, off, n
	case feats&(fShell|fSleep) != 0:
		return 3, off, n
	}
	return 0, 0, 0
}

// features returns the statement features of toks and those that start
// a statement: the first token, or right after ';', '||' or '&&'.
func features(toks []token, first int) (all, lead int) {
	at := func(i int) token {
		if i < len(toks) {
			return toks[i]
		}
		return token{}
	}
	for i := first; i < len(toks); i++ {
		t := toks[i]
		f := 0
		switch t.kind {
		case tIdent:
			switch t.text {
			case "return":
				if k := at(i + 1).kind; k == tIdent || k == tNumber || k == tString {
					f = fReturn
				}
			case "var", "let", "const":
				if at(i+1).kind == tIdent && isPunct(at(i+2), "=") {
					f = fVar
				}
			case "new":
				if at(i+1).kind == tIdent && isPunct(at(i+2), "(") {
					f = fNew
				}
			case "do":
				if isPunct(at(i+1), "{") {
					f = fLoop
				}
			case "while", "for":
				if isPunct(at(i+1), "(") {
					f = fLoop
				}
			case "function":
				if isPunct(at(i+1), "(") || at(i+1).kind == tIdent && isPunct(at(i+2), "(") {
					f = fFunc
				}
			case "sleep":
				if isPunct(at(i+1), "(") && at(i+2).kind == tNumber && isPunct(at(i+3), ")") {
					f = fSleep
				}
			case "this":
				if isPunct(at(i+1), ".") && at(i+2).kind == tIdent {
					f = fThis
					j := i + 3
					for isPunct(at(j), ".") && at(j+1).kind == tIdent && isPunct(at(j+2), ".") {
						j += 2
					}
					switch {
					case isPunct(at(j), ".") && (at(j+1).text == "match" || at(j+1).text == "test") && isPunct(at(j+2), "("):
						f |= fMatch
					case isPunct(at(j), "==", "===", "!=", "!==", "<", ">", "<=", ">="):
						f |= fCompare
					}
				}
			case "db":
				// db.collection.method( or db.method(
				if isPunct(at(i+1), ".") && at(i+2).kind == tIdent {
					j := i + 3
					if isPunct(at(j), ".") && at(j+1).kind == tIdent {
						j += 2
					}
					if isPunct(at(j), "(") {
						f = fShell
					}
				}
			case "require":
				if isPunct(at(i+1), "(") && at(i+2).kind == tString && strings.Contains(at(i+2).text, "child_process") {
					f = fNode
				}
			case "constructor":
				// x.constructor.constructor('code')(): Function from any object
				if isPunct(at(i+1), ".") && at(i+2).text == "constructor" && isPunct(at(i+3), "(") {
					f = fNode
				}
			case "process":
				if isPunct(at(i+1), ".") && (at(i+2).text == "mainModule" || at(i+2).text == "binding" || at(i+2).text == "kill") {
					f = fNode
				}
			}
		case tPunct:
			if isPunct(t, "||", "&&") && tautology(toks[i+1:]) {
				f = fTautology
			}
		}
		all |= f
		if f != 0 && (i == first || isPunct(at(i-1), ";", "||", "&&", "{")) {
			lead |= f
		}
	}
	return all, lead
}

// tautology reports an always-true test after '||' or '&&': two literals
// compared ("1==1", "'a'=='a"), or true or 1 ending the expression.
func tautology(toks []token) bool {
	if len(toks) >= 3 && literalLike(toks[0]) && literalLike(toks[2]) &&
		isPunct(toks[1], "==", "===", "!=", "!==", "<", ">", "<=", ">=") {
		return true
	}
	if len(toks) > 0 && (toks[0].text == "true" || toks[0].text == "1") {
		return len(toks) == 1 || isPunct(toks[1], ";", ")", "}") || toks[1].kind == tString
	}
	return false
}

// literalLike reports numbers, strings and the literal keywords.
func literalLike(t token) bool {
	switch t.kind {
	case tNumber, tString:
		return true
	case tIdent:
		return t.text == "true" || t.text == "false" || t.text == "null"
	}
	return false
}

func isPunct(t token, ops ...string) bool {
	if t.kind != tPunct {
		return false
	}
	for _, op := range ops {
		if t.text == op {
			return true
		}
	}
	return false
}

// plainPrefix reports text a string value might hold before the quote
// that closes it: word characters, blanks, '@', '.', '-'.
func plainPrefix(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isIdent(c) && c != '$' || c == ' ' || c == '@' || c == '.' || c == '-' || c >= 0x80) {
			return false
		}
	}
	return true
}
