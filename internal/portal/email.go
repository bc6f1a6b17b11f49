package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rampart/internal/events"
	"rampart/internal/identity/password"
	"rampart/internal/mail"
	"rampart/internal/request"
	"rampart/internal/store"
)

// This file holds the flows that go through the user's mailbox: password
// reset, confirmation of a new password and of a new e-mail address, and
// the reset of lost second factors. Each sends a single-use link whose
// secret only the mail holds; the store keeps its SHA-256 (store.Tokens).

// DefaultLinkTTL is how long a link sent by e-mail works.
const DefaultLinkTTL = 30 * time.Minute

// linkSecretBytes is the entropy of a link's secret.
const linkSecretBytes = 32

// linkSecretLen is its length in the link: base64url without padding.
const linkSecretLen = (linkSecretBytes*8 + 5) / 6

// maxEmailInput bounds a typed e-mail address or user name on the reset
// form.
const maxEmailInput = 320

// mailThrottleKey is the lockout key that counts the mail sent to a user:
// the guard's account limit (10 in 15 minutes by default) bounds how much
// mail anyone can make rampart send to one address.
func mailThrottleKey(userID string) string { return "mail\x00" + userID }

// Mailer sends the portal's e-mail. *mail.Outbox is the one to use: it
// queues and returns at once, so an answer never waits for, or tells
// anything by, the delivery.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Messages of the e-mail flows.
const (
	msgLinkInvalid  = "This link has expired, was used already, or is not complete. Ask for a new one."
	msgMailThrottle = "Too many e-mails were sent for your account in a short time. Try again in a quarter of an hour."
	msgMailFailed   = "The e-mail could not be sent. Try again later."
	msgNoAddress    = "Your account has no e-mail address. An administrator can reset your second factors (rampart user reset-mfa)."
)

// mailOn reports whether the e-mail flows are on.
func (p *Portal) mailOn() bool { return p.d.Mail != nil }

// checkLinkBase returns the scheme and host of a link base URL, or an error
// saying what a good one looks like.
func checkLinkBase(s string, insecure bool) (string, error) {
	u, err := url.Parse(s)
	bad := err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") ||
		(u.Scheme != "https" && !(u.Scheme == "http" && (insecure || mail.IsLoopback(u.Hostname()))))
	if bad {
		return "", fmt.Errorf("link base %q: want the portal's public https:// origin, such as https://app.example.com (links in e-mail point there; building them from the request's Host header would let anyone send a reset link to a host of their own)", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// newLinkSecret returns a fresh link secret and its stored hash.
func newLinkSecret() (secret, hash string) {
	var b [linkSecretBytes]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, linkHash(secret)
}

// linkHash is the hex SHA-256 of a link secret, as the store keeps it.
func linkHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// parseLinkSecret returns the hash of a link secret as a client sent it,
// or false when it cannot be one: exactly linkSecretLen characters of
// canonical base64url.
func parseLinkSecret(s string) (string, bool) {
	if len(s) != linkSecretLen {
		return "", false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != linkSecretBytes {
		return "", false
	}
	return linkHash(s), true
}

// newLink stores a token for u and returns the link that carries it, to
// path under the prefix. Older links of the same purpose stop working: only
// the newest one a user asked for does.
func (p *Portal) newLink(ctx context.Context, u store.User, purpose store.TokenPurpose, data, path string) (string, error) {
	if _, err := p.d.Tokens.DeleteUserTokens(ctx, u.ID, purpose); err != nil {
		return "", fmt.Errorf("new %s link: %w", purpose, err)
	}
	secret, hash := newLinkSecret()
	now := p.now().UTC()
	err := p.d.Tokens.CreateToken(ctx, store.Token{
		Hash: hash, UserID: u.ID, Purpose: purpose, Data: data,
		CreatedAt: now, ExpiresAt: now.Add(p.cfg.LinkTTL),
	})
	if err != nil {
		return "", fmt.Errorf("new %s link: %w", purpose, err)
	}
	return p.linkBase + p.cfg.Prefix + path + "?t=" + secret, nil
}

// mayMail counts one message to u against the guard and reports whether
// it may go. A guard failure refuses: mail is never sent unthrottled.
func (p *Portal) mayMail(r *http.Request, u store.User) bool {
	ctx := r.Context()
	key := mailThrottleKey(u.ID)
	d, err := p.d.Guard.Check(ctx, key, "")
	if err == nil && !d.Locked {
		d, err = p.d.Guard.Failure(ctx, key, "")
		if err == nil && d.NewLock {
			// This one still goes; the next ones wait.
			p.publish(r, events.AuthMailThrottled, events.SeverityMedium, "too much mail for one account: throttled", u.Username, nil)
			return true
		}
	}
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelError, "mail throttle failed; not sending",
			append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
		return false
	}
	return !d.Locked
}

// sendMail hands a message to the mailer; a failure is logged and returned.
func (p *Portal) sendMail(r *http.Request, u store.User, to, subject string, lines ...string) error {
	ctx := r.Context()
	text := "Hello " + u.Username + ",\n\n" + strings.Join(lines, "\n") +
		"\n\nThis message was sent by " + p.cfg.Issuer + " to " + to + ". Please do not reply to it.\n"
	err := p.d.Mail.Send(ctx, mail.Message{To: to, Subject: p.cfg.Issuer + ": " + subject, Text: text})
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelError, "mail not sent",
			append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.String("to_domain", mail.Domain(to)), slog.Any("err", err))...)
	}
	return err
}

