// Package portal serves rampart's login and account pages: sign in with a
// user name and password, a second factor (TOTP or a recovery code), sign
// out, and account pages where a user enrols an authenticator app and
// receives recovery codes, changes the password, and sees and signs out
// their sessions. A [Portal] is an http.Handler mounted under a prefix
// (default "/.rampart/") on every gateway host:
//
//	{prefix}login           GET the form, POST a user name and password
//	{prefix}mfa             GET the form, POST a TOTP or recovery code
//	{prefix}logout          POST: end the session
//	{prefix}account         GET (also {prefix} itself): who is signed in, second factors
//	{prefix}totp/new        GET a new key as a QR code, POST a code to confirm it
//	{prefix}password        GET the form, POST the current password and the new one twice
//	{prefix}sessions        GET the user's sessions (only with Deps.SessionStore)
//	{prefix}sessions/revoke         POST: sign out one of them
//	{prefix}sessions/revoke-others  POST: sign out all but this one
//	{prefix}static/portal.css
//
// # Pages
//
// Pages are html/template, embedded in the binary, and work without
// JavaScript. Every response, error pages and redirects included, carries
// the Content-Security-Policy [CSP]: no script at all, styles and images
// from the portal only (the QR code is a PNG drawn on the server and sent
// as a data: URL), forms posting to the portal only, no framing. Pages are
// never cached (Cache-Control: no-store) and send no Referer.
//
// # Signing in
//
// A sign-in asks the lockout guard first (per account, per client address),
// looks the user up by name without regard to case, and verifies the
// password. Every way to fail (no such user, wrong password, no password,
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
// authenticator or recovery codes gets a session with MFA false and goes to
// {prefix}mfa; a user who must use a second factor and has none goes to
// {prefix}totp/new; anyone else goes to the redirect target.
//
// The second factor is a TOTP code (six digits, the current step or one
// either side) or a recovery code. A TOTP code is good once: the store
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
// sessions) do not: a user who has a second factor must have used it in
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
// session is a sign-out. Revoking one session deletes it from the store:
// until the session package can evict one session by ID, the session
// manager's cache, on this node as on others, may accept it for up to its
// CacheTTL (5 s by default). "Sign out everywhere else" is
// [session.Manager.RevokeAll], which also clears this node's cache. Both
// publish auth.session_revoked.
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
// session to MFA under a new ID. Enrolling does not yet ask for a recent
// sign-in or a confirmation by e-mail: whoever holds a session of a user
// without a second factor can add one.
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
// # Not yet here
//
// Changing the e-mail address (with a confirmation link), passkeys,
// password reset by e-mail, and asking for a recent sign-in before account
// changes (changing the password asks for the current one, which is as
// much).
//
// A Portal is safe for concurrent use.
package portal
