package sqli

import (
	"strings"
	"sync"

	libinjection "github.com/corazawaf/libinjection-go"

	"rampart/internal/waf/detect"
)

// Detector finds SQL injection in values. Build it with New; it is
// immutable and safe for concurrent use.
type Detector struct {
	pool sync.Pool // *analyzer scratch space
}

var _ detect.Detector = (*Detector)(nil)

// New returns a SQL injection detector.
func New() *Detector {
	return &Detector{pool: sync.Pool{New: func() any { return new(analyzer) }}}
}

// Class returns detect.SQLi.
func (d *Detector) Class() detect.Class { return detect.SQLi }

// rule is one rule the detector reports.
type rule struct {
	id       string
	facts    fact
	score    int
	paranoia int
}

// rules maps facts to reported rules, strongest evidence first.
var rules = [...]rule{
	{"sqli.union", fcUnion, 5, 1},
	{"sqli.stacked", fcStacked, 5, 1},
	{"sqli.tautology", fcTautology | fcTautLit, 5, 1},
	{"sqli.boolean", fcBoolean | fcIdentCmp | fcCmpUse, 5, 1},
	{"sqli.time", fcTime, 5, 1},
	{"sqli.error-func", fcError, 5, 1},
	{"sqli.file", fcFile, 5, 1},
	{"sqli.subquery", fcSubquery, 5, 1},
	{"sqli.schema", fcSchema, 5, 1},
	{"sqli.order-by", fcOrderBy, 5, 1},
	{"sqli.string-build", fcBuild, 5, 1},
	{"sqli.breakout", fcBreakout, 5, 1},
	{"sqli.comment-evasion", fcEvasion, 5, 1},
	{"sqli.statement", fcStatement, 5, 2},
}

// Detect reports SQL injection in in.Value. See the package
// documentation for the rules.
func (d *Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if len(v) > detect.MaxValue {
		v = v[:detect.MaxValue]
	}
	if !suspicious(v) {
		return dst
	}
	a := d.pool.Get().(*analyzer)
	res := a.analyze(v)
	if res.facts == 0 && formEncoded(in.Raw, v) {
		// The value was percent-encoded as a form is, so its '+' were
		// spaces, whatever kind of value carried it (a JSON string, a
		// header, a path).
		r2 := a.analyze(strings.ReplaceAll(v, "+", " "))
		r2.nearMiss = r2.nearMiss || res.nearMiss
		res = r2
	}
	a.reset()
	d.pool.Put(a)
	for _, r := range rules {
		if res.facts&r.facts == 0 {
			continue
		}
		off := res.off
		dst = append(dst, detect.Match{
			Class: detect.SQLi, Rule: r.id, Score: r.score, Paranoia: r.paranoia,
			Off: off, Len: len(v) - off,
		})
	}
	if res.facts == 0 && res.nearMiss {
		// libinjection's fingerprints also match English ("Ballon D'or
		// 2023", "5 is not null"), so where the parser saw no injection
		// its verdict is a notice at paranoia 1 and blocks from
		// paranoia 2, together with the second rule.
		if ok, _ := libinjection.IsSQLi(v); ok {
			dst = append(dst,
				detect.Match{Class: detect.SQLi, Rule: "sqli.libinjection", Score: 2, Paranoia: 1, Len: len(v)},
				detect.Match{Class: detect.SQLi, Rule: "sqli.libinjection-strict", Score: 3, Paranoia: 2, Len: len(v)})
		}
	}
	return dst
}

