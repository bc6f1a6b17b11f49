package portal

import (
	"bytes"
	"context"
	_ "embed" // passkey.js
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"rampart/internal/events"
	"rampart/internal/identity/passkey"
	"rampart/internal/identity/session"
	"rampart/internal/request"
	"rampart/internal/store"
)

// PasskeyCSP is the Content-Security-Policy of the pages that run
// WebAuthn: CSP, plus the portal's one script file and fetch to the
// portal. Every other response keeps CSP.
const PasskeyCSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" // #nosec G101 -- a policy, no credential

// The ceremony cookie carries the sealed state of a passkey ceremony from
// its begin to its finish. It lives under the portal's prefix only, so it
// cannot have the __Host- prefix; __Secure- needs the Secure flag.
const (
	passkeyCookieName         = "__Secure-rampart-passkey" // #nosec G101 -- a cookie name, no credential
	insecurePasskeyCookieName = "rampart-passkey"
)

// csrfHeader carries the CSRF token of the JSON requests that finish a
// ceremony (their body is the browser's credential).
const csrfHeader = "X-CSRF-Token"

// defaultPasskeyName labels a passkey the user did not name.
const defaultPasskeyName = "Passkey"

// Messages of the JSON answers, which passkey.js shows.
const (
	msgPasskeyRefused = "That passkey was not accepted."
	msgPasskeyExpired = "The passkey request expired or was started in another tab. Try again." // #nosec G101 -- a message, no credential
	msgPasskeyTaken   = "This passkey is registered already."
	msgPasskeyNone    = "Passkeys cannot be used at this address."
)

// Reasons of auth.failure events for passkeys.
const (
	reasonPasskeyInvalid = "passkey_invalid"
	reasonPasskeyReplay  = "passkey_replayed"
	reasonPasskeyCloned  = "passkey_counter_regression"
	reasonPasskeyUnknown = "passkey_unknown"
)

//go:embed static/passkey.js
var passkeyJS []byte

// passkeyUI is what a page that runs WebAuthn gives passkey.js, in data-
// attributes: where to begin and finish, the CSRF token of both, and the
// redirect target. A page with one gets PasskeyCSP.
type passkeyUI struct {
	Begin, Finish, CSRF, RD string
}

// passkeyRow is a passkey on {prefix}passkeys.
type passkeyRow struct {
	ID, Name, Created, LastUsed string
}

// passkeysPage is the rest of {prefix}passkeys.
type passkeysPage struct {
	Rows                   []passkeyRow
	RenameCSRF, RemoveCSRF string
	// Unavailable says passkeys cannot be used on this host (an IP
	// address, a host outside the RP ID).
	Unavailable bool
}

// passkeyRoute returns the handlers of a passkey path below the prefix,
// or none.
func (p *Portal) passkeyRoute(rest string) (get, post http.HandlerFunc) {
	if p.d.Passkeys == nil {
		return nil, nil
	}
	switch rest {
	case "static/passkey.js":
		get = p.servePasskeyJS
	case "passkeys":
		get = p.getPasskeys
	case "passkeys/rename":
		post = p.postPasskeyRename
	case "passkeys/confirm/send":
		if p.mailOn() {
			post = p.postPasskeyConfirmSend
		}
	case "passkeys/confirm":
		if p.mailOn() {
			get, post = p.getPasskeyConfirm, p.postPasskeyConfirm
		}
	case "passkeys/remove":
		post = p.postPasskeyRemove
	case "passkeys/register/begin":
		post = p.postPasskeyRegisterBegin
	case "passkeys/register/finish":
		post = p.postPasskeyRegisterFinish
	case "mfa/passkey/begin":
		post = p.postMFAPasskeyBegin
	case "mfa/passkey/finish":
		post = p.postMFAPasskeyFinish
	case "login/passkey/begin":
		post = p.postLoginPasskeyBegin
	case "login/passkey/finish":
		post = p.postLoginPasskeyFinish
	}
	return get, post
}

func (p *Portal) servePasskeyJS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "max-age=3600")
	http.ServeContent(w, r, "passkey.js", time.Time{}, bytes.NewReader(passkeyJS))
}

