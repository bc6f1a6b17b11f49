package scan

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// minHSTSAge is the shortest HSTS max-age that is not weak: 180 days, the
// floor of SSL Labs' A+ and of the HSTS preload list's predecessor rules.
const minHSTSAge = 180 * 24 * 3600

var (
	kindHSTSMissing = kind{
		check: "headers.hsts", title: "Strict-Transport-Security header missing",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 319, owasp: OWASPCryptographicFailures,
		desc: "The HTTPS response has no Strict-Transport-Security header. A browser that is sent to the http:// address (by a link, a typed URL or an attacker on the network) will talk plain HTTP first, which lets a man in the middle strip TLS and read or change the traffic, cookies included.",
		fix:  "Send Strict-Transport-Security: max-age=31536000; includeSubDomains on every HTTPS response (add preload once every subdomain serves HTTPS).",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html", "https://www.rfc-editor.org/rfc/rfc6797", cweRef(319)},
	}
	kindHSTSWeak = kind{
		check: "headers.hsts.weak", title: "Strict-Transport-Security max-age too short",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 319, owasp: OWASPCryptographicFailures,
		desc: "The Strict-Transport-Security header has a max-age under 180 days (or none that parses), so browsers forget the HTTPS-only rule soon and an attacker on the network can strip TLS again after that.",
		fix:  "Use max-age=31536000 (one year) or more; add includeSubDomains.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html", cweRef(319)},
	}
	kindCSPMissing = kind{
		check: "headers.csp", title: "Content-Security-Policy header missing",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The HTML page is served without a Content-Security-Policy. A policy is the second line of defence against cross-site scripting and data injection: without one, any injected script runs with the page's rights.",
		fix:  "Send a Content-Security-Policy that allows only the scripts the page needs, e.g. default-src 'self'; script-src 'self' 'nonce-…'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'. A Content-Security-Policy-Report-Only header reports but does not protect.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html", "https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP", cweRef(693)},
	}
	kindCSPUnsafeInline = kind{
		check: "headers.csp.unsafe-inline", title: "Content-Security-Policy allows inline scripts ('unsafe-inline')",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The policy's script-src (or default-src) has 'unsafe-inline' without a nonce or hash, so an injected <script> element or event handler runs: the policy does not stop cross-site scripting.",
		fix:  "Remove 'unsafe-inline' from script-src; move inline scripts to files or give them a per-response nonce ('nonce-…') or a hash ('sha256-…'), optionally with 'strict-dynamic'.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html", "https://csp-evaluator.withgoogle.com/", cweRef(693)},
	}
	kindCSPUnsafeEval = kind{
		check: "headers.csp.unsafe-eval", title: "Content-Security-Policy allows eval ('unsafe-eval')",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The policy's script-src (or default-src) has 'unsafe-eval', so strings that reach eval(), new Function() or setTimeout(string) run as code, which turns many DOM injections into script execution.",
		fix:  "Remove 'unsafe-eval'; replace eval and string timers with code, or allow only 'wasm-unsafe-eval' when WebAssembly needs it.",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/script-src", cweRef(693)},
	}
	kindCSPWildcard = kind{
		check: "headers.csp.wildcard", title: "Content-Security-Policy allows scripts from anywhere",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The policy's script-src (or default-src) allows a wildcard or a whole scheme (*, https:, http:, data:, blob:), or there is no script-src or default-src at all, so an attacker who can inject a <script src> can load script from a host they control.",
		fix:  "List the script hosts the page needs, or better use nonces or hashes with 'strict-dynamic'; never allow *, https: or data: for scripts.",
		refs: []string{"https://csp-evaluator.withgoogle.com/", "https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html", cweRef(693)},
	}
	kindCSPObjectSrc = kind{
		check: "headers.csp.object-src", title: "Content-Security-Policy does not restrict plugins (object-src)",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The policy has neither object-src nor a default-src that covers it (or allows any source there), so <object> and <embed> may load plugin content that runs script around the policy.",
		fix:  "Add object-src 'none'.",
		refs: []string{"https://csp-evaluator.withgoogle.com/", cweRef(693)},
	}
	kindCSPBaseURI = kind{
		check: "headers.csp.base-uri", title: "Content-Security-Policy does not restrict <base> (base-uri)",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The policy has no base-uri (which default-src does not cover), so an injected <base href> can make the page's relative script URLs load from an attacker's host, even under a nonce-based policy.",
		fix:  "Add base-uri 'none' (or 'self' when the page uses <base>).",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/base-uri", cweRef(693)},
	}
	kindFraming = kind{
		check: "headers.framing", title: "No protection against framing (clickjacking)",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 1021, owasp: OWASPSecurityMisconfig,
		desc: "The HTML page sets neither X-Frame-Options nor a Content-Security-Policy frame-ancestors directive, so any site can load it in an invisible frame and trick a signed-in user into clicking its buttons (clickjacking).",
		fix:  "Send Content-Security-Policy: frame-ancestors 'self' (or 'none'), and X-Frame-Options: DENY or SAMEORIGIN for older browsers.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html", cweRef(1021)},
	}
	kindNoSniff = kind{
		check: "headers.content-type-options", title: "X-Content-Type-Options: nosniff missing",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 693, owasp: OWASPSecurityMisconfig,
		desc: "The response has no X-Content-Type-Options: nosniff, so browsers may guess its type from the content and run an uploaded or reflected file as script or HTML.",
		fix:  "Send X-Content-Type-Options: nosniff on every response, with a correct Content-Type.",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Content-Type-Options", cweRef(693)},
	}
	kindReferrerMissing = kind{
		check: "headers.referrer-policy", title: "Referrer-Policy missing",
		sev: SeverityInfo, conf: ConfidenceFirm, cwe: 200, owasp: OWASPSecurityMisconfig,
		desc: "The HTML page sets no Referrer-Policy (header or <meta name=\"referrer\">). Current browsers default to strict-origin-when-cross-origin, older ones send the full URL, with any token in its query, to every site the page links to or loads from.",
		fix:  "Send Referrer-Policy: strict-origin-when-cross-origin (or no-referrer).",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy", cweRef(200)},
	}
	kindReferrerUnsafe = kind{
		check: "headers.referrer-policy.unsafe", title: "Referrer-Policy leaks full URLs (unsafe-url)",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 200, owasp: OWASPSecurityMisconfig,
		desc: "The page's Referrer-Policy is unsafe-url: the full URL, path and query included, goes to every site the page links to or loads from, over plain HTTP too.",
		fix:  "Use Referrer-Policy: strict-origin-when-cross-origin (or no-referrer).",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy", cweRef(200)},
	}
)

