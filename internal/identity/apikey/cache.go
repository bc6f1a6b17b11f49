package apikey

import (
	"crypto/sha256"
	"crypto/subtle"
	"hash/maphash"
	"sync"
	"time"

	"rampart/internal/store"
)

// cacheShards splits the cache so that requests with different keys rarely
// wait on one lock.
const cacheShards = 16

// cache holds recently fetched key records by public ID. A nil *cache
// caches nothing.
//
// It is bounded: each shard holds at most shardMax entries. A shard that is
// full drops its entries older than ttl first, then arbitrary ones (Go's
// map iteration order is randomised), so a full cache costs some extra
// store reads, never memory. Only records the store has are cached: IDs
// the store does not know, which anyone can make up, never get in.
type cache struct {
	ttl      time.Duration
	shardMax int
	seed     maphash.Seed
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.Mutex
	m  map[string]*cacheEntry
	// gen counts revocations in the shard. A request that read the store
	// before a revocation must not cache what it read after it: admit
	// compares the generation the request saw before reading.
	gen uint64
}

type cacheEntry struct {
	rec store.APIKey
	// hash is rec.Hash decoded; hashOK is false when rec.Hash is not 64
	// hex digits, and then no key matches.
	hash   [sha256.Size]byte
	hashOK bool
	// fetched is when the store last confirmed rec, on this node's clock.
	fetched time.Time
}

// matches reports, in constant time, whether a key with the SHA-256 sum is
// the key of e.
func (e *cacheEntry) matches(sum [sha256.Size]byte) bool {
	return subtle.ConstantTimeCompare(sum[:], e.hash[:]) == 1 && e.hashOK
}

// newCache returns a cache of about size entries whose entries live for
// ttl, or nil when ttl is negative or size is not positive.
func newCache(size int, ttl time.Duration) *cache {
	if ttl < 0 || size <= 0 {
		return nil
	}
	c := &cache{ttl: ttl, shardMax: max(1, size/cacheShards), seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cacheEntry)
	}
	return c
}

func (c *cache) shard(id string) *cacheShard {
	return &c.shards[maphash.String(c.seed, id)%cacheShards]
}

// fresh reports whether an entry fetched at fetched may still be used at
// now. A clock that went back makes it stale.
func (c *cache) fresh(fetched, now time.Time) bool {
	age := now.Sub(fetched)
	return age >= 0 && age < c.ttl
}

// lookup is what the cache knows of a key.
type lookup int

const (
	// miss: not cached, or cached too long ago: ask the store.
	miss lookup = iota
	// hit: the key matches a live record.
	hit
	// hitTouch: as hit, and the record's LastUsedAt has just been moved to
	// now in the cache: the caller writes it to the store.
	hitTouch
	// refused: the record is known and the key does not match it, or it
	// is revoked or expired.
	refused
)

// get looks the key with public ID id and SHA-256 sum up at now. On a miss
// it also returns the shard's generation, for admit.
func (c *cache) get(id string, sum [sha256.Size]byte, now time.Time, touchEvery time.Duration) (store.APIKey, lookup, uint64) {
	if c == nil {
		return store.APIKey{}, miss, 0
	}
	sh := c.shard(id)
	sh.mu.Lock()
	e, ok := sh.m[id]
	if !ok || !c.fresh(e.fetched, now) {
		if ok {
			delete(sh.m, id)
		}
		gen := sh.gen
		sh.mu.Unlock()
		return store.APIKey{}, miss, gen
	}
	if !e.matches(sum) || !e.rec.Active(now) {
		sh.mu.Unlock()
		return store.APIKey{}, refused, 0
	}
	res := hit
	if due(e.rec.LastUsedAt, now, touchEvery) {
		e.rec.LastUsedAt = now.UTC()
		res = hitTouch
	}
	rec := e.rec
	sh.mu.Unlock()
	return rec, res, 0
}

// due reports whether a LastUsedAt of last is to be written at now.
func due(last, now time.Time, touchEvery time.Duration) bool {
	return last.IsZero() || now.Sub(last) >= touchEvery
}

// admit caches e, just read from the store (or created) at now, unless a
// revocation has happened in its shard since the generation gen was read
// (the record may be revoked already). If used, the presented key matched
// and the record is live: admit reports whether LastUsedAt is due to be
// written, and if so moves it to now, in the cache and in e.rec. When
// another request has cached the same key with a later LastUsedAt in the
// meantime, that one counts, so that concurrent misses write it once.
func (c *cache) admit(e cacheEntry, now time.Time, gen uint64, used bool, touchEvery time.Duration) (rec store.APIKey, touch bool) {
	if c == nil {
		if touch = used && due(e.rec.LastUsedAt, now, touchEvery); touch {
			e.rec.LastUsedAt = now.UTC()
		}
		return e.rec, touch
	}
	sh := c.shard(e.rec.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.m[e.rec.ID]
	if ok && old.rec.LastUsedAt.After(e.rec.LastUsedAt) {
		e.rec.LastUsedAt = old.rec.LastUsedAt
	}
	if touch = used && due(e.rec.LastUsedAt, now, touchEvery); touch {
		e.rec.LastUsedAt = now.UTC()
	}
	if sh.gen != gen {
		return e.rec, touch
	}
	e.fetched = now
	if ok {
		*old = e
		return e.rec, touch
	}
	if len(sh.m) >= c.shardMax {
		c.makeRoom(sh, now)
	}
	sh.m[e.rec.ID] = &e
	return e.rec, touch
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

// generation returns the generation of id's shard, for admit.
func (c *cache) generation(id string) uint64 {
	if c == nil {
		return 0
	}
	sh := c.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.gen
}

// revoke forgets id, whose record changed in the store, and makes sure that
// a request that read the record before cannot cache it again.
func (c *cache) revoke(id string) {
	if c == nil {
		return
	}
	sh := c.shard(id)
	sh.mu.Lock()
	delete(sh.m, id)
	sh.gen++
	sh.mu.Unlock()
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
