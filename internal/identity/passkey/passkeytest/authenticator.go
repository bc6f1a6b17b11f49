// Package passkeytest is a software WebAuthn authenticator and client for
// tests: it answers the options a relying party sends for
// navigator.credentials.create and get with the JSON a browser would send
// back, signing with ECDSA P-256 keys it keeps in memory and "none"
// attestation.
//
// It stands in for the browser as well as the authenticator, so it writes
// the clientDataJSON too, with the origin it is told. It checks what a
// browser would (the RP ID against the origin's host, excluded
// credentials) only as far as tests need.
//
// An Authenticator is safe for concurrent use.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// Flags of authenticator data.
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// ErrExcluded is Create's error when the authenticator holds one of the
// excluded credentials (a browser's InvalidStateError).
var ErrExcluded = errors.New("passkeytest: the authenticator holds an excluded credential")

// ErrNoCredential is Get's error when no credential fits the options.
var ErrNoCredential = errors.New("passkeytest: no credential for these options")

// Credential is a key pair the authenticator holds.
type Credential struct {
	ID         []byte
	RPID       string
	UserHandle []byte
	Key        *ecdsa.PrivateKey
	// Counter is the signature counter of the last operation.
	Counter uint32
}

// Authenticator is a software authenticator.
type Authenticator struct {
	// NoUserVerification leaves the UV flag unset, as an authenticator
	// without a PIN or biometrics would.
	NoUserVerification bool
	// NoCounter keeps the signature counter at zero, as passkeys that sync
	// do.
	NoCounter bool
	// BackupEligible sets the BE and BS flags, as a synced passkey has.
	BackupEligible bool

	mu    sync.Mutex
	creds []*Credential
}

// Credentials returns copies of the credentials the authenticator holds.
func (a *Authenticator) Credentials() []Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Credential, len(a.creds))
	for i, c := range a.creds {
		out[i] = *c
	}
	return out
}

// Clone returns an authenticator holding the same keys and counters: what
// someone who copied this one's keys would have.
func (a *Authenticator) Clone() *Authenticator {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := &Authenticator{NoUserVerification: a.NoUserVerification, NoCounter: a.NoCounter, BackupEligible: a.BackupEligible}
	for _, c := range a.creds {
		cc := *c
		b.creds = append(b.creds, &cc)
	}
	return b
}

// creationOptions is the part of PublicKeyCredentialCreationOptions read.
type creationOptions struct {
	PublicKey struct {
		RP struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID   b64    `json:"id"`
			Name string `json:"name"`
		} `json:"user"`
		Challenge       b64          `json:"challenge"`
		ExcludeCreds    []descriptor `json:"excludeCredentials"`
		PubKeyCredParam []struct {
			Alg int64 `json:"alg"`
		} `json:"pubKeyCredParams"`
	} `json:"publicKey"`
}

// requestOptions is the part of PublicKeyCredentialRequestOptions read.
type requestOptions struct {
	PublicKey struct {
		Challenge  b64          `json:"challenge"`
		RPID       string       `json:"rpId"`
		AllowCreds []descriptor `json:"allowCredentials"`
	} `json:"publicKey"`
}

type descriptor struct {
	ID b64 `json:"id"`
}

// b64 is bytes in JSON as base64url.
type b64 []byte

func (b *b64) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	v, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	*b = v
	return err
}

func (b b64) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.RawURLEncoding.EncodeToString(b))
}

