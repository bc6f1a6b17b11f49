package portal

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"rampart/internal/events"
	"rampart/internal/identity/lockout"
	"rampart/internal/identity/passkey"
	"rampart/internal/identity/password"
	"rampart/internal/identity/seal"
	"rampart/internal/identity/session"
	"rampart/internal/request"
	"rampart/internal/store"
)

// DefaultPrefix is where the portal is mounted when Config.Prefix is empty.
const DefaultPrefix = "/.rampart/"

// DefaultIssuer names the service in authenticator apps when Config.Issuer
// is empty.
const DefaultIssuer = "rampart"

// CSP is the Content-Security-Policy of every portal response: no script
// at all, styles and images from the portal only (and the QR code as a
// data: URL), forms posting back to the portal, and no framing.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Bounds on what a client sends.
const (
	maxFormBytes   = 16 << 10 // a form body
	maxUsername    = 256      // bytes of a typed user name
	maxPassword    = 1024     // bytes of a typed password: 256 code points
	maxCode        = 64       // bytes of a typed TOTP or recovery code
	maxUserAgent   = 256      // bytes of the User-Agent put in an event
	maxCredName    = 64       // characters of an authenticator's label
	csrfKeyMinSize = 32
)

// Config sets up a Portal.
type Config struct {
	// Prefix is the path the portal is mounted under, starting and ending
	// with "/" (default DefaultPrefix). Every page is below it.
	Prefix string
	// CSRFKey is the HMAC-SHA256 key of the forms' CSRF tokens: at least 32
	// random bytes. Nodes that serve the same users share it, or a form
	// served by one node is refused by another.
	CSRFKey []byte
	// AllowedRedirectHosts are the hosts (as in a URL: "app.example.com" or
	// "app.example.com:8443") that a sign-in may send the browser back to
	// with an absolute https:// URL. Paths on the portal's own host are
	// always allowed.
	AllowedRedirectHosts []string
	// InsecureCookies is for plain-HTTP local development only: the
	// portal's own cookie loses its __Host- prefix and Secure flag, and the
	// Origin check expects http:// when the request did not come over TLS.
	// The session cookie is the session package's; see the package doc.
	InsecureCookies bool
	// Issuer names the service in authenticator apps (default
	// DefaultIssuer). It must not contain a colon.
	Issuer string
	// MFARoles are roles whose holders must use a second factor, as if
	// store.User.MFARequired were set: a sign-in without one goes to
	// enrolment first.
	MFARoles []string
	// LinkBase is the portal's public origin, "https://app.example.com":
	// links in e-mail point there (never to the Host of the request that
	// asked for them). Required when Deps.Mail is set.
	LinkBase string
	// LinkTTL is how long a link sent by e-mail works (default
	// DefaultLinkTTL, 30 minutes).
	LinkTTL time.Duration
	// Policy decides whether a new password may be set on
	// {prefix}password. The zero value means password.DefaultPolicy (at
	// least 12 characters, not on the list of common passwords), not the
	// zero Policy, which would skip that list.
	Policy password.Policy
}

// SessionStore is the part of store.Sessions the sessions page uses: it
// lists a user's sessions and deletes the one the user signs out there.
// Every store.Sessions is one.
type SessionStore interface {
	ListUserSessions(ctx context.Context, userID string) ([]store.Session, error)
	DeleteSession(ctx context.Context, id string) error
}

// Publisher receives the portal's security events; *events.Bus is one.
type Publisher interface {
	Publish(e events.Event)
}

