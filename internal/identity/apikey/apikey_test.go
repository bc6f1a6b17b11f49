package apikey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
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

func (c *countingStore) APIKey(ctx context.Context, id string) (store.APIKey, error) {
	c.reads.Add(1)
	return c.DB.APIKey(ctx, id)
}

func (c *countingStore) TouchAPIKey(ctx context.Context, id string, t time.Time) error {
	c.touches.Add(1)
	return c.DB.TouchAPIKey(ctx, id, t)
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

func newManager(tb testing.TB, cfg Config, st KeyStore, clk *clock) *Manager {
	tb.Helper()
	m, err := New(cfg, st, clk.Now, testLogger(tb))
	if err != nil {
		tb.Fatalf("New() = %v", err)
	}
	return m
}

func mustCreate(tb testing.TB, m *Manager, userID string, roles ...string) (string, store.APIKey) {
	tb.Helper()
	key, rec, err := m.Create(context.Background(), "ci", userID, roles, time.Time{})
	if err != nil {
		tb.Fatalf("Create(%q) = %v", userID, err)
	}
	return key, rec
}

func wantValid(tb testing.TB, m *Manager, key string) store.APIKey {
	tb.Helper()
	rec, err := m.Validate(context.Background(), key)
	if err != nil {
		tb.Fatalf("Validate(%.16s…) = %v, want a key", key, err)
	}
	return rec
}

func wantInvalid(tb testing.TB, m *Manager, key string) {
	tb.Helper()
	if rec, err := m.Validate(context.Background(), key); !errors.Is(err, ErrInvalid) {
		tb.Fatalf("Validate(%.16s…) = %+v, %v, want ErrInvalid", key, rec, err)
	}
}

func sameKey(a, b store.APIKey) bool {
	return a.ID == b.ID && a.UserID == b.UserID && a.Name == b.Name && a.Hash == b.Hash &&
		slices.Equal(a.Roles, b.Roles) && a.CreatedAt.Equal(b.CreatedAt) && a.ExpiresAt.Equal(b.ExpiresAt) &&
		a.LastUsedAt.Equal(b.LastUsedAt) && a.RevokedAt.Equal(b.RevokedAt)
}

func hashHex(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func TestCreateValidate(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	expires := t0.Add(90 * 24 * time.Hour)
	key, rec, err := m.Create(t.Context(), "deploy bot", "alice", []string{"deploy", "read"}, expires)
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	id, ok := parseKey(key)
	if len(key) != KeyLen || !strings.HasPrefix(key, "rk_") || !ok || id != rec.ID {
		t.Fatalf("Create() key %q: want rk_<12 base32>_<43 base64url> with ID %q", key, rec.ID)
	}
	want := store.APIKey{
		ID: rec.ID, UserID: "alice", Name: "deploy bot", Hash: hashHex(key),
		Roles: []string{"deploy", "read"}, CreatedAt: t0, ExpiresAt: expires,
	}
	if !sameKey(rec, want) {
		t.Errorf("Create() record = %+v, want %+v", rec, want)
	}
	stored, err := st.DB.APIKey(t.Context(), rec.ID)
	if err != nil {
		t.Fatalf("store APIKey(%q) = %v", rec.ID, err)
	}
	if !sameKey(stored, want) {
		t.Errorf("stored record = %+v, want %+v", stored, want)
	}
	if strings.Contains(stored.ID+stored.Hash+stored.Name, key[secretStart:]) {
		t.Errorf("the store holds the key's secret: %+v", stored)
	}

	// Warm: Create cached the record; the first use writes LastUsedAt.
	want.LastUsedAt = t0
	if got := wantValid(t, m, key); !sameKey(got, want) {
		t.Errorf("Validate() = %+v, want %+v", got, want)
	}
	if r, w := st.reads.Load(), st.touches.Load(); r != 0 || w != 1 {
		t.Errorf("first Validate() after Create: %d reads, %d touches, want 0, 1", r, w)
	}

	// The caller's copy of Roles is its own.
	got := wantValid(t, m, key)
	got.Roles[0] = "admin"
	if again := wantValid(t, m, key); again.Roles[0] != "deploy" {
		t.Errorf("changing a returned record's Roles changed the cache: %v", again.Roles)
	}

	// Cold: another node reads it from the store, once.
	other := newManager(t, Config{}, st, clk)
	for range 3 {
		if got := wantValid(t, other, key); !sameKey(got, want) {
			t.Errorf("Validate() on another node = %+v, want %+v", got, want)
		}
	}
	if n := st.reads.Load(); n != 1 {
		t.Errorf("3 × Validate() on another node read the store %d times, want 1", n)
	}
}

func TestCreateErrors(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	ctx := t.Context()
	if _, _, err := m.Create(ctx, "x", "nobody", nil, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Create(unknown user) = %v, want store.ErrNotFound", err)
	}
	if _, _, err := m.Create(ctx, "x", "alice", nil, t0); err == nil {
		t.Errorf("Create(expires now) = nil error, want one")
	}
	if _, _, err := m.Create(ctx, strings.Repeat("n", MaxNameLen+1), "alice", nil, time.Time{}); err == nil {
		t.Errorf("Create(long name) = nil error, want one")
	}
	key, rec, err := m.Create(ctx, "service", "", nil, time.Time{})
	if err != nil {
		t.Fatalf("Create(service key) = %v", err)
	}
	if got := wantValid(t, m, key); got.UserID != "" || got.ID != rec.ID {
		t.Errorf("Validate(service key) = %+v, want no user", got)
	}
}

func TestCreateDifferentKeys(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		key, id := newKey()
		if _, ok := parseKey(key); !ok || seen[key] || seen[id] {
			t.Fatalf("newKey() = %q: malformed or repeated", key)
		}
		seen[key], seen[id] = true, true
	}
}

func TestValidateRefuses(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	key, _ := mustCreate(t, m, "alice")
	other, _ := mustCreate(t, m, "bob")

	set := func(i int, c byte) string {
		b := []byte(key)
		if b[i] == c {
			c = 'b'
		}
		b[i] = c
		return string(b)
	}
	malformed := []struct{ name, in string }{
		{"empty", ""},
		{"prefix only", "rk_"},
		{"short", key[:KeyLen-1]},
		{"long", key + "A"},
		{"padded", key + "="},
		{"other prefix", "sk" + key[2:]},
		{"upper-case prefix", "RK" + key[2:]},
		{"upper-case ID", key[:3] + strings.ToUpper(key[3:15]) + key[15:]},
		{"ID with 1", set(5, '1')},
		{"ID with 8", set(5, '8')},
		{"separator", set(sepAt, '-')},
		{"secret with +", set(20, '+')},
		{"secret with space", set(20, ' ')},
		{"non-canonical last character", key[:KeyLen-1] + "B"},
		{"non-ASCII", key[:KeyLen-2] + "é"},
		{"hash instead of key", hashHex(key)},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			before := st.reads.Load()
			wantInvalid(t, m, tt.in)
			if st.reads.Load() != before {
				t.Errorf("Validate(%q) read the store; malformed keys should be refused before", tt.in)
			}
		})
	}

	unknown := []struct{ name, in string }{
		{"wrong secret", set(30, 'x')},
		{"secret of another key", key[:secretStart] + other[secretStart:]},
		{"ID of another key", other[:secretStart] + key[secretStart:]},
		{"unknown ID", set(5, 'z')},
		{"random", func() string { k, _ := newKey(); return k }()},
	}
	for _, tt := range unknown {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, m, tt.in)
		})
	}

	// A wrong secret for a known ID is refused from the cache, the second
	// time on a node that did not have it.
	cold := newManager(t, Config{}, st, clk)
	before := st.reads.Load()
	for range 5 {
		wantInvalid(t, cold, set(30, 'x'))
	}
	if n := st.reads.Load() - before; n != 1 {
		t.Errorf("5 × Validate(wrong secret) on a cold node: %d store reads, want 1", n)
	}
	wantValid(t, m, key)
	wantValid(t, cold, key)
}

