// Package crlf detects CR/LF injection: line breaks in a value followed by
// what a header block or a mail protocol would read as a new line of its
// own — an HTTP or mail header ("Set-Cookie: a=b", "Bcc: x@y"), an SMTP
// or IMAP command ("RCPT TO:<x@y>", "A001 FETCH 1:*"), an HTTP status or
// request line, or an empty line and markup (response splitting).
//
// Line breaks are CR, LF, NEL, U+2028/U+2029, and the Unicode characters
// whose low byte is CR or LF (U+560D "嘍", U+010A "Ċ", ...), which servers
// that truncate characters to bytes turn into real ones; after those only
// well-known header names count, since such characters are letters in
// Chinese or Czech text.
//
// Context matters. Header, cookie, query, path, argument-name and file-name
// values are single-line by nature, so any header-shaped line after a break
// scores 5. Form, JSON, XML and raw bodies carry multi-line text, so there a
// line must be a known header with a value of the right shape (an address
// for Bcc, "a=b" for Set-Cookie, digits for Content-Length; in JSON, XML and
// bodies a free-form one like Subject scores only 3), or a protocol
// command, and it must be the second line, after a short first one — the shape of
// "name\r\nBcc: x@y" rather than of a pasted e-mail in a message. In JSON,
// XML and raw bodies a value that starts with a line break followed by any
// header line or a status line ("\r\nX-Injected: 1"), or that holds CRLF
// CRLF followed by "HTTP/1.", scores 5 too: prose does not take that shape.
//
// Rules: crlf.header-injection, crlf.mail-injection (mail headers and
// SMTP/IMAP commands), crlf.response-splitting (status and request lines,
// an injected body), crlf.newline (a bare break in a header or cookie,
// paranoia 2).
//
// A Detector is stateless and safe for concurrent use.
package crlf

import (
	"strings"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

// Detector finds CR/LF injection. The zero value is ready to use.
type Detector struct{}

// New returns a Detector.
func New() *Detector { return &Detector{} }

// Class returns detect.CRLF.
func (*Detector) Class() detect.Class { return detect.CRLF }

// Detect reports line breaks in in.Value followed by header or protocol
// lines.
func (*Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if !hasBreakCandidate(v) {
		return dst
	}
	strict, structured := true, false
	switch in.Kind {
	case detect.KindJSON, detect.KindXML, detect.KindBody:
		// Multi-line text is normal here, unless its line breaks
		// were percent-encoded: then the value is a form-encoded
		// payload carried in a JSON string, judged as a query value.
		if !encodedBreak(in.Raw) {
			structured = true
			strict = false
		}
	case detect.KindForm:
		strict = false
	}
	var best [3]detect.Match // header, mail, splitting
	firstBreak, lines, anyBreak := -1, 0, false
	for i := 0; i < len(v); {
		if c := v[i]; c != '\r' && c != '\n' && c < utf8.RuneSelf {
			i++
			continue
		}
		n, unicodeBreak := breakAt(v, i)
		if n == 0 {
			_, size := utf8.DecodeRuneInString(v[i:])
			i += size
			continue
		}
		anyBreak = true
		if firstBreak < 0 {
			firstBreak = i
		}
		lines++
		start := i
		i += n
		// Swallow the rest of a CRLF or CRLFCRLF run, noting blank lines.
		blank := false
		for {
			m, u := breakAt(v, i)
			if m == 0 {
				break
			}
			if v[i] == '\n' && i > 0 && v[i-1] == '\r' {
				// CRLF: one break
			} else {
				blank = true
			}
			unicodeBreak = unicodeBreak || u
			i += m
		}
		end := i
		for end < len(v) && v[end] != '\r' && v[end] != '\n' {
			end++
		}
		line := v[i:end]
		if line == "." {
			lines-- // SMTP's end of data: the next line is still the injected one
			continue
		}
		kind, score := judgeLine(line, blank, unicodeBreak, strict, structured)
		if kind < 0 {
			continue
		}
		if !strict && !shortPrefix(v, firstBreak, lines) {
			score = 3
		}
		m := &best[kind]
		if score > m.Score {
			*m = detect.Match{Class: detect.CRLF, Rule: rules[kind], Score: score, Paranoia: 1, Off: start, Len: end - start}
			if score < 5 && !strict {
				m.Paranoia = 2
			}
		}
	}
	if structured {
		if kind, off, n := leadingInjection(v); kind >= 0 {
			if m := &best[kind]; m.Score < 5 || m.Paranoia > 1 {
				*m = detect.Match{Class: detect.CRLF, Rule: rules[kind], Score: 5, Paranoia: 1, Off: off, Len: n}
			}
		}
	}
	found := false
	for _, m := range best {
		if m.Score > 0 {
			dst = append(dst, m)
			found = true
		}
	}
	if !found && anyBreak && (in.Kind == detect.KindHeader || in.Kind == detect.KindCookie) {
		dst = append(dst, detect.Match{Class: detect.CRLF, Rule: "crlf.newline", Score: 3, Paranoia: 2, Off: firstBreak, Len: 1})
	}
	return dst
}

// encodedBreak reports a percent-encoded CR or LF (%0d, %0a, any case).
func encodedBreak(raw string) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '%' && raw[i+1] == '0' && (raw[i+2]|0x20 == 'a' || raw[i+2]|0x20 == 'd') {
			return true
		}
	}
	return false
}

