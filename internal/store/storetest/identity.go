package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rampart/internal/store"
)

// The identity part of the contract: users, sessions, credentials, API keys
// and tokens. Run lists these tests with the others.

// tooLate is a time no backend has to store (Unix nanoseconds end in 2262).
var tooLate = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)

// diffRecord describes how the struct got differs from want field by field,
// "" when they are the same record. Times must be the same instant and, when
// set, in UTC; a nil and an empty slice are the same.
func diffRecord(got, want any) string {
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	var d []string
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		same := false
		switch g := g.(type) {
		case time.Time:
			w := w.(time.Time)
			same = g.Equal(w) && g.IsZero() == w.IsZero()
			if !g.IsZero() && g.Location() != time.UTC {
				d = append(d, fmt.Sprintf("%s location = %s, want UTC", name, g.Location()))
			}
			if !same {
				d = append(d, fmt.Sprintf("%s = %s, want %s", name, g.Format(time.RFC3339Nano), w.Format(time.RFC3339Nano)))
				continue
			}
		case []byte:
			same = bytes.Equal(g, w.([]byte))
		case []string:
			same = slices.Equal(g, w.([]string))
		default:
			same = reflect.DeepEqual(g, w)
		}
		if !same {
			d = append(d, fmt.Sprintf("%s = %#v, want %#v", name, g, w))
		}
	}
	return strings.Join(d, "; ")
}

// newUser returns a valid user with the ID "u-"+name.
func newUser(name string) store.User {
	// #nosec G101 -- a made-up test hash
	return store.User{
		ID:           "u-" + strings.ToLower(name),
		Username:     name,
		Email:        strings.ToLower(name) + "@example.com",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		Roles:        []string{"user"},
		CreatedAt:    base,
	}
}

func mustCreateUser(t *testing.T, s store.Store, u store.User) store.User {
	t.Helper()
	got, err := s.CreateUser(t.Context(), u)
	if err != nil {
		t.Fatalf("CreateUser(%q) = %v", u.Username, err)
	}
	return got
}

func mustUser(t *testing.T, s store.Store, id string) store.User {
	t.Helper()
	u, err := s.User(t.Context(), id)
	if err != nil {
		t.Fatalf("User(%q) = %v", id, err)
	}
	return u
}

func usernames(us []store.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Username
	}
	return out
}

// race runs fn from n goroutines at once and returns how many reported true.
func race(t *testing.T, n int, fn func(i int) (bool, error)) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		won   atomic.Int32
	)
	for i := range n {
		wg.Go(func() {
			<-start
			ok, err := fn(i)
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(won.Load())
}

func testUserCRUD(t *testing.T, s store.Store) {
	cet := time.FixedZone("CET", 3600)
	// #nosec G101 -- a made-up test hash
	full := store.User{
		ID:                "0195a3c4-full",
		Username:          "Alice",
		Email:             "Alice@Example.com",
		EmailVerified:     true,
		PasswordHash:      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		Roles:             []string{"admin", "user"},
		MFARequired:       true,
		CreatedAt:         base.In(cet),
		UpdatedAt:         at(time.Minute),
		PasswordChangedAt: at(-time.Hour),
		Version:           42, // ignored: a new user has version 1
	}
	minimal := store.User{ID: "min", Username: "bob", Disabled: true, CreatedAt: at(time.Second)}
	tests := []struct {
		name string
		in   store.User
		want store.User
	}{
		{"all fields", full, func() store.User { u := full; u.Version = 1; return u }()},
		{"minimal", minimal, func() store.User { u := minimal; u.UpdatedAt = u.CreatedAt; u.Version = 1; return u }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CreateUser(t.Context(), tt.in)
			if err != nil {
				t.Fatalf("CreateUser(%+v) = %v", tt.in, err)
			}
			if d := diffRecord(got, tt.want); d != "" {
				t.Errorf("CreateUser returned: %s", d)
			}
			if d := diffRecord(mustUser(t, s, tt.in.ID), tt.want); d != "" {
				t.Errorf("User(%q): %s", tt.in.ID, d)
			}
			for _, name := range []string{tt.in.Username, strings.ToUpper(tt.in.Username), strings.ToLower(tt.in.Username)} {
				got, err := s.UserByName(t.Context(), name)
				if err != nil {
					t.Fatalf("UserByName(%q) = %v", name, err)
				}
				if d := diffRecord(got, tt.want); d != "" {
					t.Errorf("UserByName(%q): %s", name, d)
				}
			}
			if tt.in.Email == "" {
				return
			}
			for _, email := range []string{tt.in.Email, strings.ToUpper(tt.in.Email), strings.ToLower(tt.in.Email)} {
				got, err := s.UserByEmail(t.Context(), email)
				if err != nil {
					t.Fatalf("UserByEmail(%q) = %v", email, err)
				}
				if d := diffRecord(got, tt.want); d != "" {
					t.Errorf("UserByEmail(%q): %s", email, d)
				}
			}
		})
	}
}

func testUserNotFound(t *testing.T, s store.Store) {
	mustCreateUser(t, s, newUser("alice"))
	mustCreateUser(t, s, store.User{ID: "u-noemail", Username: "noemail", CreatedAt: base})
	ctx := t.Context()
	tests := []struct {
		name string
		call func() (store.User, error)
	}{
		{"ID missing", func() (store.User, error) { return s.User(ctx, "u-bob") }},
		{"ID empty", func() (store.User, error) { return s.User(ctx, "") }},
		{"ID in another case", func() (store.User, error) { return s.User(ctx, "U-ALICE") }},
		{"name missing", func() (store.User, error) { return s.UserByName(ctx, "bob") }},
		{"name prefix", func() (store.User, error) { return s.UserByName(ctx, "alic") }},
		{"name accented", func() (store.User, error) { return s.UserByName(ctx, "alíce") }},
		{"name empty", func() (store.User, error) { return s.UserByName(ctx, "") }},
		{"e-mail missing", func() (store.User, error) { return s.UserByEmail(ctx, "bob@example.com") }},
		// A user without an address must not be found by the empty one.
		{"e-mail empty", func() (store.User, error) { return s.UserByEmail(ctx, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := tt.call()
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("got %+v, %v, want %v", u, err, store.ErrNotFound)
			}
		})
	}
}

func testUserConflict(t *testing.T, s store.Store) {
	mustCreateUser(t, s, newUser("alice"))
	mustCreateUser(t, s, store.User{ID: "u-arger", Username: "Ärger", CreatedAt: base})
	mustCreateUser(t, s, store.User{ID: "u-kim", Username: "kim", CreatedAt: base})
	mustCreateUser(t, s, store.User{ID: "u-sigma", Username: "σοφίας", CreatedAt: base})

	tests := []struct {
		name string
		u    store.User
	}{
		{"same ID", store.User{ID: "u-alice", Username: "other", CreatedAt: base}},
		{"same name", store.User{ID: "u-2", Username: "alice", CreatedAt: base}},
		{"name in upper case", store.User{ID: "u-3", Username: "ALICE", CreatedAt: base}},
		{"name with a non-ASCII letter in another case", store.User{ID: "u-4", Username: "äRGER", CreatedAt: base}},
		{"name with the Kelvin sign", store.User{ID: "u-5", Username: "\u212aim", CreatedAt: base}},
		{"name with final sigma in upper case", store.User{ID: "u-6", Username: "ΣΟΦΊΑΣ", CreatedAt: base}},
		{"same e-mail", store.User{ID: "u-7", Username: "alice2", Email: "alice@example.com", CreatedAt: base}},
		{"e-mail in another case", store.User{ID: "u-8", Username: "alice3", Email: "ALICE@EXAMPLE.COM", CreatedAt: base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.CreateUser(t.Context(), tt.u); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("CreateUser(%+v) = %v, want %v", tt.u, err, store.ErrConflict)
			}
			if tt.u.ID == "u-alice" {
				if got := mustUser(t, s, "u-alice"); got.Username != "alice" || got.Version != 1 {
					t.Errorf("User(%q) after a conflicting CreateUser = %+v, want alice, version 1", "u-alice", got)
				}
				return
			}
			if _, err := s.User(t.Context(), tt.u.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("User(%q) after a conflicting CreateUser = %v, want %v", tt.u.ID, err, store.ErrNotFound)
			}
		})
	}

	// Lookalikes that differ in more than case are different users, and
	// many users may have no e-mail address.
	for _, u := range []store.User{
		{ID: "n-1", Username: "alice2", Email: "alice@example.org", CreatedAt: base},
		{ID: "n-2", Username: "alíce", Email: "alice+x@example.com", CreatedAt: base},
		{ID: "n-3", Username: "arger", CreatedAt: base},
		{ID: "n-4", Username: "nomail1", CreatedAt: base},
		{ID: "n-5", Username: "nomail2", CreatedAt: base},
	} {
		if _, err := s.CreateUser(t.Context(), u); err != nil {
			t.Errorf("CreateUser(%q, %q) = %v, want nil", u.Username, u.Email, err)
		}
	}
}

