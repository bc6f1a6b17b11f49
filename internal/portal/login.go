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
	"rampart/internal/identity/lockout"
	"rampart/internal/request"
	"rampart/internal/store"
)

// msgWrongPassword is the one answer to every failed sign-in, whatever the
// reason: no account, wrong password, disabled, locked.
const msgWrongPassword = "Wrong user name or password."

// Reasons of auth.failure events. They go to the security log and the
// store, never to the client.
const (
	reasonUnknownUser   = "unknown_user"
	reasonWrongPassword = "wrong_password"
	reasonNoPassword    = "no_password"
	reasonBadHash       = "unverifiable_hash"
	reasonDisabled      = "disabled"
	reasonLocked        = "locked"
	reasonTooLong       = "too_long"
	reasonWrongCode     = "wrong_code"
	reasonReplay        = "replayed_code"
)

func (p *Portal) getLogin(w http.ResponseWriter, r *http.Request) {
	binding := p.ensurePreSession(w, r)
	p.renderLogin(w, r, binding, safeRedirect(r.URL.Query().Get("rd"), p.allowed), "")
}

func (p *Portal) renderLogin(w http.ResponseWriter, r *http.Request, binding, rd, msg string) {
	p.render(w, r, http.StatusOK, "login", page{
		Title: "Sign in",
		CSRF:  p.csrfToken(binding, p.cfg.Prefix+"login"),
		RD:    rd,
		Error: msg,

		Passkey: p.loginPasskey(r, binding, rd),
	})
}

// postLogin checks a user name and password. Every way to fail (no such
// user, wrong password, no password, disabled, locked) does the same
// password-hashing work and gives the same answer, so neither the answer
// nor its timing tells which accounts exist.
func (p *Portal) postLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	binding := p.preSession(r)
	if !p.validToken(binding, p.cfg.Prefix+"login", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	rd := safeRedirect(r.PostForm.Get("rd"), p.allowed)
	name := strings.TrimSpace(r.PostForm.Get("username"))
	pw := r.PostForm.Get("password")
	ip := clientIP(ctx)

	if name == "" || len(name) > maxUsername || len(pw) > maxPassword {
		if !p.dummyHash(r, pw) {
			return
		}
		p.loginFailed(w, r, binding, rd, lockoutKey(truncate(name, maxUsername), time.Time{}), name, reasonTooLong)
		return
	}

	// The account is looked up before the guard is asked, since its
	// lockout key holds the time of its last unlock; a name no account has
	// gets a key all the same, with the zero time.
	u, err := p.d.Users.UserByName(ctx, name)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sign in: %w", err))
		return
	}
	var cleared time.Time
	if found {
		cleared = u.LockoutClearedAt
	}
	key := lockoutKey(name, cleared)

	d, err := p.d.Guard.Check(ctx, key, ip)
	if err != nil {
		// Fail closed: without the counts, guessing would be unthrottled.
		p.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("sign in: %w", err))
		return
	}
	if d.Locked {
		if !p.dummyHash(r, pw) {
			return
		}
		p.publish(r, events.AuthFailure, events.SeverityLow, "sign-in refused: locked", name,
			map[string]string{"reason": reasonLocked, "until": d.Until.UTC().Format(time.RFC3339)})
		sleep(ctx, d.Delay)
		p.renderLogin(w, r, binding, rd, msgWrongPassword)
		return
	}

	ok, rehash, reason := false, false, reasonUnknownUser
	switch {
	case !found:
		if !p.dummyHash(r, pw) {
			return
		}
	case u.PasswordHash == "":
		reason = reasonNoPassword
		if !p.dummyHash(r, pw) {
			return
		}
	default:
		if !p.acquireHash(ctx) {
			return
		}
		ok, rehash, err = p.d.Hasher.Verify(pw, u.PasswordHash)
		if err != nil {
			// Refused before any hashing: hash anyway, for the timing.
			p.d.Hasher.VerifyDummy(pw)
			p.log.LogAttrs(ctx, slog.LevelError, "stored password hash cannot be verified",
				append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
		}
		p.releaseHash()
		reason = reasonWrongPassword
		if err != nil {
			reason = reasonBadHash
		}
	}
	if ok && u.Disabled {
		ok, reason = false, reasonDisabled
	}
	if !ok {
		p.loginFailed(w, r, binding, rd, key, name, reason)
		return
	}
	p.loginSucceeded(w, r, u, key, pw, rehash, rd)
}

// dummyHash does the work of a password verification for a sign-in that
// fails without one. It reports false when the client went away while it
// waited for a hashing slot (there is then nobody to answer).
func (p *Portal) dummyHash(r *http.Request, pw string) bool {
	if !p.acquireHash(r.Context()) {
		return false
	}
	if len(pw) > maxPassword {
		pw = pw[:maxPassword]
	}
	p.d.Hasher.VerifyDummy(pw)
	p.releaseHash()
	return true
}

