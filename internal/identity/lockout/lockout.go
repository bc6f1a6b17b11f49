package lockout

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Config sets the limits. Zero fields take the defaults.
type Config struct {
	// MaxFailures per account in Window lock it (default 10).
	MaxFailures int
	// MaxIPFailures per client address in Window lock the address out of
	// every account (default 50: an office behind one NAT mistypes too).
	MaxIPFailures int
	// Window is the sliding window failures are counted in (default 15m).
	Window time.Duration
	// LockFor is how long a lock lasts (default 15m).
	LockFor time.Duration
	// DelayAfter failures (account or address, whichever has more), each
	// further failure doubles a delay that starts at DelayBase (defaults 3
	// and 250ms), up to MaxDelay (default 4s).
	DelayAfter int
	DelayBase  time.Duration
	MaxDelay   time.Duration
}

// Defaults.
const (
	DefaultMaxFailures   = 10
	DefaultMaxIPFailures = 50
	DefaultWindow        = 15 * time.Minute
	DefaultLockFor       = 15 * time.Minute
	DefaultDelayAfter    = 3
	DefaultDelayBase     = 250 * time.Millisecond
	DefaultMaxDelay      = 4 * time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxFailures <= 0 {
		c.MaxFailures = DefaultMaxFailures
	}
	if c.MaxIPFailures <= 0 {
		c.MaxIPFailures = DefaultMaxIPFailures
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.LockFor <= 0 {
		c.LockFor = DefaultLockFor
	}
	if c.DelayAfter <= 0 {
		c.DelayAfter = DefaultDelayAfter
	}
	if c.DelayBase <= 0 {
		c.DelayBase = DefaultDelayBase
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	return c
}

// Counter stores failure counts and locks. Implementations are safe for
// concurrent use; keys are opaque strings the Guard builds.
type Counter interface {
	// Add counts one failure for key at now and returns the sliding-window
	// count including it.
	Add(ctx context.Context, key string, now time.Time, window time.Duration) (float64, error)
	// Count returns the sliding-window count for key at now.
	Count(ctx context.Context, key string, now time.Time, window time.Duration) (float64, error)
	// Lock locks key from now until the given time. now only bounds how
	// long a store may keep the key (a shared one expires it by itself).
	Lock(ctx context.Context, key string, now, until time.Time) error
	// LockedUntil returns when key's lock ends, or the zero time when key
	// is not locked at now.
	LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error)
	// Clear forgets key's count and lock.
	Clear(ctx context.Context, key string) error
}

// Decision is what the guard says about a sign-in attempt.
type Decision struct {
	// Locked says the account or the address is locked: refuse without
	// checking the password (but answer as for a wrong one).
	Locked bool
	// Until is when the lock ends.
	Until time.Time
	// Delay is how long to wait before answering.
	Delay time.Duration
	// Failures is the larger of the account's and the address's counts.
	Failures int
	// NewLock says this failure is the one that locked the account or
	// the address (for the auth.lockout event).
	NewLock bool
}

// Guard applies Config over a Counter.
type Guard struct {
	cfg Config
	c   Counter
	now func() time.Time
}

// New returns a guard. now may be nil (time.Now).
func New(cfg Config, c Counter, now func() time.Time) (*Guard, error) {
	if c == nil {
		return nil, errors.New("lockout: no counter")
	}
	if now == nil {
		now = time.Now
	}
	return &Guard{cfg: cfg.withDefaults(), c: c, now: now}, nil
}

func accountKey(user string) string { return "u:" + user }
func ipKey(ip string) string        { return "ip:" + ip }

// Check reports whether user (as typed, normalised by the caller) or the
// client address ip is locked, before the password is checked.
func (g *Guard) Check(ctx context.Context, user, ip string) (Decision, error) {
	now := g.now()
	var d Decision
	for _, k := range g.keys(user, ip) {
		until, err := g.c.LockedUntil(ctx, k, now)
		if err != nil {
			return Decision{}, fmt.Errorf("lockout check: %w", err)
		}
		if until.After(d.Until) {
			d.Locked, d.Until = true, until
		}
	}
	if d.Locked {
		d.Delay = g.cfg.MaxDelay
		return d, nil
	}
	n := 0
	for _, k := range g.keys(user, ip) {
		c, err := g.c.Count(ctx, k, now, g.cfg.Window)
		if err != nil {
			return Decision{}, fmt.Errorf("lockout check: %w", err)
		}
		n = max(n, int(c))
	}
	d.Failures = n
	d.Delay = g.delay(n)
	return d, nil
}

// Failure counts a failed sign-in for user and ip and locks whichever went
// over its limit.
func (g *Guard) Failure(ctx context.Context, user, ip string) (Decision, error) {
	now := g.now()
	var d Decision
	limits := []int{g.cfg.MaxFailures, g.cfg.MaxIPFailures}
	for i, k := range []string{accountKey(user), ipKey(ip)} {
		if (i == 0 && user == "") || (i == 1 && ip == "") {
			continue
		}
		c, err := g.c.Add(ctx, k, now, g.cfg.Window)
		if err != nil {
			return Decision{}, fmt.Errorf("lockout count: %w", err)
		}
		n := int(c + 0.5)
		d.Failures = max(d.Failures, n)
		if n >= limits[i] {
			until, err := g.c.LockedUntil(ctx, k, now)
			if err != nil {
				return Decision{}, fmt.Errorf("lockout count: %w", err)
			}
			if until.IsZero() {
				until = now.Add(g.cfg.LockFor)
				if err := g.c.Lock(ctx, k, now, until); err != nil {
					return Decision{}, fmt.Errorf("lockout lock: %w", err)
				}
				d.NewLock = true
			}
			d.Locked = true
			if until.After(d.Until) {
				d.Until = until
			}
		}
	}
	d.Delay = g.delay(d.Failures)
	if d.Locked {
		d.Delay = g.cfg.MaxDelay
	}
	return d, nil
}

// Success forgets the account's failures after a good sign-in. The
// address's count stays: one good account does not vouch for the guesses
// made from the same place.
func (g *Guard) Success(ctx context.Context, user string) error {
	if err := g.c.Clear(ctx, accountKey(user)); err != nil {
		return fmt.Errorf("lockout reset: %w", err)
	}
	return nil
}

// Unlock lifts the lock of the account key user and forgets its failures
// on this guard's counter. (rampart user unlock works through the store
// instead, by giving the account a new key: see the portal's Unlock.)
func (g *Guard) Unlock(ctx context.Context, user string) error {
	return g.Success(ctx, user)
}

// UnlockIP lifts an address's lock and forgets its failures.
func (g *Guard) UnlockIP(ctx context.Context, ip string) error {
	if err := g.c.Clear(ctx, ipKey(ip)); err != nil {
		return fmt.Errorf("lockout reset: %w", err)
	}
	return nil
}

func (g *Guard) keys(user, ip string) []string {
	ks := make([]string, 0, 2)
	if user != "" {
		ks = append(ks, accountKey(user))
	}
	if ip != "" {
		ks = append(ks, ipKey(ip))
	}
	return ks
}

// delay is the progressive delay after n failures.
func (g *Guard) delay(n int) time.Duration {
	if n < g.cfg.DelayAfter {
		return 0
	}
	d := g.cfg.DelayBase
	for i := g.cfg.DelayAfter; i < n && d < g.cfg.MaxDelay; i++ {
		d *= 2
	}
	return min(d, g.cfg.MaxDelay)
}
