package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/wire"
)

// Server owns the gateway's bound listeners.
type Server struct {
	g       *Gateway
	log     *slog.Logger
	servers []*http.Server
	lns     []net.Listener
	names   []string
	tlsAcc  *tlsListener

	// Addr* are the bound addresses (nil when that listener is off).
	HTTPAddr, HTTPSAddr, AdminAddr net.Addr
}

// AdminOptions configure the admin listener.
type AdminOptions struct {
	Gatherer prometheus.Gatherer
	// Ready reports whether the gateway can serve (store reachable...).
	Ready func(ctx context.Context) error
	// Extra mounts more admin handlers (the dashboard, later).
	Extra map[string]http.Handler
}

// ModernCipherSuites are the TLS 1.2 suites rampart offers by default:
// forward secret AEAD only. TLS 1.3 suites are not configurable in Go and
// are all modern.
var ModernCipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// TLSConfig returns the server TLS settings; the certificate and minimum
// version follow the config currently applied, so a reload that changes
// them takes effect for new connections.
func (g *Gateway) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: ModernCipherSuites,
		NextProtos:   []string{"h2", "http/1.1"},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			st := g.state.Load()
			if st.cert == nil {
				return nil, errors.New("no TLS certificate configured")
			}
			return &tls.Config{
				MinVersion:   st.minTLS,
				CipherSuites: ModernCipherSuites,
				NextProtos:   []string{"h2", "http/1.1"},
				Certificates: []tls.Certificate{*st.cert},
			}, nil
		},
	}
}

// Listen binds the listeners named in the applied config. Listener
// addresses are read once: changing them needs a restart.
func (g *Gateway) Listen(admin AdminOptions) (*Server, error) {
	cfg := g.Config()
	s := &Server{g: g, log: g.log}
	lim := wireLimits(cfg)
	maxHeader := lim.MaxHeaderBytes + lim.MaxRequestLine + 4096

	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadTimeout:       cfg.Server.ReadTimeout,
			ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout,
			WriteTimeout:      cfg.Server.WriteTimeout,
			IdleTimeout:       cfg.Server.IdleTimeout,
			MaxHeaderBytes:    maxHeader,
			// net/http would answer "OPTIONS *" itself, without the
			// handler popping that request's wire facts: the facts of
			// every later request on the connection would be off by one.
			DisableGeneralOptionsHandler: true,
			ConnContext:                  func(ctx context.Context, c net.Conn) context.Context { return ConnContext(ctx, c, lim) },
			ErrorLog:                     slog.NewLogLogger(g.log.Handler(), slog.LevelDebug),
			HTTP2: &http.HTTP2Config{
				MaxConcurrentStreams:      250,
				MaxReceiveBufferPerStream: 1 << 20,
			},
		}
	}
	fail := func(err error) (*Server, error) {
		for _, l := range s.lns {
			_ = l.Close()
		}
		return nil, err
	}
	if addr := cfg.Listen.HTTPS; addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fail(fmt.Errorf("listen https %s: %w", addr, err))
		}
		s.HTTPSAddr = ln.Addr()
		tl := newTLSListener(ln, g.TLSConfig(), lim, cfg.Server.ReadHeaderTimeout, g.log)
		s.tlsAcc = tl
		srv := newServer(g)
		var p http.Protocols
		p.SetHTTP1(true)
		// Connections that negotiated h2 by ALPN are handed over already
		// decrypted; see tlsListener.
		p.SetUnencryptedHTTP2(true)
		srv.Protocols = &p
		s.add("https", srv, tl)
	}
	if addr := cfg.Listen.HTTP; addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fail(fmt.Errorf("listen http %s: %w", addr, err))
		}
		s.HTTPAddr = ln.Addr()
		var h http.Handler = g
		if cfg.Listen.RedirectHTTPS && s.HTTPSAddr != nil {
			_, port, _ := net.SplitHostPort(s.HTTPSAddr.String())
			h = g.wireOnly(g.redirectHandler(port))
		}
		srv := newServer(h)
		var p http.Protocols
		p.SetHTTP1(true)
		srv.Protocols = &p
		s.add("http", srv, wire.NewListener(ln, lim))
	}
	if addr := cfg.Listen.Admin; addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fail(fmt.Errorf("listen admin %s: %w", addr, err))
		}
		s.AdminAddr = ln.Addr()
		srv := &http.Server{
			Handler:           adminHandler(admin),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelDebug),
		}
		s.add("admin", srv, ln)
	}
	return s, nil
}

func (s *Server) add(name string, srv *http.Server, ln net.Listener) {
	s.servers = append(s.servers, srv)
	s.lns = append(s.lns, ln)
	s.names = append(s.names, name)
}

func wireLimits(cfg *config.Config) wire.Limits {
	lim := wire.Limits{MaxRequestLine: cfg.Limits.MaxURLBytes + 64, MaxHeaderBytes: cfg.Limits.MaxHeaderBytes,
		MaxHeaderCount: cfg.Limits.MaxHeaderCount}
	for _, r := range cfg.Routes {
		lim.MaxRequestLine = max(lim.MaxRequestLine, r.Limits.MaxURLBytes+64)
		lim.MaxHeaderBytes = max(lim.MaxHeaderBytes, r.Limits.MaxHeaderBytes)
		lim.MaxHeaderCount = max(lim.MaxHeaderCount, r.Limits.MaxHeaderCount)
	}
	return lim
}

// Serve serves until ctx ends, then shuts down gracefully: listeners close
// at once, in-flight requests get up to the configured shutdown timeout.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, len(s.servers))
	for i, srv := range s.servers {
		go func() {
			err := srv.Serve(s.lns[i])
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s: %w", s.names[i], err)
				return
			}
			errc <- nil
		}()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	cfg := s.g.Config()
	s.g.bus.Publish(events.Event{Type: events.GatewayStopping, Severity: events.SeverityInfo,
		Message: "gateway shutting down"})
	timeout := cfg.Server.ShutdownTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, srv := range s.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(sctx); err != nil {
				s.log.Warn("graceful shutdown incomplete, closing", "err", err)
				_ = srv.Close()
			}
		}()
	}
	wg.Wait()
	if s.tlsAcc != nil {
		s.tlsAcc.wait(sctx)
	}
	return serveErr
}

func adminHandler(o AdminOptions) http.Handler {
	mux := http.NewServeMux()
	if o.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if o.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := o.Ready(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("not ready\n"))
				return
			}
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	for p, h := range o.Extra {
		mux.Handle(p, h)
	}
	return adminHeaders(mux)
}

// adminHeaders hardens every admin response.
func adminHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}
