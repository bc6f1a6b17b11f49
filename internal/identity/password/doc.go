// Package password hashes and verifies passwords and checks new ones against
// a policy. It is the password layer of rampart's identity: it knows nothing
// of users, stores, sessions or lockouts.
//
// # Hashing
//
// New hashes are argon2id in the PHC string format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in standard base64 without padding. [DefaultParams] are
// the OWASP Password Storage Cheat Sheet's first argon2id configuration:
// 19 MiB of memory, 2 iterations, 1 degree of parallelism, a 16-byte random
// salt and a 32-byte key. One hash takes a few tens of milliseconds and
// 19 MiB on one core, which bounds what a burst of logins costs the gateway
// while keeping an offline guess expensive. [Hasher.Verify] compares in
// constant time and reports rehash = true when a stored hash is not argon2id
// with exactly the Hasher's parameters, so a caller can replace it with
// [Hasher.Hash] after the next successful login: parameters can be raised,
// and imported hashes upgraded, without a migration.
//
// # Imported formats
//
// [Hasher.Verify] also accepts hashes made elsewhere, so users can be
// imported with their passwords ([Importable] checks one; [Identify] names
// its [Format]). They always ask for a rehash:
//
//   - PHC argon2id and argon2i (v=19), as the argon2 reference, argon2-cffi
//     and libsodium write them;
//   - bcrypt $2a$, $2b$ and $2y$ (one algorithm under three names; as in
//     every bcrypt, only the first 72 bytes of a password count);
//   - passlib's $pbkdf2-sha256$, $pbkdf2-sha512$ and $pbkdf2$ (SHA-1), with
//     salt and hash in passlib's adapted base64 ('.' for '+', no padding);
//   - Django's pbkdf2_sha256$ and pbkdf2_sha1$ (the salt is used as the
//     text it is, the hash is standard base64 with padding), and Django's
//     argon2$argon2id$ and argon2$argon2i$ (a PHC string after "argon2").
//
// # Bounds
//
// A stored hash names its own cost, so a crafted one could ask for
// terabytes of memory or years of work. Before any work is done, a hash is
// rejected with [ErrUnsupported] when it asks for more than: argon2 memory
// 1 GiB, 32 iterations, 64 lanes, a 64-byte salt or a 128-byte key; PBKDF2
// 10 000 000 iterations; bcrypt cost 16. No encoded hash may be longer than
// 512 bytes. A hash of an unknown format also gives [ErrUnsupported], one
// that is not well formed [ErrMalformed]; neither error repeats the stored
// hash, and no input makes the package panic.
//
// # Enumeration
//
// [Hasher.VerifyDummy] does the same work as a verification against a real
// argon2id hash with the Hasher's parameters, for a login whose user does
// not exist; [Hasher.Computations] counts hash computations so tests can
// prove both paths cost the same.
//
// # Policy
//
// [Policy] follows NIST SP 800-63B: a minimum length (12 by default), a
// maximum of at least 128 characters, counted as Unicode code points, any
// characters at all, no composition rules, and a check against about
// 427 000 common and breached passwords (including the 100 000 most common
// of the "10 million passwords" list) shipped inside the binary, and against
// the user's own name and e-mail address. The list is loaded on first use.
//
// A Hasher is safe for concurrent use; so is a Policy, which is a value.
package password
