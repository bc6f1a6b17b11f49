package config

import "time"

// Config is a whole rampart configuration after defaults, secret
// substitution and validation. A *Config is immutable once Load returns it:
// the gateway builds its route table from it and swaps it atomically on
// reload.
type Config struct {
	// Node names this gateway process in events and logs ("" = host name).
	Node           string   `yaml:"node"`
	Listen         Listen   `yaml:"listen"`
	TLS            TLS      `yaml:"tls"`
	Server         Server   `yaml:"server"`
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ForwardedHeader names the header the trusted proxies append the
	// client address to: "x-forwarded-for" (default) or "forwarded"
	// (RFC 7239). Only that one is read; a client-sent copy of the other
	// is ignored, since most proxies pass it through untouched.
	ForwardedHeader string         `yaml:"forwarded_header"`
	RequestID       RequestID      `yaml:"request_id"`
	Limits          Limits         `yaml:"limits"`
	Headers         Headers        `yaml:"headers"`
	Upstream        UpstreamPolicy `yaml:"upstream"`
	Log             Log            `yaml:"log"`
	Store           Store          `yaml:"store"`
	Redis           Redis          `yaml:"redis"`
	SMTP            SMTP           `yaml:"smtp"`
	WAF             WAF            `yaml:"waf"`
	Session         Session        `yaml:"session"`
	Identity        Identity       `yaml:"identity"`
	Routes          []Route        `yaml:"routes"`

	// Path is the file the config was loaded from ("" when built in code).
	Path string `yaml:"-"`
	// Secrets lists the dotted keys whose values came from ${env:…} or
	// ${file:…}; config check and change events redact them.
	Secrets map[string]bool `yaml:"-"`

	lines map[string]int    // dotted key → line in Path where it was set
	refs  map[string]string // secret-derived key → the ${…} text it was written as
	files []string          // files read by ${file:…}, watched for reloads
}

// Listen holds the listener addresses. An empty address disables it.
type Listen struct {
	HTTP          string `yaml:"http"`           // default ":8080"
	HTTPS         string `yaml:"https"`          // default "" (off)
	RedirectHTTPS bool   `yaml:"redirect_https"` // default false
	Admin         string `yaml:"admin"`          // default "127.0.0.1:9090"
}

// TLS configures the HTTPS listener.
type TLS struct {
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	MinVersion string `yaml:"min_version"` // "1.2" (default) or "1.3"
	// HSTS is the Strict-Transport-Security value sent on HTTPS responses.
	HSTS string `yaml:"hsts"` // default "max-age=31536000; includeSubDomains"
}

// Server holds connection limits and timeouts against slow clients.
type Server struct {
	ReadTimeout           time.Duration `yaml:"read_timeout"`            // 30s
	ReadHeaderTimeout     time.Duration `yaml:"read_header_timeout"`     // 10s
	WriteTimeout          time.Duration `yaml:"write_timeout"`           // 60s
	IdleTimeout           time.Duration `yaml:"idle_timeout"`            // 120s
	ShutdownTimeout       time.Duration `yaml:"shutdown_timeout"`        // 30s
	MaxConcurrentRequests int           `yaml:"max_concurrent_requests"` // 10000
}

// RequestID configures request IDs.
type RequestID struct {
	Header string `yaml:"header"` // default "X-Request-Id"
}

// Limits bound a request. Routes inherit these and may override each key.
type Limits struct {
	MaxURLBytes    int   `yaml:"max_url_bytes"`    // 8192
	MaxHeaderBytes int   `yaml:"max_header_bytes"` // 32768
	MaxHeaderCount int   `yaml:"max_header_count"` // 100
	MaxBodyBytes   int64 `yaml:"max_body_bytes"`   // 10 MiB
}

