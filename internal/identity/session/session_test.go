package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a controllable clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingStore is the real SQLite store, counting the reads and touches
// that reach it.
type countingStore struct {
	*sqlite.DB
	reads, touches atomic.Int64
}

func (c *countingStore) Session(ctx context.Context, id string) (store.Session, error) {
	c.reads.Add(1)
	return c.DB.Session(ctx, id)
}

func (c *countingStore) TouchSession(ctx context.Context, id string, lastSeen time.Time) error {
	c.touches.Add(1)
	return c.DB.TouchSession(ctx, id, lastSeen)
}

// testLogger logs to the test's output; benchmarks log nothing.
func testLogger(tb testing.TB) *slog.Logger {
	if _, ok := tb.(*testing.B); ok {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tb.Output(), nil))
}

// newStore opens a migrated SQLite store in a temporary directory with the
// users alice and bob.
func newStore(tb testing.TB) *countingStore {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "db"), nil)
	if err != nil {
		tb.Fatalf("sqlite.Open() = %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close() = %v", err)
		}
	})
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("Migrate() = %v", err)
	}
	for _, name := range []string{"alice", "bob"} {
		if _, err := db.CreateUser(ctx, store.User{ID: name, Username: name, CreatedAt: t0}); err != nil {
			tb.Fatalf("CreateUser(%q) = %v", name, err)
		}
	}
	return &countingStore{DB: db}
}

func newManager(tb testing.TB, cfg Config, st SessionStore, clk *clock) *Manager {
	tb.Helper()
	m, err := New(cfg, st, clk.Now, testLogger(tb))
	if err != nil {
		tb.Fatalf("New() = %v", err)
	}
	return m
}

func mustCreate(tb testing.TB, m *Manager, userID string) (string, store.Session) {
	tb.Helper()
	secret, s, err := m.Create(context.Background(), userID, false, "192.0.2.1", "test-agent/1.0")
	if err != nil {
		tb.Fatalf("Create(%q) = %v", userID, err)
	}
	return secret, s
}

// wantValid fails unless Validate accepts secret.
func wantValid(tb testing.TB, m *Manager, secret string) store.Session {
	tb.Helper()
	s, err := m.Validate(context.Background(), secret)
	if err != nil {
		tb.Fatalf("Validate(%.8s…) = %v, want a session", secret, err)
	}
	return s
}

// wantInvalid fails unless Validate refuses secret with ErrInvalid.
func wantInvalid(tb testing.TB, m *Manager, secret string) {
	tb.Helper()
	if s, err := m.Validate(context.Background(), secret); !errors.Is(err, ErrInvalid) {
		tb.Fatalf("Validate(%.8s…) = %+v, %v, want ErrInvalid", secret, s, err)
	}
}

func sameSession(a, b store.Session) bool {
	return a.ID == b.ID && a.UserID == b.UserID && a.CreatedAt.Equal(b.CreatedAt) &&
		a.LastSeenAt.Equal(b.LastSeenAt) && a.ExpiresAt.Equal(b.ExpiresAt) &&
		a.IdleTimeout == b.IdleTimeout && a.ClientIP == b.ClientIP && a.UserAgent == b.UserAgent && a.MFA == b.MFA
}

