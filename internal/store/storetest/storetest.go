// Package storetest is the contract suite every store.Store implementation
// runs, so that store/sqlite and store/postgres behave the same. It holds
// tests only, no fakes; it is imported from _test.go files.
package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/store"
)

// Run runs the contract suite. open returns a fresh, migrated, empty store
// for one subtest and arranges for it to be closed when the test ends;
// closing it twice must be harmless.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AppendAndRead", testAppendAndRead},
		{"NewestFirst", testNewestFirst},
		{"Filter", testFilter},
		{"Limit", testLimit},
		{"DuplicateID", testDuplicateID},
		{"EventByID", testEventByID},
		{"InvalidEvent", testInvalidEvent},
		{"DeleteEventsBefore", testDeleteEventsBefore},
		{"EmptyBatch", testEmptyBatch},
		{"ConcurrentAppend", testConcurrentAppend},
		{"MigrateIdempotent", testMigrateIdempotent},
		{"Ping", testPing},
		{"UserCRUD", testUserCRUD},
		{"UserNotFound", testUserNotFound},
		{"UserConflict", testUserConflict},
		{"UserInvalid", testUserInvalid},
		{"UpdateUser", testUpdateUser},
		{"UpdateUserRace", testUpdateUserRace},
		{"ListUsers", testListUsers},
		{"DeleteUserCascades", testDeleteUser},
		{"LockoutClearedAt", testLockoutClearedAt},
		{"SessionCRUD", testSessionCRUD},
		{"TouchSession", testTouchSession},
		{"SignOutEverywhere", testSignOutEverywhere},
		{"SessionExpiry", testSessionExpiry},
		{"Credentials", testCredentials},
		{"TOTPReplay", testTOTPReplay},
		{"TOTPConcurrent", testTOTPConcurrent},
		{"RecoveryCodes", testRecoveryCodes},
		{"APIKeys", testAPIKeys},
		{"Tokens", testTokens},
		{"DeleteTokens", testDeleteTokens},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

// base is a time with nanoseconds, so that truncation to micro- or
// milliseconds shows.
var base = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

// ev returns a minimal valid event.
func ev(id string, t time.Time) events.Event {
	return events.Event{ID: id, Time: t, Type: events.RequestRejected, Message: "message " + id}
}

func mustAppend(t *testing.T, s store.Store, evs ...events.Event) {
	t.Helper()
	if err := s.AppendEvents(t.Context(), evs); err != nil {
		t.Fatalf("AppendEvents(%d events) = %v", len(evs), err)
	}
}

func mustEvents(t *testing.T, s store.Store, f store.EventFilter) []events.Event {
	t.Helper()
	got, err := s.Events(t.Context(), f)
	if err != nil {
		t.Fatalf("Events(%+v) = %v", f, err)
	}
	return got
}