func TestExpiry(t *testing.T) {
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
			m := newManager(t, Config{CacheTTL: tt.ttl}, st, clk)
			key, _, err := m.Create(t.Context(), "short", "alice", nil, t0.Add(time.Hour))
			if err != nil {
				t.Fatalf("Create() = %v", err)
			}
			clk.Add(time.Hour - time.Nanosecond)
			wantValid(t, m, key)
			reads := st.reads.Load()
			clk.Add(time.Nanosecond)
			wantInvalid(t, m, key)
			wantInvalid(t, m, key)
			if tt.ttl > 0 && st.reads.Load() != reads {
				t.Errorf("Validate() after expiry read the store; the cached record suffices")
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	other := newManager(t, Config{}, st, clk)
	key, rec := mustCreate(t, m, "alice")
	keep, _ := mustCreate(t, m, "alice")
	wantValid(t, other, key)

	clk.Add(time.Second)
	if err := m.Revoke(t.Context(), rec.ID); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	wantInvalid(t, m, key)
	wantValid(t, m, keep)
	stored, err := st.DB.APIKey(t.Context(), rec.ID)
	if err != nil || !stored.RevokedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("stored record = %+v, %v, want RevokedAt t0+1s", stored, err)
	}

	// Another node accepts it until its cache entry is CacheTTL old: the
	// documented window.
	clk.Add(DefaultCacheTTL - time.Second - time.Millisecond)
	wantValid(t, other, key)
	clk.Add(time.Millisecond)
	wantInvalid(t, other, key)
	// From then on the revoked record is cached: no store reads.
	reads := st.reads.Load()
	for range 10 {
		wantInvalid(t, other, key)
	}
	if n := st.reads.Load() - reads; n != 0 {
		t.Errorf("10 × Validate(revoked key) read the store %d times, want 0", n)
	}

	if err := m.Revoke(t.Context(), "nonexistent0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Revoke(unknown) = %v, want store.ErrNotFound", err)
	}
	if err := m.Revoke(t.Context(), rec.ID); err != nil {
		t.Errorf("Revoke(revoked) = %v, want nil", err)
	}
}

