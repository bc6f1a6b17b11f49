package fastproxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of Config.
const (
	// DefaultDialTimeout bounds the TCP dial plus TLS handshake, as
	// http.DefaultTransport's dialer does.
	DefaultDialTimeout = 30 * time.Second
	// DefaultIdleConnTimeout is how long an unused keep-alive connection
	// is kept, as in http.DefaultTransport: upstreams commonly close idle
	// connections after a minute or more.
	DefaultIdleConnTimeout = 90 * time.Second
	// DefaultMaxIdleConns is the number of idle connections kept.
	DefaultMaxIdleConns = 256
	// DefaultMaxResponseHeaderBytes bounds a response head (including any
	// 1xx responses before it) so that an upstream cannot make the proxy
	// buffer an endless header.
	DefaultMaxResponseHeaderBytes = 1 << 20
)

// max1xx bounds the informational responses skipped before the final one.
const max1xx = 16

// Config configures a Proxy. Only Target is required.
type Config struct {
	// Target is the upstream: scheme (http or https), host[:port], and an
	// optional base path and query. The outgoing path is the base path
	// joined with the request's path, the query the base query and the
	// request's, as httputil's ProxyRequest.SetURL does.
	Target *url.URL

	// TLSClientConfig configures TLS to an https target. It is cloned and
	// its NextProtos set to "http/1.1"; a ServerName is taken from Target
	// when it has none. Nil means the zero tls.Config (system roots).
	TLSClientConfig *tls.Config

	// DialTimeout bounds the dial plus TLS handshake (zero: 30s, negative:
	// none). ResponseHeaderTimeout bounds the wait for the response head
	// once the request is written (zero: none). IdleConnTimeout is how long
	// an idle connection is kept (zero: 90s, negative: no limit).
	DialTimeout, ResponseHeaderTimeout, IdleConnTimeout time.Duration

	// MaxIdleConns is the number of idle keep-alive connections kept (zero:
	// 256). A negative value disables keep-alive: every request dials.
	MaxIdleConns int

	// MaxResponseHeaderBytes bounds the response head (zero: 1 MiB).
	MaxResponseHeaderBytes int64

	// Rewrite, if set, is called before the request is sent. It may change
	// out's Host, Path, RawPath and RawQuery, and add headers with
	// out.Header. The Path and query it sees are the request's, not yet
	// joined with Target's base path; the Host is Target's (set it to
	// in.Host to preserve the client's).
	//
	// out.Header starts empty and holds only what the hook sets; a key it
	// sets, even to an empty slice, replaces the client's header of that
	// name. The client's Forwarded and X-Forwarded-For/-Host/-Proto
	// headers and hop-by-hop headers are never forwarded: the hook adds
	// the ones it trusts. The hook may set hop-by-hop headers itself, but
	// not Host, Content-Length, Transfer-Encoding or Trailer.
	//
	// Rewrite must not modify in, nor keep out or its Header after it
	// returns: both are reused for other requests.
	Rewrite func(in *http.Request, out *Outgoing)

	// ModifyResponse, if set, is called with the upstream's response, its
	// hop-by-hop headers removed, before anything is written to the
	// client; resp.Request is in. It may change the status, the headers
	// and the body (closing the body it replaces). If it returns an error,
	// the connection is closed and ErrorHandler is called with that error.
	// It must not keep resp or its Body after it returns.
	ModifyResponse func(in *http.Request, resp *http.Response) error

	// ErrorHandler, if set, handles the errors reaching the upstream or
	// returned by ModifyResponse, before anything was written to w. The
	// default writes a bare 502 Bad Gateway. When the client went away the
	// error satisfies errors.Is(err, context.Canceled); a dial or response
	// header timeout is a net.Error whose Timeout method reports true.
	ErrorHandler func(w http.ResponseWriter, in *http.Request, err error)

	// BufferPool, if set, lends the buffers that copy response bodies
	// (httputil.BufferPool is the same interface). Without it the proxy
	// keeps its own 32 KiB buffers.
	BufferPool BufferPool
}

// A BufferPool lends byte slices for copying response bodies.
type BufferPool interface {
	Get() []byte
	Put([]byte)
}

