package password

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/pbkdf2"
)

// knownAnswers are hashes made once by the reference implementations and
// pasted here: bcrypt and passlib 1.7.4, Django 3.2 and argon2-cffi 21.1
// (Debian's python3-bcrypt, python3-passlib, python3-django, python3-argon2),
// crypt(3) of libxcrypt for $2y$. For example:
//
//	passlib.hash.pbkdf2_sha256.using(rounds=1000, salt=bytes(range(16))).hash(pw)
//	PBKDF2PasswordHasher().encode(pw, "Xq3kPz9LmN2wRtY7aB4cDe", 1000)
//	bcrypt.hashpw(pw.encode(), b"$2b$04$abcdefghijklmnopqrstuu")
//	crypt.crypt(pw, "$2y$04$0123456789./abcdefghij")
var knownAnswers = []struct {
	name, pw, enc string
	format        Format
}{
	{"bcrypt 2b", "correct horse battery staple",
		"$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG", FormatBcrypt},
	{"bcrypt 2a", "pässwörd ✓",
		"$2a$05$ABCDEFGHIJKLMNOPQRSTUuywueDnjkj8KM1NgzGBXnSllVDVPXTPu", FormatBcrypt},
	{"bcrypt 2y", "correct horse battery staple",
		"$2y$04$0123456789./abcdefghieqCMZ2EGa0N63aDMdKN6o711oRVS96wy", FormatBcrypt},
	{"passlib pbkdf2-sha256", "correct horse battery staple",
		"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4", FormatPasslibPBKDF2SHA256},
	{"passlib pbkdf2-sha256 adapted base64", "pässwörd ✓",
		"$pbkdf2-sha256$1500$.//.AAAAAAAAAAAAAAAAAA$C2j2NChj95434N7Qx3FU1tuSlVeljPvScV5oVnfTNtA", FormatPasslibPBKDF2SHA256},
	{"passlib pbkdf2-sha512", "correct horse battery staple",
		"$pbkdf2-sha512$1000$AAECAwQFBgcICQoLDA0ODw$A6AmFIti7CKlYdoPiV9jf1d9llp37o27Wms8Zx8fwMJGCOigJzAthOW3Pg.XF5PnNiYnsQsIz1N5NtynrEm78w", FormatPasslibPBKDF2SHA512},
	{"passlib pbkdf2 sha1", "correct horse battery staple",
		"$pbkdf2$1000$AAECAwQFBgcICQoLDA0ODw$AOm/kOb/.YAZ3ZwSogYgNu9fO1g", FormatPasslibPBKDF2SHA1},
	{"django pbkdf2_sha256", "correct horse battery staple",
		"pbkdf2_sha256$1000$Xq3kPz9LmN2wRtY7aB4cDe$SnsCePWE+kfUt20NDx80blalDqYVoiqADgnFMZuhiV8=", FormatDjangoPBKDF2SHA256},
	{"django pbkdf2_sha256 unicode", "pässwörd ✓",
		"pbkdf2_sha256$1200$s0m3s4lt$I4x1xiHEmCyMIM6K0qnDQmdHClQro+ieSoto46fePEs=", FormatDjangoPBKDF2SHA256},
	{"django pbkdf2_sha1", "correct horse battery staple",
		"pbkdf2_sha1$1000$Xq3kPz9LmN2wRtY7aB4cDe$bvRzh76qTawn1x+ZvCFW+4i/V00=", FormatDjangoPBKDF2SHA1},
	{"django argon2id", "correct horse battery staple",
		"argon2$argon2id$v=19$m=256,t=1,p=2$WHEza1B6OUxtTjJ3UnRZN2FCNGNEZQ$DrgkgWQz/d3BLryYX6lwcQ", FormatDjangoArgon2id},
	{"django argon2i", "pässwörd ✓",
		"argon2$argon2i$v=19$m=512,t=2,p=2$T2xkRGphbmdvU2FsdDE$wfHtUfJ279IdToltHZXz/w", FormatDjangoArgon2i},
	{"argon2i", "pässwörd ✓",
		"$argon2i$v=19$m=128,t=3,p=2$cmFtcGFydC1zYWx0LWkh$VdEf27U0fOQUMOpsHlo2pGVv330Xd6vt", FormatArgon2i},
}

