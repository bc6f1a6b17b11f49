package password

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// ErrMalformed is returned, wrapped with detail, for an encoded hash that is
// not well formed: a missing field, bad base64, a number that is not one.
var ErrMalformed = errors.New("password: malformed hash")

// ErrUnsupported is returned, wrapped with detail, for an encoded hash that is
// well formed but that this package will not verify: an unknown algorithm or
// version, or a cost above the package's bounds.
var ErrUnsupported = errors.New("password: unsupported hash")

// Params are argon2id parameters.
type Params struct {
	Memory  uint32 // memory in KiB
	Time    uint32 // iterations (passes over memory)
	Threads uint8  // lanes and goroutines
	SaltLen uint32 // random salt, in bytes
	KeyLen  uint32 // derived key, in bytes
}

// DefaultParams are the OWASP Password Storage Cheat Sheet's first argon2id
// configuration: m=19456 (19 MiB), t=2, p=1. Raising them makes every login
// slower and costlier for the gateway, and an offline guess costlier for an
// attacker; the hashes stored with older values are upgraded at the next
// login (see Hasher.Verify).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on what an encoded hash may ask for, so that a crafted stored hash
// cannot exhaust memory or time. Hashing parameters must stay within them too.
const (
	maxEncodedLen   = 512
	maxArgonMemory  = 1 << 20 // KiB: 1 GiB
	maxArgonTime    = 32
	maxArgonThreads = 64
	minArgonSalt    = 8 // the argon2 specification's minimum
	maxArgonSalt    = 64
	minArgonKey     = 4 // the argon2 specification's minimum
	maxArgonKey     = 128
	maxPBKDF2Iter   = 10_000_000
	maxBcryptCost   = 16
)

// Validate reports whether p can be used to hash new passwords: every value
// within this package's bounds, a salt of at least 16 bytes and a key of at
// least 16 bytes.
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxArgonTime:
		return fmt.Errorf("password: argon2 time %d is not between 1 and %d", p.Time, maxArgonTime)
	case p.Threads < 1 || p.Threads > maxArgonThreads:
		return fmt.Errorf("password: argon2 threads %d is not between 1 and %d", p.Threads, maxArgonThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgonMemory:
		return fmt.Errorf("password: argon2 memory %d KiB is not between 8 KiB per thread and %d KiB", p.Memory, maxArgonMemory)
	case p.SaltLen < 16 || p.SaltLen > maxArgonSalt:
		return fmt.Errorf("password: argon2 salt length %d is not between 16 and %d bytes", p.SaltLen, maxArgonSalt)
	case p.KeyLen < 16 || p.KeyLen > maxArgonKey:
		return fmt.Errorf("password: argon2 key length %d is not between 16 and %d bytes", p.KeyLen, maxArgonKey)
	}
	return nil
}

// A Hasher hashes passwords with argon2id and verifies them against argon2id
// and imported hashes. It is safe for concurrent use.
type Hasher struct {
	p     Params
	dummy string        // an argon2id hash with p that no password matches
	n     atomic.Uint64 // hash computations, for tests
}

// NewHasher returns a Hasher that hashes with p; p must pass Validate.
func NewHasher(p Params) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	h := &Hasher{p: p}
	// The dummy hash is random bytes in a valid encoding: it has the cost of
	// a real hash without computing one, and no password matches it.
	salt := make([]byte, p.SaltLen)
	key := make([]byte, p.KeyLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("password: read random salt: %w", err)
	}
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("password: read random key: %w", err)
	}
	h.dummy = argonHash{variant: argon2id, version: argon2.Version, params: p, salt: salt, key: key}.encode()
	return h, nil
}

// Params returns the parameters h hashes with.
func (h *Hasher) Params() Params { return h.p }

// Hash returns the argon2id hash of pw in PHC string format, with a random
// salt.
func (h *Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: read random salt: %w", err)
	}
	a := argonHash{variant: argon2id, version: argon2.Version, params: h.p, salt: salt}
	a.key = h.argon(a, pw)
	return a.encode(), nil
}

// Verify reports whether pw matches encoded, an argon2id hash made by Hash or
// a hash in one of the imported formats (see Identify). rehash is true when
// encoded is not argon2id with exactly h's parameters: after a successful
// login the caller should store Hash(pw) in its place. An encoded hash that
// cannot be verified gives an error wrapping ErrMalformed or ErrUnsupported,
// before any hashing is done; the error does not repeat the hash.
func (h *Hasher) Verify(pw, encoded string) (ok, rehash bool, err error) {
	d, err := parse(encoded)
	if err != nil {
		return false, false, err
	}
	ok = h.matches(d, pw)
	rehash = d.format != FormatArgon2id || !d.argon.hasParams(h.p)
	return ok, rehash, nil
}

// VerifyDummy does the same work as Verify does for a password and an
// argon2id hash with h's parameters, and throws the result away. A login for
// a user that does not exist calls it, so that it takes as long as a login
// with a wrong password for one that does.
func (h *Hasher) VerifyDummy(pw string) {
	_, _, _ = h.Verify(pw, h.dummy)
}

// Computations returns how many hashes (argon2, PBKDF2 or bcrypt) h has
// computed, in Hash, Verify and VerifyDummy. Tests use it to check that two
// code paths do the same work.
func (h *Hasher) Computations() uint64 { return h.n.Load() }

// matches computes the hash of pw for d and compares it in constant time.
func (h *Hasher) matches(d decoded, pw string) bool {
	switch d.format {
	case FormatArgon2id, FormatArgon2i, FormatDjangoArgon2id, FormatDjangoArgon2i:
		return subtle.ConstantTimeCompare(h.argon(d.argon, pw), d.argon.key) == 1
	case FormatBcrypt:
		h.n.Add(1)
		return bcryptMatches(d.bcrypt, pw)
	default:
		h.n.Add(1)
		got, err := d.pbkdf2.derive(pw)
		return err == nil && subtle.ConstantTimeCompare(got, d.pbkdf2.key) == 1
	}
}

// argon computes the argon2 key of pw with a's variant, parameters and salt.
func (h *Hasher) argon(a argonHash, pw string) []byte {
	h.n.Add(1)
	p := a.params
	if a.variant == argon2i {
		return argon2.Key([]byte(pw), a.salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	}
	return argon2.IDKey([]byte(pw), a.salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}
