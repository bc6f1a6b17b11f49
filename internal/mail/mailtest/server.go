// Package mailtest runs a real SMTP server (emersion/go-smtp) on loopback
// for tests: it speaks STARTTLS or implicit TLS with a certificate of its
// own, accepts AUTH PLAIN with one user, and keeps every message it
// receives for the test to read.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mode is how the server protects connections.
type Mode int

// Modes.
const (
	// STARTTLS offers STARTTLS and refuses AUTH and MAIL before it.
	STARTTLS Mode = iota
	// ImplicitTLS speaks TLS from the first byte.
	ImplicitTLS
	// Plain offers no TLS at all.
	Plain
)

// Credentials the server accepts.
const (
	Username = "rampart"
	Password = "smtp-test-password" // #nosec G101 -- a test server's password
)

// Message is one received message.
type Message struct {
	From string
	To   []string
	// Raw is the message as received.
	Raw []byte
	// Header is its parsed header, Subject decoded.
	Header  mail.Header
	Subject string
	// Text is the decoded body.
	Text string
	// TLS says the message came over TLS; Auth that the client signed in.
	TLS  bool
	Auth bool
}

// Server is a running test SMTP server.
type Server struct {
	// Addr is host:port.
	Addr string
	// RootCAs trusts the server's certificate (its name is 127.0.0.1 and
	// localhost).
	RootCAs *x509.CertPool

	srv *smtp.Server
	// Fail, when set, answers each MAIL FROM with this error (e.g. a 451
	// to test retries).
	mu   sync.Mutex
	fail *smtp.SMTPError
	msgs []Message
	cond chan struct{}
}

// Start starts a server in mode and stops it when the test ends.
func Start(t testing.TB, mode Mode) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &Server{RootCAs: pool, cond: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{s: s, tls: isTLS, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 4 << 20
	srv.MaxRecipients = 10
	var ln net.Listener
	var err error
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch mode {
	case ImplicitTLS:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	case STARTTLS:
		srv.TLSConfig = tlsConf
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		srv.AllowInsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// FailWith makes the server refuse every MAIL FROM with code (4xx for a
// temporary failure) until FailWith(0).
func (s *Server) FailWith(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.fail = nil
		return
	}
	s.fail = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "test failure"}
}

// Messages returns what the server received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the first message to rcpt (compared without regard to case)
// received after the first skip such messages, waiting up to 10 s.
func (s *Server) Wait(t testing.TB, rcpt string, skip int) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		s.mu.Lock()
		n := 0
		for _, m := range s.msgs {
			for _, to := range m.To {
				if strings.EqualFold(to, rcpt) {
					if n == skip {
						s.mu.Unlock()
						return m
					}
					n++
					break
				}
			}
		}
		ch := s.cond
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("mailtest: no message %d to %s within 10s (have %d messages)", skip+1, rcpt, len(s.Messages()))
		}
	}
}

// Count returns how many messages went to rcpt.
func (s *Server) Count(rcpt string) int {
	n := 0
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, rcpt) {
				n++
			}
		}
	}
	return n
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// Links returns the URLs in the message's text, in order.
func (m Message) Links() []string { return linkRE.FindAllString(m.Text, -1) }

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.cond)
	s.cond = make(chan struct{})
}

type session struct {
	s    *Server
	conn *smtp.Conn
	tls  bool
	auth bool
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != Username || password != Password {
			return errors.New("invalid credentials")
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	fail := ss.s.fail
	ss.s.mu.Unlock()
	if fail != nil {
		return fail
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := Message{From: ss.from, To: ss.to, Raw: raw, TLS: isTLS || ss.tls, Auth: ss.auth}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = pm.Header
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(pm.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
		body := pm.Body
		if strings.EqualFold(pm.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		if b, err := io.ReadAll(body); err == nil {
			m.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
	ss.s.add(m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
