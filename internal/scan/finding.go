package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Severity orders findings by how much harm they allow.
type Severity int

// Severities, in increasing order.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the lowercase name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name as ParseSeverity does.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads "info", "low", "medium", "high" or "critical", in
// any case.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("severity %q: want one of %s", s, strings.Join(severityNames, ", "))
}

// Confidence says how sure the scanner is that a finding is real.
type Confidence int

// Confidences, in increasing order.
const (
	// ConfidenceTentative: a pattern matched, nothing confirmed it.
	ConfidenceTentative Confidence = iota
	// ConfidenceFirm: the response shows the flaw, e.g. a header is
	// missing, an error signature of a DBMS appeared after a quote.
	ConfidenceFirm
	// ConfidenceConfirmed: a second, independent test proved it (the
	// payload parsed as markup, a delay repeated with statistics, an
	// arithmetic result came back).
	ConfidenceConfirmed
)

var confidenceNames = []string{"tentative", "firm", "confirmed"}

func (c Confidence) String() string {
	if c < 0 || int(c) >= len(confidenceNames) {
		return fmt.Sprintf("confidence(%d)", int(c))
	}
	return confidenceNames[c]
}

// MarshalText writes the lowercase name.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a lowercase name.
func (c *Confidence) UnmarshalText(b []byte) error {
	for i, n := range confidenceNames {
		if strings.EqualFold(string(b), n) {
			*c = Confidence(i)
			return nil
		}
	}
	return fmt.Errorf("confidence %q: want one of %s", b, strings.Join(confidenceNames, ", "))
}

// OWASP Top 10 (2021) categories, as findings name them.
const (
	OWASPBrokenAccessControl      = "A01:2021-Broken Access Control"
	OWASPCryptographicFailures    = "A02:2021-Cryptographic Failures"
	OWASPInjection                = "A03:2021-Injection"
	OWASPInsecureDesign           = "A04:2021-Insecure Design"
	OWASPSecurityMisconfig        = "A05:2021-Security Misconfiguration"
	OWASPVulnerableComponents     = "A06:2021-Vulnerable and Outdated Components"
	OWASPAuthFailures             = "A07:2021-Identification and Authentication Failures"
	OWASPIntegrityFailures        = "A08:2021-Software and Data Integrity Failures"
	OWASPLoggingFailures          = "A09:2021-Security Logging and Monitoring Failures"
	OWASPServerSideRequestForgery = "A10:2021-Server-Side Request Forgery"
)

// Evidence shows why a finding was reported. Every field is redacted
// (Redactor) before it is stored in a Finding.
type Evidence struct {
	// Request is an excerpt of the request that showed the flaw: method,
	// URL, the headers that matter, the payload.
	Request string `json:"request,omitempty"`
	// Response is an excerpt of the response: status line, the headers
	// that matter, the part of the body that shows the flaw.
	Response string `json:"response,omitempty"`
	// Detail says in one sentence what was seen ("the payload landed as
	// an element <svg onload=…> in the parsed body").
	Detail string `json:"detail,omitempty"`
}

// Finding is one flaw, with every URL it was seen at.
type Finding struct {
	// Check names the check that found it, dotted: "headers.hsts",
	// "xss.reflected", "sqli.error", "tls.protocol".
	Check string `json:"check"`
	// Title is one line for people: "Reflected cross-site scripting".
	Title      string     `json:"title"`
	Severity   Severity   `json:"severity"`
	Confidence Confidence `json:"confidence"`
	// CWE is the weakness number (79 for XSS), 0 when none fits.
	CWE int `json:"cwe,omitempty"`
	// OWASP is the Top 10 (2021) category, one of the OWASP constants.
	OWASP string `json:"owasp,omitempty"`
	// Description explains the flaw and its risk; Fix says how to remove
	// it. Both are plain text.
	Description string `json:"description"`
	Fix         string `json:"fix"`
	// Parameter is the insertion point ("query:q", "form:name",
	// "json:$.user.name", "header:Referer", "cookie:id", "path:2"), ""
	// for a finding about a whole response or site.
	Parameter string `json:"parameter,omitempty"`
	// URLs are the affected URLs (without query values that are secrets),
	// sorted and unique. The first is where the evidence comes from.
	URLs     []string `json:"urls"`
	Evidence Evidence `json:"evidence"`
	// References are links to read more (CWE, OWASP cheat sheets).
	References []string `json:"references,omitempty"`
}

// Key is what deduplicates findings: one finding per check, parameter
// and, for site-wide checks, host. Two findings with one Key are one flaw
// seen at several URLs.
func (f Finding) Key() string {
	h := sha256.Sum256([]byte(f.Check + "\x00" + f.Parameter + "\x00" + f.scopeOf()))
	return hex.EncodeToString(h[:8])
}

// scopeOf is the part of the first URL that tells flaws apart beyond
// check and parameter: the scheme and host for findings without a
// parameter (a header missing on a whole site is one finding), the path
// for findings with one (the "q" of /search and the "q" of /find are two
// flaws).
func (f Finding) scopeOf() string {
	if len(f.URLs) == 0 {
		return ""
	}
	u := f.URLs[0]
	rest, scheme, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	host, path, _ := strings.Cut(scheme, "/")
	if f.Parameter == "" {
		return rest + "://" + host
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return rest + "://" + host + "/" + path
}

// Set deduplicates findings as checks report them. It is safe for
// concurrent use. Adding a URL costs a map insert; sorting happens once,
// in Findings.
type Set struct {
	mu    sync.Mutex
	order []string
	m     map[string]*setEntry
}

type setEntry struct {
	f     Finding
	first string              // the URL of the evidence
	urls  map[string]struct{} // every URL, first included
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{m: map[string]*setEntry{}} }

// Add records f, or adds its URLs to the finding with the same Key. A
// later report of the same flaw with higher confidence replaces the
// evidence, the confidence and the URL listed first.
func (s *Set) Add(f Finding) {
	k := f.Key()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		e = &setEntry{f: f, first: first(f.URLs), urls: make(map[string]struct{}, len(f.URLs))}
		e.f.URLs = nil
		s.m[k] = e
		s.order = append(s.order, k)
	} else if f.Confidence > e.f.Confidence {
		e.f.Confidence, e.f.Evidence = f.Confidence, f.Evidence
		if len(f.URLs) > 0 {
			e.first = f.URLs[0]
		}
	}
	for _, u := range f.URLs {
		e.urls[u] = struct{}{}
	}
}

// Findings returns the findings, most severe first, then by check and
// first URL. Each finding's URLs start with the one its evidence comes
// from, the rest sorted.
func (s *Set) Findings() []Finding {
	s.mu.Lock()
	out := make([]Finding, 0, len(s.order))
	for _, k := range s.order {
		e := s.m[k]
		f := e.f
		f.URLs = make([]string, 0, len(e.urls))
		if e.first != "" {
			f.URLs = append(f.URLs, e.first)
		}
		rest := make([]string, 0, len(e.urls))
		for u := range e.urls {
			if u != e.first {
				rest = append(rest, u)
			}
		}
		slices.Sort(rest)
		f.URLs = append(f.URLs, rest...)
		out = append(out, f)
	}
	s.mu.Unlock()
	SortFindings(out)
	return out
}

// SortFindings orders findings most severe first, then by check, then by
// first URL and parameter.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity - a.Severity)
		}
		if c := strings.Compare(a.Check, b.Check); c != 0 {
			return c
		}
		if c := strings.Compare(first(a.URLs), first(b.URLs)); c != 0 {
			return c
		}
		return strings.Compare(a.Parameter, b.Parameter)
	})
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
