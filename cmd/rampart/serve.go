package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/gateway"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

func newServeCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "serve -c rampart.yaml",
		Short: "Run the gateway from a config file",
		Long: `Run the gateway: the proxy listeners, the admin listener (/metrics,
/healthz, /readyz) and the event store, as configured in the file.

The config is validated first; errors are printed as file:line and rampart
exits with status 2. While running, the file is watched: a valid change is
applied without dropping requests in flight, an invalid one is refused and
the running config keeps serving. SIGHUP forces a reload. SIGINT or SIGTERM
stops accepting connections and lets requests in flight finish.`,
		Example: "  rampart serve -c /etc/rampart/rampart.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(path)
			if err != nil {
				return configError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runGateway(ctx, cfg, runOptions{watch: true, stderr: cmd.ErrOrStderr()})
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

// runOptions vary runGateway between serve, proxy and demo.
type runOptions struct {
	watch  bool // watch the config file and reload on SIGHUP
	stderr io.Writer
	// ready, if set, is called with the bound server once listening.
	ready func(*gateway.Server)
	// noStore runs without persisting events (proxy without --store).
	noStore bool
}

// runGateway wires config → logger → store → bus → gateway and serves
// until ctx ends.
func runGateway(ctx context.Context, cfg *config.Config, o runOptions) error {
	logs, err := newLoggers(cfg.Log, o.stderr)
	if err != nil {
		return err
	}
	defer logs.sink.Close()
	log := logs.main

	node := cfg.Node
	if node == "" {
		node, _ = os.Hostname()
	}
	bus := events.NewBus(node)

	var st store.Store
	if !o.noStore {
		st, err = openStore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer st.Close()
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := gateway.NewMetrics(reg, bus)

	sinkCtx, stopSinks := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSinks()
	var sinks []chan struct{}
	startSink := func(f func()) {
		done := make(chan struct{})
		sinks = append(sinks, done)
		go func() { defer close(done); f() }()
	}
	secSub := bus.Subscribe("security-log", 0)
	startSink(func() { events.LogSink(sinkCtx, secSub, logs.security) })
	metSub := bus.Subscribe("metrics", 0)
	startSink(func() { metrics.CountEvents(sinkCtx, metSub) })
	if st != nil {
		storeSub := bus.Subscribe("store", 0)
		startSink(func() { store.Sink(sinkCtx, storeSub, st, log, store.SinkOptions{}) })
		go retainEvents(ctx, st, cfg.Store.EventRetention, log)
		go deleteExpired(ctx, st, 10*time.Minute, log)
	}
	// On the way out: close the bus so sinks drain, then wait for them.
	defer func() {
		bus.Close()
		for _, d := range sinks {
			<-d
		}
	}()

	counter, closeRedis, err := openLockoutCounter(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeRedis() // after gw.Close: deferred calls run last-in first-out
	gw, err := gateway.New(cfg, gateway.Deps{Log: log, AccessLog: logs.access, Bus: bus, Metrics: metrics, Store: st, Lockout: counter})
	if err != nil {
		return err
	}
	defer gw.Close()

	srv, err := gw.Listen(gateway.AdminOptions{
		Gatherer: reg,
		Ready: func(ctx context.Context) error {
			if st == nil {
				return nil
			}
			return st.Ping(ctx)
		},
	})
	if err != nil {
		return err
	}
	for _, w := range config.Lint(cfg) {
		log.Warn("insecure setting", "key", w.Key, "warning", w.Msg)
	}
	bus.Publish(events.Event{Type: events.GatewayStarted, Severity: events.SeverityInfo, Message: "gateway started",
		Details: listenDetails(srv)})
	log.Info("gateway started", "http", addrString(srv.HTTPAddr), "https", addrString(srv.HTTPSAddr),
		"admin", addrString(srv.AdminAddr), "routes", len(cfg.Routes), "version", versionString())

	if o.watch && cfg.Path != "" {
		w, err := config.NewWatcher(cfg.Path, log, func(newCfg *config.Config, err error) {
			reload(gw, bus, log, newCfg, err)
		})
		if err != nil {
			log.Warn("config file not watched; reload with SIGHUP", "err", err)
		} else {
			go func() {
				if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
					log.Warn("config watcher stopped", "err", err)
				}
			}()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case <-hup:
						log.Info("SIGHUP: reloading config")
						w.Trigger()
					}
				}
			}()
		}
	}

	if o.ready != nil {
		o.ready(srv)
	}

	err = srv.Serve(ctx)
	log.Info("gateway stopped")
	return err
}

