package passkey

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
	"unicode"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"rampart/internal/identity/seal"
	"rampart/internal/store"
)

// Defaults.
const (
	DefaultDisplayName = "rampart"
	DefaultTimeout     = 5 * time.Minute
)

// User-verification requirements, as in the WebAuthn specification.
const (
	VerificationRequired    = "required"
	VerificationPreferred   = "preferred"
	VerificationDiscouraged = "discouraged"
)

// PurposeChallenge is the purpose of the store tokens that record spent
// challenges. It is no e-mail token: ConsumeToken with another purpose
// never finds one.
const PurposeChallenge store.TokenPurpose = "passkey-challenge"

// Bounds on what a client sends.
const (
	// MaxResponse bounds the JSON of a credential a browser sends back.
	// Without attestation a response is well under 2 KiB.
	MaxResponse = 16 << 10
	// MaxState bounds a sealed ceremony state as a cookie carries it.
	MaxState = 3072
	// maxCredentialID is the longest credential ID the specification
	// allows, in bytes.
	maxCredentialID = 1023
)

// Errors a ceremony's finish returns. Callers branch on them with
// errors.Is; other errors are internal (the store failed).
var (
	// ErrUnavailable says passkeys cannot be used on a site: an IP
	// address, a host outside the configured RP ID or origins, or plain
	// HTTP where it is not allowed.
	ErrUnavailable = errors.New("passkeys are not available on this site")
	// ErrState says the ceremony's state is missing, malformed, expired,
	// or sealed for another session, kind or origin.
	ErrState = errors.New("no valid passkey ceremony in progress")
	// ErrInvalid says the response does not verify: malformed, another
	// challenge, origin or RP ID, a bad signature, or user verification
	// missing where it is required.
	ErrInvalid = errors.New("passkey response does not verify")
	// ErrUnknownCredential says a sign-in without user name used a
	// credential the store does not have (or whose user is gone).
	ErrUnknownCredential = errors.New("unknown passkey")
	// ErrReplay says the challenge completed a ceremony before.
	ErrReplay = errors.New("passkey challenge used before")
	// ErrCloned says the credential's signature counter did not move
	// forward: the authenticator may have been cloned.
	ErrCloned = errors.New("passkey signature counter went back")
)

// Config sets up a RelyingParty.
type Config struct {
	// RPID, when set, is the RP ID of every passkey ("example.com"):
	// passkeys then work on it and on every host under it, and nowhere
	// else. Empty means each host is its own RP ID.
	RPID string
	// RPDisplayName is the name authenticators show (default
	// DefaultDisplayName).
	RPDisplayName string
	// Origins, when set, are the only origins ("https://app.example.com",
	// with a port if not the default) where passkeys may be used.
	Origins []string
	// UserVerification is asked for at registration and as a second
	// factor: VerificationPreferred (default), VerificationRequired or
	// VerificationDiscouraged. A sign-in without password always requires
	// it.
	UserVerification string
	// AllowHTTP lets plain-HTTP pages on localhost use passkeys, for local
	// development.
	AllowHTTP bool
	// Timeout is how long a ceremony may take (default DefaultTimeout).
	Timeout time.Duration
}

// Spender records spent challenges; every store.Tokens is one.
type Spender interface {
	CreateToken(ctx context.Context, t store.Token) error
}

// RelyingParty begins and finishes WebAuthn ceremonies. It is safe for
// concurrent use.
type RelyingParty struct {
	cfg     Config
	origins map[string]bool
	keys    *seal.Keyring
	spent   Spender
	now     func() time.Time
}

