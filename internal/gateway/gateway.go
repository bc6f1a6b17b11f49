package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rampart/internal/clientip"
	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/harden"
	"rampart/internal/identity/lockout"
	"rampart/internal/limits"
	"rampart/internal/mail"
	"rampart/internal/request"
	"rampart/internal/requestid"
	"rampart/internal/store"
	"rampart/internal/wire"
)

// Deps are what a Gateway needs from its caller.
type Deps struct {
	Log *slog.Logger
	// AccessLog receives one JSON line per request; nil disables it.
	AccessLog io.Writer
	Bus       *events.Bus
	Metrics   *Metrics
	// Store holds accounts and sessions; identity.enabled needs it.
	Store store.Store
	// Lockout keeps the portal's counts of failed sign-ins: a
	// lockout.Redis shared by the nodes when identity.lockout.backend is
	// redis (the caller opens and closes its client), nil for a
	// lockout.Memory of this node's own.
	Lockout lockout.Counter
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Gateway is the request path. Create it with New, serve it with Run.
type Gateway struct {
	log       *slog.Logger
	accessLog *accessLog
	bus       *events.Bus
	metrics   *Metrics
	now       func() time.Time
	failer    request.Failer

	state    atomic.Pointer[state]
	inflight atomic.Int64

	mu       sync.Mutex // serialises Apply
	cancelHC context.CancelFunc
	hcDone   *sync.WaitGroup

	store   store.Store
	lockout lockout.Counter
	idMu    sync.Mutex
	id      *identityParts // made on the first config with identity.enabled

	mailMu sync.Mutex
	outbox *mail.Outbox // made on the first config with smtp.addr
	sender *smtpSender
}

// state is everything built from one config; it never changes once built.
type state struct {
	cfg         *config.Config
	table       *table
	ip          *clientip.Resolver
	ids         *requestid.Stage
	maxInFlight int64
	cert        *tls.Certificate
	minTLS      uint16
	pools       []*pool
	notFound    *routeMetrics
	// portal serves the portal pages under portalPrefix on every host
	// (nil when identity is off).
	portal       http.Handler
	portalPrefix string
	portalRoute  *routeMetrics
}

// New returns a Gateway serving cfg.
func New(cfg *config.Config, d Deps) (*Gateway, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Bus == nil {
		d.Bus = events.NewBus("")
	}
	if d.Metrics == nil {
		return nil, errors.New("gateway: Deps.Metrics is required")
	}
	g := &Gateway{log: d.Log.With("component", "gateway"), bus: d.Bus, metrics: d.Metrics, now: d.Now, store: d.Store, lockout: d.Lockout}
	if d.AccessLog != nil {
		g.accessLog = &accessLog{w: d.AccessLog}
	}
	g.failer = request.Failer{Log: g.log}
	if err := g.Apply(cfg); err != nil {
		return nil, err
	}
	return g, nil
}

// Config returns the config being served.
func (g *Gateway) Config() *config.Config { return g.state.Load().cfg }

// Apply builds the route table, pools and TLS material for cfg and swaps
// them in. In-flight requests finish on the old table. On error nothing
// changes.
func (g *Gateway) Apply(cfg *config.Config) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	st, err := g.build(cfg)
	if err != nil {
		return err
	}
	old := g.state.Swap(st)
	ctx, cancel := context.WithCancel(context.Background())
	wg := &sync.WaitGroup{}
	for _, p := range st.pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.runHealthChecks(ctx)
		}()
	}
	if g.cancelHC != nil {
		g.cancelHC()
		g.hcDone.Wait()
	}
	g.cancelHC, g.hcDone = cancel, wg
	if old != nil {
		// Let requests on the old pools finish before dropping their idle
		// connections; CloseIdleConnections never cuts an active one.
		time.AfterFunc(time.Minute, func() {
			for _, p := range old.pools {
				p.close()
			}
		})
	}
	return nil
}

