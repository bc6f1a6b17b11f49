package config

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestRedacted(t *testing.T) {
	t.Setenv("RAMPART_TEST_CSP", "default-src 'self' https://s3cr3t.example")
	c := mustParse(t, "rampart.yaml", `
headers:
  content_security_policy: ${env:RAMPART_TEST_CSP}
routes:
  - name: app
    upstreams: [http://a]
`)
	c.Store.DSN = "postgres://u:hunter2@db" // a Secret typed field set in code
	out, err := Redacted(c)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, leak := range []string{"s3cr3t", "hunter2"} {
		if strings.Contains(text, leak) {
			t.Errorf("Redacted output contains %q:\n%s", leak, text)
		}
	}
	var got struct {
		Server  map[string]string `yaml:"server"`
		Headers map[string]any    `yaml:"headers"`
		Store   map[string]any    `yaml:"store"`
		Routes  []struct {
			Headers map[string]any `yaml:"headers"`
			Limits  map[string]int `yaml:"limits"`
		} `yaml:"routes"`
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("Redacted output is not YAML: %v\n%s", err, text)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"headers.content_security_policy", got.Headers["content_security_policy"], "[redacted]"},
		{"routes[0].headers.content_security_policy", got.Routes[0].Headers["content_security_policy"], "[redacted]"},
		{"store.dsn", got.Store["dsn"], "[redacted]"},
		{"server.read_timeout", got.Server["read_timeout"], "30s"},
		{"routes[0].limits.max_url_bytes", got.Routes[0].Limits["max_url_bytes"], 8192},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}
