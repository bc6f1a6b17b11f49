package store

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// This file declares the persistence of identity: users, sessions, second
// factors, API keys and one-time e-mail tokens.
//
// The store keeps no state in the process: several gateway nodes may share
// one database, so every check-and-change that two nodes may race on is one
// conditional write in the database (UseTOTPStep, UseRecoveryCode,
// ConsumeToken) or is guarded by a version (UpdateUser). The store never sees
// a secret a client presents: sessions, API keys and tokens are stored and
// looked up by the SHA-256 of their secret, second-factor secrets arrive
// encrypted by the caller.
//
// Times are the caller's (identity passes its clock's now), stored in UTC
// with nanosecond precision between the years 1678 and 2262; a time outside
// that range is refused. A zero time.Time means "not set" where a field says
// so and reads back as the zero time.

// Limits on UserFilter.Limit.
const (
	DefaultUserLimit = 100
	MaxUserLimit     = 1000
)

// User is an account.
type User struct {
	// ID is the caller's opaque, immutable identifier.
	ID string
	// Username is unique; it is compared and looked up case-insensitively
	// (see FoldName) and stored as given.
	Username string
	// Email is the address mail goes to, "" for none. A non-empty address is
	// unique across users, compared case-insensitively like Username.
	Email         string
	EmailVerified bool
	// PasswordHash is a PHC string (identity/password); "" means the user
	// has no password and cannot sign in with one.
	PasswordHash string
	Roles        []string
	Disabled     bool
	// MFARequired makes a second factor mandatory for this user, whatever
	// the global policy says.
	MFARequired bool
	CreatedAt   time.Time
	// UpdatedAt is the time of the last change. UpdateUser stores it as the
	// caller passes it, so the caller sets it to now.
	UpdatedAt time.Time
	// PasswordChangedAt is when the password was last set; zero when never.
	PasswordChangedAt time.Time
	// LockoutClearedAt is when an administrator last lifted the account's
	// sign-in lockout (rampart user unlock); zero when never. The portal
	// counts failures under a key that includes it, so a new value starts
	// a fresh count, and no lock, on every node at once.
	LockoutClearedAt time.Time
	// Version counts the writes to the user, starting at 1; UpdateUser
	// succeeds only on the version it was given (optimistic concurrency).
	Version int64
}

// UserFilter selects a page of users, in the order of their folded names
// (FoldName, compared byte by byte).
type UserFilter struct {
	// Limit caps the number of users returned; 0 means DefaultUserLimit and
	// the cap is MaxUserLimit.
	Limit int
	// After, when set, is the Username of the last user of the previous
	// page: only users whose folded name sorts after it are returned.
	After string
}

// Users persists accounts.
type Users interface {
	// CreateUser stores u with Version 1 and returns the stored user; a
	// zero UpdatedAt becomes CreatedAt. ID, Username and CreatedAt are
	// required. It returns ErrConflict when the ID, the user name or the
	// e-mail address is taken.
	CreateUser(ctx context.Context, u User) (User, error)
	// User returns the user with the given ID, or ErrNotFound.
	User(ctx context.Context, id string) (User, error)
	// UserByName returns the user whose user name folds to the same as
	// username (FoldName), or ErrNotFound.
	UserByName(ctx context.Context, username string) (User, error)
	// UserByEmail returns the user whose e-mail address folds to the same
	// as email, or ErrNotFound; "" is never found.
	UserByEmail(ctx context.Context, email string) (User, error)
	// ListUsers returns a page of users (see UserFilter); an empty page is
	// an empty slice.
	ListUsers(ctx context.Context, f UserFilter) ([]User, error)
	// UpdateUser stores every field of u but ID and CreatedAt, if the stored
	// user still has u.Version, and returns the stored user, whose Version
	// is u.Version+1. It returns ErrConflict when the stored version differs
	// (someone else wrote first: read again, reapply, retry) or when the new
	// user name or e-mail address is taken, and ErrNotFound when there is
	// no user u.ID.
	UpdateUser(ctx context.Context, u User) (User, error)
	// DeleteUser deletes the user and, with it, the user's sessions,
	// credentials, API keys and tokens. It returns ErrNotFound when there
	// is no such user.
	DeleteUser(ctx context.Context, id string) error
}

// FoldName returns the key under which the store compares user names and
// e-mail addresses: every letter of s replaced by one fixed member of its
// Unicode simple case-folding orbit, so that "Alice", "ALICE" and "alice"
// (and "K" with the Kelvin sign) share a key in every backend alike.
// Normalization beyond case (NFC, width, confusables) is the caller's.
func FoldName(s string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, s)
}

