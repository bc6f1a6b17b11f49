package main

import (
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"rampart/internal/config"
	"rampart/internal/gateway"
)

func newProxyCmd() *cobra.Command {
	var from, to, httpsAddr, cert, key, admin, storePath string
	var trusted []string
	var wf wafFlags
	cmd := &cobra.Command{
		Use:   "proxy --from ADDR --to URL",
		Short: "A one-command gateway with every safe default on, no config file",
		Long: `Put rampart in front of one upstream with every safe default on:
request framing and size limits, slow-client timeouts, client-IP and
request-ID handling, the WAF in block mode (attacks get 403 with the
request ID), security headers, banner stripping, cookie flags, masked 5xx
bodies, an access log and a security log on stderr.

With --https, --cert and --key it terminates TLS (HTTP/2 included) and the
--from listener redirects to HTTPS. Events are persisted only with --store.
For anything more, write a config file and use "rampart serve".`,
		Example: `  rampart proxy --from 127.0.0.1:8080 --to http://127.0.0.1:3000
  rampart proxy --from :80 --https :443 --cert site.pem --key site.key --to http://app:8000
  rampart proxy --from 127.0.0.1:8080 --to http://127.0.0.1:3000 --waf detect
  rampart proxy --from 127.0.0.1:8080 --to http://127.0.0.1:3000 --waf-engine crs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := proxyConfig(from, to, httpsAddr, cert, key, admin, storePath, trusted, wf)
			if err != nil {
				return configError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			return runGateway(ctx, cfg, runOptions{stderr: cmd.ErrOrStderr(), noStore: storePath == "",
				ready: func(s *gateway.Server) {
					if s.HTTPSAddr != nil {
						fmt.Fprintf(out, "rampart: https://%s -> %s\n", s.HTTPSAddr, to)
					}
					if s.HTTPAddr != nil {
						fmt.Fprintf(out, "rampart: http://%s -> %s\n", s.HTTPAddr, to)
					}
					if s.AdminAddr != nil {
						fmt.Fprintf(out, "rampart: admin http://%s/metrics\n", s.AdminAddr)
					}
				}})
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "127.0.0.1:8080", "address to listen on for plain HTTP")
	f.StringVar(&to, "to", "", "upstream base URL (http:// or https://)")
	f.StringVar(&httpsAddr, "https", "", "address to listen on for HTTPS (needs --cert and --key)")
	f.StringVar(&cert, "cert", "", "TLS certificate file (PEM)")
	f.StringVar(&key, "key", "", "TLS private key file (PEM)")
	f.StringVar(&admin, "admin", "", "admin listener for /metrics, /healthz, /readyz (off by default)")
	f.StringVar(&storePath, "store", "", "SQLite file to persist security events in (off by default)")
	f.StringSliceVar(&trusted, "trusted-proxy", nil, "CIDR of a proxy in front of rampart whose X-Forwarded-For is believed (repeatable)")
	wf.register(cmd)
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// proxyConfig builds the config for "rampart proxy" and validates it like a
// file, so flags get the same checks and messages.
func proxyConfig(from, to, httpsAddr, cert, key, admin, storePath string, trusted []string, wf wafFlags) (*config.Config, error) {
	if u, err := url.Parse(to); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--to %q: want an upstream URL such as http://127.0.0.1:3000", to)
	}
	doc := map[string]any{
		"listen": map[string]any{
			"http":           from,
			"https":          httpsAddr,
			"redirect_https": httpsAddr != "",
			"admin":          admin,
		},
		"tls": map[string]any{"cert_file": cert, "key_file": key},
		"log": map[string]any{"format": "json", "access_log": true},
		"waf": wf.doc(),
		"routes": []map[string]any{{
			"name":      "default",
			"upstreams": []string{to},
		}},
	}
	if storePath != "" {
		doc["store"] = map[string]any{"path": storePath}
	}
	if len(trusted) > 0 {
		doc["trusted_proxies"] = trusted
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return config.Parse("(proxy flags)", b)
}

// wafFlags are the WAF flags of "rampart proxy" and "rampart demo".
type wafFlags struct {
	mode, engine string
	paranoia     int
}

func (wf *wafFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&wf.mode, "waf", "block", "WAF mode: block (attacks get 403), detect (log only) or off")
	f.StringVar(&wf.engine, "waf-engine", "native", "WAF engine: native (rampart's own) or crs (Coraza with the OWASP CRS)")
	f.IntVar(&wf.paranoia, "waf-paranoia", 1, "WAF paranoia level, 1-4: higher catches more, with more false positives")
}

// doc is the waf block of a generated config; config.Parse validates it
// like a file's.
func (wf *wafFlags) doc() map[string]any {
	return map[string]any{"mode": wf.mode, "engine": wf.engine, "paranoia": wf.paranoia}
}
