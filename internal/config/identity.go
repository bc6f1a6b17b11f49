package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"rampart/internal/identity/access"
)

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// DecodeSecretsKey decodes a 32-byte key written in base64 (standard or
// URL alphabet, padded or not) or as 64 hex digits.
func DecodeSecretsKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("decodes to %d bytes, want 32", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("is neither base64 nor 64 hex digits")
}

// identity validates the identity section and session timeouts.
func (v *validator) identity() {
	c := v.c
	v.positive("session.idle_timeout", c.Session.IdleTimeout)
	v.positive("session.absolute_timeout", c.Session.AbsoluteTimeout)
	if c.Session.IdleTimeout > c.Session.AbsoluteTimeout && c.Session.AbsoluteTimeout > 0 {
		v.errf("session.idle_timeout", "%s is longer than session.absolute_timeout (%s); the idle timeout should be the shorter one",
			c.Session.IdleTimeout, c.Session.AbsoluteTimeout)
	}
	id := c.Identity
	p := id.PortalPath
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || len(p) < 3 || strings.Contains(p, "..") || strings.Contains(p, "//") {
		v.errf("identity.portal_path", "%s must be a path like /.rampart/: starting and ending with /, not / alone", v.show("identity.portal_path", p))
	}
	if id.Enabled {
		switch {
		case id.SecretsKey == "":
			v.errf("identity.secrets_key", "is required when identity.enabled is true: 32 random bytes, e.g. secrets_key: ${env:RAMPART_SECRETS_KEY} with the variable set to the output of openssl rand -base64 32")
		default:
			if _, err := DecodeSecretsKey(id.SecretsKey.Reveal()); err != nil {
				v.errf("identity.secrets_key", "%v; give 32 random bytes in base64 (openssl rand -base64 32) or hex", err)
			}
		}
	}
	ids := map[string]bool{}
	if !keyIDPattern.MatchString(id.SecretsKeyID) {
		v.errf("identity.secrets_key_id", "%s: use 1 to 32 letters, digits, - or _", v.show("identity.secrets_key_id", id.SecretsKeyID))
	}
	ids[id.SecretsKeyID] = true
	for i, k := range id.OldSecretsKeys {
		key := fmt.Sprintf("identity.old_secrets_keys[%d]", i)
		if !keyIDPattern.MatchString(k.ID) {
			v.errf(key+".id", "%s: use 1 to 32 letters, digits, - or _", v.show(key+".id", k.ID))
		} else if ids[k.ID] {
			v.errf(key+".id", "%s is used by another key; every key needs its own ID", v.show(key+".id", k.ID))
		}
		ids[k.ID] = true
		if _, err := DecodeSecretsKey(k.Key.Reveal()); err != nil {
			v.errf(key+".key", "%v; give the 32-byte key in base64 or hex", err)
		}
	}
	for i, h := range id.AllowedRedirectHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") {
			v.errf(fmt.Sprintf("identity.allowed_redirect_hosts[%d]", i), "%s is not a host name; write e.g. app.example.com", v.show(fmt.Sprintf("identity.allowed_redirect_hosts[%d]", i), h))
		}
	}
	if h := id.APIKeyHeader; h != "" && !validHeaderName(h) {
		v.errf("identity.api_key_header", "%s is not a header name; use letters, digits and - (e.g. X-Api-Key)", v.show("identity.api_key_header", h))
	}
	if id.TokenLifetime <= 0 || id.TokenLifetime > 24*time.Hour {
		v.errf("identity.token_lifetime", "%s: want more than 0 and at most 24h; a few minutes is usual", id.TokenLifetime)
	}
	pw := id.Password
	if pw.MinLength < 8 {
		v.errf("identity.password.min_length", "%d is below 8, the least NIST SP 800-63B allows; 12 or more is recommended", pw.MinLength)
	}
	if pw.MaxLength < 128 || pw.MaxLength < pw.MinLength || pw.MaxLength > 4096 {
		v.errf("identity.password.max_length", "%d: want at least 128 (and min_length) and at most 4096; long passphrases must fit", pw.MaxLength)
	}
	for i, r := range id.MFARoles {
		if r == "" || strings.ContainsAny(r, ", \t") {
			key := fmt.Sprintf("identity.mfa_roles[%d]", i)
			v.errf(key, "%s is not a role name; roles are words without blanks or commas, as given to rampart user add --roles", v.show(key, r))
		}
	}
	v.atLeast("identity.lockout.max_failures", int64(id.Lockout.MaxFailures), 1, "")
	v.atLeast("identity.lockout.max_ip_failures", int64(id.Lockout.MaxIPFailures), 1, "")
	v.positive("identity.lockout.window", id.Lockout.Window)
	v.positive("identity.lockout.lock_for", id.Lockout.LockFor)
	if _, err := AccessConfig(id.Access); err != nil {
		var ae *access.Error
		for _, e := range unjoin(err) {
			if errors.As(e, &ae) {
				v.errf("identity.access."+ae.Key, "%s", ae.Msg)
			} else {
				v.errf("identity.access", "%v", e)
			}
		}
	}
}

// AccessConfig compiles the access section's rules.
func AccessConfig(a Access) (*access.Set, error) {
	def, err := access.ParsePolicy(a.Default)
	if err != nil {
		return nil, &access.Error{Key: "default", Msg: fmt.Sprintf("%q is not public, authenticated or deny", a.Default)}
	}
	cfg := access.Config{Default: def}
	for i, r := range a.Rules {
		pol, err := access.ParsePolicy(r.Policy)
		if err != nil {
			return nil, &access.Error{Key: fmt.Sprintf("rules[%d].policy", i), Msg: fmt.Sprintf("%q is not public, authenticated, roles or deny", r.Policy)}
		}
		cfg.Rules = append(cfg.Rules, access.Rule{Hosts: r.Hosts, Paths: r.Paths, Methods: r.Methods, Policy: pol, Roles: r.Roles, MFA: r.MFA})
	}
	return access.Compile(cfg)
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