// maskAddress shows an address to its owner without spelling it out in
// full: "a…e@example.com".
func maskAddress(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at <= 0 {
		return "…"
	}
	local := []rune(a[:at])
	if len(local) <= 2 {
		return string(local[:1]) + "…" + a[at:]
	}
	return string(local[:1]) + "…" + string(local[len(local)-1:]) + a[at:]
}

// ttlText words the link lifetime: "30 minutes".
func (p *Portal) ttlText() string {
	m := int(p.cfg.LinkTTL.Round(time.Minute) / time.Minute)
	switch {
	case m <= 1:
		return "1 minute"
	case m%60 == 0 && m >= 120:
		return fmt.Sprintf("%d hours", m/60)
	case m == 60:
		return "1 hour"
	}
	return fmt.Sprintf("%d minutes", m)
}

// linkToken reads the link secret of r (the query on GET, the form on
// POST) and returns the stored token, without using it up. It answers and
// reports false when the link does not work.
func (p *Portal) linkToken(w http.ResponseWriter, r *http.Request, purpose store.TokenPurpose) (string, store.Token, store.User, bool) {
	ctx := r.Context()
	secret := r.URL.Query().Get("t")
	if r.Method == http.MethodPost {
		secret = r.PostForm.Get("t")
	}
	hash, ok := parseLinkSecret(secret)
	if !ok {
		p.failMessage(w, r, http.StatusBadRequest, msgLinkInvalid, nil)
		return "", store.Token{}, store.User{}, false
	}
	t, err := p.d.Tokens.Token(ctx, hash, purpose, p.now())
	if err == nil {
		var u store.User
		u, err = p.d.Users.User(ctx, t.UserID)
		if err == nil && !u.Disabled {
			return secret, t, u, true
		}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("read %s link: %w", purpose, err))
		return "", store.Token{}, store.User{}, false
	}
	p.failMessage(w, r, http.StatusBadRequest, msgLinkInvalid, nil)
	return "", store.Token{}, store.User{}, false
}

// consumeLink uses the token of a link up, atomically across nodes. It
// answers and reports false when someone used it first or it expired
// meanwhile.
func (p *Portal) consumeLink(w http.ResponseWriter, r *http.Request, secret string, purpose store.TokenPurpose) (store.Token, bool) {
	t, err := p.d.Tokens.ConsumeToken(r.Context(), linkHash(secret), purpose, p.now())
	if errors.Is(err, store.ErrNotFound) {
		p.failMessage(w, r, http.StatusBadRequest, msgLinkInvalid, nil)
		return store.Token{}, false
	}
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("use %s link: %w", purpose, err))
		return store.Token{}, false
	}
	return t, true
}

