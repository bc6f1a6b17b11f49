package tlsaudit

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"rampart/internal/scan"
)

// References the findings cite.
const (
	refTLSCheatSheet  = "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html"
	refMozillaTLS     = "https://wiki.mozilla.org/Security/Server_Side_TLS"
	refRFC8996        = "https://www.rfc-editor.org/rfc/rfc8996"
	refHSTSCheatSheet = "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html"
)

func cweRef(n int) string { return fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", n) }

// findings turns an outcome into findings: one per protocol, per class of
// weak suites, per certificate problem, and one for HSTS. Each Parameter
// ("protocol:TLS 1.0", "cipher:rc4", "certificate:expired") names the
// class, so that scan.Set keeps them apart.
func findings(o *outcome) []scan.Finding {
	var out []scan.Finding
	add := func(f scan.Finding) {
		f.OWASP = scan.OWASPCryptographicFailures
		f.URLs = []string{o.url}
		f.References = append(f.References, cweRef(f.CWE))
		out = append(out, f)
	}
	o.protocolFindings(add)
	o.cipherFindings(add)
	o.certFindings(add)
	o.hstsFindings(add)
	scan.SortFindings(out)
	return out
}

// helloEvidence is the evidence of an accepted suite.
func helloEvidence(v, id uint16, detail string) scan.Evidence {
	req := "ClientHello " + versionName(v) + " offering " + suiteName(id) + " among the suites not yet accepted"
	if v == versionTLS13 {
		req = "ClientHello TLS 1.3 offering only " + suiteName(id) + ", with an x25519 key share"
	}
	return scan.Evidence{
		Request:  req,
		Response: "ServerHello " + versionName(v) + ", cipher " + suiteName(id),
		Detail:   detail,
	}
}

func (o *outcome) protocolFindings(add func(scan.Finding)) {
	const fixProtocols = "Accept only TLS 1.2 and TLS 1.3: nginx \"ssl_protocols TLSv1.2 TLSv1.3;\", " +
		"Apache \"SSLProtocol -all +TLSv1.2 +TLSv1.3\", Go tls.Config{MinVersion: tls.VersionTLS12}."
	if o.accepted[versionSSL20] {
		names := o.suiteNames(versionSSL20)
		add(scan.Finding{
			Check: "tls.protocol", Parameter: "protocol:SSL 2.0",
			Title:    "SSL 2.0 accepted",
			Severity: scan.SeverityCritical, Confidence: scan.ConfidenceConfirmed, CWE: 327,
			Description: "The server accepts SSL 2.0, a protocol broken since 1996: its handshake can be tampered " +
				"with, it offers only export and 64-bit ciphers, and it lets an attacker decrypt the server's " +
				"TLS sessions that use the same RSA key (DROWN, CVE-2016-0800).",
			Fix: "Disable SSL 2.0 everywhere the certificate's key is used (web, mail and other servers). " + fixProtocols,
			Evidence: scan.Evidence{
				Request:  fmt.Sprintf("SSL 2.0 CLIENT-HELLO offering %d cipher kinds", len(sslv2Ciphers)),
				Response: "SSL 2.0 SERVER-HELLO, ciphers " + strings.Join(names, ", "),
				Detail:   "the server answered an SSL 2.0 hello with an SSL 2.0 SERVER-HELLO",
			},
			References: []string{"https://drownattack.com/", refTLSCheatSheet},
		})
	}
	old := []struct {
		v        uint16
		sev      scan.Severity
		why, ref string
	}{
		{versionSSL30, scan.SeverityHigh, "SSL 3.0 is broken: its CBC padding lets an attacker decrypt cookies (POODLE, CVE-2014-3566) and its RC4 alternative is broken too (RFC 7568).", "https://www.rfc-editor.org/rfc/rfc7568"},
		{versionTLS10, scan.SeverityMedium, "TLS 1.0 is deprecated (RFC 8996): it relies on SHA-1 and MD5 in its handshake, its CBC mode is open to BEAST, and it lacks the AEAD ciphers of TLS 1.2. PCI DSS has forbidden it since 2018.", refRFC8996},
		{versionTLS11, scan.SeverityLow, "TLS 1.1 is deprecated (RFC 8996): it relies on SHA-1 and MD5 in its handshake and lacks the AEAD ciphers of TLS 1.2.", refRFC8996},
	}
	for _, p := range old {
		if !o.accepted[p.v] {
			continue
		}
		ids := o.suites[p.v]
		add(scan.Finding{
			Check: "tls.protocol", Parameter: "protocol:" + versionName(p.v),
			Title:    versionName(p.v) + " accepted",
			Severity: p.sev, Confidence: scan.ConfidenceConfirmed, CWE: 327,
			Description: fmt.Sprintf("The server accepts %s with %d cipher suites. %s",
				versionName(p.v), len(ids), p.why),
			Fix:        fixProtocols,
			Evidence:   helloEvidence(p.v, ids[0], fmt.Sprintf("%s suites accepted: %s", versionName(p.v), listShort(o.suiteNames(p.v)))),
			References: []string{p.ref, refTLSCheatSheet},
		})
	}
}

// cipherClasses describes each class of weak suites for its finding.
var cipherClasses = []struct {
	c           class
	param       string
	title       string
	sev         scan.Severity
	description string
}{
	{classNull, "cipher:null", "NULL cipher suites accepted", scan.SeverityHigh,
		"The server accepts cipher suites without encryption: traffic is sent in clear text."},
	{classAnon, "cipher:anon", "Anonymous cipher suites accepted", scan.SeverityHigh,
		"The server accepts anonymous (DH_anon, ECDH_anon) suites: they do not authenticate the server, so anyone in the network path can intercept the connection."},
	{classExport, "cipher:export", "Export cipher suites accepted", scan.SeverityHigh,
		"The server accepts export-grade suites (40- or 56-bit keys, 512-bit key exchange), which can be broken in hours and let an attacker downgrade connections (FREAK, Logjam)."},
	{classLowBits, "cipher:des", "Cipher suites weaker than 112 bits accepted", scan.SeverityHigh,
		"The server accepts suites with DES, RC2 or other ciphers under 112 bits of strength, which can be brute-forced."},
	{classRC4, "cipher:rc4", "RC4 cipher suites accepted", scan.SeverityMedium,
		"The server accepts RC4 suites. RC4's biases let an attacker recover plaintext such as cookies from many connections; RFC 7465 forbids it."},
	{class64Bit, "cipher:3des", "64-bit block cipher suites accepted (Sweet32)", scan.SeverityMedium,
		"The server accepts 3DES or IDEA suites. Their 64-bit blocks collide after a few dozen gigabytes, which lets an attacker recover cookies from a long connection (Sweet32, CVE-2016-2183)."},
	{classNoFS, "cipher:no-forward-secrecy", "Cipher suites without forward secrecy accepted", scan.SeverityLow,
		"The server accepts suites with static RSA (or static DH, ECDH, PSK) key exchange. Whoever obtains the server's private key later can decrypt every recorded session; RSA key exchange is also the target of Bleichenbacher-style attacks (ROBOT)."},
	{classNoAEAD, "cipher:cbc", "CBC-mode cipher suites accepted", scan.SeverityLow,
		"The server accepts suites in CBC mode with HMAC (SHA-1 or SHA-2) rather than AEAD ciphers. Their MAC-then-encrypt construction has produced padding-oracle attacks (Lucky13, POODLE for TLS); modern clients use GCM or ChaCha20-Poly1305."},
}

const fixCiphers = "Offer only ECDHE (or DHE with 2048-bit groups) key exchange with AES-GCM or ChaCha20-Poly1305, " +
	"as Mozilla's intermediate configuration does, e.g. OpenSSL cipher string " +
	"\"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!eNULL\"; in Go, leave tls.Config.CipherSuites unset."

func (o *outcome) cipherFindings(add func(scan.Finding)) {
	all := o.acceptedSuites()
	fs := slices.ContainsFunc(all, func(a acceptedSuite) bool { return a.suite.fs })
	for _, cc := range cipherClasses {
		var hits []acceptedSuite
		for _, a := range all {
			if a.suite.class() == cc.c {
				hits = append(hits, a)
			}
		}
		if len(hits) == 0 {
			continue
		}
		sev := cc.sev
		desc := cc.description
		if cc.c == classNoFS && !fs {
			sev = scan.SeverityMedium
			desc += " No accepted suite has forward secrecy."
		}
		var listed []string
		for _, h := range hits {
			listed = append(listed, h.suite.name+" ("+strings.Join(o.versionsOf(h.suite.id), ", ")+")")
		}
		desc += "\n\nAccepted: " + strings.Join(listed, "; ") + "."
		first := hits[0]
		add(scan.Finding{
			Check: "tls.cipher", Parameter: cc.param,
			Title:    cc.title,
			Severity: sev, Confidence: scan.ConfidenceConfirmed, CWE: 327,
			Description: desc,
			Fix:         fixCiphers,
			Evidence:    helloEvidence(first.version, first.suite.id, fmt.Sprintf("%d such suites accepted: %s", len(hits), listShort(names(hits)))),
			References:  []string{refMozillaTLS, refTLSCheatSheet},
		})
	}
	if o.dhMin > 0 && o.dhMin < 2048 {
		sev := scan.SeverityMedium
		if o.dhMin < 1024 {
			sev = scan.SeverityHigh
		}
		add(scan.Finding{
			Check: "tls.cipher", Parameter: "cipher:dh",
			Title:    "Weak Diffie-Hellman parameters",
			Severity: sev, Confidence: scan.ConfidenceConfirmed, CWE: 326,
			Description: fmt.Sprintf("The server's DHE key exchange uses a %d-bit prime. Primes under 2048 bits are "+
				"within reach of well-funded attackers, and common 1024-bit primes have been precomputed (Logjam).", o.dhMin),
			Fix: "Use 2048-bit or larger DH groups (RFC 7919 ffdhe2048 or more), or offer ECDHE only.",
			Evidence: scan.Evidence{
				Response: fmt.Sprintf("ServerKeyExchange with a %d-bit DH prime", o.dhMin),
				Detail:   "the smallest DH prime the server sent for a DHE suite",
			},
			References: []string{"https://weakdh.org/", refMozillaTLS},
		})
	}
}

func names(as []acceptedSuite) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.suite.name)
	}
	return out
}