func TestTouchRateLimited(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	key, rec := mustCreate(t, m, "alice")
	steps := []struct {
		at      time.Duration // since t0
		touches int64         // in all, after Validate at that time
	}{
		{0, 1}, // first use
		{time.Second, 1},
		{10 * time.Second, 1},
		{59 * time.Second, 1},
		{60 * time.Second, 2},
		{90 * time.Second, 2},
		{121 * time.Second, 3},
	}
	for _, step := range steps {
		clk.Add(t0.Add(step.at).Sub(clk.Now()))
		wantValid(t, m, key)
		if got := st.touches.Load(); got != step.touches {
			t.Errorf("after Validate() at t0+%v: %d touches, want %d", step.at, got, step.touches)
		}
	}
	stored, err := st.DB.APIKey(t.Context(), rec.ID)
	if err != nil {
		t.Fatalf("store APIKey() = %v", err)
	}
	if want := t0.Add(121 * time.Second); !stored.LastUsedAt.Equal(want) {
		t.Errorf("stored LastUsedAt = %v, want %v", stored.LastUsedAt, want)
	}

	st.touches.Store(0)
	for range 180 {
		clk.Add(time.Second)
		wantValid(t, m, key)
	}
	if got := st.touches.Load(); got != 3 {
		t.Errorf("a request a second for 3 minutes: %d touches, want 3", got)
	}

	// A wrong secret touches nothing.
	st.touches.Store(0)
	clk.Add(5 * time.Minute)
	wrong := key[:secretStart] + strings.Repeat("A", secretLen)
	wantInvalid(t, m, wrong)
	wantInvalid(t, newManager(t, Config{}, st, clk), wrong)
	if got := st.touches.Load(); got != 0 {
		t.Errorf("Validate(wrong secret): %d touches, want 0", got)
	}
}

func TestTouchConcurrentOnce(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	key, _ := mustCreate(t, m, "alice")
	clk.Add(2 * time.Minute) // cached entry stale, never used
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { wantValid(t, m, key) })
	}
	wg.Wait()
	if got := st.touches.Load(); got != 1 {
		t.Errorf("16 concurrent Validate() of one key: %d touches, want 1", got)
	}
}