// Session is a signed-in browser.
type Session struct {
	// ID is the hex SHA-256 of the session cookie's secret; the store
	// never sees the secret.
	ID     string
	UserID string
	// CreatedAt is when the user signed in.
	CreatedAt time.Time
	// LastSeenAt is the last request of the session (TouchSession).
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session, whatever its activity.
	ExpiresAt time.Time
	// IdleTimeout, when positive, ends the session that long after
	// LastSeenAt; 0 means no idle limit.
	IdleTimeout time.Duration
	ClientIP    string
	UserAgent   string
	// MFA says that the second factor was done in this session. Raising it
	// (step-up) means a new session: create one and delete the old, so the
	// cookie changes with the privilege.
	MFA bool
}

// Expired reports whether s is over at now: at or after ExpiresAt, or at or
// after LastSeenAt+IdleTimeout when IdleTimeout is set. DeleteExpiredSessions
// deletes exactly the sessions Expired reports.
func (s Session) Expired(now time.Time) bool {
	if !now.Before(s.ExpiresAt) {
		return true
	}
	return s.IdleTimeout > 0 && !now.Before(s.LastSeenAt.Add(s.IdleTimeout))
}

// Sessions persists sign-ins. Reads return sessions whether or not they have
// expired; the caller checks Session.Expired.
type Sessions interface {
	// CreateSession stores s. ID, UserID, CreatedAt and ExpiresAt are
	// required; a zero LastSeenAt becomes CreatedAt. It returns ErrConflict
	// when the ID is taken and ErrNotFound when there is no user s.UserID.
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with the given ID, or ErrNotFound.
	Session(ctx context.Context, id string) (Session, error)
	// TouchSession moves the session's LastSeenAt to lastSeen, never back:
	// one small write, so callers may call it on every request but
	// usually throttle it. It returns ErrNotFound when there is no such
	// session.
	TouchSession(ctx context.Context, id string, lastSeen time.Time) error
	// DeleteSession deletes the session (sign out), or returns ErrNotFound.
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions deletes every session of the user but the one whose
	// ID is except ("" keeps none): sign out everywhere else. It returns how
	// many it deleted.
	DeleteUserSessions(ctx context.Context, userID, except string) (int64, error)
	// ListUserSessions returns the user's sessions, newest first.
	ListUserSessions(ctx context.Context, userID string) ([]Session, error)
	// DeleteExpiredSessions deletes the sessions expired at now (see
	// Session.Expired) and returns how many it deleted.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// CredentialKind is the kind of a second factor.
type CredentialKind string

// Credential kinds.
const (
	// CredentialTOTP is an RFC 6238 authenticator app; Secret holds its
	// encrypted key.
	CredentialTOTP CredentialKind = "totp"
	// CredentialWebAuthn is a passkey or security key; Data holds the
	// WebAuthn credential as JSON and Counter its signature counter.
	CredentialWebAuthn CredentialKind = "webauthn"
	// CredentialRecovery is one single-use recovery code; Secret holds the
	// code's hash as UseRecoveryCode is given it.
	CredentialRecovery CredentialKind = "recovery"
)

// Credential is a second factor of a user.
type Credential struct {
	// ID identifies the credential among all users' credentials (for
	// WebAuthn, the credential ID in base64url, so that a passkey sign-in
	// without a user name finds it with Credential).
	ID     string
	UserID string
	Kind   CredentialKind
	// Name is the user's label ("YubiKey", "phone").
	Name string
	// Secret is encrypted by the caller (TOTP key), or for a recovery code
	// the code's hash; the store only compares it in UseRecoveryCode.
	Secret []byte
	// Data is opaque to the store, e.g. a WebAuthn credential as JSON.
	Data       []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	// Counter is the WebAuthn signature counter. UpdateCredential never
	// moves it back, so that two nodes racing cannot undo a step that
	// clone detection relies on.
	Counter uint32
	// LastStep is the last TOTP time step accepted (0: none), set by
	// AddCredential (the step the user proved at enrolment) and advanced
	// only by UseTOTPStep; UpdateCredential ignores it.
	LastStep int64
}

// Credentials persists second factors.
type Credentials interface {
	// AddCredential stores c. ID, UserID, Kind and CreatedAt are required.
	// It returns ErrConflict when the ID is taken and ErrNotFound when there
	// is no user c.UserID.
	AddCredential(ctx context.Context, c Credential) error
	// Credential returns the credential with the given ID, or ErrNotFound.
	Credential(ctx context.Context, id string) (Credential, error)
	// UserCredentials returns the user's credentials of the given kind, or
	// of every kind for "", oldest first.
	UserCredentials(ctx context.Context, userID string, kind CredentialKind) ([]Credential, error)
	// UpdateCredential stores c's Name, Secret, Data, Counter and
	// LastUsedAt in the credential c.ID of user c.UserID. Counter and
	// LastUsedAt only move forward. It returns ErrNotFound when the user
	// has no such credential.
	UpdateCredential(ctx context.Context, c Credential) error
	// DeleteCredential deletes the user's credential id, or returns
	// ErrNotFound.
	DeleteCredential(ctx context.Context, userID, id string) error
	// UseTOTPStep records that the TOTP credential credID accepted a code of
	// time step step and reports true, unless a code of that step or a later
	// one was accepted before (a replay): then it changes nothing and
	// reports false. Check and write are one atomic statement, so of nodes
	// racing with the same code exactly one gets true. It returns
	// ErrNotFound when there is no TOTP credential credID.
	UseTOTPStep(ctx context.Context, credID string, step int64) (bool, error)
	// UseRecoveryCode deletes the user's recovery code whose Secret is
	// codeHash and reports true, or reports false when the user has no such
	// unused code. Like UseTOTPStep it is atomic: a code works once.
	UseRecoveryCode(ctx context.Context, userID, codeHash string) (bool, error)
}

// APIKey is a key for machine clients. The client sends ID and a secret;
// the store holds only the secret's hash.
type APIKey struct {
	// ID is the public part of the key, by which it is looked up.
	ID string
	// UserID is the user the key acts for, "" for a service key.
	UserID string
	Name   string
	// Hash is the hex SHA-256 of the key's secret.
	Hash       string
	Roles      []string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
}

// Active reports whether k may be used at now: not revoked, and not expired
// (now before ExpiresAt) if it expires.
func (k APIKey) Active(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// APIKeyFilter selects API keys. Zero fields do not filter.
type APIKeyFilter struct {
	UserID string
}

// APIKeys persists API keys. Revoked and expired keys stay until their user
// is deleted, for the record; reads return them and the caller checks
// APIKey.Active.
type APIKeys interface {
	// CreateAPIKey stores k. ID, Hash and CreatedAt are required. It returns
	// ErrConflict when the ID is taken and ErrNotFound when k.UserID is set
	// and there is no such user.
	CreateAPIKey(ctx context.Context, k APIKey) error
	// APIKey returns the key with the given ID, or ErrNotFound.
	APIKey(ctx context.Context, id string) (APIKey, error)
	// ListAPIKeys returns the keys matching f, newest first.
	ListAPIKeys(ctx context.Context, f APIKeyFilter) ([]APIKey, error)
	// RevokeAPIKey revokes the key at t. Revoking a revoked key keeps the
	// first RevokedAt. It returns ErrNotFound when there is no such key.
	RevokeAPIKey(ctx context.Context, id string, t time.Time) error
	// TouchAPIKey moves the key's LastUsedAt to t, never back. It returns
	// ErrNotFound when there is no such key.
	TouchAPIKey(ctx context.Context, id string, t time.Time) error
}

// TokenPurpose says what a one-time token may be used for.
type TokenPurpose string

// Token purposes.
const (
	PurposeConfirmEmail  TokenPurpose = "confirm-email"
	PurposeResetPassword TokenPurpose = "reset-password"
	// PurposeChangeEmail confirms a new address; Token.Data holds it.
	PurposeChangeEmail TokenPurpose = "change-email"
	PurposeResetMFA    TokenPurpose = "reset-mfa"
	PurposeAddPasskey  TokenPurpose = "add-passkey"
	// PurposeChangePassword confirms a new password; Token.Data holds its
	// hash.
	PurposeChangePassword TokenPurpose = "change-password"
)

// Token is a one-time link sent by e-mail. The link carries a secret; the
// store holds only its hash.
type Token struct {
	// Hash is the hex SHA-256 of the token's secret.
	Hash    string
	UserID  string
	Purpose TokenPurpose
	// Data is the purpose's argument, e.g. the new e-mail address.
	Data      string
	CreatedAt time.Time
	// ExpiresAt is the first instant the token no longer works.
	ExpiresAt time.Time
}

// Tokens persists one-time e-mail tokens.
type Tokens interface {
	// CreateToken stores t. Hash, UserID, Purpose, CreatedAt and ExpiresAt
	// are required. It returns ErrConflict when the hash is taken and
	// ErrNotFound when there is no user t.UserID.
	CreateToken(ctx context.Context, t Token) error
	// ConsumeToken deletes and returns the token with the given hash if it
	// has the given purpose and has not expired at now (now before
	// ExpiresAt). Otherwise (no such token, used already, expired, or for
	// another purpose) it returns ErrNotFound and changes nothing. Check
	// and delete are one atomic statement: a token works once, across nodes.
	ConsumeToken(ctx context.Context, hash string, purpose TokenPurpose, now time.Time) (Token, error)
	// Token returns the token with the given hash, purpose and not expired
	// at now without using it up (a link's page shows what it confirms
	// before the user confirms), or ErrNotFound like ConsumeToken.
	Token(ctx context.Context, hash string, purpose TokenPurpose, now time.Time) (Token, error)
	// DeleteUserTokens deletes the user's tokens of the given purpose, or of
	// every purpose for "", e.g. the older reset links once a password has
	// been reset. It returns how many it deleted.
	DeleteUserTokens(ctx context.Context, userID string, purpose TokenPurpose) (int64, error)
	// DeleteExpiredTokens deletes the tokens expired at now and returns how
	// many it deleted.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)
}