// Headers configures response hardening. Routes inherit these and may
// override each key. An empty value leaves that header alone.
type Headers struct {
	ContentSecurityPolicy   string `yaml:"content_security_policy"`
	ContentTypeOptions      string `yaml:"content_type_options"`       // "nosniff"
	FrameOptions            string `yaml:"frame_options"`              // "DENY"
	ReferrerPolicy          string `yaml:"referrer_policy"`            // "strict-origin-when-cross-origin"
	PermissionsPolicy       string `yaml:"permissions_policy"`         // camera=(), microphone=(), geolocation=()...
	CrossOriginOpenerPolicy string `yaml:"cross_origin_opener_policy"` // "same-origin"
	HSTS                    *bool  `yaml:"hsts"`                       // send tls.hsts on HTTPS; default true
	// Override replaces values the upstream set; by default they are kept.
	Override bool `yaml:"override"`
	// Remove lists response headers to strip (version banners). A route
	// that sets it replaces the global list rather than adding to it.
	Remove  []string    `yaml:"remove"`
	Cookies CookieFlags `yaml:"cookies"`
	// Mask5xx replaces upstream 5xx bodies with a plain page carrying the
	// request ID, so stack traces do not reach clients.
	Mask5xx bool `yaml:"mask_5xx"` // default true
}

// CookieFlags are added to upstream Set-Cookie headers that lack them.
type CookieFlags struct {
	Secure   bool   `yaml:"secure"`    // default true (only on HTTPS responses)
	HTTPOnly bool   `yaml:"http_only"` // default true
	SameSite string `yaml:"same_site"` // "lax" (default), "strict", "none" or "" (leave)
}

// UpstreamPolicy holds defaults for upstream pools. Routes inherit these.
type UpstreamPolicy struct {
	// TLSSkipVerify turns off certificate verification to upstreams. It is
	// off by default and config check warns when it is on.
	TLSSkipVerify       bool          `yaml:"tls_skip_verify"`
	CAFile              string        `yaml:"ca_file"`
	DialTimeout         time.Duration `yaml:"dial_timeout"`            // 5s
	ResponseTimeout     time.Duration `yaml:"response_timeout"`        // 60s: time to response headers
	MaxIdleConnsPerHost int           `yaml:"max_idle_conns_per_host"` // 256
	HealthCheck         HealthCheck   `yaml:"health_check"`
	Passive             Passive       `yaml:"passive"`
}

// HealthCheck configures active health checks of each upstream URL.
type HealthCheck struct {
	Path           string        `yaml:"path"`            // "" = no active checks
	Interval       time.Duration `yaml:"interval"`        // 10s
	Timeout        time.Duration `yaml:"timeout"`         // 2s
	UnhealthyAfter int           `yaml:"unhealthy_after"` // 3 failures
	HealthyAfter   int           `yaml:"healthy_after"`   // 2 successes
	ExpectStatus   string        `yaml:"expect_status"`   // "2xx" (also "200", "2xx-3xx")
}

// Passive configures ejection of an upstream on proxy errors.
type Passive struct {
	MaxFails int           `yaml:"max_fails"` // 3 consecutive errors; 0 = off
	EjectFor time.Duration `yaml:"eject_for"` // 30s
}

// Log configures logging.
type Log struct {
	Level     string `yaml:"level"`      // debug, info (default), warn, error
	Format    string `yaml:"format"`     // json (default) or text
	AccessLog bool   `yaml:"access_log"` // default true
	// File is where logs go: "" or "stderr" (default), "stdout", or a path.
	File string `yaml:"file"`
}

// Store selects the persistence backend.
type Store struct {
	Driver string `yaml:"driver"` // "sqlite" (default); "postgres" arrives with its issue
	// Path is the SQLite database file (default "rampart.db").
	Path string `yaml:"path"`
	// DSN is the PostgreSQL URL; it usually holds a password, so it is a
	// secret: write it as ${env:…} or ${file:…}.
	DSN Secret `yaml:"dsn"`
	// EventRetention is how long events are kept (default 720h = 30 days).
	EventRetention time.Duration `yaml:"event_retention"`
}

