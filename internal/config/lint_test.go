package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir)
	secure := fmt.Sprintf("listen:\n  http: \":8080\"\n  https: \":8443\"\n  redirect_https: true\ntls:\n  cert_file: %s\n  key_file: %s\n", cert, key)
	admin := func(addr string) string {
		return strings.Replace(secure, "  redirect_https: true\n", "  redirect_https: true\n  admin: "+addr+"\n", 1)
	}
	tests := []struct {
		name string
		in   string
		want []string // "key@line"
	}{
		{"secure", secure + minimal, nil},
		{"https only", "listen:\n  http: \"\"\n  https: \":8443\"\ntls: {cert_file: cert.pem, key_file: key.pem}\n" + minimal, nil},
		{"plain http only", minimal, []string{"listen.http@0"}},
		{"no redirect", strings.Replace(secure, "redirect_https: true", "redirect_https: false", 1) + minimal,
			[]string{"listen.redirect_https@4"}},
		{"old tls", secure + "  min_version: \"1.1\"\n" + minimal, []string{"tls.min_version@8"}},
		{"admin on all interfaces", admin(`":9090"`) + minimal, []string{"listen.admin@5"}},
		{"inline secrets key", secure + "identity:\n  secrets_key: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n" + minimal, []string{"identity.secrets_key@9"}},
		{"admin on public address", admin(`"192.0.2.1:9090"`) + minimal, []string{"listen.admin@5"}},
		{"admin on loopback", admin(`"[::1]:9090"`) + minimal, nil},
		{"admin on localhost", admin(`"localhost:9090"`) + minimal, nil},
		{"admin off", admin(`""`) + minimal, nil},
		{"waf detect", secure + "waf: {mode: detect}\n" + minimal, []string{"waf.mode@8"}},
		{"waf off on a route", secure + "routes:\n  - name: a\n    upstreams: [http://a]\n    waf: {mode: \"off\"}\n",
			[]string{"routes[0].waf.mode@11"}},
		{"route inherits detect: one warning", secure + "waf: {mode: detect}\nroutes:\n  - name: a\n    upstreams: [http://a]\n  - name: b\n    path_prefix: /b\n    upstreams: [http://b]\n",
			[]string{"waf.mode@8"}},
		{"route blocks despite global detect", secure + "waf: {mode: detect}\nroutes:\n  - name: a\n    upstreams: [http://a]\n    waf: {mode: block}\n",
			[]string{"waf.mode@8"}},
		{"skip verify", secure + "upstream: {tls_skip_verify: true}\n" + minimal, []string{"upstream.tls_skip_verify@8"}},
		{"skip verify on a route", secure + "routes:\n  - name: a\n    upstreams: [http://a]\n    upstream:\n      tls_skip_verify: true\n",
			[]string{"routes[0].upstream.tls_skip_verify@12"}},
		{"session cookie", secure + "session: {cookie_secure: false}\n" + minimal, []string{"session.cookie_secure@8"}},
		{"upstream cookies", secure + "headers:\n  cookies: {secure: false}\n" + minimal, []string{"headers.cookies.secure@9"}},
		{"trust everyone", secure + "trusted_proxies: [10.0.0.0/8, 0.0.0.0/0, \"::/0\"]\n" + minimal,
			[]string{"trusted_proxies[1]@8", "trusted_proxies[2]@8"}},
		{"mask 5xx off", secure + "headers: {mask_5xx: false}\n" + minimal, []string{"headers.mask_5xx@8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "https only" {
				tt.in = strings.ReplaceAll(tt.in, "cert.pem", cert)
				tt.in = strings.ReplaceAll(tt.in, "key.pem", key)
			}
			c := mustParse(t, filepath.Join(dir, "rampart.yaml"), tt.in)
			ws := Lint(c)
			var got []string
			for _, w := range ws {
				got = append(got, fmt.Sprintf("%s@%d", w.Key, w.Line))
				if !strings.Contains(w.Msg, ";") || len(w.Msg) < 40 {
					t.Errorf("warning %q does not say why and what to do", w)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Lint(%q) = %q, want %q", tt.in, got, tt.want)
				for _, w := range ws {
					t.Log(w)
				}
			}
		})
	}
}

func TestWarningString(t *testing.T) {
	c := mustParse(t, "rampart.yaml", "waf:\n  mode: detect\n"+minimal)
	ws := Lint(c)
	want := "rampart.yaml:2: waf.mode: is detect: the WAF logs attacks"
	if !slices.ContainsFunc(ws, func(w Warning) bool { return strings.HasPrefix(w.String(), want) }) {
		t.Errorf("Lint = %v, want one starting %q", ws, want)
	}
}
