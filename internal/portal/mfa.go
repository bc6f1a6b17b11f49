package portal

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"rampart/internal/events"
	"rampart/internal/identity/recovery"
	"rampart/internal/identity/session"
	"rampart/internal/identity/totp"
	"rampart/internal/request"
	"rampart/internal/store"
)

// msgWrongCode is the one answer to every failed second factor.
const msgWrongCode = "Wrong code. Enter the current code from your authenticator app, or one of your recovery codes."

// mfaState is what the second-factor page works on.
type mfaState struct {
	secret string
	s      store.Session
	u      store.User
	f      factors
	rd     string
}

// mfaSession finds the session waiting for a second factor. It answers
// (with a redirect) and reports false when there is nothing to do: no
// session (to the sign-in page), a session that has its second factor
// already (to the target) or a user without one (to the account page).
func (p *Portal) mfaSession(w http.ResponseWriter, r *http.Request, rd string) (mfaState, bool) {
	ctx := r.Context()
	secret, s, ok, err := p.current(r)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
		return mfaState{}, false
	}
	if !ok {
		redirect(w, r, withRD(p.cfg.Prefix+"login", rd))
		return mfaState{}, false
	}
	u, ok := p.sessionUser(w, r, secret, s)
	if !ok {
		return mfaState{}, false
	}
	if s.MFA {
		redirect(w, r, rd)
		return mfaState{}, false
	}
	f, err := p.factors(ctx, u.ID)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
		return mfaState{}, false
	}
	if !f.any() {
		redirect(w, r, p.cfg.Prefix+"account")
		return mfaState{}, false
	}
	return mfaState{secret: secret, s: s, u: u, f: f, rd: rd}, true
}

// sessionUser returns the user of a live session. A user deleted or
// disabled since signing in loses the session, and the browser goes to the
// sign-in page.
func (p *Portal) sessionUser(w http.ResponseWriter, r *http.Request, secret string, s store.Session) (store.User, bool) {
	ctx := r.Context()
	u, err := p.d.Users.User(ctx, s.UserID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("read user of session: %w", err))
		return store.User{}, false
	}
	if err != nil || u.Disabled {
		if err := p.d.Sessions.Revoke(ctx, secret); err != nil {
			p.log.LogAttrs(ctx, slog.LevelWarn, "revoke session of a gone user failed",
				append(request.LogAttrs(ctx), slog.String("user", s.UserID), slog.Any("err", err))...)
		}
		http.SetCookie(w, p.d.Sessions.ClearCookie())
		redirect(w, r, p.cfg.Prefix+"login")
		return store.User{}, false
	}
	return u, true
}

func (p *Portal) getMFA(w http.ResponseWriter, r *http.Request) {
	st, ok := p.mfaSession(w, r, safeRedirect(r.URL.Query().Get("rd"), p.allowed))
	if !ok {
		return
	}
	p.renderMFA(w, r, st, "")
}

func (p *Portal) renderMFA(w http.ResponseWriter, r *http.Request, st mfaState, msg string) {
	p.render(w, r, http.StatusOK, "mfa", page{
		Title:       "Second factor",
		CSRF:        p.csrfToken(st.s.ID, p.cfg.Prefix+"mfa"),
		LogoutCSRF:  p.csrfToken(st.s.ID, p.cfg.Prefix+"logout"),
		RD:          st.rd,
		Error:       msg,
		Username:    st.u.Username,
		HasTOTP:     len(st.f.totp) > 0,
		HasRecovery: st.f.recovery > 0,

		MFAResetCSRF: p.csrfToken(st.s.ID, p.cfg.Prefix+"mfa/reset"),
		Passkey:      p.mfaPasskey(r, st),
	})
}

