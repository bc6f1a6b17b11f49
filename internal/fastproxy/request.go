package fastproxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// target is the request-target of the outgoing request line, in pieces so
// that joining the base path and query costs no allocation:
// path1 path2 path3 ["?" query1 ["&"] query2].
type target struct {
	path1, path2, path3 string
	query1, query2      string
}

// prepare fills x.out with the defaults, runs the Rewrite hook and checks
// what it produced: the method, the request-target and the Host header.
func (p *Proxy) prepare(x *exchange) error {
	in, o := x.in, &x.out
	o.Host = p.host
	o.Path, o.RawPath = in.URL.Path, in.URL.RawPath
	o.RawQuery = cleanQueryParams(in.URL.RawQuery)
	if p.rewrite != nil {
		p.rewrite(in, o)
		canonicalKeys(o.Header)
	}

	x.method = in.Method
	if x.method == "" {
		x.method = http.MethodGet
	}
	if !validToken(x.method) {
		return fmt.Errorf("invalid method %q", x.method)
	}

	// Join the target's base path and the outgoing path as httputil's
	// joinURLPath does, on their escaped forms.
	u := url.URL{Path: o.Path, RawPath: o.RawPath}
	a, b := p.basePath, u.EscapedPath()
	aslash, bslash := strings.HasSuffix(a, "/"), strings.HasPrefix(b, "/")
	switch {
	case aslash && bslash:
		x.target = target{path1: a, path3: b[1:]}
	case !aslash && !bslash:
		x.target = target{path1: a, path2: "/", path3: b}
	default:
		x.target = target{path1: a, path3: b}
	}
	x.target.query1, x.target.query2 = p.baseQuery, o.RawQuery
	if !validTarget(b) || !validTarget(o.RawQuery) {
		return fmt.Errorf("invalid request target %q?%q", b, o.RawQuery)
	}

	x.host = o.Host
	if x.host == "" {
		x.host = p.host
	} else if x.host != p.host {
		x.host = removeZone(x.host)
		if !validHost(x.host) {
			return fmt.Errorf("invalid Host header %q", o.Host)
		}
	}
	return nil
}

// writeHead writes the request line and headers of x to bw. It reports
// whether the request asks the upstream to close the connection.
func writeHead(b *bufio.Writer, x *exchange) (closeConn bool) {
	bw := headWriter{b}
	in, hook, t := x.in, x.out.Header, &x.target

	bw.str(x.method)
	bw.byte(' ')
	bw.str(t.path1)
	bw.str(t.path2)
	bw.str(t.path3)
	if t.query1 != "" || t.query2 != "" {
		bw.byte('?')
		bw.str(t.query1)
		if t.query1 != "" && t.query2 != "" {
			bw.byte('&')
		}
		bw.str(t.query2)
	}
	bw.str(" HTTP/1.1\r\nHost: ")
	bw.str(x.host)
	bw.str("\r\n")

	if n := in.ContentLength; n > 0 || n == 0 && methodWantsLength(x.method) {
		// As http.Transport does, POST, PUT and PATCH say
		// Content-Length: 0 when they have no body.
		bw.str("Content-Length: ")
		bw.bytes(strconv.AppendInt(b.AvailableBuffer(), max(n, 0), 10))
		bw.str("\r\n")
	}

	conn := in.Header["Connection"]
	for k, vv := range in.Header {
		if skipRequestHeader(k) || len(conn) > 0 && namedIn(conn, k) {
			continue
		}
		if _, ok := hook[k]; ok {
			continue // the hook's value replaces the client's
		}
		writeHeader(bw, k, vv)
	}
	// As http.Transport does: the first User-Agent only, and none at all
	// when the client sent none or an empty one, rather than Go's default.
	if _, ok := hook["User-Agent"]; !ok {
		if ua := in.Header["User-Agent"]; len(ua) > 0 && ua[0] != "" {
			writeHeader(bw, "User-Agent", ua[:1])
		}
	}
	// As httputil.ReverseProxy does: tell the upstream we accept trailers
	// when the client did.
	if _, ok := hook["Te"]; !ok && valuesContainToken(in.Header["Te"], "trailers") {
		bw.str("Te: trailers\r\n")
	}

	for k, vv := range hook {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			// The framing and Host are the proxy's to write.
			continue
		case "User-Agent":
			if len(vv) == 0 || vv[0] == "" {
				continue
			}
			vv = vv[:1]
		case "Connection":
			if valuesContainToken(vv, "close") {
				closeConn = true
			}
		}
		writeHeader(bw, k, vv)
	}
	bw.str("\r\n")
	return closeConn
}

