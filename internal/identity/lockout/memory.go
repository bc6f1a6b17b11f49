package lockout

import (
	"context"
	"sync"
	"time"
)

// Memory is the single-node Counter. It keeps at most maxKeys keys: when
// full it first drops keys whose windows and locks are over, then evicts a
// random unlocked key to make room, so an attacker spraying addresses can
// neither make the gateway run out of memory nor lift a lock; only when
// every key it looks at is locked does it count a new key as if it were
// new each time.
type Memory struct {
	mu        sync.Mutex
	keys      map[string]*entry
	maxKeys   int
	nextSweep time.Time
}

// DefaultMaxKeys bounds a Memory counter.
const DefaultMaxKeys = 200_000

type entry struct {
	start      time.Time // start of the current fixed window
	cur, prev  int64
	lockedTill time.Time
}

// NewMemory returns an empty counter holding at most maxKeys keys
// (DefaultMaxKeys when maxKeys <= 0).
func NewMemory(maxKeys int) *Memory {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{keys: make(map[string]*entry), maxKeys: maxKeys}
}

var _ Counter = (*Memory)(nil)

// roll moves e's fixed windows forward to the one holding now.
func (e *entry) roll(now time.Time, window time.Duration) {
	if e.start.IsZero() {
		e.start = now.Truncate(window)
		return
	}
	switch elapsed := now.Sub(e.start); {
	case elapsed < window:
	case elapsed < 2*window:
		e.prev, e.cur = e.cur, 0
		e.start = e.start.Add(window)
	default:
		e.prev, e.cur = 0, 0
		e.start = now.Truncate(window)
	}
}

// count is the sliding-window estimate: the current window's failures plus
// the previous window's, weighted by how much of it the sliding window
// still covers.
func (e *entry) count(now time.Time, window time.Duration) float64 {
	return slidingCount(e.start, now, window, e.cur, e.prev)
}

// slidingCount weighs the previous fixed window's failures by how much of
// it the sliding window ending at now still covers. The fraction is clamped,
// so a clock a little behind the one that started the window (another
// node's) does not count more failures than there were.
func slidingCount(start, now time.Time, window time.Duration, cur, prev int64) float64 {
	frac := min(max(float64(now.Sub(start))/float64(window), 0), 1)
	return float64(cur) + float64(prev)*(1-frac)
}

// Add implements Counter.
func (m *Memory) Add(_ context.Context, key string, now time.Time, window time.Duration) (float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.keys[key]
	if e == nil {
		if len(m.keys) >= m.maxKeys {
			m.sweep(now, window)
		}
		if len(m.keys) >= m.maxKeys && !m.evict(now) {
			return 1, nil
		}
		e = &entry{}
		m.keys[key] = e
	}
	e.roll(now, window)
	e.cur++
	return e.count(now, window), nil
}

// Count implements Counter.
func (m *Memory) Count(_ context.Context, key string, now time.Time, window time.Duration) (float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.keys[key]
	if e == nil {
		return 0, nil
	}
	e.roll(now, window)
	return e.count(now, window), nil
}

// Lock implements Counter.
func (m *Memory) Lock(_ context.Context, key string, _, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.keys[key]
	if e == nil {
		e = &entry{}
		m.keys[key] = e
	}
	e.lockedTill = until
	return nil
}

// LockedUntil implements Counter.
func (m *Memory) LockedUntil(_ context.Context, key string, now time.Time) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.keys[key]
	if e == nil || !e.lockedTill.After(now) {
		return time.Time{}, nil
	}
	return e.lockedTill, nil
}

// Clear implements Counter.
func (m *Memory) Clear(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, key)
	return nil
}

// sweep drops keys with nothing left to remember: both windows over and no
// lock. Called with m.mu held when the map is full; it is skipped while a
// sweep found little to drop recently, so a full map of live keys does not
// cost a scan per new key.
func (m *Memory) sweep(now time.Time, window time.Duration) {
	if now.Before(m.nextSweep) {
		return
	}
	m.nextSweep = now.Add(window / 16)
	for k, e := range m.keys {
		if now.Sub(e.start) >= 2*window && !e.lockedTill.After(now) {
			delete(m.keys, k)
		}
	}
}

// evict drops one unlocked key, looking at up to 64 (map order is random).
func (m *Memory) evict(now time.Time) bool {
	n := 0
	for k, e := range m.keys {
		if !e.lockedTill.After(now) {
			delete(m.keys, k)
			return true
		}
		if n++; n == 64 {
			break
		}
	}
	return false
}

// Len returns how many keys m holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
