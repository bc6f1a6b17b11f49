package traversal

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Rules.
const (
	ruleDotSegment = "path-traversal.dot-segment"    // ../ in a request path
	ruleClimb      = "path-traversal.climb"          // ../../../ or a climb above an absolute root
	ruleEncoded    = "path-traversal.encoded"        // ..%2f, %c0%ae, ....//, ..;/
	ruleSensitive  = "path-traversal.sensitive-file" // /etc/passwd, win.ini, WEB-INF/web.xml
	ruleNull       = "path-traversal.null-byte"      // file.php\x00.jpg
	ruleFileURL    = "path-traversal.file-url"       // file:///...
	ruleWrapper    = "rfi.stream-wrapper"            // php://filter, expect://, zip://
	ruleRemote     = "rfi.remote-include"            // http://203.0.113.9/shell.txt?
)

// Detector finds path traversal, local and remote file inclusion. Create
// it with New.
type Detector struct{}

var _ detect.Detector = (*Detector)(nil)

// New returns a path traversal and file inclusion detector.
func New() *Detector { return &Detector{} }

// Class returns detect.Traversal; the detector also emits detect.RFI
// matches.
func (d *Detector) Class() detect.Class { return detect.Traversal }

// finding is the strongest match of one class in a value.
type finding struct {
	score, paranoia int
	rule            string
	off, end        int
}

func (f *finding) offer(score, paranoia int, rule string, off, end int) {
	if score == 0 {
		return
	}
	if score > f.score || score == f.score && paranoia < f.paranoia {
		*f = finding{score: score, paranoia: paranoia, rule: rule, off: off, end: end}
	}
}

func (f *finding) append(dst []detect.Match, class detect.Class) []detect.Match {
	if f.score == 0 {
		return dst
	}
	return append(dst, detect.Match{Class: class, Rule: f.rule, Score: f.score, Paranoia: f.paranoia, Off: f.off, Len: f.end - f.off})
}

// Detect reports traversal and file inclusion in in.Value: at most one
// detect.Traversal and one detect.RFI match.
func (d *Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if len(v) > detect.MaxValue {
		v = v[:detect.MaxValue]
	}
	if !worth(v) && in.Kind != detect.KindFilename {
		return dst
	}
	if in.Kind == detect.KindBody && in.Name != "" {
		// An uploaded file's content is named by its form field
		// ("file"), which says nothing about what the URLs inside it
		// are for.
		cp := *in
		cp.Name = ""
		in = &cp
	}
	var lfi, rfi finding
	if strings.Contains(v, "://") || strings.Contains(v, "data:") || strings.Contains(v, "DATA:") {
		wrappers(v, in.Name, &rfi)
	}
	sc := scan{in: in, v: v, best: &lfi, rfi: &rfi}
	sc.tokens()
	dst = lfi.append(dst, detect.Traversal)
	return rfi.append(dst, detect.RFI)
}

// worth reports whether v has any byte a path attack needs.
func worth(v string) bool {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '/' || c == '\\' || c == ':' || c == '%' || c == 0 || c >= 0xc0:
			return true
		case c == '.' && i+1 < len(v) && v[i+1] == '.':
			return true
		case c == '0' && i+1 < len(v) && v[i+1]|0x20 == 'x':
			return true
		}
	}
	return false
}

// isSep reports whether c separates path tokens in a value.
func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '\v', '"', '\'', '`', '<', '>', '|', '(', ')', '=', '&', ',', '[', ']':
		return true
	}
	return false
}

// scan walks the tokens of one value.
type scan struct {
	in    *detect.Input
	v     string
	best  *finding // detect.Traversal
	rfi   *finding // detect.RFI
	prose int8     // isProse(v): 0 unknown, 1 no, 2 yes
	p     norm
}

func (s *scan) isProse() bool {
	if s.prose == 0 {
		s.prose = 1
		if isProse(s.v) {
			s.prose = 2
		}
	}
	return s.prose == 2
}