func TestVerifyImportedKnownAnswers(t *testing.T) {
	h := mustHasher(t, cheap)
	for _, tt := range knownAnswers {
		t.Run(tt.name, func(t *testing.T) {
			if f, err := Identify(tt.enc); f != tt.format || err != nil {
				t.Errorf("Identify(%q) = %v, %v; want %v, nil", tt.enc, f, err, tt.format)
			}
			if err := Importable(tt.enc); err != nil {
				t.Errorf("Importable(%q) = %v", tt.enc, err)
			}
			ok, rehash, err := h.Verify(tt.pw, tt.enc)
			if !ok || !rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v; want true, true, nil", tt.pw, tt.enc, ok, rehash, err)
			}
			for _, wrong := range []string{tt.pw + "!", strings.ToUpper(tt.pw), ""} {
				if ok, _, err := h.Verify(wrong, tt.enc); ok || err != nil {
					t.Errorf("Verify(%q, %q) = %v, _, %v; want false, _, nil", wrong, tt.enc, ok, err)
				}
			}
		})
	}
}

// ab64 is passlib's adapted base64, written here independently of the
// package's decoder.
func ab64(b []byte) string {
	return strings.ReplaceAll(base64.RawStdEncoding.EncodeToString(b), "+", ".")
}

// TestVerifyImportedGenerated encodes PBKDF2 keys from golang.org/x/crypto/pbkdf2,
// and bcrypt hashes from golang.org/x/crypto/bcrypt, in every imported
// format, with random salts and passwords.
func TestVerifyImportedGenerated(t *testing.T) {
	h := mustHasher(t, cheap)
	salt := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	type gen struct {
		format Format
		make   func(pw string) string
	}
	passlib := func(prefix string, newHash func() hash.Hash, size int) func(string) string {
		return func(pw string) string {
			s := salt(16)
			key := pbkdf2.Key([]byte(pw), s, 1001, size, newHash)
			return fmt.Sprintf("$%s$1001$%s$%s", prefix, ab64(s), ab64(key))
		}
	}
	django := func(prefix string, newHash func() hash.Hash, size int) func(string) string {
		return func(pw string) string {
			s := base64.RawURLEncoding.EncodeToString(salt(16)) // Django's salts are text
			s = strings.NewReplacer("-", "a", "_", "b").Replace(s)
			key := pbkdf2.Key([]byte(pw), []byte(s), 999, size, newHash)
			return fmt.Sprintf("%s$999$%s$%s", prefix, s, base64.StdEncoding.EncodeToString(key))
		}
	}
	bcryptAs := func(version string) func(string) string {
		return func(pw string) string {
			b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
			if err != nil {
				return "" // fails Identify below
			}
			// The versions differ only in how old C code treated bytes
			// above 0x7f; the computation is the same.
			return version + strings.TrimPrefix(string(b), "$2a$")
		}
	}
	phc := func(prefix string, variant argonVariant) func(string) string {
		return func(pw string) string {
			s := salt(16)
			key := argon2.IDKey([]byte(pw), s, 1, 64, 1, 32)
			if variant == argon2i {
				key = argon2.Key([]byte(pw), s, 1, 64, 1, 32)
			}
			return fmt.Sprintf("%s$%s$v=19$m=64,t=1,p=1$%s$%s", prefix, variant,
				base64.RawStdEncoding.EncodeToString(s), base64.RawStdEncoding.EncodeToString(key))
		}
	}
	gens := map[string]gen{
		"passlib pbkdf2-sha256": {FormatPasslibPBKDF2SHA256, passlib("pbkdf2-sha256", sha256.New, 32)},
		"passlib pbkdf2-sha512": {FormatPasslibPBKDF2SHA512, passlib("pbkdf2-sha512", sha512.New, 64)},
		"passlib pbkdf2 sha1":   {FormatPasslibPBKDF2SHA1, passlib("pbkdf2", sha1.New, 20)},
		"django pbkdf2_sha256":  {FormatDjangoPBKDF2SHA256, django("pbkdf2_sha256", sha256.New, 32)},
		"django pbkdf2_sha1":    {FormatDjangoPBKDF2SHA1, django("pbkdf2_sha1", sha1.New, 20)},
		"bcrypt 2a":             {FormatBcrypt, bcryptAs("$2a$")},
		"bcrypt 2b":             {FormatBcrypt, bcryptAs("$2b$")},
		"bcrypt 2y":             {FormatBcrypt, bcryptAs("$2y$")},
		"argon2i":               {FormatArgon2i, phc("", argon2i)},
		"django argon2id":       {FormatDjangoArgon2id, phc("argon2", argon2id)},
		"django argon2i":        {FormatDjangoArgon2i, phc("argon2", argon2i)},
	}
	for name, g := range gens {
		t.Run(name, func(t *testing.T) {
			for i := range 8 {
				pw := base64.StdEncoding.EncodeToString(salt(i*5 + 1))
				if i == 7 {
					pw = "pässwörd ✓"
				}
				enc := g.make(pw)
				if f, err := Identify(enc); f != g.format || err != nil {
					t.Fatalf("Identify(%q) = %v, %v; want %v", enc, f, err, g.format)
				}
				ok, rehash, err := h.Verify(pw, enc)
				if !ok || !rehash || err != nil {
					t.Fatalf("Verify(%q, %q) = %v, %v, %v; want true, true, nil", pw, enc, ok, rehash, err)
				}
				if ok, _, err := h.Verify(pw+"x", enc); ok || err != nil {
					t.Fatalf("Verify(%q, %q) = %v, _, %v; want false, _, nil", pw+"x", enc, ok, err)
				}
			}
		})
	}
}

