package sqlite

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/store"
	"rampart/internal/store/storetest"
)

func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), nil))
}

// openTest opens the database at path and closes it when the test ends.
func openTest(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(tb.Context(), path, testLogger(tb))
	if err != nil {
		tb.Fatalf("Open(%q) = %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close() = %v", err)
		}
	})
	return db
}

// versions returns the versions of the embedded migrations, oldest first.
func versions(tb testing.TB) []int {
	tb.Helper()
	ms, err := migrations()
	if err != nil {
		tb.Fatalf("migrations() = %v", err)
	}
	vs := make([]int, len(ms))
	for i, m := range ms {
		vs[i] = m.version
	}
	return vs
}

// openMigrated opens a fresh migrated database in a temporary directory.
func openMigrated(tb testing.TB) *DB {
	tb.Helper()
	db := openTest(tb, filepath.Join(tb.TempDir(), "rampart.db"))
	if _, err := db.Migrate(tb.Context()); err != nil {
		tb.Fatalf("Migrate() = %v", err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openMigrated(t) })
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rampart.db")
	want := events.Event{
		ID: "persisted", Time: time.Date(2025, 5, 6, 7, 8, 9, 10, time.UTC), Type: events.UpstreamUnhealthy,
		Severity: events.SeverityHigh, Route: "api", Message: "upstream down", Details: map[string]string{"upstream": "10.0.0.9:8000"},
	}

	db, err := Open(t.Context(), path, testLogger(t))
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	if err := db.AppendEvents(t.Context(), []events.Event{want}); err != nil {
		t.Fatalf("AppendEvents() = %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	db = openTest(t, path)
	vs := versions(t)
	if v, err := db.SchemaVersion(t.Context()); err != nil || v != vs[len(vs)-1] {
		t.Errorf("SchemaVersion() after reopening = %d, %v, want %d, nil", v, err, vs[len(vs)-1])
	}
	if applied, err := db.Migrate(t.Context()); err != nil || len(applied) != 0 {
		t.Errorf("Migrate() after reopening = %v, %v, want none, nil", applied, err)
	}
	got, err := db.Event(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("Event(%q) after reopening = %v", want.ID, err)
	}
	if !got.Time.Equal(want.Time) || got.Message != want.Message || got.Details["upstream"] != want.Details["upstream"] {
		t.Errorf("Event(%q) after reopening = %+v, want %+v", want.ID, got, want)
	}
}

func TestPragmas(t *testing.T) {
	db := openMigrated(t)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"busy_timeout", fmt.Sprint(busyTimeoutMS)},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
		{"query_only", "0"},
	}
	for _, tt := range tests {
		for _, pool := range []struct {
			name string
			q    queryer
		}{{"writer", db.w}, {"reader", db.r}} {
			want := tt.want
			if tt.pragma == "query_only" && pool.name == "reader" {
				want = "1"
			}
			t.Run(tt.pragma+"/"+pool.name, func(t *testing.T) {
				var got string
				if err := pool.q.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s = %v", tt.pragma, err)
				}
				if got != want {
					t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, want)
				}
			})
		}
	}
}

func TestReaderCannotWrite(t *testing.T) {
	db := openMigrated(t)
	if _, err := db.r.ExecContext(t.Context(), "DELETE FROM events"); err == nil {
		t.Errorf("DELETE through the reader pool = nil, want an error")
	}
}

func TestFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes on Windows")
	}
	db := openMigrated(t)
	if err := db.AppendEvents(t.Context(), []events.Event{{ID: "x", Time: time.Now(), Type: events.GatewayStarted}}); err != nil {
		t.Fatalf("AppendEvents() = %v", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(db.path + suffix)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("mode of %s = %v, want %v", filepath.Base(db.path+suffix), got, os.FileMode(0o600))
		}
	}
}

func TestOpenBadPath(t *testing.T) {
	tests := []struct{ name, path string }{
		{"empty", ""},
		{"memory", ":memory:"},
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "rampart.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(t.Context(), tt.path, testLogger(t))
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) = nil error, want one", tt.path)
			}
		})
	}
}