func (s *scan) tokens() {
	v := s.v
	for i := 0; i < len(v); {
		for i < len(v) && isSep(v[i]) {
			i++
		}
		j := i
		for j < len(v) && !isSep(v[j]) {
			j++
		}
		if j > i && (interesting(v[i:j]) || s.in.Kind == detect.KindFilename) {
			tok := v[i:j]
			if len(tok) > tokenMax {
				s.token(tok[:tokenMax], i)
				tok = tok[len(tok)-tokenMax:]
				s.token(tok, j-len(tok))
			} else {
				s.token(tok, i)
			}
		}
		i = j
	}
}

// isProse reports whether v reads as text: three or more words of two or
// more letters separated by spaces.
func isProse(v string) bool {
	words, run := 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 {
			run++
			continue
		}
		if c == ' ' && run >= 2 {
			words++
		}
		run = 0
	}
	if run >= 2 {
		words++
	}
	return words >= 3
}

// formKind reports the kinds whose values arrive form-encoded.
func formKind(k detect.Kind) bool {
	switch k {
	case detect.KindQuery, detect.KindForm, detect.KindArgName, detect.KindCookie:
		return true
	}
	return false
}

// interesting reports whether a token can be a path worth normalising.
func interesting(t string) bool {
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '/' || c == '\\' || c == '%' || c == 0 || c >= 0xc0:
			return true
		case c == '.' && i+1 < len(t) && t[i+1] == '.':
			return true
		case c == '0' && i+1 < len(t) && t[i+1]|0x20 == 'x':
			return true
		}
	}
	return false
}

// token analyses one path token found at off in the value.
func (s *scan) token(tok string, off int) {
	p := &s.p
	p.form = s.in.Value == s.in.Raw && formKind(s.in.Kind)
	p.normalize(tok)
	a := analyse(p.buf[:p.n], p.nul)
	end := off + len(tok)
	kind := s.in.Kind
	link := linkContext(s.v, off)

	if kind == detect.KindPath {
		if a.ups > 0 {
			s.best.offer(5, 1, ruleDotSegment, off, end)
		}
		if a.sens != sensNone && a.sens != sensName || a.sens == sensName && a.dotfile {
			s.best.offer(5, 1, ruleSensitive, off, end)
		}
		return
	}

	if kind == detect.KindFilename && a.ups > 0 {
		s.best.offer(5, 1, ruleClimb, off, end) // browsers send base names only
	}
	if a.unc && a.host.hi > 0 {
		s.uncInclude(a, off, end)
	}
	// How the path was written.
	if a.ups > 0 && (p.evasion || a.odd) {
		s.best.offer(5, 1, ruleEncoded, off, end)
	}
	// Where it goes.
	pathish := a.abs || a.ups > 0 || a.file || a.unc
	switch {
	case a.sens == sensNone:
	case a.ups == 0 && !p.evasion && !a.file && s.isProse():
		s.best.offer(3, 2, ruleSensitive, off, end) // "my /etc/hosts entry was wrong"
	case pathish && !(link && a.sens == sensName && a.ups == 0):
		s.best.offer(5, 1, ruleSensitive, off, end)
	case a.sens == sensDir:
		s.best.offer(5, 1, ruleSensitive, off, end)
	case kind == detect.KindFilename && a.sens == sensName:
		s.best.offer(5, 1, ruleSensitive, off, end)
	default:
		s.best.offer(3, 2, ruleSensitive, off, end)
	}
	// How far it climbs.
	switch {
	case a.url && a.escapes >= 1 && !link:
		s.best.offer(5, 1, ruleClimb, off, end) // https://host/../../x
	case a.ups >= 1 && (a.abs || a.unc || a.file) && !link && !a.url:
		// An absolute path that climbs (/static/../../x, /a/../b): no
		// application writes one; it is a traversal or a probe for one.
		s.best.offer(5, 1, ruleClimb, off, end)
	case a.escapes >= 3 && !link && kind != detect.KindBody && kind != detect.KindXML:
		s.best.offer(5, 1, ruleClimb, off, end)
	case a.ups > 0:
		s.best.offer(3, 2, ruleClimb, off, end)
	}
	if a.file && !link {
		s.best.offer(3, 2, ruleFileURL, off, end)
	}
	// A NUL cutting off what the application appends.
	if a.nulFile {
		s.best.offer(5, 1, ruleNull, off, end)
	}
}

