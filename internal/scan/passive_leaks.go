package scan

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// maxLeakScan bounds how much of a body the leak patterns read.
const maxLeakScan = 1 << 20

var (
	kindBanner = kind{
		check: "info.banner", title: "Server software and version disclosed",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 200, owasp: OWASPSecurityMisconfig,
		desc: "A response names the server software with its exact version. That tells an attacker which published vulnerabilities to try first, without probing.",
		fix:  "Remove the version from banners: ServerTokens Prod and ServerSignature Off (Apache), server_tokens off (nginx), expose_php = Off (PHP), enableVersionHeader=false (ASP.NET), app.disable('x-powered-by') (Express); or strip the headers at a gateway.",
		refs: []string{"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server", cweRef(200)},
	}
	kindStackTrace = kind{
		check: "info.stack-trace", title: "Stack trace or error details in a response",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 209, owasp: OWASPInsecureDesign,
		desc: "A response shows an exception with its stack trace or the file and line of an error. It discloses source paths, frameworks, libraries and sometimes queries or data, and shows that an input reaches code that fails on it.",
		fix:  "Catch errors and answer with a generic error page; log the details on the server. Turn off display_errors (PHP), customErrors mode=\"On\" (ASP.NET), and development error pages in production.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html", cweRef(209)},
	}
	kindDebugPage = kind{
		check: "info.debug-page", title: "Framework debug page exposed",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 489, owasp: OWASPSecurityMisconfig,
		desc: "A response is a framework's development error or debug page. Such pages show source code, settings, environment variables and request data (secrets often among them), and mean the application runs in debug mode.",
		fix:  "Run the application with debug mode off in every reachable environment (DEBUG = False in Django, APP_DEBUG=false in Laravel, config.consider_all_requests_local = false in Rails) and remove debug tools from production builds.",
		refs: []string{"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/08-Testing_for_Error_Handling/01-Testing_For_Improper_Error_Handling", cweRef(489)},
	}
	kindDebugConsole = kind{
		check: "info.debug-console", title: "Interactive debugger exposed (Werkzeug)",
		sev: SeverityHigh, conf: ConfidenceFirm, cwe: 489, owasp: OWASPSecurityMisconfig,
		desc: "A response is the Werkzeug interactive debugger. Its console runs Python code on the server; the PIN that guards it can often be derived from information the server leaks, which gives remote code execution.",
		fix:  "Never run with use_debugger=True or FLASK_DEBUG=1 where the site is reachable; serve through a production WSGI server.",
		refs: []string{"https://werkzeug.palletsprojects.com/en/latest/debug/", cweRef(489)},
	}
	kindInternalIP = kind{
		check: "info.internal-ip", title: "Private IP address disclosed",
		sev: SeverityLow, conf: ConfidenceTentative, cwe: 200, owasp: OWASPSecurityMisconfig,
		desc: "A response contains a private (RFC 1918) IP address. It maps the internal network for an attacker and helps server-side request forgery.",
		fix:  "Keep internal addresses out of responses: rewrite Location and Via headers at the proxy, and remove them from pages, comments and error messages.",
		refs: []string{"https://www.rfc-editor.org/rfc/rfc1918", cweRef(200)},
	}
	kindPrivateKey = kind{
		check: "info.private-key", title: "Private key disclosed",
		sev: SeverityHigh, conf: ConfidenceFirm, cwe: 321, owasp: OWASPCryptographicFailures,
		desc: "A response contains a PEM private key. Whoever reads it can impersonate the server or service it belongs to, or decrypt what was encrypted for it.",
		fix:  "Remove the file from the web root or the response, revoke the key and issue a new one; keep keys out of source trees and builds.",
		refs: []string{cweRef(321)},
	}
	kindCloudKey = kind{
		check: "info.cloud-key", title: "Cloud or service credential disclosed",
		sev: SeverityHigh, conf: ConfidenceFirm, cwe: 798, owasp: OWASPAuthFailures,
		desc: "A response contains what looks like a credential for a cloud or SaaS API. Anyone who reads the page can use it with the account's rights.",
		fix:  "Revoke the credential at once, then remove it from the page or script; call the API from the server, or use a key restricted to what a browser may do.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html", cweRef(798)},
	}
)

