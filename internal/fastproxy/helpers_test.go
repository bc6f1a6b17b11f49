package fastproxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// echoed is what the echo upstream saw.
type echoed struct {
	Method, URI, Host, Proto string
	Header                   http.Header
	Body                     string
	TLS                      bool
}

// echoHandler answers with a JSON description of the request it got.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(echoed{
		Method: r.Method, URI: r.RequestURI, Host: r.Host, Proto: r.Proto,
		Header: r.Header, Body: string(body), TLS: r.TLS != nil,
	})
}

// upstream is an httptest server that counts the connections it accepted.
type upstream struct {
	*httptest.Server
	conns atomic.Int32
}

func newUpstream(tb testing.TB, h http.Handler) *upstream {
	tb.Helper()
	u := &upstream{Server: httptest.NewUnstartedServer(h)}
	u.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			u.conns.Add(1)
		}
	}
	u.Start()
	tb.Cleanup(u.Close)
	return u
}

// errs records what the ErrorHandler got and answers 502.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) handler(w http.ResponseWriter, _ *http.Request, err error) {
	e.mu.Lock()
	e.list = append(e.list, err)
	e.mu.Unlock()
	w.WriteHeader(http.StatusBadGateway)
}

func (e *errs) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.list...)
}

// last returns the last error, failing the test when there is none.
func (e *errs) last(tb testing.TB) error {
	tb.Helper()
	l := e.all()
	if len(l) == 0 {
		tb.Fatal("ErrorHandler was not called")
	}
	return l[len(l)-1]
}

// newProxy returns a Proxy to rawURL with cfg, its errors recorded.
func newProxy(tb testing.TB, rawURL string, cfg Config) (*Proxy, *errs) {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Target = u
	e := &errs{}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = e.handler
	}
	p, err := New(cfg)
	if err != nil {
		tb.Fatalf("New(%s) = %v", rawURL, err)
	}
	tb.Cleanup(p.CloseIdleConnections)
	return p, e
}

// serve runs one request through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// decodeEcho decodes the echo upstream's answer.
func decodeEcho(tb testing.TB, w *httptest.ResponseRecorder) echoed {
	tb.Helper()
	if w.Code != http.StatusOK {
		tb.Fatalf("status %d, body %q", w.Code, w.Body.String())
	}
	var e echoed
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		tb.Fatalf("decode echo %q: %v", w.Body.String(), err)
	}
	return e
}

// rawUpstream accepts connections on loopback and hands each to fn in its
// own goroutine. It counts connections; cleanup closes the listener and
// every connection and waits for the goroutines.
type rawUpstream struct {
	ln    net.Listener
	conns atomic.Int32
	wg    sync.WaitGroup
	mu    sync.Mutex
	open  []net.Conn
}

func newRawUpstream(tb testing.TB, fn func(c net.Conn)) *rawUpstream {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	u := &rawUpstream{ln: ln}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u.conns.Add(1)
			u.mu.Lock()
			u.open = append(u.open, c)
			u.mu.Unlock()
			u.wg.Add(1)
			go func() {
				defer u.wg.Done()
				defer c.Close()
				fn(c)
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		u.mu.Lock()
		for _, c := range u.open {
			c.Close()
		}
		u.mu.Unlock()
		u.wg.Wait()
	})
	return u
}

func (u *rawUpstream) URL() string { return "http://" + u.ln.Addr().String() }

// readHead reads one request head (and no body) from br.
func readHead(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		line, err := br.ReadString('\n')
		sb.WriteString(line)
		if err != nil {
			return sb.String(), err
		}
		if line == "\r\n" {
			return sb.String(), nil
		}
	}
}

// cannedUpstream answers every request head it reads with resp; requests
// must have no body. It allocates nothing per request, so that allocation
// counts measure the proxy.
func cannedUpstream(tb testing.TB, resp []byte) *rawUpstream {
	return newRawUpstream(tb, func(c net.Conn) {
		buf := make([]byte, 64<<10)
		filled := 0
		for {
			n, err := c.Read(buf[filled:])
			if err != nil {
				return
			}
			filled += n
			for {
				i := bytes.Index(buf[:filled], []byte("\r\n\r\n"))
				if i < 0 {
					break
				}
				if _, err := c.Write(resp); err != nil {
					return
				}
				filled = copy(buf, buf[i+4:filled])
			}
			if filled == len(buf) {
				return
			}
		}
	})
}

// cannedResponse is a 200 with a body of n bytes and a Content-Length.
func cannedResponse(n int) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\nContent-Length: ")
	b.WriteString(strconv.Itoa(n))
	b.WriteString("\r\n\r\n")
	b.Write(bytes.Repeat([]byte("x"), n))
	return b.Bytes()
}

// isNetOp reports whether err holds a *net.OpError for op.
func isNetOp(err error, op string) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == op
}