// site returns where a ceremony of r runs, and false when passkeys are off
// or cannot be used on r's host. The scheme is decided as the origin check
// decides it (see sameOrigin).
func (p *Portal) site(r *http.Request) (passkey.Site, bool) {
	if p.d.Passkeys == nil {
		return passkey.Site{}, false
	}
	secure := true
	if p.cfg.InsecureCookies && r.TLS == nil {
		if info := request.FromContext(r.Context()); info == nil || info.TLS == nil {
			secure = false
		}
	}
	s, err := p.d.Passkeys.Site(r.Host, secure)
	return s, err == nil
}

// loginPasskey is the passkey button of the sign-in page, or nil.
func (p *Portal) loginPasskey(r *http.Request, binding, rd string) *passkeyUI {
	if _, ok := p.site(r); !ok || binding == "" {
		return nil
	}
	return &passkeyUI{
		Begin: p.cfg.Prefix + "login/passkey/begin", Finish: p.cfg.Prefix + "login/passkey/finish",
		CSRF: p.csrfToken(binding, p.cfg.Prefix+"login/passkey"), RD: rd,
	}
}

// mfaPasskey is the passkey button of the second-factor page, or nil when
// the user has no passkey.
func (p *Portal) mfaPasskey(r *http.Request, st mfaState) *passkeyUI {
	if _, ok := p.site(r); !ok || len(st.f.passkeys) == 0 {
		return nil
	}
	return &passkeyUI{
		Begin: p.cfg.Prefix + "mfa/passkey/begin", Finish: p.cfg.Prefix + "mfa/passkey/finish",
		CSRF: p.csrfToken(st.s.ID, p.cfg.Prefix+"mfa/passkey"), RD: st.rd,
	}
}

func passkeyUser(u store.User, creds []store.Credential) passkey.User {
	return passkey.User{ID: u.ID, Name: u.Username, Credentials: creds}
}

// setCeremony keeps a ceremony's sealed state in the ceremony cookie.
func (p *Portal) setCeremony(w http.ResponseWriter, state string) {
	p.ceremonyCookie(w, state, int(p.d.Passkeys.Timeout()/time.Second))
}

// takeCeremony returns the ceremony state of r and clears the cookie: a
// state is presented once.
func (p *Portal) takeCeremony(w http.ResponseWriter, r *http.Request) string {
	name := p.ceremonyCookieName()
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	p.ceremonyCookie(w, "", -1)
	if len(c.Value) > passkey.MaxState {
		return ""
	}
	return c.Value
}

func (p *Portal) ceremonyCookieName() string {
	if p.cfg.InsecureCookies {
		return insecurePasskeyCookieName
	}
	return passkeyCookieName
}

func (p *Portal) ceremonyCookie(w http.ResponseWriter, value string, maxAge int) {
	// #nosec G124 -- Secure unless the operator asked for plain-HTTP development
	http.SetCookie(w, &http.Cookie{
		Name:     p.ceremonyCookieName(),
		Value:    value,
		Path:     p.cfg.Prefix,
		MaxAge:   maxAge,
		Secure:   !p.cfg.InsecureCookies,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// jsonError answers a JSON request with status and a sentence for the
// user. 5xx go through fail, which logs the cause.
func (p *Portal) jsonError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg, "request_id": request.ID(r.Context())})
}

// readCredential reads the body of a finish: JSON of at most
// passkey.MaxResponse bytes. It answers and reports false otherwise.
func (p *Portal) readCredential(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		p.jsonError(w, r, http.StatusUnsupportedMediaType, "Send the passkey's answer as JSON.")
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, passkey.MaxResponse+1))
	if err != nil || len(b) > passkey.MaxResponse {
		p.jsonError(w, r, http.StatusRequestEntityTooLarge, msgPasskeyRefused)
		return nil, false
	}
	return b, true
}

// passkeyName is the label a user gave a passkey, or "" when it is not
// one: at most maxCredName characters of valid UTF-8 without control or
// formatting characters. Blank means defaultPasskeyName.
func passkeyName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultPasskeyName, true
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxCredName ||
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return "", false
	}
	return s, true
}

// getPasskeys lists the user's passkeys with forms to rename and remove
// each, and the button that adds one.
func (p *Portal) getPasskeys(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return
	}
	p.renderPasskeys(w, r, si, http.StatusOK, "")
}