// Close stops health checks and releases upstream connections.
func (g *Gateway) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cancelHC != nil {
		g.cancelHC()
		g.hcDone.Wait()
		g.cancelHC = nil
	}
	if st := g.state.Load(); st != nil {
		for _, p := range st.pools {
			p.close()
		}
	}
	g.closeMail()
}

func (g *Gateway) build(cfg *config.Config) (*state, error) {
	hdr := clientip.XForwardedFor
	if cfg.ForwardedHeader == "forwarded" {
		hdr = clientip.Forwarded
	}
	ip, err := clientip.NewWithHeader(cfg.TrustedProxies, hdr)
	if err != nil {
		return nil, err
	}
	st := &state{
		cfg: cfg, table: newTable(), ip: ip, ids: requestid.New(cfg.RequestID.Header),
		maxInFlight: int64(cfg.Server.MaxConcurrentRequests),
		notFound:    g.metrics.route("_none"),
	}
	if st.maxInFlight <= 0 {
		st.maxInFlight = 10000
	}
	st.minTLS = tls.VersionTLS12
	switch cfg.TLS.MinVersion {
	case "1.3":
		st.minTLS = tls.VersionTLS13
	case "1.1":
		st.minTLS = tls.VersionTLS11
	case "1.0":
		st.minTLS = tls.VersionTLS10
	}
	if cfg.TLS.CertFile != "" && cfg.TLS.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		st.cert = &cert
	}
	ident, err := g.identityStage(cfg)
	if err != nil {
		return nil, err
	}
	wb := &wafBuilder{g: g}
	if ident != nil {
		ph, err := g.portalChain(cfg, wb, ident)
		if err != nil {
			return nil, err
		}
		st.portal, st.portalPrefix, st.portalRoute = ph, cfg.Identity.PortalPath, g.metrics.route("_portal")
	}
	for i := range cfg.Routes {
		rc := &cfg.Routes[i]
		ws, err := wb.stage(rc)
		if err != nil {
			for _, built := range st.pools {
				built.close()
			}
			return nil, err
		}
		policy := harden.New(hardenConfig(cfg, rc), g.bus)
		p, err := newPool(rc, st.ids.Header(), policy, g)
		if err != nil {
			for _, built := range st.pools {
				built.close()
			}
			return nil, err
		}
		st.pools = append(st.pools, p)
		lim := g.limits(rc)
		// The route's stage chain, innermost last. Later stages (IP
		// decisions, rate limits, identity, WAF) slot in here.
		var h http.Handler = p
		if ws != nil {
			h = ws.Handler(h)
		}
		if ident != nil {
			h = ident.Handler(h)
		}
		h = lim.Handler(h)
		// config.Load defaults PathPrefix to "/".
		st.table.add(rc.Hosts, &route{name: rc.Name, prefix: rc.PathPrefix, handler: h, metrics: g.metrics.route(rc.Name)})
	}
	st.table.finish()
	return st, nil
}

// limits returns the limits stage of route rc.
func (g *Gateway) limits(rc *config.Route) *limits.Stage {
	return limits.New(limits.Config{
		MaxURLBytes: rc.Limits.MaxURLBytes, MaxHeaderBytes: rc.Limits.MaxHeaderBytes,
		MaxHeaderCount: rc.Limits.MaxHeaderCount, MaxBodyBytes: rc.Limits.MaxBodyBytes,
	}, g.bus, g.log)
}

func hardenConfig(cfg *config.Config, rc *config.Route) harden.Config {
	h := rc.Headers
	hc := harden.Config{
		ContentSecurityPolicy: h.ContentSecurityPolicy, ContentTypeOptions: h.ContentTypeOptions,
		FrameOptions: h.FrameOptions, ReferrerPolicy: h.ReferrerPolicy, PermissionsPolicy: h.PermissionsPolicy,
		CrossOriginOpenerPolicy: h.CrossOriginOpenerPolicy, Override: h.Override, Remove: h.Remove,
		CookieSecure: h.Cookies.Secure, CookieHTTPOnly: h.Cookies.HTTPOnly, CookieSameSite: h.Cookies.SameSite,
		Mask5xx: h.Mask5xx,
	}
	if h.HSTS == nil || *h.HSTS {
		hc.HSTS = cfg.TLS.HSTS
	}
	return hc
}

