package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var secret = bytes.Repeat([]byte{7}, 32)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSignVerify(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	s, err := New(Config{Secret: secret}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(Identity{User: "alice", Roles: []string{"admin"}, MFA: true})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.JWKS()
	cl, err := Verify(tok, keys, c.t)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Subject != "alice" || !cl.MFA || len(cl.Roles) != 1 || cl.Issuer != "rampart" || cl.ExpiresAt-cl.IssuedAt != 300 {
		t.Errorf("claims %+v", cl)
	}
	// Reused in the first half of its life, renewed after.
	c.t = c.t.Add(2 * time.Minute)
	if again, _ := s.Sign(Identity{User: "alice", Roles: []string{"admin"}, MFA: true}); again != tok {
		t.Error("a fresh token was signed within half the lifetime")
	}
	c.t = c.t.Add(time.Minute)
	if again, _ := s.Sign(Identity{User: "alice", Roles: []string{"admin"}, MFA: true}); again == tok {
		t.Error("the token was not renewed after half its lifetime")
	}
	// Expired.
	if _, err := Verify(tok, keys, c.t.Add(10*time.Minute)); err == nil {
		t.Error("an expired token verified")
	}
	// Another identity gets its own token.
	if other, _ := s.Sign(Identity{User: "alice", Roles: []string{"admin"}}); other == tok {
		t.Error("MFA did not change the token")
	}
}

func TestTamperAndWrongKeys(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	s, _ := New(Config{Secret: secret}, c.now)
	tok, _ := s.Sign(Identity{User: "bob"})
	keys, _ := s.JWKS()
	parts := strings.Split(tok, ".")
	forged, _ := json.Marshal(Claims{Issuer: "rampart", Subject: "admin", ExpiresAt: c.t.Add(time.Hour).Unix()})
	bad := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2]
	if _, err := Verify(bad, keys, c.t); err == nil {
		t.Error("a token with a changed payload verified")
	}
	other, _ := New(Config{Secret: bytes.Repeat([]byte{8}, 32)}, c.now)
	okeys, _ := other.JWKS()
	if _, err := Verify(tok, okeys, c.t); err == nil {
		t.Error("a token verified against another secret's keys")
	}
	noneAlg := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"x"}`)) + "." + parts[1] + "."
	if _, err := Verify(noneAlg, keys, c.t); err == nil {
		t.Error("alg none verified")
	}
}

// TestRotationAcrossNodes: two signers with the same secret (two nodes)
// publish the same keys and verify each other's tokens, and a token signed
// just before an epoch ends verifies with the set published just after.
func TestRotationAcrossNodes(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC)}
	a, _ := New(Config{Secret: secret}, c.now)
	b, _ := New(Config{Secret: secret}, c.now)
	tok, _ := a.Sign(Identity{User: "carol"})
	ka, _ := a.JWKS()
	kb, _ := b.JWKS()
	if ka[1] != kb[1] {
		t.Fatal("two nodes publish different current keys")
	}
	c.t = c.t.Add(2 * time.Minute) // the next epoch
	after, _ := b.JWKS()
	if _, err := Verify(tok, after, c.t); err != nil {
		t.Errorf("a token of the previous epoch does not verify with the next set: %v", err)
	}
	if after[1].KeyID == ka[1].KeyID {
		t.Error("the key did not rotate at the epoch")
	}
}

func TestServeJWKS(t *testing.T) {
	s, _ := New(Config{Secret: secret}, nil)
	rec := httptest.NewRecorder()
	s.ServeJWKS(rec, httptest.NewRequest("GET", "/.rampart/jwks.json", nil))
	var set struct{ Keys []JWK }
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil || len(set.Keys) != 3 || set.Keys[1].Alg != "EdDSA" {
		t.Fatalf("JWKS %d %s: %v", rec.Code, rec.Body, err)
	}
	if rec.Header().Get("Content-Type") != "application/jwk-set+json" {
		t.Errorf("content type %q", rec.Header().Get("Content-Type"))
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := New(Config{Secret: []byte("short")}, nil); err == nil {
		t.Error("a short secret was accepted")
	}
	if _, err := New(Config{Secret: secret, Lifetime: 48 * time.Hour}, nil); err == nil {
		t.Error("a lifetime longer than the epoch was accepted")
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := New(Config{Secret: secret}, nil)
	tok, _ := s.Sign(Identity{User: "x"})
	keys, _ := s.JWKS()
	f.Add(tok)
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Verify(in, keys, time.Now())
		if err == nil && in != tok && c.Subject != "x" {
			t.Fatalf("%q verified as %+v", in, c)
		}
	})
}

func BenchmarkSignCached(b *testing.B) {
	s, _ := New(Config{Secret: secret}, nil)
	id := Identity{User: "alice", Roles: []string{"admin"}}
	for b.Loop() {
		if _, err := s.Sign(id); err != nil {
			b.Fatal(err)
		}
	}
}
