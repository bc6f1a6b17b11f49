package events

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Type names what happened, as "area.what". Consumers branch on it.
type Type string

// Event types published by the gateway foundation. Later stages add theirs.
const (
	ConfigChanged     Type = "config.changed"
	ConfigRejected    Type = "config.rejected"
	GatewayStarted    Type = "gateway.started"
	GatewayStopping   Type = "gateway.stopping"
	RequestRejected   Type = "request.rejected"   // limits, malformed requests
	RequestSmuggling  Type = "request.smuggling"  // framing anomalies
	UpstreamError     Type = "upstream.error"     // upstream unreachable or failing
	UpstreamUnhealthy Type = "upstream.unhealthy" // health check or passive ejection
	UpstreamHealthy   Type = "upstream.healthy"   // readmitted
	ResponseMasked    Type = "response.masked"    // upstream 5xx body replaced
	WAFBlocked        Type = "waf.blocked"        // inspection judged an attack and refused it
	WAFDetected       Type = "waf.detected"       // inspection found an attack (detect mode) or a weaker signal
	WAFError          Type = "waf.error"          // inspection could not run; the request passed or was refused as configured
)

// Event types published by the login portal.
const (
	AuthSuccess Type = "auth.success" // a password or a second factor was accepted
	AuthFailure Type = "auth.failure" // a sign-in attempt failed (wrong password, unknown user, locked, wrong code)
	AuthLockout Type = "auth.lockout" // too many failures locked an account or a client address

	AuthPasswordChanged Type = "auth.password_changed" // a user changed their password; their other sessions ended
	AuthSessionRevoked  Type = "auth.session_revoked"  // a user signed out sessions of their own on the sessions page

	AuthResetRequested       Type = "auth.reset_requested"        // someone asked for a password reset link (sent or not, with the reason)
	AuthEmailChangeRequested Type = "auth.email_change_requested" // a user asked to change their address; a link went to the new one
	AuthEmailChanged         Type = "auth.email_changed"          // a user's address changed through the link; the old address was told
	AuthMFAResetRequested    Type = "auth.mfa_reset_requested"    // a user who lost the second factor asked for a reset link
	AuthMFAReset             Type = "auth.mfa_reset"              // every second factor of a user was removed through a reset link
	AuthMailThrottled        Type = "auth.mail_throttled"         // too much mail was asked for one account; more waits

	AuthFactorAdded   Type = "auth.factor_added"   // a user added a second factor (authenticator app, passkey) or new recovery codes
	AuthFactorRemoved Type = "auth.factor_removed" // a user removed a second factor

	// #nosec G101 -- an event type name, not a credential
	AuthPasskeyConfirmRequested Type = "auth.passkey_confirm_requested" // a password-only session asked for the link that lets it add a passkey
)

// Severity orders events by how much attention they need.
type Severity int

// Severities, in increasing order.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lowercase name of s.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity returns the Severity named s, and false if there is none.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return 0, false
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, ok := ParseSeverity(string(b))
	if !ok {
		v = SeverityInfo
	}
	*s = v
	return nil
}

// Event is one security-relevant fact. Details never hold secrets: values
// that came from secrets, passwords or tokens are left out or redacted by
// the publisher.
type Event struct {
	ID        string            `json:"id"`
	Time      time.Time         `json:"time"`
	Type      Type              `json:"type"`
	Severity  Severity          `json:"severity"`
	ClientIP  string            `json:"client_ip,omitempty"`
	Route     string            `json:"route,omitempty"`
	User      string            `json:"user,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Node      string            `json:"node,omitempty"`
	Message   string            `json:"message"`
	Details   map[string]string `json:"details,omitempty"`
}

// NewID returns a new event ID: 16 bytes in hex, time-ordered in its first
// 6 bytes so stores can index them cheaply.
func NewID(t time.Time) string {
	var b [16]byte
	// 48 bits of milliseconds: truncation is intended (good until 10889).
	ms := uint64(t.UnixMilli())                        // #nosec G115 -- intended truncation
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32)) // #nosec G115 -- intended truncation
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))     // #nosec G115 -- intended truncation
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}
