// Package totp implements time-based one-time passwords (RFC 6238) for the
// login portal: enrolment ([Generate], [QRPNG]) and checking a code
// ([Validate]).
//
// # Parameters
//
// Every key uses the parameters that authenticator apps assume when a URL
// names none, and that some apps support alone: HMAC-SHA1, 6 digits, a 30 s
// period ([Digits], [Period]). A secret is 20 random bytes (160 bits, the
// length RFC 4226 recommends), written in base32 without padding as the
// otpauth:// URL carries it. Key generation and the HOTP computation come
// from github.com/pquerna/otp; this package adds the checks the portal
// needs around them.
//
// # Checking a code
//
// [Validate] accepts only exactly six ASCII digits, so "12345 6", "١٢٣٤٥٦"
// or a code with a sign never reach the comparison; a portal that lets
// users type spaces removes them first. It compares in constant time,
// computes every step of the window whatever matches, and accepts the
// steps from skew before to skew after the current one ([DefaultSkew] is 1,
// so a code is good for about 90 s around its own 30 s). It returns the
// step that matched: a code must be used once, so the caller records that
// step for the credential and refuses any step at or before it ([Fresh]).
// The store does that check and the update in one atomic statement
// (UseTOTPStep), so two logins racing with one code cannot both pass.
// Validate does not count failures; the portal's lockout does.
//
// Time is a parameter: nothing here reads the clock.
//
// # QR codes
//
// [QRPNG] draws an otpauth:// URL as a QR code in a PNG, on the server, so
// the secret never goes to a third-party QR service or into client-side
// script. The encoder is github.com/boombuler/barcode/qr, which
// github.com/pquerna/otp already depends on for the same purpose; this
// package draws it with the 4-module quiet zone that scanners need.
//
// Everything in this package is a pure function and safe for concurrent use.
package totp
