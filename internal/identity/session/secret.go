package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

const (
	// secretBytes is the entropy of a session secret: 256 bits, far beyond
	// guessing, so that its plain SHA-256 can be the stored ID.
	secretBytes = 32
	// SecretLen is the length of a session secret as the cookie carries it:
	// base64url without padding of secretBytes.
	SecretLen = (secretBytes*8 + 5) / 6 // 43
)

// invalid marks a byte outside the base64url alphabet in b64.
const invalid = 0xff

// b64 maps a byte to its base64url value, or to invalid.
var b64 = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = invalid
	}
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// wellFormed reports whether s is the canonical base64url encoding, without
// padding, of secretBytes bytes: exactly SecretLen characters of the
// alphabet, the last of which carries only 4 bits, so its 2 low bits are
// zero. It reads at most SecretLen bytes whatever the length of s, and
// allocates nothing.
func wellFormed(s string) bool {
	if len(s) != SecretLen {
		return false
	}
	for i := range SecretLen {
		if b64[s[i]] == invalid {
			return false
		}
	}
	return b64[s[SecretLen-1]]&3 == 0
}

// newSecret returns a fresh secret and its digest.
func newSecret() (string, [sha256.Size]byte) {
	var b [secretBytes]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	s := base64.RawURLEncoding.EncodeToString(b[:])
	return s, digest(s)
}

// digest returns the SHA-256 of a well-formed secret. It copies the secret
// into an array first, so that hashing it does not allocate.
func digest(secret string) [sha256.Size]byte {
	var b [SecretLen]byte
	copy(b[:], secret)
	return sha256.Sum256(b[:])
}

// storeID is the ID the store keeps a session under: the digest in hex.
func storeID(sum [sha256.Size]byte) string { return hex.EncodeToString(sum[:]) }