// Outgoing is the part of the upstream request the Rewrite hook may
// change. See Config.Rewrite.
type Outgoing struct {
	// Host is the Host header; empty means Target's host.
	Host string
	// Path and RawPath are the request path in url.URL's form (RawPath is
	// an optional encoding hint), before Target's base path is prefixed.
	Path, RawPath string
	// RawQuery is the query without '?', before Target's query is
	// prefixed. The client's unparsable parameters are already dropped,
	// as httputil.ReverseProxy does.
	RawQuery string
	// Header holds the headers the hook adds; it starts empty.
	Header http.Header
}

// ErrUnknownLength is returned (to the ErrorHandler) for a request whose
// body has no known length, such as a chunked HTTP/1.1 body or an HTTP/2
// body without Content-Length: the proxy only sends Content-Length bodies.
// Handles reports false for such requests.
var ErrUnknownLength = errors.New("request body has no known length")

// Proxy is an HTTP handler that forwards each request to one upstream over
// HTTP/1.1 and copies the response back. Its methods are safe for
// concurrent use.
type Proxy struct {
	addr      string // host:port to dial
	host      string // default Host header
	basePath  string // Target's escaped path
	baseQuery string
	tlsConfig *tls.Config

	dialer         net.Dialer
	dialTimeout    time.Duration
	headerTimeout  time.Duration
	maxHeaderBytes int64

	rewrite      func(*http.Request, *Outgoing)
	modify       func(*http.Request, *http.Response) error
	errorHandler func(http.ResponseWriter, *http.Request, error)
	buffers      BufferPool

	conns     pool
	exchanges sync.Pool // *exchange
}

// New returns a Proxy to cfg.Target.
func New(cfg Config) (*Proxy, error) {
	t := cfg.Target
	if t == nil {
		return nil, errors.New("fastproxy: no target URL")
	}
	var port string
	switch t.Scheme {
	case "http":
		port = "80"
	case "https":
		port = "443"
	default:
		return nil, fmt.Errorf("fastproxy: target %q has scheme %q; use http or https", t.Redacted(), t.Scheme)
	}
	if t.Host == "" || t.Hostname() == "" {
		return nil, fmt.Errorf("fastproxy: target %q has no host", t.Redacted())
	}
	if p := t.Port(); p != "" {
		port = p
	}
	host := removeZone(t.Host)
	if !validHost(host) {
		return nil, fmt.Errorf("fastproxy: target %q: host %q is not a valid Host header", t.Redacted(), t.Host)
	}
	if !validTarget(t.EscapedPath()) || !validTarget(t.RawQuery) {
		return nil, fmt.Errorf("fastproxy: target %q has an invalid path or query", t.Redacted())
	}

	p := &Proxy{
		addr:           net.JoinHostPort(t.Hostname(), port),
		host:           host,
		basePath:       t.EscapedPath(),
		baseQuery:      t.RawQuery,
		dialTimeout:    orDefault(cfg.DialTimeout, DefaultDialTimeout),
		headerTimeout:  max(cfg.ResponseHeaderTimeout, 0),
		maxHeaderBytes: cfg.MaxResponseHeaderBytes,
		rewrite:        cfg.Rewrite,
		modify:         cfg.ModifyResponse,
		errorHandler:   cfg.ErrorHandler,
		buffers:        cfg.BufferPool,
	}
	if p.maxHeaderBytes <= 0 {
		p.maxHeaderBytes = DefaultMaxResponseHeaderBytes
	}
	p.dialer.KeepAlive = 30 * time.Second
	p.conns.max = cfg.MaxIdleConns
	if p.conns.max == 0 {
		p.conns.max = DefaultMaxIdleConns
	}
	p.conns.idle = make([]*conn, 0, max(p.conns.max, 0))
	p.conns.timeout = orDefault(cfg.IdleConnTimeout, DefaultIdleConnTimeout)

	if t.Scheme == "https" {
		tc := &tls.Config{}
		if cfg.TLSClientConfig != nil {
			tc = cfg.TLSClientConfig.Clone()
		}
		tc.NextProtos = []string{"http/1.1"}
		if tc.ServerName == "" {
			tc.ServerName = t.Hostname()
		}
		p.tlsConfig = tc
	}
	return p, nil
}

