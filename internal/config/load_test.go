package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

type wantErr struct {
	line int
	key  string
	msg  string // substring of Msg
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := writeFile(t, dir, "notpem.txt", "hello\n")
	tests := []struct {
		name string
		in   string
		env  map[string]string
		want []wantErr
	}{
		{"identity without a key", "identity:\n  enabled: true\n" + minimal,
			nil, []wantErr{{1, "identity.secrets_key", "is required when identity.enabled is true"}}},
		{"identity key too short", "identity:\n  enabled: true\n  secrets_key: ${env:RK}\n" + minimal,
			map[string]string{"RK": "c2hvcnQ="}, []wantErr{{3, "identity.secrets_key", "decodes to 5 bytes, want 32"}}},
		{"access rule glob", "identity:\n  access:\n    rules:\n      - paths: [\"/a/**x\"]\n        policy: public\n" + minimal,
			nil, []wantErr{{4, "identity.access.rules[0].paths[0]", "**"}}},
		{"access policy", "identity:\n  access:\n    default: allow\n" + minimal,
			nil, []wantErr{{3, "identity.access.default", "is not public, authenticated or deny"}}},
		{"password too short", "identity:\n  password:\n    min_length: 6\n" + minimal,
			nil, []wantErr{{3, "identity.password.min_length", "below 8"}}},
		{"unknown key with hint", "limits:\n  max_body_byte: 10\n" + minimal,
			nil, []wantErr{{2, "limits.max_body_byte", `unknown key "max_body_byte"; did you mean "max_body_bytes"?`}}},
		{"unknown key lists keys", "frobnicate: 1\n" + minimal,
			nil, []wantErr{{1, "frobnicate", "valid keys here are node, listen, tls"}}},
		{"unknown route key", "routes:\n  - name: app\n    upstream: [http://a]\n    upstreams: [http://a]\n",
			nil, []wantErr{{3, "routes[0].upstream", "expected a mapping with keys tls_skip_verify"}}},
		{"string for int", "server:\n  max_concurrent_requests: abc\n" + minimal,
			nil, []wantErr{{2, "server.max_concurrent_requests", `"abc" is not an integer`}}},
		{"list for string", "node: [a, b]\n" + minimal,
			nil, []wantErr{{1, "node", "expected a string, got a list"}}},
		{"scalar for mapping", "listen: \":8080\"\n" + minimal,
			nil, []wantErr{{1, "listen", "expected a mapping with keys http, https, redirect_https, admin, got a single value"}}},
		{"scalar for list", "trusted_proxies: 10.0.0.0/8\n" + minimal,
			nil, []wantErr{{1, "trusted_proxies", "expected a list"}}},
		{"bad duration", "server:\n  read_timeout: abc\n" + minimal,
			nil, []wantErr{{2, "server.read_timeout", `"abc" is not a duration; write a number with a unit`}}},
		{"duration without unit", "server:\n  read_timeout: 30\n" + minimal,
			nil, []wantErr{{2, "server.read_timeout", `"30" has no unit; write a duration such as 30s`}}},
		{"bad size", "limits:\n  max_body_bytes: 10 parsecs\n" + minimal,
			nil, []wantErr{{2, "limits.max_body_bytes", `"10 parsecs" is not a size`}}},
		{"size overflow", "limits:\n  max_body_bytes: 9999999999GiB\n" + minimal,
			nil, []wantErr{{2, "limits.max_body_bytes", "is too large"}}},
		{"bad bool", "headers:\n  mask_5xx: yes\n" + minimal,
			nil, []wantErr{{2, "headers.mask_5xx", `"yes" is not a boolean; write true or false`}}},
		{"empty int", "server:\n  max_concurrent_requests:\n" + minimal,
			nil, []wantErr{{2, "server.max_concurrent_requests", "has no value"}}},
		{"bad enum", "log:\n  level: info\nwaf:\n  mode: detct\n" + minimal,
			nil, []wantErr{{4, "waf.mode", `"detct" is not one of block, detect, off`}}},
		{"bad route enum", "routes:\n  - name: app\n    upstreams: [http://a]\n    waf: {mode: blok}\n",
			nil, []wantErr{{4, "routes[0].waf.mode", `"blok" is not one of block, detect, off`}}},
		{"unknown scheme", "routes:\n  - name: app\n    upstreams:\n      - htp://app:8000\n",
			nil, []wantErr{{4, "routes[0].upstreams[0]", `"htp://app:8000" has an unknown scheme; use http:// or https://`}}},
		{"no scheme", "routes:\n  - name: app\n    upstreams: [app:8000]\n",
			nil, []wantErr{{3, "routes[0].upstreams[0]", "has no scheme"}}},
		{"userinfo", "routes:\n  - name: app\n    upstreams: [\"http://u:p@app\"]\n",
			nil, []wantErr{{3, "routes[0].upstreams[0]", "would leak the credentials"}}},
		{"query", "routes:\n  - name: app\n    upstreams: [\"http://app/?a=b\"]\n",
			nil, []wantErr{{3, "routes[0].upstreams[0]", "has a query"}}},
		{"fragment", "routes:\n  - name: app\n    upstreams: [\"http://app/#x\"]\n",
			nil, []wantErr{{3, "routes[0].upstreams[0]", "has a fragment"}}},
		{"no host", "routes:\n  - name: app\n    upstreams: [\"http:///x\"]\n",
			nil, []wantErr{{3, "routes[0].upstreams[0]", "has no host"}}},
		{"no upstreams", "routes:\n  - name: app\n",
			nil, []wantErr{{2, "routes[0].upstreams", "is required"}}},
		{"duplicate route name", "routes:\n  - name: app\n    upstreams: [http://a]\n  - name: app\n    path_prefix: /x\n    upstreams: [http://b]\n",
			nil, []wantErr{{4, "routes[1].name", `"app" is already the name of routes[0]`}}},
		{"bad route name", "routes:\n  - name: My App\n    upstreams: [http://a]\n",
			nil, []wantErr{{2, "routes[0].name", `"My App" may only use a-z, 0-9, - and _ (at most 64), e.g. "my-app"`}}},
		{"missing route name", "routes:\n  - upstreams: [http://a]\n",
			nil, []wantErr{{2, "routes[0].name", "is required"}}},
		{"same host and prefix", "routes:\n  - name: a\n    upstreams: [http://a]\n  - name: b\n    path_prefix: /\n    upstreams: [http://b]\n",
			nil, []wantErr{{5, "routes[1].path_prefix", "any host with this path_prefix is already matched by routes[0]"}}},
		{"host with port", "routes:\n  - name: a\n    hosts: [\"example.com:443\"]\n    upstreams: [http://a]\n",
			nil, []wantErr{{3, "routes[0].hosts[0]", `"example.com:443" includes a port; hosts match without one; write "example.com"`}}},
		{"host uppercase", "routes:\n  - name: a\n    hosts: [Example.com]\n    upstreams: [http://a]\n",
			nil, []wantErr{{3, "routes[0].hosts[0]", `write "example.com"`}}},
		{"bad wildcard", "routes:\n  - name: a\n    hosts: [\"a.*.com\"]\n    upstreams: [http://a]\n",
			nil, []wantErr{{3, "routes[0].hosts[0]", "may only use * as a whole first label"}}},
		{"prefix without slash", "routes:\n  - name: a\n    path_prefix: api\n    upstreams: [http://a]\n",
			nil, []wantErr{{3, "routes[0].path_prefix", `"api" must start with /`}}},
		{"prefix with trailing slash", "routes:\n  - name: a\n    path_prefix: /api/\n    upstreams: [http://a]\n",
			nil, []wantErr{{3, "routes[0].path_prefix", `write "/api"`}}},
		{"duplicate key", "log:\n  level: info\n  level: debug\n" + minimal,
			nil, []wantErr{{3, "log.level", "is set twice (first at line 2)"}}},
		{"missing env secret", "store:\n  dsn: \"postgres://u:${env:RAMPART_TEST_UNSET_VAR}@h/db\"\n" + minimal,
			nil, []wantErr{{2, "store.dsn", "environment variable RAMPART_TEST_UNSET_VAR is not set"}}},
		{"missing secret file", "store:\n  dsn: ${file:nope.txt}\n" + minimal,
			nil, []wantErr{{2, "store.dsn", `secret file "` + filepath.Join(dir, "nope.txt") + `" does not exist`}}},
		{"secret file is a directory", "store:\n  dsn: ${file:.}\n" + minimal,
			nil, []wantErr{{2, "store.dsn", "is not a regular file"}}},
		{"unknown reference", "node: ${vault:x}\n" + minimal,
			nil, []wantErr{{1, "node", `"${vault:x}" is not a secret reference`}}},
		{"unclosed reference", "node: ${env:X\n" + minimal,
			nil, []wantErr{{1, "node", "is not closed"}}},
		{"aliases", "limits: &l\n  max_body_bytes: 10\nroutes:\n  - name: app\n    upstreams: [http://a]\n    limits: *l\n",
			nil, []wantErr{{6, "", "YAML aliases (*l) are not supported"}}},
		{"merge key", "base: &b {a: 1}\nother:\n  <<: *b\n",
			nil, []wantErr{{3, "", "YAML aliases (*b) are not supported"}}},
		{"syntax error", "listen:\n  http: \":8080\"\n bad: [\n",
			nil, []wantErr{{2, "", "invalid YAML: did not find expected key"}}},
		{"second document", minimal + "---\nnode: x\n",
			nil, []wantErr{{6, "", "a second YAML document"}}},
		{"root not a mapping", "- a\n- b\n",
			nil, []wantErr{{1, "", "expected a mapping with keys node, listen"}}},
		{"no routes", "",
			nil, []wantErr{{0, "routes", "at least one route is required"}}},
		{"no listeners", "listen:\n  http: \"\"\n" + minimal,
			nil, []wantErr{{1, "listen", "neither http nor https is set"}}},
		{"bare port", "listen:\n  http: \"8080\"\n" + minimal,
			nil, []wantErr{{2, "listen.http", `"8080" is a bare port; write ":8080"`}}},
		{"bad port", "listen:\n  admin: \"127.0.0.1:70000\"\n" + minimal,
			nil, []wantErr{{2, "listen.admin", "has an invalid port"}}},
		{"https without certificate", "listen:\n  https: \":8443\"\n" + minimal,
			nil, []wantErr{{2, "tls.cert_file", "is required when listen.https is set"}, {2, "tls.key_file", "is required"}}},
		{"certificate missing", "listen:\n  https: \":8443\"\ntls:\n  cert_file: c.pem\n  key_file: k.pem\n" + minimal,
			nil, []wantErr{{4, "tls.cert_file", "does not exist"}, {5, "tls.key_file", "does not exist"}}},
		{"certificate not PEM", "listen:\n  https: \":8443\"\ntls:\n  cert_file: notpem.txt\n  key_file: notpem.txt\n" + minimal,
			nil, []wantErr{{5, "tls.key_file", "does not make a usable key pair"}}},
		{"bad ca file", "upstream:\n  ca_file: " + notPEM + "\n" + minimal,
			nil, []wantErr{{2, "upstream.ca_file", "holds no PEM certificate"}}},
		{"tls version", "tls:\n  min_version: 1.4\n" + minimal,
			nil, []wantErr{{2, "tls.min_version", `"1.4" is not one of 1.2, 1.3`}}},
		{"redirect without https", "listen:\n  redirect_https: true\n" + minimal,
			nil, []wantErr{{2, "listen.redirect_https", "listen.https is not set"}}},
		{"bad trusted proxy", "trusted_proxies:\n  - 10.0.0.0/8\n  - 10.0.0.300\n" + minimal,
			nil, []wantErr{{3, "trusted_proxies[1]", `"10.0.0.300" is not an IP address or CIDR prefix`}}},
		{"bad request id header", "request_id:\n  header: \"X Request\"\n" + minimal,
			nil, []wantErr{{2, "request_id.header", "is not a valid header name"}}},
		{"small limits", "limits:\n  max_url_bytes: 100\n  max_header_count: 5\n  max_header_bytes: 512\n  max_body_bytes: 0\n" + minimal,
			nil, []wantErr{
				{2, "limits.max_url_bytes", `"100" is below the minimum of 256`},
				{3, "limits.max_header_count", "minimum of 10"},
				{4, "limits.max_header_bytes", "minimum of 1024"},
				{5, "limits.max_body_bytes", "minimum of 1"},
			}},
		{"zero timeout", "server:\n  write_timeout: 0s\n" + minimal,
			nil, []wantErr{{2, "server.write_timeout", "must be longer than 0"}}},
		{"header timeout over read timeout", "server:\n  read_timeout: 5s\n  read_header_timeout: 10s\n" + minimal,
			nil, []wantErr{{3, "server.read_header_timeout", "is longer than server.read_timeout"}}},
		{"max concurrent", "server:\n  max_concurrent_requests: 0\n" + minimal,
			nil, []wantErr{{2, "server.max_concurrent_requests", "minimum of 1"}}},
		{"log enums", "log:\n  level: loud\n  format: xml\n" + minimal,
			nil, []wantErr{{2, "log.level", "is not one of debug, info, warn, error"}, {3, "log.format", "is not one of json, text"}}},
		{"postgres", "store:\n  driver: postgres\n" + minimal,
			nil, []wantErr{{2, "store.driver", "postgres arrives in a later release"}}},
		{"same site", "headers:\n  cookies:\n    same_site: relaxed\n" + minimal,
			nil, []wantErr{{3, "headers.cookies.same_site", `is not one of lax, strict, none, ""`}}},
		{"same site none without secure", "headers:\n  cookies:\n    secure: false\n    same_site: none\n" + minimal,
			nil, []wantErr{{4, "headers.cookies.same_site", "is none but cookies.secure is false"}}},
		{"header injection", "headers:\n  referrer_policy: \"origin\\r\\nSet-Cookie: x=y\"\n" + minimal,
			nil, []wantErr{{2, "headers.referrer_policy", "control character"}}},
		{"bad remove entry", "headers:\n  remove: [\"X Bad\"]\n" + minimal,
			nil, []wantErr{{2, "headers.remove[0]", "is not a header name"}}},
		{"expect status", "upstream:\n  health_check:\n    expect_status: 20x\n" + minimal,
			nil, []wantErr{{3, "upstream.health_check.expect_status", `"20x" is not a status pattern`}}},
		{"health check path", "upstream:\n  health_check:\n    path: healthz\n" + minimal,
			nil, []wantErr{{3, "upstream.health_check.path", "write one starting with /"}}},
		{"bad route limit", "routes:\n  - name: app\n    upstreams: [http://a]\n    limits:\n      max_header_count: 1\n",
			nil, []wantErr{{5, "routes[0].limits.max_header_count", "minimum of 10"}}},
		{"global limit reported once", "limits:\n  max_url_bytes: 100\nroutes:\n  - name: a\n    upstreams: [http://a]\n  - name: b\n    path_prefix: /b\n    upstreams: [http://b]\n",
			nil, []wantErr{{2, "limits.max_url_bytes", "minimum of 256"}}},
		{"many errors at once", "listen:\n  htp: x\nserver:\n  read_timeout: soon\nwaf:\n  mode: detct\nroutes:\n  - name: app\n    upstreams: [htp://a]\n",
			nil, []wantErr{
				{2, "listen.htp", `did you mean "http"?`},
				{4, "server.read_timeout", "is not a duration"},
				{6, "waf.mode", "is not one of"},
				{9, "routes[0].upstreams[0]", "unknown scheme"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(dir, "rampart.yaml")
			c, err := Parse(path, []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, nil; want errors", tt.in, c)
			}
			if c != nil {
				t.Errorf("Parse returned a config with its error")
			}
			got := errorsOf(t, err)
			if len(got) != len(tt.want) {
				t.Errorf("Parse(%q) returned %d errors, want %d:\n%v", tt.in, len(got), len(tt.want), err)
			}
			for _, w := range tt.want {
				found := slices.ContainsFunc(got, func(e *Error) bool {
					return e.File == path && e.Line == w.line && e.Key == w.key && strings.Contains(e.Msg, w.msg)
				})
				if !found {
					t.Errorf("Parse(%q) errors:\n%v\nwant one at line %d, key %q containing %q", tt.in, err, w.line, w.key, w.msg)
				}
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"full", &Error{"rampart.yaml", 14, "routes[0].upstreams[0]", "bad"}, "rampart.yaml:14: routes[0].upstreams[0]: bad"},
		{"no line", &Error{"rampart.yaml", 0, "routes", "bad"}, "rampart.yaml: routes: bad"},
		{"no key", &Error{"rampart.yaml", 3, "", "bad"}, "rampart.yaml:3: bad"},
		{"no file", &Error{"", 0, "routes", "bad"}, "routes: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrorLine(t *testing.T) {
	// The example from STYLE.md, end to end.
	in := "routes:\n  - name: app\n    upstreams:\n      - http://ok:1\n      - htp://app:8000\n"
	_, err := Parse("rampart.yaml", []byte(in))
	want := `rampart.yaml:5: routes[0].upstreams[1]: "htp://app:8000" has an unknown scheme; use http:// or https://`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}

func TestSizeCap(t *testing.T) {
	data := make([]byte, MaxFileSize+1)
	for i := range data {
		data[i] = '#'
	}
	_, err := Parse("big.yaml", data)
	errs := errorsOf(t, err)
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "at most 4 MiB") {
		t.Fatalf("Parse(4 MiB + 1) = %v, want the size error", err)
	}
	p := writeFile(t, t.TempDir(), "big.yaml", string(data))
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "at most 4 MiB") {
		t.Errorf("Load(4 MiB + 1) = %v, want the size error", err)
	}
}

func TestNodeLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("trusted_proxies:\n")
	for range maxNodes {
		b.WriteString("- 1\n")
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	errs := errorsOf(t, err)
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "more than 100000 YAML nodes") {
		t.Fatalf("Parse(%d nodes) = %v, want the node limit error", maxNodes+2, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, "rampart.yaml", minimal)
	want := Default()
	want.Routes = []Route{want.NewRoute("app", "http://127.0.0.1:3000")}
	if d := Diff(want, c); len(d) != 0 {
		t.Errorf("Parse(minimal) differs from Default() in %v", d)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen.http", c.Listen.HTTP, ":8080"},
		{"listen.admin", c.Listen.Admin, "127.0.0.1:9090"},
		{"tls.min_version", c.TLS.MinVersion, "1.2"},
		{"server.read_timeout", c.Server.ReadTimeout, 30 * time.Second},
		{"limits.max_body_bytes", c.Limits.MaxBodyBytes, int64(10 << 20)},
		{"headers.hsts", *c.Headers.HSTS, true},
		{"headers.mask_5xx", c.Headers.Mask5xx, true},
		{"headers.cookies.same_site", c.Headers.Cookies.SameSite, "lax"},
		{"headers.remove has Server", slices.Contains(c.Headers.Remove, "Server"), true},
		{"session.cookie_secure", *c.Session.CookieSecure, true},
		{"waf.mode", c.WAF.Mode, "block"},
		{"store.event_retention", c.Store.EventRetention, 720 * time.Hour},
		{"routes[0].path_prefix", c.Routes[0].PathPrefix, "/"},
		{"routes[0].line", c.Routes[0].Line, 3},
		{"secrets", len(c.Secrets), 0},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestEmptyFile(t *testing.T) {
	for _, in := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		_, err := Parse("rampart.yaml", []byte(in))
		errs := errorsOf(t, err)
		if len(errs) != 1 || errs[0].Key != "routes" {
			t.Errorf("Parse(%q) = %v, want only the missing routes error", in, err)
		}
	}
}

func TestTrueDefaultsCanBeTurnedOff(t *testing.T) {
	c := mustParse(t, "rampart.yaml", `
headers:
  hsts: false
  mask_5xx: false
  cookies: {secure: false, http_only: false, same_site: ""}
session:
  cookie_secure: false
log:
  access_log: false
`+minimal)
	got := []bool{*c.Headers.HSTS, c.Headers.Mask5xx, c.Headers.Cookies.Secure, c.Headers.Cookies.HTTPOnly,
		*c.Session.CookieSecure, c.Log.AccessLog, *c.Routes[0].Headers.HSTS, c.Routes[0].Headers.Mask5xx}
	for i, b := range got {
		if b {
			t.Errorf("bool %d is still true", i)
		}
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1024", 1024},
		{"10MiB", 10 << 20},
		{"512KiB", 512 << 10},
		{"1MB", 1_000_000},
		{"2 GiB", 2 << 30},
		{"7b", 7},
		{"1kb", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c := mustParse(t, "r.yaml", "limits:\n  max_body_bytes: "+tt.in+"\n  max_header_bytes: 64KiB\n"+minimal)
			if c.Limits.MaxBodyBytes != tt.want {
				t.Errorf("max_body_bytes: %s = %d, want %d", tt.in, c.Limits.MaxBodyBytes, tt.want)
			}
			if c.Limits.MaxHeaderBytes != 64<<10 {
				t.Errorf("max_header_bytes: 64KiB = %d", c.Limits.MaxHeaderBytes)
			}
		})
	}
}

func TestInheritance(t *testing.T) {
	c := mustParse(t, "rampart.yaml", `
limits:
  max_url_bytes: 4096
headers:
  hsts: false
  remove: [X-A, X-B]
  cookies: {same_site: strict}
upstream:
  dial_timeout: 3s
  health_check: {path: /health, interval: 5s}
waf:
  mode: detect
routes:
  - name: inherits
    upstreams: [http://a]
  - name: overrides
    path_prefix: /api
    upstreams: [http://b]
    limits: {max_body_bytes: 1024}
    headers:
      frame_options: SAMEORIGIN
      cookies: {http_only: false}
    upstream:
      health_check: {interval: 30s, timeout: 3s}
    waf: {mode: block}
  - name: replaces-list
    path_prefix: /r
    upstreams: [http://c]
    headers: {remove: [X-C], hsts: true}
`)
	in, ov, rl := c.Routes[0], c.Routes[1], c.Routes[2]
	if !reflect.DeepEqual(in.Limits, c.Limits) || !reflect.DeepEqual(in.WAF, c.WAF) || in.Upstream != c.Upstream {
		t.Errorf("route without blocks did not inherit them: %+v", in)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"overrides.limits.max_body_bytes", ov.Limits.MaxBodyBytes, int64(1024)},
		{"overrides.limits.max_url_bytes", ov.Limits.MaxURLBytes, 4096},
		{"overrides.limits.max_header_count", ov.Limits.MaxHeaderCount, 100},
		{"overrides.headers.frame_options", ov.Headers.FrameOptions, "SAMEORIGIN"},
		{"overrides.headers.hsts", *ov.Headers.HSTS, false},
		{"overrides.headers.remove", strings.Join(ov.Headers.Remove, ","), "X-A,X-B"},
		{"overrides.headers.cookies.same_site", ov.Headers.Cookies.SameSite, "strict"},
		{"overrides.headers.cookies.http_only", ov.Headers.Cookies.HTTPOnly, false},
		{"overrides.headers.cookies.secure", ov.Headers.Cookies.Secure, true},
		{"overrides.upstream.dial_timeout", ov.Upstream.DialTimeout, 3 * time.Second},
		{"overrides.upstream.health_check.path", ov.Upstream.HealthCheck.Path, "/health"},
		{"overrides.upstream.health_check.interval", ov.Upstream.HealthCheck.Interval, 30 * time.Second},
		{"overrides.upstream.health_check.timeout", ov.Upstream.HealthCheck.Timeout, 3 * time.Second},
		{"overrides.waf.mode", ov.WAF.Mode, "block"},
		{"global headers.frame_options", c.Headers.FrameOptions, "DENY"},
		{"global limits.max_body_bytes", c.Limits.MaxBodyBytes, int64(10 << 20)},
		{"replaces-list.headers.remove", strings.Join(rl.Headers.Remove, ","), "X-C"},
		{"replaces-list.headers.hsts", *rl.Headers.HSTS, true},
		{"global headers.hsts", *c.Headers.HSTS, false},
		{"inherits.path_prefix", in.PathPrefix, "/"},
		{"overrides.line", ov.Line, 16},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	// Routes hold copies: changing one changes nothing else.
	in.Headers.Remove[0] = "changed"
	*in.Headers.HSTS = true
	if c.Headers.Remove[0] != "X-A" || ov.Headers.Remove[0] != "X-A" || *c.Headers.HSTS || *ov.Headers.HSTS {
		t.Errorf("a route's headers alias the global ones")
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pgpass", "file-secret\n")
	writeFile(t, dir, "csp", "default-src 'none'\r\n")
	t.Setenv("RAMPART_TEST_UP", "http://10.1.2.3:8000")
	t.Setenv("RAMPART_TEST_NODE", "edge-1")
	c := mustParse(t, filepath.Join(dir, "rampart.yaml"), `
node: ${env:RAMPART_TEST_NODE}
store:
  dsn: "postgres://rampart:${file:pgpass}@db/rampart"
headers:
  content_security_policy: ${file:csp}
  permissions_policy: "literal $${env:NOT_A_SECRET}"
routes:
  - name: app
    upstreams: ["${env:RAMPART_TEST_UP}", http://b]
  - name: own-csp
    path_prefix: /x
    upstreams: [http://c]
    headers: {content_security_policy: "default-src 'self'"}
`)
	checks := []struct{ name, got, want string }{
		{"node", c.Node, "edge-1"},
		{"store.dsn", c.Store.DSN.Reveal(), "postgres://rampart:file-secret@db/rampart"},
		{"headers.content_security_policy", c.Headers.ContentSecurityPolicy, "default-src 'none'"},
		{"headers.permissions_policy", c.Headers.PermissionsPolicy, "literal ${env:NOT_A_SECRET}"},
		{"routes[0].upstreams[0]", c.Routes[0].Upstreams[0], "http://10.1.2.3:8000"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	var got []string
	for k := range c.Secrets {
		got = append(got, k)
	}
	slices.Sort(got)
	want := []string{"headers.content_security_policy", "node", "routes[0].headers.content_security_policy",
		"routes[0].upstreams[0]", "store.dsn"}
	if !slices.Equal(got, want) {
		t.Errorf("Secrets = %v, want %v", got, want)
	}
	if len(c.files) != 2 {
		t.Errorf("files = %v, want the two secret files", c.files)
	}
}

// TestSecretsNeverShown puts one distinctive secret into every place that
// can show a value and checks it appears in none of them.
func TestSecretsNeverShown(t *testing.T) {
	const secret = "s3cr3t-xyzzy"
	dir := t.TempDir()
	writeFile(t, dir, "secret.txt", secret+"\n")
	t.Setenv("RAMPART_TEST_SECRET", secret)
	t.Setenv("RAMPART_TEST_BAD_URL", "htp://"+secret)
	t.Setenv("RAMPART_TEST_ADMIN", "0.0.0.0:9999")

	bad := `
node: ${env:RAMPART_TEST_SECRET}
listen:
  http: ${env:RAMPART_TEST_SECRET}
server:
  read_timeout: ${env:RAMPART_TEST_SECRET}
  max_concurrent_requests: "${file:secret.txt}"
limits:
  max_body_bytes: ${env:RAMPART_TEST_SECRET}
waf:
  mode: ${file:secret.txt}
trusted_proxies: ["${env:RAMPART_TEST_SECRET}"]
headers:
  mask_5xx: ${env:RAMPART_TEST_SECRET}
  remove: ["${env:RAMPART_TEST_SECRET} x"]
routes:
  - name: ${env:RAMPART_TEST_SECRET}X
    hosts: ["${env:RAMPART_TEST_SECRET}:80", "A${env:RAMPART_TEST_SECRET}"]
    path_prefix: ${env:RAMPART_TEST_SECRET}
    upstreams: ["${env:RAMPART_TEST_BAD_URL}", "http://u:${env:RAMPART_TEST_SECRET}@h"]
`
	_, err := Parse(filepath.Join(dir, "rampart.yaml"), []byte(bad))
	errs := errorsOf(t, err)
	if len(errs) < 10 {
		t.Errorf("got %d errors, want one per bad value:\n%v", len(errs), err)
	}
	if strings.Contains(strings.ToLower(err.Error()), secret) {
		t.Errorf("errors show the secret:\n%v", err)
	}

	good := `
node: ${env:RAMPART_TEST_SECRET}
listen:
  admin: ${env:RAMPART_TEST_ADMIN}
store:
  dsn: "postgres://u:${file:secret.txt}@h/db"
headers:
  content_security_policy: "default-src 'self' ${env:RAMPART_TEST_SECRET}"
  remove: ["X-${env:RAMPART_TEST_SECRET}"]
waf:
  mode: detect
routes:
  - name: app
    hosts: ["${env:RAMPART_TEST_SECRET}.example.com"]
    upstreams: ["http://${env:RAMPART_TEST_SECRET}:8000"]
`
	c := mustParse(t, filepath.Join(dir, "rampart.yaml"), good)
	if c.Node != secret {
		t.Fatalf("node = %q, want the secret substituted", c.Node)
	}
	ws := Lint(c)
	var lint []string
	for _, w := range ws {
		lint = append(lint, w.String())
	}
	if !slices.ContainsFunc(ws, func(w Warning) bool { return w.Key == "listen.admin" }) {
		t.Errorf("Lint did not warn about the admin listener: %v", lint)
	}
	out, err := Redacted(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("RAMPART_TEST_SECRET", "changed")
	c2 := mustParse(t, filepath.Join(dir, "rampart.yaml"), good)
	diff := Diff(c, c2)
	if !slices.Contains(diff, "node") || !slices.Contains(diff, "routes[app].upstreams") {
		t.Errorf("Diff = %v, want the secret-derived keys listed", diff)
	}
	for name, text := range map[string]string{
		"Lint":     strings.Join(lint, "\n"),
		"Redacted": string(out),
		"Diff":     strings.Join(diff, "\n"),
		"admin":    strings.Join(lint, "\n"),
	} {
		if strings.Contains(strings.ToLower(text), secret) || name == "admin" && strings.Contains(text, "0.0.0.0:9999") {
			t.Errorf("%s shows the secret:\n%s", name, text)
		}
	}
}

func TestExampleFile(t *testing.T) {
	const path = "../../rampart.example.yaml"
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s):\n%v", path, err)
	}
	if len(c.Routes) != 2 {
		t.Errorf("example has %d routes, want 2", len(c.Routes))
	}
	// The example spells out the defaults: apart from its routes it must
	// equal Default(), so the two cannot drift apart.
	d := Default()
	d.Routes = c.Routes
	if diff := Diff(d, c); len(diff) != 0 {
		t.Errorf("example's global settings differ from Default() in %v", diff)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseYAML(path, data)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	var walk func(n *yamlNode, key string)
	walk = func(n *yamlNode, key string) {
		switch n.Kind {
		case yamlMapping:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := joinKey(key, n.Content[i].Value)
				present[k] = true
				walk(n.Content[i+1], k)
			}
		case yamlSequence:
			for _, c := range n.Content {
				walk(c, key+"[]")
			}
		}
	}
	walk(root, "")
	// The fields of list items that are empty by default may be shown in a
	// commented-out example ("#   - paths: [...]", "#     policy: roles").
	commented := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "#") {
			continue
		}
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(l, "#")), "- "))
		if name, _, ok := strings.Cut(l, ":"); ok && !strings.ContainsAny(name, " \t") {
			commented[name] = true
		}
	}
	for _, k := range configKeys(reflect.TypeFor[Config](), "") {
		// A list that is empty by default is shown filled in on a route,
		// or in a commented-out example below the list.
		last := k[strings.LastIndex(k, ".")+1:]
		inList := strings.Contains(k, "[].")
		if !present[k] && !present["routes[]."+k] && !(inList && commented[last]) {
			t.Errorf("rampart.example.yaml does not document %s", k)
		}
	}
}

