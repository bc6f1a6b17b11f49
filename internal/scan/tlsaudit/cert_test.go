package tlsaudit

import (
	"bytes"
	"crypto/x509"
	"slices"
	"testing"
	"time"
)

func TestAnalyzeChain(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	root := newCert(t, certSpec{cn: "Test Root", isCA: true}, nil)
	inter := newCert(t, certSpec{cn: "Test Intermediate", isCA: true}, root)
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	leafFor := func(spec certSpec) *testCert {
		if spec.cn == "" {
			spec.cn = "www.example.com"
		}
		if spec.dnsNames == nil {
			spec.dnsNames = []string{"www.example.com"}
		}
		return newCert(t, spec, inter)
	}
	leaf := leafFor(certSpec{})
	rsaCA := newCert(t, certSpec{cn: "Old RSA CA", isCA: true, key: rsaKey(t, 1024)}, nil)
	rsaRoots := x509.NewCertPool()
	rsaRoots.AddCert(rsaCA.cert)

	tests := []struct {
		name       string
		chain      []*testCert
		roots      *x509.CertPool
		serverName string
		trusted    bool
		inOrder    bool
		selfSigned bool
		keyBits    int
		// findings are the certificate findings' parameters, sorted.
		findings []string
	}{
		{name: "valid chain", chain: []*testCert{leaf, inter}, trusted: true, inOrder: true, keyBits: 256},
		{name: "root sent too", chain: []*testCert{leaf, inter, root}, trusted: true, inOrder: true, keyBits: 256},
		{name: "out of order", chain: []*testCert{leaf, root, inter}, trusted: true, keyBits: 256,
			findings: []string{"certificate:chain-order"}},
		{name: "missing intermediate", chain: []*testCert{leaf}, inOrder: true, keyBits: 256,
			findings: []string{"certificate:untrusted"}},
		{name: "expired", chain: []*testCert{leafFor(certSpec{notBefore: now.Add(-90 * day), notAfter: now.Add(-day)}), inter},
			inOrder: true, keyBits: 256, findings: []string{"certificate:expired"}},
		{name: "not yet valid", chain: []*testCert{leafFor(certSpec{notBefore: now.Add(day), notAfter: now.Add(90 * day)}), inter},
			inOrder: true, keyBits: 256, findings: []string{"certificate:not-yet-valid"}},
		{name: "expires soon", chain: []*testCert{leafFor(certSpec{notAfter: now.Add(10 * day)}), inter},
			trusted: true, inOrder: true, keyBits: 256, findings: []string{"certificate:expiring"}},
		{name: "name mismatch", chain: []*testCert{leaf, inter}, serverName: "shop.example.com",
			inOrder: true, keyBits: 256, findings: []string{"certificate:name-mismatch"}},
		{name: "self-signed", chain: []*testCert{newCert(t, certSpec{cn: "www.example.com", dnsNames: []string{"www.example.com"}}, nil)},
			inOrder: true, selfSigned: true, keyBits: 256, findings: []string{"certificate:self-signed"}},
		{name: "RSA 1024", chain: []*testCert{newCert(t, certSpec{cn: "www.example.com", dnsNames: []string{"www.example.com"}, key: rsaKey(t, 1024)}, inter), inter},
			trusted: true, inOrder: true, keyBits: 1024, findings: []string{"certificate:key"}},
		{name: "SHA-1 signature", chain: []*testCert{leafFor(certSpec{sigAlg: x509.ECDSAWithSHA1}), inter},
			inOrder: true, keyBits: 256, findings: []string{"certificate:signature", "certificate:untrusted"}},
		{name: "MD5 signature", roots: rsaRoots, chain: []*testCert{md5Cert(t, newCert(t, certSpec{cn: "www.example.com", dnsNames: []string{"www.example.com"}, sigAlg: x509.SHA256WithRSA}, rsaCA))},
			inOrder: true, keyBits: 256, findings: []string{"certificate:signature", "certificate:untrusted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var chain []*x509.Certificate
			for _, c := range tt.chain {
				chain = append(chain, c.cert)
			}
			pool, name := roots, "www.example.com"
			if tt.roots != nil {
				pool = tt.roots
			}
			if tt.serverName != "" {
				name = tt.serverName
			}
			r := analyzeChain(chain, name, pool, now)
			if r.info.Trusted != tt.trusted || r.info.ChainInOrder != tt.inOrder || r.info.SelfSigned != tt.selfSigned ||
				r.info.KeyBits != tt.keyBits || r.info.ChainLength != len(chain) {
				t.Errorf("analyzeChain = %+v, want trusted %v, in order %v, self-signed %v, %d-bit key",
					r.info, tt.trusted, tt.inOrder, tt.selfSigned, tt.keyBits)
			}
			if r.info.Trusted != (r.info.TrustError == "") {
				t.Errorf("Trusted %v with TrustError %q", r.info.Trusted, r.info.TrustError)
			}
			o := &outcome{url: "https://www.example.com/", cert: r}
			var got []string
			for _, f := range findings(o) {
				got = append(got, f.Parameter)
				if f.Evidence.Response == "" || f.Description == "" || f.Fix == "" || f.CWE == 0 {
					t.Errorf("finding %s lacks evidence, description, fix or CWE: %+v", f.Parameter, f)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.findings) {
				t.Errorf("findings %v, want %v", got, tt.findings)
			}
		})
	}
}

// md5Cert relabels a SHA256-RSA certificate as MD5-RSA (crypto/x509 no
// longer signs with MD5): the audit reads the algorithm, and the
// signature, now wrong, is never checked for MD5.
func md5Cert(tb testing.TB, c *testCert) *testCert {
	tb.Helper()
	sha256RSA := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}
	md5RSA := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04}
	der := bytes.ReplaceAll(c.der, sha256RSA, md5RSA)
	cert, err := x509.ParseCertificate(der)
	if err != nil || cert.SignatureAlgorithm != x509.MD5WithRSA {
		tb.Fatalf("relabel as MD5: %v, %v", err, cert.SignatureAlgorithm)
	}
	return &testCert{cert: cert, der: der, key: c.key}
}