// connInfoKey finds the accepted connection in a request context.
type connInfoKey struct{}

// connState is what ConnContext learns about a connection.
type connState struct {
	wire *wire.Conn
	tls  *tls.ConnectionState
	// The wire checker's limits, fixed when the listener started; its
	// counts saturate one past them.
	lim wire.Limits
}

// ConnContext stores the connection's wire checker and TLS state in the
// base context of its requests.
func ConnContext(ctx context.Context, c interface{}, lim wire.Limits) context.Context {
	cs := &connState{lim: lim}
	switch v := c.(type) {
	case *wire.Conn:
		cs.wire = v
		cs.tls = v.TLS()
	case *h2Conn:
		st := v.tls.ConnectionState()
		cs.tls = &st
	}
	return context.WithValue(ctx, connInfoKey{}, cs)
}

// popWire takes the wire facts of r from its connection, exactly once per
// request, and cross-checks them against what net/http parsed: a mismatch
// means the two parsers disagree about where requests begin, which is what
// smuggling exploits, so it is an anomaly of its own.
func popWire(r *http.Request, info *request.Info) {
	cs, ok := r.Context().Value(connInfoKey{}).(*connState)
	if !ok {
		return
	}
	info.TLS = cs.tls
	if cs.wire == nil || r.ProtoMajor != 1 {
		return
	}
	info.WireConn = cs.wire
	f := cs.wire.NextRequest()
	if f.Anomaly == "" {
		want := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 2
		saturated := want > cs.lim.MaxRequestLine && f.RequestLineBytes == cs.lim.MaxRequestLine+1
		if !f.Known || (f.RequestLineBytes != want && !saturated) {
			f.Anomaly = "request boundaries out of step"
		}
	}
	// A saturated count only says "more than the listener's limit"; a
	// route allowed more by a later reload must still refuse it.
	if f.HeaderCount > cs.lim.MaxHeaderCount {
		f.HeaderCount = math.MaxInt32
	}
	if f.HeaderBytes > cs.lim.MaxHeaderBytes {
		f.HeaderBytes = math.MaxInt32
	}
	info.Wire = f
}

// dropUnderscoreHeaders removes request headers whose names contain '_'.
// CGI, WSGI and Rack upstreams read "X_Real_IP" as X-Real-IP, so such a
// header would smuggle a forged address or request ID past the gateway,
// which sets and strips only the dashed names. nginx drops them by default
// too (underscores_in_headers off).
func dropUnderscoreHeaders(h http.Header) {
	for k := range h {
		if strings.IndexByte(k, '_') >= 0 {
			delete(h, k)
		}
	}
}