// updateUser reads the user again, applies change and stores it, trying
// again when another write came first. change returns false to give up
// (the user is no longer in a state the change applies to).
func (p *Portal) updateUser(ctx context.Context, id string, change func(*store.User) bool) (store.User, bool, error) {
	for range 5 {
		u, err := p.d.Users.User(ctx, id)
		if err != nil {
			return store.User{}, false, err
		}
		if !change(&u) {
			return u, false, nil
		}
		u.UpdatedAt = p.now().UTC()
		nu, err := p.d.Users.UpdateUser(ctx, u)
		if errors.Is(err, store.ErrConflict) {
			// Another write came first (read again and retry), or the new
			// name or address is taken (the version did not move).
			cur, err2 := p.d.Users.User(ctx, id)
			if err2 == nil && cur.Version == u.Version {
				return u, false, err
			}
			continue
		}
		return nu, err == nil, err
	}
	return store.User{}, false, fmt.Errorf("update user %s: %w", id, store.ErrConflict)
}

// endAllSessions signs the user out everywhere, this browser included.
func (p *Portal) endAllSessions(w http.ResponseWriter, r *http.Request, u store.User) int64 {
	ctx := r.Context()
	n, err := p.d.Sessions.RevokeAll(ctx, u.ID, "")
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelError, "revoke sessions failed",
			append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
	}
	http.SetCookie(w, p.d.Sessions.ClearCookie())
	return n
}

// renderNotice shows a message with a link onwards.
func (p *Portal) renderNotice(w http.ResponseWriter, r *http.Request, title, msg, next, nextLabel string) {
	p.render(w, r, http.StatusOK, "notice", page{Title: title, Message: msg, Continue: next, ContinueLabel: nextLabel})
}

// renderConfirm shows what a link confirms, with a button that posts it.
// The button's form is bound to the browser's pre-session cookie.
func (p *Portal) renderConfirm(w http.ResponseWriter, r *http.Request, path, secret, title, msg, button string) {
	binding := p.ensurePreSession(w, r)
	p.render(w, r, http.StatusOK, "confirm", page{
		Title: title, Message: msg, Action: p.cfg.Prefix + path, LinkSecret: secret,
		CSRF: p.csrfToken(binding, p.cfg.Prefix+path), Button: button,
	})
}

// checkConfirmCSRF checks the token of a confirmation form.
func (p *Portal) checkConfirmCSRF(w http.ResponseWriter, r *http.Request, path string) bool {
	if !p.validToken(p.preSession(r), p.cfg.Prefix+path, r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return false
	}
	return true
}

// --- password reset -------------------------------------------------------

func (p *Portal) getReset(w http.ResponseWriter, r *http.Request) {
	binding := p.ensurePreSession(w, r)
	p.render(w, r, http.StatusOK, "reset", page{
		Title: "Reset your password",
		CSRF:  p.csrfToken(binding, p.cfg.Prefix+"reset"),
	})
}

// postReset sends a reset link to the account named by user name or e-mail
// address, if there is one with an address and it is not disabled. The
// answer is the same either way, and does not wait for the mail.
func (p *Portal) postReset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !p.validToken(p.preSession(r), p.cfg.Prefix+"reset", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	done := page{
		Title: "Check your e-mail", Done: true,
		Message: "If an account with an e-mail address goes by that name or address, a link to set a new password is on its way to it. It works once, for " + p.ttlText() + ".",
	}
	if name == "" || len(name) > maxEmailInput {
		p.render(w, r, http.StatusOK, "reset", done)
		return
	}
	u, err := p.d.Users.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) && strings.Contains(name, "@") {
		u, err = p.d.Users.UserByEmail(ctx, name)
	}
	reason := ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		reason = reasonUnknownUser
	case err != nil:
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("password reset: %w", err))
		return
	case u.Disabled:
		reason = reasonDisabled
	case u.Email == "":
		reason = "no_address"
	case !p.mayMail(r, u):
		reason = "throttled"
	}
	if reason != "" {
		p.publish(r, events.AuthResetRequested, events.SeverityLow, "password reset asked for: no mail sent", truncate(name, maxUsername),
			map[string]string{"reason": reason})
		p.render(w, r, http.StatusOK, "reset", done)
		return
	}
	link, err := p.newLink(ctx, u, store.PurposeResetPassword, "", "reset/confirm")
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	_ = p.sendMail(r, u, u.Email, "set a new password",
		"someone (we hope you) asked to set a new password for your account.",
		"To choose one, open this link within "+p.ttlText()+":",
		"",
		link,
		"",
		"If you did not ask, ignore this message: your password stays as it is.")
	p.publish(r, events.AuthResetRequested, events.SeverityLow, "password reset link sent", u.Username, nil)
	p.render(w, r, http.StatusOK, "reset", done)
}

