package password

import (
	"crypto/pbkdf2"
	"crypto/sha1" // #nosec G505 -- only to verify imported PBKDF2-SHA1 hashes, which are then rehashed
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Format names an encoding of a password hash.
type Format int

// The formats Verify accepts. Only FormatArgon2id is ever written.
const (
	FormatUnknown             Format = iota
	FormatArgon2id                   // $argon2id$v=19$m=…,t=…,p=…$salt$hash (PHC)
	FormatArgon2i                    // $argon2i$v=19$… (PHC)
	FormatBcrypt                     // $2a$, $2b$ or $2y$
	FormatPasslibPBKDF2SHA1          // $pbkdf2$rounds$salt$hash (passlib)
	FormatPasslibPBKDF2SHA256        // $pbkdf2-sha256$rounds$salt$hash (passlib)
	FormatPasslibPBKDF2SHA512        // $pbkdf2-sha512$rounds$salt$hash (passlib)
	FormatDjangoPBKDF2SHA1           // pbkdf2_sha1$iterations$salt$hash (Django)
	FormatDjangoPBKDF2SHA256         // pbkdf2_sha256$iterations$salt$hash (Django)
	FormatDjangoArgon2id             // argon2$argon2id$v=19$… (Django)
	FormatDjangoArgon2i              // argon2$argon2i$v=19$… (Django)
)

var formatNames = [...]string{ // #nosec G101 -- names of hash formats, not credentials
	FormatUnknown:             "unknown",
	FormatArgon2id:            "argon2id",
	FormatArgon2i:             "argon2i",
	FormatBcrypt:              "bcrypt",
	FormatPasslibPBKDF2SHA1:   "passlib-pbkdf2-sha1",
	FormatPasslibPBKDF2SHA256: "passlib-pbkdf2-sha256",
	FormatPasslibPBKDF2SHA512: "passlib-pbkdf2-sha512",
	FormatDjangoPBKDF2SHA1:    "django-pbkdf2-sha1",
	FormatDjangoPBKDF2SHA256:  "django-pbkdf2-sha256",
	FormatDjangoArgon2id:      "django-argon2id",
	FormatDjangoArgon2i:       "django-argon2i",
}

// String returns the format's name, as "argon2id" or "django-pbkdf2-sha256".
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// prefixes maps the start of an encoded hash to its format. Longer prefixes
// that share a start with shorter ones ($argon2id$, $argon2i$) cannot be
// confused because each ends with '$'.
var prefixes = []struct {
	prefix string
	format Format
}{
	{"$argon2id$", FormatArgon2id},
	{"$argon2i$", FormatArgon2i},
	{"$2a$", FormatBcrypt},
	{"$2b$", FormatBcrypt},
	{"$2y$", FormatBcrypt},
	{"$pbkdf2$", FormatPasslibPBKDF2SHA1},
	{"$pbkdf2-sha256$", FormatPasslibPBKDF2SHA256},
	{"$pbkdf2-sha512$", FormatPasslibPBKDF2SHA512},
	{"pbkdf2_sha1$", FormatDjangoPBKDF2SHA1},
	{"pbkdf2_sha256$", FormatDjangoPBKDF2SHA256},
	{"argon2$argon2id$", FormatDjangoArgon2id},
	{"argon2$argon2i$", FormatDjangoArgon2i},
}

// Identify names the format of an encoded hash from its prefix, without
// checking the rest; Importable checks all of it. An empty or overlong
// string gives ErrMalformed, an unknown prefix ErrUnsupported.
func Identify(encoded string) (Format, error) {
	if encoded == "" {
		return FormatUnknown, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if len(encoded) > maxEncodedLen {
		return FormatUnknown, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxEncodedLen)
	}
	for _, p := range prefixes {
		if strings.HasPrefix(encoded, p.prefix) {
			return p.format, nil
		}
	}
	if id := scheme(encoded); id != "" {
		return FormatUnknown, fmt.Errorf("%w: unknown format %q", ErrUnsupported, id)
	}
	return FormatUnknown, fmt.Errorf("%w: unknown format", ErrUnsupported)
}

// scheme returns the identifier an encoded hash starts with ("1" in
// "$1$…", "sha1" in "sha1$…") when it is short and plain enough to name in
// an error, or "".
func scheme(s string) string {
	s = strings.TrimPrefix(s, "$")
	id, _, ok := strings.Cut(s, "$")
	if !ok || id == "" || len(id) > 20 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}
	return id
}

// Importable reports whether encoded is a hash that Verify can check: a
// known format, well formed and within the package's bounds. It computes no
// hash. The error wraps ErrMalformed or ErrUnsupported and names the
// problem, never the hash.
func Importable(encoded string) error {
	_, err := parse(encoded)
	return err
}

// decoded is a parsed hash of any format.
type decoded struct {
	format Format
	argon  argonHash  // the argon2 formats
	pbkdf2 pbkdf2Hash // the PBKDF2 formats
	bcrypt string     // FormatBcrypt: the hash as it is
}

// parse identifies and decodes encoded, checking it against the bounds.
func parse(encoded string) (decoded, error) {
	f, err := Identify(encoded)
	if err != nil {
		return decoded{}, err
	}
	d := decoded{format: f}
	switch f {
	case FormatArgon2id, FormatArgon2i:
		d.argon, err = parsePHC(encoded)
	case FormatDjangoArgon2id, FormatDjangoArgon2i:
		d.argon, err = parsePHC(strings.TrimPrefix(encoded, "argon2"))
	case FormatBcrypt:
		d.bcrypt, err = encoded, checkBcrypt(encoded)
	case FormatPasslibPBKDF2SHA1, FormatPasslibPBKDF2SHA256, FormatPasslibPBKDF2SHA512:
		d.pbkdf2, err = parsePasslib(f, encoded)
	case FormatDjangoPBKDF2SHA1, FormatDjangoPBKDF2SHA256:
		d.pbkdf2, err = parseDjango(f, encoded)
	}
	if err != nil {
		return decoded{}, err
	}
	return d, nil
}

