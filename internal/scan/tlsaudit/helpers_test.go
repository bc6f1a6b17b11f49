package tlsaudit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rampart/internal/scan"
)

// testCert is a certificate with its key.
type testCert struct {
	cert *x509.Certificate
	der  []byte
	key  crypto.Signer
}

// certSpec says what newCert issues.
type certSpec struct {
	cn        string
	dnsNames  []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	isCA      bool
	key       crypto.Signer // default: a new ECDSA P-256 key
	sigAlg    x509.SignatureAlgorithm
}

// newCert issues a certificate for spec, signed by parent (self-signed
// when parent is nil).
func newCert(tb testing.TB, spec certSpec, parent *testCert) *testCert {
	tb.Helper()
	key := spec.key
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		key = k
	}
	if spec.notBefore.IsZero() {
		spec.notBefore = time.Now().Add(-time.Hour)
	}
	if spec.notAfter.IsZero() {
		spec.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: spec.cn, Organization: []string{"rampart test"}},
		DNSNames:              spec.dnsNames,
		IPAddresses:           spec.ips,
		NotBefore:             spec.notBefore,
		NotAfter:              spec.notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  spec.isCA,
		SignatureAlgorithm:    spec.sigAlg,
	}
	if spec.isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &testCert{cert: cert, der: der, key: key}
}

// tlsCert turns a leaf and the chain to send after it into a
// tls.Certificate.
func (c *testCert) tlsCert(chain ...*testCert) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{c.der}, PrivateKey: c.key, Leaf: c.cert}
	for _, ca := range chain {
		tc.Certificate = append(tc.Certificate, ca.der)
	}
	return tc
}

// writePEM writes the certificate and key to dir and returns their
// paths.
func (c *testCert) writePEM(tb testing.TB, dir string) (certFile, keyFile string) {
	tb.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		tb.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return certFile, keyFile
}

func rsaKey(tb testing.TB, bits int) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// testPKI is a root CA and a leaf for the loopback addresses.
type testPKI struct {
	root, leaf *testCert
	pool       *x509.CertPool
}

func newTestPKI(tb testing.TB) *testPKI {
	tb.Helper()
	root := newCert(tb, certSpec{cn: "rampart test root", isCA: true}, nil)
	leaf := newCert(tb, certSpec{
		cn:       "localhost",
		dnsNames: []string{"localhost"},
		ips:      []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}, root)
	pool := x509.NewCertPool()
	pool.AddCert(root.cert)
	return &testPKI{root: root, leaf: leaf, pool: pool}
}

// startGoServer serves h over TLS with conf on a loopback port and returns
// its address.
func startGoServer(tb testing.TB, conf *tls.Config, h http.Handler) string {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = conf
	// Every probe the audit abandons is a handshake error to the server.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// hstsHandler answers every request with the given HSTS header (none when
// empty).
func hstsHandler(value string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if value != "" {
			w.Header().Set("Strict-Transport-Security", value)
		}
		_, _ = io.WriteString(w, "ok\n")
	})
}

// byParam indexes findings by "Check Parameter".
func byParam(fs []scan.Finding) map[string]scan.Finding {
	m := map[string]scan.Finding{}
	for _, f := range fs {
		m[f.Check+" "+f.Parameter] = f
	}
	return m
}
