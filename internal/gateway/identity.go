package gateway

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"rampart/internal/config"
	"rampart/internal/identity"
	"rampart/internal/identity/apikey"
	"rampart/internal/identity/lockout"
	"rampart/internal/identity/passkey"
	"rampart/internal/identity/password"
	"rampart/internal/identity/session"
	"rampart/internal/identity/token"
	"rampart/internal/portal"
)

// identityParts are the identity objects that outlive a config reload:
// their caches must survive it (a reload must not sign everyone out or
// forget whom it trusted), so they are made once, on the first config with
// identity.enabled.
type identityParts struct {
	sessions *session.Manager
	keys     *apikey.Manager
	guard    *lockout.Guard
	hasher   *password.Hasher
	tokens   *token.Signer
}

// cookieName is the session cookie for cfg: __Host-rampart, or plain
// "rampart" where session.cookie_secure is off (a __Host- cookie must be
// Secure, so browsers would drop it on plain HTTP).
func cookieName(cfg *config.Config) string {
	if cs := cfg.Session.CookieSecure; cs != nil && !*cs {
		return "rampart"
	}
	return session.DefaultCookieName
}

// identityStage builds the identity stage for cfg, or nil when identity is
// off.
func (g *Gateway) identityStage(cfg *config.Config) (*identity.Stage, error) {
	if !cfg.Identity.Enabled {
		return nil, nil
	}
	if g.store == nil {
		return nil, errors.New("identity.enabled needs a store")
	}
	set, err := config.AccessConfig(cfg.Identity.Access)
	if err != nil {
		return nil, fmt.Errorf("identity.access: %w", err)
	}
	parts, err := g.identity(cfg)
	if err != nil {
		return nil, err
	}
	return identity.NewStage(identity.StageConfig{
		Access:            set,
		PortalPrefix:      cfg.Identity.PortalPath,
		SessionCookie:     cookieName(cfg),
		Sessions:          parts.sessions,
		APIKeys:           parts.keys,
		APIKeyHeader:      cfg.Identity.APIKeyHeader,
		Users:             g.store,
		Tokens:            parts.tokens,
		FetchMetadataCSRF: cfg.Identity.FetchMetadataCSRF == nil || *cfg.Identity.FetchMetadataCSRF,
		MFARoles:          cfg.Identity.MFARoles,
		Now:               g.now,
		Failer:            g.failer,
	})
}

// identity returns the long-lived identity parts, making them on first use.
// Timeouts come from the first config that enabled identity; a change to
// them takes effect at the next restart.
func (g *Gateway) identity(cfg *config.Config) (*identityParts, error) {
	g.idMu.Lock()
	defer g.idMu.Unlock()
	if g.id != nil {
		return g.id, nil
	}
	log := g.log.With("component", "identity")
	sm, err := session.New(session.Config{
		IdleTimeout: cfg.Session.IdleTimeout, AbsoluteTimeout: cfg.Session.AbsoluteTimeout, CookieName: cookieName(cfg),
	}, g.store, g.now, log)
	if err != nil {
		return nil, fmt.Errorf("identity sessions: %w", err)
	}
	km, err := apikey.New(apikey.Config{}, g.store, g.now, log)
	if err != nil {
		return nil, fmt.Errorf("identity API keys: %w", err)
	}
	lo := cfg.Identity.Lockout
	counter, err := g.lockoutCounter(cfg)
	if err != nil {
		return nil, err
	}
	guard, err := lockout.New(lockout.Config{
		MaxFailures: lo.MaxFailures, MaxIPFailures: lo.MaxIPFailures, Window: lo.Window, LockFor: lo.LockFor,
	}, counter, g.now)
	if err != nil {
		return nil, fmt.Errorf("identity lockout: %w", err)
	}
	hasher, err := password.NewHasher(password.DefaultParams)
	if err != nil {
		return nil, fmt.Errorf("identity passwords: %w", err)
	}
	secret, err := config.DecodeSecretsKey(cfg.Identity.SecretsKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("identity.secrets_key: %w", err)
	}
	signer, err := token.New(token.Config{Secret: secret, Lifetime: cfg.Identity.TokenLifetime}, g.now)
	if err != nil {
		return nil, fmt.Errorf("identity tokens: %w", err)
	}
	g.id = &identityParts{sessions: sm, keys: km, guard: guard, hasher: hasher, tokens: signer}
	return g.id, nil
}

