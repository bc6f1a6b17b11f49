package session

import (
	"encoding/base64"
	"strings"
	"testing"
)

var secretSeeds = []string{
	"",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // 32 zero bytes
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",  // non-canonical last character
	strings.Repeat("_", SecretLen-1) + "8",         // 32 0xff bytes
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", // padded
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   // short
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+A",  // standard alphabet
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nA", // newline, which base64 skips
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAé",
}

func TestWellFormed(t *testing.T) {
	tests := []struct {
		name, in string
		want     bool
	}{
		{"zero bytes", secretSeeds[1], true},
		{"non-canonical last character", secretSeeds[2], false},
		{"0xff bytes", secretSeeds[3], true},
		{"padded", secretSeeds[4], false},
		{"short", secretSeeds[5], false},
		{"standard alphabet", secretSeeds[6], false},
		{"newline", secretSeeds[7], false},
		{"non-ASCII", secretSeeds[8], false},
		{"empty", "", false},
		{"long", strings.Repeat("A", 4096), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wellFormed(tt.in); got != tt.want {
				t.Errorf("wellFormed(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	for range 100 {
		s, _ := newSecret()
		if !wellFormed(s) {
			t.Fatalf("wellFormed(newSecret() %q) = false", s)
		}
	}
}

// FuzzWellFormed checks wellFormed against encoding/base64: it accepts
// exactly the strings that a strict decoder turns into 32 bytes and that
// encode back to themselves.
func FuzzWellFormed(f *testing.F) {
	for _, s := range secretSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			t.Skip()
		}
		got := wellFormed(s)
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		want := err == nil && len(b) == secretBytes && base64.RawURLEncoding.EncodeToString(b) == s
		if got != want {
			t.Fatalf("wellFormed(%q) = %v, but base64 says %v (err %v, %d bytes)", s, got, want, err, len(b))
		}
		if got {
			if d, ref := digest(s), digestHex(s); storeID(d) != ref {
				t.Fatalf("storeID(digest(%q)) = %s, want %s", s, storeID(d), ref)
			}
		}
	})
}
