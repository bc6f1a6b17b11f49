package xss

import (
	"strings"

	libinjection "github.com/corazawaf/libinjection-go"

	"rampart/internal/waf/detect"
)

// Detector finds cross-site scripting. The zero value is ready to use;
// New returns one.
type Detector struct{}

var _ detect.Detector = (*Detector)(nil)

// New returns an XSS detector.
func New() *Detector { return &Detector{} }

// Class returns detect.XSS.
func (*Detector) Class() detect.Class { return detect.XSS }

// ruleID indexes rules.
type ruleID uint8

// Rules, strongest first within each group.
const (
	ruleScriptTag     ruleID = iota // <script ...>
	ruleDangerousTag                // markup that loads or navigates: iframe, object, embed, base, link, meta refresh, form action
	ruleEventHandler                // on*= handler, in a tag or breaking out of an attribute
	ruleJSURL                       // javascript:, vbscript: URL with code
	ruleDataURL                     // data: URL of an active type (HTML, SVG, script)
	ruleSrcdoc                      // srcdoc attribute
	ruleDangerousAttr               // formaction, IE data binding as HTML
	ruleTemplate                    // {{...}} / ${...} expression reaching the Function constructor or a sink
	ruleJSBreakout                  // quote, operator, then a dangerous call or assignment
	ruleJSSink                      // a dangerous call or assignment written as code
	ruleCSSExpression               // expression(), behavior/binding url()
	ruleHTMLInjection               // markup where none belongs (query, path, header, cookie)
	ruleLibinjection                // libinjection's HTML5 check
	ruleSuspiciousTag               // svg, math, style, document and raw-text closing tags
	ruleHTMLTag                     // paranoia 2: an HTML element with attributes
	ruleHTMLMarkup                  // paranoia 3: any HTML element
	numRules
)

// rule is the reported identity of a ruleID.
type rule struct {
	name     string
	score    int
	paranoia int
}

// rules is indexed by ruleID. A 5 blocks alone at paranoia 1; the weak
// signals (3) only matter together with another detector's finding.
var rules = [numRules]rule{
	ruleScriptTag:     {"xss.script-tag", 5, 1},
	ruleDangerousTag:  {"xss.dangerous-tag", 5, 1},
	ruleEventHandler:  {"xss.event-handler", 5, 1},
	ruleJSURL:         {"xss.js-url", 5, 1},
	ruleDataURL:       {"xss.data-url", 5, 1},
	ruleSrcdoc:        {"xss.srcdoc", 5, 1},
	ruleDangerousAttr: {"xss.dangerous-attr", 5, 1},
	ruleTemplate:      {"xss.template-expression", 5, 1},
	ruleJSBreakout:    {"xss.js-breakout", 5, 1},
	ruleJSSink:        {"xss.js-sink", 5, 1},
	ruleCSSExpression: {"xss.css-expression", 5, 1},
	// Query strings, paths, headers and cookies never carry markup with
	// attributes or document structure; forms and JSON bodies may (rich
	// text), and there ruleHTMLTag reports it at paranoia 2.
	ruleHTMLInjection: {"xss.html-injection", 5, 1},
	// libinjection flags any markup it does not know to be harmless
	// (a <b id=x> included), so it does not block alone; it adds up with
	// the weak tag signal and with other detectors.
	ruleLibinjection:  {"xss.libinjection", 3, 1},
	ruleSuspiciousTag: {"xss.suspicious-tag", 3, 1},
	ruleHTMLTag:       {"xss.html-tag", 5, 2},
	ruleHTMLMarkup:    {"xss.html-markup", 5, 3},
}

// strongRules are the rules that decide alone at paranoia 1; once one has
// fired the slower libinjection check is skipped.
const strongRules = 1<<ruleScriptTag | 1<<ruleDangerousTag | 1<<ruleEventHandler |
	1<<ruleJSURL | 1<<ruleDataURL | 1<<ruleSrcdoc | 1<<ruleDangerousAttr | 1<<ruleTemplate |
	1<<ruleJSBreakout | 1<<ruleJSSink | 1<<ruleCSSExpression | 1<<ruleHTMLInjection

