package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
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

	conns    chan net.Conn
	done     chan struct{}
	once     sync.Once
	pending  sync.WaitGroup
	inFlight atomic.Int64 // handshakes under way
}

// maxPendingHandshakes bounds TLS handshakes under way at once. Each holds a
// goroutine and a file descriptor for up to the handshake timeout; past this
// number new connections are closed at once.
const maxPendingHandshakes = 1024

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
			if errors.Is(err, net.ErrClosed) {
				l.close()
				return
			}
			// EMFILE, ENFILE, ENOBUFS...: back off and keep serving, as
			// net/http does; one bad moment must not stop the listener.
			l.log.Warn("accept failed; retrying", "err", err)
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if l.inFlight.Add(1) > maxPendingHandshakes {
			// Too many handshakes under way (slow or idle clients):
			// refuse rather than hold a goroutine and a descriptor each.
			l.inFlight.Add(-1)
			_ = c.Close()
			continue
		}
		l.pending.Add(1)
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(c net.Conn) {
	defer l.pending.Done()
	defer l.inFlight.Add(-1)
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