func (p *Portal) renderPasskeys(w http.ResponseWriter, r *http.Request, si signedIn, status int, msg string) {
	pp := &passkeysPage{
		RenameCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"passkeys/rename"),
		RemoveCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"passkeys/remove"),
	}
	for _, c := range si.f.passkeys {
		row := passkeyRow{ID: c.ID, Name: c.Name, Created: c.CreatedAt.UTC().Format(timeLayout), LastUsed: "never"}
		if !c.LastUsedAt.IsZero() {
			row.LastUsed = c.LastUsedAt.UTC().Format(timeLayout)
		}
		pp.Rows = append(pp.Rows, row)
	}
	data := page{
		Title:      "Your passkeys",
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		Username:   si.u.Username,
		Error:      msg,
		Passkeys:   pp,
	}
	pending, err := p.passkeyConfirmPending(r, si)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("passkey grant: %w", err))
		return
	}
	data.PasskeyConfirmCSRF = pending
	if _, ok := p.site(r); ok && pending == "" {
		data.Passkey = &passkeyUI{
			Begin: p.cfg.Prefix + "passkeys/register/begin", Finish: p.cfg.Prefix + "passkeys/register/finish",
			CSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"passkeys/register"),
		}
	} else if !ok {
		pp.Unavailable = true
	}
	p.render(w, r, status, "passkeys", data)
}

// ownPasskey returns the user's passkey named by the form's id.
func ownPasskey(si signedIn, id string) (store.Credential, bool) {
	for _, c := range si.f.passkeys {
		if c.ID == id {
			return c, true
		}
	}
	return store.Credential{}, false
}

func (p *Portal) postPasskeyRename(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"passkeys/rename", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	c, ok := ownPasskey(si, r.PostForm.Get("id"))
	if !ok {
		p.fail(w, r, http.StatusNotFound, nil)
		return
	}
	name, ok := passkeyName(r.PostForm.Get("name"))
	if !ok {
		p.renderPasskeys(w, r, si, http.StatusBadRequest,
			fmt.Sprintf("A passkey's name is at most %d characters, without control characters.", maxCredName))
		return
	}
	c.Name = name
	err := p.d.Credentials.UpdateCredential(r.Context(), c)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("rename passkey: %w", err))
		return
	}
	redirect(w, r, p.cfg.Prefix+"passkeys")
}

func (p *Portal) postPasskeyRemove(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"passkeys/remove", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	c, ok := ownPasskey(si, r.PostForm.Get("id"))
	if !ok {
		p.fail(w, r, http.StatusNotFound, nil)
		return
	}
	err := p.d.Credentials.DeleteCredential(ctx, si.u.ID, c.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("remove passkey: %w", err))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "passkey removed",
		append(request.LogAttrs(ctx), slog.String("user", si.u.Username), slog.String("credential", c.ID))...)
	p.publish(r, events.AuthFactorRemoved, events.SeverityMedium, "second factor removed", si.u.Username,
		map[string]string{"factor": "passkey"})
	redirect(w, r, p.cfg.Prefix+"passkeys")
}

// passkeyRegistrationGate decides whether this session may add a passkey
// now. Every registration passes through it, after the account pages' own
// rule (a user with a second factor must have used it in this session).
// It answers and reports false to refuse: a session that only a password
// vouches for must confirm by e-mail first (passkey_gate.go).
func (p *Portal) passkeyRegistrationGate(w http.ResponseWriter, r *http.Request, si signedIn) bool {
	pending, err := p.passkeyConfirmPending(r, si)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("passkey grant: %w", err))
		return false
	}
	if pending != "" {
		p.jsonError(w, r, http.StatusForbidden, "Confirm by e-mail first: use the button on the passkeys page.")
		return false
	}
	return true
}

// postPasskeyRegisterBegin answers with the options of a new passkey and
// keeps the ceremony in the ceremony cookie.
func (p *Portal) postPasskeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"passkeys/register", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	site, ok := p.site(r)
	if !ok {
		p.jsonError(w, r, http.StatusNotFound, msgPasskeyNone)
		return
	}
	if !p.passkeyRegistrationGate(w, r, si) {
		return
	}
	opts, state, err := p.d.Passkeys.BeginRegistration(site, passkeyUser(si.u, si.f.passkeys), si.s.ID)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	p.setCeremony(w, state)
	writeJSON(w, http.StatusOK, json.RawMessage(opts))
}

