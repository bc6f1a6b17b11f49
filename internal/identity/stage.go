// Package identity is the gateway stage that decides who is calling and
// whether they may: it reads the rampart session cookie or an API key,
// applies the access rules (internal/identity/access), sends browsers that
// must sign in to the portal and API clients a 401, and tells the upstream
// who the caller is in X-Rampart-User and X-Rampart-Roles, after removing
// any such header the client sent.
//
// Its parts live in subpackages: access (rules), password, session, apikey,
// lockout, totp, recovery, seal. The portal pages are internal/portal.
package identity

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"rampart/internal/identity/access"
	"rampart/internal/identity/apikey"
	"rampart/internal/identity/token"
	"rampart/internal/request"
	"rampart/internal/store"
)

// Identity headers rampart sets for the upstream. A client's own copies
// are always removed first.
const (
	HeaderUser  = "X-Rampart-User"
	HeaderRoles = "X-Rampart-Roles"
	// HeaderToken carries the same identity as a short-lived JWT signed
	// with EdDSA; upstreams verify it with the keys at
	// {portal}jwks.json instead of trusting the network.
	HeaderToken = "X-Rampart-Identity" // #nosec G101 -- a header name, not a credential
)

// SessionValidator checks a session cookie's secret (session.Manager).
type SessionValidator interface {
	Validate(ctx context.Context, secret string) (store.Session, error)
}

// KeyValidator checks an API key (apikey.Manager).
type KeyValidator interface {
	Validate(ctx context.Context, key string) (store.APIKey, error)
}

// UserReader reads accounts (store.Users).
type UserReader interface {
	User(ctx context.Context, id string) (store.User, error)
}

// StageConfig wires the stage.
type StageConfig struct {
	// Access is the compiled rule set; nil lets every request through
	// (identity is still read and passed on).
	Access *access.Set
	// PortalPrefix is where the portal is mounted ("/.rampart/").
	PortalPrefix string
	// SessionCookie is the session cookie's name.
	SessionCookie string
	Sessions      SessionValidator
	// APIKeys, when set, accepts "Authorization: Bearer rk_..." and
	// APIKeyHeader.
	APIKeys      KeyValidator
	APIKeyHeader string
	Users        UserReader
	// Tokens, when set, signs the identity into HeaderToken.
	Tokens *token.Signer
	// FetchMetadataCSRF refuses (403) a state-changing request (not GET,
	// HEAD, OPTIONS) that carries the rampart session and comes from
	// another site: Sec-Fetch-Site other than same-origin or none, or,
	// from browsers that do not send it, an Origin other than the
	// request's own. Requests with an API key are not affected.
	FetchMetadataCSRF bool
	// MFARoles are roles whose holders need a second factor on every route
	// that is not public, whatever the rule says (identity.mfa_roles).
	MFARoles []string
	// UserCacheTTL bounds how long a node trusts what it read of an account
	// (roles, disabled): default 5s.
	UserCacheTTL time.Duration
	Now          func() time.Time
	Failer       request.Failer
}

// Stage is the identity stage. It is safe for concurrent use.
type Stage struct {
	cfg   StageConfig
	users userCache
}

// NewStage returns the stage.
func NewStage(cfg StageConfig) (*Stage, error) {
	if cfg.Sessions == nil || cfg.Users == nil {
		return nil, errors.New("identity stage: sessions and users are required")
	}
	if cfg.PortalPrefix == "" {
		cfg.PortalPrefix = "/.rampart/"
	}
	if cfg.SessionCookie == "" {
		cfg.SessionCookie = "__Host-rampart"
	}
	if cfg.UserCacheTTL <= 0 {
		cfg.UserCacheTTL = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Stage{cfg: cfg, users: userCache{ttl: cfg.UserCacheTTL, m: map[string]cachedUser{}}}, nil
}

// Handler wraps next.
func (s *Stage) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del(HeaderUser)
		r.Header.Del(HeaderRoles)
		r.Header.Del(HeaderToken)
		id := s.identify(r)
		if id != nil && id.session && s.cfg.FetchMetadataCSRF && crossSite(r) {
			s.cfg.Failer.Fail(w, r, http.StatusForbidden, nil)
			return
		}
		switch s.decide(id, r.Host, r.URL.Path, r.Method) {
		case access.Allowed:
		case access.NeedLogin:
			s.login(w, r, false)
			return
		case access.NeedMFA:
			s.login(w, r, true)
			return
		default:
			s.cfg.Failer.Fail(w, r, http.StatusForbidden, nil)
			return
		}
		if id != nil {
			if info := request.FromContext(r.Context()); info != nil {
				info.User = id.user
			}
			r.Header.Set(HeaderUser, id.user)
			if len(id.roles) > 0 {
				r.Header.Set(HeaderRoles, strings.Join(id.roles, ","))
			}
			if s.cfg.Tokens != nil {
				tok, err := s.cfg.Tokens.Sign(id.token())
				if err != nil {
					s.cfg.Failer.Fail(w, r, http.StatusInternalServerError, err)
					return
				}
				r.Header.Set(HeaderToken, tok)
			}
		}
		// The session cookie (and the portal's other cookies, named after
		// it) are rampart's; the upstream never gets them.
		stripCookie(r, s.cfg.SessionCookie)
		next.ServeHTTP(w, r)
	})
}

