package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"rampart/internal/scan"
)

// gatewayTransport sends each request of a scan to a gateway instead of
// the target: the URL keeps the target's path and query, the Host header
// stays the target's, and only the connection goes to the gateway. The
// scanner sees the target's URLs, so findings of both runs have the same
// Keys.
type gatewayTransport struct {
	gateway *url.URL
	next    http.RoundTripper
}

func (g *gatewayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.URL.Scheme, r.URL.Host = g.gateway.Scheme, g.gateway.Host
	return g.next.RoundTrip(r)
}

// comparison is what a gateway did to a scan's findings, by Finding.Key.
type comparison struct {
	// blocked were found directly and not through the gateway: it blocked
	// the request or fixed the response (a header it adds, a stack trace
	// it masks).
	blocked []scan.Finding
	// through were found both ways: the gateway lets them through.
	through []scan.Finding
	// gatewayOnly were found only through the gateway.
	gatewayOnly []scan.Finding
}

func compareFindings(direct, via []scan.Finding) comparison {
	viaKeys := map[string]bool{}
	for _, f := range via {
		viaKeys[f.Key()] = true
	}
	directKeys := map[string]bool{}
	var c comparison
	for _, f := range direct {
		directKeys[f.Key()] = true
		if viaKeys[f.Key()] {
			c.through = append(c.through, f)
		} else {
			c.blocked = append(c.blocked, f)
		}
	}
	for _, f := range via {
		if !directKeys[f.Key()] {
			c.gatewayOnly = append(c.gatewayOnly, f)
		}
	}
	return c
}

// compare is --compare-through: the same scan directly and through the
// gateway. The report is the scan through the gateway (what an attacker
// meets), with notes naming what the gateway blocks and what gets
// through.
func (sf *scanFlags) compare(ctx context.Context, p *scanPlan, log *slog.Logger, prog *progress) (*scan.Report, error) {
	// The TLS audit is of a host, not of a path through the gateway: it
	// runs with "rampart scan --tls".
	p.tlsAddr = ""
	prog.note("scan 1 of 2: directly at %s", p.cfg.Target)
	direct, err := sf.scanOnce(ctx, p, p.cfg, log.With("run", "direct"), prog)
	if err != nil {
		return nil, fmt.Errorf("direct scan: %w", err)
	}
	prog.note("scan 2 of 2: through the gateway at %s", p.gateway.Redacted())
	cfg := p.cfg
	cfg.Client = &http.Client{Transport: &gatewayTransport{gateway: p.gateway, next: scanTransport(p.roots, cfg)}}
	via, err := sf.scanOnce(ctx, p, cfg, log.With("run", "gateway"), prog)
	if err != nil {
		return nil, fmt.Errorf("scan through the gateway %s: %w", p.gateway.Redacted(), err)
	}
	c := compareFindings(direct.Findings, via.Findings)
	r := via
	r.Started = direct.Started
	notes := []string{fmt.Sprintf("compared with a direct scan: the gateway at %s blocks or fixes %d of %d findings, %d get through, %d appear only through it",
		p.gateway.Redacted(), len(c.blocked), len(direct.Findings), len(c.through), len(c.gatewayOnly))}
	for _, group := range []struct {
		what string
		fs   []scan.Finding
	}{{"blocked by the gateway", c.blocked}, {"gets through the gateway", c.through}, {"only through the gateway", c.gatewayOnly}} {
		for _, f := range group.fs {
			notes = append(notes, group.what+": "+describe(f))
		}
	}
	r.Notes = append(notes, r.Notes...)
	r.Notes = append(r.Notes, "TLS was not audited in --compare-through mode; run rampart scan --tls HOST:PORT")
	fmt.Fprintf(sf.stderr, "rampart scan: the gateway blocks or fixes %d of %d findings; %d get through\n", len(c.blocked), len(direct.Findings), len(c.through))
	return r, nil
}

// describe is one line naming a finding for a note.
func describe(f scan.Finding) string {
	s := fmt.Sprintf("[%s] %s (%s)", f.Severity, f.Title, f.Check)
	if f.Parameter != "" {
		s += " " + f.Parameter
	}
	if len(f.URLs) > 0 {
		s += " at " + f.URLs[0]
	}
	return s
}

// newTLSConfig is the client TLS configuration of a scan that trusts
// roots (--ca-file) instead of the system's CAs.
func newTLSConfig(roots *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}