// configKeys lists the dotted keys of t, with [] for list items. A route's
// inherited blocks only need to appear: their keys are documented
// globally.
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for _, f := range structFields(t) {
		ft := t.Field(f.index).Type
		key := joinKey(prefix, f.name)
		keys = append(keys, key)
		if t == reflect.TypeFor[Route]() && ft.Kind() == reflect.Struct {
			continue
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, configKeys(ft, key)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, configKeys(ft.Elem(), key+"[]")...)
		}
	}
	return keys
}

func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../../rampart.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		"", minimal, "limits:\n  max_body_byte: 10\n", "server:\n  read_timeout: abc\n",
		"waf:\n  mode: detct\n", "routes:\n  - name: app\n    upstreams: [htp://x]\n",
		"a: &a [1]\nb: *a\n", "node: ${env:HOME}\n", "node: ${file:nope}\n", "node: $${x} ${\n",
		"- 1\n", "k: v\n---\nk: v\n", "listen: {http: '[::1]:80', https: ':0'}\n", "{",
		"limits: {max_body_bytes: 9999999999999GiB}\n", "trusted_proxies: [::/0, 10.1.2.3]\n",
	} {
		f.Add([]byte(s))
	}
	// ${file:…} and tls paths resolve against an empty directory.
	path := filepath.Join(f.TempDir(), "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		c, err := Parse(path, data)
		if err == nil {
			if c == nil {
				t.Fatal("Parse returned nil, nil")
			}
			Lint(c)
			if _, err := Redacted(c); err != nil {
				t.Fatalf("Redacted: %v", err)
			}
			if d := Diff(c, c); len(d) != 0 {
				t.Fatalf("Diff(c, c) = %v", d)
			}
			return
		}
		// yaml.v3 counts \r, \n, \r\n, NEL, LS and PS as line breaks and may
		// point one line past the end.
		lines := 2
		for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += bytes.Count(data, []byte(br))
		}
		for _, e := range errorsOf(t, err) {
			if e.Line < 0 || e.Line > lines+1 || e.Msg == "" || e.File != path {
				t.Fatalf("bad error %#v for %d lines", e, lines)
			}
		}
	})
}

