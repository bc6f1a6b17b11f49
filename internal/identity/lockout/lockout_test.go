package lockout

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newGuard(t *testing.T, cfg Config) (*Guard, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	g, err := New(cfg, NewMemory(0), c.now)
	if err != nil {
		t.Fatal(err)
	}
	return g, c
}

func TestLockAfterMaxFailures(t *testing.T) {
	ctx := context.Background()
	g, c := newGuard(t, Config{MaxFailures: 5})
	for i := 1; i <= 4; i++ {
		d, err := g.Failure(ctx, "alice", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if d.Locked || d.Failures != i {
			t.Fatalf("failure %d: %+v, want unlocked with %d failures", i, d, i)
		}
	}
	d, err := g.Failure(ctx, "alice", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Locked || !d.NewLock || !d.Until.Equal(c.now().Add(DefaultLockFor)) {
		t.Fatalf("5th failure: %+v, want a new lock until now+%v", d, DefaultLockFor)
	}
	// Locked: from any address, and the next failure does not extend it.
	if d, _ := g.Check(ctx, "alice", "198.51.100.7"); !d.Locked {
		t.Fatalf("check from another address: %+v, want locked", d)
	}
	if d, _ := g.Failure(ctx, "alice", "198.51.100.7"); !d.Locked || d.NewLock {
		t.Fatalf("failure while locked: %+v, want locked, not a new lock", d)
	}
	// Other accounts are not locked.
	if d, _ := g.Check(ctx, "bob", "198.51.100.7"); d.Locked {
		t.Fatalf("bob: %+v", d)
	}
	// The lock ends.
	c.add(DefaultLockFor + time.Second)
	if d, _ := g.Check(ctx, "alice", "192.0.2.1"); d.Locked {
		t.Fatalf("after the lock: %+v", d)
	}
}

func TestUnlockAndSuccess(t *testing.T) {
	ctx := context.Background()
	g, _ := newGuard(t, Config{MaxFailures: 3})
	for range 3 {
		if _, err := g.Failure(ctx, "alice", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := g.Check(ctx, "alice", ""); !d.Locked {
		t.Fatal("not locked after 3 failures")
	}
	if err := g.Unlock(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if d, _ := g.Check(ctx, "alice", ""); d.Locked || d.Failures != 0 {
		t.Fatalf("after unlock: %+v", d)
	}
	// Success clears the account's count but not the address's.
	for range 2 {
		_, _ = g.Failure(ctx, "carol", "203.0.113.5")
	}
	if err := g.Success(ctx, "carol"); err != nil {
		t.Fatal(err)
	}
	if d, _ := g.Check(ctx, "carol", ""); d.Failures != 0 {
		t.Fatalf("account count after success: %+v", d)
	}
	if d, _ := g.Check(ctx, "", "203.0.113.5"); d.Failures != 2 {
		t.Fatalf("address count after success: %+v, want 2", d)
	}
}

func TestIPLockCoversEveryAccount(t *testing.T) {
	ctx := context.Background()
	g, _ := newGuard(t, Config{MaxIPFailures: 20})
	var last Decision
	for i := range 20 {
		d, err := g.Failure(ctx, fmt.Sprintf("user%d", i), "192.0.2.9") // credential stuffing: one try per account
		if err != nil {
			t.Fatal(err)
		}
		last = d
	}
	if !last.Locked || !last.NewLock {
		t.Fatalf("20th failure from one address: %+v, want the address locked", last)
	}
	if d, _ := g.Check(ctx, "someone-else", "192.0.2.9"); !d.Locked {
		t.Fatalf("another account from the locked address: %+v", d)
	}
	if d, _ := g.Check(ctx, "someone-else", "192.0.2.10"); d.Locked {
		t.Fatalf("another address: %+v", d)
	}
	if err := g.UnlockIP(ctx, "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	if d, _ := g.Check(ctx, "someone-else", "192.0.2.9"); d.Locked {
		t.Fatalf("after UnlockIP: %+v", d)
	}
}

func TestProgressiveDelay(t *testing.T) {
	g, _ := newGuard(t, Config{})
	want := map[int]time.Duration{0: 0, 2: 0, 3: 250 * time.Millisecond, 4: 500 * time.Millisecond,
		5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second, 9: 4 * time.Second, 100: 4 * time.Second}
	for n, d := range want {
		if got := g.delay(n); got != d {
			t.Errorf("delay(%d) = %v, want %v", n, got, d)
		}
	}
}

func TestSlidingWindow(t *testing.T) {
	ctx := context.Background()
	g, c := newGuard(t, Config{MaxFailures: 10, Window: 10 * time.Minute})
	for range 6 {
		_, _ = g.Failure(ctx, "dave", "")
	}
	// Half a window later about half of them still count, then none.
	c.add(10 * time.Minute)
	d, _ := g.Check(ctx, "dave", "")
	if d.Failures < 1 || d.Failures > 6 {
		t.Fatalf("a window later: %d failures, want some of the 6 still weighed in", d.Failures)
	}
	c.add(20 * time.Minute)
	if d, _ := g.Check(ctx, "dave", ""); d.Failures != 0 {
		t.Fatalf("three windows later: %d failures, want 0", d.Failures)
	}
}

func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(100)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	if err := m.Lock(ctx, "u:victim", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := range 10_000 {
		if _, err := m.Add(ctx, fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256), now, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n > 100 {
		t.Fatalf("memory counter holds %d keys, bound 100", n)
	}
	// Spraying did not lift the lock.
	if until, _ := m.LockedUntil(ctx, "u:victim", now); until.IsZero() {
		t.Fatal("a locked key was evicted")
	}
}

func TestConcurrentFailures(t *testing.T) {
	ctx := context.Background()
	g, _ := newGuard(t, Config{MaxFailures: 1000, MaxIPFailures: 1000})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := g.Failure(ctx, "erin", "192.0.2.44"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if d, _ := g.Check(ctx, "erin", ""); d.Failures != 400 {
		t.Fatalf("400 concurrent failures counted as %d", d.Failures)
	}
}
