package passkey

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// Kinds of ceremony. A state sealed for one kind does not open as another.
const (
	kindRegister     = "register"
	kindSecondFactor = "second-factor"
	kindDiscoverable = "sign-in"
)

// ceremony is what a ceremony keeps between begin and finish.
type ceremony struct {
	Kind string `json:"k"`
	// Expires is the end of the ceremony in Unix seconds, by the
	// RelyingParty's clock (go-webauthn's own expiry uses the system
	// clock and is off).
	Expires int64                `json:"x"`
	Session webauthn.SessionData `json:"s"`
}

// stateAD binds a sealed state to its kind and to the caller's binding.
func stateAD(kind, binding string) []byte {
	return []byte("rampart passkey ceremony v1\x00" + kind + "\x00" + binding)
}

// begin seals sd as the state of a ceremony of kind, bound to binding,
// and returns it with options as JSON.
func (rp *RelyingParty) begin(kind, binding string, options any, sd *webauthn.SessionData) ([]byte, string, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, "", fmt.Errorf("encode passkey options: %w", err)
	}
	c := ceremony{Kind: kind, Expires: rp.now().Add(rp.cfg.Timeout).Unix(), Session: *sd}
	// Kept out of the state so that it stays small; see the package doc.
	c.Session.AllowedCredentialIDs = nil
	state, err := rp.seal(c, binding)
	if err != nil {
		return nil, "", err
	}
	return opts, state, nil
}

func (rp *RelyingParty) seal(c ceremony, binding string) (string, error) {
	pt, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode passkey state: %w", err)
	}
	b, err := rp.keys.Seal(pt, stateAD(c.Kind, binding))
	if err != nil {
		return "", fmt.Errorf("seal passkey state: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	if len(s) > MaxState {
		return "", fmt.Errorf("seal passkey state: %d characters, more than %d", len(s), MaxState)
	}
	return s, nil
}

// open returns the ceremony of kind sealed in state for binding, if it has
// not expired and began at site. Every failure is ErrState.
func (rp *RelyingParty) open(kind, binding, state string, site Site) (ceremony, error) {
	c, err := rp.openState(kind, binding, state, rp.now())
	if err != nil {
		return ceremony{}, err
	}
	if c.Session.RelyingPartyID != site.RPID || c.Session.Origin != site.Origin {
		return ceremony{}, fmt.Errorf("%w: began at another site", ErrState)
	}
	return c, nil
}

// openState opens and checks a sealed state without regard to its site.
func (rp *RelyingParty) openState(kind, binding, state string, now time.Time) (ceremony, error) {
	if state == "" || len(state) > MaxState {
		return ceremony{}, fmt.Errorf("%w: none, or too long", ErrState)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(state)
	if err != nil {
		return ceremony{}, fmt.Errorf("%w: not base64url", ErrState)
	}
	pt, err := rp.keys.Open(b, stateAD(kind, binding))
	if err != nil {
		return ceremony{}, fmt.Errorf("%w: %w", ErrState, err)
	}
	var c ceremony
	if err := json.Unmarshal(pt, &c); err != nil {
		return ceremony{}, fmt.Errorf("%w: %w", ErrState, err)
	}
	if c.Kind != kind || c.Session.Challenge == "" {
		return ceremony{}, fmt.Errorf("%w: another kind of ceremony", ErrState)
	}
	if !now.Before(time.Unix(c.Expires, 0)) {
		return ceremony{}, fmt.Errorf("%w: expired", ErrState)
	}
	return c, nil
}

// Timeout returns how long a ceremony may take, for the lifetime of the
// cookie that carries its state.
func (rp *RelyingParty) Timeout() time.Duration { return rp.cfg.Timeout }