// orDefault maps zero to def and a negative duration to zero (no limit).
func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// Handles reports whether a Proxy can forward in: false for CONNECT, for
// protocol upgrades (an Upgrade header, or Connection: upgrade, as
// WebSocket uses) and for bodies of unknown length. Send those through
// httputil.ReverseProxy instead. (ServeHTTP still answers them: it strips
// the upgrade headers as hop-by-hop and fails a body of unknown length
// with ErrUnknownLength.)
func Handles(in *http.Request) bool {
	if in.Method == http.MethodConnect {
		return false
	}
	if _, ok := in.Header["Upgrade"]; ok || valuesContainToken(in.Header["Connection"], "upgrade") {
		return false
	}
	return in.ContentLength >= 0 || in.Body == nil || in.Body == http.NoBody
}

// CloseIdleConnections closes the idle keep-alive connections. Connections
// in use are kept until their request ends.
func (p *Proxy) CloseIdleConnections() { p.conns.closeIdle(false) }

// Close closes the idle connections and makes the proxy close, rather than
// keep, every connection that requests still in flight give back. The proxy
// still serves requests afterwards, without keep-alive. Use it when the
// proxy is being replaced (a config reload).
func (p *Proxy) Close() { p.conns.closeIdle(true) }

// exchange is the state of one proxied request, pooled.
type exchange struct {
	w   http.ResponseWriter
	in  *http.Request
	out Outgoing

	// What prepare computed from out.
	method string
	host   string
	target target

	c        *conn
	stop     func() bool // stops the cancellation hook
	upload   *upload     // the request body writer, when it runs apart
	reqClose bool        // the request said Connection: close

	body body
	buf  []byte // the copy buffer when Config.BufferPool is nil
}

func (p *Proxy) getExchange(w http.ResponseWriter, in *http.Request) *exchange {
	x, _ := p.exchanges.Get().(*exchange)
	if x == nil {
		x = &exchange{out: Outgoing{Header: make(http.Header)}}
	}
	x.w, x.in = w, in
	return x
}

// done releases a connection still held (after a panic, closing it) and
// recycles x.
func (p *Proxy) done(x *exchange) {
	if x.c != nil {
		p.release(x, false)
	}
	h := x.out.Header
	if h == nil {
		h = make(http.Header)
	}
	clear(h)
	buf := x.buf
	*x = exchange{out: Outgoing{Header: h}, buf: buf}
	p.exchanges.Put(x)
}

// ServeHTTP forwards in to the upstream and copies the response to w.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, in *http.Request) {
	ctx := in.Context()
	if err := ctx.Err(); err != nil {
		p.fail(w, in, fmt.Errorf("proxy request: %w", err))
		return
	}
	switch {
	case in.ContentLength < 0 && in.Body != nil && in.Body != http.NoBody:
		p.fail(w, in, ErrUnknownLength)
		return
	case in.ContentLength > 0 && in.Body == nil:
		p.fail(w, in, fmt.Errorf("request has Content-Length %d but no body", in.ContentLength))
		return
	}
	x := p.getExchange(w, in)
	defer p.done(x)
	if err := p.prepare(x); err != nil {
		p.fail(w, in, fmt.Errorf("build upstream request: %w", err))
		return
	}
	resp, err := p.roundTrip(ctx, x)
	if err != nil {
		p.fail(w, in, err)
		return
	}
	p.respond(ctx, x, resp)
}

func (p *Proxy) fail(w http.ResponseWriter, in *http.Request, err error) {
	if p.errorHandler != nil {
		p.errorHandler(w, in, err)
		return
	}
	w.WriteHeader(http.StatusBadGateway)
}

