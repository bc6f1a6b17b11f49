package session

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"rampart/internal/store"
)

// ErrInvalid means a session secret is not good for a request: malformed,
// unknown, expired, revoked or rotated away. Callers treat all of these
// alike (sign in again) and do not tell the client which it was.
var ErrInvalid = errors.New("session: invalid or expired")

// Config sets the lifetime and cookie of sessions. Zero fields take the
// defaults.
type Config struct {
	// IdleTimeout ends a session this long after its last recorded request
	// (default 30m, OWASP's upper bound for low-risk applications). A
	// negative value turns the idle limit off.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in whatever its
	// activity (default 12h: a working day, after which a stolen cookie is
	// worthless).
	AbsoluteTimeout time.Duration
	// CacheTTL is how long a node answers from its cache before asking the
	// store again, and so how long another node may still accept a session
	// revoked here (default 5s). A negative value turns the cache off.
	CacheTTL time.Duration
	// CacheSize bounds the number of cached sessions (default 10 000, a
	// few megabytes).
	CacheSize int
	// TouchInterval is how often, at most, a session's LastSeenAt is
	// written to the store (default 1m). It is also how early, at most, the
	// idle timeout may end a session.
	TouchInterval time.Duration
	// CookieName names the session cookie (default "__Host-rampart"). The
	// __Host- prefix makes browsers refuse the cookie unless it is Secure,
	// has Path=/ and no Domain, so a sibling subdomain cannot plant or
	// shadow it.
	CookieName string
}

// Defaults.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultCacheTTL        = 5 * time.Second
	DefaultCacheSize       = 10000
	DefaultTouchInterval   = time.Minute
	DefaultCookieName      = "__Host-rampart"
)

// maxUserAgent bounds the User-Agent stored with a session: the client
// chooses it, and the store keeps it for the life of the session.
const maxUserAgent = 512

func (c Config) withDefaults() Config {
	switch {
	case c.IdleTimeout == 0:
		c.IdleTimeout = DefaultIdleTimeout
	case c.IdleTimeout < 0:
		c.IdleTimeout = 0 // the store's "no idle limit"
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.CacheSize <= 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.TouchInterval <= 0 {
		c.TouchInterval = DefaultTouchInterval
	}
	if c.CookieName == "" {
		c.CookieName = DefaultCookieName
	}
	return c
}

// SessionStore is the part of store.Sessions a Manager uses.
type SessionStore interface {
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, id string) (store.Session, error)
	TouchSession(ctx context.Context, id string, lastSeen time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID, except string) (int64, error)
}

// Manager creates, checks, rotates and ends sessions over a SessionStore.
type Manager struct {
	cfg   Config
	st    SessionStore
	now   func() time.Time
	log   *slog.Logger
	cache *cache
}

// New returns a Manager. now may be nil (time.Now), log may be nil (no
// logs). It fails when the store is missing or the cookie name is not a
// valid cookie name.
func New(cfg Config, st SessionStore, now func() time.Time, log *slog.Logger) (*Manager, error) {
	if st == nil {
		return nil, errors.New("session: no store")
	}
	cfg = cfg.withDefaults()
	if !validCookieName(cfg.CookieName) {
		return nil, fmt.Errorf("session: cookie name %q is not a cookie token", cfg.CookieName)
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{
		cfg:   cfg,
		st:    st,
		now:   now,
		log:   log.With("component", "session"),
		cache: newCache(cfg.CacheSize, cfg.CacheTTL),
	}, nil
}

// Create starts a session for the user and returns its secret, for the
// cookie (see Cookie), and the stored session. The secret is returned here
// only; the store keeps its hash. mfa says the second factor was done.
// Create fails with an error wrapping store.ErrNotFound when there is no
// such user.
func (m *Manager) Create(ctx context.Context, userID string, mfa bool, clientIP, userAgent string) (string, store.Session, error) {
	if userID == "" {
		return "", store.Session{}, errors.New("create session: no user")
	}
	now := m.now()
	t := now.UTC() // also drops the monotonic reading, as the store does
	s := store.Session{
		UserID:      userID,
		CreatedAt:   t,
		LastSeenAt:  t,
		ExpiresAt:   t.Add(m.cfg.AbsoluteTimeout),
		IdleTimeout: m.cfg.IdleTimeout,
		ClientIP:    clientIP,
		UserAgent:   truncate(userAgent, maxUserAgent),
		MFA:         mfa,
	}
	secret, key, err := m.insert(ctx, s, now)
	if err != nil {
		return "", store.Session{}, fmt.Errorf("create session for user %s: %w", userID, err)
	}
	s.ID = storeID(key)
	return secret, s, nil
}

// insert stores s under a fresh secret and caches it, so that the request
// right after sign-in is a cache hit (unless a RevokeAll raced with it).
func (m *Manager) insert(ctx context.Context, s store.Session, now time.Time) (string, [32]byte, error) {
	secret, key := newSecret()
	s.ID = storeID(key)
	gen := m.cache.generation(key)
	if err := m.st.CreateSession(ctx, s); err != nil {
		return "", key, err
	}
	m.cache.admit(key, &s, now, m.cfg.TouchInterval, gen)
	return secret, key, nil
}

// Validate returns the session of a secret taken from a cookie, or
// ErrInvalid if there is none that is live at the Manager's now. It
// refuses malformed secrets without hashing them; answers from the cache
// without a store round trip when it checked the session less than
// CacheTTL ago (timeouts are still checked, on the cached times); and
// writes LastSeenAt at most once per TouchInterval. Any error other than
// ErrInvalid comes from the store.
//
// A hit in the cache does not allocate.
func (m *Manager) Validate(ctx context.Context, secret string) (store.Session, error) {
	if !wellFormed(secret) {
		return store.Session{}, ErrInvalid
	}
	key := digest(secret)
	now := m.now()
	s, res, gen := m.cache.get(key, now, m.cfg.TouchInterval)
	switch res {
	case hit:
		return s, nil
	case hitTouch:
		if err := m.touch(ctx, key, s); err != nil {
			return store.Session{}, err
		}
		return s, nil
	case ended:
		return store.Session{}, ErrInvalid
	}
	s, err := m.st.Session(ctx, storeID(key))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, ErrInvalid
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("validate session: %w", err)
	}
	if s.Expired(now) {
		// Left for the periodic DeleteExpiredSessions: deleting here would
		// let a node whose clock runs fast end sessions for every node.
		return store.Session{}, ErrInvalid
	}
	if m.cache.admit(key, &s, now, m.cfg.TouchInterval, gen) {
		if err := m.touch(ctx, key, s); err != nil {
			return store.Session{}, err
		}
	}
	return s, nil
}