// Line kinds, indexes into rules.
const (
	lineHeader = iota
	lineMail
	lineSplit
)

var rules = [...]string{"crlf.header-injection", "crlf.mail-injection", "crlf.response-splitting"}

// leadingInjection finds, in a JSON, XML or body value, the shapes prose
// does not take: a value that starts (after blanks) with CR/LF and then a
// header line ("\r\nX-Injected: 1", "\n\tSet-Cookie:a=b") or a status
// line, and CRLF CRLF followed by "HTTP/1." anywhere (response splitting).
// It returns the line kind (-1 if none) and the finding's offset and
// length.
func leadingInjection(v string) (kind, off, n int) {
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	if i < len(v) && (v[i] == '\r' || v[i] == '\n') {
		start := i
		for i < len(v) && (v[i] == '\r' || v[i] == '\n') {
			i++
		}
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		end := i
		for end < len(v) && v[end] != '\r' && v[end] != '\n' {
			end++
		}
		line := v[i:end]
		if name, val, ok := headerLine(line); ok && strings.TrimSpace(val) != "" {
			if k, known := knownHeader(name); known && k.mail {
				return lineMail, start, end - start
			}
			return lineHeader, start, end - start
		}
		if statusLine(line) {
			return lineSplit, start, end - start
		}
	}
	for j := 0; j+11 <= len(v); {
		k := strings.Index(v[j:], "\r\n\r\n")
		if k < 0 {
			break
		}
		start := j + k
		if hasPrefixFold(v[start+4:], "http/1.") {
			end := start + 4
			for end < len(v) && v[end] != '\r' && v[end] != '\n' {
				end++
			}
			return lineSplit, start, end - start
		}
		j = start + 2
	}
	return -1, 0, 0
}

// shortPrefix reports whether a finding in a multi-line body value has the
// shape of an injection: it is the second line, and the first is at most
// 200 bytes and not itself a header line.
func shortPrefix(v string, firstBreak, lines int) bool {
	if firstBreak > 200 || lines > 1 {
		return false
	}
	first := v[:firstBreak]
	_, _, ok := headerLine(strings.TrimLeft(first, " \t"))
	return !ok
}

