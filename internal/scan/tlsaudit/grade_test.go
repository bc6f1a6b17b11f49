package tlsaudit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"rampart/internal/scan"
)

// modernOutcome is a server with TLS 1.2 and 1.3, ECDHE and AEAD only, a
// trusted ECDSA certificate and a year of HSTS.
func modernOutcome() *outcome {
	return &outcome{
		url:      "https://www.example.com/",
		accepted: map[uint16]bool{versionTLS13: true, versionTLS12: true},
		suites: map[uint16][]uint16{
			versionTLS13: {0x1301, 0x1302, 0x1303},
			versionTLS12: {0xC02B, 0xC02C, 0xCCA9},
		},
		groups: map[uint16]bool{groupX25519: true},
		cert: &certReport{daysLeft: 365, info: scan.CertInfo{
			KeyType: "ECDSA", KeyBits: 256, Trusted: true, ChainInOrder: true, ChainLength: 1,
			NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		}},
		hsts: hstsResult{checked: true, value: "max-age=31536000", maxAge: 31536000},
	}
}

func TestGrade(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *outcome)
		want   string
		reason string // a prefix one of the reasons must have
	}{
		{"modern with HSTS", func(o *outcome) {}, "A+", "A+: HSTS max-age of 365 days"},
		{"modern without HSTS", func(o *outcome) { o.hsts = hstsResult{checked: true, maxAge: -1} }, "A", "not A+: no HSTS header"},
		{"short HSTS", func(o *outcome) { o.hsts.maxAge = 86400 }, "A", "not A+: no HSTS header with max-age of at least 180 days"},
		{"HSTS not checked", func(o *outcome) { o.hsts = hstsResult{} }, "A", "not A+: HSTS could not be checked"},
		{"TLS 1.2 only", func(o *outcome) { delete(o.accepted, versionTLS13); delete(o.suites, versionTLS13) }, "A+", "score"},
		{"TLS 1.0", func(o *outcome) { o.accepted[versionTLS10] = true; o.suites[versionTLS10] = []uint16{0xC013} }, "B", "capped at B: TLS 1.0 is accepted"},
		{"TLS 1.1", func(o *outcome) { o.accepted[versionTLS11] = true; o.suites[versionTLS11] = []uint16{0xC013} }, "B", "capped at B: TLS 1.1 is accepted"},
		{"TLS 1.0 only", func(o *outcome) {
			o.accepted = map[uint16]bool{versionTLS10: true}
			o.suites = map[uint16][]uint16{versionTLS10: {0xC013}}
		}, "C", "capped at C: neither TLS 1.2 nor TLS 1.3"},
		{"SSL 3.0 too", func(o *outcome) { o.accepted[versionSSL30] = true; o.suites[versionSSL30] = []uint16{0x002F} }, "C", "capped at C: SSL 3.0 is accepted"},
		{"SSL 3.0 only", func(o *outcome) {
			o.accepted = map[uint16]bool{versionSSL30: true}
			o.suites = map[uint16][]uint16{versionSSL30: {0x002F}}
		}, "F", "capped at F: SSL 3.0 is the newest"},
		{"SSL 2.0", func(o *outcome) { o.accepted[versionSSL20] = true; o.v2 = []uint32{0x010080} }, "F", "capped at F: SSL 2.0"},
		{"RC4", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x0005) }, "C", "capped at C: RC4"},
		{"3DES", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x000A) }, "C", "capped at C: 64-bit block"},
		{"DES", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x0009) }, "F", "capped at F: cipher suites weaker than 112 bits"},
		{"export", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x0003) }, "F", "capped at F: export"},
		{"NULL", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x0002) }, "F", "capped at F: NULL"},
		{"anonymous", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x00A6) }, "F", "capped at F: anonymous"},
		{"no forward secrecy", func(o *outcome) {
			o.accepted = map[uint16]bool{versionTLS12: true}
			o.suites = map[uint16][]uint16{versionTLS12: {0x009C, 0x009D}}
			o.cert.info.KeyType, o.cert.info.KeyBits = "RSA", 2048
		}, "B", "capped at B: no cipher suite with forward secrecy"},
		{"RSA kx beside ECDHE", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x009C) }, "A+", "score"},
		{"RSA 1024", func(o *outcome) { o.cert.info.KeyType, o.cert.info.KeyBits = "RSA", 1024 }, "B", "capped at B: RSA key of 1024 bits"},
		{"RSA 512", func(o *outcome) { o.cert.info.KeyType, o.cert.info.KeyBits = "RSA", 512 }, "F", "capped at F: RSA key of 512 bits"},
		{"DH 1024", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x009E); o.dhMin = 1024 }, "B", "capped at B: DH parameters of 1024 bits"},
		{"DH 512", func(o *outcome) { o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x009E); o.dhMin = 512 }, "F", "capped at F: DH parameters of 512 bits"},
		{"MD5 certificate", func(o *outcome) { o.cert.md5 = true }, "F", "capped at F: certificate signed with MD5"},
		{"untrusted", func(o *outcome) {
			o.cert.info.Trusted, o.cert.info.SelfSigned, o.cert.info.TrustError = false, true, "x509: unknown authority"
		}, "T", "T: certificate not trusted (self-signed); grade ignoring trust: A+"},
		{"untrusted and weak", func(o *outcome) {
			o.cert.info.Trusted, o.cert.expired, o.cert.info.TrustError = false, true, "x509: expired"
			o.accepted[versionSSL20] = true
		}, "T", "T: certificate not trusted (expired); grade ignoring trust: F"},
		{"no certificate", func(o *outcome) { o.cert = nil }, "A+", "certificate not examined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := modernOutcome()
			tt.change(o)
			got, reasons := grade(o)
			if got != tt.want {
				t.Errorf("grade = %q, want %q; reasons %q", got, tt.want, reasons)
			}
			if !slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(r, tt.reason) }) {
				t.Errorf("reasons %q lack %q", reasons, tt.reason)
			}
			if !strings.HasPrefix(reasons[0], "score ") {
				t.Errorf("first reason %q is not the score", reasons[0])
			}
		})
	}
}

