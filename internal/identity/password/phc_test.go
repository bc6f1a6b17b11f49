package password

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

var phcTests = []struct {
	name, in string
	want     Params // SaltLen and KeyLen are the decoded lengths
	err      error
}{
	{"ours", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0",
		Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, nil},
	{"argon2i", "$argon2i$v=19$m=128,t=3,p=2$cmFtcGFydC1zYWx0LWkh$VdEf27U0fOQUMOpsHlo2pGVv330Xd6vt",
		Params{Memory: 128, Time: 3, Threads: 2, SaltLen: 15, KeyLen: 24}, nil},
	{"at the limits", "$argon2id$v=19$m=1048576,t=32,p=64$" + strings.Repeat("A", 86) + "$" + strings.Repeat("A", 170) + "A",
		Params{Memory: 1 << 20, Time: 32, Threads: 64, SaltLen: 64, KeyLen: 128}, nil},
	{"smallest", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA",
		Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 4}, nil},

	{"empty", "", Params{}, ErrMalformed},
	{"no dollar", "argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"argon2d", "$argon2d$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrUnsupported},
	{"not argon2", "$2b$04$abc", Params{}, ErrUnsupported},
	{"too few fields", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA", Params{}, ErrMalformed},
	{"too many fields", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA$", Params{}, ErrMalformed},
	{"version 16", "$argon2id$v=16$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrUnsupported},
	{"version text", "$argon2id$v=x$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"version field missing v=", "$argon2id$19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"params out of order", "$argon2id$v=19$t=1,m=8,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"param missing", "$argon2id$v=19$m=8,t=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"leading zero", "$argon2id$v=19$m=08,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"plus sign", "$argon2id$v=19$m=+8,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"empty number", "$argon2id$v=19$m=,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"eleven digits", "$argon2id$v=19$m=10000000000,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"padded salt", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA=$AAAAAA", Params{}, ErrMalformed},
	{"url base64", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAA_$AAAAAA", Params{}, ErrMalformed},
	{"stray bits", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAB$AAAAAA", Params{}, ErrMalformed},
	{"salt of 7 bytes", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAA$AAAAAA", Params{}, ErrMalformed},
	{"key of 3 bytes", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAA", Params{}, ErrMalformed},
	{"memory above 1 GiB", "$argon2id$v=19$m=1048577,t=1,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrUnsupported},
	{"time 33", "$argon2id$v=19$m=8,t=33,p=1$AAAAAAAAAAA$AAAAAA", Params{}, ErrUnsupported},
	{"65 lanes", "$argon2id$v=19$m=1024,t=1,p=65$AAAAAAAAAAA$AAAAAA", Params{}, ErrUnsupported},
	{"too long", "$argon2id$v=19$m=8,t=1,p=1$" + strings.Repeat("A", 480) + "$AAAAAA", Params{}, ErrMalformed},
}

func TestParsePHC(t *testing.T) {
	for _, tt := range phcTests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parsePHC(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("parsePHC(%q) = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parsePHC(%q) = %v", tt.in, err)
			}
			if a.params != tt.want {
				t.Errorf("parsePHC(%q) params = %+v, want %+v", tt.in, a.params, tt.want)
			}
			if got := a.encode(); got != tt.in {
				t.Errorf("parsePHC(%q).encode() = %q, want the input", tt.in, got)
			}
		})
	}
}

// FuzzParsePHC checks that parsePHC never panics, keeps to its bounds, and
// accepts only canonical strings: what it accepts encodes back to the input,
// with salt and hash that encoding/base64 decodes to the same bytes.
func FuzzParsePHC(f *testing.F) {
	for _, tt := range phcTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		a, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("parsePHC(%q) = %v, want ErrMalformed or ErrUnsupported", s, err)
			}
			return
		}
		p := a.params
		if p.Memory > maxArgonMemory || p.Time < 1 || p.Time > maxArgonTime || p.Threads < 1 || p.Threads > maxArgonThreads ||
			p.Memory < 8*uint32(p.Threads) || len(a.salt) < minArgonSalt || len(a.salt) > maxArgonSalt ||
			len(a.key) < minArgonKey || len(a.key) > maxArgonKey {
			t.Fatalf("parsePHC(%q) accepted %+v, outside the bounds", s, p)
		}
		if got := a.encode(); got != s {
			t.Fatalf("parsePHC(%q).encode() = %q", s, got)
		}
		f := strings.Split(s, "$")
		salt, err1 := base64.RawStdEncoding.DecodeString(f[4])
		key, err2 := base64.RawStdEncoding.DecodeString(f[5])
		if err1 != nil || err2 != nil || string(salt) != string(a.salt) || string(key) != string(a.key) {
			t.Fatalf("parsePHC(%q) salt, key = %x, %x; encoding/base64 says %x, %x (%v, %v)", s, a.salt, a.key, salt, key, err1, err2)
		}
	})
}