// uncInclude judges a UNC path (\\host\share\file) as a remote include:
// Windows opens it over SMB, which runs a script from another machine and
// leaks the server's NTLM credentials.
func (s *scan) uncInclude(a analysis, off, end int) {
	b := s.p.buf[:s.p.n]
	ext := b[a.ext.lo:a.ext.hi]
	script, code := false, false
	for _, e := range scriptExts {
		if lowerEq(ext, e) {
			script = true
		}
	}
	for _, e := range [...]string{".php", ".phtml", ".inc", ".jsp", ".asp", ".aspx", ".pl", ".cgi"} {
		if lowerEq(ext, e) {
			code = true
		}
	}
	ip := rawIP(b[a.host.lo:a.host.hi])
	switch {
	case includeName(s.in.Name) || ip && script || code:
		s.rfi.offer(5, 1, ruleRemote, off, end)
	case ip:
		s.rfi.offer(3, 2, ruleRemote, off, end)
	}
}

// linkContext reports whether the token at off is the target of an HTML
// or Markdown link (href=, src=, url(, ]() or of a source import (import
// x from '...', require('...'), #include "..."), where relative paths are
// normal.
func linkContext(v string, off int) bool {
	i := off
	for i > 0 && off-i < 2 && (v[i-1] == '"' || v[i-1] == '\'') {
		i--
	}
	before := v[max(0, i-8):i]
	for _, p := range [...]string{"href=", "src=", "url(", "](", "action=", "srcset=", "poster=", "import ", "from ", "require(", "import(", "include "} {
		if len(before) >= len(p) && strings.EqualFold(before[len(before)-len(p):], p) {
			return true
		}
	}
	return false
}

// Kinds of sensitive match.
const (
	sensNone = iota
	sensName // a sensitive file name alone (.htaccess, win.ini)
	sensDir  // a sensitive path with its directory (etc/passwd, WEB-INF/web.xml, .git/config)
)

// analysis is what a cleaned path does.
type analysis struct {
	ups     int  // segments that go up
	escapes int  // ups above the start of the path
	odd     bool // an up written oddly: "....", "..;", ".. "
	abs     bool // absolute: /x, C:\x
	unc     bool // \\host\share
	host    seg  // of a UNC path, in the normalised buffer
	ext     seg  // extension of the last segment, with its dot
	file    bool // file: URL
	url     bool // another scheme://host/path URL
	segs    int  // segments of the cleaned path
	sens    int
	dotfile bool // the sensitive match is a dot file or WEB-INF
	nulFile bool // a NUL after a file-like name
}

// seg is one segment of a cleaned path, as offsets into the buffer.
type seg struct{ lo, hi int }

