package access

import (
	"math"
	"strings"
)

// Set is a compiled Config. It is never modified after Compile returns it
// and is safe for concurrent use.
type Set struct {
	rules   []rule
	def     Decision
	any     *node            // rules without hosts; nil when there are none
	exact   map[string]*node // by lower-case name
	wild    map[string]*node // by suffix with its leading dot: ".example.com"
	wildMax int              // the longest key in wild
}

// rule is what Match returns for a Rule, and what it needs to check a
// method outside knownMethods.
type rule struct {
	d       Decision
	methods uint16   // as in entry
	other   []string // upper-case methods outside knownMethods
}

// entry is a rule on a node, with the methods it allows at hand: a bit per
// known method, otherMethod when it lists any other, anyMethod when it
// lists none.
type entry struct {
	rule    int32
	methods uint16
}

const (
	otherMethod uint16 = 1 << 15
	anyMethod   uint16 = 1<<16 - 1
)

// node is a step in a path trie: the root stands for the path "/" and
// each edge for one segment, literal or *. A rule sits on the node where
// its pattern's segments end, or for a pattern with ** in the middle, on
// the node before the first **.
type node struct {
	lit   map[string]*node
	star  *node
	here  []entry // rules that match every path reaching this node
	exact []entry // rules that match a path ending at this node
	deep  []deep  // rules whose ** and what follows remain to be matched
	min   int     // the lowest rule index at or below this node
}

// deep is a rule whose pattern goes on from a node with **, and then at
// least one segment that is not **.
type deep struct {
	entry
	rest []seg // starts with **
	// how matches rest: a glob in general, but "**/a/b" is the suffix
	// "/a/b" of the path, and "**/a/b/**" holds "/a/b" as a run of
	// segments: the patterns of deny lists, such as "/**/.git/**", that
	// every request meets.
	how restKind
	lit string // "/a/b", for restSuffix and restInfix
}

type restKind uint8

const (
	restGlob restKind = iota
	restSuffix
	restInfix
)

// Len returns the number of rules in s.
func (s *Set) Len() int { return len(s.rules) }

// Default returns the Decision for requests that no rule matches.
func (s *Set) Default() Decision { return s.def }

// Match returns the index of the first rule that matches the request, and
// its Decision; or -1 and the default Decision when none does. host is the
// Host header (a port and one trailing dot are ignored), path the cleaned
// path without the query, method the request method.
func (s *Set) Match(host, path, method string) (rule int, d Decision) {
	best := len(s.rules)
	bit := methodBit(method)
	if s.any != nil {
		best = s.search(s.any, path, bit, method, best)
	}
	if len(s.exact) > 0 || len(s.wild) > 0 {
		h := trimHost(host)
		var buf [256]byte
		var b []byte
		if len(h) <= len(buf) {
			b = buf[:len(h)]
		} else {
			b = make([]byte, len(h))
		}
		for i := 0; i < len(h); i++ {
			b[i] = lower(h[i])
		}
		if n := s.exact[string(b)]; n != nil {
			best = s.search(n, path, bit, method, best)
		}
		if len(s.wild) > 0 {
			// A suffix starts at a dot after the first byte, so that
			// "*.example.com" needs a non-empty label before ".example.com".
			for i := max(1, len(b)-s.wildMax); i < len(b); i++ {
				if b[i] != '.' {
					continue
				}
				if n := s.wild[string(b[i:])]; n != nil {
					best = s.search(n, path, bit, method, best)
				}
			}
		}
	}
	if best == len(s.rules) {
		return -1, s.def
	}
	return best, s.rules[best].d
}

