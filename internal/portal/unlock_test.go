package portal

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/identity/lockout"
	"rampart/internal/store"
)

// secondNode returns an env for another gateway node: a portal over the
// same store with a lockout counter of its own, as nodes with the memory
// counter have.
func (e *env) secondNode() *env {
	e.t.Helper()
	guard, err := lockout.New(lockout.Config{
		MaxFailures: maxFailures, MaxIPFailures: 1000,
		DelayAfter: 2, DelayBase: time.Millisecond, MaxDelay: 2 * time.Millisecond,
	}, lockout.NewMemory(0), e.clk.Now)
	if err != nil {
		e.t.Fatal(err)
	}
	d := e.p.d
	d.Guard = guard
	p, err := New(e.p.cfg, d)
	if err != nil {
		e.t.Fatalf("New(second node) = %v", err)
	}
	n := *e
	n.p = p
	n.srv = httptest.NewTLSServer(p)
	e.t.Cleanup(n.srv.Close)
	return &n
}

// lockAlice fails alice's sign-in on b until the account is locked, and
// checks that the right password is refused then.
func lockAlice(t *testing.T, e *env, b *browser, pw string) {
	t.Helper()
	for range maxFailures {
		wantWrongPassword(t, "wrong password", b.login("alice", "wrong", ""))
	}
	if !hasEvent(e.events(), events.AuthLockout, "alice", "") {
		t.Fatal("no auth.lockout event after the failures")
	}
	wantWrongPassword(t, "right password while locked", b.login("alice", pw, ""))
	if b.sessionSecret() != "" {
		t.Fatal("a locked account got a session")
	}
	if !hasEvent(e.events(), events.AuthFailure, "alice", reasonLocked) {
		t.Fatal("the right password while locked was not refused as locked")
	}
}

// TestUnlock is rampart user unlock end to end, over HTTP: a locked account
// signs in with the right password after Unlock, without waiting for the
// lock to end.
func TestUnlock(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	lockAlice(t, e, b, pw)

	u, err := Unlock(t.Context(), e.db, "ALICE", e.clk.Now())
	if err != nil {
		t.Fatalf("Unlock = %v", err)
	}
	if !u.LockoutClearedAt.Equal(e.clk.Now()) {
		t.Errorf("LockoutClearedAt = %v, want now (%v)", u.LockoutClearedAt, e.clk.Now())
	}
	wantRedirect(t, "right password after the unlock", b.login("alice", pw, ""), "/")
	if b.sessionSecret() == "" {
		t.Fatal("no session after the unlock")
	}

	// The account counts afresh: it locks again after as many failures.
	b2 := e.browser()
	for range maxFailures - 1 {
		wantWrongPassword(t, "wrong password after the unlock", b2.login("alice", "wrong", ""))
	}
	if hasEvent(e.events(), events.AuthLockout, "alice", "") {
		t.Fatal("locked again before max_failures")
	}
	wantWrongPassword(t, "last wrong password", b2.login("alice", "wrong", ""))
	if !hasEvent(e.events(), events.AuthLockout, "alice", "") {
		t.Fatal("not locked again after max_failures")
	}

	// An unlock at the same instant (a clock that did not move) still
	// moves the key.
	u2, err := Unlock(t.Context(), e.db, "alice", e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !u2.LockoutClearedAt.After(u.LockoutClearedAt) {
		t.Errorf("second unlock at the same time: LockoutClearedAt %v, not after %v", u2.LockoutClearedAt, u.LockoutClearedAt)
	}
	wantRedirect(t, "right password after the second unlock", e.browser().login("alice", pw, ""), "/")
}

// TestUnlockEveryNode checks that one unlock, in the store, lifts the lock
// on every node although each counts in its own memory.
func TestUnlockEveryNode(t *testing.T) {
	e := newEnv(t)
	n2 := e.secondNode()
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	lockAlice(t, e, e.browser(), pw)
	lockAlice(t, n2, n2.browser(), pw)

	if _, err := Unlock(t.Context(), e.db, "alice", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, "node 1 after the unlock", e.browser().login("alice", pw, ""), "/")
	wantRedirect(t, "node 2 after the unlock", n2.browser().login("alice", pw, ""), "/")
}

func TestUnlockUnknownUser(t *testing.T) {
	e := newEnv(t)
	_, err := Unlock(t.Context(), e.db, "nobody", e.clk.Now())
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("Unlock(unknown user) = %v, want %v naming the user", err, store.ErrNotFound)
	}
}

// TestUnknownNamesLockToo checks that unknown names are still counted and
// locked under keys of their own, as known ones are (no enumeration by
// lockout), and that an unlock of one account leaves other keys alone.
func TestUnknownNamesLockToo(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	b := e.browser()
	for range maxFailures {
		wantWrongPassword(t, "unknown user", b.login("mallory", "guess", ""))
	}
	if !hasEvent(e.events(), events.AuthLockout, "mallory", "") {
		t.Fatal("an unknown name was not locked after max_failures")
	}
	wantWrongPassword(t, "unknown user while locked", b.login("Mallory", "guess", ""))
	if !hasEvent(e.events(), events.AuthFailure, "Mallory", reasonLocked) {
		t.Fatal("an unknown name in another case was not refused as locked")
	}
	if _, err := Unlock(t.Context(), e.db, "alice", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	wantWrongPassword(t, "unknown user after unlocking another", b.login("mallory", "guess", ""))
	if !hasEvent(e.events(), events.AuthFailure, "mallory", reasonLocked) {
		t.Fatal("unlocking alice lifted mallory's lock")
	}
}

func TestLockoutKey(t *testing.T) {
	at := time.Date(2030, 1, 2, 12, 0, 0, 5, time.UTC)
	tests := []struct {
		name, user string
		cleared    time.Time
		want       string
	}{
		{"never unlocked", "Alice", time.Time{}, store.FoldName("alice") + "\x000"},
		{"unlocked", "ALICE", at, store.FoldName("alice") + "\x00" + "1893585600000000005"},
		{"empty name", "", at, ""},
		{"any bytes", "a\x00b\xff", time.Time{}, store.FoldName("a\x00b\xff") + "\x000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lockoutKey(tt.user, tt.cleared); got != tt.want {
				t.Errorf("lockoutKey(%q, %v) = %q, want %q", tt.user, tt.cleared, got, tt.want)
			}
		})
	}
	if lockoutKey("alice", at) == lockoutKey("alice", at.Add(time.Nanosecond)) {
		t.Error("an unlock a nanosecond later gives the same key")
	}
}
