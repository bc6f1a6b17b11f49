package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and returns the
// file paths and a pool trusting it.
func writeCert(tb testing.TB, dir, cn string) (certFile, keyFile string, pool *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, cn+".pem"), filepath.Join(dir, cn+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func tlsYAML(certFile, keyFile, upstream string, redirect bool) string {
	return fmt.Sprintf(`
listen: {http: 127.0.0.1:0, https: 127.0.0.1:0, redirect_https: %v, admin: ""}
tls: {cert_file: %q, key_file: %q}
log: {access_log: false}
routes:
  - name: app
    upstreams: [%q]
`, redirect, certFile, keyFile, upstream)
}

func TestHTTPSAndHTTP2(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	certFile, keyFile, pool := writeCert(t, t.TempDir(), "one")
	h := start(t, tlsYAML(certFile, keyFile, up.URL, true))
	base := "https://" + h.srv.HTTPSAddr.String()

	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("h2=%v", h2), func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}
			if !h2 {
				tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			}
			client := &http.Client{Transport: tr}
			resp, err := client.Get(base + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			wantMajor := 1
			if h2 {
				wantMajor = 2
			}
			if resp.ProtoMajor != wantMajor {
				t.Errorf("protocol = %s, want HTTP/%d", resp.Proto, wantMajor)
			}
			if resp.Header.Get("Strict-Transport-Security") == "" {
				t.Error("no HSTS on HTTPS")
			}
			if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
				t.Errorf("cookie on HTTPS lacks Secure: %q", c)
			}
			if resp.Header.Get("X-Got-Xff") != "127.0.0.1" {
				t.Errorf("upstream saw X-Forwarded-For %q", resp.Header.Get("X-Got-Xff"))
			}
		})
	}

	// TLS 1.1 is refused.
	_, err := tls.Dial("tcp", h.srv.HTTPSAddr.String(), &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11})
	if err == nil {
		t.Error("TLS 1.1 handshake succeeded")
	}

	// Smuggling over TLS is caught too.
	c, err := tls.Dial("tcp", h.srv.HTTPSAddr.String(), &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	before := hits.Load()
	_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG")
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	c.Close()
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 400") {
		t.Errorf("CL.TE over TLS answered %q", buf[:n])
	}
	if hits.Load() != before {
		t.Error("upstream contacted by a smuggling request over TLS")
	}

	// Plain HTTP redirects to HTTPS.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + h.srv.HTTPAddr.String() + "/a?b=c")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, port, _ := net.SplitHostPort(h.srv.HTTPSAddr.String())
	if want := "https://127.0.0.1:" + port + "/a?b=c"; resp.StatusCode != 308 || resp.Header.Get("Location") != want {
		t.Errorf("redirect = %d %q, want 308 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

func TestCertificateReload(t *testing.T) {
	up := echoUpstream(t, nil)
	dir := t.TempDir()
	c1, k1, _ := writeCert(t, dir, "first")
	c2, k2, _ := writeCert(t, dir, "second")
	h := start(t, tlsYAML(c1, k1, up.URL, false))
	cn := func() string {
		conn, err := tls.Dial("tcp", h.srv.HTTPSAddr.String(), &tls.Config{InsecureSkipVerify: true}) // #nosec G402 -- test reads the served certificate
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := cn(); got != "first" {
		t.Fatalf("served %q, want first", got)
	}
	if err := h.gw.Apply(mustConfig(t, tlsYAML(c2, k2, up.URL, false))); err != nil {
		t.Fatal(err)
	}
	if got := cn(); got != "second" {
		t.Errorf("after reload served %q, want second", got)
	}
}