func ids(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// diff describes how got differs from want, "" when they are the same
// event. Times must be the same instant and in UTC; a nil and an empty
// Details are the same.
func diff(got, want events.Event) string {
	var d []string
	if !got.Time.Equal(want.Time) {
		d = append(d, fmt.Sprintf("Time = %s, want %s", got.Time.Format(time.RFC3339Nano), want.Time.Format(time.RFC3339Nano)))
	}
	if got.Time.Location() != time.UTC {
		d = append(d, fmt.Sprintf("Time location = %s, want UTC", got.Time.Location()))
	}
	if !maps.Equal(got.Details, want.Details) {
		d = append(d, fmt.Sprintf("Details = %q, want %q", got.Details, want.Details))
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	got.Details, want.Details = nil, nil
	if !reflect.DeepEqual(got, want) {
		d = append(d, fmt.Sprintf("got %+v, want %+v", got, want))
	}
	return strings.Join(d, "; ")
}

func testAppendAndRead(t *testing.T, s store.Store) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		ev   events.Event
	}{
		{"all fields", events.Event{
			ID:        "0195500f2a3b1c2d3e4f5a6b7c8d9e0f",
			Time:      base,
			Type:      events.RequestSmuggling,
			Severity:  events.SeverityCritical,
			ClientIP:  "2001:db8::1",
			Route:     "api",
			User:      "alice",
			RequestID: "req-1",
			Node:      "node-a",
			Message:   "conflicting Content-Length and Transfer-Encoding",
			Details:   map[string]string{"header": `Transfer-Encoding: "chunked"`, "empty": "", "unicode": "O'Brien ☃ ü"},
		}},
		// Events carry what attackers sent; a NUL byte must neither fail the
		// batch nor cut the text.
		{"control characters", events.Event{
			ID:      "ctl",
			Time:    base,
			Type:    events.RequestRejected,
			User:    "a\x00b",
			Message: "line\r\nbreak\x00nul\ttab",
			Details: map[string]string{"q\x00": "1' OR '1'='1\x00--", "bell": "\a\x1b[31m"},
		}},
		{"minimal", events.Event{ID: "minimal", Time: at(time.Second), Type: events.GatewayStarted}},
		{"nanosecond", events.Event{ID: "nano", Time: time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC), Type: events.ConfigChanged, Severity: events.SeverityInfo}},
		{"other zone", events.Event{ID: "zone", Time: time.Date(2025, 1, 2, 3, 4, 5, 6, cet), Type: events.UpstreamError, Severity: events.SeverityHigh}},
		{"before 1970", events.Event{ID: "old", Time: time.Date(1960, 1, 1, 0, 0, 0, 1, time.UTC), Type: events.ConfigRejected, Severity: events.SeverityLow}},
		{"empty details", events.Event{ID: "nodetails", Time: base, Type: events.ResponseMasked, Details: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustAppend(t, s, tt.ev)
			got, err := s.Event(t.Context(), tt.ev.ID)
			if err != nil {
				t.Fatalf("Event(%q) = %v", tt.ev.ID, err)
			}
			if d := diff(got, tt.ev); d != "" {
				t.Errorf("Event(%q): %s", tt.ev.ID, d)
			}
			list := mustEvents(t, s, store.EventFilter{RequestID: tt.ev.RequestID, Types: []events.Type{tt.ev.Type}, Since: tt.ev.Time, Until: tt.ev.Time.Add(1)})
			i := slices.IndexFunc(list, func(e events.Event) bool { return e.ID == tt.ev.ID })
			if i < 0 {
				t.Fatalf("Events: %q missing from %q", tt.ev.ID, ids(list))
			}
			if d := diff(list[i], tt.ev); d != "" {
				t.Errorf("Events: %q: %s", tt.ev.ID, d)
			}
		})
	}
}

func testNewestFirst(t *testing.T, s store.Store) {
	// Appended out of order, in two batches; b and c share a time and come
	// in descending ID order.
	mustAppend(t, s, ev("a", at(2*time.Second)), ev("d", at(0)))
	mustAppend(t, s, ev("c", at(time.Second)), ev("e", at(3*time.Second)), ev("b", at(time.Second)), ev("f", at(time.Second+1)))
	want := []string{"e", "a", "f", "c", "b", "d"}
	if got := ids(mustEvents(t, s, store.EventFilter{})); !slices.Equal(got, want) {
		t.Errorf("Events({}) = %q, want %q", got, want)
	}
}