// versionsOf lists the protocols that accepted suite id, newest first.
func (o *outcome) versionsOf(id uint16) []string {
	var out []string
	for _, v := range versions {
		if slices.Contains(o.suites[v], id) {
			out = append(out, versionName(v))
		}
	}
	return out
}

func (o *outcome) certFindings(add func(scan.Finding)) {
	r := o.cert
	if r == nil {
		return
	}
	notBefore, notAfter := r.info.NotBefore.UTC(), r.info.NotAfter.UTC()
	ev := scan.Evidence{
		Response: fmt.Sprintf("certificate %s, issued by %s, valid %s to %s, %s %d bits, signed %s, chain of %d",
			r.info.Subject, r.info.Issuer, notBefore.Format(time.DateOnly), notAfter.Format(time.DateOnly),
			r.info.KeyType, r.info.KeyBits, r.info.Signature, r.info.ChainLength),
	}
	with := func(detail string) scan.Evidence { e := ev; e.Detail = detail; return e }
	const fixCert = "Install a certificate from a publicly trusted CA (e.g. Let's Encrypt with automatic renewal) " +
		"that names every host the server answers for, and send the intermediate certificates with it."
	type issue struct {
		param, title string
		sev          scan.Severity
		cwe          int
		desc, fix    string
		detail       string
	}
	var issues []issue
	if r.expired {
		issues = append(issues, issue{"certificate:expired", "Certificate expired", scan.SeverityHigh, 295,
			fmt.Sprintf("The server's certificate expired on %s. Browsers refuse the connection or train users to click through warnings, which invites interception.", notAfter.Format(time.DateOnly)),
			"Renew the certificate and automate renewal (ACME). " + fixCert,
			"notAfter " + notAfter.Format(time.RFC3339)})
	} else if r.daysLeft < 30 && !r.notYetValid {
		issues = append(issues, issue{"certificate:expiring", "Certificate expires soon", scan.SeverityMedium, 295,
			fmt.Sprintf("The server's certificate expires on %s, in %d days.", notAfter.Format(time.DateOnly), r.daysLeft),
			"Renew the certificate now and automate renewal (ACME).",
			"notAfter " + notAfter.Format(time.RFC3339)})
	}
	if r.notYetValid {
		issues = append(issues, issue{"certificate:not-yet-valid", "Certificate not yet valid", scan.SeverityHigh, 295,
			fmt.Sprintf("The server's certificate is valid only from %s.", notBefore.Format(time.DateOnly)),
			"Check the server's clock and the certificate's dates. " + fixCert,
			"notBefore " + notBefore.Format(time.RFC3339)})
	}
	if r.mismatch {
		issues = append(issues, issue{"certificate:name-mismatch", "Certificate does not match the host name", scan.SeverityHigh, 295,
			fmt.Sprintf("The certificate is not valid for %q: it names %s.", r.serverName, strings.Join(certNames(r.chain), ", ")),
			fixCert,
			"host name " + r.serverName})
	}
	if r.info.SelfSigned && !r.info.Trusted {
		issues = append(issues, issue{"certificate:self-signed", "Self-signed certificate", scan.SeverityHigh, 295,
			"The server's certificate is signed by its own key, so no client can tell it from an attacker's.",
			fixCert, "issuer equals subject and the certificate's own key verifies its signature"})
	}
	if r.untrusted {
		desc := "The certificate chain does not lead to a trusted root: " + r.info.TrustError + "."
		if len(r.chain) == 1 && !r.info.SelfSigned {
			desc += " The server sent only its own certificate; if an intermediate CA issued it, the server must send that intermediate too."
		}
		issues = append(issues, issue{"certificate:untrusted", "Certificate not trusted", scan.SeverityHigh, 295,
			desc, fixCert, r.info.TrustError})
	}
	switch {
	case r.info.KeyType == "RSA" && r.info.KeyBits < 2048, r.info.KeyType == "ECDSA" && r.info.KeyBits < 256:
		sev := scan.SeverityMedium
		if r.info.KeyType == "RSA" && r.info.KeyBits < 1024 {
			sev = scan.SeverityHigh
		}
		issues = append(issues, issue{"certificate:key", "Weak certificate key", sev, 326,
			fmt.Sprintf("The certificate's %s key has %d bits; NIST and the CA/Browser Forum require at least 2048 bits for RSA and 256 for ECDSA.", r.info.KeyType, r.info.KeyBits),
			"Issue a new certificate with an ECDSA P-256 or RSA 2048-bit (or larger) key.",
			fmt.Sprintf("%s %d bits", r.info.KeyType, r.info.KeyBits)})
	}
	if len(r.weakSigs) > 0 {
		sev := scan.SeverityMedium
		if r.md5 {
			sev = scan.SeverityHigh
		}
		issues = append(issues, issue{"certificate:signature", "Certificate signed with a weak hash", sev, 327,
			"Certificates in the chain are signed with SHA-1 or MD5, whose collisions let an attacker forge a certificate: " + strings.Join(r.weakSigs, ", ") + ".",
			"Reissue the certificates with SHA-256 signatures.",
			strings.Join(r.weakSigs, ", ")})
	}
	if !r.info.ChainInOrder {
		issues = append(issues, issue{"certificate:chain-order", "Certificate chain out of order", scan.SeverityLow, 295,
			"The server's chain is not ordered so that each certificate is signed by the next one, or contains certificates that do not belong to it. Strict clients fail to build the path.",
			"Send the leaf first, then each intermediate in order of issuance; leave out unrelated certificates.",
			chainNames(r.chain)})
	}
	for _, is := range issues {
		add(scan.Finding{
			Check: "tls.certificate", Parameter: is.param,
			Title:    is.title,
			Severity: is.sev, Confidence: scan.ConfidenceConfirmed, CWE: is.cwe,
			Description: is.desc,
			Fix:         is.fix,
			Evidence:    with(is.detail),
			References:  []string{refTLSCheatSheet},
		})
	}
}