// Detect appends the XSS findings in in.Value to dst.
func (d *Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	s := in.Value
	if !mayHold(s) {
		return dst
	}
	sc := newScanner(s, noMarkup(in.Kind))
	sc.text(0, len(s), 0)
	if sc.found&strongRules == 0 && sc.stripped {
		// "o<x>nfocus=alert<x>(1)": a sanitizer that deletes tags would
		// leave an attack behind; judge what it would leave.
		st := newScanner(stripTags(s), sc.noMarkup)
		st.text(0, len(st.s), 0)
		if st.found&strongRules != 0 {
			for r := ruleID(0); r < numRules; r++ {
				if st.found&strongRules&(1<<r) != 0 {
					sc.hit(r, 0, len(s)) // offsets are in the stripped copy
				}
			}
		}
	}
	if sc.found&(strongRules|1<<ruleSuspiciousTag) == 0 && sc.odd && len(s) <= maxLibinjection && libinjection.IsXSS(s) {
		sc.hit(ruleLibinjection, 0, len(s))
	}
	for r := ruleID(0); r < numRules; r++ {
		if sc.found&(1<<r) == 0 {
			continue
		}
		dst = append(dst, detect.Match{
			Class:    detect.XSS,
			Rule:     rules[r].name,
			Score:    rules[r].score,
			Paranoia: rules[r].paranoia,
			Off:      int(sc.off[r]),
			Len:      int(sc.n[r]),
		})
	}
	return dst
}

// mayHold is the prefilter: every rule needs one of < ( ` : = { [ in the
// value. Names, numbers, addresses and most free text have none and cost
// one table lookup per byte.
func mayHold(s string) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&cTrigger != 0 {
			return true
		}
	}
	return false
}

// maxLibinjection bounds the values libinjection sees: it allocates per
// token, and our own rules judge long values.
const maxLibinjection = 4 << 10

// noMarkup reports whether values of kind k never legitimately hold
// markup: everything but form fields, JSON and XML values and raw bodies,
// where rich text and code snippets live.
func noMarkup(k detect.Kind) bool {
	switch k {
	case detect.KindForm, detect.KindJSON, detect.KindXML, detect.KindBody:
		return false
	}
	return true
}

// stripTags returns s without its tags: what a sanitizer that deletes
// tags it does not allow would leave.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '<' {
			if e := strings.IndexByte(s[i:], '>'); e > 0 && tagLike(s[i+1:i+e]) {
				i += e
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// tagLike reports whether t, the text between < and >, is a bare tag:
// an optional slash and a name.
func tagLike(t string) bool {
	t = strings.TrimPrefix(t, "/")
	if t == "" || !isAlpha(t[0]) {
		return false
	}
	for i := 1; i < len(t); i++ {
		if !isAlpha(t[i]) && !isDigit(t[i]) && t[i] != '-' {
			return false
		}
	}
	return true
}

// scanner holds what one Detect call found.
type scanner struct {
	s        string
	noMarkup bool // markup is out of place in this kind of value
	odd      bool // saw markup the tokenizer does not judge: unknown elements with attributes, <!, <?
	stripped bool // saw a bare tag inside a word: "o<x>nclick"
	qb       int  // index of the first "> or '> outside a tag, 0 when none
	qc       [2]quoteCount
	budget   int // look-ahead bytes left; see aheadPerByte
	escapes  int // CSS-escaped values decoded so far
	// Where the next </style, @import and backslash are: see next.
	styleClose, styleImport, styleEscape int
	found                                uint32
	off                                  [numRules]int32
	n                                    [numRules]int32
}

// newScanner returns a scanner for s.
func newScanner(s string, noMarkup bool) scanner {
	return scanner{s: s, noMarkup: noMarkup, budget: aheadPerByte*len(s) + 4*maxAhead}
}

// hit records the first location of rule r.
func (sc *scanner) hit(r ruleID, off, n int) {
	if sc.found&(1<<r) != 0 {
		return
	}
	sc.found |= 1 << r
	sc.off[r] = int32(off) // #nosec G115 -- values are at most detect.MaxValue (64 KiB)
	sc.n[r] = int32(n)     // #nosec G115 -- as above
}

// text scans s[lo:hi] as HTML text. depth counts how many attribute values
// we are inside; values are scanned once more (depth 1) for markup and code
// hidden in them, deeper values only by the tag that holds them.
func (sc *scanner) text(lo, hi, depth int) {
	s := sc.s
	for i := lo; i < hi; i++ {
		c := s[i]
		if class[c]&cScan == 0 {
			continue
		}
		switch c {
		case '>':
			if depth == 0 && sc.qb == 0 && i > lo && (s[i-1] == '"' || s[i-1] == '\'') {
				sc.qb = i // "> outside a tag: an attribute value broken out of
			}
		case '<':
			if end := sc.tag(i, hi, depth); end > i+1 {
				i = end - 1
			}
		case '(', '`':
			sc.call(lo, i, hi, depth)
		case ':':
			sc.colon(lo, i, hi, depth)
		case '=':
			sc.equals(lo, i, hi, depth)
		case '{':
			sc.brace(lo, i, hi)
		case '[':
			sc.index(lo, i, hi, depth)
		}
	}
}