// portalPages builds the portal for cfg. The keyring and CSRF key come
// from identity.secrets_key: the CSRF key is an HMAC of a fixed label under
// it, so it needs no setting of its own.
func (g *Gateway) portalPages(cfg *config.Config, parts *identityParts) (http.Handler, error) {
	id := cfg.Identity
	cur, err := config.DecodeSecretsKey(id.SecretsKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("identity.secrets_key: %w", err)
	}
	ring, err := config.SecretsKeyring(id)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, cur)
	mac.Write([]byte("rampart portal csrf v1"))
	insecure := cfg.Session.CookieSecure != nil && !*cfg.Session.CookieSecure
	mailer, err := g.mailer(cfg)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	deps := portal.Deps{
		Users: g.store, Credentials: g.store, Sessions: parts.sessions, SessionStore: g.store, Hasher: parts.hasher, Guard: parts.guard,
		Keys: ring, Bus: g.bus, Log: g.log.With("component", "portal"), Now: g.now,
	}
	if mailer != nil {
		deps.Mail, deps.Tokens = mailer, g.store
	}
	if id.Passkeys.On() {
		// Spent challenges are recorded as store tokens (see package
		// passkey); plain-HTTP development may use passkeys on localhost.
		if deps.Passkeys, err = passkey.New(id.Passkeys.PasskeyConfig(insecure), ring, g.store, g.now); err != nil {
			return nil, fmt.Errorf("identity.passkeys: %w", err)
		}
	}
	return portal.New(portal.Config{
		Prefix: id.PortalPath, CSRFKey: mac.Sum(nil), AllowedRedirectHosts: id.AllowedRedirectHosts, InsecureCookies: insecure,
		LinkBase: id.Email.LinkBase, LinkTTL: id.Email.LinkLifetime, MFARoles: id.MFARoles,
	}, deps)
}

// underPortal reports whether path is the portal's (prefix "/.rampart/",
// or "/.rampart" itself).
func underPortal(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) || path == strings.TrimSuffix(prefix, "/")
}

// portalChain is the stage chain of portal requests: the global limits and
// WAF settings, then the portal itself.
func (g *Gateway) portalChain(cfg *config.Config, wb *wafBuilder, ident *identity.Stage) (http.Handler, error) {
	rc := cfg.NewRoute("_portal")
	// Passwords go to the portal only, which hashes them and never passes
	// them on; inspecting them would refuse passwords that look like code
	// ("Robert'); DROP TABLE students;--") and gain nothing.
	for _, f := range []string{"password", "current", "new", "again"} {
		rc.WAF.Exclusions = append(rc.WAF.Exclusions, config.WAFExclusion{Rule: "*", Location: "form:" + f})
	}
	// The portal's only JSON bodies are passkeys' answers: base64url
	// blobs that go-webauthn parses and verifies, never passed on.
	rc.WAF.Exclusions = append(rc.WAF.Exclusions, config.WAFExclusion{Rule: "*", Location: "json:$*"})
	ws, err := wb.stage(&rc)
	if err != nil {
		return nil, err
	}
	parts, err := g.identity(cfg)
	if err != nil {
		return nil, err
	}
	pages, err := g.portalPages(cfg, parts)
	if err != nil {
		return nil, err
	}
	jwks, verifyPath := cfg.Identity.PortalPath+"jwks.json", cfg.Identity.PortalPath+"verify"
	verify := ident.Verify()
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == jwks && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			parts.tokens.ServeJWKS(w, r)
		case r.URL.Path == verifyPath:
			verify.ServeHTTP(w, r)
		default:
			pages.ServeHTTP(w, r)
		}
	})
	if ws != nil {
		h = ws.Handler(h)
	}
	return g.limits(&rc).Handler(h), nil
}
