package tlsaudit

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rampart/internal/scan"
)

// weakCipherString is what the weak server accepts: every cipher this
// OpenSSL has, at security level 0 (anonymous, RSA key exchange, CBC with
// SHA-1, Camellia, ARIA; Debian's OpenSSL 3 builds no 3DES, RC4 or
// export suites).
const weakCipherString = "ALL:@SECLEVEL=0"

// lookOpenSSL returns the openssl binary or skips the test.
func lookOpenSSL(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		tb.Skip("openssl is not on PATH; install it (Debian: apt-get install openssl) to audit a real weak server")
	}
	return path
}

// startOpenSSL starts "openssl s_server -www" on a free loopback port
// with the certificate and extra options, and returns its address. The
// server is killed when the test ends.
func startOpenSSL(tb testing.TB, bin, certFile, keyFile string, extra ...string) string {
	tb.Helper()
	args := append([]string{"s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile, "-www"}, extra...)
	cmd := exec.Command(bin, args...) // #nosec G204 -- test: the openssl binary from PATH, with fixed options
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start openssl s_server: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// s_server prints "ACCEPT 127.0.0.1:PORT" once it listens, then a
	// line per connection, which must be drained.
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "ACCEPT "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return addr
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	tb.Fatalf("openssl s_server %s did not start: %s", strings.Join(args, " "), stderr.String())
	return ""
}

// opensslSuite is a line of "openssl ciphers -V".
type opensslSuite struct {
	id            uint16
	name          string
	proto, kx, au string
}

// opensslCiphers lists what "openssl ciphers -V spec" says.
func opensslCiphers(tb testing.TB, bin, spec string) []opensslSuite {
	tb.Helper()
	out, err := exec.Command(bin, "ciphers", "-V", spec).Output() // #nosec G204 -- test: fixed arguments
	if err != nil {
		tb.Fatalf("openssl ciphers -V %q: %v", spec, err)
	}
	var list []opensslSuite
	for line := range strings.Lines(string(out)) {
		// 0xC0,0x2C - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH Au=ECDSA Enc=AESGCM(256) Mac=AEAD
		f := strings.Fields(line)
		if len(f) < 6 || len(f[0]) != 9 {
			continue
		}
		hi, err1 := strconv.ParseUint(f[0][2:4], 16, 8)
		lo, err2 := strconv.ParseUint(f[0][7:9], 16, 8)
		if err1 != nil || err2 != nil {
			tb.Fatalf("unexpected openssl ciphers line %q", line)
		}
		list = append(list, opensslSuite{
			id: uint16(hi<<8 | lo), name: f[2], proto: f[3],
			kx: strings.TrimPrefix(f[4], "Kx="), au: strings.TrimPrefix(f[5], "Au="),
		})
	}
	if len(list) == 0 {
		tb.Fatalf("openssl ciphers -V %q listed nothing", spec)
	}
	return list
}

// TestAuditOpenSSLWeakServer audits a real weak server: OpenSSL with TLS
// 1.0-1.2, every cipher at security level 0 and a self-signed, expired
// RSA certificate. What the audit reports must be what the server offers.
func TestAuditOpenSSLWeakServer(t *testing.T) {
	bin := lookOpenSSL(t)
	now := time.Now()
	cert := newCert(t, certSpec{
		cn:        "localhost",
		dnsNames:  []string{"localhost"},
		notBefore: now.Add(-400 * 24 * time.Hour),
		notAfter:  now.Add(-30 * 24 * time.Hour),
		key:       rsaKey(t, 2048),
	}, nil)
	certFile, keyFile := cert.writePEM(t, t.TempDir())
	// "-tls1 -tls1_1 -tls1_2" cannot be combined in s_server; a range
	// is how to enable the three.
	addr := startOpenSSL(t, bin, certFile, keyFile,
		"-min_protocol", "TLSv1", "-max_protocol", "TLSv1.2", "-cipher", weakCipherString)

	start := time.Now()
	res, fs, err := Audit(context.Background(), addr, Config{ServerName: "localhost"})
	t.Logf("audit of openssl s_server (TLS 1.0-1.2, %s) took %v", weakCipherString, time.Since(start))
	if err != nil {
		t.Fatalf("Audit(%s) error: %v", addr, err)
	}

	wantProtocols := map[string]bool{"TLS 1.3": false, "TLS 1.2": true, "TLS 1.1": true, "TLS 1.0": true, "SSL 3.0": false, "SSL 2.0": false}
	for name, want := range wantProtocols {
		if got := res.Protocols[name]; got != want {
			t.Errorf("Protocols[%q] = %v, want %v", name, got, want)
		}
	}

	// What the server can negotiate with an RSA certificate and no PSK
	// or SRP configured: RSA, DHE and ECDHE key exchange authenticated by
	// RSA, and the anonymous suites. TLS 1.0 and 1.1 lack the TLS 1.2-only
	// suites (AEAD, SHA-256 MACs).
	offered := opensslCiphers(t, bin, weakCipherString)
	byID := map[uint16]opensslSuite{}
	want := map[string][]string{}
	for _, s := range offered {
		byID[s.id] = s
		if s.proto == "TLSv1.3" || (s.au != "RSA" && s.au != "None") || (s.kx != "RSA" && s.kx != "DH" && s.kx != "ECDH") {
			continue
		}
		want["TLS 1.2"] = append(want["TLS 1.2"], suiteName(s.id))
		if s.proto != "TLSv1.2" {
			want["TLS 1.1"] = append(want["TLS 1.1"], suiteName(s.id))
			want["TLS 1.0"] = append(want["TLS 1.0"], suiteName(s.id))
		}
	}
	for _, v := range []string{"TLS 1.2", "TLS 1.1", "TLS 1.0"} {
		got := slices.Sorted(slices.Values(res.Ciphers[v]))
		w := slices.Sorted(slices.Values(want[v]))
		if !slices.Equal(got, w) {
			t.Errorf("Ciphers[%q]:\n got %d %v\nwant %d %v\nmissing %v\nextra %v", v, len(got), got, len(w), w, minus(w, got), minus(got, w))
		}
	}
	if len(res.Ciphers["TLS 1.3"]) > 0 {
		t.Errorf("Ciphers[TLS 1.3] = %v, want none", res.Ciphers["TLS 1.3"])
	}

	// Every suite a cipher finding names is one openssl offers.
	names := map[string]bool{}
	for _, s := range offered {
		names[suiteName(s.id)] = true
	}
	m := byParam(fs)
	for _, f := range fs {
		if f.Check != "tls.cipher" || f.Parameter == "cipher:dh" {
			continue
		}
		_, list, _ := strings.Cut(f.Description, "Accepted: ")
		for item := range strings.SplitSeq(strings.TrimSuffix(list, "."), "; ") {
			name, _, _ := strings.Cut(item, " (")
			if !names[name] {
				t.Errorf("finding %s lists %q, which openssl ciphers -V %q does not offer", f.Parameter, name, weakCipherString)
			}
		}
	}
	for _, key := range []string{
		"tls.protocol protocol:TLS 1.0", "tls.protocol protocol:TLS 1.1",
		"tls.cipher cipher:anon", "tls.cipher cipher:no-forward-secrecy", "tls.cipher cipher:cbc",
		"tls.certificate certificate:expired", "tls.certificate certificate:self-signed",
		"tls.hsts ",
	} {
		f, ok := m[key]
		if !ok {
			t.Errorf("no finding %q; have %v", key, keys(m))
			continue
		}
		if f.Check != "tls.hsts" && f.Confidence != scan.ConfidenceConfirmed {
			t.Errorf("finding %q confidence = %v, want confirmed", key, f.Confidence)
		}
	}
	for _, key := range []string{"tls.protocol protocol:SSL 3.0", "tls.protocol protocol:SSL 2.0", "tls.certificate certificate:name-mismatch"} {
		if _, ok := m[key]; ok {
			t.Errorf("unexpected finding %q", key)
		}
	}
	if f := m["tls.protocol protocol:TLS 1.0"]; !strings.HasPrefix(f.Evidence.Response, "ServerHello TLS 1.0, cipher TLS_") {
		t.Errorf("TLS 1.0 evidence = %q, want a ServerHello TLS 1.0 with a cipher", f.Evidence.Response)
	}

	c := res.Certificate
	if c == nil || !c.SelfSigned || c.Trusted || c.KeyType != "RSA" || c.KeyBits != 2048 {
		t.Errorf("Certificate = %+v, want self-signed, untrusted, RSA 2048", c)
	}
	// Anonymous suites cap the grade at F; the certificate makes it T,
	// with the F said in the reasons.
	if res.Grade != "T" || !slices.ContainsFunc(res.Reasons, func(r string) bool { return strings.Contains(r, "grade ignoring trust: F") }) {
		t.Errorf("Grade = %q, reasons %q; want T, and F ignoring trust", res.Grade, res.Reasons)
	}
	for _, r := range []string{"capped at F: anonymous", "capped at B: TLS 1.0 and TLS 1.1"} {
		if !slices.ContainsFunc(res.Reasons, func(s string) bool { return strings.HasPrefix(s, r) }) {
			t.Errorf("Reasons %q lack %q", res.Reasons, r)
		}
	}
	if res.HSTS != "" {
		t.Errorf("HSTS = %q, want none (s_server -www sends none)", res.HSTS)
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}