// writeHeader writes k's values, skipping the ones that are not valid
// HTTP/1.1 field values and all of them if k is not a valid field name:
// nothing a client or hook put in a header can split the request.
func writeHeader(bw headWriter, k string, vv []string) {
	if !validToken(k) {
		return
	}
	for _, v := range vv {
		if !validHeaderValue(v) {
			continue
		}
		bw.str(k)
		bw.str(": ")
		bw.str(v)
		bw.str("\r\n")
	}
}

// headWriter writes a request head into a bufio.Writer. A bufio.Writer's
// error is sticky and returned by Flush, which the caller checks, so the
// individual writes need no error.
type headWriter struct{ w *bufio.Writer }

func (h headWriter) str(s string)   { _, _ = h.w.WriteString(s) }
func (h headWriter) byte(c byte)    { _ = h.w.WriteByte(c) }
func (h headWriter) bytes(b []byte) { _, _ = h.w.Write(b) }

func methodWantsLength(m string) bool {
	return m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch
}

// skipRequestHeader reports whether the client's header k is not
// forwarded as is: hop-by-hop headers, the forwarding headers the hook
// sets when it trusts them, and the ones the proxy writes itself.
func skipRequestHeader(k string) bool {
	switch len(k) {
	case 2:
		return strings.EqualFold(k, "Te")
	case 4:
		return strings.EqualFold(k, "Host")
	case 7:
		return strings.EqualFold(k, "Trailer") || strings.EqualFold(k, "Upgrade")
	case 9:
		return strings.EqualFold(k, "Forwarded")
	case 10:
		return strings.EqualFold(k, "Connection") || strings.EqualFold(k, "Keep-Alive") ||
			strings.EqualFold(k, "User-Agent")
	case 14:
		return strings.EqualFold(k, "Content-Length")
	case 15:
		return strings.EqualFold(k, "X-Forwarded-For")
	case 16:
		return strings.EqualFold(k, "Proxy-Connection") || strings.EqualFold(k, "X-Forwarded-Host")
	case 17:
		return strings.EqualFold(k, "Transfer-Encoding") || strings.EqualFold(k, "X-Forwarded-Proto")
	case 18:
		return strings.EqualFold(k, "Proxy-Authenticate")
	case 19:
		return strings.EqualFold(k, "Proxy-Authorization")
	}
	return false
}

// hopHeaders are removed from responses, as httputil.ReverseProxy does.
var hopHeaders = [...]string{
	"Connection",
	"Proxy-Connection",
	"Keep-Alive",
	"Proxy-Authenticate",
	"Proxy-Authorization",
	"Te",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
}

// removeHopByHop removes hop-by-hop headers and the headers named in
// Connection from h, as httputil.ReverseProxy does.
func removeHopByHop(h http.Header) {
	for _, f := range h["Connection"] {
		for f != "" {
			var name string
			name, f, _ = strings.Cut(f, ",")
			switch name = textproto.TrimString(name); {
			case name == "":
			case strings.EqualFold(name, "close"):
				delete(h, "Close")
			case strings.EqualFold(name, "keep-alive"):
				delete(h, "Keep-Alive")
			default:
				h.Del(name)
			}
		}
	}
	for _, k := range hopHeaders {
		delete(h, k)
	}
}