func TestTouchFindsDeletion(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{CacheTTL: time.Hour}, st, clk)
	key, _ := mustCreate(t, m, "bob")
	wantValid(t, m, key)
	if err := st.DeleteUser(t.Context(), "bob"); err != nil { // takes bob's keys with it
		t.Fatalf("DeleteUser() = %v", err)
	}
	clk.Add(30 * time.Second)
	wantValid(t, m, key) // cached, not due for a touch
	clk.Add(31 * time.Second)
	wantInvalid(t, m, key) // the touch finds the key gone
	wantInvalid(t, m, key)
}

func TestMalformedStoredHash(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	for _, tt := range []struct{ name, hash string }{
		{"not hex", strings.Repeat("z", 64)},
		{"short", "abcd"},
		{"long", strings.Repeat("a", 66)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, id := newKey()
			if err := st.CreateAPIKey(t.Context(), store.APIKey{ID: id, Hash: tt.hash, CreatedAt: t0}); err != nil {
				t.Fatalf("CreateAPIKey() = %v", err)
			}
			wantInvalid(t, m, key)
			wantInvalid(t, m, key)
		})
	}
}

func TestList(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	var ids []string
	for _, user := range []string{"alice", "bob", "alice", ""} {
		_, rec := mustCreate(t, m, user)
		ids = append(ids, rec.ID)
		clk.Add(time.Second)
	}
	got, err := m.List(t.Context(), "alice")
	if err != nil {
		t.Fatalf("List(alice) = %v", err)
	}
	if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[0] {
		t.Errorf("List(alice) = %+v, want keys %s, %s (newest first)", got, ids[2], ids[0])
	}
	all, err := m.List(t.Context(), "")
	if err != nil || len(all) != 4 {
		t.Errorf("List(\"\") = %d keys, %v, want 4", len(all), err)
	}
}

func TestCacheBounded(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	const size = 64
	m := newManager(t, Config{CacheSize: size}, st, clk)
	keys := make([]string, 300)
	for i := range keys {
		keys[i], _ = mustCreate(t, m, "alice")
		if n := m.cache.len(); n > size {
			t.Fatalf("after %d keys the cache holds %d, want at most %d", i+1, n, size)
		}
	}
	for _, k := range keys {
		wantValid(t, m, k)
		if n := m.cache.len(); n > size {
			t.Fatalf("the cache holds %d, want at most %d", n, size)
		}
	}
	if n := m.cache.len(); n < size/2 {
		t.Errorf("the cache holds %d after 300 keys, want it used (near %d)", n, size)
	}
	// Unknown IDs never get in.
	m2 := newManager(t, Config{}, st, clk)
	for range 50 {
		k, _ := newKey()
		wantInvalid(t, m2, k)
	}
	if n := m2.cache.len(); n != 0 {
		t.Errorf("after 50 unknown keys the cache holds %d, want 0", n)
	}
}

func TestCacheRefusesReadBeforeRevoke(t *testing.T) {
	c := newCache(100, time.Minute)
	rec := store.APIKey{ID: "abcdefghijkl"}
	_, res, gen := c.get(rec.ID, [32]byte{}, t0, time.Minute) // a request misses and reads the store…
	if res != miss {
		t.Fatalf("get() = %v, want miss", res)
	}
	c.revoke(rec.ID) // …while the key is revoked
	c.admit(cacheEntry{rec: rec}, t0, gen, false, time.Minute)
	if n := c.len(); n != 0 {
		t.Errorf("admit() after a revocation cached the record read before it (len %d)", n)
	}
	_, _, gen = c.get(rec.ID, [32]byte{}, t0, time.Minute)
	c.admit(cacheEntry{rec: rec}, t0, gen, false, time.Minute)
	if n := c.len(); n != 1 {
		t.Errorf("admit() cached %d records, want 1", n)
	}
}

