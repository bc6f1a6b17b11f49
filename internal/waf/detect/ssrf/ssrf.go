package ssrf

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Detector finds SSRF targets. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.SSRF.
func (*Detector) Class() detect.Class { return detect.SSRF }

// finding is the strongest match per rule within one value.
type finding struct {
	ms [6]detect.Match
	n  int
}

func (f *finding) add(rule string, score, paranoia, off, n int) {
	for i := 0; i < f.n; i++ {
		m := &f.ms[i]
		if m.Rule == rule {
			if score > m.Score || score == m.Score && paranoia < m.Paranoia {
				m.Score, m.Paranoia, m.Off, m.Len = score, paranoia, off, n
			}
			return
		}
	}
	if f.n < len(f.ms) {
		f.ms[f.n] = detect.Match{Class: detect.SSRF, Rule: rule, Score: score, Paranoia: paranoia, Off: off, Len: n}
		f.n++
	}
}

// Detect reports URLs and hosts in in.Value that reach internal services.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if len(v) < 3 {
		return dst
	}
	c := scanner{v: v, browser: in.Kind == detect.KindHeader && browserHeader(in.Name)}
	c.schemes()
	c.relative()
	if in.Kind != detect.KindArgName {
		c.wholeHost()
	}
	return append(dst, c.f.ms[:c.f.n]...)
}

// browserHeader reports headers that browsers and proxies fill with the
// address the user browsed or connected from.
func browserHeader(name string) bool {
	switch name {
	case "host", "referer", "origin", "forwarded", "via", "x-real-ip", "x-client-ip",
		"true-client-ip", "cf-connecting-ip", "x-originating-ip":
		return true
	}
	return strings.HasPrefix(name, "x-forwarded-") || strings.HasPrefix(name, "x-original-")
}

// scanner walks one value.
type scanner struct {
	v       string
	browser bool
	f       finding
}

// maxURL bounds how much of a URL is looked at.
const maxURL = 2048

// schemes finds every "scheme:" in the value and judges the URL it starts.
func (c *scanner) schemes() {
	v := c.v
	for i := 0; i < len(v); {
		k := strings.IndexByte(v[i:], ':')
		if k < 0 {
			return
		}
		colon := i + k
		i = colon + 1
		j := colon
		for j > 0 && colon-j < 16 && isSchemeChar(v[j-1]) {
			j--
		}
		for j < colon && !isAlpha(v[j]) {
			j++
		}
		if j == colon || j > 0 && isAlnum(v[j-1]) {
			continue
		}
		c.url(j, colon)
	}
}

// url judges the URL whose scheme is v[start:colon].
func (c *scanner) url(start, colon int) {
	v := c.v
	scheme := v[start:colon]
	rest := v[colon+1:]
	if len(rest) > maxURL {
		rest = rest[:maxURL]
	}
	strong := c.startContext(start)
	slashes := 0
	for slashes < len(rest) && (rest[slashes] == '/' || rest[slashes] == '\\') {
		slashes++
	}
	end := colon + 1 + len(rest)
	switch {
	case strings.EqualFold(scheme, "gopher") || strings.EqualFold(scheme, "dict"):
		if slashes >= 2 {
			c.scheme(strong, 5, start, end)
		}
	case strings.EqualFold(scheme, "netdoc"):
		if slashes >= 1 {
			c.scheme(strong, 5, start, end)
		}
	case strings.EqualFold(scheme, "jar"):
		// jar:<url>!/entry — Java fetches the inner URL.
		if n := schemeLen(rest); n > 0 {
			c.scheme(strong, 5, start, end)
		}
		return // the inner URL is judged on its own
	case strings.EqualFold(scheme, "file"):
		if slashes >= 1 {
			c.scheme(strong, 5, start, end)
		}
		if slashes != 2 {
			return // file:/etc/passwd, file:///etc/passwd have no host
		}
	case strings.EqualFold(scheme, "ldap") || strings.EqualFold(scheme, "ldaps"):
		if slashes >= 2 {
			c.scheme(strong, 4, start, end)
		}
	case strings.EqualFold(scheme, "tftp"):
		// TFTP has no use in a web request parameter: 5 where a fetched
		// URL would be, paranoia 2 in text like ldap.
		if slashes >= 2 {
			score := 4
			if strong {
				score = 5
			}
			c.scheme(strong, score, start, end)
		}
	}
	if slashes < 2 && !special(scheme) {
		return
	}
	c.authority(rest[slashes:], start, strong)
}

