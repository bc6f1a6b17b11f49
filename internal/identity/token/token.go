// Package token signs the identity rampart passes to upstreams as a short
// JWT (RFC 7519) with EdDSA (Ed25519, RFC 8037), so an upstream can check
// who is calling without trusting the network between it and rampart.
//
// Keys rotate by themselves and need no storage or coordination between
// gateway nodes: the key of each rotation period (an epoch, one day by
// default) is derived with HKDF-SHA256 from the configured secret and the
// epoch number, so every node signs with the same key in the same period
// and publishes the same keys. The JWK set (served at
// /.rampart/jwks.json) holds the previous, current and next epochs' public
// keys, so a verifier that caches it for up to an epoch always finds the
// key a token names in its "kid".
//
// Signing costs tens of microseconds, so a Signer keeps the token it made
// for an identity and reuses it for the first half of its lifetime.
package token

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config sets up a Signer.
type Config struct {
	// Secret is the key material keys are derived from (32 bytes or more).
	Secret []byte
	// Issuer is the "iss" claim (default "rampart").
	Issuer string
	// Lifetime is how long a token is valid (default 5 minutes).
	Lifetime time.Duration
	// Epoch is the key rotation period (default 24 hours).
	Epoch time.Duration
}

// Identity is what a token says.
type Identity struct {
	User  string
	Roles []string
	MFA   bool
}

// Claims is a token's payload.
type Claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Roles     []string `json:"roles,omitempty"`
	MFA       bool     `json:"mfa"`
	IssuedAt  int64    `json:"iat"`
	ExpiresAt int64    `json:"exp"`
	ID        string   `json:"jti"`
}

// Signer signs identities. It is safe for concurrent use.
type Signer struct {
	cfg Config
	now func() time.Time

	mu    sync.Mutex
	keys  map[int64]ed25519.PrivateKey
	cache map[string]cachedToken
}

type cachedToken struct {
	token   string
	renewAt time.Time
}

// maxCached bounds the token cache; it is emptied when full.
const maxCached = 10000

// New returns a Signer; now may be nil (time.Now).
func New(cfg Config, now func() time.Time) (*Signer, error) {
	if len(cfg.Secret) < 32 {
		return nil, errors.New("token: the secret must be at least 32 bytes")
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "rampart"
	}
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = 5 * time.Minute
	}
	if cfg.Epoch <= 0 {
		cfg.Epoch = 24 * time.Hour
	}
	if cfg.Lifetime > cfg.Epoch {
		return nil, fmt.Errorf("token: lifetime %v is longer than the key epoch %v", cfg.Lifetime, cfg.Epoch)
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{cfg: cfg, now: now, keys: map[int64]ed25519.PrivateKey{}, cache: map[string]cachedToken{}}, nil
}

// epoch returns the epoch number of t.
func (s *Signer) epoch(t time.Time) int64 { return t.Unix() / int64(s.cfg.Epoch/time.Second) }

// key returns the private key of epoch e. Called with s.mu held.
func (s *Signer) key(e int64) (ed25519.PrivateKey, error) {
	if k, ok := s.keys[e]; ok {
		return k, nil
	}
	seed, err := hkdf.Key(sha256.New, s.cfg.Secret, nil, "rampart identity token ed25519 epoch "+strconv.FormatInt(e, 10), ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("token: derive key: %w", err)
	}
	k := ed25519.NewKeyFromSeed(seed)
	if len(s.keys) > 8 {
		s.keys = map[int64]ed25519.PrivateKey{}
	}
	s.keys[e] = k
	return k, nil
}

func kid(e int64) string { return "e" + strconv.FormatInt(e, 10) }

// Sign returns a token for id, reusing one made earlier while it has more
// than half its lifetime left.
func (s *Signer) Sign(id Identity) (string, error) {
	now := s.now()
	ck := cacheKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[ck]; ok && now.Before(c.renewAt) {
		return c.token, nil
	}
	e := s.epoch(now)
	k, err := s.key(e)
	if err != nil {
		return "", err
	}
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	claims := Claims{
		Issuer: s.cfg.Issuer, Subject: id.User, Roles: id.Roles, MFA: id.MFA,
		IssuedAt: now.Unix(), ExpiresAt: now.Add(s.cfg.Lifetime).Unix(),
		ID: base64.RawURLEncoding.EncodeToString(jti[:]),
	}
	hdr, _ := json.Marshal(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": kid(e)})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("token: encode claims: %w", err)
	}
	signing := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	sig := ed25519.Sign(k, []byte(signing))
	tok := signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	if len(s.cache) >= maxCached {
		s.cache = map[string]cachedToken{}
	}
	s.cache[ck] = cachedToken{token: tok, renewAt: now.Add(s.cfg.Lifetime / 2)}
	return tok, nil
}

func cacheKey(id Identity) string {
	var b strings.Builder
	b.WriteString(id.User)
	b.WriteByte(0)
	b.WriteString(strings.Join(id.Roles, "\x01"))
	if id.MFA {
		b.WriteString("\x00mfa")
	}
	return b.String()
}

// JWK is one public key of a JWK set (RFC 8037 OKP key).
type JWK struct {
	KeyType string `json:"kty"`
	Curve   string `json:"crv"`
	X       string `json:"x"`
	KeyID   string `json:"kid"`
	Use     string `json:"use"`
	Alg     string `json:"alg"`
}

// JWKS returns the public keys of the previous, current and next epochs.
func (s *Signer) JWKS() ([]JWK, error) {
	e := s.epoch(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []JWK
	for _, ep := range []int64{e - 1, e, e + 1} {
		k, err := s.key(ep)
		if err != nil {
			return nil, err
		}
		pub := k.Public().(ed25519.PublicKey)
		out = append(out, JWK{KeyType: "OKP", Curve: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), KeyID: kid(ep), Use: "sig", Alg: "EdDSA"})
	}
	return out, nil
}

// ServeJWKS answers with the JWK set, cacheable for a tenth of an epoch.
func (s *Signer) ServeJWKS(w http.ResponseWriter, r *http.Request) {
	keys, err := s.JWKS()
	if err != nil {
		http.Error(w, "keys unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(s.cfg.Epoch/10/time.Second)))
	_ = json.NewEncoder(w).Encode(map[string][]JWK{"keys": keys})
}

// Verify checks a token against keys (a JWK set, as an upstream would) at
// now and returns its claims. It is what upstreams do; rampart uses it in
// tests and in the forward-auth answer.
func Verify(tok string, keys []JWK, now time.Time) (Claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(tok) > 8192 {
		return Claims{}, errors.New("token: not a compact JWT")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return Claims{}, errors.New("token: bad header encoding")
	}
	var hdr struct{ Alg, Kid string }
	if err := json.Unmarshal(hb, &hdr); err != nil || hdr.Alg != "EdDSA" {
		return Claims{}, errors.New("token: header is not EdDSA")
	}
	var pub ed25519.PublicKey
	for _, k := range keys {
		if k.KeyID == hdr.Kid && k.KeyType == "OKP" && k.Curve == "Ed25519" {
			if x, err := base64.RawURLEncoding.DecodeString(k.X); err == nil && len(x) == ed25519.PublicKeySize {
				pub = x
			}
		}
	}
	if pub == nil {
		return Claims{}, fmt.Errorf("token: no key %q", hdr.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return Claims{}, errors.New("token: bad signature")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Claims{}, errors.New("token: bad payload encoding")
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		return Claims{}, errors.New("token: bad payload")
	}
	if now.Unix() >= c.ExpiresAt {
		return Claims{}, errors.New("token: expired")
	}
	return c, nil
}
