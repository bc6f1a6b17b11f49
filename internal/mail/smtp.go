package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Security is how SMTP connections are protected.
type Security string

// Security values.
const (
	// SecuritySTARTTLS connects in plain text and upgrades with STARTTLS
	// before anything else; a server that does not offer it is refused
	// (port 587).
	SecuritySTARTTLS Security = "starttls"
	// SecurityTLS speaks TLS from the first byte (port 465).
	SecurityTLS Security = "tls"
	// SecurityNone sends in plain text, to a relay on loopback only.
	SecurityNone Security = "none"
)

// DefaultTimeout bounds one message's delivery to the server.
const DefaultTimeout = 30 * time.Second

// Config says how to reach the SMTP server.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// Security is SecuritySTARTTLS (the default when empty), SecurityTLS,
	// or SecurityNone for a loopback relay.
	Security Security
	// Username and Password, when Username is set, sign in with AUTH PLAIN
	// (only over TLS, or to a loopback relay).
	Username string
	Password string // #nosec G117 -- the SMTP password, from the config's secret; never logged
	// From is the sender's address.
	From string
	// HelloName is the name this client gives in EHLO (default
	// "localhost").
	HelloName string
	// Timeout bounds a whole delivery (default DefaultTimeout).
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
	// ServerName is the name the certificate must carry (default: the
	// host of Addr).
	ServerName string
}

// SMTP sends messages to one server, a connection per message. It is safe
// for concurrent use.
type SMTP struct {
	cfg Config
	now func() time.Time
}

// NewSMTP checks cfg and returns a sender.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.Security == "" {
		cfg.Security = SecuritySTARTTLS
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("smtp: address %q: want host:port, such as smtp.example.com:587", cfg.Addr)
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	switch cfg.Security {
	case SecuritySTARTTLS, SecurityTLS:
	case SecurityNone:
		if !IsLoopback(host) {
			return nil, fmt.Errorf("smtp: security none sends mail and passwords in plain text: allowed only to a relay on loopback, not %q; use starttls or tls", host)
		}
	default:
		return nil, fmt.Errorf("smtp: security %q: want starttls, tls or none", cfg.Security)
	}
	if _, err := ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: from: %w", err)
	}
	if strings.ContainsAny(cfg.Username, "\x00\r\n") || strings.ContainsAny(cfg.Password, "\x00\r\n") || strings.ContainsAny(cfg.HelloName, " \x00\r\n") {
		return nil, errors.New("smtp: user name, password and hello name must not hold NUL, line breaks (or, in the hello name, blanks)")
	}
	return &SMTP{cfg: cfg, now: time.Now}, nil
}

// IsLoopback reports whether host is "localhost" or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.IsLoopback()
}

// From returns the sender's address.
func (s *SMTP) From() string { return s.cfg.From }

// Send delivers m. The error of a server's answer is an *smtp.SMTPError
// inside; Temporary tells whether trying again later may help.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	data, err := m.Bytes(s.cfg.From, s.now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp: connect: %w", err)
	}
	// One deadline for the whole exchange, and the connection is closed
	// when ctx ends first.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer func() { _ = conn.Close() }()

	tlsConf := &tls.Config{
		ServerName: s.cfg.ServerName,
		RootCAs:    s.cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
	}
	var c *smtp.Client
	switch s.cfg.Security {
	case SecurityTLS:
		c = smtp.NewClient(tls.Client(conn, tlsConf))
	case SecuritySTARTTLS:
		c, err = smtp.NewClientStartTLS(conn, tlsConf)
		if err != nil {
			return fmt.Errorf("smtp: starttls: %w", err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer func() { _ = c.Close() }()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return fmt.Errorf("smtp: hello: %w", err)
	}
	if s.cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fmt.Errorf("smtp: sign in: %w", err)
		}
	}
	to, _ := ParseAddress(m.To) // checked by Bytes
	if err := c.SendMail(s.cfg.From, []string{to}, strings.NewReader(string(data))); err != nil {
		return fmt.Errorf("smtp: send: %w", err)
	}
	_ = c.Quit()
	return nil
}

// Temporary reports whether err may go away if the message is sent again
// later: a connection failure or a 4xx answer. A 5xx answer or an invalid
// message is permanent.
func Temporary(err error) bool {
	if err == nil || errors.Is(err, ErrInvalid) {
		return false
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	return true
}
