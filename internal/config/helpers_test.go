package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// minimal is the smallest valid config.
const minimal = `
routes:
  - name: app
    upstreams: [http://127.0.0.1:3000]
`

// errorsOf flattens a joined error into its *Error values, failing the test
// if any part is of another type.
func errorsOf(tb testing.TB, err error) []*Error {
	tb.Helper()
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]*Error, 0, len(errs))
	for _, e := range errs {
		var ce *Error
		if !errors.As(e, &ce) || ce != e {
			tb.Fatalf("error %q (%T) is not a *Error", e, e)
		}
		out = append(out, ce)
	}
	return out
}

func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func mustParse(tb testing.TB, path, data string) *Config {
	tb.Helper()
	c, err := Parse(path, []byte(data))
	if err != nil {
		tb.Fatalf("Parse(%s) error:\n%v", path, err)
	}
	return c
}

// writeCert writes a self-signed certificate and its key into dir as
// cert.pem and key.pem.
func writeCert(tb testing.TB, dir string) (certFile, keyFile string) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	certFile = writeFile(tb, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(tb, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	return certFile, keyFile
}

type yamlNode = yaml.Node

const (
	yamlMapping  = yaml.MappingNode
	yamlSequence = yaml.SequenceNode
)