// reload applies a changed config, or keeps the old one and says why.
func reload(gw *gateway.Gateway, bus *events.Bus, log *slog.Logger, cfg *config.Config, err error) {
	refuse := func(err error) {
		log.Warn("config reload refused; the running config keeps serving", "err", err)
		bus.Publish(events.Event{Type: events.ConfigRejected, Severity: events.SeverityMedium,
			Message: "config change refused; the running config keeps serving",
			Details: map[string]string{"error": err.Error()}})
	}
	if err != nil {
		refuse(err)
		return
	}
	keys := config.Diff(gw.Config(), cfg)
	if len(keys) == 0 {
		return
	}
	if err := gw.Apply(cfg); err != nil {
		refuse(err)
		return
	}
	details := map[string]string{"keys": strings.Join(keys, ",")}
	var restart []string
	for _, k := range keys {
		// The listeners' wire limits are fixed at start: raising a URL or
		// header limit above them takes a restart (lowering works at once).
		wireLimit := strings.Contains(k, "limits.max_url_bytes") || strings.Contains(k, "limits.max_header_")
		if wireLimit || sharedStateKey(k) || strings.HasPrefix(k, "listen.") || strings.HasPrefix(k, "server.") || strings.HasPrefix(k, "log.") || strings.HasPrefix(k, "store.") {
			restart = append(restart, k)
		}
	}
	if len(restart) > 0 {
		details["restart_required"] = strings.Join(restart, ",")
		log.Warn("some changed keys take effect only after a restart", "keys", strings.Join(restart, ","))
	}
	for _, w := range config.Lint(cfg) {
		log.Warn("insecure setting", "key", w.Key, "warning", w.Msg)
	}
	log.Info("config reloaded", "keys", strings.Join(keys, ","))
	bus.Publish(events.Event{Type: events.ConfigChanged, Severity: events.SeverityInfo,
		Message: "config reloaded", Details: details})
}

// openStore opens the configured store and applies pending migrations.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (store.Store, error) {
	st, err := openStoreNoMigrate(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	return st, nil
}

// openStoreNoMigrate is the one place that picks a store driver.
func openStoreNoMigrate(ctx context.Context, cfg *config.Config, log *slog.Logger) (store.Store, error) {
	switch cfg.Store.Driver {
	case "", "sqlite":
		db, err := sqlite.Open(ctx, cfg.Store.Path, log.With("component", "store"))
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return db, nil
	}
	return nil, fmt.Errorf("store driver %q is not available in this build", cfg.Store.Driver)
}

func listenDetails(s *gateway.Server) map[string]string {
	d := map[string]string{}
	if s.HTTPAddr != nil {
		d["http"] = s.HTTPAddr.String()
	}
	if s.HTTPSAddr != nil {
		d["https"] = s.HTTPSAddr.String()
	}
	if s.AdminAddr != nil {
		d["admin"] = s.AdminAddr.String()
	}
	return d
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// retainEvents deletes events older than retention once at start and then
// hourly, until ctx ends. A retention of 0 keeps events forever.
func retainEvents(ctx context.Context, st store.Events, retention time.Duration, log *slog.Logger) {
	if retention <= 0 {
		return
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.DeleteEventsBefore(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("event retention failed", "err", err)
		case n > 0:
			log.Info("old events deleted", "count", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// expirer deletes what the store keeps past its end.
type expirer interface {
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)
}

// deleteExpired removes expired sessions and one-time tokens every
// interval until ctx ends. Several nodes may run it at once: each delete is
// one statement, and deleting what another node deleted is harmless.
func deleteExpired(ctx context.Context, st expirer, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := time.Now()
		s, err1 := st.DeleteExpiredSessions(ctx, now)
		k, err2 := st.DeleteExpiredTokens(ctx, now)
		switch {
		case (err1 != nil || err2 != nil) && ctx.Err() == nil:
			log.Warn("deleting expired sessions and tokens failed", "err", errors.Join(err1, err2))
		case s+k > 0:
			log.Info("expired sessions and tokens deleted", "sessions", s, "tokens", k)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
