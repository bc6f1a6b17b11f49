// Package seal encrypts small secrets at rest, such as TOTP secrets in the
// store, with AES-256-GCM under a configured [Keyring].
//
// # Format
//
// A sealed value is
//
//	version (1 byte, 1) | key ID length (1 byte) | key ID | nonce (12 bytes) | ciphertext and tag
//
// The key ID names the key that sealed the value, so the configured key can
// rotate: the first key of a Keyring seals, every key opens, and
// [Keyring.NeedsRotation] tells a caller which stored values to seal again
// under the current key. The header (version and key ID) and the caller's
// associated data are both authenticated, so a value whose header was
// edited does not open. The associated data is not stored: it binds a value
// to its record (a user ID and a credential ID, say), so that a ciphertext
// copied into another row does not open there.
//
// The nonce is 96 random bits from crypto/rand, as
// [crypto/cipher.NewGCMWithRandomNonce] makes it. A random nonce is safe for
// up to 2^32 seals under one key, far more than a gateway's TOTP secrets;
// rotate the key long before that.
//
// # Keys
//
// A key is exactly 32 random bytes; [ParseKey] reads one from configuration
// text in base64 or hex. No error, String, GoString or log value of this
// package shows key material: errors name a key by its ID only.
//
// # Bounds
//
// A sealed value is at most [MaxSealedSize] bytes; [Keyring.Seal] refuses a
// plaintext that would make a longer one and [Keyring.Open] refuses a longer
// input before any work. Open returns [ErrMalformed], [ErrUnknownKey] or
// [ErrAuth] for bad input and never panics.
//
// What this package does not do: keep keys (configuration does), know about
// users or the store, or re-encrypt stored values by itself.
//
// A Keyring is immutable once built and safe for concurrent use.
package seal