// New returns a RelyingParty that seals ceremony state with keys, spends
// challenges in spent and reads the time from now (nil is time.Now).
func New(cfg Config, keys *seal.Keyring, spent Spender, now func() time.Time) (*RelyingParty, error) {
	var errs []error
	if cfg.RPID != "" {
		id := strings.ToLower(cfg.RPID)
		if err := CheckRPID(id); err != nil {
			errs = append(errs, err)
		}
		cfg.RPID = id
	}
	if cfg.RPDisplayName == "" {
		cfg.RPDisplayName = DefaultDisplayName
	}
	if err := CheckDisplayName(cfg.RPDisplayName); err != nil {
		errs = append(errs, err)
	}
	origins := make(map[string]bool, len(cfg.Origins))
	for _, o := range cfg.Origins {
		norm, err := CheckOrigin(o, cfg.RPID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		origins[norm] = true
	}
	switch cfg.UserVerification {
	case "":
		cfg.UserVerification = VerificationPreferred
	case VerificationRequired, VerificationPreferred, VerificationDiscouraged:
	default:
		errs = append(errs, fmt.Errorf("user verification %q is not one of required, preferred, discouraged", cfg.UserVerification))
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 30*time.Second || cfg.Timeout > 30*time.Minute {
		errs = append(errs, fmt.Errorf("ceremony timeout %s: want between 30s and 30m", cfg.Timeout))
	}
	if keys == nil {
		errs = append(errs, errors.New("no keyring"))
	}
	if spent == nil {
		errs = append(errs, errors.New("no store for spent challenges"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("new passkey relying party: %w", errors.Join(errs...))
	}
	if now == nil {
		now = time.Now
	}
	return &RelyingParty{cfg: cfg, origins: origins, keys: keys, spent: spent, now: now}, nil
}

// CheckRPID reports whether id can be a configured RP ID: a lower-case
// domain name without scheme, port or trailing dot, not an IP address.
func CheckRPID(id string) error {
	if !validHostName(id) {
		return fmt.Errorf("RP ID %q: want a domain name such as example.com, without scheme, port or path", id)
	}
	if err := protocol.ValidateRPID(id); err != nil {
		return fmt.Errorf("RP ID %q: %w", id, err)
	}
	return nil
}

// CheckDisplayName reports whether name can be the name authenticators
// show: 1 to 64 characters without control characters.
func CheckDisplayName(name string) error {
	if name == "" || len([]rune(name)) > 64 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return fmt.Errorf("display name %q: want 1 to 64 characters without control characters", name)
	}
	return nil
}

// CheckOrigin reports whether o can be a configured origin: https:// (or
// http://localhost) and a host name with an optional port, nothing else,
// and equal to or under rpID when that is set. It returns the origin in
// its canonical form: lower case, without a default port.
func CheckOrigin(o, rpID string) (string, error) {
	scheme, hostport, ok := strings.Cut(o, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "https" && scheme != "http") {
		return "", fmt.Errorf("origin %q: want https://host or https://host:port", o)
	}
	host, port, err := splitHost(hostport)
	if err != nil || !validHostName(host) {
		return "", fmt.Errorf("origin %q: want https://host or https://host:port, a domain name without path", o)
	}
	if scheme == "http" && !localhost(host) {
		return "", fmt.Errorf("origin %q: plain http works only on localhost; use https", o)
	}
	if rpID != "" && !under(host, rpID) {
		return "", fmt.Errorf("origin %q is not on %s or a host under it, so its pages cannot use passkeys of that RP ID", o, rpID)
	}
	return origin(scheme, host, port), nil
}

// Site is where a ceremony runs: the origin of the page and the RP ID of
// its passkeys.
type Site struct {
	Origin string
	RPID   string
}

// Site returns the site of a page at host (a Host header: a name with an
// optional port) served over TLS when secure is set, or ErrUnavailable
// when passkeys cannot be used there.
func (rp *RelyingParty) Site(host string, secure bool) (Site, error) {
	name, port, err := splitHost(host)
	if err != nil || !validHostName(name) {
		return Site{}, ErrUnavailable
	}
	scheme := "https"
	if !secure {
		if !rp.cfg.AllowHTTP || !localhost(name) {
			return Site{}, ErrUnavailable
		}
		scheme = "http"
	}
	s := Site{Origin: origin(scheme, name, port), RPID: name}
	if rp.cfg.RPID != "" {
		if !under(name, rp.cfg.RPID) {
			return Site{}, ErrUnavailable
		}
		s.RPID = rp.cfg.RPID
	}
	if len(rp.origins) > 0 && !rp.origins[s.Origin] {
		return Site{}, ErrUnavailable
	}
	if protocol.ValidateRPID(s.RPID) != nil {
		return Site{}, ErrUnavailable
	}
	return s, nil
}

// splitHost splits a Host header into a lower-case name and a port ("" for
// none). It refuses IP addresses, which cannot be RP IDs.
func splitHost(hostport string) (host, port string, err error) {
	host = hostport
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		if host, port, err = net.SplitHostPort(hostport); err != nil {
			return "", "", err
		}
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return "", "", errors.New("bad port")
		}
	}
	host = strings.ToLower(host)
	if _, err := netip.ParseAddr(host); err == nil {
		return "", "", errors.New("an IP address")
	}
	return host, port, nil
}

// validHostName reports whether h is a lower-case DNS name of letters,
// digits and hyphens in labels of 1 to 63 characters.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func localhost(h string) bool { return h == "localhost" || strings.HasSuffix(h, ".localhost") }

// under reports whether host is domain or a name under it.
func under(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func origin(scheme, host, port string) string {
	if port == "" || scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		return scheme + "://" + host
	}
	return scheme + "://" + host + ":" + port
}

// Handle is the user handle authenticators keep for the user with the
// store ID userID: 32 bytes that tell nothing about the user.
func Handle(userID string) []byte {
	sum := sha256.Sum256([]byte("rampart passkey user handle v1\x00" + userID))
	return sum[:]
}

// User is the account a ceremony is for.
type User struct {
	// ID is the store's user ID.
	ID string
	// Name is the user name authenticators show.
	Name string
	// Credentials are the user's WebAuthn credentials (others are
	// ignored).
	Credentials []store.Credential
}

// waUser is a User as go-webauthn wants it.
type waUser struct {
	handle []byte
	name   string
	creds  []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte                         { return u.handle }
func (u *waUser) WebAuthnName() string                       { return u.name }
func (u *waUser) WebAuthnDisplayName() string                { return u.name }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// convert returns u for go-webauthn. A stored credential whose data does
// not decode is left out: one passkey lost, not the account.
func convert(u User) *waUser {
	w := &waUser{handle: Handle(u.ID), name: u.Name}
	for _, c := range u.Credentials {
		if wc, ok := decode(c); ok {
			w.creds = append(w.creds, wc)
		}
	}
	return w
}

// decode returns the go-webauthn credential of a stored one, with the
// store's counter.
func decode(c store.Credential) (webauthn.Credential, bool) {
	if c.Kind != store.CredentialWebAuthn {
		return webauthn.Credential{}, false
	}
	var wc webauthn.Credential
	if err := json.Unmarshal(c.Data, &wc); err != nil || base64.RawURLEncoding.EncodeToString(wc.ID) != c.ID {
		return webauthn.Credential{}, false
	}
	wc.Authenticator.SignCount = c.Counter
	wc.Authenticator.CloneWarning = false
	return wc, true
}

// CredentialID returns the store ID of a credential ID.
func CredentialID(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

// web returns go-webauthn's relying party for site.
func (rp *RelyingParty) web(site Site) (*webauthn.WebAuthn, error) {
	timeout := webauthn.TimeoutConfig{Timeout: rp.cfg.Timeout, TimeoutUVD: rp.cfg.Timeout}
	w, err := webauthn.New(&webauthn.Config{
		RPID:                              site.RPID,
		RPDisplayName:                     rp.cfg.RPDisplayName,
		RPOrigins:                         []string{site.Origin},
		AttestationPreference:             protocol.PreferNoAttestation,
		Timeouts:                          webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("passkey relying party for %s: %w", site.Origin, err)
	}
	return w, nil
}

func (rp *RelyingParty) uv() protocol.UserVerificationRequirement {
	return protocol.UserVerificationRequirement(rp.cfg.UserVerification)
}

// BeginRegistration starts registering a passkey for u at site. It returns
// the options for navigator.credentials.create as JSON and the sealed
// state for FinishRegistration, bound to binding.
func (rp *RelyingParty) BeginRegistration(site Site, u User, binding string) (options []byte, state string, err error) {
	w, err := rp.web(site)
	if err != nil {
		return nil, "", err
	}
	wu := convert(u)
	rk := false
	creation, sd, err := w.BeginRegistration(wu,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			RequireResidentKey: &rk,
			ResidentKey:        protocol.ResidentKeyRequirementPreferred,
			UserVerification:   rp.uv(),
		}),
		webauthn.WithExclusions(webauthn.Credentials(wu.creds).CredentialDescriptors()),
		webauthn.WithRegistrationOrigin(site.Origin),
	)
	if err != nil {
		return nil, "", fmt.Errorf("begin passkey registration: %w", err)
	}
	return rp.begin(kindRegister, binding, creation, sd)
}

// FinishRegistration checks the response to BeginRegistration's options
// and returns the new credential for the store: ID, UserID, Kind, Data,
// Counter and CreatedAt set, Name left to the caller.
func (rp *RelyingParty) FinishRegistration(ctx context.Context, site Site, u User, binding, state string, response []byte) (store.Credential, error) {
	st, err := rp.open(kindRegister, binding, state, site)
	if err != nil {
		return store.Credential{}, err
	}
	parsed, err := parseRegistration(response)
	if err != nil {
		return store.Credential{}, err
	}
	w, err := rp.web(site)
	if err != nil {
		return store.Credential{}, err
	}
	cred, err := w.CreateCredential(convert(u), st.Session, parsed)
	if err != nil {
		return store.Credential{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(cred.ID) == 0 || len(cred.ID) > maxCredentialID {
		return store.Credential{}, fmt.Errorf("%w: credential ID of %d bytes", ErrInvalid, len(cred.ID))
	}
	if err := rp.spend(ctx, u.ID, st); err != nil {
		return store.Credential{}, err
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return store.Credential{}, fmt.Errorf("encode passkey: %w", err)
	}
	return store.Credential{
		ID: CredentialID(cred.ID), UserID: u.ID, Kind: store.CredentialWebAuthn,
		Data: data, Counter: cred.Authenticator.SignCount, CreatedAt: rp.now().UTC(),
	}, nil
}

// BeginLogin starts using one of u's passkeys as a second factor at site.
// It returns the options for navigator.credentials.get as JSON and the
// sealed state for FinishLogin, bound to binding.
func (rp *RelyingParty) BeginLogin(site Site, u User, binding string) (options []byte, state string, err error) {
	w, err := rp.web(site)
	if err != nil {
		return nil, "", err
	}
	assertion, sd, err := w.BeginLogin(convert(u),
		webauthn.WithUserVerification(rp.uv()),
		webauthn.WithLoginOrigin(site.Origin),
	)
	if err != nil {
		return nil, "", fmt.Errorf("begin passkey login: %w", err)
	}
	return rp.begin(kindSecondFactor, binding, assertion, sd)
}

// FinishLogin checks the response to BeginLogin's options and returns the
// credential used, with its new Counter, Data and LastUsedAt, for
// UpdateCredential. With ErrCloned it returns the credential as stored.
func (rp *RelyingParty) FinishLogin(ctx context.Context, site Site, u User, binding, state string, response []byte) (store.Credential, error) {
	st, err := rp.open(kindSecondFactor, binding, state, site)
	if err != nil {
		return store.Credential{}, err
	}
	parsed, err := parseAssertion(response)
	if err != nil {
		return store.Credential{}, err
	}
	w, err := rp.web(site)
	if err != nil {
		return store.Credential{}, err
	}
	cred, err := w.ValidateLogin(convert(u), st.Session, parsed)
	if err != nil {
		return store.Credential{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return rp.used(ctx, u, st, cred)
}

// BeginDiscoverable starts a sign-in without user name at site: any
// passkey of the site's RP ID may answer, and user verification is
// required. It returns the options for navigator.credentials.get as JSON
// and the sealed state for FinishDiscoverable, bound to binding.
func (rp *RelyingParty) BeginDiscoverable(site Site, binding string) (options []byte, state string, err error) {
	w, err := rp.web(site)
	if err != nil {
		return nil, "", err
	}
	assertion, sd, err := w.BeginDiscoverableLogin(
		webauthn.WithUserVerification(protocol.VerificationRequired),
		webauthn.WithLoginOrigin(site.Origin),
	)
	if err != nil {
		return nil, "", fmt.Errorf("begin passkey sign-in: %w", err)
	}
	return rp.begin(kindDiscoverable, binding, assertion, sd)
}

// Lookup returns the user owning the credential with the store ID credID,
// or ErrUnknownCredential.
type Lookup func(ctx context.Context, credID string) (User, error)

// FinishDiscoverable checks the response to BeginDiscoverable's options:
// it finds the credential's user with lookup and returns that user and the
// credential used, with its new Counter, Data and LastUsedAt. With
// ErrCloned it returns the user and the credential as stored; with
// ErrInvalid the user, when the credential was known.
func (rp *RelyingParty) FinishDiscoverable(ctx context.Context, site Site, binding, state string, response []byte, lookup Lookup) (User, store.Credential, error) {
	st, err := rp.open(kindDiscoverable, binding, state, site)
	if err != nil {
		return User{}, store.Credential{}, err
	}
	parsed, err := parseAssertion(response)
	if err != nil {
		return User{}, store.Credential{}, err
	}
	w, err := rp.web(site)
	if err != nil {
		return User{}, store.Credential{}, err
	}
	var (
		u         User
		found     bool
		lookupErr error
	)
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		u, lookupErr = lookup(ctx, CredentialID(rawID))
		if lookupErr != nil {
			return nil, lookupErr
		}
		found = true
		return convert(u), nil
	}
	_, cred, err := w.ValidatePasskeyLogin(handler, st.Session, parsed)
	switch {
	case lookupErr != nil && errors.Is(lookupErr, ErrUnknownCredential):
		return User{}, store.Credential{}, ErrUnknownCredential
	case lookupErr != nil:
		return User{}, store.Credential{}, fmt.Errorf("look up passkey: %w", lookupErr)
	case err != nil && found:
		return u, store.Credential{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	case err != nil:
		return User{}, store.Credential{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	c, err := rp.used(ctx, u, st, cred)
	return u, c, err
}

// used finishes a login: refuses a counter that went back, spends the
// challenge and returns the stored credential brought up to date.
func (rp *RelyingParty) used(ctx context.Context, u User, st ceremony, cred *webauthn.Credential) (store.Credential, error) {
	id := CredentialID(cred.ID)
	var stored store.Credential
	for _, c := range u.Credentials {
		if c.ID == id && c.Kind == store.CredentialWebAuthn {
			stored = c
		}
	}
	if stored.ID == "" {
		return store.Credential{}, fmt.Errorf("%w: credential not among the user's", ErrInvalid)
	}
	if cred.Authenticator.CloneWarning {
		return stored, ErrCloned
	}
	if err := rp.spend(ctx, u.ID, st); err != nil {
		return store.Credential{}, err
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return store.Credential{}, fmt.Errorf("encode passkey: %w", err)
	}
	c := stored
	c.Data = data
	c.Counter = cred.Authenticator.SignCount
	c.LastUsedAt = rp.now().UTC()
	return c, nil
}

// spend records st's challenge as used, or returns ErrReplay when it was.
func (rp *RelyingParty) spend(ctx context.Context, userID string, st ceremony) error {
	sum := sha256.Sum256([]byte("rampart passkey challenge v1\x00" + st.Session.Challenge))
	err := rp.spent.CreateToken(ctx, store.Token{
		Hash: hex.EncodeToString(sum[:]), UserID: userID, Purpose: PurposeChallenge,
		CreatedAt: rp.now().UTC(), ExpiresAt: time.Unix(st.Expires, 0).UTC(),
	})
	if errors.Is(err, store.ErrConflict) {
		return ErrReplay
	}
	if err != nil {
		return fmt.Errorf("spend passkey challenge: %w", err)
	}
	return nil
}

// parseRegistration parses a registration response of at most
// MaxResponse bytes.
func parseRegistration(b []byte) (*protocol.ParsedCredentialCreationData, error) {
	if len(b) == 0 || len(b) > MaxResponse {
		return nil, fmt.Errorf("%w: response of %d bytes", ErrInvalid, len(b))
	}
	p, err := protocol.ParseCredentialCreationResponseBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return p, nil
}

// parseAssertion parses a login response of at most MaxResponse bytes.
func parseAssertion(b []byte) (*protocol.ParsedCredentialAssertionData, error) {
	if len(b) == 0 || len(b) > MaxResponse {
		return nil, fmt.Errorf("%w: response of %d bytes", ErrInvalid, len(b))
	}
	p, err := protocol.ParseCredentialRequestResponseBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return p, nil
}