// special reports schemes whose URLs WHATWG parsers read with any number
// of slashes or backslashes after the colon ("http:\\127.0.0.1").
func special(scheme string) bool {
	for _, s := range [...]string{"http", "https", "ws", "wss", "ftp"} {
		if strings.EqualFold(scheme, s) {
			return true
		}
	}
	return false
}

// scheme records a dangerous-scheme finding.
func (c *scanner) scheme(strong bool, score, off, end int) {
	switch {
	case strong:
		c.f.add("ssrf.scheme", score, 1, off, end-off)
	case score == 5:
		c.f.add("ssrf.scheme", 3, 1, off, end-off)
	default:
		c.f.add("ssrf.scheme", 2, 2, off, end-off)
	}
}

// relative judges a scheme-relative URL ("//127.0.0.1/") or a UNC path
// ("\\10.0.0.1\share") that starts the value.
func (c *scanner) relative() {
	v := c.v
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '"' || v[i] == '\'') {
		i++
	}
	if i+2 < len(v) && (v[i] == '/' || v[i] == '\\') && (v[i+1] == '/' || v[i+1] == '\\') && v[i+2] != '/' && v[i+2] != '\\' {
		rest := v[i+2:]
		if len(rest) > maxURL {
			rest = rest[:maxURL]
		}
		c.authority(rest, i, true)
	}
}

// authority judges the hosts a URL's authority section can be read as.
// Parsers disagree about userinfo, so every '@'-separated piece is a
// candidate ("http://evil@127.0.0.1", "http://127.0.0.1:80@evil.com"), and so
// is the host after an '@' that follows a '#', '?' or '\' before the first
// '/' ("http://evil.com#@127.0.0.1").
func (c *scanner) authority(s string, off int, strong bool) {
	end := len(s)
	for i := 0; i < len(s); i++ {
		if isAuthorityEnd(s[i]) {
			end = i
			break
		}
	}
	auth := s[:end]
	for auth != "" {
		piece := auth
		at := strings.IndexByte(auth, '@')
		if at >= 0 {
			piece, auth = auth[:at], auth[at+1:]
		} else {
			auth = ""
		}
		c.host(piece, off, strong, at >= 0)
	}
	if end < len(s) && (s[end] == '#' || s[end] == '?' || s[end] == '\\') {
		tail := s[end+1:]
		for i := 0; i < len(tail) && i < 256; i++ {
			if tail[i] == '/' || tail[i] <= ' ' {
				break
			}
			if tail[i] == '@' {
				h := tail[i+1:]
				for j := 0; j < len(h); j++ {
					if isAuthorityEnd(h[j]) {
						h = h[:j]
						break
					}
				}
				c.host(h, off, strong, true)
				break
			}
		}
	}
}

// isAuthorityEnd reports bytes that end a URL's authority.
func isAuthorityEnd(b byte) bool {
	switch b {
	case '/', '\\', '?', '#', '"', '\'', '<', '>', '`', ' ', '\t', '\r', '\n', ',', ';', '|', ')', '}':
		return true
	}
	return false
}

// host judges one host[:port] candidate; userinfo says it came from a URL
// with '@' in its authority, where a password may follow a ':'.
func (c *scanner) host(hp string, off int, strong, userinfo bool) {
	h := stripPort(hp, userinfo)
	if h == "" {
		return
	}
	info := classify(h)
	info.literal = ipLiteral(h)
	c.judge(info, off, len(hp), strong, false)
}

// ipLiteral reports a host written as a plain dotted IPv4 address or a
// bracketed IPv6 one.
func ipLiteral(h string) bool {
	if h == "" {
		return false
	}
	if h[0] == '[' {
		return true
	}
	dots := 0
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return dots == 3
}

// stripPort removes ":port" from host (and ":password" from userinfo).
func stripPort(hp string, userinfo bool) string {
	if hp == "" {
		return ""
	}
	if hp[0] == '[' {
		if i := strings.IndexByte(hp, ']'); i > 0 {
			return hp[:i+1]
		}
		return ""
	}
	i := strings.LastIndexByte(hp, ':')
	if i < 0 {
		return hp
	}
	if strings.IndexByte(hp[:i], ':') >= 0 {
		return hp // bare IPv6, which some parsers accept
	}
	if !userinfo && !allDigits(hp[i+1:]) {
		return ""
	}
	return hp[:i]
}

