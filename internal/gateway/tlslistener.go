package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"rampart/internal/wire"
)

// tlsListener terminates TLS itself so the HTTP/1.1 bytes pass through the
// wire checker (net/http cannot show a handler what it silently fixed).
// Connections that negotiate h2 are handed to net/http as already-decrypted
// HTTP/2 (h2Conn); HTTP/2 framing leaves no room for the HTTP/1 smuggling
// shapes, and net/http's HTTP/2 server validates its own framing.
type tlsListener struct {
	inner   net.Listener
	cfg     *tls.Config
	lim     wire.Limits
	timeout time.Duration
	log     *slog.Logger

	conns   chan net.Conn
	done    chan struct{}
	once    sync.Once
	pending sync.WaitGroup
}

// h2Conn is a decrypted TLS connection that negotiated h2. It deliberately
// hides ConnectionState so net/http treats it as prior-knowledge HTTP/2;
// the gateway reads the TLS state through ConnContext instead.
type h2Conn struct {
	net.Conn
	tls *tls.Conn
}

func newTLSListener(inner net.Listener, cfg *tls.Config, lim wire.Limits, timeout time.Duration, log *slog.Logger) *tlsListener {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	l := &tlsListener{inner: inner, cfg: cfg, lim: lim, timeout: timeout, log: log,
		conns: make(chan net.Conn), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

func (l *tlsListener) acceptLoop() {
	var delay time.Duration
	for {
		c, err := l.inner.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			l.close()
			return
		}
		delay = 0
		l.pending.Add(1)
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(c net.Conn) {
	defer l.pending.Done()
	tc := tls.Server(c, l.cfg)
	_ = c.SetDeadline(time.Now().Add(l.timeout))
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		l.log.Debug("tls handshake failed", "client_ip", c.RemoteAddr().String(), "err", err)
		_ = c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	var out net.Conn
	if tc.ConnectionState().NegotiatedProtocol == "h2" {
		out = &h2Conn{Conn: tc, tls: tc}
	} else {
		out = wire.NewConn(tc, l.lim)
	}
	select {
	case l.conns <- out:
	case <-l.done:
		_ = tc.Close()
	}
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *tlsListener) close() {
	l.once.Do(func() { close(l.done) })
}

func (l *tlsListener) Close() error {
	l.close()
	return l.inner.Close()
}

func (l *tlsListener) Addr() net.Addr { return l.inner.Addr() }

// wait lets handshakes under way finish (or ctx end).
func (l *tlsListener) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { l.pending.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