// pbkdf2Hash is a decoded PBKDF2 hash of passlib or Django.
type pbkdf2Hash struct {
	newHash func() hash.Hash
	iter    int
	salt    []byte
	key     []byte
}

func (p pbkdf2Hash) derive(pw string) ([]byte, error) {
	return pbkdf2.Key(p.newHash, pw, p.salt, p.iter, len(p.key))
}

// pbkdf2Hashes gives, per format, the HMAC hash and so the key length.
func pbkdf2Hashes(f Format) (newHash func() hash.Hash, size int) {
	switch f {
	case FormatPasslibPBKDF2SHA1, FormatDjangoPBKDF2SHA1:
		return sha1.New, sha1.Size
	case FormatPasslibPBKDF2SHA512:
		return sha512.New, sha512.Size
	default:
		return sha256.New, sha256.Size
	}
}

// passlibB64 is passlib's "adapted base64": the standard alphabet with '.'
// for '+', no padding. Decoding maps '.' back to '+' first.
var passlibB64 = base64.RawStdEncoding.Strict()

// parsePasslib decodes passlib's $pbkdf2-sha256$rounds$salt$hash (and the
// sha512 and sha1 forms, whose prefixes are $pbkdf2-sha512$ and $pbkdf2$).
func parsePasslib(f Format, s string) (pbkdf2Hash, error) {
	var p pbkdf2Hash
	fields := strings.Split(s, "$")
	if len(fields) != 5 {
		return p, fmt.Errorf("%w: passlib pbkdf2 hash has %d fields, want 5", ErrMalformed, len(fields))
	}
	var err error
	if p.iter, err = pbkdf2Iterations(fields[2]); err != nil {
		return p, err
	}
	salt := strings.ReplaceAll(fields[3], ".", "+")
	if p.salt, err = decodeBounded(passlibB64, salt, "pbkdf2 salt", 0, maxArgonSalt); err != nil {
		return p, err
	}
	var size int
	p.newHash, size = pbkdf2Hashes(f)
	sum := strings.ReplaceAll(fields[4], ".", "+")
	if p.key, err = decodeBounded(passlibB64, sum, "pbkdf2 hash", size, size); err != nil {
		return p, err
	}
	return p, nil
}

// djangoB64 is the base64 Django writes PBKDF2 hashes in: standard, padded.
var djangoB64 = base64.StdEncoding.Strict()

// parseDjango decodes Django's pbkdf2_sha256$iterations$salt$hash (and
// pbkdf2_sha1$…). Django uses the salt as the text it is, not decoded.
func parseDjango(f Format, s string) (pbkdf2Hash, error) {
	var p pbkdf2Hash
	fields := strings.Split(s, "$")
	if len(fields) != 4 {
		return p, fmt.Errorf("%w: django pbkdf2 hash has %d fields, want 4", ErrMalformed, len(fields))
	}
	var err error
	if p.iter, err = pbkdf2Iterations(fields[1]); err != nil {
		return p, err
	}
	switch salt := fields[2]; {
	case salt == "":
		return p, fmt.Errorf("%w: django pbkdf2 salt is empty", ErrMalformed)
	case len(salt) > maxArgonSalt:
		return p, fmt.Errorf("%w: django pbkdf2 salt is longer than the limit of %d bytes", ErrUnsupported, maxArgonSalt)
	default:
		p.salt = []byte(salt)
	}
	var size int
	p.newHash, size = pbkdf2Hashes(f)
	if p.key, err = decodeBounded(djangoB64, fields[3], "pbkdf2 hash", size, size); err != nil {
		return p, err
	}
	return p, nil
}

func pbkdf2Iterations(s string) (int, error) {
	n, err := decimal(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%w: pbkdf2 iterations: %v", ErrMalformed, err)
	case n < 1:
		return 0, fmt.Errorf("%w: pbkdf2 iterations are 0", ErrMalformed)
	case n > maxPBKDF2Iter:
		return 0, fmt.Errorf("%w: pbkdf2 iterations %d are above the limit of %d", ErrUnsupported, n, maxPBKDF2Iter)
	}
	return int(n), nil
}

// checkBcrypt checks a modular crypt bcrypt hash: $2b$, two digits of cost,
// $, then 22 characters of salt and 31 of hash in bcrypt's base64.
func checkBcrypt(s string) error {
	if len(s) != 60 {
		return fmt.Errorf("%w: bcrypt hash is %d bytes long, want 60", ErrMalformed, len(s))
	}
	if s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' || s[6] != '$' {
		return fmt.Errorf("%w: bcrypt cost is not two digits", ErrMalformed)
	}
	for i := 7; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '/') {
			return fmt.Errorf("%w: bcrypt salt and hash are not in bcrypt's base64", ErrMalformed)
		}
	}
	switch cost := int(s[4]-'0')*10 + int(s[5]-'0'); {
	case cost < bcrypt.MinCost:
		return fmt.Errorf("%w: bcrypt cost %d is below %d", ErrMalformed, cost, bcrypt.MinCost)
	case cost > maxBcryptCost:
		return fmt.Errorf("%w: bcrypt cost %d is above the limit of %d", ErrUnsupported, cost, maxBcryptCost)
	}
	return nil
}

// bcryptMatches reports whether pw matches the bcrypt hash encoded, which
// checkBcrypt accepted. bcrypt compares in constant time and, as every
// bcrypt does, uses only the first 72 bytes of pw.
func bcryptMatches(encoded, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw)) == nil
}