// loginFailed counts a failure, reports it, waits the lockout's delay and
// answers with the sign-in form again.
func (p *Portal) loginFailed(w http.ResponseWriter, r *http.Request, binding, rd, key, name, reason string) {
	d, ok := p.countFailure(w, r, key, name, reason)
	if !ok {
		return
	}
	sleep(r.Context(), d.Delay)
	p.renderLogin(w, r, binding, rd, msgWrongPassword)
}

// countFailure counts a failed sign-in step for the account key and the
// client address, and publishes auth.failure and, when this failure locked
// something, auth.lockout. It reports false after answering with an error
// when the guard failed.
func (p *Portal) countFailure(w http.ResponseWriter, r *http.Request, key, name, reason string) (lockout.Decision, bool) {
	ctx := r.Context()
	d, err := p.d.Guard.Failure(ctx, key, clientIP(ctx))
	if err != nil {
		p.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("count sign-in failure: %w", err))
		return d, false
	}
	p.publish(r, events.AuthFailure, events.SeverityLow, "sign-in failed", name, map[string]string{
		"reason": reason, "failures": strconv.Itoa(d.Failures),
	})
	if d.NewLock {
		p.publish(r, events.AuthLockout, events.SeverityMedium, "too many failed sign-ins: locked", name, map[string]string{
			"failures": strconv.Itoa(d.Failures), "until": d.Until.UTC().Format(time.RFC3339),
		})
	}
	return d, true
}

// loginSucceeded starts a session after a good password: a full one, or
// one waiting for the second factor.
func (p *Portal) loginSucceeded(w http.ResponseWriter, r *http.Request, u store.User, key, pw string, rehash bool, rd string) {
	ctx := r.Context()
	if rehash {
		p.rehash(r, u, pw)
	}
	f, err := p.factors(ctx, u.ID)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sign in: %w", err))
		return
	}
	// The account's failures are forgotten when the sign-in is complete:
	// with a second factor to come, only after it. Otherwise whoever knows
	// the password could sign in again after every few wrong codes and
	// guess codes without ever being locked out.
	if !f.any() {
		p.resetFailures(r, key, u.Username)
	}
	// A fresh sign-in is a new session, never the old one raised: a session
	// ID planted before sign-in is worth nothing after it.
	old, hadOld := p.d.Sessions.FromRequest(r)
	secret, s, err := p.d.Sessions.Create(ctx, u.ID, false, clientIP(ctx), r.UserAgent())
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sign in: %w", err))
		return
	}
	if hadOld {
		if err := p.d.Sessions.Revoke(ctx, old); err != nil {
			p.log.LogAttrs(ctx, slog.LevelWarn, "revoke previous session failed",
				append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
		}
	}
	p.setSession(w, secret, s)
	next := "none"
	target := rd
	switch {
	case f.any():
		next, target = "second_factor", withRD(p.cfg.Prefix+"mfa", rd)
	case p.mfaRequired(u):
		next, target = "enrol", withRD(p.cfg.Prefix+"totp/new", rd)
	}
	p.publish(r, events.AuthSuccess, events.SeverityInfo, "password accepted", u.Username,
		map[string]string{"factor": "password", "next": next})
	redirect(w, r, target)
}

// resetFailures forgets the account's failures after a complete sign-in.
func (p *Portal) resetFailures(r *http.Request, key, user string) {
	ctx := r.Context()
	if err := p.d.Guard.Success(ctx, key); err != nil {
		p.log.LogAttrs(ctx, slog.LevelWarn, "lockout reset failed",
			append(request.LogAttrs(ctx), slog.String("user", user), slog.Any("err", err))...)
	}
}

// rehash replaces u's password hash with one of the Hasher's parameters.
// A failure is logged and left for the next sign-in.
func (p *Portal) rehash(r *http.Request, u store.User, pw string) {
	ctx := r.Context()
	if !p.acquireHash(ctx) {
		return
	}
	h, err := p.d.Hasher.Hash(pw)
	p.releaseHash()
	if err == nil {
		u.PasswordHash = h
		u.UpdatedAt = p.now().UTC()
		_, err = p.d.Users.UpdateUser(ctx, u)
	}
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelWarn, "password rehash failed",
			append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
	}
}

// postLogout ends the session and sends the browser to the sign-in page.
// Without a live session there is nothing to protect and nothing to end:
// the stale cookie is cleared all the same.
func (p *Portal) postLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	secret, s, ok, err := p.current(r)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sign out: %w", err))
		return
	}
	if ok {
		if !p.validToken(s.ID, p.cfg.Prefix+"logout", r.PostForm.Get(csrfField)) {
			p.refuseCSRF(w, r, "token")
			return
		}
		if err := p.d.Sessions.Revoke(ctx, secret); err != nil {
			p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("sign out: %w", err))
			return
		}
	}
	http.SetCookie(w, p.d.Sessions.ClearCookie())
	redirect(w, r, p.cfg.Prefix+"login")
}
