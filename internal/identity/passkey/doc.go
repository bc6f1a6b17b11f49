// Package passkey is rampart's relying party for WebAuthn passkeys and
// security keys, a small layer over github.com/go-webauthn/webauthn: it
// begins and finishes the three ceremonies the portal uses (registering a
// passkey, using one as a second factor, and signing in with one without a
// password), keeps the state of a ceremony between its two steps without
// server memory, and turns credentials into store records and back.
//
// # Sites
//
// The portal is mounted on every gateway host, so a ceremony runs where the
// page is: [RelyingParty.Site] takes the request's Host and whether it came
// over TLS and returns the origin ("https://host", with the port unless it
// is the default) and the RP ID. The RP ID is the host name without its
// port, or the configured [Config.RPID] (e.g. "example.com", so that one
// passkey works on every subdomain); then only hosts equal to it or under
// it may use passkeys. [Config.Origins], when set, narrows passkeys to the
// origins listed. IP addresses never can: WebAuthn needs a domain. Plain
// http is accepted only with [Config.AllowHTTP] and only for "localhost"
// and names under ".localhost", the one place browsers allow WebAuthn
// without TLS. A ceremony is bound to the origin it began at: a response
// collected at another origin, or finished on another host, is refused.
//
// # Ceremony state
//
// What a ceremony must remember between its begin and its finish (the
// challenge, the RP ID and origin, the user handle, the user-verification
// requirement) is sealed with the keyring ([seal.Keyring], AES-256-GCM)
// into an opaque string that the portal keeps in a short-lived cookie, so
// that any gateway node can finish what another began. The sealed value
// carries its kind and an expiry ([Config.Timeout], 5 minutes by default),
// and its associated data binds it to the kind and to a binding string the
// caller gives: the session ID for registration and second factor, the
// pre-session cookie for a sign-in without password. A value sealed for
// another session, another kind or another origin does not open. The list
// of allowed credentials is not kept (it could outgrow a cookie): the
// finish step accepts only credentials of the user it is given, which is
// the same check.
//
// # Replay
//
// Clearing the cookie after a finish stops a browser from finishing twice,
// but not someone who copied the cookie and the response. So every finish
// spends its challenge in the store: after the response verifies, a
// store.Token named by a hash of the challenge (purpose
// [PurposeChallenge]) is created for the user, with the ceremony's expiry.
// CreateToken fails with store.ErrConflict when that name exists, atomically
// across nodes, so a challenge completes one ceremony only ([ErrReplay]);
// the store's periodic clean-up of expired tokens removes the records
// (deleting a user's tokens of every purpose early would let a ceremony
// still within its timeout complete again). A second factor or
// registration is also bound to a session that the portal rotates on
// success, and registering the same credential twice fails on its ID.
//
// The signature counter is the other defence: a credential whose counter
// does not move forward (and is not zero on both sides, as passkeys that
// sync keep it) is refused with [ErrCloned], for the caller to report.
//
// # Users and credentials
//
// The user handle given to authenticators is [Handle]: a SHA-256 of the
// store's user ID, so that an authenticator learns nothing but a random
// looking 32 bytes. A credential is stored as a store.Credential of kind
// webauthn whose ID is the credential ID in base64url (so a sign-in
// without user name finds it), whose Data is the go-webauthn Credential as
// JSON and whose Counter is its signature counter; the store's Counter is
// the one believed.
//
// Registration asks for a discoverable credential (resident key
// preferred), no attestation, user verification as configured (preferred
// by default), and excludes the user's existing credentials. A sign-in
// without password requires user verification. Client extension outputs
// that were not asked for are ignored: rampart asks for none and uses
// none, and some password managers add them.
//
// # Bounds
//
// A response body is at most [MaxResponse] bytes and a sealed state at
// most [MaxState] characters; both are refused before any parsing when
// longer.
//
// A RelyingParty is immutable and safe for concurrent use.
package passkey