// Deps are what a Portal works with.
type Deps struct {
	Users       store.Users
	Credentials store.Credentials
	Sessions    *session.Manager
	Hasher      *password.Hasher
	Guard       *lockout.Guard
	// Keys seals TOTP secrets at rest and the secret of an enrolment in
	// progress.
	Keys *seal.Keyring
	// SessionStore lists the sessions shown on {prefix}sessions and
	// deletes the one a user signs out there; it is the store behind
	// Sessions. Nil turns that page off (404) and takes its link off the
	// account page.
	SessionStore SessionStore
	// Bus receives auth.success, auth.failure, auth.lockout,
	// auth.password_changed and auth.session_revoked events; nil
	// publishes nothing.
	Bus Publisher
	// Mail sends the links of password reset, e-mail change, password
	// change and second-factor reset, and notices of changes; nil turns
	// those flows off (a password change then takes effect at once, and
	// {prefix}reset, {prefix}email and the links answer 404). Tokens must
	// be set with it.
	Mail Mailer
	// Tokens stores the links' hashes.
	Tokens store.Tokens
	// Passkeys is the WebAuthn relying party; nil turns passkeys off (their
	// pages answer 404 and no page offers them).
	Passkeys *passkey.RelyingParty
	// Log receives the causes of internal errors; nil logs nothing.
	Log *slog.Logger
	// Now is the clock for TOTP codes and records; nil is time.Now. The
	// session manager and the lockout guard have their own clocks.
	Now func() time.Time
}

// Portal serves the login and account pages. It is safe for concurrent use.
type Portal struct {
	cfg      Config
	d        Deps
	log      *slog.Logger
	now      func() time.Time
	pages    map[string]*template.Template
	css      []byte
	csrfName string
	// hashing bounds the argon2 computations running at once: each takes
	// the Hasher's memory (19 MiB by default), and a burst of sign-ins
	// must not take the gateway's memory with it.
	hashing chan struct{}
	// allowed holds AllowedRedirectHosts in lower case.
	allowed map[string]bool
	// linkBase is Config.LinkBase as scheme://host, "" without mail.
	linkBase string
}

//go:embed templates/*.html static/portal.css
var assets embed.FS

// pageNames are the templates under templates/, each defining "content"
// for layout.html.
var pageNames = []string{"login", "mfa", "account", "totp_new", "recovery_codes", "password", "sessions", "error",
	"reset", "reset_confirm", "confirm", "email", "notice", "passkeys"}

