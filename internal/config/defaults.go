package config

import (
	"slices"
	"time"
)

// defaultRemoveHeaders are the response headers stripped by default: they
// name the upstream's server, framework or cache and its version, which
// tells an attacker which exploits to try.
var defaultRemoveHeaders = []string{
	"Server",
	"X-Powered-By",
	"X-AspNet-Version",
	"X-AspNetMvc-Version",
	"X-Generator",
	"X-Drupal-Cache",
	"X-Drupal-Dynamic-Cache",
	"X-Runtime",
	"X-Varnish",
	"Via",
	"X-Backend-Server",
	"X-Debug-Token",
	"X-Debug-Token-Link",
	"X-Powered-CMS",
	"X-Turbo-Charged-By",
	"X-Mod-Pagespeed",
	"X-Page-Speed",
}

// Default returns a config holding every default and no routes. Parse
// decodes a file onto it, so keys the file leaves out keep these values.
func Default() *Config {
	return &Config{
		Listen: Listen{
			HTTP: ":8080",
			// The admin listener serves the dashboard and admin API; it
			// stays on loopback unless the operator decides otherwise.
			Admin: "127.0.0.1:9090",
		},
		TLS: TLS{
			MinVersion: "1.2",
			HSTS:       "max-age=31536000; includeSubDomains",
		},
		Server: Server{
			ReadTimeout:           30 * time.Second,
			ReadHeaderTimeout:     10 * time.Second,
			WriteTimeout:          60 * time.Second,
			IdleTimeout:           120 * time.Second,
			ShutdownTimeout:       30 * time.Second,
			MaxConcurrentRequests: 10000,
		},
		ForwardedHeader: "x-forwarded-for",
		RequestID:       RequestID{Header: "X-Request-Id"},
		Limits: Limits{
			MaxURLBytes:    8192,
			MaxHeaderBytes: 32768,
			MaxHeaderCount: 100,
			MaxBodyBytes:   10 << 20,
		},
		Headers: Headers{
			ContentSecurityPolicy:   "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
			ContentTypeOptions:      "nosniff",
			FrameOptions:            "DENY",
			ReferrerPolicy:          "strict-origin-when-cross-origin",
			PermissionsPolicy:       "camera=(), microphone=(), geolocation=(), payment=()",
			CrossOriginOpenerPolicy: "same-origin",
			HSTS:                    ptr(true),
			Remove:                  slices.Clone(defaultRemoveHeaders),
			Cookies: CookieFlags{
				Secure:   true,
				HTTPOnly: true,
				SameSite: "lax",
			},
			Mask5xx: true,
		},
		Upstream: UpstreamPolicy{
			DialTimeout:         5 * time.Second,
			ResponseTimeout:     60 * time.Second,
			MaxIdleConnsPerHost: 256,
			HealthCheck: HealthCheck{
				Interval:       10 * time.Second,
				Timeout:        2 * time.Second,
				UnhealthyAfter: 3,
				HealthyAfter:   2,
				ExpectStatus:   "2xx",
			},
			Passive: Passive{
				MaxFails: 3,
				EjectFor: 30 * time.Second,
			},
		},
		Log: Log{
			Level:     "info",
			Format:    "json",
			AccessLog: true,
			File:      "stderr",
		},
		Store: Store{
			Driver:         "sqlite",
			Path:           "rampart.db",
			EventRetention: 720 * time.Hour,
		},
		Redis: Redis{KeyPrefix: "rampart:", DialTimeout: 2 * time.Second, ReadTimeout: 500 * time.Millisecond},
		WAF: WAF{Mode: "block", Engine: "native", Paranoia: 1, InspectBodyBytes: 1 << 20,
			OversizeBody: "inspect_prefix",
			// The same list as waf.DefaultFileTypes (a gateway test
			// keeps them equal).
			FileTypes: []string{"image/svg+xml", "application/xml", "text/xml", "application/xhtml+xml"}},
		Session: Session{CookieSecure: ptr(true), IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour},
		Identity: Identity{
			PortalPath: "/.rampart/", SecretsKeyID: "k1", TokenLifetime: 5 * time.Minute, FetchMetadataCSRF: ptr(true),
			Password: PasswordPolicy{MinLength: 12, MaxLength: 256, CheckCommon: ptr(true)},
			Lockout:  Lockout{Backend: "memory", MaxFailures: 10, MaxIPFailures: 50, Window: 15 * time.Minute, LockFor: 15 * time.Minute},
			Access:   Access{Default: "authenticated"},
			Email:    IdentityEmail{LinkLifetime: 30 * time.Minute},
			Passkeys: Passkeys{Enabled: ptr(true), RPDisplayName: "rampart", UserVerification: "preferred"},
		},
		SMTP:    SMTP{Security: "starttls", Timeout: 30 * time.Second},
		Secrets: map[string]bool{},
	}
}

// NewRoute returns a route named name whose limits, headers, upstream and
// waf blocks are copies of c's global ones, with path prefix "/". Parse
// builds every route this way before decoding the route's own keys onto it;
// code that builds a Config by hand (rampart demo) should too.
func (c *Config) NewRoute(name string, upstreams ...string) Route {
	return Route{
		Name:       name,
		PathPrefix: "/",
		Upstreams:  slices.Clone(upstreams),
		Limits:     c.Limits,
		Headers:    c.Headers.clone(),
		Upstream:   c.Upstream,
		WAF:        c.WAF.clone(),
	}
}

// clone returns a copy of w that shares no memory with it.
func (w WAF) clone() WAF {
	w.Headers = slices.Clone(w.Headers)
	w.FileTypes = slices.Clone(w.FileTypes)
	w.Exclusions = slices.Clone(w.Exclusions)
	w.Rules = slices.Clone(w.Rules)
	w.CRSInclude = slices.Clone(w.CRSInclude)
	return w
}

// clone returns a copy of h that shares no memory with it.
func (h Headers) clone() Headers {
	h.Remove = slices.Clone(h.Remove)
	if h.HSTS != nil {
		h.HSTS = ptr(*h.HSTS)
	}
	return h
}

func ptr[T any](v T) *T { return &v }