func (p *Portal) getResetConfirm(w http.ResponseWriter, r *http.Request) {
	secret, _, u, ok := p.linkToken(w, r, store.PurposeResetPassword)
	if !ok {
		return
	}
	p.renderResetConfirm(w, r, secret, u, "")
}

func (p *Portal) renderResetConfirm(w http.ResponseWriter, r *http.Request, secret string, u store.User, msg string) {
	binding := p.ensurePreSession(w, r)
	p.render(w, r, http.StatusOK, "reset_confirm", page{
		Title: "Set a new password", Username: u.Username, Error: msg, LinkSecret: secret,
		CSRF: p.csrfToken(binding, p.cfg.Prefix+"reset/confirm"),
	})
}

// postResetConfirm sets the new password of a reset link: the link is used
// up only once the new password passes the policy. Every session of the
// user ends, the account's sign-in failures are forgotten (the mailbox
// vouched for the user), and the address counts as verified.
func (p *Portal) postResetConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !p.checkConfirmCSRF(w, r, "reset/confirm") {
		return
	}
	secret, _, u, ok := p.linkToken(w, r, store.PurposeResetPassword)
	if !ok {
		return
	}
	h, msg, ok := p.newPasswordHash(w, r, u, r.PostForm.Get("new"), r.PostForm.Get("again"))
	if !ok {
		if msg != "" {
			p.renderResetConfirm(w, r, secret, u, msg)
		}
		return
	}
	if _, ok := p.consumeLink(w, r, secret, store.PurposeResetPassword); !ok {
		return
	}
	now := p.now().UTC()
	u, ok, err := p.updateUser(ctx, u.ID, func(u *store.User) bool {
		u.PasswordHash, u.PasswordChangedAt = h, now
		u.EmailVerified = u.Email != ""
		// The mailbox vouched for the user: a lock on the account ends
		// on every node (a new lockout key, as rampart user unlock).
		if now.After(u.LockoutClearedAt) {
			u.LockoutClearedAt = now
		} else {
			u.LockoutClearedAt = u.LockoutClearedAt.Add(time.Nanosecond)
		}
		return !u.Disabled
	})
	if err != nil || !ok {
		if err == nil {
			err = errors.New("account disabled meanwhile")
		}
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("password reset: %w", err))
		return
	}
	p.afterPasswordSet(w, r, u, "reset")
}

// afterPasswordSet ends every session of u, forgets the account's failures
// and earlier links, reports the change and tells the user.
func (p *Portal) afterPasswordSet(w http.ResponseWriter, r *http.Request, u store.User, method string) {
	ctx := r.Context()
	n := p.endAllSessions(w, r, u)
	if _, err := p.d.Tokens.DeleteUserTokens(ctx, u.ID, store.PurposeResetPassword); err != nil {
		p.log.LogAttrs(ctx, slog.LevelWarn, "delete reset links failed", append(request.LogAttrs(ctx), slog.Any("err", err))...)
	}
	p.resetFailures(r, lockoutKey(u.Username, u.LockoutClearedAt), u.Username)
	p.publish(r, events.AuthPasswordChanged, events.SeverityMedium, "password changed", u.Username,
		map[string]string{"method": method, "sessions_revoked": fmt.Sprint(n)})
	if u.Email != "" {
		_ = p.sendMail(r, u, u.Email, "your password was changed",
			"the password of your account was changed, and every session was signed out.",
			"If you did not do this, reset your password at once and tell your administrator:",
			"",
			p.linkBase+p.cfg.Prefix+"reset")
	}
	p.renderNotice(w, r, "Password set", "Your new password is set and every session was signed out. Sign in with the new password.",
		p.cfg.Prefix+"login", "Sign in")
}

