// Package apikey issues and checks API keys, the credentials of machine
// clients (scripts, CI jobs, other services) that cannot do an interactive
// sign-in.
//
// # Key format
//
// A key is 59 ASCII characters:
//
//	rk_<id>_<secret>
//	rk_k3v9q2m8x7ab_0q9zRj3dY…(43 characters)
//
// "rk_" marks a rampart key: secret scanners (and people) recognise a
// leaked one, and [FromRequest] tells it from a JWT in the same
// Authorization header. <id> is 12 characters of lower-case base32 (60
// random bits) and is public: the store looks keys up by it, lists and
// logs show it, and [Manager.Revoke] takes it. <secret> is 32 bytes from
// crypto/rand in base64url without padding. Every position is fixed, so
// the "_" that base64url may put inside the secret is no ambiguity.
//
// The store keeps the hex SHA-256 of the whole key string, never the key:
// with 256 random bits a fast hash is as strong as a slow one, and hashing
// the ID along with the secret binds the two. [Manager.Create] returns the
// key once; it cannot be shown again, only revoked and replaced.
//
// # Checking a key
//
// [Manager.Validate] refuses a string that is not exactly of the format
// (length, prefix, separator, alphabets, canonical base64) before doing
// any work, fetches the record by its ID, compares the hash in constant
// time, and refuses revoked and expired keys; every failure is
// [ErrInvalid], so a client learns nothing about which part was wrong.
// LastUsedAt is written at most once per TouchInterval (a minute) per key
// and node.
//
// Records are cached in process for CacheTTL (5 s by default), found keys
// and revoked ones alike, so a busy client costs no store round trip and a
// client hammering with a wrong secret or a revoked key costs none either.
// Unknown IDs are not cached: each costs a store read, which rate limits
// in front bound. [Manager.Revoke] evicts the key from this node's cache
// at once; other nodes refuse it within CacheTTL (a pub/sub invalidation
// channel can close that window later).
//
// Keys are never read from the query string, where they would end up in
// access logs, browser history and Referer headers.
//
// A [Manager] is safe for concurrent use.
package apikey
