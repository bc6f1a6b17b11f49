// Package jndi detects Log4Shell-style lookups: "${jndi:ldap://...}" and
// the obfuscations built from Log4j's own lookup language — nested
// "${lower:j}", "${upper:N}", "${::-d}" defaults, "${env:X:-i}",
// "${date:'j'}", "${base64:...}" and Unicode case tricks such as
// "${upper:ı}" — by
// evaluating the language the way Log4j 2's StrSubstitutor does (to a
// bounded depth) and judging what the lookups resolve to.
//
// Rules and scores:
//
//	jndi.lookup         a jndi lookup with a network protocol    5
//	                    (ldap, ldaps, rmi, dns, iiop, corba, nds, nis, http, https)
//	jndi.lookup         a jndi lookup to anything else           4
//	jndi.obfuscation    case and default lookups that build      3, 4 with three or more
//	                    text out of single characters
//	jndi.exfiltration   env, sys, ctx, java, bundle, ... lookups 3, 4 for secret-looking keys
//
// Exfiltration lookups score low because "${env:PATH}" is also PowerShell;
// inside a jndi lookup they do not matter, the lookup itself blocks. Shell
// and template syntax ("${HOME}", "${VAR:-default}", "${user.name}") is not
// Log4j's lookup language and scores nothing.
//
// A Detector is stateless and safe for concurrent use.
package jndi

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

// Detector finds Log4j lookups. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.JNDI.
func (*Detector) Class() detect.Class { return detect.JNDI }

// Bounds of the evaluation of one top-level lookup: how deep lookups nest,
// how many are evaluated and how long the text they produce may grow.
// Reaching one counts as obfuscation.
const (
	maxDepth = 12
	maxSteps = 512
	maxOut   = 8 << 10
)

// Detect evaluates the lookups in in.Value and reports jndi lookups and
// the tricks around them.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	i := strings.Index(v, "${")
	if i < 0 || strings.IndexByte(v[i:], ':') < 0 {
		return dst // every lookup that matters has a prefix or a default
	}
	var r resolver
	r.run(v)
	span := func() (int, int) { return r.off, r.end - r.off }
	if r.jndi > 0 {
		off, n := span()
		dst = append(dst, detect.Match{Class: detect.JNDI, Rule: "jndi.lookup", Score: r.jndi, Paranoia: 1, Off: off, Len: n})
	}
	if r.tricks > 0 {
		score := 3
		if r.tricks >= 3 {
			score = 4
		}
		dst = append(dst, detect.Match{Class: detect.JNDI, Rule: "jndi.obfuscation", Score: score, Paranoia: 1, Off: r.off, Len: r.end - r.off})
	}
	if r.exfil > 0 {
		dst = append(dst, detect.Match{Class: detect.JNDI, Rule: "jndi.exfiltration", Score: r.exfil, Paranoia: 1, Off: r.off, Len: r.end - r.off})
	}
	return dst
}

// resolver evaluates Log4j lookups and keeps what it saw.
type resolver struct {
	steps  int
	out    int // bytes produced so far, against maxOut
	jndi   int // best jndi.lookup score
	tricks int // obfuscating lookups
	exfil  int // best exfiltration score
	// off and end locate the first top-level lookup that scored.
	off, end int
	located  bool
}

// run evaluates s and records where the first finding came from.
func (r *resolver) run(s string) {
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			return
		}
		start := i + j
		end := closing(s, start+2)
		before := r.jndi + r.tricks + r.exfil
		r.steps, r.out = 0, 0 // each top-level lookup gets the whole budget
		r.resolve(nil, s[start:min(end+1, len(s))], 0)
		if r.steps > maxSteps || r.out >= maxOut {
			r.tricks = max(r.tricks, 3) // Log4j would go on; nothing benign nests this much
		}
		if !r.located && r.jndi+r.tricks+r.exfil > before {
			r.off, r.end, r.located = start, min(end+1, len(s)), true
		}
		if end >= len(s) {
			return
		}
		i = end + 1
	}
}

