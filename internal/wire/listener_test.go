package wire_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"rampart/internal/wire"
)

type connKey struct{}

// serve starts a net/http server on a wire listener whose handler refuses
// requests with anomalous facts, as the gateway does, and returns its address.
func serve(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := r.Context().Value(connKey{}).(*wire.Conn)
			f := c.NextRequest()
			if !f.Known || f.Anomaly != "" {
				w.Header().Set("Connection", "close")
				http.Error(w, "bad request: "+f.Anomaly, http.StatusBadRequest)
				return
			}
			// The facts must be this request's: net/http splits the
			// request line on single spaces.
			if want := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 2; f.RequestLineBytes != want {
				http.Error(w, fmt.Sprintf("facts of another request: %+v", f), http.StatusInternalServerError)
				return
			}
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprintf(w, "line=%d headers=%d count=%d", f.RequestLineBytes, f.HeaderBytes, f.HeaderCount)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		// Without this, net/http answers "OPTIONS *" itself and the
		// handler would take that request's facts for the next one.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     log.New(io.Discard, "", 0),
		ReadHeaderTimeout:            5 * time.Second,
	}
	go srv.Serve(wire.NewListener(ln, wire.Limits{}))
	tb.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// exchange sends raw on a new connection and returns the status of each
// response until the server closes the connection.
func exchange(tb testing.TB, addr, raw string) (statuses []int, bodies []string) {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReader(c)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return statuses, bodies
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		bodies = append(bodies, string(body))
	}
}

func TestServerRefusesSmuggling(t *testing.T) {
	addr := serve(t)
	const (
		get   = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
		last  = "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
		clte  = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED"
		tecl  = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"
		dupCL = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
	)
	tests := []struct {
		name string
		raw  string
		want []int
	}{
		{"pipelined keep-alive", get +
			"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
			"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n0\r\nX-Sum: 1\r\n\r\n" +
			"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi\r\n" + // CRLF after a POST, as old clients send
			last,
			[]int{200, 200, 200, 200, 200}},
		{"cl.te", clte, []int{400}},
		{"te.cl", tecl, []int{400}},
		{"cl.te after a good request", get + clte, []int{200, 400}},
		{"cl.te after options *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n" + clte, []int{200, 400}},
		{"duplicate identical content-length", dupCL, []int{400}},
		{"duplicate content-length after a good request", get + dupCL + last, []int{200, 400}},
		// net/http answers these itself, before the handler.
		{"duplicate different content-length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", []int{400}},
		{"te chunked, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", []int{501}},
		// net/http accepts these; the facts refuse them.
		{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", []int{400}},
		{"te on http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", []int{400}},
		{"h2c preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", []int{400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bodies := exchange(t, addr, tt.raw)
			if !slices.Equal(got, tt.want) {
				t.Errorf("statuses for %q = %v %q, want %v", tt.raw, got, bodies, tt.want)
			}
		})
	}
}

func TestServerFacts(t *testing.T) {
	addr := serve(t)
	raw := "GET /x HTTP/1.1\r\nHost: example\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	_, bodies := exchange(t, addr, raw)
	want := fmt.Sprintf("line=%d headers=%d count=3", len("GET /x HTTP/1.1"),
		len("Host: example\r\nAccept: */*\r\nConnection: close\r\n"))
	if len(bodies) != 1 || bodies[0] != want {
		t.Errorf("facts seen by the handler = %q, want %q", bodies, want)
	}
}

func TestConnWrapper(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	c := wire.NewConn(a, wire.Limits{})
	defer c.Close()
	if c.NetConn() != a {
		t.Errorf("NetConn() is not the wrapped connection")
	}
	if c.TLS() != nil {
		t.Errorf("TLS() = %v on a plain connection, want nil", c.TLS())
	}
	go io.WriteString(b, "GET / HTTP/1.1\r\n\r\n")
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil || !strings.HasPrefix("GET / HTTP/1.1\r\n\r\n", string(buf[:n])) {
		t.Fatalf("Read = %d, %v: %q", n, err, buf[:n])
	}
}