func testUserInvalid(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		u    store.User
	}{
		{"no ID", store.User{Username: "a", CreatedAt: base}},
		{"no user name", store.User{ID: "u-b", CreatedAt: base}},
		{"no creation time", store.User{ID: "u-c", Username: "c"}},
		{"time out of range", store.User{ID: "u-d", Username: "d", CreatedAt: base, PasswordChangedAt: tooLate}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateUser(t.Context(), tt.u)
			if err == nil || errors.Is(err, store.ErrConflict) {
				t.Fatalf("CreateUser(%+v) = %v, want an error other than %v", tt.u, err, store.ErrConflict)
			}
		})
	}
	if got, err := s.ListUsers(t.Context(), store.UserFilter{}); err != nil || len(got) != 0 {
		t.Errorf("ListUsers() after invalid users = %q, %v, want none", usernames(got), err)
	}
}

func testUpdateUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	orig := mustCreateUser(t, s, newUser("alice"))
	bob := mustCreateUser(t, s, newUser("bob"))

	u := orig
	u.Username = "Alice.B"
	u.Email = "new@example.com"
	u.EmailVerified = true
	u.PasswordHash = "$argon2id$new"
	u.Roles = []string{"admin"}
	u.Disabled = true
	u.MFARequired = true
	u.PasswordChangedAt = at(time.Hour)
	u.UpdatedAt = at(time.Hour)
	u.CreatedAt = at(5 * time.Hour) // ignored
	want := u
	want.CreatedAt = orig.CreatedAt
	want.Version = 2

	got, err := s.UpdateUser(ctx, u)
	if err != nil {
		t.Fatalf("UpdateUser(version 1) = %v", err)
	}
	if d := diffRecord(got, want); d != "" {
		t.Errorf("UpdateUser returned: %s", d)
	}
	if d := diffRecord(mustUser(t, s, u.ID), want); d != "" {
		t.Errorf("User(%q) after UpdateUser: %s", u.ID, d)
	}
	if _, err := s.UserByName(ctx, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UserByName(old name) after a rename = %v, want %v", err, store.ErrNotFound)
	}
	if got, err := s.UserByName(ctx, "alice.b"); err != nil || got.ID != u.ID {
		t.Errorf("UserByName(new name) = %q, %v, want %q", got.ID, err, u.ID)
	}
	if _, err := s.UserByEmail(ctx, "alice@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UserByEmail(old address) = %v, want %v", err, store.ErrNotFound)
	}
	// The old name is free again.
	if _, err := s.CreateUser(ctx, store.User{ID: "u-alice-2", Username: "alice", Email: "alice@example.com", CreatedAt: base}); err != nil {
		t.Errorf("CreateUser(old name and address) = %v", err)
	}

	conflicts := []struct {
		name string
		u    func() store.User
	}{
		{"stale version", func() store.User { x := orig; x.Username = "mallory"; x.UpdatedAt = at(2 * time.Hour); return x }},
		{"future version", func() store.User { x := got; x.Version = 99; x.Roles = nil; return x }},
		{"name taken", func() store.User { x := bob; x.Username = "ALICE.B"; x.UpdatedAt = at(time.Hour); return x }},
		{"e-mail taken", func() store.User { x := bob; x.Email = "NEW@example.com"; x.UpdatedAt = at(time.Hour); return x }},
	}
	for _, tt := range conflicts {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.u()
			before := mustUser(t, s, in.ID)
			if _, err := s.UpdateUser(t.Context(), in); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("UpdateUser(%+v) = %v, want %v", in, err, store.ErrConflict)
			}
			if d := diffRecord(mustUser(t, s, in.ID), before); d != "" {
				t.Errorf("User(%q) changed by a failed UpdateUser: %s", in.ID, d)
			}
		})
	}

	missing := newUser("nobody")
	missing.Version = 1
	missing.UpdatedAt = base
	if _, err := s.UpdateUser(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateUser(missing user) = %v, want %v", err, store.ErrNotFound)
	}

	// The returned user is the one to update next.
	got.Roles = nil
	got.UpdatedAt = at(3 * time.Hour)
	again, err := s.UpdateUser(ctx, got)
	if err != nil || again.Version != 3 || len(again.Roles) != 0 {
		t.Errorf("UpdateUser(returned user) = version %d, roles %q, %v, want version 3, no roles, nil", again.Version, again.Roles, err)
	}
}

func testUpdateUserRace(t *testing.T, s store.Store) {
	u := mustCreateUser(t, s, newUser("alice"))
	const n = 8
	var conflicts atomic.Int32
	won := race(t, n, func(i int) (bool, error) {
		x := u
		x.Roles = []string{fmt.Sprintf("role-%d", i)}
		x.UpdatedAt = at(time.Duration(i+1) * time.Second)
		_, err := s.UpdateUser(t.Context(), x)
		if errors.Is(err, store.ErrConflict) {
			conflicts.Add(1)
			return false, nil
		}
		return err == nil, err
	})
	if won != 1 || conflicts.Load() != n-1 {
		t.Fatalf("%d concurrent UpdateUser of version 1: %d succeeded, %d conflicts, want 1 and %d", n, won, conflicts.Load(), n-1)
	}
	// The winner's write is stored whole: its roles go with its time.
	got := mustUser(t, s, u.ID)
	winner := int(got.UpdatedAt.Sub(base)/time.Second) - 1
	if want := []string{fmt.Sprintf("role-%d", winner)}; got.Version != 2 || !slices.Equal(got.Roles, want) {
		t.Errorf("User(%q) after the race = version %d, roles %q, updated %s; want version 2, roles %q",
			u.ID, got.Version, got.Roles, got.UpdatedAt.Format(time.RFC3339Nano), want)
	}
}

func testListUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	got, err := s.ListUsers(ctx, store.UserFilter{})
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("ListUsers() on an empty store = %#v, %v, want an empty slice", got, err)
	}
	for _, name := range []string{"eve", "bob", "Dave", "Alice", "carol"} {
		mustCreateUser(t, s, newUser(name))
	}
	tests := []struct {
		name string
		f    store.UserFilter
		want []string
	}{
		{"all", store.UserFilter{}, []string{"Alice", "bob", "carol", "Dave", "eve"}},
		{"first page", store.UserFilter{Limit: 2}, []string{"Alice", "bob"}},
		{"second page", store.UserFilter{Limit: 2, After: "bob"}, []string{"carol", "Dave"}},
		{"last page", store.UserFilter{Limit: 2, After: "Dave"}, []string{"eve"}},
		{"after the last", store.UserFilter{Limit: 2, After: "eve"}, []string{}},
		{"after in another case", store.UserFilter{Limit: 2, After: "BOB"}, []string{"carol", "Dave"}},
		{"after a name not stored", store.UserFilter{After: "bz"}, []string{"carol", "Dave", "eve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, tt.f)
			if err != nil {
				t.Fatalf("ListUsers(%+v) = %v", tt.f, err)
			}
			if got == nil || !slices.Equal(usernames(got), tt.want) {
				t.Errorf("ListUsers(%+v) = %#v, want %q", tt.f, usernames(got), tt.want)
			}
		})
	}
	all, err := s.ListUsers(ctx, store.UserFilter{})
	if err != nil || len(all) == 0 {
		t.Fatalf("ListUsers() = %d users, %v", len(all), err)
	}
	if d := diffRecord(all[0], mustUser(t, s, all[0].ID)); d != "" {
		t.Errorf("ListUsers()[0] differs from User(%q): %s", all[0].ID, d)
	}

	for i := range store.MaxUserLimit + 1 {
		mustCreateUser(t, s, store.User{ID: fmt.Sprintf("m-%04d", i), Username: fmt.Sprintf("m%04d", i), CreatedAt: base})
	}
	limits := []struct {
		name  string
		limit int
		want  int
	}{
		{"default", 0, store.DefaultUserLimit},
		{"negative", -1, store.DefaultUserLimit},
		{"at cap", store.MaxUserLimit, store.MaxUserLimit},
		{"above cap", store.MaxUserLimit + 1, store.MaxUserLimit},
	}
	for _, tt := range limits {
		t.Run("limit "+tt.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, store.UserFilter{Limit: tt.limit, After: "e"})
			if err != nil || len(got) != tt.want {
				t.Fatalf("ListUsers(Limit: %d) = %d users, %v, want %d", tt.limit, len(got), err, tt.want)
			}
			if got[0].Username != "eve" || got[1].Username != "m0000" {
				t.Errorf("ListUsers(Limit: %d) starts %q, %q, want eve, m0000", tt.limit, got[0].Username, got[1].Username)
			}
		})
	}
}

func testDeleteUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, name := range []string{"alice", "bob"} {
		u := mustCreateUser(t, s, newUser(name))
		for i := range 2 {
			sess := store.Session{ID: fmt.Sprintf("s-%s-%d", name, i), UserID: u.ID, CreatedAt: base, ExpiresAt: at(time.Hour)}
			if err := s.CreateSession(ctx, sess); err != nil {
				t.Fatalf("CreateSession(%q) = %v", sess.ID, err)
			}
		}
		for _, c := range []store.Credential{
			{ID: "totp-" + name, UserID: u.ID, Kind: store.CredentialTOTP, Secret: []byte("sealed"), CreatedAt: base},
			{ID: "rc-" + name, UserID: u.ID, Kind: store.CredentialRecovery, Secret: []byte("hash-" + name), CreatedAt: base},
		} {
			if err := s.AddCredential(ctx, c); err != nil {
				t.Fatalf("AddCredential(%q) = %v", c.ID, err)
			}
		}
		if err := s.CreateAPIKey(ctx, store.APIKey{ID: "key-" + name, UserID: u.ID, Hash: "h", CreatedAt: base}); err != nil {
			t.Fatalf("CreateAPIKey = %v", err)
		}
		if err := s.CreateToken(ctx, store.Token{Hash: "tok-" + name, UserID: u.ID, Purpose: store.PurposeResetPassword, CreatedAt: base, ExpiresAt: at(time.Hour)}); err != nil {
			t.Fatalf("CreateToken = %v", err)
		}
	}
	if err := s.CreateAPIKey(ctx, store.APIKey{ID: "key-service", Hash: "h", CreatedAt: base}); err != nil {
		t.Fatalf("CreateAPIKey(service key) = %v", err)
	}

	if err := s.DeleteUser(ctx, "u-alice"); err != nil {
		t.Fatalf("DeleteUser(%q) = %v", "u-alice", err)
	}
	if err := s.DeleteUser(ctx, "u-alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteUser(%q) again = %v, want %v", "u-alice", err, store.ErrNotFound)
	}
	if err := s.DeleteUser(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteUser(%q) = %v, want %v", "", err, store.ErrNotFound)
	}

	// Everything of alice's went with her; bob's and the service key stay.
	for _, tt := range []struct {
		name string
		gone bool
		err  func() error
	}{
		{"user", true, func() error { _, err := s.User(ctx, "u-alice"); return err }},
		{"user by name", true, func() error { _, err := s.UserByName(ctx, "alice"); return err }},
		{"session", true, func() error { _, err := s.Session(ctx, "s-alice-0"); return err }},
		{"credential", true, func() error { _, err := s.Credential(ctx, "totp-alice"); return err }},
		{"API key", true, func() error { _, err := s.APIKey(ctx, "key-alice"); return err }},
		{"token", true, func() error {
			_, err := s.ConsumeToken(ctx, "tok-alice", store.PurposeResetPassword, base)
			return err
		}},
		{"other user", false, func() error { _, err := s.User(ctx, "u-bob"); return err }},
		{"other session", false, func() error { _, err := s.Session(ctx, "s-bob-1"); return err }},
		{"other credential", false, func() error { _, err := s.Credential(ctx, "rc-bob"); return err }},
		{"other API key", false, func() error { _, err := s.APIKey(ctx, "key-bob"); return err }},
		{"service key", false, func() error { _, err := s.APIKey(ctx, "key-service"); return err }},
		{"other token", false, func() error {
			_, err := s.ConsumeToken(ctx, "tok-bob", store.PurposeResetPassword, base)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if tt.gone && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after DeleteUser: %v, want %v", err, store.ErrNotFound)
			}
			if !tt.gone && err != nil {
				t.Errorf("after DeleteUser of another user: %v, want nil", err)
			}
		})
	}
	if ss, err := s.ListUserSessions(ctx, "u-alice"); err != nil || len(ss) != 0 {
		t.Errorf("ListUserSessions(deleted user) = %d sessions, %v, want none", len(ss), err)
	}
	if cs, err := s.UserCredentials(ctx, "u-alice", ""); err != nil || len(cs) != 0 {
		t.Errorf("UserCredentials(deleted user) = %d credentials, %v, want none", len(cs), err)
	}
	if ks, err := s.ListAPIKeys(ctx, store.APIKeyFilter{}); err != nil || len(ks) != 2 {
		t.Errorf("ListAPIKeys() after DeleteUser = %d keys, %v, want 2 (bob's and the service key)", len(ks), err)
	}
}

func testSessionCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s, newUser("alice"))
	full := store.Session{
		ID:          strings.Repeat("ab", 32),
		UserID:      u.ID,
		CreatedAt:   base.In(time.FixedZone("X", -5*3600)),
		LastSeenAt:  at(time.Minute),
		ExpiresAt:   at(12 * time.Hour),
		IdleTimeout: 30 * time.Minute,
		ClientIP:    "2001:db8::7",
		UserAgent:   "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" ☃",
		MFA:         true,
	}
	minimal := store.Session{ID: "min", UserID: u.ID, CreatedAt: base, ExpiresAt: at(time.Hour)}
	minimalWant := minimal
	minimalWant.LastSeenAt = minimal.CreatedAt
	for _, tt := range []struct {
		name     string
		in, want store.Session
	}{
		{"all fields", full, full},
		{"minimal", minimal, minimalWant},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.CreateSession(ctx, tt.in); err != nil {
				t.Fatalf("CreateSession(%+v) = %v", tt.in, err)
			}
			got, err := s.Session(ctx, tt.in.ID)
			if err != nil {
				t.Fatalf("Session(%q) = %v", tt.in.ID, err)
			}
			if d := diffRecord(got, tt.want); d != "" {
				t.Errorf("Session(%q): %s", tt.in.ID, d)
			}
		})
	}

	dup := minimal
	dup.ClientIP = "192.0.2.66"
	if err := s.CreateSession(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateSession(same ID) = %v, want %v", err, store.ErrConflict)
	}
	if got, _ := s.Session(ctx, minimal.ID); got.ClientIP != "" {
		t.Errorf("Session(%q).ClientIP after a conflicting CreateSession = %q, want %q", minimal.ID, got.ClientIP, "")
	}
	orphan := store.Session{ID: "orphan", UserID: "u-nobody", CreatedAt: base, ExpiresAt: at(time.Hour)}
	if err := s.CreateSession(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateSession(unknown user) = %v, want %v", err, store.ErrNotFound)
	}
	for _, bad := range []store.Session{
		{UserID: u.ID, CreatedAt: base, ExpiresAt: at(time.Hour)},
		{ID: "no-expiry", UserID: u.ID, CreatedAt: base},
		{ID: "no-creation", UserID: u.ID, ExpiresAt: at(time.Hour)},
		{ID: "negative-idle", UserID: u.ID, CreatedAt: base, ExpiresAt: at(time.Hour), IdleTimeout: -time.Second},
		{ID: "too-late", UserID: u.ID, CreatedAt: base, ExpiresAt: tooLate},
	} {
		err := s.CreateSession(ctx, bad)
		if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateSession(%+v) = %v, want an invalid-session error", bad, err)
		}
	}

	if _, err := s.Session(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session(missing) = %v, want %v", err, store.ErrNotFound)
	}
	if err := s.DeleteSession(ctx, full.ID); err != nil {
		t.Fatalf("DeleteSession = %v", err)
	}
	if _, err := s.Session(ctx, full.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after DeleteSession = %v, want %v", err, store.ErrNotFound)
	}
	if err := s.DeleteSession(ctx, full.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSession again = %v, want %v", err, store.ErrNotFound)
	}
	if _, err := s.Session(ctx, minimal.ID); err != nil {
		t.Errorf("Session(other session) after DeleteSession = %v", err)
	}
}