// trimHost removes a port, the brackets of an IPv6 literal, and one
// trailing dot.
func trimHost(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return h
	}
	// More than one colon: an IPv6 literal without brackets, so no port.
	if i := strings.IndexByte(h, ':'); i >= 0 && strings.IndexByte(h[i+1:], ':') < 0 {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// search returns the lowest index below best of the rules under root that
// match path and method, or best.
func (s *Set) search(root *node, path string, bit uint16, method string, best int) int {
	if root.min >= best {
		return best
	}
	if path == "" || path[0] != '/' {
		// Only rules for every path match "*" (OPTIONS *), and they sit
		// on the root's here list.
		return s.first(root.here, bit, method, best)
	}
	return s.walk(root, path, 1, bit, method, best)
}

// walk searches n for the path whose segments from index i on remain to be
// matched; i is len(path)+1 when none remain.
func (s *Set) walk(n *node, path string, i int, bit uint16, method string, best int) int {
	if n.min >= best {
		return best
	}
	best = s.first(n.here, bit, method, best)
	if i > len(path) {
		return s.first(n.exact, bit, method, best)
	}
	for k := range n.deep {
		d := &n.deep[k]
		if int(d.rule) >= best {
			break
		}
		if s.allows(d.entry, bit, method) && d.match(path, i) {
			best = int(d.rule)
			break
		}
	}
	sg, next := segment(path, i)
	if c := n.lit[sg]; c != nil {
		best = s.walk(c, path, next, bit, method, best)
	}
	if n.star != nil && sg != "" {
		best = s.walk(n.star, path, next, bit, method, best)
	}
	return best
}

// first returns the first rule of es below best that allows the method,
// or best.
func (s *Set) first(es []entry, bit uint16, method string, best int) int {
	for _, e := range es {
		if int(e.rule) >= best {
			break
		}
		if s.allows(e, bit, method) {
			return int(e.rule)
		}
	}
	return best
}

// allows reports whether e's rule allows the method whose bit is bit.
func (s *Set) allows(e entry, bit uint16, method string) bool {
	return e.methods&bit != 0 && (bit != otherMethod || e.methods == anyMethod || s.allowsOther(e.rule, method))
}

func (s *Set) allowsOther(r int32, method string) bool {
	for _, o := range s.rules[r].other {
		if foldEqual(o, method) {
			return true
		}
	}
	return false
}

// match reports whether the segments of path from index i on (as in walk)
// match d.rest.
func (d *deep) match(path string, i int) bool {
	switch d.how {
	case restSuffix:
		return len(path)-len(d.lit) >= i-1 && strings.HasSuffix(path, d.lit)
	case restInfix:
		// Every slash from i-1 on starts a segment; the run must end
		// where one does.
		for from := i - 1; ; {
			k := strings.Index(path[from:], d.lit)
			if k < 0 {
				return false
			}
			if end := from + k + len(d.lit); end == len(path) || path[end] == '/' {
				return true
			}
			from += k + 1
		}
	}
	return matchRest(d.rest, path, i)
}

// segment returns the segment of path that starts at i, and where the next
// one starts: len(path)+1 after the last.
func segment(path string, i int) (string, int) {
	if j := strings.IndexByte(path[i:], '/'); j >= 0 {
		return path[i : i+j], i + j + 1
	}
	return path[i:], len(path) + 1
}

// matchRest reports whether the segments of path from index i on (as in
// walk) match pat. It is the usual wildcard matcher, over segments rather
// than bytes: on a mismatch, the latest ** takes one more segment and the
// match resumes after it.
func matchRest(pat []seg, path string, i int) bool {
	k, starK, starI := 0, -1, 0
	for {
		if k < len(pat) {
			p := pat[k]
			if p.kind == segAny {
				starK, starI = k, i
				k++
				continue
			}
			if i <= len(path) {
				sg, next := segment(path, i)
				if (p.kind == segOne && sg != "") || (p.kind == segLit && sg == p.lit) {
					k, i = k+1, next
					continue
				}
			}
		} else if i > len(path) {
			return true
		}
		if starK < 0 || starI > len(path) {
			return false
		}
		_, starI = segment(path, starI)
		k, i = starK+1, starI
	}
}

// insert puts e on the node where pattern p ends.
func (n *node) insert(p pattern, e entry) {
	for k, sg := range p.segs {
		switch sg.kind {
		case segAny:
			if k == len(p.segs)-1 {
				n.here = appendEntry(n.here, e) // ".../*/**": whatever follows
			} else {
				n.deep = append(n.deep, newDeep(e, p.segs[k:]))
			}
			return
		case segOne:
			if n.star == nil {
				n.star = &node{}
			}
			n = n.star
		default:
			c := n.lit[sg.lit]
			if c == nil {
				if n.lit == nil {
					n.lit = map[string]*node{}
				}
				c = &node{}
				n.lit[sg.lit] = c
			}
			n = c
		}
	}
	if p.prefix {
		n.here = appendEntry(n.here, e)
	} else {
		n.exact = appendEntry(n.exact, e)
	}
}

// appendEntry adds e to es unless it is there already; rules arrive in
// order, so es stays sorted.
func appendEntry(es []entry, e entry) []entry {
	if len(es) > 0 && es[len(es)-1].rule == e.rule {
		return es
	}
	return append(es, e)
}

// newDeep chooses how to match rest, which starts with ** and has a
// segment other than ** after it.
func newDeep(e entry, rest []seg) deep {
	d := deep{entry: e, rest: rest}
	last := len(rest) - 1
	lits := rest[1:]
	if rest[last].kind == segAny {
		lits = rest[1:last]
	}
	var b strings.Builder
	for _, sg := range lits {
		if sg.kind != segLit {
			return d
		}
		b.WriteString("/" + sg.lit)
	}
	d.lit = b.String()
	if rest[last].kind == segAny {
		d.how = restInfix
	} else {
		d.how = restSuffix
	}
	return d
}

// finish sets n.min, and that of every node below n, and returns it.
func (n *node) finish() int {
	m := math.MaxInt
	for _, es := range [][]entry{n.here, n.exact} {
		if len(es) > 0 {
			m = min(m, int(es[0].rule))
		}
	}
	if len(n.deep) > 0 {
		m = min(m, int(n.deep[0].rule))
	}
	for _, c := range n.lit {
		m = min(m, c.finish())
	}
	if n.star != nil {
		m = min(m, n.star.finish())
	}
	n.min = m
	return m
}

// knownMethods have a bit each in entry.methods.
var knownMethods = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// methodBit returns the bit of a known method, in any ASCII case, or
// otherMethod.
func methodBit(m string) uint16 {
	for i, k := range knownMethods {
		if m == k {
			return 1 << i
		}
	}
	for i, k := range knownMethods {
		if foldEqual(m, k) {
			return 1 << i
		}
	}
	return otherMethod
}

// foldEqual reports whether a and b are equal under ASCII case folding;
// unlike strings.EqualFold, it does not take the Kelvin sign for a K.
func foldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