// closing returns the index of the '}' closing the lookup whose name
// starts at i, counting nested "${", or len(s) when it is not closed (a cut
// or truncated payload is still judged).
func closing(s string, i int) int {
	depth := 1
	for ; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// resolve appends the evaluation of s to dst: text is copied, each
// "${name}" has its name evaluated first (Log4j substitutes inside names),
// then looked up; a value found is evaluated again, as Log4j does.
func (r *resolver) resolve(dst []byte, s string, depth int) []byte {
	for len(s) > 0 {
		j := strings.Index(s, "${")
		if j >= 0 && depth > maxDepth {
			r.steps = maxSteps + 1
		}
		if j < 0 || r.steps > maxSteps {
			return r.add(dst, s)
		}
		dst = r.add(dst, s[:j])
		end := closing(s, j+2)
		r.steps++
		name := r.resolve(nil, s[j+2:min(end, len(s))], depth+1)
		if val, ok := r.lookup(string(name)); ok {
			dst = r.resolve(dst, val, depth+1)
		} else {
			dst = r.add(dst, "${")
			dst = r.add(dst, string(name))
			dst = r.add(dst, "}")
		}
		if end >= len(s) {
			break
		}
		s = s[end+1:]
	}
	return dst
}

// add appends s to dst within the output bound.
func (r *resolver) add(dst []byte, s string) []byte {
	if r.out+len(s) > maxOut {
		s = s[:max(0, maxOut-r.out)]
	}
	r.out += len(s)
	return append(dst, s...)
}

// lookup evaluates one variable name as Log4j's Interpolator does: a
// ":-" splits off a default, a ':' splits a prefix naming the lookup. It
// returns the value and whether there is one.
func (r *resolver) lookup(name string) (string, bool) {
	varName, def, hasDef := strings.Cut(name, ":-")
	if i := indexFold(varName, "jndi:"); i >= 0 {
		r.jndiKey(varName[i+len("jndi:"):])
	}
	prefix, key, hasPrefix := strings.Cut(varName, ":")
	if hasPrefix {
		switch strings.ToLower(prefix) {
		case "lower":
			r.trick(key)
			return strings.ToLower(key), true
		case "upper":
			r.trick(key)
			return strings.ToUpper(key), true
		case "date":
			val := datePattern(key)
			r.trick(val)
			return val, true
		case "base64":
			if b, err := base64.StdEncoding.DecodeString(key); err == nil && len(b) <= maxOut {
				r.tricks++
				return string(b), true
			}
		case "env", "sys", "ctx", "java", "main", "bundle", "docker", "k8s", "spring", "web",
			"log4j", "jvmrunargs", "sd", "map", "marker", "event":
			if !hasDef || len(def) > 2 {
				r.exfiltration(key)
			}
		}
	}
	if hasDef {
		if varName == "" || varName == ":" || hasPrefix && len(def) <= 2 {
			r.trick(def)
		}
		return def, true
	}
	return "", false
}

// trick counts a lookup that turns a character or two into another,
// the building block of Log4Shell obfuscation.
func (r *resolver) trick(val string) {
	if utf8.RuneCountInString(val) <= 2 {
		r.tricks++
	}
}

// protocols are the JNDI providers an attacker reaches a server with.
var protocols = [...]string{"ldap", "ldaps", "rmi", "dns", "iiop", "iiopname", "corba", "corbaname", "nds", "nis", "http", "https"}

// jndiKey judges what a jndi lookup would fetch.
func (r *resolver) jndiKey(key string) {
	key = strings.TrimLeft(key, " \t")
	score := 4
	if scheme, _, ok := strings.Cut(key, ":"); ok {
		for _, p := range protocols {
			if strings.EqualFold(scheme, p) {
				score = 5
				break
			}
		}
	}
	r.jndi = max(r.jndi, score)
}

// exfiltration judges a lookup that reads the environment.
func (r *resolver) exfiltration(key string) {
	score := 3
	for _, s := range [...]string{"secret", "password", "passwd", "token", "key", "credential", "aws_", "session"} {
		if indexFold(key, s) >= 0 {
			score = 4
			break
		}
	}
	r.exfil = max(r.exfil, score)
}

// datePattern evaluates a SimpleDateFormat pattern for its literal text:
// quoted text is copied ("'j'" gives "j", two quotes give one), pattern letters
// become a digit and other characters are copied.
func datePattern(p string) string {
	var b strings.Builder
	for i := 0; i < len(p) && b.Len() < 256; i++ {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			k := strings.IndexByte(p[i+1:], '\'')
			if k < 0 {
				b.WriteString(p[i+1:])
				return b.String()
			}
			b.WriteString(p[i+1 : i+1+k])
			i += k + 1
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			b.WriteByte('0')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// indexFold is strings.Index ignoring ASCII case of sub, which is lower
// case ASCII.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 != sub[0] {
			continue
		}
		ok := true
		for k := 1; k < len(sub); k++ {
			c := s[i+k]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[k] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}
