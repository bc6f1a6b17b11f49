package portal

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rampart/internal/events"
	"rampart/internal/identity/password"
	"rampart/internal/identity/session"
	"rampart/internal/request"
	"rampart/internal/store"
)

// msgWrongCurrent is the one answer to every failed check of the current
// password on {prefix}password: wrong, locked, or no password at all.
const msgWrongCurrent = "Your current password is not right."

// Other answers of {prefix}password.
const (
	msgPasswordMismatch = "The two new passwords are not the same. Type the new password twice."
	msgPasswordSame     = "The new password is the same as the current one. Choose another."
	msgPasswordConflict = "Your account was changed while you were typing. Try again."
)

func (p *Portal) getPassword(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"password")
	if !ok {
		return
	}
	p.renderPassword(w, r, si.s, si.u, "")
}

func (p *Portal) renderPassword(w http.ResponseWriter, r *http.Request, s store.Session, u store.User, msg string) {
	p.render(w, r, http.StatusOK, "password", page{
		Title:      "Change your password",
		CSRF:       p.csrfToken(s.ID, p.cfg.Prefix+"password"),
		LogoutCSRF: p.csrfToken(s.ID, p.cfg.Prefix+"logout"),
		Error:      msg,
		Username:   u.Username,
		Email:      p.confirmAddress(u),
	})
}

// confirmAddress is the masked address a password change is confirmed
// through, "" when it takes effect at once.
func (p *Portal) confirmAddress(u store.User) string {
	if !p.mailOn() || u.Email == "" {
		return ""
	}
	return maskAddress(u.Email)
}

// postPassword changes the password of the signed-in user. The current
// password is checked as at sign-in (reauthenticate): under the lockout
// guard, with a failure counted and one answer for every way to fail. The
// new one must pass the Policy. With e-mail on and an address on the
// account, a link to the address confirms the change (postPasswordConfirm
// sets the hash and ends every session). Otherwise success stores the hash
// at once, gives this browser a new session ID and ends every other
// session of the user.
func (p *Portal) postPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"password")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"password", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	u := si.u
	cur := r.PostForm.Get("current")
	pw := r.PostForm.Get("new")
	again := r.PostForm.Get("again")
	if !p.reauthenticate(w, r, si, cur, func(msg string) { p.renderPassword(w, r, si.s, u, msg) }) {
		return
	}

	switch {
	case pw != again:
		p.renderPassword(w, r, si.s, u, msgPasswordMismatch)
		return
	case pw == cur:
		p.renderPassword(w, r, si.s, u, msgPasswordSame)
		return
	}
	h, msg, ok := p.newPasswordHash(w, r, u, pw, again)
	if !ok {
		if msg != "" {
			p.renderPassword(w, r, si.s, u, msg)
		}
		return
	}
	if p.mailOn() && u.Email != "" {
		// The mailbox confirms: the new password is set when the link
		// sent to the account's address is opened.
		p.askPasswordConfirmation(w, r, si, h)
		return
	}
	now := p.now().UTC()
	u.PasswordHash = h
	u.PasswordChangedAt = now
	u.UpdatedAt = now
	// u carries the Version read when the request began: a write by
	// someone else since (an administrator disabling the account, a
	// rehash at sign-in) makes this one fail rather than undo theirs.
	if _, err := p.d.Users.UpdateUser(ctx, u); errors.Is(err, store.ErrConflict) {
		p.renderPassword(w, r, si.s, u, msgPasswordConflict)
		return
	} else if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("change password: %w", err))
		return
	}

	// A privilege change: a new session ID for this browser, and no other
	// session survives, whoever holds it. A session revoked meanwhile (by
	// a sign-out elsewhere, or a password change in another tab) is not
	// brought back: every session ends and the browser signs in again.
	secret, s, err := p.d.Sessions.Rotate(ctx, si.secret, si.s.MFA)
	rotated := err == nil
	if err != nil && !errors.Is(err, session.ErrInvalid) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("change password: new session: %w", err))
		return
	}
	if rotated {
		p.setSession(w, secret, s)
	} else {
		secret = ""
		http.SetCookie(w, p.d.Sessions.ClearCookie())
	}
	n, err := p.d.Sessions.RevokeAll(ctx, u.ID, secret)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("change password: %w", err))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "password changed",
		append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Int64("sessions_revoked", n))...)
	p.publish(r, events.AuthPasswordChanged, events.SeverityMedium, "password changed", u.Username,
		map[string]string{"sessions_revoked": strconv.FormatInt(n, 10)})
	if !rotated {
		redirect(w, r, p.cfg.Prefix+"login")
		return
	}

	msg = "Your password has been changed."
	switch n {
	case 0:
	case 1:
		msg += " Your other session was signed out."
	default:
		msg += " Your " + strconv.FormatInt(n, 10) + " other sessions were signed out."
	}
	p.render(w, r, http.StatusOK, "password", page{
		Title:      "Password changed",
		LogoutCSRF: p.csrfToken(s.ID, p.cfg.Prefix+"logout"),
		Username:   u.Username,
		Done:       true,
		Message:    msg,
	})
}

