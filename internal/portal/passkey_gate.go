package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"rampart/internal/events"
	"rampart/internal/store"
)

// This file holds the e-mail confirmation asked for before a passkey is
// added from a session that only a password vouches for: a session that
// has not used a second factor, of a user with an address, while mail is
// on. (A user with a second factor must have used it in the session to
// reach the passkeys page at all.) Whoever stole a password must then also
// hold the mailbox to plant a passkey of their own.
//
// The link goes to the account's address and works only in the session
// that asked for it (the token carries the session ID). Opening it and
// pressing its button leaves a grant: a token whose hash derives from the
// session ID, valid for passkeyGrantTTL, which registration checks and the
// first registered passkey uses up. The grant is in the store, so it holds
// on every node.

// passkeyGrantTTL is how long a confirmed session may add a passkey.
const passkeyGrantTTL = 15 * time.Minute

// needsPasskeyConfirmation reports whether si must confirm by e-mail
// before adding a passkey.
func (p *Portal) needsPasskeyConfirmation(si signedIn) bool {
	return p.mailOn() && si.u.Email != "" && !si.s.MFA
}

// passkeyGrantHash is the token hash of a session's grant. Nobody presents
// it: the server derives it from the session ID.
func passkeyGrantHash(sessionID string) string {
	h := sha256.Sum256([]byte("rampart passkey grant/" + sessionID))
	return hex.EncodeToString(h[:])
}

// passkeyGranted reports whether si's session confirmed by e-mail lately.
func (p *Portal) passkeyGranted(ctx context.Context, si signedIn) (bool, error) {
	_, err := p.d.Tokens.Token(ctx, passkeyGrantHash(si.s.ID), store.PurposeAddPasskey, p.now())
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// passkeyConfirmPending returns the CSRF token of the "send me a link"
// form when si must confirm and has not, "" otherwise.
func (p *Portal) passkeyConfirmPending(r *http.Request, si signedIn) (string, error) {
	if !p.needsPasskeyConfirmation(si) {
		return "", nil
	}
	ok, err := p.passkeyGranted(r.Context(), si)
	if err != nil || ok {
		return "", err
	}
	return p.csrfToken(si.s.ID, p.cfg.Prefix+"passkeys/confirm/send"), nil
}

// postPasskeyConfirmSend mails the link that lets this session add a
// passkey.
func (p *Portal) postPasskeyConfirmSend(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"passkeys/confirm/send", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	if !p.needsPasskeyConfirmation(si) {
		redirect(w, r, p.cfg.Prefix+"passkeys")
		return
	}
	if !p.mayMail(r, si.u) {
		p.renderPasskeys(w, r, si, http.StatusOK, msgMailThrottle)
		return
	}
	link, err := p.newLink(r.Context(), si.u, store.PurposeAddPasskey, si.s.ID, "passkeys/confirm")
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if err := p.sendMail(r, si.u, si.u.Email, "confirm a new passkey",
		"you asked to add a passkey to your account. To go on, open this link within "+p.ttlText()+", in the browser where you asked:",
		"",
		link,
		"",
		"If you did not ask, someone knows your password: change it now, and do not open the link."); err != nil {
		p.renderPasskeys(w, r, si, http.StatusOK, msgMailFailed)
		return
	}
	p.publish(r, events.AuthPasskeyConfirmRequested, events.SeverityLow, "passkey confirmation link sent", si.u.Username, nil)
	p.renderNotice(w, r, "Check your e-mail",
		"We sent a link to "+maskAddress(si.u.Email)+". Open it in this browser within "+p.ttlText()+", then add your passkey.",
		p.cfg.Prefix+"passkeys", "Back to your passkeys")
}

// passkeyLinkSession checks that a passkey confirmation link is opened in
// the session that asked for it.
func (p *Portal) passkeyLinkSession(w http.ResponseWriter, r *http.Request) (string, signedIn, bool) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return "", signedIn{}, false
	}
	secret, t, _, ok := p.linkToken(w, r, store.PurposeAddPasskey)
	if !ok {
		return "", signedIn{}, false
	}
	if t.Data != si.s.ID {
		p.failMessage(w, r, http.StatusBadRequest, "Open this link in the browser where you asked for it, signed in as then.", nil)
		return "", signedIn{}, false
	}
	return secret, si, true
}

func (p *Portal) getPasskeyConfirm(w http.ResponseWriter, r *http.Request) {
	secret, si, ok := p.passkeyLinkSession(w, r)
	if !ok {
		return
	}
	p.renderConfirm(w, r, "passkeys/confirm", secret, "Confirm a new passkey",
		"Let this browser add a passkey to "+si.u.Username+" in the next "+fmt.Sprint(int(passkeyGrantTTL/time.Minute))+" minutes?", "Yes, go on")
}

func (p *Portal) postPasskeyConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !p.checkConfirmCSRF(w, r, "passkeys/confirm") {
		return
	}
	secret, si, ok := p.passkeyLinkSession(w, r)
	if !ok {
		return
	}
	if _, ok := p.consumeLink(w, r, secret, store.PurposeAddPasskey); !ok {
		return
	}
	now := p.now().UTC()
	err := p.d.Tokens.CreateToken(ctx, store.Token{
		Hash: passkeyGrantHash(si.s.ID), UserID: si.u.ID, Purpose: store.PurposeAddPasskey,
		CreatedAt: now, ExpiresAt: now.Add(passkeyGrantTTL),
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("passkey grant: %w", err))
		return
	}
	redirect(w, r, p.cfg.Prefix+"passkeys")
}