// checkHeaders checks the security headers of one response: HSTS on
// HTTPS, CSP, framing protection and Referrer-Policy on HTML pages,
// nosniff on every response with content.
func checkHeaders(s *Scanner, p *Page) {
	if !headerTarget(p) {
		return
	}
	if p.isHTTPS() && !isIPHost(p.u.Hostname()) {
		// Browsers ignore HSTS for IP addresses (RFC 6797 8.1.1).
		checkHSTS(s, p)
	}
	if v := strings.TrimSpace(p.Header.Get("X-Content-Type-Options")); !strings.EqualFold(v, "nosniff") {
		s.report(kindNoSniff.at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Content-Type", "X-Content-Type-Options"}, ""),
			Detail:   "no X-Content-Type-Options: nosniff on a " + orUnknown(p.ContentType) + " response",
		}), false)
	}
	if !p.isHTML() {
		return
	}
	checkCSP(s, p)
	checkFraming(s, p)
	checkReferrer(s, p)
}

func orUnknown(ct string) string {
	if ct == "" {
		return "untyped"
	}
	return ct
}

func isIPHost(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

func checkHSTS(s *Scanner, p *Page) {
	v := p.Header.Get("Strict-Transport-Security")
	if v == "" {
		s.report(kindHSTSMissing.at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Content-Type"}, ""),
			Detail:   "the HTTPS response has no Strict-Transport-Security header",
		}), false)
		return
	}
	age, ok := hstsMaxAge(v)
	if ok && age >= minHSTSAge {
		return
	}
	detail := "the Strict-Transport-Security header has no valid max-age"
	if ok {
		detail = fmt.Sprintf("max-age=%d is %.0f days; at least 180 days are needed", age, float64(age)/86400)
	}
	s.report(kindHSTSWeak.at(p, "", Evidence{
		Request:  reqExcerpt(p),
		Response: respExcerpt(p, []string{"Strict-Transport-Security"}, ""),
		Detail:   detail,
	}), false)
}