// caller is who a request comes from.
type caller struct {
	user    string
	roles   []string
	mfa     bool
	session bool // from the session cookie (not an API key)
}

// identify reads the session cookie or the API key. Any failure makes the
// request anonymous: the access rules decide what an anonymous caller gets.
func (s *Stage) identify(r *http.Request) *caller {
	ctx := r.Context()
	if s.cfg.APIKeys != nil {
		if key, ok := apikey.FromRequest(r, s.cfg.APIKeyHeader); ok {
			k, err := s.cfg.APIKeys.Validate(ctx, key)
			if err != nil {
				return nil
			}
			c := &caller{user: "apikey:" + k.Name, roles: k.Roles, mfa: true}
			if k.UserID != "" {
				u, ok := s.user(ctx, k.UserID)
				if !ok {
					return nil
				}
				c.user = u.name
			}
			return c
		}
	}
	ck, err := r.Cookie(s.cfg.SessionCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	sess, err := s.cfg.Sessions.Validate(ctx, ck.Value)
	if err != nil {
		return nil
	}
	u, ok := s.user(ctx, sess.UserID)
	if !ok {
		return nil
	}
	return &caller{user: u.name, roles: u.roles, mfa: sess.MFA, session: true}
}

// decide applies the access rules to a request for host, path and method
// from caller id (nil: anonymous).
func (s *Stage) decide(id *caller, host, path, method string) access.Outcome {
	d := access.Decision{Policy: access.PolicyPublic}
	if s.cfg.Access != nil {
		_, d = s.cfg.Access.Match(host, path, method)
	}
	if id == nil {
		return access.Allow(d, nil)
	}
	if !id.mfa && len(s.cfg.MFARoles) > 0 && slices.ContainsFunc(id.roles, func(r string) bool { return slices.Contains(s.cfg.MFARoles, r) }) {
		d.MFA = true
	}
	return access.Allow(d, &access.Identity{User: id.user, Roles: id.roles, MFA: id.mfa})
}

func (c *caller) token() token.Identity {
	return token.Identity{User: c.user, Roles: c.roles, MFA: c.mfa}
}

// crossSite reports a state-changing request a browser sent from another
// site (fetch metadata, then Origin for browsers without it).
func crossSite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site != "same-origin" && site != "none"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false // not a browser, or one that sends neither: nothing to go by
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

// login answers a request that must sign in (or add a second factor):
// browsers are sent to the portal with the URL to come back to, API
// clients get a 401 in JSON.
func (s *Stage) login(w http.ResponseWriter, r *http.Request, mfa bool) {
	if !wantsHTML(r) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Bearer realm="rampart"`)
		w.WriteHeader(http.StatusUnauthorized)
		msg := "sign in first"
		if mfa {
			msg = "a second factor is required"
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg, "request_id": request.ID(r.Context())})
		return
	}
	page := "login"
	if mfa {
		page = "mfa"
	}
	target := s.cfg.PortalPrefix + page + "?rd=" + url.QueryEscape(r.URL.RequestURI())
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// wantsHTML reports a browser navigation: a GET or HEAD whose Accept names
// text/html.
func wantsHTML(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// stripCookie removes the cookie called name, and those whose names start
// with name+"-", from r's Cookie headers.
func stripCookie(r *http.Request, name string) {
	cs := r.Cookies()
	keep := cs[:0]
	for _, c := range cs {
		if c.Name != name && !strings.HasPrefix(c.Name, name+"-") {
			keep = append(keep, c)
		}
	}
	r.Header.Del("Cookie")
	for _, c := range keep {
		r.AddCookie(c)
	}
}

// userCache keeps what the stage read of accounts for a short while, so a
// warm request does not go to the store.
type userCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedUser
}

type cachedUser struct {
	name    string
	roles   []string
	fetched time.Time
	ok      bool // false: unknown or disabled
}

// maxCachedUsers bounds the cache; it is emptied when full.
const maxCachedUsers = 10000

func (s *Stage) user(ctx context.Context, id string) (cachedUser, bool) {
	now := s.cfg.Now()
	c := &s.users
	c.mu.Lock()
	u, hit := c.m[id]
	c.mu.Unlock()
	if hit && now.Sub(u.fetched) < c.ttl {
		return u, u.ok
	}
	rec, err := s.cfg.Users.User(ctx, id)
	switch {
	case err == nil:
		u = cachedUser{name: rec.Username, roles: rec.Roles, fetched: now, ok: !rec.Disabled}
	case errors.Is(err, store.ErrNotFound):
		u = cachedUser{fetched: now}
	default:
		return cachedUser{}, false // the store is down: fail closed, cache nothing
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedUsers {
		c.m = map[string]cachedUser{}
	}
	c.m[id] = u
	c.mu.Unlock()
	return u, u.ok
}

// Verify is the forward-auth endpoint ({portal}verify) for proxies that
// ask rampart whether to let a request through: nginx auth_request,
// Traefik forwardAuth, Caddy forward_auth. The request being decided is
// described by X-Forwarded-Method, X-Forwarded-Proto, X-Forwarded-Host and
// X-Forwarded-Uri (Traefik, Caddy) or X-Original-Method and X-Original-URI
// (nginx), believed only from a trusted proxy; its cookies and
// Authorization header come with the subrequest.
//
// The answer: 200 with X-Rampart-User, X-Rampart-Roles and
// X-Rampart-Identity for the proxy to copy upstream; 401 (with the portal's
// sign-in URL in Location) when the caller must sign in, or a 302 there
// with ?redirect=1 (for proxies that pass the answer to the browser); 403
// when the rules deny the caller.
func (s *Stage) Verify() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		method, scheme, host, uri := r.Method, "https", r.Host, r.URL.RequestURI()
		if info := request.FromContext(r.Context()); info != nil && info.TrustedPeer {
			h := r.Header
			method = first(h.Get("X-Forwarded-Method"), h.Get("X-Original-Method"), method)
			scheme = first(h.Get("X-Forwarded-Proto"), scheme)
			host = first(h.Get("X-Forwarded-Host"), host)
			uri = first(h.Get("X-Forwarded-Uri"), h.Get("X-Original-URI"), uri)
		}
		path := uri
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
		if !strings.HasPrefix(path, "/") || (scheme != "https" && scheme != "http") {
			s.cfg.Failer.Fail(w, r, http.StatusBadRequest, nil)
			return
		}
		id := s.identify(r)
		switch out := s.decide(id, host, path, method); out {
		case access.Allowed:
			if id != nil {
				w.Header().Set(HeaderUser, id.user)
				w.Header().Set(HeaderRoles, strings.Join(id.roles, ","))
				if s.cfg.Tokens != nil {
					if tok, err := s.cfg.Tokens.Sign(id.token()); err == nil {
						w.Header().Set(HeaderToken, tok)
					}
				}
			}
			w.WriteHeader(http.StatusOK)
		case access.NeedLogin, access.NeedMFA:
			page := "login"
			if out == access.NeedMFA {
				page = "mfa"
			}
			target := scheme + "://" + host + s.cfg.PortalPrefix + page + "?rd=" + url.QueryEscape(scheme+"://"+host+uri)
			w.Header().Set("Location", target)
			if r.URL.Query().Get("redirect") == "1" {
				w.WriteHeader(http.StatusFound)
				return
			}
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.WriteHeader(http.StatusForbidden)
		}
	})
}

// first returns the first non-empty string.
func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