// New returns a Portal. It checks the configuration and that every
// dependency but the optional ones (SessionStore, Mail, Tokens, Passkeys,
// Bus, Log and Now) is present.
func New(cfg Config, d Deps) (*Portal, error) {
	var errs []error
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if !validPrefix(cfg.Prefix) {
		errs = append(errs, fmt.Errorf("prefix %q: want a path that starts and ends with / and holds no blanks, control characters, ? or #, such as %q", cfg.Prefix, DefaultPrefix))
	}
	if len(cfg.CSRFKey) < csrfKeyMinSize {
		errs = append(errs, fmt.Errorf("CSRF key is %d bytes; want at least %d random bytes", len(cfg.CSRFKey), csrfKeyMinSize))
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if strings.Contains(cfg.Issuer, ":") || strings.IndexFunc(cfg.Issuer, unicode.IsControl) >= 0 || len(cfg.Issuer) > 64 {
		errs = append(errs, fmt.Errorf("issuer %q: want at most 64 characters without colons or control characters", cfg.Issuer))
	}
	if cfg.Policy == (password.Policy{}) {
		cfg.Policy = password.DefaultPolicy
	}
	if err := cfg.Policy.Validate(); err != nil {
		errs = append(errs, err)
	}
	allowed := make(map[string]bool, len(cfg.AllowedRedirectHosts))
	for _, h := range cfg.AllowedRedirectHosts {
		if h == "" || strings.ContainsAny(h, "/\\@?#") || strings.IndexFunc(h, unicode.IsSpace) >= 0 {
			errs = append(errs, fmt.Errorf("allowed redirect host %q: want a host name, with a port if not 443", h))
			continue
		}
		allowed[strings.ToLower(h)] = true
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = DefaultLinkTTL
	}
	var linkBase string
	if d.Mail != nil {
		var err error
		if linkBase, err = checkLinkBase(cfg.LinkBase, cfg.InsecureCookies); err != nil {
			errs = append(errs, err)
		}
		if d.Tokens == nil {
			errs = append(errs, errors.New("mail without Tokens: the links need a store"))
		}
	}
	for _, m := range []struct {
		name    string
		missing bool
	}{
		{"Users", d.Users == nil},
		{"Credentials", d.Credentials == nil},
		{"Sessions", d.Sessions == nil},
		{"Hasher", d.Hasher == nil},
		{"Guard", d.Guard == nil},
		{"Keys", d.Keys == nil},
	} {
		if m.missing {
			errs = append(errs, fmt.Errorf("no %s", m.name))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("new portal: %w", errors.Join(errs...))
	}

	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("new portal: %w", err)
	}
	css, err := fs.ReadFile(assets, "static/portal.css")
	if err != nil {
		return nil, fmt.Errorf("new portal: %w", err)
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	p := &Portal{
		cfg:      cfg,
		d:        d,
		log:      log.With("component", "portal"),
		now:      now,
		pages:    pages,
		css:      css,
		csrfName: csrfCookieName,
		hashing:  make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		allowed:  allowed,
		linkBase: linkBase,
	}
	if cfg.InsecureCookies {
		p.csrfName = insecureCSRFCookieName
		if d.Sessions.ClearCookie().Secure {
			p.log.Warn("insecure cookies asked for, but the session cookie stays Secure: browsers keep it only over HTTPS and on localhost")
		}
	}
	return p, nil
}

func parsePages() (map[string]*template.Template, error) {
	layout, err := template.ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.Must(layout.Clone()).ParseFS(assets, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// validPrefix reports whether p can be the portal's mount point.
func validPrefix(p string) bool {
	if len(p) < 1 || len(p) > 256 || p[0] != '/' || p[len(p)-1] != '/' || strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '\\' || c == '%' {
			return false
		}
	}
	return true
}

// Prefix returns the path the portal is mounted under.
func (p *Portal) Prefix() string { return p.cfg.Prefix }

// ServeHTTP serves the portal's pages below its prefix and answers 404 for
// any other path.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = p.withInfo(r)
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")

	rest, ok := strings.CutPrefix(r.URL.Path, p.cfg.Prefix)
	if !ok && r.URL.Path == strings.TrimSuffix(p.cfg.Prefix, "/") {
		redirect(w, r, p.cfg.Prefix)
		return
	}
	if !ok {
		p.fail(w, r, http.StatusNotFound, nil)
		return
	}
	var get, post http.HandlerFunc
	switch rest {
	case "", "account":
		get = p.getAccount
	case "login":
		get, post = p.getLogin, p.postLogin
	case "mfa":
		get, post = p.getMFA, p.postMFA
	case "logout":
		post = p.postLogout
	case "totp/new":
		get, post = p.getTOTPNew, p.postTOTPNew
	case "password":
		get, post = p.getPassword, p.postPassword
	case "recovery/new":
		post = p.postRecoveryNew
	case "sessions", "sessions/revoke", "sessions/revoke-others":
		if p.d.SessionStore == nil {
			p.fail(w, r, http.StatusNotFound, nil)
			return
		}
		switch rest {
		case "sessions":
			get = p.getSessions
		case "sessions/revoke":
			post = p.postRevokeSession
		default:
			post = p.postRevokeOthers
		}
	case "reset", "reset/confirm", "email", "email/confirm", "password/confirm", "mfa/reset", "mfa/reset/confirm":
		if !p.mailOn() {
			p.fail(w, r, http.StatusNotFound, nil)
			return
		}
		switch rest {
		case "reset":
			get, post = p.getReset, p.postReset
		case "reset/confirm":
			get, post = p.getResetConfirm, p.postResetConfirm
		case "email":
			get, post = p.getEmail, p.postEmail
		case "email/confirm":
			get, post = p.getEmailConfirm, p.postEmailConfirm
		case "password/confirm":
			get, post = p.getPasswordConfirm, p.postPasswordConfirm
		case "mfa/reset":
			post = p.postMFAReset
		default:
			get, post = p.getMFAResetConfirm, p.postMFAResetConfirm
		}
	case "static/portal.css":
		get = p.serveCSS
	default:
		if get, post = p.passkeyRoute(rest); get == nil && post == nil {
			p.fail(w, r, http.StatusNotFound, nil)
			return
		}
	}
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && get != nil:
		get(w, r)
	case r.Method == http.MethodPost && post != nil:
		if !p.sameOrigin(r) {
			p.refuseCSRF(w, r, "cross-origin")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			p.fail(w, r, http.StatusBadRequest, nil)
			return
		}
		post(w, r)
	default:
		var allow []string
		if get != nil {
			allow = append(allow, http.MethodGet, http.MethodHead)
		}
		if post != nil {
			allow = append(allow, http.MethodPost)
		}
		h.Set("Allow", strings.Join(allow, ", "))
		p.fail(w, r, http.StatusMethodNotAllowed, nil)
	}
}

// withInfo makes sure r carries a request ID and a client IP, which the
// gateway's first stages set; mounted without them (in tests, or in front
// of nothing) the portal makes its own from the connection.
func (p *Portal) withInfo(r *http.Request) *http.Request {
	info, r := request.Get(r)
	if info.ID == "" {
		info.ID = request.NewID()
	}
	if !info.ClientIP.IsValid() {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if ip, err := netip.ParseAddr(host); err == nil {
			info.ClientIP = ip.Unmap()
		}
	}
	return r
}

func (p *Portal) serveCSS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "max-age=3600")
	http.ServeContent(w, r, "portal.css", time.Time{}, bytes.NewReader(p.css))
}