func TestConcurrent(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{CacheSize: 32}, st, clk)
	const n = 40
	keys := make([]string, n)
	ids := make([]string, n)
	for i := range keys {
		var rec store.APIKey
		keys[i], rec = mustCreate(t, m, "alice", "read")
		ids[i] = rec.ID
	}
	var revoked [n]atomic.Bool
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 2))
			for range 300 {
				i := r.IntN(n)
				wasRevoked := revoked[i].Load()
				rec, err := m.Validate(ctx, keys[i])
				if err != nil && !errors.Is(err, ErrInvalid) {
					t.Errorf("Validate() = %v", err)
				}
				if err == nil && wasRevoked {
					t.Errorf("Validate() accepted key %d revoked on this node", i)
				}
				if err == nil {
					rec.Roles[0] = "scribble" // the caller's copy
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < n; i += 3 {
			if err := m.Revoke(ctx, ids[i]); err != nil {
				t.Errorf("Revoke() = %v", err)
			}
			revoked[i].Store(true)
			clk.Add(7 * time.Second)
		}
	})
	wg.Go(func() {
		for range 20 {
			if _, err := m.List(ctx, "alice"); err != nil {
				t.Errorf("List() = %v", err)
			}
			clk.Add(13 * time.Second)
		}
	})
	wg.Wait()
	for i, k := range keys {
		rec, err := m.Validate(ctx, k)
		if revoked[i].Load() != errors.Is(err, ErrInvalid) {
			t.Errorf("key %d: revoked %v, Validate() = %v", i, revoked[i].Load(), err)
		}
		if err == nil && !slices.Equal(rec.Roles, []string{"read"}) {
			t.Errorf("key %d: Roles = %v, want [read]", i, rec.Roles)
		}
	}
}

func TestValidateWarmAllocs(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := newManager(t, Config{}, st, clk)
	bare, _ := mustCreate(t, m, "alice")
	withRoles, _ := mustCreate(t, m, "alice", "read", "write")
	ctx := t.Context()
	for _, tt := range []struct {
		name string
		key  string
		want float64
	}{
		{"no roles", bare, 0},
		{"roles copied", withRoles, 1},
	} {
		wantValid(t, m, tt.key) // first use: touch
		allocs := testing.AllocsPerRun(1000, func() {
			if _, err := m.Validate(ctx, tt.key); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
		})
		if allocs != tt.want {
			t.Errorf("Validate() on a warm cache, %s: %v allocations, want %v", tt.name, allocs, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	if _, err := New(Config{}, nil, nil, nil); err == nil {
		t.Errorf("New(no store) = nil error, want one")
	}
	m, err := New(Config{}, newStore(t), nil, nil)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	want := Config{CacheTTL: DefaultCacheTTL, CacheSize: DefaultCacheSize, TouchInterval: DefaultTouchInterval}
	if m.cfg != want {
		t.Errorf("New(Config{}) config = %+v, want %+v", m.cfg, want)
	}
	key, _ := mustCreate(t, m, "alice") // real clock
	wantValid(t, m, key)
}

func BenchmarkValidateWarm(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	key, _ := mustCreate(b, m, "alice")
	ctx := context.Background()
	wantValid(b, m, key) // first use: touch
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateWarmRoles(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	key, _ := mustCreate(b, m, "alice", "read", "write")
	ctx := context.Background()
	wantValid(b, m, key)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateWarmParallel(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	keys := make([]string, 64)
	for i := range keys {
		keys[i], _ = mustCreate(b, m, "alice")
		wantValid(b, m, keys[i])
	}
	ctx := context.Background()
	var next atomic.Uint32
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(1)
		for pb.Next() {
			if _, err := m.Validate(ctx, keys[i%uint32(len(keys))]); err != nil {
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
	key, _ := mustCreate(b, m, "alice", "read")
	ctx := context.Background()
	wantValid(b, m, key)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateMalformed(b *testing.B) {
	m := newManager(b, Config{}, newStore(b), newClock())
	ctx := context.Background()
	junk := "rk_" + strings.Repeat("!", KeyLen-3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Validate(ctx, junk); err == nil {
			b.Fatal("accepted junk")
		}
	}
}
