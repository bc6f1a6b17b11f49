package waf

import (
	"hash/maphash"
	"strings"
	"sync"
)

// headerCache remembers what the detectors found in header values. Browsers
// send the same User-Agent, Referer and Accept headers on every request, and
// those values are the costliest part of inspecting a typical request (long,
// with parentheses, slashes and semicolons that every detector must look
// at). The detectors are pure functions of a value, its kind and its name,
// so their result for a header value seen before can be reused.
//
// The cache is bounded: shards of at most cacheShardMax entries, each shard
// emptied when full (an attacker who sends distinct values only causes
// misses), and values longer than cacheValueMax are never cached. Exclusions
// and custom rules are applied after it, on every request.
type headerCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

const (
	cacheShards   = 16
	cacheShardMax = 256
	cacheValueMax = 512
	// cacheValueMin: shorter values are cheap to inspect, cheaper than a
	// lookup when they are plain words.
	cacheValueMin = 24
)

type cacheShard struct {
	mu sync.Mutex
	m  map[cacheKey]*cached
}

// cacheKey names a header value: the header name matters to some detectors
// (SSRF is lenient with Referer, scanners look at User-Agent).
type cacheKey struct{ name, value string }

// cached is what inspecting one header value gave: the decoded variants (for
// custom rules) and the detector matches, each with the variant it was found
// in.
type cached struct {
	variants []string
	matches  []located
}

func newHeaderCache() *headerCache {
	return &headerCache{seed: maphash.MakeSeed()}
}

func (c *headerCache) shard(key cacheKey) *cacheShard {
	return &c.shards[maphash.String(c.seed, key.value)%cacheShards]
}

// get returns the entry for key, or nil.
func (c *headerCache) get(key cacheKey) *cached {
	s := c.shard(key)
	s.mu.Lock()
	e := s.m[key]
	s.mu.Unlock()
	return e
}

// put stores a copy of variants and matches under key. The copies share no
// memory with the request's scratch buffers.
func (c *headerCache) put(key cacheKey, variants []string, matches []located) {
	e := &cached{variants: make([]string, len(variants))}
	for i, v := range variants {
		e.variants[i] = strings.Clone(v)
	}
	if len(matches) > 0 {
		e.matches = make([]located, len(matches))
		for i, m := range matches {
			e.matches[i] = located{m.m, strings.Clone(m.variant)}
		}
	}
	key = cacheKey{strings.Clone(key.name), strings.Clone(key.value)}
	s := c.shard(key)
	s.mu.Lock()
	if s.m == nil || len(s.m) >= cacheShardMax {
		s.m = make(map[cacheKey]*cached, cacheShardMax)
	}
	s.m[key] = e
	s.mu.Unlock()
}