// postPasskeyRegisterFinish checks the browser's new credential and stores
// it, named by the query's name. The first second factor of a user raises
// the session to MFA under a new ID, as enrolling an authenticator app
// does.
func (p *Portal) postPasskeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"passkeys")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"passkeys/register", r.Header.Get(csrfHeader)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	site, ok := p.site(r)
	if !ok {
		p.jsonError(w, r, http.StatusNotFound, msgPasskeyNone)
		return
	}
	name, ok := passkeyName(r.URL.Query().Get("name"))
	if !ok {
		p.jsonError(w, r, http.StatusBadRequest,
			fmt.Sprintf("A passkey's name is at most %d characters, without control characters.", maxCredName))
		return
	}
	body, ok := p.readCredential(w, r)
	if !ok {
		return
	}
	state := p.takeCeremony(w, r)
	c, err := p.d.Passkeys.FinishRegistration(ctx, site, passkeyUser(si.u, si.f.passkeys), si.s.ID, state, body)
	switch {
	case errors.Is(err, passkey.ErrState):
		p.jsonError(w, r, http.StatusBadRequest, msgPasskeyExpired)
		return
	case errors.Is(err, passkey.ErrInvalid), errors.Is(err, passkey.ErrReplay):
		p.log.LogAttrs(ctx, slog.LevelInfo, "passkey registration refused",
			append(request.LogAttrs(ctx), slog.String("user", si.u.Username), slog.Any("err", err))...)
		p.jsonError(w, r, http.StatusBadRequest, "Your passkey could not be registered.")
		return
	case err != nil:
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	c.Name = name
	err = p.d.Credentials.AddCredential(ctx, c)
	if errors.Is(err, store.ErrConflict) {
		p.jsonError(w, r, http.StatusConflict, msgPasskeyTaken)
		return
	}
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("store passkey: %w", err))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "passkey registered",
		append(request.LogAttrs(ctx), slog.String("user", si.u.Username), slog.String("credential", c.ID))...)
	p.publish(r, events.AuthFactorAdded, events.SeverityMedium, "second factor added", si.u.Username,
		map[string]string{"factor": "passkey"})
	if p.mailOn() {
		// The grant of an e-mail confirmation is good for one passkey.
		if _, err := p.d.Tokens.DeleteUserTokens(ctx, si.u.ID, store.PurposeAddPasskey); err != nil {
			p.log.LogAttrs(ctx, slog.LevelWarn, "delete passkey grant failed", append(request.LogAttrs(ctx), slog.Any("err", err))...)
		}
	}
	if !si.s.MFA {
		secret, s, err := p.d.Sessions.Rotate(ctx, si.secret, true)
		if errors.Is(err, session.ErrInvalid) {
			http.SetCookie(w, p.d.Sessions.ClearCookie())
			writeJSON(w, http.StatusOK, map[string]string{"redirect": p.cfg.Prefix + "login"})
			return
		}
		if err != nil {
			p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("register passkey: %w", err))
			return
		}
		p.setSession(w, secret, s)
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": p.cfg.Prefix + "passkeys"})
}

// postMFAPasskeyBegin answers with the options of a second-factor
// sign-in with one of the user's passkeys.
func (p *Portal) postMFAPasskeyBegin(w http.ResponseWriter, r *http.Request) {
	st, ok := p.mfaSession(w, r, safeRedirect(r.PostForm.Get("rd"), p.allowed))
	if !ok {
		return
	}
	if !p.validToken(st.s.ID, p.cfg.Prefix+"mfa/passkey", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	site, ok := p.site(r)
	if !ok || len(st.f.passkeys) == 0 {
		p.jsonError(w, r, http.StatusNotFound, msgPasskeyNone)
		return
	}
	opts, state, err := p.d.Passkeys.BeginLogin(site, passkeyUser(st.u, st.f.passkeys), st.s.ID)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	p.setCeremony(w, state)
	writeJSON(w, http.StatusOK, json.RawMessage(opts))
}

// postMFAPasskeyFinish checks a passkey as the second factor. Success
// raises the session to MFA under a new ID, as a TOTP code does; failures
// count towards the lockout as wrong codes do.
func (p *Portal) postMFAPasskeyFinish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, ok := p.mfaSession(w, r, safeRedirect(r.URL.Query().Get("rd"), p.allowed))
	if !ok {
		return
	}
	if !p.validToken(st.s.ID, p.cfg.Prefix+"mfa/passkey", r.Header.Get(csrfHeader)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	site, ok := p.site(r)
	if !ok {
		p.jsonError(w, r, http.StatusNotFound, msgPasskeyNone)
		return
	}
	body, ok := p.readCredential(w, r)
	if !ok {
		return
	}
	state := p.takeCeremony(w, r)
	key := lockoutKey(st.u.Username, st.u.LockoutClearedAt)
	if !p.passkeyUnlocked(w, r, key, st.u.Username) {
		return
	}
	c, err := p.d.Passkeys.FinishLogin(ctx, site, passkeyUser(st.u, st.f.passkeys), st.s.ID, state, body)
	if !p.passkeyChecked(w, r, key, st.u.Username, c, err) {
		return
	}
	if err := p.d.Credentials.UpdateCredential(ctx, c); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
		return
	}
	p.resetFailures(r, key, st.u.Username)
	secret, s, err := p.d.Sessions.Rotate(ctx, st.secret, true)
	if errors.Is(err, session.ErrInvalid) {
		http.SetCookie(w, p.d.Sessions.ClearCookie())
		writeJSON(w, http.StatusOK, map[string]string{"redirect": withRD(p.cfg.Prefix+"login", st.rd)})
		return
	}
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("second factor: %w", err))
		return
	}
	p.setSession(w, secret, s)
	p.publish(r, events.AuthSuccess, events.SeverityInfo, "second factor accepted", st.u.Username,
		map[string]string{"factor": "passkey", "method": "second_factor", "passkey": c.Name})
	writeJSON(w, http.StatusOK, map[string]string{"redirect": st.rd})
}

