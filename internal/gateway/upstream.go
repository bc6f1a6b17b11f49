package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/fastproxy"
	"rampart/internal/harden"
	"rampart/internal/request"
)

// target is one upstream URL of a pool.
type target struct {
	raw string
	url *url.URL
	// fast serves ordinary requests; proxy serves what fastproxy does not
	// handle (protocol upgrades such as WebSocket, CONNECT).
	fast  *fastproxy.Proxy
	proxy *httputil.ReverseProxy

	// healthy is the active health-check verdict.
	healthy atomic.Bool
	// fails counts consecutive proxy errors; ejectedUntil (unix ns) is when
	// a passive ejection ends.
	fails        atomic.Int32
	ejectedUntil atomic.Int64

	// Guarded by pool.checkMu.
	checkFails, checkOKs int
}

func (t *target) available(now int64) bool {
	return t.healthy.Load() && t.ejectedUntil.Load() <= now
}

// pool balances a route's requests over its targets in round robin.
type pool struct {
	route       string
	targets     []*target
	next        atomic.Uint64
	transport   *http.Transport
	hc          config.HealthCheck
	passive     config.Passive
	stripPrefix string
	preserve    bool
	reqIDHeader string
	bus         *events.Bus
	log         *slog.Logger
	failer      request.Failer
	metrics     *Metrics
	now         func() time.Time
	checkMu     sync.Mutex // one round of health checks at a time
}

// bufferPool lends ReverseProxy its copy buffers.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

var proxyBuffers = &bufferPool{}