// wireOnly pops wire facts for handlers that are not the gateway (the
// HTTPS redirect) and refuses anomalies.
func (g *Gateway) wireOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, r := request.Get(r)
		popWire(r, info)
		if info.Wire.Anomaly != "" {
			w.Header().Set("Connection", "close")
			g.failer.Fail(w, r, http.StatusBadRequest, nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ServeHTTP is the outermost stage: it recovers panics, caps concurrency,
// resolves the client IP and request ID, routes, and records the outcome.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := g.now()
	st := g.state.Load()
	info := &request.Info{Start: start}
	r = r.WithContext(request.NewContext(r.Context(), info))
	popWire(r, info)
	dropUnderscoreHeaders(r.Header)
	st.ip.Fill(info, r)
	st.ids.Assign(info, w, r)

	rec := getRecorder(w)
	defer putRecorder(rec)
	defer g.recover(rec, r, info)

	if n := g.inflight.Add(1); n > st.maxInFlight {
		g.inflight.Add(-1)
		g.metrics.rejected.WithLabelValues("concurrency").Inc()
		rec.Header().Set("Retry-After", "1")
		g.failer.Fail(rec, r, http.StatusServiceUnavailable, nil)
		g.finish(st.notFound, rec, r, info, start)
		return
	}
	g.metrics.inflight.Inc()
	defer func() {
		g.inflight.Add(-1)
		g.metrics.inflight.Dec()
	}()

	if st.portal != nil && underPortal(r.URL.Path, st.portalPrefix) {
		info.Route = "_portal"
		st.portal.ServeHTTP(rec, r)
		g.finish(st.portalRoute, rec, r, info, start)
		return
	}
	rt := st.table.match(r.Host, r.URL.Path)
	if rt == nil {
		g.failer.Fail(rec, r, http.StatusNotFound, nil)
		g.finish(st.notFound, rec, r, info, start)
		return
	}
	info.Route = rt.name
	rt.handler.ServeHTTP(rec, r)
	g.finish(rt.metrics, rec, r, info, start)
}

func (g *Gateway) finish(rm *routeMetrics, rec *recorder, r *http.Request, info *request.Info, start time.Time) {
	status := rec.status
	if info.Status != 0 {
		status = info.Status
	}
	if status == 0 {
		status = http.StatusOK
	}
	elapsed := g.now().Sub(start)
	rm.observe(status, elapsed.Seconds())
	if g.accessLog != nil {
		e := accessEntry{
			time: start, requestID: info.ID, method: r.Method, host: r.Host, path: r.URL.Path,
			proto: r.Proto, status: status, bytes: rec.written, duration: elapsed, route: info.Route,
			upstream: info.Upstream, userAgent: r.UserAgent(),
		}
		e.clientIP = info.ClientIP
		g.accessLog.write(&e)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// recover turns a panic in one request into a 500 page and an event; the
// gateway keeps serving. http.ErrAbortHandler is passed on (it aborts the
// response on purpose).
func (g *Gateway) recover(rec *recorder, r *http.Request, info *request.Info) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	g.log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
		slog.String("request_id", info.ID), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
	g.bus.Publish(events.ForRequest(r.Context(), events.Type("gateway.panic"), events.SeverityHigh,
		"internal error while serving a request", nil))
	if !rec.wroteHeader {
		g.failer.Fail(rec, r, http.StatusInternalServerError, nil)
	} else {
		panic(http.ErrAbortHandler)
	}
}

// redirectable reports whether plain-HTTP requests for host may be sent to
// HTTPS: a route names the host (exactly or by wildcard), or the served
// certificate covers it. Anything else would make the redirect an open one
// (and HTTPS to that host would fail verification anyway).
func (st *state) redirectable(host string) bool {
	if st.table.hostKnown(host) {
		return true
	}
	return st.cert != nil && st.cert.Leaf != nil && st.cert.Leaf.VerifyHostname(host) == nil
}

// redirectHandler sends plain-HTTP clients to HTTPS on httpsPort. It only
// redirects to hosts the gateway is configured for (see redirectable), so a
// forged Host header cannot turn it into an open redirect.
func (g *Gateway) redirectHandler(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := hostOnly(r.Host)
		st := g.state.Load()
		if host == "" || strings.ContainsAny(host, "/\\@ ?#%") || !st.redirectable(host) {
			g.failer.Fail(w, r, http.StatusBadRequest, nil)
			return
		}
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			host = "[" + host + "]"
		}
		if httpsPort != "" && httpsPort != "443" {
			host += ":" + httpsPort
		}
		target := "https://" + host + r.URL.RequestURI()
		w.Header().Set("Connection", "close")
		// #nosec G710 -- the host is one a route serves, checked above
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
	})
}