// page is what the templates are given.
type page struct {
	Title  string
	Prefix string
	// CSRF is the token of the page's main form, LogoutCSRF that of its
	// sign-out form.
	CSRF, LogoutCSRF string
	// RD is the validated redirect target the forms carry along.
	RD string
	// Error is a message for the user above the form.
	Error string

	Username      string
	TOTPNames     []string
	RecoveryLeft  int
	QR            template.URL
	Secret        string
	Enrol         string
	Codes         []string
	Continue      string
	Status        int
	StatusText    string
	Message       string
	RequestID     string
	HasRecovery   bool
	HasTOTP       bool
	EnrolRequired bool

	// Done says the page confirms a change, told in Message.
	Done bool
	// HasSessionList says the sessions page is on, for the account page's
	// link.
	HasSessionList bool
	// Sessions are the rows of the sessions page; RevokeCSRF and
	// OthersCSRF the tokens of its forms.
	Sessions               []sessionRow
	RevokeCSRF, OthersCSRF string
	// Others counts the sessions other than this one.
	Others int

	// Mail says the e-mail flows are on (links to them are shown).
	Mail bool
	// Email is the user's address; MFAResetCSRF the token of the
	// second-factor page's reset form.
	Email        string
	MFAResetCSRF string
	// Action, LinkSecret and Button are a confirmation page's form: where
	// it posts, the link's secret it carries, the button's label.
	Action, LinkSecret, Button string
	// ContinueLabel labels the Continue link of a notice.
	ContinueLabel string
	// RecoveryCSRF, when set, is the token of the account page's "new
	// recovery codes" form (shown to users with a second factor).
	RecoveryCSRF string
	// PasskeyConfirmCSRF, when set, is the token of the passkeys page's
	// "confirm by e-mail" form, shown instead of the add button.
	PasskeyConfirmCSRF string

	// Passkey, when set, makes the page load passkey.js (and send
	// PasskeyCSP) with what the script needs; Passkeys is the passkey list
	// of the account and passkeys pages.
	Passkey  *passkeyUI
	Passkeys *passkeysPage
}

// render writes the named page with status.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, data page) {
	data.Prefix = p.cfg.Prefix
	data.Mail = p.mailOn()
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("render page %s: %w", name, err))
		return
	}
	if data.Passkey != nil {
		w.Header().Set("Content-Security-Policy", PasskeyCSP)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail answers with status, a plain sentence and the request ID, and logs
// err for 5xx. It is request.Fail with the portal's CSP and style sheet.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	p.failMessage(w, r, status, request.Sentence(status), err)
}

