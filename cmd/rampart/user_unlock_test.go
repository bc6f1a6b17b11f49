package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/gateway"
)

func TestUserUnlock(t *testing.T) {
	cfg, db := userConfig(t)
	pw := "correct horse battery staple"
	if code, _, stderr := runCLIIn(pw+"\n", "user", "add", "alice", "--password-stdin", "-c", cfg); code != 0 {
		t.Fatalf("add: exit %d, %q", code, stderr)
	}
	before := time.Now()
	code, stdout, stderr := runCLIIn("", "user", "unlock", "ALICE", "-c", cfg)
	if code != 0 || stdout != "user alice unlocked: failed sign-ins forgotten and any lock lifted, on every node\n" {
		t.Fatalf("unlock: exit %d, %q %q", code, stdout, stderr)
	}
	st := openTestStore(t, db)
	u, err := st.UserByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	first := u.LockoutClearedAt
	if first.Before(before) || first.After(time.Now()) {
		t.Errorf("LockoutClearedAt = %v, want the time of the unlock", first)
	}
	if code, _, stderr := runCLIIn("", "user", "unlock", "alice", "-c", cfg); code != 0 {
		t.Fatalf("second unlock: exit %d, %q", code, stderr)
	}
	if u, _ = st.UserByName(context.Background(), "alice"); !u.LockoutClearedAt.After(first) {
		t.Errorf("a second unlock did not move LockoutClearedAt (%v, then %v)", first, u.LockoutClearedAt)
	}

	code, stdout, stderr = runCLIIn("", "user", "unlock", "bob", "-c", cfg)
	if code == 0 || stdout != "" || !strings.Contains(stderr, `no user "bob"`) {
		t.Errorf("unlock of an unknown user: exit %d, %q %q; want an error naming bob", code, stdout, stderr)
	}
	if code, _, stderr := runCLIIn("", "user", "unlock", "-c", cfg); code == 0 || !strings.Contains(stderr, "accepts 1 arg") {
		t.Errorf("unlock without a name: exit %d, %q", code, stderr)
	}
}

func TestOpenLockoutCounter(t *testing.T) {
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	cfg := config.Default()
	c, release, err := openLockoutCounter(t.Context(), cfg, log)
	if err != nil || c != nil {
		t.Fatalf("memory backend: %v, %v; want no counter (the gateway's own)", c, err)
	}
	release()

	u := os.Getenv("RAMPART_TEST_REDIS")
	if u == "" {
		t.Skip("set RAMPART_TEST_REDIS to a Redis URL (e.g. redis://127.0.0.1:6379/0)")
	}
	cfg.Identity.Lockout.Backend = "redis"
	cfg.Redis.URL = config.Secret(u)
	cfg.Redis.KeyPrefix = "rampart-test:cmd:" + time.Now().Format("150405.000000000") + ":"
	c, release, err = openLockoutCounter(t.Context(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	now := time.Now()
	if n, err := c.Add(t.Context(), "u:alice", now, time.Minute); err != nil || n != 1 {
		t.Fatalf("Add over the configured Redis = %v, %v", n, err)
	}
	if err := c.Clear(t.Context(), "u:alice"); err != nil {
		t.Fatal(err)
	}
}

func TestNewRedisClientHidesURL(t *testing.T) {
	_, err := newRedisClient(config.Redis{URL: "redis://:hunter2@[::1"}, slog.New(slog.DiscardHandler))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("newRedisClient(bad URL) = %v, want an error without the password", err)
	}
}

// TestReloadRedisNeedsRestart checks that a reload changing the Redis
// connection or the lockout says that it takes a restart.
func TestReloadRedisNeedsRestart(t *testing.T) {
	const base = "listen: {http: \"127.0.0.1:0\", admin: \"\"}\nroutes:\n  - {name: app, upstreams: [\"http://127.0.0.1:1\"]}\n"
	old, err := config.Parse("rampart.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	bus := events.NewBus("test")
	defer bus.Close()
	sub := bus.Subscribe("test", 100)
	log := slog.New(slog.DiscardHandler)
	gw, err := gateway.New(old, gateway.Deps{Log: log, Bus: bus, Metrics: gateway.NewMetrics(prometheus.NewRegistry(), bus)})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	changed, err := config.Parse("rampart.yaml", []byte("redis: {url: \"redis://127.0.0.1:6379\", key_prefix: \"x:\"}\nidentity:\n  lockout: {backend: redis, max_failures: 5}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	reload(gw, bus, log, changed, nil)
	select {
	case ev := <-sub.C():
		if ev.Type != events.ConfigChanged {
			t.Fatalf("event %s, want %s", ev.Type, events.ConfigChanged)
		}
		for _, k := range []string{"redis.url", "redis.key_prefix", "identity.lockout.backend", "identity.lockout.max_failures"} {
			if !strings.Contains(","+ev.Details["restart_required"]+",", ","+k+",") {
				t.Errorf("restart_required = %q, want %s in it", ev.Details["restart_required"], k)
			}
		}
		if strings.Contains(ev.Details["keys"]+ev.Details["restart_required"], "6379") {
			t.Errorf("the event shows the Redis URL: %v", ev.Details)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no config.changed event")
	}
}

func TestSharedStateKey(t *testing.T) {
	for k, want := range map[string]bool{
		"redis.url": true, "redis.read_timeout": true, "identity.lockout.backend": true, "identity.lockout.window": true,
		"identity.access.default": false, "store.path": false, "redisx": false,
	} {
		if got := sharedStateKey(k); got != want {
			t.Errorf("sharedStateKey(%q) = %v, want %v", k, got, want)
		}
	}
}