// newTransport builds the tuned upstream transport for a route.
func newTransport(p config.UpstreamPolicy) (*http.Transport, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.TLSSkipVerify {
		// Only when a route says so explicitly; config check warns.
		tlsCfg.InsecureSkipVerify = true // #nosec G402 -- opt-in per route, linted
	}
	if p.CAFile != "" {
		pem, err := os.ReadFile(p.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read upstream CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("upstream CA file %s holds no PEM certificates", p.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	dial := &net.Dialer{Timeout: orDefault(p.DialTimeout, 5*time.Second), KeepAlive: 30 * time.Second}
	idle := p.MaxIdleConnsPerHost
	if idle <= 0 {
		idle = 256
	}
	return &http.Transport{
		Proxy:                 nil, // never an environment proxy between us and the upstream
		DialContext:           dial.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   10 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4 * idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: orDefault(p.ResponseTimeout, 60*time.Second),
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // pass encodings through untouched
		WriteBufferSize:       16 << 10,
		ReadBufferSize:        16 << 10,
	}, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// newPool builds a route's pool. policy hardens every response.
func newPool(rt *config.Route, reqIDHeader string, policy *harden.Policy, g *Gateway) (*pool, error) {
	tr, err := newTransport(rt.Upstream)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", rt.Name, err)
	}
	p := &pool{
		route: rt.Name, transport: tr, hc: rt.Upstream.HealthCheck, passive: rt.Upstream.Passive,
		preserve: rt.PreserveHost, reqIDHeader: reqIDHeader, bus: g.bus, log: g.log,
		failer: request.Failer{Log: g.log}, metrics: g.metrics, now: g.now,
	}
	if rt.StripPrefix && rt.PathPrefix != "/" {
		p.stripPrefix = strings.TrimSuffix(rt.PathPrefix, "/")
	}
	for _, raw := range rt.Upstreams {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("route %s: upstream %q: %w", rt.Name, raw, err)
		}
		t := &target{raw: raw, url: u}
		t.healthy.Store(true)
		modify := p.modifier(t, policy)
		t.proxy = &httputil.ReverseProxy{
			Rewrite:   p.rewriter(t),
			Transport: tr,
			// 0: ReverseProxy flushes at once for streams it recognises
			// (unknown length, text/event-stream) and buffers the rest.
			FlushInterval:  0,
			BufferPool:     proxyBuffers,
			ModifyResponse: modify,
			ErrorHandler:   p.errorHandler(t),
		}
		t.fast, err = fastproxy.New(fastproxy.Config{
			Target:                u,
			TLSClientConfig:       tr.TLSClientConfig,
			DialTimeout:           orDefault(rt.Upstream.DialTimeout, 5*time.Second),
			ResponseHeaderTimeout: tr.ResponseHeaderTimeout,
			IdleConnTimeout:       tr.IdleConnTimeout,
			MaxIdleConns:          tr.MaxIdleConnsPerHost,
			Rewrite:               p.fastRewriter(),
			ModifyResponse:        func(_ *http.Request, resp *http.Response) error { return modify(resp) },
			ErrorHandler:          p.errorHandler(t),
		})
		if err != nil {
			return nil, fmt.Errorf("route %s: upstream %q: %w", rt.Name, raw, err)
		}
		p.targets = append(p.targets, t)
		p.metrics.setUpstream(rt.Name, raw, true)
	}
	return p, nil
}

// pick returns the next available target, or nil when none is.
func (p *pool) pick(now int64) *target {
	n := uint64(len(p.targets))
	if n == 1 {
		if t := p.targets[0]; t.available(now) {
			return t
		}
		return nil
	}
	start := p.next.Add(1)
	for i := uint64(0); i < n; i++ {
		if t := p.targets[(start+i)%n]; t.available(now) {
			return t
		}
	}
	return nil
}

func (p *pool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := p.pick(p.now().UnixNano())
	if t == nil {
		p.bus.Publish(events.ForRequest(r.Context(), events.UpstreamError, events.SeverityHigh,
			"no healthy upstream", map[string]string{"route": p.route}))
		p.failer.Fail(w, r, http.StatusBadGateway, errors.New("no healthy upstream in pool "+p.route))
		return
	}
	if info := request.FromContext(r.Context()); info != nil {
		info.Upstream = t.raw
	}
	if fastproxy.Handles(r) {
		t.fast.ServeHTTP(w, r)
		return
	}
	t.proxy.ServeHTTP(w, r)
}

func (p *pool) rewriter(t *target) func(*httputil.ProxyRequest) {
	return func(pr *httputil.ProxyRequest) {
		u := pr.Out.URL
		u.Path, u.RawPath = p.strip(u.Path, u.RawPath)
		pr.SetURL(t.url)
		if p.preserve {
			pr.Out.Host = pr.In.Host
		}
		if info := request.FromContext(pr.In.Context()); info != nil {
			forwardingHeaders(pr.Out.Header, pr.In, info)
		}
	}
}

// strip removes the route's prefix from a path and its raw form when the
// route says strip_prefix.
func (p *pool) strip(path, raw string) (string, string) {
	if p.stripPrefix == "" {
		return path, raw
	}
	path = strings.TrimPrefix(path, p.stripPrefix)
	if raw != "" {
		raw = strings.TrimPrefix(raw, p.stripPrefix)
	}
	if path == "" {
		return "/", ""
	}
	return path, raw
}

// fastRewriter is rewriter for fastproxy.
func (p *pool) fastRewriter() func(*http.Request, *fastproxy.Outgoing) {
	return func(in *http.Request, out *fastproxy.Outgoing) {
		out.Path, out.RawPath = p.strip(out.Path, out.RawPath)
		if p.preserve {
			out.Host = in.Host
		}
		if info := request.FromContext(in.Context()); info != nil {
			forwardingHeaders(out.Header, in, info)
		}
	}
}

// forwardingHeaders sets X-Forwarded-For, -Proto, -Host and X-Real-Ip on h
// for the request in: the client-sent chain is kept only from a trusted
// proxy. One backing array holds the four values; each header gets a
// one-element slice with cap == len, so nothing appends into a neighbour.
func forwardingHeaders(h http.Header, in *http.Request, info *request.Info) {
	vals := make([]string, 4)
	peer := info.PeerIP.String()
	client := peer
	if info.ClientIP != info.PeerIP {
		client = info.ClientIP.String()
	}
	if prior := in.Header["X-Forwarded-For"]; info.TrustedPeer && len(prior) > 0 {
		vals[0] = strings.Join(prior, ", ") + ", " + peer
	} else {
		vals[0] = peer
	}
	vals[1] = "http"
	if info.TLS != nil {
		vals[1] = "https"
	}
	if v := in.Header["X-Forwarded-Proto"]; info.TrustedPeer && len(v) == 1 && (v[0] == "https" || v[0] == "http") {
		vals[1] = v[0]
	}
	vals[2] = in.Host
	vals[3] = client
	h["X-Forwarded-For"] = vals[0:1:1]
	h["X-Forwarded-Proto"] = vals[1:2:2]
	h["X-Forwarded-Host"] = vals[2:3:3]
	h["X-Real-Ip"] = vals[3:4:4]
}

func (p *pool) modifier(t *target, policy *harden.Policy) func(*http.Response) error {
	return func(resp *http.Response) error {
		if t.fails.Load() != 0 {
			t.fails.Store(0)
		}
		// The gateway already set its request ID on the response; an echo
		// from the upstream would duplicate it.
		delete(resp.Header, "X-Request-Id")
		if p.reqIDHeader != "X-Request-Id" {
			delete(resp.Header, p.reqIDHeader)
		}
		return policy.ModifyResponse(resp)
	}
}

// statusClientClosed is logged when the client went away before the answer.
const statusClientClosed = 499

func (p *pool) errorHandler(t *target) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		ctx := r.Context()
		var mbe *http.MaxBytesError
		switch {
		case ctx.Err() != nil && errors.Is(err, context.Canceled):
			// The client left; not the upstream's fault.
			w.WriteHeader(statusClientClosed)
			return
		case errors.As(err, &mbe):
			p.failer.Fail(w, r, http.StatusRequestEntityTooLarge, nil)
			return
		}
		status := http.StatusBadGateway
		kind := "unreachable"
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			status, kind = http.StatusGatewayTimeout, "timeout"
		}
		p.passiveFail(t)
		p.bus.Publish(events.ForRequest(ctx, events.UpstreamError, events.SeverityMedium,
			"upstream request failed", map[string]string{
				"upstream": t.raw, "kind": kind, "error": err.Error(), "status": strconv.Itoa(status),
			}))
		p.failer.Fail(w, r, status, fmt.Errorf("upstream %s: %w", t.raw, err))
	}
}

