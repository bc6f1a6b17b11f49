// Package lockouttest is the contract every lockout.Counter passes, so that
// the memory and the Redis counters behave the same. Run it from a test of
// each implementation:
//
//	func TestMemoryContract(t *testing.T) {
//		lockouttest.Run(t, func(t *testing.T) lockout.Counter { return lockout.NewMemory(0) })
//	}
//
// Times are made up (a fixed date and offsets from it), never slept for:
// a counter must take time from its arguments only.
package lockouttest

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rampart/internal/identity/lockout"
)

// window is the sliding window of the tests; t0 starts one of its fixed
// windows.
const window = 10 * time.Minute

var t0 = time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)

// Run runs the contract against counters made by newCounter, one per
// subtest. newCounter arranges its own cleanup (t.Cleanup).
func Run(t *testing.T, newCounter func(t *testing.T) lockout.Counter) {
	tests := []struct {
		name string
		f    func(t *testing.T, c lockout.Counter)
	}{
		{"Empty", testEmpty},
		{"AddCounts", testAddCounts},
		{"WindowSlides", testWindowSlides},
		{"Expiry", testExpiry},
		{"LockUnlock", testLockUnlock},
		{"LockOutlivesWindows", testLockOutlivesWindows},
		{"Clear", testClear},
		{"KeysAreOpaque", testKeysAreOpaque},
		{"Concurrency", testConcurrency},
		{"Guard", testGuard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f(t, newCounter(t))
		})
	}
}

// near reports whether a and b are equal up to rounding.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func add(t *testing.T, c lockout.Counter, key string, now time.Time) float64 {
	t.Helper()
	n, err := c.Add(t.Context(), key, now, window)
	if err != nil {
		t.Fatalf("Add(%q, %v) = %v", key, now, err)
	}
	return n
}

func wantCount(t *testing.T, c lockout.Counter, key string, now time.Time, want float64) {
	t.Helper()
	n, err := c.Count(t.Context(), key, now, window)
	if err != nil {
		t.Fatalf("Count(%q, %v) = %v", key, now, err)
	}
	if !near(n, want) {
		t.Errorf("Count(%q, t0+%v) = %v, want %v", key, now.Sub(t0), n, want)
	}
}

func wantLocked(t *testing.T, c lockout.Counter, key string, now, want time.Time) {
	t.Helper()
	until, err := c.LockedUntil(t.Context(), key, now)
	if err != nil {
		t.Fatalf("LockedUntil(%q, %v) = %v", key, now, err)
	}
	if !until.Equal(want) {
		t.Errorf("LockedUntil(%q, t0+%v) = %v, want %v", key, now.Sub(t0), until, want)
	}
}

func testEmpty(t *testing.T, c lockout.Counter) {
	wantCount(t, c, "u:nobody", t0, 0)
	wantLocked(t, c, "u:nobody", t0, time.Time{})
}

func testAddCounts(t *testing.T, c lockout.Counter) {
	for i := 1; i <= 5; i++ {
		if n := add(t, c, "u:alice", t0.Add(time.Duration(i)*time.Second)); !near(n, float64(i)) {
			t.Errorf("Add #%d = %v, want %d", i, n, i)
		}
	}
	wantCount(t, c, "u:alice", t0.Add(time.Minute), 5)
	wantCount(t, c, "u:bob", t0.Add(time.Minute), 0)
}

// testWindowSlides checks the sliding-window arithmetic: the previous fixed
// window's failures count by how much of it the sliding window covers.
func testWindowSlides(t *testing.T, c lockout.Counter) {
	for range 6 {
		add(t, c, "u:carol", t0.Add(time.Minute))
	}
	wantCount(t, c, "u:carol", t0.Add(window-time.Second), 6)
	// The next fixed window: all of the previous one still overlaps…
	wantCount(t, c, "u:carol", t0.Add(window), 6)
	// …half of it…
	wantCount(t, c, "u:carol", t0.Add(window+window/2), 3)
	// …and a failure now counts in full on top.
	if n := add(t, c, "u:carol", t0.Add(window+window/2)); !near(n, 4) {
		t.Errorf("Add a window and a half later = %v, want 1 + 6/2", n)
	}
	wantCount(t, c, "u:carol", t0.Add(window+3*window/4), 1+1.5)
	// Two windows on, only the failure of the second window is left,
	// weighed by its overlap.
	wantCount(t, c, "u:carol", t0.Add(2*window+window/2), 0.5)
}

// testExpiry checks that counts are forgotten once both windows are over.
func testExpiry(t *testing.T, c lockout.Counter) {
	for range 3 {
		add(t, c, "u:dave", t0)
	}
	wantCount(t, c, "u:dave", t0.Add(2*window), 0)
	wantCount(t, c, "u:dave", t0.Add(10*window), 0)
	if n := add(t, c, "u:dave", t0.Add(10*window)); !near(n, 1) {
		t.Errorf("Add long after = %v, want 1 (a fresh count)", n)
	}
}