func TestCreateValidate(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)

	secret, s, err := m.Create(t.Context(), "alice", true, "192.0.2.1", "test-agent/1.0")
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	if len(secret) != SecretLen || !wellFormed(secret) {
		t.Fatalf("Create() secret %q is not %d canonical base64url characters", secret, SecretLen)
	}
	sum := sha256.Sum256([]byte(secret))
	if want := hex.EncodeToString(sum[:]); s.ID != want {
		t.Errorf("Create() ID = %q, want hex SHA-256 of the secret %q", s.ID, want)
	}
	want := store.Session{
		ID: s.ID, UserID: "alice", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(DefaultAbsoluteTimeout),
		IdleTimeout: DefaultIdleTimeout, ClientIP: "192.0.2.1", UserAgent: "test-agent/1.0", MFA: true,
	}
	if !sameSession(s, want) {
		t.Errorf("Create() session = %+v, want %+v", s, want)
	}

	stored, err := st.DB.Session(t.Context(), s.ID)
	if err != nil {
		t.Fatalf("store Session(%q) = %v", s.ID, err)
	}
	if !sameSession(stored, want) {
		t.Errorf("stored session = %+v, want %+v", stored, want)
	}
	if strings.Contains(stored.ID+stored.ClientIP+stored.UserAgent, secret) {
		t.Errorf("the store holds the secret: %+v", stored)
	}

	// Warm: the session Create cached answers without the store.
	if got := wantValid(t, m, secret); !sameSession(got, want) {
		t.Errorf("Validate() = %+v, want %+v", got, want)
	}
	if n := st.reads.Load(); n != 0 {
		t.Errorf("Validate() right after Create read the store %d times, want 0", n)
	}

	// Cold: another node reads it from the store, once.
	other := newManager(t, Config{}, st, clk)
	for range 3 {
		if got := wantValid(t, other, secret); !sameSession(got, want) {
			t.Errorf("Validate() on another node = %+v, want %+v", got, want)
		}
	}
	if n := st.reads.Load(); n != 1 {
		t.Errorf("3 × Validate() on another node read the store %d times, want 1", n)
	}
}

func TestCreateErrors(t *testing.T) {
	st := newStore(t)
	m := newManager(t, Config{}, st, newClock())
	if _, _, err := m.Create(t.Context(), "nobody", false, "", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Create(unknown user) = %v, want store.ErrNotFound", err)
	}
	if _, _, err := m.Create(t.Context(), "", false, "", ""); err == nil {
		t.Errorf("Create(\"\") = nil error, want one")
	}
}

func TestCreateTruncatesUserAgent(t *testing.T) {
	st := newStore(t)
	m := newManager(t, Config{}, st, newClock())
	ua := strings.Repeat("é", 1000) // 2000 bytes
	_, s, err := m.Create(t.Context(), "alice", false, "", ua)
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	if len(s.UserAgent) > maxUserAgent || !strings.HasPrefix(ua, s.UserAgent) || len(s.UserAgent) < maxUserAgent-1 {
		t.Errorf("Create() UserAgent has %d bytes, want a prefix of at most %d", len(s.UserAgent), maxUserAgent)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "abcde"},
		{"cut inside a rune", "abcdé", 5, "abcd"},
		{"invalid kept short", "a\xffb", 5, "a\uFFFDb"},
		{"replacement would overflow", "abcd\xff", 5, "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truncate(tt.in, tt.n); got != tt.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	st := newStore(t)
	m := newManager(t, Config{}, st, newClock())
	secret, _ := mustCreate(t, m, "alice")

	flip := func(i int, c byte) string {
		b := []byte(secret)
		if b[i] == c {
			c = 'B'
		}
		b[i] = c
		return string(b)
	}
	last := secret[SecretLen-1]
	nonCanonical := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last) + 1
	malformed := []struct{ name, in string }{
		{"empty", ""},
		{"short", secret[:SecretLen-1]},
		{"long", secret + "A"},
		{"padded", secret + "="},
		{"standard base64", flip(3, '+')},
		{"slash", flip(3, '/')},
		{"space", flip(10, ' ')},
		{"NUL", flip(10, 0)},
		{"non-ASCII", secret[:SecretLen-2] + "é"},
		{"non-canonical last character", secret[:SecretLen-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[nonCanonical])},
		{"hex ID instead of secret", digestHex(secret)},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			before := st.reads.Load()
			wantInvalid(t, m, tt.in)
			if st.reads.Load() != before {
				t.Errorf("Validate(%q) read the store; malformed secrets should be refused before", tt.in)
			}
		})
	}

	unknown := []struct{ name, in string }{
		{"tampered first character", flip(0, 'Q')},
		{"tampered middle character", flip(20, 'x')},
		{"random", func() string { s, _ := newSecret(); return s }()},
	}
	for _, tt := range unknown {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, m, tt.in)
		})
	}
	wantValid(t, m, secret)
}