// WAF holds the request inspection settings (internal/waf).
type WAF struct {
	Mode string `yaml:"mode"` // "block" (default), "detect", "off"
	// Engine is "native" (default, rampart's own) or "crs" (Coraza with the
	// OWASP Core Rule Set).
	Engine string `yaml:"engine"`
	// Paranoia is 1 (default) to 4: higher levels turn on stricter rules
	// and lower the threshold, catching more at the price of more false
	// positives.
	Paranoia int `yaml:"paranoia"`
	// Threshold is the anomaly score at which a request counts as an attack;
	// 0 (default) takes it from the paranoia level (5, 5, 4, 3).
	Threshold int `yaml:"threshold"`
	// InspectBodyBytes bounds how much of a request body is inspected
	// (default 1 MiB).
	InspectBodyBytes int64 `yaml:"inspect_body_bytes"`
	// OversizeBody says what happens to a longer body: "inspect_prefix"
	// (default: inspect the first InspectBodyBytes and pass the rest
	// unread) or "refuse" (413).
	OversizeBody string `yaml:"oversize_body"`
	// Headers are header names inspected besides User-Agent, Referer and
	// Cookie (and X-Forwarded-*, Forwarded, X-Real-IP from clients that are
	// not trusted proxies), which always are.
	Headers []string `yaml:"headers"`
	// FileTypes are the content types of multipart file parts whose
	// content is inspected (file names always are), e.g. text/plain.
	FileTypes []string `yaml:"file_types"`
	// Exclusions turn findings off where they are known to be false
	// positives.
	Exclusions []WAFExclusion `yaml:"exclusions"`
	// Rules are custom rules for virtual patching.
	Rules []WAFRule `yaml:"rules"`
	// CRSInclude lists files of extra SecLang directives loaded after the
	// CRS when engine is crs (your own rules or CRS exclusions).
	CRSInclude []string `yaml:"crs_include"`
}

// WAFExclusion turns off the findings of a rule or class at a location.
// At least one of Rule and Class is required.
type WAFExclusion struct {
	// Rule is a rule ID ("sqli.tautology") or a prefix ending in "*"
	// ("sqli.*").
	Rule string `yaml:"rule"`
	// Class is an attack class ("sqli", "xss", ...).
	Class string `yaml:"class"`
	// Location limits the exclusion to where a value came from:
	// "query:q", "json:$.comment", "header:user-agent", or a prefix
	// ending in "*" ("json:$.posts*"); empty means everywhere.
	Location string `yaml:"location"`
}

// WAFRule is a custom rule (a virtual patch): when the operator matches a
// target value, the action is taken.
type WAFRule struct {
	// ID names the rule in events ("custom.<id>"): a-z, 0-9, - and _.
	ID string `yaml:"id"`
	// Target is a location as in exclusions ("query:id", "path",
	// "header:x-api-version", "json:$.role", "body", prefix "query:*"), or
	// "any" for every value.
	Target string `yaml:"target"`
	// Operator is one of contains, equals, prefix, suffix, regex.
	// contains, equals, prefix and suffix compare case-insensitively.
	Operator string `yaml:"operator"`
	// Value is what the operator compares with (an RE2 expression for
	// regex).
	Value string `yaml:"value"`
	// Action is block (default: the request counts as an attack) or log
	// (only a finding in the event, no score).
	Action string `yaml:"action"`
}

// Session holds portal session settings read by the identity stage.
type Session struct {
	CookieSecure    *bool         `yaml:"cookie_secure"`    // default true
	IdleTimeout     time.Duration `yaml:"idle_timeout"`     // 30m
	AbsoluteTimeout time.Duration `yaml:"absolute_timeout"` // 12h
}

// Identity configures accounts, the login portal and access rules.
type Identity struct {
	// Enabled turns the identity stage and the portal on (default false).
	Enabled bool `yaml:"enabled"`
	// PortalPath is where the portal is mounted on every host
	// (default "/.rampart/").
	PortalPath string `yaml:"portal_path"`
	// SecretsKey is the AES-256 key (32 bytes, base64 or hex) that seals
	// second-factor secrets in the store and keys CSRF tokens; required
	// when enabled. Give it as ${env:NAME} or ${file:PATH}.
	SecretsKey Secret `yaml:"secrets_key"`
	// SecretsKeyID names SecretsKey in what it seals (default "k1").
	SecretsKeyID string `yaml:"secrets_key_id"`
	// OldSecretsKeys still open what they sealed, after a rotation.
	OldSecretsKeys []SecretsKey `yaml:"old_secrets_keys"`
	// AllowedRedirectHosts are the hosts, besides the request's own, the
	// portal may send a user back to after signing in (https only).
	AllowedRedirectHosts []string `yaml:"allowed_redirect_hosts"`
	// APIKeyHeader is a header that carries API keys besides
	// "Authorization: Bearer" (default none).
	APIKeyHeader string `yaml:"api_key_header"`
	// FetchMetadataCSRF refuses state-changing requests from other sites
	// (Sec-Fetch-Site, else Origin) that carry the rampart session, on
	// every route (default true).
	FetchMetadataCSRF *bool `yaml:"fetch_metadata_csrf"`
	// TokenLifetime is how long the signed identity JWT passed upstream in
	// X-Rampart-Identity is valid (default 5m, at most 24h).
	TokenLifetime time.Duration  `yaml:"token_lifetime"`
	Password      PasswordPolicy `yaml:"password"`
	Lockout       Lockout        `yaml:"lockout"`
	Access        Access         `yaml:"access"`
	Email         IdentityEmail  `yaml:"email"`
	// MFARoles are roles whose holders need a second factor on every route
	// that is not public, and enrol one at their first sign-in.
	MFARoles []string `yaml:"mfa_roles"`
	Passkeys Passkeys `yaml:"passkeys"`
}