// namedIn reports whether the Connection header values conn name k.
func namedIn(conn []string, k string) bool {
	for _, v := range conn {
		for v != "" {
			var name string
			name, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(textproto.TrimString(name), k) {
				return true
			}
		}
	}
	return false
}

// valuesContainToken reports whether a comma-separated value in vv is
// token, ignoring case.
func valuesContainToken(vv []string, token string) bool {
	return namedIn(vv, token)
}

// canonicalKeys moves any non-canonical key of h to its canonical form, so
// that a hook header replaces the client's header of the same name.
func canonicalKeys(h http.Header) {
	for k, vv := range h {
		if ck := textproto.CanonicalMIMEHeaderKey(k); ck != k {
			delete(h, k)
			h[ck] = append(h[ck], vv...)
		}
	}
}

// cleanQueryParams drops the query parameters a Go server cannot parse
// (a ';' or a bad escape), as httputil.ReverseProxy does, so that the
// upstream does not read the query differently from the proxy.
func cleanQueryParams(s string) string {
	reencode := func(s string) string {
		v, _ := url.ParseQuery(s)
		return v.Encode()
	}
	// url.ParseQuery's default cap on the number of parameters.
	const maxParams = 10000
	if strings.Count(s, "&")+1 > maxParams {
		return reencode(s)
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case ';':
			return reencode(s)
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return reencode(s)
			}
			i += 3
		default:
			i++
		}
	}
	return s
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// removeZone removes the IPv6 zone from host, as http.Transport does
// before writing it into the Host header.
func removeZone(host string) string {
	if !strings.HasPrefix(host, "[") {
		return host
	}
	i := strings.LastIndex(host, "]")
	if i < 0 {
		return host
	}
	j := strings.LastIndex(host[:i], "%")
	if j < 0 {
		return host
	}
	return host[:j] + host[i:]
}

// validToken reports whether s is a valid HTTP token (a method or a
// header field name), as httpguts.ValidHeaderFieldName does.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte[s[i]] {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v holds no control byte other than
// horizontal tab, as httpguts.ValidHeaderFieldValue does: no CR, LF or NUL.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

// validTarget reports whether s may appear in a request line: no space
// or control byte. Bytes above 0x7f are let through, as http.Transport
// does: clients send raw UTF-8 queries, and they cannot split a request.
func validTarget(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= ' ' || b == 0x7f {
			return false
		}
	}
	return true
}

// validHost reports whether h is a valid Host header, as
// httpguts.ValidHostHeader does.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !isHostByte[h[i]] {
			return false
		}
	}
	return true
}

var isTokenByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

var isHostByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!$%&'()*+,-.:;=[]_~" {
		t[c] = true
	}
	return t
}()

// bodyReadError is a failure to read the client's request body, as
// opposed to a failure to write it upstream. It unwraps to the cause, for
// example an *http.MaxBytesError.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "read request body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// writeBody copies exactly n bytes of body through bw, reading straight
// into bw's free space; it does not flush what is left in bw.
func writeBody(bw *bufio.Writer, body io.Reader, n int64) error {
	for n > 0 {
		if bw.Available() == 0 {
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("write request body: %w", err)
			}
		}
		buf := bw.AvailableBuffer()
		buf = buf[:min(int64(cap(buf)), n)]
		m, err := body.Read(buf)
		if m > 0 {
			_, _ = bw.Write(buf[:m]) // fits: copies into its own free space
			n -= int64(m)
		}
		switch {
		case err == io.EOF && n > 0:
			return &bodyReadError{io.ErrUnexpectedEOF}
		case err == io.EOF:
			return nil
		case err != nil:
			return &bodyReadError{err}
		}
	}
	return nil
}

// errBodyClosed is returned by reads after the response body was closed.
var errBodyClosed = errors.New("read on closed response body")
