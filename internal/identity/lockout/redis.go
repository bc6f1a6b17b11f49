package lockout

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisConfig configures a Redis counter.
type RedisConfig struct {
	// Prefix starts every key the counter writes (rampart's default is
	// "rampart:"); the counter adds "lockout:" and a hash of the guard's key.
	Prefix string
	// Timeout bounds each call, retries included (default
	// DefaultRedisTimeout). A sign-in waits this long at most for Redis.
	Timeout time.Duration
}

// DefaultRedisTimeout bounds a Redis counter's calls when
// RedisConfig.Timeout is not set.
const DefaultRedisTimeout = time.Second

// Redis is the Counter for several gateway nodes: every node reads and
// writes the same counts in Redis, so a lock set by one holds on all.
//
// Each guard key is one Redis hash, named Prefix + "lockout:" + the
// base64url SHA-256 of the key, so that user names (any bytes) never reach
// a Redis key and a key is the same length whatever was typed. Its fields
// are the current fixed window's start (s, Unix milliseconds) and count
// (c), the previous window's count (p) and the lock's end (l, Unix
// nanoseconds). Every change is one Lua script on one key, so it is atomic
// without MULTI and works on Redis Cluster too; every write sets the key to
// expire when both its windows and its lock are over, so nothing lingers.
// Times are the caller's, as in Memory; Redis's own clock is only used to
// expire keys, by a TTL relative to the caller's now.
//
// A Redis that cannot be reached makes every method return an error after
// at most Timeout; Redis never panics and never answers "no failures" in
// place of an error.
type Redis struct {
	c       redis.Cmdable
	prefix  string
	timeout time.Duration
}

var _ Counter = (*Redis)(nil)

// NewRedis returns a counter over the client c (a *redis.Client, or a
// cluster or ring client). The caller keeps c and closes it after the
// counter's last use.
func NewRedis(c redis.Cmdable, cfg RedisConfig) (*Redis, error) {
	if c == nil {
		return nil, errors.New("lockout: no Redis client")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultRedisTimeout
	}
	return &Redis{c: c, prefix: cfg.Prefix, timeout: cfg.Timeout}, nil
}

// Key returns the Redis key that holds key's count and lock.
func (r *Redis) Key(key string) string {
	sum := sha256.Sum256([]byte(key))
	return r.prefix + "lockout:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// addScript rolls the fixed windows forward to the one holding now (as
// entry.roll does), counts one failure and sets the key's TTL.
//
// KEYS[1] the key; ARGV: now, window, the start of now's fixed window (all
// in milliseconds). It returns {start, current count, previous count}.
var addScript = redis.NewScript(`
local now, w, start = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 's', 'c', 'p', 'l')
local s, c, p = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0
if not s or now - s >= 2 * w then
  s, c, p = start, 0, 0
elseif now - s >= w then
  s, c, p = s + w, 0, c
end
c = c + 1
redis.call('HSET', KEYS[1], 's', string.format('%d', s), 'c', string.format('%d', c), 'p', string.format('%d', p))
local ttl = s + 2 * w - now
local l = tonumber(v[4])
if l and l / 1e6 - now > ttl then ttl = l / 1e6 - now end
redis.call('PEXPIRE', KEYS[1], math.max(math.ceil(ttl), 1))
return {s, c, p}
`)

// lockScript sets the lock's end and keeps the key at least until then.
//
// KEYS[1] the key; ARGV: the lock's end (Unix nanoseconds, as text), the
// milliseconds from the caller's now to it.
var lockScript = redis.NewScript(`
redis.call('HSET', KEYS[1], 'l', ARGV[1])
local ttl = tonumber(ARGV[2])
local cur = redis.call('PTTL', KEYS[1])
if cur > ttl then ttl = cur end
redis.call('PEXPIRE', KEYS[1], math.max(ttl, 1))
return 1
`)

// windowMillis returns window in whole milliseconds, refusing less than one.
func windowMillis(window time.Duration) (int64, error) {
	w := window.Milliseconds()
	if w < 1 {
		return 0, fmt.Errorf("window %v is shorter than a millisecond", window)
	}
	return w, nil
}

// Add implements Counter.
func (r *Redis) Add(ctx context.Context, key string, now time.Time, window time.Duration) (float64, error) {
	w, err := windowMillis(window)
	if err != nil {
		return 0, fmt.Errorf("redis lockout add: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	win := time.Duration(w) * time.Millisecond
	start := now.Truncate(win)
	v, err := addScript.Run(ctx, r.c, []string{r.Key(key)}, now.UnixMilli(), w, start.UnixMilli()).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("redis lockout add: %w", err)
	}
	if len(v) != 3 {
		return 0, fmt.Errorf("redis lockout add: script returned %d values, want 3", len(v))
	}
	return slidingCount(time.UnixMilli(v[0]), now, win, v[1], v[2]), nil
}

// Count implements Counter. It only reads: the windows it finds are rolled
// forward in the arithmetic, not in Redis.
func (r *Redis) Count(ctx context.Context, key string, now time.Time, window time.Duration) (float64, error) {
	w, err := windowMillis(window)
	if err != nil {
		return 0, fmt.Errorf("redis lockout count: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, err := r.c.HMGet(ctx, r.Key(key), "s", "c", "p").Result()
	if err != nil {
		return 0, fmt.Errorf("redis lockout count: %w", err)
	}
	f, err := int64Fields(v)
	if err != nil {
		return 0, fmt.Errorf("redis lockout count: %w", err)
	}
	if f[0] == nil {
		return 0, nil
	}
	start, cur, prev := time.UnixMilli(*f[0]), deref(f[1]), deref(f[2])
	win := time.Duration(w) * time.Millisecond
	switch elapsed := now.Sub(start); {
	case elapsed < win:
	case elapsed < 2*win:
		start, cur, prev = start.Add(win), 0, cur
	default:
		return 0, nil
	}
	return slidingCount(start, now, win, cur, prev), nil
}

// Lock implements Counter.
func (r *Redis) Lock(ctx context.Context, key string, now, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ttl := until.Sub(now)
	ms := ttl.Milliseconds()
	if ttl%time.Millisecond != 0 {
		ms++ // round up: the key must outlive the lock
	}
	err := lockScript.Run(ctx, r.c, []string{r.Key(key)}, strconv.FormatInt(until.UnixNano(), 10), ms).Err()
	if err != nil {
		return fmt.Errorf("redis lockout lock: %w", err)
	}
	return nil
}

// LockedUntil implements Counter.
func (r *Redis) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	s, err := r.c.HGet(ctx, r.Key(key), "l").Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("redis lockout locked until: %w", err)
	}
	ns, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("redis lockout locked until: field l of %s is not a time", r.Key(key))
	}
	until := time.Unix(0, ns)
	if !until.After(now) {
		return time.Time{}, nil
	}
	return until, nil
}

// Clear implements Counter.
func (r *Redis) Clear(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.c.Del(ctx, r.Key(key)).Err(); err != nil {
		return fmt.Errorf("redis lockout clear: %w", err)
	}
	return nil
}

// int64Fields parses HMGET's answer: nil for a missing field.
func int64Fields(v []any) ([]*int64, error) {
	out := make([]*int64, len(v))
	for i, x := range v {
		if x == nil {
			continue
		}
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("field %d is a %T, want a string", i, x)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("field %d is not an integer", i)
		}
		out[i] = &n
	}
	return out, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
