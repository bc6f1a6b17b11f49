package access

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	ok := Rule{Policy: PolicyAuthenticated}
	tests := []struct {
		name string
		cfg  Config
		want []string // one line per error, each containing this text
	}{
		{"no policy", Config{Rules: []Rule{{}}},
			[]string{`rules[0].policy: no policy; use public, authenticated, roles or deny`}},
		{"unknown policy", Config{Rules: []Rule{ok, {Policy: 7}}},
			[]string{`rules[1].policy: Policy(7) is not a policy`}},
		{"roles without policy roles", Config{Rules: []Rule{{Policy: PolicyAuthenticated, Roles: []string{"admin"}}}},
			[]string{`rules[0].roles: roles apply only to policy roles, and this rule's policy is authenticated; set policy roles, or drop roles`}},
		{"policy roles without roles", Config{Rules: []Rule{{Policy: PolicyRoles}}},
			[]string{`rules[0].roles: policy roles needs at least one role`}},
		{"empty role name", Config{Rules: []Rule{{Policy: PolicyRoles, Roles: []string{"admin", ""}}}},
			[]string{`rules[0].roles[1]: empty role name`}},
		{"role with space", Config{Rules: []Rule{{Policy: PolicyRoles, Roles: []string{"admin "}}}},
			[]string{`rules[0].roles[0]: "admin " has a space`}},
		{"mfa on public", Config{Rules: []Rule{{Policy: PolicyPublic, MFA: true}}},
			[]string{`rules[0].mfa: a public rule admits anonymous callers`}},
		{"mfa on deny", Config{Rules: []Rule{{Policy: PolicyDeny, MFA: true}}},
			[]string{`rules[0].mfa: a deny rule admits no one`}},
		{"default roles", Config{Default: PolicyRoles},
			[]string{`default: roles needs a list of roles`}},
		{"default unknown", Config{Default: 42},
			[]string{`default: Policy(42) is not a policy`}},

		{"glob inside segment", Config{Rules: []Rule{ok, ok, ok, {Policy: PolicyDeny, Paths: []string{"/ok", "**x"}}}},
			[]string{`rules[3].paths[1]: "**x" has ** inside the segment "**x"; ** stands alone between slashes, as in "/**"`}},
		{"double star suffix", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"/static/**.css"}}}},
			[]string{`rules[0].paths[0]: "/static/**.css" has ** inside the segment "**.css"; ** stands alone between slashes, as in "/static/**"`}},
		{"star inside segment", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"/files/*.png"}}}},
			[]string{`rules[0].paths[0]: "/files/*.png" has * inside the segment "*.png"; * stands alone for one whole segment, as in "/files/*"`}},
		{"no leading slash", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"admin"}}}},
			[]string{`rules[0].paths[0]: "admin" does not start with /; write "/admin"`}},
		{"empty path", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{""}}}},
			[]string{`rules[0].paths[0]: empty path`}},
		{"double slash", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"/a//b"}}}},
			[]string{`rules[0].paths[0]: "/a//b" has an empty segment (//)`}},
		{"dot dot", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"/a/../b"}}}},
			[]string{`rules[0].paths[0]: "/a/../b" has a ".." segment`}},
		{"query", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"/a?b=1"}}}},
			[]string{`rules[0].paths[0]: "/a?b=1" has a query; paths match without the query string, so write "/a"`}},
		{"control character", Config{Rules: []Rule{{Policy: PolicyDeny, Paths: []string{"/a\nb"}}}},
			[]string{`rules[0].paths[0]: "/a\nb" has a control character`}},

		{"empty host", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{""}}}},
			[]string{`rules[0].hosts[0]: empty host`}},
		{"host with port", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"app.example.com:8443"}}}},
			[]string{`rules[0].hosts[0]: "app.example.com:8443" has a port; hosts match whatever the port, so write "app.example.com"`}},
		{"host with scheme", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"https://app.example.com/x"}}}},
			[]string{`rules[0].hosts[0]: "https://app.example.com/x" has a scheme; write the host alone, as "app.example.com"`}},
		{"host with path", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"app.example.com/admin"}}}},
			[]string{`rules[0].hosts[0]: "app.example.com/admin" has a path`}},
		{"host bad character", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"app!.example.com"}}}},
			[]string{`rules[0].hosts[0]: "app!.example.com" has '!', which a host name cannot contain`}},
		{"host non-ascii", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"bücher.example"}}}},
			[]string{`rules[0].hosts[0]: "bücher.example" has 'ü', which a host name cannot contain; use letters, digits, - and . (write an internationalized name in its xn-- form)`}},
		{"host kelvin sign", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"\u212aiosk.example.com"}}}},
			[]string{`which a host name cannot contain`}},
		{"host star in the middle", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"app.*.example.com"}}}},
			[]string{`rules[0].hosts[0]: "app.*.example.com" has a * that is not the whole first label; write *.example.com`}},
		{"host star inside label", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"app*.example.com"}}}},
			[]string{`has a * that is not the whole first label`}},
		{"host star alone", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"*"}}}},
			[]string{`rules[0].hosts[0]: "*" would match every host; leave hosts empty for that`}},
		{"host empty label", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"app..example.com"}}}},
			[]string{`has an empty label`}},
		{"host two trailing dots", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"example.com.."}}}},
			[]string{`has an empty label`}},
		{"host bare wildcard", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"*."}}}},
			[]string{`rules[0].hosts[0]: "*." would match every host`}},
		{"host too long label", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{strings.Repeat("a", 64) + ".example"}}}},
			[]string{`has a label longer than the 63 bytes`}},
		{"host bad ipv6", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"[fe80::1%eth0]"}}}},
			[]string{`is not an IPv6 address in brackets`}},
		{"host ipv6 port", Config{Rules: []Rule{{Policy: PolicyDeny, Hosts: []string{"[::1]:443"}}}},
			[]string{`"[::1]:443" has a port; hosts match whatever the port, so write "[::1]"`}},

		{"empty method", Config{Rules: []Rule{{Policy: PolicyDeny, Methods: []string{"GET", ""}}}},
			[]string{`rules[0].methods[1]: "" is not an HTTP method`}},
		{"method with space", Config{Rules: []Rule{{Policy: PolicyDeny, Methods: []string{"GET POST"}}}},
			[]string{`rules[0].methods[0]: "GET POST" is not an HTTP method`}},

		{"every problem at once", Config{Default: PolicyRoles, Rules: []Rule{
			{Policy: PolicyRoles, Roles: []string{""}, Hosts: []string{"a b"}, Paths: []string{"/x*"}},
			ok,
			{Policy: PolicyPublic, MFA: true, Methods: []string{"G T"}},
		}}, []string{
			`default: `,
			`rules[0].roles[0]: `,
			`rules[0].hosts[0]: `,
			`rules[0].paths[0]: `,
			`rules[2].mfa: `,
			`rules[2].methods[0]: `,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(tt.cfg)
			if err == nil {
				t.Fatalf("Compile(%+v) = %v, nil; want errors %q", tt.cfg, s, tt.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("Compile(%+v) error:\n%v\nwant %d lines containing %q", tt.cfg, err, len(tt.want), tt.want)
			}
			for i, want := range tt.want {
				if !strings.Contains(lines[i], want) {
					t.Errorf("Compile(%+v) error line %d = %q, want it to contain %q", tt.cfg, i, lines[i], want)
				}
			}
			var e *Error
			if !errors.As(err, &e) || e.Key == "" || e.Msg == "" {
				t.Errorf("Compile(%+v) error %v holds no *Error with a Key and Msg", tt.cfg, err)
			}
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	cfg := Config{Rules: []Rule{
		{Hosts: []string{"app.example.com", "*.example.com", "App.Example.COM.", "10.0.0.1", "::1", "[2001:db8::1]", "_dmarc.example.com", "xn--bcher-kva.example"},
			Paths:   []string{"/", "/admin/", "/api/*/admin", "/static/**", "/**/.git/**", "/a/**/**/b", "/u/*/", "/~user/%41 x"},
			Methods: []string{"get", "PROPFIND", "M-SEARCH"}, Policy: PolicyAuthenticated, MFA: true},
		{Policy: PolicyRoles, Roles: []string{"admin", "group:ops"}},
	}}
	for _, def := range []Policy{0, PolicyDeny, PolicyPublic, PolicyAuthenticated} {
		cfg.Default = def
		if _, err := Compile(cfg); err != nil {
			t.Errorf("Compile(default %v) = %v", def, err)
		}
	}
	if s, err := Compile(Config{}); err != nil || s.Len() != 0 || s.Default().Policy != PolicyDeny {
		t.Errorf("Compile(Config{}) = %+v, %v; want an empty Set that denies", s, err)
	}
}

// TestCompileCopies checks that a Set does not change when the Config it
// was compiled from does.
func TestCompileCopies(t *testing.T) {
	cfg := Config{Rules: []Rule{{Policy: PolicyRoles, Roles: []string{"admin"}, Paths: []string{"/admin"}}}}
	s := mustCompile(t, cfg)
	cfg.Rules[0].Roles[0] = "everyone"
	cfg.Rules[0].Paths[0] = "/"
	_, d := s.Match("a.test", "/admin", "GET")
	if !slices.Equal(d.Roles, []string{"admin"}) {
		t.Errorf("after changing the Config, Match roles = %q, want [admin]", d.Roles)
	}
	if i, _ := s.Match("a.test", "/other", "GET"); i != -1 {
		t.Errorf("after changing the Config, Match(/other) = rule %d, want -1", i)
	}
	// Appending to the roles a Set returns does not write into the Set.
	_ = append(d.Roles, "x")
	if _, d := s.Match("a.test", "/admin", "GET"); len(d.Roles) != 1 {
		t.Errorf("roles after append = %q", d.Roles)
	}
}
