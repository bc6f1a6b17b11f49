package tlsaudit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"rampart/internal/scan"
)

// chainResult is what the one complete handshake found: the chain the
// server sent and the HSTS header of GET /.
type chainResult struct {
	certs []*x509.Certificate
	hsts  hstsResult
	err   error
}

// goSuites is every suite crypto/tls can speak, weak ones included, so that
// the handshake that reads the chain works with old servers too.
func goSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// fetchChain completes one handshake with crypto/tls, keeps the chain the
// server sent, and asks for / over it to read Strict-Transport-Security.
// The chain is verified later by analyzeChain, against the configured
// roots and name.
func (a *auditor) fetchChain(ctx context.Context, port string) chainResult {
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return chainResult{err: ctx.Err()}
	}
	defer func() { <-a.sem }()

	conf := &tls.Config{
		ServerName: a.cfg.ServerName,
		// The audit reads whatever chain the server sends, a broken one
		// included, and verifies it itself (analyzeChain).
		InsecureSkipVerify: true,             // #nosec G402 -- the audit must see untrusted chains; analyzeChain verifies them
		MinVersion:         tls.VersionTLS10, // #nosec G402 -- the audit must reach old servers to read their certificate
		CipherSuites:       goSuites(),
		NextProtos:         []string{"http/1.1"},
	}
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: a.cfg.Timeout}, Config: conf}
	hctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	conn, err := d.DialContext(hctx, "tcp", a.addr)
	if err != nil {
		err = fmt.Errorf("crypto/tls handshake: %w", err)
		return chainResult{err: err, hsts: hstsResult{err: err}}
	}
	defer conn.Close()
	tc, ok := conn.(*tls.Conn)
	if !ok {
		return chainResult{err: errors.New("handshake: not a TLS connection")}
	}
	res := chainResult{certs: tc.ConnectionState().PeerCertificates}
	res.hsts = getHSTS(hctx, tc, a.cfg.ServerName, port, a.cfg.Timeout)
	return res
}

// getHSTS sends GET / on an established connection and reads the
// Strict-Transport-Security header of the answer, whatever its status.
func getHSTS(ctx context.Context, conn *tls.Conn, host, port string, timeout time.Duration) hstsResult {
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return hstsResult{err: fmt.Errorf("set deadline: %w", err)}
	}
	hostHeader := host
	if port != "443" {
		hostHeader = net.JoinHostPort(host, port)
	}
	req := "GET / HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: rampart-scan\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return hstsResult{err: fmt.Errorf("send GET /: %w", err)}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return hstsResult{err: fmt.Errorf("read answer to GET /: %w", err)}
	}
	_ = resp.Body.Close()
	return parseHSTS(resp.Proto+" "+resp.Status, resp.Header.Values("Strict-Transport-Security"))
}

// certReport is what analyzeChain found in a chain.
type certReport struct {
	info       scan.CertInfo
	chain      []*x509.Certificate
	serverName string
	// Validity at the time of the audit.
	expired, notYetValid bool
	// daysLeft is the time to expiry in whole days.
	daysLeft int
	// mismatch: the leaf is not valid for the server name.
	mismatch bool
	// untrusted: the chain does not verify for another reason than the
	// ones above (unknown authority, incomplete chain, bad constraints).
	untrusted bool
	// weakSigs names the certificates below the root signed with SHA-1
	// or MD5; md5 says one of them is MD5.
	weakSigs []string
	md5      bool
}

// analyzeChain checks a chain as sent by the server (leaf first) against
// roots (nil: the system roots), the server name and the time now.
func analyzeChain(chain []*x509.Certificate, serverName string, roots *x509.CertPool, now time.Time) *certReport {
	leaf := chain[0]
	r := &certReport{chain: chain, serverName: serverName}
	r.info = scan.CertInfo{
		Subject:     leaf.Subject.String(),
		Issuer:      leaf.Issuer.String(),
		DNSNames:    leaf.DNSNames,
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		Signature:   leaf.SignatureAlgorithm.String(),
		SelfSigned:  selfSigned(leaf),
		ChainLength: len(chain),
	}
	r.info.KeyType, r.info.KeyBits = keyOf(leaf)
	r.expired = now.After(leaf.NotAfter)
	r.notYetValid = now.Before(leaf.NotBefore)
	r.daysLeft = int(leaf.NotAfter.Sub(now) / (24 * time.Hour))
	r.mismatch = leaf.VerifyHostname(serverName) != nil

	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		DNSName:       serverName,
		CurrentTime:   now,
	})
	r.info.Trusted = err == nil
	if err != nil {
		r.info.TrustError = err.Error()
		var inv x509.CertificateInvalidError
		var host x509.HostnameError
		switch {
		case errors.As(err, &host):
		case errors.As(err, &inv) && inv.Reason == x509.Expired:
		case r.info.SelfSigned:
		default:
			r.untrusted = true
		}
	}

	r.info.ChainInOrder = true
	for i := 0; i+1 < len(chain); i++ {
		if !signedBy(chain[i], chain[i+1]) {
			r.info.ChainInOrder = false
		}
	}
	for _, c := range chain {
		if selfSigned(c) && c != leaf {
			continue // a root's own signature is not checked by anyone
		}
		switch c.SignatureAlgorithm {
		case x509.MD2WithRSA, x509.MD5WithRSA:
			r.md5 = true
			r.weakSigs = append(r.weakSigs, certName(c)+" ("+c.SignatureAlgorithm.String()+")")
		case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
			r.weakSigs = append(r.weakSigs, certName(c)+" ("+c.SignatureAlgorithm.String()+")")
		}
	}
	return r
}

// selfSigned says c is issued by its own subject and signed by its own
// key. SHA-1 signatures count (crypto/x509 refuses to check them, but
// names and key tell enough); MD5 ones are judged by the names alone.
func selfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// signedBy says child names parent as its issuer and carries its
// signature (or one crypto/x509 will not check, such as SHA-1).
func signedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// keyOf names the type and size of a certificate's public key (0 when
// unknown, as for DSA, which crypto/x509 parses but the audit does not
// measure).
func keyOf(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return c.PublicKeyAlgorithm.String(), 0
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return c.Subject.String()
}