// touch writes s.LastSeenAt to the store. A session the store no longer has
// was revoked, maybe on another node: it is evicted and ErrInvalid
// returned. Other failures are logged and the request goes on: the session
// was confirmed, and a missed touch can only make it end earlier. The write
// outlives a cancelled request, so that it is not lost for a minute.
func (m *Manager) touch(ctx context.Context, key [32]byte, s store.Session) error {
	err := m.st.TouchSession(context.WithoutCancel(ctx), s.ID, s.LastSeenAt)
	if errors.Is(err, store.ErrNotFound) {
		m.cache.revoke(key)
		return ErrInvalid
	}
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "session touch failed",
			slog.String("user", s.UserID), slog.Any("err", err))
	}
	return nil
}

// Rotate replaces the session of oldSecret with a new one, under a new
// secret, for the same user, client and lifetime, with MFA set to mfa. Call
// it whenever privilege changes (a second factor done, a password changed,
// roles changed) so that a cookie stolen or planted before the change is
// worth nothing after it.
//
// The new session keeps the old one's CreatedAt and ExpiresAt: rotating
// does not extend the absolute timeout, or a client could live forever by
// rotating. A fresh sign-in, which should start a fresh lifetime, is Create
// followed by Revoke of the old secret.
//
// The old session is deleted before the new one is created, so that of two
// rotations racing with one secret (two nodes, a double submit) exactly one
// succeeds and the other gets ErrInvalid. If creating then fails, the user
// has to sign in again: a lost session rather than a duplicated one.
func (m *Manager) Rotate(ctx context.Context, oldSecret string, mfa bool) (string, store.Session, error) {
	old, err := m.Validate(ctx, oldSecret)
	if err != nil {
		return "", store.Session{}, err
	}
	err = m.st.DeleteSession(ctx, old.ID)
	m.cache.revoke(digest(oldSecret))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", store.Session{}, ErrInvalid
		}
		return "", store.Session{}, fmt.Errorf("rotate session of user %s: %w", old.UserID, err)
	}
	now := m.now()
	s := old
	s.LastSeenAt = now.UTC()
	s.MFA = mfa
	secret, key, err := m.insert(ctx, s, now)
	if err != nil {
		return "", store.Session{}, fmt.Errorf("rotate session of user %s: %w", old.UserID, err)
	}
	s.ID = storeID(key)
	return secret, s, nil
}

// Revoke ends the session of secret (sign out). A secret that is malformed
// or has no session is not an error: signing out twice is fine. Other nodes
// stop accepting the session within CacheTTL.
func (m *Manager) Revoke(ctx context.Context, secret string) error {
	if !wellFormed(secret) {
		return nil
	}
	key := digest(secret)
	err := m.st.DeleteSession(ctx, storeID(key))
	m.cache.revoke(key) // after the delete: see cache.admit
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeID ends the session whose store ID is id (a session listed on the
// sessions page, whose secret the caller does not hold): it is deleted
// from the store and forgotten by this node's cache at once. Other nodes
// stop accepting it within CacheTTL. An unknown or malformed ID is not an
// error.
func (m *Manager) RevokeID(ctx context.Context, id string) error {
	var key [32]byte
	if len(id) != 2*len(key) {
		return nil
	}
	if _, err := hex.Decode(key[:], []byte(id)); err != nil || storeID(key) != id {
		return nil
	}
	err := m.st.DeleteSession(ctx, id)
	m.cache.revoke(key) // after the delete: see cache.admit
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeAll ends every session of the user but the one of exceptSecret
// ("" ends them all): sign out everywhere else, or after a password reset.
// A malformed exceptSecret has no session to keep, so all of them end.
// It returns how many sessions it ended. Other nodes stop accepting them
// within CacheTTL.
func (m *Manager) RevokeAll(ctx context.Context, userID, exceptSecret string) (int64, error) {
	if userID == "" {
		return 0, errors.New("revoke sessions: no user")
	}
	var exceptKey [32]byte
	except := ""
	if wellFormed(exceptSecret) {
		exceptKey = digest(exceptSecret)
		except = storeID(exceptKey)
	}
	n, err := m.st.DeleteUserSessions(ctx, userID, except)
	m.cache.revokeUser(userID, exceptKey) // after the delete: see cache.admit
	if err != nil {
		return n, fmt.Errorf("revoke sessions of user %s: %w", userID, err)
	}
	m.log.LogAttrs(ctx, slog.LevelDebug, "sessions revoked", slog.String("user", userID), slog.Int64("count", n))
	return n, nil
}

// truncate cuts s to at most n bytes on a character boundary, with
// invalid UTF-8 replaced.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	s = strings.ToValidUTF8(s, "\uFFFD") // a sequence cut above becomes U+FFFD
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
