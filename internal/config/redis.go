package config

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Redis is the connection to the Redis that gateway nodes share state in.
// It is only dialled when a stage uses it (identity.lockout.backend:
// redis).
type Redis struct {
	// URL is redis://[USER:PASSWORD@]HOST[:PORT][/DB], rediss:// for TLS,
	// or unix://[USER:PASSWORD@]/PATH[?db=DB]; "" for no Redis. It usually
	// holds a password, so it is a secret: write it as ${env:…} or
	// ${file:…}.
	URL Secret `yaml:"url"`
	// KeyPrefix starts every key rampart writes (default "rampart:"), so
	// that one Redis can serve other applications, or several rampart
	// clusters, too.
	KeyPrefix string `yaml:"key_prefix"`
	// DialTimeout bounds connecting (default 2s).
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// ReadTimeout bounds waiting for an answer, and sending a command
	// (default 500ms). A sign-in waits for Redis at most about
	// dial_timeout + read_timeout, then fails closed.
	ReadTimeout time.Duration `yaml:"read_timeout"`
}

// maxKeyPrefix bounds redis.key_prefix.
const maxKeyPrefix = 64

// redis validates the redis section and what depends on it.
func (v *validator) redis() {
	rc := v.c.Redis
	v.positive("redis.dial_timeout", rc.DialTimeout)
	v.positive("redis.read_timeout", rc.ReadTimeout)
	switch p := rc.KeyPrefix; {
	case p == "":
		v.add("redis.key_prefix", []string{"redis"}, `is empty; a prefix keeps rampart's keys apart from other applications' in a shared Redis, e.g. "rampart:"`)
	case len(p) > maxKeyPrefix || hasControl(p) || strings.ContainsAny(p, " \t"):
		v.errf("redis.key_prefix", "%s: use at most %d characters without blanks or control characters, e.g. \"rampart:\"", v.show("redis.key_prefix", p), maxKeyPrefix)
	}
	if rc.URL != "" {
		if msg := checkRedisURL(rc.URL.Reveal()); msg != "" {
			v.errf("redis.url", "%s", msg)
		}
	}
	if v.oneOf("identity.lockout.backend", v.c.Identity.Lockout.Backend, "memory", "redis") &&
		v.c.Identity.Lockout.Backend == "redis" && rc.URL == "" {
		v.add("identity.lockout.backend", []string{"identity.lockout", "identity"},
			"is redis but redis.url is not set; set redis.url (e.g. url: ${env:RAMPART_REDIS_URL}, the variable holding redis://:PASSWORD@HOST:6379/0) or keep memory on a single node")
	}
}

// checkRedisURL checks a Redis URL as go-redis's ParseURL reads it and
// returns what is wrong with it, or "". It never quotes the URL, which may
// hold a password.
func checkRedisURL(s string) string {
	const eg = "write redis://[:PASSWORD@]HOST[:PORT][/DB], rediss://… for TLS, or unix:///PATH"
	if hasControl(s) || strings.ContainsAny(s, " \t") {
		return "contains spaces or control characters; " + eg
	}
	if !strings.Contains(s, "://") {
		return "has no scheme; " + eg
	}
	if strings.Contains(s, "#") {
		return "has a fragment (#…); remove it (a # in the password must be written %23)"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "is not a valid URL; " + eg
	}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Hostname() == "" {
			return "has no host; " + eg
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return "has an invalid port; a port is a number from 1 to 65535"
			}
		}
		if db := strings.Trim(u.Path, "/"); db != "" && !validDB(db) {
			return "has a path that is not a database number; write /0 to /15 (or nothing for 0) after the host"
		}
		if u.RawQuery != "" || u.ForceQuery {
			return "has a query (?…); remove it: rampart takes the timeouts from redis.dial_timeout and redis.read_timeout"
		}
	case "unix":
		if u.Host != "" || u.Path == "" {
			return "is not a socket path; write unix:///PATH (three slashes), e.g. unix:///run/redis/redis.sock"
		}
		for k, vs := range u.Query() {
			if k != "db" || len(vs) != 1 || !validDB(vs[0]) {
				return "has a query other than ?db=N; remove it: rampart takes the timeouts from redis.dial_timeout and redis.read_timeout"
			}
		}
	default:
		return "has an unknown scheme; use redis://, rediss:// (TLS) or unix://"
	}
	return ""
}

func validDB(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && isDigits(s) && n >= 0 && n < 1<<16
}

// lintRedis warns about the redis section: a password written in the file,
// one sent in clear text to another machine, and a Redis nothing uses.
func lintRedis(c *Config) []Warning {
	var ws []Warning
	warn := func(key, msg string) {
		ws = append(ws, Warning{File: c.Path, Key: key, Line: c.Line(key), Msg: msg})
	}
	if c.Redis.URL == "" {
		return nil
	}
	u, err := url.Parse(c.Redis.URL.Reveal())
	if err != nil {
		return nil // validation reports it
	}
	_, hasPassword := u.User.Password()
	if hasPassword && !c.Secrets["redis.url"] {
		warn("redis.url", "holds a password written in the config file, so everyone who can read the file (or a backup, or a repository it lands in) can use the Redis and lift lockouts; give the URL as ${env:RAMPART_REDIS_URL} or ${file:PATH}")
	}
	if hasPassword && u.Scheme == "redis" && !loopbackHost(u.Hostname()) {
		warn("redis.url", "sends the Redis password and the lockout counts unencrypted over redis:// to another machine, where they can be read or changed on the way; use rediss:// (TLS) or keep Redis on a trusted network")
	}
	if c.Identity.Lockout.Backend != "redis" {
		warn("redis.url", "is set but nothing uses it: identity.lockout.backend is memory, so each node counts failed sign-ins on its own and with N nodes an attacker gets N times identity.lockout.max_failures guesses; set identity.lockout.backend: redis")
	}
	return ws
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