// newPasswordHash checks a new password typed twice against the policy and
// hashes it. On a refusal it returns the message for the form (ok false);
// msg "" with ok false means it answered already.
func (p *Portal) newPasswordHash(w http.ResponseWriter, r *http.Request, u store.User, pw, again string) (h, msg string, ok bool) {
	if pw != again {
		return "", msgPasswordMismatch, false
	}
	if err := p.cfg.Policy.Check(pw, u.Username, u.Email); err != nil {
		var pe *password.PolicyError
		if !errors.As(err, &pe) {
			p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("new password: %w", err))
			return "", "", false
		}
		return "", policyMessage(pe), false
	}
	if !p.acquireHash(r.Context()) {
		return "", "", false
	}
	h, err := p.d.Hasher.Hash(pw)
	p.releaseHash()
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("new password: %w", err))
		return "", "", false
	}
	return h, "", true
}

// --- confirming a new password ----------------------------------------------

// askPasswordConfirmation sends the link that sets new password hash h. It
// reports false when nothing was sent, after answering.
func (p *Portal) askPasswordConfirmation(w http.ResponseWriter, r *http.Request, si signedIn, h string) {
	if !p.mayMail(r, si.u) {
		p.renderPassword(w, r, si.s, si.u, msgMailThrottle)
		return
	}
	link, err := p.newLink(r.Context(), si.u, store.PurposeChangePassword, h, "password/confirm")
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if err := p.sendMail(r, si.u, si.u.Email, "confirm your new password",
		"you asked to change the password of your account. To confirm, open this link within "+p.ttlText()+":",
		"",
		link,
		"",
		"Until then your old password stays. If you did not ask, someone knows your password: change it now."); err != nil {
		p.renderPassword(w, r, si.s, si.u, msgMailFailed)
		return
	}
	p.render(w, r, http.StatusOK, "password", page{
		Title:      "Check your e-mail",
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		Username:   si.u.Username,
		Done:       true,
		Message:    "We sent a link to " + maskAddress(si.u.Email) + ". Open it within " + p.ttlText() + " to set the new password; until then the old one stays.",
	})
}

func (p *Portal) getPasswordConfirm(w http.ResponseWriter, r *http.Request) {
	secret, _, u, ok := p.linkToken(w, r, store.PurposeChangePassword)
	if !ok {
		return
	}
	p.renderConfirm(w, r, "password/confirm", secret, "Confirm your new password",
		"Set the new password you chose for "+u.Username+"? Every session of the account will be signed out.", "Set the new password")
}

// postPasswordConfirm sets the password hash the link carries, unless the
// password changed since the link was sent.
func (p *Portal) postPasswordConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !p.checkConfirmCSRF(w, r, "password/confirm") {
		return
	}
	secret, _, _, ok := p.linkToken(w, r, store.PurposeChangePassword)
	if !ok {
		return
	}
	t, ok := p.consumeLink(w, r, secret, store.PurposeChangePassword)
	if !ok {
		return
	}
	if err := password.Importable(t.Data); err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("confirm password: stored hash: %w", err))
		return
	}
	now := p.now().UTC()
	u, ok, err := p.updateUser(ctx, t.UserID, func(u *store.User) bool {
		if u.Disabled || u.PasswordChangedAt.After(t.CreatedAt) {
			return false
		}
		u.PasswordHash, u.PasswordChangedAt = t.Data, now
		u.EmailVerified = u.Email != ""
		return true
	})
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("confirm password: %w", err))
		return
	}
	if !ok {
		p.failMessage(w, r, http.StatusConflict, "The password was changed after this link was sent; the link no longer applies.", nil)
		return
	}
	p.afterPasswordSet(w, r, u, "confirmed")
}

// --- changing the e-mail address ---------------------------------------------

func (p *Portal) getEmail(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"email")
	if !ok {
		return
	}
	p.renderEmail(w, r, si, "")
}

func (p *Portal) renderEmail(w http.ResponseWriter, r *http.Request, si signedIn, msg string) {
	p.render(w, r, http.StatusOK, "email", page{
		Title:      "Change your e-mail address",
		CSRF:       p.csrfToken(si.s.ID, p.cfg.Prefix+"email"),
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		Error:      msg,
		Username:   si.u.Username,
		Email:      si.u.Email,
	})
}

