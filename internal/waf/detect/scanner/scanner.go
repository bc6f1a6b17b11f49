// Package scanner recognises attack tools by their fingerprints: the
// names they put in User-Agent and similar headers (sqlmap, Nikto,
// Nuclei, Nmap's scripting engine, ...), headers only they send
// (Acunetix-Aspect, X-Scan-Memo, ...) and the out-of-band interaction
// domains their blind-injection probes call back to (Burp Collaborator,
// interactsh, ...).
//
// This class is inherently a list — a tool is known by what it says about
// itself — so the list is kept to tools that are only used for attacking
// or auditing, each entry a word that browsers, libraries and crawlers do
// not send. General-purpose clients (curl, wget, python-requests, Go's
// http client) are not on it: they are how legitimate integrations talk.
// A tool that sends a browser's User-Agent is not seen here; the other
// detectors judge what it sends.
//
// Rules, all scoring 5 at paranoia 1:
//
//	scanner.user-agent   a tool's name in User-Agent (or From, Via, X-Scanner, ...)
//	scanner.header       a header name only a scanner sends
//	scanner.oast         an out-of-band testing domain in any value
//
// A Detector is stateless and safe for concurrent use.
package scanner

import (
	"strings"

	"rampart/internal/waf/detect"
)

// Detector recognises attack tools. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.Scanner.
func (*Detector) Class() detect.Class { return detect.Scanner }

// tool is one fingerprint: a lower-case token that must start a word (not
// follow a letter) and, when word is set, also end one (not be followed by
// a letter or digit).
type tool struct {
	token string
	word  bool
}

// tools are the names attack tools announce. Each starts a word (so
// "xnikto" is not Nikto); short or common ones must also end one.
var tools = [...]tool{
	{"acunetix", false}, {"appscan", false}, {"arachni", false}, {"bsqlbf", false},
	{"commix", false}, {"dirbuster", false}, {"dotdotpwn", false}, {"feroxbuster", false},
	{"ffuf", true}, {"fimap", false}, {"fuzz faster u fool", false}, {"gobuster", false},
	{"havij", false}, {"hydra", true}, {"jaeles", false}, {"masscan", false},
	{"morfeus", false}, {"nasl", true}, {"nessus", false}, {"netsparker", false},
	{"nikto", false}, {"nmap", true}, {"nuclei", true}, {"openvas", false},
	{"owasp zap", false}, {"skipfish", false}, {"sqlmap", false}, {"sqlninja", false},
	{"w3af", false}, {"webinspect", false}, {"wfuzz", false}, {"whatweb", false},
	{"wpscan", false}, {"wvs", true}, {"xsstrike", false}, {"zaproxy", false},
	{"zgrab", false}, {"zmeu", false}, {"invicti", false}, {"burpcollaborator", false},
}

// toolsByLetter indexes tools by first letter; built once, never changed.
var toolsByLetter = func() (idx [26][]tool) {
	for _, t := range tools {
		c := t.token[0] - 'a'
		idx[c] = append(idx[c], t)
	}
	return idx
}()

// oastDomains are out-of-band application security testing services:
// probes embed a unique subdomain of one and watch for the callback.
var oastDomains = [...]string{
	"oast.fun", "oast.live", "oast.me", "oast.online", "oast.pro", "oast.site",
	"oastify.com", "interact.sh", "interactsh.com", "burpcollaborator.net",
	"dnslog.cn", "ceye.io", "bxss.me", "xss.ht", "canarytokens.com",
}

// scannerHeaders are header names (or name prefixes, ending in '-') only
// scanners send.
var scannerHeaders = [...]string{"acunetix-", "x-wipp", "x-scan-memo", "x-scanner", "x-request-memo"}

// Detect reports tool names in client-identification headers, scanner
// headers and out-of-band testing domains.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if in.Kind == detect.KindHeader {
		for _, h := range scannerHeaders {
			if strings.HasPrefix(in.Name, h) {
				dst = append(dst, detect.Match{Class: detect.Scanner, Rule: "scanner.header", Score: 5, Paranoia: 1})
				break
			}
		}
		if identifies(in.Name) {
			if off, n := findTool(v); n > 0 {
				dst = append(dst, detect.Match{Class: detect.Scanner, Rule: "scanner.user-agent", Score: 5, Paranoia: 1, Off: off, Len: n})
			}
		}
	}
	if off, n := findOAST(v); n > 0 {
		dst = append(dst, detect.Match{Class: detect.Scanner, Rule: "scanner.oast", Score: 5, Paranoia: 1, Off: off, Len: n})
	}
	return dst
}

// identifies reports headers in which a client names itself. Headers that
// carry URLs or content (Referer, Cookie, ...) are left out: a page about
// Nikto is not Nikto.
func identifies(name string) bool {
	switch name {
	case "user-agent", "from", "via", "x-scanner", "x-forwarded-user-agent", "x-original-user-agent", "x-requested-with":
		return true
	}
	return strings.Contains(name, "agent")
}

// findTool returns where the first tool name in v is. Names start words,
// so it looks at the first letter of each run of letters only.
func findTool(v string) (int, int) {
	for i := 0; i < len(v); {
		if !isLetter(v[i]) {
			i++
			continue
		}
		for _, t := range toolsByLetter[lower(v[i])-'a'] {
			if !hasPrefixFold(v[i:], t.token) {
				continue
			}
			if end := i + len(t.token); t.word && end < len(v) && (isLetter(v[end]) || isDigit(v[end])) {
				continue
			}
			return i, len(t.token)
		}
		for i < len(v) && isLetter(v[i]) {
			i++
		}
	}
	return 0, 0
}

// findOAST returns where the first out-of-band testing domain in v is: a
// subdomain of one, ending at a non-name byte.
func findOAST(v string) (int, int) {
	for i := strings.IndexByte(v, '.'); i >= 0 && i+1 < len(v); {
		rest := v[i+1:]
		candidates := oastDomains[:]
		switch lower(rest[0]) {
		case 'o', 'i', 'b', 'd', 'c', 'x': // first letters of oastDomains
		default:
			candidates = nil
		}
		for _, d := range candidates {
			if !hasPrefixFold(rest, d) {
				continue
			}
			if end := len(d); end < len(rest) && (isLetter(rest[end]) || isDigit(rest[end]) || rest[end] == '-') {
				continue
			}
			start := i
			for start > 0 && (isLetter(v[start-1]) || isDigit(v[start-1]) || v[start-1] == '-' || v[start-1] == '.') {
				start--
			}
			if start == i {
				continue // ".oast.me" alone names no probe
			}
			return start, i + 1 + len(d) - start
		}
		k := strings.IndexByte(rest, '.')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return 0, 0
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// hasPrefixFold reports whether s starts with prefix (lower-case ASCII),
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}