// analyse cleans the normalised path b. nul is the offset of its first NUL
// byte, or -1.
func analyse(b []byte, nul int) analysis {
	var a analysis
	if nul >= 0 {
		a.nulFile = fileLike(b[:nul])
		b = b[:nul]
	}
	i := 0
	// file: URLs
	if len(b) >= 5 && lowerEq(b[:5], "file:") {
		a.file, a.abs = true, true
		i = 5
		if i+1 < len(b) && b[i] == '/' && b[i+1] == '/' {
			i += 2
			if k := indexByte(b[i:], '/'); k >= 0 && (k == 0 || lowerEq(b[i:i+k], "localhost")) {
				i += k
			} else if k < 0 || k > 0 && !isDrive(b[i:]) {
				i = len(b) // file://host/...: not a local file
			}
		}
	}
	// Other URLs: the path after the host climbs from the web root.
	if !a.file {
		if k := schemeLen(b); k > 0 {
			a.url = true
			i = k + 3
			for i < len(b) && b[i] != '/' && b[i] != '?' && b[i] != '#' {
				i++
			}
			if i < len(b) && b[i] != '/' {
				i = len(b)
			}
		}
	}
	// UNC \\host\share
	if !a.file && !a.url && len(b) >= 3 && b[0] == '/' && b[1] == '/' && b[2] != '/' && b[2] != '.' {
		a.unc, a.abs = true, true
		i = 2
		if k := indexByte(b[2:], '/'); k > 0 {
			a.host = seg{2, 2 + k}
		}
	}
	for i < len(b) && b[i] == '/' {
		a.abs = true
		i++
	}
	if isDrive(b[i:]) {
		a.abs = true
		i += 2
	}
	var stack [segMax]seg
	n, deep := 0, 0
	for i < len(b) {
		for i < len(b) && b[i] == '/' {
			i++
		}
		j := i
		for j < len(b) && b[j] != '/' && b[j] != '?' && b[j] != '#' {
			j++
		}
		s := b[i:j]
		last := j >= len(b) || b[j] != '/'
		switch {
		case len(s) == 0 || len(s) == 1 && s[0] == '.':
		case isUp(s, last):
			a.ups++
			if len(s) != 2 {
				a.odd = true
			}
			switch {
			case deep > 0:
				deep--
			case n > 0:
				n--
			default:
				a.escapes++
			}
		default:
			if n < segMax {
				stack[n] = seg{i, j}
				n++
			} else {
				deep++
			}
		}
		if j < len(b) && b[j] != '/' {
			break // ? or #: the path ends
		}
		i = j
	}
	a.segs = n
	if n > 0 {
		last := b[stack[n-1].lo:stack[n-1].hi]
		if k := lastIndexByte(last, '.'); k >= 0 && len(last)-k <= 6 {
			a.ext = seg{stack[n-1].lo + k, stack[n-1].hi}
		}
	}
	if deep == 0 {
		a.sens, a.dotfile = sensitive(b, stack[:n], a.unc)
	}
	return a
}

// isUp reports whether a segment climbs a directory: "..", and the forms
// file systems and filters turn into it — a run of dots before another
// segment ("....//" after a filter strips "../"), "..;" (Tomcat path
// parameters), ".. " and "..." (Windows trims trailing dots and spaces).
func isUp(s []byte, last bool) bool {
	if len(s) < 2 || s[0] != '.' || s[1] != '.' {
		return false
	}
	k := 2
	for k < len(s) && s[k] == '.' {
		k++
	}
	if k > 2 && !last && k == len(s) {
		return true
	}
	if k > 2 {
		return false
	}
	if k == len(s) || s[k] == ';' {
		return true
	}
	for ; k < len(s); k++ {
		if s[k] != ' ' && s[k] != '.' {
			return false
		}
	}
	return true
}

// schemeLen returns the length of a URL scheme followed by "://" at the
// start of b, or 0.
func schemeLen(b []byte) int {
	k := 0
	for k < len(b) && k < 20 && (isAlnum(b[k]) || b[k] == '+' || b[k] == '-' || b[k] == '.') {
		k++
	}
	if k > 0 && k+2 < len(b) && b[k] == ':' && b[k+1] == '/' && b[k+2] == '/' {
		return k
	}
	return 0
}

func isDrive(b []byte) bool {
	return len(b) >= 2 && (b[0]|0x20 >= 'a' && b[0]|0x20 <= 'z') && b[1] == ':' && (len(b) == 2 || b[2] == '/')
}

// fileLike reports whether the text before a NUL ends like a file name
// (name.ext) or a path.
func fileLike(b []byte) bool {
	k := len(b)
	for k > 0 && k > len(b)-6 && isAlnum(b[k-1]) {
		k--
	}
	if k < len(b) && k > 1 && b[k-1] == '.' && isAlnum(b[k-2]) {
		return true
	}
	return indexByte(b, '/') >= 0 && len(b) > 1 && b[len(b)-1] != '/'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// lowerEq reports whether b equals the lower-case s, ignoring ASCII case.
func lowerEq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