func testFilter(t *testing.T, s store.Store) {
	fixture := []events.Event{
		{ID: "ev1", Time: at(0), Type: events.ConfigChanged, Severity: events.SeverityInfo, ClientIP: "10.0.0.1", Route: "api", RequestID: "r1"},
		{ID: "ev2", Time: at(1 * time.Second), Type: events.RequestRejected, Severity: events.SeverityMedium, ClientIP: "10.0.0.2", Route: "api", RequestID: "r2"},
		{ID: "ev3", Time: at(2 * time.Second), Type: events.RequestSmuggling, Severity: events.SeverityHigh, ClientIP: "10.0.0.1", Route: "web", RequestID: "r3"},
		{ID: "ev4", Time: at(3 * time.Second), Type: events.UpstreamError, Severity: events.SeverityCritical, ClientIP: "10.0.0.3", Route: "web", RequestID: "r3"},
		{ID: "ev5", Time: at(4 * time.Second), Type: events.RequestRejected, Severity: events.SeverityLow, ClientIP: "10.0.0.1", RequestID: "r5"},
		{ID: "ev6", Time: at(4 * time.Second), Type: events.ResponseMasked, Severity: events.SeverityInfo, ClientIP: "10.0.0.4", Route: "api", RequestID: "r6"},
	}
	mustAppend(t, s, fixture...)

	tests := []struct {
		name string
		f    store.EventFilter
		want []string
	}{
		{"none", store.EventFilter{}, []string{"ev6", "ev5", "ev4", "ev3", "ev2", "ev1"}},
		{"since is inclusive", store.EventFilter{Since: at(2 * time.Second)}, []string{"ev6", "ev5", "ev4", "ev3"}},
		{"since one nanosecond later", store.EventFilter{Since: at(2*time.Second + 1)}, []string{"ev6", "ev5", "ev4"}},
		{"since in another zone", store.EventFilter{Since: at(2 * time.Second).In(time.FixedZone("X", -7*3600))}, []string{"ev6", "ev5", "ev4", "ev3"}},
		{"until is exclusive", store.EventFilter{Until: at(2 * time.Second)}, []string{"ev2", "ev1"}},
		{"until one nanosecond later", store.EventFilter{Until: at(2*time.Second + 1)}, []string{"ev3", "ev2", "ev1"}},
		{"since and until", store.EventFilter{Since: at(time.Second), Until: at(3 * time.Second)}, []string{"ev3", "ev2"}},
		{"empty window", store.EventFilter{Since: at(time.Second), Until: at(time.Second)}, []string{}},
		{"one type", store.EventFilter{Types: []events.Type{events.RequestRejected}}, []string{"ev5", "ev2"}},
		{"two types", store.EventFilter{Types: []events.Type{events.ConfigChanged, events.UpstreamError}}, []string{"ev4", "ev1"}},
		{"unknown type", store.EventFilter{Types: []events.Type{"no.such"}}, []string{}},
		{"min severity high", store.EventFilter{MinSeverity: events.SeverityHigh}, []string{"ev4", "ev3"}},
		{"min severity low", store.EventFilter{MinSeverity: events.SeverityLow}, []string{"ev5", "ev4", "ev3", "ev2"}},
		{"min severity critical", store.EventFilter{MinSeverity: events.SeverityCritical}, []string{"ev4"}},
		{"client IP", store.EventFilter{ClientIP: "10.0.0.1"}, []string{"ev5", "ev3", "ev1"}},
		{"client IP unknown", store.EventFilter{ClientIP: "192.0.2.1"}, []string{}},
		{"route", store.EventFilter{Route: "web"}, []string{"ev4", "ev3"}},
		{"request ID", store.EventFilter{RequestID: "r3"}, []string{"ev4", "ev3"}},
		{"limit", store.EventFilter{Limit: 2}, []string{"ev6", "ev5"}},
		{"combined", store.EventFilter{
			Since:       at(0),
			Until:       at(4 * time.Second),
			Types:       []events.Type{events.RequestRejected, events.ConfigChanged},
			MinSeverity: events.SeverityLow,
			Route:       "api",
		}, []string{"ev2"}},
		{"combined IP and severity", store.EventFilter{ClientIP: "10.0.0.1", MinSeverity: events.SeverityLow, Limit: 1}, []string{"ev5"}},
		{"combined request ID and route", store.EventFilter{RequestID: "r3", Route: "web", Types: []events.Type{events.RequestSmuggling}}, []string{"ev3"}},
		{"combined excludes all", store.EventFilter{ClientIP: "10.0.0.2", Route: "web"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustEvents(t, s, tt.f)
			if got == nil {
				t.Errorf("Events(%+v) = nil, want an empty slice", tt.f)
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("Events(%+v) = %q, want %q", tt.f, ids(got), tt.want)
			}
		})
	}
}