// TestBcryptUsesFirst72Bytes documents what every bcrypt does: bytes after
// the 72nd do not count. The hash is of 72 'x' by python3-bcrypt.
func TestBcryptUsesFirst72Bytes(t *testing.T) {
	h := mustHasher(t, cheap)
	enc := "$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i"
	for _, pw := range []string{strings.Repeat("x", 72), strings.Repeat("x", 72) + "anything"} {
		if ok, _, err := h.Verify(pw, enc); !ok || err != nil {
			t.Errorf("Verify(%d bytes, %q) = %v, %v; want true", len(pw), enc, ok, err)
		}
	}
	if ok, _, _ := h.Verify(strings.Repeat("x", 71), enc); ok {
		t.Errorf("Verify(71 bytes, %q) = true, want false", enc)
	}
}

func TestIdentify(t *testing.T) {
	tests := []struct {
		name, enc string
		want      Format
		err       error
	}{
		{"argon2id", "$argon2id$v=19$m=19456,t=2,p=1$a$b", FormatArgon2id, nil},
		{"argon2i", "$argon2i$v=19$", FormatArgon2i, nil},
		{"bcrypt 2a", "$2a$10$", FormatBcrypt, nil},
		{"bcrypt 2b", "$2b$10$", FormatBcrypt, nil},
		{"bcrypt 2y", "$2y$10$", FormatBcrypt, nil},
		{"passlib sha1", "$pbkdf2$29000$", FormatPasslibPBKDF2SHA1, nil},
		{"passlib sha256", "$pbkdf2-sha256$29000$", FormatPasslibPBKDF2SHA256, nil},
		{"passlib sha512", "$pbkdf2-sha512$25000$", FormatPasslibPBKDF2SHA512, nil},
		{"django sha256", "pbkdf2_sha256$260000$", FormatDjangoPBKDF2SHA256, nil},
		{"django sha1", "pbkdf2_sha1$260000$", FormatDjangoPBKDF2SHA1, nil},
		{"django argon2id", "argon2$argon2id$v=19$", FormatDjangoArgon2id, nil},
		{"django argon2i", "argon2$argon2i$v=19$", FormatDjangoArgon2i, nil},
		{"empty", "", FormatUnknown, ErrMalformed},
		{"too long", "$argon2id$" + strings.Repeat("a", 503), FormatUnknown, ErrMalformed},
		{"argon2d", "$argon2d$v=19$m=64,t=2,p=1$c29tZXNhbHQ$+SDZVThkhGWr7rpq4G6lMu0m3zFK/2AVAjfY/hFvYs0", FormatUnknown, ErrUnsupported},
		{"django argon2d", "argon2$argon2d$v=19$", FormatUnknown, ErrUnsupported},
		{"bcrypt 2x", "$2x$10$", FormatUnknown, ErrUnsupported},
		{"bcrypt 2", "$2$10$", FormatUnknown, ErrUnsupported},
		{"md5crypt", "$1$saltsalt$hash", FormatUnknown, ErrUnsupported},
		{"sha512crypt", "$6$rounds=5000$salt$hash", FormatUnknown, ErrUnsupported},
		{"django bcrypt_sha256", "bcrypt_sha256$$2b$12$", FormatUnknown, ErrUnsupported},
		{"passlib pbkdf2-sha1 spelling", "$pbkdf2-sha1$1000$", FormatUnknown, ErrUnsupported},
		{"plain text", "hunter2", FormatUnknown, ErrUnsupported},
		{"prefix without dollar", "$argon2id", FormatUnknown, ErrUnsupported},
		{"case matters", "$ARGON2ID$v=19$", FormatUnknown, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Identify(tt.enc)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("Identify(%q) = %v, %v; want %v, %v", tt.enc, got, err, tt.want, tt.err)
			}
		})
	}
	if n := len(strings.Repeat("a", 503)) + len("$argon2id$"); n != maxEncodedLen+1 {
		t.Fatalf("the too-long case is %d bytes, want %d", n, maxEncodedLen+1)
	}
}