// postLoginPasskeyBegin answers with the options of a sign-in without
// password: any passkey of the site, user verification required.
func (p *Portal) postLoginPasskeyBegin(w http.ResponseWriter, r *http.Request) {
	binding := p.preSession(r)
	if !p.validToken(binding, p.cfg.Prefix+"login/passkey", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	site, ok := p.site(r)
	if !ok {
		p.jsonError(w, r, http.StatusNotFound, msgPasskeyNone)
		return
	}
	opts, state, err := p.d.Passkeys.BeginDiscoverable(site, binding)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	p.setCeremony(w, state)
	writeJSON(w, http.StatusOK, json.RawMessage(opts))
}

// postLoginPasskeyFinish signs in with a passkey alone. A passkey that
// verified its user (a PIN, a fingerprint) is two factors: the session
// starts with MFA. The guard's address lock is asked before, the account's
// once the passkey has named it; failures count as wrong codes do.
func (p *Portal) postLoginPasskeyFinish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	binding := p.preSession(r)
	if !p.validToken(binding, p.cfg.Prefix+"login/passkey", r.Header.Get(csrfHeader)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	site, ok := p.site(r)
	if !ok {
		p.jsonError(w, r, http.StatusNotFound, msgPasskeyNone)
		return
	}
	rd := safeRedirect(r.URL.Query().Get("rd"), p.allowed)
	body, ok := p.readCredential(w, r)
	if !ok {
		return
	}
	state := p.takeCeremony(w, r)
	if !p.passkeyUnlocked(w, r, "", "") {
		return
	}
	var u store.User
	lookup := func(ctx2 context.Context, id string) (passkey.User, error) {
		c, err := p.d.Credentials.Credential(ctx2, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && c.Kind != store.CredentialWebAuthn {
			return passkey.User{}, passkey.ErrUnknownCredential
		}
		if err != nil {
			return passkey.User{}, err
		}
		found, err := p.d.Users.User(ctx2, c.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return passkey.User{}, passkey.ErrUnknownCredential
		}
		if err != nil {
			return passkey.User{}, err
		}
		creds, err := p.d.Credentials.UserCredentials(ctx2, found.ID, store.CredentialWebAuthn)
		if err != nil {
			return passkey.User{}, err
		}
		u = found
		return passkeyUser(found, creds), nil
	}
	_, c, err := p.d.Passkeys.FinishDiscoverable(ctx, site, binding, state, body, lookup)
	key := ""
	if u.ID != "" {
		key = lockoutKey(u.Username, u.LockoutClearedAt)
	}
	if !p.passkeyChecked(w, r, key, u.Username, c, err) {
		return
	}
	if !p.passkeyUnlocked(w, r, key, u.Username) {
		return
	}
	if u.Disabled {
		p.passkeyFailed(w, r, key, u.Username, reasonDisabled, events.SeverityLow)
		return
	}
	if err := p.d.Credentials.UpdateCredential(ctx, c); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("passkey sign-in: %w", err))
		return
	}
	p.resetFailures(r, key, u.Username)
	old, hadOld := p.d.Sessions.FromRequest(r)
	secret, s, err := p.d.Sessions.Create(ctx, u.ID, true, clientIP(ctx), r.UserAgent())
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("passkey sign-in: %w", err))
		return
	}
	if hadOld {
		if err := p.d.Sessions.Revoke(ctx, old); err != nil {
			p.log.LogAttrs(ctx, slog.LevelWarn, "revoke previous session failed",
				append(request.LogAttrs(ctx), slog.String("user", u.Username), slog.Any("err", err))...)
		}
	}
	p.setSession(w, secret, s)
	p.publish(r, events.AuthSuccess, events.SeverityInfo, "passkey accepted", u.Username,
		map[string]string{"factor": "passkey", "method": "passwordless", "passkey": c.Name})
	writeJSON(w, http.StatusOK, map[string]string{"redirect": rd})
}

