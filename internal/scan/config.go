package scan

import (
	"net/http"
	"regexp"
	"time"
)

// Active says how far active checks go.
type Active int

// Active levels.
const (
	// ActiveOff sends no payloads: crawl and passive checks only.
	ActiveOff Active = iota
	// ActiveSafe sends payloads that change nothing on a correct server
	// (reflection probes, quotes, arithmetic, sleeps, file reads), and
	// never submits forms that look like they change state.
	ActiveSafe
	// ActiveFull also submits state-changing forms with payloads (stored
	// XSS, uploads, CSRF checks). Only against test systems.
	ActiveFull
)

// Config is how a scan runs. Zero fields take the defaults.
type Config struct {
	// Target is the start URL.
	Target string
	// Include and Exclude narrow the scope: a URL is scanned when it is on
	// the target's host (scheme and port included), matches an Include
	// pattern if there are any, and matches no Exclude pattern.
	Include, Exclude []*regexp.Regexp
	// IgnoreRobots crawls what robots.txt disallows (the report says so).
	IgnoreRobots bool
	// Rate is the most requests per second (default 20); Concurrency the
	// most in flight (default 4).
	Rate        float64
	Concurrency int
	// MaxPages (default 500), MaxDepth (default 10) and MaxTime (default
	// 10m) bound the crawl and the scan.
	MaxPages int
	MaxDepth int
	MaxTime  time.Duration
	// Timeout bounds one request (default 10s).
	Timeout time.Duration
	// Header and Cookies are sent with every request (authenticated
	// scans); they are secrets and are redacted from every output.
	Header  http.Header
	Cookies []*http.Cookie
	// Login, when set, signs in through a form before the crawl.
	Login *Login
	// Active is the level of active checks (default ActiveOff).
	Active Active
	// ActiveDelay is the sleep time-based payloads ask for (default 3s).
	ActiveDelay time.Duration
	// Browser runs DOM checks in headless Chromium.
	Browser bool
	// UserAgent is sent with every request (default "rampart-scan/VERSION").
	UserAgent string
	// Secrets are further strings to redact from every output (passwords
	// given for Login are added by the scanner).
	Secrets []string
	// Client, when set, is the HTTP client (tests); its redirects are not
	// followed by the scanner's own logic.
	Client *http.Client
	// Progress, when set, is told as pages and checks complete.
	Progress func(Progress)
}

// Login signs in through a form: the scanner loads URL, fills the fields
// named Username and Password (and keeps the form's other fields, a CSRF
// token among them), submits it and keeps the cookies it gets.
type Login struct {
	URL           string
	UsernameField string
	PasswordField string
	Username      string
	Password      string // #nosec G117 -- the scan account's password, from the environment; redacted from every output
	// Check, when set, is a string a signed-in page shows ("Sign out"),
	// to tell that the sign-in worked.
	Check string
}

// Progress is a snapshot for a progress bar.
type Progress struct {
	Phase    string // "crawl", "passive", "active", "tls"
	Done     int
	Total    int // 0 when unknown
	Findings int
}