func TestMain(m *testing.M) {
	// Tests rely on these being unset.
	os.Unsetenv("RAMPART_TEST_UNSET_VAR")
	code := m.Run()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "config tests failed")
	}
	os.Exit(code)
}

func TestUnknownKeyHint(t *testing.T) {
	fields := structFields(reflect.TypeFor[WAF]())
	tests := []struct{ name, want string }{
		{"mdoe", `did you mean "mode"?`},
		{"Mode", `did you mean "mode"?`},
		{"mod", `did you mean "mode"?`},
		{"foo", "valid keys here are mode"},
		{"modes_x", "valid keys here are mode"},
	}
	for _, tt := range tests {
		if got := unknownKey(tt.name, fields); !strings.Contains(got, tt.want) {
			t.Errorf("unknownKey(%q) = %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	c := Default()
	c.Routes = []Route{c.NewRoute("demo", "http://127.0.0.1:3000")}
	if err := Validate(c); err != nil {
		t.Errorf("Validate(Default + NewRoute) = %v", err)
	}
	c.Routes = append(c.Routes, c.NewRoute("Demo"))
	err := Validate(c)
	if err == nil || !strings.Contains(err.Error(), "routes[1].name") || !strings.Contains(err.Error(), "routes[1].upstreams") {
		t.Errorf("Validate(bad route) = %v, want name and upstreams errors", err)
	}
}

func TestStatusRange(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi int
		ok     bool
	}{
		{"200", 200, 200, true},
		{"2xx", 200, 299, true},
		{"2XX", 200, 299, true},
		{"2xx-3xx", 200, 399, true},
		{"200-204", 200, 204, true},
		{"3xx-2xx", 0, 0, false},
		{"20x", 0, 0, false},
		{"600", 0, 0, false},
		{"", 0, 0, false},
		{"2xx-", 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, ok := HealthCheck{ExpectStatus: tt.in}.StatusRange()
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("StatusRange(%q) = %d, %d, %v, want %d, %d, %v", tt.in, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}
