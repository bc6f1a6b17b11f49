package wire

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"testing/iotest"

	"rampart/internal/request"
)

// msg is a request on the wire and the facts a clean parse reports for it.
type msg struct {
	raw   string
	facts request.WireFacts
}

// head builds a request head with CRLF line ends.
func head(line string, fields ...string) msg {
	var b strings.Builder
	b.WriteString(line + "\r\n")
	hdr := 0
	for _, f := range fields {
		b.WriteString(f + "\r\n")
		hdr += len(f) + 2
	}
	b.WriteString("\r\n")
	return msg{b.String(), request.WireFacts{
		RequestLineBytes: len(line),
		HeaderBytes:      hdr,
		HeaderCount:      len(fields),
		Known:            true,
	}}
}

// body appends a body (or anything else that follows the head).
func (m msg) body(s string) msg {
	m.raw += s
	return m
}

// readerConn is a net.Conn that reads from r; its other methods are not used.
type readerConn struct {
	net.Conn
	r io.Reader
}

func (c readerConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// splitReader returns its data in pieces of random sizes.
type splitReader struct {
	data []byte
	rng  *rand.Rand
}

func (r *splitReader) Read(b []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(1+r.rng.IntN(len(r.data)), len(b))
	n = copy(b, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// splits are the ways a test feeds its input to a Conn.
var splits = []struct {
	name   string
	reader func(data []byte) io.Reader
}{
	{"one read", func(d []byte) io.Reader { return bytes.NewReader(d) }},
	{"byte reads", func(d []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(d)) }},
	{"random reads", func(d []byte) io.Reader {
		return &splitReader{d, rand.New(rand.NewPCG(uint64(len(d)), 7))}
	}},
}

// readAll reads r to the end through a Conn and returns the Conn and the
// facts it queued.
func readAll(tb testing.TB, r io.Reader, lim Limits) (*Conn, []request.WireFacts) {
	tb.Helper()
	c := NewConn(readerConn{r: r}, lim)
	buf := make([]byte, 4096)
	var got bytes.Buffer
	for {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("Read: %v", err)
		}
	}
	var facts []request.WireFacts
	for c.p.qLen > 0 {
		facts = append(facts, c.NextRequest())
	}
	return c, facts
}

func TestBenign(t *testing.T) {
	const chunkedBody = "4;name=value\r\nWiki\r\n5;a=b;c=\"d e\"\r\npedia\r\n0;last\r\nExpires: soon\r\nX-Checksum: abc\r\n\r\n"
	tests := []struct {
		name string
		msgs []msg
	}{
		{"get", []msg{head("GET / HTTP/1.1", "Host: example.com", "Accept: */*")}},
		{"http/1.0 without headers", []msg{head("GET / HTTP/1.0")}},
		{"post with content-length", []msg{
			head("POST /form HTTP/1.1", "Host: a", "Content-Length: 11").body("hello world"),
		}},
		{"get with body", []msg{head("GET / HTTP/1.1", "Host: a", "Content-Length: 3").body("abc")}},
		{"content-length with ows", []msg{head("POST / HTTP/1.1", "Host: a", "Content-Length: \t 3 \t").body("abc")}},
		{"content-length zero", []msg{head("POST / HTTP/1.1", "Host: a", "Content-Length: 0")}},
		{"content-length leading zeros", []msg{head("POST / HTTP/1.1", "Host: a", "Content-Length: 0003").body("abc")}},
		{"chunked with extensions and trailers", []msg{
			head("POST /upload HTTP/1.1", "Host: a", "Transfer-Encoding: chunked").body(chunkedBody),
		}},
		{"chunked upper case with ows", []msg{
			head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: \tCHUNKED \t").body("A\r\n0123456789\r\n0\r\n\r\n"),
		}},
		{"chunked hex sizes", []msg{
			head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked").
				body("a\r\n0123456789\r\nB\r\n0123456789a\r\n00\r\n\r\n"),
		}},
		{"lookalike framing names", []msg{
			head("POST / HTTP/1.1", "Host: a", "Content-Lengthx: 5", "X-Content-Length: 5",
				"Content-Lengt: 5", "Transfer-Encodings: chunked", "Transfer_Encoding: chunked", "TE: trailers"),
		}},
		{"empty value and obs-text", []msg{
			head("GET /caf\xc3\xa9 HTTP/1.1", "Host: a", "X-Empty:", "X-Name: caf\xc3\xa9", "X-Tab: a\tb"),
		}},
		{"asterisk and authority forms", []msg{
			head("OPTIONS * HTTP/1.1", "Host: a"),
			head("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"),
		}},
		{"pipelined keep-alive with bodies", []msg{
			head("GET /a HTTP/1.1", "Host: a"),
			head("POST /b HTTP/1.1", "Host: a", "Content-Length: 5").body("12345"),
			head("PUT /c HTTP/1.1", "Host: a", "Transfer-Encoding: chunked").body(chunkedBody),
			head("DELETE /d HTTP/1.1", "Host: a", "Content-Length: 0"),
			head("GET /e HTTP/1.1", "Host: a", "Connection: close"),
		}},
		{"crlf after post body", []msg{
			head("POST / HTTP/1.1", "Host: a", "Content-Length: 1").body("x\r\n"),
			head("POST / HTTP/1.1", "Host: a", "Content-Length: 1").body("x\n\n\r\n"),
			head("GET / HTTP/1.1", "Host: a"),
		}},
		{"body bytes that look like requests", []msg{
			head("POST / HTTP/1.1", "Host: a", "Content-Length: 38").body("GET /x HTTP/1.1\r\nContent-Length: 9\r\n\r\n"),
			head("GET / HTTP/1.1", "Host: a"),
		}},
		{"lf line ends", []msg{
			{"GET / HTTP/1.1\nHost: a\nX: y\n\n", request.WireFacts{RequestLineBytes: 14, HeaderBytes: 13, HeaderCount: 2, Known: true}},
			{"POST / HTTP/1.1\nContent-Length: 2\n\nab", request.WireFacts{RequestLineBytes: 15, HeaderBytes: 18, HeaderCount: 1, Known: true}},
		}},
	}
	for _, tt := range tests {
		var in strings.Builder
		var want []request.WireFacts
		for _, m := range tt.msgs {
			in.WriteString(m.raw)
			want = append(want, m.facts)
		}
		for _, s := range splits {
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				c, got := readAll(t, s.reader([]byte(in.String())), Limits{})
				if !equalFacts(got, want) {
					t.Errorf("facts of %q:\n got %+v\nwant %+v", in.String(), got, want)
				}
				if c.Poisoned() {
					t.Errorf("Poisoned() = true, want false")
				}
				if f := c.NextRequest(); f.Known {
					t.Errorf("NextRequest() on an empty queue = %+v, want unknown facts", f)
				}
			})
		}
	}
}