func testLimit(t *testing.T, s store.Store) {
	n := store.MaxEventLimit + 1
	evs := make([]events.Event, n)
	for i := range evs {
		evs[i] = ev(fmt.Sprintf("ev%06d", i), at(time.Duration(i)*time.Millisecond))
	}
	mustAppend(t, s, evs...)

	tests := []struct {
		name  string
		limit int
		want  int
	}{
		{"default", 0, store.DefaultEventLimit},
		{"one", 1, 1},
		{"below cap", 500, 500},
		{"at cap", store.MaxEventLimit, store.MaxEventLimit},
		{"above cap", store.MaxEventLimit + 500, store.MaxEventLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustEvents(t, s, store.EventFilter{Limit: tt.limit})
			if len(got) != tt.want {
				t.Fatalf("Events(Limit: %d) returned %d events, want %d", tt.limit, len(got), tt.want)
			}
			if newest := fmt.Sprintf("ev%06d", n-1); got[0].ID != newest {
				t.Errorf("Events(Limit: %d)[0] = %q, want the newest, %q", tt.limit, got[0].ID, newest)
			}
		})
	}
}

func testDuplicateID(t *testing.T, s store.Store) {
	orig := ev("dup", at(0))
	mustAppend(t, s, orig)

	changed := orig
	changed.Message = "changed"
	changed.Severity = events.SeverityCritical
	if err := s.AppendEvents(t.Context(), []events.Event{changed, ev("new", at(time.Second))}); err != nil {
		t.Fatalf("AppendEvents(stored ID, new ID) = %v, want nil", err)
	}
	if err := s.AppendEvents(t.Context(), []events.Event{ev("twice", at(2*time.Second)), ev("twice", at(2*time.Second))}); err != nil {
		t.Fatalf("AppendEvents(same ID twice in one batch) = %v, want nil", err)
	}
	got, err := s.Event(t.Context(), "dup")
	if err != nil {
		t.Fatalf("Event(%q) = %v", "dup", err)
	}
	if d := diff(got, orig); d != "" {
		t.Errorf("Event(%q) after appending it again: %s", "dup", d)
	}
	want := []string{"twice", "new", "dup"}
	if got := ids(mustEvents(t, s, store.EventFilter{})); !slices.Equal(got, want) {
		t.Errorf("Events({}) = %q, want %q", got, want)
	}
}

func testEventByID(t *testing.T, s store.Store) {
	mustAppend(t, s, ev("here", at(0)))
	tests := []struct {
		name    string
		id      string
		wantErr error
	}{
		{"present", "here", nil},
		{"missing", "missing", store.ErrNotFound},
		{"empty", "", store.ErrNotFound},
		{"prefix of present", "her", store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Event(t.Context(), tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Event(%q) = %v, want %v", tt.id, err, tt.wantErr)
			}
			if err == nil && got.ID != tt.id {
				t.Errorf("Event(%q).ID = %q", tt.id, got.ID)
			}
		})
	}
}

func testInvalidEvent(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		ev   events.Event
	}{
		{"no ID", ev("", at(0))},
		{"no time", ev("notime", time.Time{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The invalid event spoils its whole batch.
			err := s.AppendEvents(t.Context(), []events.Event{ev("ok-"+tt.name, at(0)), tt.ev})
			if err == nil {
				t.Fatalf("AppendEvents(%+v) = nil, want an error", tt.ev)
			}
			if _, err := s.Event(t.Context(), "ok-"+tt.name); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Event(%q) after a failed batch = %v, want %v", "ok-"+tt.name, err, store.ErrNotFound)
			}
		})
	}
}