// SecretsKey is an earlier key kept for opening what it sealed.
type SecretsKey struct {
	ID  string `yaml:"id"`
	Key Secret `yaml:"key"`
}

// PasswordPolicy follows NIST SP 800-63B.
type PasswordPolicy struct {
	MinLength   int   `yaml:"min_length"`   // 12
	MaxLength   int   `yaml:"max_length"`   // 256
	CheckCommon *bool `yaml:"check_common"` // true
}

// Lockout throttles password guessing.
type Lockout struct {
	// Backend keeps the counts: "memory" (default, one node) or "redis"
	// (shared by every node; needs redis.url).
	Backend       string        `yaml:"backend"`
	MaxFailures   int           `yaml:"max_failures"`    // 10 per account in window
	MaxIPFailures int           `yaml:"max_ip_failures"` // 50 per client address in window
	Window        time.Duration `yaml:"window"`          // 15m
	LockFor       time.Duration `yaml:"lock_for"`        // 15m
}

// Access holds the access rules: the first rule that matches a request
// decides; Default decides for requests no rule matches.
type Access struct {
	// Default is public, authenticated (default) or deny.
	Default string       `yaml:"default"`
	Rules   []AccessRule `yaml:"rules"`
}

// AccessRule matches requests by host, path and method.
type AccessRule struct {
	Hosts   []string `yaml:"hosts"`   // exact or "*.example.com"; empty: any
	Paths   []string `yaml:"paths"`   // prefix "/admin" or glob "/api/*/x", "/static/**"; empty: any
	Methods []string `yaml:"methods"` // empty: any
	// Policy is public, authenticated, roles or deny.
	Policy string   `yaml:"policy"`
	Roles  []string `yaml:"roles"` // for policy roles: any of them
	MFA    bool     `yaml:"mfa"`   // a second factor is required
}

// Route sends matching requests to an upstream pool.
type Route struct {
	Name string `yaml:"name"` // required, unique
	// Hosts match the Host header: exact names or "*.example.com"; empty
	// matches any host.
	Hosts []string `yaml:"hosts"`
	// PathPrefix matches the start of the path at a segment boundary
	// ("/api" matches "/api" and "/api/x", not "/apix"); default "/".
	PathPrefix string `yaml:"path_prefix"`
	// StripPrefix removes PathPrefix before forwarding.
	StripPrefix bool `yaml:"strip_prefix"`
	// Upstreams are the pool's base URLs (http:// or https://), used in
	// round robin.
	Upstreams []string `yaml:"upstreams"`
	// PreserveHost forwards the client's Host header instead of the
	// upstream's.
	PreserveHost bool `yaml:"preserve_host"`

	// Per-route settings, inherited key by key from the global ones.
	Limits   Limits         `yaml:"limits"`
	Headers  Headers        `yaml:"headers"`
	Upstream UpstreamPolicy `yaml:"upstream"`
	WAF      WAF            `yaml:"waf"`

	// Line is where the route starts in the config file.
	Line int `yaml:"-"`
}

// Secret is a string that never appears in logs or output.
type Secret string

// String returns "[redacted]" unless the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slogValue { return slogStringValue(s.String()) }

// MarshalText keeps secrets out of any encoded form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret's value for the one place that uses it.
func (s Secret) Reveal() string { return string(s) }
