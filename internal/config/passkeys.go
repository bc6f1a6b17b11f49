package config

import (
	"fmt"

	"rampart/internal/identity/passkey"
)

// Passkeys configures WebAuthn passkeys on the portal: registering them on
// the account pages, and signing in with one as a second factor or without
// a password. They are on when identity is enabled, unless Enabled is
// false.
type Passkeys struct {
	// Enabled turns passkeys on (default true).
	Enabled *bool `yaml:"enabled"`
	// RPID, when set ("example.com"), scopes every passkey to that domain:
	// one passkey then works on it and every host under it, and hosts
	// outside it offer none. Empty (default): each host is its own RP ID.
	RPID string `yaml:"rp_id"`
	// RPDisplayName is the name authenticators show (default "rampart").
	RPDisplayName string `yaml:"rp_display_name"`
	// Origins, when set, are the only origins (https://host[:port]) where
	// the portal offers passkeys.
	Origins []string `yaml:"origins"`
	// UserVerification is asked for at registration and as a second
	// factor: preferred (default), required or discouraged. A sign-in
	// without password always requires it.
	UserVerification string `yaml:"user_verification"`
}

// On reports whether passkeys are enabled.
func (p Passkeys) On() bool { return p.Enabled == nil || *p.Enabled }

// PasskeyConfig returns the passkey package's settings of the section;
// allowHTTP lets plain-HTTP pages on localhost use passkeys.
func (p Passkeys) PasskeyConfig(allowHTTP bool) passkey.Config {
	return passkey.Config{
		RPID: p.RPID, RPDisplayName: p.RPDisplayName, Origins: p.Origins,
		UserVerification: p.UserVerification, AllowHTTP: allowHTTP,
	}
}

// passkeys validates identity.passkeys.
func (v *validator) passkeys() {
	p := v.c.Identity.Passkeys
	const key = "identity.passkeys"
	if p.RPID != "" {
		if err := passkey.CheckRPID(p.RPID); err != nil {
			v.errf(key+".rp_id", "%s is not a domain name; write e.g. example.com (lower case, without scheme, port or path)", v.show(key+".rp_id", p.RPID))
		}
	}
	if err := passkey.CheckDisplayName(p.RPDisplayName); err != nil {
		v.errf(key+".rp_display_name", "%s: want 1 to 64 characters without control characters", v.show(key+".rp_display_name", p.RPDisplayName))
	}
	for i, o := range p.Origins {
		k := fmt.Sprintf("%s.origins[%d]", key, i)
		if _, err := passkey.CheckOrigin(o, p.RPID); err != nil {
			v.errf(k, "%v; write e.g. https://app.example.com", err)
		}
	}
	v.oneOf(key+".user_verification", p.UserVerification,
		passkey.VerificationPreferred, passkey.VerificationRequired, passkey.VerificationDiscouraged)
}