// postEmail checks the current password (as {prefix}password does) and
// sends a link to the new address; the address changes when it is opened.
// When the new address belongs to another account, the mail says so to
// its owner instead, and the page answers the same.
func (p *Portal) postEmail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"email")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"email", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	if !p.reauthenticate(w, r, si, r.PostForm.Get("current"), func(msg string) { p.renderEmail(w, r, si, msg) }) {
		return
	}
	addr, err := mail.ParseAddress(r.PostForm.Get("email"))
	if err != nil {
		p.renderEmail(w, r, si, "That is not an e-mail address. Type one address, such as name@example.com.")
		return
	}
	if si.u.Email != "" && store.FoldName(addr) == store.FoldName(si.u.Email) {
		p.renderEmail(w, r, si, "That is your address already.")
		return
	}
	if !p.mayMail(r, si.u) {
		p.renderEmail(w, r, si, msgMailThrottle)
		return
	}
	other, err := p.d.Users.UserByEmail(ctx, addr)
	switch {
	case err == nil && other.ID != si.u.ID:
		err = p.sendMail(r, store.User{Username: "there"}, addr, "address already in use",
			"someone asked to use this address for an account, but it belongs to an account already.",
			"If it was you, sign in to that account instead. If not, you need not do anything.")
	case err == nil || errors.Is(err, store.ErrNotFound):
		var link string
		link, err = p.newLink(ctx, si.u, store.PurposeChangeEmail, addr, "email/confirm")
		if err == nil {
			err = p.sendMail(r, si.u, addr, "confirm your new e-mail address",
				"you asked to use this address for your account. To confirm, open this link within "+p.ttlText()+":",
				"",
				link,
				"",
				"If you did not ask, ignore this message.")
		}
	}
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelError, "e-mail change failed", append(request.LogAttrs(ctx), slog.Any("err", err))...)
		p.renderEmail(w, r, si, msgMailFailed)
		return
	}
	p.publish(r, events.AuthEmailChangeRequested, events.SeverityLow, "e-mail change asked for: link sent", si.u.Username,
		map[string]string{"to_domain": mail.Domain(addr)})
	p.render(w, r, http.StatusOK, "email", page{
		Title:      "Check your e-mail",
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		Username:   si.u.Username,
		Done:       true,
		Message:    "We sent a link to " + addr + ". Open it within " + p.ttlText() + " to confirm the new address; until then your address stays as it is.",
	})
}

func (p *Portal) getEmailConfirm(w http.ResponseWriter, r *http.Request) {
	secret, t, u, ok := p.linkToken(w, r, store.PurposeChangeEmail)
	if !ok {
		return
	}
	p.renderConfirm(w, r, "email/confirm", secret, "Confirm your new e-mail address",
		"Use "+t.Data+" as the e-mail address of "+u.Username+"?", "Use this address")
}

// postEmailConfirm sets the address the link carries and tells the old
// address.
func (p *Portal) postEmailConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !p.checkConfirmCSRF(w, r, "email/confirm") {
		return
	}
	secret, _, _, ok := p.linkToken(w, r, store.PurposeChangeEmail)
	if !ok {
		return
	}
	t, ok := p.consumeLink(w, r, secret, store.PurposeChangeEmail)
	if !ok {
		return
	}
	addr, err := mail.ParseAddress(t.Data)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("confirm e-mail: stored address: %w", err))
		return
	}
	var old string
	u, ok, err := p.updateUser(ctx, t.UserID, func(u *store.User) bool {
		if u.Disabled {
			return false
		}
		old = u.Email
		u.Email, u.EmailVerified = addr, true
		return true
	})
	if errors.Is(err, store.ErrConflict) {
		p.failMessage(w, r, http.StatusConflict, "That address belongs to another account now.", nil)
		return
	}
	if err != nil || !ok {
		if err == nil {
			err = errors.New("account disabled meanwhile")
		}
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("confirm e-mail: %w", err))
		return
	}
	if _, err := p.d.Tokens.DeleteUserTokens(ctx, u.ID, store.PurposeChangeEmail); err != nil {
		p.log.LogAttrs(ctx, slog.LevelWarn, "delete e-mail links failed", append(request.LogAttrs(ctx), slog.Any("err", err))...)
	}
	p.publish(r, events.AuthEmailChanged, events.SeverityMedium, "e-mail address changed", u.Username,
		map[string]string{"to_domain": mail.Domain(addr), "from_domain": mail.Domain(old)})
	if old != "" && store.FoldName(old) != store.FoldName(addr) {
		_ = p.sendMail(r, u, old, "your e-mail address was changed",
			"the e-mail address of your account was changed from this one to "+maskAddress(addr)+".",
			"Mail about your account goes there from now on.",
			"If you did not do this, someone else controls your account: tell your administrator at once.")
	}
	p.renderNotice(w, r, "E-mail address changed", "Your e-mail address is now "+addr+".", p.cfg.Prefix+"account", "Back to your account")
}

