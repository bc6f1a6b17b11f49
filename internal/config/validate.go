package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Validate checks c and returns every problem found as *Error values
// joined with errors.Join, or nil. Load and Parse call it; code that builds
// a Config by hand (from Default and NewRoute) calls it before use.
func Validate(c *Config) error {
	var errs []error
	for _, e := range validate(c) {
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// normalize rewrites values that have several spellings into one: trusted
// proxies become masked CIDR prefixes and relative tls and ca_file paths
// become relative to the config file's directory. Values it cannot parse
// are left for validate to report.
func normalize(c *Config) {
	for i, p := range c.TrustedProxies {
		if pr, ok := parseProxy(p); ok {
			c.TrustedProxies[i] = pr.String()
		}
	}
	dir := filepath.Dir(c.Path)
	resolve := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	resolve(&c.TLS.CertFile)
	resolve(&c.TLS.KeyFile)
	resolve(&c.Upstream.CAFile)
	for i := range c.Routes {
		resolve(&c.Routes[i].Upstream.CAFile)
	}
}

// parseProxy parses a trusted proxy entry: a CIDR prefix, or a single IP
// address standing for /32 or /128.
func parseProxy(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

type validator struct {
	c    *Config
	errs []*Error
}

// add reports a problem at key, on the line of key or, when the file did
// not set it, of the first of near that it did set.
func (v *validator) add(key string, near []string, format string, args ...any) {
	line := v.c.Line(key)
	for _, k := range near {
		if line > 0 {
			break
		}
		line = v.c.Line(k)
	}
	v.errs = append(v.errs, &Error{File: v.c.Path, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) errf(key, format string, args ...any) { v.add(key, nil, format, args...) }

func (v *validator) show(key, s string) string { return v.c.show(key, s) }

// public reports whether the value at key may be quoted in a suggestion.
func (v *validator) public(key string) bool { return !v.c.Secrets[key] }

func validate(c *Config) []*Error {
	v := &validator{c: c}
	v.listen()
	v.tls()
	v.server()
	v.trustedProxies()
	v.forwardedHeader()
	v.requestID()
	v.limits("limits", c.Limits)
	v.headers("headers", c.Headers)
	v.upstream("upstream", c.Upstream)
	v.log()
	v.store()
	v.redis()
	v.waf("waf", c.WAF)
	v.identity()
	v.passkeys()
	v.smtp()
	v.routes()
	return dropInherited(v.errs)
}

var routeKey = regexp.MustCompile(`^routes\[\d+\]\.(.+)$`)

// dropInherited drops a route's error when the global key it inherits has
// the same error: the value came from there, so it is reported there.
func dropInherited(errs []*Error) []*Error {
	global := map[[2]string]bool{}
	for _, e := range errs {
		global[[2]string{e.Key, e.Msg}] = true
	}
	out := errs[:0]
	for _, e := range errs {
		if m := routeKey.FindStringSubmatch(e.Key); m != nil && global[[2]string{m[1], e.Msg}] {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (v *validator) listen() {
	l := v.c.Listen
	addrs := []struct{ key, val string }{
		{"listen.http", l.HTTP}, {"listen.https", l.HTTPS}, {"listen.admin", l.Admin},
	}
	for i, a := range addrs {
		if a.val == "" {
			continue
		}
		if msg := checkAddr(a.val, v.public(a.key)); msg != "" {
			v.errf(a.key, "%s %s", v.show(a.key, a.val), msg)
			continue
		}
		for _, b := range addrs[:i] {
			if b.val == a.val && !strings.HasSuffix(a.val, ":0") {
				v.errf(a.key, "is the same address as %s; each listener needs its own port", b.key)
			}
		}
	}
	if l.HTTP == "" && l.HTTPS == "" {
		v.add("listen", []string{"listen.http"}, "neither http nor https is set; set listen.http (e.g. \":8080\") or listen.https (e.g. \":8443\")")
	}
	if l.RedirectHTTPS && l.HTTPS == "" {
		v.errf("listen.redirect_https", "is true but listen.https is not set; set listen.https or turn redirect_https off")
	}
}

// checkAddr checks a listen address and returns what is wrong with it, or
// "". The suggestion quotes s only when public.
func checkAddr(s string, public bool) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if isDigits(s) && public {
			return fmt.Sprintf("is a bare port; write %q to listen on all interfaces or %q for loopback only", ":"+s, "127.0.0.1:"+s)
		}
		return "is not host:port; write e.g. \":8080\" or \"127.0.0.1:8080\""
	}
	if p, err := strconv.Atoi(port); err != nil || !isDigits(port) || p > 65535 {
		return "has an invalid port; a port is a number from 0 to 65535"
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil && checkHostname(host) != "" {
			return "has an invalid host; use an IP address, a host name, or nothing for all interfaces"
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var hstsValue = regexp.MustCompile(`(?i)^max-age=\d+\s*(;|$)`)

func (v *validator) tls() {
	t := v.c.TLS
	switch t.MinVersion {
	case "1.0", "1.1", "1.2", "1.3":
	default:
		v.errf("tls.min_version", "%s is not one of 1.2, 1.3 (1.0 and 1.1 are accepted, with a warning)", v.show("tls.min_version", t.MinVersion))
	}
	if t.HSTS != "" && (!hstsValue.MatchString(t.HSTS) || hasControl(t.HSTS)) {
		v.errf("tls.hsts", "%s does not start with max-age=SECONDS; write e.g. \"max-age=31536000; includeSubDomains\", or \"\" to send none", v.show("tls.hsts", t.HSTS))
	}
	if v.c.Listen.HTTPS == "" {
		return
	}
	near := []string{"listen.https"}
	certOK, keyOK := false, false
	if t.CertFile == "" {
		v.add("tls.cert_file", near, "is required when listen.https is set; name a PEM file with the certificate chain")
	} else {
		certOK = v.readable("tls.cert_file", t.CertFile)
	}
	if t.KeyFile == "" {
		v.add("tls.key_file", near, "is required when listen.https is set; name a PEM file with the private key")
	} else {
		keyOK = v.readable("tls.key_file", t.KeyFile)
	}
	if certOK && keyOK {
		certPEM, err1 := readPEMFile(t.CertFile)
		keyPEM, err2 := readPEMFile(t.KeyFile)
		if err := errors.Join(err1, err2); err != nil {
			v.errf("tls.key_file", "cannot be read with tls.cert_file: %v", err)
		} else if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
			v.errf("tls.key_file", "does not make a usable key pair with tls.cert_file (%v); both must be PEM and belong together", err)
		}
	}
}

// maxPEMFileSize bounds certificate, key and CA files read to check them.
const maxPEMFileSize = 1 << 20

// readPEMFile reads a certificate, key or CA file, refusing files over
// maxPEMFileSize. Its error names no path and no content.
func readPEMFile(p string) ([]byte, error) {
	f, err := os.Open(p) // #nosec G304 -- certificate paths come from the operator's config
	if err != nil {
		return nil, errors.New(fileProblem(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPEMFileSize+1))
	if err != nil {
		return nil, errors.New(fileProblem(err))
	}
	if len(data) > maxPEMFileSize {
		return nil, fmt.Errorf("a file is larger than %d KiB, too large for PEM certificates or keys", maxPEMFileSize>>10)
	}
	return data, nil
}

// readable reports whether the regular file at p can be opened, and
// reports the problem at key when it cannot.
func (v *validator) readable(key, p string) bool {
	fi, err := os.Stat(p)
	if err == nil && !fi.Mode().IsRegular() {
		v.errf(key, "%s is not a regular file", v.show(key, p))
		return false
	}
	if err == nil {
		var f *os.File
		if f, err = os.Open(p); err == nil { // #nosec G304 -- path from the operator's config
			_ = f.Close()
			return true
		}
	}
	v.errf(key, "%s %s", v.show(key, p), fileProblem(err))
	return false
}

func (v *validator) positive(key string, d time.Duration) {
	if d <= 0 {
		v.errf(key, "%s is not positive; it must be longer than 0, e.g. 30s", v.show(key, d.String()))
	}
}

func (v *validator) atLeast(key string, n, lo int64, why string) {
	if n < lo {
		v.errf(key, "%s is below the minimum of %d%s", v.show(key, strconv.FormatInt(n, 10)), lo, why)
	}
}

func (v *validator) oneOf(key, val string, allowed ...string) bool {
	for _, a := range allowed {
		if val == a {
			return true
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = a
		if a == "" {
			names[i] = `""`
		}
	}
	v.errf(key, "%s is not one of %s", v.show(key, val), strings.Join(names, ", "))
	return false
}

func (v *validator) server() {
	s := v.c.Server
	v.positive("server.read_timeout", s.ReadTimeout)
	v.positive("server.read_header_timeout", s.ReadHeaderTimeout)
	v.positive("server.write_timeout", s.WriteTimeout)
	v.positive("server.idle_timeout", s.IdleTimeout)
	v.positive("server.shutdown_timeout", s.ShutdownTimeout)
	if s.ReadHeaderTimeout > s.ReadTimeout && s.ReadTimeout > 0 {
		v.errf("server.read_header_timeout", "is longer than server.read_timeout, which includes it; make it shorter (default 10s)")
	}
	v.atLeast("server.max_concurrent_requests", int64(s.MaxConcurrentRequests), 1, "")
}

func (v *validator) trustedProxies() {
	for i, p := range v.c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			key := fmt.Sprintf("trusted_proxies[%d]", i)
			v.errf(key, "%s is not an IP address or CIDR prefix; write e.g. 10.0.0.0/8 or 192.0.2.10", v.show(key, p))
		}
	}
}

func (v *validator) forwardedHeader() {
	v.oneOf("forwarded_header", v.c.ForwardedHeader, "x-forwarded-for", "forwarded")
}

func (v *validator) requestID() {
	const key = "request_id.header"
	h := v.c.RequestID.Header
	switch {
	case h == "":
		v.add(key, []string{"request_id"}, "is empty; name the header that carries request IDs, e.g. X-Request-Id")
	case !validHeaderName(h):
		v.errf(key, "%s is not a valid header name; use letters, digits and -, e.g. X-Request-Id", v.show(key, h))
	}
}

func (v *validator) limits(prefix string, l Limits) {
	v.atLeast(prefix+".max_url_bytes", int64(l.MaxURLBytes), 256, "; browsers and APIs need that much")
	v.atLeast(prefix+".max_header_bytes", int64(l.MaxHeaderBytes), 1024, "; cookies alone often need more")
	v.atLeast(prefix+".max_header_count", int64(l.MaxHeaderCount), 10, "; ordinary browsers send that many")
	v.atLeast(prefix+".max_body_bytes", l.MaxBodyBytes, 1, " byte")
}

var (
	referrerPolicies = []string{"no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
		"same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"}
	openerPolicies = []string{"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"}
)

func (v *validator) headers(prefix string, h Headers) {
	values := []struct{ name, val string }{
		{"content_security_policy", h.ContentSecurityPolicy},
		{"content_type_options", h.ContentTypeOptions},
		{"frame_options", h.FrameOptions},
		{"referrer_policy", h.ReferrerPolicy},
		{"permissions_policy", h.PermissionsPolicy},
		{"cross_origin_opener_policy", h.CrossOriginOpenerPolicy},
	}
	for _, hv := range values {
		if hasControl(hv.val) {
			v.errf(prefix+"."+hv.name, "contains a control character (such as a line break); a header value is one line of text")
		}
	}
	if h.ContentTypeOptions != "" {
		v.oneOf(prefix+".content_type_options", h.ContentTypeOptions, "nosniff")
	}
	if h.FrameOptions != "" {
		v.oneOf(prefix+".frame_options", h.FrameOptions, "DENY", "SAMEORIGIN")
	}
	for p := range strings.SplitSeq(h.ReferrerPolicy, ",") {
		if hasControl(h.ReferrerPolicy) {
			break // reported above
		}
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(referrerPolicies, p) {
			key := prefix + ".referrer_policy"
			v.errf(key, "%s is not a referrer policy; use one of %s", v.show(key, h.ReferrerPolicy), strings.Join(referrerPolicies, ", "))
			break
		}
	}
	if h.CrossOriginOpenerPolicy != "" {
		v.oneOf(prefix+".cross_origin_opener_policy", h.CrossOriginOpenerPolicy, openerPolicies...)
	}
	for i, name := range h.Remove {
		if !validHeaderName(name) {
			key := fmt.Sprintf("%s.remove[%d]", prefix, i)
			v.errf(key, "%s is not a header name; use letters, digits and -, e.g. X-Powered-By", v.show(key, name))
		}
	}
	ck := h.Cookies
	if v.oneOf(prefix+".cookies.same_site", ck.SameSite, "lax", "strict", "none", "") && ck.SameSite == "none" && !ck.Secure {
		v.add(prefix+".cookies.same_site", nil, "is none but cookies.secure is false; browsers drop SameSite=None cookies without Secure, so set secure: true or choose lax")
	}
}

func (v *validator) upstream(prefix string, u UpstreamPolicy) {
	v.positive(prefix+".dial_timeout", u.DialTimeout)
	v.positive(prefix+".response_timeout", u.ResponseTimeout)
	v.atLeast(prefix+".max_idle_conns_per_host", int64(u.MaxIdleConnsPerHost), 0, "")
	if u.CAFile != "" && v.readable(prefix+".ca_file", u.CAFile) {
		if pem, err := readPEMFile(u.CAFile); err != nil {
			v.errf(prefix+".ca_file", "%s: %v", v.show(prefix+".ca_file", u.CAFile), err)
		} else if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			v.errf(prefix+".ca_file", "%s holds no PEM certificate; name a file with -----BEGIN CERTIFICATE----- blocks", v.show(prefix+".ca_file", u.CAFile))
		}
	}
	hc, hk := u.HealthCheck, prefix+".health_check"
	if hc.Path != "" && (!strings.HasPrefix(hc.Path, "/") || strings.ContainsAny(hc.Path, " \t#") || hasControl(hc.Path)) {
		v.errf(hk+".path", "%s is not a path; write one starting with /, e.g. /healthz", v.show(hk+".path", hc.Path))
	}
	v.positive(hk+".interval", hc.Interval)
	v.positive(hk+".timeout", hc.Timeout)
	if hc.Timeout > hc.Interval && hc.Interval > 0 {
		v.errf(hk+".timeout", "is longer than health_check.interval, so checks would overlap; make it shorter")
	}
	v.atLeast(hk+".unhealthy_after", int64(hc.UnhealthyAfter), 1, " failure")
	v.atLeast(hk+".healthy_after", int64(hc.HealthyAfter), 1, " success")
	if _, _, ok := parseStatusRange(hc.ExpectStatus); !ok {
		v.errf(hk+".expect_status", "%s is not a status pattern; write a code (200), a class (2xx) or a range (2xx-3xx, 200-204)", v.show(hk+".expect_status", hc.ExpectStatus))
	}
	v.atLeast(prefix+".passive.max_fails", int64(u.Passive.MaxFails), 0, " (0 turns passive ejection off)")
	if u.Passive.MaxFails > 0 {
		v.positive(prefix+".passive.eject_for", u.Passive.EjectFor)
	}
}

// StatusRange returns the lowest and highest status codes ExpectStatus
// accepts, and false when it is not a valid pattern.
func (h HealthCheck) StatusRange() (lo, hi int, ok bool) { return parseStatusRange(h.ExpectStatus) }

// parseStatusRange parses "200", "2xx", "2xx-3xx" or "200-204".
func parseStatusRange(s string) (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(s, "-")
	lo, _, ok1 := parseStatus(a)
	_, hi, ok2 := parseStatus(a)
	if isRange {
		_, hi, ok2 = parseStatus(b)
	}
	if !ok1 || !ok2 || lo > hi {
		return 0, 0, false
	}
	return lo, hi, true
}

func parseStatus(s string) (lo, hi int, ok bool) {
	if len(s) != 3 || s[0] < '1' || s[0] > '5' {
		return 0, 0, false
	}
	if strings.EqualFold(s[1:], "xx") {
		c := int(s[0]-'0') * 100
		return c, c + 99, true
	}
	if !isDigits(s) {
		return 0, 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n, true
}

func (v *validator) log() {
	l := v.c.Log
	v.oneOf("log.level", l.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", l.Format, "json", "text")
	if hasControl(l.File) {
		v.errf("log.file", "contains a control character; write stderr, stdout or a file path")
	}
}

func (v *validator) store() {
	s := v.c.Store
	switch s.Driver {
	case "sqlite":
		if s.Path == "" {
			v.add("store.path", []string{"store"}, "is empty; name the SQLite database file, e.g. rampart.db")
		}
	case "postgres":
		v.errf("store.driver", "postgres arrives in a later release; use sqlite for now")
	default:
		v.oneOf("store.driver", s.Driver, "sqlite")
	}
	v.positive("store.event_retention", s.EventRetention)
}

// wafClasses are the attack classes exclusions may name; keep in step with
// internal/waf/detect (config does not import stages).
var wafClasses = []string{"sqli", "xss", "cmdi", "path-traversal", "rfi", "ssrf", "xxe", "nosqli",
	"ssti", "ldapi", "crlf", "jndi", "ssi", "scanner", "protocol", "custom"}

var wafRuleID = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

func (v *validator) waf(prefix string, w WAF) {
	v.oneOf(prefix+".mode", w.Mode, "block", "detect", "off")
	v.oneOf(prefix+".engine", w.Engine, "native", "crs")
	if w.Paranoia < 1 || w.Paranoia > 4 {
		v.errf(prefix+".paranoia", "%s is not a paranoia level; use 1 (default), 2, 3 or 4", v.show(prefix+".paranoia", strconv.Itoa(w.Paranoia)))
	}
	if w.Threshold < 0 || w.Threshold > 1000 {
		v.errf(prefix+".threshold", "%s is out of range; use 0 (from the paranoia level) or a score from 1 to 1000", v.show(prefix+".threshold", strconv.Itoa(w.Threshold)))
	}
	v.atLeast(prefix+".inspect_body_bytes", w.InspectBodyBytes, 1024, " (1KiB); the default is 1MiB")
	if w.InspectBodyBytes > 64<<20 {
		v.errf(prefix+".inspect_body_bytes", "%s is above the maximum of 64MiB; inspection buffers the body in memory",
			v.show(prefix+".inspect_body_bytes", strconv.FormatInt(w.InspectBodyBytes, 10)))
	}
	v.oneOf(prefix+".oversize_body", w.OversizeBody, "inspect_prefix", "refuse")
	for i, h := range w.Headers {
		if !validHeaderName(h) {
			v.errf(fmt.Sprintf("%s.headers[%d]", prefix, i), "%s is not a header name; use letters, digits and - (e.g. X-Api-Version)", v.show(fmt.Sprintf("%s.headers[%d]", prefix, i), h))
		}
	}
	for i, t := range w.FileTypes {
		k := fmt.Sprintf("%s.file_types[%d]", prefix, i)
		if _, _, err := mime.ParseMediaType(t); err != nil || !strings.Contains(t, "/") {
			v.errf(k, "%s is not a content type; write one such as text/plain or application/json", v.show(k, t))
		}
	}
	for i, x := range w.Exclusions {
		k := fmt.Sprintf("%s.exclusions[%d]", prefix, i)
		if x.Rule == "" && x.Class == "" {
			v.errf(k, "names neither a rule nor a class; set rule (e.g. sqli.tautology or sqli.*) or class (e.g. sqli)")
		}
		if x.Class != "" {
			v.oneOf(k+".class", x.Class, wafClasses...)
		}
		if x.Rule != "" && !validRulePattern(x.Rule) {
			v.errf(k+".rule", "%s is not a rule ID; write one as events show it (e.g. sqli.tautology, crs.942100) or a prefix ending in * (sqli.*)", v.show(k+".rule", x.Rule))
		}
		if x.Location != "" && !validLocation(x.Location) {
			v.errf(k+".location", "%s is not a location; write one as events show it: path, body, query:NAME, form:NAME, header:NAME, cookie:NAME, json:$.a.b, xml:/a/b, or a prefix ending in *", v.show(k+".location", x.Location))
		}
	}
	ids := map[string]bool{}
	for i, r := range w.Rules {
		k := fmt.Sprintf("%s.rules[%d]", prefix, i)
		if !wafRuleID.MatchString(r.ID) {
			v.errf(k+".id", "%s is not a rule ID; use 1-64 of a-z, 0-9, - and _", v.show(k+".id", r.ID))
		} else if ids[r.ID] {
			v.errf(k+".id", "%s is used by an earlier rule; rule IDs must be unique", v.show(k+".id", r.ID))
		}
		ids[r.ID] = true
		if r.Target != "any" && !validLocation(r.Target) {
			v.errf(k+".target", "%s is not a target; write any, path, body, query:NAME, form:NAME, header:NAME, cookie:NAME, json:$.a.b, xml:/a/b, or a prefix ending in *", v.show(k+".target", r.Target))
		}
		if v.oneOf(k+".operator", r.Operator, "contains", "equals", "prefix", "suffix", "regex") && r.Operator == "regex" {
			if _, err := regexp.Compile(r.Value); err != nil {
				v.errf(k+".value", "is not a valid RE2 regular expression: %v", err)
			}
		}
		if r.Value == "" {
			v.errf(k+".value", "is empty; give the text (or regular expression) the rule looks for")
		}
		if r.Action != "" {
			v.oneOf(k+".action", r.Action, "block", "log")
		}
	}
	if w.Engine == "crs" {
		for i, f := range w.CRSInclude {
			v.readable(fmt.Sprintf("%s.crs_include[%d]", prefix, i), f)
		}
	}
}

// validRulePattern reports whether s is a rule ID or a prefix pattern.
func validRulePattern(s string) bool {
	s = strings.TrimSuffix(s, "*")
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validLocation reports whether s has the shape of a finding's location.
func validLocation(s string) bool {
	if s == "path" || s == "body" || s == "*" {
		return true
	}
	kind, name, ok := strings.Cut(s, ":")
	if !ok || name == "" || len(s) > 512 {
		return false
	}
	switch kind {
	case "query", "argname", "form", "filename", "header", "cookie", "json", "xml":
		return true
	}
	return false
}

var routeName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

func (v *validator) routes() {
	c := v.c
	if len(c.Routes) == 0 {
		v.errf("routes", "at least one route is required; add one under routes: with a name and upstreams (see rampart.example.yaml)")
		return
	}
	names := map[string]int{}
	type match struct{ host, prefix string }
	seen := map[match]int{}
	for i, r := range c.Routes {
		rk := fmt.Sprintf("routes[%d]", i)
		key := rk + ".name"
		switch {
		case r.Name == "":
			v.errf(key, "is required; name the route with a-z, 0-9, - and _, e.g. app")
		case !routeName.MatchString(r.Name):
			hint := ""
			if v.public(key) {
				hint = fmt.Sprintf(", e.g. %q", slug(r.Name))
			}
			v.errf(key, "%s may only use a-z, 0-9, - and _ (at most 64)%s", v.show(key, r.Name), hint)
		default:
			if j, dup := names[r.Name]; dup {
				v.errf(key, "%s is already the name of routes[%d]; route names must be unique", v.show(key, r.Name), j)
			} else {
				names[r.Name] = i
			}
		}
		for j, h := range r.Hosts {
			hk := fmt.Sprintf("%s.hosts[%d]", rk, j)
			if msg := v.host(hk, h); msg != "" {
				v.errf(hk, "%s", msg)
			}
		}
		pk := rk + ".path_prefix"
		switch p := r.PathPrefix; {
		case !strings.HasPrefix(p, "/"):
			v.errf(pk, "%s must start with /", v.show(pk, p))
		case strings.ContainsAny(p, "?# \t") || hasControl(p):
			v.errf(pk, "%s must be a plain path, without query, fragment or spaces", v.show(pk, p))
		case path.Clean(p) != p:
			hint := ""
			if v.public(pk) {
				hint = fmt.Sprintf("; write %q", path.Clean(p))
			}
			v.errf(pk, "%s is not a clean path (no trailing /, //, . or ..: \"/api\" already matches /api/…)%s", v.show(pk, p), hint)
		}
		hosts := r.Hosts
		if len(hosts) == 0 {
			hosts = []string{""}
		}
		for _, h := range hosts {
			m := match{h, r.PathPrefix}
			if j, dup := seen[m]; dup && j != i {
				what := "any host"
				if h != "" {
					what = "host " + v.show(rk+".hosts", h)
				}
				v.errf(pk, "%s with this path_prefix is already matched by routes[%d]; give one of them another host or prefix", what, j)
				break
			}
			seen[m] = i
		}
		if len(r.Upstreams) == 0 {
			v.add(rk+".upstreams", []string{rk}, "is required; list the base URLs to send requests to, e.g. [http://127.0.0.1:3000]")
		}
		for j, u := range r.Upstreams {
			uk := fmt.Sprintf("%s.upstreams[%d]", rk, j)
			if msg := checkUpstream(u); msg != "" {
				v.errf(uk, "%s %s", v.show(uk, u), msg)
			}
		}
		v.limits(rk+".limits", r.Limits)
		v.headers(rk+".headers", r.Headers)
		v.upstream(rk+".upstream", r.Upstream)
		v.waf(rk+".waf", r.WAF)
	}
}

// host checks a route host and returns what is wrong with it, or "".
func (v *validator) host(key, h string) string {
	show := v.show(key, h)
	hint := func(s string) string {
		if v.public(key) {
			return fmt.Sprintf("; write %q", s)
		}
		return ""
	}
	switch {
	case h == "":
		return "is empty; remove it (a route without hosts matches any host)"
	case strings.ToLower(h) != h:
		return show + " has capital letters; hosts are matched in lower case" + hint(strings.ToLower(h))
	case strings.HasPrefix(h, "["):
		if a, err := netip.ParseAddr(strings.TrimSuffix(h[1:], "]")); err == nil && a.Is6() && strings.HasSuffix(h, "]") {
			return ""
		}
		if host, _, err := net.SplitHostPort(h); err == nil {
			return show + " includes a port; hosts match without one" + hint("["+host+"]")
		}
		return show + " is not a valid IPv6 host; write it as [2001:db8::1]"
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		return show + " includes a port; hosts match without one" + hint(host)
	}
	name, wild := strings.CutPrefix(h, "*.")
	if strings.Contains(name, "*") {
		return show + " may only use * as a whole first label, as in *.example.com"
	}
	if msg := checkHostname(name); msg != "" {
		if wild && name == "" {
			msg = "has nothing after *."
		}
		return show + " " + msg
	}
	return ""
}

// checkHostname checks a DNS name (or IPv4 address) and returns what is
// wrong with it, or "".
func checkHostname(s string) string {
	if s == "" || len(s) > 253 {
		return "is not a host name; it needs 1 to 253 characters"
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return "is not a host name; each dot-separated label needs 1 to 63 characters"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "is not a host name; a label cannot start or end with -"
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "is not a host name; use letters, digits, - and ."
			}
		}
	}
	return ""
}

// checkUpstream checks an upstream base URL and returns what is wrong with
// it, or "". It never quotes the URL (callers do, unless it is secret).
func checkUpstream(s string) string {
	const eg = "e.g. http://127.0.0.1:3000"
	if hasControl(s) || strings.ContainsAny(s, " \t") {
		return "contains spaces or control characters; write a URL, " + eg
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return "has no scheme; write http:// or https:// before the host, " + eg
	}
	u, err := url.Parse(s)
	if err != nil {
		return "is not a valid URL; write " + eg
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "has an unknown scheme; use http:// or https://"
	}
	if u.User != nil {
		return "contains user:password@, which would leak the credentials into logs and errors; remove it and have the upstream trust rampart's signed identity headers or its network instead"
	}
	if u.Host == "" || u.Hostname() == "" {
		return "has no host; " + eg
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "has an invalid port; a port is a number from 1 to 65535"
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "has a query (?…); an upstream is a base URL, so remove it"
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return "has a fragment (#…); an upstream is a base URL, so remove it"
	}
	return ""
}

// validHeaderName reports whether s is an HTTP header field name (an RFC
// 9110 token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}

// slug turns s into a valid route name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 64 {
		out = out[:64]
	}
	if out == "" {
		out = "app"
	}
	return out
}