// judge records the finding for a host of the given category. whole says
// the host was the whole value rather than a URL's.
func (c *scanner) judge(h hostInfo, off, n int, strong, whole bool) {
	if c.browser && h.cat != catMetadata {
		if h.cat >= catPrivate {
			c.f.add(rule(h.cat), 2, 2, off, n)
		}
		return
	}
	switch h.cat {
	case catMetadata:
		c.f.add("ssrf.metadata", 5, 1, off, n)
	case catLoopback, catLinkLocal:
		if strong {
			c.f.add(rule(h.cat), 5, 1, off, n)
		} else {
			c.f.add(rule(h.cat), 3, 1, off, n)
		}
	case catPrivate:
		switch {
		case strong && (h.obfuscated || h.literal && !whole):
			// A URL-valued parameter naming a LAN address by number: a
			// request for the server to reach into its own network.
			c.f.add("ssrf.private", 5, 1, off, n)
		case strong && !whole:
			c.f.add("ssrf.private", 3, 1, off, n)
		default:
			c.f.add("ssrf.private", 2, 2, off, n)
		}
	case catPublic:
		if h.obfuscated && strong {
			c.f.add("ssrf.ip-obfuscation", 3, 2, off, n)
		}
	}
}

// rule names a category's rule.
func rule(c category) string {
	switch c {
	case catMetadata:
		return "ssrf.metadata"
	case catLoopback:
		return "ssrf.loopback"
	case catLinkLocal:
		return "ssrf.link-local"
	}
	return "ssrf.private"
}

// wholeHost judges a value that is nothing but host:port, [IPv6] or
// host/path, as given to "connect to" fields. Only plain spellings count
// here — a canonical dotted quad, a bracketed or bare IPv6 address, a DNS
// name — since "12:30" and "10.2" are times and versions, not hosts; a bare
// dotted quad without port or path must be a loopback, link-local or
// metadata address ("10.2.0.1" is as likely a version).
func (c *scanner) wholeHost() {
	v := strings.TrimSpace(c.v)
	if len(v) < 3 || len(v) > maxHost+6 || !(isAlnum(v[0]) || v[0] == '[' || v[0] == ':') {
		return
	}
	end := len(v)
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b <= ' ' || b == '@' || b >= 0x80 {
			return
		}
		if b == '/' && end == len(v) {
			end = i
		}
	}
	hp := v[:end]
	h := stripPort(hp, false)
	if h == "" {
		return
	}
	port, path := len(h) < len(hp), end < len(v)
	switch {
	case h[0] == '[':
	case strings.IndexByte(h, ':') >= 0: // bare IPv6
		if !hasHexDigit(h) {
			return
		}
	case isDigit(h[0]):
		ip, canonical, ok := parseIPv4(h)
		if !ok || !canonical || !port && !path && classifyIPv4(ip) < catLinkLocal {
			return
		}
	default: // a name
		if !port && !path && strings.IndexByte(h, '.') < 0 {
			return // "metadata", "localhost" alone are words too
		}
	}
	if info := classify(h); info.cat != catNone {
		c.judge(info, 0, len(hp), true, true)
	}
}

// startContext reports whether a URL starting at i is where a fetched URL
// would be: the start of the value (after blanks and quotes) or right after
// '=', a quote, '<', '[', ',', ';', '|', '/' or a line break.
func (c *scanner) startContext(i int) bool {
	v := c.v
	j := i
	for j > 0 && (v[j-1] == ' ' || v[j-1] == '\t') {
		j--
	}
	if j == 0 {
		return true
	}
	if j < i && v[j-1] != '\n' && v[j-1] != '\r' && v[j-1] != '=' {
		return false // a blank between words: free text
	}
	switch v[j-1] {
	case '=', '"', '\'', '`', '<', '[', ',', ';', '|', '/', '\n', '\r', ':':
		return true
	}
	return false
}

// schemeLen returns the length of the "scheme:" that starts s, or 0.
func schemeLen(s string) int {
	for i := 0; i < len(s) && i < 17; i++ {
		switch {
		case i > 0 && s[i] == ':':
			return i + 1
		case i == 0 && !isAlpha(s[i]), i > 0 && !isSchemeChar(s[i]):
			return 0
		}
	}
	return 0
}

func isAlpha(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isAlnum(b byte) bool { return isAlpha(b) || isDigit(b) }
func isSchemeChar(b byte) bool {
	return isAlnum(b) || b == '+' || b == '-' || b == '.'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func hasHexDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if digitValue(s[i]) < 16 {
			return true
		}
	}
	return false
}