func (p *Portal) failMessage(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	ctx := r.Context()
	if status >= 500 {
		attrs := request.LogAttrs(ctx)
		if err != nil {
			attrs = append(attrs, slog.Any("err", err))
		}
		p.log.LogAttrs(ctx, slog.LevelError, "portal request failed", append(attrs, slog.Int("status", status))...)
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	data := page{
		Title: fmt.Sprintf("%d %s", status, text), Status: status, StatusText: text,
		Message: msg, RequestID: request.ID(ctx), Prefix: p.cfg.Prefix,
	}
	var buf bytes.Buffer
	if err := p.pages["error"].ExecuteTemplate(&buf, "layout", data); err != nil {
		// The error page is static apart from escaped text: this cannot
		// happen with a correct build.
		request.WritePage(w, r, status, request.ID(ctx))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if id := request.ID(ctx); id != "" {
		h.Set("X-Request-Id", id)
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// redirect sends the browser to target with 303 See Other, so that the
// next request is a GET whatever the method of this one. Every target is a
// portal path or a redirect target that passed safeRedirect.
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther) // #nosec G710 -- targets are the portal's paths or passed safeRedirect
}

// clientIP is the resolved client address as text, "" when unknown.
func clientIP(ctx context.Context) string {
	if ip := request.ClientIP(ctx); ip.IsValid() {
		return ip.String()
	}
	return ""
}

// publish sends an event about r with user as the user it concerns.
func (p *Portal) publish(r *http.Request, t events.Type, sev events.Severity, msg, user string, details map[string]string) {
	if p.d.Bus == nil {
		return
	}
	if details == nil {
		details = map[string]string{}
	}
	if ua := r.UserAgent(); ua != "" {
		details["user_agent"] = truncate(ua, maxUserAgent)
	}
	e := events.ForRequest(r.Context(), t, sev, msg, details)
	e.User = truncate(user, maxUsername)
	p.d.Bus.Publish(e)
}

// truncate cuts s to at most n bytes on a character boundary, with invalid
// UTF-8 replaced.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// acquireHash waits for a hashing slot; it reports false when ctx ended
// first. Call releaseHash after the hash.
func (p *Portal) acquireHash(ctx context.Context) bool {
	select {
	case p.hashing <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (p *Portal) releaseHash() { <-p.hashing }

// current returns the session of r's cookie, if it has a live one. err is
// a store failure, not an invalid session.
func (p *Portal) current(r *http.Request) (secret string, s store.Session, ok bool, err error) {
	secret, ok = p.d.Sessions.FromRequest(r)
	if !ok {
		return "", store.Session{}, false, nil
	}
	s, err = p.d.Sessions.Validate(r.Context(), secret)
	if errors.Is(err, session.ErrInvalid) {
		return "", store.Session{}, false, nil
	}
	if err != nil {
		return "", store.Session{}, false, err
	}
	return secret, s, true, nil
}

// setSession puts the cookie of a new session on w.
func (p *Portal) setSession(w http.ResponseWriter, secret string, s store.Session) {
	http.SetCookie(w, p.d.Sessions.Cookie(secret, s.ExpiresAt.Sub(p.now())))
}

// factors says which second factors a user has.
type factors struct {
	totp     []store.Credential
	recovery int
	// passkeys are counted only while passkeys are on: with them off, a
	// user whose only factor is a passkey signs in with the password.
	passkeys []store.Credential
}

func (f factors) any() bool { return len(f.totp) > 0 || f.recovery > 0 || len(f.passkeys) > 0 }

func (p *Portal) factors(ctx context.Context, userID string) (factors, error) {
	creds, err := p.d.Credentials.UserCredentials(ctx, userID, "")
	if err != nil {
		return factors{}, fmt.Errorf("read second factors of user %s: %w", userID, err)
	}
	var f factors
	for _, c := range creds {
		switch c.Kind {
		case store.CredentialTOTP:
			f.totp = append(f.totp, c)
		case store.CredentialRecovery:
			f.recovery++
		case store.CredentialWebAuthn:
			if p.d.Passkeys != nil {
				f.passkeys = append(f.passkeys, c)
			}
		}
	}
	return f, nil
}

// withRD appends the redirect target to a portal path, unless it is the
// default.
func withRD(path, rd string) string {
	if rd == "" || rd == defaultRedirect {
		return path
	}
	return path + "?rd=" + queryEscape(rd)
}

// mfaRequired reports whether u must use a second factor: the account says
// so, or one of its roles is in Config.MFARoles.
func (p *Portal) mfaRequired(u store.User) bool {
	return u.MFARequired || slices.ContainsFunc(u.Roles, func(r string) bool { return slices.Contains(p.cfg.MFARoles, r) })
}
