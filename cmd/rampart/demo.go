package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"rampart/internal/config"
	"rampart/internal/demo"
	"rampart/internal/gateway"
)

func newDemoCmd() *cobra.Command {
	var addr string
	var keep bool
	var wf wafFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the gateway in front of a built-in sample shop, on loopback",
		Long: `Start, on loopback only, a small deliberately vulnerable sample shop (a
login form, a search page and a JSON API) and the rampart gateway in front
of it, with events in a SQLite database in a temporary directory. The URLs
are printed; Ctrl-C stops everything and removes the temporary directory
(unless --keep).

Try the gateway's work by comparing the app directly and through rampart:
the WAF (in block mode unless --waf says otherwise) refusing injection and
XSS with 403, response headers, stripped banners, cookie flags, masked 500
pages.`,
		Example: "  rampart demo\n  rampart demo --addr 127.0.0.1:9000",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return configError(fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080", addr))
			}
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return configError(fmt.Errorf("--addr %q: the demo app is deliberately vulnerable and listens on loopback only (127.0.0.1 or ::1)", addr))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDemoWith(ctx, cmd, addr, keep, wf, nil)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "loopback address for the gateway")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary directory (the SQLite event store) after exit")
	wf.register(cmd)
	return cmd
}

// runDemoWith is runDemo with an extra hook called once the gateway listens.
func runDemoWith(ctx context.Context, cmd *cobra.Command, addr string, keep bool, wf wafFlags, onReady func(*gateway.Server)) error {
	out := cmd.OutOrStdout()
	dir, err := os.MkdirTemp("", "rampart-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	appLog := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn})).With("log", "demo-app")
	app, err := demo.NewApp(appLog)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for demo app: %w", err)
	}
	appSrv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := appSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			appLog.Error("demo app stopped", "err", err)
		}
	}()
	defer appSrv.Close()
	appURL := "http://" + ln.Addr().String()

	doc := map[string]any{
		"listen": map[string]any{"http": addr, "admin": "127.0.0.1:0"},
		"log":    map[string]any{"format": "text", "access_log": true, "file": filepath.Join(dir, "rampart.log")},
		"store":  map[string]any{"path": filepath.Join(dir, "rampart.db")},
		"waf":    wf.doc(),
		"routes": []map[string]any{{
			"name":      "shop",
			"upstreams": []string{appURL},
			"upstream": map[string]any{"health_check": map[string]any{
				"path": "/api/health", "interval": "5s",
			}},
		}},
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "rampart.yaml")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return configError(err)
	}
	return runGateway(ctx, cfg, runOptions{stderr: cmd.ErrOrStderr(), ready: func(s *gateway.Server) {
		gw := "http://" + s.HTTPAddr.String()
		fmt.Fprintf(out, `rampart demo is running (Ctrl-C to stop)

  shop through rampart  %s/
  search page           %s/search?q=lamp
  JSON API              %s/api/products
  the app directly      %s/   (unprotected, for comparison)
  metrics               http://%s/metrics
  config                %s
  logs                  %s
  event store (SQLite)  %s

Compare the app and the gateway (WAF: %s, engine %s):
  curl -si '%s/search?q=%%27%%20OR%%201%%3D1--'   the app: a SQL error page
  curl -si '%s/search?q=%%27%%20OR%%201%%3D1--'   rampart: 403 with a request ID
  curl -si '%s/search?q=%%3Cscript%%3Ealert(1)%%3C/script%%3E'
`, gw, gw, gw, appURL, s.AdminAddr, cfgPath, filepath.Join(dir, "rampart.log"), filepath.Join(dir, "rampart.db"), wf.mode, wf.engine, appURL, gw, gw)
		fmt.Fprintf(out, "\nDemo login: %s / %s\n", demo.Username, demo.Password)
		if onReady != nil {
			onReady(s)
		}
	}})
}
