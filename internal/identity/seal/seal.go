package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"log/slog"
)

const (
	// version is the first byte of every sealed value.
	version byte = 1

	// MaxSealedSize bounds a sealed value, and so what Seal takes and Open
	// reads. TOTP secrets and the like are tens of bytes.
	MaxSealedSize = 64 << 10

	// KeySize is the length of a key: AES-256.
	KeySize = 32

	// MaxKeyIDLen is the longest key ID.
	MaxKeyIDLen = 32

	nonceSize = 12
	tagSize   = 16
	// minSealed is the shortest well-formed value: a one-byte key ID and
	// an empty plaintext.
	minSealed = 2 + 1 + nonceSize + tagSize
)

var (
	// ErrMalformed means the input is not a sealed value of a known version.
	ErrMalformed = errors.New("malformed sealed value")
	// ErrUnknownKey means the value was sealed under a key ID that the
	// keyring does not hold; the returned error names the ID.
	ErrUnknownKey = errors.New("unknown key ID")
	// ErrAuth means the value did not authenticate: it was altered, or
	// sealed with other associated data or another key of the same ID.
	ErrAuth = errors.New("message authentication failed")
	// ErrTooLarge means a plaintext would make a sealed value longer than
	// MaxSealedSize.
	ErrTooLarge = errors.New("sealed value would exceed the size limit")
)

// Key is one AES-256 key and the ID stored with what it seals. String,
// GoString and LogValue show the ID only.
type Key struct {
	ID     string // 1 to 32 characters from [a-zA-Z0-9_-]
	Secret []byte // exactly 32 bytes
}

// String returns the key's ID and hides the secret.
func (k Key) String() string { return "seal.Key{ID: " + k.ID + ", Secret: [redacted]}" }

// GoString is String, so %#v hides the secret too.
func (k Key) GoString() string { return k.String() }

// LogValue logs the key's ID only.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("secret", "[redacted]"))
}

// Keyring seals under its current key and opens under any of its keys.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
	ids     []string // in configuration order, for String
}

// NewKeyring builds a Keyring from keys: the first is the current key, used
// to seal; the others only open values sealed before a rotation. It
// reports every invalid or repeated key at once, by index and ID.
func NewKeyring(keys []Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("new keyring: no keys; configure at least one")
	}
	kr := &Keyring{current: keys[0].ID, keys: make(map[string]cipher.AEAD, len(keys))}
	var errs []error
	for i, k := range keys {
		if err := checkKeyID(k.ID); err != nil {
			errs = append(errs, fmt.Errorf("key %d: %w", i, err))
			continue
		}
		if len(k.Secret) != KeySize {
			errs = append(errs, fmt.Errorf("key %d (%s): secret is %d bytes; want %d", i, k.ID, len(k.Secret), KeySize))
			continue
		}
		if _, dup := kr.keys[k.ID]; dup {
			errs = append(errs, fmt.Errorf("key %d: ID %s is used twice; give each key its own ID", i, k.ID))
			continue
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			errs = append(errs, fmt.Errorf("key %d (%s): %w", i, k.ID, err))
			continue
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			errs = append(errs, fmt.Errorf("key %d (%s): %w", i, k.ID, err))
			continue
		}
		kr.keys[k.ID] = aead
		kr.ids = append(kr.ids, k.ID)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("new keyring: %w", errors.Join(errs...))
	}
	return kr, nil
}

// checkKeyID reports whether id is 1 to 32 characters from [a-zA-Z0-9_-].
// The error quotes an invalid ID only when it is short and printable.
func checkKeyID(id string) error {
	if id == "" {
		return errors.New("key ID is empty; use 1 to 32 characters from a-z, A-Z, 0-9, _ and -")
	}
	if len(id) > MaxKeyIDLen {
		return fmt.Errorf("key ID is %d characters long; use at most %d", len(id), MaxKeyIDLen)
	}
	if !validKeyID(id) {
		return fmt.Errorf("key ID %q has a character outside a-z, A-Z, 0-9, _ and -", id)
	}
	return nil
}

