package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const identityOn = "identity:\n  enabled: true\n  secrets_key: ${env:RK}\n"

func TestSMTPErrors(t *testing.T) {
	t.Setenv("RK", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	t.Setenv("SMTPPW", "pw")
	tests := []struct {
		name string
		in   string
		want []wantErr
	}{
		{"address without port", "smtp:\n  addr: smtp.example.com\n  from: r@example.com\n" + minimal,
			[]wantErr{{2, "smtp.addr", "want host:port"}}},
		{"plain text to a remote server", "smtp:\n  addr: smtp.example.com:25\n  security: none\n  from: r@example.com\n" + minimal,
			[]wantErr{{3, "smtp.security", "only to a relay on loopback"}}},
		{"unknown security", "smtp:\n  addr: smtp.example.com:587\n  security: ssl\n  from: r@example.com\n" + minimal,
			[]wantErr{{3, "smtp.security", "want starttls, tls or none"}}},
		{"no sender", "smtp:\n  addr: smtp.example.com:587\n" + minimal,
			[]wantErr{{1, "smtp.from", "is required"}}},
		{"sender list", "smtp:\n  addr: smtp.example.com:587\n  from: \"a@example.com, b@example.com\"\n" + minimal,
			[]wantErr{{3, "smtp.from", "want one address"}}},
		{"user without password", "smtp:\n  addr: smtp.example.com:587\n  from: r@example.com\n  username: rampart\n" + minimal,
			[]wantErr{{4, "smtp.username", "go together"}}},
		{"keys without a server", "smtp:\n  from: r@example.com\n" + minimal,
			[]wantErr{{2, "smtp.from", "smtp.addr is empty"}}},
		{"identity mail without a link base", identityOn + "smtp:\n  addr: smtp.example.com:587\n  from: r@example.com\n" + minimal,
			[]wantErr{{1, "identity.email.link_base", "is required"}}},
		{"link base over http", identityOn + "  email:\n    link_base: http://app.example.com\nsmtp:\n  addr: smtp.example.com:587\n  from: r@example.com\n" + minimal,
			[]wantErr{{5, "identity.email.link_base", "want an https:// origin"}}},
		{"bad MFA role", "identity:\n  mfa_roles: [admin, \"a b\"]\n" + minimal,
			[]wantErr{{2, "identity.mfa_roles[1]", "is not a role name"}}},
		{"link lifetime", "identity:\n  email:\n    link_lifetime: 48h\n" + minimal,
			[]wantErr{{3, "identity.email.link_lifetime", "at most 24h"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rampart.yaml")
			_, err := Parse(path, []byte(tt.in))
			got := errorsOf(t, err)
			if len(got) != len(tt.want) {
				t.Errorf("Parse returned %d errors, want %d:\n%v", len(got), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(e *Error) bool {
					return e.Line == w.line && e.Key == w.key && strings.Contains(e.Msg, w.msg)
				}) {
					t.Errorf("errors:\n%v\nwant one at line %d, key %q containing %q", err, w.line, w.key, w.msg)
				}
			}
		})
	}
}

func TestSMTPGood(t *testing.T) {
	t.Setenv("RK", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	t.Setenv("SMTPPW", "pw")
	c := mustParse(t, "rampart.yaml", identityOn+"  email:\n    link_base: https://app.example.com\n"+
		"smtp:\n  addr: smtp.example.com:465\n  security: tls\n  from: r@example.com\n  username: rampart\n  password: ${env:SMTPPW}\n"+minimal)
	mc := c.SMTP.MailConfig()
	if mc.Addr != "smtp.example.com:465" || mc.Password != "pw" || mc.Security != "tls" {
		t.Fatalf("mail config %+v", mc)
	}
	red, err := Redacted(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(red), ": pw\n") {
		t.Error("the SMTP password shows in the redacted config")
	}
	c = mustParse(t, "rampart.yaml", "smtp:\n  addr: 127.0.0.1:25\n  security: none\n  from: r@example.com\n"+minimal)
	if c.SMTP.Security != "none" {
		t.Fatal("loopback relay refused")
	}
}
