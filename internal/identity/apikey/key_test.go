package apikey

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	seedKey   = "rk_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	seedKeyFF = "rk_zzzzzzzz7777_" + "__________________________________________8"
)

var keySeeds = []string{
	"",
	"rk_",
	seedKey,
	seedKeyFF,
	"rk_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",  // non-canonical last character
	"rk_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", // padded
	"rk_abcdefgh2345-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // separator
	"rk_ABCDEFGH2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // upper-case ID
	"rk_abcdefgh0189_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // digits outside base32
	"rk_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nA", // newline, which base64 skips
	"xx_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	"rk_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+A",
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name, in string
		wantID   string // "" for a refusal
	}{
		{"zero secret", keySeeds[2], "abcdefgh2345"},
		{"0xff secret", keySeeds[3], "zzzzzzzz7777"},
		{"empty", keySeeds[0], ""},
		{"prefix only", keySeeds[1], ""},
		{"non-canonical last character", keySeeds[4], ""},
		{"padded", keySeeds[5], ""},
		{"separator", keySeeds[6], ""},
		{"upper-case ID", keySeeds[7], ""},
		{"digits outside base32", keySeeds[8], ""},
		{"newline", keySeeds[9], ""},
		{"other prefix", keySeeds[10], ""},
		{"standard base64", keySeeds[11], ""},
		{"huge", "rk_" + strings.Repeat("a", 1<<16), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := parseKey(tt.in)
			if id != tt.wantID || ok != (tt.wantID != "") {
				t.Errorf("parseKey(%q) = %q, %v, want %q", tt.in, id, ok, tt.wantID)
			}
		})
	}
}

// FuzzParseKey checks parseKey against a reference built from the format's
// description and encoding/base64: it accepts exactly the keys with the
// prefix, a 12-character lower-case base32 ID, "_" and a secret that a
// strict decoder turns into 32 bytes that encode back to it.
func FuzzParseKey(f *testing.F) {
	for _, s := range keySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			t.Skip()
		}
		id, ok := parseKey(s)
		want := len(s) == KeyLen && strings.HasPrefix(s, "rk_") && s[15] == '_'
		if want {
			for _, r := range s[3:15] {
				want = want && strings.ContainsRune("abcdefghijklmnopqrstuvwxyz234567", r)
			}
			b, err := base64.RawURLEncoding.Strict().DecodeString(s[16:])
			want = want && err == nil && len(b) == 32 && base64.RawURLEncoding.EncodeToString(b) == s[16:]
		}
		if ok != want {
			t.Fatalf("parseKey(%q) ok = %v, want %v", s, ok, want)
		}
		if ok && id != s[3:15] {
			t.Fatalf("parseKey(%q) ID = %q, want %q", s, id, s[3:15])
		}
		if !ok && id != "" {
			t.Fatalf("parseKey(%q) = %q, false: want no ID on refusal", s, id)
		}
	})
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		header  string
		want    string
		wantOK  bool
	}{
		{"bearer", map[string]string{"Authorization": "Bearer " + seedKey}, "", seedKey, true},
		{"bearer any case", map[string]string{"Authorization": "bEaReR " + seedKey}, "", seedKey, true},
		{"bearer extra spaces", map[string]string{"Authorization": "Bearer   " + seedKey + " "}, "", seedKey, true},
		{"bearer JWT is not ours", map[string]string{"Authorization": "Bearer eyJhbGciOi.x.y"}, "", "", false},
		{"basic", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, "", "", false},
		{"scheme only", map[string]string{"Authorization": "Bearer"}, "", "", false},
		{"no header", nil, "X-API-Key", "", false},
		{"configured header", map[string]string{"X-Api-Key": seedKey}, "X-API-Key", seedKey, true},
		{"configured header, malformed value still taken", map[string]string{"X-API-Key": "nonsense"}, "X-API-Key", "nonsense", true},
		{"configured header, blank", map[string]string{"X-API-Key": "  "}, "X-API-Key", "", false},
		{"configured header not set up", map[string]string{"X-API-Key": seedKey}, "", "", false},
		{"bearer first", map[string]string{"Authorization": "Bearer " + seedKey, "X-API-Key": "other"}, "X-API-Key", seedKey, true},
		{"JWT bearer, key in header", map[string]string{"Authorization": "Bearer eyJ.x.y", "X-API-Key": seedKey}, "X-API-Key", seedKey, true},
		{"Authorization as the header", map[string]string{"Authorization": "Basic x"}, "authorization", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			got, ok := FromRequest(r, tt.header)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("FromRequest(%v, %q) = %q, %v, want %q, %v", tt.headers, tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