func equalFacts(a, b []request.WireFacts) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// anomalyTests are smuggling and malformation shapes: the facts of request
// idx carry anomaly want.
var anomalyTests = []struct {
	name string
	in   string
	idx  int
	want string
}{
	// CL.TE and TE.CL.
	{"cl.te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 0, "content-length with transfer-encoding"},
	{"te.cl", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 0, "content-length with transfer-encoding"},
	{"cl.te after a clean request", "GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED", 1, "content-length with transfer-encoding"},

	// TE.TE: obfuscated Transfer-Encoding.
	{"te twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 0, "duplicate transfer-encoding"},
	{"te chunked, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te xchunked", "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te chunk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunk\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te chunked x", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked x\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te quoted", "POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te identity", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te gzip, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te empty", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te vertical tab", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\x0b\r\n\r\n", 0, "invalid header value"},
	{"te space before colon", "POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n", 0, "whitespace before colon"},
	{"te folded", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te too long", "POST / HTTP/1.1\r\nTransfer-Encoding: " + strings.Repeat(" ", 60) + "chunked\r\n\r\n", 0, "unsupported transfer-encoding"},
	{"te on http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, "transfer-encoding on http/1.0"},

	// Content-Length.
	{"cl identical twice", "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 0, "duplicate content-length"},
	{"cl different twice", "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 0, "duplicate content-length"},
	{"cl list", "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc", 0, "duplicate content-length"},
	{"cl plus sign", "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc", 0, "invalid content-length"},
	{"cl minus sign", "POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\nabc", 0, "invalid content-length"},
	{"cl inner space", "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nabc", 0, "invalid content-length"},
	{"cl hex", "POST / HTTP/1.1\r\nContent-Length: 0x3\r\n\r\nabc", 0, "invalid content-length"},
	{"cl empty", "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", 0, "invalid content-length"},
	{"cl overflow", "POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", 0, "invalid content-length"},
	{"cl too long", "POST / HTTP/1.1\r\nContent-Length: " + strings.Repeat("0", 70) + "\r\n\r\n", 0, "invalid content-length"},
	{"cl upper case name twice", "POST / HTTP/1.1\r\nCONTENT-LENGTH: 3\r\ncontent-length: 3\r\n\r\nabc", 0, "duplicate content-length"},
	{"cl space before colon", "POST / HTTP/1.1\r\nContent-Length\t: 3\r\n\r\nabc", 0, "whitespace before colon"},

	// Chunked bodies.
	{"chunk size invalid char", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size 0x", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size leading space", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size trailing space", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size negative", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size empty", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size bare lf", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size 17 digits", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000003\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size overflow", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk size 2^64+3", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk without crlf", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX0\r\n\r\n", 0, "invalid chunking"},
	{"chunk longer than its size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk data bare lf", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk extension nul", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\x00\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"chunk extension too long", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;" + strings.Repeat("a", 5000) + "\r\nabc\r\n0\r\n\r\n", 0, "invalid chunking"},
	{"last chunk bare lf", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", 0, "invalid trailer"},
	{"trailer bare lf", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n", 0, "invalid trailer"},
	{"trailer content-length", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n", 0, "invalid trailer"},
	{"trailer obs-fold", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n z\r\n\r\n", 0, "invalid trailer"},
	{"trailer bare cr", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\rz\r\n\r\n", 0, "invalid trailer"},
	{"trailer cr at line start", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rX: y\r\n\r\n", 0, "invalid trailer"},
	{"trailer space before colon", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX : y\r\n\r\n", 0, "invalid trailer"},
	{"trailer nul", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: \x00\r\n\r\n", 0, "invalid trailer"},
	{"chunk data cr without lf", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n", 0, "invalid chunking"},
	{"trailer too many fields", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n", 0, "trailer section too large"},

	// Header syntax.
	{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 0, "obsolete line folding"},
	{"obs-fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 0, "obsolete line folding"},
	{"first line folded", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 0, "obsolete line folding"},
	{"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 0, "whitespace before colon"},
	{"nul in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 0, "invalid header value"},
	{"del in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", 0, "invalid header value"},
	{"escape in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x1bb\r\n\r\n", 0, "invalid header value"},
	{"cr in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 0, "bare cr"},
	{"cr cr lf", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 0, "bare cr"},
	{"lf in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n", 0, "header line without colon"},
	{"cr at line start", "GET / HTTP/1.1\r\nHost: a\r\n\rX: b\r\n\r\n", 0, "bare cr"},
	{"no colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 0, "header line without colon"},
	{"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n", 0, "invalid header name"},
	{"bad name byte", "GET / HTTP/1.1\r\nHost: a\r\nX(y): a\r\n\r\n", 0, "invalid header name"},
	{"nul in name", "GET / HTTP/1.1\r\nHost: a\r\nX\x00: a\r\n\r\n", 0, "invalid header name"},

	// Request line.
	{"h2c preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, "h2c preface"},
	{"http/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 0, "unsupported http version"},
	{"http/0.9", "GET /\r\n\r\n", 0, "invalid request line"},
	{"lower case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"long version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"bad method byte", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"nul in target", "GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"tab in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"bare cr in request line", "GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", 0, "bare cr"},
	{"leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "invalid request line"},
	{"empty line after get", "GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 1, "invalid request line"},
	{"five crlf after post", "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 1, "invalid request line"},
}

func TestAnomalies(t *testing.T) {
	for _, tt := range anomalyTests {
		for _, s := range splits {
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				c, got := readAll(t, s.reader([]byte(tt.in)), Limits{})
				if len(got) <= tt.idx {
					t.Fatalf("facts of %q: %+v, want an anomaly in request %d", tt.in, got, tt.idx)
				}
				for i, f := range got[:tt.idx] {
					if f.Anomaly != "" {
						t.Errorf("facts[%d].Anomaly = %q, want none before request %d", i, f.Anomaly, tt.idx)
					}
				}
				if f := got[tt.idx]; f.Anomaly != tt.want || !f.Known {
					t.Errorf("facts[%d] of %q = %+v, want Anomaly %q", tt.idx, tt.in, f, tt.want)
				}
				if len(got) > tt.idx+1 {
					t.Errorf("facts = %+v, want none after the anomaly", got)
				}
				if !c.Poisoned() {
					t.Errorf("Poisoned() = false, want true")
				}
				if f := c.NextRequest(); f.Anomaly != "connection poisoned by earlier anomaly" || !f.Known {
					t.Errorf("NextRequest() after the anomaly = %+v, want the poisoned anomaly", f)
				}
			})
		}
	}
}

func TestAnomalyCounts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want request.WireFacts
	}{
		{"anomaly mid-block keeps counting", "GET / HTTP/1.1\r\nHost: a\r\nX : b\r\nY: c\r\n\r\n",
			request.WireFacts{Anomaly: "whitespace before colon", RequestLineBytes: 14, HeaderBytes: 22, HeaderCount: 3, Known: true}},
		{"cl.te counts", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
			request.WireFacts{Anomaly: "content-length with transfer-encoding", RequestLineBytes: 15, HeaderBytes: 47, HeaderCount: 2, Known: true}},
		{"h2c preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
			request.WireFacts{Anomaly: "h2c preface", RequestLineBytes: 14, Known: true}},
		{"block never ends", "GET / HTTP/1.1\r\nHost: a\r\nX: \x00",
			request.WireFacts{Anomaly: "invalid header value", RequestLineBytes: 14, HeaderBytes: 13, HeaderCount: 2, Known: true}},
	}
	for _, tt := range tests {
		for _, s := range splits {
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				_, got := readAll(t, s.reader([]byte(tt.in)), Limits{})
				if len(got) != 1 || got[0] != tt.want {
					t.Errorf("facts of %q = %+v, want [%+v]", tt.in, got, tt.want)
				}
			})
		}
	}
}

func TestLimitsSaturate(t *testing.T) {
	lim := Limits{MaxRequestLine: 10, MaxHeaderBytes: 20, MaxHeaderCount: 2}
	big := head("GET /"+strings.Repeat("a", 100)+" HTTP/1.1", "Host: a", "X-1: "+strings.Repeat("b", 100), "X-2: c", "X-3: d")
	small := head("GET / HTTP/1.1", "Host: a") // 14 bytes of request line: over the limit too
	in := big.raw + small.raw + head("GET / HTTP/1.1").raw
	want := []request.WireFacts{
		{RequestLineBytes: 11, HeaderBytes: 21, HeaderCount: 3, Known: true},
		{RequestLineBytes: 11, HeaderBytes: 9, HeaderCount: 1, Known: true},
		{RequestLineBytes: 11, Known: true},
	}
	for _, s := range splits {
		t.Run(s.name, func(t *testing.T) {
			c, got := readAll(t, s.reader([]byte(in)), lim)
			if !equalFacts(got, want) {
				t.Errorf("facts:\n got %+v\nwant %+v", got, want)
			}
			if c.Poisoned() {
				t.Errorf("Poisoned() = true, want false: limits are not anomalies")
			}
		})
	}
}

func TestTrailerLimits(t *testing.T) {
	lim := Limits{MaxHeaderBytes: 20, MaxHeaderCount: 2}
	const chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
	tests := []struct {
		name, trailer, want string
	}{
		{"within limits", "A: 1234567890123\r\n\r\n", ""},
		{"many bytes", "A: 1\r\nB: 12345678901234\r\n\r\n", "trailer section too large"},
		{"long line", "A: " + strings.Repeat("x", 100) + "\r\n\r\n", "trailer section too large"},
		{"long line without end", "A: " + strings.Repeat("x", 100), "trailer section too large"},
		{"many fields", "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", "trailer section too large"},
	}
	for _, tt := range tests {
		for _, s := range splits {
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				c, got := readAll(t, s.reader([]byte(chunked+tt.trailer)), lim)
				if len(got) != 1 || got[0].Anomaly != tt.want {
					t.Errorf("facts = %+v, want one with Anomaly %q", got, tt.want)
				}
				if c.Poisoned() != (tt.want != "") {
					t.Errorf("Poisoned() = %t, want %t", c.Poisoned(), tt.want != "")
				}
			})
		}
	}
}

func TestBodyAnomalyAfterPop(t *testing.T) {
	c := NewConn(nil, Limits{})
	c.p.feed([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
	if f := c.NextRequest(); f.Anomaly != "" || !f.Known {
		t.Fatalf("NextRequest() after the head = %+v, want clean facts", f)
	}
	c.p.feed([]byte("3\r\nabc\r\n"))
	if c.Poisoned() {
		t.Fatalf("Poisoned() = true after a valid chunk")
	}
	c.p.feed([]byte("zz\r\n\r\nGET / HTTP/1.1\r\n\r\n"))
	if !c.Poisoned() {
		t.Errorf("Poisoned() = false after a bad chunk, want true")
	}
	if f := c.NextRequest(); f.Anomaly != "connection poisoned by earlier anomaly" {
		t.Errorf("NextRequest() after a bad chunk = %+v, want the poisoned anomaly", f)
	}
}

func TestQueueBound(t *testing.T) {
	req := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	t.Run("popped as read", func(t *testing.T) {
		c := NewConn(nil, Limits{})
		for i := range 1000 {
			c.p.feed(req)
			if f := c.NextRequest(); f.Anomaly != "" || !f.Known {
				t.Fatalf("request %d: NextRequest() = %+v, want clean facts", i, f)
			}
		}
	})
	t.Run("overflow", func(t *testing.T) {
		c := NewConn(nil, Limits{})
		c.p.feed(bytes.Repeat(req, maxQueued+1))
		if !c.Poisoned() {
			t.Errorf("Poisoned() = false after %d queued requests, want true", maxQueued+1)
		}
		for i := range maxQueued {
			if f := c.NextRequest(); f.Anomaly != "" || !f.Known {
				t.Fatalf("request %d: NextRequest() = %+v, want clean facts", i, f)
			}
		}
		if f := c.NextRequest(); f.Anomaly != "connection poisoned by earlier anomaly" {
			t.Errorf("request %d: NextRequest() = %+v, want the poisoned anomaly", maxQueued, f)
		}
	})
	t.Run("overflow by a malformed request", func(t *testing.T) {
		c := NewConn(nil, Limits{})
		c.p.feed(bytes.Repeat(req, maxQueued))
		c.p.feed([]byte("GET / HTTP/1.1\r\nHost : a\r\n\r\n"))
		if !c.Poisoned() {
			t.Errorf("Poisoned() = false, want true")
		}
		for range maxQueued {
			c.NextRequest()
		}
		if f := c.NextRequest(); f.Anomaly != "connection poisoned by earlier anomaly" {
			t.Errorf("NextRequest() = %+v, want the poisoned anomaly", f)
		}
	})
}

// typicalGET is a browser's GET, about 400 bytes.
const typicalGET = "GET /products/search?q=running+shoes&page=2 HTTP/1.1\r\n" +
	"Host: shop.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Referer: https://shop.example.com/\r\n" +
	"Cookie: session=abc123def456; theme=dark\r\n" +
	"Connection: keep-alive\r\n" +
	"\r\n"

// repeatConn returns its data on every Read, as a keep-alive client sending
// the same request again and again.
type repeatConn struct {
	net.Conn
	data []byte
}

func (c repeatConn) Read(b []byte) (int, error) { return copy(b, c.data), nil }

func TestSteadyStateAllocs(t *testing.T) {
	c := NewConn(repeatConn{data: []byte(typicalGET)}, Limits{})
	buf := make([]byte, 4096)
	allocs := testing.AllocsPerRun(1000, func() {
		c.Read(buf)
		if f := c.NextRequest(); f.Anomaly != "" || !f.Known {
			t.Fatalf("NextRequest() = %+v, want clean facts", f)
		}
	})
	if allocs != 0 {
		t.Errorf("Read and NextRequest allocate %v times per request, want 0", allocs)
	}
}

func BenchmarkConnRead(b *testing.B) {
	c := NewConn(repeatConn{data: []byte(typicalGET)}, Limits{})
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(typicalGET)))
	b.ReportAllocs()
	for b.Loop() {
		c.Read(buf)
		c.NextRequest()
	}
}
