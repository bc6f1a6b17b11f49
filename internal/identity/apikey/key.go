package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

const (
	// Prefix starts every key.
	Prefix = "rk_"
	// IDLen is the length of a key's public ID.
	IDLen = 12
	// idAlphabet is lower-case base32 (RFC 4648 letters, lower case): no
	// character a URL, a header or a shell treats specially.
	idAlphabet = "abcdefghijklmnopqrstuvwxyz234567"
	// secretBytes is the entropy of a key's secret.
	secretBytes = 32
	// secretLen is the length of the secret in base64url without padding.
	secretLen = (secretBytes*8 + 5) / 6 // 43
	// KeyLen is the length of a whole key.
	KeyLen = len(Prefix) + IDLen + 1 + secretLen // 59

	idStart     = len(Prefix)
	sepAt       = idStart + IDLen
	secretStart = sepAt + 1
)

const invalid = 0xff

// b32 and b64 map a byte to its value in the ID and secret alphabets, or
// to invalid.
var b32, b64 = table(idAlphabet), table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

func table(alphabet string) (t [256]byte) {
	for i := range t {
		t[i] = invalid
	}
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}

// parseKey returns the public ID of key, a substring of it, if key is
// exactly of the format: Prefix, IDLen characters of idAlphabet, "_", and
// the canonical base64url encoding without padding of secretBytes bytes
// (whose last character carries 4 bits, so its 2 low bits are zero). It
// reads at most KeyLen bytes whatever the length of key, and allocates
// nothing.
func parseKey(key string) (id string, ok bool) {
	if len(key) != KeyLen || key[:idStart] != Prefix || key[sepAt] != '_' {
		return "", false
	}
	for i := idStart; i < sepAt; i++ {
		if b32[key[i]] == invalid {
			return "", false
		}
	}
	for i := secretStart; i < KeyLen; i++ {
		if b64[key[i]] == invalid {
			return "", false
		}
	}
	if b64[key[KeyLen-1]]&3 != 0 {
		return "", false
	}
	return key[idStart:sepAt], true
}

// newKey returns a fresh key and its public ID. The ID is a copy, not a
// substring of the key: records and the cache hold it for long, and must
// not keep the key's secret alive in memory with it.
func newKey() (key, id string) {
	var r [IDLen + secretBytes]byte
	_, _ = rand.Read(r[:]) // never fails: crypto/rand crashes the program instead
	var b [KeyLen]byte
	copy(b[:], Prefix)
	idb := b[idStart:sepAt]
	for i := range idb {
		idb[i] = idAlphabet[r[i]&31] // 256 is a multiple of 32: uniform
	}
	b[sepAt] = '_'
	base64.RawURLEncoding.Encode(b[secretStart:], r[IDLen:])
	return string(b[:]), string(idb)
}

// digest returns the SHA-256 of a well-formed key. It copies the key into
// an array first, so that hashing it does not allocate.
func digest(key string) [sha256.Size]byte {
	var b [KeyLen]byte
	copy(b[:], key)
	return sha256.Sum256(b[:])
}
