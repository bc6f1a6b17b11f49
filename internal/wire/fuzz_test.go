package wire

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"
)

// FuzzParser checks that the parser does not panic, reaches the same state
// however the input is split across Reads, keeps its queue bounded, and
// agrees with net/http on where requests begin: every request net/http reads
// has facts, and clean facts have the request line and head length net/http
// saw.
func FuzzParser(f *testing.F) {
	for _, tt := range anomalyTests {
		f.Add([]byte(tt.in), uint64(1))
	}
	f.Add([]byte(typicalGET+typicalGET), uint64(2))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nWiki\r\n0\r\nX: y\r\n\r\n"+
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		if len(data) > 64<<10 {
			return
		}
		checkSplits(t, data, seed)
	})
}

// checkSplits feeds data to parsers in one piece, byte by byte and in random
// pieces, and checks that they agree with each other and with net/http.
func checkSplits(t *testing.T, data []byte, seed uint64) {
	t.Helper()
	lim := Limits{MaxRequestLine: 1 << 20, MaxHeaderBytes: 1 << 20, MaxHeaderCount: 1 << 20}

	var whole, bytewise, random parser
	whole.init(lim)
	bytewise.init(lim)
	random.init(lim)
	whole.feed(data)
	for i := range data {
		bytewise.feed(data[i : i+1])
	}
	rng := rand.New(rand.NewPCG(seed, uint64(len(data))))
	for rest := data; len(rest) > 0; {
		k := 1 + rng.IntN(len(rest))
		random.feed(rest[:k])
		rest = rest[k:]
	}
	if bytewise != whole {
		t.Fatalf("fed byte by byte, the parser state differs from one Read:\n%s\n%s", describe(&bytewise), describe(&whole))
	}
	if random != whole {
		t.Fatalf("fed in random pieces, the parser state differs from one Read:\n%s\n%s", describe(&random), describe(&whole))
	}
	if whole.qLen > maxQueued {
		t.Fatalf("queue holds %d facts, more than %d", whole.qLen, maxQueued)
	}
	compareWithNetHTTP(t, data, &whole)
}

// compareWithNetHTTP reads data with net/http as its server would, popping
// the parser's facts for each request read.
func compareWithNetHTTP(t *testing.T, data []byte, p *parser) {
	src := bytes.NewReader(data)
	br := bufio.NewReader(src)
	consumed := func() int { return len(data) - src.Len() - br.Buffered() }
	lastPost := false
	for k := 0; ; k++ {
		if lastPost {
			peek, _ := br.Peek(4)
			br.Discard(numLeadingCRorLF(peek))
		}
		start := consumed()
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		f := p.pop()
		if !f.Known {
			t.Fatalf("net/http read request %d (%s %q %s), the parser has no facts for it", k, req.Method, req.RequestURI, req.Proto)
		}
		if f.Anomaly != "" {
			return
		}
		if want := len(req.Method) + len(req.RequestURI) + len(req.Proto) + 2; f.RequestLineBytes != want {
			t.Fatalf("request %d: RequestLineBytes = %d, net/http read %d (%s %q %s): the facts are misaligned",
				k, f.RequestLineBytes, want, req.Method, req.RequestURI, req.Proto)
		}
		// net/http's head is the request line, its line end, the header
		// block and the empty line: two to four bytes more than the facts.
		if ends := consumed() - start - f.RequestLineBytes - f.HeaderBytes; ends < 2 || ends > 4 {
			t.Fatalf("request %d: the head net/http read is %d bytes, the facts count %d + %d and line ends",
				k, consumed()-start, f.RequestLineBytes, f.HeaderBytes)
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return
		}
		lastPost = req.Method == "POST"
	}
}

// describe shows a parser's state without the empty queue slots.
func describe(p *parser) string {
	s := fmt.Sprintf("state %d poisoned %t skip %d\n  message %+v\n  queue", p.state, p.poisoned, p.skipCRLF, p.m)
	for i := range p.qLen {
		s += fmt.Sprintf(" %+v", p.q[(p.qHead+i)%maxQueued])
	}
	return s
}

// numLeadingCRorLF is net/http's: after a POST it skips up to four CR or LF
// bytes before the next request.
func numLeadingCRorLF(v []byte) (n int) {
	for _, b := range v {
		if b == '\r' || b == '\n' {
			n++
			continue
		}
		break
	}
	return
}

// TestGeneratedStreams runs the checks of FuzzParser on request streams
// built from HTTP pieces and then lightly damaged, which reach the framing
// corners sooner than random bytes do.
func TestGeneratedStreams(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		data := generateStream(rng)
		seed := rng.Uint64()
		checkSplits(t, data, seed)
		if t.Failed() {
			t.Fatalf("stream %d: %q", i, data)
		}
	}
}

func generateStream(rng *rand.Rand) []byte {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	eol := func() string {
		if rng.IntN(20) == 0 {
			return pick("\n", "\r", "\r\r\n", " \r\n")
		}
		return "\r\n"
	}
	var b bytes.Buffer
	for range 1 + rng.IntN(4) {
		b.WriteString(pick("GET", "POST", "PUT", "PRI", "OPTIONS", "CONNECT") + " " +
			pick("/", "*", "/a?b=c", "http://x/y", "x:443") + " " +
			pick("HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x") + eol())
		for range rng.IntN(5) {
			b.WriteString(pick("Host", "Content-Length", "Transfer-Encoding", "content-length",
				"TRANSFER-ENCODING", "X", "Trailer", "Connection", " X", "X ") + ":" +
				pick(" 5", " 0", " 3 ", " chunked", "chunked", " chunked, chunked", " 3, 3", "", "a\tb", " close") + eol())
		}
		b.WriteString(eol())
		for range rng.IntN(4) {
			b.WriteString(pick("3\r\nabc\r\n", "0\r\n\r\n", "0\r\nX: y\r\n\r\n", "a;x=y\r\n0123456789\r\n",
				"abcde", "\r\n", "12345", "0\r\n"))
		}
	}
	data := b.Bytes()
	for range rng.IntN(3) {
		if len(data) == 0 {
			break
		}
		k := rng.IntN(len(data))
		c := " \t\r\n:,;0\x00"[rng.IntN(9)]
		data = append(data[:k], append([]byte{c}, data[k:]...)...)
	}
	return data
}
