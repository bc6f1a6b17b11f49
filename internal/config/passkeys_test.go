package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPasskeysErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []wantErr
	}{
		{"RP ID with scheme", "identity:\n  passkeys:\n    rp_id: https://example.com\n" + minimal,
			[]wantErr{{3, "identity.passkeys.rp_id", "is not a domain name"}}},
		{"RP ID an address", "identity:\n  passkeys:\n    rp_id: 192.0.2.1\n" + minimal,
			[]wantErr{{3, "identity.passkeys.rp_id", "is not a domain name"}}},
		{"origin with path", "identity:\n  passkeys:\n    origins: [https://app.example.com/x]\n" + minimal,
			[]wantErr{{3, "identity.passkeys.origins[0]", "a domain name without path"}}},
		{"origin over http", "identity:\n  passkeys:\n    origins:\n      - https://a.example.com\n      - http://b.example.com\n" + minimal,
			[]wantErr{{5, "identity.passkeys.origins[1]", "plain http works only on localhost"}}},
		{"origin outside the RP ID", "identity:\n  passkeys:\n    rp_id: example.com\n    origins: [https://example.org]\n" + minimal,
			[]wantErr{{4, "identity.passkeys.origins[0]", "not on example.com"}}},
		{"user verification", "identity:\n  passkeys:\n    user_verification: always\n" + minimal,
			[]wantErr{{3, "identity.passkeys.user_verification", "is not one of preferred, required, discouraged"}}},
		{"display name", "identity:\n  passkeys:\n    rp_display_name: \"\"\n" + minimal,
			[]wantErr{{3, "identity.passkeys.rp_display_name", "1 to 64 characters"}}},
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

func TestPasskeysGood(t *testing.T) {
	in := "identity:\n  passkeys:\n    enabled: false\n    rp_id: example.com\n    rp_display_name: Example\n" +
		"    origins: [https://example.com, https://app.example.com:8443, http://localhost:8080]\n    user_verification: required\n" + minimal
	_, err := Parse(filepath.Join(t.TempDir(), "rampart.yaml"), []byte(in))
	if err == nil {
		t.Fatalf("Parse accepted http://localhost:8080 outside rp_id example.com")
	}
	in = strings.Replace(in, ", http://localhost:8080", "", 1)
	c, err := Parse(filepath.Join(t.TempDir(), "rampart.yaml"), []byte(in))
	if err != nil {
		t.Fatalf("Parse() = %v", err)
	}
	p := c.Identity.Passkeys
	if p.On() || p.RPID != "example.com" || len(p.Origins) != 2 || p.UserVerification != "required" {
		t.Errorf("passkeys = %+v", p)
	}
	if d := Default().Identity.Passkeys; !d.On() || d.RPDisplayName != "rampart" || d.UserVerification != "preferred" {
		t.Errorf("default passkeys = %+v", d)
	}
	pc := p.PasskeyConfig(true)
	if pc.RPID != "example.com" || !pc.AllowHTTP || pc.UserVerification != "required" {
		t.Errorf("PasskeyConfig() = %+v", pc)
	}
}
