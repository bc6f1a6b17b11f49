package session

import (
	"crypto/sha256"
	"sync"
	"time"

	"rampart/internal/store"
)

// cacheShards splits the cache so that requests of different sessions
// rarely wait on one lock. Keys are SHA-256 digests of random secrets, so
// their first byte spreads them evenly.
const cacheShards = 16

// cache holds recently validated sessions by the digest of their secret.
// A nil *cache caches nothing.
//
// It is bounded: each shard holds at most shardMax entries. A shard that is
// full drops its entries older than ttl first, then arbitrary ones (Go's
// map iteration order is randomised), so a full cache costs some extra
// store reads, never memory. Only sessions the store has confirmed get in.
type cache struct {
	ttl      time.Duration
	shardMax int
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*cacheEntry
	// gen counts revocations in the shard. A request that read the store
	// before a revocation must not cache what it read after it: admit
	// compares the generation the request saw before reading.
	gen uint64
}

type cacheEntry struct {
	s store.Session
	// fetched is when the store last confirmed s, on this node's clock.
	fetched time.Time
}

// newCache returns a cache of about size entries whose entries live for
// ttl, or nil when ttl is negative or size is not positive.
func newCache(size int, ttl time.Duration) *cache {
	if ttl < 0 || size <= 0 {
		return nil
	}
	c := &cache{ttl: ttl, shardMax: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[[sha256.Size]byte]*cacheEntry)
	}
	return c
}

func (c *cache) shard(key [sha256.Size]byte) *cacheShard {
	return &c.shards[key[0]%cacheShards]
}

// fresh reports whether an entry fetched at fetched may still be used at now.
// A clock that went back makes it stale.
func (c *cache) fresh(fetched, now time.Time) bool {
	age := now.Sub(fetched)
	return age >= 0 && age < c.ttl
}

// lookup is what the cache knows of a session.
type lookup int

const (
	// miss: not cached, cached too long ago, or idle by this node's view
	// (another node may have seen a later request): ask the store.
	miss lookup = iota
	// hit: cached and live.
	hit
	// hitTouch: cached and live, and its LastSeenAt has just been moved to
	// now in the cache: the caller writes it to the store.
	hitTouch
	// ended: past its absolute end; no store can revive it.
	ended
)

// get looks key up at now. An entry that is stale or over is removed. On a
// miss it also returns the shard's generation, for admit.
func (c *cache) get(key [sha256.Size]byte, now time.Time, touchEvery time.Duration) (store.Session, lookup, uint64) {
	if c == nil {
		return store.Session{}, miss, 0
	}
	sh := c.shard(key)
	sh.mu.Lock()
	e, ok := sh.m[key]
	if !ok {
		gen := sh.gen
		sh.mu.Unlock()
		return store.Session{}, miss, gen
	}
	res := hit
	switch {
	case !c.fresh(e.fetched, now):
		res = miss
	case !now.Before(e.s.ExpiresAt):
		res = ended
	case e.s.Expired(now):
		res = miss
	case now.Sub(e.s.LastSeenAt) >= touchEvery:
		e.s.LastSeenAt = now.UTC()
		res = hitTouch
	}
	if res == miss || res == ended {
		delete(sh.m, key)
		gen := sh.gen
		sh.mu.Unlock()
		return store.Session{}, res, gen
	}
	s := e.s
	sh.mu.Unlock()
	return s, res, 0
}

// generation returns the generation of key's shard, for admit.
func (c *cache) generation(key [sha256.Size]byte) uint64 {
	if c == nil {
		return 0
	}
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.gen
}

// admit caches s, just read from the store (or created) at now, and reports
// whether its LastSeenAt is due to be written (it is older than touchEvery).
// If so, s.LastSeenAt becomes now, in the cache and for the caller. When
// another request has cached the same session with a later LastSeenAt in
// the meantime, that one counts, so that concurrent misses of one session
// write it once.
//
// gen is the shard's generation from before the store was read. If a
// revocation has happened in the shard since, s may be revoked already and
// is not cached (the touch, if due, finds out).
func (c *cache) admit(key [sha256.Size]byte, s *store.Session, now time.Time, touchEvery time.Duration, gen uint64) (touch bool) {
	if c == nil {
		if touch = now.Sub(s.LastSeenAt) >= touchEvery; touch {
			s.LastSeenAt = now.UTC()
		}
		return touch
	}
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.m[key]
	if ok && old.s.LastSeenAt.After(s.LastSeenAt) {
		s.LastSeenAt = old.s.LastSeenAt
	}
	if touch = now.Sub(s.LastSeenAt) >= touchEvery; touch {
		s.LastSeenAt = now.UTC()
	}
	if sh.gen != gen {
		return touch
	}
	if ok {
		old.s, old.fetched = *s, now
		return touch
	}
	if len(sh.m) >= c.shardMax {
		c.makeRoom(sh, now)
	}
	sh.m[key] = &cacheEntry{s: *s, fetched: now}
	return touch
}

// makeRoom drops entries of the full shard sh, which the caller has locked,
// until one more fits: stale ones first, then arbitrary ones.
func (c *cache) makeRoom(sh *cacheShard, now time.Time) {
	for k, e := range sh.m {
		if !c.fresh(e.fetched, now) {
			delete(sh.m, k)
		}
	}
	for k := range sh.m {
		if len(sh.m) < c.shardMax {
			break
		}
		delete(sh.m, k)
	}
}

// revoke forgets key, which the store no longer has, and makes sure that
// a request that read it from the store before cannot cache it again.
func (c *cache) revoke(key [sha256.Size]byte) {
	if c == nil {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	delete(sh.m, key)
	sh.gen++
	sh.mu.Unlock()
}

// revokeUser forgets every session of userID but the one under except, as
// revoke does.
func (c *cache) revokeUser(userID string, except [sha256.Size]byte) {
	if c == nil {
		return
	}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if e.s.UserID == userID && k != except {
				delete(sh.m, k)
			}
		}
		sh.gen++
		sh.mu.Unlock()
	}
}

// len returns the number of cached entries.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
