package nosqli

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Detector finds NoSQL injection. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.NoSQLi.
func (*Detector) Class() detect.Class { return detect.NoSQLi }

// operators are the MongoDB query operators that change what a query
// matches or run code. "$type" and "$comment" are left out: other JSON
// dialects use them as ordinary keys.
var operators = [...]string{
	"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$and", "$or", "$nor", "$not",
	"$exists", "$expr", "$jsonSchema", "$mod", "$regex", "$where", "$all", "$elemMatch",
	"$size", "$function", "$accumulator", "$text",
}

// isOperator reports whether s is a query operator.
func isOperator(s string) bool {
	if len(s) < 3 || s[0] != '$' {
		return false
	}
	for _, op := range operators {
		if s == op {
			return true
		}
	}
	return false
}

// Detect reports query operators and server-side JavaScript in in.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if in.Kind == detect.KindArgName {
		if off, n := operatorName(v); n > 0 {
			return append(dst, match(5, off, n))
		}
	}
	if strings.IndexByte(v, '$') >= 0 {
		if off, n := operatorKey(v); n > 0 {
			return append(dst, match(5, off, n))
		}
	}
	if hasCodePunct(v) {
		if score, off, n := javaScript(v); score > 0 {
			m := match(score, off, n)
			m.Rule = "nosqli.js"
			dst = append(dst, m)
		}
	}
	return dst
}

// hasCodePunct is the JavaScript prefilter: every statement the check
// looks for has one of ';', '|', '&', '(' or '='.
func hasCodePunct(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ';', '|', '&', '(', '=':
			return true
		}
	}
	return false
}

func match(score, off, n int) detect.Match {
	return detect.Match{Class: detect.NoSQLi, Rule: "nosqli.operator", Score: score, Paranoia: 1, Off: off, Len: n}
}

// operatorName finds an operator among the segments of an argument name:
// "$ne", "user[$ne]", "filter[a][$gt]", "user.$ne".
func operatorName(name string) (int, int) {
	for i := 0; i < len(name); i++ {
		if name[i] != '$' || i > 0 && name[i-1] != '[' && name[i-1] != '.' {
			continue
		}
		j := i + 1
		for j < len(name) && isIdent(name[j]) {
			j++
		}
		if isOperator(name[i:j]) && (j == len(name) || name[j] == ']' || name[j] == '.' || name[j] == '[') {
			return i, j - i
		}
	}
	return 0, 0
}

// operatorKey finds an operator written as a key inside a value: after
// '{', ',', '[' or the start (and an optional quote), before ':' (after an
// optional quote) or, in bracket syntax, before ']'.
func operatorKey(v string) (int, int) {
	for i := strings.IndexByte(v, '$'); i >= 0 && i < len(v); {
		j := i + 1
		for j < len(v) && isIdent(v[j]) {
			j++
		}
		if isOperator(v[i:j]) {
			b := i - 1
			if b >= 0 && (v[b] == '"' || v[b] == '\'') {
				b--
			}
			for b >= 0 && (v[b] == ' ' || v[b] == '\t' || v[b] == '\n' || v[b] == '\r') {
				b--
			}
			a := j
			if a < len(v) && (v[a] == '"' || v[a] == '\'') {
				a++
			}
			for a < len(v) && (v[a] == ' ' || v[a] == '\t') {
				a++
			}
			switch {
			case (b < 0 || v[b] == '{' || v[b] == ',') && a < len(v) && v[a] == ':':
				return i, j - i
			case b >= 0 && v[b] == '[' && a < len(v) && (v[a] == ']' || v[a] == ':'):
				return i, j - i
			}
		}
		k := strings.IndexByte(v[j:], '$')
		if k < 0 {
			break
		}
		i = j + k
	}
	return 0, 0
}

func isIdent(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}