// bannerHeaders name the software that answered.
var bannerHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Powered-CMS", "X-Runtime-Version"}

var reVersion = regexp.MustCompile(`\d+\.\d+`)

// leakSig is a signature of a stack trace or debug page: a cheap marker
// that must appear, then a pattern (matched at least min times).
type leakSig struct {
	name    string
	markers []string // any of them
	re      *regexp.Regexp
	min     int
	kind    *kind
}

var leakSigs = []leakSig{
	{"Python traceback", []string{"Traceback (most recent call last)"}, regexp.MustCompile(`Traceback \(most recent call last\):\s*(?:<[^>]{0,100}>\s*)*File (?:"|&quot;|&#34;|&#x22;)[^"&<\n]{1,300}(?:"|&quot;|&#34;|&#x22;), line \d+`), 1, &kindStackTrace},
	{"Java stack trace", []string{".java:"}, regexp.MustCompile(`\bat (?:[A-Za-z_$][\w$]*\.){2,}[\w$<>]+\((?:[\w$]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)`), 2, &kindStackTrace},
	{"PHP error", []string{" on line "}, regexp.MustCompile(`(?i)(?:Fatal error|Parse error|Warning|Notice|Deprecated|Catchable fatal error|Uncaught [A-Za-z\\]+)(?:</b>)?:\s+[^\n]{1,500}? in (?:<b>)?(?:/|[A-Za-z]:\\)[^<\n]{1,300}?(?:</b>)? on line (?:<b>)?\d+`), 1, &kindStackTrace},
	{"ASP.NET error page", []string{"Server Error in '"}, regexp.MustCompile(`Server Error in '[^'\n]{0,200}' Application`), 1, &kindStackTrace},
	{".NET stack trace", []string{" at System."}, regexp.MustCompile(`\bat (?:System|Microsoft)\.[\w.` + "`" + `<>\[\],]+\(`), 2, &kindStackTrace},
	{"Go panic", []string{"[running]"}, regexp.MustCompile(`(?s)goroutine \d+ \[running\]:.{0,600}?\.go:\d+`), 1, &kindStackTrace},
	{"Node.js stack trace", []string{" (/", "(node:", ":\\", "(file:///"}, regexp.MustCompile(`\bat [^\n()<>]{1,200} \((?:/|[A-Za-z]:\\|node:|file:///)[^)\n<>]{1,300}:\d+:\d+\)`), 2, &kindStackTrace},
	{"Ruby backtrace", []string{".rb:"}, regexp.MustCompile(`(?:/|\./)[\w./-]{1,300}\.rb:\d+:in [` + "`" + `'‘]`), 2, &kindStackTrace},
	{"Django debug page", []string{"DEBUG = True"}, regexp.MustCompile(`You(?:'|&#39;|&#x27;|’)re seeing this error because you have (?:<code>)?DEBUG = True`), 1, &kindDebugPage},
	{"Werkzeug debugger", []string{"Debugger", "__debugger__", "WSGI"}, regexp.MustCompile(`The debugger caught an exception in your WSGI application|<title>[^<]{0,200}// Werkzeug Debugger</title>|\?__debugger__=yes`), 1, &kindDebugConsole},
	{"Laravel Whoops page", []string{"Whoops"}, regexp.MustCompile(`Whoops! There was an error\.|class="Whoops container"|Whoops\\Handler\\PrettyPageHandler`), 1, &kindDebugPage},
	{"Laravel Ignition page", []string{"gnit"}, regexp.MustCompile(`window\.ignite\(|facade/ignition|spatie/laravel-ignition|laravel-ignition`), 1, &kindDebugPage},
	{"Rails exception page", []string{"Action Controller: Exception caught"}, regexp.MustCompile(`Action Controller: Exception caught`), 1, &kindDebugPage},
	{"Symfony debug page", []string{"Symfony"}, regexp.MustCompile(`<title>[^<]{0,200}\(\d{3} [^<]{0,60}\)</title>[\s\S]{0,1000}?Symfony|sf-toolbar-block|id="sfwdt`), 1, &kindDebugPage},
	{"phpinfo() page", []string{"phpinfo()"}, regexp.MustCompile(`<title>(?:PHP [\d.]+ - )?phpinfo\(\)</title>`), 1, &kindDebugPage},
}

