package apikey

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"rampart/internal/store"
)

// ErrInvalid means a key is not good for a request: malformed, unknown,
// wrong secret, revoked or expired. Callers treat all of these alike and do
// not tell the client which it was.
var ErrInvalid = errors.New("apikey: invalid, revoked or expired")

// Config sets the cache of a Manager. Zero fields take the defaults.
type Config struct {
	// CacheTTL is how long a node answers from its cache before asking the
	// store again, and so how long another node may still accept a key
	// revoked here (default 5s). A negative value turns the cache off.
	CacheTTL time.Duration
	// CacheSize bounds the number of cached keys (default 10 000).
	CacheSize int
	// TouchInterval is how often, at most, a key's LastUsedAt is written to
	// the store (default 1m): "last used" is for people, a minute is
	// precise enough, and a busy client must not write on every request.
	TouchInterval time.Duration
}

// Defaults.
const (
	DefaultCacheTTL      = 5 * time.Second
	DefaultCacheSize     = 10000
	DefaultTouchInterval = time.Minute
)

// MaxNameLen bounds a key's name, a label for people.
const MaxNameLen = 200

// createAttempts bounds the retries when a new ID is taken: with 60-bit IDs
// even a second attempt is rare.
const createAttempts = 3

func (c Config) withDefaults() Config {
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.CacheSize <= 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.TouchInterval <= 0 {
		c.TouchInterval = DefaultTouchInterval
	}
	return c
}

// KeyStore is the part of store.APIKeys a Manager uses.
type KeyStore interface {
	CreateAPIKey(ctx context.Context, k store.APIKey) error
	APIKey(ctx context.Context, id string) (store.APIKey, error)
	ListAPIKeys(ctx context.Context, f store.APIKeyFilter) ([]store.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, t time.Time) error
	TouchAPIKey(ctx context.Context, id string, t time.Time) error
}

// Manager issues, checks, lists and revokes API keys over a KeyStore.
type Manager struct {
	cfg   Config
	st    KeyStore
	now   func() time.Time
	log   *slog.Logger
	cache *cache
}

// New returns a Manager. now may be nil (time.Now), log may be nil (no
// logs).
func New(cfg Config, st KeyStore, now func() time.Time, log *slog.Logger) (*Manager, error) {
	if st == nil {
		return nil, errors.New("apikey: no store")
	}
	cfg = cfg.withDefaults()
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
		log:   log.With("component", "apikey"),
		cache: newCache(cfg.CacheSize, cfg.CacheTTL),
	}, nil
}

// Create issues a key named name that acts for userID ("" for a service
// key) with roles, valid until expires (zero: until revoked). It returns
// the key, which is shown once and never again, and the stored record.
// It fails when expires is not after now, and with an error wrapping
// store.ErrNotFound when there is no such user.
func (m *Manager) Create(ctx context.Context, name, userID string, roles []string, expires time.Time) (string, store.APIKey, error) {
	if len(name) > MaxNameLen {
		return "", store.APIKey{}, fmt.Errorf("create API key: name longer than %d bytes", MaxNameLen)
	}
	now := m.now()
	if !expires.IsZero() {
		if !expires.After(now) {
			return "", store.APIKey{}, fmt.Errorf("create API key: expiry %s is not in the future", expires.Format(time.RFC3339))
		}
		expires = expires.UTC()
	}
	for attempt := 1; ; attempt++ {
		key, id := newKey()
		sum := digest(key)
		rec := store.APIKey{
			ID:        id,
			UserID:    userID,
			Name:      name,
			Hash:      hex.EncodeToString(sum[:]),
			Roles:     slices.Clone(roles),
			CreatedAt: now.UTC(),
			ExpiresAt: expires,
		}
		gen := m.cache.generation(id)
		err := m.st.CreateAPIKey(ctx, rec)
		if errors.Is(err, store.ErrConflict) && attempt < createAttempts {
			continue
		}
		if err != nil {
			return "", store.APIKey{}, fmt.Errorf("create API key for user %q: %w", userID, err)
		}
		m.cache.admit(cacheEntry{rec: rec, hash: sum, hashOK: true}, now, gen, false, m.cfg.TouchInterval)
		rec.Roles = slices.Clone(rec.Roles) // the cache keeps its own
		m.log.LogAttrs(ctx, slog.LevelInfo, "API key created",
			slog.String("key_id", id), slog.String("user", userID))
		return key, rec, nil
	}
}