// --- resetting lost second factors --------------------------------------------

// postMFAReset sends, to a user who signed in with the password but lost
// the second factor, a link that removes every second factor.
func (p *Portal) postMFAReset(w http.ResponseWriter, r *http.Request) {
	rd := safeRedirect(r.PostForm.Get("rd"), p.allowed)
	st, ok := p.mfaSession(w, r, rd)
	if !ok {
		return
	}
	if !p.validToken(st.s.ID, p.cfg.Prefix+"mfa/reset", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	switch {
	case st.u.Email == "":
		p.renderMFA(w, r, st, msgNoAddress)
		return
	case !p.mayMail(r, st.u):
		p.renderMFA(w, r, st, msgMailThrottle)
		return
	}
	link, err := p.newLink(r.Context(), st.u, store.PurposeResetMFA, "", "mfa/reset/confirm")
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if err := p.sendMail(r, st.u, st.u.Email, "remove your second factors",
		"you signed in with your password and asked to remove your second factors (authenticator apps, passkeys and recovery codes), because you lost them.",
		"To remove them, open this link within "+p.ttlText()+":",
		"",
		link,
		"",
		"If you did not ask, someone knows your password: change it now, and do not open the link."); err != nil {
		p.renderMFA(w, r, st, msgMailFailed)
		return
	}
	p.publish(r, events.AuthMFAResetRequested, events.SeverityMedium, "second-factor reset asked for: link sent", st.u.Username, nil)
	p.renderNotice(w, r, "Check your e-mail",
		"We sent a link to "+maskAddress(st.u.Email)+". Open it within "+p.ttlText()+" to remove your second factors; then sign in and set up a new one.",
		p.cfg.Prefix+"mfa", "Back")
}

func (p *Portal) getMFAResetConfirm(w http.ResponseWriter, r *http.Request) {
	secret, _, u, ok := p.linkToken(w, r, store.PurposeResetMFA)
	if !ok {
		return
	}
	p.renderConfirm(w, r, "mfa/reset/confirm", secret, "Remove your second factors",
		"Remove every authenticator app, passkey and recovery code of "+u.Username+"? Every session of the account will be signed out; you then sign in with your password and set up a new second factor.",
		"Remove them")
}

// postMFAResetConfirm removes every second factor of the link's user and
// ends every session.
func (p *Portal) postMFAResetConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !p.checkConfirmCSRF(w, r, "mfa/reset/confirm") {
		return
	}
	secret, _, u, ok := p.linkToken(w, r, store.PurposeResetMFA)
	if !ok {
		return
	}
	if _, ok := p.consumeLink(w, r, secret, store.PurposeResetMFA); !ok {
		return
	}
	n, err := RemoveSecondFactors(ctx, p.d.Credentials, u.ID)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("reset second factors: %w", err))
		return
	}
	s := p.endAllSessions(w, r, u)
	p.publish(r, events.AuthMFAReset, events.SeverityHigh, "second factors removed by e-mail link", u.Username,
		map[string]string{"removed": fmt.Sprint(n), "sessions_revoked": fmt.Sprint(s)})
	_ = p.sendMail(r, u, u.Email, "your second factors were removed",
		"every authenticator app, passkey and recovery code of your account was removed, and every session was signed out.",
		"If you did not do this, tell your administrator at once.")
	p.renderNotice(w, r, "Second factors removed",
		"Your second factors are removed and every session was signed out. Sign in with your password and set up a new second factor.",
		p.cfg.Prefix+"login", "Sign in")
}

// RemoveSecondFactors deletes every second factor of the user (TOTP
// authenticators, passkeys, recovery codes) and returns how many; rampart
// user reset-mfa and the portal's reset link use it.
func RemoveSecondFactors(ctx context.Context, creds store.Credentials, userID string) (int, error) {
	cs, err := creds.UserCredentials(ctx, userID, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		err := creds.DeleteCredential(ctx, userID, c.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, err
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}
