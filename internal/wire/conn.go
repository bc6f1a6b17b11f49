package wire

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"

	"rampart/internal/request"
)

// Default limits, used for a zero field of Limits.
const (
	// DefaultMaxRequestLine is 8 KiB, the request-line limit of nginx and
	// Apache: longer targets are rare and usually hostile.
	DefaultMaxRequestLine = 8 << 10
	// DefaultMaxHeaderBytes is net/http's own limit, http.DefaultMaxHeaderBytes.
	DefaultMaxHeaderBytes = 1 << 20
	// DefaultMaxHeaderCount is Apache's LimitRequestFields.
	DefaultMaxHeaderCount = 100
)

// Limits bound what the parser counts. Exceeding them is not an anomaly:
// RequestLineBytes, HeaderBytes and HeaderCount saturate at the limit plus
// one, so the gateway, comparing them with the same limits, can answer 414 or
// 431. The trailer section of a chunked body, which the gateway does not see,
// is held to MaxHeaderBytes and MaxHeaderCount by the parser itself. A zero
// or negative field takes its default; values above 1 GiB are cut to 1 GiB.
type Limits struct {
	// MaxRequestLine is the longest request line, without CRLF.
	MaxRequestLine int
	// MaxHeaderBytes is the largest header block, without the request line.
	MaxHeaderBytes int
	// MaxHeaderCount is the most header fields in a request.
	MaxHeaderCount int
}

func (l Limits) withDefaults() Limits {
	fix := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return min(v, maxLimit)
	}
	return Limits{
		MaxRequestLine: fix(l.MaxRequestLine, DefaultMaxRequestLine),
		MaxHeaderBytes: fix(l.MaxHeaderBytes, DefaultMaxHeaderBytes),
		MaxHeaderCount: fix(l.MaxHeaderCount, DefaultMaxHeaderCount),
	}
}

// Conn is a net.Conn whose Read follows the HTTP/1.x request framing of the
// bytes it passes through and queues what it saw of each request for
// NextRequest. See the package documentation for what is checked.
type Conn struct {
	nc net.Conn

	mu sync.Mutex // guards p
	p  parser
}

var (
	_ net.Conn                        = (*Conn)(nil)
	_ request.ConnInfo                = (*Conn)(nil)
	_ interface{ CloseWrite() error } = (*Conn)(nil)
)

// NewConn returns c wrapped for inspection under lim. c is a plain TCP
// connection or a *tls.Conn that serves HTTP/1.x.
func NewConn(c net.Conn, lim Limits) *Conn {
	wc := &Conn{nc: c}
	wc.p.init(lim)
	return wc
}

// Read reads from the connection and inspects the bytes read, which it
// returns unchanged.
func (c *Conn) Read(b []byte) (int, error) {
	n, err := c.nc.Read(b)
	if n > 0 {
		c.mu.Lock()
		c.p.feed(b[:n])
		c.mu.Unlock()
	}
	return n, err
}

// NextRequest returns the wire facts of the oldest request not yet taken.
// When none is queued it returns facts with Known false, unless the
// connection is poisoned: then the facts carry the anomaly "connection
// poisoned by earlier anomaly". It implements request.ConnInfo.
func (c *Conn) NextRequest() request.WireFacts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p.pop()
}

// Poisoned reports whether an anomaly has been seen on the connection, in a
// header block or in a body.
func (c *Conn) Poisoned() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p.poisoned
}

// NetConn returns the wrapped connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// TLS returns the TLS state of the wrapped connection, or nil if it is not a
// *tls.Conn. net/http leaves Request.TLS nil for a wrapped connection; the
// gateway takes the state from here.
func (c *Conn) TLS() *tls.ConnectionState {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		return nil
	}
	s := tc.ConnectionState()
	return &s
}

// Write writes to the wrapped connection.
func (c *Conn) Write(b []byte) (int, error) { return c.nc.Write(b) }

// Close closes the wrapped connection.
func (c *Conn) Close() error { return c.nc.Close() }

// CloseWrite shuts down the writing side of the wrapped connection, if it can
// (TCP and TLS connections can); net/http uses it for a graceful close.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// LocalAddr returns the local address of the wrapped connection.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the remote address of the wrapped connection.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the wrapped connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// SetReadDeadline sets the read deadline of the wrapped connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the wrapped connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Listener is a net.Listener whose connections are *Conn.
type Listener struct {
	l   net.Listener
	lim Limits
}

var _ net.Listener = (*Listener)(nil)

// NewListener returns l with each accepted connection wrapped by NewConn
// under lim.
func NewListener(l net.Listener, lim Limits) *Listener {
	return &Listener{l: l, lim: lim}
}

// Accept waits for the next connection and returns it as a *Conn.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.l.Accept()
	if err != nil {
		return nil, err
	}
	return NewConn(c, l.lim), nil
}

// Close closes the wrapped listener.
func (l *Listener) Close() error { return l.l.Close() }

// Addr returns the address of the wrapped listener.
func (l *Listener) Addr() net.Addr { return l.l.Addr() }
