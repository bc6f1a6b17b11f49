package config

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	base := `
limits:
  max_body_bytes: 1MiB
routes:
  - name: app
    upstreams: [http://a]
  - name: old
    path_prefix: /old
    upstreams: [http://o]
`
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"same", base, nil},
		{"reordered and respelled", `
routes:
  - name: old
    path_prefix: /old
    upstreams: ["http://o"]
  - upstreams: [http://a]
    name: app
limits: {max_body_bytes: 1048576}
`, nil},
		{"changes", `
limits:
  max_body_bytes: 2MiB
headers:
  remove: [Server]
routes:
  - name: app
    upstreams: [http://a, http://b]
    waf: {mode: detect}
  - name: new
    path_prefix: /new
    upstreams: [http://n]
`, []string{
			"headers.remove",
			"limits.max_body_bytes",
			"routes[app].headers.remove",
			"routes[app].limits.max_body_bytes",
			"routes[app].upstreams",
			"routes[app].waf.mode",
			"routes[new]",
			"routes[old]",
		}},
	}
	old := mustParse(t, "rampart.yaml", base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(old, mustParse(t, "rampart.yaml", tt.in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Diff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDiffSecretsByKeyOnly(t *testing.T) {
	t.Setenv("RAMPART_TEST_DSN", "postgres://a")
	in := "store:\n  dsn: ${env:RAMPART_TEST_DSN}\n" + minimal
	a := mustParse(t, "rampart.yaml", in)
	t.Setenv("RAMPART_TEST_DSN", "postgres://b")
	b := mustParse(t, "rampart.yaml", in)
	if got := Diff(a, b); !slices.Equal(got, []string{"store.dsn"}) {
		t.Errorf("Diff = %q, want [store.dsn]", got)
	}
}