func digestHex(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func TestIdleTimeout(t *testing.T) {
	for _, tt := range []struct {
		name string
		ttl  time.Duration
	}{
		{"cold", -1},
		{"default cache", 0},
		{"warm cache", 24 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			clk := newClock()
			m := newManager(t, Config{IdleTimeout: 30 * time.Minute, CacheTTL: tt.ttl}, st, clk)
			secret, _ := mustCreate(t, m, "alice")

			// Requests 29 minutes apart keep it alive, well past one idle timeout.
			for range 4 {
				clk.Add(29 * time.Minute)
				if s := wantValid(t, m, secret); !s.LastSeenAt.Equal(clk.Now()) {
					t.Errorf("Validate() LastSeenAt = %v, want %v", s.LastSeenAt, clk.Now())
				}
			}
			clk.Add(30 * time.Minute)
			wantInvalid(t, m, secret)
			wantInvalid(t, fresh(t, st, clk, Config{IdleTimeout: 30 * time.Minute}), secret)
		})
	}
}

// fresh returns a Manager with an empty cache, as another node.
func fresh(tb testing.TB, st SessionStore, clk *clock, cfg Config) *Manager {
	return newManager(tb, cfg, st, clk)
}

func TestIdleTimeoutDisabled(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{IdleTimeout: -1, AbsoluteTimeout: 48 * time.Hour}, st, clk)
	secret, s := mustCreate(t, m, "alice")
	if s.IdleTimeout != 0 {
		t.Errorf("Create() IdleTimeout = %v, want 0 (none)", s.IdleTimeout)
	}
	clk.Add(47 * time.Hour)
	wantValid(t, m, secret)
}

func TestAbsoluteTimeout(t *testing.T) {
	for _, tt := range []struct {
		name string
		ttl  time.Duration
	}{
		{"cold", -1},
		{"warm cache", 24 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			clk := newClock()
			m := newManager(t, Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 2 * time.Hour, CacheTTL: tt.ttl}, st, clk)
			secret, _ := mustCreate(t, m, "alice")
			for range 5 {
				clk.Add(20 * time.Minute)
				wantValid(t, m, secret)
			}
			clk.Add(20*time.Minute - time.Nanosecond)
			wantValid(t, m, secret)
			reads := st.reads.Load()
			clk.Add(time.Nanosecond) // exactly 2h after sign-in, active 20m ago
			wantInvalid(t, m, secret)
			if tt.ttl > 0 && st.reads.Load() != reads {
				t.Errorf("Validate() after the absolute timeout read the store; the cached ExpiresAt suffices")
			}
		})
	}
}

func TestWarmPathSkipsStore(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{CacheTTL: 5 * time.Second}, st, clk)
	secret, _ := mustCreate(t, m, "alice")
	for range 100 {
		clk.Add(40 * time.Millisecond) // 4 s in all: within CacheTTL
		wantValid(t, m, secret)
	}
	if r, w := st.reads.Load(), st.touches.Load(); r != 0 || w != 0 {
		t.Errorf("100 × Validate() within CacheTTL: %d reads, %d touches of the store, want 0, 0", r, w)
	}
	clk.Add(time.Second) // 5 s since Create: stale
	wantValid(t, m, secret)
	if r := st.reads.Load(); r != 1 {
		t.Errorf("Validate() after CacheTTL: %d reads of the store, want 1", r)
	}
}

