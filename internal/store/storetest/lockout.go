package storetest

import (
	"errors"
	"testing"
	"time"

	"rampart/internal/store"
)

// testLockoutClearedAt checks User.LockoutClearedAt: stored with nanosecond
// precision by CreateUser and UpdateUser, read back in UTC by every lookup
// and ListUsers, zero for never, and refused out of range.
func testLockoutClearedAt(t *testing.T, s store.Store) {
	ctx := t.Context()
	never := mustCreateUser(t, s, newUser("never"))
	if !never.LockoutClearedAt.IsZero() {
		t.Errorf("a new user's LockoutClearedAt = %v, want zero", never.LockoutClearedAt)
	}
	cet := time.FixedZone("CET", 3600)
	u := newUser("alice")
	u.LockoutClearedAt = at(time.Minute).In(cet)
	created := mustCreateUser(t, s, u)
	want := u
	want.UpdatedAt, want.Version = u.CreatedAt, 1
	if d := diffRecord(created, want); d != "" {
		t.Errorf("CreateUser with LockoutClearedAt returned: %s", d)
	}

	// An unlock is an update like any other: versioned, and read back by
	// every lookup.
	unlocked := created
	unlocked.LockoutClearedAt = at(time.Hour + time.Nanosecond)
	unlocked.UpdatedAt = at(time.Hour)
	got, err := s.UpdateUser(ctx, unlocked)
	if err != nil {
		t.Fatalf("UpdateUser(LockoutClearedAt) = %v", err)
	}
	want = unlocked
	want.Version = 2
	if d := diffRecord(got, want); d != "" {
		t.Errorf("UpdateUser returned: %s", d)
	}
	byName, err := s.UserByName(ctx, "ALICE")
	if err != nil {
		t.Fatal(err)
	}
	byEmail, err := s.UserByEmail(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListUsers(ctx, store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]store.User{"User": mustUser(t, s, u.ID), "UserByName": byName, "UserByEmail": byEmail} {
		if d := diffRecord(got, want); d != "" {
			t.Errorf("%s after the update: %s", what, d)
		}
	}
	for _, l := range list {
		if l.ID == u.ID && !l.LockoutClearedAt.Equal(want.LockoutClearedAt) {
			t.Errorf("ListUsers: LockoutClearedAt = %v, want %v", l.LockoutClearedAt, want.LockoutClearedAt)
		}
	}
	// A stale version does not undo the unlock.
	if _, err := s.UpdateUser(ctx, created); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateUser(stale version) = %v, want %v", err, store.ErrConflict)
	}
	// Back to zero, and out of range.
	got.LockoutClearedAt = time.Time{}
	if got, err = s.UpdateUser(ctx, got); err != nil || !got.LockoutClearedAt.IsZero() {
		t.Errorf("UpdateUser(zero LockoutClearedAt) = %v, %v, want zero", got.LockoutClearedAt, err)
	}
	got.LockoutClearedAt = tooLate
	if _, err := s.UpdateUser(ctx, got); err == nil || errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateUser(LockoutClearedAt in 2300) = %v, want an error other than %v", err, store.ErrConflict)
	}
}
