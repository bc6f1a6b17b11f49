package portal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"rampart/internal/store"
)

// lockoutKey is the account key the lockout guard counts the failures of
// the account named name under: the folded name and the time of the
// account's last unlock (store.User.LockoutClearedAt; zero for accounts
// never unlocked and for names no account has). Unlock moves that time, so
// the account gets a new key with no failures and no lock on every node at
// once, and the old key's count and lock expire by themselves.
//
// Unknown names are counted like known ones, under a key of their own, so
// the guard's answers do not tell which accounts exist. An empty name has
// no key: the guard then counts the client address only.
//
// Every call of Guard.Check, Failure and Success for an account takes its
// key from here.
func lockoutKey(name string, clearedAt time.Time) string {
	if name == "" {
		return ""
	}
	var n int64
	if !clearedAt.IsZero() {
		n = clearedAt.UnixNano()
	}
	return store.FoldName(name) + "\x00" + strconv.FormatInt(n, 10)
}

// Unlock lifts the sign-in lockout of the account named name, on every
// node: it sets the user's LockoutClearedAt to now (or just after the
// previous value, should the clock be behind it), which gives the account a
// new lockout key (see lockoutKey) whatever counter the nodes use, memory or
// Redis. The client addresses' counts and locks are left alone. It retries
// when another write to the user comes first, and returns the updated user,
// or an error wrapping store.ErrNotFound when there is no such user.
//
// rampart user unlock calls it; it needs the store only, not the nodes.
func Unlock(ctx context.Context, users store.Users, name string, now time.Time) (store.User, error) {
	for range 5 {
		u, err := users.UserByName(ctx, name)
		if err != nil {
			return store.User{}, fmt.Errorf("unlock %q: %w", name, err)
		}
		t := now.UTC()
		if !t.After(u.LockoutClearedAt) {
			t = u.LockoutClearedAt.Add(time.Nanosecond)
		}
		u.LockoutClearedAt, u.UpdatedAt = t, now.UTC()
		u, err = users.UpdateUser(ctx, u)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return store.User{}, fmt.Errorf("unlock %q: %w", name, err)
		}
		return u, nil
	}
	return store.User{}, fmt.Errorf("unlock %q: the user changed concurrently too often; try again", name)
}
