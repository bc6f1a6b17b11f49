package main

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"rampart/internal/scan"
	"rampart/internal/scan/tlsaudit"
)

// defaultScanEngine is the real scanner and TLS audit.
func defaultScanEngine() scanEngine {
	return scanEngine{
		scan: func(ctx context.Context, cfg scan.Config, log *slog.Logger) (*scan.Report, error) {
			s, err := scan.New(cfg, log)
			if err != nil {
				return nil, err
			}
			return s.Run(ctx)
		},
		audit: func(ctx context.Context, addr string, roots *x509.CertPool, timeout time.Duration) (*scan.TLSResult, []scan.Finding, error) {
			// One TLS probe is a handshake: the audit's own default (5s)
			// unless --timeout is shorter.
			t := min(timeout, 5*time.Second)
			return tlsaudit.Audit(ctx, addr, tlsaudit.Config{Timeout: t, RootCAs: roots})
		},
		// The scanner runs active checks (package scan/active) and, with
		// --browser, DOM checks in headless Chromium (scan/dom.go); without
		// a Chromium the report's notes say they did not run.
		activeImplemented:  true,
		browserImplemented: true,
	}
}