// hstsMaxAge reads the max-age directive of an HSTS header.
func hstsMaxAge(v string) (int64, bool) {
	for _, d := range strings.Split(v, ";") {
		name, val, ok := strings.Cut(strings.TrimSpace(d), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "max-age") {
			continue
		}
		n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// cspPolicy maps the directives of one policy to their sources, keywords
// in lowercase; the first occurrence of a directive wins.
type cspPolicy map[string][]string

// maxCSPLen bounds the policy text parsed.
const maxCSPLen = 16 << 10

// parseCSP reads the policies of one header value (several are separated
// by commas).
func parseCSP(v string) []cspPolicy {
	v = clipString(v, maxCSPLen)
	var out []cspPolicy
	for _, pol := range strings.Split(v, ",") {
		p := cspPolicy{}
		for _, d := range strings.Split(pol, ";") {
			f := strings.Fields(d)
			if len(f) == 0 {
				continue
			}
			name := strings.ToLower(f[0])
			if _, dup := p[name]; dup {
				continue
			}
			srcs := make([]string, 0, len(f)-1)
			for _, s := range f[1:] {
				if strings.HasPrefix(s, "'") || strings.HasSuffix(s, ":") || s == "*" {
					s = strings.ToLower(s)
				}
				srcs = append(srcs, s)
			}
			p[name] = srcs
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// src returns the sources that govern directive d: its own, or
// default-src's when it has none (fallback says whether d falls back).
func (p cspPolicy) src(d string, fallback bool) ([]string, bool) {
	if s, ok := p[d]; ok {
		return s, true
	}
	if fallback {
		if s, ok := p["default-src"]; ok {
			return s, true
		}
	}
	return nil, false
}

// Weaknesses a policy can have, by the check that reports them.
const (
	weakUnsafeInline = "headers.csp.unsafe-inline"
	weakUnsafeEval   = "headers.csp.unsafe-eval"
	weakWildcard     = "headers.csp.wildcard"
	weakObjectSrc    = "headers.csp.object-src"
	weakBaseURI      = "headers.csp.base-uri"
)

// broadSources allow script from anywhere.
var broadSources = []string{"*", "http:", "https:", "data:", "blob:", "filesystem:", "http://*", "https://*"}

// weaknesses returns what policy p fails to stop, each with a detail.
func (p cspPolicy) weaknesses() map[string]string {
	w := map[string]string{}
	script, ok := p.src("script-src", true)
	if !ok {
		w[weakWildcard] = "neither script-src nor default-src is set, so scripts may come from anywhere"
	} else {
		nonceOrHash, strictDynamic := false, false
		for _, s := range script {
			switch {
			case strings.HasPrefix(s, "'nonce-"), strings.HasPrefix(s, "'sha256-"), strings.HasPrefix(s, "'sha384-"), strings.HasPrefix(s, "'sha512-"):
				nonceOrHash = true
			case s == "'strict-dynamic'":
				strictDynamic = true
			}
		}
		if slices.Contains(script, "'unsafe-inline'") && !nonceOrHash {
			w[weakUnsafeInline] = "script-src: " + strings.Join(script, " ")
		}
		if slices.Contains(script, "'unsafe-eval'") {
			w[weakUnsafeEval] = "script-src: " + strings.Join(script, " ")
		}
		// With a nonce or hash and 'strict-dynamic', CSP 3 browsers
		// ignore host and scheme sources.
		if !(strictDynamic && nonceOrHash) {
			for _, s := range script {
				if slices.Contains(broadSources, s) {
					w[weakWildcard] = fmt.Sprintf("script-src allows %s", s)
					break
				}
			}
		}
	}
	obj, ok := p.src("object-src", true)
	switch {
	case !ok:
		w[weakObjectSrc] = "neither object-src nor default-src is set"
	case !slices.Contains(obj, "'none'"):
		for _, s := range obj {
			if slices.Contains(broadSources, s) {
				w[weakObjectSrc] = fmt.Sprintf("object-src allows %s", s)
				break
			}
		}
	}
	if _, ok := p["base-uri"]; !ok {
		w[weakBaseURI] = "base-uri is not set (default-src does not cover it)"
	}
	return w
}

var cspWeakKinds = map[string]*kind{
	weakUnsafeInline: &kindCSPUnsafeInline,
	weakUnsafeEval:   &kindCSPUnsafeEval,
	weakWildcard:     &kindCSPWildcard,
	weakObjectSrc:    &kindCSPObjectSrc,
	weakBaseURI:      &kindCSPBaseURI,
}

func checkCSP(s *Scanner, p *Page) {
	var pols []cspPolicy
	for _, v := range p.Header.Values("Content-Security-Policy") {
		pols = append(pols, parseCSP(v)...)
	}
	if p.doc != nil {
		for _, v := range p.doc.metaCSP {
			pols = append(pols, parseCSP(v)...)
		}
	}
	if len(pols) == 0 {
		detail := "no Content-Security-Policy header or <meta> policy"
		if p.Header.Get("Content-Security-Policy-Report-Only") != "" {
			detail += "; a Content-Security-Policy-Report-Only header reports violations but blocks nothing"
		}
		s.report(kindCSPMissing.at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Content-Type", "Content-Security-Policy-Report-Only"}, ""),
			Detail:   detail,
		}), false)
		return
	}
	// Every policy is enforced: a weakness counts only when each has it.
	weak := pols[0].weaknesses()
	for _, pol := range pols[1:] {
		w := pol.weaknesses()
		for k := range weak {
			if _, ok := w[k]; !ok {
				delete(weak, k)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(weak)) {
		s.report(cspWeakKinds[k].at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Content-Security-Policy"}, metaCSPExcerpt(p)),
			Detail:   weak[k],
		}), false)
	}
}

func metaCSPExcerpt(p *Page) string {
	if p.doc == nil || len(p.doc.metaCSP) == 0 {
		return ""
	}
	return `<meta http-equiv="Content-Security-Policy" content="` + clipString(p.doc.metaCSP[0], 512) + `">`
}

func checkFraming(s *Scanner, p *Page) {
	xfo := strings.ToUpper(strings.TrimSpace(p.Header.Get("X-Frame-Options")))
	if xfo == "DENY" || xfo == "SAMEORIGIN" {
		return
	}
	for _, v := range p.Header.Values("Content-Security-Policy") {
		for _, pol := range parseCSP(v) {
			if fa, ok := pol["frame-ancestors"]; ok && !slices.Contains(fa, "*") {
				return
			}
		}
	}
	detail := "neither X-Frame-Options nor Content-Security-Policy frame-ancestors is set"
	if xfo != "" {
		detail = fmt.Sprintf("X-Frame-Options: %s is not a value browsers honour (DENY or SAMEORIGIN), and there is no frame-ancestors", clipString(xfo, 100))
	}
	s.report(kindFraming.at(p, "", Evidence{
		Request:  reqExcerpt(p),
		Response: respExcerpt(p, []string{"Content-Type", "X-Frame-Options", "Content-Security-Policy"}, ""),
		Detail:   detail,
	}), false)
}

// referrerPolicy is the policy in force: the last value browsers know in
// the header, else the <meta name="referrer">.
func referrerPolicy(p *Page) string {
	known := map[string]bool{"no-referrer": true, "no-referrer-when-downgrade": true, "origin": true, "origin-when-cross-origin": true,
		"same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true}
	pol := ""
	for _, v := range p.Header.Values("Referrer-Policy") {
		for _, t := range strings.Split(v, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); known[t] {
				pol = t
			}
		}
	}
	if pol == "" && p.doc != nil {
		if t := strings.ToLower(strings.TrimSpace(p.doc.metaReferrer)); known[t] {
			pol = t
		}
	}
	return pol
}

func checkReferrer(s *Scanner, p *Page) {
	switch referrerPolicy(p) {
	case "":
		s.report(kindReferrerMissing.at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Content-Type", "Referrer-Policy"}, ""),
			Detail:   "no Referrer-Policy header or <meta name=\"referrer\">",
		}), false)
	case "unsafe-url":
		s.report(kindReferrerUnsafe.at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Referrer-Policy"}, ""),
			Detail:   "the Referrer-Policy in force is unsafe-url",
		}), false)
	}
}
