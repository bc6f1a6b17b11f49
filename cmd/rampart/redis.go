package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"rampart/internal/config"
	"rampart/internal/identity/lockout"
)

// openLockoutCounter returns the counter of failed sign-ins the config asks
// for, and a function that releases it. With identity.lockout.backend:
// memory it returns nil, and the gateway counts in its own memory. With
// redis it connects to redis.url and returns a lockout.Redis whose calls
// are bounded by dial_timeout + read_timeout.
//
// A Redis that does not answer at start is logged, not fatal: proxied
// traffic does not need it, and the portal fails closed (503 on sign-in)
// until Redis answers, rather than count each node on its own.
func openLockoutCounter(ctx context.Context, cfg *config.Config, log *slog.Logger) (lockout.Counter, func(), error) {
	if cfg.Identity.Lockout.Backend != "redis" {
		return nil, func() {}, nil
	}
	log = log.With("component", "redis")
	rdb, err := newRedisClient(cfg.Redis, log)
	if err != nil {
		return nil, nil, err
	}
	release := func() {
		if err := rdb.Close(); err != nil {
			log.Warn("closing the Redis client failed", "err", err)
		}
	}
	timeout := cfg.Redis.DialTimeout + cfg.Redis.ReadTimeout
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		log.Warn("redis does not answer; portal sign-ins fail closed (503) until it does", "err", err)
	}
	c, err := lockout.NewRedis(rdb, lockout.RedisConfig{Prefix: cfg.Redis.KeyPrefix, Timeout: timeout})
	if err != nil {
		release()
		return nil, nil, err
	}
	return c, release, nil
}

// newRedisClient returns a client for the redis section. It does not dial.
func newRedisClient(rc config.Redis, log *slog.Logger) (*redis.Client, error) {
	opt, err := redis.ParseURL(rc.URL.Reveal())
	if err != nil {
		// Its message may quote the URL and with it the password; config
		// validation has the details.
		return nil, errors.New("redis.url is not a Redis URL; rampart config check says why")
	}
	opt.DialTimeout = rc.DialTimeout
	opt.ReadTimeout = rc.ReadTimeout
	opt.WriteTimeout = rc.ReadTimeout
	opt.ContextTimeoutEnabled = true // each lockout call has its own deadline
	redis.SetLogger(redisLogger{log})
	return redis.NewClient(opt), nil
}

// redisLogger sends go-redis's own messages (failed dials, mostly) to the
// component's logger instead of standard error. go-redis has one logger
// per process; rampart sets it where it makes a client.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.LogAttrs(ctx, slog.LevelWarn, "redis client warning",
		slog.String("err", strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: ")))
}

// sharedStateKey reports whether a changed config key is one whose change
// takes a restart because it concerns the state nodes share: the Redis
// connection, and the lockout guard, which is made once so that its counts
// survive reloads.
func sharedStateKey(k string) bool {
	return strings.HasPrefix(k, "redis.") || strings.HasPrefix(k, "identity.lockout.")
}