func TestTouchRateLimited(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	secret, s := mustCreate(t, m, "alice")

	// Cold path (steps longer than CacheTTL).
	steps := []struct {
		at      time.Duration // since t0
		touches int64         // in all, after Validate at that time
	}{
		{10 * time.Second, 0},
		{30 * time.Second, 0},
		{59 * time.Second, 0},
		{61 * time.Second, 1},
		{90 * time.Second, 1},
		{120 * time.Second, 1},
		{121 * time.Second, 2},
	}
	for _, step := range steps {
		clk.Add(t0.Add(step.at).Sub(clk.Now()))
		wantValid(t, m, secret)
		if got := st.touches.Load(); got != step.touches {
			t.Errorf("after Validate() at t0+%v: %d touches, want %d", step.at, got, step.touches)
		}
	}
	stored, err := st.DB.Session(t.Context(), s.ID)
	if err != nil {
		t.Fatalf("store Session() = %v", err)
	}
	if want := t0.Add(121 * time.Second); !stored.LastSeenAt.Equal(want) {
		t.Errorf("stored LastSeenAt = %v, want %v", stored.LastSeenAt, want)
	}

	// A request every second for three minutes, mostly from the cache.
	st.touches.Store(0)
	for range 180 {
		clk.Add(time.Second)
		wantValid(t, m, secret)
	}
	if got := st.touches.Load(); got != 3 {
		t.Errorf("a request a second for 3 minutes: %d touches, want 3", got)
	}
}

func TestTouchConcurrentOnce(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	secret, _ := mustCreate(t, m, "alice")
	clk.Add(2 * time.Minute) // cached entry stale, LastSeenAt due
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { wantValid(t, m, secret) })
	}
	wg.Wait()
	if got := st.touches.Load(); got != 1 {
		t.Errorf("16 concurrent Validate() of one due session: %d touches, want 1", got)
	}
}

func TestRotate(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	other := newManager(t, Config{}, st, clk)
	oldSecret, old := mustCreate(t, m, "alice")
	clk.Add(10 * time.Minute)
	wantValid(t, other, oldSecret) // cached on another node too

	secret, s, err := m.Rotate(t.Context(), oldSecret, true)
	if err != nil {
		t.Fatalf("Rotate() = %v", err)
	}
	if secret == oldSecret || s.ID == old.ID || !wellFormed(secret) || s.ID != digestHex(secret) {
		t.Errorf("Rotate() = %q, ID %q: want a new well-formed secret and its hash", secret, s.ID)
	}
	if !s.MFA || s.UserID != "alice" || !s.CreatedAt.Equal(old.CreatedAt) || !s.ExpiresAt.Equal(old.ExpiresAt) ||
		!s.LastSeenAt.Equal(clk.Now()) || s.ClientIP != old.ClientIP || s.UserAgent != old.UserAgent {
		t.Errorf("Rotate() session = %+v, want MFA, alice, CreatedAt and ExpiresAt of %+v, LastSeenAt now", s, old)
	}
	wantInvalid(t, m, oldSecret)
	if got := wantValid(t, m, secret); !sameSession(got, s) {
		t.Errorf("Validate(new) = %+v, want %+v", got, s)
	}
	if _, err := st.DB.Session(t.Context(), old.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("store Session(old ID) = %v, want ErrNotFound", err)
	}
	// The other node sees the rotation once its entry is CacheTTL old.
	clk.Add(DefaultCacheTTL)
	wantInvalid(t, other, oldSecret)
	wantValid(t, other, secret)

	if _, _, err := m.Rotate(t.Context(), oldSecret, true); !errors.Is(err, ErrInvalid) {
		t.Errorf("Rotate(old secret again) = %v, want ErrInvalid", err)
	}
	if _, _, err := m.Rotate(t.Context(), "junk", true); !errors.Is(err, ErrInvalid) {
		t.Errorf("Rotate(junk) = %v, want ErrInvalid", err)
	}
}

func TestRotateRace(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	nodes := []*Manager{m, newManager(t, Config{}, st, clk), newManager(t, Config{}, st, clk)}
	oldSecret, _ := mustCreate(t, m, "alice")

	var ok, invalid atomic.Int64
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			_, _, err := nodes[i%len(nodes)].Rotate(context.Background(), oldSecret, true)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrInvalid):
				invalid.Add(1)
			default:
				t.Errorf("Rotate() = %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || invalid.Load() != 11 {
		t.Errorf("12 racing Rotate() of one secret: %d succeeded, %d ErrInvalid; want 1, 11", ok.Load(), invalid.Load())
	}
	ss, err := st.ListUserSessions(t.Context(), "alice")
	if err != nil {
		t.Fatalf("ListUserSessions() = %v", err)
	}
	if len(ss) != 1 {
		t.Errorf("alice has %d sessions after racing rotations, want 1", len(ss))
	}
}