// passkeyUnlocked asks the guard about the account key (if any) and the
// client's address. It answers and reports false when either is locked.
func (p *Portal) passkeyUnlocked(w http.ResponseWriter, r *http.Request, key, name string) bool {
	ctx := r.Context()
	d, err := p.d.Guard.Check(ctx, key, clientIP(ctx))
	if err != nil {
		p.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("passkey: %w", err))
		return false
	}
	if d.Locked {
		p.publish(r, events.AuthFailure, events.SeverityLow, "passkey refused: locked", name,
			map[string]string{"reason": reasonLocked, "factor": "passkey"})
		sleep(ctx, d.Delay)
		p.jsonError(w, r, http.StatusForbidden, msgPasskeyRefused)
		return false
	}
	return true
}

// passkeyChecked turns the error of a finish into an answer: a state that
// is gone is asked again for; a response that does not verify, a replay,
// an unknown passkey or a cloned one is a failure. It reports true when
// err is nil.
func (p *Portal) passkeyChecked(w http.ResponseWriter, r *http.Request, key, name string, c store.Credential, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, passkey.ErrState):
		p.jsonError(w, r, http.StatusBadRequest, msgPasskeyExpired)
	case errors.Is(err, passkey.ErrCloned):
		ctx := r.Context()
		p.log.LogAttrs(ctx, slog.LevelWarn, "passkey signature counter went back: the authenticator may be cloned",
			append(request.LogAttrs(ctx), slog.String("user", name), slog.String("credential", c.ID))...)
		p.passkeyFailed(w, r, key, name, reasonPasskeyCloned, events.SeverityHigh)
	case errors.Is(err, passkey.ErrReplay):
		p.passkeyFailed(w, r, key, name, reasonPasskeyReplay, events.SeverityMedium)
	case errors.Is(err, passkey.ErrUnknownCredential):
		p.passkeyFailed(w, r, key, name, reasonPasskeyUnknown, events.SeverityLow)
	case errors.Is(err, passkey.ErrInvalid):
		p.passkeyFailed(w, r, key, name, reasonPasskeyInvalid, events.SeverityLow)
	default:
		p.fail(w, r, http.StatusInternalServerError, err)
	}
	return false
}

// passkeyFailed counts a failed passkey for the account key (if known) and
// the client's address, publishes auth.failure with sev (and auth.lockout
// when it locked something), waits the guard's delay and answers.
func (p *Portal) passkeyFailed(w http.ResponseWriter, r *http.Request, key, name, reason string, sev events.Severity) {
	ctx := r.Context()
	d, err := p.d.Guard.Failure(ctx, key, clientIP(ctx))
	if err != nil {
		p.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("count passkey failure: %w", err))
		return
	}
	p.publish(r, events.AuthFailure, sev, "passkey refused", name, map[string]string{
		"reason": reason, "factor": "passkey", "failures": fmt.Sprint(d.Failures),
	})
	if d.NewLock {
		p.publish(r, events.AuthLockout, events.SeverityMedium, "too many failed sign-ins: locked", name, map[string]string{
			"failures": fmt.Sprint(d.Failures), "until": d.Until.UTC().Format(time.RFC3339),
		})
	}
	sleep(ctx, d.Delay)
	p.jsonError(w, r, http.StatusForbidden, msgPasskeyRefused)
}

// accountPasskeys is the passkey list of the account page, or nil when
// passkeys are off.
func (p *Portal) accountPasskeys(si signedIn) *passkeysPage {
	if p.d.Passkeys == nil {
		return nil
	}
	pp := &passkeysPage{}
	for _, c := range si.f.passkeys {
		pp.Rows = append(pp.Rows, passkeyRow{ID: c.ID, Name: c.Name})
	}
	return pp
}