// reauthenticate checks the current password of a signed-in user before a
// change to the account, as sign-in does: under the lockout guard and the
// account's key, with a failure counted, one password hash and one answer
// (msgWrongCurrent, through refuse) for every way to fail. Success forgets
// the account's failures. It reports false after answering.
func (p *Portal) reauthenticate(w http.ResponseWriter, r *http.Request, si signedIn, cur string, refuse func(msg string)) bool {
	ctx := r.Context()
	u := si.u
	key := lockoutKey(u.Username, u.LockoutClearedAt)
	d, err := p.d.Guard.Check(ctx, key, clientIP(ctx))
	if err != nil {
		// Fail closed, as sign-in does.
		p.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("check current password: %w", err))
		return false
	}
	if d.Locked {
		if !p.dummyHash(r, cur) {
			return false
		}
		p.publish(r, events.AuthFailure, events.SeverityLow, "account change refused: locked", u.Username,
			map[string]string{"reason": reasonLocked, "until": d.Until.UTC().Format(time.RFC3339)})
		sleep(ctx, d.Delay)
		refuse(msgWrongCurrent)
		return false
	}
	ok, reason, alive := p.checkCurrent(r, u, cur)
	if !alive {
		return false
	}
	if !ok {
		d, ok := p.countFailure(w, r, key, u.Username, reason)
		if !ok {
			return false
		}
		sleep(ctx, d.Delay)
		refuse(msgWrongCurrent)
		return false
	}
	// The user knows the password: earlier failures of the account are
	// forgotten, as after a complete sign-in.
	p.resetFailures(r, key, u.Username)
	return true
}

// checkCurrent verifies pw as u's current password, doing one password
// hash whatever the outcome. reason is that of the auth.failure event when
// it fails. alive is false when the client went away while it waited for a
// hashing slot: there is nobody to answer, and nothing was checked.
func (p *Portal) checkCurrent(r *http.Request, u store.User, pw string) (ok bool, reason string, alive bool) {
	ctx := r.Context()
	switch {
	case u.PasswordHash == "":
		return false, reasonNoPassword, p.dummyHash(r, pw)
	case len(pw) > maxPassword:
		return false, reasonTooLong, p.dummyHash(r, pw)
	}
	if !p.acquireHash(ctx) {
		return false, "", false
	}
	defer p.releaseHash()
	ok, _, err := p.d.Hasher.Verify(pw, u.PasswordHash)
	if err != nil {
		// Refused before any hashing: hash anyway, for the timing.
		p.d.Hasher.VerifyDummy(pw)
		p.log.LogAttrs(ctx, slog.LevelError, "stored password hash cannot be verified",
			append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
		return false, reasonBadHash, true
	}
	if !ok {
		return false, reasonWrongPassword, true
	}
	return true, "", true
}

// policyMessage words a refused new password for the user: "The new
// password must be at least 12 characters long."
func policyMessage(e *password.PolicyError) string {
	msg := e.Error()
	if rest, ok := strings.CutPrefix(msg, "password "); ok {
		return "The new password " + rest + "."
	}
	return "The new password is not allowed."
}
