// Package ssi detects server-side include injection: Apache/nginx SSI
// directives (<!--#exec cmd="..." -->, <!--#include virtual="..." -->,
// <!--#echo var="..." -->, <!--#config ...-->, <!--#printenv -->) and Edge
// Side Includes (<esi:include src="..."/>), which a server or CDN that
// parses the page it serves would run.
//
// A directive counts when its name is one SSI defines and it is written
// the way a server parses it: the name after "<!--#" (whitespace allowed
// around it) followed by one of that directive's own attributes and '=',
// or, for directives that take none, by the comment's end. Plain HTML
// comments, conditional comments and "<!-- #region -->" markers pass. A
// Detector is immutable and safe for concurrent use.
package ssi

import (
	"strings"

	"rampart/internal/waf/detect"
)

// class is the attack class of SSI and ESI injection.
const class = detect.SSI

// Rules.
const (
	ruleExec      = "ssi.exec"      // <!--#exec cmd= / cgi=
	ruleDirective = "ssi.directive" // include, echo, config, printenv, set, fsize, flastmod, if
	ruleESI       = "ssi.esi"       // <esi:include ...>
)

// directive is an SSI element and the attributes it takes; an empty list
// means it takes none and must be followed by the comment's end.
type directive struct {
	name  string
	attrs []string
	rule  string
}

var directives = [...]directive{
	{"exec", []string{"cmd", "cgi"}, ruleExec},
	{"include", []string{"virtual", "file", "onerror"}, ruleDirective},
	{"echo", []string{"var", "encoding", "decoding"}, ruleDirective},
	{"config", []string{"errmsg", "sizefmt", "timefmt", "echomsg", "sizefmt"}, ruleDirective},
	{"printenv", nil, ruleDirective},
	{"set", []string{"var", "value", "encoding", "decoding"}, ruleDirective},
	{"fsize", []string{"file", "virtual"}, ruleDirective},
	{"flastmod", []string{"file", "virtual"}, ruleDirective},
	{"if", []string{"expr"}, ruleDirective},
	{"elif", []string{"expr"}, ruleDirective},
	{"else", nil, ruleDirective},
	{"endif", nil, ruleDirective},
	{"block", []string{"name"}, ruleDirective},
}

// esiTags are Edge Side Include elements that fetch, evaluate or reveal.
var esiTags = [...]string{"include", "inline", "eval", "vars", "debug", "choose", "try", "assign", "function"}

// Detector finds server-side include injection. Create it with New.
type Detector struct{}

var _ detect.Detector = (*Detector)(nil)

// New returns a server-side include detector.
func New() *Detector { return &Detector{} }

// Class returns the SSI class ("ssi").
func (d *Detector) Class() detect.Class { return class }

// Detect reports the strongest SSI or ESI directive in in.Value.
func (d *Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if len(v) > detect.MaxValue {
		v = v[:detect.MaxValue]
	}
	best := detect.Match{}
	for i := 0; i < len(v); {
		k := strings.IndexByte(v[i:], '<')
		if k < 0 {
			break
		}
		at := i + k
		i = at + 1
		score, paranoia, rule, end := 0, 0, "", 0
		switch {
		case strings.HasPrefix(v[at:], "<!--"):
			score, paranoia, rule, end = comment(v, at)
		case len(v)-at > 5 && strings.EqualFold(v[at+1:at+5], "esi:"):
			score, paranoia, rule, end = esi(v, at)
		}
		if score > best.Score || score == best.Score && score > 0 && paranoia < best.Paranoia {
			best = detect.Match{Class: class, Rule: rule, Score: score, Paranoia: paranoia, Off: at, Len: end - at}
		}
	}
	if best.Score > 0 {
		dst = append(dst, best)
	}
	return dst
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// skipSpace returns the first index at or after i that is not whitespace,
// looking at most 64 bytes ahead.
func skipSpace(v string, i int) int {
	for j := i; j < len(v) && j-i < 64; j++ {
		if !isSpace(v[j]) {
			return j
		}
	}
	return min(len(v), i+64)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// word returns the run of letters at i.
func word(v string, i int) string {
	j := i
	for j < len(v) && j-i < 16 && isLetter(v[j]) {
		j++
	}
	return v[i:j]
}

// comment judges the HTML comment at v[at:] ("<!--").
func comment(v string, at int) (score, paranoia int, rule string, end int) {
	j := skipSpace(v, at+4)
	if j >= len(v) || v[j] != '#' {
		return 0, 0, "", 0
	}
	j = skipSpace(v, j+1)
	name := word(v, j)
	for _, d := range directives {
		if !strings.EqualFold(name, d.name) {
			continue
		}
		j = skipSpace(v, j+len(name))
		end = min(len(v), j+32)
		if len(d.attrs) == 0 || d.name == "printenv" {
			if strings.HasPrefix(v[j:], "-->") || strings.HasPrefix(v[j:], "--") {
				return 5, 1, d.rule, j + 2
			}
			return 3, 2, d.rule, end
		}
		a := word(v, j)
		for _, attr := range d.attrs {
			if strings.EqualFold(a, attr) {
				if k := skipSpace(v, j+len(a)); k < len(v) && v[k] == '=' {
					return 5, 1, d.rule, end
				}
			}
		}
		return 3, 2, d.rule, end
	}
	return 0, 0, "", 0
}

// esi judges the element at v[at:] ("<esi:").
func esi(v string, at int) (score, paranoia int, rule string, end int) {
	name := word(v, at+5)
	for _, t := range esiTags {
		if strings.EqualFold(name, t) {
			next := at + 5 + len(name)
			if next >= len(v) || isSpace(v[next]) || v[next] == '>' || v[next] == '/' {
				return 5, 1, ruleESI, next
			}
		}
	}
	return 0, 0, "", 0
}