// hasBreakCandidate is the prefilter: a CR or LF byte, or a multi-byte
// character (which may be a Unicode line break or a CR/LF look-alike).
func hasBreakCandidate(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\r' || c == '\n' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// breakAt returns the length of the line break at v[i] (0 if none) and
// whether it is a Unicode one.
func breakAt(v string, i int) (int, bool) {
	if i >= len(v) {
		return 0, false
	}
	c := v[i]
	if c == '\r' || c == '\n' {
		return 1, false
	}
	if c < utf8.RuneSelf {
		return 0, false
	}
	r, size := utf8.DecodeRuneInString(v[i:])
	if r == 0x85 || r == 0x2028 || r == 0x2029 || r >= 0x100 && (r&0xff == '\r' || r&0xff == '\n') && r != utf8.RuneError {
		return size, true
	}
	return 0, false
}

// judgeLine classifies the line after a break: its kind and score, or -1.
// structured says the value came from JSON, XML or a raw body, where a
// known header whose value may be anything ("Subject: the plan") is as
// likely a line of a message and scores 3.
func judgeLine(line string, blank, unicodeBreak, strict, structured bool) (int, int) {
	if strict && !unicodeBreak {
		line = strings.TrimLeft(line, " \t")
	}
	if name, val, ok := headerLine(line); ok {
		k, known := knownHeader(name)
		switch {
		case known && validValue(k, val):
			score := 5
			if structured && k.shape == 'a' {
				score = 3
			}
			if k.mail {
				return lineMail, score
			}
			return lineHeader, score
		case strict && !unicodeBreak && strings.TrimSpace(val) != "":
			return lineHeader, 5
		}
	}
	if unicodeBreak {
		return -1, 0
	}
	if commandLine(line) {
		return lineMail, 5
	}
	if statusLine(line) || requestLine(line) {
		if strict {
			return lineSplit, 5
		}
		return lineSplit, 3
	}
	if blank && strict && len(line) > 1 && line[0] == '<' && isAlpha(line[1]) {
		return lineSplit, 5 // "\r\n\r\n<html>": an injected response body
	}
	return -1, 0
}

// headerLine splits "Name: value" where Name is an RFC 7230 token that
// starts with a letter.
func headerLine(line string) (name, val string, ok bool) {
	if line == "" || !isAlpha(line[0]) {
		return "", "", false
	}
	for i := 1; i < len(line) && i <= 64; i++ {
		c := line[i]
		switch {
		case isAlpha(c) || c >= '0' && c <= '9' || c == '-' || c == '_':
		case c == ':':
			return line[:i], line[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// header describes a well-known header and the shape of its value.
type header struct {
	name  string
	shape byte // 'c' cookie pair, 'u' URL or path, 'd' digits, 't' media type, '@' address, 'w' word, 'a' anything
	mail  bool
}

// knownHeaders are the response and mail headers an injection sets.
var knownHeaders = [...]header{
	{"set-cookie", 'c', false}, {"cookie", 'c', false}, {"location", 'u', false},
	{"content-location", 'u', false}, {"refresh", 'd', false}, {"content-length", 'd', false},
	{"content-type", 't', false}, {"transfer-encoding", 'w', false}, {"content-disposition", 'a', false},
	{"access-control-allow-origin", 'a', false}, {"access-control-allow-credentials", 'w', false},
	{"content-security-policy", 'a', false}, {"x-xss-protection", 'd', false}, {"link", 'u', false},
	{"host", 'a', false}, {"x-forwarded-for", 'a', false}, {"x-forwarded-host", 'a', false},
	{"bcc", '@', true}, {"cc", '@', true}, {"to", '@', true}, {"from", '@', true},
	{"reply-to", '@', true}, {"sender", '@', true}, {"return-path", '@', true},
	{"subject", 'a', true}, {"mime-version", 'd', true}, {"content-transfer-encoding", 'w', true},
}

// knownHeader looks name up, ignoring case.
func knownHeader(name string) (header, bool) {
	for _, h := range knownHeaders {
		if len(name) == len(h.name) && strings.EqualFold(name, h.name) {
			return h, true
		}
	}
	return header{}, false
}

// validValue reports whether val has the shape h's values have.
func validValue(h header, val string) bool {
	val = strings.TrimSpace(val)
	if val == "" {
		return false
	}
	switch h.shape {
	case 'c':
		return strings.IndexByte(val, '=') > 0
	case 'u':
		return val[0] == '/' || strings.Contains(val, "://") || val[0] == '<'
	case 'd':
		return val[0] >= '0' && val[0] <= '9'
	case 't':
		slash := strings.IndexByte(val, '/')
		return slash > 0 && slash < len(val)-1 && strings.IndexByte(val[:slash], ' ') < 0
	case '@':
		return strings.IndexByte(val, '@') > 0
	case 'w':
		return isAlpha(val[0]) && strings.IndexByte(val, ' ') < 0
	}
	return true
}

// smtpVerbs are SMTP (and POP3) commands that take an argument; smtpAlone
// those that stand alone on their line.
var (
	smtpVerbs = [...]string{"HELO ", "EHLO ", "VRFY ", "EXPN ", "AUTH ", "RETR ", "DELE ", "USER ", "PASS ", "TOP "}
	smtpAlone = [...]string{"DATA", "QUIT", "RSET", "NOOP", "STARTTLS", "TURN", "STAT", "UIDL"}
	imapVerbs = [...]string{
		"CAPABILITY", "LOGIN", "LOGOUT", "AUTHENTICATE", "STARTTLS", "SELECT", "EXAMINE",
		"CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS",
		"APPEND", "CHECK", "CLOSE", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE",
		"UID", "NOOP", "IDLE", "NAMESPACE",
	}
)

// commandLine reports SMTP, POP3 and IMAP command lines. Bare verbs must be in
// upper case, as written by attacks (and not by people: "Quit" in a
// message is prose); IMAP commands need a tag of letters and digits
// ("A001 FETCH 1 BODY[]").
func commandLine(line string) bool {
	line = strings.TrimRight(line, " \t")
	if len(line) < 4 {
		return false
	}
	if hasPrefixFold(line, "rcpt to:") || hasPrefixFold(line, "mail from:") {
		return true
	}
	for _, v := range smtpAlone {
		if line == v {
			return true
		}
	}
	for _, v := range smtpVerbs {
		if strings.HasPrefix(line, v) && len(line) > len(v) && line[len(v)] != ' ' {
			return true
		}
	}
	sp := strings.IndexByte(line, ' ')
	if sp < 2 || sp > 10 {
		return false
	}
	letter, digit := false, false
	for i := 0; i < sp; i++ {
		c := line[i]
		switch {
		case isAlpha(c):
			letter = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			return false
		}
	}
	if !letter || !digit {
		return false
	}
	rest := line[sp+1:]
	for _, v := range imapVerbs {
		if strings.HasPrefix(rest, v) && (len(rest) == len(v) || rest[len(v)] == ' ') {
			return true
		}
	}
	return false
}

// statusLine reports "HTTP/1.1 200 ...".
func statusLine(line string) bool {
	if !hasPrefixFold(line, "http/") || len(line) < 12 {
		return false
	}
	// HTTP/d.d ddd
	l := line[5:]
	return isDigit(l[0]) && l[1] == '.' && isDigit(l[2]) && l[3] == ' ' && isDigit(l[4]) && isDigit(l[5]) && isDigit(l[6])
}

// requestLine reports "GET /path HTTP/1.1".
func requestLine(line string) bool {
	sp := strings.IndexByte(line, ' ')
	if sp < 3 || sp > 7 {
		return false
	}
	switch line[:sp] {
	case "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE":
	default:
		return false
	}
	rest := line[sp+1:]
	sp = strings.IndexByte(rest, ' ')
	return sp > 0 && hasPrefixFold(rest[sp+1:], "http/")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isAlpha(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
func isDigit(b byte) bool { return b >= '0' && b <= '9' }