func TestFormatString(t *testing.T) {
	for f := FormatUnknown; f <= FormatDjangoArgon2i; f++ {
		if s := f.String(); s == "" || strings.HasPrefix(s, "Format(") {
			t.Errorf("Format(%d).String() = %q, want a name", int(f), s)
		}
	}
	if s := Format(99).String(); s != "Format(99)" {
		t.Errorf("Format(99).String() = %q", s)
	}
}

func TestImportable(t *testing.T) {
	const (
		salt16 = "AAECAwQFBgcICQoLDA0ODw"
		sha256 = "ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"
		bc     = "abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG"
		dj     = "SnsCePWE+kfUt20NDx80blalDqYVoiqADgnFMZuhiV8="
	)
	tests := []struct {
		name, enc string
		err       error
	}{
		{"django default argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$" + salt16 + "$" + sha256, nil},
		{"passlib default rounds", "$pbkdf2-sha256$29000$" + salt16 + "$" + sha256, nil},
		{"passlib empty salt", "$pbkdf2-sha256$29000$$" + sha256, nil},
		{"passlib ten million rounds", "$pbkdf2-sha256$10000000$" + salt16 + "$" + sha256, nil},
		{"bcrypt cost 16", "$2b$16$" + bc, nil},
		{"django at the limit", "pbkdf2_sha256$10000000$" + strings.Repeat("s", 64) + "$" + dj, nil},

		{"passlib no rounds", "$pbkdf2-sha256$$" + salt16 + "$" + sha256, ErrMalformed},
		{"passlib zero rounds", "$pbkdf2-sha256$0$" + salt16 + "$" + sha256, ErrMalformed},
		{"passlib zero-padded rounds", "$pbkdf2-sha256$01000$" + salt16 + "$" + sha256, ErrMalformed},
		{"passlib negative rounds", "$pbkdf2-sha256$-1$" + salt16 + "$" + sha256, ErrMalformed},
		{"passlib field missing", "$pbkdf2-sha256$1000$" + sha256, ErrMalformed},
		{"passlib extra field", "$pbkdf2-sha256$1000$" + salt16 + "$" + sha256 + "$", ErrMalformed},
		{"passlib sha256 with a sha1 hash", "$pbkdf2-sha256$1000$" + salt16 + "$AOm/kOb/.YAZ3ZwSogYgNu9fO1g", ErrMalformed},
		{"passlib padded", "$pbkdf2-sha256$1000$" + salt16 + "==$" + sha256, ErrMalformed},
		{"passlib bad base64", "$pbkdf2-sha256$1000$" + salt16 + "$" + sha256[:42] + "*", ErrMalformed},
		{"passlib long salt", "$pbkdf2-sha256$1000$" + strings.Repeat("A", 90) + "$" + sha256, ErrUnsupported},
		{"django empty salt", "pbkdf2_sha256$1000$$" + dj, ErrMalformed},
		{"django long salt", "pbkdf2_sha256$1000$" + strings.Repeat("s", 65) + "$" + dj, ErrUnsupported},
		{"django unpadded", "pbkdf2_sha256$1000$salt$" + strings.TrimSuffix(dj, "="), ErrMalformed},
		{"django salt with dollar", "pbkdf2_sha256$1000$sa$lt$" + dj, ErrMalformed},
		{"django short hash", "pbkdf2_sha256$1000$salt$bvRzh76qTawn1x+ZvCFW+4i/V00=", ErrMalformed},
		{"bcrypt short", "$2b$04$" + bc[:52], ErrMalformed},
		{"bcrypt long", "$2b$04$" + bc + "A", ErrMalformed},
		{"bcrypt cost 3", "$2b$03$" + bc, ErrMalformed},
		{"bcrypt cost not digits", "$2b$x4$" + bc, ErrMalformed},
		{"bcrypt one-digit cost", "$2b$4$" + bc + "A", ErrMalformed},
		{"bcrypt bad alphabet", "$2b$04$" + bc[:52] + "+", ErrMalformed},
		{"argon2 version 16", "$argon2i$v=16$m=64,t=2,p=1$c29tZXNhbHQ$Bh21/eJH8YBDyij2rzNMFBJxlNjZOXgA8TmVH6qMZno", ErrUnsupported},
		{"argon2 no version", "$argon2i$m=64,t=2,p=1$c29tZXNhbHQ$Bh21/eJH8YBDyij2rzNMFBJxlNjZOXgA8TmVH6qMZno", ErrUnsupported},
		{"argon2 keyid", "$argon2id$v=19$m=64,t=2,p=1,keyid=AAAA$c29tZXNhbHQ$" + sha256, ErrMalformed},
		{"argon2 short salt", "$argon2id$v=19$m=64,t=2,p=1$c2FsdA$" + sha256, ErrMalformed},
		{"argon2 t=0", "$argon2id$v=19$m=64,t=0,p=1$" + salt16 + "$" + sha256, ErrMalformed},
		{"argon2 p=0", "$argon2id$v=19$m=64,t=1,p=0$" + salt16 + "$" + sha256, ErrMalformed},
		{"argon2 m below 8p", "$argon2id$v=19$m=15,t=1,p=2$" + salt16 + "$" + sha256, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Importable(tt.enc)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("Importable(%q) = %v, want %v", tt.enc, err, tt.err)
			}
		})
	}
}