// postMFA checks a TOTP code or a recovery code. Success raises the session
// to MFA under a new session secret; failures count towards the lockout as
// wrong passwords do.
func (p *Portal) postMFA(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, ok := p.mfaSession(w, r, safeRedirect(r.PostForm.Get("rd"), p.allowed))
	if !ok {
		return
	}
	if !p.validToken(st.s.ID, p.cfg.Prefix+"mfa", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	key := lockoutKey(st.u.Username, st.u.LockoutClearedAt)
	d, err := p.d.Guard.Check(ctx, key, clientIP(ctx))
	if err != nil {
		p.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("second factor: %w", err))
		return
	}
	if d.Locked {
		p.publish(r, events.AuthFailure, events.SeverityLow, "second factor refused: locked", st.u.Username,
			map[string]string{"reason": reasonLocked, "factor": "any"})
		sleep(ctx, d.Delay)
		p.renderMFA(w, r, st, msgWrongCode)
		return
	}

	input := r.PostForm.Get("code")
	factor, reason := "", reasonWrongCode
	if len(input) <= maxCode {
		code := strings.Map(func(c rune) rune {
			if c == ' ' || c == '-' {
				return -1
			}
			return c
		}, input)
		if totp.WellFormed(code) {
			factor = "totp"
			ok, replay, err := p.checkTOTP(r, st, code)
			if err != nil {
				p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
				return
			}
			if !ok {
				factor = ""
				if replay {
					reason = reasonReplay
				}
			}
		} else if norm, valid := recovery.Normalize(input); valid {
			used, err := p.d.Credentials.UseRecoveryCode(ctx, st.u.ID, recovery.Hash(st.u.ID, norm))
			if err != nil {
				p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
				return
			}
			if used {
				factor = "recovery_code"
			}
		}
	}
	if factor == "" {
		d, ok := p.countFailure(w, r, key, st.u.Username, reason)
		if !ok {
			return
		}
		sleep(ctx, d.Delay)
		p.renderMFA(w, r, st, msgWrongCode)
		return
	}

	p.resetFailures(r, key, st.u.Username)
	secret, s, err := p.d.Sessions.Rotate(ctx, st.secret, true)
	if errors.Is(err, session.ErrInvalid) {
		// A double submit or a sign-out raced with this request: the code
		// is spent, and the user signs in again.
		http.SetCookie(w, p.d.Sessions.ClearCookie())
		redirect(w, r, withRD(p.cfg.Prefix+"login", st.rd))
		return
	}
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
		return
	}
	p.setSession(w, secret, s)
	details := map[string]string{"factor": factor}
	if factor == "recovery_code" {
		details["recovery_codes_left"] = fmt.Sprint(st.f.recovery - 1)
	}
	p.publish(r, events.AuthSuccess, events.SeverityInfo, "second factor accepted", st.u.Username, details)
	redirect(w, r, st.rd)
}

// checkTOTP tries code against each of the user's authenticators. A code
// is good once: the step it belongs to must be later than the last one the
// credential accepted, and the store records it atomically. replay reports
// a code that was right but already used.
func (p *Portal) checkTOTP(r *http.Request, st mfaState, code string) (ok, replay bool, err error) {
	ctx := r.Context()
	now := p.now()
	for _, c := range st.f.totp {
		secret, err := p.d.Keys.Open(c.Secret, totpAD(st.u.ID, c.ID))
		if err != nil {
			// A secret that does not open (a key removed from the keyring,
			// a row tampered with) is one factor lost, not an outage.
			p.log.LogAttrs(ctx, slog.LevelError, "TOTP secret does not open",
				append(request.LogAttrs(ctx), slog.String("user", st.u.Username),
					slog.String("credential", c.ID), slog.Any("err", err))...)
			continue
		}
		step, valid := totp.Validate(code, string(secret), now, totp.DefaultSkew)
		if !valid {
			continue
		}
		fresh, err := p.d.Credentials.UseTOTPStep(ctx, c.ID, step)
		if errors.Is(err, store.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return false, false, err
		}
		if fresh {
			return true, false, nil
		}
		replay = true
	}
	return false, replay, nil
}

// totpAD is the associated data a TOTP secret is sealed with: it binds the
// sealed value to its user and credential, so that it does not open when
// copied into another row.
func totpAD(userID, credID string) []byte {
	return []byte(userID + "/" + credID)
}