func TestRevoke(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	other := newManager(t, Config{}, st, clk)
	secret, _ := mustCreate(t, m, "alice")
	keep, _ := mustCreate(t, m, "alice")
	wantValid(t, other, secret)

	if err := m.Revoke(t.Context(), secret); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	wantInvalid(t, m, secret)
	wantValid(t, m, keep)

	// Another node accepts it until its cache entry is CacheTTL old: the
	// documented window.
	clk.Add(DefaultCacheTTL - time.Millisecond)
	wantValid(t, other, secret)
	clk.Add(time.Millisecond)
	wantInvalid(t, other, secret)

	for _, s := range []string{secret, "", "junk", keep[:10]} {
		if err := m.Revoke(t.Context(), s); err != nil {
			t.Errorf("Revoke(%q) = %v, want nil (signing out twice is fine)", s, err)
		}
	}
}

func TestRevokeID(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	secret, s := mustCreate(t, m, "alice")
	keep, _ := mustCreate(t, m, "alice")
	wantValid(t, m, secret) // cached now
	if err := m.RevokeID(t.Context(), s.ID); err != nil {
		t.Fatalf("RevokeID() = %v", err)
	}
	wantInvalid(t, m, secret) // at once on this node, cache or not
	wantValid(t, m, keep)
	for _, id := range []string{s.ID, "", "junk", strings.ToUpper(s.ID), s.ID[:10]} {
		if err := m.RevokeID(t.Context(), id); err != nil {
			t.Errorf("RevokeID(%q) = %v, want nil", id, err)
		}
	}
}

func TestTouchFindsRevocationElsewhere(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	cfg := Config{CacheTTL: time.Hour}
	m := newManager(t, cfg, st, clk)
	other := newManager(t, cfg, st, clk)
	secret, _ := mustCreate(t, m, "alice")
	wantValid(t, other, secret)
	if err := m.Revoke(t.Context(), secret); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	clk.Add(30 * time.Second)
	wantValid(t, other, secret) // cached, not due for a touch
	clk.Add(31 * time.Second)
	wantInvalid(t, other, secret) // the touch finds the session gone
	wantInvalid(t, other, secret)
}

func TestRevokeAll(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	a1, _ := mustCreate(t, m, "alice")
	a2, _ := mustCreate(t, m, "alice")
	a3, _ := mustCreate(t, m, "alice")
	b1, _ := mustCreate(t, m, "bob")
	for _, s := range []string{a1, a2, a3, b1} {
		wantValid(t, m, s)
	}

	n, err := m.RevokeAll(t.Context(), "alice", a2)
	if err != nil || n != 2 {
		t.Fatalf("RevokeAll(alice, except a2) = %d, %v, want 2, nil", n, err)
	}
	wantInvalid(t, m, a1)
	wantInvalid(t, m, a3)
	wantValid(t, m, a2)
	wantValid(t, m, b1)
	if reads := st.reads.Load(); reads != 2 {
		t.Errorf("store reads = %d, want 2 (the evicted a1 and a3; a2 and b1 stay cached)", reads)
	}

	n, err = m.RevokeAll(t.Context(), "alice", "")
	if err != nil || n != 1 {
		t.Fatalf("RevokeAll(alice, none) = %d, %v, want 1, nil", n, err)
	}
	wantInvalid(t, m, a2)
	wantValid(t, m, b1)

	if _, err := m.RevokeAll(t.Context(), "", ""); err == nil {
		t.Errorf("RevokeAll(\"\") = nil error, want one")
	}
}