// roundTrip sends the request and reads the final response head. A request
// that failed on a reused connection before any byte of response came back
// is retried once on a fresh connection when that is safe.
func (p *Proxy) roundTrip(ctx context.Context, x *exchange) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		if attempt == 0 {
			x.c = p.conns.get(time.Now())
		}
		if x.c == nil {
			c, err := p.dial(ctx)
			if err != nil {
				return nil, wrapErr(ctx, "connect to upstream", err)
			}
			x.c = c
		}
		resp, err := p.send(ctx, x)
		if err == nil {
			return resp, nil
		}
		retry := attempt == 0 && x.canRetry(ctx, err)
		p.release(x, false)
		if !retry {
			return nil, err
		}
	}
}

// canRetry reports whether the failed request may be sent again on a
// fresh connection, by http.Transport's rules: the connection was reused
// (the upstream may have closed it while idle), nothing was received,
// the body is not spent, and either nothing was sent or the method is
// idempotent.
func (x *exchange) canRetry(ctx context.Context, err error) bool {
	c, in := x.c, x.in
	if !c.reused || c.nread > 0 || in.ContentLength > 0 || ctx.Err() != nil || isTimeout(err) {
		return false
	}
	if c.nwritten == 0 {
		return true
	}
	switch x.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, ok1 := in.Header["Idempotency-Key"]
	_, ok2 := in.Header["X-Idempotency-Key"]
	return ok1 || ok2
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// timeoutError is a net.Error that is a timeout.
type timeoutError struct{ msg string }

func (e *timeoutError) Error() string   { return e.msg }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

var errHeaderTimeout net.Error = &timeoutError{"timeout awaiting response headers"}

// wrapErr names what failed. When the client's context has ended, that is
// the cause the error wraps (so errors.Is(err, context.Canceled) holds),
// not the I/O error the aborted connection produced.
func wrapErr(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w (%v)", what, cerr, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// upload is a large request body being written by its own goroutine while
// the handler's goroutine reads the response, so that an upstream that
// answers before reading the body cannot deadlock the two.
type upload struct {
	done chan error

	mu       sync.Mutex
	headDone bool // the response head was read: do not arm its timeout
}

// send writes the request on x.c and reads the final response head.
func (p *Proxy) send(ctx context.Context, x *exchange) (*http.Response, error) {
	c, in := x.c, x.in
	c.begin(p.maxHeaderBytes)
	if ctx.Done() != nil {
		x.stop = context.AfterFunc(ctx, c.abort)
	}

	x.reqClose = writeHead(c.bw, x)
	if n := in.ContentLength; n > 0 && n > int64(c.bw.Available()) {
		if err := c.bw.Flush(); err != nil {
			return nil, wrapErr(ctx, "write request", err)
		}
		p.startUpload(ctx, x)
	} else {
		if n > 0 {
			if err := writeBody(c.bw, in.Body, n); err != nil {
				return nil, wrapErr(ctx, "write request", err)
			}
		}
		if err := c.bw.Flush(); err != nil {
			return nil, wrapErr(ctx, "write request", err)
		}
		if p.headerTimeout > 0 {
			c.setReadDeadline(ctx, time.Now().Add(p.headerTimeout))
		}
	}

	resp, err := p.readHead(c, in)
	if err != nil {
		return nil, p.headErr(ctx, x, err)
	}

	// The head is in: disarm its timeout and lift the size limit.
	if u := x.upload; u != nil {
		u.mu.Lock()
		u.headDone = true
		if p.headerTimeout > 0 {
			c.setReadDeadline(ctx, time.Time{})
		}
		u.mu.Unlock()
	} else if p.headerTimeout > 0 {
		c.setReadDeadline(ctx, time.Time{})
	}
	c.limit = 1<<63 - 1
	resp.TLS = c.tls
	return resp, nil
}

// readHead reads responses until the final one, skipping 1xx responses.
func (p *Proxy) readHead(c *conn, in *http.Request) (*http.Response, error) {
	for range max1xx {
		resp, err := http.ReadResponse(c.br, in)
		if err != nil {
			return nil, err
		}
		if resp.ProtoMajor != 1 {
			return nil, fmt.Errorf("upstream answered with protocol %q", resp.Proto)
		}
		for k := range resp.Header {
			// net/textproto keeps names such as "Content-Length " or
			// "Set Cookie", which the server would pass on to the client.
			if !validToken(k) {
				return nil, fmt.Errorf("upstream sent invalid header name %q", k)
			}
		}
		switch code := resp.StatusCode; {
		case code == http.StatusSwitchingProtocols:
			return nil, errors.New("upstream switched protocols, which the proxy did not ask for")
		case code >= 100 && code < 200:
			continue // informational: 100 Continue, 102 Processing, 103 Early Hints
		}
		return resp, nil
	}
	return nil, fmt.Errorf("more than %d informational responses", max1xx)
}

// headErr builds the error for a failed response head read.
func (p *Proxy) headErr(ctx context.Context, x *exchange, err error) error {
	if x.upload != nil {
		// The body writer's own failure explains more, when it is the
		// client's body that failed (it aborts the connection then).
		var bre *bodyReadError
		if uerr := p.waitUpload(x, false); errors.As(uerr, &bre) {
			return wrapErr(ctx, "write request", uerr)
		}
	}
	if ctx.Err() == nil && p.headerTimeout > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("read response from %s: %w", p.addr, errHeaderTimeout)
	}
	if errors.Is(err, errHeadTooLarge) {
		return fmt.Errorf("read response from %s: %w (limit %d bytes)", p.addr, err, p.maxHeaderBytes)
	}
	return wrapErr(ctx, "read response from "+p.addr, err)
}

// startUpload writes the rest of the request body in a goroutine.
func (p *Proxy) startUpload(ctx context.Context, x *exchange) {
	u := &upload{done: make(chan error, 1)}
	x.upload = u
	c, body, n := x.c, x.in.Body, x.in.ContentLength
	go func() {
		err := writeBody(c.bw, body, n)
		if err == nil {
			err = c.bw.Flush()
		}
		var bre *bodyReadError
		switch {
		case errors.As(err, &bre):
			// The upstream waits for the rest of a body that will not
			// come: abort the response read.
			c.abort()
		case err == nil && p.headerTimeout > 0:
			u.mu.Lock()
			if !u.headDone {
				c.setReadDeadline(ctx, time.Now().Add(p.headerTimeout))
			}
			u.mu.Unlock()
		}
		u.done <- err
	}()
}

// uploadGrace is how long a complete keep-alive response waits for the
// request body writer to finish before the exchange is aborted. Such an
// upstream reads the rest of the body (it must, to keep the connection),
// and the writer usually finishes a moment after the response arrives.
const uploadGrace = time.Second

// waitUpload waits for the body writer and returns its error. A writer
// still running is aborted first, at once or after uploadGrace when grace
// is true: it may be blocked on an upstream that stopped reading, or on a
// client that stopped sending.
func (p *Proxy) waitUpload(x *exchange, grace bool) error {
	u := x.upload
	if u == nil {
		return nil
	}
	x.upload = nil
	select {
	case err := <-u.done:
		return err
	default:
	}
	if grace {
		t := time.NewTimer(uploadGrace)
		select {
		case err := <-u.done:
			t.Stop()
			return err
		case <-t.C:
		}
	}
	x.c.abort()
	_ = http.NewResponseController(x.w).SetReadDeadline(aLongTimeAgo)
	if err := <-u.done; err != nil {
		return err
	}
	return errors.New("request body writer aborted")
}

// release ends x's use of its connection: back to the pool when reuse is
// true and the connection is clean, closed otherwise.
func (p *Proxy) release(x *exchange, reuse bool) {
	c := x.c
	if x.upload != nil && p.waitUpload(x, reuse) != nil {
		reuse = false
	}
	if x.stop != nil {
		if !x.stop() {
			reuse = false // the cancellation hook ran: the deadline is past
		}
		x.stop = nil
	}
	x.c = nil
	if reuse && c.br.Buffered() == 0 {
		p.conns.put(c, time.Now())
		return
	}
	c.close()
}

// body wraps the upstream response body to learn whether it was read to
// its end, which a connection needs to be reused. Close does not drain.
type body struct {
	rc     io.ReadCloser
	eof    bool
	closed bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errBodyClosed
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *body) Close() error {
	b.closed = true
	return nil
}

// respond copies resp to the client and releases the connection.
func (p *Proxy) respond(ctx context.Context, x *exchange, resp *http.Response) {
	w, in := x.w, x.in
	noBody := resp.Body == http.NoBody
	x.body = body{rc: resp.Body, eof: noBody}
	resp.Body = &x.body

	removeHopByHop(resp.Header)
	if p.modify != nil {
		if err := p.modify(in, resp); err != nil {
			p.release(x, false)
			p.fail(w, in, err)
			return
		}
	}

	dst := w.Header()
	copyHeader(dst, resp.Header)
	// The Trailer header was removed as hop-by-hop; announce the trailers
	// the upstream announced, as httputil.ReverseProxy does.
	announced := len(resp.Trailer)
	if announced > 0 {
		keys := make([]string, 0, announced)
		for k := range resp.Trailer {
			keys = append(keys, k)
		}
		dst.Add("Trailer", strings.Join(keys, ", "))
	}
	w.WriteHeader(resp.StatusCode)

	// Streams (server-sent events, unknown length) are flushed after each
	// write, as httputil.ReverseProxy does; the head at once if no body
	// byte is waiting.
	var rc *http.ResponseController
	if !noBody && (resp.ContentLength == -1 || isEventStream(resp.Header)) {
		rc = http.NewResponseController(w)
		if x.c.br.Buffered() == 0 {
			_ = rc.Flush()
		}
	}
	buf := x.buf
	if p.buffers != nil {
		buf = p.buffers.Get()
	} else if buf == nil {
		buf = make([]byte, 32<<10)
		x.buf = buf
	}
	err := copyBody(w, resp.Body, buf, rc)
	if p.buffers != nil {
		p.buffers.Put(buf)
	}
	if err != nil {
		p.release(x, false)
		_ = resp.Body.Close()
		// The status is sent; all that is left is to abort the response so
		// that the client does not take a truncated body for a whole one.
		if in.Context().Value(http.ServerContextKey) != nil {
			panic(http.ErrAbortHandler)
		}
		return
	}
	_ = resp.Body.Close()
	p.release(x, x.body.eof && !resp.Close && !x.reqClose && ctx.Err() == nil)

	if len(resp.Trailer) > 0 {
		// Force chunking, so that the server sends the trailers.
		if rc == nil {
			rc = http.NewResponseController(w)
		}
		_ = rc.Flush()
	}
	prefix := ""
	if len(resp.Trailer) != announced {
		prefix = http.TrailerPrefix
	}
	for k, vv := range resp.Trailer {
		if !validToken(k) {
			continue
		}
		for _, v := range vv {
			if validHeaderValue(v) {
				dst.Add(prefix+k, v)
			}
		}
	}
}

// copyHeader adds src's values to dst. The values are copied, as
// httputil.ReverseProxy does (ModifyResponse may have set slices shared
// with its own configuration), but into one backing array.
func copyHeader(dst, src http.Header) {
	n := 0
	for _, vv := range src {
		n += len(vv)
	}
	all := make([]string, 0, n)
	for k, vv := range src {
		if len(vv) == 0 {
			continue
		}
		i := len(all)
		all = append(all, vv...)
		vals := all[i:len(all):len(all)] // capped: an append to it copies
		if old, ok := dst[k]; ok {
			dst[k] = append(old, vals...)
		} else {
			dst[k] = vals
		}
	}
}

// copyBody copies src to w with buf, flushing after each write when rc is
// set. It stops at the first read or write error.
func copyBody(w io.Writer, src io.Reader, buf []byte, rc *http.ResponseController) error {
	for {
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			if werr != nil {
				return werr
			}
			if nw != nr {
				return io.ErrShortWrite
			}
			if rc != nil {
				if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
					return err
				}
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// isEventStream reports whether h's Content-Type is text/event-stream.
func isEventStream(h http.Header) bool {
	ct := h["Content-Type"]
	if len(ct) == 0 || len(ct[0]) < len("text/event-stream") ||
		!strings.EqualFold(ct[0][:len("text/event-stream")], "text/event-stream") {
		return false
	}
	base, _, _ := mime.ParseMediaType(ct[0])
	return base == "text/event-stream"
}