// formEncoded says whether v, decoded from raw, has '+' that raw's
// percent escapes show to be spaces.
func formEncoded(raw, v string) bool {
	if raw == v || strings.IndexByte(v, '+') < 0 {
		return false
	}
	for i := strings.IndexByte(raw, '%'); i >= 0 && i+2 < len(raw); {
		if isHex(raw[i+1]) && isHex(raw[i+2]) {
			return true
		}
		j := strings.IndexByte(raw[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// result is what the analysis of one value found.
type result struct {
	facts fact
	off   int // where the first context with findings starts
	// nearMiss says some context parsed as SQL for a stretch without
	// proving an injection; only then is libinjection asked.
	nearMiss bool
}

// analyzer holds scratch space for one analysis at a time.
type analyzer struct {
	toks []token
	p    parser
}

// maxScratch bounds the token slice kept between analyses.
const maxScratch = 1024

// reset drops references to the value and oversized scratch space before
// a goes back to the pool.
func (a *analyzer) reset() {
	if cap(a.toks) > maxScratch {
		a.toks = nil
	}
	a.toks = a.toks[:0]
	a.p = parser{}
}

// analyze parses v as injected into each context it could break out of.
func (a *analyzer) analyze(v string) result {
	var res result
	a.contexts(v, 0, &res)
	if strings.Contains(v, "/*") {
		evasion, glued := a.evasion(v)
		if evasion {
			res.facts |= fcEvasion
		}
		if glued {
			// SEL/**/ECT: analyse the value with the comments taken out,
			// as applications that strip comments would pass it on.
			var fres result
			a.contexts(foldComments(v), 0, &fres)
			if fres.facts != 0 {
				res.facts |= fres.facts | fcEvasion
			}
		}
	}
	return res
}

// contexts analyses v in the bare context and after each quote it can
// break out of; off is added to the offsets reported.
func (a *analyzer) contexts(v string, off int, res *result) {
	a.context(v, off, 0, "", res)
	if q := breakout(v, '\''); q >= 0 {
		a.context(v[q+1:], off+q+1, '\'', v[:q], res)
	}
	if q := breakout(v, '"'); q >= 0 {
		a.context(v[q+1:], off+q+1, '"', v[:q], res)
	}
	if q := breakout(v, '`'); q >= 0 {
		// A `quoted` name, as in ORDER BY `column`.
		a.context(v[q+1:], off+q+1, '`', v[:q], res)
	}
}

// context analyses s, the part of a value after offset off, injected
// after quote (0 for a bare context) that closes the string pre.
func (a *analyzer) context(s string, off int, quote byte, pre string, res *result) {
	a.p.init(s, a.toks[:0], quote, pre)
	a.p.run()
	a.toks = a.p.toks
	if a.p.weak != 0 || a.p.reach >= 2 && a.p.sqlish(a.p.reach) {
		res.nearMiss = true
	}
	if f := a.p.strong; f != 0 {
		if res.facts == 0 {
			res.off = off
		}
		res.facts |= f
	}
}

// evasion looks for keywords inside /*! */ comments and words split by
// /**/ comments.
func (a *analyzer) evasion(s string) (evasion, glued bool) {
	a.toks = tokenize(s, a.toks[:0])
	var buf [32]byte
	for i := range a.toks {
		t := &a.toks[i]
		if t.kind != tWord {
			continue
		}
		if t.flags&fVersionStart != 0 && (isReserved(t.kw) || isFuncWord(s[t.off:t.end])) {
			// /*!UNION*/, /*!50000SELECT*/: code only MySQL runs.
			evasion = true
		}
		if t.flags&fGlued == 0 || i == 0 || a.toks[i-1].kind != tWord {
			continue
		}
		// Join the glued run ending here: S/**/EL/**/ECT.
		j := i
		for j > 0 && a.toks[j].flags&fGlued != 0 && a.toks[j-1].kind == tWord {
			j--
		}
		n := 0
		for k := j; k <= i; k++ {
			w := s[a.toks[k].off:a.toks[k].end]
			if n+len(w) > len(buf) {
				n = -1
				break
			}
			n += copy(buf[n:], w)
		}
		if n <= 0 {
			continue
		}
		if w := string(buf[:n]); isReserved(lookupKeyword(w)) || isFuncWord(w) {
			glued = true
			if n >= 4 {
				// UNI/**/ON: a keyword no one splits but to slip it
				// past filters.
				evasion = true
			}
		}
	}
	return evasion, glued
}

// foldComments removes /* */ comments that sit between two word
// characters.
func foldComments(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); {
		if v[i] == '/' && i+1 < len(v) && v[i+1] == '*' && (i+2 >= len(v) || v[i+2] != '!') && i > 0 && isIdentByte(v[i-1]) {
			if end := strings.Index(v[i+2:], "*/"); end >= 0 {
				j := i + 2 + end + 2
				if j < len(v) && isIdentByte(v[j]) {
					i = j
					continue
				}
			}
		}
		b.WriteByte(v[i])
		i++
	}
	return b.String()
}

// breakout returns the index of the quote q that ends a string the value
// is placed in, -1 when there is none. A doubled quote stays inside.
func breakout(v string, q byte) int {
	for i := 0; i < len(v); i++ {
		j := strings.IndexByte(v[i:], q)
		if j < 0 {
			return -1
		}
		i += j
		if i+1 < len(v) && v[i+1] == q {
			i++
			continue
		}
		return i
	}
	return -1
}

// Prefilter byte classes.
const (
	pfTrigger = 1 << iota // a byte SQL injection cannot do without: quotes, parentheses, operators
	pfSpace
	pfLetter
)

var pfClass = func() (t [256]uint8) {
	for _, c := range []byte("'\"`();=<>|&#*!~^\x00") {
		t[c] = pfTrigger
	}
	for c := 0; c < 256; c++ {
		switch {
		case byteClass[c] == cSpace:
			t[c] |= pfSpace
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			t[c] |= pfLetter
		}
	}
	return t
}()

// suspicious is the prefilter: it says whether v may hold SQL injection,
// false for the ordinary values (words, numbers, e-mail addresses, dates)
// that make up most traffic.
func suspicious(v string) bool {
	space := false
	for i := 0; i < len(v); i++ {
		c := pfClass[v[i]]
		if c&pfTrigger != 0 {
			return true
		}
		if c&pfSpace != 0 || v[i] == 0xA0 && (i == 0 || v[i-1] < 0x80) {
			space = true
		}
		if i+1 < len(v) && (v[i] == '-' && v[i+1] == '-' || v[i] == '/' && v[i+1] == '*') {
			return true
		}
	}
	if !space {
		return false
	}
	// Without operators or quotes, SQL needs keywords: 1 UNION SELECT 2,
	// 1 ORDER BY 3, 1 AND 2 LIKE 2.
	for i := 0; i < len(v); {
		if pfClass[v[i]]&pfLetter == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(v) && pfClass[v[j]]&pfLetter != 0 {
			j++
		}
		if n := j - i; n >= 2 && n <= 7 {
			switch lookupKeyword(v[i:j]) {
			case kwUnion, kwOrder, kwGroup, kwLike, kwRlike, kwRegexp, kwBetween, kwIs, kwSounds, kwHaving, kwWhere:
				return true
			}
		}
		i = j
	}
	return false
}

// isFuncWord says whether w names one of SQL's own functions.
func isFuncWord(w string) bool {
	var buf [32]byte
	l, ok := lowerWord(w, &buf)
	return ok && funcClass(l, "") != fnOther
}
