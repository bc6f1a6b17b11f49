package tlsaudit

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"rampart/internal/scan"
)

// modernConfig is a Go server as Mozilla's intermediate profile would set
// it up: TLS 1.2 and 1.3, ECDHE with AEAD ciphers only.
func modernConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

func TestAuditModernGoServer(t *testing.T) {
	pki := newTestPKI(t)
	addr := startGoServer(t, modernConfig(pki.leaf.tlsCert()), hstsHandler("max-age=63072000; includeSubDomains"))

	tests := []struct {
		name      string
		cfg       Config
		wantGrade string
		trusted   bool
	}{
		{"trusted root", Config{RootCAs: pki.pool}, "A+", true},
		{"trusted root, by name", Config{RootCAs: pki.pool, ServerName: "localhost"}, "A+", true},
		{"unknown root", Config{RootCAs: newTestPKI(t).pool}, "T", false},
		{"name mismatch", Config{RootCAs: pki.pool, ServerName: "www.example.com"}, "T", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, fs, err := Audit(context.Background(), addr, tt.cfg)
			t.Logf("audit of a modern Go server took %v", time.Since(start))
			if err != nil {
				t.Fatalf("Audit(%s) error: %v", addr, err)
			}
			want := map[string]bool{"TLS 1.3": true, "TLS 1.2": true, "TLS 1.1": false, "TLS 1.0": false, "SSL 3.0": false, "SSL 2.0": false}
			for name, w := range want {
				if got := res.Protocols[name]; got != w {
					t.Errorf("Protocols[%q] = %v, want %v", name, got, w)
				}
			}
			wantCiphers := map[string][]string{
				"TLS 1.3": {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"},
				"TLS 1.2": {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
			}
			for v, w := range wantCiphers {
				if got := res.Ciphers[v]; !slices.Equal(got, w) {
					t.Errorf("Ciphers[%q] = %v, want %v", v, got, w)
				}
			}
			for _, f := range fs {
				if f.Check == "tls.protocol" || f.Check == "tls.cipher" || f.Check == "tls.hsts" {
					t.Errorf("unexpected finding %s %s: %s", f.Check, f.Parameter, f.Title)
				}
				if f.Check == "tls.certificate" && tt.trusted {
					t.Errorf("unexpected finding %s %s: %s", f.Check, f.Parameter, f.Title)
				}
			}
			if res.Grade != tt.wantGrade {
				t.Errorf("Grade = %q (%q), want %q", res.Grade, res.Reasons, tt.wantGrade)
			}
			c := res.Certificate
			if c == nil || c.Trusted != tt.trusted || c.KeyType != "ECDSA" || c.KeyBits != 256 || c.SelfSigned || !c.ChainInOrder || c.ChainLength != 1 {
				t.Errorf("Certificate = %+v, want ECDSA 256, trusted %v, chain of 1 in order", c, tt.trusted)
			}
			if res.HSTS != "max-age=63072000; includeSubDomains" {
				t.Errorf("HSTS = %q", res.HSTS)
			}
			if !tt.trusted {
				if !slices.ContainsFunc(res.Reasons, func(r string) bool { return strings.Contains(r, "grade ignoring trust: A+") }) {
					t.Errorf("Reasons %q do not give the grade ignoring trust (A+)", res.Reasons)
				}
				if len(fs) == 0 || fs[0].Check != "tls.certificate" {
					t.Errorf("findings %v, want a tls.certificate finding", fs)
				}
			}
		})
	}
}

// TestAuditGoDefaults audits a Go server with its default suites (which
// include ECDHE with AES-CBC) and no HSTS: grade A, with low findings.
func TestAuditGoDefaults(t *testing.T) {
	pki := newTestPKI(t)
	addr := startGoServer(t, &tls.Config{Certificates: []tls.Certificate{pki.leaf.tlsCert()}}, hstsHandler(""))
	res, fs, err := Audit(context.Background(), addr, Config{RootCAs: pki.pool})
	if err != nil {
		t.Fatalf("Audit(%s) error: %v", addr, err)
	}
	if res.Grade != "A" {
		t.Errorf("Grade = %q (%q), want A", res.Grade, res.Reasons)
	}
	if !slices.Contains(res.Reasons, "not A+: no HSTS header with max-age of at least 180 days") {
		t.Errorf("Reasons %q do not say why not A+", res.Reasons)
	}
	m := byParam(fs)
	if f, ok := m["tls.cipher cipher:cbc"]; !ok || f.Severity != scan.SeverityLow {
		t.Errorf("cbc finding = %+v, want one, low", f)
	}
	if f, ok := m["tls.hsts "]; !ok || f.Title != "HSTS header missing" || f.CWE != 319 {
		t.Errorf("hsts finding = %+v, want HSTS header missing", f)
	}
	if len(fs) != 2 {
		t.Errorf("findings %v, want cbc and hsts", keys(m))
	}
	for _, f := range fs {
		if len(f.URLs) != 1 || f.URLs[0] != "https://"+addr+"/" || f.OWASP != scan.OWASPCryptographicFailures {
			t.Errorf("finding %s: URLs %v, OWASP %q", f.Parameter, f.URLs, f.OWASP)
		}
	}
}

func TestAuditFakeSSLv3(t *testing.T) {
	pki := newTestPKI(t)
	addr := startFakeServer(t, sslv3Server(pki.leaf.der))
	res, fs, err := Audit(context.Background(), addr, Config{RootCAs: pki.pool})
	if err != nil {
		t.Fatalf("Audit(%s) error: %v", addr, err)
	}
	for name, ok := range res.Protocols {
		if ok != (name == "SSL 3.0") {
			t.Errorf("Protocols[%q] = %v", name, ok)
		}
	}
	want := []string{"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}
	if got := res.Ciphers["SSL 3.0"]; !slices.Equal(got, want) {
		t.Errorf(`Ciphers["SSL 3.0"] = %v, want %v`, got, want)
	}
	// crypto/tls cannot speak SSL 3.0: the chain comes from the raw
	// Certificate message.
	if res.Certificate == nil || !res.Certificate.Trusted {
		t.Errorf("Certificate = %+v, want the trusted leaf from the SSL 3.0 flight", res.Certificate)
	}
	if res.Grade != "F" || !slices.Contains(res.Reasons, "capped at F: SSL 3.0 is the newest protocol accepted") {
		t.Errorf("Grade = %q (%q), want F for SSL 3.0 only", res.Grade, res.Reasons)
	}
	m := byParam(fs)
	for key, sev := range map[string]scan.Severity{
		"tls.protocol protocol:SSL 3.0":        scan.SeverityHigh,
		"tls.cipher cipher:rc4":                scan.SeverityMedium,
		"tls.cipher cipher:3des":               scan.SeverityMedium,
		"tls.cipher cipher:no-forward-secrecy": scan.SeverityMedium, // no suite has forward secrecy
	} {
		if f, ok := m[key]; !ok || f.Severity != sev || f.Confidence != scan.ConfidenceConfirmed {
			t.Errorf("finding %q = %+v, want severity %v, confirmed", key, f, sev)
		}
	}
	if f := m["tls.cipher cipher:rc4"]; f.Evidence.Response != "ServerHello SSL 3.0, cipher TLS_RSA_WITH_RC4_128_SHA" {
		t.Errorf("rc4 evidence = %q", f.Evidence.Response)
	}
	if _, ok := m["tls.hsts "]; ok {
		t.Error("HSTS reported although no handshake completed")
	}
}

func TestAuditFakeSSLv2(t *testing.T) {
	cert := newCert(t, certSpec{cn: "old", dnsNames: []string{"old.example"}}, nil)
	addr := startFakeServer(t, sslv2Server(cert.der))
	res, fs, err := Audit(context.Background(), addr, Config{})
	if err != nil {
		t.Fatalf("Audit(%s) error: %v", addr, err)
	}
	for name, ok := range res.Protocols {
		if ok != (name == "SSL 2.0") {
			t.Errorf("Protocols[%q] = %v", name, ok)
		}
	}
	want := []string{"SSL_CK_RC4_128_WITH_MD5", "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"}
	if got := res.Ciphers["SSL 2.0"]; !slices.Equal(got, want) {
		t.Errorf(`Ciphers["SSL 2.0"] = %v, want %v`, got, want)
	}
	if res.Grade != "T" || !slices.Contains(res.Reasons, "capped at F: SSL 2.0 is accepted (DROWN)") {
		t.Errorf("Grade = %q (%q), want T (F ignoring trust) with the SSL 2.0 cap", res.Grade, res.Reasons)
	}
	m := byParam(fs)
	f, ok := m["tls.protocol protocol:SSL 2.0"]
	if !ok || f.Severity != scan.SeverityCritical || !strings.Contains(f.Evidence.Response, "SSL_CK_RC4_128_WITH_MD5") {
		t.Errorf("SSL 2.0 finding = %+v", f)
	}
	if _, ok := m["tls.certificate certificate:name-mismatch"]; !ok {
		t.Errorf("no name mismatch for the SSL 2.0 certificate; findings %v", keys(m))
	}
}

// TestAuditNotTLS audits servers that do not speak TLS: every protocol
// is reported as not accepted, with what the server did.
func TestAuditNotTLS(t *testing.T) {
	plain := httptest.NewServer(hstsHandler(""))
	t.Cleanup(plain.Close)
	tests := []struct {
		name  string
		addr  string
		cfg   Config
		why   string
		setup func(net.Conn)
	}{
		{name: "closes at once", why: errClosed.Error(), setup: func(net.Conn) {}},
		{name: "garbage", why: "not a TLS record", setup: func(c net.Conn) {
			_, _ = c.Write([]byte("\x00\x01garbage, not TLS at all"))
		}},
		{name: "TLS-looking garbage", why: "record version", setup: func(c net.Conn) {
			_, _ = c.Write([]byte{22, 9, 9, 0, 4, 1, 2, 3, 4})
		}},
		{name: "alert", why: "alert handshake_failure", setup: func(c net.Conn) {
			_, _ = readTestHello(c)
			_, _ = c.Write(alertRecord(versionTLS12, 40))
		}},
		{name: "silent", why: "no answer within 300ms", cfg: Config{Timeout: 300 * time.Millisecond, Concurrency: 64}, setup: func(c net.Conn) {
			_, _ = io.Copy(io.Discard, c)
		}},
		// An HTTP server waits for a line the SSL 2.0 hello never ends:
		// that probe costs the timeout.
		{name: "plain HTTP", addr: plain.Listener.Addr().String(), cfg: Config{Timeout: 500 * time.Millisecond},
			why: "not a TLS record (first bytes 48 54 54 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr
			if addr == "" {
				addr = startFakeServer(t, tt.setup)
			}
			res, fs, err := Audit(context.Background(), addr, tt.cfg)
			if !errors.Is(err, ErrNoProtocol) {
				t.Fatalf("Audit(%s) error = %v, want ErrNoProtocol", addr, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q does not say %q", err, tt.why)
			}
			if res == nil || len(res.Protocols) != 6 || res.Grade != "" || len(fs) != 0 {
				t.Fatalf("result %+v, findings %v; want 6 protocols, none accepted, no grade", res, fs)
			}
			for name, ok := range res.Protocols {
				if ok {
					t.Errorf("Protocols[%q] = true", name)
				}
			}
		})
	}
}

func TestAuditUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	if _, _, err := Audit(context.Background(), addr, Config{}); err == nil || errors.Is(err, ErrNoProtocol) {
		t.Errorf("Audit(closed port) error = %v, want a connect error", err)
	}
	if _, _, err := Audit(context.Background(), "no-port", Config{}); err == nil {
		t.Error("Audit(no-port) error = nil")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Audit(ctx, "127.0.0.1:1", Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Audit(canceled) error = %v, want context.Canceled", err)
	}
}

// TestClientHelloFields parses the hellos the audit sends: versions,
// extensions, SNI, key share and padding are as intended. (That servers
// accept them is what the Go, OpenSSL and fake server tests show.)
func TestClientHelloFields(t *testing.T) {
	a, err := newAuditor("127.0.0.1:1", Config{ServerName: "www.example.com"}.withDefaults("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		raw      []byte
		version  uint16
		record   uint16
		wantExts []uint16
		noExts   []uint16
	}{
		{"TLS 1.3", a.hello(versionTLS13, []uint16{0x1301}), versionTLS12, versionTLS10,
			[]uint16{extServerName, extSupportedGroups, extSignatureAlgorithms, extSupportedVersions, extKeyShare}, nil},
		{"TLS 1.2", a.hello(versionTLS12, offerable(false)[:64]), versionTLS12, versionTLS10,
			[]uint16{extServerName, extSupportedGroups, extECPointFormats, extSignatureAlgorithms, extRenegotiationInfo}, []uint16{extSupportedVersions, extKeyShare}},
		{"TLS 1.0", a.hello(versionTLS10, offerable(false)[:3]), versionTLS10, versionTLS10,
			[]uint16{extServerName, extSupportedGroups}, []uint16{extSignatureAlgorithms}},
		{"SSL 3.0", a.hello(versionSSL30, offerable(false)[:3]), versionSSL30, versionSSL30, nil, []uint16{extServerName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := parseTestHello(tt.raw)
			if err != nil {
				t.Fatalf("parseTestHello: %v", err)
			}
			if h.version != tt.version || h.recordVersion != tt.record {
				t.Errorf("versions = %#x in a %#x record, want %#x in %#x", h.version, h.recordVersion, tt.version, tt.record)
			}
			for _, e := range tt.wantExts {
				if !slices.Contains(h.extensions, e) {
					t.Errorf("extension %d missing from %v", e, h.extensions)
				}
			}
			for _, e := range tt.noExts {
				if slices.Contains(h.extensions, e) {
					t.Errorf("extension %d present in %v", e, h.extensions)
				}
			}
			if slices.Contains(tt.wantExts, extServerName) && h.serverName != "www.example.com" {
				t.Errorf("SNI = %q", h.serverName)
			}
			if tt.version == versionTLS12 && tt.name == "TLS 1.3" {
				if !slices.Equal(h.supportedVersions, []uint16{versionTLS13}) || !slices.Equal(h.keyShareGroups, []uint16{groupX25519}) {
					t.Errorf("supported_versions %v, key shares %v", h.supportedVersions, h.keyShareGroups)
				}
			}
			// No handshake message in the 256-511 byte range (RFC 7685).
			if n := len(tt.raw) - 5; n >= 256 && n < 512 {
				t.Errorf("hello of %d bytes, want padding out of 256-511", n)
			}
		})
	}
	// An IP address is never sent as SNI.
	ip := buildClientHello(helloSpec{version: versionTLS12, suites: []uint16{0x002f}, serverName: "127.0.0.1", random: make([]byte, 32)})
	if h, _ := parseTestHello(ip); slices.Contains(h.extensions, extServerName) {
		t.Error("SNI sent for an IP address")
	}
	v2 := buildSSLv2ClientHello(make([]byte, 16))
	if h, err := parseTestHello(v2); err != nil || !h.sslv2 || h.version != versionSSL20 || len(h.v2specs) != len(sslv2Ciphers) {
		t.Errorf("SSL 2.0 hello parsed as %+v, %v", h, err)
	}
}