func testTouchSession(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s, newUser("alice"))
	sess := store.Session{ID: "s", UserID: u.ID, CreatedAt: base, ExpiresAt: at(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		touch time.Time
		want  time.Time
	}{
		{"forward", at(time.Minute + 1), at(time.Minute + 1)},
		{"same", at(time.Minute + 1), at(time.Minute + 1)},
		{"back is ignored", at(time.Second), at(time.Minute + 1)},
		{"forward in another zone", at(2 * time.Minute).In(time.FixedZone("X", 7200)), at(2 * time.Minute)},
	}
	for _, st := range steps {
		if err := s.TouchSession(ctx, sess.ID, st.touch); err != nil {
			t.Fatalf("%s: TouchSession(%s) = %v", st.name, st.touch, err)
		}
		got, err := s.Session(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastSeenAt.Equal(st.want) {
			t.Errorf("%s: LastSeenAt after TouchSession(%s) = %s, want %s", st.name,
				st.touch.Format(time.RFC3339Nano), got.LastSeenAt.Format(time.RFC3339Nano), st.want.Format(time.RFC3339Nano))
		}
		if !got.ExpiresAt.Equal(sess.ExpiresAt) || !got.CreatedAt.Equal(sess.CreatedAt) {
			t.Errorf("%s: TouchSession changed CreatedAt or ExpiresAt: %+v", st.name, got)
		}
	}
	if err := s.TouchSession(ctx, "missing", at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TouchSession(missing) = %v, want %v", err, store.ErrNotFound)
	}
}

func testSignOutEverywhere(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := mustCreateUser(t, s, newUser("alice"))
	bob := mustCreateUser(t, s, newUser("bob"))
	for i, id := range []string{"a1", "a2", "a3"} {
		if err := s.CreateSession(ctx, store.Session{ID: id, UserID: alice.ID, CreatedAt: at(time.Duration(i) * time.Minute), ExpiresAt: at(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, store.Session{ID: "b1", UserID: bob.ID, CreatedAt: base, ExpiresAt: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sessionIDs := func(userID string) []string {
		t.Helper()
		ss, err := s.ListUserSessions(ctx, userID)
		if err != nil {
			t.Fatalf("ListUserSessions(%q) = %v", userID, err)
		}
		out := []string{}
		for _, x := range ss {
			out = append(out, x.ID)
		}
		return out
	}
	if got, want := sessionIDs(alice.ID), []string{"a3", "a2", "a1"}; !slices.Equal(got, want) {
		t.Errorf("ListUserSessions(alice) = %q, want %q (newest first)", got, want)
	}

	n, err := s.DeleteUserSessions(ctx, alice.ID, "a2")
	if err != nil || n != 2 {
		t.Errorf("DeleteUserSessions(alice, except a2) = %d, %v, want 2, nil", n, err)
	}
	if got, want := sessionIDs(alice.ID), []string{"a2"}; !slices.Equal(got, want) {
		t.Errorf("alice's sessions after signing out everywhere else = %q, want %q", got, want)
	}
	if got, want := sessionIDs(bob.ID), []string{"b1"}; !slices.Equal(got, want) {
		t.Errorf("bob's sessions after alice signed out = %q, want %q", got, want)
	}
	// except names another user's session: it does not protect alice's.
	n, err = s.DeleteUserSessions(ctx, alice.ID, "b1")
	if err != nil || n != 1 {
		t.Errorf("DeleteUserSessions(alice, except b1) = %d, %v, want 1, nil", n, err)
	}
	if got := sessionIDs(bob.ID); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("bob's sessions after DeleteUserSessions(alice, except b1) = %q, want [b1]", got)
	}
	n, err = s.DeleteUserSessions(ctx, bob.ID, "")
	if err != nil || n != 1 {
		t.Errorf("DeleteUserSessions(bob, except none) = %d, %v, want 1, nil", n, err)
	}
	if got := sessionIDs(bob.ID); len(got) != 0 {
		t.Errorf("bob's sessions after DeleteUserSessions(bob, \"\") = %q, want none", got)
	}
	if got := sessionIDs("u-nobody"); got == nil || len(got) != 0 {
		t.Errorf("ListUserSessions(unknown user) = %#v, want an empty slice", got)
	}
}

func testSessionExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s, newUser("alice"))
	now := at(10 * time.Hour)
	created := now.Add(-9 * time.Hour)
	tests := []struct {
		id      string
		s       store.Session
		touch   time.Time
		expired bool
	}{
		{"absolute-past", store.Session{ExpiresAt: now.Add(-time.Nanosecond)}, time.Time{}, true},
		{"absolute-now", store.Session{ExpiresAt: now}, time.Time{}, true},
		{"absolute-future", store.Session{ExpiresAt: now.Add(time.Nanosecond)}, time.Time{}, false},
		{"idle-over", store.Session{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-30 * time.Minute), IdleTimeout: 30 * time.Minute}, time.Time{}, true},
		{"idle-almost", store.Session{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-30*time.Minute + time.Nanosecond), IdleTimeout: 30 * time.Minute}, time.Time{}, false},
		{"idle-touched", store.Session{ExpiresAt: now.Add(time.Hour), IdleTimeout: 30 * time.Minute}, now.Add(-time.Minute), false},
		{"idle-touched-but-absolute", store.Session{ExpiresAt: now, IdleTimeout: 30 * time.Minute}, now.Add(-time.Minute), true},
		{"no-idle-limit", store.Session{ExpiresAt: now.Add(time.Hour)}, time.Time{}, false},
	}
	var want []string
	for _, tt := range tests {
		x := tt.s
		x.ID, x.UserID, x.CreatedAt = tt.id, u.ID, created
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatalf("CreateSession(%q) = %v", tt.id, err)
		}
		if !tt.touch.IsZero() {
			if err := s.TouchSession(ctx, tt.id, tt.touch); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Session(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Expired(now) != tt.expired {
			t.Errorf("Session(%q).Expired(now) = %v, want %v", tt.id, got.Expired(now), tt.expired)
		}
		if !tt.expired {
			want = append(want, tt.id)
		}
	}
	slices.Sort(want)

	n, err := s.DeleteExpiredSessions(ctx, now)
	if wantN := int64(len(tests) - len(want)); err != nil || n != wantN {
		t.Errorf("DeleteExpiredSessions(now) = %d, %v, want %d, nil", n, err, wantN)
	}
	ss, err := s.ListUserSessions(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, x := range ss {
		left = append(left, x.ID)
	}
	slices.Sort(left)
	if !slices.Equal(left, want) {
		t.Errorf("sessions left after DeleteExpiredSessions(now) = %q, want %q", left, want)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 0 {
		t.Errorf("DeleteExpiredSessions(now) again = %d, %v, want 0, nil", n, err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now.Add(2*time.Hour)); err != nil || n != int64(len(want)) {
		t.Errorf("DeleteExpiredSessions(after all) = %d, %v, want %d, nil", n, err, len(want))
	}
}

func testCredentials(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := mustCreateUser(t, s, newUser("alice"))
	bob := mustCreateUser(t, s, newUser("bob"))
	totp := store.Credential{
		ID: "c-totp", UserID: alice.ID, Kind: store.CredentialTOTP, Name: "phone",
		Secret: []byte{0, 1, 2, 0xff, 0}, CreatedAt: at(time.Second), LastStep: 58000000,
	}
	passkey := store.Credential{
		ID: "AQIDBAUGBwg", UserID: alice.ID, Kind: store.CredentialWebAuthn, Name: "YubiKey 5",
		Data: []byte(`{"id":"AQIDBAUGBwg","publicKey":"pQECAyYgASFYIA"}`), CreatedAt: at(2 * time.Second),
		LastUsedAt: at(3 * time.Second), Counter: 4294967295,
	}
	code := store.Credential{ID: "c-rc1", UserID: alice.ID, Kind: store.CredentialRecovery, Secret: []byte("hash1"), CreatedAt: at(0)}
	bobs := store.Credential{ID: "c-bob", UserID: bob.ID, Kind: store.CredentialTOTP, Secret: []byte("x"), CreatedAt: base}
	for _, c := range []store.Credential{totp, passkey, code, bobs} {
		if err := s.AddCredential(ctx, c); err != nil {
			t.Fatalf("AddCredential(%q) = %v", c.ID, err)
		}
	}
	for _, want := range []store.Credential{totp, passkey, code} {
		got, err := s.Credential(ctx, want.ID)
		if err != nil {
			t.Fatalf("Credential(%q) = %v", want.ID, err)
		}
		if d := diffRecord(got, want); d != "" {
			t.Errorf("Credential(%q): %s", want.ID, d)
		}
	}
	ids := func(cs []store.Credential) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tt := range []struct {
		user string
		kind store.CredentialKind
		want []string
	}{
		{alice.ID, "", []string{"c-rc1", "c-totp", "AQIDBAUGBwg"}},
		{alice.ID, store.CredentialTOTP, []string{"c-totp"}},
		{alice.ID, store.CredentialWebAuthn, []string{"AQIDBAUGBwg"}},
		{alice.ID, store.CredentialRecovery, []string{"c-rc1"}},
		{bob.ID, "", []string{"c-bob"}},
		{bob.ID, store.CredentialWebAuthn, []string{}},
		{"u-nobody", "", []string{}},
	} {
		got, err := s.UserCredentials(ctx, tt.user, tt.kind)
		if err != nil || got == nil || !slices.Equal(ids(got), tt.want) {
			t.Errorf("UserCredentials(%q, %q) = %#v, %v, want %q (oldest first)", tt.user, tt.kind, ids(got), err, tt.want)
		}
	}

	dup := bobs
	dup.UserID = alice.ID
	if err := s.AddCredential(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("AddCredential(ID taken by another user) = %v, want %v", err, store.ErrConflict)
	}
	orphan := store.Credential{ID: "c-orphan", UserID: "u-nobody", Kind: store.CredentialTOTP, CreatedAt: base}
	if err := s.AddCredential(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AddCredential(unknown user) = %v, want %v", err, store.ErrNotFound)
	}
	for _, bad := range []store.Credential{
		{UserID: alice.ID, Kind: store.CredentialTOTP, CreatedAt: base},
		{ID: "c-nokind", UserID: alice.ID, CreatedAt: base},
		{ID: "c-notime", UserID: alice.ID, Kind: store.CredentialTOTP},
		{ID: "c-nohash", UserID: alice.ID, Kind: store.CredentialRecovery, CreatedAt: base},
	} {
		if err := s.AddCredential(ctx, bad); err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("AddCredential(%+v) = %v, want an invalid-credential error", bad, err)
		}
	}
	if _, err := s.Credential(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Credential(missing) = %v, want %v", err, store.ErrNotFound)
	}

	// Update: new name, data and secret; the counter and the last use only
	// move forward; LastStep is UseTOTPStep's alone.
	upd := passkey
	upd.Name = "YubiKey (blue)"
	upd.Data = []byte(`{"id":"AQIDBAUGBwg","flags":1}`)
	upd.Secret = []byte("new")
	upd.Counter = 7
	upd.LastUsedAt = at(time.Second)
	upd.LastStep = 99
	upd.Kind = store.CredentialTOTP // ignored
	if err := s.UpdateCredential(ctx, upd); err != nil {
		t.Fatalf("UpdateCredential = %v", err)
	}
	want := passkey
	want.Name, want.Data, want.Secret = upd.Name, upd.Data, upd.Secret
	got, _ := s.Credential(ctx, passkey.ID)
	if d := diffRecord(got, want); d != "" {
		t.Errorf("Credential after UpdateCredential with an older counter and last use: %s", d)
	}
	upd.Counter, upd.LastUsedAt = 4294967295, at(time.Hour)
	want.LastUsedAt = at(time.Hour)
	if err := s.UpdateCredential(ctx, upd); err != nil {
		t.Fatalf("UpdateCredential = %v", err)
	}
	got, _ = s.Credential(ctx, passkey.ID)
	if d := diffRecord(got, want); d != "" {
		t.Errorf("Credential after UpdateCredential with a later last use: %s", d)
	}
	first := totp
	first.LastUsedAt = at(time.Minute)
	first.Counter = 3
	if err := s.UpdateCredential(ctx, first); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Credential(ctx, totp.ID); !got.LastUsedAt.Equal(at(time.Minute)) || got.Counter != 3 || got.LastStep != totp.LastStep {
		t.Errorf("Credential after the first use = last used %s, counter %d, step %d; want %s, 3, %d",
			got.LastUsedAt, got.Counter, got.LastStep, at(time.Minute), totp.LastStep)
	}
	unset := first
	unset.LastUsedAt = time.Time{}
	if err := s.UpdateCredential(ctx, unset); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Credential(ctx, totp.ID); !got.LastUsedAt.Equal(at(time.Minute)) {
		t.Errorf("LastUsedAt after UpdateCredential with a zero LastUsedAt = %s, want %s kept", got.LastUsedAt, at(time.Minute))
	}
	stolen := bobs
	stolen.UserID = alice.ID
	stolen.Name = "mine now"
	if err := s.UpdateCredential(ctx, stolen); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateCredential(another user's credential) = %v, want %v", err, store.ErrNotFound)
	}
	if got, _ := s.Credential(ctx, bobs.ID); got.Name != bobs.Name || got.UserID != bob.ID {
		t.Errorf("bob's credential after alice's UpdateCredential = %+v", got)
	}

	if err := s.DeleteCredential(ctx, alice.ID, bobs.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteCredential(alice, bob's credential) = %v, want %v", err, store.ErrNotFound)
	}
	if _, err := s.Credential(ctx, bobs.ID); err != nil {
		t.Errorf("Credential(bob's) after alice tried to delete it = %v", err)
	}
	if err := s.DeleteCredential(ctx, alice.ID, totp.ID); err != nil {
		t.Errorf("DeleteCredential(alice, %q) = %v", totp.ID, err)
	}
	if _, err := s.Credential(ctx, totp.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Credential after DeleteCredential = %v, want %v", err, store.ErrNotFound)
	}
	if err := s.DeleteCredential(ctx, alice.ID, totp.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteCredential again = %v, want %v", err, store.ErrNotFound)
	}
}

func testTOTPReplay(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s, newUser("alice"))
	// The step proved at enrolment is used already.
	const enrolled = 58000000
	for _, c := range []store.Credential{
		{ID: "totp", UserID: u.ID, Kind: store.CredentialTOTP, Secret: []byte("k"), CreatedAt: base, LastStep: enrolled},
		{ID: "totp2", UserID: u.ID, Kind: store.CredentialTOTP, Secret: []byte("k2"), CreatedAt: base},
		{ID: "passkey", UserID: u.ID, Kind: store.CredentialWebAuthn, CreatedAt: base},
	} {
		if err := s.AddCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		step int64
		want bool
	}{
		{enrolled, false},
		{enrolled - 1, false},
		{enrolled + 1, true},
		{enrolled + 1, false}, // replay
		{enrolled + 3, true},
		{enrolled + 2, false}, // older than the last accepted
		{enrolled + 3, false},
		{enrolled + 4, true},
	}
	for _, st := range steps {
		got, err := s.UseTOTPStep(ctx, "totp", st.step)
		if err != nil || got != st.want {
			t.Errorf("UseTOTPStep(%q, %d) = %v, %v, want %v, nil", "totp", st.step, got, err, st.want)
		}
	}
	if c, _ := s.Credential(ctx, "totp"); c.LastStep != enrolled+4 {
		t.Errorf("Credential(%q).LastStep = %d, want %d", "totp", c.LastStep, enrolled+4)
	}
	// Steps are per credential.
	if got, err := s.UseTOTPStep(ctx, "totp2", enrolled+4); err != nil || !got {
		t.Errorf("UseTOTPStep(%q, %d) = %v, %v, want true, nil", "totp2", enrolled+4, got, err)
	}
	for _, id := range []string{"missing", "passkey", ""} {
		if got, err := s.UseTOTPStep(ctx, id, enrolled+10); !errors.Is(err, store.ErrNotFound) || got {
			t.Errorf("UseTOTPStep(%q) = %v, %v, want false, %v", id, got, err, store.ErrNotFound)
		}
	}
}

func testTOTPConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s, newUser("alice"))
	if err := s.AddCredential(ctx, store.Credential{ID: "totp", UserID: u.ID, Kind: store.CredentialTOTP, CreatedAt: base, LastStep: 100}); err != nil {
		t.Fatal(err)
	}
	for step := int64(101); step <= 105; step++ {
		if won := race(t, 8, func(int) (bool, error) { return s.UseTOTPStep(ctx, "totp", step) }); won != 1 {
			t.Errorf("8 concurrent UseTOTPStep(%d): %d accepted, want exactly 1", step, won)
		}
	}
}

func testRecoveryCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := mustCreateUser(t, s, newUser("alice"))
	bob := mustCreateUser(t, s, newUser("bob"))
	for i, h := range []string{"h1", "h2", "h3"} {
		if err := s.AddCredential(ctx, store.Credential{ID: "rc-a" + h, UserID: alice.ID, Kind: store.CredentialRecovery, Secret: []byte(h), CreatedAt: at(time.Duration(i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []store.Credential{
		{ID: "rc-b", UserID: bob.ID, Kind: store.CredentialRecovery, Secret: []byte("hb"), CreatedAt: base},
		// A TOTP secret that happens to equal a hash is no recovery code.
		{ID: "totp-a", UserID: alice.ID, Kind: store.CredentialTOTP, Secret: []byte("ht"), CreatedAt: base},
	} {
		if err := s.AddCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	uses := []struct {
		name, user, hash string
		want             bool
	}{
		{"unused code", alice.ID, "h2", true},
		{"used code", alice.ID, "h2", false},
		{"another user's code", alice.ID, "hb", false},
		{"unknown code", alice.ID, "h4", false},
		{"prefix of a code", alice.ID, "h", false},
		{"empty", alice.ID, "", false},
		{"TOTP secret", alice.ID, "ht", false},
		{"unknown user", "u-nobody", "h1", false},
		{"the other user's own code", bob.ID, "hb", true},
		{"another unused code", alice.ID, "h3", true},
	}
	for _, tt := range uses {
		got, err := s.UseRecoveryCode(ctx, tt.user, tt.hash)
		if err != nil || got != tt.want {
			t.Errorf("%s: UseRecoveryCode(%q, %q) = %v, %v, want %v, nil", tt.name, tt.user, tt.hash, got, err, tt.want)
		}
	}
	left, err := s.UserCredentials(ctx, alice.ID, store.CredentialRecovery)
	if err != nil || len(left) != 1 || string(left[0].Secret) != "h1" {
		t.Errorf("alice's recovery codes left = %+v, %v, want h1 only", left, err)
	}
	if _, err := s.Credential(ctx, "totp-a"); err != nil {
		t.Errorf("Credential(TOTP) after UseRecoveryCode with its secret = %v", err)
	}

	const n = 8
	if won := race(t, n, func(int) (bool, error) { return s.UseRecoveryCode(ctx, alice.ID, "h1") }); won != 1 {
		t.Errorf("%d concurrent UseRecoveryCode of one code: %d accepted, want exactly 1", n, won)
	}
}

func testAPIKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := mustCreateUser(t, s, newUser("alice"))
	userKey := store.APIKey{
		ID: "rk_live_7Gq2", UserID: alice.ID, Name: "CI deploy", Hash: strings.Repeat("0f", 32),
		Roles: []string{"deploy", "read"}, CreatedAt: at(time.Second), ExpiresAt: at(90 * 24 * time.Hour),
	}
	serviceKey := store.APIKey{ID: "rk_svc_1", Name: "monitoring", Hash: "h2", CreatedAt: at(2 * time.Second), LastUsedAt: at(3 * time.Second)}
	oldKey := store.APIKey{ID: "rk_old", UserID: alice.ID, Hash: "h3", CreatedAt: at(0), RevokedAt: at(time.Second)}
	for _, k := range []store.APIKey{userKey, serviceKey, oldKey} {
		if err := s.CreateAPIKey(ctx, k); err != nil {
			t.Fatalf("CreateAPIKey(%q) = %v", k.ID, err)
		}
		got, err := s.APIKey(ctx, k.ID)
		if err != nil {
			t.Fatalf("APIKey(%q) = %v", k.ID, err)
		}
		if d := diffRecord(got, k); d != "" {
			t.Errorf("APIKey(%q): %s", k.ID, d)
		}
	}
	dup := serviceKey
	dup.Hash = "other"
	if err := s.CreateAPIKey(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateAPIKey(same ID) = %v, want %v", err, store.ErrConflict)
	}
	if got, _ := s.APIKey(ctx, serviceKey.ID); got.Hash != serviceKey.Hash {
		t.Errorf("APIKey(%q).Hash after a conflicting CreateAPIKey = %q, want %q", serviceKey.ID, got.Hash, serviceKey.Hash)
	}
	if err := s.CreateAPIKey(ctx, store.APIKey{ID: "rk_orphan", UserID: "u-nobody", Hash: "h", CreatedAt: base}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateAPIKey(unknown user) = %v, want %v", err, store.ErrNotFound)
	}
	for _, bad := range []store.APIKey{
		{Hash: "h", CreatedAt: base},
		{ID: "rk_nohash", CreatedAt: base},
		{ID: "rk_notime", Hash: "h"},
		{ID: "rk_late", Hash: "h", CreatedAt: base, ExpiresAt: tooLate},
	} {
		if err := s.CreateAPIKey(ctx, bad); err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateAPIKey(%+v) = %v, want an invalid-key error", bad, err)
		}
	}
	if _, err := s.APIKey(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("APIKey(missing) = %v, want %v", err, store.ErrNotFound)
	}

	keyIDs := func(f store.APIKeyFilter) []string {
		t.Helper()
		ks, err := s.ListAPIKeys(ctx, f)
		if err != nil {
			t.Fatalf("ListAPIKeys(%+v) = %v", f, err)
		}
		out := []string{}
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	for _, tt := range []struct {
		f    store.APIKeyFilter
		want []string
	}{
		{store.APIKeyFilter{}, []string{"rk_svc_1", "rk_live_7Gq2", "rk_old"}},
		{store.APIKeyFilter{UserID: alice.ID}, []string{"rk_live_7Gq2", "rk_old"}},
		{store.APIKeyFilter{UserID: "u-nobody"}, []string{}},
	} {
		if got := keyIDs(tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("ListAPIKeys(%+v) = %q, want %q (newest first)", tt.f, got, tt.want)
		}
	}

	now := at(time.Hour)
	if k, _ := s.APIKey(ctx, userKey.ID); !k.Active(now) {
		t.Errorf("APIKey(%q).Active(now) before revocation = false, want true", userKey.ID)
	}
	if err := s.RevokeAPIKey(ctx, userKey.ID, now); err != nil {
		t.Fatalf("RevokeAPIKey = %v", err)
	}
	k, _ := s.APIKey(ctx, userKey.ID)
	if !k.RevokedAt.Equal(now) || k.Active(now) || k.Active(at(-time.Hour)) {
		t.Errorf("APIKey after RevokeAPIKey(%s) = revoked at %s, active %v; want revoked then and inactive", now, k.RevokedAt, k.Active(now))
	}
	if err := s.RevokeAPIKey(ctx, userKey.ID, at(2*time.Hour)); err != nil {
		t.Errorf("RevokeAPIKey again = %v, want nil", err)
	}
	if k, _ := s.APIKey(ctx, userKey.ID); !k.RevokedAt.Equal(now) {
		t.Errorf("RevokedAt after revoking twice = %s, want the first, %s", k.RevokedAt, now)
	}
	if k, _ := s.APIKey(ctx, serviceKey.ID); !k.RevokedAt.IsZero() {
		t.Errorf("other key revoked too: RevokedAt = %s", k.RevokedAt)
	}
	if err := s.RevokeAPIKey(ctx, "missing", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeAPIKey(missing) = %v, want %v", err, store.ErrNotFound)
	}

	for _, tt := range []struct {
		name string
		t    time.Time
		want time.Time
	}{
		{"first use", at(10 * time.Second), at(10 * time.Second)},
		{"older is ignored", at(5 * time.Second), at(10 * time.Second)},
		{"later", at(time.Minute), at(time.Minute)},
	} {
		if err := s.TouchAPIKey(ctx, oldKey.ID, tt.t); err != nil {
			t.Fatalf("%s: TouchAPIKey = %v", tt.name, err)
		}
		if k, _ := s.APIKey(ctx, oldKey.ID); !k.LastUsedAt.Equal(tt.want) {
			t.Errorf("%s: LastUsedAt after TouchAPIKey(%s) = %s, want %s", tt.name, tt.t, k.LastUsedAt, tt.want)
		}
	}
	if err := s.TouchAPIKey(ctx, "missing", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TouchAPIKey(missing) = %v, want %v", err, store.ErrNotFound)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := mustCreateUser(t, s, newUser("alice"))
	tok := store.Token{
		Hash: strings.Repeat("7e", 32), UserID: alice.ID, Purpose: store.PurposeChangeEmail,
		Data: "Alice.New@example.org", CreatedAt: base, ExpiresAt: at(time.Hour),
	}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken = %v", err)
	}
	dup := tok
	dup.Purpose = store.PurposeResetPassword
	if err := s.CreateToken(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateToken(same hash) = %v, want %v", err, store.ErrConflict)
	}
	orphan := tok
	orphan.Hash, orphan.UserID = "orphan", "u-nobody"
	if err := s.CreateToken(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateToken(unknown user) = %v, want %v", err, store.ErrNotFound)
	}
	for _, bad := range []store.Token{
		{UserID: alice.ID, Purpose: store.PurposeResetMFA, CreatedAt: base, ExpiresAt: at(time.Hour)},
		{Hash: "nopurpose", UserID: alice.ID, CreatedAt: base, ExpiresAt: at(time.Hour)},
		{Hash: "noexpiry", UserID: alice.ID, Purpose: store.PurposeResetMFA, CreatedAt: base},
	} {
		if err := s.CreateToken(ctx, bad); err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateToken(%+v) = %v, want an invalid-token error", bad, err)
		}
	}

	refused := []struct {
		name    string
		hash    string
		purpose store.TokenPurpose
		now     time.Time
	}{
		{"wrong purpose", tok.Hash, store.PurposeResetPassword, at(time.Minute)},
		{"no purpose", tok.Hash, "", at(time.Minute)},
		{"at expiry", tok.Hash, tok.Purpose, tok.ExpiresAt},
		{"after expiry", tok.Hash, tok.Purpose, tok.ExpiresAt.Add(time.Hour)},
		{"unknown hash", strings.Repeat("7f", 32), tok.Purpose, at(time.Minute)},
		{"hash in upper case", strings.ToUpper(tok.Hash), tok.Purpose, at(time.Minute)},
		{"empty hash", "", tok.Purpose, at(time.Minute)},
	}
	for _, tt := range refused {
		if got, err := s.Token(ctx, tt.hash, tt.purpose, tt.now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: Token = %+v, %v, want %v", tt.name, got, err, store.ErrNotFound)
		}
		if got, err := s.ConsumeToken(ctx, tt.hash, tt.purpose, tt.now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: ConsumeToken = %+v, %v, want %v", tt.name, got, err, store.ErrNotFound)
		}
	}
	// Reading a token does not use it up.
	for range 2 {
		got, err := s.Token(ctx, tok.Hash, tok.Purpose, tok.ExpiresAt.Add(-time.Nanosecond))
		if err != nil {
			t.Fatalf("Token(valid) = %v", err)
		}
		if d := diffRecord(got, tok); d != "" {
			t.Errorf("Token returned: %s", d)
		}
	}
	// A refused attempt does not use the token up.
	got, err := s.ConsumeToken(ctx, tok.Hash, tok.Purpose, tok.ExpiresAt.Add(-time.Nanosecond))
	if err != nil {
		t.Fatalf("ConsumeToken(valid, a nanosecond before expiry) = %v", err)
	}
	if d := diffRecord(got, tok); d != "" {
		t.Errorf("ConsumeToken returned: %s", d)
	}
	if _, err := s.ConsumeToken(ctx, tok.Hash, tok.Purpose, at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ConsumeToken a second time = %v, want %v", err, store.ErrNotFound)
	}
	if _, err := s.Token(ctx, tok.Hash, tok.Purpose, at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Token after ConsumeToken = %v, want %v", err, store.ErrNotFound)
	}

	race1 := store.Token{Hash: "race", UserID: alice.ID, Purpose: store.PurposeResetPassword, CreatedAt: base, ExpiresAt: at(time.Hour)}
	if err := s.CreateToken(ctx, race1); err != nil {
		t.Fatal(err)
	}
	won := race(t, 8, func(int) (bool, error) {
		_, err := s.ConsumeToken(ctx, race1.Hash, race1.Purpose, base)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	if won != 1 {
		t.Errorf("8 concurrent ConsumeToken of one token: %d succeeded, want exactly 1", won)
	}
}

func testDeleteTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := mustCreateUser(t, s, newUser("alice"))
	bob := mustCreateUser(t, s, newUser("bob"))
	now := at(time.Hour)
	for _, tok := range []store.Token{
		{Hash: "a-reset-1", UserID: alice.ID, Purpose: store.PurposeResetPassword, ExpiresAt: now.Add(time.Minute)},
		{Hash: "a-reset-2", UserID: alice.ID, Purpose: store.PurposeResetPassword, ExpiresAt: now.Add(time.Minute)},
		{Hash: "a-confirm", UserID: alice.ID, Purpose: store.PurposeConfirmEmail, ExpiresAt: now.Add(time.Minute)},
		{Hash: "a-expired", UserID: alice.ID, Purpose: store.PurposeAddPasskey, ExpiresAt: now.Add(-time.Nanosecond)},
		{Hash: "a-expires-now", UserID: alice.ID, Purpose: store.PurposeAddPasskey, ExpiresAt: now},
		{Hash: "b-reset", UserID: bob.ID, Purpose: store.PurposeResetPassword, ExpiresAt: now.Add(time.Minute)},
		{Hash: "b-mfa", UserID: bob.ID, Purpose: store.PurposeResetMFA, ExpiresAt: now.Add(time.Minute)},
	} {
		tok.CreatedAt = base
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpiredTokens(ctx, now)
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredTokens(now) = %d, %v, want 2, nil", n, err)
	}
	n, err = s.DeleteUserTokens(ctx, alice.ID, store.PurposeResetPassword)
	if err != nil || n != 2 {
		t.Errorf("DeleteUserTokens(alice, reset-password) = %d, %v, want 2, nil", n, err)
	}
	n, err = s.DeleteUserTokens(ctx, bob.ID, "")
	if err != nil || n != 2 {
		t.Errorf("DeleteUserTokens(bob, every purpose) = %d, %v, want 2, nil", n, err)
	}
	// Only alice's confirmation is left.
	for _, tt := range []struct {
		hash    string
		purpose store.TokenPurpose
		left    bool
	}{
		{"a-confirm", store.PurposeConfirmEmail, true},
		{"a-reset-1", store.PurposeResetPassword, false},
		{"a-expires-now", store.PurposeAddPasskey, false},
		{"b-mfa", store.PurposeResetMFA, false},
	} {
		_, err := s.ConsumeToken(ctx, tt.hash, tt.purpose, base)
		if tt.left && err != nil {
			t.Errorf("ConsumeToken(%q) = %v, want it kept", tt.hash, err)
		}
		if !tt.left && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ConsumeToken(%q) = %v, want %v: deleted", tt.hash, err, store.ErrNotFound)
		}
	}
}
