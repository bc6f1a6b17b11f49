package store_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"rampart/internal/store"
)

func TestFoldName(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"ASCII case", "Alice", "aLICE", true},
		{"identical", "bob", "bob", true},
		{"Latin-1 case", "Ärger", "äRGER", true},
		{"Kelvin sign", "\u212aim", "KIM", true},
		{"long s", "\u017fam", "SAM", true},
		{"final sigma", "σοφίας", "ΣΟΦΊΑΣ", true},
		{"Cyrillic", "Иван", "иВАН", true},
		{"empty", "", "", true},
		{"accent is not case", "alice", "alíce", false},
		{"digit and letter", "b0b", "bob", false},
		{"Cyrillic lookalike", "аlice", "alice", false}, // U+0430: confusables are the caller's
		{"full folding is not simple folding", "straße", "STRASSE", false},
		{"space", "al ice", "alice", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa, fb := store.FoldName(tt.a), store.FoldName(tt.b)
			if (fa == fb) != tt.same {
				t.Errorf("FoldName(%q) = %q, FoldName(%q) = %q; same = %v, want %v", tt.a, fa, tt.b, fb, fa == fb, tt.same)
			}
		})
	}
}

func FuzzFoldName(f *testing.F) {
	for _, s := range []string{"Alice", "\u212aim", "σοφίας", "straße", "İstanbul", "\xff\xfe", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			return
		}
		k := store.FoldName(s)
		if store.FoldName(k) != k {
			t.Errorf("FoldName(FoldName(%q)) = %q, want %q", s, store.FoldName(k), k)
		}
		if !utf8.ValidString(k) {
			t.Errorf("FoldName(%q) = %q is not UTF-8", s, k)
		}
		// Replacing any letter by another of its case-folding orbit keeps
		// the key.
		other := strings.Map(unicode.SimpleFold, s)
		if !utf8.ValidString(s) {
			return
		}
		if got := store.FoldName(other); got != k {
			t.Errorf("FoldName(%q) = %q, but FoldName(%q) = %q", other, got, s, k)
		}
	})
}

func TestAPIKeyActive(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		k    store.APIKey
		want bool
	}{
		{"never expires", store.APIKey{}, true},
		{"expires later", store.APIKey{ExpiresAt: now.Add(time.Nanosecond)}, true},
		{"expires now", store.APIKey{ExpiresAt: now}, false},
		{"expired", store.APIKey{ExpiresAt: now.Add(-time.Hour)}, false},
		{"revoked", store.APIKey{RevokedAt: now.Add(-time.Hour)}, false},
		{"revoked later", store.APIKey{RevokedAt: now.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.k.Active(now); got != tt.want {
				t.Errorf("%+v.Active(now) = %v, want %v", tt.k, got, tt.want)
			}
		})
	}
}

func TestSessionExpired(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    store.Session
		want bool
	}{
		{"before expiry", store.Session{ExpiresAt: now.Add(time.Nanosecond), LastSeenAt: now.Add(-time.Hour)}, false},
		{"at expiry", store.Session{ExpiresAt: now, LastSeenAt: now}, true},
		{"no expiry set", store.Session{LastSeenAt: now}, true},
		{"idle within", store.Session{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-time.Minute), IdleTimeout: time.Minute + 1}, false},
		{"idle at limit", store.Session{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-time.Minute), IdleTimeout: time.Minute}, true},
		{"no idle limit", store.Session{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-24 * time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Expired(now); got != tt.want {
				t.Errorf("%+v.Expired(now) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}