func validKeyID[T string | []byte](id T) bool {
	if len(id) == 0 || len(id) > MaxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// CurrentID returns the ID of the key that Seal uses.
func (kr *Keyring) CurrentID() string { return kr.current }

// String names the keyring's key IDs, current first, and no key material.
func (kr *Keyring) String() string { return fmt.Sprintf("seal.Keyring%v", kr.ids) }

// GoString is String, so %#v hides the keys too.
func (kr *Keyring) GoString() string { return kr.String() }

// LogValue logs the key IDs only.
func (kr *Keyring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("current", kr.current), slog.Any("ids", kr.ids))
}

// header returns the version byte and the length-prefixed key ID.
func header(id string) []byte {
	h := make([]byte, 0, 2+len(id))
	h = append(h, version, byte(len(id))) // #nosec G115 -- key IDs are at most MaxKeyIDLen bytes, checked in NewKeyring
	return append(h, id...)
}

// authData is what GCM authenticates besides the ciphertext: the header,
// which is self-delimiting, then the caller's associated data.
func authData(h, associatedData []byte) []byte {
	ad := make([]byte, 0, len(h)+len(associatedData))
	ad = append(ad, h...)
	return append(ad, associatedData...)
}

// Seal encrypts plaintext under the current key. associatedData is
// authenticated but not stored; Open must be given the same bytes. It
// returns ErrTooLarge when the result would exceed MaxSealedSize.
func (kr *Keyring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	h := header(kr.current)
	aead := kr.keys[kr.current]
	size := len(h) + aead.Overhead() + len(plaintext)
	if len(plaintext) > MaxSealedSize || size > MaxSealedSize {
		return nil, fmt.Errorf("seal %d bytes: %w (%d bytes)", len(plaintext), ErrTooLarge, MaxSealedSize)
	}
	out := make([]byte, len(h), size)
	copy(out, h)
	// The nonce is nil because NewGCMWithRandomNonce makes a random one.
	return aead.Seal(out, nil, plaintext, authData(h, associatedData)), nil // #nosec G407 -- random nonce, see above
}

// parse splits a sealed value into its header, key ID and the nonce with
// the ciphertext.
func parse(sealed []byte) (h, id, rest []byte, err error) {
	if len(sealed) > MaxSealedSize {
		return nil, nil, nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxSealedSize)
	}
	if len(sealed) < minSealed {
		return nil, nil, nil, fmt.Errorf("%w: too short", ErrMalformed)
	}
	if sealed[0] != version {
		return nil, nil, nil, fmt.Errorf("%w: unknown version %d", ErrMalformed, sealed[0])
	}
	n := int(sealed[1])
	if len(sealed) < minSealed-1+n {
		return nil, nil, nil, fmt.Errorf("%w: too short", ErrMalformed)
	}
	id = sealed[2 : 2+n]
	if !validKeyID(id) {
		return nil, nil, nil, fmt.Errorf("%w: invalid key ID", ErrMalformed)
	}
	return sealed[:2+n], id, sealed[2+n:], nil
}

// Open decrypts a value made by Seal, under the key it names, and checks
// associatedData. It returns an error wrapping ErrMalformed, ErrUnknownKey
// (naming the key ID) or ErrAuth.
func (kr *Keyring) Open(sealed, associatedData []byte) ([]byte, error) {
	h, id, rest, err := parse(sealed)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	aead, ok := kr.keys[string(id)]
	if !ok {
		return nil, fmt.Errorf("open: %w %s; is the key that sealed it still configured?", ErrUnknownKey, id)
	}
	pt, err := aead.Open(nil, nil, rest, authData(h, associatedData))
	if err != nil {
		// crypto/cipher's error says no more than ErrAuth does.
		return nil, fmt.Errorf("open: %w", ErrAuth)
	}
	return pt, nil
}

// NeedsRotation reports whether sealed names a key other than the current
// one, so a caller that opened it should seal it again. It returns false for
// a malformed value, which Open refuses anyway.
func (kr *Keyring) NeedsRotation(sealed []byte) bool {
	_, id, _, err := parse(sealed)
	return err == nil && string(id) != kr.current
}
