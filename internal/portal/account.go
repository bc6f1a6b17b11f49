package portal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"rampart/internal/events"
	"rampart/internal/identity/recovery"
	"rampart/internal/identity/session"
	"rampart/internal/identity/totp"
	"rampart/internal/request"
	"rampart/internal/store"
)

// enrolTTL is how long an enrolment page stays good: time enough to find
// the phone and scan the code.
const enrolTTL = 10 * time.Minute

// maxEnrolField bounds the sealed enrolment a form carries back.
const maxEnrolField = 4096

// qrSize is the width and height of the QR code, in pixels.
const qrSize = 256

// defaultCredName labels an authenticator the user did not name.
const defaultCredName = "Authenticator app"

// signedIn is a session that may use the account pages.
type signedIn struct {
	secret string
	s      store.Session
	u      store.User
	f      factors
}

// requireSignedIn finds the session of a page that needs a signed-in user
// and, if the user has a second factor, a session that has done it. It
// answers with a redirect (to the sign-in or second-factor page, back to
// self afterwards) and reports false otherwise.
func (p *Portal) requireSignedIn(w http.ResponseWriter, r *http.Request, self string) (signedIn, bool) {
	ctx := r.Context()
	secret, s, ok, err := p.current(r)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("account: %w", err))
		return signedIn{}, false
	}
	if !ok {
		redirect(w, r, withRD(p.cfg.Prefix+"login", self))
		return signedIn{}, false
	}
	u, ok := p.sessionUser(w, r, secret, s)
	if !ok {
		return signedIn{}, false
	}
	f, err := p.factors(ctx, u.ID)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("account: %w", err))
		return signedIn{}, false
	}
	if !s.MFA && f.any() {
		redirect(w, r, withRD(p.cfg.Prefix+"mfa", self))
		return signedIn{}, false
	}
	return signedIn{secret: secret, s: s, u: u, f: f}, true
}

func (p *Portal) getAccount(w http.ResponseWriter, r *http.Request) {
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"account")
	if !ok {
		return
	}
	names := make([]string, len(si.f.totp))
	for i, c := range si.f.totp {
		names[i] = c.Name
	}
	recoveryCSRF := ""
	if len(si.f.totp) > 0 || len(si.f.passkeys) > 0 {
		recoveryCSRF = p.csrfToken(si.s.ID, p.cfg.Prefix+"recovery/new")
	}
	p.render(w, r, http.StatusOK, "account", page{
		Title:         "Your account",
		LogoutCSRF:    p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		Username:      si.u.Username,
		TOTPNames:     names,
		RecoveryLeft:  si.f.recovery,
		HasTOTP:       len(names) > 0,
		EnrolRequired: p.mfaRequired(si.u) && !si.f.any(),

		HasSessionList: p.d.SessionStore != nil,
		Email:          si.u.Email,
		Passkeys:       p.accountPasskeys(si),
		RecoveryCSRF:   recoveryCSRF,
	})
}

// enrolment is a TOTP key shown to the user and not yet confirmed. The
// form carries it sealed, bound to the session, so that enrolment needs no
// server-side state and the user cannot choose the secret.
type enrolment struct {
	expires time.Time
	secret  string
	url     string
}

func enrolAD(sessionID string) []byte { return []byte("portal totp enrolment/" + sessionID) }

