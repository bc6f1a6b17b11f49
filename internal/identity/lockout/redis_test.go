package lockout_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"rampart/internal/identity/lockout"
	"rampart/internal/identity/lockout/lockouttest"
)

// testRedis returns a client of the Redis named by RAMPART_TEST_REDIS and
// a key prefix of the test's own, whose keys are deleted when it ends. It
// skips the test when the variable is unset.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	u := os.Getenv("RAMPART_TEST_REDIS")
	if u == "" {
		t.Skip("set RAMPART_TEST_REDIS to a Redis URL (e.g. redis://127.0.0.1:6379/0)")
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("RAMPART_TEST_REDIS: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("RAMPART_TEST_REDIS is set but Redis does not answer: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")
	prefix := "rampart-test:" + name + ":" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		// t.Context is over by now.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("scan test keys: %v", err)
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("delete test keys: %v", err)
			}
		}
	})
	return c, prefix
}

func newRedisCounter(t *testing.T) lockout.Counter {
	c, prefix := testRedis(t)
	r, err := lockout.NewRedis(c, lockout.RedisConfig{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRedisContract(t *testing.T) {
	lockouttest.Run(t, newRedisCounter)
}

// TestRedisKeys checks what lands in Redis: one key per guard key, under
// the prefix, naming no user, and always with a TTL that covers both the
// windows and the lock.
func TestRedisKeys(t *testing.T) {
	ctx := t.Context()
	c, prefix := testRedis(t)
	r, err := lockout.NewRedis(c, lockout.RedisConfig{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	const window = 10 * time.Minute
	now := time.Date(2030, 1, 2, 12, 1, 0, 0, time.UTC)
	user := "u:alice\x00\r\n*{evil}"
	if _, err := r.Add(ctx, user, now, window); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != r.Key(user) {
		t.Fatalf("keys after one Add = %q, want [%q]", keys, r.Key(user))
	}
	k := keys[0]
	if !strings.HasPrefix(k, prefix+"lockout:") || strings.Contains(k, "alice") || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(strings.TrimPrefix(k, prefix+"lockout:")) {
		t.Errorf("key %q: want prefix+\"lockout:\" and a base64url SHA-256", k)
	}
	ttl := c.PTTL(ctx, k).Val()
	// The fixed window started at 12:00, so the counts matter until 12:20.
	if ttl <= 0 || ttl > 19*time.Minute {
		t.Errorf("TTL after Add = %v, want until both windows are over (19m)", ttl)
	}
	if err := r.Lock(ctx, user, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ttl := c.PTTL(ctx, k).Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("TTL after a 1h Lock = %v, want 1h", ttl)
	}
	if _, err := r.Add(ctx, user, now.Add(time.Minute), window); err != nil {
		t.Fatal(err)
	}
	if ttl := c.PTTL(ctx, k).Val(); ttl < 58*time.Minute {
		t.Errorf("TTL after an Add under a lock = %v, want the lock's 59m kept", ttl)
	}
	// A lock that is already over does not keep a fresh key.
	if err := r.Lock(ctx, "u:old", now, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ttl := c.PTTL(ctx, r.Key("u:old")).Val(); ttl > time.Second {
		t.Errorf("TTL of a key locked into the past = %v, want at most a moment", ttl)
	}
	if err := r.Clear(ctx, user); err != nil {
		t.Fatal(err)
	}
	if n := c.Exists(ctx, k).Val(); n != 0 {
		t.Errorf("key exists after Clear")
	}
}

// TestRedisCorruptValue checks that a value the counter did not write is
// an error, not a panic or a silent zero.
func TestRedisCorruptValue(t *testing.T) {
	ctx := t.Context()
	c, prefix := testRedis(t)
	r, err := lockout.NewRedis(c, lockout.RedisConfig{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	c.HSet(ctx, r.Key("u:x"), "s", "soon", "l", "later")
	now := time.Now()
	if _, err := r.Count(ctx, "u:x", now, time.Minute); err == nil {
		t.Error("Count over a corrupt value: no error")
	}
	if _, err := r.LockedUntil(ctx, "u:x", now); err == nil {
		t.Error("LockedUntil over a corrupt value: no error")
	}
	c.Set(ctx, r.Key("u:y"), "a string, not a hash", time.Minute)
	if _, err := r.Add(ctx, "u:y", now, time.Minute); err == nil {
		t.Error("Add over a key of another type: no error")
	}
}

// TestRedisDown checks that a Redis that refuses connections, or accepts
// them and never answers, makes every call fail within the timeout: the
// guard then returns an error and the portal fails closed.
func TestRedisDown(t *testing.T) {
	refusing, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refusing.Addr().String()
	_ = refusing.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	var mu sync.Mutex
	var held []net.Conn
	conns.Go(func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, answer nothing
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = silent.Close()
		conns.Wait()
		mu.Lock()
		for _, c := range held {
			_ = c.Close()
		}
		mu.Unlock()
	})

	for name, addr := range map[string]string{"refused": refusedAddr, "silent": silent.Addr().String()} {
		t.Run(name, func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, MaxRetries: -1})
			t.Cleanup(func() { _ = c.Close() })
			const timeout = 200 * time.Millisecond
			r, err := lockout.NewRedis(c, lockout.RedisConfig{Prefix: "rampart-test:", Timeout: timeout})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			now := time.Now()
			calls := map[string]func() error{
				"Add":         func() error { _, err := r.Add(ctx, "u:a", now, time.Minute); return err },
				"Count":       func() error { _, err := r.Count(ctx, "u:a", now, time.Minute); return err },
				"Lock":        func() error { return r.Lock(ctx, "u:a", now, now.Add(time.Minute)) },
				"LockedUntil": func() error { _, err := r.LockedUntil(ctx, "u:a", now); return err },
				"Clear":       func() error { return r.Clear(ctx, "u:a") },
			}
			for call, f := range calls {
				start := time.Now()
				err := f()
				if err == nil {
					t.Errorf("%s with Redis %s: no error", call, name)
				}
				if d := time.Since(start); d > timeout+2*time.Second {
					t.Errorf("%s with Redis %s took %v, want about the %v timeout", call, name, d, timeout)
				}
			}
			g, err := lockout.New(lockout.Config{}, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := g.Check(ctx, "alice", "192.0.2.1"); err == nil {
				t.Errorf("Guard.Check with Redis %s: no error", name)
			}
			if _, err := g.Failure(ctx, "alice", "192.0.2.1"); err == nil {
				t.Errorf("Guard.Failure with Redis %s: no error", name)
			}
		})
	}
}

func TestNewRedisNeedsClient(t *testing.T) {
	if _, err := lockout.NewRedis(nil, lockout.RedisConfig{}); err == nil {
		t.Error("NewRedis(nil) = nil error")
	}
}
