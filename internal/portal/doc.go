// Package portal serves rampart's login and account pages: sign in with a
// user name and password, a second factor (TOTP, a recovery code or a
// passkey), or a passkey alone; sign out; and account pages where a user
// enrols an authenticator app and receives recovery codes, registers,
// names and removes passkeys, changes the password, and sees and signs out
// their sessions. A [Portal] is an http.Handler mounted under a prefix
// (default "/.rampart/") on every gateway host:
//
//	{prefix}login           GET the form, POST a user name and password
//	{prefix}mfa             GET the form, POST a TOTP or recovery code
//	{prefix}logout          POST: end the session
//	{prefix}account         GET (also {prefix} itself): who is signed in, second factors
//	{prefix}totp/new        GET a new key as a QR code, POST a code to confirm it
//	{prefix}password        GET the form, POST the current password and the new one twice
//	{prefix}recovery/new    POST: replace the recovery codes and show the new ones once (users with a second factor)
//	{prefix}sessions        GET the user's sessions (only with Deps.SessionStore)
//	{prefix}sessions/revoke         POST: sign out one of them
//	{prefix}sessions/revoke-others  POST: sign out all but this one
//	{prefix}static/portal.css
//
// With [Deps.Passkeys] set (see Passkeys below):
//
//	{prefix}passkeys                  GET the user's passkeys, with forms to rename and remove each and the button that adds one
//	{prefix}passkeys/rename           POST an ID and a new name
//	{prefix}passkeys/remove           POST an ID
//	{prefix}passkeys/register/begin   POST (JSON answer): the options of a new passkey
//	{prefix}passkeys/register/finish  POST the browser's new credential as JSON (?name=)
//	{prefix}mfa/passkey/begin         POST (JSON answer): the options of a second factor
//	{prefix}mfa/passkey/finish        POST the browser's assertion as JSON (?rd=)
//	{prefix}login/passkey/begin       POST (JSON answer): the options of a sign-in without password
//	{prefix}login/passkey/finish      POST the browser's assertion as JSON (?rd=)
//	{prefix}static/passkey.js
//
// # Pages
//
// Pages are html/template, embedded in the binary, and work without
// JavaScript, except what WebAuthn needs. Every response, error pages and
// redirects included, carries the Content-Security-Policy [CSP]: no script
// at all, styles and images from the portal only (the QR code is a PNG
// drawn on the server and sent as a data: URL), forms posting to the
// portal only, no framing. The pages that offer a passkey (sign-in, second
// factor, passkeys) carry [PasskeyCSP] instead, which adds script-src
// 'self' and connect-src 'self' for the one script, static/passkey.js: no
// inline script, no eval. Pages are never cached (Cache-Control: no-store)
// and send no Referer.
//
// # Signing in
//
// A sign-in looks the user up by name without regard to case, asks the
// lockout guard (per account, per client address), and verifies the
// password. The guard counts an account under the folded name and the time
// of the account's last unlock (store.User.LockoutClearedAt, zero for names
// no account has), so [Unlock] (rampart user unlock), which moves that time
// in the store, lifts a lock on every node whatever counter they use.
// Unknown names are counted and locked like known ones.
// If the guard fails (Redis down), the page answers 503 and checks no
// password: the lockout fails closed. Every way to fail (no such user, wrong password, no password,
// disabled, locked, a stored hash that cannot be verified) computes one
// password hash, counts a failure (except while locked), waits the guard's
// delay and answers the same: status 200, the form again, and "Wrong user
// name or password.", so that neither the answer nor its cost tells which
// accounts exist. Each publishes auth.failure with the name as typed, the
// client address, user agent and a reason; the failure that locks an
// account or address also publishes auth.lockout. Argon2 computations run
// at most GOMAXPROCS (at least 2) at a time, so a burst of sign-ins waits
// rather than taking the gateway's memory.
//
// A good password replaces a hash that needs it ([password.Hasher.Verify]'s
// rehash) and starts a new session
// (a session cookie from before is revoked: a planted session ID is worth
// nothing after sign-in) and publishes auth.success. A user with a TOTP
// authenticator, recovery codes or (while passkeys are on) a passkey gets
// a session with MFA false and goes to {prefix}mfa; a user who must use a second factor and has none goes to
// {prefix}totp/new; anyone else goes to the redirect target.
//
// The second factor is a TOTP code (six digits, the current step or one
// either side), a recovery code, or a passkey (see Passkeys). A TOTP code is good once: the store
// accepts a step only when it is later than the last one the authenticator
// used (UseTOTPStep), atomically across nodes, and the step proved at
// enrolment counts as used. A recovery code is deleted as it is used.
// Failures count towards the same lockout as wrong passwords and get one
// generic answer. The account's failures are forgotten only when a sign-in
// is complete (after the second factor, if there is one), so that knowing
// the password does not buy fresh guesses at the code. Success replaces the session with a new one with MFA set
// ([session.Manager.Rotate]): a new session ID at the privilege change.
//
// A session with MFA false is what Authelia calls one factor: the
// gateway's access rules decide whether a route accepts it (mfa: required
// does not). The portal's own account pages (account, totp/new, password,
// sessions, passkeys) do not: a user who has a second factor must have used it in
// this session.
//
// # Changing the password
//
// {prefix}password asks for the current password and the new one twice.
// The current password is checked as at sign-in, under the same lockout
// guard and account key: a wrong one (or none stored, or any password
// while the account is locked) costs one password hash, counts a failure,
// publishes auth.failure (and auth.lockout when it locks), waits the
// guard's delay and gets one answer, "Your current password is not
// right." The new one must differ from the current one and pass
// [Config.Policy] with the user name and e-mail address as words it must
// not be; a refusal shows the policy's reason. The new argon2id hash is
// stored with UpdateUser on the Version read at the start of the request
// (a concurrent write to the user makes the change fail, not undo the
// other), and PasswordChangedAt set. Then this browser's session is
// rotated (a new session ID at the privilege change, MFA kept), every other
// session of the user is revoked ([session.Manager.RevokeAll]) and
// auth.password_changed is published with the number of sessions ended.
//
// # Sessions
//
// {prefix}sessions lists the user's live sessions (Deps.SessionStore,
// newest first) with when they began and were last seen (last seen lags
// by up to the session manager's TouchInterval), the client address and
// the User-Agent, cut to 120 bytes with control and formatting characters
// replaced, and marks this one. A session is named in the page and in the
// revoke form by a handle, an HMAC of its store ID under [Config.CSRFKey]:
// the page shows neither the cookie's secret nor the store's ID. A revoke
// looks the handle up among the user's own sessions only, so another
// user's session (by handle or ID) is 404 and untouched; revoking this
// session is a sign-out. Revoking one session ([session.Manager.RevokeID])
// deletes it from the store and from this node's session cache; other
// nodes' caches may accept it for up to their CacheTTL (5 s by default).
// "Sign out everywhere else" is [session.Manager.RevokeAll], which also
// clears this node's cache. Both publish auth.session_revoked.
//
// # Enrolling an authenticator
//
// {prefix}totp/new draws a new key (pquerna/otp, 160-bit secret) as a QR
// code and as text. The key travels back with the form sealed
// ([seal.Keyring]) and bound to the session, with a ten-minute expiry, so
// enrolment needs no server-side state and the user cannot choose the
// secret. A correct code stores the secret sealed under the keyring, with
// associated data userID+"/"+credentialID, as a TOTP credential; replaces
// the user's recovery codes with ten new ones, stored hashed
// ([recovery.Hash]) as recovery credentials and shown once; and raises the
// session to MFA under a new ID. Enrolling an authenticator app does not
// ask for a confirmation by e-mail (adding a passkey from a password-only
// session does): whoever holds a session of a user without a second
// factor can add an app.
//
// # CSRF
//
// Every form carries a synchronizer token: HMAC-SHA256 under
// [Config.CSRFKey] over the form's action and the session ID, or before
// sign-in over a random pre-session cookie ("__Host-rampart-csrf",
// Secure, HttpOnly, SameSite=Strict) set with the sign-in form. Every POST
// must also pass an origin check: Sec-Fetch-Site, when sent, must be
// same-origin or none; otherwise Origin, when sent, must be the portal's
// scheme and host. The scheme is https, also behind a proxy that
// terminated TLS, unless InsecureCookies is set and the request came over
// plain HTTP. A refused form gets 403 and a page with the request ID. A
// sign-out without a live session has nothing to protect: it clears the
// cookie and redirects without checking a token.
//
// # Redirects
//
// The target after sign-in (rd) is a path on the portal's host (starting
// with "/" but not "//" or "/\") or an https:// URL on one of
// [Config.AllowedRedirectHosts]; anything else, and anything over 2048
// bytes or holding blanks, control characters or backslashes, becomes "/".
// Session cookies are host-only, so a target on another host sees the
// user signed in only if that host has a session of its own.
//
// # Cookies
//
// The session cookie is [session.Manager.Cookie]'s (by default
// "__Host-rampart", Secure, HttpOnly, SameSite=Lax). [Config.InsecureCookies]
// drops the __Host- prefix and the Secure flag of the portal's own
// pre-session cookie only: the session package always marks its cookie
// Secure, which browsers accept over plain HTTP on localhost alone.
//
// # Passkeys
//
// [Deps.Passkeys] is the WebAuthn relying party (package passkey, over
// go-webauthn): each host the portal answers on is its own RP ID, or a
// configured domain is, and plain HTTP may use passkeys only on localhost
// with [Config.InsecureCookies]; a host where passkeys cannot work (an IP
// address, a host outside the RP ID) offers none, its passkeys page says
// so, and the ceremony endpoints answer 404. A ceremony is two JSON
// requests made by static/passkey.js: begin, a form POST with the page's
// CSRF token, answers with the options for
// navigator.credentials and keeps the ceremony's state, sealed with
// [Deps.Keys] and bound to the session (registration, second factor) or to
// the pre-session cookie (sign-in), in a cookie ("__Secure-rampart-passkey",
// Path the prefix, Secure, HttpOnly, SameSite=Strict, as long as the
// ceremony: 5 minutes); finish POSTs the browser's answer as JSON
// (application/json, at most 16 KiB) with the same token in the
// X-CSRF-Token header, and clears the cookie whatever the outcome. Both
// pass the origin check of every POST. Each finish spends its challenge
// in the store, so an answer replayed with copied cookies is refused.
//
// {prefix}passkeys lists the user's passkeys (name, added, last used),
// renames and removes them (a user's own only; other IDs are 404), and
// adds one: resident key preferred, so that it can sign in without a
// name; user verification as configured; the user's passkeys excluded. The
// first second factor of a user raises the session to MFA under a new ID,
// as enrolling an authenticator app does. Registration begins in one
// function (passkeyRegistrationGate), where a confirmation by e-mail
// before a passkey is added from a new session belongs.
//
// On {prefix}mfa a user with passkeys gets a button next to the code form
// (or instead of it, without TOTP and recovery codes). On {prefix}login
// "Sign in with a passkey" asks for any passkey of the site with user
// verification required: a passkey that verified its user is two factors,
// and the session starts with MFA. Either success forgets the account's
// failures, rotates (second factor) or creates (sign-in) the session as a
// code or password does, stores the passkey's new signature counter and
// last use, and publishes auth.success with factor passkey and method
// second_factor or passwordless. The sign-in without password asks the
// guard about the client's address first and about the account once the
// passkey names it; a locked account or address is refused, and a disabled
// user too. A passkey that does not verify, an unknown passkey, a replay,
// or a signature counter that did not move forward (a cloned
// authenticator: auth.failure of high severity) counts a failure for the
// account (when known) and the address, publishes auth.failure and
// answers 403 with one message. The redirect target goes through the
// same rules as the forms' rd.
//
// # Links by e-mail
//
// With [Deps.Mail] (and [Deps.Tokens]) set, the mailbox confirms what a
// password alone should not decide:
//
//	{prefix}reset                GET the form, POST a user name or address: a reset link
//	{prefix}reset/confirm        GET the link: a form; POST the new password twice
//	{prefix}password/confirm     GET the link: a confirmation; POST sets the new password
//	{prefix}email                GET the form, POST a new address and the current password
//	{prefix}email/confirm        GET the link: a confirmation; POST sets the address
//	{prefix}mfa/reset            POST (from {prefix}mfa): a link that removes the second factors
//	{prefix}mfa/reset/confirm    GET the link: a confirmation; POST removes them
//
// A link carries 256 random bits (base64url); the store keeps their
// SHA-256 with the purpose, the user, an expiry ([Config.LinkTTL], 30
// minutes by default) and what the link will set (the new address, or
// the argon2id hash of the new password). Asking again replaces the older
// link of the same purpose. Opening a link (GET) changes nothing, because
// mail scanners open links too: it shows what the link does and a button,
// whose form is bound to the browser's pre-session cookie; the POST uses
// the token up in one atomic store statement ([store.Tokens.ConsumeToken])
// before it changes anything, so a link works once, across nodes. A reset
// link is used up only once the new password passes the policy.
//
// Links point at [Config.LinkBase], never at the Host of the request that
// asked for them, which an attacker chooses. Mail goes through an outbox
// (mail.Outbox): the page never waits for the SMTP server, so a reset for
// an unknown account, a disabled one, one without an address or one that
// was sent too much mail answers the same page as a real one, at the same
// speed. Every mail to a user counts against the lockout guard under a key
// of its own: at most the guard's MaxFailures messages per Window (10 in
// 15 minutes by default), then auth.mail_throttled.
//
// A reset sets the new password, marks the address verified, ends every
// session, forgets the account's sign-in failures and earlier reset links,
// and sends a notice. A password change on {prefix}password, when the user
// has an address, stores nothing until the link sent there is opened: then
// the password is set unless it changed since the link was sent, and every
// session ends. An address change checks the current password, sends the
// link to the new address, and when it is opened sets the address
// (verified) and tells the old address; if the new address belongs to
// another account, its owner gets a mail saying so instead, and the page
// answers the same. A second-factor reset is asked for by a user who has
// signed in with the password but cannot do the second factor; the link,
// sent to the account's address, removes every TOTP authenticator, passkey
// and recovery code ([RemoveSecondFactors]) and ends every session. Events:
// auth.reset_requested, auth.password_changed (method reset or confirmed),
// auth.email_change_requested, auth.email_changed,
// auth.mfa_reset_requested, auth.mfa_reset. Adding an authenticator app,
// a passkey or new recovery codes publishes auth.factor_added, removing a
// passkey auth.factor_removed.
//
// Without Deps.Mail those pages answer 404 and a password change takes
// effect at once.
//
// A Portal is safe for concurrent use.
package portal
