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
	// Browser loads the crawled pages in headless Chromium: the browser
	// crawl (the requests, links, forms and routes the pages' scripts
	// make) and, with Active, the DOM checks.
	Browser bool
	// Callback is the out-of-band listener the SSRF check gives the
	// target to request: "http://HOST:PORT" listens on HOST:PORT (an
	// address of this machine the target can reach; port 0 picks one),
	// "off" runs the check in band only. Empty picks one when the target
	// is on loopback or a private network: the address of this machine
	// on the route to the target, on a free port.
	Callback string
	// APISpecs are API descriptions (OpenAPI 3.0 or 3.1, Swagger 2.0; JSON
	// or YAML), each a file path or an http(s) URL, whose operations the
	// scan requests on the target: GET operations are crawled, and the
	// active checks attack what the Active level allows. One that cannot
	// be read is in the Report's Notes; a URL outside the scope is fetched
	// without Header and Cookies.
	APISpecs []string
	// NoAPIDiscovery turns off looking for API descriptions at well-known
	// paths of the target (/openapi.json, /swagger.json, /v3/api-docs…)
	// and in the crawl; APISpecs are still read.
	NoAPIDiscovery bool
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