func TestCacheBounded(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	const size = 64
	m := newManager(t, Config{CacheSize: size}, st, clk)
	secrets := make([]string, 300)
	for i := range secrets {
		secrets[i], _ = mustCreate(t, m, "alice")
		if n := m.cache.len(); n > size {
			t.Fatalf("after %d sessions the cache holds %d, want at most %d", i+1, n, size)
		}
	}
	for _, s := range secrets {
		wantValid(t, m, s)
		if n := m.cache.len(); n > size {
			t.Fatalf("the cache holds %d, want at most %d", n, size)
		}
	}
	if n := m.cache.len(); n < size/2 {
		t.Errorf("the cache holds %d after 300 sessions, want it used (near %d)", n, size)
	}
}

func TestCacheDropsStaleFirst(t *testing.T) {
	c := newCache(cacheShards*2, time.Second) // 2 per shard
	var k1, k2, k3 [32]byte
	k2[1], k3[1] = 1, 2 // same shard as k1
	s := store.Session{ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0}
	c.admit(k1, &s, t0, time.Minute, 0)
	c.admit(k2, &s, t0.Add(2*time.Second), time.Minute, 0)
	c.admit(k3, &s, t0.Add(2*time.Second), time.Minute, 0) // full: k1 is stale and goes
	if _, res, _ := c.get(k2, t0.Add(2*time.Second), time.Minute); res != hit {
		t.Errorf("get(k2) = %v, want hit", res)
	}
	if _, res, _ := c.get(k3, t0.Add(2*time.Second), time.Minute); res != hit {
		t.Errorf("get(k3) = %v, want hit", res)
	}
	if n := c.len(); n != 2 {
		t.Errorf("len() = %d, want 2", n)
	}
}

func TestConcurrent(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{CacheSize: 32}, st, clk)
	const n = 40
	secrets := make([]string, n)
	for i := range secrets {
		user := "alice"
		if i%2 == 1 {
			user = "bob"
		}
		secrets[i], _ = mustCreate(t, m, user)
	}
	var revoked [n]atomic.Bool
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 300 {
				i := r.IntN(n)
				wasRevoked := revoked[i].Load()
				_, err := m.Validate(ctx, secrets[i])
				if err != nil && !errors.Is(err, ErrInvalid) {
					t.Errorf("Validate() = %v", err)
				}
				if err == nil && wasRevoked {
					t.Errorf("Validate() accepted session %d revoked on this node", i)
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < n; i += 3 {
			if err := m.Revoke(ctx, secrets[i]); err != nil {
				t.Errorf("Revoke() = %v", err)
			}
			revoked[i].Store(true)
			clk.Add(7 * time.Second)
		}
	})
	wg.Go(func() {
		for i := 0; i < 20; i++ {
			if _, err := m.RevokeAll(ctx, "nobody", ""); err != nil {
				t.Errorf("RevokeAll() = %v", err)
			}
			clk.Add(13 * time.Second)
		}
	})
	wg.Wait()
	for i, s := range secrets {
		_, err := m.Validate(ctx, s)
		if revoked[i].Load() != errors.Is(err, ErrInvalid) {
			t.Errorf("session %d: revoked %v, Validate() = %v", i, revoked[i].Load(), err)
		}
	}
}