func TestScores(t *testing.T) {
	o := modernOutcome()
	if p, k, c := o.scores(); p != 100 || k != 90 || c != 90 {
		t.Errorf("modern scores = %d, %d, %d; want 100, 90, 90", p, k, c)
	}
	o.accepted[versionSSL30] = true
	o.suites[versionSSL30] = []uint16{0x0003} // export RC4-40
	if p, k, c := o.scores(); p != 90 || k != 40 || c != 60 {
		t.Errorf("with SSL 3.0 export scores = %d, %d, %d; want 90, 40, 60", p, k, c)
	}
}

// TestCipherFindings checks one finding per class, each listing its
// suites with the protocols that accept them.
func TestCipherFindings(t *testing.T) {
	o := modernOutcome()
	o.accepted[versionTLS10] = true
	o.suites[versionTLS10] = []uint16{0x0005, 0x000A, 0x002F}
	o.suites[versionTLS12] = append(o.suites[versionTLS12], 0x0005, 0x002F, 0xC013)
	m := byParam(findings(o))
	want := map[string]scan.Severity{
		"tls.protocol protocol:TLS 1.0":        scan.SeverityMedium,
		"tls.cipher cipher:rc4":                scan.SeverityMedium,
		"tls.cipher cipher:3des":               scan.SeverityMedium,
		"tls.cipher cipher:no-forward-secrecy": scan.SeverityLow,
		"tls.cipher cipher:cbc":                scan.SeverityLow,
	}
	if len(m) != len(want) {
		t.Errorf("findings %v, want %d", keys(m), len(want))
	}
	for k, sev := range want {
		f, ok := m[k]
		if !ok || f.Severity != sev || f.OWASP != scan.OWASPCryptographicFailures || f.CWE != 327 {
			t.Errorf("finding %q = %+v, want severity %v, CWE 327, A02", k, f, sev)
		}
	}
	rc4 := m["tls.cipher cipher:rc4"]
	if !strings.Contains(rc4.Description, "TLS_RSA_WITH_RC4_128_SHA (TLS 1.2, TLS 1.0)") {
		t.Errorf("rc4 description %q does not list the suite with its protocols", rc4.Description)
	}
	if rc4.Evidence.Response != "ServerHello TLS 1.0, cipher TLS_RSA_WITH_RC4_128_SHA" {
		t.Errorf("rc4 evidence %q", rc4.Evidence.Response)
	}
	if cbc := m["tls.cipher cipher:cbc"]; !strings.Contains(cbc.Description, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (TLS 1.2)") {
		t.Errorf("cbc description %q", cbc.Description)
	}
}

func TestHSTSFindings(t *testing.T) {
	tests := []struct {
		name  string
		value string
		title string
	}{
		{"missing", "", "HSTS header missing"},
		{"short", "max-age=86400", "HSTS max-age too short"},
		{"invalid", "includeSubDomains", "HSTS header invalid"},
		{"good", "max-age=31536000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := modernOutcome()
			var values []string
			if tt.value != "" {
				values = []string{tt.value}
			}
			o.hsts = parseHSTS("HTTP/1.1 200 OK", values)
			f, ok := byParam(findings(o))["tls.hsts "]
			if ok != (tt.title != "") || f.Title != tt.title {
				t.Errorf("HSTS finding %q (present %v), want %q", f.Title, ok, tt.title)
			}
			if ok && (f.CWE != 319 || !strings.Contains(f.Evidence.Response, "HTTP/1.1 200 OK")) {
				t.Errorf("HSTS finding %+v", f)
			}
		})
	}
}
