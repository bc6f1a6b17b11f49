package xss

// Byte classes.
const (
	cSpace   = 1 << iota // HTML whitespace: \t \n \f \r and space
	cIdent               // JavaScript identifier byte: letters, digits, _ $ and any non-ASCII byte
	cAlpha               // ASCII letter
	cDigit               // ASCII digit
	cTrigger             // a byte some rule starts from: < ( ` : = { [
	cOp                  // punctuation that may precede an expression: ; , ( ) [ ] { } + - * / % ! ~ & | ^ ? : = < >
	cScan                // a byte the scan stops at: the triggers and '>'
)

// class is the byte class table; it never changes after initialisation.
var class = func() (t [256]uint8) {
	for _, c := range "\t\n\f\r " {
		t[c] |= cSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cIdent | cAlpha
		t[c-'a'+'A'] |= cIdent | cAlpha
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cIdent | cDigit
	}
	t['_'] |= cIdent
	t['$'] |= cIdent
	for c := 0x80; c < 0x100; c++ {
		t[c] |= cIdent
	}
	for _, c := range "<(`:={[" {
		t[c] |= cTrigger | cScan
	}
	t['>'] |= cScan
	for _, c := range ";,()[]{}+-*/%!~&|^?:=<>" {
		t[c] |= cOp
	}
	return t
}()

func isSpace(c byte) bool { return class[c]&cSpace != 0 }
func isIdent(c byte) bool { return class[c]&cIdent != 0 }
func isAlpha(c byte) bool { return class[c]&cAlpha != 0 }
func isDigit(c byte) bool { return class[c]&cDigit != 0 }
func isOp(c byte) bool    { return class[c]&cOp != 0 }
func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// lower folds an ASCII letter to lower case.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold reports whether s equals the lower-case ASCII word w, ignoring
// case.
func equalFold(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != w[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with the lower-case ASCII word w,
// ignoring case.
func hasPrefixFold(s, w string) bool {
	return len(s) >= len(w) && equalFold(s[:len(w)], w)
}

// indexFold returns the index of the lower-case ASCII word w in s, ignoring
// case, or -1.
func indexFold(s, w string) int {
	if len(w) == 0 {
		return 0
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if lower(s[i]) == w[0] && equalFold(s[i:i+len(w)], w) {
			return i
		}
	}
	return -1
}

// foldWord copies the ASCII letters of s lower-cased into buf, skipping
// bytes for which skip reports true, and returns them; ok is false when s
// holds any other byte or more letters than buf.
func foldWord(buf []byte, s string, skip func(byte) bool) (w []byte, ok bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if skip != nil && skip(c) {
			continue
		}
		if !isAlpha(c) && c != '-' && c != ':' && !isDigit(c) {
			return nil, false
		}
		if n == len(buf) {
			return nil, false
		}
		buf[n] = lower(c)
		n++
	}
	return buf[:n], true
}

// isURLJunk is what browsers drop inside and before a URL scheme (tab, new
// line, carriage return; older ones any control byte and space).
func isURLJunk(c byte) bool { return c <= ' ' }

// trimURL drops the bytes browsers skip before a URL: controls, spaces, and
// the quotes and backticks an attribute value may start with.
func trimURL(s string) string {
	i := 0
	for i < len(s) && (s[i] <= ' ' || isQuote(s[i])) {
		i++
	}
	return s[i:]
}
