package gateway

import (
	"context"
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
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"rampart/internal/events"
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

func TestUpstreamTLSVerification(t *testing.T) {
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "secure upstream")
	}))
	defer up.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		extra  string
		status int
	}{
		{"verified by default: unknown CA refused", "", 502},
		{"trusted with ca_file", fmt.Sprintf("    upstream: {ca_file: %q}\n", caFile), 200},
		{"explicit skip verify", "    upstream: {tls_skip_verify: true}\n", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := fmt.Sprintf("listen: {http: 127.0.0.1:0, admin: \"\"}\nlog: {access_log: false}\nroutes:\n  - name: app\n    upstreams: [%q]\n%s", up.URL, tt.extra)
			h := start(t, yaml)
			if got := get(t, h.base+"/", nil).StatusCode; got != tt.status {
				t.Errorf("status = %d, want %d", got, tt.status)
			}
		})
	}
}

func TestConcurrencyCap(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	defer up.Close()
	defer close(release)
	h := start(t, fmt.Sprintf("listen: {http: 127.0.0.1:0, admin: \"\"}\nserver: {max_concurrent_requests: 1}\nlog: {access_log: false}\nroutes:\n  - {name: app, upstreams: [%q]}\n", up.URL))
	go func() {
		if resp, err := http.Get(h.base + "/slow"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	resp := get(t, h.base+"/", nil)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second request: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	}))
	defer up.Close()
	cfg := mustConfig(t, fmt.Sprintf("listen: {http: 127.0.0.1:0, admin: \"\"}\nlog: {access_log: false}\nroutes:\n  - {name: app, upstreams: [%q]}\n", up.URL))
	bus := events.NewBus("t")
	gw, err := New(cfg, Deps{Bus: bus, Metrics: NewMetrics(prometheus.NewRegistry(), bus)})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	srv, err := gw.Listen(AdminOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	result := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + srv.HTTPAddr.String() + "/")
		if err != nil {
			result <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result <- string(b)
	}()
	<-entered
	cancel() // SIGTERM while a request is in flight
	if got := <-result; got != "finished" {
		t.Errorf("in-flight request got %q, want it to finish", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", srv.HTTPAddr.String(), time.Second); err == nil {
		t.Error("listener still accepting after shutdown")
	}
}

func TestRedirectOnlyToKnownHosts(t *testing.T) {
	up := echoUpstream(t, nil)
	certFile, keyFile, _ := writeCert(t, t.TempDir(), "one") // covers 127.0.0.1 and localhost
	h := start(t, tlsYAML(certFile, keyFile, up.URL, true))  // one catch-all route
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct {
		host   string
		status int
	}{
		{"localhost", 308},
		{"evil.example", 400},
	} {
		req, _ := http.NewRequest("GET", "http://"+h.srv.HTTPAddr.String()+"/x", nil)
		req.Host = tt.host
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("Host %s: status %d (Location %q), want %d", tt.host, resp.StatusCode, resp.Header.Get("Location"), tt.status)
		}
	}
}

// flakyListener fails its first Accept with a non-timeout error, as
// EMFILE does, then hands out real connections.
type flakyListener struct {
	net.Listener
	failed atomic.Bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed.Swap(true) {
		return nil, fmt.Errorf("accept tcp: too many open files")
	}
	return l.Listener.Accept()
}

func TestTLSListenerSurvivesAcceptErrors(t *testing.T) {
	certFile, keyFile, pool := writeCert(t, t.TempDir(), "one")
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	inner, _ := net.Listen("tcp", "127.0.0.1:0")
	ln := newTLSListener(&flakyListener{Listener: inner}, &tls.Config{Certificates: []tls.Certificate{cert}},
		wireLimitsForTest(), time.Second, slogDiscard())
	defer ln.Close()
	go func() {
		c, err := tls.Dial("tcp", inner.Addr().String(), &tls.Config{RootCAs: pool})
		if err == nil {
			defer c.Close()
			_, _ = c.Write([]byte("x"))
			time.Sleep(100 * time.Millisecond)
		}
	}()
	got := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Accept after a transient error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("listener stopped after a transient accept error")
	}
}
