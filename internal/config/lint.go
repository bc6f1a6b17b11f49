package config

import (
	"cmp"
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
)

// Lint returns the settings of c that are valid but dangerous, each with
// why. It expects a config that passed validation. A route is warned about
// only where it differs from the global setting it inherits.
func Lint(c *Config) []Warning {
	var ws []Warning
	warn := func(key, format string, args ...any) {
		ws = append(ws, Warning{File: c.Path, Key: key, Line: c.Line(key), Msg: fmt.Sprintf(format, args...)})
	}
	l := c.Listen
	switch {
	case l.HTTP != "" && l.HTTPS != "" && !l.RedirectHTTPS:
		warn("listen.redirect_https", "is off, so listen.http serves the site over plain HTTP next to HTTPS: whoever follows an http:// link sends passwords and session cookies in clear text; set redirect_https: true")
	case l.HTTP != "" && l.HTTPS == "":
		warn("listen.http", "is the only listener and it is plain HTTP: passwords, session cookies and data cross the network unencrypted and can be read or changed on the way; set listen.https with tls.cert_file and tls.key_file (or terminate TLS in a proxy in front and list it in trusted_proxies)")
	}
	if v := c.TLS.MinVersion; v == "1.0" || v == "1.1" {
		warn("tls.min_version", "allows TLS %s, which RFC 8996 deprecates: it relies on SHA-1 and CBC constructions with known attacks; set 1.2 or 1.3", v)
	}
	if a := l.Admin; a != "" && !loopback(a) {
		where := c.show("listen.admin", a)
		if host, _, err := net.SplitHostPort(a); err == nil && host == "" {
			where = "all interfaces"
		}
		warn("listen.admin", "listens on %s, reachable from other machines: anyone who reaches it can try admin passwords against the dashboard and admin API; bind it to 127.0.0.1:9090 and reach it over SSH or a VPN", where)
	}
	for i, p := range c.TrustedProxies {
		if pr, err := netip.ParsePrefix(p); err == nil && pr.Bits() == 0 {
			warn(fmt.Sprintf("trusted_proxies[%d]", i), "trusts every address as a proxy, so any client can forge X-Forwarded-For and pick the IP that bans, rate limits and logs see; list only your proxies' addresses")
		}
	}
	if c.Identity.SecretsKey != "" && !c.Secrets["identity.secrets_key"] {
		warn("identity.secrets_key", "is written in the config file, so everyone who can read the file (or a backup, or a repository it lands in) can decrypt the second-factor secrets in the store; give it as ${env:RAMPART_SECRETS_KEY} or ${file:PATH}")
	}
	if c.SMTP.Password != "" && !c.Secrets["smtp.password"] {
		warn("smtp.password", "is written in the config file, so everyone who can read the file can send mail as rampart; give it as ${env:RAMPART_SMTP_PASSWORD} or ${file:PATH}")
	}
	if cs := c.Session.CookieSecure; cs != nil && !*cs {
		warn("session.cookie_secure", "is false, so browsers send session cookies over plain HTTP too, where they can be sniffed and replayed to take over accounts; keep it true and serve the portal over HTTPS")
	}
	ws = append(ws, lintRedis(c)...)
	lintBlocks := func(prefix string, h Headers, u UpstreamPolicy, w WAF) {
		switch w.Mode {
		case "detect":
			warn(prefix+"waf.mode", "is detect: the WAF logs attacks but lets them through to the application; set block once its events show no false positives")
		case "off":
			warn(prefix+"waf.mode", "is off: injection, XSS and traversal attempts reach the application unchecked; set block (or detect while tuning)")
		}
		if u.TLSSkipVerify {
			warn(prefix+"upstream.tls_skip_verify", "is true: upstream certificates are not checked, so anyone on the path can impersonate the upstream and read or change traffic, credentials included; trust a private CA with upstream.ca_file instead")
		}
		if !h.Cookies.Secure {
			warn(prefix+"headers.cookies.secure", "is false: upstream cookies without the Secure flag are also sent over plain HTTP, where they can be sniffed and replayed; keep it true")
		}
		if !h.Mask5xx {
			warn(prefix+"headers.mask_5xx", "is false: upstream error pages (stack traces, SQL errors, file paths) reach clients and show attackers how the application works; keep it true")
		}
	}
	lintBlocks("", c.Headers, c.Upstream, c.WAF)
	for i, r := range c.Routes {
		lintBlocks(fmt.Sprintf("routes[%d].", i), r.Headers, r.Upstream, r.WAF)
	}

	// A route inheriting a global setting is warned about once, globally.
	global := map[[2]string]bool{}
	for _, w := range ws {
		global[[2]string{w.Key, w.Msg}] = true
	}
	out := ws[:0]
	for _, w := range ws {
		if m := routeKey.FindStringSubmatch(w.Key); m != nil && global[[2]string{m[1], w.Msg}] {
			continue
		}
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(a, b Warning) int {
		return cmp.Compare(lineOrder(a.Line), lineOrder(b.Line))
	})
	return out
}

// lineOrder sorts lines ascending with 0 (no line) last.
func lineOrder(l int) int {
	if l > 0 {
		return l
	}
	return math.MaxInt
}

// loopback reports whether the listen address addr only accepts
// connections from this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