// rePrivateIP finds RFC 1918 addresses not part of a longer dotted
// number.
var rePrivateIP = regexp.MustCompile(`(?:^|[^\d.])((?:10|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}(?:\.\d{1,3})?)(?:[^\d.]|\.\D|\.$|$)`)

// rePrivateKeyLeak wants the key's base64 lines (PEM has 64 characters
// a line), optionally after the headers of an encrypted key, so that a
// text that only names the marker is no key.
var rePrivateKeyLeak = regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----\r?\n(?:(?:Proc-Type|DEK-Info|Version|Comment):[^\n]*\n)*\s*(?:[A-Za-z0-9+/=]{40,}\r?\n){2,}`)

// cloudKeys are credential formats with distinct prefixes.
var cloudKeys = []struct {
	name    string
	markers []string
	re      *regexp.Regexp
	sev     Severity
	conf    Confidence
}{
	{"AWS access key ID", []string{"AKIA", "ASIA"}, regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`), SeverityHigh, ConfidenceFirm},
	// Google API keys are often meant for browsers (Maps, Firebase) and
	// restricted by referrer: worth a look, not an alarm.
	{"Google API key", []string{"AIza"}, regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`), SeverityLow, ConfidenceTentative},
	{"GitHub token", []string{"gh", "github_pat_"}, regexp.MustCompile(`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{82}\b`), SeverityHigh, ConfidenceFirm},
	{"Slack token", []string{"xox"}, regexp.MustCompile(`\bxox[abprs]-[0-9A-Za-z][0-9A-Za-z-]{9,250}`), SeverityHigh, ConfidenceFirm},
	{"Slack webhook URL", []string{"hooks.slack.com"}, regexp.MustCompile(`https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}`), SeverityMedium, ConfidenceFirm},
	{"Stripe secret key", []string{"_live_"}, regexp.MustCompile(`\b(?:sk|rk)_live_[0-9A-Za-z]{20,99}\b`), SeverityHigh, ConfidenceFirm},
}

// checkLeaks looks for what a response should not tell: banners with
// versions, stack traces, debug pages, private addresses, private keys
// and cloud credentials.
func checkLeaks(s *Scanner, p *Page) {
	checkBanners(s, p)
	if !isTextual(p) || len(p.Body) == 0 {
		return
	}
	body := p.Body
	if len(body) > maxLeakScan {
		body = body[:maxLeakScan]
	}
	// Libraries and pages about errors are not errors: stack trace and
	// debug-page patterns apply to documents, not to scripts.
	if !p.isJS() && !strings.Contains(p.ContentType, "css") {
		for i := range leakSigs {
			sig := &leakSigs[i]
			if !containsAny(body, sig.markers) {
				continue
			}
			ms := sig.re.FindAllIndex(body, sig.min)
			if len(ms) < sig.min {
				continue
			}
			s.report(sig.kind.at(p, "", Evidence{
				Request:  reqExcerpt(p),
				Response: respExcerpt(p, []string{"Content-Type"}, snippet(body, ms[0][0], ms[len(ms)-1][1])),
				Detail:   fmt.Sprintf("%s in a %d response", sig.name, p.Status),
			}), false)
		}
	}
	if !strings.Contains(p.ContentType, "css") {
		checkPrivateIPs(s, p, body)
	} else {
		checkPrivateIPs(s, p, nil)
	}
	if bytes.Contains(body, []byte("PRIVATE KEY-----")) {
		if m := rePrivateKeyLeak.FindIndex(body); m != nil {
			s.report(kindPrivateKey.at(p, "", Evidence{
				Request:  reqExcerpt(p),
				Response: respExcerpt(p, []string{"Content-Type"}, snippet(body, m[0], m[0]+40)),
				Detail:   "a PEM private key block is in the body",
			}), false)
		}
	}
	for _, ck := range cloudKeys {
		if !containsAny(body, ck.markers) {
			continue
		}
		for _, m := range ck.re.FindAllIndex(body, 8) {
			key := body[m[0]:m[1]]
			if bytes.HasSuffix(key, []byte("EXAMPLE")) {
				// AWS's documentation key, AKIAIOSFODNN7EXAMPLE.
				continue
			}
			k := kindCloudKey
			k.sev, k.conf = ck.sev, ck.conf
			k.title = ck.name + " disclosed"
			s.report(k.at(p, "secret:"+strings.ToLower(strings.ReplaceAll(ck.name, " ", "-")), Evidence{
				Request:  reqExcerpt(p),
				Response: respExcerpt(p, []string{"Content-Type"}, snippet(body, max(0, m[0]-40), min(len(body), m[1]+40))),
				Detail:   fmt.Sprintf("a string in the format of a %s is in the body (shown masked)", ck.name),
			}), true)
			break
		}
	}
}

// checkBanners reports the software banners of a response, Low when they
// carry a version and Info when they do not.
func checkBanners(s *Scanner, p *Page) {
	for _, h := range bannerHeaders {
		v := strings.TrimSpace(p.Header.Get(h))
		if v == "" {
			continue
		}
		reportBanner(s, p, "header:"+h, h+": "+v, v, respExcerpt(p, []string{h}, ""))
	}
	if p.doc != nil && p.doc.generator != "" {
		g := p.doc.generator
		reportBanner(s, p, "meta:generator", "<meta name=\"generator\" content=\""+g+"\">", g,
			respExcerpt(p, []string{"Content-Type"}, "<meta name=\"generator\" content=\""+clipString(g, 200)+"\">"))
	}
}

func reportBanner(s *Scanner, p *Page, param, shown, value, resp string) {
	k := kindBanner
	detail := clipString(shown, 300) + " names the software and its version"
	if !reVersion.MatchString(value) {
		k.sev, k.title = SeverityInfo, "Server software disclosed"
		k.desc = "A response names the server software (without a version). That narrows an attacker's search a little; it is reported for completeness."
		detail = clipString(shown, 300) + " names the software, without a version"
	}
	s.report(k.at(p, param, Evidence{Request: reqExcerpt(p), Response: resp, Detail: detail}), true)
}

// checkPrivateIPs reports RFC 1918 addresses in headers and body, unless
// the target itself is on a private network.
func checkPrivateIPs(s *Scanner, p *Page, body []byte) {
	if s.targetPrivate() {
		return
	}
	for name, vs := range p.Header {
		for _, v := range vs {
			if ip := findPrivateIP(v); ip != "" {
				k := kindInternalIP
				k.conf = ConfidenceFirm
				s.report(k.at(p, "", Evidence{
					Request:  reqExcerpt(p),
					Response: respExcerpt(p, []string{name}, ""),
					Detail:   fmt.Sprintf("%s in the %s header", ip, name),
				}), false)
				return
			}
		}
	}
	if !bytes.Contains(body, []byte("10.")) && !bytes.Contains(body, []byte("172.")) && !bytes.Contains(body, []byte("192.168.")) {
		return
	}
	for _, m := range rePrivateIP.FindAllSubmatchIndex(body, 16) {
		ip := string(body[m[2]:m[3]])
		if validPrivateIP(ip) {
			s.report(kindInternalIP.at(p, "", Evidence{
				Request:  reqExcerpt(p),
				Response: respExcerpt(p, []string{"Content-Type"}, snippet(body, m[2], m[3])),
				Detail:   ip + " in the body",
			}), false)
			return
		}
	}
}

func findPrivateIP(s string) string {
	for _, m := range rePrivateIP.FindAllStringSubmatch(s, 4) {
		if validPrivateIP(m[1]) {
			return m[1]
		}
	}
	return ""
}

// validPrivateIP says s is a private IPv4 address (four octets, each at
// most 255): "10.1.2.3.4" and "10.300.1.1" are not.
func validPrivateIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() && a.IsPrivate()
}

func containsAny(b []byte, subs []string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}
