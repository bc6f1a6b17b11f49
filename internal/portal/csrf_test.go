package portal

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func testPortal(tb testing.TB) *Portal {
	tb.Helper()
	return &Portal{cfg: Config{Prefix: DefaultPrefix, CSRFKey: bytes.Repeat([]byte{1}, 32)}}
}

func TestCSRFToken(t *testing.T) {
	p := testPortal(t)
	const sid, action = "4f3c", "/.rampart/logout"
	tok := p.csrfToken(sid, action)
	if len(tok) != tokenLen {
		t.Fatalf("csrfToken() has length %d, want %d", len(tok), tokenLen)
	}
	if !p.validToken(sid, action, tok) {
		t.Fatal("validToken(own token) = false")
	}
	other := &Portal{cfg: Config{CSRFKey: bytes.Repeat([]byte{2}, 32)}}
	tests := []struct {
		name            string
		p               *Portal
		binding, action string
		tok             string
	}{
		{"other session", p, "4f3d", action, tok},
		{"other form", p, sid, "/.rampart/mfa", tok},
		{"other key", other, sid, action, tok},
		{"no binding", p, "", action, p.csrfToken("", action)},
		{"empty token", p, sid, action, ""},
		{"truncated", p, sid, action, tok[:tokenLen-1]},
		{"padded", p, sid, action, tok + "="},
		// The fields are length-prefixed: moving a byte from the binding
		// to the action makes another message.
		{"shifted boundary", p, sid + "/", strings.TrimPrefix(action, "/"), tok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.validToken(tt.binding, tt.action, tt.tok) {
				t.Errorf("validToken(%q, %q, %q) = true, want false", tt.binding, tt.action, tt.tok)
			}
		})
	}
}

var tokenSeeds = []string{
	"",
	strings.Repeat("A", 43),
	strings.Repeat("A", 42) + "B", // non-zero unused bits
	strings.Repeat("A", 42) + "=",
	strings.Repeat("A", 42) + "\n",
	strings.Repeat("_-", 21) + "8",
	strings.Repeat("+/", 21) + "8",
	strings.Repeat("A", 100),
}

func TestParseToken(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{tokenSeeds[0], false},
		{tokenSeeds[1], true},
		{tokenSeeds[2], false},
		{tokenSeeds[3], false},
		{tokenSeeds[4], false},
		{tokenSeeds[5], true},
		{tokenSeeds[6], false},
		{tokenSeeds[7], false},
	}
	for _, tt := range tests {
		if _, ok := parseToken(tt.in); ok != tt.ok {
			t.Errorf("parseToken(%.50q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}

// FuzzParseToken checks parseToken against encoding/base64: it accepts
// exactly the canonical unpadded base64url encodings of 32 bytes.
func FuzzParseToken(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	p := testPortal(f)
	f.Add(p.csrfToken("sid", "/.rampart/login"))
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := parseToken(in)
		canonical := false
		if b, err := base64.RawURLEncoding.DecodeString(in); err == nil && len(b) == 32 {
			canonical = base64.RawURLEncoding.EncodeToString(b) == in
		}
		if ok != canonical {
			t.Fatalf("parseToken(%q) ok = %v; base64 says canonical = %v", in, ok, canonical)
		}
		if ok && base64.RawURLEncoding.EncodeToString(got[:]) != in {
			t.Fatalf("parseToken(%q) = %x, which encodes differently", in, got)
		}
		if p.validToken("sid", "/.rampart/login", in) != (in == p.csrfToken("sid", "/.rampart/login")) {
			t.Fatalf("validToken(%q) disagrees with comparing to the token", in)
		}
	})
}