func (p *Portal) sealEnrolment(sessionID string, e enrolment) (string, error) {
	pt := strconv.FormatInt(e.expires.Unix(), 10) + "\n" + e.secret + "\n" + e.url
	b, err := p.d.Keys.Seal([]byte(pt), enrolAD(sessionID))
	if err != nil {
		return "", fmt.Errorf("seal TOTP enrolment: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// openEnrolment returns the enrolment a form carried back, if it was sealed
// for this session and has not expired.
func (p *Portal) openEnrolment(sessionID, field string, now time.Time) (enrolment, bool) {
	if field == "" || len(field) > maxEnrolField {
		return enrolment{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(field)
	if err != nil {
		return enrolment{}, false
	}
	pt, err := p.d.Keys.Open(b, enrolAD(sessionID))
	if err != nil {
		return enrolment{}, false
	}
	parts := strings.SplitN(string(pt), "\n", 3)
	if len(parts) != 3 {
		return enrolment{}, false
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return enrolment{}, false
	}
	e := enrolment{expires: time.Unix(exp, 0), secret: parts[1], url: parts[2]}
	if !now.Before(e.expires) {
		return enrolment{}, false
	}
	return e, true
}

// accountLabel is the user name as an authenticator app shows it: a colon
// would end the issuer, control characters have no place.
func accountLabel(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ':' || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
}

func (p *Portal) getTOTPNew(w http.ResponseWriter, r *http.Request) {
	rd := safeRedirect(r.URL.Query().Get("rd"), p.allowed)
	si, ok := p.requireSignedIn(w, r, withRD(p.cfg.Prefix+"totp/new", rd))
	if !ok {
		return
	}
	k, err := totp.Generate(p.cfg.Issuer, accountLabel(si.u.Username))
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	e := enrolment{expires: p.now().Add(enrolTTL), secret: k.Secret, url: k.URL}
	field, err := p.sealEnrolment(si.s.ID, e)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	p.renderEnrol(w, r, si, e, field, rd, "")
}

func (p *Portal) renderEnrol(w http.ResponseWriter, r *http.Request, si signedIn, e enrolment, field, rd, msg string) {
	png, err := totp.QRPNG(e.url, qrSize)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	p.render(w, r, http.StatusOK, "totp_new", page{
		Title:      "Add an authenticator app",
		CSRF:       p.csrfToken(si.s.ID, p.cfg.Prefix+"totp/new"),
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		RD:         rd,
		Error:      msg,
		Username:   si.u.Username,
		// A data: URL that this package built from PNG bytes: safe to
		// mark as a URL for the template.
		QR:            template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), // #nosec G203 -- built here from PNG bytes
		Secret:        groupSecret(e.secret),
		Enrol:         field,
		HasRecovery:   si.f.recovery > 0,
		EnrolRequired: p.mfaRequired(si.u) && !si.f.any(),
	})
}

// groupSecret writes a base32 secret in groups of four for typing.
func groupSecret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// postTOTPNew confirms an enrolment with a code from the new authenticator,
// stores its secret sealed, replaces the user's recovery codes with ten new
// ones and shows them once. Proving the new factor raises the session to
// MFA, under a new session secret.
func (p *Portal) postTOTPNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rd := safeRedirect(r.PostForm.Get("rd"), p.allowed)
	si, ok := p.requireSignedIn(w, r, withRD(p.cfg.Prefix+"totp/new", rd))
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"totp/new", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	now := p.now()
	field := r.PostForm.Get("enrol")
	e, ok := p.openEnrolment(si.s.ID, field, now)
	if !ok {
		// Expired, or from another session: start again with a new key.
		redirect(w, r, withRD(p.cfg.Prefix+"totp/new", rd))
		return
	}
	code := strings.ReplaceAll(r.PostForm.Get("code"), " ", "")
	step, valid := totp.Validate(code, e.secret, now, totp.DefaultSkew)
	if !valid {
		p.renderEnrol(w, r, si, e, field, rd,
			"That code is not right. Check that your device's clock is correct and enter the code it shows now.")
		return
	}

	// The credential's ID comes from the enrolment, so a form submitted
	// twice stores one authenticator, not two.
	sum := sha256.Sum256([]byte(field))
	credID := hex.EncodeToString(sum[:16])
	sealed, err := p.d.Keys.Seal([]byte(e.secret), totpAD(si.u.ID, credID))
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	err = p.d.Credentials.AddCredential(ctx, store.Credential{
		ID: credID, UserID: si.u.ID, Kind: store.CredentialTOTP, Name: credName(r.PostForm.Get("name")),
		Secret: sealed, CreatedAt: now.UTC(), LastStep: step,
	})
	if errors.Is(err, store.ErrConflict) {
		redirect(w, r, p.cfg.Prefix+"account")
		return
	}
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	codes, err := p.replaceRecoveryCodes(r, si.u.ID, now)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	secret, s, err := p.d.Sessions.Rotate(ctx, si.secret, true)
	if errors.Is(err, session.ErrInvalid) {
		http.SetCookie(w, p.d.Sessions.ClearCookie())
		redirect(w, r, p.cfg.Prefix+"login")
		return
	}
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("enrol TOTP: %w", err))
		return
	}
	p.setSession(w, secret, s)
	p.log.LogAttrs(ctx, slog.LevelInfo, "authenticator app enrolled",
		append(request.LogAttrs(ctx), slog.String("user", si.u.Username), slog.String("credential", credID))...)
	p.publish(r, events.AuthFactorAdded, events.SeverityMedium, "second factor added", si.u.Username,
		map[string]string{"factor": "totp", "recovery_codes": "replaced"})
	cont := rd
	if cont == defaultRedirect {
		cont = p.cfg.Prefix + "account"
	}
	p.render(w, r, http.StatusOK, "recovery_codes", page{
		Title:      "Your recovery codes",
		LogoutCSRF: p.csrfToken(s.ID, p.cfg.Prefix+"logout"),
		Username:   si.u.Username,
		Codes:      codes,
		Continue:   cont,
	})
}

// replaceRecoveryCodes deletes the user's recovery codes and stores
// recovery.DefaultCount new ones, which it returns for showing once.
func (p *Portal) replaceRecoveryCodes(r *http.Request, userID string, now time.Time) ([]string, error) {
	ctx := r.Context()
	old, err := p.d.Credentials.UserCredentials(ctx, userID, store.CredentialRecovery)
	if err != nil {
		return nil, fmt.Errorf("read recovery codes: %w", err)
	}
	for _, c := range old {
		if err := p.d.Credentials.DeleteCredential(ctx, userID, c.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("delete recovery code: %w", err)
		}
	}
	codes, hashes, err := recovery.Generate(userID, recovery.DefaultCount)
	if err != nil {
		return nil, err
	}
	for _, h := range hashes {
		err := p.d.Credentials.AddCredential(ctx, store.Credential{
			ID: newID(), UserID: userID, Kind: store.CredentialRecovery, Name: "recovery code",
			Secret: []byte(h), CreatedAt: now.UTC(),
		})
		if err != nil {
			return nil, fmt.Errorf("store recovery code: %w", err)
		}
	}
	return codes, nil
}

// credName is the label a user gave an authenticator, or the default.
func credName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxCredName || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return defaultCredName
	}
	return s
}

// newID returns a random credential ID: 16 bytes in hex.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return hex.EncodeToString(b[:])
}