// Validate returns the record of key if key is live at the Manager's now,
// or ErrInvalid. It refuses malformed keys without hashing them; answers
// from the cache without a store round trip when it fetched the record
// less than CacheTTL ago (revocation and expiry are still checked); and
// writes LastUsedAt at most once per TouchInterval. Any error other than
// ErrInvalid comes from the store.
//
// The returned record is the caller's: its Roles are a copy.
func (m *Manager) Validate(ctx context.Context, key string) (store.APIKey, error) {
	id, ok := parseKey(key)
	if !ok {
		return store.APIKey{}, ErrInvalid
	}
	sum := digest(key)
	now := m.now()
	rec, res, gen := m.cache.get(id, sum, now, m.cfg.TouchInterval)
	switch res {
	case hit:
		rec.Roles = slices.Clone(rec.Roles)
		return rec, nil
	case hitTouch:
		if err := m.touch(ctx, rec); err != nil {
			return store.APIKey{}, err
		}
		rec.Roles = slices.Clone(rec.Roles)
		return rec, nil
	case refused:
		return store.APIKey{}, ErrInvalid
	}

	rec, err := m.st.APIKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, ErrInvalid
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("validate API key: %w", err)
	}
	e := cacheEntry{rec: rec}
	if len(rec.Hash) == hex.EncodedLen(len(e.hash)) {
		_, err := hex.Decode(e.hash[:], []byte(rec.Hash))
		e.hashOK = err == nil
	}
	if !e.hashOK {
		m.log.LogAttrs(ctx, slog.LevelError, "API key record has a malformed hash; no key matches it",
			slog.String("key_id", rec.ID))
	}
	used := e.matches(sum) && rec.Active(now)
	rec, touch := m.cache.admit(e, now, gen, used, m.cfg.TouchInterval)
	if !used {
		return store.APIKey{}, ErrInvalid
	}
	if touch {
		if err := m.touch(ctx, rec); err != nil {
			return store.APIKey{}, err
		}
	}
	rec.Roles = slices.Clone(rec.Roles)
	return rec, nil
}

// touch writes rec.LastUsedAt to the store. A key the store no longer has
// was deleted with its user: it is evicted and ErrInvalid returned. Other
// failures are logged and the request goes on: the key was confirmed, and
// LastUsedAt is for people. The write outlives a cancelled request.
func (m *Manager) touch(ctx context.Context, rec store.APIKey) error {
	err := m.st.TouchAPIKey(context.WithoutCancel(ctx), rec.ID, rec.LastUsedAt)
	if errors.Is(err, store.ErrNotFound) {
		m.cache.revoke(rec.ID)
		return ErrInvalid
	}
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "API key touch failed",
			slog.String("key_id", rec.ID), slog.Any("err", err))
	}
	return nil
}

// Revoke revokes the key with public ID id from now on. This node refuses
// it at once, other nodes within CacheTTL. Revoking a revoked key keeps its
// first revocation time. It returns an error wrapping store.ErrNotFound when
// there is no such key.
func (m *Manager) Revoke(ctx context.Context, id string) error {
	err := m.st.RevokeAPIKey(ctx, id, m.now().UTC())
	m.cache.revoke(id) // after the write: see cache.admit
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	m.log.LogAttrs(ctx, slog.LevelInfo, "API key revoked", slog.String("key_id", id))
	return nil
}

// List returns the keys of the user, or every key when userID is "",
// newest first, revoked and expired ones included (APIKey.Active tells).
func (m *Manager) List(ctx context.Context, userID string) ([]store.APIKey, error) {
	ks, err := m.st.ListAPIKeys(ctx, store.APIKeyFilter{UserID: userID})
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return ks, nil
}