// Create makes a new discoverable credential for the options (the JSON a
// relying party sends for navigator.credentials.create) as a browser at
// origin would, and returns the browser's response JSON.
func (a *Authenticator) Create(options []byte, origin string) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: creation options: %w", err)
	}
	pk := o.PublicKey
	rpID, err := rpIDFor(pk.RP.ID, origin)
	if err != nil {
		return nil, err
	}
	es256 := false
	for _, p := range pk.PubKeyCredParam {
		es256 = es256 || p.Alg == int64(webauthncose.AlgES256)
	}
	if !es256 {
		return nil, errors.New("passkeytest: the relying party does not accept ES256")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ex := range pk.ExcludeCreds {
		for _, c := range a.creds {
			if string(c.ID) == string(ex.ID) && c.RPID == rpID {
				return nil, ErrExcluded
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &Credential{ID: make([]byte, 32), RPID: rpID, UserHandle: pk.User.ID, Key: key}
	_, _ = rand.Read(c.ID)

	ecdhKey, err := key.PublicKey.ECDH()
	if err != nil {
		return nil, err
	}
	raw := ecdhKey.Bytes() // 0x04 | X | Y
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         int64(webauthncose.P256),
		XCoord:        raw[1:33],
		YCoord:        raw[33:65],
	})
	if err != nil {
		return nil, err
	}
	var attested []byte
	attested = append(attested, make([]byte, 16)...)                      // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(c.ID))) // #nosec G115 -- 32 bytes
	attested = append(attested, c.ID...)
	attested = append(attested, cose...)
	authData := a.authData(rpID, flagAT, 0)
	authData = append(authData, attested...)

	attObj, err := webauthncbor.Marshal(struct {
		Fmt      string         `cbor:"fmt"`
		AttStmt  map[string]any `cbor:"attStmt"`
		AuthData []byte         `cbor:"authData"`
	}{"none", map[string]any{}, authData})
	if err != nil {
		return nil, err
	}
	clientData, err := clientDataJSON("webauthn.create", pk.Challenge, origin)
	if err != nil {
		return nil, err
	}
	a.creds = append(a.creds, c)
	return json.Marshal(map[string]any{
		"id":    base64.RawURLEncoding.EncodeToString(c.ID),
		"rawId": b64(c.ID),
		"type":  "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64(clientData),
			"attestationObject": b64(attObj),
			"transports":        []string{"internal"},
		},
		"clientExtensionResults":  map[string]any{},
		"authenticatorAttachment": "platform",
	})
}

// Get signs an assertion for the options (the JSON a relying party sends
// for navigator.credentials.get) as a browser at origin would, with the
// first credential of the options' allow list that it holds or, without
// one, the first it holds for the RP ID; it returns the browser's response
// JSON.
func (a *Authenticator) Get(options []byte, origin string) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: request options: %w", err)
	}
	pk := o.PublicKey
	rpID, err := rpIDFor(pk.RPID, origin)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var c *Credential
	for _, cand := range a.creds {
		if cand.RPID != rpID {
			continue
		}
		if len(pk.AllowCreds) == 0 {
			c = cand
			break
		}
		for _, allowed := range pk.AllowCreds {
			if string(allowed.ID) == string(cand.ID) {
				c = cand
			}
		}
		if c != nil {
			break
		}
	}
	if c == nil {
		return nil, ErrNoCredential
	}
	if !a.NoCounter {
		c.Counter++
	}
	authData := a.authData(rpID, 0, c.Counter)
	clientData, err := clientDataJSON("webauthn.get", pk.Challenge, origin)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(clientData)
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, sha256Of(append(append([]byte{}, authData...), sum[:]...)))
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id":    base64.RawURLEncoding.EncodeToString(c.ID),
		"rawId": b64(c.ID),
		"type":  "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64(clientData),
			"authenticatorData": b64(authData),
			"signature":         b64(sig),
			"userHandle":        b64(c.UserHandle),
		},
		"clientExtensionResults":  map[string]any{},
		"authenticatorAttachment": "platform",
	})
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// authData is rpIdHash | flags | counter, with UP always, UV unless
// NoUserVerification, BE and BS when BackupEligible, and extra flags.
func (a *Authenticator) authData(rpID string, extra byte, counter uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := flagUP | extra
	if !a.NoUserVerification {
		flags |= flagUV
	}
	if a.BackupEligible {
		flags |= flagBE | flagBS
	}
	out := append([]byte{}, h[:]...)
	out = append(out, flags)
	return binary.BigEndian.AppendUint32(out, counter)
}

func clientDataJSON(typ string, challenge []byte, origin string) ([]byte, error) {
	return json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, base64.RawURLEncoding.EncodeToString(challenge), origin, false})
}

// rpIDFor is the RP ID of the options, or the origin's host name without
// one.
func rpIDFor(rpID, origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("passkeytest: origin %q", origin)
	}
	if rpID == "" {
		return u.Hostname(), nil
	}
	return rpID, nil
}
