package config

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestRedisDefaults(t *testing.T) {
	c := mustParse(t, "rampart.yaml", minimal)
	want := Redis{KeyPrefix: "rampart:", DialTimeout: 2 * time.Second, ReadTimeout: 500 * time.Millisecond}
	if c.Redis != want {
		t.Errorf("Redis = %+v, want %+v", c.Redis, want)
	}
	if c.Identity.Lockout.Backend != "memory" {
		t.Errorf("identity.lockout.backend = %q, want memory", c.Identity.Lockout.Backend)
	}
	c = mustParse(t, "rampart.yaml", "redis:\n  url: redis://127.0.0.1:6379/2\n  key_prefix: \"edge-1:\"\n  dial_timeout: 1s\n  read_timeout: 250ms\nidentity:\n  lockout:\n    backend: redis\n"+minimal)
	if c.Redis.URL.Reveal() != "redis://127.0.0.1:6379/2" || c.Redis.KeyPrefix != "edge-1:" ||
		c.Redis.DialTimeout != time.Second || c.Redis.ReadTimeout != 250*time.Millisecond || c.Identity.Lockout.Backend != "redis" {
		t.Errorf("parsed %+v, backend %q", c.Redis, c.Identity.Lockout.Backend)
	}
}

func TestRedisURLs(t *testing.T) {
	tests := []struct {
		url  string
		want string // substring of the message; "" for valid
	}{
		{"redis://127.0.0.1:6379/0", ""},
		{"redis://:s3cret@redis", ""},
		{"redis://rampart:s3cret@redis.internal:6380/15", ""},
		{"rediss://:pw@[2001:db8::1]:6379/", ""},
		{"REDIS://redis", ""},
		{"unix:///run/redis/redis.sock", ""},
		{"unix:///run/redis/redis.sock?db=3", ""},
		{"unix://:pw@/run/redis.sock", ""},
		{"redis.internal:6379", "has no scheme"},
		{"http://redis:6379", "unknown scheme"},
		{"redis://", "has no host"},
		{"redis://:pw@:6379", "has no host"},
		{"redis://redis:99999", "invalid port"},
		{"redis://redis/db1", "not a database number"},
		{"redis://redis/1/2", "not a database number"},
		{"redis://redis/0?skip_verify=true", "has a query"},
		{"redis://redis/0?", "has a query"},
		{"redis://:pa#ss@redis", "fragment"},
		{"redis://:p ss@redis", "spaces"},
		{"redis://redis\n", "control"},
		{"redis://[::1", "not a valid URL"},
		{"unix://redis/sock", "not a socket path"},
		{"unix://", "not a socket path"},
		{"unix:///sock?db=x", "other than ?db=N"},
		{"unix:///sock?dial_timeout=1", "other than ?db=N"},
	}
	for _, tt := range tests {
		got := checkRedisURL(tt.url)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("checkRedisURL(%q) = %q, want %q", tt.url, got, tt.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, ":pw@") || strings.Contains(got, "p ss") || strings.Contains(got, "redis.internal") {
			t.Errorf("checkRedisURL(%q) = %q quotes the URL", tt.url, got)
		}
	}
}

// redisURLSeeds are TestRedisURLs' inputs, for the fuzz target.
var redisURLSeeds = []string{
	"redis://127.0.0.1:6379/0", "redis://:s3cret@redis", "rediss://:pw@[2001:db8::1]:6379/", "unix:///run/redis.sock?db=3",
	"unix://:pw@/run/redis.sock", "redis://", "redis://redis/1/2", "redis://redis/0?skip_verify=true", "redis://[::1",
	"REDIS://redis", "redis://%zz@redis", "redis://redis:0", "redis://redis/-1", "unix://", "redis://redis/00",
}

// FuzzCheckRedisURL checks the validation against go-redis, which reads the
// URL at start: a URL config accepts is one ParseURL accepts, with no
// query parameter that would override a setting.
func FuzzCheckRedisURL(f *testing.F) {
	for _, s := range redisURLSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1024 {
			return
		}
		if checkRedisURL(s) != "" {
			return
		}
		opt, err := redis.ParseURL(s)
		if err != nil {
			t.Fatalf("checkRedisURL(%q) accepts it, redis.ParseURL = %v", s, err)
		}
		if opt.DialTimeout != 0 || opt.ReadTimeout != 0 || opt.TLSConfig != nil && opt.TLSConfig.InsecureSkipVerify {
			t.Fatalf("checkRedisURL(%q) accepts a URL that sets options: %+v", s, opt)
		}
	})
}

func TestRedisErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		in   string
		env  map[string]string
		want []wantErr
	}{
		{"redis backend without url", "identity:\n  lockout:\n    backend: redis\n" + minimal,
			nil, []wantErr{{3, "identity.lockout.backend", "is redis but redis.url is not set"}}},
		{"unknown backend", "identity:\n  lockout:\n    backend: memcached\n" + minimal,
			nil, []wantErr{{3, "identity.lockout.backend", `"memcached" is not one of memory, redis`}}},
		{"bad url from a secret", "redis:\n  url: ${env:RAMPART_TEST_REDIS_URL}\n" + minimal,
			map[string]string{"RAMPART_TEST_REDIS_URL": "http://:hunter2@redis"}, []wantErr{{2, "redis.url", "unknown scheme"}}},
		{"bad url in the file", "redis:\n  url: \"redis://:hunter2@redis/x\"\n" + minimal,
			nil, []wantErr{{2, "redis.url", "not a database number"}}},
		{"empty prefix", "redis:\n  key_prefix: \"\"\n" + minimal,
			nil, []wantErr{{2, "redis.key_prefix", "is empty"}}},
		{"prefix with a line break", "redis:\n  key_prefix: \"a\\nb\"\n" + minimal,
			nil, []wantErr{{2, "redis.key_prefix", "without blanks or control characters"}}},
		{"timeouts", "redis:\n  dial_timeout: 0s\n  read_timeout: -1s\n" + minimal,
			nil, []wantErr{{2, "redis.dial_timeout", "not positive"}, {3, "redis.read_timeout", "not positive"}}},
		{"unknown key", "redis:\n  addr: redis:6379\n" + minimal,
			nil, []wantErr{{2, "redis.addr", "unknown key"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(dir, "rampart.yaml")
			_, err := Parse(path, []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error; want errors", tt.in)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password:\n%v", err)
			}
			got := errorsOf(t, err)
			if len(got) != len(tt.want) {
				t.Errorf("Parse(%q) returned %d errors, want %d:\n%v", tt.in, len(got), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(e *Error) bool {
					return e.File == path && e.Line == w.line && e.Key == w.key && strings.Contains(e.Msg, w.msg)
				}) {
					t.Errorf("Parse(%q) errors:\n%v\nwant one at line %d, key %q containing %q", tt.in, err, w.line, w.key, w.msg)
				}
			}
		})
	}
}

func TestRedisLint(t *testing.T) {
	const used = "identity:\n  lockout:\n    backend: redis\n"
	tests := []struct {
		name string
		in   string
		env  map[string]string
		want []string // "key@line: substring"
	}{
		{"no redis", minimal, nil, nil},
		{"secret url, used", "redis:\n  url: ${env:RAMPART_TEST_REDIS_URL}\n" + used + minimal,
			map[string]string{"RAMPART_TEST_REDIS_URL": "rediss://:hunter2@redis.internal"}, nil},
		{"loopback without TLS", "redis:\n  url: ${env:RAMPART_TEST_REDIS_URL}\n" + used + minimal,
			map[string]string{"RAMPART_TEST_REDIS_URL": "redis://:hunter2@127.0.0.1:6379"}, nil},
		{"no password, no TLS", "redis:\n  url: redis://redis.internal\n" + used + minimal, nil, nil},
		{"password in the file", "redis:\n  url: rediss://:hunter2@redis.internal\n" + used + minimal,
			nil, []string{"redis.url@2: written in the config file"}},
		{"password in clear text", "redis:\n  url: ${env:RAMPART_TEST_REDIS_URL}\n" + used + minimal,
			map[string]string{"RAMPART_TEST_REDIS_URL": "redis://:hunter2@redis.internal"}, []string{"redis.url@2: unencrypted"}},
		{"unused", "redis:\n  url: redis://127.0.0.1\n" + minimal, nil, []string{"redis.url@2: nothing uses it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c := mustParse(t, "rampart.yaml", tt.in)
			var got []Warning
			for _, w := range Lint(c) {
				if strings.HasPrefix(w.Key, "redis.") {
					got = append(got, w)
				}
				if strings.Contains(w.Msg, "hunter2") {
					t.Errorf("warning shows the password: %s", w)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("redis warnings = %v, want %v", got, tt.want)
			}
			for _, w := range tt.want {
				key, msg, _ := strings.Cut(w, ": ")
				if !slices.ContainsFunc(got, func(g Warning) bool {
					return g.Key+"@"+strconv.Itoa(g.Line) == key && strings.Contains(g.Msg, msg)
				}) {
					t.Errorf("redis warnings = %v, want one %q", got, w)
				}
			}
		})
	}
}

// TestRedisURLSecret checks that the URL never leaves the config in the
// clear: not in the printed config, and only by key in a diff.
func TestRedisURLSecret(t *testing.T) {
	a := mustParse(t, "rampart.yaml", "redis:\n  url: redis://:hunter2@127.0.0.1\n"+minimal)
	out, err := Redacted(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), "url: '[redacted]'") && !strings.Contains(string(out), `url: "[redacted]"`) {
		t.Errorf("Redacted shows the Redis URL or does not redact it:\n%s", out)
	}
	b := mustParse(t, "rampart.yaml", "redis:\n  url: redis://:hunter3@127.0.0.1\n"+minimal)
	if d := Diff(a, b); !slices.Equal(d, []string{"redis.url"}) {
		t.Errorf("Diff = %v, want [redis.url]", d)
	}
}
