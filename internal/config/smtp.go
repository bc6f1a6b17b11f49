package config

import (
	"net"
	"net/url"
	"time"

	"rampart/internal/mail"
)

// SMTP is the mail server rampart sends through: the portal's links and
// notices now, alerts later. An empty Addr turns mail off.
type SMTP struct {
	// Addr is the server's host:port, e.g. smtp.example.com:587.
	Addr string `yaml:"addr"`
	// Security is starttls (default; port 587), tls (implicit TLS, port
	// 465) or none (plain text, only to a relay on loopback).
	Security string `yaml:"security"`
	// Username and Password sign in with AUTH PLAIN, over TLS only. Give
	// the password as ${env:NAME} or ${file:PATH}.
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// From is the sender's address, e.g. rampart@example.com.
	From string `yaml:"from"`
	// HelloName is the name given in EHLO (default "localhost").
	HelloName string `yaml:"hello_name"`
	// Timeout bounds the delivery of one message (default 30s).
	Timeout time.Duration `yaml:"timeout"`
}

// IdentityEmail configures the portal's e-mail flows (password reset,
// confirmed changes of password, address and second factors). They are on
// when identity is enabled and smtp.addr is set.
type IdentityEmail struct {
	// LinkBase is the portal's public origin, e.g. https://app.example.com:
	// links in e-mail point there. Required when mail is on.
	LinkBase string `yaml:"link_base"`
	// LinkLifetime is how long a link works (default 30m, at most 24h).
	LinkLifetime time.Duration `yaml:"link_lifetime"`
}

// MailConfig returns the mail package's settings of the smtp section.
func (s SMTP) MailConfig() mail.Config {
	return mail.Config{
		Addr: s.Addr, Security: mail.Security(s.Security),
		Username: s.Username, Password: s.Password.Reveal(),
		From: s.From, HelloName: s.HelloName, Timeout: s.Timeout,
	}
}

// smtp validates the smtp section and identity.email.
func (v *validator) smtp() {
	s := v.c.SMTP
	e := v.c.Identity.Email
	if e.LinkLifetime <= 0 || e.LinkLifetime > 24*time.Hour {
		v.errf("identity.email.link_lifetime", "%s: want more than 0 and at most 24h; 30m is usual", e.LinkLifetime)
	}
	if s.Addr == "" {
		for key, set := range map[string]bool{"smtp.username": s.Username != "", "smtp.password": s.Password != "", "smtp.from": s.From != ""} {
			if set && v.c.Line(key) > 0 {
				v.errf(key, "is set but smtp.addr is empty, so no mail is sent; set smtp.addr (host:port) or remove the key")
			}
		}
		return
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil || host == "" || port == "" {
		v.errf("smtp.addr", "%s: want host:port, such as smtp.example.com:587", v.show("smtp.addr", s.Addr))
		return
	}
	switch s.Security {
	case "starttls", "tls":
	case "none":
		if !mail.IsLoopback(host) {
			v.errf("smtp.security", "none sends mail and the SMTP password in plain text; it is allowed only to a relay on loopback, not %s; use starttls (port 587) or tls (port 465)", host)
		}
	default:
		v.errf("smtp.security", "%s: want starttls, tls or none", v.show("smtp.security", s.Security))
	}
	if s.From == "" {
		v.errf("smtp.from", "is required with smtp.addr: the sender's address, e.g. rampart@example.com")
	} else if _, err := mail.ParseAddress(s.From); err != nil {
		v.errf("smtp.from", "%s: want one address like rampart@example.com", v.show("smtp.from", s.From))
	}
	if (s.Username == "") != (s.Password == "") {
		v.errf("smtp.username", "smtp.username and smtp.password go together: set both to sign in, or neither")
	}
	if s.Timeout <= 0 {
		v.errf("smtp.timeout", "%s: want a positive duration such as 30s", s.Timeout)
	}
	if v.c.Identity.Enabled {
		if e.LinkBase == "" {
			v.errf("identity.email.link_base", "is required when identity is enabled and smtp.addr is set: the portal's public origin, e.g. https://app.example.com (links in mail are built on it, never on the request's Host header)")
		} else if u, err := url.Parse(e.LinkBase); err != nil || u.Scheme != "https" && !(u.Scheme == "http" && mail.IsLoopback(u.Hostname())) ||
			u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			v.errf("identity.email.link_base", "%s: want an https:// origin without path, e.g. https://app.example.com", v.show("identity.email.link_base", e.LinkBase))
		}
	}
}
