package fastproxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"time"
)

// Buffer sizes of one upstream connection. A request body that fits in the
// write buffer after the request head is sent from the handler's goroutine.
const (
	readBufferSize  = 8 << 10
	writeBufferSize = 8 << 10
)

// aLongTimeAgo is a deadline in the past: setting it makes pending and
// future I/O on a connection fail at once.
var aLongTimeAgo = time.Unix(1, 0)

// errHeadTooLarge is returned when the upstream's response head (status
// line, headers and any 1xx responses before it) exceeds the limit.
var errHeadTooLarge = errors.New("response head too large")

// conn is one upstream connection with its buffers. One request at a time
// uses it; the pool holds it in between.
type conn struct {
	nc  net.Conn
	br  *bufio.Reader // reads through conn.Read
	bw  *bufio.Writer // writes through conn.Write
	tls *tls.ConnectionState

	// abort sets a past deadline so that any I/O in flight fails. It is
	// made once per connection, so that registering it with
	// context.AfterFunc for each request does not allocate a closure.
	abort func()

	idleAt time.Time // when it was last put in the pool
	reused bool      // it carried a request before the current one

	// Per request: bytes read from and written to nc since the request
	// began (the retry rules look at them), and how many bytes the response
	// head may still take.
	nread, nwritten int64
	limit           int64
}

func newConn(nc net.Conn) *conn {
	c := &conn{nc: nc, limit: math.MaxInt64}
	c.br = bufio.NewReaderSize(c, readBufferSize)
	c.bw = bufio.NewWriterSize(c, writeBufferSize)
	c.abort = func() { _ = nc.SetDeadline(aLongTimeAgo) }
	return c
}

// Read reads from the network, counting bytes and enforcing the head limit.
func (c *conn) Read(b []byte) (int, error) {
	if c.limit <= 0 {
		return 0, errHeadTooLarge
	}
	if int64(len(b)) > c.limit {
		b = b[:c.limit]
	}
	n, err := c.nc.Read(b)
	c.nread += int64(n)
	c.limit -= int64(n)
	return n, err
}

// Write writes to the network, counting bytes.
func (c *conn) Write(b []byte) (int, error) {
	n, err := c.nc.Write(b)
	c.nwritten += int64(n)
	return n, err
}

// begin resets the per-request counters.
func (c *conn) begin(headLimit int64) {
	c.nread, c.nwritten, c.limit = 0, 0, headLimit
}

// setReadDeadline sets the read deadline and then, if ctx has ended,
// aborts the connection: the cancellation hook may have run just before and
// its past deadline must not be overwritten.
func (c *conn) setReadDeadline(ctx context.Context, t time.Time) {
	_ = c.nc.SetReadDeadline(t)
	if ctx.Err() != nil {
		c.abort()
	}
}

func (c *conn) close() { _ = c.nc.Close() }

// pool is the free list of idle keep-alive connections: a stack, so the
// most recently used (least likely to have been closed by the upstream)
// connection is taken first and the oldest sit at the bottom, where put
// evicts them once they are past the idle timeout.
//
// The mutex guards only the slice; connections are closed outside it.
type pool struct {
	mu      sync.Mutex
	idle    []*conn // idle[0] is the oldest
	max     int
	timeout time.Duration // <= 0: no limit
	closed  bool          // after Close, put closes instead of keeping
}

func (p *pool) expired(c *conn, now time.Time) bool {
	return p.timeout > 0 && now.Sub(c.idleAt) >= p.timeout
}

// get returns an idle connection, or nil when there is none. Connections
// past the idle timeout are closed on the way.
func (p *pool) get(now time.Time) *conn {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if !p.expired(c, now) {
			return c
		}
		c.close()
	}
}

// put returns c to the pool. When the pool is full, or its oldest
// connection is past the idle timeout, the oldest one is closed.
func (p *pool) put(c *conn, now time.Time) {
	if p.max <= 0 {
		c.close()
		return
	}
	c.idleAt = now
	c.reused = true
	var evict *conn
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.close()
		return
	}
	if n := len(p.idle); n > 0 && (n >= p.max || p.expired(p.idle[0], now)) {
		evict = p.idle[0]
		copy(p.idle, p.idle[1:])
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
	if evict != nil {
		evict.close()
	}
}

// closeIdle closes every idle connection; with final set, connections
// returned later are closed too.
func (p *pool) closeIdle(final bool) {
	p.mu.Lock()
	p.closed = p.closed || final
	idle := p.idle
	p.idle = make([]*conn, 0, max(p.max, 0))
	p.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
}

// dial opens a fresh connection to the upstream; the dial and the TLS
// handshake together take at most the dial timeout.
func (p *Proxy) dial(ctx context.Context) (*conn, error) {
	if p.dialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.dialTimeout)
		defer cancel()
	}
	nc, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	if p.tlsConfig == nil {
		return newConn(nc), nil
	}
	tc := tls.Client(nc, p.tlsConfig)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = nc.Close()
		return nil, fmt.Errorf("TLS handshake with %s: %w", p.addr, err)
	}
	st := tc.ConnectionState()
	if st.NegotiatedProtocol != "" && st.NegotiatedProtocol != "http/1.1" {
		_ = tc.Close()
		return nil, fmt.Errorf("TLS handshake with %s: upstream chose protocol %q, want http/1.1", p.addr, st.NegotiatedProtocol)
	}
	c := newConn(tc)
	c.tls = &st
	return c, nil
}