func testLockUnlock(t *testing.T, c lockout.Counter) {
	ctx := t.Context()
	until := t0.Add(15*time.Minute + 123456789) // sub-second precision survives
	if err := c.Lock(ctx, "u:erin", t0, until); err != nil {
		t.Fatalf("Lock = %v", err)
	}
	wantLocked(t, c, "u:erin", t0, until)
	wantLocked(t, c, "u:erin", until.Add(-time.Nanosecond), until)
	wantLocked(t, c, "u:erin", until, time.Time{}) // the lock ends at until
	wantLocked(t, c, "u:frank", t0, time.Time{})
	// A lock does not count as a failure.
	wantCount(t, c, "u:erin", t0, 0)
	// A new lock replaces the old one.
	later := t0.Add(time.Hour)
	if err := c.Lock(ctx, "u:erin", t0.Add(time.Minute), later); err != nil {
		t.Fatalf("Lock again = %v", err)
	}
	wantLocked(t, c, "u:erin", t0.Add(30*time.Minute), later)
}

// testLockOutlivesWindows checks that a lock longer than two windows is
// kept after the counts it came with are over.
func testLockOutlivesWindows(t *testing.T, c lockout.Counter) {
	for range 3 {
		add(t, c, "ip:192.0.2.1", t0)
	}
	until := t0.Add(5 * window)
	if err := c.Lock(t.Context(), "ip:192.0.2.1", t0, until); err != nil {
		t.Fatalf("Lock = %v", err)
	}
	// A failure after the lock must not shorten it.
	add(t, c, "ip:192.0.2.1", t0.Add(time.Minute))
	wantCount(t, c, "ip:192.0.2.1", t0.Add(3*window), 0)
	wantLocked(t, c, "ip:192.0.2.1", t0.Add(3*window), until)
}

func testClear(t *testing.T, c lockout.Counter) {
	ctx := t.Context()
	for range 4 {
		add(t, c, "u:grace", t0)
	}
	add(t, c, "u:heidi", t0)
	if err := c.Lock(ctx, "u:grace", t0, t0.Add(time.Hour)); err != nil {
		t.Fatalf("Lock = %v", err)
	}
	if err := c.Clear(ctx, "u:grace"); err != nil {
		t.Fatalf("Clear = %v", err)
	}
	wantCount(t, c, "u:grace", t0, 0)
	wantLocked(t, c, "u:grace", t0, time.Time{})
	wantCount(t, c, "u:heidi", t0, 1) // other keys keep theirs
	if err := c.Clear(ctx, "u:never-seen"); err != nil {
		t.Errorf("Clear(unknown key) = %v, want nil", err)
	}
	if n := add(t, c, "u:grace", t0); !near(n, 1) {
		t.Errorf("Add after Clear = %v, want 1", n)
	}
}

// testKeysAreOpaque checks that keys are any bytes and never mix: a user
// name may hold anything a client typed.
func testKeysAreOpaque(t *testing.T, c lockout.Counter) {
	keys := []string{
		"u:", "u:a", "u:A", "u:a\x00", "u:a\x000", "u:a\x001", "u:\xff\xfe", "u:*", "u:{x}", "u:a b",
		"u:ünïcödé", "u:" + strings.Repeat("x", 4096), "ip:::1", "ip:192.0.2.1", "rampart:lockout:u:a",
	}
	for i, k := range keys {
		for range i + 1 {
			add(t, c, k, t0)
		}
	}
	for i, k := range keys {
		wantCount(t, c, k, t0, float64(i+1))
	}
}

// testConcurrency checks that concurrent Adds are atomic: every one is
// counted, and each sees a different count.
func testConcurrency(t *testing.T, c lockout.Counter) {
	const goroutines, each = 8, 25
	var (
		mu   sync.Mutex
		seen []int
		wg   sync.WaitGroup
	)
	for range goroutines {
		wg.Go(func() {
			for range each {
				n, err := c.Add(context.Background(), "u:ivan", t0, window)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen = append(seen, int(math.Round(n)))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	wantCount(t, c, "u:ivan", t0, goroutines*each)
	slices.Sort(seen)
	for i, n := range seen {
		if n != i+1 {
			t.Fatalf("concurrent Adds returned %v…, want each of 1 to %d once", seen[:min(i+2, len(seen))], goroutines*each)
		}
	}
}

// testGuard runs a Guard over the counter: a lock after MaxFailures, seen
// from another address, lifted by Unlock.
func testGuard(t *testing.T, c lockout.Counter) {
	ctx := t.Context()
	now := t0
	g, err := lockout.New(lockout.Config{MaxFailures: 3, Window: window}, c, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		d, err := g.Failure(ctx, "judy", "192.0.2.7")
		if err != nil {
			t.Fatalf("Failure #%d = %v", i, err)
		}
		if d.Locked != (i == 3) || d.NewLock != (i == 3) || d.Failures != i {
			t.Fatalf("Failure #%d = %+v", i, d)
		}
	}
	d, err := g.Check(ctx, "judy", "198.51.100.1")
	if err != nil || !d.Locked || !d.Until.Equal(t0.Add(lockout.DefaultLockFor)) {
		t.Fatalf("Check after the lock = %+v, %v; want locked until t0+%v", d, err, lockout.DefaultLockFor)
	}
	if err := g.Unlock(ctx, "judy"); err != nil {
		t.Fatal(err)
	}
	if d, err := g.Check(ctx, "judy", ""); err != nil || d.Locked || d.Failures != 0 {
		t.Fatalf("Check after Unlock = %+v, %v", d, err)
	}
	if d, err := g.Check(ctx, "", "192.0.2.7"); err != nil || d.Failures != 3 {
		t.Fatalf("the address's count after Unlock = %+v, %v; want 3", d, err)
	}
}