func testDeleteEventsBefore(t *testing.T, s store.Store) {
	mustAppend(t, s, ev("a", at(0)), ev("b", at(time.Second-1)), ev("c", at(time.Second)), ev("d", at(2*time.Second)))
	tests := []struct {
		name   string
		before time.Time
		want   int64
		left   []string
	}{
		{"zero time", time.Time{}, 0, []string{"d", "c", "b", "a"}},
		{"before all", at(0), 0, []string{"d", "c", "b", "a"}},
		{"strictly before", at(time.Second), 2, []string{"d", "c"}},
		{"again", at(time.Second), 0, []string{"d", "c"}},
		{"after all", at(time.Hour), 2, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.DeleteEventsBefore(t.Context(), tt.before)
			if err != nil || n != tt.want {
				t.Fatalf("DeleteEventsBefore(%s) = %d, %v, want %d, nil", tt.before.Format(time.RFC3339Nano), n, err, tt.want)
			}
			if got := ids(mustEvents(t, s, store.EventFilter{})); !slices.Equal(got, tt.left) {
				t.Errorf("Events({}) after DeleteEventsBefore(%s) = %q, want %q", tt.before.Format(time.RFC3339Nano), got, tt.left)
			}
		})
	}
}

func testEmptyBatch(t *testing.T, s store.Store) {
	for _, evs := range [][]events.Event{nil, {}} {
		if err := s.AppendEvents(t.Context(), evs); err != nil {
			t.Errorf("AppendEvents(%#v) = %v, want nil", evs, err)
		}
	}
	if got := mustEvents(t, s, store.EventFilter{}); len(got) != 0 {
		t.Errorf("Events({}) = %q, want none", ids(got))
	}
}

