// Package session keeps rampart's signed-in browser sessions: it creates a
// session at sign-in, checks the session cookie on every request, rotates
// the cookie when privilege changes, and signs out one session or all of a
// user's.
//
// # Secrets and IDs
//
// A session cookie carries a secret of 32 bytes from crypto/rand, written in
// base64url without padding: exactly 43 characters. The store keeps the
// session under the hex SHA-256 of that string, so neither the database nor
// its backups hold anything a client could present; 256 random bits need no
// salt or slow hash. [Manager.Validate] refuses anything that is not exactly
// the canonical encoding of 32 bytes (length, alphabet and the unused low
// bits of the last character) before it hashes, so junk costs nothing and
// one session has exactly one cookie value.
//
// # Timeouts
//
// A session ends IdleTimeout after its last recorded request and
// AbsoluteTimeout after sign-in, whichever comes first
// ([store.Session.Expired]). The last request is written to the store at
// most once per TouchInterval (a minute) per session and node, to keep
// writes down, so the idle timeout is measured from a time that lags the
// true last request by up to TouchInterval: a session may end that much
// early, never late.
//
// # The cache, and what other nodes see
//
// Validate keeps the sessions it has checked in a bounded in-process cache
// (CacheSize entries in shards, each remembering when it was read) and
// answers from it without a store round trip for CacheTTL; timeouts are
// still checked on every request against the cached times. The cache is
// keyed by the SHA-256 of the secret, never by the secret itself.
//
// [Manager.Revoke], [Manager.RevokeAll] and [Manager.Rotate] delete from the
// store and evict from this node's cache at once. Another node that has the
// session cached keeps accepting it until its entry is CacheTTL old (5 s by
// default): that is the window in which a revoked session may still work
// elsewhere. A pub/sub invalidation channel (Redis) can close it later;
// until then, lower CacheTTL or set it negative (no cache) where that window
// matters more than the store reads.
//
// # Errors
//
// Validate and Rotate return [ErrInvalid] for every way a secret can fail
// (malformed, unknown, expired, revoked), so callers cannot leak which one
// it was; any other error means the store failed.
//
// A [Manager] is safe for concurrent use.
package session
