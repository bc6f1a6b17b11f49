package gateway

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"rampart/internal/events"
	"rampart/internal/identity/lockout"
	"rampart/internal/store/sqlite"
)

// spyCounter is a memory counter that counts the failures it is given.
type spyCounter struct {
	*lockout.Memory
	adds atomic.Int64
}

func (s *spyCounter) Add(ctx context.Context, key string, now time.Time, window time.Duration) (float64, error) {
	s.adds.Add(1)
	return s.Memory.Add(ctx, key, now, window)
}

// TestLockoutBackend checks that the guard counts with the counter the
// caller gave (cmd gives the Redis one), and that a redis backend without
// one is refused rather than counted per node.
func TestLockoutBackend(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), slogDiscard())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_RAMPART_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	yaml := func(backend string) string {
		return `
listen: {http: "127.0.0.1:0", admin: ""}
redis: {url: "redis://127.0.0.1:1"}
identity:
  enabled: true
  secrets_key: ${env:TEST_RAMPART_KEY}
  lockout: {backend: ` + backend + `}
routes:
  - name: app
    upstreams: [http://127.0.0.1:1]
`
	}
	newGateway := func(backend string, c lockout.Counter) (*Gateway, error) {
		bus := events.NewBus("test")
		t.Cleanup(bus.Close)
		return New(mustConfig(t, yaml(backend)), Deps{Log: slogDiscard(), Bus: bus, Metrics: NewMetrics(prometheus.NewRegistry(), bus), Store: db, Lockout: c})
	}

	if _, err := newGateway("redis", nil); err == nil || !strings.Contains(err.Error(), "started without Redis") {
		t.Errorf("redis backend without a counter: New = %v, want a restart error", err)
	}

	spy := &spyCounter{Memory: lockout.NewMemory(0)}
	gw, err := newGateway("redis", spy)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	parts, err := gw.identity(gw.Config())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parts.guard.Failure(ctx, "alice", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if n := spy.adds.Load(); n != 2 {
		t.Errorf("the given counter saw %d failures counted, want 2 (account and address)", n)
	}

	mem, err := newGateway("memory", nil)
	if err != nil {
		t.Fatalf("memory backend: New = %v", err)
	}
	mem.Close()
}