func TestOpenOddPath(t *testing.T) {
	// Characters that mean something in a file: URI.
	dir := filepath.Join(t.TempDir(), "a dir?x=1#frag%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "rampart.db")
	db := openTest(t, path)
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %q: %v", path, err)
	}
}

func TestMigrateFresh(t *testing.T) {
	db := openTest(t, filepath.Join(t.TempDir(), "rampart.db"))
	if v, err := db.SchemaVersion(t.Context()); err != nil || v != 0 {
		t.Errorf("SchemaVersion() before Migrate() = %d, %v, want 0, nil", v, err)
	}
	applied, err := db.Migrate(t.Context())
	vs := versions(t)
	if err != nil || !slices.Equal(applied, vs) {
		t.Fatalf("Migrate() = %v, %v, want %v, nil", applied, err, vs)
	}
	if v, err := db.SchemaVersion(t.Context()); err != nil || v != vs[len(vs)-1] {
		t.Errorf("SchemaVersion() after Migrate() = %d, %v, want %d, nil", v, err, vs[len(vs)-1])
	}
}

// TestMigrateUpgrade upgrades a database of the first release, with data,
// to the newest schema.
func TestMigrateUpgrade(t *testing.T) {
	db := openTest(t, filepath.Join(t.TempDir(), "rampart.db"))
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(t.Context(), createSchemaMigrations); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.apply(t.Context(), ms[0]); !ok || err != nil {
		t.Fatalf("apply(%s) = %v, %v", ms[0].name, ok, err)
	}
	kept := events.Event{ID: "kept", Time: time.Now(), Type: events.GatewayStarted}
	if err := db.AppendEvents(t.Context(), []events.Event{kept}); err != nil {
		t.Fatal(err)
	}

	applied, err := db.Migrate(t.Context())
	if want := versions(t)[1:]; err != nil || !slices.Equal(applied, want) {
		t.Fatalf("Migrate() from version 1 = %v, %v, want %v, nil", applied, err, want)
	}
	if _, err := db.Event(t.Context(), kept.ID); err != nil {
		t.Errorf("Event(%q) after upgrading = %v", kept.ID, err)
	}
	u, err := db.CreateUser(t.Context(), store.User{ID: "u1", Username: "alice", CreatedAt: time.Now()})
	if err != nil || u.Version != 1 {
		t.Errorf("CreateUser() after upgrading = %+v, %v", u, err)
	}
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations() = %v", err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d: versions start at 1 without gaps", m.name, m.version, i+1)
		}
	}
}

func TestSchemaNewer(t *testing.T) {
	db := openMigrated(t)
	if _, err := db.w.ExecContext(t.Context(), "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'later')"); err != nil {
		t.Fatal(err)
	}
	applied, err := db.Migrate(t.Context())
	vs := versions(t)
	want := fmt.Sprintf("database schema version 9999 is newer than this rampart knows (%d); upgrade rampart", vs[len(vs)-1])
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Migrate() = %v, %v, want an error containing %q", applied, err, want)
	}
	if len(applied) != 0 {
		t.Errorf("Migrate() applied %v, want none", applied)
	}
}

func BenchmarkAppendEvents(b *testing.B) {
	db := openMigrated(b)
	const batch = 100
	evs := make([]events.Event, batch)
	now := time.Now()
	for i := range evs {
		evs[i] = events.Event{
			Time: now, Type: events.RequestRejected, Severity: events.SeverityMedium,
			ClientIP: "192.0.2.7", Route: "api", RequestID: "req", Node: "node-a",
			Message: "request rejected", Details: map[string]string{"reason": "body too large", "limit": "1048576"},
		}
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range evs {
			n++
			evs[i].ID = fmt.Sprintf("%032x", n)
		}
		if err := db.AppendEvents(b.Context(), evs); err != nil {
			b.Fatalf("AppendEvents() = %v", err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