// certNames lists the names the leaf of chain is valid for.
func certNames(chain []*x509.Certificate) []string {
	if len(chain) == 0 {
		return []string{"no name"}
	}
	c := chain[0]
	out := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	if len(out) == 0 && c.Subject.CommonName != "" {
		out = append(out, "only the common name "+c.Subject.CommonName+" (no subjectAltName)")
	}
	if len(out) == 0 {
		out = append(out, "no name")
	}
	return out
}

// chainNames writes a chain as sent: "CN=leaf (issuer CN=ca), CN=ca (…)".
func chainNames(chain []*x509.Certificate) string {
	var parts []string
	for _, c := range chain {
		parts = append(parts, certName(c)+" (issuer "+c.Issuer.String()+")")
	}
	return strings.Join(parts, ", ")
}

func (o *outcome) hstsFindings(add func(scan.Finding)) {
	h := o.hsts
	if !h.checked {
		return
	}
	ev := scan.Evidence{Request: "GET / over TLS", Response: h.status}
	if h.value != "" {
		ev.Response += "\nStrict-Transport-Security: " + h.value
	}
	f := scan.Finding{
		Check: "tls.hsts", Confidence: scan.ConfidenceFirm, CWE: 319, Severity: scan.SeverityLow,
		Fix: "Send \"Strict-Transport-Security: max-age=31536000; includeSubDomains\" on every HTTPS response " +
			"(add \"preload\" and submit the domain to hstspreload.org once every subdomain serves HTTPS).",
		References: []string{refHSTSCheatSheet, "https://www.rfc-editor.org/rfc/rfc6797"},
	}
	switch {
	case h.value == "":
		f.Title = "HSTS header missing"
		f.Description = "The HTTPS answer has no Strict-Transport-Security header, so browsers will still try plain HTTP first, where an attacker in the network path can strip TLS (sslstrip)."
		ev.Detail = "no Strict-Transport-Security header in the answer to GET /"
	case h.maxAge < 0:
		f.Title = "HSTS header invalid"
		f.Description = "The Strict-Transport-Security header has no valid max-age or repeats a directive, so browsers ignore it."
		ev.Detail = "invalid Strict-Transport-Security header"
	case h.maxAge < hstsMinAge:
		f.Title = "HSTS max-age too short"
		f.Description = fmt.Sprintf("The Strict-Transport-Security max-age is %d seconds (%d days); under 180 days, browsers forget the policy between visits and plain HTTP is tried again.", h.maxAge, h.maxAge/86400)
		ev.Detail = fmt.Sprintf("max-age=%d is under %d", h.maxAge, hstsMinAge)
	default:
		return
	}
	f.Evidence = ev
	add(f)
}