func TestValidateWarmDoesNotAllocate(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	secret, _ := mustCreate(t, m, "alice")
	ctx := t.Context()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := m.Validate(ctx, secret); err != nil {
			t.Fatalf("Validate() = %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("Validate() on a warm cache: %v allocations, want 0", allocs)
	}
}

func TestNew(t *testing.T) {
	st := newStore(t)
	if _, err := New(Config{}, nil, nil, nil); err == nil {
		t.Errorf("New(no store) = nil error, want one")
	}
	for _, name := range []string{"a b", "x;y", "n=v", "é"} {
		if _, err := New(Config{CookieName: name}, st, nil, nil); err == nil {
			t.Errorf("New(CookieName %q) = nil error, want one", name)
		}
	}
	m, err := New(Config{}, st, nil, nil)
	if err != nil {
		t.Fatalf("New(defaults) = %v", err)
	}
	want := Config{
		IdleTimeout: DefaultIdleTimeout, AbsoluteTimeout: DefaultAbsoluteTimeout, CacheTTL: DefaultCacheTTL,
		CacheSize: DefaultCacheSize, TouchInterval: DefaultTouchInterval, CookieName: DefaultCookieName,
	}
	if m.cfg != want {
		t.Errorf("New(Config{}) config = %+v, want %+v", m.cfg, want)
	}
	secret, _ := mustCreate(t, m, "alice") // real clock
	wantValid(t, m, secret)
}

func TestCookie(t *testing.T) {
	m := newManager(t, Config{}, newStore(t), newClock())
	tests := []struct {
		name string
		c    *http.Cookie
		want string
	}{
		{"persistent", m.Cookie("s3cr3t", 12*time.Hour), "__Host-rampart=s3cr3t; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax"},
		{"rounded down", m.Cookie("s3cr3t", 1500*time.Millisecond), "__Host-rampart=s3cr3t; Path=/; Max-Age=1; HttpOnly; Secure; SameSite=Lax"},
		{"at least a second", m.Cookie("s3cr3t", time.Millisecond), "__Host-rampart=s3cr3t; Path=/; Max-Age=1; HttpOnly; Secure; SameSite=Lax"},
		{"browser session", m.Cookie("s3cr3t", 0), "__Host-rampart=s3cr3t; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"clear", m.ClearCookie(), "__Host-rampart=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.String(); got != tt.want {
				t.Errorf("cookie = %q, want %q", got, tt.want)
			}
			if tt.c.Domain != "" {
				t.Errorf("cookie Domain = %q, want none (__Host-)", tt.c.Domain)
			}
		})
	}
}

func TestFromRequest(t *testing.T) {
	m := newManager(t, Config{}, newStore(t), newClock())
	secret, _ := mustCreate(t, m, "alice")
	r := httptest.NewRequest("GET", "/", nil)
	if _, ok := m.FromRequest(r); ok {
		t.Errorf("FromRequest(no cookie) ok, want not")
	}
	r.AddCookie(&http.Cookie{Name: "other", Value: "x"})
	r.AddCookie(m.Cookie(secret, time.Hour))
	got, ok := m.FromRequest(r)
	if !ok || got != secret {
		t.Fatalf("FromRequest() = %q, %v, want the secret", got, ok)
	}
	wantValid(t, m, got)
}

func BenchmarkValidateWarm(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	secret, _ := mustCreate(b, m, "alice")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateWarmParallel(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	secrets := make([]string, 64)
	for i := range secrets {
		secrets[i], _ = mustCreate(b, m, "alice")
	}
	ctx := context.Background()
	var next atomic.Uint32
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(1)
		for pb.Next() {
			if _, err := m.Validate(ctx, secrets[i%uint32(len(secrets))]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkValidateCold reads the SQLite store on every call (cache off).
func BenchmarkValidateCold(b *testing.B) {
	m := newManager(b, Config{CacheTTL: -1}, newStore(b), newClock())
	secret, _ := mustCreate(b, m, "alice")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateMalformed(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	ctx := context.Background()
	junk := strings.Repeat("!", SecretLen)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, junk); err == nil {
			b.Fatal("accepted junk")
		}
	}
}

func TestCacheRefusesReadBeforeRevoke(t *testing.T) {
	c := newCache(100, time.Minute)
	var key [32]byte
	s := store.Session{ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0}
	_, res, gen := c.get(key, t0, time.Minute) // a request misses and reads the store…
	if res != miss {
		t.Fatalf("get() = %v, want miss", res)
	}
	c.revoke(key) // …while the session is revoked
	c.admit(key, &s, t0, time.Minute, gen)
	if n := c.len(); n != 0 {
		t.Errorf("admit() after a revocation cached the session read before it (len %d)", n)
	}
	_, _, gen = c.get(key, t0, time.Minute)
	c.admit(key, &s, t0, time.Minute, gen)
	if _, res, _ := c.get(key, t0, time.Minute); res != hit {
		t.Errorf("get() after admit() = %v, want hit", res)
	}
}