// passiveFail counts a proxy error and ejects t after MaxFails in a row.
func (p *pool) passiveFail(t *target) {
	if p.passive.MaxFails <= 0 {
		return
	}
	if n := t.fails.Add(1); int(n) >= p.passive.MaxFails {
		t.fails.Store(0)
		until := p.now().Add(orDefault(p.passive.EjectFor, 30*time.Second))
		t.ejectedUntil.Store(until.UnixNano())
		p.bus.Publish(events.Event{Type: events.UpstreamUnhealthy, Severity: events.SeverityHigh, Route: p.route,
			Message: "upstream ejected after consecutive errors",
			Details: map[string]string{"upstream": t.raw, "reason": "passive", "errors": strconv.Itoa(int(n)),
				"until": until.UTC().Format(time.RFC3339)}})
	}
}

// runHealthChecks probes every target each interval until ctx ends.
func (p *pool) runHealthChecks(ctx context.Context) {
	if p.hc.Path == "" {
		return
	}
	tick := time.NewTicker(orDefault(p.hc.Interval, 10*time.Second))
	defer tick.Stop()
	for {
		p.checkOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// checkOnce probes every target once and updates its state.
func (p *pool) checkOnce(ctx context.Context) {
	p.checkMu.Lock()
	defer p.checkMu.Unlock()
	var wg sync.WaitGroup
	for _, t := range p.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.probe(ctx, t)
			if ctx.Err() != nil {
				return
			}
			p.record(t, err)
		}()
	}
	wg.Wait()
}

func (p *pool) probe(ctx context.Context, t *target) error {
	ctx, cancel := context.WithTimeout(ctx, orDefault(p.hc.Timeout, 2*time.Second))
	defer cancel()
	u := *t.url
	u.Path = strings.TrimSuffix(u.Path, "/") + p.hc.Path
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "rampart-health-check")
	resp, err := p.transport.RoundTrip(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if !statusMatches(p.hc.ExpectStatus, resp.StatusCode) {
		return fmt.Errorf("status %d, want %s", resp.StatusCode, orString(p.hc.ExpectStatus, "2xx"))
	}
	return nil
}

func (p *pool) record(t *target, err error) {
	unhealthyAfter := p.hc.UnhealthyAfter
	if unhealthyAfter <= 0 {
		unhealthyAfter = 3
	}
	healthyAfter := p.hc.HealthyAfter
	if healthyAfter <= 0 {
		healthyAfter = 2
	}
	if err != nil {
		t.checkOKs = 0
		t.checkFails++
		if t.healthy.Load() && t.checkFails >= unhealthyAfter {
			t.healthy.Store(false)
			p.metrics.setUpstream(p.route, t.raw, false)
			p.bus.Publish(events.Event{Type: events.UpstreamUnhealthy, Severity: events.SeverityHigh, Route: p.route,
				Message: "upstream failed its health checks",
				Details: map[string]string{"upstream": t.raw, "reason": "active", "error": err.Error()}})
		}
		return
	}
	t.checkFails = 0
	t.checkOKs++
	if !t.healthy.Load() && t.checkOKs >= healthyAfter {
		t.healthy.Store(true)
		t.ejectedUntil.Store(0)
		p.metrics.setUpstream(p.route, t.raw, true)
		p.bus.Publish(events.Event{Type: events.UpstreamHealthy, Severity: events.SeverityInfo, Route: p.route,
			Message: "upstream passed its health checks and is back in the pool",
			Details: map[string]string{"upstream": t.raw}})
	}
}

// statusMatches reports whether code fits spec: "" or "2xx", "200",
// "2xx-3xx", "200-204" or a comma list of those.
func statusMatches(spec string, code int) bool {
	if spec == "" {
		spec = "2xx"
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, found := strings.Cut(part, "-")
		if !found {
			hi = lo
		}
		l, h := statusBound(lo, false), statusBound(hi, true)
		if l > 0 && h > 0 && code >= l && code <= h {
			return true
		}
	}
	return false
}

func statusBound(s string, upper bool) int {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) == 3 && strings.HasSuffix(s, "xx") && s[0] >= '1' && s[0] <= '5' {
		if upper {
			return int(s[0]-'0')*100 + 99
		}
		return int(s[0]-'0') * 100
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// close releases the pool's idle upstream connections.
func (p *pool) close() {
	p.transport.CloseIdleConnections()
	for _, t := range p.targets {
		t.fast.Close()
	}
}