func testConcurrentAppend(t *testing.T, s store.Store) {
	const (
		goroutines = 20
		batches    = 5
		perBatch   = 5
	)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for b := range batches {
				evs := make([]events.Event, perBatch)
				for i := range evs {
					evs[i] = ev(fmt.Sprintf("g%02d-b%d-%d", g, b, i), at(time.Duration(g*1000+b*10+i)*time.Millisecond))
				}
				if err := s.AppendEvents(t.Context(), evs); err != nil {
					t.Errorf("goroutine %d: AppendEvents(batch %d) = %v", g, b, err)
					return
				}
			}
		})
	}
	// Readers run alongside the writers.
	for range 4 {
		wg.Go(func() {
			for range batches {
				if _, err := s.Events(t.Context(), store.EventFilter{}); err != nil {
					t.Errorf("Events({}) during appends = %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := mustEvents(t, s, store.EventFilter{Limit: store.MaxEventLimit})
	if want := goroutines * batches * perBatch; len(got) != want {
		t.Errorf("Events({}) after concurrent appends returned %d events, want %d", len(got), want)
	}
}

func testMigrateIdempotent(t *testing.T, s store.Store) {
	before, err := s.SchemaVersion(t.Context())
	if err != nil || before <= 0 {
		t.Fatalf("SchemaVersion() = %d, %v, want > 0 on a migrated store", before, err)
	}
	mustAppend(t, s, ev("kept", at(0)))
	for i := range 2 {
		applied, err := s.Migrate(t.Context())
		if err != nil || len(applied) != 0 {
			t.Fatalf("Migrate() #%d on a migrated store = %v, %v, want none, nil", i+1, applied, err)
		}
	}
	after, err := s.SchemaVersion(t.Context())
	if err != nil || after != before {
		t.Errorf("SchemaVersion() after Migrate() = %d, %v, want %d, nil", after, err, before)
	}
	if _, err := s.Event(t.Context(), "kept"); err != nil {
		t.Errorf("Event(%q) after Migrate() = %v", "kept", err)
	}
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping() = %v", err)
	}
}

func testClosed(t *testing.T, s store.Store) {
	mustAppend(t, s, ev("a", at(0)))
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	ctx := t.Context()
	calls := []struct {
		name string
		call func() error
	}{
		{"AppendEvents", func() error { return s.AppendEvents(ctx, []events.Event{ev("b", at(0))}) }},
		{"Events", func() error { _, err := s.Events(ctx, store.EventFilter{}); return err }},
		{"Event", func() error { _, err := s.Event(ctx, "a"); return err }},
		{"DeleteEventsBefore", func() error { _, err := s.DeleteEventsBefore(ctx, at(time.Hour)); return err }},
		{"Migrate", func() error { _, err := s.Migrate(ctx); return err }},
		{"SchemaVersion", func() error { _, err := s.SchemaVersion(ctx); return err }},
		{"Ping", func() error { return s.Ping(ctx) }},
		{"CreateUser", func() error {
			_, err := s.CreateUser(ctx, store.User{ID: "u", Username: "u", CreatedAt: base})
			return err
		}},
		{"User", func() error { _, err := s.User(ctx, "u"); return err }},
		{"UserByName", func() error { _, err := s.UserByName(ctx, "u"); return err }},
		{"UserByEmail", func() error { _, err := s.UserByEmail(ctx, "u@example.com"); return err }},
		{"UserByEmail empty", func() error { _, err := s.UserByEmail(ctx, ""); return err }},
		{"ListUsers", func() error { _, err := s.ListUsers(ctx, store.UserFilter{}); return err }},
		{"UpdateUser", func() error {
			_, err := s.UpdateUser(ctx, store.User{ID: "u", Username: "u", CreatedAt: base, UpdatedAt: base, Version: 1})
			return err
		}},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, "u") }},
		{"CreateSession", func() error {
			return s.CreateSession(ctx, store.Session{ID: "s", UserID: "u", CreatedAt: base, ExpiresAt: at(time.Hour)})
		}},
		{"Session", func() error { _, err := s.Session(ctx, "s"); return err }},
		{"TouchSession", func() error { return s.TouchSession(ctx, "s", base) }},
		{"DeleteSession", func() error { return s.DeleteSession(ctx, "s") }},
		{"DeleteUserSessions", func() error { _, err := s.DeleteUserSessions(ctx, "u", ""); return err }},
		{"ListUserSessions", func() error { _, err := s.ListUserSessions(ctx, "u"); return err }},
		{"DeleteExpiredSessions", func() error { _, err := s.DeleteExpiredSessions(ctx, base); return err }},
		{"AddCredential", func() error {
			return s.AddCredential(ctx, store.Credential{ID: "c", UserID: "u", Kind: store.CredentialTOTP, CreatedAt: base})
		}},
		{"Credential", func() error { _, err := s.Credential(ctx, "c"); return err }},
		{"UserCredentials", func() error { _, err := s.UserCredentials(ctx, "u", ""); return err }},
		{"UpdateCredential", func() error { return s.UpdateCredential(ctx, store.Credential{ID: "c", UserID: "u"}) }},
		{"DeleteCredential", func() error { return s.DeleteCredential(ctx, "u", "c") }},
		{"UseTOTPStep", func() error { _, err := s.UseTOTPStep(ctx, "c", 1); return err }},
		{"UseRecoveryCode", func() error { _, err := s.UseRecoveryCode(ctx, "u", "h"); return err }},
		{"CreateAPIKey", func() error { return s.CreateAPIKey(ctx, store.APIKey{ID: "k", Hash: "h", CreatedAt: base}) }},
		{"APIKey", func() error { _, err := s.APIKey(ctx, "k"); return err }},
		{"ListAPIKeys", func() error { _, err := s.ListAPIKeys(ctx, store.APIKeyFilter{}); return err }},
		{"RevokeAPIKey", func() error { return s.RevokeAPIKey(ctx, "k", base) }},
		{"TouchAPIKey", func() error { return s.TouchAPIKey(ctx, "k", base) }},
		{"CreateToken", func() error {
			return s.CreateToken(ctx, store.Token{Hash: "t", UserID: "u", Purpose: store.PurposeConfirmEmail, CreatedAt: base, ExpiresAt: at(time.Hour)})
		}},
		{"ConsumeToken", func() error { _, err := s.ConsumeToken(ctx, "t", store.PurposeConfirmEmail, base); return err }},
		{"Token", func() error { _, err := s.Token(ctx, "t", store.PurposeConfirmEmail, base); return err }},
		{"DeleteUserTokens", func() error { _, err := s.DeleteUserTokens(ctx, "u", ""); return err }},
		{"DeleteExpiredTokens", func() error { _, err := s.DeleteExpiredTokens(ctx, base); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !errors.Is(err, store.ErrClosed) {
				t.Errorf("%s after Close() = %v, want %v", c.name, err, store.ErrClosed)
			}
		})
	}
}