// FuzzIdentify checks that Identify and Importable never panic and agree:
// what Importable accepts, Identify names, and Verify can check.
func FuzzIdentify(f *testing.F) {
	for _, tt := range knownAnswers {
		f.Add(tt.enc)
	}
	for _, s := range []string{"", "$", "$$", "$2b$", "argon2$", "$pbkdf2-sha256$1$$", "pbkdf2_sha1$1$s$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, enc string) {
		if len(enc) > 4096 {
			return
		}
		format, idErr := Identify(enc)
		d, err := parse(enc)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("parse(%q) = %v, want ErrMalformed or ErrUnsupported", enc, err)
			}
			if Importable(enc) == nil {
				t.Fatalf("Importable(%q) = nil but parse failed: %v", enc, err)
			}
			return
		}
		if idErr != nil || format != d.format || format == FormatUnknown {
			t.Fatalf("Identify(%q) = %v, %v but parse found %v", enc, format, idErr, d.format)
		}
		if len(enc) > maxEncodedLen {
			t.Fatalf("parse accepted %d bytes", len(enc))
		}
	})
}

// withinFuzzBudget reports whether verifying d is cheap enough for a fuzzer.
func withinFuzzBudget(d decoded) bool {
	switch d.format {
	case FormatBcrypt:
		return d.bcrypt[4:6] <= "05"
	case FormatArgon2id, FormatArgon2i, FormatDjangoArgon2id, FormatDjangoArgon2i:
		return d.argon.params.Memory <= 256 && d.argon.params.Time <= 2
	default:
		return d.pbkdf2.iter <= 2000
	}
}

// FuzzVerify checks that Verify never panics, agrees with Importable, and
// verifies what Hash made.
func FuzzVerify(f *testing.F) {
	for _, tt := range knownAnswers {
		f.Add(tt.pw, tt.enc)
	}
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$NCHTnYaN4gCOKRJiBDba53h/Q0dH6OysZjFzyoDshNw")
	f.Add("pw", "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$NCHTnYaN4gCOKRJiBDba53h/Q0dH6OysZjFzyoDshNw")
	h := mustHasher(f, cheap)
	f.Fuzz(func(t *testing.T, pw, enc string) {
		if len(pw) > 1024 || len(enc) > 4096 {
			return
		}
		if d, err := parse(enc); err == nil && !withinFuzzBudget(d) {
			return
		}
		ok, rehash, err := h.Verify(pw, enc)
		if imp := Importable(enc); (imp == nil) != (err == nil) {
			t.Fatalf("Verify(_, %q) error %v but Importable %v", enc, err, imp)
		}
		if err != nil && (ok || rehash) {
			t.Fatalf("Verify(%q, %q) = %v, %v, %v: true with an error", pw, enc, ok, rehash, err)
		}
		own := mustHash(t, h, pw)
		if ok, rehash, err := h.Verify(pw, own); !ok || rehash || err != nil {
			t.Fatalf("Verify(%q, Hash(%[1]q)) = %v, %v, %v", pw, ok, rehash, err)
		}
	})
}
